/* universe: universe snapshots (date,id,symbol) and the events between two of them.
 *
 * A snapshot is the set of members of one date. A universe file may hold many dates (a wrds-pull run
 * writes one snapshot per trading day); reading it keeps the members of its latest date only, so a file of
 * any length is read in memory proportional to one day's members. */
#ifndef STI_UNIVERSE_H
#define STI_UNIVERSE_H

#include <stddef.h>
#include <stdio.h>

struct univ_member {
	char *id;     /* the stable security id (CRSP permno, IB conId or ticker) */
	char *symbol; /* the ticker on the snapshot's date; "" when unknown or when the file has no symbol column */
	long line;    /* where it was read, for messages */
};

struct univ_snap {
	int date;                 /* the snapshot's date (days since 1970-01-01); valid when n > 0 */
	struct univ_member *m;    /* members, in file order until univ_diff() sorts them by id */
	size_t n, cap;            /* members used and allocated */
	int has_symbol;           /* the file has a symbol column (renames are only seen when both have one) */
};

enum univ_event { UNIV_ENTER, UNIV_LEAVE, UNIV_RENAME };

/* Read a universe CSV (columns found by name: date and id required, symbol optional) from fp and keep the
 * members of its latest date in *s (which must be zeroed or univ_free()d). Rows need not be sorted.
 * Returns 0, or a sysexits code with the message in err: EX_DATAERR "file:line: field: what is wrong" (a
 * malformed file, a missing column, an empty id, an id listed twice on the latest date, no rows at all),
 * EX_IOERR (a read error), EX_OSERR (out of memory). The caller frees *s with univ_free() in every case. */
int univ_read_latest(FILE *fp, const char *name, struct univ_snap *s, char *err, size_t errlen);

void univ_free(struct univ_snap *s);

/* Compare two snapshots: for every id only in new call fn(UNIV_ENTER, NULL, member of new), only in old
 * fn(UNIV_LEAVE, member of old, NULL), in both with another symbol (when both
 * snapshots have symbols) fn(UNIV_RENAME, old's, new's), in the
 * order of ids (numerically when both ids are integers, else bytewise). Sorts both snapshots by id.
 * Returns the number of events, or -1 as soon as fn returns nonzero. */
long univ_diff(struct univ_snap *old, struct univ_snap *new,
    int (*fn)(enum univ_event ev, const struct univ_member *o, const struct univ_member *n, void *arg),
    void *arg);

/* Order of two ids as univ_diff() sees it (<0, 0, >0). This function can't fail. */
int univ_idcmp(const char *a, const char *b);

#endif
