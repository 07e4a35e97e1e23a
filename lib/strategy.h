/* strategy: the reference strategy (cross-sectional momentum), one trading day at a time.
 *
 * The caller feeds a date-major prices stream: strat_day_begin(date), the day's rows (strat_price) and
 * universe members (strat_member) in any order, then strat_day_end(next_date). Each security keeps a
 * total-return index TRI(t) = prod(1 + ret) in a ring buffer of the last lookback + skip + 1 panel days
 * (and, for inverse-vol weighting, its last vol_window daily returns): memory depends on the number of
 * securities, never on the number of days. Securities unseen for longer than the window give their
 * buffers back.
 *
 * Semantics (sti-strategy.conf(5) has the full text):
 *  - Panel days are the distinct dates of the stream; "t - k" is the k-th panel day before t.
 *  - A security's TRI starts at its first row. On each later panel day its return is the row's `ret`;
 *    an absent row or an empty `ret` is a missing return, counted as 0 for up to max_gap consecutive
 *    panel days; from the (max_gap + 1)-th the TRI is undefined until a row with a `ret` comes back,
 *    when the product resumes where it stopped.
 *  - mom(t) = TRI(t - skip) / TRI(t - skip - lookback) - 1. Eligible on t: in the universe on t (with
 *    no universe: a row on t), both TRI values defined, mom finite.
 *  - z = (mom - mean) / std (ddof 1), clipped to its winsor_lo and winsor_hi percentiles; long those with
 *    z >= the select percentile (long-short: short those <= the 100 - select percentile; one meeting
 *    both is neither). Percentiles are numpy's linear ones, sums numpy's pairwise ones.
 *  - Raw weight 1 (equal) or 1 / std of the last vol_window daily returns (inverse_vol; a missing return
 *    within max_gap counts as 0; a security whose std is undefined or 0 is dropped); signed weights are
 *    raw / sum of raw (gross exposure 1), then capped at max_weight with the excess spread pro rata
 *    over the uncapped until none exceeds (gross < 1 when everyone is capped).
 *  - Rebalance days: periodic: the first day with a selection, then every rebalance_every panel days
 *    after it; monthly: the last panel day of each month (the stream's last day when it is the NYSE's
 *    last trading day of its month). A rebalance day with no selection produces nothing. */
#ifndef STI_STRATEGY_H
#define STI_STRATEGY_H

#include <stddef.h>

#include "config.h"

typedef struct strat strat;

/* A new engine for the parameters c (checked with config_check first). NULL when out of memory. */
strat *strat_new(const struct strategy_config *c);
void strat_free(strat *s);

/* Start the panel day `date`, which must be after the previous one. Returns 0, or EX_DATAERR with err
 * set ("DATE is before DATE: the input must be sorted by date"; the same date again is the caller's
 * business: it simply continues the day). */
int strat_day_begin(strat *s, int date, char *err, size_t errlen);

/* One prices row of the current day: id and symbol (not NUL-terminated), has_ret 0 for an empty `ret`.
 * Returns 0, or a sysexits code with err set: EX_DATAERR (a duplicate id on the day, ret < -1, an empty
 * id), EX_OSERR (out of memory). */
int strat_price(strat *s, const char *id, size_t idlen, const char *sym, size_t symlen, int has_ret,
    double ret, char *err, size_t errlen);

/* From now on, eligibility comes from strat_member() (a universe file), not from the day's rows. Call it
 * before the first day when a universe is given. This function can't fail. */
void strat_universe_mode(strat *s);

/* Tell that id is in the universe on the current day. Returns 0, or a sysexits code with err set:
 * EX_DATAERR (a duplicate member), EX_OSERR (out of memory). */
int strat_member(strat *s, const char *id, size_t idlen, char *err, size_t errlen);

/* End the current day. next_date is the next panel day, or 0 when the stream ends (it only decides
 * whether today is the last of its month). Returns 1 when today is a rebalance day with a selection
 * (read it with strat_nweights/strat_weight), 0 otherwise, -1 when out of memory. */
int strat_day_end(strat *s, int next_date);

/* The target portfolio of the last strat_day_end() that returned 1: securities in the day's input order
 * (rows, or universe rows in universe mode). */
size_t strat_nweights(const strat *s);
void strat_weight(const strat *s, size_t i, const char **id, const char **symbol, double *weight);

/* ---- the cross-section, shared with the grid (lib/grid) ---- */

/* A candidate of a day's cross-section. */
struct strat_pick {
	long sec;   /* the caller's security index */
	double x;   /* mom on input; the signed weight on output */
	double raw; /* raw weight (1 or 1/vol) */
	int side;   /* +1 long, -1 short */
};

/* The rules after mom (z-scores, winsorisation, selection, raw and signed weights, the cap) on the n
 * eligible candidates picks[0..n), in the day's input order. tmp has room for n doubles; vol(arg, sec) is
 * the std of the security's last vol_window daily returns (asked for with inverse_vol only; NaN or 0:
 * dropped) and may use tmp itself. The portfolio is left in picks[0..r), in input order; returns r (0: no
 * selection). This is what strat_day_end() runs. */
long strat_select(const struct strategy_config *c, struct strat_pick *picks, long n, double *tmp,
    double (*vol)(void *arg, long sec), void *arg);

/* strat_select in its two halves, so that the grid can compute the first once for every point that shares
 * a cross-section (lib/grid). strat_zscore: the z-scores (x - mean) / std into picks[i].x and, sorted, into
 * sorted[0..n); returns n, or 0 when there is no selection (n < 2, a std that is 0 or not finite).
 * strat_select_sorted: the rest (winsorisation, selection, weights, the cap) on what strat_zscore left,
 * with sorted used up as scratch; returns what strat_select returns. */
long strat_zscore(struct strat_pick *picks, long n, double *sorted);
long strat_select_sorted(const struct strategy_config *c, struct strat_pick *picks, long n, double *sorted,
    double (*vol)(void *arg, long sec), void *arg);

/* ---- the numerical building blocks, public for tests ---- */

/* numpy's pairwise summation of a[0..n) (what np.sum and pandas' mean compute), bit for bit. */
double strat_sum(const double *a, size_t n);
/* numpy's default percentile (linear interpolation between closest ranks) of sorted[0..n), n >= 1, for q
 * in [0, 100]: np.percentile(x, q), bit for bit. */
double strat_percentile(const double *sorted, size_t n, double q);
/* Sample standard deviation (ddof = 1) with numpy's two-pass pairwise formula; NaN when n < 2. */
double strat_std(const double *a, size_t n);

#endif
