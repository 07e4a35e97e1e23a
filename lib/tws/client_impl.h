/* tws/client_impl: the client's insides, shared by its three parts and by nothing else: client.c (options,
 * the socket, the handshake, the queue of pending requests), client_req.c (the tws_req_* calls, each an
 * encoded message queued), client_loop.c (tws_poll: sending, reading, matching answers to requests,
 * timeouts, reconnects). These keep the reason of a failure on the client (c->errcode, c->errmsg), which
 * tws_errcode() and tws_errmsg() give out. */
#ifndef STI_TWS_CLIENT_IMPL_H
#define STI_TWS_CLIENT_IMPL_H

#include <stddef.h>

#include "tws/client.h"
#include "tws/pace.h"

enum pstate {
	P_WAITING, /* a historical request waiting for a free slot or for its pacing back-off */
	P_READY,   /* may be sent as soon as the message rate allows */
	P_SENT,    /* sent; its timeout runs */
};

/* A request from its tws_req_* call until its end. The list is kept in creation order, which is also the
 * order in which ready requests are sent (a cancel never overtakes its order). */
struct pending {
	enum tws_req_kind kind;  /* TWS_REQ_NONE: a fire-and-forget message (cancel subscription) */
	long long id;            /* request or order id; -1 for kinds whose answer carries no id */
	enum pstate state;
	long long not_before;    /* ms: a waiting request is not sent before this (pacing back-off) */
	long long deadline;      /* ms: when a sent request times out */
	int retries;             /* pacing re-sends so far */
	int barrier;             /* open orders: barrier answers still to come before an OPEN_ORDER_END is ours */
	int internal;            /* current time: a barrier of the client's own, its answer is not reported */
	char *frame;             /* the framed message, kept for re-sending */
	size_t flen;
	tws_pace_key pace;       /* historical: what IB's pacing rules compare */
	struct pending *next;
};

struct synth {                   /* an event the client makes itself (timeout, reconnected) */
	tws_event ev;
	struct synth *next;
};

struct tws_client {
	tws_client_opts o;
	char *host;               /* o.host's copy */
	int fd;                   /* -1 when not connected */
	int ready;                /* handshake complete */
	int server_version;
	int version;              /* the layouts to encode: the last negotiated version (a reconnect goes to
	                           * the same gateway), TWS_MAX_VERSION before the first connection */
	char conn_time[64];
	char *accounts;           /* MANAGED_ACCTS, any length; NULL before it */
	long long next_id;        /* next order/request id */
	tws_wbuf out;             /* bytes to write */
	char *in;                 /* bytes read, not yet handled */
	size_t inlen, incap;
	tws_msg msg;              /* the message being handled */
	struct pending *pend, *pend_tail;
	int npend;
	struct synth *syn, *syn_tail;
	long long *sent_at;       /* ring of the last max_msgs_per_sec send times, for pacing */
	int sent_pos;
	tws_bar *last_bars;       /* freed at the next tws_poll */
	char *frame;              /* the payload being handled, copied out of in[] */
	size_t framecap;
	int errcode;
	char errmsg[256];
	int lost;                 /* the connection dropped: reconnect before anything else */
	int attempts;             /* reconnect attempts since a request was last answered */
	tws_pace pace;            /* historical requests sent lately (IB's pacing rules) */
	long long link_down;      /* ms: when 1100 arrived (TWS lost IB), 0 while the link is up */
};

/* Keep code and message on c; returns -1. */
int twsc_fail(tws_client *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void twsc_sleep_ms(long long ms);
void twsc_close_fd(tws_client *c);
void twsc_pend_free_all(tws_client *c);
/* The socket: read what is there, write what can be written, cut the next frame out of what was read. */
long twsc_read_some(tws_client *c);
int twsc_flush_some(tws_client *c);
int twsc_next_frame(tws_client *c, char **payload, size_t *plen);
/* One connection attempt with its handshake: 0, or -1 (the reason on c). */
int twsc_connect_once(tws_client *c);

/* The queue of requests, in creation order. */
struct pending *twsc_pend_add(tws_client *c, enum tws_req_kind kind, long long id, const tws_wbuf *frame);
void twsc_pend_remove(tws_client *c, struct pending *p);
/* The oldest unfinished request of kind (id < 0: any id) with id. */
struct pending *twsc_pend_find(tws_client *c, enum tws_req_kind kind, long long id);
/* Queue one encoded message (and free b). Returns 0, or -1 when out of memory. */
int twsc_submit(tws_client *c, enum tws_req_kind kind, long long id, tws_wbuf *b);
/* A message with no answer to wait for (a subscription's cancel); b is freed. */
void twsc_fire(tws_client *c, tws_wbuf *b);
/* 0 when requests may be queued (connected, or a reconnect is coming), else -1 (error 504 on c). */
int twsc_need_conn(tws_client *c);

#endif
