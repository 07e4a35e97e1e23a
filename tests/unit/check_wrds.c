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
	struct wrds_universe_q q = { WRDS_CIZ, 0, 0, date_from_ymd(2024, 1, 2), date_from_ymd(2024, 1, 31), 0 };
	char *sql = wrds_universe_sql(&q);

	ck_assert_ptr_nonnull(sql);
	ck_assert(strncmp(sql, "COPY (\n", 7) == 0);
	ck_assert_int_eq(count(sql, "crsp.dsp500list_v2"), 1);
	ck_assert_int_eq(count(sql, "DATE '2024-01-02' AND DATE '2024-01-31'"), 1);
	ck_assert_int_eq(count(sql, ") TO STDOUT WITH (FORMAT csv, HEADER)\n"), 1);
	free(sql);
	q.format = WRDS_LEGACY;
	q.top = 500;
	sql = wrds_universe_sql(&q);
	ck_assert_int_eq(count(sql, "crsp.dsp500list"), 0);
	ck_assert_int_eq(count(sql, "n.shrcd IN (10, 11)"), 1);
	ck_assert_int_eq(count(sql, "b.vol"), 0); /* no floor, no volume condition */
	ck_assert_int_eq(count(sql, "rank <= 500"), 1);
	free(sql);
	q.min_dollar_volume = 1e7;
	q.spells = 1;
	sql = wrds_universe_sql(&q);
	ck_assert_int_eq(count(sql, ">= 10000000\n"), 1);
	ck_assert_int_eq(count(sql, "AS start, max(\"date\") AS \"end\", id, symbol"), 1);
	free(sql);
}
END_TEST

START_TEST(test_prices)
{
	long long ids[] = { 10107, 14593 };
	struct wrds_prices_q q = { WRDS_LEGACY, ids, 2, date_from_ymd(2024, 1, 2), date_from_ymd(2024, 1, 31), 0 };
	char *sql = wrds_prices_sql(&q);

	ck_assert_int_eq(count(sql, "'{10107,14593}'::int[]"), 2);
	ck_assert_int_eq(count(sql, "crsp.dsedelist"), 1);
	ck_assert_int_eq(count(sql, "-0.3"), 0);
	free(sql);
	q.fill_dlret = 1;
	sql = wrds_prices_sql(&q);
	ck_assert_int_eq(count(sql, "THEN -0.3"), 1);
	free(sql);
	q.format = WRDS_CIZ;
	sql = wrds_prices_sql(&q);
	ck_assert_int_eq(count(sql, "dsedelist"), 0); /* CIZ returns include delistings */
	ck_assert_int_eq(count(sql, "'{10107,14593}'::int[]"), 1);
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
	struct wrds_prices_q q = { WRDS_CIZ, NULL, 100000, 0, 1, 0 };
	long long *ids = malloc(100000 * sizeof *ids);
	char *sql;

	for (int i = 0; i < 100000; i++)
		ids[i] = 10000 + i;
	q.ids = ids;
	sql = wrds_prices_sql(&q);
	ck_assert_ptr_nonnull(sql);
	ck_assert_int_eq(count(sql, ",109999}'"), 1);
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
