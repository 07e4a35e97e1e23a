#include "btrun.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "backtest.h"
#include "csv.h"
#include "date.h"
#include "err.h"
#include "metrics.h"
#include "num.h"
#include "panel.h"

static int
push_day(struct btr_result *res, const struct bt_day *d)
{
	if (res->n == res->cap) {
		size_t ncap = res->cap ? res->cap * 2 : 1024;
		int *nd = realloc(res->date, ncap * sizeof *nd);
		double *nn, *nb;

		if (nd == NULL)
			return -1;
		res->date = nd;
		if ((nn = realloc(res->net, ncap * sizeof *nn)) == NULL)
			return -1;
		res->net = nn;
		if ((nb = realloc(res->b_net, ncap * sizeof *nb)) == NULL)
			return -1;
		res->b_net = nb;
		res->cap = ncap;
	}
	res->date[res->n] = d->date;
	res->net[res->n] = d->net;
	res->b_net[res->n++] = d->b_net;
	res->turnover += d->turnover;
	res->cost += d->cost;
	res->b_turnover += d->b_turnover;
	res->b_cost += d->b_cost;
	return 0;
}

static int
push_rebalance(struct btr_result *res, int date, const struct bt_day *d)
{
	if (res->nreb == res->capreb) {
		size_t ncap = res->capreb ? res->capreb * 2 : 64;
		struct btr_rebalance *nr = realloc(res->reb, ncap * sizeof *nr);

		if (nr == NULL)
			return -1;
		res->reb = nr;
		res->capreb = ncap;
	}
	res->reb[res->nreb++] = (struct btr_rebalance){ date, d->turnover, d->cost };
	return 0;
}

static int
write_day(FILE *fp, const struct bt_day *d)
{
	csv_writer w;

	csv_w_init(&w, fp);
	csv_w_date(&w, d->date);
	csv_w_num(&w, d->gross);
	csv_w_num(&w, d->net);
	csv_w_num(&w, d->equity);
	csv_w_num(&w, d->turnover);
	csv_w_num(&w, d->cost);
	csv_w_num(&w, d->b_gross);
	csv_w_num(&w, d->b_net);
	csv_w_num(&w, d->b_equity);
	csv_w_num(&w, d->b_turnover);
	csv_w_num(&w, d->b_cost);
	return csv_w_end(&w);
}

static int
write_holdings(FILE *fp, const bt_engine *e, int date)
{
	csv_writer w;

	csv_w_init(&w, fp);
	for (size_t i = 0; i < bt_nheld(e); i++) {
		struct bt_pos p = bt_holding(e, i);

		csv_w_date(&w, date);
		csv_w_str(&w, p.id);
		csv_w_str(&w, p.symbol);
		csv_w_num(&w, p.weight);
		if (csv_w_end(&w) != 0)
			return -1;
	}
	return 0;
}

/* The run's state, so that helpers can report errors in one place. */
struct run {
	const struct btr_opts *o;
	struct btr_result *res;
	bt_engine *e;
	panel *px, *wt, *un;     /* prices, weights, universe (NULL when none) */
	int symbols;             /* read the prices' symbols (for the holdings) */
	int pending_reb;         /* decision date of a rebalance whose cost the next day charges, or INT32_MIN */
	int *recent;             /* the last `lag` simulated days, a ring */
	long nsim;               /* days simulated */
	long univ_rows;          /* universe rows given to the engine */
	int bench_held;          /* 1 once the benchmark held anything (the universe matched a priced id) */
	char *err;
	size_t errlen;
};

/* A row the caller failed (csv_fail on r): its message, EX_DATAERR. */
static int
row_error(struct run *u, csv_reader *r)
{
	err_fmt(u->err, u->errlen, "%s", csv_error(r));
	return EX_DATAERR;
}

/* panel_next or panel_open failed: the panel's message and code. */
static int
panel_failed(struct run *u, panel *p)
{
	err_fmt(u->err, u->errlen, "%s", panel_error(p));
	return panel_code(p);
}

/* Simulate every day the engine has ready. Returns 0 or a sysexits code. */
static int
simulate_ready(struct run *u)
{
	char ebuf[256], a[DATE_LEN + 1];
	int day, decided, rc;
	struct bt_day d;

	while (bt_next(u->e, &day)) {
		while (u->un != NULL && panel_has(u->un) && panel_date(u->un) <= day) {
			u->univ_rows++;
			if ((rc = bt_member(u->e, panel_date(u->un), panel_id(u->un), ebuf, sizeof ebuf)) != 0)
				return csv_row_ret(panel_csv(u->un), panel_cid(u->un), rc, ebuf, u->err, u->errlen);
			if (panel_next(u->un) < 0)
				return panel_failed(u, u->un);
		}
		if (bt_simulate(u->e, &d)) {
			if (u->pending_reb != INT32_MIN && push_rebalance(u->res, u->pending_reb, &d) != 0)
				goto nomem;
			u->pending_reb = INT32_MIN;
			u->bench_held |= d.b_gross != 0 || d.b_turnover != 0;
			if (push_day(u->res, &d) != 0)
				goto nomem;
			if (u->o->equity != NULL && write_day(u->o->equity, &d) != 0)
				goto io;
			if (u->o->holdings != NULL && write_holdings(u->o->holdings, u->e, day) != 0)
				goto io;
		}
		/* Weights decided on `decided` are traded at today's close when today is lag - 1 days later. */
		u->recent[u->nsim++ % u->o->lag] = day;
		if (u->nsim < u->o->lag)
			continue;
		decided = u->recent[u->nsim % u->o->lag];
		if (panel_has(u->wt) && panel_date(u->wt) < decided) {
			csv_fail(panel_csv(u->wt), panel_cdate(u->wt), "%s is not a day of the prices",
			    date_fmt(panel_date(u->wt), a));
			return row_error(u, panel_csv(u->wt));
		}
		if (!panel_has(u->wt) || panel_date(u->wt) != decided)
			continue;
		double gross = 0, max_gross = u->o->max_gross > 0 ? u->o->max_gross : 1;

		while (panel_has(u->wt) && panel_date(u->wt) == decided) {
			csv_reader *r = panel_csv(u->wt);
			double w;

			if (csv_double_required(r, panel_col(u->wt, 0), &w) < 0)
				return row_error(u, r);
			/* legal but suspicious: more leverage than the strategy's gross is refused unless asked for */
			if (isfinite(w) && (gross += fabs(w)) > max_gross + 1e-6) {
				csv_fail(r, panel_col(u->wt, 0), "the weights of %s sum to %.10g or more in absolute value, "
				    "above the gross exposure %g (give --max-gross to mean it)", date_fmt(decided, a), gross,
				    max_gross);
				return row_error(u, r);
			}
			if ((rc = bt_target(u->e, panel_id(u->wt), w, ebuf, sizeof ebuf)) != 0)
				return csv_row_ret(r, panel_col(u->wt, 0), rc, ebuf, u->err, u->errlen);
			if (panel_next(u->wt) < 0)
				return panel_failed(u, u->wt);
		}
		if (bt_rebalance(u->e, NULL, NULL) != 0)
			goto nomem;
		u->pending_reb = decided;
	}
	return 0;
nomem:
	err_fmt(u->err, u->errlen, "out of memory");
	return EX_OSERR;
io:
	err_fmt(u->err, u->errlen, "cannot write the output: %s", strerror(errno));
	return EX_IOERR;
}

/* Feed the current price row to the engine. Returns 0 or a sysexits code. */
static int
price_row(struct run *u)
{
	csv_reader *r = panel_csv(u->px);
	char ebuf[256];
	double ret = NAN;
	int rc;

	if (panel_newday(u->px) && (rc = bt_day_begin(u->e, panel_date(u->px), ebuf, sizeof ebuf)) != 0)
		return csv_row_ret(r, panel_cdate(u->px), rc, ebuf, u->err, u->errlen);
	if ((rc = csv_double(r, panel_col(u->px, 0), &ret)) < 0)
		return row_error(u, r);
	if (rc == 0)
		ret = NAN;
	else if (!isfinite(ret) || ret < -1 || ret > BTR_MAX_RET) {
		csv_fail(r, panel_col(u->px, 0), "%s is not a return (>= -1, <= %d)", csv_field(r, panel_col(u->px, 0)),
		    BTR_MAX_RET);
		return row_error(u, r);
	}
	if ((rc = bt_price(u->e, panel_id(u->px), u->symbols && panel_col(u->px, 1) >= 0 ?
	    csv_field(r, panel_col(u->px, 1)) : NULL, ret, ebuf, sizeof ebuf)) != 0)
		return csv_row_ret(r, panel_cid(u->px), rc, ebuf, u->err, u->errlen);
	return 0;
}

/* 1 when date is one of the last lag - 1 days simulated (decisions that are never traded). */
static int
recent_tail(const struct run *u, int date)
{
	for (long k = 1; k < u->o->lag && k <= u->nsim; k++)
		if (u->recent[(u->nsim - k) % u->o->lag] == date)
			return 1;
	return 0;
}

int
btr_run(const struct btr_opts *o, struct btr_result *res, char *err, size_t errlen)
{
	static const char *const pcols[] = { "ret", "?symbol" }, *const wcols[] = { "weight" };
	struct run u = { .o = o, .res = res, .pending_reb = INT32_MIN, .err = err, .errlen = errlen };
	char a[DATE_LEN + 1];
	int rc;

	memset(res, 0, sizeof *res);
	u.e = bt_new(o->cost_bps, o->long_short, o->universe != NULL, o->lookahead);
	u.recent = calloc((size_t)(o->lag > 0 ? o->lag : 1), sizeof *u.recent);
	if (o->lag < 1) {
		rc = err_ret(EX_SOFTWARE, err, errlen, "lag %d: must be at least 1", o->lag);
		goto out;
	}
	if (u.e == NULL || u.recent == NULL) {
		rc = err_ret(EX_OSERR, err, errlen, "out of memory");
		goto out;
	}
	if ((rc = panel_open(&u.px, o->prices, o->prices_name, o->nprices, pcols, 2, PANEL_KEYS, err, errlen)) != 0 ||
	    (rc = panel_open(&u.wt, &o->weights, &o->weights_name, 1, wcols, 1, 0, err, errlen)) != 0 ||
	    (o->universe != NULL &&
	    (rc = panel_open(&u.un, &o->universe, &o->universe_name, 1, NULL, 0, 0, err, errlen)) != 0))
		goto out;
	u.symbols = o->holdings != NULL; /* symbols serve the holdings only */
	if (o->equity != NULL &&
	    csv_w_header(&(csv_writer){ o->equity, 0 }, "date,gross,net,equity,turnover,cost,bench_gross,"
	    "bench_net,bench_equity,bench_turnover,bench_cost") != 0) {
		rc = EX_IOERR;
		err_fmt(err, errlen, "cannot write the output: %s", strerror(errno));
		goto out;
	}
	if (o->holdings != NULL && csv_w_header(&(csv_writer){ o->holdings, 0 }, "date,id,symbol,weight") != 0) {
		rc = EX_IOERR;
		err_fmt(err, errlen, "cannot write the output: %s", strerror(errno));
		goto out;
	}
	while (panel_has(u.px)) {
		if ((rc = price_row(&u)) != 0 || (rc = simulate_ready(&u)) != 0)
			goto out;
		if (panel_next(u.px) < 0) {
			rc = panel_failed(&u, u.px);
			goto out;
		}
	}
	bt_input_end(u.e);
	if ((rc = simulate_ready(&u)) != 0)
		goto out;
	/* Decisions of the last lag - 1 days would trade after the data ends: nothing to simulate. */
	while (panel_has(u.wt) && recent_tail(&u, panel_date(u.wt)))
		if (panel_next(u.wt) < 0) {
			rc = panel_failed(&u, u.wt);
			goto out;
		}
	if (panel_has(u.wt)) {
		csv_fail(panel_csv(u.wt), panel_cdate(u.wt), "%s is not a day of the prices", date_fmt(panel_date(u.wt), a));
		rc = row_error(&u, panel_csv(u.wt));
	} else if (o->universe != NULL && u.univ_rows == 0) { /* a benchmark of nothing is no benchmark */
		err_fmt(err, errlen, "%s: universe: no rows on the days of the prices", o->universe_name);
		rc = EX_DATAERR;
	} else if (o->universe != NULL && res->nreb > 0 && !u.bench_held) {
		err_fmt(err, errlen, "%s: universe: no id of the universe has a return in the prices", o->universe_name);
		rc = EX_DATAERR;
	}
out:
	panel_close(u.px);
	panel_close(u.wt);
	panel_close(u.un);
	bt_free(u.e);
	free(u.recent);
	return rc;
}

void
btr_free(struct btr_result *res)
{
	free(res->date);
	free(res->net);
	free(res->b_net);
	free(res->reb);
	memset(res, 0, sizeof *res);
}

/* ---- the metrics document ---- */

static json_t *
num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *
date_str(int day)
{
	char buf[DATE_LEN + 1];

	return json_string(date_fmt(day, buf));
}

/* The rest of quantstats' metrics report (struct mt_extra), under the keys the backtest page shows them by. */
static const struct {
	const char *key;
	size_t off;
} extra_keys[] = {
	{ "mtd", offsetof(struct mt_extra, mtd) }, { "3m", offsetof(struct mt_extra, m3) },
	{ "6m", offsetof(struct mt_extra, m6) }, { "ytd", offsetof(struct mt_extra, ytd) },
	{ "1y", offsetof(struct mt_extra, y1) }, { "3y", offsetof(struct mt_extra, y3) },
	{ "5y", offsetof(struct mt_extra, y5) }, { "10y", offsetof(struct mt_extra, y10) },
	{ "all", offsetof(struct mt_extra, all) }, { "best_month", offsetof(struct mt_extra, best_month) },
	{ "worst_month", offsetof(struct mt_extra, worst_month) }, { "best_year", offsetof(struct mt_extra, best_year) },
	{ "worst_year", offsetof(struct mt_extra, worst_year) },
	{ "longest_dd_days", offsetof(struct mt_extra, longest_dd_days) },
	{ "avg_dd", offsetof(struct mt_extra, avg_dd) }, { "avg_dd_days", offsetof(struct mt_extra, avg_dd_days) },
	{ "recovery_factor", offsetof(struct mt_extra, recovery_factor) },
	{ "ulcer_index", offsetof(struct mt_extra, ulcer_index) },
	{ "time_in_market", offsetof(struct mt_extra, time_in_market) },
	{ "profit_factor", offsetof(struct mt_extra, profit_factor) },
	{ "tail_ratio", offsetof(struct mt_extra, tail_ratio) }, { "r_squared", offsetof(struct mt_extra, r_squared) },
};

static json_t *
stats_obj(const int *date, const double *r, size_t n, double rf, double turnover, double cost, const double *bench)
{
	struct mt_stats m;
	struct mt_extra x;
	json_t *o = json_object();

	mt_compute(r, n, rf, &m);
	json_object_set_new(o, "cumulative_return", num(m.cumulative_return));
	json_object_set_new(o, "cagr", num(m.cagr));
	json_object_set_new(o, "volatility", num(m.volatility));
	json_object_set_new(o, "sharpe", num(m.sharpe));
	json_object_set_new(o, "sortino", num(m.sortino));
	json_object_set_new(o, "max_drawdown", num(m.max_drawdown));
	json_object_set_new(o, "calmar", num(m.calmar));
	json_object_set_new(o, "omega", num(m.omega));
	json_object_set_new(o, "skew", num(m.skew));
	json_object_set_new(o, "kurtosis", num(m.kurtosis));
	json_object_set_new(o, "var_95", num(m.var_95));
	json_object_set_new(o, "cvar_95", num(m.cvar_95));
	json_object_set_new(o, "win_rate", num(m.win_rate));
	json_object_set_new(o, "best_day", num(m.best_day));
	json_object_set_new(o, "worst_day", num(m.worst_day));
	json_object_set_new(o, "total_turnover", num(turnover));
	json_object_set_new(o, "annual_turnover", num(n > 0 ? turnover * MT_PERIODS / (double)n : NAN));
	json_object_set_new(o, "total_cost", num(cost));
	if (bench != NULL) {
		double beta, alpha;

		mt_greeks(r, bench, n, &beta, &alpha);
		json_object_set_new(o, "beta", num(beta));
		json_object_set_new(o, "alpha", num(alpha));
	}
	/* The probabilistic Sharpe ratio against 0 (one trial: no deflation; the explorer deflates a grid's). */
	json_object_set_new(o, "psr", num(mt_psr(m.sharpe / sqrt(MT_PERIODS), 0, (double)n, m.skew, m.kurtosis)));
	mt_extra(date, r, bench, n, &x);
	for (size_t i = 0; i < sizeof extra_keys / sizeof extra_keys[0]; i++)
		json_object_set_new(o, extra_keys[i].key, num(*(const double *)((const char *)&x + extra_keys[i].off)));
	return o;
}

static json_t *
periods_arr(const struct btr_result *res, int monthly)
{
	json_t *a = json_array();
	size_t max = 0, np;
	struct mt_period *p;
	int y0, y1, m, d;

	if (res->n > 0) {
		date_to_ymd(res->date[0], &y0, &m, &d);
		date_to_ymd(res->date[res->n - 1], &y1, &m, &d);
		max = (size_t)(y1 - y0 + 1) * 12;
	}
	p = malloc((max ? max : 1) * sizeof *p);
	if (p == NULL || a == NULL) {
		free(p);
		json_decref(a);
		return NULL;
	}
	np = mt_periods(res->date, res->net, res->b_net, res->n, monthly, p, max);
	for (size_t i = 0; i < np && i < max; i++) {
		json_t *o = json_object();
		char key[16];

		if (monthly) {
			snprintf(key, sizeof key, "%04d-%02d", p[i].year, p[i].month);
			json_object_set_new(o, "month", json_string(key));
		} else {
			json_object_set_new(o, "year", json_integer(p[i].year));
		}
		json_object_set_new(o, "strategy", num(p[i].r));
		json_object_set_new(o, "benchmark", num(p[i].rb));
		json_array_append_new(a, o);
	}
	free(p);
	return a;
}

json_t *
btr_metrics(const struct btr_result *res, double rf, json_t *params)
{
	json_t *doc = json_object(), *dds = json_array(), *rebs = json_array();
	struct mt_drawdown dd[10];
	size_t ndd;

	if (doc == NULL || dds == NULL || rebs == NULL) {
		json_decref(doc);
		json_decref(dds);
		json_decref(rebs);
		json_decref(params);
		return NULL;
	}
	json_object_set_new(doc, "type", json_string("metrics"));
	json_object_set_new(doc, "start", res->n ? date_str(res->date[0]) : json_null());
	json_object_set_new(doc, "end", res->n ? date_str(res->date[res->n - 1]) : json_null());
	json_object_set_new(doc, "days", json_integer((json_int_t)res->n));
	json_object_set_new(doc, "params", params ? params : json_object());
	json_object_set_new(doc, "strategy", stats_obj(res->date, res->net, res->n, rf, res->turnover, res->cost, res->b_net));
	json_object_set_new(doc, "benchmark", stats_obj(res->date, res->b_net, res->n, rf, res->b_turnover, res->b_cost, NULL));
	json_object_set_new(doc, "yearly", periods_arr(res, 0));
	json_object_set_new(doc, "monthly", periods_arr(res, 1));
	ndd = mt_drawdowns(res->date, res->net, res->n, dd, 10);
	for (size_t i = 0; i < ndd; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "start", date_str(dd[i].start));
		json_object_set_new(o, "valley", date_str(dd[i].valley));
		json_object_set_new(o, "end", date_str(dd[i].end));
		json_object_set_new(o, "days", json_integer(dd[i].days));
		json_object_set_new(o, "max_drawdown", num(dd[i].max_drawdown));
		json_array_append_new(dds, o);
	}
	json_object_set_new(doc, "drawdowns", dds);
	for (size_t i = 0; i < res->nreb; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "date", date_str(res->reb[i].date));
		json_object_set_new(o, "turnover", num(res->reb[i].turnover));
		json_object_set_new(o, "cost", num(res->reb[i].cost));
		json_array_append_new(rebs, o);
	}
	json_object_set_new(doc, "rebalances", rebs);
	return doc;
}
