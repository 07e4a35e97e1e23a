/* Unit tests for lib/wrds (the SQL) and lib/pg (the target it names); the SQL's results are tested against
 * a real server in tests/tools/wrds-pull.sh. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "pg.h"
#include "wrds.h"

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

START_TEST(test_universe)
{
	struct wrds_universe_q q = { .format = WRDS_CIZ, .adv_days = 1, .from = date_from_ymd(2024, 1, 2),
		.to = date_from_ymd(2024, 1, 31) };
	char *sql = wrds_universe_sql(&q);

	ck_assert_ptr_nonnull(sql);
	ck_assert(strncmp(sql, "COPY (\n", 7) == 0);
	ck_assert_int_eq(count(sql, "crsp.dsp500list_v2"), 2);
	ck_assert_int_eq(count(sql, "BETWEEN DATE '2024-01-02' AND DATE '2024-01-31'"), 1);
	ck_assert_int_eq(count(sql, ") TO STDOUT WITH (FORMAT csv, HEADER)\n"), 1);
	/* tidy-finance's CIZ filter, the last two conditions included (when-issued and halted lines out) */
	ck_assert_int_eq(count(sql, "n.conditionaltype IN ('RW', 'NW') AND n.tradingstatusflg = 'A'"), 1);
	ck_assert_int_eq(count(sql, "SELECT \"date\", id, symbol, permco, share_class, exchange, cusip"), 1);
	free(sql);
	q.format = WRDS_LEGACY;
	q.top = 500;
	sql = wrds_universe_sql(&q);
	ck_assert_int_eq(count(sql, "crsp.dsp500list"), 0);
	ck_assert_int_eq(count(sql, "crsp.msenames"), 0); /* daily names, not monthly ones */
	ck_assert_int_eq(count(sql, "crsp.dsenames"), 3);
	/* tidy-finance's legacy filter: 1/31 NYSE, 2/32 AMEX, 3/33 NASDAQ */
	ck_assert_int_eq(count(sql, "n.shrcd IN (10, 11) AND n.exchcd IN (1, 2, 3, 31, 32, 33)"), 1);
	ck_assert_int_eq(count(sql, "adv >="), 0); /* no floor, no volume condition */
	ck_assert_int_eq(count(sql, "price >="), 0);
	ck_assert_int_eq(count(sql, "ORDER BY cap DESC, id"), 1); /* ties to the lower permno */
	ck_assert_int_eq(count(sql, "rank <= 500"), 1);
	free(sql);
	q.min_dollar_volume = 1e7;
	q.min_price = 5;
	q.spells = 1;
	sql = wrds_universe_sql(&q);
	ck_assert_int_eq(count(sql, "adv >= 10000000\n"), 1);
	ck_assert_int_eq(count(sql, "price >= 5\n"), 1);
	ck_assert_int_eq(count(sql, "OVER (PARTITION BY id"), 0); /* one day: no average */
	ck_assert_int_eq(count(sql, "AS start, max(\"date\") AS \"end\", id, symbol"), 1);
	free(sql);
}
END_TEST

START_TEST(test_universe_adv_monthly)
{
	struct wrds_universe_q q = { .format = WRDS_CIZ, .top = 1000, .adv_days = 20, .min_dollar_volume = 1e6,
		.monthly = 1, .from = date_from_ymd(2024, 1, 2), .to = date_from_ymd(2024, 3, 15) };
	char *sql = wrds_universe_sql(&q);

	ck_assert_ptr_nonnull(sql);
	ck_assert_int_eq(count(sql, "ROWS BETWEEN 19 PRECEDING AND CURRENT ROW"), 1);
	/* The rank days are the NYSE's last trading days of December 2023 (Friday 29th), January and
	 * February 2024 (Wednesday 31st, Thursday 29th); March's end is after --to. */
	ck_assert_int_eq(count(sql, "unnest('{2023-12-29,2024-01-31,2024-02-29}'::date[])"), 1);
	/* The average of the first rank day needs the 19 trading days before it: from 2023-12-01 (the NYSE
	 * was closed on December 25th), less a 10-day margin. */
	ck_assert_int_eq(count(sql, "BETWEEN DATE '2023-11-21' AND DATE '2024-03-15'"), 1);
	ck_assert_int_eq(count(sql, "\"date\" IN (SELECT d FROM rd)"), 1);
	free(sql);
	q.top = 0; /* the S&P 500 has no monthly form: the flag is ignored there */
	sql = wrds_universe_sql(&q);
	ck_assert_int_eq(count(sql, "rd AS"), 0);
	free(sql);
}
END_TEST

START_TEST(test_prices)
{
	long long ids[] = { 10107, 14593 };
	struct wrds_prices_q q = { .format = WRDS_LEGACY, .ids = ids, .nids = 2, .from = date_from_ymd(2024, 1, 2),
		.to = date_from_ymd(2024, 1, 31) };
	char *sql = wrds_prices_sql(&q), *miss;

	ck_assert_int_eq(count(sql, "'{10107,14593}'::int[]"), 4); /* names (twice), delistings, prices */
	ck_assert_int_eq(count(sql, "crsp.dsedelist"), 1);
	ck_assert_int_eq(count(sql, "crsp.dsi"), 1);  /* the delisting row: the next trading day */
	ck_assert_int_eq(count(sql, "(1 + "), 0);     /* never compounded into the last day's return */
	ck_assert_int_eq(count(sql, "-0.3"), 0);
	free(sql);
	q.fill_dlret = 1;
	sql = wrds_prices_sql(&q);
	ck_assert_int_eq(count(sql, "(dl.dlstcd = 500 OR dl.dlstcd BETWEEN 520 AND 584)"), 1); /* Shumway 1997 */
	ck_assert_int_eq(count(sql, "THEN -0.55 ELSE -0.3 END"), 1); /* Shumway and Warther 1999 */
	free(sql);
	miss = wrds_dlret_missing_sql(&q);
	ck_assert_int_eq(count(miss, "dl.dlret IS NULL"), 1);
	ck_assert_int_eq(count(miss, "COPY"), 0);
	free(miss);
	q.format = WRDS_CIZ;
	sql = wrds_prices_sql(&q);
	ck_assert_int_eq(count(sql, "dsedelist"), 0); /* CIZ has its delisting rows in dsf_v2 */
	/* the fill, and the missing returns counted from the rows (no second scan of dsf_v2) */
	ck_assert_int_eq(count(sql, "x.delactiontype = 'DEL'"), 2);
	ck_assert_int_eq(count(sql, "THEN 2 ELSE 1 END END AS missing_dlret\n"), 1);
	ck_assert_int_eq(count(sql, "THEN b.dlyask ELSE b.dlyhigh"), 1); /* no trades: closing ask/bid */
	ck_assert_int_eq(count(sql, "'{10107,14593}'::int[]"), 3);
	free(sql);
	sql = wrds_latest_sql(WRDS_CIZ);
	ck_assert_str_eq(sql, "COPY (SELECT max(dlycaldt) FROM crsp.dsf_v2) TO STDOUT WITH (FORMAT csv)\n");
	free(sql);
}
END_TEST

START_TEST(test_target)
{
	char buf[256];

	unsetenv("PGHOST");
	unsetenv("PGPORT");
	unsetenv("PGDATABASE");
	unsetenv("PGSSLMODE");
	unsetenv("PGUSER");
	unsetenv("WRDS_USERNAME");
	ck_assert_str_eq(pg_target(buf, sizeof buf), "wrds-pgdata.wharton.upenn.edu:9737/wrds sslmode=require");
	setenv("PGUSER", "pg", 1);
	ck_assert_str_eq(pg_target(buf, sizeof buf), "pg@wrds-pgdata.wharton.upenn.edu:9737/wrds sslmode=require");
	setenv("WRDS_USERNAME", "jdoe", 1);
	setenv("PGHOST", "/tmp/sock", 1);
	setenv("PGPORT", "5433", 1);
	setenv("PGDATABASE", "crsp", 1);
	setenv("PGSSLMODE", "disable", 1);
	ck_assert_str_eq(pg_target(buf, sizeof buf), "jdoe@/tmp/sock:5433/crsp sslmode=disable");
	setenv("PGHOST", "", 1); /* empty is unset, as libpq has it */
	ck_assert_int_eq(count(pg_target(buf, sizeof buf), "@wrds-pgdata.wharton.upenn.edu:5433/"), 1);
}
END_TEST

START_TEST(test_many_ids)
{
	struct wrds_prices_q q = { .format = WRDS_CIZ, .nids = 100000, .from = 0, .to = 1 };
	long long *ids = malloc(100000 * sizeof *ids);
	char *sql;

	for (int i = 0; i < 100000; i++)
		ids[i] = 10000 + i;
	q.ids = ids;
	sql = wrds_prices_sql(&q);
	ck_assert_ptr_nonnull(sql);
	ck_assert_int_eq(count(sql, ",109999}'"), 3); /* names (twice) and prices */
	ck_assert_uint_gt(strlen(sql), 600000);
	free(sql);
	free(ids);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("wrds");
	TCase *core = tcase_create("Core"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_universe);
	tcase_add_test(core, test_universe_adv_monthly);
	tcase_add_test(core, test_prices);
	tcase_add_test(core, test_target);
	tcase_add_test(limits, test_many_ids);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
