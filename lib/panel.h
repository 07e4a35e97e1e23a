/* panel: the one reader of date-major prices panels, and merging them.
 *
 * A panel is a CSV sorted by date, then id (sti-formats(5)): one row per security and trading day. It may
 * come as several files in date order (data/prices/YYYY.csv), read as one: each file has its own header
 * (columns found by name in each), and a file's first date must be after the previous file's last.
 *
 * Reading streams: one record at a time (lib/csv's buffer), whatever the number of days, and the current
 * row's fields are read in place through lib/csv's inline accessors, so a tool's day loop costs what
 * lib/csv costs. A panel reader is also the other side of a join by date (a universe, a weights file):
 * the caller keeps its current row until the main stream reaches that row's date (see panel_skip_to).
 *
 * Checks, with "file:line: field: message" errors:
 *  - every row has a date (YYYY-MM-DD) and an id (non-empty);
 *  - dates never go back ("date: D1 is before D2: the input must be sorted by date"), within a file and
 *    across files ("date: D is not after D0, the last date of PREV: give the files in date order");
 *  - with PANEL_KEYS, (date, id) strictly increases: ids within a date in panel order (numeric ids by
 *    value, as prices-merge sorts them; see panel_idcmp), so a duplicate (date, id) is seen at once
 *    ("id: duplicate row for id 'X' on D"; "id: 'X' after 'Y' on D: the input must be sorted by date,
 *    then id"). Without it (weights files follow the strategy's order), only dates are checked.
 *
 * Its readers: wtrun (weights: prices + universe), btrun (backtest: prices + weights + universe), lastpx
 * (prices-last), pf_read_prices (orders), dash/live (data/last.csv), sim/prices (ib-sim, which then keeps
 * the bars in memory per security) and panel_merge below. */
#ifndef STI_PANEL_H
#define STI_PANEL_H

#include <stddef.h>
#include <stdio.h>

#include "csv.h"

/* ---- reading ---- */

#define PANEL_MAXCOL 32 /* columns a reader can be asked for, besides date and id */

enum {
	PANEL_KEYS = 1, /* check that (date, id) strictly increases (prices); else dates only */
};

typedef struct panel panel;

/* The head of every panel reader: the current row, as the inline accessors below read it. */
struct panel_head {
	csv_reader *r;         /* the current file's reader: fields, csv_fail and csv_error work on it */
	int cdate, cid;        /* its date and id columns */
	int col[PANEL_MAXCOL]; /* its column of each requested column (panel_open's cols), -1 when absent */
	int have;              /* 1 while there is a current row */
	int date;              /* the current row's date (days since 1970-01-01) */
	int newday;            /* 1 when the current row is the first of its date */
};

/* Open a panel over fps[0..n) (n >= 1), read in that order as one; names[i] is what messages call file i
 * ("<stdin>" for stdin). cols[0..ncols) are the columns wanted besides date and id, by name; a name
 * starting with '?' is optional (panel_col gives -1 in a file without it), the others are required in
 * every file. Reads every header and the first row (panel_has tells whether there is one). Returns 0 with
 * *out set, or a sysexits code with err set: EX_DATAERR (a missing column, a malformed first row),
 * EX_OSERR (out of memory). The files are not closed by the reader. */
int panel_open(panel **out, FILE *const *fps, const char *const *names, int n, const char *const *cols,
    int ncols, int flags, char *err, size_t errlen);
void panel_close(panel *p);

/* Move to the next row. Returns 1, 0 at the end of the last file, or -1 with panel_error() set (bad data,
 * or out of memory: panel_code() says which). */
int panel_next(panel *p);

/* Move past rows dated before day. Returns 1 when the current row is dated day, 0 when it is later or
 * there is none, -1 on error. */
int panel_skip_to(panel *p, int day);

/* "file:line: field: message" of the last failure, and its sysexits code (EX_DATAERR, or EX_OSERR when
 * out of memory). A caller that fails a row itself (csv_fail on panel_csv) reads csv_error instead. */
const char *panel_error(const panel *p);
int panel_code(const panel *p);

/* Rows read so far (the current one included), over all files. */
long panel_rows(const panel *p);

/* The current row. */
static inline int
panel_has(const panel *p)
{
	return ((const struct panel_head *)(const void *)p)->have;
}
static inline int
panel_date(const panel *p)
{
	return ((const struct panel_head *)(const void *)p)->date;
}
static inline int
panel_newday(const panel *p)
{
	return ((const struct panel_head *)(const void *)p)->newday;
}
static inline csv_reader *
panel_csv(const panel *p)
{
	return ((const struct panel_head *)(const void *)p)->r;
}
/* The current file's column of requested column k (-1 when absent), or of the date and id. */
static inline int
panel_col(const panel *p, int k)
{
	return ((const struct panel_head *)(const void *)p)->col[k];
}
static inline int
panel_cid(const panel *p)
{
	return ((const struct panel_head *)(const void *)p)->cid;
}
static inline int
panel_cdate(const panel *p)
{
	return ((const struct panel_head *)(const void *)p)->cdate;
}
static inline const char *
panel_id(const panel *p)
{
	return csv_field(panel_csv(p), panel_cid(p));
}
static inline size_t
panel_idlen(const panel *p)
{
	return csv_len(panel_csv(p), panel_cid(p));
}

/* The panel order of ids: ids of digits only come first, by value ("007" after "7", which it equals in
 * value), then the others byte by byte. Same order as univ_idcmp; a, b of lengths la, lb, NUL-terminated. */
int panel_idcmp(const char *a, size_t la, const char *b, size_t lb);

/* ---- merging ---- */

/* The stored master panel grows every day by a few thousand rows, and entrants bring their whole history;
 * a merge keeps it sorted by (date, id) with one row per key, without reading any input twice or holding
 * more than one record per input. */
typedef struct panel_merge_opts {
	int from;   /* keep rows dated on or after this day (INT_MIN: no limit) */
	int to;     /* keep rows dated on or before this day (INT_MAX: no limit) */
} panel_merge_opts;


/* Merge n date-major CSV inputs (each sorted by date, then id; ids compared numerically when both are
 * integers) into out, with the first input's header and columns (others are matched by name; a missing
 * column is written empty; at most PANEL_MAXCOL columns). Each input is read by the panel reader above
 * (PANEL_KEYS). On a duplicate (date, id) the row of the later input wins. Returns 0 with the number of rows
 * written in *rows, or a sysexits code with the message in err: EX_DATAERR "file:line: field: message" (an
 * unsorted input, a duplicate within one input, a malformed line, a missing date or id column), EX_IOERR
 * (an input could not be read, or out could not be written: "write error: ..."), EX_OSERR. */
int panel_merge(FILE **in, const char **names, int n, FILE *out, const panel_merge_opts *o, long *rows,
    char *err, size_t errlen);

#endif
