/* Unit tests for lib/date: ISO parsing and formatting, day arithmetic, the NYSE calendar. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

/* Every NYSE full closure on a weekday from 2000 through 2026, written from the exchange's published
 * holiday lists (nyse.com "Holidays & Trading Hours" and its archived yearly notices). */
static const char *const nyse_closures[] = {
	"2000-01-17", "2000-02-21", "2000-04-21", "2000-05-29", "2000-07-04", "2000-09-04", "2000-11-23", "2000-12-25",
	"2001-01-01", "2001-01-15", "2001-02-19", "2001-04-13", "2001-05-28", "2001-07-04", "2001-09-03",
	"2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14", "2001-11-22", "2001-12-25",
	"2002-01-01", "2002-01-21", "2002-02-18", "2002-03-29", "2002-05-27", "2002-07-04", "2002-09-02", "2002-11-28", "2002-12-25",
	"2003-01-01", "2003-01-20", "2003-02-17", "2003-04-18", "2003-05-26", "2003-07-04", "2003-09-01", "2003-11-27", "2003-12-25",
	"2004-01-01", "2004-01-19", "2004-02-16", "2004-04-09", "2004-05-31", "2004-06-11", "2004-07-05", "2004-09-06",
	"2004-11-25", "2004-12-24",
	"2005-01-17", "2005-02-21", "2005-03-25", "2005-05-30", "2005-07-04", "2005-09-05", "2005-11-24", "2005-12-26",
	"2006-01-02", "2006-01-16", "2006-02-20", "2006-04-14", "2006-05-29", "2006-07-04", "2006-09-04", "2006-11-23", "2006-12-25",
	"2007-01-01", "2007-01-02", "2007-01-15", "2007-02-19", "2007-04-06", "2007-05-28", "2007-07-04", "2007-09-03",
	"2007-11-22", "2007-12-25",
	"2008-01-01", "2008-01-21", "2008-02-18", "2008-03-21", "2008-05-26", "2008-07-04", "2008-09-01", "2008-11-27", "2008-12-25",
	"2009-01-01", "2009-01-19", "2009-02-16", "2009-04-10", "2009-05-25", "2009-07-03", "2009-09-07", "2009-11-26", "2009-12-25",
	"2010-01-01", "2010-01-18", "2010-02-15", "2010-04-02", "2010-05-31", "2010-07-05", "2010-09-06", "2010-11-25", "2010-12-24",
	"2011-01-17", "2011-02-21", "2011-04-22", "2011-05-30", "2011-07-04", "2011-09-05", "2011-11-24", "2011-12-26",
	"2012-01-02", "2012-01-16", "2012-02-20", "2012-04-06", "2012-05-28", "2012-07-04", "2012-09-03", "2012-10-29",
	"2012-10-30", "2012-11-22", "2012-12-25",
	"2013-01-01", "2013-01-21", "2013-02-18", "2013-03-29", "2013-05-27", "2013-07-04", "2013-09-02", "2013-11-28", "2013-12-25",
	"2014-01-01", "2014-01-20", "2014-02-17", "2014-04-18", "2014-05-26", "2014-07-04", "2014-09-01", "2014-11-27", "2014-12-25",
	"2015-01-01", "2015-01-19", "2015-02-16", "2015-04-03", "2015-05-25", "2015-07-03", "2015-09-07", "2015-11-26", "2015-12-25",
	"2016-01-01", "2016-01-18", "2016-02-15", "2016-03-25", "2016-05-30", "2016-07-04", "2016-09-05", "2016-11-24", "2016-12-26",
	"2017-01-02", "2017-01-16", "2017-02-20", "2017-04-14", "2017-05-29", "2017-07-04", "2017-09-04", "2017-11-23", "2017-12-25",
	"2018-01-01", "2018-01-15", "2018-02-19", "2018-03-30", "2018-05-28", "2018-07-04", "2018-09-03", "2018-11-22",
	"2018-12-05", "2018-12-25",
	"2019-01-01", "2019-01-21", "2019-02-18", "2019-04-19", "2019-05-27", "2019-07-04", "2019-09-02", "2019-11-28", "2019-12-25",
	"2020-01-01", "2020-01-20", "2020-02-17", "2020-04-10", "2020-05-25", "2020-07-03", "2020-09-07", "2020-11-26", "2020-12-25",
	"2021-01-01", "2021-01-18", "2021-02-15", "2021-04-02", "2021-05-31", "2021-07-05", "2021-09-06", "2021-11-25", "2021-12-24",
	"2022-01-17", "2022-02-21", "2022-04-15", "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05", "2022-11-24", "2022-12-26",
	"2023-01-02", "2023-01-16", "2023-02-20", "2023-04-07", "2023-05-29", "2023-06-19", "2023-07-04", "2023-09-04",
	"2023-11-23", "2023-12-25",
	"2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02",
	"2024-11-28", "2024-12-25",
	"2025-01-01", "2025-01-09", "2025-01-20", "2025-02-17", "2025-04-18", "2025-05-26", "2025-06-19", "2025-07-04",
	"2025-09-01", "2025-11-27", "2025-12-25",
	"2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07",
	"2026-11-26", "2026-12-25",
};

static int
D(const char *s)
{
	int d;

	ck_assert_msg(date_parse(s, strlen(s), &d) == 0, "bad test date %s", s);
	return d;
}

START_TEST(test_parse_format)
{
	char buf[DATE_LEN + 1];
	int d;

	ck_assert_int_eq(D("1970-01-01"), 0);
	ck_assert_int_eq(D("1970-01-02"), 1);
	ck_assert_int_eq(D("1969-12-31"), -1);
	ck_assert_int_eq(D("2000-03-01") - D("2000-02-28"), 2); /* 2000 is a leap year */
	ck_assert_int_eq(D("1900-03-01") - D("1900-02-28"), 1); /* 1900 is not */
	ck_assert_str_eq(date_fmt(D("2024-02-29"), buf), "2024-02-29");
	for (int day = D("1990-01-01"); day < D("2040-01-01"); day++) {
		ck_assert_int_eq(date_parse(date_fmt(day, buf), DATE_LEN, &d), 0);
		ck_assert_int_eq(d, day);
	}
	ck_assert_int_eq(date_weekday(D("2026-11-25")), 3); /* a Wednesday */
}
END_TEST

START_TEST(test_parse_errors)
{
	static const char *const bad[] = { "", "2024-1-01", "2024-02-30", "2023-02-29", "2024-13-01",
		"2024-00-10", "2024-01-00", "24-01-01", "2024/01/01", "2024-01-01T", "20240101", " 2024-01-01",
		"2024-01-32", "abcd-ef-gh" };
	int d;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(date_parse(bad[i], strlen(bad[i]), &d) == -1, "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(test_nyse_closures_2000_2026)
{
	size_t n = sizeof nyse_closures / sizeof nyse_closures[0], k = 0;
	char buf[DATE_LEN + 1];

	for (int d = D("2000-01-01"); d <= D("2026-12-31"); d++) {
		int wd = date_weekday(d), listed = k < n && d == D(nyse_closures[k]);

		if (listed)
			k++;
		if (wd == 0 || wd == 6)
			ck_assert_msg(!cal_is_trading_day(d), "%s is a weekend", date_fmt(d, buf));
		else
			ck_assert_msg(cal_is_trading_day(d) == !listed, "%s: calendar says %s, the list says %s",
			    date_fmt(d, buf), cal_is_trading_day(d) ? "open" : "closed", listed ? "closed" : "open");
	}
	ck_assert_uint_eq(k, n); /* the table is sorted and every entry was met */
}
END_TEST

START_TEST(test_next_prev_month_end)
{
	char buf[DATE_LEN + 1];

	ck_assert_str_eq(date_fmt(cal_next(D("2024-12-24")), buf), "2024-12-26");
	ck_assert_str_eq(date_fmt(cal_prev(D("2025-01-02")), buf), "2024-12-31");
	ck_assert_str_eq(date_fmt(cal_next(D("2025-01-08")), buf), "2025-01-10");
	ck_assert_str_eq(date_fmt(cal_prev(D("2024-07-05")), buf), "2024-07-03");
	ck_assert_str_eq(date_fmt(cal_on_or_after(D("2024-11-30")), buf), "2024-12-02");
	ck_assert(cal_is_month_end(D("2024-05-31")));
	ck_assert(cal_is_month_end(D("2024-08-30")));  /* Aug 31 is a Saturday */
	ck_assert(cal_is_month_end(D("2021-12-31")));  /* New Year's Day 2022 is a Saturday */
	ck_assert(!cal_is_month_end(D("2024-08-29")));
	ck_assert(cal_is_month_end(D("2023-03-31")));
	ck_assert(!cal_is_month_end(D("2024-06-01"))); /* a Saturday is never one */
	ck_assert_int_eq(cal_count(D("2024-01-01"), D("2024-12-31")), 252);
	ck_assert_int_eq(cal_count(D("2025-01-01"), D("2025-12-31")), 250);
	ck_assert_str_eq(date_fmt(cal_add(D("2024-12-20"), 3), buf), "2024-12-26");
	ck_assert_str_eq(date_fmt(cal_add(D("2024-12-26"), -3), buf), "2024-12-20");
}
END_TEST

START_TEST(test_early_close)
{
	ck_assert(cal_is_early_close(D("2024-11-29")));
	ck_assert(cal_is_early_close(D("2024-12-24")));
	ck_assert(cal_is_early_close(D("2024-07-03")));
	ck_assert(cal_is_early_close(D("2025-07-03")));
	ck_assert(!cal_is_early_close(D("2026-07-02"))); /* July 3 2026 is the observed holiday */
	ck_assert(!cal_is_early_close(D("2021-12-23")));
	ck_assert(!cal_is_early_close(D("2024-11-27")));
	ck_assert(!cal_is_early_close(D("2024-11-28"))); /* closed, not early */
}
END_TEST

START_TEST(test_zones)
{
	struct tm tm = { .tm_year = 2024 - 1900, .tm_mon = 6, .tm_mday = 3, .tm_hour = 16 };
	long long t = date_mktime_in(&tm, "America/New_York");
	char buf[DATE_LEN + 1];

	ck_assert(t == 1720036800LL); /* 2024-07-03 16:00 EDT = 20:00 UTC */
	ck_assert_str_eq(date_fmt(date_of_time(t, "America/New_York"), buf), "2024-07-03");
	ck_assert_str_eq(date_fmt(date_of_time(t, "Asia/Tokyo"), buf), "2024-07-04");
	ck_assert_str_eq(date_fmt(date_of_time(t, "UTC"), buf), "2024-07-03");
	ck_assert_ptr_null(getenv("TZ")); /* left as it was */
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("date");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_parse_format);
	tcase_add_test(core, test_next_prev_month_end);
	tcase_add_test(core, test_early_close);
	tcase_add_test(core, test_zones);
	tcase_add_test(errors, test_parse_errors);
	tcase_add_test(limits, test_nyse_closures_2000_2026);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
