/* dash-gen: the backtest, live and mock-trading dashboards as static, self-contained HTML pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aout.h"
#include "cli.h"
#include "dash/dash.h"
#include "err.h"
#include "log.h"

enum { OPT_CONFIG = 1, OPT_EQUITY, OPT_GRID_EQUITY, OPT_GRID_TABLE, OPT_LINKS, OPT_METRICS, OPT_REFRESH, OPT_ROOT, OPT_SWEEP, OPT_TITLE, OPT_WALKFWD, OPT_WEIGHTS };

static void usage(int status);

static const struct option long_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "equity", required_argument, NULL, OPT_EQUITY },
	{ "grid-equity", required_argument, NULL, OPT_GRID_EQUITY },
	{ "grid-table", required_argument, NULL, OPT_GRID_TABLE },
	{ "links", no_argument, NULL, OPT_LINKS },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "output", required_argument, NULL, 'o' },
	{ "refresh", required_argument, NULL, OPT_REFRESH },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "sweep", required_argument, NULL, OPT_SWEEP },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "walk-forward", required_argument, NULL, OPT_WALKFWD },
	{ "weights", required_argument, NULL, OPT_WEIGHTS },
	CLI_COMMON_OPTIONS
};

/* The generation time: SOURCE_DATE_EPOCH when set (reproducible pages, tests), else now. */
static time_t
gen_time(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");

	if (s != NULL && *s != '\0')
		return (time_t)cli_int(s, 0, 253402300799LL, "SOURCE_DATE_EPOCH");
	return time(NULL);
}

int
main(int argc, char *argv[])
{
	dash_backtest_in bt = { 0 };
	dash_live_in lv = { 0 };
	dash_probs probs = { 0 };
	const char *cmd, *out = "-", *title = NULL, *root = NULL;
	char now[64];
	int opt, refresh = 0, backtest, rc, links = 0;
	time_t t;
	struct tm tm;
	aout *a;

	err_init(argv[0]);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		usage(0);
	if (argc >= 2 && strcmp(argv[1], "--version") == 0)
		cli_version();
	if (argc < 2)
		usage(EX_USAGE);
	cmd = argv[1];
	if (strcmp(cmd, "backtest") != 0 && strcmp(cmd, "live") != 0 && strcmp(cmd, "mock") != 0) {
		err_warn("unknown page '%s' (backtest, live or mock)", cmd);
		usage(EX_USAGE);
	}
	backtest = strcmp(cmd, "backtest") == 0;
	argc--;
	argv++;
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_CONFIG: bt.config = optarg; break;
		case OPT_EQUITY: bt.equity = optarg; break;
		case OPT_GRID_EQUITY: bt.grid_equity = optarg; break;
		case OPT_GRID_TABLE: bt.grid_table = optarg; break;
		case OPT_LINKS: links = 1; break;
		case OPT_METRICS: bt.metrics = optarg; break;
		case 'o': out = optarg; break;
		case OPT_REFRESH: refresh = (int)cli_int(optarg, 1, 86400, "--refresh"); break;
		case OPT_ROOT: root = optarg; break;
		case OPT_SWEEP: bt.sweep = optarg; break;
		case OPT_TITLE: title = optarg; break;
		case OPT_WALKFWD: bt.walkfwd = optarg; break;
		case OPT_WEIGHTS: bt.weights = optarg; break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	if (bt.grid_equity && !bt.grid_table)
		err_die(EX_USAGE, "--grid-equity needs --grid-table");
	if (optind != argc)
		usage(EX_USAGE);
	if (backtest && (root != NULL || refresh > 0))
		err_die(EX_USAGE, "backtest: --root and --refresh belong to the live and mock pages");
	if (!backtest && (bt.equity || bt.metrics || bt.weights || bt.config || bt.sweep || bt.grid_table ||
	    bt.grid_equity || bt.walkfwd))
		err_die(EX_USAGE, "%s: --equity, --metrics, --weights, --config, --sweep, --grid-* and --walk-forward belong to the backtest page",
		    cmd);
	if (!backtest && root == NULL)
		err_die(EX_USAGE, "%s: --root DIR is required", cmd);

	t = gen_time();
	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%d %H:%M UTC", &tm);
	if ((a = aout_open(out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", out);
	if (backtest) {
		bt.title = title;
		bt.links = links;
		bt.now = now;
		rc = dash_backtest(aout_fp(a), &bt, &probs);
	} else {
		lv.root = root;
		lv.now = now;
		lv.today = (int)(t / 86400);
		lv.refresh = refresh;
		lv.links = links;
		lv.simulated = strcmp(cmd, "mock") == 0;
		lv.title = title ? title : strcmp(cmd, "mock") == 0 ? "Mock trading" : "Live trading";
		lv.label = strcmp(cmd, "mock") == 0 ? "simulated account (ib-sim)" : "broker account";
		rc = dash_live(aout_fp(a), &lv, &probs);
	}
	if (rc < 0)
		err_die(EX_OSERR, "out of memory");
	/* A missing input is expected at times (a first run, an optional log): -q silences it. A malformed one
	 * is always reported, and sets the exit status. */
	for (int i = 0; i < probs.n; i++)
		if (probs.isbad[i] || log_enabled(LOG_INFO))
			err_warn("%s", probs.msg[i]);
	if (aout_commit(a) < 0)
		err_die(EX_IOERR, "%s:", out);
	err_exit_flush(probs.bad > 0 ? EX_DATAERR : 0);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: dash-gen backtest [-q] [--equity FILE] [--metrics FILE] [--weights FILE] [--config FILE]\n"
	    "                [--sweep FILE] [--grid-table FILE [--grid-equity FILE]] [--walk-forward FILE]\n"
	    "                [--title TEXT] [--links]\n"
	    "                [-o FILE]\n"
	    "       dash-gen live | mock [-q] --root DIR [--refresh SECONDS] [--title TEXT] [--links] [-o FILE]\n"
	    "Write a dashboard as one self-contained HTML page (no network needed to view it).\n");
	exit(status);
}
