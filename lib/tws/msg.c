#include "tws/msg.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

/* Every decoder starts with begin(): the first field must be the expected id. finish() turns m->bad into
 * the return value. */
static int
begin(tws_msg *m, int id)
{
	m->pos = 0;
	m->bad = 0;
	m->err[0] = '\0';
	if (tws_r_int(m, "message id") != id && !m->bad) {
		m->bad = 1;
		err_fmt(m->err, sizeof m->err, "field 0: not message %d", id);
	}
	return m->bad ? -1 : 0;
}

static int
finish(tws_msg *m)
{
	return m->bad ? -1 : 0;
}

static void
copy(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);

	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int
tws_msg_id(const tws_msg *m)
{
	const char *s;
	char *end;
	long v;

	if (m->n < 1)
		return -1;
	s = m->f[0];
	if (*s == '\0')
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 100000)
		return -1;
	return (int)v;
}

void
tws_contract_stock(tws_contract *c, const char *symbol)
{
	memset(c, 0, sizeof *c);
	copy(c->symbol, sizeof c->symbol, symbol);
	strcpy(c->sec_type, "STK");
	strcpy(c->exchange, "SMART");
	strcpy(c->currency, "USD");
	c->strike = 0;
}

/* The contract, conId .. tradingClass: 12 fields in requests, which carry primaryExchange, 11 in responses,
 * which do not. A request writes strike 0 (a stock's) as unset, "", as IB's client sends an unset strike;
 * a response writes the number it has. Read back, unset is 0 either way. */
static void
w_contract(tws_wbuf *b, const tws_contract *c, int request)
{
	tws_w_int(b, c->con_id);
	tws_w_str(b, c->symbol);
	tws_w_str(b, c->sec_type);
	tws_w_str(b, c->last_trade);
	tws_w_dbl(b, request && c->strike == 0 ? TWS_UNSET_DOUBLE : c->strike);
	tws_w_str(b, c->right);
	tws_w_str(b, c->multiplier);
	tws_w_str(b, c->exchange);
	if (request)
		tws_w_str(b, c->primary_exch);
	tws_w_str(b, c->currency);
	tws_w_str(b, c->local_symbol);
	tws_w_str(b, c->trading_class);
}

static void
r_contract(tws_msg *m, tws_contract *c, int request)
{
	memset(c, 0, sizeof *c);
	c->con_id = tws_r_int(m, "conId");
	tws_r_strcpy(m, c->symbol, sizeof c->symbol, "symbol");
	tws_r_strcpy(m, c->sec_type, sizeof c->sec_type, "secType");
	tws_r_strcpy(m, c->last_trade, sizeof c->last_trade, "lastTradeDateOrContractMonth");
	c->strike = tws_r_dbl(m, "strike");
	if (c->strike == TWS_UNSET_DOUBLE)
		c->strike = 0;
	tws_r_strcpy(m, c->right, sizeof c->right, "right");
	tws_r_strcpy(m, c->multiplier, sizeof c->multiplier, "multiplier");
	tws_r_strcpy(m, c->exchange, sizeof c->exchange, "exchange");
	if (request)
		tws_r_strcpy(m, c->primary_exch, sizeof c->primary_exch, "primaryExchange");
	tws_r_strcpy(m, c->currency, sizeof c->currency, "currency");
	tws_r_strcpy(m, c->local_symbol, sizeof c->local_symbol, "localSymbol");
	tws_r_strcpy(m, c->trading_class, sizeof c->trading_class, "tradingClass");
}

/* ---- fixed-layout messages as field lists ----
 *
 * Most messages are a fixed run of fields. Each is described once, as a list in wire order (the order of
 * IB's reference decoder, whose field names the lists use), and w_fields / r_fields walk that list: so the
 * encoder and the decoder of a message cannot drift apart. The list points into a struct (or, with offset
 * 0, at a single number). */

enum field_kind {
	F_INT,       /* int */
	F_I64,       /* long long */
	F_DBL,       /* double; TWS_UNSET_DOUBLE travels as "" */
	F_BOOL,      /* int, written 0 or 1 */
	F_STR,       /* char[size]; a longer value is a decode error */
	F_TEXT,      /* char[size]; a longer value is cut (free-form text such as error messages) */
	F_CONST,     /* a constant number, size (a version, a fixed code): written, skipped when read */
	F_EMPTY,     /* a field we never fill: written "", skipped when read */
	F_CONTRACT,  /* tws_contract, the 11 fields of responses */
	F_CONTRACT_REQ, /* tws_contract, the 12 fields of requests */
	F_DBL_MAX,   /* double; TWS_UNSET_DOUBLE travels as TWS writes it, "1.7976931348623157E308" (Java's
	              * Double.MAX_VALUE), read back as unset */
	F_INT_0,     /* int; 0 travels as "" (TWS leaves such fields empty), read as 0 */
};

typedef struct field {
	enum field_kind kind;
	size_t off;        /* where the value is in the struct */
	size_t size;       /* its size (the bound of F_STR/F_TEXT), or F_CONST's value */
	const char *name;  /* IB's name, for error messages */
	int since;         /* 0, or the server version that appended it: a trailing field that older peers
	                    * neither send nor expect, so it is written from that version on and read when
	                    * present */
} field;

#define AT(type, member) offsetof(type, member), sizeof ((type *)0)->member
#define VERSION(v) { F_CONST, 0, v, "version", 0 }
#define NFIELDS(list) (sizeof list / sizeof list[0])

static void
w_fields(tws_wbuf *b, const field *f, size_t n, const void *p, int version)
{
	for (; n > 0; f++, n--) {
		const char *at = (const char *)p + f->off;

		if (f->since > version)
			continue;
		switch (f->kind) {
		case F_INT: tws_w_int(b, *(const int *)at); break;
		case F_I64: tws_w_int(b, *(const long long *)at); break;
		case F_DBL: tws_w_dbl(b, *(const double *)at); break;
		case F_DBL_MAX:
			if (*(const double *)at == TWS_UNSET_DOUBLE)
				tws_w_str(b, "1.7976931348623157E308");
			else
				tws_w_dbl(b, *(const double *)at);
			break;
		case F_INT_0:
			if (*(const int *)at == 0)
				tws_w_str(b, "");
			else
				tws_w_int(b, *(const int *)at);
			break;
		case F_BOOL: tws_w_bool(b, *(const int *)at); break;
		case F_STR:
		case F_TEXT: tws_w_str(b, at); break;
		case F_CONST: tws_w_int(b, (long long)f->size); break;
		case F_EMPTY: tws_w_str(b, ""); break;
		case F_CONTRACT: w_contract(b, (const tws_contract *)(const void *)at, 0); break;
		case F_CONTRACT_REQ: w_contract(b, (const tws_contract *)(const void *)at, 1); break;
		}
	}
}

static void
r_fields(tws_msg *m, const field *f, size_t n, void *p)
{
	for (; n > 0; f++, n--) {
		char *at = (char *)p + f->off;

		if (f->since != 0 && tws_r_left(m) == 0)
			continue;
		switch (f->kind) {
		case F_INT: *(int *)(void *)at = tws_r_int(m, f->name); break;
		case F_I64: *(long long *)(void *)at = tws_r_i64(m, f->name); break;
		case F_DBL:
		case F_DBL_MAX: *(double *)(void *)at = tws_r_dbl(m, f->name); break;
		case F_INT_0: *(int *)(void *)at = tws_r_int(m, f->name); break;
		case F_BOOL: *(int *)(void *)at = tws_r_bool(m, f->name); break;
		case F_STR: tws_r_strcpy(m, at, f->size, f->name); break;
		case F_TEXT: copy(at, f->size, tws_r_str(m, f->name)); break;
		case F_CONST:
		case F_EMPTY: tws_r_skip(m, 1, f->name); break;
		case F_CONTRACT: r_contract(m, (tws_contract *)(void *)at, 0); break;
		case F_CONTRACT_REQ: r_contract(m, (tws_contract *)(void *)at, 1); break;
		}
	}
}

/* A whole message: its id, then the list. */
static int
enc_fields(tws_wbuf *b, int id, const field *f, size_t n, const void *p, int version)
{
	tws_w_begin(b);
	tws_w_int(b, id);
	w_fields(b, f, n, p, version);
	return tws_w_end(b);
}

/* Decoders of structs clear them first; those of single numbers leave them alone when the id is wrong. */
static int
dec_fields(tws_msg *m, int id, const field *f, size_t n, void *p)
{
	if (begin(m, id) < 0)
		return -1;
	r_fields(m, f, n, p);
	return finish(m);
}

/* The messages that are "id|1|number|". */
static const field id_version_req[] = { VERSION(1), { F_INT, 0, 0, "reqId", 0 } };
static const field next_valid_id[] = { VERSION(1), { F_I64, 0, 0, "orderId", 0 } };
static const field req_ids[] = { VERSION(1), { F_INT, 0, 0, "numIds", 0 } };
static const field current_time[] = { VERSION(1), { F_I64, 0, 0, "time", 0 } };

/* ================================ session ================================ */

int
tws_enc_start_api(tws_wbuf *b, int client_id, const char *capabilities)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_START_API);
	tws_w_int(b, 2);
	tws_w_int(b, client_id);
	tws_w_str(b, capabilities);
	return tws_w_end(b);
}

int
tws_dec_start_api(tws_msg *m, int *client_id, char *cap, size_t caplen)
{
	int version;

	if (begin(m, TWS_OUT_START_API) < 0)
		return -1;
	version = tws_r_int(m, "version");
	*client_id = tws_r_int(m, "clientId");
	cap[0] = '\0';
	if (version >= 2 && tws_r_left(m) > 0)
		tws_r_strcpy(m, cap, caplen, "optionalCapabilities");
	return finish(m);
}

int
tws_enc_managed_accts(tws_wbuf *b, const char *accounts)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_MANAGED_ACCTS);
	tws_w_int(b, 1);
	tws_w_str(b, accounts);
	return tws_w_end(b);
}

int
tws_dec_managed_accts(tws_msg *m, char *accounts, size_t n)
{
	if (begin(m, TWS_IN_MANAGED_ACCTS) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	tws_r_strcpy(m, accounts, n, "accountsList");
	return finish(m);
}

int
tws_dec_managed_accts_dup(tws_msg *m, char **accounts)
{
	const char *s;
	char *copy;

	if (begin(m, TWS_IN_MANAGED_ACCTS) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	s = tws_r_str(m, "accountsList");
	if (m->bad)
		return -1;
	if ((copy = strdup(s)) == NULL) {
		m->bad = 1;
		err_fmt(m->err, sizeof m->err, "out of memory");
		return -1;
	}
	free(*accounts);
	*accounts = copy;
	return 0;
}

int
tws_enc_next_valid_id(tws_wbuf *b, long long order_id)
{
	return enc_fields(b, TWS_IN_NEXT_VALID_ID, next_valid_id, NFIELDS(next_valid_id), &order_id, TWS_MAX_VERSION);
}

int
tws_dec_next_valid_id(tws_msg *m, long long *order_id)
{
	return dec_fields(m, TWS_IN_NEXT_VALID_ID, next_valid_id, NFIELDS(next_valid_id), order_id);
}

int
tws_enc_req_ids(tws_wbuf *b, int num_ids)
{
	return enc_fields(b, TWS_OUT_REQ_IDS, req_ids, NFIELDS(req_ids), &num_ids, TWS_MAX_VERSION);
}

int
tws_dec_req_ids(tws_msg *m, int *num_ids)
{
	return dec_fields(m, TWS_OUT_REQ_IDS, req_ids, NFIELDS(req_ids), num_ids);
}

int
tws_enc_req_current_time(tws_wbuf *b)
{
	return tws_enc_simple(b, TWS_OUT_REQ_CURRENT_TIME);
}

int
tws_enc_current_time(tws_wbuf *b, long long t)
{
	return enc_fields(b, TWS_IN_CURRENT_TIME, current_time, NFIELDS(current_time), &t, TWS_MAX_VERSION);
}

int
tws_dec_current_time(tws_msg *m, long long *t)
{
	return dec_fields(m, TWS_IN_CURRENT_TIME, current_time, NFIELDS(current_time), t);
}

int
tws_enc_simple(tws_wbuf *b, int msg_id)
{
	tws_w_begin(b);
	tws_w_int(b, msg_id);
	tws_w_int(b, 1);
	return tws_w_end(b);
}

/* advancedOrderRejectJson came with version 166; older servers end before it. */
static const field error_fields[] = {
	VERSION(2),
	{ F_INT, AT(tws_error, id), "id", 0 },
	{ F_INT, AT(tws_error, code), "errorCode", 0 },
	{ F_TEXT, AT(tws_error, msg), "errorString", 0 },
	{ F_TEXT, AT(tws_error, advanced), "advancedOrderRejectJson", TWS_V_ADVANCED_ORDER_REJECT },
};

int
tws_enc_error(tws_wbuf *b, const tws_error *e)
{
	return tws_enc_error_v(b, e, TWS_MAX_VERSION);
}

int
tws_enc_error_v(tws_wbuf *b, const tws_error *e, int version)
{
	return enc_fields(b, TWS_IN_ERR_MSG, error_fields, NFIELDS(error_fields), e, version);
}

int
tws_dec_error(tws_msg *m, tws_error *e)
{
	return tws_dec_error_v(m, e, TWS_MAX_VERSION);
}

int
tws_dec_error_v(tws_msg *m, tws_error *e, int version)
{
	memset(e, 0, sizeof *e);
	if (dec_fields(m, TWS_IN_ERR_MSG, error_fields, NFIELDS(error_fields), e) < 0)
		return -1;
	if (version >= TWS_V_ENCODE_MSG_ASCII7) {
		tws_unescape(e->msg);
		tws_unescape(e->advanced);
	}
	return 0;
}

static int
hex4(const char *s, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

/* The official Java decoder (EDecoder.decodeUnicodeEscapedString) turns every "\uXXXX" into the UTF-16
 * unit XXXX; a pair of surrogates makes one character. UTF-8 is never longer than the 6 or 12 bytes of its
 * escapes, so the text shrinks in place. */
void
tws_unescape(char *s)
{
	char *w = s;
	const char *r = s;

	while (*r != '\0') {
		unsigned cp, lo;
		if (r[0] != '\\' || r[1] != 'u' || hex4(r + 2, &cp) < 0) {
			*w++ = *r++;
			continue;
		}
		r += 6;
		if (cp >= 0xD800 && cp < 0xDC00 && r[0] == '\\' && r[1] == 'u' && hex4(r + 2, &lo) == 0 &&
		    lo >= 0xDC00 && lo < 0xE000) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			r += 6;
		}
		if (cp >= 0xD800 && cp < 0xE000)
			cp = 0xFFFD; /* a lone surrogate: the replacement character */
		if (cp == 0) {
			continue; /* a NUL would end the text */
		} else if (cp < 0x80) {
			*w++ = (char)cp;
		} else if (cp < 0x800) {
			*w++ = (char)(0xC0 | cp >> 6);
			*w++ = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			*w++ = (char)(0xE0 | cp >> 12);
			*w++ = (char)(0x80 | (cp >> 6 & 0x3F));
			*w++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*w++ = (char)(0xF0 | cp >> 18);
			*w++ = (char)(0x80 | (cp >> 12 & 0x3F));
			*w++ = (char)(0x80 | (cp >> 6 & 0x3F));
			*w++ = (char)(0x80 | (cp & 0x3F));
		}
	}
	*w = '\0';
}

/* ================================ historical data ================================ */

/* REQ_HISTORICAL_DATA at version 178: no version field; barSize before duration, useRTH before whatToShow. */
static const field hist_req_fields[] = {
	{ F_INT, AT(tws_hist_req, req_id), "reqId", 0 },
	{ F_CONTRACT_REQ, AT(tws_hist_req, contract), "contract", 0 },
	{ F_BOOL, AT(tws_hist_req, include_expired), "includeExpired", 0 },
	{ F_STR, AT(tws_hist_req, end), "endDateTime", 0 },
	{ F_STR, AT(tws_hist_req, bar_size), "barSizeSetting", 0 },
	{ F_STR, AT(tws_hist_req, duration), "durationStr", 0 },
	{ F_INT, AT(tws_hist_req, use_rth), "useRTH", 0 },
	{ F_STR, AT(tws_hist_req, what), "whatToShow", 0 },
	{ F_INT, AT(tws_hist_req, format_date), "formatDate", 0 },
	{ F_BOOL, AT(tws_hist_req, keep_up_to_date), "keepUpToDate", 0 },
	{ F_EMPTY, 0, 0, "chartOptions", 0 }, /* a TagValue list, always empty */
};

int
tws_enc_hist_req(tws_wbuf *b, const tws_hist_req *r)
{
	return enc_fields(b, TWS_OUT_REQ_HISTORICAL_DATA, hist_req_fields, NFIELDS(hist_req_fields), r,
	    TWS_MAX_VERSION);
}

int
tws_dec_hist_req(tws_msg *m, tws_hist_req *r)
{
	memset(r, 0, sizeof *r);
	return dec_fields(m, TWS_OUT_REQ_HISTORICAL_DATA, hist_req_fields, NFIELDS(hist_req_fields), r);
}

int
tws_enc_cancel_hist(tws_wbuf *b, int req_id)
{
	return enc_fields(b, TWS_OUT_CANCEL_HISTORICAL_DATA, id_version_req, NFIELDS(id_version_req), &req_id,
	    TWS_MAX_VERSION);
}

int
tws_dec_cancel_hist(tws_msg *m, int *req_id)
{
	return dec_fields(m, TWS_OUT_CANCEL_HISTORICAL_DATA, id_version_req, NFIELDS(id_version_req), req_id);
}

/* HISTORICAL_DATA: a head, itemCount, then that many bars. */
static const field hist_data_head[] = {
	{ F_INT, AT(tws_hist_data, req_id), "reqId", 0 },
	{ F_STR, AT(tws_hist_data, start), "startDateStr", 0 },
	{ F_STR, AT(tws_hist_data, end), "endDateStr", 0 },
};

static const field bar_fields[] = {
	{ F_STR, AT(tws_bar, date), "date", 0 },
	{ F_DBL, AT(tws_bar, open), "open", 0 },
	{ F_DBL, AT(tws_bar, high), "high", 0 },
	{ F_DBL, AT(tws_bar, low), "low", 0 },
	{ F_DBL, AT(tws_bar, close), "close", 0 },
	{ F_DBL, AT(tws_bar, volume), "volume", 0 },
	{ F_DBL, AT(tws_bar, wap), "wap", 0 },
	{ F_INT, AT(tws_bar, count), "barCount", 0 },
};

int
tws_enc_hist_data(tws_wbuf *b, const tws_hist_data *d)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_HISTORICAL_DATA);
	w_fields(b, hist_data_head, NFIELDS(hist_data_head), d, TWS_MAX_VERSION);
	tws_w_int(b, d->nbars);
	for (int i = 0; i < d->nbars; i++)
		w_fields(b, bar_fields, NFIELDS(bar_fields), &d->bars[i], TWS_MAX_VERSION);
	return tws_w_end(b);
}

int
tws_dec_hist_data(tws_msg *m, tws_hist_data *d)
{
	int n;

	memset(d, 0, sizeof *d);
	if (begin(m, TWS_IN_HISTORICAL_DATA) < 0)
		return -1;
	r_fields(m, hist_data_head, NFIELDS(hist_data_head), d);
	n = tws_r_int(m, "itemCount");
	if (m->bad)
		return -1;
	if (n < 0 || n != tws_r_left(m) / (int)NFIELDS(bar_fields) || tws_r_left(m) % (int)NFIELDS(bar_fields) != 0) {
		err_fmt(m->err, sizeof m->err, "field 4 (itemCount): %d bars announced, %d fields follow", n,
		    tws_r_left(m));
		m->bad = 1;
		return -1;
	}
	if (n > 0 && (d->bars = calloc((size_t)n, sizeof *d->bars)) == NULL) {
		err_fmt(m->err, sizeof m->err, "out of memory");
		m->bad = 1;
		return -1;
	}
	d->nbars = n;
	for (int i = 0; i < n; i++)
		r_fields(m, bar_fields, NFIELDS(bar_fields), &d->bars[i]);
	return finish(m);
}

void
tws_hist_data_free(tws_hist_data *d)
{
	free(d->bars);
	d->bars = NULL;
	d->nbars = 0;
}

/* ================================ orders ================================ */

void
tws_order_init(tws_order *o)
{
	memset(o, 0, sizeof *o);
	o->lmt_price = TWS_UNSET_DOUBLE;
	o->aux_price = TWS_UNSET_DOUBLE;
	strcpy(o->tif, "DAY");
	o->transmit = 1;
}

/* action .. orderRef: the same eleven fields in PLACE_ORDER and OPEN_ORDER. */
static const field order_head[] = {
	{ F_STR, AT(tws_order, action), "action", 0 },
	{ F_DBL, AT(tws_order, qty), "totalQuantity", 0 },
	{ F_STR, AT(tws_order, order_type), "orderType", 0 },
	{ F_DBL, AT(tws_order, lmt_price), "lmtPrice", 0 },
	{ F_DBL, AT(tws_order, aux_price), "auxPrice", 0 },
	{ F_STR, AT(tws_order, tif), "tif", 0 },
	{ F_STR, AT(tws_order, oca_group), "ocaGroup", 0 },
	{ F_STR, AT(tws_order, account), "account", 0 },
	{ F_EMPTY, 0, 0, "openClose/origin", 0 },
	{ F_CONST, 0, 0, "openClose/origin", 0 }, /* origin 0: customer */
	{ F_STR, AT(tws_order, order_ref), "orderRef", 0 },
};

/* A counted group of width fields each (combo legs, algo parameters ...). A count out of range is an error
 * (returns -1): it would make us skip a corrupt message's fields by the thousand. */
static int
r_group(tws_msg *m, const char *count, int width, const char *what)
{
	int n = tws_r_int(m, count);

	if (n < 0 || n > 1000) {
		if (!m->bad) {
			m->bad = 1;
			err_fmt(m->err, sizeof m->err, "field %d: count %d is out of range", m->pos - 1, n);
		}
		return -1;
	}
	tws_r_skip(m, width * n, what);
	return 0;
}

/* The combo groups, in PLACE_ORDER (of a BAG) and OPEN_ORDER alike. */
static int
r_combo_legs(tws_msg *m)
{
	if (r_group(m, "comboLegsCount", 8, "comboLeg") < 0 ||
	    r_group(m, "orderComboLegsCount", 1, "orderComboLeg") < 0 ||
	    r_group(m, "smartComboRoutingParamsCount", 2, "smartComboRoutingParam") < 0)
		return -1;
	return 0;
}

/* scalePriceIncrement, followed by seven scale attributes when it is set. */
static void
r_scale(tws_msg *m)
{
	double incr = tws_r_dbl(m, "scalePriceIncrement");

	if (incr > 0 && incr != TWS_UNSET_DOUBLE)
		tws_r_skip(m, 7, "scale attributes");
}

/* hedgeType .. the algo parameters, the same run in PLACE_ORDER and OPEN_ORDER: each optional group is
 * announced by the field before it. */
static int
r_hedge_to_algo(tws_msg *m)
{
	if (*tws_r_str(m, "hedgeType") != '\0')
		tws_r_skip(m, 1, "hedgeParam");
	tws_r_skip(m, 4, "optOutSmartRouting..notHeld");
	if (tws_r_bool(m, "deltaNeutralContract"))
		tws_r_skip(m, 3, "deltaNeutralContract");
	if (*tws_r_str(m, "algoStrategy") != '\0')
		return r_group(m, "algoParamsCount", 2, "algoParam");
	return 0;
}

static void
w_empty(tws_wbuf *b, int n)
{
	while (n-- > 0)
		tws_w_str(b, "");
}

int
tws_enc_place_order(tws_wbuf *b, const tws_contract *c, const tws_order *o)
{
	return tws_enc_place_order_v(b, c, o, TWS_MAX_VERSION);
}

/* The field numbers are those of version 178; the fields gated by version (see enum tws_version) are
 * left out below their version, as the official encoder (client.py placeOrder) does. */
int
tws_enc_place_order_v(tws_wbuf *b, const tws_contract *c, const tws_order *o, int version)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_PLACE_ORDER);                  /* 1 */
	tws_w_int(b, o->order_id);                          /* 2 */
	w_contract(b, c, 1);                                /* 3-14 */
	w_empty(b, 2);                                      /* 15-16 secIdType, secId */
	w_fields(b, order_head, NFIELDS(order_head), o, TWS_MAX_VERSION); /* 17-27 action .. orderRef */
	tws_w_bool(b, o->transmit);                         /* 28 */
	tws_w_int(b, o->parent_id);                         /* 29 */
	tws_w_bool(b, 0);                                   /* 30 blockOrder */
	tws_w_bool(b, 0);                                   /* 31 sweepToFill */
	tws_w_int(b, 0);                                    /* 32 displaySize */
	tws_w_int(b, 0);                                    /* 33 triggerMethod */
	tws_w_bool(b, o->outside_rth);                      /* 34 */
	tws_w_bool(b, 0);                                   /* 35 hidden */
	tws_w_str(b, "");                                   /* 36 sharesAllocation (deprecated) */
	tws_w_dbl(b, 0);                                    /* 37 discretionaryAmt */
	w_empty(b, 2);                                      /* 38-39 goodAfterTime, goodTillDate */
	w_empty(b, 3);                                      /* 40-42 faGroup, faMethod, faPercentage */
	if (version < TWS_V_FA_PROFILE_DESUPPORT)
		tws_w_str(b, "");                           /* faProfile (deprecated, below 177) */
	tws_w_str(b, "");                                   /* 43 modelCode */
	tws_w_int(b, 0);                                    /* 44 shortSaleSlot */
	tws_w_str(b, "");                                   /* 45 designatedLocation */
	tws_w_int(b, -1);                                   /* 46 exemptCode */
	tws_w_int(b, 0);                                    /* 47 ocaType */
	w_empty(b, 2);                                      /* 48-49 rule80A, settlingFirm */
	tws_w_bool(b, 0);                                   /* 50 allOrNone */
	w_empty(b, 2);                                      /* 51-52 minQty, percentOffset */
	tws_w_bool(b, 0);                                   /* 53 eTradeOnly */
	tws_w_bool(b, 0);                                   /* 54 firmQuoteOnly */
	tws_w_str(b, "");                                   /* 55 nbboPriceCap */
	tws_w_int(b, 0);                                    /* 56 auctionStrategy */
	w_empty(b, 5);                                      /* 57-61 startingPrice .. stockRangeUpper */
	tws_w_bool(b, 0);                                   /* 62 overridePercentageConstraints */
	w_empty(b, 2);                                      /* 63-64 volatility, volatilityType */
	w_empty(b, 2);                                      /* 65-66 deltaNeutralOrderType, auxPrice */
	tws_w_bool(b, 0);                                   /* 67 continuousUpdate */
	w_empty(b, 4);                                      /* 68-71 referencePriceType .. scaleInitLevelSize */
	w_empty(b, 2);                                      /* 72-73 scaleSubsLevelSize, scalePriceIncrement */
	tws_w_str(b, "");                                   /* 74 scaleTable */
	w_empty(b, 2);                                      /* 75-76 activeStartTime, activeStopTime */
	tws_w_str(b, "");                                   /* 77 hedgeType */
	tws_w_bool(b, 0);                                   /* 78 optOutSmartRouting */
	w_empty(b, 2);                                      /* 79-80 clearingAccount, clearingIntent */
	tws_w_bool(b, 0);                                   /* 81 notHeld */
	tws_w_bool(b, 0);                                   /* 82 deltaNeutralContract present */
	tws_w_str(b, "");                                   /* 83 algoStrategy */
	tws_w_str(b, "");                                   /* 84 algoId */
	tws_w_bool(b, 0);                                   /* 85 whatIf */
	tws_w_str(b, "");                                   /* 86 orderMiscOptions */
	tws_w_bool(b, 0);                                   /* 87 solicited */
	tws_w_bool(b, 0);                                   /* 88 randomizeSize */
	tws_w_bool(b, 0);                                   /* 89 randomizePrice */
	tws_w_int(b, 0);                                    /* 90 conditions count */
	tws_w_str(b, "");                                   /* 91 adjustedOrderType */
	w_empty(b, 5);                                      /* 92-96 triggerPrice .. adjustedTrailingAmount */
	tws_w_int(b, 0);                                    /* 97 adjustableTrailingUnit */
	tws_w_str(b, "");                                   /* 98 extOperator */
	w_empty(b, 2);                                      /* 99-100 softDollarTier name, value */
	tws_w_str(b, "");                                   /* 101 cashQty */
	w_empty(b, 4);                                      /* 102-105 mifid2 fields */
	tws_w_bool(b, 0);                                   /* 106 dontUseAutoPriceForHedge */
	tws_w_bool(b, 0);                                   /* 107 isOmsContainer */
	tws_w_bool(b, 0);                                   /* 108 discretionaryUpToLimitPrice */
	tws_w_str(b, "");                                   /* 109 usePriceMgmtAlgo */
	if (version >= TWS_V_DURATION)
		tws_w_str(b, "");                           /* 110 duration */
	if (version >= TWS_V_POST_TO_ATS)
		tws_w_str(b, "");                           /* 111 postToAts */
	if (version >= TWS_V_AUTO_CANCEL_PARENT)
		tws_w_bool(b, 0);                           /* 112 autoCancelParent */
	if (version >= TWS_V_ADVANCED_ORDER_REJECT)
		tws_w_str(b, "");                           /* 113 advancedErrorOverride */
	if (version >= TWS_V_MANUAL_ORDER_TIME)
		tws_w_str(b, "");                           /* 114 manualOrderTime */
	/* From 170 on, minTradeQty (exchange IBKRATS) and the PEG BEST/PEG MID offsets follow for those
	 * orders only: none of ours. */
	return tws_w_end(b);
}

int
tws_dec_place_order(tws_msg *m, tws_contract *c, tws_order *o)
{
	return tws_dec_place_order_v(m, c, o, TWS_MAX_VERSION);
}

int
tws_dec_place_order_v(tws_msg *m, tws_contract *c, tws_order *o, int version)
{
	const char *s;
	int n;

	tws_order_init(o);
	if (begin(m, TWS_OUT_PLACE_ORDER) < 0)
		return -1;
	o->order_id = tws_r_i64(m, "orderId");
	r_contract(m, c, 1);
	tws_r_skip(m, 2, "secIdType/secId");
	r_fields(m, order_head, NFIELDS(order_head), o);
	o->transmit = tws_r_bool(m, "transmit");
	o->parent_id = tws_r_i64(m, "parentId");
	tws_r_skip(m, 4, "blockOrder..triggerMethod");
	o->outside_rth = tws_r_bool(m, "outsideRth");
	tws_r_skip(m, 1, "hidden");
	if (strcmp(c->sec_type, "BAG") == 0 && r_combo_legs(m) < 0)
		return -1;
	/* sharesAllocation .. faPercentage (7), modelCode .. deltaNeutralAuxPrice (24) */
	tws_r_skip(m, 7 + (version < TWS_V_FA_PROFILE_DESUPPORT) + 24, "order attributes");
	s = m->pos >= 2 && m->pos - 2 < m->n ? m->f[m->pos - 2] : "";
	if (*s != '\0') /* deltaNeutralOrderType set: eight more fields */
		tws_r_skip(m, 8, "deltaNeutral attributes");
	tws_r_skip(m, 6, "continuousUpdate..scaleSubsLevelSize");
	r_scale(m);
	tws_r_skip(m, 3, "scaleTable/activeStartTime/activeStopTime");
	if (r_hedge_to_algo(m) < 0)
		return -1;
	tws_r_skip(m, 6, "algoId..randomizePrice");
	if (strcmp(o->order_type, "PEG BENCH") == 0 || strcmp(o->order_type, "PEGBENCH") == 0)
		tws_r_skip(m, 5, "pegged-to-benchmark attributes");
	n = tws_r_int(m, "conditionsCount");
	if (m->bad)
		return -1;
	if (n != 0) {
		m->bad = 1;
		err_fmt(m->err, sizeof m->err, "field %d (conditionsCount): order conditions are not supported",
		    m->pos - 1);
		return -1;
	}
	/* adjustedOrderType .. usePriceMgmtAlgo (19), then duration, postToAts, autoCancelParent,
	 * advancedErrorOverride, manualOrderTime, each from its version on. */
	tws_r_skip(m, 19 + (version >= TWS_V_DURATION) + (version >= TWS_V_POST_TO_ATS) +
	    (version >= TWS_V_AUTO_CANCEL_PARENT) + (version >= TWS_V_ADVANCED_ORDER_REJECT) +
	    (version >= TWS_V_MANUAL_ORDER_TIME), "order attributes");
	return finish(m);
}

/* manualOrderCancelTime came with version 169. */
static const field cancel_order[] = {
	VERSION(1),
	{ F_I64, 0, 0, "orderId", 0 },
	{ F_EMPTY, 0, 0, "manualOrderCancelTime", TWS_V_MANUAL_ORDER_TIME },
};

int
tws_enc_cancel_order(tws_wbuf *b, long long order_id)
{
	return tws_enc_cancel_order_v(b, order_id, TWS_MAX_VERSION);
}

int
tws_enc_cancel_order_v(tws_wbuf *b, long long order_id, int version)
{
	return enc_fields(b, TWS_OUT_CANCEL_ORDER, cancel_order, NFIELDS(cancel_order), &order_id, version);
}

int
tws_dec_cancel_order(tws_msg *m, long long *order_id)
{
	return dec_fields(m, TWS_OUT_CANCEL_ORDER, cancel_order, NFIELDS(cancel_order), order_id);
}

/* ORDER_STATUS has had no version field since version 131. */
static const field order_status_fields[] = {
	{ F_I64, AT(tws_order_status, order_id), "orderId", 0 },
	{ F_STR, AT(tws_order_status, status), "status", 0 },
	{ F_DBL, AT(tws_order_status, filled), "filled", 0 },
	{ F_DBL, AT(tws_order_status, remaining), "remaining", 0 },
	{ F_DBL, AT(tws_order_status, avg_fill_price), "avgFillPrice", 0 },
	{ F_I64, AT(tws_order_status, perm_id), "permId", 0 },
	{ F_I64, AT(tws_order_status, parent_id), "parentId", 0 },
	{ F_DBL, AT(tws_order_status, last_fill_price), "lastFillPrice", 0 },
	{ F_INT, AT(tws_order_status, client_id), "clientId", 0 },
	{ F_STR, AT(tws_order_status, why_held), "whyHeld", 0 },
	{ F_DBL, AT(tws_order_status, mkt_cap_price), "mktCapPrice", 0 },
};

int
tws_enc_order_status(tws_wbuf *b, const tws_order_status *s)
{
	return enc_fields(b, TWS_IN_ORDER_STATUS, order_status_fields, NFIELDS(order_status_fields), s,
	    TWS_MAX_VERSION);
}

int
tws_dec_order_status(tws_msg *m, tws_order_status *s)
{
	memset(s, 0, sizeof *s);
	return dec_fields(m, TWS_IN_ORDER_STATUS, order_status_fields, NFIELDS(order_status_fields), s);
}

/* OPEN_ORDER, version 178, as the official decoder reads it (decodeOrderId .. decodePegBestPegMid). The
 * comments give the decoder's names; unset values are written as "" which it reads as unset. */
int
tws_enc_open_order(tws_wbuf *b, const tws_open_order *x)
{
	return tws_enc_open_order_v(b, x, TWS_MAX_VERSION);
}

int
tws_enc_open_order_v(tws_wbuf *b, const tws_open_order *x, int version)
{
	const tws_contract *c = &x->contract;
	const tws_order *o = &x->order;

	tws_w_begin(b);
	tws_w_int(b, TWS_IN_OPEN_ORDER);
	tws_w_int(b, o->order_id);
	w_contract(b, c, 0);
	w_fields(b, order_head, NFIELDS(order_head), o, version);
	tws_w_int(b, o->client_id);
	tws_w_int(b, o->perm_id);
	tws_w_bool(b, o->outside_rth);
	tws_w_bool(b, 0);          /* hidden */
	tws_w_dbl(b, 0);           /* discretionaryAmt */
	tws_w_str(b, "");          /* goodAfterTime */
	tws_w_str(b, "");          /* sharesAllocation (deprecated) */
	w_empty(b, 3);             /* faGroup, faMethod, faPercentage */
	if (version < TWS_V_FA_PROFILE_DESUPPORT)
		tws_w_str(b, "");  /* faProfile */
	tws_w_str(b, "");          /* modelCode */
	tws_w_str(b, "");          /* goodTillDate */
	tws_w_str(b, "");          /* rule80A */
	tws_w_str(b, "");          /* percentOffset */
	tws_w_str(b, "");          /* settlingFirm */
	tws_w_int(b, 0);           /* shortSaleSlot */
	tws_w_str(b, "");          /* designatedLocation */
	tws_w_int(b, -1);          /* exemptCode */
	tws_w_int(b, 0);           /* auctionStrategy */
	w_empty(b, 5);             /* startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper */
	tws_w_str(b, "");          /* displaySize */
	tws_w_bool(b, 0);          /* blockOrder */
	tws_w_bool(b, 0);          /* sweepToFill */
	tws_w_bool(b, 0);          /* allOrNone */
	tws_w_str(b, "");          /* minQty */
	tws_w_int(b, 3);           /* ocaType */
	tws_w_bool(b, 0);          /* eTradeOnly */
	tws_w_bool(b, 0);          /* firmQuoteOnly */
	tws_w_str(b, "");          /* nbboPriceCap */
	tws_w_int(b, o->parent_id);
	tws_w_int(b, 0);           /* triggerMethod */
	tws_w_str(b, "");          /* volatility */
	tws_w_int(b, 0);           /* volatilityType */
	tws_w_str(b, "");          /* deltaNeutralOrderType */
	tws_w_str(b, "");          /* deltaNeutralAuxPrice */
	tws_w_bool(b, 0);          /* continuousUpdate */
	tws_w_int(b, 0);           /* referencePriceType */
	tws_w_str(b, "");          /* trailStopPrice */
	tws_w_str(b, "");          /* trailingPercent */
	tws_w_str(b, "");          /* basisPoints */
	tws_w_str(b, "");          /* basisPointsType */
	tws_w_str(b, "");          /* comboLegsDescrip */
	tws_w_int(b, 0);           /* comboLegs count */
	tws_w_int(b, 0);           /* orderComboLegs count */
	tws_w_int(b, 0);           /* smartComboRoutingParams count */
	w_empty(b, 2);             /* scaleInitLevelSize, scaleSubsLevelSize */
	tws_w_str(b, "");          /* scalePriceIncrement */
	tws_w_str(b, "");          /* hedgeType */
	tws_w_bool(b, 0);          /* optOutSmartRouting */
	w_empty(b, 2);             /* clearingAccount, clearingIntent */
	tws_w_bool(b, 0);          /* notHeld */
	tws_w_bool(b, 0);          /* deltaNeutralContract present */
	tws_w_str(b, "");          /* algoStrategy */
	tws_w_bool(b, 0);          /* solicited */
	tws_w_bool(b, 0);          /* whatIf */
	tws_w_str(b, x->status);
	w_empty(b, 9);             /* margin before / change / after (what-if only) */
	tws_w_dbl(b, x->commission);
	w_empty(b, 2);             /* minCommission, maxCommission */
	tws_w_str(b, "");          /* commissionCurrency */
	tws_w_str(b, x->warning);
	tws_w_bool(b, 0);          /* randomizeSize */
	tws_w_bool(b, 0);          /* randomizePrice */
	tws_w_int(b, 0);           /* conditions count */
	tws_w_str(b, "");          /* adjustedOrderType */
	w_empty(b, 6);             /* triggerPrice, trailStopPrice, lmtPriceOffset, adjustedStop(Limit)Price,
	                            * adjustedTrailingAmount */
	tws_w_int(b, 0);           /* adjustableTrailingUnit */
	w_empty(b, 3);             /* softDollarTier name, value, displayName */
	tws_w_str(b, "");          /* cashQty */
	tws_w_bool(b, 0);          /* dontUseAutoPriceForHedge */
	tws_w_bool(b, 0);          /* isOmsContainer */
	tws_w_bool(b, 0);          /* discretionaryUpToLimitPrice */
	tws_w_bool(b, 0);          /* usePriceMgmtAlgo */
	if (version >= TWS_V_DURATION)
		tws_w_str(b, "");  /* duration */
	if (version >= TWS_V_POST_TO_ATS)
		tws_w_str(b, "");  /* postToAts */
	if (version >= TWS_V_AUTO_CANCEL_PARENT)
		tws_w_bool(b, 0);  /* autoCancelParent */
	if (version >= TWS_V_PEGBEST_PEGMID_OFFSETS)
		w_empty(b, 5);     /* minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAt* */
	return tws_w_end(b);
}

int
tws_dec_open_order(tws_msg *m, tws_open_order *x)
{
	return tws_dec_open_order_v(m, x, TWS_MAX_VERSION);
}

int
tws_dec_open_order_v(tws_msg *m, tws_open_order *x, int version)
{
	tws_contract *c = &x->contract;
	tws_order *o = &x->order;
	const char *s;

	memset(x, 0, sizeof *x);
	tws_order_init(o);
	if (begin(m, TWS_IN_OPEN_ORDER) < 0)
		return -1;
	o->order_id = tws_r_i64(m, "orderId");
	r_contract(m, c, 0);
	r_fields(m, order_head, NFIELDS(order_head), o);
	o->client_id = tws_r_int(m, "clientId");
	o->perm_id = tws_r_i64(m, "permId");
	o->outside_rth = tws_r_bool(m, "outsideRth");
	tws_r_skip(m, 1 + 1 + 1 + 1 + 3, "hidden..faPercentage");
	if (version < TWS_V_FA_PROFILE_DESUPPORT)
		tws_r_skip(m, 1, "faProfile");
	tws_r_skip(m, 23, "modelCode..nbboPriceCap");
	o->parent_id = tws_r_i64(m, "parentId");
	tws_r_skip(m, 3, "triggerMethod/volatility/volatilityType");
	s = tws_r_str(m, "deltaNeutralOrderType");
	tws_r_skip(m, 1, "deltaNeutralAuxPrice");
	if (*s != '\0')
		tws_r_skip(m, 8, "deltaNeutral attributes");
	tws_r_skip(m, 7, "continuousUpdate..comboLegsDescrip");
	if (r_combo_legs(m) < 0)
		return -1;
	tws_r_skip(m, 2, "scaleInitLevelSize/scaleSubsLevelSize");
	r_scale(m);
	if (r_hedge_to_algo(m) < 0)
		return -1;
	tws_r_skip(m, 2, "solicited/whatIf");
	tws_r_strcpy(m, x->status, sizeof x->status, "status");
	tws_r_skip(m, 9, "margin fields");
	x->commission = tws_r_dbl(m, "commission");
	tws_r_skip(m, 3, "minCommission..commissionCurrency");
	copy(x->warning, sizeof x->warning, tws_r_str(m, "warningText"));
	/* The rest (randomize flags, conditions, adjusted-order and later attributes) carries nothing we keep;
	 * it is not checked so that a server sending a few more trailing fields is still understood. */
	return finish(m);
}

/* ================================ completed orders ================================ */

int
tws_enc_req_completed_orders(tws_wbuf *b, int api_only)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_REQ_COMPLETED_ORDERS);
	tws_w_bool(b, api_only);
	return tws_w_end(b);
}

int
tws_dec_req_completed_orders(tws_msg *m, int *api_only)
{
	if (begin(m, TWS_OUT_REQ_COMPLETED_ORDERS) < 0)
		return -1;
	*api_only = tws_r_bool(m, "apiOnly");
	return finish(m);
}

/* COMPLETED_ORDER in the order ib_async's decoder reads it (see msg.h); the comments give its names. */
int
tws_enc_completed_order_v(tws_wbuf *b, const tws_completed_order *x, int version)
{
	const tws_order *o = &x->order;

	tws_w_begin(b);
	tws_w_int(b, TWS_IN_COMPLETED_ORDER);
	w_contract(b, &x->contract, 0);
	w_fields(b, order_head, NFIELDS(order_head), o, version); /* action .. orderRef */
	tws_w_int(b, o->perm_id);
	tws_w_bool(b, o->outside_rth);
	tws_w_bool(b, 0);          /* hidden */
	tws_w_dbl(b, 0);           /* discretionaryAmt */
	tws_w_str(b, "");          /* goodAfterTime */
	w_empty(b, 3);             /* faGroup, faMethod, faPercentage */
	if (version < 177)
		tws_w_str(b, "");  /* faProfile */
	w_empty(b, 5);             /* modelCode, goodTillDate, rule80A, percentOffset, settlingFirm */
	tws_w_int(b, 0);           /* shortSaleSlot */
	tws_w_str(b, "");          /* designatedLocation */
	tws_w_int(b, -1);          /* exemptCode */
	w_empty(b, 5);             /* startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper */
	tws_w_str(b, "");          /* displaySize */
	tws_w_bool(b, 0);          /* sweepToFill */
	tws_w_bool(b, 0);          /* allOrNone */
	tws_w_str(b, "");          /* minQty */
	tws_w_int(b, 3);           /* ocaType */
	tws_w_int(b, 0);           /* triggerMethod */
	tws_w_str(b, "");          /* volatility */
	tws_w_int(b, 0);           /* volatilityType */
	w_empty(b, 2);             /* deltaNeutralOrderType, deltaNeutralAuxPrice */
	tws_w_bool(b, 0);          /* continuousUpdate */
	tws_w_int(b, 0);           /* referencePriceType */
	w_empty(b, 3);             /* trailStopPrice, trailingPercent, comboLegsDescrip */
	tws_w_int(b, 0);           /* comboLegs count */
	tws_w_int(b, 0);           /* orderComboLegs count */
	tws_w_int(b, 0);           /* smartComboRoutingParams count */
	w_empty(b, 3);             /* scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement */
	tws_w_str(b, "");          /* hedgeType */
	w_empty(b, 2);             /* clearingAccount, clearingIntent */
	tws_w_bool(b, 0);          /* notHeld */
	tws_w_bool(b, 0);          /* deltaNeutralContract present */
	tws_w_str(b, "");          /* algoStrategy */
	tws_w_bool(b, 0);          /* solicited */
	tws_w_str(b, x->status);
	tws_w_bool(b, 0);          /* randomizeSize */
	tws_w_bool(b, 0);          /* randomizePrice */
	tws_w_int(b, 0);           /* conditions count */
	w_empty(b, 3);             /* trailStopPrice, lmtPriceOffset, cashQty */
	tws_w_bool(b, 0);          /* dontUseAutoPriceForHedge */
	tws_w_bool(b, 0);          /* isOmsContainer */
	tws_w_str(b, "");          /* autoCancelDate */
	tws_w_dbl(b, x->filled);   /* filledQuantity */
	tws_w_int(b, 0);           /* refFuturesConId */
	tws_w_bool(b, 0);          /* autoCancelParent */
	tws_w_str(b, "");          /* shareholder */
	tws_w_bool(b, 0);          /* imbalanceOnly */
	tws_w_bool(b, 0);          /* routeMarketableToBbo */
	tws_w_int(b, x->parent_perm_id);
	tws_w_str(b, x->completed_time);
	tws_w_str(b, x->completed_status);
	if (version >= 170)
		w_empty(b, 5);     /* minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAt* */
	return tws_w_end(b);
}

int
tws_dec_completed_order(tws_msg *m, tws_completed_order *x, int version)
{
	tws_order *o = &x->order;
	const char *s;
	int n;

	memset(x, 0, sizeof *x);
	tws_order_init(o);
	x->filled = TWS_UNSET_DOUBLE;
	if (begin(m, TWS_IN_COMPLETED_ORDER) < 0)
		return -1;
	r_contract(m, &x->contract, 0);
	r_fields(m, order_head, NFIELDS(order_head), o);
	o->perm_id = tws_r_i64(m, "permId");
	o->outside_rth = tws_r_bool(m, "outsideRth");
	tws_r_skip(m, 6 + (version < 177), "hidden..faPercentage");
	tws_r_skip(m, 21, "modelCode..volatilityType");
	s = tws_r_str(m, "deltaNeutralOrderType");
	tws_r_skip(m, 1, "deltaNeutralAuxPrice");
	if (*s != '\0')
		tws_r_skip(m, 4, "deltaNeutral attributes");
	tws_r_skip(m, 5, "continuousUpdate..comboLegsDescrip");
	if (r_combo_legs(m) < 0)
		return -1;
	tws_r_skip(m, 2, "scaleInitLevelSize/scaleSubsLevelSize");
	r_scale(m);
	if (*tws_r_str(m, "hedgeType") != '\0')
		tws_r_skip(m, 1, "hedgeParam");
	tws_r_skip(m, 3, "clearingAccount..notHeld");
	if (tws_r_bool(m, "deltaNeutralContract"))
		tws_r_skip(m, 3, "deltaNeutralContract");
	if (*tws_r_str(m, "algoStrategy") != '\0' && r_group(m, "algoParamsCount", 2, "algoParam") < 0)
		return -1;
	tws_r_skip(m, 1, "solicited");
	tws_r_strcpy(m, x->status, sizeof x->status, "status");
	tws_r_skip(m, 2, "randomizeSize/randomizePrice");
	if (strcmp(o->order_type, "PEG BENCH") == 0 || strcmp(o->order_type, "PEGBENCH") == 0)
		tws_r_skip(m, 5, "pegged-to-benchmark attributes");
	n = tws_r_int(m, "conditionsCount");
	if (n != 0 || m->bad)
		/* Conditions have a layout per type that we do not read; what identifies the order (orderRef,
		 * permId, status) came before them. Never one of ours: our orders carry no conditions. */
		return finish(m);
	tws_r_skip(m, 6, "trailStopPrice..autoCancelDate");
	x->filled = tws_r_dbl(m, "filledQuantity");
	tws_r_skip(m, 5, "refFuturesConId..routeMarketableToBbo");
	x->parent_perm_id = tws_r_i64(m, "parentPermId");
	tws_r_strcpy(m, x->completed_time, sizeof x->completed_time, "completedTime");
	copy(x->completed_status, sizeof x->completed_status, tws_r_str(m, "completedStatus"));
	return finish(m);
}

int
tws_enc_completed_orders_end(tws_wbuf *b)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_COMPLETED_ORDERS_END);
	return tws_w_end(b);
}

/* ================================ market data ================================ */

int
tws_enc_mkt_req(tws_wbuf *b, const tws_mkt_req *r)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_REQ_MKT_DATA);
	tws_w_int(b, 11);
	tws_w_int(b, r->req_id);
	w_contract(b, &r->contract, 1);
	tws_w_bool(b, 0);                /* no delta-neutral contract */
	tws_w_str(b, r->generic_ticks);
	tws_w_bool(b, r->snapshot);
	tws_w_bool(b, r->regulatory);
	tws_w_str(b, "");                /* mktDataOptions */
	return tws_w_end(b);
}

int
tws_dec_mkt_req(tws_msg *m, tws_mkt_req *r)
{
	memset(r, 0, sizeof *r);
	if (begin(m, TWS_OUT_REQ_MKT_DATA) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	r->req_id = tws_r_int(m, "reqId");
	r_contract(m, &r->contract, 1);
	if (strcmp(r->contract.sec_type, "BAG") == 0 && r_group(m, "comboLegsCount", 4, "comboLeg") < 0)
		return -1;
	if (tws_r_bool(m, "deltaNeutralContract"))
		tws_r_skip(m, 3, "deltaNeutralContract");
	tws_r_strcpy(m, r->generic_ticks, sizeof r->generic_ticks, "genericTickList");
	r->snapshot = tws_r_bool(m, "snapshot");
	r->regulatory = tws_r_bool(m, "regulatorySnapshot");
	tws_r_skip(m, 1, "mktDataOptions");
	return finish(m);
}

static const field type_req[] = { VERSION(1), { F_INT, 0, 0, "marketDataType", 0 } };
static const field cancel_mkt[] = { VERSION(2), { F_INT, 0, 0, "reqId", 0 } };

int
tws_enc_market_data_type_req(tws_wbuf *b, int type)
{
	return enc_fields(b, TWS_OUT_REQ_MARKET_DATA_TYPE, type_req, NFIELDS(type_req), &type, TWS_MAX_VERSION);
}

int
tws_dec_market_data_type_req(tws_msg *m, int *type)
{
	return dec_fields(m, TWS_OUT_REQ_MARKET_DATA_TYPE, type_req, NFIELDS(type_req), type);
}

int
tws_enc_cancel_mkt(tws_wbuf *b, int req_id)
{
	return enc_fields(b, TWS_OUT_CANCEL_MKT_DATA, cancel_mkt, NFIELDS(cancel_mkt), &req_id, TWS_MAX_VERSION);
}

static const field tick_price_fields[] = {
	VERSION(6),
	{ F_INT, AT(tws_tick, req_id), "reqId", 0 },
	{ F_INT, AT(tws_tick, type), "tickType", 0 },
	{ F_DBL, AT(tws_tick, price), "price", 0 },
	{ F_DBL, AT(tws_tick, size), "size", 0 },
	{ F_INT, AT(tws_tick, attr), "attrMask", 0 },
};
static const field tick_size_fields[] = {
	VERSION(6),
	{ F_INT, AT(tws_tick, req_id), "reqId", 0 },
	{ F_INT, AT(tws_tick, type), "tickType", 0 },
	{ F_DBL, AT(tws_tick, size), "size", 0 },
};

int
tws_enc_tick_price(tws_wbuf *b, const tws_tick *t)
{
	return enc_fields(b, TWS_IN_TICK_PRICE, tick_price_fields, NFIELDS(tick_price_fields), t, TWS_MAX_VERSION);
}

int
tws_enc_tick_size(tws_wbuf *b, const tws_tick *t)
{
	return enc_fields(b, TWS_IN_TICK_SIZE, tick_size_fields, NFIELDS(tick_size_fields), t, TWS_MAX_VERSION);
}

int
tws_dec_tick(tws_msg *m, tws_tick *t)
{
	int id = tws_msg_id(m);

	memset(t, 0, sizeof *t);
	t->price = t->size = TWS_UNSET_DOUBLE;
	if (id == TWS_IN_TICK_SIZE)
		return dec_fields(m, id, tick_size_fields, NFIELDS(tick_size_fields), t);
	return dec_fields(m, TWS_IN_TICK_PRICE, tick_price_fields, NFIELDS(tick_price_fields), t);
}

int
tws_enc_tick_snapshot_end(tws_wbuf *b, int req_id)
{
	return enc_fields(b, TWS_IN_TICK_SNAPSHOT_END, id_version_req, NFIELDS(id_version_req), &req_id,
	    TWS_MAX_VERSION);
}

int
tws_enc_market_data_type(tws_wbuf *b, int req_id, int type)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_MARKET_DATA_TYPE);
	tws_w_int(b, 1);
	tws_w_int(b, req_id);
	tws_w_int(b, type);
	return tws_w_end(b);
}

int
tws_enc_tick_req_params(tws_wbuf *b, int req_id, double min_tick, const char *bbo, int permissions)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_TICK_REQ_PARAMS);
	tws_w_int(b, req_id);
	tws_w_dbl(b, min_tick);
	tws_w_str(b, bbo);
	tws_w_int(b, permissions);
	return tws_w_end(b);
}


/* ================================ contract details ================================ */

int
tws_enc_req_contract_v(tws_wbuf *b, int req_id, const tws_contract *c, int version)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_REQ_CONTRACT_DATA);
	tws_w_int(b, 8);
	tws_w_int(b, req_id);
	w_contract(b, c, 1);
	tws_w_bool(b, 0);          /* includeExpired */
	w_empty(b, 2);             /* secIdType, secId */
	if (version >= TWS_V_BOND_ISSUERID)
		tws_w_str(b, "");  /* issuerId */
	return tws_w_end(b);
}

int
tws_dec_req_contract_v(tws_msg *m, int *req_id, tws_contract *c, int version)
{
	if (begin(m, TWS_OUT_REQ_CONTRACT_DATA) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	*req_id = tws_r_int(m, "reqId");
	r_contract(m, c, 1);
	tws_r_skip(m, 3 + (version >= TWS_V_BOND_ISSUERID), "includeExpired..issuerId");
	return finish(m);
}

int
tws_enc_contract_data_v(tws_wbuf *b, const tws_contract_details *d, int version)
{
	const tws_contract *c = &d->contract;

	tws_w_begin(b);
	tws_w_int(b, TWS_IN_CONTRACT_DATA);
	if (version < TWS_V_SIZE_RULES)
		tws_w_int(b, 8);
	tws_w_int(b, d->req_id);
	tws_w_str(b, c->symbol);
	tws_w_str(b, c->sec_type);
	tws_w_str(b, c->last_trade);
	tws_w_dbl(b, c->strike);
	tws_w_str(b, c->right);
	tws_w_str(b, c->exchange);
	tws_w_str(b, c->currency);
	tws_w_str(b, c->local_symbol);
	tws_w_str(b, d->market_name);
	tws_w_str(b, c->trading_class);
	tws_w_int(b, c->con_id);
	tws_w_dbl(b, d->min_tick);
	if (version < TWS_V_SIZE_RULES)
		tws_w_int(b, 1);   /* mdSizeMultiplier */
	tws_w_str(b, c->multiplier);
	tws_w_str(b, "ACTIVETIM,AD,ALERT,ALLOC,AON,AVGCOST,BASKET,DAY,GTC,LIT,LMT,LOC,MIT,MKT,MOC,MTL,OPG,REL,STP,TRAIL");
	tws_w_str(b, "SMART,AMEX,NYSE,ARCA,NASDAQ,ISLAND,IEX");
	tws_w_int(b, 1);           /* priceMagnifier */
	tws_w_int(b, 0);           /* underConId */
	tws_w_str(b, d->long_name);
	tws_w_str(b, c->primary_exch);
	tws_w_str(b, "");          /* contractMonth */
	tws_w_str(b, d->industry);
	tws_w_str(b, d->category);
	tws_w_str(b, "");          /* subcategory */
	tws_w_str(b, d->time_zone);
	w_empty(b, 2);             /* tradingHours, liquidHours */
	tws_w_str(b, "");          /* evRule */
	tws_w_int(b, 0);           /* evMultiplier */
	tws_w_int(b, 0);           /* secIdList count */
	tws_w_int(b, 1);           /* aggGroup */
	w_empty(b, 2);             /* underSymbol, underSecType */
	tws_w_str(b, "26");        /* marketRuleIds */
	tws_w_str(b, "");          /* realExpirationDate */
	tws_w_str(b, d->stock_type);
	if (version == TWS_V_FRACTIONAL_SIZE_SUPPORT)
		tws_w_str(b, "0.0001");                     /* sizeMinTick */
	if (version >= TWS_V_SIZE_RULES) {
		tws_w_str(b, "1");                          /* minSize */
		tws_w_str(b, "1");                          /* sizeIncrement */
		tws_w_str(b, "100");                        /* suggestedSizeIncrement */
	}
	return tws_w_end(b);
}

int
tws_dec_contract_data_v(tws_msg *m, tws_contract_details *d, int version)
{
	tws_contract *c = &d->contract;

	memset(d, 0, sizeof *d);
	if (begin(m, TWS_IN_CONTRACT_DATA) < 0)
		return -1;
	if (version < TWS_V_SIZE_RULES)
		tws_r_skip(m, 1, "version");
	d->req_id = tws_r_int(m, "reqId");
	tws_r_strcpy(m, c->symbol, sizeof c->symbol, "symbol");
	tws_r_strcpy(m, c->sec_type, sizeof c->sec_type, "secType");
	tws_r_strcpy(m, c->last_trade, sizeof c->last_trade, "lastTradeDateOrContractMonth");
	c->strike = tws_r_dbl(m, "strike");
	if (c->strike == TWS_UNSET_DOUBLE)
		c->strike = 0;
	tws_r_strcpy(m, c->right, sizeof c->right, "right");
	tws_r_strcpy(m, c->exchange, sizeof c->exchange, "exchange");
	tws_r_strcpy(m, c->currency, sizeof c->currency, "currency");
	tws_r_strcpy(m, c->local_symbol, sizeof c->local_symbol, "localSymbol");
	copy(d->market_name, sizeof d->market_name, tws_r_str(m, "marketName"));
	tws_r_strcpy(m, c->trading_class, sizeof c->trading_class, "tradingClass");
	c->con_id = tws_r_int(m, "conId");
	d->min_tick = tws_r_dbl(m, "minTick");
	if (version < TWS_V_SIZE_RULES)
		tws_r_skip(m, 1, "mdSizeMultiplier");
	tws_r_strcpy(m, c->multiplier, sizeof c->multiplier, "multiplier");
	tws_r_skip(m, 4, "orderTypes..underConId");
	copy(d->long_name, sizeof d->long_name, tws_r_str(m, "longName"));
	tws_r_strcpy(m, c->primary_exch, sizeof c->primary_exch, "primaryExchange");
	tws_r_skip(m, 1, "contractMonth");
	copy(d->industry, sizeof d->industry, tws_r_str(m, "industry"));
	copy(d->category, sizeof d->category, tws_r_str(m, "category"));
	tws_r_skip(m, 1, "subcategory");
	copy(d->time_zone, sizeof d->time_zone, tws_r_str(m, "timeZoneId"));
	tws_r_skip(m, 2 + 2, "tradingHours..evMultiplier");
	if (r_group(m, "secIdListCount", 2, "secId") < 0)
		return -1;
	tws_r_skip(m, 1 + 2 + 1 + 1, "aggGroup..realExpirationDate");
	copy(d->stock_type, sizeof d->stock_type, tws_r_str(m, "stockType"));
	if (version == TWS_V_FRACTIONAL_SIZE_SUPPORT)
		tws_r_skip(m, 1, "sizeMinTick");
	if (version >= TWS_V_SIZE_RULES)
		tws_r_skip(m, 3, "minSize..suggestedSizeIncrement");
	if (version >= TWS_V_ENCODE_MSG_ASCII7)
		tws_unescape(d->long_name);
	return finish(m);
}

int
tws_enc_contract_data_end(tws_wbuf *b, int req_id)
{
	return enc_fields(b, TWS_IN_CONTRACT_DATA_END, id_version_req, NFIELDS(id_version_req), &req_id,
	    TWS_MAX_VERSION);
}

/* ================================ executions ================================ */

/* REQ_EXECUTIONS: 7|3|reqId| then the filter. */
static const field exec_filter_fields[] = {
	{ F_INT, AT(tws_exec_filter, client_id), "clientId", 0 },
	{ F_STR, AT(tws_exec_filter, account), "acctCode", 0 },
	{ F_STR, AT(tws_exec_filter, time), "time", 0 },
	{ F_STR, AT(tws_exec_filter, symbol), "symbol", 0 },
	{ F_STR, AT(tws_exec_filter, sec_type), "secType", 0 },
	{ F_STR, AT(tws_exec_filter, exchange), "exchange", 0 },
	{ F_STR, AT(tws_exec_filter, side), "side", 0 },
};

int
tws_enc_req_executions(tws_wbuf *b, int req_id, const tws_exec_filter *f)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_REQ_EXECUTIONS);
	tws_w_int(b, 3);
	tws_w_int(b, req_id);
	w_fields(b, exec_filter_fields, NFIELDS(exec_filter_fields), f, TWS_MAX_VERSION);
	return tws_w_end(b);
}

int
tws_dec_req_executions(tws_msg *m, int *req_id, tws_exec_filter *f)
{
	memset(f, 0, sizeof *f);
	if (begin(m, TWS_OUT_REQ_EXECUTIONS) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	*req_id = tws_r_int(m, "reqId");
	r_fields(m, exec_filter_fields, NFIELDS(exec_filter_fields), f);
	return finish(m);
}

/* EXECUTION_DATA has no version field; pendingPriceRevision came with version 178. */
static const field exec_fields[] = {
	{ F_INT, AT(tws_exec, req_id), "reqId", 0 },
	{ F_I64, AT(tws_exec, order_id), "orderId", 0 },
	{ F_CONTRACT, AT(tws_exec, contract), "contract", 0 },
	{ F_STR, AT(tws_exec, exec_id), "execId", 0 },
	{ F_STR, AT(tws_exec, time), "time", 0 },
	{ F_STR, AT(tws_exec, account), "acctNumber", 0 },
	{ F_STR, AT(tws_exec, exchange), "exchange", 0 },
	{ F_STR, AT(tws_exec, side), "side", 0 },
	{ F_DBL, AT(tws_exec, shares), "shares", 0 },
	{ F_DBL, AT(tws_exec, price), "price", 0 },
	{ F_I64, AT(tws_exec, perm_id), "permId", 0 },
	{ F_INT, AT(tws_exec, client_id), "clientId", 0 },
	{ F_INT, AT(tws_exec, liquidation), "liquidation", 0 },
	{ F_DBL, AT(tws_exec, cum_qty), "cumQty", 0 },
	{ F_DBL, AT(tws_exec, avg_price), "avgPrice", 0 },
	{ F_STR, AT(tws_exec, order_ref), "orderRef", 0 },
	{ F_STR, AT(tws_exec, ev_rule), "evRule", 0 },
	{ F_DBL, AT(tws_exec, ev_multiplier), "evMultiplier", 0 },
	{ F_STR, AT(tws_exec, model_code), "modelCode", 0 },
	{ F_INT, AT(tws_exec, last_liquidity), "lastLiquidity", 0 },
	{ F_BOOL, AT(tws_exec, pending_price_revision), "pendingPriceRevision", TWS_V_PENDING_PRICE_REVISION },
};

int
tws_enc_exec(tws_wbuf *b, const tws_exec *e)
{
	return tws_enc_exec_v(b, e, TWS_MAX_VERSION);
}

int
tws_enc_exec_v(tws_wbuf *b, const tws_exec *e, int version)
{
	return enc_fields(b, TWS_IN_EXECUTION_DATA, exec_fields, NFIELDS(exec_fields), e, version);
}

int
tws_dec_exec(tws_msg *m, tws_exec *e)
{
	memset(e, 0, sizeof *e);
	return dec_fields(m, TWS_IN_EXECUTION_DATA, exec_fields, NFIELDS(exec_fields), e);
}

int
tws_enc_exec_end(tws_wbuf *b, int req_id)
{
	return enc_fields(b, TWS_IN_EXECUTION_DATA_END, id_version_req, NFIELDS(id_version_req), &req_id,
	    TWS_MAX_VERSION);
}

int
tws_dec_exec_end(tws_msg *m, int *req_id)
{
	return dec_fields(m, TWS_IN_EXECUTION_DATA_END, id_version_req, NFIELDS(id_version_req), req_id);
}

static const field commission_fields[] = {
	VERSION(1),
	{ F_STR, AT(tws_commission, exec_id), "execId", 0 },
	{ F_DBL, AT(tws_commission, commission), "commission", 0 },
	{ F_STR, AT(tws_commission, currency), "currency", 0 },
	{ F_DBL_MAX, AT(tws_commission, realized_pnl), "realizedPNL", 0 },
	{ F_DBL_MAX, AT(tws_commission, yield), "yield", 0 },
	{ F_INT_0, AT(tws_commission, yield_redemption_date), "yieldRedemptionDate", 0 },
};

int
tws_enc_commission(tws_wbuf *b, const tws_commission *c)
{
	return enc_fields(b, TWS_IN_COMMISSION_REPORT, commission_fields, NFIELDS(commission_fields), c,
	    TWS_MAX_VERSION);
}

int
tws_dec_commission(tws_msg *m, tws_commission *c)
{
	memset(c, 0, sizeof *c);
	return dec_fields(m, TWS_IN_COMMISSION_REPORT, commission_fields, NFIELDS(commission_fields), c);
}

/* ================================ portfolio ================================ */

static const field position_fields[] = {
	VERSION(3),
	{ F_STR, AT(tws_position, account), "account", 0 },
	{ F_CONTRACT, AT(tws_position, contract), "contract", 0 },
	{ F_DBL, AT(tws_position, position), "position", 0 },
	{ F_DBL, AT(tws_position, avg_cost), "avgCost", 0 },
};

int
tws_enc_position(tws_wbuf *b, const tws_position *p)
{
	return enc_fields(b, TWS_IN_POSITION_DATA, position_fields, NFIELDS(position_fields), p, TWS_MAX_VERSION);
}

int
tws_dec_position(tws_msg *m, tws_position *p)
{
	memset(p, 0, sizeof *p);
	return dec_fields(m, TWS_IN_POSITION_DATA, position_fields, NFIELDS(position_fields), p);
}

int
tws_enc_req_account_summary(tws_wbuf *b, int req_id, const char *group, const char *tags)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_REQ_ACCOUNT_SUMMARY);
	tws_w_int(b, 1);
	tws_w_int(b, req_id);
	tws_w_str(b, group);
	tws_w_str(b, tags);
	return tws_w_end(b);
}

int
tws_dec_req_account_summary(tws_msg *m, int *req_id, char *group, size_t glen, char *tags, size_t tlen)
{
	if (begin(m, TWS_OUT_REQ_ACCOUNT_SUMMARY) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	*req_id = tws_r_int(m, "reqId");
	tws_r_strcpy(m, group, glen, "groupName");
	tws_r_strcpy(m, tags, tlen, "tags");
	return finish(m);
}

int
tws_enc_cancel_account_summary(tws_wbuf *b, int req_id)
{
	return enc_fields(b, TWS_OUT_CANCEL_ACCOUNT_SUMMARY, id_version_req, NFIELDS(id_version_req), &req_id,
	    TWS_MAX_VERSION);
}

int
tws_enc_account_summary_end(tws_wbuf *b, int req_id)
{
	return enc_fields(b, TWS_IN_ACCOUNT_SUMMARY_END, id_version_req, NFIELDS(id_version_req), &req_id,
	    TWS_MAX_VERSION);
}

int
tws_dec_id_version_req(tws_msg *m, int *req_id)
{
	return dec_fields(m, tws_msg_id(m), id_version_req, NFIELDS(id_version_req), req_id);
}

static const field account_value_fields[] = {
	VERSION(1),
	{ F_INT, AT(tws_account_value, req_id), "reqId", 0 },
	{ F_STR, AT(tws_account_value, account), "account", 0 },
	{ F_STR, AT(tws_account_value, tag), "tag", 0 },
	{ F_STR, AT(tws_account_value, value), "value", 0 },
	{ F_STR, AT(tws_account_value, currency), "currency", 0 },
};

int
tws_enc_account_summary(tws_wbuf *b, const tws_account_value *v)
{
	return enc_fields(b, TWS_IN_ACCOUNT_SUMMARY, account_value_fields, NFIELDS(account_value_fields), v,
	    TWS_MAX_VERSION);
}

int
tws_dec_account_summary(tws_msg *m, tws_account_value *v)
{
	memset(v, 0, sizeof *v);
	return dec_fields(m, TWS_IN_ACCOUNT_SUMMARY, account_value_fields, NFIELDS(account_value_fields), v);
}

/* ---- account updates ---- */

int
tws_enc_req_account_updates(tws_wbuf *b, int subscribe, const char *account)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_REQ_ACCOUNT_DATA);
	tws_w_int(b, 2);
	tws_w_bool(b, subscribe);
	tws_w_str(b, account);
	return tws_w_end(b);
}

int
tws_dec_req_account_updates(tws_msg *m, int *subscribe, char *account, size_t n)
{
	if (begin(m, TWS_OUT_REQ_ACCOUNT_DATA) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	*subscribe = tws_r_bool(m, "subscribe");
	account[0] = '\0';
	if (tws_r_left(m) > 0)
		tws_r_strcpy(m, account, n, "acctCode");
	return finish(m);
}

static const field acct_value_fields[] = {
	VERSION(2),
	{ F_STR, AT(tws_account_value, tag), "key", 0 },
	{ F_STR, AT(tws_account_value, value), "value", 0 },
	{ F_STR, AT(tws_account_value, currency), "currency", 0 },
	{ F_STR, AT(tws_account_value, account), "accountName", 0 },
};

int
tws_enc_acct_value(tws_wbuf *b, const tws_account_value *v)
{
	return enc_fields(b, TWS_IN_ACCT_VALUE, acct_value_fields, NFIELDS(acct_value_fields), v, TWS_MAX_VERSION);
}

int
tws_dec_acct_value(tws_msg *m, tws_account_value *v)
{
	memset(v, 0, sizeof *v);
	return dec_fields(m, TWS_IN_ACCT_VALUE, acct_value_fields, NFIELDS(acct_value_fields), v);
}

static const field portfolio_value_fields[] = {
	VERSION(8),
	{ F_INT, AT(tws_portfolio_value, contract.con_id), "conId", 0 },
	{ F_STR, AT(tws_portfolio_value, contract.symbol), "symbol", 0 },
	{ F_STR, AT(tws_portfolio_value, contract.sec_type), "secType", 0 },
	{ F_STR, AT(tws_portfolio_value, contract.last_trade), "lastTradeDateOrContractMonth", 0 },
	{ F_DBL, AT(tws_portfolio_value, contract.strike), "strike", 0 },
	{ F_STR, AT(tws_portfolio_value, contract.right), "right", 0 },
	{ F_STR, AT(tws_portfolio_value, contract.multiplier), "multiplier", 0 },
	{ F_STR, AT(tws_portfolio_value, contract.primary_exch), "primaryExchange", 0 },
	{ F_STR, AT(tws_portfolio_value, contract.currency), "currency", 0 },
	{ F_STR, AT(tws_portfolio_value, contract.local_symbol), "localSymbol", 0 },
	{ F_STR, AT(tws_portfolio_value, contract.trading_class), "tradingClass", 0 },
	{ F_DBL, AT(tws_portfolio_value, position), "position", 0 },
	{ F_DBL, AT(tws_portfolio_value, market_price), "marketPrice", 0 },
	{ F_DBL, AT(tws_portfolio_value, market_value), "marketValue", 0 },
	{ F_DBL, AT(tws_portfolio_value, avg_cost), "averageCost", 0 },
	{ F_DBL, AT(tws_portfolio_value, unrealized_pnl), "unrealizedPNL", 0 },
	{ F_DBL, AT(tws_portfolio_value, realized_pnl), "realizedPNL", 0 },
	{ F_STR, AT(tws_portfolio_value, account), "accountName", 0 },
};

int
tws_enc_portfolio_value(tws_wbuf *b, const tws_portfolio_value *p)
{
	return enc_fields(b, TWS_IN_PORTFOLIO_VALUE, portfolio_value_fields, NFIELDS(portfolio_value_fields), p,
	    TWS_MAX_VERSION);
}

int
tws_dec_portfolio_value(tws_msg *m, tws_portfolio_value *p)
{
	memset(p, 0, sizeof *p);
	return dec_fields(m, TWS_IN_PORTFOLIO_VALUE, portfolio_value_fields, NFIELDS(portfolio_value_fields), p);
}

/* A message of one string at version 1: id|1|s|. */
static int
enc_version1_str(tws_wbuf *b, int id, const char *s)
{
	tws_w_begin(b);
	tws_w_int(b, id);
	tws_w_int(b, 1);
	tws_w_str(b, s);
	return tws_w_end(b);
}

int
tws_enc_acct_update_time(tws_wbuf *b, const char *hhmm)
{
	return enc_version1_str(b, TWS_IN_ACCT_UPDATE_TIME, hhmm);
}

int
tws_enc_acct_download_end(tws_wbuf *b, const char *account)
{
	return enc_version1_str(b, TWS_IN_ACCT_DOWNLOAD_END, account);
}
