/* weights: the reference momentum strategy, from a date-major prices stream to target weights. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aout.h"
#include "cli.h"
#include "config.h"
#include "csv.h"
#include "date.h"
#include "err.h"
#include "strategy.h"

#define MAXSET 32

struct uni {
	csv_reader *r;  /* the universe CSV, NULL without one */
	int cdate, cid; /* its columns */
	int date;       /* date of the pending row */
	int pending;    /* a row has been read and not used yet */
	int last;       /* previous date, to check the order */
};

struct held {
	char *id, *sym;
	double w;
};

static void usage(int status);
static void feed_universe(struct uni *u, strat *s, int day);
static void end_day(strat *s, int day, int next, csv_writer *w, int asof);

static struct held *asof_rows; /* --asof: the latest portfolio */
static size_t asof_n;
static int asof_date;

enum { OPT_ASOF = 0x100, OPT_CONFIG, OPT_LOOKBACK, OPT_MAX_GAP, OPT_MAX_WEIGHT, OPT_MODE, OPT_PRINT_CONFIG,
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
	const char *out = "-", *conf = NULL, *uni_path = NULL, *set_key[MAXSET], *set_val[MAXSET], *in;
	struct uni u = { 0 };
	int opt, nset = 0, asof = 0, print_config = 0, cdate, cid, csym, cret, cur = 0, have = 0, stop = 0, rc;
	char err[512], curtxt[DATE_LEN] = "";
	csv_reader *r;
	csv_writer w;
	FILE *fp, *ufp = NULL;
	aout *ao;
	strat *s;

	err_init(argv[0]);
	config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		const char *key = NULL;

		switch (opt) {
		case 'o': out = optarg; break;
		case OPT_ASOF: asof = cli_date(optarg, "--asof"); break;
		case OPT_CONFIG: conf = optarg; break;
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
	if (argc - optind > 1)
		usage(EX_USAGE);
	in = optind < argc ? argv[optind] : "-";
	/* The file first, then options, whatever their order on the command line. */
	if (conf != NULL) {
		if (access(conf, R_OK) != 0)
			err_die(EX_NOINPUT, "%s:", conf);
		if (config_load(&cfg, conf, err, sizeof err) != 0)
			err_die(EX_DATAERR, "%s", err);
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
	if (uni_path != NULL && strcmp(uni_path, "-") == 0 && strcmp(in, "-") == 0)
		err_die(EX_USAGE, "--universe: the prices already come from standard input");

	fp = cli_open_in(in);
	if ((r = csv_open(fp, cli_in_name(in))) == NULL || (s = strat_new(&cfg)) == NULL)
		err_die(EX_OSERR, "out of memory");
	if (csv_read_header(r) != 0 || (cdate = csv_require(r, "date")) < 0 || (cid = csv_require(r, "id")) < 0 ||
	    (csym = csv_require(r, "symbol")) < 0 || (cret = csv_require(r, "ret")) < 0)
		err_die(EX_DATAERR, "%s", csv_error(r));
	if (uni_path != NULL) {
		ufp = cli_open_in(uni_path);
		if ((u.r = csv_open(ufp, cli_in_name(uni_path))) == NULL)
			err_die(EX_OSERR, "out of memory");
		if (csv_read_header(u.r) != 0 || (u.cdate = csv_require(u.r, "date")) < 0 ||
		    (u.cid = csv_require(u.r, "id")) < 0)
			err_die(EX_DATAERR, "%s", csv_error(u.r));
		strat_universe_mode(s);
	}
	if ((ao = aout_open(out)) == NULL)
		err_die(EX_CANTCREAT, "%s:", out);
	csv_w_init(&w, aout_fp(ao));
	csv_w_header(&w, "date,id,symbol,weight");

	while ((rc = csv_next(r)) > 0) {
		double ret = 0;
		int got;

		/* Rows of one day share their date text: parse it only when it changes. */
		if (!have || csv_len(r, cdate) != DATE_LEN || memcmp(csv_field(r, cdate), curtxt, DATE_LEN) != 0) {
			int day;

			if (csv_date_required(r, cdate, &day) < 0)
				err_die(EX_DATAERR, "%s", csv_error(r));
			if (have && day < cur) {
				char a[DATE_LEN + 1], b[DATE_LEN + 1];

				csv_fail(r, cdate, "%s is before %s: the input must be sorted by date",
				    date_fmt(day, a), date_fmt(cur, b));
				err_die(EX_DATAERR, "%s", csv_error(r));
			}
			if (asof && day > asof) {
				stop = day; /* the next date still decides whether cur ended a month */
				break;
			}
			if (have)
				end_day(s, cur, day, &w, asof);
			if (strat_day_begin(s, day, err, sizeof err) != 0)
				err_die(EX_SOFTWARE, "%s", err);
			memcpy(curtxt, csv_field(r, cdate), DATE_LEN);
			cur = day;
			have = 1;
			feed_universe(&u, s, day);
		}
		if ((got = csv_double(r, cret, &ret)) < 0)
			err_die(EX_DATAERR, "%s", csv_error(r));
		if (strat_price(s, csv_field(r, cid), csv_len(r, cid), csv_field(r, csym), csv_len(r, csym), got, ret,
		    err, sizeof err) != 0) {
			csv_fail(r, got && ret < -1 ? cret : cid, "%s", err);
			err_die(EX_DATAERR, "%s", csv_error(r));
		}
	}
	if (rc < 0)
		err_die(EX_DATAERR, "%s", csv_error(r));
	if (have)
		end_day(s, cur, stop, &w, asof);
	if (asof) {
		for (size_t i = 0; i < asof_n; i++) {
			csv_w_date(&w, asof_date);
			csv_w_str(&w, asof_rows[i].id);
			csv_w_str(&w, asof_rows[i].sym);
			csv_w_num(&w, asof_rows[i].w);
			csv_w_end(&w);
			free(asof_rows[i].id);
			free(asof_rows[i].sym);
		}
		free(asof_rows);
	}
	if (aout_commit(ao) != 0)
		err_die(EX_IOERR, "%s:", out);
	strat_free(s);
	csv_close(r);
	if (fp != stdin)
		fclose(fp);
	if (u.r != NULL) {
		csv_close(u.r);
		if (ufp != stdin)
			fclose(ufp);
	}
	err_exit_flush(0);
}

/* Hand the universe rows dated `day` to the engine; skip those of dates without prices. */
static void
feed_universe(struct uni *u, strat *s, int day)
{
	char err[256];
	int rc;

	if (u->r == NULL)
		return;
	for (;;) {
		if (!u->pending) {
			if ((rc = csv_next(u->r)) < 0)
				err_die(EX_DATAERR, "%s", csv_error(u->r));
			if (rc == 0)
				return;
			if (csv_date_required(u->r, u->cdate, &u->date) < 0)
				err_die(EX_DATAERR, "%s", csv_error(u->r));
			if (u->date < u->last) {
				csv_fail(u->r, u->cdate, "the universe must be sorted by date");
				err_die(EX_DATAERR, "%s", csv_error(u->r));
			}
			u->last = u->date;
			u->pending = 1;
		}
		if (u->date > day)
			return;
		u->pending = 0;
		if (u->date == day &&
		    strat_member(s, csv_field(u->r, u->cid), csv_len(u->r, u->cid), err, sizeof err) != 0) {
			csv_fail(u->r, u->cid, "%s", err);
			err_die(EX_DATAERR, "%s", csv_error(u->r));
		}
	}
}

/* Close the day; write its portfolio (or keep it, with --asof). */
static void
end_day(strat *s, int day, int next, csv_writer *w, int asof)
{
	int got = strat_day_end(s, next);
	size_t n;

	if (got < 0)
		err_die(EX_OSERR, "out of memory");
	if (got == 0)
		return;
	n = strat_nweights(s);
	if (asof) {
		for (size_t i = 0; i < asof_n; i++) {
			free(asof_rows[i].id);
			free(asof_rows[i].sym);
		}
		if ((asof_rows = realloc(asof_rows, sizeof *asof_rows * (n ? n : 1))) == NULL)
			err_die(EX_OSERR, "out of memory");
		asof_n = n;
		asof_date = day;
	}
	for (size_t i = 0; i < n; i++) {
		const char *id, *sym;
		double wt;

		strat_weight(s, i, &id, &sym, &wt);
		if (asof) {
			asof_rows[i].id = strdup(id);
			asof_rows[i].sym = strdup(sym);
			asof_rows[i].w = wt;
			if (asof_rows[i].id == NULL || asof_rows[i].sym == NULL)
				err_die(EX_OSERR, "out of memory");
			continue;
		}
		csv_w_date(w, day);
		csv_w_str(w, id);
		csv_w_str(w, sym);
		csv_w_num(w, wt);
		if (csv_w_end(w) != 0)
			err_die(EX_IOERR, "write error");
	}
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: weights [-q] [--config FILE] [--universe FILE] [--asof DATE] [-o FILE]\n"
	    "               [--lookback N] [--skip N] [--max-gap N] [--winsor LO,HI] [--select P]\n"
	    "               [--mode long_only|long_short] [--weighting equal|inverse_vol]\n"
	    "               [--vol-window N] [--max-weight W] [--rebalance periodic|monthly]\n"
	    "               [--rebalance-every N] [PRICES]\n"
	    "       weights --print-config [--config FILE] [options]\n"
	    "Compute the momentum strategy's target weights from a date-major prices CSV.\n");
	exit(status);
}
