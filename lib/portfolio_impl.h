/* portfolio_impl: the book's insides, shared by portfolio.c (the book), portfolio_read.c (its inputs),
 * portfolio_plan.c (sizing), portfolio_check.c (risk checks) and portfolio_out.c (its outputs); not for
 * tools. */
#ifndef STI_PORTFOLIO_IMPL_H
#define STI_PORTFOLIO_IMPL_H

#include <stddef.h>

#include "portfolio.h"

/* Share counts are computed in doubles: a product such as 98000 x 0.5 / 49 may land a hair below the
 * whole number it means, and floor() would then lose a share. A millionth of a share is never real. */
#define SHARE_EPS 1e-6
/* Money comparisons: a buy that exceeds the budget by less than this still fits. */
#define CASH_EPS 1e-6
/* No share count read or computed is ever above this: it and its sums stay exact in a double and far from
 * LLONG_MAX, so the conversions to long long below are always defined. */
#define QTY_MAX 1e15
/* Splits a close may explain itself by (close / (prev x (1 + ret)) = 1 / n or n): n-for-1 up to this ... */
#define SPLIT_MAX 20
/* ... and 1-for-n reverse splits up to this (a close too high sizes fewer shares: the safe side). */
#define REVERSE_SPLIT_MAX 100
/* A close may miss prev x (1 + ret) by a cent whatever the tolerance: closes are rounded to the cent. */
#define TICK 0.01

/* A small string -> index map (open addressing), for ids and symbols. */
struct pf_map {
	const char **key; /* borrowed from the names */
	size_t *val;      /* index into the names */
	size_t cap, n;    /* cap is a power of two (or 0) */
};

/* Index stored for key, or SIZE_MAX. This function can't fail. */
size_t pf_map_get(const struct pf_map *m, const char *key);
/* Store key -> val (replacing); the key is borrowed. Returns 0 or -1 when out of memory. */
int pf_map_put(struct pf_map *m, const char *key, size_t val);
void pf_map_free(struct pf_map *m);

struct pf_work {
	struct pf_working w;     /* strings owned */
	size_t name;             /* index of the name it is on */
	enum pf_work_kind kind;  /* from the last pf_plan */
};

struct pf_book {
	struct pf_name *v;     /* the names */
	size_t n, cap;
	struct pf_work *work;  /* working orders */
	size_t nwork, capwork;
	struct pf_map placed;  /* client_ids the broker has seen (keys owned) */
	struct pf_map by_id;     /* target ids and position ids -> name */
	struct pf_map by_symbol; /* the symbols of targets and positions -> name */
	size_t *order;         /* output sequence of names with an order */
	size_t norder;
	struct pf_totals tot;  /* budget of the last plan */
};

/* The size of a message buffer the readers give pf_add_* (they prefix "file:line: " to it). */
#define PF_ERRLEN 512

/* A close, or the reference price sized with, older than the last trading day before the trade date. */
int pf_stale(const struct pf_name *x, const struct pf_params *p);
/* The order's value: |qty| x price. */
double pf_notional(const struct pf_name *x);
/* A name that trades or is valued: targeted, held, or with working orders counted as held. */
int pf_in_play(const struct pf_name *x);
/* PF_DUST_NOTIONAL or PF_DUST_WEIGHT for an order value below the dust rules' thresholds, else PF_BUY. */
enum pf_why pf_dust(double v, const struct pf_params *p);

#endif
