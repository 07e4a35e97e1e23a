/* Unit tests for http: the one retry policy every HTTP client of the suite uses (pushover and s3).
 * Expectations: RFC 9110 (5xx server errors, 408 Request Timeout: the client may repeat the request),
 * RFC 6585 section 4 (429 Too Many Requests: retry later), the AWS SDKs' retry behaviour (connection errors,
 * timeouts, 500/502/503/504 and throttling are transient; other 4xx are not), and libcurl's error codes
 * (libcurl-errors(3): which ones name a transport failure and which a local or request error). */
#include <check.h>
#include <curl/curl.h>
#include <stdlib.h>

#include "http.h"

static const struct {
	int curl;
	long status;
	int retry;
} cases[] = {
	{ CURLE_OK, 500, 1 }, { CURLE_OK, 502, 1 }, { CURLE_OK, 503, 1 }, { CURLE_OK, 504, 1 },
	{ CURLE_OK, 408, 1 }, { CURLE_OK, 429, 1 },
	{ CURLE_OK, 400, 0 }, { CURLE_OK, 401, 0 }, { CURLE_OK, 403, 0 }, { CURLE_OK, 404, 0 },
	{ CURLE_OK, 409, 0 }, { CURLE_OK, 412, 0 }, { CURLE_OK, 301, 0 }, { CURLE_OK, 200, 0 },
	/* transport failures a later attempt can cure */
	{ CURLE_COULDNT_RESOLVE_HOST, 0, 1 }, { CURLE_COULDNT_RESOLVE_PROXY, 0, 1 }, { CURLE_COULDNT_CONNECT, 0, 1 },
	{ CURLE_OPERATION_TIMEDOUT, 0, 1 }, { CURLE_SEND_ERROR, 0, 1 }, { CURLE_RECV_ERROR, 0, 1 },
	{ CURLE_GOT_NOTHING, 0, 1 }, { CURLE_PARTIAL_FILE, 0, 1 }, { CURLE_SSL_CONNECT_ERROR, 0, 1 },
	{ CURLE_HTTP2, 0, 1 }, { CURLE_HTTP2_STREAM, 0, 1 },
	/* our side or the request itself: another attempt fails the same way */
	{ CURLE_URL_MALFORMAT, 0, 0 }, { CURLE_UNSUPPORTED_PROTOCOL, 0, 0 }, { CURLE_OUT_OF_MEMORY, 0, 0 },
	{ CURLE_WRITE_ERROR, 0, 0 }, { CURLE_READ_ERROR, 0, 0 }, { CURLE_ABORTED_BY_CALLBACK, 0, 0 },
	{ CURLE_PEER_FAILED_VERIFICATION, 0, 0 }, { CURLE_SSL_CACERT_BADFILE, 0, 0 }, { CURLE_LOGIN_DENIED, 0, 0 },
	{ CURLE_FAILED_INIT, 0, 0 }, { CURLE_TOO_MANY_REDIRECTS, 0, 0 }, { CURLE_BAD_FUNCTION_ARGUMENT, 0, 0 },
};

START_TEST(test_retryable)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ck_assert_msg(http_retryable(cases[i].curl, cases[i].status) == cases[i].retry,
		    "curl %d, HTTP %ld: want %s", cases[i].curl, cases[i].status, cases[i].retry ? "retry" : "final");
}
END_TEST

/* http_verdict is the same policy on a reply: done on 2xx, else retry or final as above. */
START_TEST(test_verdict)
{
	struct http_reply r = { 0 };

	r.status = 204;
	ck_assert_int_eq(http_verdict(0, &r), HTTP_DONE);
	r.status = 503;
	ck_assert_int_eq(http_verdict(0, &r), HTTP_RETRY);
	r.status = 429;
	ck_assert_int_eq(http_verdict(0, &r), HTTP_RETRY);
	r.status = 422;
	ck_assert_int_eq(http_verdict(0, &r), HTTP_FINAL);
	r.status = 0;
	r.curl_code = CURLE_COULDNT_CONNECT;
	ck_assert_int_eq(http_verdict(-1, &r), HTTP_RETRY);
	r.curl_code = CURLE_URL_MALFORMAT;
	ck_assert_int_eq(http_verdict(-1, &r), HTTP_FINAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("retry");
	SRunner *sr;
	int nfail;

	tcase_add_test(tc, test_retryable);
	tcase_add_test(tc, test_verdict);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
