/* Unit tests for lib/svg: the reduction keeps every extreme; charts draw what they are given. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

#define CAPTURE(text, call)                                   \
	do {                                                      \
		size_t len_;                                          \
		FILE *fp = open_memstream(&(text), &len_);            \
		ck_assert_ptr_nonnull(fp);                            \
		call;                                                 \
		fclose(fp);                                           \
	} while (0)

static const char *const names[] = { "Strategy", "Benchmark" };

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static int
has(const size_t *idx, size_t k, size_t want)
{
	for (size_t i = 0; i < k; i++)
		if (idx[i] == want)
			return 1;
	return 0;
}

START_TEST(test_reduce_keeps_extremes)
{
	enum { N = 100003, B = 577 };
	double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
	size_t *idx = malloc(N * sizeof *idx), k;
	const double *ys[2] = { a, b };
	uint64_t x = 88172645463325252ULL;

	for (size_t i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		a[i] = (double)(x % 100000) / 1000.0;
		b[i] = i % 1000 == 7 ? NAN : (double)((x >> 20) % 1000);
	}
	a[54321] = 1e6; /* one spike and one trough among 100 000 samples */
	b[777] = -5;
	k = svg_reduce(ys, 2, N, B, idx);
	ck_assert_uint_le(k, 6 * B);
	ck_assert_uint_ge(k, 2 * B);
	for (size_t i = 1; i < k; i++)
		ck_assert_uint_lt(idx[i - 1], idx[i]);
	ck_assert(has(idx, k, 54321));
	ck_assert(has(idx, k, 777));
	ck_assert(has(idx, k, 0));
	ck_assert(has(idx, k, N - 1));
	/* Every bucket's own minimum and maximum of each series are kept. */
	for (size_t bk = 0; bk < B; bk++) {
		size_t lo = (size_t)N * bk / B, hi = (size_t)N * (bk + 1) / B, imin = lo, imax = lo;
		for (size_t i = lo; i < hi; i++) {
			if (a[i] < a[imin])
				imin = i;
			if (a[i] > a[imax])
				imax = i;
		}
		ck_assert(has(idx, k, imin));
		ck_assert(has(idx, k, imax));
	}
	free(a);
	free(b);
	free(idx);
}
END_TEST

START_TEST(test_reduce_short_series_unchanged)
{
	double a[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	const double *ys[1] = { a };
	size_t idx[10], k = svg_reduce(ys, 1, 10, 100, idx);

	ck_assert_uint_eq(k, 10);
	for (size_t i = 0; i < 10; i++)
		ck_assert_uint_eq(idx[i], i);
}
END_TEST

START_TEST(test_line_chart)
{
	int days[300];
	double s[300], b[300];
	const double *ys[2] = { s, b };
	svg_chart c = { "c1", "Cum <ret>", 640, 240, SVG_CUM, 0, 0, 0, names, 2, 0, NULL, 0 };
	char *t = NULL;

	for (int i = 0; i < 300; i++) {
		days[i] = 20000 + i;
		s[i] = 1 + i * 0.01;
		b[i] = i == 150 ? NAN : 1 + i * 0.005;
	}
	CAPTURE(t, ck_assert_int_eq(svg_line(fp, &c, days, ys, 300), 0));
	ck_assert_ptr_nonnull(strstr(t, "<figure class=\"chart\" id=\"c1\"><figcaption>Cum &lt;ret&gt;</figcaption>"));
	ck_assert_int_eq(count(t, "<path class=\"ln"), 2);
	/* The gap at the NaN restarts the benchmark's path: two moveto commands. */
	ck_assert_ptr_nonnull(strstr(t, "data-names=\"Strategy|Benchmark\""));
	ck_assert_ptr_nonnull(strstr(t, "data-fmt=\"cum\""));
	char *bench = strstr(t, "<path class=\"ln s1\" d=\"");
	ck_assert_ptr_nonnull(bench);
	ck_assert_int_eq(count(bench, "M") - count(strstr(bench, "\"/>"), "M"), 2);
	/* The last tooltip row is the last sample: day, values. */
	char *p = strstr(t, "data-p=\"");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(strstr(p, ",20299,3.99,"));
	free(t);
}
END_TEST

START_TEST(test_tooltip_numbers)
{
	/* The tooltip rows write each value with 9 significant digits and each coordinate with one decimal,
	 * as printf's %.9g and %.1f would (the expectations are printf's output for these values). */
	int days[5] = { 20000, 20001, 20002, 20003, 20004 };
	double s[5] = { 0.000123456789, -0.5, 1234.56789012, 100, -98765.4321 };
	const double *ys[1] = { s };
	svg_chart c = { "c5", "n", 640, 240, SVG_NUM, 0, 0, 0, names, 1, 0, NULL, 0 };
	char *t = NULL, want[5][32], *p;

	CAPTURE(t, svg_line(fp, &c, days, ys, 5));
	p = strstr(t, "data-p=\"");
	ck_assert_ptr_nonnull(p);
	for (int i = 0; i < 5; i++) {
		snprintf(want[i], sizeof want[i], ",%d,%.9g,", days[i], s[i]);
		ck_assert_msg(strstr(p, want[i]) != NULL, "no %s in %.300s", want[i], p);
	}
	/* Coordinates: x of the first row is the left margin, 62.0; every number has one decimal. */
	ck_assert_ptr_nonnull(strstr(p, "data-p=\"62.0,20000,"));
	free(t);
}
END_TEST

START_TEST(test_boxes)
{
	/* 1..9 and an outlier 100: numpy's linear quartiles of the ten values are 3.25 and 7.75 (median 5.5),
	 * the upper whisker limit 7.75 + 1.5 x 4.5 = 14.5, so the whisker ends at 9 and 100 is a dot. */
	double a[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 100 }, e[1] = { NAN };
	const double *xs[2] = { a, e };
	size_t ns[2] = { 10, 1 };
	const char *const lab[2] = { "A", "<B>" };
	svg_chart c = { "c6", "boxes", 640, 240, SVG_NUM, 0, 0, 0, names, 1, 0, NULL, 0 };
	char *t = NULL;

	CAPTURE(t, ck_assert_int_eq(svg_boxes(fp, &c, lab, xs, ns, 2), 0));
	ck_assert_ptr_nonnull(strstr(t, "data-v=\"5.5\""));
	ck_assert_ptr_nonnull(strstr(t, "<title>A: median 550.00%, quartiles 325.00% to 775.00%, whiskers 100.00% to "
	    "900.00%, 10 periods</title>"));
	ck_assert_int_eq(count(t, "<circle class=\"ol\""), 1);
	ck_assert_int_eq(count(t, "<rect "), 1); /* the empty category draws no box, only its (escaped) label */
	ck_assert_ptr_nonnull(strstr(t, ">&lt;B&gt;</text>"));
	free(t);
}
END_TEST

START_TEST(test_log_scale_skips_non_positive)
{
	int days[4] = { 1, 2, 3, 4 };
	double s[4] = { 1, -1, 0, 10 };
	const double *ys[1] = { s };
	svg_chart c = { "c2", "log", 640, 240, SVG_CUM, 1, 0, 0, names, 1, 0, NULL, 0 };
	char *t = NULL;

	CAPTURE(t, ck_assert_int_eq(svg_line(fp, &c, days, ys, 4), 0));
	ck_assert_ptr_null(strstr(t, "nan"));
	ck_assert_ptr_null(strstr(t, "inf"));
	ck_assert_ptr_nonnull(strstr(t, ">900%<")); /* wealth 10 = +900% */
	free(t);
}
END_TEST

START_TEST(test_empty_inputs)
{
	int days[1] = { 1 };
	double s[1] = { NAN };
	const double *ys[1] = { s };
	const char *const lab[1] = { "x" };
	svg_chart c = { "c3", "t", 640, 240, SVG_PCT, 0, 0, 0, names, 1, 0, NULL, 0 };
	size_t ns[1] = { 1 };
	char *t = NULL;

	CAPTURE(t, svg_line(fp, &c, days, ys, 1));
	ck_assert_ptr_nonnull(strstr(t, "not enough data"));
	free(t);
	CAPTURE(t, svg_bars(fp, &c, lab, ys, 0));
	ck_assert_ptr_nonnull(strstr(t, "no data"));
	free(t);
	CAPTURE(t, svg_hist(fp, &c, ys, ns, 20));
	ck_assert_ptr_nonnull(strstr(t, "not enough data"));
	free(t);
	CAPTURE(t, svg_heatmap(fp, &c, lab, 1, lab, 1, s, NULL, NULL));
	ck_assert_ptr_nonnull(strstr(t, "class=\"fe\""));
	free(t);
}
END_TEST

START_TEST(test_bars_heatmap_hist)
{
	const char *const lab[3] = { "2020", "2021", "<22>" };
	double s[3] = { 0.1, -0.2, 0.05 }, b[3] = { 0.05, NAN, 0.02 }, v[4] = { 1, -1, 0.5, NAN };
	const double *ys[2] = { s, b };
	svg_chart c = { "c4", "bars", 640, 240, SVG_PCT, 0, 0, 0, names, 2, 0, NULL, 0 };
	char *t = NULL;

	CAPTURE(t, svg_bars(fp, &c, lab, ys, 3));
	ck_assert_int_eq(count(t, "<rect "), 5); /* the NaN draws no bar */
	ck_assert_ptr_nonnull(strstr(t, "data-v=\"-0.2\""));
	ck_assert_ptr_nonnull(strstr(t, "<title>2021 \xc2\xb7 Strategy: \xe2\x88\x92" "20.00%</title>"));
	ck_assert_ptr_nonnull(strstr(t, ">&lt;22&gt;</text>")); /* labels come from input files: escaped */
	ck_assert_ptr_null(strstr(t, "<22>"));
	free(t);
	CAPTURE(t, svg_heatmap(fp, &c, lab, 2, lab, 2, v, "lookback", "skip"));
	ck_assert_int_eq(count(t, "data-v="), 3);
	ck_assert_ptr_nonnull(strstr(t, "class=\"fn\""));
	ck_assert_ptr_nonnull(strstr(t, "<title>lookback 2021, skip 2020: 50.00%</title>"));
	free(t);
	double r[1000];
	for (int i = 0; i < 1000; i++)
		r[i] = (i % 100 - 50) / 1000.0;
	const double *xs[1] = { r };
	size_t ns[1] = { 1000 };
	c.nser = 1;
	CAPTURE(t, svg_hist(fp, &c, xs, ns, 10));
	ck_assert_int_eq(count(t, "<rect "), 10);
	ck_assert_ptr_nonnull(strstr(t, "data-v=\"0.1\"")); /* a uniform sample: a tenth in each bin */
	free(t);
	/* Outliers fall in the end bins, which must not read as ordinary ranges. A 30% day and a -40% day
	 * replace a -5% and a -4.9% day: the sorted sample's 0.5th percentile (index 4) is -5%, its 99.5th
	 * (index 995) 4.9%, so the bins are 0.99% wide. The first, "below -4.01%", holds the -40% day and the
	 * 98 days of -5% to -4.1% (9.9%); the last, "3.91% or more", the 100 days of 4% to 4.9% and the 30% day
	 * (10.1%). */
	r[0] = 0.3;
	r[1] = -0.4;
	CAPTURE(t, svg_hist(fp, &c, xs, ns, 10));
	ck_assert_ptr_nonnull(strstr(t, "<title>Strategy, below \xe2\x88\x92" "4.01%: 9.9% of days</title>"));
	ck_assert_ptr_nonnull(strstr(t, "<title>Strategy, 3.91% or more: 10.1% of days</title>"));
	ck_assert_ptr_nonnull(strstr(t, "<title>Strategy, \xe2\x88\x92" "4.01% to \xe2\x88\x92" "3.02%: "));
	free(t);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("svg");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_line_chart);
	tcase_add_test(core, test_bars_heatmap_hist);
	tcase_add_test(core, test_tooltip_numbers);
	tcase_add_test(core, test_boxes);
	tcase_add_test(core, test_reduce_short_series_unchanged);
	tcase_add_test(errors, test_empty_inputs);
	tcase_add_test(errors, test_log_scale_skips_non_positive);
	tcase_add_test(limits, test_reduce_keeps_extremes);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
