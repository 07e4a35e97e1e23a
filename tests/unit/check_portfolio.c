/* Unit tests for lib/portfolio: sizing, matching, dust, funds and the risk rules, on hand-worked books. */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "portfolio.h"

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

	ck_assert_int_eq(pf_add_target(b, "1", "AAA", 0.5), 0);
	ck_assert_int_eq(pf_add_target(b, "2", "CCC", 0.5), 0);
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "CCC", D24, 33.33, NAN, D25, 0);
	p.max_weight = 0.5;
	pf_plan(b, &p);
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

	pf_add_position(b, "9", "OLD", 100);
	pf_add_position(b, "8", "OLD2", 10);
	pf_add_target(b, "1", "AAA", 0.5);
	pf_add_target(b, "2", "BBB", 0.5);
	pf_add_price(b, "9", "OLD", D24, 10, NAN, D25, 0);
	pf_add_price(b, "8", "OLD2", D24, 500, NAN, D25, 0);
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 7, NAN, D25, 0);
	p.funds = 100000 - 1000 - 5000;
	pf_plan(b, &p);
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
	ck_assert_int_eq(pf_add_position(b, "265598", "AAA", 40), 0);
	ck_assert_int_eq(pf_add_target(b, "14593", "AAA", 1), 0);
	ck_assert_uint_eq(pf_count(b), 1);
	pf_add_price(b, "14593", "AAA", D24, 100, NAN, D25, 0);
	p.max_weight = 1;
	pf_plan(b, &p);
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

	pf_add_target(b, "1", "AAA", 1);
	/* a later row under the same ticker but another id is another security */
	pf_add_price(b, "1", "AAA", D24 - 1, 20, NAN, D25, 0);
	pf_add_price(b, "7", "AAA", D24, 999, NAN, D25, 0);
	/* a row on the trade date itself is not known yet when the orders are made */
	pf_add_price(b, "1", "AAA", D25, 25, NAN, D25, 0);
	struct pf_params p = params(1000);
	p.max_weight = 1;
	pf_plan(b, &p);
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
	pf_add_target(b, "F", "FFF", 0.11);
	pf_add_target(b, "H", "HHH", 0.89);
	pf_add_price(b, "F", "FFF", D24, 1.1, NAN, D25, 0);
	pf_add_price(b, "H", "HHH", D24, 3, NAN, D25, 0);
	p.buffer = 0;
	p.max_weight = 1;
	pf_plan(b, &p);
	ck_assert_int_eq(find(b, "FFF")->target, 100);
	ck_assert_int_eq(find(b, "HHH")->target, 296); /* 890 / 3 = 296.67 */
	pf_free(b);
}
END_TEST

START_TEST(test_too_small_for_a_share)
{
	pf_book *b = pf_new();
	struct pf_params p = params(1000);

	pf_add_target(b, "1", "BRK", 0.2);
	pf_add_target(b, "2", "AAA", 0.8);
	pf_add_price(b, "1", "BRK", D24, 700000, NAN, D25, 0);
	pf_add_price(b, "2", "AAA", D24, 10, NAN, D25, 0);
	p.max_weight = 1;
	pf_plan(b, &p);
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

	pf_add_target(b, "1", "AAA", 0.5);
	pf_add_target(b, "2", "BBB", 0.5);
	pf_add_price(b, "1", "AAA", D24, 10, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 20, NAN, D25, 0);
	p.funds = 6000;
	pf_plan(b, &p);
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

	pf_add_position(b, "9", "OLD", 100);
	pf_add_target(b, "1", "AAA", 1);
	pf_add_price(b, "9", "OLD", D24, 50, NAN, D25, 0);
	pf_add_price(b, "1", "AAA", D24, 10, NAN, D25, 0);
	p.max_weight = 1;
	p.funds = 5000; /* the other half is in OLD */
	pf_plan(b, &p);
	ck_assert_int_eq(find(b, "AAA")->qty, 980);
	ck_assert_int_eq(find(b, "AAA")->why, PF_BUY);
	pf_free(b);
}
END_TEST

START_TEST(test_funds_derived)
{
	pf_book *b = pf_new();
	struct pf_params p = params(10000);

	pf_add_position(b, "1", "AAA", 100);
	pf_add_target(b, "1", "AAA", 1);
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	p.funds = NAN; /* no account record: cash = capital - value held */
	p.max_weight = 1;
	pf_plan(b, &p);
	ck_assert_double_eq_tol(pf_totals(b)->funds, 5000, 1e-9);
	ck_assert_int_eq(find(b, "AAA")->qty, 96);
	pf_free(b);
}
END_TEST

START_TEST(test_dust)
{
	pf_book *b = pf_new();
	struct pf_params p = params(100000);

	pf_add_position(b, "1", "AAA", 480); /* 490 wanted: 500 of value, 0.005 of capital */
	pf_add_position(b, "2", "BBB", 243); /* 245 wanted: 200 of value */
	pf_add_position(b, "3", "OUT", 1);   /* a 10-dollar remnant */
	pf_add_target(b, "1", "AAA", 0.25);
	pf_add_target(b, "2", "BBB", 0.25);
	pf_add_target(b, "4", "CCC", 0.5);
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 100, NAN, D25, 0);
	pf_add_price(b, "3", "OUT", D24, 10, NAN, D25, 0);
	pf_add_price(b, "4", "CCC", D24, 100, NAN, D25, 0);
	p.min_notional = 400;
	p.min_weight_change = 0.006;
	p.max_weight = 0.5;
	pf_plan(b, &p);
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

	pf_add_position(b, "9", "OLD", 3);
	pf_add_target(b, "1", "AAA", 1);
	pf_add_price(b, "9", "OLD", D24, 10, NAN, D25, 0);
	pf_add_price(b, "1", "AAA", D24, 101.2, NAN, D25, 0);
	p.max_weight = 1;
	pf_plan(b, &p);
	fp = open_memstream(&text, &len);
	ck_assert_int_eq(pf_write_orders(b, fp, D24, D25, "lo-csmom", "MKT", "OPG"), 0);
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
	ck_assert_int_eq(pf_read_weights(b, fp, "w.csv", INT_MAX, &date), 0);
	fclose(fp);
	ck_assert_int_eq(date, D24);
	fp = fmemopen((void *)a, strlen(a), "r");
	ck_assert_int_eq(pf_read_account(b, fp, "a.ndjson", &acct), 0);
	fclose(fp);
	ck_assert_str_eq(acct.account, "DU1");
	ck_assert_double_eq(acct.net_liquidation, 5000);
	ck_assert_double_eq(acct.available_funds, 4000);
	ck_assert_uint_eq(acct.positions, 1);
	fp = fmemopen((void *)px, strlen(px), "r");
	ck_assert_int_eq(pf_read_prices(b, fp, "p.csv", D25, 0), 0);
	fclose(fp);
	ck_assert_uint_eq(pf_count(b), 2);
	ck_assert_int_eq(find(b, "AAA")->held, 7);
	struct pf_params p = params(5000);
	p.max_weight = 0.5;
	pf_plan(b, &p);
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

	pf_add_position(b, "2", "OLD", 10);
	pf_add_target(b, "1", "AAA", 1);
	pf_add_price(b, "1", "AAA", D24 - 3, 10, NAN, D25, 0);
	pf_add_price(b, "2", "OLD", D24, 10, NAN, D25, 0);
	p.max_weight = 1;
	pf_plan(b, &p);
	ck_assert_uint_eq(check(b, &p), 1); /* AAA is stale: refused */
	p.skip_stale = 1;
	pf_plan(b, &p);
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

	pf_add_target(b, "1", "AAA", 0.6);
	pf_add_target(b, "2", "BBB", 0.3);
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 100, NAN, D25, 0);
	p.max_weight = 0.4;
	pf_plan(b, &p);
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

	pf_add_target(b, "1", "AAA", 0.5);
	pf_add_target(b, "2", "BBB", 0.5);
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 10, NAN, D25, 0);
	pf_add_price(b, "1", "AAA", D24, 49, NAN, D25, 1);
	pf_add_price(b, "2", "BBB", D24, 5, NAN, D25, 1); /* an unadjusted 2:1 split in one source */
	p.use_ref = 1;
	p.max_weight = 0.5;
	pf_plan(b, &p);
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

	pf_add_target(b, "1", "A:B", 0.5);
	pf_add_target(b, "2", "NEG", -0.5);
	pf_add_target(b, "3", "NOPX", 1);
	pf_add_target(b, "5", "OK B", 0); /* not traded: its symbol does not matter */
	pf_add_position(b, "4", "BRK B", 1);
	pf_add_price(b, "1", "A:B", D24, 5, NAN, D25, 0);
	pf_add_price(b, "4", "BRK B", D24, 5, NAN, D25, 0);
	pf_add_price(b, "2", "NEG", D24, 5, NAN, D25, 0);
	p.max_weight = 1;
	p.max_gross = 2;
	p.gross = 2;
	pf_plan(b, &p);
	ck_assert_uint_eq(check(b, &p), 4);
	ck_assert_ptr_nonnull(strstr(last_report, "BRK B' cannot be part of a client_id"));
	ck_assert_int_eq(pf_add_target(b, "1", "X", 0.1), -1);
	ck_assert_ptr_nonnull(strstr(pf_error(b), "second target"));
	ck_assert_int_eq(pf_add_position(b, "", "", 1), -1);
	ck_assert_int_eq(pf_add_position(b, "", "NEG", 1), 0);
	ck_assert_int_eq(pf_add_position(b, "2", "OTHER", 1), -1);
	ck_assert_ptr_nonnull(strstr(pf_error(b), "held twice"));
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
		ck_assert_int_eq(pf_read_weights(b, fp, "w.csv", INT_MAX, &date), -1);
		ck_assert_msg(strncmp(pf_error(b), weights[i].want, strlen(weights[i].want)) == 0, "%s: got %s",
		    weights[i].want, pf_error(b));
		fclose(fp);
		pf_free(b);
	}
	for (i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
		pf_book *b = pf_new();

		fp = fmemopen((void *)accounts[i].text, strlen(accounts[i].text), "r");
		ck_assert_int_eq(pf_read_account(b, fp, "a", &acct), -1);
		ck_assert_msg(strncmp(pf_error(b), accounts[i].want, strlen(accounts[i].want)) == 0,
		    "%s: got %s", accounts[i].want, pf_error(b));
		fclose(fp);
		pf_free(b);
	}
}
END_TEST


/* ---- Working orders, the NAV invariant, prices against returns (issue 14) ---- */

/* Read an account NDJSON text into b. */
static int
read_account_text(pf_book *b, const char *text, struct pf_account *acct)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc = pf_read_account(b, fp, "a.ndjson", acct);

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

	ck_assert_int_eq(pf_add_target(b, "1", "AAA", 0.25), 0);
	ck_assert_int_eq(pf_add_target(b, "2", "BBB", 0.25), 0);
	ck_assert_int_eq(pf_add_target(b, "3", "CCC", 0.25), 0);
	ck_assert_int_eq(read_account_text(b, a, &acct), 0);
	ck_assert_uint_eq(acct.working, 3); /* Filled, and Inactive once transmitted (rejected), are done */
	pf_add_price(b, "1", "AAA", D24, 50, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 50, NAN, D25, 0);
	pf_add_price(b, "3", "CCC", D24, 50, NAN, D25, 0);
	p.buffer = 0;
	p.gross = 0.75;
	p.strategy = "s";
	p.decided = D24;
	pf_plan(b, &p);
	ck_assert_uint_eq(check(b, &p), 0);
	/* targets 50 shares each: AAA's older staged BUY is superseded, so a new BUY of 50; BBB holds 15
	 * more to come from another strategy: 35; CCC's own BUY of this decision: 40 */
	ck_assert_int_eq(find(b, "AAA")->qty, 50);
	ck_assert_int_eq(find(b, "BBB")->qty, 35);
	ck_assert_int_eq(find(b, "CCC")->qty, 40);
	ck_assert_ptr_nonnull(pf_working(b, 0, &kind));
	ck_assert_int_eq(kind, PF_WORK_SUPERSEDE);
	pf_working(b, 1, &kind);
	ck_assert_int_eq(kind, PF_WORK_OTHER);
	pf_working(b, 2, &kind);
	ck_assert_int_eq(kind, PF_WORK_SAME);
	ck_assert_uint_eq(pf_totals(b)->supersede, 1);
	/* funds: 10000 less the counted working BUYs (15 + 10) x 50 = 8750; the batch spends 125 x 50 */
	ck_assert_double_eq_tol(pf_totals(b)->funds, 8750, 1e-9);
	ck_assert_double_eq_tol(pf_totals(b)->committed, 150 * 50, 1e-9);
	fp = open_memstream(&text, &len);
	ck_assert_int_eq(pf_write_orders(b, fp, D24, D25, "s", "MKT", "OPG"), 0);
	fclose(fp);
	ck_assert_ptr_nonnull(strstr(text, "{\"type\":\"supersede\",\"client_id\":\"2026-11-23:s:AAA:BUY\",\"symbol\":"
	    "\"AAA\",\"side\":\"BUY\",\"qty\":50,\"filled\":0,\"remaining\":50,\"status\":\"Inactive\",\"order_id\":7}\n"));
	ck_assert_int_eq(strncmp(text, "{\"type\":\"supersede\"", 19), 0); /* first, before any order */
	free(text);

	/* a working order of this strategy from a later decision: this one is stale, refused */
	p.decided = D24 - 1;
	pf_plan(b, &p);
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
	ck_assert_int_eq(pf_add_target(b, "1", "AAA", 1), 0);
	ck_assert_int_eq(pf_add_working(b, &w), 0);
	/* held 100 with 30 already selling: an exit sells the 70 left, not 100 */
	ck_assert_int_eq(pf_add_position(b, "2", "OLD", 100), 0);
	w.symbol = "OLD";
	w.side = -1;
	w.qty = w.remaining = 30;
	ck_assert_int_eq(pf_add_working(b, &w), 0);
	pf_add_price(b, "1", "AAA", D24, 10, NAN, D25, 0);
	pf_add_price(b, "XXX", "XXX", D24, 10, NAN, D25, 0);
	pf_add_price(b, "2", "OLD", D24, 10, NAN, D25, 0);
	p.strategy = "s";
	p.decided = D24;
	pf_plan(b, &p);
	ck_assert_int_eq(find(b, "XXX")->qty, 0);
	ck_assert_int_eq(find(b, "XXX")->why, PF_NO_SHORT);
	ck_assert_int_eq(find(b, "OLD")->qty, -70);
	/* bad orders are errors */
	w.remaining = 31;
	ck_assert_int_eq(pf_add_working(b, &w), -1);
	w.remaining = 1;
	w.side = 0;
	ck_assert_int_eq(pf_add_working(b, &w), -1);
	pf_free(b);
}
END_TEST

/* The invariant at its edge: capital above the NAV (a --capital larger than the account) buys beyond it. */
START_TEST(test_commit_limit)
{
	pf_book *b = pf_new();
	struct pf_params p = params(20000);

	ck_assert_int_eq(pf_add_target(b, "1", "AAA", 1), 0);
	pf_add_price(b, "1", "AAA", D24, 10, NAN, D25, 0);
	p.nav = 10000;
	p.buffer = 0;
	p.funds = 20000;
	p.max_weight = 1;
	pf_plan(b, &p);
	ck_assert_uint_eq(check(b, &p), 1);
	ck_assert_ptr_nonnull(strstr(last_report, "above NAV x (1 + --margin 0 + --commit-tolerance 0.02)"));
	p.margin = 1; /* borrowing allowed: 2 x NAV */
	pf_plan(b, &p);
	ck_assert_uint_eq(check(b, &p), 0);
	/* the funds: margin x NAV on top of the cash, nothing more */
	p.funds = 5000;
	p.margin = 0.5;
	pf_plan(b, &p);
	ck_assert_int_eq(find(b, "AAA")->qty, 1000);
	pf_free(b);
}
END_TEST

/* Item 2: a close 100x too low against its own return; a 2-for-1 split explains itself; a dividend day
 * within the gap passes. Expectations: close_t = close_{t-1} x (1 + ret_t) for total returns
 * (sti-formats(5); CRSP's RET definition in reference/wrds-crsp.md), divided by n after an n-for-1 split. */
START_TEST(test_close_against_return)
{
	pf_book *b = pf_new();
	struct pf_params p = params(100000);

	ck_assert_int_eq(pf_add_target(b, "1", "BAD", 0.25), 0);
	ck_assert_int_eq(pf_add_target(b, "2", "SPL", 0.25), 0);
	ck_assert_int_eq(pf_add_target(b, "3", "DIV", 0.25), 0);
	ck_assert_int_eq(pf_add_target(b, "4", "REV", 0.25), 0);
	pf_add_price(b, "1", "BAD", D24 - 1, 160, NAN, D25, 0);
	pf_add_price(b, "1", "BAD", D24, 1.62, 0.0125, D25, 0);     /* 162 printed as 1.62 */
	pf_add_price(b, "2", "SPL", D24 - 1, 300, NAN, D25, 0);
	pf_add_price(b, "2", "SPL", D24, 151.5, 0.01, D25, 0);      /* 2-for-1: 303 / 2 */
	pf_add_price(b, "3", "DIV", D24 - 1, 50, NAN, D25, 0);
	pf_add_price(b, "3", "DIV", D24, 49, 0.01, D25, 0);         /* a $1.50 dividend */
	pf_add_price(b, "4", "REV", D24 - 1, 0.5, NAN, D25, 0);
	pf_add_price(b, "4", "REV", D24, 5.1, 0.02, D25, 0);        /* 1-for-10 reverse split */
	pf_plan(b, &p);
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

	ck_assert_int_eq(pf_add_target(b, "1", "TINY", 0.25), 0);
	ck_assert_int_eq(pf_add_target(b, "2", "BIG", 0.25), 0);
	ck_assert_int_eq(pf_add_target(b, "3", "OK", 0.5), 0);
	pf_add_price(b, "1", "TINY", D24, 1e-300, NAN, D25, 0);
	pf_add_price(b, "2", "BIG", D24, 0.01, NAN, D25, 0);   /* 24.5M shares */
	pf_add_price(b, "3", "OK", D24, 10, NAN, D25, 0);
	p.max_weight = 0.5;
	pf_plan(b, &p);
	ck_assert_int_eq(find(b, "TINY")->why, PF_BAD_PRICE);
	ck_assert_int_eq(find(b, "TINY")->qty, 0);
	ck_assert_int_eq(find(b, "TINY")->target, 0);
	ck_assert_int_eq(find(b, "BIG")->why, PF_BAD_PRICE);
	ck_assert_uint_eq(check(b, &p), 2);
	ck_assert_ptr_nonnull(strstr(last_report, "above --max-shares 1000000"));
	p.max_shares = 1e8;
	pf_plan(b, &p);
	ck_assert_int_eq(find(b, "BIG")->qty, 24500000);
	ck_assert_int_eq(find(b, "TINY")->why, PF_BAD_PRICE);
	ck_assert_int_eq(pf_add_position(b, "9", "HUGE", 2000000000000000LL), -1);
	pf_free(b);
}
END_TEST

/* Item 8: a cut BUY is dust again; a SELL whose target rounds to 0 shares closes the position. */
START_TEST(test_remnants)
{
	pf_book *b = pf_new();
	struct pf_params p = params(100000);

	ck_assert_int_eq(pf_add_target(b, "1", "AAA", 0.5), 0);
	ck_assert_int_eq(pf_add_target(b, "2", "BBB", 0.4999), 0);
	ck_assert_int_eq(pf_add_target(b, "3", "CCC", 0.0001), 0);  /* $9.80 buys no $50 share */
	ck_assert_int_eq(pf_add_position(b, "3", "CCC", 1), 0);
	pf_add_price(b, "1", "AAA", D24, 10, NAN, D25, 0);
	pf_add_price(b, "2", "BBB", D24, 10, NAN, D25, 0);
	pf_add_price(b, "3", "CCC", D24, 50, NAN, D25, 0);
	p.funds = 49050;      /* AAA's 4900 shares fit, 50 + the CCC proceeds for BBB: 10 shares = $100 */
	p.min_notional = 200;
	pf_plan(b, &p);
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

	ck_assert_int_eq(read_account_text(b, two, &acct), -1);
	ck_assert_str_eq(pf_error(b), "a.ndjson:2: type: a second account record (the first is on line 1)");
	ck_assert_int_eq(read_account_text(b, bom, &acct), 0);
	ck_assert_double_eq(acct.net_liquidation, 5);
	fp = fmemopen((void *)dup, strlen(dup), "r");
	ck_assert_int_eq(pf_read_prices(b, fp, "p.csv", D25, 0), -1);
	fclose(fp);
	ck_assert_str_eq(pf_error(b), "p.csv:3: id: duplicate row for this date and id");
	fp = fmemopen((void *)unsorted, strlen(unsorted), "r");
	ck_assert_int_eq(pf_read_prices(b, fp, "p.csv", D25, 0), -1);
	fclose(fp);
	ck_assert_str_eq(pf_error(b), "p.csv:3: date: not sorted by date, then id");
	fp = fmemopen((void *)sorted, strlen(sorted), "r"); /* ids compare as numbers: 9 before 10 */
	ck_assert_int_eq(pf_read_prices(b, fp, "p.csv", D25, 0), 0);
	fclose(fp);
	pf_free(b);
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
		ck_assert_int_eq(pf_add_target(b, id, sym, 1.0 / 5000), 0);
		pf_add_price(b, id, sym, D24, 10 + i % 7, NAN, D25, 0);
	}
	for (i = 2500; i < 7500; i++) {
		snprintf(id, sizeof id, "%d", i);
		snprintf(sym, sizeof sym, "S%d", i);
		ck_assert_int_eq(pf_add_position(b, id, sym, 100), 0);
		pf_add_price(b, id, sym, D24, 10 + i % 7, NAN, D25, 0);
	}
	ck_assert_uint_eq(pf_count(b), 7500);
	pf_plan(b, &p);
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

	pf_plan(b, &p);
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
	tcase_add_test(errors, test_risk_rules);
	tcase_add_test(errors, test_reference_prices);
	tcase_add_test(errors, test_refusals_of_data);
	tcase_add_test(errors, test_read_errors);
	tcase_add_test(limits, test_many_names);
	tcase_add_test(limits, test_empty_book);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
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
