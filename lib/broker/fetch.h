/* broker/fetch: historical daily bars for many securities at once over one TWS connection.
 *
 * Every request is queued at once; the client (tws/client.h) keeps as many open as IB allows, paces the
 * messages, re-sends after pacing violations and after a reconnect, and times each request out. This
 * module keeps the answers per security and classifies what did not come: a security IB does not know
 * (error 200: unknown or ambiguous) or has no data for (error 162 "no data") is MISSING, which is a fact
 * about the input; anything else (a timeout, pacing retries used up, another error) is FAILED, which
 * says nothing about the security and leaves the output incomplete. */
#ifndef STI_BROKER_FETCH_H
#define STI_BROKER_FETCH_H

#include "broker/bars.h"
#include "broker/symbols.h"
#include "tws/client.h"

enum bk_fetch_state {
	BK_WAITING = 0,  /* no answer yet */
	BK_DONE,         /* bars arrived (maybe none) */
	BK_MISSING,      /* IB does not know it or has no data (200, 162 "no data") */
	BK_FAILED,       /* timed out or another error: the output would be short */
};

typedef struct bk_fetch_opts {
	char duration[16];   /* "10 Y" */
	char end[32];        /* IB's endDateTime, "" = now */
	char bar_size[16];   /* "1 day" */
	char what[24];       /* "TRADES" or "ADJUSTED_LAST" */
	int use_rth;         /* 1: regular trading hours only */
	void (*progress)(void *ctx, size_t done, size_t total); /* called about 4 times a second, or NULL */
	void *ctx;
} bk_fetch_opts;

typedef struct bk_fetch {
	bk_series *series;          /* one per security, in input order (ids and symbols borrowed from syms) */
	enum bk_fetch_state *state; /* one per security */
	char (*why)[160];           /* why a security is MISSING or FAILED */
	size_t n, done, missing, failed;
} bk_fetch;

/* Fetch bars for every security of syms over c (connected). Returns 0 when every security has an answer
 * (f->missing and f->failed count those without bars), or -1 when the connection is gone for good
 * (tws_errmsg(c) says why) or memory ran out (err set; tws_errcode(c) is then 0). f must be freed with
 * bk_fetch_free either way. */
int bk_fetch_bars(tws_client *c, const bk_syms *syms, const bk_fetch_opts *o, bk_fetch *f, char *err,
    size_t errlen);

void bk_fetch_free(bk_fetch *f);

#endif
