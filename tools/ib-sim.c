/* ib-sim: a simulated broker that speaks the TWS API: bars from a prices file, fills at the next open
 * or close, an account kept on disk, and a clock a shell can drive. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "err.h"
#include "log.h"
#include "sim/broker.h"
#include "sim/prices.h"
#include "tws/wire.h"
#include "sim/server.h"

enum {
	OPT_ACCOUNT = 0x100, OPT_ACCOUNT_TYPE, OPT_BIND, OPT_CAPITAL, OPT_DELAY, OPT_DROP_AFTER, OPT_DROP_COUNT, OPT_HOST,
	OPT_PACING, OPT_PACING_VIOLATIONS, OPT_PORT, OPT_PRICES, OPT_REJECT_EVERY, OPT_SERVER_VERSION,
	OPT_SLIPPAGE, OPT_START, OPT_STATE, OPT_VOLUME_SHARE, OPT_ORDER_WARNING, OPT_FARM_NOTICES, OPT_NO_PERMISSION,
	OPT_COMMISSIONS, OPT_SEC_FEE, OPT_FINRA_TAF, OPT_EXCHANGE_FEE,
};

static void usage(int status);

static const struct option long_options[] = {
	{ "account", required_argument, NULL, OPT_ACCOUNT },
	{ "account-type", required_argument, NULL, OPT_ACCOUNT_TYPE },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "capital", required_argument, NULL, OPT_CAPITAL },
	{ "commissions", required_argument, NULL, OPT_COMMISSIONS },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "drop-after", required_argument, NULL, OPT_DROP_AFTER },
	{ "drop-count", required_argument, NULL, OPT_DROP_COUNT },
	{ "exchange-fee", required_argument, NULL, OPT_EXCHANGE_FEE },
	{ "farm-notices", no_argument, NULL, OPT_FARM_NOTICES },
	{ "finra-taf", required_argument, NULL, OPT_FINRA_TAF },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "no-permission", required_argument, NULL, OPT_NO_PERMISSION },
	{ "order-warning", required_argument, NULL, OPT_ORDER_WARNING },
	{ "pacing", no_argument, NULL, OPT_PACING },
	{ "pacing-violations", required_argument, NULL, OPT_PACING_VIOLATIONS },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "prices", required_argument, NULL, OPT_PRICES },
	{ "reject-every", required_argument, NULL, OPT_REJECT_EVERY },
	{ "sec-fee", required_argument, NULL, OPT_SEC_FEE },
	{ "server-version", required_argument, NULL, OPT_SERVER_VERSION },
	{ "slippage-bps", required_argument, NULL, OPT_SLIPPAGE },
	{ "start", required_argument, NULL, OPT_START },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "volume-share", required_argument, NULL, OPT_VOLUME_SHARE },
	CLI_COMMON_OPTIONS
};

static void
on_signal(int sig)
{
	(void)sig;
	sim_server_stop();
}

/* ib-sim ctl: one control command, its answer on stdout. */
static int
ctl(const char *host, int port, int argc, char **argv)
{
	char cmd[256] = "", reply[512];
	int rc;

	if (argc < 1)
		usage(EX_USAGE);
	for (int i = 0; i < argc; i++) {
		if (strlen(cmd) + strlen(argv[i]) + 2 > sizeof cmd)
			err_die(EX_USAGE, "command too long");
		if (i > 0)
			strcat(cmd, " ");
		strcat(cmd, argv[i]);
	}
	if ((rc = sim_ctl(host, port, cmd, reply, sizeof reply, 600000)) != 0)
		err_die(rc, "%s", reply);
	puts(reply);
	err_exit_flush(0);
}

int
main(int argc, char *argv[])
{
	struct sim_server_opts so = { .bind = "127.0.0.1", .port = 4002, .server_version = 178, .drop_count = 1 };
	struct sim_broker_opts bo = { .capital = 1000000, .account = "DU1234567" };
	const char *prices = NULL, *host = "127.0.0.1", *env;
	char err[512];
	int opt, start = -1, rc, crc;
	sim_prices *px;
	sim_broker *b;
	struct sigaction sa;

	err_init(argv[0]);
	sim_fees_default(&bo.fees);
	if ((env = getenv("IB_PORT")) != NULL && *env)
		so.port = (int)cli_int(env, 1, 65535, "IB_PORT");
	if ((env = getenv("IB_HOST")) != NULL && *env)
		host = env;
	if ((env = getenv("IB_ACCOUNT")) != NULL && *env)
		bo.account = env;
	while ((opt = getopt_long(argc, argv, "+" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_ACCOUNT: bo.account = optarg; break;
		case OPT_ACCOUNT_TYPE:
			if (strcmp(optarg, "cash") != 0 && strcmp(optarg, "margin") != 0)
				err_die(EX_USAGE, "--account-type: '%s' is neither cash nor margin", optarg);
			bo.cash_account = strcmp(optarg, "cash") == 0;
			break;
		case OPT_BIND: so.bind = optarg; break;
		case OPT_CAPITAL: bo.capital = cli_double(optarg, 0, 1e12, "--capital"); break;
		case OPT_COMMISSIONS:
			if (strcmp(optarg, "fixed") != 0 && strcmp(optarg, "tiered") != 0)
				err_die(EX_USAGE, "--commissions: '%s' is neither fixed nor tiered", optarg);
			bo.fees.pricing = strcmp(optarg, "tiered") == 0 ? SIM_PRICING_TIERED : SIM_PRICING_FIXED;
			break;
		case OPT_EXCHANGE_FEE: bo.fees.exchange_fee = cli_double(optarg, 0, 1, "--exchange-fee"); break;
		case OPT_FINRA_TAF: bo.fees.taf_per_share = cli_double(optarg, 0, 1, "--finra-taf"); break;
		case OPT_SEC_FEE: bo.fees.sec_per_million = cli_double(optarg, 0, 10000, "--sec-fee"); break;
		case OPT_DELAY: so.delay_ms = (int)cli_int(optarg, 0, 600000, "--delay"); break;
		case OPT_DROP_AFTER: so.drop_after = (int)cli_int(optarg, 1, 100000000, "--drop-after"); break;
		case OPT_DROP_COUNT: so.drop_count = (int)cli_int(optarg, 1, 1000000, "--drop-count"); break;
		case OPT_FARM_NOTICES: so.farm_notices = 1; break;
		case OPT_HOST: host = optarg; break;
		case OPT_NO_PERMISSION: so.no_permission = optarg; break;
		case OPT_ORDER_WARNING:
			so.order_warning = (int)cli_int(optarg, 1, 100000, "--order-warning");
			if (so.order_warning != 399 && so.order_warning != 404 && so.order_warning != 2109 &&
			    so.order_warning != 10349)
				err_die(EX_USAGE, "--order-warning: %d is not 399, 404, 2109 or 10349", so.order_warning);
			break;
		case OPT_PACING: so.enforce_pacing = 1; break;
		case OPT_PACING_VIOLATIONS: so.pacing_every = (int)cli_int(optarg, 1, 1000000, "--pacing-violations"); break;
		case OPT_PORT: so.port = (int)cli_int(optarg, 1, 65535, "--port"); break;
		case OPT_PRICES: prices = optarg; break;
		case OPT_REJECT_EVERY: bo.reject_every = (int)cli_int(optarg, 1, 1000000, "--reject-every"); break;
		case OPT_SERVER_VERSION: so.server_version = (int)cli_int(optarg, TWS_MIN_VERSION, TWS_MAX_VERSION, "--server-version"); break;
		case OPT_SLIPPAGE: bo.slippage_bps = cli_double(optarg, 0, 10000, "--slippage-bps"); break;
		case OPT_START: start = cli_date(optarg, "--start"); break;
		case OPT_STATE: bo.state_dir = optarg; break;
		case OPT_VOLUME_SHARE: bo.volume_share = cli_double(optarg, 1e-9, 1, "--volume-share"); break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	argc -= optind;
	argv += optind;
	if (argc > 0 && strcmp(argv[0], "ctl") == 0) {
		optind = 0;
		while ((opt = getopt_long(argc, argv, "+" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
			switch (opt) {
			case OPT_HOST: host = optarg; break;
			case OPT_PORT: so.port = (int)cli_int(optarg, 1, 65535, "--port"); break;
			default: cli_common(opt, usage);
			}
		}
		return ctl(host, so.port, argc - optind, argv + optind);
	}
	if (argc > 0 || prices == NULL)
		usage(EX_USAGE);
	if (strlen(bo.account) == 0 || strlen(bo.account) > 20)
		err_die(EX_USAGE, "--account: '%s' is not an account id", bo.account);

	if ((rc = sim_prices_load(&px, prices, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (sim_prices_nrows(px) == 0)
		err_die(EX_DATAERR, "%s: no prices", cli_in_name(prices));
	bo.px = px;
	bo.start_day = start >= 0 ? start : sim_prices_last(px);
	if (start < 0 && !cal_is_trading_day(bo.start_day))
		bo.start_day = cal_prev(bo.start_day);
	if ((rc = sim_broker_open(&b, &bo, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	log_info("%ld prices of %d securities from %s; account %s", sim_prices_nrows(px), sim_prices_nsecs(px),
	    cli_in_name(prices), sim_broker_account(b));

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	rc = sim_server_run(b, px, &so, err, sizeof err);
	if (rc != 0)
		err_warn("%s", err);
	if ((crc = sim_broker_close(b, err, sizeof err)) != 0) {
		err_warn("%s", err);
		rc = rc ? rc : crc;
	}
	sim_prices_free(px);
	return rc;
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: ib-sim [-q] --prices FILE [--state DIR] [--port PORT] [--bind ADDR] [--capital X]\n"
	    "              [--slippage-bps X] [--start DATE] [--account ID] [--server-version N]\n"
	    "              [--drop-after N] [--drop-count N] [--delay MS] [--pacing-violations N]\n"
	    "              [--pacing] [--reject-every N] [--account-type cash|margin]\n"
	    "              [--volume-share X] [--order-warning CODE] [--farm-notices]\n"
	    "              [--no-permission SYMBOL,...] [--commissions fixed|tiered] [--sec-fee USD]\n"
	    "              [--finra-taf USD] [--exchange-fee USD]\n"
	    "       ib-sim ctl [--host HOST] [--port PORT] advance open | advance close | advance days N\n"
	    "       ib-sim ctl [--host HOST] [--port PORT] notice CODE | link lost [after N] | link restored[-data-lost]\n"
	    "       ib-sim ctl [--host HOST] [--port PORT] status | shutdown\n"
	    "A simulated broker speaking the TWS API on PORT (default 4002).\n");
	exit(status);
}
