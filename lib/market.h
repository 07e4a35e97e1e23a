/* market: a deterministic synthetic US-equity market, generated one trading day at a time.
 *
 * Returns follow a factor model: a market factor with slowly varying volatility, eleven sector factors,
 * and idiosyncratic noise with occasional jumps, plus a persistent per-security drift (an AR(1) with a
 * half-life of about a year and a half) so that past returns predict future ones: cross-sectional
 * momentum has a signal. The market has the warts real data has: listings (first `ret` empty),
 * delistings (the delisting return compounded into the last `ret`), gaps of missing days (the row absent,
 * or present with every value empty; the first `ret` after a gap spans it), ticker changes, splits and
 * reverse splits (the unadjusted close jumps, `ret` does not), quarterly dividends (in `ret`, the close
 * drops), and share counts so that market caps exist.
 *
 * The generator holds only per-slot state: memory depends on the number of securities, not of days.
 * Everything comes from one seeded xoshiro256** stream, so a seed gives the same bytes every run. */
#ifndef STI_MARKET_H
#define STI_MARKET_H

#include <stdint.h>
#include <stdio.h>

struct market_params {
	uint64_t seed;            /* the whole market follows from it */
	int securities;           /* slots: securities alive at once (a delisted one is replaced) */
	int start;                /* first day (a date; moved to the next trading day if closed) */
	int universe_size;        /* K of the top-K-by-market-cap universe */
	double min_dollar_volume; /* close x volume floor for universe membership */
	int shares_column;        /* append a `shares` column (shares outstanding) to the prices */
};

typedef struct market market;

/* A market at the day before params->start; NULL when out of memory or params are out of range
 * (securities < 1, universe_size < 0). The caller frees it with market_free(). */
market *market_new(const struct market_params *params);
void market_free(market *m);

/* Print the prices CSV header (and the universe CSV header when universe is not NULL). Returns 0, or -1
 * when a stream has an error. */
int market_headers(market *m, FILE *prices, FILE *universe);

/* Advance to the next trading day, write its price rows (sorted by id) to prices and, when universe is
 * not NULL, its universe snapshot. Returns 0, or -1 when a stream has an error. */
int market_day(market *m, FILE *prices, FILE *universe);

/* The date of the last day generated (before the first: the day before start). */
int market_date(const market *m);

/* ---- the generator's random numbers, public for tests and for other synthetic data ---- */

typedef struct mrng {
	uint64_t s[4]; /* xoshiro256** state, seeded through splitmix64 */
	double spare;  /* second normal of the last polar pair */
	int has_spare; /* spare is valid */
} mrng;

/* Seed the stream. Every seed (0 included) gives a valid, distinct stream. This function can't fail. */
void mrng_seed(mrng *g, uint64_t seed);
uint64_t mrng_next(mrng *g);
/* Uniform in [0, 1), 53 random bits. */
double mrng_uniform(mrng *g);
/* Standard normal (Marsaglia's polar method). */
double mrng_normal(mrng *g);

#endif
