/* ib-submit: place the `orders` tool's orders with TWS or IB Gateway, exactly once, and report them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aout.h"
#include "ib/check.h"
#include "ib/conn.h"
#include "ib/contracts.h"
#include "ib/order.h"
#include "ib/submit.h"
#include "cli.h"
#include "err.h"
#include "lease.h"
#include "log.h"
#include "util.h"

enum {
	OPT_CANCEL = 0x100, OPT_CONTRACTS, OPT_KEEP_GOING, OPT_LEASE, OPT_LEASE_TTL,
	OPT_LEASE_WAIT, OPT_LIMIT_BPS, OPT_LIVE, OPT_MAX_ORDER, OPT_MAX_RUN, OPT_ORDER_TYPE, OPT_PRICE_BAND, OPT_PRICE_SOURCE,
	OPT_STAGE, OPT_STORE, OPT_TIF, OPT_WAIT, OPT_WAIT_TIMEOUT
};

static void usage(int status);
static void refuse(void *ctx, const char *msg);
static void keep_unrefused(bk_orders *o, unsigned char *refused, size_t n, const char *what);
static void take_lease(const char *store, const char *name, int ttl, double wait_s);
static void drop_lease(void);
static void acked(void *ctx);

static const struct option long_options[] = {
	{ "account", required_argument, NULL, BK_OPT_ACCOUNT },
	{ "cancel", no_argument, NULL, OPT_CANCEL },
	{ "contracts", required_argument, NULL, OPT_CONTRACTS },
	{ "keep-going", no_argument, NULL, OPT_KEEP_GOING },
	{ "lease", required_argument, NULL, OPT_LEASE },
	{ "lease-ttl", required_argument, NULL, OPT_LEASE_TTL },
	{ "lease-wait", required_argument, NULL, OPT_LEASE_WAIT },
	{ "limit-offset-bps", required_argument, NULL, OPT_LIMIT_BPS },
	{ "live", no_argument, NULL, OPT_LIVE },
	{ "max-order-notional", required_argument, NULL, OPT_MAX_ORDER },
	{ "max-run-notional", required_argument, NULL, OPT_MAX_RUN },
	{ "order-type", required_argument, NULL, OPT_ORDER_TYPE },
	{ "output", required_argument, NULL, 'o' },
	{ "price-band", required_argument, NULL, OPT_PRICE_BAND },
	{ "price-source", required_argument, NULL, OPT_PRICE_SOURCE },
	{ "stage", no_argument, NULL, OPT_STAGE },
	{ "store", required_argument, NULL, OPT_STORE },
	{ "tif", required_argument, NULL, OPT_TIF },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "wait-timeout", required_argument, NULL, OPT_WAIT_TIMEOUT },
	BK_CONN_OPTIONS,
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	const char *in = "-", *out = "-", *want, *store = NULL, *lease_name = NULL, *contracts = NULL;
	char lname[128];
	int lease_ttl = 900;
	double lease_wait = 120;
	enum bk_px_source px_source = BK_PX_BAR;
	int opt, cancel = 0, live = 0, stage = 0, wait = 0, keep_going = 0, run_refused = 0, rc;
	double max_order = NAN, max_run = NAN, wait_timeout = -1, band = 25;
	bk_ord_params p = { NULL, NULL, NAN };
	char err[512], account[32];
	tws_client_opts co;
	static bk_orders orders; /* static: reachable (not leaked) when a refusal exits */
	static bk_submit s;
	static tws_client *c;
	size_t nfailed = 0, nfinal = 0, nrefused = 0, nprice = 0;
	static bk_broker_px *px;
	static unsigned char *refused;
	FILE *fp;
	static aout *o; /* static: reachable when a refusal exits */

	err_init(argv[0]);
	if ((rc = bk_conn_init(&co, &want, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	co.request_timeout_ms = 30000;
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		if (bk_conn_opt(opt, optarg, &co, 3600))
			continue;
		switch (opt) {
		case BK_OPT_ACCOUNT: want = optarg; break;
		case OPT_CANCEL: cancel = 1; break;
		case OPT_CONTRACTS: contracts = optarg; break;
		case OPT_KEEP_GOING: keep_going = 1; break;
		case OPT_LEASE: lease_name = optarg; break;
		case OPT_LEASE_TTL: lease_ttl = (int)cli_int(optarg, 10, LEASE_TTL_MAX, "lease-ttl"); break;
		case OPT_LEASE_WAIT: lease_wait = cli_double(optarg, 0, 86400, "lease-wait"); break;
		case OPT_LIMIT_BPS: p.limit_offset_bps = cli_double(optarg, 0, 5000, "limit-offset-bps"); break;
		case OPT_LIVE: live = 1; break;
		case OPT_MAX_ORDER: max_order = cli_double(optarg, 0, 1e15, "max-order-notional"); break;
		case OPT_MAX_RUN: max_run = cli_double(optarg, 0, 1e15, "max-run-notional"); break;
		case OPT_ORDER_TYPE: p.order_type = optarg; break;
		case 'o': out = optarg; break;
		case OPT_PRICE_BAND: band = cli_double(optarg, 0.1, 1000, "price-band"); break;
		case OPT_PRICE_SOURCE:
			if (strcmp(optarg, "bar") != 0 && strcmp(optarg, "snapshot") != 0)
				err_die(EX_USAGE, "--price-source: '%s' is neither bar nor snapshot", optarg);
			px_source = strcmp(optarg, "bar") == 0 ? BK_PX_BAR : BK_PX_SNAPSHOT;
			break;
		case OPT_STAGE: stage = 1; break;
		case OPT_STORE: store = optarg; break;
		case OPT_TIF: p.tif = optarg; break;
		case OPT_WAIT: wait = 1; break;
		case OPT_WAIT_TIMEOUT: wait_timeout = cli_double(optarg, 0, 7 * 86400, "wait-timeout"); break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	if (argc - optind > 1 || (cancel && (argc > optind || stage || wait || p.order_type || p.tif || keep_going)) ||
	    (stage && wait) || (wait_timeout >= 0 && !wait))
		usage(EX_USAGE);
	if (optind < argc)
		in = argv[optind];

	if (!cancel) {
		fp = cli_open_in(in);
		if ((rc = bk_ord_read(fp, cli_in_name(in), &orders, err, sizeof err)) != 0)
			err_die(rc, "%s", err);
		if (fp != stdin)
			fclose(fp);
		for (size_t i = 0; i < orders.n; i++)
			if ((rc = bk_ord_resolve(&orders.v[i], &p, err, sizeof err)) != 0)
				err_die(rc, "%s", err);
		bk_ord_sells_first(&orders);
		/* Limits refuse the whole run, before anything is sent. */
		if ((nfailed = bk_ord_check_limits(&orders, max_order, max_run, refuse, NULL)) > 0)
			err_die(EX_DATAERR, "refused: %zu limit check%s failed; no order sent", nfailed, nfailed > 1 ? "s" : "");
		if (orders.n == 0 && orders.nsup == 0) {
			log_info("no orders: nothing to do");
			err_exit_flush(0);
		}
	}

	if ((c = tws_client_new(&co)) == NULL)
		err_die(EX_OSERR, "out of memory");
	if (tws_connect(c) < 0)
		err_die(tws_code(c), "%s", tws_errmsg(c));
	if ((rc = bk_pick_account(tws_accounts(c), want, account, sizeof account, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (!bk_trading_allowed(account, live, getenv("IB_LIVE")))
		err_die(EX_NOPERM, "refused: %s is a live account (not DU...): give --live and set IB_LIVE=yes to trade "
		    "it; no order sent", account);
	if (!bk_is_paper(account))
		log_warn("trading the LIVE account %s (--live, IB_LIVE=yes)", account);

	if (!cancel && orders.n > 0) {
		/* The second price: every order against the broker's own latest close, before anything is placed. */
		if ((px = calloc(orders.n, sizeof *px)) == NULL || (refused = calloc(orders.n, 1)) == NULL)
			err_die(EX_OSERR, "out of memory");
		/* By conId: a symbol the cache and IB cannot name is refused, never sent by its bare symbol. */
		if (contracts != NULL) {
			if ((rc = bk_contracts_orders(c, contracts, &orders, refused, &nrefused, err, sizeof err)) != 0)
				err_die(rc, "%s; no order sent", err);
			if (nrefused > 0 && !keep_going)
				err_die(EX_DATAERR, "refused: %zu order%s without a conId (see above); no order sent "
				    "(--keep-going places the others)", nrefused, nrefused > 1 ? "s" : "");
			keep_unrefused(&orders, refused, nrefused, "without a conId");
		}
		if ((rc = bk_broker_prices(c, &orders, px_source, px, err, sizeof err)) != 0)
			err_die(rc, "the broker's prices: %s; no order sent", err);
		nrefused += nprice = bk_ord_check_broker(&orders, px, band / 100, max_order, max_run, refused,
		    &run_refused, refuse, NULL);
		if (run_refused || (nprice > 0 && !keep_going))
			err_die(EX_DATAERR, "refused: %zu check%s against the broker's prices failed; no order sent%s",
			    nprice, nprice > 1 ? "s" : "", run_refused ? "" : " (--keep-going places the others)");
		keep_unrefused(&orders, refused, nprice, "against the broker's prices");
		free(px);
		px = NULL;
		free(refused);
		refused = NULL;
	}

	/* Exactly once across processes and hosts: reading the account and placing happen under the lease. */
	if (lease_name == NULL) {
		const char *prefix = getenv("STI_LEASE_PREFIX");
		snprintf(lname, sizeof lname, "%sib-submit-%s", prefix ? prefix : "", account);
		lease_name = lname;
	}
	take_lease(store, lease_name, lease_ttl, lease_wait);
	if ((o = aout_open(out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", out);
	if (cancel)
		rc = bk_sub_cancel(&s, c, account, co.client_id, aout_fp(o), err, sizeof err);
	else if ((rc = bk_sub_start(&s, c, &orders, account, co.client_id, !stage, aout_fp(o), err, sizeof err)) == 0 &&
	    (rc = bk_sub_supersede(&s, util_now_ms() + co.request_timeout_ms, err, sizeof err)) == 0)
		rc = bk_sub_place(&s, err, sizeof err);
	if (rc != 0)
		err_die(rc, "%s", err);
	s.on_acked = acked; /* every order is at the broker: the next submitter may read the account */
	rc = bk_sub_follow(&s, wait || cancel, wait_timeout >= 0 ? util_now_ms() + (long long)(wait_timeout * 1000) : -1,
	    err, sizeof err);
	if (aout_commit(o) < 0 || s.write_failed)
		err_die(EX_IOERR, "%s:", strcmp(out, "-") ? out : "<stdout>");
	if (rc != 0 && rc != EX_TEMPFAIL)
		err_die(rc, "%s; run again: orders already at the broker are not placed twice", err);
	for (size_t i = 0; i < s.n; i++) {
		nfailed += s.items[i].failed;
		nfinal += s.items[i].final;
	}
	log_info("%zu orders: %zu final, %zu failed", s.n, nfinal, nfailed);
	if (rc == EX_TEMPFAIL)
		err_die(EX_TEMPFAIL, "--wait-timeout: %zu of %zu orders not final yet", s.n - nfinal, s.n);
	if (nfailed > 0)
		err_die(EX_DATAERR, "%zu of %zu orders %s (see above)", nfailed, s.n, cancel ? "not cancelled" :
		    "rejected, cancelled or lost");
	if (nrefused > 0)
		err_die(EX_DATAERR, "--keep-going: %zu order%s refused (see above); the other %zu placed", nrefused,
		    nrefused > 1 ? "s" : "", s.n);
	tws_client_free(c);
	bk_sub_free(&s);
	bk_orders_free(&orders);
	err_exit_flush(0);
}

static struct lease *held;

static void
drop_lease(void)
{
	char err[LEASE_ERRLEN];

	if (held == NULL)
		return;
	if (lease_release(held, err, sizeof err) != 0)
		log_warn("lease: %s", err);
	held = NULL;
}

static void
acked(void *ctx)
{
	drop_lease();
}

/* Take the lease, waiting up to wait_s seconds while another submitter holds it; released at exit
 * whatever the path (a refused run must not block the next one for the TTL). */
static void
take_lease(const char *store, const char *name, int ttl, double wait_s)
{
	char err[LEASE_ERRLEN];
	long long end = util_now_ms() + (long long)(wait_s * 1000);
	int rc, said = 0;

	while ((rc = lease_acquire(store, name, ttl, &held, err, sizeof err)) == EX_TEMPFAIL && util_now_ms() < end) {
		if (!said++)
			log_info("waiting for the lease %s: %s", name, err);
		struct timespec ts = { 0, 200 * 1000000L };
		nanosleep(&ts, NULL);
	}
	if (rc != 0)
		err_die(rc, "lease %s: %s; no order sent", name, err);
	atexit(drop_lease);
	log_debug("holding the lease %s until every order is at the broker", name);
}

static void
refuse(void *ctx, const char *msg)
{
	err_warn("refused: %s", msg);
}

/* --keep-going: drop the n orders marked in refused (what says why) and clear the marks. */
static void
keep_unrefused(bk_orders *o, unsigned char *refused, size_t n, const char *what)
{
	size_t k = 0;

	if (n == 0)
		return;
	for (size_t i = 0; i < o->n; i++)
		if (!refused[i])
			o->v[k++] = o->v[i];
	memset(refused, 0, o->n);
	o->n = k;
	log_warn("--keep-going: %zu order%s refused %s, placing the other %zu", n, n > 1 ? "s" : "", what, o->n);
	if (o->n == 0)
		err_die(EX_DATAERR, "every order was refused; no order sent");
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: ib-submit [--wait [--wait-timeout SECS] | --stage] [--order-type MKT|LMT|MOC|LOC]\n"
	    "                 [--tif OPG|DAY|GTC|IOC] [--limit-offset-bps BPS] [--max-order-notional X]\n"
	    "                 [--max-run-notional X] [--price-band PCT] [--price-source bar|snapshot]\n"
	    "                 [--contracts FILE] [--keep-going] [--live] [--timeout SECS] [--account ID]\n"
	    "                 [--store URL] [--lease NAME] [--lease-ttl SECS] [--lease-wait SECS]\n"
	    "                 [--host HOST] [--port PORT] [--client-id N] [-o FILE] [FILE]\n"
	    "       ib-submit --cancel [--account ID] [--host HOST] [--port PORT] [--client-id N] [-o FILE]\n"
	    "Place orders (NDJSON) with TWS or IB Gateway, exactly once; report their status and fills.\n");
	exit(status);
}
