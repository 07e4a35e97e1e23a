/* Unit tests for lib/csv: RFC 4180 reading, errors with file:line:field, limits, and the writer. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "csv.h"

/* A reader over a copy of text (fmemopen reads the caller's buffer). */
static FILE *memfp;
static char *membuf;

static csv_reader *
R(const char *text, size_t len)
{
	membuf = malloc(len + 1);
	memcpy(membuf, text, len);
	memfp = fmemopen(membuf, len ? len : 1, "r");
	if (len == 0) /* fmemopen cannot open a 0-byte buffer: read past the one byte */
		fgetc(memfp);
	return csv_open(memfp, "t.csv");
}

static csv_reader *
RS(const char *text)
{
	return R(text, strlen(text));
}

static void
done(csv_reader *r)
{
	csv_close(r);
	fclose(memfp);
	free(membuf);
}

START_TEST(test_basic)
{
	csv_reader *r = RS("date,id,close\n2024-01-02,10001,101.25\n2024-01-02,10002,\n");
	double v;
	int d;

	ck_assert_int_eq(csv_read_header(r), 0);
	ck_assert_int_eq(csv_ncols(r), 3);
	ck_assert_int_eq(csv_col(r, "close"), 2);
	ck_assert_int_eq(csv_col(r, "volume"), -1);
	ck_assert_int_eq(csv_next(r), 1);
	ck_assert_int_eq(csv_line(r), 2);
	ck_assert_str_eq(csv_field(r, 1), "10001");
	ck_assert_int_eq(csv_double(r, 2, &v), 1);
	ck_assert(v == 101.25);
	ck_assert_int_eq(csv_date(r, 0, &d), 1);
	ck_assert_int_eq(csv_next(r), 1);
	ck_assert_int_eq(csv_double(r, 2, &v), 0); /* empty: missing */
	ck_assert_int_eq(csv_next(r), 0);
	ck_assert_int_eq(csv_next(r), 0);
	done(r);
}
END_TEST

START_TEST(test_quotes_crlf_bom_blank)
{
	csv_reader *r = RS("\xef\xbb\xbf" "a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n\r\n\"multi\nline\",\"\"\n3,4");

	ck_assert_int_eq(csv_read_header(r), 0);
	ck_assert_int_eq(csv_col(r, "a"), 0); /* the BOM is not part of the name */
	ck_assert_int_eq(csv_next(r), 1);
	ck_assert_str_eq(csv_field(r, 0), "x,1");
	ck_assert_str_eq(csv_field(r, 1), "say \"hi\"");
	ck_assert_uint_eq(csv_len(r, 1), 8);
	ck_assert_int_eq(csv_next(r), 1); /* the blank line is skipped */
	ck_assert_int_eq(csv_line(r), 4);
	ck_assert_str_eq(csv_field(r, 0), "multi\nline");
	ck_assert_str_eq(csv_field(r, 1), "");
	ck_assert_int_eq(csv_next(r), 1); /* no final newline */
	ck_assert_int_eq(csv_line(r), 6);
	ck_assert_str_eq(csv_field(r, 1), "4");
	ck_assert_int_eq(csv_next(r), 0);
	done(r);
}
END_TEST

/* Each malformed input gives one clear message with the file and line. */
static const struct {
	const char *input;
	const char *col;    /* column to read as a number after the record, or NULL */
	const char *error;
} bad[] = {
	{ "a,b\n1,\"open\n2,3\n", NULL, "t.csv:2: unterminated quoted field" },
	{ "a,b\n1,2\n1,2,3\n", NULL, "t.csv:3: expected 2 fields as in the header, found 3" },
	{ "a,b\n1,2\n1\n", NULL, "t.csv:3: expected 2 fields as in the header, found 1" },
	{ "a,b\n1,1.2.3\n", "b", "t.csv:2: b: '1.2.3' is not a number" },
	{ "a,b\n1,\"x\"y\n", NULL, "t.csv:2: b: unexpected character after a closing quote" },
	{ "a,b\n1,caf\xe9\n", NULL, "t.csv:2: b: invalid UTF-8 (byte 0xe9)" },
	{ "a,b\n1,\xc0\xaf\n", NULL, "t.csv:2: b: invalid UTF-8 (byte 0xc0)" },
	{ "a,,c\n", NULL, "t.csv:1: header: column 2 has no name" },
	{ "a,b,a\n", NULL, "t.csv:1: header: duplicate column 'a'" },
	{ "", NULL, "t.csv:1: empty input: expected a header line" },
	{ "\n\n", NULL, "t.csv:1: empty input: expected a header line" },
};

START_TEST(test_errors)
{
	csv_reader *r = R(bad[_i].input, strlen(bad[_i].input));
	int rc = csv_read_header(r);
	double v;

	while (rc == 0) {
		rc = csv_next(r);
		if (rc == 1 && bad[_i].col != NULL && csv_double(r, csv_col(r, bad[_i].col), &v) < 0)
			rc = -1;
		rc = rc == 1 ? 0 : rc;
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(csv_error(r), bad[_i].error);
	done(r);
}
END_TEST

/* A NUL is not text (a file cut short by a crash often ends in NULs): an error naming the line and field,
 * on the fast path (long records), the general one (short ones), in quotes, and in the header. */
START_TEST(test_nul_bytes)
{
	static const struct {
		const char *text;
		size_t len;
		const char *msg;
	} cases[] = {
#define TEXT(s) s, sizeof s - 1
		{ TEXT("a,b\n1,x\0y\n"), "t.csv:2: b: NUL byte: not text (a file cut short?)" },
		{ TEXT("a,b\n1,\"x\0y\"\n"), "t.csv:2: b: NUL byte: not text (a file cut short?)" },
		{ TEXT("a\0,b\n1,2\n"), "t.csv:1: NUL byte: not text (a file cut short?)" },
		{ TEXT("a,b\n1,2\n3,4\n0123456789,0123456789\0\n0123456789012345678901234567890123456789,"
		       "0123456789012345678901234567890123456789\n"),
		    "t.csv:4: b: NUL byte: not text (a file cut short?)" },
#undef TEXT
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int fast = 0; fast <= 1; fast++) {
			csv_reader *r;
			int rc;

			csv_fast_path = fast;
			r = R(cases[i].text, cases[i].len);
			rc = csv_read_header(r);
			while (rc == 0 && (rc = csv_next(r)) == 1)
				rc = 0;
			ck_assert_int_eq(rc, -1);
			ck_assert_str_eq(csv_error(r), cases[i].msg);
			done(r);
		}
	}
	csv_fast_path = 1;
}
END_TEST

START_TEST(test_missing_column)
{
	csv_reader *r = RS("date,id\n");

	ck_assert_int_eq(csv_read_header(r), 0);
	ck_assert_int_eq(csv_require(r, "close"), -1);
	ck_assert_str_eq(csv_error(r), "t.csv:1: missing column 'close'");
	done(r);
}
END_TEST

/* A 1 MB field: no line-length limit, and a bad value is quoted in the message in short. */
/* head, then n bytes c, then tail (malloc'd) */
static char *
with_run(const char *head, char c, size_t n, const char *tail)
{
	size_t h = strlen(head);
	char *text = malloc(h + n + strlen(tail) + 1);

	ck_assert_ptr_nonnull(text);
	memcpy(text, head, h);
	memset(text + h, c, n);
	strcpy(text + h + n, tail);
	return text;
}

START_TEST(test_long_line)
{
	size_t n = 1 << 20;
	char *text = with_run("id,close\n7,", '9', n, "x\n8,1\n");
	csv_reader *r;
	double v;

	r = R(text, strlen(text));
	ck_assert_int_eq(csv_read_header(r), 0);
	ck_assert_int_eq(csv_next(r), 1);
	ck_assert_uint_eq(csv_len(r, 1), n + 1);
	ck_assert_int_eq(csv_double(r, 1, &v), -1);
	ck_assert_str_eq(csv_error(r), "t.csv:2: close: '9999999999999999999999999999999999999999...' is not a number");
	ck_assert_int_eq(csv_next(r), 1);
	ck_assert_str_eq(csv_field(r, 0), "8");
	ck_assert_int_eq(csv_line(r), 3);
	done(r);
	free(text);
}
END_TEST

/* A record longer than the reader's largest buffer (1 GiB; made 1 MiB here) is a data error at its line,
 * not a truncated offset: csv.h's fields are 32-bit. sysexits.h: EX_DATAERR, "the input data was incorrect". */
START_TEST(test_record_too_long)
{
	size_t max0 = csv_max_buffer;
	char *text = with_run("id,close\n7,1\n8,", '9', 3u << 20, "\n9,1\n");
	csv_reader *r;

	csv_max_buffer = 1u << 20;
	r = R(text, strlen(text));
	ck_assert_int_eq(csv_read_header(r), 0);
	ck_assert_int_eq(csv_next(r), 1);
	ck_assert_int_eq(csv_next(r), -1);
	ck_assert_str_eq(csv_error(r), "t.csv:3: a record longer than 1 MiB");
	ck_assert_int_eq(csv_code(r), EX_DATAERR);
	done(r);
	free(text);
	csv_max_buffer = max0;
}
END_TEST

/* Records of every length straddle the reader's buffer refills; all must come back intact. */
START_TEST(test_buffer_boundaries)
{
	size_t cap = 6u << 20, len = 0;
	char *text = malloc(cap);
	int nrec = 0;
	csv_reader *r;

	len += (size_t)sprintf(text, "k,v\n");
	for (int i = 0; len < cap - 4096; i++, nrec++) {
		int w = (i * 7919) % 997;
		len += (size_t)sprintf(text + len, "%d,", i);
		if (i % 3 == 0) {
			text[len++] = '"';
			for (int j = 0; j < w; j++)
				text[len++] = j % 50 == 0 ? '\n' : j % 17 == 0 ? ',' : 'a';
			text[len++] = '"';
		} else {
			memset(text + len, 'b', (size_t)w);
			len += (size_t)w;
		}
		text[len++] = '\n';
	}
	r = R(text, len);
	ck_assert_int_eq(csv_read_header(r), 0);
	for (int i = 0; i < nrec; i++) {
		int w = (i * 7919) % 997;

		ck_assert_int_eq(csv_next(r), 1);
		ck_assert_int_eq(atoi(csv_field(r, 0)), i);
		ck_assert_uint_eq(csv_len(r, 1), (size_t)w);
	}
	ck_assert_int_eq(csv_next(r), 0);
	done(r);
	free(text);
}
END_TEST

/* A reader over a regular file holding text (the read-ahead threads read only regular files). */
static csv_reader *
RF(const char *text, size_t len)
{
	membuf = NULL;
	memfp = tmpfile();
	ck_assert_ptr_nonnull(memfp);
	ck_assert_uint_eq(fwrite(text, 1, len, memfp), len);
	rewind(memfp);
	return csv_open(memfp, "t.csv");
}

enum { GENERAL, FAST, THREADS };

/* Everything a reader makes of text, as one string: each record's line and fields (with their NULs
 * checked), each typed value with its error, and each error of csv_next, reading on after errors (up to
 * 40) as a caller that reports them all would. mode: the general scanner, the fast path, or the
 * read-ahead threads (at every size; *threaded counts the records they gave). */
static char *
transcript(const char *text, size_t len, int mode, long *threaded)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen);
	csv_reader *r;
	int rc, nerr = 0, threads0 = csv_threads;

	csv_fast_path = mode != GENERAL;
	csv_threads = mode == THREADS ? csv_threads : 0;
	r = mode == THREADS ? RF(text, len) : R(text, len);
	if (csv_read_header(r) == 0) {
		while ((rc = csv_next(r)) != 0 && nerr < 40) {
			if (rc < 0) {
				fprintf(o, "error %s\n", csv_error(r));
				nerr++;
				continue;
			}
			if (threaded != NULL)
				*threaded += csv_par_active(r);
			fprintf(o, "%ld:%d", csv_line(r), csv_nfields(r));
			for (int c = 0; c < csv_nfields(r); c++) {
				double v = 0;
				int d = 0, k;

				ck_assert_int_eq(csv_field(r, c)[csv_len(r, c)], '\0');
				k = csv_double(r, c, &v);
				fprintf(o, "|%s:%d:%a", csv_field(r, c), k, k == 1 ? v : 0.0);
				if (k < 0)
					fprintf(o, "(%s)", csv_error(r));
				k = csv_date(r, c, &d);
				fprintf(o, ":%d:%d", k, k == 1 ? d : 0);
			}
			fputc('\n', o);
		}
	} else {
		fprintf(o, "header error %s\n", csv_error(r));
	}
	done(r);
	csv_fast_path = 1;
	csv_threads = threads0; /* the caller's setting (THREADS: the helpers it asked for) */
	fclose(o);
	return out;
}

/* The fast path (64-byte blocks, fields off bit masks) and the general scanner must agree on every input:
 * random documents of short fields, numbers, dates, quotes, CRs, blank lines, UTF-8 good and bad, with
 * records that straddle blocks and buffer refills. */
START_TEST(test_fast_path_matches_general)
{
	static const char *const pieces[] = { "1", "22.5", "-0.008427", "2024-01-02", "abc", "", "\"q,\"\"x\"",
		"\r", "\n", "\n\n", "\xc3\xa9", "\xff", "1234567890123456789012345678901234567890", ",", ",", ",",
		"\n", "\n", "\"", "a b", "\r\n" };
	uint64_t x = 0x2545f4914f6cdd1dULL;
	char doc[1 << 17];

	for (int round = 0; round < 400; round++) {
		size_t len = 0, target;
		int ncols;
		char *fast, *slow;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		ncols = 1 + (int)(x % 9);
		target = (size_t)(x >> 8) % (round % 10 == 0 ? sizeof doc - 64 : 4000);
		for (int c = 0; c < ncols; c++)
			len += (size_t)sprintf(doc + len, c ? ",c%d" : "c%d", c);
		doc[len++] = '\n';
		while (len < target) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (x % 16 != 0) { /* mostly well-formed records */
				for (int c = 0; c < ncols; c++) {
					const char *piece = pieces[(x >> (c + 3)) % 6];

					len += (size_t)sprintf(doc + len, c ? ",%s" : "%s", piece);
				}
				doc[len++] = '\n';
			} else {
				const char *piece = pieces[(x >> 8) % (sizeof pieces / sizeof pieces[0])];

				memcpy(doc + len, piece, strlen(piece));
				len += strlen(piece);
			}
		}
		fast = transcript(doc, len, FAST, NULL);
		slow = transcript(doc, len, GENERAL, NULL);
		ck_assert_msg(strcmp(fast, slow) == 0, "round %d: the fast path differs:\n%.300s\n--\n%.300s",
		    round, fast, slow);
		free(fast);
		free(slow);
	}
}
END_TEST

/* The read-ahead threads must give what the serial reader gives, record for record and error for error
 * (the serial reader is the reference: it is checked against RFC 4180 above): documents of mostly
 * well-formed numeric records, with here and there a quote, a CR, a blank line, invalid UTF-8 or a NUL, a
 * record of the wrong width (a record one field short, alone or followed by one a field long, which
 * together have as many separators as two good ones), a field that is not a number, an empty one, and no
 * final newline, read in blocks of 1 to 400 bytes by 1 to 3 helpers and the caller, so that every kind of
 * record and error falls on and across block boundaries, with each way of converting numbers
 * (csv_convert_way). Most records must come from the threads (else the test proves nothing). */
START_TEST(test_threads_match_serial)
{
	static const char *const odd[] = { "\"q,\"\"x\"", "\r\n", "\n", "\n\n", "\xc3\xa9", "\xff", "abc", "",
		",", "1,2", "\r", "\"", "1e5", "-0", ".5", "SHORT", "SHORT+LONG" };
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	size_t cap = 1 << 16;
	char *doc = malloc(cap);
	long threaded = 0, total = 0, min0 = csv_par_min;
	size_t chunk0 = csv_par_chunk;

	csv_par_min = 0;
	for (int round = 0; round < 300; round++) {
		size_t len = 0, target;
		int ncols, rare;
		char *serial, *par;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		ncols = 1 + (int)(x % 9);
		target = 200 + (size_t)(x >> 8) % (cap - 400);
		rare = round % 4 == 0 ? 0 : 20 + (int)((x >> 20) % 400); /* 1 record in `rare` is odd (0: none) */
		for (int c = 0; c < ncols; c++)
			len += (size_t)sprintf(doc + len, c ? ",c%d" : "c%d", c);
		doc[len++] = '\n';
		while (len < target) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			if (rare == 0 || x % (uint64_t)rare != 0) {
				for (int c = 0; c < ncols; c++) {
					x ^= x << 13, x ^= x >> 7, x ^= x << 17;
					len += (size_t)sprintf(doc + len, c ? ",%.*f" : "%.*f", (int)(x % 7),
					    (double)(int64_t)(x >> 40) / 997.0 - 8000.0);
				}
				doc[len++] = '\n';
			} else {
				const char *piece = odd[(x >> 8) % (sizeof odd / sizeof odd[0])];

				if (strncmp(piece, "SHORT", 5) == 0) { /* a record a field short, then maybe one a field long */
					int n = piece[5] != '\0' ? 2 * ncols : ncols - 1;

					for (int c = 0; c < n; c++)
						len += (size_t)sprintf(doc + len, "%s%d",
						    c == 0 ? "" : c == ncols - 1 ? "\n" : ",", c);
					doc[len++] = '\n';
					continue;
				}
				memcpy(doc + len, piece, strlen(piece));
				len += strlen(piece);
			}
		}
		if (round % 3 == 0 && doc[len - 1] == '\n')
			len--; /* no final newline */
		csv_par_chunk = 1 + (size_t)((x >> 30) % 400);
		csv_threads = 2 + round % 3; /* 1 to 3 helpers, and the caller */
		csv_convert_way = round / 3 % 3; /* every way of converting numbers that this CPU has */
		serial = transcript(doc, len, FAST, NULL);
		par = transcript(doc, len, THREADS, &threaded);
		ck_assert_msg(strcmp(serial, par) == 0, "round %d (chunk %zu): the threads differ:\n%.400s\n--\n%.400s",
		    round, csv_par_chunk, serial, par);
		for (const char *c = serial; *c; c++)
			total += *c == '\n';
		free(serial);
		free(par);
	}
	csv_par_min = min0;
	csv_par_chunk = chunk0;
	csv_convert_way = -1;
	free(doc);
	ck_assert_msg(threaded > total / 2, "%ld of %ld records from the threads", threaded, total);
}
END_TEST

/* A read that fails while the threads read ahead (the file's descriptor made a directory's: read(2) fails
 * with EISDIR, as test_code relies on): the records read before it come in order, with their lines, then
 * the serial reader's "read error" at the line after the last of them, with csv_code EX_IOERR (sysexits.h:
 * "an error occurred while doing I/O"). */
START_TEST(test_threads_read_error)
{
	char path[] = "/tmp/check_csv.XXXXXX", want[128];
	int fd = mkstemp(path), dir = open("/", O_RDONLY | O_DIRECTORY), i, rc;
	long min0 = csv_par_min;
	size_t chunk0 = csv_par_chunk;
	FILE *fp;
	csv_reader *r;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(dir, 0);
	ck_assert_int_eq(write(fd, "k,v\n", 4), 4);
	for (i = 0; i < 30000; i++) { /* more than the serial reader reads with the header */
		char line[32];
		int n = snprintf(line, sizeof line, "%d,%d\n", i, 2 * i);

		ck_assert_int_eq(write(fd, line, (size_t)n), n);
	}
	close(fd);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	unlink(path);
	setvbuf(fp, NULL, _IONBF, 0); /* each fread a read(2) */
	csv_threads = 2;
	csv_par_min = 0;
	csv_par_chunk = 64;
	r = csv_open(fp, "t.csv");
	ck_assert_int_eq(csv_read_header(r), 0);
	for (i = 0; (rc = csv_next(r)) == 1; i++) {
		ck_assert_int_eq(atoi(csv_field(r, 0)), i);
		ck_assert_int_eq(atoi(csv_field(r, 1)), 2 * i);
		ck_assert_int_eq(csv_line(r), i + 2);
		if (i == 10) {
			ck_assert(csv_par_active(r));
			ck_assert_int_ge(dup2(dir, fileno(fp)), 0);
		}
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_int_lt(i, 30000);
	snprintf(want, sizeof want, "t.csv:%d: read error: %s", i + 2, strerror(EISDIR));
	ck_assert_str_eq(csv_error(r), want);
	ck_assert_int_eq(csv_code(r), EX_IOERR);
	csv_close(r);
	fclose(fp);
	close(dir);
	csv_threads = -1;
	csv_par_min = min0;
	csv_par_chunk = chunk0;
}
END_TEST

START_TEST(test_writer)
{
	char *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&out, &n);
	csv_writer w;

	csv_w_init(&w, fp);
	csv_w_header(&w, "date,id,close,note");
	csv_w_date(&w, 19725);
	csv_w_str(&w, "10001");
	csv_w_num(&w, 101.2);
	csv_w_str(&w, "a,\"b\"");
	csv_w_end(&w);
	csv_w_date(&w, 19726);
	csv_w_int(&w, 7);
	csv_w_num(&w, 0.0 / 0.0);
	csv_w_str(&w, " lead");
	csv_w_end(&w);
	fclose(fp);
	ck_assert_str_eq(out, "date,id,close,note\n2024-01-03,10001,101.2,\"a,\"\"b\"\"\"\n2024-01-04,7,,\" lead\"\n");
	free(out);
}
END_TEST

/* Issue 14, item 9: the duplicate-column check compared every pair: a header of 100,000 columns took 30 s
 * (85 s on a loaded machine). It runs here under a 5 s timeout (its own TCase) and must still name the
 * duplicate, wherever it is. */
START_TEST(test_wide_header)
{
	size_t n = 100000, len = 0, cap = n * 8 + 64;
	char *text = malloc(cap);
	csv_reader *r;

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%sc%zu", i ? "," : "", i);
	len += (size_t)snprintf(text + len, cap - len, "\n");
	r = R(text, len);
	ck_assert_int_eq(csv_read_header(r), 0);
	ck_assert_int_eq(csv_ncols(r), (int)n);
	ck_assert_int_eq(csv_col(r, "c99999"), 99999);
	done(r);
	len--; /* the same with a repeat of c77 at the end */
	len += (size_t)snprintf(text + len, cap - len, ",c77\n");
	r = R(text, len);
	ck_assert_int_eq(csv_read_header(r), -1);
	ck_assert_str_eq(csv_error(r), "t.csv:1: header: duplicate column 'c77'");
	done(r);
	free(text);
}
END_TEST

/* csv_code: what failed, as sysexits.h defines the codes: EX_IOERR "an error occurred while doing I/O on
 * some file" (a directory opens, and its read fails with EISDIR: read(2)), EX_DATAERR "the input data was
 * incorrect in some way". */
START_TEST(test_code)
{
	FILE *fp = fopen("/", "r");
	csv_reader *r;

	ck_assert_ptr_nonnull(fp);
	ck_assert_ptr_nonnull(r = csv_open(fp, "dir"));
	ck_assert_int_eq(csv_read_header(r), -1);
	ck_assert_int_eq(csv_code(r), EX_IOERR);
	ck_assert_ptr_nonnull(strstr(csv_error(r), "read error"));
	csv_close(r);
	fclose(fp);

	r = RS("a,b\n1\n");
	ck_assert_int_eq(csv_read_header(r), 0);
	ck_assert_int_eq(csv_next(r), -1);
	ck_assert_int_eq(csv_code(r), EX_DATAERR);
	csv_close(r);
	fclose(memfp);
	free(membuf);
}
END_TEST

/* csv_row_ret: a data error is placed at the row ("file:line: col: msg", the suite's format, STYLE.md),
 * anything else passes unchanged with its code (lib/err.h). */
START_TEST(test_row_ret)
{
	csv_reader *r = RS("id,ret\nA,0.1\nB,0.2\n");
	char err[128];

	ck_assert_int_eq(csv_read_header(r), 0);
	ck_assert_int_eq(csv_next(r), 1);
	ck_assert_int_eq(csv_next(r), 1);
	ck_assert_int_eq(csv_row_ret(r, 0, EX_DATAERR, "duplicate row for id 'B'", err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "t.csv:3: id: duplicate row for id 'B'");
	ck_assert_str_eq(csv_error(r), err);
	ck_assert_int_eq(csv_row_ret(r, 1, EX_OSERR, "out of memory", err, sizeof err), EX_OSERR);
	ck_assert_str_eq(err, "out of memory");
	done(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("csv");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_basic);
	tcase_add_test(core, test_quotes_crlf_bom_blank);
	tcase_add_test(core, test_writer);
	tcase_add_loop_test(errors, test_errors, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(errors, test_missing_column);
	tcase_add_test(errors, test_code);
	tcase_add_test(errors, test_threads_read_error);
	tcase_add_test(errors, test_row_ret);
	tcase_add_test(errors, test_nul_bytes);
	tcase_add_test(limits, test_long_line);
	tcase_add_test(limits, test_record_too_long);
	tcase_add_test(limits, test_buffer_boundaries);
	tcase_add_test(limits, test_fast_path_matches_general);
	tcase_add_test(limits, test_threads_match_serial);
	tcase_set_timeout(limits, 60);
	TCase *wide = tcase_create("Wide");
	tcase_add_test(wide, test_wide_header);
	tcase_set_timeout(wide, 5);
	suite_add_tcase(s, wide);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
