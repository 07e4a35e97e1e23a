/* dash/backtest: the backtest tear sheet (metrics.md's charts and tables, in quantstats' order). */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dash/dash.h"
#include "dash/explorer.h"
#include "date.h"
#include "html.h"
#include "metrics.h"
#include "ndjson.h"
#include "svg.h"

#define W 640     /* chart viewBox width: about 1:1 in a half-width card on a desktop */
#define ROLL 126  /* rolling window, trading days (half a year, as quantstats) */

enum kind { K_PCT, K_NUM, K_DAYS };

/* The metrics, with their definitions (sti-backtest(5), metrics.md: quantstats 0.0.81's). */
static const struct metric {
	const char *key;   /* key in the metrics JSON */
	const char *label; /* shown */
	enum kind kind;    /* formatting */
	const char *def;   /* definition, shown on hover and in the table's footnotes */
} metrics[] = {
	{ "cumulative_return", "Cumulative return", K_PCT, "prod(1 + r) \xe2\x88\x92 1 over the daily net returns r" },
	{ "cagr", "CAGR", K_PCT, "prod(1 + r)^(252 / N) \xe2\x88\x92 1: compounded per 252 trading days (N days)" },
	{ "volatility", "Volatility (ann.)", K_PCT, "std(r, ddof 1) \xc3\x97 \xe2\x88\x9a" "252" },
	{ "sharpe", "Sharpe", K_NUM, "mean(r \xe2\x88\x92 rf) / std(r \xe2\x88\x92 rf, ddof 1) \xc3\x97 "
		"\xe2\x88\x9a" "252, rf the daily risk-free rate" },
	{ "sortino", "Sortino", K_NUM, "mean(r \xe2\x88\x92 rf) / \xe2\x88\x9a" "(sum of squared negative "
		"excess returns / N) \xc3\x97 \xe2\x88\x9a" "252" },
	{ "max_drawdown", "Max drawdown", K_PCT, "the lowest wealth / running peak \xe2\x88\x92 1 (from a start of 1)" },
	{ "calmar", "Calmar", K_NUM, "CAGR / |max drawdown|" },
	{ "omega", "Omega", K_NUM, "sum of positive excess returns / \xe2\x88\x92sum of negative ones (threshold 0)" },
	{ "skew", "Skew", K_NUM, "bias-corrected sample skewness of r" },
	{ "kurtosis", "Kurtosis (excess)", K_NUM, "bias-corrected sample excess kurtosis of r (0 for a normal)" },
	{ "var_95", "Daily VaR 95%", K_PCT, "parametric: mean(r) + std(r) \xc3\x97 z(0.05), z(0.05) = \xe2\x88\x92" "1.645" },
	{ "cvar_95", "Daily CVaR 95%", K_PCT, "mean of the daily returns below the VaR" },
	{ "win_rate", "Win rate (days)", K_PCT, "days with r > 0 / days with r \xe2\x89\xa0 0" },
	{ "best_day", "Best day", K_PCT, "the largest daily return" },
	{ "worst_day", "Worst day", K_PCT, "the smallest daily return" },
	{ "total_turnover", "Total turnover", K_PCT, "sum over rebalances of buys plus sells, as % of the portfolio" },
	{ "annual_turnover", "Annual turnover", K_PCT, "total turnover \xc3\x97 252 / N: buys plus sells in an "
		"average year, as % of the portfolio" },
	{ "total_cost", "Total cost", K_PCT, "sum of the costs charged (cost_bps of turnover), as a share of wealth" },
	{ "beta", "Beta", K_NUM, "OLS slope of r on the benchmark's r: cov / var" },
	{ "alpha", "Alpha (ann.)", K_PCT, "(mean(r) \xe2\x88\x92 beta \xc3\x97 mean(benchmark r)) \xc3\x97 252" },
};

/* What the benchmark is (backtest(1)): said wherever it is compared. */
#define BENCH_DESC "Benchmark: the equal-weight portfolio of the universe's members with a return that day, " \
	"rebalanced on the strategy's rebalance days and charged the same costs (backtest(1))."

static char *
fmt_kind(double v, enum kind k, char *buf)
{
	return k == K_PCT ? html_fmt_pct(v, 2, buf) : html_fmt_num(v, k == K_DAYS ? 0 : 2, buf);
}

/* ============================================================ inputs */

static json_t *
read_metrics(const char *path, dash_probs *p)
{
	json_error_t e;
	json_t *m;
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		dash_prob(p, 0, "%s: %s", path, errno == ENOENT ? "missing" : strerror(errno));
		return NULL;
	}
	m = json_loadf(fp, 0, &e);
	fclose(fp);
	if (m == NULL) {
		dash_prob(p, 1, "%s:%d: invalid JSON: %s", path, e.line, e.text);
		return NULL;
	}
	if (!json_is_object(m) || !json_is_object(json_object_get(m, "strategy"))) {
		dash_prob(p, 1, "%s:1: strategy: not a metrics object", path);
		json_decref(m);
		return NULL;
	}
	return m;
}

/* The strategy config as a JSON object of strings: either the file is one JSON object, or lines of
 * "key = value" with '#' comments. NULL (problem recorded) when unreadable or malformed. */
static json_t *
read_config(const char *path, dash_probs *p)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, *k, *v, *eq, *end;
	size_t cap = 0;
	long lineno = 0;
	json_t *o;
	json_error_t e;
	int c;

	if (fp == NULL) {
		dash_prob(p, 0, "%s: %s", path, errno == ENOENT ? "missing" : strerror(errno));
		return NULL;
	}
	while ((c = getc(fp)) != EOF && isspace(c))
		;
	if (c == '{') {
		ungetc(c, fp);
		o = json_loadf(fp, 0, &e);
		fclose(fp);
		if (o == NULL || !json_is_object(o)) {
			dash_prob(p, 1, "%s:%d: invalid JSON: %s", path, e.line, o ? "not an object" : e.text);
			json_decref(o);
			return NULL;
		}
		return o;
	}
	rewind(fp);
	o = json_object();
	while (o != NULL && getline(&line, &cap, fp) >= 0) {
		lineno++;
		if ((k = strchr(line, '#')) != NULL)
			*k = '\0';
		for (k = line; isspace((unsigned char)*k); k++)
			;
		if (*k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			dash_prob(p, 1, "%s:%ld: expected key = value", path, lineno);
			json_decref(o);
			o = NULL;
			break;
		}
		for (end = eq; end > k && isspace((unsigned char)end[-1]); end--)
			;
		*end = '\0';
		for (v = eq + 1; isspace((unsigned char)*v); v++)
			;
		for (end = v + strlen(v); end > v && isspace((unsigned char)end[-1]); end--)
			;
		*end = '\0';
		if (end - v >= 2 && *v == '"' && end[-1] == '"') { /* a quoted value: show what is inside */
			end[-1] = '\0';
			v++;
		}
		json_object_set_new(o, k, json_string(v));
	}
	free(line);
	fclose(fp);
	return o;
}

struct sweep {
	size_t n;
	double *lookback, *skip, *sharpe, *cagr, *mdd; /* one per row; cagr/mdd NaN when absent */
};

static void
sweep_free(struct sweep *s)
{
	free(s->lookback);
	free(s->skip);
	free(s->sharpe);
	free(s->cagr);
	free(s->mdd);
}

static int
read_sweep(const char *path, struct sweep *s, dash_probs *p)
{
	FILE *fp = fopen(path, "r");
	csv_reader *r;
	int cl, cs, csh, cc, cm, rc, col[5];
	size_t cap = 0;
	double *arr[5], v;

	memset(s, 0, sizeof *s);
	if (fp == NULL) {
		dash_prob(p, 0, "%s: %s", path, errno == ENOENT ? "missing" : strerror(errno));
		return 0;
	}
	r = csv_open(fp, path);
	if (r == NULL || csv_read_header(r) < 0 || (cl = csv_require(r, "lookback")) < 0 ||
	    (cs = csv_require(r, "skip")) < 0 || (csh = csv_require(r, "sharpe")) < 0)
		goto bad;
	cc = csv_col(r, "cagr");
	cm = csv_col(r, "max_drawdown");
	col[0] = cl, col[1] = cs, col[2] = csh, col[3] = cc, col[4] = cm;
	while ((rc = csv_next(r)) == 1) {
		if (s->n == cap) {
			cap = cap ? cap * 2 : 64;
			double **fields[5] = { &s->lookback, &s->skip, &s->sharpe, &s->cagr, &s->mdd };
			for (int i = 0; i < 5; i++) {
				double *n = realloc(*fields[i], cap * sizeof **fields[i]);
				if (n == NULL) {
					dash_prob(p, 1, "%s: out of memory", path);
					goto fail;
				}
				*fields[i] = n;
			}
		}
		arr[0] = s->lookback, arr[1] = s->skip, arr[2] = s->sharpe, arr[3] = s->cagr, arr[4] = s->mdd;
		for (int i = 0; i < 5; i++) {
			v = NAN;
			if (col[i] >= 0 && (i < 2 ? csv_double_required(r, col[i], &v) : csv_double(r, col[i], &v)) < 0)
				goto bad;
			arr[i][s->n] = v;
		}
		s->n++;
	}
	if (rc < 0)
		goto bad;
	csv_close(r);
	fclose(fp);
	return 1;
bad:
	dash_prob(p, 1, "%s", r ? csv_error(r) : "out of memory");
fail:
	csv_close(r);
	fclose(fp);
	sweep_free(s);
	memset(s, 0, sizeof *s);
	return -1;
}

/* ============================================================ derived series */

/* Rolling annualised volatility and Sharpe of r over ROLL days (NaN until the window is full). */
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
		if (i >= ROLL) {
			double y = isnan(r[i - ROLL]) ? 0 : r[i - ROLL];
			s -= y;
			s2 -= y * y;
			cnt--;
		}
		if (cnt < ROLL) {
			vol[i] = sharpe[i] = NAN;
			continue;
		}
		mean = s / ROLL;
		var = (s2 - ROLL * mean * mean) / (ROLL - 1);
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

/* ============================================================ sections */

static void
sect_metrics(FILE *fp, const json_t *m)
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

static void
sect_metrics_table(FILE *fp, const json_t *m)
{
	const json_t *s = json_object_get(m, "strategy"), *b = json_object_get(m, "benchmark");
	double rf = nd_num(json_object_get(m, "params"), "rf", NAN);
	char v1[HTML_NUM_MAX], v2[HTML_NUM_MAX], cap[192];

	if (isnan(rf))
		snprintf(cap, sizeof cap, "Daily net returns r, 252 trading days a year; risk-free rate not recorded "
		    "(backtest(1)'s default is 0)");
	else
		snprintf(cap, sizeof cap, "Daily net returns r, 252 trading days a year; risk-free rate %s a year",
		    html_fmt_pct(rf, 2, v1));
	html_table_begin(fp, "metrics", cap, 0, "Metric|>Strategy|>Benchmark");
	for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++) {
		double x = nd_num(s, metrics[i].key, NAN), y = nd_num(b, metrics[i].key, NAN);
		if (isnan(x) && isnan(y))
			continue;
		fprintf(fp, "<tr data-k=\"%s\"><th scope=\"row\" title=\"", metrics[i].key);
		html_esc(fp, metrics[i].def);
		fputs("\">", fp);
		html_esc(fp, metrics[i].label);
		fputs("</th>", fp);
		html_td_num(fp, x, fmt_kind(x, metrics[i].kind, v1), 0);
		html_td_num(fp, y, fmt_kind(y, metrics[i].kind, v2), 0);
		html_tr_end(fp);
	}
	html_table_end(fp);
	/* The definitions, a tap away on a phone (no hover there) and printed with the table. */
	fputs("<details class=\"defs\" id=\"metric-defs\"><summary>Definitions</summary><dl>", fp);
	for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++) {
		fputs("<dt>", fp);
		html_esc(fp, metrics[i].label);
		fputs("</dt><dd>", fp);
		html_esc(fp, metrics[i].def);
		fputs("</dd>", fp);
	}
	fputs("</dl><p class=\"sub\">", fp);
	html_esc(fp, BENCH_DESC " Definitions as quantstats 0.0.81 has them (sti-backtest(5)).");
	fputs("</p></details>\n", fp);
}

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

static void
sect_params(FILE *fp, const json_t *params, const char *source)
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

/* Yearly and monthly returns from the metrics; when the metrics are missing, compounded from the equity. */
struct periods {
	size_t ny, nm;
	int *year;            /* ny years */
	double *ys, *yb;      /* strategy, benchmark per year */
	char (*month)[8];     /* nm months, "YYYY-MM" */
	double *ms, *mb;      /* strategy, benchmark per month */
	int start, end;       /* the series' first and last dates (-1000000: unknown) */
};

/* 1 when the series covers only part of year y's NYSE trading days; *from / *to its own bounds then. */
static int
partial_year(const struct periods *p, int y)
{
	int j1 = date_from_ymd(y, 1, 1), d31 = date_from_ymd(y, 12, 31);

	if (p->start > -1000000 && p->start > j1 && p->start <= d31 && cal_count(j1, p->start - 1) > 0)
		return 1;
	return p->end > -1000000 && p->end >= j1 && p->end < d31 && cal_count(p->end + 1, d31) > 0;
}

/* The note under a chart or table that marks partial years with '*'. */
static void
partial_note(FILE *fp, const struct periods *p, size_t ny, const int *years)
{
	char a[DATE_LEN + 1], b[DATE_LEN + 1];
	int any = 0;

	for (size_t i = 0; i < ny; i++)
		any |= partial_year(p, years[i]);
	if (any)
		fprintf(fp, "<p class=\"sub\">* a partial year: the series runs from %s to %s.</p>\n",
		    date_fmt(p->start, a), date_fmt(p->end, b));
}

static void
periods_free(struct periods *p)
{
	free(p->year);
	free(p->ys);
	free(p->yb);
	free(p->month);
	free(p->ms);
	free(p->mb);
}

static int
periods_alloc(struct periods *p, size_t ny, size_t nm)
{
	p->year = calloc(ny + 1, sizeof *p->year);
	p->ys = calloc(ny + 1, sizeof *p->ys);
	p->yb = calloc(ny + 1, sizeof *p->yb);
	p->month = calloc(nm + 1, sizeof *p->month);
	p->ms = calloc(nm + 1, sizeof *p->ms);
	p->mb = calloc(nm + 1, sizeof *p->mb);
	return p->year && p->ys && p->yb && p->month && p->ms && p->mb ? 0 : -1;
}

static int
periods_from_metrics(struct periods *p, const json_t *m)
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

static int
periods_from_equity(struct periods *p, const dash_equity *e)
{
	int y, mo, d, cy = 0, cm = 0;
	double gs = 1, gb = 1, gm = 1, gmb = 1;

	if (periods_alloc(p, e->n, e->n) < 0)
		return -1;
	for (size_t i = 0; i <= e->n; i++) {
		if (i < e->n)
			date_to_ymd(e->day[i], &y, &mo, &d);
		if (i > 0 && (i == e->n || mo != cm || y != cy)) {
			snprintf(p->month[p->nm], 8, "%04d-%02d", (cy % 10000 + 10000) % 10000, (cm % 13 + 13) % 13);
			p->mb[p->nm] = gmb - 1;
			p->ms[p->nm++] = gm - 1;
			gm = gmb = 1;
		}
		if (i > 0 && (i == e->n || y != cy)) {
			p->year[p->ny] = cy;
			p->ys[p->ny] = gs - 1;
			p->yb[p->ny++] = gb - 1;
			gs = gb = 1;
		}
		if (i == e->n)
			break;
		cy = y, cm = mo;
		gs *= 1 + (isnan(e->net[i]) ? 0 : e->net[i]);
		gm *= 1 + (isnan(e->net[i]) ? 0 : e->net[i]);
		gb *= 1 + (isnan(e->bnet[i]) ? 0 : e->bnet[i]);
		gmb *= 1 + (isnan(e->bnet[i]) ? 0 : e->bnet[i]);
	}
	return 0;
}

static int
sect_yearly(FILE *fp, const struct periods *p)
{
	char **labels = calloc(p->ny + 1, sizeof *labels), buf[3][HTML_NUM_MAX];
	const double *ys[2] = { p->ys, p->yb };
	static const char *const names[] = { "Strategy", "Benchmark" };
	svg_chart c = { "chart-yearly", "Compounded net return per calendar year", W, 260, SVG_PCT, 0, 0, 0, names, 2, 0, NULL, 0 };
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
static int
sect_monthly(FILE *fp, const struct periods *p, int which)
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
	svg_chart c = { ids[which], titles[which], W, 0, SVG_PCT, 0, 0, 0, NULL, 1, 0, NULL, 0 };
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
static void
sect_drawdowns(FILE *fp, const json_t *m, const dash_equity *e, const double *uw)
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

static void
sect_holdings(FILE *fp, const dash_weights *w)
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

static int
sect_turnover(FILE *fp, const json_t *m, const dash_equity *e)
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
	svg_chart c = { "chart-turnover", "Turnover per rebalance (buys plus sells, fraction of the portfolio)", W,
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

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Distinct sorted values of a[0..n) into out; returns their count. */
static size_t
distinct(const double *a, size_t n, double *out)
{
	size_t k = 0;

	memcpy(out, a, n * sizeof *a);
	qsort(out, n, sizeof *out, cmp_dbl);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || out[i] != out[k - 1])
			out[k++] = out[i];
	return k;
}

/* The heatmap's colour legend: svg_heatmap's sequential scale (the f0 colour at opacity 0.12 for the lowest
 * Sharpe ratio to 0.90 for the highest), in five steps, labelled with both ends. */
static void
sweep_legend(FILE *fp, const struct sweep *s, int explorer)
{
	double lo = INFINITY, hi = -INFINITY;
	char a[HTML_NUM_MAX], b[HTML_NUM_MAX];

	for (size_t i = 0; i < s->n; i++)
		if (isfinite(s->sharpe[i])) {
			lo = fmin(lo, s->sharpe[i]);
			hi = fmax(hi, s->sharpe[i]);
		}
	if (!isfinite(lo))
		return;
	fprintf(fp, "<p class=\"legend\" id=\"sweep-legend\" data-lo=\"%.17g\" data-hi=\"%.17g\">Colour: Sharpe ratio, "
	    "%s <svg width=\"100\" height=\"12\" viewBox=\"0 0 100 12\" role=\"img\" aria-label=\"colour scale\">",
	    lo, hi, html_fmt_num(lo, 2, a));
	for (int k = 0; k < 5; k++)
		fprintf(fp, "<rect class=\"f0\" fill-opacity=\"%.2f\" x=\"%d\" y=\"0\" width=\"20\" height=\"12\"/>",
		    0.12 + 0.78 * k / 4.0, 20 * k);
	fprintf(fp, "</svg> %s%s</p>\n", html_fmt_num(hi, 2, b),
	    explorer ? " \xc2\xb7 outlined: the explorer's point; a click on a cell chooses it there" : "");
}

static int
sect_sweep(FILE *fp, const struct sweep *s, int explorer)
{
	double *lb = malloc((s->n + 1) * sizeof *lb), *sk = malloc((s->n + 1) * sizeof *sk), *v;
	size_t nl, ns, i, j, best = 0;
	char (*rl)[24] = NULL, (*cl)[24] = NULL, buf[4][HTML_NUM_MAX];
	const char **rp = NULL, **cp = NULL;
	int rc = -1;

	if (lb == NULL || sk == NULL)
		goto out;
	nl = distinct(s->lookback, s->n, lb);
	ns = distinct(s->skip, s->n, sk);
	v = malloc((nl * ns + 1) * sizeof *v);
	rl = calloc(nl + 1, sizeof *rl);
	cl = calloc(ns + 1, sizeof *cl);
	rp = calloc(nl + 1, sizeof *rp);
	cp = calloc(ns + 1, sizeof *cp);
	if (v == NULL || rl == NULL || cl == NULL || rp == NULL || cp == NULL) {
		free(v);
		goto out;
	}
	for (i = 0; i < nl * ns; i++)
		v[i] = NAN;
	for (i = 0; i < nl; i++)
		rp[i] = html_fmt_num(lb[i], lb[i] == floor(lb[i]) ? 0 : 2, rl[i]);
	for (i = 0; i < ns; i++)
		cp[i] = html_fmt_num(sk[i], sk[i] == floor(sk[i]) ? 0 : 2, cl[i]);
	for (i = 0; i < s->n; i++) {
		size_t r = (size_t)((double *)bsearch(&s->lookback[i], lb, nl, sizeof *lb, cmp_dbl) - lb);
		size_t c = (size_t)((double *)bsearch(&s->skip[i], sk, ns, sizeof *sk, cmp_dbl) - sk);
		v[r * ns + c] = s->sharpe[i];
		if (!(s->sharpe[best] >= s->sharpe[i]))
			best = i;
	}
	svg_chart c = { "chart-sweep", "Sharpe ratio by lookback (rows) and skip (columns), trading days", W, 0,
		SVG_NUM, 0, 0, 1, NULL, 1, 0, NULL, 0 };
	rc = svg_heatmap(fp, &c, rp, nl, cp, ns, v, "lookback", "skip");
	free(v);
	sweep_legend(fp, s, explorer);
	if (s->n > 0) {
		html_table_begin(fp, "sweep-best", "Best parameters by Sharpe", 0,
		    ">Lookback|>Skip|>Sharpe|>CAGR|>Max drawdown");
		/* The five best rows, by selection: n is small (a grid of a few dozen cells). */
		char *used = calloc(s->n, 1);
		for (j = 0; used != NULL && j < 5 && j < s->n; j++) {
			size_t b = s->n;
			for (i = 0; i < s->n; i++)
				if (!used[i] && !isnan(s->sharpe[i]) && (b == s->n || s->sharpe[i] > s->sharpe[b]))
					b = i;
			if (b == s->n)
				break;
			used[b] = 1;
			html_tr(fp);
			html_td_num(fp, s->lookback[b], html_fmt_num(s->lookback[b], 0, buf[0]), 0);
			html_td_num(fp, s->skip[b], html_fmt_num(s->skip[b], 0, buf[1]), 0);
			html_td_num(fp, s->sharpe[b], html_fmt_num(s->sharpe[b], 2, buf[2]), 0);
			html_td_num(fp, s->cagr[b], html_fmt_pct(s->cagr[b], 2, buf[3]), 0);
			html_td_num(fp, s->mdd[b], html_fmt_pct(s->mdd[b], 2, buf[3]), 0);
			html_tr_end(fp);
		}
		free(used);
		html_table_end(fp);
	}
out:
	free(lb);
	free(sk);
	free(rl);
	free(cl);
	free(rp);
	free(cp);
	return rc;
}

/* ============================================================ the page */

/* The derived series every chart needs, computed once. */
struct derived {
	int nser;             /* 2 with a benchmark, else 1 */
	double *r[2];         /* daily net returns, a missing one 0 */
	double *dd[2];        /* drawdown from the previous peak */
	double *vol[2], *sh[2], *so[2]; /* rolling volatility, Sharpe and Sortino */
	double *beta;         /* rolling beta of the strategy on the benchmark */
	double *mem;          /* one block holding them all */
};

static int
derive(struct derived *d, const dash_equity *e)
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
		mt_rolling_sortino(d->r[s], n, ROLL, d->so[s]);
	}
	d->beta = d->mem + 10 * n;
	mt_rolling_beta(d->r[0], d->r[1], n, ROLL, d->beta);
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
/* The day k calendar months before `day`, its day of the month clipped to the month's length. */
static int
months_back(int day, int k)
{
	int y, m, d, idx, len;

	date_to_ymd(day, &y, &m, &d);
	idx = y * 12 + m - 1 - k;
	y = idx / 12;
	m = idx % 12 + 1;
	len = date_from_ymd(y + (m == 12), m % 12 + 1, 1) - date_from_ymd(y, m, 1);
	return date_from_ymd(y, m, d < len ? d : len);
}

static int
chart_ranged(FILE *fp, const svg_chart *c0, const dash_equity *e, const double *y0, const double *y1, int rebase)
{
	static const struct { const char *key, *label; int months; } ranges[] = {
		{ "all", "All", 0 }, { "5y", "5Y", 60 }, { "3y", "3Y", 36 }, { "1y", "1Y", 12 } };
	size_t nr = 0, i0[4], kk[4], n = e->n;
	int rc = 0;
	double *buf = NULL;

	for (size_t k = 0; k < 4; k++) {
		int from = ranges[k].months ? months_back(e->day[n - 1], ranges[k].months) : 0;
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

static int
chart_cum(FILE *fp, const dash_equity *e, const struct derived *d)
{
	svg_chart c = { "chart-cum", "Cumulative return (linear scale)", W, 260, SVG_CUM, 0, 0, 0, series_names,
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
			"benchmark's volatility", W, 260, SVG_CUM, 0, 0, 0, vn, 2, 0, NULL, 0 };
		rc |= chart_one(fp, "volmatch", "Volatility-matched returns", 0, &v, e, vm, e->bequity);
		free(vm);
	}
	return rc;
}

/* Compounded returns of r over periods: kind 1 weeks (Monday to Sunday), 2 months, 3 quarters, 4 years;
 * into out (room for n); returns their count. */
static size_t
compound_by(const int *day, const double *r, size_t n, int kind, double *out)
{
	size_t k = 0;
	double g = 1;
	long key = 0;

	for (size_t i = 0; i <= n; i++) {
		long kk = -1;
		if (i < n) {
			int y, m, dd;
			date_to_ymd(day[i], &y, &m, &dd);
			kk = kind == 1 ? (long)((day[i] + 3 + 700000) / 7) : kind == 2 ? y * 12L + m : kind == 3 ?
			    y * 4L + (m - 1) / 3 : y;
		}
		if (i > 0 && kk != key) {
			out[k++] = g - 1;
			g = 1;
		}
		if (i < n) {
			key = kk;
			g *= 1 + r[i];
		}
	}
	return k;
}

/* quantstats' return quantiles: box plots of the daily, weekly, monthly, quarterly and yearly returns. */
static int
chart_quantiles(FILE *fp, const dash_equity *e, const struct derived *d)
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
		ns[k] = compound_by(e->day, d->r[0], e->n, k, o);
		xs[k] = o;
	}
	svg_chart c = { "chart-quantiles", "Strategy returns by period: quartiles, median and whiskers (1.5 box lengths)",
		W, 260, SVG_PCT, 0, 0, 0, nm, 1, 0, NULL, 0 };
	html_section_begin(fp, "quantiles", "Return quantiles", 0);
	rc = svg_boxes(fp, &c, lab, xs, ns, 5);
	html_section_end(fp);
	free(mem);
	return rc;
}

static int
chart_daily(FILE *fp, const dash_equity *e, const struct derived *d)
{
	static const char *const dn[] = { "Strategy" };
	svg_chart c = { "chart-daily", "Daily net return of the strategy", W, 220, SVG_PCT, 0, 0, 0, dn, 1, 0, NULL, 0 };

	return chart_one(fp, "daily", "Daily returns", 0, &c, e, d->r[0], NULL);
}

static int
chart_underwater(FILE *fp, const dash_equity *e, const struct derived *d)
{
	svg_chart c = { "chart-underwater", "Drawdown from the previous peak", W, 260, SVG_PCT, 0, 1, 0,
		series_names, d->nser, 0, NULL, 0 };
	int rc;

	html_section_begin(fp, "underwater", "Underwater", 0);
	rc = chart_ranged(fp, &c, e, d->dd[0], d->nser == 2 ? d->dd[1] : NULL, 0);
	html_section_end(fp);
	return rc;
}

static int
chart_rolling(FILE *fp, const dash_equity *e, const struct derived *d)
{
	svg_chart c = { "chart-rolling-vol", "Annualised volatility, 126 trading days", W, 240, SVG_PCT, 0, 0, 0,
		series_names, d->nser, 0, NULL, 0 };
	int rc = chart_one(fp, "rolling-vol", "Rolling volatility", 0, &c, e, d->vol[0], d->vol[1]);

	c = (svg_chart){ "chart-rolling-sharpe", "Annualised Sharpe ratio, 126 trading days", W, 240, SVG_NUM, 0, 0,
		0, series_names, d->nser, 0, NULL, 0 };
	rc |= chart_one(fp, "rolling", "Rolling Sharpe", 0, &c, e, d->sh[0], d->sh[1]);
	c = (svg_chart){ "chart-rolling-sortino", "Annualised Sortino ratio, 126 trading days (a gap: no loss in "
		"the window)", W, 240, SVG_NUM, 0, 0, 0, series_names, d->nser, 0, NULL, 0 };
	rc |= chart_one(fp, "rolling-sortino", "Rolling Sortino", 0, &c, e, d->so[0], d->so[1]);
	if (d->nser == 2) {
		static const char *const bn[] = { "Beta" };
		c = (svg_chart){ "chart-rolling-beta", "Beta of the strategy on the benchmark, 126 trading days", W, 240,
			SVG_NUM, 0, 0, 0, bn, 1, 0, NULL, 0 };
		rc |= chart_one(fp, "rolling-beta", "Rolling beta", 0, &c, e, d->beta, NULL);
	}
	return rc;
}

/* The rest of quantstats' metrics (mt_extra), from the equity: they are not in the metrics JSON. */
static const struct extra {
	const char *key, *label;
	enum kind kind;
	size_t off;
	const char *def;
} extras[] = {
	{ "mtd", "MTD", K_PCT, offsetof(struct mt_extra, mtd), "compounded return since the 1st of the last date's month" },
	{ "3m", "3M", K_PCT, offsetof(struct mt_extra, m3), "compounded return of the last 3 calendar months" },
	{ "6m", "6M", K_PCT, offsetof(struct mt_extra, m6), "compounded return of the last 6 calendar months" },
	{ "ytd", "YTD", K_PCT, offsetof(struct mt_extra, ytd), "compounded return since January 1 of the last date's year" },
	{ "1y", "1Y", K_PCT, offsetof(struct mt_extra, y1), "compounded return of the last 12 calendar months" },
	{ "3y", "3Y (ann.)", K_PCT, offsetof(struct mt_extra, y3), "CAGR of the last 35 months (quantstats' 3Y)" },
	{ "5y", "5Y (ann.)", K_PCT, offsetof(struct mt_extra, y5), "CAGR of the last 59 months (quantstats' 5Y)" },
	{ "10y", "10Y (ann.)", K_PCT, offsetof(struct mt_extra, y10), "CAGR of the last 10 years" },
	{ "all", "All-time (ann.)", K_PCT, offsetof(struct mt_extra, all), "CAGR of the whole series" },
	{ "best_month", "Best month", K_PCT, offsetof(struct mt_extra, best_month), "the best compounded calendar month" },
	{ "worst_month", "Worst month", K_PCT, offsetof(struct mt_extra, worst_month), "the worst compounded calendar month" },
	{ "best_year", "Best year", K_PCT, offsetof(struct mt_extra, best_year), "the best compounded calendar year (partial years included)" },
	{ "worst_year", "Worst year", K_PCT, offsetof(struct mt_extra, worst_year), "the worst compounded calendar year (partial years included)" },
	{ "longest_dd_days", "Longest drawdown (days)", K_DAYS, offsetof(struct mt_extra, longest_dd_days), "calendar days of the longest drawdown period" },
	{ "avg_dd", "Average drawdown", K_PCT, offsetof(struct mt_extra, avg_dd), "mean depth of every drawdown period" },
	{ "avg_dd_days", "Average drawdown (days)", K_DAYS, offsetof(struct mt_extra, avg_dd_days), "mean calendar days of every drawdown period" },
	{ "recovery_factor", "Recovery factor", K_NUM, offsetof(struct mt_extra, recovery_factor), "|sum of daily returns| / |max drawdown| (quantstats sums, not compounds)" },
	{ "ulcer_index", "Ulcer index", K_NUM, offsetof(struct mt_extra, ulcer_index), "\xe2\x88\x9a" "(sum of squared daily drawdowns / (N \xe2\x88\x92 1))" },
	{ "time_in_market", "Time in market", K_PCT, offsetof(struct mt_extra, time_in_market), "share of days with a nonzero return, rounded up to a whole percent" },
	{ "profit_factor", "Profit factor", K_NUM, offsetof(struct mt_extra, profit_factor), "sum of daily gains (r \xe2\x89\xa5 0) / |sum of daily losses|" },
	{ "tail_ratio", "Tail ratio", K_NUM, offsetof(struct mt_extra, tail_ratio), "|95th percentile / 5th percentile| of the daily returns" },
	{ "r_squared", "R-squared", K_NUM, offsetof(struct mt_extra, r_squared), "squared correlation of the daily returns with the benchmark's" },
};

static void
sect_more(FILE *fp, const dash_equity *e, const struct derived *d)
{
	struct mt_extra x[2];
	char v1[HTML_NUM_MAX], v2[HTML_NUM_MAX];

	mt_extra(e->day, d->r[0], d->nser == 2 ? d->r[1] : NULL, e->n, &x[0]);
	mt_extra(e->day, d->r[1], NULL, e->n, &x[1]);
	html_table_begin(fp, "metrics-more", "Computed here from the equity's daily net returns, as quantstats' "
	    "metrics report has them", 0, "Metric|>Strategy|>Benchmark");
	for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++) {
		double a = *(const double *)((const char *)&x[0] + extras[i].off);
		double b = d->nser == 2 ? *(const double *)((const char *)&x[1] + extras[i].off) : NAN;
		if (isnan(a) && isnan(b))
			continue;
		fprintf(fp, "<tr data-k=\"%s\"><th scope=\"row\" title=\"", extras[i].key);
		html_esc(fp, extras[i].def);
		fputs("\">", fp);
		html_esc(fp, extras[i].label);
		fputs("</th>", fp);
		html_td_num(fp, a, fmt_kind(a, extras[i].kind, v1), 0);
		html_td_num(fp, b, fmt_kind(b, extras[i].kind, v2), 0);
		html_tr_end(fp);
	}
	html_table_end(fp);
	fputs("<details class=\"defs\" id=\"more-defs\"><summary>Definitions</summary><dl>", fp);
	for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++) {
		fputs("<dt>", fp);
		html_esc(fp, extras[i].label);
		fputs("</dt><dd>", fp);
		html_esc(fp, extras[i].def);
		fputs("</dd>", fp);
	}
	fputs("</dl></details>\n", fp);
}

static int
chart_dist(FILE *fp, const dash_equity *e, const struct derived *d)
{
	const double *ys[2] = { e->net, e->bnet };
	size_t ns[2] = { e->n, e->n };
	svg_chart c = { "chart-distribution", "Share of days by daily net return", W, 260, SVG_PCT, 0, 0, 0,
		series_names, d->nser, 0, NULL, 0 };
	int rc;

	html_section_begin(fp, "distribution", "Distribution of daily returns", 0);
	rc = svg_hist(fp, &c, ys, ns, 50);
	html_section_end(fp);
	return rc;
}

static void
missing_section(FILE *fp, const char *id, const char *title, const char *what, int wide)
{
	html_section_begin(fp, id, title, wide);
	html_notice(fp, "warn", "Not available: %s.", what);
	html_section_end(fp);
}

int
dash_backtest(FILE *fp, const dash_backtest_in *in, dash_probs *probs)
{
	const char *nav[] = { "../live/index.html", "Live \xe2\x86\x92", "../mock/index.html", "Mock \xe2\x86\x92",
		"metrics-sec", "Metrics", "cumulative", "Returns", "underwater", "Drawdown",
		"rolling-vol", "Rolling", "yearly-sec", "Yearly", "monthly-sec", "Monthly", "drawdowns-sec",
		"Worst drawdowns", "holdings-sec", "Holdings", "turnover", "Turnover", "params-sec", "Parameters",
		"sweep", "Sweep", "explorer", "Explorer", NULL };
	struct derived der = { 0 };
	dash_equity e = { 0 };
	dash_weights w = { 0 };
	struct sweep sw = { 0 };
	struct periods per = { 0 };
	json_t *m = NULL, *cfg = NULL, *params = NULL;
	char sub[512], d0[DATE_LEN + 1], d1[DATE_LEN + 1], nb[HTML_NUM_MAX];
	int have_e = 0, have_w = 0, have_s = 0, rc = 0;
	const char *name;

	if (in->equity)
		have_e = dash_read_equity(in->equity, &e, probs) == 1 && e.n > 0;
	else
		dash_prob(probs, 0, "equity CSV: not given (--equity)");
	if (in->metrics)
		m = read_metrics(in->metrics, probs);
	else
		dash_prob(probs, 0, "metrics JSON: not given (--metrics)");
	if (in->weights)
		have_w = dash_read_weights(in->weights, &w, probs) == 1;
	else
		dash_prob(probs, 0, "weights CSV: not given (--weights)");
	if (in->config)
		cfg = read_config(in->config, probs);
	if (in->sweep)
		have_s = read_sweep(in->sweep, &sw, probs) == 1;
	/* The parameters the backtest ran with (the metrics JSON), else the config file's. */
	params = m && json_object_size(json_object_get(m, "params")) > 0 ? json_object_get(m, "params") : cfg;

	name = params && nd_str(params, "name", NULL) ? nd_str(params, "name", NULL) : params && nd_str(params, "strategy", NULL) ?
	    nd_str(params, "strategy", NULL) : "LO CSMOM";
	if (have_e)
		snprintf(sub, sizeof sub, "%s to %s \xc2\xb7 %s trading days \xc2\xb7 generated %s", date_fmt(e.day[0], d0),
		    date_fmt(e.day[e.n - 1], d1), html_fmt_num((double)e.n, 0, nb), in->now);
	else if (m && nd_str(m, "start", NULL) && nd_str(m, "end", NULL))
		snprintf(sub, sizeof sub, "%s to %s \xc2\xb7 generated %s", nd_str(m, "start", NULL), nd_str(m, "end", NULL), in->now);
	else
		snprintf(sub, sizeof sub, "generated %s", in->now);
	char title[256];
	snprintf(title, sizeof title, "%s \xe2\x80\x94 %s", in->title ? in->title : "Backtest", name);
	if (in->grid_table == NULL)
		nav[26] = NULL;
	if (in->sweep == NULL) {
		nav[24] = in->grid_table ? "explorer" : NULL;
		nav[25] = "Explorer";
		nav[26] = NULL;
	}
	html_page_begin(fp, title, sub, 0, in->links ? nav : nav + 4);

	if (probs->n > 0) {
		html_section_begin(fp, "inputs", "Missing or unreadable inputs", 1);
		for (int i = 0; i < probs->n; i++)
			html_notice(fp, "warn", "%s", probs->msg[i]);
		html_section_end(fp);
	}
	if (m) {
		html_section_begin(fp, "metrics-sec", "Key metrics", 1);
		sect_metrics(fp, m);
		html_notice(fp, "info", "%s", BENCH_DESC);
		html_section_end(fp);
	} else
		missing_section(fp, "metrics-sec", "Key metrics", "the metrics JSON", 1);
	if (have_e && derive(&der, &e) < 0)
		rc = -1;
	if (m || have_e)
		rc |= m ? periods_from_metrics(&per, m) : periods_from_equity(&per, &e);
	per.start = per.end = -1000000;
	if (have_e) {
		per.start = e.day[0];
		per.end = e.day[e.n - 1];
	} else if (m && nd_str(m, "start", NULL) && nd_str(m, "end", NULL) &&
	    (date_parse(nd_str(m, "start", NULL), strlen(nd_str(m, "start", NULL)), &per.start) < 0 ||
	    date_parse(nd_str(m, "end", NULL), strlen(nd_str(m, "end", NULL)), &per.end) < 0))
		per.start = per.end = -1000000;

	/* Cards pair up in two columns on a desktop: keep neighbours of similar height together. */
	if (der.mem)
		rc |= chart_cum(fp, &e, &der);
	else
		missing_section(fp, "cumulative", "Cumulative returns vs benchmark", "the equity CSV", 0);
	if (m) {
		html_section_begin(fp, "metrics-table", "All metrics", 0);
		sect_metrics_table(fp, m);
		html_section_end(fp);
	} else
		missing_section(fp, "metrics-table", "All metrics", "the metrics JSON", 0);
	if (der.mem) {
		html_section_begin(fp, "more-metrics", "More metrics: trailing returns, drawdowns, ratios", 0);
		sect_more(fp, &e, &der);
		html_section_end(fp);
	}

	if (der.mem) {
		rc |= chart_underwater(fp, &e, &der);
		rc |= chart_daily(fp, &e, &der);
		rc |= chart_quantiles(fp, &e, &der);
		rc |= chart_dist(fp, &e, &der);
		rc |= chart_rolling(fp, &e, &der);
	} else {
		missing_section(fp, "underwater", "Underwater", "the equity CSV", 0);
		missing_section(fp, "distribution", "Distribution of daily returns", "the equity CSV", 0);
		missing_section(fp, "rolling-vol", "Rolling volatility", "the equity CSV", 0);
		missing_section(fp, "rolling", "Rolling Sharpe", "the equity CSV", 0);
	}

	if (per.ny > 0) {
		html_section_begin(fp, "yearly-sec", "Yearly returns", 0);
		rc |= sect_yearly(fp, &per);
		html_section_end(fp);
	} else
		missing_section(fp, "yearly-sec", "Yearly returns", "the metrics JSON and the equity CSV", 0);
	if (per.nm > 0) {
		html_section_begin(fp, "monthly-sec", "Monthly returns", 0);
		rc |= sect_monthly(fp, &per, 0);
		html_section_end(fp);
		if (per.nm > 0 && !isnan(per.mb[0])) {
			html_section_begin(fp, "monthly-bench-sec", "Monthly returns: benchmark and excess", 0);
			rc |= sect_monthly(fp, &per, 1);
			rc |= sect_monthly(fp, &per, 2);
			html_section_end(fp);
		}
	} else
		missing_section(fp, "monthly-sec", "Monthly returns", "the metrics JSON and the equity CSV", 0);

	if (m || der.mem) {
		html_section_begin(fp, "drawdowns-sec", "Worst 10 drawdowns", 0);
		sect_drawdowns(fp, m, have_e ? &e : NULL, der.mem ? der.dd[0] : NULL);
		html_section_end(fp);
	} else
		missing_section(fp, "drawdowns-sec", "Worst 10 drawdowns", "the metrics JSON and the equity CSV", 0);
	if (have_w) {
		html_section_begin(fp, "holdings-sec", "Current holdings", 0);
		sect_holdings(fp, &w);
		html_section_end(fp);
	} else
		missing_section(fp, "holdings-sec", "Current holdings", "the weights CSV", 0);

	if (m || have_e) {
		html_section_begin(fp, "turnover", "Turnover per rebalance", 0);
		rc |= sect_turnover(fp, m, &e);
		html_section_end(fp);
	} else
		missing_section(fp, "turnover", "Turnover per rebalance", "the metrics JSON and the equity CSV", 0);
	html_section_begin(fp, "params-sec", "Strategy parameters", 0);
	if (params && json_object_size(params) > 0)
	{
		char src[192];
		const char *base = in->config ? strrchr(in->config, '/') : NULL;
		if (params == cfg)
			snprintf(src, sizeof src, "From the strategy config %s", base ? base + 1 : in->config);
		else
			snprintf(src, sizeof src, "As the backtest ran (its metrics JSON)");
		sect_params(fp, params, src);
	}
	else
		html_notice(fp, "warn", "Not available: no strategy config and no parameters in the metrics.");
	html_section_end(fp);

	if (in->grid_table)
		rc |= dash_explorer(fp, in->grid_table, in->grid_equity, params, probs);
	if (in->sweep) {
		if (have_s) {
			html_section_begin(fp, "sweep", "Parameter sensitivity", 0);
			rc |= sect_sweep(fp, &sw, in->grid_table != NULL);
			html_section_end(fp);
		} else
			missing_section(fp, "sweep", "Parameter sensitivity", "the sweep CSV", 0);
	}
	html_page_end(fp, "Written by dash-gen (systematic-trading-infra). Static page: no network, no server.");

	periods_free(&per);
	free(der.mem);
	sweep_free(&sw);
	dash_equity_free(&e);
	dash_weights_free(&w);
	json_decref(m);
	json_decref(cfg);
	return rc ? -1 : 0;
}
