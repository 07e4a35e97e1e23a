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
			twsc_pend_remove(c, p);
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
				twsc_fire(c, &b);
			}
			twsc_pend_remove(c, p);
		} else if (next_deadline < 0 || p->deadline < next_deadline) {
			next_deadline = p->deadline;
		}
	}
	return next_deadline;
}

static void
end_req(tws_client *c, enum tws_req_kind kind, long long id, tws_event *ev)
{
	struct pending *p = twsc_pend_find(c, kind, id);

	ev->kind = kind;
	if (p != NULL && p->state == P_SENT) {
		twsc_pend_remove(c, p);
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
	long long now = util_now_ms();
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
		if (ev->req_id >= 0 && (p = twsc_pend_find(c, TWS_REQ_NONE, ev->req_id)) != NULL) {
			ev->kind = p->kind;
			if (p->kind == TWS_REQ_HIST && is_pacing_violation(&ev->u.error) &&
			    p->retries < c->o.pacing_retries) {
				p->state = P_WAITING;
				p->pace.again = 0; /* IB saw it: a re-send is an identical request */
				p->not_before = util_now_ms() + ((long long)c->o.pacing_backoff_ms << p->retries);
				p->retries++;
				log_debug("historical request %d: pacing violation, retry %d", p->id > 0 ? (int)p->id : 0,
				    p->retries);
				return 0;
			}
			if (!tws_error_is_notice(ev->u.error.code) && p->state == P_SENT)
				twsc_pend_remove(c, p);
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
			twsc_pend_remove(c, p);
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
		twsc_fire(c, &b);
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
		twsc_fire(c, &b);
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
		p = twsc_pend_find(c, TWS_REQ_CURRENT_TIME, -1);
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

	twsc_close_fd(c);
	c->link_down = 0;
	while (c->attempts < c->o.reconnect_max) {
		long long wait = base << (c->attempts < 20 ? c->attempts : 20);
		c->attempts++;
		log_warn("connection to TWS at %s:%d lost; reconnecting in %lld ms (attempt %d of %d)", c->host,
		    c->o.port, wait, c->attempts, c->o.reconnect_max);
		twsc_sleep_ms(wait);
		if (twsc_connect_once(c) < 0) {
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
	twsc_pend_free_all(c);
	if (c->errcode == 0)
		twsc_fail(c, TWS_ERR_NOT_CONNECTED, "connection to TWS at %s:%d lost (error 504)", c->host, c->o.port);
	return -1;
}

int
tws_poll(tws_client *c, tws_event *ev, int timeout_ms)
{
	long long start = util_now_ms(), end = timeout_ms < 0 ? -1 : start + timeout_ms;
	char *payload;
	size_t plen;

	free(c->last_bars);
	c->last_bars = NULL;
	for (;;) {
		long long now = util_now_ms(), wake, dl, wait;
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
			return twsc_fail(c, TWS_ERR_NOT_CONNECTED, "not connected to TWS (error 504)");
		if (c->lost) {
			if (c->o.reconnect_max <= 0 || reconnect(c) < 0) {
				twsc_close_fd(c);
				twsc_pend_free_all(c);
				if (c->errcode == 0 || c->o.reconnect_max <= 0)
					twsc_fail(c, TWS_ERR_NOT_CONNECTED, "connection to TWS at %s:%d lost (error 504)", c->host,
					    c->o.port);
				return -1;
			}
			continue;
		}
		if ((r = twsc_next_frame(c, &payload, &plen)) == 1) {
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
		if (twsc_flush_some(c) < 0) {
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
			return twsc_fail(c, TWS_ERR_NOT_CONNECTED, "poll: %s", strerror(errno));
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			long n = twsc_read_some(c);
			if (n == 0 || n == -1)
				c->lost = 1;
		}
	}
}
