/* sim/account: ib-sim's reports of the account: reqAccountSummary and reqAccountUpdates (ACCT_VALUE,
 * PORTFOLIO_VALUE, ACCT_UPDATE_TIME, ACCT_DOWNLOAD_END, as a gateway answers them), from one table of
 * values (sim_broker_values), so that the two never disagree. */
#include <stdio.h>
#include <string.h>

#include "sim/server_int.h"

struct kv {
	const char *tag;
	double v;
};

/* The account's values under IB's names. Returns how many (at most 16). */
static int
values(struct server *sv, struct kv *out)
{
	sim_account_values a;
	int n = 0;

	sim_broker_values(sv->b, &a);
	out[n++] = (struct kv){ "NetLiquidation", a.nlv };
	out[n++] = (struct kv){ "TotalCashValue", a.cash };
	out[n++] = (struct kv){ "SettledCash", a.cash };
	out[n++] = (struct kv){ "CashBalance", a.cash };
	out[n++] = (struct kv){ "AvailableFunds", a.available };
	out[n++] = (struct kv){ "BuyingPower", a.buying_power };
	out[n++] = (struct kv){ "ExcessLiquidity", a.excess };
	out[n++] = (struct kv){ "GrossPositionValue", a.gross };
	out[n++] = (struct kv){ "EquityWithLoanValue", a.nlv };
	out[n++] = (struct kv){ "InitMarginReq", a.init_margin };
	out[n++] = (struct kv){ "MaintMarginReq", a.maint_margin };
	out[n++] = (struct kv){ "UnrealizedPnL", a.unrealized };
	out[n++] = (struct kv){ "RealizedPnL", a.realized };
	return n;
}

static void
value_of(struct server *sv, tws_account_value *v, const char *tag, const char *value, const char *currency)
{
	memset(v, 0, sizeof *v);
	snprintf(v->account, sizeof v->account, "%s", sim_broker_account(sv->b));
	snprintf(v->tag, sizeof v->tag, "%s", tag);
	snprintf(v->value, sizeof v->value, "%s", value);
	snprintf(v->currency, sizeof v->currency, "%s", currency);
}

/* 1 when tags (comma-separated, "All" or empty for every tag) names tag as a whole. */
static int
wants(const char *tags, const char *tag)
{
	const char *p = tags;

	if (strcmp(tags, "All") == 0 || tags[0] == '\0')
		return 1;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == strlen(tag) && strncmp(p, tag, n) == 0)
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

void
sv_account_summary(struct server *sv, struct sess *s, int req_id, const char *tags)
{
	struct kv kv[16];
	int n = values(sv, kv);

	for (int i = 0; i < n; i++) {
		tws_account_value v;
		char num[48];
		if (!wants(tags, kv[i].tag))
			continue;
		snprintf(num, sizeof num, "%.2f", kv[i].v);
		value_of(sv, &v, kv[i].tag, num, "USD");
		v.req_id = req_id;
		tws_enc_account_summary(&s->stage_buf, &v);
	}
	tws_enc_account_summary_end(&s->stage_buf, req_id);
}

/* PORTFOLIO_VALUE of one position (qty 0: a position just closed, as a gateway reports it). */
static void
portfolio_value(struct server *sv, struct sess *s, const sim_pos *p)
{
	tws_portfolio_value pv;
	const sim_sec *sec = sim_prices_conid(sv->px, p->con_id);

	memset(&pv, 0, sizeof pv);
	tws_contract_stock(&pv.contract, p->symbol);
	pv.contract.con_id = p->con_id;
	pv.contract.exchange[0] = '\0';
	snprintf(pv.contract.primary_exch, sizeof pv.contract.primary_exch, "%s", sec ? sim_sec_primary(sec) : "NYSE");
	snprintf(pv.contract.local_symbol, sizeof pv.contract.local_symbol, "%s", p->symbol);
	snprintf(pv.contract.trading_class, sizeof pv.contract.trading_class, "%s", p->symbol);
	pv.position = p->qty;
	pv.market_price = sim_broker_mark(sv->b, p);
	pv.market_value = p->qty * pv.market_price;
	pv.avg_cost = p->avg_cost;
	pv.unrealized_pnl = (pv.market_price - p->avg_cost) * p->qty;
	pv.realized_pnl = sim_broker_realized(sv->b, p->con_id);
	snprintf(pv.account, sizeof pv.account, "%s", sim_broker_account(sv->b));
	tws_enc_portfolio_value(&s->stage_buf, &pv);
}

/* The account's values (ACCT_VALUE) and the clock's time (ACCT_UPDATE_TIME). */
static void
account_values(struct server *sv, struct sess *s)
{
	struct kv kv[16];
	int n = values(sv, kv), m = sim_broker_minute(sv->b);
	tws_account_value v;
	char num[48];

	value_of(sv, &v, "AccountCode", sim_broker_account(sv->b), "");
	tws_enc_acct_value(&s->stage_buf, &v);
	value_of(sv, &v, "AccountType", "INDIVIDUAL", "");
	tws_enc_acct_value(&s->stage_buf, &v);
	value_of(sv, &v, "Currency", "USD", "USD");
	tws_enc_acct_value(&s->stage_buf, &v);
	for (int i = 0; i < n; i++) {
		snprintf(num, sizeof num, "%.2f", kv[i].v);
		value_of(sv, &v, kv[i].tag, num, "USD");
		tws_enc_acct_value(&s->stage_buf, &v);
	}
	snprintf(num, sizeof num, "%02d:%02d", m / 60, m % 60);
	tws_enc_acct_update_time(&s->stage_buf, num);
}

void
sv_account_updates(struct server *sv, struct sess *s, int subscribe, const char *account)
{
	if (account[0] != '\0' && strcmp(account, sim_broker_account(sv->b)) != 0) {
		/* a gateway ignores an account it does not manage; say so rather than stay silent */
		char msg[128];
		snprintf(msg, sizeof msg, "Account %.40s is not one of the accounts this login manages", account);
		sv_send_error(s, -1, 321, msg);
		return;
	}
	s->account_sub = subscribe;
	if (!subscribe)
		return;
	account_values(sv, s);
	for (int i = 0; i < sim_broker_npos(sv->b); i++)
		portfolio_value(sv, s, sim_broker_pos(sv->b, i));
	tws_enc_acct_download_end(&s->stage_buf, sim_broker_account(sv->b));
}

void
sv_account_changed(struct server *sv, const sim_pos *p)
{
	for (int i = 0; i < sv->ns; i++) {
		struct sess *t = sv->s[i];
		if (t->stage != ST_READY || !t->account_sub || t->dead)
			continue;
		portfolio_value(sv, t, p);
		account_values(sv, t);
		sv_commit(sv, t);
	}
}
