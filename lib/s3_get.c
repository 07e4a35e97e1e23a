/* s3_get: download one object, resuming with ranged GETs after a broken transfer. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "err.h"
#include "log.h"
#include "s3.h"
#include "s3_impl.h"

struct get {
	const s3_config *c;  /* for progress */
	FILE *out;           /* where the bytes go */
	long long got;       /* bytes written to out */
	long long total;     /* object size from the first answer, -1 unknown */
	long long start;     /* offset this attempt asked for */
	long long skip;      /* bytes to drop: a server that ignored our Range sent them again */
	long status;         /* status of the current response */
	int body_started;    /* the current response's first body byte has been seen */
	int bad_range;       /* a 206 that does not start where we asked */
	int ioerr;           /* errno of a failed write, 0 if none */
	char etag[128];      /* ETag of the current response */
	char etag0[128];     /* ETag of the first full answer: the version we are reading */
	char clen[32];       /* Content-Length of the current response */
	char crange[128];    /* Content-Range of the current response */
	char sse[64];        /* x-amz-server-side-encryption: aws:kms makes the ETag no MD5 */
	char ssec[64];       /* SSE-C algorithm: likewise */
	EVP_MD_CTX *md5;     /* running MD5 of the bytes written */
	s3_buf errbody;      /* body of an error answer */
	struct timespec last; /* last progress line */
};

static int
hval(const char *line, size_t n, const char *name, char *out, size_t outlen)
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

static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct get *g = arg;

	if (n > 5 && strncmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', n);

		g->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		g->etag[0] = g->clen[0] = g->crange[0] = '\0';
		g->body_started = 0;
		return n;
	}
	if (hval(p, n, "ETag", g->etag, sizeof g->etag) || hval(p, n, "Content-Length", g->clen, sizeof g->clen) ||
	    hval(p, n, "Content-Range", g->crange, sizeof g->crange) ||
	    hval(p, n, "x-amz-server-side-encryption", g->sse, sizeof g->sse))
		return n;
	hval(p, n, "x-amz-server-side-encryption-customer-algorithm", g->ssec, sizeof g->ssec);
	return n;
}

static void
progress(struct get *g, int done)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!done && now.tv_sec - g->last.tv_sec + (now.tv_nsec - g->last.tv_nsec) / 1e9 < 0.5)
		return;
	g->last = now;
	if (g->total >= 0)
		fprintf(stderr, "\r%s: %lld / %lld MiB%s", err_prog(), g->got >> 20, g->total >> 20, done ? "\n" : "");
	else
		fprintf(stderr, "\r%s: %lld MiB%s", err_prog(), g->got >> 20, done ? "\n" : "");
}

/* Checks made once per response, at its first body byte. Returns 0 to go on, -1 to abort it. */
static int
body_start(struct get *g)
{
	g->body_started = 1;
	if (g->status == 206) {
		const char *sp = strchr(g->crange, ' ');

		if (sp == NULL || strtoll(sp + 1, NULL, 10) != g->start) {
			g->bad_range = 1;
			return -1;
		}
	} else if (g->start > 0) {
		/* A 200 to a ranged request: the whole object again, of which we have g->start bytes. */
		if (strcmp(g->etag, g->etag0) != 0) {
			g->bad_range = 1;
			return -1;
		}
		g->skip = g->start;
	}
	return 0;
}

static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct get *g = arg;
	size_t len = n;

	if (g->status != 200 && g->status != 206)
		return s3_buf_add(&g->errbody, p, n) == 0 ? n : 0;
	if (!g->body_started && body_start(g) != 0)
		return 0;
	if (g->skip > 0) {
		size_t d = (long long)len < g->skip ? len : (size_t)g->skip;

		g->skip -= (long long)d;
		p += d;
		len -= d;
	}
	if (len > 0 && fwrite(p, 1, len, g->out) != len) {
		g->ioerr = errno ? errno : EIO;
		return 0;
	}
	if (g->md5 != NULL)
		EVP_DigestUpdate(g->md5, p, len);
	g->got += (long long)len;
	if (g->c->progress)
		progress(g, 0);
	return n;
}

/* Whether the ETag is the object's MD5: a quoted 32-digit hex string, not SSE-KMS or SSE-C. */
static int
etag_is_md5(const struct get *g)
{
	size_t n = strlen(g->etag0);

	if (n != 34 || g->etag0[0] != '"' || strcmp(g->sse, "aws:kms") == 0 || g->ssec[0] != '\0')
		return 0;
	for (size_t i = 1; i < 33; i++)
		if (!strchr("0123456789abcdefABCDEF", g->etag0[i]))
			return 0;
	return 1;
}

int
s3_get(const s3_config *c, const char *bucket, const char *key, FILE *out, long long *got,
    char *err, size_t errlen)
{
	struct get g = { .c = c, .out = out, .total = -1 };
	char curlerr[CURL_ERROR_SIZE], range[64], ifmatch[160], what[64];
	struct curl_slist *hdrs = NULL;
	CURL *h = s3_easy(c);
	char *url = s3_url(c, bucket, key, NULL);
	CURLcode rc = CURLE_OK;
	int attempt, code = 0;

	g.md5 = EVP_MD_CTX_new();
	if (h == NULL || url == NULL || g.md5 == NULL || !EVP_DigestInit_ex(g.md5, EVP_md5(), NULL)) {
		err_fmt(err, errlen, "GET: out of memory");
		code = EX_SOFTWARE;
		goto out;
	}
	g.errbody.max = 1 << 20;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &g);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &g);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L << 10); /* fewer, larger writes than the default 16 KiB */
	for (attempt = 0;; attempt++) {
		struct curl_slist *ok;

		curl_slist_free_all(hdrs);
		ok = hdrs = curl_slist_append(NULL, "x-amz-content-sha256: " SHA256_HEX_EMPTY);
		if (ok != NULL && c->session_token != NULL) {
			char *tok = malloc(strlen(c->session_token) + 32);

			ok = NULL;
			if (tok != NULL) {
				sprintf(tok, "x-amz-security-token: %s", c->session_token);
				ok = hdrs = curl_slist_append(hdrs, tok);
				free(tok);
			}
		}
		g.start = g.got;
		if (ok != NULL && g.got > 0) {
			snprintf(range, sizeof range, "Range: bytes=%lld-", g.got);
			snprintf(ifmatch, sizeof ifmatch, "If-Match: %s", g.etag0);
			ok = hdrs = curl_slist_append(hdrs, range);
			if (ok != NULL && g.etag0[0] != '\0')
				ok = hdrs = curl_slist_append(hdrs, ifmatch);
		}
		if (ok == NULL) {
			err_fmt(err, errlen, "GET: out of memory");
			code = EX_SOFTWARE;
			goto out;
		}
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		g.status = 0;
		g.skip = 0;
		g.body_started = 0;
		g.errbody.n = 0;
		curlerr[0] = '\0';
		rc = curl_easy_perform(h);
		if (g.body_started && g.start == 0 && g.status == 200 && g.etag0[0] == '\0') {
			strcpy(g.etag0, g.etag);
			g.total = g.clen[0] ? strtoll(g.clen, NULL, 10) : -1;
		}
		if (rc == CURLE_OK && g.status == 200 && !g.body_started && g.start == 0) {
			/* an empty object: no body byte ever came */
			strcpy(g.etag0, g.etag);
			g.total = g.clen[0] ? strtoll(g.clen, NULL, 10) : 0;
		}
		if (g.ioerr != 0) {
			errno = g.ioerr;
			err_fmt(err, errlen, "write: %s", strerror(g.ioerr));
			code = EX_IOERR;
			goto out;
		}
		if (g.bad_range) {
			err_fmt(err, errlen, "GET: the object changed while it was read (ETag %s)", g.etag0);
			code = EX_TEMPFAIL;
			goto out;
		}
		if (rc == CURLE_OK && (g.status == 200 || g.status == 206)) {
			if (g.total < 0 || g.got == g.total)
				break;
			rc = CURLE_PARTIAL_FILE; /* a clean close before the end: resume */
			snprintf(curlerr, sizeof curlerr, "connection closed after %lld of %lld bytes", g.got, g.total);
		}
		if (rc == CURLE_OK && g.status == 412) {
			err_fmt(err, errlen, "GET: the object changed while it was read (ETag %s)", g.etag0);
			code = EX_TEMPFAIL;
			goto out;
		}
		if (!s3_retryable(rc, g.status) || attempt >= c->retries || s3_cancelled)
			break;
		log_debug("GET %s: attempt %d failed (%s, HTTP %ld) at byte %lld, retrying", url, attempt + 1,
		    curlerr[0] ? curlerr : curl_easy_strerror(rc), g.status, g.got);
		if (s3_backoff(attempt + 1) != 0)
			break;
	}
	if (!(rc == CURLE_OK && (g.status == 200 || g.status == 206))) {
		snprintf(what, sizeof what, "GET");
		code = s3_fail(what, rc, g.status, &g.errbody, curlerr, err, errlen);
		if (attempt > 0 && !s3_cancelled)
			err_fmt(err + strlen(err), errlen - strlen(err), " (after %d attempts, %lld bytes)",
			    attempt + 1, g.got);
		goto out;
	}
	if (etag_is_md5(&g)) {
		unsigned char md[16];
		char hex[33];

		EVP_DigestFinal_ex(g.md5, md, NULL);
		s3_hex(md, 16, hex);
		if (strncasecmp(hex, g.etag0 + 1, 32) != 0) {
			err_fmt(err, errlen, "GET: MD5 of the %lld bytes read is %s, the ETag says %s", g.got, hex, g.etag0);
			code = EX_DATAERR;
			goto out;
		}
	}
	if (c->progress)
		progress(&g, 1);
out:
	if (got != NULL)
		*got = g.got;
	curl_slist_free_all(hdrs);
	EVP_MD_CTX_free(g.md5);
	free(g.errbody.p);
	free(url);
	if (h != NULL)
		curl_easy_cleanup(h);
	return code;
}
