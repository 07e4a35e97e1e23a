#include "wrds.h"

#include <stdio.h>
#include <stdlib.h>

#include "date.h"

/* ---- the table sets: one row of names per format, so each query is written once ----
 * A spell whose end is NULL is still open (some tables mark current members so): it ends at 'infinity'.
 * Filters compare codes without casts (10 = 10.0 whatever the column's type) so that the planner can use
 * the column's statistics; only output columns are cast. */

struct tables {
	const char *dsf, *date, *prc, *vol, *ret, *open, *high, *low; /* daily stock file and its columns */
	const char *cap;        /* market capitalisation expression over b (only ranks, so units do not matter) */
	const char *is_del;     /* "this dsf row is a delisting row without a price", over b */
	const char *sp500, *sp_start, *sp_end;   /* S&P 500 membership spells */
	const char *names, *nm_start, *nm_end;   /* point-in-time names: ticker and share/exchange codes */
	const char *shrcls, *exch, *cusip;       /* name columns of the universe's extra fields */
	const char *common;     /* "this name row is a US common stock on NYSE, AMEX or NASDAQ", over n */
	const char *nasdaq;     /* "the name row is NASDAQ's", over n */
};

static const struct tables ciz = {
	"crsp.dsf_v2", "dlycaldt", "dlyprc", "dlyvol", "dlyret", "dlyopen", "dlyhigh", "dlylow",
	"b.dlycap::float8",
	"(b.dlydelflg = 'Y' AND b.dlyprc IS NULL)",
	"crsp.dsp500list_v2", "mbrstartdt", "mbrenddt",
	"crsp.stksecurityinfohist", "secinfostartdt", "secinfoenddt",
	"shareclass", "primaryexch", "cusip",
	"n.sharetype = 'NS' AND n.securitytype = 'EQTY' AND n.securitysubtype = 'COM' AND n.usincflg = 'Y'\n"
	"      AND n.issuertype IN ('ACOR', 'CORP') AND n.primaryexch IN ('N', 'A', 'Q')\n"
	"      AND n.conditionaltype IN ('RW', 'NW') AND n.tradingstatusflg = 'A'",
	"n.primaryexch = 'Q'",
};

static const struct tables legacy = {
	"crsp.dsf", "date", "prc", "vol", "ret", "openprc", "askhi", "bidlo",
	"abs(b.prc::float8) * b.shrout::float8",
	"false",
	"crsp.dsp500list", "start", "ending",
	"crsp.dsenames", "namedt", "nameendt",
	"shrcls", "primexch", "ncusip",
	"n.shrcd IN (10, 11) AND n.exchcd IN (1, 2, 3, 31, 32, 33)",
	"n.exchcd IN (3, 33)",
};

static void id_array(FILE *m, const struct wrds_prices_q *q);

static const char copy_tail[] = ") TO STDOUT WITH (FORMAT csv, HEADER)\n";

/* A query under construction: an in-memory stream, and the dates of a prices query as SQL text. */
struct sql {
	FILE *m;
	char *buf;
	size_t len;
	char from[DATE_LEN + 1], to[DATE_LEN + 1];
};

/* Open s's stream (and, when q is not NULL, format its dates). Returns the stream, NULL when out of memory. */
static FILE *
sql_open(struct sql *s, const struct wrds_prices_q *q)
{
	s->buf = NULL;
	s->from[0] = s->to[0] = '\0';
	if ((s->m = open_memstream(&s->buf, &s->len)) != NULL && q != NULL) {
		date_fmt(q->from, s->from);
		date_fmt(q->to, s->to);
	}
	return s->m;
}

/* Close s's stream: the malloc'd text, or NULL when a write failed. */
static char *
sql_finish(struct sql *s)
{
	int bad = ferror(s->m);

	if (fclose(s->m) != 0 || bad) {
		free(s->buf);
		return NULL;
	}
	return s->buf;
}

/* The month-end trading days from the last one on or before q->from to q->to: the rank days of
 * --reconstitute monthly. Returns the first of them. */
static int
rank_days(FILE *m, const struct wrds_universe_q *q)
{
	char d[DATE_LEN + 1];
	int first = q->from, n = 0;

	while (!(cal_is_trading_day(first) && cal_is_month_end(first)))
		first--;
	fputs("'{", m);
	for (int day = first; day <= q->to; day = cal_next(day))
		if (cal_is_month_end(day))
			fprintf(m, "%s%s", n++ ? "," : "", date_fmt(day, d));
	fputs("}'::date[]", m);
	return first;
}

static void
names_where(FILE *m, const char *alias, const struct wrds_prices_q *ids)
{
	if (ids == NULL)
		return;
	fprintf(m, "  WHERE %s.permno = ANY (", alias);
	id_array(m, ids);
	fputs(")\n", m);
}

/* nm: the name rows (of the permnos of ids, or all), each with nx, the start of the permno's next row.
 * Joined on s <= date < nx (see name_join()), a date takes one row: the one that started last, so that
 * overlapping rows never double a (date, permno). The join keeps the row order of the daily file, so a
 * pull streams without a sort when the server can read the rows in order. Rows that are the same in
 * start and end both match. twice: the query names nm twice, and each use gets its own copy (NOT
 * MATERIALIZED; PostgreSQL materializes a CTE named twice, and a CTE's scan runs in the leader only). */
static void
names_cte(FILE *m, const struct tables *t, const struct wrds_prices_q *ids, int twice)
{
	/* nx by a grouped self-join rather than lead(): a window function here keeps the server from
	 * running the join in parallel. Of two rows with the same start, the one that ends first gets an
	 * empty range. */
	fprintf(m, "nx AS (\n"
	    "  SELECT a.permno, a.%s AS s, coalesce(a.%s, 'infinity') AS e, min(o.%s) AS nx\n"
	    "  FROM %s a JOIN %s o ON o.permno = a.permno AND (o.%s > a.%s\n"
	    "    OR (o.%s = a.%s AND coalesce(o.%s, 'infinity') > coalesce(a.%s, 'infinity')))\n",
	    t->nm_start, t->nm_end, t->nm_start, t->names, t->names, t->nm_start, t->nm_start, t->nm_start,
	    t->nm_start, t->nm_end, t->nm_end);
	names_where(m, "a", ids);
	fprintf(m, "  GROUP BY 1, 2, 3\n"
	    "), nm AS %s(\n"
	    "  SELECT n.permno, n.%s AS s, coalesce(n.%s, 'infinity') AS e, coalesce(x.nx, 'infinity') AS nx,\n"
	    "    NULLIF(n.ticker, '') AS symbol, n.permco::int AS permco, NULLIF(n.%s, '') AS share_class,\n"
	    "    NULLIF(n.%s, '') AS exchange, NULLIF(n.%s, '') AS cusip,\n"
	    "    coalesce(%s, false) AS common,\n"
	    "    coalesce(%s, false) AS nasdaq\n"
	    "  FROM %s n\n"
	    "  LEFT JOIN nx x ON x.permno = n.permno AND x.s = n.%s AND x.e = coalesce(n.%s, 'infinity')\n",
	    twice ? "NOT MATERIALIZED " : "", t->nm_start, t->nm_end, t->shrcls, t->exch, t->cusip, t->common,
	    t->nasdaq, t->names, t->nm_start, t->nm_end);
	names_where(m, "n", ids);
	fputs(")", m);
}

/* The join of a row (alias x, its date column, del: "is a delisting row"; NULL: never one; "": always)
 * to its name row: a delisting row, the day after the last price, takes the last row, which CRSP ends on
 * that last price. */
static void
name_join(FILE *m, const char *x, const char *date, const char *del)
{
	fprintf(m, "LEFT JOIN nm n ON n.permno = %s.permno AND %s.%s >= n.s AND %s.%s < n.nx\n", x, x, date, x, date);
	if (del == NULL)
		fprintf(m, "    AND %s.%s <= n.e\n", x, date);
	else if (*del != '\0')
		fprintf(m, "    AND (%s.%s <= n.e OR %s)\n", x, date, del);
}

/* The snapshot SELECT (no ORDER BY): "date", id, symbol, permco, share_class, exchange, cusip.
 * b: the daily rows, one per (date, permno), with the name row of the day (the one that started last when
 * rows overlap); f: the dollar-volume average; e: the rows that pass the filters on their day (for
 * monthly, on the rank days only); r: e ranked by capitalisation. */
static void
universe_select(FILE *m, const struct tables *t, const struct wrds_universe_q *q)
{
	char from[DATE_LEN + 1], to[DATE_LEN + 1], lo[DATE_LEN + 1];
	int start = q->from, floor = q->min_dollar_volume > 0, adv = q->adv_days > 1 ? q->adv_days : 1;
	int monthly = q->monthly && q->top > 0;

	fputs("WITH ", m);
	if (monthly) {
		fputs("rd AS (SELECT unnest(", m);
		start = rank_days(m, q);
		fputs(") AS d), ", m);
	}
	/* The average needs adv - 1 rows before the first day: fetch a few days more (a margin for CRSP's
	 * calendar); the window counts rows, so extra rows change nothing. */
	if (floor && adv > 1)
		start = cal_add(cal_on_or_after(start), -(adv - 1)) - 10;
	date_fmt(q->from, from);
	date_fmt(q->to, to);
	date_fmt(start, lo);
	names_cte(m, t, NULL, 0);
	fprintf(m, ", b AS (\n"
	    "  SELECT b.%s AS \"date\", b.permno::int AS id, n.symbol, n.permco, n.share_class, n.exchange, n.cusip,\n"
	    "    coalesce(n.common, false) AS common, %s AS cap, NULLIF(abs(b.%s::float8), 0) AS price,\n"
	    "    CASE WHEN b.%s >= 0 THEN coalesce(abs(b.%s::float8), 0) * b.%s::float8 ELSE 0 END AS dv\n"
	    "  FROM %s b\n  ",
	    t->date, t->cap, t->prc, t->vol, t->prc, t->vol, t->dsf);
	name_join(m, "b", t->date, NULL);
	fprintf(m, "  WHERE b.%s BETWEEN DATE '%s' AND DATE '%s' AND NOT %s\n", t->date, lo, to, t->is_del);
	if (q->top == 0)
		fprintf(m, "    AND b.permno IN (SELECT a.permno FROM %s a\n"
		    "      WHERE a.%s <= DATE '%s' AND coalesce(a.%s, 'infinity') >= DATE '%s')\n",
		    t->sp500, t->sp_start, to, t->sp_end, lo);
	fputs("), f AS (\n", m);
	if (floor && adv > 1)
		fprintf(m, "  SELECT b.*, avg(dv) OVER (PARTITION BY id ORDER BY \"date\"\n"
		    "    ROWS BETWEEN %d PRECEDING AND CURRENT ROW) AS adv FROM b\n", adv - 1);
	else
		fputs("  SELECT b.*, dv AS adv FROM b\n", m);
	fputs("), e AS (\n  SELECT f.* FROM f\n", m);
	if (monthly)
		fputs("  WHERE \"date\" IN (SELECT d FROM rd)\n", m);
	else
		fprintf(m, "  WHERE \"date\" >= DATE '%s'\n", from);
	if (q->top == 0)
		fprintf(m, "    AND EXISTS (SELECT 1 FROM %s a WHERE a.permno = f.id\n"
		    "      AND f.\"date\" BETWEEN a.%s AND coalesce(a.%s, 'infinity'))\n", t->sp500, t->sp_start, t->sp_end);
	else
		fputs("    AND common AND price IS NOT NULL AND cap > 0\n", m);
	if (q->min_price > 0)
		fprintf(m, "    AND price >= %.17g\n", q->min_price);
	if (floor)
		fprintf(m, "    AND adv >= %.17g\n", q->min_dollar_volume);
	if (q->top == 0) {
		fputs(")\nSELECT \"date\", id, symbol, permco, share_class, exchange, cusip FROM e\n", m);
		return;
	}
	fprintf(m, "), r AS (\n"
	    "  SELECT e.*, row_number() OVER (PARTITION BY \"date\" ORDER BY cap DESC, id) AS rank FROM e\n"
	    ")\n");
	if (!monthly) {
		fprintf(m, "SELECT \"date\", id, symbol, permco, share_class, exchange, cusip FROM r WHERE rank <= %d\n",
		    q->top);
		return;
	}
	/* Hold: the members of a rank day are listed from it to the day before the next, on the days they
	 * have a price. */
	fprintf(m, ", k AS (\n"
	    "  SELECT d AS rday, lead(d, 1, 'infinity') OVER (ORDER BY d) AS next FROM rd\n"
	    ")\n"
	    "SELECT b.\"date\", b.id, b.symbol, b.permco, b.share_class, b.exchange, b.cusip\n"
	    "FROM r JOIN k ON k.rday = r.\"date\"\n"
	    "JOIN b ON b.id = r.id AND b.\"date\" >= k.rday AND b.\"date\" < k.next\n"
	    "WHERE r.rank <= %d AND b.\"date\" BETWEEN DATE '%s' AND DATE '%s' AND b.price IS NOT NULL\n",
	    q->top, from, to);
}

char *
wrds_universe_sql(const struct wrds_universe_q *q)
{
	const struct tables *t = q->format == WRDS_LEGACY ? &legacy : &ciz;
	struct sql s;
	FILE *m = sql_open(&s, NULL);

	if (m == NULL)
		return NULL;
	fputs("COPY (\n", m);
	if (!q->spells) {
		universe_select(m, t, q);
		fputs("ORDER BY 1, 2\n", m);
	} else {
		/* Gaps and islands: within a run of consecutive trading days, the day's rank minus the row's
		 * number within (id, symbol) is constant. */
		fputs("WITH s AS (\n", m);
		universe_select(m, t, q);
		fputs("), k AS (\n"
		      "  SELECT \"date\", row_number() OVER (ORDER BY \"date\") AS dn FROM (SELECT DISTINCT \"date\" FROM s) d\n"
		      "), g AS (\n"
		      "  SELECT s.*, k.dn - row_number() OVER (PARTITION BY s.id, s.symbol ORDER BY s.\"date\") AS grp\n"
		      "  FROM s JOIN k USING (\"date\")\n"
		      ")\n"
		      "SELECT min(\"date\") AS start, max(\"date\") AS \"end\", id, symbol\n"
		      "FROM g GROUP BY id, symbol, grp\n"
		      "ORDER BY 1, 3, 2\n", m);
	}
	fputs(copy_tail, m);
	return sql_finish(&s);
}

static void
id_array(FILE *m, const struct wrds_prices_q *q)
{
	fputs("'{", m);
	for (size_t i = 0; i < q->nids; i++)
		fprintf(m, "%s%lld", i ? "," : "", q->ids[i]);
	fputs("}'::int[]", m);
}

/* Legacy: "this dl row is a performance delisting" (Shumway 1997: codes 500 and 520-584). CIZ has no
 * codes: its counterpart is delactiontype DEL (dropped by the exchange; mergers, exchanges of shares and
 * liquidations have their own types), read from stkdelists for the (rare) delisting rows only. */
static const char legacy_perf[] = "(dl.dlstcd = 500 OR dl.dlstcd BETWEEN 520 AND 584)";
static const char ciz_perf[] =
    "(SELECT x.delactiontype = 'DEL' FROM crsp.stkdelists x WHERE x.permno = b.permno\n"
    "     AND x.delistingdt < b.dlycaldt ORDER BY x.delistingdt DESC LIMIT 1)";

/* Legacy's delistings in [from, to] as CIZ dates them: dl(permno, dlstcd, dlret, "date"), "date" the
 * trading day after dlstdt (the next date of crsp.dsi, CRSP's calendar; past its end, the next weekday).
 * Code 100 means "still active". */
static void
legacy_dl(FILE *m, const struct wrds_prices_q *q, const char *from, const char *to)
{
	fputs("dl AS (\n"
	      "  SELECT permno, dlstcd, dlret, \"date\" FROM (\n"
	      "    SELECT e.permno::int AS permno, e.dlstcd::int AS dlstcd, e.dlret::float8 AS dlret,\n"
	      "      coalesce((SELECT min(c.date) FROM crsp.dsi c WHERE c.date > e.dlstdt),\n"
	      "        e.dlstdt + CASE extract(isodow FROM e.dlstdt) WHEN 5 THEN 3 WHEN 6 THEN 2 ELSE 1 END) AS \"date\"\n"
	      "    FROM crsp.dsedelist e\n"
	      "    WHERE e.permno = ANY (", m);
	id_array(m, q);
	fprintf(m, ") AND e.dlstcd <> 100\n"
	      "      AND e.dlstdt BETWEEN DATE '%s' - 10 AND DATE '%s'\n"
	      "  ) x WHERE \"date\" BETWEEN DATE '%s' AND DATE '%s'\n"
	      "    AND NOT EXISTS (SELECT 1 FROM crsp.dsf b WHERE b.permno = x.permno AND b.date = x.\"date\")\n"
	      ")", from, to, from, to);
}

/* Legacy's prices: dsf's rows and dl's, each sorted, merged by (date, id). The delisting rows are a
 * branch of their own, sorted on their own, so that the dsf branch can run in parallel workers as CIZ's
 * does: dl's next trading day is a correlated subquery, and PostgreSQL runs a plan node that refers to
 * one in the leader only ("Parallel Safety": a correlated SubPlan is parallel restricted), which in one
 * UNION ALL under one sort kept the whole pull on one process. Each branch's ORDER BY lets the planner
 * merge the two sorted streams (Merge Append over the workers' Gather Merge) instead of sorting the
 * pull again; the last ORDER BY is the order the output promises. nm is named twice, and inlined into
 * both (NOT MATERIALIZED in names_cte()): a CTE's scan is parallel restricted too. */
static void
legacy_prices(FILE *m, const struct wrds_prices_q *q, const char *from, const char *to)
{
	fputs("WITH ", m);
	names_cte(m, &legacy, q, 1);
	fputs(", ", m);
	legacy_dl(m, q, from, to);
	fputs("\n(SELECT b.date AS \"date\", b.permno::int AS id, n.symbol,\n"
	      "  NULLIF(abs(b.openprc::float8), 0) AS \"open\", NULLIF(abs(b.askhi::float8), 0) AS high,\n"
	      "  NULLIF(abs(b.bidlo::float8), 0) AS low, NULLIF(abs(b.prc::float8), 0) AS \"close\",\n"
	      "  CASE WHEN b.vol::float8 >= 0 THEN b.vol::float8::bigint END AS volume, b.ret::float8 AS ret\n"
	      "FROM crsp.dsf b\n", m);
	name_join(m, "b", "date", NULL);
	fputs("WHERE b.permno = ANY (", m);
	id_array(m, q);
	fprintf(m, ") AND b.date BETWEEN DATE '%s' AND DATE '%s'\n"
	    "ORDER BY 1, 2)\n"
	    "UNION ALL\n"
	    "(SELECT dl.\"date\", dl.permno, n.symbol, NULL, NULL, NULL, NULL, NULL,\n", from, to);
	if (q->fill_dlret)
		fprintf(m, "  CASE WHEN dl.dlret IS NULL AND %s THEN CASE WHEN n.nasdaq THEN -0.55 ELSE -0.3 END\n"
		    "    ELSE dl.dlret END\n", legacy_perf);
	else
		fputs("  dl.dlret\n", m);
	fputs("FROM dl\n", m);
	name_join(m, "dl", "\"date\"", "");
	fputs("ORDER BY 1, 2)\n"
	      "ORDER BY 1, 2\n", m);
}

char *
wrds_prices_sql(const struct wrds_prices_q *q)
{
	struct sql s;
	FILE *m = sql_open(&s, q);

	if (m == NULL)
		return NULL;
	fputs("COPY (\n", m);
	/* One row per (date, permno): when name rows overlap, the one that started last; a delisting row
	 * takes the last name row that started before it (CRSP ends the names at the last price). CIZ's
	 * numbers leave the server in their own type (numeric in CRSP 2.0's definition): the client writes
	 * them as float8 (wrds_prices_cols), which costs the server a third of the pull when it casts. */
	if (q->format == WRDS_CIZ) {
		fputs("WITH ", m);
		names_cte(m, &ciz, q, 0);
		fputs("\nSELECT b.dlycaldt AS \"date\", b.permno::int AS id,\n"
		      "  n.symbol, NULLIF(abs(b.dlyopen), 0) AS \"open\",\n"
		      "  NULLIF(abs(CASE WHEN b.dlyprcflg = 'BA' THEN b.dlyask ELSE b.dlyhigh END), 0) AS high,\n"
		      "  NULLIF(abs(CASE WHEN b.dlyprcflg = 'BA' THEN b.dlybid ELSE b.dlylow END), 0) AS low,\n"
		      "  NULLIF(abs(b.dlyprc), 0) AS \"close\",\n"
		      "  CASE WHEN b.dlyvol >= 0 THEN b.dlyvol::bigint END AS volume,\n", m);
		if (q->fill_dlret)
			fprintf(m, "  CASE WHEN b.dlydelflg = 'Y' AND b.dlyret IS NULL AND %s\n"
			    "    THEN CASE WHEN n.nasdaq THEN -0.55 ELSE -0.3 END\n"
			    "    ELSE b.dlyret END AS ret,\n", ciz_perf);
		else
			fputs("  b.dlyret AS ret,\n", m);
		/* the delisting returns CRSP lacks (2: a performance delisting), counted by the client from
		 * the rows (wrds_prices_cols) rather than by a second scan of dsf_v2 */
		fprintf(m, "  CASE WHEN b.dlydelflg = 'Y' AND b.dlyret IS NULL THEN CASE WHEN %s\n"
		    "    THEN 2 ELSE 1 END END AS missing_dlret\n", ciz_perf);
		fputs("FROM crsp.dsf_v2 b\n", m);
		name_join(m, "b", "dlycaldt", "b.dlydelflg = 'Y'");
		fputs("WHERE b.permno = ANY (", m);
		id_array(m, q);
		fprintf(m, ") AND b.dlycaldt BETWEEN DATE '%s' AND DATE '%s'\n"
		      "ORDER BY 1, 2\n", s.from, s.to);
	} else {
		legacy_prices(m, q, s.from, s.to);
	}
	fputs(copy_tail, m);
	return sql_finish(&s);
}

const enum pg_col wrds_prices_cols[WRDS_PRICES_NCOLS] = {
	PG_PASS, PG_PASS, PG_PASS, PG_FLOAT8, PG_FLOAT8, PG_FLOAT8, PG_FLOAT8, PG_PASS, PG_FLOAT8, PG_TALLY
};

char *
wrds_dlret_missing_sql(const struct wrds_prices_q *q)
{
	struct sql s;
	FILE *m = sql_open(&s, q);

	if (m == NULL)
		return NULL;
	fputs("WITH ", m);
	legacy_dl(m, q, s.from, s.to);
	fprintf(m, "\nSELECT count(*), count(*) FILTER (WHERE %s) FROM dl WHERE dl.dlret IS NULL\n", legacy_perf);
	return sql_finish(&s);
}

char *
wrds_latest_sql(enum wrds_format format)
{
	struct sql s;
	FILE *m = sql_open(&s, NULL);

	if (m == NULL)
		return NULL;
	fprintf(m, "COPY (SELECT max(%s) FROM %s) TO STDOUT WITH (FORMAT csv)\n",
	    format == WRDS_LEGACY ? "date" : "dlycaldt", format == WRDS_LEGACY ? "crsp.dsi" : "crsp.dsf_v2");
	return sql_finish(&s);
}
