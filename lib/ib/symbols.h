/* ib/symbols: the securities ib-bars asks for, read from a list or a CSV.
 *
 * Input is either one symbol per line (blank lines and '#' comments skipped) or a CSV whose header names a
 * `symbol` column and optionally `id`, `con_id` (IB's conId), `primary_exchange` and `currency`. A first
 * line that holds a comma, or is exactly "symbol", makes the input a CSV. Each security's output id is its
 * conId when known, else the given id, else the symbol (the prices CSV's rule), and must be unique. */
#ifndef STI_IB_SYMBOLS_H
#define STI_IB_SYMBOLS_H

#include <stddef.h>
#include <stdio.h>

typedef struct bk_sym {
	char symbol[32];     /* IB's ticker, as given */
	char id[64];         /* the output id: conId, else the given id, else the symbol */
	char primary[16];    /* primary exchange, "" to let SMART decide (ambiguous tickers need it) */
	char currency[8];    /* "USD" unless given */
	int con_id;          /* 0 when unknown; sent in the request when known */
	long line;           /* input line, for messages */
} bk_sym;

typedef struct bk_syms {
	bk_sym *v;           /* in input order */
	size_t n, cap;
} bk_syms;

/* Read every security from fp (name is for messages) into out (which must be zeroed or freed before).
 * Returns 0, or a sysexits code with err set: EX_DATAERR "name:line: field: what is wrong" (a symbol that is
 * empty, too long or holds a space, a bad con_id, a duplicate id, a CSV without a symbol column, no symbols
 * at all), EX_IOERR (a read error), EX_OSERR (out of memory). */
int bk_sym_read(FILE *fp, const char *name, bk_syms *out, char *err, size_t errlen);

/* Free what bk_sym_read allocated (out stays usable as an empty list). NULL is fine. */
void bk_syms_free(bk_syms *s);

#endif
