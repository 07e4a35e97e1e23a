#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

static int threshold = LOG_INFO;
static int json_format = -1; /* -1: not decided yet */

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void
log_init(int verbosity)
{
	int t = LOG_INFO + verbosity;

	threshold = t < LOG_ERROR ? LOG_ERROR : t > LOG_DEBUG ? LOG_DEBUG : t;
}

int
log_enabled(enum log_level level)
{
	return (int)level <= threshold;
}

int
log_progress_wanted(void)
{
	const char *p = getenv("STI_PROGRESS");

	if (threshold < LOG_INFO)
		return 0;
	if (p != NULL && (strcmp(p, "0") == 0 || strcmp(p, "1") == 0))
		return p[0] == '1';
	return isatty(STDERR_FILENO);
}

static int
use_json(void)
{
	const char *f;

	if (json_format < 0) {
		f = getenv("STI_LOG_FORMAT");
		if (f != NULL && strcmp(f, "json") == 0)
			json_format = 1;
		else if (f != NULL && strcmp(f, "text") == 0)
			json_format = 0;
		else
			json_format = !isatty(STDERR_FILENO);
	}
	return json_format;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[2048], stamp[64];
	va_list ap;
	struct timespec ts;
	struct tm tm;
	json_t *rec;
	char *line;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!use_json()) {
		fprintf(stderr, "%s: %s%s\n", err_prog(), level <= LOG_WARN ? "warning: " : "", msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	rec = json_pack("{s:s,s:s,s:s,s:s}", "time", stamp, "level", level_names[level], "tool",
	    err_prog(), "msg", msg);
	line = rec ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (line != NULL)
		fprintf(stderr, "%s\n", line);
	else /* invalid UTF-8 in the message: fall back to text rather than lose it */
		fprintf(stderr, "%s: %s\n", err_prog(), msg);
	free(line);
	json_decref(rec);
}
