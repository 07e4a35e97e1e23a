/* ib/fetch: historical daily bars for many securities at once over one TWS connection.
 *
 * Every request is queued at once; the client (tws/client.h) keeps as many open as IB allows, paces the
 * messages, re-sends after pacing violations and after a reconnect, and times each request out. This
 * module keeps the answers per security and classifies what did not come: a security IB does not know
 * (error 200: unknown or ambiguous) or has no data for (error 162 "no data") is MISSING, which is a fact
 * about the input; a security the account may not see (error 162 "No market data permissions") is
 * DENIED, which running again will not change; anything else (a timeout, pacing retries used up, another
 * error) is FAILED, which says nothing about the security and leaves the output incomplete.
 *
 * A bar of today requested during the session is partial (IB builds it as trades come in): unless asked
 * for, the bar dated today in New York is left out while the server's clock (REQ_CURRENT_TIME, asked
 * first) is before that day's close (16:00, 13:00 on early closes; 20:00 with outside-hours bars). */
#ifndef STI_IB_FETCH_H
#define STI_IB_FETCH_H

#include "ib/bars.h"
#include "ib/symbols.h"
#include "tws/client.h"

enum bk_fetch_state {
	BK_WAITING = 0,  /* no answer yet */
	BK_DONE,         /* bars arrived (maybe none) */
	BK_MISSING,      /* IB does not know it or has no data (200, 162 "no data") */
	BK_FAILED,       /* timed out or another error: the output would be short */
	BK_DENIED,       /* no market data permissions (162): permanent */
};

typedef struct bk_fetch_opts {
	char duration[16];   /* "10 Y" */
	char end[32];        /* IB's endDateTime, "" = now */
	char bar_size[16];   /* "1 day" */
	char what[24];       /* "TRADES" or "ADJUSTED_LAST" */
	int use_rth;         /* 1: regular trading hours only (IB's useRTH) */
	int include_partial; /* 1: keep today's bar while the session runs */
	void (*progress)(void *ctx, size_t done, size_t total); /* called about 4 times a second, or NULL */
	void *ctx;
} bk_fetch_opts;

typedef struct bk_fetch {
	bk_series *series;          /* one per security, in input order (ids and symbols borrowed from syms) */
	enum bk_fetch_state *state; /* one per security */
	char (*why)[160];           /* why a security is MISSING, FAILED or DENIED */
	size_t n, done, missing, failed, denied;
	size_t partial;             /* today's partial bars left out */
	long long server_time;      /* the server's clock (seconds since the epoch), 0 when it did not say */
} bk_fetch;

/* Fetch bars for every security of syms over c (connected). Returns 0 when every security has an answer
 * (f->missing and f->failed count those without bars), or a sysexits code with err set: tws_code(c) when
 * the connection is gone for good (EX_UNAVAILABLE, EX_PROTOCOL; err is tws_errmsg(c)), EX_OSERR when memory
 * ran out. f must be freed with bk_fetch_free either way (f->done says how many securities were received). */
int bk_fetch_bars(tws_client *c, const bk_syms *syms, const bk_fetch_opts *o, bk_fetch *f, char *err,
    size_t errlen);

void bk_fetch_free(bk_fetch *f);

#endif
