/* libFuzzer target for the key resolver (store_key_check, store_bucket_check, store_resolve): whatever the
 * input, a key is accepted exactly when an independent reference of the rules accepts it (sti-store(7): no
 * empty, '.' or '..' segment, no leading '/', no backslash, no control character), and an accepted key
 * resolves to a location that stays inside its root on every backend. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The rules, written again from the spec without sharing code: split on '/', look at every segment. */
static int
ref_ok(const char *s, int prefix)
{
	size_t n = strlen(s), start = 0, nseg = 0;

	if (n == 0)
		return prefix;
	if (s[0] == '/')
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f || s[i] == '\\')
			return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '/')
			continue;
		size_t len = i - start;
		int last = i == n;

		nseg++;
		if (len == 0 && !(last && prefix && nseg > 1))
			return 0;
		if ((len == 1 && s[start] == '.') || (len == 2 && s[start] == '.' && s[start + 1] == '.'))
			return 0;
		start = i + 1;
	}
	return 1;
}

/* Whether path, resolved lexically under root, stays under root (every ".." matched inside it). */
static void
check_inside(const char *path, const char *root)
{
	size_t rn = strlen(root);
	long depth = 0;
	const char *p;

	if (strncmp(path, root, rn) != 0 || path[rn] != '/')
		abort();
	for (p = path + rn + 1; *p != '\0';) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.')
			depth--;
		else if (!(len == 0 || (len == 1 && p[0] == '.')))
			depth++;
		if (depth < 0)
			abort(); /* climbed out of root */
		if (e == NULL)
			break;
		p = e + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const roots[] = { "/srv/store", "file:///srv/store", "s3://bkt/pre", "s3://bkt" };
	char err[S3_ERRLEN], *s;
	store_loc loc;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (int prefix = 0; prefix <= 1; prefix++) {
		int got = store_key_check(s, prefix ? STORE_KEY_PREFIX : 0, err, sizeof err) == 0;

		if (got != ref_ok(s, prefix))
			abort();
		if (!got)
			for (const char *e = err; *e != '\0'; e++) /* the message never carries a control character */
				if ((unsigned char)*e < 0x20 || *e == 0x7f)
					abort();
	}
	/* the input as a store key under each root (explicit paths and URLs are the caller's own) */
	if (strncmp(s, "s3://", 5) != 0 && strncmp(s, "file://", 7) != 0 && s[0] != '/' && strncmp(s, "./", 2) != 0 &&
	    strncmp(s, "../", 3) != 0 && strcmp(s, ".") != 0 && strcmp(s, "..") != 0) {
		for (size_t r = 0; r < sizeof roots / sizeof roots[0]; r++) {
			int rc = store_resolve(s, roots[r], &loc, err, sizeof err);

			if ((rc == 0) != ref_ok(s, 1))
				abort();
			if (rc != 0)
				continue;
			if (loc.is_s3) {
				if (strcmp(loc.bucket, "bkt") != 0 || !ref_ok(loc.key, 1) ||
				    strcmp(loc.key + loc.base, s) != 0)
					abort();
			} else {
				check_inside(loc.key, "/srv/store");
				if (strcmp(loc.key + loc.base, s) != 0)
					abort();
			}
			store_loc_free(&loc);
		}
	}
	/* the input as an s3:// URL: an accepted one names a checked bucket and a key that passes the rules */
	if (size < 4096) {
		char *url = malloc(size + 6);

		if (url != NULL) {
			sprintf(url, "s3://%s", s);
			if (store_resolve(url, NULL, &loc, err, sizeof err) == 0) {
				if (store_bucket_check(loc.bucket, err, sizeof err) != 0 || !ref_ok(loc.key, 1) ||
				    strchr(loc.bucket, '/') != NULL)
					abort();
				store_loc_free(&loc);
			}
			free(url);
		}
	}
	free(s);
	return 0;
}
