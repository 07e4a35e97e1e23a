/* Unit tests of lib/tws for the account's orders: COMPLETED_ORDER decoded in the field order of an
 * independent decoder (ib_async 2.0.1, decoder.py completedOrder) at versions 178, 176 (faProfile) and 165
 * (before the five fields of 170), and the open-orders request against a scripted server that pushes a
 * client's orders and an OPEN_ORDER_END unasked (TWS does so at connect when "download open orders on
 * connection" is set): that end must not be taken as the request's answer. */
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tws/client.h"
#include "tws/msg.h"
#include "tws/wire.h"

/* A frame from a '|'-separated field list (each field followed by NUL). */
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

static void
parse_bars(const char *bars, char *buf, tws_msg *m)
{
	size_t n = frame_of(bars, buf);
	const char *p;
	size_t plen;

	ck_assert_int_eq(tws_frame_split(buf, n, &p, &plen), (long)n);
	ck_assert_int_eq(tws_msg_parse(m, p, plen), 0);
}

/* COMPLETED_ORDER at 178, written field by field as ib_async's completedOrder reads it, with a
 * delta-neutral order type (4 more fields), a hedge (1 more) and an algo with one parameter (count + 2). */
static const char completed_178[] =
    "101|"
    "265598|AAPL|STK||0|||SMART|USD|AAPL|NMS|"                       /* contract, no primaryExchange */
    "BUY|12|MKT|||OPG||DU1234567||0|2026-11-24:s1:AAPL:BUY|"         /* action .. orderRef */
    "1000000042|"                                                    /* permId */
    "0|0|0|||||"                                                     /* outsideRth .. faPercentage */
    "|||||0||-1|||||||0|0||3|0||0|"                                  /* modelCode .. volatilityType */
    "LMT||"                                                          /* deltaNeutralOrderType, AuxPrice */
    "0|0||0|"                                                        /* deltaNeutral conId .. location */
    "0|0|||combo|"                                                   /* continuousUpdate .. comboLegsDescrip */
    "0|0|0|"                                                         /* combo leg counts */
    "|||"                                                            /* scale */
    "D|beta=1|"                                                      /* hedgeType, hedgeParam */
    "||0|0|"                                                         /* clearing .., notHeld, no DN contract */
    "Adaptive|1|adaptivePriority|Normal|"                            /* algo */
    "0|Filled|0|0|"                                                  /* solicited, status, randomize */
    "0|"                                                             /* conditions */
    "|||0|0||12|0|0||0|0|0|"                                         /* trailStopPrice .. parentPermId */
    "20261125 09:30:00 US/Eastern|Filled Size: 12|"                  /* completedTime, completedStatus */
    "|||||";                                                         /* 170: minTradeQty .. midOffsetAtHalf */

static void
check_completed(const tws_completed_order *y)
{
	ck_assert_int_eq(y->contract.con_id, 265598);
	ck_assert_str_eq(y->contract.symbol, "AAPL");
	ck_assert_str_eq(y->order.action, "BUY");
	ck_assert(y->order.qty == 12);
	ck_assert_str_eq(y->order.tif, "OPG");
	ck_assert_str_eq(y->order.account, "DU1234567");
	ck_assert_str_eq(y->order.order_ref, "2026-11-24:s1:AAPL:BUY");
	ck_assert_int_eq(y->order.perm_id, 1000000042);
	ck_assert_str_eq(y->status, "Filled");
	ck_assert(y->filled == 12);
	ck_assert_str_eq(y->completed_time, "20261125 09:30:00 US/Eastern");
	ck_assert_str_eq(y->completed_status, "Filled Size: 12");
	ck_assert_int_eq(y->order.order_id, 0); /* COMPLETED_ORDER carries no order id */
}

START_TEST(test_completed_order_independent_layout)
{
	char buf[4096];
	tws_completed_order y;
	tws_msg m;

	tws_msg_init(&m);
	parse_bars(completed_178, buf, &m);
	ck_assert_int_eq(tws_dec_completed_order(&m, &y, 178), 0);
	check_completed(&y);
	ck_assert_int_eq(tws_r_left(&m), 5);
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_completed_order_roundtrip_versions)
{
	static const int versions[] = { 178, 177, 176, 170, 169, 165 };
	tws_completed_order x, y;
	tws_wbuf b;
	tws_msg m;

	for (size_t k = 0; k < sizeof versions / sizeof versions[0]; k++) {
		const char *p;
		size_t plen;
		memset(&x, 0, sizeof x);
		tws_contract_stock(&x.contract, "AAPL");
		x.contract.con_id = 265598;
		tws_order_init(&x.order);
		strcpy(x.order.action, "BUY");
		x.order.qty = 12;
		strcpy(x.order.order_type, "MKT");
		strcpy(x.order.tif, "OPG");
		strcpy(x.order.account, "DU1234567");
		strcpy(x.order.order_ref, "2026-11-24:s1:AAPL:BUY");
		x.order.perm_id = 1000000042;
		strcpy(x.status, "Filled");
		x.filled = 12;
		strcpy(x.completed_time, "20261125 09:30:00 US/Eastern");
		strcpy(x.completed_status, "Filled Size: 12");
		tws_wbuf_init(&b);
		tws_msg_init(&m);
		ck_assert_int_eq(tws_enc_completed_order_v(&b, &x, versions[k]), 0);
		ck_assert_int_eq(tws_frame_split(b.p, b.len, &p, &plen), (long)b.len);
		ck_assert_int_eq(tws_msg_parse(&m, p, plen), 0);
		/* the same number of fields as the independent layout, less its optional groups (4 + 1 + 3), less
		 * faProfile from 177, less the five fields of 170 before it */
		ck_assert_int_eq(m.n, 104 - 8 + (versions[k] < 177) - 5 * (versions[k] < 170));
		ck_assert_int_eq(tws_dec_completed_order(&m, &y, versions[k]), 0);
		check_completed(&y);
		tws_wbuf_free(&b);
		tws_msg_free(&m);
	}
}
END_TEST

START_TEST(test_completed_order_truncated)
{
	char buf[4096], cut[4096];
	tws_completed_order y;
	tws_msg m;
	const char *end = strstr(completed_178, "20261125");

	tws_msg_init(&m);
	snprintf(cut, sizeof cut, "%.*s", (int)(end - completed_178), completed_178);
	parse_bars(cut, buf, &m);
	ck_assert_int_eq(tws_dec_completed_order(&m, &y, 178), -1);
	ck_assert_ptr_nonnull(strstr(m.err, "completedTime"));
	tws_msg_free(&m);
}
END_TEST

START_TEST(test_completed_orders_requests)
{
	tws_wbuf b;
	tws_msg m;
	const char *p;
	size_t plen;
	int api_only = -1;

	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_req_completed_orders(&b, 1);
	/* ib_async client.py reqCompletedOrders: send(99, apiOnly): no version field */
	ck_assert_uint_eq(b.len, 4 + 5);
	ck_assert(memcmp(b.p + 4, "99\0" "1\0", 5) == 0);
	ck_assert_int_eq(tws_frame_split(b.p, b.len, &p, &plen), (long)b.len);
	ck_assert_int_eq(tws_msg_parse(&m, p, plen), 0);
	ck_assert_int_eq(tws_dec_req_completed_orders(&m, &api_only), 0);
	ck_assert_int_eq(api_only, 1);
	b.len = 0;
	tws_enc_completed_orders_end(&b);
	ck_assert_uint_eq(b.len, 4 + 4);
	ck_assert(memcmp(b.p + 4, "102\0", 4) == 0);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

/* REQ_MKT_DATA as ib_async's reqMktData sends it for a stock snapshot (its contract fields, then False for
 * no delta-neutral contract, the generic ticks, snapshot, regulatory snapshot and the options); the ticks as
 * its decoder reads them (priceSizeTick: 1|6|reqId|tickType|price|size|attr|; tickSize: 2|6|reqId|type|size|;
 * tickSnapshotEnd 57|1|reqId|). ib_async writes the strike 0.0 where we write "" (unset): both read as 0. */
START_TEST(test_market_data_layouts)
{
	char buf[1024];
	tws_mkt_req r, q;
	tws_tick t;
	tws_wbuf b;
	tws_msg m;
	const char *p;
	size_t plen;
	int type = 0;

	memset(&r, 0, sizeof r);
	r.req_id = 9;
	tws_contract_stock(&r.contract, "AAPL");
	r.snapshot = 1;
	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_mkt_req(&b, &r);
	frame_of("1|11|9|0|AAPL|STK|||||SMART||USD|||0||1|0||", buf);
	ck_assert_uint_eq(b.len, 4 + strlen("1|11|9|0|AAPL|STK|||||SMART||USD|||0||1|0||"));
	ck_assert(memcmp(b.p, buf, b.len) == 0);
	parse_bars("1|11|9|0|AAPL|STK||0.0|||SMART||USD|||0||1|0||", buf, &m);
	ck_assert_int_eq(tws_dec_mkt_req(&m, &q), 0);
	ck_assert_int_eq(q.req_id, 9);
	ck_assert_str_eq(q.contract.symbol, "AAPL");
	ck_assert_int_eq(q.snapshot, 1);
	b.len = 0;
	tws_enc_market_data_type_req(&b, 3);
	ck_assert(b.len == 4 + 7 && memcmp(b.p + 4, "59\0" "1\0" "3\0", 7) == 0);
	ck_assert_int_eq(tws_frame_split(b.p, b.len, &p, &plen), (long)b.len);
	ck_assert_int_eq(tws_msg_parse(&m, p, plen), 0);
	ck_assert_int_eq(tws_dec_market_data_type_req(&m, &type), 0);
	ck_assert_int_eq(type, 3);
	parse_bars("1|6|9|68|101.5|200|0|", buf, &m);
	ck_assert_int_eq(tws_dec_tick(&m, &t), 0);
	ck_assert_int_eq(t.req_id, 9);
	ck_assert_int_eq(t.type, TWS_TICK_DELAYED_LAST);
	ck_assert(t.price == 101.5 && t.size == 200);
	parse_bars("2|6|9|74|5473595|", buf, &m);
	ck_assert_int_eq(tws_dec_tick(&m, &t), 0);
	ck_assert_int_eq(t.type, TWS_TICK_DELAYED_VOLUME);
	ck_assert(t.price == TWS_UNSET_DOUBLE && t.size == 5473595);
	b.len = 0;
	tws_enc_tick_snapshot_end(&b, 9);
	ck_assert(b.len == 4 + 7 && memcmp(b.p + 4, "57\0" "1\0" "9\0", 7) == 0);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}
END_TEST

/* ================================ a scripted server ================================ */

struct srv {
	int lfd, port;
};

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
flush_to(int fd, tws_wbuf *b)
{
	ck_assert_int_eq(write(fd, b->p, b->len), (ssize_t)b->len);
	b->len = 0;
}

static void
open_order(tws_wbuf *b, long long id, int client, const char *ref)
{
	tws_open_order x;

	memset(&x, 0, sizeof x);
	tws_contract_stock(&x.contract, "AAPL");
	tws_order_init(&x.order);
	x.order.order_id = id;
	strcpy(x.order.action, "BUY");
	x.order.qty = 1;
	strcpy(x.order.order_type, "MKT");
	snprintf(x.order.order_ref, sizeof x.order.order_ref, "%s", ref);
	x.order.client_id = client;
	x.order.perm_id = 5000 + id;
	strcpy(x.status, "PreSubmitted");
	x.commission = TWS_UNSET_DOUBLE;
	tws_enc_open_order(b, &x);
}

/* One connection: the handshake, then the push of this client's orders arrives late, right before the
 * answer to the first REQ_CURRENT_TIME (as if TWS's connect-time download came after the client's first
 * requests); REQ_ALL_OPEN_ORDERS is answered with another client's order. */
static void *
serve(void *arg)
{
	struct srv *sv = arg;
	char buf[8192];
	tws_wbuf b;
	tws_msg m;
	int fd = accept(sv->lfd, NULL, NULL);
	long n;

	if (fd < 0)
		return NULL;
	tws_wbuf_init(&b);
	tws_msg_init(&m);
	if (read_frame(fd, buf, sizeof buf, 1) < 0)
		goto out;
	tws_hs_server_reply(&b, 178, "20261124 16:00:00 EST");
	flush_to(fd, &b);
	if (read_frame(fd, buf, sizeof buf, 0) < 0)
		goto out;
	tws_enc_managed_accts(&b, "DU1234567");
	tws_enc_next_valid_id(&b, 100);
	flush_to(fd, &b);
	while ((n = read_frame(fd, buf, sizeof buf, 0)) > 0) {
		if (tws_msg_parse(&m, buf + 4, (size_t)n) < 0)
			continue;
		switch (tws_msg_id(&m)) {
		case TWS_OUT_REQ_CURRENT_TIME:
			open_order(&b, 1, 7, "pushed");
			tws_enc_simple(&b, TWS_IN_OPEN_ORDER_END);
			tws_enc_current_time(&b, 1764000000);
			break;
		case TWS_OUT_REQ_ALL_OPEN_ORDERS:
			open_order(&b, 2, 8, "other-client");
			tws_enc_simple(&b, TWS_IN_OPEN_ORDER_END);
			break;
		case TWS_OUT_REQ_COMPLETED_ORDERS: {
			char f[4096];
			size_t k = frame_of(completed_178, f);
			tws_w_raw(&b, f, k);
			tws_enc_completed_orders_end(&b);
			break;
		}
		default:
			break;
		}
		flush_to(fd, &b);
	}
out:
	close(fd);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
	return NULL;
}

START_TEST(test_open_orders_pushed_end_is_not_the_answer)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	struct srv sv;
	pthread_t th;
	tws_client_opts o;
	tws_client *c;
	tws_event ev;
	int unasked_ends = 0, orders = 0, times = 0, done = 0, completed = 0;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sv.lfd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(sv.lfd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(sv.lfd, 4), 0);
	getsockname(sv.lfd, (struct sockaddr *)&a, &len);
	sv.port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&th, NULL, serve, &sv), 0);
	tws_client_opts_init(&o);
	o.host = "127.0.0.1";
	o.port = sv.port;
	o.client_id = 7;
	o.request_timeout_ms = 3000;
	c = tws_client_new(&o);
	ck_assert_int_eq(tws_connect(c), 0);
	ck_assert_int_eq(tws_req_all_open_orders(c), 0);
	while (!done && tws_poll(c, &ev, 3000) == 1) {
		switch (ev.type) {
		case TWS_EV_OPEN_ORDER: orders++; break;
		case TWS_EV_CURRENT_TIME: times++; break;
		case TWS_EV_OPEN_ORDER_END:
			if (ev.kind == TWS_REQ_OPEN_ORDERS)
				done = 1;
			else
				unasked_ends++;
			break;
		default: break;
		}
	}
	ck_assert_int_eq(done, 1);
	ck_assert_int_eq(unasked_ends, 1); /* the pushed one: recorded, not the answer */
	ck_assert_int_eq(orders, 2);       /* both orders reported, the pushed one too */
	ck_assert_int_eq(times, 0);        /* the barrier's answer is the client's own */
	ck_assert_int_eq(tws_pending(c), 0);
	ck_assert_int_eq(tws_req_completed_orders(c, 0), 0);
	done = 0;
	while (!done && tws_poll(c, &ev, 3000) == 1) {
		if (ev.type == TWS_EV_COMPLETED_ORDER) {
			check_completed(&ev.u.completed);
			completed++;
		}
		done = ev.type == TWS_EV_COMPLETED_END;
	}
	ck_assert_int_eq(done, 1);
	ck_assert_int_eq(completed, 1);
	ck_assert_int_eq(tws_pending(c), 0);
	tws_client_free(c);
	shutdown(sv.lfd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(sv.lfd);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("tws_orders");
	TCase *core = tcase_create("Core"), *client = tcase_create("Client");

	tcase_add_test(core, test_completed_order_independent_layout);
	tcase_add_test(core, test_completed_order_roundtrip_versions);
	tcase_add_test(core, test_completed_order_truncated);
	tcase_add_test(core, test_completed_orders_requests);
	tcase_add_test(core, test_market_data_layouts);
	tcase_set_timeout(client, 20);
	tcase_add_test(client, test_open_orders_pushed_end_is_not_the_answer);
	suite_add_tcase(s, core);
	suite_add_tcase(s, client);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
