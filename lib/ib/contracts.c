#include "ib/contracts.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aout.h"
#include "csv.h"
#include "err.h"
#include "log.h"
#include "util.h"

void
bk_ib_symbol(const char *symbol, char *out, size_t n)
{
	size_t len = strlen(symbol);

	snprintf(out, n, "%s", symbol);
	for (size_t i = 1; i + 1 < len && i < n; i++) {
		size_t tail = len - i - 1, k;
		if (symbol[i] != '.' && symbol[i] != '/' && symbol[i] != '-')
			continue;
		for (k = i + 1; k < len && isalpha((unsigned char)symbol[k]); k++)
			;
		if (k == len && tail <= 4)
			out[i] = ' ';
	}
}

static int
push(bk_contracts *c, bk_contract **out)
{
	if (util_grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v) != 0)
		return -1;
	*out = &c->v[c->n++];
	memset(*out, 0, sizeof **out);
	return 0;
}

static int
text(csv_reader *r, int col, char *dst, size_t n, const char *dflt)
{
	const char *v = col >= 0 ? csv_field(r, col) : dflt;

	if (col >= 0 && *v == '\0')
		v = dflt;
	if (strlen(v) >= n)
		return csv_fail(r, col, "'%.40s' is longer than %zu characters", v, n - 1);
	memmove(dst, v, strlen(v) + 1); /* the default may be dst itself */
	return 0;
}

int
bk_contracts_read(FILE *fp, const char *name, bk_contracts *c, char *err, size_t errlen)
{
	csv_reader *r = csv_open(fp, name);
	int csym, ccon, cib, cpx, ccur, cname, got, rc = EX_DATAERR;
	long long con;
	bk_contract *k;

	if (r == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	if (csv_read_header(r) < 0 || (csym = csv_require(r, "symbol")) < 0 || (ccon = csv_require(r, "con_id")) < 0)
		goto bad;
	cib = csv_col(r, "ib_symbol");
	cpx = csv_col(r, "primary_exchange");
	ccur = csv_col(r, "currency");
	cname = csv_col(r, "long_name");
	while ((got = csv_next(r)) == 1) {
		if (push(c, &k) < 0) {
			rc = err_ret(EX_OSERR, err, errlen, "out of memory");
			goto out;
		}
		if (csv_need(r, csym) < 0 || text(r, csym, k->symbol, sizeof k->symbol, "") < 0)
			goto bad;
		if ((got = csv_i64(r, ccon, &con)) <= 0 || con > 2147483647) {
			if (got == 0 || con <= 0 || con > 2147483647)
				csv_fail(r, ccon, "'%s' is not a conId (1 to 2147483647)", csv_field(r, ccon));
			goto bad;
		}
		k->con_id = (int)con;
		if (bk_contracts_find(c, k->symbol) != &c->v[c->n - 1]) {
			csv_fail(r, csym, "'%s' appears twice", k->symbol);
			goto bad;
		}
		bk_ib_symbol(k->symbol, k->ib_symbol, sizeof k->ib_symbol);
		if (text(r, cib, k->ib_symbol, sizeof k->ib_symbol, k->ib_symbol) < 0 ||
		    text(r, cpx, k->primary, sizeof k->primary, "") < 0 ||
		    text(r, ccur, k->currency, sizeof k->currency, "USD") < 0 ||
		    text(r, cname, k->long_name, sizeof k->long_name, "") < 0)
			goto bad;
	}
	if (got < 0)
		goto bad;
	rc = 0;
	goto out;
bad:
	err_fmt(err, errlen, "%s", csv_error(r));
out:
	csv_close(r);
	return rc;
}

int
bk_contracts_load(const char *path, bk_contracts *c, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	int rc;

	if (fp == NULL && errno == ENOENT)
		return 0; /* no file yet: an empty cache */
	if (fp == NULL)
		return err_ret(EX_NOINPUT, err, errlen, "%s: %s", path, strerror(errno));
	rc = bk_contracts_read(fp, path, c, err, errlen);
	fclose(fp);
	return rc;
}

int
bk_contracts_save(const char *path, const bk_contracts *c, char *err, size_t errlen)
{
	aout *o = aout_open(path);

	if (o == NULL)
		return err_ret(EX_CANTCREAT, err, errlen, "%s: %s", path, strerror(errno));
	if (bk_contracts_write(aout_fp(o), c) < 0 || aout_commit(o) < 0)
		return err_ret(EX_IOERR, err, errlen, "%s: %s", path, strerror(errno));
	return 0;
}

int
bk_contracts_orders(tws_client *tc, const char *path, bk_orders *o, unsigned char *refused, size_t *nrefused,
    char *err, size_t errlen)
{
	bk_contracts cache = { 0 };
	bk_syms syms = { 0 };
	size_t before, unresolved = 0;
	int rc;

	*nrefused = 0;
	if ((rc = bk_contracts_load(path, &cache, err, errlen)) != 0)
		goto out;
	/* one ask per distinct symbol */
	for (size_t i = 0; i < o->n; i++) {
		bk_sym *y;
		size_t j;
		for (j = 0; j < syms.n && strcmp(syms.v[j].symbol, o->v[i].symbol) != 0; j++)
			;
		if (j < syms.n)
			continue;
		if (util_grow((void **)&syms.v, &syms.cap, syms.n + 1, sizeof *syms.v) != 0) {
			rc = err_ret(EX_OSERR, err, errlen, "out of memory");
			goto out;
		}
		y = &syms.v[syms.n++];
		memset(y, 0, sizeof *y);
		snprintf(y->symbol, sizeof y->symbol, "%s", o->v[i].symbol);
		snprintf(y->currency, sizeof y->currency, "USD");
	}
	before = cache.n;
	if ((rc = bk_contracts_resolve(tc, &syms, &cache, &unresolved, err, errlen)) != 0)
		goto out;
	if (cache.n > before) {
		if ((rc = bk_contracts_save(path, &cache, err, errlen)) != 0)
			goto out;
		log_info("%s: %zu contracts added (%zu in all)", path, cache.n - before, cache.n);
	}
	for (size_t i = 0; i < o->n; i++) {
		bk_order *x = &o->v[i];
		const bk_contract *k = bk_contracts_find(&cache, x->symbol);
		if (k == NULL) {
			log_warn("%s: refused: %s has no conId (not in %s and IB did not resolve it, see above); "
			    "an order is never sent by its bare symbol", x->client_id, x->symbol, path);
			refused[i] = 1;
			(*nrefused)++;
			continue;
		}
		x->con_id = k->con_id;
		snprintf(x->ib_symbol, sizeof x->ib_symbol, "%s", k->ib_symbol);
		snprintf(x->primary, sizeof x->primary, "%s", k->primary);
		snprintf(x->currency, sizeof x->currency, "%s", k->currency);
	}
	rc = 0;
out:
	bk_syms_free(&syms);
	bk_contracts_free(&cache);
	return rc;
}

static int
by_symbol(const void *a, const void *b)
{
	return strcmp(((const bk_contract *)a)->symbol, ((const bk_contract *)b)->symbol);
}

int
bk_contracts_write(FILE *fp, const bk_contracts *c)
{
	bk_contract *v = malloc((c->n ? c->n : 1) * sizeof *v);
	csv_writer w;
	int rc = 0;

	if (v == NULL)
		return -1;
	memcpy(v, c->v, c->n * sizeof *v);
	qsort(v, c->n, sizeof *v, by_symbol);
	csv_w_init(&w, fp);
	fputs("symbol,con_id,ib_symbol,primary_exchange,currency,long_name\n", fp);
	for (size_t i = 0; i < c->n && rc == 0; i++) {
		csv_w_str(&w, v[i].symbol);
		csv_w_int(&w, v[i].con_id);
		csv_w_str(&w, v[i].ib_symbol);
		csv_w_str(&w, v[i].primary);
		csv_w_str(&w, v[i].currency);
		csv_w_str(&w, v[i].long_name);
		rc = csv_w_end(&w);
	}
	free(v);
	return rc == 0 && !ferror(fp) ? 0 : -1;
}

const bk_contract *
bk_contracts_find(const bk_contracts *c, const char *symbol)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].symbol, symbol) == 0)
			return &c->v[i];
	return NULL;
}

void
bk_contracts_free(bk_contracts *c)
{
	if (c == NULL)
		return;
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* One symbol being asked for. */
struct ask {
	size_t sym;            /* index in the symbol list */
	int req_id;            /* -1: settled */
	int retried;           /* asked again in IB's share-class form */
	int matches;
	tws_contract_details first;
	char asked[32];        /* the symbol sent */
};

static int
send_ask(tws_client *tc, const bk_sym *s, struct ask *a)
{
	tws_contract ct;

	tws_contract_stock(&ct, a->asked);
	snprintf(ct.primary_exch, sizeof ct.primary_exch, "%s", s->primary);
	snprintf(ct.currency, sizeof ct.currency, "%s", s->currency);
	a->req_id = tws_req_contract_details(tc, &ct);
	a->matches = 0;
	return a->req_id < 0 ? -1 : 0;
}

/* "BRKB" -> "BRK B": a CRSP ticker with its class letter attached. Returns 0, or -1 when s has no such
 * form (a separator already, or too short). */
static int
class_form(const char *s, char *out, size_t n)
{
	size_t len = strlen(s);

	if (len < 3 || len > 6 || strpbrk(s, " ./-") != NULL || !isalpha((unsigned char)s[len - 1]))
		return -1;
	snprintf(out, n, "%.*s %c", (int)(len - 1), s, s[len - 1]);
	return 0;
}

int
bk_contracts_resolve(tws_client *tc, bk_syms *s, bk_contracts *c, size_t *unresolved, char *err,
    size_t errlen)
{
	struct ask *asks = calloc(s->n ? s->n : 1, sizeof *asks);
	size_t nask = 0, open = 0, hits = 0;
	tws_event ev;
	int rc;

	*unresolved = 0;
	if (asks == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	for (size_t i = 0; i < s->n; i++) {
		bk_sym *y = &s->v[i];
		const bk_contract *k;
		if (y->con_id > 0)
			continue;
		if ((k = bk_contracts_find(c, y->symbol)) != NULL) {
			y->con_id = k->con_id;
			if (y->primary[0] == '\0')
				snprintf(y->primary, sizeof y->primary, "%s", k->primary);
			hits++;
			continue;
		}
		asks[nask].sym = i;
		bk_ib_symbol(y->symbol, asks[nask].asked, sizeof asks[nask].asked);
		if (send_ask(tc, y, &asks[nask]) < 0)
			goto gone;
		nask++;
		open++;
	}
	log_info("contracts: %zu from the cache, %zu to ask IB for", hits, nask);
	while (open > 0) {
		struct ask *a = NULL;
		int got = tws_poll(tc, &ev, 1000);
		if (got < 0)
			goto gone;
		if (got == 0 || ev.req_id < 0)
			continue;
		for (size_t j = 0; j < nask && a == NULL; j++)
			if (asks[j].req_id == ev.req_id)
				a = &asks[j];
		if (a == NULL)
			continue;
		bk_sym *y = &s->v[a->sym];
		switch (ev.type) {
		case TWS_EV_CONTRACT:
			if (strcmp(ev.u.contract.contract.sec_type, "STK") == 0 && a->matches++ == 0)
				a->first = ev.u.contract;
			break;
		case TWS_EV_CONTRACT_END:
			a->req_id = -1;
			open--;
			if (a->matches == 1) {
				bk_contract *k;
				if (push(c, &k) < 0) {
					rc = err_ret(EX_OSERR, err, errlen, "out of memory");
					goto out;
				}
				snprintf(k->symbol, sizeof k->symbol, "%s", y->symbol);
				k->con_id = a->first.contract.con_id;
				snprintf(k->ib_symbol, sizeof k->ib_symbol, "%s", a->first.contract.symbol);
				snprintf(k->primary, sizeof k->primary, "%s", a->first.contract.primary_exch);
				snprintf(k->currency, sizeof k->currency, "%s", a->first.contract.currency);
				snprintf(k->long_name, sizeof k->long_name, "%s", a->first.long_name);
				y->con_id = k->con_id;
				if (y->primary[0] == '\0')
					snprintf(y->primary, sizeof y->primary, "%s", k->primary);
				log_debug("%s: conId %d (%s on %s)", y->symbol, k->con_id, k->ib_symbol, k->primary);
			} else {
				log_warn("%s: %s: IB answers %d stocks for '%s'%s", y->symbol, a->matches ? "ambiguous" :
				    "unknown", a->matches, a->asked, a->matches ? "; give its primary_exchange" : "");
				(*unresolved)++;
			}
			break;
		case TWS_EV_ERROR:
			if (tws_error_is_notice(ev.u.error.code))
				break;
			a->req_id = -1;
			if (ev.u.error.code == 200 && !a->retried && class_form(y->symbol, a->asked, sizeof a->asked) == 0) {
				a->retried = 1;
				if (send_ask(tc, y, a) < 0)
					goto gone;
				break;
			}
			open--;
			log_warn("%s: %s: %s (error %d)", y->symbol, ev.u.error.code == 200 ? "unknown or ambiguous" :
			    "not resolved", ev.u.error.msg, ev.u.error.code);
			(*unresolved)++;
			break;
		case TWS_EV_TIMEOUT:
			a->req_id = -1;
			open--;
			log_warn("%s: not resolved: no answer to the contract-details request in time", y->symbol);
			(*unresolved)++;
			break;
		default:
			break;
		}
	}
	rc = 0;
	goto out;
gone:
	rc = err_ret(tws_code(tc), err, errlen, "%s: resolving contracts", tws_errmsg(tc));
out:
	free(asks);
	return rc;
}
