/* Unit tests for lib/html: numbers formatted for people, escaping, table cells with their raw values. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

#define MINUS "\xe2\x88\x92"

/* Run a writer into a memory buffer and return the text (caller frees). */
#define CAPTURE(text, call)                                   \
	do {                                                      \
		size_t len_;                                          \
		FILE *fp = open_memstream(&(text), &len_);            \
		ck_assert_ptr_nonnull(fp);                            \
		call;                                                 \
		fclose(fp);                                           \
	} while (0)

START_TEST(test_numbers)
{
	char b[HTML_NUM_MAX];

	ck_assert_str_eq(html_fmt_num(1234567.891, 2, b), "1,234,567.89");
	ck_assert_str_eq(html_fmt_num(999.995, 2, b), "1,000.00");
	ck_assert_str_eq(html_fmt_num(12, 0, b), "12");
	ck_assert_str_eq(html_fmt_num(-1234, 0, b), MINUS "1,234");
	ck_assert_str_eq(html_fmt_num(100000, 0, b), "100,000");
	ck_assert_str_eq(html_fmt_pct(0.1234, 2, b), "12.34%");
	ck_assert_str_eq(html_fmt_pct(-0.41016, 2, b), MINUS "41.02%");
	ck_assert_str_eq(html_fmt_pct(10.7091, 0, b), "1,071%");
	ck_assert_str_eq(html_fmt_usd(-1234.5, 2, b), MINUS "$1,234.50");
	ck_assert_str_eq(html_fmt_usd(1081586.18, 0, b), "$1,081,586");
	ck_assert_str_eq(html_fmt_bps(0.00123, 1, b), "12.3 bp");
	ck_assert_str_eq(html_fmt_bps(-0.0016185, 1, b), MINUS "16.2 bp");
}
END_TEST

START_TEST(test_escape_and_cells)
{
	char *t = NULL;

	CAPTURE(t, html_esc(fp, "AT&T <b> \"q\" 'a'"));
	ck_assert_str_eq(t, "AT&amp;T &lt;b&gt; &quot;q&quot; &#39;a&#39;");
	free(t);
	CAPTURE(t, html_td_num(fp, -0.25, "-25%", HTML_SIGN));
	ck_assert_str_eq(t, "<td class=\"n neg\" data-v=\"-0.25\">-25%</td>");
	free(t);
	CAPTURE(t, html_td_num(fp, 0.0015, "15 bp", HTML_COST));
	ck_assert_str_eq(t, "<td class=\"n neg\" data-v=\"0.0015\">15 bp</td>");
	free(t);
	CAPTURE(t, html_td_num(fp, 101.2, "$101.20", 0));
	ck_assert_str_eq(t, "<td class=\"n\" data-v=\"101.2\">$101.20</td>");
	free(t);
	CAPTURE(t, html_table_begin(fp, "x", "a <caption>", 1, "Name|>Value"));
	ck_assert_ptr_nonnull(strstr(t, "<caption>a &lt;caption&gt;</caption>"));
	ck_assert_ptr_nonnull(strstr(t, "<th scope=\"col\">Name</th><th scope=\"col\" class=\"n\">Value</th>"));
	ck_assert_ptr_nonnull(strstr(t, "class=\"tw tall\""));
	free(t);
}
END_TEST

START_TEST(test_numbers_in_text)
{
	/* The example (an alert printing 1.3008122602147079): long decimals rounded for people,
	 * everything else as written. */
	char *t = NULL;

	CAPTURE(t, html_esc_numbers(fp, "gross 1.3008122602147079 > 1.3; w=0.000123456 & 2.50000001 at "
	    "2026-11-24T21:15:00Z v1.2.34567 127.0.0.1 x0.123456 -0.41016789 AB12.345678"));
	ck_assert_str_eq(t, "gross 1.3008 &gt; 1.3; w=0.0001235 &amp; 2.5 at 2026-11-24T21:15:00Z v1.2.34567 "
	    "127.0.0.1 x0.123456 -0.4102 AB12.345678");
	free(t);
	CAPTURE(t, html_td_wrap(fp, "ratio 0.333333333"));
	ck_assert_str_eq(t, "<td class=\"w\" title=\"ratio 0.333333333\">ratio 0.3333</td>");
	free(t);
}
END_TEST

START_TEST(test_page_is_self_contained)
{
	static const char *const nav[] = { "a", "A & B", NULL };
	char *t = NULL;

	CAPTURE(t, (html_page_begin(fp, "T<1>", "sub", 60, nav), html_page_end(fp, "foot")));
	ck_assert_ptr_nonnull(strstr(t, "<meta http-equiv=\"refresh\" content=\"60\">"));
	ck_assert_ptr_nonnull(strstr(t, "<title>T&lt;1&gt;</title>"));
	ck_assert_ptr_nonnull(strstr(t, "<a href=\"#a\">A &amp; B</a>"));
	ck_assert_ptr_nonnull(strstr(t, "prefers-color-scheme:dark"));
	ck_assert_ptr_nonnull(strstr(t, "@media print"));
	ck_assert_ptr_null(strstr(t, "http:"));
	ck_assert_ptr_null(strstr(t, "https:"));
	ck_assert_ptr_null(strstr(t, "url("));
	ck_assert_ptr_null(strstr(t, "innerHTML"));
	free(t);
	CAPTURE(t, html_page_begin(fp, "T", NULL, 0, NULL));
	ck_assert_ptr_null(strstr(t, "refresh"));
	ck_assert_ptr_null(strstr(t, "<nav>"));
	free(t);
}
END_TEST

START_TEST(test_missing_values)
{
	char b[HTML_NUM_MAX], *t = NULL;

	ck_assert_str_eq(html_fmt_pct(NAN, 2, b), "\xe2\x80\x94");
	ck_assert_str_eq(html_fmt_usd(NAN, 2, b), "\xe2\x80\x94");
	CAPTURE(t, html_td_num(fp, NAN, "ignored", HTML_SIGN));
	ck_assert_str_eq(t, "<td class=\"n\" data-v=\"\">\xe2\x80\x94</td>");
	free(t);
	CAPTURE(t, html_td(fp, NULL));
	ck_assert_str_eq(t, "<td>\xe2\x80\x94</td>");
	free(t);
	CAPTURE(t, html_kpi(fp, "k", "L", "shown", NULL, NAN, 1));
	ck_assert_ptr_nonnull(strstr(t, "data-v=\"\">\xe2\x80\x94<"));
	free(t);
}
END_TEST

START_TEST(test_limits)
{
	char b[HTML_NUM_MAX];

	/* Rounding to zero drops the sign; huge and infinite values stay within the buffer. */
	ck_assert_str_eq(html_fmt_pct(-0.000001, 2, b), "0.00%");
	ck_assert_str_eq(html_fmt_num(-0.004, 2, b), "0.00");
	ck_assert_str_eq(html_fmt_num(999999999999999999.0, 0, b), "1e+18");
	ck_assert_str_eq(html_fmt_usd(-1e300, 2, b), MINUS "$1e+300");
	ck_assert_str_eq(html_fmt_num(INFINITY, 2, b), "\xe2\x88\x9e");
	ck_assert_str_eq(html_fmt_num(-INFINITY, 2, b), MINUS "\xe2\x88\x9e");
	ck_assert_str_eq(html_fmt_num(123456789012345678.0, 2, b), "123,456,789,012,345,680.00");
	ck_assert_uint_lt(strlen(html_fmt_bps(-9.99e17, 3, b)), HTML_NUM_MAX);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("html");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_numbers);
	tcase_add_test(core, test_escape_and_cells);
	tcase_add_test(core, test_numbers_in_text);
	tcase_add_test(core, test_page_is_self_contained);
	tcase_add_test(errors, test_missing_values);
	tcase_add_test(limits, test_limits);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
