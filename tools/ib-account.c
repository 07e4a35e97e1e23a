/* ib-account: one NDJSON snapshot of the account: values, positions, the working orders of every API
 * client, the completed orders and the day's fills with their commissions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aout.h"
#include "ib/conn.h"
#include "ib/snap.h"
#include "cli.h"
#include "date.h"
#include "err.h"
#include "log.h"

enum { OPT_SINCE = 0x100 };

static void usage(int status);

static const struct option long_options[] = {
	{ "account", required_argument, NULL, BK_OPT_ACCOUNT },
	{ "output", required_argument, NULL, 'o' },
	{ "since", required_argument, NULL, OPT_SINCE },
	BK_CONN_OPTIONS,
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	const char *out = "-", *want;
	char err[512], account[32];
	int opt, since = -1, code, y, m, d;
	tws_client_opts co;
	tws_exec_filter f;
	tws_client *c;
	bk_snap s;
	aout *o;

	err_init(argv[0]);
	if ((code = bk_conn_init(&co, &want, err, sizeof err)) != 0)
		err_die(code, "%s", err);
	co.request_timeout_ms = 30000;
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		if (bk_conn_opt(opt, optarg, &co, 3600))
			continue;
		switch (opt) {
		case BK_OPT_ACCOUNT: want = optarg; break;
		case 'o': out = optarg; break;
		case OPT_SINCE: since = cli_date(optarg, "since"); break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	if (optind != argc)
		usage(EX_USAGE);

	if ((c = tws_client_new(&co)) == NULL)
		err_die(EX_OSERR, "out of memory");
	if (tws_connect(c) < 0)
		err_die(tws_code(c), "%s", tws_errmsg(c));
	if ((code = bk_pick_account(tws_accounts(c), want, account, sizeof account, err, sizeof err)) != 0)
		err_die(code, "%s", err);
	bk_snap_init(&s, account);
	/* The account values first: they bring the server's clock, which says what "today" is (a simulated
	 * broker's day is not the wall clock's). */
	if ((code = bk_snap_take(c, &s, BK_SNAP_ACCOUNT, NULL, err, sizeof err)) != 0)
		err_die(code, "%s", err);
	if (since < 0)
		since = date_of_time(s.server_time >= 0 ? s.server_time : (long long)time(NULL), "America/New_York"); /* IB's trading day */
	memset(&f, 0, sizeof f);
	snprintf(f.account, sizeof f.account, "%s", account);
	date_to_ymd(since, &y, &m, &d);
	/* With its zone: a time without one is the gateway's local time, whatever that is (IB warns, 2174). */
	snprintf(f.time, sizeof f.time, "%04d%02d%02d 00:00:00 US/Eastern", y, m, d);
	if ((code = bk_snap_take(c, &s, BK_SNAP_POSITIONS | BK_SNAP_ORDERS | BK_SNAP_COMPLETED | BK_SNAP_FILLS, &f,
	    err, sizeof err)) != 0)
		err_die(code, "%s", err);
	tws_client_free(c);
	if (!s.have_account)
		err_die(EX_UNAVAILABLE, "TWS sent no account values for %s", account);

	if ((o = aout_open(out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", out);
	if (bk_snap_write(&s, aout_fp(o), BK_SNAP_ALL) < 0 || aout_commit(o) < 0)
		err_die(EX_IOERR, "%s:", strcmp(out, "-") ? out : "<stdout>");
	log_info("%s: %zu positions, %zu open orders, %zu completed orders, %zu fills", account, s.npos, s.nopen,
	    s.ndone, s.nfills);
	bk_snap_free(&s);
	err_exit_flush(0);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: ib-account [--account ID] [--since DATE] [--timeout SECS] [--host HOST] [--port PORT]\n"
	    "                  [--client-id N] [-o FILE]\n"
	    "Write the account's values, positions, working and completed orders and the day's fills (NDJSON)\n"
	    "from TWS or IB Gateway.\n");
	exit(status);
}
