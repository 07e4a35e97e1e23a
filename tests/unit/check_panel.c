/* Unit tests for lib/panel's reader: a date-major panel in one or several files, its order checks and the
 * join by date. Expectations come from sti-formats(5) ("Prices: date-major: sorted by date, then by id, one
 * row per security and trading day"; columns found by name), from issue 16 ("a panel given as several
 * files in date order read as one"; data/prices/YYYY.csv partitions) and, for the id order, from
 * univ_idcmp, the order prices-merge writes (an independent implementation, compared id by id below). */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "date.h"
#include "panel.h"
#include "universe.h"

#define MAXF 4

/* Files over copies of texts (fmemopen reads the caller's buffer). */
static FILE *fps[MAXF];
static char *bufs[MAXF];
static const char *names[MAXF] = { "a.csv", "b.csv", "c.csv", "d.csv" };
static int nf;
static char err[512];

static void
files(int n, ...)
{
	va_list ap;

	va_start(ap, n);
	nf = n;
	for (int i = 0; i < n; i++) {
		const char *t = va_arg(ap, const char *);

		bufs[i] = strdup(t);
		fps[i] = fmemopen(bufs[i], strlen(t), "r");
	}
	va_end(ap);
}

static void
done(panel *p)
{
	panel_close(p);
	for (int i = 0; i < nf; i++) {
		fclose(fps[i]);
		free(bufs[i]);
	}
	nf = 0;
}

static int
day(const char *s)
{
	int d;

	ck_assert_int_eq(date_parse(s, strlen(s), &d), 0);
	return d;
}

/* Open the files as one panel and read every row; returns panel_next's last result (0 or -1). */
static int
read_all(int flags, long *rows)
{
	static const char *const cols[] = { "ret" };
	panel *p;
	int rc;

	if ((rc = panel_open(&p, fps, names, nf, cols, 1, flags, err, sizeof err)) != 0) {
		done(NULL);
		return -rc;
	}
	while (panel_has(p))
		if ((rc = panel_next(p)) < 0)
			break;
	if (rc < 0)
		snprintf(err, sizeof err, "%s", panel_error(p));
	*rows = panel_rows(p);
	done(p);
	return rc < 0 ? -1 : 0;
}

START_TEST(test_one_file)
{
	static const char *const cols[] = { "ret", "?symbol", "?volume" };
	panel *p;

	files(1, "id,ret,date,symbol\n10,0.1,2024-01-02,AA\n20,,2024-01-02,BB\n10,0.2,2024-01-03,AA\n");
	ck_assert_int_eq(panel_open(&p, fps, names, 1, cols, 3, PANEL_KEYS, err, sizeof err), 0);
	ck_assert(panel_has(p));
	ck_assert_int_eq(panel_col(p, 0), 1);
	ck_assert_int_eq(panel_col(p, 1), 3);
	ck_assert_int_eq(panel_col(p, 2), -1); /* optional and absent */
	ck_assert_int_eq(panel_date(p), day("2024-01-02"));
	ck_assert(panel_newday(p));
	ck_assert_str_eq(panel_id(p), "10");
	ck_assert_uint_eq(panel_idlen(p), 2);
	ck_assert_int_eq(panel_next(p), 1);
	ck_assert(!panel_newday(p));
	ck_assert_str_eq(csv_field(panel_csv(p), panel_col(p, 1)), "BB");
	ck_assert_int_eq(panel_next(p), 1);
	ck_assert(panel_newday(p));
	ck_assert_int_eq(panel_date(p), day("2024-01-03"));
	ck_assert_int_eq(panel_rows(p), 3);
	ck_assert_int_eq(panel_next(p), 0);
	ck_assert(!panel_has(p));
	ck_assert_int_eq(panel_next(p), 0);
	done(p);
}
END_TEST

/* Several files read as one, each with its own header order; an empty file in between is no row. */
START_TEST(test_several_files)
{
	static const char *const cols[] = { "ret" };
	const char *want[] = { "2024-01-02/1/0.1", "2024-01-02/2/0.2", "2024-01-03/1/0.3", "2025-01-02/1/0.4",
		"2025-01-02/2/0.5" };
	panel *p;
	size_t k = 0;

	files(3, "date,id,ret\n2024-01-02,1,0.1\n2024-01-02,2,0.2\n2024-01-03,1,0.3\n", "date,id,ret\n",
	    "ret,symbol,id,date\n0.4,X,1,2025-01-02\n0.5,Y,2,2025-01-02\n");
	ck_assert_int_eq(panel_open(&p, fps, names, 3, cols, 1, PANEL_KEYS, err, sizeof err), 0);
	for (; panel_has(p); panel_next(p), k++) {
		char got[64], d[DATE_LEN + 1];

		ck_assert_uint_lt(k, 5);
		snprintf(got, sizeof got, "%s/%s/%s", date_fmt(panel_date(p), d), panel_id(p),
		    csv_field(panel_csv(p), panel_col(p, 0)));
		ck_assert_str_eq(got, want[k]);
		ck_assert_int_eq(panel_newday(p), k == 0 || k == 2 || k == 3);
	}
	ck_assert_uint_eq(k, 5);
	ck_assert_int_eq(panel_rows(p), 5);
	ck_assert_str_eq(panel_error(p), "");
	done(p);
}
END_TEST

/* Files out of date order: the next file's first date must be after the previous file's last. */
START_TEST(test_file_order)
{
	long rows;

	files(2, "date,id,ret\n2024-12-31,1,0.1\n", "date,id,ret\n2024-12-31,2,0.2\n");
	ck_assert_int_eq(read_all(PANEL_KEYS, &rows), -1);
	ck_assert_str_eq(err, "b.csv:2: date: 2024-12-31 is not after 2024-12-31, the last date of a.csv: "
	    "give the files in date order");
	ck_assert_int_eq(rows, 1);
	files(3, "date,id,ret\n2025-01-02,1,0.1\n", "date,id,ret\n", "date,id,ret\n2024-06-03,1,0.1\n");
	ck_assert_int_eq(read_all(0, &rows), -1);
	ck_assert_str_eq(err, "c.csv:2: date: 2024-06-03 is not after 2025-01-02, the last date of a.csv: "
	    "give the files in date order");
}
END_TEST

struct bad {
	int flags;
	const char *text, *msg;
};
static const struct bad bad[] = {
	{ 0, "date,id,ret\n2024-01-03,1,0\n2024-01-02,1,0\n",
	    "a.csv:3: date: 2024-01-02 is before 2024-01-03: the input must be sorted by date" },
	{ PANEL_KEYS, "date,id,ret\n2024-01-02,7,0\n2024-01-02,7,0\n",
	    "a.csv:3: id: duplicate row for id '7' on 2024-01-02" },
	{ PANEL_KEYS, "date,id,ret\n2024-01-02,20,0\n2024-01-02,10,0\n",
	    "a.csv:3: id: '10' after '20' on 2024-01-02: the input must be sorted by date, then id" },
	/* ids of digits come before the others, whatever their bytes */
	{ PANEL_KEYS, "date,id,ret\n2024-01-02,AAPL,0\n2024-01-02,99,0\n",
	    "a.csv:3: id: '99' after 'AAPL' on 2024-01-02: the input must be sorted by date, then id" },
	{ PANEL_KEYS, "date,id,ret\n2024-01-02,12345679,0\n2024-01-02,12345678,0\n",
	    "a.csv:3: id: '12345678' after '12345679' on 2024-01-02: the input must be sorted by date, then id" },
	{ PANEL_KEYS, "date,id,ret\n2024-01-02,100000000,0\n2024-01-02,99999999,0\n",
	    "a.csv:3: id: '99999999' after '100000000' on 2024-01-02: the input must be sorted by date, then id" },
	{ PANEL_KEYS, "date,id,ret\n2024-01-02,007,0\n2024-01-02,7,0\n2024-01-02,007,0\n",
	    "a.csv:4: id: '007' after '7' on 2024-01-02: the input must be sorted by date, then id" },
	{ PANEL_KEYS, "date,id,ret\n2024-01-02,1:2,0\n2024-01-02,1:2,0\n",
	    "a.csv:3: id: duplicate row for id '1:2' on 2024-01-02" },
	{ 0, "date,id,ret\n2024-01-02,,0\n", "a.csv:2: id: missing" },
	{ 0, "date,id,ret\n,1,0\n", "a.csv:2: date: missing" },
	{ 0, "date,id,ret\n2024-01-02,1,0\n2024-13-02,1,0\n", "a.csv:3: date: '2024-13-02' is not a date (YYYY-MM-DD)" },
	{ 0, "date,id\n2024-01-02,1\n", "a.csv:1: missing column 'ret'" },
	{ 0, "date,ret\n2024-01-02,1\n", "a.csv:1: missing column 'id'" },
};

START_TEST(test_errors)
{
	long rows;

	files(1, bad[_i].text);
	ck_assert_int_ne(read_all(bad[_i].flags, &rows), 0);
	ck_assert_str_eq(err, bad[_i].msg);
}
END_TEST

/* Panel order: numeric ids by value, a duplicate seen at once; without PANEL_KEYS ids may come in any
 * order (a weights file follows the strategy's order) and the same id twice is the caller's business. */
START_TEST(test_id_order)
{
	long rows;

	files(1, "date,id,ret\n2024-01-02,9,0\n2024-01-02,10,0\n2024-01-02,011,0\n2024-01-02,11,0\n"
	    "2024-01-02,12345678,0\n2024-01-02,12345679,0\n2024-01-02,99999999,0\n2024-01-02,100000000,0\n"
	    "2024-01-02,100000001,0\n2024-01-02,A,0\n2024-01-02,B,0\n2024-01-03,1,0\n");
	ck_assert_int_eq(read_all(PANEL_KEYS, &rows), 0);
	ck_assert_int_eq(rows, 12);
	files(1, "date,id,ret\n2024-01-02,B,0\n2024-01-02,A,0\n2024-01-02,A,0\n");
	ck_assert_int_eq(read_all(0, &rows), 0);
	ck_assert_int_eq(rows, 3);
}
END_TEST

/* panel_idcmp orders like univ_idcmp (prices-merge's order) on every pair of a varied set. */
START_TEST(test_idcmp_matches_universe)
{
	static const char *ids[] = { "0", "00", "7", "007", "07", "9", "10", "010", "99", "100", "12345", "123456",
		"A", "AA", "AB", "B", "a", "1A", "A1", "-1", "1.5", " 1", "Z9", "zz", "10001", "10002", "9999" };
	size_t n = sizeof ids / sizeof ids[0];

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int a = panel_idcmp(ids[i], strlen(ids[i]), ids[j], strlen(ids[j])), b = univ_idcmp(ids[i], ids[j]);

			ck_assert_msg((a > 0) - (a < 0) == (b > 0) - (b < 0), "%s vs %s: %d, univ %d", ids[i], ids[j], a, b);
		}
}
END_TEST

/* The join by date: a universe read alongside the prices' days, rows of days without prices skipped. */
START_TEST(test_skip_to)
{
	panel *u;
	int n = 0;

	files(1, "date,id\n2024-01-02,1\n2024-01-02,2\n2024-01-03,3\n2024-01-05,1\n");
	ck_assert_int_eq(panel_open(&u, fps, names, 1, NULL, 0, PANEL_KEYS, err, sizeof err), 0);
	ck_assert_int_eq(panel_skip_to(u, day("2024-01-01")), 0);
	ck_assert_int_eq(panel_date(u), day("2024-01-02"));
	ck_assert_int_eq(panel_skip_to(u, day("2024-01-02")), 1);
	while (panel_has(u) && panel_date(u) == day("2024-01-02")) {
		n++;
		ck_assert_int_ge(panel_next(u), 0);
	}
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(panel_skip_to(u, day("2024-01-04")), 0); /* 01-03 skipped: no prices that day */
	ck_assert_int_eq(panel_date(u), day("2024-01-05"));
	ck_assert_str_eq(panel_id(u), "1");
	ck_assert_int_eq(panel_skip_to(u, day("2024-01-06")), 0);
	ck_assert(!panel_has(u));
	done(u);
}
END_TEST

/* Several files with a stdin-like stream in between: a file whose header lacks a required column is
 * refused at open, before any row is read; an optional one is -1 in that file only. */
START_TEST(test_columns_per_file)
{
	static const char *const req[] = { "ret" }, *const opt[] = { "?symbol" };
	panel *p;

	files(2, "date,id,ret\n2024-01-02,1,0\n", "date,id,close\n2025-01-02,1,5\n");
	ck_assert_int_eq(panel_open(&p, fps, names, 2, req, 1, 0, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "b.csv:1: missing column 'ret'");
	done(NULL);
	files(2, "date,id,symbol\n2024-01-02,1,X\n", "date,id,close\n2025-01-02,1,5\n");
	ck_assert_int_eq(panel_open(&p, fps, names, 2, opt, 1, 0, err, sizeof err), 0);
	ck_assert_int_eq(panel_col(p, 0), 2);
	ck_assert_int_eq(panel_next(p), 1);
	ck_assert_int_eq(panel_col(p, 0), -1);
	ck_assert_str_eq(csv_field(panel_csv(p), panel_col(p, 0)), "");
	done(p);
}
END_TEST

/* What a panel reader makes of files: every row (file, line, date, id, symbol, ret and its status) and the
 * error that ends it. threads: read with lib/csv's read-ahead threads on every file (regular files, blocks
 * of chunk bytes); *threaded counts the rows they gave. */
static char *
panel_transcript(char *const *texts, int n, int threads, size_t chunk, long *threaded)
{
	static const char *const cols[] = { "ret", "?symbol" };
	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen), *f[MAXF];
	panel *p;
	long min0 = csv_par_min;
	size_t chunk0 = csv_par_chunk;
	int rc;

	csv_threads = threads;
	csv_par_min = 0;
	csv_par_chunk = chunk;
	for (int i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(f[i] = tmpfile());
		fputs(texts[i], f[i]);
		rewind(f[i]);
	}
	if ((rc = panel_open(&p, f, names, n, cols, 2, PANEL_KEYS, err, sizeof err)) != 0) {
		fprintf(o, "open error %d %s\n", rc, err);
	} else {
		while (panel_has(p)) {
			csv_reader *r = panel_csv(p);
			double v = 0;
			int k = csv_double(r, panel_col(p, 0), &v);

			*threaded += threads > 1 && csv_par_active(r);
			fprintf(o, "%s:%ld %d %s %s %d:%a", csv_name(r), csv_line(r), panel_date(p), panel_id(p),
			    csv_field(r, panel_col(p, 1)), k, v);
			if (k < 0)
				fprintf(o, " (%s)", csv_error(r));
			fputc('\n', o);
			if (panel_next(p) < 0) {
				fprintf(o, "error %d %s\n", panel_code(p), panel_error(p));
				break;
			}
		}
		panel_close(p);
	}
	for (int i = 0; i < n; i++)
		fclose(f[i]);
	fclose(o);
	csv_threads = -1;
	csv_par_min = min0;
	csv_par_chunk = chunk0;
	return out;
}

/* The panel over lib/csv's read-ahead threads reads what it reads over the serial reader (the reference,
 * tested above against sti-formats(5)): panels of 1 to 3 files, their rows in (date, id) order but for a
 * rare fault (a repeated or decreasing id, a date going back, a return that is not a number, an empty
 * one, a quoted symbol, a short row), read in blocks of 16 to 2,000 bytes, so that faults fall on and
 * across block boundaries and file changes. */
START_TEST(test_threads_match_serial)
{
	uint64_t x = 0x853c49e6748fea9bULL;
	long threaded = 0, rows = 0;

	for (int round = 0; round < 120; round++) {
		char *texts[3], *serial, *par;
		int n, d = day("2020-01-01"), rare;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = 1 + (int)(x % 3);
		rare = round % 3 == 0 ? 0 : 50 + (int)((x >> 8) % 2000); /* 1 row in `rare` is a fault (0: none) */
		for (int i = 0; i < n; i++) {
			size_t cap = 1 << 16, len = 0;
			char *t = malloc(cap);

			len += (size_t)sprintf(t, i % 2 ? "id,date,ret,symbol\n" : "date,id,symbol,ret\n");
			for (int days = 0; days < 8 && len < cap - 4096; days++, d++) {
				char ds[DATE_LEN + 1];

				date_fmt(d, ds);
				for (int id = 1; id < 60; id += 1 + (int)(x % 3)) {
					char ret[32], sym[16];
					int fault;

					x ^= x << 13, x ^= x >> 7, x ^= x << 17;
					fault = rare != 0 && x % (uint64_t)rare == 0 ? (int)((x >> 32) % 7) : -1;
					snprintf(ret, sizeof ret, "%.6f", (double)(int)((x >> 40) % 20001 - 10000) / 1e5);
					snprintf(sym, sizeof sym, "S%d", id);
					if (fault == 0)
						snprintf(ret, sizeof ret, "x%d", id);
					else if (fault == 1)
						ret[0] = '\0';
					else if (fault == 2)
						snprintf(sym, sizeof sym, "\"S,%d\"", id);
					if (fault == 3)
						len += (size_t)sprintf(t + len, "%s,%d\n", ds, id);
					else if (i % 2)
						len += (size_t)sprintf(t + len, "%d,%s,%s,%s\n", fault == 4 ? id - 2 : id,
						    fault == 5 ? "2019-06-01" : ds, ret, sym);
					else
						len += (size_t)sprintf(t + len, "%s,%d,%s,%s\n", fault == 5 ? "2019-06-01" : ds,
						    fault == 4 ? id - 2 : id, sym, ret);
					if (fault == 6)
						len += (size_t)sprintf(t + len, "%s,%d,%s,%s\n", ds, id, sym, ret);
				}
			}
			t[len] = '\0';
			texts[i] = t;
		}
		serial = panel_transcript(texts, n, 1, 0, &threaded);
		par = panel_transcript(texts, n, 2 + round % 2, 16 + (size_t)((x >> 20) % 2000), &threaded);
		ck_assert_msg(strcmp(serial, par) == 0, "round %d: the threads differ:\n%.400s\n--\n%.400s", round,
		    serial, par);
		for (const char *c = serial; *c; c++)
			rows += *c == '\n';
		free(serial);
		free(par);
		for (int i = 0; i < n; i++)
			free(texts[i]);
	}
	ck_assert_msg(threaded > rows / 2, "%ld of %ld rows from the threads", threaded, rows);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("panel");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_one_file);
	tcase_add_test(core, test_several_files);
	tcase_add_test(core, test_id_order);
	tcase_add_test(core, test_idcmp_matches_universe);
	tcase_add_test(core, test_skip_to);
	tcase_add_test(core, test_columns_per_file);
	tcase_add_test(errors, test_file_order);
	tcase_add_loop_test(errors, test_errors, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(errors, test_threads_match_serial);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
