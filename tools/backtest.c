/* backtest: simulate target weights against prices: equity curve, holdings and metrics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aout.h"
#include "btrun.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "ndjson.h"

enum {
	OPT_CONFIG = 0x100,
	OPT_COST_BPS,
	OPT_HOLDINGS,
	OPT_LAG,
	OPT_LOOKAHEAD,
	OPT_MAX_GROSS,
	OPT_METRICS,
	OPT_MODE,
	OPT_PRICES,
	OPT_RF,
	OPT_UNIVERSE,
	OPT_WEIGHTS,
};

#define MAXFILES 256 /* --prices files */

static void usage(int status);
static json_t *params_json(const struct strategy_config *c, double rf, int lookahead);

static const struct option long_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "cost-bps", required_argument, NULL, OPT_COST_BPS },
	{ "holdings", required_argument, NULL, OPT_HOLDINGS },
	{ "lag", required_argument, NULL, OPT_LAG },
	{ "lookahead", required_argument, NULL, OPT_LOOKAHEAD },
	{ "max-gross", required_argument, NULL, OPT_MAX_GROSS },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "output", required_argument, NULL, 'o' },
	{ "prices", required_argument, NULL, OPT_PRICES },
	{ "rf", required_argument, NULL, OPT_RF },
	{ "universe", required_argument, NULL, OPT_UNIVERSE },
	{ "weights", required_argument, NULL, OPT_WEIGHTS },
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	const char *prices[MAXFILES], *pnames[MAXFILES], *weights = NULL, *universe = NULL, *config = NULL;
	FILE *pfps[MAXFILES];
	int nprices = 0, stdin_prices = 0;
	const char *out = "-", *metrics = NULL, *holdings = NULL;
	const char *set_key[3], *set_val[3], *set_opt[3]; /* config keys given as options, in order */
	int nset = 0;
	struct strategy_config c;
	struct btr_opts o = { 0 };
	struct btr_result res;
	aout *eq = NULL, *ho = NULL, *me = NULL;
	double rf = 0, max_gross = 1;
	int opt, lookahead = 252, rc;
	char err[512];

	err_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_CONFIG: config = optarg; break;
		case OPT_COST_BPS:
		case OPT_LAG:
		case OPT_MODE:
			if (nset == 3)
				usage(EX_USAGE);
			set_key[nset] = opt == OPT_COST_BPS ? "cost_bps" : opt == OPT_LAG ? "lag" : "mode";
			set_opt[nset] = opt == OPT_COST_BPS ? "--cost-bps" : opt == OPT_LAG ? "--lag" : "--mode";
			set_val[nset++] = optarg;
			break;
		case OPT_HOLDINGS: holdings = optarg; break;
		case OPT_LOOKAHEAD: lookahead = (int)cli_int(optarg, 1, 100000, "--lookahead"); break;
		case OPT_MAX_GROSS: max_gross = cli_double(optarg, 0.000001, 100, "--max-gross"); break;
		case OPT_METRICS: metrics = optarg; break;
		case 'o': out = optarg; break;
		case OPT_PRICES:
			if (nprices == MAXFILES)
				err_die(EX_USAGE, "--prices: more than %d files", MAXFILES);
			prices[nprices++] = optarg;
			break;
		case OPT_RF: rf = cli_double(optarg, -0.99, 10, "--rf"); break;
		case OPT_UNIVERSE: universe = optarg; break;
		case OPT_WEIGHTS: weights = optarg; break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	if (optind != argc)
		usage(EX_USAGE);
	if (nprices == 0)
		prices[nprices++] = "-";
	for (int i = 0; i < nprices; i++)
		stdin_prices += strcmp(prices[i], "-") == 0;
	if (stdin_prices > 1)
		err_die(EX_USAGE, "--prices: standard input can be only one of the files");
	if (weights == NULL)
		weights = "-";
	if (stdin_prices && strcmp(weights, "-") == 0)
		err_die(EX_USAGE, "the prices and the weights cannot both come from stdin: give --prices or --weights");
	if ((universe != NULL && strcmp(universe, "-") == 0) || (holdings != NULL && strcmp(holdings, "-") == 0) ||
	    (metrics != NULL && strcmp(metrics, "-") == 0 && strcmp(out, "-") == 0))
		err_die(EX_USAGE, "only one input and one output can use stdin / stdout");

	/* Defaults, then the config file, then the options, whatever their order on the command line. */
	config_defaults(&c);
	if (config != NULL) {
		if (access(config, R_OK) != 0)
			err_die(EX_NOINPUT, "%s:", config);
		if (config_load(&c, config, err, sizeof err) != 0)
			err_die(EX_DATAERR, "%s", err);
	}
	for (int i = 0; i < nset; i++)
		if (config_set(&c, set_key[i], set_val[i], err, sizeof err) != 0)
			err_die(EX_USAGE, "%s: %s", set_opt[i], err);
	if (config_check(&c, err, sizeof err) != 0)
		err_die(config != NULL ? EX_DATAERR : EX_USAGE, "%s", err);
	if (c.lag < 1)
		err_die(EX_USAGE, "lag: %d: must be at least 1", c.lag);

	for (int i = 0; i < nprices; i++) {
		pfps[i] = cli_open_in(prices[i]);
		pnames[i] = cli_in_name(prices[i]);
	}
	o.prices = pfps;
	o.prices_name = pnames;
	o.nprices = nprices;
	o.weights = cli_open_in(weights);
	o.weights_name = cli_in_name(weights);
	if (universe != NULL) {
		o.universe = cli_open_in(universe);
		o.universe_name = universe;
	}
	o.cost_bps = c.cost_bps;
	o.long_short = c.long_short;
	o.lag = c.lag;
	o.lookahead = lookahead;
	o.max_gross = max_gross;
	if ((eq = aout_open(out)) == NULL)
		err_die(EX_IOERR, "%s:", out);
	o.equity = aout_fp(eq);
	if (holdings != NULL) {
		if ((ho = aout_open(holdings)) == NULL)
			err_die(EX_IOERR, "%s:", holdings);
		o.holdings = aout_fp(ho);
	}

	rc = btr_run(&o, &res, err, sizeof err);
	if (rc != 0) {
		btr_free(&res);
		err_die(rc, "%s", err);
	}
	log_debug("%zu days, %zu rebalances", res.n, res.nreb);
	if (metrics != NULL) {
		json_t *doc = btr_metrics(&res, rf, params_json(&c, rf, lookahead));

		if (doc == NULL || (me = aout_open(metrics)) == NULL)
			err_die(doc ? EX_IOERR : EX_SOFTWARE, "%s:", metrics);
		if (nd_write(aout_fp(me), doc) != 0 || aout_commit(me) != 0)
			err_die(EX_IOERR, "%s:", metrics);
		json_decref(doc);
	}
	btr_free(&res);
	if (ho != NULL && aout_commit(ho) != 0)
		err_die(EX_IOERR, "%s:", holdings);
	if (aout_commit(eq) != 0)
		err_die(EX_IOERR, "%s:", out);
	for (int i = 0; i < nprices; i++)
		if (pfps[i] != stdin)
			fclose(pfps[i]);
	if (o.weights != stdin)
		fclose(o.weights);
	if (o.universe != NULL)
		fclose(o.universe);
	err_exit_flush(0);
}

/* The strategy config as written by config_json(), plus the backtest's own settings. */
static json_t *
params_json(const struct strategy_config *c, double rf, int lookahead)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	json_t *p = NULL;

	if (fp != NULL) {
		config_json(c, fp);
		if (fclose(fp) == 0)
			p = json_loadb(buf, len, 0, NULL);
	}
	free(buf);
	if (p == NULL)
		p = json_object();
	json_object_set_new(p, "rf", json_real(rf));
	json_object_set_new(p, "lookahead", json_integer(lookahead));
	return p;
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: backtest [-q] [--prices FILE]... [--weights FILE] [--universe FILE] [--config FILE]\n"
	    "                [--cost-bps X] [--lag N] [--mode long_only|long_short] [--rf RATE]\n"
	    "                [--lookahead N] [--max-gross X] [-o FILE] [--metrics FILE] [--holdings FILE]\n"
	    "Simulate target weights against daily returns; write the equity CSV (strategy and benchmark).\n");
	exit(status);
}
