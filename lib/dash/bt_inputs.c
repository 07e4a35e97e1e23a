/* dash/bt_inputs: the backtest page's own inputs: the metrics JSON, the strategy config, the sweep CSV. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dash/btpage.h"
#include "date.h"
#include "html.h"
#include "metrics.h"
#include "ndjson.h"
#include "svg.h"
#include "util.h"

/* ============================================================ inputs */

json_t *
dbt_read_metrics(const char *path, dash_probs *p)
{
	json_error_t e;
	json_t *m;
	FILE *fp = fopen(path, "r");

	if (fp == NULL) {
		dash_prob(p, 0, "%s: %s", path, errno == ENOENT ? "missing" : strerror(errno));
		return NULL;
	}
	m = json_loadf(fp, 0, &e);
	fclose(fp);
	if (m == NULL) {
		dash_prob(p, 1, "%s:%d: invalid JSON: %s", path, e.line, e.text);
		return NULL;
	}
	if (!json_is_object(m) || !json_is_object(json_object_get(m, "strategy"))) {
		dash_prob(p, 1, "%s:1: strategy: not a metrics object", path);
		json_decref(m);
		return NULL;
	}
	return m;
}

/* The strategy config as a JSON object of strings: either the file is one JSON object, or lines of
 * "key = value" with '#' comments. NULL (problem recorded) when unreadable or malformed. */
json_t *
dbt_read_config(const char *path, dash_probs *p)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, *k, *v, *eq, *end;
	size_t cap = 0;
	long lineno = 0;
	json_t *o;
	json_error_t e;
	int c;

	if (fp == NULL) {
		dash_prob(p, 0, "%s: %s", path, errno == ENOENT ? "missing" : strerror(errno));
		return NULL;
	}
	while ((c = getc(fp)) != EOF && isspace(c))
		;
	if (c == '{') {
		ungetc(c, fp);
		o = json_loadf(fp, 0, &e);
		fclose(fp);
		if (o == NULL || !json_is_object(o)) {
			dash_prob(p, 1, "%s:%d: invalid JSON: %s", path, e.line, o ? "not an object" : e.text);
			json_decref(o);
			return NULL;
		}
		return o;
	}
	rewind(fp);
	o = json_object();
	while (o != NULL && getline(&line, &cap, fp) >= 0) {
		lineno++;
		if ((k = strchr(line, '#')) != NULL)
			*k = '\0';
		for (k = line; isspace((unsigned char)*k); k++)
			;
		if (*k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			dash_prob(p, 1, "%s:%ld: expected key = value", path, lineno);
			json_decref(o);
			o = NULL;
			break;
		}
		for (end = eq; end > k && isspace((unsigned char)end[-1]); end--)
			;
		*end = '\0';
		for (v = eq + 1; isspace((unsigned char)*v); v++)
			;
		for (end = v + strlen(v); end > v && isspace((unsigned char)end[-1]); end--)
			;
		*end = '\0';
		if (end - v >= 2 && *v == '"' && end[-1] == '"') { /* a quoted value: show what is inside */
			end[-1] = '\0';
			v++;
		}
		json_object_set_new(o, k, json_string(v));
	}
	free(line);
	fclose(fp);
	return o;
}

void
dbt_sweep_free(struct dbt_sweep *s)
{
	free(s->lookback);
	free(s->skip);
	free(s->sharpe);
	free(s->cagr);
	free(s->mdd);
}

int
dbt_read_sweep(const char *path, struct dbt_sweep *s, dash_probs *p)
{
	FILE *fp;
	csv_reader *r;
	int rc, col[5];
	size_t caps[5] = { 0 };
	double **arr[5] = { &s->lookback, &s->skip, &s->sharpe, &s->cagr, &s->mdd }, v;

	memset(s, 0, sizeof *s);
	if ((r = dash_csv_open(path, &fp, p, &rc)) == NULL)
		return rc;
	if ((col[0] = csv_require(r, "lookback")) < 0 || (col[1] = csv_require(r, "skip")) < 0 ||
	    (col[2] = csv_require(r, "sharpe")) < 0)
		rc = -1;
	col[3] = csv_col(r, "cagr");
	col[4] = csv_col(r, "max_drawdown");
	while (rc == 0 && (rc = csv_next(r)) == 1) {
		rc = 0;
		for (int i = 0; rc == 0 && i < 5; i++) {
			v = NAN;
			if (util_grow((void **)arr[i], &caps[i], s->n + 1, sizeof **arr[i]) < 0)
				rc = DASH_CSV_OOM;
			else if (col[i] >= 0 && (i < 2 ? csv_double_required(r, col[i], &v) : csv_double(r, col[i], &v)) < 0)
				rc = -1;
			else
				(*arr[i])[s->n] = v;
		}
		s->n += rc == 0;
	}
	if ((rc = dash_csv_close(r, fp, rc, p)) < 0) {
		dbt_sweep_free(s);
		memset(s, 0, sizeof *s);
	}
	return rc;
}
