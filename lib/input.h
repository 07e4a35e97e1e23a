/* input: what the library's record readers (lib/csv, lib/ndjson) keep about their input: the stream, the
 * name messages call it, and the message of the last failure in the suite's one format,
 * "file:line: field: what is wrong" (field left out when there is none). Also the UTF-8 byte-order mark
 * that some editors and Windows tools put before the first record. */
#ifndef STI_INPUT_H
#define STI_INPUT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define INPUT_BOM "\xEF\xBB\xBF"
#define INPUT_BOM_LEN 3

struct input {
	FILE *fp;      /* not owned: the reader does not close it */
	char *name;    /* owned copy; "<stdin>" when opened with NULL */
	char err[512]; /* the last failure, formatted */
	int errnum;    /* what the last failure was not about the data: errno of a failed read, or ENOMEM */
};

/* Start on fp named name (NULL: "<stdin>"). Returns 0, or -1 when out of memory. */
int input_open(struct input *in, FILE *fp, const char *name);
void input_close(struct input *in);

/* Set in->err to "name:line: field: message" (field NULL: "name:line: message"); returns -1 so that
 * readers can `return input_fail(...)`. */
int input_fail(struct input *in, long line, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int input_vfail(struct input *in, long line, const char *field, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* A failure of the input rather than of its data: errnum is the errno of a failed read (0: EIO), or
 * ENOMEM; the message is "name:line: read error: strerror" ("name:line: out of memory"). Returns -1. */
int input_fail_errno(struct input *in, long line, int errnum);

/* The sysexits code of the last failure (lib/err.h's convention): EX_OSERR when memory ran out, EX_IOERR
 * when the input could not be read, EX_DATAERR for what was read. Readers expose it (csv_code, nd_code)
 * so that callers never look at the stream's error flag to choose a code. */
int input_code(const struct input *in);

/* The bytes of a BOM at the start of s[0..n) (INPUT_BOM_LEN or 0). */
size_t input_bom(const char *s, size_t n);

#endif
