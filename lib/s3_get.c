/* s3_get: download one object, resuming with ranged GETs after a broken transfer; a large object as
 * several ranges in parallel. */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "err.h"
#include "http.h"
#include "log.h"
#include "progress.h"
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
	int started;            /* the writer thread runs */
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

/* Set up k (buffers, MD5, the writer thread) to write to out. Returns 0 or an EX_ code (message in err);
 * sink_close(k) either way. */
static int
sink_open(struct sink *k, FILE *out, char *err, size_t errlen)
{
	memset(k, 0, sizeof *k);
	k->out = out;
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	k->md5 = EVP_MD_CTX_new();
	k->buf[0] = malloc(SINK_BUF);
	k->buf[1] = malloc(SINK_BUF);
	if (k->md5 == NULL || !EVP_DigestInit_ex(k->md5, EVP_md5(), NULL) || k->buf[0] == NULL || k->buf[1] == NULL)
		return err_ret(EX_OSERR, err, errlen, "GET: out of memory");
	if (pthread_create(&k->th, NULL, sink_writer, k) != 0)
		return err_ret(EX_OSERR, err, errlen, "GET: cannot start the writer thread");
	k->started = 1;
	return 0;
}

/* Write out what arrived (also before a failure), stop the writer and free k. */
static void
sink_close(struct sink *k)
{
	if (k->started) {
		sink_flush(k);
		pthread_mutex_lock(&k->mu);
		k->stop = 1;
		pthread_cond_broadcast(&k->cv);
		pthread_mutex_unlock(&k->mu);
		pthread_join(k->th, NULL);
	}
	EVP_MD_CTX_free(k->md5);
	free(k->buf[0]);
	free(k->buf[1]);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->cv);
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
	int go_par;          /* the first answer showed a large object: read it as parallel ranges */
	int ioerr;           /* errno of a failed write, 0 if none */
	struct sink *sink;   /* the writer thread */
	char etag[128];      /* ETag of the current response */
	char region[32];     /* its x-amz-bucket-region: where S3 says the bucket is */
	char etag0[128];     /* ETag of the first full answer: the version we are reading */
	char clen[32];       /* Content-Length of the current response */
	char crange[128];    /* Content-Range of the current response */
	char sse[64];        /* x-amz-server-side-encryption: aws:kms makes the ETag no MD5 */
	char ssec[64];       /* SSE-C algorithm: likewise */
	s3_buf errbody;      /* body of an error answer */
};

static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct get *g = arg;

	if (s3_status_line(p, n, &g->status)) {
		g->etag[0] = g->clen[0] = g->crange[0] = g->region[0] = '\0';
		g->body_started = 0;
		return n;
	}
	if (s3_header_value(p, n, "x-amz-bucket-region", g->region, sizeof g->region))
		return n;
	if (s3_header_value(p, n, "ETag", g->etag, sizeof g->etag) ||
	    s3_header_value(p, n, "Content-Length", g->clen, sizeof g->clen) ||
	    s3_header_value(p, n, "Content-Range", g->crange, sizeof g->crange) ||
	    s3_header_value(p, n, "x-amz-server-side-encryption", g->sse, sizeof g->sse))
		return n;
	s3_header_value(p, n, "x-amz-server-side-encryption-customer-algorithm", g->ssec, sizeof g->ssec);
	return n;
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
		if (g->c->progress && (g->total < 0 || g->total >= S3_PROGRESS_MIN))
			progress_begin(NULL, PROGRESS_BYTES, g->total);
		/* Large enough for several streams to pay: drop this one and read ranges in parallel, If-Match
		 * this ETag (without one, a changed object could not be told apart, so one stream it is). */
		if (g->c->jobs > 1 && g->total > 2 * g->c->part_size && g->etag0[0] != '\0') {
			g->go_par = 1;
			return -1;
		}
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
	progress_update(g->got);
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

/* ---- parallel ranged GETs ----
 *
 * An object larger than two parts is read as part_size ranges by c->jobs worker threads, each with its
 * own curl handle (and so its own connection, kept alive from range to range). Part p lives in slot
 * p % jobs until it has been handed to the sink, and a worker only takes part p once part p - jobs has
 * been handed on: the reorder window, and so the memory, is jobs x part_size whatever order the ranges
 * finish in. Every range asks If-Match the ETag of the first answer, so a changed object fails (412)
 * instead of being spliced from two versions. */

struct pslot {
	unsigned char *buf; /* part_size bytes */
	size_t len;         /* bytes of the part held */
	int done;           /* the part is complete and waits to be handed on */
};

struct par {
	const s3_config *c;
	const char *url;
	const char *etag;        /* the version we are reading, quotes kept */
	long long total;         /* object size */
	long long part;          /* bytes per range */
	long long nparts;
	pthread_mutex_t mu;
	pthread_cond_t cv;       /* a slot filled or emptied, or a failure */
	struct pslot *slots;     /* c->jobs of them */
	long long next;          /* the next part a worker takes */
	long long emitted;       /* parts handed to the sink */
	int code;                /* the first failure's EX_ code, 0 while all is well */
	char err[S3_ERRLEN];     /* and its message */
};

/* One range's transfer state, for the callbacks. */
struct rget {
	unsigned char *buf;  /* the slot's buffer */
	long long from;      /* the range's first byte in the object */
	size_t want;         /* the range's length */
	size_t got;          /* bytes of it received */
	long long skip;      /* bytes to drop: a server that ignored our Range sends the object from 0 */
	long status;
	int body_started;
	int bad_range;       /* an answer that does not start where we asked, or another version */
	int full;            /* the range is complete: the rest of a whole-object answer is not wanted */
	const char *want_etag; /* the version we are reading */
	char etag[128];
	char crange[128];
	s3_buf errbody;
};

static size_t
rget_header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct rget *r = arg;

	if (s3_status_line(p, n, &r->status)) {
		r->etag[0] = r->crange[0] = '\0';
		r->body_started = 0;
		return n;
	}
	if (!s3_header_value(p, n, "ETag", r->etag, sizeof r->etag))
		s3_header_value(p, n, "Content-Range", r->crange, sizeof r->crange);
	return n;
}

/* Append a range's body to its buffer, never past the range's end. The first body byte of each
 * answer checks that it is the version and the offset asked for. */
static size_t
rget_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct rget *r = arg;
	size_t len = n, room;
	long long at = r->from + (long long)r->got;

	if (r->status != 200 && r->status != 206)
		return s3_buf_add(&r->errbody, p, n) == 0 ? n : 0;
	if (!r->body_started) {
		const char *sp = strchr(r->crange, ' ');

		r->body_started = 1;
		/* A server that ignores If-Match (s3rver) would hand us another version's bytes: compare. */
		if ((r->etag[0] != '\0' && strcmp(r->etag, r->want_etag) != 0) ||
		    (r->status == 206 && (sp == NULL || strtoll(sp + 1, NULL, 10) != at))) {
			r->bad_range = 1;
			return 0;
		}
		if (r->status == 200)
			r->skip = at; /* the whole object: drop what comes before our range */
	}
	if (r->skip > 0) {
		size_t d = (long long)len < r->skip ? len : (size_t)r->skip;

		r->skip -= (long long)d;
		p += d;
		len -= d;
	}
	room = r->want - r->got;
	if (len > room) {
		/* More than we asked for: only a whole-object answer does that; take our share and stop. */
		memcpy(r->buf + r->got, p, room);
		r->got += room;
		r->full = 1;
		return 0;
	}
	memcpy(r->buf + r->got, p, len);
	r->got += len;
	return n;
}

/* Record the first failure and wake everyone, so workers stop taking parts and the emitter returns. */
static void
par_fail(struct par *pa, int code, const char *msg)
{
	pthread_mutex_lock(&pa->mu);
	if (pa->code == 0) {
		pa->code = code;
		snprintf(pa->err, sizeof pa->err, "%s", msg);
	}
	pthread_cond_broadcast(&pa->cv);
	pthread_mutex_unlock(&pa->mu);
}

/* Fetch part `part` into buf with h: a ranged GET resumed from where it broke off, retried with the
 * usual backoff at most c->retries times. Returns 0, or an EX_ code with the message in err. */
static int
fetch_range(struct par *pa, CURL *h, long long part, unsigned char *buf, size_t *len, char *err,
    size_t errlen)
{
	const s3_config *c = pa->c;
	struct rget r = { .buf = buf, .from = part * pa->part, .want_etag = pa->etag };
	char curlerr[CURL_ERROR_SIZE], range[80], ifmatch[160], what[64];
	long long last;
	CURLcode rc = CURLE_OK;
	int attempt, code = 0;

	last = r.from + pa->part - 1 < pa->total - 1 ? r.from + pa->part - 1 : pa->total - 1;
	r.want = (size_t)(last - r.from + 1);
	r.errbody.max = 1 << 20;
	snprintf(ifmatch, sizeof ifmatch, "If-Match: %s", pa->etag);
	curl_easy_setopt(h, CURLOPT_URL, pa->url);
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, rget_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, rget_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L << 10);
	for (attempt = 0;; attempt++) {
		struct curl_slist *hdrs, *ok;

		ok = hdrs = s3_base_headers(c, SHA256_HEX_EMPTY);
		snprintf(range, sizeof range, "Range: bytes=%lld-%lld", r.from + (long long)r.got, last);
		if (ok != NULL)
			ok = hdrs = curl_slist_append(hdrs, range);
		if (ok != NULL)
			ok = hdrs = curl_slist_append(hdrs, ifmatch);
		if (ok == NULL) {
			curl_slist_free_all(hdrs);
			err_fmt(err, errlen, "GET: out of memory");
			code = EX_OSERR;
			break;
		}
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		r.status = 0;
		r.skip = 0;
		r.body_started = 0;
		r.errbody.n = 0;
		curlerr[0] = '\0';
		rc = curl_easy_perform(h);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
		curl_slist_free_all(hdrs);
		if (r.full) /* we stopped a whole-object answer ourselves, with our range in hand */
			rc = CURLE_OK;
		if (r.bad_range || (rc == CURLE_OK && r.status == 412)) {
			err_fmt(err, errlen, "GET: the object changed while it was read (ETag %s)", pa->etag);
			code = EX_TEMPFAIL;
			break;
		}
		if (rc == CURLE_OK && (r.status == 200 || r.status == 206)) {
			if (r.got == r.want)
				break;
			rc = CURLE_PARTIAL_FILE; /* a clean close before the range's end: resume */
			snprintf(curlerr, sizeof curlerr, "connection closed after %zu of %zu bytes of the range at %lld",
			    r.got, r.want, r.from);
		}
		if (!http_retryable(rc, r.status) || attempt >= c->retries || s3_cancelled || pa->code != 0) {
			snprintf(what, sizeof what, "GET");
			code = s3_fail(what, rc, r.status, &r.errbody, curlerr, err, errlen);
			if (attempt > 0 && !s3_cancelled)
				err_fmt(err + strlen(err), errlen - strlen(err), " (after %d attempts, range at byte %lld)",
				    attempt + 1, r.from);
			break;
		}
		log_debug("GET %s: range at %lld: attempt %d failed (%s, HTTP %ld) at byte %zu, retrying", pa->url,
		    r.from, attempt + 1, curlerr[0] ? curlerr : curl_easy_strerror(rc), r.status, r.got);
		if (s3_backoff(attempt + 1) != 0) {
			code = s3_fail("GET", CURLE_ABORTED_BY_CALLBACK, 0, NULL, NULL, err, errlen);
			break;
		}
	}
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	free(r.errbody.p);
	*len = r.got;
	return code;
}

static void *
par_worker(void *arg)
{
	struct par *pa = arg;
	CURL *h = s3_easy(pa->c);
	char err[S3_ERRLEN];

	if (h == NULL) {
		par_fail(pa, EX_OSERR, "GET: out of memory");
		return NULL;
	}
	for (;;) {
		long long p;
		struct pslot *s;
		size_t len = 0;
		int code;

		pthread_mutex_lock(&pa->mu);
		while (pa->code == 0 && pa->next < pa->nparts && pa->next >= pa->emitted + pa->c->jobs)
			pthread_cond_wait(&pa->cv, &pa->mu);
		if (pa->code != 0 || pa->next >= pa->nparts) {
			pthread_mutex_unlock(&pa->mu);
			break;
		}
		p = pa->next++;
		s = &pa->slots[p % pa->c->jobs];
		pthread_mutex_unlock(&pa->mu);
		/* The slot is ours: part p - jobs, its last holder, has been handed on. */
		code = fetch_range(pa, h, p, s->buf, &len, err, sizeof err);
		if (code != 0) {
			par_fail(pa, code, err);
			break;
		}
		pthread_mutex_lock(&pa->mu);
		s->len = len;
		s->done = 1;
		pthread_cond_broadcast(&pa->cv);
		pthread_mutex_unlock(&pa->mu);
	}
	curl_easy_cleanup(h);
	return NULL;
}

/* Read the object described by g (g->etag0, g->total; nothing written yet, the sink idle) with parallel
 * ranged GETs of c->part_size bytes, writing the parts in order to g->out and hashing them into the
 * sink's MD5 (the sink thread never touches it, as nothing is submitted to it). Returns 0 with g->got ==
 * g->total, or an EX_ code with the message in err. */
static int
par_get(struct get *g, const char *url, char *err, size_t errlen)
{
	const s3_config *c = g->c;
	struct par pa = { .c = c, .url = url, .etag = g->etag0, .total = g->total, .part = c->part_size };
	pthread_t *th = calloc((size_t)c->jobs, sizeof *th);
	sigset_t block, old;
	int nth = 0, code = 0;

	pa.nparts = (g->total + pa.part - 1) / pa.part;
	pa.slots = calloc((size_t)c->jobs, sizeof *pa.slots);
	pthread_mutex_init(&pa.mu, NULL);
	pthread_cond_init(&pa.cv, NULL);
	for (int i = 0; pa.slots != NULL && i < c->jobs && code == 0; i++)
		if ((pa.slots[i].buf = malloc((size_t)pa.part)) == NULL)
			code = EX_SOFTWARE;
	if (th == NULL || pa.slots == NULL || code != 0) {
		err_fmt(err, errlen, "GET: out of memory for %d parts of %lld MiB", c->jobs, pa.part >> 20);
		code = EX_OSERR;
		goto out;
	}
	/* Signals belong to the main thread, whose handler cancels the transfers. */
	sigfillset(&block);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (; nth < c->jobs && nth < pa.nparts; nth++)
		if (pthread_create(&th[nth], NULL, par_worker, &pa) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (nth == 0) {
		err_fmt(err, errlen, "GET: cannot start the download threads");
		code = EX_OSERR;
		goto out;
	}
	for (long long p = 0; p < pa.nparts; p++) {
		struct pslot *s = &pa.slots[p % c->jobs];

		pthread_mutex_lock(&pa.mu);
		while (!s->done && pa.code == 0)
			pthread_cond_wait(&pa.cv, &pa.mu);
		code = pa.code;
		pthread_mutex_unlock(&pa.mu);
		if (code != 0)
			break;
		/* Written and hashed here, not through the sink: this thread is already beside the transfers,
		 * and a copy into the sink's buffers would only cost CPU the receivers and server need. */
		if (fwrite(s->buf, 1, s->len, g->out) != s->len) {
			int e = errno ? errno : EIO;

			err_fmt(err, errlen, "write: %s", strerror(e));
			par_fail(&pa, EX_IOERR, err);
			code = EX_IOERR;
			break;
		}
		if (g->sink->do_md5)
			EVP_DigestUpdate(g->sink->md5, s->buf, s->len);
		g->got += (long long)s->len;
		progress_update(g->got);
		pthread_mutex_lock(&pa.mu);
		s->done = 0;
		pa.emitted++;
		pthread_cond_broadcast(&pa.cv);
		pthread_mutex_unlock(&pa.mu);
	}
	if (code != 0 && code != EX_IOERR)
		err_fmt(err, errlen, "%s", pa.err);
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	if (code == 0 && g->got != g->total) {
		err_fmt(err, errlen, "GET: read %lld bytes of %lld", g->got, g->total);
		code = EX_DATAERR;
	}
out:
	for (int i = 0; pa.slots != NULL && i < c->jobs; i++)
		free(pa.slots[i].buf);
	free(pa.slots);
	free(th);
	pthread_mutex_destroy(&pa.mu);
	pthread_cond_destroy(&pa.cv);
	return code;
}

/* The headers of the next attempt: from g->got on, If-Match the version being read, once bytes have come.
 * NULL when out of memory. */
static struct curl_slist *
get_headers(const s3_config *c, const struct get *g)
{
	char range[64], ifmatch[160];
	struct curl_slist *hdrs = s3_base_headers(c, SHA256_HEX_EMPTY), *ok = hdrs;

	if (hdrs != NULL && g->got > 0) {
		snprintf(range, sizeof range, "Range: bytes=%lld-", g->got);
		snprintf(ifmatch, sizeof ifmatch, "If-Match: %s", g->etag0);
		ok = curl_slist_append(hdrs, range);
		if (ok != NULL && g->etag0[0] != '\0')
			ok = curl_slist_append(hdrs, ifmatch);
		if (ok == NULL)
			curl_slist_free_all(hdrs);
	}
	return ok != NULL ? hdrs : NULL;
}

/* When the ETag is the object's MD5, check the bytes written against it. Returns 0 or EX_DATAERR. */
static int
check_md5(const struct get *g, char *err, size_t errlen)
{
	unsigned char md[16];
	char hex[33];

	if (!etag_is_md5(g))
		return 0;
	EVP_DigestFinal_ex(g->sink->md5, md, NULL);
	s3_hex(md, 16, hex);
	if (strncasecmp(hex, g->etag0 + 1, 32) != 0)
		return err_ret(EX_DATAERR, err, errlen, "GET: MD5 of the %lld bytes read is %s, the ETag says %s", g->got,
		    hex, g->etag0);
	return 0;
}

int
s3_get(const s3_config *c, const char *bucket, const char *key, FILE *out, long long *got,
    char *err, size_t errlen)
{
	struct sink k;
	struct get g = { .c = c, .out = out, .total = -1, .sink = &k };
	char curlerr[CURL_ERROR_SIZE], what[64];
	struct curl_slist *hdrs = NULL;
	CURL *h = s3_easy(c);
	char *url = s3_url(c, bucket, key, NULL), *moved = NULL;
	CURLcode rc = CURLE_OK;
	int attempt, code, relocated = 0;

	if ((code = sink_open(&k, out, err, errlen)) != 0)
		goto out;
	if (h == NULL || url == NULL) {
		code = err_ret(EX_OSERR, err, errlen, "GET: out of memory");
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
again:
	for (attempt = 0;; attempt++) {
		curl_slist_free_all(hdrs);
		g.start = g.got;
		if ((hdrs = get_headers(c, &g)) == NULL) {
			code = err_ret(EX_OSERR, err, errlen, "GET: out of memory");
			goto out;
		}
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		g.status = 0;
		g.skip = 0;
		g.body_started = 0;
		g.errbody.n = 0;
		curlerr[0] = '\0';
		rc = curl_easy_perform(h);
		if (g.go_par)
			break;
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
		if (!http_retryable(rc, g.status) || attempt >= c->retries || s3_cancelled)
			break;
		log_debug("GET %s: attempt %d failed (%s, HTTP %ld) at byte %lld, retrying", url, attempt + 1,
		    curlerr[0] ? curlerr : curl_easy_strerror(rc), g.status, g.got);
		if (s3_backoff(attempt + 1) != 0)
			break;
	}
	if (!g.go_par && rc == CURLE_OK && g.got == 0 &&
	    s3_relocate(c, h, g.status, g.region, url, &moved, &relocated))
		goto again;
	if (g.go_par) {
		if ((code = par_get(&g, moved != NULL ? moved : url, err, errlen)) != 0)
			goto out;
	} else if (!(rc == CURLE_OK && (g.status == 200 || g.status == 206))) {
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
	code = check_md5(&g, err, errlen);
out:
	progress_end();
	sink_close(&k); /* what arrived before a failure is written out too */
	if (got != NULL)
		*got = g.got;
	curl_slist_free_all(hdrs);
	free(g.errbody.p);
	free(url);
	free(moved);
	if (h != NULL)
		curl_easy_cleanup(h);
	return code;
}
