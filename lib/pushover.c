#include "pushover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "http.h"

#define BACKOFF_CAP 60.0 /* seconds: the longest wait between attempts, and the longest Retry-After obeyed */

void
po_client_init(struct po_client *c)
{
	memset(c, 0, sizeof *c);
	c->api_url = PO_API_URL;
	c->retries = 3;
	c->timeout = 10;
	c->backoff = 1;
	c->remaining = -1;
}

/* ---- UTF-8 ---- */

/* Length of the character starting at s: 1 for an invalid or truncated sequence. */
static size_t
char_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	else if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 1;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

size_t
po_chars(const char *s)
{
	size_t n = 0;

	while (*s) {
		s += char_len((const unsigned char *)s);
		n++;
	}
	return n;
}

char *
po_truncate(const char *s, size_t max)
{
	const char *p = s;
	size_t keep, n = 0, mlen = strlen(PO_MARKER);
	char *out;

	if (po_chars(s) <= max)
		return strdup(s);
	/* max - 1 characters of text, then the marker (one character) */
	for (n = 0; n + 1 < max && *p; n++)
		p += char_len((const unsigned char *)p);
	keep = (size_t)(p - s);
	if ((out = malloc(keep + mlen + 1)) == NULL)
		return NULL;
	memcpy(out, s, keep);
	memcpy(out + keep, PO_MARKER, mlen + 1);
	return out;
}

/* ---- messages from NDJSON ---- */

static int
opt_string(const json_t *obj, const char *key, const char **out, char *err, size_t n)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return err_ret(EX_DATAERR, err, n, "%s: not a string", key);
	*out = json_string_value(v);
	return 0;
}

int
po_message_from_json(const json_t *obj, struct po_message *m, char *err, size_t n)
{
	json_t *v;
	int rc;

	if ((rc = opt_string(obj, "message", &m->message, err, n)) != 0 ||
	    (rc = opt_string(obj, "title", &m->title, err, n)) != 0 ||
	    (rc = opt_string(obj, "url", &m->url, err, n)) != 0 ||
	    (rc = opt_string(obj, "url_title", &m->url_title, err, n)) != 0 ||
	    (rc = opt_string(obj, "sound", &m->sound, err, n)) != 0)
		return rc;
	if (m->message == NULL || *m->message == '\0')
		return err_ret(EX_DATAERR, err, n, "message: missing or empty");
	if ((v = json_object_get(obj, "priority")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < -2 || json_integer_value(v) > 2)
			return err_ret(EX_DATAERR, err, n, "priority: not an integer from -2 to 2");
		m->priority = (int)json_integer_value(v);
		m->has_priority = 1;
	}
	if ((v = json_object_get(obj, "html")) != NULL) {
		if (json_is_boolean(v))
			m->html = json_is_true(v);
		else if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
			m->html = (int)json_integer_value(v);
		else
			return err_ret(EX_DATAERR, err, n, "html: not a boolean");
	}
	return 0;
}

/* ---- sending ---- */

static int
hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
	    ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* How many bytes of src spell secret, each byte as itself or URL-encoded (%XX in either case, '+' for a
 * space), as a server echoing a form field or a URL shows it; 0 when src does not start with it. */
static size_t
secret_at(const char *src, const char *secret)
{
	const char *s = src;

	for (const char *p = secret; *p != '\0'; p++) {
		if (*s == *p) {
			s++;
		} else if (s[0] == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0 &&
		    (char)(hexval(s[1]) * 16 + hexval(s[2])) == *p) {
			s += 3;
		} else if (*p == ' ' && *s == '+') {
			s++;
		} else {
			return 0;
		}
	}
	return (size_t)(s - src);
}

/* Copy src into dst (n bytes) with every occurrence of the secrets (plain or URL-encoded) replaced, and
 * line ends flattened. */
static void
scrub(char *dst, size_t n, const char *src, const struct po_client *c)
{
	const char *secrets[2] = { c->token, c->user };
	size_t o = 0, k, sl;
	int hit;

	while (*src && o + 1 < n) {
		hit = 0;
		for (k = 0; k < 2 && !hit; k++) {
			sl = secrets[k] != NULL && secrets[k][0] != '\0' ? secret_at(src, secrets[k]) : 0;
			if (sl > 0) {
				o += (size_t)snprintf(dst + o, n - o, "[redacted]");
				if (o >= n)
					o = n - 1;
				src += sl;
				hit = 1;
			}
		}
		if (!hit) {
			dst[o++] = *src == '\n' || *src == '\r' ? ' ' : *src;
			src++;
		}
	}
	dst[o] = '\0';
}

/* The API's "errors" array joined with "; ", else the body itself. */
static void
api_errors(const struct http_reply *r, char *out, size_t n)
{
	json_t *root = json_loadb(r->body, r->len, 0, NULL), *errs = json_object_get(root, "errors"), *e;
	size_t i, o = 0;

	out[0] = '\0';
	if (json_is_array(errs) && json_array_size(errs) > 0) {
		json_array_foreach(errs, i, e) {
			if (json_is_string(e) && o + 1 < n)
				o += (size_t)snprintf(out + o, n - o, "%s%s", o ? "; " : "", json_string_value(e));
		}
	} else
		snprintf(out, n, "%.200s", r->len ? r->body : "(empty answer)");
	json_decref(root);
}

static const char *
iso_time(long long t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, n, "an unknown time");
	else
		strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

/* Remember the quota the answer announces. */
static void
note_limits(struct po_client *c, const struct http_reply *r)
{
	char buf[32], *end;
	long long v;

	if (http_header(r, "X-Limit-App-Remaining", buf, sizeof buf) != NULL) {
		v = strtoll(buf, &end, 10);
		if (end != buf && *end == '\0' && v >= 0)
			c->remaining = (long)v;
	}
	if (http_header(r, "X-Limit-App-Reset", buf, sizeof buf) != NULL) {
		v = strtoll(buf, &end, 10);
		if (end != buf && *end == '\0' && v > 0)
			c->reset = v;
	}
}

enum po_result
po_send(struct po_client *c, const struct po_message *m)
{
	struct http_field f[12];
	struct http_reply r;
	char prio[8], when[32], text[1024], raw[768];
	char *msg, *title = NULL;
	enum po_result res = PO_FAILED;
	enum http_verdict v;
	size_t nf = 0;
	int rc, attempt;

	c->attempts = 0;
	c->status = 0;
	c->answer[0] = c->error[0] = '\0';
	if (c->remaining == 0 && c->reset > (long long)time(NULL)) {
		snprintf(c->error, sizeof c->error, "message quota spent: no message remains until %s",
		    iso_time(c->reset, when, sizeof when));
		return PO_LIMITED;
	}
	msg = po_truncate(m->message, PO_MESSAGE_MAX);
	if (m->title != NULL)
		title = po_truncate(m->title, PO_TITLE_MAX);
	if (msg == NULL || (m->title != NULL && title == NULL)) {
		free(msg);
		snprintf(c->error, sizeof c->error, "out of memory");
		return PO_UNREACHABLE;
	}
	snprintf(prio, sizeof prio, "%d", m->priority);
	f[nf++] = (struct http_field){ "token", c->token };
	f[nf++] = (struct http_field){ "user", c->user };
	f[nf++] = (struct http_field){ "message", msg };
	f[nf++] = (struct http_field){ "title", title };
	f[nf++] = (struct http_field){ "priority", m->has_priority ? prio : NULL };
	f[nf++] = (struct http_field){ "url", m->url };
	f[nf++] = (struct http_field){ "url_title", m->url_title };
	f[nf++] = (struct http_field){ "sound", m->sound };
	f[nf++] = (struct http_field){ "html", m->html ? "1" : NULL };
	/* an emergency notification repeats until acknowledged: the API requires both */
	f[nf++] = (struct http_field){ "retry", m->has_priority && m->priority == 2 ? "60" : NULL };
	f[nf++] = (struct http_field){ "expire", m->has_priority && m->priority == 2 ? "3600" : NULL };

	for (attempt = 1;; attempt++) {
		rc = http_post_form(c->api_url, f, nf, c->timeout, &r);
		c->attempts = attempt;
		c->status = rc == 0 ? r.status : 0;
		note_limits(c, &r);
		scrub(c->answer, sizeof c->answer, r.body ? r.body : "", c);
		v = http_verdict(rc, &r);
		if (v == HTTP_DONE) {
			json_t *root = json_loadb(r.body, r.len, 0, NULL);
			json_t *st = json_object_get(root, "status");

			res = json_is_integer(st) && json_integer_value(st) != 1 ? PO_REJECTED : PO_SENT;
			if (res == PO_REJECTED) {
				api_errors(&r, raw, sizeof raw);
				snprintf(text, sizeof text, "HTTP %ld, status %lld: %s", r.status,
				    (long long)json_integer_value(st), raw);
			}
			json_decref(root);
			break;
		}
		if (rc == 0 && r.status == 429) {
			char ra[32];

			c->remaining = 0;
			if (attempt <= c->retries && http_header(&r, "Retry-After", ra, sizeof ra) != NULL &&
			    atof(ra) <= BACKOFF_CAP) {
				http_sleep(http_backoff(attempt, c->backoff, BACKOFF_CAP, &r));
				http_reply_free(&r);
				continue;
			}
			api_errors(&r, raw, sizeof raw);
			snprintf(text, sizeof text, "HTTP 429: message quota spent until %s: %s",
			    iso_time(c->reset, when, sizeof when), raw);
			res = PO_LIMITED;
			break;
		}
		if (v == HTTP_FINAL) {
			if (rc == 0) {
				api_errors(&r, raw, sizeof raw);
				snprintf(text, sizeof text, "HTTP %ld: %s", r.status, raw);
				res = PO_REJECTED;
			} else {
				snprintf(text, sizeof text, "%s", r.error);
				res = PO_UNREACHABLE;
			}
			break;
		}
		if (attempt > c->retries) {
			if (rc == 0)
				snprintf(text, sizeof text, "HTTP %ld after %d attempt%s", r.status, attempt,
				    attempt > 1 ? "s" : "");
			else
				snprintf(text, sizeof text, "%s (after %d attempt%s)", r.error, attempt,
				    attempt > 1 ? "s" : "");
			res = PO_FAILED;
			break;
		}
		http_sleep(http_backoff(attempt, c->backoff, BACKOFF_CAP, &r));
		http_reply_free(&r);
	}
	if (res != PO_SENT)
		scrub(c->error, sizeof c->error, text, c);
	http_reply_free(&r);
	free(msg);
	free(title);
	return res;
}
