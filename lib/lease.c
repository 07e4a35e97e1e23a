/* lease: see lease.h for the protocol and what it guarantees. */
#include "lease.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "s3.h"
#include "s3_impl.h"
#include "store.h"

#define HELD (-1)      /* internal: the name exists and is not ours */
#define ATTEMPTS 8     /* rounds of create / read / take over before giving up */

/* ---- the record ---- */

/* The wall clock with its fraction: a lease is expired once this reaches its (whole-second) expiry. */
static double
now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
expired(const struct lease *l)
{
	return now_real() >= (double)l->expires;
}

/* Stamp l as taken now for ttl seconds. The record keeps whole seconds, so the expiry is rounded up: the
 * holder keeps the lease at least ttl seconds (a taker at 12:00:00.9 would otherwise see a lease taken at
 * 11:59:59.999 with a TTL of 1 expire at once). */
static void
stamp(struct lease *l, int ttl)
{
	double t = now_real();

	l->acquired = (time_t)t;
	l->expires = (time_t)t + ttl + ((double)(time_t)t < t ? 1 : 0);
	l->ttl = ttl;
}

static void
iso_time(time_t t, char *out, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
parse_time(const char *s, time_t *t)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL || *end != '\0')
		return -1;
	*t = timegm(&tm);
	return 0;
}

char *
lease_json(const struct lease *l)
{
	char acq[32], exp[32], *s;
	json_t *j;

	iso_time(l->acquired, acq, sizeof acq);
	iso_time(l->expires, exp, sizeof exp);
	j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:i}", "type", "lease", "name", l->name, "owner",
	    l->owner, "host", l->host, "pid", (json_int_t)l->pid, "token", l->token, "acquired", acq, "expires", exp,
	    "ttl", l->ttl);
	if (j == NULL)
		return NULL;
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

void
lease_free(struct lease *l)
{
	if (l == NULL)
		return;
	free(l->store);
	free(l->name);
	free(l->owner);
	free(l->host);
	free(l);
}

/* A lease from its stored text; NULL when it is not one (or out of memory). */
static struct lease *
lease_parse(const char *text, size_t n)
{
	json_t *j = json_loadb(text, n, 0, NULL);
	const char *name = NULL, *owner = NULL, *host = NULL, *token = NULL, *acq = NULL, *exp = NULL;
	json_int_t pid = 0;
	int ttl = 0;
	struct lease *l = NULL;

	if (j != NULL &&
	    json_unpack(j, "{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s?i}", "name", &name, "owner", &owner, "host", &host,
		"pid", &pid, "token", &token, "acquired", &acq, "expires", &exp, "ttl", &ttl) == 0 &&
	    strlen(token) < sizeof l->token && (l = calloc(1, sizeof *l)) != NULL) {
		l->name = strdup(name);
		l->owner = strdup(owner);
		l->host = strdup(host);
		l->pid = (long)pid;
		snprintf(l->token, sizeof l->token, "%s", token);
		l->ttl = ttl;
		if (l->name == NULL || l->owner == NULL || l->host == NULL || parse_time(acq, &l->acquired) != 0 ||
		    parse_time(exp, &l->expires) != 0) {
			lease_free(l);
			l = NULL;
		}
	}
	json_decref(j);
	return l;
}

static int
held_msg(const char *key, const struct lease *cur, char *err, size_t errlen)
{
	char acq[32], exp[32];

	if (cur == NULL) {
		err_fmt(err, errlen, "%s: held, but its content is not a lease record (remove it with "
		    "store-lease break)", key);
		return EX_TEMPFAIL;
	}
	iso_time(cur->acquired, acq, sizeof acq);
	iso_time(cur->expires, exp, sizeof exp);
	err_fmt(err, errlen, "%s: held by %s (pid %ld on %s) since %s, until %s", key, cur->owner, cur->pid, cur->host,
	    acq, exp);
	return EX_TEMPFAIL;
}

/* ---- where the lease lives ---- */

struct where {
	store_loc loc;  /* locks/NAME resolved in the store */
	char key[300];  /* "locks/NAME", for messages */
	s3_config c;    /* S3 only */
	int curl;       /* curl_global_init done */
};

static int
where_open(struct where *w, const char *store_url, const char *name, char *err, size_t errlen)
{
	int rc;

	memset(w, 0, sizeof *w);
	if (name == NULL || strlen(name) > 200 || store_key_check(name, 0, err, errlen) != 0) {
		if (name == NULL || strlen(name) > 200)
			err_fmt(err, errlen, "lease name: 1 to 200 bytes");
		else
			err_fmt(err + strlen(err), errlen - strlen(err), " (lease name)");
		return EX_USAGE;
	}
	snprintf(w->key, sizeof w->key, "locks/%s", name);
	if ((rc = store_resolve(w->key, store_url, &w->loc, err, errlen)) != 0)
		return rc;
	if (w->loc.is_s3) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		w->curl = 1;
		if ((rc = s3_config_load(&w->c, NULL, err, errlen)) != 0)
			return rc;
	}
	return 0;
}

static void
where_close(struct where *w)
{
	store_loc_free(&w->loc);
	s3_config_free(&w->c);
	if (w->curl)
		curl_global_cleanup();
}

/* ---- S3 ---- */

/* One request on the lease's object: method, one extra header (or NULL), body (or NULL). */
static int
s3_op(struct where *w, const char *method, const char *hdr, const char *body, s3_resp *r, char *err, size_t errlen)
{
	CURL *h = s3_easy(&w->c);
	char *url = s3_url(&w->c, w->loc.bucket, w->loc.key, NULL);
	struct curl_slist *hdrs = NULL, *ok = NULL;
	int rc;

	if (h != NULL && url != NULL) {
		ok = hdrs = curl_slist_append(NULL, body != NULL ? "Content-Type: application/json" : "Accept: */*");
		if (ok != NULL && hdr != NULL)
			ok = hdrs = curl_slist_append(hdrs, hdr);
	}
	if (ok == NULL) {
		err_fmt(err, errlen, "out of memory");
		rc = EX_OSERR;
	} else {
		rc = s3_request(&w->c, h, method, url, hdrs, body, body ? strlen(body) : 0, r, err, errlen);
	}
	curl_slist_free_all(hdrs);
	free(url);
	if (h != NULL)
		curl_easy_cleanup(h);
	return rc;
}

/* The stored lease and its ETag: 0 (*cur NULL when it is not a lease record), EX_NOINPUT when absent. */
static int
s3_read(struct where *w, struct lease **cur, char *etag, size_t etaglen, char *err, size_t errlen)
{
	s3_resp r = { 0 };
	int rc = s3_op(w, "GET", NULL, NULL, &r, err, errlen);

	*cur = NULL;
	if (rc == 0) {
		*cur = lease_parse(r.body.p ? r.body.p : "", r.body.n);
		snprintf(etag, etaglen, "%s", r.etag);
	} else if (r.status == 404) {
		rc = EX_NOINPUT;
	}
	s3_resp_free(&r);
	return rc;
}

/* PUT the record with a condition ("If-None-Match: *" or "If-Match: ETAG"): 0 (etag set), HELD on 412 or
 * 409 (another conditional write won), else an EX_ code. */
static int
s3_put_if(struct where *w, const char *cond, const char *body, char *etag, size_t etaglen, char *err, size_t errlen)
{
	s3_resp r = { 0 };
	int rc = s3_op(w, "PUT", cond, body, &r, err, errlen);

	if (rc == 0)
		snprintf(etag, etaglen, "%s", r.etag);
	else if (r.status == 412 || r.status == 409)
		rc = HELD;
	s3_resp_free(&r);
	return rc;
}

/* ---- local ---- */

/* The directory of the lease file, opened and flock'ed: the guard of take-over, renew and release. */
static int
local_guard(const struct where *w, char *err, size_t errlen)
{
	char *dir = strdup(w->loc.key), *slash;
	int fd = -1;

	if (dir == NULL) {
		err_fmt(err, errlen, "out of memory");
		return -1;
	}
	slash = strrchr(dir, '/');
	if (slash != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	else
		strcpy(dir, ".");
	store_make_parents(w->loc.key); /* a release before any acquire finds no directory */
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || flock(fd, LOCK_EX) != 0) {
		err_fmt(err, errlen, "%s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(dir);
	return fd;
}

static void
local_unguard(int fd)
{
	flock(fd, LOCK_UN);
	close(fd);
}

static int
local_read(struct where *w, struct lease **cur, char *err, size_t errlen)
{
	FILE *fp = fopen(w->loc.key, "r");
	char buf[4096];
	size_t n;

	*cur = NULL;
	if (fp == NULL) {
		if (errno == ENOENT)
			return EX_NOINPUT;
		err_fmt(err, errlen, "%s: %s", w->loc.key, strerror(errno));
		return EX_IOERR;
	}
	n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	*cur = lease_parse(buf, n);
	return 0;
}

/* Write the record to a temporary next to the lease file: its path in tmp (PATH_MAX). */
static int
local_temp(struct where *w, const char *body, char *tmp, size_t tmplen, char *err, size_t errlen)
{
	int fd;
	size_t n = strlen(body);

	if (store_make_parents(w->loc.key) != 0) {
		err_fmt(err, errlen, "%s: %s", w->loc.key, strerror(errno));
		return errno == EACCES || errno == EROFS ? EX_NOPERM : EX_CANTCREAT;
	}
	snprintf(tmp, tmplen, "%s.tmp.XXXXXX", w->loc.key);
	if ((fd = mkstemp(tmp)) < 0) {
		err_fmt(err, errlen, "%s: %s", tmp, strerror(errno));
		return errno == EACCES || errno == EROFS ? EX_NOPERM : EX_CANTCREAT;
	}
	if (fchmod(fd, 0644) != 0 || write(fd, body, n) != (ssize_t)n || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		err_fmt(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return EX_IOERR;
	}
	close(fd);
	return 0;
}

/* Create the lease file only if absent: 0, HELD, or an EX_ code. */
static int
local_create(struct where *w, const char *body, char *err, size_t errlen)
{
	char tmp[4096];
	int rc = local_temp(w, body, tmp, sizeof tmp, err, errlen);

	if (rc != 0)
		return rc;
	if (link(tmp, w->loc.key) != 0) {
		rc = errno == EEXIST ? HELD : EX_IOERR;
		if (rc != HELD)
			err_fmt(err, errlen, "%s: %s", w->loc.key, strerror(errno));
	}
	unlink(tmp);
	return rc;
}

/* Replace the lease file by body (rename over it): 0 or an EX_ code. Call under the guard. */
static int
local_replace(struct where *w, const char *body, char *err, size_t errlen)
{
	char tmp[4096];
	int rc = local_temp(w, body, tmp, sizeof tmp, err, errlen);

	if (rc == 0 && rename(tmp, w->loc.key) != 0) {
		err_fmt(err, errlen, "%s: %s", w->loc.key, strerror(errno));
		unlink(tmp);
		rc = EX_IOERR;
	}
	return rc;
}

/* ---- acquire ---- */

static int
token_new(char *out)
{
	unsigned char b[16];

	arc4random_buf(b, sizeof b);
	s3_hex(b, sizeof b, out);
	return 0;
}

int
lease_acquire_as(const char *store_url, const char *name, int ttl_s, const char *owner, long pid,
    struct lease **out, char *err, size_t errlen)
{
	struct where w;
	struct lease *l = calloc(1, sizeof *l), *cur = NULL;
	char host[256] = "", *body = NULL, etag[128];
	int rc, attempt;

	*out = NULL;
	if (l == NULL) {
		err_fmt(err, errlen, "out of memory");
		return EX_OSERR;
	}
	if (ttl_s < 1 || ttl_s > LEASE_TTL_MAX) {
		err_fmt(err, errlen, "lease TTL %d: not within 1 .. %d seconds", ttl_s, LEASE_TTL_MAX);
		free(l);
		return EX_USAGE;
	}
	if ((rc = where_open(&w, store_url, name, err, errlen)) != 0) {
		where_close(&w);
		free(l);
		return rc;
	}
	gethostname(host, sizeof host - 1);
	l->store = store_url ? strdup(store_url) : NULL;
	l->name = strdup(name);
	l->owner = strdup(owner != NULL && *owner != '\0' ? owner : err_prog());
	l->host = strdup(host[0] ? host : "unknown");
	l->pid = pid > 0 ? pid : (long)getpid();
	l->ttl = ttl_s;
	token_new(l->token);
	if ((store_url != NULL && l->store == NULL) || l->name == NULL || l->owner == NULL || l->host == NULL) {
		err_fmt(err, errlen, "out of memory");
		rc = EX_OSERR;
		goto done;
	}
	for (attempt = 0, rc = HELD; attempt < ATTEMPTS && rc == HELD; attempt++) {
		stamp(l, ttl_s);
		free(body);
		if ((body = lease_json(l)) == NULL) {
			err_fmt(err, errlen, "lease record: out of memory or not UTF-8 (owner, host)");
			rc = EX_OSERR;
			break;
		}
		/* 1. create if absent */
		if (w.loc.is_s3)
			rc = s3_put_if(&w, "If-None-Match: *", body, l->etag, sizeof l->etag, err, errlen);
		else
			rc = local_create(&w, body, err, errlen);
		if (rc != HELD)
			break;
		/* 2. held: by whom, until when */
		lease_free(cur);
		rc = w.loc.is_s3 ? s3_read(&w, &cur, etag, sizeof etag, err, errlen) : local_read(&w, &cur, err, errlen);
		if (rc == EX_NOINPUT) { /* released in between: try again */
			rc = HELD;
			continue;
		}
		if (rc != 0)
			break;
		if (cur != NULL && strcmp(cur->token, l->token) == 0) {
			/* ours: the answer to a create that worked was lost, and its retry found it */
			if (w.loc.is_s3)
				snprintf(l->etag, sizeof l->etag, "%s", etag);
			rc = 0;
			break;
		}
		if (cur == NULL || !expired(cur)) {
			rc = held_msg(w.key, cur, err, errlen);
			break;
		}
		/* 3. expired: take it over, if it is still that expired lease */
		log_warn("%s: the lease of %s (pid %ld on %s) expired; taking it over", w.key, cur->owner, cur->pid,
		    cur->host);
		if (w.loc.is_s3) {
			char cond[160];

			snprintf(cond, sizeof cond, "If-Match: %s", etag);
			rc = s3_put_if(&w, cond, body, l->etag, sizeof l->etag, err, errlen);
		} else {
			int fd = local_guard(&w, err, errlen);
			struct lease *again = NULL;

			if (fd < 0) {
				rc = EX_IOERR;
				break;
			}
			rc = local_read(&w, &again, err, errlen);
			if (rc == EX_NOINPUT || (rc == 0 && again != NULL && strcmp(again->token, cur->token) == 0 &&
			    expired(again)))
				rc = local_replace(&w, body, err, errlen);
			else if (rc == 0)
				rc = HELD; /* another taker got there first: read it again */
			local_unguard(fd);
			lease_free(again);
		}
	}
	if (rc == HELD) {
		err_fmt(err, errlen, "%s: contended: %d attempts to take it failed", w.key, ATTEMPTS);
		rc = EX_TEMPFAIL;
	}
done:
	free(body);
	lease_free(cur);
	where_close(&w);
	if (rc == 0)
		*out = l;
	else
		lease_free(l);
	return rc;
}

int
lease_acquire(const char *store_url, const char *name, int ttl_s, struct lease **out, char *err, size_t errlen)
{
	return lease_acquire_as(store_url, name, ttl_s, NULL, 0, out, err, errlen);
}

int
lease_read(const char *store_url, const char *name, struct lease **out, char *err, size_t errlen)
{
	struct where w;
	char etag[128] = "";
	int rc;

	*out = NULL;
	if ((rc = where_open(&w, store_url, name, err, errlen)) == 0) {
		rc = w.loc.is_s3 ? s3_read(&w, out, etag, sizeof etag, err, errlen) : local_read(&w, out, err, errlen);
		if (rc == EX_NOINPUT)
			err_fmt(err, errlen, "%s: no lease", w.key);
		else if (rc == 0 && *out == NULL) {
			err_fmt(err, errlen, "%s: not a lease record", w.key);
			rc = EX_DATAERR;
		} else if (rc == 0) {
			snprintf((*out)->etag, sizeof (*out)->etag, "%s", etag);
		}
	}
	where_close(&w);
	return rc;
}

/* ---- release, renew, break ---- */

/* Apply op to the lease NAME if it carries token: delete it (body NULL) or replace it by body. */
static int
if_ours(const char *store_url, const char *name, const char *token, const char *body, char *newetag,
    size_t etaglen, char *err, size_t errlen)
{
	struct where w;
	int rc, attempt;

	if ((rc = where_open(&w, store_url, name, err, errlen)) != 0) {
		where_close(&w);
		return rc;
	}
	for (attempt = 0, rc = HELD; attempt < ATTEMPTS && rc == HELD; attempt++) {
		struct lease *cur = NULL;
		char etag[128] = "";
		int fd = -1;

		if (!w.loc.is_s3 && (fd = local_guard(&w, err, errlen)) < 0) {
			rc = EX_IOERR;
			break;
		}
		rc = w.loc.is_s3 ? s3_read(&w, &cur, etag, sizeof etag, err, errlen) : local_read(&w, &cur, err, errlen);
		if (rc == EX_NOINPUT) {
			rc = body == NULL ? 0 : EX_UNAVAILABLE; /* gone: nothing to release, nothing to renew */
			if (body != NULL)
				err_fmt(err, errlen, "%s: no lease to renew (it expired and was released)", w.key);
		} else if (rc == 0 && (cur == NULL || strcmp(cur->token, token) != 0)) {
			if (cur == NULL)
				err_fmt(err, errlen, "%s: not a lease record", w.key);
			else
				err_fmt(err, errlen, "%s: no longer ours: held by %s (pid %ld on %s)", w.key, cur->owner,
				    cur->pid, cur->host);
			rc = EX_UNAVAILABLE;
		} else if (rc == 0 && w.loc.is_s3) {
			char cond[160];
			s3_resp r = { 0 };

			snprintf(cond, sizeof cond, "If-Match: %s", etag);
			if (body == NULL) {
				rc = s3_op(&w, "DELETE", cond, NULL, &r, err, errlen);
				if (r.status == 404) /* deleted by our own attempt whose answer was lost */
					rc = 0;
				else if (r.status == 412 || r.status == 409)
					rc = HELD; /* changed since read: read again */
			} else {
				rc = s3_put_if(&w, cond, body, newetag, etaglen, err, errlen);
			}
			s3_resp_free(&r);
		} else if (rc == 0) {
			if (body == NULL) {
				if (unlink(w.loc.key) != 0 && errno != ENOENT) {
					err_fmt(err, errlen, "%s: %s", w.loc.key, strerror(errno));
					rc = EX_IOERR;
				}
			} else {
				rc = local_replace(&w, body, err, errlen);
			}
		}
		if (fd >= 0)
			local_unguard(fd);
		lease_free(cur);
	}
	if (rc == HELD) {
		err_fmt(err, errlen, "%s: contended: %d attempts failed", w.key, ATTEMPTS);
		rc = EX_TEMPFAIL;
	}
	where_close(&w);
	return rc;
}

int
lease_release_token(const char *store_url, const char *name, const char *token, char *err, size_t errlen)
{
	if (token == NULL || strlen(token) != 32 || strspn(token, "0123456789abcdef") != 32) {
		err_fmt(err, errlen, "lease token: 32 hex digits");
		return EX_USAGE;
	}
	return if_ours(store_url, name, token, NULL, NULL, 0, err, errlen);
}

int
lease_release(struct lease *l, char *err, size_t errlen)
{
	int rc = l == NULL ? 0 : lease_release_token(l->store, l->name, l->token, err, errlen);

	lease_free(l);
	return rc;
}

int
lease_renew(struct lease *l, int ttl_s, char *err, size_t errlen)
{
	struct lease next;
	char *body, etag[128] = "";
	int rc;

	if (ttl_s < 1 || ttl_s > LEASE_TTL_MAX) {
		err_fmt(err, errlen, "lease TTL %d: not within 1 .. %d seconds", ttl_s, LEASE_TTL_MAX);
		return EX_USAGE;
	}
	next = *l;
	stamp(&next, ttl_s);
	next.acquired = l->acquired;
	if ((body = lease_json(&next)) == NULL) {
		err_fmt(err, errlen, "out of memory");
		return EX_OSERR;
	}
	rc = if_ours(l->store, l->name, l->token, body, etag, sizeof etag, err, errlen);
	free(body);
	if (rc == 0) {
		l->ttl = next.ttl;
		l->expires = next.expires;
		snprintf(l->etag, sizeof l->etag, "%s", etag);
	}
	return rc;
}

int
lease_break(const char *store_url, const char *name, char *err, size_t errlen)
{
	struct where w;
	int rc;

	if ((rc = where_open(&w, store_url, name, err, errlen)) == 0) {
		if (w.loc.is_s3) {
			s3_resp r = { 0 };

			rc = s3_op(&w, "DELETE", NULL, NULL, &r, err, errlen);
			if (r.status == 404)
				rc = 0;
			s3_resp_free(&r);
		} else if (unlink(w.loc.key) != 0 && errno != ENOENT) {
			err_fmt(err, errlen, "%s: %s", w.loc.key, strerror(errno));
			rc = EX_IOERR;
		}
	}
	where_close(&w);
	return rc;
}
