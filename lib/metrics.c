#include "metrics.h"

#include <math.h>
#include <string.h>

#include "date.h"

/* pandas treats sums of powers smaller than this as rounding noise (nanops._zero_out_fperr). */
static double
zero_fperr(double x)
{
	return fabs(x) > 1e-14 ? x : 0;
}

/* Bias-corrected skewness and excess kurtosis, the way pandas' nanskew / nankurt compute them. */
static void
moments(const double *r, size_t n, double mean, double *skew, double *kurt)
{
	double m2 = 0, m3 = 0, m4 = 0, c = (double)n;

	for (size_t i = 0; i < n; i++) {
		double d = r[i] - mean, d2 = d * d;

		m2 += d2;
		m3 += d2 * d;
		m4 += d2 * d2;
	}
	if (n < 3) {
		*skew = NAN;
	} else {
		double a2 = zero_fperr(m2), a3 = zero_fperr(m3);

		*skew = a2 == 0 ? 0 : c * sqrt(c - 1) / (c - 2) * (a3 / pow(a2, 1.5));
	}
	if (n < 4) {
		*kurt = NAN;
	} else {
		double adj = 3 * (c - 1) * (c - 1) / ((c - 2) * (c - 3));
		double num = zero_fperr(c * (c + 1) * (c - 1) * m4);
		double den = zero_fperr((c - 2) * (c - 3) * (m2 * m2));

		*kurt = den == 0 ? 0 : num / den - adj;
	}
}

void
mt_compute(const double *r, size_t n, double rf, struct mt_stats *m)
{
	double rfd = pow(1 + rf, 1.0 / MT_PERIODS) - 1, c = (double)n;
	double prod = 1, peak = 1, maxdd = 0, sum = 0, esum = 0, ss = 0, ess = 0, down = 0;
	double pos = 0, neg = 0, best = -INFINITY, worst = INFINITY, below = 0;
	size_t nwin = 0, nnz = 0, nbelow = 0;
	double mean, emean, sd, esd;

	for (size_t i = 0; i < n; i++) {
		double x = r[i], e = x - rfd;

		prod *= 1 + x;
		if (prod > peak)
			peak = prod;
		if (prod / peak - 1 < maxdd)
			maxdd = prod / peak - 1;
		sum += x;
		esum += e;
		if (e < 0) {
			down += e * e;
			neg += e;
		} else if (e > 0) {
			pos += e;
		}
		nwin += x > 0;
		nnz += x != 0;
		if (x > best)
			best = x;
		if (x < worst)
			worst = x;
	}
	mean = sum / c;
	emean = esum / c;
	for (size_t i = 0; i < n; i++) {
		double d = r[i] - mean, ed = (r[i] - rfd) - emean;

		ss += d * d;
		ess += ed * ed;
	}
	sd = n > 1 ? sqrt(ss / (c - 1)) : NAN;
	esd = n > 1 ? sqrt(ess / (c - 1)) : NAN;

	memset(m, 0, sizeof *m);
	m->cumulative_return = prod - 1;
	m->cagr = pow(fabs(prod), MT_PERIODS / c) - 1;
	m->volatility = sd * sqrt(MT_PERIODS);
	m->sharpe = emean / esd * sqrt(MT_PERIODS);
	m->sortino = emean / sqrt(down / c) * sqrt(MT_PERIODS);
	m->max_drawdown = maxdd;
	m->calmar = maxdd < 0 ? m->cagr / fabs(maxdd) : NAN;
	m->omega = neg < 0 ? pos / -neg : NAN;
	moments(r, n, mean, &m->skew, &m->kurtosis);
	m->var_95 = mean + sd * MT_Z05;
	for (size_t i = 0; i < n; i++)
		if (r[i] < m->var_95) {
			below += r[i];
			nbelow++;
		}
	m->cvar_95 = nbelow > 0 ? below / (double)nbelow : m->var_95;
	m->win_rate = nnz > 0 ? (double)nwin / (double)nnz : 0;
	m->best_day = best;
	m->worst_day = worst;
	if (n == 0) {
		double *f = (double *)m;

		for (size_t i = 0; i < sizeof *m / sizeof(double); i++)
			f[i] = NAN;
	}
}

void
mt_greeks(const double *r, const double *b, size_t n, double *beta, double *alpha)
{
	double mr = 0, mb = 0, cov = 0, var = 0;

	*beta = *alpha = NAN;
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++) {
		mr += r[i];
		mb += b[i];
	}
	mr /= (double)n;
	mb /= (double)n;
	for (size_t i = 0; i < n; i++) {
		cov += (r[i] - mr) * (b[i] - mb);
		var += (b[i] - mb) * (b[i] - mb);
	}
	if (var == 0)
		return;
	/* numpy.cov divides both by n - 1, which cancels in the ratio. */
	*beta = (cov / (double)(n - 1)) / (var / (double)(n - 1));
	*alpha = (mr - *beta * mb) * MT_PERIODS;
}

/* Insert d into the k-slot list out[0..*nout), kept worst first. */
static void
dd_insert(struct mt_drawdown *out, size_t *nout, size_t k, const struct mt_drawdown *d)
{
	size_t i = *nout;

	if (k == 0)
		return;
	if (i == k) {
		if (!(d->max_drawdown < out[k - 1].max_drawdown))
			return; /* ties keep the earlier period */
		i = k - 1;
	} else {
		(*nout)++;
	}
	while (i > 0 && d->max_drawdown < out[i - 1].max_drawdown) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = *d;
}

size_t
mt_drawdowns(const int *date, const double *r, size_t n, struct mt_drawdown *out, size_t k)
{
	double w = 1, peak = 1;
	struct mt_drawdown cur = { 0 };
	int under = 0;
	size_t nout = 0;

	for (size_t i = 0; i < n; i++) {
		double dd;

		w *= 1 + r[i];
		if (w > peak)
			peak = w;
		dd = w / peak - 1;
		if (dd < 0) {
			if (!under) {
				cur = (struct mt_drawdown){ .start = date[i], .valley = date[i], .end = date[i], .days = 1,
					.max_drawdown = dd };
				under = 1;
			}
			if (dd < cur.max_drawdown) {
				cur.max_drawdown = dd;
				cur.valley = date[i];
			}
			cur.end = date[i];
		} else if (under) {
			cur.days = cur.end - cur.start + 1;
			cur.recovery = date[i];
			dd_insert(out, &nout, k, &cur);
			under = 0;
		}
	}
	if (under) {
		cur.days = cur.end - cur.start + 1;
		cur.open = 1;
		dd_insert(out, &nout, k, &cur);
	}
	return nout;
}

size_t
mt_periods(const int *date, const double *r, const double *rb, size_t n, int monthly,
    struct mt_period *out, size_t max)
{
	size_t np = 0;
	double pr = 1, pb = 1;
	int key = 0, y, m, d;

	for (size_t i = 0; i <= n; i++) {
		int k = -1;

		if (i < n) {
			date_to_ymd(date[i], &y, &m, &d);
			k = monthly ? y * 12 + m - 1 : y * 12;
		}
		if (i > 0 && k != key) {
			if (np < max)
				out[np] = (struct mt_period){ key / 12, monthly ? key % 12 + 1 : 0, pr - 1, pb - 1 };
			np++;
			pr = pb = 1;
		}
		if (i == n)
			break;
		key = k;
		pr *= 1 + r[i];
		pb *= 1 + rb[i];
	}
	return np;
}
