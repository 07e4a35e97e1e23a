/* portfolio: from target weights, holdings and last prices to whole-share orders, with risk checks.
 *
 * A book holds one row per name: every security in the target weights and every position held. Targets
 * and positions are the same name when their ids match, or else their symbols (a broker position may carry
 * the broker's id, not the data's). Prices are matched by id first, by symbol when the id is unknown.
 *
 * Working orders (the account's open orders, staged or transmitted, whatever client placed them) count as
 * held for sizing, except the strategy's own: those of an older decision are superseded (the submitter
 * cancels them before it places the new batch; pf_write_orders lists them as "supersede" records), and
 * those of this decision (a re-run) are the batch itself: sized as if absent, so that a re-run writes the
 * same orders, whose client_ids the submitter places once. The accounting knows that: an order whose
 * client_id the broker has seen is not counted (its working remainder is). The invariant pf_check
 * enforces, over whatever happened before (re-runs, skipped days, staged orders never transmitted,
 * partial fills):
 *
 *   committed = sum over names of (held + working BUYs - working SELLs + order) x price
 *             <= NAV x (1 + margin + commit_tol)
 *
 * The steps are separate so that a tool can refuse before it writes anything:
 *   pf_read_weights / pf_read_account / pf_read_prices  (or pf_add_* from code)
 *   pf_plan      sizing, dust rules, SELLs first, BUYs limited by the funds
 *   pf_check     every risk rule; any violation refuses the whole run
 *   pf_write_orders, pf_explain
 * Errors follow lib/err.h: a function that can fail takes the caller's message buffer (char *err, size_t
 * errlen) last and returns 0 or a sysexits code with the message in err: EX_DATAERR for bad data
 * ("file:line: field: what is wrong" from the readers, "field: what is wrong" from pf_add_*), EX_IOERR
 * when an input stream could not be read or an output stream written, EX_OSERR when out of memory. None
 * of them exits. */
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
	PF_STALE,       /* a stale price with skip_stale: left as it is, not traded */
	PF_CLOSE,       /* a target weight above 0 that rounds to 0 shares: sold entirely, never dust */
	PF_SHRUNK_DUST, /* a BUY cut to the funds, then below --min-notional or --min-weight-change: skipped */
	PF_NO_SHORT,    /* a SELL cut to the shares held less the working SELLs: the account is never short;
	                 * or working SELLs beyond the position: an exit never buys */
	PF_BAD_PRICE    /* the close disagrees with its return, or sizes an out-of-range quantity: refused,
	                 * or left untraded with skip_bad */
};

struct pf_quote {
	double px;     /* last close; 0 when none seen */
	int date;      /* its date */
	int have;      /* 1 once a row matched */
	double prev;   /* the close of the row before (same name); 0 when none */
	double ret;    /* the last row's return from prev; NAN when empty or none */
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
	long long work_buy;   /* shares of working BUYs counted as held: others' (and a later decision's) */
	long long work_sell;  /* ... and of working SELLs */
	long long same_buy;   /* shares of this decision's own working BUYs and SELLs: not in the sizing, in */
	long long same_sell;  /* the accounting */
	long long work_all;   /* shares of every working order on the name (kept below 1e15) */
	struct pf_quote close_id, close_sym; /* last close from --prices, matched by id / by symbol */
	struct pf_quote ref_id, ref_sym;     /* the same from the reference source */
	double close;         /* the chosen last close (0: none) */
	int close_date;
	double ref;           /* the chosen reference price (0: none or no reference source) */
	int ref_date;
	double price;         /* the price orders are sized with and carry as ref_price */
	int price_date;
	double prev_close;    /* the close before the last one, and the last row's return (NAN: none) */
	double ret;
	double value_px;      /* the price the invariant values the name at: price, or the higher of the
	                       * close and prev_close x (1 + ret) when the close is refused */
	long long target;     /* target shares */
	long long want;       /* target - held: the order before dust rules and funds */
	long long qty;        /* the order: > 0 buys, < 0 sells, 0 none */
	enum pf_why why;      /* what decided qty */
	int placed;           /* the order's client_id is at the broker already: the submitter will not place
	                       * it again, so the accounting does not count it */
	char bad[320];        /* PF_BAD_PRICE: why, in words */
};

/* One working order of the account, as pf_add_working takes it. */
struct pf_working {
	const char *client_id; /* the orderRef: DATE:STRATEGY:SYMBOL:SIDE for ours, "" when none */
	long long order_id;    /* the broker's, or -1 */
	long long perm_id;     /* the broker's permanent id, or -1 */
	const char *id;        /* the security id, or "" */
	const char *symbol;
	int side;              /* +1 BUY, -1 SELL */
	long long qty;         /* the order's total */
	long long filled;      /* executed so far (already in the positions) */
	long long remaining;   /* still to fill */
	const char *status;    /* the broker's status, or "" */
	int transmit;          /* 1 transmitted, 0 staged, -1 unknown */
};

/* What becomes of a working order in a plan. */
enum pf_work_kind {
	PF_WORK_OTHER,     /* another strategy's or an unknown reference: counted as held */
	PF_WORK_SAME,      /* this decision's own (a re-run): the batch itself, counted in the accounting only */
	PF_WORK_SUPERSEDE, /* this strategy's from an older decision: to be cancelled, not counted */
	PF_WORK_NEWER      /* this strategy's from a later decision: the run is refused */
};

struct pf_account {
	char account[64];       /* account id of the records ("" when none named) */
	int have;               /* 1 when an "account" record was read */
	double net_liquidation; /* account value: the default capital */
	double total_cash;
	double available_funds; /* cash that buys may use before the sells' proceeds */
	size_t positions;       /* position records read (non-zero quantities) */
	size_t working;         /* open_order records still working */
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
	double nav;                /* account value for the invariant; NAN: capital */
	double commit_tol;         /* committed may exceed NAV x (1 + margin) by this fraction (0.02) */
	double margin;             /* fraction of NAV that BUYs may borrow beyond the funds (0) */
	double max_shares;         /* refuse an order of more shares (1e6) */
	double max_ret_gap;        /* refuse a close further than this from prev x (1 + ret) (0.05) */
	int skip_bad;              /* 1: leave a name with a refused close untraded instead of refusing all */
	const char *strategy;      /* the strategy of the orders: working orders with it in their client_id */
	int decided;               /* ... and this decision date are this run's; older ones are superseded */
};

/* Defaults for every field (capital 0 and stale_before INT_MIN: the caller sets them). This function
 * can't fail. */
void pf_params_init(struct pf_params *p);

typedef struct pf_book pf_book;

/* A new, empty book, or NULL when out of memory (its only failure: the caller exits EX_OSERR). */
pf_book *pf_new(void);
void pf_free(pf_book *b);

/* Number of names, and name i (valid until the book changes or is freed). */
size_t pf_count(const pf_book *b);
const struct pf_name *pf_name(const pf_book *b, size_t i);

/* Add a target (weight may be 0) or a position. Both return 0, EX_DATAERR for a target without an id, a
 * second target with the same id, a position without a symbol or beyond 1e15 shares, or a second position
 * with the same id or symbol, or EX_OSERR when out of memory. */
int pf_add_target(pf_book *b, const char *id, const char *symbol, double weight, char *err, size_t errlen);
int pf_add_position(pf_book *b, const char *id, const char *symbol, long long qty, char *err, size_t errlen);
/* Add a working order (it must be called after the targets and positions it may match, before the
 * prices). It matches a name by id, else by symbol, or makes one. An order that is no longer working
 * (status Filled, Cancelled, ApiCancelled, or Inactive when transmitted: rejected; or nothing remaining)
 * is ignored; a staged one (Inactive, not transmitted) is working. Returns 0, EX_DATAERR for a side that
 * is not +1/-1, a negative or out-of-range quantity, remaining + filled above qty, no symbol, or more than
 * 1e15 shares working on a name, or EX_OSERR when out of memory. */
int pf_add_working(pf_book *b, const struct pf_working *w, char *err, size_t errlen);

/* Note a client_id the broker has seen (an open order in any state, a completed order or a fill): an
 * order of the plan with it is written (a re-run writes the same orders) but not counted. Returns 0, or
 * EX_OSERR when out of memory. */
int pf_add_placed(pf_book *b, const char *client_id, char *err, size_t errlen);

/* Offer a price row to the book: it updates the names it matches when it is dated before `before` and not
 * older than what they have (the close it replaces becomes prev, with ret the new row's return, NAN when
 * none). ref selects the reference source. This function can't fail. */
void pf_add_price(pf_book *b, const char *id, const char *symbol, int date, double close, double ret,
    int before, int ref);

/* Read a weights CSV (date,id,symbol,weight; other columns ignored) and add the targets of its latest date
 * on or before asof. Sets *date to that date. Returns 0; EX_DATAERR on malformed data, a duplicate id on a
 * date, a weight that is missing or not finite, or no date at all on or before asof; EX_IOERR when fp
 * cannot be read (ferror); EX_OSERR when out of memory. */
int pf_read_weights(pf_book *b, FILE *fp, const char *name, int asof, int *date, char *err, size_t errlen);

/* Read account NDJSON: "position" records become positions (quantity 0 is skipped), "open_order" records
 * working orders (pf_add_working; fields in sti-formats(5)), the client_ids of "open_order",
 * "completed_order" and "fill" records placed ones (pf_add_placed), the "account" record fills *acct; other
 * types are ignored. Records of more than one account are an error, as are a second "account" record, a
 * quantity that is not a whole number and a position without a symbol (EX_DATAERR). Returns 0, EX_DATAERR,
 * EX_IOERR when fp cannot be read, or EX_OSERR when out of memory. */
int pf_read_account(pf_book *b, FILE *fp, const char *name, struct pf_account *acct, char *err, size_t errlen);

/* Read a prices CSV (date,id,symbol,close and, when present, ret; others ignored) and offer each row with a
 * close to pf_add_price. Returns 0; EX_DATAERR on malformed data: a close that is not a positive finite
 * number, a ret that is not finite or not above -1, rows not sorted by date then id, or two rows for one
 * (date, id); EX_IOERR when fp cannot be read; EX_OSERR when out of memory. */
int pf_read_prices(pf_book *b, FILE *fp, const char *name, int before, int ref, char *err, size_t errlen);

/* Size every name and decide its order: target = floor(capital x (1 - buffer) x weight / price), the
 * order is target - (held + working BUYs - working SELLs), dust rules skip small ones (never one that
 * closes a position), a SELL never goes below the shares held less the working SELLs, then BUYs, largest
 * first, are cut to the funds plus margin x NAV plus the SELLs' proceeds less the working BUYs (this
 * decision's included), and a cut one is skipped when it became dust; an order already placed (placed)
 * spends nothing: its working remainder is already counted. A close that disagrees with its return, or a
 * quantity that is not finite or above max_shares, gives PF_BAD_PRICE and no order; names without a price
 * get PF_NO_PRICE (pf_check refuses them). Returns 0, or EX_OSERR when out of memory (the plan has no
 * orders then: the caller must not write any). */
int pf_plan(pf_book *b, const struct pf_params *p, char *err, size_t errlen);

/* The budget arithmetic of the last pf_plan. */
struct pf_totals {
	double invest;    /* capital x (1 - buffer) */
	double funds;     /* cash before the sells */
	double proceeds;  /* expected from the SELLs */
	double spent;     /* on the BUYs as sized */
	double gross;     /* sum of |target weight| */
	size_t sells, buys, shrunk; /* orders, and BUYs cut by the funds */
	size_t placed;    /* orders written whose client_id is at the broker already (not placed again) */
	size_t new_buys;  /* BUYs that will be placed */
	double nav;       /* the NAV of the invariant */
	double work_buy, work_sell; /* notional of the working orders counted as held */
	double committed_before, committed; /* the invariant's left side before and after the batch */
	size_t supersede, newer; /* working orders superseded by this batch, and from a later decision */
};
const struct pf_totals *pf_totals(const pf_book *b);

/* Run every risk rule over the plan; each violation is one sentence passed to report (no trailing newline,
 * "AAPL: weight 0.3 is above --max-weight 0.25"). Returns the number of violations. */
size_t pf_check(const pf_book *b, const struct pf_params *p,
    void (*report)(void *ctx, const char *msg), void *ctx);

/* The order of the plan at position i of the output sequence (SELLs, then BUYs, each largest first), or
 * NULL past the end. */
const struct pf_name *pf_order(const pf_book *b, size_t i);

/* The working order i (in the order added) and what the last pf_plan made of it, or NULL past the end. */
const struct pf_working *pf_working(const pf_book *b, size_t i, enum pf_work_kind *kind);

/* Write first a "supersede" record for every working order the batch supersedes (by client_id, then
 * order_id), then the orders as NDJSON "order" records: client_id "DECIDED:STRATEGY:SYMBOL:SIDE", date =
 * trade_date. Returns 0, EX_IOERR when the stream fails (the message is "write error: " and strerror), or
 * EX_OSERR when out of memory. */
int pf_write_orders(const pf_book *b, FILE *fp, int decided, int trade_date, const char *strategy,
    const char *order_type, const char *tif, char *err, size_t errlen);

/* Print the plan for a human: the budget, then one line per name (sorted by symbol) with weight, price,
 * its date, held, target, order and the reason. Returns 0, EX_IOERR when the stream fails, or EX_OSERR
 * when out of memory. */
int pf_explain(const pf_book *b, const struct pf_params *p, FILE *fp, char *err, size_t errlen);

/* Words for a reason ("new position", "not in target: sell all" ...). This function can't fail. */
const char *pf_why_text(enum pf_why why);

#endif
