/* check_err: the library's error convention (err.h): err_ret writes the message and hands back the code. */
#include <check.h>
#include <string.h>

#include "err.h"

START_TEST(test_err_ret_code_and_message)
{
	char buf[64];

	ck_assert_int_eq(err_ret(EX_DATAERR, buf, sizeof buf, "%s: %d", "field", 7), EX_DATAERR);
	ck_assert_str_eq(buf, "field: 7");
}
END_TEST

/* snprintf's contract (C11 7.21.6.5): at most n-1 characters and a terminating NUL. */
START_TEST(test_err_ret_truncates)
{
	char buf[8];

	memset(buf, 'x', sizeof buf);
	ck_assert_int_eq(err_ret(EX_NOINPUT, buf, sizeof buf, "%s", "a long message"), EX_NOINPUT);
	ck_assert_str_eq(buf, "a long ");
}
END_TEST

START_TEST(test_err_ret_no_buffer)
{
	char buf[4] = "abc";

	ck_assert_int_eq(err_ret(EX_IOERR, NULL, 10, "x"), EX_IOERR);
	ck_assert_int_eq(err_ret(EX_USAGE, buf, 0, "zzz"), EX_USAGE);
	ck_assert_str_eq(buf, "abc");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("err");
	TCase *tc = tcase_create("convention");
	SRunner *sr;
	int nfail;

	tcase_add_test(tc, test_err_ret_code_and_message);
	tcase_add_test(tc, test_err_ret_truncates);
	tcase_add_test(tc, test_err_ret_no_buffer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
