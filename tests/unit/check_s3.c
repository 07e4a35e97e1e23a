/* Unit tests for s3 (URLs, encoding, content types, XML) and store (resolving locations). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "s3.h"
#include "s3_impl.h"
#include "store.h"

static s3_config
cfg(const char *endpoint, const char *region)
{
	s3_config c = { 0 };

	c.endpoint = (char *)endpoint;
	c.region = (char *)region;
	return c;
}

START_TEST(test_uri_encode)
{
	char *s = s3_uri_encode("a b+c=d%e/ü~_.-", 1);

	ck_assert_str_eq(s, "a%20b%2Bc%3Dd%25e/%C3%BC~_.-");
	free(s);
	s = s3_uri_encode("a/b", 0);
	ck_assert_str_eq(s, "a%2Fb");
	free(s);
}
END_TEST

START_TEST(test_url_styles)
{
	s3_config c = cfg(NULL, "eu-west-1");
	char *u = s3_url(&c, "my-bucket", "data/a b.csv", NULL);

	ck_assert_str_eq(u, "https://my-bucket.s3.eu-west-1.amazonaws.com/data/a%20b.csv");
	free(u);
	u = s3_url(&c, "my.dotted.bucket", "k", "uploads=");
	ck_assert_str_eq(u, "https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k?uploads=");
	free(u);
	u = s3_url(&c, "my-bucket", NULL, "list-type=2&prefix=");
	ck_assert_str_eq(u, "https://my-bucket.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=");
	free(u);
	c = cfg("http://127.0.0.1:9000", "us-east-1");
	u = s3_url(&c, "b", "x/y", NULL);
	ck_assert_str_eq(u, "http://127.0.0.1:9000/b/x/y");
	free(u);
	u = s3_url(&c, "b", NULL, "list-type=2&prefix=x");
	ck_assert_str_eq(u, "http://127.0.0.1:9000/b?list-type=2&prefix=x");
	free(u);
}
END_TEST

/* A bucket found in another region: AWS hosts move, virtual-hosted and path style; custom endpoints stay. */
START_TEST(test_url_in_region)
{
	static const char *const cases[][2] = {
		{ "https://b.s3.us-east-1.amazonaws.com/k/s3.us-east-1.amazonaws.com/x",
		    "https://b.s3.eu-west-1.amazonaws.com/k/s3.us-east-1.amazonaws.com/x" },
		{ "https://s3.us-east-1.amazonaws.com/my.bucket/k?uploads=",
		    "https://s3.eu-west-1.amazonaws.com/my.bucket/k?uploads=" },
		{ "https://b.s3.us-east-1.amazonaws.com/?list-type=2&prefix=",
		    "https://b.s3.eu-west-1.amazonaws.com/?list-type=2&prefix=" },
		{ "http://127.0.0.1:9000/b/k", "http://127.0.0.1:9000/b/k" },
		{ "https://b.s3.ap-south-1.amazonaws.com/k", "https://b.s3.ap-south-1.amazonaws.com/k" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *u = s3_url_in_region(cases[i][0], "us-east-1", "eu-west-1");

		ck_assert_str_eq(u, cases[i][1]);
		free(u);
	}
}
END_TEST

START_TEST(test_content_type)
{
	ck_assert_str_eq(s3_content_type("dashboards/live/index.html"), "text/html; charset=utf-8");
	ck_assert_str_eq(s3_content_type("a/prices.CSV"), "text/csv; charset=utf-8");
	ck_assert_str_eq(s3_content_type("m.json"), "application/json");
	ck_assert_str_eq(s3_content_type("o.ndjson"), "application/x-ndjson");
	ck_assert_str_eq(s3_content_type("notes.txt"), "text/plain; charset=utf-8");
	ck_assert_str_eq(s3_content_type("dir.csv/blob"), "binary/octet-stream");
	ck_assert_str_eq(s3_content_type("noext"), "binary/octet-stream");
}
END_TEST

START_TEST(test_xml)
{
	const char *x = "<R><Contents><Key>a&amp;b &lt;&#x263A;&#65;</Key></Contents><Contents><Key>c</Key>"
			"</Contents><IsTruncated>false</IsTruncated></R>";
	size_t pos = 0;
	char *v = s3_xml_take(x, strlen(x), &pos, "Key");

	ck_assert_str_eq(v, "a&b <\xE2\x98\xBA" "A");
	free(v);
	v = s3_xml_take(x, strlen(x), &pos, "Key");
	ck_assert_str_eq(v, "c");
	free(v);
	ck_assert_ptr_null(s3_xml_take(x, strlen(x), &pos, "Key"));
	pos = 0;
	ck_assert_ptr_null(s3_xml_take("<Key>unterminated", 17, &pos, "Key"));
}
END_TEST

START_TEST(test_resolve)
{
	char err[S3_ERRLEN];
	store_loc l;

	ck_assert_int_eq(store_resolve("s3://b/k/x.csv", NULL, &l, err, sizeof err), 0);
	ck_assert(l.is_s3);
	ck_assert_str_eq(l.bucket, "b");
	ck_assert_str_eq(l.key, "k/x.csv");
	store_loc_free(&l);
	ck_assert_int_eq(store_resolve("data/p.csv", "s3://bk/pre", &l, err, sizeof err), 0);
	ck_assert_str_eq(l.key, "pre/data/p.csv");
	ck_assert_str_eq(l.key + l.base, "data/p.csv");
	store_loc_free(&l);
	ck_assert_int_eq(store_resolve("data/p.csv", "/srv/store/", &l, err, sizeof err), 0);
	ck_assert(!l.is_s3);
	ck_assert_str_eq(l.key, "/srv/store/data/p.csv");
	store_loc_free(&l);
	ck_assert_int_eq(store_resolve("file:///tmp/x", "/srv", &l, err, sizeof err), 0);
	ck_assert_str_eq(l.key, "/tmp/x");
	store_loc_free(&l);
	ck_assert_int_eq(store_resolve("./rel", "/srv", &l, err, sizeof err), 0);
	ck_assert_str_eq(l.key, "./rel");
	store_loc_free(&l);
}
END_TEST

START_TEST(test_resolve_errors)
{
	char err[S3_ERRLEN];
	store_loc l;

	ck_assert_int_eq(store_resolve("s3:///k", NULL, &l, err, sizeof err), 64);
	ck_assert_int_eq(store_resolve("a/../../b", "/srv", &l, err, sizeof err), 64);
	ck_assert_int_eq(store_resolve("file://", "/srv", &l, err, sizeof err), 64);
	ck_assert_int_eq(store_resolve("..x/ok..", "/srv", &l, err, sizeof err), 0);
	store_loc_free(&l);
}
END_TEST

/* Keys stay inside (issue 14, ARCHITECTURE.md "The store"): a key never holds "..", "." or empty segments,
 * a leading '/', a backslash or a control character, whatever the backend. */
START_TEST(test_key_check)
{
	static const char *const bad[] = { "..", ".", "a/..", "../a", "a/../b", "a/./b", "./a", "a/.", "/a", "a//b",
		"a/", "//", "a\\b", "\\", "a\tb", "a\nb", "a\x7f", "a\x01b", "logs/../../../tmp/x", "" };
	static const char *const good[] = { "a", "a/b", "..a", "a..", "a/...", ".a/b.", "a/.hidden", "x/y/z.csv",
		"ünï/ключ", "with space/+=%" };
	static const char *const prefixes[] = { "", "a/", "trading/2026-11-2", "a/b/" };
	static const char *const bad_prefixes[] = { "a//", "/", "../", "a/../", "a/..", "a\\" };
	char err[S3_ERRLEN];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_msg(store_key_check(bad[i], 0, err, sizeof err) == 64, "accepted '%s'", bad[i]);
		for (const char *e = err; *e; e++)
			ck_assert_msg((unsigned char)*e >= 0x20 && *e != 0x7f, "control character in '%s'", err);
	}
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(store_key_check(good[i], 0, err, sizeof err) == 0, "refused '%s': %s", good[i], err);
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		ck_assert_msg(store_key_check(prefixes[i], STORE_KEY_PREFIX, err, sizeof err) == 0, "refused prefix '%s'",
		    prefixes[i]);
	for (size_t i = 0; i < sizeof bad_prefixes / sizeof bad_prefixes[0]; i++)
		ck_assert_msg(store_key_check(bad_prefixes[i], STORE_KEY_PREFIX, err, sizeof err) == 64,
		    "accepted prefix '%s'", bad_prefixes[i]);
}
END_TEST

/* Every backend refuses them: s3:// URLs (bucket and key), store keys on an S3 root and on a local root. */
START_TEST(test_resolve_keys_inside)
{
	static const char *const urls[] = { "s3://bkt/../victim/x", "s3://bkt/a/./b", "s3://bkt//x", "s3://../x",
		"s3://b\\c/x", "s3://bkt/a\\b", "s3://bkt/a\rb" };
	static const char *const keys[] = { "logs/../../../tmp/x", "a/./b", "a//b", "a\\b", "a\x1b[2Jb" };
	static const char *const roots[] = { "s3://bkt/pre", "s3://bkt", "/srv/store", "file:///srv/store" };
	char err[S3_ERRLEN];
	store_loc l;

	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++)
		ck_assert_msg(store_resolve(urls[i], NULL, &l, err, sizeof err) == 64, "accepted %s", urls[i]);
	for (size_t r = 0; r < sizeof roots / sizeof roots[0]; r++)
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			ck_assert_msg(store_resolve(keys[i], roots[r], &l, err, sizeof err) == 64, "accepted %s on %s",
			    keys[i], roots[r]);
	/* a root whose own prefix climbs out */
	ck_assert_int_eq(store_resolve("data/x", "s3://bkt/a/../b", &l, err, sizeof err), 64);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("s3");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors");
	SRunner *sr;
	int nfail;

	tcase_add_test(core, test_uri_encode);
	tcase_add_test(core, test_url_styles);
	tcase_add_test(core, test_url_in_region);
	tcase_add_test(core, test_content_type);
	tcase_add_test(core, test_xml);
	tcase_add_test(core, test_resolve);
	tcase_add_test(errors, test_resolve_errors);
	tcase_add_test(errors, test_key_check);
	tcase_add_test(errors, test_resolve_keys_inside);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
