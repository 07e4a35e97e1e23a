/* Unit tests for lib/metrics. The expected statistics of the 10-day series below were computed with
 * pandas/numpy from the definitions in metrics.md (Series.std, .skew, .kurt, numpy.cov); the drawdowns and
 * period returns are worked out by hand. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "date.h"
#include "metrics.h"

#define TOL 1e-12

static const double R[10] = { 0.01, -0.02, 0.015, -0.03, 0.005, 0.02, -0.01, 0.0, 0.03, -0.005 };
static const double B[10] = { 0.005, -0.01, 0.01, -0.02, 0.0, 0.01, -0.005, 0.002, 0.02, 0.0 };

static void
dates(int *d)
{
	static const int ymd[10][3] = { { 2023, 12, 27 }, { 2023, 12, 28 }, { 2023, 12, 29 }, { 2024, 1, 2 },
		{ 2024, 1, 3 }, { 2024, 1, 4 }, { 2024, 1, 5 }, { 2024, 1, 8 }, { 2024, 1, 9 }, { 2024, 2, 1 } };

	for (int i = 0; i < 10; i++)
		d[i] = date_from_ymd(ymd[i][0], ymd[i][1], ymd[i][2]);
}

START_TEST(test_stats)
{
	struct mt_stats m;

	mt_compute(R, 10, 0, &m);
	ck_assert_double_eq_tol(m.cumulative_return, 0.013554157826026758, TOL);
	ck_assert_double_eq_tol(m.cagr, 0.40392329692785034, TOL);
	ck_assert_double_eq_tol(m.volatility, 0.29235252692596997, TOL);
	ck_assert_double_eq_tol(m.sharpe, 1.2929595785423731, TOL);
	ck_assert_double_eq_tol(m.sortino, 1.9947298986131059, TOL);
	/* W = 1, 1.01, 0.9898, 1.004647, 0.97450759, ...: the low 0.97450759 against the peak 1.01. */
	ck_assert_double_eq_tol(m.max_drawdown, 0.97450759 / 1.01 - 1, TOL);
	ck_assert_double_eq_tol(m.max_drawdown, -0.035141000000000089, TOL);
	ck_assert_double_eq_tol(m.calmar, 11.494359777122146, 1e-10);
	/* Omega: (0.01 + 0.015 + 0.005 + 0.02 + 0.03) / (0.02 + 0.03 + 0.01 + 0.005) = 0.08 / 0.065. */
	ck_assert_double_eq_tol(m.omega, 0.08 / 0.065, TOL);
	ck_assert_double_eq_tol(m.skew, -0.23113847973527085, TOL);
	ck_assert_double_eq_tol(m.kurtosis, -0.48210372534696955, TOL);
	ck_assert_double_eq_tol(m.var_95, -0.028792410845744201, TOL);
	ck_assert_double_eq_tol(m.cvar_95, -0.03, TOL); /* only -0.03 is below the VaR */
	ck_assert_double_eq_tol(m.win_rate, 5.0 / 9.0, TOL); /* 5 up, 4 down, one 0 */
	ck_assert_double_eq(m.best_day, 0.03);
	ck_assert_double_eq(m.worst_day, -0.03);
}
END_TEST

START_TEST(test_risk_free)
{
	struct mt_stats m;

	mt_compute(R, 10, 0.02, &m);
	ck_assert_double_eq_tol(m.sharpe, 1.2252214762302067, TOL);
	ck_assert_double_eq_tol(m.sortino, 1.8834663714670441, TOL);
	ck_assert_double_eq_tol(m.omega, 1.2173652676219349, TOL);
	ck_assert_double_eq_tol(m.cagr, 0.40392329692785034, TOL); /* rf does not enter the CAGR */
}
END_TEST

START_TEST(test_greeks)
{
	double beta, alpha;

	mt_greeks(R, B, 10, &beta, &alpha);
	ck_assert_double_eq_tol(beta, 1.6075816075816078, TOL);
	ck_assert_double_eq_tol(alpha, -0.10813267813267834, TOL);
	mt_greeks(R, R, 10, &beta, &alpha);
	ck_assert_double_eq_tol(beta, 1, TOL);
	ck_assert_double_eq_tol(alpha, 0, TOL);
}
END_TEST

START_TEST(test_drawdowns)
{
	int d[10];
	struct mt_drawdown dd[10];
	size_t n;

	dates(d);
	n = mt_drawdowns(d, R, 10, dd, 10);
	/* Under water from day 2 (2023-12-28) to day 8 (2024-01-08), lowest on day 4 (2024-01-02); a new high
	 * on day 9; under again on day 10 (2024-02-01) to the end, by -0.5%. */
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(dd[0].start, date_from_ymd(2023, 12, 28));
	ck_assert_int_eq(dd[0].valley, date_from_ymd(2024, 1, 2));
	ck_assert_int_eq(dd[0].end, date_from_ymd(2024, 1, 8));
	ck_assert_int_eq(dd[0].days, 12);
	ck_assert_int_eq(dd[0].open, 0);
	ck_assert_int_eq(dd[0].recovery, date_from_ymd(2024, 1, 9)); /* the new high */
	ck_assert_double_eq_tol(dd[0].max_drawdown, -0.035141000000000089, TOL);
	ck_assert_int_eq(dd[1].start, date_from_ymd(2024, 2, 1));
	ck_assert_int_eq(dd[1].end, date_from_ymd(2024, 2, 1));
	ck_assert_int_eq(dd[1].open, 1); /* the series ends under water: no recovery */
	ck_assert_int_eq(dd[1].days, 1);
	ck_assert_double_eq_tol(dd[1].max_drawdown, -0.005, TOL);
	/* Only the worst one when k = 1. */
	n = mt_drawdowns(d, R, 10, dd, 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(dd[0].days, 12);
}
END_TEST

START_TEST(test_drawdown_open)
{
	/* The last drawdown is the worst and still open. quantstats' drawdown_details (stats.py) fills an open
	 * period's end with the series' last date and counts its days to there; it is open, not recovered.
	 * W = 1.1, 1.21, 1.089 (under 1.21), 1.3068 (a new high), 1.04544, 0.940896 (the low: 0.8 * 0.9 of the
	 * peak), 1.0349856 (still under 1.3068 on the last day). */
	static const double r[7] = { 0.1, 0.1, -0.1, 0.2, -0.2, -0.1, 0.1 };
	int d[7];
	struct mt_drawdown dd[4];
	size_t n;

	for (int i = 0; i < 7; i++)
		d[i] = date_from_ymd(2024, 3, 4 + i);
	n = mt_drawdowns(d, r, 7, dd, 4);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(dd[0].open, 1);
	ck_assert_int_eq(dd[0].start, date_from_ymd(2024, 3, 8));
	ck_assert_int_eq(dd[0].valley, date_from_ymd(2024, 3, 9));
	ck_assert_int_eq(dd[0].end, date_from_ymd(2024, 3, 10)); /* the last date, as quantstats fills it */
	ck_assert_int_eq(dd[0].days, 3);
	ck_assert_double_eq_tol(dd[0].max_drawdown, 0.9 * 0.8 - 1, TOL);
	ck_assert_int_eq(dd[1].open, 0);
	ck_assert_int_eq(dd[1].start, date_from_ymd(2024, 3, 6));
	ck_assert_int_eq(dd[1].end, date_from_ymd(2024, 3, 6));
	ck_assert_int_eq(dd[1].recovery, date_from_ymd(2024, 3, 7));
}
END_TEST

START_TEST(test_extra)
{
	/* Expected values from a pandas re-implementation of quantstats 0.0.81 (stats.py, reports.metrics) on the
	 * 10-day series: comp over date windows, to_drawdown_series, recovery_factor, ulcer_index, exposure,
	 * profit_factor, tail_ratio (Series.quantile), numpy.corrcoef squared, rolling_sortino, rolling_greeks. */
	int d[10];
	struct mt_extra x;
	double so[10], be[10];

	dates(d);
	mt_extra(d, R, B, 10, &x);
	ck_assert_double_eq_tol(x.mtd, -0.005, TOL);                  /* February: the last day alone */
	ck_assert_double_eq_tol(x.m3, 0.013554157826026758, TOL);    /* 3 months back: every day */
	ck_assert_double_eq_tol(x.ytd, 0.008865957720499917, TOL);
	ck_assert_double_eq_tol(x.all, 0.40392329692785034, TOL);    /* the CAGR */
	ck_assert_double_eq_tol(x.best_month, 0.01393563590000002, TOL);
	ck_assert_double_eq_tol(x.worst_month, -0.005, TOL);
	ck_assert_double_eq_tol(x.best_year, 0.008865957720499917, TOL);
	ck_assert_double_eq_tol(x.worst_year, 0.004646999999999846, TOL);
	ck_assert_double_eq(x.longest_dd_days, 12);                  /* 2023-12-28 to 2024-01-08 */
	ck_assert_double_eq_tol(x.avg_dd, (-0.035141000000000089 - 0.005) / 2, TOL);
	ck_assert_double_eq_tol(x.avg_dd_days, (12 + 1) / 2.0, TOL);
	ck_assert_double_eq_tol(x.ulcer_index, 0.019980058203082, TOL);
	ck_assert_double_eq_tol(x.recovery_factor, 0.4268518255029725, TOL);
	ck_assert_double_eq(x.time_in_market, 0.9);                  /* one zero day in ten */
	ck_assert_double_eq_tol(x.profit_factor, 1.2307692307692308, TOL);
	ck_assert_double_eq_tol(x.tail_ratio, 1, TOL);
	ck_assert_double_eq_tol(x.r_squared, 0.964812286679609, TOL);
	mt_rolling_sortino(R, 10, 5, so);
	mt_rolling_beta(R, B, 10, 5, be);
	ck_assert(isnan(so[3]) && isnan(be[3]));
	ck_assert_double_eq_tol(so[4], -3.9379807398833617, TOL);
	ck_assert_double_eq_tol(so[9], 22.224311012942565, TOL);
	ck_assert_double_eq_tol(be[4], 1.6206896551724141, TOL);
	ck_assert_double_eq_tol(be[9], 1.724947807933193, TOL);
	/* No benchmark: no R-squared; one day: no ulcer index. */
	mt_extra(d, R, NULL, 1, &x);
	ck_assert(isnan(x.r_squared) && isnan(x.ulcer_index));
	ck_assert_double_eq_tol(x.all, pow(1.01, 252) - 1, 1e-9);
}
END_TEST

START_TEST(test_drawdown_ties)
{
	/* Two drawdowns of exactly -50% (halving, then doubling back): the earlier one comes first; in a
	 * period whose low is reached twice, the valley is the first. A first-day loss is a drawdown too. */
	static const double r[8] = { -0.5, 1.0, -0.5, 1.0, 0.0, -0.5, 0.0, 1.0 };
	int d[8];
	struct mt_drawdown dd[4];
	size_t n;

	for (int i = 0; i < 8; i++)
		d[i] = 19724 + i;
	n = mt_drawdowns(d, r, 8, dd, 4);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(dd[0].start, 19724);
	ck_assert_int_eq(dd[1].start, 19726);
	ck_assert_int_eq(dd[2].start, 19729);
	ck_assert_int_eq(dd[2].valley, 19729);
	ck_assert_int_eq(dd[2].end, 19730);
	ck_assert_int_eq(dd[2].days, 2);
	for (int i = 0; i < 3; i++)
		ck_assert_double_eq(dd[i].max_drawdown, -0.5);
}
END_TEST

START_TEST(test_periods)
{
	int d[10];
	struct mt_period p[24];
	size_t n;

	dates(d);
	n = mt_periods(d, R, B, 10, 0, p, 24);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(p[0].year, 2023);
	ck_assert_int_eq(p[0].month, 0);
	ck_assert_double_eq_tol(p[0].r, 1.01 * 0.98 * 1.015 - 1, TOL);
	ck_assert_double_eq_tol(p[0].rb, 1.005 * 0.99 * 1.01 - 1, TOL);
	ck_assert_double_eq_tol(p[1].r, 0.97 * 1.005 * 1.02 * 0.99 * 1.0 * 1.03 * 0.995 - 1, TOL);
	n = mt_periods(d, R, B, 10, 1, p, 24);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(p[1].year, 2024);
	ck_assert_int_eq(p[1].month, 1);
	ck_assert_double_eq_tol(p[1].r, 0.97 * 1.005 * 1.02 * 0.99 * 1.0 * 1.03 - 1, TOL);
	ck_assert_int_eq(p[2].month, 2);
	ck_assert_double_eq_tol(p[2].r, -0.005, TOL);
	ck_assert_double_eq_tol(p[2].rb, 0, TOL);
	/* Too little room: the count is still right, only `max` are written. */
	ck_assert_uint_eq(mt_periods(d, R, B, 10, 1, p, 1), 3);
}
END_TEST

/* Calendar periods as quantstats groups them: monthly_returns groups by the date's "%Y-%m-01", its yearly
 * returns by the year, each compounded with comp = prod(1 + r) - 1 (quantstats stats.py, utils.group_returns);
 * weeks run Monday to Sunday. The expectations are worked out by hand from those definitions. */
START_TEST(test_compound)
{
	int d[10];
	double out[10];

	dates(d); /* Wed 2023-12-27 .. Fri 12-29, Tue 2024-01-02 .. Fri 01-05, Mon 01-08, Tue 01-09, Thu 02-01 */
	ck_assert_double_eq(mt_comp(R, 0), 0);
	ck_assert_double_eq_tol(mt_comp(R, 3), 1.01 * 0.98 * 1.015 - 1, TOL);
	ck_assert_uint_eq(mt_span_end(d, 10, 0, MT_MONTH), 3);
	ck_assert_uint_eq(mt_span_end(d, 10, 3, MT_MONTH), 9);
	ck_assert_uint_eq(mt_span_end(d, 10, 9, MT_MONTH), 10);
	ck_assert_uint_eq(mt_span_end(d, 10, 3, MT_WEEK), 7); /* Tuesday to Friday; Monday 01-08 starts a week */

	ck_assert_uint_eq(mt_compound(d, R, 10, MT_MONTH, out), 3);
	ck_assert_double_eq_tol(out[0], 1.01 * 0.98 * 1.015 - 1, TOL);
	ck_assert_double_eq_tol(out[1], 0.97 * 1.005 * 1.02 * 0.99 * 1.0 * 1.03 - 1, TOL);
	ck_assert_double_eq_tol(out[2], -0.005, TOL);
	ck_assert_uint_eq(mt_compound(d, R, 10, MT_YEAR, out), 2);
	ck_assert_double_eq_tol(out[1], 0.97 * 1.005 * 1.02 * 0.99 * 1.0 * 1.03 * 0.995 - 1, TOL);
	ck_assert_uint_eq(mt_compound(d, R, 10, MT_QUARTER, out), 2);
	ck_assert_uint_eq(mt_compound(d, R, 10, MT_WEEK, out), 4);
	ck_assert_double_eq_tol(out[1], 0.97 * 1.005 * 1.02 * 0.99 - 1, TOL);
	ck_assert_double_eq_tol(out[2], 1.0 * 1.03 - 1, TOL);
	ck_assert_double_eq_tol(out[3], -0.005, TOL);
	/* one row, one period; a new year on January 1 even mid-week */
	ck_assert_uint_eq(mt_compound(d, R, 1, MT_YEAR, out), 1);
	ck_assert_double_eq_tol(out[0], 0.01, TOL);
}
END_TEST

/* dateutil's relativedelta(months=k), which quantstats' 3M/6M/1Y/3Y/5Y start from: the same day of the
 * month k months before, clipped to that month's last day (its documentation's rule). */
START_TEST(test_months_before)
{
	ck_assert_int_eq(mt_months_before(date_from_ymd(2024, 3, 31), 1), date_from_ymd(2024, 2, 29));
	ck_assert_int_eq(mt_months_before(date_from_ymd(2023, 3, 31), 1), date_from_ymd(2023, 2, 28));
	ck_assert_int_eq(mt_months_before(date_from_ymd(2024, 2, 29), 12), date_from_ymd(2023, 2, 28));
	ck_assert_int_eq(mt_months_before(date_from_ymd(2024, 1, 15), 35), date_from_ymd(2021, 2, 15));
	ck_assert_int_eq(mt_months_before(date_from_ymd(2024, 5, 31), 3), date_from_ymd(2024, 2, 29));
}
END_TEST

START_TEST(test_degenerate)
{
	static const double zeros[5] = { 0, 0, 0, 0, 0 };
	struct mt_stats m;
	double beta, alpha;

	mt_compute(NULL, 0, 0, &m);
	ck_assert(isnan(m.cagr) && isnan(m.sharpe) && isnan(m.max_drawdown) && isnan(m.win_rate));
	mt_compute(zeros, 5, 0, &m);
	ck_assert_double_eq(m.cumulative_return, 0);
	ck_assert_double_eq(m.volatility, 0);
	ck_assert(isnan(m.sharpe));  /* 0 / 0 */
	ck_assert(isnan(m.omega));   /* no losses */
	ck_assert(isnan(m.calmar));  /* no drawdown */
	ck_assert_double_eq(m.skew, 0); /* pandas: 0 when the variance is 0 */
	ck_assert_double_eq(m.kurtosis, 0);
	ck_assert_double_eq(m.win_rate, 0);
	ck_assert_double_eq(m.cvar_95, m.var_95); /* nothing below the VaR */
	mt_compute(R, 3, 0, &m);
	ck_assert(isnan(m.kurtosis) && !isnan(m.skew)); /* kurtosis needs 4 returns, skew 3 */
	mt_compute(R, 1, 0, &m);
	ck_assert(isnan(m.volatility) && isnan(m.skew));
	mt_greeks(R, zeros, 5, &beta, &alpha);
	ck_assert(isnan(beta) && isnan(alpha));
	mt_greeks(R, B, 1, &beta, &alpha);
	ck_assert(isnan(beta));
}
END_TEST

START_TEST(test_long_series)
{
	/* 50,000 days of a +0.1% / -0.1% alternation: compounding stays exact to the closed form. */
	size_t n = 50000;
	double *r = malloc(n * sizeof *r);
	struct mt_stats m;

	for (size_t i = 0; i < n; i++)
		r[i] = i % 2 ? -0.001 : 0.001;
	mt_compute(r, n, 0, &m);
	ck_assert_double_eq_tol(m.cumulative_return, pow(1.001 * 0.999, 25000) - 1, 1e-10);
	ck_assert_double_eq_tol(m.win_rate, 0.5, TOL);
	ck_assert_double_eq_tol(m.skew, 0, 1e-9);
	free(r);
}
END_TEST

/* PSR and DSR. Expected values: Python's statistics.NormalDist (an independent normal CDF and inverse,
 * scipy is not installed here) applied to the formulas of Bailey and Lopez de Prado (2014), and the paper's
 * own worked example: annual SR 2.5 from 1,250 daily returns, skewness -3, kurtosis 10 (excess 7), 100 trials
 * whose annual Sharpe ratios have variance 0.5, 250 days a year: E[max SR] 0.1132 daily, DSR 0.9004. */
START_TEST(test_psr_dsr)
{
	static const double p[5] = { 1e-6, 0.01, 0.3, 0.975, 0.999999 };
	static const double x[5] = { -4.753424308822899, -2.3263478740408408, -0.5244005127080407,
		1.9599639845400536, 4.753424308817089 };

	for (int i = 0; i < 5; i++)
		ck_assert_double_eq_tol(mt_norm_ppf(p[i]), x[i], 1e-9);
	ck_assert(isnan(mt_norm_ppf(0)) && isnan(mt_norm_ppf(1)));
	ck_assert_double_eq_tol(mt_norm_cdf(1.9599639845400536), 0.975, 1e-12);
	ck_assert_double_eq_tol(mt_psr(0.1, 0, 1250, -0.5, 3.0), 0.9996966478834461, 1e-12);
	ck_assert_double_eq_tol(mt_expected_max_sr(0.0004, 100), 0.050612057864033694, 1e-10);
	ck_assert_double_eq_tol(mt_dsr(0.1, 1250, -0.5, 3.0, 0.0004, 100), 0.9548022099379285, 1e-9);
	/* the paper's example */
	ck_assert_double_eq_tol(mt_expected_max_sr(0.5 / 250, 100), 0.11317200186513214, 1e-10);
	ck_assert_double_eq_tol(mt_dsr(2.5 / sqrt(250), 1250, -3, 7, 0.5 / 250, 100), 0.9004, 5e-5);
	/* PSR against a benchmark equal to the estimate is one half; more trials deflate more. */
	ck_assert_double_eq_tol(mt_psr(0.05, 0.05, 500, 0.3, 1), 0.5, 1e-15);
	ck_assert(mt_dsr(0.1, 1250, 0, 0, 0.0004, 1000) < mt_dsr(0.1, 1250, 0, 0, 0.0004, 10));
	ck_assert(isnan(mt_dsr(0.1, 1250, 0, 0, 0.0004, 1)) && isnan(mt_psr(0.1, 0, 1, 0, 0)));
}
END_TEST

/* mt_deflate over a grid's trials: the paper's worked example (Bailey and Lopez de Prado 2014: 100 trials
 * whose annual Sharpe ratios have variance 0.5; the chosen one's annual SR 2.5 from 1,250 daily returns,
 * skewness -3, kurtosis 10, 250 days a year: DSR 0.9004), built as 100 actual trials: the chosen one at s0
 * and the others at s0 + c z with z two 0s, 49 +1s and 49 -1s (sum 0, sample variance 98/99), c chosen so
 * the sample variance of all 100 daily ratios is 0.5 / 250. A trial with an undefined Sharpe ratio counts
 * in N but not in the variance (the explorer's rule before the move); fewer than two defined: NaN. */
START_TEST(test_deflate)
{
	struct mt_trial t[101];
	double dsr[101], s0 = 2.5 / sqrt(250), c = sqrt(0.5 / 250 * 99.0 / 98.0);

	t[0] = (struct mt_trial){ s0, 1250, -3, 7 };
	t[1] = (struct mt_trial){ s0, 1250, 0, 0 };
	for (int i = 2; i < 100; i++)
		t[i] = (struct mt_trial){ s0 + c * (i % 2 ? 1 : -1), 1250, 0.1, 1 };
	mt_deflate(t, 100, dsr);
	ck_assert_double_eq_tol(dsr[0], 0.9004, 5e-5);
	for (int i = 0; i < 100; i++)
		ck_assert_double_eq_tol(dsr[i], mt_dsr(t[i].sr, t[i].n, t[i].skew, t[i].exkurt, 0.5 / 250, 100), 1e-12);
	/* one more trial, undefined: N becomes 101, the variance stays */
	t[100] = (struct mt_trial){ NAN, 0, NAN, NAN };
	mt_deflate(t, 101, dsr);
	ck_assert(isnan(dsr[100]));
	ck_assert_double_eq_tol(dsr[0], mt_dsr(s0, 1250, -3, 7, 0.5 / 250, 101), 1e-12);
	ck_assert(dsr[0] < 0.9004);
	/* a single defined ratio has no variance */
	mt_deflate(t + 99, 2, dsr);
	ck_assert(isnan(dsr[0]) && isnan(dsr[1]));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("metrics");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_stats);
	tcase_add_test(core, test_risk_free);
	tcase_add_test(core, test_greeks);
	tcase_add_test(core, test_drawdowns);
	tcase_add_test(core, test_drawdown_open);
	tcase_add_test(core, test_extra);
	tcase_add_test(core, test_drawdown_ties);
	tcase_add_test(core, test_periods);
	tcase_add_test(core, test_compound);
	tcase_add_test(core, test_months_before);
	tcase_add_test(core, test_psr_dsr);
	tcase_add_test(core, test_deflate);
	tcase_add_test(errors, test_degenerate);
	tcase_add_test(limits, test_long_series);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
