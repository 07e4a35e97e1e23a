/* sim/answers: ib-sim's answers to the requests of an API session: orders, executions, positions, account
 * summary, contract details, market-data snapshots, and what a session gets at START_API. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "log.h"
#include "sim/server_int.h"

/* 1 when sec stopped trading: its last bar is before the last session the clock has seen. */
int
sv_delisted(struct server *sv, const sim_sec *sec)
{
	int seen = sim_broker_phase(sv->b) == SIM_PRE_OPEN ? sim_broker_day(sv->b) - 1 : sim_broker_day(sv->b);

	return sec->nbars == 0 || sec->bars[sec->nbars - 1].date < cal_prev(seen + 1);
}

/* ================================ warnings and notices ================================ */

/* The warnings a paper account sends with a working order (texts as TWS words them). */
static void
send_order_warning(struct server *sv, struct sess *s, const tws_contract *c, const tws_order *o)
{
	char msg[384], t[48];

	switch (sv->o.order_warning) {
	case 399:
		snprintf(msg, sizeof msg, "Order Message:\n%s %g %s SMART\nWarning: your order will not be placed at "
		    "the exchange until the next session opens (%s).", o->action, o->qty, c->symbol,
		    sim_broker_time(sv->b, " US/Eastern", t, sizeof t));
		break;
	case 404:
		snprintf(msg, sizeof msg, "Shares for this order are not immediately available for short sale. The "
		    "order will be held while we attempt to locate the shares.");
		break;
	case 2109:
		snprintf(msg, sizeof msg, "Order Event Warning:Attribute 'Outside Regular Trading Hours' is ignored "
		    "based on the order type and destination. PlaceOrder is now processed.");
		break;
	default:
		snprintf(msg, sizeof msg, "Order TIF was set to DAY based on order preset.");
		break;
	}
	sv_send_error(s, (int)o->order_id, sv->o.order_warning, msg);
}

/* ================================ market data ================================ */

static void
tick(tws_wbuf *w, int req_id, int type, double price, double size)
{
	tws_tick t = { req_id, type, price, size, 0 };

	if (isnan(price) || isnan(size))
		return;
	if (price == TWS_UNSET_DOUBLE)
		tws_enc_tick_size(w, &t);
	else
		tws_enc_tick_price(w, &t);
}

/* A delayed snapshot at the clock: last is the latest trade the clock knows (today's close after the
 * close, today's open during the session, else the last close), close the previous session's close, as
 * IB's ticks mean them. Live data needs a subscription the simulated account does not have (354). */
static void
snapshot_answer(struct server *sv, struct sess *s, const tws_mkt_req *r)
{
	tws_wbuf *w = &s->stage_buf;
	sim_sec *sec = NULL;
	const sim_bar *today = NULL, *prev = NULL;
	int day = sim_broker_day(sv->b), i;
	enum sim_phase ph = sim_broker_phase(sv->b);
	char msg[200];

	if (r->contract.con_id > 0)
		sec = sim_prices_conid(sv->px, r->contract.con_id);
	if (sec == NULL && r->contract.symbol[0] != '\0')
		sec = sim_prices_symbol(sv->px, r->contract.symbol);
	if (sec == NULL || (r->contract.sec_type[0] != '\0' && strcmp(r->contract.sec_type, "STK") != 0)) {
		sv_send_error(s, r->req_id, 200, "No security definition has been found for the request");
		return;
	}
	if (!r->snapshot) {
		sv_send_error(s, r->req_id, 321, "Error validating request.-'bW' : cause - ib-sim serves market-data "
		    "snapshots only (snapshot=1)");
		return;
	}
	if (s->md_type != 3 && s->md_type != 4) {
		snprintf(msg, sizeof msg, "Requested market data is not subscribed. Delayed market data is available."
		    "%s NYSE/TOP/ALL", sec->symbol);
		sv_send_error(s, r->req_id, 354, msg);
		return;
	}
	if ((i = sim_sec_le(sec, day)) >= 0 && sec->bars[i].date == day && ph != SIM_PRE_OPEN) {
		today = &sec->bars[i];
		i--;
	} else if (i >= 0 && sec->bars[i].date == day) {
		i--;
	}
	if (i >= 0)
		prev = &sec->bars[i];
	tws_enc_market_data_type(w, r->req_id, 3);
	tws_enc_tick_req_params(w, r->req_id, 0.01, "9c0001", 3);
	sv_send_error(s, r->req_id, 10167, "Requested market data is not subscribed. Displaying delayed market data.");
	if (today != NULL && ph == SIM_CLOSED) {
		tick(w, r->req_id, TWS_TICK_DELAYED_LAST, today->close, TWS_UNSET_DOUBLE);
		tick(w, r->req_id, TWS_TICK_DELAYED_OPEN, today->open, TWS_UNSET_DOUBLE);
		tick(w, r->req_id, TWS_TICK_DELAYED_HIGH, today->high, TWS_UNSET_DOUBLE);
		tick(w, r->req_id, TWS_TICK_DELAYED_LOW, today->low, TWS_UNSET_DOUBLE);
		tick(w, r->req_id, TWS_TICK_DELAYED_VOLUME, TWS_UNSET_DOUBLE, today->volume);
	} else if (today != NULL && !isnan(today->open)) {
		tick(w, r->req_id, TWS_TICK_DELAYED_LAST, today->open, TWS_UNSET_DOUBLE);
		tick(w, r->req_id, TWS_TICK_DELAYED_OPEN, today->open, TWS_UNSET_DOUBLE);
	} else if (prev != NULL) {
		tick(w, r->req_id, TWS_TICK_DELAYED_LAST, prev->close, TWS_UNSET_DOUBLE);
	}
	if (prev != NULL)
		tick(w, r->req_id, TWS_TICK_DELAYED_CLOSE, prev->close, TWS_UNSET_DOUBLE);
	tws_enc_tick_snapshot_end(w, r->req_id);
}

/* ================================ requests ================================ */

/* The security an IB symbol names: IB writes a share class after a space ("BRK B") where CRSP-style files
 * write "BRK.B", "BRK/B", "BRK-B" or "BRKB". */
sim_sec *
sv_sec_by_ib_symbol(struct server *sv, const char *symbol)
{
	sim_sec *sec = sim_prices_symbol(sv->px, symbol);
	const char *sp = strchr(symbol, ' ');
	static const char seps[] = "./-";
	char alt[64];

	if (sec != NULL || sp == NULL || strchr(sp + 1, ' ') != NULL || sp - symbol > 20 || strlen(sp + 1) > 4)
		return sec;
	for (int i = 0; i <= 3 && sec == NULL; i++) {
		if (i < 3)
			snprintf(alt, sizeof alt, "%.*s%c%s", (int)(sp - symbol), symbol, seps[i], sp + 1);
		else
			snprintf(alt, sizeof alt, "%.*s%s", (int)(sp - symbol), symbol, sp + 1);
		sec = sim_prices_symbol(sv->px, alt);
	}
	return sec;
}

/* The IB symbol of a file's symbol: the share-class separator becomes a space ("BRK.B" -> "BRK B"). */
static void
ib_symbol(const char *file_symbol, char *out, size_t n)
{
	snprintf(out, n, "%s", file_symbol);
	for (char *p = out; *p; p++)
		if ((*p == '.' || *p == '/' || *p == '-') && p > out && p[1] != '\0' && strlen(p + 1) <= 4)
			*p = ' ';
}

/* reqContractDetails: a stock on SMART in USD, by conId or symbol; error 200 for an unknown symbol, or
 * one whose security has stopped trading (delisted: its last bar is before the last session the clock
 * has seen). */
static void
contract_answer(struct server *sv, struct sess *s, int req_id, const tws_contract *want)
{
	sim_sec *sec = NULL;
	tws_contract_details d;
	const char *prim;

	if (want->con_id > 0)
		sec = sim_prices_conid(sv->px, want->con_id);
	else if (want->symbol[0] != '\0')
		sec = sv_sec_by_ib_symbol(sv, want->symbol);
	if (sec != NULL && ((want->sec_type[0] && strcmp(want->sec_type, "STK") != 0) ||
	    (want->currency[0] && strcmp(want->currency, "USD") != 0)))
		sec = NULL;
	prim = sec != NULL ? sim_sec_primary(sec) : "NYSE";
	if (sec != NULL && want->primary_exch[0] && strcmp(want->primary_exch, prim) != 0)
		sec = NULL;
	if (sec == NULL || sv_delisted(sv, sec)) {
		sv_send_error(s, req_id, 200, "No security definition has been found for the request");
		return;
	}
	memset(&d, 0, sizeof d);
	d.req_id = req_id;
	tws_contract_stock(&d.contract, "");
	ib_symbol(sec->symbol, d.contract.symbol, sizeof d.contract.symbol);
	d.contract.con_id = sec->con_id;
	snprintf(d.contract.local_symbol, sizeof d.contract.local_symbol, "%s", d.contract.symbol);
	snprintf(d.contract.trading_class, sizeof d.contract.trading_class, "%s", prim[1] == 'A' ? "NMS" : d.contract.symbol);
	snprintf(d.contract.primary_exch, sizeof d.contract.primary_exch, "%s", prim);
	snprintf(d.market_name, sizeof d.market_name, "%s", d.contract.trading_class);
	d.min_tick = 0.01;
	snprintf(d.long_name, sizeof d.long_name, "%s INC", d.contract.symbol);
	snprintf(d.time_zone, sizeof d.time_zone, "US/Eastern");
	snprintf(d.stock_type, sizeof d.stock_type, "COMMON");
	tws_enc_contract_data_v(&s->stage_buf, &d, s->version);
	tws_enc_contract_data_end(&s->stage_buf, req_id);
}


static int
exec_matches(const sim_fill *f, const tws_exec_filter *x, long long since)
{
	if (x->client_id != 0 && f->client_id != x->client_id)
		return 0;
	if (x->symbol[0] && strcasecmp(x->symbol, f->symbol) != 0)
		return 0;
	if (x->side[0]) {
		int buy = strcasecmp(x->side, "BUY") == 0 || strcasecmp(x->side, "BOT") == 0;
		if (buy != (strcmp(f->side, "BOT") == 0))
			return 0;
	}
	return f->epoch >= since;
}

/* An executions filter's time as seconds since the epoch: "yyyymmdd HH:MM:SS ZONE" (New York's zones or
 * UTC), "yyyymmdd-HH:MM:SS" (UTC), or without a zone New York time (where the simulated gateway runs).
 * Returns 0, or -1 when malformed or in a zone we do not know. */
static int
filter_time(const char *t, long long *since)
{
	char zone[48] = "";
	int day, hh, mm, ss, n = 0, utc;
	size_t len = strlen(t);

	if (len < 17 || sv_parse_yyyymmdd(t, &day) < 0 || (t[8] != ' ' && t[8] != '-'))
		return -1;
	utc = t[8] == '-';
	if (sscanf(t + 9, "%2d:%2d:%2d%n", &hh, &mm, &ss, &n) != 3 || n != 8 || hh > 23 || mm > 59 || ss > 60)
		return -1;
	snprintf(zone, sizeof zone, "%s", t + 17 + (t[17] == ' '));
	if (utc && zone[0] != '\0')
		return -1;
	if (strcasecmp(zone, "UTC") == 0 || strcasecmp(zone, "GMT") == 0 || strcasecmp(zone, "Etc/UTC") == 0)
		utc = 1;
	else if (!utc && zone[0] != '\0' && strcasecmp(zone, "US/Eastern") != 0 &&
	    strcasecmp(zone, "America/New_York") != 0 && strcasecmp(zone, "EST5EDT") != 0)
		return -1;
	*since = utc ? (long long)day * 86400 + hh * 3600 + mm * 60 + ss : sim_ny_epoch(day, hh, mm) + ss;
	return 0;
}

static void
on_place(struct server *sv, struct sess *s)
{
	tws_msg *m = &sv->msg;
	tws_contract c;
	tws_order o;
	char err[320];

	if (tws_dec_place_order_v(m, &c, &o, s->version) < 0) {
		char msg[256];
		long long oid = m->n > 1 ? atoll(m->f[1]) : -1;
		snprintf(msg, sizeof msg, "Order rejected - reason:cannot read the order: %s", m->err);
		sv_send_error(s, (int)oid, 201, msg);
		return;
	}
	if (sv->o.order_warning != 0)
		send_order_warning(sv, s, &c, &o);
	sv_commit(sv, s); /* the broker writes to this session through on_note */
	if (sim_broker_place(sv->b, s->client_id, &c, &o, err, sizeof err) != 0) {
		log_warn("%s", err);
		sv_send_error(s, (int)o.order_id, 201, "Order rejected - reason:the simulator could not save its state");
	}
}

static void
open_orders(struct server *sv, struct sess *s, int all)
{
	for (int i = 0; i < sim_broker_norders(sv->b); i++) {
		const sim_order *o = sim_broker_order(sv->b, i);
		if (sim_order_open(o) && (all || o->client_id == s->client_id))
			sv_emit_order(sv, s, o);
	}
	tws_enc_simple(&s->stage_buf, TWS_IN_OPEN_ORDER_END);
}

static void
completed_orders(struct server *sv, struct sess *s)
{
	int prev = cal_prev(sim_broker_day(sv->b));

	/* IB reports the orders completed in the current session; the simulator keeps those done since the
	 * previous trading day (a session spans the evening and the next day's open). */
	for (int i = 0; i < sim_broker_norders(sv->b); i++) {
		const sim_order *o = sim_broker_order(sv->b, i);
		tws_completed_order co;
		if (sim_order_open(o) || o->perm_id == 0 || o->done_day < prev)
			continue;
		sim_order_to_completed(sv->b, o, &co);
		tws_enc_completed_order_v(&s->stage_buf, &co, s->version);
	}
	tws_enc_completed_orders_end(&s->stage_buf);
}

static void
executions(struct server *sv, struct sess *s, int req, const tws_exec_filter *f)
{
	long long since = 0;

	if (f->time[0] != '\0' && filter_time(f->time, &since) < 0) {
		char msg[320];
		snprintf(msg, sizeof msg, "Error validating request.-'bN' : cause - Invalid execution filter time "
		    "'%.60s' (yyyymmdd HH:MM:SS with a zone such as US/Eastern, or yyyymmdd-HH:MM:SS in UTC)", f->time);
		sv_send_error(s, req, 321, msg);
		tws_enc_exec_end(&s->stage_buf, req);
		return;
	}
	for (int i = 0; i < sim_broker_nfills(sv->b); i++) {
		const sim_fill *fl = sim_broker_fill(sv->b, i);
		if (!exec_matches(fl, f, since))
			continue;
		sv_emit_fill(sv, s, fl, req);
		sv_emit_commission(s, fl);
	}
	tws_enc_exec_end(&s->stage_buf, req);
}

static void
positions(struct server *sv, struct sess *s)
{
	s->positions_sub = 1;
	for (int i = 0; i < sim_broker_npos(sv->b); i++) {
		tws_position p;
		sim_pos_to_position(sv->b, sim_broker_pos(sv->b, i), &p);
		tws_enc_position(&s->stage_buf, &p);
	}
	tws_enc_simple(&s->stage_buf, TWS_IN_POSITION_END);
}

/* Requests a gateway answers that the simulator does not serve, by message id (EClient's outgoing ids), with
 * the field that carries their request id (0: none). */
static const struct { int id, req_field; const char *name; } unserved_requests[] = {
	{ 10, 2, "reqMktDepth" }, { 12, 0, "reqNewsBulletins" }, { 13, 0, "cancelNewsBulletins" },
	{ 15, 0, "reqAutoOpenOrders" }, { 18, 0, "requestFA" }, { 19, 0, "replaceFA" },
	{ 22, 2, "reqScannerSubscription" }, { 24, 0, "reqScannerParameters" }, { 52, 2, "reqFundamentalData" },
	{ 54, 2, "calculateImpliedVolatility" }, { 55, 2, "calculateOptionPrice" }, { 67, 2, "reqSoftDollarTiers" },
	{ 74, 2, "reqPositionsMulti" }, { 76, 2, "reqAccountUpdatesMulti" }, { 78, 1, "reqSecDefOptParams" },
	{ 80, 0, "reqFamilyCodes" }, { 81, 1, "reqMatchingSymbols" }, { 82, 1, "reqMktDepthExchanges" },
	{ 83, 1, "reqSmartComponents" }, { 84, 1, "reqNewsArticle" }, { 85, 0, "reqNewsProviders" },
	{ 86, 1, "reqHistoricalNews" }, { 87, 1, "reqHeadTimestamp" }, { 88, 1, "reqHistogramData" },
	{ 91, 0, "reqMarketRule" }, { 92, 1, "reqPnL" }, { 94, 1, "reqPnLSingle" }, { 96, 1, "reqHistoricalTicks" },
	{ 97, 1, "reqTickByTickData" }, { 100, 1, "reqWshMetaData" }, { 102, 1, "reqWshEventData" },
	{ 104, 1, "reqUserInfo" },
};

/* A request the simulator does not serve: never silence (a client would wait for ever). Known requests get
 * error 321 naming them, with their request id when they carry one; an id the API does not know gets the
 * gateway's 505 "Fatal Error: Unknown message id.". Requests that have no answer at a gateway either
 * (cancellations, setServerLogLevel) are taken quietly by the caller. */
static void
unserved(struct server *sv, struct sess *s, int id)
{
	tws_msg *m = &sv->msg;
	char msg[200];

	for (size_t i = 0; i < sizeof unserved_requests / sizeof unserved_requests[0]; i++) {
		int f = unserved_requests[i].req_field;
		if (unserved_requests[i].id != id)
			continue;
		snprintf(msg, sizeof msg, "Error validating request.-'' : cause - %s (message %d) is not served by ib-sim",
		    unserved_requests[i].name, id);
		sv_send_error(s, f > 0 && m->n > f ? atoi(m->f[f]) : -1, 321, msg);
		return;
	}
	log_info("%s: unknown message %d: error 505", s->peer, id);
	sv_send_error(s, -1, 505, "Fatal Error: Unknown message id.");
}

/* reqGlobalCancel: every open order of the account is cancelled (each its 202 and status), as IB does. */
static int
global_cancel(struct server *sv, struct sess *s)
{
	char err[320];

	for (int i = 0; i < sim_broker_norders(sv->b); i++) {
		const sim_order *o = sim_broker_order(sv->b, i);
		if (!sim_order_open(o))
			continue;
		if (sim_broker_cancel(sv->b, o->client_id, o->order_id, err, sizeof err) != 0) {
			log_warn("%s", err);
			sv_send_error(s, (int)o->order_id, 161, "the simulator could not save its state");
		}
	}
	return 0;
}

/* The requests that carry no answer of their own, or whose decoding is all there is. Returns 0 when
 * handled, 1 when id is not one of them, -1 when the request could not be read. */
static int
handle_simple(struct server *sv, struct sess *s, int id)
{
	tws_msg *m = &sv->msg;
	long long oid;
	int type;
	char err[320];

	switch (id) {
	case TWS_OUT_CANCEL_HISTORICAL_DATA:
		return 0; /* answers go out at once: nothing is left to cancel */
	case TWS_OUT_CANCEL_ORDER:
		if (tws_dec_cancel_order(m, &oid) < 0)
			return -1;
		sv_commit(sv, s);
		if (sim_broker_cancel(sv->b, s->client_id, oid, err, sizeof err) != 0) {
			log_warn("%s", err);
			sv_send_error(s, (int)oid, 161, "the simulator could not save its state");
		}
		return 0;
	case TWS_OUT_REQ_MARKET_DATA_TYPE:
		if (tws_dec_market_data_type_req(m, &type) < 0 || type < 1 || type > 4)
			return -1;
		s->md_type = type;
		return 0;
	case TWS_OUT_CANCEL_MKT_DATA:
		return 0; /* snapshots end by themselves */
	case TWS_OUT_REQ_IDS:
		tws_enc_next_valid_id(&s->stage_buf, sim_broker_next_id(sv->b));
		return 0;
	case TWS_OUT_REQ_CURRENT_TIME:
		tws_enc_current_time(&s->stage_buf, sim_broker_epoch(sv->b));
		return 0;
	case TWS_OUT_CANCEL_POSITIONS:
		s->positions_sub = 0;
		return 0;
	case TWS_OUT_REQ_MANAGED_ACCTS:
		tws_enc_managed_accts(&s->stage_buf, sim_broker_account(sv->b));
		return 0;
	case TWS_OUT_REQ_GLOBAL_CANCEL:
		sv_commit(sv, s); /* the broker writes to this session through on_note */
		return global_cancel(sv, s);
	case TWS_OUT_CANCEL_ACCOUNT_SUMMARY:
	case TWS_OUT_START_API:
	case TWS_OUT_SET_SERVER_LOGLEVEL:
		return 0; /* no answer at a gateway either */
	}
	return 1;
}

void
sv_handle_ready(struct server *sv, struct sess *s)
{
	tws_msg *m = &sv->msg;
	int id = tws_msg_id(m), req, rc = 0;

	switch (id) {
	case TWS_OUT_REQ_HISTORICAL_DATA: {
		tws_hist_req r;
		if ((rc = tws_dec_hist_req(m, &r)) < 0)
			break;
		sv_hist_answer(sv, s, &r);
		if (sv->o.farm_notices) {
			sv_send_error(s, -1, 2107, sv_notice_text(2107));
			sv->farm_asleep = 1;
		}
		break;
	}
	case TWS_OUT_REQ_CONTRACT_DATA: {
		tws_contract c;
		if ((rc = tws_dec_req_contract_v(m, &req, &c, s->version)) >= 0)
			contract_answer(sv, s, req, &c);
		break;
	}
	case TWS_OUT_PLACE_ORDER:
		on_place(sv, s);
		break;
	case TWS_OUT_REQ_OPEN_ORDERS:
	case TWS_OUT_REQ_ALL_OPEN_ORDERS:
		open_orders(sv, s, id == TWS_OUT_REQ_ALL_OPEN_ORDERS);
		break;
	case TWS_OUT_REQ_MKT_DATA: {
		tws_mkt_req r;
		if ((rc = tws_dec_mkt_req(m, &r)) >= 0)
			snapshot_answer(sv, s, &r);
		break;
	}
	case TWS_OUT_REQ_COMPLETED_ORDERS: {
		int api_only;
		if ((rc = tws_dec_req_completed_orders(m, &api_only)) >= 0)
			completed_orders(sv, s);
		break;
	}
	case TWS_OUT_REQ_EXECUTIONS: {
		tws_exec_filter f;
		if ((rc = tws_dec_req_executions(m, &req, &f)) >= 0)
			executions(sv, s, req, &f);
		break;
	}
	case TWS_OUT_REQ_POSITIONS:
		positions(sv, s);
		break;
	case TWS_OUT_REQ_ACCOUNT_SUMMARY: {
		char group[64], tags[512];
		if ((rc = tws_dec_req_account_summary(m, &req, group, sizeof group, tags, sizeof tags)) >= 0)
			sv_account_summary(sv, s, req, tags);
		break;
	}
	case TWS_OUT_REQ_ACCOUNT_DATA: {
		char acct[64];
		int sub;
		if ((rc = tws_dec_req_account_updates(m, &sub, acct, sizeof acct)) >= 0)
			sv_account_updates(sv, s, sub, acct);
		break;
	}
	default:
		if ((rc = handle_simple(sv, s, id)) > 0) {
			unserved(sv, s, id);
			rc = 0;
		}
		break;
	}
	if (rc < 0) {
		char msg[256];
		snprintf(msg, sizeof msg, "Error reading request: message %d: %s", id, m->err);
		sv_send_error(s, -1, 320, msg);
	}
}

void
sv_handle_start(struct server *sv, struct sess *s)
{
	tws_msg *m = &sv->msg;
	tws_wbuf *w = &s->stage_buf;
	char cap[64];
	int cid;

	if (tws_msg_id(m) != TWS_OUT_START_API || tws_dec_start_api(m, &cid, cap, sizeof cap) < 0) {
		log_warn("%s: expected START_API, closing", s->peer);
		s->dead = 1;
		return;
	}
	if (sv_client_sess(sv, cid) != NULL) {
		log_info("%s: client id %d is already in use: error 326", s->peer, cid);
		sv_send_error(s, -1, 326, "Unable to connect as the client id is already in use. Retry with a unique client id.");
		s->closing = 1;
		return;
	}
	s->client_id = cid;
	s->stage = ST_READY;
	s->md_type = 1;
	log_info("%s: client id %d connected (version %d)", s->peer, cid, s->version);
	tws_enc_managed_accts(w, sim_broker_account(sv->b));
	tws_enc_next_valid_id(w, sim_broker_next_id(sv->b));
	sv_send_error(s, -1, 2104, "Market data farm connection is OK:usfarm");
	sv_send_error(s, -1, 2106, "HMDS data farm connection is OK:ushmds");
	sv_send_error(s, -1, 2158, "Sec-def data farm connection is OK:secdefil");
	if (sv->link_down) /* the state of TWS's link, for a client that connects while it is down */
		sv_send_error(s, -1, 1100, sv_notice_text(1100));
	/* As a gateway with "download open orders on connection" does: this client's working orders, then an
	 * OPEN_ORDER_END that answers no request. */
	for (int i = 0; i < sim_broker_norders(sv->b); i++) {
		const sim_order *o = sim_broker_order(sv->b, i);
		if (sim_order_open(o) && o->client_id == cid)
			sv_emit_order(sv, s, o);
	}
	tws_enc_simple(w, TWS_IN_OPEN_ORDER_END);
}

