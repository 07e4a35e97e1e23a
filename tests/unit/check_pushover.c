/* Unit tests for lib/pushover (UTF-8 truncation, NDJSON messages) and lib/http (headers, retry policy).
 * Requests against a server are tested in tests/tools/notify.sh. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <curl/curl.h>

#include "http.h"
#include "pushover.h"

/* ---- Core ---- */

START_TEST(test_chars)
{
	ck_assert_uint_eq(po_chars(""), 0);
	ck_assert_uint_eq(po_chars("abc"), 3);
	ck_assert_uint_eq(po_chars("\xc3\xa9t\xc3\xa9"), 3);         /* été */
	ck_assert_uint_eq(po_chars("\xe2\x82\xac\xf0\x9f\x93\x88"), 2); /* euro sign, chart emoji */
	ck_assert_uint_eq(po_chars("\xff\xc3"), 2);                   /* invalid bytes count one each */
}
END_TEST

START_TEST(test_truncate)
{
	char *s;

	s = po_truncate("hello", 5);
	ck_assert_str_eq(s, "hello");
	free(s);
	s = po_truncate("hello!", 5);
	ck_assert_str_eq(s, "hell" PO_MARKER);
	free(s);
	/* never inside a character: 4 euro signs then the marker */
	s = po_truncate("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 5);
	ck_assert_str_eq(s, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac" PO_MARKER);
	ck_assert_uint_eq(po_chars(s), 5);
	free(s);
}
END_TEST

START_TEST(test_message_from_json)
{
	json_t *o = json_loads("{\"type\":\"alert\",\"message\":\"m\",\"title\":\"t\",\"priority\":-2,\"html\":1,"
	    "\"url\":\"u\",\"url_title\":\"ut\",\"sound\":\"s\",\"other\":[1]}", 0, NULL);
	struct po_message m = { .title = "default", .priority = 1, .has_priority = 1 };
	char err[128];

	ck_assert_int_eq(po_message_from_json(o, &m, err, sizeof err), 0);
	ck_assert_str_eq(m.message, "m");
	ck_assert_str_eq(m.title, "t");
	ck_assert_str_eq(m.url, "u");
	ck_assert_str_eq(m.url_title, "ut");
	ck_assert_str_eq(m.sound, "s");
	ck_assert_int_eq(m.priority, -2);
	ck_assert_int_eq(m.html, 1);
	json_decref(o);
	o = json_loads("{\"message\":\"only\"}", 0, NULL);
	m = (struct po_message){ .title = "default", .priority = 1, .has_priority = 1 };
	ck_assert_int_eq(po_message_from_json(o, &m, err, sizeof err), 0);
	ck_assert_str_eq(m.title, "default"); /* absent keys keep the defaults */
	ck_assert_int_eq(m.priority, 1);
	json_decref(o);
}
END_TEST

START_TEST(test_header_lookup)
{
	char hdr[] = "HTTP/1.1 429 Too Many Requests\r\nx-limit-app-remaining:  0 \r\nRetry-After: 2\r\n\r\n";
	struct http_reply r = { .status = 429, .headers = hdr, .hlen = sizeof hdr - 1, .body = "" };
	char buf[16];

	ck_assert_str_eq(http_header(&r, "X-Limit-App-Remaining", buf, sizeof buf), "0");
	ck_assert_str_eq(http_header(&r, "retry-after", buf, sizeof buf), "2");
	ck_assert_ptr_null(http_header(&r, "Retry", buf, sizeof buf));
	ck_assert_double_eq(http_backoff(3, 1, 60, &r), 2); /* Retry-After wins */
	ck_assert_double_eq(http_backoff(1, 0.5, 60, NULL), 0.5);
	ck_assert_double_eq(http_backoff(4, 0.5, 60, NULL), 4);
	ck_assert_double_eq(http_backoff(20, 0.5, 60, NULL), 60);
}
END_TEST

START_TEST(test_verdict)
{
	struct http_reply r = { 0 };

	r.status = 200;
	ck_assert_int_eq(http_verdict(0, &r), HTTP_DONE);
	r.status = 503;
	ck_assert_int_eq(http_verdict(0, &r), HTTP_RETRY);
	r.status = 408;
	ck_assert_int_eq(http_verdict(0, &r), HTTP_RETRY);
	r.status = 400;
	ck_assert_int_eq(http_verdict(0, &r), HTTP_FINAL);
	r.status = 0;
	r.curl_code = CURLE_OPERATION_TIMEDOUT;
	ck_assert_int_eq(http_verdict(-1, &r), HTTP_RETRY);
	r.curl_code = CURLE_RECV_ERROR;
	ck_assert_int_eq(http_verdict(-1, &r), HTTP_RETRY);
	r.curl_code = CURLE_UNSUPPORTED_PROTOCOL;
	ck_assert_int_eq(http_verdict(-1, &r), HTTP_FINAL);
}
END_TEST

/* ---- Errors ---- */

START_TEST(test_message_errors)
{
	static const struct { const char *json, *want; } cases[] = {
		{ "{}", "message: missing or empty" },
		{ "{\"message\":\"\"}", "message: missing or empty" },
		{ "{\"message\":3}", "message: not a string" },
		{ "{\"message\":\"m\",\"title\":false}", "title: not a string" },
		{ "{\"message\":\"m\",\"priority\":3}", "priority: not an integer from -2 to 2" },
		{ "{\"message\":\"m\",\"priority\":\"1\"}", "priority: not an integer from -2 to 2" },
		{ "{\"message\":\"m\",\"html\":2}", "html: not a boolean" },
	};
	struct po_message m;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *o = json_loads(cases[i].json, 0, NULL);

		memset(&m, 0, sizeof m);
		ck_assert_int_eq(po_message_from_json(o, &m, err, sizeof err), EX_DATAERR);
		ck_assert_str_eq(err, cases[i].want);
		json_decref(o);
	}
}
END_TEST

START_TEST(test_transport_failure)
{
	struct http_field f[] = { { "a", "1" } };
	struct http_reply r;

	/* a scheme libcurl is told not to speak: final, without touching the network */
	ck_assert_int_eq(http_post_form("file:///etc/hostname", f, 1, 1, &r), -1);
	ck_assert_int_eq(http_verdict(-1, &r), HTTP_FINAL);
	ck_assert_str_ne(r.error, "");
	ck_assert_str_eq(r.body, "");
	http_reply_free(&r);
}
END_TEST

START_TEST(test_limited_without_request)
{
	struct po_client c;
	struct po_message m = { .message = "x" };

	po_client_init(&c);
	c.api_url = "http://127.0.0.1:9/never";
	c.remaining = 0;
	c.reset = 4102444800LL; /* 2100-01-01 */
	ck_assert_int_eq(po_send(&c, &m), PO_LIMITED);
	ck_assert_int_eq(c.attempts, 0);
	ck_assert_str_eq(c.error, "message quota spent: no message remains until 2100-01-01T00:00:00Z");
}
END_TEST

/* ---- Limits ---- */

START_TEST(test_truncate_limits)
{
	char *big = malloc(4 * 3000 + 1), *s;
	size_t i;

	for (i = 0; i < 3000; i++)
		memcpy(big + 4 * i, "\xf0\x9f\x93\x88", 4);
	big[4 * 3000] = '\0';
	s = po_truncate(big, PO_MESSAGE_MAX);
	ck_assert_uint_eq(po_chars(s), PO_MESSAGE_MAX);
	ck_assert_uint_eq(strlen(s), 4 * (PO_MESSAGE_MAX - 1) + 3);
	free(s);
	s = po_truncate(big, 1);
	ck_assert_str_eq(s, PO_MARKER);
	free(s);
	free(big);
}
END_TEST

static Suite *
pushover_suite(void)
{
	Suite *s = suite_create("pushover");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");

	tcase_add_test(core, test_chars);
	tcase_add_test(core, test_truncate);
	tcase_add_test(core, test_message_from_json);
	tcase_add_test(core, test_header_lookup);
	tcase_add_test(core, test_verdict);
	tcase_add_test(errors, test_message_errors);
	tcase_add_test(errors, test_transport_failure);
	tcase_add_test(errors, test_limited_without_request);
	tcase_add_test(limits, test_truncate_limits);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pushover_suite());
	int failed;

	http_init();
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
