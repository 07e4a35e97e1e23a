/* store: one API for the local store and S3, so that every tool reads and writes the store the same way.
 *
 * A location is written as
 *   s3://bucket/key        an object on S3 (or on AWS_ENDPOINT_URL's server)
 *   file:///abs/path       a local file
 *   /abs/path, ./rel, ../rel   a local file
 *   anything else          a key in the store: STI_STORE (or --store), itself s3://bucket/prefix or a
 *                          directory, ./var/store when nothing is set
 * Local writes are atomic (a temporary in the same directory, fsync, rename): a reader, and a concurrent
 * writer of the same key, see the old file or a whole new one. Functions return 0 or a sysexits.h code
 * with a message in err (S3_ERRLEN bytes is enough).
 *
 * Keys stay inside: an S3 key (of an s3:// URL, of a store rooted on S3, or listed by a server) and a store
 * key (which becomes a path under a local root) must pass store_key_check; anything else is EX_USAGE, on
 * every backend, before any request or file operation. Explicit local paths (/abs, ./rel, ../rel,
 * file://) are the caller's own paths and are taken as they are. */
#ifndef STI_STORE_H
#define STI_STORE_H

#include <stdio.h>

#include "s3.h"

#define STORE_DEFAULT_ROOT "./var/store"

typedef struct store_loc {
	int is_s3;    /* 1: bucket/key on S3; 0: the local file `key` */
	char *bucket; /* S3 bucket, NULL when local */
	char *key;    /* S3 key, or local path */
	size_t base;  /* leading bytes of key that are the store's root: listings show keys without them */
} store_loc;

#define STORE_KEY_PREFIX 1 /* store_key_check: a prefix, which may be empty or end with '/' */

/* Check that key is a safe key: not empty, no leading '/', no empty segment ("a//b", a trailing '/'),
 * no segment "." or "..", no backslash, no control character (bytes 0x00-0x1f and 0x7f). With
 * STORE_KEY_PREFIX, "" and one trailing '/' are allowed (a listing's prefix). Returns 0, or EX_USAGE with
 * the reason in err ("KEY: ..."). This function can't fail otherwise. */
int store_key_check(const char *key, int flags, char *err, size_t errlen);

/* Check an S3 bucket name: 1 to 255 bytes of A-Z a-z 0-9 . - _, and not "." or "..". Returns 0 or
 * EX_USAGE with the reason in err. */
int store_bucket_check(const char *bucket, char *err, size_t errlen);

/* The store root: root if not NULL, else STI_STORE, else STORE_DEFAULT_ROOT. This function can't fail. */
const char *store_root(const char *root);

/* Resolve url (see above) against the store root (store_root(root)). Returns 0, or EX_USAGE for a
 * malformed URL (s3:// without a bucket or with a bad one) or a key that fails store_key_check (checked
 * as a prefix: "" and a trailing '/' pass here, store_put and store_get refuse them). A store rooted on
 * s3://bucket/prefix checks prefix/key as a whole. Free with store_loc_free. */
int store_resolve(const char *url, const char *root, store_loc *loc, char *err, size_t errlen);
void store_loc_free(store_loc *loc);

/* mkdir -p of the directory part of path (everything before its last '/'). Returns 0, or -1 with errno. */
int store_make_parents(const char *path);

/* Copy in (to EOF) into the location, atomically. s3 may be NULL: then, when loc is on S3, the
 * configuration comes from the environment (s3_config_load). meta (may be NULL) gives an S3 object its
 * Content-Type (NULL: from the key's extension) and Cache-Control; a local file has neither. *written
 * (may be NULL) gets the bytes stored. */
int store_put(const store_loc *loc, const s3_config *s3, FILE *in, const s3_meta *meta,
    long long *written, char *err, size_t errlen);

/* Copy the location to out; *got (may be NULL) gets the bytes written. A missing key is EX_NOINPUT. */
int store_get(const store_loc *loc, const s3_config *s3, FILE *out, long long *got, char *err, size_t errlen);

/* Call fn for every key that starts with the location's key, in byte order. Local entries have an empty
 * etag; a writer's temporary files are not listed. A listed key that fails store_key_check (a server's
 * "logs/../../x", a local file name with a backslash or a control character) is never passed to fn: it
 * is skipped with a warning on stderr. fn returns nonzero to stop (returned as is). */
int store_list(const store_loc *loc, const s3_config *s3, int (*fn)(void *arg, const s3_object *o), void *arg,
    char *err, size_t errlen);

typedef struct store_stale {
	const char *what;      /* "upload" (an S3 multipart upload) or "temporary" (a local writer's file) */
	const char *key;       /* its key, or local path */
	const char *upload_id; /* S3 only, else NULL */
	const char *since;     /* when it was started (ISO 8601) */
} store_stale;

/* Remove what killed writers left under the location's key, when older than age_s seconds: on S3 the
 * multipart uploads in progress (ListMultipartUploads, then AbortMultipartUpload: their parts go), in a
 * local store the writers' temporaries (NAME.tmp.XXXXXX). Younger ones may belong to a writer at work and
 * are left alone. fn (may be NULL) hears of each removal; nonzero stops (returned as is). */
int store_clean(const store_loc *loc, const s3_config *s3, long long age_s, int (*fn)(void *arg, const store_stale *st),
    void *arg, char *err, size_t errlen);

/* Shorthands for other tools: resolve url against STI_STORE and put from / get to a stream. */
int store_put_url(const char *url, FILE *in, char *err, size_t errlen);
int store_get_url(const char *url, FILE *out, char *err, size_t errlen);

#endif
