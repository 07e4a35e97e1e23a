/* progress: see progress.h. */
#include "progress.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "log.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int on;                  /* a line is wanted */
	enum progress_unit unit;
	char noun[32];
	long long total;         /* < 0: unknown */
	struct timespec start;   /* when it began */
	double last;             /* seconds since start of the last drawing, < 0: never drawn */
	size_t width;            /* bytes of the line last drawn, to blank it out */
} line;

static double
since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* n in binary units: "512 B", "3.2 KiB", "17.0 MiB", "1.25 GiB". */
static void
bytes(char *buf, size_t n, double v)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%.0f B", v);
	else
		snprintf(buf, n, v < 10 ? "%.2f %s" : "%.1f %s", v, units[u]);
}

static void
amount(char *buf, size_t n, enum progress_unit unit, double v)
{
	if (unit == PROGRESS_BYTES)
		bytes(buf, n, v);
	else
		snprintf(buf, n, "%.0f", v);
}

char *
progress_format(char *buf, size_t n, const char *noun, enum progress_unit unit, long long done,
    long long total, double secs)
{
	char d[32], t[32], r[32];
	double rate = secs > 0 ? (double)done / secs : 0;
	size_t len;

	amount(d, sizeof d, unit, (double)done);
	if (total >= 0) {
		amount(t, sizeof t, unit, (double)total);
		snprintf(buf, n, "%s of %s%s%s (%.0f%%)", d, t, unit == PROGRESS_ITEMS ? " " : "",
		    unit == PROGRESS_ITEMS ? noun : "", total > 0 ? 100.0 * (double)done / (double)total : 100.0);
	} else {
		snprintf(buf, n, "%s%s%s", d, unit == PROGRESS_ITEMS ? " " : "", unit == PROGRESS_ITEMS ? noun : "");
	}
	len = strlen(buf);
	if (secs >= 0.5 && rate > 0 && len < n) {
		if (unit == PROGRESS_BYTES)
			bytes(r, sizeof r, rate);
		else
			snprintf(r, sizeof r, rate < 10 ? "%.1f" : "%.0f", rate);
		snprintf(buf + len, n - len, ", %s/s", r);
		len = strlen(buf);
		if (total > done && len < n) {
			double eta = (double)(total - done) / rate;

			if (eta < 360000)
				snprintf(buf + len, n - len, ", ETA %d:%02d", (int)eta / 60, (int)eta % 60);
		}
	}
	return buf;
}

void
progress_begin(const char *noun, enum progress_unit unit, long long total)
{
	int wanted = log_progress_wanted();

	progress_end();
	pthread_mutex_lock(&mu);
	line.on = wanted;
	line.unit = unit;
	snprintf(line.noun, sizeof line.noun, "%s", noun != NULL ? noun : "");
	line.total = total;
	line.last = -1;
	line.width = 0;
	clock_gettime(CLOCK_MONOTONIC, &line.start);
	pthread_mutex_unlock(&mu);
}

void
progress_total(long long total)
{
	pthread_mutex_lock(&mu);
	line.total = total;
	pthread_mutex_unlock(&mu);
}

void
progress_update(long long done)
{
	char text[160], out[224];
	double now;
	int n;

	pthread_mutex_lock(&mu);
	if (!line.on) {
		pthread_mutex_unlock(&mu);
		return;
	}
	now = since(&line.start);
	if (line.last >= 0 && now - line.last < PROGRESS_EVERY_MS / 1000.0 && !(line.total >= 0 && done >= line.total)) {
		pthread_mutex_unlock(&mu);
		return;
	}
	line.last = now;
	progress_format(text, sizeof text, line.noun, line.unit, done, line.total, now);
	n = snprintf(out, sizeof out, "%s: %s", err_prog(), text);
	if (n > 0) {
		size_t w = (size_t)n < sizeof out ? (size_t)n : sizeof out - 1;

		/* blank out what a longer previous line left */
		fprintf(stderr, "\r%s%*s", out, line.width > w ? (int)(line.width - w) : 0, "");
		fflush(stderr);
		line.width = w > line.width ? w : line.width;
	}
	pthread_mutex_unlock(&mu);
}

void
progress_of(void *ctx, size_t done, size_t total)
{
	progress_total((long long)total);
	progress_update((long long)done);
}

void
progress_end(void)
{
	pthread_mutex_lock(&mu);
	if (line.on && line.width > 0) {
		fprintf(stderr, "\r%*s\r", (int)line.width, "");
		fflush(stderr);
	}
	line.on = 0;
	line.width = 0;
	pthread_mutex_unlock(&mu);
}
