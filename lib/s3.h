/* s3: objects on AWS S3 and S3-compatible servers, over libcurl.
 *
 * Requests are signed with libcurl's own AWS Signature V4 (CURLOPT_AWS_SIGV4); this module adds what
 * Debian 12's libcurl (7.88) leaves out: the x-amz-content-sha256 header, and a query string that is
 * already in canonical (sorted, encoded) form, because 7.88 signs it as given. Bodies are sent from
 * memory so that their SHA-256 is signed: the server checks every byte it stores.
 *
 * Every call retries what the suite's one policy (http_retryable in http.h) calls transient: 5xx, 429,
 * 408, 503 SlowDown, timeouts, stalls and resets; and a 400 whose body was damaged on the way. With
 * exponential backoff and full jitter, at most `retries` times; another 4xx is final and its message carries the S3 error Code
 * and Message. Functions return 0 or a sysexits.h code, with a message in the caller's err buffer:
 * EX_NOINPUT (no such bucket or key), EX_NOPERM (401/403), EX_UNAVAILABLE (other 4xx),
 * EX_TEMPFAIL (retries used up), EX_IOERR (local read/write), EX_DATAERR (a checksum or length that
 * does not match after retries), EX_OSERR (out of memory). Credentials never appear in messages. */
#ifndef STI_S3_H
#define STI_S3_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define S3_ERRLEN 512               /* size of the err buffers below */
#define S3_PART_MIN (5LL << 20)     /* S3's smallest part (all but the last) */
#define S3_PART_MAX (5LL << 30)     /* and largest */
#define S3_PART_DEFAULT (16LL << 20)
#define S3_MAX_PARTS 10000

typedef struct s3_config {
	char *endpoint;      /* "http://127.0.0.1:9000": path-style requests; NULL: AWS virtual-hosted */
	char *region;        /* signing region, "us-east-1" when nothing names one */
	char *access_key;    /* AWS_ACCESS_KEY_ID or the profile's */
	char *secret_key;    /* never printed */
	char *session_token; /* temporary credentials, or NULL */
	long long part_size; /* bytes per multipart part */
	int jobs;            /* parts in flight; memory is jobs x part_size */
	int retries;         /* further attempts after a failed one */
	long timeout;        /* seconds without a byte moving before an attempt is abandoned */
	int progress;        /* 1: a progress line on stderr */
} s3_config;

/* Fill c from the environment and ~/.aws: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (or _FILE),
 * AWS_SESSION_TOKEN, AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL,
 * AWS_PROFILE with
 * AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) and AWS_CONFIG_FILE (~/.aws/config). endpoint, when
 * not NULL, overrides them. Sets defaults for the numeric fields. Returns 0, or EX_NOPERM
 * when no credentials are found (message in err). Free with s3_config_free (also after a failure). */
int s3_config_load(s3_config *c, const char *endpoint, char *err, size_t errlen);
void s3_config_free(s3_config *c);

/* What an object carries besides its bytes. */
typedef struct s3_meta {
	const char *content_type;  /* NULL: from the key's extension (s3_content_type) */
	const char *cache_control; /* Cache-Control, e.g. "max-age=300"; NULL: none */
} s3_meta;

/* Store everything read from in (to EOF) as bucket/key: one PUT when it fits in one part, else a
 * multipart upload with c->jobs parts in flight, each carrying its SHA-256 (signed and as
 * x-amz-checksum-sha256). A failed multipart upload is aborted, so no object and no parts remain. The
 * object appears whole or not at all, with meta's Content-Type and Cache-Control (meta may be NULL: the
 * type from the key's extension, no Cache-Control). *written gets the number of bytes stored. */
int s3_put(const s3_config *c, const char *bucket, const char *key, FILE *in, const s3_meta *meta,
    long long *written, char *err, size_t errlen);

/* Write the object bucket/key to out. An object larger than 2 x c->part_size (with an ETag, and
 * c->jobs > 1) is read as c->part_size ranges, c->jobs at a time, each If-Match that ETag and resumed
 * and retried on its own, and written in order (memory: c->jobs x c->part_size). A transfer that breaks off resumes with a ranged GET of the rest
 * (If-Match the first answer's ETag, so a changed object is never spliced); the length is checked
 * against Content-Length and the MD5 against the ETag when the ETag is one (single-part, not SSE-KMS
 * or SSE-C). Bytes already written to out stay there when it fails; write to a temporary to get
 * all-or-nothing. *got gets the number of bytes written. */
int s3_get(const s3_config *c, const char *bucket, const char *key, FILE *out, long long *got,
    char *err, size_t errlen);

typedef struct s3_object {
	const char *key;           /* the whole key */
	long long size;            /* bytes */
	const char *etag;          /* without quotes */
	const char *last_modified; /* ISO 8601, as the server gives it */
} s3_object;

/* Call fn for every object whose key starts with prefix, in key order, following ListObjectsV2's
 * continuation tokens. fn returns 0 to go on, anything else to stop (s3_list then returns that value). */
int s3_list(const s3_config *c, const char *bucket, const char *prefix,
    int (*fn)(void *arg, const s3_object *o), void *arg, char *err, size_t errlen);

typedef struct s3_upload {
	const char *key;       /* the object the upload would create */
	const char *upload_id;
	const char *initiated; /* ISO 8601, as the server gives it (may be NULL) */
} s3_upload;

/* Call fn for every multipart upload in progress (ListMultipartUploads) whose key starts with prefix,
 * following the key and upload-id markers. fn returns 0 to go on, anything else to stop (returned). */
int s3_list_uploads(const s3_config *c, const char *bucket, const char *prefix,
    int (*fn)(void *arg, const s3_upload *u), void *arg, char *err, size_t errlen);

/* AbortMultipartUpload: its parts are deleted. */
int s3_abort_upload(const s3_config *c, const char *bucket, const char *key, const char *upload_id, char *err,
    size_t errlen);

#define S3_PRESIGN_MAX 604800 /* seconds: the longest a SigV4 presigned URL may live (7 days) */

/* A presigned GET URL for bucket/key (*out, malloc'd): anyone holding it may read the object for expires
 * seconds (1 to S3_PRESIGN_MAX) from now, without credentials. SigV4 in the query string, signed for host
 * only, with an unsigned payload; a session token is carried as X-Amz-Security-Token (and the URL then
 * dies with the token). Returns 0, EX_USAGE for an expiry out of range, EX_OSERR when out of memory. */
int s3_presign(const s3_config *c, const char *bucket, const char *key, long expires, time_t now, char **out,
    char *err, size_t errlen);

/* The same for the object at url ("scheme://host[:port]/encoded/path", no query) signed for region with
 * the given credentials (session_token may be NULL). */
int s3_presign_url(const char *url, const char *region, const char *access_key, const char *secret_key,
    const char *session_token, time_t now, long expires, char **out, char *err, size_t errlen);

/* Ask transfers in progress to stop (safe in a signal handler): they fail with EX_TEMPFAIL, and an
 * upload in progress is aborted. */
void s3_cancel(void);

/* The Content-Type for a key from its extension (html, csv, json, ndjson, txt ...), or
 * "binary/octet-stream". This function can't fail. */
const char *s3_content_type(const char *key);

/* Percent-encode s as a SigV4 canonical URI component: every byte but A-Z a-z 0-9 - _ . ~ (and '/'
 * when keep_slash) becomes %XX. Returns a malloc'd string or NULL when out of memory. */
char *s3_uri_encode(const char *s, int keep_slash);

#endif
