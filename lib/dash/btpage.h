/* btpage: the parts of the backtest page (dash_backtest in backtest.c puts them together), one concern a
 * file: bt_inputs (its own inputs), bt_metrics (tiles and metric tables), bt_charts (time charts),
 * bt_periods (yearly and monthly returns), bt_tables (parameters, drawdowns, holdings), bt_sweep (the
 * parameter sensitivity heatmap). Internal to lib/dash. A section writer that allocates returns 0, or -1
 * when out of memory (the section may be partial); the others can't fail. */
#ifndef STI_DASH_BTPAGE_H
#define STI_DASH_BTPAGE_H

#include <jansson.h>
#include <stdio.h>

#include "dash/dash.h"

#define DBT_W 640     /* chart viewBox width: about 1:1 in a half-width card on a desktop */
#define DBT_ROLL 126  /* rolling window, trading days (half a year, as quantstats) */

/* What the benchmark is (backtest(1)): said wherever it is compared. */
#define BENCH_DESC "Benchmark: the equal-weight portfolio of the universe's members with a return that day, " \
	"rebalanced on the strategy's rebalance days and charged the same costs (backtest(1))."

/* ---- inputs (bt_inputs.c); each records its problem in *p ---- */

/* The metrics JSON (backtest --metrics): an object with a "strategy" object, else NULL. */
json_t *dbt_read_metrics(const char *path, dash_probs *p);
/* The strategy config as a JSON object of strings: either the file is one JSON object, or lines of
 * "key = value" with '#' comments. NULL when unreadable or malformed. */
json_t *dbt_read_config(const char *path, dash_probs *p);

/* A sweep CSV: lookback,skip,sharpe[,cagr,max_drawdown]. */
struct dbt_sweep {
	size_t n;
	double *lookback, *skip, *sharpe, *cagr, *mdd; /* one per row; cagr/mdd NaN when absent */
};

/* Read path into *s (zeroed first). Returns like dash_read_equity. */
int dbt_read_sweep(const char *path, struct dbt_sweep *s, dash_probs *p);
void dbt_sweep_free(struct dbt_sweep *s);

/* ---- the series every chart needs, computed once (bt_charts.c) ---- */
struct dbt_derived {
	int nser;             /* 2 with a benchmark, else 1 */
	double *r[2];         /* daily net returns, a missing one 0 */
	double *dd[2];        /* drawdown from the previous peak */
	double *vol[2], *sh[2], *so[2]; /* rolling volatility, Sharpe and Sortino */
	double *beta;         /* rolling beta of the strategy on the benchmark */
	double *mem;          /* one block holding them all (free it) */
};

int dbt_derive(struct dbt_derived *d, const dash_equity *e);
int dbt_chart_cum(FILE *fp, const dash_equity *e, const struct dbt_derived *d);
int dbt_chart_underwater(FILE *fp, const dash_equity *e, const struct dbt_derived *d);
int dbt_chart_daily(FILE *fp, const dash_equity *e, const struct dbt_derived *d);
int dbt_chart_quantiles(FILE *fp, const dash_equity *e, const struct dbt_derived *d);
int dbt_chart_dist(FILE *fp, const dash_equity *e, const struct dbt_derived *d);
int dbt_chart_rolling(FILE *fp, const dash_equity *e, const struct dbt_derived *d);
/* Turnover per rebalance: the metrics JSON's rebalances (m may be NULL), else the equity's turnover. */
int dbt_turnover(FILE *fp, const json_t *m, const dash_equity *e);

/* ---- metrics (bt_metrics.c) ---- */
void dbt_kpis(FILE *fp, const json_t *m);
void dbt_metrics_table(FILE *fp, const json_t *m);
/* The rest of quantstats' metrics (mt_extra): the metrics JSON's (m, may be NULL) where it has them (backtest(1)
 * writes them), else computed from the equity. */
void dbt_more_metrics(FILE *fp, const dash_equity *e, const struct dbt_derived *d, const json_t *m);

/* ---- yearly and monthly returns (bt_periods.c) ---- */
struct dbt_periods {
	size_t ny, nm;
	int *year;            /* ny years */
	double *ys, *yb;      /* strategy, benchmark per year */
	char (*month)[8];     /* nm months, "YYYY-MM" */
	double *ms, *mb;      /* strategy, benchmark per month */
	int start, end;       /* the series' first and last dates (-1000000: unknown) */
};

/* From the metrics JSON's "yearly" and "monthly" arrays, or computed from the derived daily returns (once,
 * by lib/metrics' mt_periods). Return 0, -1 when out of memory. */
int dbt_periods_from_metrics(struct dbt_periods *p, const json_t *m);
int dbt_periods_from_equity(struct dbt_periods *p, const dash_equity *e, const struct dbt_derived *d);
void dbt_periods_free(struct dbt_periods *p);
int dbt_yearly(FILE *fp, const struct dbt_periods *p);
/* The monthly heatmap of the strategy (which 0), the benchmark (1) or the excess (2). */
int dbt_monthly(FILE *fp, const struct dbt_periods *p, int which);

/* ---- tables (bt_tables.c) ---- */
void dbt_params(FILE *fp, const json_t *params, const char *source);
/* The worst drawdowns: the metrics JSON's (m may be NULL), else computed from e; uw the underwater series. */
void dbt_drawdowns(FILE *fp, const json_t *m, const dash_equity *e, const double *uw);
void dbt_holdings(FILE *fp, const dash_weights *w);

/* ---- the walk-forward curve (bt_walkfwd.c): path a --wf-out file; e the strategy's equity (NULL: none).
 * A missing or malformed file is recorded in *p and named on the page. Returns 0, -1 when out of memory. */
int dbt_walkfwd(FILE *fp, const char *path, const dash_equity *e, dash_probs *p);

/* ---- the sweep (bt_sweep.c); explorer: 1 when the page has the explorer (cells choose its point) ---- */
int dbt_sweep_section(FILE *fp, const struct dbt_sweep *s, int explorer);

#endif
