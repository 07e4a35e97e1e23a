/* grid: many backtests of the reference strategy over one panel held in memory (backtest --grid).
 *
 * The panel (and the universe) is read once into rows by day; from it, once, each security's series over
 * its life: its ret by day, the total-return index TRI (strategy.h's rules, with the base max_gap), the
 * daily returns the inverse-vol std reads, and the next day with a ret (the backtest's look-ahead). A
 * point is then a sweep over the rebalance days only: each day's momentum from two TRI values, the
 * cross-section by strat_select() (the code strat_day_end() runs), and a simulation that touches the
 * positions held, not the rows. Points with one signal (lookback, skip) share each day's z-scored, sorted
 * cross-section (strat_zscore once, strat_select_sorted per point on a copy); points that differ only in
 * lag or cost_bps share one schedule of weights.
 *
 * Each point's result is bit for bit what `weights | backtest` gives with the same settings: the
 * cross-section is strat_select() of lib/strategy and the portfolio arithmetic is lib/book's, the code
 * lib/backtest runs (see backtest.h for the simulation's rules; tests/tools/backtest-grid.sh compares
 * every metric of every point). */
#ifndef STI_GRID_H
#define STI_GRID_H

#include <stddef.h>
#include <stdio.h>

#include "btrun.h"
#include "config.h"

typedef struct grid_panel grid_panel;

/* Read the prices (date,id,ret; more columns are ignored), a panel in nprices files read as one by
 * lib/panel, and, when universe is not NULL, the universe (date,id; sorted by date). max_gap is the
 * strategy's (every point shares it). Returns 0 with *out set, or a sysexits code with err set:
 * EX_DATAERR ("file:line: field: message"), EX_OSERR (out of memory). */
int grid_load(grid_panel **out, FILE *const *prices, const char *const *prices_name, int nprices, FILE *universe,
    const char *universe_name, int max_gap, char *err, size_t errlen);
void grid_free(grid_panel *g);

/* The panel's days. */
int grid_ndays(const grid_panel *g);

/* The points of a grid file: a header of sti-strategy.conf keys (the keys grid_key_ok accepts), one row
 * per point, each value applied with config_set() over the base configuration and checked. */
struct grid_points {
	int ncol;
	char **col;                 /* the header's keys */
	size_t n;
	size_t *row;                /* row[i]: point i's row in the file, from 0 after the header */
	char ***val;                /* val[i][k]: point i's text for column k, as in the file */
	struct strategy_config *c;  /* point i's configuration */
};

/* 1 when key may be a column of a grid (lookback, skip, select, winsor, mode, weighting, vol_window,
 * max_weight, rebalance, rebalance_every, lag, cost_bps). */
int grid_key_ok(const char *key);

/* Read a grid file. Returns 0, or a sysexits code with err set ("file:line: key: message", EX_DATAERR;
 * EX_OSERR when out of memory). */
int grid_read(struct grid_points *p, FILE *fp, const char *name, const struct strategy_config *base, char *err,
    size_t errlen);
void grid_points_free(struct grid_points *p);

/* Keep points [from, to) only (a slice of the grid); this function can't fail. */
void grid_points_keep(struct grid_points *p, size_t from, size_t to);

/* Run the n configurations c[0..n) on jobs threads (>= 1) with the backtest's look-ahead; res[i] gets
 * point i's run, as btr_run() would leave it (free each with btr_free()). When turnover is not NULL,
 * turnover[i] and cost[i] get (malloc'd, the caller frees) point i's strategy turnover and cost on each
 * day of res[i]. When progress is not NULL, it is called (from any of the threads, one call at a time,
 * done ascending) with the points simulated so far and n after each point (progress.h's progress_of fits).
 * Returns 0, or EX_OSERR with err set (out of memory). */
int grid_run(grid_panel *g, const struct strategy_config *c, size_t n, int lookahead, int jobs,
    struct btr_result *res, double **turnover, double **cost, void (*progress)(void *ctx, size_t done, size_t total),
    char *err, size_t errlen);

/* The strategy metrics of the grid's output, in their order: the keys of metrics.json's "strategy". */
extern const char *const grid_metric_names[];

/* The values of grid_metric_names for a run (rf: the annual risk-free rate); NaN where metrics.json has
 * null. out has room for every name. Returns 0, or -1 when out of memory. */
int grid_metrics(const struct btr_result *res, double rf, double *out);

/* The deflated Sharpe ratio of each of the n points into dsr[0..n), the trials being these points: lib/metrics'
 * mt_deflate over their daily Sharpe ratios (sharpe / sqrt(MT_PERIODS)), skews and kurtoses as grid_metrics
 * gave them in m[i * stride + k] (k the index of the name in grid_metric_names), and their numbers of days
 * res[i].n. This function can't fail but for memory: returns 0, or -1 when out of memory. */
int grid_deflate(const struct btr_result *res, const double *m, size_t stride, size_t n, double *dsr);

/* The grid table (backtest --grid's output) read from table, written to out with its dsr column computed as
 * grid_deflate does, the trials being the table's rows: what a table put together from slices
 * (--grid-slice, whose dsr is empty) needs. The daily Sharpe ratios, skews and kurtoses are the table's
 * sharpe / sqrt(MT_PERIODS), skew and kurtosis; each point's number of days its rows in equity, the grid
 * equity CSV (point = the table's row from 0). Returns 0, or a sysexits code with err set: EX_DATAERR
 * ("file:line: column: message": a missing column, a malformed number, a point that is not a row),
 * EX_IOERR (writing out), EX_OSERR (out of memory). */
int grid_table_deflate(FILE *table, const char *tname, FILE *equity, const char *ename, FILE *out, char *err,
    size_t errlen);

#endif
