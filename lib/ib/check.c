#include "ib/check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ib/fetch.h"
#include "date.h"
#include "err.h"

/* Snapshots of syms (one per symbol) into last[]: the last trade, else the previous close; NaN with why[]
 * when none came. Returns 0, or a sysexits code with err set (tws_code(c) when the connection is gone). */
static int
snapshots(tws_client *c, const bk_syms *syms, double *last, char (*why)[160], char *err, size_t errlen)
{
	int *ids = calloc(syms->n ? syms->n : 1, sizeof *ids);
	double *close = calloc(syms->n ? syms->n : 1, sizeof *close);
	size_t left = syms->n;
	tws_event ev;
	int rc;

	if (ids == NULL || close == NULL) {
		rc = err_ret(EX_OSERR, err, errlen, "out of memory");
		goto out;
	}
	if (tws_req_market_data_type(c, 3) < 0)
		goto gone;
	for (size_t k = 0; k < syms->n; k++) {
		tws_contract ct;
		tws_contract_stock(&ct, syms->v[k].symbol);
		ct.con_id = syms->v[k].con_id;
		snprintf(ct.primary_exch, sizeof ct.primary_exch, "%s", syms->v[k].primary);
		last[k] = close[k] = NAN;
		snprintf(why[k], sizeof why[k], "no answer");
		if ((ids[k] = tws_req_snapshot(c, &ct)) < 0)
			goto gone;
	}
	while (left > 0) {
		size_t k;
		int r = tws_poll(c, &ev, 1000);
		if (r < 0)
			goto gone;
		if (r == 0 || ev.req_id < 0 || (ev.kind != TWS_REQ_MKT_DATA && ev.type != TWS_EV_ERROR))
			continue;
		for (k = 0; k < syms->n && ids[k] != ev.req_id; k++)
			;
		if (k == syms->n || ids[k] < 0)
			continue;
		switch (ev.type) {
		case TWS_EV_TICK:
			if (!(ev.u.tick.price > 0) || ev.u.tick.price == TWS_UNSET_DOUBLE)
				break;
			if (ev.u.tick.type == TWS_TICK_LAST || ev.u.tick.type == TWS_TICK_DELAYED_LAST)
				last[k] = ev.u.tick.price;
			else if (ev.u.tick.type == TWS_TICK_CLOSE || ev.u.tick.type == TWS_TICK_DELAYED_CLOSE)
				close[k] = ev.u.tick.price;
			break;
		case TWS_EV_ERROR:
			if (tws_error_is_notice(ev.u.error.code))
				break;
			snprintf(why[k], sizeof why[k], "%.130s (error %d)", ev.u.error.msg, ev.u.error.code);
			ids[k] = -1;
			left--;
			break;
		case TWS_EV_TIMEOUT:
			snprintf(why[k], sizeof why[k], "no snapshot in time");
			ids[k] = -1;
			left--;
			break;
		case TWS_EV_TICK_END:
			if (isnan(last[k]))
				last[k] = close[k];
			if (isnan(last[k]))
				snprintf(why[k], sizeof why[k], "a snapshot without a last or close price");
			ids[k] = -1;
			left--;
			break;
		default:
			break;
		}
	}
	rc = 0;
	goto out;
gone:
	rc = tws_err_ret(c, err, errlen);
out:
	free(ids);
	free(close);
	return rc;
}

int
bk_broker_prices(tws_client *c, const bk_orders *o, enum bk_px_source src, bk_broker_px *px, char *err,
    size_t errlen)
{
	bk_syms syms = { 0 };
	bk_fetch f;
	bk_fetch_opts fo;
	size_t *which;
	int rc;

	if ((which = calloc(o->n ? o->n : 1, sizeof *which)) == NULL ||
	    (syms.v = calloc(o->n ? o->n : 1, sizeof *syms.v)) == NULL) {
		free(which);
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	}
	syms.cap = o->n;
	for (size_t i = 0; i < o->n; i++) {
		size_t k;
		for (k = 0; k < syms.n && strcmp(syms.v[k].symbol, o->v[i].symbol) != 0; k++)
			;
		if (k == syms.n) {
			bk_sym *s = &syms.v[syms.n++];
			/* by conId when the order has one: the price of what will be traded */
			snprintf(s->symbol, sizeof s->symbol, "%s", o->v[i].con_id > 0 ? o->v[i].ib_symbol : o->v[i].symbol);
			snprintf(s->id, sizeof s->id, "%s", o->v[i].symbol);
			snprintf(s->currency, sizeof s->currency, "USD");
			s->con_id = o->v[i].con_id;
			snprintf(s->primary, sizeof s->primary, "%s", o->v[i].primary);
		}
		which[i] = k;
	}
	if (src == BK_PX_SNAPSHOT) {
		double *last = calloc(syms.n ? syms.n : 1, sizeof *last);
		char (*why)[160] = calloc(syms.n ? syms.n : 1, sizeof *why);
		rc = last == NULL || why == NULL ? err_ret(EX_OSERR, err, errlen, "out of memory") :
		    snapshots(c, &syms, last, why, err, errlen);
		if (rc != 0) {
			free(last);
			free(why);
			free(syms.v);
			free(which);
			return rc;
		}
		for (size_t i = 0; i < o->n; i++) {
			memset(&px[i], 0, sizeof px[i]);
			px[i].close = last[which[i]];
			snprintf(px[i].date, sizeof px[i].date, "snapshot");
			if (isnan(px[i].close))
				snprintf(px[i].why, sizeof px[i].why, "%s", why[which[i]]);
		}
		free(last);
		free(why);
		free(syms.v);
		free(which);
		return 0;
	}
	memset(&fo, 0, sizeof fo);
	snprintf(fo.duration, sizeof fo.duration, "5 D");
	snprintf(fo.bar_size, sizeof fo.bar_size, "1 day");
	snprintf(fo.what, sizeof fo.what, "TRADES");
	fo.use_rth = 1;
	if ((rc = bk_fetch_bars(c, &syms, &fo, &f, err, errlen)) != 0)
		goto out;
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
			snprintf(msg, sizeof msg, "%s: ref_price %g is %.1f%% from the broker's price (%s), %g (band %g%%): "
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
