/* sim/hist: ib-sim's historical data: reqHistoricalData answered from the prices file at the clock, with
 * IB's pacing rules and the errors a gateway gives (see sim/server.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "date.h"
#include "sim/server_int.h"
#include "util.h"

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

int
sv_parse_yyyymmdd(const char *s, int *day)
{
	char iso[11];

	for (int i = 0; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
	return date_parse(iso, 10, day) < 0 ? -1 : 0;
}

/* The last trading date an end date-time includes, in New York's calendar. Returns 0, or -1 when it is
 * malformed. Forms: "yyyymmdd", "yyyymmdd HH:MM:SS", "yyyymmdd HH:MM:SS ZONE", "yyyymmdd-HH:MM:SS" (UTC). */
static int
parse_end(const char *s, int *day)
{
	int d, hh = 23, mm = 59, ss = 59, utc = 0;
	size_t n = strlen(s);

	if (sv_parse_yyyymmdd(s, &d) < 0)
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

#define PACING_TEXT "Historical Market Data Service error message:Historical data request pacing violation"

/* IB's pacing rules (when enforced) and the injected violations. Returns 1 when r was answered with a
 * 162, else 0 (r is then remembered). */
static int
hist_paced(struct server *sv, struct sess *s, const tws_hist_req *r)
{
	char key[200], con[96], *end;
	long long t = util_now_ms();
	int ncon = 0, nsmall = 0, small, violation = 0;
	long secs;
	struct hist_seen *slot;

	if (sv->o.pacing_every > 0 && sv->hist_count % sv->o.pacing_every == 0) {
		sv_send_error(s, r->req_id, 162, PACING_TEXT);
		return 1;
	}
	if (!sv->o.enforce_pacing)
		return 0;
	/* IB's historical-data limitations: identical within 15 s; six or more for one contract, exchange and
	 * tick type within 2 s; more than 60 small-bar requests in 10 minutes. */
	secs = strtol(r->bar_size, &end, 10);
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
		sv_send_error(s, r->req_id, 162, PACING_TEXT);
		return 1;
	}
	slot = &sv->seen[sv->seen_pos];
	snprintf(slot->key, sizeof slot->key, "%s", key);
	snprintf(slot->contract, sizeof slot->contract, "%s", con);
	slot->small = small;
	slot->at = t;
	sv->seen_pos = (sv->seen_pos + 1) % (int)(sizeof sv->seen / sizeof sv->seen[0]);
	return 0;
}

/* The security r asks for, one the account may see. NULL when r was answered with an error (200, 162). */
static sim_sec *
hist_security(struct server *sv, struct sess *s, const tws_hist_req *r)
{
	sim_sec *sec = NULL;
	const char *p = sv->o.no_permission;
	size_t len;

	if (r->contract.con_id > 0)
		sec = sim_prices_conid(sv->px, r->contract.con_id);
	if (sec == NULL && r->contract.symbol[0] != '\0' && (sec = sv_sec_by_ib_symbol(sv, r->contract.symbol)) != NULL &&
	    sv_delisted(sv, sec))
		sec = NULL; /* the symbol names nothing any more (a conId still reaches the old contract) */
	if (sec == NULL || (r->contract.sec_type[0] != '\0' && strcmp(r->contract.sec_type, "STK") != 0)) {
		sv_send_error(s, r->req_id, 200, "No security definition has been found for the request");
		return NULL;
	}
	len = strlen(sec->symbol);
	while (p != NULL && (p = strstr(p, sec->symbol)) != NULL) {
		if ((p == sv->o.no_permission || p[-1] == ',') && (p[len] == ',' || p[len] == '\0')) {
			sv_send_error(s, r->req_id, 162, "Historical Market Data Service error message:No market data "
			    "permissions for NYSE STK");
			return NULL;
		}
		p += len;
	}
	return sec;
}

/* What r asks for and ib-sim serves: the duration (*dn, *unit), adjusted or not, and the last trading date
 * it includes (bounded by the clock). Returns 0, or -1 when r was answered with an error 321. */
static int
hist_validate(struct server *sv, struct sess *s, const tws_hist_req *r, long *dn, char *unit, int *adjusted,
    int *last)
{
	char msg[256];
	int rc, clock_last = sim_broker_phase(sv->b) == SIM_PRE_OPEN ? sim_broker_day(sv->b) - 1 : sim_broker_day(sv->b);

	if (strcmp(r->bar_size, "1 day") != 0) {
		snprintf(msg, sizeof msg, "Error validating request.-'bK' : cause - Historical data bar size setting "
		    "'%s' is not served (ib-sim serves '1 day')", r->bar_size);
		goto bad;
	}
	*adjusted = strcmp(r->what, "ADJUSTED_LAST") == 0;
	if (!*adjusted && strcmp(r->what, "TRADES") != 0) {
		snprintf(msg, sizeof msg, "Error validating request.-'bK' : cause - whatToShow '%s' is not served "
		    "(ib-sim serves TRADES and ADJUSTED_LAST)", r->what);
		goto bad;
	}
	if (r->keep_up_to_date) {
		snprintf(msg, sizeof msg, "Error validating request.-'bK' : cause - keepUpToDate is not served by ib-sim");
		goto bad;
	}
	if (parse_duration(r->duration, dn, unit) < 0) {
		snprintf(msg, sizeof msg, "Error validating request.-'bK' : cause - Invalid duration '%s'", r->duration);
		goto bad;
	}
	/* The clock bounds everything: today's bar exists once the session has begun, partial until the
	 * close. */
	*last = clock_last;
	if (r->end[0] == '\0')
		return 0;
	if (*adjusted) {
		snprintf(msg, sizeof msg, "Error validating request.-'bK' : cause - Adjusted Last cannot be "
		    "requested with an end date");
		goto bad;
	}
	if ((rc = parse_end(r->end, last)) < 0) {
		snprintf(msg, sizeof msg, "Error validating request.-'bK' : cause - %s end date/time '%s'",
		    rc == -2 ? "unknown time zone in" : "Invalid", r->end);
		goto bad;
	}
	if (*last > clock_last)
		*last = clock_last;
	return 0;
bad:
	sv_send_error(s, r->req_id, 321, msg);
	return -1;
}

/* The index of the first bar a duration of dn units ending at the bar last_idx (dated last) covers. */
static int
hist_first(const sim_sec *sec, int last, int last_idx, long dn, char unit)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, dd, start;

	if (unit == 'D' || unit == 'S') {
		long bars = unit == 'D' ? dn : (dn + 86399) / 86400;
		return (int)(last_idx + 1 - bars < 0 ? 0 : last_idx + 1 - bars);
	}
	date_to_ymd(last, &y, &m, &dd);
	if (unit == 'W') {
		start = last - 7 * (int)dn;
	} else {
		long months = unit == 'M' ? dn : dn * 12;
		long ym = (long)y * 12 + (m - 1) - months;
		int ny = (int)(ym / 12), nm = (int)(ym % 12) + 1, md = dd;
		if (md > mdays[nm - 1])
			md = mdays[nm - 1];
		if (nm == 2 && md == 29 && !((ny % 4 == 0 && ny % 100 != 0) || ny % 400 == 0))
			md = 28;
		start = date_from_ymd(ny, nm, md);
	}
	return sim_sec_le(sec, start) + 1; /* bars after start */
}

/* Bars [first_idx, first_idx + d->nbars) of sec into d->bars, as r asks for them: adjusted (to the latest
 * bar the clock allows, whatever the request's range) or not, regular hours or not, today's partial. */
static void
hist_bars(struct server *sv, const sim_sec *sec, const tws_hist_req *r, int first_idx, const sim_bar *adj,
    tws_hist_data *d)
{
	int partial = sim_broker_phase(sv->b) == SIM_OPEN ? sim_broker_day(sv->b) : -1;

	for (int i = 0; i < d->nbars; i++) {
		const sim_bar *x = adj ? &adj[i] : &sec->bars[first_idx + i];
		tws_bar *o = &d->bars[i];
		yyyymmdd(x->date, o->date, sizeof o->date);
		o->close = x->close;
		o->open = isnan(x->open) ? x->close : x->open;
		o->high = isnan(x->high) ? fmax(o->open, o->close) : x->high;
		o->low = isnan(x->low) ? fmin(o->open, o->close) : x->low;
		o->volume = isnan(x->volume) ? 0 : x->volume;
		if (!r->use_rth) {
			/* Outside regular hours too: the day opens in the pre-market, at the previous close, and
			 * trades more. */
			const sim_bar *prev = adj ? (i > 0 ? &adj[i - 1] : NULL) :
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
}

/* The adjusted copies of bars [first_idx, first_idx + n) (adjusted to the latest bar the clock allows), or
 * the raw ones when memory is short. NULL when out of memory. */
static sim_bar *
hist_adjusted(struct server *sv, const sim_sec *sec, int first_idx, int n)
{
	int clock_last = sim_broker_phase(sv->b) == SIM_PRE_OPEN ? sim_broker_day(sv->b) - 1 : sim_broker_day(sv->b);
	int top = sim_sec_le(sec, clock_last);
	sim_bar *adj = malloc((size_t)n * sizeof *adj), *all;

	if (adj == NULL)
		return NULL;
	if ((all = malloc((size_t)(top - first_idx + 1) * sizeof *all)) != NULL) {
		sim_sec_adjusted(sec, first_idx, top, all);
		memcpy(adj, all, (size_t)n * sizeof *adj);
		free(all);
	} else {
		memcpy(adj, sec->bars + first_idx, (size_t)n * sizeof *adj);
	}
	return adj;
}

void
sv_hist_answer(struct server *sv, struct sess *s, const tws_hist_req *r)
{
	sim_sec *sec;
	long dn;
	char unit, msg[256], a[16], z[16];
	int last, first_idx, last_idx, adjusted;
	tws_hist_data d;
	sim_bar *adj = NULL;

	sv->hist_count++;
	if (sv->o.farm_notices && sv->farm_asleep) {
		sv_send_error(s, -1, 2106, sv_notice_text(2106));
		sv->farm_asleep = 0;
	}
	if (hist_paced(sv, s, r) || (sec = hist_security(sv, s, r)) == NULL ||
	    hist_validate(sv, s, r, &dn, &unit, &adjusted, &last) < 0)
		return;
	last_idx = sim_sec_le(sec, last);
	first_idx = last_idx >= 0 ? hist_first(sec, last, last_idx, dn, unit) : 0;
	if (last_idx < 0 || first_idx > last_idx) {
		snprintf(msg, sizeof msg, "Historical Market Data Service error message:HMDS query returned no data: "
		    "%s@SMART Trades", sec->symbol);
		sv_send_error(s, r->req_id, 162, msg);
		return;
	}
	memset(&d, 0, sizeof d);
	d.req_id = r->req_id;
	d.nbars = last_idx - first_idx + 1;
	d.bars = calloc((size_t)d.nbars, sizeof *d.bars);
	if (adjusted)
		adj = hist_adjusted(sv, sec, first_idx, d.nbars);
	if (d.bars == NULL || (adjusted && adj == NULL)) {
		free(d.bars);
		free(adj);
		sv_send_error(s, r->req_id, 162, "Historical Market Data Service error message:out of memory");
		return;
	}
	hist_bars(sv, sec, r, first_idx, adj, &d);
	yyyymmdd(sec->bars[first_idx].date, a, sizeof a);
	yyyymmdd(sec->bars[last_idx].date, z, sizeof z);
	snprintf(d.start, sizeof d.start, "%s 09:30:00", a);
	snprintf(d.end, sizeof d.end, "%s 16:00:00", z);
	tws_enc_hist_data(&s->stage_buf, &d);
	free(d.bars);
	free(adj);
}
