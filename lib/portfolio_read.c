/* portfolio_read: the book's inputs: target weights (CSV), the account (NDJSON), prices (CSV panel) (see portfolio.h). */
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

/* ---- reading ---- */

/* Copy csv_error into err and return code. */
static int
csv_failed(csv_reader *r, int code, char *err, size_t errlen)
{
	return err_ret(code, err, errlen, "%s", csv_error(r));
}

int
pf_read_weights(pf_book *b, FILE *fp, const char *name, int asof, int *date, char *err, size_t errlen)
{
	struct row { char *id, *symbol; double w; long line; } *rows = NULL, *nr;
	size_t n = 0, cap = 0, k;
	int best = INT_MIN, cd, cid, csym, cw, d, rc = EX_SOFTWARE, got;
	double w;
	csv_reader *r = csv_open(fp, name);
	char msg[PF_ERRLEN];

	if (r == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	if (csv_read_header(r) != 0 || (cd = csv_require(r, "date")) < 0 || (cid = csv_require(r, "id")) < 0 ||
	    (csym = csv_require(r, "symbol")) < 0 || (cw = csv_require(r, "weight")) < 0) {
		rc = csv_failed(r, csv_code(r), err, errlen);
		goto out;
	}
	while ((got = csv_next(r)) == 1) {
		if (csv_date_required(r, cd, &d) < 0) {
			rc = csv_failed(r, EX_DATAERR, err, errlen);
			goto out;
		}
		if (d > asof || d < best)
			continue;
		if (d > best) { /* a later date: forget the earlier one */
			for (k = 0; k < n; k++) {
				free(rows[k].id);
				free(rows[k].symbol);
			}
			n = 0;
			best = d;
		}
		if (csv_double_required(r, cw, &w) < 0 || (!isfinite(w) && csv_fail(r, cw, "not a finite number")) ||
		    csv_need(r, cid) < 0) {
			rc = csv_failed(r, EX_DATAERR, err, errlen);
			goto out;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nr = realloc(rows, sizeof *rows * cap)) == NULL) {
				rc = err_ret(EX_OSERR, err, errlen, "out of memory");
				goto out;
			}
			rows = nr;
		}
		rows[n].id = strdup(csv_field(r, cid));
		rows[n].symbol = strdup(csv_field(r, csym));
		rows[n].w = w;
		rows[n].line = csv_line(r);
		if (rows[n++].id == NULL || rows[n - 1].symbol == NULL) {
			rc = err_ret(EX_OSERR, err, errlen, "out of memory");
			goto out;
		}
	}
	if (got < 0) {
		rc = csv_failed(r, csv_code(r), err, errlen);
		goto out;
	}
	if (best == INT_MIN) {
		char day[DATE_LEN + 1];

		if (asof == INT_MAX)
			rc = err_ret(EX_DATAERR, err, errlen, "%s: no weights", csv_name(r));
		else
			rc = err_ret(EX_DATAERR, err, errlen, "%s: no weights dated on or before %s", csv_name(r),
			    date_fmt(asof, day));
		goto out;
	}
	for (k = 0; k < n; k++)
		if ((rc = pf_add_target(b, rows[k].id, rows[k].symbol, rows[k].w, msg, sizeof msg)) != 0) {
			err_ret(rc, err, errlen, "%s:%ld: %s", csv_name(r), rows[k].line, msg);
			goto out;
		}
	*date = best;
	rc = 0;
out:
	for (k = 0; k < n; k++) {
		free(rows[k].id);
		free(rows[k].symbol);
	}
	free(rows);
	csv_close(r);
	return rc;
}

/* A whole number of shares in [0, QTY_MAX] from field key of rec, or fallback when absent (a fallback of -1
 * makes the field required). Returns 0, or EX_DATAERR with err set. */
static int
whole(const json_t *rec, const char *key, double fallback, long long *out, const char *name, long line,
    char *err, size_t errlen)
{
	json_t *v = json_object_get(rec, key);
	double q;

	if (v == NULL || json_is_null(v)) {
		if (fallback < 0)
			return err_ret(EX_DATAERR, err, errlen, "%s:%ld: %s: missing", name, line, key);
		*out = (long long)fallback;
		return 0;
	}
	q = json_is_number(v) ? json_number_value(v) : NAN;
	if (!isfinite(q) || q != floor(q) || q < 0 || q > QTY_MAX)
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: %s: not a whole number of shares", name, line, key);
	*out = (long long)q;
	return 0;
}

/* An "open_order" record: client_id, order_id, perm_id, id, symbol, side, qty, filled, remaining, status,
 * transmit (sti-formats(5)). remaining defaults to qty - filled, filled to 0, transmit to unknown. */
static int
read_open_order(pf_book *b, const json_t *rec, const char *name, long line, struct pf_account *acct, char *err,
    size_t errlen)
{
	struct pf_working w;
	const char *side = nd_str(rec, "side", "");
	json_t *t = json_object_get(rec, "transmit");
	char msg[PF_ERRLEN];
	int rc;

	memset(&w, 0, sizeof w);
	w.client_id = nd_str(rec, "client_id", "");
	w.order_id = nd_int(rec, "order_id", -1);
	w.perm_id = nd_int(rec, "perm_id", -1);
	w.id = nd_str(rec, "id", "");
	w.symbol = nd_str(rec, "symbol", "");
	w.status = nd_str(rec, "status", "");
	if (strcmp(side, "BUY") == 0)
		w.side = 1;
	else if (strcmp(side, "SELL") == 0)
		w.side = -1;
	else
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: side: '%s' is not BUY or SELL", name, line, side);
	if (t != NULL && !json_is_null(t) && !json_is_boolean(t))
		return err_ret(EX_DATAERR, err, errlen, "%s:%ld: transmit: not true or false", name, line);
	w.transmit = t == NULL || json_is_null(t) ? -1 : json_is_true(t);
	if ((rc = whole(rec, "qty", -1, &w.qty, name, line, err, errlen)) != 0 ||
	    (rc = whole(rec, "filled", 0, &w.filled, name, line, err, errlen)) != 0)
		return rc;
	if ((rc = whole(rec, "remaining", (double)(w.filled <= w.qty ? w.qty - w.filled : 0), &w.remaining, name,
	    line, err, errlen)) != 0)
		return rc;
	if ((rc = pf_add_working(b, &w, msg, sizeof msg)) != 0)
		return err_ret(rc, err, errlen, "%s:%ld: %s", name, line, msg);
	acct->working = b->nwork;
	return 0;
}

int
pf_read_account(pf_book *b, FILE *fp, const char *name, struct pf_account *acct, char *err, size_t errlen)
{
	nd_reader *r = nd_open(fp, name);
	json_t *rec;
	const char *type, *acc;
	double q;
	int got, rc = EX_SOFTWARE;
	long acct_line = 0;
	char msg[PF_ERRLEN];

	memset(acct, 0, sizeof *acct);
	if (r == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	while ((got = nd_next(r, &rec)) == 1) {
		type = nd_str(rec, "type", "");
		acc = nd_str(rec, "account", "");
		if ((strcmp(type, "account") == 0 || strcmp(type, "position") == 0 ||
		    strcmp(type, "open_order") == 0) && *acc) {
			if (acct->account[0] && strcmp(acct->account, acc) != 0) {
				rc = err_ret(EX_DATAERR, err, errlen, "%s:%ld: account: records of a second account '%s' "
				    "(first: '%s')", name, nd_line(r), acc, acct->account);
				json_decref(rec);
				goto out;
			}
			snprintf(acct->account, sizeof acct->account, "%s", acc);
		}
		if (strcmp(type, "account") == 0) {
			if (acct->have) {
				rc = err_ret(EX_DATAERR, err, errlen, "%s:%ld: type: a second account record (the first is "
				    "on line %ld)", name, nd_line(r), acct_line);
				json_decref(rec);
				goto out;
			}
			acct_line = nd_line(r);
			acct->have = 1;
			acct->net_liquidation = nd_num(rec, "net_liquidation", NAN);
			acct->total_cash = nd_num(rec, "total_cash", NAN);
			acct->available_funds = nd_num(rec, "available_funds", NAN);
		} else if (strcmp(type, "position") == 0) {
			q = nd_num(rec, "qty", NAN);
			if (!isfinite(q) || q != floor(q) || fabs(q) > 1e15) {
				rc = err_ret(EX_DATAERR, err, errlen, "%s:%ld: qty: not a whole number of shares", name,
				    nd_line(r));
				json_decref(rec);
				goto out;
			}
			if (q != 0 && (rc = pf_add_position(b, nd_str(rec, "id", ""), nd_str(rec, "symbol", ""),
			    (long long)q, msg, sizeof msg)) != 0) {
				err_ret(rc, err, errlen, "%s:%ld: %s", name, nd_line(r), msg);
				json_decref(rec);
				goto out;
			}
			acct->positions += q != 0;
		} else if (strcmp(type, "open_order") == 0) {
			if ((rc = read_open_order(b, rec, name, nd_line(r), acct, err, errlen)) != 0) {
				json_decref(rec);
				goto out;
			}
		}
		if ((strcmp(type, "open_order") == 0 || strcmp(type, "completed_order") == 0 ||
		    strcmp(type, "fill") == 0) &&
		    (rc = pf_add_placed(b, nd_str(rec, "client_id", ""), err, errlen)) != 0) {
			json_decref(rec);
			goto out;
		}
		json_decref(rec);
	}
	if (got < 0) {
		rc = err_ret(nd_code(r), err, errlen, "%s", nd_error(r));
		goto out;
	}
	rc = 0;
out:
	nd_close(r);
	return rc;
}

int
pf_read_prices(pf_book *b, FILE *fp, const char *name, int before, int ref, char *err, size_t errlen)
{
	static const char *const cols[] = { "symbol", "close", "?ret" };
	enum { C_SYMBOL, C_CLOSE, C_RET };
	panel *p;
	int got, rc;
	double px, ret;

	/* date-major, one row per (date, id) (sti-formats(5)): lib/panel refuses a second row, which would
	 * silently win, and rows out of order. */
	if ((rc = panel_open(&p, &fp, &name, 1, cols, 3, PANEL_KEYS, err, errlen)) != 0)
		return rc;
	while (panel_has(p)) {
		csv_reader *r = panel_csv(p);
		int d = panel_date(p), cc = panel_col(p, C_CLOSE), cr = panel_col(p, C_RET);

		if (d >= before)
			goto next;
		if ((got = csv_double(r, cc, &px)) < 0) {
			rc = csv_failed(r, EX_DATAERR, err, errlen);
			goto out;
		}
		if (got == 0) /* a missing close is no price, not a zero one */
			goto next;
		if (!(px > 0) || !isfinite(px)) {
			csv_fail(r, cc, "%g is not a positive price", px);
			rc = csv_failed(r, EX_DATAERR, err, errlen);
			goto out;
		}
		ret = NAN;
		if (cr >= 0 && (got = csv_double(r, cr, &ret)) < 0) {
			rc = csv_failed(r, EX_DATAERR, err, errlen);
			goto out;
		}
		if (cr >= 0 && got == 0)
			ret = NAN;
		else if (cr >= 0 && !(isfinite(ret) && ret >= -1)) {
			csv_fail(r, cr, "%g is not a return (finite, -1 or above)", ret);
			rc = csv_failed(r, EX_DATAERR, err, errlen);
			goto out;
		}
		pf_add_price(b, panel_id(p), csv_field(r, panel_col(p, C_SYMBOL)), d, px, ret, before, ref);
next:
		if (panel_next(p) < 0) {
			rc = panel_code(p);
			err_ret(rc, err, errlen, "%s", panel_error(p));
			goto out;
		}
	}
	rc = 0;
out:
	panel_close(p);
	return rc;
}
