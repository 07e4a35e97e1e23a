/* sim/broker: the account of a simulated broker: orders, fills, positions, cash and a market clock.
 *
 * The clock walks the NYSE calendar (date.h) in three phases per trading day: before the open (09:00 New
 * York time), at the open (09:30) and after the close (16:00, 13:00 on early-close days). Orders wait
 * for the auction that fills them: market orders and on-open orders (tif OPG) fill at the next open,
 * MOC and LOC orders at the next close, limit orders with tif DAY at the open when marketable, else during
 * the session when the day's range reaches the limit (at the limit), else they expire at the close.
 * Fills take the CSV's open or close (at most volume_share of the day's volume when set), moved against the
 * trader by the slippage (never past a limit), and pay IBKR Pro's commission, fixed or tiered, with the
 * SEC fee and FINRA TAF on sales (sim/commission.h).
 * Cash, positions (average cost includes commissions, as IB reports it) and realised P&L follow.
 *
 * State lives in a directory: snapshot.json (the whole state, written atomically with aout) and
 * journal.ndjson (one line per change, each an upsert of an order, a fill, a position or the account,
 * appended with a single write(2) before any client hears of the change). Loading reads the snapshot and
 * replays the journal; every record is an upsert by key, so replaying twice changes nothing. The journal
 * is folded into a new snapshot every few thousand records and when the broker closes. Rewriting the
 * whole state after each change instead would cost O(orders) per order: 10,000 orders would rewrite
 * gigabytes. A process killed at any point loses nothing a client was told about.
 *
 * Changes are reported through a callback so that the server can tell the clients concerned. */
#ifndef STI_SIM_BROKER_H
#define STI_SIM_BROKER_H

#include "sim/commission.h"
#include "sim/prices.h"
#include "tws/msg.h"

enum sim_phase { SIM_PRE_OPEN = 0, SIM_OPEN = 1, SIM_CLOSED = 2 };
enum sim_step { SIM_TO_OPEN, SIM_TO_CLOSE, SIM_DAYS, SIM_TO_TIME };

typedef struct sim_order {
	int client_id;           /* the API client that placed it */
	long long order_id;      /* its id (unique per client) */
	long long perm_id;       /* unique across the account */
	char sec_id[32];         /* the security's id in the prices file */
	char symbol[32];
	int con_id;
	char action[8];          /* BUY, SELL, SSHORT */
	double qty;
	char order_type[16];     /* MKT, LMT, MOC, LOC */
	double lmt_price;        /* TWS_UNSET_DOUBLE for market orders */
	char tif[8];             /* DAY, OPG, GTC */
	char account[32];
	char order_ref[128];     /* kept verbatim: the tools' idempotency key */
	int transmit;            /* 0: staged, status Inactive, never fills */
	char status[16];         /* Inactive, PreSubmitted, Submitted, Filled, Cancelled */
	double filled;
	double avg_price;
	double last_price;
	int placed_day;          /* clock when placed (or transmitted) */
	int placed_phase;
	char why[96];            /* why it was cancelled, "" otherwise */
	int done_day;            /* the trading day it was filled or cancelled; 0 while open */
} sim_order;

typedef struct sim_fill {
	char exec_id[48];        /* unique */
	int client_id;
	long long order_id;
	long long perm_id;
	char sec_id[32];
	char symbol[32];
	int con_id;
	char side[4];            /* BOT or SLD */
	double qty;
	double price;
	double commission;
	double realized_pnl;     /* TWS_UNSET_DOUBLE when the fill only opened or added */
	char order_ref[128];
	int day;                 /* trading day of the fill */
	int phase;               /* SIM_OPEN (at the open) or SIM_CLOSED (at or before the close) */
	long long epoch;         /* seconds since the epoch */
} sim_fill;

typedef struct sim_pos {
	char sec_id[32];
	char symbol[32];
	int con_id;
	double qty;              /* negative when short */
	double avg_cost;         /* per share, commissions included */
} sim_pos;

enum sim_note {
	SIM_NOTE_ORDER,          /* o changed (placed, modified, status): send OPEN_ORDER and ORDER_STATUS */
	SIM_NOTE_FILL,           /* f filled o: send EXEC_DETAILS, the order's state, COMMISSION_REPORT */
	SIM_NOTE_ERROR,          /* an error about order_id for client_id (201 reject, 202 cancelled, 103 ...) */
	SIM_NOTE_POSITION,       /* p changed (qty 0: closed) */
};

typedef struct sim_note_info {
	enum sim_note kind;
	int client_id;           /* whom it concerns */
	long long order_id;
	const sim_order *o;      /* ORDER, FILL */
	const sim_fill *f;       /* FILL */
	const sim_pos *p;        /* POSITION */
	int code;                /* ERROR */
	const char *msg;         /* ERROR */
} sim_note_info;

typedef void (*sim_notify_fn)(void *ctx, const sim_note_info *n);

struct sim_broker_opts {
	sim_prices *px;          /* borrowed; outlives the broker */
	const char *state_dir;   /* created if missing; NULL: nothing is persisted */
	double capital;          /* initial cash of a new account */
	double slippage_bps;     /* against the trader, in basis points of the price */
	const char *account;     /* "DU1234567" */
	int start_day;           /* clock of a new account: after the close of this trading day */
	int reject_every;        /* fault injection: reject every Nth new order (0: never) */
	int snapshot_every;      /* journal records between snapshots (0: 5000) */
	int cash_account;        /* 1: a cash account (initial margin 100%); 0: Reg T margin (50%) */
	struct sim_fees fees;    /* commissions and fees (sim_fees_default() for IB's) */
	double volume_share;     /* a fill takes at most this share of the bar's volume (0: no limit); what an
	                          * auction order (OPG, MOC, LOC) does not get is cancelled, as IB does, a DAY
	                          * order keeps working until the close */
};

typedef struct sim_broker sim_broker;

/* The functions that can fail follow lib/err.h: 0, or a sysexits code with the message in err. */

/* Open the account into *out: load the state directory when it holds one (then capital and start_day are
 * ignored), else start a new account. Returns 0, EX_USAGE (the start day is not a trading day),
 * EX_DATAERR (corrupt state), EX_CANTCREAT (the directory or its journal cannot be made), EX_IOERR (the
 * state cannot be written) or EX_OSERR (out of memory). */
int sim_broker_open(sim_broker **out, const struct sim_broker_opts *o, char *err, size_t errlen);
/* Write a final snapshot (when persisting) and free. Returns 0, or EX_IOERR if the snapshot failed. */
int sim_broker_close(sim_broker *b, char *err, size_t errlen);
void sim_broker_set_notify(sim_broker *b, sim_notify_fn fn, void *ctx);

/* Place or modify (same client and order id) an order. Everything that follows (acknowledgement,
 * rejection, an immediate fill) is reported through the callback. Returns 0, or EX_IOERR when the state
 * could not be written (the change is then not made). */
int sim_broker_place(sim_broker *b, int client_id, const tws_contract *c, const tws_order *o, char *err,
    size_t errlen);
/* Cancel an order: 202 and status Cancelled, or error 10147 (unknown) / 161 (not cancellable). Returns 0,
 * or EX_IOERR when the state could not be written. */
int sim_broker_cancel(sim_broker *b, int client_id, long long order_id, char *err, size_t errlen);

/* Move the clock: to the next open, the next close, n closes ahead (SIM_DAYS), or to the next n minutes
 * after midnight New York time before a close (SIM_TO_TIME: later today when the clock stands before it
 * and before the close, else on the next trading day; 09:30 or later runs the open on the way), running
 * the auctions on the way. Returns 0, EX_USAGE (n out of range, or a time at or after the close) or
 * EX_IOERR (the state could not be written).
 *
 * Auction cutoffs, on this clock (checked when an order is transmitted; refused with error 201):
 * market- and limit-on-close orders until 10 minutes before the close on NYSE (15:50, NYSE Opening and
 * Closing Auctions fact sheet) and 5 minutes before on Nasdaq (15:55, Nasdaq's opening/closing cross FAQ;
 * both as quoted in QuantConnect/Lean issue 5481); market- and limit-on-open orders (tif OPG) from the
 * close until 09:28, as IB's order-type page gives the window (QuantConnect/Lean pull request 8969), with
 * IB's text "Exchange is closed." outside it (an IB log in QuantConnect/Lean.Brokerages.InteractiveBrokers
 * issue 204). */
int sim_broker_advance(sim_broker *b, enum sim_step step, int n, char *err, size_t errlen);

/* The clock. */
int sim_broker_day(const sim_broker *b);
/* Minutes after midnight New York time. */
int sim_broker_minute(const sim_broker *b);
enum sim_phase sim_broker_phase(const sim_broker *b);
const char *sim_phase_name(enum sim_phase p);
/* The clock as seconds since the epoch, and as "yyyymmdd HH:MM:SS" + suffix (e.g. " US/Eastern"). */
long long sim_broker_epoch(const sim_broker *b);
char *sim_broker_time(const sim_broker *b, const char *suffix, char *buf, size_t n);
/* Seconds since the epoch of HH:MM New York time on day. */
long long sim_ny_epoch(int day, int hh, int mm);

/* The next order id (one above every id used, at least 1). */
long long sim_broker_next_id(const sim_broker *b);
const char *sim_broker_account(const sim_broker *b);

/* The account's values at the clock: cash, the positions' value at the latest price known (today's open
 * after the open, today's close after the close, else the last close), and their sum. */
double sim_broker_cash(const sim_broker *b);
double sim_broker_gross(const sim_broker *b);
double sim_broker_nlv(const sim_broker *b);
/* A position's price at the clock (as for the values above; its average cost when no price is known). */
double sim_broker_mark(const sim_broker *b, const sim_pos *p);
/* The realised P&L of the fills of con_id (every con_id when 0), net of commissions, since the account
 * opened. */
double sim_broker_realized(const sim_broker *b, int con_id);

/* The account's values as IB names them (account summary and account updates): the equity with loan
 * value is the net liquidation value; the initial margin is the long and short stock value at the marks
 * times 100% (cash account) or Reg T's 50%; maintenance margin 100% or 25%; available funds = equity with
 * loan value - initial margin and excess liquidity = equity with loan value - maintenance margin (IB's
 * definitions, as IB's Client Portal API documents them); buying power = available funds / the initial
 * rate, the same arithmetic as the buying-power check below. */
typedef struct sim_account_values {
	double cash, gross, nlv, init_margin, maint_margin, available, excess, buying_power, unrealized, realized;
} sim_account_values;
void sim_broker_values(const sim_broker *b, sim_account_values *v);

int sim_broker_norders(const sim_broker *b);
const sim_order *sim_broker_order(const sim_broker *b, int i);
int sim_broker_nfills(const sim_broker *b);
const sim_fill *sim_broker_fill(const sim_broker *b, int i);
int sim_broker_npos(const sim_broker *b);
const sim_pos *sim_broker_pos(const sim_broker *b, int i);
/* 1 when the order is still working or staged (it belongs in the open orders). */
int sim_order_open(const sim_order *o);

/* Buying power, checked when a BUY is transmitted (placed with transmit 1, or a staged one transmitted):
 * the account's long stock value at the marks, plus every working transmitted BUY's remaining value (at
 * its limit, else the mark), plus this order's, less the working SELLs of shares held, times the initial
 * margin rate (100% for a cash account, 50% for Reg T), must not exceed the equity with loan value (the
 * net liquidation value). Otherwise the order is rejected with error 201 and IB's text, "Order rejected -
 * reason:YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE
 * [x USD] MUST EXCEED THE NEW TOTAL INITIAL MARGIN OF [y USD]" (the text users report from IB, e.g.
 * ib_insync issue 704). So a cash account never goes negative through orders. */

/* The account's completed orders as COMPLETED_ORDER reports them. */
void sim_order_to_completed(const sim_broker *b, const sim_order *o, tws_completed_order *out);

/* Conversions to the wire structs. */
void sim_order_to_open(const sim_broker *b, const sim_order *o, tws_open_order *out);
void sim_order_to_status(const sim_order *o, tws_order_status *out);
void sim_fill_to_exec(const sim_broker *b, const sim_fill *f, int req_id, tws_exec *out);
void sim_fill_to_commission(const sim_fill *f, tws_commission *out);
void sim_pos_to_position(const sim_broker *b, const sim_pos *p, tws_position *out);

#endif
