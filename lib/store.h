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
 * with a message in err (S3_ERRLEN bytes is enough). */
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

/* The store root: root if not NULL, else STI_STORE, else STORE_DEFAULT_ROOT. This function can't fail. */
const char *store_root(const char *root);

/* Resolve url (see above) against the store root (store_root(root)). Returns 0, or EX_USAGE for a
 * malformed URL (s3:// without a bucket, a local key with a ".." component). Free with store_loc_free. */
int store_resolve(const char *url, const char *root, store_loc *loc, char *err, size_t errlen);
void store_loc_free(store_loc *loc);

/* Copy in (to EOF) into the location, atomically. s3 may be NULL: then, when loc is on S3, the
 * configuration comes from the environment (s3_config_load). content_type NULL: guessed from the key.
 * *written (may be NULL) gets the bytes stored. */
int store_put(const store_loc *loc, const s3_config *s3, FILE *in, const char *content_type,
    long long *written, char *err, size_t errlen);

/* Copy the location to out; *got (may be NULL) gets the bytes written. A missing key is EX_NOINPUT. */
int store_get(const store_loc *loc, const s3_config *s3, FILE *out, long long *got, char *err, size_t errlen);

/* Call fn for every key that starts with the location's key, in byte order. Local entries have an empty
 * etag; a writer's temporary files are not listed. fn returns nonzero to stop (returned as is). */
int store_list(const store_loc *loc, const s3_config *s3, int (*fn)(void *arg, const s3_object *o), void *arg,
    char *err, size_t errlen);

/* Shorthands for other tools: resolve url against STI_STORE and put from / get to a stream. */
int store_put_url(const char *url, FILE *in, char *err, size_t errlen);
int store_get_url(const char *url, FILE *out, char *err, size_t errlen);

#endif
