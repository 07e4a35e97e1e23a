/* portfolio_check: the risk checks a plan must pass before anything is written (see portfolio.h). */
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
		if (pf_in_play(x) && (strpbrk(x->symbol, " \t:,") != NULL || x->symbol[0] == '\0'))
			say(report, ctx, &n, "%s: symbol '%s' cannot be part of a client_id", x->id, x->symbol);
		if (x->why == PF_BAD_PRICE) { /* a data error: all or (skip_bad) only this name stays untraded */
			if (!p->skip_bad)
				say(report, ctx, &n, "%s: %s", x->symbol, x->bad);
			continue;
		}
		if (x->why == PF_NO_PRICE) { /* needed only to trade or value it */
			if (pf_in_play(x))
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
