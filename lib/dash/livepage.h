/* livepage: the parts of the live and mock pages (dash_live in live.c puts them together), one concern a
 * file: live_store (what the page reads from the store), live_trades (positions, orders, fills, order
 * history), live_status (freshness, runs, alerts). Internal to lib/dash. */
#ifndef STI_DASH_LIVEPAGE_H
#define STI_DASH_LIVEPAGE_H

#include <jansson.h>
#include <stdio.h>

#include "dash/dash.h"

#define DLV_W 640 /* chart viewBox width, as the backtest page's */

/* The store as the page reads it. */
struct live {
	const dash_live_in *in;
	dash_probs *p;
	int *days;          /* trading/ dates, ascending */
	size_t ndays;
	int latest;         /* last trading/ date, or -1000000 when none */
	double *nav;        /* net liquidation per trading date (NaN when no account record) */
	json_t *account;    /* the latest account record */
	json_t *positions, *orders, *status, *fills; /* latest date's records (arrays or NULL) */
	int pos_day;        /* the date positions come from */
	int ord_day, fill_day; /* the dates orders (and statuses) and fills come from */
	json_t *prices;     /* symbol -> [close, date] */
	int price_day;      /* latest price date */
	dash_weights w;     /* latest backtest weights */
	dash_equity e;      /* latest backtest equity */
	int bt_day;         /* latest backtest/ date */
	json_t *runs, *alerts;
};

/* ---- live_store.c ---- */

/* Read the store under L->in->root into *L (problems to L->p); L->nav NULL when out of memory. */
void dlv_load(struct live *L);
void dlv_unload(struct live *L);
/* The records of trading/DATE/FILE (an NDJSON array), NULL when the file is absent. */
json_t *dlv_read_day(const char *root, int day, const char *file, dash_probs *p);
/* 1 when the record's "type" is t. */
int dlv_is_type(const json_t *o, const char *t);
/* The latest orders' record for a client_id, or NULL. */
json_t *dlv_order_of(const struct live *L, const char *cid);
/* The last price of a symbol: its last close in data/last.csv, else the day's last fill, else the day's
 * order reference price. *src says which ('p', 'f', 'r'; 0: none). */
double dlv_price_of(const struct live *L, const char *sym, char *src);
/* Target weight of a symbol: the latest order's when there is one, else the backtest's weights. */
double dlv_target_of(const struct live *L, const char *sym);

/* ---- live_trades.c ---- */

/* The positions table (write 0: only the sum); returns the unrealised P&L of the positions. */
double dlv_positions(FILE *fp, const struct live *L, int write);
void dlv_orders(FILE *fp, const struct live *L);
void dlv_fills(FILE *fp, const struct live *L);
void dlv_blotter(FILE *fp, const struct live *L);

/* ---- live_history.c: the positions and target weights history sections. Returns 0, -1 when out of
 * memory. ---- */
int dlv_history(FILE *fp, const struct live *L);

/* ---- live_status.c ---- */
void dlv_freshness(FILE *fp, const struct live *L);
void dlv_runs(FILE *fp, const struct live *L);
void dlv_alerts(FILE *fp, const struct live *L);

#endif
