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
#include "metrics.h"
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
	struct sched *sched;   /* group k's schedule */
	size_t *sgroup;        /* the groups, those of one signal together */
	size_t *task;          /* scheduling task t makes the schedules of sgroup[task[t] .. task[t + 1]) */
	size_t ntask;
	size_t next;           /* the next task (or group) to take */
	uint32_t **drop;       /* per day: the securities whose last ret in the window is that day's */
	size_t *ndrop;
	uint32_t *dropsec;
	pthread_mutex_t lock;
	int failed;
	struct btr_result *res;
	double **turnover, **cost; /* per point and day, or NULL */
	struct segs segs;      /* the benchmark's stretches */
	void (*progress)(void *ctx, size_t done, size_t total); /* or NULL */
	size_t done;           /* points simulated */
};

/* 1 when a and b share a signal: the same momentum on every day, hence the same cross-sections. */
static int
same_signal(const struct strategy_config *a, const struct strategy_config *b)
{
	return a->lookback == b->lookback && a->skip == b->skip && a->max_gap == b->max_gap;
}

/* 1 when a and b give the same weights (they may differ in lag and cost_bps). */
static int
same_weights(const struct strategy_config *a, const struct strategy_config *b)
{
	return same_signal(a, b) && a->winsor_lo == b->winsor_lo && a->winsor_hi == b->winsor_hi &&
	    a->select == b->select && a->long_short == b->long_short && a->weighting == b->weighting &&
	    a->vol_window == b->vol_window && a->max_weight == b->max_weight && a->rebalance == b->rebalance &&
	    a->rebalance_every == b->rebalance_every;
}

static int
worker_init(struct worker *w, const struct job *j)
{
	size_t ns = j->g->nsec ? j->g->nsec : 1;

	memset(w, 0, sizeof *w);
	w->g = j->g;
	w->drop = (const uint32_t *const *)j->drop;
	w->ndrop = j->ndrop;
	w->picks = malloc(ns * sizeof *w->picks);
	w->xs = malloc(ns * sizeof *w->xs);
	w->tmp = malloc(ns * sizeof *w->tmp);
	w->xsorted = malloc(ns * sizeof *w->xsorted);
	w->scratch = calloc(ns, sizeof *w->scratch);
	w->mark = calloc(ns, sizeof *w->mark);
	return w->picks == NULL || w->xs == NULL || w->tmp == NULL || w->xsorted == NULL || w->scratch == NULL ||
	    w->mark == NULL ? -1 : 0;
}

static void
worker_free(struct worker *w)
{
	free(w->picks);
	free(w->xs);
	free(w->tmp);
	free(w->xsorted);
	free(w->scratch);
	free(w->mark);
	free(w->trade);
	book_free(&w->strat);
	book_free(&w->bench);
	book_free(&w->target);
}

/* The next task below n for this thread, or n when there is none left (or a thread failed). */
static size_t
take(struct job *j, size_t n)
{
	size_t k;

	pthread_mutex_lock(&j->lock);
	k = j->failed ? n : j->next++;
	pthread_mutex_unlock(&j->lock);
	return k < n ? k : n;
}

static void
failed(struct job *j)
{
	pthread_mutex_lock(&j->lock);
	j->failed = 1;
	pthread_mutex_unlock(&j->lock);
}

/* The first round: the schedules, a task's groups sharing each day's cross-section. */
static void *
work_schedules(void *arg)
{
	struct job *j = arg;
	struct worker w;
	const struct strategy_config **c = malloc((j->ngroup ? j->ngroup : 1) * sizeof *c);
	struct sched *out = malloc((j->ngroup ? j->ngroup : 1) * sizeof *out);
	size_t t;

	if (worker_init(&w, j) != 0 || c == NULL || out == NULL)
		goto fail;
	while ((t = take(j, j->ntask)) < j->ntask) {
		size_t nc = j->task[t + 1] - j->task[t];

		for (size_t x = 0; x < nc; x++) {
			size_t k = j->sgroup[j->task[t] + x];

			c[x] = &j->c[j->order[j->group[k]]];
			out[x] = j->sched[k];
		}
		if (grid_schedules(&w, c, nc, out) != 0) {
			for (size_t x = 0; x < nc; x++) /* what grew is freed with the job */
				j->sched[j->sgroup[j->task[t] + x]] = out[x];
			goto fail;
		}
		for (size_t x = 0; x < nc; x++)
			j->sched[j->sgroup[j->task[t] + x]] = out[x];
	}
	goto out;
fail:
	failed(j);
out:
	worker_free(&w);
	free(c);
	free(out);
	return NULL;
}

/* The second round: each group's points simulated from its schedule. */
static void *
work_points(void *arg)
{
	struct job *j = arg;
	struct worker w;
	size_t k;

	if (worker_init(&w, j) != 0)
		goto fail;
	while ((k = take(j, j->ngroup)) < j->ngroup) {
		for (size_t x = j->group[k]; x < j->group[k + 1]; x++) {
			size_t i = j->order[x];

			if (grid_simulate(&w, &j->sched[k], &j->segs, &j->c[i], j->lookahead, &j->res[i],
			    j->turnover != NULL ? &j->turnover[i] : NULL, j->turnover != NULL ? &j->cost[i] : NULL) != 0)
				goto fail;
			if (j->progress != NULL) { /* under the lock, so that the counts are told in order */
				pthread_mutex_lock(&j->lock);
				j->progress(NULL, ++j->done, j->n);
				pthread_mutex_unlock(&j->lock);
			}
		}
	}
	goto out;
fail:
	failed(j);
out:
	worker_free(&w);
	return NULL;
}

/* Run fn on jobs threads (this one included) until its tasks are taken. */
static void
run_threads(struct job *j, pthread_t *th, int jobs, void *(*fn)(void *))
{
	int nth = 0;

	j->next = 0;
	for (; nth < jobs - 1; nth++)
		if (pthread_create(&th[nth], NULL, fn, j) != 0)
			break;
	fn(j);
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
}

/* The groups by schedule, then by signal, and the scheduling tasks: a signal's groups in one task, or
 * split in up to `jobs` tasks when there are fewer signals than threads (each part then computes the
 * signal's cross-sections again, in parallel). Returns 0, or -1 when out of memory. */
static int
plan(struct job *j, int jobs)
{
	size_t n = j->n, nsig = 0;
	char *taken = calloc(n ? n : 1, 1);
	int rc = -1;

	j->order = malloc((n ? n : 1) * sizeof *j->order);
	j->group = malloc((n + 1) * sizeof *j->group);
	j->sgroup = malloc((n ? n : 1) * sizeof *j->sgroup);
	j->task = malloc((n + 1) * sizeof *j->task);
	if (taken == NULL || j->order == NULL || j->group == NULL || j->sgroup == NULL || j->task == NULL)
		goto out;
	for (size_t i = 0, x = 0; i < n; i++) {
		if (taken[i])
			continue;
		j->group[j->ngroup++] = x;
		for (size_t k = i; k < n; k++)
			if (!taken[k] && same_weights(&j->c[i], &j->c[k])) {
				taken[k] = 1;
				j->order[x++] = k;
			}
	}
	j->group[j->ngroup] = n;
	if ((j->sched = calloc(j->ngroup ? j->ngroup : 1, sizeof *j->sched)) == NULL)
		goto out;
	memset(taken, 0, n ? n : 1);
	for (size_t k = 0, x = 0; k < j->ngroup; k++) {
		const struct strategy_config *a = &j->c[j->order[j->group[k]]];

		if (taken[k])
			continue;
		nsig++;
		for (size_t m = k; m < j->ngroup; m++)
			if (!taken[m] && same_signal(a, &j->c[j->order[j->group[m]]])) {
				taken[m] = 1;
				j->sgroup[x++] = m;
			}
	}
	for (size_t x = 0; x < j->ngroup;) {
		size_t end = x, m, parts = nsig < (size_t)jobs ? ((size_t)jobs + nsig - 1) / nsig : 1;

		while (end < j->ngroup && same_signal(&j->c[j->order[j->group[j->sgroup[x]]]],
		    &j->c[j->order[j->group[j->sgroup[end]]]]))
			end++;
		m = end - x;
		if (parts > m)
			parts = m;
		for (size_t p = 0; p < parts; p++)
			j->task[j->ntask++] = x + m * p / parts;
		x = end;
	}
	j->task[j->ntask] = j->ngroup;
	rc = 0;
out:
	free(taken);
	return rc;
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
    struct btr_result *res, double **turnover, double **cost, void (*progress)(void *ctx, size_t done, size_t total),
    char *err, size_t errlen)
{
	struct job j = { .g = g, .c = c, .n = n, .lookahead = lookahead < 1 ? 1 : lookahead, .res = res,
		.turnover = turnover, .cost = cost, .progress = progress };
	pthread_t *th = NULL;
	int rc = 0;

	memset(res, 0, n * sizeof *res);
	if (turnover != NULL) {
		memset(turnover, 0, n * sizeof *turnover);
		memset(cost, 0, n * sizeof *cost);
	}
	if (jobs < 1)
		jobs = 1;
	for (size_t i = 0; i < n; i++)
		if (c[i].weighting == CONFIG_INVERSE_VOL && grid_build_rr(g) != 0)
			goto nomem;
	if (plan(&j, jobs) != 0 || drop_lists(&j) != 0)
		goto nomem;
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
	run_threads(&j, th, jobs, work_schedules);
	if (!j.failed)
		run_threads(&j, th, jobs, work_points);
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
	rc = EX_OSERR;
out:
	for (size_t k = 0; j.sched != NULL && k < j.ngroup; k++) {
		free(j.sched[k].reb);
		free(j.sched[k].wts);
	}
	free(j.sched);
	free(th);
	free(j.drop);
	free(j.ndrop);
	free(j.dropsec);
	free(j.order);
	free(j.group);
	free(j.sgroup);
	free(j.task);
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

static int
metric_index(const char *name)
{
	for (int k = 0; grid_metric_names[k] != NULL; k++)
		if (strcmp(grid_metric_names[k], name) == 0)
			return k;
	return -1;
}

int
grid_deflate(const struct btr_result *res, const double *m, size_t stride, size_t n, double *dsr)
{
	int ks = metric_index("sharpe"), kk = metric_index("skew"), kx = metric_index("kurtosis");
	struct mt_trial *t = malloc((n ? n : 1) * sizeof *t);

	if (t == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const double *mi = m + i * stride;

		t[i] = (struct mt_trial){ mi[ks] / sqrt(MT_PERIODS), (double)res[i].n, mi[kk], mi[kx] };
	}
	mt_deflate(t, n, dsr);
	free(t);
	return 0;
}
