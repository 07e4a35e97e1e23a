#include "input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

int
input_open(struct input *in, FILE *fp, const char *name)
{
	in->fp = fp;
	in->err[0] = '\0';
	in->errnum = 0;
	in->name = strdup(name != NULL ? name : "<stdin>");
	return in->name != NULL ? 0 : -1;
}

void
input_close(struct input *in)
{
	free(in->name);
	in->name = NULL;
}

int
input_vfail(struct input *in, long line, const char *field, const char *fmt, va_list ap)
{
	int n;

	in->errnum = 0;
	if (field != NULL)
		n = snprintf(in->err, sizeof in->err, "%s:%ld: %s: ", in->name, line, field);
	else
		n = snprintf(in->err, sizeof in->err, "%s:%ld: ", in->name, line);
	if (n >= 0 && (size_t)n < sizeof in->err)
		vsnprintf(in->err + n, sizeof in->err - (size_t)n, fmt, ap);
	return -1;
}

int
input_fail(struct input *in, long line, const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	input_vfail(in, line, field, fmt, ap);
	va_end(ap);
	return -1;
}

int
input_fail_errno(struct input *in, long line, int errnum)
{
	if (errnum == 0)
		errnum = EIO;
	if (errnum == ENOMEM)
		input_fail(in, line, NULL, "out of memory");
	else
		input_fail(in, line, NULL, "read error: %s", strerror(errnum));
	in->errnum = errnum;
	return -1;
}

int
input_code(const struct input *in)
{
	return in->errnum == ENOMEM ? EX_OSERR : in->errnum != 0 ? EX_IOERR : EX_DATAERR;
}

size_t
input_bom(const char *s, size_t n)
{
	return n >= INPUT_BOM_LEN && memcmp(s, INPUT_BOM, INPUT_BOM_LEN) == 0 ? INPUT_BOM_LEN : 0;
}
