#include "panel.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csv.h"
#include "date.h"
#include "err.h"

/* ============================================================ reading */

/* What orders most ids without a call: an id of 1 to 8 digits without a leading zero (permnos, conIds) is
 * "short": ordered by length, then bytes, which is the order by value. Others go to panel_idcmp. */
struct idkey {
	int isshort;
	size_t len;
	uint64_t be; /* its bytes, big-endian: the first byte the highest */
};

/* s must be readable for 8 bytes (lib/csv pads its buffer). */
static inline struct idkey
idkey(const char *s, size_t n)
{
	struct idkey k = { 0, n, 0 };
	uint64_t x, mask;

	if (n == 0 || n > 8 || (n > 1 && s[0] == '0'))
		return k;
	memcpy(&x, s, 8);
	mask = n == 8 ? ~0ULL : (1ULL << (8 * n)) - 1;
	x &= mask;
	/* every byte 0x30..0x39: high nibble 3, and still 3 after adding 6 to the low one */
	if ((x & (0xF0F0F0F0F0F0F0F0ULL & mask)) != (0x3030303030303030ULL & mask) ||
	    ((x + 0x0606060606060606ULL) & (0xF0F0F0F0F0F0F0F0ULL & mask)) != (0x3030303030303030ULL & mask))
		return k;
	k.isshort = 1;
	k.be = __builtin_bswap64(x);
	return k;
}

/* One file of the panel: its reader and the columns of its header. */
struct pfile {
	csv_reader *r;
	int cdate, cid, col[PANEL_MAXCOL];
};

struct panel {
	struct panel_head h;  /* the current row: what the inline accessors in panel.h read */
	struct pfile *f;
	int n, cur;           /* files, and the one being read */
	int flags;
	int ncols;
	char datetxt[DATE_LEN]; /* the current date's text: rows of one day share it, parse it once */
	int datelen;          /* 0 before the first row, and after a file change */
	char *previd;         /* the previous row's id (PANEL_KEYS) */
	size_t previdlen, previdcap;
	struct idkey prevkey; /* and its key */
	int previdtext;       /* previd holds the text (else the key does) */
	char shortid[9];      /* prev_id's text of a short id */
	long rows;
	int rowfile;          /* the file of the last row read */
	int code;             /* sysexits code of the last failure */
	char err[512];
};

static int
digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
bytecmp(const char *a, size_t la, const char *b, size_t lb)
{
	int c = memcmp(a, b, la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

int
panel_idcmp(const char *a, size_t la, const char *b, size_t lb)
{
	int da = digits(a, la), db = digits(b, lb), c;
	const char *a1 = a, *b1 = b;
	size_t n1 = la, n2 = lb;

	if (da != db)
		return da ? -1 : 1;
	if (!da)
		return bytecmp(a, la, b, lb);
	while (n1 > 1 && *a1 == '0')
		a1++, n1--;
	while (n2 > 1 && *b1 == '0')
		b1++, n2--;
	if (n1 != n2)
		return n1 < n2 ? -1 : 1;
	c = memcmp(a1, b1, n1);
	return c != 0 ? c : bytecmp(a, la, b, lb); /* "007" and "7" are different ids */
}

static int
fail(panel *p, int code, const char *msg)
{
	p->code = code;
	err_fmt(p->err, sizeof p->err, "%s", msg);
	p->h.have = 0;
	return -1;
}

/* Make file i the current one: its reader and columns become the head's. */
static void
use_file(panel *p, int i)
{
	p->cur = i;
	p->h.r = p->f[i].r;
	p->h.cdate = p->f[i].cdate;
	p->h.cid = p->f[i].cid;
	memcpy(p->h.col, p->f[i].col, sizeof p->h.col);
}

int
panel_open(panel **out, FILE *const *fps, const char *const *names, int n, const char *const *cols,
    int ncols, int flags, char *err, size_t errlen)
{
	panel *p = calloc(1, sizeof *p);
	int rc;

	*out = NULL;
	if (p == NULL || n < 1 || ncols < 0 || ncols > PANEL_MAXCOL || (p->f = calloc((size_t)n, sizeof *p->f)) == NULL) {
		free(p);
		err_fmt(err, errlen, n < 1 || ncols < 0 || ncols > PANEL_MAXCOL ? "panel_open: bad arguments" :
		    "out of memory");
		return EX_OSERR;
	}
	p->n = n;
	p->flags = flags;
	p->ncols = ncols;
	for (int i = 0; i < n; i++) {
		struct pfile *f = &p->f[i];

		if ((f->r = csv_open(fps[i], names[i])) == NULL) {
			panel_close(p);
			err_fmt(err, errlen, "out of memory");
			return EX_OSERR;
		}
		if (csv_read_header(f->r) != 0 || (f->cdate = csv_require(f->r, "date")) < 0 ||
		    (f->cid = csv_require(f->r, "id")) < 0)
			goto bad;
		for (int k = 0; k < PANEL_MAXCOL; k++)
			f->col[k] = -1;
		for (int k = 0; k < ncols; k++)
			if ((f->col[k] = cols[k][0] == '?' ? csv_col(f->r, cols[k] + 1) : csv_require(f->r, cols[k])) < 0 &&
			    cols[k][0] != '?')
				goto bad;
		continue;
bad:
		rc = err_ret(csv_code(f->r), err, errlen, "%s", csv_error(f->r));
		panel_close(p);
		return rc;
	}
	use_file(p, 0);
	if (panel_next(p) < 0) {
		err_fmt(err, errlen, "%s", p->err);
		int code = p->code;
		panel_close(p);
		return code;
	}
	*out = p;
	return 0;
}

void
panel_close(panel *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->n; i++)
		csv_close(p->f[i].r);
	free(p->f);
	free(p->previd);
	free(p);
}

const char *
panel_error(const panel *p)
{
	return p->err;
}

int
panel_code(const panel *p)
{
	return p->code;
}

long
panel_rows(const panel *p)
{
	return p->rows;
}

/* The current row failed a check or could not be read: csv_fail's text becomes the panel's error, and
 * csv_code's code its code (a read error is EX_IOERR, not bad data). */
static int
row_fail(panel *p)
{
	return fail(p, csv_code(p->h.r), csv_error(p->h.r));
}

/* Field i's bytes without csv_field's NUL store (a store just before the loads of the same word stalls
 * them); the caller knows its length. */
static inline const char *
field_raw(const csv_reader *r, int i)
{
	const struct csv_head *h = (const struct csv_head *)(const void *)r;

	return h->buf + h->fields[i].off;
}

/* Fixed-size loads: a date's 10 bytes compared without a call. */
static inline int
same_date(const char *a, const char *b)
{
	unsigned long long x, y;
	unsigned short u, v;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	memcpy(&u, a + 8, 2);
	memcpy(&v, b + 8, 2);
	return x == y && u == v;
}

/* A new date (or a date spelt otherwise): parse and check it. Returns 0 or -1 (row_fail done). */
static int
new_date(panel *p, csv_reader *r, int first)
{
	char a[DATE_LEN + 1], b[DATE_LEN + 1];
	int day;

	if (csv_date_required(r, p->h.cdate, &day) < 0)
		return row_fail(p);
	if (p->datelen != 0 && (first ? day <= p->h.date : day < p->h.date)) {
		if (first)
			csv_fail(r, p->h.cdate, "%s is not after %s, the last date of %s: give the files in date order",
			    date_fmt(day, a), date_fmt(p->h.date, b), csv_name(p->f[p->rowfile].r));
		else
			csv_fail(r, p->h.cdate, "%s is before %s: the input must be sorted by date", date_fmt(day, a),
			    date_fmt(p->h.date, b));
		return row_fail(p);
	}
	p->h.newday = p->datelen == 0 || day != p->h.date;
	p->h.date = day;
	if (csv_len(r, p->h.cdate) == DATE_LEN) {
		memcpy(p->datetxt, csv_field(r, p->h.cdate), DATE_LEN);
		p->datelen = DATE_LEN;
	} else {
		p->datelen = -1; /* another spelling: parse every row */
	}
	return 0;
}

/* The previous row's id as text. */
static const char *
prev_id(panel *p)
{
	if (p->previdtext)
		return p->previd;
	for (size_t i = 0; i < p->prevkey.len; i++)
		p->shortid[i] = (char)(p->prevkey.be >> (56 - 8 * i));
	p->shortid[p->prevkey.len] = '\0';
	return p->shortid;
}

/* PANEL_KEYS: the id must follow the previous row's on the same date. Returns 0 or -1. */
static int
check_id(panel *p, csv_reader *r)
{
	size_t il = csv_len(r, p->h.cid);
	struct idkey k = idkey(field_raw(r, p->h.cid), il);

	if (!p->h.newday) {
		int c;

		if (k.isshort && p->prevkey.isshort)
			c = k.len != p->prevkey.len ? (p->prevkey.len < k.len ? -1 : 1) :
			    p->prevkey.be != k.be ? (p->prevkey.be < k.be ? -1 : 1) : 0;
		else
			c = panel_idcmp(prev_id(p), p->previdlen, csv_field(r, p->h.cid), il);
		if (c >= 0) {
			const char *id = csv_field(r, p->h.cid);
			char a[DATE_LEN + 1];

			if (c == 0)
				csv_fail(r, p->h.cid, "duplicate row for id '%s' on %s", id, date_fmt(p->h.date, a));
			else
				csv_fail(r, p->h.cid, "'%s' after '%s' on %s: the input must be sorted by date, then id", id,
				    prev_id(p), date_fmt(p->h.date, a));
			return row_fail(p);
		}
	}
	p->prevkey = k;
	p->previdlen = il;
	p->previdtext = !k.isshort;
	if (!k.isshort) { /* keep the text; a short id is in its key */
		if (il + 1 > p->previdcap) {
			size_t cap = il + 1 > 64 ? il + 1 : 64;
			char *nb = realloc(p->previd, cap);

			if (nb == NULL)
				return fail(p, EX_OSERR, "out of memory");
			p->previd = nb;
			p->previdcap = cap;
		}
		memcpy(p->previd, csv_field(r, p->h.cid), il + 1);
	}
	return 0;
}

int
panel_next(panel *p)
{
	csv_reader *r = p->h.r;
	int rc, first = 0; /* first: the first row of a file after the first one */

	for (;;) {
		if ((rc = csv_next(r)) > 0)
			break;
		if (rc < 0)
			return row_fail(p);
		if (p->cur + 1 == p->n) {
			p->h.have = 0;
			return 0;
		}
		use_file(p, p->cur + 1);
		r = p->h.r;
		first = p->rows > 0;
	}
	if (!first && p->datelen == DATE_LEN && csv_len(r, p->h.cdate) == DATE_LEN &&
	    same_date(field_raw(r, p->h.cdate), p->datetxt))
		p->h.newday = 0;
	else if (new_date(p, r, first) < 0)
		return -1;
	if (csv_len(r, p->h.cid) == 0) {
		csv_need(r, p->h.cid);
		return row_fail(p);
	}
	if ((p->flags & PANEL_KEYS) && check_id(p, r) < 0)
		return -1;
	p->rows++;
	p->rowfile = p->cur;
	p->h.have = 1;
	return 1;
}

int
panel_skip_to(panel *p, int day)
{
	while (p->h.have && p->h.date < day)
		if (panel_next(p) < 0)
			return -1;
	return p->h.have && p->h.date == day;
}

/* ============================================================ merging */

struct merge_in { /* one input of a merge */
	panel *p;
	int live;          /* a record in range is current */
};

static int
key_cmp(panel *a, panel *b)
{
	int da = panel_date(a), db = panel_date(b);

	return da != db ? (da < db ? -1 : 1) : panel_idcmp(panel_id(a), panel_idlen(a), panel_id(b), panel_idlen(b));
}

/* Make the next in-range record of in current. Returns 0, or the panel's code with err set. */
static int
advance(struct merge_in *in, const panel_merge_opts *o, int first, char *err, size_t errlen)
{
	int rc = first ? 1 : panel_next(in->p);

	while (rc > 0 && panel_date(in->p) < o->from)
		rc = panel_next(in->p);
	if (rc < 0) {
		in->live = 0;
		return err_ret(panel_code(in->p), err, errlen, "%s", panel_error(in->p));
	}
	/* sorted: nothing after `to` is in range */
	in->live = panel_has(in->p) && panel_date(in->p) <= o->to;
	return 0;
}

/* Open input i, and for the first write the header and note its columns. Returns 0 or a sysexits code. */
static int
merge_open(struct merge_in *in, int i, FILE **files, const char **names, char **cols, int *ncols, FILE *out,
    const panel_merge_opts *o, char *err, size_t errlen)
{
	int rc;

	/* The first input's columns are the output's; the others' are found by name ("?": may be absent). */
	if ((rc = panel_open(&in[i].p, &files[i], &names[i], 1, (const char *const *)cols, i ? *ncols : 0,
	    PANEL_KEYS, err, errlen)) != 0)
		return rc;
	if (i == 0) {
		csv_reader *r = panel_csv(in[0].p);

		*ncols = csv_ncols(r);
		if (*ncols > PANEL_MAXCOL)
			return err_ret(EX_DATAERR, err, errlen, "%s: more than %d columns", names[0], PANEL_MAXCOL);
		for (int c = 0; c < *ncols; c++) {
			if ((cols[c] = malloc(strlen(csv_colname(r, c)) + 2)) == NULL)
				return err_ret(EX_OSERR, err, errlen, "out of memory");
			sprintf(cols[c], "?%s", csv_colname(r, c));
		}
		for (int c = 0; c < *ncols; c++) {
			if (c > 0)
				putc(',', out);
			fputs(csv_colname(r, c), out);
		}
		putc('\n', out);
	}
	return advance(&in[i], o, 1, err, errlen);
}

int
panel_merge(FILE **files, const char **names, int n, FILE *out, const panel_merge_opts *o, long *rows,
    char *err, size_t errlen)
{
	struct merge_in *in = calloc((size_t)n, sizeof *in);
	char *cols[PANEL_MAXCOL] = { 0 };
	csv_writer w;
	int ncols = 0, rc = 0;

	*rows = 0;
	if (in == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	csv_w_init(&w, out);
	for (int i = 0; i < n && rc == 0; i++)
		rc = merge_open(in, i, files, names, cols, &ncols, out, o, err, errlen);
	while (rc == 0) {
		int best = -1, date;
		char *id;

		/* The smallest key; among equal keys the last input (newest data) wins. */
		for (int i = 0; i < n; i++)
			if (in[i].live && (best < 0 || key_cmp(in[i].p, in[best].p) <= 0))
				best = i;
		if (best < 0)
			break;
		for (int c = 0; c < ncols; c++) {
			csv_reader *r = panel_csv(in[best].p);
			int src = best == 0 ? c : panel_col(in[best].p, c);

			if (src < 0)
				csv_w_empty(&w);
			else
				csv_w_strn(&w, csv_field(r, src), csv_len(r, src));
		}
		if (csv_w_end(&w) != 0) {
			rc = err_ret(EX_IOERR, err, errlen, "write error: %s", strerror(errno ? errno : EIO));
			break;
		}
		(*rows)++;
		date = panel_date(in[best].p);
		if ((id = strdup(panel_id(in[best].p))) == NULL) {
			rc = err_ret(EX_OSERR, err, errlen, "out of memory");
			break;
		}
		for (int i = 0; i < n && rc == 0; i++)
			if (in[i].live && panel_date(in[i].p) == date &&
			    panel_idcmp(panel_id(in[i].p), panel_idlen(in[i].p), id, strlen(id)) == 0)
				rc = advance(&in[i], o, 0, err, errlen);
		free(id);
	}
	for (int i = 0; i < n; i++)
		panel_close(in[i].p);
	for (int c = 0; c < PANEL_MAXCOL; c++)
		free(cols[c]);
	free(in);
	return rc;
}
