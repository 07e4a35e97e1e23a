/* sim/server: ib-sim's connections: the poll(2) loop, the handshake, the output of each session with its
 * fault injection (drops, delays), and the broker's notifications routed to the clients (see
 * sim/server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "sim/server_int.h"
#include "util.h"

static volatile sig_atomic_t stop_flag;

void
sim_server_stop(void)
{
	stop_flag = 1;
}

/* ================================ output ================================ */

/* Move what the message just handled produced into the output: counted (drop_after), delayed
 * (delay_ms). */
void
sv_commit(struct server *sv, struct sess *s)
{
	tws_wbuf *st = &s->stage_buf;
	size_t off = 0, keep;

	if (st->len == 0 || s->dead)
		goto done;
	if (st->oom) {
		s->dead = 1;
		goto done;
	}
	keep = st->len;
	if (s->drop && sv->o.drop_after > 0) {
		/* Walk the frames: stop after the drop_after-th message overall. */
		while (off + 4 <= st->len) {
			const unsigned char *u = (const unsigned char *)st->p + off;
			size_t n = (size_t)u[0] << 24 | (size_t)u[1] << 16 | (size_t)u[2] << 8 | u[3];
			off += 4 + n;
			if (++s->sent >= sv->o.drop_after) {
				keep = off;
				s->closing = 1;
				log_info("fault injection: dropping %s after %ld messages", s->peer, s->sent);
				break;
			}
		}
	}
	if (sv->o.delay_ms > 0) {
		struct chunk *c = calloc(1, sizeof *c);
		if (c == NULL || (c->p = malloc(keep)) == NULL) {
			free(c);
			s->dead = 1;
			goto done;
		}
		memcpy(c->p, st->p, keep);
		c->n = keep;
		c->due = util_now_ms() + sv->o.delay_ms;
		if (s->delayed_tail)
			s->delayed_tail->next = c;
		else
			s->delayed = c;
		s->delayed_tail = c;
	} else {
		tws_w_raw(&s->out, st->p, keep);
		if (s->out.oom)
			s->dead = 1;
	}
done:
	st->len = 0;
}

/* An error for session s, in the layout of its version. */
void
sv_send_error(struct sess *s, int id, int code, const char *msg)
{
	tws_error e;

	memset(&e, 0, sizeof e);
	e.id = id;
	e.code = code;
	snprintf(e.msg, sizeof e.msg, "%s", msg);
	tws_enc_error_v(&s->stage_buf, &e, s->version);
}

struct sess *
sv_client_sess(struct server *sv, int client_id)
{
	for (int i = 0; i < sv->ns; i++)
		if (sv->s[i]->stage == ST_READY && sv->s[i]->client_id == client_id && !sv->s[i]->dead)
			return sv->s[i];
	return NULL;
}

void
sv_emit_order(struct server *sv, struct sess *s, const sim_order *o)
{
	tws_open_order oo;
	tws_order_status st;

	if (o->perm_id != 0) {
		sim_order_to_open(sv->b, o, &oo);
		tws_enc_open_order_v(&s->stage_buf, &oo, s->version);
	}
	sim_order_to_status(o, &st);
	tws_enc_order_status(&s->stage_buf, &st);
}

void
sv_emit_fill(struct server *sv, struct sess *s, const sim_fill *f, int req_id)
{
	tws_exec e;

	sim_fill_to_exec(sv->b, f, req_id, &e);
	tws_enc_exec_v(&s->stage_buf, &e, s->version);
}

void
sv_emit_commission(struct sess *s, const sim_fill *f)
{
	tws_commission c;

	sim_fill_to_commission(f, &c);
	tws_enc_commission(&s->stage_buf, &c);
}

/* The broker's callback: tell the clients concerned. */
static void
on_note(void *ctx, const sim_note_info *n)
{
	struct server *sv = ctx;
	struct sess *s = sv_client_sess(sv, n->client_id);
	tws_position p;

	switch (n->kind) {
	case SIM_NOTE_ORDER:
		if (s != NULL) {
			sv_emit_order(sv, s, n->o);
			sv_commit(sv, s);
		}
		break;
	case SIM_NOTE_FILL:
		if (s != NULL) {
			sv_emit_fill(sv, s, n->f, -1);
			sv_emit_order(sv, s, n->o);
			sv_emit_commission(s, n->f);
			sv_commit(sv, s);
		}
		break;
	case SIM_NOTE_ERROR:
		if (s != NULL) {
			sv_send_error(s, (int)n->order_id, n->code, n->msg);
			sv_commit(sv, s);
		}
		break;
	case SIM_NOTE_POSITION:
		sv_account_changed(sv, n->p);
		sim_pos_to_position(sv->b, n->p, &p);
		for (int i = 0; i < sv->ns; i++) {
			struct sess *t = sv->s[i];
			if (t->stage == ST_READY && t->positions_sub && !t->dead) {
				tws_enc_position(&t->stage_buf, &p);
				sv_commit(sv, t);
			}
		}
		break;
	}
}
/* ================================ connections ================================ */

static void
sess_free(struct sess *s)
{
	struct chunk *c, *n;

	if (s->fd >= 0)
		close(s->fd);
	for (c = s->delayed; c; c = n) {
		n = c->next;
		free(c->p);
		free(c);
	}
	free(s->in);
	tws_wbuf_free(&s->stage_buf);
	tws_wbuf_free(&s->out);
	free(s);
}

/* Handle what is complete in s->in, at most a turn's worth: a client sending thousands of requests at once
 * must not keep the others (or a new client's handshake) waiting. */
#define TURN_MESSAGES 64

/* The first bytes of a connection, at s->in + off: "CTL " makes it a control session; else the API
 * handshake (the version negotiated, the server's reply). Returns the bytes used (0 for "CTL ", which the
 * control session reads as its first line), or -1 when more are needed or the session is dead. */
static long
hello(struct server *sv, struct sess *s, size_t off)
{
	char err[96], t[48];
	int lo, hi;
	size_t left = s->inlen - off;
	long n;

	if (memcmp(s->in + off, "CTL ", left < 4 ? left : 4) == 0) {
		if (left < 4)
			return -1;
		s->stage = ST_CTL;
		return 0;
	}
	n = tws_hs_server_parse(s->in + off, left, &lo, &hi, err, sizeof err);
	if (n == 0)
		return -1;
	if (n < 0) {
		log_warn("%s: %s: closing", s->peer, err);
		s->dead = 1;
		return -1;
	}
	s->version = hi < sv->o.server_version ? hi : sv->o.server_version;
	if (s->version < TWS_MIN_VERSION || lo > s->version) {
		log_warn("%s: client speaks versions %d..%d, we speak %d..%d: closing", s->peer, lo, hi,
		    TWS_MIN_VERSION, sv->o.server_version);
		s->dead = 1;
		return -1;
	}
	tws_hs_server_reply(&s->stage_buf, s->version, sim_broker_time(sv->b, " EST", t, sizeof t));
	s->stage = ST_START;
	if (sv->o.drop_after > 0 && sv->drops_left > 0) { /* only API connections count */
		s->drop = 1;
		sv->drops_left--;
	}
	sv_commit(sv, s);
	return n;
}

static void
process(struct server *sv, struct sess *s)
{
	size_t off = 0;
	int handled = 0;

	s->backlog = 0;
	while (!s->dead && !s->closing) {
		if (handled++ == TURN_MESSAGES) {
			s->backlog = 1;
			break;
		}
		const char *p;
		size_t plen;
		long n;

		if (s->stage == ST_HELLO) {
			if ((n = hello(sv, s, off)) < 0)
				break;
			off += (size_t)n;
			continue;
		}
		if (s->stage == ST_CTL) {
			char *nl = memchr(s->in + off, '\n', s->inlen - off);
			if (nl == NULL) {
				if (s->inlen - off > 4096)
					s->dead = 1;
				break;
			}
			*nl = '\0';
			sv_ctl_line(sv, s, s->in + off);
			off = (size_t)(nl - s->in) + 1;
			continue;
		}
		if (sv->link_down && s->stage == ST_READY)
			break; /* TWS without IB: requests wait, unanswered, until the link is back */
		n = tws_frame_split(s->in + off, s->inlen - off, &p, &plen);
		if (n == 0)
			break;
		if (n < 0) {
			log_warn("%s: bad frame length: closing", s->peer);
			s->dead = 1;
			break;
		}
		off += (size_t)n;
		if (sv->o.enforce_pacing && s->stage == ST_READY) {
			long long sec = util_now_ms() / 1000;
			if (sec != s->rate_sec) {
				s->rate_sec = sec;
				s->rate_n = 0;
			}
			if (++s->rate_n == 51)
				sv_send_error(s, -1, 100, "Max rate of messages per second has been exceeded:max=50 rec=51");
		}
		if (tws_msg_parse(&sv->msg, p, plen) < 0) {
			sv_send_error(s, -1, 320, "Error reading request: message does not end with a NUL");
		} else if (s->stage == ST_START) {
			sv_handle_start(sv, s);
		} else {
			sv_handle_ready(sv, s);
		}
		sv_commit(sv, s);
		if (s->stage == ST_READY && sv->link_lost_after > 0 && --sv->link_lost_after == 0)
			sv_link_lost(sv); /* "link lost after N": mid-run, at a known request */
	}
	if (off > 0) {
		memmove(s->in, s->in + off, s->inlen - off);
		s->inlen -= off;
	}
}

static int
listen_on(const char *addr, int port, char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	char ps[16];
	int fd = -1, one = 1, rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(ps, sizeof ps, "%d", port);
	if ((rc = getaddrinfo(addr, ps, &hints, &res)) != 0) {
		err_fmt(err, errlen, "%s: %s", addr, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
			break;
		err_fmt(err, errlen, "%s:%d: %s", addr, port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* Move the delayed output that is due into the output. Returns the ms until the next is due, or -1. */
static long long
release_delayed(struct sess *s, long long now)
{
	while (s->delayed && s->delayed->due <= now) {
		struct chunk *c = s->delayed;
		tws_w_raw(&s->out, c->p, c->n);
		s->delayed = c->next;
		if (!s->delayed)
			s->delayed_tail = NULL;
		free(c->p);
		free(c);
	}
	return s->delayed ? s->delayed->due - now : -1;
}

/* Fill the poll set (the listener first, then every session) and say how long poll may wait (-1: at will).
 * Returns the number of entries, or -1 when out of memory. */
static int
poll_set(struct server *sv, int lfd, struct pollfd **pfd, int *pcap, long long *wait)
{
	long long now = util_now_ms();
	int np = 0;

	*wait = -1;
	for (int i = 0; i < sv->ns; i++)
		if (sv->s[i]->backlog)
			*wait = 0;
	if (sv->ns + 1 > *pcap) {
		int cap = (sv->ns + 1) * 2;
		struct pollfd *n = realloc(*pfd, (size_t)cap * sizeof *n);
		if (n == NULL)
			return -1;
		*pfd = n;
		*pcap = cap;
	}
	(*pfd)[np++] = (struct pollfd){ lfd, POLLIN, 0 };
	for (int i = 0; i < sv->ns; i++) {
		struct sess *s = sv->s[i];
		long long due = release_delayed(s, now);
		if (due >= 0 && (*wait < 0 || due < *wait))
			*wait = due;
		(*pfd)[np++] = (struct pollfd){ s->fd, (short)(POLLIN | (s->out.len ? POLLOUT : 0)), 0 };
	}
	return np;
}

/* Read what a session has sent and handle it (or the rest of its backlog). */
static void
read_session(struct server *sv, struct sess *s, short re)
{
	ssize_t r;

	if (s->backlog && !(re & POLLIN)) {
		process(sv, s);
		return;
	}
	if (!(re & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (s->incap - s->inlen < 65536) {
		size_t cap = s->incap ? s->incap * 2 : 65536;
		char *n = realloc(s->in, cap);
		if (n == NULL) {
			s->dead = 1;
			return;
		}
		s->in = n;
		s->incap = cap;
	}
	r = read(s->fd, s->in + s->inlen, s->incap - s->inlen);
	if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
		s->dead = 1;
		return;
	}
	if (r > 0) {
		s->inlen += (size_t)r;
		process(sv, s);
	}
}

/* Write what a session has to send; mark it dead when it is done or does not read. */
static void
write_session(struct sess *s)
{
	while (s->out.len > 0 && !s->dead) {
		ssize_t w = send(s->fd, s->out.p, s->out.len, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno != EAGAIN && errno != EINTR)
				s->dead = 1;
			break;
		}
		tws_wbuf_consume(&s->out, (size_t)w);
	}
	if (s->out.len > ((size_t)256 << 20)) {
		log_warn("%s: not reading its answers: closing", s->peer);
		s->dead = 1;
	}
	if (s->closing && s->out.len == 0 && s->delayed == NULL)
		s->dead = 1;
}

static void
reap_sessions(struct server *sv)
{
	for (int i = 0; i < sv->ns;) {
		if (sv->s[i]->dead) {
			if (sv->s[i]->stage == ST_READY)
				log_info("%s: client id %d disconnected", sv->s[i]->peer, sv->s[i]->client_id);
			sess_free(sv->s[i]);
			sv->s[i] = sv->s[--sv->ns];
		} else {
			i++;
		}
	}
}

/* Accept every pending connection as a new session. */
static void
accept_sessions(struct server *sv, int lfd)
{
	for (;;) {
		struct sockaddr_storage sa;
		socklen_t sl = sizeof sa;
		int fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC), one = 1;
		struct sess *s;
		if (fd < 0)
			break;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if ((s = calloc(1, sizeof *s)) == NULL) {
			close(fd);
			continue;
		}
		s->fd = fd;
		tws_wbuf_init(&s->stage_buf);
		tws_wbuf_init(&s->out);
		if (sa.ss_family == AF_INET) {
			char a[INET_ADDRSTRLEN];
			struct sockaddr_in *in = (struct sockaddr_in *)&sa;
			inet_ntop(AF_INET, &in->sin_addr, a, sizeof a);
			snprintf(s->peer, sizeof s->peer, "%s:%d", a, ntohs(in->sin_port));
		} else {
			snprintf(s->peer, sizeof s->peer, "peer");
		}
		if (sv->ns == sv->cap) {
			int cap = sv->cap ? sv->cap * 2 : 16;
			struct sess **n = realloc(sv->s, (size_t)cap * sizeof *n);
			if (n == NULL) {
				sess_free(s);
				continue;
			}
			sv->s = n;
			sv->cap = cap;
		}
		sv->s[sv->ns++] = s;
	}
}

int
sim_server_run(sim_broker *b, sim_prices *px, const struct sim_server_opts *o, char *err, size_t errlen)
{
	struct server sv;
	struct pollfd *pfd = NULL;
	int lfd, pcap = 0, rc = 0;

	memset(&sv, 0, sizeof sv);
	sv.b = b;
	sv.px = px;
	sv.o = *o;
	if (sv.o.bind == NULL)
		sv.o.bind = "127.0.0.1";
	if (sv.o.server_version < TWS_MIN_VERSION || sv.o.server_version > TWS_MAX_VERSION)
		sv.o.server_version = TWS_MAX_VERSION;
	sv.drops_left = sv.o.drop_count > 0 ? sv.o.drop_count : 1;
	tws_msg_init(&sv.msg);
	if ((lfd = listen_on(sv.o.bind, sv.o.port, err, errlen)) < 0)
		return EX_UNAVAILABLE;
	sim_broker_set_notify(b, on_note, &sv);
	log_info("listening on %s:%d (server version %d)", sv.o.bind, sv.o.port, sv.o.server_version);
	stop_flag = 0;
	while (!stop_flag && !sv.shutdown) {
		long long wait;
		int np = poll_set(&sv, lfd, &pfd, &pcap, &wait);

		if (np < 0)
			break;
		if (poll(pfd, (nfds_t)np, wait < 0 ? 1000 : (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			rc = err_ret(EX_OSERR, err, errlen, "poll: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < sv.ns; i++)
			read_session(&sv, sv.s[i], pfd[i + 1].revents);
		/* Write (also to sessions a control command just produced output for). */
		for (int i = 0; i < sv.ns; i++)
			write_session(sv.s[i]);
		reap_sessions(&sv);
		if (pfd[0].revents & POLLIN)
			accept_sessions(&sv, lfd);
	}
	/* Let control clients read their "ok" to shutdown. */
	for (int i = 0; i < sv.ns; i++) {
		if (sv.s[i]->out.len > 0)
			(void)!send(sv.s[i]->fd, sv.s[i]->out.p, sv.s[i]->out.len, MSG_NOSIGNAL);
		sess_free(sv.s[i]);
	}
	free(sv.s);
	free(pfd);
	close(lfd);
	tws_msg_free(&sv.msg);
	sim_broker_set_notify(b, NULL, NULL);
	log_info("stopped");
	return rc;
}
