#include "tws/client_impl.h"

#include <stdlib.h>
#include <string.h>

#include "tws/pace.h"

/* Every request: refused unless connected (or reconnecting), then encoded into b. Returns 0 or -1. */
static int
begin(tws_client *c, tws_wbuf *b)
{
	if (twsc_need_conn(c) < 0)
		return -1;
	tws_wbuf_init(b);
	return 0;
}

/* Queue b as the request id of kind. Returns id, or -1 when out of memory. */
static long long
queue_id(tws_client *c, enum tws_req_kind kind, long long id, tws_wbuf *b)
{
	return twsc_submit(c, kind, id, b) < 0 ? -1 : id;
}

int
tws_req_historical(tws_client *c, const tws_hist_req *r)
{
	tws_hist_req q = *r;
	struct pending *p;
	tws_wbuf b;

	if (begin(c, &b) < 0)
		return -1;
	q.req_id = (int)tws_next_id(c);
	tws_enc_hist_req(&b, &q);
	if (b.oom || (p = twsc_pend_add(c, TWS_REQ_HIST, q.req_id, &b)) == NULL) {
		tws_wbuf_free(&b);
		return twsc_fail(c, TWS_ERR_NOMEM, "out of memory");
	}
	tws_wbuf_free(&b);
	tws_pace_key_of(&q, &p->pace);
	return q.req_id;
}

long long
tws_place_order(tws_client *c, const tws_contract *ct, const tws_order *o)
{
	tws_order q = *o;
	tws_wbuf b;

	if (begin(c, &b) < 0)
		return -1;
	if (q.order_id <= 0)
		q.order_id = tws_next_id(c);
	else if (q.order_id >= c->next_id)
		c->next_id = q.order_id + 1;
	tws_enc_place_order_v(&b, ct, &q, c->version);
	return queue_id(c, TWS_REQ_ORDER, q.order_id, &b);
}

int
tws_cancel_order(tws_client *c, long long order_id)
{
	tws_wbuf b;

	if (begin(c, &b) < 0)
		return -1;
	tws_enc_cancel_order_v(&b, order_id, c->version);
	return twsc_submit(c, TWS_REQ_CANCEL, order_id, &b) < 0 ? -1 : 0;
}

static int
simple_req(tws_client *c, enum tws_req_kind kind, int msg_id)
{
	tws_wbuf b;

	if (begin(c, &b) < 0)
		return -1;
	tws_enc_simple(&b, msg_id);
	return twsc_submit(c, kind, -1, &b);
}

/* An open-orders request behind its barrier (see client.h). */
static int
open_orders_req(tws_client *c, int msg_id)
{
	if (simple_req(c, TWS_REQ_CURRENT_TIME, TWS_OUT_REQ_CURRENT_TIME) < 0)
		return -1;
	c->pend_tail->internal = 1;
	return simple_req(c, TWS_REQ_OPEN_ORDERS, msg_id);
}

int tws_req_open_orders(tws_client *c) { return open_orders_req(c, TWS_OUT_REQ_OPEN_ORDERS); }
int tws_req_all_open_orders(tws_client *c) { return open_orders_req(c, TWS_OUT_REQ_ALL_OPEN_ORDERS); }

int
tws_req_market_data_type(tws_client *c, int type)
{
	tws_wbuf b;

	if (begin(c, &b) < 0)
		return -1;
	tws_enc_market_data_type_req(&b, type);
	return twsc_submit(c, TWS_REQ_NONE, -1, &b);
}

int
tws_req_snapshot(tws_client *c, const tws_contract *ct)
{
	tws_mkt_req r;
	tws_wbuf b;

	if (begin(c, &b) < 0)
		return -1;
	memset(&r, 0, sizeof r);
	r.req_id = (int)tws_next_id(c);
	r.contract = *ct;
	r.snapshot = 1;
	tws_enc_mkt_req(&b, &r);
	return queue_id(c, TWS_REQ_MKT_DATA, r.req_id, &b);
}

int
tws_req_completed_orders(tws_client *c, int api_only)
{
	tws_wbuf b;

	if (begin(c, &b) < 0)
		return -1;
	tws_enc_req_completed_orders(&b, api_only);
	return twsc_submit(c, TWS_REQ_COMPLETED_ORDERS, -1, &b);
}
int tws_req_positions(tws_client *c) { return simple_req(c, TWS_REQ_POSITIONS, TWS_OUT_REQ_POSITIONS); }
int tws_req_current_time(tws_client *c) { return simple_req(c, TWS_REQ_CURRENT_TIME, TWS_OUT_REQ_CURRENT_TIME); }

int
tws_req_ids(tws_client *c)
{
	tws_wbuf b;

	if (begin(c, &b) < 0)
		return -1;
	tws_enc_req_ids(&b, 1);
	return twsc_submit(c, TWS_REQ_IDS, -1, &b);
}

int
tws_req_contract_details(tws_client *c, const tws_contract *ct)
{
	tws_wbuf b;
	int id;

	if (begin(c, &b) < 0)
		return -1;
	id = (int)tws_next_id(c);
	tws_enc_req_contract_v(&b, id, ct, c->version);
	return queue_id(c, TWS_REQ_CONTRACT, id, &b);
}

int
tws_req_executions(tws_client *c, const tws_exec_filter *f)
{
	tws_exec_filter none;
	tws_wbuf b;
	int id;

	if (begin(c, &b) < 0)
		return -1;
	if (f == NULL) {
		memset(&none, 0, sizeof none);
		f = &none;
	}
	id = (int)tws_next_id(c);
	tws_enc_req_executions(&b, id, f);
	return queue_id(c, TWS_REQ_EXECUTIONS, id, &b);
}

int
tws_req_account_summary(tws_client *c, const char *group, const char *tags)
{
	tws_wbuf b;
	int id;

	if (begin(c, &b) < 0)
		return -1;
	id = (int)tws_next_id(c);
	tws_enc_req_account_summary(&b, id, group ? group : "All", tags);
	return queue_id(c, TWS_REQ_ACCOUNT_SUMMARY, id, &b);
}
