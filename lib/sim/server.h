/* sim/server: the network side of ib-sim: a TWS API server on a poll(2) loop, one thread, any number of
 * clients, plus a line-based control protocol on the same port.
 *
 * A connection that starts with "API\0" is a TWS API client: the handshake (server versions 157 to 178,
 * the lower of the client's maximum and ours), START_API, then MANAGED_ACCTS, NEXT_VALID_ID and the three
 * data-farm notices (2104, 2106, 2158). A second connection with a client id in use gets error 326 and is
 * closed. A connection that starts with "CTL " is a control connection: one command per line, one answer
 * line each ("ok ..." or "error: ..."):
 *     CTL advance open | advance close | advance days N | status | shutdown
 *     CTL notice CODE              (a notice such as 2103/2104 farm status to every API client)
 *     CTL link lost [after N] | link restored | link restored-data-lost
 * so that a shell can drive the clock (ib-sim ctl does exactly this). "link lost" sends 1100 to every API
 * client and holds their requests, unanswered, as TWS does while it has no connection to IB ("after N":
 * once the API clients have made N more requests, so that a test takes the link away mid-run whatever the
 * run's speed); "link restored" sends 1102 (data kept), "link restored-data-lost" 1101, and the held
 * requests are answered.
 *
 * Fault injection for tests: close each of the first drop_count connections after drop_after messages;
 * hold every answer delay_ms; answer every pacing_every-th historical request with a pacing violation
 * (162); enforce IB's pacing (an identical historical request within 15 s, six or more for one contract
 * within 2 s, more than 60 of 30-second bars or less in 10 minutes are each a 162; more than 50 messages a
 * second from one client an error 100). Orders are rejected by the broker (sim/broker.h reject_every).
 *
 * Historical bars follow the request's useRTH: regular hours are the prices file's bars; with useRTH 0 a
 * bar opens at the previous close (pre-market trading starts there) and has 8% more volume. During the
 * simulated session (between "advance open" and the close) today's bar exists and is partial: its open
 * so far (high = low = close = open) and 30% of the day's volume. */
#ifndef STI_SIM_SERVER_H
#define STI_SIM_SERVER_H

#include <stddef.h>

#include "sim/broker.h"
#include "sim/prices.h"

struct sim_server_opts {
	const char *bind;      /* address to listen on; default "127.0.0.1" */
	int port;              /* default 4002 */
	int server_version;    /* highest version offered, 157..178; default 178 */
	int drop_after;        /* fault: close a connection after it was sent this many messages (0: never) */
	int drop_count;        /* fault: how many connections drop_after applies to (default 1) */
	int delay_ms;          /* fault: hold every answer this long */
	int pacing_every;      /* fault: every Nth historical request gets a pacing violation (0: never) */
	int enforce_pacing;    /* IB's pacing rules, see above */
	int order_warning;     /* 0, or a warning code (399, 404, 2109, 10349) sent for every order placed, before
	                        * its first status, as a paper account with order presets does: the order is
	                        * working all the same */
	int farm_notices;      /* 1: the HMDS farm goes inactive (2107) after each historical answer and is
	                        * woken (2106) by the next request, as a real gateway reports it */
	const char *no_permission; /* comma-separated symbols whose historical data the account may not see:
	                        * 162 "No market data permissions" (NULL: none) */
};

/* Listen and serve until sim_server_stop() or a "shutdown" command. Returns 0, or a sysexits code with err
 * set (lib/err.h): EX_UNAVAILABLE (the port could not be bound), EX_OSERR (poll failed). The broker's
 * notifications are routed to the clients while it runs. */
int sim_server_run(sim_broker *b, sim_prices *px, const struct sim_server_opts *o, char *err, size_t errlen);

/* Ask a running server to stop at its next loop turn (async-signal-safe: call it from a signal handler). */
void sim_server_stop(void);

/* Send one control command line to host:port and copy the answer line into reply. Returns 0 for an "ok"
 * answer, EX_DATAERR for an "error:" answer (reply holds it), EX_UNAVAILABLE when the server cannot be
 * reached or does not answer (reply holds why). */
int sim_ctl(const char *host, int port, const char *command, char *reply, size_t n, int timeout_ms);

#endif
