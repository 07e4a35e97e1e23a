#include "broker/check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broker/fetch.h"
#include "date.h"
#include "err.h"

int
bk_broker_prices(tws_client *c, const bk_orders *o, bk_broker_px *px, char *err, size_t errlen)
{
	bk_syms syms = { 0 };
	bk_fetch f;
	bk_fetch_opts fo;
	size_t *which;
	int rc = -1;

	if ((which = calloc(o->n ? o->n : 1, sizeof *which)) == NULL ||
	    (syms.v = calloc(o->n ? o->n : 1, sizeof *syms.v)) == NULL) {
		free(which);
		err_fmt(err, errlen, "out of memory");
		return -1;
	}
	syms.cap = o->n;
	for (size_t i = 0; i < o->n; i++) {
		size_t k;
		for (k = 0; k < syms.n && strcmp(syms.v[k].symbol, o->v[i].symbol) != 0; k++)
			;
		if (k == syms.n) {
			bk_sym *s = &syms.v[syms.n++];
			snprintf(s->symbol, sizeof s->symbol, "%s", o->v[i].symbol);
			snprintf(s->id, sizeof s->id, "%s", o->v[i].symbol);
			snprintf(s->currency, sizeof s->currency, "USD");
		}
		which[i] = k;
	}
	memset(&fo, 0, sizeof fo);
	snprintf(fo.duration, sizeof fo.duration, "5 D");
	snprintf(fo.bar_size, sizeof fo.bar_size, "1 day");
	snprintf(fo.what, sizeof fo.what, "TRADES");
	fo.use_rth = 1;
	if (bk_fetch_bars(c, &syms, &fo, &f, err, errlen) < 0) {
		if (tws_errcode(c) != 0)
			err_fmt(err, errlen, "%s", tws_errmsg(c));
		goto out;
	}
	for (size_t i = 0; i < o->n; i++) {
		size_t k = which[i];
		const bk_series *s = &f.series[k];
		bk_broker_px *p = &px[i];
		memset(p, 0, sizeof *p);
		p->close = NAN;
		if (f.state[k] == BK_DONE && s->n > 0 && s->v[s->n - 1].close > 0) {
			p->close = s->v[s->n - 1].close;
			date_fmt(s->v[s->n - 1].date, p->date);
		} else {
			snprintf(p->why, sizeof p->why, "%s", f.state[k] == BK_DONE ? "no recent bar" : f.why[k]);
		}
	}
	rc = 0;
out:
	bk_fetch_free(&f);
	free(syms.v);
	free(which);
	return rc;
}

size_t
bk_ord_check_broker(const bk_orders *o, const bk_broker_px *px, double band, double max_order,
    double max_run, unsigned char *refused, int *run_refused, void (*refuse)(void *ctx, const char *msg),
    void *ctx)
{
	char msg[400];
	double total = 0;
	size_t bad = 0;

	*run_refused = 0;
	for (size_t i = 0; i < o->n; i++) {
		const bk_order *x = &o->v[i];
		double b = px[i].close, at;
		refused[i] = 0;
		if (isnan(b)) {
			snprintf(msg, sizeof msg, "%s: the broker has no price for %s (%s): the order cannot be checked",
			    x->client_id, x->symbol, px[i].why[0] ? px[i].why : "no answer");
		} else if (!(x->ref_price > 0)) {
			snprintf(msg, sizeof msg, "%s: no ref_price: it cannot be checked against the broker's price %g (%s)",
			    x->client_id, b, px[i].date);
		} else if (fabs(x->ref_price / b - 1) > band) {
			snprintf(msg, sizeof msg, "%s: ref_price %g is %.1f%% from the broker's close of %s, %g (band %g%%): "
			    "bad data?", x->client_id, x->ref_price, 100 * (x->ref_price / b - 1), px[i].date, b, 100 * band);
		} else {
			at = strcmp(x->side, "BUY") == 0 && x->lmt_price > b ? x->lmt_price : b;
			total += (double)x->qty * at;
			if (isnan(max_order) || (double)x->qty * at <= max_order)
				continue;
			snprintf(msg, sizeof msg, "%s: notional %.2f at the broker's price (%lld x %g) is over "
			    "--max-order-notional %.2f", x->client_id, (double)x->qty * at, x->qty, at, max_order);
		}
		refused[i] = 1;
		refuse(ctx, msg);
		bad++;
	}
	if (!isnan(max_run) && total > max_run) {
		snprintf(msg, sizeof msg, "the run's notional at the broker's prices, %.2f, is over --max-run-notional "
		    "%.2f", total, max_run);
		refuse(ctx, msg);
		*run_refused = 1;
		bad++;
	}
	return bad;
}
