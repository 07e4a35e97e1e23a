#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "aout.h"
#include "err.h"
#include "log.h"
#include "s3_impl.h"

const char *
store_root(const char *root)
{
	const char *env = getenv("STI_STORE");

	if (root != NULL && *root != '\0')
		return root;
	return env != NULL && *env != '\0' ? env : STORE_DEFAULT_ROOT;
}

static int
is_explicit_local(const char *s)
{
	return s[0] == '/' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 || strncmp(s, "./", 2) == 0 ||
	    strncmp(s, "../", 3) == 0;
}

int
store_key_check(const char *key, int flags, char *err, size_t errlen)
{
	const char *seg = key, *why = NULL;
	size_t n = strlen(key);

	if (n == 0) {
		if (flags & STORE_KEY_PREFIX)
			return 0;
		why = "an empty key";
	} else if (key[0] == '/') {
		why = "a key must not start with '/'";
	}
	for (const unsigned char *p = (const unsigned char *)key; why == NULL && *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			why = "a key must not contain control characters";
		else if (*p == '\\')
			why = "a key must not contain a backslash";
	}
	while (why == NULL) {
		const char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);

		if (len == 0 && !(end == NULL && (flags & STORE_KEY_PREFIX) && seg > key))
			why = end == NULL ? "a key must not end with '/'" : "a key must not contain an empty segment ('//')";
		else if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
			why = "a key must not contain a '.' or '..' segment";
		if (end == NULL)
			break;
		seg = end + 1;
	}
	if (why == NULL)
		return 0;
	err_fmt(err, errlen, "%.*s%s: %s", n > 200 ? 200 : (int)n, key, n > 200 ? "..." : "", why);
	/* control characters would reach the terminal: show them as '?' */
	for (char *e = err; *e != '\0'; e++)
		if ((unsigned char)*e < 0x20 || *e == 0x7f)
			*e = '?';
	return EX_USAGE;
}

int
store_bucket_check(const char *bucket, char *err, size_t errlen)
{
	size_t n = strlen(bucket);

	if (n == 0 || n > 255 || strspn(bucket, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != n ||
	    strcmp(bucket, ".") == 0 || strcmp(bucket, "..") == 0) {
		err_fmt(err, errlen, "bucket '%.*s': not a bucket name (A-Z a-z 0-9 . - _)", n > 100 ? 100 : (int)n,
		    bucket);
		for (char *e = err; *e != '\0'; e++)
			if ((unsigned char)*e < 0x20 || *e == 0x7f)
				*e = '?';
		return EX_USAGE;
	}
	return 0;
}

/* Split "s3://bucket/key" into loc. */
static int
parse_s3(const char *url, store_loc *loc, char *err, size_t errlen)
{
	const char *b = url + 5, *slash = strchr(b, '/');
	size_t bn = slash ? (size_t)(slash - b) : strlen(b);

	if (bn == 0) {
		err_fmt(err, errlen, "%s: no bucket in the URL", url);
		return EX_USAGE;
	}
	loc->is_s3 = 1;
	loc->bucket = strndup(b, bn);
	loc->key = strdup(slash ? slash + 1 : "");
	if (loc->bucket != NULL && store_bucket_check(loc->bucket, err, errlen) != 0)
		return EX_USAGE;
	return 0;
}

int
store_resolve(const char *url, const char *root, store_loc *loc, char *err, size_t errlen)
{
	const char *r = store_root(root);
	int rc = 0;

	memset(loc, 0, sizeof *loc);
	if (strncmp(url, "s3://", 5) == 0) {
		rc = parse_s3(url, loc, err, errlen);
	} else if (strncmp(url, "file://", 7) == 0) {
		loc->key = strdup(url + 7);
		if (loc->key != NULL && *loc->key == '\0') {
			err_fmt(err, errlen, "%s: no path in the URL", url);
			rc = EX_USAGE;
		}
	} else if (is_explicit_local(url)) {
		loc->key = strdup(url);
	} else if ((rc = store_key_check(url, STORE_KEY_PREFIX, err, errlen)) != 0) {
		/* a store key: checked on its own first, so the message names what the caller wrote */
	} else if (strncmp(r, "s3://", 5) == 0) {
		if ((rc = parse_s3(r, loc, err, errlen)) == 0 && loc->key != NULL) {
			size_t n = strlen(loc->key);
			char *k = malloc(n + strlen(url) + 2);

			if (k != NULL)
				sprintf(k, "%s%s%s", loc->key, n > 0 && loc->key[n - 1] != '/' ? "/" : "", url);
			free(loc->key);
			loc->key = k;
			loc->base = k ? strlen(k) - strlen(url) : 0;
		}
	} else {
		const char *dir = strncmp(r, "file://", 7) == 0 ? r + 7 : r;
		size_t n = strlen(dir);

		loc->key = malloc(n + strlen(url) + 2);
		if (loc->key != NULL) {
			sprintf(loc->key, "%s%s%s", dir, n > 0 && dir[n - 1] != '/' ? "/" : "", url);
			loc->base = strlen(loc->key) - strlen(url);
		}
	}
	if (rc == 0 && (loc->key == NULL || (loc->is_s3 && loc->bucket == NULL))) {
		err_fmt(err, errlen, "out of memory");
		rc = EX_OSERR;
	}
	if (rc == 0 && loc->is_s3)
		rc = store_key_check(loc->key, STORE_KEY_PREFIX, err, errlen);
	if (rc != 0)
		store_loc_free(loc);
	return rc;
}

void
store_loc_free(store_loc *loc)
{
	free(loc->bucket);
	free(loc->key);
	memset(loc, 0, sizeof *loc);
}

/* ---- local files ---- */

static int
io_code(int e)
{
	if (e == ENOENT || e == ENOTDIR)
		return EX_NOINPUT;
	if (e == EACCES || e == EPERM || e == EROFS)
		return EX_NOPERM;
	return EX_IOERR;
}

int
store_make_parents(const char *path)
{
	char *p = strdup(path);
	int rc = 0;

	if (p == NULL)
		return -1;
	for (char *s = p + 1; *s != '\0' && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	free(p);
	return rc;
}

static int
copy(FILE *in, FILE *out, long long *n, int *rerr, int *werr)
{
	static __thread char buf[1 << 16];
	size_t k;

	while (!s3_cancelled && (k = fread(buf, 1, sizeof buf, in)) > 0) {
		if (fwrite(buf, 1, k, out) != k) {
			*werr = errno ? errno : EIO;
			return -1;
		}
		*n += (long long)k;
	}
	if (ferror(in)) {
		*rerr = errno ? errno : EIO;
		return -1;
	}
	return 0;
}

static int
local_put(const char *path, FILE *in, long long *written, char *err, size_t errlen)
{
	int rerr = 0, werr = 0;
	aout *a;

	if (path[0] == '\0' || path[strlen(path) - 1] == '/') {
		err_fmt(err, errlen, "%s: not a file name", path);
		return EX_USAGE;
	}
	if (store_make_parents(path) != 0 || (a = aout_open(path)) == NULL) {
		err_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return io_code(errno) == EX_NOINPUT ? EX_CANTCREAT : io_code(errno);
	}
	if (copy(in, aout_fp(a), written, &rerr, &werr) != 0 || s3_cancelled) {
		aout_abort(a);
		if (s3_cancelled) { /* a signal (s3_cancel): the old file stays, as on S3 */
			*written = 0;
			err_fmt(err, errlen, "%s: interrupted", path);
			return EX_TEMPFAIL;
		}
		*written = 0;
		err_fmt(err, errlen, rerr ? "read: %s" : "%s: %s", rerr ? strerror(rerr) : path,
		    strerror(werr));
		return rerr ? EX_IOERR : io_code(werr);
	}
	if (aout_commit(a) != 0) {
		*written = 0;
		err_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return io_code(errno);
	}
	return 0;
}

static int
local_get(const char *path, FILE *out, long long *got, char *err, size_t errlen)
{
	int rerr = 0, werr = 0, rc = 0;
	struct stat st;
	FILE *in = fopen(path, "r");

	if (in == NULL || fstat(fileno(in), &st) != 0 || S_ISDIR(st.st_mode)) {
		int e = in == NULL ? errno : S_ISDIR(st.st_mode) ? EISDIR : errno;

		if (in != NULL)
			fclose(in);
		err_fmt(err, errlen, "%s: %s", path, strerror(e));
		return e == EISDIR ? EX_NOINPUT : io_code(e);
	}
	if (copy(in, out, got, &rerr, &werr) != 0 || s3_cancelled) {
		if (s3_cancelled) {
			err_fmt(err, errlen, "%s: interrupted", path);
			rc = EX_TEMPFAIL;
		} else {
			err_fmt(err, errlen, "%s: %s", rerr ? path : "write", strerror(rerr ? rerr : werr));
			rc = EX_IOERR;
		}
	}
	fclose(in);
	return rc;
}

struct entry {
	char *path;         /* full path */
	long long size;     /* bytes */
	time_t mtime;       /* modification time */
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

/* A writer's temporary (aout's NAME.tmp.XXXXXX): not a key. */
static int
is_temp(const char *name)
{
	size_t n = strlen(name);

	return n > 11 && strncmp(name + n - 11, ".tmp.", 5) == 0;
}

/* Collect files under dir whose path starts with prefix: the keys, or (temps) only writers' temporaries. */
static int
walk(const char *dir, const char *prefix, int temps, struct entries *out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char *p;
		struct stat st;
		size_t pl = strlen(prefix);

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((p = malloc(strlen(dir) + strlen(de->d_name) + 2)) == NULL) {
			rc = -1;
			break;
		}
		sprintf(p, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", de->d_name);
		if (stat(p, &st) != 0) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			size_t n = strlen(p);

			/* descend when the prefix reaches into it or it lies under the prefix */
			if (strncmp(p, prefix, n < pl ? n : pl) == 0)
				rc = walk(p, prefix, temps, out);
			free(p);
		} else if (S_ISREG(st.st_mode) && strncmp(p, prefix, pl) == 0 && is_temp(de->d_name) == temps) {
			if (out->n == out->cap) {
				size_t cap = out->cap ? 2 * out->cap : 64;
				struct entry *v = realloc(out->v, cap * sizeof *v);

				if (v == NULL) {
					free(p);
					rc = -1;
					break;
				}
				out->v = v;
				out->cap = cap;
			}
			out->v[out->n++] = (struct entry){ p, (long long)st.st_size, st.st_mtime };
		} else {
			free(p);
		}
	}
	closedir(d);
	return rc;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

/* The files under the location's key (temps: only writers' temporaries), sorted by path, into *es
 * (free with entries_free, also after a failure). A bare name ("key", no '/') is looked for from the
 * current directory: its paths come back as "./key...". Returns 0 or an EX_ code (message in err). */
static int
collect(const store_loc *loc, int temps, struct entries *es, char *err, size_t errlen)
{
	int noslash = strchr(loc->key, '/') == NULL;
	char *key = malloc(strlen(loc->key) + 3), *dir = malloc(strlen(loc->key) + 3), *slash;
	int rc = 0;

	if (key == NULL || dir == NULL) {
		free(key);
		free(dir);
		return err_ret(EX_OSERR, err, errlen, "out of memory");
	}
	sprintf(key, "%s%s", noslash ? "./" : "", loc->key);
	strcpy(dir, key);
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	if (walk(dir, key, temps, es) != 0)
		rc = err_ret(io_code(errno), err, errlen, "%s: %s", dir, strerror(errno));
	if (es->n > 1)
		qsort(es->v, es->n, sizeof *es->v, entry_cmp);
	free(dir);
	free(key);
	return rc;
}

static void
entries_free(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		free(es->v[i].path);
	free(es->v);
}

static int
local_list(const store_loc *loc, int (*fn)(void *arg, const s3_object *o), void *arg, char *err, size_t errlen)
{
	struct entries es = { 0 };
	/* a bare name lists from the current directory: collect() gives "./name" paths */
	size_t base = loc->base + (strchr(loc->key, '/') == NULL ? 2 : 0);
	int rc = collect(loc, 0, &es, err, errlen);

	for (size_t i = 0; i < es.n && rc == 0; i++) {
		char lm[32];
		struct tm tm;
		s3_object o;

		gmtime_r(&es.v[i].mtime, &tm);
		strftime(lm, sizeof lm, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
		o.key = es.v[i].path + (strlen(es.v[i].path) >= base ? base : 0);
		o.size = es.v[i].size;
		o.etag = "";
		o.last_modified = lm;
		rc = fn(arg, &o);
	}
	entries_free(&es);
	return rc;
}

/* The writers' temporaries under the location older than cutoff: removed, each told to fn. */
static int
local_clean(const store_loc *loc, time_t cutoff, int (*fn)(void *arg, const store_stale *st), void *arg, char *err,
    size_t errlen)
{
	struct entries es = { 0 };
	int rc = collect(loc, 1, &es, err, errlen);

	for (size_t i = 0; i < es.n && rc == 0; i++) {
		char since[32];
		struct tm tm;
		store_stale st = { "temporary", es.v[i].path, NULL, since };

		if (es.v[i].mtime >= cutoff)
			continue;
		gmtime_r(&es.v[i].mtime, &tm);
		strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (unlink(es.v[i].path) != 0 && errno != ENOENT) {
			err_fmt(err, errlen, "%s: %s", es.v[i].path, strerror(errno));
			rc = io_code(errno);
		} else if (fn != NULL) {
			rc = fn(arg, &st);
		}
	}
	entries_free(&es);
	return rc;
}

struct s3_clean {
	const s3_config *c;
	const char *bucket;
	time_t cutoff;
	int (*fn)(void *arg, const store_stale *st);
	void *arg;
	char *err;
	size_t errlen;
};

static int
abort_stale(void *arg, const s3_upload *u)
{
	struct s3_clean *cl = arg;
	struct tm tm;
	const char *end;
	int rc;

	memset(&tm, 0, sizeof tm);
	if (u->initiated == NULL || (end = strptime(u->initiated, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL) {
		log_warn("upload %s of %s: no readable Initiated time: left alone", u->upload_id, u->key);
		return 0;
	}
	if (timegm(&tm) >= cl->cutoff)
		return 0;
	if ((rc = s3_abort_upload(cl->c, cl->bucket, u->key, u->upload_id, cl->err, cl->errlen)) != 0)
		return rc == EX_NOINPUT ? 0 : rc; /* completed or aborted meanwhile */
	if (cl->fn != NULL) {
		store_stale st = { "upload", u->key, u->upload_id, u->initiated };

		return cl->fn(cl->arg, &st);
	}
	return 0;
}

/* ---- dispatch ---- */

/* Run op with s3, or with a configuration loaded from the environment. */
static int
with_config(const s3_config *s3, s3_config *mine, const s3_config **use, char *err, size_t errlen)
{
	int rc;

	if (s3 != NULL) {
		*use = s3;
		return 0;
	}
	rc = s3_config_load(mine, NULL, err, errlen);
	*use = mine;
	return rc;
}

struct shift {
	int (*fn)(void *arg, const s3_object *o);
	void *arg;
	size_t base;
	int check; /* 1: the keys are store or S3 keys (not the caller's own local paths) */
};

/* A listed key on to the caller: checked (a server or a file name must not lead a key outside), then
 * without the root's leading bytes. */
static int
shift_key(void *arg, const s3_object *o)
{
	struct shift *s = arg;
	s3_object c = *o;
	char why[S3_ERRLEN];

	if (s->check && store_key_check(c.key, 0, why, sizeof why) != 0) {
		log_warn("listing: key refused and skipped: %s", why);
		return 0;
	}
	c.key += strlen(c.key) >= s->base ? s->base : 0;
	return s->fn(s->arg, &c);
}

/* store_put (put 1: fp to the location) and store_get (put 0: the location to fp); *n gets the bytes. */
static int
copy_object(const store_loc *loc, const s3_config *s3, FILE *fp, int put, const s3_meta *meta,
    long long *n, char *err, size_t errlen)
{
	s3_config mine = { 0 };
	const s3_config *c;
	long long dummy = 0;
	int rc;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (!loc->is_s3)
		return put ? local_put(loc->key, fp, n, err, errlen) : local_get(loc->key, fp, n, err, errlen);
	if (loc->key[0] == '\0' || loc->key[strlen(loc->key) - 1] == '/')
		return err_ret(EX_USAGE, err, errlen, "s3://%s/%s: not an object key", loc->bucket, loc->key);
	if ((rc = with_config(s3, &mine, &c, err, errlen)) == 0)
		rc = put ? s3_put(c, loc->bucket, loc->key, fp, meta, n, err, errlen) :
		    s3_get(c, loc->bucket, loc->key, fp, n, err, errlen);
	s3_config_free(&mine);
	return rc;
}

int
store_put(const store_loc *loc, const s3_config *s3, FILE *in, const s3_meta *meta,
    long long *written, char *err, size_t errlen)
{
	return copy_object(loc, s3, in, 1, meta, written, err, errlen);
}

int
store_get(const store_loc *loc, const s3_config *s3, FILE *out, long long *got, char *err, size_t errlen)
{
	return copy_object(loc, s3, out, 0, NULL, got, err, errlen);
}

int
store_list(const store_loc *loc, const s3_config *s3, int (*fn)(void *arg, const s3_object *o), void *arg,
    char *err, size_t errlen)
{
	s3_config mine = { 0 };
	const s3_config *c;
	struct shift sh = { fn, arg, loc->base, 1 };
	int rc;

	if (!loc->is_s3) {
		/* local_list gives keys relative to the root; paths (base 0) are the caller's own */
		sh.base = 0;
		sh.check = loc->base > 0;
		return local_list(loc, shift_key, &sh, err, errlen);
	}
	if ((rc = with_config(s3, &mine, &c, err, errlen)) == 0)
		rc = s3_list(c, loc->bucket, loc->key, shift_key, &sh, err, errlen);
	s3_config_free(&mine);
	return rc;
}

int
store_clean(const store_loc *loc, const s3_config *s3, long long age_s, int (*fn)(void *arg, const store_stale *st),
    void *arg, char *err, size_t errlen)
{
	s3_config mine = { 0 };
	const s3_config *c;
	time_t cutoff = time(NULL) - (time_t)age_s;
	int rc;

	if (!loc->is_s3)
		return local_clean(loc, cutoff, fn, arg, err, errlen);
	if ((rc = with_config(s3, &mine, &c, err, errlen)) == 0) {
		struct s3_clean cl = { c, loc->bucket, cutoff, fn, arg, err, errlen };

		rc = s3_list_uploads(c, loc->bucket, loc->key, abort_stale, &cl, err, errlen);
	}
	s3_config_free(&mine);
	return rc;
}

int
store_put_url(const char *url, FILE *in, char *err, size_t errlen)
{
	store_loc loc;
	int rc = store_resolve(url, NULL, &loc, err, errlen);

	if (rc == 0) {
		rc = store_put(&loc, NULL, in, NULL, NULL, err, errlen);
		store_loc_free(&loc);
	}
	return rc;
}

int
store_get_url(const char *url, FILE *out, char *err, size_t errlen)
{
	store_loc loc;
	int rc = store_resolve(url, NULL, &loc, err, errlen);

	if (rc == 0) {
		rc = store_get(&loc, NULL, out, NULL, err, errlen);
		store_loc_free(&loc);
	}
	return rc;
}
