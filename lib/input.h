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

/* The bytes of a BOM at the start of s[0..n) (INPUT_BOM_LEN or 0). */
size_t input_bom(const char *s, size_t n);

#endif
