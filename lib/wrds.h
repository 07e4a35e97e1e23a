/* wrds: the SQL that reads point-in-time universes and daily prices from WRDS's CRSP tables.
 *
 * Two table sets give the same output: CIZ ("CRSP 2.0": dsf_v2, dsp500list_v2, stksecurityinfohist; the
 * current ones, whose returns already include delisting returns) and legacy SIZ (dsf, dsp500list, msenames,
 * dsedelist; frozen at 2024-12-31, delisting returns merged here). Every statement is one
 * COPY (SELECT ...) TO STDOUT WITH (FORMAT csv, HEADER) whose columns are exactly the suite's format, with
 * every value cast in SQL (WRDS serves permnos as double precision), so the client only passes bytes on
 * (see pg_copy_out()). */
#ifndef STI_WRDS_H
#define STI_WRDS_H

#include <stddef.h>

enum wrds_format { WRDS_CIZ, WRDS_LEGACY };

struct wrds_universe_q {
	enum wrds_format format;
	int top;                  /* 0: the S&P 500 (point-in-time membership); N: the N largest common stocks */
	double min_dollar_volume; /* |price| x volume floor for that day (0: none) */
	int from, to;             /* trading days (days since 1970-01-01), inclusive */
	int spells;               /* 1: one row per spell (start,end,id,symbol) instead of per day */
};

struct wrds_prices_q {
	enum wrds_format format;
	const long long *ids; /* CRSP permnos, sorted, no duplicates */
	size_t nids;
	int from, to;         /* inclusive */
	int fill_dlret;       /* legacy: a missing dlret of a 5xx delisting becomes -0.30 or -1 (Shumway) */
};

/* The COPY statement for a universe: snapshots "date,id,symbol" sorted by date then id, or spells
 * "start,end,id,symbol" sorted by start then id, a spell being a run of consecutive trading days (of the
 * data) with the same id and symbol. Returns a malloc'd string, NULL when out of memory. */
char *wrds_universe_sql(const struct wrds_universe_q *q);

/* The COPY statement for prices "date,id,symbol,open,high,low,close,volume,ret" of the given permnos,
 * sorted by date then id: close = |prc| (unadjusted; 0 becomes empty), ret the total return including the
 * delisting return (legacy: (1+ret)(1+dlret)-1 on the delisting date, dlret alone when ret is missing or
 * the day has no price row), the ticker as of each date, missing values empty. Returns a malloc'd string,
 * NULL when out of memory. */
char *wrds_prices_sql(const struct wrds_prices_q *q);

#endif
