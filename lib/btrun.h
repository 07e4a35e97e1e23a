/* btrun: the backtest over CSV streams: prices + weights (+ universe) -> equity CSV, holdings CSV, and the
 * series the metrics need; then the metrics JSON document (sti-backtest(5)).
 *
 * The prices (date,id,[symbol,]ret; more columns are ignored: a panel in one or several files read as one,
 * lib/panel) and the weights (date,id,weight) are each read once, in date order, and the universe (date,id)
 * alongside, joined by date (lib/panel); see backtest.h for the rules. Kept in memory: per-security state,
 * the look-ahead window, and per simulated day a date and two returns. */
#ifndef STI_BTRUN_H
#define STI_BTRUN_H

#include <jansson.h>
#include <stdio.h>

/* The largest daily return taken as data (+10000%): beyond it a number is an error, not a return
 * (1e308 made the equity infinite). */
#define BTR_MAX_RET 100

struct btr_opts {
	FILE *const *prices;       /* prices files, date-major, in date order (a panel, lib/panel) */
	const char *const *prices_name; /* for messages */
	int nprices;               /* >= 1 */
	FILE *weights;             /* weights CSV, sorted by date */
	const char *weights_name;
	FILE *universe;            /* universe CSV for the benchmark, or NULL: every security with a ret */
	const char *universe_name;
	double cost_bps;           /* cost per unit of turnover, in basis points */
	int long_short;            /* accept negative weights */
	int lag;                   /* trading days from a decision to its first return (>= 1) */
	int lookahead;             /* trading days to look ahead for a held security's next ret */
	double max_gross;          /* refuse a decision whose sum of |weight| is above this (+ 1e-6); 0: 1 */
	FILE *equity;              /* equity CSV output, or NULL */
	FILE *holdings;            /* holdings CSV output (date,id,symbol,weight), or NULL */
};

/* A rebalance whose cost was charged: dated by the decision day. */
struct btr_rebalance {
	int date;        /* the rebalance (decision) day */
	double turnover; /* sum |w_target - w_drifted| */
	double cost;     /* charged on the next day */
};

/* What the run leaves for the metrics. */
struct btr_result {
	int *date;                 /* each simulated day with a return earned */
	double *net, *b_net;       /* the strategy's and the benchmark's net return on it */
	size_t n, cap;
	double turnover, cost;     /* strategy totals over the days */
	double b_turnover, b_cost; /* benchmark totals */
	struct btr_rebalance *reb; /* the strategy's rebalances, in date order */
	size_t nreb, capreb;
};

/* Run the backtest. Returns 0, or a sysexits code with err set: EX_DATAERR for bad input
 * ("file:line: field: what is wrong": among others a ret above BTR_MAX_RET, a decision whose weights sum
 * above max_gross in absolute value, a universe with no rows, or none of whose ids has a return),
 * EX_IOERR when an output cannot be written, EX_OSERR when out of memory. The caller frees res with
 * btr_free() in every case. */
int btr_run(const struct btr_opts *o, struct btr_result *res, char *err, size_t errlen);
void btr_free(struct btr_result *res);

/* The metrics document of a run: start, end, days, params (a reference is stolen; NULL: {}), strategy
 * and benchmark statistics (rf: annual risk-free rate), yearly and monthly returns, the 10 worst
 * drawdowns and the rebalances. Returns NULL when out of memory. */
json_t *btr_metrics(const struct btr_result *res, double rf, json_t *params);

#endif
