/* Unit tests of lib/tws: the exact byte sequences of ../shared/reference/tws-api.md, a round trip of every
 * message, malformed input, and the client against a scripted server thread. */
#include <check.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/socket.h>
#include <unistd.h>

#include "num.h"
#include "tws/client.h"
#include "tws/pace.h"
#include "tws/msg.h"
#include "tws/wire.h"

/* Build a frame from a '|'-separated field list (each field followed by NUL), as the reference writes. */
static size_t
frame_of(const char *bars, char *out)
{
	size_t n = strlen(bars), i;

	for (i = 0; i < n; i++)
		out[4 + i] = bars[i] == '|' ? '\0' : bars[i];
	out[0] = (char)(n >> 24);
	out[1] = (char)(n >> 16);
	out[2] = (char)(n >> 8);
	out[3] = (char)n;
	return n + 4;
}

/* Parse the single frame in b into m. */
static void
parse_one(const tws_wbuf *b, tws_msg *m)
{
	const char *p;
	size_t plen;

	ck_assert_int_eq(tws_frame_split(b->p, b->len, &p, &plen), (long)b->len);
	ck_assert_int_eq(tws_msg_parse(m, p, plen), 0);
}

static void
parse_bars(const char *bars, char *buf, tws_msg *m)
{
	size_t n = frame_of(bars, buf);
	const char *p;
	size_t plen;

	ck_assert_int_eq(tws_frame_split(buf, n, &p, &plen), (long)n);
	ck_assert_int_eq(tws_msg_parse(m, p, plen), 0);
}

static void
assert_bytes(const tws_wbuf *b, const char *bars)
{
	char want[4096];
	size_t n = frame_of(bars, want);

	ck_assert_uint_eq(b->len, n);
	ck_assert(memcmp(b->p, want, n) == 0);
}

static void golden_stock(tws_contract *c);

/* ================================ Core: the reference's byte sequences ================================ */

START_TEST(test_client_hello)
{
	tws_wbuf b;

	tws_wbuf_init(&b);
	tws_hs_client_hello(&b, 100, 178, NULL);
	ck_assert_uint_eq(b.len, 4 + 4 + 9);
	ck_assert(memcmp(b.p, "API\0\0\0\0\x09v100..178", 17) == 0);
	tws_wbuf_free(&b);
	tws_hs_client_hello(&b, 157, 178, "+PACEAPI");
	ck_assert(memcmp(b.p + 8, "v157..178 +PACEAPI", 18) == 0);
	tws_wbuf_free(&b);
}
END_TEST

START_TEST(test_server_parse_hello)
{
	int lo = 0, hi = 0;
	char err[64];

	ck_assert_int_eq(tws_hs_server_parse("API\0\0\0\0\x09v100..178", 17, &lo, &hi, err, sizeof err), 17);
	ck_assert_int_eq(lo, 100);
	ck_assert_int_eq(hi, 178);
	ck_assert_int_eq(tws_hs_server_parse("API\0\0\0\0\x09v100..1", 15, &lo, &hi, err, sizeof err), 0);
	ck_assert_int_eq(tws_hs_server_parse("API\0\0\0\0\x12v157..178 +PACEAPI", 26, &lo, &hi, err, sizeof err), 26);
	ck_assert_int_eq(lo, 157);
}
END_TEST

START_TEST(test_server_reply)
{
	tws_wbuf b;

	tws_wbuf_init(&b);
	tws_hs_server_reply(&b, 176, "20230228 17:24:14 EST");
	ck_assert_uint_eq(b.len, 0x1a + 4);
	ck_assert(memcmp(b.p, "\0\0\0\x1a" "176\0" "20230228 17:24:14 EST\0", 30) == 0);
	tws_wbuf_free(&b);
}
END_TEST

START_TEST(test_start_api)
{
	tws_wbuf b;
	tws_msg m;
	int id;
	char cap[16];

	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_start_api(&b, 7, "");
	assert_bytes(&b, "71|2|7||");
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_start_api(&m, &id, cap, sizeof cap), 0);
	ck_assert_int_eq(id, 7);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_next_valid_id_and_accounts)
{
	char buf[256], acct[64];
	tws_msg m;
	tws_wbuf b;
	long long id;

	tws_msg_init(&m);
	tws_wbuf_init(&b);
	parse_bars("9|1|117|", buf, &m);
	ck_assert_int_eq(tws_msg_id(&m), TWS_IN_NEXT_VALID_ID);
	ck_assert_int_eq(tws_dec_next_valid_id(&m, &id), 0);
	ck_assert_int_eq(id, 117);
	tws_enc_next_valid_id(&b, 117);
	assert_bytes(&b, "9|1|117|");
	parse_bars("15|1|DU1234567|", buf, &m);
	ck_assert_int_eq(tws_dec_managed_accts(&m, acct, sizeof acct), 0);
	ck_assert_str_eq(acct, "DU1234567");
	b.len = 0;
	tws_enc_managed_accts(&b, "DU1234567");
	assert_bytes(&b, "15|1|DU1234567|");
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_notice)
{
	char buf[256];
	tws_msg m;
	tws_error e;
	tws_wbuf b;

	tws_msg_init(&m);
	tws_wbuf_init(&b);
	parse_bars("4|2|-1|2104|Market data farm connection is OK:usfarm||", buf, &m);
	ck_assert_int_eq(tws_dec_error(&m, &e), 0);
	ck_assert_int_eq(e.id, -1);
	ck_assert_int_eq(e.code, 2104);
	ck_assert_str_eq(e.msg, "Market data farm connection is OK:usfarm");
	ck_assert(tws_error_is_notice(e.code));
	ck_assert(!tws_error_is_notice(162));
	/* IB's message codes: 2100-2169 are warnings and farm status, 1100 the link lost, 1101/1102 back;
	 * 404 holds an order for a locate; ib_async takes 2100-2199, 399, 404 and 10167 as warnings; 10349
	 * (TIF set by a preset) arrives for working orders (issue 15). Failures: 162, 200, 201, 202, 321. */
	for (int c = 2100; c < 2200; c++)
		ck_assert_msg(tws_error_is_notice(c), "code %d", c);
	ck_assert_int_eq(tws_code_kind(2104), TWS_CODE_NOTICE);
	ck_assert_int_eq(tws_code_kind(2109), TWS_CODE_WARNING);
	ck_assert_int_eq(tws_code_kind(399), TWS_CODE_WARNING);
	ck_assert_int_eq(tws_code_kind(404), TWS_CODE_WARNING);
	ck_assert_int_eq(tws_code_kind(10349), TWS_CODE_WARNING);
	ck_assert_int_eq(tws_code_kind(10167), TWS_CODE_NOTICE);
	ck_assert_int_eq(tws_code_kind(1100), TWS_CODE_LINK_LOST);
	ck_assert_int_eq(tws_code_kind(1101), TWS_CODE_LINK_BACK);
	ck_assert_int_eq(tws_code_kind(1102), TWS_CODE_LINK_BACK);
	ck_assert(!tws_error_is_notice(1100));
	ck_assert(tws_error_is_notice(1101) && tws_error_is_notice(1102));
	for (size_t i = 0; i < 7; i++) {
		static const int fail[] = { 162, 200, 201, 202, 321, 326, 103 };
		ck_assert_int_eq(tws_code_kind(fail[i]), TWS_CODE_FAILURE);
		ck_assert(!tws_error_is_notice(fail[i]));
	}
	ck_assert_str_eq(tws_code_what(404), "order held for a locate");
	ck_assert_str_eq(tws_code_what(201), "error");
	tws_enc_error(&b, &e);
	assert_bytes(&b, "4|2|-1|2104|Market data farm connection is OK:usfarm||");
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_order_status_capture)
{
	const char *cap = "3|216|Filled|3000|0|1.08725|1351823369|0|1.08725|2||0|";
	char buf[256];
	tws_msg m;
	tws_order_status s;
	tws_wbuf b;

	tws_msg_init(&m);
	tws_wbuf_init(&b);
	parse_bars(cap, buf, &m);
	ck_assert_int_eq(tws_dec_order_status(&m, &s), 0);
	ck_assert_int_eq(s.order_id, 216);
	ck_assert_str_eq(s.status, "Filled");
	ck_assert(s.filled == 3000 && s.remaining == 0);
	ck_assert(s.avg_fill_price == 1.08725 && s.last_fill_price == 1.08725);
	ck_assert_int_eq(s.perm_id, 1351823369);
	ck_assert_int_eq(s.client_id, 2);
	ck_assert_str_eq(s.why_held, "");
	tws_enc_order_status(&b, &s);
	assert_bytes(&b, cap);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

/* OPEN_ORDER as a real gateway at server version 176 sent it (API 10.19; nautilus_trader,
 * tests/integration_tests/adapters/interactive_brokers/resources/responses/open_order_1.txt): 136 fields,
 * faProfile after faPercentage, deltaNeutralOrderType "None" (non-empty, so its eight attributes follow, as
 * the official orderdecoder.py reads them), the five PEG BEST/PEG MID fields of version 170 at the end. Read
 * as version 178 (no faProfile) every field after faPercentage is one off: the failure real 10.19 gateways
 * caused. */
START_TEST(test_open_order_capture_176)
{
	static const char cap[] =
	    "5|190|756733|SPY|STK||0|?||SMART|USD|SPY|SPY|BUY|1000|MKT|0.0|0.0|IOC||DU1234567||0|O-20231203-1921-"
	    "001-000-2:190|2|1351823328|0|0|0||1351823328.0/DU1234567/100||||||||||0||-1|0||||||2147483647|0|0|0|"
	    "|3|0|0||0|0||0|None||0||||?|0|0||0|0||||||0|0|0|2147483647|2147483647|||0||IB|0|0||0|0|PendingCancel"
	    "|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.79769"
	    "31348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623"
	    "157E308||||||0|0|0|None|1.7976931348623157E308|1.7976931348623157E308|1.7976931348623157E308|1.79769"
	    "31348623157E308|1.7976931348623157E308|1.7976931348623157E308|0||||0|1|0|0|0|||0||||||";
	static char buf[2048];
	tws_msg m;
	tws_open_order x;

	tws_msg_init(&m);
	parse_bars(cap, buf, &m);
	ck_assert_int_eq(m.n, 136);
	ck_assert_int_eq(tws_dec_open_order_v(&m, &x, 176), 0);
	ck_assert_int_eq(x.order.order_id, 190);
	ck_assert_int_eq(x.contract.con_id, 756733);
	ck_assert_str_eq(x.contract.symbol, "SPY");
	ck_assert_str_eq(x.order.action, "BUY");
	ck_assert(x.order.qty == 1000);
	ck_assert_str_eq(x.order.order_type, "MKT");
	ck_assert_str_eq(x.order.tif, "IOC");
	ck_assert_str_eq(x.order.account, "DU1234567");
	ck_assert_str_eq(x.order.order_ref, "O-20231203-1921-001-000-2:190");
	ck_assert_int_eq(x.order.client_id, 2);
	ck_assert_int_eq(x.order.perm_id, 1351823328);
	ck_assert_int_eq(x.order.parent_id, 0);
	ck_assert_str_eq(x.status, "PendingCancel");
	ck_assert(x.commission == TWS_UNSET_DOUBLE);
	ck_assert_str_eq(x.warning, "");
	/* the same bytes read with 177's layout go wrong */
	ck_assert(tws_dec_open_order_v(&m, &x, 177) < 0 || strcmp(x.status, "PendingCancel") != 0);
	tws_msg_free(&m);
}
END_TEST

/* EXECUTION_DATA from the same version-176 gateway (execution_details_1.txt there): no
 * pendingPriceRevision, which came with 178. */
START_TEST(test_exec_capture_176)
{
	static const char cap[] = "11|-1|215|12087792|EUR|CASH||0.0|||IDEALPRO|USD|EUR.USD|EUR.USD|"
	    "0000e215.656d0000.01.01|20231203 20:15:20 US/Eastern|DU5524716|IDEALPRO|BOT|1000|1.08735|1351823368|2|"
	    "0|1000|1.08735|O-20231204-0115-001-000-3:215||||2|";
	static char buf[512];
	tws_msg m;
	tws_exec e;
	tws_wbuf b;

	tws_msg_init(&m);
	tws_wbuf_init(&b);
	parse_bars(cap, buf, &m);
	ck_assert_int_eq(tws_dec_exec(&m, &e), 0);
	ck_assert_int_eq(e.req_id, -1);
	ck_assert_int_eq(e.order_id, 215);
	ck_assert_str_eq(e.exec_id, "0000e215.656d0000.01.01");
	ck_assert_str_eq(e.time, "20231203 20:15:20 US/Eastern");
	ck_assert_str_eq(e.side, "BOT");
	ck_assert(e.shares == 1000 && e.price == 1.08735);
	ck_assert_int_eq(e.last_liquidity, 2);
	ck_assert_int_eq(e.pending_price_revision, 0);
	ck_assert_int_eq(tws_r_left(&m), 0);
	/* written back at 176: the same 31 fields */
	tws_enc_exec_v(&b, &e, 176);
	parse_one(&b, &m);
	ck_assert_int_eq(m.n, 31);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

/* Error texts from version 153 on are \\uXXXX-escaped; the official decoders unescape them
 * (EDecoder.decodeUnicodeEscapedString, decoder.py with "unicode-escape"). Below 153 they are raw. */
START_TEST(test_error_unescape)
{
	char buf[512], s[64];
	tws_msg m;
	tws_error e;

	tws_msg_init(&m);
	parse_bars("4|2|17|201|Order rejected - reason:Der Auftrag \\u00fcberschreitet 10\\u20ac \\ud83d\\ude00||", buf, &m);
	ck_assert_int_eq(tws_dec_error_v(&m, &e, 178), 0);
	ck_assert_str_eq(e.msg, "Order rejected - reason:Der Auftrag \xc3\xbc" "berschreitet 10\xe2\x82\xac \xf0\x9f\x98\x80");
	/* a version the escaping does not apply to: read as sent */
	ck_assert_int_eq(tws_dec_error_v(&m, &e, 152), 0);
	ck_assert_str_eq(e.msg, "Order rejected - reason:Der Auftrag \\u00fcberschreitet 10\\u20ac \\ud83d\\ude00");
	/* malformed or short escapes stay; a lone surrogate becomes U+FFFD; \\u0000 is dropped */
	strcpy(s, "a\\u12 b\\uzzzz c\\ud800 d\\u0000e\\u");
	tws_unescape(s);
	ck_assert_str_eq(s, "a\\u12 b\\uzzzz c\xef\xbf\xbd de\\u");
	tws_msg_free(&m);
}
END_TEST

/* CONTRACT_DATA as a real version-176 gateway sent it (nautilus_trader,
 * tests/integration_tests/adapters/interactive_brokers/resources/responses/contract_details_eurusd.txt):
 * no version field (from 164 on), minSize, sizeIncrement and suggestedSizeIncrement at the end. */
START_TEST(test_contract_data_capture_176)
{
	static const char cap[] =
	    "10|10000|EUR|CASH||0||IDEALPRO|USD|EUR.USD|EUR.USD|EUR.USD|12087792|0.00005||ACTIVETIM,AD,ADJUST,ALE"
	    "RT,ALGO,ALLOC,AVGCOST,BASKET,CASHQTY,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,"
	    "IOC,LIT,LMT,MIT,MKT,NONALGO,OCA,REL,RELPCTOFS,SCALE,SCALERST,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAI"
	    "LMIT,WHATIF|IDEALPRO|1|0|European Monetary Union Euro||||||US/Eastern|;20231203:1715-20231204:1700;2"
	    "0231204:1715-20231205:1700;20231205:1715-20231206:1700;20231206:1715-20231207:1700;20231207:1715-202"
	    "31208:1700|;20231203:1715-20231204:1700;20231204:1715-20231205:1700;20231205:1715-20231206:1700;2023"
	    "1206:1715-20231207:1700;20231207:1715-20231208:1700|||0|4|||3188|||0.01|0.01|0.01|";
	static char buf[2048];
	tws_msg m;
	tws_contract_details d;

	tws_msg_init(&m);
	parse_bars(cap, buf, &m);
	ck_assert_int_eq(m.n, 40);
	ck_assert_int_eq(tws_dec_contract_data_v(&m, &d, 176), 0);
	ck_assert_int_eq(tws_r_left(&m), 0);
	ck_assert_int_eq(d.req_id, 10000);
	ck_assert_str_eq(d.contract.symbol, "EUR");
	ck_assert_str_eq(d.contract.sec_type, "CASH");
	ck_assert_str_eq(d.contract.exchange, "IDEALPRO");
	ck_assert_str_eq(d.contract.local_symbol, "EUR.USD");
	ck_assert_int_eq(d.contract.con_id, 12087792);
	ck_assert(d.min_tick == 0.00005);
	ck_assert_str_eq(d.long_name, "European Monetary Union Euro");
	ck_assert_str_eq(d.time_zone, "US/Eastern");
	/* read with a pre-164 layout (a version field first) it is refused or misread */
	ck_assert(tws_dec_contract_data_v(&m, &d, 163) < 0 || d.contract.con_id != 12087792);
	tws_msg_free(&m);
}
END_TEST

/* REQ_CONTRACT_DATA and CONTRACT_DATA at each layout between 157 and 178 (client.py reqContractDetails:
 * issuerId from 176; decoder.py processContractDataMsg: a version field and mdSizeMultiplier below 164,
 * sizeMinTick at 163 only, the three size rules from 164; 40 fields at 176 as the capture above): field
 * counts, and each decodes what it encodes. */
START_TEST(test_contract_data_versions)
{
	static const struct { int v, req, data; } want[] = {
		{ 157, 18, 39 }, { 163, 18, 40 }, { 164, 18, 40 }, { 175, 18, 40 }, { 176, 19, 40 }, { 178, 19, 40 },
	};
	tws_contract c, c2;
	tws_contract_details d, d2;
	tws_wbuf b;
	tws_msg m;
	int id;

	tws_msg_init(&m);
	golden_stock(&c);
	memset(&d, 0, sizeof d);
	d.req_id = 12;
	d.contract = c;
	strcpy(d.market_name, "NMS");
	d.min_tick = 0.01;
	strcpy(d.long_name, "APPLE INC");
	strcpy(d.industry, "Technology");
	strcpy(d.category, "Computers");
	strcpy(d.time_zone, "US/Eastern");
	strcpy(d.stock_type, "COMMON");
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		tws_wbuf_init(&b);
		tws_enc_req_contract_v(&b, 12, &c, want[i].v);
		parse_one(&b, &m);
		ck_assert_msg(m.n == want[i].req, "REQ_CONTRACT_DATA at %d: %d fields", want[i].v, m.n);
		ck_assert_int_eq(tws_dec_req_contract_v(&m, &id, &c2, want[i].v), 0);
		ck_assert_int_eq(id, 12);
		ck_assert(memcmp(&c, &c2, sizeof c) == 0);
		tws_wbuf_free(&b);
		tws_wbuf_init(&b);
		tws_enc_contract_data_v(&b, &d, want[i].v);
		parse_one(&b, &m);
		ck_assert_msg(m.n == want[i].data, "CONTRACT_DATA at %d: %d fields", want[i].v, m.n);
		ck_assert_int_eq(tws_dec_contract_data_v(&m, &d2, want[i].v), 0);
		ck_assert_int_eq(tws_r_left(&m), 0);
		ck_assert_str_eq(d2.contract.symbol, "AAPL");
		ck_assert_int_eq(d2.contract.con_id, 265598);
		ck_assert_str_eq(d2.contract.primary_exch, "NASDAQ");
		ck_assert_str_eq(d2.long_name, "APPLE INC");
		ck_assert_str_eq(d2.stock_type, "COMMON");
		tws_wbuf_free(&b);
	}
	tws_msg_free(&m);
}
END_TEST

/* reqAccountUpdates and its answers in the official layouts: REQ_ACCOUNT_DATA 6|2|subscribe|acctCode|
 * (EClient.reqAccountUpdates), ACCT_VALUE 6|2|key|value|currency|accountName|, PORTFOLIO_VALUE at version 8
 * (EDecoder.processPortfolioValueMsg: conId, symbol, secType, lastTradeDate, strike, right, multiplier,
 * primaryExchange, currency, localSymbol, tradingClass, position, marketPrice, marketValue, averageCost,
 * unrealizedPNL, realizedPNL, accountName; @stoqey/ib's decodeMsg_PORTFOLIO_VALUE reads the same),
 * ACCT_UPDATE_TIME 8|1|HH:MM| and ACCT_DOWNLOAD_END 54|1|account|. */
START_TEST(test_account_updates_layout)
{
	char buf[512], acct[32];
	tws_msg m;
	tws_wbuf b;
	tws_account_value v;
	tws_portfolio_value pv, back;
	int sub;

	tws_msg_init(&m);
	tws_wbuf_init(&b);
	tws_enc_req_account_updates(&b, 1, "DU1");
	assert_bytes(&b, "6|2|1|DU1|");
	parse_bars("6|2|0|DU7|", buf, &m);
	ck_assert_int_eq(tws_dec_req_account_updates(&m, &sub, acct, sizeof acct), 0);
	ck_assert_int_eq(sub, 0);
	ck_assert_str_eq(acct, "DU7");
	b.len = 0;
	memset(&v, 0, sizeof v);
	strcpy(v.tag, "NetLiquidation");
	strcpy(v.value, "1000000.00");
	strcpy(v.currency, "USD");
	strcpy(v.account, "DU1");
	tws_enc_acct_value(&b, &v);
	assert_bytes(&b, "6|2|NetLiquidation|1000000.00|USD|DU1|");
	b.len = 0;
	memset(&pv, 0, sizeof pv);
	tws_contract_stock(&pv.contract, "AAPL");
	pv.contract.con_id = 265598;
	pv.contract.exchange[0] = '\0';
	strcpy(pv.contract.primary_exch, "NASDAQ");
	strcpy(pv.contract.local_symbol, "AAPL");
	strcpy(pv.contract.trading_class, "NMS");
	pv.position = 60;
	pv.market_price = 51.5;
	pv.market_value = 3090;
	pv.avg_cost = 51.51;
	pv.unrealized_pnl = -0.6;
	pv.realized_pnl = -1.47;
	strcpy(pv.account, "DU1");
	tws_enc_portfolio_value(&b, &pv);
	assert_bytes(&b, "7|8|265598|AAPL|STK||0|||NASDAQ|USD|AAPL|NMS|60|51.5|3090|51.51|-0.6|-1.47|DU1|");
	parse_bars("7|8|265598|AAPL|STK||0|||NASDAQ|USD|AAPL|NMS|60|51.5|3090|51.51|-0.6|-1.47|DU1|", buf, &m);
	ck_assert_int_eq(tws_dec_portfolio_value(&m, &back), 0);
	ck_assert_str_eq(back.contract.primary_exch, "NASDAQ");
	ck_assert(back.position == 60 && back.realized_pnl == -1.47);
	b.len = 0;
	tws_enc_acct_update_time(&b, "15:50");
	tws_enc_acct_download_end(&b, "DU1");
	{
		char want[128];
		size_t n = frame_of("8|1|15:50|", want);
		n += frame_of("54|1|DU1|", want + n);
		ck_assert_uint_eq(b.len, n);
		ck_assert(memcmp(b.p, want, n) == 0);
	}
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

/* COMMISSION_REPORT as a real gateway sent it (nautilus_trader, .../responses/commission_report_1.txt): no
 * realized P&L and no yield are Java's Double.MAX_VALUE, no redemption date is empty. Read and written
 * back, the bytes are the same. */
START_TEST(test_commission_capture)
{
	const char *cap = "59|1|0000e215.656d0002.01.01|2.5|USD|1.7976931348623157E308|1.7976931348623157E308||";
	char buf[256];
	tws_msg m;
	tws_commission c;
	tws_wbuf b;

	tws_msg_init(&m);
	tws_wbuf_init(&b);
	parse_bars(cap, buf, &m);
	ck_assert_int_eq(tws_dec_commission(&m, &c), 0);
	ck_assert_str_eq(c.exec_id, "0000e215.656d0002.01.01");
	ck_assert(c.commission == 2.5);
	ck_assert(c.realized_pnl == TWS_UNSET_DOUBLE && c.yield == TWS_UNSET_DOUBLE);
	ck_assert_int_eq(c.yield_redemption_date, 0);
	tws_enc_commission(&b, &c);
	assert_bytes(&b, cap);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_hist_request_official)
{
	const char *want = "20|1|0|AAPL|STK|||||SMART||USD|||0||1 day|1 Y|1|TRADES|1|0||";
	tws_hist_req r, d;
	tws_wbuf b;
	tws_msg m;

	memset(&r, 0, sizeof r);
	r.req_id = 1;
	tws_contract_stock(&r.contract, "AAPL");
	strcpy(r.bar_size, "1 day");
	strcpy(r.duration, "1 Y");
	r.use_rth = 1;
	strcpy(r.what, "TRADES");
	r.format_date = 1;
	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_hist_req(&b, &r);
	assert_bytes(&b, want);
	parse_one(&b, &m);
	ck_assert_int_eq(m.n, 23);
	ck_assert_int_eq(tws_dec_hist_req(&m, &d), 0);
	ck_assert_str_eq(d.contract.symbol, "AAPL");
	ck_assert_str_eq(d.bar_size, "1 day");
	ck_assert_str_eq(d.duration, "1 Y");
	ck_assert_str_eq(d.what, "TRADES");
	ck_assert_int_eq(d.use_rth, 1);
	ck_assert(memcmp(&r, &d, sizeof r) == 0);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_place_order_layout)
{
	tws_contract c, c2;
	tws_order o, o2;
	tws_wbuf b;
	tws_msg m;

	tws_contract_stock(&c, "AAPL");
	tws_order_init(&o);
	o.order_id = 17;
	strcpy(o.action, "BUY");
	o.qty = 12;
	strcpy(o.order_type, "MKT");
	strcpy(o.tif, "OPG");
	strcpy(o.order_ref, "2026-11-24:lo-csmom:AAPL:BUY");
	o.transmit = 0;
	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_place_order(&b, &c, &o);
	parse_one(&b, &m);
	ck_assert_int_eq(m.n, 114);
	/* The reference's key positions (1-based). */
	ck_assert_str_eq(m.f[0], "3");
	ck_assert_str_eq(m.f[1], "17");
	ck_assert_str_eq(m.f[3], "AAPL");
	ck_assert_str_eq(m.f[16], "BUY");
	ck_assert_str_eq(m.f[17], "12");
	ck_assert_str_eq(m.f[18], "MKT");
	ck_assert_str_eq(m.f[21], "OPG");
	ck_assert_str_eq(m.f[26], "2026-11-24:lo-csmom:AAPL:BUY");
	ck_assert_str_eq(m.f[27], "0");
	ck_assert_int_eq(tws_dec_place_order(&m, &c2, &o2), 0);
	ck_assert_int_eq(tws_r_left(&m), 0);
	ck_assert(memcmp(&c, &c2, sizeof c) == 0);
	ck_assert(memcmp(&o, &o2, sizeof o) == 0);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

/* ================================ Core: round trips ================================ */

START_TEST(test_roundtrip_hist_data)
{
	tws_bar bars[2] = {
		{ "20261123", 101.5, 103, 100.25, 102.75, 1234567, 101.9, 5000 },
		{ "20261124", 102.75, 104.5, 102, 104, 2345678, 103.3, 6000 },
	};
	tws_hist_data d = { 5, "20261123 09:30:00", "20261124 16:00:00", 2, bars }, e;
	tws_wbuf b;
	tws_msg m;

	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_hist_data(&b, &d);
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_hist_data(&m, &e), 0);
	ck_assert_int_eq(e.req_id, 5);
	ck_assert_int_eq(e.nbars, 2);
	ck_assert_str_eq(e.start, d.start);
	for (int i = 0; i < 2; i++) {
		ck_assert_str_eq(e.bars[i].date, bars[i].date);
		ck_assert(e.bars[i].open == bars[i].open && e.bars[i].high == bars[i].high);
		ck_assert(e.bars[i].low == bars[i].low && e.bars[i].close == bars[i].close);
		ck_assert(e.bars[i].volume == bars[i].volume && e.bars[i].wap == bars[i].wap);
		ck_assert_int_eq(e.bars[i].count, bars[i].count);
	}
	tws_hist_data_free(&e);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_roundtrip_open_order)
{
	tws_open_order x, y;
	tws_wbuf b;
	tws_msg m;

	memset(&x, 0, sizeof x);
	tws_contract_stock(&x.contract, "MSFT");
	x.contract.con_id = 272093;
	tws_order_init(&x.order);
	x.order.order_id = 42;
	strcpy(x.order.action, "SELL");
	x.order.qty = 30;
	strcpy(x.order.order_type, "LOC");
	x.order.lmt_price = 410.25;
	strcpy(x.order.account, "DU1234567");
	strcpy(x.order.order_ref, "ref-1");
	x.order.client_id = 3;
	x.order.perm_id = 99001;
	x.order.transmit = 1;
	strcpy(x.status, "PreSubmitted");
	x.commission = TWS_UNSET_DOUBLE;
	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_open_order(&b, &x);
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_open_order(&m, &y), 0);
	/* primaryExchange is not part of OPEN_ORDER's contract. */
	ck_assert_str_eq(y.contract.symbol, "MSFT");
	ck_assert_int_eq(y.contract.con_id, 272093);
	ck_assert_int_eq(y.order.order_id, 42);
	ck_assert_str_eq(y.order.order_type, "LOC");
	ck_assert(y.order.lmt_price == 410.25);
	ck_assert_str_eq(y.order.order_ref, "ref-1");
	ck_assert_int_eq(y.order.client_id, 3);
	ck_assert_int_eq(y.order.perm_id, 99001);
	ck_assert_str_eq(y.status, "PreSubmitted");
	ck_assert(y.commission == TWS_UNSET_DOUBLE);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_roundtrip_exec_commission_position)
{
	tws_exec e, e2;
	tws_commission c, c2;
	tws_position p, p2;
	tws_exec_filter f, f2;
	tws_wbuf b;
	tws_msg m;
	int id;

	memset(&e, 0, sizeof e);
	e.req_id = -1;
	e.order_id = 17;
	tws_contract_stock(&e.contract, "AAPL");
	e.contract.primary_exch[0] = '\0';
	strcpy(e.exec_id, "0000e0d5.6554f1a6.01.01");
	strcpy(e.time, "20261124 09:30:00 US/Eastern");
	strcpy(e.account, "DU1234567");
	strcpy(e.exchange, "NYSE");
	strcpy(e.side, "BOT");
	e.shares = 12;
	e.price = 101.55;
	e.perm_id = 5;
	e.client_id = 7;
	e.cum_qty = 12;
	e.avg_price = 101.55;
	strcpy(e.order_ref, "2026-11-24:lo-csmom:AAPL:BUY");
	e.ev_multiplier = TWS_UNSET_DOUBLE;
	e.last_liquidity = 2;
	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_exec(&b, &e);
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_exec(&m, &e2), 0);
	ck_assert(memcmp(&e, &e2, sizeof e) == 0);

	memset(&c, 0, sizeof c);
	strcpy(c.exec_id, e.exec_id);
	c.commission = 1;
	strcpy(c.currency, "USD");
	c.realized_pnl = TWS_UNSET_DOUBLE;
	c.yield = TWS_UNSET_DOUBLE;
	b.len = 0;
	tws_enc_commission(&b, &c);
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_commission(&m, &c2), 0);
	ck_assert(memcmp(&c, &c2, sizeof c) == 0);

	memset(&p, 0, sizeof p);
	strcpy(p.account, "DU1234567");
	tws_contract_stock(&p.contract, "AAPL");
	p.position = -40;
	p.avg_cost = 99.125;
	b.len = 0;
	tws_enc_position(&b, &p);
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_position(&m, &p2), 0);
	ck_assert(memcmp(&p, &p2, sizeof p) == 0);

	memset(&f, 0, sizeof f);
	f.client_id = 7;
	strcpy(f.time, "20261124 00:00:00");
	strcpy(f.side, "BUY");
	b.len = 0;
	tws_enc_req_executions(&b, 9, &f);
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_req_executions(&m, &id, &f2), 0);
	ck_assert_int_eq(id, 9);
	ck_assert(memcmp(&f, &f2, sizeof f) == 0);

	b.len = 0;
	tws_enc_exec_end(&b, 9);
	assert_bytes(&b, "55|1|9|");
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_exec_end(&m, &id), 0);
	ck_assert_int_eq(id, 9);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_roundtrip_account_and_small)
{
	tws_account_value v, v2;
	tws_wbuf b;
	tws_msg m;
	char group[16], tags[128];
	int id, n;
	long long t, oid;

	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_req_account_summary(&b, 4, "All", "NetLiquidation,TotalCashValue");
	assert_bytes(&b, "62|1|4|All|NetLiquidation,TotalCashValue|");
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_req_account_summary(&m, &id, group, sizeof group, tags, sizeof tags), 0);
	ck_assert_int_eq(id, 4);
	ck_assert_str_eq(tags, "NetLiquidation,TotalCashValue");

	memset(&v, 0, sizeof v);
	v.req_id = 4;
	strcpy(v.account, "DU1234567");
	strcpy(v.tag, "NetLiquidation");
	strcpy(v.value, "1000000.5");
	strcpy(v.currency, "USD");
	b.len = 0;
	tws_enc_account_summary(&b, &v);
	assert_bytes(&b, "63|1|4|DU1234567|NetLiquidation|1000000.5|USD|");
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_account_summary(&m, &v2), 0);
	ck_assert(memcmp(&v, &v2, sizeof v) == 0);

	b.len = 0;
	tws_enc_account_summary_end(&b, 4);
	assert_bytes(&b, "64|1|4|");
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_id_version_req(&m, &id), 0);
	ck_assert_int_eq(id, 4);

	b.len = 0;
	tws_enc_cancel_account_summary(&b, 4);
	assert_bytes(&b, "63|1|4|");
	b.len = 0;
	tws_enc_cancel_order(&b, 17);
	assert_bytes(&b, "4|1|17||");
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_cancel_order(&m, &oid), 0);
	ck_assert_int_eq(oid, 17);
	b.len = 0;
	tws_enc_req_ids(&b, 1);
	assert_bytes(&b, "8|1|1|");
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_req_ids(&m, &n), 0);
	ck_assert_int_eq(n, 1);
	b.len = 0;
	tws_enc_simple(&b, TWS_OUT_REQ_POSITIONS);
	assert_bytes(&b, "61|1|");
	b.len = 0;
	tws_enc_simple(&b, TWS_OUT_REQ_ALL_OPEN_ORDERS);
	assert_bytes(&b, "16|1|");
	b.len = 0;
	tws_enc_req_current_time(&b);
	assert_bytes(&b, "49|1|");
	b.len = 0;
	tws_enc_current_time(&b, 1795000000);
	assert_bytes(&b, "49|1|1795000000|");
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_current_time(&m, &t), 0);
	ck_assert_int_eq(t, 1795000000);
	b.len = 0;
	tws_enc_cancel_hist(&b, 3);
	assert_bytes(&b, "25|1|3|");
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_cancel_hist(&m, &id), 0);
	ck_assert_int_eq(id, 3);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

/* ================================ Core: golden bytes ================================ */

/* Every encoder, fed a fixed message, must produce exactly the bytes below (captured from the code as it
 * was before lib/tws/msg.c was folded into shared pieces), at each server version it distinguishes. The
 * decoders are pinned too: decoding the golden frame and encoding the result again must give the same
 * bytes, and the digest sums up what each decoder answers (return value, fields left, error text, the
 * re-encoded bytes) to the frame cut after every field and to the frame with each field replaced by each of
 * subs[] below. */

/* A stock with an exchange-given primary exchange, and an option with a strike (written "" for 0 in
 * requests, "0" in responses). */
static void
golden_stock(tws_contract *c)
{
	tws_contract_stock(c, "AAPL");
	c->con_id = 265598;
	strcpy(c->primary_exch, "NASDAQ");
	strcpy(c->local_symbol, "AAPL");
	strcpy(c->trading_class, "NMS");
}

static void
golden_option(tws_contract *c)
{
	memset(c, 0, sizeof *c);
	c->con_id = 730541202;
	strcpy(c->symbol, "MSFT");
	strcpy(c->sec_type, "OPT");
	strcpy(c->last_trade, "20261218");
	c->strike = 410.5;
	strcpy(c->right, "C");
	strcpy(c->multiplier, "100");
	strcpy(c->exchange, "SMART");
	strcpy(c->currency, "USD");
	strcpy(c->local_symbol, "MSFT  261218C00410500");
	strcpy(c->trading_class, "MSFT");
}

/* Each golden_* case: with m NULL, encode its fixed message at version v into b; otherwise decode m (as a
 * version-v peer would) and, when that succeeds, encode what was decoded into b. Returns the decoder's
 * answer (0 when encoding). */
static int
golden_start_api(tws_wbuf *b, tws_msg *m, int v)
{
	int id = 7, rc = 0;
	char cap[32] = "+PACEAPI";

	if (m != NULL && (rc = tws_dec_start_api(m, &id, cap, sizeof cap)) < 0)
		return rc;
	tws_enc_start_api(b, id, cap);
	return rc;
}

static int
golden_managed_accts(tws_wbuf *b, tws_msg *m, int v)
{
	char acc[64] = "DU1234567,DU7654321";
	int rc = 0;

	if (m != NULL && (rc = tws_dec_managed_accts(m, acc, sizeof acc)) < 0)
		return rc;
	tws_enc_managed_accts(b, acc);
	return rc;
}

static int
golden_next_valid_id(tws_wbuf *b, tws_msg *m, int v)
{
	long long id = 4294967301LL;
	int rc = 0;

	if (m != NULL && (rc = tws_dec_next_valid_id(m, &id)) < 0)
		return rc;
	tws_enc_next_valid_id(b, id);
	return rc;
}

static int
golden_req_ids(tws_wbuf *b, tws_msg *m, int v)
{
	int n = 3, rc = 0;

	if (m != NULL && (rc = tws_dec_req_ids(m, &n)) < 0)
		return rc;
	tws_enc_req_ids(b, n);
	return rc;
}

static int
golden_req_current_time(tws_wbuf *b, tws_msg *m, int v)
{
	if (m != NULL)
		return -2; /* no decoder */
	return tws_enc_req_current_time(b) < 0 ? -3 : 0;
}

static int
golden_current_time(tws_wbuf *b, tws_msg *m, int v)
{
	long long t = 1795000000;
	int rc = 0;

	if (m != NULL && (rc = tws_dec_current_time(m, &t)) < 0)
		return rc;
	tws_enc_current_time(b, t);
	return rc;
}

static int
golden_simple(tws_wbuf *b, tws_msg *m, int v)
{
	if (m != NULL)
		return -2;
	tws_enc_simple(b, TWS_OUT_REQ_POSITIONS);
	return 0;
}

static int
golden_error(tws_wbuf *b, tws_msg *m, int v)
{
	tws_error e = { 17, 201, "Order rejected - reason:no margin", "{reason:margin}" };
	int rc = 0;

	if (m != NULL && (rc = tws_dec_error_v(m, &e, v)) < 0)
		return rc;
	tws_enc_error_v(b, &e, v);
	return rc;
}

static void
golden_hist_req_fill(tws_hist_req *r)
{
	memset(r, 0, sizeof *r);
	r->req_id = 11;
	r->include_expired = 1;
	strcpy(r->end, "20261124-21:00:00");
	strcpy(r->bar_size, "1 day");
	strcpy(r->duration, "2 Y");
	r->use_rth = 1;
	strcpy(r->what, "ADJUSTED_LAST");
	r->format_date = 2;
}

static int
golden_hist_req_stock(tws_wbuf *b, tws_msg *m, int v)
{
	tws_hist_req r;
	int rc = 0;

	golden_hist_req_fill(&r);
	golden_stock(&r.contract);
	if (m != NULL && (rc = tws_dec_hist_req(m, &r)) < 0)
		return rc;
	tws_enc_hist_req(b, &r);
	return rc;
}

static int
golden_hist_req_option(tws_wbuf *b, tws_msg *m, int v)
{
	tws_hist_req r;
	int rc = 0;

	golden_hist_req_fill(&r);
	golden_option(&r.contract);
	r.keep_up_to_date = 1;
	if (m != NULL && (rc = tws_dec_hist_req(m, &r)) < 0)
		return rc;
	tws_enc_hist_req(b, &r);
	return rc;
}

static int
golden_cancel_hist(tws_wbuf *b, tws_msg *m, int v)
{
	int id = 11, rc = 0;

	if (m != NULL && (rc = tws_dec_cancel_hist(m, &id)) < 0)
		return rc;
	tws_enc_cancel_hist(b, id);
	return rc;
}

static int
golden_hist_data(tws_wbuf *b, tws_msg *m, int v)
{
	tws_bar bars[2] = {
		{ "20261123", 101.5, 103, 100.25, 102.75, 1234567, 101.9, 5000 },
		{ "20261124", 102.75, 104.5, 102, 104, -1, -1, -1 },
	};
	tws_hist_data d = { 11, "20261123", "20261124", 2, bars }, e;
	int rc;

	if (m == NULL)
		return tws_enc_hist_data(b, &d) < 0 ? -3 : 0;
	rc = tws_dec_hist_data(m, &e);
	if (rc == 0)
		tws_enc_hist_data(b, &e);
	tws_hist_data_free(&e);
	return rc;
}

static void
golden_order_fill(tws_order *o)
{
	tws_order_init(o);
	o->order_id = 17;
	strcpy(o->action, "SELL");
	o->qty = 30;
	strcpy(o->order_type, "LOC");
	o->lmt_price = 410.25;
	strcpy(o->tif, "OPG");
	strcpy(o->oca_group, "g1");
	strcpy(o->account, "DU1234567");
	strcpy(o->order_ref, "2026-11-24:lo-csmom:AAPL:SELL");
	o->transmit = 0;
	o->parent_id = 16;
	o->outside_rth = 1;
}

static int
golden_place_order_stock(tws_wbuf *b, tws_msg *m, int v)
{
	tws_contract c;
	tws_order o;
	int rc = 0;

	golden_stock(&c);
	golden_order_fill(&o);
	if (m != NULL && (rc = tws_dec_place_order_v(m, &c, &o, v)) < 0)
		return rc;
	tws_enc_place_order_v(b, &c, &o, v);
	return rc;
}

static int
golden_place_order_option(tws_wbuf *b, tws_msg *m, int v)
{
	tws_contract c;
	tws_order o;
	int rc = 0;

	golden_option(&c);
	golden_order_fill(&o);
	strcpy(o.action, "BUY");
	strcpy(o.order_type, "LMT");
	o.aux_price = 1.5;
	o.transmit = 1;
	if (m != NULL && (rc = tws_dec_place_order_v(m, &c, &o, v)) < 0)
		return rc;
	tws_enc_place_order_v(b, &c, &o, v);
	return rc;
}

static int
golden_cancel_order(tws_wbuf *b, tws_msg *m, int v)
{
	long long id = 17;
	int rc = 0;

	if (m != NULL && (rc = tws_dec_cancel_order(m, &id)) < 0)
		return rc;
	tws_enc_cancel_order_v(b, id, v);
	return rc;
}

static int
golden_order_status(tws_wbuf *b, tws_msg *m, int v)
{
	tws_order_status s = { 17, "Filled", 30, 0, 410.3, 1351823369, 16, 410.35, 7, "locate", 0.5 };
	int rc = 0;

	if (m != NULL && (rc = tws_dec_order_status(m, &s)) < 0)
		return rc;
	tws_enc_order_status(b, &s);
	return rc;
}

static int
golden_open_order(tws_wbuf *b, tws_msg *m, int v)
{
	tws_open_order x;
	int rc = 0;

	memset(&x, 0, sizeof x);
	golden_stock(&x.contract);
	golden_order_fill(&x.order);
	x.order.client_id = 7;
	x.order.perm_id = 1351823369;
	strcpy(x.status, "PreSubmitted");
	x.commission = 1.25;
	strcpy(x.warning, "price capped");
	if (m != NULL && (rc = tws_dec_open_order_v(m, &x, v)) < 0)
		return rc;
	tws_enc_open_order_v(b, &x, v);
	return rc;
}

static int
golden_req_executions(tws_wbuf *b, tws_msg *m, int v)
{
	tws_exec_filter f = { 7, "DU1234567", "20261124 00:00:00", "AAPL", "STK", "SMART", "BUY" };
	int id = 9, rc = 0;

	if (m != NULL && (rc = tws_dec_req_executions(m, &id, &f)) < 0)
		return rc;
	tws_enc_req_executions(b, id, &f);
	return rc;
}

static int
golden_exec(tws_wbuf *b, tws_msg *m, int v)
{
	tws_exec e;
	int rc = 0;

	memset(&e, 0, sizeof e);
	e.req_id = 9;
	e.order_id = 17;
	golden_stock(&e.contract);
	strcpy(e.exec_id, "0000e0d5.6554f1a6.01.01");
	strcpy(e.time, "20261124 09:30:00 US/Eastern");
	strcpy(e.account, "DU1234567");
	strcpy(e.exchange, "NYSE");
	strcpy(e.side, "SLD");
	e.shares = 30;
	e.price = 410.3;
	e.perm_id = 1351823369;
	e.client_id = 7;
	e.liquidation = 1;
	e.cum_qty = 30;
	e.avg_price = 410.3;
	strcpy(e.order_ref, "2026-11-24:lo-csmom:AAPL:SELL");
	strcpy(e.ev_rule, "aussieBond:YearsToExpiration=3");
	e.ev_multiplier = 0.25;
	strcpy(e.model_code, "m1");
	e.last_liquidity = 2;
	e.pending_price_revision = 1;
	if (m != NULL && (rc = tws_dec_exec(m, &e)) < 0)
		return rc;
	tws_enc_exec_v(b, &e, v);
	return rc;
}

static int
golden_exec_end(tws_wbuf *b, tws_msg *m, int v)
{
	int id = 9, rc = 0;

	if (m != NULL && (rc = tws_dec_exec_end(m, &id)) < 0)
		return rc;
	tws_enc_exec_end(b, id);
	return rc;
}

static int
golden_commission(tws_wbuf *b, tws_msg *m, int v)
{
	tws_commission c = { "0000e0d5.6554f1a6.01.01", 1.25, "USD", -3.5, TWS_UNSET_DOUBLE, 20261231 };
	int rc = 0;

	if (m != NULL && (rc = tws_dec_commission(m, &c)) < 0)
		return rc;
	tws_enc_commission(b, &c);
	return rc;
}

static int
golden_position(tws_wbuf *b, tws_msg *m, int v)
{
	tws_position p;
	int rc = 0;

	memset(&p, 0, sizeof p);
	strcpy(p.account, "DU1234567");
	golden_option(&p.contract);
	p.position = -4;
	p.avg_cost = 1250.75;
	if (m != NULL && (rc = tws_dec_position(m, &p)) < 0)
		return rc;
	tws_enc_position(b, &p);
	return rc;
}

static int
golden_req_account_summary(tws_wbuf *b, tws_msg *m, int v)
{
	char group[16] = "All", tags[128] = "NetLiquidation,TotalCashValue,AvailableFunds";
	int id = 4, rc = 0;

	if (m != NULL && (rc = tws_dec_req_account_summary(m, &id, group, sizeof group, tags, sizeof tags)) < 0)
		return rc;
	tws_enc_req_account_summary(b, id, group, tags);
	return rc;
}

static int
golden_cancel_account_summary(tws_wbuf *b, tws_msg *m, int v)
{
	int id = 4, rc = 0;

	if (m != NULL && (rc = tws_dec_id_version_req(m, &id)) < 0)
		return rc;
	tws_enc_cancel_account_summary(b, id);
	return rc;
}

static int
golden_account_summary_end(tws_wbuf *b, tws_msg *m, int v)
{
	int id = 4, rc = 0;

	if (m != NULL && (rc = tws_dec_id_version_req(m, &id)) < 0)
		return rc;
	tws_enc_account_summary_end(b, id);
	return rc;
}

static int
golden_account_summary(tws_wbuf *b, tws_msg *m, int v)
{
	tws_account_value a = { 4, "DU1234567", "NetLiquidation", "1000000.5", "USD" };
	int rc = 0;

	if (m != NULL && (rc = tws_dec_account_summary(m, &a)) < 0)
		return rc;
	tws_enc_account_summary(b, &a);
	return rc;
}

typedef struct golden {
	const char *name;
	int (*run)(tws_wbuf *b, tws_msg *m, int v);
	int version;
	const char *bars;            /* the frame's fields, '|' after each */
	unsigned long long digest;   /* FNV-1a of golden_decode_log() */
} golden;

/* The entries at versions other than 178 were derived from the version-178 frames by the official
 * client's gates, independently of lib/tws/msg.c: PLACE_ORDER drops duration, postToAts,
 * autoCancelParent, advancedErrorOverride and manualOrderTime below 158, 160, 162, 166 and 169 and adds
 * faProfile after faPercentage below 177 (ibapi client.py placeOrder); CANCEL_ORDER drops
 * manualOrderCancelTime below 169 (cancelOrder); OPEN_ORDER drops duration, postToAts, autoCancelParent
 * and the five PEG BEST/PEG MID fields below 158, 160, 162 and 170 and has faProfile below 177
 * (orderdecoder.py); ERR_MSG has no advancedOrderRejectJson below 166 (decoder.py processErrorMsg). */
static const golden goldens[] = {
	{ "start_api", golden_start_api, 178,
	  "71|2|7|+PACEAPI|",
	  0xe4ffbd921438f10aULL },
	{ "managed_accts", golden_managed_accts, 178,
	  "15|1|DU1234567,DU7654321|",
	  0x627186074718d324ULL },
	{ "next_valid_id", golden_next_valid_id, 178,
	  "9|1|4294967301|",
	  0x43fc5f698a4eeab1ULL },
	{ "req_ids", golden_req_ids, 178,
	  "8|1|3|",
	  0xd1d2556686c022b9ULL },
	{ "req_current_time", golden_req_current_time, 178,
	  "49|1|",
	  0x7cc65345d287638dULL },
	{ "current_time", golden_current_time, 178,
	  "49|1|1795000000|",
	  0xa79ff1b1aedb93daULL },
	{ "simple", golden_simple, 178,
	  "61|1|",
	  0x7cc65345d287638dULL },
	{ "error", golden_error, 165,
	  "4|2|17|201|Order rejected - reason:no margin|",
	  0x4bd13d5da8dfe447ULL },
	{ "error", golden_error, 166,
	  "4|2|17|201|Order rejected - reason:no margin|{reason:margin}|",
	  0xa054fb3084f51fd9ULL },
	{ "error", golden_error, 178,
	  "4|2|17|201|Order rejected - reason:no margin|{reason:margin}|",
	  0xa054fb3084f51fd9ULL },
	{ "hist_req_stock", golden_hist_req_stock, 178,
	  "20|11|265598|AAPL|STK|||||SMART|NASDAQ|USD|AAPL|NMS|1|20261124-21:00:00|1 day|2 Y|1|ADJUSTED_LAST|2|0||",
	  0x32a5fd71dd08bca8ULL },
	{ "hist_req_option", golden_hist_req_option, 178,
	  "20|11|730541202|MSFT|OPT|20261218|410.5|C|100|SMART||USD|MSFT  261218C00410500|MSFT|1|20261124-21:00:00|1 day|2 Y|1|ADJUSTED_LAST|2|1||",
	  0x483077c9c0a539f9ULL },
	{ "cancel_hist", golden_cancel_hist, 178,
	  "25|1|11|",
	  0x2662321d261c4a2cULL },
	{ "hist_data", golden_hist_data, 178,
	  "17|11|20261123|20261124|2|20261123|101.5|103|100.25|102.75|1234567|101.9|5000|20261124|102.75|104.5|102|104|-1|-1|-1|",
	  0x8d982da8ed5ed22aULL },
	{ "place_order_stock", golden_place_order_stock, 157,
	  "3|17|265598|AAPL|STK|||||SMART|NASDAQ|USD|AAPL|NMS|||SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|0|16|0|0|0|0|1|0||0||||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||",
	  0x75cac637e93d1f7fULL },
	{ "place_order_stock", golden_place_order_stock, 158,
	  "3|17|265598|AAPL|STK|||||SMART|NASDAQ|USD|AAPL|NMS|||SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|0|16|0|0|0|0|1|0||0||||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0|||",
	  0x7694179d4bd5191fULL },
	{ "place_order_stock", golden_place_order_stock, 160,
	  "3|17|265598|AAPL|STK|||||SMART|NASDAQ|USD|AAPL|NMS|||SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|0|16|0|0|0|0|1|0||0||||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||||",
	  0x9cb20086f80d7f50ULL },
	{ "place_order_stock", golden_place_order_stock, 162,
	  "3|17|265598|AAPL|STK|||||SMART|NASDAQ|USD|AAPL|NMS|||SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|0|16|0|0|0|0|1|0||0||||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||||0|",
	  0x76d0c79c2318056dULL },
	{ "place_order_stock", golden_place_order_stock, 166,
	  "3|17|265598|AAPL|STK|||||SMART|NASDAQ|USD|AAPL|NMS|||SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|0|16|0|0|0|0|1|0||0||||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||||0||",
	  0x7229c67a6e73016cULL },
	{ "place_order_stock", golden_place_order_stock, 169,
	  "3|17|265598|AAPL|STK|||||SMART|NASDAQ|USD|AAPL|NMS|||SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|0|16|0|0|0|0|1|0||0||||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||||0|||",
	  0x6c8b8ab9034c0d0bULL },
	{ "place_order_stock", golden_place_order_stock, 176,
	  "3|17|265598|AAPL|STK|||||SMART|NASDAQ|USD|AAPL|NMS|||SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|0|16|0|0|0|0|1|0||0||||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||||0|||",
	  0x6c8b8ab9034c0d0bULL },
	{ "place_order_stock", golden_place_order_stock, 177,
	  "3|17|265598|AAPL|STK|||||SMART|NASDAQ|USD|AAPL|NMS|||SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|0|16|0|0|0|0|1|0||0|||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||||0|||",
	  0x1f31258ea9d680caULL },
	{ "place_order_stock", golden_place_order_stock, 178,
	  "3|17|265598|AAPL|STK|||||SMART|NASDAQ|USD|AAPL|NMS|||SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|0|16|0|0|0|0|1|0||0|||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||||0|||",
	  0x1f31258ea9d680caULL },
	{ "place_order_option", golden_place_order_option, 157,
	  "3|17|730541202|MSFT|OPT|20261218|410.5|C|100|SMART||USD|MSFT  261218C00410500|MSFT|||BUY|30|LMT|410.25|1.5|OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|1|16|0|0|0|0|1|0||0||||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||",
	  0x58cd4d708655f68aULL },
	{ "place_order_option", golden_place_order_option, 176,
	  "3|17|730541202|MSFT|OPT|20261218|410.5|C|100|SMART||USD|MSFT  261218C00410500|MSFT|||BUY|30|LMT|410.25|1.5|OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|1|16|0|0|0|0|1|0||0||||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||||0|||",
	  0x4ef66ff4b2518ffcULL },
	{ "place_order_option", golden_place_order_option, 177,
	  "3|17|730541202|MSFT|OPT|20261218|410.5|C|100|SMART||USD|MSFT  261218C00410500|MSFT|||BUY|30|LMT|410.25|1.5|OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|1|16|0|0|0|0|1|0||0|||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||||0|||",
	  0xa85b6324cbbea0c5ULL },
	{ "place_order_option", golden_place_order_option, 178,
	  "3|17|730541202|MSFT|OPT|20261218|410.5|C|100|SMART||USD|MSFT  261218C00410500|MSFT|||BUY|30|LMT|410.25|1.5|OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|1|16|0|0|0|0|1|0||0|||||||0||-1|0|||0|||0|0||0||||||0|||||0|||||||||||0|||0|0|||0||0|0|0|0|||||||0|||||||||0|0|0||||0|||",
	  0xa85b6324cbbea0c5ULL },
	{ "cancel_order", golden_cancel_order, 168,
	  "4|1|17|",
	  0x51af62c833cf51f7ULL },
	{ "cancel_order", golden_cancel_order, 169,
	  "4|1|17||",
	  0x466201a6bb5c6364ULL },
	{ "cancel_order", golden_cancel_order, 178,
	  "4|1|17||",
	  0x466201a6bb5c6364ULL },
	{ "order_status", golden_order_status, 178,
	  "3|17|Filled|30|0|410.3|1351823369|16|410.35|7|locate|0.5|",
	  0x2034d9d05cda12f2ULL },
	{ "open_order", golden_open_order, 157,
	  "5|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|7|1351823369|1|0|0||||||||||||0||-1|0|||||||0|0|0||3|0|0||16|0||0|||0|0||||||0|0|0|||||0|||0|0||0|0|PreSubmitted||||||||||1.25||||price capped|0|0|0||||||||0|||||0|0|0|0|",
	  0x95b3446e69759e8cULL },
	{ "open_order", golden_open_order, 158,
	  "5|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|7|1351823369|1|0|0||||||||||||0||-1|0|||||||0|0|0||3|0|0||16|0||0|||0|0||||||0|0|0|||||0|||0|0||0|0|PreSubmitted||||||||||1.25||||price capped|0|0|0||||||||0|||||0|0|0|0||",
	  0xca0944872da5c331ULL },
	{ "open_order", golden_open_order, 160,
	  "5|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|7|1351823369|1|0|0||||||||||||0||-1|0|||||||0|0|0||3|0|0||16|0||0|||0|0||||||0|0|0|||||0|||0|0||0|0|PreSubmitted||||||||||1.25||||price capped|0|0|0||||||||0|||||0|0|0|0|||",
	  0xaa7c8f5843f31b9eULL },
	{ "open_order", golden_open_order, 162,
	  "5|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|7|1351823369|1|0|0||||||||||||0||-1|0|||||||0|0|0||3|0|0||16|0||0|||0|0||||||0|0|0|||||0|||0|0||0|0|PreSubmitted||||||||||1.25||||price capped|0|0|0||||||||0|||||0|0|0|0|||0|",
	  0xd0f37be00a2d5f95ULL },
	{ "open_order", golden_open_order, 170,
	  "5|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|7|1351823369|1|0|0||||||||||||0||-1|0|||||||0|0|0||3|0|0||16|0||0|||0|0||||||0|0|0|||||0|||0|0||0|0|PreSubmitted||||||||||1.25||||price capped|0|0|0||||||||0|||||0|0|0|0|||0||||||",
	  0xf306e73ae56c23aeULL },
	{ "open_order", golden_open_order, 176,
	  "5|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|7|1351823369|1|0|0||||||||||||0||-1|0|||||||0|0|0||3|0|0||16|0||0|||0|0||||||0|0|0|||||0|||0|0||0|0|PreSubmitted||||||||||1.25||||price capped|0|0|0||||||||0|||||0|0|0|0|||0||||||",
	  0xf306e73ae56c23aeULL },
	{ "open_order", golden_open_order, 177,
	  "5|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|7|1351823369|1|0|0|||||||||||0||-1|0|||||||0|0|0||3|0|0||16|0||0|||0|0||||||0|0|0|||||0|||0|0||0|0|PreSubmitted||||||||||1.25||||price capped|0|0|0||||||||0|||||0|0|0|0|||0||||||",
	  0x16e75845dd5a992aULL },
	{ "open_order", golden_open_order, 178,
	  "5|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|SELL|30|LOC|410.25||OPG|g1|DU1234567||0|2026-11-24:lo-csmom:AAPL:SELL|7|1351823369|1|0|0|||||||||||0||-1|0|||||||0|0|0||3|0|0||16|0||0|||0|0||||||0|0|0|||||0|||0|0||0|0|PreSubmitted||||||||||1.25||||price capped|0|0|0||||||||0|||||0|0|0|0|||0||||||",
	  0x16e75845dd5a992aULL },
	{ "req_executions", golden_req_executions, 178,
	  "7|3|9|7|DU1234567|20261124 00:00:00|AAPL|STK|SMART|BUY|",
	  0x6c6cff1e2a165be0ULL },
	{ "exec", golden_exec, 157,
	  "11|9|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|0000e0d5.6554f1a6.01.01|20261124 09:30:00 US/Eastern|DU1234567|NYSE|SLD|30|410.3|1351823369|7|1|30|410.3|2026-11-24:lo-csmom:AAPL:SELL|aussieBond:YearsToExpiration=3|0.25|m1|2|",
	  0x17d3628b7e5c846eULL },
	{ "exec", golden_exec, 176,
	  "11|9|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|0000e0d5.6554f1a6.01.01|20261124 09:30:00 US/Eastern|DU1234567|NYSE|SLD|30|410.3|1351823369|7|1|30|410.3|2026-11-24:lo-csmom:AAPL:SELL|aussieBond:YearsToExpiration=3|0.25|m1|2|",
	  0x17d3628b7e5c846eULL },
	{ "exec", golden_exec, 177,
	  "11|9|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|0000e0d5.6554f1a6.01.01|20261124 09:30:00 US/Eastern|DU1234567|NYSE|SLD|30|410.3|1351823369|7|1|30|410.3|2026-11-24:lo-csmom:AAPL:SELL|aussieBond:YearsToExpiration=3|0.25|m1|2|",
	  0x17d3628b7e5c846eULL },
	{ "exec", golden_exec, 178,
	  "11|9|17|265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|0000e0d5.6554f1a6.01.01|20261124 09:30:00 US/Eastern|DU1234567|NYSE|SLD|30|410.3|1351823369|7|1|30|410.3|2026-11-24:lo-csmom:AAPL:SELL|aussieBond:YearsToExpiration=3|0.25|m1|2|1|",
	  0x98223fd2d34a9a7bULL },
	{ "exec_end", golden_exec_end, 178,
	  "55|1|9|",
	  0x20cbe369f23b7e22ULL },
	{ "commission", golden_commission, 178,
	  "59|1|0000e0d5.6554f1a6.01.01|1.25|USD|-3.5|1.7976931348623157E308|20261231|",
	  0x81481a4ec25267a8ULL },
	{ "position", golden_position, 178,
	  "61|3|DU1234567|730541202|MSFT|OPT|20261218|410.5|C|100|SMART|USD|MSFT  261218C00410500|MSFT|-4|1250.75|",
	  0x59fa91c1c3d254d1ULL },
	{ "req_account_summary", golden_req_account_summary, 178,
	  "62|1|4|All|NetLiquidation,TotalCashValue,AvailableFunds|",
	  0x9efc5b064663beb0ULL },
	{ "cancel_account_summary", golden_cancel_account_summary, 178,
	  "63|1|4|",
	  0x09ded158f0da699aULL },
	{ "account_summary_end", golden_account_summary_end, 178,
	  "64|1|4|",
	  0x9cc5c9aaf559b5a3ULL },
	{ "account_summary", golden_account_summary, 178,
	  "63|1|4|DU1234567|NetLiquidation|1000000.5|USD|",
	  0xa9f445ca35e34cc6ULL },
};

/* The frame's fields as "f0|f1|...|" (fields hold no '|' here). */
static void
golden_bars(const tws_wbuf *b, char *out, size_t n)
{
	size_t len = b->len > 4 ? b->len - 4 : 0, i;

	if (len >= n)
		len = n - 1;
	for (i = 0; i < len; i++)
		out[i] = b->p[4 + i] == '\0' ? '|' : b->p[4 + i];
	out[len] = '\0';
}

static void
golden_append(char **log, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > *cap) {
		*cap = 2 * (*len + n + 1);
		*log = realloc(*log, *cap);
		ck_assert_ptr_nonnull(*log);
	}
	memcpy(*log + *len, s, n + 1);
	*len += n;
}

/* Decode the frame whose fields are f[0..n) (with field x replaced by sub when x >= 0) and log the answer. */
static void
golden_decode_one(const golden *g, const char **f, int n, int x, const char *sub, char **log, size_t *len,
    size_t *cap)
{
	static char line[8192], bars[4096];
	tws_wbuf in, out;
	tws_msg m;
	int rc;

	tws_wbuf_init(&in);
	tws_wbuf_init(&out);
	tws_msg_init(&m);
	tws_w_begin(&in);
	for (int i = 0; i < n; i++)
		tws_w_str(&in, i == x ? sub : f[i]);
	tws_w_end(&in);
	parse_one(&in, &m);
	rc = g->run(&out, &m, g->version);
	golden_bars(&out, bars, sizeof bars);
	snprintf(line, sizeof line, "n=%d x=%d=%s rc=%d left=%d err=%s re=%s\n", n, x, sub, rc, tws_r_left(&m),
	    m.err, rc == 0 ? bars : "");
	golden_append(log, len, cap, line);
	tws_msg_free(&m);
	tws_wbuf_free(&out);
	tws_wbuf_free(&in);
}

/* What each field is replaced by in turn: not a number, counts out of range and in range (groups that
 * follow), a flag set, a combo contract. */
static const char *const subs[] = { "x", "1001", "-1", "2", "1", "BAG" };

static char *
golden_decode_log(const golden *g, const tws_wbuf *frame)
{
	char *log = NULL;
	size_t len = 0, cap = 0;
	tws_msg m;

	tws_msg_init(&m);
	parse_one(frame, &m);
	golden_append(&log, &len, &cap, "");
	for (int n = 1; n <= m.n; n++)
		golden_decode_one(g, m.f, n, -1, "", &log, &len, &cap);
	for (int x = 0; x < m.n; x++)
		for (size_t s = 0; s < sizeof subs / sizeof subs[0]; s++)
			golden_decode_one(g, m.f, m.n, x, subs[s], &log, &len, &cap);
	tws_msg_free(&m);
	return log;
}

static unsigned long long
golden_fnv(const char *s)
{
	unsigned long long h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

START_TEST(test_golden_bytes)
{
	static char got[4096];
	int failed = 0;

	for (size_t i = 0; i < sizeof goldens / sizeof goldens[0]; i++) {
		const golden *g = &goldens[i];
		tws_wbuf b;
		char *log;
		unsigned long long h;

		tws_wbuf_init(&b);
		ck_assert_int_eq(g->run(&b, NULL, g->version), 0);
		golden_bars(&b, got, sizeof got);
		log = golden_decode_log(g, &b);
		h = golden_fnv(log);
		if (strcmp(got, g->bars) != 0 || h != g->digest) {
			/* The entry as it would have to read, and what the decoders said, to compare by hand. */
			fprintf(stderr, "\t{ \"%s\", golden_%s, %d,\n\t  \"%s\",\n\t  0x%016llxULL },\n", g->name, g->name,
			    g->version, got, h);
			if (getenv("TWS_GOLDEN_LOG") != NULL)
				fprintf(stderr, "%s", log);
			failed++;
		} else {
			assert_bytes(&b, g->bars);
		}
		free(log);
		tws_wbuf_free(&b);
	}
	ck_assert_int_eq(failed, 0);
}
END_TEST

/* ================================ IB's pacing rules ================================ */

static void
pace_req(tws_hist_req *r, const char *sym, const char *duration, const char *bar)
{
	memset(r, 0, sizeof *r);
	tws_contract_stock(&r->contract, sym);
	snprintf(r->bar_size, sizeof r->bar_size, "%s", bar);
	snprintf(r->duration, sizeof r->duration, "%s", duration);
	strcpy(r->what, "TRADES");
	r->use_rth = 1;
	r->format_date = 1;
}

/* The rules of IB's historical-data limitations, one case each. */
START_TEST(test_pace_rules)
{
	tws_pace p = { 0 };
	tws_hist_req r;
	tws_pace_key a, b, k[6];
	char d[16];

	pace_req(&r, "AAPL", "1 Y", "1 day");
	tws_pace_key_of(&r, &a);
	ck_assert_int_eq(a.small, 0);
	r.req_id = 99; /* the id is not part of the request's identity */
	tws_pace_key_of(&r, &b);
	ck_assert(a.request == b.request && a.contract == b.contract);
	/* an identical request waits 15 s */
	ck_assert_int_eq(tws_pace_when(&p, &a, 0), 0);
	ck_assert_int_eq(tws_pace_sent(&p, &a, 0), 0);
	ck_assert_int_eq(tws_pace_when(&p, &a, 1), 15000);
	ck_assert_int_eq(tws_pace_when(&p, &a, 14999), 15000);
	ck_assert_int_eq(tws_pace_when(&p, &a, 15000), 15000);
	tws_pace_free(&p);
	/* the same contract, different requests: five in 2 s, the sixth waits for the first to leave */
	for (int i = 0; i < 6; i++) {
		snprintf(d, sizeof d, "%d Y", i + 1);
		pace_req(&r, "MSFT", d, "1 day");
		tws_pace_key_of(&r, &k[i]);
		ck_assert(i == 0 || (k[i].request != k[0].request && k[i].contract == k[0].contract));
	}
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(tws_pace_when(&p, &k[i], 100 * i), 100 * i);
		tws_pace_sent(&p, &k[i], 100 * i);
	}
	ck_assert_int_eq(tws_pace_when(&p, &k[5], 500), 2000);
	pace_req(&r, "IBM", "1 Y", "1 day"); /* another contract is not held */
	tws_pace_key_of(&r, &b);
	ck_assert_int_eq(tws_pace_when(&p, &b, 500), 500);
	tws_pace_free(&p);
	/* small bars: 60 in 10 minutes, the 61st waits */
	for (int i = 0; i < 61; i++) {
		pace_req(&r, i % 2 ? "AAPL" : "MSFT", "1800 S", "5 secs");
		snprintf(r.end, sizeof r.end, "20261124 %02d:%02d:00", 10 + i / 60, i % 60);
		tws_pace_key_of(&r, &b);
		ck_assert_int_eq(b.small, 1);
		if (i < 60) {
			ck_assert_int_eq(tws_pace_when(&p, &b, 3000 * i), 3000 * i);
			tws_pace_sent(&p, &b, 3000 * i);
		} else {
			ck_assert_int_eq(tws_pace_when(&p, &b, 3000 * i), 600000);
		}
	}
	pace_req(&r, "AAPL", "1 Y", "1 min"); /* 1-minute bars are not small */
	tws_pace_key_of(&r, &b);
	ck_assert_int_eq(b.small, 0);
	ck_assert_int_eq(tws_pace_when(&p, &b, 180000), 180000);
	tws_pace_free(&p);
}
END_TEST

/* The invariant over random sequences: a client that sends each request at tws_pace_when() never breaks a
 * rule, checked by brute force over everything it sent (4 contracts, 5 durations, a third small bars). */
START_TEST(test_pace_invariant)
{
	enum { N = 3000 };
	static long long t[N];
	static tws_pace_key key[N];
	static int sym[N], dur[N], small[N];
	tws_pace p = { 0 };
	unsigned long long x = 88172645463325252ULL;
	long long now = 0;

	for (int i = 0; i < N; i++) {
		tws_hist_req r;
		char s[8], d[16];
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		sym[i] = (int)(x % 4);
		dur[i] = (int)(x / 4 % 5);
		small[i] = (int)(x / 20 % 3 == 0);
		snprintf(s, sizeof s, "S%d", sym[i]);
		snprintf(d, sizeof d, "%d D", dur[i] + 1);
		pace_req(&r, s, d, small[i] ? "30 secs" : "1 day");
		tws_pace_key_of(&r, &key[i]);
		now += (long long)(x / 60 % 400);
		t[i] = tws_pace_when(&p, &key[i], now);
		ck_assert_int_ge(t[i], now);
		now = t[i];
		ck_assert_int_eq(tws_pace_sent(&p, &key[i], now), 0);
		{
			int ncon = 0, nsmall = 0, twin = -1;
			/* (no ck_assert in this loop: each one costs a write to check's pipe) */
			for (int j = 0; j < i; j++) {
				int same = sym[j] == sym[i] && small[j] == small[i] && dur[j] == dur[i];
				if (same && t[i] - t[j] < 15000)
					twin = j;
				ncon += sym[j] == sym[i] && t[i] - t[j] < 2000;
				nsmall += small[j] && small[i] && t[i] - t[j] < 600000;
			}
			ck_assert_msg(twin < 0, "identical requests %d and %d %lld ms apart", twin, i,
			    twin < 0 ? 0 : t[i] - t[twin]);
			ck_assert_msg(ncon < 5, "request %d: %d more for its contract within 2 s", i, ncon);
			ck_assert_msg(nsmall < 60, "request %d: %d more small-bar requests within 10 minutes", i, nsmall);
		}
	}
	tws_pace_free(&p);
}
END_TEST

/* ================================ Errors ================================ */

START_TEST(test_errors_decode)
{
	char buf[256];
	tws_msg m;
	tws_order_status s;
	tws_hist_data d;
	long long id;
	const char *p;
	size_t plen;

	tws_msg_init(&m);
	parse_bars("3|216|Filled|3000|", buf, &m);
	ck_assert_int_eq(tws_dec_order_status(&m, &s), -1);
	ck_assert_str_eq(m.err, "field 4 (remaining): missing");
	parse_bars("9|1|x17|", buf, &m);
	ck_assert_int_eq(tws_dec_next_valid_id(&m, &id), -1);
	ck_assert_str_eq(m.err, "field 2 (orderId): 'x17' is not an integer");
	parse_bars("15|1|DU1|", buf, &m);
	ck_assert_int_eq(tws_dec_next_valid_id(&m, &id), -1);
	ck_assert_str_eq(m.err, "field 0: not message 9");
	parse_bars("17|1|a|b|2|20261124|1|2|3|4|5|6|7|", buf, &m);
	ck_assert_int_eq(tws_dec_hist_data(&m, &d), -1);
	ck_assert_str_eq(m.err, "field 4 (itemCount): 2 bars announced, 8 fields follow");
	tws_hist_data_free(&d);
	parse_bars("3|1|Filled|1.5.5|0|0|0|0|0|0||0|", buf, &m);
	ck_assert_int_eq(tws_dec_order_status(&m, &s), -1);
	ck_assert_str_eq(m.err, "field 3 (filled): '1.5.5' is not a number");
	/* A payload without its final NUL, and impossible lengths. */
	ck_assert_int_eq(tws_msg_parse(&m, "9\0001", 3), -1);
	ck_assert_int_eq(tws_frame_split("\0\0\0\0", 4, &p, &plen), -1);
	ck_assert_int_eq(tws_frame_split("\x01\0\0\0", 4, &p, &plen), -1);
	ck_assert_int_eq(tws_frame_split("\0\0\0\x05" "9\0", 6, &p, &plen), 0);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_errors_hello)
{
	int lo, hi;
	char err[64];

	ck_assert_int_eq(tws_hs_server_parse("GET / HTTP/1.1", 14, &lo, &hi, err, sizeof err), -1);
	ck_assert_str_eq(err, "not a TWS API hello");
	ck_assert_int_eq(tws_hs_server_parse("API\0\0\0\0\x05x1..2", 13, &lo, &hi, err, sizeof err), -1);
	ck_assert_int_eq(tws_hs_server_parse("API\0\0\0\0\x07v9..2xx", 15, &lo, &hi, err, sizeof err), -1);
	ck_assert_int_eq(tws_hs_server_parse("AP", 2, &lo, &hi, err, sizeof err), 0);
}
END_TEST

START_TEST(test_errors_place_order_conditions)
{
	tws_contract c;
	tws_order o;
	tws_wbuf b;
	tws_msg m;
	char *p;

	tws_contract_stock(&c, "AAPL");
	tws_order_init(&o);
	strcpy(o.action, "BUY");
	o.qty = 1;
	strcpy(o.order_type, "MKT");
	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_place_order(&b, &c, &o);
	parse_one(&b, &m);
	/* Field 89 (0-based, the id is field 0) is the conditions count: claim one condition. */
	p = (char *)m.f[89];
	ck_assert_str_eq(p, "0");
	p[0] = '1';
	ck_assert_int_eq(tws_dec_place_order(&m, &c, &o), -1);
	ck_assert_str_eq(m.err, "field 89 (conditionsCount): order conditions are not supported");
	/* Cut after the orderRef. */
	m.n = 27;
	ck_assert_int_eq(tws_dec_place_order(&m, &c, &o), -1);
	ck_assert_str_eq(m.err, "field 27 (transmit): missing");
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

/* ================================ Limits ================================ */

START_TEST(test_limits_long_fields)
{
	char buf[512], big[200];
	tws_msg m;
	tws_error e;
	char acct[8];

	tws_msg_init(&m);
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(buf + 300, 212, "15|1|%s|", big);
	parse_bars(buf + 300, buf, &m);
	ck_assert_int_eq(tws_dec_managed_accts(&m, acct, sizeof acct), -1);
	ck_assert_str_eq(m.err, "field 2 (accountsList): longer than 7 bytes");
	/* Error text is free-form: cut, not refused. */
	snprintf(buf + 300, 212, "4|2|1|200|%s||", big);
	parse_bars(buf + 300, buf, &m);
	ck_assert_int_eq(tws_dec_error(&m, &e), 0);
	ck_assert_uint_eq(strlen(e.msg), sizeof big - 1);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_limits_many_bars)
{
	int n = 5000;
	tws_bar *bars = calloc((size_t)n, sizeof *bars);
	tws_hist_data d = { 1, "", "", n, bars }, e;
	tws_wbuf b;
	tws_msg m;

	for (int i = 0; i < n; i++) {
		snprintf(bars[i].date, sizeof bars[i].date, "%d", 20000101 + i);
		bars[i].open = bars[i].high = bars[i].low = bars[i].close = 1.0 / (i + 3);
		bars[i].count = i;
	}
	tws_wbuf_init(&b);
	tws_msg_init(&m);
	ck_assert_int_eq(tws_enc_hist_data(&b, &d), 0);
	parse_one(&b, &m);
	ck_assert_int_eq(tws_dec_hist_data(&m, &e), 0);
	ck_assert_int_eq(e.nbars, n);
	ck_assert(memcmp(e.bars, bars, (size_t)n * sizeof *bars) == 0);
	tws_hist_data_free(&e);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
	free(bars);
}
END_TEST

START_TEST(test_limits_unset_values)
{
	char buf[256];
	tws_msg m;
	tws_order_status s;

	tws_msg_init(&m);
	parse_bars("3|1|Submitted|0|10|1.7976931348623157E308|0|0||0||2147483647|", buf, &m);
	ck_assert_int_eq(tws_dec_order_status(&m, &s), 0);
	ck_assert(s.avg_fill_price == TWS_UNSET_DOUBLE);
	ck_assert(s.last_fill_price == TWS_UNSET_DOUBLE);
	ck_assert(s.mkt_cap_price == 2147483647.0);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_limits_number_format)
{
	/* Doubles go out through a fast fixed-point path for prices; it must print num_fmt's bytes exactly. */
	static const double fixed[] = { 0, 1, -1, 0.0001, 0.00011, 99999.9999, 101.55, 1.08725, 999999999.5,
		0.1 + 0.2, 1e-5, 1e9, 123456789.123456789, -0.5, 2.675, 1.005 };
	unsigned long long x = 88172645463325252ULL;
	char want[NUM_FMT_MAX];
	tws_wbuf b;

	tws_wbuf_init(&b);
	for (int i = 0; i < 200000 + (int)(sizeof fixed / sizeof fixed[0]); i++) {
		double v;
		if (i < (int)(sizeof fixed / sizeof fixed[0])) {
			v = fixed[i];
		} else {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
			v = i % 2 ? (double)(x % 100000000) / pow(10, (double)(x % 7)) :
			    ldexp((double)(x >> 11), -(int)(x % 80));
		}
		b.len = 0;
		tws_w_dbl(&b, v);
		num_fmt(v, want);
		ck_assert_msg(strcmp(b.p, want) == 0, "%.17g: wrote %s, num_fmt %s", v, b.p, want);
	}
	tws_wbuf_free(&b);
}
END_TEST

/* ================================ the client against a scripted server ================================ */

struct fake {
	int lfd;          /* listening socket */
	int port;
	int mode;         /* what the server does, see serve() */
	int accepted;     /* connections accepted */
	volatile int cancelled; /* the reqId of a CANCEL_HISTORICAL_DATA received, 0 when none */
};

static int
fake_listen(struct fake *f)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(f->lfd, 0);
	ck_assert_int_eq(bind(f->lfd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(f->lfd, 4), 0);
	getsockname(f->lfd, (struct sockaddr *)&a, &len);
	f->port = ntohs(a.sin_port);
	return f->port;
}

/* Read one frame (or the hello) from fd into buf; returns its payload length or -1. */
static long
read_frame(int fd, char *buf, size_t cap, int hello)
{
	size_t got = 0, need = hello ? 8 : 4;
	unsigned long n;
	ssize_t r;

	while (got < need) {
		if ((r = read(fd, buf + got, need - got)) <= 0)
			return -1;
		got += (size_t)r;
	}
	n = (unsigned long)(unsigned char)buf[need - 4] << 24 | (unsigned long)(unsigned char)buf[need - 3] << 16 |
	    (unsigned long)(unsigned char)buf[need - 2] << 8 | (unsigned char)buf[need - 1];
	if (n + need > cap)
		return -1;
	while (got < need + n) {
		if ((r = read(fd, buf + got, need + n - got)) <= 0)
			return -1;
		got += (size_t)r;
	}
	return (long)n;
}

static void
send_buf(int fd, tws_wbuf *b)
{
	ck_assert_int_eq(write(fd, b->p, b->len), (ssize_t)b->len);
	b->len = 0;
}

/* Modes: 0 normal (answers one historical request with one bar); 1 client id in use; 2 first historical
 * request gets a pacing violation; 3 never answers requests; 4 drops the first connection after the
 * handshake, answers normally on the second; 5 answers the first historical request with 1100 (TWS lost
 * IB), then after 600 ms 1102 (restored, data kept) and the bars; 6 the same with 1101 (data lost) after
 * 100 ms, and answers only the request sent again; 7 sends 1100 and never restores it, answers normally on
 * a second connection; 8 completes the handshake and drops, every time; 9 manages 400 accounts (an
 * advisor login: MANAGED_ACCTS of 3599 bytes). */
static void
send_code(int fd, tws_wbuf *b, int code, const char *text)
{
	tws_error e = { -1, code, "", "" };

	snprintf(e.msg, sizeof e.msg, "%s", text);
	tws_enc_error(b, &e);
	send_buf(fd, b);
}

static void *
serve(void *arg)
{
	struct fake *f = arg;
	char buf[8192];
	tws_wbuf b;
	tws_msg m;
	int conns = f->mode == 4 || f->mode == 7 ? 2 : f->mode == 8 ? 10 : 1, hist_seen = 0;

	tws_wbuf_init(&b);
	tws_msg_init(&m);
	for (int k = 0; k < conns; k++) {
		int fd = accept(f->lfd, NULL, NULL);
		long n;
		if (fd < 0)
			break;
		f->accepted++;
		if (read_frame(fd, buf, sizeof buf, 1) < 0)
			goto next;
		if (f->mode == 10) { /* an HTTP server on the port */
			static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
			ck_assert_int_eq(write(fd, http, sizeof http - 1), (long)sizeof http - 1);
			goto next;
		}
		tws_hs_server_reply(&b, f->mode == 11 ? 100 : 176, "20261124 16:00:00 EST");
		send_buf(fd, &b);
		if ((n = read_frame(fd, buf, sizeof buf, 0)) < 0)
			goto next;
		if (f->mode == 1) {
			tws_error e = { -1, 326, "Unable to connect as the client id is already in use.", "" };
			tws_enc_error(&b, &e);
			send_buf(fd, &b);
			goto next;
		}
		if (f->mode == 9) {
			static char many[400 * 9 + 1];
			size_t len = 0;
			for (int i = 0; i < 400; i++)
				len += (size_t)snprintf(many + len, sizeof many - len, "%sU%07d", i ? "," : "", 1000000 + i);
			tws_enc_managed_accts(&b, many);
		} else {
			tws_enc_managed_accts(&b, "DU1234567");
		}
		tws_enc_next_valid_id(&b, 100);
		{
			tws_error e = { -1, 2104, "Market data farm connection is OK:usfarm", "" };
			tws_enc_error(&b, &e);
		}
		send_buf(fd, &b);
		if ((f->mode == 4 && k == 0) || f->mode == 8)
			goto next;
		while ((n = read_frame(fd, buf, sizeof buf, 0)) > 0) {
			tws_hist_req r;
			int cid;
			if (tws_msg_parse(&m, buf + 4, (size_t)n) == 0 && tws_msg_id(&m) == TWS_OUT_CANCEL_HISTORICAL_DATA &&
			    tws_dec_cancel_hist(&m, &cid) == 0)
				f->cancelled = cid;
			if (tws_msg_parse(&m, buf + 4, (size_t)n) < 0 || tws_msg_id(&m) != TWS_OUT_REQ_HISTORICAL_DATA)
				continue;
			ck_assert_int_eq(tws_dec_hist_req(&m, &r), 0);
			if (f->mode == 3)
				continue;
			if (f->mode == 5 && hist_seen++ == 0) {
				send_code(fd, &b, 1100, "Connectivity between IB and Trader Workstation has been lost.");
				usleep(600000);
				send_code(fd, &b, 1102, "Connectivity between IB and Trader Workstation has been restored - "
				    "data maintained.");
			}
			if (f->mode == 6 && hist_seen++ == 0) {
				send_code(fd, &b, 1100, "Connectivity between IB and Trader Workstation has been lost.");
				usleep(100000);
				send_code(fd, &b, 1101, "Connectivity between IB and Trader Workstation has been restored - "
				    "data lost.");
				continue; /* the data is lost: only the request sent again is answered */
			}
			if (f->mode == 7 && k == 0) {
				send_code(fd, &b, 1100, "Connectivity between IB and Trader Workstation has been lost.");
				continue;
			}
			if (f->mode == 2 && hist_seen++ == 0) {
				tws_error e = { r.req_id, 162,
					"Historical Market Data Service error message:Historical data request pacing violation",
					"" };
				tws_enc_error(&b, &e);
			} else {
				tws_bar bar = { "20261124", 1, 2, 0.5, 1.5, 100, 1.2, 10 };
				tws_hist_data d = { r.req_id, "20261124", "20261124", 1, &bar };
				tws_enc_hist_data(&b, &d);
			}
			send_buf(fd, &b);
		}
next:
		close(fd);
	}
	tws_wbuf_free(&b);
	tws_msg_free(&m);
	return NULL;
}

static tws_client *
client_for(struct fake *f, pthread_t *th, int mode)
{
	tws_client_opts o;

	memset(f, 0, sizeof *f);
	f->mode = mode;
	fake_listen(f);
	ck_assert_int_eq(pthread_create(th, NULL, serve, f), 0);
	tws_client_opts_init(&o);
	o.host = "127.0.0.1";
	o.port = f->port;
	o.client_id = 7;
	o.connect_timeout_ms = 3000;
	o.request_timeout_ms = 400;
	o.pacing_backoff_ms = 50;
	o.reconnect_backoff_ms = 20;
	return tws_client_new(&o);
}

static void
hist_req(tws_hist_req *r)
{
	memset(r, 0, sizeof *r);
	tws_contract_stock(&r->contract, "AAPL");
	strcpy(r->bar_size, "1 day");
	strcpy(r->duration, "5 D");
	strcpy(r->what, "TRADES");
	r->use_rth = 1;
	r->format_date = 1;
}

/* Poll until an event of type want (others are skipped). */
static int
wait_for(tws_client *c, tws_event *ev, enum tws_ev_type want)
{
	for (int i = 0; i < 20; i++) {
		int r = tws_poll(c, ev, 2000);
		if (r <= 0)
			return r;
		if (ev->type == want)
			return 1;
	}
	return 0;
}

static void
finish(struct fake *f, pthread_t th, tws_client *c)
{
	tws_client_free(c);
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(f->lfd);
}

START_TEST(test_client_bars)
{
	struct fake f;
	pthread_t th;
	tws_client *c = client_for(&f, &th, 0);
	tws_hist_req r;
	tws_event ev;
	int id;

	ck_assert_int_eq(tws_connect(c), 0);
	ck_assert_int_eq(tws_server_version(c), 176);
	ck_assert_str_eq(tws_accounts(c), "DU1234567");
	hist_req(&r);
	id = tws_req_historical(c, &r);
	ck_assert_int_eq(id, 100); /* ids start at NEXT_VALID_ID */
	/* The 2104 notice that came with the handshake is delivered first. */
	ck_assert_int_eq(tws_poll(c, &ev, 2000), 1);
	ck_assert_int_eq(ev.type, TWS_EV_ERROR);
	ck_assert_int_eq(ev.u.error.code, 2104);
	ck_assert_int_eq(wait_for(c, &ev, TWS_EV_BARS), 1);
	ck_assert_int_eq(ev.req_id, id);
	ck_assert_int_eq(ev.kind, TWS_REQ_HIST);
	ck_assert_int_eq(ev.u.bars.nbars, 1);
	ck_assert(ev.u.bars.bars[0].close == 1.5);
	ck_assert_int_eq(tws_pending(c), 0);
	finish(&f, th, c);
}
END_TEST

START_TEST(test_client_326)
{
	struct fake f;
	pthread_t th;
	tws_client *c = client_for(&f, &th, 1);

	ck_assert_int_eq(tws_connect(c), -1);
	ck_assert_int_eq(tws_errcode(c), 326);
	ck_assert_int_eq(tws_code(c), EX_UNAVAILABLE);
	ck_assert(strstr(tws_errmsg(c), "client id 7 is already in use") != NULL);
	finish(&f, th, c);
}
END_TEST

/* Not a gateway: what answers is not the TWS API (an HTTP server), or speaks a server version outside the
 * range the client's hello announced (v100 < TWS_MIN_VERSION 157; the official EClient disconnects too).
 * Both are EX_PROTOCOL (sysexits.h: "the remote system returned something that was not possible during a
 * protocol exchange"), not EX_UNAVAILABLE: trying again later does not help. */
START_TEST(test_client_not_tws)
{
	char err[512];

	for (int mode = 10; mode <= 11; mode++) {
		struct fake f;
		pthread_t th;
		tws_client *c = client_for(&f, &th, mode);

		ck_assert_int_eq(tws_connect(c), -1);
		ck_assert_int_eq(tws_errcode(c), TWS_ERR_PROTOCOL);
		ck_assert_int_eq(tws_code(c), EX_PROTOCOL);
		ck_assert_msg(strstr(tws_errmsg(c), mode == 10 ? "is not a TWS API server" : "speaks version 100") !=
		    NULL, "%s", tws_errmsg(c));
		ck_assert_int_eq(tws_err_ret(c, err, sizeof err), EX_PROTOCOL);
		ck_assert_str_eq(err, tws_errmsg(c));
		finish(&f, th, c);
	}
}
END_TEST

START_TEST(test_client_pacing_retry)
{
	struct fake f;
	pthread_t th;
	tws_client *c = client_for(&f, &th, 2);
	tws_hist_req r;
	tws_event ev;

	struct timespec t0, t1;
	int r2;

	ck_assert_int_eq(tws_connect(c), 0);
	hist_req(&r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_ge(tws_req_historical(c, &r), 0);
	/* The 162 is absorbed: the request is sent again and answered, but not before 15 s after the first
	 * sending (IB's historical-data limitations: an identical request within 15 s is itself a violation). */
	while ((r2 = tws_poll(c, &ev, 20000)) == 1 && ev.type != TWS_EV_BARS)
		;
	ck_assert_int_eq(r2, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_ge((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000, 15000);
	ck_assert_int_eq(ev.u.bars.nbars, 1);
	finish(&f, th, c);
}
END_TEST

START_TEST(test_client_timeout)
{
	struct fake f;
	pthread_t th;
	tws_client *c = client_for(&f, &th, 3);
	tws_hist_req r;
	tws_event ev;
	int id;

	ck_assert_int_eq(tws_connect(c), 0);
	hist_req(&r);
	id = tws_req_historical(c, &r);
	ck_assert_int_eq(wait_for(c, &ev, TWS_EV_TIMEOUT), 1);
	ck_assert_int_eq(ev.req_id, id);
	ck_assert_int_eq(ev.kind, TWS_REQ_HIST);
	ck_assert_int_eq(tws_pending(c), 0);
	/* The timed-out request is cancelled at TWS too (CANCEL_HISTORICAL_DATA 25|1|reqId|), so that it does
	 * not keep one of the 50 slots IB allows. */
	for (int i = 0; i < 40 && f.cancelled == 0; i++)
		tws_poll(c, &ev, 50);
	ck_assert_int_eq(f.cancelled, id);
	finish(&f, th, c);
}
END_TEST

START_TEST(test_client_reconnect)
{
	struct fake f;
	pthread_t th;
	tws_client *c = client_for(&f, &th, 4);
	tws_hist_req r;
	tws_event ev;

	ck_assert_int_eq(tws_connect(c), 0);
	hist_req(&r);
	ck_assert_int_ge(tws_req_historical(c, &r), 0);
	ck_assert_int_eq(wait_for(c, &ev, TWS_EV_RECONNECTED), 1);
	/* The request was sent again on the new connection. */
	ck_assert_int_eq(wait_for(c, &ev, TWS_EV_BARS), 1);
	ck_assert_int_eq(f.accepted, 2);
	finish(&f, th, c);
}
END_TEST

/* IB's message codes: 1100 "Connectivity between IB and the TWS has been lost" (TWS reconnects by
 * itself), 1102 "restored - data maintained", 1101 "restored - data lost" (requests must be sent again).
 * The socket to TWS never closed: the client must not reconnect, and the request's timeout (400 ms) must
 * not run while the link is down (600 ms). */
START_TEST(test_client_link_lost_kept)
{
	struct fake f;
	pthread_t th;
	tws_client *c = client_for(&f, &th, 5);
	tws_hist_req r;
	tws_event ev;
	int codes[2], n = 0;

	ck_assert_int_eq(tws_connect(c), 0);
	hist_req(&r);
	ck_assert_int_ge(tws_req_historical(c, &r), 0);
	for (;;) {
		ck_assert_int_eq(tws_poll(c, &ev, 3000), 1);
		ck_assert_int_ne(ev.type, TWS_EV_TIMEOUT);
		ck_assert_int_ne(ev.type, TWS_EV_RECONNECTED);
		if (ev.type == TWS_EV_ERROR && ev.u.error.code != 2104 && n < 2)
			codes[n++] = ev.u.error.code;
		if (ev.type == TWS_EV_BARS)
			break;
	}
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(codes[0], 1100);
	ck_assert_int_eq(codes[1], 1102);
	ck_assert_int_eq(f.accepted, 1);
	ck_assert_int_eq(tws_pending(c), 0);
	finish(&f, th, c);
}
END_TEST

START_TEST(test_client_link_lost_data_lost)
{
	struct fake f;
	pthread_t th;
	tws_client *c = client_for(&f, &th, 6);
	tws_hist_req r;
	tws_event ev;
	int id;

	ck_assert_int_eq(tws_connect(c), 0);
	hist_req(&r);
	ck_assert_int_ge((id = tws_req_historical(c, &r)), 0);
	ck_assert_int_eq(wait_for(c, &ev, TWS_EV_RECONNECTED), 1);
	ck_assert_int_eq(wait_for(c, &ev, TWS_EV_BARS), 1);
	ck_assert_int_eq(ev.req_id, id);
	ck_assert_int_eq(f.accepted, 1);
	finish(&f, th, c);
}
END_TEST

/* No 1101/1102 within link_timeout_ms: then the connection is taken as lost and made again. */
START_TEST(test_client_link_timeout)
{
	struct fake f;
	pthread_t th;
	tws_client *c;
	tws_client_opts o;
	tws_hist_req r;
	tws_event ev;

	memset(&f, 0, sizeof f);
	f.mode = 7;
	fake_listen(&f);
	ck_assert_int_eq(pthread_create(&th, NULL, serve, &f), 0);
	tws_client_opts_init(&o);
	o.host = "127.0.0.1";
	o.port = f.port;
	o.client_id = 7;
	o.connect_timeout_ms = 3000;
	o.request_timeout_ms = 2000;
	o.reconnect_backoff_ms = 20;
	o.link_timeout_ms = 300;
	c = tws_client_new(&o);
	ck_assert_int_eq(tws_connect(c), 0);
	hist_req(&r);
	ck_assert_int_ge(tws_req_historical(c, &r), 0);
	ck_assert_int_eq(wait_for(c, &ev, TWS_EV_RECONNECTED), 1);
	ck_assert_int_eq(wait_for(c, &ev, TWS_EV_BARS), 1);
	ck_assert_int_eq(f.accepted, 2);
	finish(&f, th, c);
}
END_TEST

/* A gateway that accepts and drops every connection: the attempts count across drops (1, 2, 3 of 3), and
 * then the connection is gone for good, instead of "attempt 1 of 3" for ever. */
START_TEST(test_client_reconnect_counts)
{
	struct fake f;
	pthread_t th;
	tws_client *c;
	tws_client_opts o;
	tws_event ev;
	int r;

	memset(&f, 0, sizeof f);
	f.mode = 8;
	fake_listen(&f);
	ck_assert_int_eq(pthread_create(&th, NULL, serve, &f), 0);
	tws_client_opts_init(&o);
	o.host = "127.0.0.1";
	o.port = f.port;
	o.client_id = 7;
	o.connect_timeout_ms = 3000;
	o.reconnect_backoff_ms = 10;
	o.reconnect_max = 3;
	c = tws_client_new(&o);
	ck_assert_int_eq(tws_connect(c), 0);
	ck_assert_int_ge(tws_req_positions(c), 0);
	while ((r = tws_poll(c, &ev, 3000)) == 1)
		;
	ck_assert_int_eq(r, -1);
	ck_assert_int_eq(f.accepted, 4);
	finish(&f, th, c);
}
END_TEST

/* Advisor logins list every sub-account in MANAGED_ACCTS (comma-separated, no limit in the protocol). */
START_TEST(test_client_many_accounts)
{
	struct fake f;
	pthread_t th;
	tws_client *c = client_for(&f, &th, 9);
	const char *a;

	ck_assert_int_eq(tws_connect(c), 0);
	a = tws_accounts(c);
	ck_assert_uint_eq(strlen(a), 400 * 9 - 1);
	ck_assert(strncmp(a, "U1000000,U1000001,", 18) == 0);
	ck_assert_str_eq(a + strlen(a) - 9, ",U1000399");
	finish(&f, th, c);
}
END_TEST

START_TEST(test_client_refused)
{
	struct fake f;
	tws_client_opts o;
	tws_client *c;

	fake_listen(&f);
	close(f.lfd); /* nobody listens there now */
	tws_client_opts_init(&o);
	o.host = "127.0.0.1";
	o.port = f.port;
	c = tws_client_new(&o);
	ck_assert_int_eq(tws_connect(c), -1);
	ck_assert_int_eq(tws_errcode(c), 502);
	ck_assert_int_eq(tws_code(c), EX_UNAVAILABLE);
	ck_assert(strstr(tws_errmsg(c), "couldn't connect to TWS at 127.0.0.1:") != NULL);
	ck_assert_int_eq(tws_req_positions(c), -1);
	ck_assert_int_eq(tws_errcode(c), 504);
	tws_client_free(c);
}
END_TEST

static Suite *
tws_suite(void)
{
	Suite *s = suite_create("tws");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits"),
	      *client = tcase_create("Client");

	tcase_add_test(core, test_client_hello);
	tcase_add_test(core, test_server_parse_hello);
	tcase_add_test(core, test_server_reply);
	tcase_add_test(core, test_start_api);
	tcase_add_test(core, test_next_valid_id_and_accounts);
	tcase_add_test(core, test_notice);
	tcase_add_test(core, test_order_status_capture);
	tcase_add_test(core, test_open_order_capture_176);
	tcase_add_test(core, test_exec_capture_176);
	tcase_add_test(core, test_error_unescape);
	tcase_add_test(core, test_contract_data_capture_176);
	tcase_add_test(core, test_contract_data_versions);
	tcase_add_test(core, test_commission_capture);
	tcase_add_test(core, test_account_updates_layout);
	tcase_add_test(core, test_hist_request_official);
	tcase_add_test(core, test_place_order_layout);
	tcase_add_test(core, test_roundtrip_hist_data);
	tcase_add_test(core, test_roundtrip_open_order);
	tcase_add_test(core, test_roundtrip_exec_commission_position);
	tcase_add_test(core, test_roundtrip_account_and_small);
	tcase_add_test(core, test_golden_bytes);
	tcase_add_test(core, test_pace_rules);
	tcase_add_test(core, test_pace_invariant);
	tcase_add_test(errors, test_errors_decode);
	tcase_add_test(errors, test_errors_hello);
	tcase_add_test(errors, test_errors_place_order_conditions);
	tcase_add_test(limits, test_limits_long_fields);
	tcase_add_test(limits, test_limits_many_bars);
	tcase_add_test(limits, test_limits_unset_values);
	tcase_add_test(limits, test_limits_number_format);
	tcase_set_timeout(client, 40);
	tcase_add_test(client, test_client_bars);
	tcase_add_test(client, test_client_326);
	tcase_add_test(client, test_client_not_tws);
	tcase_add_test(client, test_client_pacing_retry);
	tcase_add_test(client, test_client_timeout);
	tcase_add_test(client, test_client_reconnect);
	tcase_add_test(client, test_client_link_lost_kept);
	tcase_add_test(client, test_client_link_lost_data_lost);
	tcase_add_test(client, test_client_link_timeout);
	tcase_add_test(client, test_client_reconnect_counts);
	tcase_add_test(client, test_client_many_accounts);
	tcase_add_test(client, test_client_refused);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	suite_add_tcase(s, client);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tws_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
