#include "ib/order.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "ndjson.h"

void
bk_orders_free(bk_orders *o)
{
	if (o == NULL)
		return;
	free(o->v);
	free(o->sup);
	memset(o, 0, sizeof *o);
}

int
bk_is_client_id(const char *ref)
{
	const char *p = ref, *q;
	int day;

	if (strlen(ref) < DATE_LEN + 1 || date_parse(ref, DATE_LEN, &day) < 0 || ref[DATE_LEN] != ':')
		return 0;
	p = ref + DATE_LEN + 1;                     /* STRATEGY:SYMBOL:SIDE */
	if ((q = strchr(p, ':')) == NULL || q == p)
		return 0;
	p = q + 1;                                  /* SYMBOL:SIDE (a symbol may not hold ':' either) */
	if ((q = strchr(p, ':')) == NULL || q == p)
		return 0;
	return strcmp(q + 1, "BUY") == 0 || strcmp(q + 1, "SELL") == 0;
}

int
bk_client_id_decision(const char *ref, int *day, char *strategy, size_t n)
{
	const char *p, *q;

	if (!bk_is_client_id(ref))
		return -1;
	date_parse(ref, DATE_LEN, day);
	p = ref + DATE_LEN + 1;
	q = strchr(p, ':');
	if ((size_t)(q - p) >= n)
		return -1;
	memcpy(strategy, p, (size_t)(q - p));
	strategy[q - p] = '\0';
	return 0;
}

/* The SYMBOL and SIDE parts of a client_id must be the record's: a mismatch means an edited file. */
static int
id_matches(const char *cid, const char *symbol, const char *side)
{
	const char *p = strchr(cid + DATE_LEN + 1, ':') + 1, *q = strchr(p, ':');

	return strlen(symbol) == (size_t)(q - p) && strncmp(p, symbol, (size_t)(q - p)) == 0 &&
	    strcmp(q + 1, side) == 0;
}

static int
copy_field(const json_t *rec, const char *key, char *dst, size_t n, int required, const char *fallback,
    const char *name, long line, char *err, size_t errlen)
{
	json_t *v = json_object_get(rec, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			return err_ret(EX_DATAERR, err, errlen, "%s:%ld: %s: missing", name, line, key);
		err_fmt(dst, n, "%s", fallback);
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= n)
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: %s: not a string of 1 to %zu characters",
		    name, line, key, n - 1);
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

/* An optional whole number >= 0 (-1 when absent). Returns 0, or -1 with err set. */
static int
opt_count(const json_t *rec, const char *key, double *out, const char *name, long line, char *err, size_t errlen)
{
	json_t *v = json_object_get(rec, key);
	double q = json_is_number(v) ? json_number_value(v) : NAN;

	*out = -1;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!(q >= 0 && q <= 9e15 && q == floor(q)))
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: %s: not a whole number from 0", name, line, key);
	*out = q;
	return 0;
}

static int
read_supersede(const json_t *rec, bk_orders *out, const char *name, long line, char *err, size_t errlen)
{
	bk_supersede u;
	double x;

	memset(&u, 0, sizeof u);
	u.line = line;
	if (copy_field(rec, "client_id", u.client_id, sizeof u.client_id, 1, "", name, line, err, errlen) != 0)
		return EX_DATAERR;
	if (!bk_is_client_id(u.client_id))
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: client_id: '%s' is not DATE:STRATEGY:SYMBOL:SIDE",
		    name, line, u.client_id);
	if (opt_count(rec, "filled", &x, name, line, err, errlen) != 0)
		return EX_DATAERR;
	u.filled = x < 0 ? 0 : x;
	if (opt_count(rec, "order_id", &x, name, line, err, errlen) != 0)
		return EX_DATAERR;
	u.order_id = (long long)x;
	if (opt_count(rec, "perm_id", &x, name, line, err, errlen) != 0)
		return EX_DATAERR;
	u.perm_id = (long long)x;
	if (out->nsup == out->capsup) {
		size_t cap = out->capsup ? out->capsup * 2 : 16;
		bk_supersede *v = realloc(out->sup, cap * sizeof *v);
		if (v == NULL)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		out->sup = v;
		out->capsup = cap;
	}
	out->sup[out->nsup++] = u;
	return 0;
}

static int
read_one(const json_t *rec, bk_order *o, const char *name, long line, char *err, size_t errlen)
{
	json_t *v;
	double q;

	memset(o, 0, sizeof *o);
	o->line = line;
	if (strcmp(nd_str(rec, "type", ""), "order") != 0)
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: type: '%s' is not an order record",
		    name, line, nd_str(rec, "type", ""));
	if (copy_field(rec, "client_id", o->client_id, sizeof o->client_id, 1, "", name, line, err, errlen) != 0 ||
	    copy_field(rec, "symbol", o->symbol, sizeof o->symbol, 1, "", name, line, err, errlen) != 0 ||
	    copy_field(rec, "side", o->side, sizeof o->side, 1, "", name, line, err, errlen) != 0 ||
	    copy_field(rec, "date", o->date, sizeof o->date, 0, "", name, line, err, errlen) != 0 ||
	    copy_field(rec, "id", o->id, sizeof o->id, 0, "", name, line, err, errlen) != 0 ||
	    copy_field(rec, "order_type", o->order_type, sizeof o->order_type, 0, "", name, line, err, errlen) != 0 ||
	    copy_field(rec, "tif", o->tif, sizeof o->tif, 0, "", name, line, err, errlen) != 0)
		return EX_DATAERR;
	if (strcmp(o->side, "BUY") != 0 && strcmp(o->side, "SELL") != 0)
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: side: '%s' is not BUY or SELL",
		    name, line, o->side);
	if (strpbrk(o->symbol, " \t:,") != NULL)
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: symbol: '%s' holds a blank, ':' or ','",
		    name, line, o->symbol);
	if (!bk_is_client_id(o->client_id) || !id_matches(o->client_id, o->symbol, o->side))
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: client_id: '%s' is not DATE:STRATEGY:%s:%s",
		    name, line, o->client_id,
		    o->symbol, o->side);
	v = json_object_get(rec, "qty");
	q = json_is_number(v) ? json_number_value(v) : NAN;
	if (!(q >= 1 && q <= 1e9 && q == floor(q)))
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: qty: not a whole number of shares from 1 to 1e9",
		    name, line);
	o->qty = (long long)q;
	v = json_object_get(rec, "ref_price");
	o->ref_price = NAN;
	if (v != NULL && !json_is_null(v)) {
		o->ref_price = json_is_number(v) ? json_number_value(v) : NAN;
		if (!(o->ref_price > 0 && isfinite(o->ref_price)))
			return err_ret(EX_DATAERR, err, errlen, "%s:%ld: ref_price: not a positive number",
			    name, line);
	}
	o->lmt_price = NAN;
	return 0;
}

static const bk_order *sort_orders;

static int
cmp_cid(const void *a, const void *b)
{
	return strcmp(sort_orders[*(const size_t *)a].client_id, sort_orders[*(const size_t *)b].client_id);
}

int
bk_ord_read(FILE *fp, const char *name, bk_orders *out, char *err, size_t errlen)
{
	nd_reader *r = nd_open(fp, name);
	json_t *rec;
	size_t *ix;
	int got;

	if (r == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	while ((got = nd_next(r, &rec)) == 1) {
		if (strcmp(nd_str(rec, "type", ""), "supersede") == 0) {
			got = read_supersede(rec, out, name, nd_line(r), err, errlen);
			json_decref(rec);
			if (got != 0) {
				nd_close(r);
				return got;
			}
			continue;
		}
		if (out->n == out->cap) {
			size_t cap = out->cap ? out->cap * 2 : 64;
			bk_order *v = realloc(out->v, cap * sizeof *v);
			if (v == NULL) {
				json_decref(rec);
				nd_close(r);
				return err_ret(EX_OSERR, err, errlen, "out of memory");
			}
			out->v = v;
			out->cap = cap;
		}
		got = read_one(rec, &out->v[out->n], name, nd_line(r), err, errlen);
		json_decref(rec);
		if (got != 0) {
			nd_close(r);
			return got;
		}
		out->n++;
	}
	if (got < 0) {
		got = err_ret(nd_code(r), err, errlen, "%s", nd_error(r));
		nd_close(r);
		return got;
	}
	nd_close(r);
	/* a client_id twice would place one order and skip the other as "already there" */
	if ((ix = malloc((out->n ? out->n : 1) * sizeof *ix)) == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	for (size_t i = 0; i < out->n; i++)
		ix[i] = i;
	sort_orders = out->v;
	qsort(ix, out->n, sizeof *ix, cmp_cid);
	for (size_t i = 1; i < out->n; i++) {
		const bk_order *a = &out->v[ix[i - 1]], *b = &out->v[ix[i]];
		if (strcmp(a->client_id, b->client_id) == 0) {
			long l1 = a->line < b->line ? a->line : b->line, l2 = a->line < b->line ? b->line : a->line;
			err_fmt(err, errlen, "%s:%ld: client_id: '%s' appears twice (first on line %ld)", name, l2,
			    a->client_id, l1);
			free(ix);
			return EX_DATAERR;
		}
	}
	free(ix);
	return 0;
}

void
bk_ord_sells_first(bk_orders *o)
{
	size_t k = 0;
	bk_order *tmp;

	if (o->n == 0)
		return;
	if ((tmp = malloc(o->n * sizeof *tmp)) == NULL) { /* fall back to an in-place stable insertion sort: no allocation */
		for (size_t i = 1; i < o->n; i++)
			for (size_t j = i; j > 0 && strcmp(o->v[j].side, "SELL") == 0 &&
			    strcmp(o->v[j - 1].side, "SELL") != 0; j--) {
				bk_order t = o->v[j];
				o->v[j] = o->v[j - 1];
				o->v[j - 1] = t;
			}
		return;
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < o->n; i++)
			if ((strcmp(o->v[i].side, "SELL") == 0) == (pass == 0))
				tmp[k++] = o->v[i];
	memcpy(o->v, tmp, o->n * sizeof *tmp);
	free(tmp);
}

static int
in_set(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

int
bk_ord_resolve(bk_order *o, const bk_ord_params *p, char *err, size_t errlen)
{
	static const char *const types[] = { "MKT", "LMT", "MOC", "LOC", NULL };
	static const char *const tifs[] = { "OPG", "DAY", "GTC", "IOC", NULL };
	char type[sizeof o->order_type + 64], tif[sizeof o->tif + 64];
	int lmt;

	/* copies: the record's own fields are overwritten below */
	snprintf(type, sizeof type, "%s", p->order_type ? p->order_type : *o->order_type ? o->order_type : "MKT");
	snprintf(tif, sizeof tif, "%s", p->tif ? p->tif : *o->tif ? o->tif : "OPG");

	if (!in_set(type, types))
		return err_ret(EX_DATAERR, err, errlen, "%s: order_type: '%s' is not MKT, LMT, MOC or LOC",
		    o->client_id, type);
	if (!in_set(tif, tifs))
		return err_ret(EX_DATAERR, err, errlen, "%s: tif: '%s' is not OPG, DAY, GTC or IOC",
		    o->client_id, tif);
	if ((strcmp(type, "MOC") == 0 || strcmp(type, "LOC") == 0) && strcmp(tif, "DAY") != 0)
		return err_ret(EX_DATAERR, err, errlen,
		    "%s: %s orders execute at the close: tif must be DAY, not %s",
		    o->client_id, type, tif);
	strcpy(o->order_type, type); /* one of types[]: short */
	strcpy(o->tif, tif);
	o->lmt_price = NAN;
	lmt = strcmp(type, "LMT") == 0 || strcmp(type, "LOC") == 0;
	if (!lmt)
		return 0;
	if (isnan(p->limit_offset_bps))
		/* the run lacks an option, the record is fine */
		return err_ret(EX_USAGE, err, errlen, "%s: a %s order needs a limit price: give --limit-offset-bps",
		    o->client_id, type);
	if (!(o->ref_price > 0))
		return err_ret(EX_DATAERR, err, errlen, "%s: a %s order needs ref_price to set its limit",
		    o->client_id, type);
	{
		int buy = strcmp(o->side, "BUY") == 0;
		double x = o->ref_price * (1 + (buy ? 1 : -1) * p->limit_offset_bps / 10000);
		double ticks = o->ref_price < 1 ? 10000 : 100;
		/* The small epsilon keeps a price that is already on the tick (101.23 read as 101.2299999)
		 * from moving a whole tick. */
		double t = buy ? floor(x * ticks + 1e-6) : ceil(x * ticks - 1e-6);
		o->lmt_price = t / ticks;
		if (!(o->lmt_price > 0))
			return err_ret(EX_DATAERR, err, errlen, "%s: limit price %g is not positive",
			    o->client_id, o->lmt_price);
	}
	return 0;
}

void
bk_ord_to_tws(const bk_order *o, const char *account, int transmit, tws_contract *ct, tws_order *to)
{
	tws_contract_stock(ct, o->con_id > 0 ? o->ib_symbol : o->symbol);
	if (o->con_id > 0) {
		ct->con_id = o->con_id;
		snprintf(ct->primary_exch, sizeof ct->primary_exch, "%s", o->primary);
		if (o->currency[0] != '\0')
			snprintf(ct->currency, sizeof ct->currency, "%s", o->currency);
	}
	tws_order_init(to);
	snprintf(to->action, sizeof to->action, "%s", o->side);
	to->qty = (double)o->qty;
	snprintf(to->order_type, sizeof to->order_type, "%s", o->order_type);
	snprintf(to->tif, sizeof to->tif, "%s", o->tif);
	if (!isnan(o->lmt_price))
		to->lmt_price = o->lmt_price;
	snprintf(to->account, sizeof to->account, "%s", account ? account : "");
	snprintf(to->order_ref, sizeof to->order_ref, "%s", o->client_id);
	to->transmit = transmit;
}

double
bk_ord_notional(const bk_order *o)
{
	if (o->ref_price > 0)
		return (double)o->qty * o->ref_price;
	if (o->lmt_price > 0)
		return (double)o->qty * o->lmt_price;
	return NAN;
}

size_t
bk_ord_check_limits(const bk_orders *o, double max_order, double max_run,
    void (*refuse)(void *ctx, const char *msg), void *ctx)
{
	char msg[256];
	double total = 0;
	size_t bad = 0, unknown = 0;

	if (isnan(max_order) && isnan(max_run))
		return 0;
	for (size_t i = 0; i < o->n; i++) {
		double x = bk_ord_notional(&o->v[i]);
		if (isnan(x)) {
			unknown++;
			snprintf(msg, sizeof msg, "%s: no ref_price: its notional cannot be checked against the limits",
			    o->v[i].client_id);
			refuse(ctx, msg);
			bad++;
			continue;
		}
		total += x;
		if (!isnan(max_order) && x > max_order) {
			snprintf(msg, sizeof msg, "%s: notional %.2f (%lld x %g) is over --max-order-notional %.2f",
			    o->v[i].client_id, x, o->v[i].qty, x / (double)o->v[i].qty, max_order);
			refuse(ctx, msg);
			bad++;
		}
	}
	if (!isnan(max_run) && unknown == 0 && total > max_run) {
		snprintf(msg, sizeof msg, "the run's notional %.2f (%zu orders) is over --max-run-notional %.2f", total,
		    o->n, max_run);
		refuse(ctx, msg);
		bad++;
	}
	return bad;
}
