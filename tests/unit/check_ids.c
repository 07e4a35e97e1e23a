/* Unit tests for lib/ids, the id table lib/backtest, lib/grid and lib/strategy share. Expectations come
 * from ids.h's contract: dense indices in order of first sight, an id is its bytes (len given, no NUL
 * needed), the row guess changes lookups' speed and never their answer. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"

START_TEST(test_dense_in_first_seen_order)
{
	struct ids t;
	int added;

	ids_init(&t);
	ck_assert_uint_eq(ids_get(&t, "A", 1), IDS_NONE);
	ck_assert_uint_eq(ids_intern(&t, "AAPL", 4, &added), 0);
	ck_assert_int_eq(added, 1);
	ck_assert_uint_eq(ids_intern(&t, "MSFTX", 4, &added), 1); /* "MSFT": only len bytes count */
	ck_assert_int_eq(added, 1);
	ck_assert_str_eq(t.name[1], "MSFT");
	ck_assert_uint_eq(t.len[1], 4);
	ck_assert_uint_eq(ids_intern(&t, "AAPL", 4, &added), 0);
	ck_assert_int_eq(added, 0);
	ck_assert_uint_eq(ids_intern(&t, "AAP", 3, NULL), 2); /* a prefix is another id */
	ck_assert_uint_eq(ids_intern(&t, "", 0, NULL), 3);
	ck_assert_uint_eq(ids_get(&t, "MSFT", 4), 1);
	ck_assert_uint_eq(ids_get(&t, "IBM", 3), IDS_NONE);
	ck_assert_uint_eq(t.n, 4);
	ids_free(&t);
}
END_TEST

START_TEST(test_many_ids_survive_rehash)
{
	struct ids t;
	char buf[32];

	ids_init(&t);
	for (int i = 0; i < 20000; i++) {
		int n = snprintf(buf, sizeof buf, "id%d", i);

		ck_assert_uint_eq(ids_intern(&t, buf, (size_t)n, NULL), (uint32_t)i);
	}
	for (int i = 0; i < 20000; i += 7) {
		int n = snprintf(buf, sizeof buf, "id%d", i);

		ck_assert_uint_eq(ids_get(&t, buf, (size_t)n), (uint32_t)i);
	}
	ck_assert_uint_ge(t.nslot, 2 * (size_t)t.n);
	ids_free(&t);
}
END_TEST

/* Days of rows in changing orders: every row's index is what ids_intern alone gives. */
START_TEST(test_row_guess_never_changes_the_answer)
{
	static const char *const days[][5] = {
		{ "A", "B", "C", "D", NULL },
		{ "A", "B", "C", "D", NULL }, /* same order: every guess right */
		{ "B", "A", "E", "D", NULL }, /* swapped, a new id, one gone */
		{ "A", "C", "D", NULL },
		{ "A", "B", "C", "D", "E" },
	};
	struct ids t, ref;
	struct ids_order o;

	ids_init(&t);
	ids_init(&ref);
	ids_order_init(&o);
	for (size_t d = 0; d < sizeof days / sizeof days[0]; d++) {
		ids_order_restart(&o);
		for (int k = 0; k < 5 && days[d][k] != NULL; k++) {
			const char *id = days[d][k];

			ck_assert_uint_eq(ids_row(&t, &o, id, strlen(id), NULL), ids_intern(&ref, id, strlen(id), NULL));
		}
	}
	ck_assert_uint_eq(t.n, 5);
	ck_assert_uint_eq(ids_get(&t, "E", 1), 4);
	ids_order_free(&o);
	ids_free(&t);
	ids_free(&ref);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ids");
	TCase *core = tcase_create("Core");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_dense_in_first_seen_order);
	tcase_add_test(core, test_many_ids_survive_rehash);
	tcase_add_test(core, test_row_guess_never_changes_the_answer);
	suite_add_tcase(s, core);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
