#include "ib/fetch.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ib/contracts.h"
#include "date.h"
#include "err.h"
#include "log.h"
#include "util.h"

void
bk_fetch_free(bk_fetch *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; f->series && i < f->n; i++)
		bk_series_free(&f->series[i]);
	free(f->series);
	free(f->state);
	free(f->why);
	memset(f, 0, sizeof *f);
}

/* Record the end of request i (once); why is kept for MISSING and FAILED. */
static void
settle(bk_fetch *f, size_t i, enum bk_fetch_state st, const char *why)
{
	if (f->state[i] != BK_WAITING)
		return;
	f->state[i] = st;
	f->done++;
	if (st == BK_MISSING)
		f->missing++;
	else if (st == BK_FAILED)
		f->failed++;
	else if (st == BK_DENIED)
		f->denied++;
	if (why != NULL && why != f->why[i])
		snprintf(f->why[i], sizeof f->why[i], "%s", why);
}

/* An error about request i. */
static void
on_error(bk_fetch *f, size_t i, const tws_error *e)
{
	char why[sizeof f->why[0]];

	if (e->code == 200) {
		snprintf(why, sizeof why, "unknown or ambiguous: %.120s (error %d)", e->msg, e->code);
		settle(f, i, BK_MISSING, why);
	} else if (e->code == 162 && strstr(e->msg, "no data") != NULL) {
		snprintf(why, sizeof why, "no data: %.120s (error %d)", e->msg, e->code);
		settle(f, i, BK_MISSING, why);
	} else if ((e->code == 162 || e->code == 354) && strcasestr(e->msg, "market data permissions") != NULL) {
		snprintf(why, sizeof why, "%.130s (error %d)", e->msg, e->code);
		settle(f, i, BK_DENIED, why);
	} else {
		snprintf(why, sizeof why, "%.130s (error %d)", e->msg, e->code);
		settle(f, i, BK_FAILED, why);
	}
}

/* Leave out each series' bar of today (New York) while the session that makes it runs at server time
 * now (seconds). */
static void
drop_partial(bk_fetch *f, const bk_fetch_opts *o, long long now)
{
	int today = date_of_time(now, "America/New_York");
	struct tm tm;
	long long close;
	int y, m, d;

	date_to_ymd(today, &y, &m, &d);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = !o->use_rth ? 20 : cal_is_early_close(today) ? 13 : 16;
	tm.tm_isdst = -1;
	close = date_mktime_in(&tm, "America/New_York");
	if (close < 0 || now >= close)
		return; /* the day's bars are complete */
	for (size_t i = 0; i < f->n; i++) {
		bk_series *s = &f->series[i];
		if (f->state[i] == BK_DONE && s->n > 0 && s->v[s->n - 1].date == today) {
			s->n--;
			f->partial++;
		}
	}
	if (f->partial > 0)
		log_info("%zu partial bars of today (%s) left out: the session runs until %02d:00 New York time",
		    f->partial, date_fmt(today, (char[DATE_LEN + 1]){ 0 }), tm.tm_hour);
}

int
bk_fetch_bars(tws_client *c, const bk_syms *syms, const bk_fetch_opts *o, bk_fetch *f, char *err,
    size_t errlen)
{
	long long first = -1, next_progress = 0;
	tws_hist_req r;
	tws_event ev;
	size_t n = syms->n;
	int rc;

	memset(f, 0, sizeof *f);
	f->n = n;
	f->series = calloc(n ? n : 1, sizeof *f->series);
	f->state = calloc(n ? n : 1, sizeof *f->state);
	f->why = calloc(n ? n : 1, sizeof *f->why);
	if (f->series == NULL || f->state == NULL || f->why == NULL)
		goto oom;
	/* The server's clock first: it says whether today's bars are complete. */
	if (!o->include_partial && tws_req_current_time(c) < 0)
		goto gone;
	for (size_t i = 0; i < n; i++) {
		const bk_sym *s = &syms->v[i];
		int id;

		f->series[i].id = s->id;
		f->series[i].symbol = s->symbol;
		memset(&r, 0, sizeof r);
		tws_contract_stock(&r.contract, "");
		bk_ib_symbol(s->symbol, r.contract.symbol, sizeof r.contract.symbol); /* "BRK.B" is IB's "BRK B" */
		r.contract.con_id = s->con_id;
		snprintf(r.contract.primary_exch, sizeof r.contract.primary_exch, "%s", s->primary);
		snprintf(r.contract.currency, sizeof r.contract.currency, "%s", s->currency);
		snprintf(r.end, sizeof r.end, "%s", o->end);
		snprintf(r.bar_size, sizeof r.bar_size, "%s", o->bar_size);
		snprintf(r.duration, sizeof r.duration, "%s", o->duration);
		snprintf(r.what, sizeof r.what, "%s", o->what);
		r.use_rth = o->use_rth;
		r.format_date = 1;
		/* Ids come from one sequence, so the requests made here are consecutive. */
		if ((id = tws_req_historical(c, &r)) < 0)
			goto gone;
		if (first < 0)
			first = id;
		if (id != first + (long long)i)
			return err_ret(EX_SOFTWARE, err, errlen, "request ids are not consecutive (%d after %lld)", id,
			    first);
	}
	while (f->done < n) {
		int got = tws_poll(c, &ev, 250);
		long long idx;

		if (o->progress && util_now_ms() >= next_progress) {
			o->progress(o->ctx, f->done, n);
			next_progress = util_now_ms() + 250;
		}
		if (got < 0)
			goto gone;
		if (got == 0)
			continue;
		idx = ev.req_id - first;
		if (ev.kind == TWS_REQ_HIST && (ev.req_id < first || idx >= (long long)n))
			continue; /* not ours */
		switch (ev.type) {
		case TWS_EV_BARS:
			if (f->state[idx] != BK_WAITING)
				break;
			if ((rc = bk_bars_set(&f->series[idx], ev.u.bars.bars, ev.u.bars.nbars, f->why[idx],
			    sizeof f->why[idx])) != 0) {
				if (rc != EX_DATAERR)
					return err_ret(rc, err, errlen, "%s", f->why[idx]);
				settle(f, (size_t)idx, BK_FAILED, f->why[idx]);
				break;
			}
			settle(f, (size_t)idx, BK_DONE, NULL);
			break;
		case TWS_EV_ERROR:
			if (ev.kind == TWS_REQ_HIST && !tws_error_is_notice(ev.u.error.code))
				on_error(f, (size_t)idx, &ev.u.error);
			else if (ev.req_id < 0 && !tws_error_is_notice(ev.u.error.code))
				log_warn("TWS: %s (error %d)", ev.u.error.msg, ev.u.error.code);
			else
				log_debug("TWS: %s (error %d)", ev.u.error.msg, ev.u.error.code);
			break;
		case TWS_EV_TIMEOUT:
			if (ev.kind == TWS_REQ_HIST)
				settle(f, (size_t)idx, BK_FAILED, "no answer within the request timeout");
			break;
		case TWS_EV_CURRENT_TIME:
			f->server_time = ev.u.time;
			break;
		case TWS_EV_RECONNECTED:
			log_warn("reconnected to TWS: %zu of %zu securities received, asking again for the rest", f->done,
			    n);
			break;
		default:
			break;
		}
	}
	if (o->progress)
		o->progress(o->ctx, f->done, n);
	for (int k = 0; !o->include_partial && f->server_time == 0 && k < 12 && tws_pending(c) > 0; k++) {
		int got = tws_poll(c, &ev, 250); /* the time's answer, when it came after the bars */
		if (got < 0)
			break;
		if (got > 0 && ev.type == TWS_EV_CURRENT_TIME)
			f->server_time = ev.u.time;
	}
	if (!o->include_partial) {
		if (f->server_time == 0)
			log_warn("TWS did not tell its time: taking this machine's clock to leave out today's partial bars");
		drop_partial(f, o, f->server_time ? f->server_time : (long long)time(NULL));
	}
	return 0;
oom:
	return err_ret(EX_OSERR, err, errlen, "out of memory");
gone:
	return tws_err_ret(c, err, errlen);
}
