#include "ib/symbols.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "err.h"
#include "num.h"
#include "util.h"

static int
push(bk_syms *s, bk_sym **out)
{
	if (util_grow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v) != 0)
		return -1;
	*out = &s->v[s->n++];
	memset(*out, 0, sizeof **out);
	return 0;
}

/* Check a symbol's text: what IB accepts as a ticker (no blanks, commas or control characters). */
static const char *
bad_symbol(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "empty";
	if (n >= sizeof ((bk_sym *)0)->symbol)
		return "longer than 31 characters";
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == ',' || *s == '"' || *s == 0x7f)
			return "holds a blank, a comma, a quote or a control character";
	return NULL;
}

void
bk_syms_free(bk_syms *s)
{
	if (s == NULL)
		return;
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* Ids must be unique: two rows with one id would give duplicate (date, id) rows. Quadratic checks are too
 * slow for big lists, so sort a copy of the indexes. */
static const bk_sym *sort_base;

static int
cmp_id(const void *a, const void *b)
{
	const bk_sym *x = &sort_base[*(const size_t *)a], *y = &sort_base[*(const size_t *)b];
	int c = strcmp(x->id, y->id);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int
check_unique(const bk_syms *s, const char *name, char *err, size_t errlen)
{
	size_t *ix = malloc((s->n ? s->n : 1) * sizeof *ix);

	if (ix == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	for (size_t i = 0; i < s->n; i++)
		ix[i] = i;
	sort_base = s->v;
	qsort(ix, s->n, sizeof *ix, cmp_id);
	for (size_t i = 1; i < s->n; i++) {
		const bk_sym *a = &s->v[ix[i - 1]], *b = &s->v[ix[i]];
		if (strcmp(a->id, b->id) == 0) {
			free(ix);
			return err_ret(EX_DATAERR, err, errlen, "%s:%ld: id: '%s' appears twice (first on line %ld)", name,
			    b->line, b->id, a->line);
		}
	}
	free(ix);
	return 0;
}

static int
read_list(char *text, const char *name, bk_syms *out, char *err, size_t errlen)
{
	long line = 0;
	char *p = text, *nl, *end;
	const char *why;
	bk_sym *s;

	for (; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		line++;
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p == '\0' || *p == '#') {
			if (nl == NULL)
				break;
			continue;
		}
		if ((why = bad_symbol(p)) != NULL)
			return err_ret(EX_DATAERR, err, errlen, "%s:%ld: symbol: '%.40s' %s", name, line, p, why);
		if (push(out, &s) < 0)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
		strcpy(s->symbol, p);
		strcpy(s->id, p);
		strcpy(s->currency, "USD");
		s->line = line;
		if (nl == NULL)
			break;
	}
	return 0;
}

/* Copy an optional text column into dst, checking its length. */
static int
opt_text(csv_reader *r, int col, char *dst, size_t n, const char *fallback)
{
	const char *v = col >= 0 ? csv_field(r, col) : "";

	if (*v == '\0')
		v = fallback;
	if (strlen(v) >= n)
		return csv_fail(r, col, "'%.40s' is longer than %zu characters", v, n - 1);
	strcpy(dst, v);
	return 0;
}

static int
read_csv(char *text, size_t len, const char *name, bk_syms *out, char *err, size_t errlen)
{
	FILE *fp = fmemopen(text, len, "r");
	csv_reader *r = fp ? csv_open(fp, name) : NULL;
	int csym, cid, ccon, cpx, ccur, got, rc;
	const char *why;
	long long con;
	bk_sym *s;

	if (r == NULL) {
		rc = err_ret(EX_OSERR, err, errlen, "out of memory");
		goto out;
	}
	if (csv_read_header(r) < 0 || (csym = csv_require(r, "symbol")) < 0)
		goto bad;
	cid = csv_col(r, "id");
	ccon = csv_col(r, "con_id");
	cpx = csv_col(r, "primary_exchange");
	ccur = csv_col(r, "currency");
	while ((got = csv_next(r)) == 1) {
		if (push(out, &s) < 0) {
			rc = err_ret(EX_OSERR, err, errlen, "out of memory");
			goto out;
		}
		s->line = csv_line(r);
		if ((why = bad_symbol(csv_field(r, csym))) != NULL) {
			csv_fail(r, csym, "'%.40s' %s", csv_field(r, csym), why);
			goto bad;
		}
		strcpy(s->symbol, csv_field(r, csym));
		if (ccon >= 0 && (got = csv_i64(r, ccon, &con)) != 0) {
			if (got < 0)
				goto bad;
			if (con <= 0 || con > 2147483647) {
				csv_fail(r, ccon, "'%s' is not a conId (1 to 2147483647)", csv_field(r, ccon));
				goto bad;
			}
			s->con_id = (int)con;
		}
		if (opt_text(r, cid, s->id, sizeof s->id, s->symbol) < 0 ||
		    opt_text(r, cpx, s->primary, sizeof s->primary, "") < 0 ||
		    opt_text(r, ccur, s->currency, sizeof s->currency, "USD") < 0)
			goto bad;
		if (s->con_id > 0)
			snprintf(s->id, sizeof s->id, "%d", s->con_id);
	}
	if (got < 0)
		goto bad;
	rc = 0;
	goto out;
bad:
	rc = err_ret(csv_code(r), err, errlen, "%s", csv_error(r));
out:
	csv_close(r);
	if (fp)
		fclose(fp);
	return rc;
}

int
bk_sym_read(FILE *fp, const char *name, bk_syms *out, char *err, size_t errlen)
{
	char *text = NULL, *start, *p, *eol;
	size_t cap = 0, len = 0;
	int rc;

	/* Symbol lists are small: read it whole, look at the first line, then parse. */
	for (;;) {
		size_t n;
		if (cap - len < 65536) {
			char *q = realloc(text, cap = cap ? cap * 2 : 65536);
			if (q == NULL) {
				free(text);
				return err_ret(EX_OSERR, err, errlen, "out of memory");
			}
			text = q;
		}
		n = fread(text + len, 1, cap - len - 1, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		free(text);
		return err_ret(EX_IOERR, err, errlen, "%s: read error", name);
	}
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		free(text);
		return err_ret(EX_DATAERR, err, errlen, "%s: binary input (a NUL byte)", name);
	}
	start = text;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		start += 3;
	p = start;
	while (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t')
		p++;
	eol = p + strcspn(p, "\r\n");
	if (memchr(p, ',', (size_t)(eol - p)) != NULL ||
	    ((size_t)(eol - p) == 6 && strncmp(p, "symbol", 6) == 0))
		rc = read_csv(text, len, name, out, err, errlen);
	else
		rc = read_list(start, name, out, err, errlen);
	free(text);
	if (rc == 0 && out->n == 0)
		rc = err_ret(EX_DATAERR, err, errlen, "%s: no symbols", name);
	if (rc == 0)
		rc = check_unique(out, name, err, errlen);
	return rc;
}
