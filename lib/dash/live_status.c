/* dash/live_status: the live page's data freshness, flow runs and alerts. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "dash/livepage.h"
#include "date.h"
#include "html.h"
#include "ndjson.h"
#include "panel.h"
#include "svg.h"

#define MAX_RUNS 10   /* runs shown, most recent first */
#define MAX_ALERTS 20 /* alerts shown, most recent first */

/* One row of the freshness table: how many NYSE trading days have closed after `day` up to the clock
 * (weekends and holidays do not count); stale when more than one has (a daily flow missed a day). */
static void
fresh_row(FILE *fp, const char *what, int day, const char *text, int clock, const char *where, const char *state)
{
	char d[DATE_LEN + 1], b[HTML_NUM_MAX];
	int have = day > -1000000, behind = have && clock > day ? cal_count(day + 1, clock) : 0, stale;

	html_tr(fp);
	html_th_row(fp, what);
	html_td(fp, have ? text ? text : date_fmt(day, d) : NULL);
	stale = !have || behind > 1;
	html_td_num(fp, have ? (double)behind : NAN, html_fmt_num(behind, 0, b), 0);
	fprintf(fp, "<td><span class=\"%s\">%s</span></td>", state ? "" : stale ? "neg" : "pos",
	    state ? state : !have ? "missing" : stale ? "stale" : "fresh");
	html_td(fp, where);
	html_tr_end(fp);
}

/* The last run record (type "run") of the run log, or NULL. */
static const json_t *
last_run(const struct live *L)
{
	for (size_t i = json_array_size(L->runs); i-- > 0;)
		if (dlv_is_type(json_array_get(L->runs, i), "run"))
			return json_array_get(L->runs, i);
	return NULL;
}

/* A date from the first 10 characters of a record's field ("2026-11-24" or "2026-11-24T21:15:00Z"). */
static int
field_day(const json_t *o, const char *key)
{
	const char *t = nd_str(o, key, NULL);
	int day = -1000000;

	if (t && strlen(t) >= DATE_LEN && date_parse(t, DATE_LEN, &day) < 0)
		day = -1000000;
	return day;
}

/* The flow's own clock: the trading date of its last run (the simulated day for ib-sim), else the
 * generation date. The data are as fresh as that clock says, whatever the wall clock. */
static int
flow_clock(const struct live *L, int *from_run)
{
	int day = field_day(last_run(L), "date");

	*from_run = day > -1000000;
	return *from_run ? day : L->in->today;
}

void
dlv_freshness(FILE *fp, const struct live *L)
{
	int from_run, clock = flow_clock(L, &from_run), acc_day = field_day(L->account, "time");
	const json_t *run = last_run(L);
	int ran = field_day(run, "end"), ran_behind;
	char d[DATE_LEN + 1], cap[320];
	const char *state = NULL;

	snprintf(cap, sizeof cap, "Trading days behind the flow's clock, %s (%s); the last run by its end, on the "
	    "wall clock", date_fmt(clock, d),
	    !from_run ? "no run recorded: the generation date" : L->in->simulated ?
	    "the simulated day of the last mock run" : "the trading date of the last run");
	html_table_begin(fp, "freshness", cap, 0, "Data|Latest|>Behind|State|Where");
	fresh_row(fp, "Prices", L->price_day, NULL, clock, "data/last.csv", NULL);
	fresh_row(fp, "Backtest", L->bt_day, NULL, clock, "backtest/DATE/", NULL);
	fresh_row(fp, "Trading records", L->latest, NULL, clock, "trading/DATE/", NULL);
	fresh_row(fp, "Account snapshot", acc_day, nd_str(L->account, "time", NULL), clock, "account.ndjson", NULL);
	/* The run itself: a live flow runs every trading day by the wall clock; a simulated one when asked. */
	ran_behind = ran > -1000000 && L->in->today > ran ? cal_count(ran + 1, L->in->today) : 0;
	if (ran > -1000000 && L->in->simulated)
		state = "ran (on demand)";
	html_tr(fp);
	html_th_row(fp, "Last flow run");
	html_td(fp, nd_str(run, "end", NULL) ? nd_str(run, "end", NULL) : nd_str(run, "date", NULL));
	{
		char b[HTML_NUM_MAX];
		html_td_num(fp, ran > -1000000 ? (double)ran_behind : NAN, html_fmt_num(ran_behind, 0, b), 0);
	}
	fprintf(fp, "<td><span class=\"%s\">%s</span></td>", state ? "" : ran <= -1000000 || ran_behind > 1 ?
	    "neg" : "pos", state ? state : ran <= -1000000 ? "missing" : ran_behind > 1 ? "stale" : "fresh");
	html_td(fp, "logs/runs.ndjson");
	html_tr_end(fp);
	html_table_end(fp);
}

void
dlv_runs(FILE *fp, const struct live *L)
{
	size_t n = json_array_size(L->runs), i, shown = 0;
	json_t *r, *last = NULL;

	for (i = n; i-- > 0;)
		if (dlv_is_type(json_array_get(L->runs, i), "run")) {
			last = json_array_get(L->runs, i);
			break;
		}
	if (last) {
		const char *st = nd_str(last, "status", NULL);
		int ok = st && strcmp(st, "ok") == 0;
		fprintf(fp, "<p class=\"note %s\" id=\"last-run\" data-status=\"", ok ? "info" : "warn");
		html_esc(fp, st);
		fputs("\">Last run: ", fp);
		html_esc(fp, nd_str(last, "flow", NULL));
		fputs(" flow of ", fp);
		html_esc(fp, nd_str(last, "date", NULL));
		fputs(ok ? ", <b class=\"pos\">ok</b>" : ", <b class=\"neg\">", fp);
		if (!ok) {
			html_esc(fp, st ? st : "unknown");
			fputs("</b> at step ", fp);
			html_esc(fp, nd_str(last, "step", NULL) ? nd_str(last, "step", NULL) : "?");
			fputs(": ", fp);
			html_esc(fp, nd_str(last, "message", NULL));
		}
		fputs(".</p>\n", fp);
	}
	html_table_begin(fp, "runs", "Most recent first", 0, "Flow|Date|Start|End|Status|Step|Message");
	for (i = n; i-- > 0 && shown < MAX_RUNS;) {
		r = json_array_get(L->runs, i);
		if (!dlv_is_type(r, "run"))
			continue;
		shown++;
		html_tr(fp);
		html_th_row(fp, nd_str(r, "flow", NULL));
		html_td(fp, nd_str(r, "date", NULL));
		html_td(fp, nd_str(r, "start", NULL));
		html_td(fp, nd_str(r, "end", NULL));
		const char *st = nd_str(r, "status", NULL);
		fprintf(fp, "<td><span class=\"%s\">", st && strcmp(st, "ok") == 0 ? "pos" : "neg");
		html_esc(fp, st ? st : "?");
		fputs("</span></td>", fp);
		html_td(fp, nd_str(r, "step", NULL));
		html_td_wrap(fp, nd_str(r, "message", NULL));
		html_tr_end(fp);
	}
	html_table_end(fp);
}

/* Pushover's priority names (notify(1)): -2 lowest to 2 emergency. */
static const char *
priority_name(double pr)
{
	static const char *const names[] = { "lowest", "low", "normal", "high", "emergency" };

	return pr >= -2 && pr <= 2 && pr == floor(pr) ? names[(int)pr + 2] : NULL;
}

void
dlv_alerts(FILE *fp, const struct live *L)
{
	size_t i, shown = 0;
	json_t *a;
	char b[HTML_NUM_MAX + 16];

	html_table_begin(fp, "alerts", "Most recent first. Priority as sent to Pushover (notify(1)): -2 lowest to "
	    "2 emergency; \xe2\x80\x94 when the record has none (sent at Pushover's default, normal)", 0,
	    "Time|>Priority|Title|Message");
	for (i = json_array_size(L->alerts); i-- > 0 && shown < MAX_ALERTS;) {
		a = json_array_get(L->alerts, i);
		if (!dlv_is_type(a, "alert"))
			continue;
		shown++;
		double pr = nd_num(a, "priority", NAN);
		const char *pn = priority_name(pr);
		html_tr(fp);
		html_td(fp, nd_str(a, "time", NULL));
		if (pn)
			snprintf(b, sizeof b, "%s (%s)", html_fmt_num(pr, 0, (char[HTML_NUM_MAX]){ 0 }), pn);
		else
			html_fmt_num(pr, 0, b);
		html_td_num(fp, pr, b, 0);
		html_th_row(fp, nd_str(a, "title", NULL) ? nd_str(a, "title", NULL) : "");
		html_td_wrap(fp, nd_str(a, "message", NULL));
		html_tr_end(fp);
	}
	html_table_end(fp);
}

