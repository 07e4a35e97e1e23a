#include "tws/wire.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "num.h"

/* ================================ writing ================================ */

void
tws_wbuf_init(tws_wbuf *b)
{
	memset(b, 0, sizeof *b);
}

void
tws_wbuf_free(tws_wbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

void
tws_wbuf_consume(tws_wbuf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

static int
reserve(tws_wbuf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + n <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
tws_w_raw(tws_wbuf *b, const void *p, size_t n)
{
	if (reserve(b, n) < 0)
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
tws_w_begin(tws_wbuf *b)
{
	b->start = b->len;
	tws_w_raw(b, "\0\0\0\0", 4);
}

void
tws_w_str(tws_wbuf *b, const char *s)
{
	tws_w_raw(b, s ? s : "", strlen(s ? s : "") + 1);
}

void
tws_w_int(tws_wbuf *b, long long v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", v);
	tws_w_str(b, buf);
}

void
tws_w_int_unset(tws_wbuf *b, int v)
{
	if (v == TWS_UNSET_INT)
		tws_w_str(b, "");
	else
		tws_w_int(b, v);
}

void
tws_w_dbl(tws_wbuf *b, double v)
{
	char buf[NUM_FMT_MAX];

	if (v == TWS_UNSET_DOUBLE || !isfinite(v)) {
		tws_w_str(b, "");
		return;
	}
	num_fmt(v, buf);
	tws_w_str(b, buf);
}

void
tws_w_bool(tws_wbuf *b, int v)
{
	tws_w_str(b, v ? "1" : "0");
}

int
tws_w_end(tws_wbuf *b)
{
	size_t n;

	if (b->oom)
		return -1;
	n = b->len - b->start - 4;
	if (n > TWS_MAX_FRAME) {
		b->len = b->start;
		return -1;
	}
	b->p[b->start] = (char)(n >> 24);
	b->p[b->start + 1] = (char)(n >> 16);
	b->p[b->start + 2] = (char)(n >> 8);
	b->p[b->start + 3] = (char)n;
	return 0;
}

/* ================================ reading ================================ */

long
tws_frame_split(const char *buf, size_t len, const char **payload, size_t *plen)
{
	const unsigned char *u = (const unsigned char *)buf;
	unsigned long n;

	if (len < 4)
		return 0;
	n = (unsigned long)u[0] << 24 | (unsigned long)u[1] << 16 | (unsigned long)u[2] << 8 | u[3];
	if (n == 0 || n > TWS_MAX_FRAME)
		return -1;
	if (len < 4 + n)
		return 0;
	*payload = buf + 4;
	*plen = n;
	return (long)(4 + n);
}

void
tws_msg_init(tws_msg *m)
{
	memset(m, 0, sizeof *m);
}

void
tws_msg_free(tws_msg *m)
{
	free(m->f);
	memset(m, 0, sizeof *m);
}

int
tws_msg_parse(tws_msg *m, const char *payload, size_t plen)
{
	size_t i, start = 0;

	m->n = m->pos = m->bad = 0;
	m->err[0] = '\0';
	if (plen == 0 || payload[plen - 1] != '\0') {
		err_fmt(m->err, sizeof m->err, "message does not end with a NUL");
		return -1;
	}
	for (i = 0; i < plen; i++) {
		if (payload[i] != '\0')
			continue;
		if (m->n == m->cap) {
			int cap = m->cap ? m->cap * 2 : 64;
			const char **f = realloc(m->f, (size_t)cap * sizeof *f);
			if (f == NULL) {
				err_fmt(m->err, sizeof m->err, "out of memory");
				return -1;
			}
			m->f = f;
			m->cap = cap;
		}
		m->f[m->n++] = payload + start;
		start = i + 1;
	}
	return 0;
}

static void
fail(tws_msg *m, const char *what, const char *fmt, ...)
{
	char msg[120];
	va_list ap;

	if (m->bad)
		return;
	m->bad = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	err_fmt(m->err, sizeof m->err, "field %d (%s): %s", m->pos - 1, what, msg);
}

static const char *
next(tws_msg *m, const char *what)
{
	if (m->pos >= m->n) {
		m->pos++;
		fail(m, what, "missing");
		return NULL;
	}
	return m->f[m->pos++];
}

const char *
tws_r_str(tws_msg *m, const char *what)
{
	const char *s = next(m, what);
	return s ? s : "";
}

void
tws_r_strcpy(tws_msg *m, char *dst, size_t n, const char *what)
{
	const char *s = tws_r_str(m, what);
	size_t len = strlen(s);

	if (len >= n) {
		fail(m, what, "longer than %zu bytes", n - 1);
		len = 0;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
}

long long
tws_r_i64(tws_msg *m, const char *what)
{
	const char *s = next(m, what);
	long long v;

	if (s == NULL || *s == '\0')
		return 0;
	if (num_parse_i64(s, strlen(s), &v) < 0) {
		fail(m, what, "'%.40s' is not an integer", s);
		return 0;
	}
	return v;
}

int
tws_r_int(tws_msg *m, const char *what)
{
	long long v = tws_r_i64(m, what);

	if (v < INT_MIN || v > INT_MAX) {
		fail(m, what, "%lld is out of range", v);
		return 0;
	}
	return (int)v;
}

int
tws_r_int_unset(tws_msg *m, const char *what)
{
	if (m->pos < m->n && m->f[m->pos][0] == '\0') {
		m->pos++;
		return TWS_UNSET_INT;
	}
	return tws_r_int(m, what);
}

double
tws_r_dbl(tws_msg *m, const char *what)
{
	const char *s = next(m, what);
	double v;

	if (s == NULL || *s == '\0')
		return TWS_UNSET_DOUBLE;
	if (num_parse(s, strlen(s), &v) < 0 || isnan(v)) {
		/* The official clients write unset doubles as Java/Python's "1.7976931348623157E308" and
		 * infinity as "Infinity"; num_parse takes the first (it is a decimal), not the second. */
		if (strcmp(s, "Infinity") == 0 || strcmp(s, "inf") == 0)
			return TWS_UNSET_DOUBLE;
		fail(m, what, "'%.40s' is not a number", s);
		return TWS_UNSET_DOUBLE;
	}
	if (isinf(v) || v >= TWS_UNSET_DOUBLE)
		return TWS_UNSET_DOUBLE;
	return v;
}

int
tws_r_bool(tws_msg *m, const char *what)
{
	const char *s = next(m, what);

	if (s == NULL || *s == '\0' || strcmp(s, "0") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "False") == 0)
		return 0;
	if (strcmp(s, "1") == 0 || strcmp(s, "true") == 0 || strcmp(s, "True") == 0)
		return 1;
	fail(m, what, "'%.40s' is not a boolean", s);
	return 0;
}

void
tws_r_skip(tws_msg *m, int n, const char *what)
{
	while (n-- > 0)
		(void)next(m, what);
}

int
tws_r_left(const tws_msg *m)
{
	return m->pos < m->n ? m->n - m->pos : 0;
}

/* ================================ handshake ================================ */

void
tws_hs_client_hello(tws_wbuf *b, int minv, int maxv, const char *opts)
{
	char buf[96];
	int n;

	tws_w_raw(b, "API\0", 4);
	n = snprintf(buf, sizeof buf, "v%d..%d%s%s", minv, maxv, opts && *opts ? " " : "",
	    opts && *opts ? opts : "");
	if (n < 0 || (size_t)n >= sizeof buf)
		n = snprintf(buf, sizeof buf, "v%d..%d", minv, maxv);
	tws_w_begin(b);
	tws_w_raw(b, buf, (size_t)n);
	tws_w_end(b);
}

long
tws_hs_server_parse(const char *buf, size_t len, int *minv, int *maxv, char *err, size_t errlen)
{
	const char *p;
	size_t plen;
	long n;
	char v[64];
	char *end;
	long a, z;

	if (len < 4)
		return memcmp(buf, "API\0", len) == 0 ? 0 : (err_fmt(err, errlen, "not a TWS API hello"), -1);
	if (memcmp(buf, "API\0", 4) != 0) {
		err_fmt(err, errlen, "not a TWS API hello");
		return -1;
	}
	n = tws_frame_split(buf + 4, len - 4, &p, &plen);
	if (n == 0)
		return 0;
	if (n < 0 || plen >= sizeof v) {
		err_fmt(err, errlen, "bad version range frame");
		return -1;
	}
	memcpy(v, p, plen);
	v[plen] = '\0';
	/* "v100..178", optionally followed by " +PACEAPI"; a bare "v176" means one version. */
	if (v[0] != 'v')
		goto bad;
	errno = 0;
	a = strtol(v + 1, &end, 10);
	if (end == v + 1 || errno)
		goto bad;
	z = a;
	if (strncmp(end, "..", 2) == 0) {
		const char *s = end + 2;
		z = strtol(s, &end, 10);
		if (end == s || errno)
			goto bad;
	}
	if (*end != '\0' && *end != ' ')
		goto bad;
	if (a < 1 || z < a || z > 100000)
		goto bad;
	*minv = (int)a;
	*maxv = (int)z;
	return n + 4;
bad:
	err_fmt(err, errlen, "bad version range '%.40s'", v);
	return -1;
}

void
tws_hs_server_reply(tws_wbuf *b, int version, const char *conn_time)
{
	tws_w_begin(b);
	tws_w_int(b, version);
	tws_w_str(b, conn_time);
	tws_w_end(b);
}
