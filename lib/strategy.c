#include "strategy.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "err.h"
#include "ids.h"
#include "util.h"

#define NO_DAY (-1)         /* a panel index no day has */
#define PW_BLOCK 128        /* numpy's PW_BLOCKSIZE */

struct sec {
	const char *id;     /* its id (the ids table's copy) */
	char *sym;          /* latest symbol seen, owned */
	size_t symcap;      /* bytes allocated for sym */
	size_t symlen;      /* strlen(sym) */
	long row_day;       /* panel index of the last row (duplicate check, "has a row on t") */
	long member_day;    /* panel index of the last universe membership */
	long last_row;      /* panel index of the last row, to retire the buffers of securities gone */
	int has_ret;        /* today's row has a `ret` */
	double ret;         /* today's `ret` */
	double tri;         /* the product so far (resumes after an undefined stretch) */
	long gap;           /* consecutive panel days without a usable return, saturating */
	int active;         /* has buffers and is updated every day */
	double *ring;       /* TRI of the last W panel days, slot p % W; NaN where undefined */
	double *rring;      /* daily returns of the last vol_window panel days; NaN where undefined */
};

struct strat {
	struct strategy_config c;
	long w;              /* TRI ring length: lookback + skip + 1 */
	long p;              /* current panel index (NO_DAY before the first day) */
	int date;            /* current panel date */
	int universe;        /* universe mode: eligibility from strat_member() */
	long d0;             /* panel index of the first rebalance (periodic), NO_DAY before it */
	struct sec *secs;    /* every security ever seen */
	long nsecs;
	size_t capsecs;
	struct ids ids;      /* their ids: secs[i] has index i */
	struct ids_order order; /* the prices rows' order */
	long *active;        /* securities with buffers */
	long nactive;
	size_t capactive;
	long *today;         /* the day's rows (or universe members), in input order */
	long ntoday;
	size_t captoday;
	double **pool;       /* spare TRI rings (W doubles) */
	double **rpool;      /* spare return rings (vol_window doubles) */
	long npool, nrpool;
	size_t cappool, caprpool;
	struct strat_pick *picks; /* the day's eligible set, then the portfolio */
	long npicks, nout;
	size_t cappicks;
	double *tmp;         /* scratch for sorting and sums */
	size_t captmp;
};

/* ---- numerics ---- */

double
strat_sum(const double *a, size_t n)
{
	/* numpy's pairwise_sum: 8 accumulators within a block, halving recursion above it. */
	if (n < 8) {
		double r = 0.;

		for (size_t i = 0; i < n; i++)
			r += a[i];
		return r;
	}
	if (n <= PW_BLOCK) {
		double r[8], res;
		size_t i;

		for (int j = 0; j < 8; j++)
			r[j] = a[j];
		for (i = 8; i < n - n % 8; i += 8)
			for (int j = 0; j < 8; j++)
				r[j] += a[i + j];
		res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += a[i];
		return res;
	}
	size_t n2 = n / 2;

	n2 -= n2 % 8;
	return strat_sum(a, n2) + strat_sum(a + n2, n - n2);
}

/* The same pairwise summation of (a[i] - m)^2, as numpy sums the array of squared deviations. */
static double
sum_sqdev(const double *a, size_t n, double m)
{
	if (n < 8) {
		double r = 0.;

		for (size_t i = 0; i < n; i++)
			r += (a[i] - m) * (a[i] - m);
		return r;
	}
	if (n <= PW_BLOCK) {
		double r[8], res;
		size_t i;

		for (int j = 0; j < 8; j++)
			r[j] = (a[j] - m) * (a[j] - m);
		for (i = 8; i < n - n % 8; i += 8)
			for (int j = 0; j < 8; j++)
				r[j] += (a[i + j] - m) * (a[i + j] - m);
		res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
		for (; i < n; i++)
			res += (a[i] - m) * (a[i] - m);
		return res;
	}
	size_t n2 = n / 2;

	n2 -= n2 % 8;
	return sum_sqdev(a, n2, m) + sum_sqdev(a + n2, n - n2, m);
}

double
strat_std(const double *a, size_t n)
{
	double m;

	if (n < 2)
		return NAN;
	m = strat_sum(a, n) / (double)n;
	return sqrt(sum_sqdev(a, n, m) / (double)(n - 1));
}

double
strat_percentile(const double *sorted, size_t n, double q)
{
	/* numpy >= 1.22, method "linear": virtual index (n - 1) * q, then _lerp(). */
	double vi = (double)(n - 1) * (q / 100), prev, gamma, a, b, diff, r;
	size_t lo;

	if (vi >= (double)(n - 1))
		return sorted[n - 1];
	if (vi <= 0)
		return sorted[0];
	prev = floor(vi);
	lo = (size_t)prev;
	gamma = vi - prev;
	a = sorted[lo];
	b = sorted[lo + 1];
	diff = b - a;
	r = a + diff * gamma;
	if (gamma >= 0.5)
		r = b - diff * (1 - gamma);
	return r;
}

static int
cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* ---- memory ---- */

strat *
strat_new(const struct strategy_config *c)
{
	strat *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->c = *c;
	s->w = (long)c->lookback + c->skip + 1;
	s->p = NO_DAY;
	s->d0 = NO_DAY;
	ids_init(&s->ids);
	ids_order_init(&s->order);
	return s;
}

static void
free_rings(double **pool, long n)
{
	for (long i = 0; i < n; i++)
		free(pool[i]);
}

void
strat_free(strat *s)
{
	if (s == NULL)
		return;
	for (long i = 0; i < s->nsecs; i++) {
		free(s->secs[i].sym);
		free(s->secs[i].ring);
		free(s->secs[i].rring);
	}
	free_rings(s->pool, s->npool);
	free_rings(s->rpool, s->nrpool);
	free(s->pool);
	free(s->rpool);
	free(s->secs);
	ids_free(&s->ids);
	ids_order_free(&s->order);
	free(s->active);
	free(s->today);
	free(s->picks);
	free(s->tmp);
	free(s);
}

/* The security with this id (of the prices rows when row, trying their order's guess first), created
 * when new. Returns its index, or -1 when out of memory. */
static long
lookup(strat *s, const char *id, size_t n, int row)
{
	struct sec *x;
	uint32_t i;
	int added;

	/* room first, so that an id is never interned without its security */
	if (util_grow((void **)&s->secs, &s->capsecs, (size_t)(s->nsecs + 1), sizeof *s->secs) != 0)
		return -1;
	i = row ? ids_row(&s->ids, &s->order, id, n, &added) : ids_intern(&s->ids, id, n, &added);
	if (i == IDS_NONE)
		return -1;
	if (!added)
		return (long)i;
	x = &s->secs[i];
	memset(x, 0, sizeof *x);
	x->id = s->ids.name[i];
	x->row_day = x->member_day = x->last_row = NO_DAY;
	x->tri = 1;
	x->gap = LONG_MAX / 2;
	s->nsecs = (long)i + 1;
	return (long)i;
}

static double *
take_ring(double ***pool, long *npool, long len)
{
	double *r = *npool > 0 ? (*pool)[--*npool] : malloc(sizeof *r * (size_t)len);

	if (r != NULL)
		for (long i = 0; i < len; i++)
			r[i] = NAN;
	return r;
}

static int
give_ring(double ***pool, long *npool, size_t *cap, double *r)
{
	if (util_grow((void **)pool, cap, (size_t)(*npool + 1), sizeof **pool) != 0) {
		free(r);
		return -1;
	}
	(*pool)[(*npool)++] = r;
	return 0;
}

/* Give a security buffers and a place in the daily update. */
static int
activate(strat *s, long i)
{
	struct sec *x = &s->secs[i];

	if (x->active)
		return 0;
	if (x->last_row == NO_DAY)
		x->gap = 0; /* the series starts at the first row, even one without a `ret` */
	if ((x->ring = take_ring(&s->pool, &s->npool, s->w)) == NULL)
		return -1;
	if (s->c.weighting == CONFIG_INVERSE_VOL &&
	    (x->rring = take_ring(&s->rpool, &s->nrpool, s->c.vol_window)) == NULL)
		return -1;
	if (util_grow((void **)&s->active, &s->capactive, (size_t)(s->nactive + 1), sizeof *s->active) != 0)
		return -1;
	s->active[s->nactive++] = i;
	x->active = 1;
	return 0;
}

/* ---- the stream ---- */

int
strat_day_begin(strat *s, int date, char *err, size_t n)
{
	char a[DATE_LEN + 1], b[DATE_LEN + 1];

	if (s->p != NO_DAY && date <= s->date) {
		if (date == s->date)
			return 0;
		return err_ret(EX_DATAERR, err, n, "%s is before %s: the input must be sorted by date",
		    date_fmt(date, a), date_fmt(s->date, b));
	}
	s->p++;
	s->date = date;
	s->ntoday = 0;
	ids_order_restart(&s->order);
	return 0;
}

int
strat_price(strat *s, const char *id, size_t idlen, const char *sym, size_t symlen, int has_ret,
    double ret, char *err, size_t n)
{
	long i;
	struct sec *x;

	if (idlen == 0) {
		return err_ret(EX_DATAERR, err, n, "empty id");
	}
	if (has_ret && !(ret >= -1)) {
		return err_ret(EX_DATAERR, err, n, "%g is below -1 (a loss of more than everything)", ret);
	}
	if ((i = lookup(s, id, idlen, 1)) < 0 || activate(s, i) != 0) {
		return err_ret(EX_OSERR, err, n, "out of memory");
	}
	x = &s->secs[i];
	if (x->row_day == s->p) {
		return err_ret(EX_DATAERR, err, n, "a second row for %s on the same date", x->id);
	}
	if (x->sym == NULL || x->symlen != symlen || memcmp(x->sym, sym, symlen) != 0) {
		if (x->symcap < symlen + 1) {
			char *ns = realloc(x->sym, symlen + 1);

			if (ns == NULL) {
				return err_ret(EX_OSERR, err, n, "out of memory");
			}
			x->sym = ns;
			x->symcap = symlen + 1;
		}
		memcpy(x->sym, sym, symlen);
		x->sym[symlen] = '\0';
		x->symlen = symlen;
	}
	x->row_day = x->last_row = s->p;
	x->has_ret = has_ret;
	x->ret = ret;
	if (!s->universe) {
		if (util_grow((void **)&s->today, &s->captoday, (size_t)(s->ntoday + 1), sizeof *s->today) != 0) {
			return err_ret(EX_OSERR, err, n, "out of memory");
		}
		s->today[s->ntoday++] = i;
	}
	return 0;
}

void
strat_universe_mode(strat *s)
{
	s->universe = 1;
	s->ntoday = 0; /* rows already fed today do not decide eligibility any more */
}

int
strat_member(strat *s, const char *id, size_t idlen, char *err, size_t n)
{
	long i;

	if (idlen == 0) {
		return err_ret(EX_DATAERR, err, n, "empty id");
	}
	if ((i = lookup(s, id, idlen, 0)) < 0 ||
	    util_grow((void **)&s->today, &s->captoday, (size_t)(s->ntoday + 1), sizeof *s->today) != 0) {
		return err_ret(EX_OSERR, err, n, "out of memory");
	}
	if (s->secs[i].member_day == s->p) {
		return err_ret(EX_DATAERR, err, n, "%s is listed twice on the same date", s->secs[i].id);
	}
	s->secs[i].member_day = s->p;
	s->today[s->ntoday++] = i;
	return 0;
}

/* Move every active security's TRI and return buffers to today; retire those long gone. */
static int
update(strat *s)
{
	/* After keep days without a row, every value a window can read is undefined (max_gap included). */
	long p = s->p, w = s->w, v = s->c.vol_window, keep = s->w + v + s->c.max_gap;

	for (long k = 0; k < s->nactive; k++) {
		struct sec *x = &s->secs[s->active[k]];
		int today = x->row_day == p && x->has_ret, defined;

		if (today) {
			x->tri *= 1 + x->ret;
			x->gap = 0;
		} else if (x->gap < LONG_MAX / 2) {
			x->gap++;
		}
		defined = x->gap <= s->c.max_gap;
		x->ring[p % w] = defined ? x->tri : NAN;
		if (x->rring != NULL)
			x->rring[p % v] = today ? x->ret : defined ? 0 : NAN;
		if (p - x->last_row > keep) {
			/* Every value in the window is undefined now: keep only the product. */
			if (give_ring(&s->pool, &s->npool, &s->cappool, x->ring) != 0)
				return -1;
			x->ring = NULL;
			if (x->rring != NULL) {
				if (give_ring(&s->rpool, &s->nrpool, &s->caprpool, x->rring) != 0)
					return -1;
				x->rring = NULL;
			}
			x->active = 0;
			s->active[k--] = s->active[--s->nactive];
		}
	}
	return 0;
}

/* Sample std of the security's last vol_window daily returns (chronological), NaN if one is missing. */
static double
vol_of(strat *s, const struct sec *x)
{
	long v = s->c.vol_window;

	if (s->p + 1 < v)
		return NAN;
	for (long k = 0; k < v; k++) {
		double r = x->rring[(s->p - v + 1 + k) % v];

		if (isnan(r))
			return NAN;
		s->tmp[k] = r;
	}
	return strat_std(s->tmp, (size_t)v);
}

/* Cap |w| at max_weight, spreading the excess over the uncapped in proportion to their raw weights. */
static void
cap_weights(double cap, struct strat_pick *picks, long n)
{
	for (;;) {
		double rest = 1, raw = 0;
		int over = 0;

		for (long i = 0; i < n; i++) {
			if (fabs(picks[i].x) > cap) {
				picks[i].x = picks[i].side * cap;
				picks[i].raw = 0; /* capped for good */
				over = 1;
			}
		}
		if (!over)
			return;
		for (long i = 0; i < n; i++) {
			if (picks[i].raw == 0)
				rest -= cap;
			else
				raw += picks[i].raw;
		}
		if (raw == 0 || rest <= 0)
			return;
		for (long i = 0; i < n; i++)
			if (picks[i].raw != 0)
				picks[i].x = picks[i].side * picks[i].raw * rest / raw;
	}
}

static double
vol_cb(void *arg, long sec)
{
	strat *s = arg;

	return vol_of(s, &s->secs[sec]);
}

/* The day's target portfolio into picks[0..nout). Returns its size, or -1 when out of memory. */
static long
compute(strat *s)
{
	long p = s->p, w = s->w, n = 0;

	s->nout = 0;
	if (p < (long)s->c.skip + s->c.lookback)
		return 0;
	if (util_grow((void **)&s->picks, &s->cappicks, (size_t)s->ntoday, sizeof *s->picks) != 0 ||
	    util_grow((void **)&s->tmp, &s->captmp, (size_t)(s->ntoday > s->c.vol_window ? s->ntoday :
	    s->c.vol_window), sizeof *s->tmp) != 0)
		return -1;
	for (long k = 0; k < s->ntoday; k++) {
		const struct sec *x = &s->secs[s->today[k]];
		double a, b, mom;

		if (!x->active)
			continue;
		a = x->ring[(p - s->c.skip) % w];
		b = x->ring[(p - s->c.skip - s->c.lookback) % w];
		mom = a / b - 1;
		if (isnan(a) || isnan(b) || !isfinite(mom))
			continue;
		s->picks[n].sec = s->today[k];
		s->picks[n++].x = mom;
	}
	s->nout = strat_select(&s->c, s->picks, n, s->tmp, vol_cb, s);
	return s->nout;
}

long
strat_zscore(struct strat_pick *picks, long n, double *sorted)
{
	double mean, sd;

	if (n < 2)
		return 0;
	for (long i = 0; i < n; i++)
		sorted[i] = picks[i].x;
	mean = strat_sum(sorted, (size_t)n) / (double)n;
	sd = strat_std(sorted, (size_t)n);
	if (!(sd > 0) || !isfinite(sd))
		return 0;
	for (long i = 0; i < n; i++)
		sorted[i] = picks[i].x = (picks[i].x - mean) / sd;
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
	return n;
}

long
strat_select_sorted(const struct strategy_config *c, struct strat_pick *picks, long n, double *sorted,
    double (*vol)(void *arg, long sec), void *arg)
{
	double lo, hi, up, down, raw, *tmp = sorted;
	long nsel = 0;

	lo = strat_percentile(sorted, (size_t)n, c->winsor_lo);
	hi = strat_percentile(sorted, (size_t)n, c->winsor_hi);
	for (long i = 0; i < n; i++) {
		picks[i].x = fmin(fmax(picks[i].x, lo), hi);
		sorted[i] = fmin(fmax(sorted[i], lo), hi); /* clipping keeps the order */
	}
	up = strat_percentile(sorted, (size_t)n, c->select);
	down = strat_percentile(sorted, (size_t)n, 100 - c->select);
	for (long i = 0; i < n; i++) {
		int is_long = picks[i].x >= up, is_short = c->long_short && picks[i].x <= down;

		if (is_long == is_short)
			continue;
		picks[nsel] = picks[i];
		picks[nsel].side = is_long ? 1 : -1;
		picks[nsel].raw = 1;
		if (c->weighting == CONFIG_INVERSE_VOL) {
			double v = vol(arg, picks[i].sec);

			if (!(v > 0))
				continue;
			picks[nsel].raw = 1 / v;
		}
		nsel++;
	}
	if (nsel == 0)
		return 0;
	for (long i = 0; i < nsel; i++) /* the sorted values are no longer needed: the room sums the raws */
		tmp[i] = picks[i].raw;
	raw = strat_sum(tmp, (size_t)nsel);
	for (long i = 0; i < nsel; i++)
		picks[i].x = picks[i].side * (picks[i].raw / raw);
	if (c->max_weight < 1)
		cap_weights(c->max_weight, picks, nsel);
	return nsel;
}

long
strat_select(const struct strategy_config *c, struct strat_pick *picks, long n, double *tmp,
    double (*vol)(void *arg, long sec), void *arg)
{
	if (strat_zscore(picks, n, tmp) == 0)
		return 0;
	return strat_select_sorted(c, picks, n, tmp, vol, arg);
}

int
strat_day_end(strat *s, int next_date)
{
	int rebalance;
	long got;

	if (s->p == NO_DAY)
		return 0;
	if (update(s) != 0)
		return -1;
	s->nout = 0;
	if (s->c.rebalance == CONFIG_MONTHLY) {
		int y1, m1, d1, y2, m2, d2;

		date_to_ymd(s->date, &y1, &m1, &d1);
		if (next_date != 0)
			date_to_ymd(next_date, &y2, &m2, &d2);
		rebalance = next_date != 0 ? y1 != y2 || m1 != m2 : cal_is_month_end(s->date);
	} else {
		rebalance = s->d0 == NO_DAY || (s->p - s->d0) % s->c.rebalance_every == 0;
	}
	if (!rebalance)
		return 0;
	if ((got = compute(s)) < 0)
		return -1;
	if (got > 0 && s->d0 == NO_DAY)
		s->d0 = s->p;
	return got > 0;
}

size_t
strat_nweights(const strat *s)
{
	return (size_t)s->nout;
}

void
strat_weight(const strat *s, size_t i, const char **id, const char **symbol, double *weight)
{
	const struct sec *x = &s->secs[s->picks[i].sec];

	*id = x->id;
	*symbol = x->sym != NULL ? x->sym : "";
	*weight = s->picks[i].x;
}
