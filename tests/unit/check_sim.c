/* Unit tests of lib/sim (prices, broker, server) and of lib/tws/client against the real server in a thread. */
#include <check.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "date.h"
#include "log.h"
#include "sim/broker.h"
#include "sim/prices.h"
#include "sim/server.h"
#include "tws/client.h"

static const char *PRICES =
	"date,id,symbol,open,high,low,close,volume,ret\n"
	"2026-11-19,1,ABC,10,11,9,10,100,\n"
	"2026-11-19,2,XYZ,50,51,49,50,100,\n"
	"2026-11-20,1,ABC,10,10.5,9.5,10,100,0\n"
	"2026-11-20,2,XYZ,50,52,48,51,100,0.02\n"
	"2026-11-23,2,ABC,25,26,24,25.5,100,0\n" /* ticker reused: id 2 is ABC from here on */
	"2026-11-23,3,OLD,5,5,5,5,100,\n"
	"2026-11-24,2,ABC,26,27,25,26,100,0.0196078431372549\n"
	"2026-11-24,4,NEW,,,,7,100,\n";

static char dir[64];

static sim_prices *prices; /* the prices of PRICES, loaded for each test by setup() */

/* The checked fixture of every test: PRICES in a fresh directory, loaded; then freed and removed. */
static void
setup(void)
{
	char path[128], err[256];
	FILE *f;

	snprintf(dir, sizeof dir, "/tmp/check_sim.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/prices.csv", dir);
	f = fopen(path, "w");
	fputs(PRICES, f);
	fclose(f);
	ck_assert_msg(sim_prices_load(&prices, path, err, sizeof err) == 0, "%s", err);
}

static void
teardown(void)
{
	char cmd[128];

	sim_prices_free(prices);
	prices = NULL;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int
day(const char *iso)
{
	int d;

	ck_assert_int_eq(date_parse(iso, 10, &d), 0);
	return d;
}

static sim_broker *
broker_in(sim_prices *px, const char *start, double slip, const char *name)
{
	struct sim_broker_opts o = { .px = px, .capital = 100000, .slippage_bps = slip, .account = "DU7" };
	char state[128], err[256];
	sim_broker *b;

	snprintf(state, sizeof state, "%s/%s", dir, name);
	sim_fees_default(&o.fees);
	o.state_dir = state;
	o.start_day = day(start);
	ck_assert_msg(sim_broker_open(&b, &o, err, sizeof err) == 0, "%s", err);
	return b;
}

static sim_broker *
broker(sim_prices *px, const char *start, double slip)
{
	return broker_in(px, start, slip, "state");
}

static void
order(tws_contract *c, tws_order *o, long long id, const char *sym, const char *action, double qty,
    const char *type, const char *tif, double lmt)
{
	tws_contract_stock(c, sym);
	tws_order_init(o);
	o->order_id = id;
	strcpy(o->action, action);
	o->qty = qty;
	strcpy(o->order_type, type);
	strcpy(o->tif, tif);
	o->lmt_price = lmt;
	snprintf(o->order_ref, sizeof o->order_ref, "ref-%lld", id);
}

static const sim_order *
find(sim_broker *b, long long id)
{
	for (int i = 0; i < sim_broker_norders(b); i++)
		if (sim_broker_order(b, i)->order_id == id)
			return sim_broker_order(b, i);
	return NULL;
}

/* ================================ Core ================================ */

START_TEST(test_commission)
{
	ck_assert(sim_commission(100, 50) == 1.00);   /* 0.50 -> the 1.00 minimum */
	ck_assert(sim_commission(1000, 50) == 5.00);  /* 0.005 a share */
	ck_assert(sim_commission(1, 50) == 0.50);     /* the 1% cap beats the minimum */
	ck_assert(sim_commission(10000, 0.4) == 40);  /* 50 capped at 1% of 4000 */
}
END_TEST

/* Hand-computed from IBKR Pro's published US-stock schedules and the SEC/FINRA rates named in
 * sim/commission.h (fixed: 0.005/share, min 1.00, max 1%; tiered: 0.0035/0.002/... a share by the month's
 * volume, min 0.35, plus clearing 0.0002/share and the NYSE 0.000175 and FINRA 0.00056 pass-throughs;
 * sales: SEC 27.80 per million and TAF 0.000166/share capped at 8.30, each rounded up to the cent). */
START_TEST(test_commission_plans_and_fees)
{
	struct sim_fees f;

	sim_fees_default(&f);
	/* Fixed, a buy of 100 at 50: 0.50 -> the 1.00 minimum; buys pay no regulatory fee. */
	ck_assert(sim_fee_total(&f, 0, 100, 50, 0) == 1.00);
	/* Fixed, a sale of 1,000 at 50 (50,000): 5.00 + SEC 1.39 + TAF 0.166 -> 0.17 = 6.56. */
	ck_assert(fabs(sim_fee_total(&f, 1, 1000, 50, 0) - 6.56) < 1e-9);
	/* Fixed, a sale of 100,000 at 10 (1,000,000): 500.00 + SEC 27.80 + TAF 16.60 capped at 8.30 = 536.10. */
	ck_assert(fabs(sim_fee_total(&f, 1, 100000, 10, 0) - 536.10) < 1e-9);
	/* TAF's minimum is a cent: a sale of 1 share at 5 pays 0.05 (1% cap) + SEC 0.01 + TAF 0.01. */
	ck_assert(fabs(sim_fee_total(&f, 1, 1, 5, 0) - 0.07) < 1e-9);
	f.pricing = SIM_PRICING_TIERED;
	/* Tiered, a buy of 100 at 20, first shares of the month: 0.35 (the minimum) + clearing 0.02 + NYSE
	 * 0.35 * 0.000175 + FINRA 0.35 * 0.00056 = 0.37025725 -> 0.370257. */
	ck_assert(fabs(sim_fee_total(&f, 0, 100, 20, 0) - 0.370257) < 1e-12);
	/* Tiered, a buy of 1,000 at 50 after 500,000 shares this month: 0.002 a share = 2.00 + clearing 0.20 +
	 * 0.00035 + 0.00112 = 2.20147. */
	ck_assert(fabs(sim_fee_total(&f, 0, 1000, 50, 500000) - 2.20147) < 1e-12);
	/* Tiered, a sale of 1,000 at 50 in the first band: 3.50 + 0.20 + 0.0006125 + 0.00196 + SEC 1.39 + TAF
	 * 0.17 = 5.2625725 -> 5.262573 (rounded to the millionth). */
	ck_assert(fabs(sim_fee_total(&f, 1, 1000, 50, 0) - 5.262573) < 1e-9);
	/* An exchange fee is per share, added as is: 0.0030 on 1,000 shares adds 3.00. */
	f.exchange_fee = 0.003;
	ck_assert(fabs(sim_fee_total(&f, 0, 1000, 50, 500000) - 5.20147) < 1e-12);
}
END_TEST

START_TEST(test_ny_time)
{
	/* 09:30 New York is 14:30 UTC in November (EST) and 13:30 UTC in July (EDT). */
	ck_assert_int_eq(sim_ny_epoch(day("2026-11-24"), 9, 30), (long long)day("2026-11-24") * 86400 + 14 * 3600 + 1800);
	ck_assert_int_eq(sim_ny_epoch(day("2026-07-01"), 9, 30), (long long)day("2026-07-01") * 86400 + 13 * 3600 + 1800);
	/* The switch: second Sunday of March 2026 is March 8. */
	ck_assert_int_eq(sim_ny_epoch(day("2026-03-06"), 12, 0) - (long long)day("2026-03-06") * 86400, 17 * 3600);
	ck_assert_int_eq(sim_ny_epoch(day("2026-03-09"), 12, 0) - (long long)day("2026-03-09") * 86400, 16 * 3600);
}
END_TEST

START_TEST(test_prices_lookup_and_adjust)
{
	sim_prices *p = prices;
	sim_sec *abc = sim_prices_symbol(p, "abc"), *xyz = sim_prices_symbol(p, "XYZ");
	sim_bar adj[4];

	/* ABC names id 2, its latest owner; id 2's bars include those from when it was XYZ. */
	ck_assert_ptr_nonnull(abc);
	ck_assert_str_eq(abc->id, "2");
	ck_assert_ptr_eq(xyz, abc);
	ck_assert_int_eq(abc->con_id, 2);
	ck_assert_int_eq(abc->nbars, 4);
	ck_assert_ptr_nonnull(sim_prices_conid(p, 1));
	ck_assert_str_eq(sim_prices_conid(p, 1)->id, "1");
	ck_assert_ptr_null(sim_prices_symbol(p, "ZZZ"));
	ck_assert_int_eq(sim_sec_le(abc, day("2026-11-21")), 1);
	ck_assert_ptr_null(sim_sec_on(abc, day("2026-11-21")));
	/* NEW's bar has only a close. */
	ck_assert(isnan(sim_prices_symbol(p, "NEW")->bars[0].open));
	/* Adjusted: the 2026-11-23 ret of 0 against 51 -> 25.5 is a 2:1 split; 11-24 keeps its prices. */
	sim_sec_adjusted(abc, 0, 3, adj);
	ck_assert(fabs(adj[3].close - 26) < 1e-12);
	ck_assert(fabs(adj[2].close - 25.5) < 1e-9);
	ck_assert(fabs(adj[1].close - 25.5) < 1e-9);
	ck_assert(fabs(adj[1].high - 26) < 1e-9);
	ck_assert(fabs(adj[0].close - 25.5 / 1.02) < 1e-9);
	ck_assert_int_eq(sim_prices_nrows(p), 8);
	ck_assert_int_eq(sim_prices_first(p), day("2026-11-19"));
	ck_assert_int_eq(sim_prices_last(p), day("2026-11-24"));
}
END_TEST

START_TEST(test_broker_fills_and_accounting)
{
	sim_prices *p = prices;
	sim_broker *b = broker(p, "2026-11-20", 10);
	tws_contract c;
	tws_order o;
	const sim_order *x;
	char err[128];

	order(&c, &o, 1, "ABC", "BUY", 100, "MKT", "OPG", TWS_UNSET_DOUBLE);
	ck_assert_int_eq(sim_broker_place(b, 7, &c, &o, NULL, 0), 0);
	order(&c, &o, 2, "ABC", "SELL", 40, "MOC", "DAY", TWS_UNSET_DOUBLE);
	ck_assert_int_eq(sim_broker_place(b, 7, &c, &o, NULL, 0), 0);
	order(&c, &o, 3, "ABC", "BUY", 10, "LOC", "DAY", 1);
	ck_assert_int_eq(sim_broker_place(b, 7, &c, &o, NULL, 0), 0);
	order(&c, &o, 4, "ABC", "BUY", 10, "LMT", "DAY", 24.5);
	ck_assert_int_eq(sim_broker_place(b, 7, &c, &o, NULL, 0), 0);
	order(&c, &o, 5, "ABC", "BUY", 10, "MKT", "OPG", TWS_UNSET_DOUBLE);
	o.transmit = 0;
	ck_assert_int_eq(sim_broker_place(b, 7, &c, &o, NULL, 0), 0);
	ck_assert_str_eq(find(b, 1)->status, "PreSubmitted");
	ck_assert_str_eq(find(b, 5)->status, "Inactive");

	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_OPEN, 1, err, sizeof err), 0);
	ck_assert_int_eq(sim_broker_day(b), day("2026-11-23"));
	/* Bought 100 at the open 25 + 10 bps = 25.025, commission 1.00. */
	x = find(b, 1);
	ck_assert_str_eq(x->status, "Filled");
	ck_assert(x->avg_price == 25.025);
	ck_assert_str_eq(find(b, 2)->status, "Submitted");
	ck_assert_str_eq(find(b, 4)->status, "Submitted"); /* 24.5 not marketable at 25 */
	ck_assert(fabs(sim_broker_cash(b) - (100000 - 2502.5 - 1)) < 1e-9);

	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_CLOSE, 1, err, sizeof err), 0);
	/* MOC sold 40 at the close 25.5 - 10 bps = 25.4745; LOC at 1 cancelled; LMT 24.5 reached (low 24). */
	ck_assert(find(b, 2)->avg_price == 25.4745);
	ck_assert_str_eq(find(b, 3)->status, "Cancelled");
	ck_assert_str_eq(find(b, 4)->status, "Filled");
	ck_assert(find(b, 4)->avg_price == 24.5);
	ck_assert_str_eq(find(b, 5)->status, "Inactive");
	ck_assert_int_eq(sim_broker_nfills(b), 3);
	ck_assert_int_eq(sim_broker_npos(b), 1);
	ck_assert(sim_broker_pos(b, 0)->qty == 70);
	{
		/* The MOC's commission: 40 shares -> the 1.00 minimum (below 1% of 1018.98), plus on the sale the SEC
		 * fee (1018.98 * 27.80e-6 = 0.0283 -> 0.03) and FINRA's TAF (40 * 0.000166 = 0.0066 -> 0.01). */
		double cash = 100000 - 2502.5 - 1 + 40 * 25.4745 - 1.04 - 245 - 1;
		ck_assert(fabs(sim_broker_cash(b) - cash) < 1e-6);
		ck_assert(fabs(sim_broker_nlv(b) - (cash + 70 * 25.5)) < 1e-6);
	}
	/* Average cost includes commissions: (2502.5 + 1) for 100, 40 sold (cost unchanged), 10 at 24.5 + 1. */
	ck_assert(fabs(sim_broker_pos(b, 0)->avg_cost - ((2503.5 / 100) * 60 + 246) / 70) < 1e-9);
	/* Realised P&L of the sale: (25.4745 - 25.035) * 40 - 1.04. */
	ck_assert(fabs(sim_broker_fill(b, 1)->realized_pnl - ((25.4745 - 25.035) * 40 - 1.04)) < 1e-9);
	ck_assert_int_eq(sim_broker_close(b, NULL, 0), 0);
}
END_TEST

START_TEST(test_broker_state_survives)
{
	sim_prices *p = prices;
	sim_broker *b = broker(p, "2026-11-20", 0);
	tws_contract c;
	tws_order o;
	char err[128], path[256];
	FILE *f;

	order(&c, &o, 1, "ABC", "BUY", 100, "MKT", "OPG", TWS_UNSET_DOUBLE);
	sim_broker_place(b, 7, &c, &o, NULL, 0);
	order(&c, &o, 2, "ABC", "BUY", 5, "MOC", "DAY", TWS_UNSET_DOUBLE);
	sim_broker_place(b, 8, &c, &o, NULL, 0);
	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_OPEN, 1, err, sizeof err), 0);
	/* Copy the directory as it is now (journal only, no snapshot: as after kill -9), then reopen the copy. */
	snprintf(path, sizeof path, "cp -r %s/state %s/killed", dir, dir);
	ck_assert_int_eq(system(path), 0);
	snprintf(path, sizeof path, "%s/killed/snapshot.json", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	sim_broker_close(b, NULL, 0);
	b = broker_in(p, "2026-11-19", 0, "killed");
	ck_assert_int_eq(sim_broker_day(b), day("2026-11-23"));
	ck_assert_int_eq(sim_broker_phase(b), SIM_OPEN);
	ck_assert_int_eq(sim_broker_norders(b), 2);
	ck_assert_int_eq(sim_broker_nfills(b), 1);
	ck_assert_str_eq(find(b, 2)->status, "Submitted");
	ck_assert_str_eq(find(b, 1)->order_ref, "ref-1");
	ck_assert_int_eq(sim_broker_next_id(b), 3);
	ck_assert(sim_broker_cash(b) == 100000 - 2500 - 1);
	ck_assert_int_eq(sim_broker_close(b, NULL, 0), 0);
	/* A torn last line (a write cut short) is ignored; the snapshot holds the rest. */
	snprintf(path, sizeof path, "%s/killed/journal.ndjson", dir);
	f = fopen(path, "a");
	fputs("{\"t\":\"order\",\"client_", f);
	fclose(f);
	b = broker_in(p, "2026-11-19", 0, "killed");
	ck_assert_int_eq(sim_broker_norders(b), 2);
	/* ... and folded away at once, so that later records do not follow it. */
	order(&c, &o, 3, "ABC", "BUY", 1, "MOC", "DAY", TWS_UNSET_DOUBLE);
	sim_broker_place(b, 7, &c, &o, NULL, 0);
	sim_broker_close(b, NULL, 0);
	b = broker_in(p, "2026-11-19", 0, "killed");
	ck_assert_int_eq(sim_broker_norders(b), 3);
	sim_broker_close(b, NULL, 0);
}
END_TEST

/* ================================ Errors ================================ */

static int notes, last_code;
static char last_msg[256];

static void
count_note(void *ctx, const sim_note_info *n)
{
	(void)ctx;
	notes++;
	if (n->kind == SIM_NOTE_ERROR) {
		last_code = n->code;
		snprintf(last_msg, sizeof last_msg, "%s", n->msg);
	}
}

/* Place (client 1) and return the error code it drew (0: accepted). */
static int
place_code(sim_broker *b, long long id, const char *sym, const char *type, const char *tif, double lmt)
{
	tws_contract c;
	tws_order o;

	order(&c, &o, id, sym, "BUY", 1, type, tif, lmt);
	last_code = 0;
	last_msg[0] = '\0';
	ck_assert_int_eq(sim_broker_place(b, 1, &c, &o, NULL, 0), 0);
	return last_code;
}

/* Auction cutoffs on the simulated New York clock (sim/broker.h names the sources): MOC/LOC until 15:50 on
 * NYSE and 15:55 on Nasdaq; MOO/LOO (tif OPG) from the close until 09:28, else IB's 201 "Exchange is
 * closed.". ABC (conId 2) lists on NYSE, OLD (conId 3) on NASDAQ (sim_sec_primary). */
START_TEST(test_auction_cutoffs)
{
	sim_broker *b = broker(prices, "2026-11-20", 0);
	char err[128], t[40];

	sim_broker_set_notify(b, count_note, NULL);
	ck_assert_str_eq(sim_sec_primary(sim_prices_symbol(prices, "OLD")), "NASDAQ");
	ck_assert_int_eq(place_code(b, 1, "ABC", "MKT", "OPG", TWS_UNSET_DOUBLE), 0); /* 16:00: after the close */
	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_TIME, 9 * 60 + 27, err, sizeof err), 0);
	ck_assert_str_eq(sim_broker_time(b, "", t, sizeof t), "20261123 09:27:00");
	ck_assert_int_eq(sim_broker_phase(b), SIM_PRE_OPEN);
	ck_assert_int_eq(place_code(b, 2, "ABC", "LMT", "OPG", 30), 0);
	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_TIME, 9 * 60 + 28, err, sizeof err), 0);
	ck_assert_int_eq(place_code(b, 3, "ABC", "MKT", "OPG", TWS_UNSET_DOUBLE), 201);
	ck_assert_str_eq(last_msg, "Order rejected - reason:Exchange is closed.");
	/* The session: OPG refused, on-close orders taken until their exchange's cutoff. */
	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_TIME, 15 * 60 + 49, err, sizeof err), 0);
	ck_assert_int_eq(sim_broker_phase(b), SIM_OPEN);
	ck_assert_str_eq(find(b, 1)->status, "Filled"); /* the open ran on the way */
	ck_assert_int_eq(place_code(b, 4, "ABC", "MKT", "OPG", TWS_UNSET_DOUBLE), 201);
	ck_assert_int_eq(place_code(b, 5, "ABC", "MOC", "DAY", TWS_UNSET_DOUBLE), 0);
	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_TIME, 15 * 60 + 50, err, sizeof err), 0);
	ck_assert_int_eq(place_code(b, 6, "ABC", "MOC", "DAY", TWS_UNSET_DOUBLE), 201);
	ck_assert_int_eq(place_code(b, 7, "ABC", "LOC", "DAY", 30), 201);
	ck_assert_msg(strstr(last_msg, "after 15:50:00") != NULL, "%s", last_msg);
	ck_assert_int_eq(place_code(b, 8, "OLD", "MOC", "DAY", TWS_UNSET_DOUBLE), 0); /* Nasdaq: until 15:55 */
	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_TIME, 15 * 60 + 55, err, sizeof err), 0);
	ck_assert_int_eq(place_code(b, 9, "OLD", "LOC", "DAY", 5), 201);
	ck_assert_int_eq(place_code(b, 10, "ABC", "MKT", "DAY", TWS_UNSET_DOUBLE), 0); /* a plain order trades on */
	/* The clock only moves forward within a day, and never to the close or past it. */
	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_TIME, 16 * 60, err, sizeof err), EX_USAGE);
	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_CLOSE, 1, err, sizeof err), 0);
	ck_assert_str_eq(find(b, 5)->status, "Filled");
	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_TIME, 10 * 60, err, sizeof err), 0);
	ck_assert_str_eq(sim_broker_time(b, "", t, sizeof t), "20261124 10:00:00");
	sim_broker_close(b, NULL, 0);
}
END_TEST

START_TEST(test_broker_rejects)
{
	sim_prices *p = prices;
	sim_broker *b = broker(p, "2026-11-23", 0);
	tws_contract c;
	tws_order o;
	char err[128];

	sim_broker_set_notify(b, count_note, NULL);
	order(&c, &o, 1, "NOPE", "BUY", 1, "MKT", "DAY", TWS_UNSET_DOUBLE);
	sim_broker_place(b, 1, &c, &o, NULL, 0);
	ck_assert_int_eq(last_code, 201);
	ck_assert_int_eq(sim_broker_norders(b), 0);
	order(&c, &o, 2, "ABC", "BUY", 1.5, "MKT", "DAY", TWS_UNSET_DOUBLE);
	last_code = 0;
	sim_broker_place(b, 1, &c, &o, NULL, 0);
	ck_assert_int_eq(last_code, 201);
	order(&c, &o, 3, "ABC", "BUY", 1, "MOC", "OPG", TWS_UNSET_DOUBLE);
	last_code = 0;
	sim_broker_place(b, 1, &c, &o, NULL, 0);
	ck_assert_int_eq(last_code, 201);
	/* OLD has no bar on the next day: its market order is rejected at the open. */
	order(&c, &o, 4, "OLD", "BUY", 1, "MKT", "OPG", TWS_UNSET_DOUBLE);
	last_code = 0;
	sim_broker_place(b, 1, &c, &o, NULL, 0);
	ck_assert_int_eq(last_code, 0);
	ck_assert_int_eq(sim_broker_advance(b, SIM_TO_OPEN, 1, err, sizeof err), 0);
	ck_assert_int_eq(last_code, 201);
	ck_assert_str_eq(find(b, 4)->status, "Cancelled");
	/* Filled or cancelled ids cannot be used again; unknown ids cannot be cancelled. */
	last_code = 0;
	sim_broker_place(b, 1, &c, &o, NULL, 0);
	ck_assert_int_eq(last_code, 103);
	sim_broker_cancel(b, 1, 99, NULL, 0);
	ck_assert_int_eq(last_code, 10147);
	sim_broker_cancel(b, 1, 4, NULL, 0);
	ck_assert_int_eq(last_code, 161);
	ck_assert_int_eq(sim_broker_advance(b, SIM_DAYS, 0, err, sizeof err), EX_USAGE);
	sim_broker_close(b, NULL, 0);
}
END_TEST

START_TEST(test_errors_files)
{
	char path[128], err[256];
	struct sim_broker_opts o = { .capital = 1, .account = "DU7" };
	sim_prices *p = prices, *bad = NULL;
	sim_broker *b = NULL;
	FILE *f;

	snprintf(path, sizeof path, "%s/bad.csv", dir);
	f = fopen(path, "w");
	fputs("date,id,symbol,close\n2026-11-20,1,A,1\n2026-11-19,1,A,2\n", f);
	fclose(f);
	ck_assert_int_eq(sim_prices_load(&bad, path, err, sizeof err), EX_DATAERR);
	ck_assert_ptr_null(bad);
	/* a panel (sti-formats(5)): sorted by date, then id, one row per (date, id); lib/panel reads it */
	ck_assert_msg(strstr(err, "bad.csv:3: date: 2026-11-19 is before 2026-11-20: the input must be sorted by date") !=
	    NULL, "%s", err);
	f = fopen(path, "w");
	fputs("date,id,symbol,close\n2026-11-20,1,A,1\n2026-11-20,1,A,2\n", f);
	fclose(f);
	ck_assert_int_eq(sim_prices_load(&bad, path, err, sizeof err), EX_DATAERR);
	ck_assert_ptr_null(bad);
	ck_assert_msg(strstr(err, "bad.csv:3: id: duplicate row for id '1' on 2026-11-20") != NULL, "%s", err);
	f = fopen(path, "w");
	fputs("date,id,close\n", f);
	fclose(f);
	ck_assert_int_eq(sim_prices_load(&bad, path, err, sizeof err), EX_DATAERR);
	ck_assert_ptr_null(bad);
	ck_assert(strstr(err, "missing column 'symbol'") != NULL);
	/* A corrupt journal line that is not the last is refused. */
	snprintf(path, sizeof path, "%s/st", dir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof path, "%s/st/journal.ndjson", dir);
	f = fopen(path, "w");
	fputs("{\"t\":\"bogus\"}\n{\"t\":\"account\"}\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/st", dir);
	o.px = p;
	o.state_dir = path;
	o.start_day = day("2026-11-20");
	ck_assert_int_eq(sim_broker_open(&b, &o, err, sizeof err), EX_DATAERR);
	ck_assert_ptr_null(b);
	ck_assert(strstr(err, "journal.ndjson:1: malformed record") != NULL);
	/* A new account must start on a trading day. */
	o.state_dir = NULL;
	o.start_day = day("2026-11-22");
	ck_assert_int_eq(sim_broker_open(&b, &o, err, sizeof err), EX_USAGE);
	ck_assert_ptr_null(b);
	ck_assert_str_eq(err, "start day 2026-11-22 is not a trading day");
	/* lib/err.h: a missing file is EX_NOINPUT, told by the code and not by the message. */
	snprintf(path, sizeof path, "%s/missing.csv", dir);
	ck_assert_int_eq(sim_prices_load(&bad, path, err, sizeof err), EX_NOINPUT);
}
END_TEST

/* ================================ the client against the server ================================ */

struct srv {
	sim_broker *b;
	sim_prices *px;
	int port;
	int drop_after;
};

static void *
run_server(void *arg)
{
	struct srv *s = arg;
	struct sim_server_opts o = { .bind = "127.0.0.1", .port = s->port, .server_version = 178, .drop_after = s->drop_after, .drop_count = 1 };
	char err[128];

	ck_assert_int_eq(sim_server_run(s->b, s->px, &o, err, sizeof err), 0);
	return NULL;
}

static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof a);
	getsockname(fd, (struct sockaddr *)&a, &len);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static tws_client *
client(int port, int id)
{
	tws_client_opts o;
	tws_client *c;

	tws_client_opts_init(&o);
	o.host = "127.0.0.1";
	o.port = port;
	o.client_id = id;
	o.connect_timeout_ms = 3000;
	o.request_timeout_ms = 3000;
	o.reconnect_backoff_ms = 20;
	c = tws_client_new(&o);
	for (int i = 0; i < 100 && tws_connect(c) < 0 && tws_errcode(c) == 502; i++)
		usleep(20000); /* the server thread may not listen yet */
	return c;
}

static int
next_of(tws_client *c, tws_event *ev, enum tws_ev_type t)
{
	while (tws_poll(c, ev, 3000) == 1)
		if (ev->type == t)
			return 1;
	return 0;
}

START_TEST(test_client_server)
{
	struct srv s;
	pthread_t th;
	tws_client *c, *dup;
	tws_event ev;
	tws_hist_req r;
	tws_contract ct;
	tws_order od;
	long long oid;
	char reply[256];

	s.px = prices;
	s.b = broker(s.px, "2026-11-23", 0);
	s.port = free_port();
	s.drop_after = 0;
	ck_assert_int_eq(pthread_create(&th, NULL, run_server, &s), 0);
	c = client(s.port, 7);
	ck_assert_msg(tws_is_connected(c), "%s", tws_errmsg(c));
	ck_assert_str_eq(tws_accounts(c), "DU7");
	ck_assert_int_eq(tws_server_version(c), 178);
	/* A second client with the same id: 326, said clearly. */
	dup = client(s.port, 7);
	ck_assert_int_eq(tws_errcode(dup), 326);
	tws_client_free(dup);

	memset(&r, 0, sizeof r);
	tws_contract_stock(&r.contract, "ABC");
	strcpy(r.bar_size, "1 day");
	strcpy(r.duration, "1 W");
	strcpy(r.what, "TRADES");
	ck_assert_int_ge(tws_req_historical(c, &r), 0);
	ck_assert(next_of(c, &ev, TWS_EV_BARS));
	ck_assert_int_eq(ev.u.bars.nbars, 3);
	ck_assert_str_eq(ev.u.bars.bars[2].date, "20261123");
	ck_assert(ev.u.bars.bars[2].close == 25.5);

	tws_contract_stock(&ct, "ABC");
	tws_order_init(&od);
	strcpy(od.action, "BUY");
	od.qty = 10;
	strcpy(od.order_type, "MKT");
	strcpy(od.tif, "OPG");
	strcpy(od.order_ref, "2026-11-23:test:ABC:BUY");
	oid = tws_place_order(c, &ct, &od);
	ck_assert(next_of(c, &ev, TWS_EV_OPEN_ORDER));
	ck_assert_int_eq(ev.u.open_order.order.order_id, oid);
	ck_assert_str_eq(ev.u.open_order.order.order_ref, "2026-11-23:test:ABC:BUY");
	ck_assert_str_eq(ev.u.open_order.status, "PreSubmitted");
	ck_assert(next_of(c, &ev, TWS_EV_ORDER_STATUS));
	ck_assert_str_eq(ev.u.status.status, "PreSubmitted");
	/* The open, driven through the control protocol: the fill reaches the client as it happens. */
	ck_assert_int_eq(sim_ctl("127.0.0.1", s.port, "advance open", reply, sizeof reply, 3000), 0);
	ck_assert(strncmp(reply, "2026-11-24 open", 15) == 0);
	ck_assert(next_of(c, &ev, TWS_EV_EXEC));
	ck_assert_int_eq(ev.req_id, -1);
	ck_assert(ev.u.exec.price == 26);
	ck_assert_str_eq(ev.u.exec.order_ref, "2026-11-23:test:ABC:BUY");
	ck_assert(next_of(c, &ev, TWS_EV_COMMISSION));
	ck_assert(ev.u.commission.commission == 1);
	ck_assert_int_ge(tws_req_account_summary(c, NULL, "NetLiquidation,TotalCashValue"), 0);
	ck_assert(next_of(c, &ev, TWS_EV_ACCOUNT_VALUE));
	ck_assert_str_eq(ev.u.account_value.tag, "NetLiquidation");
	ck_assert_str_eq(ev.u.account_value.value, "99999.00");
	ck_assert(next_of(c, &ev, TWS_EV_ACCOUNT_VALUE));
	ck_assert_str_eq(ev.u.account_value.value, "99739.00");
	ck_assert(next_of(c, &ev, TWS_EV_ACCOUNT_SUMMARY_END));
	ck_assert_int_eq(tws_req_positions(c), 0);
	ck_assert(next_of(c, &ev, TWS_EV_POSITION));
	ck_assert(ev.u.position.position == 10);
	ck_assert(next_of(c, &ev, TWS_EV_POSITION_END));
	ck_assert_int_ge(tws_req_executions(c, NULL), 0);
	ck_assert(next_of(c, &ev, TWS_EV_EXEC));
	ck_assert_int_ge(ev.req_id, 0);
	ck_assert(next_of(c, &ev, TWS_EV_EXEC_END));
	ck_assert_int_eq(tws_pending(c), 0);
	tws_client_free(c);
	ck_assert_int_eq(sim_ctl("127.0.0.1", s.port, "shutdown", reply, sizeof reply, 3000), 0);
	pthread_join(th, NULL);
	sim_broker_close(s.b, NULL, 0);
}
END_TEST

START_TEST(test_client_reconnects_after_drop)
{
	struct srv s;
	pthread_t th;
	tws_client *c;
	tws_event ev;
	tws_hist_req r;
	char reply[256];
	int got_reconnect = 0, got_bars = 0;

	s.px = prices;
	s.b = broker(s.px, "2026-11-23", 0);
	s.port = free_port();
	s.drop_after = 6; /* version, 15, 9, three notices: dropped right after the handshake */
	ck_assert_int_eq(pthread_create(&th, NULL, run_server, &s), 0);
	c = client(s.port, 9);
	ck_assert_msg(tws_is_connected(c), "%s", tws_errmsg(c));
	memset(&r, 0, sizeof r);
	tws_contract_stock(&r.contract, "XYZ");
	strcpy(r.bar_size, "1 day");
	strcpy(r.duration, "2 D");
	strcpy(r.what, "TRADES");
	ck_assert_int_ge(tws_req_historical(c, &r), 0);
	while (!got_bars && tws_poll(c, &ev, 3000) == 1) {
		got_reconnect |= ev.type == TWS_EV_RECONNECTED;
		got_bars |= ev.type == TWS_EV_BARS;
	}
	ck_assert(got_reconnect);
	ck_assert(got_bars);
	tws_client_free(c);
	ck_assert_int_eq(sim_ctl("127.0.0.1", s.port, "shutdown", reply, sizeof reply, 3000), 0);
	pthread_join(th, NULL);
	sim_broker_close(s.b, NULL, 0);
}
END_TEST

static Suite *
sim_suite(void)
{
	Suite *s = suite_create("sim");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *net = tcase_create("Client");

	tcase_add_test(core, test_commission);
	tcase_add_test(core, test_commission_plans_and_fees);
	tcase_add_test(core, test_ny_time);
	tcase_add_test(core, test_prices_lookup_and_adjust);
	tcase_add_test(core, test_broker_fills_and_accounting);
	tcase_add_test(core, test_broker_state_survives);
	tcase_add_test(errors, test_broker_rejects);
	tcase_add_test(errors, test_auction_cutoffs);
	tcase_add_test(errors, test_errors_files);
	tcase_set_timeout(net, 30);
	tcase_add_test(net, test_client_server);
	tcase_add_test(net, test_client_reconnects_after_drop);
	tcase_add_checked_fixture(core, setup, teardown);
	suite_add_tcase(s, core);
	tcase_add_checked_fixture(errors, setup, teardown);
	suite_add_tcase(s, errors);
	tcase_add_checked_fixture(net, setup, teardown);
	suite_add_tcase(s, net);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(sim_suite());
	int failed;

	log_init(-1); /* the server's connection log is noise here */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
