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
#include "csv.h"
#include "date.h"
#include "err.h"
#include "grid.h"
#include "log.h"
#include "ndjson.h"
#include "progress.h"
#include "walkfwd.h"

enum {
	OPT_CONFIG = 0x100,
	OPT_COST_BPS,
	OPT_GRID,
	OPT_GRID_DEFLATE,
	OPT_GRID_EQUITY,
	OPT_GRID_SLICE,
	OPT_WALK_FORWARD,
	OPT_WF_METRIC,
	OPT_WF_METRICS,
	OPT_WF_OUT,
	OPT_WF_WINDOWS,
	OPT_HOLDINGS,
	OPT_JOBS,
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
#define NMETRICS 32  /* room for every name of grid_metric_names */

static void usage(int status);
static json_t *params_json(const struct strategy_config *c, double rf, int lookahead);

/* --grid and the options that go with it. */
struct grid_opts {
	const char *grid, *equity, *universe, *out;
	const char *const *prices; /* the prices files, in date order */
	int nprices;
	int jobs, lookahead;
	long slice, nslice; /* --grid-slice K/N: the K-th of N slices of the rows (nslice 0: all) */
	int train, test;    /* --walk-forward TRAIN:TEST (0: none) */
	const char *wf_metric, *wf_out, *wf_windows, *wf_metrics;
	double rf;
};
static void run_grid(const struct grid_opts *go, const struct strategy_config *c);
static void grid_deflate_table(const char *table, const char *equity, const char *out);
static void walk_forward(const struct grid_opts *go, const struct grid_points *pts, const struct btr_result *res,
    double *const *tv, double *const *cv);

static const struct option long_options[] = {
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "cost-bps", required_argument, NULL, OPT_COST_BPS },
	{ "grid", required_argument, NULL, OPT_GRID },
	{ "grid-deflate", required_argument, NULL, OPT_GRID_DEFLATE },
	{ "grid-equity", required_argument, NULL, OPT_GRID_EQUITY },
	{ "grid-slice", required_argument, NULL, OPT_GRID_SLICE },
	{ "walk-forward", required_argument, NULL, OPT_WALK_FORWARD },
	{ "wf-metric", required_argument, NULL, OPT_WF_METRIC },
	{ "wf-metrics", required_argument, NULL, OPT_WF_METRICS },
	{ "wf-out", required_argument, NULL, OPT_WF_OUT },
	{ "wf-windows", required_argument, NULL, OPT_WF_WINDOWS },
	{ "holdings", required_argument, NULL, OPT_HOLDINGS },
	{ "jobs", required_argument, NULL, OPT_JOBS },
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

/* What the command line asks for. */
struct args {
	const char *prices[MAXFILES];
	int nprices, stdin_prices;
	const char *weights, *universe, *config, *out, *metrics, *holdings, *deflate;
	const char *set_key[3], *set_val[3], *set_opt[3]; /* config keys given as options, in order */
	int nset;
	double rf, max_gross;
	int max_gross_set, lookahead;
	struct grid_opts go;
};

static void parse_args(int argc, char *argv[], struct args *a);
static void check_args(struct args *a);
static void load_config(const struct args *a, struct strategy_config *c);
static void run_single(const struct args *a, const struct strategy_config *c);

int
main(int argc, char *argv[])
{
	struct args a = { .out = "-", .max_gross = 1, .lookahead = 252 };
	struct strategy_config c;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	err_init(argv[0]);
	parse_args(argc, argv, &a);
	check_args(&a);
	load_config(&a, &c);
	if (a.go.grid != NULL) {
		a.go.prices = a.prices;
		a.go.nprices = a.nprices;
		a.go.universe = a.universe;
		a.go.out = a.out;
		a.go.rf = a.rf;
		a.go.lookahead = a.lookahead;
		if (a.go.jobs == 0)
			a.go.jobs = ncpu > 0 ? (int)(ncpu < 64 ? ncpu : 64) : 1;
		run_grid(&a.go, &c);
	} else {
		run_single(&a, &c);
	}
	err_exit_flush(0);
}

static void
parse_args(int argc, char *argv[], struct args *a)
{
	int opt;

	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_CONFIG: a->config = optarg; break;
		case OPT_COST_BPS:
		case OPT_LAG:
		case OPT_MODE:
			if (a->nset == 3)
				usage(EX_USAGE);
			a->set_key[a->nset] = opt == OPT_COST_BPS ? "cost_bps" : opt == OPT_LAG ? "lag" : "mode";
			a->set_opt[a->nset] = opt == OPT_COST_BPS ? "--cost-bps" : opt == OPT_LAG ? "--lag" : "--mode";
			a->set_val[a->nset++] = optarg;
			break;
		case OPT_GRID: a->go.grid = optarg; break;
		case OPT_GRID_DEFLATE: a->deflate = optarg; break;
		case OPT_GRID_EQUITY: a->go.equity = optarg; break;
		case OPT_GRID_SLICE: {
			char *slash = strchr(optarg, '/');

			if (slash == NULL)
				err_die(EX_USAGE, "--grid-slice: '%s' is not K/N", optarg);
			*slash = '\0';
			a->go.nslice = cli_int(slash + 1, 1, 1000000, "--grid-slice N");
			a->go.slice = cli_int(optarg, 0, a->go.nslice - 1, "--grid-slice K");
			break;
		}
		case OPT_WALK_FORWARD: {
			char *colon = strchr(optarg, ':');

			if (colon == NULL)
				err_die(EX_USAGE, "--walk-forward: '%s' is not TRAIN:TEST", optarg);
			*colon = '\0';
			a->go.train = (int)cli_int(optarg, 2, 1000000, "--walk-forward TRAIN");
			a->go.test = (int)cli_int(colon + 1, 1, 1000000, "--walk-forward TEST");
			break;
		}
		case OPT_WF_METRIC:
			if (!wf_metric_ok(optarg))
				err_die(EX_USAGE, "--wf-metric: '%s' is not sharpe, sortino, cagr, calmar, "
				    "cumulative_return, omega, max_drawdown or win_rate", optarg);
			a->go.wf_metric = optarg;
			break;
		case OPT_WF_METRICS: a->go.wf_metrics = optarg; break;
		case OPT_WF_OUT: a->go.wf_out = optarg; break;
		case OPT_WF_WINDOWS: a->go.wf_windows = optarg; break;
		case OPT_JOBS: a->go.jobs = (int)cli_int(optarg, 1, 1024, "--jobs"); break;
		case OPT_HOLDINGS: a->holdings = optarg; break;
		case OPT_LOOKAHEAD: a->lookahead = (int)cli_int(optarg, 1, 100000, "--lookahead"); break;
		case OPT_MAX_GROSS:
			a->max_gross = cli_double(optarg, 0.000001, 100, "--max-gross");
			a->max_gross_set = 1;
			break;
		case OPT_METRICS: a->metrics = optarg; break;
		case 'o': a->out = optarg; break;
		case OPT_PRICES:
			if (a->nprices == MAXFILES)
				err_die(EX_USAGE, "--prices: more than %d files", MAXFILES);
			a->prices[a->nprices++] = optarg;
			break;
		case OPT_RF: a->rf = cli_double(optarg, -0.99, 10, "--rf"); break;
		case OPT_UNIVERSE: a->universe = optarg; break;
		case OPT_WEIGHTS: a->weights = optarg; break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	if (optind != argc)
		usage(EX_USAGE);
}

/* Refuse what does not go together, before anything is read or written. --grid-deflate runs here: it is a
 * mode of its own. */
static void
check_args(struct args *a)
{
	if (a->deflate != NULL) {
		if (a->go.grid != NULL || a->go.equity == NULL)
			err_die(EX_USAGE, "--grid-deflate reads a grid table and its --grid-equity; no --grid");
		grid_deflate_table(a->deflate, a->go.equity, a->out);
		err_exit_flush(0);
	}
	if (a->go.grid == NULL && (a->go.equity != NULL || a->go.nslice != 0 || a->go.jobs != 0))
		err_die(EX_USAGE, "--grid-equity, --grid-slice and --jobs go with --grid");
	if ((a->go.wf_metric || a->go.wf_out || a->go.wf_windows || a->go.wf_metrics) && a->go.train == 0)
		err_die(EX_USAGE, "--wf-metric, --wf-out, --wf-windows and --wf-metrics go with --walk-forward");
	if (a->go.train != 0 && (a->go.grid == NULL || a->go.nslice != 0))
		err_die(EX_USAGE, "--walk-forward goes with --grid, over the whole grid (no --grid-slice)");
	if (a->go.train != 0 && a->go.wf_out == NULL && a->go.wf_windows == NULL && a->go.wf_metrics == NULL)
		err_die(EX_USAGE, "--walk-forward: give --wf-out, --wf-windows or --wf-metrics");
	if (a->go.grid != NULL &&
	    (a->weights != NULL || a->metrics != NULL || a->holdings != NULL || a->max_gross_set))
		err_die(EX_USAGE, "--grid computes the weights itself (gross 1 at most): no --weights, --metrics, "
		    "--holdings or --max-gross");
	if (a->nprices == 0)
		a->prices[a->nprices++] = "-";
	for (int i = 0; i < a->nprices; i++)
		a->stdin_prices += strcmp(a->prices[i], "-") == 0;
	if (a->stdin_prices > 1)
		err_die(EX_USAGE, "--prices: standard input can be only one of the files");
	if (a->go.grid != NULL && (a->stdin_prices + (strcmp(a->go.grid, "-") == 0) > 1 ||
	    (a->go.equity != NULL && strcmp(a->go.equity, "-") == 0 && strcmp(a->out, "-") == 0)))
		err_die(EX_USAGE, "only one input and one output can use stdin / stdout");
	if (a->weights == NULL)
		a->weights = a->go.grid != NULL ? "" : "-";
	if (a->stdin_prices && strcmp(a->weights, "-") == 0)
		err_die(EX_USAGE, "the prices and the weights cannot both come from stdin: give --prices or --weights");
	if ((a->universe != NULL && strcmp(a->universe, "-") == 0) ||
	    (a->holdings != NULL && strcmp(a->holdings, "-") == 0) ||
	    (a->metrics != NULL && strcmp(a->metrics, "-") == 0 && strcmp(a->out, "-") == 0))
		err_die(EX_USAGE, "only one input and one output can use stdin / stdout");
}

/* Defaults, then the config file, then the options, whatever their order on the command line. */
static void
load_config(const struct args *a, struct strategy_config *c)
{
	char err[512];
	int rc;

	config_defaults(c);
	if (a->config != NULL) {
		if ((rc = config_load(c, a->config, err, sizeof err)) != 0)
			err_die(rc, "%s", err);
	}
	for (int i = 0; i < a->nset; i++)
		if (config_set(c, a->set_key[i], a->set_val[i], err, sizeof err) != 0)
			err_die(EX_USAGE, "%s: %s", a->set_opt[i], err);
	if (config_check(c, err, sizeof err) != 0)
		err_die(a->config != NULL ? EX_DATAERR : EX_USAGE, "%s", err);
	if (c->lag < 1)
		err_die(EX_USAGE, "lag: %d: must be at least 1", c->lag);
}

/* One backtest: the weights against the prices; the equity curve, holdings and metrics written atomically. */
static void
run_single(const struct args *a, const struct strategy_config *c)
{
	FILE *pfps[MAXFILES];
	const char *pnames[MAXFILES];
	struct btr_opts o = { 0 };
	struct btr_result res;
	aout *eq = NULL, *ho = NULL, *me = NULL;
	char err[512];
	int rc;

	for (int i = 0; i < a->nprices; i++) {
		pfps[i] = cli_open_in(a->prices[i]);
		pnames[i] = cli_in_name(a->prices[i]);
	}
	o.prices = pfps;
	o.prices_name = pnames;
	o.nprices = a->nprices;
	o.weights = cli_open_in(a->weights);
	o.weights_name = cli_in_name(a->weights);
	if (a->universe != NULL) {
		o.universe = cli_open_in(a->universe);
		o.universe_name = a->universe;
	}
	o.cost_bps = c->cost_bps;
	o.long_short = c->long_short;
	o.lag = c->lag;
	o.lookahead = a->lookahead;
	o.max_gross = a->max_gross;
	if ((eq = aout_open(a->out)) == NULL)
		err_die(EX_IOERR, "%s:", a->out);
	o.equity = aout_fp(eq);
	if (a->holdings != NULL) {
		if ((ho = aout_open(a->holdings)) == NULL)
			err_die(EX_IOERR, "%s:", a->holdings);
		o.holdings = aout_fp(ho);
	}

	rc = btr_run(&o, &res, err, sizeof err);
	if (rc != 0) {
		btr_free(&res);
		err_die(rc, "%s", err);
	}
	log_debug("%zu days, %zu rebalances", res.n, res.nreb);
	if (a->metrics != NULL) {
		json_t *doc = btr_metrics(&res, a->rf, params_json(c, a->rf, a->lookahead));

		if (doc == NULL || (me = aout_open(a->metrics)) == NULL)
			err_die(doc ? EX_IOERR : EX_SOFTWARE, "%s:", a->metrics);
		if (nd_write(aout_fp(me), doc) != 0 || aout_commit(me) != 0)
			err_die(EX_IOERR, "%s:", a->metrics);
		json_decref(doc);
	}
	btr_free(&res);
	if (ho != NULL && aout_commit(ho) != 0)
		err_die(EX_IOERR, "%s:", a->holdings);
	if (aout_commit(eq) != 0)
		err_die(EX_IOERR, "%s:", a->out);
	for (int i = 0; i < a->nprices; i++)
		if (pfps[i] != stdin)
			fclose(pfps[i]);
	if (o.weights != stdin)
		fclose(o.weights);
	if (o.universe != NULL)
		fclose(o.universe);
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

/* backtest --grid: every point of the grid over the panel read once. */
static void
run_grid(const struct grid_opts *go, const struct strategy_config *c)
{
	struct grid_points pts;
	grid_panel *g;
	struct btr_result *res;
	FILE *gf = cli_open_in(go->grid), *pf[MAXFILES], *uf = NULL;
	double **tv = NULL, **cv = NULL;
	const char *pn[MAXFILES];
	aout *ao, *eo = NULL;
	csv_writer w;
	double *m, *dsr;
	char err[512];
	int rc;

	if ((rc = grid_read(&pts, gf, cli_in_name(go->grid), c, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (gf != stdin)
		fclose(gf);
	if (go->nslice > 0) {
		size_t n = pts.n;

		grid_points_keep(&pts, n * (size_t)go->slice / (size_t)go->nslice,
		    n * (size_t)(go->slice + 1) / (size_t)go->nslice);
	}
	for (int i = 0; i < go->nprices; i++) {
		pf[i] = cli_open_in(go->prices[i]);
		pn[i] = cli_in_name(go->prices[i]);
	}
	if (go->universe != NULL)
		uf = cli_open_in(go->universe);
	if ((rc = grid_load(&g, pf, pn, go->nprices, uf, go->universe, c->max_gap, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	for (int i = 0; i < go->nprices; i++)
		if (pf[i] != stdin)
			fclose(pf[i]);
	if (uf != NULL)
		fclose(uf);
	if ((res = calloc(pts.n ? pts.n : 1, sizeof *res)) == NULL)
		err_die(EX_OSERR, "out of memory");
	if (go->train != 0 && ((tv = calloc(pts.n ? pts.n : 1, sizeof *tv)) == NULL ||
	    (cv = calloc(pts.n ? pts.n : 1, sizeof *cv)) == NULL))
		err_die(EX_OSERR, "out of memory");
	progress_begin("points", PROGRESS_ITEMS, (long long)pts.n);
	rc = grid_run(g, pts.c, pts.n, go->lookahead, go->jobs, res, tv, cv, progress_of, err, sizeof err);
	progress_end();
	if (rc != 0)
		err_die(rc, "%s", err);
	if (go->train != 0)
		walk_forward(go, &pts, res, tv, cv);
	log_debug("%zu points on %d days", pts.n, grid_ndays(g));
	if ((ao = aout_open(go->out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", go->out);
	csv_w_init(&w, aout_fp(ao));
	for (int k = 0; k < pts.ncol; k++)
		csv_w_str(&w, pts.col[k]);
	for (int k = 0; grid_metric_names[k] != NULL; k++)
		csv_w_str(&w, grid_metric_names[k]);
	csv_w_str(&w, "dsr");
	csv_w_end(&w);
	/* Every point's metrics first: the deflated Sharpe ratio of a point needs all of them (a slice has
	 * only some of the trials, so its dsr is left empty). */
	if ((m = calloc(pts.n ? pts.n : 1, NMETRICS * sizeof *m)) == NULL ||
	    (dsr = malloc((pts.n ? pts.n : 1) * sizeof *dsr)) == NULL)
		err_die(EX_OSERR, "out of memory");
	for (size_t i = 0; i < pts.n; i++)
		if (grid_metrics(&res[i], go->rf, m + i * NMETRICS) != 0)
			err_die(EX_OSERR, "out of memory");
	if (go->nslice > 1) {
		for (size_t i = 0; i < pts.n; i++)
			dsr[i] = NAN;
	} else if (grid_deflate(res, m, NMETRICS, pts.n, dsr) != 0)
		err_die(EX_OSERR, "out of memory");
	for (size_t i = 0; i < pts.n; i++) {
		for (int k = 0; k < pts.ncol; k++)
			csv_w_str(&w, pts.val[i][k]);
		for (int k = 0; grid_metric_names[k] != NULL; k++)
			csv_w_num(&w, m[i * NMETRICS + (size_t)k]);
		csv_w_num(&w, dsr[i]);
		if (csv_w_end(&w) != 0)
			err_die(EX_IOERR, "%s:", go->out);
	}
	if (go->equity != NULL) {
		if ((eo = aout_open(go->equity)) == NULL)
			err_die(EX_CANTCREAT, "%s:", go->equity);
		csv_w_init(&w, aout_fp(eo));
		csv_w_header(&w, "point,date,net");
		for (size_t i = 0; i < pts.n; i++)
			for (size_t d = 0; d < res[i].n; d++) {
				csv_w_int(&w, (long long)pts.row[i]);
				csv_w_date(&w, res[i].date[d]);
				csv_w_num(&w, res[i].net[d]);
				if (csv_w_end(&w) != 0)
					err_die(EX_IOERR, "%s:", go->equity);
			}
		if (aout_commit(eo) != 0)
			err_die(EX_IOERR, "%s:", go->equity);
	}
	if (aout_commit(ao) != 0)
		err_die(EX_IOERR, "%s:", go->out);
	for (size_t i = 0; i < pts.n; i++) {
		btr_free(&res[i]);
		if (tv != NULL) {
			free(tv[i]);
			free(cv[i]);
		}
	}
	free(tv);
	free(cv);
	free(res);
	free(m);
	free(dsr);
	grid_free(g);
	grid_points_free(&pts);
}

/* --grid-deflate: a grid table put together from slices, with its dsr column over all its rows. */
static void
grid_deflate_table(const char *table, const char *equity, const char *out)
{
	FILE *tf, *ef;
	aout *ao;
	char err[512];
	int rc;

	if (strcmp(table, "-") == 0 && strcmp(equity, "-") == 0)
		err_die(EX_USAGE, "only one input can use stdin");
	tf = cli_open_in(table);
	ef = cli_open_in(equity);
	if ((ao = aout_open(out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", out);
	if ((rc = grid_table_deflate(tf, cli_in_name(table), ef, cli_in_name(equity), aout_fp(ao), err, sizeof err)) != 0)
		err_die(rc, "%s", err); /* err_die removes the uncommitted output */
	if (aout_commit(ao) != 0)
		err_die(EX_IOERR, "%s:", out);
	if (tf != stdin)
		fclose(tf);
	if (ef != stdin)
		fclose(ef);
}

/* --walk-forward: the out-of-sample curve, the windows and the curve's metrics, each written atomically. */
static void
walk_forward(const struct grid_opts *go, const struct grid_points *pts, const struct btr_result *res,
    double *const *tv, double *const *cv)
{
	const char *metric = go->wf_metric ? go->wf_metric : "sharpe";
	struct wf_result wf;
	aout *ao;
	csv_writer w;
	int rc = wf_run(res, tv, cv, pts->n, go->train, go->test, metric, go->rf, &wf);

	if (rc < 0)
		err_die(EX_OSERR, "out of memory");
	if (rc > 0)
		err_die(EX_DATAERR, "--walk-forward: the points share fewer than %d + 1 days of returns", go->train);
	if (go->wf_out != NULL) {
		double eq = 1;

		if ((ao = aout_open(go->wf_out)) == NULL)
			err_die(EX_CANTCREAT, "%s:", go->wf_out);
		csv_w_init(&w, aout_fp(ao));
		csv_w_header(&w, "date,point,net,equity");
		for (size_t k = 0; k < wf.oos.n; k++) {
			eq *= 1 + wf.oos.net[k];
			csv_w_date(&w, wf.oos.date[k]);
			csv_w_int(&w, (long long)pts->row[wf.point[k]]);
			csv_w_num(&w, wf.oos.net[k]);
			csv_w_num(&w, eq);
			if (csv_w_end(&w) != 0)
				err_die(EX_IOERR, "%s:", go->wf_out);
		}
		if (aout_commit(ao) != 0)
			err_die(EX_IOERR, "%s:", go->wf_out);
	}
	if (go->wf_windows != NULL) {
		if ((ao = aout_open(go->wf_windows)) == NULL)
			err_die(EX_CANTCREAT, "%s:", go->wf_windows);
		csv_w_init(&w, aout_fp(ao));
		csv_w_str(&w, "train_start");
		csv_w_str(&w, "train_end");
		csv_w_str(&w, "test_start");
		csv_w_str(&w, "test_end");
		csv_w_str(&w, "point");
		for (int k = 0; k < pts->ncol; k++)
			csv_w_str(&w, pts->col[k]);
		csv_w_str(&w, metric);
		csv_w_end(&w);
		for (size_t i = 0; i < wf.nwin; i++) {
			const struct wf_window *x = &wf.win[i];

			csv_w_date(&w, x->train_start);
			csv_w_date(&w, x->train_end);
			csv_w_date(&w, x->test_start);
			csv_w_date(&w, x->test_end);
			csv_w_int(&w, (long long)pts->row[x->point]);
			for (int k = 0; k < pts->ncol; k++)
				csv_w_str(&w, pts->val[x->point][k]);
			csv_w_num(&w, x->score);
			if (csv_w_end(&w) != 0)
				err_die(EX_IOERR, "%s:", go->wf_windows);
		}
		if (aout_commit(ao) != 0)
			err_die(EX_IOERR, "%s:", go->wf_windows);
	}
	if (go->wf_metrics != NULL) {
		json_t *params = json_object(), *doc;

		json_object_set_new(params, "walk_forward_train", json_integer(go->train));
		json_object_set_new(params, "walk_forward_test", json_integer(go->test));
		json_object_set_new(params, "walk_forward_metric", json_string(metric));
		json_object_set_new(params, "rf", json_real(go->rf));
		json_object_set_new(params, "lookahead", json_integer(go->lookahead));
		if ((doc = btr_metrics(&wf.oos, go->rf, params)) == NULL)
			err_die(EX_OSERR, "out of memory");
		if ((ao = aout_open(go->wf_metrics)) == NULL)
			err_die(EX_CANTCREAT, "%s:", go->wf_metrics);
		if (nd_write(aout_fp(ao), doc) != 0 || aout_commit(ao) != 0)
			err_die(EX_IOERR, "%s:", go->wf_metrics);
		json_decref(doc);
	}
	wf_free(&wf);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: backtest [-q] [--prices FILE]... [--weights FILE] [--universe FILE] [--config FILE]\n"
	    "                [--cost-bps X] [--lag N] [--mode long_only|long_short] [--rf RATE]\n"
	    "                [--lookahead N] [--max-gross X] [-o FILE] [--metrics FILE] [--holdings FILE]\n"
	    "       backtest --grid GRID [--prices FILE]... [--universe FILE] [--config FILE] [options]\n"
	    "                [--jobs N] [--grid-slice K/N] [--grid-equity FILE] [-o FILE]\n"
	    "                [--walk-forward TRAIN:TEST [--wf-metric NAME] [--wf-out FILE]\n"
	    "                [--wf-windows FILE] [--wf-metrics FILE]]\n"
	    "       backtest --grid-deflate TABLE --grid-equity FILE [-o FILE]\n"
	    "Simulate target weights against daily returns; write the equity CSV (strategy and benchmark).\n"
	    "With --grid, run the strategy and the backtest for every row of GRID; write one row of metrics each.\n");
	exit(status);
}
