#include "sim/broker.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "err.h"
#include "sim/broker_int.h"

int sim_broker_day(const sim_broker *b) { return b->day; }
enum sim_phase sim_broker_phase(const sim_broker *b) { return b->phase; }
long long sim_broker_next_id(const sim_broker *b) { return b->next_id; }
const char *sim_broker_account(const sim_broker *b) { return b->account; }
double sim_broker_cash(const sim_broker *b) { return b->cash; }
int sim_broker_norders(const sim_broker *b) { return b->norders; }
const sim_order *sim_broker_order(const sim_broker *b, int i) { return &b->orders[i]; }
int sim_broker_nfills(const sim_broker *b) { return b->nfills; }
const sim_fill *sim_broker_fill(const sim_broker *b, int i) { return &b->fills[i]; }
int sim_broker_npos(const sim_broker *b) { return b->npos; }
const sim_pos *sim_broker_pos(const sim_broker *b, int i) { return &b->pos[i]; }
void sim_broker_set_notify(sim_broker *b, sim_notify_fn fn, void *ctx) { b->notify = fn; b->ctx = ctx; }

int
sim_order_open(const sim_order *o)
{
	return strcmp(o->status, "Filled") != 0 && strcmp(o->status, "Cancelled") != 0;
}


/* ================================ marks and value ================================ */

double
sb_mark(const sim_broker *b, const char *sec_id, int con_id)
{
	const sim_sec *s = sim_prices_conid(b->px, con_id);
	int i;

	(void)sec_id;
	if (s == NULL)
		return NAN;
	i = sim_sec_le(s, b->day);
	if (i < 0)
		return NAN;
	if (s->bars[i].date == b->day) {
		if (b->phase == SIM_CLOSED)
			return s->bars[i].close;
		if (b->phase == SIM_OPEN && !isnan(s->bars[i].open))
			return s->bars[i].open;
		if (i == 0)
			return NAN;
		i--;
	}
	return s->bars[i].close;
}

double
sim_broker_gross(const sim_broker *b)
{
	double v = 0;

	for (int i = 0; i < b->npos; i++)
		v += b->pos[i].qty * sim_broker_mark(b, &b->pos[i]);
	return v;
}

double
sim_broker_nlv(const sim_broker *b)
{
	return b->cash + sim_broker_gross(b);
}

double
sim_broker_mark(const sim_broker *b, const sim_pos *p)
{
	double px = sb_mark(b, p->sec_id, p->con_id);

	return isnan(px) ? p->avg_cost : px;
}

double
sim_broker_realized(const sim_broker *b, int con_id)
{
	double r = 0;

	for (int i = 0; i < b->nfills; i++)
		if ((con_id == 0 || b->fills[i].con_id == con_id) && b->fills[i].realized_pnl != TWS_UNSET_DOUBLE)
			r += b->fills[i].realized_pnl;
	return r;
}

void
sim_broker_values(const sim_broker *b, sim_account_values *v)
{
	double init = b->cash_account ? 1.0 : 0.5, maint = b->cash_account ? 1.0 : 0.25;

	v->cash = b->cash;
	v->gross = 0; /* IB's GrossPositionValue: the sum of the positions' absolute values */
	v->unrealized = 0;
	for (int i = 0; i < b->npos; i++) {
		const sim_pos *p = &b->pos[i];
		double px = sim_broker_mark(b, p);
		v->gross += fabs(p->qty * px);
		v->unrealized += (px - p->avg_cost) * p->qty;
	}
	v->nlv = sim_broker_nlv(b);
	v->init_margin = init * v->gross;
	v->maint_margin = maint * v->gross;
	v->available = v->nlv - v->init_margin;
	v->excess = v->nlv - v->maint_margin;
	v->buying_power = v->available / init;
	v->realized = sim_broker_realized(b, 0);
}

sim_order *
sb_find_order(sim_broker *b, int client_id, long long order_id)
{
	/* Newest first: a re-placed id is nearly always recent. */
	for (int i = b->norders - 1; i >= 0; i--)
		if (b->orders[i].order_id == order_id && b->orders[i].client_id == client_id)
			return &b->orders[i];
	return NULL;
}

sim_pos *
sb_find_pos(sim_broker *b, int con_id)
{
	for (int i = 0; i < b->npos; i++)
		if (b->pos[i].con_id == con_id)
			return &b->pos[i];
	return NULL;
}

static void
broker_free(sim_broker *b)
{
	if (b->jfd >= 0)
		close(b->jfd);
	free(b->dir);
	free(b->orders);
	free(b->fills);
	free(b->pos);
	free(b);
}

/* Open the state directory: load what it holds, then open the journal for appending. Returns 1 (state
 * found), 0 (none) or a negated sysexits code with err set. */
static int
open_state(sim_broker *b, const char *dir, char *err, size_t errlen)
{
	char *jpath;
	int found;

	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return -err_ret(EX_CANTCREAT, err, errlen, "%s: cannot create: %s", dir, strerror(errno));
	if ((b->dir = strdup(dir)) == NULL || (jpath = sb_path_in(b, "journal.ndjson")) == NULL)
		return -err_ret(EX_OSERR, err, errlen, "out of memory");
	if ((found = sb_load_state(b, err, errlen)) < 0) {
		free(jpath);
		return -EX_DATAERR;
	}
	if ((b->jfd = open(jpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666)) < 0) {
		err_fmt(err, errlen, "%s: %s", jpath, strerror(errno));
		free(jpath);
		return -EX_CANTCREAT;
	}
	free(jpath);
	/* Appending after a torn line would bury it mid-journal, where it reads as corruption. */
	if (b->torn && sb_snapshot(b) < 0)
		return -err_ret(EX_IOERR, err, errlen, "%s", b->ioerr);
	return found;
}

int
sim_broker_open(sim_broker **out, const struct sim_broker_opts *o, char *err, size_t errlen)
{
	sim_broker *b = calloc(1, sizeof *b);
	int found = 0, rc = 0;

	*out = NULL;
	if (b == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	b->px = o->px;
	b->jfd = -1;
	b->snapshot_every = o->snapshot_every > 0 ? o->snapshot_every : 5000;
	b->slippage_bps = o->slippage_bps;
	b->fees = o->fees;
	b->reject_every = o->reject_every;
	b->cash_account = o->cash_account;
	b->volume_share = o->volume_share;
	snprintf(b->account, sizeof b->account, "%s", o->account ? o->account : "DU1234567");
	b->capital = b->cash = o->capital;
	b->next_id = 1;
	b->next_perm = 1000000001;
	b->day = o->start_day;
	b->phase = SIM_CLOSED;
	if (o->state_dir != NULL && (found = open_state(b, o->state_dir, err, errlen)) < 0) {
		rc = -found;
	} else if (!found && !cal_is_trading_day(b->day)) {
		char buf[DATE_LEN + 1];
		rc = err_ret(EX_USAGE, err, errlen, "start day %s is not a trading day", date_fmt(b->day, buf));
	} else if (!found && sb_journal(b, sb_acct_json(b), NULL, NULL, NULL) < 0) {
		rc = err_ret(EX_IOERR, err, errlen, "%s", b->ioerr);
	}
	if (rc != 0)
		broker_free(b);
	else
		*out = b;
	return rc;
}

int
sim_broker_close(sim_broker *b, char *err, size_t errlen)
{
	int rc = 0;

	if (b == NULL)
		return 0;
	if (b->dir != NULL && sb_snapshot(b) < 0)
		rc = err_ret(EX_IOERR, err, errlen, "%s", b->ioerr);
	broker_free(b);
	return rc;
}

