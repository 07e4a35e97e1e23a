/* wtrun: the strategy over CSV streams: a prices panel (+ universe) -> target weights CSV (weights(1)).
 *
 * The prices (date,id,symbol,ret; more columns are ignored) are a panel in one or several files read as
 * one (lib/panel: sorted by date, then id, one row per (date, id)); the universe (date,id), when given,
 * is read alongside and joined by date: its rows of a prices day are that day's members, rows of other
 * days are skipped. Kept in memory: the strategy's per-security state (lib/strategy), never the days. */
#ifndef STI_WTRUN_H
#define STI_WTRUN_H

#include <stdio.h>

#include "config.h"

struct wtr_opts {
	FILE *const *prices;            /* prices files, in date order */
	const char *const *prices_name; /* for messages */
	int nprices;                    /* >= 1 */
	FILE *universe;                 /* universe CSV, or NULL: every security with a row is eligible */
	const char *universe_name;
	const struct strategy_config *cfg; /* checked with config_check */
	int asof;                       /* 0: every rebalance; else only the last portfolio dated on or before
	                                 * asof (days since 1970-01-01), rows after it unread */
	FILE *out;                      /* the weights CSV: date,id,symbol,weight */
};

/* Run the strategy. Returns 0, or a sysexits code with err set: EX_DATAERR for bad input
 * ("file:line: field: what is wrong"), EX_IOERR when the output cannot be written, EX_OSERR when out of
 * memory. Nothing is written before the header; the caller makes the output atomic (lib/aout). */
int wtr_run(const struct wtr_opts *o, char *err, size_t errlen);

#endif
