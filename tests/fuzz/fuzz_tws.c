/* libFuzzer target for the TWS API decoders: the input is a byte stream as it arrives on a socket (an
 * optional client hello, then frames); every frame is split into fields and given to every decoder whose
 * message id matches, in both directions (what ib-sim reads and what the client reads). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tws/msg.h"
#include "tws/wire.h"

/* Whatever decodes must encode and decode again to the same values (== on doubles: -0 prints as 0). */
static void
roundtrip_status(const tws_order_status *a)
{
	tws_wbuf b;
	tws_msg m;
	tws_order_status z;
	const char *p;
	size_t n;

	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_order_status(&b, a);
	if (tws_frame_split(b.p, b.len, &p, &n) <= 0 || tws_msg_parse(&m, p, n) < 0 || tws_dec_order_status(&m, &z) < 0 ||
	    z.order_id != a->order_id || strcmp(z.status, a->status) != 0 || z.filled != a->filled ||
	    z.remaining != a->remaining || z.avg_fill_price != a->avg_fill_price || z.perm_id != a->perm_id ||
	    z.last_fill_price != a->last_fill_price || z.client_id != a->client_id || z.mkt_cap_price != a->mkt_cap_price) {
		fprintf(stderr, "ORDER_STATUS does not round-trip\n");
		abort();
	}
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}

static void
roundtrip_bars(const tws_hist_data *a)
{
	tws_wbuf b;
	tws_msg m;
	tws_hist_data z;
	const char *p;
	size_t n;

	tws_wbuf_init(&b);
	tws_msg_init(&m);
	tws_enc_hist_data(&b, a);
	if (b.oom || tws_frame_split(b.p, b.len, &p, &n) <= 0 || tws_msg_parse(&m, p, n) < 0 ||
	    tws_dec_hist_data(&m, &z) < 0 || z.nbars != a->nbars) {
		fprintf(stderr, "HISTORICAL_DATA does not round-trip\n");
		abort();
	}
	for (int i = 0; i < z.nbars; i++)
		if (strcmp(z.bars[i].date, a->bars[i].date) != 0 || z.bars[i].open != a->bars[i].open ||
		    z.bars[i].high != a->bars[i].high || z.bars[i].low != a->bars[i].low ||
		    z.bars[i].close != a->bars[i].close || z.bars[i].volume != a->bars[i].volume ||
		    z.bars[i].wap != a->bars[i].wap || z.bars[i].count != a->bars[i].count) {
			fprintf(stderr, "bar %d does not round-trip\n", i);
			abort();
		}
	tws_hist_data_free(&z);
	tws_wbuf_free(&b);
	tws_msg_free(&m);
}

static void
decode_all(tws_msg *m)
{
	union {
		tws_error e;
		tws_hist_req hr;
		tws_hist_data hd;
		struct { tws_contract c; tws_order o; } po;
		tws_order_status os;
		tws_open_order oo;
		tws_exec_filter ef;
		tws_exec ex;
		tws_commission cr;
		tws_position p;
		tws_account_value av;
	} u;
	char s1[64], s2[256];
	int i;
	long long ll;

	switch (tws_msg_id(m)) {
	case 3:
		if (tws_dec_order_status(m, &u.os) == 0)
			roundtrip_status(&u.os);
		tws_dec_place_order(m, &u.po.c, &u.po.o);
		tws_dec_place_order_v(m, &u.po.c, &u.po.o, 176);
		break;
	case 4:
		tws_dec_error(m, &u.e);
		tws_dec_cancel_order(m, &ll);
		break;
	case 5:
		tws_dec_open_order(m, &u.oo);
		break;
	case 7:
		tws_dec_req_executions(m, &i, &u.ef);
		break;
	case 8:
		tws_dec_req_ids(m, &i);
		break;
	case 9:
		tws_dec_next_valid_id(m, &ll);
		break;
	case 11:
		tws_dec_exec(m, &u.ex);
		break;
	case 15:
		tws_dec_managed_accts(m, s2, sizeof s2);
		break;
	case 17:
		if (tws_dec_hist_data(m, &u.hd) == 0)
			roundtrip_bars(&u.hd);
		tws_hist_data_free(&u.hd);
		break;
	case 20:
		tws_dec_hist_req(m, &u.hr);
		break;
	case 25:
		tws_dec_cancel_hist(m, &i);
		break;
	case 49:
		tws_dec_current_time(m, &ll);
		break;
	case 55:
		tws_dec_exec_end(m, &i);
		break;
	case 59:
		tws_dec_commission(m, &u.cr);
		break;
	case 61:
		tws_dec_position(m, &u.p);
		break;
	case 62:
		tws_dec_req_account_summary(m, &i, s1, sizeof s1, s2, sizeof s2);
		break;
	case 63:
		tws_dec_account_summary(m, &u.av);
		tws_dec_id_version_req(m, &i);
		break;
	case 64:
		tws_dec_id_version_req(m, &i);
		break;
	case 71:
		tws_dec_start_api(m, &i, s1, sizeof s1);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data, *p;
	char err[64];
	size_t plen;
	long n;
	int lo, hi;
	tws_msg m;

	tws_msg_init(&m);
	n = tws_hs_server_parse(buf, size, &lo, &hi, err, sizeof err);
	if (n > 0) {
		buf += n;
		size -= (size_t)n;
	}
	while ((n = tws_frame_split(buf, size, &p, &plen)) > 0) {
		/* Copy the payload so that a read past its end is caught by ASan. */
		char *copy = malloc(plen);
		memcpy(copy, p, plen);
		if (tws_msg_parse(&m, copy, plen) == 0)
			decode_all(&m);
		free(copy);
		buf += n;
		size -= (size_t)n;
	}
	tws_msg_free(&m);
	return 0;
}
