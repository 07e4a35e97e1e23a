/* lastpx: the tail of a prices panel, data/last.csv: per id, the rows of its last closes.
 *
 * `orders` needs each name's last close (and the one before it, for its consistency check) and the live
 * page needs the last close of each symbol; both used to read the whole panel (or only its last 8 MiB,
 * where a name whose last row was older disappeared). The daily flow writes this small file once per run
 * instead (prices-last(1)).
 *
 * Output: a prices panel itself (sti-formats(5)): the header date,id,symbol,open,high,low,close,volume,ret,
 * then per id the rows of its last nclose non-empty closes, as they were in the panel (a column the panel
 * lacks is empty), sorted by date, then id (lib/panel's order); so any panel reader reads it and gets, for
 * each id, the same last closes as from the whole panel. Rows with an empty close are not closes. Memory:
 * nclose rows per id; the panel streams. */
#ifndef STI_LASTPX_H
#define STI_LASTPX_H

#include <stdio.h>

#include "panel.h"

#define LASTPX_MAX 16 /* most closes kept per id */

/* The columns to open the panel with (panel_open's cols), LASTPX_NCOLS of them: close is required. */
extern const char *const lastpx_cols[];
#define LASTPX_NCOLS 7

/* Read p (opened with lastpx_cols, PANEL_KEYS) to its end and write the last nclose (1..LASTPX_MAX) closes
 * of every id to out. Returns 0 with *rows set to the rows written, or a sysexits code with err set:
 * EX_DATAERR (bad data: "file:line: field: message", a close that is not a number), EX_OSERR (out of
 * memory), EX_IOERR (a write error). */
int lastpx_write(panel *p, int nclose, FILE *out, long *rows, char *err, size_t errlen);

#endif
