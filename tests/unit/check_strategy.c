/* Unit tests for lib/strategy and lib/config: numpy-exact numerics and hand-computed portfolios.
 *
 * The scenarios use lookback 2 and skip 1, so mom(t) = TRI(t-1) / TRI(t-3) - 1 = (1 + r[t-2])(1 + r[t-1]) - 1
 * and the first signal is on the fourth panel day (p = 3). With five securities and select = 90 the
 * threshold lies between the two largest z-scores (index 0.9 * 4 = 3.6), so only the top one is selected
 * unless the top two tie. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sysexits.h>

#include "config.h"
#include "date.h"
#include "strategy.h"

static struct strategy_config
small(void)
{
	struct strategy_config c;

	config_defaults(&c);
	c.lookback = 2;
	c.skip = 1;
	c.rebalance_every = 1;
	return c;
}

/* Feed one day: rows "A:0.01 B: C:0.03" ("B:" is a row with an empty ret; absent ids have no row), then
 * end it. Returns strat_day_end()'s answer. */
static int
day(strat *s, int date, const char *rows, int next)
{
	char buf[256], err[128], *tok, *save = NULL;

	ck_assert_int_eq(strat_day_begin(s, date, err, sizeof err), 0);
	snprintf(buf, sizeof buf, "%s", rows);
	for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(tok, ':');

		ck_assert_ptr_nonnull(colon);
		ck_assert_int_eq(strat_price(s, tok, (size_t)(colon - tok), tok, (size_t)(colon - tok),
		    colon[1] != '\0', colon[1] ? strtod(colon + 1, NULL) : 0, err, sizeof err), 0);
	}
	return strat_day_end(s, next);
}

/* The portfolio as "A=0.5 B=0.5" (12 significant digits). */
static const char *
got(strat *s)
{
	static char out[512];
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < strat_nweights(s); i++) {
		const char *id, *sym;
		double w;

		strat_weight(s, i, &id, &sym, &w);
		n += (size_t)snprintf(out + n, sizeof out - n, "%s%s=%.12g", i ? " " : "", id, w);
	}
	return out;
}

#define D(y, m, d) date_from_ymd(y, m, d)
#define FIVE "A:0.01 B:0.02 C:0.03 D:0.04 E:0.05"

START_TEST(test_numpy_percentile)
{
	/* np.percentile(sorted, q) printed with repr() by numpy 1.24. */
	static const double a[] = { -1.2, -0.4, 0.1, 0.3, 0.7, 1.9, 2.5 };
	static const struct { double q, want; } cases[] = {
		{ 0, -1.2 }, { 2, -1.1039999999999999 }, { 10, -0.72 }, { 50, 0.3 }, { 90, 2.14 },
		{ 98, 2.428 }, { 100, 2.5 }, { 33.3, 0.0989999999999999 },
	};
	static const double one[] = { 1.0 }, three[] = { 1.0, 1.0, 2.0 };

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(strat_percentile(a, 7, cases[i].q) == cases[i].want, "q=%g: %.17g", cases[i].q,
		    strat_percentile(a, 7, cases[i].q));
	ck_assert(strat_percentile(one, 1, 90) == 1.0);
	ck_assert(strat_percentile(three, 3, 90) == 1.8);
	ck_assert(strat_std(a, 7) == 1.283039545840453);
	ck_assert(isnan(strat_std(a, 1)));
}
END_TEST

START_TEST(test_pairwise_sum)
{
	double b[200];

	/* np.sum(np.arange(1, 201) * 0.1) is exactly 2010.0; a left-to-right sum gives 2010.0000000000002. */
	for (int i = 0; i < 200; i++)
		b[i] = (i + 1) * 0.1;
	ck_assert(strat_sum(b, 200) == 2010.0);
	ck_assert(strat_sum(b, 0) == 0.0);
}
END_TEST

START_TEST(test_ties_and_schedule)
{
	struct strategy_config c = small();
	strat *s;

	c.rebalance_every = 2;
	s = strat_new(&c);
	/* D and E have the same returns, so the same momentum: the 90th percentile equals both. */
	ck_assert_int_eq(day(s, D(2024, 3, 4), "A:0.01 B:0.02 C:0.03 D:0.04 E:0.04", 0), 0);
	ck_assert_int_eq(day(s, D(2024, 3, 5), "A:0.01 B:0.02 C:0.03 D:0.04 E:0.04", 0), 0);
	ck_assert_int_eq(day(s, D(2024, 3, 6), "A:0.01 B:0.02 C:0.03 D:0.04 E:0.04", 0), 0);
	ck_assert_int_eq(day(s, D(2024, 3, 7), "A:0.01 B:0.02 C:0.03 D:0.04 E:0.04", 0), 1);
	ck_assert_str_eq(got(s), "D=0.5 E=0.5");
	/* Every 2 panel days from the first selection: p = 3, 5, 7. */
	ck_assert_int_eq(day(s, D(2024, 3, 8), "A:0.01 B:0.02 C:0.03 D:0.04 E:0.04", 0), 0);
	ck_assert_int_eq(day(s, D(2024, 3, 11), "A:0.01 B:0.02 C:0.03 D:0.04 E:0.04", 0), 1);
	ck_assert_int_eq(day(s, D(2024, 3, 12), "A:0.01 B:0.02 C:0.03 D:0.04 E:0.04", 0), 0);
	strat_free(s);
}
END_TEST

START_TEST(test_missing_return_counts_zero)
{
	struct strategy_config c = small();
	strat *s;

	c.max_gap = 0;
	s = strat_new(&c);
	/* A's ret on p1 is empty. With max_gap 0 its TRI(1) is undefined, but TRI(0) and TRI(2) are:
	 * mom(3) = TRI(2) / TRI(0) - 1 = (1 + 0)(1 + 0.5) - 1 = 0.5, the best. mom(4) needs TRI(1): A is out. */
	day(s, D(2024, 3, 4), "A:0.5 B:0.02 C:0.03 D:0.04 E:0.05", 0);
	day(s, D(2024, 3, 5), "A: B:0.02 C:0.03 D:0.04 E:0.05", 0);
	day(s, D(2024, 3, 6), "A:0.5 B:0.02 C:0.03 D:0.04 E:0.05", 0);
	ck_assert_int_eq(day(s, D(2024, 3, 7), "A:0.5 B:0.02 C:0.03 D:0.04 E:0.05", 0), 1);
	ck_assert_str_eq(got(s), "A=1");
	ck_assert_int_eq(day(s, D(2024, 3, 8), "A:0.5 B:0.02 C:0.03 D:0.04 E:0.05", 0), 1);
	ck_assert_str_eq(got(s), "E=1");
	ck_assert_int_eq(day(s, D(2024, 3, 11), "A:0.5 B:0.02 C:0.03 D:0.04 E:0.05", 0), 1);
	ck_assert_str_eq(got(s), "A=1");
	strat_free(s);
}
END_TEST

START_TEST(test_gap_longer_than_max_gap)
{
	struct strategy_config c = small();
	strat *s;

	c.max_gap = 2;
	s = strat_new(&c);
	/* A has no rows on p1..p3: missing days 1 and 2 count as 0, day 3 leaves TRI(3) undefined.
	 * p4: mom = TRI(3)/TRI(1): out. p5: TRI(4)/TRI(2) = 1.5 (the product resumes): A, the best.
	 * p6: TRI(5)/TRI(3): out again. p7: TRI(6)/TRI(4): in. */
	day(s, D(2024, 3, 4), "A:0.5 B:0.02 C:0.03 D:0.04 E:0.05", 0);
	day(s, D(2024, 3, 5), "B:0.02 C:0.03 D:0.04 E:0.05", 0);
	day(s, D(2024, 3, 6), "B:0.02 C:0.03 D:0.04 E:0.05", 0);
	ck_assert_int_eq(day(s, D(2024, 3, 7), "B:0.02 C:0.03 D:0.04 E:0.05", 0), 1);
	ck_assert_str_eq(got(s), "E=1");
	ck_assert_int_eq(day(s, D(2024, 3, 8), "A:0.5 B:0.02 C:0.03 D:0.04 E:0.05", 0), 1);
	ck_assert_str_eq(got(s), "E=1");
	ck_assert_int_eq(day(s, D(2024, 3, 11), "A:0.5 B:0.02 C:0.03 D:0.04 E:0.05", 0), 1);
	ck_assert_str_eq(got(s), "A=1");
	ck_assert_int_eq(day(s, D(2024, 3, 12), "A:0.5 B:0.02 C:0.03 D:0.04 E:0.05", 0), 1);
	ck_assert_str_eq(got(s), "E=1");
	ck_assert_int_eq(day(s, D(2024, 3, 13), "A:0.5 B:0.02 C:0.03 D:0.04 E:0.05", 0), 1);
	ck_assert_str_eq(got(s), "A=1");
	strat_free(s);
}
END_TEST

START_TEST(test_long_short)
{
	struct strategy_config c = small();
	strat *s;

	c.long_short = 1;
	s = strat_new(&c);
	/* The 10th percentile lies between the two smallest (index 0.4): A alone is short. */
	for (int d = 4; d <= 6; d++)
		day(s, D(2024, 3, d), FIVE, 0);
	ck_assert_int_eq(day(s, D(2024, 3, 7), FIVE, 0), 1);
	ck_assert_str_eq(got(s), "A=-0.5 E=0.5");
	strat_free(s);
}
END_TEST

/* D alternates 2% and 6%, E 0% and 8%: over p1..p3 E's sample std is exactly twice D's. */
static strat *
two_vols(struct strategy_config *c)
{
	strat *s;

	c->weighting = CONFIG_INVERSE_VOL;
	c->vol_window = 3;
	c->select = 60; /* index 2.4: the top two */
	s = strat_new(c);
	day(s, D(2024, 3, 4), "A:0.01 B:0.01 C:0.01 D:0.02 E:0", 0);
	day(s, D(2024, 3, 5), "A:0.01 B:0.01 C:0.01 D:0.06 E:0.08", 0);
	day(s, D(2024, 3, 6), "A:0.01 B:0.02 C:0.03 D:0.02 E:0", 0);
	return s;
}

START_TEST(test_inverse_vol)
{
	struct strategy_config c = small();
	strat *s = two_vols(&c);

	/* mom: D = 1.06 * 1.02 - 1 = 0.0812, E = 1.08 * 1.0 - 1 = 0.08, the rest lower. */
	ck_assert_int_eq(day(s, D(2024, 3, 7), "A:0.01 B:0.01 C:0.01 D:0.06 E:0.08", 0), 1);
	ck_assert_str_eq(got(s), "D=0.666666666667 E=0.333333333333");
	strat_free(s);
}
END_TEST

START_TEST(test_max_weight)
{
	struct strategy_config c = small();
	strat *s;

	c.max_weight = 0.6;
	s = two_vols(&c);
	/* D is capped at 0.6; E takes the rest, 0.4, under the cap. */
	ck_assert_int_eq(day(s, D(2024, 3, 7), "A:0.01 B:0.01 C:0.01 D:0.06 E:0.08", 0), 1);
	ck_assert_str_eq(got(s), "D=0.6 E=0.4");
	strat_free(s);

	/* Four equal names under a 0.2 cap: all capped, 20% stays in cash. */
	c = small();
	c.select = 20;
	c.max_weight = 0.2;
	s = strat_new(&c);
	for (int d = 4; d <= 6; d++)
		day(s, D(2024, 3, d), FIVE, 0);
	ck_assert_int_eq(day(s, D(2024, 3, 7), FIVE, 0), 1);
	ck_assert_str_eq(got(s), "B=0.2 C=0.2 D=0.2 E=0.2");
	strat_free(s);
}
END_TEST

START_TEST(test_monthly)
{
	struct strategy_config c = small();
	strat *s;

	c.rebalance = CONFIG_MONTHLY;
	s = strat_new(&c);
	day(s, D(2024, 1, 26), FIVE, D(2024, 1, 29));
	day(s, D(2024, 1, 29), FIVE, D(2024, 1, 30));
	day(s, D(2024, 1, 30), FIVE, D(2024, 1, 31));
	/* The last panel day of January: the next one is in February. */
	ck_assert_int_eq(day(s, D(2024, 1, 31), FIVE, D(2024, 2, 1)), 1);
	ck_assert_str_eq(got(s), "E=1");
	ck_assert_int_eq(day(s, D(2024, 2, 1), FIVE, D(2024, 2, 28)), 0);
	/* The stream ends: the NYSE calendar decides (2024-02-28 is not February's last trading day). */
	ck_assert_int_eq(day(s, D(2024, 2, 28), FIVE, 0), 0);
	ck_assert_int_eq(day(s, D(2024, 2, 29), FIVE, 0), 1);
	strat_free(s);
}
END_TEST

START_TEST(test_universe)
{
	struct strategy_config c = small();
	char err[128];
	strat *s = strat_new(&c);

	strat_universe_mode(s);
	for (int d = 4; d <= 6; d++)
		day(s, D(2024, 3, d), FIVE, 0);
	/* E has a row but is not a member; C is a member without a row (its TRI values are defined). */
	ck_assert_int_eq(strat_day_begin(s, D(2024, 3, 7), err, sizeof err), 0);
	ck_assert_int_eq(strat_member(s, "A", 1, err, sizeof err), 0);
	ck_assert_int_eq(strat_member(s, "C", 1, err, sizeof err), 0);
	ck_assert_int_eq(strat_member(s, "D", 1, err, sizeof err), 0);
	ck_assert_int_eq(strat_member(s, "D", 1, err, sizeof err), EX_DATAERR); /* listed twice on the day */
	ck_assert_str_eq(err, "D is listed twice on the same date");
	ck_assert_int_eq(strat_member(s, "Z", 1, err, sizeof err), 0); /* never priced: not eligible */
	ck_assert_int_eq(strat_price(s, "D", 1, "D", 1, 1, 0.04, err, sizeof err), 0);
	ck_assert_int_eq(strat_price(s, "E", 1, "E", 1, 1, 0.05, err, sizeof err), 0);
	ck_assert_int_eq(strat_day_end(s, 0), 1);
	ck_assert_str_eq(got(s), "D=1");
	strat_free(s);
}
END_TEST

START_TEST(test_long_absence_within_max_gap)
{
	struct strategy_config c = small();
	char err[128];
	strat *s;
	int base = D(2024, 1, 1), last = 0;

	/* A member without rows for 90 days is still eligible under max_gap 200: its missing returns count
	 * as 0, so its mom is 0, above everyone else's. Its buffers must outlive the absence. */
	c.max_gap = 200;
	s = strat_new(&c);
	strat_universe_mode(s);
	for (int p = 0; p < 93; p++) {
		ck_assert_int_eq(strat_day_begin(s, base + p, err, sizeof err), 0);
		for (const char *id = "ABCDE"; *id; id++) {
			ck_assert_int_eq(strat_member(s, id, 1, err, sizeof err), 0);
			if (*id != 'A' || p < 3)
				ck_assert_int_eq(strat_price(s, id, 1, id, 1, 1, *id == 'A' ? 0.01 : -0.01 * (*id - 'A'),
				    err, sizeof err), 0);
		}
		last = strat_day_end(s, 0);
	}
	ck_assert_int_eq(last, 1);
	ck_assert_str_eq(got(s), "A=1");
	strat_free(s);
}
END_TEST

START_TEST(test_no_selection)
{
	struct strategy_config c = small();
	strat *s = strat_new(&c);

	/* Everyone has the same momentum: the std is 0, the z-scores undefined, nothing is selected. */
	for (int d = 4; d <= 8; d++)
		ck_assert_int_eq(day(s, D(2024, 3, d), "A:0.01 B:0.01 C:0.01", 0), 0);
	/* A single eligible security has no sample std either. */
	ck_assert_int_eq(day(s, D(2024, 3, 11), "A:0.01", 0), 0);
	strat_free(s);
}
END_TEST

START_TEST(test_stream_errors)
{
	struct strategy_config c = small();
	char err[128];
	strat *s = strat_new(&c);

	ck_assert_int_eq(strat_day_begin(s, D(2024, 3, 5), err, sizeof err), 0);
	ck_assert_int_eq(strat_price(s, "A", 1, "AAA", 3, 1, 0.01, err, sizeof err), 0);
	ck_assert_int_eq(strat_price(s, "A", 1, "AAA", 3, 1, 0.01, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "a second row for A on the same date");
	ck_assert_int_eq(strat_price(s, "B", 1, "B", 1, 1, -1.5, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "-1.5 is below -1 (a loss of more than everything)");
	ck_assert_int_eq(strat_price(s, "", 0, "B", 1, 1, 0, err, sizeof err), EX_DATAERR);
	ck_assert_int_eq(strat_day_begin(s, D(2024, 3, 5), err, sizeof err), 0); /* the same day goes on */
	ck_assert_int_eq(strat_day_end(s, 0), 0);
	ck_assert_int_eq(strat_day_begin(s, D(2024, 3, 4), err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "2024-03-04 is before 2024-03-05: the input must be sorted by date");
	strat_free(s);
}
END_TEST

START_TEST(test_config_file)
{
	struct strategy_config c;
	char path[] = "/tmp/check_strategy_XXXXXX", err[256];
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");

	fputs("# a comment\n\nlookback = 100   # trailing comment\nwinsor = \"5,95\"\nmode=long_short\n"
	      "rebalance = monthly\nlookbak = 3\n", fp);
	fclose(fp);
	config_defaults(&c);
	ck_assert_int_eq(config_load(&c, path, err, sizeof err), EX_DATAERR);
	ck_assert_int_eq(c.lookback, 100);
	ck_assert(c.winsor_lo == 5 && c.winsor_hi == 95);
	ck_assert_int_eq(c.long_short, 1);
	ck_assert_int_eq(c.rebalance, CONFIG_MONTHLY);
	ck_assert_msg(strstr(err, ":7: lookbak: unknown key") != NULL, "%s", err);
	unlink(path);
}
END_TEST

START_TEST(test_config_values)
{
	struct strategy_config c;
	char err[256];

	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "lookback", "12x", err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "'12x' is not an integer");
	ck_assert_int_eq(config_set(&c, "lookback", "0", err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "0 is out of range [1, 100000]");
	ck_assert_int_eq(config_set(&c, "weighting", "vol", err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "'vol' is not equal or inverse_vol");
	ck_assert_int_eq(config_set(&c, "winsor", "2", err, sizeof err), EX_DATAERR);
	ck_assert_int_eq(config_set(&c, "max_weight", "0", err, sizeof err), EX_DATAERR);
	ck_assert_int_eq(config_set(&c, "winsor", "98,2", err, sizeof err), 0);
	ck_assert_int_eq(config_check(&c, err, sizeof err), EX_DATAERR);
	config_defaults(&c);
	ck_assert_int_eq(config_check(&c, err, sizeof err), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("strategy");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_numpy_percentile);
	tcase_add_test(core, test_pairwise_sum);
	tcase_add_test(core, test_ties_and_schedule);
	tcase_add_test(core, test_missing_return_counts_zero);
	tcase_add_test(core, test_gap_longer_than_max_gap);
	tcase_add_test(core, test_long_short);
	tcase_add_test(core, test_inverse_vol);
	tcase_add_test(core, test_max_weight);
	tcase_add_test(core, test_monthly);
	tcase_add_test(core, test_universe);
	tcase_add_test(core, test_config_file);
	tcase_add_test(errors, test_stream_errors);
	tcase_add_test(errors, test_config_values);
	tcase_add_test(limits, test_no_selection);
	tcase_add_test(limits, test_long_absence_within_max_gap);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
