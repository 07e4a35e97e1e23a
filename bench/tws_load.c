/* tws_load: a load generator for ib-sim built on lib/tws/client (pacing limits lifted, so that the server
 * is what is measured).
 *   tws_load PORT CLIENT_ID bars N SYMBOL...    N daily-bar requests ("1 Y", TRADES), symbols in turn
 *   tws_load PORT CLIENT_ID orders N SYMBOL...  N orders (MKT OPG BUY 1), each until acknowledged
 * Prints one line: "bars B requests N seconds S" or "orders N seconds S". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tws/client.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	tws_client_opts o;
	tws_client *c;
	tws_event ev;
	long n, done = 0, bars = 0;
	double t0;

	if (argc < 6) {
		fprintf(stderr, "usage: tws_load PORT CLIENT_ID bars|orders N SYMBOL...\n");
		return 64;
	}
	tws_client_opts_init(&o);
	o.port = atoi(argv[1]);
	o.client_id = atoi(argv[2]);
	o.max_msgs_per_sec = 1000000;
	o.max_hist_open = 100000;
	o.request_timeout_ms = 300000;
	o.connect_timeout_ms = 60000;
	n = atol(argv[4]);
	c = tws_client_new(&o);
	if (c == NULL || tws_connect(c) < 0) {
		fprintf(stderr, "tws_load: %s\n", c ? tws_errmsg(c) : "out of memory");
		return 69;
	}
	t0 = now();
	for (long i = 0; i < n; i++) {
		const char *sym = argv[5 + i % (argc - 5)];
		if (strcmp(argv[3], "bars") == 0) {
			tws_hist_req r;
			memset(&r, 0, sizeof r);
			tws_contract_stock(&r.contract, sym);
			strcpy(r.bar_size, "1 day");
			strcpy(r.duration, "1 Y");
			strcpy(r.what, "TRADES");
			r.use_rth = 1;
			r.format_date = 1;
			tws_req_historical(c, &r);
		} else {
			tws_contract ct;
			tws_order od;
			tws_contract_stock(&ct, sym);
			tws_order_init(&od);
			strcpy(od.action, "BUY");
			od.qty = 1;
			strcpy(od.order_type, "MKT");
			strcpy(od.tif, "OPG");
			snprintf(od.order_ref, sizeof od.order_ref, "bench:%ld", i);
			tws_place_order(c, &ct, &od);
		}
	}
	while (tws_pending(c) > 0) {
		int r = tws_poll(c, &ev, 60000);
		if (r < 0) {
			fprintf(stderr, "tws_load: %s\n", tws_errmsg(c));
			return 69;
		}
		if (r == 0) {
			fprintf(stderr, "tws_load: no progress in 60 s (%d pending)\n", tws_pending(c));
			return 75;
		}
		if (ev.type == TWS_EV_BARS) {
			bars += ev.u.bars.nbars;
			done++;
		} else if (ev.type == TWS_EV_ERROR && !tws_error_is_notice(ev.u.error.code)) {
			fprintf(stderr, "tws_load: error %d: %s\n", ev.u.error.code, ev.u.error.msg);
			return 65;
		} else if (ev.type == TWS_EV_TIMEOUT) {
			fprintf(stderr, "tws_load: request %d timed out\n", ev.req_id);
			return 75;
		}
	}
	if (strcmp(argv[3], "bars") == 0)
		printf("bars %ld requests %ld seconds %.3f\n", bars, done, now() - t0);
	else
		printf("orders %ld seconds %.3f\n", n, now() - t0);
	tws_client_free(c);
	return 0;
}
