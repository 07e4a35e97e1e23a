#include "grid_impl.h"

#include <jansson.h>
#include <pthread.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "util.h"

/* ---- the threads ---- */

struct job {
	grid_panel *g;
	const struct strategy_config *c;
	size_t n;
	int lookahead;
	size_t *order;         /* the points, grouped by schedule */
	size_t *group;         /* group k is order[group[k] .. group[k + 1]) */
	size_t ngroup;
	size_t next;           /* the next group to take */
	uint32_t **drop;       /* per day: the securities whose last ret in the window is that day's */
	size_t *ndrop;
	uint32_t *dropsec;
	pthread_mutex_t lock;
	int failed;
	struct btr_result *res;
	double **turnover, **cost; /* per point and day, or NULL */
	struct segs segs;      /* the benchmark's stretches */
};

/* 1 when a and b give the same weights (they may differ in lag and cost_bps). */
static int
same_weights(const struct strategy_config *a, const struct strategy_config *b)
{
	return a->lookback == b->lookback && a->skip == b->skip && a->max_gap == b->max_gap &&
	    a->winsor_lo == b->winsor_lo && a->winsor_hi == b->winsor_hi && a->select == b->select &&
	    a->long_short == b->long_short && a->weighting == b->weighting && a->vol_window == b->vol_window &&
	    a->max_weight == b->max_weight && a->rebalance == b->rebalance &&
	    a->rebalance_every == b->rebalance_every;
}

static void *
work(void *arg)
{
	struct job *j = arg;
	struct worker w = { .g = j->g, .drop = (const uint32_t *const *)j->drop, .ndrop = j->ndrop };
	size_t ns = j->g->nsec ? j->g->nsec : 1, maxvol = 1;

	for (size_t i = 0; i < j->n; i++)
		if ((size_t)j->c[i].vol_window > maxvol)
			maxvol = (size_t)j->c[i].vol_window;
	w.picks = malloc(ns * sizeof *w.picks);
	w.tmp = malloc((ns > maxvol ? ns : maxvol) * sizeof *w.tmp);
	w.scratch = calloc(ns, sizeof *w.scratch);
	w.mark = calloc(ns, sizeof *w.mark);
	if (w.picks == NULL || w.tmp == NULL || w.scratch == NULL || w.mark == NULL)
		goto fail;
	for (;;) {
		size_t k;

		pthread_mutex_lock(&j->lock);
		k = j->failed ? j->ngroup : j->next++;
		pthread_mutex_unlock(&j->lock);
		if (k >= j->ngroup)
			break;
		if (grid_schedule(&w, &j->c[j->order[j->group[k]]]) != 0)
			goto fail;
		for (size_t x = j->group[k]; x < j->group[k + 1]; x++) {
			size_t i = j->order[x];

			if (grid_simulate(&w, &j->segs, &j->c[i], j->lookahead, &j->res[i],
			    j->turnover != NULL ? &j->turnover[i] : NULL, j->turnover != NULL ? &j->cost[i] : NULL) != 0)
				goto fail;
		}
	}
	goto out;
fail:
	pthread_mutex_lock(&j->lock);
	j->failed = 1;
	pthread_mutex_unlock(&j->lock);
out:
	free(w.picks);
	free(w.tmp);
	free(w.scratch);
	free(w.mark);
	free(w.reb);
	free(w.wts);
	free(w.trade);
	book_free(&w.strat);
	book_free(&w.bench);
	book_free(&w.target);
	return NULL;
}

/* Each day's securities with a ret that day and none in the `lookahead` days after: a held one leaves at
 * that day's close, and these are the only days a held one can leave on. */
static int
drop_lists(struct job *j)
{
	const grid_panel *g = j->g;
	size_t nd = (size_t)g->nday + 1, total = 0;

	j->drop = malloc(nd * sizeof *j->drop);
	j->ndrop = calloc(nd, sizeof *j->ndrop);
	if (j->drop == NULL || j->ndrop == NULL)
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < g->nsec; i++)
			for (int d = g->first[i]; d <= g->end[i]; d++) {
				size_t k = g->off[i] + (size_t)(d - g->first[i]);

				if (isnan(g->ret[k]) || g->nextv[k] <= (long)d + j->lookahead)
					continue;
				if (pass == 0)
					j->ndrop[d]++;
				else
					j->drop[d][j->ndrop[d]++] = i;
			}
		if (pass == 1)
			break;
		for (size_t d = 0; d < nd; d++)
			total += j->ndrop[d];
		if ((j->dropsec = malloc((total ? total : 1) * sizeof *j->dropsec)) == NULL)
			return -1;
		total = 0;
		for (size_t d = 0; d < nd; d++) {
			j->drop[d] = j->dropsec + total;
			total += j->ndrop[d];
			j->ndrop[d] = 0;
		}
	}
	return 0;
}

int
grid_run(grid_panel *g, const struct strategy_config *c, size_t n, int lookahead, int jobs,
    struct btr_result *res, double **turnover, double **cost, char *err, size_t errlen)
{
	struct job j = { .g = g, .c = c, .n = n, .lookahead = lookahead < 1 ? 1 : lookahead, .res = res,
		.turnover = turnover, .cost = cost };
	pthread_t *th = NULL;
	int nth = 0, rc = 0;
	char *taken = NULL;

	memset(res, 0, n * sizeof *res);
	if (turnover != NULL) {
		memset(turnover, 0, n * sizeof *turnover);
		memset(cost, 0, n * sizeof *cost);
	}
	for (size_t i = 0; i < n; i++)
		if (c[i].weighting == CONFIG_INVERSE_VOL && grid_build_rr(g) != 0)
			goto nomem;
	j.order = malloc((n ? n : 1) * sizeof *j.order);
	j.group = malloc((n + 1) * sizeof *j.group);
	taken = calloc(n ? n : 1, 1);
	if (j.order == NULL || j.group == NULL || taken == NULL)
		goto nomem;
	for (size_t i = 0, x = 0; i < n; i++) {
		if (taken[i])
			continue;
		j.group[j.ngroup++] = x;
		for (size_t k = i; k < n; k++)
			if (!taken[k] && same_weights(&c[i], &c[k])) {
				taken[k] = 1;
				j.order[x++] = k;
			}
	}
	j.group[j.ngroup] = n;
	if (drop_lists(&j) != 0)
		goto nomem;
	if (jobs < 1)
		jobs = 1;
	if ((size_t)jobs > j.ngroup)
		jobs = j.ngroup ? (int)j.ngroup : 1;
	j.segs.lookahead = j.lookahead;
	if (pthread_mutex_init(&j.lock, NULL) != 0)
		goto nomem;
	if (pthread_mutex_init(&j.segs.lock, NULL) != 0) {
		pthread_mutex_destroy(&j.lock);
		goto nomem;
	}
	if ((th = malloc((size_t)jobs * sizeof *th)) == NULL) {
		pthread_mutex_destroy(&j.lock);
		pthread_mutex_destroy(&j.segs.lock);
		goto nomem;
	}
	for (; nth < jobs - 1; nth++)
		if (pthread_create(&th[nth], NULL, work, &j) != 0)
			break;
	work(&j);
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&j.lock);
	pthread_mutex_destroy(&j.segs.lock);
	grid_segs_free(&j.segs);
	if (j.failed) {
		for (size_t i = 0; i < n; i++) {
			btr_free(&res[i]);
			if (turnover != NULL) {
				free(turnover[i]);
				free(cost[i]);
				turnover[i] = cost[i] = NULL;
			}
		}
		goto nomem;
	}
	goto out;
nomem:
	err_fmt(err, errlen, "out of memory");
	rc = EX_SOFTWARE;
out:
	free(th);
	free(j.drop);
	free(j.ndrop);
	free(j.dropsec);
	free(j.order);
	free(j.group);
	free(taken);
	return rc;
}

/* ---- metrics ---- */

const char *const grid_metric_names[] = { "sharpe", "cagr", "volatility", "max_drawdown", "calmar", "sortino",
	"annual_turnover", "cumulative_return", "omega", "skew", "kurtosis", "var_95", "cvar_95", "win_rate",
	"best_day", "worst_day", "total_turnover", "total_cost", "beta", "alpha", NULL };

int
grid_metrics(const struct btr_result *res, double rf, double *out)
{
	json_t *doc = btr_metrics(res, rf, NULL), *s;

	if (doc == NULL || (s = json_object_get(doc, "strategy")) == NULL) {
		json_decref(doc);
		return -1;
	}
	for (int k = 0; grid_metric_names[k] != NULL; k++) {
		json_t *v = json_object_get(s, grid_metric_names[k]);

		out[k] = json_is_number(v) ? json_number_value(v) : NAN;
	}
	json_decref(doc);
	return 0;
}
