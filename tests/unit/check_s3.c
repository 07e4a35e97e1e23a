/* Unit tests for s3 (URLs, encoding, content types, XML) and store (resolving locations). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* AWS's worked example of a presigned URL (S3 API Reference, "Authenticating Requests: Using Query
 * Parameters (AWS Signature Version 4)", "An Example"): GET examplebucket/test.txt, 2013-05-24T00:00:00Z,
 * 86400 s, us-east-1, the documentation's key pair; the published URL and signature. */
START_TEST(test_presign_aws_example)
{
	char err[S3_ERRLEN], *u = NULL;

	ck_assert_int_eq(s3_presign_url("https://examplebucket.s3.amazonaws.com/test.txt", "us-east-1",
	    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL, 1369353600, 86400, &u, err,
	    sizeof err), 0);
	ck_assert_str_eq(u, "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
	    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
	    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
	free(u);
}
END_TEST

/* Debian's botocore (python3-botocore) presigning the same object at a frozen time: its
 * generate_presigned_url is the independent implementation. Prints the URL. */
static const char botocore_py[] =
	"import sys, datetime\n"
	"from unittest import mock\n"
	"import botocore.session\n"
	"from botocore.config import Config\n"
	"ep, style, region, ak, sk, tok, bucket, key, expires, epoch = sys.argv[1:11]\n"
	"c = botocore.session.get_session().create_client('s3', region_name=region, endpoint_url=ep,\n"
	"    aws_access_key_id=ak, aws_secret_access_key=sk, aws_session_token=tok or None,\n"
	"    config=Config(signature_version='s3v4', s3={'addressing_style': style}))\n"
	"now = datetime.datetime.utcfromtimestamp(int(epoch))\n"
	"mods = ['botocore.auth.datetime']\n"
	"try:\n"
	"    import botocore.crt.auth\n"
	"    mods.append('botocore.crt.auth.datetime')\n"
	"except ImportError:\n"
	"    pass\n"
	"ps = [mock.patch(m) for m in mods]\n"
	"for p in ps:\n"
	"    d = p.start()\n"
	"    d.datetime.utcnow.return_value = now\n"
	"    d.timezone = datetime.timezone\n"
	"print(c.generate_presigned_url('get_object', Params={'Bucket': bucket, 'Key': key},\n"
	"    ExpiresIn=int(expires)))\n";

/* Run /usr/bin/python3 -c botocore_py with args; its first line into out. */
static void
botocore_presign(char *const args[10], char *out, size_t outlen)
{
	int fd[2], status;
	pid_t pid;
	FILE *fp;
	char *argv[14] = { "/usr/bin/python3", "-c", (char *)botocore_py }; /* NULL-terminated */

	for (int i = 0; i < 10; i++)
		argv[3 + i] = args[i];
	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fd[1]);
	fp = fdopen(fd[0], "r");
	out[0] = '\0';
	if (fgets(out, (int)outlen, fp) != NULL)
		out[strcspn(out, "\n")] = '\0';
	fclose(fp);
	waitpid(pid, &status, 0);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "botocore failed (python3-botocore missing?)");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The URL with its query parameters sorted: the order of parameters carries no meaning (botocore's CRT
 * signer writes them in another order than its Python one). */
static void
sorted_url(const char *url, char *out, size_t outlen)
{
	char *copy = strdup(url), *q = strchr(copy, '?'), *parts[16], *save = NULL;
	size_t n = 0;

	ck_assert_ptr_nonnull(q);
	*q++ = '\0';
	for (char *p = strtok_r(q, "&", &save); p != NULL && n < 16; p = strtok_r(NULL, "&", &save))
		parts[n++] = p;
	qsort(parts, n, sizeof *parts, cmp_str);
	snprintf(out, outlen, "%s", copy);
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), outlen - strlen(out), "%c%s", i ? '&' : '?', parts[i]);
	free(copy);
}

START_TEST(test_presign_botocore)
{
	static const struct {
		const char *endpoint, *style, *region, *token, *bucket, *key, *expires;
	} cases[] = {
		/* path style on a custom endpoint with a port, as the tests' s3rver */
		{ "http://127.0.0.1:9000", "path", "us-east-1", NULL, "bkt", "dashboards/live/index.html", "300" },
		/* virtual-hosted AWS, keys that need encoding, the longest expiry */
		{ NULL, "virtual", "eu-west-1", NULL, "my-bucket", "a b+c=d/ünï~%.html", "604800" },
		/* temporary credentials: the token is signed as X-Amz-Security-Token */
		{ NULL, "virtual", "ap-southeast-2", "FQoGZXIvYXdzE/tok+en==", "my-bucket", "k.csv", "3600" },
	};
	const char *ak = "AKIDEXAMPLE", *sk = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char ep[128], err[S3_ERRLEN], want[2048], a[2048], b[2048], *u = NULL;
		s3_config c = cfg(cases[i].endpoint, cases[i].region);
		char *args[10];

		/* botocore wants the regional endpoint named to use it for a virtual-hosted URL */
		snprintf(ep, sizeof ep, "%s", cases[i].endpoint ? cases[i].endpoint : "");
		if (cases[i].endpoint == NULL)
			snprintf(ep, sizeof ep, "https://s3.%s.amazonaws.com", cases[i].region);
		args[0] = ep;
		args[1] = (char *)cases[i].style;
		args[2] = (char *)cases[i].region;
		args[3] = (char *)ak;
		args[4] = (char *)sk;
		args[5] = (char *)(cases[i].token ? cases[i].token : "");
		args[6] = (char *)cases[i].bucket;
		args[7] = (char *)cases[i].key;
		args[8] = (char *)cases[i].expires;
		args[9] = "1764763200"; /* 2025-12-03T12:00:00Z */
		botocore_presign(args, want, sizeof want);
		c.access_key = (char *)ak;
		c.secret_key = (char *)sk;
		c.session_token = (char *)cases[i].token;
		ck_assert_int_eq(s3_presign(&c, cases[i].bucket, cases[i].key, atol(cases[i].expires), 1764763200, &u,
		    err, sizeof err), 0);
		sorted_url(want, a, sizeof a);
		sorted_url(u, b, sizeof b);
		ck_assert_str_eq(b, a);
		free(u);
	}
}
END_TEST

START_TEST(test_presign_range)
{
	s3_config c = cfg(NULL, "us-east-1");
	char err[S3_ERRLEN], *u = (char *)"x";

	c.access_key = "AK";
	c.secret_key = "SK";
	/* S3 refuses X-Amz-Expires above 604800 (7 days) and a URL must live at least a second */
	ck_assert_int_eq(s3_presign(&c, "b", "k", 0, 0, &u, err, sizeof err), 64);
	ck_assert_ptr_null(u);
	ck_assert_int_eq(s3_presign(&c, "b", "k", S3_PRESIGN_MAX + 1, 0, &u, err, sizeof err), 64);
	ck_assert_int_eq(s3_presign(&c, "b", "k", S3_PRESIGN_MAX, 0, &u, err, sizeof err), 0);
	ck_assert(strstr(u, "X-Amz-Expires=604800&") != NULL);
	free(u);
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
	tcase_add_test(core, test_presign_aws_example);
	tcase_add_test(core, test_presign_botocore);
	tcase_add_test(errors, test_presign_range);
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
