/* sim/ctl: ib-sim's control protocol ("CTL advance open" ...), the notices it broadcasts, and the client
 * side that `ib-sim ctl` uses (see sim/server.h). */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "date.h"
#include "err.h"
#include "log.h"
#include "num.h"
#include "sim/server_int.h"
#include "util.h"

/* The texts of the notices "CTL notice CODE" sends: those of a real gateway. */
const char *
sv_notice_text(int code)
{
	switch (code) {
	case 2103: return "Market data farm connection is broken:usfarm";
	case 2104: return "Market data farm connection is OK:usfarm";
	case 2105: return "HMDS data farm connection is broken:ushmds";
	case 2106: return "HMDS data farm connection is OK:ushmds";
	case 2107: return "HMDS data farm connection is inactive but should be available upon demand.ushmds";
	case 2108: return "Market data farm connection is inactive but should be available upon demand.usfarm";
	case 2110: return "Connectivity between Trader Workstation and server is broken. It will be restored automatically.";
	case 2157: return "Sec-def data farm connection is broken:secdefil";
	case 2158: return "Sec-def data farm connection is OK:secdefil";
	case 1100: return "Connectivity between IB and Trader Workstation has been lost.";
	case 1101: return "Connectivity between IB and Trader Workstation has been restored - data lost.";
	case 1102: return "Connectivity between IB and Trader Workstation has been restored - data maintained.";
	}
	return NULL;
}

/* A notice (id -1) to every API client. */
void
sv_broadcast(struct server *sv, int code)
{
	for (int i = 0; i < sv->ns; i++) {
		struct sess *t = sv->s[i];
		if (t->stage == ST_READY && !t->dead) {
			sv_send_error(t, -1, code, sv_notice_text(code));
			sv_commit(sv, t);
		}
	}
}

void
sv_link_lost(struct server *sv)
{
	sv->link_down = 1;
	sv->link_lost_after = 0;
	log_info("TWS lost its link to IB: 1100 to every client, their requests held");
	sv_broadcast(sv, 1100);
}

/* ================================ control ================================ */

void
sv_ctl_line(struct server *sv, struct sess *s, char *line)
{
	char reply[512], err[160], date[DATE_LEN + 1], *argv[5];
	int argc = 0, rc = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, " \t\r", &save); t && argc < 5; t = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = t;
	if (t != NULL)
		argc = 0; /* more words than any command has: unknown */
	err[0] = '\0';
	if (argc >= 1 && strcmp(argv[0], "CTL") == 0) {
		memmove(argv, argv + 1, (size_t)(argc - 1) * sizeof *argv);
		argc--;
	}
	if (argc == 2 && strcmp(argv[0], "advance") == 0 && strcmp(argv[1], "open") == 0) {
		rc = sim_broker_advance(sv->b, SIM_TO_OPEN, 1, err, sizeof err);
	} else if (argc == 2 && strcmp(argv[0], "advance") == 0 && strcmp(argv[1], "close") == 0) {
		rc = sim_broker_advance(sv->b, SIM_TO_CLOSE, 1, err, sizeof err);
	} else if (argc == 3 && strcmp(argv[0], "advance") == 0 && strcmp(argv[1], "days") == 0) {
		long long n;
		if (num_parse_i64(argv[2], strlen(argv[2]), &n) < 0 || n < 1 || n > 100000) {
			snprintf(err, sizeof err, "days: '%s' is not a number of days (1 to 100000)", argv[2]);
			rc = -1;
		} else {
			rc = sim_broker_advance(sv->b, SIM_DAYS, (int)n, err, sizeof err);
		}
	} else if (argc == 3 && strcmp(argv[0], "advance") == 0 && strcmp(argv[1], "to") == 0) {
		int hh, mm, len = 0;
		if (sscanf(argv[2], "%2d:%2d%n", &hh, &mm, &len) != 2 || argv[2][len] != '\0' || hh > 23 || mm > 59) {
			snprintf(err, sizeof err, "to: '%s' is not a time (HH:MM, New York)", argv[2]);
			rc = -1;
		} else {
			rc = sim_broker_advance(sv->b, SIM_TO_TIME, hh * 60 + mm, err, sizeof err);
		}
	} else if (argc == 2 && strcmp(argv[0], "notice") == 0) {
		long long code;
		if (num_parse_i64(argv[1], strlen(argv[1]), &code) < 0 || code < 0 || code > 100000 ||
		    sv_notice_text((int)code) == NULL || code == 1100 || code == 1101 || code == 1102) {
			snprintf(err, sizeof err, "notice: '%s' is not a notice code (2103-2110, 2157, 2158)", argv[1]);
			rc = -1;
		} else {
			sv_broadcast(sv, (int)code);
		}
	} else if (argc == 2 && strcmp(argv[0], "link") == 0 && strcmp(argv[1], "lost") == 0) {
		sv_link_lost(sv);
	} else if (argc == 4 && strcmp(argv[0], "link") == 0 && strcmp(argv[1], "lost") == 0 &&
	    strcmp(argv[2], "after") == 0) {
		long long n; /* armed: the link goes down once the API clients have made n more requests */
		if (num_parse_i64(argv[3], strlen(argv[3]), &n) < 0 || n < 1 || n > 100000000) {
			snprintf(err, sizeof err, "link lost after: '%s' is not a number of requests (1 to 100000000)",
			    argv[3]);
			rc = -1;
		} else {
			sv->link_lost_after = (long)n;
		}
	} else if (argc == 2 && strcmp(argv[0], "link") == 0 &&
	    (strcmp(argv[1], "restored") == 0 || strcmp(argv[1], "restored-data-lost") == 0)) {
		sv->link_down = 0;
		sv_broadcast(sv, strcmp(argv[1], "restored") == 0 ? 1102 : 1101);
		for (int i = 0; i < sv->ns; i++)
			if (sv->s[i]->stage == ST_READY && sv->s[i]->inlen > 0)
				sv->s[i]->backlog = 1; /* answer what was held */
	} else if (argc == 1 && strcmp(argv[0], "status") == 0) {
		/* falls through to the status line below */
	} else if (argc == 1 && strcmp(argv[0], "shutdown") == 0) {
		sv->shutdown = 1;
	} else {
		snprintf(err, sizeof err, "unknown command (advance open|close|days N|to HH:MM, notice CODE, "
		    "link lost [after N]|restored|restored-data-lost, status, shutdown)");
		rc = -1;
	}
	if (rc != 0) {
		snprintf(reply, sizeof reply, "error: %s\n", err);
	} else {
		int working = 0, clients = 0;
		for (int i = 0; i < sim_broker_norders(sv->b); i++)
			working += sim_order_open(sim_broker_order(sv->b, i));
		for (int i = 0; i < sv->ns; i++)
			clients += sv->s[i]->stage == ST_READY;
		snprintf(reply, sizeof reply, "ok %s %s cash=%.2f nlv=%.2f orders=%d open=%d fills=%d positions=%d "
		    "clients=%d\n", date_fmt(sim_broker_day(sv->b), date), sim_phase_name(sim_broker_phase(sv->b)),
		    sim_broker_cash(sv->b), sim_broker_nlv(sv->b), sim_broker_norders(sv->b), working,
		    sim_broker_nfills(sv->b), sim_broker_npos(sv->b), clients);
	}
	tws_w_raw(&s->out, reply, strlen(reply));
}

/* ================================ the control client ================================ */

int
sim_ctl(const char *host, int port, const char *command, char *reply, size_t n, int timeout_ms)
{
	struct addrinfo hints, *res, *ai;
	char ps[16], buf[1024];
	size_t got = 0;
	int fd = -1, rc;
	long long end = util_now_ms() + timeout_ms;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	snprintf(ps, sizeof ps, "%d", port);
	if ((rc = getaddrinfo(host, ps, &hints, &res)) != 0) {
		snprintf(reply, n, "%s: %s", host, gai_strerror(rc));
		return EX_UNAVAILABLE;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(reply, n, "cannot connect to ib-sim at %s:%d: %s", host, port, strerror(errno));
		return EX_UNAVAILABLE;
	}
	snprintf(buf, sizeof buf, "CTL %s\n", command);
	if (send(fd, buf, strlen(buf), MSG_NOSIGNAL) < 0) {
		snprintf(reply, n, "%s:%d: send: %s", host, port, strerror(errno));
		close(fd);
		return EX_UNAVAILABLE;
	}
	while (got < sizeof buf - 1 && memchr(buf, '\n', got) == NULL) {
		struct pollfd p = { fd, POLLIN, 0 };
		long long left = end - util_now_ms();
		ssize_t r;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			snprintf(reply, n, "%s:%d: no answer within %d ms", host, port, timeout_ms);
			close(fd);
			return EX_UNAVAILABLE;
		}
		if ((r = read(fd, buf + got, sizeof buf - 1 - got)) <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (strncmp(buf, "ok", 2) == 0) {
		snprintf(reply, n, "%s", buf[2] == ' ' ? buf + 3 : buf + 2);
		return 0;
	}
	if (strncmp(buf, "error: ", 7) == 0) {
		snprintf(reply, n, "%s", buf + 7);
		return EX_DATAERR;
	}
	snprintf(reply, n, "%s:%d: unexpected answer '%.100s'", host, port, buf);
	return EX_UNAVAILABLE;
}

