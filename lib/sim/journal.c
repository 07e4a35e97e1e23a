/* sim/journal: the simulated broker's state on disk: records as JSON, the append-only journal, snapshots
 * and loading (see sim/broker.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aout.h"
#include "err.h"
#include "log.h"
#include "ndjson.h"
#include "sim/broker_int.h"
#include "util.h"

/* ================================ persistence ================================ */

json_t *
sb_order_json(const sim_order *o)
{
	return json_pack("{s:s,s:i,s:I,s:I,s:s,s:s,s:i,s:s,s:f,s:s,s:o,s:s,s:s,s:s,s:b,s:s,s:f,s:f,s:f,s:i,s:i,s:s,s:i}",
	    "t", "order", "client_id", o->client_id, "order_id", (json_int_t)o->order_id, "perm_id",
	    (json_int_t)o->perm_id, "sec_id", o->sec_id, "symbol", o->symbol, "con_id", o->con_id, "action",
	    o->action, "qty", o->qty, "order_type", o->order_type, "lmt_price",
	    o->lmt_price == TWS_UNSET_DOUBLE ? json_null() : json_real(o->lmt_price), "tif", o->tif, "account",
	    o->account, "order_ref", o->order_ref, "transmit", o->transmit, "status", o->status, "filled", o->filled,
	    "avg_price", o->avg_price, "last_price", o->last_price, "placed_day", o->placed_day, "placed_phase",
	    o->placed_phase, "why", o->why, "done_day", o->done_day);
}

json_t *
sb_fill_json(const sim_fill *f)
{
	return json_pack("{s:s,s:s,s:i,s:I,s:I,s:s,s:s,s:i,s:s,s:f,s:f,s:f,s:o,s:s,s:i,s:i,s:I}", "t", "fill",
	    "exec_id", f->exec_id, "client_id", f->client_id, "order_id", (json_int_t)f->order_id, "perm_id",
	    (json_int_t)f->perm_id, "sec_id", f->sec_id, "symbol", f->symbol, "con_id", f->con_id, "side", f->side,
	    "qty", f->qty, "price", f->price, "commission", f->commission, "realized_pnl",
	    f->realized_pnl == TWS_UNSET_DOUBLE ? json_null() : json_real(f->realized_pnl), "order_ref", f->order_ref,
	    "day", f->day, "phase", f->phase, "epoch", (json_int_t)f->epoch);
}

json_t *
sb_pos_json(const sim_pos *p)
{
	return json_pack("{s:s,s:s,s:s,s:i,s:f,s:f}", "t", "position", "sec_id", p->sec_id, "symbol", p->symbol,
	    "con_id", p->con_id, "qty", p->qty, "avg_cost", p->avg_cost);
}

json_t *
sb_acct_json(const sim_broker *b)
{
	return json_pack("{s:s,s:s,s:f,s:f,s:I,s:I,s:I,s:i,s:i,s:i}", "t", "account", "account", b->account,
	    "capital", b->capital, "cash", b->cash, "next_id", (json_int_t)b->next_id, "next_perm",
	    (json_int_t)b->next_perm, "exec_seq", (json_int_t)b->exec_seq, "day", b->day, "phase", (int)b->phase, "minute", b->minute);
}

static void
sget(const json_t *o, const char *k, char *dst, size_t n)
{
	snprintf(dst, n, "%s", nd_str(o, k, ""));
}

/* Apply one state record (journal line or snapshot element). Returns 0, or -1 when it is malformed. */
int
sb_apply(sim_broker *b, const json_t *r)
{
	const char *t = nd_str(r, "t", "");

	if (strcmp(t, "order") == 0) {
		sim_order o, *x;
		const json_t *lp = json_object_get(r, "lmt_price");
		memset(&o, 0, sizeof o);
		o.client_id = (int)nd_int(r, "client_id", 0);
		o.order_id = nd_int(r, "order_id", 0);
		o.perm_id = nd_int(r, "perm_id", 0);
		sget(r, "sec_id", o.sec_id, sizeof o.sec_id);
		sget(r, "symbol", o.symbol, sizeof o.symbol);
		o.con_id = (int)nd_int(r, "con_id", 0);
		sget(r, "action", o.action, sizeof o.action);
		o.qty = nd_num(r, "qty", 0);
		sget(r, "order_type", o.order_type, sizeof o.order_type);
		o.lmt_price = json_is_number(lp) ? json_number_value(lp) : TWS_UNSET_DOUBLE;
		sget(r, "tif", o.tif, sizeof o.tif);
		sget(r, "account", o.account, sizeof o.account);
		sget(r, "order_ref", o.order_ref, sizeof o.order_ref);
		o.transmit = json_is_true(json_object_get(r, "transmit"));
		sget(r, "status", o.status, sizeof o.status);
		o.filled = nd_num(r, "filled", 0);
		o.avg_price = nd_num(r, "avg_price", 0);
		o.last_price = nd_num(r, "last_price", 0);
		o.placed_day = (int)nd_int(r, "placed_day", 0);
		o.placed_phase = (int)nd_int(r, "placed_phase", 0);
		sget(r, "why", o.why, sizeof o.why);
		o.done_day = (int)nd_int(r, "done_day", 0);
		if (o.order_id <= 0 || o.status[0] == '\0')
			return -1;
		if ((x = sb_find_order(b, o.client_id, o.order_id)) == NULL) {
			if (util_grow((void **)&b->orders, &b->ocap, (size_t)b->norders + 1, sizeof *b->orders) < 0)
				return -1;
			x = &b->orders[b->norders++];
		}
		*x = o;
	} else if (strcmp(t, "fill") == 0) {
		sim_fill f;
		const json_t *rp = json_object_get(r, "realized_pnl");
		int i;
		memset(&f, 0, sizeof f);
		sget(r, "exec_id", f.exec_id, sizeof f.exec_id);
		f.client_id = (int)nd_int(r, "client_id", 0);
		f.order_id = nd_int(r, "order_id", 0);
		f.perm_id = nd_int(r, "perm_id", 0);
		sget(r, "sec_id", f.sec_id, sizeof f.sec_id);
		sget(r, "symbol", f.symbol, sizeof f.symbol);
		f.con_id = (int)nd_int(r, "con_id", 0);
		sget(r, "side", f.side, sizeof f.side);
		f.qty = nd_num(r, "qty", 0);
		f.price = nd_num(r, "price", 0);
		f.commission = nd_num(r, "commission", 0);
		f.realized_pnl = json_is_number(rp) ? json_number_value(rp) : TWS_UNSET_DOUBLE;
		sget(r, "order_ref", f.order_ref, sizeof f.order_ref);
		f.day = (int)nd_int(r, "day", 0);
		f.phase = (int)nd_int(r, "phase", 0);
		f.epoch = nd_int(r, "epoch", 0);
		if (f.exec_id[0] == '\0')
			return -1;
		for (i = b->nfills - 1; i >= 0; i--)
			if (strcmp(b->fills[i].exec_id, f.exec_id) == 0)
				break;
		if (i < 0) {
			if (util_grow((void **)&b->fills, &b->fcap, (size_t)b->nfills + 1, sizeof *b->fills) < 0)
				return -1;
			i = b->nfills++;
		}
		b->fills[i] = f;
	} else if (strcmp(t, "position") == 0) {
		sim_pos p, *x;
		memset(&p, 0, sizeof p);
		sget(r, "sec_id", p.sec_id, sizeof p.sec_id);
		sget(r, "symbol", p.symbol, sizeof p.symbol);
		p.con_id = (int)nd_int(r, "con_id", 0);
		p.qty = nd_num(r, "qty", 0);
		p.avg_cost = nd_num(r, "avg_cost", 0);
		x = sb_find_pos(b, p.con_id);
		if (p.qty == 0) {
			if (x != NULL)
				*x = b->pos[--b->npos];
			return 0;
		}
		if (x == NULL) {
			if (util_grow((void **)&b->pos, &b->pcap, (size_t)b->npos + 1, sizeof *b->pos) < 0)
				return -1;
			x = &b->pos[b->npos++];
		}
		*x = p;
	} else if (strcmp(t, "account") == 0) {
		sget(r, "account", b->account, sizeof b->account);
		b->capital = nd_num(r, "capital", b->capital);
		b->cash = nd_num(r, "cash", b->cash);
		b->next_id = nd_int(r, "next_id", b->next_id);
		b->next_perm = nd_int(r, "next_perm", b->next_perm);
		b->exec_seq = nd_int(r, "exec_seq", b->exec_seq);
		b->day = (int)nd_int(r, "day", b->day);
		b->phase = (enum sim_phase)nd_int(r, "phase", b->phase);
		b->minute = (int)nd_int(r, "minute", 0);
	} else {
		return -1;
	}
	return 0;
}

char *
sb_path_in(const sim_broker *b, const char *name)
{
	size_t n = strlen(b->dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", b->dir, name);
	return p;
}

/* Write the whole state to snapshot.json atomically, then empty the journal. */
int
sb_snapshot(sim_broker *b)
{
	json_t *s, *arr;
	char *text, *path;
	int rc = -1;

	if (b->dir == NULL)
		return 0;
	s = json_object();
	json_object_set_new(s, "account", sb_acct_json(b));
	arr = json_array();
	for (int i = 0; i < b->norders; i++)
		json_array_append_new(arr, sb_order_json(&b->orders[i]));
	json_object_set_new(s, "orders", arr);
	arr = json_array();
	for (int i = 0; i < b->nfills; i++)
		json_array_append_new(arr, sb_fill_json(&b->fills[i]));
	json_object_set_new(s, "fills", arr);
	arr = json_array();
	for (int i = 0; i < b->npos; i++)
		json_array_append_new(arr, sb_pos_json(&b->pos[i]));
	json_object_set_new(s, "positions", arr);
	text = json_dumps(s, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(s);
	path = sb_path_in(b, "snapshot.json");
	if (text != NULL && path != NULL && aout_write_file(path, text, strlen(text)) == 0) {
		/* Records already in the snapshot may stay in the journal if we die here: they are upserts. */
		if (ftruncate(b->jfd, 0) == 0)
			b->jrecords = 0;
		rc = 0;
	} else {
		snprintf(b->ioerr, sizeof b->ioerr, "%s: cannot write the snapshot: %s", path ? path : b->dir, strerror(errno));
	}
	free(text);
	free(path);
	return rc;
}

/* Append records to the journal in one write. Steals the references. Returns 0 or -1. The journal is
 * folded into a snapshot only by sb_settle(), once memory holds everything the journal says. */
int
sb_journal(sim_broker *b, json_t *r1, json_t *r2, json_t *r3, json_t *r4)
{
	json_t *rs[4] = { r1, r2, r3, r4 };
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = 0, n = 0;

	for (int i = 0; i < 4; i++) {
		char *t;
		size_t tl;
		if (rs[i] == NULL)
			continue;
		t = b->dir ? json_dumps(rs[i], JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
		json_decref(rs[i]);
		if (b->dir == NULL)
			continue;
		if (t == NULL) {
			rc = -1;
			continue;
		}
		tl = strlen(t);
		if (len + tl + 1 > cap) {
			cap = (len + tl + 1) * 2;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(t);
				rc = -1;
				continue;
			}
			buf = nb;
		}
		memcpy(buf + len, t, tl);
		len += tl;
		buf[len++] = '\n';
		free(t);
		n++;
	}
	if (b->dir == NULL)
		return 0;
	if (rc == 0 && len > 0) {
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(b->jfd, buf + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				snprintf(b->ioerr, sizeof b->ioerr, "%s/journal.ndjson: write: %s", b->dir, strerror(errno));
				rc = -1;
				break;
			}
			off += (size_t)w;
		}
	}
	free(buf);
	if (rc == 0)
		b->jrecords += n;
	return rc;
}

/* At the end of a public operation: fold a long journal into a snapshot. A failure is not fatal (the
 * journal still holds everything) and has been reported. */
void
sb_settle(sim_broker *b)
{
	if (b->dir != NULL && b->jrecords >= b->snapshot_every && sb_snapshot(b) < 0)
		log_warn("%s", b->ioerr);
}

int
sb_load_state(sim_broker *b, char *err, size_t errlen)
{
	char *spath = sb_path_in(b, "snapshot.json"), *jpath = sb_path_in(b, "journal.ndjson");
	json_error_t je;
	json_t *s;
	FILE *fp;
	int rc = -1, found = 0;

	if (spath == NULL || jpath == NULL) {
		err_fmt(err, errlen, "out of memory");
		goto out;
	}
	if ((fp = fopen(spath, "r")) == NULL && errno != ENOENT) {
		err_fmt(err, errlen, "%s: %s", spath, strerror(errno));
		goto out;
	}
	s = fp != NULL ? json_loadf(fp, 0, &je) : NULL;
	if (fp != NULL)
		fclose(fp);
	if (s != NULL) {
		const char *keys[] = { "orders", "fills", "positions" };
		found = 1;
		if (sb_apply(b, json_object_get(s, "account")) < 0) {
			json_decref(s);
			err_fmt(err, errlen, "%s: no account record", spath);
			goto out;
		}
		for (int k = 0; k < 3; k++) {
			size_t i;
			json_t *v;
			json_array_foreach(json_object_get(s, keys[k]), i, v) {
				if (sb_apply(b, v) < 0) {
					json_decref(s);
					err_fmt(err, errlen, "%s: %s[%zu]: malformed record", spath, keys[k], i);
					goto out;
				}
			}
		}
		json_decref(s);
	} else if (fp != NULL) {
		err_fmt(err, errlen, "%s:%d: %s", spath, je.line, je.text);
		goto out;
	}
	if ((fp = fopen(jpath, "r")) != NULL) {
		nd_reader *r = nd_open(fp, jpath);
		json_t *rec;
		int got;
		while ((got = nd_next(r, &rec)) != 0) {
			if (got < 0) {
				/* Only the last line can be torn (a write cut short); anything else is corruption. */
				int c = fgetc(fp);
				if (c == EOF) {
					log_warn("%s: ignoring a torn last record", nd_error(r));
					b->torn = 1;
					break;
				}
				err_fmt(err, errlen, "%s", nd_error(r));
				nd_close(r);
				fclose(fp);
				goto out;
			}
			found = 1;
			if (sb_apply(b, rec) < 0) {
				err_fmt(err, errlen, "%s:%ld: malformed record", jpath, nd_line(r));
				json_decref(rec);
				nd_close(r);
				fclose(fp);
				goto out;
			}
			json_decref(rec);
		}
		nd_close(r);
		fclose(fp);
	}
	rc = found;
out:
	free(spath);
	free(jpath);
	return rc;
}

