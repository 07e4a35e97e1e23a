/* market-gen: a deterministic synthetic US-equity market (prices and a top-K universe) from a seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aout.h"
#include "cli.h"
#include "date.h"
#include "err.h"
#include "market.h"
#include "progress.h"

static void usage(int status);

enum { OPT_DAYS = 0x100, OPT_MIN_DV, OPT_SECURITIES, OPT_SEED, OPT_SHARES, OPT_START, OPT_UNI_OUT, OPT_UNI_SIZE };

static const struct option long_options[] = {
	{ "days", required_argument, NULL, OPT_DAYS },
	{ "min-dollar-volume", required_argument, NULL, OPT_MIN_DV },
	{ "output", required_argument, NULL, 'o' },
	{ "securities", required_argument, NULL, OPT_SECURITIES },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "shares", no_argument, NULL, OPT_SHARES },
	{ "start", required_argument, NULL, OPT_START },
	{ "universe-out", required_argument, NULL, OPT_UNI_OUT },
	{ "universe-size", required_argument, NULL, OPT_UNI_SIZE },
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	struct market_params p = {
		.seed = 1, .securities = 1200, .universe_size = 1000, .min_dollar_volume = 10e6,
	};
	const char *out = "-", *uni_out = NULL;
	long long days = 2520;
	aout *prices, *universe = NULL;
	market *m;
	int opt;

	err_init(argv[0]);
	p.start = date_from_ymd(2010, 1, 4);
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case 'o': out = optarg; break;
		case OPT_DAYS: days = cli_int(optarg, 1, 10000000, "--days"); break;
		case OPT_MIN_DV: p.min_dollar_volume = cli_double(optarg, 0, 1e15, "--min-dollar-volume"); break;
		case OPT_SECURITIES: p.securities = (int)cli_int(optarg, 1, 1000000, "--securities"); break;
		case OPT_SEED: p.seed = (unsigned long long)cli_int(optarg, 0, INT64_MAX, "--seed"); break;
		case OPT_SHARES: p.shares_column = 1; break;
		case OPT_START: p.start = cli_date(optarg, "--start"); break;
		case OPT_UNI_OUT: uni_out = optarg; break;
		case OPT_UNI_SIZE: p.universe_size = (int)cli_int(optarg, 0, 1000000, "--universe-size"); break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	if (optind != argc)
		usage(EX_USAGE);
	if (uni_out != NULL && strcmp(uni_out, "-") == 0 && strcmp(out, "-") == 0)
		err_die(EX_USAGE, "--universe-out: prices already go to standard output");

	if ((m = market_new(&p)) == NULL)
		err_die(EX_OSERR, "out of memory");
	if ((prices = aout_open(out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", out);
	if (uni_out != NULL && (universe = aout_open(uni_out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", uni_out);
	if (market_headers(m, aout_fp(prices), universe ? aout_fp(universe) : NULL) != 0)
		err_die(EX_IOERR, "write error");
	progress_begin("days", PROGRESS_ITEMS, days);
	for (long long d = 0; d < days; d++) {
		if (market_day(m, aout_fp(prices), universe ? aout_fp(universe) : NULL) != 0)
			err_die(EX_IOERR, "%s: write error", out);
		progress_update(d + 1);
	}
	progress_end();
	market_free(m);
	if (universe != NULL && aout_commit(universe) != 0)
		err_die(EX_IOERR, "%s:", uni_out);
	if (aout_commit(prices) != 0)
		err_die(EX_IOERR, "%s:", out);
	err_exit_flush(0);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: market-gen [-q] [--seed N] [--securities COUNT] [--days NDAYS] [--start DATE]\n"
	    "                  [--universe-size K] [--min-dollar-volume X] [--shares]\n"
	    "                  [-o FILE] [--universe-out FILE]\n"
	    "Write a deterministic synthetic market as a prices CSV (and a top-K universe CSV).\n");
	exit(status);
}
