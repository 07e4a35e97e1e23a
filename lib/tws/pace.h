/* tws/pace: IB's pacing rules for historical data, as a clock-free record of what was sent.
 *
 * The API documentation's historical-data limitations: a pacing violation (error 162) is
 *   - an identical request within 15 seconds;
 *   - six or more requests for the same contract, exchange and tick type (what to show) within 2 seconds;
 *   - for bars of 30 seconds or less, more than 60 requests in any 10 minutes.
 * The client asks tws_pace_when() before sending a historical request and tells tws_pace_sent() when it
 * sends one; times are milliseconds of any monotonic clock, so the rules can be tested with made-up times.
 * Records no rule looks at any more are dropped as time goes on. */
#ifndef STI_TWS_PACE_H
#define STI_TWS_PACE_H

#include "tws/msg.h"

/* What the rules compare of a request. */
typedef struct tws_pace_key {
	unsigned long long request;  /* the whole request but its id: identical requests are equal */
	unsigned long long contract; /* contract, exchange and what to show */
	int small;                   /* bars of 30 seconds or less */
	int again;                   /* sent again after a reconnect or TWS's 1101 (its first sending was
	                              * lost with the connection): the identical-request rule does not hold it */
} tws_pace_key;

typedef struct tws_pace {
	struct tws_pace_rec *v;      /* requests sent lately, oldest first */
	int n, cap;
} tws_pace;

/* The keys of a historical request. This function can't fail. */
void tws_pace_key_of(const tws_hist_req *r, tws_pace_key *k);
/* The earliest time (>= now) at which a request with key k may be sent. This function can't fail. */
long long tws_pace_when(tws_pace *p, const tws_pace_key *k, long long now);
/* Record that a request with key k was sent at now (times do not decrease). Returns 0, or -1 when out of
 * memory (the request is then not counted). */
int tws_pace_sent(tws_pace *p, const tws_pace_key *k, long long now);
void tws_pace_free(tws_pace *p);

#endif
