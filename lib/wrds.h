/* wrds: the SQL that reads point-in-time universes and daily prices from WRDS's CRSP tables.
 *
 * Two table sets give the same output on the same data: CIZ ("CRSP 2.0": dsf_v2, dsp500list_v2,
 * stksecurityinfohist, stkdelists; the current ones) and legacy SIZ (dsf, dsp500list, dsenames, dsedelist,
 * dsi; frozen at 2024-12-31). The output follows CIZ's conventions in both: a delisting return sits on a row
 * of its own, the trading day after the last price, with empty price fields (legacy's dlret is moved there,
 * never compounded into the last day's return). Every statement is one COPY (SELECT ...) TO STDOUT WITH
 * (FORMAT csv, HEADER) whose columns are exactly the suite's format, with every value cast in SQL (WRDS
 * serves permnos as double precision), so the client only passes bytes on (see pg_copy_out()); but CIZ's
 * prices leave their numbers uncast, for the client to write as float8 (wrds_prices_cols).
 *
 * The stock filter of top:N (tidy-finance's, in both table sets): legacy shrcd 10/11 and exchcd 1, 2, 3
 * (regular way) or 31, 32, 33 (when-issued on the same exchanges); CIZ sharetype NS, securitytype EQTY,
 * securitysubtype COM, usincflg Y, issuertype ACOR/CORP, primaryexch N/A/Q, conditionaltype RW/NW,
 * tradingstatusflg A. CIZ's RW/NW with status A are legacy's 1-3/31-33; a halted or suspended day
 * (status H/S, legacy exchcd -2/-1) and CIZ-only when-issued lines (conditionaltype WI) are out. */
#ifndef STI_WRDS_H
#define STI_WRDS_H

#include <stddef.h>

#include "pg.h"

enum wrds_format { WRDS_CIZ, WRDS_LEGACY };

struct wrds_universe_q {
	enum wrds_format format;
	int top;                  /* 0: the S&P 500 (point-in-time membership); N: the N largest common stocks */
	double min_dollar_volume; /* |price| x volume floor (0: none), on the average of adv_days days */
	int adv_days;             /* >= 1: the floor applies to the mean dollar volume of the security's last
	                           * adv_days trading rows (a day without a price or volume counts as 0) */
	double min_price;         /* |price| floor on the day (0: none; a day without a price never passes) */
	int monthly;              /* top:N only. 1: rank on each month's last NYSE trading day and hold the
	                           * members until the next month end: a member is listed on the days it has
	                           * a price. 0: rank every day */
	int from, to;             /* trading days (days since 1970-01-01), inclusive */
	int spells;               /* 1: one row per spell (start,end,id,symbol) instead of per day */
};

struct wrds_prices_q {
	enum wrds_format format;
	const long long *ids; /* CRSP permnos, sorted, no duplicates */
	size_t nids;
	int from, to;         /* inclusive */
	int fill_dlret;       /* a missing delisting return of a performance delisting becomes -0.30, -0.55 on
	                       * NASDAQ (Shumway 1997; Shumway and Warther 1999): legacy codes 500 and 520-584,
	                       * CIZ delactiontype DEL */
};

/* The COPY statement for a universe: snapshots "date,id,symbol,permco,share_class,exchange,cusip" sorted
 * by date then id (the name row of each day; when name rows overlap, the one that started last; ties of
 * capitalisation go to the lower permno), or spells "start,end,id,symbol" sorted by start then id, a spell
 * being a run of consecutive trading days (of the data) with the same id and symbol. Returns a malloc'd
 * string, NULL when out of memory. */
char *wrds_universe_sql(const struct wrds_universe_q *q);

/* The COPY statement for prices "date,id,symbol,open,high,low,close,volume,ret" of the given permnos,
 * sorted by date then id: close = |price| (unadjusted; 0 becomes empty), high/low the day's range or, on a
 * day without trades, the closing ask/bid; ret the day's total return; a delisting's return on its own row
 * the trading day after the last price (legacy: the next date of crsp.dsi) with every price field empty
 * and ret empty when CRSP has none (see fill_dlret); the ticker as of each date (on a delisting row, the
 * last one). Returns a malloc'd string, NULL when out of memory. */
char *wrds_prices_sql(const struct wrds_prices_q *q);

/* How pg_copy_out() writes CIZ's prices: open, high, low, close and ret come as the table has them,
 * numeric in CRSP 2.0's definition, and are written as float8, the same bytes as if the server had cast
 * them (pg_float8_text()); a tenth column, missing_dlret, is left out of the output: tally[1] + tally[2]
 * delisting rows without a return, tally[2] of them performance delistings (what --fill-dlret fills).
 * Legacy's statement casts in SQL (double precision on WRDS: no cost) and its rows pass as bytes. */
#define WRDS_PRICES_NCOLS 10
extern const enum pg_col wrds_prices_cols[WRDS_PRICES_NCOLS];

/* Legacy only (CIZ's count comes with its rows, see wrds_prices_cols): a plain SELECT of one row
 * "missing,performance", the delisting rows of the prices query without a return, and how many of them
 * are performance delistings (those --fill-dlret fills). */
char *wrds_dlret_missing_sql(const struct wrds_prices_q *q);

/* The COPY statement that prints the last date CRSP holds (no header): the last date of dsf_v2, or of the
 * legacy calendar crsp.dsi. */
char *wrds_latest_sql(enum wrds_format format);

#endif
