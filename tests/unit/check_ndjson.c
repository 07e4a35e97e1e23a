/* Unit tests for lib/ndjson: records, errors naming the line, compact shortest output. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndjson.h"

static FILE *
F(const char *text)
{
	return fmemopen((void *)text, strlen(text), "r");
}

START_TEST(test_read)
{
	FILE *fp = F("{\"type\":\"order\",\"qty\":12,\"ref_price\":101.2}\n\n  \n{\"type\":\"fill\"}\r\n");
	nd_reader *r = nd_open(fp, "o.ndjson");
	json_t *o;

	ck_assert_int_eq(nd_next(r, &o), 1);
	ck_assert_str_eq(nd_str(o, "type", ""), "order");
	ck_assert_int_eq(nd_int(o, "qty", -1), 12);
	ck_assert(nd_num(o, "ref_price", 0) == 101.2);
	ck_assert_str_eq(nd_str(o, "missing", "x"), "x");
	json_decref(o);
	ck_assert_int_eq(nd_next(r, &o), 1);
	ck_assert_int_eq(nd_line(r), 4);
	json_decref(o);
	ck_assert_int_eq(nd_next(r, &o), 0);
	nd_close(r);
	fclose(fp);
}
END_TEST

static const struct {
	const char *input, *error;
} bad[] = {
	{ "{\"a\":1}\n[1,2]\n", "o.ndjson:2: not a JSON object" },
	{ "{\"a\":1}\n{\"a\":\n", "o.ndjson:2: invalid JSON: unexpected token near end of file (column 5)" },
	{ "{\"a\":1} {\"b\":2}\n", "o.ndjson:1: invalid JSON: end of file expected near '{' (column 9)" },
	{ "\"text\"\n", "o.ndjson:1: not a JSON object" },
	{ "{\"a\":\"\xff\"}\n", "o.ndjson:1: invalid JSON: unable to decode byte 0xff near '\"' (column 6)" },
};

START_TEST(test_errors)
{
	FILE *fp = F(bad[_i].input);
	nd_reader *r = nd_open(fp, "o.ndjson");
	json_t *o;
	int rc;

	while ((rc = nd_next(r, &o)) == 1)
		json_decref(o);
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(nd_error(r), bad[_i].error);
	nd_close(r);
	fclose(fp);
}
END_TEST

/* Issue 14, item 9: a file saved with a UTF-8 byte order mark (Notepad, many Windows tools) gave "invalid
 * token". The Unicode standard (section 23.8) calls U+FEFF at the start of a file a signature, not text,
 * and RFC 8259 section 8.1 lets a parser ignore it: skipped on the first line; anywhere else it stays an
 * error. */
START_TEST(test_bom)
{
	FILE *fp = F("\xEF\xBB\xBF{\"type\":\"account\"}\n{\"type\":\"position\"}\n");
	nd_reader *r = nd_open(fp, "a.ndjson");
	json_t *o;

	ck_assert_int_eq(nd_next(r, &o), 1);
	ck_assert_str_eq(nd_str(o, "type", ""), "account");
	json_decref(o);
	ck_assert_int_eq(nd_next(r, &o), 1);
	json_decref(o);
	ck_assert_int_eq(nd_next(r, &o), 0);
	nd_close(r);
	fclose(fp);
	fp = F("\xEF\xBB\xBF\n{\"a\":1}\n"); /* a BOM and nothing else on the first line: a blank line */
	r = nd_open(fp, "a.ndjson");
	ck_assert_int_eq(nd_next(r, &o), 1);
	ck_assert_int_eq(nd_line(r), 2);
	json_decref(o);
	nd_close(r);
	fclose(fp);
	fp = F("{\"a\":1}\n\xEF\xBB\xBF{\"a\":2}\n");
	r = nd_open(fp, "a.ndjson");
	ck_assert_int_eq(nd_next(r, &o), 1);
	json_decref(o);
	ck_assert_int_eq(nd_next(r, &o), -1);
	nd_close(r);
	fclose(fp);
}
END_TEST

START_TEST(test_write)
{
	char *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&out, &n);
	json_t *o = json_pack("{s:s,s:i,s:f,s:f,s:f,s:[b,n],s:s}", "type", "fill", "qty", 12, "price", 101.2,
	    "commission", 1.0, "x", 0.1 + 0.2, "flags", 1, "note", "a\"b\n\xc3\xa9");

	ck_assert_int_eq(nd_write(fp, o), 0);
	fclose(fp);
	ck_assert_str_eq(out, "{\"type\":\"fill\",\"qty\":12,\"price\":101.2,\"commission\":1.0,"
	    "\"x\":0.30000000000000004,\"flags\":[true,null],\"note\":\"a\\\"b\\n\xc3\xa9\"}\n");
	free(out);
	json_decref(o);
}
END_TEST

/* A 1 MB line is one record, not an error. */
START_TEST(test_long_line)
{
	size_t n = 1 << 20;
	char *text = malloc(n + 32);
	FILE *fp;
	nd_reader *r;
	json_t *o;

	strcpy(text, "{\"s\":\"");
	memset(text + 6, 'z', n);
	strcpy(text + 6 + n, "\"}\n");
	fp = F(text);
	r = nd_open(fp, "big.ndjson");
	ck_assert_int_eq(nd_next(r, &o), 1);
	ck_assert_uint_eq(strlen(nd_str(o, "s", "")), n);
	json_decref(o);
	nd_close(r);
	fclose(fp);
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ndjson");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_read);
	tcase_add_test(core, test_write);
	tcase_add_test(core, test_bom);
	tcase_add_loop_test(errors, test_errors, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(limits, test_long_line);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
