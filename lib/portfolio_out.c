/* portfolio_out: the book's outputs: the orders (NDJSON) and the explanation (see portfolio.h). */
#include "portfolio.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "csv.h"
#include "date.h"
#include "err.h"
#include "ndjson.h"
#include "num.h"
#include "panel.h"
#include "portfolio_impl.h"

/* ---- output ---- */

static const pf_book *sort_book; /* qsort has no context argument in C11 */

static int
cmp_symbols(const void *a, const void *b)
{
	const struct pf_name *x = &sort_book->v[*(const size_t *)a], *y = &sort_book->v[*(const size_t *)b];
	int c = strcmp(x->symbol, y->symbol);

	return c ? c : strcmp(x->id, y->id);
}


static int
cmp_work(const void *a, const void *b)
{
	const struct pf_working *x = &sort_book->work[*(const size_t *)a].w;
	const struct pf_working *y = &sort_book->work[*(const size_t *)b].w;
	int c = strcmp(x->client_id, y->client_id);

	if (c)
		return c;
	if (x->order_id != y->order_id)
		return x->order_id < y->order_id ? -1 : 1;
	return (x->perm_id > y->perm_id) - (x->perm_id < y->perm_id);
}

/* nd_write o: 0, or EX_IOERR with "write error: " and strerror (errno, or EIO when the stream's error is
 * older). */
static int
write_one(FILE *fp, const json_t *o, char *err, size_t errlen)
{
	errno = 0;
	if (nd_write(fp, o) == 0)
		return 0;
	return err_ret(EX_IOERR, err, errlen, "write error: %s", strerror(errno ? errno : EIO));
}

/* The "supersede" records: the working orders of older decisions of this strategy, to be cancelled (and
 * the cancel confirmed, with no more filled than here) before the batch is placed. */
static int
write_supersede(const pf_book *b, FILE *fp, char *err, size_t errlen)
{
	const struct pf_working *w;
	size_t *ix, n = 0, i;
	json_t *o;
	int rc = 0;

	if ((ix = malloc(sizeof *ix * (b->nwork ? b->nwork : 1))) == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	for (i = 0; i < b->nwork; i++)
		if (b->work[i].kind == PF_WORK_SUPERSEDE)
			ix[n++] = i;
	sort_book = b;
	qsort(ix, n, sizeof *ix, cmp_work);
	for (i = 0; rc == 0 && i < n; i++) {
		w = &b->work[ix[i]].w;
		o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s}", "type", "supersede", "client_id", w->client_id,
		    "symbol", w->symbol, "side", w->side > 0 ? "BUY" : "SELL", "qty", (json_int_t)w->qty, "filled",
		    (json_int_t)w->filled, "remaining", (json_int_t)w->remaining, "status", w->status);
		if (o != NULL && w->order_id >= 0)
			json_object_set_new(o, "order_id", json_integer(w->order_id));
		if (o != NULL && w->perm_id >= 0)
			json_object_set_new(o, "perm_id", json_integer(w->perm_id));
		rc = o == NULL ? err_ret(EX_OSERR, err, errlen, "out of memory") : write_one(fp, o, err, errlen);
		json_decref(o);
	}
	free(ix);
	return rc;
}

int
pf_write_orders(const pf_book *b, FILE *fp, int decided, int trade_date, const char *strategy,
    const char *order_type, const char *tif, char *err, size_t errlen)
{
	const struct pf_name *x;
	char day[DATE_LEN + 1], tday[DATE_LEN + 1], *cid;
	json_t *o;
	size_t i;
	int rc = 0;

	date_fmt(decided, day);
	date_fmt(trade_date, tday);
	if ((rc = write_supersede(b, fp, err, errlen)) != 0)
		return rc;
	for (i = 0; rc == 0 && (x = pf_order(b, i)) != NULL; i++) {
		const char *side = x->qty > 0 ? "BUY" : "SELL";

		if (asprintf(&cid, "%s:%s:%s:%s", day, strategy, x->symbol, side) < 0)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:f,s:f}", "type", "order", "client_id", cid,
		    "date", tday, "id", x->id, "symbol", x->symbol, "side", side, "qty", (json_int_t)llabs(x->qty),
		    "order_type", order_type, "tif", tif, "ref_price", x->price, "target_weight", x->weight);
		free(cid);
		if (o == NULL)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		rc = write_one(fp, o, err, errlen);
		json_decref(o);
	}
	return rc;
}

const char *
pf_why_text(enum pf_why why)
{
	switch (why) {
	case PF_NO_PRICE: return "no price";
	case PF_AT_TARGET: return "at target";
	case PF_ZERO: return "weight too small for one share";
	case PF_BUY: return "buy to target";
	case PF_SELL: return "sell to target";
	case PF_EXIT: return "not in target: sell all";
	case PF_DUST_NOTIONAL: return "skipped: below --min-notional";
	case PF_DUST_WEIGHT: return "skipped: below --min-weight-change";
	case PF_SHRUNK: return "shrunk to the funds";
	case PF_STALE: return "stale price: not traded";
	case PF_CLOSE: return "weight too small for one share: sell all";
	case PF_SHRUNK_DUST: return "shrunk to the funds, then below the dust rules: skipped";
	case PF_NO_SHORT: return "cut to the shares held less working SELLs (never short, an exit never buys)";
	case PF_BAD_PRICE: return "refused price or quantity: not traded";
	}
	return "?";
}

int
pf_explain(const pf_book *b, const struct pf_params *p, FILE *fp, char *err, size_t errlen)
{
	const struct pf_totals *t = &b->tot;
	const struct pf_name *x;
	char d[DATE_LEN + 1], w[NUM_FMT_MAX], px[NUM_FMT_MAX];
	size_t *idx, i;

	errno = 0; /* the failing write's, if any, is the one reported */
	idx = malloc(sizeof *idx * (b->n ? b->n : 1));
	if (idx == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	for (i = 0; i < b->n; i++)
		idx[i] = i;
	sort_book = b;
	qsort(idx, b->n, sizeof *idx, cmp_symbols);
	fprintf(fp, "capital %.2f, buffer %g: %.2f to invest; funds %.2f + sells %.2f = %.2f for buys, "
	    "%.2f spent\n", p->capital, p->buffer, t->invest, t->funds, t->proceeds, t->funds + t->proceeds,
	    t->spent);
	fprintf(fp, "working orders counted as held: BUY %.2f, SELL %.2f; superseded: %zu; committed %.2f before, "
	    "%.2f after (NAV %.2f, %.4g x)\n", t->work_buy, t->work_sell, t->supersede, t->committed_before,
	    t->committed, t->nav, t->nav > 0 ? t->committed / t->nav : NAN);
	fprintf(fp, "%-10s %-10s %8s %10s %-10s %8s %8s %8s  %s\n", "symbol", "id", "weight", "price", "date",
	    "held", "target", "order", "reason");
	for (i = 0; i < b->n; i++) {
		x = &b->v[idx[i]];
		num_fmt(x->weight, w);
		num_fmt(x->price, px);
		fprintf(fp, "%-10s %-10s %8s %10s %-10s %8lld %8lld %+8lld  %s", x->symbol, x->id, w,
		    x->price > 0 ? px : "-", x->price > 0 ? date_fmt(x->price_date, d) : "-", x->held, x->target,
		    x->qty, pf_why_text(x->why));
		if (x->why == PF_SHRUNK)
			fprintf(fp, " (from %+lld)", x->want);
		else if (x->why == PF_DUST_NOTIONAL || x->why == PF_DUST_WEIGHT || x->why == PF_SHRUNK_DUST)
			fprintf(fp, " (%+lld)", x->want);
		else if (x->why == PF_BAD_PRICE)
			fprintf(fp, " (%s)", x->bad);
		if (x->work_buy != 0 || x->work_sell != 0)
			fprintf(fp, " [working +%lld -%lld]", x->work_buy, x->work_sell);
		if (x->same_buy != 0 || x->same_sell != 0)
			fprintf(fp, " [this decision's working +%lld -%lld]", x->same_buy, x->same_sell);
		if (x->placed)
			fprintf(fp, " (at the broker already: not placed again)");
		putc('\n', fp);
	}
	free(idx);
	if (ferror(fp))
		return err_ret(EX_IOERR, err, errlen, "write error: %s", strerror(errno ? errno : EIO));
	return 0;
}
