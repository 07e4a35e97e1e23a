#include "sim/broker.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aout.h"
#include "date.h"
#include "err.h"
#include "log.h"
#include "ndjson.h"

struct sim_broker {
	sim_prices *px;
	char *dir;               /* state directory, NULL: no persistence */
	int jfd;                 /* journal, O_APPEND; -1 when not persisting */
	int jrecords;            /* journal records since the last snapshot */
	int torn;                /* the journal ended in a torn record: fold it into a snapshot at once */
	int snapshot_every;
	char account[32];
	double capital;
	double slippage_bps;
	int reject_every;
	int cash_account;        /* initial margin 100% instead of Reg T's 50% */
	double volume_share;     /* an auction fills at most this share of the bar's volume (0: no limit) */
	long long placed;        /* new orders seen, for reject_every */
	int day;                 /* the clock */
	enum sim_phase phase;
	double cash;
	long long next_id;       /* next order id handed out */
	long long next_perm;
	long long exec_seq;
	sim_order *orders;
	int norders, ocap;
	sim_fill *fills;
	int nfills, fcap;
	sim_pos *pos;
	int npos, pcap;
	sim_notify_fn notify;
	void *ctx;
};

/* ================================ time ================================ */

/* The Sunday on or after day. */
static int
sunday_on_or_after(int day)
{
	return day + (7 - date_weekday(day)) % 7;
}

/* 1 when New York keeps daylight time at noon on day (US rules since 2007, 1987-2006 before). */
static int
ny_dst(int day)
{
	int y, m, d, start, end;

	date_to_ymd(day, &y, &m, &d);
	if (y >= 2007) {
		start = sunday_on_or_after(date_from_ymd(y, 3, 8));  /* second Sunday of March */
		end = sunday_on_or_after(date_from_ymd(y, 11, 1));   /* first Sunday of November */
	} else {
		start = sunday_on_or_after(date_from_ymd(y, 4, 1));  /* first Sunday of April */
		end = sunday_on_or_after(date_from_ymd(y, 10, 25));  /* last Sunday of October */
	}
	return day >= start && day < end;
}

long long
sim_ny_epoch(int day, int hh, int mm)
{
	return (long long)day * 86400 + hh * 3600 + mm * 60 + (ny_dst(day) ? 4 : 5) * 3600;
}

static void
phase_hm(int day, enum sim_phase p, int *hh, int *mm)
{
	*mm = 0;
	if (p == SIM_PRE_OPEN) {
		*hh = 9;
	} else if (p == SIM_OPEN) {
		*hh = 9;
		*mm = 30;
	} else {
		*hh = cal_is_early_close(day) ? 13 : 16;
	}
}

static long long
phase_epoch(int day, enum sim_phase p)
{
	int hh, mm;

	phase_hm(day, p, &hh, &mm);
	return sim_ny_epoch(day, hh, mm);
}

long long
sim_broker_epoch(const sim_broker *b)
{
	return phase_epoch(b->day, b->phase);
}

static char *
fmt_time(int day, enum sim_phase p, const char *suffix, char *buf, size_t n)
{
	int y, m, d, hh, mm;

	date_to_ymd(day, &y, &m, &d);
	phase_hm(day, p, &hh, &mm);
	snprintf(buf, n, "%04d%02d%02d %02d:%02d:00%s", y, m, d, hh, mm, suffix ? suffix : "");
	return buf;
}

char *
sim_broker_time(const sim_broker *b, const char *suffix, char *buf, size_t n)
{
	return fmt_time(b->day, b->phase, suffix, buf, n);
}

const char *
sim_phase_name(enum sim_phase p)
{
	return p == SIM_PRE_OPEN ? "pre-open" : p == SIM_OPEN ? "open" : "closed";
}

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

double
sim_commission(double qty, double price)
{
	double c = fmax(0.005 * qty, 1.0), cap = 0.01 * qty * price;

	return round((c < cap ? c : cap) * 100) / 100; /* IB bills whole cents */
}

/* ================================ marks and value ================================ */

static double
mark(const sim_broker *b, const char *sec_id, int con_id)
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

	for (int i = 0; i < b->npos; i++) {
		double px = mark(b, b->pos[i].sec_id, b->pos[i].con_id);
		v += b->pos[i].qty * (isnan(px) ? b->pos[i].avg_cost : px);
	}
	return v;
}

double
sim_broker_nlv(const sim_broker *b)
{
	return b->cash + sim_broker_gross(b);
}

/* ================================ persistence ================================ */

static json_t *
order_json(const sim_order *o)
{
	return json_pack("{s:s,s:i,s:I,s:I,s:s,s:s,s:i,s:s,s:f,s:s,s:o,s:s,s:s,s:s,s:b,s:s,s:f,s:f,s:f,s:i,s:i,s:s,s:i}",
	    "t", "order", "client_id", o->client_id, "order_id", (json_int_t)o->order_id, "perm_id",
	    (json_int_t)o->perm_id, "sec_id", o->sec_id, "symbol", o->symbol, "con_id", o->con_id, "action",
	    o->action, "qty", o->qty, "order_type", o->order_type, "lmt_price",
	    o->lmt_price == TWS_UNSET_DOUBLE ? json_null() : json_real(o->lmt_price), "tif", o->tif, "account",
	    o->account, "order_ref", o->order_ref, "transmit", o->transmit, "status", o->status, "filled", o->filled,
	    "avg_price", o->avg_price, "last_price", o->last_price, "placed_day", o->placed_day, "placed_phase",
	    o->placed_phase, "why", o->why, "done_day", o->done_day);
}

static json_t *
fill_json(const sim_fill *f)
{
	return json_pack("{s:s,s:s,s:i,s:I,s:I,s:s,s:s,s:i,s:s,s:f,s:f,s:f,s:o,s:s,s:i,s:i,s:I}", "t", "fill",
	    "exec_id", f->exec_id, "client_id", f->client_id, "order_id", (json_int_t)f->order_id, "perm_id",
	    (json_int_t)f->perm_id, "sec_id", f->sec_id, "symbol", f->symbol, "con_id", f->con_id, "side", f->side,
	    "qty", f->qty, "price", f->price, "commission", f->commission, "realized_pnl",
	    f->realized_pnl == TWS_UNSET_DOUBLE ? json_null() : json_real(f->realized_pnl), "order_ref", f->order_ref,
	    "day", f->day, "phase", f->phase, "epoch", (json_int_t)f->epoch);
}

static json_t *
pos_json(const sim_pos *p)
{
	return json_pack("{s:s,s:s,s:s,s:i,s:f,s:f}", "t", "position", "sec_id", p->sec_id, "symbol", p->symbol,
	    "con_id", p->con_id, "qty", p->qty, "avg_cost", p->avg_cost);
}

static json_t *
acct_json(const sim_broker *b)
{
	return json_pack("{s:s,s:s,s:f,s:f,s:I,s:I,s:I,s:i,s:i}", "t", "account", "account", b->account,
	    "capital", b->capital, "cash", b->cash, "next_id", (json_int_t)b->next_id, "next_perm",
	    (json_int_t)b->next_perm, "exec_seq", (json_int_t)b->exec_seq, "day", b->day, "phase", (int)b->phase);
}

static void
sget(const json_t *o, const char *k, char *dst, size_t n)
{
	snprintf(dst, n, "%s", nd_str(o, k, ""));
}

static sim_order *
find_order(sim_broker *b, int client_id, long long order_id)
{
	/* Newest first: a re-placed id is nearly always recent. */
	for (int i = b->norders - 1; i >= 0; i--)
		if (b->orders[i].order_id == order_id && b->orders[i].client_id == client_id)
			return &b->orders[i];
	return NULL;
}

static sim_pos *
find_pos(sim_broker *b, int con_id)
{
	for (int i = 0; i < b->npos; i++)
		if (b->pos[i].con_id == con_id)
			return &b->pos[i];
	return NULL;
}

static int
grow(void **p, int *cap, int need, size_t size)
{
	if (need <= *cap)
		return 0;
	int ncap = *cap ? *cap * 2 : 256;
	while (ncap < need)
		ncap *= 2;
	void *np = realloc(*p, (size_t)ncap * size);
	if (np == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

/* Apply one state record (journal line or snapshot element). Returns 0, or -1 when it is malformed. */
static int
apply(sim_broker *b, const json_t *r)
{
	const char *t = nd_str(r, "t", "");

	if (strcmp(t, "order") == 0) {
		sim_order o, *x;
		const json_t *lp = json_object_get(r, "lmt_price");
		memset(&o, 0, sizeof o);
		o.client_id = (int)nd_int(r, "client_id", 0);
		o.order_id = nd_int(r, "order_id", 0);
		o.perm_id = nd_int(r, "perm_id", 0);
		sget(r, "sec_id", o.sec_id, sizeof o.sec_id);
		sget(r, "symbol", o.symbol, sizeof o.symbol);
		o.con_id = (int)nd_int(r, "con_id", 0);
		sget(r, "action", o.action, sizeof o.action);
		o.qty = nd_num(r, "qty", 0);
		sget(r, "order_type", o.order_type, sizeof o.order_type);
		o.lmt_price = json_is_number(lp) ? json_number_value(lp) : TWS_UNSET_DOUBLE;
		sget(r, "tif", o.tif, sizeof o.tif);
		sget(r, "account", o.account, sizeof o.account);
		sget(r, "order_ref", o.order_ref, sizeof o.order_ref);
		o.transmit = json_is_true(json_object_get(r, "transmit"));
		sget(r, "status", o.status, sizeof o.status);
		o.filled = nd_num(r, "filled", 0);
		o.avg_price = nd_num(r, "avg_price", 0);
		o.last_price = nd_num(r, "last_price", 0);
		o.placed_day = (int)nd_int(r, "placed_day", 0);
		o.placed_phase = (int)nd_int(r, "placed_phase", 0);
		sget(r, "why", o.why, sizeof o.why);
		o.done_day = (int)nd_int(r, "done_day", 0);
		if (o.order_id <= 0 || o.status[0] == '\0')
			return -1;
		if ((x = find_order(b, o.client_id, o.order_id)) == NULL) {
			if (grow((void **)&b->orders, &b->ocap, b->norders + 1, sizeof *b->orders) < 0)
				return -1;
			x = &b->orders[b->norders++];
		}
		*x = o;
	} else if (strcmp(t, "fill") == 0) {
		sim_fill f;
		const json_t *rp = json_object_get(r, "realized_pnl");
		int i;
		memset(&f, 0, sizeof f);
		sget(r, "exec_id", f.exec_id, sizeof f.exec_id);
		f.client_id = (int)nd_int(r, "client_id", 0);
		f.order_id = nd_int(r, "order_id", 0);
		f.perm_id = nd_int(r, "perm_id", 0);
		sget(r, "sec_id", f.sec_id, sizeof f.sec_id);
		sget(r, "symbol", f.symbol, sizeof f.symbol);
		f.con_id = (int)nd_int(r, "con_id", 0);
		sget(r, "side", f.side, sizeof f.side);
		f.qty = nd_num(r, "qty", 0);
		f.price = nd_num(r, "price", 0);
		f.commission = nd_num(r, "commission", 0);
		f.realized_pnl = json_is_number(rp) ? json_number_value(rp) : TWS_UNSET_DOUBLE;
		sget(r, "order_ref", f.order_ref, sizeof f.order_ref);
		f.day = (int)nd_int(r, "day", 0);
		f.phase = (int)nd_int(r, "phase", 0);
		f.epoch = nd_int(r, "epoch", 0);
		if (f.exec_id[0] == '\0')
			return -1;
		for (i = b->nfills - 1; i >= 0; i--)
			if (strcmp(b->fills[i].exec_id, f.exec_id) == 0)
				break;
		if (i < 0) {
			if (grow((void **)&b->fills, &b->fcap, b->nfills + 1, sizeof *b->fills) < 0)
				return -1;
			i = b->nfills++;
		}
		b->fills[i] = f;
	} else if (strcmp(t, "position") == 0) {
		sim_pos p, *x;
		memset(&p, 0, sizeof p);
		sget(r, "sec_id", p.sec_id, sizeof p.sec_id);
		sget(r, "symbol", p.symbol, sizeof p.symbol);
		p.con_id = (int)nd_int(r, "con_id", 0);
		p.qty = nd_num(r, "qty", 0);
		p.avg_cost = nd_num(r, "avg_cost", 0);
		x = find_pos(b, p.con_id);
		if (p.qty == 0) {
			if (x != NULL)
				*x = b->pos[--b->npos];
			return 0;
		}
		if (x == NULL) {
			if (grow((void **)&b->pos, &b->pcap, b->npos + 1, sizeof *b->pos) < 0)
				return -1;
			x = &b->pos[b->npos++];
		}
		*x = p;
	} else if (strcmp(t, "account") == 0) {
		sget(r, "account", b->account, sizeof b->account);
		b->capital = nd_num(r, "capital", b->capital);
		b->cash = nd_num(r, "cash", b->cash);
		b->next_id = nd_int(r, "next_id", b->next_id);
		b->next_perm = nd_int(r, "next_perm", b->next_perm);
		b->exec_seq = nd_int(r, "exec_seq", b->exec_seq);
		b->day = (int)nd_int(r, "day", b->day);
		b->phase = (enum sim_phase)nd_int(r, "phase", b->phase);
	} else {
		return -1;
	}
	return 0;
}

static char *
path_in(const sim_broker *b, const char *name)
{
	size_t n = strlen(b->dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", b->dir, name);
	return p;
}

/* Write the whole state to snapshot.json atomically, then empty the journal. */
static int
snapshot(sim_broker *b)
{
	json_t *s, *arr;
	char *text, *path;
	int rc = -1;

	if (b->dir == NULL)
		return 0;
	s = json_object();
	json_object_set_new(s, "account", acct_json(b));
	arr = json_array();
	for (int i = 0; i < b->norders; i++)
		json_array_append_new(arr, order_json(&b->orders[i]));
	json_object_set_new(s, "orders", arr);
	arr = json_array();
	for (int i = 0; i < b->nfills; i++)
		json_array_append_new(arr, fill_json(&b->fills[i]));
	json_object_set_new(s, "fills", arr);
	arr = json_array();
	for (int i = 0; i < b->npos; i++)
		json_array_append_new(arr, pos_json(&b->pos[i]));
	json_object_set_new(s, "positions", arr);
	text = json_dumps(s, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(s);
	path = path_in(b, "snapshot.json");
	if (text != NULL && path != NULL && aout_write_file(path, text, strlen(text)) == 0) {
		/* Records already in the snapshot may stay in the journal if we die here: they are upserts. */
		if (ftruncate(b->jfd, 0) == 0)
			b->jrecords = 0;
		rc = 0;
	} else {
		err_warn("%s: cannot write the snapshot:", path ? path : b->dir);
	}
	free(text);
	free(path);
	return rc;
}

/* Append records to the journal in one write. Steals the references. Returns 0 or -1. The journal is
 * folded into a snapshot only by settle(), once memory holds everything the journal says. */
static int
journal(sim_broker *b, json_t *r1, json_t *r2, json_t *r3, json_t *r4)
{
	json_t *rs[4] = { r1, r2, r3, r4 };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = 0, n = 0;

	for (int i = 0; i < 4; i++) {
		char *t;
		size_t tl;
		if (rs[i] == NULL)
			continue;
		t = b->dir ? json_dumps(rs[i], JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
		json_decref(rs[i]);
		if (b->dir == NULL)
			continue;
		if (t == NULL) {
			rc = -1;
			continue;
		}
		tl = strlen(t);
		if (len + tl + 1 > cap) {
			cap = (len + tl + 1) * 2;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(t);
				rc = -1;
				continue;
			}
			buf = nb;
		}
		memcpy(buf + len, t, tl);
		len += tl;
		buf[len++] = '\n';
		free(t);
		n++;
	}
	if (b->dir == NULL)
		return 0;
	if (rc == 0 && len > 0) {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(b->jfd, buf + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				err_warn("%s/journal.ndjson: write:", b->dir);
				rc = -1;
				break;
			}
			off += (size_t)w;
		}
	}
	free(buf);
	if (rc == 0)
		b->jrecords += n;
	return rc;
}

/* At the end of a public operation: fold a long journal into a snapshot. A failure is not fatal (the
 * journal still holds everything) and has been reported. */
static void
settle(sim_broker *b)
{
	if (b->dir != NULL && b->jrecords >= b->snapshot_every)
		snapshot(b);
}

static int
load_state(sim_broker *b, char *err, size_t errlen)
{
	char *spath = path_in(b, "snapshot.json"), *jpath = path_in(b, "journal.ndjson");
	json_error_t je;
	json_t *s;
	FILE *fp;
	int rc = -1, found = 0;

	if (spath == NULL || jpath == NULL) {
		err_fmt(err, errlen, "out of memory");
		goto out;
	}
	if ((s = json_load_file(spath, 0, &je)) != NULL) {
		const char *keys[] = { "orders", "fills", "positions" };
		found = 1;
		if (apply(b, json_object_get(s, "account")) < 0) {
			json_decref(s);
			err_fmt(err, errlen, "%s: no account record", spath);
			goto out;
		}
		for (int k = 0; k < 3; k++) {
			size_t i;
			json_t *v;
			json_array_foreach(json_object_get(s, keys[k]), i, v) {
				if (apply(b, v) < 0) {
					json_decref(s);
					err_fmt(err, errlen, "%s: %s[%zu]: malformed record", spath, keys[k], i);
					goto out;
				}
			}
		}
		json_decref(s);
	} else if (access(spath, F_OK) == 0) {
		err_fmt(err, errlen, "%s:%d: %s", spath, je.line, je.text);
		goto out;
	}
	if ((fp = fopen(jpath, "r")) != NULL) {
		nd_reader *r = nd_open(fp, jpath);
		json_t *rec;
		int got;
		while ((got = nd_next(r, &rec)) != 0) {
			if (got < 0) {
				/* Only the last line can be torn (a write cut short); anything else is corruption. */
				int c = fgetc(fp);
				if (c == EOF) {
					log_warn("%s: ignoring a torn last record", nd_error(r));
					b->torn = 1;
					break;
				}
				err_fmt(err, errlen, "%s", nd_error(r));
				nd_close(r);
				fclose(fp);
				goto out;
			}
			found = 1;
			if (apply(b, rec) < 0) {
				err_fmt(err, errlen, "%s:%ld: malformed record", jpath, nd_line(r));
				json_decref(rec);
				nd_close(r);
				fclose(fp);
				goto out;
			}
			json_decref(rec);
		}
		nd_close(r);
		fclose(fp);
	}
	rc = found;
out:
	free(spath);
	free(jpath);
	return rc;
}

sim_broker *
sim_broker_open(const struct sim_broker_opts *o, char *err, size_t errlen)
{
	sim_broker *b = calloc(1, sizeof *b);
	char *jpath = NULL;
	int found = 0;

	if (b == NULL) {
		err_fmt(err, errlen, "out of memory");
		return NULL;
	}
	b->px = o->px;
	b->jfd = -1;
	b->snapshot_every = o->snapshot_every > 0 ? o->snapshot_every : 5000;
	b->slippage_bps = o->slippage_bps;
	b->reject_every = o->reject_every;
	b->cash_account = o->cash_account;
	b->volume_share = o->volume_share;
	snprintf(b->account, sizeof b->account, "%s", o->account ? o->account : "DU1234567");
	b->capital = b->cash = o->capital;
	b->next_id = 1;
	b->next_perm = 1000000001;
	b->day = o->start_day;
	b->phase = SIM_CLOSED;
	if (o->state_dir != NULL) {
		if (mkdir(o->state_dir, 0777) < 0 && errno != EEXIST) {
			err_fmt(err, errlen, "%s: cannot create: %s", o->state_dir, strerror(errno));
			goto fail;
		}
		if ((b->dir = strdup(o->state_dir)) == NULL || (jpath = path_in(b, "journal.ndjson")) == NULL) {
			err_fmt(err, errlen, "out of memory");
			goto fail;
		}
		if ((found = load_state(b, err, errlen)) < 0)
			goto fail;
		if ((b->jfd = open(jpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666)) < 0) {
			err_fmt(err, errlen, "%s: %s", jpath, strerror(errno));
			goto fail;
		}
		free(jpath);
		jpath = NULL;
		/* Appending after a torn line would bury it mid-journal, where it reads as corruption. */
		if (b->torn && snapshot(b) < 0) {
			err_fmt(err, errlen, "%s: cannot write the snapshot", b->dir);
			goto fail;
		}
	}
	if (!found && !cal_is_trading_day(b->day)) {
		char buf[DATE_LEN + 1];
		err_fmt(err, errlen, "start day %s is not a trading day", date_fmt(b->day, buf));
		goto fail;
	}
	if (!found && journal(b, acct_json(b), NULL, NULL, NULL) < 0) {
		err_fmt(err, errlen, "%s: cannot write the journal", b->dir);
		goto fail;
	}
	return b;
fail:
	free(jpath);
	if (b->jfd >= 0)
		close(b->jfd);
	free(b->dir);
	free(b->orders);
	free(b->fills);
	free(b->pos);
	free(b);
	return NULL;
}

int
sim_broker_close(sim_broker *b)
{
	int rc = 0;

	if (b == NULL)
		return 0;
	if (b->dir != NULL)
		rc = snapshot(b);
	if (b->jfd >= 0)
		close(b->jfd);
	free(b->dir);
	free(b->orders);
	free(b->fills);
	free(b->pos);
	free(b);
	return rc;
}

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
	if (journal(b, order_json(o), NULL, NULL, NULL) < 0)
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
	comm = sim_commission(q, price);
	value = q * price;
	b->cash -= sign * value + comm;

	p = find_pos(b, o->con_id);
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
	f.epoch = phase_epoch(b->day, phase);

	o->avg_price = o->filled > 0 ? (o->avg_price * o->filled + price * q) / (o->filled + q) : price;
	o->filled += q;
	o->last_price = price;
	if (o->filled >= o->qty) {
		snprintf(o->status, sizeof o->status, "Filled");
		o->done_day = b->day;
	} else {
		snprintf(o->status, sizeof o->status, "Submitted");
	}

	if (journal(b, fill_json(&f), order_json(o), pos_json(p), acct_json(b)) < 0)
		return -1;
	if (grow((void **)&b->fills, &b->fcap, b->nfills + 1, sizeof *b->fills) < 0)
		return -1;
	b->fills[b->nfills++] = f;
	if (p == &empty && p->qty != 0) {
		if (grow((void **)&b->pos, &b->pcap, b->npos + 1, sizeof *b->pos) < 0)
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
			if (journal(b, order_json(o), NULL, NULL, NULL) < 0)
				return -1;
			note_order(b, o);
		}
	}
	/* On-close orders are now live on the exchange. */
	for (int i = 0; i < b->norders; i++) {
		sim_order *o = &b->orders[i];
		if (working(o) && is_on_close(o) && strcmp(o->status, "PreSubmitted") == 0) {
			snprintf(o->status, sizeof o->status, "Submitted");
			if (journal(b, order_json(o), NULL, NULL, NULL) < 0)
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
	int rc = advance(b, step, n, err, errlen);

	settle(b);
	return rc;
}

static int
advance(sim_broker *b, enum sim_step step, int n, char *err, size_t errlen)
{
	int closes = step == SIM_DAYS ? n : 1;

	if (step == SIM_DAYS && (n < 1 || n > 100000)) {
		err_fmt(err, errlen, "days: %d is out of range (1 to 100000)", n);
		return -1;
	}
	for (;;) {
		/* One step: pre-open -> open -> closed -> next day's pre-open. */
		if (b->phase == SIM_PRE_OPEN) {
			b->phase = SIM_OPEN;
			if (run_open(b) < 0 || journal(b, acct_json(b), NULL, NULL, NULL) < 0)
				goto fail;
			if (step == SIM_TO_OPEN)
				return 0;
		} else if (b->phase == SIM_OPEN) {
			b->phase = SIM_CLOSED;
			if (run_close(b) < 0 || journal(b, acct_json(b), NULL, NULL, NULL) < 0)
				goto fail;
			if (step != SIM_TO_OPEN && --closes == 0)
				return 0;
		} else {
			b->day = cal_next(b->day);
			b->phase = SIM_PRE_OPEN;
		}
	}
fail:
	err_fmt(err, errlen, "cannot write the state to %s", b->dir ? b->dir : "memory");
	return -1;
}

static int place(sim_broker *b, int client_id, const tws_contract *c, const tws_order *t);

/* An order's price for buying power: its limit, else the mark. NaN when neither is known. */
static double
bp_price(const sim_broker *b, double lmt, const char *sec_id, int con_id)
{
	return lmt != TWS_UNSET_DOUBLE && lmt > 0 ? lmt : mark(b, sec_id, con_id);
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
		double m = mark(b, b->pos[i].sec_id, b->pos[i].con_id);
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
		else if ((p = find_pos((sim_broker *)b, o->con_id)) != NULL && p->qty > 0)
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
sim_broker_place(sim_broker *b, int client_id, const tws_contract *c, const tws_order *t)
{
	int rc = place(b, client_id, c, t);

	settle(b);
	return rc;
}

static int
place(sim_broker *b, int client_id, const tws_contract *c, const tws_order *t)
{
	sim_order *o = find_order(b, client_id, t->order_id), nw;
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
	if (t->order_id <= 0)
		why = "order id must be positive";
	else if (s == NULL)
		why = "No security definition has been found for the request";
	else if (strcmp(c->sec_type, "STK") != 0 && c->sec_type[0] != '\0')
		why = "only stocks (STK) are traded here";
	else if (strcmp(t->action, "BUY") != 0 && strcmp(t->action, "SELL") != 0 && strcmp(t->action, "SSHORT") != 0)
		why = "action must be BUY, SELL or SSHORT";
	else if (!(t->qty > 0) || t->qty == TWS_UNSET_DOUBLE || t->qty != floor(t->qty) || t->qty > 1e9)
		why = "quantity must be a whole number of shares above 0";
	else if (strcmp(t->order_type, "MKT") != 0 && strcmp(t->order_type, "LMT") != 0 &&
	    strcmp(t->order_type, "MOC") != 0 && strcmp(t->order_type, "LOC") != 0)
		why = "order type not supported (MKT, LMT, MOC, LOC)";
	else if ((strcmp(t->order_type, "LMT") == 0 || strcmp(t->order_type, "LOC") == 0) &&
	    (t->lmt_price == TWS_UNSET_DOUBLE || !(t->lmt_price > 0)))
		why = "a limit order needs a limit price above 0";
	else if (strcmp(t->tif, "DAY") != 0 && strcmp(t->tif, "OPG") != 0 && strcmp(t->tif, "GTC") != 0 &&
	    t->tif[0] != '\0')
		why = "time in force not supported (DAY, OPG, GTC)";
	else if ((strcmp(t->order_type, "MOC") == 0 || strcmp(t->order_type, "LOC") == 0) &&
	    strcmp(t->tif, "OPG") == 0)
		why = "on-close orders cannot have time in force OPG";
	else if (t->account[0] != '\0' && strcmp(t->account, b->account) != 0)
		why = "unknown account";
	else if (!is_new && t->qty < o->filled)
		why = "quantity below what is filled";
	else if (is_new && b->reject_every > 0 && ++b->placed % b->reject_every == 0)
		why = "simulated rejection (--reject-every)";
	else if (t->transmit && strcmp(t->action, "BUY") == 0 && !buying_power_ok(b, o, s, t, bp, sizeof bp))
		why = bp;
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
		if (grow((void **)&b->orders, &b->ocap, b->norders + 1, sizeof *b->orders) < 0)
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
	if (journal(b, order_json(o), acct_json(b), NULL, NULL) < 0)
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
sim_broker_cancel(sim_broker *b, int client_id, long long order_id)
{
	sim_order *o = find_order(b, client_id, order_id);
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
	settle(b);
	return rc;
}

/* ================================ wire conversions ================================ */

static void
contract_of(tws_contract *c, const char *symbol, int con_id)
{
	tws_contract_stock(c, symbol);
	c->con_id = con_id;
	c->strike = 0;
	snprintf(c->exchange, sizeof c->exchange, "SMART");
}

void
sim_order_to_open(const sim_broker *b, const sim_order *o, tws_open_order *out)
{
	memset(out, 0, sizeof *out);
	contract_of(&out->contract, o->symbol, o->con_id);
	tws_order_init(&out->order);
	out->order.order_id = o->order_id;
	snprintf(out->order.action, sizeof out->order.action, "%s", o->action);
	out->order.qty = o->qty;
	snprintf(out->order.order_type, sizeof out->order.order_type, "%s", o->order_type);
	out->order.lmt_price = o->lmt_price;
	snprintf(out->order.tif, sizeof out->order.tif, "%s", o->tif);
	snprintf(out->order.account, sizeof out->order.account, "%s", o->account[0] ? o->account : b->account);
	snprintf(out->order.order_ref, sizeof out->order.order_ref, "%s", o->order_ref);
	out->order.transmit = o->transmit;
	out->order.client_id = o->client_id;
	out->order.perm_id = o->perm_id;
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
	tws_order_init(&out->order);
	snprintf(out->order.action, sizeof out->order.action, "%s", o->action);
	out->order.qty = o->qty;
	snprintf(out->order.order_type, sizeof out->order.order_type, "%s", o->order_type);
	out->order.lmt_price = o->lmt_price;
	snprintf(out->order.tif, sizeof out->order.tif, "%s", o->tif);
	snprintf(out->order.account, sizeof out->order.account, "%s", o->account[0] ? o->account : b->account);
	snprintf(out->order.order_ref, sizeof out->order.order_ref, "%s", o->order_ref);
	out->order.perm_id = o->perm_id;
	out->order.transmit = o->transmit;
	snprintf(out->status, sizeof out->status, "%s", o->status);
	out->filled = o->filled;
	fmt_time(o->done_day ? o->done_day : b->day, strcmp(o->status, "Filled") == 0 && o->filled > 0 ?
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
	fmt_time(f->day, (enum sim_phase)f->phase, " US/Eastern", out->time, sizeof out->time);
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
