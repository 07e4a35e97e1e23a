/* backtest: simulate a schedule of target weights against daily returns, with drift, delistings, costs
 * and an equal-weight benchmark on the same schedule.
 *
 * Two sides share the engine. The input side takes the prices in date order: bt_day_begin(), then one
 * bt_price() per row of that day, and bt_input_end() after the last. The simulation side runs a number of
 * trading days behind it (the look-ahead), so that it knows whether a held security has any return still
 * to come: while bt_next() says a day is ready, the caller may give bt_member() rows of the benchmark's
 * universe, calls bt_simulate() to earn the day's returns, and on a rebalance date gives bt_target() rows
 * and calls bt_rebalance(). Memory holds per-security state and the rows of the look-ahead window only,
 * so it does not grow with the number of days.
 *
 * The rules (see backtest(1) and sti-backtest(5)):
 *  - Weights decided at t's close earn from t+1: r_p(t+1) = sum_i w_i(t) r_i(t+1). A held security with no
 *    ret on a day (empty, or no row) earns 0 that day.
 *  - Weights are fractions of the portfolio's value; the rest, 1 - sum w, is cash earning 0. After each day
 *    w_i <- w_i (1 + r_i) / (1 + r_p): for a fully invested long-only book that is w_i (1 + r_i) /
 *    sum_j w_j (1 + r_j); a dollar-neutral long-short book keeps its collateral as cash.
 *  - A security's data ends at its last non-empty ret (a delisting return is compounded into it). At that
 *    day's close, before any rebalance, a held security whose data has ended drops out and the remaining
 *    positions of the same side (long or short) are scaled so that the side keeps its exposure: for a
 *    long-only book the proceeds are reinvested pro rata. A security bought after its data ended drops out
 *    the same way right after the rebalance. "No further ret" is decided within the look-ahead: a ret that
 *    comes back after more than `lookahead` trading days is not seen in time.
 *  - Rebalance at t's close: turnover = sum_i |w_target_i - w_drifted_i| (from cash: sum |w_target|),
 *    cost = cost_bps / 10000 * turnover, charged on the next day's return: net = gross - cost.
 *  - Benchmark: at each rebalance date, equal weight over the universe members of that day with a
 *    non-empty ret (no universe given: every security with one), the same drift, drops and costs. */
#ifndef STI_BACKTEST_H
#define STI_BACKTEST_H

#include <stddef.h>

typedef struct bt_engine bt_engine;

/* One simulated day: what the strategy and the benchmark earned on `date`. */
struct bt_day {
	int date;          /* the day the returns are earned (days since 1970-01-01) */
	double gross;      /* strategy return before costs */
	double net;        /* gross - cost */
	double equity;     /* cumulative net wealth, 1 before the first day */
	double turnover;   /* turnover of the rebalance at the previous close, 0 on other days */
	double cost;       /* cost charged today: cost_bps / 10000 * turnover */
	double b_gross;    /* the same for the benchmark */
	double b_net;
	double b_equity;
	double b_turnover;
	double b_cost;
};

/* A position of the strategy, as bt_holding() reports it. */
struct bt_pos {
	const char *id;     /* security id */
	const char *symbol; /* its symbol on the simulated day ("" if never given) */
	double weight;      /* weight at the day's close, after drift and drops, before a rebalance */
};

/* New engine. cost_bps >= 0; long_short: accept negative target weights; use_universe: the benchmark
 * takes its members from bt_member() instead of every security with a ret; lookahead >= 1 trading days.
 * Returns NULL when out of memory. */
bt_engine *bt_new(double cost_bps, int long_short, int use_universe, int lookahead);
void bt_free(bt_engine *e);

/* ---- input side ---- */

/* Start the input day `date`. Returns 0, or EX_DATAERR when date is before the previous day (err set). Giving
 * the current day again is allowed (rows of one day may be given in several runs). */
int bt_day_begin(bt_engine *e, int date, char *err, size_t errlen);

/* The row of security `id` on the input day: its symbol (NULL: keep the last one) and ret (NaN: missing).
 * Returns 0, or EX_DATAERR on a duplicate (date, id), EX_OSERR when out of memory (err set). */
int bt_price(bt_engine *e, const char *id, const char *symbol, double ret, char *err, size_t errlen);

/* No more input: every buffered day becomes ready. */
void bt_input_end(bt_engine *e);

/* ---- simulation side ---- */

/* 1 with *date set when a day is ready to simulate, 0 when more input is needed (or, after
 * bt_input_end, when every day is done). */
int bt_next(bt_engine *e, int *date);

/* Mark id a member of the universe snapshot dated `date`; a later snapshot replaces the membership. The
 * caller gives the snapshots dated on or before the next day to simulate. Returns 0, or EX_DATAERR on a
 * snapshot out of date order or a duplicate (date, id), EX_OSERR when out of memory (err set). */
int bt_member(bt_engine *e, int date, const char *id, char *err, size_t errlen);

/* Simulate the day bt_next() reported: earn its returns on what was held, drift the weights, drop those
 * whose data has ended. When the portfolios are running (a rebalance happened before), fills *out and
 * returns 1; else returns 0. */
int bt_simulate(bt_engine *e, struct bt_day *out);

/* Add a target weight for a rebalance at the simulated day's close. Returns 0, or EX_DATAERR when the
 * weight is not finite, negative in long-only mode or repeats an id, EX_OSERR when out of memory (err set).
 * Zero weights are accepted and not held. */
int bt_target(bt_engine *e, const char *id, double weight, char *err, size_t errlen);

/* Rebalance at the simulated day's close: the strategy to the targets given since bt_simulate (none: all
 * cash), the benchmark to equal weights; the costs are charged on the next day. Reports the turnovers
 * when the pointers are not NULL. Returns 0, or -1 when out of memory. */
int bt_rebalance(bt_engine *e, double *turnover, double *b_turnover);

/* The strategy's positions at the simulated day's close (see struct bt_pos). Valid until the next call
 * into the engine. */
size_t bt_nheld(const bt_engine *e);
struct bt_pos bt_holding(const bt_engine *e, size_t i);

#endif
