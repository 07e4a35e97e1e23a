/* Unit tests for lib/backtest: small portfolios whose returns, turnover and costs are worked out by hand
 * (the arithmetic is written out next to each expectation). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "backtest.h"

#define D0 19724    /* 2024-01-02; test days are D0 + k */
#define MISSING NAN /* an empty ret */
#define ABSENT 99.0 /* no row at all */
#define EPS 1e-15

/* A price table: day k has ret[k][j] for security j (ids "A", "B", ...). */
struct market {
	int ndays, nsec;
	double ret[300][5];
};

/* Target weights: on day k, weights w[0..nsec). */
struct target {
	int day;      /* the decision day (index) */
	double w[5];  /* NAN: no row for that security */
};

static const char *const IDS[] = { "A", "B", "C", "D", "E" };

/* 1: drive the simulation after every price row, as btrun does (a day is then partly given while the
 * day `lookahead` days before it is simulated); 0: after each whole day. */
static int per_row;

/* Run the engine over m with the targets t[0..nt), the way btrun drives it, into out (one per day a
 * return is earned). Returns the number of days written. */
static int
run(const struct market *m, const struct target *t, int nt, double bps, int long_short, int lookahead,
    struct bt_day *out)
{
	bt_engine *e = bt_new(bps, long_short, 0, lookahead);
	char err[256];
	int n = 0, ti = 0, day;

	ck_assert_ptr_nonnull(e);
	for (int k = 0; k <= m->ndays; k++) {
		int j = 0;

		if (k < m->ndays)
			ck_assert_int_eq(bt_day_begin(e, D0 + k, err, sizeof err), 0);
		else
			bt_input_end(e);
	more:
		for (; k < m->ndays && j < m->nsec; j++)
			if (m->ret[k][j] != ABSENT) {
				ck_assert_int_eq(bt_price(e, IDS[j], IDS[j], m->ret[k][j], err, sizeof err), 0);
				if (per_row) {
					j++;
					break;
				}
			}
		while (bt_next(e, &day)) {
			if (bt_simulate(e, &out[n]))
				n++;
			if (ti < nt && D0 + t[ti].day == day) {
				for (int x = 0; x < m->nsec; x++)
					if (!isnan(t[ti].w[x]))
						ck_assert_msg(bt_target(e, IDS[x], t[ti].w[x], err, sizeof err) == 0, "%s", err);
				ck_assert_int_eq(bt_rebalance(e, NULL, NULL), 0);
				ti++;
			}
		}
		if (k < m->ndays && j < m->nsec)
			goto more;
	}
	bt_free(e);
	return n;
}

#define X NAN /* not in the target */

START_TEST(test_drift_and_costs)
{
	/* A, B, C at 0.5, 0.3, 0.2 from cash on day 0; rebalanced to 0.5, 0.5, 0 on day 2. */
	struct market m = { 4, 3, { { 0, 0, 0 }, { 0.10, -0.10, 0 }, { 0, 0.10, -0.50 }, { 0.02, 0.04, 0.06 } } };
	struct target t[] = { { 0, { 0.5, 0.3, 0.2 } }, { 2, { 0.5, 0.5, X } } };
	struct bt_day d[8];
	int n = run(&m, t, 2, 10, 0, 5, d);

	ck_assert_int_eq(n, 3);
	/* Day 1: 0.5 * 0.10 + 0.3 * -0.10 + 0.2 * 0 = 0.02; from cash turnover 1, cost 10 bp. */
	ck_assert_int_eq(d[0].date, D0 + 1);
	ck_assert_double_eq_tol(d[0].gross, 0.02, EPS);
	ck_assert_double_eq(d[0].turnover, 1);
	ck_assert_double_eq_tol(d[0].cost, 0.001, EPS);
	ck_assert_double_eq_tol(d[0].net, 0.019, EPS);
	ck_assert_double_eq_tol(d[0].equity, 1.019, EPS);
	/* Drifted: A 0.55 / 1.02, B 0.27 / 1.02, C 0.2 / 1.02. Day 2: (0.27 * 0.10 - 0.2 * 0.5) / 1.02. */
	double g2 = (0.027 - 0.1) / 1.02;
	ck_assert_double_eq_tol(d[1].gross, g2, EPS);
	ck_assert_double_eq(d[1].turnover, 0);
	ck_assert_double_eq(d[1].net, d[1].gross);
	ck_assert_double_eq_tol(d[1].equity, 1.019 * (1 + g2), EPS);
	/* Drifted after day 2: A 0.55 / 1.02 / (1 + g2), B 0.297 / 1.02 / (1 + g2), C 0.1 / 1.02 / (1 + g2);
	 * their sum is 1. Turnover to (0.5, 0.5, 0). */
	double v = 1.02 * (1 + g2), a = 0.55 / v, b = 0.297 / v, c = 0.1 / v;
	double to = fabs(0.5 - a) + fabs(0.5 - b) + c;
	ck_assert_double_eq_tol(a + b + c, 1, EPS);
	ck_assert_double_eq_tol(d[2].turnover, to, EPS);
	ck_assert_double_eq_tol(d[2].cost, to * 0.001, EPS);
	/* Day 3: 0.5 * 0.02 + 0.5 * 0.04. */
	ck_assert_double_eq_tol(d[2].gross, 0.03, EPS);
	ck_assert_double_eq_tol(d[2].net, 0.03 - to * 0.001, EPS);
	/* Benchmark: equal thirds of the three with a ret on day 0, then of the three again on day 2. */
	ck_assert_double_eq_tol(d[0].b_gross, (0.10 - 0.10 + 0) / 3, EPS);
	ck_assert_double_eq_tol(d[0].b_turnover, 1, EPS);
}
END_TEST

/* Value of a book held from day `from` with weights w[0..3) and constant daily returns r[], on day k, with
 * C (index 2) leaving after day `cgone` (its value then follows A and B pro rata): a closed form. */
static double
held_value(const double *w, const double *r, int from, int k, int cgone, double c_last)
{
	double v = 0;

	if (k <= cgone) {
		for (int j = 0; j < 3; j++)
			v += w[j] * pow(1 + r[j], k - from) * (j == 2 && k == cgone ? (1 + c_last) / (1 + r[2]) : 1);
		return v;
	}
	/* After C leaves, A and B carry the whole value: scale their values at cgone up by the total. */
	double ab = w[0] * pow(1 + r[0], cgone - from) + w[1] * pow(1 + r[1], cgone - from);
	double all = held_value(w, r, from, cgone, cgone, c_last);
	return all / ab * (w[0] * pow(1 + r[0], k - from) + w[1] * pow(1 + r[1], k - from));
}

START_TEST(test_sixty_days_closed_form)
{
	/* A, B, C earn 1%, -0.5% and 0.2% every day for 60 days, except that C's last row is day 45, with a
	 * delisting return of -50%. Rebalanced to 0.5, 0.3, 0.2 on days 0, 20 and 40 (10 bp). Between
	 * rebalances a book's value is sum_i w_i (1 + r_i)^k, so every daily return and turnover has a closed
	 * form; after day 45 C's value follows A and B. */
	static const double r[3] = { 0.01, -0.005, 0.002 }, w[3] = { 0.5, 0.3, 0.2 };
	struct market m = { 60, 3, { { 0 } } };
	struct target t[] = { { 0, { 0.5, 0.3, 0.2 } }, { 20, { 0.5, 0.3, 0.2 } }, { 40, { 0.5, 0.3, 0.2 } } };
	static struct bt_day d[80];
	double equity = 1;
	int n;

	for (int k = 0; k < 60; k++)
		for (int j = 0; j < 3; j++)
			m.ret[k][j] = j == 2 && k > 45 ? ABSENT : j == 2 && k == 45 ? -0.5 : r[j];
	n = run(&m, t, 3, 10, 0, 5, d);
	ck_assert_int_eq(n, 59);
	for (int k = 1; k < 60; k++) {
		int from = k <= 20 ? 0 : k <= 40 ? 20 : 40;
		double gross = held_value(w, r, from, k, k > 40 ? 45 : 1000, -0.5) /
		    held_value(w, r, from, k - 1, k > 40 ? 45 : 1000, -0.5) - 1;
		double turnover = 0;

		if (k == 1)
			turnover = 1;
		if (k == 21 || k == 41) /* drifted weights w_i (1 + r_i)^20 / sum_j w_j (1 + r_j)^20 */
			for (int j = 0; j < 3; j++)
				turnover += fabs(w[j] - w[j] * pow(1 + r[j], 20) / held_value(w, r, 0, 20, 1000, 0));
		equity *= 1 + gross - 0.001 * turnover;
		ck_assert_int_eq(d[k - 1].date, D0 + k);
		ck_assert_msg(fabs(d[k - 1].gross - gross) < 1e-14, "day %d: gross %.17g, want %.17g", k, d[k - 1].gross,
		    gross);
		ck_assert_msg(fabs(d[k - 1].turnover - turnover) < 1e-14, "day %d: turnover %.17g, want %.17g", k,
		    d[k - 1].turnover, turnover);
		ck_assert(d[k - 1].net == d[k - 1].gross - d[k - 1].cost);
		ck_assert_msg(fabs(d[k - 1].equity - equity) < 1e-13, "day %d: equity", k);
	}
	/* The benchmark: A, B, C at a third each on the same days. */
	static const double third[3] = { 1 / 3.0, 1 / 3.0, 1 / 3.0 };
	double g46 = held_value(third, r, 40, 46, 45, -0.5) / held_value(third, r, 40, 45, 45, -0.5) - 1;
	ck_assert_double_eq_tol(d[45].b_gross, g46, 1e-14);
	ck_assert_double_eq_tol(d[45].b_gross, (0.01 * pow(1.01, 5) - 0.005 * pow(0.995, 5)) /
	    (pow(1.01, 5) + pow(0.995, 5)), 1e-14);
}
END_TEST

START_TEST(test_net_minus_gross_is_cost)
{
	/* Five securities, a rebalance every 3 days over 30 days: on every day, net = gross - cost exactly and
	 * cost = 25 bp x turnover exactly; the cost is nonzero only on the day after a rebalance. */
	struct market m = { 30, 5, { { 0 } } };
	struct target t[10];
	struct bt_day d[40];
	int n;

	for (int k = 0; k < 30; k++)
		for (int j = 0; j < 5; j++)
			m.ret[k][j] = 0.01 * ((k * 7 + j * 3) % 11 - 5);
	for (int i = 0; i < 10; i++) {
		t[i].day = 3 * i;
		for (int j = 0; j < 5; j++)
			t[i].w[j] = (j + i) % 3 == 0 ? X : (double)(1 + (i + j) % 4);
		double s = 0;
		for (int j = 0; j < 5; j++)
			s += isnan(t[i].w[j]) ? 0 : t[i].w[j];
		for (int j = 0; j < 5; j++)
			t[i].w[j] /= s;
	}
	n = run(&m, t, 10, 25, 0, 5, d);
	ck_assert_int_eq(n, 29);
	for (int i = 0; i < n; i++) {
		int after_rebalance = (d[i].date - D0 - 1) % 3 == 0;

		ck_assert(d[i].cost == 25 / 10000.0 * d[i].turnover);
		ck_assert(d[i].net == d[i].gross - d[i].cost);
		ck_assert(d[i].b_net == d[i].b_gross - d[i].b_cost);
		ck_assert(after_rebalance ? d[i].turnover > 0 : d[i].turnover == 0);
	}
}
END_TEST

START_TEST(test_delisting)
{
	/* A and B at 0.5. Day 1: A +20%, B 0 -> 0.1; drifted A 0.6/1.1, B 0.5/1.1. Day 2 is A's last row,
	 * with its delisting return -30%: (0.6 * -0.3 + 0.5 * 0.1) / 1.1 = -0.13 / 1.1. A then drops out and
	 * B holds everything: day 3 earns B's 5%, day 4 B's 2%. */
	struct market m = { 5, 3, { { 0, 0, 0.01 }, { 0.2, 0, 0.01 }, { -0.3, 0.1, 0.01 }, { ABSENT, 0.05, 0.01 },
		{ ABSENT, 0.02, 0.01 } } };
	struct target t[] = { { 0, { 0.5, 0.5, X } } };
	struct bt_day d[8];
	int n = run(&m, t, 1, 0, 0, 3, d);

	ck_assert_int_eq(n, 4);
	ck_assert_double_eq_tol(d[0].gross, 0.1, EPS);
	ck_assert_double_eq_tol(d[1].gross, -0.13 / 1.1, EPS);
	ck_assert_double_eq_tol(d[2].gross, 0.05, EPS);
	ck_assert_double_eq_tol(d[3].gross, 0.02, EPS);
	ck_assert_double_eq_tol(d[3].equity, 1.1 * (1 - 0.13 / 1.1) * 1.05 * 1.02, 1e-14);
}
END_TEST

START_TEST(test_delisting_on_rebalance_day)
{
	/* A and B at 0.5; day 1 is A's last row (+20%): 0.1. A drops at that close, before the rebalance, so
	 * B holds 1 and the move to B 0.5, C 0.5 turns over |0.5 - 1| + |0.5 - 0| = 1, not A's 0.6/1.1 too. */
	struct market m = { 3, 3, { { 0, 0, 0 }, { 0.2, 0, 0 }, { ABSENT, 0.1, 0.3 } } };
	struct target t[] = { { 0, { 0.5, 0.5, X } }, { 1, { X, 0.5, 0.5 } } };
	struct bt_day d[8];
	int n = run(&m, t, 2, 10, 0, 3, d);

	ck_assert_int_eq(n, 2);
	ck_assert_double_eq_tol(d[0].gross, 0.1, EPS);
	ck_assert_double_eq_tol(d[1].turnover, 1, EPS);
	ck_assert_double_eq_tol(d[1].gross, 0.2, EPS);
	ck_assert_double_eq_tol(d[1].net, 0.2 - 0.001, EPS);
}
END_TEST

START_TEST(test_gap_is_not_a_delisting)
{
	/* A is absent on day 2 and has an empty ret on day 3, then comes back: held throughout, earning 0 on
	 * those days. A 0.5, B 0.5. Day 1: 0.5 * 0.1 + 0.5 * -0.1 = 0; drifted 0.55, 0.45. Day 2: B +10%:
	 * 0.045; drifted 0.55/1.045, 0.495/1.045. Day 3: B -10%: -0.0495/1.045; drifted 0.55, 0.4455 over
	 * 0.9955. Day 4: A +10%: 0.055 / 0.9955. */
	struct market m = { 5, 2, { { 0, 0 }, { 0.1, -0.1 }, { ABSENT, 0.1 }, { MISSING, -0.1 }, { 0.1, 0 } } };
	struct target t[] = { { 0, { 0.5, 0.5 } } };
	struct bt_day d[8];
	int n = run(&m, t, 1, 0, 0, 3, d);

	ck_assert_int_eq(n, 4);
	ck_assert_double_eq_tol(d[0].gross, 0, EPS);
	ck_assert_double_eq_tol(d[1].gross, 0.045, EPS);
	ck_assert_double_eq_tol(d[2].gross, -0.0495 / 1.045, EPS);
	ck_assert_double_eq_tol(d[3].gross, 0.055 / 0.9955, EPS);
}
END_TEST

START_TEST(test_gap_longer_than_lookahead)
{
	/* With a look-ahead of 1 day, a 2-day gap looks like the end of A's data: A drops out after day 1 and
	 * B holds everything from day 2 (B's 10%), even though A comes back on day 4. */
	struct market m = { 5, 2, { { 0, 0 }, { 0.1, -0.1 }, { ABSENT, 0.1 }, { ABSENT, 0.1 }, { 0.5, 0.1 } } };
	struct target t[] = { { 0, { 0.5, 0.5 } } };
	struct bt_day d[8];
	int n = run(&m, t, 1, 0, 0, 1, d);

	ck_assert_int_eq(n, 4);
	ck_assert_double_eq_tol(d[1].gross, 0.1, EPS);
	ck_assert_double_eq_tol(d[3].gross, 0.1, EPS);
	/* With a look-ahead of 3 days it is a gap: day 2 earns 0.45 * 0.1 (A 0.55, B 0.45). */
	n = run(&m, t, 1, 0, 0, 3, d);
	ck_assert_double_eq_tol(d[1].gross, 0.045, EPS);
}
END_TEST

START_TEST(test_gap_of_lookahead_plus_one)
{
	/* backtest(1): "a ret that comes back after more than n trading days is not seen in time". With
	 * n = 2, A's last ret before a gap is on day 1 and the next on day 4, 3 = n + 1 days later: at day 1's
	 * close A has left, whether it was held (bought on day 0) or just bought (on day 1): both drop, and
	 * B holds everything on day 2 (B's 10%). The just-bought A used to be checked only at day 2's start,
	 * with day 4 in sight, and was kept (day 2 earned 0.5 * 10%). Driven both ways, and with A as the first
	 * row of each day, so that a partly given day 4 cannot be seen either. */
	struct market m = { 6, 2, { { 0, 0 }, { 0.1, -0.1 }, { ABSENT, 0.1 }, { MISSING, 0.1 }, { 0.5, 0.1 },
		{ 0, 0 } } };
	struct target held[] = { { 0, { 0.5, 0.5 } } };
	struct target bought[] = { { 1, { 0.5, 0.5 } } };
	struct bt_day d[8];

	for (per_row = 0; per_row < 2; per_row++) {
		int n = run(&m, held, 1, 0, 0, 2, d);

		ck_assert_int_eq(n, 5);
		ck_assert_double_eq_tol(d[1].gross, 0.1, EPS);
		n = run(&m, bought, 1, 0, 0, 2, d);
		ck_assert_int_eq(n, 4);
		ck_assert_double_eq_tol(d[0].turnover, 1, EPS); /* the purchase of A is counted */
		ck_assert_double_eq_tol(d[0].gross, 0.1, EPS);
		ck_assert_double_eq_tol(d[1].gross, 0.1, EPS);
		ck_assert_double_eq_tol(d[2].gross, 0.1, EPS); /* A's 50% on day 4 is not earned */
		/* A gap of n days is a gap: with n = 3 both keep A, which earns 0 on days 2, 3 and 50% on day 4. */
		n = run(&m, held, 1, 0, 0, 3, d);
		ck_assert_double_eq_tol(d[1].gross, 0.045, EPS); /* A 0.55, B 0.45 after day 1 */
		n = run(&m, bought, 1, 0, 0, 3, d);
		ck_assert_double_eq_tol(d[0].gross, 0.05, EPS);
	}
	per_row = 0;
}
END_TEST

START_TEST(test_missing_return)
{
	/* B's ret is empty on day 1: it counts 0. A 0.25, B 0.75: day 1 earns 0.25 * 0.2 = 0.05, drifted
	 * A 0.3/1.05, B 0.75/1.05; day 2 both +10%: 0.1. */
	struct market m = { 3, 2, { { 0, 0 }, { 0.2, MISSING }, { 0.1, 0.1 } } };
	struct target t[] = { { 0, { 0.25, 0.75 } }, { 1, { 0.25, 0.75 } } };
	struct bt_day d[8];
	int n = run(&m, t, 2, 10, 0, 3, d);

	ck_assert_int_eq(n, 2);
	ck_assert_double_eq_tol(d[0].gross, 0.05, EPS);
	ck_assert_double_eq_tol(d[1].gross, 0.1, EPS);
	/* Turnover back to 0.25/0.75: |0.25 - 0.3/1.05| + |0.75 - 0.75/1.05|. */
	ck_assert_double_eq_tol(d[1].turnover, fabs(0.25 - 0.3 / 1.05) + fabs(0.75 - 0.75 / 1.05), EPS);
	/* The benchmark skips B on day 1 (no ret): it holds A alone from day 1, so day 2 earns A's 10%. */
	ck_assert_double_eq_tol(d[1].b_gross, 0.1, EPS);
}
END_TEST

START_TEST(test_ties)
{
	/* Equal returns leave equal weights in place: rebalancing to the same weights costs nothing. */
	struct market m = { 4, 3, { { 0, 0, 0 }, { 0.01, 0.01, 0.01 }, { -0.02, -0.02, -0.02 }, { 0, 0, 0 } } };
	struct target t[] = { { 0, { 0.5, 0.25, 0.25 } }, { 2, { 0.5, 0.25, 0.25 } } };
	struct bt_day d[8];
	int n = run(&m, t, 2, 10, 0, 3, d);

	ck_assert_int_eq(n, 3);
	ck_assert_double_eq_tol(d[1].gross, -0.02, EPS);
	ck_assert_double_eq_tol(d[2].turnover, 0, EPS);
	ck_assert_double_eq_tol(d[2].cost, 0, EPS);
}
END_TEST

START_TEST(test_long_short)
{
	/* A +0.5, B -0.25, C -0.25: dollar-neutral, the collateral is cash at 0.
	 * Day 1: A +10%, B +10%, C +10% -> 0.05 - 0.025 - 0.025 = 0; weights 0.55, -0.275, -0.275.
	 * Day 2: C -20% (its last row): -0.275 * -0.2 = 0.055; weights 0.55, -0.275, -0.22 over 1.055; C then
	 * drops and B alone carries the short side's -0.495/1.055. Day 3: B +10%: -0.0495 / 1.055. */
	struct market m = { 4, 3, { { 0, 0, 0 }, { 0.1, 0.1, 0.1 }, { 0, 0, -0.2 }, { 0, 0.1, ABSENT } } };
	struct target t[] = { { 0, { 0.5, -0.25, -0.25 } } };
	struct bt_day d[8];
	int n = run(&m, t, 1, 10, 1, 3, d);

	ck_assert_int_eq(n, 3);
	ck_assert_double_eq_tol(d[0].turnover, 1, EPS);
	ck_assert_double_eq_tol(d[0].gross, 0, EPS);
	ck_assert_double_eq_tol(d[1].gross, 0.055, EPS);
	ck_assert_double_eq_tol(d[2].gross, -0.0495 / 1.055, EPS);
}
END_TEST

START_TEST(test_holdings_and_symbols)
{
	bt_engine *e = bt_new(10, 0, 0, 1);
	char err[256];
	int day;
	struct bt_day d;

	ck_assert_int_eq(bt_day_begin(e, D0, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "A", "OLD", 0, err, sizeof err), 0);
	ck_assert_int_eq(bt_day_begin(e, D0 + 1, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "A", "NEW", 0.5, err, sizeof err), 0);
	ck_assert_int_eq(bt_day_begin(e, D0 + 2, err, sizeof err), 0); /* day 0 is ready now */
	ck_assert_int_eq(bt_next(e, &day), 1);
	ck_assert_int_eq(day, D0);
	ck_assert_int_eq(bt_simulate(e, &d), 0);
	ck_assert_int_eq(bt_target(e, "A", 0.8, err, sizeof err), 0);
	ck_assert_int_eq(bt_rebalance(e, NULL, NULL), 0);
	ck_assert_uint_eq(bt_nheld(e), 1);
	ck_assert_str_eq(bt_holding(e, 0).symbol, "OLD");
	bt_input_end(e);
	ck_assert_int_eq(bt_next(e, &day), 1);
	ck_assert_int_eq(bt_simulate(e, &d), 1);
	/* 0.8 in A, 0.2 cash: earns 0.4; A is then 1.2 / 1.4 of the value. */
	ck_assert_double_eq_tol(d.gross, 0.4, EPS);
	ck_assert_str_eq(bt_holding(e, 0).symbol, "NEW");
	ck_assert_double_eq_tol(bt_holding(e, 0).weight, 1.2 / 1.4, EPS);
	bt_free(e);
}
END_TEST

START_TEST(test_universe_benchmark)
{
	/* The benchmark holds the members of the latest snapshot with a ret: C is not a member, B has none. */
	bt_engine *e = bt_new(0, 0, 1, 1);
	char err[256];
	int day;
	struct bt_day d;
	double to, bto;

	ck_assert_int_eq(bt_day_begin(e, D0, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "A", NULL, 0, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "B", NULL, MISSING, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "C", NULL, 0, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "D", NULL, 0, err, sizeof err), 0);
	ck_assert_int_eq(bt_day_begin(e, D0 + 1, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "A", NULL, 0.1, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "B", NULL, 0.2, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "C", NULL, 0.3, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "D", NULL, 0.4, err, sizeof err), 0);
	bt_input_end(e);
	ck_assert_int_eq(bt_member(e, D0 - 5, "C", err, sizeof err), 0);
	ck_assert_int_eq(bt_member(e, D0, "A", err, sizeof err), 0); /* a later snapshot replaces it */
	ck_assert_int_eq(bt_member(e, D0, "B", err, sizeof err), 0);
	ck_assert_int_eq(bt_member(e, D0, "D", err, sizeof err), 0);
	ck_assert_int_eq(bt_member(e, D0, "B", err, sizeof err), EX_DATAERR);
	ck_assert_int_eq(bt_member(e, D0 - 1, "B", err, sizeof err), EX_DATAERR);
	ck_assert_int_eq(bt_next(e, &day), 1);
	bt_simulate(e, &d);
	ck_assert_int_eq(bt_rebalance(e, &to, &bto), 0);
	ck_assert_double_eq(to, 0);     /* no targets: all cash */
	ck_assert_double_eq(bto, 1);    /* A and D at 0.5 each */
	ck_assert_int_eq(bt_next(e, &day), 1);
	ck_assert_int_eq(bt_simulate(e, &d), 1);
	ck_assert_double_eq(d.gross, 0);
	ck_assert_double_eq_tol(d.b_gross, 0.25, EPS);
	ck_assert_int_eq(bt_next(e, &day), 0);
	bt_free(e);
}
END_TEST

START_TEST(test_errors)
{
	bt_engine *e = bt_new(10, 0, 0, 1);
	char err[256];
	int day;
	struct bt_day d;

	ck_assert_int_eq(bt_day_begin(e, D0 + 1, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "A", NULL, 0, err, sizeof err), 0);
	ck_assert_int_eq(bt_price(e, "A", NULL, 0, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "duplicate row for id 'A' on 2024-01-03");
	ck_assert_int_eq(bt_day_begin(e, D0, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "2024-01-02 after 2024-01-03: not in date order");
	bt_input_end(e);
	ck_assert_int_eq(bt_next(e, &day), 1);
	bt_simulate(e, &d);
	ck_assert_int_eq(bt_target(e, "A", -0.1, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "negative weight -0.1 for id 'A' in long-only mode");
	ck_assert_int_eq(bt_target(e, "A", NAN, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "weight is not a finite number");
	ck_assert_int_eq(bt_target(e, "A", INFINITY, err, sizeof err), EX_DATAERR);
	ck_assert_int_eq(bt_target(e, "A", 0.5, err, sizeof err), 0);
	ck_assert_int_eq(bt_target(e, "A", 0.5, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "duplicate weight for id 'A'");
	bt_free(e);
}
END_TEST

START_TEST(test_many_securities)
{
	/* 3000 securities over 40 days (the hash table and the row ring grow): equal weights of a market where
	 * every security earns 0.1% a day compound to 1.001^39 less the first day's 10 bp. */
	bt_engine *e = bt_new(10, 0, 0, 5);
	char err[256], id[16];
	int day, n = 0;
	struct bt_day d;

	for (int k = 0; k <= 40; k++) {
		if (k < 40) {
			ck_assert_int_eq(bt_day_begin(e, D0 + k, err, sizeof err), 0);
			for (int j = 0; j < 3000; j++) {
				snprintf(id, sizeof id, "S%d", j);
				ck_assert_int_eq(bt_price(e, id, id, 0.001, err, sizeof err), 0);
			}
		} else {
			bt_input_end(e);
		}
		while (bt_next(e, &day)) {
			n += bt_simulate(e, &d);
			if (day == D0)
				for (int j = 0; j < 3000; j++) {
					snprintf(id, sizeof id, "S%d", j);
					ck_assert_int_eq(bt_target(e, id, 1 / 3000.0, err, sizeof err), 0);
				}
			if (day == D0)
				ck_assert_int_eq(bt_rebalance(e, NULL, NULL), 0);
		}
	}
	ck_assert_int_eq(n, 39);
	ck_assert_double_eq_tol(d.equity, (1.001 - 0.001) * pow(1.001, 38), 1e-12);
	ck_assert_double_eq_tol(d.equity, d.b_equity, 1e-12);
	bt_free(e);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("backtest");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_drift_and_costs);
	tcase_add_test(core, test_sixty_days_closed_form);
	tcase_add_test(core, test_net_minus_gross_is_cost);
	tcase_add_test(core, test_delisting);
	tcase_add_test(core, test_delisting_on_rebalance_day);
	tcase_add_test(core, test_gap_is_not_a_delisting);
	tcase_add_test(core, test_missing_return);
	tcase_add_test(core, test_ties);
	tcase_add_test(core, test_long_short);
	tcase_add_test(core, test_holdings_and_symbols);
	tcase_add_test(core, test_universe_benchmark);
	tcase_add_test(errors, test_errors);
	tcase_add_test(limits, test_gap_longer_than_lookahead);
	tcase_add_test(limits, test_gap_of_lookahead_plus_one);
	tcase_add_test(limits, test_many_securities);
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
