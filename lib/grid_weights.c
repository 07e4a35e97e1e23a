#include "grid_impl.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* The cross-section of day d for the signal of c (lookback, skip): the eligible securities with their
 * momentum, z-scored, into w->xs, and the z-scores sorted into w->xsorted (strategy.c's compute() up to
 * strat_zscore). Returns their number, 0 when no portfolio can be chosen that day. */
static long
cross_section(struct worker *w, const struct strategy_config *c, int d)
{
	const grid_panel *g = w->g;
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
		w->xs[n].sec = i;
		w->xs[n++].x = mom;
	}
	return strat_zscore(w->xs, n, w->xsorted);
}

/* Whether c rebalances at day d's close, its first rebalance having been d0 (-1: none yet). */
static int
rebalances(const grid_panel *g, const struct strategy_config *c, int d, long d0)
{
	int y1, m1, d1, y2, m2, d2;

	if (c->rebalance != CONFIG_MONTHLY)
		return d0 < 0 || (d - d0) % c->rebalance_every == 0;
	date_to_ymd(g->date[d], &y1, &m1, &d1);
	if (d + 1 == g->nday)
		return cal_is_month_end(g->date[d]);
	date_to_ymd(g->date[d + 1], &y2, &m2, &d2);
	return y1 != y2 || m1 != m2;
}

static int
sched_add(struct sched *s, int d, const struct strat_pick *picks, long got)
{
	if (util_grow((void **)&s->reb, &s->capreb, s->nreb + 1, sizeof *s->reb) != 0 ||
	    util_grow((void **)&s->wts, &s->capwts, s->nwts + (size_t)got, sizeof *s->wts) != 0)
		return -1;
	s->reb[s->nreb++] = (struct reb){ d, s->nwts, s->nwts + (size_t)got };
	for (long k = 0; k < got; k++)
		s->wts[s->nwts++] = (struct book_pos){ (uint32_t)picks[k].sec, picks[k].x };
	return 0;
}

int
grid_schedules(struct worker *w, const struct strategy_config *const *c, size_t nc, struct sched *out)
{
	const grid_panel *g = w->g;
	long *d0 = malloc((nc ? nc : 1) * sizeof *d0);
	char *on = malloc(nc ? nc : 1);
	int rc = -1;

	if (d0 == NULL || on == NULL)
		goto out;
	for (size_t k = 0; k < nc; k++) {
		d0[k] = -1;
		out[k].nreb = out[k].nwts = 0;
	}
	for (int d = 0; d < g->nday; d++) {
		int any = 0;
		long n;

		for (size_t k = 0; k < nc; k++)
			any |= on[k] = (char)rebalances(g, c[k], d, d0[k]);
		/* the day's cross-section once; each point's rules on a copy of it */
		if (!any || (n = cross_section(w, c[0], d)) <= 0)
			continue;
		w->day = d;
		for (size_t k = 0; k < nc; k++) {
			long got;

			if (!on[k])
				continue;
			memcpy(w->picks, w->xs, (size_t)n * sizeof *w->picks);
			memcpy(w->tmp, w->xsorted, (size_t)n * sizeof *w->tmp);
			w->c = c[k];
			if ((got = strat_select_sorted(c[k], w->picks, n, w->tmp, vol_cb, w)) <= 0)
				continue;
			if (d0[k] < 0)
				d0[k] = d;
			if (sched_add(&out[k], d, w->picks, got) != 0)
				goto out;
		}
	}
	rc = 0;
out:
	free(d0);
	free(on);
	return rc;
}
