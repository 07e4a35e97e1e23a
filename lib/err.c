#include "err.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "sti";

void
err_init(const char *argv0)
{
	const char *slash;

	if (argv0 != NULL && *argv0 != '\0') {
		slash = strrchr(argv0, '/');
		prog = slash ? slash + 1 : argv0;
	}
	signal(SIGPIPE, SIG_DFL);
}

const char *
err_prog(void)
{
	return prog;
}

static void
vwarn_errno(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void
err_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(fmt, ap);
	va_end(ap);
}

void
err_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_errno(fmt, ap);
	va_end(ap);
	exit(code);
}

void
err_at(const char *file, long line, const char *field, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	if (file != NULL)
		fprintf(stderr, line > 0 ? "%s:%ld: " : "%s: ", file, line);
	if (field != NULL)
		fprintf(stderr, "%s: ", field);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
err_exit_flush(int code)
{
	if (fflush(stdout) == EOF || ferror(stdout) || fclose(stdout) == EOF) {
		if (errno == EPIPE)
			exit(code);
		err_die(EX_IOERR, "<stdout>: write error:");
	}
	exit(code);
}

void
err_fmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

int
err_ret(int code, char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (buf != NULL && n > 0) {
		va_start(ap, fmt);
		vsnprintf(buf, n, fmt, ap);
		va_end(ap);
	}
	return code;
}
