/* s3_put: one PUT for small input, else a multipart upload with several parts in flight.
 *
 * The reader (the caller's thread) fills part buffers from the input; c->jobs worker threads, each with
 * its own curl handle and connection, hash and send them. There are exactly c->jobs buffers, so memory
 * stays at jobs x part_size whatever the input's size or the server's speed. A part's body is sent from
 * memory with its SHA-256 signed (x-amz-content-sha256) and stated (x-amz-checksum-sha256): the server
 * rejects a part that arrives damaged, and a retry resends the same bytes. */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "err.h"
#include "log.h"
#include "progress.h"
#include "s3.h"
#include "s3_impl.h"

struct slot {
	unsigned char *buf; /* part_size bytes */
	size_t len;         /* bytes filled */
	int num;            /* part number, 1-based */
	int state;          /* FREE, FULL (waiting for a worker), BUSY (being sent) */
};

enum { FREE, FULL, BUSY };

struct done_part {
	char etag[128];         /* the server's ETag for the part */
	unsigned char sha[32];  /* its SHA-256 */
};

struct upload {
	const s3_config *c;
	const char *bucket, *key;
	char *upload_id;         /* from CreateMultipartUpload */
	pthread_mutex_t mu;
	pthread_cond_t cv;       /* any change of slot state, eof or failure */
	struct slot *slots;      /* c->jobs of them */
	struct done_part *parts; /* by part number - 1 */
	int nparts;              /* parts handed out so far */
	int eof;                 /* the reader has handed out the last part */
	int failed;              /* an EX_ code: stop everything */
	char err[S3_ERRLEN];     /* message for failed */
	long long sent;          /* bytes acknowledged, for progress */
	long long total;         /* bytes read, once all are */
};

static void
fail_locked(struct upload *u, int code, const char *msg)
{
	if (u->failed == 0) {
		u->failed = code;
		snprintf(u->err, sizeof u->err, "%s", msg);
	}
	pthread_cond_broadcast(&u->cv);
}

static char *
part_query(const char *upload_id, int num)
{
	char *eid = s3_uri_encode(upload_id, 0), *q = NULL;

	if (eid != NULL && (q = malloc(strlen(eid) + 48)) != NULL)
		sprintf(q, "partNumber=%d&uploadId=%s", num, eid);
	free(eid);
	return q;
}

/* hdrs with meta's Content-Type and Cache-Control (meta NULL: none). NULL when out of memory (hdrs freed). */
static struct curl_slist *
meta_headers(struct curl_slist *hdrs, const s3_meta *meta)
{
	const char *names[2] = { "Content-Type", "Cache-Control" };
	const char *vals[2] = { meta ? meta->content_type : NULL, meta ? meta->cache_control : NULL };

	for (int i = 0; i < 2 && hdrs != NULL; i++) {
		struct curl_slist *ok;
		char *line;

		if (vals[i] == NULL)
			continue;
		if ((line = malloc(strlen(names[i]) + strlen(vals[i]) + 3)) == NULL) {
			curl_slist_free_all(hdrs);
			return NULL;
		}
		sprintf(line, "%s: %s", names[i], vals[i]);
		if ((ok = curl_slist_append(hdrs, line)) == NULL)
			curl_slist_free_all(hdrs);
		hdrs = ok;
		free(line);
	}
	return hdrs;
}

/* Send one part (or, with upload_id NULL, the whole object with meta) from memory. */
static int
send_body(const s3_config *c, CURL *h, const char *bucket, const char *key, const char *upload_id, int num,
    const unsigned char *buf, size_t len, const s3_meta *meta, unsigned char sha[32], char *etag,
    size_t etaglen, char *err, size_t errlen)
{
	char b64[48], hdr[160], *q = NULL, *url;
	struct curl_slist *hdrs = NULL;
	s3_resp r = { 0 };
	int rc;

	EVP_Digest(buf, len, sha, NULL, EVP_sha256(), NULL);
	s3_b64(sha, 32, b64);
	snprintf(hdr, sizeof hdr, "x-amz-checksum-sha256: %s", b64);
	if ((hdrs = curl_slist_append(hdrs, hdr)) != NULL)
		hdrs = meta_headers(hdrs, meta);
	if (upload_id != NULL)
		q = part_query(upload_id, num);
	url = (upload_id == NULL || q != NULL) ? s3_url(c, bucket, key, q) : NULL;
	if (hdrs == NULL || url == NULL) {
		err_fmt(err, errlen, "out of memory");
		rc = EX_OSERR;
	} else {
		char what[64];

		rc = s3_request(c, h, "PUT", url, hdrs, len ? (const void *)buf : "", len, &r, err, errlen);
		if (rc == 0 && r.checksum[0] != '\0' && strcmp(r.checksum, b64) != 0) {
			err_fmt(err, errlen, "PUT: the server's checksum %s is not the data's %s", r.checksum, b64);
			rc = EX_DATAERR;
		}
		if (rc != 0 && upload_id != NULL) {
			snprintf(what, sizeof what, "part %d: ", num);
			if (strlen(what) + strlen(err) < errlen) {
				memmove(err + strlen(what), err, strlen(err) + 1);
				memcpy(err, what, strlen(what));
			}
		}
		snprintf(etag, etaglen, "%s", r.etag);
	}
	curl_slist_free_all(hdrs);
	free(q);
	free(url);
	s3_resp_free(&r);
	return rc;
}

static void *
worker(void *arg)
{
	struct upload *u = arg;
	CURL *h = s3_easy(u->c);
	char err[S3_ERRLEN];

	pthread_mutex_lock(&u->mu);
	if (h == NULL)
		fail_locked(u, EX_OSERR, "out of memory");
	for (;;) {
		struct slot *s = NULL;
		struct done_part dp;
		int rc;

		while (!u->failed) {
			for (int i = 0; i < u->c->jobs && s == NULL; i++)
				if (u->slots[i].state == FULL)
					s = &u->slots[i];
			if (s != NULL || u->eof)
				break;
			pthread_cond_wait(&u->cv, &u->mu);
		}
		if (s == NULL || u->failed)
			break;
		s->state = BUSY;
		pthread_mutex_unlock(&u->mu);
		rc = send_body(u->c, h, u->bucket, u->key, u->upload_id, s->num, s->buf, s->len, NULL, dp.sha,
		    dp.etag, sizeof dp.etag, err, sizeof err);
		if (rc == 0 && dp.etag[0] == '\0') {
			err_fmt(err, sizeof err, "part %d: the server sent no ETag", s->num);
			rc = EX_UNAVAILABLE;
		}
		pthread_mutex_lock(&u->mu);
		if (rc != 0) {
			fail_locked(u, rc, err);
		} else {
			u->parts[s->num - 1] = dp;
			u->sent += (long long)s->len;
			progress_update(u->sent);
		}
		s->state = FREE;
		pthread_cond_broadcast(&u->cv);
	}
	pthread_mutex_unlock(&u->mu);
	if (h != NULL)
		curl_easy_cleanup(h);
	return NULL;
}

/* Fill buf from in until full or EOF. Returns the count; *ioerr gets errno on a read error. */
static size_t
read_full(FILE *in, unsigned char *buf, size_t cap, int *ioerr)
{
	size_t n = 0;

	while (n < cap) {
		size_t k = fread(buf + n, 1, cap - n, in);

		n += k;
		if (k == 0) {
			if (ferror(in))
				*ioerr = errno ? errno : EIO;
			break;
		}
	}
	return n;
}

static char *
query_upload_id(const char *upload_id)
{
	char *eid = s3_uri_encode(upload_id, 0), *q = NULL;

	if (eid != NULL && (q = malloc(strlen(eid) + 16)) != NULL)
		sprintf(q, "uploadId=%s", eid);
	free(eid);
	return q;
}

static int
create_upload(struct upload *u, CURL *h, const s3_meta *meta, char *err, size_t errlen)
{
	struct curl_slist *hdrs = curl_slist_append(NULL, "x-amz-checksum-algorithm: SHA256");
	char *url = s3_url(u->c, u->bucket, u->key, "uploads=");
	s3_resp r = { 0 };
	size_t pos = 0;
	int rc;

	hdrs = meta_headers(hdrs, meta);
	if (url == NULL || hdrs == NULL) {
		err_fmt(err, errlen, "out of memory");
		rc = EX_OSERR;
	} else {
		rc = s3_request(u->c, h, "POST", url, hdrs, "", 0, &r, err, errlen);
		if (rc == 0 && (u->upload_id = s3_xml_take(r.body.p, r.body.n, &pos, "UploadId")) == NULL) {
			err_fmt(err, errlen, "CreateMultipartUpload: no UploadId in the answer");
			rc = EX_UNAVAILABLE;
		}
	}
	curl_slist_free_all(hdrs);
	free(url);
	s3_resp_free(&r);
	return rc;
}

/* The whole object's checksum as S3 gives it: base64 SHA-256 of the parts' SHA-256s, "-N". */
static void
composite(const struct upload *u, char out[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sha[32];
	char b64[48];

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (int i = 0; i < u->nparts; i++)
		EVP_DigestUpdate(ctx, u->parts[i].sha, 32);
	EVP_DigestFinal_ex(ctx, sha, NULL);
	EVP_MD_CTX_free(ctx);
	s3_b64(sha, 32, b64);
	snprintf(out, 64, "%s-%d", b64, u->nparts);
}

static int
complete_upload(struct upload *u, CURL *h, char *err, size_t errlen)
{
	s3_buf x = { 0 };
	char line[512], b64[48], *q = query_upload_id(u->upload_id), *url = q ? s3_url(u->c, u->bucket, u->key, q) : NULL;
	struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/xml");
	s3_resp r = { 0 };
	int rc = 0, bad = url == NULL || hdrs == NULL;
	size_t pos = 0;
	char *code = NULL, *cks = NULL;

	bad |= s3_buf_add(&x, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">", 73);
	for (int i = 0; i < u->nparts && !bad; i++) {
		s3_b64(u->parts[i].sha, 32, b64);
		snprintf(line, sizeof line, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag>"
		    "<ChecksumSHA256>%s</ChecksumSHA256></Part>", i + 1, u->parts[i].etag, b64);
		bad |= s3_buf_add(&x, line, strlen(line));
	}
	bad |= s3_buf_add(&x, "</CompleteMultipartUpload>", 26);
	if (bad) {
		err_fmt(err, errlen, "out of memory");
		rc = EX_OSERR;
		goto out;
	}
	rc = s3_request(u->c, h, "POST", url, hdrs, x.p, x.n, &r, err, errlen);
	if (rc == EX_NOINPUT && strstr(r.body.p ? r.body.p : "", "<Code>NoSuchUpload</Code>") != NULL) {
		/* Our upload is gone: most likely an attempt completed it but its answer was lost (libcurl
		 * itself resends on a connection that died unanswered). The object is ours if its size and,
		 * where the server tells it, its composite checksum are. */
		struct curl_slist *mode = curl_slist_append(NULL, "x-amz-checksum-mode: ENABLED");
		char *ourl = s3_url(u->c, u->bucket, u->key, NULL), want[64];
		s3_resp head = { 0 };

		composite(u, want);
		if (ourl != NULL && mode != NULL &&
		    s3_request(u->c, h, "HEAD", ourl, mode, NULL, 0, &head, err, errlen) == 0 &&
		    head.length == u->total && (head.checksum[0] == '\0' || strcmp(head.checksum, want) == 0)) {
			log_warn("%s/%s: the answer to CompleteMultipartUpload was lost; the object is in place",
			    u->bucket, u->key);
			rc = 0;
		} else {
			err_fmt(err, errlen, "CompleteMultipartUpload: the upload is gone and the object is not ours");
			rc = EX_TEMPFAIL;
		}
		curl_slist_free_all(mode);
		free(ourl);
		s3_resp_free(&head);
		goto out;
	}
	/* S3 may answer 200 and still fail: the error is then in the body. */
	if (rc == 0 && (code = s3_xml_take(r.body.p, r.body.n, &pos, "Code")) != NULL) {
		rc = s3_fail("CompleteMultipartUpload", CURLE_OK, 500, &r.body, NULL, err, errlen);
		goto out;
	}
	pos = 0;
	if (rc == 0 && (cks = s3_xml_take(r.body.p, r.body.n, &pos, "ChecksumSHA256")) != NULL) {
		char want[64];

		composite(u, want);
		if (strcmp(cks, want) != 0) {
			err_fmt(err, errlen, "CompleteMultipartUpload: object checksum %s, expected %s", cks, want);
			rc = EX_DATAERR;
		}
	}
out:
	free(code);
	free(cks);
	free(x.p);
	free(q);
	free(url);
	curl_slist_free_all(hdrs);
	s3_resp_free(&r);
	return rc;
}

/* AbortMultipartUpload with handle h: 0 or an EX_ code. */
static int
abort_with(const s3_config *c, CURL *h, const char *bucket, const char *key, const char *upload_id, char *err,
    size_t errlen)
{
	char *q = query_upload_id(upload_id), *url = q ? s3_url(c, bucket, key, q) : NULL;
	s3_resp r = { 0 };
	int rc;

	if (url == NULL) {
		err_fmt(err, errlen, "out of memory");
		rc = EX_OSERR;
	} else {
		rc = s3_request(c, h, "DELETE", url, NULL, NULL, 0, &r, err, errlen);
	}
	s3_resp_free(&r);
	free(q);
	free(url);
	return rc;
}

static void
abort_upload(struct upload *u, CURL *h)
{
	char err[S3_ERRLEN];
	int was = s3_cancelled;

	s3_cancelled = 0; /* an interrupted upload must still be aborted */
	if (abort_with(u->c, h, u->bucket, u->key, u->upload_id, err, sizeof err) != 0)
		log_warn("could not abort multipart upload of %s/%s (%s): its parts remain until a lifecycle rule "
		    "or s3-put --abort-incomplete removes them", u->bucket, u->key, err);
	s3_cancelled = was;
}

int
s3_abort_upload(const s3_config *c, const char *bucket, const char *key, const char *upload_id, char *err,
    size_t errlen)
{
	CURL *h = s3_easy(c);
	int rc;

	if (h == NULL) {
		err_fmt(err, errlen, "out of memory");
		return EX_OSERR;
	}
	rc = abort_with(c, h, bucket, key, upload_id, err, errlen);
	curl_easy_cleanup(h);
	return rc;
}

/* One page's query of ListMultipartUploads, parameters in canonical (sorted) order. */
static char *
uploads_query(const char *prefix, const char *key_marker, const char *id_marker)
{
	char *ep = s3_uri_encode(prefix ? prefix : "", 0), *ek = s3_uri_encode(key_marker ? key_marker : "", 0);
	char *ei = s3_uri_encode(id_marker ? id_marker : "", 0), *q = NULL;

	if (ep != NULL && ek != NULL && ei != NULL && (q = malloc(strlen(ep) + strlen(ek) + strlen(ei) + 64)) != NULL) {
		if (key_marker != NULL)
			sprintf(q, "key-marker=%s&prefix=%s&upload-id-marker=%s&uploads=", ek, ep, ei);
		else
			sprintf(q, "prefix=%s&uploads=", ep);
	}
	free(ep);
	free(ek);
	free(ei);
	return q;
}

int
s3_list_uploads(const s3_config *c, const char *bucket, const char *prefix,
    int (*fn)(void *arg, const s3_upload *u), void *arg, char *err, size_t errlen)
{
	CURL *h = s3_easy(c);
	char *key_marker = NULL, *id_marker = NULL;
	int rc = h == NULL ? EX_SOFTWARE : 0;

	if (h == NULL)
		err_fmt(err, errlen, "out of memory");
	while (rc == 0) {
		s3_resp r = { 0 };
		size_t pos = 0, bp;

		rc = s3_list_page(c, h, bucket, uploads_query(prefix, key_marker, id_marker), &r, err, errlen);
		for (char *blk; rc == 0 && (blk = s3_xml_take(r.body.p, r.body.n, &pos, "Upload")) != NULL;) {
			size_t p1 = 0, p2 = 0, p3 = 0, n = strlen(blk);
			s3_upload u = { s3_xml_take(blk, n, &p1, "Key"), s3_xml_take(blk, n, &p2, "UploadId"),
				s3_xml_take(blk, n, &p3, "Initiated") };

			if (u.key != NULL && u.upload_id != NULL)
				rc = fn(arg, &u);
			free((char *)u.key);
			free((char *)u.upload_id);
			free((char *)u.initiated);
			free(blk);
		}
		free(key_marker);
		free(id_marker);
		key_marker = id_marker = NULL;
		if (rc == 0)
			rc = s3_page_next(&r.body, "ListMultipartUploads", "NextKeyMarker", &key_marker, err, errlen);
		if (key_marker != NULL) {
			bp = 0;
			id_marker = s3_xml_take(r.body.p, r.body.n, &bp, "NextUploadIdMarker");
		}
		s3_resp_free(&r);
		if (key_marker == NULL)
			break;
	}
	free(key_marker);
	free(id_marker);
	if (h != NULL)
		curl_easy_cleanup(h);
	return rc;
}

static int
multipart(struct upload *u, CURL *h, FILE *in, const s3_meta *meta, long long *written, char *err, size_t errlen)
{
	pthread_t *th = calloc((size_t)u->c->jobs, sizeof *th);
	sigset_t block, old;
	int nth = 0, rc, ioerr = 0, first = 1;
	long long total = (long long)u->slots[0].len;

	u->parts = calloc(S3_MAX_PARTS, sizeof *u->parts);
	if (th == NULL || u->parts == NULL) {
		free(th);
		err_fmt(err, errlen, "out of memory");
		return EX_OSERR;
	}
	if ((rc = create_upload(u, h, meta, err, errlen)) != 0) {
		free(th);
		return rc;
	}
	if (u->c->progress) /* bytes stored; the total once the input has ended */
		progress_begin(NULL, PROGRESS_BYTES, -1);
	/* Workers block SIGINT, SIGTERM and SIGHUP (they inherit the mask), so a signal reaches this thread
	 * and cuts its read short; the handler's s3_cancel() stops the workers' transfers. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (; nth < u->c->jobs; nth++)
		if (pthread_create(&th[nth], NULL, worker, u) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_mutex_lock(&u->mu);
	if (nth == 0)
		fail_locked(u, EX_OSERR, "cannot start upload threads");
	while (!u->failed) {
		struct slot *s = NULL;

		if (first) { /* slot 0 already holds the first part */
			s = &u->slots[0];
			first = 0;
		} else {
			while (!u->failed && s == NULL) {
				for (int i = 0; i < u->c->jobs && s == NULL; i++)
					if (u->slots[i].state == FREE)
						s = &u->slots[i];
				if (s == NULL)
					pthread_cond_wait(&u->cv, &u->mu);
			}
			if (u->failed)
				break;
			s->state = BUSY; /* the reader's, until FULL */
			pthread_mutex_unlock(&u->mu);
			s->len = read_full(in, s->buf, (size_t)u->c->part_size, &ioerr);
			pthread_mutex_lock(&u->mu);
			if (ioerr != 0 || s3_cancelled) {
				s->state = FREE;
				if (s3_cancelled) /* a signal also cuts the read short (EINTR) */
					fail_locked(u, EX_TEMPFAIL, "interrupted");
				else
					fail_locked(u, EX_IOERR, strerror(ioerr));
				break;
			}
			if (s->len == 0) {
				s->state = FREE;
				break;
			}
			total += (long long)s->len;
		}
		if (u->nparts == S3_MAX_PARTS) {
			s->state = FREE;
			fail_locked(u, EX_DATAERR, "input needs more than 10000 parts: raise --part-size");
			break;
		}
		s->num = ++u->nparts;
		s->state = FULL;
		pthread_cond_broadcast(&u->cv);
		if (s->len < (size_t)u->c->part_size)
			break; /* a short part is the last */
	}
	u->eof = 1;
	if (!u->failed)
		progress_total(total);
	pthread_cond_broadcast(&u->cv);
	pthread_mutex_unlock(&u->mu);
	for (int i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	free(th);
	if (u->failed == 0 && s3_cancelled)
		fail_locked(u, EX_TEMPFAIL, "interrupted");
	u->total = total;
	if (u->failed != 0) {
		err_fmt(err, errlen, "%s", u->err);
		rc = u->failed;
	} else {
		rc = complete_upload(u, h, err, errlen);
	}
	if (rc != 0)
		abort_upload(u, h);
	progress_end();
	*written = rc == 0 ? total : 0;
	return rc;
}

int
s3_put(const s3_config *c, const char *bucket, const char *key, FILE *in, const s3_meta *meta,
    long long *written, char *err, size_t errlen)
{
	struct upload u = { .c = c, .bucket = bucket, .key = key };
	s3_meta m = { meta ? meta->content_type : NULL, meta ? meta->cache_control : NULL };
	CURL *h = s3_easy(c);
	int rc = 0, ioerr = 0, ch = EOF;
	long long dummy;

	if (written == NULL)
		written = &dummy;
	*written = 0;
	if (m.content_type == NULL)
		m.content_type = s3_content_type(key);
	pthread_mutex_init(&u.mu, NULL);
	pthread_cond_init(&u.cv, NULL);
	u.slots = calloc((size_t)c->jobs, sizeof *u.slots);
	if (h == NULL || u.slots == NULL || c->jobs < 1 || (u.slots[0].buf = malloc((size_t)c->part_size)) == NULL) {
		err_fmt(err, errlen, "out of memory");
		rc = EX_OSERR;
		goto out;
	}
	u.slots[0].len = read_full(in, u.slots[0].buf, (size_t)c->part_size, &ioerr);
	if (ioerr == 0 && u.slots[0].len == (size_t)c->part_size && (ch = getc(in)) != EOF)
		ungetc(ch, in);
	else if (ioerr == 0 && ferror(in))
		ioerr = errno ? errno : EIO;
	else
		ch = EOF;
	if (ioerr != 0) {
		err_fmt(err, errlen, "read: %s", strerror(ioerr));
		rc = EX_IOERR;
		goto out;
	}
	if (ch == EOF) {
		unsigned char sha[32];
		char etag[128];

		rc = send_body(c, h, bucket, key, NULL, 0, u.slots[0].buf, u.slots[0].len, &m, sha, etag,
		    sizeof etag, err, errlen);
		if (rc == 0)
			*written = (long long)u.slots[0].len;
		goto out;
	}
	for (int i = 1; i < c->jobs; i++)
		if ((u.slots[i].buf = malloc((size_t)c->part_size)) == NULL) {
			err_fmt(err, errlen, "out of memory");
			rc = EX_OSERR;
			goto out;
		}
	rc = multipart(&u, h, in, &m, written, err, errlen);
out:
	for (int i = 0; u.slots != NULL && i < c->jobs; i++)
		free(u.slots[i].buf);
	free(u.slots);
	free(u.parts);
	free(u.upload_id);
	pthread_mutex_destroy(&u.mu);
	pthread_cond_destroy(&u.cv);
	if (h != NULL)
		curl_easy_cleanup(h);
	return rc;
}
