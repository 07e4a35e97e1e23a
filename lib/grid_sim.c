#include "grid_impl.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* book_drop's test after day d: no ret in the look-ahead window after d (backtest.c's ended()). With
 * mark, on a day of the drop lists (see book_earn below): the marked securities. */
struct gone_at {
	const grid_panel *g;
	int d;
	long horizon;      /* d + lookahead */
	const int *mark;   /* per security: d + 1 when it leaves at d's close; NULL: look it up */
};

static int
gone(const void *arg, uint32_t i)
{
	const struct gone_at *x = arg;
	const grid_panel *g = x->g;
	long next;

	if (x->mark != NULL)
		next = x->mark[i] == x->d + 1 ? INT32_MAX : 0;
	else if (x->d > g->end[i])
		next = INT32_MAX;
	else if (x->d < g->first[i]) /* not reached: a position is bought on or after a row */
		next = !isnan(g->ret[g->off[i]]) ? g->first[i] : g->nextv[g->off[i]];
	else
		next = g->nextv[g->off[i] + (size_t)(x->d - g->first[i])];
	return next > x->horizon;
}

static void
drop(const grid_panel *g, struct book *b, int d, int lookahead, const int *mark)
{
	struct gone_at x = { g, d, (long)d + lookahead, mark };

	book_drop(b, gone, &x);
}

static double
ret_on(const grid_panel *g, uint32_t i, int d)
{
	double r = val_at(g, g->ret, i, d);

	return isnan(r) ? 0 : r;
}

/* Earn day d on b (backtest.c's earn). */
static double
earn(struct worker *w, struct book *b, int d, int last, int lookahead)
{
	const grid_panel *g = w->g;
	double rp;

	for (size_t j = 0; j < b->n; j++)
		b->r[j] = ret_on(g, b->p[j].sec, d);
	rp = book_earn(b);
	/* A held security leaves only on a day with its last ret before more than `lookahead` days without
	 * one (it was still there the day before): those days' lists, marked, stand for the full check. */
	if (!last && w->ndrop[d] > 0) {
		for (size_t k = 0; k < w->ndrop[d]; k++)
			w->mark[w->drop[d][k]] = d + 1;
		drop(g, b, d, lookahead, w->mark);
	}
	return rp;
}

/* The benchmark's targets for a trade at day d's close into w->target: equal weights over the universe
 * members (backtest: the latest snapshot on or before d) or the rows with a ret that day. Returns their
 * number, or (size_t)-1 when out of memory. */
static size_t
bench_targets(struct worker *w, int d)
{
	const grid_panel *g = w->g;
	struct book *t = &w->target;
	size_t n = 0;

	if (g->universe) {
		int k = g->snap_upto[d];

		if (k >= 0) {
			if (util_grow((void **)&t->p, &t->cap, g->sbeg[k + 1] - g->sbeg[k], sizeof *t->p) != 0)
				return (size_t)-1;
			for (size_t j = g->sbeg[k]; j < g->sbeg[k + 1]; j++)
				if (!isnan(val_at(g, g->ret, g->ssec[j], d)))
					t->p[n++].sec = g->ssec[j];
		}
	} else {
		if (util_grow((void **)&t->p, &t->cap, g->dayrow[d + 1] - g->dayrow[d], sizeof *t->p) != 0)
			return (size_t)-1;
		for (size_t j = g->dayrow[d]; j < g->dayrow[d + 1]; j++)
			if (!isnan(val_at(g, g->ret, g->rsec[j], d)))
				t->p[n++].sec = g->rsec[j];
	}
	book_equal(t->p, n);
	return n;
}

static struct seg *
seg_compute(struct worker *w, int a, int b, int lookahead)
{
	const grid_panel *g = w->g;
	struct book *bn = &w->bench;
	int end = b < 0 ? g->nday - 1 : b;
	struct seg *x = calloc(1, sizeof *x);
	size_t n;

	if (x == NULL || (x->gross = malloc((size_t)(end - a + 1) * sizeof *x->gross)) == NULL)
		goto fail;
	x->a = a;
	x->b = b;
	bn->n = 0;
	if ((n = bench_targets(w, a)) == (size_t)-1 || book_set(bn, w->target.p, n, w->scratch, 0) != 0)
		goto fail;
	x->t_in = bn->turnover;
	drop(g, bn, a, lookahead, NULL);
	for (int d = a + 1; d <= end; d++)
		x->gross[d - a - 1] = earn(w, bn, d, d == g->nday - 1, lookahead);
	if (b >= 0) {
		if ((n = bench_targets(w, b)) == (size_t)-1 || book_set(bn, w->target.p, n, w->scratch, 0) != 0)
			goto fail;
		x->t_out = bn->turnover;
	}
	return x;
fail:
	if (x != NULL)
		free(x->gross);
	free(x);
	return NULL;
}

static struct seg *
seg_get(struct worker *w, struct segs *sg, int a, int b)
{
	size_t h = ((size_t)(unsigned)a * 2654435761u ^ (size_t)(unsigned)(b + 1) * 40503u) % SEG_BUCKETS;
	struct seg *x, *mine;

	pthread_mutex_lock(&sg->lock);
	for (x = sg->tab[h]; x != NULL && (x->a != a || x->b != b); x = x->next)
		;
	pthread_mutex_unlock(&sg->lock);
	if (x != NULL)
		return x;
	if ((mine = seg_compute(w, a, b, sg->lookahead)) == NULL)
		return NULL;
	pthread_mutex_lock(&sg->lock);
	for (x = sg->tab[h]; x != NULL && (x->a != a || x->b != b); x = x->next)
		;
	if (x == NULL) { /* another thread may have made the same one meanwhile: it is the same */
		mine->next = sg->tab[h];
		sg->tab[h] = x = mine;
		mine = NULL;
	}
	pthread_mutex_unlock(&sg->lock);
	if (mine != NULL) {
		free(mine->gross);
		free(mine);
	}
	return x;
}

void
grid_segs_free(struct segs *sg)
{
	for (size_t h = 0; h < SEG_BUCKETS; h++)
		while (sg->tab[h] != NULL) {
			struct seg *x = sg->tab[h];

			sg->tab[h] = x->next;
			free(x->gross);
			free(x);
		}
}

/* The simulation of the schedule sc with c's lag and cost (btrun.c's loop over bt_*), into res: the
 * strategy day by day, the benchmark from the shared stretches between its trades. */
int
grid_simulate(struct worker *w, const struct sched *sc, struct segs *sg, const struct strategy_config *c,
    int lookahead, struct btr_result *res, double **day_turnover, double **day_cost)
{
	const grid_panel *g = w->g;
	double rate = c->cost_bps / 10000.0, b_turnover = 0;
	size_t ri = 0, nt = 0;
	int started = 0, pending = INT_MIN;
	struct book *st = &w->strat, *t = &w->target;
	struct seg *cur = NULL;

	memset(res, 0, sizeof *res);
	st->n = 0;
	st->turnover = st->cost = 0;
	res->cap = g->nday ? (size_t)g->nday : 1;
	res->capreb = sc->nreb ? sc->nreb : 1;
	res->date = malloc(res->cap * sizeof *res->date);
	res->net = malloc(res->cap * sizeof *res->net);
	res->b_net = malloc(res->cap * sizeof *res->b_net);
	res->reb = malloc(res->capreb * sizeof *res->reb);
	if (util_grow((void **)&w->trade, &w->captrade, sc->nreb + 1, sizeof *w->trade) != 0 || res->date == NULL ||
	    res->net == NULL || res->b_net == NULL || res->reb == NULL)
		return -1;
	if (day_turnover != NULL && ((*day_turnover = malloc(res->cap * sizeof **day_turnover)) == NULL ||
	    (*day_cost = malloc(res->cap * sizeof **day_cost)) == NULL))
		return -1;
	/* The trade days: weights decided on day d - lag + 1 trade at d's close. */
	for (size_t k = 0; k < sc->nreb; k++)
		if (sc->reb[k].day + c->lag - 1 < g->nday)
			w->trade[nt++] = sc->reb[k].day + c->lag - 1;
	for (int d = 0; d < g->nday; d++) {
		if (started) {
			double gross = earn(w, st, d, d == g->nday - 1, lookahead), net, b_net, b_cost, turnover, cost;

			net = book_net(st, gross, &turnover, &cost, NULL);
			b_cost = rate * b_turnover;
			b_net = cur->gross[d - cur->a - 1] - b_cost;
			if (pending != INT_MIN)
				res->reb[res->nreb++] = (struct btr_rebalance){ pending, turnover, cost };
			pending = INT_MIN;
			if (day_turnover != NULL) {
				(*day_turnover)[res->n] = turnover;
				(*day_cost)[res->n] = cost;
			}
			res->date[res->n] = g->date[d];
			res->net[res->n] = net;
			res->b_net[res->n++] = b_net;
			res->turnover += turnover;
			res->cost += cost;
			res->b_turnover += b_turnover;
			res->b_cost += b_cost;
			b_turnover = 0;
		}
		if (ri == nt || w->trade[ri] != d)
			continue;
		t->n = 0;
		for (size_t k = sc->reb[ri].begin; k < sc->reb[ri].end; k++)
			if (sc->wts[k].w != 0) {
				if (util_grow((void **)&t->p, &t->cap, t->n + 1, sizeof *t->p) != 0)
					return -1;
				t->p[t->n++] = sc->wts[k];
			}
		if (book_set(st, t->p, t->n, w->scratch, rate) != 0)
			return -1;
		drop(g, st, d, lookahead, NULL);
		/* the benchmark: its trade's turnover ends the previous stretch; the next one starts */
		if (cur != NULL)
			b_turnover = cur->t_out;
		if ((cur = seg_get(w, sg, d, ri + 1 < nt ? w->trade[ri + 1] : -1)) == NULL)
			return -1;
		if (!started)
			b_turnover = cur->t_in;
		started = 1;
		pending = g->date[sc->reb[ri].day];
		ri++;
	}
	return 0;
}
