#include "lastpx.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csv.h"
#include "err.h"

/* The output columns after date and id, and the index of close among them. */
const char *const lastpx_cols[] = { "?symbol", "?open", "?high", "?low", "close", "?volume", "?ret" };
enum { CLOSE = 4 };

/* A kept row: its fields (date, id, then lastpx_cols) NUL-separated, as read. */
struct row {
	int date;
	char *text;
	size_t len, cap;
};

struct id {
	char *id;        /* the key */
	size_t idlen;
	struct row *rows; /* a ring of nclose rows; next: the slot the next close takes */
	int n, next;
};

struct table {
	struct id *ids;
	size_t n, cap;   /* entries; cap a power of two, at least twice n */
	size_t *slot;    /* index + 1 into ids, 0: empty */
};

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* The entry of id, created when absent. NULL when out of memory. */
static struct id *
lookup(struct table *t, const char *id, size_t n, int nclose)
{
	size_t i;
	struct id *e;

	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024, *ns = calloc(cap, sizeof *ns);
		struct id *ni = realloc(t->ids, cap / 2 * sizeof *ni);

		if (ns == NULL || ni == NULL) {
			free(ns);
			if (ni != NULL)
				t->ids = ni;
			return NULL;
		}
		t->ids = ni;
		for (size_t k = 0; k < t->n; k++) {
			for (i = hash(ni[k].id, ni[k].idlen) & (cap - 1); ns[i] != 0; i = (i + 1) & (cap - 1))
				;
			ns[i] = k + 1;
		}
		free(t->slot);
		t->slot = ns;
		t->cap = cap;
	}
	for (i = hash(id, n) & (t->cap - 1); t->slot[i] != 0; i = (i + 1) & (t->cap - 1)) {
		e = &t->ids[t->slot[i] - 1];
		if (e->idlen == n && memcmp(e->id, id, n) == 0)
			return e;
	}
	e = &t->ids[t->n];
	memset(e, 0, sizeof *e);
	if ((e->id = malloc(n + 1)) == NULL || (e->rows = calloc((size_t)nclose, sizeof *e->rows)) == NULL) {
		free(e->id);
		return NULL;
	}
	memcpy(e->id, id, n);
	e->id[n] = '\0';
	e->idlen = n;
	t->slot[i] = ++t->n;
	return e;
}

static int
append(struct row *r, const char *s, size_t n)
{
	if (r->len + n + 1 > r->cap) {
		size_t cap = (r->len + n + 1) * 2;
		char *nb = realloc(r->text, cap);

		if (nb == NULL)
			return -1;
		r->text = nb;
		r->cap = cap;
	}
	memcpy(r->text + r->len, s, n);
	r->text[r->len + n] = '\0';
	r->len += n + 1;
	return 0;
}

/* Keep the current row of p as the newest close of its id. */
static int
keep(struct table *t, panel *p, int nclose)
{
	csv_reader *r = panel_csv(p);
	struct id *e = lookup(t, panel_id(p), panel_idlen(p), nclose);
	struct row *k;

	if (e == NULL)
		return -1;
	k = &e->rows[e->next];
	e->next = (e->next + 1) % nclose;
	if (e->n < nclose)
		e->n++;
	k->date = panel_date(p);
	k->len = 0;
	if (append(k, csv_field(r, panel_cdate(p)), csv_len(r, panel_cdate(p))) != 0 ||
	    append(k, panel_id(p), panel_idlen(p)) != 0)
		return -1;
	for (int c = 0; c < LASTPX_NCOLS; c++)
		if (append(k, csv_field(r, panel_col(p, c)), csv_len(r, panel_col(p, c))) != 0)
			return -1;
	return 0;
}

struct out {
	const struct row *row;
	const struct id *id;
};

static int
out_cmp(const void *a, const void *b)
{
	const struct out *x = a, *y = b;

	if (x->row->date != y->row->date)
		return x->row->date < y->row->date ? -1 : 1;
	return panel_idcmp(x->id->id, x->id->idlen, y->id->id, y->id->idlen);
}

int
lastpx_write(panel *p, int nclose, FILE *out, long *rows, char *err, size_t errlen)
{
	struct table t = { 0 };
	struct out *o = NULL;
	size_t no = 0;
	int rc = 0;

	*rows = 0;
	if (nclose < 1 || nclose > LASTPX_MAX) {
		err_fmt(err, errlen, "lastpx_write: nclose %d out of range", nclose);
		return EX_SOFTWARE;
	}
	while (panel_has(p)) {
		csv_reader *r = panel_csv(p);
		double v;
		int got = csv_double(r, panel_col(p, CLOSE), &v);

		if (got < 0) {
			err_fmt(err, errlen, "%s", csv_error(r));
			rc = EX_DATAERR;
			goto done;
		}
		if (got > 0 && keep(&t, p, nclose) != 0)
			goto nomem;
		if (panel_next(p) < 0) {
			err_fmt(err, errlen, "%s", panel_error(p));
			rc = panel_code(p);
			goto done;
		}
	}
	for (size_t i = 0; i < t.n; i++)
		no += (size_t)t.ids[i].n;
	if ((o = malloc((no ? no : 1) * sizeof *o)) == NULL)
		goto nomem;
	no = 0;
	for (size_t i = 0; i < t.n; i++)
		for (int k = 0; k < t.ids[i].n; k++)
			o[no++] = (struct out){ &t.ids[i].rows[k], &t.ids[i] };
	qsort(o, no, sizeof *o, out_cmp);
	{
		csv_writer w;

		csv_w_init(&w, out);
		csv_w_header(&w, "date,id,symbol,open,high,low,close,volume,ret");
		for (size_t i = 0; i < no; i++) {
			const char *f = o[i].row->text;

			for (int c = 0; c < LASTPX_NCOLS + 2; c++) {
				size_t n = strlen(f);

				csv_w_strn(&w, f, n);
				f += n + 1;
			}
			if (csv_w_end(&w) != 0) {
				err_fmt(err, errlen, "cannot write the output: %s", strerror(errno));
				rc = EX_IOERR;
				goto done;
			}
		}
		*rows = (long)no;
	}
	goto done;
nomem:
	err_fmt(err, errlen, "out of memory");
	rc = EX_OSERR;
done:
	for (size_t i = 0; i < t.n; i++) {
		for (int k = 0; k < nclose; k++)
			free(t.ids[i].rows[k].text);
		free(t.ids[i].rows);
		free(t.ids[i].id);
	}
	free(t.ids);
	free(t.slot);
	free(o);
	return rc;
}
