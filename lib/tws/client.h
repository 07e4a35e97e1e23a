/* tws/client: a TWS API client for tools that talk to TWS, IB Gateway or ib-sim.
 *
 * One connection, one thread, no callbacks: requests are queued by the tws_req_* calls (which never block)
 * and every answer comes back as a tws_event from tws_poll(). The client takes care of what every IB
 * program otherwise gets wrong:
 *   - connecting with a timeout, and the handshake up to readiness (NEXT_VALID_ID and MANAGED_ACCTS seen);
 *     a refused connection is error 502, a request without a connection 504, and a client id that is
 *     already in use (error 326, or a close during the handshake) is reported as such;
 *   - a timeout on every request: a request without its answer by then ends in a TWS_EV_TIMEOUT event;
 *   - pacing: at most max_msgs_per_sec messages per second leave (45, below IB's 50), at most max_hist_open
 *     historical requests are open at once (50); the others wait in the client, where their timeout does
 *     not run yet; a historical request answered with a pacing violation (error 162) is sent again after a
 *     back-off (pacing_backoff_ms, doubled each time) up to pacing_retries times before the error surfaces;
 *   - TWS losing IB: error 1100 leaves the socket to TWS as it is (TWS reconnects to IB by itself); the
 *     requests' timeouts stop running and the client waits on the same socket up to link_timeout_ms for
 *     1102 (restored, data kept: nothing to do) or 1101 (restored, data lost: the pending read requests are
 *     sent again and TWS_EV_RECONNECTED follows). Only when neither comes in time is the link taken as
 *     lost, as below. The 1100/1101/1102 errors are passed on as events too;
 *   - reconnecting: when the connection drops, the client reconnects with a doubling back-off, sends the
 *     pending read requests (bars, open orders, executions, positions, account summary) again and
 *     reports TWS_EV_RECONNECTED. The attempts are counted across drops: reconnect_max attempts in a row
 *     without an answer to any request in between, and the connection is gone for good.
 *     Orders are never sent twice: an order whose acknowledgement was lost stays pending until its timeout;
 *     callers re-read open orders and executions after TWS_EV_RECONNECTED (orderRef tells theirs apart).
 *
 * Ids: requests and orders share one id sequence that starts at the server's NEXT_VALID_ID, as in
 * ib_insync, so that an error's id always names one request. tws_req_* return the id they used.
 *
 * Typical use:
 *     tws_client_opts o; tws_client_opts_init(&o); o.port = 4002; o.client_id = 7;
 *     tws_client *c = tws_client_new(&o);
 *     if (tws_connect(c) < 0) err_die(tws_code(c), "%s", tws_errmsg(c));
 *     int id = tws_req_historical(c, &req);
 *     tws_event ev;
 *     while (tws_poll(c, &ev, 1000) > 0 || tws_pending(c) > 0) ... switch (ev.type) ...
 *     tws_client_free(c);
 */
#ifndef STI_TWS_CLIENT_H
#define STI_TWS_CLIENT_H

#include "tws/msg.h"

/* Client-side error codes, as the official clients number them. */
#define TWS_ERR_CONNECT_FAIL 502   /* couldn't connect to TWS */
#define TWS_ERR_NOT_CONNECTED 504  /* not connected (or the connection was lost for good) */
#define TWS_ERR_PROTOCOL 505       /* a message we could not decode */
#define TWS_ERR_CLIENT_ID_IN_USE 326
#define TWS_ERR_NOMEM (-2)          /* not an IB code: memory ran out on this side */

typedef struct tws_client_opts {
	const char *host;        /* default "127.0.0.1" */
	int port;                /* default 4002 (IB Gateway, paper) */
	int client_id;           /* default 0; must differ from every other connected client's */
	const char *conn_opts;   /* appended to the version range, e.g. "+PACEAPI"; default "" */
	int connect_timeout_ms;  /* TCP connect plus handshake up to readiness; default 10000 */
	int request_timeout_ms;  /* per request, from when it is sent; default 60000 */
	int max_msgs_per_sec;    /* default 45 */
	int max_hist_open;       /* historical requests open at once; default 50 */
	int pacing_retries;      /* re-sends after error 162 "pacing violation"; default 5 */
	int pacing_backoff_ms;   /* first back-off after a pacing violation; default 2000 */
	int reconnect_max;       /* attempts after a drop or error 1100; 0 = never; default 5 */
	int reconnect_backoff_ms;/* first wait before reconnecting, doubled per attempt; default 500 */
	int link_timeout_ms;     /* after error 1100, how long to wait for 1101/1102 before reconnecting;
	                          * default 300000 (IB's nightly reset takes minutes) */
} tws_client_opts;

/* What a request was, for timeouts and errors. */
enum tws_req_kind {
	TWS_REQ_NONE = 0,        /* not a request of ours (a notice, an unsolicited message) */
	TWS_REQ_HIST,            /* tws_req_historical */
	TWS_REQ_ORDER,           /* tws_place_order: ends at the first OPEN_ORDER, ORDER_STATUS or error */
	TWS_REQ_CANCEL,          /* tws_cancel_order: ends at the Cancelled status or an error */
	TWS_REQ_OPEN_ORDERS,     /* tws_req_open_orders / tws_req_all_open_orders */
	TWS_REQ_EXECUTIONS,      /* tws_req_executions */
	TWS_REQ_POSITIONS,       /* tws_req_positions */
	TWS_REQ_ACCOUNT_SUMMARY, /* tws_req_account_summary */
	TWS_REQ_CURRENT_TIME,    /* tws_req_current_time */
	TWS_REQ_IDS,             /* tws_req_ids */
	TWS_REQ_CONTRACT,        /* tws_req_contract_details: CONTRACT events, then CONTRACT_END or error 200 */
	TWS_REQ_COMPLETED_ORDERS,/* tws_req_completed_orders */
	TWS_REQ_MKT_DATA,        /* tws_req_snapshot */
};

enum tws_ev_type {
	TWS_EV_BARS = 1,            /* u.bars: the answer to historical request req_id */
	TWS_EV_ERROR,               /* u.error from TWS; req_id = its id, kind = what that request was */
	TWS_EV_TIMEOUT,             /* request req_id (kind) got no answer in time; it is forgotten */
	TWS_EV_ORDER_STATUS,        /* u.status; req_id = the order id */
	TWS_EV_OPEN_ORDER,          /* u.open_order; req_id = the order id */
	TWS_EV_OPEN_ORDER_END,      /* the end of an open-orders answer (kind TWS_REQ_OPEN_ORDERS), or of orders
	                             * the gateway pushed unasked, e.g. at connect (kind TWS_REQ_NONE) */
	TWS_EV_EXEC,                /* u.exec; req_id = the request's id, -1 for a fill as it happens */
	TWS_EV_EXEC_END,            /* req_id */
	TWS_EV_COMMISSION,          /* u.commission (joins u.exec by exec_id) */
	TWS_EV_POSITION,            /* u.position */
	TWS_EV_POSITION_END,
	TWS_EV_ACCOUNT_VALUE,       /* u.account_value; req_id */
	TWS_EV_ACCOUNT_SUMMARY_END, /* req_id */
	TWS_EV_NEXT_VALID_ID,       /* u.id: the next order id TWS accepts */
	TWS_EV_CURRENT_TIME,        /* u.time: seconds since the epoch (the server's clock) */
	TWS_EV_RECONNECTED,         /* the connection (or TWS's link to IB, 1101) was lost and is back;
	                             * pending reads were re-sent */
	TWS_EV_CONTRACT,            /* u.contract: one match of contract-details request req_id */
	TWS_EV_CONTRACT_END,        /* the end of contract-details request req_id */
	TWS_EV_COMPLETED_ORDER,     /* u.completed: one answer to tws_req_completed_orders */
	TWS_EV_COMPLETED_END,       /* the end of that answer */
	TWS_EV_TICK,                /* u.tick: one tick of snapshot req_id */
	TWS_EV_TICK_END,            /* snapshot req_id is complete (TICK_SNAPSHOT_END) */
};

typedef struct tws_event {
	enum tws_ev_type type;
	int req_id;              /* the request or order it belongs to, -1 when none */
	enum tws_req_kind kind;  /* what req_id was, TWS_REQ_NONE when it is not one of ours */
	union {
		tws_hist_data bars;           /* bars.bars stays valid until the next tws_poll */
		tws_error error;
		tws_order_status status;
		tws_open_order open_order;
		tws_completed_order completed;
		tws_tick tick;
		tws_exec exec;
		tws_commission commission;
		tws_position position;
		tws_account_value account_value;
		tws_contract_details contract;
		long long id;
		long long time;
	} u;
} tws_event;

typedef struct tws_client tws_client;

/* The defaults above, with host/port/client id from IB_HOST, IB_PORT and IB_CLIENT_ID when set. Returns
 * 0, or -1 when IB_PORT or IB_CLIENT_ID is not a number (o keeps the default then). */
int tws_client_opts_init(tws_client_opts *o);

/* A client, not connected yet. o is copied (host too). Returns NULL only when out of memory. */
tws_client *tws_client_new(const tws_client_opts *o);
/* Close the connection and free everything. NULL is fine. */
void tws_client_free(tws_client *c);

/* Connect and complete the handshake. Returns 0 once ready, or -1 with tws_errcode()/tws_errmsg() set:
 * 502 (refused, unreachable, timed out), 326 (client id in use), 504 (closed during the handshake), or
 * TWS_ERR_PROTOCOL (not a TWS API server, or a version outside TWS_MIN_VERSION..TWS_MAX_VERSION, 157..178). */
int tws_connect(tws_client *c);
/* Close the connection (no reconnect). Pending requests are dropped. */
void tws_disconnect(tws_client *c);
int tws_is_connected(const tws_client *c);

/* The last failure of a call that returned -1: an IB-style code and a message naming host, port and
 * client id where it helps. */
int tws_errcode(const tws_client *c);
const char *tws_errmsg(const tws_client *c);
/* The same failure as a sysexits code (lib/err.h's convention), so that callers never map IB codes
 * themselves: EX_OSERR (out of memory), EX_PROTOCOL (not a TWS API server, a version we do not speak, a
 * message we could not decode), EX_UNAVAILABLE (refused, unreachable, lost, client id in use), 0 when
 * nothing failed. */
int tws_code(const tws_client *c);
/* The last failure in lib/err.h's form, for `return tws_err_ret(c, err, errlen);`: tws_errmsg() copied
 * into err, tws_code() returned. */
int tws_err_ret(const tws_client *c, char *err, size_t errlen);

/* After tws_connect: the server version, its connection time text, and the managed accounts
 * ("DU1234567" or "U1,U2"). */
int tws_server_version(const tws_client *c);
const char *tws_conn_time(const tws_client *c);
const char *tws_accounts(const tws_client *c);

/* The next id to use for an order or a request (and advance the sequence). This function can't fail. */
long long tws_next_id(tws_client *c);

/* Requests. Those with an id return the id they used (>= 0), the others (cancel, open orders, positions,
 * current time, ids) return 0; all return -1 with 504 when not connected, or code 70 when out of memory.
 * They only queue: nothing is sent before tws_poll. While a reconnect is due they still queue. */
/* Historical bars; r->req_id is ignored and chosen by the client. */
int tws_req_historical(tws_client *c, const tws_hist_req *r);
/* Place (or modify: same order id) an order; o->order_id <= 0 takes tws_next_id(). Returns the order id. */
long long tws_place_order(tws_client *c, const tws_contract *ct, const tws_order *o);
int tws_cancel_order(tws_client *c, long long order_id);
/* This client's open orders / every client's; answered by OPEN_ORDER and ORDER_STATUS events and one
 * TWS_EV_OPEN_ORDER_END of kind TWS_REQ_OPEN_ORDERS. A gateway also sends open orders unasked (at connect,
 * when "download open orders on connection" is on) followed by an OPEN_ORDER_END of its own: that one must
 * not end the request, or the answer is taken from a partial list. The client therefore sends a
 * REQ_CURRENT_TIME just before the request, as a barrier (TWS answers a connection's requests in order):
 * an OPEN_ORDER_END that arrives before the barrier's answer is not the request's, and is reported with
 * kind TWS_REQ_NONE. The barrier's answer is not reported. */
int tws_req_open_orders(tws_client *c);
int tws_req_all_open_orders(tws_client *c);
/* f == NULL: no filter. */
int tws_req_executions(tws_client *c, const tws_exec_filter *f);
/* Positions: POSITION events and one POSITION_END (the subscription is cancelled after the end). */
int tws_req_positions(tws_client *c);
/* tags: comma-separated, e.g. "NetLiquidation,TotalCashValue,AvailableFunds"; group NULL = "All". The
 * subscription is cancelled after the end message. */
int tws_req_account_summary(tws_client *c, const char *group, const char *tags);
int tws_req_current_time(tws_client *c);
/* The contracts matching ct (reqContractDetails); returns the request id. No match is error 200. */
int tws_req_contract_details(tws_client *c, const tws_contract *ct);
/* The account's completed orders (filled, cancelled, rejected; IB keeps those of the current session):
 * TWS_EV_COMPLETED_ORDER events and one TWS_EV_COMPLETED_END. api_only 1: only orders placed through the
 * API. */
int tws_req_completed_orders(tws_client *c, int api_only);
/* The kind of market data later requests get: 1 live, 2 frozen, 3 delayed (free, 15-20 minutes late),
 * 4 delayed frozen. Nothing answers it. */
int tws_req_market_data_type(tws_client *c, int type);
/* One market-data snapshot of ct: TWS_EV_TICK events (TICK_PRICE and TICK_SIZE), then TWS_EV_TICK_END;
 * the notice 10167 (delayed data shown) does not end it, an error does. Returns the request's id. */
int tws_req_snapshot(tws_client *c, const tws_contract *ct);
int tws_req_ids(tws_client *c);

/* Wait up to timeout_ms (0: don't wait, < 0: forever) for the next event. Returns 1 with *ev set, 0 when
 * the time ran out, or -1 when the connection is gone for good (504, or 502 when reconnecting failed)
 * with tws_errcode()/tws_errmsg() set. Sends what pacing allows meanwhile. */
int tws_poll(tws_client *c, tws_event *ev, int timeout_ms);

/* Requests sent or waiting that have not ended yet (answer, error or timeout). */
int tws_pending(const tws_client *c);

/* Name of a request kind, for messages ("historical data", "order" ...). */
const char *tws_req_kind_name(enum tws_req_kind k);

#endif
