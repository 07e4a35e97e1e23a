#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

struct buf {
	char *p;
	size_t len, cap;
	int oom; /* an allocation failed: the transfer is aborted */
};

static size_t
append(struct buf *b, const char *data, size_t n)
{
	char *np;
	size_t cap;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 1024;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return 0; /* libcurl then fails the transfer with CURLE_WRITE_ERROR */
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

static size_t
on_body(char *data, size_t size, size_t n, void *ctx)
{
	return append(ctx, data, size * n);
}

/* libcurl passes the header lines of every answer (a 100 Continue, redirects): keep the last one's. */
static size_t
on_header(char *data, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;

	if (size * n >= 5 && strncmp(data, "HTTP/", 5) == 0)
		b->len = 0;
	return append(b, data, size * n);
}

int
http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

/* "a=1&b=x%20y": every name and value percent-encoded. Returns a malloc'd string or NULL. */
static char *
encode_form(CURL *c, const struct http_field *fields, size_t nfields)
{
	struct buf b = { 0 };
	char *k, *v;
	size_t i;

	append(&b, "", 0);
	for (i = 0; i < nfields && !b.oom; i++) {
		if (fields[i].value == NULL)
			continue;
		k = curl_easy_escape(c, fields[i].name, 0);
		v = curl_easy_escape(c, fields[i].value, 0);
		if (k == NULL || v == NULL)
			b.oom = 1;
		else {
			if (b.len > 0)
				append(&b, "&", 1);
			append(&b, k, strlen(k));
			append(&b, "=", 1);
			append(&b, v, strlen(v));
		}
		curl_free(k);
		curl_free(v);
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

int
http_post_form(const char *url, const struct http_field *fields, size_t nfields, double timeout,
    struct http_reply *out)
{
	struct buf body = { 0 }, head = { 0 };
	char errbuf[CURL_ERROR_SIZE] = "";
	char *form = NULL;
	CURLcode cc = CURLE_OUT_OF_MEMORY;
	CURL *c;

	memset(out, 0, sizeof *out);
	c = curl_easy_init();
	if (c != NULL && (form = encode_form(c, fields, nfields)) != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout * 1000));
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "systematic-trading-infra/" STI_VERSION);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		cc = curl_easy_perform(c);
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	}
	if (body.oom || head.oom)
		cc = CURLE_OUT_OF_MEMORY;
	out->curl_code = (int)cc;
	if (cc != CURLE_OK)
		snprintf(out->error, sizeof out->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
	if (body.p == NULL)
		append(&body, "", 0);
	if (head.p == NULL)
		append(&head, "", 0);
	out->body = body.p;
	out->len = body.len;
	out->headers = head.p;
	out->hlen = head.len;
	free(form);
	curl_easy_cleanup(c);
	if (out->body == NULL || out->headers == NULL) {
		http_reply_free(out);
		out->curl_code = CURLE_OUT_OF_MEMORY;
		snprintf(out->error, sizeof out->error, "out of memory");
		return -1;
	}
	return cc == CURLE_OK ? 0 : -1;
}

void
http_reply_free(struct http_reply *r)
{
	free(r->body);
	free(r->headers);
	r->body = r->headers = NULL;
	r->len = r->hlen = 0;
}

const char *
http_header(const struct http_reply *r, const char *name, char *buf, size_t n)
{
	size_t nl = strlen(name), len;
	const char *line, *end, *v;

	if (r->headers == NULL || n == 0)
		return NULL;
	for (line = r->headers; *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if ((size_t)(end - line) > nl && line[nl] == ':' && strncasecmp(line, name, nl) == 0) {
			for (v = line + nl + 1; v < end && (*v == ' ' || *v == '\t'); v++)
				;
			for (len = (size_t)(end - v); len > 0 && isspace((unsigned char)v[len - 1]); len--)
				;
			if (len >= n)
				len = n - 1;
			memcpy(buf, v, len);
			buf[len] = '\0';
			return buf;
		}
	}
	return NULL;
}

int
http_retryable(int curl_code, long status)
{
	switch ((CURLcode)curl_code) {
	case CURLE_OK:
		return status >= 500 || status == 408 || status == 429;
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_RESOLVE_HOST: /* DNS has bad minutes too */
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:   /* also a stall: CURLOPT_LOW_SPEED_TIME */
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

enum http_verdict
http_verdict(int rc, const struct http_reply *r)
{
	if (rc == 0 && r->status >= 200 && r->status < 300)
		return HTTP_DONE;
	return http_retryable(rc == 0 ? 0 : r->curl_code, rc == 0 ? r->status : 0) ? HTTP_RETRY : HTTP_FINAL;
}

double
http_backoff(int attempt, double base, double cap, const struct http_reply *r)
{
	char buf[32], *end;
	double s;

	if (r != NULL && http_header(r, "Retry-After", buf, sizeof buf) != NULL) {
		s = strtod(buf, &end);
		if (end != buf && *end == '\0' && s >= 0 && s <= cap)
			return s;
	}
	s = base * ldexp(1, attempt > 1 ? attempt - 1 : 0);
	return s < cap ? s : cap;
}

void
http_sleep(double seconds)
{
	struct timespec ts, rem;

	if (!(seconds > 0))
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &rem) != 0 && errno == EINTR)
		ts = rem;
}
