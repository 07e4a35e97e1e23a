#include "pg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "log.h"
#include "num.h"
#include "util.h"

const char pg_session_sql[] =
    "SET DateStyle = 'ISO, YMD';\n"
    "SET extra_float_digits = 1;\n"
    "SET client_encoding = 'UTF8';\n";

static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : fallback;
}

static const char *
conf_user(void)
{
	return env_or("WRDS_USERNAME", env_or("PGUSER", NULL));
}

const char *
pg_target(char *buf, size_t n)
{
	const char *user = conf_user();

	snprintf(buf, n, "%s%s%s:%s/%s sslmode=%s", user ? user : "", user ? "@" : "",
	    env_or("PGHOST", PG_WRDS_HOST), env_or("PGPORT", PG_WRDS_PORT), env_or("PGDATABASE", PG_WRDS_DBNAME),
	    env_or("PGSSLMODE", "require"));
	return buf;
}

/* Replace every occurrence of the password in msg by "***": libpq does not echo passwords, but a
 * server's or a proxy's message might, and the guarantee must not rest on them. */
static void
scrub(char *msg, const char *password)
{
	size_t pl;
	char *p;

	if (password == NULL || (pl = strlen(password)) == 0)
		return;
	while ((p = strstr(msg, password)) != NULL) {
		size_t tail = strlen(p + pl);
		if (pl >= 3) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + pl, tail + 1);
		} else {
			memset(p, '*', pl);
		}
	}
}

/* libpq's messages end with a newline and may span lines ("...failed: Connection refused\n\tIs the
 * server running..."); keep them on one line of ours, runs of white space made one space. */
static void
one_line(char *msg)
{
	char *w = msg;
	int space = 0;

	for (const char *r = msg; *r != '\0'; r++) {
		if (*r == '\n' || *r == '\t' || *r == ' ' || *r == '\r') {
			space = 1;
			continue;
		}
		if (space && w != msg)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
}

/* Server notices and warnings (such as a shutdown announced mid-stream) go through the suite's log,
 * not libpq's bare fprintf. */
static void
notice(void *arg, const char *message)
{
	char msg[1024];

	const char *p = message;

	if (strncmp(p, "WARNING:", 8) == 0 || strncmp(p, "NOTICE:", 7) == 0)
		p = strchr(p, ':') + 1; /* the log line says its level itself */
	snprintf(msg, sizeof msg, "%s", p);
	one_line(msg);
	log_warn("%s", msg);
}

static int
auth_failure(PGconn *conn, const char *msg)
{
	static const char *const words[] = { "authentication failed", "pg_hba.conf", "no password supplied",
		"permission denied", "password is required", NULL };

	if (PQconnectionNeedsPassword(conn))
		return 1;
	if (strstr(msg, "role \"") != NULL && strstr(msg, "does not exist") != NULL)
		return 1;
	for (int i = 0; words[i] != NULL; i++)
		if (strstr(msg, words[i]) != NULL)
			return 1;
	return 0;
}

int
pg_connect(PGconn **out, const struct pg_conf *c, char *err, size_t errlen)
{
	const char *keys[16], *vals[16];
	char timeout[16], target[512], msg[1024];
	const char *user = conf_user();
	PGresult *res;
	PGconn *conn;
	int k = 0, code;

	*out = NULL;
	snprintf(timeout, sizeof timeout, "%d", c->connect_timeout);
	keys[k] = "host", vals[k++] = env_or("PGHOST", PG_WRDS_HOST);
	keys[k] = "port", vals[k++] = env_or("PGPORT", PG_WRDS_PORT);
	keys[k] = "dbname", vals[k++] = env_or("PGDATABASE", PG_WRDS_DBNAME);
	keys[k] = "sslmode", vals[k++] = env_or("PGSSLMODE", "require");
	keys[k] = "connect_timeout", vals[k++] = timeout;
	keys[k] = "application_name", vals[k++] = c->appname;
	if (user != NULL)
		keys[k] = "user", vals[k++] = user;
	if (c->password != NULL)
		keys[k] = "password", vals[k++] = c->password;
	keys[k] = NULL, vals[k] = NULL;

	pg_target(target, sizeof target);
	conn = PQconnectdbParams(keys, vals, 0);
	if (conn == NULL) {
		return err_ret(EX_OSERR, err, errlen, "%s: out of memory", target);
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
		one_line(msg);
		scrub(msg, c->password);
		code = auth_failure(conn, msg) ? EX_NOPERM : EX_UNAVAILABLE;
		if (PQconnectionNeedsPassword(conn))
			err_fmt(err, errlen, "%s: %s (set WRDS_PASSWORD or add the password to ~/.pgpass)", target, msg);
		else
			err_fmt(err, errlen, "%s: %s", target, msg);
		PQfinish(conn);
		return code;
	}
	PQsetNoticeProcessor(conn, notice, NULL);
	res = PQexec(conn, pg_session_sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
		one_line(msg);
		scrub(msg, c->password);
		err_fmt(err, errlen, "%s: setting up the session: %s", target, msg);
		PQclear(res);
		PQfinish(conn);
		return EX_UNAVAILABLE;
	}
	PQclear(res);
	*out = conn;
	return 0;
}

/* The sysexits code for a failed statement, from its SQLSTATE; libpq's own failures have none, and a
 * connection gone bad is a temporary failure (run again). */
static int
result_code(PGconn *conn, const PGresult *res)
{
	const char *st = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (st == NULL)
		return PQstatus(conn) == CONNECTION_BAD ? EX_TEMPFAIL : EX_SOFTWARE;
	if (strcmp(st, "42501") == 0 || strncmp(st, "28", 2) == 0)
		return EX_NOPERM;
	if (strcmp(st, "42P01") == 0 || strcmp(st, "3F000") == 0 || strcmp(st, "42703") == 0 ||
	    strcmp(st, "42883") == 0)
		return EX_UNAVAILABLE;
	if (strncmp(st, "08", 2) == 0 || strncmp(st, "57", 2) == 0 || strncmp(st, "53", 2) == 0 ||
	    strncmp(st, "40", 2) == 0)
		return EX_TEMPFAIL;
	if (strncmp(st, "22", 2) == 0)
		return EX_DATAERR;
	return PQstatus(conn) == CONNECTION_BAD ? EX_TEMPFAIL : EX_SOFTWARE;
}

static int
fail(PGconn *conn, PGresult *res, const char *what, long long rows, char *err, size_t errlen)
{
	char msg[1024];
	int code = result_code(conn, res);

	snprintf(msg, sizeof msg, "%s", res != NULL && PQresultErrorMessage(res)[0] != '\0' ?
	    PQresultErrorMessage(res) : PQerrorMessage(conn));
	one_line(msg);
	if (rows > 0)
		err_fmt(err, errlen, "%s after %lld rows: %s", what, rows, msg);
	else
		err_fmt(err, errlen, "%s: %s", what, msg);
	PQclear(res);
	return code;
}

/* pg_float8_text()'s fast path on the field that starts at s and ends at the first ',' or at e, in one
 * pass that copies as it goes; *f_end is set to the field's end. Returns the length written, or -1 for a
 * plain decimal that needs strtod. */
static inline __attribute__((always_inline)) long
float8_fast(const char *s, const char *e, const char **f_end, char *out)
{
	const char *p = s, *ib, *nz;
	char *w = out, *wi, *wl;
	size_t ni;

	if (p < e && *p == '-')
		*w++ = *p++;
	for (ib = p; p < e && (unsigned)(*p - '0') < 10;)
		*w++ = *p++;
	ni = (size_t)(p - ib);
	wi = wl = w; /* the end of the integer part; wl: the end of the fraction without its final zeros */
	if (ni > 0 && p < e && *p == '.') {
		*w++ = *p++;
		while (p < e && (unsigned)(*p - '0') < 10)
			*w++ = *p++;
		for (wl = w; wl[-1] == '0'; wl--)
			;
		if (wl[-1] == '.')
			wl--;
		if (w == wi + 1)
			ni = 0; /* "12.": not a plain decimal */
	}
	if ((p < e && *p != ',') || ni == 0) { /* not a plain decimal: float8out's own text (or no number at all) */
		const char *comma = memchr(p, ',', (size_t)(e - p));
		*f_end = comma != NULL ? comma : e;
		memcpy(out, s, (size_t)(*f_end - s));
		return *f_end - s;
	}
	*f_end = p;
	if (*ib != '0') { /* the first digit's decimal exponent is ni - 1 */
		if (ni + (size_t)(wl > wi ? wl - wi - 1 : 0) > 15)
			return -1;
	} else if (ni > 1) {
		return -1;
	} else if (wl > wi) { /* 0.0...d: the exponent is minus the zeros after the point, minus 1 */
		for (nz = ib + 2; *nz == '0'; nz++)
			;
		if (nz - (ib + 2) > 3 || wl - (wi + 1 + (nz - (ib + 2))) > 15)
			return -1;
	}
	return wl - out; /* the fraction's final zeros dropped, and the point with them */
}

int
pg_float8_text(const char *s, size_t n, char *out, size_t *len, char *err, size_t errlen)
{
	const char *f_end;
	long fast = float8_fast(s, s + n, &f_end, out);

	if (fast >= 0 || f_end != s + n) {
		if (f_end != s + n) { /* a comma in it: not a number */
			memcpy(out, s, n);
			fast = (long)n;
		}
		*len = (size_t)fast;
		return 0;
	}
	/* float8in: the nearest double (num_parse, as strtod), refusing what overflows or underflows to zero
	 * (a denormal passes). float8_fast has seen a plain decimal, so num_parse fails only on overflow (or
	 * when a copy of 64 digits or more finds no memory). */
	double v;
	int range = num_parse(s, n, &v) != 0;

	for (size_t i = 0; !range && v == 0 && i < n; i++)
		range = s[i] >= '1' && s[i] <= '9'; /* a zero that was not written as one */
	if (range)
		return err_ret(EX_DATAERR, err, errlen, "\"%.*s%s\" is out of range for type double precision",
		    (int)(n > 40 ? 40 : n), s, n > 40 ? "..." : "");
	*len = (size_t)num_fmt_pg(v, out);
	return 0;
}

/* pg_copy_out()'s output when it rewrites columns: rows are gathered into b and written in large
 * pieces. */
struct obuf {
	char *b;
	size_t len, cap;
	FILE *out;
};

static int
obuf_flush(struct obuf *o, char *err, size_t errlen)
{
	if (o->len > 0 && fwrite(o->b, 1, o->len, o->out) != o->len)
		return err_ret(EX_IOERR, err, errlen, "%s", strerror(errno));
	o->len = 0;
	return 0;
}

/* Append one row of a COPY (its line end included) to o, with the PG_FLOAT8 columns of a CSV rewritten
 * (cols NULL: as it is). */
static int
copy_row(const char *row, size_t n, const enum pg_col *cols, int ncols, long long *tally, struct obuf *o, char *err,
    size_t errlen)
{
	const char *p = row, *end = row + n, *f;
	size_t need = n + (size_t)ncols * NUM_FMT_MAX, len;
	char *w;
	int code;

	if (cols == NULL)
		ncols = 0;
	if (o->len + need > o->cap) {
		if ((code = obuf_flush(o, err, errlen)) != 0)
			return code;
		if (util_grow((void **)&o->b, &o->cap, need < 262144 ? 262144 : need, 1) != 0)
			return err_ret(EX_OSERR, err, errlen, "out of memory");
	}
	w = o->b + o->len;
	if (cols == NULL) { /* the bytes as they came */
		memcpy(w, row, n);
		o->len += n;
		return 0;
	}
	while (end > row && (end[-1] == '\n' || end[-1] == '\r'))
		end--; /* the line end is passed as it came */
	for (int c = 0, kept = 0;; c++) {
		enum pg_col k = c < ncols ? cols[c] : PG_PASS;

		f = p;
		if (k == PG_TALLY) {
			const char *comma = memchr(p, ',', (size_t)(end - p));
			p = comma != NULL ? comma : end;
			if (p - f == 1 && (*f == '1' || *f == '2') && tally != NULL)
				tally[*f - '0']++;
		} else if (kept++ > 0) {
			*w++ = ',';
		}
		if (k == PG_FLOAT8 && p < end && *p != '"') {
			long l = float8_fast(f, end, &p, w);
			if (l < 0) {
				if ((code = pg_float8_text(f, (size_t)(p - f), w, &len, err, errlen)) != 0)
					return code;
				l = (long)len;
			}
			w += l;
		} else if (k != PG_TALLY) {
			if (p < end && *p == '"') { /* a quoted field: "" is a quote inside it */
				for (*w++ = *p++; p < end && (*p != '"' || (p + 1 < end && p[1] == '"'));)
					if ((*w++ = *p++) == '"')
						*w++ = *p++;
			}
			const char *comma = memchr(p, ',', (size_t)(end - p));
			size_t l = (size_t)((comma != NULL ? comma : end) - p);
			memcpy(w, p, l);
			w += l;
			p += l;
		}
		if (p == end)
			break;
		p++;
	}
	memcpy(w, end, (size_t)(row + n - end));
	w += row + n - end;
	o->len = (size_t)(w - o->b);
	return 0;
}

int
pg_copy_out(PGconn *conn, const char *sql, const enum pg_col *cols, int ncols, long long *tally, FILE *out,
    long long *rows, void (*progress)(long long rows), char *err, size_t errlen)
{
	PGresult *res;
	char *row, msg[256];
	struct obuf o = { NULL, 0, 0, out };
	long long want;
	int n, code = 0;

	*rows = 0;
	if (tally != NULL)
		tally[0] = tally[1] = tally[2] = 0;
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT)
		return fail(conn, res, "query", 0, err, errlen);
	PQclear(res);
	/* Rows are gathered and written when libpq holds no more of them: large writes while the rows
	 * stream, and each row on its way as soon as the server pauses. */
	while ((n = PQgetCopyData(conn, &row, 1)) >= 0) {
		if (n == 0) {
			if ((code = obuf_flush(&o, msg, sizeof msg)) != 0 || (n = PQgetCopyData(conn, &row, 0)) < 0)
				break;
		}
		code = copy_row(row, (size_t)n, cols, ncols, tally, &o, msg, sizeof msg);
		PQfreemem(row);
		if (code != 0)
			break;
		if (++*rows % 65536 == 0 && progress != NULL)
			progress(*rows);
	}
	if (code == 0)
		code = obuf_flush(&o, msg, sizeof msg); /* the rows so far, even when the connection is lost */
	free(o.b);
	if (code != 0) {
		/* The rest of the stream is of no use: the caller's PQfinish() drops it. */
		if (code == EX_IOERR)
			return err_ret(code, err, errlen, "write error after %lld rows: %s", *rows, msg);
		return err_ret(code, err, errlen, "row %lld: %s", *rows + 1, msg);
	}
	if (n == -2)
		return fail(conn, NULL, "connection lost", *rows, err, errlen);
	res = PQgetResult(conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		code = fail(conn, res, "connection lost or query failed", *rows, err, errlen);
	else {
		/* The server's own count ("COPY n", data rows without the header) must match what arrived. */
		want = strtoll(PQcmdTuples(res), NULL, 10);
		if (want != *rows && want != *rows - 1) {
			code = EX_TEMPFAIL;
			err_fmt(err, errlen, "the server sent %lld rows, %lld arrived", want, *rows);
		}
		PQclear(res);
	}
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
	return code;
}

int
pg_query_row(PGconn *conn, const char *sql, char *buf, size_t n, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	size_t used = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		return fail(conn, res, "query", 0, err, errlen);
	buf[0] = '\0';
	for (int i = 0; i < PQnfields(res); i++) {
		int w = snprintf(buf + used, n - used, "%s%s", i ? "," : "", PQgetvalue(res, 0, i));
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
	PQclear(res);
	return 0;
}
