#include "ib/submit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "err.h"
#include "log.h"
#include "ndjson.h"
#include "util.h"

#define REFRESH_EVERY_MS 5000 /* while waiting: re-read orders and fills, in case a status went astray */
#define COMMISSION_GRACE_MS 2000 /* how long the last fills wait for their commission reports */

void
bk_sub_free(bk_submit *s)
{
	bk_snap_free(&s->snap);
	bk_orders_free(&s->own);
	free(s->sup);
	s->sup = NULL;
	s->nsup = 0;
	free(s->items);
	s->items = NULL;
	s->n = 0;
}

static bk_sub_item *
item_by_order(bk_submit *s, int client_id, long long order_id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].order_id == order_id && s->items[i].client_id == client_id && order_id != 0)
			return &s->items[i];
	return NULL;
}

static bk_sub_item *
item_by_ref(bk_submit *s, const char *ref)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->items[i].o->client_id, ref) == 0)
			return &s->items[i];
	return NULL;
}

/* Bring an item up to date with what the snapshot knows of it. */
static void
sync_item(bk_submit *s, bk_sub_item *it)
{
	const bk_open *op = it->order_id ? bk_snap_order_by_id(&s->snap, it->client_id, it->order_id) : NULL;
	const bk_done *d;
	double q, cost = 0;
	long long oid = 0;

	if (it->final && it->failed)
		return; /* a rejection stays one */
	if (op == NULL && (op = bk_snap_order_by_ref(&s->snap, it->o->client_id)) != NULL) {
		it->order_id = op->oo.order.order_id;
		it->client_id = op->oo.order.client_id;
	}
	if (op == NULL && it->order_id == 0 && (d = bk_snap_done_by_ref(&s->snap, it->o->client_id)) != NULL) {
		/* done already (filled, cancelled) and no longer among the open orders */
		snprintf(it->status, sizeof it->status, "%s", d->co.status[0] ? d->co.status : "Cancelled");
		if (d->co.filled != TWS_UNSET_DOUBLE)
			it->filled = d->co.filled;
		it->remaining = 0;
		it->acked = 1;
	}
	if (op != NULL && op->status[0]) {
		snprintf(it->status, sizeof it->status, "%s", op->status);
		it->filled = op->filled;
		/* an OPEN_ORDER without its ORDER_STATUS yet says nothing of what remains */
		it->remaining = op->remaining > 0 || bk_status_final(op->status) ? op->remaining :
		    (double)it->o->qty - op->filled;
		it->avg_price = op->avg_price;
		it->acked = 1;
	}
	q = bk_snap_filled_by_ref(&s->snap, it->o->client_id, &oid);
	if (q > 0) {
		for (size_t i = 0; i < s->snap.nfills; i++)
			if (s->snap.fills[i].have_exec && strcmp(s->snap.fills[i].ex.order_ref, it->o->client_id) == 0)
				cost += s->snap.fills[i].ex.shares * s->snap.fills[i].ex.price;
		if (q >= it->filled) {
			it->filled = q;
			it->avg_price = cost / q;
			it->remaining = (double)it->o->qty - q > 0 ? (double)it->o->qty - q : 0;
		}
		if (it->order_id == 0) {
			it->order_id = oid;
		}
		it->acked = 1;
		if (q >= (double)it->o->qty)
			snprintf(it->status, sizeof it->status, "Filled");
	}
	if (s->cancelling) { /* a staged order is Inactive until its cancel lands */
		if (strstr(it->status, "Cancelled") != NULL || strcmp(it->status, "Filled") == 0) {
			it->final = 1;
			it->failed = strcmp(it->status, "Filled") == 0;
		}
	} else if (it->acked && bk_status_final(it->status)) {
		it->final = 1;
		it->failed = strcmp(it->status, "Filled") != 0 && !(strcmp(it->status, "Inactive") == 0 && !s->transmit);
	}
}

int
bk_sub_write_status(const bk_sub_item *it, FILE *fp)
{
	json_t *o = json_pack("{s:s,s:s,s:I,s:s,s:s,s:s,s:o,s:o,s:o}", "type", "status", "client_id",
	    it->o->client_id, "order_id", (json_int_t)it->order_id, "symbol", it->o->symbol, "side", it->o->side,
	    "status", it->status[0] ? it->status : "Unknown", "filled", json_integer((json_int_t)it->filled),
	    "remaining", json_integer((json_int_t)(it->acked ? it->remaining : (double)it->o->qty)), "avg_price",
	    it->filled > 0 ? json_real(it->avg_price) : json_null());
	int rc = o ? nd_write(fp, o) : -1;

	json_decref(o);
	return rc;
}

int
bk_sub_start(bk_submit *s, tws_client *c, const bk_orders *o, const char *account, int client_id,
    int transmit, FILE *out, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->c = c;
	s->out = out;
	s->client_id = client_id;
	s->transmit = transmit;
	s->batch = o;
	snprintf(s->account, sizeof s->account, "%s", account);
	bk_snap_init(&s->snap, account);
	int rc;

	if ((s->items = calloc(o->n ? o->n : 1, sizeof *s->items)) == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	s->n = o->n;
	if ((rc = bk_snap_take(c, &s->snap, BK_SNAP_ORDERS | BK_SNAP_COMPLETED | BK_SNAP_FILLS, NULL, err, errlen)) != 0)
		return rc;
	for (size_t i = 0; i < o->n; i++) {
		bk_sub_item *it = &s->items[i];
		it->o = &o->v[i];
		sync_item(s, it);
		if (it->acked)
			log_info("%s: already at the broker (order id %lld, %s, %g of %lld filled): not placed again",
			    it->o->client_id, it->order_id, it->status[0] ? it->status : "executed", it->filled, it->o->qty);
	}
	return 0;
}

/* ================================ superseding ================================ */

typedef struct decision {
	char strategy[96];
	int day;
} decision;

static int
write_superseded(const bk_sup *u, int by, FILE *fp)
{
	char d[DATE_LEN + 1];
	json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:i,s:s,s:s,s:o,s:o,s:s,s:o}", "type", "superseded", "client_id",
	    u->client_id, "order_id", (json_int_t)u->order_id, "perm_id", (json_int_t)u->perm_id, "client", u->client,
	    "symbol", u->symbol, "side", u->side, "qty", json_integer((json_int_t)u->qty), "filled",
	    json_integer((json_int_t)u->filled), "status", u->status[0] ? u->status : "Unknown", "by",
	    by > 0 ? json_string(date_fmt(by, d)) : json_null());
	int rc = o ? nd_write(fp, o) : -1;

	json_decref(o);
	return rc;
}

static bk_sup *
sup_by_order(bk_submit *s, int client, long long order_id)
{
	for (size_t i = 0; i < s->nsup; i++)
		if (s->sup[i].order_id == order_id && s->sup[i].client == client)
			return &s->sup[i];
	return NULL;
}

/* The decisions of the batch, one per strategy. Returns their number, or -1 (err set) when a strategy has
 * two dates. */
/* The decisions (strategy, day) of the batch into dv[0..*n). Returns 0, or EX_DATAERR when a strategy has
 * two (err set). */
static int
batch_decisions(const bk_submit *s, decision *dv, int max, int *nout, char *err, size_t errlen)
{
	int n = 0;

	for (size_t i = 0; i < s->n; i++) {
		decision d;
		int k;
		char a[DATE_LEN + 1], b[DATE_LEN + 1];
		if (bk_client_id_decision(s->items[i].o->client_id, &d.day, d.strategy, sizeof d.strategy) < 0)
			continue; /* bk_ord_read has checked them: cannot happen */
		for (k = 0; k < n && strcmp(dv[k].strategy, d.strategy) != 0; k++)
			;
		if (k < n && dv[k].day != d.day)
			return err_ret(EX_DATAERR, err, errlen, "the batch holds two decisions of strategy %s (%s and "
			    "%s): one at a time; no order sent", d.strategy, date_fmt(dv[k].day, a), date_fmt(d.day, b));
		if (k == n && n < max)
			dv[n++] = d;
	}
	*nout = n;
	return 0;
}

static bk_sup *
add_sup(bk_submit *s, const bk_open *op)
{
	const tws_order *x = &op->oo.order;
	bk_sup *u = &s->sup[s->nsup++];

	memset(u, 0, sizeof *u);
	snprintf(u->client_id, sizeof u->client_id, "%s", x->order_ref);
	snprintf(u->symbol, sizeof u->symbol, "%s", op->oo.contract.symbol);
	snprintf(u->side, sizeof u->side, "%s", x->action);
	snprintf(u->status, sizeof u->status, "%s", op->status);
	u->order_id = x->order_id;
	u->perm_id = x->perm_id;
	u->client = x->client_id;
	u->qty = x->qty;
	u->filled0 = u->filled = op->filled;
	return u;
}

int
bk_sub_supersede(bk_submit *s, long long deadline_ms, char *err, size_t errlen)
{
	decision dv[64];
	int nd = 0, day, by = 0, rc;
	char strategy[96], a[DATE_LEN + 1], b[DATE_LEN + 1];
	size_t nfailed = 0, first_failed = 0;
	tws_event ev;

	if ((rc = batch_decisions(s, dv, 64, &nd, err, errlen)) != 0)
		return rc;
	free(s->sup);
	s->nsup = 0;
	if ((s->sup = calloc(s->snap.nopen ? s->snap.nopen : 1, sizeof *s->sup)) == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	for (size_t i = 0; i < s->snap.nopen; i++) {
		const bk_open *op = &s->snap.open[i];
		const tws_order *x = &op->oo.order;
		int k;
		if (!bk_open_working(op) || bk_client_id_decision(x->order_ref, &day, strategy, sizeof strategy) < 0)
			continue;
		for (k = 0; k < nd && strcmp(dv[k].strategy, strategy) != 0; k++)
			;
		if (k == nd || day == dv[k].day)
			continue; /* another strategy, or this very decision (exactly once applies) */
		if (day > dv[k].day)
			return err_ret(EX_DATAERR, err, errlen,
			    "a newer decision of strategy %s (%s: %s) is working at the broker: this batch "
			    "of %s is stale; no order sent", strategy, date_fmt(day, a), x->order_ref, date_fmt(dv[k].day, b));
		add_sup(s, op);
		by = dv[k].day;
	}
	if (by == 0 && nd > 0)
		by = dv[0].day;
	/* The orders `orders` set aside as superseded: what it sized on must still hold. */
	for (size_t i = 0; s->batch != NULL && i < s->batch->nsup; i++) {
		const bk_supersede *r = &s->batch->sup[i];
		const bk_open *op = bk_snap_order_by_ref(&s->snap, r->client_id);
		const bk_done *d = bk_snap_done_by_ref(&s->snap, r->client_id);
		double now = bk_snap_filled_by_ref(&s->snap, r->client_id, NULL);
		bk_sup *u = NULL;
		if (op != NULL && op->filled > now)
			now = op->filled;
		if (d != NULL && d->co.filled != TWS_UNSET_DOUBLE && d->co.filled > now)
			now = d->co.filled;
		if (now > r->filled)
			return err_ret(EX_TEMPFAIL, err, errlen,
			    "%s: %g shares filled since the orders were computed (%g then): the holdings "
			    "differ from those this batch was sized on: compute the orders again; no order sent",
			    r->client_id, now, r->filled);
		if (op == NULL || !bk_open_working(op))
			continue; /* gone meanwhile (cancelled), nothing filled: nothing to do */
		for (size_t k = 0; k < s->nsup && u == NULL; k++)
			if (s->sup[k].perm_id == op->oo.order.perm_id && s->sup[k].client == op->oo.order.client_id &&
			    s->sup[k].order_id == op->oo.order.order_id)
				u = &s->sup[k];
		if (u == NULL)
			u = add_sup(s, op);
		u->filled0 = r->filled;
	}
	for (size_t i = 0; i < s->nsup; i++)
		if (s->sup[i].client != s->client_id)
			return err_ret(EX_NOPERM, err, errlen,
			    "%s must be superseded (a newer decision replaces it) but was placed by API client "
			    "%d, and IB lets only that client cancel it: cancel it with ib-submit --cancel --client-id %d, "
			    "or submit with --client-id %d; no order sent", s->sup[i].client_id, s->sup[i].client,
			    s->sup[i].client, s->sup[i].client);
	for (size_t i = 0; i < s->nsup; i++) {
		bk_sup *u = &s->sup[i];
		if (tws_cancel_order(s->c, u->order_id) < 0)
			return tws_err_ret(s->c, err, errlen);
		log_info("superseding %s (order id %lld, %s, %g of %g filled): decision %s replaces it", u->client_id,
		    u->order_id, u->status, u->filled0, u->qty, by > 0 ? date_fmt(by, a) : "of this batch");
	}
	for (size_t left = s->nsup; left > 0;) {
		bk_sup *u = NULL;
		int r, was_done = 0;
		if (util_now_ms() >= deadline_ms)
			break;
		if ((r = tws_poll(s->c, &ev, 250)) < 0)
			return tws_err_ret(s->c, err, errlen);
		if (r == 0)
			continue;
		if (bk_snap_apply(&s->snap, &ev) < 0)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		switch (ev.type) {
		case TWS_EV_ORDER_STATUS:
			if ((u = sup_by_order(s, ev.u.status.client_id, ev.u.status.order_id)) == NULL || (was_done = u->done))
				break;
			snprintf(u->status, sizeof u->status, "%s", ev.u.status.status);
			u->filled = ev.u.status.filled;
			if (strcmp(u->status, "Filled") == 0) {
				u->failed = 1;
				snprintf(u->why, sizeof u->why, "it filled before its cancel");
			}
			u->done = strstr(u->status, "Cancelled") != NULL || u->failed;
			break;
		case TWS_EV_ERROR:
			if (ev.u.error.id <= 0 || (u = sup_by_order(s, s->client_id, ev.u.error.id)) == NULL ||
			    (was_done = u->done) || tws_error_is_notice(ev.u.error.code))
				break;
			if (ev.u.error.code == 202) {
				snprintf(u->status, sizeof u->status, "Cancelled");
			} else {
				u->failed = 1;
				snprintf(u->why, sizeof u->why, "%.150s (error %d)", ev.u.error.msg, ev.u.error.code);
			}
			u->done = 1;
			break;
		case TWS_EV_TIMEOUT:
			if (ev.kind == TWS_REQ_CANCEL && (u = sup_by_order(s, s->client_id, ev.req_id)) != NULL &&
			    !(was_done = u->done)) {
				u->failed = u->done = 1;
				snprintf(u->why, sizeof u->why, "TWS did not confirm the cancel in time");
			}
			break;
		case TWS_EV_RECONNECTED:
			return err_ret(EX_TEMPFAIL, err, errlen,
			    "the connection to TWS was lost while superseding older orders: run again; "
			    "no order sent");
		default:
			break;
		}
		if (u != NULL && u->done && !was_done)
			left--;
	}
	for (size_t i = 0; i < s->nsup; i++) {
		bk_sup *u = &s->sup[i];
		const bk_open *op = bk_snap_order_by_id(&s->snap, u->client, u->order_id);
		if (op != NULL && op->filled > u->filled) /* a status after the 202 */
			u->filled = op->filled;
		if (!u->done) {
			u->failed = 1;
			snprintf(u->why, sizeof u->why, "no confirmation of the cancel in time");
		}
		if (!u->failed && u->filled > u->filled0) {
			u->failed = 1;
			snprintf(u->why, sizeof u->why, "%g more shares filled while it was being cancelled",
			    u->filled - u->filled0);
		}
		if (u->failed && nfailed++ == 0)
			first_failed = i;
		if (write_superseded(u, by, s->out) < 0)
			s->write_failed = 1;
	}
	fflush(s->out);
	if (nfailed > 0)
		return err_ret(EX_TEMPFAIL, err, errlen,
		    "%zu superseded order%s traded or could not be cancelled (%s: %s): the holdings "
		    "differ from those this batch was sized on: compute the orders again; no order sent", nfailed,
		    nfailed > 1 ? "s" : "", s->sup[first_failed].client_id, s->sup[first_failed].why);
	if (s->nsup > 0)
		log_info("%zu older order%s superseded", s->nsup, s->nsup > 1 ? "s" : "");
	return 0;
}

static int
place(bk_submit *s, bk_sub_item *it, const char *what)
{
	tws_contract ct;
	tws_order to;
	long long id;
	char lmt[48] = "";

	bk_ord_to_tws(it->o, s->account, s->transmit, &ct, &to);
	if ((id = tws_place_order(s->c, &ct, &to)) < 0)
		return -1;
	if (!isnan(it->o->lmt_price))
		snprintf(lmt, sizeof lmt, " limit %g", it->o->lmt_price);
	log_info("%s %s: %s %lld %s %s %s%s%s in %s (order id %lld)", what, it->o->client_id, it->o->side,
	    it->o->qty, it->o->symbol, it->o->order_type, it->o->tif, lmt, s->transmit ? "" : " staged (transmit 0)",
	    s->account, id);
	it->order_id = id;
	it->client_id = s->client_id;
	it->placed = 1;
	it->acked = 0;
	it->status[0] = '\0';
	return 0;
}

int
bk_sub_place(bk_submit *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->items[i].acked || s->items[i].order_id != 0)
			continue;
		if (place(s, &s->items[i], "placing") < 0)
			return tws_err_ret(s->c, err, errlen);
	}
	return 0;
}

/* Ask again for every open order and execution; after a reconnect the answers decide what was lost. */
static int
start_refresh(bk_submit *s, int after_reconnect)
{
	if (s->refreshing && !after_reconnect)
		return 0;
	if (tws_req_all_open_orders(s->c) < 0 || (s->refresh_exec_id = tws_req_executions(s->c, NULL)) < 0)
		return -1;
	s->refreshing = 1;
	s->refresh_ord_done = s->refresh_exec_done = 0;
	s->after_reconnect |= after_reconnect;
	return 0;
}

static int
finish_refresh(bk_submit *s)
{
	int reconnected = s->after_reconnect;

	s->refreshing = 0;
	s->after_reconnect = 0;
	for (size_t i = 0; i < s->n; i++) {
		bk_sub_item *it = &s->items[i];
		int present;

		if (it->final)
			continue;
		sync_item(s, it);
		present = bk_snap_order_by_ref(&s->snap, it->o->client_id) != NULL ||
		    bk_snap_filled_by_ref(&s->snap, it->o->client_id, NULL) > 0;
		if (present || it->final || it->order_id == 0)
			continue;
		if (!it->acked && reconnected) {
			/* Sent on the old connection and never reached the broker: place it again. */
			if (place(s, it, "placing again (lost with the connection)") < 0)
				return -1;
		} else if (!it->acked) {
			snprintf(it->status, sizeof it->status, "Unknown");
			snprintf(it->why, sizeof it->why, "no acknowledgement, and not among the broker's orders");
			log_warn("%s: %s", it->o->client_id, it->why);
			it->acked = it->final = it->failed = 1;
		} else if (!bk_status_final(it->status)) {
			snprintf(it->status, sizeof it->status, "Cancelled");
			snprintf(it->why, sizeof it->why, "no longer among the broker's open orders, %g of %lld filled",
			    it->filled, it->o->qty);
			log_warn("%s: %s", it->o->client_id, it->why);
			it->final = it->failed = 1;
		}
	}
	return 0;
}

static int
on_event(bk_submit *s, const tws_event *ev, char *err, size_t errlen)
{
	bk_sub_item *it = NULL;

	if (bk_snap_apply(&s->snap, ev) < 0)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	switch (ev->type) {
	case TWS_EV_OPEN_ORDER:
		it = item_by_order(s, ev->u.open_order.order.client_id, ev->u.open_order.order.order_id);
		if (it == NULL)
			it = item_by_ref(s, ev->u.open_order.order.order_ref);
		break;
	case TWS_EV_ORDER_STATUS:
		it = item_by_order(s, ev->u.status.client_id, ev->u.status.order_id);
		break;
	case TWS_EV_EXEC:
		it = item_by_ref(s, ev->u.exec.order_ref);
		break;
	case TWS_EV_COMMISSION:
		for (size_t i = 0; i < s->snap.nfills && it == NULL; i++)
			if (strcmp(s->snap.fills[i].ex.exec_id, ev->u.commission.exec_id) == 0 && s->snap.fills[i].have_exec)
				it = item_by_ref(s, s->snap.fills[i].ex.order_ref);
		break;
	case TWS_EV_ERROR: {
		const tws_error *e = &ev->u.error;
		if (e->id > 0 && (it = item_by_order(s, s->client_id, e->id)) != NULL) {
			if (tws_error_is_notice(e->code)) {
				log_info("%s: %s (notice %d)", it->o->client_id, e->msg, e->code);
				it = NULL;
				break;
			}
			if (s->cancelling && e->code == 202) {
				snprintf(it->status, sizeof it->status, "Cancelled");
				it->acked = it->final = 1;
			} else if (!it->final) {
				snprintf(it->status, sizeof it->status, "%s", e->code == 202 ? "Cancelled" : "Rejected");
				snprintf(it->why, sizeof it->why, "%.200s (error %d)", e->msg, e->code);
				log_warn("%s: %s: %s", it->o->client_id, it->status, it->why);
				it->acked = it->final = it->failed = 1;
			}
			it = NULL;
		} else if (!tws_error_is_notice(e->code)) {
			log_warn("TWS: %s (error %d)", e->msg, e->code);
		}
		break;
	}
	case TWS_EV_TIMEOUT:
		if (ev->kind == TWS_REQ_ORDER && (it = item_by_order(s, s->client_id, ev->req_id)) != NULL &&
		    !it->acked && start_refresh(s, 0) < 0)
			goto gone;
		it = NULL;
		if (ev->kind == TWS_REQ_OPEN_ORDERS || ev->kind == TWS_REQ_EXECUTIONS) {
			s->refreshing = 0;
			if (start_refresh(s, s->after_reconnect) < 0)
				goto gone;
		}
		break;
	case TWS_EV_RECONNECTED:
		log_warn("reconnected to TWS: reading the open orders and executions again");
		if (start_refresh(s, 1) < 0)
			goto gone;
		break;
	case TWS_EV_OPEN_ORDER_END:
		s->refresh_ord_done = 1;
		break;
	case TWS_EV_EXEC_END:
		if (ev->req_id == s->refresh_exec_id)
			s->refresh_exec_done = 1;
		break;
	default:
		break;
	}
	if (it != NULL)
		sync_item(s, it);
	if (s->refreshing && s->refresh_ord_done && s->refresh_exec_done && finish_refresh(s) < 0)
		goto gone;
	return 0;
gone:
	return tws_err_ret(s->c, err, errlen);
}

static int
is_ours(bk_submit *s, const char *ref)
{
	return item_by_ref(s, ref) != NULL;
}

/* Fills of our orders whose commission report has not come yet. */
static size_t
fills_without_commission(bk_submit *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->snap.nfills; i++)
		n += s->snap.fills[i].have_exec && !s->snap.fills[i].printed && isnan(s->snap.fills[i].commission) &&
		    is_ours(s, s->snap.fills[i].ex.order_ref);
	return n;
}

/* Write the fills of our orders not written yet: those with their commission, or all when flush. */
static void
write_fills(bk_submit *s, int flush)
{
	for (size_t i = 0; i < s->snap.nfills; i++) {
		bk_fill *f = &s->snap.fills[i];
		if (!f->have_exec || f->printed || !is_ours(s, f->ex.order_ref) || (isnan(f->commission) && !flush))
			continue;
		if (bk_fill_write(f, s->out) < 0)
			s->write_failed = 1;
		f->printed = 1;
	}
}

int
bk_sub_follow(bk_submit *s, int wait, long long deadline_ms, char *err, size_t errlen)
{
	long long next_refresh = util_now_ms() + REFRESH_EVERY_MS, grace = -1;
	int acks_written = 0;
	tws_event ev;
	int rc;

	for (;;) {
		size_t nacked = 0, nfinal = 0;
		long long now = util_now_ms();
		int r, left = 250;

		for (size_t i = 0; i < s->n; i++) {
			nacked += s->items[i].acked || s->items[i].final;
			nfinal += s->items[i].final;
		}
		if (!acks_written && nacked == s->n) {
			for (size_t i = 0; i < s->n; i++) {
				if (bk_sub_write_status(&s->items[i], s->out) < 0)
					s->write_failed = 1;
				s->items[i].reported = s->items[i].final;
			}
			fflush(s->out);
			acks_written = 1;
			if (s->on_acked != NULL)
				s->on_acked(s->acked_ctx);
		}
		if (acks_written && !wait)
			return 0;
		if (acks_written) {
			/* TWS sends a fill's commission report after its execution and the order's status: give the
			 * last ones a moment before writing them without */
			if (nfinal == s->n && grace < 0)
				grace = now + COMMISSION_GRACE_MS;
			write_fills(s, nfinal == s->n && (now >= grace || fills_without_commission(s) == 0));
			for (size_t i = 0; i < s->n; i++)
				if (s->items[i].final && !s->items[i].reported) {
					if (bk_sub_write_status(&s->items[i], s->out) < 0)
						s->write_failed = 1;
					s->items[i].reported = 1;
				}
			fflush(s->out);
			if (nfinal == s->n && fills_without_commission(s) == 0)
				return 0;
		}
		if (deadline_ms >= 0 && now >= deadline_ms) {
			write_fills(s, 1);
			for (size_t i = 0; i < s->n; i++)
				if (!s->items[i].reported && (!acks_written || !s->items[i].final)) {
					if (bk_sub_write_status(&s->items[i], s->out) < 0)
						s->write_failed = 1;
					s->items[i].reported = 1;
				}
			return err_ret(EX_TEMPFAIL, err, errlen, "the deadline passed before every order settled");
		}
		if (wait && acks_written && now >= next_refresh) {
			if (start_refresh(s, 0) < 0)
				goto gone;
			next_refresh = now + REFRESH_EVERY_MS;
		}
		if (deadline_ms >= 0 && deadline_ms - now < left)
			left = (int)(deadline_ms - now);
		if ((r = tws_poll(s->c, &ev, left)) < 0)
			goto gone;
		if (r > 0 && (rc = on_event(s, &ev, err, errlen)) != 0)
			return rc;
	}
gone:
	return tws_err_ret(s->c, err, errlen);
}

/* Ours, and still working or staged. */
static int
cancellable(const bk_open *op)
{
	return op->have_open && bk_is_client_id(op->oo.order.order_ref) && strcmp(op->status, "Filled") != 0 &&
	    strstr(op->status, "Cancelled") == NULL;
}

int
bk_sub_cancel(bk_submit *s, tws_client *c, const char *account, int client_id, FILE *out, char *err,
    size_t errlen)
{
	bk_orders none = { 0 };
	int rc;

	if ((rc = bk_sub_start(s, c, &none, account, client_id, 1, out, err, errlen)) != 0)
		return rc;
	s->cancelling = 1;
	for (size_t i = 0; i < s->snap.nopen; i++) {
		const bk_open *op = &s->snap.open[i];
		if (cancellable(op))
			s->own.n++;
	}
	s->own.v = calloc(s->own.n ? s->own.n : 1, sizeof *s->own.v);
	free(s->items);
	s->items = calloc(s->own.n ? s->own.n : 1, sizeof *s->items);
	if (s->own.v == NULL || s->items == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	s->own.cap = s->own.n;
	s->n = 0;
	for (size_t i = 0; i < s->snap.nopen; i++) {
		const bk_open *op = &s->snap.open[i];
		bk_order *o = &s->own.v[s->n];
		bk_sub_item *it = &s->items[s->n];

		if (!cancellable(op))
			continue;
		snprintf(o->client_id, sizeof o->client_id, "%s", op->oo.order.order_ref);
		snprintf(o->symbol, sizeof o->symbol, "%s", op->oo.contract.symbol);
		snprintf(o->side, sizeof o->side, "%s", op->oo.order.action);
		o->qty = (long long)op->oo.order.qty;
		it->o = o;
		it->order_id = op->oo.order.order_id;
		it->client_id = op->oo.order.client_id;
		snprintf(it->status, sizeof it->status, "%s", op->status);
		it->filled = op->filled;
		it->remaining = op->remaining;
		it->avg_price = op->avg_price;
		s->n++;
		if (it->client_id != client_id) {
			snprintf(it->why, sizeof it->why, "placed by API client %d: cancel it with --client-id %d",
			    it->client_id, it->client_id);
			log_warn("%s: not cancelled: %s", o->client_id, it->why);
			it->acked = it->final = it->failed = 1;
			continue;
		}
		if (tws_cancel_order(c, it->order_id) < 0)
			return tws_err_ret(c, err, errlen);
		log_info("cancelling %s (order id %lld, %s)", o->client_id, it->order_id, it->status);
		it->acked = 1;
	}
	return 0;
}
