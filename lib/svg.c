#include "svg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "html.h"
#include "num.h"

#define ML 62 /* plot margins in viewBox units: room for y labels on the left, x labels below */
#define MR 14
#define MT 10
#define MB 26
#define MAXTICKS 24

/* ============================================================ figure frame */

/* dense: a heatmap whose cells are too narrow for their numbers on a phone (the page hides them there;
 * a tap shows the cell's title). */
static void
figure_begin(FILE *fp, const svg_chart *c, int height, int dense)
{
	fputs("<figure class=\"chart\" id=\"", fp);
	html_esc(fp, c->id);
	fputs("\"><figcaption>", fp);
	html_esc(fp, c->title);
	fputs("</figcaption>", fp);
	if (c->nser > 1 || c->area) {
		fputs("<div class=\"lg\">", fp);
		for (int s = 0; s < c->nser; s++) {
			fprintf(fp, "<span class=\"k%d\">", s % 3);
			html_esc(fp, c->names[s]);
			fputs("</span>", fp);
		}
		fputs("</div>", fp);
	}
	fprintf(fp, "<div class=\"cw\"><svg class=\"ch%s\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
	    dense ? " dense" : "", c->width, height);
	html_esc(fp, c->title);
	fputs("\">\n", fp);
}

static void
figure_end(FILE *fp)
{
	fputs("</svg><div class=\"tip\" hidden></div></div></figure>\n", fp);
}

/* ============================================================ axis labels */

/* Label a value for an axis whose ticks are step apart. */
static char *
axis_label(double v, double step, enum svg_fmt fmt, char *buf)
{
	int dec;
	double a;

	if (fmt == SVG_CUM)
		v -= 1;
	if (fmt == SVG_PCT || fmt == SVG_CUM) {
		dec = step * 100 >= 1 ? 0 : step * 100 >= 0.1 ? 1 : 2;
		return html_fmt_pct(v, dec, buf);
	}
	if (fmt == SVG_USD) {
		a = fabs(step);
		if (fabs(v) >= 1e6 || a >= 1e6)
			snprintf(buf, HTML_NUM_MAX, "%s$%.*fM", v < 0 ? "\xe2\x88\x92" : "", a >= 1e6 ? 0 : a >= 1e5 ? 1 : 2,
			    fabs(v) / 1e6);
		else if (fabs(v) >= 1e3 || a >= 1e3)
			snprintf(buf, HTML_NUM_MAX, "%s$%.*fk", v < 0 ? "\xe2\x88\x92" : "", a >= 1e3 ? 0 : 1,
			    fabs(v) / 1e3);
		else
			html_fmt_usd(v, a >= 1 ? 0 : 2, buf);
		if (v == 0)
			strcpy(buf, "$0");
		return buf;
	}
	dec = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3;
	return html_fmt_num(v, dec, buf);
}

/* A "nice" step (1, 2 or 5 times a power of ten) giving about n intervals over span. */
static double
nice_step(double span, int n)
{
	double raw = span / n, p, f;

	if (!(raw > 0))
		return 1;
	p = pow(10, floor(log10(raw)));
	f = raw / p;
	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

/* Linear ticks for the data range [*lo, *hi]: the range gets a small margin (except a bound at exactly
 * zero, the baseline of bars), and the ticks are the multiples of a nice step inside it. Returns their
 * count. */
static int
lin_ticks(double *lo, double *hi, int n, double *ticks, double *stepout)
{
	double step, t, pad;
	int k = 0;

	if (!(*hi > *lo)) {
		pad = *lo != 0 ? fabs(*lo) * 0.1 : 1;
		*lo -= pad;
		*hi += pad;
	}
	pad = (*hi - *lo) * 0.04;
	if (*lo != 0)
		*lo -= pad;
	if (*hi != 0)
		*hi += pad;
	step = nice_step(*hi - *lo, n);
	for (t = ceil(*lo / step - 1e-9) * step; t <= *hi + step * 1e-9 && k < MAXTICKS; t += step)
		ticks[k++] = fabs(t) < step * 1e-9 ? 0 : t;
	*stepout = step;
	return k;
}

/* Log ticks over [lo, hi] (both > 0): 1-2-5 decades, or plain decades when those are too many, or
 * linear ticks when the range is under a factor of 3. */
static int
log_ticks(double lo, double hi, double *ticks, double *stepout)
{
	static const double m125[] = { 1, 2, 5 };
	int k = 0, e, i, decades = (int)(floor(log10(hi)) - floor(log10(lo)));
	double t, llo = lo, lhi = hi;

	if (hi / lo < 3) {
		int nk = lin_ticks(&llo, &lhi, 4, ticks, stepout);
		for (i = 0; i < nk; i++)
			if (ticks[i] >= lo && ticks[i] <= hi)
				ticks[k++] = ticks[i];
		return k;
	}
	for (e = (int)floor(log10(lo)); e <= (int)ceil(log10(hi)) && k < MAXTICKS; e++)
		for (i = 0; i < 3; i++) {
			if (decades > 3 && i > 0)
				continue;
			t = m125[i] * pow(10, e);
			if (t >= lo * 0.999 && t <= hi * 1.001 && k < MAXTICKS)
				ticks[k++] = t;
		}
	*stepout = 0.01; /* label percentages with no decimals */
	return k;
}

/* ============================================================ reduction */

size_t
svg_reduce(const double *const *ys, int nser, size_t n, size_t buckets, size_t *idx)
{
	size_t b, i, k = 0, lo, hi, cand[2 + 2 * 8], nc, j, t;

	if (buckets == 0 || n <= 4 * buckets) {
		for (i = 0; i < n; i++)
			idx[i] = i;
		return n;
	}
	if (nser > 8)
		nser = 8;
	for (b = 0; b < buckets; b++) {
		lo = n * b / buckets;
		hi = n * (b + 1) / buckets;
		if (lo >= hi)
			continue;
		nc = 0;
		cand[nc++] = lo;
		cand[nc++] = hi - 1;
		for (int s = 0; s < nser; s++) {
			size_t imin = lo, imax = lo;
			int seen = 0;
			for (i = lo; i < hi; i++) {
				double v = ys[s][i];
				if (isnan(v))
					continue;
				if (!seen || v < ys[s][imin])
					imin = i;
				if (!seen || v > ys[s][imax])
					imax = i;
				seen = 1;
			}
			if (seen) {
				cand[nc++] = imin;
				cand[nc++] = imax;
			}
		}
		for (i = 1; i < nc; i++) /* insertion sort: at most 18 candidates */
			for (j = i; j > 0 && cand[j - 1] > cand[j]; j--) {
				t = cand[j];
				cand[j] = cand[j - 1];
				cand[j - 1] = t;
			}
		for (i = 0; i < nc; i++)
			if (i == 0 || cand[i] != cand[i - 1])
				idx[k++] = cand[i];
	}
	return k;
}

/* ============================================================ line charts */

/* Every other x label is of class "x2": the page hides those on a narrow screen, where the text is
 * larger against the chart. */
static void
date_ticks(FILE *fp, int d0, int d1, double x0, double pw, int ybase)
{
	int y0, m0, dd, y1, m1, step, y, m, day, nyears, nl = 0;
	char buf[32];

	date_to_ymd(d0, &y0, &m0, &dd);
	date_to_ymd(d1, &y1, &m1, &dd);
	nyears = y1 - y0;
	if (nyears >= 3) {
		step = nyears <= 8 ? 1 : nyears <= 16 ? 2 : nyears <= 40 ? 5 : 10;
		for (y = y0 + 1; y <= y1; y++) {
			if (y % step != 0)
				continue;
			day = date_from_ymd(y, 1, 1);
			double x = x0 + pw * (day - d0) / (double)(d1 - d0);
			fprintf(fp, "<line class=\"g\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
			    "<text%s x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
			    x, x, MT, ybase, nl++ % 2 ? " class=\"x2\"" : "", x, ybase + 16, y);
		}
		return;
	}
	int months = (y1 - y0) * 12 + (m1 - m0);
	if (months < 4) { /* a few weeks: ticks every 1, 2, 7 or 14 days, labelled MM-DD */
		int span = d1 - d0, sd = span <= 8 ? 1 : span <= 16 ? 2 : span <= 56 ? 7 : 14;
		/* weekly ticks fall on Mondays */
		for (day = sd >= 7 ? d0 + (8 - date_weekday(d0)) % 7 : d0 + 1; day < d1; day += sd) {
			double x = x0 + pw * (day - d0) / (double)(d1 - d0);
			date_fmt(day, buf);
			fprintf(fp, "<line class=\"g\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
			    "<text%s x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, x, MT, ybase,
			    nl++ % 2 ? " class=\"x2\"" : "", x, ybase + 16, buf + 5);
		}
		return;
	}
	step = months <= 8 ? 1 : months <= 16 ? 2 : months <= 30 ? 3 : 6;
	for (y = y0, m = m0 + 1;; m++) {
		if (m > 12) {
			m = 1;
			y++;
		}
		day = date_from_ymd(y, m, 1);
		if (day > d1)
			break;
		if ((m - 1) % step != 0)
			continue;
		double x = x0 + pw * (day - d0) / (double)(d1 - d0);
		snprintf(buf, sizeof buf, "%04d-%02d", y, m);
		fprintf(fp, "<line class=\"g\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
		    "<text%s x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x, x, MT, ybase,
		    nl++ % 2 ? " class=\"x2\"" : "", x, ybase + 16, buf);
	}
}

static void
y_grid(FILE *fp, const svg_chart *c, const double *ticks, int nt, double step, double (*ymap)(double, const void *),
    const void *ctx)
{
	char buf[HTML_NUM_MAX];

	for (int i = 0; i < nt; i++) {
		double y = ymap(ticks[i], ctx);
		int zero = (c->fmt == SVG_CUM ? ticks[i] == 1 : ticks[i] == 0);
		fprintf(fp, "<line class=\"%s\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>"
		    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
		    zero ? "z" : "g", ML, c->width - MR, y, y, ML - 6, y + 4, axis_label(ticks[i], step, c->fmt, buf));
	}
}

struct ymap {
	double lo, hi;   /* value range (log10 of it on a log axis) */
	double top, bot; /* pixel rows */
	int log;
};

static double
ymap(double v, const void *ctx)
{
	const struct ymap *m = ctx;
	if (m->log)
		v = log10(v);
	return m->bot - (v - m->lo) / (m->hi - m->lo) * (m->bot - m->top);
}

static int
usable(double v, int log)
{
	return log ? v > 0 && isfinite(v) : isfinite(v);
}

/* A value with up to 9 significant digits, for tooltip data (compact, yet exact to the cent for a NAV). */
/* Write v with one decimal (a viewBox coordinate), as %.1f but without printf's cost: a line chart writes
 * tens of thousands of them. Halves round away from zero (printf rounds the binary value; a coordinate a
 * tenth of a unit off either way draws the same). */
static void
put_f1(FILE *fp, double v)
{
	char b[32], *p = b + sizeof b;
	long long t;
	int neg = v < 0;

	if (!(fabs(v) < 1e15)) {
		fprintf(fp, "%.1f", v);
		return;
	}
	t = llround(fabs(v) * 10);
	*--p = (char)('0' + t % 10);
	*--p = '.';
	t /= 10;
	do
		*--p = (char)('0' + t % 10);
	while ((t /= 10) > 0);
	if (neg && !(p[0] == '0' && p[1] == '.' && p[2] == '0' && p + 3 == b + sizeof b))
		*--p = '-';
	fwrite(p, 1, (size_t)(b + sizeof b - p), fp);
}

/* Write v with 9 significant digits, trailing zeros dropped (a tooltip value; %.9g's digits, faster). */
static void
put_g(FILE *fp, double v)
{
	char b[40], *p = b;
	double a = fabs(v);
	long long m;
	int e, point, i, nd;
	char dig[10];

	if (!isfinite(v)) {
		fputs("NaN", fp);
		return;
	}
	if (a == 0) {
		fputc('0', fp);
		return;
	}
	e = (int)floor(log10(a));
	if (e < -5 || e > 8) { /* beyond plain decimals: printf's exponent form */
		fprintf(fp, "%.9g", v);
		return;
	}
	m = llround(a * pow(10, 8 - e));
	if (m >= 1000000000LL) { /* rounding carried into a tenth digit */
		m /= 10;
		e++;
		if (e > 8) {
			fprintf(fp, "%.9g", v);
			return;
		}
	} else if (m < 100000000LL) { /* log10 a hair below the power of ten */
		m = llround(a * pow(10, 9 - e));
		e--;
	}
	for (i = 8; i >= 0; i--, m /= 10)
		dig[i] = (char)('0' + m % 10);
	for (nd = 9; nd > 1 && dig[nd - 1] == '0'; nd--)
		;
	if (v < 0)
		*p++ = '-';
	if (e < 0) {
		*p++ = '0';
		*p++ = '.';
		for (i = -1; i > e; i--)
			*p++ = '0';
		for (i = 0; i < nd; i++)
			*p++ = dig[i];
	} else {
		point = e + 1;
		for (i = 0; i < (nd > point ? nd : point); i++) {
			if (i == point)
				*p++ = '.';
			*p++ = i < nd ? dig[i] : '0';
		}
	}
	fwrite(b, 1, (size_t)(p - b), fp);
}

int
svg_line(FILE *fp, const svg_chart *c, const int *days, const double *const *ys, size_t n)
{
	double lo = INFINITY, hi = -INFINITY, ticks[MAXTICKS], step, pw = c->width - ML - MR;
	int nt, ybase = c->height - MB, first, nser = c->nser;
	size_t i, k, nidx, *idx;
	struct ymap m = { 0 };

	for (int s = 0; s < nser; s++)
		for (i = 0; i < n; i++)
			if (usable(ys[s][i], c->log)) {
				if (ys[s][i] < lo)
					lo = ys[s][i];
				if (ys[s][i] > hi)
					hi = ys[s][i];
			}
	figure_begin(fp, c, c->height, 0);
	if (n < 2 || !(lo <= hi)) {
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">not enough data</text>\n", c->width / 2,
		    c->height / 2);
		figure_end(fp);
		return 0;
	}
	idx = malloc(n * sizeof *idx);
	if (idx == NULL)
		return -1;
	if (c->area && hi < 0)
		hi = 0;
	if (c->log) {
		if (!(hi > lo)) {
			lo /= 1.1;
			hi *= 1.1;
		}
		nt = log_ticks(lo, hi, ticks, &step);
		m.lo = log10(lo);
		m.hi = log10(hi);
	} else if (c->fmt == SVG_CUM) { /* ticks at round cumulative returns, not round wealth */
		lo -= 1;
		hi -= 1;
		nt = lin_ticks(&lo, &hi, 5, ticks, &step);
		for (int t = 0; t < nt; t++)
			ticks[t] += 1;
		m.lo = lo + 1;
		m.hi = hi + 1;
	} else {
		nt = lin_ticks(&lo, &hi, 5, ticks, &step);
		m.lo = lo;
		m.hi = hi;
	}
	m.top = MT;
	m.bot = ybase;
	m.log = c->log;
	y_grid(fp, c, ticks, nt, step, ymap, &m);
	date_ticks(fp, days[0], days[n - 1], ML, pw, ybase);
	for (k = 0; c->shade != NULL && k < c->nshade; k++) {
		double span = days[n - 1] - days[0] ? days[n - 1] - days[0] : 1;
		int a = c->shade[2 * k], b = c->shade[2 * k + 1];
		double xa = ML + pw * (a - days[0]) / span, xb = ML + pw * (b - days[0]) / span;
		char da[DATE_LEN + 1], db[DATE_LEN + 1];

		fprintf(fp, "<rect class=\"dd\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>Drawdown "
		    "%s to %s</title></rect>\n", xa, MT, fmax(xb - xa, 1), ybase - MT, date_fmt(a, da), date_fmt(b, db));
	}

	nidx = svg_reduce(ys, nser, n, (size_t)pw, idx);
#define XOF(j) (ML + pw * (days[j] - days[0]) / (double)(days[n - 1] - days[0] ? days[n - 1] - days[0] : 1))
	if (c->area) {
		double y0 = ymap(0, &m);
		fprintf(fp, "<path class=\"ar\" d=\"M%.1f %.1fL", XOF(idx[0]), y0);
		for (k = 0; k < nidx; k++)
			if (usable(ys[0][idx[k]], 0)) {
				put_f1(fp, XOF(idx[k]));
				fputc(' ', fp);
				put_f1(fp, ymap(ys[0][idx[k]], &m));
				fputc(' ', fp);
			}
		fprintf(fp, "%.1f %.1fZ\"/>\n", XOF(idx[nidx - 1]), y0);
	}
	for (int s = nser - 1; s >= 0; s--) {
		fprintf(fp, "<path class=\"ln s%d\" d=\"", s % 3);
		first = 1;
		for (k = 0; k < nidx; k++) {
			double v = ys[s][idx[k]];
			if (!usable(v, c->log)) {
				first = 1;
				continue;
			}
			fputs(first ? "M" : (k > 0 && !first ? " " : ""), fp);
			put_f1(fp, XOF(idx[k]));
			fputc(' ', fp);
			put_f1(fp, ymap(v, &m));
			if (first) {
				fputc('L', fp);
				first = 0;
			}
		}
		fputs("\"/>\n", fp);
	}
	/* Tooltip rows: the last sample of every pixel column. */
	fputs("<line class=\"cur\" x1=\"0\" x2=\"0\" y1=\"", fp);
	fprintf(fp, "%d\" y2=\"%d\" style=\"display:none\"/>", MT, ybase);
	for (int s = 0; s < nser; s++)
		fprintf(fp, "<circle class=\"dot f%d\" r=\"3.5\" cx=\"0\" cy=\"0\" style=\"display:none\"/>", s % 3);
	fprintf(fp, "\n<g class=\"pts\" data-fmt=\"%s\" data-names=\"",
	    c->fmt == SVG_PCT ? "pct" : c->fmt == SVG_CUM ? "cum" : c->fmt == SVG_USD ? "usd" : "num");
	for (int s = 0; s < nser; s++) {
		if (s > 0)
			fputc('|', fp);
		html_esc(fp, c->names[s]);
	}
	fputs("\" data-p=\"", fp);
	size_t buckets = (size_t)pw, last = (size_t)-1, rows = 0;
	for (size_t b = 0; b < buckets && n > 0; b++) {
		size_t j = n * (b + 1) / buckets;
		if (j == 0 || j - 1 == last)
			continue;
		j--;
		last = j;
		if (rows++ > 0)
			fputc(';', fp);
		put_f1(fp, XOF(j));
		fprintf(fp, ",%d", days[j]);
		for (int s = 0; s < nser; s++) {
			fputc(',', fp);
			put_g(fp, ys[s][j]);
			fputc(',', fp);
			if (usable(ys[s][j], c->log))
				put_f1(fp, ymap(ys[s][j], &m));
			else
				fputs("NaN", fp);
		}
	}
#undef XOF
	fputs("\"></g>\n", fp);
	figure_end(fp);
	free(idx);
	return 0;
}

/* ============================================================ bars */

static const char *
value_label(double v, enum svg_fmt fmt, char *buf)
{
	switch (fmt) {
	case SVG_PCT: return html_fmt_pct(v, 2, buf);
	case SVG_CUM: return html_fmt_pct(v - 1, 2, buf);
	case SVG_USD: return html_fmt_usd(v, 2, buf);
	default: return html_fmt_num(v, 2, buf);
	}
}

int
svg_bars(FILE *fp, const svg_chart *c, const char *const *labels, const double *const *ys, size_t n)
{
	double lo = 0, hi = 0, ticks[MAXTICKS], step, pw = c->width - ML - MR, gw, bw;
	int nt, ybase = c->height - MB, nser = c->nser;
	size_t i;
	struct ymap m = { 0 };
	char buf[HTML_NUM_MAX], nb[NUM_FMT_MAX];

	figure_begin(fp, c, c->height, 0);
	if (n == 0) {
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no data</text>\n", c->width / 2,
		    c->height / 2);
		figure_end(fp);
		return 0;
	}
	for (int s = 0; s < nser; s++)
		for (i = 0; i < n; i++)
			if (isfinite(ys[s][i])) {
				lo = fmin(lo, ys[s][i]);
				hi = fmax(hi, ys[s][i]);
			}
	nt = lin_ticks(&lo, &hi, 5, ticks, &step);
	m = (struct ymap){ lo, hi, MT, ybase, 0 };
	y_grid(fp, c, ticks, nt, step, ymap, &m);
	gw = pw / n;
	bw = gw * (n > 40 ? 0.9 : 0.78) / nser;
	/* As many labels as fit side by side (7 units a character, plus a gap). */
	size_t fit = (size_t)(pw / (strlen(labels[0]) * 7.0 + 14)), every;
	every = fit > 0 ? (n + fit - 1) / fit : n;
	for (i = 0; i < n; i++) {
		double gx = ML + gw * i;
		if (i % every == 0) {
			fprintf(fp, "<text%s x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", i / every % 2 ? " class=\"x2\"" : "",
			    gx + gw / 2, ybase + 16);
			html_esc(fp, labels[i]);
			fputs("</text>", fp);
		}
		for (int s = 0; s < nser; s++) {
			double v = ys[s][i], y0 = ymap(0, &m), y1;
			if (!isfinite(v))
				continue;
			y1 = ymap(v, &m);
			num_fmt(v, nb);
			fprintf(fp, "<rect class=\"f%c\" data-v=\"%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\">"
			    "<title>", c->bysign ? (v < 0 ? 'n' : 'p') : "012"[s % 3], nb, gx + (gw - bw * nser) / 2 + bw * s, fmin(y0, y1), bw,
			    fmax(fabs(y1 - y0), 0.5));
			html_esc(fp, labels[i]);
			fputs(" \xc2\xb7 ", fp);
			html_esc(fp, c->names[s]);
			fprintf(fp, ": %s</title></rect>", value_label(v, c->fmt, buf));
		}
		fputc('\n', fp);
	}
	figure_end(fp);
	return 0;
}

/* ============================================================ heatmaps */

int
svg_heatmap(FILE *fp, const svg_chart *c, const char *const *rows, size_t nr, const char *const *cols,
    size_t nc, const double *v, const char *rowname, const char *colname)
{
	const int ch = 22, left = 52, top = 20;
	double lo = INFINITY, hi = -INFINITY, amax = 0, cw;
	int height = top + (int)nr * ch + 6;
	size_t r, k;
	char buf[HTML_NUM_MAX], nb[NUM_FMT_MAX];

	for (k = 0; k < nr * nc; k++)
		if (isfinite(v[k])) {
			lo = fmin(lo, v[k]);
			hi = fmax(hi, v[k]);
			amax = fmax(amax, fabs(v[k]));
		}
	figure_begin(fp, c, height, nc > 8);
	cw = nc > 0 ? (c->width - left - MR) / (double)nc : 0;
	for (k = 0; k < nc; k++) {
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", left + cw * (k + 0.5), top - 6);
		html_esc(fp, cols[k]);
		fputs("</text>", fp);
	}
	fputc('\n', fp);
	for (r = 0; r < nr; r++) {
		int y = top + (int)r * ch;
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6, y + ch / 2 + 4);
		html_esc(fp, rows[r]);
		fputs("</text>", fp);
		for (k = 0; k < nc; k++) {
			double x = v[r * nc + k], a;
			const char *cls;
			if (!isfinite(x)) {
				fprintf(fp, "<rect class=\"fe\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"/>",
				    left + cw * k + 1, y + 1, cw - 2, ch - 2);
				continue;
			}
			if (c->seq) {
				cls = "f0";
				a = hi > lo ? 0.12 + 0.78 * (x - lo) / (hi - lo) : 0.5;
			} else {
				cls = x >= 0 ? "fp" : "fn";
				a = amax > 0 ? 0.1 + 0.8 * fabs(x) / amax : 0.1;
			}
			num_fmt(x, nb);
			fprintf(fp, "<rect class=\"%s\" fill-opacity=\"%.2f\" data-v=\"%s\" x=\"%.1f\" y=\"%d\" "
			    "width=\"%.1f\" height=\"%d\"><title>", cls, a, nb, left + cw * k + 1, y + 1, cw - 2, ch - 2);
			if (rowname) {
				html_esc(fp, rowname);
				fputc(' ', fp);
			}
			html_esc(fp, rows[r]);
			fputs(", ", fp);
			if (colname) {
				html_esc(fp, colname);
				fputc(' ', fp);
			}
			html_esc(fp, cols[k]);
			fprintf(fp, ": %s</title></rect>", value_label(x, c->fmt, buf));
			if (cw >= 26) {
				if (c->fmt == SVG_PCT)
					html_fmt_num(x * 100, fabs(x) >= 0.1 ? 0 : 1, buf);
				else
					html_fmt_num(x, 2, buf);
				fprintf(fp, "<text class=\"ht\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
				    left + cw * (k + 0.5), y + ch / 2 + 4, buf);
			}
		}
		fputc('\n', fp);
	}
	figure_end(fp);
	return 0;
}

/* ============================================================ histograms */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int
svg_hist(FILE *fp, const svg_chart *c, const double *const *xs, const size_t *ns, int nbins)
{
	size_t total = 0, i, k = 0;
	double *all, lo, hi, width, ymax = 0, ticks[MAXTICKS], step, pw = c->width - ML - MR, ylo = 0, yhi;
	double *share;
	int nt, ybase = c->height - MB, nser = c->nser, b;
	struct ymap m;
	char buf[HTML_NUM_MAX], buf2[HTML_NUM_MAX], buf3[HTML_NUM_MAX], nb[NUM_FMT_MAX];

	for (int s = 0; s < nser; s++)
		total += ns[s];
	all = malloc((total + 1) * sizeof *all);
	share = calloc((size_t)nser * (size_t)nbins + 1, sizeof *share);
	if (all == NULL || share == NULL) {
		free(all);
		free(share);
		return -1;
	}
	for (int s = 0; s < nser; s++)
		for (i = 0; i < ns[s]; i++)
			if (isfinite(xs[s][i]))
				all[k++] = xs[s][i];
	figure_begin(fp, c, c->height, 0);
	if (k < 2 || nbins < 1) {
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">not enough data</text>\n", c->width / 2,
		    c->height / 2);
		goto done;
	}
	qsort(all, k, sizeof *all, cmp_double);
	lo = all[(size_t)(0.005 * (double)(k - 1))];
	hi = all[(size_t)ceil(0.995 * (double)(k - 1))];
	if (!(hi > lo)) {
		lo -= 0.01;
		hi += 0.01;
	}
	width = (hi - lo) / nbins;
	for (int s = 0; s < nser; s++) {
		size_t cnt = 0;
		for (i = 0; i < ns[s]; i++)
			if (isfinite(xs[s][i])) {
				b = (int)floor((xs[s][i] - lo) / width);
				b = b < 0 ? 0 : b >= nbins ? nbins - 1 : b;
				share[s * nbins + b] += 1;
				cnt++;
			}
		for (b = 0; b < nbins && cnt > 0; b++) {
			share[s * nbins + b] /= (double)cnt;
			ymax = fmax(ymax, share[s * nbins + b]);
		}
	}
	yhi = ymax;
	nt = lin_ticks(&ylo, &yhi, 4, ticks, &step);
	m = (struct ymap){ ylo, yhi, MT, ybase, 0 };
	y_grid(fp, c, ticks, nt, step, ymap, &m);
	{ /* x ticks over the return range */
		double xl = lo, xh = hi, xt[MAXTICKS], xs_step;
		int nx = lin_ticks(&xl, &xh, 6, xt, &xs_step);
		for (int t = 0; t < nx; t++) {
			if (xt[t] < lo || xt[t] > hi)
				continue;
			double x = ML + pw * (xt[t] - lo) / (hi - lo);
			fprintf(fp, "<line class=\"%s\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
			    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", xt[t] == 0 ? "z" : "g", x, x, MT,
			    ybase, x, ybase + 16, axis_label(xt[t], xs_step, SVG_PCT, buf));
		}
	}
	for (int s = nser - 1; s >= 0; s--) {
		for (b = 0; b < nbins; b++) {
			double v = share[s * nbins + b], y1 = ymap(v, &m);
			if (v <= 0)
				continue;
			num_fmt(v, nb);
			fprintf(fp, "<rect class=\"f%d\" fill-opacity=\"%s\" data-v=\"%s\" x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\"><title>", s % 3, s == 0 ? ".7" : ".55", nb,
			    ML + pw * b / nbins + 0.5, y1, fmax(pw / nbins - 1, 0.5), ybase - y1);
			html_esc(fp, c->names[s]);
			/* The end bins hold everything beyond the range too: open-ended, and labelled so. */
			if (b == 0 && nbins > 1)
				fprintf(fp, ", below %s", html_fmt_pct(lo + width, 2, buf2));
			else if (b == nbins - 1 && nbins > 1)
				fprintf(fp, ", %s or more", html_fmt_pct(lo + width * b, 2, buf));
			else
				fprintf(fp, ", %s to %s", html_fmt_pct(lo + width * b, 2, buf),
				    html_fmt_pct(lo + width * (b + 1), 2, buf2));
			fprintf(fp, ": %s of days</title></rect>", html_fmt_pct(v, 1, buf3));
		}
		fputc('\n', fp);
	}
done:
	figure_end(fp);
	free(all);
	free(share);
	return 0;
}

/* ============================================================ box plots */

static double
pctl(const double *s, size_t n, double q)
{
	double h = (double)(n - 1) * q, lo = floor(h);
	size_t i = (size_t)lo;

	return i + 1 < n ? s[i] + (h - lo) * (s[i + 1] - s[i]) : s[n - 1];
}

int
svg_boxes(FILE *fp, const svg_chart *c, const char *const *labels, const double *const *xs, const size_t *ns,
    size_t ncat)
{
	double lo = INFINITY, hi = -INFINITY, ticks[MAXTICKS], step, pw = c->width - ML - MR, gw;
	double *buf;
	size_t total = 0, k, i, m;
	int ybase = c->height - MB, nt;
	struct ymap ym;
	char b[5][HTML_NUM_MAX], nb[NUM_FMT_MAX];

	for (k = 0; k < ncat; k++)
		total = ns[k] > total ? ns[k] : total;
	if ((buf = malloc((total + 1) * sizeof *buf)) == NULL)
		return -1;
	for (k = 0; k < ncat; k++)
		for (i = 0; i < ns[k]; i++)
			if (isfinite(xs[k][i])) {
				lo = fmin(lo, xs[k][i]);
				hi = fmax(hi, xs[k][i]);
			}
	figure_begin(fp, c, c->height, 0);
	if (!(lo <= hi)) {
		fprintf(fp, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no data</text>\n", c->width / 2,
		    c->height / 2);
		figure_end(fp);
		free(buf);
		return 0;
	}
	nt = lin_ticks(&lo, &hi, 5, ticks, &step);
	ym = (struct ymap){ lo, hi, MT, ybase, 0 };
	y_grid(fp, c, ticks, nt, step, ymap, &ym);
	gw = pw / (double)(ncat ? ncat : 1);
	for (k = 0; k < ncat; k++) {
		double x0 = ML + gw * (double)k, bw = fmin(gw * 0.5, 60), bx = x0 + (gw - bw) / 2, cx = x0 + gw / 2;
		double q1, q2, q3, wl, wh;
		for (i = m = 0; i < ns[k]; i++)
			if (isfinite(xs[k][i]))
				buf[m++] = xs[k][i];
		fprintf(fp, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", cx, ybase + 16);
		html_esc(fp, labels[k]);
		fputs("</text>", fp);
		if (m == 0)
			continue;
		qsort(buf, m, sizeof *buf, cmp_double);
		q1 = pctl(buf, m, 0.25);
		q2 = pctl(buf, m, 0.5);
		q3 = pctl(buf, m, 0.75);
		wl = q1 - 1.5 * (q3 - q1);
		wh = q3 + 1.5 * (q3 - q1);
		for (i = 0; i < m && buf[i] < wl; i++)
			;
		wl = buf[i];
		for (i = m; i > 0 && buf[i - 1] > wh; i--)
			;
		wh = buf[i - 1];
		fprintf(fp, "<line class=\"z\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", cx, cx, ymap(wl, &ym),
		    ymap(wh, &ym));
		num_fmt(q2, nb);
		fprintf(fp, "<rect class=\"f%d\" fill-opacity=\".55\" data-v=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\"><title>", (int)(k % 3 == 0 ? 0 : k % 3), nb, bx, ymap(q3, &ym), bw,
		    fmax(ymap(q1, &ym) - ymap(q3, &ym), 0.5));
		html_esc(fp, labels[k]);
		fprintf(fp, ": median %s, quartiles %s to %s, whiskers %s to %s, %zu periods</title></rect>",
		    html_fmt_pct(q2, 2, b[0]), html_fmt_pct(q1, 2, b[1]), html_fmt_pct(q3, 2, b[2]), html_fmt_pct(wl, 2, b[3]),
		    html_fmt_pct(wh, 2, b[4]), m);
		fprintf(fp, "<line class=\"z\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", bx, bx + bw,
		    ymap(q2, &ym), ymap(q2, &ym));
		for (i = 0; i < m; i++) /* the values beyond the whiskers */
			if (buf[i] < wl || buf[i] > wh)
				fprintf(fp, "<circle class=\"ol\" r=\"1.8\" cx=\"%.1f\" cy=\"%.1f\"/>", cx, ymap(buf[i], &ym));
		fputc('\n', fp);
	}
	figure_end(fp);
	free(buf);
	return 0;
}
