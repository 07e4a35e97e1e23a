#include "sim/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "date.h"
#include "err.h"
#include "log.h"
#include "num.h"
#include "tws/msg.h"
#include "util.h"

enum stage { ST_HELLO, ST_START, ST_READY, ST_CTL };

struct chunk {                 /* delayed output */
	long long due;         /* ms */
	char *p;
	size_t n;
	struct chunk *next;
};

struct sess {
	int fd;
	enum stage stage;
	int version;           /* negotiated */
	int client_id;
	char *in;              /* bytes read, not handled */
	size_t inlen, incap;
	tws_wbuf stage_buf;    /* answers to the message being handled */
	tws_wbuf out;          /* bytes to write now */
	struct chunk *delayed, *delayed_tail;
	long sent;             /* messages sent to this connection */
	int drop;              /* drop after drop_after messages (fault injection) */
	int closing;           /* close once out is written */
	int dead;              /* close now */
	int positions_sub;     /* reqPositions subscription active */
	int md_type;           /* reqMarketDataType: 1 live (the default), 2 frozen, 3 delayed, 4 delayed frozen */
	int backlog;           /* complete messages left in in[] for the next turn (fairness) */
	long long rate_sec;    /* pacing: the second being counted */
	int rate_n;            /* messages received in it */
	char peer[64];
};

struct hist_seen {             /* enforce_pacing: recent historical requests */
	char key[200];
	char contract[96];     /* contract and what to show (the six-in-two-seconds rule) */
	int small;             /* bars of 30 seconds or less */
	long long at;          /* ms */
};

struct server {
	sim_broker *b;
	sim_prices *px;
	struct sim_server_opts o;
	struct sess **s;
	int ns, cap;
	long hist_count;       /* historical requests seen, for pacing_every */
	int drops_left;
	struct hist_seen seen[1024];
	int seen_pos;
	tws_msg msg;
	int shutdown;
	int link_down;         /* "link lost": requests are held until "link restored" */
	int farm_asleep;       /* farm_notices: the HMDS farm reported inactive (2107) */
};

static volatile sig_atomic_t stop_flag;

void
sim_server_stop(void)
{
	stop_flag = 1;
}

/* ================================ output ================================ */

/* Move what the message just handled produced into the output: counted (drop_after), delayed
 * (delay_ms). */
static void
commit(struct server *sv, struct sess *s)
{
	tws_wbuf *st = &s->stage_buf;
	size_t off = 0, keep;

	if (st->len == 0 || s->dead)
		goto done;
	if (st->oom) {
		s->dead = 1;
		goto done;
	}
	keep = st->len;
	if (s->drop && sv->o.drop_after > 0) {
		/* Walk the frames: stop after the drop_after-th message overall. */
		while (off + 4 <= st->len) {
			const unsigned char *u = (const unsigned char *)st->p + off;
			size_t n = (size_t)u[0] << 24 | (size_t)u[1] << 16 | (size_t)u[2] << 8 | u[3];
			off += 4 + n;
			if (++s->sent >= sv->o.drop_after) {
				keep = off;
				s->closing = 1;
				log_info("fault injection: dropping %s after %ld messages", s->peer, s->sent);
				break;
			}
		}
	}
	if (sv->o.delay_ms > 0) {
		struct chunk *c = calloc(1, sizeof *c);
		if (c == NULL || (c->p = malloc(keep)) == NULL) {
			free(c);
			s->dead = 1;
			goto done;
		}
		memcpy(c->p, st->p, keep);
		c->n = keep;
		c->due = util_now_ms() + sv->o.delay_ms;
		if (s->delayed_tail)
			s->delayed_tail->next = c;
		else
			s->delayed = c;
		s->delayed_tail = c;
	} else {
		tws_w_raw(&s->out, st->p, keep);
		if (s->out.oom)
			s->dead = 1;
	}
done:
	st->len = 0;
}

/* An error for session s, in the layout of its version. */
static void
send_error(struct sess *s, int id, int code, const char *msg)
{
	tws_error e;

	memset(&e, 0, sizeof e);
	e.id = id;
	e.code = code;
	snprintf(e.msg, sizeof e.msg, "%s", msg);
	tws_enc_error_v(&s->stage_buf, &e, s->version);
}

static struct sess *
client_sess(struct server *sv, int client_id)
{
	for (int i = 0; i < sv->ns; i++)
		if (sv->s[i]->stage == ST_READY && sv->s[i]->client_id == client_id && !sv->s[i]->dead)
			return sv->s[i];
	return NULL;
}

static void
emit_order(struct server *sv, struct sess *s, const sim_order *o)
{
	tws_open_order oo;
	tws_order_status st;

	if (o->perm_id != 0) {
		sim_order_to_open(sv->b, o, &oo);
		tws_enc_open_order_v(&s->stage_buf, &oo, s->version);
	}
	sim_order_to_status(o, &st);
	tws_enc_order_status(&s->stage_buf, &st);
}

static void
emit_fill(struct server *sv, struct sess *s, const sim_fill *f, int req_id)
{
	tws_exec e;

	sim_fill_to_exec(sv->b, f, req_id, &e);
	tws_enc_exec_v(&s->stage_buf, &e, s->version);
}

static void
emit_commission(struct sess *s, const sim_fill *f)
{
	tws_commission c;

	sim_fill_to_commission(f, &c);
	tws_enc_commission(&s->stage_buf, &c);
}

/* The broker's callback: tell the clients concerned. */
static void
on_note(void *ctx, const sim_note_info *n)
{
	struct server *sv = ctx;
	struct sess *s = client_sess(sv, n->client_id);
	tws_position p;

	switch (n->kind) {
	case SIM_NOTE_ORDER:
		if (s != NULL) {
			emit_order(sv, s, n->o);
			commit(sv, s);
		}
		break;
	case SIM_NOTE_FILL:
		if (s != NULL) {
			emit_fill(sv, s, n->f, -1);
			emit_order(sv, s, n->o);
			emit_commission(s, n->f);
			commit(sv, s);
		}
		break;
	case SIM_NOTE_ERROR:
		if (s != NULL) {
			send_error(s, (int)n->order_id, n->code, n->msg);
			commit(sv, s);
		}
		break;
	case SIM_NOTE_POSITION:
		sim_pos_to_position(sv->b, n->p, &p);
		for (int i = 0; i < sv->ns; i++) {
			struct sess *t = sv->s[i];
			if (t->stage == ST_READY && t->positions_sub && !t->dead) {
				tws_enc_position(&t->stage_buf, &p);
				commit(sv, t);
			}
		}
		break;
	}
}

static sim_sec *sec_by_ib_symbol(struct server *sv, const char *symbol);

/* 1 when sec stopped trading: its last bar is before the last session the clock has seen. */
static int
delisted(struct server *sv, const sim_sec *sec)
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
	send_error(s, (int)o->order_id, sv->o.order_warning, msg);
}

/* The texts of the notices "CTL notice CODE" sends: those of a real gateway. */
static const char *
notice_text(int code)
{
	switch (code) {
	case 2103: return "Market data farm connection is broken:usfarm";
	case 2104: return "Market data farm connection is OK:usfarm";
	case 2105: return "HMDS data farm connection is broken:ushmds";
	case 2106: return "HMDS data farm connection is OK:ushmds";
	case 2107: return "HMDS data farm connection is inactive but should be available upon demand.ushmds";
	case 2108: return "Market data farm connection is inactive but should be available upon demand.usfarm";
	case 2110: return "Connectivity between Trader Workstation and server is broken. It will be restored automatically.";
	case 2157: return "Sec-def data farm connection is broken:secdefil";
	case 2158: return "Sec-def data farm connection is OK:secdefil";
	case 1100: return "Connectivity between IB and Trader Workstation has been lost.";
	case 1101: return "Connectivity between IB and Trader Workstation has been restored - data lost.";
	case 1102: return "Connectivity between IB and Trader Workstation has been restored - data maintained.";
	}
	return NULL;
}

/* A notice (id -1) to every API client. */
static void
broadcast(struct server *sv, int code)
{
	for (int i = 0; i < sv->ns; i++) {
		struct sess *t = sv->s[i];
		if (t->stage == ST_READY && !t->dead) {
			send_error(t, -1, code, notice_text(code));
			commit(sv, t);
		}
	}
}

/* ================================ historical data ================================ */

/* Parse "N U" (U one of S D W M Y). Returns 0, or -1. */
static int
parse_duration(const char *s, long *n, char *unit)
{
	char *end;

	*n = strtol(s, &end, 10);
	if (end == s || *n <= 0 || *n > 100000 || *end != ' ')
		return -1;
	while (*end == ' ')
		end++;
	*unit = (char)toupper((unsigned char)*end);
	if (end[0] == '\0' || end[1] != '\0' || strchr("SDWMY", *unit) == NULL)
		return -1;
	return 0;
}

/* The last trading date an end date-time includes, in New York's calendar. Returns 0, or -1 when it is
 * malformed. Forms: "yyyymmdd", "yyyymmdd HH:MM:SS", "yyyymmdd HH:MM:SS ZONE", "yyyymmdd-HH:MM:SS" (UTC). */
static int
parse_end(const char *s, int *day)
{
	char iso[11];
	int d, hh = 23, mm = 59, ss = 59, utc = 0;
	size_t n = strlen(s);

	if (n < 8)
		return -1;
	for (int i = 0; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
	if (date_parse(iso, 10, &d) < 0)
		return -1;
	if (n > 8) {
		const char *t = s + 8, *zone;
		if (*t == '-')
			utc = 1;
		else if (*t != ' ')
			return -1;
		while (*t == ' ' || *t == '-')
			t++;
		if (sscanf(t, "%2d:%2d:%2d", &hh, &mm, &ss) != 3 || hh > 23 || mm > 59 || ss > 60)
			return -1;
		zone = t + 8;
		while (*zone == ' ')
			zone++;
		if (*zone != '\0') {
			if (strcasecmp(zone, "UTC") == 0 || strcasecmp(zone, "GMT") == 0 || strcasecmp(zone, "Etc/UTC") == 0)
				utc = 1;
			else if (!(strcasecmp(zone, "US/Eastern") == 0 || strcasecmp(zone, "America/New_York") == 0 ||
			    strcasecmp(zone, "EST") == 0 || strcasecmp(zone, "EDT") == 0 || strcasecmp(zone, "EST5EDT") == 0))
				return -2;
		}
	}
	if (utc) {
		/* Convert to New York local time: subtract the offset of that day. */
		long long e = (long long)d * 86400 + hh * 3600 + mm * 60 + ss;
		long long off = sim_ny_epoch(d, 0, 0) - (long long)d * 86400;
		long long local = e - off;
		d = (int)(local >= 0 ? local / 86400 : -((-local + 86399) / 86400));
		long long sod = local - (long long)d * 86400;
		hh = (int)(sod / 3600);
		mm = (int)(sod % 3600 / 60);
	}
	/* A day's bar exists once its session has begun. */
	if (hh < 9 || (hh == 9 && mm < 30))
		d--;
	*day = d;
	return 0;
}

static void
yyyymmdd(int day, char *buf, size_t n)
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	snprintf(buf, n, "%04d%02d%02d", y, m, d);
}

static void
hist_answer(struct server *sv, struct sess *s, const tws_hist_req *r)
{
	tws_wbuf *w = &s->stage_buf;
	sim_sec *sec = NULL;
	long dn;
	char unit, msg[256], a[16], z[16];
	int last, first_idx, last_idx, adjusted, clock_last, rc, partial;
	tws_hist_data d;
	sim_bar *adj = NULL;

	sv->hist_count++;
	if (sv->o.farm_notices && sv->farm_asleep) {
		send_error(s, -1, 2106, notice_text(2106));
		sv->farm_asleep = 0;
	}
	if (sv->o.pacing_every > 0 && sv->hist_count % sv->o.pacing_every == 0) {
		send_error(s, r->req_id, 162, "Historical Market Data Service error message:Historical data request pacing violation");
		return;
	}
	if (sv->o.enforce_pacing) {
		/* IB's historical-data limitations: identical within 15 s; six or more for one contract, exchange
		 * and tick type within 2 s; more than 60 small-bar requests in 10 minutes. */
		char key[200], con[96];
		long long t = util_now_ms();
		int ncon = 0, nsmall = 0, small, violation = 0;
		char *end;
		long secs = strtol(r->bar_size, &end, 10);
		small = end != r->bar_size && strncmp(end, " sec", 4) == 0 && secs <= 30;
		snprintf(con, sizeof con, "%d|%d|%s|%s", s->client_id, r->contract.con_id, r->contract.symbol, r->what);
		snprintf(key, sizeof key, "%s|%s|%s|%s|%d", con, r->end, r->bar_size, r->duration, r->use_rth);
		for (int i = 0; i < (int)(sizeof sv->seen / sizeof sv->seen[0]); i++) {
			const struct hist_seen *h = &sv->seen[i];
			if (h->at <= 0)
				continue;
			violation |= t - h->at < 15000 && strcmp(h->key, key) == 0;
			ncon += t - h->at < 2000 && strcmp(h->contract, con) == 0;
			nsmall += small && h->small && t - h->at < 600000;
		}
		if (violation || ncon >= 5 || nsmall >= 60) {
			send_error(s, r->req_id, 162, "Historical Market Data Service error message:Historical data request pacing violation");
			return;
		}
		snprintf(sv->seen[sv->seen_pos].key, sizeof sv->seen[0].key, "%s", key);
		snprintf(sv->seen[sv->seen_pos].contract, sizeof sv->seen[0].contract, "%s", con);
		sv->seen[sv->seen_pos].small = small;
		sv->seen[sv->seen_pos].at = t;
		sv->seen_pos = (sv->seen_pos + 1) % (int)(sizeof sv->seen / sizeof sv->seen[0]);
	}
	if (r->contract.con_id > 0)
		sec = sim_prices_conid(sv->px, r->contract.con_id);
	if (sec == NULL && r->contract.symbol[0] != '\0' && (sec = sec_by_ib_symbol(sv, r->contract.symbol)) != NULL &&
	    delisted(sv, sec))
		sec = NULL; /* the symbol names nothing any more (a conId still reaches the old contract) */
	if (sec == NULL || (r->contract.sec_type[0] != '\0' && strcmp(r->contract.sec_type, "STK") != 0)) {
		send_error(s, r->req_id, 200, "No security definition has been found for the request");
		return;
	}
	if (sv->o.no_permission != NULL) {
		const char *p = sv->o.no_permission;
		size_t len = strlen(sec->symbol);
		while ((p = strstr(p, sec->symbol)) != NULL) {
			if ((p == sv->o.no_permission || p[-1] == ',') && (p[len] == ',' || p[len] == '\0')) {
				send_error(s, r->req_id, 162, "Historical Market Data Service error message:No market data "
				    "permissions for NYSE STK");
				return;
			}
			p += len;
		}
	}
	if (strcmp(r->bar_size, "1 day") != 0) {
		snprintf(msg, sizeof msg, "Error validating request.-'bK' : cause - Historical data bar size setting "
		    "'%s' is not served (ib-sim serves '1 day')", r->bar_size);
		send_error(s, r->req_id, 321, msg);
		return;
	}
	adjusted = strcmp(r->what, "ADJUSTED_LAST") == 0;
	if (!adjusted && strcmp(r->what, "TRADES") != 0) {
		snprintf(msg, sizeof msg, "Error validating request.-'bK' : cause - whatToShow '%s' is not served "
		    "(ib-sim serves TRADES and ADJUSTED_LAST)", r->what);
		send_error(s, r->req_id, 321, msg);
		return;
	}
	if (r->keep_up_to_date) {
		send_error(s, r->req_id, 321, "Error validating request.-'bK' : cause - keepUpToDate is not served by ib-sim");
		return;
	}
	if (parse_duration(r->duration, &dn, &unit) < 0) {
		snprintf(msg, sizeof msg, "Error validating request.-'bK' : cause - Invalid duration '%s'", r->duration);
		send_error(s, r->req_id, 321, msg);
		return;
	}
	/* The clock bounds everything: today's bar exists once the session has begun, partial until the
	 * close. */
	partial = sim_broker_phase(sv->b) == SIM_OPEN ? sim_broker_day(sv->b) : -1;
	clock_last = sim_broker_phase(sv->b) == SIM_PRE_OPEN ? sim_broker_day(sv->b) - 1 : sim_broker_day(sv->b);
	last = clock_last;
	if (r->end[0] != '\0') {
		if (adjusted) {
			send_error(s, r->req_id, 321, "Error validating request.-'bK' : cause - Adjusted Last cannot be "
			    "requested with an end date");
			return;
		}
		if ((rc = parse_end(r->end, &last)) < 0) {
			snprintf(msg, sizeof msg, "Error validating request.-'bK' : cause - %s end date/time '%s'",
			    rc == -2 ? "unknown time zone in" : "Invalid", r->end);
			send_error(s, r->req_id, 321, msg);
			return;
		}
		if (last > clock_last)
			last = clock_last;
	}
	last_idx = sim_sec_le(sec, last);
	first_idx = last_idx + 1;
	if (last_idx >= 0) {
		if (unit == 'D' || unit == 'S') {
			long bars = unit == 'D' ? dn : (dn + 86399) / 86400;
			first_idx = (int)(last_idx + 1 - bars < 0 ? 0 : last_idx + 1 - bars);
		} else {
			int y, m, dd, start;
			date_to_ymd(last, &y, &m, &dd);
			if (unit == 'W') {
				start = last - 7 * (int)dn;
			} else {
				long months = unit == 'M' ? dn : dn * 12;
				long ym = (long)y * 12 + (m - 1) - months;
				int ny = (int)(ym / 12), nm = (int)(ym % 12) + 1, md = dd;
				static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
				if (md > mdays[nm - 1])
					md = mdays[nm - 1];
				if (nm == 2 && md == 29 && !((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0))
					md = 28;
				start = date_from_ymd(ny, nm, md);
			}
			first_idx = sim_sec_le(sec, start) + 1; /* bars after start */
		}
	}
	if (last_idx < 0 || first_idx > last_idx) {
		snprintf(msg, sizeof msg, "Historical Market Data Service error message:HMDS query returned no data: "
		    "%s@SMART Trades", sec->symbol);
		send_error(s, r->req_id, 162, msg);
		return;
	}
	memset(&d, 0, sizeof d);
	d.req_id = r->req_id;
	d.nbars = last_idx - first_idx + 1;
	d.bars = calloc((size_t)d.nbars, sizeof *d.bars);
	adj = adjusted ? malloc((size_t)d.nbars * sizeof *adj) : NULL;
	if (d.bars == NULL || (adjusted && adj == NULL)) {
		free(d.bars);
		free(adj);
		send_error(s, r->req_id, 162, "Historical Market Data Service error message:out of memory");
		return;
	}
	if (adjusted) {
		/* Adjusted to the latest bar the clock allows, whatever the request's range. */
		int top = sim_sec_le(sec, clock_last);
		sim_bar *all = malloc((size_t)(top - first_idx + 1) * sizeof *all);
		if (all != NULL) {
			sim_sec_adjusted(sec, first_idx, top, all);
			memcpy(adj, all, (size_t)d.nbars * sizeof *adj);
			free(all);
		} else {
			memcpy(adj, sec->bars + first_idx, (size_t)d.nbars * sizeof *adj);
		}
	}
	for (int i = 0; i < d.nbars; i++) {
		const sim_bar *x = adjusted ? &adj[i] : &sec->bars[first_idx + i];
		tws_bar *o = &d.bars[i];
		yyyymmdd(x->date, o->date, sizeof o->date);
		o->close = x->close;
		o->open = isnan(x->open) ? x->close : x->open;
		o->high = isnan(x->high) ? fmax(o->open, o->close) : x->high;
		o->low = isnan(x->low) ? fmin(o->open, o->close) : x->low;
		o->volume = isnan(x->volume) ? 0 : x->volume;
		if (!r->use_rth) {
			/* Outside regular hours too: the day opens in the pre-market, at the previous close, and
			 * trades more. */
			const sim_bar *prev = adjusted ? (i > 0 ? &adj[i - 1] : NULL) :
			    (first_idx + i > 0 ? &sec->bars[first_idx + i - 1] : NULL);
			if (prev != NULL && !isnan(prev->close)) {
				o->open = prev->close;
				o->high = fmax(o->high, o->open);
				o->low = fmin(o->low, o->open);
			}
			o->volume = round(o->volume * 1.08);
		}
		if (x->date == partial) { /* the session is on: the bar so far */
			o->high = o->low = o->close = o->open;
			o->volume = round(o->volume * 0.3);
		}
		o->wap = round((o->high + o->low + o->close) / 3 * 10000) / 10000;
		o->count = -1;
	}
	yyyymmdd(sec->bars[first_idx].date, a, sizeof a);
	yyyymmdd(sec->bars[last_idx].date, z, sizeof z);
	snprintf(d.start, sizeof d.start, "%s 09:30:00", a);
	snprintf(d.end, sizeof d.end, "%s 16:00:00", z);
	tws_enc_hist_data(w, &d);
	free(d.bars);
	free(adj);
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
		send_error(s, r->req_id, 200, "No security definition has been found for the request");
		return;
	}
	if (!r->snapshot) {
		send_error(s, r->req_id, 321, "Error validating request.-'bW' : cause - ib-sim serves market-data "
		    "snapshots only (snapshot=1)");
		return;
	}
	if (s->md_type != 3 && s->md_type != 4) {
		snprintf(msg, sizeof msg, "Requested market data is not subscribed. Delayed market data is available."
		    "%s NYSE/TOP/ALL", sec->symbol);
		send_error(s, r->req_id, 354, msg);
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
	send_error(s, r->req_id, 10167, "Requested market data is not subscribed. Displaying delayed market data.");
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
static sim_sec *
sec_by_ib_symbol(struct server *sv, const char *symbol)
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
		sec = sec_by_ib_symbol(sv, want->symbol);
	if (sec != NULL && ((want->sec_type[0] && strcmp(want->sec_type, "STK") != 0) ||
	    (want->currency[0] && strcmp(want->currency, "USD") != 0)))
		sec = NULL;
	prim = sec != NULL && sec->con_id % 3 == 0 ? "NASDAQ" : "NYSE";
	if (sec != NULL && want->primary_exch[0] && strcmp(want->primary_exch, prim) != 0)
		sec = NULL;
	if (sec == NULL || delisted(sv, sec)) {
		send_error(s, req_id, 200, "No security definition has been found for the request");
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


static void
send_account_summary(struct server *sv, struct sess *s, int req_id, const char *tags)
{
	struct { const char *tag; double v; } vals[] = {
		{ "NetLiquidation", sim_broker_nlv(sv->b) },
		{ "TotalCashValue", sim_broker_cash(sv->b) },
		{ "AvailableFunds", sim_broker_cash(sv->b) },
		{ "BuyingPower", sim_broker_cash(sv->b) },
		{ "GrossPositionValue", 0 },
		{ "EquityWithLoanValue", sim_broker_nlv(sv->b) },
		{ "SettledCash", sim_broker_cash(sv->b) },
	};
	vals[4].v = sim_broker_gross(sv->b);
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		tws_account_value v;
		char want[64];
		const char *p = tags;
		int hit = strcmp(tags, "All") == 0 || tags[0] == '\0';
		/* tags is a comma-separated list: match whole names. */
		while (!hit && *p) {
			size_t n = strcspn(p, ",");
			snprintf(want, sizeof want, "%.*s", (int)n, p);
			hit = strcmp(want, vals[i].tag) == 0;
			p += n + (p[n] == ',');
		}
		if (!hit)
			continue;
		memset(&v, 0, sizeof v);
		v.req_id = req_id;
		snprintf(v.account, sizeof v.account, "%s", sim_broker_account(sv->b));
		snprintf(v.tag, sizeof v.tag, "%s", vals[i].tag);
		snprintf(v.value, sizeof v.value, "%.2f", vals[i].v);
		snprintf(v.currency, sizeof v.currency, "USD");
		tws_enc_account_summary(&s->stage_buf, &v);
	}
	tws_enc_account_summary_end(&s->stage_buf, req_id);
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
	char iso[11], zone[48] = "";
	int day, hh, mm, ss, n = 0, utc = t[8] == '-';
	size_t len = strlen(t);

	if (len < 17)
		return -1;
	for (int i = 0; i < 8; i++)
		if (!isdigit((unsigned char)t[i]))
			return -1;
	snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", t, t + 4, t + 6);
	if (date_parse(iso, 10, &day) < 0 || (t[8] != ' ' && t[8] != '-'))
		return -1;
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
handle_ready(struct server *sv, struct sess *s)
{
	tws_msg *m = &sv->msg;
	tws_wbuf *w = &s->stage_buf;
	int id = tws_msg_id(m), req;

	switch (id) {
	case TWS_OUT_REQ_HISTORICAL_DATA: {
		tws_hist_req r;
		if (tws_dec_hist_req(m, &r) < 0)
			goto bad;
		hist_answer(sv, s, &r);
		if (sv->o.farm_notices) {
			send_error(s, -1, 2107, notice_text(2107));
			sv->farm_asleep = 1;
		}
		break;
	}
	case TWS_OUT_REQ_CONTRACT_DATA: {
		tws_contract c;
		if (tws_dec_req_contract_v(m, &req, &c, s->version) < 0)
			goto bad;
		contract_answer(sv, s, req, &c);
		break;
	}
	case TWS_OUT_CANCEL_HISTORICAL_DATA:
		break; /* answers go out at once: nothing is left to cancel */
	case TWS_OUT_PLACE_ORDER: {
		tws_contract c;
		tws_order o;
		if (tws_dec_place_order_v(m, &c, &o, s->version) < 0) {
			char msg[256];
			long long oid = m->n > 1 ? atoll(m->f[1]) : -1;
			snprintf(msg, sizeof msg, "Order rejected - reason:cannot read the order: %s", m->err);
			send_error(s, (int)oid, 201, msg);
			break;
		}
		if (sv->o.order_warning != 0)
			send_order_warning(sv, s, &c, &o);
		commit(sv, s); /* the broker writes to this session through on_note */
		if (sim_broker_place(sv->b, s->client_id, &c, &o) < 0)
			send_error(s, (int)o.order_id, 201, "Order rejected - reason:the simulator could not save its state");
		break;
	}
	case TWS_OUT_CANCEL_ORDER: {
		long long oid;
		if (tws_dec_cancel_order(m, &oid) < 0)
			goto bad;
		commit(sv, s);
		if (sim_broker_cancel(sv->b, s->client_id, oid) < 0)
			send_error(s, (int)oid, 161, "the simulator could not save its state");
		break;
	}
	case TWS_OUT_REQ_OPEN_ORDERS:
	case TWS_OUT_REQ_ALL_OPEN_ORDERS:
		for (int i = 0; i < sim_broker_norders(sv->b); i++) {
			const sim_order *o = sim_broker_order(sv->b, i);
			if (sim_order_open(o) && (id == TWS_OUT_REQ_ALL_OPEN_ORDERS || o->client_id == s->client_id))
				emit_order(sv, s, o);
		}
		tws_enc_simple(w, TWS_IN_OPEN_ORDER_END);
		break;
	case TWS_OUT_REQ_MARKET_DATA_TYPE: {
		int type;
		if (tws_dec_market_data_type_req(m, &type) < 0 || type < 1 || type > 4)
			goto bad;
		s->md_type = type;
		break;
	}
	case TWS_OUT_REQ_MKT_DATA: {
		tws_mkt_req r;
		if (tws_dec_mkt_req(m, &r) < 0)
			goto bad;
		snapshot_answer(sv, s, &r);
		break;
	}
	case TWS_OUT_CANCEL_MKT_DATA:
		break; /* snapshots end by themselves */
	case TWS_OUT_REQ_COMPLETED_ORDERS: {
		int api_only, prev = cal_prev(sim_broker_day(sv->b));
		if (tws_dec_req_completed_orders(m, &api_only) < 0)
			goto bad;
		/* IB reports the orders completed in the current session; the simulator keeps those done since
		 * the previous trading day (a session spans the evening and the next day's open). */
		for (int i = 0; i < sim_broker_norders(sv->b); i++) {
			const sim_order *o = sim_broker_order(sv->b, i);
			tws_completed_order co;
			if (sim_order_open(o) || o->perm_id == 0 || o->done_day < prev)
				continue;
			sim_order_to_completed(sv->b, o, &co);
			tws_enc_completed_order_v(w, &co, s->version);
		}
		tws_enc_completed_orders_end(w);
		break;
	}
	case TWS_OUT_REQ_EXECUTIONS: {
		tws_exec_filter f;
		long long since = 0;
		if (tws_dec_req_executions(m, &req, &f) < 0)
			goto bad;
		if (f.time[0] != '\0' && filter_time(f.time, &since) < 0) {
			char msg[320];
			snprintf(msg, sizeof msg, "Error validating request.-'bN' : cause - Invalid execution filter time "
			    "'%.60s' (yyyymmdd HH:MM:SS with a zone such as US/Eastern, or yyyymmdd-HH:MM:SS in UTC)", f.time);
			send_error(s, req, 321, msg);
			tws_enc_exec_end(w, req);
			break;
		}
		for (int i = 0; i < sim_broker_nfills(sv->b); i++) {
			const sim_fill *fl = sim_broker_fill(sv->b, i);
			if (!exec_matches(fl, &f, since))
				continue;
			emit_fill(sv, s, fl, req);
			emit_commission(s, fl);
		}
		tws_enc_exec_end(w, req);
		break;
	}
	case TWS_OUT_REQ_IDS:
		tws_enc_next_valid_id(w, sim_broker_next_id(sv->b));
		break;
	case TWS_OUT_REQ_CURRENT_TIME:
		tws_enc_current_time(w, sim_broker_epoch(sv->b));
		break;
	case TWS_OUT_REQ_POSITIONS:
		s->positions_sub = 1;
		for (int i = 0; i < sim_broker_npos(sv->b); i++) {
			tws_position p;
			sim_pos_to_position(sv->b, sim_broker_pos(sv->b, i), &p);
			tws_enc_position(w, &p);
		}
		tws_enc_simple(w, TWS_IN_POSITION_END);
		break;
	case TWS_OUT_CANCEL_POSITIONS:
		s->positions_sub = 0;
		break;
	case TWS_OUT_REQ_ACCOUNT_SUMMARY: {
		char group[64], tags[512];
		if (tws_dec_req_account_summary(m, &req, group, sizeof group, tags, sizeof tags) < 0)
			goto bad;
		send_account_summary(sv, s, req, tags);
		break;
	}
	case TWS_OUT_CANCEL_ACCOUNT_SUMMARY:
	case TWS_OUT_START_API:
		break;
	default:
		log_debug("%s: ignoring message %d", s->peer, id);
		break;
	}
	return;
bad: {
	char msg[256];
	snprintf(msg, sizeof msg, "Error reading request: message %d: %s", id, m->err);
	send_error(s, -1, 320, msg);
}
}

static void
handle_start(struct server *sv, struct sess *s)
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
	if (client_sess(sv, cid) != NULL) {
		log_info("%s: client id %d is already in use: error 326", s->peer, cid);
		send_error(s, -1, 326, "Unable to connect as the client id is already in use. Retry with a unique client id.");
		s->closing = 1;
		return;
	}
	s->client_id = cid;
	s->stage = ST_READY;
	s->md_type = 1;
	log_info("%s: client id %d connected (version %d)", s->peer, cid, s->version);
	tws_enc_managed_accts(w, sim_broker_account(sv->b));
	tws_enc_next_valid_id(w, sim_broker_next_id(sv->b));
	send_error(s, -1, 2104, "Market data farm connection is OK:usfarm");
	send_error(s, -1, 2106, "HMDS data farm connection is OK:ushmds");
	send_error(s, -1, 2158, "Sec-def data farm connection is OK:secdefil");
	if (sv->link_down) /* the state of TWS's link, for a client that connects while it is down */
		send_error(s, -1, 1100, notice_text(1100));
	/* As a gateway with "download open orders on connection" does: this client's working orders, then an
	 * OPEN_ORDER_END that answers no request. */
	for (int i = 0; i < sim_broker_norders(sv->b); i++) {
		const sim_order *o = sim_broker_order(sv->b, i);
		if (sim_order_open(o) && o->client_id == cid)
			emit_order(sv, s, o);
	}
	tws_enc_simple(w, TWS_IN_OPEN_ORDER_END);
}

/* ================================ control ================================ */

static void
ctl_line(struct server *sv, struct sess *s, char *line)
{
	char reply[512], err[160], date[DATE_LEN + 1], *argv[4];
	int argc = 0, rc = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t\r", &save); t && argc < 4; t = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = t;
	err[0] = '\0';
	if (argc >= 1 && strcmp(argv[0], "CTL") == 0) {
		memmove(argv, argv + 1, (size_t)(argc - 1) * sizeof *argv);
		argc--;
	}
	if (argc == 2 && strcmp(argv[0], "advance") == 0 && strcmp(argv[1], "open") == 0) {
		rc = sim_broker_advance(sv->b, SIM_TO_OPEN, 1, err, sizeof err);
	} else if (argc == 2 && strcmp(argv[0], "advance") == 0 && strcmp(argv[1], "close") == 0) {
		rc = sim_broker_advance(sv->b, SIM_TO_CLOSE, 1, err, sizeof err);
	} else if (argc == 3 && strcmp(argv[0], "advance") == 0 && strcmp(argv[1], "days") == 0) {
		long long n;
		if (num_parse_i64(argv[2], strlen(argv[2]), &n) < 0 || n < 1 || n > 100000) {
			snprintf(err, sizeof err, "days: '%s' is not a number of days (1 to 100000)", argv[2]);
			rc = -1;
		} else {
			rc = sim_broker_advance(sv->b, SIM_DAYS, (int)n, err, sizeof err);
		}
	} else if (argc == 2 && strcmp(argv[0], "notice") == 0) {
		long long code;
		if (num_parse_i64(argv[1], strlen(argv[1]), &code) < 0 || code < 0 || code > 100000 ||
		    notice_text((int)code) == NULL || code == 1100 || code == 1101 || code == 1102) {
			snprintf(err, sizeof err, "notice: '%s' is not a notice code (2103-2110, 2157, 2158)", argv[1]);
			rc = -1;
		} else {
			broadcast(sv, (int)code);
		}
	} else if (argc == 2 && strcmp(argv[0], "link") == 0 && strcmp(argv[1], "lost") == 0) {
		sv->link_down = 1;
		broadcast(sv, 1100);
	} else if (argc == 2 && strcmp(argv[0], "link") == 0 &&
	    (strcmp(argv[1], "restored") == 0 || strcmp(argv[1], "restored-data-lost") == 0)) {
		sv->link_down = 0;
		broadcast(sv, strcmp(argv[1], "restored") == 0 ? 1102 : 1101);
		for (int i = 0; i < sv->ns; i++)
			if (sv->s[i]->stage == ST_READY && sv->s[i]->inlen > 0)
				sv->s[i]->backlog = 1; /* answer what was held */
	} else if (argc == 1 && strcmp(argv[0], "status") == 0) {
		/* falls through to the status line below */
	} else if (argc == 1 && strcmp(argv[0], "shutdown") == 0) {
		sv->shutdown = 1;
	} else {
		snprintf(err, sizeof err, "unknown command (advance open|close|days N, notice CODE, link lost|restored|"
		    "restored-data-lost, status, shutdown)");
		rc = -1;
	}
	if (rc < 0) {
		snprintf(reply, sizeof reply, "error: %s\n", err);
	} else {
		int working = 0, clients = 0;
		for (int i = 0; i < sim_broker_norders(sv->b); i++)
			working += sim_order_open(sim_broker_order(sv->b, i));
		for (int i = 0; i < sv->ns; i++)
			clients += sv->s[i]->stage == ST_READY;
		snprintf(reply, sizeof reply, "ok %s %s cash=%.2f nlv=%.2f orders=%d open=%d fills=%d positions=%d "
		    "clients=%d\n", date_fmt(sim_broker_day(sv->b), date), sim_phase_name(sim_broker_phase(sv->b)),
		    sim_broker_cash(sv->b), sim_broker_nlv(sv->b), sim_broker_norders(sv->b), working,
		    sim_broker_nfills(sv->b), sim_broker_npos(sv->b), clients);
	}
	tws_w_raw(&s->out, reply, strlen(reply));
}

/* ================================ connections ================================ */

static void
sess_free(struct sess *s)
{
	struct chunk *c, *n;

	if (s->fd >= 0)
		close(s->fd);
	for (c = s->delayed; c; c = n) {
		n = c->next;
		free(c->p);
		free(c);
	}
	free(s->in);
	tws_wbuf_free(&s->stage_buf);
	tws_wbuf_free(&s->out);
	free(s);
}

/* Handle what is complete in s->in, at most a turn's worth: a client sending thousands of requests at once
 * must not keep the others (or a new client's handshake) waiting. */
#define TURN_MESSAGES 64

static void
process(struct server *sv, struct sess *s)
{
	size_t off = 0;
	int handled = 0;

	s->backlog = 0;
	while (!s->dead && !s->closing) {
		if (handled++ == TURN_MESSAGES) {
			s->backlog = 1;
			break;
		}
		const char *p;
		size_t plen;
		long n;

		if (s->stage == ST_HELLO) {
			char err[96];
			int lo, hi;
			size_t left = s->inlen - off;
			if (memcmp(s->in + off, "CTL ", left < 4 ? left : 4) == 0) {
				if (left < 4)
					break;
				s->stage = ST_CTL;
				continue;
			}
			n = tws_hs_server_parse(s->in + off, s->inlen - off, &lo, &hi, err, sizeof err);
			if (n == 0)
				break;
			if (n < 0) {
				log_warn("%s: %s: closing", s->peer, err);
				s->dead = 1;
				break;
			}
			off += (size_t)n;
			s->version = hi < sv->o.server_version ? hi : sv->o.server_version;
			if (s->version < TWS_MIN_VERSION || lo > s->version) {
				log_warn("%s: client speaks versions %d..%d, we speak %d..%d: closing", s->peer, lo, hi,
				    TWS_MIN_VERSION, sv->o.server_version);
				s->dead = 1;
				break;
			}
			{
				char t[48];
				tws_hs_server_reply(&s->stage_buf, s->version, sim_broker_time(sv->b, " EST", t, sizeof t));
			}
			s->stage = ST_START;
			if (sv->o.drop_after > 0 && sv->drops_left > 0) { /* only API connections count */
				s->drop = 1;
				sv->drops_left--;
			}
			commit(sv, s);
			continue;
		}
		if (s->stage == ST_CTL) {
			char *nl = memchr(s->in + off, '\n', s->inlen - off);
			if (nl == NULL) {
				if (s->inlen - off > 4096)
					s->dead = 1;
				break;
			}
			*nl = '\0';
			ctl_line(sv, s, s->in + off);
			off = (size_t)(nl - s->in) + 1;
			continue;
		}
		if (sv->link_down && s->stage == ST_READY)
			break; /* TWS without IB: requests wait, unanswered, until the link is back */
		n = tws_frame_split(s->in + off, s->inlen - off, &p, &plen);
		if (n == 0)
			break;
		if (n < 0) {
			log_warn("%s: bad frame length: closing", s->peer);
			s->dead = 1;
			break;
		}
		off += (size_t)n;
		if (sv->o.enforce_pacing && s->stage == ST_READY) {
			long long sec = util_now_ms() / 1000;
			if (sec != s->rate_sec) {
				s->rate_sec = sec;
				s->rate_n = 0;
			}
			if (++s->rate_n == 51)
				send_error(s, -1, 100, "Max rate of messages per second has been exceeded:max=50 rec=51");
		}
		if (tws_msg_parse(&sv->msg, p, plen) < 0) {
			send_error(s, -1, 320, "Error reading request: message does not end with a NUL");
		} else if (s->stage == ST_START) {
			handle_start(sv, s);
		} else {
			handle_ready(sv, s);
		}
		commit(sv, s);
	}
	if (off > 0) {
		memmove(s->in, s->in + off, s->inlen - off);
		s->inlen -= off;
	}
}

static int
listen_on(const char *addr, int port, char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	char ps[16];
	int fd = -1, one = 1, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(ps, sizeof ps, "%d", port);
	if ((rc = getaddrinfo(addr, ps, &hints, &res)) != 0) {
		err_fmt(err, errlen, "%s: %s", addr, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
			break;
		err_fmt(err, errlen, "%s:%d: %s", addr, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

int
sim_server_run(sim_broker *b, sim_prices *px, const struct sim_server_opts *o, char *err, size_t errlen)
{
	struct server sv;
	struct pollfd *pfd = NULL;
	int lfd, pcap = 0;

	memset(&sv, 0, sizeof sv);
	sv.b = b;
	sv.px = px;
	sv.o = *o;
	if (sv.o.bind == NULL)
		sv.o.bind = "127.0.0.1";
	if (sv.o.server_version < TWS_MIN_VERSION || sv.o.server_version > TWS_MAX_VERSION)
		sv.o.server_version = TWS_MAX_VERSION;
	sv.drops_left = sv.o.drop_count > 0 ? sv.o.drop_count : 1;
	tws_msg_init(&sv.msg);
	if ((lfd = listen_on(sv.o.bind, sv.o.port, err, errlen)) < 0)
		return -1;
	sim_broker_set_notify(b, on_note, &sv);
	log_info("listening on %s:%d (server version %d)", sv.o.bind, sv.o.port, sv.o.server_version);
	stop_flag = 0;
	while (!stop_flag && !sv.shutdown) {
		long long now = util_now_ms(), wait = -1;
		int np = 0;

		for (int i = 0; i < sv.ns; i++)
			if (sv.s[i]->backlog)
				wait = 0;
		if (sv.ns + 1 > pcap) {
			pcap = (sv.ns + 1) * 2;
			struct pollfd *n = realloc(pfd, (size_t)pcap * sizeof *n);
			if (n == NULL)
				break;
			pfd = n;
		}
		pfd[np++] = (struct pollfd){ lfd, POLLIN, 0 };
		for (int i = 0; i < sv.ns; i++) {
			struct sess *s = sv.s[i];
			while (s->delayed && s->delayed->due <= now) {
				struct chunk *c = s->delayed;
				tws_w_raw(&s->out, c->p, c->n);
				s->delayed = c->next;
				if (!s->delayed)
					s->delayed_tail = NULL;
				free(c->p);
				free(c);
			}
			if (s->delayed && (wait < 0 || s->delayed->due - now < wait))
				wait = s->delayed->due - now;
			pfd[np++] = (struct pollfd){ s->fd, (short)(POLLIN | (s->out.len ? POLLOUT : 0)), 0 };
		}
		if (poll(pfd, (nfds_t)np, wait < 0 ? 1000 : (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			err_fmt(err, errlen, "poll: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < sv.ns; i++) {
			struct sess *s = sv.s[i];
			short re = pfd[i + 1].revents;
			if (s->backlog && !(re & POLLIN)) {
				process(&sv, s);
				continue;
			}
			if (re & (POLLIN | POLLHUP | POLLERR)) {
				if (s->incap - s->inlen < 65536) {
					size_t cap = s->incap ? s->incap * 2 : 65536;
					char *n = realloc(s->in, cap);
					if (n == NULL) {
						s->dead = 1;
						continue;
					}
					s->in = n;
					s->incap = cap;
				}
				ssize_t r = read(s->fd, s->in + s->inlen, s->incap - s->inlen);
				if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
					s->dead = 1;
					continue;
				}
				if (r > 0) {
					s->inlen += (size_t)r;
					process(&sv, s);
				}
			}
		}
		/* Write (also to sessions a control command just produced output for). */
		for (int i = 0; i < sv.ns; i++) {
			struct sess *s = sv.s[i];
			while (s->out.len > 0 && !s->dead) {
				ssize_t w = send(s->fd, s->out.p, s->out.len, MSG_NOSIGNAL);
				if (w < 0) {
					if (errno != EAGAIN && errno != EINTR)
						s->dead = 1;
					break;
				}
				tws_wbuf_consume(&s->out, (size_t)w);
			}
			if (s->out.len > ((size_t)256 << 20)) {
				log_warn("%s: not reading its answers: closing", s->peer);
				s->dead = 1;
			}
			if (s->closing && s->out.len == 0 && s->delayed == NULL)
				s->dead = 1;
		}
		for (int i = 0; i < sv.ns;) {
			if (sv.s[i]->dead) {
				if (sv.s[i]->stage == ST_READY)
					log_info("%s: client id %d disconnected", sv.s[i]->peer, sv.s[i]->client_id);
				sess_free(sv.s[i]);
				sv.s[i] = sv.s[--sv.ns];
			} else {
				i++;
			}
		}
		if (pfd[0].revents & POLLIN) {
			for (;;) {
				struct sockaddr_storage sa;
				socklen_t sl = sizeof sa;
				int fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
				struct sess *s;
				if (fd < 0)
					break;
				setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
				if ((s = calloc(1, sizeof *s)) == NULL) {
					close(fd);
					continue;
				}
				s->fd = fd;
				tws_wbuf_init(&s->stage_buf);
				tws_wbuf_init(&s->out);
				if (sa.ss_family == AF_INET) {
					char a[INET_ADDRSTRLEN];
					struct sockaddr_in *in = (struct sockaddr_in *)&sa;
					inet_ntop(AF_INET, &in->sin_addr, a, sizeof a);
					snprintf(s->peer, sizeof s->peer, "%s:%d", a, ntohs(in->sin_port));
				} else {
					snprintf(s->peer, sizeof s->peer, "peer");
				}
				if (sv.ns == sv.cap) {
					int cap = sv.cap ? sv.cap * 2 : 16;
					struct sess **n = realloc(sv.s, (size_t)cap * sizeof *n);
					if (n == NULL) {
						sess_free(s);
						continue;
					}
					sv.s = n;
					sv.cap = cap;
				}
				sv.s[sv.ns++] = s;
			}
		}
	}
	/* Let control clients read their "ok" to shutdown. */
	for (int i = 0; i < sv.ns; i++) {
		if (sv.s[i]->out.len > 0)
			(void)!send(sv.s[i]->fd, sv.s[i]->out.p, sv.s[i]->out.len, MSG_NOSIGNAL);
		sess_free(sv.s[i]);
	}
	free(sv.s);
	free(pfd);
	close(lfd);
	tws_msg_free(&sv.msg);
	sim_broker_set_notify(b, NULL, NULL);
	log_info("stopped");
	return 0;
}

/* ================================ the control client ================================ */

int
sim_ctl(const char *host, int port, const char *command, char *reply, size_t n, int timeout_ms)
{
	struct addrinfo hints, *res, *ai;
	char ps[16], buf[1024];
	size_t got = 0;
	int fd = -1, rc;
	long long end = util_now_ms() + timeout_ms;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof ps, "%d", port);
	if ((rc = getaddrinfo(host, ps, &hints, &res)) != 0) {
		snprintf(reply, n, "%s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(reply, n, "cannot connect to ib-sim at %s:%d: %s", host, port, strerror(errno));
		return -1;
	}
	snprintf(buf, sizeof buf, "CTL %s\n", command);
	if (send(fd, buf, strlen(buf), MSG_NOSIGNAL) < 0) {
		snprintf(reply, n, "%s:%d: send: %s", host, port, strerror(errno));
		close(fd);
		return -1;
	}
	while (got < sizeof buf - 1 && memchr(buf, '\n', got) == NULL) {
		struct pollfd p = { fd, POLLIN, 0 };
		long long left = end - util_now_ms();
		ssize_t r;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			snprintf(reply, n, "%s:%d: no answer within %d ms", host, port, timeout_ms);
			close(fd);
			return -1;
		}
		if ((r = read(fd, buf + got, sizeof buf - 1 - got)) <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strncmp(buf, "ok", 2) == 0) {
		snprintf(reply, n, "%s", buf[2] == ' ' ? buf + 3 : buf + 2);
		return 0;
	}
	if (strncmp(buf, "error: ", 7) == 0) {
		snprintf(reply, n, "%s", buf + 7);
		return 1;
	}
	snprintf(reply, n, "%s:%d: unexpected answer '%.100s'", host, port, buf);
	return -1;
}
