/* Unit tests of lib/ib (the client side of the broker tools): symbol input, the bar merge, order records and their conversion, limits,
 * the account snapshot's joins and records, and the account guard. (The event loops of fetch and submit
 * are tested against ib-sim in tests/tools/ib-*.sh.) */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "ib/bars.h"
#include "ib/conn.h"
#include "ib/order.h"
#include "ib/snap.h"
#include "ib/symbols.h"
#include "date.h"
#include "num.h"
#include "tws/wire.h"

static char err[512];

static int
read_syms(const char *text, bk_syms *s)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	memset(s, 0, sizeof *s);
	err[0] = '\0';
	rc = bk_sym_read(fp, "in", s, err, sizeof err);
	fclose(fp);
	return rc;
}

static int
read_orders(const char *text, bk_orders *o)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc;

	memset(o, 0, sizeof *o);
	err[0] = '\0';
	rc = bk_ord_read(fp, "in", o, err, sizeof err);
	fclose(fp);
	return rc;
}

#define ORDER(cid, sym, side, qty, extra) \
	"{\"type\":\"order\",\"client_id\":\"" cid "\",\"symbol\":\"" sym "\",\"side\":\"" side "\",\"qty\":" qty extra "}\n"

/* ================================ Core ================================ */

START_TEST(test_symbols_list)
{
	bk_syms s;

	ck_assert_int_eq(read_syms("\xef\xbb\xbf# universe\nAAPL\r\n\n  MSFT \nBRK B\n", &s), EX_DATAERR);
	ck_assert_str_eq(err, "in:5: symbol: 'BRK B' holds a blank, a comma, a quote or a control character");
	bk_syms_free(&s);
	ck_assert_int_eq(read_syms("# universe\nAAPL\r\n\n  MSFT \nBRK.B", &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.v[0].symbol, "AAPL");
	ck_assert_str_eq(s.v[0].id, "AAPL");
	ck_assert_str_eq(s.v[0].currency, "USD");
	ck_assert_str_eq(s.v[1].symbol, "MSFT");
	ck_assert_int_eq(s.v[1].line, 4);
	ck_assert_str_eq(s.v[2].symbol, "BRK.B");
	bk_syms_free(&s);
}
END_TEST

START_TEST(test_symbols_csv)
{
	bk_syms s;

	ck_assert_int_eq(read_syms("id,symbol,primary_exchange,currency,con_id\n"
	    "14593,AAPL,NASDAQ,,265598\n10107,MSFT,,,\nX1,SAP,IBIS,EUR,\n", &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.v[0].id, "265598"); /* conId wins */
	ck_assert_int_eq(s.v[0].con_id, 265598);
	ck_assert_str_eq(s.v[0].primary, "NASDAQ");
	ck_assert_str_eq(s.v[0].currency, "USD");
	ck_assert_str_eq(s.v[1].id, "10107");
	ck_assert_str_eq(s.v[2].currency, "EUR");
	bk_syms_free(&s);
	ck_assert_int_eq(read_syms("symbol\nAAPL\nMSFT\n", &s), 0); /* a one-column CSV */
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.v[1].id, "MSFT");
	bk_syms_free(&s);
}
END_TEST

static bk_series
series(const char *id, const char *sym, const tws_bar *b, int n)
{
	bk_series s = { id, sym, NULL, 0 };

	ck_assert_int_eq(bk_bars_set(&s, b, n, err, sizeof err), 0);
	return s;
}

START_TEST(test_bars_merge)
{
	tws_bar a[] = { { "20261120", 10, 11, 9, 10, 100, 10, 5 }, { "20261123", 10, 12, 10, 11, 200, 11, 5 },
		{ "20261124", 11, 11, 10, 10.5, -1, -1, -1 } };
	tws_bar b[] = { { "20261123", 50, 51, 49, 50, 7, 50, 1 }, { "20261124", 50, 52, 50, 52, 8, 51, 1 } };
	tws_bar c[] = { { "20261124  16:00:00", 1, 1, 1, TWS_UNSET_DOUBLE, 1, 1, 1 } };
	bk_series sa = series("2", "BBB", a, 3), sb = series("10", "AAA", b, 2), sc = series("3", "CCC", c, 1);
	bk_series *all[] = { &sa, &sb, &sc };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	ck_assert_int_eq(sc.v[0].date, date_from_ymd(2026, 11, 24));
	ck_assert(isnan(sc.v[0].close));
	ck_assert(isnan(sa.v[2].volume));
	ck_assert_int_eq(bk_bars_rows(all, 3), 6);
	ck_assert_int_eq(bk_bars_write(fp, all, 3), 0);
	fclose(fp);
	/* date-major; ids in panel order (sti-formats(5): numeric ids by value, 2 < 3 < 10, as prices-merge
	 * sorts them); ret from consecutive closes of one security */
	ck_assert_str_eq(buf,
	    "date,id,symbol,open,high,low,close,volume,ret\n"
	    "2026-11-20,2,BBB,10,11,9,10,100,\n"
	    "2026-11-23,2,BBB,10,12,10,11,200,0.10000000000000009\n"
	    "2026-11-23,10,AAA,50,51,49,50,7,\n"
	    "2026-11-24,2,BBB,11,11,10,10.5,,-0.045454545454545414\n"
	    "2026-11-24,3,CCC,1,1,1,,1,\n"
	    "2026-11-24,10,AAA,50,52,50,52,8,0.040000000000000036\n");
	free(buf);
	bk_series_free(&sa);
	bk_series_free(&sb);
	bk_series_free(&sc);
}
END_TEST

START_TEST(test_orders_read)
{
	bk_orders o;

	ck_assert_int_eq(read_orders(
	    ORDER("2026-11-24:lo-csmom:AAPL:BUY", "AAPL", "BUY", "12", ",\"ref_price\":101.2,\"order_type\":\"MKT\",\"tif\":\"OPG\"")
	    "\n"
	    ORDER("2026-11-24:lo-csmom:MSFT:SELL", "MSFT", "SELL", "5", "")
	    ORDER("2026-11-24:lo-csmom:IBM:BUY", "IBM", "BUY", "7", ",\"ref_price\":50")
	    ORDER("2026-11-24:lo-csmom:XOM:SELL", "XOM", "SELL", "9", ",\"ref_price\":100"), &o), 0);
	ck_assert_uint_eq(o.n, 4);
	ck_assert_int_eq(o.v[0].qty, 12);
	ck_assert(o.v[0].ref_price == 101.2);
	ck_assert(isnan(o.v[1].ref_price));
	ck_assert_int_eq(o.v[1].line, 3);
	bk_ord_sells_first(&o);
	ck_assert_str_eq(o.v[0].symbol, "MSFT");
	ck_assert_str_eq(o.v[1].symbol, "XOM");
	ck_assert_str_eq(o.v[2].symbol, "AAPL");
	ck_assert_str_eq(o.v[3].symbol, "IBM");
	bk_orders_free(&o);
	ck_assert_int_eq(read_orders("", &o), 0);
	ck_assert_uint_eq(o.n, 0);
	bk_orders_free(&o);
}
END_TEST

START_TEST(test_orders_resolve_and_convert)
{
	bk_orders o;
	bk_ord_params p = { NULL, NULL, NAN };
	tws_contract ct;
	tws_order to;

	ck_assert_int_eq(read_orders(ORDER("2026-11-24:s:AAPL:BUY", "AAPL", "BUY", "12", ",\"ref_price\":101.2")
	    ORDER("2026-11-24:s:PENNY:SELL", "PENNY", "SELL", "1000", ",\"ref_price\":0.5234,\"order_type\":\"MOC\",\"tif\":\"DAY\""), &o), 0);
	ck_assert_int_eq(bk_ord_resolve(&o.v[0], &p, err, sizeof err), 0);
	ck_assert_str_eq(o.v[0].order_type, "MKT"); /* the defaults: market on open */
	ck_assert_str_eq(o.v[0].tif, "OPG");
	ck_assert(isnan(o.v[0].lmt_price));
	ck_assert_int_eq(bk_ord_resolve(&o.v[1], &p, err, sizeof err), 0);
	ck_assert_str_eq(o.v[1].order_type, "MOC"); /* the record's */
	bk_ord_to_tws(&o.v[0], "DU1", 0, &ct, &to);
	ck_assert_str_eq(ct.symbol, "AAPL");
	ck_assert_str_eq(ct.sec_type, "STK");
	ck_assert_str_eq(ct.exchange, "SMART");
	ck_assert_str_eq(to.action, "BUY");
	ck_assert(to.qty == 12);
	ck_assert_str_eq(to.order_type, "MKT");
	ck_assert_str_eq(to.tif, "OPG");
	ck_assert_str_eq(to.order_ref, "2026-11-24:s:AAPL:BUY");
	ck_assert_str_eq(to.account, "DU1");
	ck_assert_int_eq(to.transmit, 0);
	ck_assert(to.lmt_price == TWS_UNSET_DOUBLE);
	ck_assert_int_eq(to.order_id, 0);
	/* limits: BUY above, SELL below ref_price, on the tick, never past the offset */
	p.order_type = "LOC";
	p.tif = "DAY";
	p.limit_offset_bps = 25;
	ck_assert_int_eq(bk_ord_resolve(&o.v[0], &p, err, sizeof err), 0);
	ck_assert(o.v[0].lmt_price == 101.45); /* 101.453 down to the cent */
	ck_assert_int_eq(bk_ord_resolve(&o.v[1], &p, err, sizeof err), 0);
	ck_assert(o.v[1].lmt_price == 0.5221); /* 0.52209 up to the 1/100 cent under 1.00 */
	bk_ord_to_tws(&o.v[0], "", 1, &ct, &to);
	ck_assert(to.lmt_price == 101.45);
	ck_assert_str_eq(to.order_type, "LOC");
	ck_assert(bk_ord_notional(&o.v[0]) == 12 * 101.2);
	bk_orders_free(&o);
}
END_TEST

static int nrefused;
static char last_refusal[256];

static void
refuse(void *ctx, const char *msg)
{
	nrefused++;
	snprintf(last_refusal, sizeof last_refusal, "%s", msg);
}

/* An order placed by conId. Where the conId goes comes from the official API, not from our encoder:
 * EClient.placeOrder (IB's ibapi client.py, API 10.x) sends OUT.PLACE_ORDER (3), its VERSION only below
 * MIN_SERVER_VER_ORDER_CONTAINER (145), the orderId, then contract.conId (from
 * MIN_SERVER_VER_PLACE_ORDER_CONID, 46), symbol, secType, lastTradeDateOrContractMonth, strike, right,
 * multiplier, exchange, primaryExchange, currency, localSymbol, tradingClass, secIdType, secId, action.
 * So at server version 178 field 2 is the conId, field 3 IB's symbol, field 10 the primary exchange. The
 * conId and IB's form of the symbol are those of the contracts cache (BRK.B is IB's "BRK B"). */
START_TEST(test_orders_by_con_id)
{
	static const char *const want[] = { "3", "7", "72063691", "BRK B", "STK", "", "", "", "", "SMART", "NYSE",
		"USD", "", "", "", "", "BUY", "10" };
	bk_order o;
	tws_contract ct;
	tws_order to;
	tws_wbuf b;
	tws_msg m;
	const char *p;
	size_t plen;

	memset(&o, 0, sizeof o);
	snprintf(o.client_id, sizeof o.client_id, "2026-11-24:s:BRK.B:BUY");
	snprintf(o.symbol, sizeof o.symbol, "BRK.B");
	snprintf(o.side, sizeof o.side, "BUY");
	snprintf(o.order_type, sizeof o.order_type, "MKT");
	snprintf(o.tif, sizeof o.tif, "OPG");
	o.qty = 10;
	o.lmt_price = NAN;
	o.con_id = 72063691;
	snprintf(o.ib_symbol, sizeof o.ib_symbol, "BRK B");
	snprintf(o.primary, sizeof o.primary, "NYSE");
	snprintf(o.currency, sizeof o.currency, "USD");
	bk_ord_to_tws(&o, "DU1", 1, &ct, &to);
	to.order_id = 7;
	tws_wbuf_init(&b);
	tws_msg_init(&m);
	ck_assert_int_eq(tws_enc_place_order_v(&b, &ct, &to, 178), 0);
	ck_assert_int_eq(tws_frame_split(b.p, b.len, &p, &plen), (long)b.len);
	ck_assert_int_eq(tws_msg_parse(&m, p, plen), 0);
	ck_assert_int_ge(m.n, (int)(sizeof want / sizeof *want));
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		if (i != 6) /* strike: unset for a stock, written as our encoder writes unset doubles */
			ck_assert_msg(strcmp(m.f[i], want[i]) == 0, "field %zu: '%s', want '%s'", i, m.f[i], want[i]);
	/* without a conId, the order goes by its symbol: field 2 is 0 */
	o.con_id = 0;
	bk_ord_to_tws(&o, "DU1", 1, &ct, &to);
	b.len = 0;
	ck_assert_int_eq(tws_enc_place_order_v(&b, &ct, &to, 178), 0);
	ck_assert_int_eq(tws_frame_split(b.p, b.len, &p, &plen), (long)b.len);
	ck_assert_int_eq(tws_msg_parse(&m, p, plen), 0);
	ck_assert_str_eq(m.f[2], "0");
	ck_assert_str_eq(m.f[3], "BRK.B");
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_orders_limits)
{
	bk_orders o;

	ck_assert_int_eq(read_orders(ORDER("2026-11-24:s:A:BUY", "A", "BUY", "100", ",\"ref_price\":10")
	    ORDER("2026-11-24:s:B:SELL", "B", "SELL", "30", ",\"ref_price\":50"), &o), 0);
	nrefused = 0;
	ck_assert_uint_eq(bk_ord_check_limits(&o, NAN, NAN, refuse, NULL), 0);
	ck_assert_uint_eq(bk_ord_check_limits(&o, 1500, 2500, refuse, NULL), 0); /* 1000 and 1500, 2500 in all */
	ck_assert_int_eq(nrefused, 0);
	ck_assert_uint_eq(bk_ord_check_limits(&o, 1499.99, NAN, refuse, NULL), 1);
	ck_assert_str_eq(last_refusal, "2026-11-24:s:B:SELL: notional 1500.00 (30 x 50) is over --max-order-notional 1499.99");
	ck_assert_uint_eq(bk_ord_check_limits(&o, NAN, 2499, refuse, NULL), 1);
	ck_assert_str_eq(last_refusal, "the run's notional 2500.00 (2 orders) is over --max-run-notional 2499.00");
	o.v[0].ref_price = NAN; /* unknown notional fails any limit */
	ck_assert_uint_eq(bk_ord_check_limits(&o, 1e9, NAN, refuse, NULL), 1);
	ck_assert_uint_eq(bk_ord_check_limits(&o, NAN, NAN, refuse, NULL), 0);
	bk_orders_free(&o);
}
END_TEST

START_TEST(test_client_id_shape)
{
	ck_assert(bk_is_client_id("2026-11-24:lo-csmom:AAPL:BUY"));
	ck_assert(bk_is_client_id("2026-11-24:x:BRK.B:SELL"));
	ck_assert(!bk_is_client_id("2026-11-24:lo-csmom:AAPL:HOLD"));
	ck_assert(!bk_is_client_id("2026-13-24:lo-csmom:AAPL:BUY"));
	ck_assert(!bk_is_client_id("2026-11-24::AAPL:BUY"));
	ck_assert(!bk_is_client_id("2026-11-24:a:b:AAPL:BUY"));
	ck_assert(!bk_is_client_id("manual order"));
	ck_assert(!bk_is_client_id(""));
}
END_TEST

static tws_event
ev_exec(const char *exec_id, const char *ref, const char *sym, const char *side, double q, double px, const char *t)
{
	tws_event ev;

	memset(&ev, 0, sizeof ev);
	ev.type = TWS_EV_EXEC;
	ev.req_id = -1;
	snprintf(ev.u.exec.exec_id, sizeof ev.u.exec.exec_id, "%s", exec_id);
	snprintf(ev.u.exec.order_ref, sizeof ev.u.exec.order_ref, "%s", ref);
	snprintf(ev.u.exec.contract.symbol, sizeof ev.u.exec.contract.symbol, "%s", sym);
	snprintf(ev.u.exec.side, sizeof ev.u.exec.side, "%s", side);
	snprintf(ev.u.exec.time, sizeof ev.u.exec.time, "%s", t);
	snprintf(ev.u.exec.account, sizeof ev.u.exec.account, "DU1");
	ev.u.exec.shares = q;
	ev.u.exec.price = px;
	ev.u.exec.order_id = 17;
	return ev;
}

static tws_event
ev_comm(const char *exec_id, double c)
{
	tws_event ev;

	memset(&ev, 0, sizeof ev);
	ev.type = TWS_EV_COMMISSION;
	snprintf(ev.u.commission.exec_id, sizeof ev.u.commission.exec_id, "%s", exec_id);
	ev.u.commission.commission = c;
	return ev;
}

START_TEST(test_snap_joins_and_records)
{
	bk_snap s;
	tws_event ev;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	bk_snap_init(&s, "DU1");
	/* a commission may come before its execution; a repeated answer changes nothing */
	ev = ev_comm("e2", 1.25);
	ck_assert_int_eq(bk_snap_apply(&s, &ev), 1);
	ev = ev_exec("e2", "2026-11-24:s:AAA:SELL", "AAA", "SLD", 10, 20.5, "20261125 09:30:00 US/Eastern");
	ck_assert_int_eq(bk_snap_apply(&s, &ev), 1);
	ev = ev_exec("e1", "2026-11-24:s:BBB:BUY", "BBB", "BOT", 3, 7, "20261125 09:30:00");
	bk_snap_apply(&s, &ev);
	bk_snap_apply(&s, &ev);
	ev = ev_comm("e1", 1);
	bk_snap_apply(&s, &ev);
	ev = ev_exec("e3", "x", "CCC", "BOT", 3, 7, "20261125 09:30:00");
	snprintf(ev.u.exec.account, sizeof ev.u.exec.account, "DU2"); /* another account: ignored */
	ck_assert_int_eq(bk_snap_apply(&s, &ev), 0);
	ck_assert_uint_eq(s.nfills, 2);
	ck_assert(bk_snap_filled_by_ref(&s, "2026-11-24:s:AAA:SELL", NULL) == 10);

	/* an ORDER_STATUS before its OPEN_ORDER; then the OPEN_ORDER fills in the rest */
	memset(&ev, 0, sizeof ev);
	ev.type = TWS_EV_ORDER_STATUS;
	ev.u.status.order_id = 18;
	ev.u.status.client_id = 7;
	snprintf(ev.u.status.status, sizeof ev.u.status.status, "Submitted");
	ev.u.status.remaining = 5;
	bk_snap_apply(&s, &ev);
	memset(&ev, 0, sizeof ev);
	ev.type = TWS_EV_OPEN_ORDER;
	ev.u.open_order.order.order_id = 18;
	ev.u.open_order.order.client_id = 7;
	ev.u.open_order.order.qty = 5;
	snprintf(ev.u.open_order.order.order_ref, sizeof ev.u.open_order.order.order_ref, "2026-11-24:s:DDD:BUY");
	snprintf(ev.u.open_order.order.action, sizeof ev.u.open_order.order.action, "BUY");
	snprintf(ev.u.open_order.order.order_type, sizeof ev.u.open_order.order.order_type, "MKT");
	snprintf(ev.u.open_order.order.tif, sizeof ev.u.open_order.order.tif, "OPG");
	snprintf(ev.u.open_order.contract.symbol, sizeof ev.u.open_order.contract.symbol, "DDD");
	snprintf(ev.u.open_order.status, sizeof ev.u.open_order.status, "PreSubmitted");
	bk_snap_apply(&s, &ev);
	ck_assert_uint_eq(s.nopen, 1);
	ck_assert_str_eq(s.open[0].status, "PreSubmitted"); /* the latest message wins */
	ck_assert(s.open[0].remaining == 5);
	memset(&ev, 0, sizeof ev);
	ev.type = TWS_EV_ORDER_STATUS;
	ev.u.status.order_id = 18;
	ev.u.status.client_id = 7;
	snprintf(ev.u.status.status, sizeof ev.u.status.status, "Submitted");
	ev.u.status.remaining = 5;
	bk_snap_apply(&s, &ev);
	ck_assert_uint_eq(s.nopen, 1);
	ck_assert_str_eq(s.open[0].status, "Submitted");
	ck_assert_ptr_nonnull(bk_snap_order_by_ref(&s, "2026-11-24:s:DDD:BUY"));
	ck_assert_ptr_null(bk_snap_order_by_ref(&s, "2026-11-24:s:EEE:BUY"));

	memset(&ev, 0, sizeof ev);
	ev.type = TWS_EV_POSITION;
	snprintf(ev.u.position.account, sizeof ev.u.position.account, "DU1");
	snprintf(ev.u.position.contract.symbol, sizeof ev.u.position.contract.symbol, "AAA");
	ev.u.position.contract.con_id = 4711;
	ev.u.position.position = 100;
	ev.u.position.avg_cost = 20.125;
	bk_snap_apply(&s, &ev);
	ev.u.position.position = 90; /* an update of the same position */
	bk_snap_apply(&s, &ev);
	snprintf(ev.u.position.contract.symbol, sizeof ev.u.position.contract.symbol, "ZZZ");
	ev.u.position.contract.con_id = 1;
	ev.u.position.position = 0; /* closed today: not written */
	bk_snap_apply(&s, &ev);

	memset(&ev, 0, sizeof ev);
	ev.type = TWS_EV_ACCOUNT_VALUE;
	snprintf(ev.u.account_value.account, sizeof ev.u.account_value.account, "DU1");
	snprintf(ev.u.account_value.tag, sizeof ev.u.account_value.tag, "NetLiquidation");
	snprintf(ev.u.account_value.value, sizeof ev.u.account_value.value, "100000.5");
	snprintf(ev.u.account_value.currency, sizeof ev.u.account_value.currency, "USD");
	bk_snap_apply(&s, &ev);
	snprintf(ev.u.account_value.tag, sizeof ev.u.account_value.tag, "TotalCashValue");
	snprintf(ev.u.account_value.value, sizeof ev.u.account_value.value, "3002.45");
	bk_snap_apply(&s, &ev);
	memset(&ev, 0, sizeof ev);
	ev.type = TWS_EV_CURRENT_TIME;
	ev.u.time = 1795554900; /* 2026-11-24T21:15:00Z */
	bk_snap_apply(&s, &ev);

	fp = open_memstream(&buf, &len);
	ck_assert_int_eq(bk_snap_write(&s, fp, BK_SNAP_ALL), 0);
	fclose(fp);
	ck_assert_str_eq(buf,
	    "{\"type\":\"account\",\"account\":\"DU1\",\"time\":\"2026-11-24T21:15:00Z\",\"currency\":\"USD\","
	    "\"net_liquidation\":100000.5,\"total_cash\":3002.45,\"available_funds\":null}\n"
	    "{\"type\":\"position\",\"account\":\"DU1\",\"id\":\"4711\",\"symbol\":\"AAA\",\"qty\":90,\"avg_cost\":20.125}\n"
	    "{\"type\":\"open_order\",\"client_id\":\"2026-11-24:s:DDD:BUY\",\"account\":\"\",\"perm_id\":0,"
	    "\"order_id\":18,\"client\":7,\"symbol\":\"DDD\",\"id\":\"DDD\",\"side\":\"BUY\",\"qty\":5,\"filled\":0,"
	    "\"remaining\":5,\"order_type\":\"MKT\",\"tif\":\"OPG\",\"lmt_price\":null,\"transmit\":true,"
	    "\"status\":\"Submitted\"}\n"
	    "{\"type\":\"fill\",\"client_id\":\"2026-11-24:s:BBB:BUY\",\"exec_id\":\"e1\",\"symbol\":\"BBB\","
	    "\"side\":\"BUY\",\"qty\":3,\"price\":7.0,\"commission\":1.0,\"time\":\"2026-11-25T14:30:00Z\"}\n"
	    "{\"type\":\"fill\",\"client_id\":\"2026-11-24:s:AAA:SELL\",\"exec_id\":\"e2\",\"symbol\":\"AAA\","
	    "\"side\":\"SELL\",\"qty\":10,\"price\":20.5,\"commission\":1.25,\"time\":\"2026-11-25T14:30:00Z\"}\n");
	free(buf);
	bk_snap_free(&s);
}
END_TEST

START_TEST(test_ib_time)
{
	char out[40];

	ck_assert_int_eq(bk_ib_time_iso("20261125 09:30:00 US/Eastern", out, sizeof out), 0);
	ck_assert_str_eq(out, "2026-11-25T14:30:00Z");
	ck_assert_int_eq(bk_ib_time_iso("20260715 09:30:00 America/New_York", out, sizeof out), 0);
	ck_assert_str_eq(out, "2026-07-15T13:30:00Z"); /* daylight saving time */
	ck_assert_int_eq(bk_ib_time_iso("20260715  16:00:00", out, sizeof out), 0);
	ck_assert_str_eq(out, "2026-07-15T20:00:00Z");
	ck_assert_int_eq(bk_ib_time_iso("20260715-16:00:00", out, sizeof out), 0);
	ck_assert_str_eq(out, "2026-07-15T16:00:00Z");
	ck_assert_int_eq(bk_ib_time_iso("1795554900", out, sizeof out), 0);
	ck_assert_str_eq(out, "2026-11-24T21:15:00Z");
	ck_assert_int_eq(bk_ib_time_iso("yesterday", out, sizeof out), -1);
	ck_assert_str_eq(out, "yesterday");
	ck_assert_int_eq(bk_ib_time_iso("20260715 16:00:00 ../../etc/passwd", out, sizeof out), -1);
}
END_TEST

START_TEST(test_accounts)
{
	char a[32];

	ck_assert_int_eq(bk_pick_account("DU1234567", NULL, a, sizeof a, err, sizeof err), 0);
	ck_assert_str_eq(a, "DU1234567");
	ck_assert_int_eq(bk_pick_account("DU1,DU2", "DU2", a, sizeof a, err, sizeof err), 0);
	ck_assert_str_eq(a, "DU2");
	ck_assert_int_eq(bk_pick_account("DU1,DU2", NULL, a, sizeof a, err, sizeof err), EX_UNAVAILABLE);
	ck_assert_str_eq(err, "TWS manages several accounts (DU1,DU2): choose one with --account or IB_ACCOUNT");
	ck_assert_int_eq(bk_pick_account("DU1,DU2", "DU", a, sizeof a, err, sizeof err), EX_USAGE);
	ck_assert_str_eq(err, "account DU is not one TWS manages (DU1,DU2)");
	ck_assert_int_eq(bk_pick_account("", NULL, a, sizeof a, err, sizeof err), EX_UNAVAILABLE);
	ck_assert(bk_trading_allowed("DU1", 0, NULL));
	ck_assert(!bk_trading_allowed("U1234567", 0, NULL));
	ck_assert(!bk_trading_allowed("U1234567", 1, NULL));
	ck_assert(!bk_trading_allowed("U1234567", 0, "yes"));
	ck_assert(!bk_trading_allowed("U1234567", 1, "YES"));
	ck_assert(bk_trading_allowed("U1234567", 1, "yes"));
}
END_TEST

/* ================================ Errors ================================ */

/* Each bad symbols list and the message it gets: the file:line: field: message convention of lib/err.h. */
START_TEST(test_errors_symbols)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "AAPL\nMSFT\nAAPL\n", "in:3: id: 'AAPL' appears twice (first on line 1)" },
		{ "id,symbol\n1,AAPL\n1,MSFT\n", "in:3: id: '1' appears twice (first on line 2)" },
		{ "ticker,id\nAAPL,1\n", "in:1: missing column 'symbol'" },
		{ "symbol,con_id\nAAPL,-3\n", "in:2: con_id: '-3' is not a conId (1 to 2147483647)" },
		{ "symbol,con_id\nAAPL,x\n", "in:2: con_id: 'x' is not an integer" },
		{ "symbol,id\n,1\n", "in:2: symbol: '' empty" },
		{ "\n# nothing\n", "in: no symbols" },
	};
	bk_syms s;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_int_eq(read_syms(cases[i].in, &s), EX_DATAERR);
		ck_assert_str_eq(err, cases[i].msg);
		bk_syms_free(&s);
	}
}
END_TEST

START_TEST(test_errors_bars)
{
	tws_bar bad[] = { { "2026-11-20", 1, 1, 1, 1, 1, 1, 1 } };
	tws_bar back[] = { { "20261120", 1, 1, 1, 1, 1, 1, 1 }, { "20261120", 1, 1, 1, 1, 1, 1, 1 } };
	tws_bar feb[] = { { "20260230", 1, 1, 1, 1, 1, 1, 1 } };
	bk_series s = { "1", "A", NULL, 0 };

	ck_assert_int_eq(bk_bars_set(&s, bad, 1, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "bar 1: date: '2026-11-20' is not yyyymmdd");
	ck_assert_int_eq(bk_bars_set(&s, back, 2, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "bar 2: date: 20261120 does not follow the bar before it");
	ck_assert_int_eq(bk_bars_set(&s, feb, 1, err, sizeof err), EX_DATAERR);
	ck_assert_ptr_null(s.v); /* unchanged on failure */
}
END_TEST

START_TEST(test_errors_orders)
{
	bk_orders o;
	bk_ord_params p = { NULL, NULL, NAN };

	ck_assert_int_eq(read_orders("{\"type\":\"status\"}\n", &o), EX_DATAERR);
	ck_assert_str_eq(err, "in:1: type: 'status' is not an order record");
	bk_orders_free(&o);
	ck_assert_int_eq(read_orders(ORDER("2026-11-24:s:AAPL:BUY", "AAPL", "SELL", "1", ""), &o), EX_DATAERR);
	ck_assert_str_eq(err, "in:1: client_id: '2026-11-24:s:AAPL:BUY' is not DATE:STRATEGY:AAPL:SELL");
	bk_orders_free(&o);
	ck_assert_int_eq(read_orders(ORDER("2026-11-24:s:AAPL:BUY", "AAPL", "BUY", "1.5", ""), &o), EX_DATAERR);
	ck_assert_str_eq(err, "in:1: qty: not a whole number of shares from 1 to 1e9");
	bk_orders_free(&o);
	ck_assert_int_eq(read_orders(ORDER("2026-11-24:s:AAPL:BUY", "AAPL", "BUY", "0", ""), &o), EX_DATAERR);
	bk_orders_free(&o);
	ck_assert_int_eq(read_orders(ORDER("2026-11-24:s:AAPL:BUY", "AAPL", "HOLD", "1", ""), &o), EX_DATAERR);
	ck_assert_str_eq(err, "in:1: side: 'HOLD' is not BUY or SELL");
	bk_orders_free(&o);
	ck_assert_int_eq(read_orders(ORDER("2026-11-24:s:AAPL:BUY", "AAPL", "BUY", "1", ",\"ref_price\":-2"), &o), EX_DATAERR);
	ck_assert_str_eq(err, "in:1: ref_price: not a positive number");
	bk_orders_free(&o);
	ck_assert_int_eq(read_orders("{\"type\":\"order\",\"symbol\":\"A\"}\n", &o), EX_DATAERR);
	ck_assert_str_eq(err, "in:1: client_id: missing");
	bk_orders_free(&o);
	ck_assert_int_eq(read_orders(ORDER("2026-11-24:s:A:BUY", "A", "BUY", "1", "") ORDER("2026-11-24:s:B:BUY", "B", "BUY",
	    "1", "") ORDER("2026-11-24:s:A:BUY", "A", "BUY", "2", ""), &o), EX_DATAERR);
	ck_assert_str_eq(err, "in:3: client_id: '2026-11-24:s:A:BUY' appears twice (first on line 1)");
	bk_orders_free(&o);
	ck_assert_int_eq(read_orders("not json\n", &o), EX_DATAERR);
	bk_orders_free(&o);

	ck_assert_int_eq(read_orders(ORDER("2026-11-24:s:A:BUY", "A", "BUY", "1", ""), &o), 0);
	p.order_type = "STP";
	ck_assert_int_eq(bk_ord_resolve(&o.v[0], &p, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "2026-11-24:s:A:BUY: order_type: 'STP' is not MKT, LMT, MOC or LOC");
	p.order_type = "MOC"; /* tif OPG by default: the close cannot be on the open */
	ck_assert_int_eq(bk_ord_resolve(&o.v[0], &p, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "2026-11-24:s:A:BUY: MOC orders execute at the close: tif must be DAY, not OPG");
	p.order_type = "LMT";
	ck_assert_int_eq(bk_ord_resolve(&o.v[0], &p, err, sizeof err), EX_USAGE);
	ck_assert_str_eq(err, "2026-11-24:s:A:BUY: a LMT order needs a limit price: give --limit-offset-bps");
	p.limit_offset_bps = 10;
	ck_assert_int_eq(bk_ord_resolve(&o.v[0], &p, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, "2026-11-24:s:A:BUY: a LMT order needs ref_price to set its limit");
	p.order_type = NULL;
	p.tif = "FOK";
	ck_assert_int_eq(bk_ord_resolve(&o.v[0], &p, err, sizeof err), EX_DATAERR);
	bk_orders_free(&o);
}
END_TEST

/* ================================ Limits ================================ */

START_TEST(test_limits_many_series)
{
	enum { K = 300, N = 40 };
	bk_series *s = calloc(K, sizeof *s), **all = calloc(K, sizeof *all);
	tws_bar b[N];
	char (*ids)[16] = calloc(K, sizeof *ids), *buf = NULL, *line, *save;
	size_t len = 0;
	long rows = 0;
	FILE *fp;
	char prev[64] = "";

	for (int k = 0; k < K; k++) {
		int n = 0;
		snprintf(ids[k], sizeof ids[k], "%05d", (k * 7919) % K); /* ids not in input order */
		for (int d = 0; d < N; d++) {
			if ((d + k) % 3 == 0)
				continue; /* gaps: series start, end and pause at different days */
			int y, m, dd;
			date_to_ymd(date_from_ymd(2020, 1, 1) + d, &y, &m, &dd);
			snprintf(b[n].date, sizeof b[n].date, "%04d%02d%02d", y, m, dd);
			b[n].open = b[n].high = b[n].low = b[n].close = 1 + d;
			b[n].volume = 1;
			n++;
		}
		s[k].id = ids[k];
		s[k].symbol = "S";
		ck_assert_int_eq(bk_bars_set(&s[k], b, n, err, sizeof err), 0);
		all[k] = &s[k];
	}
	fp = open_memstream(&buf, &len);
	ck_assert_int_eq(bk_bars_write(fp, all, K), 0);
	fclose(fp);
	/* every row in (date, id) order, each exactly once */
	line = strtok_r(buf, "\n", &save);
	for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save), rows++) {
		char key[64];
		snprintf(key, sizeof key, "%.16s", line); /* "YYYY-MM-DD,NNNNN" */
		ck_assert_msg(strcmp(prev, key) < 0, "%s after %s", key, prev);
		snprintf(prev, sizeof prev, "%s", key);
	}
	ck_assert_int_eq(rows, bk_bars_rows(all, K));
	free(buf);
	for (int k = 0; k < K; k++)
		bk_series_free(&s[k]);
	free(s);
	free(all);
	free(ids);
}
END_TEST

/* The bar writer prints prices without printf where it can: it must print exactly what num_fmt prints. */
START_TEST(test_limits_number_text)
{
	enum { N = 20000 };
	tws_bar *b = calloc(N, sizeof *b);
	bk_series s = { "1", "A", NULL, 0 };
	bk_series *all[] = { &s };
	char *buf = NULL, *line, *save, want[NUM_FMT_MAX * 7];
	size_t len = 0;
	unsigned x = 12345;
	FILE *fp;
	int i = 0;

	for (i = 0; i < N; i++) {
		static const double p10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7 };
		x = x * 1103515245u + 12345u;
		b[i].open = (double)(x % 100000000u) / p10[x % 8];     /* 0 to 7 decimals */
		b[i].high = (double)(x % 1000u) / 3.0;                   /* no short decimal */
		b[i].low = (double)(x % 7u) / 100;                       /* 0, 0.01 .. 0.06 */
		b[i].close = 1e9 + (double)(x % 1000u) / 4;              /* beyond the fast path */
		b[i].volume = (double)(x % 5u == 0 ? 0 : x);
	}
	for (i = 0; i < N; i++) {
		int y, m, d;
		date_to_ymd(date_from_ymd(1950, 1, 1) + i, &y, &m, &d);
		snprintf(b[i].date, sizeof b[i].date, "%04d%02d%02d", y, m, d);
	}
	ck_assert_msg(bk_bars_set(&s, b, N, err, sizeof err) == 0, "%s", err);
	fp = open_memstream(&buf, &len);
	ck_assert_int_eq(bk_bars_write(fp, all, 1), 0);
	fclose(fp);
	line = strtok_r(buf, "\n", &save);
	for (i = 0, line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		char o[NUM_FMT_MAX], h[NUM_FMT_MAX], l[NUM_FMT_MAX], c[NUM_FMT_MAX], v[NUM_FMT_MAX], r[NUM_FMT_MAX];
		num_fmt(b[i].open, o);
		num_fmt(b[i].high, h);
		num_fmt(b[i].low, l);
		num_fmt(b[i].close, c);
		num_fmt(b[i].volume, v);
		if (i > 0)
			num_fmt(b[i].close / b[i - 1].close - 1, r);
		snprintf(want, sizeof want, ",1,A,%s,%s,%s,%s,%s,%s", o, h, l, c, v, i > 0 ? r : "");
		ck_assert_str_eq(line + 10, want);
	}
	ck_assert_int_eq(i, N);
	free(buf);
	free(b);
	bk_series_free(&s);
}
END_TEST

START_TEST(test_limits_long_fields)
{
	bk_syms s;
	bk_orders o;
	char text[200];

	ck_assert_int_eq(read_syms("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDE\n", &s), 0); /* 31 characters */
	bk_syms_free(&s);
	ck_assert_int_eq(read_syms("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF\n", &s), EX_DATAERR);
	ck_assert_str_eq(err, "in:1: symbol: 'ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF' longer than 31 characters");
	bk_syms_free(&s);
	snprintf(text, sizeof text, "%s", ORDER("2026-11-24:s:A:BUY", "A", "BUY", "1e10", ""));
	ck_assert_int_eq(read_orders(text, &o), EX_DATAERR);
	bk_orders_free(&o);
}
END_TEST

static Suite *
ib_suite(void)
{
	Suite *s = suite_create("ib");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");

	tcase_add_test(core, test_symbols_list);
	tcase_add_test(core, test_symbols_csv);
	tcase_add_test(core, test_bars_merge);
	tcase_add_test(core, test_orders_read);
	tcase_add_test(core, test_orders_resolve_and_convert);
	tcase_add_test(core, test_orders_by_con_id);
	tcase_add_test(core, test_orders_limits);
	tcase_add_test(core, test_client_id_shape);
	tcase_add_test(core, test_snap_joins_and_records);
	tcase_add_test(core, test_ib_time);
	tcase_add_test(core, test_accounts);
	tcase_add_test(errors, test_errors_symbols);
	tcase_add_test(errors, test_errors_bars);
	tcase_add_test(errors, test_errors_orders);
	tcase_add_test(limits, test_limits_many_series);
	tcase_add_test(limits, test_limits_number_text);
	tcase_add_test(limits, test_limits_long_fields);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(ib_suite());
	int nfailed;

	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? 0 : 1;
}
