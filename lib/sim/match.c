/* sim/match: the simulated broker's order book: placing, modifying and cancelling orders, the buying-power
 * check, the opening and closing auctions and the session, and the clock moving through them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "sim/broker_int.h"
#include "util.h"

/* ================================ notifications ================================ */

static void
note_order(sim_broker *b, const sim_order *o)
{
	sim_note_info n = { SIM_NOTE_ORDER, o->client_id, o->order_id, o, NULL, NULL, 0, NULL };

	if (b->notify)
		b->notify(b->ctx, &n);
}

static void
note_error(sim_broker *b, int client_id, long long order_id, int code, const char *msg)
{
	sim_note_info n = { SIM_NOTE_ERROR, client_id, order_id, NULL, NULL, NULL, code, msg };

	if (b->notify)
		b->notify(b->ctx, &n);
}

/* ================================ orders ================================ */

static int
is_buy(const sim_order *o)
{
	return strcmp(o->action, "BUY") == 0;
}

/* Cancel o (working or staged) with a reason: persisted, then 202 (or 201 for a rejection) and status. */
static int
cancel_with(sim_broker *b, sim_order *o, int code, const char *why)
{
	char msg[200];

	snprintf(o->status, sizeof o->status, "Cancelled");
	snprintf(o->why, sizeof o->why, "%s", why);
	o->done_day = b->day;
	if (sb_journal(b, sb_order_json(o), NULL, NULL, NULL) < 0)
		return -1;
	if (code == 202)
		snprintf(msg, sizeof msg, "Order Canceled - reason:%s", why);
	else
		snprintf(msg, sizeof msg, "Order rejected - reason:%s", why);
	note_error(b, o->client_id, o->order_id, code, msg);
	note_order(b, o);
	return 0;
}

static const sim_bar *bar_today(sim_broker *b, const sim_order *o);

/* Shares executed in the clock's calendar month so far: what IB's tiered bands count. */
static double
month_shares(const sim_broker *b)
{
	int y, m, d, fy, fm;
	double n = 0;

	date_to_ymd(b->day, &y, &m, &d);
	for (int i = b->nfills - 1; i >= 0; i--) {
		date_to_ymd(b->fills[i].day, &fy, &fm, &d);
		if (fy != y || fm != m)
			break; /* fills are in time order */
		n += b->fills[i].qty;
	}
	return n;
}

/* Fill what o has left, up to the volume share of today's bar, at raw price px (slippage applied here) at
 * (day, phase). The order is Filled when nothing is left, else it stays working (Submitted). */
static int
fill(sim_broker *b, sim_order *o, double px, enum sim_phase phase)
{
	double slip = b->slippage_bps / 10000.0, price, comm, value, pnl = TWS_UNSET_DOUBLE;
	double q = o->qty - o->filled, sign = is_buy(o) ? 1 : -1;
	const sim_bar *bar = b->volume_share > 0 ? bar_today(b, o) : NULL;
	sim_fill f;
	sim_pos *p, empty;
	sim_note_info n;

	if (bar != NULL && !isnan(bar->volume) && floor(b->volume_share * bar->volume) < q)
		q = floor(b->volume_share * bar->volume);
	if (q < 1)
		return 0;

	price = px * (1 + sign * slip);
	if (o->lmt_price != TWS_UNSET_DOUBLE)
		price = is_buy(o) ? fmin(price, o->lmt_price) : fmax(price, o->lmt_price);
	price = round(price * 10000) / 10000; /* prices in 1/100 of a cent */
	comm = sim_fee_total(&b->fees, !is_buy(o), q, price, month_shares(b));
	value = q * price;
	b->cash -= sign * value + comm;

	p = sb_find_pos(b, o->con_id);
	if (p == NULL) {
		memset(&empty, 0, sizeof empty);
		snprintf(empty.sec_id, sizeof empty.sec_id, "%s", o->sec_id);
		snprintf(empty.symbol, sizeof empty.symbol, "%s", o->symbol);
		empty.con_id = o->con_id;
		p = &empty;
	}
	{
		double old = p->qty, delta = sign * q, closing = 0, opening;
		if (old != 0 && (old > 0) != (delta > 0))
			closing = fmin(fabs(old), q);
		opening = q - closing;
		if (closing > 0) {
			/* Realised P&L of the closed part, net of its share of the commission. */
			double c_share = comm * closing / q;
			pnl = (old > 0 ? price - p->avg_cost : p->avg_cost - price) * closing - c_share;
		}
		if (opening > 0) {
			double c_share = comm * opening / q, base = fabs(old) - closing;
			double basis = p->avg_cost * base + (delta > 0 ? price * opening + c_share : price * opening - c_share);
			p->avg_cost = basis / (base + opening);
		}
		p->qty = old + delta;
		if (fabs(p->qty) < 1e-9)
			p->qty = 0;
	}

	memset(&f, 0, sizeof f);
	snprintf(f.exec_id, sizeof f.exec_id, "0000%04x.%08llx.01.01", (unsigned)(b->day & 0xffff),
	    (unsigned long long)++b->exec_seq);
	f.client_id = o->client_id;
	f.order_id = o->order_id;
	f.perm_id = o->perm_id;
	snprintf(f.sec_id, sizeof f.sec_id, "%s", o->sec_id);
	snprintf(f.symbol, sizeof f.symbol, "%s", o->symbol);
	f.con_id = o->con_id;
	snprintf(f.side, sizeof f.side, "%s", is_buy(o) ? "BOT" : "SLD");
	f.qty = q;
	f.price = price;
	f.commission = comm;
	f.realized_pnl = pnl;
	snprintf(f.order_ref, sizeof f.order_ref, "%s", o->order_ref);
	f.day = b->day;
	f.phase = phase;
	f.epoch = sb_phase_epoch(b->day, phase);

	o->avg_price = o->filled > 0 ? (o->avg_price * o->filled + price * q) / (o->filled + q) : price;
	o->filled += q;
	o->last_price = price;
	if (o->filled >= o->qty) {
		snprintf(o->status, sizeof o->status, "Filled");
		o->done_day = b->day;
	} else {
		snprintf(o->status, sizeof o->status, "Submitted");
	}

	if (sb_journal(b, sb_fill_json(&f), sb_order_json(o), sb_pos_json(p), sb_acct_json(b)) < 0)
		return -1;
	if (util_grow((void **)&b->fills, &b->fcap, (size_t)b->nfills + 1, sizeof *b->fills) < 0)
		return -1;
	b->fills[b->nfills++] = f;
	if (p == &empty && p->qty != 0) {
		if (util_grow((void **)&b->pos, &b->pcap, (size_t)b->npos + 1, sizeof *b->pos) < 0)
			return -1;
		b->pos[b->npos++] = empty;
		p = &b->pos[b->npos - 1];
	}
	if (b->notify) {
		sim_pos shown = *p;
		n = (sim_note_info){ SIM_NOTE_FILL, o->client_id, o->order_id, o, &b->fills[b->nfills - 1], NULL, 0, NULL };
		b->notify(b->ctx, &n);
		n = (sim_note_info){ SIM_NOTE_POSITION, o->client_id, o->order_id, NULL, NULL, &shown, 0, NULL };
		b->notify(b->ctx, &n);
	}
	if (p != &empty && p->qty == 0)
		*p = b->pos[--b->npos];
	return 0;
}

static const sim_bar *
bar_today(sim_broker *b, const sim_order *o)
{
	const sim_sec *s = sim_prices_conid(b->px, o->con_id);

	return s ? sim_sec_on(s, b->day) : NULL;
}

static int
marketable(const sim_order *o, double px)
{
	if (o->lmt_price == TWS_UNSET_DOUBLE)
		return 1;
	return is_buy(o) ? px <= o->lmt_price : px >= o->lmt_price;
}

static int
working(const sim_order *o)
{
	return o->transmit && (strcmp(o->status, "PreSubmitted") == 0 || strcmp(o->status, "Submitted") == 0);
}

/* 1 when o was placed before (day, phase) strictly: orders only trade in auctions after they arrive. */
static int
placed_before(const sim_order *o, int day, enum sim_phase phase)
{
	return o->placed_day < day || (o->placed_day == day && o->placed_phase < (int)phase);
}

static int
is_on_close(const sim_order *o)
{
	return strcmp(o->order_type, "MOC") == 0 || strcmp(o->order_type, "LOC") == 0;
}

/* The opening auction of b->day: b->phase has just become SIM_OPEN. */
static int
run_open(sim_broker *b)
{
	char why[96];

	for (int i = 0; i < b->norders; i++) {
		sim_order *o = &b->orders[i];
		const sim_bar *bar;
		if (!working(o) || is_on_close(o) || !placed_before(o, b->day, SIM_OPEN))
			continue;
		bar = bar_today(b, o);
		if (bar == NULL || isnan(bar->open)) {
			snprintf(why, sizeof why, "no opening price for %s", o->symbol);
			if (cancel_with(b, o, 201, why) < 0)
				return -1;
			continue;
		}
		if (marketable(o, bar->open)) {
			if (fill(b, o, bar->open, SIM_OPEN) < 0)
				return -1;
			/* IB cancels what an auction order did not get at the auction */
			if (sim_order_open(o) && strcmp(o->tif, "OPG") == 0 &&
			    cancel_with(b, o, 202, "the opening auction filled part of it: the rest is cancelled") < 0)
				return -1;
		} else if (strcmp(o->tif, "OPG") == 0) {
			if (cancel_with(b, o, 202, "limit-on-open not marketable at the open") < 0)
				return -1;
		} else if (strcmp(o->status, "Submitted") != 0) {
			snprintf(o->status, sizeof o->status, "Submitted");
			if (sb_journal(b, sb_order_json(o), NULL, NULL, NULL) < 0)
				return -1;
			note_order(b, o);
		}
	}
	/* On-close orders are now live on the exchange. */
	for (int i = 0; i < b->norders; i++) {
		sim_order *o = &b->orders[i];
		if (working(o) && is_on_close(o) && strcmp(o->status, "PreSubmitted") == 0) {
			snprintf(o->status, sizeof o->status, "Submitted");
			if (sb_journal(b, sb_order_json(o), NULL, NULL, NULL) < 0)
				return -1;
			note_order(b, o);
		}
	}
	return 0;
}

/* The session and closing auction of b->day: b->phase has just become SIM_CLOSED. */
static int
run_close(sim_broker *b)
{
	char why[96];

	for (int i = 0; i < b->norders; i++) {
		sim_order *o = &b->orders[i];
		const sim_bar *bar;
		if (!working(o) || !placed_before(o, b->day, SIM_CLOSED))
			continue;
		if (!is_on_close(o) && strcmp(o->tif, "OPG") == 0)
			continue; /* placed during the session: waits for the next open */
		bar = bar_today(b, o);
		if (is_on_close(o)) {
			if (bar == NULL) {
				snprintf(why, sizeof why, "no closing price for %s", o->symbol);
				if (cancel_with(b, o, 201, why) < 0)
					return -1;
			} else if (marketable(o, bar->close)) {
				if (fill(b, o, bar->close, SIM_CLOSED) < 0)
					return -1;
				if (sim_order_open(o) &&
				    cancel_with(b, o, 202, "the closing auction filled part of it: the rest is cancelled") < 0)
					return -1;
			} else if (cancel_with(b, o, 202, "limit-on-close not marketable at the close") < 0) {
				return -1;
			}
			continue;
		}
		/* A limit order working through the session: filled at its limit when the day's prices trade
		 * through it. A low that only touches a buy limit (a high a sell limit) says nothing of the queue
		 * ahead at that price: no fill, as IB's paper trading does not promise one either. */
		if (strcmp(o->order_type, "LMT") == 0 && bar != NULL) {
			double lo = isnan(bar->low) ? bar->close : bar->low, hi = isnan(bar->high) ? bar->close : bar->high;
			if (is_buy(o) ? lo < o->lmt_price : hi > o->lmt_price) {
				if (fill(b, o, o->lmt_price, SIM_CLOSED) < 0)
					return -1;
				if (!sim_order_open(o))
					continue;
			}
		}
		if (strcmp(o->tif, "DAY") == 0 && cancel_with(b, o, 202, "day order expired at the close") < 0)
			return -1;
	}
	return 0;
}

static int advance(sim_broker *b, enum sim_step step, int n, char *err, size_t errlen);

int
sim_broker_advance(sim_broker *b, enum sim_step step, int n, char *err, size_t errlen)
{
	int rc;

	if (step == SIM_DAYS && (n < 1 || n > 100000))
		return err_ret(EX_USAGE, err, errlen, "days: %d is out of range (1 to 100000)", n);
	if (step == SIM_TO_TIME && (n < 9 * 60 || n >= 16 * 60))
		return err_ret(EX_USAGE, err, errlen, "%02d:%02d is not between the pre-open (09:00) and the close (16:00)",
		    n / 60, n % 60);
	rc = advance(b, step, n, err, errlen);
	sb_settle(b);
	return rc;
}

static int
advance(sim_broker *b, enum sim_step step, int n, char *err, size_t errlen)
{
	int closes = step == SIM_DAYS ? n : 1;

	for (;;) {
		int now = sim_broker_minute(b);
		/* To a time: later in the pre-open or the session of the clock's day. */
		if (step == SIM_TO_TIME && b->phase != SIM_CLOSED && n > now && (n < 9 * 60 + 30 || b->phase == SIM_OPEN) &&
		    n < (cal_is_early_close(b->day) ? 13 : 16) * 60) {
			b->minute = n;
			if (sb_journal(b, sb_acct_json(b), NULL, NULL, NULL) < 0)
				goto fail;
			return 0;
		}
		/* One step: pre-open -> open -> closed -> next day's pre-open. */
		b->minute = 0;
		if (b->phase == SIM_PRE_OPEN) {
			b->phase = SIM_OPEN;
			if (run_open(b) < 0 || sb_journal(b, sb_acct_json(b), NULL, NULL, NULL) < 0)
				goto fail;
			if (step == SIM_TO_OPEN || (step == SIM_TO_TIME && n == 9 * 60 + 30))
				return 0;
		} else if (b->phase == SIM_OPEN) {
			b->phase = SIM_CLOSED;
			if (run_close(b) < 0 || sb_journal(b, sb_acct_json(b), NULL, NULL, NULL) < 0)
				goto fail;
			if ((step == SIM_TO_CLOSE || step == SIM_DAYS) && --closes == 0)
				return 0;
		} else {
			b->day = cal_next(b->day);
			b->phase = SIM_PRE_OPEN;
		}
	}
fail:
	return err_ret(EX_IOERR, err, errlen, "cannot write the state: %s", b->ioerr[0] ? b->ioerr : "out of memory");
}

static int place(sim_broker *b, int client_id, const tws_contract *c, const tws_order *t);

/* An order's price for buying power: its limit, else the mark. NaN when neither is known. */
static double
bp_price(const sim_broker *b, double lmt, const char *sec_id, int con_id)
{
	return lmt != TWS_UNSET_DOUBLE && lmt > 0 ? lmt : sb_mark(b, sec_id, con_id);
}

/* 1 when the auction t waits for no longer takes orders at the clock (sim/broker.h), with why set. */
static int
past_cutoff(const sim_broker *b, const sim_sec *s, const tws_order *t, char *why, size_t n)
{
	int now = sim_broker_minute(b), close = cal_is_early_close(b->day) ? 13 * 60 : 16 * 60;
	int nasdaq = strcmp(sim_sec_primary(s), "NASDAQ") == 0, cutoff = close - (nasdaq ? 5 : 10);
	int on_close = strcmp(t->order_type, "MOC") == 0 || strcmp(t->order_type, "LOC") == 0;

	if (on_close && b->phase == SIM_OPEN && now >= cutoff) {
		snprintf(why, n, "%s orders are not accepted after %02d:%02d:00 (the %s closing auction's cutoff)",
		    t->order_type, cutoff / 60, cutoff % 60, nasdaq ? "NASDAQ" : "NYSE");
		return 1;
	}
	if (!on_close && strcmp(t->tif, "OPG") == 0 &&
	    (b->phase == SIM_OPEN || (b->phase == SIM_PRE_OPEN && now >= 9 * 60 + 28))) {
		snprintf(why, n, "Exchange is closed.");
		return 1;
	}
	return 0;
}

/* The buying power check of sim/broker.h for t (self: the order it modifies, or NULL). Returns 1 when the
 * order fits, else 0 with IB's rejection reason in why. */
static int
buying_power_ok(const sim_broker *b, const sim_order *self, const sim_sec *s, const tws_order *t, char *why,
    size_t n)
{
	double lmt = strcmp(t->order_type, "LMT") == 0 || strcmp(t->order_type, "LOC") == 0 ? t->lmt_price :
	    TWS_UNSET_DOUBLE;
	double px = bp_price(b, lmt, s->id, s->con_id), exposure = 0, elv = sim_broker_nlv(b), rate, need;

	if (isnan(px))
		return 1; /* no price known: the auction refuses it if it still has none */
	exposure = (t->qty - (self ? self->filled : 0)) * px;
	for (int i = 0; i < b->npos; i++) {
		double m = sb_mark(b, b->pos[i].sec_id, b->pos[i].con_id);
		if (b->pos[i].qty > 0)
			exposure += b->pos[i].qty * (isnan(m) ? b->pos[i].avg_cost : m);
	}
	for (int i = 0; i < b->norders; i++) {
		const sim_order *o = &b->orders[i];
		const sim_pos *p;
		double q = o->qty - o->filled, m;
		if (o == self || !working(o) || q <= 0 || isnan(m = bp_price(b, o->lmt_price, o->sec_id, o->con_id)))
			continue;
		if (is_buy(o))
			exposure += q * m;
		else if ((p = sb_find_pos((sim_broker *)b, o->con_id)) != NULL && p->qty > 0)
			exposure -= fmin(q, p->qty) * m;
	}
	rate = b->cash_account ? 1.0 : 0.5;
	need = rate * exposure;
	if (need <= elv + 1e-6)
		return 1;
	snprintf(why, n, "YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN "
	    "VALUE [%.2f USD] MUST EXCEED THE NEW TOTAL INITIAL MARGIN OF [%.2f USD]", elv, need);
	return 0;
}

int
sim_broker_place(sim_broker *b, int client_id, const tws_contract *c, const tws_order *t, char *err, size_t errlen)
{
	int rc = place(b, client_id, c, t);

	sb_settle(b);
	if (rc < 0)
		return err_ret(EX_IOERR, err, errlen, "cannot write the state: %s", b->ioerr[0] ? b->ioerr : "out of memory");
	return 0;
}

/* Why the exchange or the simulator refuses t (o: the order it modifies, or NULL; s: its security, or NULL),
 * or NULL when it is accepted. why holds the longer texts. */
static const char *
refusal(sim_broker *b, const sim_order *o, const sim_sec *s, const tws_contract *c, const tws_order *t, char *why,
    size_t n)
{
	if (t->order_id <= 0)
		return "order id must be positive";
	if (s == NULL)
		return "No security definition has been found for the request";
	if (strcmp(c->sec_type, "STK") != 0 && c->sec_type[0] != '\0')
		return "only stocks (STK) are traded here";
	if (strcmp(t->action, "BUY") != 0 && strcmp(t->action, "SELL") != 0 && strcmp(t->action, "SSHORT") != 0)
		return "action must be BUY, SELL or SSHORT";
	if (!(t->qty > 0) || t->qty == TWS_UNSET_DOUBLE || t->qty != floor(t->qty) || t->qty > 1e9)
		return "quantity must be a whole number of shares above 0";
	if (strcmp(t->order_type, "MKT") != 0 && strcmp(t->order_type, "LMT") != 0 &&
	    strcmp(t->order_type, "MOC") != 0 && strcmp(t->order_type, "LOC") != 0)
		return "order type not supported (MKT, LMT, MOC, LOC)";
	if ((strcmp(t->order_type, "LMT") == 0 || strcmp(t->order_type, "LOC") == 0) &&
	    (t->lmt_price == TWS_UNSET_DOUBLE || !(t->lmt_price > 0)))
		return "a limit order needs a limit price above 0";
	if (strcmp(t->tif, "DAY") != 0 && strcmp(t->tif, "OPG") != 0 && strcmp(t->tif, "GTC") != 0 &&
	    t->tif[0] != '\0')
		return "time in force not supported (DAY, OPG, GTC)";
	if ((strcmp(t->order_type, "MOC") == 0 || strcmp(t->order_type, "LOC") == 0) &&
	    strcmp(t->tif, "OPG") == 0)
		return "on-close orders cannot have time in force OPG";
	if (t->account[0] != '\0' && strcmp(t->account, b->account) != 0)
		return "unknown account";
	if (o != NULL && t->qty < o->filled)
		return "quantity below what is filled";
	if (o == NULL && b->reject_every > 0 && ++b->placed % b->reject_every == 0)
		return "simulated rejection (--reject-every)";
	if (t->transmit && past_cutoff(b, s, t, why, n))
		return why;
	if (t->transmit && strcmp(t->action, "BUY") == 0 && !buying_power_ok(b, o, s, t, why, n))
		return why;
	return NULL;
}

static int
place(sim_broker *b, int client_id, const tws_contract *c, const tws_order *t)
{
	sim_order *o = sb_find_order(b, client_id, t->order_id), nw;
	const sim_sec *s = NULL;
	const char *why = NULL;
	char buf[400], bp[300];
	int is_new = o == NULL;

	if (!is_new && !sim_order_open(o)) {
		snprintf(buf, sizeof buf, "Duplicate order id %lld", t->order_id);
		note_error(b, client_id, t->order_id, 103, buf);
		return 0;
	}
	if (c->con_id > 0)
		s = sim_prices_conid(b->px, c->con_id);
	if (s == NULL && c->symbol[0] != '\0')
		s = sim_prices_symbol(b->px, c->symbol);
	why = refusal(b, o, s, c, t, bp, sizeof bp);
	if (why != NULL) {
		snprintf(buf, sizeof buf, "Order rejected - reason:%s", why);
		note_error(b, client_id, t->order_id, 201, buf);
		if (!is_new)
			return 0; /* a refused modification leaves the order as it was */
		memset(&nw, 0, sizeof nw);
		nw.client_id = client_id;
		nw.order_id = t->order_id;
		snprintf(nw.symbol, sizeof nw.symbol, "%s", c->symbol);
		snprintf(nw.action, sizeof nw.action, "%s", t->action);
		nw.qty = t->qty;
		snprintf(nw.status, sizeof nw.status, "Cancelled");
		note_order(b, &nw); /* perm_id 0: a status only; the order is not kept */
		return 0;
	}
	if (is_new) {
		memset(&nw, 0, sizeof nw);
		nw.client_id = client_id;
		nw.order_id = t->order_id;
		nw.perm_id = b->next_perm++;
		snprintf(nw.sec_id, sizeof nw.sec_id, "%s", s->id);
		nw.con_id = s->con_id;
		nw.lmt_price = TWS_UNSET_DOUBLE;
		if (util_grow((void **)&b->orders, &b->ocap, (size_t)b->norders + 1, sizeof *b->orders) < 0)
			return -1;
		o = &b->orders[b->norders++];
		*o = nw;
	}
	snprintf(o->symbol, sizeof o->symbol, "%s", c->symbol[0] ? c->symbol : s->symbol);
	snprintf(o->action, sizeof o->action, "%s", t->action);
	o->qty = t->qty;
	snprintf(o->order_type, sizeof o->order_type, "%s", t->order_type);
	o->lmt_price = strcmp(t->order_type, "LMT") == 0 || strcmp(t->order_type, "LOC") == 0 ? t->lmt_price
	    : TWS_UNSET_DOUBLE;
	snprintf(o->tif, sizeof o->tif, "%s", t->tif[0] ? t->tif : "DAY");
	snprintf(o->account, sizeof o->account, "%s", b->account);
	snprintf(o->order_ref, sizeof o->order_ref, "%s", t->order_ref);
	if (is_new || (t->transmit && !o->transmit)) {
		o->placed_day = b->day;
		o->placed_phase = b->phase;
	}
	o->transmit = t->transmit;
	if (!o->transmit)
		snprintf(o->status, sizeof o->status, "Inactive");
	else if (b->phase == SIM_OPEN && (is_on_close(o) || strcmp(o->tif, "OPG") != 0))
		snprintf(o->status, sizeof o->status, "Submitted");
	else
		snprintf(o->status, sizeof o->status, "PreSubmitted");
	if (t->order_id >= b->next_id)
		b->next_id = t->order_id + 1;
	if (sb_journal(b, sb_order_json(o), sb_acct_json(b), NULL, NULL) < 0)
		return -1;
	note_order(b, o);
	/* During the session (the clock stands at the open) a market or marketable limit day order trades at once. */
	if (o->transmit && b->phase == SIM_OPEN && !is_on_close(o) && strcmp(o->tif, "OPG") != 0) {
		const sim_bar *bar = bar_today(b, o);
		if (bar != NULL && !isnan(bar->open) && marketable(o, bar->open))
			return fill(b, o, bar->open, SIM_OPEN);
		if ((bar == NULL || isnan(bar->open)) && strcmp(o->order_type, "MKT") == 0) {
			snprintf(buf, sizeof buf, "no price for %s today", o->symbol);
			return cancel_with(b, o, 201, buf);
		}
	}
	return 0;
}

int
sim_broker_cancel(sim_broker *b, int client_id, long long order_id, char *err, size_t errlen)
{
	sim_order *o = sb_find_order(b, client_id, order_id);
	char buf[128];
	int rc;

	if (o == NULL) {
		snprintf(buf, sizeof buf, "OrderId %lld that needs to be cancelled is not found.", order_id);
		note_error(b, client_id, order_id, 10147, buf);
		return 0;
	}
	if (!sim_order_open(o)) {
		snprintf(buf, sizeof buf, "Cancel attempted when order is not in a cancellable state.  Order permId =%lld",
		    o->perm_id);
		note_error(b, client_id, order_id, 161, buf);
		return 0;
	}
	rc = cancel_with(b, o, 202, "cancelled by the client");
	sb_settle(b);
	if (rc < 0)
		return err_ret(EX_IOERR, err, errlen, "cannot write the state: %s", b->ioerr[0] ? b->ioerr : "out of memory");
	return 0;
}

