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
	const char *sp500, *sp_start, *sp_end;   /* S&P 500 membership spells */
	const char *names, *nm_start, *nm_end;   /* point-in-time names: ticker and share/exchange codes */
	const char *common;     /* "this name row is a US common stock on NYSE, AMEX or NASDAQ", over n */
};

static const struct tables ciz = {
	"crsp.dsf_v2", "dlycaldt", "dlyprc", "dlyvol", "dlyret", "dlyopen", "dlyhigh", "dlylow",
	"b.dlycap::float8",
	"crsp.dsp500list_v2", "mbrstartdt", "mbrenddt",
	"crsp.stksecurityinfohist", "secinfostartdt", "secinfoenddt",
	"n.sharetype = 'NS' AND n.securitytype = 'EQTY' AND n.securitysubtype = 'COM' AND n.usincflg = 'Y'\n"
	"    AND n.issuertype IN ('ACOR', 'CORP') AND n.primaryexch IN ('N', 'A', 'Q')",
};

static const struct tables legacy = {
	"crsp.dsf", "date", "prc", "vol", "ret", "openprc", "askhi", "bidlo",
	"abs(b.prc::float8) * b.shrout::float8",
	"crsp.dsp500list", "start", "ending",
	"crsp.msenames", "namedt", "nameendt",
	"n.shrcd IN (10, 11) AND n.exchcd IN (1, 2, 3)",
};

static const char copy_tail[] = ") TO STDOUT WITH (FORMAT csv, HEADER)\n";

static char *
finish(FILE *m, char **buf)
{
	if (ferror(m)) {
		fclose(m);
		free(*buf);
		return NULL;
	}
	if (fclose(m) != 0) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

/* The snapshot SELECT (no ORDER BY): "date", id, symbol. */
static void
universe_select(FILE *m, const struct tables *t, const struct wrds_universe_q *q)
{
	char from[DATE_LEN + 1], to[DATE_LEN + 1];

	date_fmt(q->from, from);
	date_fmt(q->to, to);
	if (q->top == 0) {
		fprintf(m,
		    "SELECT b.%s AS \"date\", b.permno::int AS id, NULLIF(n.ticker, '') AS symbol\n"
		    "FROM %s a\n"
		    "JOIN %s b ON b.permno = a.permno AND b.%s BETWEEN a.%s AND coalesce(a.%s, 'infinity')\n"
		    "LEFT JOIN %s n ON n.permno = b.permno AND b.%s BETWEEN n.%s AND coalesce(n.%s, 'infinity')\n"
		    "WHERE b.%s BETWEEN DATE '%s' AND DATE '%s'\n",
		    t->date, t->sp500, t->dsf, t->date, t->sp_start, t->sp_end,
		    t->names, t->date, t->nm_start, t->nm_end, t->date, from, to);
		if (q->min_dollar_volume > 0)
			fprintf(m, "  AND abs(b.%s::float8) * b.%s::float8 >= %.17g\n", t->prc, t->vol, q->min_dollar_volume);
		return;
	}
	fprintf(m,
	    "SELECT \"date\", id, symbol FROM (\n"
	    "  SELECT b.%s AS \"date\", b.permno::int AS id, NULLIF(n.ticker, '') AS symbol,\n"
	    "    row_number() OVER (PARTITION BY b.%s ORDER BY %s DESC, b.permno) AS rank\n"
	    "  FROM %s b\n"
	    "  JOIN %s n ON n.permno = b.permno AND b.%s BETWEEN n.%s AND coalesce(n.%s, 'infinity')\n"
	    "  WHERE b.%s BETWEEN DATE '%s' AND DATE '%s'\n"
	    "    AND %s\n"
	    "    AND b.%s <> 0 AND %s > 0\n",
	    t->date, t->date, t->cap, t->dsf, t->names, t->date, t->nm_start, t->nm_end,
	    t->date, from, to, t->common, t->prc, t->cap);
	if (q->min_dollar_volume > 0)
		fprintf(m, "    AND abs(b.%s::float8) * b.%s::float8 >= %.17g\n", t->prc, t->vol, q->min_dollar_volume);
	fprintf(m, ") r\nWHERE rank <= %d\n", q->top);
}

char *
wrds_universe_sql(const struct wrds_universe_q *q)
{
	const struct tables *t = q->format == WRDS_LEGACY ? &legacy : &ciz;
	char *buf = NULL;
	size_t len;
	FILE *m = open_memstream(&buf, &len);

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
	return finish(m, &buf);
}

static void
id_array(FILE *m, const struct wrds_prices_q *q)
{
	fputs("'{", m);
	for (size_t i = 0; i < q->nids; i++)
		fprintf(m, "%s%lld", i ? "," : "", q->ids[i]);
	fputs("}'::int[]", m);
}

char *
wrds_prices_sql(const struct wrds_prices_q *q)
{
	char from[DATE_LEN + 1], to[DATE_LEN + 1];
	char *buf = NULL;
	size_t len;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL)
		return NULL;
	date_fmt(q->from, from);
	date_fmt(q->to, to);
	fputs("COPY (\n", m);
	if (q->format == WRDS_CIZ) {
		fputs("SELECT b.dlycaldt AS \"date\", b.permno::int AS id, NULLIF(n.ticker, '') AS symbol,\n"
		      "  NULLIF(abs(b.dlyopen::float8), 0) AS \"open\", NULLIF(abs(b.dlyhigh::float8), 0) AS high,\n"
		      "  NULLIF(abs(b.dlylow::float8), 0) AS low, NULLIF(abs(b.dlyprc::float8), 0) AS \"close\",\n"
		      "  CASE WHEN b.dlyvol >= 0 THEN b.dlyvol::bigint END AS volume, b.dlyret::float8 AS ret\n"
		      "FROM crsp.dsf_v2 b\n"
		      "LEFT JOIN crsp.stksecurityinfohist n ON n.permno = b.permno\n"
		      "  AND b.dlycaldt BETWEEN n.secinfostartdt AND coalesce(n.secinfoenddt, 'infinity')\n"
		      "WHERE b.permno = ANY (", m);
		id_array(m, q);
		fprintf(m, ") AND b.dlycaldt BETWEEN DATE '%s' AND DATE '%s'\n", from, to);
	} else {
		/* A delisting return lands on its date's row; when the stock has no price row that day, the
		 * full join makes one, so that a -100%% is never lost. Code 100 means "still active". */
		fputs("WITH d AS (\n"
		      "  SELECT b.permno::int AS permno, b.date, b.prc::float8 AS prc, b.openprc::float8 AS openprc,\n"
		      "    b.askhi::float8 AS askhi, b.bidlo::float8 AS bidlo, b.vol::float8 AS vol, b.ret::float8 AS ret\n"
		      "  FROM crsp.dsf b\n"
		      "  WHERE b.permno = ANY (", m);
		id_array(m, q);
		fprintf(m, ") AND b.date BETWEEN DATE '%s' AND DATE '%s'\n"
		      "), dl AS (\n"
		      "  SELECT e.permno::int AS permno, e.dlstdt AS date,\n", from, to);
		if (q->fill_dlret)
			fputs("    coalesce(e.dlret::float8, CASE\n"
			      "      WHEN e.dlstcd IN (500, 520, 580, 584) OR e.dlstcd BETWEEN 551 AND 574 THEN -0.3\n"
			      "      WHEN e.dlstcd BETWEEN 500 AND 599 THEN -1 END) AS dlret\n", m);
		else
			fputs("    e.dlret::float8 AS dlret\n", m);
		fputs("  FROM crsp.dsedelist e\n"
		      "  WHERE e.permno = ANY (", m);
		id_array(m, q);
		fprintf(m, ") AND e.dlstdt BETWEEN DATE '%s' AND DATE '%s' AND e.dlstcd <> 100\n"
		      ")\n"
		      "SELECT coalesce(d.date, dl.date) AS \"date\", coalesce(d.permno, dl.permno) AS id,\n"
		      "  NULLIF(n.ticker, '') AS symbol,\n"
		      "  NULLIF(abs(d.openprc), 0) AS \"open\", NULLIF(abs(d.askhi), 0) AS high,\n"
		      "  NULLIF(abs(d.bidlo), 0) AS low, NULLIF(abs(d.prc), 0) AS \"close\",\n"
		      "  CASE WHEN d.vol >= 0 THEN d.vol::bigint END AS volume,\n"
		      "  CASE WHEN dl.dlret IS NULL THEN d.ret WHEN d.ret IS NULL THEN dl.dlret\n"
		      "    ELSE (1 + d.ret) * (1 + dl.dlret) - 1 END AS ret\n"
		      "FROM d FULL JOIN (SELECT * FROM dl WHERE dlret IS NOT NULL) dl\n"
		      "  ON dl.permno = d.permno AND dl.date = d.date\n"
		      "LEFT JOIN crsp.msenames n ON n.permno = coalesce(d.permno, dl.permno)\n"
		      "  AND coalesce(d.date, dl.date) BETWEEN n.namedt AND coalesce(n.nameendt, 'infinity')\n", from, to);
	}
	fputs("ORDER BY 1, 2\n", m);
	fputs(copy_tail, m);
	return finish(m, &buf);
}
