/* dash/live_trades: the live page's positions, orders, fills and order history. */
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

double
dlv_positions(FILE *fp, const struct live *L, int write)
{
	double nav = nd_num(L->account, "net_liquidation", NAN), upnl_sum = 0;
	char b[6][HTML_NUM_MAX], d[DATE_LEN + 1], cap[256];
	size_t i;
	json_t *o;

	if (write) {
		int fallback = 0;
		char src;
		json_array_foreach(L->positions, i, o)
			if (dlv_is_type(o, "position") && (dlv_price_of(L, nd_str(o, "symbol", NULL), &src), src != 'p'))
				fallback = 1;
		snprintf(cap, sizeof cap, "Positions of %s; last prices from data/last.csv%s; target weights from %s",
		    date_fmt(L->pos_day, d), fallback ? ", else the day's fills or order reference prices" : "",
		    json_array_size(L->orders) ? "the latest orders, else the backtest" : "the latest backtest");
		html_table_begin(fp, "positions", cap, 0,
		    "Symbol|>Qty|>Avg cost|>Last price|>Market value|>Weight|>Target|>Difference|>Unrealised P&L");
	}
	json_array_foreach(L->positions, i, o) {
		if (!dlv_is_type(o, "position"))
			continue;
		const char *sym = nd_str(o, "symbol", NULL);
		char src;
		double qty = nd_num(o, "qty", NAN), cost = nd_num(o, "avg_cost", NAN), last = dlv_price_of(L, sym, &src);
		double mv = qty * last, wt = mv / nav, tg = sym ? dlv_target_of(L, sym) : NAN, up = (last - cost) * qty;
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

void
dlv_orders(FILE *fp, const struct live *L)
{
	char b[4][HTML_NUM_MAX], d[DATE_LEN + 1], cap[128];
	size_t i, k;
	json_t *o, *s, *st;

	snprintf(cap, sizeof cap, "Orders of %s%s with their last reported status", date_fmt(L->ord_day, d),
	    L->ord_day == L->latest ? "" : " (the latest rebalance; none since)");
	html_table_begin(fp, "orders", cap, 0,
	    "Symbol|Side|>Qty|Type|TIF|>Ref price|>Target|Status|>Filled|>Avg price");
	json_array_foreach(L->orders, i, o) {
		if (!dlv_is_type(o, "order"))
			continue;
		const char *cid = nd_str(o, "client_id", NULL);
		st = NULL;
		json_array_foreach(L->status, k, s) /* the last status or open_order record wins */
			if ((dlv_is_type(s, "status") || dlv_is_type(s, "open_order")) && cid && nd_str(s, "client_id", NULL) &&
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

void
dlv_fills(FILE *fp, const struct live *L)
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
		if (!dlv_is_type(f, "fill"))
			continue;
		json_t *o = dlv_order_of(L, nd_str(f, "client_id", NULL));
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


/* The blotter: every order of every trading date, newest first, with its last reported status (that
 * date's status.ndjson) and its executions wherever they are (fills.ndjson of any date, by client_id):
 * filled quantity, average price, slippage against the reference price, commissions, and for a sale the
 * realised P&L: (average fill - the average cost in that date's positions, before the fill) x quantity. */
void
dlv_blotter(FILE *fp, const struct live *L)
{
	json_t *fills = json_array(), *a, *o, *st, *f;
	size_t i, k, nrows = 0;
	double comm_all = 0, notional = 0, wslip = 0, real_all = 0;
	char b[6][HTML_NUM_MAX], d[DATE_LEN + 1];

	for (i = 0; fills != NULL && i < L->ndays; i++) /* every execution, for the join */
		if ((a = dlv_read_day(L->in->root, L->days[i], "fills.ndjson", L->p)) != NULL) {
			json_array_extend(fills, a);
			json_decref(a);
		}
	html_table_begin(fp, "blotter", "Every order, newest date first: status as last reported that day; fills "
	    "joined by client_id from any date; slippage of the average fill price against the reference price",
	    1, "Date|Symbol|Side|>Qty|>Ref price|Status|>Filled|>Avg fill|>Slippage|>Commission|>Realised P&L");
	for (i = L->ndays; i-- > 0;) {
		json_t *orders = dlv_read_day(L->in->root, L->days[i], "orders.ndjson", L->p);
		json_t *status = orders ? dlv_read_day(L->in->root, L->days[i], "status.ndjson", L->p) : NULL;
		json_t *held = orders ? dlv_read_day(L->in->root, L->days[i], "positions.ndjson", L->p) : NULL;
		json_array_foreach(orders, k, o) {
			const char *cid = nd_str(o, "client_id", NULL), *side = nd_str(o, "side", NULL), *stt;
			double qty = nd_num(o, "qty", NAN), ref = nd_num(o, "ref_price", NAN), fq = 0, fv = 0, cm = 0, avg, sl;
			size_t j;
			int nf = 0;
			if (!dlv_is_type(o, "order"))
				continue;
			st = NULL;
			json_array_foreach(status, j, f)
				if ((dlv_is_type(f, "status") || dlv_is_type(f, "open_order")) && cid && nd_str(f, "client_id", NULL) &&
				    strcmp(nd_str(f, "client_id", NULL), cid) == 0)
					st = f;
			json_array_foreach(fills, j, f)
				if (dlv_is_type(f, "fill") && cid && nd_str(f, "client_id", NULL) &&
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
				if (dlv_is_type(f, "position") && nd_str(f, "symbol", NULL) && nd_str(o, "symbol", NULL) &&
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

