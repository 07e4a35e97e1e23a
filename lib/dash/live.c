/* dash/live: the trading account page (live broker or ib-sim), from the store's trading/, backtest/,
 * data/ and logs/ folders. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "dash/livepage.h"
#include "date.h"
#include "html.h"
#include "ndjson.h"
#include "panel.h"
#include "svg.h"

/* ============================================================ sections */

static void
sect_summary(FILE *fp, const struct live *L, double upnl)
{
	char v[HTML_NUM_MAX], s[HTML_NUM_MAX + 64], t[HTML_NUM_MAX];
	double nav = nd_num(L->account, "net_liquidation", NAN), prev = NAN, first = NAN, pnl, ret;
	size_t i, k = 0;

	for (i = 0; i < L->ndays; i++)
		if (!isnan(L->nav[i])) {
			if (isnan(first))
				first = L->nav[i];
			k = i;
		}
	for (i = k; i-- > 0;)
		if (!isnan(L->nav[i])) {
			prev = L->nav[i];
			break;
		}
	fputs("<div class=\"kpis\">\n", fp);
	html_kpi(fp, "kpi-nav", "Net liquidation", html_fmt_usd(nav, 0, v), nd_str(L->account, "account", NULL), nav, 0);
	pnl = nav - prev;
	ret = pnl / prev;
	snprintf(s, sizeof s, "%s on the day", html_fmt_pct(ret, 2, t));
	html_kpi(fp, "kpi-day-pnl", "Daily P&L", html_fmt_usd(pnl, 0, v), isnan(ret) ? NULL : s, pnl, 1);
	pnl = nav - first;
	ret = pnl / first;
	snprintf(s, sizeof s, "%s since the first record", html_fmt_pct(ret, 2, t));
	html_kpi(fp, "kpi-total-pnl", "P&L since start", html_fmt_usd(pnl, 0, v), isnan(ret) ? NULL : s, pnl, 1);
	html_kpi(fp, "kpi-upnl", "Unrealised P&L", html_fmt_usd(upnl, 0, v), NULL, upnl, 1);
	double cash = nd_num(L->account, "total_cash", NAN);
	html_kpi(fp, "kpi-cash", "Cash", html_fmt_usd(cash, 0, v), NULL, cash, 0);
	double n = (double)json_array_size(L->positions);
	html_kpi(fp, "kpi-positions", "Positions", html_fmt_num(n, 0, v), NULL, L->positions ? n : NAN, 0);
	fputs("</div>\n", fp);
}

static int
sect_nav(FILE *fp, const struct live *L)
{
	static const char *const names[] = { "Net liquidation" }, *const pn[] = { "Daily P&L" };
	double *pnl = calloc(L->ndays + 1, sizeof *pnl), prev = NAN;
	char (*lab)[DATE_LEN + 1] = calloc(L->ndays + 1, sizeof *lab);
	const char **lp = calloc(L->ndays + 1, sizeof *lp);
	const double *ys[1] = { L->nav };
	int rc;

	if (pnl == NULL || lab == NULL || lp == NULL) {
		free(pnl);
		free(lab);
		free(lp);
		return -1;
	}
	for (size_t i = 0; i < L->ndays; i++) {
		pnl[i] = L->nav[i] - prev;
		if (!isnan(L->nav[i]))
			prev = L->nav[i];
		lp[i] = date_fmt(L->days[i], lab[i]);
	}
	svg_chart c = { "chart-nav", "Net liquidation value at each trading date", DLV_W, 260, SVG_USD, 0, 0, 0, names, 1, 0, NULL, 0 };
	html_section_begin(fp, "nav", "NAV history", 0);
	rc = svg_line(fp, &c, L->days, ys, L->ndays);
	html_section_end(fp);
	ys[0] = pnl;
	c = (svg_chart){ "chart-pnl", "Change in net liquidation from the previous date", DLV_W, 260, SVG_USD, 0, 0, 0, pn, 1,
		1, NULL, 0 };
	html_section_begin(fp, "pnl", "Daily P&L", 0);
	rc |= svg_bars(fp, &c, lp, ys, L->ndays);
	html_section_end(fp);
	free(pnl);
	free(lab);
	free(lp);
	return rc;
}


static int
sect_tracking(FILE *fp, const struct live *L)
{
	static const char *const names[] = { "Account", "Backtest" };
	double *acc = calloc(L->ndays + 1, sizeof *acc), *bt = calloc(L->ndays + 1, sizeof *bt), a0 = NAN, b0 = NAN;
	int *days = calloc(L->ndays + 1, sizeof *days);
	size_t n = 0, j = 0, i;
	char b[3][HTML_NUM_MAX];
	int rc;

	if (acc == NULL || bt == NULL || days == NULL) {
		free(acc);
		free(bt);
		free(days);
		return -1;
	}
	for (i = 0; i < L->ndays; i++) {
		while (j < L->e.n && L->e.day[j] < L->days[i])
			j++;
		if (j >= L->e.n || L->e.day[j] != L->days[i] || isnan(L->nav[i]) || isnan(L->e.equity[j]))
			continue;
		if (isnan(a0)) {
			a0 = L->nav[i];
			b0 = L->e.equity[j];
		}
		days[n] = L->days[i];
		acc[n] = L->nav[i] / a0;
		bt[n++] = L->e.equity[j] / b0;
	}
	if (n < 2) {
		size_t na = 0;
		for (i = 0; i < L->ndays; i++)
			na += !isnan(L->nav[i]);
		html_notice(fp, "info", "Not enough common dates to compare the account with the backtest yet: "
		    "account records on %zu date%s, the latest backtest's equity on %zu, %zu in common.", na,
		    na == 1 ? "" : "s", L->e.n, n);
		rc = 0;
	} else {
		double s = 0, s2 = 0, te;
		for (i = 1; i < n; i++) {
			double d = (acc[i] / acc[i - 1]) - (bt[i] / bt[i - 1]);
			s += d;
			s2 += d * d;
		}
		te = n > 2 ? sqrt(fmax(0, (s2 - s * s / (double)(n - 1)) / (double)(n - 2)) * 252) : NAN;
		fputs("<div class=\"kpis\">\n", fp);
		html_kpi(fp, "kpi-acc-ret", "Account return", html_fmt_pct(acc[n - 1] - 1, 2, b[0]), NULL,
		    acc[n - 1] - 1, 1);
		html_kpi(fp, "kpi-bt-ret", "Backtest return", html_fmt_pct(bt[n - 1] - 1, 2, b[1]), NULL, bt[n - 1] - 1, 1);
		html_kpi(fp, "kpi-te", "Tracking error (ann.)", html_fmt_pct(te, 2, b[2]), NULL, te, 0);
		fputs("</div>\n", fp);
		const double *ys[2] = { acc, bt };
		svg_chart c = { "chart-tracking", "Account vs backtest, growth since the first common date", DLV_W, 240,
			SVG_CUM, 0, 0, 0, names, 2, 0, NULL, 0 };
		rc = svg_line(fp, &c, days, ys, n);
		/* The tracking difference: account growth minus backtest growth, in percentage points. */
		for (i = 0; i < n; i++)
			acc[i] -= bt[i];
		static const char *const dn[] = { "Account \xe2\x88\x92 backtest" };
		const double *yd[1] = { acc };
		c = (svg_chart){ "chart-tracking-diff", "Tracking difference: account growth minus backtest growth", DLV_W,
			200, SVG_PCT, 0, 0, 0, dn, 1, 0, NULL, 0 };
		rc |= svg_line(fp, &c, days, yd, n);
	}
	free(acc);
	free(bt);
	free(days);
	return rc;
}


/* The title, the subtitle (the account, its records' date, the refresh) and the navigation. */
static void
begin(FILE *fp, const struct live *L)
{
	static const char *const secs[] = { "summary", "Summary", "nav", "NAV", "positions-sec", "Positions",
		"orders-sec", "Orders", "fills-sec", "Fills", "blotter-sec", "History", "positions-history",
		"Positions history", "actual-weights-history", "Actual weights", "weights-history", "Target weights",
		"tracking", "Tracking",
		"freshness-sec", "Freshness", "runs-sec", "Runs", "alerts-sec", "Alerts" };
	const dash_live_in *in = L->in;
	const char *acct = nd_str(L->account, "account", NULL);
	char sub[512], d[DATE_LEN + 1], every[64] = "";
	dash_nav nav = { 0 };

	if (in->refresh > 0)
		snprintf(every, sizeof every, " \xc2\xb7 refreshes every %d %s", in->refresh % 60 ? in->refresh :
		    in->refresh / 60, in->refresh % 60 ? (in->refresh == 1 ? "second" : "seconds") :
		    in->refresh == 60 ? "minute" : "minutes");
	snprintf(sub, sizeof sub, "%s%s%s \xc2\xb7 trading records to %s \xc2\xb7 updated %s%s", in->label,
	    acct ? " " : "", acct ? acct : "", L->ndays ? date_fmt(L->latest, d) : "none", in->now, every);
	if (in->links) { /* the other account's page: live links mock, mock links live */
		dash_nav_add(&nav, "../backtest/index.html", "Backtest \xe2\x86\x92");
		dash_nav_add(&nav, in->simulated ? "../live/index.html" : "../mock/index.html",
		    in->simulated ? "Live \xe2\x86\x92" : "Mock \xe2\x86\x92");
	}
	for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i += 2)
		dash_nav_add(&nav, secs[i], secs[i + 1]);
	html_page_begin(fp, in->title, sub, in->refresh, nav.v);
}

/* Positions, orders, fills and the order history. */
static void
trade_sections(FILE *fp, const struct live *L)
{
	if (L->positions) {
		html_section_begin(fp, "positions-sec", "Positions", 1);
		dlv_positions(fp, L, 1);
		html_section_end(fp);
	} else
		dash_missing(fp, "positions-sec", "Positions", 1, "no positions (trading/DATE/positions.ndjson)");
	if (L->orders) {
		html_section_begin(fp, "orders-sec", "Orders", 1);
		dlv_orders(fp, L);
		html_section_end(fp);
	} else
		dash_missing(fp, "orders-sec", "Orders", 1, "no orders in the store (trading/DATE/orders.ndjson)");
	if (L->fills) {
		html_section_begin(fp, "fills-sec", "Fills and slippage", 1);
		dlv_fills(fp, L);
		html_section_end(fp);
	} else
		dash_missing(fp, "fills-sec", "Fills and slippage", 1, "no fills in the store (trading/DATE/fills.ndjson)");
	if (L->orders) {
		html_section_begin(fp, "blotter-sec", "Order history", 1);
		dlv_blotter(fp, L);
		html_section_end(fp);
	} else
		dash_missing(fp, "blotter-sec", "Order history", 1, "no orders in the store (trading/DATE/orders.ndjson)");
}

/* Freshness, runs and alerts. */
static void
status_sections(FILE *fp, const struct live *L)
{
	html_section_begin(fp, "freshness-sec", "Data freshness", 0);
	dlv_freshness(fp, L);
	html_section_end(fp);
	if (L->runs) {
		html_section_begin(fp, "runs-sec", "Flow runs", 1);
		dlv_runs(fp, L);
		html_section_end(fp);
	} else
		dash_missing(fp, "runs-sec", "Flow runs", 1, "no run log (logs/runs.ndjson)");
	if (L->alerts) {
		html_section_begin(fp, "alerts-sec", "Recent alerts", 1);
		dlv_alerts(fp, L);
		html_section_end(fp);
	} else
		dash_missing(fp, "alerts-sec", "Recent alerts", 1, "no alert log (logs/alerts.ndjson)");
}

int
dash_live(FILE *fp, const dash_live_in *in, dash_probs *probs)
{
	struct live L = { .in = in, .p = probs };
	int rc = 0;
	double upnl;

	dlv_load(&L);
	if (L.nav == NULL)
		rc = -1;
	begin(fp, &L);
	dash_problems(fp, probs);
	upnl = dlv_positions(fp, &L, 0);
	if (L.account) {
		html_section_begin(fp, "summary", "Account", 1);
		sect_summary(fp, &L, L.positions ? upnl : NAN);
		html_section_end(fp);
		rc |= sect_nav(fp, &L);
	} else {
		dash_missing(fp, "summary", "Account", 1, "no account records (trading/DATE/account.ndjson)");
		dash_missing(fp, "nav", "NAV history", 0, "no account records");
		dash_missing(fp, "pnl", "Daily P&L", 0, "no account records");
	}
	trade_sections(fp, &L);
	rc |= dlv_history(fp, &L);
	html_section_begin(fp, "tracking", "Tracking vs the backtest", 0);
	if (L.e.n > 0 && L.account != NULL)
		rc |= sect_tracking(fp, &L);
	else
		html_notice(fp, "warn", "Not available: %s.", L.e.n ? "no account records" :
		    "no backtest equity (backtest/DATE/equity.csv)");
	html_section_end(fp);
	status_sections(fp, &L);
	html_page_end(fp, "Written by dash-gen (systematic-trading-infra). Static page: no network, no server.");
	dlv_unload(&L);
	return rc ? -1 : 0;
}
