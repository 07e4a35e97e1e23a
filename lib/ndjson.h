/* ndjson: newline-delimited JSON records on jansson.
 *
 * Every line is one JSON object; blank lines are skipped; anything else is an error naming the file and
 * line. The writer prints one compact object per line, keys in insertion order, and reals in shortest
 * round-trip form (jansson's own output uses 17 digits: 101.2 would become 101.20000000000000284). */
#ifndef STI_NDJSON_H
#define STI_NDJSON_H

#include <jansson.h>
#include <stdio.h>

typedef struct nd_reader nd_reader;

/* Start reading fp (not closed by the reader); name is for messages. NULL only when out of memory. */
nd_reader *nd_open(FILE *fp, const char *name);
void nd_close(nd_reader *r);

/* Read the next record. Returns 1 with *out a new reference (the caller decrefs), 0 at the end, -1 with
 * nd_error() set ("file:line: invalid JSON: ... at column N", "file:line: not a JSON object"). */
int nd_next(nd_reader *r, json_t **out);
long nd_line(const nd_reader *r);
const char *nd_error(const nd_reader *r);
/* The sysexits code of the last failure: EX_IOERR (the input could not be read), EX_OSERR (out of memory),
 * EX_DATAERR (what was read is not a record). Callers never need to look at the stream. */
int nd_code(const nd_reader *r);

/* Write obj as one line. Returns 0, or -1 if the stream has an error. */
int nd_write(FILE *fp, const json_t *obj);

/* Typed getters for record fields; return the fallback when the key is absent or of another type. */
const char *nd_str(const json_t *obj, const char *key, const char *fallback);
double nd_num(const json_t *obj, const char *key, double fallback);
long long nd_int(const json_t *obj, const char *key, long long fallback);

#endif
