/* Unit tests for progress: the text of the line. The figures are arithmetic on the inputs (rate = done /
 * seconds, ETA = what is left / rate), in the binary units of IEC 80000-13 (1 MiB = 1024 KiB = 2^20 B). */
#include <check.h>
#include <stdlib.h>

#include "progress.h"

START_TEST(test_bytes_known_total)
{
	char buf[160];

	/* 12 MiB of 100 MiB in 3 s: 4 MiB/s, 88 MiB left, 22 s */
	progress_format(buf, sizeof buf, NULL, PROGRESS_BYTES, 12LL << 20, 100LL << 20, 3);
	ck_assert_str_eq(buf, "12.0 MiB of 100.0 MiB (12%), 4.00 MiB/s, ETA 0:22");
	/* done: no ETA */
	progress_format(buf, sizeof buf, NULL, PROGRESS_BYTES, 3LL << 30, 3LL << 30, 60);
	ck_assert_str_eq(buf, "3.00 GiB of 3.00 GiB (100%), 51.2 MiB/s");
}
END_TEST

START_TEST(test_unknown_total)
{
	char buf[160];

	/* no total: no percentage, no ETA */
	progress_format(buf, sizeof buf, NULL, PROGRESS_BYTES, 1536, -1, 2);
	ck_assert_str_eq(buf, "1.50 KiB, 768 B/s");
	progress_format(buf, sizeof buf, "rows", PROGRESS_ITEMS, 131072, -1, 4);
	ck_assert_str_eq(buf, "131072 rows, 32768/s");
}
END_TEST

START_TEST(test_items_eta)
{
	char buf[160];

	/* 30 of 500 securities in 10 s: 3/s, 470 left: 156.67 s = 2:36 */
	progress_format(buf, sizeof buf, "securities", PROGRESS_ITEMS, 30, 500, 10);
	ck_assert_str_eq(buf, "30 of 500 securities (6%), 3.0/s, ETA 2:36");
	/* too early for a rate (under half a second): the counts only */
	progress_format(buf, sizeof buf, "securities", PROGRESS_ITEMS, 1, 500, 0.1);
	ck_assert_str_eq(buf, "1 of 500 securities (0%)");
	/* a small buffer is cut, not overrun */
	progress_format(buf, 8, "securities", PROGRESS_ITEMS, 30, 500, 10);
	ck_assert_str_eq(buf, "30 of 5");
}
END_TEST

START_TEST(test_not_a_terminal)
{
	/* the unit tests' stderr is not a terminal when run by make: every call is silent and harmless */
	progress_begin("rows", PROGRESS_ITEMS, 10);
	progress_update(5);
	progress_of(NULL, 10, 10);
	progress_end();
	progress_end();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("Core");
	SRunner *sr;
	int nfail;

	tcase_add_test(tc, test_bytes_known_total);
	tcase_add_test(tc, test_unknown_total);
	tcase_add_test(tc, test_items_eta);
	tcase_add_test(tc, test_not_a_terminal);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
