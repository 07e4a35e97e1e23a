#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "log.h"

static int verbosity;

/* Options are shown as --name, positional arguments (upper-case names) as they are. */
static const char *
dashes(const char *name)
{
	return name[0] >= 'a' && name[0] <= 'z' ? "--" : "";
}

void
cli_common(int opt, void (*usage)(int status))
{
	switch (opt) {
	case 'h':
		usage(0);
		break;
	case CLI_OPT_VERSION:
		cli_version();
	case 'v':
		verbosity++;
		return;
	case 'q':
		verbosity--;
		return;
	default:
		usage(EX_USAGE);
	}
	exit(EX_USAGE); /* usage() must not return */
}

void
cli_done(void)
{
	log_init(verbosity);
}

void
cli_version(void)
{
	printf("%s (systematic-trading-infra) %s\n", err_prog(), STI_VERSION);
	err_exit_flush(0);
}

long long
cli_int(const char *s, long long min, long long max, const char *name)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0')
		err_die(EX_USAGE, "%s%s: '%s' is not an integer", dashes(name), name, s);
	if (errno == ERANGE || v < min || v > max)
		err_die(EX_USAGE, "%s%s: %s is out of range [%lld, %lld]", dashes(name), name, s, min, max);
	return v;
}

long long
cli_size(const char *s, long long min, long long max, const char *name)
{
	static const char *suffixes[] = { "", "K", "KiB", "M", "MiB", "G", "GiB" };
	static const int shifts[] = { 0, 10, 10, 20, 20, 30, 30 };
	size_t n = strspn(s, "0123456789");
	char num[32];
	long long v;
	int i;

	for (i = 0; i < 7; i++)
		if (strcmp(s + n, suffixes[i]) == 0)
			break;
	if (i == 7 || n == 0 || n >= sizeof num)
		err_die(EX_USAGE, "--%s: '%s' is not a size (bytes, or with K, M, G)", name, s);
	memcpy(num, s, n);
	num[n] = '\0';
	v = cli_int(num, 0, 1LL << 40, name);
	if (v > max >> shifts[i])
		err_die(EX_USAGE, "--%s: %s is more than %lld GiB", name, s, max >> 30);
	v <<= shifts[i];
	if (v < min)
		err_die(EX_USAGE, "--%s: %s is less than %lld MiB", name, s, min >> 20);
	return v;
}

double
cli_double(const char *s, double min, double max, const char *name)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || isnan(v))
		err_die(EX_USAGE, "%s%s: '%s' is not a number", dashes(name), name, s);
	if (errno == ERANGE || v < min || v > max)
		err_die(EX_USAGE, "%s%s: %s is out of range [%g, %g]", dashes(name), name, s, min, max);
	return v;
}

int
cli_date(const char *s, const char *name)
{
	int d;

	if (date_parse(s, strlen(s), &d) != 0)
		err_die(EX_USAGE, "%s%s: '%s' is not a date (YYYY-MM-DD)", dashes(name), name, s);
	return d;
}

FILE *
cli_open_in(const char *path)
{
	FILE *fp;

	if (path == NULL || strcmp(path, "-") == 0)
		return stdin;
	fp = fopen(path, "r");
	if (fp == NULL)
		err_die(errno == EACCES ? EX_NOPERM : EX_NOINPUT, "%s:", path);
	return fp;
}

const char *
cli_in_name(const char *path)
{
	return path == NULL || strcmp(path, "-") == 0 ? "<stdin>" : path;
}

char *
cli_secret(const char *name)
{
	char var[256], *line = NULL;
	const char *v, *path;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;

	v = getenv(name);
	if (v != NULL && *v != '\0')
		return strdup(v);
	snprintf(var, sizeof var, "%s_FILE", name);
	path = getenv(var);
	if (path == NULL || *path == '\0')
		return NULL;
	fp = fopen(path, "r");
	if (fp == NULL)
		err_die(errno == EACCES ? EX_NOPERM : EX_NOINPUT, "%s (from %s):", path, var);
	n = getline(&line, &cap, fp);
	fclose(fp);
	if (n <= 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}
