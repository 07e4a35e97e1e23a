/* sim/broker_int: what the parts of the simulated broker share: the account (broker.c), the New York
 * clock (clock.c), the journal and snapshots (journal.c), the matching of orders (match.c) and the mapping
 * to the wire structs (mapping.c). Not for use outside lib/sim. */
#ifndef STI_SIM_BROKER_INT_H
#define STI_SIM_BROKER_INT_H

#include <jansson.h>

#include "sim/broker.h"

struct sim_broker {
	sim_prices *px;
	char *dir;               /* state directory, NULL: no persistence */
	int jfd;                 /* journal, O_APPEND; -1 when not persisting */
	int jrecords;            /* journal records since the last snapshot */
	int torn;                /* the journal ended in a torn record: fold it into a snapshot at once */
	int snapshot_every;
	char ioerr[256];          /* why the last write of the state failed */
	char account[32];
	double capital;
	double slippage_bps;
	struct sim_fees fees;
	int reject_every;
	int cash_account;        /* initial margin 100% instead of Reg T's 50% */
	double volume_share;     /* an auction fills at most this share of the bar's volume (0: no limit) */
	long long placed;        /* new orders seen, for reject_every */
	int day;                 /* the clock */
	enum sim_phase phase;
	int minute;              /* minutes after midnight New York time; 0: the phase's own time */
	double cash;
	long long next_id;       /* next order id handed out */
	long long next_perm;
	long long exec_seq;
	sim_order *orders;
	int norders;
	size_t ocap;
	sim_fill *fills;
	int nfills;
	size_t fcap;
	sim_pos *pos;
	int npos;
	size_t pcap;
	sim_notify_fn notify;
	void *ctx;
};

/* clock.c: the clock of a phase of day, as seconds since the epoch and as "yyyymmdd HH:MM:SS" + suffix. */
long long sb_phase_epoch(int day, enum sim_phase p);
char *sb_fmt_time(int day, enum sim_phase p, const char *suffix, char *buf, size_t n);

/* broker.c: the latest price known at the clock (NaN when none); an order or a position by key (NULL). */
double sb_mark(const sim_broker *b, const char *sec_id, int con_id);
sim_order *sb_find_order(sim_broker *b, int client_id, long long order_id);
sim_pos *sb_find_pos(sim_broker *b, int con_id);

/* journal.c: state records; sb_journal appends up to four (stealing them) in one write and returns 0 or
 * -1; sb_settle folds a long journal into a snapshot (a failure is logged: the journal still holds
 * everything); sb_load_state returns 1 (state found), 0 (none) or -1 with err set; sb_snapshot returns 0
 * or -1. A failed write leaves its reason in b->ioerr. */
json_t *sb_order_json(const sim_order *o);
json_t *sb_fill_json(const sim_fill *f);
json_t *sb_pos_json(const sim_pos *p);
json_t *sb_acct_json(const sim_broker *b);
char *sb_path_in(const sim_broker *b, const char *name);
int sb_journal(sim_broker *b, json_t *r1, json_t *r2, json_t *r3, json_t *r4);
int sb_snapshot(sim_broker *b);
void sb_settle(sim_broker *b);
int sb_load_state(sim_broker *b, char *err, size_t errlen);

#endif
