/* dash/data: reading the backtest's equity and weights files for the pages. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dash/dash.h"
#include "util.h"

csv_reader *
dash_csv_open(const char *path, FILE **fpp, dash_probs *p, int *rc)
{
	FILE *fp = fopen(path, "r");
	csv_reader *r;

	*rc = -1;
	if (fp == NULL) {
		dash_prob(p, 0, "%s: %s", path, errno == ENOENT ? "missing" : strerror(errno));
		*rc = 0;
		return NULL;
	}
	if ((r = csv_open(fp, path)) == NULL || csv_read_header(r) < 0) {
		dash_prob(p, 1, "%s", r ? csv_error(r) : "out of memory");
		csv_close(r);
		fclose(fp);
		return NULL;
	}
	*fpp = fp;
	*rc = 0;
	return r;
}

int
dash_csv_close(csv_reader *r, FILE *fp, int state, dash_probs *p)
{
	if (state == DASH_CSV_OOM)
		dash_prob(p, 1, "%s: out of memory", csv_name(r));
	else if (state < 0)
		dash_prob(p, 1, "%s", csv_error(r));
	csv_close(r);
	fclose(fp);
	return state < 0 ? -1 : 1;
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
	int cd = -1, cn = -1, ce = -1, ct, cbn, cbe, rc, day;
	size_t caps[6] = { 0 };

	memset(e, 0, sizeof *e);
	if ((r = dash_csv_open(path, &fp, p, &rc)) == NULL)
		return rc;
	if ((cd = csv_require(r, "date")) < 0 || (cn = csv_require(r, "net")) < 0 || (ce = csv_require(r, "equity")) < 0)
		rc = -1;
	ct = csv_col(r, "turnover");
	cbn = csv_col(r, "bench_net");
	cbe = csv_col(r, "bench_equity");
	while (rc == 0 && (rc = csv_next(r)) == 1) {
		size_t i = e->n;
		if (util_grow((void **)&e->day, &caps[0], i + 1, sizeof *e->day) < 0 ||
		    util_grow((void **)&e->net, &caps[1], i + 1, sizeof *e->net) < 0 ||
		    util_grow((void **)&e->equity, &caps[2], i + 1, sizeof *e->equity) < 0 ||
		    util_grow((void **)&e->turnover, &caps[3], i + 1, sizeof *e->turnover) < 0 ||
		    util_grow((void **)&e->bnet, &caps[4], i + 1, sizeof *e->bnet) < 0 ||
		    util_grow((void **)&e->bequity, &caps[5], i + 1, sizeof *e->bequity) < 0) {
			rc = DASH_CSV_OOM;
			break;
		}
		if (csv_date_required(r, cd, &day) < 0 ||
		    (i > 0 && day <= e->day[i - 1] &&
		    csv_fail(r, cd, "'%s' is not after the previous row's date", csv_field(r, cd)) < 0)) {
			rc = -1;
			break;
		}
		e->day[i] = day;
		if (num_or_nan(r, cn, &e->net[i]) < 0 || num_or_nan(r, ce, &e->equity[i]) < 0 ||
		    num_or_nan(r, ct, &e->turnover[i]) < 0 || num_or_nan(r, cbn, &e->bnet[i]) < 0 ||
		    num_or_nan(r, cbe, &e->bequity[i]) < 0) {
			rc = -1;
			break;
		}
		e->n++;
		rc = 0;
	}
	if ((rc = dash_csv_close(r, fp, rc, p)) < 0)
		dash_equity_free(e);
	return rc;
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
	int cd, ci = -1, cs = -1, cw = -1, rc, day;
	size_t cap = 0;
	double wt;

	memset(w, 0, sizeof *w);
	w->day = -1000000;
	if ((r = dash_csv_open(path, &fp, p, &rc)) == NULL)
		return rc;
	if ((cd = csv_require(r, "date")) < 0 || (ci = csv_require(r, "id")) < 0 ||
	    (cs = csv_require(r, "symbol")) < 0 || (cw = csv_require(r, "weight")) < 0)
		rc = -1;
	while (rc == 0 && (rc = csv_next(r)) == 1) {
		rc = 0;
		if (csv_date_required(r, cd, &day) < 0 || csv_double_required(r, cw, &wt) < 0) {
			rc = -1;
			break;
		}
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
		if (util_grow((void **)&w->h, &cap, w->n + 1, sizeof *w->h) < 0) {
			rc = DASH_CSV_OOM;
			break;
		}
		w->h[w->n].id = strdup(csv_field(r, ci));
		w->h[w->n].symbol = strdup(csv_field(r, cs));
		w->h[w->n].weight = wt;
		w->n++;
		if (w->h[w->n - 1].id == NULL || w->h[w->n - 1].symbol == NULL) {
			rc = DASH_CSV_OOM;
			break;
		}
	}
	if ((rc = dash_csv_close(r, fp, rc, p)) < 0)
		dash_weights_free(w);
	else if (w->n > 1)
		qsort(w->h, w->n, sizeof *w->h, by_weight);
	return rc;
}
