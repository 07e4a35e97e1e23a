/* ib/submit: placing a batch of orders exactly once and following them, for ib-submit.
 *
 * Exactly once rests on the orderRef: every order carries its client_id as IB's orderRef, and before
 * anything is placed the account's open orders (every client's: reqAllOpenOrders), its completed orders
 * (reqCompletedOrders) and executions are read; an order whose client_id is among them is already at the
 * broker and is not placed again, whatever its state. Across processes and hosts the caller holds a lease
 * in the store around reading and placing (ib-submit does), so that two submitters never both find an
 * order missing. A second
 * run, or a run after a crash half-way, therefore places only what is missing. When the connection drops
 * while orders are in flight, the client reconnects; the open orders and executions are read again and an
 * order that is still nowhere is placed again (it was lost with the connection), one that is there is
 * followed. Orders are placed SELLs first, in one go; the client paces the messages.
 *
 * The caller prints nothing itself: status and fill records are written to the output as they settle. */
#ifndef STI_IB_SUBMIT_H
#define STI_IB_SUBMIT_H

#include <stdio.h>

#include "ib/order.h"
#include "ib/snap.h"
#include "tws/client.h"

typedef struct bk_sub_item {
	const bk_order *o;       /* the order (borrowed) */
	long long order_id;      /* IB's order id; 0 while not placed and not found */
	int client_id;           /* the API client that placed it */
	int placed;              /* 1 when this run placed it (0: found at the broker) */
	int acked;               /* the broker has confirmed it (or it was found there) */
	int final;               /* no change will come: Filled, Cancelled, Inactive, rejected */
	int failed;              /* rejected, cancelled or lost: the run did not do what was asked */
	int reported;            /* its final status record has been written */
	char status[24];         /* the latest status; "Rejected" after an error, "Unknown" when lost */
	double filled, remaining, avg_price;
	char why[256];           /* the broker's error text, "" when none */
} bk_sub_item;

/* An order of an older decision that this batch supersedes. */
typedef struct bk_sup {
	char client_id[128];     /* its orderRef */
	char symbol[32];
	char side[8];
	long long order_id, perm_id;
	int client;              /* the API client that placed it */
	double qty;
	double filled0;          /* filled when the account was read */
	double filled;           /* filled when its cancel was confirmed */
	char status[24];         /* the latest status */
	int done;                /* the cancel was confirmed, or failed */
	int failed;              /* it filled meanwhile, or could not be cancelled */
	char why[200];
} bk_sup;

typedef struct bk_submit {
	tws_client *c;           /* connected */
	FILE *out;               /* where status and fill records go */
	char account[32];
	int client_id;           /* ours */
	int transmit;            /* 0: --stage */
	bk_snap snap;            /* the account's orders and fills as the broker reports them */
	bk_sub_item *items;      /* one per order, in placing order */
	size_t n;
	int refreshing;          /* a re-read of open orders and executions is under way */
	int refresh_exec_id;     /* its executions request's id */
	int refresh_ord_done, refresh_exec_done;
	int after_reconnect;     /* the refresh follows a reconnect: re-place what is lost */
	int cancelling;          /* --cancel: Cancelled is the goal, not a failure */
	bk_orders own;           /* the orders --cancel found (items point into it) */
	const bk_orders *batch;  /* the input (its "supersede" records) */
	bk_sup *sup;             /* orders superseded by this batch */
	size_t nsup;
	int write_failed;
	void (*on_acked)(void *ctx); /* called once, when every order is at the broker (acknowledged or final) */
	void *acked_ctx;
} bk_submit;

/* Set up a submission of the orders o (resolved) for account over c; records go to out. Reads the open
 * orders and executions, marks the orders found there and logs each. Returns 0, or a sysexits code with err
 * set (EX_UNAVAILABLE, EX_OSERR out of memory). Free with bk_sub_free either way. */
int bk_sub_start(bk_submit *s, tws_client *c, const bk_orders *o, const char *account, int client_id,
    int transmit, FILE *out, char *err, size_t errlen);
void bk_sub_free(bk_submit *s);

/* A new decision supersedes the older decisions of its strategy: every order of the account (any API
 * client) whose orderRef is a client_id of a strategy of this batch with an earlier DATE and that is still
 * working or staged, and every order the input lists in a "supersede" record (the `orders` tool lists those
 * it did not count as held), is cancelled, and its cancel confirmed (Cancelled), before anything of the
 * batch is placed: so orders of decisions that were never transmitted, or not filled yet, never pile up next
 * to the new ones. A supersede record's filled is what `orders` sized on: an order that has filled more
 * since, working or not, refuses the batch. One "superseded" record per order cancelled is written. Returns 0 (s->nsup orders superseded),
 * or refuses, with nothing placed, returning a sysexits code with err set: a batch mixing dates of one
 * strategy, or older than a decision of its strategy still working (EX_DATAERR); an order to supersede placed
 * by another API client, which IB lets only that client cancel (EX_NOPERM); one that traded while being
 * cancelled, or whose cancel was not confirmed by deadline_ms (EX_TEMPFAIL): the holdings then differ from
 * those the batch was sized on; the connection gone (tws_code: EX_UNAVAILABLE, EX_PROTOCOL), out of memory (EX_OSERR). */
int bk_sub_supersede(bk_submit *s, long long deadline_ms, char *err, size_t errlen);

/* Place every order not found at the broker (logging each). Returns 0, or EX_UNAVAILABLE with err set (the
 * connection is gone). */
int bk_sub_place(bk_submit *s, char *err, size_t errlen);

/* --cancel: read the open orders of account and cancel every one whose orderRef is a client_id of this
 * project and that is not final; one placed by another API client cannot be cancelled from here (IB's rule)
 * and is reported as failed. Then follow them with bk_sub_follow(wait 1). Returns 0, or a sysexits code
 * with err set as bk_sub_start(). Free with bk_sub_free either way. */
int bk_sub_cancel(bk_submit *s, tws_client *c, const char *account, int client_id, FILE *out, char *err,
    size_t errlen);

/* Follow the orders until each is acknowledged (wait 0) or final (wait 1), or until deadline_ms (a
 * CLOCK_MONOTONIC time in ms, < 0: none). Writes one status record per order once all are acknowledged,
 * then (wait) fill records as they come and a status record for each order as it becomes final. Returns 0
 * when everything settled, or a sysexits code with err set: EX_TEMPFAIL at the deadline (the orders stay
 * at the broker), tws_code() when the connection is gone for good, EX_OSERR when memory ran out. */
int bk_sub_follow(bk_submit *s, int wait, long long deadline_ms, char *err, size_t errlen);

/* Write the status record of item it. Returns 0 or -1. */
int bk_sub_write_status(const bk_sub_item *it, FILE *fp);


#endif
