/* Unit tests for lib/market: the seeded random numbers and the generator's day-by-day contract. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "market.h"

START_TEST(test_rng_streams)
{
	mrng a, b, c;

	mrng_seed(&a, 42);
	mrng_seed(&b, 42);
	mrng_seed(&c, 43);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = mrng_next(&a);

		ck_assert_uint_eq(x, mrng_next(&b));
		ck_assert_uint_ne(x, mrng_next(&c));
	}
	mrng_seed(&a, 0); /* seed 0 is a valid stream too (splitmix64 never leaves xoshiro all zero) */
	ck_assert(mrng_next(&a) != 0 || mrng_next(&a) != 0);
}
END_TEST

START_TEST(test_rng_moments)
{
	mrng g;
	double su = 0, sn = 0, sn2 = 0, sn4 = 0, lo = 1, hi = 0;
	int n = 1000000;

	mrng_seed(&g, 7);
	for (int i = 0; i < n; i++) {
		double u = mrng_uniform(&g), z = mrng_normal(&g);

		lo = fmin(lo, u);
		hi = fmax(hi, u);
		su += u;
		sn += z;
		sn2 += z * z;
		sn4 += z * z * z * z;
	}
	ck_assert(lo >= 0 && hi < 1);
	ck_assert_double_eq_tol(su / n, 0.5, 0.002);
	ck_assert_double_eq_tol(sn / n, 0, 0.005);
	ck_assert_double_eq_tol(sn2 / n, 1, 0.01);
	ck_assert_double_eq_tol(sn4 / n, 3, 0.05); /* normal kurtosis */
}
END_TEST

/* Generate `days` days into memory; returns the prices text (caller frees). */
static char *
generate(uint64_t seed, int days, char **universe)
{
	struct market_params p = { .seed = seed, .securities = 30, .universe_size = 10,
		.min_dollar_volume = 1e6, .start = date_from_ymd(2024, 12, 24) };
	char *buf = NULL, *ubuf = NULL;
	size_t len = 0, ulen = 0;
	FILE *fp = open_memstream(&buf, &len), *up = open_memstream(&ubuf, &ulen);
	market *m = market_new(&p);

	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(market_headers(m, fp, up), 0);
	for (int i = 0; i < days; i++)
		ck_assert_int_eq(market_day(m, fp, up), 0);
	/* The last day generated: days - 1 trading days after the start. */
	ck_assert_int_eq(market_date(m), cal_add(date_from_ymd(2024, 12, 24), days - 1));
	market_free(m);
	fclose(fp);
	fclose(up);
	if (universe != NULL)
		*universe = ubuf;
	else
		free(ubuf);
	return buf;
}

START_TEST(test_days_and_determinism)
{
	char *a = generate(5, 3, NULL), *b = generate(5, 3, NULL), *c = generate(6, 3, NULL), *u;
	char *d = generate(5, 3, &u);

	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_str_eq(a, d);
	ck_assert(strncmp(a, "date,id,symbol,open,high,low,close,volume,ret\n", 46) == 0);
	/* 2024-12-24, then Christmas is skipped: 12-26, 12-27. */
	ck_assert_ptr_nonnull(strstr(a, "\n2024-12-24,100001,"));
	ck_assert_ptr_null(strstr(a, "\n2024-12-25,"));
	ck_assert_ptr_nonnull(strstr(a, "\n2024-12-27,100030,"));
	ck_assert(strncmp(u, "date,id,symbol\n2024-12-24,", 26) == 0);
	free(a);
	free(b);
	free(c);
	free(d);
	free(u);
}
END_TEST

START_TEST(test_bad_params)
{
	struct market_params p = { .seed = 1, .securities = 0, .universe_size = 1 };

	ck_assert_ptr_null(market_new(&p));
	p.securities = 1;
	p.universe_size = -1;
	ck_assert_ptr_null(market_new(&p));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("market");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_rng_streams);
	tcase_add_test(core, test_days_and_determinism);
	tcase_add_test(errors, test_bad_params);
	tcase_add_test(limits, test_rng_moments);
	tcase_set_timeout(limits, 60);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
