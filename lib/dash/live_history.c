/* dash/live_history: the live page's positions history (the quantity of each holding on each trading date,
 * from every trading/DATE/positions.ndjson), actual weights history (each quantity at that date's close in
 * the prices panel data/prices/YYYY.csv, over that date's net liquidation in trading/DATE/account.ndjson)
 * and target weights history (every rebalance of the latest backtest's weights.csv). */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csv.h"
#include "dash/livepage.h"
#include "date.h"
#include "html.h"
#include "ndjson.h"
#include "panel.h"
#include "svg.h"
#include "util.h"

#define HIST_DATES 30 /* the most recent dates shown: a month and a half of trading days, readable on a phone */
#define HIST_COLS 40  /* at most this many symbols (columns), the largest first */

/* Names (columns) of a history: symbols in the order first met, with a score to keep the largest. */
struct cols {
	char **name;
	double *score;
	size_t n, cap[2];
};

static long
col_of(struct cols *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->name[i], name) == 0)
			return (long)i;
	if (util_grow((void **)&c->name, &c->cap[0], c->n + 1, sizeof *c->name) < 0 ||
	    util_grow((void **)&c->score, &c->cap[1], c->n + 1, sizeof *c->score) < 0 ||
	    (c->name[c->n] = strdup(name)) == NULL)
		return -1;
	c->score[c->n] = 0;
	return (long)c->n++;
}

static void
cols_free(struct cols *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->name[i]);
	free(c->name);
	free(c->score);
}

/* Draw v (nr rows by c->n columns, in column order met) keeping the HIST_COLS columns of the highest
 * score, in that order. */
static int
draw(FILE *fp, const svg_chart *ch, const char *const *rows, size_t nr, const struct cols *c, const double *v)
{
	size_t nc = c->n < HIST_COLS ? c->n : HIST_COLS, *pick = malloc((c->n + 1) * sizeof *pick);
	double *w = malloc((nr * nc + 1) * sizeof *w);
	const char **names = malloc((nc + 1) * sizeof *names);
	int rc = -1;

	if (pick != NULL && w != NULL && names != NULL) {
		for (size_t i = 0; i < c->n; i++)
			pick[i] = i;
		for (size_t i = 0; i < nc; i++) /* selection of the largest: c->n is small (a portfolio's names) */
			for (size_t j = i + 1; j < c->n; j++)
				if (c->score[pick[j]] > c->score[pick[i]]) {
					size_t t = pick[i];
					pick[i] = pick[j];
					pick[j] = t;
				}
		for (size_t k = 0; k < nc; k++) {
			names[k] = c->name[pick[k]];
			for (size_t r = 0; r < nr; r++)
				w[r * nc + k] = v[r * c->n + pick[k]];
		}
		rc = svg_heatmap(fp, ch, rows, nr, names, nc, w, "date", "symbol");
	}
	free(pick);
	free(w);
	free(names);
	return rc;
}

/* The positions of the newest HIST_DATES trading dates that have a positions file, newest first: row r is
 * L->days[idx[r]], labelled rows[r]; q[r * c.n + j] the quantity of symbol c.name[j] (NaN: not held). The
 * columns are scored by the latest date's holdings at cost (the ones kept when there are too many). */
struct hist {
	char lab[HIST_DATES][DATE_LEN + 1];
	const char *rows[HIST_DATES];
	size_t idx[HIST_DATES], nr;
	struct cols c;
	double *q;
};

static void
hist_free(struct hist *h)
{
	cols_free(&h->c);
	free(h->q);
}

/* Returns 0, -1 when out of memory. */
static int
hist_load(struct hist *h, const struct live *L)
{
	json_t *day[HIST_DATES], *o;
	size_t i, k;
	int rc = 0;

	memset(h, 0, sizeof *h);
	for (i = L->ndays; i-- > 0 && h->nr < HIST_DATES;)
		if ((day[h->nr] = dlv_read_day(L->in->root, L->days[i], "positions.ndjson", L->p)) != NULL) {
			h->rows[h->nr] = date_fmt(L->days[i], h->lab[h->nr]);
			h->idx[h->nr++] = i;
		}
	for (i = 0; i < h->nr && rc == 0; i++)
		json_array_foreach(day[i], k, o)
			if (dlv_is_type(o, "position") && nd_str(o, "symbol", NULL) && col_of(&h->c, nd_str(o, "symbol", NULL)) < 0)
				rc = -1;
	if (rc == 0 && (h->q = malloc((h->nr * h->c.n + 1) * sizeof *h->q)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < h->nr * h->c.n; i++)
		h->q[i] = NAN;
	for (i = 0; rc == 0 && i < h->nr; i++)
		json_array_foreach(day[i], k, o) {
			const char *s = nd_str(o, "symbol", NULL);
			long j = s && dlv_is_type(o, "position") ? col_of(&h->c, s) : -1;
			double qty = nd_num(o, "qty", NAN);
			if (j < 0 || isnan(qty))
				continue;
			h->q[i * h->c.n + (size_t)j] = qty;
			if (i == 0) /* the columns kept: the latest date's largest holdings at cost */
				h->c.score[j] = fabs(qty * nd_num(o, "avg_cost", 1));
		}
	for (i = 0; i < h->nr; i++)
		json_decref(day[i]);
	return rc;
}

/* Quantity per symbol and trading date. */
static int
positions_history(FILE *fp, const struct hist *h)
{
	if (h->nr > 0 && h->c.n > 0) {
		svg_chart ch = { "chart-positions-history", "Quantity held, by trading date (newest first) and symbol",
			DLV_W, 0, SVG_NUM, 0, 0, 1, NULL, 1, 0, NULL, 0 };
		return draw(fp, &ch, h->rows, h->nr, &h->c, h->q);
	}
	html_notice(fp, "warn", "Not available: no positions in the store (trading/DATE/positions.ndjson).");
	return 0;
}

/* Each history date's close per symbol held, from the yearly partitions data/prices/YYYY.csv that cover
 * the history's dates, read as one panel; px like h->q (NaN: no close). The panel's rows are matched to
 * positions by symbol, as the positions table matches data/last.csv. Returns 0, 1 when no partition
 * covers the dates or the panel is bad (a problem reported), -1 when out of memory. */
static int
hist_closes(const struct hist *h, const struct live *L, double *px)
{
	static const char *const cols[] = { "symbol", "close" };
	FILE *fps[HIST_DATES];
	char *names[HIST_DATES], d[DATE_LEN + 1], err[600];
	int y0 = atoi(date_fmt(L->days[h->idx[h->nr - 1]], d)), y1 = atoi(date_fmt(L->days[h->idx[0]], d));
	int n = 0, rc = 0, got;
	panel *p = NULL;

	for (int yr = y0; yr <= y1 && n < HIST_DATES && rc == 0; yr++) {
		if ((names[n] = malloc(strlen(L->in->root) + 32)) == NULL)
			rc = -1;
		else if (sprintf(names[n], "%s/data/prices/%d.csv", L->in->root, yr) > 0 &&
		    (fps[n] = fopen(names[n], "r")) != NULL)
			n++;
		else {
			if (errno != ENOENT)
				dash_prob(L->p, 0, "%s: %s", names[n], strerror(errno));
			free(names[n]);
		}
	}
	if (rc == 0 && n == 0)
		rc = 1;
	if (rc == 0 && (got = panel_open(&p, fps, (const char *const *)names, n, cols, 2, PANEL_KEYS, err,
	    sizeof err)) != 0) {
		dash_prob(L->p, 1, "%s", err);
		rc = got == EX_OSERR ? -1 : 1;
	}
	while (rc == 0 && panel_has(p) && panel_date(p) <= L->days[h->idx[0]]) {
		csv_reader *r = panel_csv(p);
		size_t row = h->nr;
		for (size_t i = 0; i < h->nr; i++)
			if (L->days[h->idx[i]] == panel_date(p))
				row = i;
		for (size_t j = 0; row < h->nr && j < h->c.n; j++)
			if (strcmp(h->c.name[j], csv_field(r, panel_col(p, 0))) == 0 && !isnan(h->q[row * h->c.n + j])) {
				double close;
				if ((got = csv_double(r, panel_col(p, 1), &close)) < 0) {
					dash_prob(L->p, 1, "%s", csv_error(r));
					rc = 1;
				} else if (got > 0) /* an empty close is no price: the cell stays empty */
					px[row * h->c.n + j] = close;
				break;
			}
		if (rc == 0 && panel_next(p) < 0) {
			dash_prob(L->p, 1, "%s", panel_error(p));
			rc = panel_code(p) == EX_OSERR ? -1 : 1;
		}
	}
	panel_close(p);
	for (int i = 0; i < n; i++) {
		fclose(fps[i]);
		free(names[i]);
	}
	return rc;
}

/* The account's actual weights per symbol and history date: qty x that date's close / that date's net
 * liquidation (trading/DATE/account.ndjson); a date without an account record is divided by the sum of
 * its holdings' values (no cash), and the page says which dates. */
static int
actual_history(FILE *fp, const struct hist *h, const struct live *L)
{
	size_t nc = h->c.n, nr = h->nr, nonav = 0;
	double *w;
	int rc;

	if (nr == 0 || nc == 0) {
		html_notice(fp, "warn", "Not available: no positions in the store (trading/DATE/positions.ndjson).");
		return 0;
	}
	if ((w = malloc((nr * nc + 1) * sizeof *w)) == NULL)
		return -1;
	for (size_t i = 0; i < nr * nc; i++)
		w[i] = NAN;
	if ((rc = hist_closes(h, L, w)) != 0) {
		free(w);
		if (rc > 0)
			html_notice(fp, "warn", "Not available: the prices panel (data/prices/YYYY.csv) of the history's "
			    "dates.");
		return rc < 0 ? -1 : 0;
	}
	for (size_t r = 0; r < nr; r++) {
		double nav = L->nav[h->idx[r]], sum = 0;
		for (size_t j = 0; j < nc; j++)
			if (!isnan(w[r * nc + j]))
				sum += w[r * nc + j] *= h->q[r * nc + j];
		if (isnan(nav)) {
			nav = sum;
			nonav++;
		}
		for (size_t j = 0; j < nc; j++)
			w[r * nc + j] /= nav;
	}
	svg_chart ch = { "chart-actual-weights-history", "Actual weights of the account (quantity x that date's close "
		"/ net liquidation), by trading date (newest first) and symbol", DLV_W, 0, SVG_PCT, 0, 0, 1, NULL, 1, 0,
		NULL, 0 };
	rc = draw(fp, &ch, h->rows, nr, &h->c, w);
	if (rc == 0 && nonav > 0) {
		char msg[160];
		snprintf(msg, sizeof msg, "%zu of %zu dates have no account record: their weights are over the sum of "
		    "the holdings' values (no cash).", nonav, nr);
		html_notice(fp, "info", msg);
	}
	free(w);
	return rc;
}

/* Every rebalance's target weights from the latest backtest's weights.csv, the newest HIST_DATES first. */
static int
weights_history(FILE *fp, const struct live *L)
{
	char d[DATE_LEN + 1], *path, lab[HIST_DATES][DATE_LEN + 1];
	const char *rows[HIST_DATES];
	int dates[HIST_DATES], rc = 0, st, day, cd = -1, cs = -1, cw = -1;
	size_t nr = 0, cap = 0, n = 0;
	struct cols c = { 0 };
	struct row { int day; long col; double w; } *all = NULL;
	double *v = NULL, wt;
	csv_reader *r;
	FILE *f;

	if (L->bt_day <= -1000000) {
		html_notice(fp, "warn", "Not available: no backtest in the store (backtest/DATE/weights.csv).");
		return 0;
	}
	if ((path = malloc(strlen(L->in->root) + 64)) == NULL)
		return -1;
	sprintf(path, "%s/backtest/%s/weights.csv", L->in->root, date_fmt(L->bt_day, d));
	r = dash_csv_open(path, &f, L->p, &st);
	free(path);
	if (r == NULL) {
		html_notice(fp, "warn", "Not available: the latest backtest's weights (see above).");
		return 0;
	}
	if ((cd = csv_require(r, "date")) < 0 || (cs = csv_require(r, "symbol")) < 0 || (cw = csv_require(r, "weight")) < 0)
		st = -1;
	while (st == 0 && (st = csv_next(r)) == 1) {
		long j;
		st = 0;
		if (csv_date_required(r, cd, &day) < 0 || csv_double_required(r, cw, &wt) < 0)
			st = -1;
		else if ((j = col_of(&c, csv_field(r, cs))) < 0 || util_grow((void **)&all, &cap, n + 1, sizeof *all) < 0)
			st = DASH_CSV_OOM;
		else
			all[n++] = (struct row){ day, j, wt };
	}
	if (dash_csv_close(r, f, st, L->p) < 0) {
		html_notice(fp, "warn", "Not available: the latest backtest's weights (see above).");
		goto out;
	}
	for (size_t i = n; i-- > 0;) { /* the newest dates (weights(1) writes them ascending) */
		if (nr > 0 && all[i].day == dates[nr - 1])
			continue;
		if (nr == HIST_DATES)
			break;
		dates[nr] = all[i].day;
		rows[nr] = date_fmt(all[i].day, lab[nr]);
		nr++;
	}
	if (nr == 0 || c.n == 0) {
		html_notice(fp, "warn", "Not available: the latest backtest's weights have no rows.");
		goto out;
	}
	if ((v = malloc((nr * c.n + 1) * sizeof *v)) == NULL) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < nr * c.n; i++)
		v[i] = NAN;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < nr; k++)
			if (all[i].day == dates[k]) {
				v[k * c.n + (size_t)all[i].col] = all[i].w;
				if (k == 0)
					c.score[all[i].col] = fabs(all[i].w);
			}
	svg_chart ch = { "chart-weights-history", "Target weights of the latest backtest, by rebalance date (newest "
		"first) and symbol", DLV_W, 0, SVG_PCT, 0, 0, 1, NULL, 1, 0, NULL, 0 };
	rc = draw(fp, &ch, rows, nr, &c, v);
out:
	free(all);
	free(v);
	cols_free(&c);
	return rc;
}

int
dlv_history(FILE *fp, const struct live *L)
{
	struct hist h;
	int rc = hist_load(&h, L);

	html_section_begin(fp, "positions-history", "Positions history", 1);
	if (rc == 0)
		rc = positions_history(fp, &h);
	html_section_end(fp);
	html_section_begin(fp, "actual-weights-history", "Actual weights history", 1);
	if (rc == 0)
		rc = actual_history(fp, &h, L);
	html_section_end(fp);
	html_section_begin(fp, "weights-history", "Target weights history", 1);
	rc |= weights_history(fp, L);
	html_section_end(fp);
	hist_free(&h);
	return rc;
}
