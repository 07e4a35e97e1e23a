/* sim/server_int: what the parts of ib-sim's server share: the connections and the output (server.c), the
 * requests (answers.c), historical data (hist.c) and the control protocol (ctl.c). Not for use outside
 * lib/sim. */
#ifndef STI_SIM_SERVER_INT_H
#define STI_SIM_SERVER_INT_H

#include "sim/server.h"
#include "tws/msg.h"

enum stage { ST_HELLO, ST_START, ST_READY, ST_CTL };

struct chunk {                 /* delayed output */
	long long due;         /* ms */
	char *p;
	size_t n;
	struct chunk *next;
};

struct sess {
	int fd;
	enum stage stage;
	int version;           /* negotiated */
	int client_id;
	char *in;              /* bytes read, not handled */
	size_t inlen, incap;
	tws_wbuf stage_buf;    /* answers to the message being handled */
	tws_wbuf out;          /* bytes to write now */
	struct chunk *delayed, *delayed_tail;
	long sent;             /* messages sent to this connection */
	int drop;              /* drop after drop_after messages (fault injection) */
	int closing;           /* close once out is written */
	int dead;              /* close now */
	int positions_sub;     /* reqPositions subscription active */
	int account_sub;       /* reqAccountUpdates subscription active */
	int md_type;           /* reqMarketDataType: 1 live (the default), 2 frozen, 3 delayed, 4 delayed frozen */
	int backlog;           /* complete messages left in in[] for the next turn (fairness) */
	long long rate_sec;    /* pacing: the second being counted */
	int rate_n;            /* messages received in it */
	char peer[64];
};

struct hist_seen {             /* enforce_pacing: recent historical requests */
	char key[200];
	char contract[96];     /* contract and what to show (the six-in-two-seconds rule) */
	int small;             /* bars of 30 seconds or less */
	long long at;          /* ms */
};

struct server {
	sim_broker *b;
	sim_prices *px;
	struct sim_server_opts o;
	struct sess **s;
	int ns, cap;
	long hist_count;       /* historical requests seen, for pacing_every */
	int drops_left;
	struct hist_seen seen[1024];
	int seen_pos;
	tws_msg msg;
	int shutdown;
	int link_down;         /* "link lost": requests are held until "link restored" */
	long link_lost_after;  /* "link lost after N": API requests until the link goes down (0: not armed) */
	int farm_asleep;       /* farm_notices: the HMDS farm reported inactive (2107) */
};

/* server.c: move what the message just handled produced into the output (counted for drop_after,
 * delayed by delay_ms); an error in the layout of the session's version; the ready session of a client
 * id (NULL); an order's OPEN_ORDER and ORDER_STATUS, a fill's EXEC_DETAILS, its COMMISSION_REPORT. */
void sv_commit(struct server *sv, struct sess *s);
void sv_send_error(struct sess *s, int id, int code, const char *msg);
struct sess *sv_client_sess(struct server *sv, int client_id);
void sv_emit_order(struct server *sv, struct sess *s, const sim_order *o);
void sv_emit_fill(struct server *sv, struct sess *s, const sim_fill *f, int req_id);
void sv_emit_commission(struct sess *s, const sim_fill *f);

/* answers.c: the messages of a session after START_API, and START_API itself; the security an IB symbol
 * names (NULL); 1 when a security has stopped trading at the clock. */
void sv_handle_ready(struct server *sv, struct sess *s);
void sv_handle_start(struct server *sv, struct sess *s);
sim_sec *sv_sec_by_ib_symbol(struct server *sv, const char *symbol);
int sv_delisted(struct server *sv, const sim_sec *sec);

/* account.c: reqAccountSummary's answer; reqAccountUpdates (subscribe or not; the account's values, its
 * positions, ACCT_DOWNLOAD_END); a position changed: tell the subscribed sessions. */
void sv_account_summary(struct server *sv, struct sess *s, int req_id, const char *tags);
void sv_account_updates(struct server *sv, struct sess *s, int subscribe, const char *account);
void sv_account_changed(struct server *sv, const sim_pos *p);

/* hist.c: answer a reqHistoricalData; the day of a "yyyymmdd" prefix (0, or -1 when it is not one; s
 * holds at least 8 characters or a NUL before them). */
void sv_hist_answer(struct server *sv, struct sess *s, const tws_hist_req *r);
int sv_parse_yyyymmdd(const char *s, int *day);

/* ctl.c: a notice's text as a gateway words it (NULL: not a notice); send it to every API client; TWS
 * loses its link to IB (1100 to every API client, their requests held); run one control line on a
 * control session. */
const char *sv_notice_text(int code);
void sv_broadcast(struct server *sv, int code);
void sv_link_lost(struct server *sv);
void sv_ctl_line(struct server *sv, struct sess *s, char *line);

#endif
