/* grid_table: the dsr column of a grid table put together from slices (see grid.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csv.h"
#include "err.h"
#include "grid.h"
#include "metrics.h"
#include "util.h"

struct table {
	csv_reader *r;
	int ncol, cs, ck, cx, cd;
	char **f;            /* every field, row by row (ncol a row) */
	size_t n, capf;
	struct mt_trial *t;  /* per row: its trial, n counted from the equity */
	size_t capt;
};

static int
nomem(char *err, size_t errlen)
{
	return err_ret(EX_OSERR, err, errlen, "out of memory");
}

static int
read_rows(struct table *tb, char *err, size_t errlen)
{
	csv_reader *r = tb->r;
	int rc;

	if (csv_read_header(r) != 0 || (tb->cs = csv_require(r, "sharpe")) < 0 || (tb->ck = csv_require(r, "skew")) < 0 ||
	    (tb->cx = csv_require(r, "kurtosis")) < 0 || (tb->cd = csv_require(r, "dsr")) < 0)
		return err_ret(EX_DATAERR, err, errlen, "%s", csv_error(r));
	tb->ncol = csv_ncols(r);
	while ((rc = csv_next(r)) == 1) {
		size_t capf = tb->capf;
		struct mt_trial *t;

		if (util_grow((void **)&tb->f, &capf, (tb->n + 1) * (size_t)tb->ncol, sizeof *tb->f) < 0 ||
		    util_grow((void **)&tb->t, &tb->capt, tb->n + 1, sizeof *tb->t) < 0)
			return nomem(err, errlen);
		tb->capf = capf;
		t = &tb->t[tb->n];
		*t = (struct mt_trial){ NAN, 0, NAN, NAN };
		if (csv_double(r, tb->cs, &t->sr) < 0 || csv_double(r, tb->ck, &t->skew) < 0 ||
		    csv_double(r, tb->cx, &t->exkurt) < 0)
			return err_ret(EX_DATAERR, err, errlen, "%s", csv_error(r));
		t->sr /= sqrt(MT_PERIODS);
		for (int c = 0; c < tb->ncol; c++)
			if ((tb->f[tb->n * (size_t)tb->ncol + (size_t)c] = strdup(csv_field(r, c))) == NULL)
				return nomem(err, errlen);
		tb->n++;
	}
	return rc < 0 ? err_ret(EX_DATAERR, err, errlen, "%s", csv_error(r)) : 0;
}

/* Each point's number of days: its rows in the grid equity CSV (point = the table's row, from 0). */
static int
count_days(struct table *tb, FILE *equity, const char *ename, char *err, size_t errlen)
{
	csv_reader *r = csv_open(equity, ename);
	long long k;
	int cp, rc;

	if (r == NULL)
		return nomem(err, errlen);
	if (csv_read_header(r) != 0 || (cp = csv_require(r, "point")) < 0) {
		rc = err_ret(EX_DATAERR, err, errlen, "%s", csv_error(r));
		goto out;
	}
	while ((rc = csv_next(r)) == 1) {
		int got = csv_i64(r, cp, &k);

		if (got == 0)
			got = csv_need(r, cp);
		if (got < 0 || ((k < 0 || (size_t)k >= tb->n) &&
		    csv_fail(r, cp, "point %lld is not a row of the grid table", k) < 0)) {
			rc = -1;
			break;
		}
		tb->t[k].n++;
	}
	rc = rc < 0 ? err_ret(EX_DATAERR, err, errlen, "%s", csv_error(r)) : 0;
out:
	csv_close(r);
	return rc;
}

int
grid_table_deflate(FILE *table, const char *tname, FILE *equity, const char *ename, FILE *out, char *err,
    size_t errlen)
{
	struct table tb = { 0 };
	double *dsr = NULL;
	csv_writer w;
	int rc;

	if ((tb.r = csv_open(table, tname)) == NULL)
		return nomem(err, errlen);
	if ((rc = read_rows(&tb, err, errlen)) != 0 || (rc = count_days(&tb, equity, ename, err, errlen)) != 0)
		goto out;
	if ((dsr = malloc((tb.n ? tb.n : 1) * sizeof *dsr)) == NULL) {
		rc = nomem(err, errlen);
		goto out;
	}
	mt_deflate(tb.t, tb.n, dsr);
	csv_w_init(&w, out);
	for (int c = 0; c < tb.ncol; c++)
		csv_w_str(&w, csv_colname(tb.r, c));
	csv_w_end(&w);
	for (size_t i = 0; i < tb.n; i++) {
		for (int c = 0; c < tb.ncol; c++)
			if (c == tb.cd)
				csv_w_num(&w, dsr[i]);
			else
				csv_w_str(&w, tb.f[i * (size_t)tb.ncol + (size_t)c]);
		csv_w_end(&w);
	}
	rc = ferror(out) ? err_ret(EX_IOERR, err, errlen, "write error") : 0;
out:
	for (size_t i = 0; i < tb.n * (size_t)tb.ncol; i++)
		free(tb.f[i]);
	free(tb.f);
	free(tb.t);
	free(dsr);
	csv_close(tb.r);
	return rc;
}
