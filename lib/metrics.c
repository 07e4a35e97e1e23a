#include "metrics.h"

#include <math.h>
#include <stdlib.h>
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

double
mt_comp(const double *r, size_t n)
{
	double w = 1;

	for (size_t i = 0; i < n; i++)
		w *= 1 + r[i];
	return w - 1;
}

/* A key for the calendar period that holds day, growing with time. Day 0 (1970-01-01) is a Thursday, so
 * (day + 3) / 7 changes on Mondays; the offset keeps the division on positive numbers back to 1800. */
static long
span_key(int day, enum mt_span span)
{
	int y, m, d;

	if (span == MT_WEEK)
		return (long)((day + 3 + 700000) / 7);
	date_to_ymd(day, &y, &m, &d);
	return span == MT_MONTH ? y * 12L + m - 1 : span == MT_QUARTER ? y * 4L + (m - 1) / 3 : y;
}

size_t
mt_span_end(const int *date, size_t n, size_t i, enum mt_span span)
{
	long k = span_key(date[i], span);

	while (++i < n && span_key(date[i], span) == k)
		;
	return i;
}

size_t
mt_compound(const int *date, const double *r, size_t n, enum mt_span span, double *out)
{
	size_t k = 0;

	for (size_t i = 0, j; i < n; i = j) {
		j = mt_span_end(date, n, i, span);
		out[k++] = mt_comp(r + i, j - i);
	}
	return k;
}

size_t
mt_periods(const int *date, const double *r, const double *rb, size_t n, int monthly,
    struct mt_period *out, size_t max)
{
	size_t np = 0;
	int y, m, d;

	for (size_t i = 0, j; i < n; i = j, np++) {
		j = mt_span_end(date, n, i, monthly ? MT_MONTH : MT_YEAR);
		date_to_ymd(date[i], &y, &m, &d);
		if (np < max)
			out[np] = (struct mt_period){ y, monthly ? m : 0, mt_comp(r + i, j - i), mt_comp(rb + i, j - i) };
	}
	return np;
}

int
mt_months_before(int day, int k)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, len, idx;

	date_to_ymd(day, &y, &m, &d);
	idx = y * 12 + (m - 1) - k;
	y = idx >= 0 ? idx / 12 : -((-idx + 11) / 12);
	m = idx - y * 12 + 1;
	len = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	return date_from_ymd(y, m, d < len ? d : len);
}

/* prod(1 + r) - 1 over the rows dated from `from` on; annualised (CAGR over their count) when ann. */
static double
trailing(const int *date, const double *r, size_t n, int from, int ann)
{
	double w = 1;
	size_t k = 0;

	for (size_t i = n; i-- > 0 && date[i] >= from;) {
		w *= 1 + r[i];
		k++;
	}
	if (k == 0)
		return NAN;
	return ann ? pow(fabs(w), MT_PERIODS / (double)k) - 1 : w - 1;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* numpy's linear percentile of sorted s[0..n), q in [0, 1]. */
static double
quantile_sorted(const double *s, size_t n, double q)
{
	double h = (double)(n - 1) * q, lo = floor(h);
	size_t i = (size_t)lo;

	return i + 1 < n ? s[i] + (h - lo) * (s[i + 1] - s[i]) : s[n - 1];
}

void
mt_extra(const int *date, const double *r, const double *b, size_t n, struct mt_extra *x)
{
	double w = 1, peak = 1, maxdd = 0, dd2 = 0, sum = 0, wins = 0, losses = 0, cur_dd = 0;
	double dd_sum = 0, days_sum = 0;
	size_t ndd = 0, nz = 0, i;
	int y, m, d, T, under = 0, start = 0, end = 0;
	double *sorted;

	for (double *f = (double *)x; f < (double *)(x + 1); f++)
		*f = NAN;
	if (n == 0)
		return;
	T = date[n - 1];
	date_to_ymd(T, &y, &m, &d);
	x->mtd = trailing(date, r, n, date_from_ymd(y, m, 1), 0);
	x->m3 = trailing(date, r, n, mt_months_before(T, 3), 0);
	x->m6 = trailing(date, r, n, mt_months_before(T, 6), 0);
	x->ytd = trailing(date, r, n, date_from_ymd(y, 1, 1), 0);
	x->y1 = trailing(date, r, n, mt_months_before(T, 12), 0);
	x->y3 = trailing(date, r, n, mt_months_before(T, 35), 1);
	x->y5 = trailing(date, r, n, mt_months_before(T, 59), 1);
	x->y10 = trailing(date, r, n, mt_months_before(T, 120), 1);
	x->all = trailing(date, r, n, date[0], 1);

	/* Calendar months and years: compounded, the best and worst. */
	for (int yearly = 0; yearly < 2; yearly++) {
		double best = -INFINITY, worst = INFINITY, g;
		for (size_t a = 0, j; a < n; a = j) {
			j = mt_span_end(date, n, a, yearly ? MT_YEAR : MT_MONTH);
			g = mt_comp(r + a, j - a);
			best = fmax(best, g);
			worst = fmin(worst, g);
		}
		*(yearly ? &x->best_year : &x->best_month) = best;
		*(yearly ? &x->worst_year : &x->worst_month) = worst;
	}

	/* Drawdown periods (as mt_drawdowns), the daily drawdown for the ulcer index. */
	x->longest_dd_days = 0;
	for (i = 0; i <= n; i++) {
		double dd = 0;
		if (i < n) {
			w *= 1 + r[i];
			peak = w > peak ? w : peak;
			dd = w / peak - 1;
			dd2 += dd * dd;
			maxdd = dd < maxdd ? dd : maxdd;
			sum += r[i];
			if (r[i] >= 0)
				wins += r[i];
			else
				losses += r[i];
			nz += r[i] != 0;
		}
		if (dd < 0) {
			if (!under) {
				under = 1;
				start = date[i];
				cur_dd = 0;
			}
			cur_dd = dd < cur_dd ? dd : cur_dd;
			end = date[i];
		} else if (under) {
			under = 0;
			ndd++;
			dd_sum += cur_dd;
			days_sum += end - start + 1;
			x->longest_dd_days = fmax(x->longest_dd_days, end - start + 1);
		}
	}
	if (ndd > 0) {
		x->avg_dd = dd_sum / (double)ndd;
		x->avg_dd_days = days_sum / (double)ndd;
	}
	x->recovery_factor = maxdd < 0 ? fabs(sum) / fabs(maxdd) : NAN;
	x->ulcer_index = n > 1 ? sqrt(dd2 / (double)(n - 1)) : NAN;
	x->time_in_market = ceil((double)nz / (double)n * 100) / 100;
	x->profit_factor = losses < 0 ? wins / -losses : wins > 0 ? INFINITY : 0;
	if ((sorted = malloc(n * sizeof *sorted)) != NULL) {
		double lo, hi;
		memcpy(sorted, r, n * sizeof *sorted);
		qsort(sorted, n, sizeof *sorted, cmp_dbl);
		hi = quantile_sorted(sorted, n, 0.95);
		lo = quantile_sorted(sorted, n, 0.05);
		x->tail_ratio = lo != 0 ? fabs(hi / lo) : NAN;
		free(sorted);
	}
	if (b != NULL && n > 1) {
		double mr = 0, mb = 0, sxy = 0, sxx = 0, syy = 0;
		for (i = 0; i < n; i++) {
			mr += r[i];
			mb += b[i];
		}
		mr /= (double)n;
		mb /= (double)n;
		for (i = 0; i < n; i++) {
			sxy += (r[i] - mr) * (b[i] - mb);
			sxx += (r[i] - mr) * (r[i] - mr);
			syy += (b[i] - mb) * (b[i] - mb);
		}
		x->r_squared = sxx > 0 && syy > 0 ? sxy * sxy / (sxx * syy) : NAN;
	}
}

void
mt_rolling_sortino(const double *r, size_t n, size_t w, double *out)
{
	/* Each window from scratch, in index order: exact sums, and n x w is small (w is half a year). */
	for (size_t i = 0; i < n; i++) {
		double s = 0, neg = 0;
		size_t nneg = 0;

		if (w == 0 || i + 1 < w) {
			out[i] = NAN;
			continue;
		}
		for (size_t j = i + 1 - w; j <= i; j++) {
			s += r[j];
			if (r[j] < 0) {
				neg += r[j] * r[j];
				nneg++;
			}
		}
		/* no loss in the window: quantstats divides by 0 (infinity); a gap here */
		out[i] = nneg > 0 ? s / (double)w / sqrt(neg / (double)w) * sqrt(MT_PERIODS) : NAN;
	}
}

void
mt_rolling_beta(const double *r, const double *b, size_t n, size_t w, double *out)
{
	/* Each window from scratch (two passes): n x w operations, exact, and w is at most a year. */
	for (size_t i = 0; i < n; i++) {
		double mr = 0, mb = 0, cov = 0, var = 0;
		size_t j0;

		if (w < 2 || i + 1 < w) {
			out[i] = NAN;
			continue;
		}
		j0 = i + 1 - w;
		for (size_t j = j0; j <= i; j++) {
			mr += r[j];
			mb += b[j];
		}
		mr /= (double)w;
		mb /= (double)w;
		for (size_t j = j0; j <= i; j++) {
			cov += (r[j] - mr) * (b[j] - mb);
			var += (b[j] - mb) * (b[j] - mb);
		}
		out[i] = var > 0 ? cov / var : NAN;
	}
}

/* ============================================================ probabilistic and deflated Sharpe */

double
mt_norm_cdf(double x)
{
	return 0.5 * erfc(-x / sqrt(2.0));
}

/* Acklam's rational approximation (relative error 1.15e-9), then one Halley step on the exact CDF. */
double
mt_norm_ppf(double p)
{
	static const double a[6] = { -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
		1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[5] = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
		6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[6] = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
		-2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00 };
	static const double d[4] = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
		3.754408661907416e+00 };
	double q, r, x, e, u;

	if (!(p > 0 && p < 1))
		return NAN;
	if (p < 0.02425) {
		q = sqrt(-2 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	} else if (p <= 1 - 0.02425) {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
	} else {
		q = sqrt(-2 * log1p(-p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	e = mt_norm_cdf(x) - p;
	u = e * 2.5066282746310002 * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

double
mt_psr(double sr, double sr0, double n, double skew, double exkurt)
{
	double v = 1 - skew * sr + (exkurt + 2) / 4 * sr * sr;

	if (!(n >= 2) || !(v > 0))
		return NAN;
	return mt_norm_cdf((sr - sr0) * sqrt(n - 1) / sqrt(v));
}

double
mt_expected_max_sr(double var_sr, double ntrials)
{
	const double g = 0.5772156649015329; /* Euler-Mascheroni */

	if (!(ntrials >= 2) || !(var_sr >= 0))
		return NAN;
	return sqrt(var_sr) * ((1 - g) * mt_norm_ppf(1 - 1 / ntrials) + g * mt_norm_ppf(1 - 1 / (ntrials * 2.718281828459045)));
}

double
mt_dsr(double sr, double n, double skew, double exkurt, double var_sr, double ntrials)
{
	return mt_psr(sr, mt_expected_max_sr(var_sr, ntrials), n, skew, exkurt);
}

void
mt_deflate(const struct mt_trial *t, size_t ntrials, double *dsr)
{
	double mean = 0, var = 0;
	size_t k = 0;

	for (size_t i = 0; i < ntrials; i++) /* Welford's running mean and sum of squared deviations */
		if (!isnan(t[i].sr)) {
			double d = t[i].sr - mean;
			mean += d / (double)++k;
			var += d * (t[i].sr - mean);
		}
	var = k > 1 ? var / (double)(k - 1) : NAN;
	for (size_t i = 0; i < ntrials; i++)
		dsr[i] = mt_dsr(t[i].sr, t[i].n, t[i].skew, t[i].exkurt, var, (double)ntrials);
}
