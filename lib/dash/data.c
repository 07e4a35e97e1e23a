/* dash/data: reading the backtest's equity and weights files for the pages. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dash/dash.h"
#include "util.h"

void
dash_prob(dash_probs *p, int bad, const char *fmt, ...)
{
	va_list ap;

	if (bad)
		p->bad++;
	else
		p->missing++;
	if (p->n >= DASH_MAXPROB)
		return;
	p->isbad[p->n] = (char)(bad != 0);
	va_start(ap, fmt);
	vsnprintf(p->msg[p->n++], sizeof p->msg[0], fmt, ap);
	va_end(ap);
}

/* Open path for a page, or record why not (absent or unreadable counts as missing). */
static FILE *
open_in(const char *path, dash_probs *p)
{
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		dash_prob(p, 0, "%s: %s", path, errno == ENOENT ? "missing" : strerror(errno));
	return fp;
}

void
dash_equity_free(dash_equity *e)
{
	free(e->day);
	free(e->net);
	free(e->equity);
	free(e->turnover);
	free(e->bnet);
	free(e->bequity);
	memset(e, 0, sizeof *e);
}

/* Field col as a number: NaN when the column is absent or the field empty; -1 on a malformed value. */
static int
num_or_nan(csv_reader *r, int col, double *out)
{
	*out = NAN;
	if (col < 0)
		return 0;
	return csv_double(r, col, out) < 0 ? -1 : 0;
}

int
dash_read_equity(const char *path, dash_equity *e, dash_probs *p)
{
	FILE *fp;
	csv_reader *r;
	int cd, cn, ce, ct, cbn, cbe, rc, day;
	size_t caps[6] = { 0 };

	memset(e, 0, sizeof *e);
	if ((fp = open_in(path, p)) == NULL)
		return 0;
	r = csv_open(fp, path);
	if (r == NULL || csv_read_header(r) < 0 || (cd = csv_require(r, "date")) < 0 ||
	    (cn = csv_require(r, "net")) < 0 || (ce = csv_require(r, "equity")) < 0)
		goto bad;
	ct = csv_col(r, "turnover");
	cbn = csv_col(r, "bench_net");
	cbe = csv_col(r, "bench_equity");
	while ((rc = csv_next(r)) == 1) {
		size_t i = e->n;
		if (util_grow((void **)&e->day, &caps[0], i + 1, sizeof *e->day) < 0 ||
		    util_grow((void **)&e->net, &caps[1], i + 1, sizeof *e->net) < 0 ||
		    util_grow((void **)&e->equity, &caps[2], i + 1, sizeof *e->equity) < 0 ||
		    util_grow((void **)&e->turnover, &caps[3], i + 1, sizeof *e->turnover) < 0 ||
		    util_grow((void **)&e->bnet, &caps[4], i + 1, sizeof *e->bnet) < 0 ||
		    util_grow((void **)&e->bequity, &caps[5], i + 1, sizeof *e->bequity) < 0) {
			dash_prob(p, 1, "%s: out of memory", path);
			goto fail;
		}
		if (csv_date_required(r, cd, &day) < 0)
			goto bad;
		if (i > 0 && day <= e->day[i - 1]) {
			csv_fail(r, cd, "'%s' is not after the previous row's date", csv_field(r, cd));
			goto bad;
		}
		e->day[i] = day;
		if (num_or_nan(r, cn, &e->net[i]) < 0 || num_or_nan(r, ce, &e->equity[i]) < 0 ||
		    num_or_nan(r, ct, &e->turnover[i]) < 0 || num_or_nan(r, cbn, &e->bnet[i]) < 0 ||
		    num_or_nan(r, cbe, &e->bequity[i]) < 0)
			goto bad;
		e->n++;
	}
	if (rc < 0)
		goto bad;
	csv_close(r);
	fclose(fp);
	return 1;
bad:
	dash_prob(p, 1, "%s", r ? csv_error(r) : "out of memory");
fail:
	csv_close(r);
	fclose(fp);
	dash_equity_free(e);
	return -1;
}

void
dash_weights_free(dash_weights *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free(w->h[i].id);
		free(w->h[i].symbol);
	}
	free(w->h);
	memset(w, 0, sizeof *w);
}

static int
by_weight(const void *a, const void *b)
{
	const dash_holding *x = a, *y = b;

	if (x->weight != y->weight)
		return x->weight < y->weight ? 1 : -1;
	return strcmp(x->symbol, y->symbol);
}

int
dash_read_weights(const char *path, dash_weights *w, dash_probs *p)
{
	FILE *fp;
	csv_reader *r;
	int cd, ci, cs, cw, rc, day;
	size_t cap = 0;
	double wt;

	memset(w, 0, sizeof *w);
	w->day = -1000000;
	if ((fp = open_in(path, p)) == NULL)
		return 0;
	r = csv_open(fp, path);
	if (r == NULL || csv_read_header(r) < 0 || (cd = csv_require(r, "date")) < 0 ||
	    (ci = csv_require(r, "id")) < 0 || (cs = csv_require(r, "symbol")) < 0 ||
	    (cw = csv_require(r, "weight")) < 0)
		goto bad;
	while ((rc = csv_next(r)) == 1) {
		if (csv_date_required(r, cd, &day) < 0)
			goto bad;
		if (csv_double_required(r, cw, &wt) < 0)
			goto bad;
		if (day < w->day)
			continue;
		if (day > w->day) { /* a later rebalance: forget the earlier one */
			for (size_t i = 0; i < w->n; i++) {
				free(w->h[i].id);
				free(w->h[i].symbol);
			}
			w->n = 0;
			w->day = day;
		}
		if (util_grow((void **)&w->h, &cap, w->n + 1, sizeof *w->h) < 0)
			goto oom;
		w->h[w->n].id = strdup(csv_field(r, ci));
		w->h[w->n].symbol = strdup(csv_field(r, cs));
		w->h[w->n].weight = wt;
		w->n++;
		if (w->h[w->n - 1].id == NULL || w->h[w->n - 1].symbol == NULL)
			goto oom;
	}
	if (rc < 0)
		goto bad;
	csv_close(r);
	fclose(fp);
	if (w->n > 1)
		qsort(w->h, w->n, sizeof *w->h, by_weight);
	return 1;
oom:
	dash_prob(p, 1, "%s: out of memory", path);
	goto fail;
bad:
	dash_prob(p, 1, "%s", r ? csv_error(r) : "out of memory");
fail:
	csv_close(r);
	fclose(fp);
	dash_weights_free(w);
	return -1;
}
