#include "ib/bars.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "date.h"
#include "err.h"
#include "num.h"
#include "panel.h"

static double
val(double v)
{
	return v == TWS_UNSET_DOUBLE || !isfinite(v) || v < 0 ? NAN : v;
}

/* "yyyymmdd", maybe followed by a blank and a time: the day, or INT_MIN (days before 1970 are negative). */
static int
ib_day(const char *s)
{
	int y, m, d;

	for (int i = 0; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return INT_MIN;
	if (s[8] != '\0' && s[8] != ' ')
		return INT_MIN;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[4] - '0') * 10 + (s[5] - '0');
	d = (s[6] - '0') * 10 + (s[7] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return INT_MIN;
	{
		int day = date_from_ymd(y, m, d), yy, mm, dd;
		date_to_ymd(day, &yy, &mm, &dd);
		return yy == y && mm == m && dd == d ? day : INT_MIN;
	}
}

int
bk_bars_set(bk_series *s, const tws_bar *b, int n, char *err, size_t errlen)
{
	bk_bar *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);

	if (v == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	for (int i = 0; i < n; i++) {
		int day = ib_day(b[i].date);
		if (day == INT_MIN) {
			free(v);
			return err_ret(EX_DATAERR, err, errlen, "bar %d: date: '%.20s' is not yyyymmdd", i + 1, b[i].date);
		}
		if (i > 0 && day <= v[i - 1].date) {
			free(v);
			return err_ret(EX_DATAERR, err, errlen, "bar %d: date: %.20s does not follow the bar before it", i + 1,
			    b[i].date);
		}
		v[i].date = day;
		v[i].open = val(b[i].open);
		v[i].high = val(b[i].high);
		v[i].low = val(b[i].low);
		v[i].close = val(b[i].close);
		v[i].volume = val(b[i].volume);
	}
	free(s->v);
	s->v = v;
	s->n = n;
	return 0;
}

void
bk_series_free(bk_series *s)
{
	if (s == NULL)
		return;
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

long
bk_bars_rows(bk_series *const *s, size_t n)
{
	long rows = 0;

	for (size_t i = 0; i < n; i++)
		rows += s[i]->n;
	return rows;
}

/* ---- the k-way merge ---- */

struct cursor {
	const bk_series *s;  /* the series */
	int pos;             /* next bar to write */
	double prev;         /* the close before it, NaN when none */
};

/* Ids in panel order (numeric ids by value: conIds differ in length), so the output is a panel that
 * prices-merge and every panel reader take (sti-formats(5)). */
static int
cmp_series_id(const void *a, const void *b)
{
	const char *x = (*(const struct cursor *)a).s->id, *y = (*(const struct cursor *)b).s->id;

	return panel_idcmp(x, strlen(x), y, strlen(y));
}

/* Cursors are ranked by id once (their index in cur[]); a heap entry carries its key, the date of the
 * cursor's next bar, so that comparisons do not chase pointers into the series. */
struct node {
	int date;
	int idx;
};

static int
before(struct node a, struct node b)
{
	return a.date != b.date ? a.date < b.date : a.idx < b.idx;
}

static void
sift_down(struct node *heap, int n, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		struct node t;
		if (l < n && before(heap[l], heap[m]))
			m = l;
		if (r < n && before(heap[r], heap[m]))
			m = r;
		if (m == i)
			return;
		t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

int
bk_bars_write(FILE *fp, bk_series *const *s, size_t n)
{
	struct cursor *cur = malloc((n ? n : 1) * sizeof *cur);
	struct node *heap = malloc((n ? n : 1) * sizeof *heap);
	int nh = 0, rc = 0;
	csv_writer w;

	if (cur == NULL || heap == NULL) {
		free(cur);
		free(heap);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		cur[i].s = s[i];
		cur[i].pos = 0;
		cur[i].prev = NAN;
	}
	qsort(cur, n, sizeof *cur, cmp_series_id);
	for (size_t i = 0; i < n; i++)
		if (cur[i].s->n > 0)
			heap[nh++] = (struct node){ cur[i].s->v[0].date, (int)i };
	for (int i = nh / 2 - 1; i >= 0; i--)
		sift_down(heap, nh, i);
	csv_w_init(&w, fp);
	if (csv_w_header(&w, "date,id,symbol,open,high,low,close,volume,ret") < 0)
		rc = -1;
	while (nh > 0 && rc == 0) {
		struct cursor *c = &cur[heap[0].idx];
		const bk_bar *b = &c->s->v[c->pos];
		double ret = c->prev > 0 && b->close >= 0 ? b->close / c->prev - 1 : NAN;

		csv_w_date(&w, b->date);
		csv_w_str(&w, c->s->id);
		csv_w_str(&w, c->s->symbol);
		csv_w_num(&w, b->open);
		csv_w_num(&w, b->high);
		csv_w_num(&w, b->low);
		csv_w_num(&w, b->close);
		csv_w_num(&w, b->volume);
		csv_w_num(&w, ret);
		if (csv_w_end(&w) < 0)
			rc = -1;
		c->prev = b->close;
		if (++c->pos == c->s->n)
			heap[0] = heap[--nh];
		else
			heap[0].date = c->s->v[c->pos].date;
		sift_down(heap, nh, 0);
	}
	free(cur);
	free(heap);
	return rc;
}
