/* dash/bt_periods: yearly and monthly returns on the backtest page (bars, tables, heatmaps). */
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

/* 1 when the series covers only part of year y's NYSE trading days; *from / *to its own bounds then. */
static int
partial_year(const struct dbt_periods *p, int y)
{
	int j1 = date_from_ymd(y, 1, 1), d31 = date_from_ymd(y, 12, 31);

	if (p->start > -1000000 && p->start > j1 && p->start <= d31 && cal_count(j1, p->start - 1) > 0)
		return 1;
	return p->end > -1000000 && p->end >= j1 && p->end < d31 && cal_count(p->end + 1, d31) > 0;
}

/* The note under a chart or table that marks partial years with '*'. */
static void
partial_note(FILE *fp, const struct dbt_periods *p, size_t ny, const int *years)
{
	char a[DATE_LEN + 1], b[DATE_LEN + 1];
	int any = 0;

	for (size_t i = 0; i < ny; i++)
		any |= partial_year(p, years[i]);
	if (any)
		fprintf(fp, "<p class=\"sub\">* a partial year: the series runs from %s to %s.</p>\n",
		    date_fmt(p->start, a), date_fmt(p->end, b));
}

void
dbt_periods_free(struct dbt_periods *p)
{
	free(p->year);
	free(p->ys);
	free(p->yb);
	free(p->month);
	free(p->ms);
	free(p->mb);
}

static int
periods_alloc(struct dbt_periods *p, size_t ny, size_t nm)
{
	p->year = calloc(ny + 1, sizeof *p->year);
	p->ys = calloc(ny + 1, sizeof *p->ys);
	p->yb = calloc(ny + 1, sizeof *p->yb);
	p->month = calloc(nm + 1, sizeof *p->month);
	p->ms = calloc(nm + 1, sizeof *p->ms);
	p->mb = calloc(nm + 1, sizeof *p->mb);
	return p->year && p->ys && p->yb && p->month && p->ms && p->mb ? 0 : -1;
}

int
dbt_periods_from_metrics(struct dbt_periods *p, const json_t *m)
{
	json_t *ya = json_object_get(m, "yearly"), *ma = json_object_get(m, "monthly"), *e;
	size_t i;

	if (periods_alloc(p, json_array_size(ya), json_array_size(ma)) < 0)
		return -1;
	json_array_foreach(ya, i, e) {
		double y = nd_num(e, "year", NAN);
		if (!(y >= 1800 && y <= 2200)) /* not a year: leave it out rather than draw a 10 000-row heatmap */
			continue;
		p->year[p->ny] = (int)y;
		p->ys[p->ny] = nd_num(e, "strategy", NAN);
		p->yb[p->ny++] = nd_num(e, "benchmark", NAN);
	}
	json_array_foreach(ma, i, e) {
		const char *s = nd_str(e, "month", NULL);
		char day[DATE_LEN + 1];
		int d;
		if (s == NULL || strlen(s) != 7)
			continue;
		snprintf(day, sizeof day, "%s-01", s);
		if (date_parse(day, DATE_LEN, &d) < 0 || atoi(s) < 1800 || atoi(s) > 2200)
			continue;
		memcpy(p->month[p->nm], s, 8);
		p->mb[p->nm] = nd_num(e, "benchmark", NAN);
		p->ms[p->nm++] = nd_num(e, "strategy", NAN);
	}
	return 0;
}

int
dbt_periods_from_equity(struct dbt_periods *p, const dash_equity *e, const struct dbt_derived *d)
{
	struct mt_period *mp = malloc((e->n + 1) * sizeof *mp);
	size_t n;

	if (mp == NULL || periods_alloc(p, e->n, e->n) < 0) {
		free(mp);
		return -1;
	}
	n = mt_periods(e->day, d->r[0], d->r[1], e->n, 0, mp, e->n);
	for (size_t i = 0; i < n; i++) {
		p->year[p->ny] = mp[i].year;
		p->ys[p->ny] = mp[i].r;
		p->yb[p->ny++] = mp[i].rb;
	}
	n = mt_periods(e->day, d->r[0], d->r[1], e->n, 1, mp, e->n);
	for (size_t i = 0; i < n; i++) {
		snprintf(p->month[p->nm], 8, "%04d-%02d", (mp[i].year % 10000 + 10000) % 10000, mp[i].month);
		p->mb[p->nm] = mp[i].rb;
		p->ms[p->nm++] = mp[i].r;
	}
	free(mp);
	return 0;
}

int
dbt_yearly(FILE *fp, const struct dbt_periods *p)
{
	char **labels = calloc(p->ny + 1, sizeof *labels), buf[3][HTML_NUM_MAX];
	const double *ys[2] = { p->ys, p->yb };
	static const char *const names[] = { "Strategy", "Benchmark" };
	svg_chart c = { "chart-yearly", "Compounded net return per calendar year", DBT_W, 260, SVG_PCT, 0, 0, 0, names, 2, 0, NULL, 0 };
	int rc;

	if (labels == NULL)
		return -1;
	for (size_t i = 0; i < p->ny; i++)
		if ((labels[i] = malloc(8)) != NULL)
			snprintf(labels[i], 8, "%d%s", p->year[i] % 100000, partial_year(p, p->year[i]) ? "*" : "");
		else
			labels[i] = NULL;
	for (size_t i = 0; i < p->ny; i++)
		if (labels[i] == NULL)
			goto oom;
	rc = svg_bars(fp, &c, (const char *const *)labels, ys, p->ny);
	html_table_begin(fp, "yearly", NULL, 1, "Year|>Strategy|>Benchmark|>Difference");
	for (size_t i = 0; i < p->ny; i++) {
		double d = p->ys[i] - p->yb[i];
		html_tr(fp);
		html_th_row(fp, labels[i]);
		html_td_num(fp, p->ys[i], html_fmt_pct(p->ys[i], 2, buf[0]), HTML_SIGN);
		html_td_num(fp, p->yb[i], html_fmt_pct(p->yb[i], 2, buf[1]), HTML_SIGN);
		html_td_num(fp, d, html_fmt_pct(d, 2, buf[2]), HTML_SIGN);
		html_tr_end(fp);
	}
	html_table_end(fp);
	partial_note(fp, p, p->ny, p->year);
	for (size_t i = 0; i < p->ny; i++)
		free(labels[i]);
	free(labels);
	return rc;
oom:
	for (size_t i = 0; i < p->ny; i++)
		free(labels[i]);
	free(labels);
	return -1;
}

/* The monthly returns heatmap of the strategy (which 0), the benchmark (1) or the excess, strategy minus
 * benchmark (2), as quantstats draws them; the last column is the year. */
int
dbt_monthly(FILE *fp, const struct dbt_periods *p, int which)
{
	static const char *const ids[] = { "chart-monthly", "chart-monthly-bench", "chart-monthly-excess" };
	static const char *const titles[] = { "Monthly returns, strategy (%)", "Monthly returns, benchmark (%)",
		"Monthly excess returns, strategy minus benchmark (percentage points)" };
	static const char *const mn[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
		"Nov", "Dec", "Year" };
	int y0 = 1 << 30, y1 = -(1 << 30), y, mo, rc;
	size_t nr, i;
	double *v;
	char (*rows)[8];
	const char **rowp;

	for (i = 0; i < p->nm; i++) {
		y = atoi(p->month[i]);
		y0 = y < y0 ? y : y0;
		y1 = y > y1 ? y : y1;
	}
	nr = p->nm ? (size_t)(y1 - y0 + 1) : 0;
	v = malloc((nr * 13 + 1) * sizeof *v);
	rows = calloc(nr + 1, sizeof *rows);
	rowp = calloc(nr + 1, sizeof *rowp);
	if (v == NULL || rows == NULL || rowp == NULL) {
		free(v);
		free(rows);
		free(rowp);
		return -1;
	}
	for (i = 0; i < nr * 13; i++)
		v[i] = NAN;
	for (i = 0; i < nr; i++) {
		snprintf(rows[i], 8, "%d%s", (y0 + (int)i) % 100000, partial_year(p, y0 + (int)i) ? "*" : "");
		rowp[i] = rows[i];
	}
	for (i = 0; i < p->nm; i++) {
		y = atoi(p->month[i]);
		mo = atoi(p->month[i] + 5);
		if (mo >= 1 && mo <= 12)
			v[(size_t)(y - y0) * 13 + (size_t)(mo - 1)] = which == 0 ? p->ms[i] : which == 1 ? p->mb[i] :
			    p->ms[i] - p->mb[i];
	}
	for (i = 0; i < p->ny; i++)
		if (p->year[i] >= y0 && p->year[i] <= y1)
			v[(size_t)(p->year[i] - y0) * 13 + 12] = which == 0 ? p->ys[i] : which == 1 ? p->yb[i] :
			    p->ys[i] - p->yb[i];
	svg_chart c = { ids[which], titles[which], DBT_W, 0, SVG_PCT, 0, 0, 0, NULL, 1, 0, NULL, 0 };
	rc = svg_heatmap(fp, &c, rowp, nr, mn, 13, v, NULL, NULL);
	if (which == 0 || which == 2)
		partial_note(fp, p, p->ny, p->year);
	free(v);
	free(rows);
	free(rowp);
	return rc;
}

/* The worst drawdowns: the metrics JSON's list (backtest(1) writes quantstats' drawdown_details rows),
 * else computed from the equity. A period still under water on the series' last day is open: quantstats
 * (and backtest(1)) give it that last day as its "end", which is not a recovery, so it is shown as open
 * with its depth on that day. A closed period recovered on the first trading day after its end. */
