#include "wtrun.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "csv.h"
#include "err.h"
#include "panel.h"
#include "strategy.h"

/* A row of the portfolio kept for --asof. */
struct held {
	char *id, *sym;
	double w;
};

struct run {
	const struct wtr_opts *o;
	strat *s;
	csv_writer w;
	struct held *keep; /* asof: the latest portfolio */
	size_t nkeep;
	int keep_date;
	char *err;
	size_t errlen;
	char **members;    /* the universe's ids so far, a set (open addressing, at most half full) ... */
	size_t nmembers, capmembers;
	int matched;       /* ... and 1 once a price row's id is one of them */
};

static size_t
id_slot(char *const *set, size_t cap, const char *id, size_t len)
{
	size_t h = 1469598103934665603u;

	for (size_t k = 0; k < len; k++)
		h = (h ^ (unsigned char)id[k]) * 1099511628211u;
	for (h &= cap - 1; set[h] != NULL; h = (h + 1) & (cap - 1))
		if (strncmp(set[h], id, len) == 0 && set[h][len] == '\0')
			break;
	return h;
}

/* Note a universe id (an empty or a full universe is an error at the end, not a header and exit 0). */
static int
add_member(struct run *u, const char *id, size_t len)
{
	size_t i;

	if ((u->nmembers + 1) * 2 > u->capmembers) {
		size_t cap = u->capmembers ? u->capmembers * 2 : 256;
		char **set = calloc(cap, sizeof *set);

		if (set == NULL)
			return -1;
		for (i = 0; i < u->capmembers; i++)
			if (u->members[i] != NULL)
				set[id_slot(set, cap, u->members[i], strlen(u->members[i]))] = u->members[i];
		free(u->members);
		u->members = set;
		u->capmembers = cap;
	}
	i = id_slot(u->members, u->capmembers, id, len);
	if (u->members[i] == NULL) {
		if ((u->members[i] = strndup(id, len)) == NULL)
			return -1;
		u->nmembers++;
	}
	return 0;
}

static void
free_kept(struct run *u)
{
	for (size_t i = 0; i < u->nkeep; i++) {
		free(u->keep[i].id);
		free(u->keep[i].sym);
	}
	u->nkeep = 0;
}

static int
write_row(struct run *u, int day, const char *id, const char *sym, double wt)
{
	csv_w_date(&u->w, day);
	csv_w_str(&u->w, id);
	csv_w_str(&u->w, sym);
	csv_w_num(&u->w, wt);
	if (csv_w_end(&u->w) != 0) {
		err_fmt(u->err, u->errlen, "cannot write the output: %s", strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

/* Close the day; write its portfolio (or keep it, with asof). next: the next panel day, 0 at the end.
 * Returns 0 or a sysexits code. */
static int
end_day(struct run *u, int day, int next)
{
	int got = strat_day_end(u->s, next), rc;
	size_t n;

	if (got < 0)
		goto nomem;
	if (got == 0)
		return 0;
	n = strat_nweights(u->s);
	if (u->o->asof) {
		struct held *nk;

		free_kept(u);
		if ((nk = realloc(u->keep, sizeof *nk * (n ? n : 1))) == NULL)
			goto nomem;
		u->keep = nk;
		u->keep_date = day;
	}
	for (size_t i = 0; i < n; i++) {
		const char *id, *sym;
		double wt;

		strat_weight(u->s, i, &id, &sym, &wt);
		if (u->o->asof) {
			struct held *h = &u->keep[u->nkeep++];

			h->id = strdup(id);
			h->sym = strdup(sym);
			h->w = wt;
			if (h->id == NULL || h->sym == NULL)
				goto nomem;
		} else if ((rc = write_row(u, day, id, sym, wt)) != 0) {
			return rc;
		}
	}
	return 0;
nomem:
	err_fmt(u->err, u->errlen, "out of memory");
	return EX_OSERR;
}

/* Hand the universe rows dated day to the engine (rows of days without prices are skipped). */
static int
feed_universe(struct run *u, panel *un, int day)
{
	char ebuf[256];
	int rc = panel_skip_to(un, day);

	while (rc > 0 && panel_date(un) == day) {
		if (add_member(u, panel_id(un), panel_idlen(un)) != 0) {
			err_fmt(u->err, u->errlen, "out of memory");
			return EX_OSERR;
		}
		if ((rc = strat_member(u->s, panel_id(un), panel_idlen(un), ebuf, sizeof ebuf)) != 0)
			return csv_row_ret(panel_csv(un), panel_cid(un), rc, ebuf, u->err, u->errlen);
		rc = panel_next(un);
	}
	if (rc < 0) {
		err_fmt(u->err, u->errlen, "%s", panel_error(un));
		return panel_code(un);
	}
	return 0;
}

enum { C_SYMBOL, C_RET };

int
wtr_run(const struct wtr_opts *o, char *err, size_t errlen)
{
	static const char *const cols[] = { [C_SYMBOL] = "symbol", [C_RET] = "ret" };
	struct run u = { .o = o, .err = err, .errlen = errlen };
	panel *px = NULL, *un = NULL;
	int rc, cur = 0, have = 0, stop = 0;

	if ((u.s = strat_new(o->cfg)) == NULL) {
		err_fmt(err, errlen, "out of memory");
		return EX_OSERR;
	}
	if ((rc = panel_open(&px, o->prices, o->prices_name, o->nprices, cols, 2, PANEL_KEYS, err, errlen)) != 0 ||
	    (o->universe != NULL &&
	    (rc = panel_open(&un, &o->universe, &o->universe_name, 1, NULL, 0, 0, err, errlen)) != 0))
		goto out;
	if (un != NULL)
		strat_universe_mode(u.s);
	csv_w_init(&u.w, o->out);
	if (csv_w_header(&u.w, "date,id,symbol,weight") != 0) {
		err_fmt(err, errlen, "cannot write the output: %s", strerror(errno));
		rc = EX_IOERR;
		goto out;
	}
	while (panel_has(px)) {
		csv_reader *r = panel_csv(px);
		char ebuf[256];
		double ret = 0;
		int got;

		if (panel_newday(px)) {
			int day = panel_date(px);

			if (o->asof && day > o->asof) {
				stop = day; /* the next date still decides whether cur ended a month */
				break;
			}
			if (have && (rc = end_day(&u, cur, day)) != 0)
				goto out;
			if ((rc = strat_day_begin(u.s, day, ebuf, sizeof ebuf)) != 0) {
				rc = csv_row_ret(r, panel_cdate(px), rc, ebuf, err, errlen);
				goto out;
			}
			cur = day;
			have = 1;
			if (un != NULL && (rc = feed_universe(&u, un, day)) != 0)
				goto out;
		}
		if ((got = csv_double(r, panel_col(px, C_RET), &ret)) < 0)
			goto data;
		if (un != NULL && !u.matched && u.nmembers > 0 &&
		    u.members[id_slot(u.members, u.capmembers, panel_id(px), panel_idlen(px))] != NULL)
			u.matched = 1;
		if ((rc = strat_price(u.s, panel_id(px), panel_idlen(px), csv_field(r, panel_col(px, C_SYMBOL)),
		    csv_len(r, panel_col(px, C_SYMBOL)), got, ret, ebuf, sizeof ebuf)) != 0) {
			rc = csv_row_ret(r, got && ret < -1 ? panel_col(px, C_RET) : panel_cid(px), rc, ebuf, err,
			    errlen);
			goto out;
		}
		if (panel_next(px) < 0) {
			err_fmt(err, errlen, "%s", panel_error(px));
			rc = panel_code(px);
			goto out;
		}
	}
	if (have && (rc = end_day(&u, cur, stop)) != 0)
		goto out;
	if (un != NULL && have && (u.nmembers == 0 || !u.matched)) { /* no universe is no portfolio */
		err_fmt(err, errlen, "%s: universe: %s", o->universe_name, u.nmembers == 0 ?
		    "no rows on the days of the prices" : "no id of the universe is in the prices");
		rc = EX_DATAERR;
		goto out;
	}
	for (size_t i = 0; i < u.nkeep; i++)
		if ((rc = write_row(&u, u.keep_date, u.keep[i].id, u.keep[i].sym, u.keep[i].w)) != 0)
			goto out;
	rc = 0;
	goto out;
data:
	err_fmt(err, errlen, "%s", csv_error(panel_csv(px)));
	rc = EX_DATAERR;
out:
	free_kept(&u);
	free(u.keep);
	for (size_t i = 0; i < u.capmembers; i++)
		free(u.members[i]);
	free(u.members);
	strat_free(u.s);
	panel_close(px);
	panel_close(un);
	return rc;
}
