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
#include "dash/dash.h"
#include "date.h"
#include "html.h"
#include "ndjson.h"
#include "panel.h"
#include "svg.h"

#define W 640
#define MAX_RUNS 10
#define MAX_ALERTS 20

/* ============================================================ reading the store */

static char *
path2(const char *root, const char *a, const char *b, const char *c)
{
	size_t n = strlen(root) + strlen(a) + (b ? strlen(b) : 0) + (c ? strlen(c) : 0) + 4;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s%s%s%s%s", root, a, b ? "/" : "", b ? b : "", c ? "/" : "", c ? c : "");
	return p;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The dates named by the subdirectories DIR/YYYY-MM-DD, ascending; *n their count. NULL when none. */
static int *
list_dates(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int *days = NULL, *nd, day;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != DATE_LEN || date_parse(de->d_name, DATE_LEN, &day) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nd = realloc(days, cap * sizeof *days)) == NULL)
				break;
			days = nd;
		}
		days[(*n)++] = day;
	}
	closedir(d);
	if (days != NULL)
		qsort(days, *n, sizeof *days, cmp_int);
	return days;
}

/* Every record of an NDJSON file, as an array (NULL when the file is absent: that is not a problem,
 * the page says so where it matters). A malformed file is a problem, and gives the records before it. */
static json_t *
read_nd(const char *path, dash_probs *p)
{
	FILE *fp = fopen(path, "r");
	nd_reader *r;
	json_t *arr, *o;
	int rc = 0;

	if (fp == NULL) {
		if (errno != ENOENT)
			dash_prob(p, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	arr = json_array();
	r = nd_open(fp, path);
	while (r != NULL && arr != NULL && (rc = nd_next(r, &o)) == 1)
		json_array_append_new(arr, o);
	if (r == NULL || arr == NULL)
		dash_prob(p, 1, "%s: out of memory", path);
	else if (rc < 0)
		dash_prob(p, 1, "%s", nd_error(r));
	nd_close(r);
	fclose(fp);
	return arr;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every record of the log KIND ("runs", "alerts"), oldest first: those of logs/KIND.ndjson (the old form,
 * read, appended and rewritten by each run, kept readable for stores written before), then the objects
 * logs/KIND/NAME.json, one record each, in name order (a name starts with its UTC time, so that is time
 * order). NULL when there is neither. */
static json_t *
read_records(const char *root, const char *kind, dash_probs *p)
{
	char file[64], *path, **names = NULL;
	size_t n = 0, cap = 0;
	json_t *all, *one;
	struct dirent *de;
	DIR *d;

	snprintf(file, sizeof file, "%s.ndjson", kind);
	path = path2(root, "logs", file, NULL);
	all = path ? read_nd(path, p) : NULL;
	free(path);
	path = path2(root, "logs", kind, NULL);
	d = path ? opendir(path) : NULL;
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char **nn;

		if (len <= 5 || de->d_name[0] == '.' || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			if ((nn = realloc(names, cap * sizeof *names)) == NULL)
				break;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	if (d != NULL)
		closedir(d);
	if (n > 0) {
		qsort(names, n, sizeof *names, cmp_str);
		if (all == NULL)
			all = json_array();
	}
	for (size_t i = 0; i < n; i++) {
		char *rec = path2(path, names[i], NULL, NULL);

		if (rec != NULL && (one = read_nd(rec, p)) != NULL) {
			json_array_extend(all, one);
			json_decref(one);
		}
		free(rec);
		free(names[i]);
	}
	free(names);
	free(path);
	return all;
}

static json_t *
read_day(const char *root, int day, const char *file, dash_probs *p)
{
	char d[DATE_LEN + 1], *path = path2(root, "trading", date_fmt(day, d), file);
	json_t *a = path ? read_nd(path, p) : NULL;

	free(path);
	return a;
}

static int
is_type(const json_t *o, const char *t)
{
	const char *s = nd_str(o, "type", NULL);
	return s != NULL && strcmp(s, t) == 0;
}

/* Last close per symbol from data/last.csv (prices-last(1): per id its last closes, a panel sorted by
 * date), as an object symbol -> [close, "date"]; *last the latest date seen. NULL when absent. */
static json_t *
last_prices(const char *path, int *last, dash_probs *p)
{
	static const char *const cols[] = { "symbol", "close" };
	FILE *fp = fopen(path, "r");
	panel *px = NULL;
	json_t *o = NULL;
	char err[600];
	int rc;

	*last = -1000000;
	if (fp == NULL) {
		if (errno != ENOENT)
			dash_prob(p, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((rc = panel_open(&px, &fp, &path, 1, cols, 2, PANEL_KEYS, err, sizeof err)) != 0) {
		dash_prob(p, 1, "%s", err);
		goto done;
	}
	if ((o = json_object()) == NULL) {
		dash_prob(p, 1, "%s: out of memory", path);
		goto done;
	}
	while (panel_has(px)) {
		csv_reader *r = panel_csv(px);
		double close;
		char ds[DATE_LEN + 1];

		if ((rc = csv_double(r, panel_col(px, 1), &close)) < 0) {
			dash_prob(p, 1, "%s", csv_error(r));
			goto done;
		}
		if (rc > 0) { /* a missing close is no price; later rows (dates) replace earlier ones */
			*last = panel_date(px);
			json_object_set_new(o, csv_field(r, panel_col(px, 0)), json_pack("[f,s]", close,
			    date_fmt(panel_date(px), ds)));
		}
		if (panel_next(px) < 0) {
			dash_prob(p, 1, "%s", panel_error(px));
			goto done;
		}
	}
done:
	panel_close(px);
	fclose(fp);
	return o;
}

/* ============================================================ page state */

struct live {
	const dash_live_in *in;
	dash_probs *p;
	int *days;          /* trading/ dates, ascending */
	size_t ndays;
	int latest;         /* last trading/ date, or INT_MIN-ish when none */
	double *nav;        /* net liquidation per trading date (NaN when no account record) */
	json_t *account;    /* the latest account record */
	json_t *positions, *orders, *status, *fills; /* latest date's records (arrays or NULL) */
	int pos_day;        /* the date positions come from */
	int ord_day, fill_day; /* the dates orders (and statuses) and fills come from */
	json_t *prices;     /* symbol -> [close, date] */
	int price_day;      /* latest price date */
	dash_weights w;     /* latest backtest weights */
	dash_equity e;      /* latest backtest equity */
	int bt_day;         /* latest backtest/ date */
	json_t *runs, *alerts;
};

static void
load(struct live *L)
{
	const char *root = L->in->root;
	char *dir, *path, d[DATE_LEN + 1];
	size_t nb, i;
	int *bdays;
	struct stat st;

	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		dash_prob(L->p, 0, "%s: %s", root, errno == ENOENT ? "missing" : "not a directory");
	dir = path2(root, "trading", NULL, NULL);
	L->days = dir ? list_dates(dir, &L->ndays) : NULL;
	free(dir);
	L->latest = L->ndays ? L->days[L->ndays - 1] : -1000000;
	L->nav = calloc(L->ndays + 1, sizeof *L->nav);
	if (L->nav == NULL)
		L->ndays = 0; /* out of memory: dash_live reports it; show no history rather than crash */
	for (i = 0; L->nav != NULL && i < L->ndays; i++) {
		json_t *a = read_day(root, L->days[i], "account.ndjson", L->p), *rec, *lastrec = NULL;
		size_t k;
		L->nav[i] = NAN;
		json_array_foreach(a, k, rec)
			if (is_type(rec, "account"))
				lastrec = rec;
		if (lastrec) {
			L->nav[i] = nd_num(lastrec, "net_liquidation", NAN);
			json_decref(L->account);
			L->account = json_incref(lastrec);
		}
		json_decref(a);
	}
	for (i = L->ndays; i-- > 0 && L->positions == NULL;) {
		L->positions = read_day(root, L->days[i], "positions.ndjson", L->p);
		L->pos_day = L->days[i];
	}
	/* Orders go in on rebalance days only: the latest date that has them, with its statuses; fills of
	 * the latest date that has them (the next open's executions of those orders). */
	for (i = L->ndays; i-- > 0 && json_array_size(L->orders) == 0;) { /* (an empty file is no orders) */
		json_t *a = read_day(root, L->days[i], "orders.ndjson", L->p);
		if (a == NULL || (json_array_size(a) == 0 && L->orders != NULL)) {
			json_decref(a);
			continue;
		}
		json_decref(L->orders);
		L->orders = a;
		L->ord_day = L->days[i];
	}
	if (L->orders != NULL)
		L->status = read_day(root, L->ord_day, "status.ndjson", L->p);
	for (i = L->ndays; i-- > 0 && json_array_size(L->fills) == 0;) {
		json_t *a = read_day(root, L->days[i], "fills.ndjson", L->p);
		if (a == NULL || (json_array_size(a) == 0 && L->fills != NULL)) {
			json_decref(a);
			continue;
		}
		json_decref(L->fills);
		L->fills = a;
		L->fill_day = L->days[i];
	}
	path = path2(root, "data", "last.csv", NULL);
	L->prices = path ? last_prices(path, &L->price_day, L->p) : NULL;
	free(path);

	dir = path2(root, "backtest", NULL, NULL);
	bdays = dir ? list_dates(dir, &nb) : NULL;
	free(dir);
	L->bt_day = nb ? bdays[nb - 1] : -1000000;
	if (nb) {
		path = path2(root, "backtest", date_fmt(L->bt_day, d), "weights.csv");
		if (path && access(path, F_OK) == 0)
			dash_read_weights(path, &L->w, L->p);
		free(path);
		path = path2(root, "backtest", d, "equity.csv");
		if (path && access(path, F_OK) == 0)
			dash_read_equity(path, &L->e, L->p);
		free(path);
	}
	free(bdays);
	L->runs = read_records(root, "runs", L->p);
	L->alerts = read_records(root, "alerts", L->p);
}

static void
unload(struct live *L)
{
	free(L->days);
	free(L->nav);
	json_decref(L->account);
	json_decref(L->positions);
	json_decref(L->orders);
	json_decref(L->status);
	json_decref(L->fills);
	json_decref(L->prices);
	json_decref(L->runs);
	json_decref(L->alerts);
	dash_weights_free(&L->w);
	dash_equity_free(&L->e);
}

/* The order record for a client_id, or NULL. */
static json_t *
order_of(const struct live *L, const char *cid)
{
	size_t i;
	json_t *o;

	if (cid == NULL)
		return NULL;
	json_array_foreach(L->orders, i, o)
		if (is_type(o, "order") && nd_str(o, "client_id", NULL) && strcmp(nd_str(o, "client_id", NULL), cid) == 0)
			return o;
	return NULL;
}

/* The last price of a symbol: its last close in data/last.csv, else the day's last fill, else the day's
 * order reference price (the close the order was sized on). *src says which ('p', 'f', 'r'; 0: none). */
static double
price_of(const struct live *L, const char *sym, char *src)
{
	json_t *v = sym && L->prices ? json_object_get(L->prices, sym) : NULL, *o;
	double px = NAN;
	size_t i;

	*src = 0;
	if (v) {
		*src = 'p';
		return json_number_value(json_array_get(v, 0));
	}
	if (sym == NULL)
		return NAN;
	json_array_foreach(L->fills, i, o)
		if (is_type(o, "fill") && nd_str(o, "symbol", NULL) && strcmp(nd_str(o, "symbol", NULL), sym) == 0 &&
		    !isnan(nd_num(o, "price", NAN))) {
			px = nd_num(o, "price", NAN);
			*src = 'f';
		}
	if (*src)
		return px;
	json_array_foreach(L->orders, i, o)
		if (is_type(o, "order") && nd_str(o, "symbol", NULL) && strcmp(nd_str(o, "symbol", NULL), sym) == 0 &&
		    !isnan(nd_num(o, "ref_price", NAN))) {
			*src = 'r';
			return nd_num(o, "ref_price", NAN);
		}
	return NAN;
}

/* Target weight of a symbol: the day's order says it when there is one, else the backtest's weights. */
static double
target_of(const struct live *L, const char *sym)
{
	size_t i;
	json_t *o;

	json_array_foreach(L->orders, i, o)
		if (is_type(o, "order") && nd_str(o, "symbol", NULL) && strcmp(nd_str(o, "symbol", NULL), sym) == 0 &&
		    !isnan(nd_num(o, "target_weight", NAN)))
			return nd_num(o, "target_weight", NAN);
	for (i = 0; i < L->w.n; i++)
		if (strcmp(L->w.h[i].symbol, sym) == 0)
			return L->w.h[i].weight;
	return L->w.n > 0 || json_array_size(L->orders) > 0 ? 0 : NAN;
}

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
	svg_chart c = { "chart-nav", "Net liquidation value at each trading date", W, 260, SVG_USD, 0, 0, 0, names, 1, 0, NULL, 0 };
	html_section_begin(fp, "nav", "NAV history", 0);
	rc = svg_line(fp, &c, L->days, ys, L->ndays);
	html_section_end(fp);
	ys[0] = pnl;
	c = (svg_chart){ "chart-pnl", "Change in net liquidation from the previous date", W, 260, SVG_USD, 0, 0, 0, pn, 1,
		1, NULL, 0 };
	html_section_begin(fp, "pnl", "Daily P&L", 0);
	rc |= svg_bars(fp, &c, lp, ys, L->ndays);
	html_section_end(fp);
	free(pnl);
	free(lab);
	free(lp);
	return rc;
}

static double
sect_positions(FILE *fp, const struct live *L, int write)
{
	double nav = nd_num(L->account, "net_liquidation", NAN), upnl_sum = 0;
	char b[6][HTML_NUM_MAX], d[DATE_LEN + 1], cap[256];
	size_t i;
	json_t *o;

	if (write) {
		int fallback = 0;
		char src;
		json_array_foreach(L->positions, i, o)
			if (is_type(o, "position") && (price_of(L, nd_str(o, "symbol", NULL), &src), src != 'p'))
				fallback = 1;
		snprintf(cap, sizeof cap, "Positions of %s; last prices from data/last.csv%s; target weights from %s",
		    date_fmt(L->pos_day, d), fallback ? ", else the day's fills or order reference prices" : "",
		    json_array_size(L->orders) ? "the latest orders, else the backtest" : "the latest backtest");
		html_table_begin(fp, "positions", cap, 0,
		    "Symbol|>Qty|>Avg cost|>Last price|>Market value|>Weight|>Target|>Difference|>Unrealised P&L");
	}
	json_array_foreach(L->positions, i, o) {
		if (!is_type(o, "position"))
			continue;
		const char *sym = nd_str(o, "symbol", NULL);
		char src;
		double qty = nd_num(o, "qty", NAN), cost = nd_num(o, "avg_cost", NAN), last = price_of(L, sym, &src);
		double mv = qty * last, wt = mv / nav, tg = sym ? target_of(L, sym) : NAN, up = (last - cost) * qty;
		if (!isnan(up))
			upnl_sum += up;
		if (!write)
			continue;
		html_tr(fp);
		html_th_row(fp, sym ? sym : "?");
		html_td_num(fp, qty, html_fmt_num(qty, 0, b[0]), 0);
		html_td_num(fp, cost, html_fmt_usd(cost, 2, b[1]), 0);
		html_td_num(fp, last, html_fmt_usd(last, 2, b[2]), 0);
		html_td_num(fp, mv, html_fmt_usd(mv, 2, b[3]), 0);
		html_td_num(fp, wt, html_fmt_pct(wt, 2, b[4]), 0);
		html_td_num(fp, tg, html_fmt_pct(tg, 2, b[5]), 0);
		html_td_num(fp, wt - tg, html_fmt_pct(wt - tg, 2, b[4]), HTML_SIGN);
		html_td_num(fp, up, html_fmt_usd(up, 2, b[0]), HTML_SIGN);
		html_tr_end(fp);
	}
	if (write)
		html_table_end(fp);
	return upnl_sum;
}

static void
sect_orders(FILE *fp, const struct live *L)
{
	char b[4][HTML_NUM_MAX], d[DATE_LEN + 1], cap[128];
	size_t i, k;
	json_t *o, *s, *st;

	snprintf(cap, sizeof cap, "Orders of %s%s with their last reported status", date_fmt(L->ord_day, d),
	    L->ord_day == L->latest ? "" : " (the latest rebalance; none since)");
	html_table_begin(fp, "orders", cap, 0,
	    "Symbol|Side|>Qty|Type|TIF|>Ref price|>Target|Status|>Filled|>Avg price");
	json_array_foreach(L->orders, i, o) {
		if (!is_type(o, "order"))
			continue;
		const char *cid = nd_str(o, "client_id", NULL);
		st = NULL;
		json_array_foreach(L->status, k, s) /* the last status or open_order record wins */
			if ((is_type(s, "status") || is_type(s, "open_order")) && cid && nd_str(s, "client_id", NULL) &&
			    strcmp(nd_str(s, "client_id", NULL), cid) == 0)
				st = s;
		double qty = nd_num(o, "qty", NAN), ref = nd_num(o, "ref_price", NAN), tw = nd_num(o, "target_weight", NAN);
		double filled = nd_num(st, "filled", NAN), avg = nd_num(st, "avg_price", NAN);
		const char *status = nd_str(st, "status", NULL);
		html_tr(fp);
		html_th_row(fp, nd_str(o, "symbol", NULL));
		html_td(fp, nd_str(o, "side", NULL));
		html_td_num(fp, qty, html_fmt_num(qty, 0, b[0]), 0);
		html_td(fp, nd_str(o, "order_type", NULL));
		html_td(fp, nd_str(o, "tif", NULL));
		html_td_num(fp, ref, html_fmt_usd(ref, 2, b[1]), 0);
		html_td_num(fp, tw, html_fmt_pct(tw, 2, b[2]), 0);
		fprintf(fp, "<td><span class=\"%s\">", status == NULL ? "" : strcmp(status, "Filled") == 0 ? "pos" :
		    (strcmp(status, "Cancelled") == 0 || strcmp(status, "Inactive") == 0) ? "neg" : "");
		html_esc(fp, status ? status : "not reported");
		fputs("</span></td>", fp);
		html_td_num(fp, filled, html_fmt_num(filled, 0, b[3]), 0);
		html_td_num(fp, avg, html_fmt_usd(avg, 2, b[0]), 0);
		html_tr_end(fp);
	}
	html_table_end(fp);
}

/* Slippage of a fill against its order's reference price, as a fraction: positive is a cost (bought
 * above or sold below the reference). */
static double
slippage(const char *side, double price, double ref)
{
	double s = (price - ref) / ref;
	return side && strcmp(side, "SELL") == 0 ? -s : s;
}

static void
sect_fills(FILE *fp, const struct live *L)
{
	char b[5][HTML_NUM_MAX];
	size_t i;
	json_t *f;
	double notional = 0, wslip = 0, comm = 0;

	char d[DATE_LEN + 1], cap[160];

	snprintf(cap, sizeof cap, "Executions of %s; slippage against the order's reference price (the close it was "
	    "sized on)", date_fmt(L->fill_day, d));
	html_table_begin(fp, "fills", cap, 0, "Time|Symbol|Side|>Qty|>Price|>Ref price|>Slippage|>Commission");
	json_array_foreach(L->fills, i, f) {
		if (!is_type(f, "fill"))
			continue;
		json_t *o = order_of(L, nd_str(f, "client_id", NULL));
		const char *side = nd_str(f, "side", NULL);
		double qty = nd_num(f, "qty", NAN), px = nd_num(f, "price", NAN), ref = nd_num(o, "ref_price", NAN), c = nd_num(f, "commission", NAN);
		double sl = slippage(side, px, ref);
		if (!isnan(sl)) {
			notional += fabs(qty * px);
			wslip += sl * fabs(qty * px);
		}
		if (!isnan(c))
			comm += c;
		html_tr(fp);
		html_td(fp, nd_str(f, "time", NULL));
		html_th_row(fp, nd_str(f, "symbol", NULL));
		html_td(fp, side);
		html_td_num(fp, qty, html_fmt_num(qty, 0, b[0]), 0);
		html_td_num(fp, px, html_fmt_usd(px, 2, b[1]), 0);
		html_td_num(fp, ref, html_fmt_usd(ref, 2, b[2]), 0);
		html_td_num(fp, sl, html_fmt_bps(sl, 1, b[3]), HTML_COST);
		html_td_num(fp, c, html_fmt_usd(c, 2, b[4]), 0);
		html_tr_end(fp);
	}
	html_table_end(fp);
	if (notional > 0)
		fprintf(fp, "<p class=\"sub\" id=\"fills-summary\" data-slippage=\"%.6g\" data-commission=\"%.6g\">"
		    "Notional-weighted slippage %s (positive: worse than the reference price); commissions %s.</p>\n",
		    wslip / notional, comm, html_fmt_bps(wslip / notional, 1, b[0]), html_fmt_usd(comm, 2, b[1]));
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
		svg_chart c = { "chart-tracking", "Account vs backtest, growth since the first common date", W, 240,
			SVG_CUM, 0, 0, 0, names, 2, 0, NULL, 0 };
		rc = svg_line(fp, &c, days, ys, n);
		/* The tracking difference: account growth minus backtest growth, in percentage points. */
		for (i = 0; i < n; i++)
			acc[i] -= bt[i];
		static const char *const dn[] = { "Account \xe2\x88\x92 backtest" };
		const double *yd[1] = { acc };
		c = (svg_chart){ "chart-tracking-diff", "Tracking difference: account growth minus backtest growth", W,
			200, SVG_PCT, 0, 0, 0, dn, 1, 0, NULL, 0 };
		rc |= svg_line(fp, &c, days, yd, n);
	}
	free(acc);
	free(bt);
	free(days);
	return rc;
}

/* The blotter: every order of every trading date, newest first, with its last reported status (that
 * date's status.ndjson) and its executions wherever they are (fills.ndjson of any date, by client_id):
 * filled quantity, average price, slippage against the reference price, commissions, and for a sale the
 * realised P&L: (average fill - the average cost in that date's positions, before the fill) x quantity. */
static void
sect_blotter(FILE *fp, const struct live *L)
{
	json_t *fills = json_array(), *a, *o, *st, *f;
	size_t i, k, nrows = 0;
	double comm_all = 0, notional = 0, wslip = 0, real_all = 0;
	char b[6][HTML_NUM_MAX], d[DATE_LEN + 1];

	for (i = 0; fills != NULL && i < L->ndays; i++) /* every execution, for the join */
		if ((a = read_day(L->in->root, L->days[i], "fills.ndjson", L->p)) != NULL) {
			json_array_extend(fills, a);
			json_decref(a);
		}
	html_table_begin(fp, "blotter", "Every order, newest date first: status as last reported that day; fills "
	    "joined by client_id from any date; slippage of the average fill price against the reference price",
	    1, "Date|Symbol|Side|>Qty|>Ref price|Status|>Filled|>Avg fill|>Slippage|>Commission|>Realised P&L");
	for (i = L->ndays; i-- > 0;) {
		json_t *orders = read_day(L->in->root, L->days[i], "orders.ndjson", L->p);
		json_t *status = orders ? read_day(L->in->root, L->days[i], "status.ndjson", L->p) : NULL;
		json_t *held = orders ? read_day(L->in->root, L->days[i], "positions.ndjson", L->p) : NULL;
		json_array_foreach(orders, k, o) {
			const char *cid = nd_str(o, "client_id", NULL), *side = nd_str(o, "side", NULL), *stt;
			double qty = nd_num(o, "qty", NAN), ref = nd_num(o, "ref_price", NAN), fq = 0, fv = 0, cm = 0, avg, sl;
			size_t j;
			int nf = 0;
			if (!is_type(o, "order"))
				continue;
			st = NULL;
			json_array_foreach(status, j, f)
				if ((is_type(f, "status") || is_type(f, "open_order")) && cid && nd_str(f, "client_id", NULL) &&
				    strcmp(nd_str(f, "client_id", NULL), cid) == 0)
					st = f;
			json_array_foreach(fills, j, f)
				if (is_type(f, "fill") && cid && nd_str(f, "client_id", NULL) &&
				    strcmp(nd_str(f, "client_id", NULL), cid) == 0 && !isnan(nd_num(f, "qty", NAN)) &&
				    !isnan(nd_num(f, "price", NAN))) {
					fq += nd_num(f, "qty", 0);
					fv += nd_num(f, "qty", 0) * nd_num(f, "price", 0);
					cm += isnan(nd_num(f, "commission", NAN)) ? 0 : nd_num(f, "commission", 0);
					nf++;
				}
			avg = fq > 0 ? fv / fq : NAN;
			sl = slippage(side, avg, ref);
			double cost = NAN, real = NAN;
			json_array_foreach(held, j, f)
				if (is_type(f, "position") && nd_str(f, "symbol", NULL) && nd_str(o, "symbol", NULL) &&
				    strcmp(nd_str(f, "symbol", NULL), nd_str(o, "symbol", NULL)) == 0)
					cost = nd_num(f, "avg_cost", NAN);
			if (side && strcmp(side, "SELL") == 0 && fq > 0 && !isnan(cost)) {
				real = (avg - cost) * fq;
				real_all += real;
			}
			if (!isnan(sl)) {
				notional += fabs(fv);
				wslip += sl * fabs(fv);
			}
			comm_all += cm;
			stt = nd_str(st, "status", NULL);
			html_tr(fp);
			html_td(fp, date_fmt(L->days[i], d));
			html_th_row(fp, nd_str(o, "symbol", NULL));
			html_td(fp, side);
			html_td_num(fp, qty, html_fmt_num(qty, 0, b[0]), 0);
			html_td_num(fp, ref, html_fmt_usd(ref, 2, b[1]), 0);
			html_td(fp, stt ? stt : "not reported");
			html_td_num(fp, nf ? fq : NAN, html_fmt_num(fq, 0, b[2]), 0);
			html_td_num(fp, avg, html_fmt_usd(avg, 2, b[3]), 0);
			html_td_num(fp, sl, html_fmt_bps(sl, 1, b[4]), HTML_COST);
			html_td_num(fp, nf ? cm : NAN, html_fmt_usd(cm, 2, b[5]), 0);
			html_td_num(fp, real, html_fmt_usd(real, 2, b[0]), HTML_SIGN);
			html_tr_end(fp);
			nrows++;
		}
		json_decref(orders);
		json_decref(status);
		json_decref(held);
	}
	html_table_end(fp);
	fprintf(fp, "<p class=\"sub\" id=\"blotter-summary\" data-orders=\"%zu\" data-commission=\"%.10g\" "
	    "data-realised=\"%.10g\">%zu orders; notional-weighted slippage %s; commissions %s; realised P&amp;L of "
	    "the sales %s (before commissions).</p>\n", nrows, comm_all, real_all, nrows,
	    notional > 0 ? html_fmt_bps(wslip / notional, 1, b[0]) : "\xe2\x80\x94", html_fmt_usd(comm_all, 2, b[1]),
	    html_fmt_usd(real_all, 2, b[2]));
	json_decref(fills);
}

/* One row of the freshness table: how many NYSE trading days have closed after `day` up to the clock
 * (weekends and holidays do not count); stale when more than one has (a daily flow missed a day). */
static void
fresh_row(FILE *fp, const char *what, int day, const char *text, int clock, const char *where, const char *state)
{
	char d[DATE_LEN + 1], b[HTML_NUM_MAX];
	int have = day > -1000000, behind = have && clock > day ? cal_count(day + 1, clock) : 0, stale;

	html_tr(fp);
	html_th_row(fp, what);
	html_td(fp, have ? text ? text : date_fmt(day, d) : NULL);
	stale = !have || behind > 1;
	html_td_num(fp, have ? (double)behind : NAN, html_fmt_num(behind, 0, b), 0);
	fprintf(fp, "<td><span class=\"%s\">%s</span></td>", state ? "" : stale ? "neg" : "pos",
	    state ? state : !have ? "missing" : stale ? "stale" : "fresh");
	html_td(fp, where);
	html_tr_end(fp);
}

/* The last run record (type "run") of the run log, or NULL. */
static const json_t *
last_run(const struct live *L)
{
	for (size_t i = json_array_size(L->runs); i-- > 0;)
		if (is_type(json_array_get(L->runs, i), "run"))
			return json_array_get(L->runs, i);
	return NULL;
}

/* A date from the first 10 characters of a record's field ("2026-11-24" or "2026-11-24T21:15:00Z"). */
static int
field_day(const json_t *o, const char *key)
{
	const char *t = nd_str(o, key, NULL);
	int day = -1000000;

	if (t && strlen(t) >= DATE_LEN && date_parse(t, DATE_LEN, &day) < 0)
		day = -1000000;
	return day;
}

/* The flow's own clock: the trading date of its last run (the simulated day for ib-sim), else the
 * generation date. The data are as fresh as that clock says, whatever the wall clock. */
static int
flow_clock(const struct live *L, int *from_run)
{
	int day = field_day(last_run(L), "date");

	*from_run = day > -1000000;
	return *from_run ? day : L->in->today;
}

static void
sect_freshness(FILE *fp, const struct live *L)
{
	int from_run, clock = flow_clock(L, &from_run), acc_day = field_day(L->account, "time");
	const json_t *run = last_run(L);
	int ran = field_day(run, "end"), ran_behind;
	char d[DATE_LEN + 1], cap[320];
	const char *state = NULL;

	snprintf(cap, sizeof cap, "Trading days behind the flow's clock, %s (%s); the last run by its end, on the "
	    "wall clock", date_fmt(clock, d),
	    !from_run ? "no run recorded: the generation date" : L->in->simulated ?
	    "the simulated day of the last mock run" : "the trading date of the last run");
	html_table_begin(fp, "freshness", cap, 0, "Data|Latest|>Behind|State|Where");
	fresh_row(fp, "Prices", L->price_day, NULL, clock, "data/last.csv", NULL);
	fresh_row(fp, "Backtest", L->bt_day, NULL, clock, "backtest/DATE/", NULL);
	fresh_row(fp, "Trading records", L->latest, NULL, clock, "trading/DATE/", NULL);
	fresh_row(fp, "Account snapshot", acc_day, nd_str(L->account, "time", NULL), clock, "account.ndjson", NULL);
	/* The run itself: a live flow runs every trading day by the wall clock; a simulated one when asked. */
	ran_behind = ran > -1000000 && L->in->today > ran ? cal_count(ran + 1, L->in->today) : 0;
	if (ran > -1000000 && L->in->simulated)
		state = "ran (on demand)";
	html_tr(fp);
	html_th_row(fp, "Last flow run");
	html_td(fp, nd_str(run, "end", NULL) ? nd_str(run, "end", NULL) : nd_str(run, "date", NULL));
	{
		char b[HTML_NUM_MAX];
		html_td_num(fp, ran > -1000000 ? (double)ran_behind : NAN, html_fmt_num(ran_behind, 0, b), 0);
	}
	fprintf(fp, "<td><span class=\"%s\">%s</span></td>", state ? "" : ran <= -1000000 || ran_behind > 1 ?
	    "neg" : "pos", state ? state : ran <= -1000000 ? "missing" : ran_behind > 1 ? "stale" : "fresh");
	html_td(fp, "logs/runs.ndjson");
	html_tr_end(fp);
	html_table_end(fp);
}

static void
sect_runs(FILE *fp, const struct live *L)
{
	size_t n = json_array_size(L->runs), i, shown = 0;
	json_t *r, *last = NULL;

	for (i = n; i-- > 0;)
		if (is_type(json_array_get(L->runs, i), "run")) {
			last = json_array_get(L->runs, i);
			break;
		}
	if (last) {
		const char *st = nd_str(last, "status", NULL);
		int ok = st && strcmp(st, "ok") == 0;
		fprintf(fp, "<p class=\"note %s\" id=\"last-run\" data-status=\"", ok ? "info" : "warn");
		html_esc(fp, st);
		fputs("\">Last run: ", fp);
		html_esc(fp, nd_str(last, "flow", NULL));
		fputs(" flow of ", fp);
		html_esc(fp, nd_str(last, "date", NULL));
		fputs(ok ? ", <b class=\"pos\">ok</b>" : ", <b class=\"neg\">", fp);
		if (!ok) {
			html_esc(fp, st ? st : "unknown");
			fputs("</b> at step ", fp);
			html_esc(fp, nd_str(last, "step", NULL) ? nd_str(last, "step", NULL) : "?");
			fputs(": ", fp);
			html_esc(fp, nd_str(last, "message", NULL));
		}
		fputs(".</p>\n", fp);
	}
	html_table_begin(fp, "runs", "Most recent first", 0, "Flow|Date|Start|End|Status|Step|Message");
	for (i = n; i-- > 0 && shown < MAX_RUNS;) {
		r = json_array_get(L->runs, i);
		if (!is_type(r, "run"))
			continue;
		shown++;
		html_tr(fp);
		html_th_row(fp, nd_str(r, "flow", NULL));
		html_td(fp, nd_str(r, "date", NULL));
		html_td(fp, nd_str(r, "start", NULL));
		html_td(fp, nd_str(r, "end", NULL));
		const char *st = nd_str(r, "status", NULL);
		fprintf(fp, "<td><span class=\"%s\">", st && strcmp(st, "ok") == 0 ? "pos" : "neg");
		html_esc(fp, st ? st : "?");
		fputs("</span></td>", fp);
		html_td(fp, nd_str(r, "step", NULL));
		html_td_wrap(fp, nd_str(r, "message", NULL));
		html_tr_end(fp);
	}
	html_table_end(fp);
}

/* Pushover's priority names (notify(1)): -2 lowest to 2 emergency. */
static const char *
priority_name(double pr)
{
	static const char *const names[] = { "lowest", "low", "normal", "high", "emergency" };

	return pr >= -2 && pr <= 2 && pr == floor(pr) ? names[(int)pr + 2] : NULL;
}

static void
sect_alerts(FILE *fp, const struct live *L)
{
	size_t i, shown = 0;
	json_t *a;
	char b[HTML_NUM_MAX + 16];

	html_table_begin(fp, "alerts", "Most recent first. Priority as sent to Pushover (notify(1)): -2 lowest to "
	    "2 emergency; \xe2\x80\x94 when the record has none (sent at Pushover's default, normal)", 0,
	    "Time|>Priority|Title|Message");
	for (i = json_array_size(L->alerts); i-- > 0 && shown < MAX_ALERTS;) {
		a = json_array_get(L->alerts, i);
		if (!is_type(a, "alert"))
			continue;
		shown++;
		double pr = nd_num(a, "priority", NAN);
		const char *pn = priority_name(pr);
		html_tr(fp);
		html_td(fp, nd_str(a, "time", NULL));
		if (pn)
			snprintf(b, sizeof b, "%s (%s)", html_fmt_num(pr, 0, (char[HTML_NUM_MAX]){ 0 }), pn);
		else
			html_fmt_num(pr, 0, b);
		html_td_num(fp, pr, b, 0);
		html_th_row(fp, nd_str(a, "title", NULL) ? nd_str(a, "title", NULL) : "");
		html_td_wrap(fp, nd_str(a, "message", NULL));
		html_tr_end(fp);
	}
	html_table_end(fp);
}

static void
missing(FILE *fp, const char *id, const char *title, int wide, const char *what)
{
	html_section_begin(fp, id, title, wide);
	html_notice(fp, "warn", "Not available: %s.", what);
	html_section_end(fp);
}

int
dash_live(FILE *fp, const dash_live_in *in, dash_probs *probs)
{
	const char *nav[] = { "../backtest/index.html", "Backtest \xe2\x86\x92", NULL, NULL, "summary", "Summary", "nav", "NAV", "positions-sec", "Positions",
		"orders-sec", "Orders", "fills-sec", "Fills", "blotter-sec", "History", "tracking", "Tracking", "freshness-sec", "Freshness",
		"runs-sec", "Runs", "alerts-sec", "Alerts", NULL };
	struct live L = { 0 };
	char sub[512], d[DATE_LEN + 1];
	int rc = 0;
	double upnl;

	L.in = in;
	L.p = probs;
	load(&L);
	if (L.nav == NULL)
		rc = -1;
	char every[64] = "";
	if (in->refresh > 0)
		snprintf(every, sizeof every, " \xc2\xb7 refreshes every %d %s", in->refresh % 60 ? in->refresh :
		    in->refresh / 60, in->refresh % 60 ? (in->refresh == 1 ? "second" : "seconds") :
		    in->refresh == 60 ? "minute" : "minutes");
	snprintf(sub, sizeof sub, "%s%s%s \xc2\xb7 trading records to %s \xc2\xb7 updated %s%s", in->label,
	    nd_str(L.account, "account", NULL) ? " " : "", nd_str(L.account, "account", NULL) ? nd_str(L.account, "account", NULL) : "",
	    L.ndays ? date_fmt(L.latest, d) : "none", in->now, every);
	/* the other account's page: live links mock, mock links live */
	nav[2] = in->simulated ? "../live/index.html" : "../mock/index.html";
	nav[3] = in->simulated ? "Live \xe2\x86\x92" : "Mock \xe2\x86\x92";
	html_page_begin(fp, in->title, sub, in->refresh, in->links ? nav : nav + 4);
	if (probs->n > 0) {
		html_section_begin(fp, "inputs", "Missing or unreadable inputs", 1);
		for (int i = 0; i < probs->n; i++)
			html_notice(fp, "warn", "%s", probs->msg[i]);
		html_section_end(fp);
	}
	upnl = sect_positions(fp, &L, 0);
	if (L.account) {
		html_section_begin(fp, "summary", "Account", 1);
		sect_summary(fp, &L, L.positions ? upnl : NAN);
		html_section_end(fp);
		rc |= sect_nav(fp, &L);
	} else {
		missing(fp, "summary", "Account", 1, "no account records (trading/DATE/account.ndjson)");
		missing(fp, "nav", "NAV history", 0, "no account records");
		missing(fp, "pnl", "Daily P&L", 0, "no account records");
	}
	if (L.positions) {
		html_section_begin(fp, "positions-sec", "Positions", 1);
		sect_positions(fp, &L, 1);
		html_section_end(fp);
	} else
		missing(fp, "positions-sec", "Positions", 1, "no positions (trading/DATE/positions.ndjson)");
	if (L.orders) {
		html_section_begin(fp, "orders-sec", "Orders", 1);
		sect_orders(fp, &L);
		html_section_end(fp);
	} else
		missing(fp, "orders-sec", "Orders", 1, "no orders in the store (trading/DATE/orders.ndjson)");
	if (L.fills) {
		html_section_begin(fp, "fills-sec", "Fills and slippage", 1);
		sect_fills(fp, &L);
		html_section_end(fp);
	} else
		missing(fp, "fills-sec", "Fills and slippage", 1, "no fills in the store (trading/DATE/fills.ndjson)");
	if (L.orders) {
		html_section_begin(fp, "blotter-sec", "Order history", 1);
		sect_blotter(fp, &L);
		html_section_end(fp);
	} else
		missing(fp, "blotter-sec", "Order history", 1, "no orders in the store (trading/DATE/orders.ndjson)");
	html_section_begin(fp, "tracking", "Tracking vs the backtest", 0);
	if (L.e.n > 0 && L.account != NULL)
		rc |= sect_tracking(fp, &L);
	else
		html_notice(fp, "warn", "Not available: %s.", L.e.n ? "no account records" :
		    "no backtest equity (backtest/DATE/equity.csv)");
	html_section_end(fp);
	html_section_begin(fp, "freshness-sec", "Data freshness", 0);
	sect_freshness(fp, &L);
	html_section_end(fp);
	if (L.runs) {
		html_section_begin(fp, "runs-sec", "Flow runs", 1);
		sect_runs(fp, &L);
		html_section_end(fp);
	} else
		missing(fp, "runs-sec", "Flow runs", 1, "no run log (logs/runs.ndjson)");
	if (L.alerts) {
		html_section_begin(fp, "alerts-sec", "Recent alerts", 1);
		sect_alerts(fp, &L);
		html_section_end(fp);
	} else
		missing(fp, "alerts-sec", "Recent alerts", 1, "no alert log (logs/alerts.ndjson)");
	html_page_end(fp, "Written by dash-gen (systematic-trading-infra). Static page: no network, no server.");
	unload(&L);
	return rc ? -1 : 0;
}
