#include "universe.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "date.h"
#include "err.h"
#include "panel.h"

/* The panel's order of ids (panel_idcmp): integer ids (permnos, conIds) first in numeric order, then the
 * others bytewise, a total order even when a file mixes both kinds. One definition, so that a universe and
 * a panel never disagree on it. */
int
univ_idcmp(const char *a, const char *b)
{
	return panel_idcmp(a, strlen(a), b, strlen(b));
}

static int
member_cmp(const void *x, const void *y)
{
	const struct univ_member *a = x, *b = y;
	int c = univ_idcmp(a->id, b->id);

	return c != 0 ? c : (a->line > b->line) - (a->line < b->line);
}

static void
clear_members(struct univ_snap *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->m[i].id);
		free(s->m[i].symbol);
	}
	s->n = 0;
}

void
univ_free(struct univ_snap *s)
{
	clear_members(s);
	free(s->m);
	memset(s, 0, sizeof *s);
}

static int
add_member(struct univ_snap *s, const char *id, const char *symbol, long line)
{
	struct univ_member *m;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 512;
		m = realloc(s->m, cap * sizeof *m);
		if (m == NULL)
			return -1;
		s->m = m;
		s->cap = cap;
	}
	m = &s->m[s->n];
	m->id = strdup(id);
	m->symbol = strdup(symbol);
	m->line = line;
	if (m->id == NULL || m->symbol == NULL) {
		free(m->id);
		free(m->symbol);
		return -1;
	}
	s->n++;
	return 0;
}

int
univ_read_latest(FILE *fp, const char *name, struct univ_snap *s, char *err, size_t errlen)
{
	csv_reader *r = csv_open(fp, name);
	int cdate, cid, csym, day, rc;
	char buf[DATE_LEN + 1];

	if (r == NULL)
		return err_ret(EX_OSERR, err, errlen, "%s: out of memory", name);
	if (csv_read_header(r) < 0 || (cdate = csv_require(r, "date")) < 0 || (cid = csv_require(r, "id")) < 0)
		goto fail;
	csym = csv_col(r, "symbol");
	s->has_symbol = csym >= 0;
	while ((rc = csv_next(r)) > 0) {
		if ((rc = csv_date_required(r, cdate, &day)) < 0)
			goto fail;
		if ((rc = csv_need(r, cid)) < 0)
			goto fail;
		if (s->n > 0 && day < s->date)
			continue;
		if (s->n > 0 && day > s->date)
			clear_members(s);
		s->date = day;
		if (add_member(s, csv_field(r, cid), csym >= 0 ? csv_field(r, csym) : "", csv_line(r)) < 0) {
			csv_close(r);
			return err_ret(EX_OSERR, err, errlen, "%s: out of memory", name);
		}
	}
	if (rc < 0)
		goto fail;
	if (s->n == 0) {
		csv_close(r);
		return err_ret(EX_DATAERR, err, errlen, "%s: no members (an empty universe is not a snapshot)", name);
	}
	qsort(s->m, s->n, sizeof *s->m, member_cmp);
	for (size_t i = 1; i < s->n; i++)
		if (strcmp(s->m[i].id, s->m[i - 1].id) == 0) {
			csv_close(r);
			return err_ret(EX_DATAERR, err, errlen, "%s:%ld: id: '%s' is listed twice on %s (first on line %ld)",
			    name, s->m[i].line, s->m[i].id, date_fmt(s->date, buf), s->m[i - 1].line);
		}
	csv_close(r);
	return 0;
fail:
	rc = err_ret(csv_code(r), err, errlen, "%s", csv_error(r));
	csv_close(r);
	return rc;
}

long
univ_diff(struct univ_snap *old, struct univ_snap *new,
    int (*fn)(enum univ_event ev, const struct univ_member *o, const struct univ_member *n, void *arg),
    void *arg)
{
	size_t i = 0, j = 0;
	long events = 0;
	int c, rc, symbols = old->has_symbol && new->has_symbol;

	qsort(old->m, old->n, sizeof *old->m, member_cmp);
	qsort(new->m, new->n, sizeof *new->m, member_cmp);
	while (i < old->n || j < new->n) {
		if (i == old->n)
			c = 1;
		else if (j == new->n)
			c = -1;
		else
			c = univ_idcmp(old->m[i].id, new->m[j].id);
		if (c < 0)
			rc = fn(UNIV_LEAVE, &old->m[i++], NULL, arg);
		else if (c > 0)
			rc = fn(UNIV_ENTER, NULL, &new->m[j++], arg);
		else if (symbols && strcmp(old->m[i].symbol, new->m[j].symbol) != 0)
			rc = fn(UNIV_RENAME, &old->m[i++], &new->m[j++], arg);
		else {
			i++;
			j++;
			continue;
		}
		if (rc != 0)
			return -1;
		events++;
	}
	return events;
}
