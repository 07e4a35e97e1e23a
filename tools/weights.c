/* weights: the reference momentum strategy, from a prices panel (one or several files) to target weights:
 * the options, then lib/wtrun. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aout.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "wtrun.h"

#define MAXSET 32
#define MAXFILES 256

static void usage(int status);

enum { OPT_ASOF = 0x100, OPT_CONFIG, OPT_LOOKBACK, OPT_MAX_GAP, OPT_MAX_WEIGHT, OPT_MODE, OPT_PRICES, OPT_PRINT_CONFIG,
	OPT_REBALANCE, OPT_REBALANCE_EVERY, OPT_SELECT, OPT_SKIP, OPT_UNIVERSE, OPT_VOL_WINDOW, OPT_WEIGHTING,
	OPT_WINSOR };

static const struct option long_options[] = {
	{ "asof", required_argument, NULL, OPT_ASOF },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "lookback", required_argument, NULL, OPT_LOOKBACK },
	{ "max-gap", required_argument, NULL, OPT_MAX_GAP },
	{ "max-weight", required_argument, NULL, OPT_MAX_WEIGHT },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "output", required_argument, NULL, 'o' },
	{ "prices", required_argument, NULL, OPT_PRICES },
	{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
	{ "rebalance", required_argument, NULL, OPT_REBALANCE },
	{ "rebalance-every", required_argument, NULL, OPT_REBALANCE_EVERY },
	{ "select", required_argument, NULL, OPT_SELECT },
	{ "skip", required_argument, NULL, OPT_SKIP },
	{ "universe", required_argument, NULL, OPT_UNIVERSE },
	{ "vol-window", required_argument, NULL, OPT_VOL_WINDOW },
	{ "weighting", required_argument, NULL, OPT_WEIGHTING },
	{ "winsor", required_argument, NULL, OPT_WINSOR },
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	struct strategy_config cfg;
	const char *out = "-", *conf = NULL, *uni_path = NULL, *set_key[MAXSET], *set_val[MAXSET];
	const char *paths[MAXFILES], *names[MAXFILES];
	FILE *fps[MAXFILES];
	struct wtr_opts o = { 0 };
	int opt, nset = 0, npaths = 0, asof = 0, print_config = 0, rc, stdin_used = 0;
	char err[512];
	aout *ao;

	err_init(argv[0]);
	config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		const char *key = NULL;

		switch (opt) {
		case 'o': out = optarg; break;
		case OPT_ASOF: asof = cli_date(optarg, "--asof"); break;
		case OPT_CONFIG: conf = optarg; break;
		case OPT_PRICES:
			if (npaths == MAXFILES)
				err_die(EX_USAGE, "--prices: more than %d files", MAXFILES);
			paths[npaths++] = optarg;
			break;
		case OPT_PRINT_CONFIG: print_config = 1; break;
		case OPT_UNIVERSE: uni_path = optarg; break;
		case OPT_LOOKBACK: key = "lookback"; break;
		case OPT_MAX_GAP: key = "max_gap"; break;
		case OPT_MAX_WEIGHT: key = "max_weight"; break;
		case OPT_MODE: key = "mode"; break;
		case OPT_REBALANCE: key = "rebalance"; break;
		case OPT_REBALANCE_EVERY: key = "rebalance_every"; break;
		case OPT_SELECT: key = "select"; break;
		case OPT_SKIP: key = "skip"; break;
		case OPT_VOL_WINDOW: key = "vol_window"; break;
		case OPT_WEIGHTING: key = "weighting"; break;
		case OPT_WINSOR: key = "winsor"; break;
		default: cli_common(opt, usage);
		}
		if (key != NULL) {
			if (nset == MAXSET)
				err_die(EX_USAGE, "too many options");
			set_key[nset] = key;
			set_val[nset++] = optarg;
		}
	}
	cli_done();
	/* The prices: --prices files, then the operands, read as one panel in that order; none: stdin. */
	for (; optind < argc; optind++) {
		if (npaths == MAXFILES)
			err_die(EX_USAGE, "more than %d prices files", MAXFILES);
		paths[npaths++] = argv[optind];
	}
	if (npaths == 0)
		paths[npaths++] = "-";
	/* The file first, then options, whatever their order on the command line. */
	if (conf != NULL) {
		if ((rc = config_load(&cfg, conf, err, sizeof err)) != 0)
			err_die(rc, "%s", err);
	}
	for (int i = 0; i < nset; i++) {
		if (config_set(&cfg, set_key[i], set_val[i], err, sizeof err) != 0) {
			char opt_name[32];

			snprintf(opt_name, sizeof opt_name, "--%s", set_key[i]);
			for (char *c = opt_name; *c; c++)
				*c = *c == '_' ? '-' : *c;
			err_die(EX_USAGE, "%s: %s", opt_name, err);
		}
	}
	if (config_check(&cfg, err, sizeof err) != 0)
		err_die(conf != NULL ? EX_DATAERR : EX_USAGE, "%s", err);
	if (print_config) {
		config_write(&cfg, stdout);
		err_exit_flush(0);
	}
	for (int i = 0; i < npaths; i++)
		stdin_used += strcmp(paths[i], "-") == 0;
	if (uni_path != NULL && strcmp(uni_path, "-") == 0 && stdin_used)
		err_die(EX_USAGE, "--universe: the prices already come from standard input");
	if (stdin_used > 1)
		err_die(EX_USAGE, "standard input can be only one of the prices files");

	for (int i = 0; i < npaths; i++) {
		fps[i] = cli_open_in(paths[i]);
		names[i] = cli_in_name(paths[i]);
	}
	o.prices = fps;
	o.prices_name = names;
	o.nprices = npaths;
	if (uni_path != NULL) {
		o.universe = cli_open_in(uni_path);
		o.universe_name = cli_in_name(uni_path);
	}
	o.cfg = &cfg;
	o.asof = asof;
	if ((ao = aout_open(out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", out);
	o.out = aout_fp(ao);
	if ((rc = wtr_run(&o, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (aout_commit(ao) != 0)
		err_die(EX_IOERR, "%s:", out);
	for (int i = 0; i < npaths; i++)
		if (fps[i] != stdin)
			fclose(fps[i]);
	if (o.universe != NULL && o.universe != stdin)
		fclose(o.universe);
	err_exit_flush(0);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: weights [-q] [--config FILE] [--universe FILE] [--asof DATE] [-o FILE]\n"
	    "               [--lookback N] [--skip N] [--max-gap N] [--winsor LO,HI] [--select P]\n"
	    "               [--mode long_only|long_short] [--weighting equal|inverse_vol]\n"
	    "               [--vol-window N] [--max-weight W] [--rebalance periodic|monthly]\n"
	    "               [--rebalance-every N] [--prices FILE]... [PRICES...]\n"
	    "       weights --print-config [--config FILE] [options]\n"
	    "Compute the momentum strategy's target weights from a date-major prices panel\n"
	    "(several files: read as one, in date order).\n");
	exit(status);
}
