/* dash/bt_metrics: the backtest page's metric tiles and tables, each metric with its definition. */
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

enum kind { K_PCT, K_NUM, K_DAYS };

/* A metric of a table, with its definition. */
struct metric {
	const char *key;   /* key in the metrics JSON, and the row's data-k */
	const char *label; /* shown */
	enum kind kind;    /* formatting */
	const char *def;   /* definition, shown on hover and in the table's footnotes */
	size_t off;        /* the extras': offset of the value in struct mt_extra */
};

/* The metrics JSON's, with their definitions (sti-backtest(5), metrics.md: quantstats 0.0.81's). */
static const struct metric metrics[] = {
	{ "cumulative_return", "Cumulative return", K_PCT, "prod(1 + r) \xe2\x88\x92 1 over the daily net returns r", 0 },
	{ "cagr", "CAGR", K_PCT, "prod(1 + r)^(252 / N) \xe2\x88\x92 1: compounded per 252 trading days (N days)", 0 },
	{ "volatility", "Volatility (ann.)", K_PCT, "std(r, ddof 1) \xc3\x97 \xe2\x88\x9a" "252", 0 },
	{ "sharpe", "Sharpe", K_NUM, "mean(r \xe2\x88\x92 rf) / std(r \xe2\x88\x92 rf, ddof 1) \xc3\x97 "
		"\xe2\x88\x9a" "252, rf the daily risk-free rate", 0 },
	{ "sortino", "Sortino", K_NUM, "mean(r \xe2\x88\x92 rf) / \xe2\x88\x9a" "(sum of squared negative "
		"excess returns / N) \xc3\x97 \xe2\x88\x9a" "252", 0 },
	{ "max_drawdown", "Max drawdown", K_PCT, "the lowest wealth / running peak \xe2\x88\x92 1 (from a start of 1)", 0 },
	{ "calmar", "Calmar", K_NUM, "CAGR / |max drawdown|", 0 },
	{ "omega", "Omega", K_NUM, "sum of positive excess returns / \xe2\x88\x92sum of negative ones (threshold 0)", 0 },
	{ "skew", "Skew", K_NUM, "bias-corrected sample skewness of r", 0 },
	{ "kurtosis", "Kurtosis (excess)", K_NUM, "bias-corrected sample excess kurtosis of r (0 for a normal)", 0 },
	{ "var_95", "Daily VaR 95%", K_PCT, "parametric: mean(r) + std(r) \xc3\x97 z(0.05), z(0.05) = \xe2\x88\x92" "1.645", 0 },
	{ "cvar_95", "Daily CVaR 95%", K_PCT, "mean of the daily returns below the VaR", 0 },
	{ "win_rate", "Win rate (days)", K_PCT, "days with r > 0 / days with r \xe2\x89\xa0 0", 0 },
	{ "best_day", "Best day", K_PCT, "the largest daily return", 0 },
	{ "worst_day", "Worst day", K_PCT, "the smallest daily return", 0 },
	{ "total_turnover", "Total turnover", K_PCT, "sum over rebalances of buys plus sells, as % of the portfolio", 0 },
	{ "annual_turnover", "Annual turnover", K_PCT, "total turnover \xc3\x97 252 / N: buys plus sells in an "
		"average year, as % of the portfolio", 0 },
	{ "total_cost", "Total cost", K_PCT, "sum of the costs charged (cost_bps of turnover), as a share of wealth", 0 },
	{ "beta", "Beta", K_NUM, "OLS slope of r on the benchmark's r: cov / var", 0 },
	{ "alpha", "Alpha (ann.)", K_PCT, "(mean(r) \xe2\x88\x92 beta \xc3\x97 mean(benchmark r)) \xc3\x97 252", 0 },
	{ "psr", "Probabilistic Sharpe", K_PCT, "P(true Sharpe > 0) given the sample's Sharpe, length, skew and "
		"kurtosis (Bailey and L\xc3\xb3pez de Prado); one trial, so not deflated", 0 },
};

#define NMETRICS (sizeof metrics / sizeof metrics[0])

static char *
fmt_kind(double v, enum kind k, char *buf)
{
	return k == K_PCT ? html_fmt_pct(v, 2, buf) : html_fmt_num(v, k == K_DAYS ? 0 : 2, buf);
}


/* A table of metrics t[0..n) with the strategy's values x and the benchmark's y (a row with neither is
 * left out), then their definitions under defs_id, a tap away on a phone (no hover there) and printed with
 * the table, and the note (NULL: none) under them. */
static void
metric_table(FILE *fp, const char *id, const char *cap, const struct metric *t, size_t n, const double *x,
    const double *y, const char *defs_id, const char *note)
{
	char v1[HTML_NUM_MAX], v2[HTML_NUM_MAX];

	html_table_begin(fp, id, cap, 0, "Metric|>Strategy|>Benchmark");
	for (size_t i = 0; i < n; i++) {
		if (isnan(x[i]) && isnan(y[i]))
			continue;
		fprintf(fp, "<tr data-k=\"%s\"><th scope=\"row\" title=\"", t[i].key);
		html_esc(fp, t[i].def);
		fputs("\">", fp);
		html_esc(fp, t[i].label);
		fputs("</th>", fp);
		html_td_num(fp, x[i], fmt_kind(x[i], t[i].kind, v1), 0);
		html_td_num(fp, y[i], fmt_kind(y[i], t[i].kind, v2), 0);
		html_tr_end(fp);
	}
	html_table_end(fp);
	fprintf(fp, "<details class=\"defs\" id=\"%s\"><summary>Definitions</summary><dl>", defs_id);
	for (size_t i = 0; i < n; i++) {
		fputs("<dt>", fp);
		html_esc(fp, t[i].label);
		fputs("</dt><dd>", fp);
		html_esc(fp, t[i].def);
		fputs("</dd>", fp);
	}
	fputs("</dl>", fp);
	if (note) {
		fputs("<p class=\"sub\">", fp);
		html_esc(fp, note);
		fputs("</p>", fp);
	}
	fputs("</details>\n", fp);
}

void
dbt_kpis(FILE *fp, const json_t *m)
{
	const json_t *s = json_object_get(m, "strategy"), *b = json_object_get(m, "benchmark");
	char v1[HTML_NUM_MAX], v2[HTML_NUM_MAX], sub[128];
	static const int tiles[] = { 0, 1, 3, 5, 2, 4, 6, 16 };

	fputs("<div class=\"kpis\">\n", fp);
	for (size_t i = 0; i < sizeof tiles / sizeof tiles[0]; i++) {
		const struct metric *t = &metrics[tiles[i]];
		double x = nd_num(s, t->key, NAN), y = nd_num(b, t->key, NAN);
		char id[64];
		snprintf(sub, sizeof sub, "benchmark %s", fmt_kind(y, t->kind, v2));
		snprintf(id, sizeof id, "kpi-%s", t->key);
		html_kpi(fp, id, t->label, fmt_kind(x, t->kind, v1), isnan(y) ? NULL : sub, x,
		    t->kind == K_PCT && strcmp(t->key, "volatility") != 0);
	}
	fputs("</div>\n", fp);
}

void
dbt_metrics_table(FILE *fp, const json_t *m)
{
	const json_t *s = json_object_get(m, "strategy"), *b = json_object_get(m, "benchmark");
	double rf = nd_num(json_object_get(m, "params"), "rf", NAN), x[NMETRICS], y[NMETRICS];
	char v1[HTML_NUM_MAX], cap[192];

	if (isnan(rf))
		snprintf(cap, sizeof cap, "Daily net returns r, 252 trading days a year; risk-free rate not recorded "
		    "(backtest(1)'s default is 0)");
	else
		snprintf(cap, sizeof cap, "Daily net returns r, 252 trading days a year; risk-free rate %s a year",
		    html_fmt_pct(rf, 2, v1));
	for (size_t i = 0; i < NMETRICS; i++) {
		x[i] = nd_num(s, metrics[i].key, NAN);
		y[i] = nd_num(b, metrics[i].key, NAN);
	}
	metric_table(fp, "metrics", cap, metrics, NMETRICS, x, y, "metric-defs",
	    BENCH_DESC " Definitions as quantstats 0.0.81 has them (sti-backtest(5)).");
}


/* The rest of quantstats' metrics (mt_extra), from the equity: they are not in the metrics JSON. */
static const struct metric extras[] = {
	{ "mtd", "MTD", K_PCT, "compounded return since the 1st of the last date's month", offsetof(struct mt_extra, mtd) },
	{ "3m", "3M", K_PCT, "compounded return of the last 3 calendar months", offsetof(struct mt_extra, m3) },
	{ "6m", "6M", K_PCT, "compounded return of the last 6 calendar months", offsetof(struct mt_extra, m6) },
	{ "ytd", "YTD", K_PCT, "compounded return since January 1 of the last date's year", offsetof(struct mt_extra, ytd) },
	{ "1y", "1Y", K_PCT, "compounded return of the last 12 calendar months", offsetof(struct mt_extra, y1) },
	{ "3y", "3Y (ann.)", K_PCT, "CAGR of the last 35 months (quantstats' 3Y)", offsetof(struct mt_extra, y3) },
	{ "5y", "5Y (ann.)", K_PCT, "CAGR of the last 59 months (quantstats' 5Y)", offsetof(struct mt_extra, y5) },
	{ "10y", "10Y (ann.)", K_PCT, "CAGR of the last 10 years", offsetof(struct mt_extra, y10) },
	{ "all", "All-time (ann.)", K_PCT, "CAGR of the whole series", offsetof(struct mt_extra, all) },
	{ "best_month", "Best month", K_PCT, "the best compounded calendar month", offsetof(struct mt_extra, best_month) },
	{ "worst_month", "Worst month", K_PCT, "the worst compounded calendar month", offsetof(struct mt_extra, worst_month) },
	{ "best_year", "Best year", K_PCT, "the best compounded calendar year (partial years included)", offsetof(struct mt_extra, best_year) },
	{ "worst_year", "Worst year", K_PCT, "the worst compounded calendar year (partial years included)", offsetof(struct mt_extra, worst_year) },
	{ "longest_dd_days", "Longest drawdown (days)", K_DAYS, "calendar days of the longest drawdown period", offsetof(struct mt_extra, longest_dd_days) },
	{ "avg_dd", "Average drawdown", K_PCT, "mean depth of every drawdown period", offsetof(struct mt_extra, avg_dd) },
	{ "avg_dd_days", "Average drawdown (days)", K_DAYS, "mean calendar days of every drawdown period", offsetof(struct mt_extra, avg_dd_days) },
	{ "recovery_factor", "Recovery factor", K_NUM, "|sum of daily returns| / |max drawdown| (quantstats sums, not compounds)", offsetof(struct mt_extra, recovery_factor) },
	{ "ulcer_index", "Ulcer index", K_NUM, "\xe2\x88\x9a" "(sum of squared daily drawdowns / (N \xe2\x88\x92 1))", offsetof(struct mt_extra, ulcer_index) },
	{ "time_in_market", "Time in market", K_PCT, "share of days with a nonzero return, rounded up to a whole percent", offsetof(struct mt_extra, time_in_market) },
	{ "profit_factor", "Profit factor", K_NUM, "sum of daily gains (r \xe2\x89\xa5 0) / |sum of daily losses|", offsetof(struct mt_extra, profit_factor) },
	{ "tail_ratio", "Tail ratio", K_NUM, "|95th percentile / 5th percentile| of the daily returns", offsetof(struct mt_extra, tail_ratio) },
	{ "r_squared", "R-squared", K_NUM, "squared correlation of the daily returns with the benchmark's", offsetof(struct mt_extra, r_squared) },
};

#define NEXTRAS (sizeof extras / sizeof extras[0])

/* A metric's value: the metrics JSON's (o: its strategy or benchmark object) when it has the key, the
 * one computed here otherwise. *from_json counts the former. */
static double
pick(const json_t *o, const char *key, double computed, int *from_json)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL)
		return computed;
	(*from_json)++;
	return json_is_number(v) ? json_number_value(v) : NAN;
}

void
dbt_more_metrics(FILE *fp, const dash_equity *e, const struct dbt_derived *d, const json_t *m)
{
	const json_t *s = json_object_get(m, "strategy"), *bo = json_object_get(m, "benchmark");
	struct mt_extra x[2];
	double a[NEXTRAS], b[NEXTRAS];
	int nj = 0;

	mt_extra(e->day, d->r[0], d->nser == 2 ? d->r[1] : NULL, e->n, &x[0]);
	mt_extra(e->day, d->r[1], NULL, e->n, &x[1]);
	for (size_t i = 0; i < NEXTRAS; i++) {
		a[i] = pick(s, extras[i].key, *(const double *)((const char *)&x[0] + extras[i].off), &nj);
		b[i] = d->nser == 2 ? pick(bo, extras[i].key, *(const double *)((const char *)&x[1] + extras[i].off),
		    &nj) : NAN;
	}
	metric_table(fp, "metrics-more", nj > 0 ? "From the metrics JSON (backtest(1) writes them from the daily net "
	    "returns), as quantstats' metrics report has them" : "Computed here from the equity's daily net returns, "
	    "as quantstats' metrics report has them", extras, NEXTRAS, a, b, "more-defs", NULL);
}
