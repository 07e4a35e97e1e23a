/* dash/live_history: the live page's positions history (the quantity of each holding on each trading date,
 * from every trading/DATE/positions.ndjson) and target weights history (every rebalance of the latest
 * backtest's weights.csv). The store keeps no price or market value per position and date (a position
 * record has qty and avg_cost: sti-store(7)), so the account's actual weights over time are not drawn: the
 * positions table shows today's. */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dash/livepage.h"
#include "date.h"
#include "html.h"
#include "ndjson.h"
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

/* Quantity per symbol and trading date, the newest HIST_DATES dates that have positions, newest first. */
static int
positions_history(FILE *fp, const struct live *L)
{
	json_t *day[HIST_DATES];
	char lab[HIST_DATES][DATE_LEN + 1];
	const char *rows[HIST_DATES];
	struct cols c = { 0 };
	size_t nr = 0, i, k;
	double *v = NULL;
	json_t *o;
	int rc = 0;

	for (i = L->ndays; i-- > 0 && nr < HIST_DATES;)
		if ((day[nr] = dlv_read_day(L->in->root, L->days[i], "positions.ndjson", L->p)) != NULL) {
			rows[nr] = date_fmt(L->days[i], lab[nr]);
			nr++;
		}
	for (i = 0; i < nr && rc == 0; i++)
		json_array_foreach(day[i], k, o)
			if (dlv_is_type(o, "position") && nd_str(o, "symbol", NULL) && col_of(&c, nd_str(o, "symbol", NULL)) < 0)
				rc = -1;
	if (rc == 0 && nr > 0 && (v = malloc((nr * c.n + 1) * sizeof *v)) == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < nr * c.n; i++)
		v[i] = NAN;
	for (i = 0; rc == 0 && i < nr; i++)
		json_array_foreach(day[i], k, o) {
			const char *s = nd_str(o, "symbol", NULL);
			long j = s && dlv_is_type(o, "position") ? col_of(&c, s) : -1;
			double q = nd_num(o, "qty", NAN);
			if (j < 0 || isnan(q))
				continue;
			v[i * c.n + (size_t)j] = q;
			if (i == 0) /* the columns kept: the latest date's largest holdings at cost */
				c.score[j] = fabs(q * nd_num(o, "avg_cost", 1));
		}
	if (rc == 0 && nr > 0 && c.n > 0) {
		svg_chart ch = { "chart-positions-history", "Quantity held, by trading date (newest first) and symbol",
			DLV_W, 0, SVG_NUM, 0, 0, 1, NULL, 1, 0, NULL, 0 };
		rc = draw(fp, &ch, rows, nr, &c, v);
	} else if (rc == 0)
		html_notice(fp, "warn", "Not available: no positions in the store (trading/DATE/positions.ndjson).");
	for (i = 0; i < nr; i++)
		json_decref(day[i]);
	free(v);
	cols_free(&c);
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
	int rc;

	html_section_begin(fp, "positions-history", "Positions history", 1);
	rc = positions_history(fp, L);
	html_notice(fp, "info", "The store keeps each position's quantity and average cost, not its price on each "
	    "date, so the account's actual weights are shown for the latest date only (Positions).");
	html_section_end(fp);
	html_section_begin(fp, "weights-history", "Target weights history", 1);
	rc |= weights_history(fp, L);
	html_section_end(fp);
	return rc;
}
