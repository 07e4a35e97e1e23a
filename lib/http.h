/* http: one HTTP request on libcurl with the answer held in memory, and the retry policy the suite
 * shares (what is worth retrying, how long to wait).
 *
 * Nothing here logs: URLs and bodies may carry secrets, so callers decide what to show. */
#ifndef STI_HTTP_H
#define STI_HTTP_H

#include <stddef.h>

struct http_field {
	const char *name;  /* form field name */
	const char *value; /* its value (NULL: the field is left out) */
};

struct http_reply {
	long status;       /* HTTP status of the answer; 0 when none came */
	char *body;        /* the answer's body, NUL-terminated (never NULL after a request) */
	size_t len;        /* body length */
	char *headers;     /* the answer's header lines, NUL-terminated (the last answer's only) */
	size_t hlen;
	int curl_code;     /* CURLcode of the transfer (0: a complete answer came) */
	char error[256];   /* what went wrong in the transfer, "" when nothing did */
};

/* What a caller should do with an answer. */
enum http_verdict {
	HTTP_DONE,  /* 2xx */
	HTTP_RETRY, /* http_retryable: 5xx, 408, 429, a timeout, a reset or refused connection ...: try again later */
	HTTP_FINAL  /* other 4xx, a malformed URL, a TLS failure ...: trying again cannot help */
};

/* Initialise libcurl once per process (call from main before threads). Returns 0 or -1. */
int http_init(void);

/* POST fields as application/x-www-form-urlencoded to url, waiting at most timeout seconds in all.
 * Fills *out (which the caller releases with http_reply_free) and returns 0 when an answer of any status
 * came, -1 on a transport failure (out->curl_code and out->error set) or when out of memory. */
int http_post_form(const char *url, const struct http_field *fields, size_t nfields, double timeout,
    struct http_reply *out);

void http_reply_free(struct http_reply *r);

/* The value of header name (case-insensitive) in the reply, copied into buf (n bytes) without surrounding
 * blanks, or NULL when absent. */
const char *http_header(const struct http_reply *r, const char *name, char *buf, size_t n);

/* The suite's one retry policy, for every HTTP client (http_post_form's callers, s3): whether a transfer
 * that ended with libcurl's code curl_code (a CURLcode; 0 when an answer came) and HTTP status is worth
 * another attempt. Worth it: 5xx, 408 Request Timeout, 429 Too Many Requests (callers with a quota may
 * decide otherwise), and transport failures that a later attempt can cure: DNS and connection failures,
 * timeouts and stalls, a connection reset or closed mid-answer, a broken TLS handshake, HTTP/2 stream
 * errors. Final: any other answer, and everything on our side or in the request itself (a malformed URL,
 * an unknown protocol, a certificate that does not verify, out of memory, a write error, a transfer the
 * caller aborted). This function can't fail. */
int http_retryable(int curl_code, long status);

/* Classify a request's outcome (rc is what http_post_form returned) with http_retryable. This function
 * can't fail. */
enum http_verdict http_verdict(int rc, const struct http_reply *r);

/* Seconds to wait before retry number attempt (1, 2, ...): base x 2^(attempt-1), at most cap. A
 * Retry-After header of the reply, in seconds and within cap, wins. r may be NULL. */
double http_backoff(int attempt, double base, double cap, const struct http_reply *r);

/* Sleep for seconds (fractions allowed), resuming after signals. */
void http_sleep(double seconds);

#endif
