/* sim/prices: the daily prices a simulated broker serves and fills against, held in memory.
 *
 * Loaded once from a prices panel (date,id,symbol,open,high,low,close,volume,ret; columns found by name),
 * read and checked by lib/panel (sorted by date, then id, one row per (date, id)); unlike the tools that
 * stream the panel day by day, a broker answers any symbol at any date (history requests, fills), so the
 * rows are then held in memory grouped per security id, in date order. A symbol names the security that carried it on the
 * latest date it appears (tickers get reused: the newest owner wins); the security's bars then include
 * those from before a ticker change. Rows whose close is empty (a gap) are not bars. */
#ifndef STI_SIM_PRICES_H
#define STI_SIM_PRICES_H

#include <stddef.h>

typedef struct sim_bar {
	int date;        /* days since 1970-01-01 */
	double open;     /* NaN when missing (then fills at the open are refused) */
	double high;     /* NaN when missing */
	double low;      /* NaN when missing */
	double close;    /* always present */
	double volume;   /* NaN when missing */
	double ret;      /* total return from the previous close; NaN when missing */
} sim_bar;

typedef struct sim_sec {
	char id[32];       /* the stable security id */
	char symbol[32];   /* its latest symbol */
	int con_id;        /* the id when it is a number, else a hash of it: what IB calls conId */
	sim_bar *bars;     /* in date order */
	int nbars;
	size_t cap;
} sim_sec;

typedef struct sim_prices sim_prices;

/* Load path ("-": stdin) into *out. Returns 0, or a sysexits code with err set (lib/err.h): EX_NOINPUT
 * ("PATH: cannot open: ..."), EX_DATAERR ("file:line: column: what is wrong": a panel out of order, a
 * duplicate (date, id), a malformed value), EX_OSERR (out of memory). */
int sim_prices_load(sim_prices **out, const char *path, char *err, size_t errlen);
void sim_prices_free(sim_prices *p);

/* The security a symbol names, or NULL. Symbols compare case-insensitively. */
sim_sec *sim_prices_symbol(sim_prices *p, const char *symbol);
/* The security with this conId, or NULL. */
sim_sec *sim_prices_conid(sim_prices *p, int con_id);
/* First and last dates of the file (0 when empty); number of securities and rows. */
int sim_prices_first(const sim_prices *p);
int sim_prices_last(const sim_prices *p);
int sim_prices_nsecs(const sim_prices *p);
long sim_prices_nrows(const sim_prices *p);

/* The security's primary exchange as the simulated gateway reports it: "NASDAQ" for every third conId,
 * else "NYSE" (contract details, auction cutoffs). */
const char *sim_sec_primary(const sim_sec *s);

/* Index of the last bar dated <= day, or -1. */
int sim_sec_le(const sim_sec *s, int day);
/* The bar dated day exactly, or NULL. */
const sim_bar *sim_sec_on(const sim_sec *s, int day);

/* Split- and dividend-adjusted copies of bars [from, to] (indexes), adjusted so that bar `to` is
 * unchanged: going back, each close is divided by (1 + ret) of the day after it (a missing ret counts as
 * the close-to-close change, i.e. no corporate action); open, high and low scale with their close; volume
 * is left as it is. out must hold to - from + 1 bars. This function can't fail. */
void sim_sec_adjusted(const sim_sec *s, int from, int to, sim_bar *out);

#endif
