/* dash/backtest: the backtest tear sheet (metrics.md's charts and tables, in quantstats' order), put
 * together from its parts (btpage.h). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dash/btpage.h"
#include "dash/explorer.h"
#include "date.h"
#include "html.h"
#include "ndjson.h"

/* The page's inputs, as read. */
struct bt {
	const dash_backtest_in *in;
	dash_probs *probs;
	dash_equity e;
	dash_weights w;
	struct dbt_sweep sw;
	json_t *m, *cfg;      /* metrics JSON, strategy config (NULL: absent or malformed) */
	const json_t *params; /* the parameters the backtest ran with (the metrics'), else the config's */
	int have_e, have_w, have_s;
	struct dbt_derived der;
	struct dbt_periods per;
};

static int
load(struct bt *b)
{
	const dash_backtest_in *in = b->in;
	const char *s, *e;

	if (in->equity)
		b->have_e = dash_read_equity(in->equity, &b->e, b->probs) == 1 && b->e.n > 0;
	else
		dash_prob(b->probs, 0, "equity CSV: not given (--equity)");
	if (in->metrics)
		b->m = dbt_read_metrics(in->metrics, b->probs);
	else
		dash_prob(b->probs, 0, "metrics JSON: not given (--metrics)");
	if (in->weights)
		b->have_w = dash_read_weights(in->weights, &b->w, b->probs) == 1;
	else
		dash_prob(b->probs, 0, "weights CSV: not given (--weights)");
	if (in->config)
		b->cfg = dbt_read_config(in->config, b->probs);
	if (in->sweep)
		b->have_s = dbt_read_sweep(in->sweep, &b->sw, b->probs) == 1;
	b->params = b->m && json_object_size(json_object_get(b->m, "params")) > 0 ?
	    json_object_get(b->m, "params") : b->cfg;

	if (b->have_e && dbt_derive(&b->der, &b->e) < 0)
		return -1;
	if (b->m && dbt_periods_from_metrics(&b->per, b->m) < 0)
		return -1;
	if (!b->m && b->der.mem && dbt_periods_from_equity(&b->per, &b->e, &b->der) < 0)
		return -1;
	b->per.start = b->per.end = -1000000;
	if (b->have_e) {
		b->per.start = b->e.day[0];
		b->per.end = b->e.day[b->e.n - 1];
	} else if (b->m && (s = nd_str(b->m, "start", NULL)) != NULL && (e = nd_str(b->m, "end", NULL)) != NULL &&
	    (date_parse(s, strlen(s), &b->per.start) < 0 || date_parse(e, strlen(e), &b->per.end) < 0))
		b->per.start = b->per.end = -1000000;
	return 0;
}

static void
unload(struct bt *b)
{
	dbt_periods_free(&b->per);
	free(b->der.mem);
	dbt_sweep_free(&b->sw);
	dash_equity_free(&b->e);
	dash_weights_free(&b->w);
	json_decref(b->m);
	json_decref(b->cfg);
}

/* The title (the strategy's name), the subtitle (the period) and the navigation. */
static void
begin(FILE *fp, const struct bt *b)
{
	static const char *const secs[] = { "metrics-sec", "Metrics", "cumulative", "Returns", "underwater",
		"Drawdown", "rolling-vol", "Rolling", "yearly-sec", "Yearly", "monthly-sec", "Monthly",
		"drawdowns-sec", "Worst drawdowns", "holdings-sec", "Holdings", "turnover", "Turnover", "params-sec",
		"Parameters" };
	const json_t *p = b->params, *m = b->m;
	char sub[512], title[256], d0[DATE_LEN + 1], d1[DATE_LEN + 1], nb[HTML_NUM_MAX];
	const char *name = p && nd_str(p, "name", NULL) ? nd_str(p, "name", NULL) : p && nd_str(p, "strategy", NULL) ?
	    nd_str(p, "strategy", NULL) : "LO CSMOM";
	dash_nav nav = { 0 };

	if (b->have_e)
		snprintf(sub, sizeof sub, "%s to %s \xc2\xb7 %s trading days \xc2\xb7 generated %s",
		    date_fmt(b->e.day[0], d0), date_fmt(b->e.day[b->e.n - 1], d1), html_fmt_num((double)b->e.n, 0, nb),
		    b->in->now);
	else if (m && nd_str(m, "start", NULL) && nd_str(m, "end", NULL))
		snprintf(sub, sizeof sub, "%s to %s \xc2\xb7 generated %s", nd_str(m, "start", NULL),
		    nd_str(m, "end", NULL), b->in->now);
	else
		snprintf(sub, sizeof sub, "generated %s", b->in->now);
	snprintf(title, sizeof title, "%s \xe2\x80\x94 %s", b->in->title ? b->in->title : "Backtest", name);
	if (b->in->links) {
		dash_nav_add(&nav, "../live/index.html", "Live \xe2\x86\x92");
		dash_nav_add(&nav, "../mock/index.html", "Mock \xe2\x86\x92");
	}
	for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i += 2)
		dash_nav_add(&nav, secs[i], secs[i + 1]);
	if (b->in->sweep)
		dash_nav_add(&nav, "sweep", "Sweep");
	if (b->in->grid_table)
		dash_nav_add(&nav, "explorer", "Explorer");
	if (b->in->walkfwd)
		dash_nav_add(&nav, "walkforward", "Walk-forward");
	html_page_begin(fp, title, sub, 0, nav.v);
}

/* Metrics and the charts of the daily returns. Cards pair up in two columns on a desktop: neighbours of
 * similar height stay together. */
static int
returns_sections(FILE *fp, struct bt *b)
{
	const struct dbt_derived *d = &b->der;
	int rc = 0;

	if (b->m) {
		html_section_begin(fp, "metrics-sec", "Key metrics", 1);
		dbt_kpis(fp, b->m);
		html_notice(fp, "info", "%s", BENCH_DESC);
		html_section_end(fp);
	} else
		dash_missing(fp, "metrics-sec", "Key metrics", 1, "the metrics JSON");
	if (d->mem)
		rc |= dbt_chart_cum(fp, &b->e, d);
	else
		dash_missing(fp, "cumulative", "Cumulative returns vs benchmark", 0, "the equity CSV");
	if (b->m) {
		html_section_begin(fp, "metrics-table", "All metrics", 0);
		dbt_metrics_table(fp, b->m);
		html_section_end(fp);
	} else
		dash_missing(fp, "metrics-table", "All metrics", 0, "the metrics JSON");
	if (d->mem) {
		html_section_begin(fp, "more-metrics", "More metrics: trailing returns, drawdowns, ratios", 0);
		dbt_more_metrics(fp, &b->e, d, b->m);
		html_section_end(fp);
		rc |= dbt_chart_underwater(fp, &b->e, d);
		rc |= dbt_chart_daily(fp, &b->e, d);
		rc |= dbt_chart_quantiles(fp, &b->e, d);
		rc |= dbt_chart_dist(fp, &b->e, d);
		rc |= dbt_chart_rolling(fp, &b->e, d);
	} else {
		dash_missing(fp, "underwater", "Underwater", 0, "the equity CSV");
		dash_missing(fp, "distribution", "Distribution of daily returns", 0, "the equity CSV");
		dash_missing(fp, "rolling-vol", "Rolling volatility", 0, "the equity CSV");
		dash_missing(fp, "rolling", "Rolling Sharpe", 0, "the equity CSV");
	}
	return rc;
}

/* Yearly and monthly returns, drawdowns, holdings, turnover. */
static int
period_sections(FILE *fp, struct bt *b)
{
	static const char both[] = "the metrics JSON and the equity CSV";
	const struct dbt_periods *per = &b->per;
	int rc = 0;

	if (per->ny > 0) {
		html_section_begin(fp, "yearly-sec", "Yearly returns", 0);
		rc |= dbt_yearly(fp, per);
		html_section_end(fp);
	} else
		dash_missing(fp, "yearly-sec", "Yearly returns", 0, both);
	if (per->nm > 0) {
		html_section_begin(fp, "monthly-sec", "Monthly returns", 0);
		rc |= dbt_monthly(fp, per, 0);
		html_section_end(fp);
		if (!isnan(per->mb[0])) {
			html_section_begin(fp, "monthly-bench-sec", "Monthly returns: benchmark and excess", 0);
			rc |= dbt_monthly(fp, per, 1);
			rc |= dbt_monthly(fp, per, 2);
			html_section_end(fp);
		}
	} else
		dash_missing(fp, "monthly-sec", "Monthly returns", 0, both);
	if (b->m || b->der.mem) {
		html_section_begin(fp, "drawdowns-sec", "Worst 10 drawdowns", 0);
		dbt_drawdowns(fp, b->m, b->have_e ? &b->e : NULL, b->der.mem ? b->der.dd[0] : NULL);
		html_section_end(fp);
	} else
		dash_missing(fp, "drawdowns-sec", "Worst 10 drawdowns", 0, both);
	if (b->have_w) {
		html_section_begin(fp, "holdings-sec", "Current holdings", 0);
		dbt_holdings(fp, &b->w);
		html_section_end(fp);
	} else
		dash_missing(fp, "holdings-sec", "Current holdings", 0, "the weights CSV");
	if (b->m || b->have_e) {
		html_section_begin(fp, "turnover", "Turnover per rebalance", 0);
		rc |= dbt_turnover(fp, b->m, &b->e);
		html_section_end(fp);
	} else
		dash_missing(fp, "turnover", "Turnover per rebalance", 0, both);
	return rc;
}

/* The parameters, the explorer and the sweep. */
static int
param_sections(FILE *fp, struct bt *b)
{
	const dash_backtest_in *in = b->in;
	int rc = 0;

	html_section_begin(fp, "params-sec", "Strategy parameters", 0);
	if (b->params && json_object_size(b->params) > 0) {
		char src[192];
		const char *base = in->config ? strrchr(in->config, '/') : NULL;
		if (b->params == b->cfg)
			snprintf(src, sizeof src, "From the strategy config %s", base ? base + 1 : in->config);
		else
			snprintf(src, sizeof src, "As the backtest ran (its metrics JSON)");
		dbt_params(fp, b->params, src);
	} else
		html_notice(fp, "warn", "Not available: no strategy config and no parameters in the metrics.");
	html_section_end(fp);
	if (in->walkfwd)
		rc |= dbt_walkfwd(fp, in->walkfwd, b->have_e ? &b->e : NULL, b->probs);
	if (in->grid_table)
		rc |= dash_explorer(fp, in->grid_table, in->grid_equity, (json_t *)b->params, b->probs);
	if (in->sweep && b->have_s) {
		html_section_begin(fp, "sweep", "Parameter sensitivity", 0);
		rc |= dbt_sweep_section(fp, &b->sw, in->grid_table != NULL);
		html_section_end(fp);
	} else if (in->sweep)
		dash_missing(fp, "sweep", "Parameter sensitivity", 0, "the sweep CSV");
	return rc;
}

int
dash_backtest(FILE *fp, const dash_backtest_in *in, dash_probs *probs)
{
	struct bt b = { .in = in, .probs = probs };
	int rc = load(&b);

	begin(fp, &b);
	dash_problems(fp, probs);
	rc |= returns_sections(fp, &b);
	rc |= period_sections(fp, &b);
	rc |= param_sections(fp, &b);
	html_page_end(fp, "Written by dash-gen (systematic-trading-infra). Static page: no network, no server.");
	unload(&b);
	return rc ? -1 : 0;
}
