/* Unit tests for lib/book, the portfolio arithmetic lib/backtest and lib/grid share. Expectations are the
 * rules of backtest.h / backtest(1) worked out by hand next to each check (drift w(1+r)/(1+r_p), drops
 * that keep each side's exposure, turnover = sum |target - drifted|), not what the code printed. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "book.h"

#define EPS 1e-15

static int
gone_odd(const void *arg, uint32_t sec)
{
	(void)arg;
	return sec % 2 == 1;
}

START_TEST(test_earn_drifts)
{
	struct book b;
	struct book_pos p[] = { { 0, 0.5 }, { 1, 0.3 } }; /* 20% cash */
	double scratch[2] = { 0, 0 }, gross;

	book_init(&b);
	ck_assert_int_eq(book_set(&b, p, 2, scratch, 0.001), 0);
	/* from cash: turnover 0.5 + 0.3 = 0.8, cost 10 bps of it */
	ck_assert_double_eq_tol(b.turnover, 0.8, EPS);
	ck_assert_double_eq_tol(b.cost, 0.0008, EPS);
	b.r[0] = 0.1;
	b.r[1] = -0.1;
	gross = book_earn(&b);
	/* r_p = 0.5 * 0.1 + 0.3 * -0.1 = 0.02; w0 = 0.5 * 1.1 / 1.02, w1 = 0.3 * 0.9 / 1.02 */
	ck_assert_double_eq_tol(gross, 0.02, EPS);
	ck_assert_double_eq_tol(b.p[0].w, 0.55 / 1.02, EPS);
	ck_assert_double_eq_tol(b.p[1].w, 0.27 / 1.02, EPS);
	/* net = 0.02 - 0.0008; equity 1 * (1 + net); the pending cost is used up */
	ck_assert_double_eq_tol(book_net(&b, gross, NULL, NULL, NULL), 0.0192, EPS);
	ck_assert_double_eq_tol(b.equity, 1.0192, EPS);
	ck_assert_double_eq(b.cost, 0);
	ck_assert_double_eq(b.turnover, 0);
	/* to (0: 0.5, 1: 0) from the drifted book: |0.5 - 0.55/1.02| + |0.27/1.02| */
	ck_assert_int_eq(book_set(&b, p, 1, scratch, 0), 0);
	ck_assert_double_eq_tol(b.turnover, fabs(0.5 - 0.55 / 1.02) + 0.27 / 1.02, EPS);
	ck_assert_double_eq(scratch[0], 0);
	ck_assert_double_eq(scratch[1], 0);
	book_free(&b);
}
END_TEST

START_TEST(test_everything_lost)
{
	struct book b;
	struct book_pos p[] = { { 0, 2.0 } }; /* leveraged: a -50% day loses it all */
	double scratch[1] = { 0 };

	book_init(&b);
	ck_assert_int_eq(book_set(&b, p, 1, scratch, 0), 0);
	b.r[0] = -0.5;
	ck_assert_double_eq_tol(book_earn(&b), -1.0, EPS);
	ck_assert_uint_eq(b.n, 0);
	book_free(&b);
}
END_TEST

START_TEST(test_drop_keeps_each_side)
{
	struct book b;
	/* long 0.4 (sec 0) + 0.2 (sec 1, gone); short -0.3 (sec 2) + -0.1 (sec 3, gone) */
	struct book_pos p[] = { { 0, 0.4 }, { 1, 0.2 }, { 2, -0.3 }, { 3, -0.1 } };
	double scratch[4] = { 0 };

	book_init(&b);
	ck_assert_int_eq(book_set(&b, p, 4, scratch, 0), 0);
	book_drop(&b, gone_odd, NULL);
	/* the long side keeps 0.6: 0.4 * 0.6 / 0.4; the short side keeps -0.4: -0.3 * 0.4 / 0.3 */
	ck_assert_uint_eq(b.n, 2);
	ck_assert_uint_eq(b.p[0].sec, 0);
	ck_assert_double_eq_tol(b.p[0].w, 0.6, EPS);
	ck_assert_uint_eq(b.p[1].sec, 2);
	ck_assert_double_eq_tol(b.p[1].w, -0.4, EPS);
	book_free(&b);
}
END_TEST

START_TEST(test_drop_whole_side_goes_to_cash)
{
	struct book b;
	struct book_pos p[] = { { 1, 0.7 }, { 2, 0.3 } };
	double scratch[3] = { 0 };

	book_init(&b);
	ck_assert_int_eq(book_set(&b, p, 2, scratch, 0), 0);
	b.p[1].sec = 3; /* both odd now: the long side has nothing left */
	book_drop(&b, gone_odd, NULL);
	ck_assert_uint_eq(b.n, 0);
	book_free(&b);
}
END_TEST

START_TEST(test_equal)
{
	struct book_pos p[3];

	book_equal(p, 3);
	for (int j = 0; j < 3; j++)
		ck_assert_double_eq(p[j].w, 1.0 / 3.0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("book");
	TCase *core = tcase_create("Core");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_earn_drifts);
	tcase_add_test(core, test_everything_lost);
	tcase_add_test(core, test_drop_keeps_each_side);
	tcase_add_test(core, test_drop_whole_side_goes_to_cash);
	tcase_add_test(core, test_equal);
	suite_add_tcase(s, core);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
