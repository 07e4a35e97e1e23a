/* ib/bars: daily bars buffered per security, then written date-major as the prices CSV.
 *
 * IB answers a historical request per security, in any order, while the prices CSV is sorted by date,
 * then id: so every security's bars are held until all have arrived, and then a k-way merge over the
 * securities (a heap keyed by date and id) writes the rows. That costs one copy of the bars in memory
 * (48 bytes a bar: 1,000 securities x 10 years is about 120 MB) and O(rows x log securities) time. */
#ifndef STI_IB_BARS_H
#define STI_IB_BARS_H

#include <stdio.h>

#include "tws/msg.h"

typedef struct bk_bar {
	int date;            /* days since 1970-01-01 */
	double open, high, low, close;  /* NaN when missing */
	double volume;       /* NaN when missing (IB sends -1 where volume does not apply) */
} bk_bar;

typedef struct bk_series {
	const char *id;      /* the prices CSV's id (borrowed) */
	const char *symbol;  /* the ticker (borrowed) */
	bk_bar *v;           /* in date order, owned */
	int n;
} bk_series;

/* Replace s's bars by IB's n bars b (daily: dates "yyyymmdd", optionally followed by a time). IB's unset
 * values and negative prices or volumes become NaN. Returns 0, or EX_DATAERR with err set ("bar 3:
 * date: 'x' is not yyyymmdd", dates that do not increase) or EX_OSERR (out of memory); s is unchanged on
 * failure. */
int bk_bars_set(bk_series *s, const tws_bar *b, int n, char *err, size_t errlen);

/* Free s's bars. NULL is fine. */
void bk_series_free(bk_series *s);

/* Write the header and every bar of the n series s[], sorted by date, then id (byte order), with ret the
 * change from the security's previous close (empty on its first bar or next to a missing close; IB gives
 * no total return, so for TRADES bars ret ignores dividends and splits, for ADJUSTED_LAST it includes
 * them). Ids must be unique. Returns 0, or -1 when out of memory or the stream has an error. */
int bk_bars_write(FILE *fp, bk_series *const *s, size_t n);

/* Rows bk_bars_write would write. This function can't fail. */
long bk_bars_rows(bk_series *const *s, size_t n);

#endif
