#include "tws/msg.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

/* Every decoder starts with begin(): the first field must be the expected id, versions are read and
 * checked against the lowest one whose layout we know. finish() turns m->bad into the return value. */
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

/* The many messages that are just "id|1|reqId|": one encoder, one decoder (which checks the id). */
static int
enc_id_version_req(tws_wbuf *b, int id, int req_id)
{
	tws_w_begin(b);
	tws_w_int(b, id);
	tws_w_int(b, 1);
	tws_w_int(b, req_id);
	return tws_w_end(b);
}

static int
dec_id_version_req(tws_msg *m, int id, int *req_id)
{
	if (begin(m, id) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	*req_id = tws_r_int(m, "reqId");
	return finish(m);
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

/* The 12-field contract of requests: conId .. tradingClass with primaryExchange. */
static void
w_contract12(tws_wbuf *b, const tws_contract *c)
{
	tws_w_int(b, c->con_id);
	tws_w_str(b, c->symbol);
	tws_w_str(b, c->sec_type);
	tws_w_str(b, c->last_trade);
	tws_w_dbl(b, c->strike == 0 ? TWS_UNSET_DOUBLE : c->strike);
	tws_w_str(b, c->right);
	tws_w_str(b, c->multiplier);
	tws_w_str(b, c->exchange);
	tws_w_str(b, c->primary_exch);
	tws_w_str(b, c->currency);
	tws_w_str(b, c->local_symbol);
	tws_w_str(b, c->trading_class);
}

static void
r_contract12(tws_msg *m, tws_contract *c)
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
	tws_r_strcpy(m, c->primary_exch, sizeof c->primary_exch, "primaryExchange");
	tws_r_strcpy(m, c->currency, sizeof c->currency, "currency");
	tws_r_strcpy(m, c->local_symbol, sizeof c->local_symbol, "localSymbol");
	tws_r_strcpy(m, c->trading_class, sizeof c->trading_class, "tradingClass");
}

/* The 11-field contract of responses: like the above without primaryExchange. */
static void
w_contract11(tws_wbuf *b, const tws_contract *c)
{
	tws_w_int(b, c->con_id);
	tws_w_str(b, c->symbol);
	tws_w_str(b, c->sec_type);
	tws_w_str(b, c->last_trade);
	tws_w_dbl(b, c->strike);
	tws_w_str(b, c->right);
	tws_w_str(b, c->multiplier);
	tws_w_str(b, c->exchange);
	tws_w_str(b, c->currency);
	tws_w_str(b, c->local_symbol);
	tws_w_str(b, c->trading_class);
}

static void
r_contract11(tws_msg *m, tws_contract *c)
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
	tws_r_strcpy(m, c->currency, sizeof c->currency, "currency");
	tws_r_strcpy(m, c->local_symbol, sizeof c->local_symbol, "localSymbol");
	tws_r_strcpy(m, c->trading_class, sizeof c->trading_class, "tradingClass");
}

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
tws_enc_next_valid_id(tws_wbuf *b, long long order_id)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_NEXT_VALID_ID);
	tws_w_int(b, 1);
	tws_w_int(b, order_id);
	return tws_w_end(b);
}

int
tws_dec_next_valid_id(tws_msg *m, long long *order_id)
{
	if (begin(m, TWS_IN_NEXT_VALID_ID) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	*order_id = tws_r_i64(m, "orderId");
	return finish(m);
}

int
tws_enc_req_ids(tws_wbuf *b, int num_ids)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_REQ_IDS);
	tws_w_int(b, 1);
	tws_w_int(b, num_ids);
	return tws_w_end(b);
}

int
tws_dec_req_ids(tws_msg *m, int *num_ids)
{
	if (begin(m, TWS_OUT_REQ_IDS) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	*num_ids = tws_r_int(m, "numIds");
	return finish(m);
}

int
tws_enc_req_current_time(tws_wbuf *b)
{
	return tws_enc_simple(b, TWS_OUT_REQ_CURRENT_TIME);
}

int
tws_enc_current_time(tws_wbuf *b, long long t)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_CURRENT_TIME);
	tws_w_int(b, 1);
	tws_w_int(b, t);
	return tws_w_end(b);
}

int
tws_dec_current_time(tws_msg *m, long long *t)
{
	if (begin(m, TWS_IN_CURRENT_TIME) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	*t = tws_r_i64(m, "time");
	return finish(m);
}

int
tws_enc_simple(tws_wbuf *b, int msg_id)
{
	tws_w_begin(b);
	tws_w_int(b, msg_id);
	tws_w_int(b, 1);
	return tws_w_end(b);
}

int
tws_enc_error(tws_wbuf *b, const tws_error *e)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_ERR_MSG);
	tws_w_int(b, 2);
	tws_w_int(b, e->id);
	tws_w_int(b, e->code);
	tws_w_str(b, e->msg);
	tws_w_str(b, e->advanced);
	return tws_w_end(b);
}

int
tws_dec_error(tws_msg *m, tws_error *e)
{
	memset(e, 0, sizeof *e);
	if (begin(m, TWS_IN_ERR_MSG) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	e->id = tws_r_int(m, "id");
	e->code = tws_r_int(m, "errorCode");
	copy(e->msg, sizeof e->msg, tws_r_str(m, "errorString"));
	/* advancedOrderRejectJson exists from version 166 on; older servers end here. */
	if (tws_r_left(m) > 0)
		copy(e->advanced, sizeof e->advanced, tws_r_str(m, "advancedOrderRejectJson"));
	return finish(m);
}

int
tws_error_is_notice(int code)
{
	return (code >= 2100 && code < 2200) || code == 1102 || code == 10167 || code == 399;
}

/* ================================ historical data ================================ */

int
tws_enc_hist_req(tws_wbuf *b, const tws_hist_req *r)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_REQ_HISTORICAL_DATA);
	tws_w_int(b, r->req_id);
	w_contract12(b, &r->contract);
	tws_w_bool(b, r->include_expired);
	tws_w_str(b, r->end);
	tws_w_str(b, r->bar_size);
	tws_w_str(b, r->duration);
	tws_w_int(b, r->use_rth);
	tws_w_str(b, r->what);
	tws_w_int(b, r->format_date);
	tws_w_bool(b, r->keep_up_to_date);
	tws_w_str(b, ""); /* chartOptions: a TagValue list, always empty */
	return tws_w_end(b);
}

int
tws_dec_hist_req(tws_msg *m, tws_hist_req *r)
{
	memset(r, 0, sizeof *r);
	if (begin(m, TWS_OUT_REQ_HISTORICAL_DATA) < 0)
		return -1;
	r->req_id = tws_r_int(m, "reqId");
	r_contract12(m, &r->contract);
	r->include_expired = tws_r_bool(m, "includeExpired");
	tws_r_strcpy(m, r->end, sizeof r->end, "endDateTime");
	tws_r_strcpy(m, r->bar_size, sizeof r->bar_size, "barSizeSetting");
	tws_r_strcpy(m, r->duration, sizeof r->duration, "durationStr");
	r->use_rth = tws_r_int(m, "useRTH");
	tws_r_strcpy(m, r->what, sizeof r->what, "whatToShow");
	r->format_date = tws_r_int(m, "formatDate");
	r->keep_up_to_date = tws_r_bool(m, "keepUpToDate");
	tws_r_skip(m, 1, "chartOptions");
	return finish(m);
}

int
tws_enc_cancel_hist(tws_wbuf *b, int req_id)
{
	return enc_id_version_req(b, TWS_OUT_CANCEL_HISTORICAL_DATA, req_id);
}

int
tws_dec_cancel_hist(tws_msg *m, int *req_id)
{
	return dec_id_version_req(m, TWS_OUT_CANCEL_HISTORICAL_DATA, req_id);
}

int
tws_enc_hist_data(tws_wbuf *b, const tws_hist_data *d)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_HISTORICAL_DATA);
	tws_w_int(b, d->req_id);
	tws_w_str(b, d->start);
	tws_w_str(b, d->end);
	tws_w_int(b, d->nbars);
	for (int i = 0; i < d->nbars; i++) {
		const tws_bar *x = &d->bars[i];
		tws_w_str(b, x->date);
		tws_w_dbl(b, x->open);
		tws_w_dbl(b, x->high);
		tws_w_dbl(b, x->low);
		tws_w_dbl(b, x->close);
		tws_w_dbl(b, x->volume);
		tws_w_dbl(b, x->wap);
		tws_w_int(b, x->count);
	}
	return tws_w_end(b);
}

int
tws_dec_hist_data(tws_msg *m, tws_hist_data *d)
{
	int n;

	memset(d, 0, sizeof *d);
	if (begin(m, TWS_IN_HISTORICAL_DATA) < 0)
		return -1;
	d->req_id = tws_r_int(m, "reqId");
	tws_r_strcpy(m, d->start, sizeof d->start, "startDateStr");
	tws_r_strcpy(m, d->end, sizeof d->end, "endDateStr");
	n = tws_r_int(m, "itemCount");
	if (m->bad)
		return -1;
	if (n < 0 || n != tws_r_left(m) / 8 || tws_r_left(m) % 8 != 0) {
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
	for (int i = 0; i < n; i++) {
		tws_bar *x = &d->bars[i];
		tws_r_strcpy(m, x->date, sizeof x->date, "date");
		x->open = tws_r_dbl(m, "open");
		x->high = tws_r_dbl(m, "high");
		x->low = tws_r_dbl(m, "low");
		x->close = tws_r_dbl(m, "close");
		x->volume = tws_r_dbl(m, "volume");
		x->wap = tws_r_dbl(m, "wap");
		x->count = tws_r_int(m, "barCount");
	}
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

static void
w_empty(tws_wbuf *b, int n)
{
	while (n-- > 0)
		tws_w_str(b, "");
}

int
tws_enc_place_order(tws_wbuf *b, const tws_contract *c, const tws_order *o)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_PLACE_ORDER);                  /* 1 */
	tws_w_int(b, o->order_id);                          /* 2 */
	w_contract12(b, c);                                 /* 3-14 */
	w_empty(b, 2);                                      /* 15-16 secIdType, secId */
	tws_w_str(b, o->action);                            /* 17 */
	tws_w_dbl(b, o->qty);                               /* 18 */
	tws_w_str(b, o->order_type);                        /* 19 */
	tws_w_dbl(b, o->lmt_price);                         /* 20 */
	tws_w_dbl(b, o->aux_price);                         /* 21 */
	tws_w_str(b, o->tif);                               /* 22 */
	tws_w_str(b, o->oca_group);                         /* 23 */
	tws_w_str(b, o->account);                           /* 24 */
	tws_w_str(b, "");                                   /* 25 openClose */
	tws_w_int(b, 0);                                    /* 26 origin: customer */
	tws_w_str(b, o->order_ref);                         /* 27 */
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
	tws_w_str(b, "");                                   /* 110 duration */
	tws_w_str(b, "");                                   /* 111 postToAts */
	tws_w_bool(b, 0);                                   /* 112 autoCancelParent */
	tws_w_str(b, "");                                   /* 113 advancedErrorOverride */
	tws_w_str(b, "");                                   /* 114 manualOrderTime */
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
	int n;
	double incr;
	const char *s;

	tws_order_init(o);
	if (begin(m, TWS_OUT_PLACE_ORDER) < 0)
		return -1;
	o->order_id = tws_r_i64(m, "orderId");
	r_contract12(m, c);
	tws_r_skip(m, 2, "secIdType/secId");
	tws_r_strcpy(m, o->action, sizeof o->action, "action");
	o->qty = tws_r_dbl(m, "totalQuantity");
	tws_r_strcpy(m, o->order_type, sizeof o->order_type, "orderType");
	o->lmt_price = tws_r_dbl(m, "lmtPrice");
	o->aux_price = tws_r_dbl(m, "auxPrice");
	tws_r_strcpy(m, o->tif, sizeof o->tif, "tif");
	tws_r_strcpy(m, o->oca_group, sizeof o->oca_group, "ocaGroup");
	tws_r_strcpy(m, o->account, sizeof o->account, "account");
	tws_r_skip(m, 2, "openClose/origin");
	tws_r_strcpy(m, o->order_ref, sizeof o->order_ref, "orderRef");
	o->transmit = tws_r_bool(m, "transmit");
	o->parent_id = tws_r_i64(m, "parentId");
	tws_r_skip(m, 4, "blockOrder..triggerMethod");
	o->outside_rth = tws_r_bool(m, "outsideRth");
	tws_r_skip(m, 1, "hidden");
	if (strcmp(c->sec_type, "BAG") == 0) {
		n = tws_r_int(m, "comboLegsCount");
		if (n < 0 || n > 1000)
			goto bad_count;
		tws_r_skip(m, 8 * n, "comboLeg");
		n = tws_r_int(m, "orderComboLegsCount");
		if (n < 0 || n > 1000)
			goto bad_count;
		tws_r_skip(m, n, "orderComboLeg");
		n = tws_r_int(m, "smartComboRoutingParamsCount");
		if (n < 0 || n > 1000)
			goto bad_count;
		tws_r_skip(m, 2 * n, "smartComboRoutingParam");
	}
	/* sharesAllocation .. faPercentage (7), modelCode .. deltaNeutralAuxPrice (24) */
	tws_r_skip(m, 7 + (version < 177) + 24, "order attributes");
	s = m->pos >= 2 && m->pos - 2 < m->n ? m->f[m->pos - 2] : "";
	if (*s != '\0') /* deltaNeutralOrderType set: eight more fields */
		tws_r_skip(m, 8, "deltaNeutral attributes");
	tws_r_skip(m, 6, "continuousUpdate..scaleSubsLevelSize");
	incr = tws_r_dbl(m, "scalePriceIncrement");
	if (incr > 0 && incr != TWS_UNSET_DOUBLE)
		tws_r_skip(m, 7, "scale attributes");
	tws_r_skip(m, 3, "scaleTable/activeStartTime/activeStopTime");
	s = tws_r_str(m, "hedgeType");
	if (*s != '\0')
		tws_r_skip(m, 1, "hedgeParam");
	tws_r_skip(m, 4, "optOutSmartRouting..notHeld");
	if (tws_r_bool(m, "deltaNeutralContract"))
		tws_r_skip(m, 3, "deltaNeutralContract");
	s = tws_r_str(m, "algoStrategy");
	if (*s != '\0') {
		n = tws_r_int(m, "algoParamsCount");
		if (n < 0 || n > 1000)
			goto bad_count;
		tws_r_skip(m, 2 * n, "algoParam");
	}
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
	 * advancedErrorOverride, manualOrderTime: version 178 sends all of them. */
	tws_r_skip(m, 19 + 5, "order attributes");
	return finish(m);
bad_count:
	if (!m->bad) {
		m->bad = 1;
		err_fmt(m->err, sizeof m->err, "field %d: count %d is out of range", m->pos - 1, n);
	}
	return -1;
}

int
tws_enc_cancel_order(tws_wbuf *b, long long order_id)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_CANCEL_ORDER);
	tws_w_int(b, 1);
	tws_w_int(b, order_id);
	tws_w_str(b, ""); /* manualOrderCancelTime */
	return tws_w_end(b);
}

int
tws_dec_cancel_order(tws_msg *m, long long *order_id)
{
	if (begin(m, TWS_OUT_CANCEL_ORDER) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	*order_id = tws_r_i64(m, "orderId");
	if (tws_r_left(m) > 0)
		tws_r_skip(m, 1, "manualOrderCancelTime");
	return finish(m);
}

int
tws_enc_order_status(tws_wbuf *b, const tws_order_status *s)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_ORDER_STATUS);
	tws_w_int(b, s->order_id);
	tws_w_str(b, s->status);
	tws_w_dbl(b, s->filled);
	tws_w_dbl(b, s->remaining);
	tws_w_dbl(b, s->avg_fill_price);
	tws_w_int(b, s->perm_id);
	tws_w_int(b, s->parent_id);
	tws_w_dbl(b, s->last_fill_price);
	tws_w_int(b, s->client_id);
	tws_w_str(b, s->why_held);
	tws_w_dbl(b, s->mkt_cap_price);
	return tws_w_end(b);
}

int
tws_dec_order_status(tws_msg *m, tws_order_status *s)
{
	memset(s, 0, sizeof *s);
	if (begin(m, TWS_IN_ORDER_STATUS) < 0)
		return -1;
	s->order_id = tws_r_i64(m, "orderId");
	tws_r_strcpy(m, s->status, sizeof s->status, "status");
	s->filled = tws_r_dbl(m, "filled");
	s->remaining = tws_r_dbl(m, "remaining");
	s->avg_fill_price = tws_r_dbl(m, "avgFillPrice");
	s->perm_id = tws_r_i64(m, "permId");
	s->parent_id = tws_r_i64(m, "parentId");
	s->last_fill_price = tws_r_dbl(m, "lastFillPrice");
	s->client_id = tws_r_int(m, "clientId");
	tws_r_strcpy(m, s->why_held, sizeof s->why_held, "whyHeld");
	s->mkt_cap_price = tws_r_dbl(m, "mktCapPrice");
	return finish(m);
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
	w_contract11(b, c);
	tws_w_str(b, o->action);
	tws_w_dbl(b, o->qty);
	tws_w_str(b, o->order_type);
	tws_w_dbl(b, o->lmt_price);
	tws_w_dbl(b, o->aux_price);
	tws_w_str(b, o->tif);
	tws_w_str(b, o->oca_group);
	tws_w_str(b, o->account);
	tws_w_str(b, "");          /* openClose */
	tws_w_int(b, 0);           /* origin */
	tws_w_str(b, o->order_ref);
	tws_w_int(b, o->client_id);
	tws_w_int(b, o->perm_id);
	tws_w_bool(b, o->outside_rth);
	tws_w_bool(b, 0);          /* hidden */
	tws_w_dbl(b, 0);           /* discretionaryAmt */
	tws_w_str(b, "");          /* goodAfterTime */
	tws_w_str(b, "");          /* sharesAllocation (deprecated) */
	w_empty(b, 3);             /* faGroup, faMethod, faPercentage */
	if (version < 177)
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
	tws_w_str(b, "");          /* duration */
	tws_w_bool(b, 0);          /* postToAts */
	tws_w_bool(b, 0);          /* autoCancelParent */
	w_empty(b, 5);             /* minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAt* */
	return tws_w_end(b);
}

int
tws_dec_open_order(tws_msg *m, tws_open_order *x)
{
	tws_contract *c = &x->contract;
	tws_order *o = &x->order;
	const char *s;
	double incr;
	int n;

	memset(x, 0, sizeof *x);
	tws_order_init(o);
	if (begin(m, TWS_IN_OPEN_ORDER) < 0)
		return -1;
	o->order_id = tws_r_i64(m, "orderId");
	r_contract11(m, c);
	tws_r_strcpy(m, o->action, sizeof o->action, "action");
	o->qty = tws_r_dbl(m, "totalQuantity");
	tws_r_strcpy(m, o->order_type, sizeof o->order_type, "orderType");
	o->lmt_price = tws_r_dbl(m, "lmtPrice");
	o->aux_price = tws_r_dbl(m, "auxPrice");
	tws_r_strcpy(m, o->tif, sizeof o->tif, "tif");
	tws_r_strcpy(m, o->oca_group, sizeof o->oca_group, "ocaGroup");
	tws_r_strcpy(m, o->account, sizeof o->account, "account");
	tws_r_skip(m, 2, "openClose/origin");
	tws_r_strcpy(m, o->order_ref, sizeof o->order_ref, "orderRef");
	o->client_id = tws_r_int(m, "clientId");
	o->perm_id = tws_r_i64(m, "permId");
	o->outside_rth = tws_r_bool(m, "outsideRth");
	tws_r_skip(m, 1 + 1 + 1 + 1 + 3, "hidden..faPercentage");
	tws_r_skip(m, 23, "modelCode..nbboPriceCap");
	o->parent_id = tws_r_i64(m, "parentId");
	tws_r_skip(m, 3, "triggerMethod/volatility/volatilityType");
	s = tws_r_str(m, "deltaNeutralOrderType");
	tws_r_skip(m, 1, "deltaNeutralAuxPrice");
	if (*s != '\0')
		tws_r_skip(m, 8, "deltaNeutral attributes");
	tws_r_skip(m, 7, "continuousUpdate..comboLegsDescrip");
	n = tws_r_int(m, "comboLegsCount");
	if (n < 0 || n > 1000)
		goto bad_count;
	tws_r_skip(m, 8 * n, "comboLeg");
	n = tws_r_int(m, "orderComboLegsCount");
	if (n < 0 || n > 1000)
		goto bad_count;
	tws_r_skip(m, n, "orderComboLeg");
	n = tws_r_int(m, "smartComboRoutingParamsCount");
	if (n < 0 || n > 1000)
		goto bad_count;
	tws_r_skip(m, 2 * n, "smartComboRoutingParam");
	tws_r_skip(m, 2, "scaleInitLevelSize/scaleSubsLevelSize");
	incr = tws_r_dbl(m, "scalePriceIncrement");
	if (incr > 0 && incr != TWS_UNSET_DOUBLE)
		tws_r_skip(m, 7, "scale attributes");
	s = tws_r_str(m, "hedgeType");
	if (*s != '\0')
		tws_r_skip(m, 1, "hedgeParam");
	tws_r_skip(m, 4, "optOutSmartRouting..notHeld");
	if (tws_r_bool(m, "deltaNeutralContract"))
		tws_r_skip(m, 3, "deltaNeutralContract");
	s = tws_r_str(m, "algoStrategy");
	if (*s != '\0') {
		n = tws_r_int(m, "algoParamsCount");
		if (n < 0 || n > 1000)
			goto bad_count;
		tws_r_skip(m, 2 * n, "algoParam");
	}
	tws_r_skip(m, 2, "solicited/whatIf");
	tws_r_strcpy(m, x->status, sizeof x->status, "status");
	tws_r_skip(m, 9, "margin fields");
	x->commission = tws_r_dbl(m, "commission");
	tws_r_skip(m, 3, "minCommission..commissionCurrency");
	copy(x->warning, sizeof x->warning, tws_r_str(m, "warningText"));
	/* The rest (randomize flags, conditions, adjusted-order and later attributes) carries nothing we keep;
	 * it is not checked so that a server sending a few more trailing fields is still understood. */
	return finish(m);
bad_count:
	if (!m->bad) {
		m->bad = 1;
		err_fmt(m->err, sizeof m->err, "field %d: count %d is out of range", m->pos - 1, n);
	}
	return -1;
}

/* ================================ executions ================================ */

int
tws_enc_req_executions(tws_wbuf *b, int req_id, const tws_exec_filter *f)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_OUT_REQ_EXECUTIONS);
	tws_w_int(b, 3);
	tws_w_int(b, req_id);
	tws_w_int(b, f->client_id);
	tws_w_str(b, f->account);
	tws_w_str(b, f->time);
	tws_w_str(b, f->symbol);
	tws_w_str(b, f->sec_type);
	tws_w_str(b, f->exchange);
	tws_w_str(b, f->side);
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
	f->client_id = tws_r_int(m, "clientId");
	tws_r_strcpy(m, f->account, sizeof f->account, "acctCode");
	tws_r_strcpy(m, f->time, sizeof f->time, "time");
	tws_r_strcpy(m, f->symbol, sizeof f->symbol, "symbol");
	tws_r_strcpy(m, f->sec_type, sizeof f->sec_type, "secType");
	tws_r_strcpy(m, f->exchange, sizeof f->exchange, "exchange");
	tws_r_strcpy(m, f->side, sizeof f->side, "side");
	return finish(m);
}

int
tws_enc_exec(tws_wbuf *b, const tws_exec *e)
{
	return tws_enc_exec_v(b, e, TWS_MAX_VERSION);
}

int
tws_enc_exec_v(tws_wbuf *b, const tws_exec *e, int version)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_EXECUTION_DATA);
	tws_w_int(b, e->req_id);
	tws_w_int(b, e->order_id);
	w_contract11(b, &e->contract);
	tws_w_str(b, e->exec_id);
	tws_w_str(b, e->time);
	tws_w_str(b, e->account);
	tws_w_str(b, e->exchange);
	tws_w_str(b, e->side);
	tws_w_dbl(b, e->shares);
	tws_w_dbl(b, e->price);
	tws_w_int(b, e->perm_id);
	tws_w_int(b, e->client_id);
	tws_w_int(b, e->liquidation);
	tws_w_dbl(b, e->cum_qty);
	tws_w_dbl(b, e->avg_price);
	tws_w_str(b, e->order_ref);
	tws_w_str(b, e->ev_rule);
	tws_w_dbl(b, e->ev_multiplier);
	tws_w_str(b, e->model_code);
	tws_w_int(b, e->last_liquidity);
	if (version >= 178)
		tws_w_bool(b, e->pending_price_revision);
	return tws_w_end(b);
}

int
tws_dec_exec(tws_msg *m, tws_exec *e)
{
	memset(e, 0, sizeof *e);
	if (begin(m, TWS_IN_EXECUTION_DATA) < 0)
		return -1;
	e->req_id = tws_r_int(m, "reqId");
	e->order_id = tws_r_i64(m, "orderId");
	r_contract11(m, &e->contract);
	tws_r_strcpy(m, e->exec_id, sizeof e->exec_id, "execId");
	tws_r_strcpy(m, e->time, sizeof e->time, "time");
	tws_r_strcpy(m, e->account, sizeof e->account, "acctNumber");
	tws_r_strcpy(m, e->exchange, sizeof e->exchange, "exchange");
	tws_r_strcpy(m, e->side, sizeof e->side, "side");
	e->shares = tws_r_dbl(m, "shares");
	e->price = tws_r_dbl(m, "price");
	e->perm_id = tws_r_i64(m, "permId");
	e->client_id = tws_r_int(m, "clientId");
	e->liquidation = tws_r_int(m, "liquidation");
	e->cum_qty = tws_r_dbl(m, "cumQty");
	e->avg_price = tws_r_dbl(m, "avgPrice");
	tws_r_strcpy(m, e->order_ref, sizeof e->order_ref, "orderRef");
	tws_r_strcpy(m, e->ev_rule, sizeof e->ev_rule, "evRule");
	e->ev_multiplier = tws_r_dbl(m, "evMultiplier");
	tws_r_strcpy(m, e->model_code, sizeof e->model_code, "modelCode");
	e->last_liquidity = tws_r_int(m, "lastLiquidity");
	if (tws_r_left(m) > 0) /* version 178 */
		e->pending_price_revision = tws_r_bool(m, "pendingPriceRevision");
	return finish(m);
}

int
tws_enc_exec_end(tws_wbuf *b, int req_id)
{
	return enc_id_version_req(b, TWS_IN_EXECUTION_DATA_END, req_id);
}

int
tws_dec_exec_end(tws_msg *m, int *req_id)
{
	return dec_id_version_req(m, TWS_IN_EXECUTION_DATA_END, req_id);
}

int
tws_enc_commission(tws_wbuf *b, const tws_commission *c)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_COMMISSION_REPORT);
	tws_w_int(b, 1);
	tws_w_str(b, c->exec_id);
	tws_w_dbl(b, c->commission);
	tws_w_str(b, c->currency);
	tws_w_dbl(b, c->realized_pnl);
	tws_w_dbl(b, c->yield);
	tws_w_int(b, c->yield_redemption_date);
	return tws_w_end(b);
}

int
tws_dec_commission(tws_msg *m, tws_commission *c)
{
	memset(c, 0, sizeof *c);
	if (begin(m, TWS_IN_COMMISSION_REPORT) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	tws_r_strcpy(m, c->exec_id, sizeof c->exec_id, "execId");
	c->commission = tws_r_dbl(m, "commission");
	tws_r_strcpy(m, c->currency, sizeof c->currency, "currency");
	c->realized_pnl = tws_r_dbl(m, "realizedPNL");
	c->yield = tws_r_dbl(m, "yield");
	c->yield_redemption_date = tws_r_int(m, "yieldRedemptionDate");
	return finish(m);
}

/* ================================ portfolio ================================ */

int
tws_enc_position(tws_wbuf *b, const tws_position *p)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_POSITION_DATA);
	tws_w_int(b, 3);
	tws_w_str(b, p->account);
	w_contract11(b, &p->contract);
	tws_w_dbl(b, p->position);
	tws_w_dbl(b, p->avg_cost);
	return tws_w_end(b);
}

int
tws_dec_position(tws_msg *m, tws_position *p)
{
	memset(p, 0, sizeof *p);
	if (begin(m, TWS_IN_POSITION_DATA) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	tws_r_strcpy(m, p->account, sizeof p->account, "account");
	r_contract11(m, &p->contract);
	p->position = tws_r_dbl(m, "position");
	p->avg_cost = tws_r_dbl(m, "avgCost");
	return finish(m);
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
	return enc_id_version_req(b, TWS_OUT_CANCEL_ACCOUNT_SUMMARY, req_id);
}

int
tws_enc_account_summary_end(tws_wbuf *b, int req_id)
{
	return enc_id_version_req(b, TWS_IN_ACCOUNT_SUMMARY_END, req_id);
}

int
tws_dec_id_version_req(tws_msg *m, int *req_id)
{
	return dec_id_version_req(m, tws_msg_id(m), req_id);
}

int
tws_enc_account_summary(tws_wbuf *b, const tws_account_value *v)
{
	tws_w_begin(b);
	tws_w_int(b, TWS_IN_ACCOUNT_SUMMARY);
	tws_w_int(b, 1);
	tws_w_int(b, v->req_id);
	tws_w_str(b, v->account);
	tws_w_str(b, v->tag);
	tws_w_str(b, v->value);
	tws_w_str(b, v->currency);
	return tws_w_end(b);
}

int
tws_dec_account_summary(tws_msg *m, tws_account_value *v)
{
	memset(v, 0, sizeof *v);
	if (begin(m, TWS_IN_ACCOUNT_SUMMARY) < 0)
		return -1;
	tws_r_skip(m, 1, "version");
	v->req_id = tws_r_int(m, "reqId");
	tws_r_strcpy(m, v->account, sizeof v->account, "account");
	tws_r_strcpy(m, v->tag, sizeof v->tag, "tag");
	tws_r_strcpy(m, v->value, sizeof v->value, "value");
	tws_r_strcpy(m, v->currency, sizeof v->currency, "currency");
	return finish(m);
}
