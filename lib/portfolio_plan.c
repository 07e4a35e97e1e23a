/* portfolio_plan: sizing: from targets, holdings, working orders and prices to the orders, under the funds (see portfolio.h). */
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
int
pf_stale(const struct pf_name *x, const struct pf_params *p)
{
	return (x->close > 0 && x->close_date < p->stale_before) || (p->use_ref && x->ref_date < p->stale_before);
}

double
pf_notional(const struct pf_name *x)
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

/* A name that trades or is valued: targeted, held, or with working orders counted as held. */
int
pf_in_play(const struct pf_name *x)
{
	return x->weight != 0 || x->held != 0 || x->work_buy != 0 || x->work_sell != 0;
}

/* Order value below the dust rules' thresholds. */
enum pf_why
pf_dust(double v, const struct pf_params *p)
{
	if (v < p->min_notional)
		return PF_DUST_NOTIONAL;
	if (v / p->capital < p->min_weight_change)
		return PF_DUST_WEIGHT;
	return PF_BUY; /* not dust */
}

/* Sort the working orders by what their client_ids say: an older decision's are superseded (counted in
 * t->supersede only), this decision's are the batch itself (same_buy/same_sell, in the accounting only), a
 * later one's are refused but counted as held meanwhile, as are the rest (work_buy/work_sell). */
static void
count_working(pf_book *b, const struct pf_params *p, struct pf_totals *t)
{
	struct pf_work *w;
	size_t i, k;

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
}

/* Size one name: its price, target and order (x->qty) with the reason (x->why), before the funds are
 * counted. The value of what it holds is added to *held_value. */
static void
size_name(struct pf_name *x, const struct pf_params *p, struct pf_totals *t, double *held_value)
{
	double v, tgt, held_eff, cap;

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
		return;
	}
	*held_value += (double)x->held * x->price;
	held_eff = (double)x->held + (double)x->work_buy - (double)x->work_sell;
	t->work_buy += (double)(x->work_buy + x->same_buy) * x->price;
	t->work_sell += (double)(x->work_sell + x->same_sell) * x->price;
	if (x->close > 0 && pf_in_play(x) && check_close(x, p) != 0) {
		x->why = PF_BAD_PRICE;
		x->value_px = fmax(x->value_px, x->prev_close * (1 + x->ret));
		return;
	}
	if (p->skip_stale && pf_stale(x, p)) {
		x->why = PF_STALE;
		return;
	}
	/* every quantity is checked as a double before it becomes a long long */
	tgt = x->weight > 0 ? floor(t->invest * x->weight / x->price + SHARE_EPS) : 0;
	if (!isfinite(tgt) || tgt > QTY_MAX || fabs(tgt - held_eff) > p->max_shares) {
		snprintf(x->bad, sizeof x->bad, "an order of %.6g shares (target %.6g at price %.10g) is above "
		    "--max-shares %.0f", fabs(tgt - held_eff), tgt, x->price, p->max_shares);
		x->why = PF_BAD_PRICE;
		/* valued at the higher of the refused price and the one before, as a hold */
		x->value_px = fmax(x->value_px, x->prev_close * (isnan(x->ret) ? 1 : 1 + x->ret));
		return;
	}
	x->target = (long long)tgt;
	x->want = x->target - (x->held + x->work_buy - x->work_sell);
	if (x->want == 0) {
		x->why = x->held != 0 ? PF_AT_TARGET : PF_ZERO;
		return;
	}
	x->qty = x->want;
	/* never short, even for a moment: a SELL is at most what is held less what is already selling */
	cap = (double)x->held - (double)x->work_sell;
	if (x->qty < 0 && (double)-x->qty > cap) {
		x->qty = cap > 0 ? -(long long)cap : 0;
		x->why = PF_NO_SHORT;
		return;
	}
	/* others' working SELLs beyond the position are theirs to answer for: an exit never buys */
	if (x->qty > 0 && x->target == 0) {
		x->qty = 0;
		x->why = PF_NO_SHORT;
		return;
	}
	if (x->weight == 0) { /* an exit is never dust: a remnant would linger forever */
		x->why = PF_EXIT;
		return;
	}
	if (x->target == 0 && x->qty < 0) { /* nor is a close because the weight buys no share */
		x->why = PF_CLOSE;
		return;
	}
	/* the weight change is the order's value over capital: the target's own weight is net of the
	 * buffer, so comparing with the raw target weight would see a change where there is none */
	v = fabs((double)x->want) * x->price;
	x->why = pf_dust(v, p);
	if (x->why == PF_BUY)
		x->why = x->want > 0 ? PF_BUY : PF_SELL;
	else
		x->qty = 0;
}

/* A re-run writes the same orders, but one whose client_id the broker has seen will not be placed
 * again: it spends nothing and counts nothing (its working remainder counts, as same_buy/same_sell). */
static void
mark_placed(pf_book *b, const struct pf_params *p)
{
	for (size_t i = 0; i < b->n && p->strategy != NULL && b->placed.n > 0; i++) {
		char cid[DATE_LEN + 1 + 256], day[DATE_LEN + 1];
		struct pf_name *x = &b->v[i];

		if (x->qty == 0)
			continue;
		snprintf(cid, sizeof cid, "%s:%s:%s:%s", date_fmt(p->decided, day), p->strategy, x->symbol,
		    x->qty > 0 ? "BUY" : "SELL");
		x->placed = pf_map_get(&b->placed, cid) != SIZE_MAX;
	}
}

/* The output sequence (SELLs first, then BUYs by value), the BUYs shrunk to the budget: funds, margin and
 * the SELLs' proceeds. Returns 0, or -1 when out of memory (no sequence: pf_order() then yields nothing,
 * pf_check refuses). */
static int
fund_orders(pf_book *b, const struct pf_params *p, struct pf_totals *t)
{
	struct pf_name *x;
	double budget, fit;
	size_t i, k;

	free(b->order);
	b->norder = 0;
	b->order = malloc(sizeof *b->order * (b->n ? b->n : 1));
	if (b->order == NULL)
		return -1;
	for (i = 0; i < b->n; i++)
		if (b->v[i].qty != 0)
			b->order[b->norder++] = i;
	sort_book = b;
	qsort(b->order, b->norder, sizeof *b->order, cmp_orders);

	for (k = 0; k < b->norder; k++) {
		x = &b->v[b->order[k]];
		t->placed += x->placed;
		if (x->qty < 0) {
			t->proceeds += x->placed ? 0 : pf_notional(x);
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
		if (pf_notional(x) > budget + CASH_EPS) {
			fit = floor((budget + CASH_EPS) / x->price);
			x->qty = fit > 0 ? (long long)fmin(fit, (double)x->qty) : 0;
			x->why = PF_SHRUNK;
			t->shrunk++;
			/* what is left of it obeys the dust rules the whole order did */
			if (x->qty > 0 && pf_dust(pf_notional(x), p) != PF_BUY) {
				x->qty = 0;
				x->why = PF_SHRUNK_DUST;
			}
		}
		budget -= pf_notional(x);
		t->spent += pf_notional(x);
		t->buys += x->qty > 0;
	}
	/* BUYs cut to nothing leave the sequence */
	for (i = k = 0; k < b->norder; k++)
		if (b->v[b->order[k]].qty != 0)
			b->order[i++] = b->order[k];
	b->norder = i;
	return 0;
}

/* What is committed before and after the batch, at the prices names are valued at. */
static void
count_committed(pf_book *b, struct pf_totals *t)
{
	for (size_t i = 0; i < b->n; i++) {
		struct pf_name *x = &b->v[i];
		double v;

		if (!(x->value_px > 0) || !isfinite(x->value_px))
			continue;
		v = ((double)x->held + (double)x->work_buy - (double)x->work_sell + (double)x->same_buy -
		    (double)x->same_sell) * x->value_px;
		t->committed_before += v;
		t->committed += v + (x->placed ? 0 : (double)x->qty * x->value_px);
		t->new_buys += x->qty > 0 && !x->placed;
	}
}

int
pf_plan(pf_book *b, const struct pf_params *p, char *err, size_t errlen)
{
	struct pf_totals *t = &b->tot;
	double held_value = 0;

	memset(t, 0, sizeof *t);
	t->invest = p->capital * (1 - p->buffer);
	t->nav = isnan(p->nav) ? p->capital : p->nav;
	count_working(b, p, t);
	for (size_t i = 0; i < b->n; i++)
		size_name(&b->v[i], p, t, &held_value);
	mark_placed(b, p);
	/* the funds: cash before the sells, less what working BUYs counted as held will spend; SELLs of other
	 * strategies still working are not counted on */
	t->funds = isnan(p->funds) ? p->capital - held_value : p->funds;
	t->funds -= t->work_buy;
	if (fund_orders(b, p, t) != 0)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	count_committed(b, t);
	return 0;
}

const struct pf_name *
pf_order(const pf_book *b, size_t i)
{
	return b->order != NULL && i < b->norder ? &b->v[b->order[i]] : NULL;
}
