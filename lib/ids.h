/* ids: security ids interned as dense indices 0, 1, 2, ... in the order first seen (an open-addressing
 * FNV-1a hash table), and the row-order guess that makes a panel's lookups nearly free: rows come in the
 * same id order day after day, so the security that followed the previous row's one last time is tried
 * with one comparison before hashing.
 *
 * One table for the engines that each kept their own: lib/backtest, lib/grid and lib/strategy. */
#ifndef STI_IDS_H
#define STI_IDS_H

#include <stddef.h>
#include <stdint.h>

#define IDS_NONE UINT32_MAX /* no index: out of memory, or no guess */

struct ids {
	char **name;     /* name[i]: id i, NUL-terminated (owned) */
	size_t *len;     /* len[i]: strlen(name[i]) */
	uint32_t n;      /* ids interned */
	size_t cap;
	uint32_t *slot;  /* hash slots: index + 1, 0 = empty */
	size_t nslot;    /* a power of two, at least twice n */
};

/* An empty table (no allocation); this function can't fail. */
void ids_init(struct ids *t);
void ids_free(struct ids *t);

/* The index of the id of len bytes (no NUL needed), interned when new; *added (when not NULL) says 1 when
 * it was. Returns IDS_NONE when out of memory (nothing added). */
uint32_t ids_intern(struct ids *t, const char *id, size_t len, int *added);

/* The index of an id already interned, or IDS_NONE. */
uint32_t ids_get(const struct ids *t, const char *id, size_t len);

/* A row order over a table: after each id, the one that followed it last time. Several orders may share
 * a table (a prices panel's rows, a universe's snapshots). Start it with ids_order_init. */
struct ids_order {
	uint32_t *next;  /* next[i]: the index that followed i last time, IDS_NONE when none */
	size_t nnext, cap;
	uint32_t first;  /* the first row's index of the latest (or, at a day's start, previous) day */
	uint32_t prev;   /* the previous row's index in the current day, IDS_NONE at its start */
};

void ids_order_init(struct ids_order *o);
void ids_order_free(struct ids_order *o);

/* A new day (or snapshot) of rows starts: guess that it follows the previous one's order. */
void ids_order_restart(struct ids_order *o);

/* ids_intern for the next row of the current day, trying o's guess first; o learns the order. Returns
 * IDS_NONE when out of memory. */
uint32_t ids_row(struct ids *t, struct ids_order *o, const char *id, size_t len, int *added);

#endif
