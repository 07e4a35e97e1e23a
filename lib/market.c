#include "market.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

#define NSECTOR 11
#define FIRST_ID 100001L       /* six digits, so byte order and numeric order of ids agree */
#define TICKER_SPACE 456976    /* 26^4 four-letter tickers */

/* ---- model constants (daily units) ---- */
#define MKT_MU 0.00028         /* market drift: about 7% a year */
#define MKT_LVOL_MEAN -4.65    /* log of the market's typical daily vol (about 15% a year) */
#define MKT_LVOL_PHI 0.985     /* persistence of the market's log-vol: calm and stormy regimes */
#define MKT_LVOL_SD 0.055
#define SECTOR_SD 0.0055
#define ALPHA_SD 0.0008        /* cross-sectional sd of the persistent drift: 20% a year */
#define ALPHA_PHI 0.998        /* half-life about 350 trading days: momentum persists */
#define JUMP_P 0.001           /* daily chance of an idiosyncratic jump */
#define JUMP_SD 0.07
#define DELIST_P 0.00015       /* daily hazard: about 4% of securities delist per year */
#define GAP_P 0.0004           /* daily chance a gap of missing days starts */
#define GAP_MAX 10             /* gaps last 1..GAP_MAX days, some longer than a max_gap of 5 */
#define RENAME_P 0.0001        /* daily chance of a ticker change */
#define SPLIT_P 0.01           /* daily chance of a split once the price is high (or very low) */
#define DIV_EVERY 63           /* trading days between ex-dividend days */
#define PENNY 1.0              /* a close under $1 ends in a delisting */

struct slot {
	long id;           /* security id, 0 while the slot is empty */
	int ticker;        /* ticker number, see ticker_str() */
	int sector;        /* 0..NSECTOR-1 */
	int relist_in;     /* empty slot: trading days until a new listing */
	int first;         /* the next row is the first: no previous close, `ret` empty */
	int gap_left;      /* missing days left in the current gap */
	int gap_empty;     /* the gap's rows are present with every value empty (else absent) */
	int div_in;        /* trading days to the next ex-dividend day, -1 for no dividends */
	double div_yield;  /* quarterly dividend as a fraction of the price */
	double beta;       /* market loading */
	double sect_load;  /* sector loading */
	double vol;        /* daily idiosyncratic volatility */
	double alpha;      /* persistent daily drift (the momentum the strategy harvests) */
	double turnover;   /* typical daily volume / shares outstanding */
	double price;      /* true unadjusted price, unrounded */
	double shares;     /* shares outstanding */
	double last_close; /* last close written (rounded), the base of the next `ret` */
};

struct market {
	struct market_params p;
	mrng g;
	int date;          /* last day generated */
	int ndays;         /* days generated */
	double lvol;       /* market log-volatility state */
	long next_id;
	int next_ticker;
	struct slot *slot;
	int *order;        /* slot indexes sorted by id (empty slots keep their place until relisted) */
	int *tmp;          /* scratch, one per slot */
	double *cap;       /* universe candidates' market caps */
	double *capsel;    /* scratch copy for the selection */
	long *cand_id;     /* universe candidates, in id order: id */
	int *cand_tk;      /* and ticker (kept apart: a candidate's slot may be emptied by its delisting) */
	char *buf;         /* the day's prices rows */
	size_t buflen, bufcap;
};

/* ---- random numbers ---- */

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
mrng_seed(mrng *g, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		g->s[i] = splitmix64(&seed);
	g->has_spare = 0;
	g->spare = 0;
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
mrng_next(mrng *g)
{
	uint64_t *s = g->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
mrng_uniform(mrng *g)
{
	return (double)(mrng_next(g) >> 11) * 0x1.0p-53;
}

double
mrng_normal(mrng *g)
{
	double u, v, s;

	if (g->has_spare) {
		g->has_spare = 0;
		return g->spare;
	}
	do {
		u = 2 * mrng_uniform(g) - 1;
		v = 2 * mrng_uniform(g) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	s = sqrt(-2 * log(s) / s);
	g->spare = v * s;
	g->has_spare = 1;
	return u * s;
}

/* ---- output helpers: hand-written because printf would dominate the run time ---- */

static int
reserve(market *m, size_t more)
{
	if (m->buflen + more <= m->bufcap)
		return 0;
	size_t ncap = (m->bufcap + more) * 2;
	char *nb = realloc(m->buf, ncap);

	if (nb == NULL)
		return -1;
	m->buf = nb;
	m->bufcap = ncap;
	return 0;
}

static char *
put_u64(char *p, unsigned long long v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* v with exactly log10(scale) decimals (rounded half away from zero), no "-0". */
static char *
put_fixed(char *p, double v, long long scale)
{
	long long x = llround(v * (double)scale);

	if (x < 0) {
		*p++ = '-';
		x = -x;
	}
	p = put_u64(p, (unsigned long long)(x / scale));
	*p++ = '.';
	for (long long d = scale / 10; d > 0; d /= 10)
		*p++ = (char)('0' + (x / d) % 10);
	return p;
}

static void
ticker_str(int k, char out[5])
{
	/* An affine map with a multiplier coprime to 26: distinct numbers give distinct tickers. */
	long c = ((long)k * 7919 + 104729) % TICKER_SPACE;

	for (int i = 3; i >= 0; i--) {
		out[i] = (char)('A' + c % 26);
		c /= 26;
	}
	out[4] = '\0';
}

/* A generated market is shown to new users (the demo's alerts and dashboards): never a swear word as a
 * ticker. Returns 1 when ticker number k spells none of these. */
static int
ticker_ok(int k)
{
	static const char *const blocked[] = { "ANAL", "ANUS", "ARSE", "CLIT", "COCK", "COON", "CUNT", "DICK",
		"DYKE", "FAGS", "FUCK", "HOMO", "JIZZ", "KIKE", "NAZI", "PISS", "PORN", "RAPE", "SHIT", "SLUT",
		"SPIC", "TITS", "TWAT", "WANK", "WHOR" };
	char t[5];

	ticker_str(k, t);
	for (size_t i = 0; i < sizeof blocked / sizeof blocked[0]; i++)
		if (memcmp(t, blocked[i], 4) == 0)
			return 0;
	return 1;
}

/* The next ticker number to hand out (listings and ticker changes), skipping blocked words. */
static int
take_ticker(struct market *m)
{
	int k;

	do
		k = m->next_ticker++ % TICKER_SPACE;
	while (!ticker_ok(k));
	return k;
}

static double
round_cents(double v)
{
	return (double)llround(v * 100) / 100;
}

/* ---- the market ---- */

static void
list_security(market *m, struct slot *s, int initial)
{
	mrng *g = &m->g;
	double cap;

	s->id = m->next_id++;
	s->ticker = take_ticker(m);
	s->sector = (int)(mrng_uniform(g) * NSECTOR);
	s->beta = fmin(2.0, fmax(0.3, 1 + 0.3 * mrng_normal(g)));
	s->sect_load = fmin(1.8, fmax(0.2, 1 + 0.3 * mrng_normal(g)));
	s->vol = 0.28 * exp(0.35 * mrng_normal(g)) / sqrt(252);
	s->alpha = ALPHA_SD * mrng_normal(g);
	s->turnover = 0.006 * exp(0.5 * mrng_normal(g));
	s->price = fmin(400, fmax(4, (initial ? 35 : 20) * exp(0.8 * mrng_normal(g))));
	cap = (initial ? 4e9 : 1.5e9) * exp(1.3 * mrng_normal(g));
	s->shares = fmax(1e6, round(cap / s->price));
	s->price = round_cents(s->price);
	s->last_close = s->price;
	s->div_in = mrng_uniform(g) < 0.4 ? 1 + (int)(mrng_uniform(g) * DIV_EVERY) : -1;
	s->div_yield = (0.005 + 0.035 * mrng_uniform(g)) / 4;
	s->gap_left = 0;
	s->gap_empty = 0;
	s->relist_in = 0;
	/* Securities alive when the data starts have a return on day one; new listings have none. */
	s->first = !initial;
}

market *
market_new(const struct market_params *params)
{
	market *m;
	int n = params->securities;

	if (n < 1 || params->universe_size < 0)
		return NULL;
	m = calloc(1, sizeof *m);
	if (m == NULL)
		return NULL;
	m->p = *params;
	m->slot = calloc((size_t)n, sizeof *m->slot);
	m->order = malloc(sizeof *m->order * (size_t)n);
	m->tmp = malloc(sizeof *m->tmp * (size_t)n);
	m->cand_id = malloc(sizeof *m->cand_id * (size_t)n);
	m->cand_tk = malloc(sizeof *m->cand_tk * (size_t)n);
	m->cap = malloc(sizeof *m->cap * (size_t)n);
	m->capsel = malloc(sizeof *m->capsel * (size_t)n);
	if (!m->slot || !m->order || !m->tmp || !m->cand_id || !m->cand_tk || !m->cap || !m->capsel ||
	    reserve(m, 1u << 16) != 0) {
		market_free(m);
		return NULL;
	}
	mrng_seed(&m->g, params->seed);
	m->date = cal_prev(cal_on_or_after(params->start));
	m->lvol = MKT_LVOL_MEAN;
	m->next_id = FIRST_ID;
	for (int i = 0; i < n; i++) {
		list_security(m, &m->slot[i], 1);
		m->order[i] = i;
	}
	return m;
}

void
market_free(market *m)
{
	if (m == NULL)
		return;
	free(m->slot);
	free(m->order);
	free(m->tmp);
	free(m->cand_id);
	free(m->cand_tk);
	free(m->cap);
	free(m->capsel);
	free(m->buf);
	free(m);
}

int
market_date(const market *m)
{
	return m->date;
}

int
market_headers(market *m, FILE *prices, FILE *universe)
{
	fputs(m->p.shares_column ? "date,id,symbol,open,high,low,close,volume,ret,shares\n"
				 : "date,id,symbol,open,high,low,close,volume,ret\n", prices);
	if (universe != NULL)
		fputs("date,id,symbol\n", universe);
	return ferror(prices) || (universe != NULL && ferror(universe)) ? -1 : 0;
}

/* Fill empty slots whose wait is over; new ids are the largest, so they move to the end of the order. */
static void
relist(market *m)
{
	int n = m->p.securities, nkeep = 0, nnew = 0;

	for (int i = 0; i < n; i++) {
		struct slot *s = &m->slot[i];

		if (s->id == 0 && --s->relist_in <= 0) {
			list_security(m, s, 0);
			m->tmp[nnew++] = i;
		}
	}
	if (nnew == 0)
		return;
	for (int i = 0; i < n; i++) {
		int k = m->order[i], fresh = 0;

		for (int j = 0; j < nnew && !fresh; j++)
			fresh = m->tmp[j] == k;
		if (!fresh)
			m->order[nkeep++] = k;
	}
	memcpy(m->order + nkeep, m->tmp, sizeof *m->tmp * (size_t)nnew);
}

/* Row prefix "date,id,symbol," into the buffer. */
static char *
put_key(char *p, const char *date, const struct slot *s)
{
	char sym[5];

	memcpy(p, date, DATE_LEN);
	p += DATE_LEN;
	*p++ = ',';
	p = put_u64(p, (unsigned long long)s->id);
	*p++ = ',';
	ticker_str(s->ticker, sym);
	memcpy(p, sym, 4);
	p += 4;
	*p++ = ',';
	return p;
}

/* k-th largest of v[0..n) (0-based), reordering v: Hoare quickselect with a middle pivot. */
static double
kth_largest(double *v, int n, int k)
{
	int lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		int i = lo, j = hi;

		while (i <= j) {
			while (v[i] > pivot)
				i++;
			while (v[j] < pivot)
				j--;
			if (i <= j) {
				double t = v[i];

				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return v[k];
	}
	return v[k];
}

static int
write_universe(market *m, FILE *uni, const char *date, int ncand)
{
	int k = m->p.universe_size, nties;
	double thr;
	char line[64], sym[5], *p;

	if (k == 0)
		return 0;
	if (ncand > k) {
		memcpy(m->capsel, m->cap, sizeof *m->cap * (size_t)ncand);
		thr = kth_largest(m->capsel, ncand, k - 1);
		nties = k;
		for (int i = 0; i < ncand; i++)
			nties -= m->cap[i] > thr;
	} else {
		thr = -1;
		nties = ncand;
	}
	for (int i = 0; i < ncand; i++) {
		/* Ties at the threshold go to the lowest ids, so the snapshot has exactly K members. */
		if (!(m->cap[i] > thr || (m->cap[i] == thr && nties-- > 0)))
			continue;
		p = line;
		memcpy(p, date, DATE_LEN);
		p += DATE_LEN;
		*p++ = ',';
		p = put_u64(p, (unsigned long long)m->cand_id[i]);
		*p++ = ',';
		ticker_str(m->cand_tk[i], sym);
		memcpy(p, sym, 4);
		p += 4;
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), uni);
	}
	return ferror(uni) ? -1 : 0;
}

int
market_day(market *m, FILE *prices, FILE *universe)
{
	mrng *g = &m->g;
	double fm, fs[NSECTOR];
	char date[DATE_LEN + 1];
	int ncand = 0;

	m->date = m->ndays == 0 ? cal_on_or_after(m->p.start) : cal_next(m->date);
	m->ndays++;
	date_fmt(m->date, date);
	m->lvol = MKT_LVOL_PHI * m->lvol + (1 - MKT_LVOL_PHI) * MKT_LVOL_MEAN + MKT_LVOL_SD * mrng_normal(g);
	fm = MKT_MU + exp(m->lvol) * mrng_normal(g);
	for (int i = 0; i < NSECTOR; i++)
		fs[i] = SECTOR_SD * mrng_normal(g);
	relist(m);
	m->buflen = 0;

	for (int oi = 0; oi < m->p.securities; oi++) {
		int si = m->order[oi];
		struct slot *s = &m->slot[si];
		double r, u, k = 1, d = 0, c, ret, o, h, l, vol;
		int delist = 0;
		char *p;

		if (s->id == 0)
			continue;
		r = s->alpha + s->beta * fm + s->sect_load * fs[s->sector] + s->vol * mrng_normal(g);
		if (mrng_uniform(g) < JUMP_P)
			r += JUMP_SD * mrng_normal(g);
		r = fmax(r, -0.6);
		s->alpha = ALPHA_PHI * s->alpha + ALPHA_SD * sqrt(1 - ALPHA_PHI * ALPHA_PHI) * mrng_normal(g);
		u = mrng_uniform(g);
		if (s->gap_left == 0 && !s->first && u >= DELIST_P && u < DELIST_P + GAP_P) {
			s->gap_left = 1 + (int)(mrng_uniform(g) * GAP_MAX);
			s->gap_empty = mrng_uniform(g) < 0.5;
		}
		if (s->div_in > 0)
			s->div_in--;
		if (s->gap_left > 0) {
			/* Trading goes on unseen; no split or dividend falls in a gap, so the first `ret`
			 * after it is simply the price change since the last close written. */
			s->gap_left--;
			s->price *= 1 + r;
			if (s->div_in == 0)
				s->div_in = 1;
			if (s->gap_empty) {
				if (reserve(m, 64) != 0)
					return -1;
				p = put_key(m->buf + m->buflen, date, s);
				memcpy(p, ",,,,,", 5);
				p += 5;
				if (m->p.shares_column)
					*p++ = ',';
				*p++ = '\n';
				m->buflen = (size_t)(p - m->buf);
			}
			continue;
		}
		delist = !s->first && u < DELIST_P;
		if (u >= DELIST_P + GAP_P && u < DELIST_P + GAP_P + RENAME_P)
			s->ticker = take_ticker(m);
		if (s->div_in == 0) {
			d = s->price * (1 + r) * s->div_yield;
			s->div_in = DIV_EVERY;
		}
		if ((s->price > 150 || s->price < 2) && mrng_uniform(g) < SPLIT_P) {
			double v = mrng_uniform(g);

			k = s->price < 2 ? 0.1 : v < 0.7 ? 2 : v < 0.9 ? 3 : 4;
		}
		s->price = (s->price * (1 + r) - d) / k;
		s->shares = round(s->shares * k);
		c = fmax(0.01, round_cents(s->price));
		if (c < PENNY && !s->first)
			delist = 2;
		ret = (c * k + d) / s->last_close - 1;
		if (delist)
			ret = (1 + ret) * (1 + (delist == 2 ? -0.3 * mrng_uniform(g)
			    : mrng_uniform(g) < 0.6 ? 0.05 + 0.3 * mrng_uniform(g) : -0.1 - 0.5 * mrng_uniform(g))) - 1;
		/* The day's path: open, then an intraday move to the close; high and low bracket both. */
		o = fmax(0.01, round_cents(c * exp(-0.6 * log1p(r) + 0.3 * s->vol * mrng_normal(g))));
		h = fmax(fmax(o, c), round_cents(fmax(o, c) * (1 + 0.5 * s->vol * fabs(mrng_normal(g)))));
		l = fmax(0.01, fmin(fmin(o, c), round_cents(fmin(o, c) * (1 - 0.5 * s->vol * fabs(mrng_normal(g))))));
		vol = round(s->shares * s->turnover * exp(0.5 * mrng_normal(g) - 0.125) * (1 + 20 * fabs(r)));
		vol = fmax(vol, 100);

		if (reserve(m, 160) != 0)
			return -1;
		p = put_key(m->buf + m->buflen, date, s);
		p = put_fixed(p, o, 100);
		*p++ = ',';
		p = put_fixed(p, h, 100);
		*p++ = ',';
		p = put_fixed(p, l, 100);
		*p++ = ',';
		p = put_fixed(p, c, 100);
		*p++ = ',';
		p = put_u64(p, (unsigned long long)vol);
		*p++ = ',';
		if (!s->first)
			p = put_fixed(p, ret, 1000000);
		if (m->p.shares_column) {
			*p++ = ',';
			p = put_u64(p, (unsigned long long)s->shares);
		}
		*p++ = '\n';
		m->buflen = (size_t)(p - m->buf);
		s->last_close = c;
		s->first = 0;
		if (c * vol >= m->p.min_dollar_volume) {
			m->cand_id[ncand] = s->id;
			m->cand_tk[ncand] = s->ticker;
			m->cap[ncand++] = c * s->shares;
		}
		if (delist) {
			s->id = 0;
			s->relist_in = 1 + (int)(-15 * log(1 - mrng_uniform(g)));
		}
	}
	fwrite(m->buf, 1, m->buflen, prices);
	if (ferror(prices))
		return -1;
	return universe != NULL ? write_universe(m, universe, date, ncand) : 0;
}
