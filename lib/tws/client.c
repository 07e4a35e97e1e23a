#include "tws/client_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "num.h"
#include "tws/pace.h"
#include "util.h"

/* ================================ helpers ================================ */

void
twsc_sleep_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int
twsc_fail(tws_client *c, int code, const char *fmt, ...)
{
	va_list ap;

	c->errcode = code;
	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof c->errmsg, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
tws_req_kind_name(enum tws_req_kind k)
{
	switch (k) {
	case TWS_REQ_HIST: return "historical data";
	case TWS_REQ_ORDER: return "order";
	case TWS_REQ_CANCEL: return "order cancel";
	case TWS_REQ_OPEN_ORDERS: return "open orders";
	case TWS_REQ_EXECUTIONS: return "executions";
	case TWS_REQ_POSITIONS: return "positions";
	case TWS_REQ_ACCOUNT_SUMMARY: return "account summary";
	case TWS_REQ_CURRENT_TIME: return "current time";
	case TWS_REQ_IDS: return "ids";
	case TWS_REQ_CONTRACT: return "contract details";
	case TWS_REQ_COMPLETED_ORDERS: return "completed orders";
	case TWS_REQ_MKT_DATA: return "market data";
	case TWS_REQ_NONE: break;
	}
	return "message";
}

static int
env_int(const char *name, int *out)
{
	const char *s = getenv(name);
	long long v;

	if (s == NULL || *s == '\0')
		return 0;
	if (num_parse_i64(s, strlen(s), &v) < 0 || v < 0 || v > 2147483647)
		return -1;
	*out = (int)v;
	return 0;
}

int
tws_client_opts_init(tws_client_opts *o)
{
	const char *h = getenv("IB_HOST");
	int rc = 0;

	memset(o, 0, sizeof *o);
	o->host = h && *h ? h : "127.0.0.1";
	o->port = 4002;
	o->conn_opts = "";
	o->connect_timeout_ms = 10000;
	o->request_timeout_ms = 60000;
	o->max_msgs_per_sec = 45;
	o->max_hist_open = 50;
	o->pacing_retries = 5;
	o->pacing_backoff_ms = 2000;
	o->reconnect_max = 5;
	o->reconnect_backoff_ms = 500;
	o->link_timeout_ms = 300000;
	if (env_int("IB_PORT", &o->port) < 0)
		rc = -1;
	if (env_int("IB_CLIENT_ID", &o->client_id) < 0)
		rc = -1;
	return rc;
}

tws_client *
tws_client_new(const tws_client_opts *o)
{
	tws_client *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->o = *o;
	if (c->o.max_msgs_per_sec <= 0)
		c->o.max_msgs_per_sec = 45;
	if (c->o.max_hist_open <= 0)
		c->o.max_hist_open = 50;
	if (c->o.link_timeout_ms <= 0)
		c->o.link_timeout_ms = 300000;
	c->host = strdup(o->host ? o->host : "127.0.0.1");
	c->o.conn_opts = NULL; /* copied below into the hello each time; keep no borrowed pointer */
	c->sent_at = calloc((size_t)c->o.max_msgs_per_sec, sizeof *c->sent_at);
	if (c->host == NULL || c->sent_at == NULL) {
		free(c->host);
		free(c->sent_at);
		free(c);
		return NULL;
	}
	c->o.conn_opts = o->conn_opts ? strdup(o->conn_opts) : NULL;
	c->fd = -1;
	c->version = TWS_MAX_VERSION;
	tws_wbuf_init(&c->out);
	tws_msg_init(&c->msg);
	for (int i = 0; i < c->o.max_msgs_per_sec; i++)
		c->sent_at[i] = -1000000;
	return c;
}

void
twsc_pend_free_all(tws_client *c)
{
	struct pending *p, *n;
	struct synth *s, *sn;

	for (p = c->pend; p != NULL; p = n) {
		n = p->next;
		free(p->frame);
		free(p);
	}
	c->pend = c->pend_tail = NULL;
	c->npend = 0;
	for (s = c->syn; s != NULL; s = sn) {
		sn = s->next;
		free(s);
	}
	c->syn = c->syn_tail = NULL;
}

void
twsc_close_fd(tws_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->ready = 0;
	c->out.len = 0;
	c->inlen = 0;
}

void
tws_disconnect(tws_client *c)
{
	twsc_close_fd(c);
	twsc_pend_free_all(c);
}

void
tws_client_free(tws_client *c)
{
	if (c == NULL)
		return;
	tws_disconnect(c);
	tws_wbuf_free(&c->out);
	tws_msg_free(&c->msg);
	free(c->in);
	free(c->last_bars);
	free(c->frame);
	free(c->accounts);
	tws_pace_free(&c->pace);
	free(c->sent_at);
	free((char *)c->o.conn_opts);
	free(c->host);
	free(c);
}

int tws_is_connected(const tws_client *c) { return c->fd >= 0 && c->ready; }
int tws_errcode(const tws_client *c) { return c->errcode; }

int
tws_err_ret(const tws_client *c, char *err, size_t errlen)
{
	return err_ret(tws_code(c), err, errlen, "%s", c->errmsg);
}

int
tws_code(const tws_client *c)
{
	switch (c->errcode) {
	case 0: return 0;
	case TWS_ERR_NOMEM: return EX_OSERR;
	case TWS_ERR_PROTOCOL: return EX_PROTOCOL;
	default: return EX_UNAVAILABLE;
	}
}
const char *tws_errmsg(const tws_client *c) { return c->errmsg; }
int tws_server_version(const tws_client *c) { return c->server_version; }
const char *tws_conn_time(const tws_client *c) { return c->conn_time; }
const char *tws_accounts(const tws_client *c) { return c->accounts ? c->accounts : ""; }
int tws_pending(const tws_client *c) { return c->npend; }

long long
tws_next_id(tws_client *c)
{
	return c->next_id++;
}

/* ================================ socket I/O ================================ */

/* Append what the socket has to c->in. Returns bytes read, 0 on EOF, -1 on error (EAGAIN: -2). */
long
twsc_read_some(tws_client *c)
{
	ssize_t n;

	if (c->incap - c->inlen < 65536) {
		size_t cap = c->incap ? c->incap * 2 : 131072;
		char *p = realloc(c->in, cap);
		if (p == NULL)
			return -1;
		c->in = p;
		c->incap = cap;
	}
	n = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -2 : -1;
	c->inlen += (size_t)n;
	return n;
}

/* Write what c->out holds without blocking. Returns 0, or -1 when the connection is broken. */
int
twsc_flush_some(tws_client *c)
{
	while (c->out.len > 0) {
		ssize_t n = send(c->fd, c->out.p, c->out.len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -1;
		}
		tws_wbuf_consume(&c->out, (size_t)n);
	}
	return 0;
}

/* Take the first complete frame out of c->in (its payload is copied to c->frame so that c->in can move).
 * Returns 1, 0 when no frame is complete, -1 on a bad frame. */
int
twsc_next_frame(tws_client *c, char **payload, size_t *plen)
{
	const char *p;
	size_t n;
	long total = tws_frame_split(c->in, c->inlen, &p, &n);

	if (total <= 0)
		return (int)total;
	if (n > c->framecap) {
		char *q = realloc(c->frame, n);
		if (q == NULL)
			return -1;
		c->frame = q;
		c->framecap = n;
	}
	memcpy(c->frame, p, n);
	memmove(c->in, c->in + total, c->inlen - (size_t)total);
	c->inlen -= (size_t)total;
	*payload = c->frame;
	*plen = n;
	return 1;
}

static int
connect_tcp(tws_client *c, long long deadline)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[16];
	int rc, fd = -1, one = 1, saved = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof port, "%d", c->o.port);
	if ((rc = getaddrinfo(c->host, port, &hints, &res)) != 0)
		return twsc_fail(c, TWS_ERR_CONNECT_FAIL, "couldn't connect to TWS at %s:%d: %s (error 502)", c->host,
		    c->o.port, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct pollfd pfd;
		socklen_t len = sizeof saved;
		long long left;

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno != EINPROGRESS) {
			saved = errno;
			close(fd);
			fd = -1;
			continue;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		left = deadline - util_now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			saved = ETIMEDOUT;
			close(fd);
			fd = -1;
			continue;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &saved, &len) == 0 && saved == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return twsc_fail(c, TWS_ERR_CONNECT_FAIL, "couldn't connect to TWS at %s:%d: %s (error 502)", c->host,
		    c->o.port, strerror(saved ? saved : ECONNREFUSED));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->fd = fd;
	return 0;
}

/* ================================ handshake ================================ */

int
twsc_connect_once(tws_client *c)
{
	long long deadline = util_now_ms() + (c->o.connect_timeout_ms > 0 ? c->o.connect_timeout_ms : 10000);
	tws_wbuf stash; /* frames that arrive during the handshake but are not part of it */
	int got_id = 0, got_accts = 0, err326 = 0;
	char other_err[200] = "";
	char *payload;
	size_t plen;

	twsc_close_fd(c);
	c->server_version = 0;
	if (connect_tcp(c, deadline) < 0)
		return -1;
	tws_hs_client_hello(&c->out, TWS_MIN_VERSION, TWS_MAX_VERSION, c->o.conn_opts);
	tws_wbuf_init(&stash);
	while (!(got_id && got_accts)) {
		struct pollfd pfd = { c->fd, POLLIN | (c->out.len ? POLLOUT : 0), 0 };
		long long left = deadline - util_now_ms();
		int r;
		long n;

		while ((r = twsc_next_frame(c, &payload, &plen)) == 1) {
			if (tws_msg_parse(&c->msg, payload, plen) < 0)
				goto protocol;
			if (c->server_version == 0) {
				/* The first answer: "version\0time\0", no message id. */
				long long v;
				const char *v0 = c->msg.f[0];
				if (c->msg.n != 2 || num_parse_i64(v0, strlen(v0), &v) < 0)
					goto protocol;
				if (v < TWS_MIN_VERSION || v > TWS_MAX_VERSION) {
					tws_wbuf_free(&stash);
					twsc_close_fd(c);
					return twsc_fail(c, TWS_ERR_PROTOCOL, "TWS at %s:%d speaks version %lld, outside %d..%d",
					    c->host, c->o.port, v, TWS_MIN_VERSION, TWS_MAX_VERSION);
				}
				c->server_version = c->version = (int)v;
				snprintf(c->conn_time, sizeof c->conn_time, "%s", c->msg.f[1]);
				tws_enc_start_api(&c->out, c->o.client_id, "");
				continue;
			}
			switch (tws_msg_id(&c->msg)) {
			case TWS_IN_NEXT_VALID_ID: {
				long long id;
				if (tws_dec_next_valid_id(&c->msg, &id) < 0)
					goto protocol;
				if (id > c->next_id)
					c->next_id = id;
				got_id = 1;
				continue;
			}
			case TWS_IN_MANAGED_ACCTS:
				if (tws_dec_managed_accts_dup(&c->msg, &c->accounts) < 0)
					goto protocol;
				got_accts = 1;
				continue;
			case TWS_IN_ERR_MSG: {
				tws_error e;
				if (tws_dec_error_v(&c->msg, &e, c->server_version) < 0)
					goto protocol;
				if (e.code == TWS_ERR_CLIENT_ID_IN_USE)
					err326 = 1;
				else if (!tws_error_is_notice(e.code))
					snprintf(other_err, sizeof other_err, "error %d: %.150s", e.code, e.msg);
				break;
			}
			default:
				break;
			}
			tws_w_begin(&stash); /* keep it for tws_poll */
			tws_w_raw(&stash, payload, plen);
			tws_w_end(&stash);
		}
		if (r < 0)
			goto protocol;
		if (twsc_flush_some(c) < 0)
			goto lost;
		if (got_id && got_accts)
			break;
		if (left <= 0) {
			tws_wbuf_free(&stash);
			twsc_close_fd(c);
			if (c->server_version == 0)
				return twsc_fail(c, TWS_ERR_CONNECT_FAIL, "couldn't connect to TWS at %s:%d: no answer to "
				    "the API handshake within %d ms (error 502)", c->host, c->o.port,
				    c->o.connect_timeout_ms);
			return twsc_fail(c, TWS_ERR_CONNECT_FAIL, "TWS at %s:%d did not become ready within %d ms "
			    "(client id %d)%s%s (error 502)", c->host, c->o.port, c->o.connect_timeout_ms,
			    c->o.client_id, *other_err ? ": " : "", other_err);
		}
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			goto lost;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = twsc_read_some(c);
			if (n == 0 || n == -1)
				goto lost;
		}
	}
	/* Put the stashed frames before whatever else arrived. */
	if (stash.len > 0) {
		tws_w_raw(&stash, c->in, c->inlen);
		if (stash.oom)
			goto lost;
		free(c->in);
		c->in = stash.p;
		c->inlen = stash.len;
		c->incap = stash.cap;
	} else {
		tws_wbuf_free(&stash);
	}
	c->ready = 1;
	return 0;
protocol:
	tws_wbuf_free(&stash);
	twsc_close_fd(c);
	return twsc_fail(c, TWS_ERR_PROTOCOL, "%s:%d is not a TWS API server we understand (%s)", c->host, c->o.port,
	    c->msg.err[0] ? c->msg.err : "bad handshake");
lost:
	tws_wbuf_free(&stash);
	twsc_close_fd(c);
	if (err326)
		return twsc_fail(c, TWS_ERR_CLIENT_ID_IN_USE, "client id %d is already in use at %s:%d (error 326): "
		    "choose another --client-id", c->o.client_id, c->host, c->o.port);
	if (*other_err)
		return twsc_fail(c, TWS_ERR_NOT_CONNECTED, "TWS at %s:%d closed the connection during the handshake: %s",
		    c->host, c->o.port, other_err);
	return twsc_fail(c, TWS_ERR_NOT_CONNECTED, "TWS at %s:%d closed the connection during the handshake "
	    "(client id %d already in use?) (error 504)", c->host, c->o.port, c->o.client_id);
}

int
tws_connect(tws_client *c)
{
	c->errcode = 0;
	c->errmsg[0] = '\0';
	c->lost = 0;
	c->attempts = 0;
	c->link_down = 0;
	return twsc_connect_once(c);
}

/* ================================ requests ================================ */

struct pending *
twsc_pend_add(tws_client *c, enum tws_req_kind kind, long long id, const tws_wbuf *frame)
{
	struct pending *p;

	if (frame->oom || (p = calloc(1, sizeof *p)) == NULL) {
		twsc_fail(c, TWS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if ((p->frame = malloc(frame->len)) == NULL) {
		free(p);
		twsc_fail(c, TWS_ERR_NOMEM, "out of memory");
		return NULL;
	}
	memcpy(p->frame, frame->p, frame->len);
	p->flen = frame->len;
	p->kind = kind;
	p->id = id;
	p->state = kind == TWS_REQ_HIST ? P_WAITING : P_READY;
	if (c->pend_tail)
		c->pend_tail->next = p;
	else
		c->pend = p;
	c->pend_tail = p;
	c->npend += kind != TWS_REQ_NONE;
	return p;
}

void
twsc_pend_remove(tws_client *c, struct pending *p)
{
	struct pending **pp, *prev = NULL;

	for (pp = &c->pend; *pp != NULL; prev = *pp, pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			if (c->pend_tail == p)
				c->pend_tail = prev;
			c->npend -= p->kind != TWS_REQ_NONE;
			free(p->frame);
			free(p);
			return;
		}
}

/* The oldest unfinished request of kind (id < 0: any id) with id. */
struct pending *
twsc_pend_find(tws_client *c, enum tws_req_kind kind, long long id)
{
	for (struct pending *p = c->pend; p != NULL; p = p->next)
		if ((kind == TWS_REQ_NONE ? p->kind != TWS_REQ_NONE : p->kind == kind) && (id < 0 || p->id == id))
			return p;
	return NULL;
}

/* Queue one encoded message (and free b). Returns 0, or -1 when out of memory. */
int
twsc_submit(tws_client *c, enum tws_req_kind kind, long long id, tws_wbuf *b)
{
	struct pending *p = twsc_pend_add(c, kind, id, b);

	tws_wbuf_free(b);
	return p ? 0 : -1;
}

int
twsc_need_conn(tws_client *c)
{
	if (c->fd >= 0 && c->ready)
		return 0;
	if (c->lost) /* a reconnect is coming in tws_poll: queue the request meanwhile */
		return 0;
	return twsc_fail(c, TWS_ERR_NOT_CONNECTED, "not connected to TWS (error 504)");
}

/* A message with no answer to wait for (a subscription's cancel). */
void
twsc_fire(tws_client *c, tws_wbuf *b)
{
	struct pending *p = twsc_pend_add(c, TWS_REQ_NONE, -1, b);

	(void)p;
	tws_wbuf_free(b);
}
