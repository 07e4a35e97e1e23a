/* Unit tests for lib/portfolio: sizing, matching, dust, funds and the risk rules, on hand-worked books. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "date.h"
#include "portfolio.h"

/* Every fallible pf_ call takes the message buffer last (lib/err.h): ERR passes this one, OK() asserts a 0
 * return (and shows the message when not). */
static char errbuf[1024];
#define ERR errbuf, sizeof errbuf
#define OK(call) ck_assert_msg((call) == 0, "%s: %s", #call, errbuf)

static int D24, D25; /* 2026-11-24 (prices, decision) and 2026-11-25 (trade) */

static void
setup(void)
{
	D24 = date_from_ymd(2026, 11, 24);
	D25 = date_from_ymd(2026, 11, 25);
}

static struct pf_params
params(double capital)
{
	struct pf_params p;

	pf_params_init(&p);
	p.capital = capital;
	p.funds = capital;
	p.stale_before = D24;
	return p;
}

static const struct pf_name *
find(const pf_book *b, const char *symbol)
{
	size_t i;

	for (i = 0; i < pf_count(b); i++)
		if (strcmp(pf_name(b, i)->symbol, symbol) == 0)
			return pf_name(b, i);
	return NULL;
}

static size_t nreports;
static char last_report[512];

static void
collect(void *ctx, const char *msg)
{
	nreports++;
	snprintf(last_report, sizeof last_report, "%s", msg);
}

static size_t
check(const pf_book *b, const struct pf_params *p)
{
	nreports = 0;
	last_report[0] = '\0';
	return pf_check(b, p, collect, NULL);
}

/* ---- Core ---- */

START_TEST(test_first_allocation)
{
	pf_book *b = pf_new();
	struct pf_params p = params(100000);

	ck_assert_int_eq(pf_add_target(b, "1", "AAA", 0.5, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "2", "CCC", 0.5, ERR), 0);
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "CCC", D24, 33.33, NAN, D25, 0);
	p.max_weight = 0.5;
	OK(pf_plan(b, &p, ERR));
	/* 98000 x 0.5 / 50 = 980; 49000 / 33.33 = 1470.1 -> 1470 */
	ck_assert_int_eq(find(b, "AAA")->qty, 980);
	ck_assert_int_eq(find(b, "CCC")->qty, 1470);
	ck_assert_str_eq(pf_order(b, 0)->symbol, "AAA"); /* 49000 before CCC's 48995.1 */
	ck_assert_uint_eq(check(b, &p), 0);
	pf_free(b);
}
END_TEST

START_TEST(test_order_sequence)
{
	pf_book *b = pf_new();
	struct pf_params p = params(100000);

	OK(pf_add_position(b, "9", "OLD", 100, ERR));
	OK(pf_add_position(b, "8", "OLD2", 10, ERR));
	OK(pf_add_target(b, "1", "AAA", 0.5, ERR));
	OK(pf_add_target(b, "2", "BBB", 0.5, ERR));
	pf_add_price(b, "9", "OLD", D24, 10, NAN, D25, 0);
	pf_add_price(b, "8", "OLD2", D24, 500, NAN, D25, 0);
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 7, NAN, D25, 0);
	p.funds = 100000 - 1000 - 5000;
	OK(pf_plan(b, &p, ERR));
	/* SELLs first, larger first (OLD2 5000, OLD 1000), then BUYs larger first (AAA 49000, BBB 48993) */
	ck_assert_str_eq(pf_order(b, 0)->symbol, "OLD2");
	ck_assert_str_eq(pf_order(b, 1)->symbol, "OLD");
	ck_assert_str_eq(pf_order(b, 2)->symbol, "AAA");
	ck_assert_str_eq(pf_order(b, 3)->symbol, "BBB");
	ck_assert_ptr_null(pf_order(b, 4));
	ck_assert_int_eq(pf_order(b, 1)->qty, -100);
	ck_assert_int_eq(pf_order(b, 1)->why, PF_EXIT);
	ck_assert_double_eq_tol(pf_totals(b)->proceeds, 6000, 1e-9);
	pf_free(b);
}
END_TEST

START_TEST(test_match_by_symbol)
{
	pf_book *b = pf_new();
	struct pf_params p = params(10000);

	/* the broker knows AAA as conId 265598, the data as permno 14593 */
	ck_assert_int_eq(pf_add_position(b, "265598", "AAA", 40, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "14593", "AAA", 1, ERR), 0);
	ck_assert_uint_eq(pf_count(b), 1);
	pf_add_price(b, "14593", "AAA", D24, 100, NAN, D25, 0);
	p.max_weight = 1;
	OK(pf_plan(b, &p, ERR));
	ck_assert_str_eq(pf_name(b, 0)->id, "14593");
	ck_assert_int_eq(pf_name(b, 0)->held, 40);
	ck_assert_int_eq(pf_name(b, 0)->target, 98);
	ck_assert_int_eq(pf_name(b, 0)->qty, 58);
	pf_free(b);
}
END_TEST

START_TEST(test_price_by_id_before_symbol)
{
	pf_book *b = pf_new();

	OK(pf_add_target(b, "1", "AAA", 1, ERR));
	/* a later row under the same ticker but another id is another security */
	pf_add_price(b, "1", "AAA", D24 - 1, 20, NAN, D25, 0);
	pf_add_price(b, "7", "AAA", D24, 999, NAN, D25, 0);
	/* a row on the trade date itself is not known yet when the orders are made */
	pf_add_price(b, "1", "AAA", D25, 25, NAN, D25, 0);
	struct pf_params p = params(1000);
	p.max_weight = 1;
	OK(pf_plan(b, &p, ERR));
	ck_assert_double_eq(pf_name(b, 0)->price, 20);
	ck_assert_int_eq(pf_name(b, 0)->price_date, D24 - 1);
	pf_free(b);
}
END_TEST

START_TEST(test_rounding_floor)
{
	pf_book *b = pf_new();
	struct pf_params p = params(1000);

	/* 1000 x 0.11 / 1.1 is 99.99999999999999 in doubles: still 100 shares */
	OK(pf_add_target(b, "F", "FFF", 0.11, ERR));
	OK(pf_add_target(b, "H", "HHH", 0.89, ERR));
	pf_add_price(b, "F", "FFF", D24, 1.1, NAN, D25, 0);
	pf_add_price(b, "H", "HHH", D24, 3, NAN, D25, 0);
	p.buffer = 0;
	p.max_weight = 1;
	OK(pf_plan(b, &p, ERR));
	ck_assert_int_eq(find(b, "FFF")->target, 100);
	ck_assert_int_eq(find(b, "HHH")->target, 296); /* 890 / 3 = 296.67 */
	pf_free(b);
}
END_TEST

START_TEST(test_too_small_for_a_share)
{
	pf_book *b = pf_new();
	struct pf_params p = params(1000);

	OK(pf_add_target(b, "1", "BRK", 0.2, ERR));
	OK(pf_add_target(b, "2", "AAA", 0.8, ERR));
	pf_add_price(b, "1", "BRK", D24, 700000, NAN, D25, 0);
	pf_add_price(b, "2", "AAA", D24, 10, NAN, D25, 0);
	p.max_weight = 1;
	OK(pf_plan(b, &p, ERR));
	ck_assert_int_eq(find(b, "BRK")->why, PF_ZERO);
	ck_assert_int_eq(find(b, "BRK")->qty, 0);
	ck_assert_int_eq(find(b, "AAA")->qty, 78);
	ck_assert_ptr_null(pf_order(b, 1));
	pf_free(b);
}
END_TEST

START_TEST(test_funds_shrink)
{
	pf_book *b = pf_new();
	struct pf_params p = params(10000);

	OK(pf_add_target(b, "1", "AAA", 0.5, ERR));
	OK(pf_add_target(b, "2", "BBB", 0.5, ERR));
	pf_add_price(b, "1", "AAA", D24, 10, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 20, NAN, D25, 0);
	p.funds = 6000;
	OK(pf_plan(b, &p, ERR));
	/* 490 AAA = 4900 and 245 BBB = 4900 wanted: the first (tie: by symbol) fits, the second gets 1100 */
	ck_assert_int_eq(find(b, "AAA")->qty, 490);
	ck_assert_int_eq(find(b, "BBB")->qty, 55);
	ck_assert_int_eq(find(b, "BBB")->want, 245);
	ck_assert_int_eq(find(b, "BBB")->why, PF_SHRUNK);
	ck_assert_uint_eq(pf_totals(b)->shrunk, 1);
	pf_free(b);
}
END_TEST

START_TEST(test_sell_proceeds_fund_buys)
{
	pf_book *b = pf_new();
	struct pf_params p = params(10000);

	OK(pf_add_position(b, "9", "OLD", 100, ERR));
	OK(pf_add_target(b, "1", "AAA", 1, ERR));
	pf_add_price(b, "9", "OLD", D24, 50, NAN, D25, 0);
	pf_add_price(b, "1", "AAA", D24, 10, NAN, D25, 0);
	p.max_weight = 1;
	p.funds = 5000; /* the other half is in OLD */
	OK(pf_plan(b, &p, ERR));
	ck_assert_int_eq(find(b, "AAA")->qty, 980);
	ck_assert_int_eq(find(b, "AAA")->why, PF_BUY);
	pf_free(b);
}
END_TEST

START_TEST(test_funds_derived)
{
	pf_book *b = pf_new();
	struct pf_params p = params(10000);

	OK(pf_add_position(b, "1", "AAA", 100, ERR));
	OK(pf_add_target(b, "1", "AAA", 1, ERR));
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	p.funds = NAN; /* no account record: cash = capital - value held */
	p.max_weight = 1;
	OK(pf_plan(b, &p, ERR));
	ck_assert_double_eq_tol(pf_totals(b)->funds, 5000, 1e-9);
	ck_assert_int_eq(find(b, "AAA")->qty, 96);
	pf_free(b);
}
END_TEST

START_TEST(test_dust)
{
	pf_book *b = pf_new();
	struct pf_params p = params(100000);

	OK(pf_add_position(b, "1", "AAA", 480, ERR)); /* 490 wanted: 500 of value, 0.005 of capital */
	OK(pf_add_position(b, "2", "BBB", 243, ERR)); /* 245 wanted: 200 of value */
	OK(pf_add_position(b, "3", "OUT", 1, ERR));   /* a 10-dollar remnant */
	OK(pf_add_target(b, "1", "AAA", 0.25, ERR));
	OK(pf_add_target(b, "2", "BBB", 0.25, ERR));
	OK(pf_add_target(b, "4", "CCC", 0.5, ERR));
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 100, NAN, D25, 0);
	pf_add_price(b, "3", "OUT", D24, 10, NAN, D25, 0);
	pf_add_price(b, "4", "CCC", D24, 100, NAN, D25, 0);
	p.min_notional = 400;
	p.min_weight_change = 0.006;
	p.max_weight = 0.5;
	OK(pf_plan(b, &p, ERR));
	ck_assert_int_eq(find(b, "BBB")->why, PF_DUST_NOTIONAL);
	ck_assert_int_eq(find(b, "AAA")->why, PF_DUST_WEIGHT);
	ck_assert_int_eq(find(b, "OUT")->why, PF_EXIT); /* never dust */
	ck_assert_int_eq(find(b, "OUT")->qty, -1);
	ck_assert_int_eq(find(b, "CCC")->qty, 490);
	pf_free(b);
}
END_TEST

START_TEST(test_write_orders)
{
	pf_book *b = pf_new();
	struct pf_params p = params(1000);
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	OK(pf_add_position(b, "9", "OLD", 3, ERR));
	OK(pf_add_target(b, "1", "AAA", 1, ERR));
	pf_add_price(b, "9", "OLD", D24, 10, NAN, D25, 0);
	pf_add_price(b, "1", "AAA", D24, 101.2, NAN, D25, 0);
	p.max_weight = 1;
	OK(pf_plan(b, &p, ERR));
	fp = open_memstream(&text, &len);
	ck_assert_int_eq(pf_write_orders(b, fp, D24, D25, "lo-csmom", "MKT", "OPG", ERR), 0);
	fclose(fp);
	ck_assert_str_eq(text,
	    "{\"type\":\"order\",\"client_id\":\"2026-11-24:lo-csmom:OLD:SELL\",\"date\":\"2026-11-25\",\"id\":\"9\","
	    "\"symbol\":\"OLD\",\"side\":\"SELL\",\"qty\":3,\"order_type\":\"MKT\",\"tif\":\"OPG\",\"ref_price\":10.0,"
	    "\"target_weight\":0.0}\n"
	    "{\"type\":\"order\",\"client_id\":\"2026-11-24:lo-csmom:AAA:BUY\",\"date\":\"2026-11-25\",\"id\":\"1\","
	    "\"symbol\":\"AAA\",\"side\":\"BUY\",\"qty\":9,\"order_type\":\"MKT\",\"tif\":\"OPG\",\"ref_price\":101.2,"
	    "\"target_weight\":1.0}\n");
	free(text);
	pf_free(b);
}
END_TEST

START_TEST(test_read_files)
{
	const char *w = "date,id,symbol,weight,extra\n2026-11-24,1,AAA,0.5,x\n2026-11-20,1,AAA,1,y\n"
	    "2026-11-24,2,BBB,0.5,z\n";
	const char *a = "{\"type\":\"account\",\"account\":\"DU1\",\"net_liquidation\":5000,\"available_funds\":4000}\n"
	    "\n{\"type\":\"position\",\"account\":\"DU1\",\"id\":\"1\",\"symbol\":\"AAA\",\"qty\":7.0}\n"
	    "{\"type\":\"fill\",\"symbol\":\"ZZZ\",\"qty\":1.5}\n";
	const char *px = "date,id,symbol,close\n2026-11-23,2,BBB,20\n2026-11-24,1,AAA,10\n2026-11-24,2,BBB,\n";
	struct pf_account acct;
	pf_book *b = pf_new();
	FILE *fp;
	int date;

	fp = fmemopen((void *)w, strlen(w), "r");
	ck_assert_int_eq(pf_read_weights(b, fp, "w.csv", INT_MAX, &date, ERR), 0);
	fclose(fp);
	ck_assert_int_eq(date, D24);
	fp = fmemopen((void *)a, strlen(a), "r");
	ck_assert_int_eq(pf_read_account(b, fp, "a.ndjson", &acct, ERR), 0);
	fclose(fp);
	ck_assert_str_eq(acct.account, "DU1");
	ck_assert_double_eq(acct.net_liquidation, 5000);
	ck_assert_double_eq(acct.available_funds, 4000);
	ck_assert_uint_eq(acct.positions, 1);
	fp = fmemopen((void *)px, strlen(px), "r");
	ck_assert_int_eq(pf_read_prices(b, fp, "p.csv", D25, 0, ERR), 0);
	fclose(fp);
	ck_assert_uint_eq(pf_count(b), 2);
	ck_assert_int_eq(find(b, "AAA")->held, 7);
	struct pf_params p = params(5000);
	p.max_weight = 0.5;
	OK(pf_plan(b, &p, ERR));
	ck_assert_double_eq(find(b, "BBB")->close, 20); /* an empty close is skipped, not zero */
	ck_assert_uint_eq(check(b, &p), 1);               /* ... and BBB's is from the 23rd: stale */
	ck_assert_ptr_nonnull(strstr(last_report, "stale"));
	pf_free(b);
}
END_TEST

START_TEST(test_skip_stale)
{
	pf_book *b = pf_new();
	struct pf_params p = params(1000);

	OK(pf_add_position(b, "2", "OLD", 10, ERR));
	OK(pf_add_target(b, "1", "AAA", 1, ERR));
	pf_add_price(b, "1", "AAA", D24 - 3, 10, NAN, D25, 0);
	pf_add_price(b, "2", "OLD", D24, 10, NAN, D25, 0);
	p.max_weight = 1;
	OK(pf_plan(b, &p, ERR));
	ck_assert_uint_eq(check(b, &p), 1); /* AAA is stale: refused */
	p.skip_stale = 1;
	OK(pf_plan(b, &p, ERR));
	ck_assert_uint_eq(check(b, &p), 0);
	ck_assert_int_eq(find(b, "AAA")->why, PF_STALE);
	ck_assert_int_eq(find(b, "AAA")->qty, 0);
	ck_assert_int_eq(pf_order(b, 0)->qty, -10); /* the rest still trades */
	ck_assert_ptr_null(pf_order(b, 1));
	pf_free(b);
}
END_TEST

/* ---- Errors ---- */

START_TEST(test_risk_rules)
{
	pf_book *b = pf_new();
	struct pf_params p = params(100000);

	OK(pf_add_target(b, "1", "AAA", 0.6, ERR));
	OK(pf_add_target(b, "2", "BBB", 0.3, ERR));
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 100, NAN, D25, 0);
	p.max_weight = 0.4;
	OK(pf_plan(b, &p, ERR));
	ck_assert_uint_eq(check(b, &p), 2); /* AAA above --max-weight, sum 0.9 */
	ck_assert_ptr_nonnull(strstr(last_report, "weights sum to 0.9"));
	p.max_weight = 0.6;
	p.gross = 0.9;
	ck_assert_uint_eq(check(b, &p), 0);
	p.max_order_notional = 50000;
	ck_assert_uint_eq(check(b, &p), 1); /* AAA: 1176 x 50 = 58800 */
	ck_assert_ptr_nonnull(strstr(last_report, "AAA: BUY of 1176 shares"));
	p.max_order_notional = 0;
	p.max_gross = 0.8;
	ck_assert_uint_eq(check(b, &p), 1);
	ck_assert_ptr_nonnull(strstr(last_report, "above --max-gross"));
	pf_free(b);
}
END_TEST

START_TEST(test_reference_prices)
{
	pf_book *b = pf_new();
	struct pf_params p = params(1000);

	OK(pf_add_target(b, "1", "AAA", 0.5, ERR));
	OK(pf_add_target(b, "2", "BBB", 0.5, ERR));
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 10, NAN, D25, 0);
	pf_add_price(b, "1", "AAA", D24, 49, NAN, D25, 1);
	pf_add_price(b, "2", "BBB", D24, 5, NAN, D25, 1); /* an unadjusted 2:1 split in one source */
	p.use_ref = 1;
	p.max_weight = 0.5;
	OK(pf_plan(b, &p, ERR));
	ck_assert_double_eq(find(b, "AAA")->price, 49);
	ck_assert_uint_eq(check(b, &p), 1);
	ck_assert_ptr_nonnull(strstr(last_report, "BBB: reference price 5 is -50.0% from the last close 10"));
	pf_free(b);
}
END_TEST

START_TEST(test_refusals_of_data)
{
	pf_book *b = pf_new();
	struct pf_params p = params(1000);

	OK(pf_add_target(b, "1", "A:B", 0.5, ERR));
	OK(pf_add_target(b, "2", "NEG", -0.5, ERR));
	OK(pf_add_target(b, "3", "NOPX", 1, ERR));
	OK(pf_add_target(b, "5", "OK B", 0, ERR)); /* not traded: its symbol does not matter */
	OK(pf_add_position(b, "4", "BRK B", 1, ERR));
	pf_add_price(b, "1", "A:B", D24, 5, NAN, D25, 0);
	pf_add_price(b, "4", "BRK B", D24, 5, NAN, D25, 0);
	pf_add_price(b, "2", "NEG", D24, 5, NAN, D25, 0);
	p.max_weight = 1;
	p.max_gross = 2;
	p.gross = 2;
	OK(pf_plan(b, &p, ERR));
	ck_assert_uint_eq(check(b, &p), 4);
	ck_assert_ptr_nonnull(strstr(last_report, "BRK B' cannot be part of a client_id"));
	ck_assert_int_eq(pf_add_target(b, "1", "X", 0.1, ERR), EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(errbuf, "second target"));
	ck_assert_int_eq(pf_add_position(b, "", "", 1, ERR), EX_DATAERR);
	ck_assert_int_eq(pf_add_position(b, "", "NEG", 1, ERR), 0);
	ck_assert_int_eq(pf_add_position(b, "2", "OTHER", 1, ERR), EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(errbuf, "held twice"));
	pf_free(b);
}
END_TEST

START_TEST(test_read_errors)
{
	static const struct { const char *text, *want; } weights[] = {
		{ "date,id,symbol\n", "w.csv:1: missing column 'weight'" },
		{ "date,id,symbol,weight\n2026-11-24,1,A,abc\n", "w.csv:2: weight: 'abc' is not a number" },
		{ "date,id,symbol,weight\n2026-11-24,,A,1\n", "w.csv:2: id: missing" },
		{ "date,id,symbol,weight\n2026-13-24,1,A,1\n", "w.csv:2: date: '2026-13-24' is not a date" },
		{ "date,id,symbol,weight\n2026-11-24,1,A,inf\n", "w.csv:2: weight: 'inf' is not a number" },
		{ "date,id,symbol,weight\n", "w.csv: no weights" },
	};
	static const struct { const char *text, *want; } accounts[] = {
		{ "{\"type\":\"position\",\"symbol\":\"A\",\"qty\":\"x\"}\n", "a:1: qty: not a whole number" },
		{ "{\"type\":\"position\",\"symbol\":\"\",\"qty\":3}\n", "a:1: symbol: missing" },
		{ "[1]\n", "a:1: not a JSON object" },
	};
	struct pf_account acct;
	size_t i;
	int date;
	FILE *fp;

	for (i = 0; i < sizeof weights / sizeof weights[0]; i++) {
		pf_book *b = pf_new();

		fp = fmemopen((void *)weights[i].text, strlen(weights[i].text), "r");
		ck_assert_int_eq(pf_read_weights(b, fp, "w.csv", INT_MAX, &date, ERR), EX_DATAERR);
		ck_assert_msg(strncmp(errbuf, weights[i].want, strlen(weights[i].want)) == 0, "%s: got %s",
		    weights[i].want, errbuf);
		fclose(fp);
		pf_free(b);
	}
	for (i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
		pf_book *b = pf_new();

		fp = fmemopen((void *)accounts[i].text, strlen(accounts[i].text), "r");
		ck_assert_int_eq(pf_read_account(b, fp, "a", &acct, ERR), EX_DATAERR);
		ck_assert_msg(strncmp(errbuf, accounts[i].want, strlen(accounts[i].want)) == 0,
		    "%s: got %s", accounts[i].want, errbuf);
		fclose(fp);
		pf_free(b);
	}
}
END_TEST


/* ---- Working orders, the NAV invariant, prices against returns (issue 14) ---- */

/* The codes of lib/err.h's convention, as sysexits.h defines them: a stream that opened but cannot be read
 * (a directory: read(2) fails with EISDIR) or written is EX_IOERR ("an error occurred while doing I/O on
 * some file"), bad data EX_DATAERR ("the input data was incorrect in some way"). Before issue 19 the
 * readers returned -1 for both and the orders tool exited 65 for a read error. */
START_TEST(test_error_codes)
{
	struct pf_params p = params(10000);
	struct pf_account acct;
	pf_book *b = pf_new();
	FILE *fp;
	char buf[64];
	int date;

	ck_assert_ptr_nonnull(fp = fopen(".", "r"));
	ck_assert_int_eq(pf_read_weights(b, fp, "dir", INT_MAX, &date, ERR), EX_IOERR);
	ck_assert_str_eq(errbuf, "dir:1: read error: Is a directory");
	clearerr(fp);
	ck_assert_int_eq(pf_read_account(b, fp, "dir", &acct, ERR), EX_IOERR);
	ck_assert_str_eq(errbuf, "dir:1: read error: Is a directory");
	clearerr(fp);
	ck_assert_int_eq(pf_read_prices(b, fp, "dir", D25, 0, ERR), EX_IOERR);
	ck_assert_str_eq(errbuf, "dir:1: read error: Is a directory");
	fclose(fp);

	ck_assert_int_eq(pf_add_target(b, "", "AAA", 1, ERR), EX_DATAERR);
	ck_assert_str_eq(errbuf, "id: missing");
	OK(pf_add_target(b, "1", "AAA", 1, ERR));
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	p.max_weight = 1;
	OK(pf_plan(b, &p, ERR));
	ck_assert_ptr_nonnull(pf_order(b, 0));
	fp = fmemopen(buf, sizeof buf, "r"); /* read-only: every write fails */
	ck_assert_int_eq(pf_write_orders(b, fp, D24, D25, "s", "MKT", "OPG", ERR), EX_IOERR);
	ck_assert_msg(strncmp(errbuf, "write error: ", 13) == 0, "got %s", errbuf);
	ck_assert_int_eq(pf_explain(b, &p, fp, ERR), EX_IOERR);
	ck_assert_msg(strncmp(errbuf, "write error: ", 13) == 0, "got %s", errbuf);
	fclose(fp);
	pf_free(b);
}
END_TEST

/* Read an account NDJSON text into b. */
static int
read_account_text(pf_book *b, const char *text, struct pf_account *acct)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc = pf_read_account(b, fp, "a.ndjson", acct, ERR);

	fclose(fp);
	return rc;
}

/* The first finding: orders sized against positions only. A staged BUY of an older decision is
 * superseded (listed, not counted); another strategy's BUY and this decision's own are counted as held. */
START_TEST(test_working_orders)
{
	const char *a =
	    "{\"type\":\"account\",\"account\":\"DU1\",\"net_liquidation\":10000,\"available_funds\":10000}\n"
	    "{\"type\":\"open_order\",\"account\":\"DU1\",\"client_id\":\"2026-11-23:s:AAA:BUY\",\"order_id\":7,"
	    "\"symbol\":\"AAA\",\"side\":\"BUY\",\"qty\":50,\"filled\":0,\"remaining\":50,\"status\":\"Inactive\","
	    "\"transmit\":false}\n"
	    "{\"type\":\"open_order\",\"client_id\":\"2026-11-24:other:BBB:BUY\",\"symbol\":\"BBB\",\"side\":\"BUY\","
	    "\"qty\":20,\"filled\":5,\"status\":\"Submitted\"}\n"
	    "{\"type\":\"open_order\",\"client_id\":\"2026-11-24:s:CCC:BUY\",\"symbol\":\"CCC\",\"side\":\"BUY\","
	    "\"qty\":10,\"filled\":0,\"remaining\":10,\"status\":\"PreSubmitted\"}\n"
	    "{\"type\":\"open_order\",\"client_id\":\"\",\"symbol\":\"DDD\",\"side\":\"BUY\",\"qty\":100,"
	    "\"status\":\"Filled\"}\n"
	    "{\"type\":\"open_order\",\"client_id\":\"x\",\"symbol\":\"DDD\",\"side\":\"BUY\",\"qty\":100,"
	    "\"status\":\"Inactive\",\"transmit\":true}\n";
	pf_book *b = pf_new();
	struct pf_params p = params(10000);
	struct pf_account acct;
	enum pf_work_kind kind;
	char *text;
	size_t len;
	FILE *fp;

	ck_assert_int_eq(pf_add_target(b, "1", "AAA", 0.25, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "2", "BBB", 0.25, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "3", "CCC", 0.25, ERR), 0);
	ck_assert_int_eq(read_account_text(b, a, &acct), 0);
	ck_assert_uint_eq(acct.working, 3); /* Filled, and Inactive once transmitted (rejected), are done */
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 50, NAN, D25, 0);
	pf_add_price(b, "3", "CCC", D24, 50, NAN, D25, 0);
	p.buffer = 0;
	p.gross = 0.75;
	p.strategy = "s";
	p.decided = D24;
	OK(pf_plan(b, &p, ERR));
	ck_assert_uint_eq(check(b, &p), 0);
	/* targets 50 shares each: AAA's older staged BUY is superseded, so a new BUY of 50; BBB holds 15
	 * more to come from another strategy: 35; CCC's BUY of this decision is the batch itself (a re-run):
	 * written again, 50, but its client_id is at the broker, so it is not counted: its 10 working are */
	ck_assert_int_eq(find(b, "AAA")->qty, 50);
	ck_assert_int_eq(find(b, "BBB")->qty, 35);
	ck_assert_int_eq(find(b, "CCC")->qty, 50);
	ck_assert_int_eq(find(b, "CCC")->placed, 1);
	ck_assert_int_eq(find(b, "AAA")->placed, 0);
	ck_assert_uint_eq(pf_totals(b)->placed, 1);
	ck_assert_ptr_nonnull(pf_working(b, 0, &kind));
	ck_assert_int_eq(kind, PF_WORK_SUPERSEDE);
	pf_working(b, 1, &kind);
	ck_assert_int_eq(kind, PF_WORK_OTHER);
	pf_working(b, 2, &kind);
	ck_assert_int_eq(kind, PF_WORK_SAME);
	ck_assert_uint_eq(pf_totals(b)->supersede, 1);
	/* funds: 10000 less the counted working BUYs (15 + 10) x 50 = 8750; the batch spends 125 x 50 */
	ck_assert_double_eq_tol(pf_totals(b)->funds, 8750, 1e-9);
	ck_assert_double_eq_tol(pf_totals(b)->committed, 110 * 50, 1e-9);
	fp = open_memstream(&text, &len);
	ck_assert_int_eq(pf_write_orders(b, fp, D24, D25, "s", "MKT", "OPG", ERR), 0);
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(text, "{\"type\":\"supersede\",\"client_id\":\"2026-11-23:s:AAA:BUY\",\"symbol\":"
	    "\"AAA\",\"side\":\"BUY\",\"qty\":50,\"filled\":0,\"remaining\":50,\"status\":\"Inactive\",\"order_id\":7}\n"));
	ck_assert_int_eq(strncmp(text, "{\"type\":\"supersede\"", 19), 0); /* first, before any order */
	free(text);

	/* a working order of this strategy from a later decision: this one is stale, refused */
	p.decided = D24 - 1;
	OK(pf_plan(b, &p, ERR));
	ck_assert_uint_eq(check(b, &p), 1);
	ck_assert_ptr_nonnull(strstr(last_report, "later decision"));
	pf_free(b);
}
END_TEST

START_TEST(test_never_short)
{
	pf_book *b = pf_new();
	struct pf_params p = params(10000);
	struct pf_working w = { .client_id = "", .order_id = -1, .perm_id = -1, .id = "", .symbol = "XXX",
	    .side = 1, .qty = 40, .filled = 0, .remaining = 40, .status = "Submitted", .transmit = 1 };

	/* not targeted, not held, another's BUY working: selling it now would be a short sale */
	ck_assert_int_eq(pf_add_target(b, "1", "AAA", 1, ERR), 0);
	ck_assert_int_eq(pf_add_working(b, &w, ERR), 0);
	/* held 100 with 30 already selling: an exit sells the 70 left, not 100 */
	ck_assert_int_eq(pf_add_position(b, "2", "OLD", 100, ERR), 0);
	w.symbol = "OLD";
	w.side = -1;
	w.qty = w.remaining = 30;
	ck_assert_int_eq(pf_add_working(b, &w, ERR), 0);
	pf_add_price(b, "1", "AAA", D24, 10, NAN, D25, 0);
	pf_add_price(b, "XXX", "XXX", D24, 10, NAN, D25, 0);
	pf_add_price(b, "2", "OLD", D24, 10, NAN, D25, 0);
	p.strategy = "s";
	p.decided = D24;
	OK(pf_plan(b, &p, ERR));
	ck_assert_int_eq(find(b, "XXX")->qty, 0);
	ck_assert_int_eq(find(b, "XXX")->why, PF_NO_SHORT);
	ck_assert_int_eq(find(b, "OLD")->qty, -70);
	/* bad orders are errors */
	w.remaining = 31;
	ck_assert_int_eq(pf_add_working(b, &w, ERR), EX_DATAERR);
	w.remaining = 1;
	w.side = 0;
	ck_assert_int_eq(pf_add_working(b, &w, ERR), EX_DATAERR);
	pf_free(b);
}
END_TEST

/* The invariant at its edge: capital above the NAV (a --capital larger than the account) buys beyond it. */
START_TEST(test_commit_limit)
{
	pf_book *b = pf_new();
	struct pf_params p = params(20000);

	ck_assert_int_eq(pf_add_target(b, "1", "AAA", 1, ERR), 0);
	pf_add_price(b, "1", "AAA", D24, 10, NAN, D25, 0);
	p.nav = 10000;
	p.buffer = 0;
	p.funds = 20000;
	p.max_weight = 1;
	OK(pf_plan(b, &p, ERR));
	ck_assert_uint_eq(check(b, &p), 1);
	ck_assert_ptr_nonnull(strstr(last_report, "above NAV x (1 + --margin 0 + --commit-tolerance 0.02)"));
	p.margin = 1; /* borrowing allowed: 2 x NAV */
	OK(pf_plan(b, &p, ERR));
	ck_assert_uint_eq(check(b, &p), 0);
	/* the funds: margin x NAV on top of the cash, nothing more */
	p.funds = 5000;
	p.margin = 0.5;
	OK(pf_plan(b, &p, ERR));
	ck_assert_int_eq(find(b, "AAA")->qty, 1000);
	pf_free(b);
}
END_TEST

/* Item 2: a close 100x too low against its own return; a 2-for-1 split explains itself; a dividend day
 * within the gap passes. Expectations: close_t = close_{t-1} x (1 + ret_t) for total returns
 * (sti-formats(5): ret is the total return from the previous close, dividends included), divided by n
 * after an n-for-1 split (market-gen(1): the unadjusted close jumps, ret does not). */
START_TEST(test_close_against_return)
{
	pf_book *b = pf_new();
	struct pf_params p = params(100000);

	ck_assert_int_eq(pf_add_target(b, "1", "BAD", 0.25, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "2", "SPL", 0.25, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "3", "DIV", 0.25, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "4", "REV", 0.25, ERR), 0);
	pf_add_price(b, "1", "BAD", D24 - 1, 160, NAN, D25, 0);
	pf_add_price(b, "1", "BAD", D24, 1.62, 0.0125, D25, 0);     /* 162 printed as 1.62 */
	pf_add_price(b, "2", "SPL", D24 - 1, 300, NAN, D25, 0);
	pf_add_price(b, "2", "SPL", D24, 151.5, 0.01, D25, 0);      /* 2-for-1: 303 / 2 */
	pf_add_price(b, "3", "DIV", D24 - 1, 50, NAN, D25, 0);
	pf_add_price(b, "3", "DIV", D24, 49, 0.01, D25, 0);         /* a $1.50 dividend */
	pf_add_price(b, "4", "REV", D24 - 1, 0.5, NAN, D25, 0);
	pf_add_price(b, "4", "REV", D24, 5.1, 0.02, D25, 0);        /* 1-for-10 reverse split */
	OK(pf_plan(b, &p, ERR));
	ck_assert_int_eq(find(b, "BAD")->why, PF_BAD_PRICE);
	ck_assert_int_eq(find(b, "BAD")->qty, 0);
	ck_assert_int_ne(find(b, "SPL")->why, PF_BAD_PRICE);
	ck_assert_int_ne(find(b, "DIV")->why, PF_BAD_PRICE);
	ck_assert_int_ne(find(b, "REV")->why, PF_BAD_PRICE);
	ck_assert_uint_eq(check(b, &p), 1);
	ck_assert_ptr_nonnull(strstr(last_report, "BAD: close 1.62 is not the previous close 160 x (1 + ret 0.0125)"));
	p.skip_bad = 1; /* the rest goes on */
	ck_assert_uint_eq(check(b, &p), 0);
	ck_assert_int_gt(find(b, "SPL")->qty, 0);
	pf_free(b);
}
END_TEST

/* Item 6: close 1e-300 gave qty -9.2e18 through a cast of an unchecked double; now no quantity. */
START_TEST(test_quantity_range)
{
	pf_book *b = pf_new();
	struct pf_params p = params(1e6);

	ck_assert_int_eq(pf_add_target(b, "1", "TINY", 0.25, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "2", "BIG", 0.25, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "3", "OK", 0.5, ERR), 0);
	pf_add_price(b, "1", "TINY", D24, 1e-300, NAN, D25, 0);
	pf_add_price(b, "2", "BIG", D24, 0.01, NAN, D25, 0);   /* 24.5M shares */
	pf_add_price(b, "3", "OK", D24, 10, NAN, D25, 0);
	p.max_weight = 0.5;
	OK(pf_plan(b, &p, ERR));
	ck_assert_int_eq(find(b, "TINY")->why, PF_BAD_PRICE);
	ck_assert_int_eq(find(b, "TINY")->qty, 0);
	ck_assert_int_eq(find(b, "TINY")->target, 0);
	ck_assert_int_eq(find(b, "BIG")->why, PF_BAD_PRICE);
	ck_assert_uint_eq(check(b, &p), 2);
	ck_assert_ptr_nonnull(strstr(last_report, "above --max-shares 1000000"));
	p.max_shares = 1e8;
	OK(pf_plan(b, &p, ERR));
	ck_assert_int_eq(find(b, "BIG")->qty, 24500000);
	ck_assert_int_eq(find(b, "TINY")->why, PF_BAD_PRICE);
	ck_assert_int_eq(pf_add_position(b, "9", "HUGE", 2000000000000000LL, ERR), EX_DATAERR);
	pf_free(b);
}
END_TEST

/* Item 8: a cut BUY is dust again; a SELL whose target rounds to 0 shares closes the position. */
START_TEST(test_remnants)
{
	pf_book *b = pf_new();
	struct pf_params p = params(100000);

	ck_assert_int_eq(pf_add_target(b, "1", "AAA", 0.5, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "2", "BBB", 0.4999, ERR), 0);
	ck_assert_int_eq(pf_add_target(b, "3", "CCC", 0.0001, ERR), 0);  /* $9.80 buys no $50 share */
	ck_assert_int_eq(pf_add_position(b, "3", "CCC", 1, ERR), 0);
	pf_add_price(b, "1", "AAA", D24, 10, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 10, NAN, D25, 0);
	pf_add_price(b, "3", "CCC", D24, 50, NAN, D25, 0);
	p.funds = 49050;      /* AAA's 4900 shares fit, 50 + the CCC proceeds for BBB: 10 shares = $100 */
	p.min_notional = 200;
	OK(pf_plan(b, &p, ERR));
	ck_assert_int_eq(find(b, "CCC")->qty, -1);
	ck_assert_int_eq(find(b, "CCC")->why, PF_CLOSE);
	ck_assert_int_eq(find(b, "AAA")->qty, 4900);
	ck_assert_int_eq(find(b, "BBB")->qty, 0);
	ck_assert_int_eq(find(b, "BBB")->why, PF_SHRUNK_DUST);
	ck_assert_uint_eq(pf_totals(b)->buys, 1);
	pf_free(b);
}
END_TEST

/* Item 7: a second account record; item 9: a UTF-8 BOM; item 7: unsorted and duplicate price rows. */
START_TEST(test_read_strict)
{
	const char *two = "{\"type\":\"account\",\"account\":\"DU1\",\"net_liquidation\":5}\n"
	    "{\"type\":\"account\",\"account\":\"DU1\",\"net_liquidation\":5000000}\n";
	const char *bom = "\xEF\xBB\xBF{\"type\":\"account\",\"account\":\"DU1\",\"net_liquidation\":5}\n";
	const char *dup = "date,id,symbol,close\n2026-11-24,1,AAA,10\n2026-11-24,1,AAA,0.1\n";
	const char *unsorted = "date,id,symbol,close\n2026-11-24,2,BBB,10\n2026-11-24,1,AAA,10\n";
	const char *sorted = "date,id,symbol,close,ret\n2026-11-23,9,AAA,10,\n2026-11-24,10,AAA,10,0.01\n";
	struct pf_account acct;
	pf_book *b = pf_new();
	FILE *fp;

	ck_assert_int_eq(read_account_text(b, two, &acct), EX_DATAERR);
	ck_assert_str_eq(errbuf, "a.ndjson:2: type: a second account record (the first is on line 1)");
	ck_assert_int_eq(read_account_text(b, bom, &acct), 0);
	ck_assert_double_eq(acct.net_liquidation, 5);
	fp = fmemopen((void *)dup, strlen(dup), "r");
	ck_assert_int_eq(pf_read_prices(b, fp, "p.csv", D25, 0, ERR), EX_DATAERR);
	fclose(fp);
	ck_assert_str_eq(errbuf, "p.csv:3: id: duplicate row for id '1' on 2026-11-24");
	fp = fmemopen((void *)unsorted, strlen(unsorted), "r");
	ck_assert_int_eq(pf_read_prices(b, fp, "p.csv", D25, 0, ERR), EX_DATAERR);
	fclose(fp);
	ck_assert_str_eq(errbuf, "p.csv:3: id: '1' after '2' on 2026-11-24: the input must be sorted by date, then id");
	fp = fmemopen((void *)sorted, strlen(sorted), "r"); /* ids compare as numbers: 9 before 10 */
	ck_assert_int_eq(pf_read_prices(b, fp, "p.csv", D25, 0, ERR), 0);
	fclose(fp);
	pf_free(b);
}
END_TEST


/* ---- Sequences: the invariant over random evenings (issue 14, "Never over-committed") ----
 *
 * A small simulated account lives through evenings: a decision of strategy "s" is planned from the
 * account's NDJSON (positions, open orders as ib-account writes them, cash) and a panel with prev close and
 * ret, and the batch goes to a simulated submitter that cancels what the plan supersedes, de-duplicates
 * client_ids it has placed before (ib-submit's exactly-once), and stages or transmits. Opens fill
 * transmitted orders wholly or partly. Other strategies and manual orders come and go; prices move; some
 * evenings re-run a decision, some catch up two decisions before one open; some panels carry a close 100x
 * too low or 1e-300. Expectations come from the statement of the invariant: after every batch,
 * position value + working BUYs - working SELLs <= NAV x (1 + 2%), valued at the prices it was sized
 * with; no order from a refused number; no short; cut BUYs obey the dust rules; a target that rounds to
 * 0 shares closes the position.
 *
 * "old" runs the same sequences with what orders saw before the change (no open_order records, hence
 * nothing superseded either), to show the test tells the two apart and to measure the figures. */
#define SQ_NAMES 12
#define SQ_OTHER_MAX 0.03   /* another strategy's order: up to this fraction of the NAV */

struct sq_order {
	char cid[48];
	int name, side, transmit, live;
	long long qty, filled, remaining;
};

struct sq {
	unsigned long long rng;
	double px[SQ_NAMES], prev[SQ_NAMES], cash;
	long long pos[SQ_NAMES];
	struct sq_order o[4096];
	size_t n;
	char placed[4096][48];
	size_t nplaced;
	int old, stage, skip_bad;
	int wday;                 /* the decision of wlast: a re-run keeps its weights */
	double wlast[SQ_NAMES];
	double max_commit, min_cash, max_work_buy; /* over NAV */
	long batches, refused, orders_checked;
};

static const char *const sq_sym[SQ_NAMES] = { "AA", "BB", "CC", "DD", "EE", "FF", "GG", "HH", "II", "JJ",
	"KK", "LL" };

static double
sq_u(struct sq *s) /* uniform [0, 1): xorshift64* */
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static double
sq_nav(const struct sq *s)
{
	double v = s->cash;

	for (int i = 0; i < SQ_NAMES; i++)
		v += (double)s->pos[i] * s->px[i];
	return v;
}

static double
sq_committed(const struct sq *s, double *work_buy)
{
	double v = 0;

	*work_buy = 0;
	for (int i = 0; i < SQ_NAMES; i++)
		v += (double)s->pos[i] * s->px[i];
	for (size_t k = 0; k < s->n; k++)
		if (s->o[k].live) {
			v += s->o[k].side * (double)s->o[k].remaining * s->px[s->o[k].name];
			if (s->o[k].side > 0)
				*work_buy += (double)s->o[k].remaining * s->px[s->o[k].name];
		}
	return v;
}

static void
sq_add(struct sq *s, const char *cid, int name, int side, long long qty, int transmit)
{
	struct sq_order *o;

	ck_assert_uint_lt(s->n, sizeof s->o / sizeof s->o[0]);
	o = &s->o[s->n++];
	snprintf(o->cid, sizeof o->cid, "%s", cid);
	o->name = name;
	o->side = side;
	o->qty = o->remaining = qty;
	o->filled = 0;
	o->transmit = transmit;
	o->live = 1;
}

/* Another strategy's or a manual order. */
static void
sq_other(struct sq *s, int day)
{
	char cid[48], d[DATE_LEN + 1];
	int i = (int)(sq_u(s) * SQ_NAMES), side = sq_u(s) < 0.7 || s->pos[i] <= 1 ? 1 : -1;
	long long q = side > 0 ? (long long)(sq_u(s) * SQ_OTHER_MAX * sq_nav(s) / s->px[i]) : s->pos[i] / 3;

	double wb, room = s->cash;

	sq_committed(s, &wb); /* other strategies keep within the cash too: what they do is not ours to size */
	room -= wb;
	if (side > 0 && (double)q * s->px[i] > room)
		q = room > 0 ? (long long)(room / s->px[i]) : 0;
	if (q <= 0)
		return;
	if (sq_u(s) < 0.5)
		snprintf(cid, sizeof cid, "%s:other:%s:%s", date_fmt(day, d), sq_sym[i], side > 0 ? "BUY" : "SELL");
	else
		cid[0] = '\0';
	sq_add(s, cid, i, side, q, sq_u(s) < 0.5);
}

/* The open: transmitted orders fill wholly or partly at the day's price; prices then move. */
static void
sq_open(struct sq *s)
{
	for (size_t k = 0; k < s->n; k++) {
		struct sq_order *o = &s->o[k];
		long long f;

		if (!o->live || !o->transmit)
			continue;
		f = sq_u(s) < 0.6 ? o->remaining : (long long)(sq_u(s) * (double)o->remaining);
		s->pos[o->name] += o->side * f;
		s->cash -= o->side * (double)f * s->px[o->name];
		o->filled += f;
		o->remaining -= f;
		o->live = o->remaining > 0;
	}
	for (int i = 0; i < SQ_NAMES; i++) {
		s->prev[i] = s->px[i];
		s->px[i] = round(s->px[i] * (0.94 + 0.12 * sq_u(s)) * 100) / 100;
		if (s->px[i] < 1)
			s->px[i] = 1;
	}
}

/* One planning run of decision `day` and, when it passes, the submit. */
static void
sq_evening(struct sq *s, int day)
{
	pf_book *b = pf_new();
	struct pf_params p;
	struct pf_account acct;
	const struct pf_name *x;
	enum pf_work_kind kind;
	char *text, d[DATE_LEN + 1], cid[48];
	size_t len, k, nbad;
	FILE *fp;
	int bad = -1, i, tiny = 0, ntarget = 6 + (int)(sq_u(s) * 6), perm[SQ_NAMES];
	double w[SQ_NAMES] = { 0 }, sum = 0, nav = sq_nav(s), wb, before, after, buys = 0, sells = 0, funds_used;

	/* targets: a few names, each at most 0.25 of the gross; sometimes one too small for a share */
	for (i = 0; i < SQ_NAMES; i++)
		perm[i] = i;
	for (i = 0; i < ntarget; i++) { /* distinct names, 0.8 to 1.2 each: none above 0.25 of 6 or more */
		int j = i + (int)(sq_u(s) * (SQ_NAMES - i)), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
		w[perm[i]] = 0.8 + 0.4 * sq_u(s);
	}
	if (sq_u(s) < 0.2) /* a weight too small for one share */
		w[perm[ntarget]] = 1e-5;
	if (day == s->wday)
		memcpy(w, s->wlast, sizeof w);
	s->wday = day;
	memcpy(s->wlast, w, sizeof w);
	for (i = 0; i < SQ_NAMES; i++)
		sum += w[i];
	for (i = 0; i < SQ_NAMES; i++)
		if (w[i] > 0)
			ck_assert_int_eq(pf_add_target(b, sq_sym[i], sq_sym[i], w[i] / sum, ERR), 0);
	/* the account, as ib-account writes it */
	fp = open_memstream(&text, &len);
	fprintf(fp, "{\"type\":\"account\",\"account\":\"DU9\",\"net_liquidation\":%.17g,\"total_cash\":%.17g,"
	    "\"available_funds\":%.17g}\n", nav, s->cash, s->cash > 0 ? s->cash : 0);
	for (i = 0; i < SQ_NAMES; i++)
		if (s->pos[i] != 0)
			fprintf(fp, "{\"type\":\"position\",\"account\":\"DU9\",\"id\":\"%s\",\"symbol\":\"%s\",\"qty\":%lld}\n",
			    sq_sym[i], sq_sym[i], s->pos[i]);
	for (k = 0; k < s->n && !s->old; k++)
		fprintf(fp, "{\"type\":\"open_order\",\"account\":\"DU9\",\"client_id\":\"%s\",\"order_id\":%zu,"
		    "\"symbol\":\"%s\",\"side\":\"%s\",\"qty\":%lld,\"filled\":%lld,\"remaining\":%lld,\"status\":\"%s\","
		    "\"transmit\":%s}\n", s->o[k].cid, k, sq_sym[s->o[k].name], s->o[k].side > 0 ? "BUY" : "SELL",
		    s->o[k].qty, s->o[k].filled, s->o[k].remaining, !s->o[k].live ? (s->o[k].remaining ? "Cancelled" :
		    "Filled") : s->o[k].transmit ? "Submitted" : "Inactive", s->o[k].transmit ? "true" : "false");
	fclose(fp);
	ck_assert_int_eq(read_account_text(b, text, &acct), 0);
	free(text);
	/* the panel: yesterday and today, today's close 100x too low, or 1e-300 with no ret, now and then */
	if (sq_u(s) < 0.15) {
		bad = (int)(sq_u(s) * SQ_NAMES);
		tiny = sq_u(s) < 0.3;
	}
	for (i = 0; i < SQ_NAMES; i++) {
		pf_add_price(b, sq_sym[i], sq_sym[i], day - 1, s->prev[i], NAN, day + 1, 0);
		pf_add_price(b, sq_sym[i], sq_sym[i], day, i != bad ? s->px[i] : tiny ? 1e-300 : s->px[i] / 100,
		    i == bad && tiny ? NAN : s->px[i] / s->prev[i] - 1, day + 1, 0);
	}
	pf_params_init(&p);
	p.capital = nav;
	p.nav = nav;
	p.funds = acct.available_funds;
	p.stale_before = day;
	p.strategy = "s";
	p.decided = day;
	p.skip_bad = s->skip_bad;
	p.min_notional = sq_u(s) < 0.5 ? 0 : 300;
	p.min_weight_change = sq_u(s) < 0.5 ? 0 : 0.002;
	p.max_shares = 1e6;
	OK(pf_plan(b, &p, ERR));
	nbad = pf_check(b, &p, collect, NULL);
	if (nbad > 0) {
		s->refused++;
		ck_assert_msg(bad >= 0 || pf_totals(b)->newer > 0 || pf_totals(b)->buys > 0, "refused: %s", last_report);
		pf_free(b);
		return;
	}
	/* the plan's own promises, checked on every order */
	for (k = 0; (x = pf_order(b, k)) != NULL; k++) {
		double v = fabs((double)x->qty) * x->price;

		s->orders_checked++;
		ck_assert(x->qty != 0 && llabs(x->qty) <= 1000000 && isfinite(v) && x->price > 0);
		/* never a quantity sized from a refused close (an exit sells the shares held whatever the price) */
		ck_assert(bad < 0 || strcmp(x->symbol, sq_sym[bad]) != 0 || (x->qty < 0 && x->target == 0));
		if (x->placed) /* written again, never placed again: the submitter skips it */
			continue;
		if (x->qty > 0) {
			ck_assert_msg(v >= p.min_notional && v / p.capital >= p.min_weight_change, "%s: BUY %lld worth %g "
			    "(%s, want %lld)", x->symbol, x->qty, v, pf_why_text(x->why), x->want);
			buys += v;
		} else {
			ck_assert(-x->qty <= x->held - x->work_sell); /* never short */
			if (v < p.min_notional || v / p.capital < p.min_weight_change)
				ck_assert_msg(x->target == 0 || -x->qty == x->held - x->work_sell, /* only a close */
				    "%s: SELL %lld below the dust rules (%s)", x->symbol, x->qty, pf_why_text(x->why));
			sells += v;
		}
	}
	for (k = 0; k < pf_count(b); k++) {
		x = pf_name(b, k);
		if (x->weight > 0 && x->target == 0 && x->held > x->work_sell && x->why != PF_BAD_PRICE)
			ck_assert_msg(x->qty < 0, "%s: a remnant left", x->symbol); /* item 8 */
	}
	/* BUYs within the funds: cash less the working BUYs counted as held, plus this batch's SELLs */
	funds_used = acct.available_funds - pf_totals(b)->work_buy + sells;
	ck_assert(buys <= funds_used + 1e-6 || buys == 0);
	/* the submit: cancel the superseded, then place what was never placed */
	for (k = 0; pf_working(b, k, &kind) != NULL; k++)
		if (kind == PF_WORK_SUPERSEDE) {
			const struct pf_working *wk = pf_working(b, k, NULL);

			ck_assert(s->o[wk->order_id].live);
			s->o[wk->order_id].live = 0;
		}
	for (k = 0; (x = pf_order(b, k)) != NULL; k++) {
		size_t j;

		snprintf(cid, sizeof cid, "%s:s:%s:%s", date_fmt(day, d), x->symbol, x->qty > 0 ? "BUY" : "SELL");
		for (j = 0; j < s->nplaced && strcmp(s->placed[j], cid) != 0; j++)
			;
		if (j < s->nplaced)
			continue;
		ck_assert_uint_lt(s->nplaced, sizeof s->placed / sizeof s->placed[0]);
		snprintf(s->placed[s->nplaced++], sizeof s->placed[0], "%s", cid);
		for (i = 0; strcmp(sq_sym[i], x->symbol) != 0; i++)
			;
		sq_add(s, cid, i, x->qty > 0 ? 1 : -1, llabs(x->qty), !s->stage);
	}
	s->batches++;
	before = pf_totals(b)->committed_before;
	after = sq_committed(s, &wb);
	if (after / nav > s->max_commit)
		s->max_commit = after / nav;
	if (wb / nav > s->max_work_buy)
		s->max_work_buy = wb / nav;
	if (!s->old) /* the invariant, valued at the prices it was sized with */
		ck_assert_msg(after <= nav * 1.02 + 1e-6 || after <= before + 1e-6,
		    "committed %.2f = %.4f x NAV after a batch (plan: %.2f, %zu superseded, work buy %.2f sell %.2f)",
		    after, after / nav, pf_totals(b)->committed, pf_totals(b)->supersede, pf_totals(b)->work_buy,
		    pf_totals(b)->work_sell);
	pf_free(b);
}

static void
sq_sequence(struct sq *s, unsigned long long seed, int old, int stage, int evenings)
{
	int day = date_from_ymd(2026, 1, 5), i;

	memset(s, 0, sizeof *s);
	s->rng = seed * 0x9E3779B97F4A7C15ull + 1;
	s->old = old;
	s->stage = stage;
	s->skip_bad = sq_u(s) < 0.5;
	s->cash = 1e6;
	s->min_cash = 1;
	for (i = 0; i < SQ_NAMES; i++)
		s->px[i] = s->prev[i] = round((5 + 200 * sq_u(s)) * 100) / 100;
	for (i = 0; i < evenings; i++) {
		double r = sq_u(s);

		if (sq_u(s) < 0.3)
			sq_other(s, day);
		sq_evening(s, day);
		if (r < 0.15)
			sq_evening(s, day);       /* a re-run of the same decision */
		else if (r < 0.3)
			sq_evening(s, ++day);     /* a catch-up: a second decision before the open */
		if (sq_u(s) < 0.1)                /* a skipped day */
			day++;
		sq_open(s);
		day++;
		if (s->cash / sq_nav(s) < s->min_cash)
			s->min_cash = s->cash / sq_nav(s);
	}
}

START_TEST(test_invariant_sequences)
{
	static struct sq s; /* large: not on the stack */
	double worst[2][2] = { { 0, 0 }, { 0, 0 } }, wbuy[2][2] = { { 0, 0 }, { 0, 0 } };
	double mincash[2][2] = { { 1, 1 }, { 1, 1 } };
	long batches = 0, refused = 0, checked = 0;
	int old, stage;
	unsigned long long seed;

	for (old = 0; old < 2; old++)
		for (stage = 0; stage < 2; stage++)
			for (seed = 1; seed <= 150; seed++) {
				sq_sequence(&s, seed, old, stage, 12);
				worst[old][stage] = fmax(worst[old][stage], s.max_commit);
				wbuy[old][stage] = fmax(wbuy[old][stage], s.max_work_buy);
				mincash[old][stage] = fmin(mincash[old][stage], s.min_cash);
				if (!old) {
					batches += s.batches;
					refused += s.refused;
					checked += s.orders_checked;
				}
			}
	fprintf(stderr, "check_portfolio: sequences: 150 x 12 evenings each; %ld batches, %ld refused, %ld orders "
	    "checked\n"
	    "  max committed/NAV: staged %.3f before, %.3f after; transmitted %.3f before, %.3f after\n"
	    "  max working BUY notional/NAV: staged %.3f before, %.3f after\n"
	    "  min cash/NAV after the opens: transmitted %.3f before, %.3f after\n",
	    batches, refused, checked, worst[1][1], worst[0][1], worst[1][0], worst[0][0], wbuy[1][1], wbuy[0][1],
	    mincash[1][0], mincash[0][0]);
	ck_assert_double_le(worst[0][0], 1.02 + 1e-9);
	ck_assert_double_le(worst[0][1], 1.02 + 1e-9);
	/* the old planning piles staged orders up: the test can tell */
	ck_assert_double_gt(worst[1][1], 1.5);
	ck_assert_double_gt(worst[1][0], 1.02);
}
END_TEST

/* ---- Limits ---- */

START_TEST(test_many_names)
{
	pf_book *b = pf_new();
	struct pf_params p = params(1e9);
	char id[32], sym[32];
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "%d", i);
		snprintf(sym, sizeof sym, "S%d", i);
		ck_assert_int_eq(pf_add_target(b, id, sym, 1.0 / 5000, ERR), 0);
		pf_add_price(b, id, sym, D24, 10 + i % 7, NAN, D25, 0);
	}
	for (i = 2500; i < 7500; i++) {
		snprintf(id, sizeof id, "%d", i);
		snprintf(sym, sizeof sym, "S%d", i);
		ck_assert_int_eq(pf_add_position(b, id, sym, 100, ERR), 0);
		pf_add_price(b, id, sym, D24, 10 + i % 7, NAN, D25, 0);
	}
	ck_assert_uint_eq(pf_count(b), 7500);
	OK(pf_plan(b, &p, ERR));
	ck_assert_uint_eq(check(b, &p), 0);
	ck_assert_uint_eq(pf_totals(b)->sells, 2500);
	ck_assert_uint_eq(pf_totals(b)->buys, 5000);
	pf_free(b);
}
END_TEST

START_TEST(test_empty_book)
{
	pf_book *b = pf_new();
	struct pf_params p = params(1000);

	OK(pf_plan(b, &p, ERR));
	ck_assert_ptr_null(pf_order(b, 0));
	ck_assert_uint_eq(check(b, &p), 1); /* sums to 0, not 1 */
	p.gross = 0;
	ck_assert_uint_eq(check(b, &p), 0);
	pf_free(b);
}
END_TEST

static Suite *
portfolio_suite(void)
{
	Suite *s = suite_create("portfolio");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	TCase *seq = tcase_create("Sequences");

	tcase_add_checked_fixture(core, setup, NULL);
	tcase_add_checked_fixture(errors, setup, NULL);
	tcase_add_checked_fixture(limits, setup, NULL);
	tcase_add_test(core, test_first_allocation);
	tcase_add_test(core, test_order_sequence);
	tcase_add_test(core, test_match_by_symbol);
	tcase_add_test(core, test_price_by_id_before_symbol);
	tcase_add_test(core, test_rounding_floor);
	tcase_add_test(core, test_too_small_for_a_share);
	tcase_add_test(core, test_funds_shrink);
	tcase_add_test(core, test_sell_proceeds_fund_buys);
	tcase_add_test(core, test_funds_derived);
	tcase_add_test(core, test_dust);
	tcase_add_test(core, test_write_orders);
	tcase_add_test(core, test_read_files);
	tcase_add_test(core, test_skip_stale);
	tcase_add_test(core, test_working_orders);
	tcase_add_test(core, test_never_short);
	tcase_add_test(core, test_commit_limit);
	tcase_add_test(core, test_remnants);
	tcase_add_test(errors, test_close_against_return);
	tcase_add_test(errors, test_quantity_range);
	tcase_add_test(errors, test_read_strict);
	tcase_add_test(seq, test_invariant_sequences);
	tcase_add_test(errors, test_risk_rules);
	tcase_add_test(errors, test_reference_prices);
	tcase_add_test(errors, test_refusals_of_data);
	tcase_add_test(errors, test_read_errors);
	tcase_add_test(errors, test_error_codes);
	tcase_add_test(limits, test_many_names);
	tcase_add_test(limits, test_empty_book);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	tcase_add_checked_fixture(seq, setup, NULL);
	tcase_set_timeout(seq, 120);
	suite_add_tcase(s, seq);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(portfolio_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
