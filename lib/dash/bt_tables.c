/* dash/bt_tables: the backtest page's parameters, worst drawdowns and holdings tables. */
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

/* The strategy's parameters (sti-strategy.conf(5)), labelled for people; a key whose setting does not
 * apply (vol_window under equal weights, rebalance_every with monthly rebalancing) is left out and said. */
static const struct param {
	const char *key, *label, *unit;
	const char *when_key, *when_value, *when_default; /* applies only when when_key is when_value */
} params_known[] = {
	{ "strategy", "Strategy", NULL, NULL, NULL, NULL },
	{ "name", "Name", NULL, NULL, NULL, NULL },
	{ "lookback", "Momentum lookback", "trading days", NULL, NULL, NULL },
	{ "skip", "Skipped recent days", "trading days", NULL, NULL, NULL },
	{ "max_gap", "Missing returns counted as 0 for at most", "days", NULL, NULL, NULL },
	{ "winsor", "Winsorised at percentiles", NULL, NULL, NULL, NULL },
	{ "select", "Selected at or above percentile", NULL, NULL, NULL, NULL },
	{ "mode", "Mode", NULL, NULL, NULL, NULL },
	{ "weighting", "Weighting", NULL, NULL, NULL, NULL },
	{ "vol_window", "Volatility window", "trading days", "weighting", "inverse_vol", "equal" },
	{ "max_weight", "Largest weight", NULL, NULL, NULL, NULL },
	{ "rebalance", "Rebalancing", NULL, NULL, NULL, NULL },
	{ "rebalance_every", "Rebalance every", "trading days", "rebalance", "periodic", "periodic" },
	{ "lag", "Implementation lag", "trading days", NULL, NULL, NULL },
	{ "cost_bps", "Costs", "bp of turnover", NULL, NULL, NULL },
	{ "rf", "Risk-free rate", "a year", NULL, NULL, NULL },
	{ "lookahead", "Look-ahead for a held security's next return", "trading days", NULL, NULL, NULL },
};

/* A parameter's value as text (a string as it is, a number shortest), into buf. */
static const char *
param_text(const json_t *v, char *buf, size_t n)
{
	char *t;

	if (v == NULL)
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
	snprintf(buf, n, "%s", t ? t : "?");
	free(t);
	return buf;
}

void
dbt_params(FILE *fp, const json_t *params, const char *source)
{
	const char *k, *val;
	json_t *v;
	char buf[256], shown[320], skipped[512] = "";
	size_t i, nk = sizeof params_known / sizeof params_known[0];

	html_table_begin(fp, "params", source, 0, "Parameter|Value");
	for (i = 0; i < nk; i++) {
		const struct param *q = &params_known[i];
		if ((val = param_text(json_object_get(params, q->key), buf, sizeof buf)) == NULL)
			continue;
		if (q->when_key) {
			const char *w = param_text(json_object_get(params, q->when_key), shown, sizeof shown);
			if (strcmp(w ? w : q->when_default, q->when_value) != 0) {
				size_t o = strlen(skipped);
				snprintf(skipped + o, sizeof skipped - o, "%s%s (only with %s = %s)", o ? "; " : "", q->key,
				    q->when_key, q->when_value);
				continue;
			}
		}
		if (strcmp(q->key, "rf") == 0 && json_is_number(json_object_get(params, q->key)))
			val = html_fmt_pct(json_number_value(json_object_get(params, q->key)), 2, buf);
		else if (strcmp(q->key, "max_weight") == 0 && strcmp(val, "1") == 0)
			val = "1 (no cap)";
		fprintf(fp, "<tr data-p=\"%s\">", q->key);
		html_th_row(fp, q->label);
		snprintf(shown, sizeof shown, "%s%s%s", val, q->unit ? " " : "", q->unit ? q->unit : "");
		if (q->unit && strcmp(val, "1") == 0 && shown[strlen(shown) - 1] == 's')
			shown[strlen(shown) - 1] = '\0'; /* "1 trading day" */
		html_td(fp, shown);
		html_tr_end(fp);
	}
	json_object_foreach((json_t *)params, k, v) { /* keys this page does not know: as they are */
		for (i = 0; i < nk && strcmp(params_known[i].key, k) != 0; i++)
			;
		if (i < nk)
			continue;
		fputs("<tr data-p=\"", fp);
		html_esc(fp, k);
		fputs("\">", fp);
		html_th_row(fp, k);
		html_td(fp, param_text(v, buf, sizeof buf));
		html_tr_end(fp);
	}
	html_table_end(fp);
	if (*skipped)
		html_notice(fp, "info", "Not shown, as they do not apply: %s.", skipped);
}

/* The worst drawdowns: the metrics JSON's list (backtest(1) writes quantstats' drawdown_details rows),
 * else computed from the equity. A period still under water on the series' last day is open: quantstats
 * (and backtest(1)) give it that last day as its "end", which is not a recovery, so it is shown as open
 * with its depth on that day. A closed period recovered on the first trading day after its end. */
void
dbt_drawdowns(FILE *fp, const json_t *m, const dash_equity *e, const double *uw)
{
	json_t *a = m ? json_object_get(m, "drawdowns") : NULL, *x;
	struct mt_drawdown dd[10];
	size_t i, n;
	int last = e && e->n ? e->day[e->n - 1] : -1000000;
	char buf[HTML_NUM_MAX], nb[HTML_NUM_MAX], d[4][DATE_LEN + 1], rec[HTML_NUM_MAX + 64];
	const char *ms;

	if (m && (ms = nd_str(m, "end", NULL)) != NULL && strlen(ms) == DATE_LEN)
		date_parse(ms, DATE_LEN, &last);
	if (a != NULL) {
		n = 0;
		json_array_foreach(a, i, x) {
			const char *k[3] = { nd_str(x, "start", NULL), nd_str(x, "valley", NULL), nd_str(x, "end", NULL) };
			int v[3] = { 0, 0, last };
			if (n == sizeof dd / sizeof dd[0])
				break;
			for (int j = 0; j < 3; j++)
				if (k[j] == NULL || strlen(k[j]) != DATE_LEN || date_parse(k[j], DATE_LEN, &v[j]) < 0)
					v[j] = j == 2 && k[j] == NULL ? last : -1000000; /* no end: open (older files) */
			dd[n] = (struct mt_drawdown){ .start = v[0], .valley = v[1], .end = v[2],
				.open = v[2] == last && last > -1000000, .days = (int)nd_num(x, "days", NAN),
				.max_drawdown = nd_num(x, "max_drawdown", NAN) };
			if (isnan(nd_num(x, "days", NAN)))
				dd[n].days = -1;
			n++;
		}
	} else {
		n = mt_drawdowns(e->day, e->net, e->n, dd, sizeof dd / sizeof dd[0]);
	}
	html_table_begin(fp, "drawdowns", "Days: calendar days from the first day under water to the last "
	    "(to the last date for an open drawdown), as quantstats counts them", 0,
	    ">#|Start|Valley|Last day under water|Recovered|>Days|>Max drawdown");
	for (i = 0; i < n; i++) {
		const struct mt_drawdown *p = &dd[i];
		html_tr(fp);
		snprintf(nb, sizeof nb, "%zu", i + 1);
		html_td_num(fp, (double)(i + 1), nb, 0);
		for (int j = 0; j < 3; j++) {
			int v = j == 0 ? p->start : j == 1 ? p->valley : p->end;
			html_td(fp, v > -1000000 ? date_fmt(v, d[j]) : NULL);
		}
		if (p->open) {
			double now = uw && e && e->n && e->day[e->n - 1] == last ? uw[e->n - 1] : NAN;
			if (isnan(now))
				snprintf(rec, sizeof rec, "not yet (open)");
			else
				snprintf(rec, sizeof rec, "not yet (open: %s on %s)", html_fmt_pct(now, 1, buf),
				    date_fmt(last, d[3]));
			fputs("<td class=\"open\" data-open=\"1\">", fp);
			html_esc(fp, rec);
			fputs("</td>", fp);
		} else {
			size_t k = 0;
			/* the recovery day: the first row after the end (computed periods know it already) */
			int r = a == NULL ? p->recovery : -1000000;
			if (r == -1000000 && e && e->n && p->end > -1000000) {
				size_t lo = 0, hi = e->n;
				while (lo < hi) {
					k = (lo + hi) / 2;
					if (e->day[k] <= p->end)
						lo = k + 1;
					else
						hi = k;
				}
				if (lo < e->n)
					r = e->day[lo];
			}
			html_td(fp, r > -1000000 ? date_fmt(r, d[3]) : "yes");
		}
		html_td_num(fp, p->days >= 0 ? (double)p->days : NAN, html_fmt_num(p->days, 0, buf), 0);
		html_td_num(fp, p->max_drawdown, html_fmt_pct(p->max_drawdown, 2, nb), HTML_SIGN);
		html_tr_end(fp);
	}
	html_table_end(fp);
}

void
dbt_holdings(FILE *fp, const dash_weights *w)
{
	char buf[HTML_NUM_MAX], d[DATE_LEN + 1], cap[128];
	double gross = 0;

	for (size_t i = 0; i < w->n; i++)
		gross += fabs(w->h[i].weight);
	snprintf(cap, sizeof cap, "Target weights of %s: %zu holdings, gross %s", date_fmt(w->day, d), w->n,
	    html_fmt_pct(gross, 1, buf));
	html_table_begin(fp, "holdings", cap, 1, "Symbol|Id|>Weight");
	for (size_t i = 0; i < w->n; i++) {
		html_tr(fp);
		html_th_row(fp, w->h[i].symbol);
		html_td(fp, w->h[i].id);
		html_td_num(fp, w->h[i].weight, html_fmt_pct(w->h[i].weight, 2, buf), 0);
		html_tr_end(fp);
	}
	html_table_end(fp);
}

