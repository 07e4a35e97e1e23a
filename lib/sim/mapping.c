/* sim/mapping: the simulated broker's orders, fills and positions as the TWS API's wire structs. */
#include <stdio.h>
#include <string.h>

#include "sim/broker_int.h"

static void
contract_of(tws_contract *c, const char *symbol, int con_id)
{
	tws_contract_stock(c, symbol);
	c->con_id = con_id;
	c->strike = 0;
	snprintf(c->exchange, sizeof c->exchange, "SMART");
}

/* The order's terms as both OPEN_ORDER and COMPLETED_ORDER carry them (ids and client left to the caller). */
static void
order_of(const sim_broker *b, const sim_order *o, tws_order *out)
{
	tws_order_init(out);
	snprintf(out->action, sizeof out->action, "%s", o->action);
	out->qty = o->qty;
	snprintf(out->order_type, sizeof out->order_type, "%s", o->order_type);
	out->lmt_price = o->lmt_price;
	snprintf(out->tif, sizeof out->tif, "%s", o->tif);
	snprintf(out->account, sizeof out->account, "%s", o->account[0] ? o->account : b->account);
	snprintf(out->order_ref, sizeof out->order_ref, "%s", o->order_ref);
	out->perm_id = o->perm_id;
	out->transmit = o->transmit;
}

void
sim_order_to_open(const sim_broker *b, const sim_order *o, tws_open_order *out)
{
	memset(out, 0, sizeof *out);
	contract_of(&out->contract, o->symbol, o->con_id);
	order_of(b, o, &out->order);
	out->order.order_id = o->order_id;
	out->order.client_id = o->client_id;
	snprintf(out->status, sizeof out->status, "%s", o->status);
	out->commission = TWS_UNSET_DOUBLE;
	/* Orders fill completely, in one execution: the newest fill of this order is its only one. */
	if (o->filled > 0)
		for (int i = b->nfills - 1; i >= 0; i--)
			if (b->fills[i].perm_id == o->perm_id) {
				out->commission = b->fills[i].commission;
				break;
			}
}

void
sim_order_to_completed(const sim_broker *b, const sim_order *o, tws_completed_order *out)
{
	memset(out, 0, sizeof *out);
	contract_of(&out->contract, o->symbol, o->con_id);
	out->contract.primary_exch[0] = '\0';
	order_of(b, o, &out->order);
	snprintf(out->status, sizeof out->status, "%s", o->status);
	out->filled = o->filled;
	sb_fmt_time(o->done_day ? o->done_day : b->day, strcmp(o->status, "Filled") == 0 && o->filled > 0 ?
	    SIM_OPEN : SIM_CLOSED, " US/Eastern", out->completed_time, sizeof out->completed_time);
	if (strcmp(o->status, "Filled") == 0)
		snprintf(out->completed_status, sizeof out->completed_status, "Filled Size: %.0f", o->filled);
	else
		snprintf(out->completed_status, sizeof out->completed_status, "%s", o->why[0] ? o->why : o->status);
}

void
sim_order_to_status(const sim_order *o, tws_order_status *out)
{
	memset(out, 0, sizeof *out);
	out->order_id = o->order_id;
	snprintf(out->status, sizeof out->status, "%s", o->status);
	out->filled = o->filled;
	out->remaining = strcmp(o->status, "Cancelled") == 0 ? 0 : o->qty - o->filled;
	out->avg_fill_price = o->avg_price;
	out->perm_id = o->perm_id;
	out->last_fill_price = o->last_price;
	out->client_id = o->client_id;
	out->mkt_cap_price = 0;
}

void
sim_fill_to_exec(const sim_broker *b, const sim_fill *f, int req_id, tws_exec *out)
{
	memset(out, 0, sizeof *out);
	out->req_id = req_id;
	out->order_id = f->order_id;
	contract_of(&out->contract, f->symbol, f->con_id);
	out->contract.primary_exch[0] = '\0';
	snprintf(out->exec_id, sizeof out->exec_id, "%s", f->exec_id);
	sb_fmt_time(f->day, (enum sim_phase)f->phase, " US/Eastern", out->time, sizeof out->time);
	snprintf(out->account, sizeof out->account, "%s", b->account);
	snprintf(out->exchange, sizeof out->exchange, "NYSE");
	snprintf(out->side, sizeof out->side, "%s", f->side);
	out->shares = f->qty;
	out->price = f->price;
	out->perm_id = f->perm_id;
	out->client_id = f->client_id;
	out->cum_qty = f->qty;
	out->avg_price = f->price;
	snprintf(out->order_ref, sizeof out->order_ref, "%s", f->order_ref);
	out->ev_multiplier = TWS_UNSET_DOUBLE;
	out->last_liquidity = 2; /* removed liquidity */
}

void
sim_fill_to_commission(const sim_fill *f, tws_commission *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->exec_id, sizeof out->exec_id, "%s", f->exec_id);
	out->commission = f->commission;
	snprintf(out->currency, sizeof out->currency, "USD");
	out->realized_pnl = f->realized_pnl;
	out->yield = TWS_UNSET_DOUBLE;
}

void
sim_pos_to_position(const sim_broker *b, const sim_pos *p, tws_position *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->account, sizeof out->account, "%s", b->account);
	contract_of(&out->contract, p->symbol, p->con_id);
	out->contract.primary_exch[0] = '\0';
	snprintf(out->contract.exchange, sizeof out->contract.exchange, "NYSE");
	out->position = p->qty;
	out->avg_cost = p->avg_cost;
}
