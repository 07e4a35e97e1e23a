/* panel: merging date-major prices panels.
 *
 * The stored master panel grows every day by a few thousand rows, and entrants bring their whole history;
 * a merge keeps it sorted by (date, id) with one row per key, without reading any input twice or holding
 * more than one record per input. */
#ifndef STI_PANEL_H
#define STI_PANEL_H

#include <stdio.h>

typedef struct panel_merge_opts {
	int from;   /* keep rows dated on or after this day (INT_MIN: no limit) */
	int to;     /* keep rows dated on or before this day (INT_MAX: no limit) */
} panel_merge_opts;

/* Merge n date-major CSV inputs (each sorted by date, then id; ids compared numerically when both are
 * integers) into out, with the first input's header and columns (others are matched by name; a missing
 * column is written empty). On a duplicate (date, id) the row of the later input wins. Returns the number
 * of rows written, or -1 with "file:line: field: message" in err (an unsorted input, a duplicate within one
 * input, a malformed line, a missing date or id column, a write error). */
long panel_merge(FILE **in, const char **names, int n, FILE *out, const panel_merge_opts *o, char *err,
    size_t errlen);

#endif
