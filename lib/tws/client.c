#include "tws/client.h"

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

enum pstate {
	P_WAITING, /* a historical request waiting for a free slot or for its pacing back-off */
	P_READY,   /* may be sent as soon as the message rate allows */
	P_SENT,    /* sent; its timeout runs */
};

/* A request from its tws_req_* call until its end. The list is kept in creation order, which is also the
 * order in which ready requests are sent (a cancel never overtakes its order). */
struct pending {
	enum tws_req_kind kind;  /* TWS_REQ_NONE: a fire-and-forget message (cancel subscription) */
	long long id;            /* request or order id; -1 for kinds whose answer carries no id */
	enum pstate state;
	long long not_before;    /* ms: a waiting request is not sent before this (pacing back-off) */
	long long deadline;      /* ms: when a sent request times out */
	int retries;             /* pacing re-sends so far */
	int barrier;             /* open orders: barrier answers still to come before an OPEN_ORDER_END is ours */
	int internal;            /* current time: a barrier of the client's own, its answer is not reported */
	char *frame;             /* the framed message, kept for re-sending */
	size_t flen;
	tws_pace_key pace;       /* historical: what IB's pacing rules compare */
	struct pending *next;
};

struct synth {                   /* an event the client makes itself (timeout, reconnected) */
	tws_event ev;
	struct synth *next;
};

struct tws_client {
	tws_client_opts o;
	char *host;               /* o.host's copy */
	int fd;                   /* -1 when not connected */
	int ready;                /* handshake complete */
	int server_version;
	int version;              /* the layouts to encode: the last negotiated version (a reconnect goes to
	                           * the same gateway), TWS_MAX_VERSION before the first connection */
	char conn_time[64];
	char *accounts;           /* MANAGED_ACCTS, any length; NULL before it */
	long long next_id;        /* next order/request id */
	tws_wbuf out;             /* bytes to write */
	char *in;                 /* bytes read, not yet handled */
	size_t inlen, incap;
	tws_msg msg;              /* the message being handled */
	struct pending *pend, *pend_tail;
	int npend;
	struct synth *syn, *syn_tail;
	long long *sent_at;       /* ring of the last max_msgs_per_sec send times, for pacing */
	int sent_pos;
	tws_bar *last_bars;       /* freed at the next tws_poll */
	char *frame;              /* the payload being handled, copied out of in[] */
	size_t framecap;
	int errcode;
	char errmsg[256];
	int lost;                 /* the connection dropped: reconnect before anything else */
	int attempts;             /* reconnect attempts since a request was last answered */
	tws_pace pace;            /* historical requests sent lately (IB's pacing rules) */
	long long link_down;      /* ms: when 1100 arrived (TWS lost IB), 0 while the link is up */
};

/* ================================ helpers ================================ */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
fail(tws_client *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(tws_client *c, int code, const char *fmt, ...)
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

static void
pend_free_all(tws_client *c)
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

static void
close_fd(tws_client *c)
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
	close_fd(c);
	pend_free_all(c);
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
static long
read_some(tws_client *c)
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
static int
flush_some(tws_client *c)
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
static int
next_frame(tws_client *c, char **payload, size_t *plen)
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
		return fail(c, TWS_ERR_CONNECT_FAIL, "couldn't connect to TWS at %s:%d: %s (error 502)", c->host,
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
		left = deadline - now_ms();
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
		return fail(c, TWS_ERR_CONNECT_FAIL, "couldn't connect to TWS at %s:%d: %s (error 502)", c->host,
		    c->o.port, strerror(saved ? saved : ECONNREFUSED));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->fd = fd;
	return 0;
}

/* ================================ handshake ================================ */

static int
connect_once(tws_client *c)
{
	long long deadline = now_ms() + (c->o.connect_timeout_ms > 0 ? c->o.connect_timeout_ms : 10000);
	tws_wbuf stash; /* frames that arrive during the handshake but are not part of it */
	int got_id = 0, got_accts = 0, err326 = 0;
	char other_err[200] = "";
	char *payload;
	size_t plen;

	close_fd(c);
	c->server_version = 0;
	if (connect_tcp(c, deadline) < 0)
		return -1;
	tws_hs_client_hello(&c->out, TWS_MIN_VERSION, TWS_MAX_VERSION, c->o.conn_opts);
	tws_wbuf_init(&stash);
	while (!(got_id && got_accts)) {
		struct pollfd pfd = { c->fd, POLLIN | (c->out.len ? POLLOUT : 0), 0 };
		long long left = deadline - now_ms();
		int r;
		long n;

		while ((r = next_frame(c, &payload, &plen)) == 1) {
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
					close_fd(c);
					return fail(c, TWS_ERR_PROTOCOL, "TWS at %s:%d speaks version %lld, outside %d..%d",
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
		if (flush_some(c) < 0)
			goto lost;
		if (got_id && got_accts)
			break;
		if (left <= 0) {
			tws_wbuf_free(&stash);
			close_fd(c);
			if (c->server_version == 0)
				return fail(c, TWS_ERR_CONNECT_FAIL, "couldn't connect to TWS at %s:%d: no answer to "
				    "the API handshake within %d ms (error 502)", c->host, c->o.port,
				    c->o.connect_timeout_ms);
			return fail(c, TWS_ERR_CONNECT_FAIL, "TWS at %s:%d did not become ready within %d ms "
			    "(client id %d)%s%s (error 502)", c->host, c->o.port, c->o.connect_timeout_ms,
			    c->o.client_id, *other_err ? ": " : "", other_err);
		}
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			goto lost;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read_some(c);
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
	close_fd(c);
	return fail(c, TWS_ERR_PROTOCOL, "%s:%d is not a TWS API server we understand (%s)", c->host, c->o.port,
	    c->msg.err[0] ? c->msg.err : "bad handshake");
lost:
	tws_wbuf_free(&stash);
	close_fd(c);
	if (err326)
		return fail(c, TWS_ERR_CLIENT_ID_IN_USE, "client id %d is already in use at %s:%d (error 326): "
		    "choose another --client-id", c->o.client_id, c->host, c->o.port);
	if (*other_err)
		return fail(c, TWS_ERR_NOT_CONNECTED, "TWS at %s:%d closed the connection during the handshake: %s",
		    c->host, c->o.port, other_err);
	return fail(c, TWS_ERR_NOT_CONNECTED, "TWS at %s:%d closed the connection during the handshake "
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
	return connect_once(c);
}

/* ================================ requests ================================ */

static struct pending *
pend_add(tws_client *c, enum tws_req_kind kind, long long id, const tws_wbuf *frame)
{
	struct pending *p;

	if (frame->oom || (p = calloc(1, sizeof *p)) == NULL) {
		fail(c, 70, "out of memory");
		return NULL;
	}
	if ((p->frame = malloc(frame->len)) == NULL) {
		free(p);
		fail(c, 70, "out of memory");
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

static void
pend_remove(tws_client *c, struct pending *p)
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
static struct pending *
pend_find(tws_client *c, enum tws_req_kind kind, long long id)
{
	for (struct pending *p = c->pend; p != NULL; p = p->next)
		if ((kind == TWS_REQ_NONE ? p->kind != TWS_REQ_NONE : p->kind == kind) && (id < 0 || p->id == id))
			return p;
	return NULL;
}

/* Queue one encoded message (and free b). Returns 0, or -1 when out of memory. */
static int
submit(tws_client *c, enum tws_req_kind kind, long long id, tws_wbuf *b)
{
	struct pending *p = pend_add(c, kind, id, b);

	tws_wbuf_free(b);
	return p ? 0 : -1;
}

static int
need_conn(tws_client *c)
{
	if (c->fd >= 0 && c->ready)
		return 0;
	if (c->lost) /* a reconnect is coming in tws_poll: queue the request meanwhile */
		return 0;
	return fail(c, TWS_ERR_NOT_CONNECTED, "not connected to TWS (error 504)");
}

int
tws_req_historical(tws_client *c, const tws_hist_req *r)
{
	tws_hist_req q = *r;
	struct pending *p;
	tws_wbuf b;

	if (need_conn(c) < 0)
		return -1;
	q.req_id = (int)tws_next_id(c);
	tws_wbuf_init(&b);
	tws_enc_hist_req(&b, &q);
	if (b.oom || (p = pend_add(c, TWS_REQ_HIST, q.req_id, &b)) == NULL) {
		tws_wbuf_free(&b);
		return fail(c, 70, "out of memory");
	}
	tws_wbuf_free(&b);
	tws_pace_key_of(&q, &p->pace);
	return q.req_id;
}

long long
tws_place_order(tws_client *c, const tws_contract *ct, const tws_order *o)
{
	tws_order q = *o;
	tws_wbuf b;

	if (need_conn(c) < 0)
		return -1;
	if (q.order_id <= 0)
		q.order_id = tws_next_id(c);
	else if (q.order_id >= c->next_id)
		c->next_id = q.order_id + 1;
	tws_wbuf_init(&b);
	tws_enc_place_order_v(&b, ct, &q, c->version);
	return submit(c, TWS_REQ_ORDER, q.order_id, &b) < 0 ? -1 : q.order_id;
}

int
tws_cancel_order(tws_client *c, long long order_id)
{
	tws_wbuf b;

	if (need_conn(c) < 0)
		return -1;
	tws_wbuf_init(&b);
	tws_enc_cancel_order_v(&b, order_id, c->version);
	return submit(c, TWS_REQ_CANCEL, order_id, &b) < 0 ? -1 : 0;
}

static int
simple_req(tws_client *c, enum tws_req_kind kind, int msg_id)
{
	tws_wbuf b;

	if (need_conn(c) < 0)
		return -1;
	tws_wbuf_init(&b);
	tws_enc_simple(&b, msg_id);
	return submit(c, kind, -1, &b);
}

/* An open-orders request behind its barrier (see client.h). */
static int
open_orders_req(tws_client *c, int msg_id)
{
	if (simple_req(c, TWS_REQ_CURRENT_TIME, TWS_OUT_REQ_CURRENT_TIME) < 0)
		return -1;
	c->pend_tail->internal = 1;
	return simple_req(c, TWS_REQ_OPEN_ORDERS, msg_id);
}

int tws_req_open_orders(tws_client *c) { return open_orders_req(c, TWS_OUT_REQ_OPEN_ORDERS); }
int tws_req_all_open_orders(tws_client *c) { return open_orders_req(c, TWS_OUT_REQ_ALL_OPEN_ORDERS); }

int
tws_req_market_data_type(tws_client *c, int type)
{
	tws_wbuf b;

	if (need_conn(c) < 0)
		return -1;
	tws_wbuf_init(&b);
	tws_enc_market_data_type_req(&b, type);
	return submit(c, TWS_REQ_NONE, -1, &b);
}

int
tws_req_snapshot(tws_client *c, const tws_contract *ct)
{
	tws_mkt_req r;
	tws_wbuf b;

	if (need_conn(c) < 0)
		return -1;
	memset(&r, 0, sizeof r);
	r.req_id = (int)tws_next_id(c);
	r.contract = *ct;
	r.snapshot = 1;
	tws_wbuf_init(&b);
	tws_enc_mkt_req(&b, &r);
	return submit(c, TWS_REQ_MKT_DATA, r.req_id, &b) < 0 ? -1 : r.req_id;
}

int
tws_req_completed_orders(tws_client *c, int api_only)
{
	tws_wbuf b;

	if (need_conn(c) < 0)
		return -1;
	tws_wbuf_init(&b);
	tws_enc_req_completed_orders(&b, api_only);
	return submit(c, TWS_REQ_COMPLETED_ORDERS, -1, &b);
}
int tws_req_positions(tws_client *c) { return simple_req(c, TWS_REQ_POSITIONS, TWS_OUT_REQ_POSITIONS); }
int tws_req_current_time(tws_client *c) { return simple_req(c, TWS_REQ_CURRENT_TIME, TWS_OUT_REQ_CURRENT_TIME); }

int
tws_req_ids(tws_client *c)
{
	tws_wbuf b;

	if (need_conn(c) < 0)
		return -1;
	tws_wbuf_init(&b);
	tws_enc_req_ids(&b, 1);
	return submit(c, TWS_REQ_IDS, -1, &b);
}

int
tws_req_contract_details(tws_client *c, const tws_contract *ct)
{
	tws_wbuf b;
	int id;

	if (need_conn(c) < 0)
		return -1;
	id = (int)tws_next_id(c);
	tws_wbuf_init(&b);
	tws_enc_req_contract_v(&b, id, ct, c->version);
	return submit(c, TWS_REQ_CONTRACT, id, &b) < 0 ? -1 : id;
}

int
tws_req_executions(tws_client *c, const tws_exec_filter *f)
{
	tws_exec_filter none;
	tws_wbuf b;
	int id;

	if (need_conn(c) < 0)
		return -1;
	if (f == NULL) {
		memset(&none, 0, sizeof none);
		f = &none;
	}
	id = (int)tws_next_id(c);
	tws_wbuf_init(&b);
	tws_enc_req_executions(&b, id, f);
	return submit(c, TWS_REQ_EXECUTIONS, id, &b) < 0 ? -1 : id;
}

int
tws_req_account_summary(tws_client *c, const char *group, const char *tags)
{
	tws_wbuf b;
	int id;

	if (need_conn(c) < 0)
		return -1;
	id = (int)tws_next_id(c);
	tws_wbuf_init(&b);
	tws_enc_req_account_summary(&b, id, group ? group : "All", tags);
	return submit(c, TWS_REQ_ACCOUNT_SUMMARY, id, &b) < 0 ? -1 : id;
}

/* A message with no answer to wait for (a subscription's cancel). */
static void
fire(tws_client *c, tws_wbuf *b)
{
	struct pending *p = pend_add(c, TWS_REQ_NONE, -1, b);

	(void)p;
	tws_wbuf_free(b);
}

/* ================================ the event loop ================================ */

static void
synth_push(tws_client *c, const tws_event *ev)
{
	struct synth *s = calloc(1, sizeof *s);

	if (s == NULL)
		return;
	s->ev = *ev;
	if (c->syn_tail)
		c->syn_tail->next = s;
	else
		c->syn = s;
	c->syn_tail = s;
}

static int
hist_open(const tws_client *c)
{
	int n = 0;

	for (const struct pending *p = c->pend; p != NULL; p = p->next)
		n += p->kind == TWS_REQ_HIST && p->state == P_SENT;
	return n;
}

/* Move what pacing allows into the output buffer. Returns the time (ms) at which more may be sent, or
 * -1 when nothing waits. */
static long long
pump(tws_client *c, long long now)
{
	int open = hist_open(c), max = c->o.max_msgs_per_sec;
	long long wake = -1;
	struct pending *p, *next;

	for (p = c->pend; p != NULL; p = next) {
		next = p->next;
		if (p->state == P_WAITING) {
			if (now < p->not_before) {
				if (wake < 0 || p->not_before < wake)
					wake = p->not_before;
				continue;
			}
			if (open >= c->o.max_hist_open)
				continue; /* a slot frees when an answer arrives */
			if (p->kind == TWS_REQ_HIST) {
				long long t = tws_pace_when(&c->pace, &p->pace, now);
				if (t > now) {
					p->not_before = t;
					if (wake < 0 || t < wake)
						wake = t;
					continue;
				}
			}
			p->state = P_READY;
		}
		if (p->state != P_READY)
			continue;
		/* The ring holds the last max send times: the oldest must be a second old. */
		if (now - c->sent_at[c->sent_pos] < 1000) {
			long long t = c->sent_at[c->sent_pos] + 1000;
			if (wake < 0 || t < wake)
				wake = t;
			break;
		}
		c->sent_at[c->sent_pos] = now;
		c->sent_pos = (c->sent_pos + 1) % max;
		tws_w_raw(&c->out, p->frame, p->flen);
		if (p->kind == TWS_REQ_NONE) {
			pend_remove(c, p);
			continue;
		}
		p->state = P_SENT;
		p->deadline = now + (c->o.request_timeout_ms > 0 ? c->o.request_timeout_ms : 60000);
		if (p->kind == TWS_REQ_OPEN_ORDERS) { /* its barrier, and any current time asked before, come first */
			p->barrier = 0;
			for (struct pending *q = c->pend; q != NULL; q = q->next)
				p->barrier += q->kind == TWS_REQ_CURRENT_TIME && q->state == P_SENT;
		}
		if (p->kind == TWS_REQ_HIST) {
			tws_pace_sent(&c->pace, &p->pace, now); /* out of memory: paced by 162 answers then */
			open++;
		}
	}
	return wake;
}

/* Expired requests become TWS_EV_TIMEOUT events. Returns the earliest deadline still running, or -1. */
static long long
expire(tws_client *c, long long now)
{
	long long next_deadline = -1;
	struct pending *p, *n;

	if (c->link_down > 0)
		return -1; /* TWS has no link to IB: nothing can be answered, no timeout runs */
	for (p = c->pend; p != NULL; p = n) {
		n = p->next;
		if (p->state != P_SENT)
			continue;
		if (p->deadline <= now) {
			tws_event ev;
			memset(&ev, 0, sizeof ev);
			ev.type = TWS_EV_TIMEOUT;
			ev.req_id = (int)p->id;
			ev.kind = p->kind;
			synth_push(c, &ev);
			if (p->kind == TWS_REQ_HIST) { /* tell TWS too: it frees the request's slot there */
				tws_wbuf b;
				tws_wbuf_init(&b);
				tws_enc_cancel_hist(&b, (int)p->id);
				fire(c, &b);
			}
			pend_remove(c, p);
		} else if (next_deadline < 0 || p->deadline < next_deadline) {
			next_deadline = p->deadline;
		}
	}
	return next_deadline;
}

static void
end_req(tws_client *c, enum tws_req_kind kind, long long id, tws_event *ev)
{
	struct pending *p = pend_find(c, kind, id);

	ev->kind = kind;
	if (p != NULL && p->state == P_SENT) {
		pend_remove(c, p);
		c->attempts = 0; /* the connection works: a later drop starts counting afresh */
	}
}

/* Sent read requests go out again (after a reconnect, or 1101: TWS lost their data). Orders and cancels
 * never do: callers re-read open orders and executions. */
static void
resend_reads(tws_client *c)
{
	for (struct pending *p = c->pend; p != NULL; p = p->next) {
		if (p->state != P_SENT || p->kind == TWS_REQ_ORDER || p->kind == TWS_REQ_CANCEL)
			continue;
		p->state = p->kind == TWS_REQ_HIST ? P_WAITING : P_READY;
		p->not_before = 0;
		p->pace.again = 1;
	}
}

/* An ERR_MSG about TWS's link to IB (1100, 1101, 1102). */
static void
on_link(tws_client *c, int code)
{
	long long now = now_ms();
	tws_event ev;

	if (code == 1100) {
		if (c->link_down == 0) {
			c->link_down = now;
			log_warn("TWS at %s:%d lost its connection to IB (error 1100): waiting up to %d s for it to come "
			    "back", c->host, c->o.port, c->o.link_timeout_ms / 1000);
		}
		return;
	}
	if (c->link_down == 0)
		return;
	/* The time the link was down does not count against the requests' timeouts, and what TWS held
	 * meanwhile is answered only now: each sent request gets at least a whole timeout from now. */
	for (struct pending *p = c->pend; p != NULL; p = p->next) {
		long long fresh = now + (c->o.request_timeout_ms > 0 ? c->o.request_timeout_ms : 60000);
		if (p->state != P_SENT)
			continue;
		p->deadline += now - c->link_down;
		if (p->deadline < fresh)
			p->deadline = fresh;
	}
	log_warn("TWS at %s:%d has its connection to IB back after %lld ms (error %d, data %s)", c->host, c->o.port,
	    now - c->link_down, code, code == 1101 ? "lost: asking again" : "kept");
	c->link_down = 0;
	if (code == 1101) {
		resend_reads(c);
		memset(&ev, 0, sizeof ev);
		ev.type = TWS_EV_RECONNECTED;
		ev.req_id = -1;
		synth_push(c, &ev);
	}
}

static int
is_pacing_violation(const tws_error *e)
{
	return e->code == 162 && strstr(e->msg, "pacing violation") != NULL;
}

/* Decode c->msg into ev. Returns 1 when ev is an event for the caller, 0 when the message was handled
 * internally (or is one we do not know), -1 on a decoding error (ev is then a 505 error event: returned). */
static int
handle(tws_client *c, tws_event *ev)
{
	tws_msg *m = &c->msg;
	int id = tws_msg_id(m), rc = 0;
	struct pending *p;
	long long v;

	memset(ev, 0, sizeof *ev);
	ev->req_id = -1;
	switch (id) {
	case TWS_IN_HISTORICAL_DATA:
		ev->type = TWS_EV_BARS;
		rc = tws_dec_hist_data(m, &ev->u.bars);
		c->last_bars = ev->u.bars.bars;
		ev->req_id = ev->u.bars.req_id;
		end_req(c, TWS_REQ_HIST, ev->req_id, ev);
		break;
	case TWS_IN_ERR_MSG:
		ev->type = TWS_EV_ERROR;
		if ((rc = tws_dec_error_v(m, &ev->u.error, c->version)) < 0)
			break;
		ev->req_id = ev->u.error.id;
		if (ev->req_id >= 0 && (p = pend_find(c, TWS_REQ_NONE, ev->req_id)) != NULL) {
			ev->kind = p->kind;
			if (p->kind == TWS_REQ_HIST && is_pacing_violation(&ev->u.error) &&
			    p->retries < c->o.pacing_retries) {
				p->state = P_WAITING;
				p->pace.again = 0; /* IB saw it: a re-send is an identical request */
				p->not_before = now_ms() + ((long long)c->o.pacing_backoff_ms << p->retries);
				p->retries++;
				log_debug("historical request %d: pacing violation, retry %d", p->id > 0 ? (int)p->id : 0,
				    p->retries);
				return 0;
			}
			if (!tws_error_is_notice(ev->u.error.code) && p->state == P_SENT)
				pend_remove(c, p);
		}
		if (tws_code_kind(ev->u.error.code) == TWS_CODE_LINK_LOST ||
		    tws_code_kind(ev->u.error.code) == TWS_CODE_LINK_BACK)
			on_link(c, ev->u.error.code);
		return 1;
	case TWS_IN_ORDER_STATUS:
		ev->type = TWS_EV_ORDER_STATUS;
		if ((rc = tws_dec_order_status(m, &ev->u.status)) < 0)
			break;
		ev->req_id = (int)ev->u.status.order_id;
		end_req(c, TWS_REQ_ORDER, ev->req_id, ev);
		if (strcmp(ev->u.status.status, "Cancelled") == 0 || strcmp(ev->u.status.status, "ApiCancelled") == 0)
			end_req(c, TWS_REQ_CANCEL, ev->req_id, ev);
		ev->kind = TWS_REQ_ORDER;
		break;
	case TWS_IN_OPEN_ORDER:
		ev->type = TWS_EV_OPEN_ORDER;
		if ((rc = tws_dec_open_order_v(m, &ev->u.open_order, c->version)) < 0)
			break;
		ev->req_id = (int)ev->u.open_order.order.order_id;
		end_req(c, TWS_REQ_ORDER, ev->req_id, ev);
		break;
	case TWS_IN_OPEN_ORDER_END:
		ev->type = TWS_EV_OPEN_ORDER_END;
		for (p = c->pend; p != NULL; p = p->next)
			if (p->kind == TWS_REQ_OPEN_ORDERS && p->state == P_SENT && p->barrier == 0)
				break;
		if (p != NULL) {
			pend_remove(c, p);
			ev->kind = TWS_REQ_OPEN_ORDERS;
		} else {
			log_debug("open orders sent unasked (at connect): recorded, not taken as an answer");
		}
		break;
	case TWS_IN_TICK_PRICE:
	case TWS_IN_TICK_SIZE:
		ev->type = TWS_EV_TICK;
		rc = tws_dec_tick(m, &ev->u.tick);
		ev->req_id = ev->u.tick.req_id;
		ev->kind = TWS_REQ_MKT_DATA;
		break;
	case TWS_IN_TICK_SNAPSHOT_END:
		ev->type = TWS_EV_TICK_END;
		if ((rc = tws_dec_id_version_req(m, &ev->req_id)) == 0)
			end_req(c, TWS_REQ_MKT_DATA, ev->req_id, ev);
		break;
	case TWS_IN_COMPLETED_ORDER:
		ev->type = TWS_EV_COMPLETED_ORDER;
		rc = tws_dec_completed_order(m, &ev->u.completed, c->server_version);
		ev->kind = TWS_REQ_COMPLETED_ORDERS;
		break;
	case TWS_IN_COMPLETED_ORDERS_END:
		ev->type = TWS_EV_COMPLETED_END;
		end_req(c, TWS_REQ_COMPLETED_ORDERS, -1, ev);
		break;
	case TWS_IN_EXECUTION_DATA:
		ev->type = TWS_EV_EXEC;
		rc = tws_dec_exec(m, &ev->u.exec);
		ev->req_id = ev->u.exec.req_id;
		ev->kind = ev->req_id >= 0 ? TWS_REQ_EXECUTIONS : TWS_REQ_NONE;
		break;
	case TWS_IN_EXECUTION_DATA_END:
		ev->type = TWS_EV_EXEC_END;
		if ((rc = tws_dec_exec_end(m, &ev->req_id)) == 0)
			end_req(c, TWS_REQ_EXECUTIONS, ev->req_id, ev);
		break;
	case TWS_IN_COMMISSION_REPORT:
		ev->type = TWS_EV_COMMISSION;
		rc = tws_dec_commission(m, &ev->u.commission);
		break;
	case TWS_IN_POSITION_DATA:
		ev->type = TWS_EV_POSITION;
		rc = tws_dec_position(m, &ev->u.position);
		ev->kind = TWS_REQ_POSITIONS;
		break;
	case TWS_IN_POSITION_END: {
		tws_wbuf b;
		ev->type = TWS_EV_POSITION_END;
		end_req(c, TWS_REQ_POSITIONS, -1, ev);
		tws_wbuf_init(&b);
		tws_enc_simple(&b, TWS_OUT_CANCEL_POSITIONS);
		fire(c, &b);
		break;
	}
	case TWS_IN_ACCOUNT_SUMMARY:
		ev->type = TWS_EV_ACCOUNT_VALUE;
		rc = tws_dec_account_summary(m, &ev->u.account_value);
		ev->req_id = ev->u.account_value.req_id;
		ev->kind = TWS_REQ_ACCOUNT_SUMMARY;
		break;
	case TWS_IN_ACCOUNT_SUMMARY_END: {
		tws_wbuf b;
		ev->type = TWS_EV_ACCOUNT_SUMMARY_END;
		if ((rc = tws_dec_id_version_req(m, &ev->req_id)) < 0)
			break;
		end_req(c, TWS_REQ_ACCOUNT_SUMMARY, ev->req_id, ev);
		tws_wbuf_init(&b);
		tws_enc_cancel_account_summary(&b, ev->req_id);
		fire(c, &b);
		break;
	}
	case TWS_IN_NEXT_VALID_ID:
		ev->type = TWS_EV_NEXT_VALID_ID;
		if ((rc = tws_dec_next_valid_id(m, &v)) < 0)
			break;
		ev->u.id = v;
		if (v > c->next_id)
			c->next_id = v;
		end_req(c, TWS_REQ_IDS, -1, ev);
		break;
	case TWS_IN_CURRENT_TIME: {
		int internal;
		ev->type = TWS_EV_CURRENT_TIME;
		if ((rc = tws_dec_current_time(m, &v)) < 0)
			break;
		ev->u.time = v;
		for (struct pending *q = c->pend; q != NULL; q = q->next)
			if (q->kind == TWS_REQ_OPEN_ORDERS && q->state == P_SENT && q->barrier > 0)
				q->barrier--;
		p = pend_find(c, TWS_REQ_CURRENT_TIME, -1);
		internal = p != NULL && p->state == P_SENT && p->internal;
		end_req(c, TWS_REQ_CURRENT_TIME, -1, ev);
		if (internal)
			return 0;
		break;
	}
	case TWS_IN_CONTRACT_DATA:
		ev->type = TWS_EV_CONTRACT;
		rc = tws_dec_contract_data_v(m, &ev->u.contract, c->version);
		ev->req_id = ev->u.contract.req_id;
		ev->kind = TWS_REQ_CONTRACT;
		break;
	case TWS_IN_CONTRACT_DATA_END:
		ev->type = TWS_EV_CONTRACT_END;
		if ((rc = tws_dec_id_version_req(m, &ev->req_id)) == 0)
			end_req(c, TWS_REQ_CONTRACT, ev->req_id, ev);
		break;
	case TWS_IN_MANAGED_ACCTS:
		tws_dec_managed_accts_dup(m, &c->accounts);
		return 0;
	default:
		log_debug("ignoring TWS message %d", id);
		return 0;
	}
	if (rc < 0) {
		char what[sizeof m->err];
		snprintf(what, sizeof what, "%s", m->err);
		if (ev->type == TWS_EV_BARS) {
			free(c->last_bars);
			c->last_bars = NULL;
		}
		memset(ev, 0, sizeof *ev);
		ev->type = TWS_EV_ERROR;
		ev->req_id = -1;
		ev->u.error.id = -1;
		ev->u.error.code = TWS_ERR_PROTOCOL;
		snprintf(ev->u.error.msg, sizeof ev->u.error.msg, "cannot decode message %d: %s", id, what);
	}
	return 1;
}

/* The connection is gone: reconnect with back-off and re-send what can safely be re-sent. */
static int
reconnect(tws_client *c)
{
	long long base = c->o.reconnect_backoff_ms > 0 ? c->o.reconnect_backoff_ms : 500;
	tws_event ev;

	close_fd(c);
	c->link_down = 0;
	while (c->attempts < c->o.reconnect_max) {
		long long wait = base << (c->attempts < 20 ? c->attempts : 20);
		c->attempts++;
		log_warn("connection to TWS at %s:%d lost; reconnecting in %lld ms (attempt %d of %d)", c->host,
		    c->o.port, wait, c->attempts, c->o.reconnect_max);
		sleep_ms(wait);
		if (connect_once(c) < 0) {
			if (c->errcode == TWS_ERR_CLIENT_ID_IN_USE)
				break; /* retrying will not help */
			continue;
		}
		c->lost = 0;
		resend_reads(c);
		memset(&ev, 0, sizeof ev);
		ev.type = TWS_EV_RECONNECTED;
		ev.req_id = -1;
		synth_push(c, &ev);
		return 0;
	}
	c->lost = 0;
	pend_free_all(c);
	if (c->errcode == 0)
		fail(c, TWS_ERR_NOT_CONNECTED, "connection to TWS at %s:%d lost (error 504)", c->host, c->o.port);
	return -1;
}

int
tws_poll(tws_client *c, tws_event *ev, int timeout_ms)
{
	long long start = now_ms(), end = timeout_ms < 0 ? -1 : start + timeout_ms;
	char *payload;
	size_t plen;

	free(c->last_bars);
	c->last_bars = NULL;
	for (;;) {
		long long now = now_ms(), wake, dl, wait;
		struct pollfd pfd;
		int r;

		if (c->syn != NULL) {
			struct synth *s = c->syn;
			*ev = s->ev;
			c->syn = s->next;
			if (c->syn == NULL)
				c->syn_tail = NULL;
			free(s);
			return 1;
		}
		if (c->fd < 0 && !c->lost)
			return fail(c, TWS_ERR_NOT_CONNECTED, "not connected to TWS (error 504)");
		if (c->lost) {
			if (c->o.reconnect_max <= 0 || reconnect(c) < 0) {
				close_fd(c);
				pend_free_all(c);
				if (c->errcode == 0 || c->o.reconnect_max <= 0)
					fail(c, TWS_ERR_NOT_CONNECTED, "connection to TWS at %s:%d lost (error 504)", c->host,
					    c->o.port);
				return -1;
			}
			continue;
		}
		if ((r = next_frame(c, &payload, &plen)) == 1) {
			if (tws_msg_parse(&c->msg, payload, plen) < 0)
				continue;
			if (handle(c, ev) != 0)
				return 1;
			continue;
		}
		if (r < 0) {
			memset(ev, 0, sizeof *ev);
			ev->type = TWS_EV_ERROR;
			ev->req_id = ev->u.error.id = -1;
			ev->u.error.code = TWS_ERR_PROTOCOL;
			snprintf(ev->u.error.msg, sizeof ev->u.error.msg, "bad frame length from TWS: dropping connection");
			c->lost = 1;
			return 1;
		}
		if (c->link_down > 0 && now - c->link_down >= c->o.link_timeout_ms) {
			log_warn("TWS at %s:%d did not get its connection to IB back within %d s: reconnecting", c->host,
			    c->o.port, c->o.link_timeout_ms / 1000);
			c->lost = 1;
			continue;
		}
		dl = expire(c, now);
		if (c->link_down > 0)
			dl = c->link_down + c->o.link_timeout_ms;
		if (c->syn != NULL)
			continue;
		wake = pump(c, now);
		if (flush_some(c) < 0) {
			c->lost = 1;
			continue;
		}
		if (end >= 0 && now >= end)
			return 0;
		wait = end >= 0 ? end - now : -1;
		if (dl >= 0 && (wait < 0 || dl - now < wait))
			wait = dl - now;
		if (wake >= 0 && (wait < 0 || wake - now < wait))
			wait = wake - now;
		if (wait < 0 && end >= 0)
			wait = 0;
		pfd.fd = c->fd;
		pfd.events = POLLIN | (c->out.len ? POLLOUT : 0);
		pfd.revents = 0;
		if (poll(&pfd, 1, wait < 0 ? -1 : (int)(wait > 2147483647 ? 2147483647 : wait)) < 0) {
			if (errno == EINTR)
				continue;
			return fail(c, TWS_ERR_NOT_CONNECTED, "poll: %s", strerror(errno));
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			long n = read_some(c);
			if (n == 0 || n == -1)
				c->lost = 1;
		}
	}
}
