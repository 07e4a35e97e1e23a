#include "tws/pace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tws_pace_rec {
	long long t;
	tws_pace_key k;
};

#define IDENTICAL_MS 15000   /* no identical request within 15 s */
#define CONTRACT_MS 2000     /* fewer than 6 for one contract within 2 s */
#define CONTRACT_MAX 5
#define SMALL_MS 600000      /* at most 60 small-bar requests in 10 minutes */
#define SMALL_MAX 60

static unsigned long long
fnv(unsigned long long h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL; /* a separator: "ab","c" differs from "a","bc" */
}

/* "1 secs" .. "30 secs". */
static int
small_bar(const char *bar)
{
	char *end;
	long n = strtol(bar, &end, 10);

	return end != bar && strncmp(end, " sec", 4) == 0 && n <= 30;
}

void
tws_pace_key_of(const tws_hist_req *r, tws_pace_key *k)
{
	const tws_contract *c = &r->contract;
	char con[16];
	unsigned long long h = 14695981039346656037ULL;

	snprintf(con, sizeof con, "%d", c->con_id);
	h = fnv(fnv(fnv(fnv(fnv(fnv(h, con), c->symbol), c->sec_type), c->exchange), c->primary_exch), c->currency);
	k->contract = fnv(h, r->what);
	h = fnv(fnv(fnv(fnv(k->contract, r->end), r->bar_size), r->duration), r->use_rth ? "rth" : "all");
	k->request = fnv(h, r->keep_up_to_date ? "keep" : "once");
	k->small = small_bar(r->bar_size);
	k->again = 0;
}

/* The time at which the window of ms before it holds max - 1 of the records matching: the (count-max)th
 * matching record (oldest first) leaves it then. */
static long long
leaves(const tws_pace *p, int count, int max, long long ms, int (*match)(const struct tws_pace_rec *,
    const tws_pace_key *), const tws_pace_key *k, long long now)
{
	int seen = 0;

	for (int i = 0; i < p->n; i++) {
		const struct tws_pace_rec *e = &p->v[i];
		if (now - e->t >= ms || !match(e, k))
			continue;
		if (seen++ == count - max)
			return e->t + ms;
	}
	return now;
}

static int same_contract(const struct tws_pace_rec *e, const tws_pace_key *k) { return e->k.contract == k->contract; }
static int both_small(const struct tws_pace_rec *e, const tws_pace_key *k) { return e->k.small && k->small; }

long long
tws_pace_when(tws_pace *p, const tws_pace_key *k, long long now)
{
	long long when = now, t;
	int w = 0, ncon = 0, nsmall = 0;

	for (int i = 0; i < p->n; i++) { /* forget what no rule looks at any more */
		const struct tws_pace_rec *e = &p->v[i];
		if (now - e->t < IDENTICAL_MS || (e->k.small && now - e->t < SMALL_MS))
			p->v[w++] = *e;
	}
	p->n = w;
	for (int i = 0; i < p->n; i++) {
		const struct tws_pace_rec *e = &p->v[i];
		if (!k->again && e->k.request == k->request && e->t + IDENTICAL_MS > when)
			when = e->t + IDENTICAL_MS;
		ncon += same_contract(e, k) && now - e->t < CONTRACT_MS;
		nsmall += both_small(e, k) && now - e->t < SMALL_MS;
	}
	if (ncon >= CONTRACT_MAX && (t = leaves(p, ncon, CONTRACT_MAX, CONTRACT_MS, same_contract, k, now)) > when)
		when = t;
	if (nsmall >= SMALL_MAX && (t = leaves(p, nsmall, SMALL_MAX, SMALL_MS, both_small, k, now)) > when)
		when = t;
	return when;
}

int
tws_pace_sent(tws_pace *p, const tws_pace_key *k, long long now)
{
	if (p->n == p->cap) {
		int cap = p->cap ? p->cap * 2 : 256;
		struct tws_pace_rec *v = realloc(p->v, (size_t)cap * sizeof *v);
		if (v == NULL)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n].t = now;
	p->v[p->n].k = *k;
	p->n++;
	return 0;
}

void
tws_pace_free(tws_pace *p)
{
	free(p->v);
	memset(p, 0, sizeof *p);
}
