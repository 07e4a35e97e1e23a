/* Unit tests for lib/pgbin: PostgreSQL's binary COPY format written as the server's CSV.
 *
 * Where the expectations come from:
 * - tests/fixtures/pgbin/{v,t,e}.{bin,csv}: the same statements run by a PostgreSQL 15 server in COPY's
 *   binary format and in its CSV (HEADER) format, in wrds-pull's session; the decoder must turn each .bin
 *   into its .csv byte for byte. tests/tools/pgbin.sh checks against a live server that these files are
 *   still its output (values of every shape: tests/fixtures/pgbin/values.py).
 * - the hand-built streams: PostgreSQL 15's documentation, COPY, "Binary Format" (the signature
 *   "PGCOPY\n\377\r\n\0", the flags and the header extension, the 16-bit field count, the 32-bit field
 *   lengths with -1 for NULL, the trailer -1), the send functions' representations (date_send: days since
 *   2000-01-01 as int32, whose Julian day is 2451545, DATEVAL_NOBEGIN/NOEND INT32_MIN/INT32_MAX printed as
 *   -infinity/infinity; float8send: the IEEE 754 bits in network order), and the server's text output
 *   for those values as the fixtures show it.
 * - malformed and cut streams: the documented format says what is whole; each defect must give EX_DATAERR
 *   and a message, never a crash or a read past the message (ASan). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "pgbin.h"

static const struct pgbin_col five[] = {
	{ "d", PGBIN_DATE }, { "i", PGBIN_INT4 }, { "b", PGBIN_INT8 }, { "f,1", PGBIN_FLOAT8 }, { "t \"x\"", PGBIN_TEXT },
};
static const struct pgbin_col one[] = { { "t", PGBIN_TEXT } };

struct file {
	unsigned char *b;
	size_t n;
};

static struct file
slurp(const char *name)
{
	const char *dir = getenv("PGBIN_FIXTURES") ? getenv("PGBIN_FIXTURES") : "tests/fixtures/pgbin";
	char path[512];
	struct file f = { NULL, 0 };
	FILE *fp;
	long n;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "%s: cannot open (run from the top of the tree, or set PGBIN_FIXTURES)", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	f.b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(f.b);
	ck_assert_uint_eq(fread(f.b, 1, (size_t)n, fp), (size_t)n);
	f.n = (size_t)n;
	fclose(fp);
	return f;
}

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The CopyData messages the server sends for a binary COPY file (the protocol's one message per row;
 * PostgreSQL's copyto.c sends the header with the first tuple, or with the trailer when there is none, and
 * the trailer alone): message i is f[off[i]..off[i+1]). A walk of the documented format of its own, so
 * that the decoder is not its own reference; it stops after max messages. Returns the number walked. */
static int
split(const struct file *f, size_t *off, int max)
{
	size_t p = 19 + rd32(f->b + 15);
	int m = 0;

	off[m++] = 0;
	while (p < f->n && m <= max) {
		int16_t nf = (int16_t)(f->b[p] << 8 | f->b[p + 1]);
		p += 2;
		for (int c = 0; c < nf; c++) {
			int32_t k = (int32_t)rd32(f->b + p);
			p += 4 + (k > 0 ? (size_t)k : 0);
		}
		off[m++] = p;
	}
	ck_assert(m > max || p == f->n);
	return m - 1;
}

/* Decode msg[0..n) from a copy of exactly n bytes (so that ASan sees any read past it) into a malloc'd
 * buffer appended to *out (*olen); returns pgbin_rows()'s code. */
static int
feed(struct pgbin *b, const unsigned char *msg, size_t n, char **out, size_t *olen, long long *tuples)
{
	char *copy = malloc(n ? n : 1), err[256];
	size_t len, max = pgbin_rows_max(b, n);
	int code;

	memcpy(copy, msg, n);
	*out = realloc(*out, *olen + max);
	code = pgbin_rows(b, copy, n, *out + *olen, &len, tuples, err, sizeof err);
	if (code == 0)
		*olen += len;
	else
		ck_assert_msg(strncmp(err, "binary COPY: ", 13) == 0 && strlen(err) > 20, "message: %s", err);
	free(copy);
	return code;
}

static void
server_file(const char *name, const struct pgbin_col *cols, int ncols)
{
	char bin[64], csv[64], *out = NULL;
	size_t *off, olen;
	struct file fb, fc;
	struct pgbin b;
	long long tuples, total = 0;
	int m;

	snprintf(bin, sizeof bin, "%s.bin", name);
	snprintf(csv, sizeof csv, "%s.csv", name);
	fb = slurp(bin);
	fc = slurp(csv);
	off = malloc((fb.n / 2 + 2) * sizeof *off);
	m = split(&fb, off, (int)(fb.n / 2));

	/* message by message, as the server sends them */
	pgbin_init(&b, cols, ncols);
	out = malloc(pgbin_header_max(&b));
	olen = pgbin_header(&b, out);
	for (int i = 0; i < m; i++) {
		ck_assert_int_eq(pgbin_done(&b), 0);
		ck_assert_int_eq(feed(&b, fb.b + off[i], off[i + 1] - off[i], &out, &olen, &tuples), 0);
		total += tuples;
	}
	ck_assert_int_eq(pgbin_done(&b), 1);
	ck_assert_uint_eq(olen, fc.n);
	ck_assert_msg(memcmp(out, fc.b, fc.n) == 0, "%s: the CSV differs from the server's", name);

	/* the whole stream as one message: tuples need not be one per message */
	pgbin_init(&b, cols, ncols);
	olen = pgbin_header(&b, out);
	ck_assert_int_eq(feed(&b, fb.b, fb.n, &out, &olen, &tuples), 0);
	ck_assert_int_eq(tuples, total);
	ck_assert_int_eq(pgbin_done(&b), 1);
	ck_assert_uint_eq(olen, fc.n);
	ck_assert(memcmp(out, fc.b, fc.n) == 0);
	free(out);
	free(off);
	free(fb.b);
	free(fc.b);
}

START_TEST(test_server_fixtures)
{
	server_file("v", five, 5); /* 3,000 rows of every shape */
	server_file("t", one, 1);  /* one column: "\." quoted */
	server_file("e", five, 5); /* no rows: header and trailer in one message */
}
END_TEST

/* Every cut of the server's first messages: a message cut anywhere but at a tuple's end is refused with
 * EX_DATAERR; and a stream that stops before its trailer is not done. */
START_TEST(test_cut_everywhere)
{
	struct file fb = slurp("v.bin");
	size_t off[64];
	struct pgbin b;
	long long tuples;
	char *out = NULL;
	size_t olen = 0;

	ck_assert_int_eq(split(&fb, off, 40), 40);
	for (int i = 0; i < 39; i++) {
		size_t len = off[i + 1] - off[i];
		for (size_t cut = 0; cut < len; cut++) {
			pgbin_init(&b, five, 5);
			for (int j = 0; j < i; j++) /* the messages before, whole */
				ck_assert_int_eq(feed(&b, fb.b + off[j], off[j + 1] - off[j], &out, &olen, &tuples), 0);
			int code = feed(&b, fb.b + off[i], cut, &out, &olen, &tuples);
			/* cut 0 is an empty message (no tuple in it), and the first message cut right after the
			 * header holds a whole header: both are whole, the rest is not */
			int whole = cut == 0 ? i > 0 : (i == 0 && cut == 19 + rd32(fb.b + 15));
			if (i == 0 && cut == 0)
				ck_assert_int_eq(code, EX_DATAERR); /* no signature */
			else
				ck_assert_int_eq(code, whole ? 0 : EX_DATAERR);
			ck_assert_int_eq(pgbin_done(&b), 0);
			olen = 0;
		}
	}
	free(out);
	free(fb.b);
}
END_TEST

/* A stream builder for hand-made cases. */
struct sb {
	unsigned char b[512];
	size_t n;
};

static void
put16(struct sb *s, int v)
{
	s->b[s->n++] = (unsigned char)((unsigned)v >> 8);
	s->b[s->n++] = (unsigned char)v;
}

static void
put32(struct sb *s, uint32_t v)
{
	for (int i = 3; i >= 0; i--)
		s->b[s->n++] = (unsigned char)(v >> (8 * i));
}

static void
put64(struct sb *s, uint64_t v)
{
	put32(s, (uint32_t)(v >> 32));
	put32(s, (uint32_t)v);
}

static void
header(struct sb *s, uint32_t flags, uint32_t ext)
{
	memcpy(s->b, "PGCOPY\n\377\r\n\0", 11);
	s->n = 11;
	put32(s, flags);
	put32(s, ext);
	for (uint32_t i = 0; i < ext; i++)
		s->b[s->n++] = 'x';
}

/* One tuple of five: date days, int4 i, int8 b, float8 bits f, text t (NULL: a NULL field). */
static void
tuple(struct sb *s, int32_t days, int32_t i, int64_t b, uint64_t f, const char *t)
{
	put16(s, 5);
	put32(s, 4), put32(s, (uint32_t)days);
	put32(s, 4), put32(s, (uint32_t)i);
	put32(s, 8), put64(s, (uint64_t)b);
	put32(s, 8), put64(s, f);
	if (t == NULL) {
		put32(s, UINT32_MAX);
	} else {
		put32(s, (uint32_t)strlen(t));
		memcpy(s->b + s->n, t, strlen(t));
		s->n += strlen(t);
	}
}

static int
decode(const struct sb *s, const struct pgbin_col *cols, int ncols, char *out, size_t cap, int *done, char *err,
    size_t errlen)
{
	struct pgbin b;
	size_t len;
	long long tuples;
	int code;

	pgbin_init(&b, cols, ncols);
	ck_assert_uint_ge(cap, pgbin_rows_max(&b, s->n) + 1);
	code = pgbin_rows(&b, (const char *)s->b, s->n, out, &len, &tuples, err, errlen);
	out[code == 0 ? len : 0] = '\0';
	*done = pgbin_done(&b);
	return code;
}

START_TEST(test_documented_values)
{
	struct sb s;
	char out[4096], err[256];
	int done;

	header(&s, 0, 3); /* an extension of 3 bytes, skipped */
	/* 2000-01-01 is day 0; Julian day 0 (4714-11-24 BC) is day -2451545; 1970-01-01 is day -10957 */
	tuple(&s, 0, 0, 0, 0x3FF0000000000000u, "AAPL");                   /* 1.0 */
	tuple(&s, -1, -1, -1, 0x8000000000000000u, "");                   /* -0; an empty string: quoted */
	tuple(&s, -2451545, INT32_MIN, INT64_MIN, 0x7FF8000000000000u, "a,\"b\"");  /* NaN */
	tuple(&s, -10957, INT32_MAX, INT64_MAX, 0xFFF0000000000000u, "x\ny");       /* -Infinity */
	tuple(&s, INT32_MIN, 7, 10, 0x0000000000000001u, NULL);                     /* 5e-324, NULL */
	tuple(&s, INT32_MAX, 7, 10, 0x430C6BF526340000u, "\\.");                    /* 1e15; not alone */
	tuple(&s, -730120, 7, 10, 0x3EE4F8B588E368F1u, "cr\r");                     /* 1e-05 */
	put16(&s, -1);
	ck_assert_int_eq(decode(&s, five, 5, out, sizeof out, &done, err, sizeof err), 0);
	ck_assert_str_eq(out, "2000-01-01,0,0,1,AAPL\n"
	                      "1999-12-31,-1,-1,-0,\"\"\n"
	                      "4714-11-24 BC,-2147483648,-9223372036854775808,NaN,\"a,\"\"b\"\"\"\n"
	                      "1970-01-01,2147483647,9223372036854775807,-Infinity,\"x\ny\"\n"
	                      "-infinity,7,10,5e-324,\n"
	                      "infinity,7,10,1e+15,\\.\n"
	                      "0001-12-31 BC,7,10,1e-05,\"cr\r\"\n");
	ck_assert_int_eq(done, 1);

	/* NULL in every type: nothing between the commas */
	header(&s, 0, 0);
	put16(&s, 5);
	for (int c = 0; c < 5; c++)
		put32(&s, UINT32_MAX);
	put16(&s, -1);
	ck_assert_int_eq(decode(&s, five, 5, out, sizeof out, &done, err, sizeof err), 0);
	ck_assert_str_eq(out, ",,,,\n");
	/* "\." alone in a one-column COPY is quoted (it would end COPY's text data); a NULL is an empty line */
	header(&s, 0, 0);
	put16(&s, 1), put32(&s, 2), memcpy(s.b + s.n, "\\.", 2), s.n += 2;
	put16(&s, 1), put32(&s, UINT32_MAX);
	put16(&s, -1);
	ck_assert_int_eq(decode(&s, one, 1, out, sizeof out, &done, err, sizeof err), 0);
	ck_assert_str_eq(out, "\"\\.\"\n\n");

	/* the header row: names quoted as CSV needs */
	struct pgbin b;
	pgbin_init(&b, five, 5);
	ck_assert_uint_ge(pgbin_header_max(&b), 24);
	out[pgbin_header(&b, out)] = '\0';
	ck_assert_str_eq(out, "d,i,b,\"f,1\",\"t \"\"x\"\"\"\n");
}
END_TEST

START_TEST(test_malformed)
{
	struct sb s;
	char out[4096], err[256];
	int done;

	/* a text COPY's bytes */
	memcpy(s.b, "date,id\n2024-01-02,1\n", 21), s.n = 21;
	ck_assert_int_eq(decode(&s, five, 5, out, sizeof out, &done, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "binary COPY: no PGCOPY signature at the start");
	/* flags: bit 16 says every tuple has an OID */
	header(&s, 1u << 16, 0);
	put16(&s, -1);
	ck_assert_int_eq(decode(&s, five, 5, out, sizeof out, &done, err, sizeof err), EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(err, "flags"));
	/* an extension longer than what follows */
	header(&s, 0, 0);
	s.n -= 4, put32(&s, 1000);
	ck_assert_int_eq(decode(&s, five, 5, out, sizeof out, &done, err, sizeof err), EX_DATAERR);
	/* a field count that is not the columns' */
	header(&s, 0, 0);
	put16(&s, 4);
	ck_assert_int_eq(decode(&s, five, 5, out, sizeof out, &done, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "binary COPY: a tuple of 4 fields, 5 expected");
	/* a field of the wrong length for its type: an int8 where an int4 is expected, a 4-byte float, an
	 * empty date */
	static const struct {
		int col, len;
		const char *msg;
	} wrong[] = {
		{ 1, 8, "binary COPY: field i: 8 bytes for type integer" },
		{ 3, 4, "binary COPY: field f,1: 4 bytes for type double precision" },
		{ 0, 0, "binary COPY: field d: 0 bytes for type date" },
		{ 2, 4, "binary COPY: field b: 4 bytes for type bigint" },
	};
	for (size_t w = 0; w < sizeof wrong / sizeof wrong[0]; w++) {
		static const int len[] = { 4, 4, 8, 8, 1 };
		header(&s, 0, 0);
		put16(&s, 5);
		for (int c = 0; c < 5; c++) {
			int l = c == wrong[w].col ? wrong[w].len : len[c];
			put32(&s, (uint32_t)l);
			memset(s.b + s.n, 0, (size_t)l);
			s.n += (size_t)l;
		}
		put16(&s, -1);
		ck_assert_int_eq(decode(&s, five, 5, out, sizeof out, &done, err, sizeof err), EX_DATAERR);
		ck_assert_str_eq(err, wrong[w].msg);
	}
	/* a length below -1, a length past the message */
	header(&s, 0, 0);
	put16(&s, 5), put32(&s, (uint32_t)-2);
	ck_assert_int_eq(decode(&s, five, 5, out, sizeof out, &done, err, sizeof err), EX_DATAERR);
	header(&s, 0, 0);
	put16(&s, 1), put32(&s, 100), memcpy(s.b + s.n, "abc", 3), s.n += 3;
	ck_assert_int_eq(decode(&s, one, 1, out, sizeof out, &done, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "binary COPY: field t: length 100 past the message");
	/* bytes after the trailer */
	header(&s, 0, 0);
	put16(&s, -1);
	put16(&s, 1), put32(&s, UINT32_MAX);
	ck_assert_int_eq(decode(&s, one, 1, out, sizeof out, &done, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "binary COPY: data after the trailer");
	/* and a whole stream without its trailer: decoded, but not done */
	header(&s, 0, 0);
	put16(&s, 1), put32(&s, 1), s.b[s.n++] = 'a';
	ck_assert_int_eq(decode(&s, one, 1, out, sizeof out, &done, err, sizeof err), 0);
	ck_assert_str_eq(out, "a\n");
	ck_assert_int_eq(done, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pgbin");
	TCase *core = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(core, 60);
	tcase_add_test(core, test_server_fixtures);
	tcase_add_test(core, test_cut_everywhere);
	tcase_add_test(core, test_documented_values);
	tcase_add_test(core, test_malformed);
	suite_add_tcase(s, core);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
