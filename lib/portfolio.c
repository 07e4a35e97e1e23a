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

/* ---- a small string -> index map (open addressing), for ids and symbols ---- */

struct pf_map {
	const char **key; /* borrowed from the names */
	size_t *val;      /* index into the names */
	size_t cap, n;    /* cap is a power of two (or 0) */
};

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Index stored for key, or SIZE_MAX. */
static size_t
map_get(const struct pf_map *m, const char *key)
{
	size_t i;

	if (m->cap == 0 || *key == '\0')
		return SIZE_MAX;
	for (i = hash(key) & (m->cap - 1); m->key[i] != NULL; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->key[i], key) == 0)
			return m->val[i];
	return SIZE_MAX;
}

/* Store key -> val (replacing). Returns 0 or -1 when out of memory. */
static int
map_put(struct pf_map *m, const char *key, size_t val)
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
				map_put(&bigger, m->key[i], m->val[i]);
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

static void
map_free(struct pf_map *m)
{
	free(m->key);
	free(m->val);
}

/* ---- the book ---- */

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
	char err[512];
};

static int
fail(pf_book *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b->err, sizeof b->err, fmt, ap);
	va_end(ap);
	return -1;
}

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
	map_free(&b->placed);
	free(b->v);
	free(b->order);
	map_free(&b->by_id);
	map_free(&b->by_symbol);
	free(b);
}

const char *
pf_error(const pf_book *b)
{
	return b->err;
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
index_name(pf_book *b, size_t i)
{
	if (map_put(&b->by_id, b->v[i].id, i) != 0 || map_put(&b->by_symbol, b->v[i].symbol, i) != 0)
		return fail(b, "out of memory");
	return 0;
}

int
pf_add_target(pf_book *b, const char *id, const char *symbol, double weight)
{
	size_t i = map_get(&b->by_id, id);
	char *s;

	if (*id == '\0')
		return fail(b, "id: missing");
	if (i == SIZE_MAX)
		i = map_get(&b->by_symbol, symbol);
	if (i != SIZE_MAX && b->v[i].targeted)
		return fail(b, "id: '%s' has a second target weight (symbol %s)", id, symbol);
	if (i == SIZE_MAX) {
		if ((i = add_name(b, id, symbol)) == SIZE_MAX)
			return fail(b, "out of memory");
	} else if (strcmp(b->v[i].id, id) != 0) {
		/* held under the broker's id: the data's id names it from now on, the broker's symbol stays;
		 * the maps still point at the old string, so it is kept, not freed */
		if ((s = strdup(id)) == NULL)
			return fail(b, "out of memory");
		b->v[i].alt_id = b->v[i].id;
		b->v[i].id = s;
	}
	b->v[i].targeted = 1;
	b->v[i].weight = weight;
	return index_name(b, i);
}

int
pf_add_position(pf_book *b, const char *id, const char *symbol, long long qty)
{
	size_t i = map_get(&b->by_id, id);
	char *s;

	if (*symbol == '\0')
		return fail(b, "symbol: missing");
	if (qty > QTY_MAX || qty < -QTY_MAX)
		return fail(b, "qty: %lld shares is out of range", qty);
	if (i == SIZE_MAX)
		i = map_get(&b->by_symbol, symbol);
	if (i != SIZE_MAX && b->v[i].in_account)
		return fail(b, "symbol: '%s' is held twice", symbol);
	if (i == SIZE_MAX) {
		if ((i = add_name(b, *id ? id : symbol, symbol)) == SIZE_MAX)
			return fail(b, "out of memory");
	} else if (strcmp(b->v[i].symbol, symbol) != 0) {
		/* the broker's symbol is the one orders must use; the weights' stays mapped (for prices) */
		if ((s = strdup(symbol)) == NULL)
			return fail(b, "out of memory");
		b->v[i].alt_symbol = b->v[i].symbol;
		b->v[i].symbol = s;
	}
	b->v[i].in_account = 1;
	b->v[i].held = qty;
	return index_name(b, i);
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
pf_add_working(pf_book *b, const struct pf_working *w)
{
	const char *id = w->id ? w->id : "", *symbol = w->symbol ? w->symbol : "";
	struct pf_work *nw, *x;
	size_t i = SIZE_MAX;

	if (w->side != 1 && w->side != -1)
		return fail(b, "side: not BUY or SELL");
	if (*symbol == '\0')
		return fail(b, "symbol: missing");
	if (w->qty < 0 || w->qty > QTY_MAX || w->filled < 0 || w->remaining < 0 || w->filled > w->qty ||
	    w->remaining > w->qty - w->filled)
		return fail(b, "qty: %lld shares with %lld filled and %lld remaining is not an order", w->qty,
		    w->filled, w->remaining);
	if (!is_working(w->status ? w->status : "", w->transmit) || w->remaining == 0)
		return 0;
	if (*id)
		i = map_get(&b->by_id, id);
	if (i == SIZE_MAX)
		i = map_get(&b->by_symbol, symbol);
	if (i == SIZE_MAX && ((i = add_name(b, *id ? id : symbol, symbol)) == SIZE_MAX || index_name(b, i) != 0))
		return fail(b, "out of memory");
	if ((double)b->v[i].work_all + (double)w->remaining > QTY_MAX)
		return fail(b, "remaining: %s has more than 1e15 shares in working orders", symbol);
	if (b->nwork == b->capwork) {
		if ((nw = realloc(b->work, sizeof *nw * (b->capwork ? b->capwork * 2 : 16))) == NULL)
			return fail(b, "out of memory");
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
		return fail(b, "out of memory");
	}
	b->v[i].work_all += w->remaining;
	b->nwork++;
	return 0;
}

int
pf_add_placed(pf_book *b, const char *client_id)
{
	char *k;

	if (*client_id == '\0' || map_get(&b->placed, client_id) != SIZE_MAX)
		return 0;
	if ((k = strdup(client_id)) == NULL || map_put(&b->placed, k, 0) != 0) {
		free(k);
		return fail(b, "out of memory");
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
	i = map_get(&b->by_id, id);
	if (i != SIZE_MAX)
		offer(ref ? &b->v[i].ref_id : &b->v[i].close_id, date, close, ret);
	j = map_get(&b->by_symbol, symbol);
	if (j != SIZE_MAX)
		offer(ref ? &b->v[j].ref_sym : &b->v[j].close_sym, date, close, ret);
}

/* ---- reading ---- */

/* Copy csv_error into the book's message. */
static int
csv_failed(pf_book *b, csv_reader *r)
{
	return fail(b, "%s", csv_error(r));
}

int
pf_read_weights(pf_book *b, FILE *fp, const char *name, int asof, int *date)
{
	struct row { char *id, *symbol; double w; long line; } *rows = NULL, *nr;
	size_t n = 0, cap = 0, k;
	int best = INT_MIN, cd, cid, csym, cw, d, rc = -1, got;
	double w;
	csv_reader *r = csv_open(fp, name);

	if (r == NULL)
		return fail(b, "out of memory");
	if (csv_read_header(r) != 0 || (cd = csv_require(r, "date")) < 0 || (cid = csv_require(r, "id")) < 0 ||
	    (csym = csv_require(r, "symbol")) < 0 || (cw = csv_require(r, "weight")) < 0) {
		csv_failed(b, r);
		goto out;
	}
	while ((got = csv_next(r)) == 1) {
		if (csv_date_required(r, cd, &d) < 0) {
			csv_failed(b, r);
			goto out;
		}
		if (d > asof || d < best)
			continue;
		if (d > best) { /* a later date: forget the earlier one */
			for (k = 0; k < n; k++) {
				free(rows[k].id);
				free(rows[k].symbol);
			}
			n = 0;
			best = d;
		}
		if (csv_double_required(r, cw, &w) < 0 || (!isfinite(w) && csv_fail(r, cw, "not a finite number")) ||
		    csv_need(r, cid) < 0) {
			csv_failed(b, r);
			goto out;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nr = realloc(rows, sizeof *rows * cap)) == NULL) {
				fail(b, "out of memory");
				goto out;
			}
			rows = nr;
		}
		rows[n].id = strdup(csv_field(r, cid));
		rows[n].symbol = strdup(csv_field(r, csym));
		rows[n].w = w;
		rows[n].line = csv_line(r);
		if (rows[n++].id == NULL || rows[n - 1].symbol == NULL) {
			fail(b, "out of memory");
			goto out;
		}
	}
	if (got < 0) {
		csv_failed(b, r);
		goto out;
	}
	if (best == INT_MIN) {
		char day[DATE_LEN + 1];

		if (asof == INT_MAX)
			fail(b, "%s: no weights", csv_name(r));
		else
			fail(b, "%s: no weights dated on or before %s", csv_name(r), date_fmt(asof, day));
		goto out;
	}
	for (k = 0; k < n; k++)
		if (pf_add_target(b, rows[k].id, rows[k].symbol, rows[k].w) != 0) {
			char msg[sizeof b->err];

			snprintf(msg, sizeof msg, "%s", b->err);
			fail(b, "%s:%ld: %s", csv_name(r), rows[k].line, msg);
			goto out;
		}
	*date = best;
	rc = 0;
out:
	for (k = 0; k < n; k++) {
		free(rows[k].id);
		free(rows[k].symbol);
	}
	free(rows);
	csv_close(r);
	return rc;
}

/* A whole number of shares in [0, QTY_MAX] from field key of rec, or fallback when absent (a fallback of -1
 * makes the field required). Returns 0, or -1 with the book's error set. */
static int
whole(pf_book *b, const json_t *rec, const char *key, double fallback, long long *out, const char *name,
    long line)
{
	json_t *v = json_object_get(rec, key);
	double q;

	if (v == NULL || json_is_null(v)) {
		if (fallback < 0)
			return fail(b, "%s:%ld: %s: missing", name, line, key);
		*out = (long long)fallback;
		return 0;
	}
	q = json_is_number(v) ? json_number_value(v) : NAN;
	if (!isfinite(q) || q != floor(q) || q < 0 || q > QTY_MAX)
		return fail(b, "%s:%ld: %s: not a whole number of shares", name, line, key);
	*out = (long long)q;
	return 0;
}

/* An "open_order" record: client_id, order_id, perm_id, id, symbol, side, qty, filled, remaining, status,
 * transmit (sti-formats(5)). remaining defaults to qty - filled, filled to 0, transmit to unknown. */
static int
read_open_order(pf_book *b, const json_t *rec, const char *name, long line, struct pf_account *acct)
{
	struct pf_working w;
	const char *side = nd_str(rec, "side", "");
	json_t *t = json_object_get(rec, "transmit");
	char msg[sizeof b->err];

	memset(&w, 0, sizeof w);
	w.client_id = nd_str(rec, "client_id", "");
	w.order_id = nd_int(rec, "order_id", -1);
	w.perm_id = nd_int(rec, "perm_id", -1);
	w.id = nd_str(rec, "id", "");
	w.symbol = nd_str(rec, "symbol", "");
	w.status = nd_str(rec, "status", "");
	if (strcmp(side, "BUY") == 0)
		w.side = 1;
	else if (strcmp(side, "SELL") == 0)
		w.side = -1;
	else
		return fail(b, "%s:%ld: side: '%s' is not BUY or SELL", name, line, side);
	if (t != NULL && !json_is_null(t) && !json_is_boolean(t))
		return fail(b, "%s:%ld: transmit: not true or false", name, line);
	w.transmit = t == NULL || json_is_null(t) ? -1 : json_is_true(t);
	if (whole(b, rec, "qty", -1, &w.qty, name, line) != 0 || whole(b, rec, "filled", 0, &w.filled, name, line) != 0)
		return -1;
	if (whole(b, rec, "remaining", (double)(w.filled <= w.qty ? w.qty - w.filled : 0), &w.remaining, name,
	    line) != 0)
		return -1;
	if (pf_add_working(b, &w) != 0) {
		snprintf(msg, sizeof msg, "%s", b->err);
		return fail(b, "%s:%ld: %s", name, line, msg);
	}
	acct->working = b->nwork;
	return 0;
}

int
pf_read_account(pf_book *b, FILE *fp, const char *name, struct pf_account *acct)
{
	nd_reader *r = nd_open(fp, name);
	json_t *rec;
	const char *type, *acc;
	double q;
	int got, rc = -1;
	long acct_line = 0;

	memset(acct, 0, sizeof *acct);
	if (r == NULL)
		return fail(b, "out of memory");
	while ((got = nd_next(r, &rec)) == 1) {
		type = nd_str(rec, "type", "");
		acc = nd_str(rec, "account", "");
		if ((strcmp(type, "account") == 0 || strcmp(type, "position") == 0 ||
		    strcmp(type, "open_order") == 0) && *acc) {
			if (acct->account[0] && strcmp(acct->account, acc) != 0) {
				fail(b, "%s:%ld: account: records of a second account '%s' (first: '%s')", name,
				    nd_line(r), acc, acct->account);
				json_decref(rec);
				goto out;
			}
			snprintf(acct->account, sizeof acct->account, "%s", acc);
		}
		if (strcmp(type, "account") == 0) {
			if (acct->have) {
				fail(b, "%s:%ld: type: a second account record (the first is on line %ld)", name,
				    nd_line(r), acct_line);
				json_decref(rec);
				goto out;
			}
			acct_line = nd_line(r);
			acct->have = 1;
			acct->net_liquidation = nd_num(rec, "net_liquidation", NAN);
			acct->total_cash = nd_num(rec, "total_cash", NAN);
			acct->available_funds = nd_num(rec, "available_funds", NAN);
		} else if (strcmp(type, "position") == 0) {
			q = nd_num(rec, "qty", NAN);
			if (!isfinite(q) || q != floor(q) || fabs(q) > 1e15) {
				fail(b, "%s:%ld: qty: not a whole number of shares", name, nd_line(r));
				json_decref(rec);
				goto out;
			}
			if (q != 0 && pf_add_position(b, nd_str(rec, "id", ""), nd_str(rec, "symbol", ""),
			    (long long)q) != 0) {
				char msg[sizeof b->err];

				snprintf(msg, sizeof msg, "%s", b->err);
				fail(b, "%s:%ld: %s", name, nd_line(r), msg);
				json_decref(rec);
				goto out;
			}
			acct->positions += q != 0;
		} else if (strcmp(type, "open_order") == 0) {
			if (read_open_order(b, rec, name, nd_line(r), acct) != 0) {
				json_decref(rec);
				goto out;
			}
		}
		if ((strcmp(type, "open_order") == 0 || strcmp(type, "completed_order") == 0 ||
		    strcmp(type, "fill") == 0) && pf_add_placed(b, nd_str(rec, "client_id", "")) != 0) {
			json_decref(rec);
			goto out;
		}
		json_decref(rec);
	}
	if (got < 0) {
		fail(b, "%s", nd_error(r));
		goto out;
	}
	rc = 0;
out:
	nd_close(r);
	return rc;
}

int
pf_read_prices(pf_book *b, FILE *fp, const char *name, int before, int ref)
{
	static const char *const cols[] = { "symbol", "close", "?ret" };
	enum { C_SYMBOL, C_CLOSE, C_RET };
	char err[600];
	panel *p;
	int got, rc = -1;
	double px, ret;

	/* date-major, one row per (date, id) (sti-formats(5)): lib/panel refuses a second row, which would
	 * silently win, and rows out of order */
	if (panel_open(&p, &fp, &name, 1, cols, 3, PANEL_KEYS, err, sizeof err) != 0)
		return fail(b, "%s", err);
	while (panel_has(p)) {
		csv_reader *r = panel_csv(p);
		int d = panel_date(p), cc = panel_col(p, C_CLOSE), cr = panel_col(p, C_RET);

		if (d >= before)
			goto next;
		if ((got = csv_double(r, cc, &px)) < 0) {
			csv_failed(b, r);
			goto out;
		}
		if (got == 0) /* a missing close is no price, not a zero one */
			goto next;
		if (!(px > 0) || !isfinite(px)) {
			csv_fail(r, cc, "%g is not a positive price", px);
			csv_failed(b, r);
			goto out;
		}
		ret = NAN;
		if (cr >= 0 && (got = csv_double(r, cr, &ret)) < 0) {
			csv_failed(b, r);
			goto out;
		}
		if (cr >= 0 && got == 0)
			ret = NAN;
		else if (cr >= 0 && !(isfinite(ret) && ret >= -1)) {
			csv_fail(r, cr, "%g is not a return (finite, -1 or above)", ret);
			csv_failed(b, r);
			goto out;
		}
		pf_add_price(b, panel_id(p), csv_field(r, panel_col(p, C_SYMBOL)), d, px, ret, before, ref);
next:
		if (panel_next(p) < 0) {
			fail(b, "%s", panel_error(p));
			goto out;
		}
	}
	rc = 0;
out:
	panel_close(p);
	return rc;
}

/* ---- planning ---- */

/* The price by id when the id had one, else by symbol; with the close before it and the last return. */
static void
choose(const struct pf_quote *by_id, const struct pf_quote *by_sym, double *px, int *date, double *prev,
    double *ret)
{
	const struct pf_quote *q = by_id->have ? by_id : by_sym;

	*px = q->have ? q->px : 0;
	*date = q->have ? q->date : INT_MIN;
	if (prev != NULL) {
		*prev = q->have ? q->prev : 0;
		*ret = q->have ? q->ret : NAN;
	}
}

/* A close, or the reference price sized with, older than the last trading day before the trade date. */
static int
stale(const struct pf_name *x, const struct pf_params *p)
{
	return (x->close > 0 && x->close_date < p->stale_before) || (p->use_ref && x->ref_date < p->stale_before);
}

static double
notional(const struct pf_name *x)
{
	return fabs((double)x->qty) * x->price;
}

/* 1 when |r x k - 1| <= tol for a split ratio k: n-for-1 (k = n) or 1-for-n (k = 1/n); *n gets n, negative
 * for a reverse split. */
static int
split_ratio(double r, double tol, int *n)
{
	int k;

	for (k = 2; k <= REVERSE_SPLIT_MAX; k++) {
		if (k <= SPLIT_MAX && fabs(r * k - 1) <= tol) {
			*n = k;
			return 1;
		}
		if (fabs(r / k - 1) <= tol) {
			*n = -k;
			return 1;
		}
	}
	return 0;
}

/* The close against its own return series: close_t must be close_{t-1} x (1 + ret_t) within max_ret_gap
 * (and a cent), or that times a split ratio: after an n-for-1 split the unadjusted close is 1/n of it, after
 * a 1-for-n reverse split n times it, while ret does not jump (sti-formats(5)). No previous close or an
 * empty ret: nothing to compare. Returns 0, or -1 with the reason in x->bad. */
static int
check_close(struct pf_name *x, const struct pf_params *p)
{
	double want, r;
	int n;

	if (!(x->prev_close > 0) || isnan(x->ret))
		return 0;
	want = x->prev_close * (1 + x->ret);
	if (!(want > 0)) {
		snprintf(x->bad, sizeof x->bad, "close %.10g after %.10g with ret %.10g: the return says the price "
		    "went to 0", x->close, x->prev_close, x->ret);
		return -1;
	}
	if (fabs(x->close - want) <= fmax(p->max_ret_gap * want, TICK))
		return 0;
	r = x->close / want;
	if (split_ratio(r, p->max_ret_gap, &n))
		return 0;
	snprintf(x->bad, sizeof x->bad, "close %.10g is not the previous close %.10g x (1 + ret %.10g) = %.10g "
	    "(%+.1f%%), nor a split of it (--max-ret-gap %g)", x->close, x->prev_close, x->ret, want,
	    100 * (r - 1), p->max_ret_gap);
	return -1;
}

/* What a working order's client_id says about it: ours ("DATE:STRATEGY:SYMBOL:SIDE" with this strategy)
 * from an older decision, this one or a later one, or another strategy's or nobody's. */
static enum pf_work_kind
classify(const char *cid, const struct pf_params *p)
{
	const char *a, *c;
	size_t len;
	int d;

	if (p->strategy == NULL || (a = strchr(cid, ':')) == NULL || date_parse(cid, (size_t)(a - cid), &d) != 0)
		return PF_WORK_OTHER;
	len = strlen(p->strategy);
	if ((c = strchr(a + 1, ':')) == NULL || (size_t)(c - a - 1) != len || strncmp(a + 1, p->strategy, len) != 0)
		return PF_WORK_OTHER;
	return d < p->decided ? PF_WORK_SUPERSEDE : d == p->decided ? PF_WORK_SAME : PF_WORK_NEWER;
}

static const pf_book *sort_book; /* qsort has no context argument in C11 */

/* SELLs before BUYs; within each, larger value first; then by symbol so the order is total. */
static int
cmp_orders(const void *a, const void *b)
{
	const struct pf_name *x = &sort_book->v[*(const size_t *)a], *y = &sort_book->v[*(const size_t *)b];
	double vx = fabs((double)x->want) * x->price, vy = fabs((double)y->want) * y->price;

	if ((x->qty < 0) != (y->qty < 0))
		return x->qty < 0 ? -1 : 1;
	if (vx != vy)
		return vx > vy ? -1 : 1;
	return strcmp(x->symbol, y->symbol);
}

static int
cmp_symbols(const void *a, const void *b)
{
	const struct pf_name *x = &sort_book->v[*(const size_t *)a], *y = &sort_book->v[*(const size_t *)b];
	int c = strcmp(x->symbol, y->symbol);

	return c ? c : strcmp(x->id, y->id);
}

/* A name that trades or is valued: targeted, held, or with working orders counted as held. */
static int
in_play(const struct pf_name *x)
{
	return x->weight != 0 || x->held != 0 || x->work_buy != 0 || x->work_sell != 0;
}

/* Order value below the dust rules' thresholds. */
static enum pf_why
dust(double v, const struct pf_params *p)
{
	if (v < p->min_notional)
		return PF_DUST_NOTIONAL;
	if (v / p->capital < p->min_weight_change)
		return PF_DUST_WEIGHT;
	return PF_BUY; /* not dust */
}

void
pf_plan(pf_book *b, const struct pf_params *p)
{
	struct pf_totals *t = &b->tot;
	struct pf_name *x;
	struct pf_work *w;
	double budget, held_value = 0, v, fit, tgt, held_eff, cap;
	size_t i, k;

	memset(t, 0, sizeof *t);
	t->invest = p->capital * (1 - p->buffer);
	t->nav = isnan(p->nav) ? p->capital : p->nav;
	for (i = 0; i < b->n; i++)
		b->v[i].work_buy = b->v[i].work_sell = b->v[i].same_buy = b->v[i].same_sell = 0;
	for (k = 0; k < b->nwork; k++) {
		w = &b->work[k];
		w->kind = classify(w->w.client_id, p);
		if (w->kind == PF_WORK_SUPERSEDE) {
			t->supersede++;
			continue;
		}
		t->newer += w->kind == PF_WORK_NEWER; /* refused; counted as held meanwhile */
		if (w->kind == PF_WORK_SAME) { /* the batch itself: in the accounting only */
			if (w->w.side > 0)
				b->v[w->name].same_buy += w->w.remaining;
			else
				b->v[w->name].same_sell += w->w.remaining;
			continue;
		}
		if (w->w.side > 0)
			b->v[w->name].work_buy += w->w.remaining;
		else
			b->v[w->name].work_sell += w->w.remaining;
	}
	for (i = 0; i < b->n; i++) {
		x = &b->v[i];
		choose(&x->close_id, &x->close_sym, &x->close, &x->close_date, &x->prev_close, &x->ret);
		choose(&x->ref_id, &x->ref_sym, &x->ref, &x->ref_date, NULL, NULL);
		x->price = p->use_ref ? x->ref : x->close;
		x->price_date = p->use_ref ? x->ref_date : x->close_date;
		x->value_px = x->price;
		x->qty = x->target = x->want = 0;
		x->placed = 0;
		x->bad[0] = '\0';
		t->gross += fabs(x->weight);
		if (!(x->price > 0) || !isfinite(x->price)) {
			x->why = PF_NO_PRICE;
			continue;
		}
		held_value += (double)x->held * x->price;
		held_eff = (double)x->held + (double)x->work_buy - (double)x->work_sell;
		t->work_buy += (double)(x->work_buy + x->same_buy) * x->price;
		t->work_sell += (double)(x->work_sell + x->same_sell) * x->price;
		if (x->close > 0 && in_play(x) && check_close(x, p) != 0) {
			x->why = PF_BAD_PRICE;
			x->value_px = fmax(x->value_px, x->prev_close * (1 + x->ret));
			continue;
		}
		if (p->skip_stale && stale(x, p)) {
			x->why = PF_STALE;
			continue;
		}
		/* every quantity is checked as a double before it becomes a long long */
		tgt = x->weight > 0 ? floor(t->invest * x->weight / x->price + SHARE_EPS) : 0;
		if (!isfinite(tgt) || tgt > QTY_MAX || fabs(tgt - held_eff) > p->max_shares) {
			snprintf(x->bad, sizeof x->bad, "an order of %.6g shares (target %.6g at price %.10g) is above "
			    "--max-shares %.0f", fabs(tgt - held_eff), tgt, x->price, p->max_shares);
			x->why = PF_BAD_PRICE;
			/* valued at the higher of the refused price and the one before, as a hold */
			x->value_px = fmax(x->value_px, x->prev_close * (isnan(x->ret) ? 1 : 1 + x->ret));
			continue;
		}
		x->target = (long long)tgt;
		x->want = x->target - (x->held + x->work_buy - x->work_sell);
		if (x->want == 0) {
			x->why = x->held != 0 ? PF_AT_TARGET : PF_ZERO;
			continue;
		}
		x->qty = x->want;
		/* never short, even for a moment: a SELL is at most what is held less what is already selling */
		cap = (double)x->held - (double)x->work_sell;
		if (x->qty < 0 && (double)-x->qty > cap) {
			x->qty = cap > 0 ? -(long long)cap : 0;
			x->why = PF_NO_SHORT;
			continue;
		}
		/* others' working SELLs beyond the position are theirs to answer for: an exit never buys */
		if (x->qty > 0 && x->target == 0) {
			x->qty = 0;
			x->why = PF_NO_SHORT;
			continue;
		}
		if (x->weight == 0) { /* an exit is never dust: a remnant would linger forever */
			x->why = PF_EXIT;
			continue;
		}
		if (x->target == 0 && x->qty < 0) { /* nor is a close because the weight buys no share */
			x->why = PF_CLOSE;
			continue;
		}
		/* the weight change is the order's value over capital: the target's own weight is net of the
		 * buffer, so comparing with the raw target weight would see a change where there is none */
		v = fabs((double)x->want) * x->price;
		x->why = dust(v, p);
		if (x->why == PF_BUY)
			x->why = x->want > 0 ? PF_BUY : PF_SELL;
		else
			x->qty = 0;
	}
	/* a re-run writes the same orders, but one whose client_id the broker has seen will not be placed
	 * again: it spends nothing and counts nothing (its working remainder counts, as same_buy/same_sell) */
	for (i = 0; i < b->n && p->strategy != NULL && b->placed.n > 0; i++) {
		char cid[DATE_LEN + 1 + 256], day[DATE_LEN + 1];

		x = &b->v[i];
		if (x->qty == 0)
			continue;
		snprintf(cid, sizeof cid, "%s:%s:%s:%s", date_fmt(p->decided, day), p->strategy, x->symbol,
		    x->qty > 0 ? "BUY" : "SELL");
		x->placed = map_get(&b->placed, cid) != SIZE_MAX;
	}
	/* the funds: cash before the sells, less what working BUYs counted as held will spend; SELLs of other
	 * strategies still working are not counted on */
	t->funds = isnan(p->funds) ? p->capital - held_value : p->funds;
	t->funds -= t->work_buy;

	free(b->order);
	b->norder = 0;
	b->order = malloc(sizeof *b->order * (b->n ? b->n : 1));
	if (b->order == NULL) /* no output sequence: pf_order() then yields nothing, pf_check refuses */
		return;
	for (i = 0; i < b->n; i++)
		if (b->v[i].qty != 0)
			b->order[b->norder++] = i;
	sort_book = b;
	qsort(b->order, b->norder, sizeof *b->order, cmp_orders);

	for (k = 0; k < b->norder; k++) {
		x = &b->v[b->order[k]];
		t->placed += x->placed;
		if (x->qty < 0) {
			t->proceeds += x->placed ? 0 : notional(x);
			t->sells++;
		}
	}
	budget = t->funds + p->margin * t->nav + t->proceeds;
	if (!isfinite(budget)) /* pf_check refuses; nothing is bought meanwhile */
		budget = 0;
	for (k = 0; k < b->norder; k++) {
		x = &b->v[b->order[k]];
		if (x->qty < 0)
			continue;
		if (x->placed) { /* at the broker already: its remainder is in the working BUYs */
			t->buys++;
			continue;
		}
		if (notional(x) > budget + CASH_EPS) {
			fit = floor((budget + CASH_EPS) / x->price);
			x->qty = fit > 0 ? (long long)fmin(fit, (double)x->qty) : 0;
			x->why = PF_SHRUNK;
			t->shrunk++;
			/* what is left of it obeys the dust rules the whole order did */
			if (x->qty > 0 && dust(notional(x), p) != PF_BUY) {
				x->qty = 0;
				x->why = PF_SHRUNK_DUST;
			}
		}
		budget -= notional(x);
		t->spent += notional(x);
		t->buys += x->qty > 0;
	}
	/* BUYs cut to nothing leave the sequence */
	for (i = k = 0; k < b->norder; k++)
		if (b->v[b->order[k]].qty != 0)
			b->order[i++] = b->order[k];
	b->norder = i;
	for (i = 0; i < b->n; i++) {
		x = &b->v[i];
		if (!(x->value_px > 0) || !isfinite(x->value_px))
			continue;
		v = ((double)x->held + (double)x->work_buy - (double)x->work_sell + (double)x->same_buy -
		    (double)x->same_sell) * x->value_px;
		t->committed_before += v;
		t->committed += v + (x->placed ? 0 : (double)x->qty * x->value_px);
		t->new_buys += x->qty > 0 && !x->placed;
	}
}

const struct pf_name *
pf_order(const pf_book *b, size_t i)
{
	return b->order != NULL && i < b->norder ? &b->v[b->order[i]] : NULL;
}

/* ---- risk checks ---- */

static void
say(void (*report)(void *, const char *), void *ctx, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
say(void (*report)(void *, const char *), void *ctx, size_t *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	report(ctx, msg);
	(*n)++;
}

size_t
pf_check(const pf_book *b, const struct pf_params *p, void (*report)(void *ctx, const char *msg), void *ctx)
{
	const struct pf_name *x;
	char d1[DATE_LEN + 1], d2[DATE_LEN + 1];
	double sum = 0, v;
	size_t i, n = 0;

	const struct pf_totals *t = &b->tot;
	double limit;

	if (b->order == NULL)
		say(report, ctx, &n, "out of memory while planning");
	if (!(p->capital > 0) || !isfinite(p->capital))
		say(report, ctx, &n, "capital %g is not positive", p->capital);
	if (!(t->nav > 0) || !isfinite(t->nav))
		say(report, ctx, &n, "NAV %g is not positive", t->nav);
	if (!isfinite(t->funds))
		say(report, ctx, &n, "funds %g are not a number", t->funds);
	for (i = 0; i < b->nwork; i++)
		if (b->work[i].kind == PF_WORK_NEWER)
			say(report, ctx, &n, "%s: working order '%s' is from a later decision than this one: run "
			    "that decision instead", b->work[i].w.symbol, b->work[i].w.client_id);
	for (i = 0; i < b->n; i++) {
		x = &b->v[i];
		sum += fabs(x->weight);
		if (x->weight < 0)
			say(report, ctx, &n, "%s: weight %g is negative (short targets are not supported)",
			    x->symbol, x->weight);
		if (x->weight > p->max_weight)
			say(report, ctx, &n, "%s: weight %g is above --max-weight %g", x->symbol, x->weight,
			    p->max_weight);
		/* ':' separates the client_id's parts; ib-submit refuses blanks and ',' as well */
		if (in_play(x) && (strpbrk(x->symbol, " \t:,") != NULL || x->symbol[0] == '\0'))
			say(report, ctx, &n, "%s: symbol '%s' cannot be part of a client_id", x->id, x->symbol);
		if (x->why == PF_BAD_PRICE) { /* a data error: all or (skip_bad) only this name stays untraded */
			if (!p->skip_bad)
				say(report, ctx, &n, "%s: %s", x->symbol, x->bad);
			continue;
		}
		if (x->why == PF_NO_PRICE) { /* needed only to trade or value it */
			if (in_play(x))
				say(report, ctx, &n, "%s: no %sprice before the trade date", x->symbol,
				    p->use_ref && x->close > 0 ? "reference " : "");
			continue;
		}
		if (x->why == PF_STALE) /* untraded on purpose (skip_stale) */
			continue;
		if (x->close > 0 && x->close_date < p->stale_before)
			say(report, ctx, &n, "%s: last close is from %s, before the last trading day %s (stale data)",
			    x->symbol, date_fmt(x->close_date, d1), date_fmt(p->stale_before, d2));
		if (p->use_ref) {
			if (!(x->close > 0))
				say(report, ctx, &n, "%s: no last close to check the reference price against",
				    x->symbol);
			else if (fabs(x->ref / x->close - 1) > p->max_price_move)
				say(report, ctx, &n,
				    "%s: reference price %g is %.1f%% from the last close %g (--max-price-move %g)",
				    x->symbol, x->ref, 100 * (x->ref / x->close - 1), x->close, p->max_price_move);
			if (x->ref_date < p->stale_before)
				say(report, ctx, &n, "%s: reference price is from %s, before the last trading day %s "
				    "(stale data)", x->symbol, date_fmt(x->ref_date, d1), date_fmt(p->stale_before, d2));
		}
		v = fabs((double)x->qty) * x->price;
		if (p->max_order_notional > 0 && v > p->max_order_notional)
			say(report, ctx, &n, "%s: %s of %lld shares is worth %.2f, above --max-order-notional %g",
			    x->symbol, x->qty > 0 ? "BUY" : "SELL", llabs(x->qty), v, p->max_order_notional);
	}
	/* the invariant: a batch that buys never leaves the account committed beyond its NAV */
	limit = t->nav * (1 + p->margin + p->commit_tol);
	if (t->new_buys > 0 && !(t->committed <= limit + CASH_EPS))
		say(report, ctx, &n, "the batch would commit %.2f, %.4g x the NAV %.2f, above NAV x (1 + --margin %g + "
		    "--commit-tolerance %g)", t->committed, t->committed / t->nav, t->nav, p->margin, p->commit_tol);
	if (sum > p->max_gross + p->gross_tol)
		say(report, ctx, &n, "gross exposure %g is above --max-gross %g", sum, p->max_gross);
	if (fabs(sum - p->gross) > p->gross_tol)
		say(report, ctx, &n, "weights sum to %.10g, not the gross exposure %g", sum, p->gross);
	return n;
}

/* ---- output ---- */

static int
cmp_work(const void *a, const void *b)
{
	const struct pf_working *x = &sort_book->work[*(const size_t *)a].w;
	const struct pf_working *y = &sort_book->work[*(const size_t *)b].w;
	int c = strcmp(x->client_id, y->client_id);

	if (c)
		return c;
	if (x->order_id != y->order_id)
		return x->order_id < y->order_id ? -1 : 1;
	return (x->perm_id > y->perm_id) - (x->perm_id < y->perm_id);
}

/* The "supersede" records: the working orders of older decisions of this strategy, to be cancelled (and
 * the cancel confirmed, with no more filled than here) before the batch is placed. */
static int
write_supersede(const pf_book *b, FILE *fp)
{
	const struct pf_working *w;
	size_t *ix, n = 0, i;
	json_t *o;
	int rc = 0;

	if ((ix = malloc(sizeof *ix * (b->nwork ? b->nwork : 1))) == NULL)
		return -1;
	for (i = 0; i < b->nwork; i++)
		if (b->work[i].kind == PF_WORK_SUPERSEDE)
			ix[n++] = i;
	sort_book = b;
	qsort(ix, n, sizeof *ix, cmp_work);
	for (i = 0; rc == 0 && i < n; i++) {
		w = &b->work[ix[i]].w;
		o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s}", "type", "supersede", "client_id", w->client_id,
		    "symbol", w->symbol, "side", w->side > 0 ? "BUY" : "SELL", "qty", (json_int_t)w->qty, "filled",
		    (json_int_t)w->filled, "remaining", (json_int_t)w->remaining, "status", w->status);
		if (o != NULL && w->order_id >= 0)
			json_object_set_new(o, "order_id", json_integer(w->order_id));
		if (o != NULL && w->perm_id >= 0)
			json_object_set_new(o, "perm_id", json_integer(w->perm_id));
		rc = o != NULL ? nd_write(fp, o) : -1;
		json_decref(o);
	}
	free(ix);
	return rc;
}

int
pf_write_orders(const pf_book *b, FILE *fp, int decided, int trade_date, const char *strategy,
    const char *order_type, const char *tif)
{
	const struct pf_name *x;
	char day[DATE_LEN + 1], tday[DATE_LEN + 1], *cid;
	json_t *o;
	size_t i;
	int rc = 0;

	date_fmt(decided, day);
	date_fmt(trade_date, tday);
	if (write_supersede(b, fp) != 0)
		return -1;
	for (i = 0; rc == 0 && (x = pf_order(b, i)) != NULL; i++) {
		const char *side = x->qty > 0 ? "BUY" : "SELL";

		if (asprintf(&cid, "%s:%s:%s:%s", day, strategy, x->symbol, side) < 0)
			return -1;
		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:f,s:f}", "type", "order", "client_id", cid,
		    "date", tday, "id", x->id, "symbol", x->symbol, "side", side, "qty", (json_int_t)llabs(x->qty),
		    "order_type", order_type, "tif", tif, "ref_price", x->price, "target_weight", x->weight);
		free(cid);
		if (o == NULL)
			return -1;
		rc = nd_write(fp, o);
		json_decref(o);
	}
	return rc;
}

const char *
pf_why_text(enum pf_why why)
{
	switch (why) {
	case PF_NO_PRICE: return "no price";
	case PF_AT_TARGET: return "at target";
	case PF_ZERO: return "weight too small for one share";
	case PF_BUY: return "buy to target";
	case PF_SELL: return "sell to target";
	case PF_EXIT: return "not in target: sell all";
	case PF_DUST_NOTIONAL: return "skipped: below --min-notional";
	case PF_DUST_WEIGHT: return "skipped: below --min-weight-change";
	case PF_SHRUNK: return "shrunk to the funds";
	case PF_STALE: return "stale price: not traded";
	case PF_CLOSE: return "weight too small for one share: sell all";
	case PF_SHRUNK_DUST: return "shrunk to the funds, then below the dust rules: skipped";
	case PF_NO_SHORT: return "cut to the shares held less working SELLs (never short, an exit never buys)";
	case PF_BAD_PRICE: return "refused price or quantity: not traded";
	}
	return "?";
}

int
pf_explain(const pf_book *b, const struct pf_params *p, FILE *fp)
{
	const struct pf_totals *t = &b->tot;
	const struct pf_name *x;
	char d[DATE_LEN + 1], w[NUM_FMT_MAX], px[NUM_FMT_MAX];
	size_t *idx, i;

	idx = malloc(sizeof *idx * (b->n ? b->n : 1));
	if (idx == NULL)
		return -1;
	for (i = 0; i < b->n; i++)
		idx[i] = i;
	sort_book = b;
	qsort(idx, b->n, sizeof *idx, cmp_symbols);
	fprintf(fp, "capital %.2f, buffer %g: %.2f to invest; funds %.2f + sells %.2f = %.2f for buys, "
	    "%.2f spent\n", p->capital, p->buffer, t->invest, t->funds, t->proceeds, t->funds + t->proceeds,
	    t->spent);
	fprintf(fp, "working orders counted as held: BUY %.2f, SELL %.2f; superseded: %zu; committed %.2f before, "
	    "%.2f after (NAV %.2f, %.4g x)\n", t->work_buy, t->work_sell, t->supersede, t->committed_before,
	    t->committed, t->nav, t->nav > 0 ? t->committed / t->nav : NAN);
	fprintf(fp, "%-10s %-10s %8s %10s %-10s %8s %8s %8s  %s\n", "symbol", "id", "weight", "price", "date",
	    "held", "target", "order", "reason");
	for (i = 0; i < b->n; i++) {
		x = &b->v[idx[i]];
		num_fmt(x->weight, w);
		num_fmt(x->price, px);
		fprintf(fp, "%-10s %-10s %8s %10s %-10s %8lld %8lld %+8lld  %s", x->symbol, x->id, w,
		    x->price > 0 ? px : "-", x->price > 0 ? date_fmt(x->price_date, d) : "-", x->held, x->target,
		    x->qty, pf_why_text(x->why));
		if (x->why == PF_SHRUNK)
			fprintf(fp, " (from %+lld)", x->want);
		else if (x->why == PF_DUST_NOTIONAL || x->why == PF_DUST_WEIGHT || x->why == PF_SHRUNK_DUST)
			fprintf(fp, " (%+lld)", x->want);
		else if (x->why == PF_BAD_PRICE)
			fprintf(fp, " (%s)", x->bad);
		if (x->work_buy != 0 || x->work_sell != 0)
			fprintf(fp, " [working +%lld -%lld]", x->work_buy, x->work_sell);
		if (x->same_buy != 0 || x->same_sell != 0)
			fprintf(fp, " [this decision's working +%lld -%lld]", x->same_buy, x->same_sell);
		if (x->placed)
			fprintf(fp, " (at the broker already: not placed again)");
		putc('\n', fp);
	}
	free(idx);
	return ferror(fp) ? -1 : 0;
}
