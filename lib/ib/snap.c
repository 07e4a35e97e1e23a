#include "ib/snap.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "err.h"
#include "ndjson.h"
#include "num.h"
#include "util.h"

void
bk_snap_init(bk_snap *s, const char *account)
{
	memset(s, 0, sizeof *s);
	snprintf(s->account, sizeof s->account, "%s", account ? account : "");
	s->net_liquidation = s->total_cash = s->available_funds = NAN;
	s->server_time = -1;
}

void
bk_snap_free(bk_snap *s)
{
	char account[sizeof s->account];

	memcpy(account, s->account, sizeof account);
	free(s->pos);
	free(s->open);
	free(s->fills);
	free(s->done);
	bk_snap_init(s, account);
}

/* Grow an array to hold one more element. Returns 0 or -1. */
static int
other_account(const bk_snap *s, const char *account)
{
	return s->account[0] && account[0] && strcmp(s->account, account) != 0;
}

static bk_open *
find_order(const bk_snap *s, int client_id, long long order_id, long long perm_id)
{
	for (size_t i = 0; i < s->nopen; i++) {
		const tws_order *o = &s->open[i].oo.order;
		if (order_id != 0 ? o->order_id == order_id && o->client_id == client_id : o->perm_id == perm_id)
			return &s->open[i];
	}
	return NULL;
}

static bk_open *
add_order(bk_snap *s)
{
	bk_open *o;

	if (util_grow((void **)&s->open, &s->capopen, s->nopen + 1, sizeof *s->open) < 0)
		return NULL;
	o = &s->open[s->nopen++];
	memset(o, 0, sizeof *o);
	return o;
}

static bk_fill *
find_fill(bk_snap *s, const char *exec_id)
{
	for (size_t i = 0; i < s->nfills; i++)
		if (strcmp(s->fills[i].ex.exec_id, exec_id) == 0)
			return &s->fills[i];
	if (util_grow((void **)&s->fills, &s->capfills, s->nfills + 1, sizeof *s->fills) < 0)
		return NULL;
	memset(&s->fills[s->nfills], 0, sizeof *s->fills);
	snprintf(s->fills[s->nfills].ex.exec_id, sizeof s->fills[0].ex.exec_id, "%s", exec_id);
	s->fills[s->nfills].commission = NAN;
	return &s->fills[s->nfills++];
}

static double
value(const char *text)
{
	double v;

	return num_parse(text, strlen(text), &v) == 0 ? v : NAN;
}

int
bk_snap_apply(bk_snap *s, const tws_event *ev)
{
	switch (ev->type) {
	case TWS_EV_ACCOUNT_VALUE: {
		const tws_account_value *a = &ev->u.account_value;
		if (other_account(s, a->account))
			return 0;
		if (strcmp(a->tag, "NetLiquidation") == 0) {
			s->net_liquidation = value(a->value);
			snprintf(s->currency, sizeof s->currency, "%s", a->currency);
		} else if (strcmp(a->tag, "TotalCashValue") == 0) {
			s->total_cash = value(a->value);
		} else if (strcmp(a->tag, "AvailableFunds") == 0) {
			s->available_funds = value(a->value);
		} else {
			return 0;
		}
		if (!s->account[0])
			snprintf(s->account, sizeof s->account, "%s", a->account);
		s->have_account = 1;
		return 1;
	}
	case TWS_EV_CURRENT_TIME:
		s->server_time = ev->u.time;
		return 1;
	case TWS_EV_POSITION: {
		const tws_position *p = &ev->u.position;
		size_t i;
		if (other_account(s, p->account))
			return 0;
		for (i = 0; i < s->npos; i++)
			if (strcmp(s->pos[i].account, p->account) == 0 && s->pos[i].contract.con_id == p->contract.con_id &&
			    strcmp(s->pos[i].contract.symbol, p->contract.symbol) == 0)
				break;
		if (i == s->npos && util_grow((void **)&s->pos, &s->cappos, ++s->npos, sizeof *s->pos) < 0) {
			s->npos--;
			return -1;
		}
		s->pos[i] = *p;
		return 1;
	}
	case TWS_EV_OPEN_ORDER: {
		const tws_open_order *x = &ev->u.open_order;
		bk_open *o;
		if (other_account(s, x->order.account))
			return 0;
		o = find_order(s, x->order.client_id, x->order.order_id, x->order.perm_id);
		if (o == NULL && (o = add_order(s)) == NULL)
			return -1;
		o->oo = *x;
		if (x->status[0]) /* the latest message has the order's current state */
			snprintf(o->status, sizeof o->status, "%s", x->status);
		o->have_open = 1;
		return 1;
	}
	case TWS_EV_ORDER_STATUS: {
		const tws_order_status *st = &ev->u.status;
		bk_open *o = find_order(s, st->client_id, st->order_id, st->perm_id);
		if (o == NULL) {
			if ((o = add_order(s)) == NULL)
				return -1;
			o->oo.order.order_id = st->order_id;
			o->oo.order.client_id = st->client_id;
			o->oo.order.perm_id = st->perm_id;
		}
		snprintf(o->status, sizeof o->status, "%s", st->status);
		o->filled = st->filled;
		o->remaining = st->remaining;
		o->avg_price = st->avg_fill_price;
		return 1;
	}
	case TWS_EV_EXEC: {
		bk_fill *f;
		if (other_account(s, ev->u.exec.account))
			return 0;
		if ((f = find_fill(s, ev->u.exec.exec_id)) == NULL)
			return -1;
		f->ex = ev->u.exec;
		f->have_exec = 1;
		return 1;
	}
	case TWS_EV_COMPLETED_ORDER: {
		const tws_completed_order *x = &ev->u.completed;
		size_t i;
		if (other_account(s, x->order.account))
			return 0;
		for (i = 0; i < s->ndone; i++)
			if (x->order.perm_id != 0 && s->done[i].co.order.perm_id == x->order.perm_id)
				break;
		if (i == s->ndone && util_grow((void **)&s->done, &s->capdone, ++s->ndone, sizeof *s->done) < 0) {
			s->ndone--;
			return -1;
		}
		s->done[i].co = *x;
		return 1;
	}
	case TWS_EV_COMMISSION: {
		bk_fill *f = find_fill(s, ev->u.commission.exec_id);
		if (f == NULL)
			return -1;
		f->commission = ev->u.commission.commission == TWS_UNSET_DOUBLE ? NAN : ev->u.commission.commission;
		return 1;
	}
	default:
		return 0;
	}
}

int
bk_status_final(const char *status)
{
	return strcmp(status, "Filled") == 0 || strcmp(status, "Cancelled") == 0 ||
	    strcmp(status, "ApiCancelled") == 0 || strcmp(status, "Inactive") == 0;
}

const bk_open *
bk_snap_order_by_ref(const bk_snap *s, const char *ref)
{
	const bk_open *best = NULL;

	for (size_t i = 0; i < s->nopen; i++)
		if (s->open[i].have_open && strcmp(s->open[i].oo.order.order_ref, ref) == 0 &&
		    (best == NULL || s->open[i].oo.order.perm_id > best->oo.order.perm_id))
			best = &s->open[i];
	return best;
}

const bk_done *
bk_snap_done_by_ref(const bk_snap *s, const char *ref)
{
	const bk_done *best = NULL;

	for (size_t i = 0; i < s->ndone; i++)
		if (strcmp(s->done[i].co.order.order_ref, ref) == 0 &&
		    (best == NULL || s->done[i].co.order.perm_id > best->co.order.perm_id))
			best = &s->done[i];
	return best;
}

int
bk_open_working(const bk_open *o)
{
	return o->have_open && strcmp(o->status, "Filled") != 0 && strcmp(o->status, "Cancelled") != 0 &&
	    strcmp(o->status, "ApiCancelled") != 0;
}

const bk_open *
bk_snap_order_by_id(const bk_snap *s, int client_id, long long order_id)
{
	return order_id != 0 ? find_order(s, client_id, order_id, 0) : NULL;
}

double
bk_snap_filled_by_ref(const bk_snap *s, const char *ref, long long *order_id)
{
	double q = 0;

	for (size_t i = 0; i < s->nfills; i++)
		if (s->fills[i].have_exec && strcmp(s->fills[i].ex.order_ref, ref) == 0) {
			q += s->fills[i].ex.shares;
			if (order_id)
				*order_id = s->fills[i].ex.order_id;
		}
	return q;
}

/* ================================ taking a snapshot ================================ */

int
bk_snap_take(tws_client *c, bk_snap *s, unsigned what, const tws_exec_filter *f, char *err, size_t errlen)
{
	int acct_id = -1, exec_id = -1, need = 0, r;
	enum { N_ACCT = 1, N_TIME = 2, N_POS = 4, N_ORD = 8, N_EXEC = 16, N_DONE = 32 };
	tws_event ev;

	if (what & BK_SNAP_ACCOUNT) {
		acct_id = tws_req_account_summary(c, NULL, "NetLiquidation,TotalCashValue,AvailableFunds");
		r = tws_req_current_time(c);
		need |= N_ACCT | N_TIME;
		if (acct_id < 0 || r < 0)
			goto req_failed;
	}
	if (what & BK_SNAP_POSITIONS) {
		if (tws_req_positions(c) < 0)
			goto req_failed;
		need |= N_POS;
	}
	if (what & BK_SNAP_ORDERS) {
		if (tws_req_all_open_orders(c) < 0)
			goto req_failed;
		need |= N_ORD;
	}
	if (what & BK_SNAP_FILLS) {
		if ((exec_id = tws_req_executions(c, f)) < 0)
			goto req_failed;
		need |= N_EXEC;
	}
	if (what & BK_SNAP_COMPLETED) {
		if (tws_req_completed_orders(c, 0) < 0)
			goto req_failed;
		need |= N_DONE;
	}
	while (need) {
		if ((r = tws_poll(c, &ev, 1000)) < 0)
			return tws_err_ret(c, err, errlen);
		if (r == 0)
			continue;
		if (bk_snap_apply(s, &ev) < 0)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		switch (ev.type) {
		case TWS_EV_ACCOUNT_SUMMARY_END: if (ev.req_id == acct_id) need &= ~N_ACCT; break;
		case TWS_EV_CURRENT_TIME: need &= ~N_TIME; break;
		case TWS_EV_POSITION_END: need &= ~N_POS; break;
		case TWS_EV_OPEN_ORDER_END: if (ev.kind == TWS_REQ_OPEN_ORDERS) need &= ~N_ORD; break;
		case TWS_EV_COMPLETED_END: need &= ~N_DONE; break;
		case TWS_EV_EXEC_END: if (ev.req_id == exec_id) need &= ~N_EXEC; break;
		case TWS_EV_ERROR:
			if (ev.kind != TWS_REQ_NONE && ev.kind != TWS_REQ_ORDER && ev.kind != TWS_REQ_CANCEL &&
			    ev.kind != TWS_REQ_HIST && !tws_error_is_notice(ev.u.error.code))
				return err_ret(EX_UNAVAILABLE, err, errlen,
				    "TWS refused the %s request: %s (error %d)",
				    tws_req_kind_name(ev.kind), ev.u.error.msg, ev.u.error.code);
			break;
		case TWS_EV_TIMEOUT:
			if (ev.kind != TWS_REQ_ORDER && ev.kind != TWS_REQ_CANCEL && ev.kind != TWS_REQ_HIST)
				return err_ret(EX_UNAVAILABLE, err, errlen,
				    "TWS did not answer the %s request in time",
				    tws_req_kind_name(ev.kind));
			break;
		default:
			break;
		}
	}
	return 0;
req_failed:
	return tws_err_ret(c, err, errlen);
}

/* ================================ writing ================================ */

void
bk_epoch_iso(long long t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
bk_ib_time_iso(const char *ib, char *out, size_t n)
{
	struct tm tm;
	const char *p = ib, *zone;
	long long t;
	int len = 0;

	snprintf(out, n, "%s", ib);
	if (*ib == '\0')
		return -1;
	if (strspn(ib, "0123456789") == strlen(ib) && strlen(ib) > 8) {
		if (num_parse_i64(ib, strlen(ib), &t) < 0)
			return -1;
		bk_epoch_iso(t, out, n);
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	if (sscanf(p, "%4d%2d%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &len) != 3 || len != 8)
		return -1;
	p += 8;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if (*p == '-') { /* UTC */
		if (sscanf(p + 1, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &len) != 3 || p[1 + len] != '\0')
			return -1;
		t = timegm(&tm);
		bk_epoch_iso(t, out, n);
		return 0;
	}
	while (*p == ' ')
		p++;
	if (sscanf(p, "%2d:%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &len) != 3)
		return -1;
	zone = p + len;
	while (*zone == ' ')
		zone++;
	if (*zone == '\0')
		zone = "America/New_York";
	for (const char *z = zone; *z; z++)
		if (!isalnum((unsigned char)*z) && !strchr("/_+-", *z))
			return -1;
	if (strstr(zone, "..") != NULL || (t = date_mktime_in(&tm, zone)) < 0)
		return -1;
	bk_epoch_iso(t, out, n);
	return 0;
}

/* A number as a JSON integer when it is whole (share counts), else a real. */
static json_t *
jnum(double v)
{
	if (isnan(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *
jreal(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static int
emit(FILE *fp, json_t *o)
{
	int rc = o ? nd_write(fp, o) : -1;

	json_decref(o);
	return rc;
}

int
bk_fill_write(const bk_fill *f, FILE *fp)
{
	char t[40];

	bk_ib_time_iso(f->ex.time, t, sizeof t);
	return emit(fp, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:s}", "type", "fill", "client_id",
	    f->ex.order_ref, "exec_id", f->ex.exec_id, "symbol", f->ex.contract.symbol, "side",
	    strcmp(f->ex.side, "SLD") == 0 || strcmp(f->ex.side, "SELL") == 0 ? "SELL" : "BUY", "qty",
	    jnum(f->ex.shares), "price", jreal(f->ex.price), "commission", jreal(f->commission), "time", t));
}

static const bk_snap *cmp_snap;

static int
cmp_pos(const void *a, const void *b)
{
	const tws_position *x = &cmp_snap->pos[*(const size_t *)a], *y = &cmp_snap->pos[*(const size_t *)b];
	int c = strcmp(x->contract.symbol, y->contract.symbol);

	return c ? c : (x->contract.con_id > y->contract.con_id) - (x->contract.con_id < y->contract.con_id);
}

static int
cmp_open(const void *a, const void *b)
{
	const tws_order *x = &cmp_snap->open[*(const size_t *)a].oo.order;
	const tws_order *y = &cmp_snap->open[*(const size_t *)b].oo.order;

	if (x->order_id != y->order_id)
		return x->order_id < y->order_id ? -1 : 1;
	return (x->perm_id > y->perm_id) - (x->perm_id < y->perm_id);
}

static int
cmp_fill(const void *a, const void *b)
{
	const tws_exec *x = &cmp_snap->fills[*(const size_t *)a].ex, *y = &cmp_snap->fills[*(const size_t *)b].ex;
	char tx[40], ty[40];
	int c;

	bk_ib_time_iso(x->time, tx, sizeof tx);
	bk_ib_time_iso(y->time, ty, sizeof ty);
	c = strcmp(tx, ty);
	return c ? c : strcmp(x->exec_id, y->exec_id);
}

static int
cmp_done(const void *a, const void *b)
{
	const tws_order *x = &cmp_snap->done[*(const size_t *)a].co.order;
	const tws_order *y = &cmp_snap->done[*(const size_t *)b].co.order;

	return (x->perm_id > y->perm_id) - (x->perm_id < y->perm_id);
}

/* The security id records carry: IB's conId, or the symbol when there is none. */
static void
sec_id(const tws_contract *c, char *out, size_t n)
{
	if (c->con_id > 0)
		snprintf(out, n, "%d", c->con_id);
	else
		snprintf(out, n, "%s", c->symbol);
}

/* o with key k set to v, or NULL (o freed) when o or v is NULL (a failed allocation) or the set fails.
 * v is consumed either way. */
static json_t *
put(json_t *o, const char *k, json_t *v)
{
	if (o == NULL) {
		json_decref(v);
		return NULL;
	}
	if (v == NULL || json_object_set_new(o, k, v) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* An "open_order" record: a working order of any API client (sti-formats(5)). */
static json_t *
open_json(const bk_open *o)
{
	const tws_order *x = &o->oo.order;
	double remaining = o->remaining > 0 || o->filled > 0 ? o->remaining : x->qty - o->filled;
	json_t *j = json_object();
	char id[48];

	sec_id(&o->oo.contract, id, sizeof id);
	j = put(j, "type", json_string("open_order"));
	j = put(j, "client_id", json_string(x->order_ref));
	j = put(j, "account", json_string(x->account));
	j = put(j, "perm_id", json_integer((json_int_t)x->perm_id));
	j = put(j, "order_id", json_integer((json_int_t)x->order_id));
	j = put(j, "client", json_integer(x->client_id));
	j = put(j, "symbol", json_string(o->oo.contract.symbol));
	j = put(j, "id", json_string(id));
	j = put(j, "side", json_string(x->action));
	j = put(j, "qty", jnum(x->qty));
	j = put(j, "filled", jnum(o->filled));
	j = put(j, "remaining", jnum(remaining < 0 ? 0 : remaining));
	j = put(j, "order_type", json_string(x->order_type));
	j = put(j, "tif", json_string(x->tif));
	j = put(j, "lmt_price", x->lmt_price == TWS_UNSET_DOUBLE || !(x->lmt_price > 0) ? json_null() :
	    jreal(x->lmt_price));
	/* OPEN_ORDER does not carry the transmit flag: an order staged with transmit 0 is Inactive */
	j = put(j, "transmit", json_boolean(strcmp(o->status, "Inactive") != 0));
	j = put(j, "status", json_string(o->status));
	return j;
}

/* A "completed_order" record: an order IB reports as done today. */
static json_t *
done_json(const bk_done *d)
{
	const tws_completed_order *c = &d->co;
	json_t *j = json_object();
	char id[48], t[48];

	sec_id(&c->contract, id, sizeof id);
	bk_ib_time_iso(c->completed_time, t, sizeof t);
	j = put(j, "type", json_string("completed_order"));
	j = put(j, "client_id", json_string(c->order.order_ref));
	j = put(j, "account", json_string(c->order.account));
	j = put(j, "perm_id", json_integer((json_int_t)c->order.perm_id));
	j = put(j, "symbol", json_string(c->contract.symbol));
	j = put(j, "id", json_string(id));
	j = put(j, "side", json_string(c->order.action));
	j = put(j, "qty", jnum(c->order.qty));
	j = put(j, "filled", c->filled == TWS_UNSET_DOUBLE ? json_null() : jnum(c->filled));
	j = put(j, "order_type", json_string(c->order.order_type));
	j = put(j, "tif", json_string(c->order.tif));
	j = put(j, "status", json_string(c->status));
	j = put(j, "completed_time", json_string(t));
	j = put(j, "completed_status", json_string(c->completed_status));
	return j;
}

/* Indexes 0..n-1 sorted by cmp. NULL when out of memory. */
static size_t *
sorted(const bk_snap *s, size_t n, int (*cmp)(const void *, const void *))
{
	size_t *ix = malloc((n ? n : 1) * sizeof *ix);

	if (ix == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ix[i] = i;
	cmp_snap = s;
	qsort(ix, n, sizeof *ix, cmp);
	return ix;
}

int
bk_snap_write(const bk_snap *s, FILE *fp, unsigned what)
{
	char t[40], id[32];
	size_t *ix;
	int rc = 0;

	if ((what & BK_SNAP_ACCOUNT) && s->have_account) {
		if (s->server_time >= 0)
			bk_epoch_iso(s->server_time, t, sizeof t);
		else
			bk_epoch_iso((long long)time(NULL), t, sizeof t);
		rc |= emit(fp, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "type", "account", "account", s->account,
		    "time", t, "currency", s->currency, "net_liquidation", jreal(s->net_liquidation), "total_cash",
		    jreal(s->total_cash), "available_funds", jreal(s->available_funds)));
	}
	if (what & BK_SNAP_POSITIONS) {
		if ((ix = sorted(s, s->npos, cmp_pos)) == NULL)
			return -1;
		for (size_t k = 0; k < s->npos && rc == 0; k++) {
			const tws_position *p = &s->pos[ix[k]];
			if (p->position == 0)
				continue;
			if (p->contract.con_id > 0)
				snprintf(id, sizeof id, "%d", p->contract.con_id);
			else
				snprintf(id, sizeof id, "%s", p->contract.symbol);
			rc |= emit(fp, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "type", "position", "account", p->account,
			    "id", id, "symbol", p->contract.symbol, "qty", jnum(p->position), "avg_cost", jreal(p->avg_cost)));
		}
		free(ix);
	}
	if (what & BK_SNAP_ORDERS) {
		if ((ix = sorted(s, s->nopen, cmp_open)) == NULL)
			return -1;
		for (size_t k = 0; k < s->nopen && rc == 0; k++)
			if (bk_open_working(&s->open[ix[k]]))
				rc |= emit(fp, open_json(&s->open[ix[k]]));
		free(ix);
	}
	if (what & BK_SNAP_COMPLETED) {
		if ((ix = sorted(s, s->ndone, cmp_done)) == NULL)
			return -1;
		for (size_t k = 0; k < s->ndone && rc == 0; k++)
			rc |= emit(fp, done_json(&s->done[ix[k]]));
		free(ix);
	}
	if (what & BK_SNAP_FILLS) {
		if ((ix = sorted(s, s->nfills, cmp_fill)) == NULL)
			return -1;
		for (size_t k = 0; k < s->nfills && rc == 0; k++)
			if (s->fills[ix[k]].have_exec)
				rc |= bk_fill_write(&s->fills[ix[k]], fp);
		free(ix);
	}
	return rc ? -1 : 0;
}
