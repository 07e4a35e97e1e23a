#include "grid.h"

#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "book.h"
#include "csv.h"
#include "date.h"
#include "err.h"
#include "ids.h"
#include "panel.h"
#include "strategy.h"
#include "util.h"

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

/* ---- loading ---- */

/* The security of a prices row (order: the rows' order, NULL for a universe row), added when new; NONE
 * when out of memory. */
static uint32_t
sec_of(grid_panel *g, struct ids_order *order, const char *id, size_t n)
{
	uint32_t i;

	if (util_grow((void **)&g->seen_day, &g->capseen, (size_t)g->ids.n + 1, sizeof *g->seen_day) != 0)
		return NONE;
	i = order != NULL ? ids_row(&g->ids, order, id, n, NULL) : ids_intern(&g->ids, id, n, NULL);
	for (; g->nsec < g->ids.n; g->nsec++)
		g->seen_day[g->nsec] = INT_MIN;
	return i;
}

static int
load_prices(grid_panel *g, FILE *const *fps, const char *const *names, int nfiles, char *err, size_t errlen)
{
	static const char *const cols[] = { "ret" };
	panel *p;
	size_t capday = 0, capdayrow = 0, caprret = 0;
	double *rret = NULL;
	int rc;

	if ((rc = panel_open(&p, fps, names, nfiles, cols, 1, PANEL_KEYS, err, errlen)) != 0)
		return rc;
	while (panel_has(p)) {
		csv_reader *r = panel_csv(p);
		double ret = NAN;
		uint32_t i;
		int got;

		if (panel_newday(p)) {
			if (util_grow((void **)&g->date, &capday, (size_t)g->nday + 1, sizeof *g->date) != 0 ||
			    util_grow((void **)&g->dayrow, &capdayrow, (size_t)g->nday + 2, sizeof *g->dayrow) != 0)
				goto nomem;
			g->date[g->nday] = panel_date(p);
			g->dayrow[g->nday++] = g->nrow;
			ids_order_restart(&g->order);
		}
		if ((got = csv_double(r, panel_col(p, 0), &ret)) < 0)
			goto data;
		if (got == 0)
			ret = NAN;
		else if (!isfinite(ret) || ret < -1) {
			csv_fail(r, panel_col(p, 0), "%s is not a return (>= -1)", csv_field(r, panel_col(p, 0)));
			goto data;
		}
		if ((i = sec_of(g, &g->order, panel_id(p), panel_idlen(p))) == NONE ||
		    util_grow((void **)&g->rsec, &g->caprow, g->nrow + 1, sizeof *g->rsec) != 0 ||
		    util_grow((void **)&rret, &caprret, g->nrow + 1, sizeof *rret) != 0)
			goto nomem;
		g->rsec[g->nrow] = i;
		rret[g->nrow++] = ret;
		if (panel_next(p) < 0) {
			err_fmt(err, errlen, "%s", panel_error(p));
			rc = panel_code(p);
			goto fail;
		}
	}
	if (g->dayrow == NULL && (g->dayrow = malloc(sizeof *g->dayrow)) == NULL)
		goto nomem;
	g->dayrow[g->nday] = g->nrow;
	panel_close(p);
	/* The row rets go into the per-security series once the lives are known. */
	g->ret = rret;
	return 0;
data:
	err_fmt(err, errlen, "%s", csv_error(panel_csv(p)));
	rc = EX_DATAERR;
	goto fail;
nomem:
	err_fmt(err, errlen, "out of memory");
	rc = EX_SOFTWARE;
fail:
	panel_close(p);
	free(rret);
	return rc;
}

static int
load_universe(grid_panel *g, FILE *fp, const char *name, char *err, size_t errlen)
{
	panel *p;
	char a[DATE_LEN + 1];
	int rc;

	if ((rc = panel_open(&p, &fp, &name, 1, NULL, 0, 0, err, errlen)) != 0)
		return rc;
	for (uint32_t i = 0; i < g->nsec; i++)
		g->seen_day[i] = INT_MIN;
	while (panel_has(p)) {
		int day = panel_date(p);
		uint32_t i;

		if (panel_newday(p)) {
			if (util_grow((void **)&g->sdate, &g->capsnap, (size_t)g->nsnap + 1, sizeof *g->sdate) != 0 ||
			    util_grow((void **)&g->sbeg, &g->capsbeg, (size_t)g->nsnap + 2, sizeof *g->sbeg) != 0)
				goto nomem;
			g->sdate[g->nsnap] = day;
			g->sbeg[g->nsnap++] = g->nmem;
		}
		if ((i = sec_of(g, NULL, panel_id(p), panel_idlen(p))) == NONE ||
		    util_grow((void **)&g->ssec, &g->capmem, g->nmem + 1, sizeof *g->ssec) != 0)
			goto nomem;
		if (g->seen_day[i] == day) {
			csv_fail(panel_csv(p), panel_cid(p), "duplicate row for id '%s' on %s", g->ids.name[i], date_fmt(day, a));
			err_fmt(err, errlen, "%s", csv_error(panel_csv(p)));
			rc = EX_DATAERR;
			goto fail;
		}
		g->seen_day[i] = day;
		g->ssec[g->nmem++] = i;
		if (panel_next(p) < 0) {
			err_fmt(err, errlen, "%s", panel_error(p));
			rc = panel_code(p);
			goto fail;
		}
	}
	if (g->sbeg == NULL && (g->sbeg = malloc(sizeof *g->sbeg)) == NULL)
		goto nomem;
	g->sbeg[g->nsnap] = g->nmem;
	panel_close(p);
	return 0;
nomem:
	err_fmt(err, errlen, "out of memory");
	rc = EX_SOFTWARE;
fail:
	panel_close(p);
	return rc;
}

/* Each security's life and series, from the rows (g->ret holds the row rets on entry). */
static int
build_series(grid_panel *g)
{
	double *rowret = g->ret;
	size_t n = g->nsec ? g->nsec : 1;

	g->ret = NULL;
	g->first = malloc(n * sizeof *g->first);
	g->end = malloc(n * sizeof *g->end);
	g->off = malloc(n * sizeof *g->off);
	if (g->first == NULL || g->end == NULL || g->off == NULL)
		goto nomem;
	for (uint32_t i = 0; i < g->nsec; i++) {
		g->first[i] = INT_MAX;
		g->end[i] = -1;
	}
	for (int d = 0; d < g->nday; d++)
		for (size_t r = g->dayrow[d]; r < g->dayrow[d + 1]; r++) {
			uint32_t i = g->rsec[r];

			if (g->first[i] == INT_MAX)
				g->first[i] = d;
			g->end[i] = d; /* the last row, for now */
		}
	g->nval = 0;
	for (uint32_t i = 0; i < g->nsec; i++) {
		g->off[i] = g->nval;
		if (g->end[i] < 0)
			continue;
		g->end[i] = g->end[i] + g->max_gap < g->nday - 1 ? g->end[i] + g->max_gap : g->nday - 1;
		g->nval += (size_t)(g->end[i] - g->first[i] + 1);
	}
	n = g->nval ? g->nval : 1;
	g->ret = malloc(n * sizeof *g->ret);
	g->tri = malloc(n * sizeof *g->tri);
	g->nextv = malloc(n * sizeof *g->nextv);
	if (g->ret == NULL || g->tri == NULL || g->nextv == NULL)
		goto nomem;
	for (size_t k = 0; k < g->nval; k++)
		g->ret[k] = NAN;
	for (int d = 0; d < g->nday; d++)
		for (size_t r = g->dayrow[d]; r < g->dayrow[d + 1]; r++) {
			uint32_t i = g->rsec[r];

			g->ret[g->off[i] + (size_t)(d - g->first[i])] = rowret[r];
		}
	free(rowret);
	rowret = NULL;
	for (uint32_t i = 0; i < g->nsec; i++) {
		/* strategy.c: the series starts at the first row with gap 0; a day with a ret multiplies the
		 * product in and resets the gap, any other day adds one; defined while gap <= max_gap. */
		double tri = 1, *rt = g->ret + g->off[i];
		long gap = 0;
		int32_t next = INT32_MAX;

		for (int d = g->first[i]; d <= g->end[i]; d++) {
			size_t k = (size_t)(d - g->first[i]);

			if (!isnan(rt[k])) {
				tri *= 1 + rt[k];
				gap = 0;
			} else {
				gap++;
			}
			g->tri[g->off[i] + k] = gap <= g->max_gap ? tri : NAN;
		}
		for (int d = g->end[i]; d >= g->first[i]; d--) {
			size_t k = (size_t)(d - g->first[i]);

			g->nextv[g->off[i] + k] = next;
			if (!isnan(rt[k]))
				next = d;
		}
	}
	return 0;
nomem:
	free(rowret);
	return -1;
}

/* The inverse-vol daily returns: the day's ret, 0 on a day without one while the TRI is defined, NaN
 * after (strategy.c's rring). */
static int
build_rr(grid_panel *g)
{
	if (g->rr != NULL)
		return 0;
	if ((g->rr = malloc((g->nval ? g->nval : 1) * sizeof *g->rr)) == NULL)
		return -1;
	for (size_t k = 0; k < g->nval; k++)
		g->rr[k] = !isnan(g->ret[k]) ? g->ret[k] : !isnan(g->tri[k]) ? 0 : NAN;
	return 0;
}

int
grid_load(grid_panel **out, FILE *const *prices, const char *const *prices_name, int nprices, FILE *universe,
    const char *universe_name, int max_gap, char *err, size_t errlen)
{
	grid_panel *g = calloc(1, sizeof *g);
	int rc;

	*out = NULL;
	if (g == NULL) {
		err_fmt(err, errlen, "out of memory");
		return EX_SOFTWARE;
	}
	ids_init(&g->ids);
	ids_order_init(&g->order);
	g->max_gap = max_gap;
	if ((rc = load_prices(g, prices, prices_name, nprices, err, errlen)) != 0)
		goto fail;
	if (universe != NULL) {
		g->universe = 1;
		if ((rc = load_universe(g, universe, universe_name, err, errlen)) != 0)
			goto fail;
	}
	rc = EX_SOFTWARE;
	err_fmt(err, errlen, "out of memory");
	if (build_series(g) != 0)
		goto fail;
	g->snap_on = malloc(((size_t)g->nday + 1) * sizeof *g->snap_on);
	g->snap_upto = malloc(((size_t)g->nday + 1) * sizeof *g->snap_upto);
	if (g->snap_on == NULL || g->snap_upto == NULL)
		goto fail;
	for (int d = 0, k = -1; d < g->nday; d++) {
		while (k + 1 < g->nsnap && g->sdate[k + 1] <= g->date[d])
			k++;
		g->snap_upto[d] = k;
		g->snap_on[d] = k >= 0 && g->sdate[k] == g->date[d] ? k : -1;
	}
	if (g->universe) { /* as weights and backtest: no universe is no portfolio and no benchmark */
		int on = 0, matched = 0;

		for (int d = 0; d < g->nday && !on; d++)
			on = g->snap_on[d] >= 0;
		for (size_t k = 0; k < g->nmem && !matched; k++)
			matched = g->end[g->ssec[k]] >= 0;
		if (!on || !matched) {
			err_fmt(err, errlen, "%s: universe: %s", universe_name,
			    !on ? "no rows on the days of the prices" : "no id of the universe is in the prices");
			rc = EX_DATAERR;
			goto fail;
		}
	}
	ids_order_free(&g->order);
	free(g->seen_day);
	g->seen_day = NULL;
	*out = g;
	return 0;
fail:
	grid_free(g);
	return rc;
}

void
grid_free(grid_panel *g)
{
	if (g == NULL)
		return;
	ids_free(&g->ids);
	ids_order_free(&g->order);
	free(g->date);
	free(g->dayrow);
	free(g->rsec);
	free(g->seen_day);
	free(g->sdate);
	free(g->sbeg);
	free(g->ssec);
	free(g->snap_on);
	free(g->snap_upto);
	free(g->first);
	free(g->end);
	free(g->off);
	free(g->ret);
	free(g->tri);
	free(g->rr);
	free(g->nextv);
	free(g);
}

int
grid_ndays(const grid_panel *g)
{
	return g->nday;
}

/* ---- the grid file ---- */

static const char *const grid_keys[] = { "lookback", "skip", "select", "winsor", "mode", "weighting",
	"vol_window", "max_weight", "rebalance", "rebalance_every", "lag", "cost_bps", NULL };

int
grid_key_ok(const char *key)
{
	for (int i = 0; grid_keys[i] != NULL; i++)
		if (strcmp(key, grid_keys[i]) == 0)
			return 1;
	return 0;
}

void
grid_points_free(struct grid_points *p)
{
	for (size_t i = 0; i < p->n; i++) {
		for (int k = 0; p->val[i] != NULL && k < p->ncol; k++)
			free(p->val[i][k]);
		free(p->val[i]);
	}
	for (int k = 0; k < p->ncol; k++)
		free(p->col[k]);
	free(p->col);
	free(p->val);
	free(p->row);
	free(p->c);
	memset(p, 0, sizeof *p);
}

int
grid_read(struct grid_points *p, FILE *fp, const char *name, const struct strategy_config *base, char *err,
    size_t errlen)
{
	csv_reader *r = csv_open(fp, name);
	size_t cap = 0, capc = 0, capr = 0;
	int rc;
	char msg[256];

	memset(p, 0, sizeof *p);
	if (r == NULL)
		goto nomem;
	if (csv_read_header(r) != 0)
		goto data;
	p->ncol = csv_ncols(r);
	if ((p->col = calloc((size_t)p->ncol, sizeof *p->col)) == NULL)
		goto nomem;
	for (int k = 0; k < p->ncol; k++) {
		const char *key = csv_colname(r, k);

		if ((p->col[k] = strdup(key)) == NULL)
			goto nomem;
		if (!grid_key_ok(key)) {
			err_fmt(err, errlen, "%s:1: %s: not a key a grid can vary (%s)", name, key,
			    "lookback, skip, select, winsor, mode, weighting, vol_window, max_weight, rebalance, "
			    "rebalance_every, lag, cost_bps");
			goto fail;
		}
		for (int j = 0; j < k; j++)
			if (strcmp(p->col[j], key) == 0) {
				err_fmt(err, errlen, "%s:1: %s: a second column of that name", name, key);
				goto fail;
			}
	}
	while ((rc = csv_next(r)) > 0) {
		struct strategy_config c = *base;

		if (csv_nfields(r) != p->ncol) {
			csv_fail(r, -1, "%d fields, the header has %d", csv_nfields(r), p->ncol);
			goto data;
		}
		for (int k = 0; k < p->ncol; k++)
			if (csv_need(r, k) < 0 || config_set(&c, p->col[k], csv_field(r, k), msg, sizeof msg) != 0) {
				if (csv_len(r, k) > 0)
					csv_fail(r, k, "%s", msg);
				goto data;
			}
		if (config_check(&c, msg, sizeof msg) != 0) {
			csv_fail(r, -1, "%s", msg);
			goto data;
		}
		if (c.lag < 1) {
			csv_fail(r, -1, "lag: %d: must be at least 1", c.lag);
			goto data;
		}
		if (util_grow((void **)&p->val, &cap, p->n + 1, sizeof *p->val) != 0 ||
		    util_grow((void **)&p->c, &capc, p->n + 1, sizeof *p->c) != 0 ||
		    util_grow((void **)&p->row, &capr, p->n + 1, sizeof *p->row) != 0)
			goto nomem;
		p->c[p->n] = c;
		p->row[p->n] = p->n;
		if ((p->val[p->n++] = calloc((size_t)p->ncol, sizeof **p->val)) == NULL)
			goto nomem;
		for (int k = 0; k < p->ncol; k++)
			if ((p->val[p->n - 1][k] = strdup(csv_field(r, k))) == NULL)
				goto nomem;
	}
	if (rc < 0)
		goto data;
	csv_close(r);
	return 0;
data:
	err_fmt(err, errlen, "%s", csv_error(r));
fail:
	csv_close(r);
	grid_points_free(p);
	return EX_DATAERR;
nomem:
	err_fmt(err, errlen, "out of memory");
	csv_close(r);
	grid_points_free(p);
	return EX_SOFTWARE;
}

void
grid_points_keep(struct grid_points *p, size_t from, size_t to)
{
	if (to > p->n)
		to = p->n;
	if (from > to)
		from = to;
	for (size_t i = 0; i < p->n; i++)
		if (i < from || i >= to) {
			for (int k = 0; k < p->ncol; k++)
				free(p->val[i][k]);
			free(p->val[i]);
		}
	memmove(p->val, p->val + from, (to - from) * sizeof *p->val);
	memmove(p->c, p->c + from, (to - from) * sizeof *p->c);
	memmove(p->row, p->row + from, (to - from) * sizeof *p->row);
	p->n = to - from;
}

/* ---- one point ---- */

/* A rebalance of the schedule: decided on day `day`, weights w[begin, end). */
struct reb {
	int day;
	size_t begin, end;
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
	struct reb *reb;
	size_t nreb, capreb;
	struct book_pos *wts;            /* the schedule's weights */
	int *trade;                      /* the days its rebalances trade on */
	size_t captrade;
	size_t nwts, capwts;
	struct book strat, bench, target;
};

static double
val_at(const grid_panel *g, const double *series, uint32_t i, long d)
{
	if (d < g->first[i] || d > g->end[i])
		return NAN;
	return series[g->off[i] + (size_t)(d - g->first[i])];
}

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
static int
schedule(struct worker *w, const struct strategy_config *c)
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

static void
segs_free(struct segs *sg)
{
	for (size_t h = 0; h < SEG_BUCKETS; h++)
		while (sg->tab[h] != NULL) {
			struct seg *x = sg->tab[h];

			sg->tab[h] = x->next;
			free(x->gross);
			free(x);
		}
}

/* The simulation of the schedule in w with c's lag and cost (btrun.c's loop over bt_*), into res: the
 * strategy day by day, the benchmark from the shared stretches between its trades. */
static int
simulate(struct worker *w, struct segs *sg, const struct strategy_config *c, int lookahead,
    struct btr_result *res, double **day_turnover, double **day_cost)
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
	res->capreb = w->nreb ? w->nreb : 1;
	res->date = malloc(res->cap * sizeof *res->date);
	res->net = malloc(res->cap * sizeof *res->net);
	res->b_net = malloc(res->cap * sizeof *res->b_net);
	res->reb = malloc(res->capreb * sizeof *res->reb);
	if (util_grow((void **)&w->trade, &w->captrade, w->nreb + 1, sizeof *w->trade) != 0 || res->date == NULL ||
	    res->net == NULL || res->b_net == NULL || res->reb == NULL)
		return -1;
	if (day_turnover != NULL && ((*day_turnover = malloc(res->cap * sizeof **day_turnover)) == NULL ||
	    (*day_cost = malloc(res->cap * sizeof **day_cost)) == NULL))
		return -1;
	/* The trade days: weights decided on day d - lag + 1 trade at d's close. */
	for (size_t k = 0; k < w->nreb; k++)
		if (w->reb[k].day + c->lag - 1 < g->nday)
			w->trade[nt++] = w->reb[k].day + c->lag - 1;
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
		for (size_t k = w->reb[ri].begin; k < w->reb[ri].end; k++)
			if (w->wts[k].w != 0) {
				if (util_grow((void **)&t->p, &t->cap, t->n + 1, sizeof *t->p) != 0)
					return -1;
				t->p[t->n++] = w->wts[k];
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
		pending = g->date[w->reb[ri].day];
		ri++;
	}
	return 0;
}

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
		if (schedule(&w, &j->c[j->order[j->group[k]]]) != 0)
			goto fail;
		for (size_t x = j->group[k]; x < j->group[k + 1]; x++) {
			size_t i = j->order[x];

			if (simulate(&w, &j->segs, &j->c[i], j->lookahead, &j->res[i],
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
		if (c[i].weighting == CONFIG_INVERSE_VOL && build_rr(g) != 0)
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
	segs_free(&j.segs);
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
