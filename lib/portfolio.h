/* portfolio: from target weights, holdings and last prices to whole-share orders, with risk checks.
 *
 * A book holds one row per name: every security in the target weights and every position held. Targets
 * and positions are the same name when their ids match, or else their symbols (a broker position may carry
 * the broker's id, not the data's). Prices are matched by id first, by symbol when the id is unknown.
 *
 * The steps are separate so that a tool can refuse before it writes anything:
 *   pf_read_weights / pf_read_account / pf_read_prices  (or pf_add_* from code)
 *   pf_plan      sizing, dust rules, SELLs first, BUYs limited by the funds
 *   pf_check     every risk rule; any violation refuses the whole run
 *   pf_write_orders, pf_explain
 * Library functions return -1 with pf_error() set; none of them exits. */
#ifndef STI_PORTFOLIO_H
#define STI_PORTFOLIO_H

#include <stddef.h>
#include <stdio.h>

/* Why a name got the order it got (pf_why_text() gives the words). */
enum pf_why {
	PF_NO_PRICE,    /* no usable price: the run is refused */
	PF_AT_TARGET,   /* holds exactly the target */
	PF_ZERO,        /* a target weight too small for one share */
	PF_BUY,         /* buys up to the target */
	PF_SELL,        /* sells down to the target */
	PF_EXIT,        /* held but not targeted: sold entirely (dust rules never keep it) */
	PF_DUST_NOTIONAL, /* order value below --min-notional: skipped */
	PF_DUST_WEIGHT, /* weight change below --min-weight-change: skipped */
	PF_SHRUNK,      /* a BUY cut to what the funds allow (possibly to 0) */
	PF_STALE        /* a stale price with skip_stale: left as it is, not traded */
};

struct pf_quote {
	double px;     /* last close; 0 when none seen */
	int date;      /* its date */
	int have;      /* 1 once a row matched */
};

struct pf_name {
	char *id;             /* security id: the weights' id, else the position's */
	char *symbol;         /* ticker of the orders: the position's when held, else the weights' */
	char *alt_id;         /* the position's id when the weights' differs (a broker's id), or NULL */
	char *alt_symbol;     /* the weights' symbol when the position's differs, or NULL */
	int targeted;         /* 1 when the name has a row in the target weights */
	int in_account;       /* 1 when the account holds a position in it */
	double weight;        /* target weight (0 when held but not targeted) */
	long long held;       /* shares held now (negative: short) */
	struct pf_quote close_id, close_sym; /* last close from --prices, matched by id / by symbol */
	struct pf_quote ref_id, ref_sym;     /* the same from the reference source */
	double close;         /* the chosen last close (0: none) */
	int close_date;
	double ref;           /* the chosen reference price (0: none or no reference source) */
	int ref_date;
	double price;         /* the price orders are sized with and carry as ref_price */
	int price_date;
	long long target;     /* target shares */
	long long want;       /* target - held: the order before dust rules and funds */
	long long qty;        /* the order: > 0 buys, < 0 sells, 0 none */
	enum pf_why why;      /* what decided qty */
};

struct pf_account {
	char account[64];       /* account id of the records ("" when none named) */
	int have;               /* 1 when an "account" record was read */
	double net_liquidation; /* account value: the default capital */
	double total_cash;
	double available_funds; /* cash that buys may use before the sells' proceeds */
	size_t positions;       /* position records read (non-zero quantities) */
};

struct pf_params {
	double capital;            /* portfolio value sized against (> 0) */
	double funds;              /* cash for buys before sells' proceeds; NAN: capital - value held */
	double buffer;             /* fraction of capital left in cash, in [0, 1) */
	double min_notional;       /* skip orders worth less (exits excepted); 0: off */
	double min_weight_change;  /* skip orders worth less than this fraction of capital (exits excepted) */
	double max_weight;         /* refuse a target weight above this */
	double gross;              /* the weights must sum (in absolute value) to this ... */
	double gross_tol;          /* ... within this */
	double max_gross;          /* refuse a gross exposure above this */
	double max_order_notional; /* refuse an order worth more; 0: off */
	double max_price_move;     /* refuse a reference price this far (fraction) from the last close */
	int use_ref;               /* 1 when a reference price source was read: size with it, check it */
	int stale_before;          /* refuse a price dated before this day ... */
	int skip_stale;            /* ... or, when 1, leave such a name untraded */
};

/* Defaults for every field (capital 0 and stale_before INT_MIN: the caller sets them). This function
 * can't fail. */
void pf_params_init(struct pf_params *p);

typedef struct pf_book pf_book;

/* A new, empty book, or NULL when out of memory. */
pf_book *pf_new(void);
void pf_free(pf_book *b);
/* The last error: "file:line: field: what is wrong" or a plain sentence. */
const char *pf_error(const pf_book *b);

/* Number of names, and name i (valid until the book changes or is freed). */
size_t pf_count(const pf_book *b);
const struct pf_name *pf_name(const pf_book *b, size_t i);

/* Add a target (weight may be 0) or a position. A second target with the same id, or a second position with
 * the same id or symbol, is an error. Both return 0 or -1 (pf_error set). */
int pf_add_target(pf_book *b, const char *id, const char *symbol, double weight);
int pf_add_position(pf_book *b, const char *id, const char *symbol, long long qty);
/* Offer a price row to the book: it updates the names it matches when it is dated before `before` and not
 * older than what they have. ref selects the reference source. This function can't fail. */
void pf_add_price(pf_book *b, const char *id, const char *symbol, int date, double close, int before,
    int ref);

/* Read a weights CSV (date,id,symbol,weight; other columns ignored) and add the targets of its latest date
 * on or before asof. Sets *date to that date. Returns 0, or -1 on malformed data, a duplicate id on a date,
 * a weight that is missing or not finite, or no date at all on or before asof. */
int pf_read_weights(pf_book *b, FILE *fp, const char *name, int asof, int *date);

/* Read account NDJSON: "position" records become positions (quantity 0 is skipped), the "account" record
 * fills *acct; other types are ignored. Records of more than one account are an error, as are a quantity
 * that is not a whole number and a position without a symbol. Returns 0 or -1. */
int pf_read_account(pf_book *b, FILE *fp, const char *name, struct pf_account *acct);

/* Read a prices CSV (date,id,symbol,close; others ignored) and offer each row with a close to
 * pf_add_price. Returns 0 or -1 on malformed data. */
int pf_read_prices(pf_book *b, FILE *fp, const char *name, int before, int ref);

/* Size every name and decide its order: target = floor(capital x (1 - buffer) x weight / price), the
 * order is target - held, dust rules skip small ones (never an exit), then BUYs, largest first, are cut to
 * the funds plus the SELLs' proceeds. This function can't fail; names without a price get PF_NO_PRICE. */
void pf_plan(pf_book *b, const struct pf_params *p);

/* The budget arithmetic of the last pf_plan. */
struct pf_totals {
	double invest;    /* capital x (1 - buffer) */
	double funds;     /* cash before the sells */
	double proceeds;  /* expected from the SELLs */
	double spent;     /* on the BUYs as sized */
	double gross;     /* sum of |target weight| */
	size_t sells, buys, shrunk; /* orders, and BUYs cut by the funds */
};
const struct pf_totals *pf_totals(const pf_book *b);

/* Run every risk rule over the plan; each violation is one sentence passed to report (no trailing newline,
 * "AAPL: weight 0.3 is above --max-weight 0.25"). Returns the number of violations. */
size_t pf_check(const pf_book *b, const struct pf_params *p,
    void (*report)(void *ctx, const char *msg), void *ctx);

/* The order of the plan at position i of the output sequence (SELLs, then BUYs, each largest first), or
 * NULL past the end. */
const struct pf_name *pf_order(const pf_book *b, size_t i);

/* Write the orders as NDJSON "order" records: client_id "DECIDED:STRATEGY:SYMBOL:SIDE", date = trade_date.
 * Returns 0, or -1 when the stream fails or out of memory. */
int pf_write_orders(const pf_book *b, FILE *fp, int decided, int trade_date, const char *strategy,
    const char *order_type, const char *tif);

/* Print the plan for a human: the budget, then one line per name (sorted by symbol) with weight, price,
 * its date, held, target, order and the reason. Returns 0 or -1 when the stream fails. */
int pf_explain(const pf_book *b, const struct pf_params *p, FILE *fp);

/* Words for a reason ("new position", "not in target: sell all" ...). This function can't fail. */
const char *pf_why_text(enum pf_why why);

#endif
