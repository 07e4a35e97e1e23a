/* s3_get: download one object, resuming with ranged GETs after a broken transfer. */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "err.h"
#include "log.h"
#include "s3.h"
#include "s3_impl.h"

#define SINK_BUF (4 << 20)

/* Received bytes go to a hand-off buffer; a second thread writes them out and hashes them, so the MD5
 * (as costly as the receiving itself) runs beside the transfer, not in its way. Two buffers: one
 * filling, one being written. */
struct sink {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* a buffer changed hands, or stop */
	unsigned char *buf[2];  /* SINK_BUF bytes each */
	size_t len[2];          /* bytes in each */
	int full[2];            /* handed to the writer */
	int cur;                /* the buffer the receiver fills */
	int stop;               /* no more buffers will come */
	int ioerr;              /* errno of a failed write */
	int do_md5;             /* whether the ETag is an MD5 worth checking */
	FILE *out;              /* where the bytes go */
	EVP_MD_CTX *md5;        /* running MD5 of the bytes written */
};

static void *
sink_writer(void *arg)
{
	struct sink *k = arg;

	for (int i = 0;; i ^= 1) {
		pthread_mutex_lock(&k->mu);
		while (!k->full[i] && !k->stop)
			pthread_cond_wait(&k->cv, &k->mu);
		if (!k->full[i]) {
			pthread_mutex_unlock(&k->mu);
			break;
		}
		pthread_mutex_unlock(&k->mu);
		if (k->ioerr == 0 && fwrite(k->buf[i], 1, k->len[i], k->out) != k->len[i]) {
			pthread_mutex_lock(&k->mu);
			k->ioerr = errno ? errno : EIO;
			pthread_mutex_unlock(&k->mu);
		}
		if (k->do_md5)
			EVP_DigestUpdate(k->md5, k->buf[i], k->len[i]);
		pthread_mutex_lock(&k->mu);
		k->full[i] = 0;
		k->len[i] = 0;
		pthread_cond_broadcast(&k->cv);
		pthread_mutex_unlock(&k->mu);
	}
	return NULL;
}

/* Hand the filling buffer to the writer and wait until the other one is free. Returns the writer's
 * errno, 0 if all is well. */
static int
sink_submit(struct sink *k)
{
	int e;

	pthread_mutex_lock(&k->mu);
	if (k->len[k->cur] > 0) {
		k->full[k->cur] = 1;
		pthread_cond_broadcast(&k->cv);
		k->cur ^= 1;
	}
	while (k->full[k->cur])
		pthread_cond_wait(&k->cv, &k->mu);
	e = k->ioerr;
	pthread_mutex_unlock(&k->mu);
	return e;
}

static int
sink_add(struct sink *k, const char *p, size_t n)
{
	while (n > 0) {
		size_t room = SINK_BUF - k->len[k->cur], c = n < room ? n : room;

		memcpy(k->buf[k->cur] + k->len[k->cur], p, c);
		k->len[k->cur] += c;
		p += c;
		n -= c;
		if (k->len[k->cur] == SINK_BUF && sink_submit(k) != 0)
			return -1;
	}
	return 0;
}

/* Write out what is buffered and wait for it. Returns the writer's errno, 0 if all is well. */
static int
sink_flush(struct sink *k)
{
	int e = sink_submit(k);

	pthread_mutex_lock(&k->mu);
	while (k->full[0] || k->full[1])
		pthread_cond_wait(&k->cv, &k->mu);
	e = k->ioerr;
	pthread_mutex_unlock(&k->mu);
	return e;
}

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
	struct sink *sink;   /* the writer thread */
	char etag[128];      /* ETag of the current response */
	char etag0[128];     /* ETag of the first full answer: the version we are reading */
	char clen[32];       /* Content-Length of the current response */
	char crange[128];    /* Content-Range of the current response */
	char sse[64];        /* x-amz-server-side-encryption: aws:kms makes the ETag no MD5 */
	char ssec[64];       /* SSE-C algorithm: likewise */
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

static int etag_is_md5(const struct get *g);

/* Checks made once per response, at its first body byte. Returns 0 to go on, -1 to abort it. */
static int
body_start(struct get *g)
{
	g->body_started = 1;
	if (g->start == 0 && g->status == 200 && g->etag0[0] == '\0') { /* the first answer with a body */
		strcpy(g->etag0, g->etag);
		g->total = g->clen[0] ? strtoll(g->clen, NULL, 10) : -1;
		g->sink->do_md5 = etag_is_md5(g);
	}
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
	if (len > 0 && sink_add(g->sink, p, len) != 0) {
		g->ioerr = g->sink->ioerr;
		return 0;
	}
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
	struct sink k = { .out = out };
	struct get g = { .c = c, .out = out, .total = -1, .sink = &k };
	char curlerr[CURL_ERROR_SIZE], range[64], ifmatch[160], what[64];
	struct curl_slist *hdrs = NULL;
	CURL *h = s3_easy(c);
	char *url = s3_url(c, bucket, key, NULL);
	CURLcode rc = CURLE_OK;
	int attempt, code = 0, started = 0;

	pthread_mutex_init(&k.mu, NULL);
	pthread_cond_init(&k.cv, NULL);
	k.md5 = EVP_MD_CTX_new();
	k.buf[0] = malloc(SINK_BUF);
	k.buf[1] = malloc(SINK_BUF);
	if (h == NULL || url == NULL || k.md5 == NULL || !EVP_DigestInit_ex(k.md5, EVP_md5(), NULL) ||
	    k.buf[0] == NULL || k.buf[1] == NULL) {
		err_fmt(err, errlen, "GET: out of memory");
		code = EX_SOFTWARE;
		goto out;
	}
	if (pthread_create(&k.th, NULL, sink_writer, &k) != 0) {
		err_fmt(err, errlen, "GET: cannot start the writer thread");
		code = EX_OSERR;
		goto out;
	}
	started = 1;
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
	if (sink_flush(&k) != 0) {
		err_fmt(err, errlen, "write: %s", strerror(k.ioerr));
		code = EX_IOERR;
		goto out;
	}
	if (etag_is_md5(&g)) {
		unsigned char md[16];
		char hex[33];

		EVP_DigestFinal_ex(k.md5, md, NULL);
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
	if (started) {
		sink_flush(&k); /* what arrived before a failure is written out too */
		pthread_mutex_lock(&k.mu);
		k.stop = 1;
		pthread_cond_broadcast(&k.cv);
		pthread_mutex_unlock(&k.mu);
		pthread_join(k.th, NULL);
	}
	if (got != NULL)
		*got = g.got;
	curl_slist_free_all(hdrs);
	EVP_MD_CTX_free(k.md5);
	free(k.buf[0]);
	free(k.buf[1]);
	pthread_mutex_destroy(&k.mu);
	pthread_cond_destroy(&k.cv);
	free(g.errbody.p);
	free(url);
	if (h != NULL)
		curl_easy_cleanup(h);
	return code;
}
