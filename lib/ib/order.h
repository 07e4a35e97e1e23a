/* ib/order: the `orders` tool's NDJSON order records, checked and turned into IB orders.
 *
 * An order record's client_id ("DATE:STRATEGY:SYMBOL:SIDE") travels to IB as the orderRef, where it stays
 * with the order and its executions: that is how ib-submit recognises an order it placed before and how
 * --cancel finds this project's orders among everyone else's. */
#ifndef STI_IB_ORDER_H
#define STI_IB_ORDER_H

#include <stddef.h>
#include <stdio.h>

#include "tws/msg.h"

typedef struct bk_order {
	char client_id[128];   /* DATE:STRATEGY:SYMBOL:SIDE, IB's orderRef */
	char date[16];         /* the session the order is for */
	char id[64];           /* the security id of the data */
	char symbol[32];       /* IB's ticker */
	char side[8];          /* BUY or SELL */
	long long qty;         /* whole shares, > 0 */
	char order_type[8];    /* MKT, LMT, MOC, LOC (after bk_ord_resolve: the one sent) */
	char tif[8];           /* OPG, DAY, GTC, IOC (idem) */
	double ref_price;      /* the price the order was sized with; NaN when absent */
	double lmt_price;      /* for LMT and LOC after bk_ord_resolve, else NaN */
	long line;             /* input line, for messages */
	int con_id;            /* IB's conId (bk_contracts_orders), 0: placed by symbol */
	char ib_symbol[32];    /* with con_id: IB's symbol ("BRK B"), primary exchange and currency */
	char primary[16];
	char currency[8];
} bk_order;

/* A "supersede" record of the `orders` tool: a working order of an older decision of the strategy, which
 * the batch replaces, with what was filled when `orders` read the account (the holdings it sized on). */
typedef struct bk_supersede {
	char client_id[128];   /* its orderRef */
	double filled;         /* shares filled then */
	long long order_id;    /* -1 when not given */
	long long perm_id;     /* -1 when not given */
	long line;
} bk_supersede;

typedef struct bk_orders {
	bk_order *v;
	size_t n, cap;
	bk_supersede *sup;     /* the input's "supersede" records */
	size_t nsup, capsup;
} bk_orders;

/* Read the order records of fp (name for messages) into out (zeroed before). Every line must be an
 * {"type":"order",...} record with a valid client_id (whose SYMBOL and SIDE match the record's), a symbol,
 * a side BUY or SELL and a positive whole qty; client_ids must be unique. {"type":"supersede",...} records
 * (a valid client_id, filled a whole number >= 0) go to out->sup. Returns 0, or EX_DATAERR with err set
 * ("name:line: field: what is wrong"), EX_OSERR out of memory. An empty input is no error (no orders). */
int bk_ord_read(FILE *fp, const char *name, bk_orders *out, char *err, size_t errlen);
void bk_orders_free(bk_orders *o);

/* 1 when ref has the shape of a client_id of this project ("YYYY-MM-DD:STRATEGY:SYMBOL:BUY|SELL", the
 * strategy without ':'), else 0. */
int bk_is_client_id(const char *ref);

/* The decision a client_id belongs to: its DATE (days since 1970-01-01) and STRATEGY (into strategy[n]).
 * Returns 0, or -1 when ref is not a client_id of this project or the strategy does not fit. */
int bk_client_id_decision(const char *ref, int *day, char *strategy, size_t n);

/* Put the SELLs first, keeping the input order otherwise (they free cash and shares for the BUYs).
 * This function can't fail. */
void bk_ord_sells_first(bk_orders *o);

typedef struct bk_ord_params {
	const char *order_type;   /* NULL: the record's (MKT when it has none) */
	const char *tif;          /* NULL: the record's (OPG when it has none) */
	double limit_offset_bps;  /* LMT/LOC limit = ref_price x (1 +- bps/10000); NaN when not given */
} bk_ord_params;

/* Settle o's order type, tif and limit price under p. Combinations: MKT or LMT with OPG (on the open),
 * DAY, GTC or IOC; MOC and LOC with DAY (the close). A limit needs limit_offset_bps and a positive
 * ref_price: a BUY's limit is above ref_price, a SELL's below, rounded to the tick (0.01, or 0.0001 under
 * 1.00) towards ref_price so that it never goes past the offset. Returns 0, or a sysexits code with err set:
 * EX_USAGE when a limit order lacks limit_offset_bps (the run lacks an option), else EX_DATAERR. */
int bk_ord_resolve(bk_order *o, const bk_ord_params *p, char *err, size_t errlen);

/* The IB contract and order for o (resolved), with order id 0 (the client picks it): a stock on SMART named
 * by its conId (with IB's symbol, primary exchange and currency) when o has one, else by its symbol in USD.
 * transmit 0 stages it in TWS; account "" means the only one. This function can't fail. */
void bk_ord_to_tws(const bk_order *o, const char *account, int transmit, tws_contract *ct, tws_order *to);

/* o's notional: qty x ref_price (x lmt_price when ref_price is missing), NaN when neither is known. */
double bk_ord_notional(const bk_order *o);

/* Check the notional limits (NaN: no limit) over every order: each order's against max_order, their sum
 * against max_run; an order whose notional is unknown fails any limit. refuse(ctx, msg) is called for each
 * failure. Returns the number of failures. */
size_t bk_ord_check_limits(const bk_orders *o, double max_order, double max_run,
    void (*refuse)(void *ctx, const char *msg), void *ctx);

#endif
