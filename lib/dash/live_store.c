/* dash/live_store: what the live and mock pages read from the store (trading/, backtest/, data/, logs/). */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "dash/livepage.h"
#include "date.h"
#include "html.h"
#include "ndjson.h"
#include "panel.h"
#include "svg.h"

/* ============================================================ reading the store */

static char *
path2(const char *root, const char *a, const char *b, const char *c)
{
	size_t n = strlen(root) + strlen(a) + (b ? strlen(b) : 0) + (c ? strlen(c) : 0) + 4;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s%s%s%s%s", root, a, b ? "/" : "", b ? b : "", c ? "/" : "", c ? c : "");
	return p;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* The dates named by the subdirectories DIR/YYYY-MM-DD, ascending; *n their count. NULL when none. */
static int *
list_dates(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int *days = NULL, *nd, day;
	size_t cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (strlen(de->d_name) != DATE_LEN || date_parse(de->d_name, DATE_LEN, &day) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nd = realloc(days, cap * sizeof *days)) == NULL)
				break;
			days = nd;
		}
		days[(*n)++] = day;
	}
	closedir(d);
	if (days != NULL)
		qsort(days, *n, sizeof *days, cmp_int);
	return days;
}

/* Every record of an NDJSON file, as an array (NULL when the file is absent: that is not a problem,
 * the page says so where it matters). A malformed file is a problem, and gives the records before it. */
static json_t *
read_nd(const char *path, dash_probs *p)
{
	FILE *fp = fopen(path, "r");
	nd_reader *r;
	json_t *arr, *o;
	int rc = 0;

	if (fp == NULL) {
		if (errno != ENOENT)
			dash_prob(p, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	arr = json_array();
	r = nd_open(fp, path);
	while (r != NULL && arr != NULL && (rc = nd_next(r, &o)) == 1)
		json_array_append_new(arr, o);
	if (r == NULL || arr == NULL)
		dash_prob(p, 1, "%s: out of memory", path);
	else if (rc < 0)
		dash_prob(p, 1, "%s", nd_error(r));
	nd_close(r);
	fclose(fp);
	return arr;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every record of the log KIND ("runs", "alerts"), oldest first: those of logs/KIND.ndjson (the old form,
 * read, appended and rewritten by each run, kept readable for stores written before), then the objects
 * logs/KIND/NAME.json, one record each, in name order (a name starts with its UTC time, so that is time
 * order). NULL when there is neither. */
static json_t *
read_records(const char *root, const char *kind, dash_probs *p)
{
	char file[64], *path, **names = NULL;
	size_t n = 0, cap = 0;
	json_t *all, *one;
	struct dirent *de;
	DIR *d;

	snprintf(file, sizeof file, "%s.ndjson", kind);
	path = path2(root, "logs", file, NULL);
	all = path ? read_nd(path, p) : NULL;
	free(path);
	path = path2(root, "logs", kind, NULL);
	d = path ? opendir(path) : NULL;
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		char **nn;

		if (len <= 5 || de->d_name[0] == '.' || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			if ((nn = realloc(names, cap * sizeof *names)) == NULL)
				break;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	if (d != NULL)
		closedir(d);
	if (n > 0) {
		qsort(names, n, sizeof *names, cmp_str);
		if (all == NULL)
			all = json_array();
	}
	for (size_t i = 0; i < n; i++) {
		char *rec = path2(path, names[i], NULL, NULL);

		if (rec != NULL && (one = read_nd(rec, p)) != NULL) {
			json_array_extend(all, one);
			json_decref(one);
		}
		free(rec);
		free(names[i]);
	}
	free(names);
	free(path);
	return all;
}

json_t *
dlv_read_day(const char *root, int day, const char *file, dash_probs *p)
{
	char d[DATE_LEN + 1], *path = path2(root, "trading", date_fmt(day, d), file);
	json_t *a = path ? read_nd(path, p) : NULL;

	free(path);
	return a;
}

int
dlv_is_type(const json_t *o, const char *t)
{
	const char *s = nd_str(o, "type", NULL);
	return s != NULL && strcmp(s, t) == 0;
}

/* Last close per symbol from data/last.csv (prices-last(1): per id its last closes, a panel sorted by
 * date), as an object symbol -> [close, "date"]; *last the latest date seen. NULL when absent. */
static json_t *
last_prices(const char *path, int *last, dash_probs *p)
{
	static const char *const cols[] = { "symbol", "close" };
	FILE *fp = fopen(path, "r");
	panel *px = NULL;
	json_t *o = NULL;
	char err[600];
	int rc;

	*last = -1000000;
	if (fp == NULL) {
		if (errno != ENOENT)
			dash_prob(p, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((rc = panel_open(&px, &fp, &path, 1, cols, 2, PANEL_KEYS, err, sizeof err)) != 0) {
		dash_prob(p, 1, "%s", err);
		goto done;
	}
	if ((o = json_object()) == NULL) {
		dash_prob(p, 1, "%s: out of memory", path);
		goto done;
	}
	while (panel_has(px)) {
		csv_reader *r = panel_csv(px);
		double close;
		char ds[DATE_LEN + 1];

		if ((rc = csv_double(r, panel_col(px, 1), &close)) < 0) {
			dash_prob(p, 1, "%s", csv_error(r));
			goto done;
		}
		if (rc > 0) { /* a missing close is no price; later rows (dates) replace earlier ones */
			*last = panel_date(px);
			json_object_set_new(o, csv_field(r, panel_col(px, 0)), json_pack("[f,s]", close,
			    date_fmt(panel_date(px), ds)));
		}
		if (panel_next(px) < 0) {
			dash_prob(p, 1, "%s", panel_error(px));
			goto done;
		}
	}
done:
	panel_close(px);
	fclose(fp);
	return o;
}

/* The records of the latest trading date whose file has any, its date in *day; else the (empty) records of
 * the latest date that has the file at all, NULL when none has it (an empty file is no orders). */
static json_t *
latest_records(const struct live *L, const char *file, int *day)
{
	json_t *got = NULL;

	for (size_t i = L->ndays; i-- > 0 && json_array_size(got) == 0;) {
		json_t *a = dlv_read_day(L->in->root, L->days[i], file, L->p);
		if (a == NULL || (json_array_size(a) == 0 && got != NULL)) {
			json_decref(a);
			continue;
		}
		json_decref(got);
		got = a;
		*day = L->days[i];
	}
	return got;
}

void
dlv_load(struct live *L)
{
	const char *root = L->in->root;
	char *dir, *path, d[DATE_LEN + 1];
	size_t nb, i;
	int *bdays;
	struct stat st;

	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		dash_prob(L->p, 0, "%s: %s", root, errno == ENOENT ? "missing" : "not a directory");
	dir = path2(root, "trading", NULL, NULL);
	L->days = dir ? list_dates(dir, &L->ndays) : NULL;
	free(dir);
	L->latest = L->ndays ? L->days[L->ndays - 1] : -1000000;
	L->nav = calloc(L->ndays + 1, sizeof *L->nav);
	if (L->nav == NULL)
		L->ndays = 0; /* out of memory: dash_live reports it; show no history rather than crash */
	for (i = 0; L->nav != NULL && i < L->ndays; i++) {
		json_t *a = dlv_read_day(root, L->days[i], "account.ndjson", L->p), *rec, *lastrec = NULL;
		size_t k;
		L->nav[i] = NAN;
		json_array_foreach(a, k, rec)
			if (dlv_is_type(rec, "account"))
				lastrec = rec;
		if (lastrec) {
			L->nav[i] = nd_num(lastrec, "net_liquidation", NAN);
			json_decref(L->account);
			L->account = json_incref(lastrec);
		}
		json_decref(a);
	}
	for (i = L->ndays; i-- > 0 && L->positions == NULL;) {
		L->positions = dlv_read_day(root, L->days[i], "positions.ndjson", L->p);
		L->pos_day = L->days[i];
	}
	/* Orders go in on rebalance days only: the latest date that has them, with its statuses; fills of
	 * the latest date that has them (the next open's executions of those orders). */
	L->orders = latest_records(L, "orders.ndjson", &L->ord_day);
	if (L->orders != NULL)
		L->status = dlv_read_day(root, L->ord_day, "status.ndjson", L->p);
	L->fills = latest_records(L, "fills.ndjson", &L->fill_day);
	path = path2(root, "data", "last.csv", NULL);
	L->prices = path ? last_prices(path, &L->price_day, L->p) : NULL;
	free(path);

	dir = path2(root, "backtest", NULL, NULL);
	bdays = dir ? list_dates(dir, &nb) : NULL;
	free(dir);
	L->bt_day = nb ? bdays[nb - 1] : -1000000;
	if (nb) {
		path = path2(root, "backtest", date_fmt(L->bt_day, d), "weights.csv");
		if (path && access(path, F_OK) == 0)
			dash_read_weights(path, &L->w, L->p);
		free(path);
		path = path2(root, "backtest", d, "equity.csv");
		if (path && access(path, F_OK) == 0)
			dash_read_equity(path, &L->e, L->p);
		free(path);
	}
	free(bdays);
	L->runs = read_records(root, "runs", L->p);
	L->alerts = read_records(root, "alerts", L->p);
}

void
dlv_unload(struct live *L)
{
	free(L->days);
	free(L->nav);
	json_decref(L->account);
	json_decref(L->positions);
	json_decref(L->orders);
	json_decref(L->status);
	json_decref(L->fills);
	json_decref(L->prices);
	json_decref(L->runs);
	json_decref(L->alerts);
	dash_weights_free(&L->w);
	dash_equity_free(&L->e);
}

/* The order record for a client_id, or NULL. */
json_t *
dlv_order_of(const struct live *L, const char *cid)
{
	size_t i;
	json_t *o;

	if (cid == NULL)
		return NULL;
	json_array_foreach(L->orders, i, o)
		if (dlv_is_type(o, "order") && nd_str(o, "client_id", NULL) && strcmp(nd_str(o, "client_id", NULL), cid) == 0)
			return o;
	return NULL;
}

/* The last price of a symbol: its last close in data/last.csv, else the day's last fill, else the day's
 * order reference price (the close the order was sized on). *src says which ('p', 'f', 'r'; 0: none). */
double
dlv_price_of(const struct live *L, const char *sym, char *src)
{
	json_t *v = sym && L->prices ? json_object_get(L->prices, sym) : NULL, *o;
	double px = NAN;
	size_t i;

	*src = 0;
	if (v) {
		*src = 'p';
		return json_number_value(json_array_get(v, 0));
	}
	if (sym == NULL)
		return NAN;
	json_array_foreach(L->fills, i, o)
		if (dlv_is_type(o, "fill") && nd_str(o, "symbol", NULL) && strcmp(nd_str(o, "symbol", NULL), sym) == 0 &&
		    !isnan(nd_num(o, "price", NAN))) {
			px = nd_num(o, "price", NAN);
			*src = 'f';
		}
	if (*src)
		return px;
	json_array_foreach(L->orders, i, o)
		if (dlv_is_type(o, "order") && nd_str(o, "symbol", NULL) && strcmp(nd_str(o, "symbol", NULL), sym) == 0 &&
		    !isnan(nd_num(o, "ref_price", NAN))) {
			*src = 'r';
			return nd_num(o, "ref_price", NAN);
		}
	return NAN;
}

/* Target weight of a symbol: the day's order says it when there is one, else the backtest's weights. */
double
dlv_target_of(const struct live *L, const char *sym)
{
	size_t i;
	json_t *o;

	json_array_foreach(L->orders, i, o)
		if (dlv_is_type(o, "order") && nd_str(o, "symbol", NULL) && strcmp(nd_str(o, "symbol", NULL), sym) == 0 &&
		    !isnan(nd_num(o, "target_weight", NAN)))
			return nd_num(o, "target_weight", NAN);
	for (i = 0; i < L->w.n; i++)
		if (strcmp(L->w.h[i].symbol, sym) == 0)
			return L->w.h[i].weight;
	return L->w.n > 0 || json_array_size(L->orders) > 0 ? 0 : NAN;
}

