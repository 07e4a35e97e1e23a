#include "ndjson.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "num.h"

struct nd_reader {
	struct input in; /* the stream, its name, the last error */
	char *line;  /* getline buffer: no length limit */
	size_t cap;
	long lineno; /* line of the last record read */
};

nd_reader *
nd_open(FILE *fp, const char *name)
{
	nd_reader *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	if (input_open(&r->in, fp, name) != 0) {
		free(r);
		return NULL;
	}
	return r;
}

void
nd_close(nd_reader *r)
{
	if (r == NULL)
		return;
	free(r->line);
	input_close(&r->in);
	free(r);
}

long
nd_line(const nd_reader *r)
{
	return r->lineno;
}

const char *
nd_error(const nd_reader *r)
{
	return r->in.err;
}

int
nd_code(const nd_reader *r)
{
	return input_code(&r->in);
}

int
nd_next(nd_reader *r, json_t **out)
{
	ssize_t n;
	json_error_t jerr;
	json_t *obj;
	size_t i;

	for (;;) {
		errno = 0;
		n = getline(&r->line, &r->cap, r->in.fp);
		if (n < 0) {
			/* getline's ENOMEM leaves no error flag on the stream */
			if (ferror(r->in.fp) || errno == ENOMEM)
				return input_fail_errno(&r->in, r->lineno + 1, errno);
			return 0;
		}
		r->lineno++;
		/* a UTF-8 byte order mark (some editors and Windows tools write one) is not part of the record */
		if (r->lineno == 1 && input_bom(r->line, (size_t)n) > 0) {
			memmove(r->line, r->line + INPUT_BOM_LEN, (size_t)n - INPUT_BOM_LEN + 1);
			n -= INPUT_BOM_LEN;
		}
		while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
			r->line[--n] = '\0';
		for (i = 0; i < (size_t)n && (r->line[i] == ' ' || r->line[i] == '\t'); i++)
			;
		if (i < (size_t)n)
			break;
	}
	obj = json_loadb(r->line, (size_t)n, JSON_DECODE_ANY, &jerr);
	if (obj == NULL)
		return input_fail(&r->in, r->lineno, NULL, "invalid JSON: %s (column %d)", jerr.text, jerr.column);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return input_fail(&r->in, r->lineno, NULL, "not a JSON object");
	}
	*out = obj;
	return 1;
}

static int
dump_string(FILE *fp, const char *s, size_t len)
{
	json_t *str = json_stringn_nocheck(s, len);
	char *text = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
	int rc = text ? fputs(text, fp) : EOF;

	free(text);
	json_decref(str);
	return rc == EOF ? -1 : 0;
}

static int
dump(FILE *fp, const json_t *v)
{
	char buf[NUM_FMT_MAX];
	const char *key;
	json_t *item;
	size_t i;
	int first = 1;
	double d;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		putc('{', fp);
		json_object_foreach((json_t *)v, key, item) {
			if (!first)
				putc(',', fp);
			first = 0;
			dump_string(fp, key, strlen(key));
			putc(':', fp);
			dump(fp, item);
		}
		putc('}', fp);
		break;
	case JSON_ARRAY:
		putc('[', fp);
		json_array_foreach(v, i, item) {
			if (i > 0)
				putc(',', fp);
			dump(fp, item);
		}
		putc(']', fp);
		break;
	case JSON_STRING:
		return dump_string(fp, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		fprintf(fp, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		d = json_real_value(v);
		if (!isfinite(d)) { /* JSON has no NaN: a missing value */
			fputs("null", fp);
			break;
		}
		num_fmt(d, buf);
		/* keep it a real when read back (1.0 stays a float for pandas and jq) */
		fputs(buf, fp);
		if (strpbrk(buf, ".en") == NULL)
			fputs(".0", fp);
		break;
	case JSON_TRUE:
		fputs("true", fp);
		break;
	case JSON_FALSE:
		fputs("false", fp);
		break;
	case JSON_NULL:
		fputs("null", fp);
		break;
	}
	return ferror(fp) ? -1 : 0;
}

int
nd_write(FILE *fp, const json_t *obj)
{
	if (dump(fp, obj) != 0)
		return -1;
	return putc('\n', fp) == EOF ? -1 : 0;
}

const char *
nd_str(const json_t *obj, const char *key, const char *fallback)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : fallback;
}

double
nd_num(const json_t *obj, const char *key, double fallback)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : fallback;
}

long long
nd_int(const json_t *obj, const char *key, long long fallback)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v)))
		return (long long)json_real_value(v);
	return fallback;
}
