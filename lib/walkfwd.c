#include "walkfwd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static const struct {
	const char *name;
	size_t off;
} fields[] = {
	{ "sharpe", offsetof(struct mt_stats, sharpe) },
	{ "sortino", offsetof(struct mt_stats, sortino) },
	{ "cagr", offsetof(struct mt_stats, cagr) },
	{ "calmar", offsetof(struct mt_stats, calmar) },
	{ "cumulative_return", offsetof(struct mt_stats, cumulative_return) },
	{ "omega", offsetof(struct mt_stats, omega) },
	{ "max_drawdown", offsetof(struct mt_stats, max_drawdown) },
	{ "win_rate", offsetof(struct mt_stats, win_rate) },
};

static int
field_of(const char *name)
{
	for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
		if (strcmp(fields[k].name, name) == 0)
			return (int)k;
	return -1;
}

int
wf_metric_ok(const char *name)
{
	return field_of(name) >= 0;
}

void
wf_free(struct wf_result *out)
{
	free(out->win);
	free(out->point);
	btr_free(&out->oos);
	memset(out, 0, sizeof *out);
}

int
wf_run(const struct btr_result *res, double *const *turnover, double *const *cost, size_t n, int train,
    int test, const char *metric, double rf, struct wf_result *out)
{
	size_t m = (size_t)-1, nw, *off = NULL, f = (size_t)field_of(metric);
	struct btr_result *o = &out->oos;

	memset(out, 0, sizeof *out);
	if (n == 0 || train < 1 || test < 1 || (int)f < 0)
		return 1;
	/* Every series ends on the panel's last day: the common days are the last m of each. */
	for (size_t i = 0; i < n; i++)
		if (res[i].n < m)
			m = res[i].n;
	if (m <= (size_t)train)
		return 1;
	nw = (m - (size_t)train + (size_t)test - 1) / (size_t)test;
	off = malloc(n * sizeof *off);
	out->win = calloc(nw, sizeof *out->win);
	o->cap = m - (size_t)train;
	o->date = malloc(o->cap * sizeof *o->date);
	o->net = malloc(o->cap * sizeof *o->net);
	o->b_net = malloc(o->cap * sizeof *o->b_net);
	out->point = malloc(o->cap * sizeof *out->point);
	if (off == NULL || out->win == NULL || o->date == NULL || o->net == NULL || o->b_net == NULL ||
	    out->point == NULL) {
		free(off);
		wf_free(out);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		off[i] = res[i].n - m;
	for (size_t w = 0; w < nw; w++) {
		size_t t0 = w * (size_t)test, s0 = t0 + (size_t)train, s1 = s0 + (size_t)test, best = 0;
		double score = NAN;

		if (s1 > m)
			s1 = m;
		for (size_t i = 0; i < n; i++) {
			struct mt_stats st;
			double v;

			mt_compute(res[i].net + off[i] + t0, (size_t)train, rf, &st);
			v = *(const double *)(const void *)((const char *)&st + fields[f].off);
			if (!isnan(v) && (isnan(score) || v > score)) {
				score = v;
				best = i;
			}
		}
		out->win[w] = (struct wf_window){ res[0].date[off[0] + t0], res[0].date[off[0] + s0 - 1],
			res[0].date[off[0] + s0], res[0].date[off[0] + s1 - 1], best, score };
		for (size_t k = s0; k < s1; k++) {
			size_t j = off[best] + k;

			o->date[o->n] = res[best].date[j];
			o->net[o->n] = res[best].net[j];
			o->b_net[o->n] = res[best].b_net[j];
			out->point[o->n++] = best;
			o->turnover += turnover[best][j];
			o->cost += cost[best][j];
		}
	}
	out->nwin = nw;
	free(off);
	return 0;
}
