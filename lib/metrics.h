/* metrics: performance statistics of a daily return series, as quantstats 0.0.81 defines them.
 *
 * r is a series of daily simple returns (a missing day is a 0 return), N its length, 252 periods a year.
 * The definitions are in ../shared/reference/metrics.md and sti-backtest(5); skewness and excess kurtosis
 * are the bias-corrected sample statistics pandas computes (including its zeroing of sums below 1e-14).
 * A statistic that is undefined (too few returns, a zero denominator) is NaN. Sums run in index order. */
#ifndef STI_METRICS_H
#define STI_METRICS_H

#include <stddef.h>

#define MT_PERIODS 252                  /* trading days a year */
#define MT_Z05 (-1.6448536269514722)     /* the standard normal's 5% quantile */

struct mt_stats {
	double cumulative_return; /* prod(1 + r) - 1 */
	double cagr;              /* prod(1 + r)^(252 / N) - 1 */
	double volatility;        /* std(r, ddof 1) * sqrt(252) */
	double sharpe;            /* mean(e) / std(e, ddof 1) * sqrt(252), e = r - daily rf */
	double sortino;           /* mean(e) / sqrt(sum_{e<0} e^2 / N) * sqrt(252) */
	double max_drawdown;      /* min(W / cummax W) - 1, W = cumprod(1 + r) after W0 = 1 */
	double calmar;            /* cagr / |max_drawdown| */
	double omega;             /* sum of e > 0 / -(sum of e < 0) */
	double skew;              /* bias-corrected sample skewness */
	double kurtosis;          /* bias-corrected sample excess kurtosis */
	double var_95;            /* mean + std * z(0.05) */
	double cvar_95;           /* mean of r < var_95 (var_95 when there is none) */
	double win_rate;          /* #(r > 0) / #(r != 0), 0 when every r is 0 */
	double best_day;          /* max r */
	double worst_day;         /* min r */
};

/* Statistics of r[0..n) with an annual risk-free rate rf (daily: (1 + rf)^(1/252) - 1). This function
 * can't fail; with n == 0 every field is NaN. */
void mt_compute(const double *r, size_t n, double rf, struct mt_stats *out);

/* OLS of r on the benchmark b: *beta = cov(r, b) / var(b), *alpha = (mean r - beta mean b) * 252.
 * NaN when n < 2 or b is constant. */
void mt_greeks(const double *r, const double *b, size_t n, double *beta, double *alpha);

/* A drawdown period: from the first day under water to the last day still under water, as quantstats'
 * drawdown_details has it (an open period, still under water on the series' last day, ends there: it
 * has no recovery, and `open` says so). */
struct mt_drawdown {
	int start;           /* first day under water (a date) */
	int valley;          /* day of the lowest point (the first, on a tie) */
	int end;             /* last day under water (the series' last day when open) */
	int recovery;        /* first day back at the previous peak; meaningless when open */
	int open;            /* 1: still under water on the series' last day (not recovered), else 0 */
	int days;            /* end - start + 1, in calendar days */
	double max_drawdown; /* the lowest W / peak - 1 in the period (negative) */
};

/* The k worst drawdown periods of r (dated by date[]), worst first (ties: earlier start first), into
 * out[0..k). Returns how many were found (<= k). This function can't fail. */
size_t mt_drawdowns(const int *date, const double *r, size_t n, struct mt_drawdown *out, size_t k);

/* Calendar periods: weeks (Monday to Sunday), months, quarters and years; months and years as quantstats
 * groups returns for monthly_returns and its yearly table (utils.group_returns, compounded). */
enum mt_span { MT_WEEK = 1, MT_MONTH, MT_QUARTER, MT_YEAR };

/* prod(1 + r[0..n)) - 1, quantstats' comp; 0 when n == 0. This function can't fail. */
double mt_comp(const double *r, size_t n);

/* The first row after the calendar period that holds row i of date[0..n) (ascending); i < n. This function
 * can't fail. */
size_t mt_span_end(const int *date, size_t n, size_t i, enum mt_span span);

/* The compounded return of every calendar period of r over dates date[0..n) (ascending), oldest first, into
 * out (room for n); returns their count. This function can't fail. */
size_t mt_compound(const int *date, const double *r, size_t n, enum mt_span span, double *out);

/* The day k calendar months before `day`, its day of the month clipped to the month's length (Python's
 * dateutil relativedelta(months=k), which quantstats' trailing returns use). This function can't fail. */
int mt_months_before(int day, int k);

/* A calendar period's compounded return, prod(1 + r) - 1, for a series and its benchmark. */
struct mt_period {
	int year;  /* calendar year */
	int month; /* 1-12, or 0 for a whole year */
	double r;  /* the series */
	double rb; /* the benchmark */
};

/* Compounded returns by calendar year (monthly == 0) or month of r and rb over dates date[0..n)
 * (ascending) into out, which has room for max periods. Returns the number of periods, which may exceed
 * max (then only max were written). This function can't fail. */
size_t mt_periods(const int *date, const double *r, const double *rb, size_t n, int monthly,
    struct mt_period *out, size_t max);

/* The rest of quantstats' metrics report (reports.metrics, stats.py 0.0.81) for r over dates date[0..n)
 * (ascending), with the benchmark b for R-squared (NULL: NaN). NaN where undefined. */
struct mt_extra {
	/* Trailing returns to the last date T, compounded: MTD (from the 1st of T's month), 3M, 6M, 1Y
	 * (from T minus 3, 6, 12 calendar months, the day clipped to the month's end), YTD (from January 1);
	 * annualised as the CAGR of the rows from T minus 35 months (3Y), 59 months (5Y), 10 years (10Y), and
	 * of every row (all). */
	double mtd, m3, m6, ytd, y1, y3, y5, y10, all;
	double best_month, worst_month, best_year, worst_year; /* compounded calendar months and years */
	double longest_dd_days; /* the longest drawdown period, calendar days (mt_drawdown.days), 0: none */
	double avg_dd;          /* mean of every drawdown period's depth (negative), NaN: none */
	double avg_dd_days;     /* mean of their days */
	double recovery_factor; /* |sum of r| / |max drawdown| (quantstats sums, it does not compound) */
	double ulcer_index;     /* sqrt(sum of dd^2 / (N - 1)), dd the daily drawdown from the peak */
	double time_in_market;  /* share of days with r != 0, rounded up to a whole percent */
	double profit_factor;   /* sum of r >= 0 / |sum of r < 0| (+inf with no loss, 0 with neither) */
	double tail_ratio;      /* |95th percentile / 5th percentile| of r (linear interpolation) */
	double r_squared;       /* the squared correlation of r and b */
};

void mt_extra(const int *date, const double *r, const double *b, size_t n, struct mt_extra *out);

/* Rolling statistics over a window of w days into out[0..n) (NaN until the window is full), as quantstats'
 * rolling_sortino (mean / sqrt(sum of negative r^2 / w) x sqrt(252); NaN for a window with no loss, where
 * quantstats divides by 0) and rolling beta (cov / var of the
 * window, sample statistics; NaN when the benchmark is constant there). These functions can't fail. */
void mt_rolling_sortino(const double *r, size_t n, size_t w, double *out);
void mt_rolling_beta(const double *r, const double *b, size_t n, size_t w, double *out);

/* Honest about search (Bailey and Lopez de Prado, "The deflated Sharpe ratio", J. Portfolio Management 2014).
 * Sharpe ratios here are per period (daily, not annualised); n is the number of returns, skew and exkurt the
 * returns' skewness and excess kurtosis (the paper's gamma4 is exkurt + 3).
 *   mt_norm_cdf, mt_norm_ppf: the standard normal's CDF and its inverse (p in (0, 1), else NaN).
 *   mt_psr: the probabilistic Sharpe ratio, P(true SR > sr0) =
 *     Phi((sr - sr0) sqrt(n - 1) / sqrt(1 - skew sr + (gamma4 - 1) / 4 sr^2)).
 *   mt_expected_max_sr: E[max SR] of ntrials independent trials whose Sharpe ratios have variance var_sr
 *     (true SR 0): sqrt(var_sr) ((1 - g) Phi^-1(1 - 1/N) + g Phi^-1(1 - 1/(N e))), g Euler-Mascheroni.
 *   mt_dsr: the deflated Sharpe ratio, mt_psr with sr0 = mt_expected_max_sr(var_sr, ntrials).
 * NaN when undefined (n < 2, ntrials < 2, a non-positive variance inside the root). These can't fail. */
double mt_norm_cdf(double x);
double mt_norm_ppf(double p);
double mt_psr(double sr, double sr0, double n, double skew, double exkurt);
double mt_expected_max_sr(double var_sr, double ntrials);
double mt_dsr(double sr, double n, double skew, double exkurt, double var_sr, double ntrials);

/* One trial of a search (a point of a parameter grid): its per-period Sharpe ratio, its number of returns,
 * their skewness and excess kurtosis (as for mt_psr). */
struct mt_trial {
	double sr, n, skew, exkurt;
};

/* mt_deflate: the deflated Sharpe ratio of each of the ntrials trials t[0..ntrials), given all of them, as
 * the paper defines it: N = ntrials (every trial counts, even one whose Sharpe ratio is undefined), V[SR] the
 * sample variance (denominator k - 1) of the k defined Sharpe ratios, and dsr[i] = mt_dsr(t[i].sr, t[i].n,
 * t[i].skew, t[i].exkurt, V[SR], N). NaN where undefined (fewer than two defined ratios, ntrials < 2). The
 * one place a grid's DSR is computed (backtest --grid's dsr column, dash-gen's explorer). Can't fail. */
void mt_deflate(const struct mt_trial *t, size_t ntrials, double *dsr);

#endif
