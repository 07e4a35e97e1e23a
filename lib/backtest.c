#include "backtest.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "book.h"
#include "date.h"
#include "err.h"
#include "ids.h"
#include "util.h"

/* ---- state ---- */

/* A security: every id ever seen, with the index lib/ids gives it. */
struct sec {
	char *symbol;        /* symbol on the simulated day (owned), "" before any */
	char *in_symbol;     /* symbol on its latest input row (owned), to notice changes */
	int in_day;          /* day of its latest input row, to catch duplicates */
	int last_valid;      /* latest day with a non-empty ret within the look-ahead window (see seen) */
	int sim_day;         /* the simulated day of its latest row */
	double ret;          /* ret on sim_day, 0 when empty */
	int has_ret;         /* ret on sim_day was not empty */
	int univ_date;       /* latest universe snapshot listing it */
	int tgt_day;         /* day of its latest bt_target(), to catch repeats */
};

#define NONE ((size_t)-1)

/* An input day in the look-ahead window: its rows are [begin, end) of the row ring. */
struct inday {
	int date;
	uint64_t begin, end;
};

/* A symbol change seen on input, applied when the simulation reaches its row. */
struct symchg {
	uint64_t row; /* position in the row ring */
	size_t idx;   /* security */
	char *symbol; /* the new symbol (owned until applied) */
};

struct bt_engine {
	struct sec *secs;       /* all securities */
	size_t nsec, capsec;
	double *scratch;        /* per security: book_set's drifted weights, 0 between uses */
	size_t capscratch;
	struct ids ids;         /* their ids */

	/* The look-ahead window: rows as a ring (security, ret), days as a ring over it. */
	uint32_t *rsec;         /* security index of each row */
	double *rret;           /* its ret, NaN when empty */
	uint64_t rhead, rtail;  /* rows [rhead, rtail) are buffered; positions grow without wrapping */
	size_t rcap;            /* ring size, a power of two */
	struct inday *days;     /* buffered days [dhead, dtail) */
	uint64_t dhead, dtail;
	size_t dcap;            /* a power of two */
	uint64_t seen;          /* days before it have set last_valid: never further than the window */
	struct symchg *chg;     /* pending symbol changes, in row order, [chead, ctail) */
	size_t chead, ctail, ccap;
	int in_open;            /* the last buffered day may still get rows */
	int in_ended;           /* bt_input_end was called */
	int lookahead;          /* complete days that must follow a day before it is simulated */
	struct ids_order in_order; /* lookup guesses for input rows */
	struct ids_order un_order; /* and for universe rows */

	size_t *today;          /* securities with a ret on the simulated day */
	size_t ntoday, captoday;
	size_t *members;        /* securities in the latest universe snapshot */
	size_t nmem, capmem;
	int univ_date;          /* date of the latest snapshot */
	int day;                /* the simulated day */
	int ready;              /* bt_next() reported a day that bt_simulate() has not taken */
	int started;            /* a rebalance has happened: the portfolios are running */
	int long_short;         /* negative targets allowed */
	int use_universe;       /* benchmark members from bt_member() */
	double cost_rate;       /* cost per unit of turnover: cost_bps / 10000 */
	struct book strat;      /* the strategy */
	struct book bench;      /* the equal-weight benchmark */
	struct book target;     /* targets collected for the rebalance at the simulated day's close */
};

/* The index of the security id, added when new, trying the guess of order o (NULL: none) first. Returns
 * NONE when out of memory. */
static size_t
sec_of(bt_engine *e, struct ids_order *o, const char *id)
{
	size_t len = strlen(id);
	uint32_t i;
	int added;
	struct sec *s;

	/* room first, so that an id is never interned without its security */
	if (util_grow((void **)&e->secs, &e->capsec, e->nsec + 1, sizeof *e->secs) != 0 ||
	    util_grow((void **)&e->scratch, &e->capscratch, e->nsec + 1, sizeof *e->scratch) != 0)
		return NONE;
	i = o != NULL ? ids_row(&e->ids, o, id, len, &added) : ids_intern(&e->ids, id, len, &added);
	if (i == IDS_NONE)
		return NONE;
	if (!added)
		return i;
	s = &e->secs[i];
	memset(s, 0, sizeof *s);
	s->symbol = strdup("");
	s->in_symbol = strdup("");
	if (s->symbol == NULL || s->in_symbol == NULL) {
		free(s->symbol);
		free(s->in_symbol);
		s->symbol = s->in_symbol = NULL;
		e->nsec = i + 1; /* freed by bt_free as any other */
		return NONE;
	}
	s->in_day = s->last_valid = s->sim_day = s->univ_date = s->tgt_day = INT32_MIN;
	e->scratch[i] = 0;
	e->nsec = i + 1;
	return i;
}

bt_engine *
bt_new(double cost_bps, int long_short, int use_universe, int lookahead)
{
	bt_engine *e = calloc(1, sizeof *e);

	if (e == NULL)
		return NULL;
	e->cost_rate = cost_bps / 10000.0;
	e->long_short = long_short;
	e->use_universe = use_universe;
	e->lookahead = lookahead < 1 ? 1 : lookahead;
	e->day = e->univ_date = INT32_MIN;
	ids_init(&e->ids);
	ids_order_init(&e->in_order);
	ids_order_init(&e->un_order);
	book_init(&e->strat);
	book_init(&e->bench);
	book_init(&e->target);
	e->rcap = 1 << 16;
	e->dcap = 64;
	e->rsec = malloc(e->rcap * sizeof *e->rsec);
	e->rret = malloc(e->rcap * sizeof *e->rret);
	e->days = malloc(e->dcap * sizeof *e->days);
	if (e->rsec == NULL || e->rret == NULL || e->days == NULL) {
		bt_free(e);
		return NULL;
	}
	return e;
}

void
bt_free(bt_engine *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->nsec; i++) {
		free(e->secs[i].symbol);
		free(e->secs[i].in_symbol);
	}
	for (size_t i = e->chead; i < e->ctail; i++)
		free(e->chg[i].symbol);
	free(e->chg);
	free(e->secs);
	ids_free(&e->ids);
	ids_order_free(&e->in_order);
	ids_order_free(&e->un_order);
	free(e->rsec);
	free(e->rret);
	free(e->days);
	free(e->today);
	free(e->members);
	free(e->scratch);
	book_free(&e->strat);
	book_free(&e->bench);
	book_free(&e->target);
	free(e);
}

/* ---- input side ---- */

/* Double a ring of n-byte elements holding positions [head, tail) of capacity *cap. */
static int
ring_grow(void **ring, size_t *cap, uint64_t head, uint64_t tail, size_t elem)
{
	size_t ncap = *cap * 2;
	char *nr = malloc(ncap * elem);

	if (nr == NULL)
		return -1;
	for (uint64_t p = head; p < tail; p++)
		memcpy(nr + (p & (ncap - 1)) * elem, (char *)*ring + (p & (*cap - 1)) * elem, elem);
	free(*ring);
	*ring = nr;
	*cap = ncap;
	return 0;
}

int
bt_day_begin(bt_engine *e, int date, char *err, size_t errlen)
{
	char a[DATE_LEN + 1], b[DATE_LEN + 1];
	int prev = e->dtail > e->dhead ? e->days[(e->dtail - 1) & (e->dcap - 1)].date : e->day;

	if (e->dtail > e->dhead && date == prev && e->in_open)
		return 0;
	if (date <= prev)
		return err_ret(EX_DATAERR, err, errlen, "%s after %s: not in date order", date_fmt(date, a),
		    date_fmt(prev, b));
	if (e->dtail - e->dhead == e->dcap &&
	    ring_grow((void **)&e->days, &e->dcap, e->dhead, e->dtail, sizeof *e->days) != 0) {
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	}
	e->days[e->dtail & (e->dcap - 1)] = (struct inday){ date, e->rtail, e->rtail };
	e->dtail++;
	ids_order_restart(&e->in_order);
	e->in_open = 1;
	return 0;
}

int
bt_price(bt_engine *e, const char *id, const char *symbol, double ret, char *err, size_t errlen)
{
	struct inday *d = &e->days[(e->dtail - 1) & (e->dcap - 1)];
	size_t i = sec_of(e, &e->in_order, id);
	struct sec *s;
	char buf[DATE_LEN + 1];

	if (i == (size_t)-1)
		goto nomem;
	s = &e->secs[i];
	if (s->in_day == d->date)
		return err_ret(EX_DATAERR, err, errlen, "duplicate row for id '%s' on %s", id, date_fmt(d->date, buf));
	if (util_grow((void **)&e->today, &e->captoday, (size_t)(d->end - d->begin) + 1, sizeof *e->today) != 0)
		goto nomem;
	if (e->rtail - e->rhead == e->rcap) {
		size_t c = e->rcap;

		if (ring_grow((void **)&e->rsec, &c, e->rhead, e->rtail, sizeof *e->rsec) != 0 ||
		    ring_grow((void **)&e->rret, &e->rcap, e->rhead, e->rtail, sizeof *e->rret) != 0)
			goto nomem;
	}
	if (symbol != NULL && strcmp(symbol, s->in_symbol) != 0) {
		char *a = strdup(symbol), *b = strdup(symbol);

		if (a == NULL || b == NULL ||
		    util_grow((void **)&e->chg, &e->ccap, e->ctail + 1, sizeof *e->chg) != 0) {
			free(a);
			free(b);
			goto nomem;
		}
		free(s->in_symbol);
		s->in_symbol = a;
		e->chg[e->ctail++] = (struct symchg){ e->rtail, i, b };
	}
	s->in_day = d->date;
	e->rsec[e->rtail & (e->rcap - 1)] = (uint32_t)i;
	e->rret[e->rtail & (e->rcap - 1)] = ret;
	e->rtail++;
	d->end = e->rtail;
	return 0;
nomem:
	return err_ret(EX_OSERR, err, errlen, "out of memory");
}

void
bt_input_end(bt_engine *e)
{
	e->in_open = 0;
	e->in_ended = 1;
}

/* ---- simulation side ---- */

int
bt_next(bt_engine *e, int *date)
{
	uint64_t complete = e->dtail - e->dhead - (uint64_t)(e->in_open && !e->in_ended);

	if (complete == 0 || (!e->in_ended && complete <= (uint64_t)e->lookahead))
		return 0;
	*date = e->days[e->dhead & (e->dcap - 1)].date;
	e->ready = 1;
	return 1;
}

int
bt_member(bt_engine *e, int date, const char *id, char *err, size_t errlen)
{
	size_t i;
	char a[DATE_LEN + 1], b[DATE_LEN + 1];

	if (date < e->univ_date)
		return err_ret(EX_DATAERR, err, errlen, "%s after %s: not in date order", date_fmt(date, a),
		    date_fmt(e->univ_date, b));
	if (date > e->univ_date) {
		e->univ_date = date;
		e->nmem = 0;
		ids_order_restart(&e->un_order);
	}
	i = sec_of(e, &e->un_order, id);
	if (i == (size_t)-1 || util_grow((void **)&e->members, &e->capmem, e->nmem + 1, sizeof *e->members) != 0)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	if (e->secs[i].univ_date == date)
		return err_ret(EX_DATAERR, err, errlen, "duplicate row for id '%s' on %s", id, date_fmt(date, a));
	e->secs[i].univ_date = date;
	e->members[e->nmem++] = i;
	return 0;
}

/* Let the rows of the buffered days before day position `upto` set last_valid: what the drops may know.
 * Rows of later days stay unseen, so that the window is the same whatever the caller has already
 * given (a partly given day, or more days). */
static void
see_through(bt_engine *e, uint64_t upto)
{
	if (upto > e->dtail)
		upto = e->dtail;
	for (; e->seen < upto; e->seen++) {
		const struct inday *d = &e->days[e->seen & (e->dcap - 1)];

		for (uint64_t r = d->begin; r < d->end; r++)
			if (!isnan(e->rret[r & (e->rcap - 1)]))
				e->secs[e->rsec[r & (e->rcap - 1)]].last_valid = d->date;
	}
}

/* book_drop's test: the security's data ended on or before the simulated day (bt_engine's drop). */
static int
ended(const void *arg, uint32_t sec)
{
	const bt_engine *e = arg;

	return e->secs[sec].last_valid <= e->day;
}

/* Earn the simulated day's return on b, drift its weights, drop what ended (unless this is the last day
 * of the data, after which everything "ends"); returns the gross return. A held security without a row
 * today earns 0. */
static double
earn(bt_engine *e, struct book *b, int last)
{
	double rp;

	for (size_t j = 0; j < b->n; j++) {
		const struct sec *s = &e->secs[b->p[j].sec];

		b->r[j] = s->sim_day == e->day ? s->ret : 0;
	}
	rp = book_earn(b);
	if (!last)
		book_drop(b, ended, e);
	return rp;
}

int
bt_simulate(bt_engine *e, struct bt_day *out)
{
	struct inday d = e->days[e->dhead & (e->dcap - 1)];
	int last;

	/* The window of the day: itself and the `lookahead` days after it (bt_next made sure they are
	 * complete), or everything once the input has ended. */
	see_through(e, e->in_ended ? e->dtail : e->dhead + 1 + (uint64_t)e->lookahead);
	e->ready = 0;
	e->day = d.date;
	e->dhead++;
	e->ntoday = 0;
	e->target.n = 0;
	for (uint64_t r = d.begin; r < d.end; r++) {
		size_t i = e->rsec[r & (e->rcap - 1)];
		double ret = e->rret[r & (e->rcap - 1)];
		struct sec *s = &e->secs[i];

		while (e->chead < e->ctail && e->chg[e->chead].row == r) {
			struct symchg *c = &e->chg[e->chead++];

			free(e->secs[c->idx].symbol);
			e->secs[c->idx].symbol = c->symbol;
		}
		s->sim_day = d.date;
		s->has_ret = !isnan(ret);
		s->ret = s->has_ret ? ret : 0;
		if (s->has_ret) /* room was made in bt_price */
			e->today[e->ntoday++] = i;
	}
	e->rhead = d.end;
	last = e->in_ended && e->dhead == e->dtail;
	if (e->chead > 0 && e->chead * 2 >= e->ctail) { /* keep the queue's storage bounded */
		memmove(e->chg, e->chg + e->chead, (e->ctail - e->chead) * sizeof *e->chg);
		e->ctail -= e->chead;
		e->chead = 0;
	}
	if (!e->started)
		return 0;
	memset(out, 0, sizeof *out);
	out->date = e->day;
	out->gross = earn(e, &e->strat, last);
	out->net = book_net(&e->strat, out->gross, &out->turnover, &out->cost, &out->equity);
	out->b_gross = earn(e, &e->bench, last);
	out->b_net = book_net(&e->bench, out->b_gross, &out->b_turnover, &out->b_cost, &out->b_equity);
	return 1;
}

int
bt_target(bt_engine *e, const char *id, double weight, char *err, size_t errlen)
{
	struct book *t = &e->target;
	size_t i;

	if (!isfinite(weight))
		return err_ret(EX_DATAERR, err, errlen, "weight is not a finite number");
	if (weight < 0 && !e->long_short)
		return err_ret(EX_DATAERR, err, errlen, "negative weight %g for id '%s' in long-only mode", weight, id);
	i = sec_of(e, NULL, id);
	if (i == (size_t)-1 || util_grow((void **)&t->p, &t->cap, t->n + 1, sizeof *t->p) != 0)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	if (e->secs[i].tgt_day == e->day)
		return err_ret(EX_DATAERR, err, errlen, "duplicate weight for id '%s'", id);
	e->secs[i].tgt_day = e->day;
	if (weight != 0)
		t->p[t->n++] = (struct book_pos){ (uint32_t)i, weight };
	return 0;
}

int
bt_rebalance(bt_engine *e, double *turnover, double *b_turnover)
{
	struct book *t = &e->target;
	size_t n = 0;

	if (book_set(&e->strat, t->p, t->n, e->scratch, e->cost_rate) != 0)
		return -1;
	/* The benchmark's targets reuse the target book's storage now that the strategy has its copy. */
	if (e->use_universe) {
		if (util_grow((void **)&t->p, &t->cap, e->nmem, sizeof *t->p) != 0)
			return -1;
		for (size_t j = 0; j < e->nmem; j++) {
			const struct sec *s = &e->secs[e->members[j]];

			if (s->sim_day == e->day && s->has_ret)
				t->p[n++].sec = (uint32_t)e->members[j];
		}
	} else {
		if (util_grow((void **)&t->p, &t->cap, e->ntoday, sizeof *t->p) != 0)
			return -1;
		for (size_t j = 0; j < e->ntoday; j++)
			t->p[n++].sec = (uint32_t)e->today[j];
	}
	book_equal(t->p, n);
	t->n = 0;
	if (book_set(&e->bench, t->p, n, e->scratch, e->cost_rate) != 0)
		return -1;
	/* What was bought after its data ended leaves now, with the window of the held ones (the turnover
	 * counted its purchase). */
	book_drop(&e->strat, ended, e);
	book_drop(&e->bench, ended, e);
	e->started = 1;
	if (turnover != NULL)
		*turnover = e->strat.turnover;
	if (b_turnover != NULL)
		*b_turnover = e->bench.turnover;
	return 0;
}

size_t
bt_nheld(const bt_engine *e)
{
	return e->strat.n;
}

struct bt_pos
bt_holding(const bt_engine *e, size_t i)
{
	const struct sec *s = &e->secs[e->strat.p[i].sec];
	struct bt_pos p = { e->ids.name[e->strat.p[i].sec], s->symbol, e->strat.p[i].w };

	return p;
}
