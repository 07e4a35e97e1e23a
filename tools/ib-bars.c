/* ib-bars: daily bars for many securities from TWS or IB Gateway, as the prices CSV. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aout.h"
#include "ib/bars.h"
#include "ib/conn.h"
#include "ib/contracts.h"
#include "ib/fetch.h"
#include "ib/symbols.h"
#include "cli.h"
#include "date.h"
#include "err.h"
#include "log.h"
#include "progress.h"

enum {
	OPT_BAR = 0x100, OPT_DURATION, OPT_END, OPT_MAX_INFLIGHT, OPT_MAX_RATE,
	OPT_RTH, OPT_STRICT, OPT_WHAT, OPT_OUTSIDE_RTH, OPT_INCLUDE_PARTIAL, OPT_CONTRACTS
};

static void usage(int status);
static int valid_duration(const char *s);

static const struct option long_options[] = {
	{ "bar", required_argument, NULL, OPT_BAR },
	{ "contracts", required_argument, NULL, OPT_CONTRACTS },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "end", required_argument, NULL, OPT_END },
	{ "include-partial", no_argument, NULL, OPT_INCLUDE_PARTIAL },
	{ "max-inflight", required_argument, NULL, OPT_MAX_INFLIGHT },
	{ "max-rate", required_argument, NULL, OPT_MAX_RATE },
	{ "output", required_argument, NULL, 'o' },
	{ "outside-rth", no_argument, NULL, OPT_OUTSIDE_RTH },
	{ "rth", no_argument, NULL, OPT_RTH },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "what", required_argument, NULL, OPT_WHAT },
	BK_CONN_OPTIONS,
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	const char *out = "-", *in = "-", *bar = "1d", *account, *contracts = NULL;
	bk_contracts cache = { 0 };
	int opt, strict = 0, end = -1, rc;
	char err[256], d[DATE_LEN + 1];
	bk_fetch_opts fo = { .duration = "1 Y", .bar_size = "1 day", .what = "TRADES", .use_rth = 1 };
	tws_client_opts co;
	tws_client *c;
	bk_syms syms = { 0 };
	bk_fetch f;
	bk_series **sp;
	FILE *fp;
	aout *o;

	err_init(argv[0]);
	if ((rc = bk_conn_init(&co, &account, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		if (bk_conn_opt(opt, optarg, &co, 86400))
			continue;
		switch (opt) {
		case OPT_BAR: bar = optarg; break;
		case OPT_CONTRACTS: contracts = optarg; break;
		case OPT_DURATION: snprintf(fo.duration, sizeof fo.duration, "%s", optarg); break;
		case OPT_END: end = cli_date(optarg, "end"); break;
		case OPT_MAX_INFLIGHT: co.max_hist_open = (int)cli_int(optarg, 1, 50, "max-inflight"); break;
		case OPT_MAX_RATE: co.max_msgs_per_sec = (int)cli_int(optarg, 1, 100000, "max-rate"); break;
		case 'o': out = optarg; break;
		case OPT_RTH: fo.use_rth = 1; break; /* the default; kept for old scripts */
		case OPT_OUTSIDE_RTH: fo.use_rth = 0; break;
		case OPT_INCLUDE_PARTIAL: fo.include_partial = 1; break;
		case OPT_STRICT: strict = 1; break;
		case OPT_WHAT: snprintf(fo.what, sizeof fo.what, "%s", optarg); break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	(void)account; /* bars are not per account */
	if (argc - optind > 1)
		usage(EX_USAGE);
	if (optind < argc)
		in = argv[optind];
	if (strcmp(bar, "1d") != 0 && strcmp(bar, "1 day") != 0)
		err_die(EX_USAGE, "--bar: '%s' is not supported (only 1d: the prices CSV holds daily rows)", bar);
	if (strcmp(fo.what, "TRADES") != 0 && strcmp(fo.what, "ADJUSTED_LAST") != 0)
		err_die(EX_USAGE, "--what: '%s' is not TRADES or ADJUSTED_LAST", fo.what);
	if (!valid_duration(fo.duration))
		err_die(EX_USAGE, "--duration: '%s' is not IB's 'N S|D|W|M|Y' (e.g. '10 Y')", fo.duration);
	if (end >= 0 && strcmp(fo.what, "ADJUSTED_LAST") == 0)
		err_die(EX_USAGE, "--end: IB refuses an end date for ADJUSTED_LAST bars (they always end now)");
	if (end >= 0) {
		int y, m, dd;
		date_to_ymd(end, &y, &m, &dd);
		snprintf(fo.end, sizeof fo.end, "%04d%02d%02d 23:59:59 US/Eastern", y, m, dd);
	}

	fp = cli_open_in(in);
	if ((rc = bk_sym_read(fp, cli_in_name(in), &syms, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (fp != stdin)
		fclose(fp);
	if (contracts != NULL && (rc = bk_contracts_load(contracts, &cache, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	fo.progress = progress_of; /* a line on a terminal only */
	progress_begin("securities", PROGRESS_ITEMS, (long long)syms.n);
	if ((c = tws_client_new(&co)) == NULL)
		err_die(EX_OSERR, "out of memory");
	if (tws_connect(c) < 0)
		err_die(tws_code(c), "%s", tws_errmsg(c));
	log_debug("connected to TWS at %s:%d (server version %d)", co.host, co.port, tws_server_version(c));
	err[0] = '\0';
	if (contracts != NULL) {
		size_t before = cache.n, unresolved;
		if ((rc = bk_contracts_resolve(c, &syms, &cache, &unresolved, err, sizeof err)) != 0) {
			tws_client_free(c);
			err_die(rc, "%s; nothing written", err);
		}
		if (cache.n > before) { /* the answers are kept even when the bars fail later */
			if ((rc = bk_contracts_save(contracts, &cache, err, sizeof err)) != 0)
				err_die(rc, "%s", err);
			log_info("%s: %zu contracts added (%zu in all)", contracts, cache.n - before, cache.n);
		}
		if (unresolved > 0)
			log_warn("%zu of %zu symbols not resolved to a contract (see above): asked for by symbol", unresolved,
			    syms.n);
	}
	rc = bk_fetch_bars(c, &syms, &fo, &f, err, sizeof err);
	progress_end();
	tws_client_free(c);
	if (rc != 0) {
		size_t done = f.done, n = f.n;

		bk_fetch_free(&f);
		err_die(rc, "%s: %zu of %zu securities received; nothing written", err, done, n);
	}

	if ((sp = malloc((f.n ? f.n : 1) * sizeof *sp)) == NULL)
		err_die(EX_OSERR, "out of memory");
	for (size_t i = 0; i < f.n; i++) {
		sp[i] = &f.series[i];
		if (f.state[i] == BK_MISSING || f.state[i] == BK_FAILED || f.state[i] == BK_DENIED)
			log_warn("%s: %s%s", syms.v[i].symbol, f.state[i] == BK_FAILED ? "failed: " :
			    f.state[i] == BK_DENIED ? "denied: " : "", f.why[i]);
	}
	log_info("%zu of %zu securities, %ld rows%s%s; %zu missing (unknown or no data), %zu failed%s", f.n - f.missing -
	    f.failed - f.denied, f.n, bk_bars_rows(sp, f.n), end >= 0 ? " to " : "", end >= 0 ? date_fmt(end, d) : "",
	    f.missing, f.failed, f.denied ? ", some denied" : "");
	if (f.denied > 0 || f.failed > 0 || (strict && f.missing > 0))
		free(sp); /* no output: what follows dies */
	if (f.denied > 0) {
		/* Permanent: the account lacks the data subscription; running again will not help. */
		char names[512] = "";
		size_t shown = 0;
		for (size_t i = 0; i < f.n; i++) {
			if (f.state[i] != BK_DENIED)
				continue;
			if (strlen(names) + strlen(syms.v[i].symbol) + 8 < sizeof names)
				snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", shown++ ? " " : "",
				    syms.v[i].symbol);
			else if (names[strlen(names) - 1] != '.')
				snprintf(names + strlen(names), sizeof names - strlen(names), " ...");
		}
		err_die(EX_UNAVAILABLE, "no market data permissions for %zu of %zu securities (error 162): %s; nothing "
		    "written: the account needs the exchange's data subscription", f.denied, f.n, names);
	}
	if (f.failed > 0)
		err_die(EX_TEMPFAIL, "%zu of %zu requests failed (see above); nothing written: run again", f.failed, f.n);
	if (strict && f.missing > 0)
		err_die(EX_DATAERR, "--strict: %zu of %zu securities missing; nothing written", f.missing, f.n);

	if ((o = aout_open(out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", out);
	if (bk_bars_write(aout_fp(o), sp, f.n) < 0 || aout_commit(o) < 0)
		err_die(EX_IOERR, "%s:", strcmp(out, "-") ? out : "<stdout>");
	free(sp);
	bk_fetch_free(&f);
	bk_syms_free(&syms);
	bk_contracts_free(&cache);
	err_exit_flush(0);
}

static int
valid_duration(const char *s)
{
	const char *p = s;

	if (*p < '1' || *p > '9')
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	return p - s <= 5 && p[0] == ' ' && strchr("SDWMY", p[1]) != NULL && p[1] != '\0' && p[2] == '\0';
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: ib-bars [--duration N_UNIT] [--end DATE] [--bar 1d] [--what TRADES|ADJUSTED_LAST]\n"
	    "               [--outside-rth] [--include-partial] [--strict] [--timeout SECS]\n"
	    "               [--max-inflight N] [--max-rate N] [--contracts FILE]\n"
	    "               [--host HOST] [--port PORT] [--client-id N] [-o FILE] [FILE]\n"
	    "Daily bars from TWS or IB Gateway for the symbols in FILE (or stdin), as the prices CSV.\n");
	exit(status);
}
