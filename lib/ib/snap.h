/* ib/snap: what the broker says about the account, gathered from TWS events: account values,
 * positions, open orders with their latest status, and executions joined with their commissions.
 *
 * Every event is an upsert (positions by account and contract, orders by client and order id, executions
 * by exec_id), so an answer that arrives twice (the client re-sends pending reads after a reconnect)
 * changes nothing. ib-account prints a snapshot; ib-submit keeps one up to date while it trades and
 * looks its orders up by orderRef (the client_id) in it. */
#ifndef STI_IB_SNAP_H
#define STI_IB_SNAP_H

#include <stddef.h>
#include <stdio.h>

#include "tws/client.h"

enum {
	BK_SNAP_ACCOUNT = 1,    /* the account summary (and the server's clock) */
	BK_SNAP_POSITIONS = 2,
	BK_SNAP_ORDERS = 4,     /* every client's open orders */
	BK_SNAP_FILLS = 8,      /* executions and their commissions */
	BK_SNAP_COMPLETED = 16, /* the completed orders (filled, cancelled) IB still reports */
	BK_SNAP_ALL = 31,
};

typedef struct bk_open {
	tws_open_order oo;      /* the last OPEN_ORDER (oo.order.order_id, .client_id, .order_ref ...) */
	int have_open;          /* 0 while only an ORDER_STATUS has been seen */
	char status[24];        /* the latest status: ORDER_STATUS's, else OPEN_ORDER's */
	double filled;          /* from ORDER_STATUS; 0 before */
	double remaining;
	double avg_price;       /* 0 before the first fill */
} bk_open;

typedef struct bk_fill {
	tws_exec ex;            /* the execution (ex.exec_id, .order_ref, .side BOT/SLD ...) */
	int have_exec;          /* 0 while only the COMMISSION_REPORT has been seen */
	double commission;      /* NaN until its COMMISSION_REPORT */
	int printed;            /* for the caller: written out already */
} bk_fill;

typedef struct bk_done {
	tws_completed_order co; /* co.order.order_ref, .perm_id; co.status; no order id or client id */
} bk_done;

typedef struct bk_snap {
	char account[32];       /* the account kept; records of other accounts are ignored; "" = all */
	int have_account;       /* an account summary arrived */
	char currency[8];       /* NetLiquidation's currency */
	double net_liquidation, total_cash, available_funds; /* NaN when not reported */
	long long server_time;  /* seconds since the epoch from TWS's clock, -1 when unknown */
	tws_position *pos;      /* positions (qty 0 ones too: IB reports positions closed today) */
	size_t npos, cappos;
	bk_open *open;
	size_t nopen, capopen;
	bk_fill *fills;
	size_t nfills, capfills;
	bk_done *done;          /* completed orders, by perm_id */
	size_t ndone, capdone;
} bk_snap;

/* An empty snapshot that keeps records of account ("" or NULL: all). This function can't fail. */
void bk_snap_init(bk_snap *s, const char *account);
void bk_snap_free(bk_snap *s);

/* Apply one event. Returns 1 when it was about the snapshot, 0 when not, -1 when out of memory. */
int bk_snap_apply(bk_snap *s, const tws_event *ev);

/* Ask TWS for the parts in what (BK_SNAP_*), with f as the executions' filter (NULL: all), and apply every
 * event until each part has ended. Returns 0, or a sysexits code with err set: an error answer or a timeout
 * (EX_UNAVAILABLE), the connection gone for good (tws_code: EX_UNAVAILABLE, EX_PROTOCOL), out of memory (EX_OSERR). */
int bk_snap_take(tws_client *c, bk_snap *s, unsigned what, const tws_exec_filter *f, char *err, size_t errlen);

/* The open order whose orderRef is ref (the newest when several), or NULL. */
const bk_open *bk_snap_order_by_ref(const bk_snap *s, const char *ref);
/* The completed order whose orderRef is ref (the newest when several), or NULL. */
const bk_done *bk_snap_done_by_ref(const bk_snap *s, const char *ref);
/* 1 for an open order that can still trade: in the open orders and not Filled, Cancelled or ApiCancelled
 * (a staged order, Inactive, is working: it can be transmitted at any time). */
int bk_open_working(const bk_open *o);
/* The order placed by client_id with order_id, or NULL. */
const bk_open *bk_snap_order_by_id(const bk_snap *s, int client_id, long long order_id);
/* Shares executed for orderRef ref (0 when none); *order_id gets the order id of one of them (left alone
 * when none). */
double bk_snap_filled_by_ref(const bk_snap *s, const char *ref, long long *order_id);

/* 1 for a status after which an order changes no more: Filled, Cancelled, ApiCancelled, Inactive. */
int bk_status_final(const char *status);

/* Write the snapshot as NDJSON records, in this order: "account" (when what has BK_SNAP_ACCOUNT and one
 * arrived), "position" (qty != 0, by symbol), "open_order" (working orders of every client, by client and
 * order id), "completed_order" (by perm id), "fill" (by time, exec id); formats in sti-formats(5). Returns 0,
 * or -1 on a write error or out of memory. */
int bk_snap_write(const bk_snap *s, FILE *fp, unsigned what);

/* One fill record (the join of an execution and its commission) as NDJSON. Returns 0 or -1. */
int bk_fill_write(const bk_fill *f, FILE *fp);

/* IB's time text ("yyyymmdd HH:MM:SS[ ZONE]" with New York time when no zone is given, "yyyymmdd-HH:MM:SS"
 * in UTC, or epoch seconds) as ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ" in out (21 bytes or more). Returns 0,
 * or -1 (out holds the text unchanged) when it is none of these. */
int bk_ib_time_iso(const char *ib, char *out, size_t n);

/* Seconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ". This function can't fail. */
void bk_epoch_iso(long long t, char *out, size_t n);

#endif
