/* dash/bt_sweep: the backtest page's parameter sensitivity heatmap and best points. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dash/btpage.h"
#include "date.h"
#include "html.h"
#include "metrics.h"
#include "ndjson.h"
#include "svg.h"

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Distinct sorted values of a[0..n) into out; returns their count. */
static size_t
distinct(const double *a, size_t n, double *out)
{
	size_t k = 0;

	memcpy(out, a, n * sizeof *a);
	qsort(out, n, sizeof *out, cmp_dbl);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || out[i] != out[k - 1])
			out[k++] = out[i];
	return k;
}

/* The heatmap's colour legend: svg_heatmap's sequential scale (the f0 colour at opacity 0.12 for the lowest
 * Sharpe ratio to 0.90 for the highest), in five steps, labelled with both ends. */
static void
sweep_legend(FILE *fp, const struct dbt_sweep *s, int explorer)
{
	double lo = INFINITY, hi = -INFINITY;
	char a[HTML_NUM_MAX], b[HTML_NUM_MAX];

	for (size_t i = 0; i < s->n; i++)
		if (isfinite(s->sharpe[i])) {
			lo = fmin(lo, s->sharpe[i]);
			hi = fmax(hi, s->sharpe[i]);
		}
	if (!isfinite(lo))
		return;
	fprintf(fp, "<p class=\"legend\" id=\"sweep-legend\" data-lo=\"%.17g\" data-hi=\"%.17g\">Colour: Sharpe ratio, "
	    "%s <svg width=\"100\" height=\"12\" viewBox=\"0 0 100 12\" role=\"img\" aria-label=\"colour scale\">",
	    lo, hi, html_fmt_num(lo, 2, a));
	for (int k = 0; k < 5; k++)
		fprintf(fp, "<rect class=\"f0\" fill-opacity=\"%.2f\" x=\"%d\" y=\"0\" width=\"20\" height=\"12\"/>",
		    0.12 + 0.78 * k / 4.0, 20 * k);
	fprintf(fp, "</svg> %s%s</p>\n", html_fmt_num(hi, 2, b),
	    explorer ? " \xc2\xb7 outlined: the explorer's point; a click on a cell chooses it there" : "");
}

int
dbt_sweep_section(FILE *fp, const struct dbt_sweep *s, int explorer)
{
	double *lb = malloc((s->n + 1) * sizeof *lb), *sk = malloc((s->n + 1) * sizeof *sk), *v;
	size_t nl, ns, i, j, best = 0;
	char (*rl)[24] = NULL, (*cl)[24] = NULL, buf[4][HTML_NUM_MAX];
	const char **rp = NULL, **cp = NULL;
	int rc = -1;

	if (lb == NULL || sk == NULL)
		goto out;
	nl = distinct(s->lookback, s->n, lb);
	ns = distinct(s->skip, s->n, sk);
	v = malloc((nl * ns + 1) * sizeof *v);
	rl = calloc(nl + 1, sizeof *rl);
	cl = calloc(ns + 1, sizeof *cl);
	rp = calloc(nl + 1, sizeof *rp);
	cp = calloc(ns + 1, sizeof *cp);
	if (v == NULL || rl == NULL || cl == NULL || rp == NULL || cp == NULL) {
		free(v);
		goto out;
	}
	for (i = 0; i < nl * ns; i++)
		v[i] = NAN;
	for (i = 0; i < nl; i++)
		rp[i] = html_fmt_num(lb[i], lb[i] == floor(lb[i]) ? 0 : 2, rl[i]);
	for (i = 0; i < ns; i++)
		cp[i] = html_fmt_num(sk[i], sk[i] == floor(sk[i]) ? 0 : 2, cl[i]);
	for (i = 0; i < s->n; i++) {
		size_t r = (size_t)((double *)bsearch(&s->lookback[i], lb, nl, sizeof *lb, cmp_dbl) - lb);
		size_t c = (size_t)((double *)bsearch(&s->skip[i], sk, ns, sizeof *sk, cmp_dbl) - sk);
		v[r * ns + c] = s->sharpe[i];
		if (!(s->sharpe[best] >= s->sharpe[i]))
			best = i;
	}
	svg_chart c = { "chart-sweep", "Sharpe ratio by lookback (rows) and skip (columns), trading days", DBT_W, 0,
		SVG_NUM, 0, 0, 1, NULL, 1, 0, NULL, 0 };
	rc = svg_heatmap(fp, &c, rp, nl, cp, ns, v, "lookback", "skip");
	free(v);
	sweep_legend(fp, s, explorer);
	if (s->n > 0) {
		html_table_begin(fp, "sweep-best", "Best parameters by Sharpe", 0,
		    ">Lookback|>Skip|>Sharpe|>CAGR|>Max drawdown");
		/* The five best rows, by selection: n is small (a grid of a few dozen cells). */
		char *used = calloc(s->n, 1);
		for (j = 0; used != NULL && j < 5 && j < s->n; j++) {
			size_t b = s->n;
			for (i = 0; i < s->n; i++)
				if (!used[i] && !isnan(s->sharpe[i]) && (b == s->n || s->sharpe[i] > s->sharpe[b]))
					b = i;
			if (b == s->n)
				break;
			used[b] = 1;
			html_tr(fp);
			html_td_num(fp, s->lookback[b], html_fmt_num(s->lookback[b], 0, buf[0]), 0);
			html_td_num(fp, s->skip[b], html_fmt_num(s->skip[b], 0, buf[1]), 0);
			html_td_num(fp, s->sharpe[b], html_fmt_num(s->sharpe[b], 2, buf[2]), 0);
			html_td_num(fp, s->cagr[b], html_fmt_pct(s->cagr[b], 2, buf[3]), 0);
			html_td_num(fp, s->mdd[b], html_fmt_pct(s->mdd[b], 2, buf[3]), 0);
			html_tr_end(fp);
		}
		free(used);
		html_table_end(fp);
	}
out:
	free(lb);
	free(sk);
	free(rl);
	free(cl);
	free(rp);
	free(cp);
	return rc;
}
