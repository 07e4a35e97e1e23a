/* portfolio: the book (targets, positions, working orders, prices by id and symbol); its inputs are read
 * in portfolio_read.c, sized in portfolio_plan.c, checked in portfolio_check.c and written in
 * portfolio_out.c. */
#include "portfolio.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "csv.h"
#include "date.h"
#include "err.h"
#include "ndjson.h"
#include "num.h"
#include "panel.h"
#include "portfolio_impl.h"

/* ---- a small string -> index map (open addressing), for ids and symbols ---- */

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

size_t
pf_map_get(const struct pf_map *m, const char *key)
{
	size_t i;

	if (m->cap == 0 || *key == '\0')
		return SIZE_MAX;
	for (i = hash(key) & (m->cap - 1); m->key[i] != NULL; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->key[i], key) == 0)
			return m->val[i];
	return SIZE_MAX;
}

int
pf_map_put(struct pf_map *m, const char *key, size_t val)
{
	struct pf_map bigger;
	size_t i;

	if (*key == '\0')
		return 0;
	if ((m->n + 1) * 2 > m->cap) {
		bigger.cap = m->cap ? m->cap * 2 : 64;
		bigger.n = 0;
		bigger.key = calloc(bigger.cap, sizeof *bigger.key);
		bigger.val = calloc(bigger.cap, sizeof *bigger.val);
		if (bigger.key == NULL || bigger.val == NULL) {
			free(bigger.key);
			free(bigger.val);
			return -1;
		}
		for (i = 0; i < m->cap; i++)
			if (m->key[i] != NULL)
				pf_map_put(&bigger, m->key[i], m->val[i]);
		free(m->key);
		free(m->val);
		*m = bigger;
	}
	for (i = hash(key) & (m->cap - 1); m->key[i] != NULL; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->key[i], key) == 0)
			break;
	if (m->key[i] == NULL)
		m->n++;
	m->key[i] = key;
	m->val[i] = val;
	return 0;
}

void
pf_map_free(struct pf_map *m)
{
	free(m->key);
	free(m->val);
}

/* ---- the book ---- */

void
pf_params_init(struct pf_params *p)
{
	memset(p, 0, sizeof *p);
	p->funds = NAN;
	p->buffer = 0.02;
	p->max_weight = 0.25;
	p->gross = 1;
	p->gross_tol = 1e-6;
	p->max_gross = 1;
	p->max_price_move = 0.1;
	p->stale_before = INT_MIN;
	p->nav = NAN;
	p->commit_tol = 0.02;
	p->margin = 0;
	p->max_shares = 1e6;
	p->max_ret_gap = 0.05;
	p->decided = INT_MIN;
}

pf_book *
pf_new(void)
{
	return calloc(1, sizeof(pf_book));
}

void
pf_free(pf_book *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->v[i].id);
		free(b->v[i].symbol);
		free(b->v[i].alt_id);
		free(b->v[i].alt_symbol);
	}
	for (i = 0; i < b->nwork; i++) {
		free((char *)b->work[i].w.client_id);
		free((char *)b->work[i].w.id);
		free((char *)b->work[i].w.symbol);
		free((char *)b->work[i].w.status);
	}
	free(b->work);
	for (i = 0; i < b->placed.cap; i++)
		free((char *)b->placed.key[i]);
	pf_map_free(&b->placed);
	free(b->v);
	free(b->order);
	pf_map_free(&b->by_id);
	pf_map_free(&b->by_symbol);
	free(b);
}

size_t
pf_count(const pf_book *b)
{
	return b->n;
}

const struct pf_name *
pf_name(const pf_book *b, size_t i)
{
	return i < b->n ? &b->v[i] : NULL;
}

const struct pf_totals *
pf_totals(const pf_book *b)
{
	return &b->tot;
}

/* Append a name; returns its index or SIZE_MAX when out of memory. */
static size_t
add_name(pf_book *b, const char *id, const char *symbol)
{
	struct pf_name *nv, *x;

	if (b->n == b->cap) {
		nv = realloc(b->v, sizeof *nv * (b->cap ? b->cap * 2 : 32));
		if (nv == NULL)
			return SIZE_MAX;
		b->v = nv;
		b->cap = b->cap ? b->cap * 2 : 32;
	}
	x = &b->v[b->n];
	memset(x, 0, sizeof *x);
	x->id = strdup(id);
	x->symbol = strdup(symbol);
	if (x->id == NULL || x->symbol == NULL) {
		free(x->id);
		free(x->symbol);
		return SIZE_MAX;
	}
	return b->n++;
}

/* The maps borrow the names' strings, whose addresses survive a realloc of the array. */
static int
index_name(pf_book *b, size_t i, char *err, size_t errlen)
{
	if (pf_map_put(&b->by_id, b->v[i].id, i) != 0 || pf_map_put(&b->by_symbol, b->v[i].symbol, i) != 0)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	return 0;
}

int
pf_add_target(pf_book *b, const char *id, const char *symbol, double weight, char *err, size_t errlen)
{
	size_t i = pf_map_get(&b->by_id, id);
	char *s;

	if (*id == '\0')
		return err_ret(EX_DATAERR, err, errlen, "id: missing");
	if (i == SIZE_MAX)
		i = pf_map_get(&b->by_symbol, symbol);
	if (i != SIZE_MAX && b->v[i].targeted)
		return err_ret(EX_DATAERR, err, errlen, "id: '%s' has a second target weight (symbol %s)", id,
		    symbol);
	if (i == SIZE_MAX) {
		if ((i = add_name(b, id, symbol)) == SIZE_MAX)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
	} else if (strcmp(b->v[i].id, id) != 0) {
		/* held under the broker's id: the data's id names it from now on, the broker's symbol stays;
		 * the maps still point at the old string, so it is kept, not freed */
		if ((s = strdup(id)) == NULL)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		b->v[i].alt_id = b->v[i].id;
		b->v[i].id = s;
	}
	b->v[i].targeted = 1;
	b->v[i].weight = weight;
	return index_name(b, i, err, errlen);
}

int
pf_add_position(pf_book *b, const char *id, const char *symbol, long long qty, char *err,
    size_t errlen)
{
	size_t i = pf_map_get(&b->by_id, id);
	char *s;

	if (*symbol == '\0')
		return err_ret(EX_DATAERR, err, errlen, "symbol: missing");
	if (qty > QTY_MAX || qty < -QTY_MAX)
		return err_ret(EX_DATAERR, err, errlen, "qty: %lld shares is out of range", qty);
	if (i == SIZE_MAX)
		i = pf_map_get(&b->by_symbol, symbol);
	if (i != SIZE_MAX && b->v[i].in_account)
		return err_ret(EX_DATAERR, err, errlen, "symbol: '%s' is held twice", symbol);
	if (i == SIZE_MAX) {
		if ((i = add_name(b, *id ? id : symbol, symbol)) == SIZE_MAX)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
	} else if (strcmp(b->v[i].symbol, symbol) != 0) {
		/* the broker's symbol is the one orders must use; the weights' stays mapped (for prices) */
		if ((s = strdup(symbol)) == NULL)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		b->v[i].alt_symbol = b->v[i].symbol;
		b->v[i].symbol = s;
	}
	b->v[i].in_account = 1;
	b->v[i].held = qty;
	return index_name(b, i, err, errlen);
}

/* 1 while an order may still fill: not Filled or cancelled, and not Inactive once transmitted (rejected);
 * a staged order (Inactive, never transmitted) waits for a click in TWS, so it is working. An unknown
 * status counts as working: it errs on the side of more exposure. */
static int
is_working(const char *status, int transmit)
{
	if (strcmp(status, "Filled") == 0 || strcmp(status, "Cancelled") == 0 || strcmp(status, "ApiCancelled") == 0)
		return 0;
	return !(strcmp(status, "Inactive") == 0 && transmit == 1);
}

int
pf_add_working(pf_book *b, const struct pf_working *w, char *err, size_t errlen)
{
	const char *id = w->id ? w->id : "", *symbol = w->symbol ? w->symbol : "";
	struct pf_work *nw, *x;
	size_t i = SIZE_MAX;

	if (w->side != 1 && w->side != -1)
		return err_ret(EX_DATAERR, err, errlen, "side: not BUY or SELL");
	if (*symbol == '\0')
		return err_ret(EX_DATAERR, err, errlen, "symbol: missing");
	if (w->qty < 0 || w->qty > QTY_MAX || w->filled < 0 || w->remaining < 0 || w->filled > w->qty ||
	    w->remaining > w->qty - w->filled)
		return err_ret(EX_DATAERR, err, errlen, "qty: %lld shares with %lld filled and %lld remaining is not "
		    "an order", w->qty, w->filled, w->remaining);
	if (!is_working(w->status ? w->status : "", w->transmit) || w->remaining == 0)
		return 0;
	if (*id)
		i = pf_map_get(&b->by_id, id);
	if (i == SIZE_MAX)
		i = pf_map_get(&b->by_symbol, symbol);
	if (i == SIZE_MAX && ((i = add_name(b, *id ? id : symbol, symbol)) == SIZE_MAX ||
	    index_name(b, i, err, errlen) != 0))
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	if ((double)b->v[i].work_all + (double)w->remaining > QTY_MAX)
		return err_ret(EX_DATAERR, err, errlen, "remaining: %s has more than 1e15 shares in working orders",
		    symbol);
	if (b->nwork == b->capwork) {
		if ((nw = realloc(b->work, sizeof *nw * (b->capwork ? b->capwork * 2 : 16))) == NULL)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		b->work = nw;
		b->capwork = b->capwork ? b->capwork * 2 : 16;
	}
	x = &b->work[b->nwork];
	x->w = *w;
	x->w.client_id = strdup(w->client_id ? w->client_id : "");
	x->w.id = strdup(id);
	x->w.symbol = strdup(symbol);
	x->w.status = strdup(w->status ? w->status : "");
	x->name = i;
	x->kind = PF_WORK_OTHER;
	if (x->w.client_id == NULL || x->w.id == NULL || x->w.symbol == NULL || x->w.status == NULL) {
		free((char *)x->w.client_id);
		free((char *)x->w.id);
		free((char *)x->w.symbol);
		free((char *)x->w.status);
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	}
	b->v[i].work_all += w->remaining;
	b->nwork++;
	return 0;
}

int
pf_add_placed(pf_book *b, const char *client_id, char *err, size_t errlen)
{
	char *k;

	if (*client_id == '\0' || pf_map_get(&b->placed, client_id) != SIZE_MAX)
		return 0;
	if ((k = strdup(client_id)) == NULL || pf_map_put(&b->placed, k, 0) != 0) {
		free(k);
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	}
	return 0;
}

const struct pf_working *
pf_working(const pf_book *b, size_t i, enum pf_work_kind *kind)
{
	if (i >= b->nwork)
		return NULL;
	if (kind != NULL)
		*kind = b->work[i].kind;
	return &b->work[i].w;
}

static void
offer(struct pf_quote *q, int date, double px, double ret)
{
	if (!q->have || date >= q->date) {
		if (q->have && date > q->date)
			q->prev = q->px;
		else if (!q->have)
			q->prev = 0;
		q->have = 1;
		q->date = date;
		q->px = px;
		q->ret = ret;
	}
}

void
pf_add_price(pf_book *b, const char *id, const char *symbol, int date, double close, double ret, int before,
    int ref)
{
	size_t i, j;

	if (date >= before)
		return;
	i = pf_map_get(&b->by_id, id);
	if (i != SIZE_MAX)
		offer(ref ? &b->v[i].ref_id : &b->v[i].close_id, date, close, ret);
	j = pf_map_get(&b->by_symbol, symbol);
	if (j != SIZE_MAX)
		offer(ref ? &b->v[j].ref_sym : &b->v[j].close_sym, date, close, ret);
}
