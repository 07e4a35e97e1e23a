/* dash/bt_charts: the backtest page's time charts (cumulative, underwater, rolling, returns, turnover). */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dash/btpage.h"
#include "date.h"
#include "html.h"
#include "metrics.h"
#include "ndjson.h"
#include "svg.h"

/* ============================================================ derived series */

/* Rolling annualised volatility and Sharpe of r over DBT_ROLL days (NaN until the window is full). */
static void
rolling(const double *r, size_t n, double *vol, double *sharpe)
{
	double s = 0, s2 = 0, mean, var;
	size_t i, cnt = 0;

	for (i = 0; i < n; i++) {
		double x = isnan(r[i]) ? 0 : r[i];
		s += x;
		s2 += x * x;
		cnt++;
		if (i >= DBT_ROLL) {
			double y = isnan(r[i - DBT_ROLL]) ? 0 : r[i - DBT_ROLL];
			s -= y;
			s2 -= y * y;
			cnt--;
		}
		if (cnt < DBT_ROLL) {
			vol[i] = sharpe[i] = NAN;
			continue;
		}
		mean = s / DBT_ROLL;
		var = (s2 - DBT_ROLL * mean * mean) / (DBT_ROLL - 1);
		var = var > 0 ? var : 0;
		vol[i] = sqrt(var * 252);
		sharpe[i] = var > 0 ? mean / sqrt(var) * sqrt(252) : NAN;
	}
}

static void
underwater(const double *eq, size_t n, double *dd)
{
	double peak = 1;

	for (size_t i = 0; i < n; i++) {
		if (eq[i] > peak)
			peak = eq[i];
		dd[i] = isnan(eq[i]) ? NAN : eq[i] / peak - 1;
	}
}

int
dbt_derive(struct dbt_derived *d, const dash_equity *e)
{
	size_t n = e->n;

	d->mem = malloc((11 * n + 1) * sizeof *d->mem);
	if (d->mem == NULL)
		return -1;
	d->nser = 1;
	for (size_t i = 0; i < n; i++)
		if (!isnan(e->bequity[i]) || !isnan(e->bnet[i])) {
			d->nser = 2;
			break;
		}
	for (int s = 0; s < 2; s++) {
		const double *net = s ? e->bnet : e->net;
		d->r[s] = d->mem + (size_t)s * 5 * n;
		d->dd[s] = d->r[s] + n;
		d->vol[s] = d->dd[s] + n;
		d->sh[s] = d->vol[s] + n;
		d->so[s] = d->sh[s] + n;
		for (size_t i = 0; i < n; i++)
			d->r[s][i] = isnan(net[i]) ? 0 : net[i];
		underwater(s ? e->bequity : e->equity, n, d->dd[s]);
		rolling(net, n, d->vol[s], d->sh[s]);
		mt_rolling_sortino(d->r[s], n, DBT_ROLL, d->so[s]);
	}
	d->beta = d->mem + 10 * n;
	mt_rolling_beta(d->r[0], d->r[1], n, DBT_ROLL, d->beta);
	return 0;
}

static const char *const series_names[] = { "Strategy", "Benchmark" };

static int
chart_one(FILE *fp, const char *sec, const char *heading, int wide, const svg_chart *c, const dash_equity *e,
    const double *y0, const double *y1)
{
	const double *ys[2] = { y0, y1 };
	int rc;

	if (sec)
		html_section_begin(fp, sec, heading, wide);
	rc = svg_line(fp, c, e->day, ys, e->n);
	if (sec)
		html_section_end(fp);
	return rc;
}

/* A time chart with 1Y/3Y/5Y/All buttons: each range shorter than the series is drawn too (ids with a
 * suffix, hidden until chosen), the last 12, 36 or 60 calendar months. rebase: a wealth index, shown from 1
 * at the range's start (the cumulative return over the range); else the values as they are. Shading is
 * kept for the whole series only. */
static int
chart_ranged(FILE *fp, const svg_chart *c0, const dash_equity *e, const double *y0, const double *y1, int rebase)
{
	static const struct { const char *key, *label; int months; } ranges[] = {
		{ "all", "All", 0 }, { "5y", "5Y", 60 }, { "3y", "3Y", 36 }, { "1y", "1Y", 12 } };
	size_t nr = 0, i0[4], kk[4], n = e->n;
	int rc = 0;
	double *buf = NULL;

	for (size_t k = 0; k < 4; k++) {
		int from = ranges[k].months ? mt_months_before(e->day[n - 1], ranges[k].months) : 0;
		size_t lo = 0, hi = n;
		while (ranges[k].months && lo < hi) { /* the first row after the day 12, 36 or 60 months back */
			size_t mid = (lo + hi) / 2;
			if (e->day[mid] <= from)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (ranges[k].months && (lo == 0 || n - lo < 2))
			continue; /* the series is no longer than the range (or has too little of it) */
		i0[nr] = lo;
		kk[nr++] = k;
	}
	if (nr > 1) {
		fputs("<div class=\"rgrp\"><div class=\"rng\" role=\"group\" aria-label=\"Range\">", fp);
		for (size_t j = 0; j < nr; j++)
			fprintf(fp, "<button type=\"button\" data-r=\"%s\" aria-pressed=\"%s\">%s</button>", ranges[kk[j]].key,
			    j == 0 ? "true" : "false", ranges[kk[j]].label);
		fputs("</div>\n", fp);
		if ((buf = malloc((2 * n + 1) * sizeof *buf)) == NULL)
			return -1;
	}
	for (size_t j = 0; j < nr; j++) {
		svg_chart c = *c0;
		char id[64];
		size_t s = i0[j], len = n - s;
		const double *ys[2] = { y0 + s, y1 ? y1 + s : NULL };
		if (nr > 1)
			fprintf(fp, "<div data-range=\"%s\"%s>", ranges[kk[j]].key, j == 0 ? "" : " hidden");
		if (j > 0) {
			snprintf(id, sizeof id, "%s-%s", c0->id, ranges[kk[j]].key);
			c.id = id;
			c.shade = NULL;
			c.nshade = 0;
			for (int sr = 0; rebase && sr < c.nser && sr < 2; sr++) {
				const double *src = sr ? y1 : y0;
				for (size_t i = 0; i < len; i++)
					buf[(size_t)sr * n + i] = src[s + i] / src[s - 1];
				ys[sr] = buf + (size_t)sr * n;
			}
		}
		rc |= svg_line(fp, &c, e->day + s, ys, len);
		if (nr > 1)
			fputs("</div>\n", fp);
	}
	if (nr > 1)
		fputs("</div>\n", fp);
	free(buf);
	return rc;
}

int
dbt_chart_cum(FILE *fp, const dash_equity *e, const struct dbt_derived *d)
{
	svg_chart c = { "chart-cum", "Cumulative return (linear scale)", DBT_W, 260, SVG_CUM, 0, 0, 0, series_names,
		d->nser, 0, NULL, 0 };
	int rc = 0;
	struct mt_drawdown dd[5];
	int shade[10];
	size_t k = mt_drawdowns(e->day, d->r[0], e->n, dd, 5);

	for (size_t i = 0; i < k; i++) {
		shade[2 * i] = dd[i].start;
		shade[2 * i + 1] = dd[i].end;
	}
	c.shade = shade;
	c.nshade = k;
	html_section_begin(fp, "cumulative", "Cumulative returns vs benchmark", 0);
	rc |= chart_ranged(fp, &c, e, e->equity, d->nser == 2 ? e->bequity : NULL, 1);
	c.id = "chart-cum-log", c.title = "Cumulative return (log scale)", c.log = 1;
	rc |= chart_one(fp, NULL, NULL, 0, &c, e, e->equity, e->bequity); /* (ranges: the linear chart's) */
	if (k > 0)
		fputs("<p class=\"sub\">Shaded: the strategy's 5 worst drawdown periods. The linear chart's shorter "
		    "ranges show the return from the range's start.</p>\n", fp);
	html_section_end(fp);
	if (d->nser == 2) { /* quantstats' volatility-matched view: r / std(r) x std(benchmark r), compounded */
		double *vm = malloc((e->n + 1) * sizeof *vm), mr = 0, mb = 0, sr = 0, sb = 0, w = 1;
		size_t n = e->n;
		if (vm == NULL)
			return -1;
		for (size_t i = 0; i < n; i++) {
			mr += d->r[0][i];
			mb += d->r[1][i];
		}
		mr /= (double)n;
		mb /= (double)n;
		for (size_t i = 0; i < n; i++) {
			sr += (d->r[0][i] - mr) * (d->r[0][i] - mr);
			sb += (d->r[1][i] - mb) * (d->r[1][i] - mb);
		}
		for (size_t i = 0; i < n; i++) {
			w *= 1 + (sr > 0 ? d->r[0][i] / sqrt(sr) * sqrt(sb) : NAN);
			vm[i] = w;
		}
		static const char *const vn[] = { "Strategy, volatility matched", "Benchmark" };
		svg_chart v = { "chart-cum-volmatch", "Cumulative return, the strategy's daily returns scaled to the "
			"benchmark's volatility", DBT_W, 260, SVG_CUM, 0, 0, 0, vn, 2, 0, NULL, 0 };
		rc |= chart_one(fp, "volmatch", "Volatility-matched returns", 0, &v, e, vm, e->bequity);
		free(vm);
	}
	return rc;
}

/* quantstats' return quantiles: box plots of the daily, weekly, monthly, quarterly and yearly returns. */
int
dbt_chart_quantiles(FILE *fp, const dash_equity *e, const struct dbt_derived *d)
{
	static const char *const lab[] = { "Daily", "Weekly", "Monthly", "Quarterly", "Yearly" };
	static const char *const nm[] = { "Strategy" };
	double *mem = malloc((4 * e->n + 4) * sizeof *mem);
	const double *xs[5];
	size_t ns[5];
	int rc;

	if (mem == NULL)
		return -1;
	xs[0] = d->r[0];
	ns[0] = e->n;
	for (int k = 1; k < 5; k++) {
		double *o = mem + (size_t)(k - 1) * (e->n + 1);
		ns[k] = mt_compound(e->day, d->r[0], e->n, (enum mt_span)k, o);
		xs[k] = o;
	}
	svg_chart c = { "chart-quantiles", "Strategy returns by period: quartiles, median and whiskers (1.5 box lengths)",
		DBT_W, 260, SVG_PCT, 0, 0, 0, nm, 1, 0, NULL, 0 };
	html_section_begin(fp, "quantiles", "Return quantiles", 0);
	rc = svg_boxes(fp, &c, lab, xs, ns, 5);
	html_section_end(fp);
	free(mem);
	return rc;
}

int
dbt_chart_daily(FILE *fp, const dash_equity *e, const struct dbt_derived *d)
{
	static const char *const dn[] = { "Strategy" };
	svg_chart c = { "chart-daily", "Daily net return of the strategy", DBT_W, 220, SVG_PCT, 0, 0, 0, dn, 1, 0, NULL, 0 };

	return chart_one(fp, "daily", "Daily returns", 0, &c, e, d->r[0], NULL);
}

int
dbt_chart_underwater(FILE *fp, const dash_equity *e, const struct dbt_derived *d)
{
	svg_chart c = { "chart-underwater", "Drawdown from the previous peak", DBT_W, 260, SVG_PCT, 0, 1, 0,
		series_names, d->nser, 0, NULL, 0 };
	int rc;

	html_section_begin(fp, "underwater", "Underwater", 0);
	rc = chart_ranged(fp, &c, e, d->dd[0], d->nser == 2 ? d->dd[1] : NULL, 0);
	html_section_end(fp);
	return rc;
}

int
dbt_chart_rolling(FILE *fp, const dash_equity *e, const struct dbt_derived *d)
{
	svg_chart c = { "chart-rolling-vol", "Annualised volatility, 126 trading days", DBT_W, 240, SVG_PCT, 0, 0, 0,
		series_names, d->nser, 0, NULL, 0 };
	int rc = chart_one(fp, "rolling-vol", "Rolling volatility", 0, &c, e, d->vol[0], d->vol[1]);

	c = (svg_chart){ "chart-rolling-sharpe", "Annualised Sharpe ratio, 126 trading days", DBT_W, 240, SVG_NUM, 0, 0,
		0, series_names, d->nser, 0, NULL, 0 };
	rc |= chart_one(fp, "rolling", "Rolling Sharpe", 0, &c, e, d->sh[0], d->sh[1]);
	c = (svg_chart){ "chart-rolling-sortino", "Annualised Sortino ratio, 126 trading days (a gap: no loss in "
		"the window)", DBT_W, 240, SVG_NUM, 0, 0, 0, series_names, d->nser, 0, NULL, 0 };
	rc |= chart_one(fp, "rolling-sortino", "Rolling Sortino", 0, &c, e, d->so[0], d->so[1]);
	if (d->nser == 2) {
		static const char *const bn[] = { "Beta" };
		c = (svg_chart){ "chart-rolling-beta", "Beta of the strategy on the benchmark, 126 trading days", DBT_W, 240,
			SVG_NUM, 0, 0, 0, bn, 1, 0, NULL, 0 };
		rc |= chart_one(fp, "rolling-beta", "Rolling beta", 0, &c, e, d->beta, NULL);
	}
	return rc;
}

int
dbt_chart_dist(FILE *fp, const dash_equity *e, const struct dbt_derived *d)
{
	const double *ys[2] = { e->net, e->bnet };
	size_t ns[2] = { e->n, e->n };
	svg_chart c = { "chart-distribution", "Share of days by daily net return", DBT_W, 260, SVG_PCT, 0, 0, 0,
		series_names, d->nser, 0, NULL, 0 };
	int rc;

	html_section_begin(fp, "distribution", "Distribution of daily returns", 0);
	rc = svg_hist(fp, &c, ys, ns, 50);
	html_section_end(fp);
	return rc;
}


int
dbt_turnover(FILE *fp, const json_t *m, const dash_equity *e)
{
	json_t *a = m ? json_object_get(m, "rebalances") : NULL, *r;
	size_t n = 0, i;
	char (*lab)[DATE_LEN + 1];
	const char **labp;
	double *t, sum = 0;
	static const char *const names[] = { "Turnover" };
	char buf[HTML_NUM_MAX];
	int rc;

	if (json_array_size(a) > 0)
		n = json_array_size(a);
	else
		for (i = 0; i < e->n; i++)
			n += e->turnover[i] > 0;
	lab = calloc(n + 1, sizeof *lab);
	labp = calloc(n + 1, sizeof *labp);
	t = calloc(n + 1, sizeof *t);
	if (lab == NULL || labp == NULL || t == NULL) {
		free(lab);
		free(labp);
		free(t);
		return -1;
	}
	if (json_array_size(a) > 0) {
		json_array_foreach(a, i, r) {
			snprintf(lab[i], sizeof lab[i], "%s", nd_str(r, "date", NULL) ? nd_str(r, "date", NULL) : "?");
			t[i] = nd_num(r, "turnover", NAN);
		}
	} else {
		n = 0;
		for (i = 0; i < e->n; i++)
			if (e->turnover[i] > 0) {
				date_fmt(e->day[i], lab[n]);
				t[n++] = e->turnover[i];
			}
	}
	for (i = 0; i < n; i++) {
		labp[i] = lab[i];
		sum += isnan(t[i]) ? 0 : t[i];
	}
	svg_chart c = { "chart-turnover", "Turnover per rebalance (buys plus sells, fraction of the portfolio)", DBT_W,
		220, SVG_PCT, 0, 0, 0, names, 1, 0, NULL, 0 };
	const double *ys[1] = { t };
	rc = svg_bars(fp, &c, labp, ys, n);
	html_notice(fp, "info", "%zu rebalances, total turnover %s, average %s per rebalance.", n,
	    html_fmt_pct(sum, 0, buf), n ? html_fmt_pct(sum / (double)n, 1, (char[HTML_NUM_MAX]){ 0 }) : "-");
	free(lab);
	free(labp);
	free(t);
	return rc;
}
