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
#include "panel.h"
#include "util.h"

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
	int nsecs;
	size_t cap;
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

enum { C_SYMBOL, C_CLOSE, C_OPEN, C_HIGH, C_LOW, C_VOLUME, C_RET };

/* The bar of the panel's current row into *b. Returns 1, 0 for a gap row (no close: no bar), or -1 with
 * the reader's error set (a malformed or impossible value). */
static int
read_bar(panel *px, sim_bar *b)
{
	csv_reader *r = panel_csv(px);
	int got, c;

	if ((got = csv_double(r, panel_col(px, C_CLOSE), &b->close)) <= 0)
		return got;
	if (opt_double(r, panel_col(px, C_OPEN), &b->open) < 0 || opt_double(r, panel_col(px, C_HIGH), &b->high) < 0 ||
	    opt_double(r, panel_col(px, C_LOW), &b->low) < 0 || opt_double(r, panel_col(px, C_VOLUME), &b->volume) < 0 ||
	    opt_double(r, panel_col(px, C_RET), &b->ret) < 0)
		return -1;
	/* A broker never quotes a price of 0 or below: such a row is bad data, not a bar. */
	if (!(b->close > 0)) {
		csv_fail(r, panel_col(px, C_CLOSE), "%s is not a price (must be above 0)",
		    csv_field(r, panel_col(px, C_CLOSE)));
		return -1;
	}
	if (!(isnan(b->open) || b->open > 0) || !(isnan(b->high) || b->high > 0) || !(isnan(b->low) || b->low > 0)) {
		c = panel_col(px, !(isnan(b->open) || b->open > 0) ? C_OPEN : !(isnan(b->high) || b->high > 0) ? C_HIGH :
		    C_LOW);
		csv_fail(r, c, "%s is not a price (must be above 0)", csv_field(r, c));
		return -1;
	}
	if (!isnan(b->volume) && b->volume < 0) {
		csv_fail(r, panel_col(px, C_VOLUME), "%s is not a volume (must be 0 or above)",
		    csv_field(r, panel_col(px, C_VOLUME)));
		return -1;
	}
	b->date = panel_date(px);
	return 1;
}

/* Add bar b of the panel's current row to its security (made when new) and the symbol index. Returns 0, -1
 * with the reader's error set (an id or symbol too long), or -2 when out of memory. */
static int
add_bar(sim_prices *p, panel *px, const sim_bar *b)
{
	csv_reader *r = panel_csv(px);
	const char *id = panel_id(px);
	struct slot *sl;
	sim_sec *s;
	char sym[32];

	if (panel_idlen(px) >= sizeof s->id) {
		csv_fail(r, panel_cid(px), "'%s' is not a security id (1 to %zu characters)", id, sizeof s->id - 1);
		return -1;
	}
	if (csv_len(r, panel_col(px, C_SYMBOL)) >= sizeof sym) {
		csv_fail(r, panel_col(px, C_SYMBOL), "longer than %zu characters", sizeof sym - 1);
		return -1;
	}
	if ((sl = insert(&p->by_id, id)) == NULL)
		return -2;
	if (sl->val < 0) {
		if (util_grow((void **)&p->secs, &p->cap, (size_t)p->nsecs + 1, sizeof *p->secs) < 0)
			return -2;
		s = &p->secs[p->nsecs];
		memset(s, 0, sizeof *s);
		snprintf(s->id, sizeof s->id, "%s", id);
		s->con_id = conid_of(s->id);
		sl->val = p->nsecs++;
	}
	s = &p->secs[sl->val];
	if (util_grow((void **)&s->bars, &s->cap, (size_t)s->nbars + 1, sizeof *s->bars) < 0)
		return -2;
	s->bars[s->nbars++] = *b;
	upper(sym, csv_field(r, panel_col(px, C_SYMBOL)), sizeof sym);
	if (*sym != '\0') {
		int idx = (int)(s - p->secs);
		if ((sl = insert(&p->by_symbol, sym)) == NULL)
			return -2;
		if (b->date >= sl->date) {
			sl->date = b->date;
			sl->val = idx;
			snprintf(s->symbol, sizeof s->symbol, "%s", csv_field(r, panel_col(px, C_SYMBOL)));
		}
	}
	if (p->nrows == 0)
		p->first = b->date;
	p->last = b->date; /* rows come in date order */
	p->nrows++;
	return 0;
}

/* Read every row of the panel into p, then index the securities by conId. Returns 0 or a sysexits code. */
static int
read_panel(sim_prices *p, panel *px, char *err, size_t errlen)
{
	while (panel_has(px)) {
		sim_bar b;
		int got = read_bar(px, &b);
		if (got > 0)
			got = add_bar(p, px, &b);
		if (got == -2)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		if (got < 0)
			return err_ret(EX_DATAERR, err, errlen, "%s", csv_error(panel_csv(px)));
		if (panel_next(px) < 0)
			return err_ret(EX_DATAERR, err, errlen, "%s", panel_error(px));
	}
	for (int i = 0; i < p->nsecs; i++) {
		char key[16];
		struct slot *sl;
		snprintf(key, sizeof key, "%d", p->secs[i].con_id);
		if ((sl = insert(&p->by_conid, key)) == NULL)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		sl->val = i;
	}
	return 0;
}

int
sim_prices_load(sim_prices **out, const char *path, char *err, size_t errlen)
{
	static const char *const cols[] = { [C_SYMBOL] = "symbol", [C_CLOSE] = "close", [C_OPEN] = "?open",
		[C_HIGH] = "?high", [C_LOW] = "?low", [C_VOLUME] = "?volume", [C_RET] = "?ret" };
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	const char *name = cli_in_name(path);
	sim_prices *p;
	panel *px = NULL;
	int rc;

	*out = NULL;
	if (fp == NULL)
		return err_ret(EX_NOINPUT, err, errlen, "%s: cannot open: %s", path, strerror(errno));
	if ((p = calloc(1, sizeof *p)) == NULL)
		rc = err_ret(EX_OSERR, err, errlen, "out of memory");
	/* The panel reader checks the order: by date, then id, one row per (date, id); so the bars of an id
	 * come in increasing date order. */
	else if ((rc = panel_open(&px, &fp, &name, 1, cols, 7, PANEL_KEYS, err, errlen)) == 0)
		rc = read_panel(p, px, err, errlen);
	panel_close(px);
	if (fp != stdin)
		fclose(fp);
	if (rc != 0)
		sim_prices_free(p);
	else
		*out = p;
	return rc;
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

const char *
sim_sec_primary(const sim_sec *s)
{
	return s->con_id % 3 == 0 ? "NASDAQ" : "NYSE";
}

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
