#include "grid.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csv.h"
#include "err.h"
#include "util.h"

/* ---- the grid file ---- */

static const char *const grid_keys[] = { "lookback", "skip", "select", "winsor", "mode", "weighting",
	"vol_window", "max_weight", "rebalance", "rebalance_every", "lag", "cost_bps", NULL };

int
grid_key_ok(const char *key)
{
	for (int i = 0; grid_keys[i] != NULL; i++)
		if (strcmp(key, grid_keys[i]) == 0)
			return 1;
	return 0;
}

void
grid_points_free(struct grid_points *p)
{
	for (size_t i = 0; i < p->n; i++) {
		for (int k = 0; p->val[i] != NULL && k < p->ncol; k++)
			free(p->val[i][k]);
		free(p->val[i]);
	}
	for (int k = 0; k < p->ncol; k++)
		free(p->col[k]);
	free(p->col);
	free(p->val);
	free(p->row);
	free(p->c);
	memset(p, 0, sizeof *p);
}

int
grid_read(struct grid_points *p, FILE *fp, const char *name, const struct strategy_config *base, char *err,
    size_t errlen)
{
	csv_reader *r = csv_open(fp, name);
	size_t cap = 0, capc = 0, capr = 0;
	int rc;
	char msg[256];

	memset(p, 0, sizeof *p);
	if (r == NULL)
		goto nomem;
	if (csv_read_header(r) != 0)
		goto data;
	p->ncol = csv_ncols(r);
	if ((p->col = calloc((size_t)p->ncol, sizeof *p->col)) == NULL)
		goto nomem;
	for (int k = 0; k < p->ncol; k++) {
		const char *key = csv_colname(r, k);

		if ((p->col[k] = strdup(key)) == NULL)
			goto nomem;
		if (!grid_key_ok(key)) {
			err_fmt(err, errlen, "%s:1: %s: not a key a grid can vary (%s)", name, key,
			    "lookback, skip, select, winsor, mode, weighting, vol_window, max_weight, rebalance, "
			    "rebalance_every, lag, cost_bps");
			goto fail;
		}
		for (int j = 0; j < k; j++)
			if (strcmp(p->col[j], key) == 0) {
				err_fmt(err, errlen, "%s:1: %s: a second column of that name", name, key);
				goto fail;
			}
	}
	while ((rc = csv_next(r)) > 0) {
		struct strategy_config c = *base;

		if (csv_nfields(r) != p->ncol) {
			csv_fail(r, -1, "%d fields, the header has %d", csv_nfields(r), p->ncol);
			goto data;
		}
		for (int k = 0; k < p->ncol; k++)
			if (csv_need(r, k) < 0 || config_set(&c, p->col[k], csv_field(r, k), msg, sizeof msg) != 0) {
				if (csv_len(r, k) > 0)
					csv_fail(r, k, "%s", msg);
				goto data;
			}
		if (config_check(&c, msg, sizeof msg) != 0) {
			csv_fail(r, -1, "%s", msg);
			goto data;
		}
		if (c.lag < 1) {
			csv_fail(r, -1, "lag: %d: must be at least 1", c.lag);
			goto data;
		}
		if (util_grow((void **)&p->val, &cap, p->n + 1, sizeof *p->val) != 0 ||
		    util_grow((void **)&p->c, &capc, p->n + 1, sizeof *p->c) != 0 ||
		    util_grow((void **)&p->row, &capr, p->n + 1, sizeof *p->row) != 0)
			goto nomem;
		p->c[p->n] = c;
		p->row[p->n] = p->n;
		if ((p->val[p->n++] = calloc((size_t)p->ncol, sizeof **p->val)) == NULL)
			goto nomem;
		for (int k = 0; k < p->ncol; k++)
			if ((p->val[p->n - 1][k] = strdup(csv_field(r, k))) == NULL)
				goto nomem;
	}
	if (rc < 0)
		goto data;
	csv_close(r);
	return 0;
data:
	err_fmt(err, errlen, "%s", csv_error(r));
fail:
	csv_close(r);
	grid_points_free(p);
	return EX_DATAERR;
nomem:
	err_fmt(err, errlen, "out of memory");
	csv_close(r);
	grid_points_free(p);
	return EX_OSERR;
}

void
grid_points_keep(struct grid_points *p, size_t from, size_t to)
{
	if (to > p->n)
		to = p->n;
	if (from > to)
		from = to;
	for (size_t i = 0; i < p->n; i++)
		if (i < from || i >= to) {
			for (int k = 0; k < p->ncol; k++)
				free(p->val[i][k]);
			free(p->val[i]);
		}
	memmove(p->val, p->val + from, (to - from) * sizeof *p->val);
	memmove(p->c, p->c + from, (to - from) * sizeof *p->c);
	memmove(p->row, p->row + from, (to - from) * sizeof *p->row);
	p->n = to - from;
}
