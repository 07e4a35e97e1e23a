/* Unit tests for lib/universe: reading a file's latest snapshot, the id order, the events between two. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "universe.h"

static int
read_text(const char *text, struct univ_snap *s, char *err, size_t n)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc = univ_read_latest(fp, "u.csv", s, err, n);

	fclose(fp);
	return rc;
}

struct log {
	char buf[1024]; /* "E:id:sym L:id:sym R:id:old>new " */
};

static int
record(enum univ_event ev, const struct univ_member *o, const struct univ_member *n, void *arg)
{
	struct log *l = arg;
	size_t len = strlen(l->buf);

	if (ev == UNIV_ENTER)
		snprintf(l->buf + len, sizeof l->buf - len, "E:%s:%s ", n->id, n->symbol);
	else if (ev == UNIV_LEAVE)
		snprintf(l->buf + len, sizeof l->buf - len, "L:%s:%s ", o->id, o->symbol);
	else
		snprintf(l->buf + len, sizeof l->buf - len, "R:%s:%s>%s ", n->id, o->symbol, n->symbol);
	return 0;
}

static int
stop(enum univ_event ev, const struct univ_member *o, const struct univ_member *n, void *arg)
{
	return 1;
}

START_TEST(test_latest)
{
	struct univ_snap s = { 0 };
	char err[256];

	ck_assert_int_eq(read_text("date,id,symbol\n2024-01-03,2,B\n2024-01-02,1,A\n2024-01-03,1,A\n"
	    "2024-01-01,9,Z\n", &s, err, sizeof err), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.m[0].id, "1");
	ck_assert_int_eq(s.m[0].line, 4);
	ck_assert_str_eq(s.m[1].symbol, "B");
	ck_assert_int_eq(s.has_symbol, 1);
	univ_free(&s);
	ck_assert_int_eq(read_text("id,date\n7,2024-01-02\n", &s, err, sizeof err), 0);
	ck_assert_int_eq(s.has_symbol, 0);
	ck_assert_str_eq(s.m[0].symbol, "");
	univ_free(&s);
}
END_TEST

START_TEST(test_idcmp)
{
	ck_assert_int_lt(univ_idcmp("9", "10"), 0);
	ck_assert_int_gt(univ_idcmp("100", "99"), 0);
	ck_assert_int_lt(univ_idcmp("99999999999999999999", "AAPL"), 0); /* integers first, any length */
	ck_assert_int_lt(univ_idcmp("AAPL", "MSFT"), 0);
	ck_assert_int_ne(univ_idcmp("007", "7"), 0);
	ck_assert_int_eq(univ_idcmp("007", "7"), -univ_idcmp("7", "007"));
	ck_assert_int_eq(univ_idcmp("42", "42"), 0);
}
END_TEST

START_TEST(test_diff)
{
	struct univ_snap a = { 0 }, b = { 0 };
	struct log l = { "" };
	char err[256];

	ck_assert_int_eq(read_text("date,id,symbol\n2024-01-02,3,C\n2024-01-02,1,A\n2024-01-02,2,B\n", &a, err,
	    sizeof err), 0);
	ck_assert_int_eq(read_text("date,id,symbol\n2024-01-03,10,J\n2024-01-03,2,BB\n2024-01-03,1,A\n", &b, err,
	    sizeof err), 0);
	ck_assert_int_eq(univ_diff(&a, &b, record, &l), 3);
	ck_assert_str_eq(l.buf, "R:2:B>BB L:3:C E:10:J ");
	ck_assert_int_eq(univ_diff(&a, &b, stop, NULL), -1);
	l.buf[0] = '\0';
	ck_assert_int_eq(univ_diff(&a, &a, record, &l), 0);
	ck_assert_str_eq(l.buf, "");
	univ_free(&a);
	univ_free(&b);
}
END_TEST

static const struct {
	const char *input, *error;
} bad[] = {
	{ "date,id,symbol\n", "u.csv: no members (an empty universe is not a snapshot)" },
	{ "", "u.csv:1: empty input: expected a header line" },
	{ "date,symbol\n2024-01-02,A\n", "u.csv:1: missing column 'id'" },
	{ "date,id\n2024-01-02,\n", "u.csv:2: id: missing" },
	{ "date,id\n,5\n", "u.csv:2: date: missing" },
	{ "date,id\n2024-01-02,5\n2024-01-02,5\n", "u.csv:3: id: '5' is listed twice on 2024-01-02 (first on line 2)" },
};

START_TEST(test_errors)
{
	struct univ_snap s = { 0 };
	char err[256];

	ck_assert_int_eq(read_text(bad[_i].input, &s, err, sizeof err), EX_DATAERR);
	ck_assert_str_eq(err, bad[_i].error);
	univ_free(&s);
}
END_TEST

START_TEST(test_many)
{
	struct univ_snap a = { 0 }, b = { 0 };
	struct log l = { "" };
	char err[256], *text, *p;
	size_t cap = 40 * 20001;
	int i;

	/* 20,000 members, ids in reverse order; the new day drops id 0 only. */
	text = malloc(cap);
	p = text + sprintf(text, "date,id,symbol\n");
	for (i = 19999; i >= 0; i--)
		p += sprintf(p, "2024-01-02,%d,S%d\n", i, i);
	ck_assert_int_eq(read_text(text, &a, err, sizeof err), 0);
	p = text + sprintf(text, "date,id,symbol\n");
	for (i = 1; i < 20000; i++)
		p += sprintf(p, "2024-01-03,%d,S%d\n", i, i);
	ck_assert_int_eq(read_text(text, &b, err, sizeof err), 0);
	ck_assert_int_eq(univ_diff(&a, &b, record, &l), 1);
	ck_assert_str_eq(l.buf, "L:0:S0 ");
	ck_assert_int_eq(b.date, a.date + 1);
	univ_free(&a);
	univ_free(&b);
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("universe");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_latest);
	tcase_add_test(core, test_idcmp);
	tcase_add_test(core, test_diff);
	tcase_add_loop_test(errors, test_errors, 0, (int)(sizeof bad / sizeof bad[0]));
	tcase_add_test(limits, test_many);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
