#include "grid_impl.h"

#include <math.h>
#include <stdint.h>

#include "date.h"
#include "util.h"

/* strategy.c's vol_of: the std of the last vol_window daily returns, NaN when one is undefined. */
static double
vol_cb(void *arg, long sec)
{
	struct worker *w = arg;
	const grid_panel *g = w->g;
	long v = w->c->vol_window, d0 = (long)w->day - v + 1;
	uint32_t i = (uint32_t)sec;
	const double *x;

	if (d0 < 0 || d0 < g->first[i] || w->day > g->end[i])
		return NAN;
	x = g->rr + g->off[i] + (size_t)(d0 - g->first[i]);
	for (long k = 0; k < v; k++)
		if (isnan(x[k]))
			return NAN;
	return strat_std(x, (size_t)v);
}

/* strategy.c's compute(): the portfolio decided at day d's close into picks; its size. */
static long
compute(struct worker *w, int d)
{
	const grid_panel *g = w->g;
	const struct strategy_config *c = w->c;
	long n = 0, a_day = (long)d - c->skip, b_day = a_day - c->lookback;
	const uint32_t *list;
	size_t nlist;

	if (d < c->skip + c->lookback)
		return 0;
	if (g->universe) {
		int k = g->snap_on[d];

		if (k < 0)
			return 0;
		list = g->ssec + g->sbeg[k];
		nlist = g->sbeg[k + 1] - g->sbeg[k];
	} else {
		list = g->rsec + g->dayrow[d];
		nlist = g->dayrow[d + 1] - g->dayrow[d];
	}
	for (size_t k = 0; k < nlist; k++) {
		uint32_t i = list[k];
		double a = val_at(g, g->tri, i, a_day), b = val_at(g, g->tri, i, b_day), mom = a / b - 1;

		if (isnan(a) || isnan(b) || !isfinite(mom))
			continue;
		w->picks[n].sec = i;
		w->picks[n++].x = mom;
	}
	w->day = d;
	return strat_select(c, w->picks, n, w->tmp, vol_cb, w);
}

/* The weights of configuration c on every rebalance day (strategy.c's strat_day_end). */
int
grid_schedule(struct worker *w, const struct strategy_config *c)
{
	const grid_panel *g = w->g;
	long d0 = -1;

	w->c = c;
	w->nreb = w->nwts = 0;
	for (int d = 0; d < g->nday; d++) {
		int rebalance;
		long got;

		if (c->rebalance == CONFIG_MONTHLY) {
			int y1, m1, d1, y2, m2, d2;

			date_to_ymd(g->date[d], &y1, &m1, &d1);
			if (d + 1 < g->nday) {
				date_to_ymd(g->date[d + 1], &y2, &m2, &d2);
				rebalance = y1 != y2 || m1 != m2;
			} else {
				rebalance = cal_is_month_end(g->date[d]);
			}
		} else {
			rebalance = d0 < 0 || (d - d0) % c->rebalance_every == 0;
		}
		if (!rebalance || (got = compute(w, d)) <= 0)
			continue;
		if (d0 < 0)
			d0 = d;
		if (util_grow((void **)&w->reb, &w->capreb, w->nreb + 1, sizeof *w->reb) != 0 ||
		    util_grow((void **)&w->wts, &w->capwts, w->nwts + (size_t)got, sizeof *w->wts) != 0)
			return -1;
		w->reb[w->nreb++] = (struct reb){ d, w->nwts, w->nwts + (size_t)got };
		for (long k = 0; k < got; k++)
			w->wts[w->nwts++] = (struct book_pos){ (uint32_t)w->picks[k].sec, w->picks[k].x };
	}
	return 0;
}
