#include "sim/prices.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "csv.h"
#include "err.h"

/* An open-addressing table from a string key to an int (a security index); keys are copied. */
struct slot {
	char *key;   /* NULL: empty */
	int val;     /* security index */
	int date;    /* for symbols: the latest date seen */
};
struct table {
	struct slot *s;
	size_t cap;  /* a power of two */
	size_t n;
};

struct sim_prices {
	sim_sec *secs;
	int nsecs, cap;
	struct table by_id;
	struct table by_symbol;  /* upper-cased symbols */
	struct table by_conid;   /* decimal conId text */
	int first, last;
	long nrows;
};

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct slot *
lookup(struct table *t, const char *key)
{
	size_t i;

	if (t->cap == 0)
		return NULL;
	for (i = hash(key) & (t->cap - 1); t->s[i].key != NULL; i = (i + 1) & (t->cap - 1))
		if (strcmp(t->s[i].key, key) == 0)
			return &t->s[i];
	return &t->s[i];
}

/* The slot for key, created (with val -1) when absent. NULL when out of memory. */
static struct slot *
insert(struct table *t, const char *key)
{
	struct slot *sl;

	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct slot *ns = calloc(cap, sizeof *ns), *old = t->s;
		size_t oldcap = t->cap;
		if (ns == NULL)
			return NULL;
		t->s = ns;
		t->cap = cap;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].key != NULL)
				*lookup(t, old[i].key) = old[i];
		free(old);
	}
	sl = lookup(t, key);
	if (sl->key == NULL) {
		if ((sl->key = strdup(key)) == NULL)
			return NULL;
		sl->val = -1;
		sl->date = INT32_MIN;
		t->n++;
	}
	return sl;
}

static void
table_free(struct table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->s[i].key);
	free(t->s);
}

static void
upper(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = '\0';
}

static int
conid_of(const char *id)
{
	char *end;
	long v = strtol(id, &end, 10);

	if (*id != '\0' && *end == '\0' && v > 0 && v < 2147483647L)
		return (int)v;
	return (int)(hash(id) % 2000000000ULL) + 100000000;
}

void
sim_prices_free(sim_prices *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->nsecs; i++)
		free(p->secs[i].bars);
	free(p->secs);
	table_free(&p->by_id);
	table_free(&p->by_symbol);
	table_free(&p->by_conid);
	free(p);
}

static int
opt_double(csv_reader *r, int col, double *out)
{
	int got;

	*out = NAN;
	if (col < 0)
		return 0;
	got = csv_double(r, col, out);
	if (got == 0)
		*out = NAN;
	return got < 0 ? -1 : 0;
}

sim_prices *
sim_prices_load(const char *path, char *err, size_t errlen)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	sim_prices *p = calloc(1, sizeof *p);
	csv_reader *r = NULL;
	int cd, ci, cs, co, ch, cl, cc, cv, crt, got;

	if (fp == NULL) {
		err_fmt(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		free(p);
		return NULL;
	}
	if (p == NULL || (r = csv_open(fp, cli_in_name(path))) == NULL)
		goto oom;
	if (csv_read_header(r) < 0 || (cd = csv_require(r, "date")) < 0 || (ci = csv_require(r, "id")) < 0 ||
	    (cs = csv_require(r, "symbol")) < 0 || (cc = csv_require(r, "close")) < 0)
		goto bad;
	co = csv_col(r, "open");
	ch = csv_col(r, "high");
	cl = csv_col(r, "low");
	cv = csv_col(r, "volume");
	crt = csv_col(r, "ret");
	while ((got = csv_next(r)) == 1) {
		sim_bar b;
		struct slot *sl;
		sim_sec *s;
		char sym[32];
		int date;

		if (csv_date_required(r, cd, &date) < 0)
			goto bad;
		if ((got = csv_double(r, cc, &b.close)) < 0)
			goto bad;
		if (got == 0)
			continue; /* a gap row: no bar */
		if (opt_double(r, co, &b.open) < 0 || opt_double(r, ch, &b.high) < 0 ||
		    opt_double(r, cl, &b.low) < 0 || opt_double(r, cv, &b.volume) < 0 || opt_double(r, crt, &b.ret) < 0)
			goto bad;
		/* A broker never quotes a price of 0 or below: such a row is bad data, not a bar. */
		if (!(b.close > 0)) {
			csv_fail(r, cc, "%s is not a price (must be above 0)", csv_field(r, cc));
			goto bad;
		}
		if (!(isnan(b.open) || b.open > 0) || !(isnan(b.high) || b.high > 0) || !(isnan(b.low) || b.low > 0)) {
			int c = !(isnan(b.open) || b.open > 0) ? co : !(isnan(b.high) || b.high > 0) ? ch : cl;
			csv_fail(r, c, "%s is not a price (must be above 0)", csv_field(r, c));
			goto bad;
		}
		if (!isnan(b.volume) && b.volume < 0) {
			csv_fail(r, cv, "%s is not a volume (must be 0 or above)", csv_field(r, cv));
			goto bad;
		}
		b.date = date;
		if (csv_len(r, ci) == 0 || csv_len(r, ci) >= sizeof s->id) {
			csv_fail(r, ci, "'%s' is not a security id (1 to %zu characters)", csv_field(r, ci), sizeof s->id - 1);
			goto bad;
		}
		if (csv_len(r, cs) >= sizeof sym) {
			csv_fail(r, cs, "longer than %zu characters", sizeof sym - 1);
			goto bad;
		}
		if ((sl = insert(&p->by_id, csv_field(r, ci))) == NULL)
			goto oom;
		if (sl->val < 0) {
			if (p->nsecs == p->cap) {
				int cap = p->cap ? p->cap * 2 : 256;
				sim_sec *ns = realloc(p->secs, (size_t)cap * sizeof *ns);
				if (ns == NULL)
					goto oom;
				p->secs = ns;
				p->cap = cap;
			}
			s = &p->secs[p->nsecs];
			memset(s, 0, sizeof *s);
			snprintf(s->id, sizeof s->id, "%s", csv_field(r, ci));
			s->con_id = conid_of(s->id);
			sl->val = p->nsecs++;
		}
		s = &p->secs[sl->val];
		if (s->nbars > 0 && s->bars[s->nbars - 1].date >= date) {
			csv_fail(r, cd, "%s: dates of id %s are not increasing", csv_field(r, cd), s->id);
			goto bad;
		}
		if (s->nbars == s->cap) {
			int cap = s->cap ? s->cap * 2 : 64;
			sim_bar *nb = realloc(s->bars, (size_t)cap * sizeof *nb);
			if (nb == NULL)
				goto oom;
			s->bars = nb;
			s->cap = cap;
		}
		s->bars[s->nbars++] = b;
		upper(sym, csv_field(r, cs), sizeof sym);
		if (*sym != '\0') {
			int idx = (int)(s - p->secs);
			if ((sl = insert(&p->by_symbol, sym)) == NULL)
				goto oom;
			if (date >= sl->date) {
				sl->date = date;
				sl->val = idx;
				snprintf(s->symbol, sizeof s->symbol, "%s", csv_field(r, cs));
			}
		}
		if (p->nrows == 0 || date < p->first)
			p->first = date;
		if (p->nrows == 0 || date > p->last)
			p->last = date;
		p->nrows++;
	}
	if (got < 0)
		goto bad;
	for (int i = 0; i < p->nsecs; i++) {
		char key[16];
		struct slot *sl;
		snprintf(key, sizeof key, "%d", p->secs[i].con_id);
		if ((sl = insert(&p->by_conid, key)) == NULL)
			goto oom;
		sl->val = i;
	}
	csv_close(r);
	if (fp != stdin)
		fclose(fp);
	return p;
bad:
	err_fmt(err, errlen, "%s", csv_error(r));
	goto out;
oom:
	err_fmt(err, errlen, "out of memory");
out:
	csv_close(r);
	if (fp != stdin)
		fclose(fp);
	sim_prices_free(p);
	return NULL;
}

sim_sec *
sim_prices_symbol(sim_prices *p, const char *symbol)
{
	char sym[32];
	struct slot *sl;

	upper(sym, symbol, sizeof sym);
	sl = lookup(&p->by_symbol, sym);
	if (sl == NULL || sl->key == NULL)
		return NULL;
	return &p->secs[sl->val];
}

sim_sec *
sim_prices_conid(sim_prices *p, int con_id)
{
	char key[16];
	struct slot *sl;

	snprintf(key, sizeof key, "%d", con_id);
	sl = lookup(&p->by_conid, key);
	if (sl == NULL || sl->key == NULL)
		return NULL;
	return &p->secs[sl->val];
}

int sim_prices_first(const sim_prices *p) { return p->first; }
int sim_prices_last(const sim_prices *p) { return p->last; }
int sim_prices_nsecs(const sim_prices *p) { return p->nsecs; }
long sim_prices_nrows(const sim_prices *p) { return p->nrows; }

int
sim_sec_le(const sim_sec *s, int day)
{
	int lo = 0, hi = s->nbars - 1, ans = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (s->bars[mid].date <= day) {
			ans = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return ans;
}

const sim_bar *
sim_sec_on(const sim_sec *s, int day)
{
	int i = sim_sec_le(s, day);

	return i >= 0 && s->bars[i].date == day ? &s->bars[i] : NULL;
}

void
sim_sec_adjusted(const sim_sec *s, int from, int to, sim_bar *out)
{
	double f = 1.0; /* adjusted / raw close of bar i */

	for (int i = to; i >= from; i--) {
		const sim_bar *b = &s->bars[i];
		sim_bar *o = &out[i - from];
		*o = *b;
		o->open = b->open * f;
		o->high = b->high * f;
		o->low = b->low * f;
		o->close = b->close * f;
		if (i > 0) {
			/* adj(i-1) = adj(i) / (1 + ret(i)); f(i-1) = adj(i-1) / close(i-1). */
			const sim_bar *pb = &s->bars[i - 1];
			double r = b->ret;
			if (isnan(r) || r <= -1.0)
				r = b->close / pb->close - 1.0;
			f = (b->close * f) / (1.0 + r) / pb->close;
			if (!isfinite(f) || f <= 0)
				f = 1.0;
		}
	}
}
