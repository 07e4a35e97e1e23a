#include "s3.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "s3_impl.h"
#include "util.h"

volatile sig_atomic_t s3_cancelled;

/* ---- configuration and credentials ---- */

static char *
xdup(const char *s)
{
	return s != NULL && *s != '\0' ? strdup(s) : NULL;
}

/* Look key up in section of an INI file; a malloc'd value or NULL. */
static char *
ini_get(const char *path, const char *section, const char *key)
{
	char *line = NULL, *s, *eq, *val = NULL;
	size_t cap = 0;
	int in = 0;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return NULL;
	while (val == NULL && getline(&line, &cap, fp) > 0) {
		s = util_trim(line);
		if (*s == '#' || *s == ';' || *s == '\0')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');

			if (e != NULL)
				*e = '\0';
			in = strcmp(util_trim(s + 1), section) == 0;
			continue;
		}
		if (!in || (eq = strchr(s, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(util_trim(s), key) == 0)
			val = xdup(util_trim(eq + 1));
	}
	free(line);
	fclose(fp);
	return val;
}

/* ~/.aws/NAME, or the file named by the variable env. */
static char *
aws_file(const char *env, const char *name)
{
	const char *v = getenv(env), *home = getenv("HOME");
	char *p;

	if (v != NULL && *v != '\0')
		return strdup(v);
	if (home == NULL || *home == '\0')
		return NULL;
	p = malloc(strlen(home) + strlen(name) + 8);
	if (p != NULL)
		sprintf(p, "%s/.aws/%s", home, name);
	return p;
}

int
s3_config_load(s3_config *c, const char *endpoint, char *err, size_t errlen)
{
	const char *profile = getenv("AWS_PROFILE");
	char *cred = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	char *conf = aws_file("AWS_CONFIG_FILE", "config");
	char section[256];

	memset(c, 0, sizeof *c);
	c->part_size = S3_PART_DEFAULT;
	c->jobs = 4;
	c->retries = 5;
	c->timeout = 30;
	if (profile == NULL || *profile == '\0')
		profile = "default";
	c->endpoint = xdup(endpoint);
	if (c->endpoint == NULL) /* the service-specific variable first, as the AWS SDKs do */
		c->endpoint = xdup(getenv("AWS_ENDPOINT_URL_S3"));
	if (c->endpoint == NULL)
		c->endpoint = xdup(getenv("AWS_ENDPOINT_URL"));
	c->region = xdup(getenv("AWS_REGION"));
	if (c->region == NULL)
		c->region = xdup(getenv("AWS_DEFAULT_REGION"));
	c->access_key = xdup(getenv("AWS_ACCESS_KEY_ID"));
	c->secret_key = cli_secret("AWS_SECRET_ACCESS_KEY");
	if (c->access_key != NULL && c->secret_key != NULL) {
		c->session_token = cli_secret("AWS_SESSION_TOKEN");
	} else if (cred != NULL) {
		free(c->access_key);
		free(c->secret_key);
		c->access_key = ini_get(cred, profile, "aws_access_key_id");
		c->secret_key = ini_get(cred, profile, "aws_secret_access_key");
		c->session_token = ini_get(cred, profile, "aws_session_token");
	}
	if (conf != NULL) {
		if (strcmp(profile, "default") == 0)
			snprintf(section, sizeof section, "default");
		else
			snprintf(section, sizeof section, "profile %s", profile);
		if (c->region == NULL)
			c->region = ini_get(conf, section, "region");
		if (c->access_key == NULL && c->secret_key == NULL) {
			c->access_key = ini_get(conf, section, "aws_access_key_id");
			c->secret_key = ini_get(conf, section, "aws_secret_access_key");
			c->session_token = ini_get(conf, section, "aws_session_token");
		}
	}
	free(cred);
	free(conf);
	if (c->region == NULL)
		c->region = strdup("us-east-1");
	if (c->endpoint != NULL) {
		size_t n = strlen(c->endpoint);

		while (n > 0 && c->endpoint[n - 1] == '/')
			c->endpoint[--n] = '\0';
	}
	if (c->access_key == NULL || c->secret_key == NULL) {
		err_fmt(err, errlen, "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
		    "or AWS_PROFILE (profile '%s' not found)", profile);
		return EX_NOPERM;
	}
	if (c->region == NULL) {
		err_fmt(err, errlen, "out of memory");
		return EX_OSERR;
	}
	return 0;
}

void
s3_config_free(s3_config *c)
{
	free(c->endpoint);
	free(c->region);
	free(c->access_key);
	if (c->secret_key != NULL) {
		memset(c->secret_key, 0, strlen(c->secret_key));
		free(c->secret_key);
	}
	free(c->session_token);
	memset(c, 0, sizeof *c);
}

void
s3_cancel(void)
{
	s3_cancelled = 1;
}

/* ---- small helpers ---- */

const char *
s3_content_type(const char *key)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ "csv", "text/csv; charset=utf-8" },
		{ "gz", "application/gzip" },
		{ "htm", "text/html; charset=utf-8" },
		{ "html", "text/html; charset=utf-8" },
		{ "json", "application/json" },
		{ "ndjson", "application/x-ndjson" },
		{ "png", "image/png" },
		{ "svg", "image/svg+xml" },
		{ "txt", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(key, '.'), *slash = strrchr(key, '/');

	if (dot != NULL && (slash == NULL || dot > slash))
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "binary/octet-stream";
}

char *
s3_uri_encode(const char *s, int keep_slash)
{
	static const char hexd[] = "0123456789ABCDEF";
	char *out = malloc(3 * strlen(s) + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/')) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hexd[*p >> 4];
			*o++ = hexd[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

void
s3_hex(const unsigned char *d, size_t n, char *out)
{
	static const char hexd[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexd[d[i] >> 4];
		out[2 * i + 1] = hexd[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void
s3_b64(const unsigned char *d, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, d, (int)n);
}

int
s3_buf_add(s3_buf *b, const void *p, size_t n)
{
	if (b->max > 0 && b->n + n > b->max)
		return -1;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *q;

		while (cap < b->n + n + 1)
			cap *= 2;
		if ((q = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

static void
xml_decode(char *s)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' } };
	char *o = s;

	while (*s != '\0') {
		size_t i, n = sizeof ents / sizeof ents[0];

		if (*s != '&') {
			*o++ = *s++;
			continue;
		}
		for (i = 0; i < n; i++)
			if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i < n) {
			*o++ = ents[i].c;
			s += strlen(ents[i].ent);
		} else if (s[1] == '#') {
			char *end;
			unsigned long cp = s[2] == 'x' ? strtoul(s + 3, &end, 16) : strtoul(s + 2, &end, 10);

			if (*end != ';' || cp == 0 || cp > 0x10FFFF) {
				*o++ = *s++;
				continue;
			}
			if (cp < 0x80) {
				*o++ = (char)cp;
			} else if (cp < 0x800) {
				*o++ = (char)(0xC0 | cp >> 6);
				*o++ = (char)(0x80 | (cp & 0x3F));
			} else if (cp < 0x10000) {
				*o++ = (char)(0xE0 | cp >> 12);
				*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
				*o++ = (char)(0x80 | (cp & 0x3F));
			} else {
				*o++ = (char)(0xF0 | cp >> 18);
				*o++ = (char)(0x80 | (cp >> 12 & 0x3F));
				*o++ = (char)(0x80 | (cp >> 6 & 0x3F));
				*o++ = (char)(0x80 | (cp & 0x3F));
			}
			s = end + 1;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* The raw text between the first <tag> and </tag> at or after *pos; *pos moves past it. */
static const char *
xml_span(const char *xml, size_t n, size_t *pos, const char *tag, size_t *len)
{
	char open[64], close[64];
	const char *a, *b;
	size_t lo, lc;

	if (xml == NULL || *pos >= n)
		return NULL;
	lo = (size_t)snprintf(open, sizeof open, "<%s>", tag);
	lc = (size_t)snprintf(close, sizeof close, "</%s>", tag);
	a = memmem(xml + *pos, n - *pos, open, lo);
	if (a == NULL)
		return NULL;
	a += lo;
	b = memmem(a, n - (size_t)(a - xml), close, lc);
	if (b == NULL)
		return NULL;
	*pos = (size_t)(b - xml) + lc;
	*len = (size_t)(b - a);
	return a;
}

char *
s3_xml_take(const char *xml, size_t n, size_t *pos, const char *tag)
{
	size_t len;
	const char *a = xml_span(xml, n, pos, tag, &len);
	char *v;

	if (a == NULL)
		return NULL;
	v = strndup(a, len);
	if (v != NULL)
		xml_decode(v);
	return v;
}

/* ---- requests ---- */

/* The bucket's region when S3 has named another one than the configured region (x-amz-bucket-region on
 * a 301 or 400): set once, by the first request that hears it, and used by every later URL and signature,
 * as the AWS CLI does. The first request of every operation runs before its worker threads start, so in
 * practice they only read it; the atomic keeps a late writer safe anyway. A process works on one bucket. */
static _Atomic(char *) found_region;

const char *
s3_region(const s3_config *c)
{
	const char *r = atomic_load(&found_region);

	return r != NULL ? r : c->region;
}

/* Adopt region for the rest of the process; returns 0, or -1 when out of memory. */
static int
adopt_region(const char *region)
{
	char *mine = strdup(region), *none = NULL;

	if (mine == NULL)
		return -1;
	if (!atomic_compare_exchange_strong(&found_region, &none, mine))
		free(mine); /* another request got there first */
	return 0;
}

static int
is_dns_safe(const char *bucket)
{
	for (const char *p = bucket; *p != '\0'; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-'))
			return 0;
	return *bucket != '\0';
}

char *
s3_url(const s3_config *c, const char *bucket, const char *key, const char *query)
{
	char *ekey = s3_uri_encode(key != NULL ? key : "", 1), *ebucket = s3_uri_encode(bucket, 0), *url;
	size_t n;

	if (ekey == NULL || ebucket == NULL) {
		free(ekey);
		free(ebucket);
		return NULL;
	}
	n = strlen(ekey) + strlen(ebucket) + strlen(s3_region(c)) + (c->endpoint ? strlen(c->endpoint) : 0) +
	    (query ? strlen(query) : 0) + 64;
	if ((url = malloc(n)) != NULL) {
		if (c->endpoint != NULL)
			snprintf(url, n, "%s/%s%s%s", c->endpoint, ebucket, key ? "/" : "", ekey);
		else if (is_dns_safe(bucket))
			snprintf(url, n, "https://%s.s3.%s.amazonaws.com/%s", ebucket, s3_region(c), ekey);
		else /* dots break the wildcard TLS certificate: path style */
			snprintf(url, n, "https://s3.%s.amazonaws.com/%s%s%s", s3_region(c), ebucket, key ? "/" : "",
			    ekey);
		if (query != NULL && *query != '\0') {
			strcat(url, "?");
			strcat(url, query);
		}
	}
	free(ekey);
	free(ebucket);
	return url;
}

static int
xfer_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	return s3_cancelled ? 1 : 0;
}

static void
set_signing_region(CURL *h, const char *region)
{
	char sigv4[128];

	snprintf(sigv4, sizeof sigv4, "aws:amz:%s:s3", region);
	curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
}

char *
s3_url_in_region(const char *url, const char *from, const char *to)
{
	char host[96], *out;
	const char *at;

	snprintf(host, sizeof host, "s3.%s.amazonaws.com/", from);
	at = strstr(url, host);
	if (at == NULL)
		return strdup(url);
	if ((out = malloc(strlen(url) + strlen(to) + 1)) != NULL)
		sprintf(out, "%.*ss3.%s.amazonaws.com/%s", (int)(at - url), url, to, at + strlen(host));
	return out;
}

int
s3_relocate(const s3_config *c, CURL *h, long status, const char *bucket_region, const char *url, char **moved,
    int *relocated)
{
	char *next;

	if ((status != 301 && status != 400) || bucket_region[0] == '\0' || *relocated ||
	    strcmp(bucket_region, s3_region(c)) == 0)
		return 0;
	*relocated = 1;
	log_warn("the bucket is in region %s, not %s: using %s (set AWS_REGION=%s to save a request)",
	    bucket_region, s3_region(c), bucket_region, bucket_region);
	if (adopt_region(bucket_region) != 0 || (next = s3_url_in_region(url, c->region, s3_region(c))) == NULL)
		return 0; /* out of memory: the caller reports S3's answer */
	free(*moved);
	*moved = next;
	curl_easy_setopt(h, CURLOPT_URL, next);
	set_signing_region(h, s3_region(c));
	return 1;
}

CURL *
s3_easy(const s3_config *c)
{
	CURL *h = curl_easy_init();

	if (h == NULL)
		return NULL;
	set_signing_region(h, s3_region(c));
	curl_easy_setopt(h, CURLOPT_USERNAME, c->access_key);
	curl_easy_setopt(h, CURLOPT_PASSWORD, c->secret_key);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L); /* a key "a/../b" is a key, not a path to resolve */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->timeout);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->timeout);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xfer_cb);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "sti-s3/" STI_VERSION);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	return h;
}

/* A 400 that another attempt can cure: a body damaged on the way (the server's hash of it differs) or
 * S3's idle-connection timeout. */
static int
transient_400(long status, const s3_buf *body)
{
	static const char *codes[] = { "<Code>BadDigest</Code>", "<Code>XAmzContentSHA256Mismatch</Code>",
		"<Code>RequestTimeout</Code>", "<Code>IncompleteBody</Code>" };

	if (status != 400 || body->p == NULL)
		return 0;
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (strstr(body->p, codes[i]) != NULL)
			return 1;
	return 0;
}

int
s3_backoff(int attempt)
{
	double cap = 0.1 * (double)(1u << (attempt < 7 ? attempt : 7)), secs;
	struct timespec ts;

	if (cap > 10)
		cap = 10;
	secs = cap * ((double)arc4random_uniform(1000001) / 1e6);
	while (secs > 0) {
		double step = secs < 0.05 ? secs : 0.05;

		if (s3_cancelled)
			return -1;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(step * 1e9);
		nanosleep(&ts, NULL);
		secs -= step;
	}
	return s3_cancelled ? -1 : 0;
}

int
s3_fail(const char *what, CURLcode rc, long status, const s3_buf *body, const char *curlerr,
    char *err, size_t errlen)
{
	size_t pos = 0;
	char *code, *msg;

	if (s3_cancelled || rc == CURLE_ABORTED_BY_CALLBACK) {
		err_fmt(err, errlen, "%s: interrupted", what);
		return EX_TEMPFAIL;
	}
	if (rc == CURLE_OUT_OF_MEMORY) {
		err_fmt(err, errlen, "%s: out of memory", what);
		return EX_OSERR;
	}
	if (rc != CURLE_OK) {
		err_fmt(err, errlen, "%s: %s", what, curlerr && *curlerr ? curlerr : curl_easy_strerror(rc));
		return http_retryable(rc, 0) ? EX_TEMPFAIL : EX_UNAVAILABLE;
	}
	code = s3_xml_take(body ? body->p : NULL, body ? body->n : 0, &pos, "Code");
	pos = 0;
	msg = s3_xml_take(body ? body->p : NULL, body ? body->n : 0, &pos, "Message");
	err_fmt(err, errlen, "%s: HTTP %ld%s%s%s%s", what, status, code ? ": " : "", code ? code : "",
	    msg ? ": " : "", msg ? msg : "");
	free(code);
	free(msg);
	if (status == 404)
		return EX_NOINPUT;
	if (status == 401 || status == 403)
		return EX_NOPERM;
	if (status >= 500 || status == 429 || status == 408)
		return EX_TEMPFAIL;
	return EX_UNAVAILABLE;
}

static size_t
resp_body_cb(char *p, size_t size, size_t n, void *arg)
{
	s3_resp *r = arg;

	return s3_buf_add(&r->body, p, size * n) == 0 ? size * n : 0;
}

int
s3_header_value(const char *line, size_t n, const char *name, char *out, size_t outlen)
{
	size_t ln = strlen(name), vn;
	const char *v;

	if (n <= ln || line[ln] != ':' || strncasecmp(line, name, ln) != 0)
		return 0;
	v = line + ln + 1;
	vn = n - ln - 1;
	while (vn > 0 && (*v == ' ' || *v == '\t'))
		v++, vn--;
	while (vn > 0 && (v[vn - 1] == '\r' || v[vn - 1] == '\n' || v[vn - 1] == ' '))
		vn--;
	if (vn >= outlen)
		vn = outlen - 1;
	memcpy(out, v, vn);
	out[vn] = '\0';
	return 1;
}

int
s3_status_line(const char *line, size_t n, long *status)
{
	const char *sp;

	if (n <= 5 || strncmp(line, "HTTP/", 5) != 0)
		return 0;
	sp = memchr(line, ' ', n);
	*status = sp != NULL ? strtol(sp + 1, NULL, 10) : 0;
	return 1;
}

struct curl_slist *
s3_base_headers(const s3_config *c, const char *payload_hex)
{
	char line[128], *tok;
	struct curl_slist *all, *ok;

	snprintf(line, sizeof line, "x-amz-content-sha256: %s", payload_hex);
	if ((all = curl_slist_append(NULL, line)) == NULL || c->session_token == NULL)
		return all;
	if ((tok = malloc(strlen(c->session_token) + 32)) == NULL) {
		curl_slist_free_all(all);
		return NULL;
	}
	sprintf(tok, "x-amz-security-token: %s", c->session_token);
	if ((ok = curl_slist_append(all, tok)) == NULL)
		curl_slist_free_all(all);
	free(tok);
	return ok;
}

int
s3_list_page(const s3_config *c, CURL *h, const char *bucket, char *query, s3_resp *r, char *err, size_t errlen)
{
	char *url = query != NULL ? s3_url(c, bucket, NULL, query) : NULL;
	int rc;

	free(query);
	if (url == NULL)
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	rc = s3_request(c, h, "GET", url, NULL, NULL, 0, r, err, errlen);
	free(url);
	return rc;
}

int
s3_page_next(const s3_buf *body, const char *what, const char *tag, char **next, char *err, size_t errlen)
{
	size_t pos = 0;
	char *trunc = s3_xml_take(body->p, body->n, &pos, "IsTruncated");
	int more = trunc != NULL && strcmp(trunc, "true") == 0;

	free(trunc);
	*next = NULL;
	if (!more)
		return 0;
	pos = 0;
	if ((*next = s3_xml_take(body->p, body->n, &pos, tag)) == NULL)
		return err_ret(EX_UNAVAILABLE, err, errlen, "%s: truncated answer without %s", what, tag);
	return 0;
}

static size_t
resp_header_cb(char *p, size_t size, size_t n, void *arg)
{
	s3_resp *r = arg;

	char len[32];

	s3_header_value(p, n, "ETag", r->etag, sizeof r->etag);
	s3_header_value(p, n, "x-amz-checksum-sha256", r->checksum, sizeof r->checksum);
	s3_header_value(p, n, "x-amz-bucket-region", r->region, sizeof r->region);
	if (s3_header_value(p, n, "Content-Length", len, sizeof len))
		r->length = strtoll(len, NULL, 10);
	return n;
}

void
s3_resp_free(s3_resp *r)
{
	free(r->body.p);
	memset(r, 0, sizeof *r);
}

int
s3_request(const s3_config *c, CURL *h, const char *method, const char *url,
    const struct curl_slist *hdrs, const void *body, size_t len, s3_resp *r, char *err, size_t errlen)
{
	unsigned char md[32];
	char hex[65], curlerr[CURL_ERROR_SIZE], *moved = NULL;
	struct curl_slist *all, *ok;
	CURLcode rc = CURLE_OK;
	int attempt, code, relocated = 0;

	if (body != NULL) {
		EVP_Digest(body, len, md, NULL, EVP_sha256(), NULL);
		s3_hex(md, 32, hex);
	} else {
		strcpy(hex, SHA256_HEX_EMPTY);
	}
	ok = all = s3_base_headers(c, hex);
	for (const struct curl_slist *s = hdrs; ok != NULL && s != NULL; s = s->next)
		if ((ok = curl_slist_append(all, s->data)) != NULL)
			all = ok;
	if (ok == NULL) {
		curl_slist_free_all(all);
		return err_ret(EX_OSERR, err, errlen, "%s: out of memory", method);
	}
	/* A URL made before the bucket's region was known still names the configured one. */
	if (strcmp(s3_region(c), c->region) != 0 &&
	    (moved = s3_url_in_region(url, c->region, s3_region(c))) == NULL) {
		curl_slist_free_all(all);
		err_fmt(err, errlen, "%s: out of memory", method);
		return EX_OSERR;
	}
	curl_easy_setopt(h, CURLOPT_URL, moved != NULL ? moved : url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, all);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, resp_body_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, resp_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curlerr);
	if (body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(h, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
	}
	r->body.max = 64 << 20;
	set_signing_region(h, s3_region(c)); /* a handle made before the bucket's region was known */
again:
	for (attempt = 0;; attempt++) {
		r->body.n = 0;
		r->etag[0] = r->checksum[0] = r->region[0] = '\0';
		r->status = 0;
		r->length = -1;
		r->attempts = attempt + 1;
		curlerr[0] = '\0';
		rc = curl_easy_perform(h);
		if (rc == CURLE_OK)
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
		if (rc == CURLE_OK && r->status >= 200 && r->status < 300)
			break;
		if (!(http_retryable(rc, r->status) || transient_400(r->status, &r->body)) || attempt >= c->retries ||
		    s3_cancelled)
			break;
		log_debug("%s %s: attempt %d failed (%s, HTTP %ld), retrying", method, url, attempt + 1,
		    curlerr[0] ? curlerr : curl_easy_strerror(rc), r->status);
		if (s3_backoff(attempt + 1) != 0)
			break;
	}
	/* The bucket lives in another region: S3 says which (301 to the wrong regional host, 400 to a
	 * signature for the wrong region). Sign for it and go there, once. */
	if (rc == CURLE_OK && s3_relocate(c, h, r->status, r->region, url, &moved, &relocated))
		goto again;
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
	curl_slist_free_all(all);
	free(moved);
	if (rc == CURLE_OK && r->status >= 200 && r->status < 300)
		return 0;
	code = s3_fail(method, rc, r->status, &r->body, curlerr, err, errlen);
	if (attempt > 0 && !s3_cancelled)
		err_fmt(err + strlen(err), errlen - strlen(err), " (after %d attempts)", attempt + 1);
	return code;
}

/* ---- list ---- */

/* One <Contents> element to fn. */
static int
list_one(const char *blk, size_t n, int (*fn)(void *arg, const s3_object *o), void *arg)
{
	size_t p1 = 0, p2 = 0, p3 = 0, p4 = 0;
	char *key = s3_xml_take(blk, n, &p1, "Key"), *size = s3_xml_take(blk, n, &p2, "Size");
	char *etag = s3_xml_take(blk, n, &p3, "ETag"), *lm = s3_xml_take(blk, n, &p4, "LastModified");
	s3_object o;
	int rc = 0;

	if (key != NULL) {
		char *e = etag ? etag : "";
		size_t el = strlen(e);

		if (el >= 2 && e[0] == '"' && e[el - 1] == '"') {
			e[el - 1] = '\0';
			e++;
		}
		o.key = key;
		o.size = size ? strtoll(size, NULL, 10) : 0;
		o.etag = e;
		o.last_modified = lm ? lm : "";
		rc = fn(arg, &o);
	}
	free(key);
	free(size);
	free(etag);
	free(lm);
	return rc;
}

int
s3_list(const s3_config *c, const char *bucket, const char *prefix,
    int (*fn)(void *arg, const s3_object *o), void *arg, char *err, size_t errlen)
{
	CURL *h = s3_easy(c);
	char *token = NULL, *epre = s3_uri_encode(prefix ? prefix : "", 0);
	int rc = 0;

	if (h == NULL || epre == NULL) {
		err_fmt(err, errlen, "out of memory");
		rc = EX_OSERR;
	}
	while (rc == 0) {
		char *etok = token ? s3_uri_encode(token, 0) : NULL, *query;
		s3_resp r = { 0 };
		size_t pos = 0, len;
		const char *blk;

		/* Parameters in sorted order: libcurl 7.88 signs the query string as written. */
		query = malloc(strlen(epre) + (etok ? strlen(etok) : 0) + 64);
		if (query != NULL)
			sprintf(query, "%s%s%slist-type=2&prefix=%s", etok ? "continuation-token=" : "",
			    etok ? etok : "", etok ? "&" : "", epre);
		free(etok);
		free(token);
		token = NULL;
		rc = s3_list_page(c, h, bucket, query, &r, err, errlen);
		while (rc == 0 && (blk = xml_span(r.body.p, r.body.n, &pos, "Contents", &len)) != NULL)
			rc = list_one(blk, len, fn, arg);
		if (rc == 0)
			rc = s3_page_next(&r.body, "list", "NextContinuationToken", &token, err, errlen);
		s3_resp_free(&r);
		if (token == NULL)
			break;
	}
	free(token);
	free(epre);
	curl_easy_cleanup(h);
	return rc;
}
