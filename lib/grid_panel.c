#include "grid_impl.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csv.h"
#include "date.h"
#include "err.h"
#include "panel.h"
#include "util.h"

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
	rc = EX_OSERR;
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
	rc = EX_OSERR;
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
int
grid_build_rr(grid_panel *g)
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
		return EX_OSERR;
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
