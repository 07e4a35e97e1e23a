/* s3_impl: what s3.c and s3_put.c share; not for tools. */
#ifndef STI_S3_IMPL_H
#define STI_S3_IMPL_H

#include <curl/curl.h>
#include <signal.h>

#include "s3.h"

/* A transfer this large, or of unknown size, shows a progress line (when c->progress). */
#define S3_PROGRESS_MIN (8LL << 20)

#define SHA256_HEX_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct s3_buf {
	char *p;    /* bytes, NUL-terminated when not NULL */
	size_t n;   /* used */
	size_t cap; /* allocated */
	size_t max; /* refuse to grow past this (0: no limit) */
} s3_buf;

typedef struct s3_resp {
	long status;       /* HTTP status of the last response */
	s3_buf body;       /* its body */
	char etag[128];    /* its ETag header, quotes kept */
	char checksum[96]; /* its x-amz-checksum-sha256 header */
	char region[32];   /* its x-amz-bucket-region header: where S3 says the bucket is */
	long long length;  /* its Content-Length, -1 if none */
	int attempts;      /* requests made, retries included */
} s3_resp;

extern volatile sig_atomic_t s3_cancelled;

/* The region requests are signed for: the bucket's, once S3 has named it, else c->region. */
const char *s3_region(const s3_config *c);

/* The URL of bucket/key (key NULL: the bucket itself) with query (NULL or already canonical: sorted
 * and encoded, since libcurl 7.88 signs it as written). malloc'd, NULL when out of memory. */
char *s3_url(const s3_config *c, const char *bucket, const char *key, const char *query);

/* After a failed answer: when S3 said the bucket is in another region (x-amz-bucket-region on a 301 or a
 * 400) and this request has not moved yet (*relocated), adopt that region for the process, point h at
 * url moved there (*moved: the malloc'd URL now in use, freed by the caller) and sign for it, and return
 * 1 to send the request again; else 0. */
int s3_relocate(const s3_config *c, CURL *h, long status, const char *bucket_region, const char *url,
    char **moved, int *relocated);

/* url with its AWS host moved from region `from` to region `to` ("b.s3.FROM.amazonaws.com/..."), or a
 * copy when it names no such host (a custom endpoint: only the signature changes). malloc'd, NULL when
 * out of memory. */
char *s3_url_in_region(const char *url, const char *from, const char *to);

/* A curl handle set up for signing, timeouts and cancellation. NULL when out of memory. */
CURL *s3_easy(const s3_config *c);

/* One request with retries: method (HEAD reads no body), url, extra headers, body (NULL: none). The payload hash and the
 * session token are added here. Returns 0 on a 2xx with r filled, else an EX_ code
 * with the message in err (r holds the last answer). */
int s3_request(const s3_config *c, CURL *h, const char *method, const char *url,
    const struct curl_slist *hdrs, const void *body, size_t len, s3_resp *r, char *err, size_t errlen);
void s3_resp_free(s3_resp *r);

/* Sleep before attempt number `attempt` (1 = first retry): full jitter over 100 ms x 2^attempt, capped
 * at 10 s. Returns -1 when cancelled. */
int s3_backoff(int attempt);
/* The EX_ code and message for a final answer (4xx or retries used up). Returns the code. */
int s3_fail(const char *what, CURLcode rc, long status, const s3_buf *body, const char *curlerr,
    char *err, size_t errlen);

/* The text of the first <tag>...</tag> in xml[0..n) at or after *pos, entity-decoded, malloc'd; *pos
 * moves past it. NULL when absent (or out of memory). */
char *s3_xml_take(const char *xml, size_t n, size_t *pos, const char *tag);

int s3_buf_add(s3_buf *b, const void *p, size_t n);
void s3_hex(const unsigned char *d, size_t n, char *out);
/* Standard base64 of d[0..n) into out (4 * ceil(n / 3) + 1 bytes). */
void s3_b64(const unsigned char *d, size_t n, char *out);

/* When the raw header line [line, line + n) is a status line ("HTTP/1.1 206 Partial Content"), set
 * *status (0 when unreadable) and return 1; else return 0. This function can't fail. */
int s3_status_line(const char *line, size_t n, long *status);

/* The headers every request carries: x-amz-content-sha256 (payload_hex, the body's SHA-256 in hex) and,
 * with temporary credentials, x-amz-security-token. NULL when out of memory. Free with curl_slist_free_all. */
struct curl_slist *s3_base_headers(const s3_config *c, const char *payload_hex);

/* GET one page of a listing, bucket?query (query malloc'd, or NULL when making it ran out of memory; freed
 * here), with h into r. Returns 0 or an EX_ code (message in err). */
int s3_list_page(const s3_config *c, CURL *h, const char *bucket, char *query, s3_resp *r, char *err,
    size_t errlen);

/* After a page of a listing (ListObjectsV2, ListMultipartUploads) in body: when IsTruncated is true, the
 * text of the marker element `tag` into *next (malloc'd), else *next = NULL. Returns 0, or
 * EX_UNAVAILABLE when a truncated page has no marker (EX_OSERR when out of memory), message in err
 * naming `what`. */
int s3_page_next(const s3_buf *body, const char *what, const char *tag, char **next, char *err, size_t errlen);

/* When the raw header line [line, line + n) is header `name` (case-insensitive), copy its value, trimmed,
 * into out (truncated to outlen - 1 bytes) and return 1; else return 0. This function can't fail. */
int s3_header_value(const char *line, size_t n, const char *name, char *out, size_t outlen);

#endif
