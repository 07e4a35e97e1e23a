/* grid_impl: what the parts of lib/grid share (the panel in memory, a thread's working memory, the
 * benchmark's shared stretches); not for tools. grid_panel.c loads the panel, grid_points.c reads a grid
 * file, grid_weights.c makes a point's schedule of weights, grid_sim.c simulates it, grid.c runs the
 * points on threads. */
#ifndef STI_GRID_IMPL_H
#define STI_GRID_IMPL_H

#include <math.h>
#include <pthread.h>
#include <stdint.h>

#include "book.h"
#include "grid.h"
#include "ids.h"
#include "strategy.h"

#define NONE UINT32_MAX

struct grid_panel {
	int nday;
	int *date;              /* each panel day */
	size_t *dayrow;         /* day d's rows are [dayrow[d], dayrow[d + 1]) */
	uint32_t *rsec;         /* each row's security */
	size_t nrow, caprow;
	/* securities: their ids (ids.n of them), and during the load the rows' order and duplicate checks */
	struct ids ids;
	uint32_t nsec;          /* ids.n once loaded */
	struct ids_order order;
	int *seen_day;
	size_t capseen;
	/* the universe: snapshots of members in file order */
	int universe;
	int nsnap;
	int *sdate;
	size_t *sbeg;           /* snapshot k is ssec[sbeg[k] .. sbeg[k + 1]) */
	uint32_t *ssec;
	size_t nmem, capmem, capsnap, capsbeg;
	int *snap_on;           /* per day: the snapshot dated that day, or -1 (what weights reads) */
	int *snap_upto;         /* per day: the latest snapshot dated on or before it, or -1 (what backtest reads) */
	/* per security, its series over its life [first, end]: end = last row + max_gap, within the panel */
	int max_gap;
	int *first, *end;       /* end < first: no rows */
	size_t *off;            /* its values start at off in each series */
	double *ret;            /* ret that day, NaN when empty or absent */
	double *tri;            /* TRI, NaN where undefined */
	double *rr;             /* the inverse-vol daily returns (NULL until a point needs them) */
	int32_t *nextv;         /* the next day with a ret after this one, INT32_MAX when none */
	size_t nval;
};

/* The inverse-vol daily returns in g->rr, made once when a point needs them. Returns 0, or -1 when out of
 * memory. */
int grid_build_rr(grid_panel *g);

/* A rebalance of the schedule: decided on day `day`, weights w[begin, end). */
struct reb {
	int day;
	size_t begin, end;
};

/* The schedule of weights of a group of points (those that differ only in lag and cost_bps). */
struct sched {
	struct reb *reb;
	size_t nreb, capreb;
	struct book_pos *wts;
	size_t nwts, capwts;
};

/* A thread's working memory. */
struct worker {
	const grid_panel *g;
	const struct strategy_config *c; /* the point whose schedule is being made */
	int day;                         /* and the day */
	struct strat_pick *picks;
	double *tmp;
	double *scratch;                 /* per security, 0 between uses */
	int *mark;                       /* per security: d + 1 when it leaves at d's close */
	const uint32_t *const *drop;     /* per day: the securities with their last ret in the window */
	const size_t *ndrop;
	struct strat_pick *xs;           /* the day's cross-section, z-scored (shared by the points) */
	double *xsorted;                 /* and its z-scores sorted */
	int *trade;                      /* the days a schedule's rebalances trade on */
	size_t captrade;
	struct book strat, bench, target;
};

/* A series' value for security i on day d: NaN outside its life. */
static inline double
val_at(const grid_panel *g, const double *series, uint32_t i, long d)
{
	if (d < g->first[i] || d > g->end[i])
		return NAN;
	return series[g->off[i] + (size_t)(d - g->first[i])];
}

/* The schedules of the nc configurations c[0..nc), which share one signal (lookback, skip), into
 * out[0..nc): their weights on every rebalance day (strategy.c's strat_day_end), each day's cross-section
 * computed once for all of them. Returns 0, or -1 when out of memory. */
int grid_schedules(struct worker *w, const struct strategy_config *const *c, size_t nc, struct sched *out);

/* A stretch of the benchmark between two trades, a and b (b < 0: to the end of the panel): after a
 * trade the benchmark's book is the targets of that day, whatever it held before, so the stretch is the
 * same for every point trading on a and then on b. Shared between points and threads. */
struct seg {
	int a, b;
	double t_in;     /* turnover of the trade at a from cash */
	double t_out;    /* turnover of the trade at b from the drifted book */
	double *gross;   /* the benchmark's gross return on days a + 1 .. b (or the end) */
	struct seg *next;
};

#define SEG_BUCKETS 4096

/* The shared stretches: a hash table of lists under a lock. */
struct segs {
	struct seg *tab[SEG_BUCKETS];
	pthread_mutex_t lock;
	int lookahead;
};

void grid_segs_free(struct segs *sg);

/* The simulation of the schedule sc with c's lag and cost (btrun.c's loop over bt_*) into res, and
 * when day_turnover is not NULL each day's strategy turnover and cost (malloc'd). Returns 0, or -1 when
 * out of memory. */
int grid_simulate(struct worker *w, const struct sched *sc, struct segs *sg, const struct strategy_config *c,
    int lookahead, struct btr_result *res, double **day_turnover, double **day_cost);

#endif
