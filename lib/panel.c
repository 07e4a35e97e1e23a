#include "panel.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "date.h"
#include "err.h"
#include "universe.h"

struct input {
	csv_reader *r;
	int cdate, cid;    /* date and id columns */
	int *map;          /* output column -> this input's column, -1 when absent */
	int live;          /* a record is loaded */
	int date;          /* its date */
	char *prev_id;     /* the previous record's id, for order checks */
	int prev_date;
};

static int
key_cmp(int da, const char *ia, int db, const char *ib)
{
	return da != db ? (da < db ? -1 : 1) : univ_idcmp(ia, ib);
}

/* Load the next in-range record of in. Returns 1, 0 at the end, -1 on error (err set). */
static int
advance(struct input *in, const panel_merge_opts *o, char *err, size_t errlen)
{
	int rc;

	for (;;) {
		free(in->prev_id);
		in->prev_id = in->live ? strdup(csv_field(in->r, in->cid)) : NULL;
		in->prev_date = in->date;
		in->live = 0;
		rc = csv_next(in->r);
		if (rc <= 0)
			break;
		if ((rc = csv_date_required(in->r, in->cdate, &in->date)) < 0)
			break;
		if ((rc = csv_need(in->r, in->cid)) < 0)
			break;
		in->live = 1;
		if (in->prev_id != NULL) {
			int c = key_cmp(in->prev_date, in->prev_id, in->date, csv_field(in->r, in->cid));

			if (c >= 0) {
				rc = csv_fail(in->r, c == 0 ? in->cid : in->cdate, c == 0 ?
				    "duplicate row for this date and id" : "not sorted by date, then id");
				break;
			}
		}
		if (in->date < o->from)
			continue;
		if (in->date > o->to) { /* sorted: nothing further is in range */
			in->live = 0;
			return 0;
		}
		return 1;
	}
	if (rc < 0)
		err_fmt(err, errlen, "%s", csv_error(in->r));
	in->live = 0;
	return rc;
}

long
panel_merge(FILE **files, const char **names, int n, FILE *out, const panel_merge_opts *o, char *err,
    size_t errlen)
{
	struct input *in = calloc((size_t)n, sizeof *in);
	csv_writer w;
	long rows = 0;
	int ncols = 0;

	if (in == NULL) {
		err_fmt(err, errlen, "out of memory");
		return -1;
	}
	csv_w_init(&w, out);
	for (int i = 0; i < n && rows >= 0; i++) {
		in[i].r = csv_open(files[i], names[i]);
		if (in[i].r == NULL || csv_read_header(in[i].r) != 0 || (in[i].cdate = csv_require(in[i].r, "date")) < 0 ||
		    (in[i].cid = csv_require(in[i].r, "id")) < 0) {
			err_fmt(err, errlen, "%s", in[i].r ? csv_error(in[i].r) : "out of memory");
			rows = -1;
			break;
		}
		if (i == 0) {
			ncols = csv_ncols(in[0].r);
			for (int c = 0; c < ncols; c++) {
				if (c > 0)
					putc(',', out);
				fputs(csv_colname(in[0].r, c), out);
			}
			putc('\n', out);
		}
		in[i].map = malloc(sizeof(int) * (size_t)ncols);
		for (int c = 0; c < ncols; c++)
			in[i].map[c] = csv_col(in[i].r, csv_colname(in[0].r, c));
		if (advance(&in[i], o, err, errlen) < 0)
			rows = -1;
	}
	while (rows >= 0) {
		int best = -1;

		/* The smallest key; among equal keys the last input (newest data) wins. */
		for (int i = 0; i < n; i++)
			if (in[i].live && (best < 0 || key_cmp(in[i].date, csv_field(in[i].r, in[i].cid),
			    in[best].date, csv_field(in[best].r, in[best].cid)) <= 0))
				best = i;
		if (best < 0)
			break;
		for (int c = 0; c < ncols; c++) {
			int src = in[best].map[c];

			if (src < 0)
				csv_w_empty(&w);
			else
				csv_w_strn(&w, csv_field(in[best].r, src), csv_len(in[best].r, src));
		}
		if (csv_w_end(&w) != 0) {
			err_fmt(err, errlen, "write error");
			rows = -1;
			break;
		}
		rows++;
		{
			int date = in[best].date;
			char *id = strdup(csv_field(in[best].r, in[best].cid));

			for (int i = 0; i < n && rows >= 0; i++)
				if (in[i].live && key_cmp(in[i].date, csv_field(in[i].r, in[i].cid), date, id) == 0 &&
				    advance(&in[i], o, err, errlen) < 0)
					rows = -1;
			free(id);
		}
	}
	for (int i = 0; i < n; i++) {
		csv_close(in[i].r);
		free(in[i].map);
		free(in[i].prev_id);
	}
	free(in);
	return rows;
}
