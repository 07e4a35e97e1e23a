/* wrds-pull: point-in-time universes and daily prices from WRDS's CRSP tables, streamed with COPY. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aout.h"
#include "cli.h"
#include "csv.h"
#include "date.h"
#include "err.h"
#include "log.h"
#include "pg.h"
#include "progress.h"
#include "wrds.h"

#define LOOKBACK_DEFAULT 286 /* the strategy's lookback + skip (264 + 22 trading days) */

enum {
	OPT_ADV_DAYS = 0x100, OPT_CONNECT_TIMEOUT, OPT_DRY_RUN, OPT_FILL_DLRET, OPT_FORMAT, OPT_FROM, OPT_LOOKBACK,
	OPT_MIN_DV, OPT_MIN_PRICE, OPT_RECONSTITUTE, OPT_SPELLS, OPT_TO, OPT_UNIVERSE, OPT_UNIVERSE_FILE
};

static void usage(int status);
static long long *read_ids(const char *path, size_t *n);
static int id_cmp(const void *a, const void *b);
static void warn_missing(long long missing, long long perf, int filled);

static const struct option long_options[] = {
	{ "adv-days", required_argument, NULL, OPT_ADV_DAYS },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "fill-dlret", no_argument, NULL, OPT_FILL_DLRET },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "lookback-days", required_argument, NULL, OPT_LOOKBACK },
	{ "min-dollar-volume", required_argument, NULL, OPT_MIN_DV },
	{ "min-price", required_argument, NULL, OPT_MIN_PRICE },
	{ "output", required_argument, NULL, 'o' },
	{ "reconstitute", required_argument, NULL, OPT_RECONSTITUTE },
	{ "spells", no_argument, NULL, OPT_SPELLS },
	{ "to", required_argument, NULL, OPT_TO },
	{ "universe", required_argument, NULL, OPT_UNIVERSE },
	{ "universe-file", required_argument, NULL, OPT_UNIVERSE_FILE },
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	struct wrds_universe_q uq = { .adv_days = 1 };
	struct wrds_prices_q pq = { 0 };
	struct pg_conf conf = { NULL, PG_CONNECT_TIMEOUT, "wrds-pull" };
	const char *universe = NULL, *universe_file = NULL, *output = NULL, *cmd;
	char *sql, *missing_sql = NULL, *password, err[2048], target[512], counts[64];
	int opt, from = -1, to = -1, lookback = LOOKBACK_DEFAULT, dry_run = 0, prices, latest, code, have_dv = 0;
	int have_lookback = 0, have_uopt = 0, cols;
	enum wrds_format format = WRDS_CIZ;
	long long *ids = NULL, rows, tally[3];
	size_t nids = 0;
	struct timespec t0, t1;
	PGconn *conn;
	aout *out;

	err_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_ADV_DAYS: uq.adv_days = (int)cli_int(optarg, 1, 10000, "--adv-days"); have_uopt = 1; break;
		case OPT_CONNECT_TIMEOUT: conf.connect_timeout = (int)cli_int(optarg, 1, 3600, "--connect-timeout"); break;
		case OPT_DRY_RUN: dry_run = 1; break;
		case OPT_FILL_DLRET: pq.fill_dlret = 1; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "ciz") == 0)
				format = WRDS_CIZ;
			else if (strcmp(optarg, "legacy") == 0)
				format = WRDS_LEGACY;
			else
				err_die(EX_USAGE, "--format: '%s' is neither ciz nor legacy", optarg);
			break;
		case OPT_FROM: from = cli_date(optarg, "--from"); break;
		case OPT_LOOKBACK: lookback = (int)cli_int(optarg, 0, 100000, "--lookback-days"); have_lookback = 1; break;
		case OPT_MIN_DV: uq.min_dollar_volume = cli_double(optarg, 0, 1e18, "--min-dollar-volume"); have_dv = 1; break;
		case OPT_MIN_PRICE: uq.min_price = cli_double(optarg, 0, 1e12, "--min-price"); have_uopt = 1; break;
		case 'o': output = optarg; break;
		case OPT_RECONSTITUTE:
			if (strcmp(optarg, "monthly") == 0)
				uq.monthly = 1;
			else if (strcmp(optarg, "daily") == 0)
				uq.monthly = 0;
			else
				err_die(EX_USAGE, "--reconstitute: '%s' is neither monthly nor daily", optarg);
			have_uopt = 1;
			break;
		case OPT_SPELLS: uq.spells = 1; break;
		case OPT_TO: to = cli_date(optarg, "--to"); break;
		case OPT_UNIVERSE: universe = optarg; break;
		case OPT_UNIVERSE_FILE: universe_file = optarg; break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	argc -= optind;
	argv += optind;
	if (argc != 1 || (strcmp(argv[0], "universe") != 0 && strcmp(argv[0], "prices") != 0 &&
	    strcmp(argv[0], "latest") != 0))
		usage(EX_USAGE);
	cmd = argv[0];
	prices = strcmp(cmd, "prices") == 0;
	latest = strcmp(cmd, "latest") == 0;
	if (latest) {
		if (from >= 0 || to >= 0 || universe != NULL || universe_file != NULL || uq.spells || have_dv ||
		    have_uopt || have_lookback || pq.fill_dlret)
			err_die(EX_USAGE, "latest: takes no selection options (only --format, -o and the connection's)");
	} else {
		if (from < 0 || to < 0)
			err_die(EX_USAGE, "%s: --from and --to are required", cmd);
		if (to < from)
			err_die(EX_USAGE, "--to (%s) is before --from (%s)", date_fmt(to, target), date_fmt(from, err));
	}
	if (prices && (universe != NULL || uq.spells || have_dv || have_uopt))
		err_die(EX_USAGE, "prices: --universe, --spells, --min-dollar-volume, --min-price, --adv-days and "
		    "--reconstitute belong to `universe`");
	if (!prices && !latest && (universe == NULL || universe_file != NULL || have_lookback || pq.fill_dlret))
		err_die(EX_USAGE, "universe: --universe is required; --universe-file, --lookback-days and "
		    "--fill-dlret belong to `prices`");
	if (uq.adv_days > 1 && !have_dv)
		err_die(EX_USAGE, "--adv-days: the average is of the dollar volume of --min-dollar-volume, which is missing");
	if (!latest && format == WRDS_LEGACY && to > date_from_ymd(2024, 12, 31))
		log_warn("the legacy tables end at 2024-12-31; use --format ciz for later dates");

	if (latest) {
		sql = wrds_latest_sql(format);
	} else if (prices) {
		ids = read_ids(universe_file, &nids);
		pq.format = format;
		pq.ids = ids;
		pq.nids = nids;
		pq.from = lookback > 0 ? cal_add(cal_on_or_after(from), -lookback) : from;
		pq.to = to;
		sql = wrds_prices_sql(&pq);
		if (sql != NULL && format == WRDS_LEGACY && (missing_sql = wrds_dlret_missing_sql(&pq)) == NULL) {
			free(sql);
			sql = NULL;
		}
	} else {
		if (strcmp(universe, "sp500") == 0)
			uq.top = 0;
		else if (strncmp(universe, "top:", 4) == 0)
			uq.top = (int)cli_int(universe + 4, 1, 1000000, "--universe top:N");
		else
			err_die(EX_USAGE, "--universe: '%s' is neither sp500 nor top:N", universe);
		if (uq.monthly && uq.top == 0)
			err_die(EX_USAGE, "--reconstitute: the S&P 500's membership is its own (top:N only)");
		uq.format = format;
		uq.from = from;
		uq.to = to;
		sql = wrds_universe_sql(&uq);
	}
	if (sql == NULL)
		err_die(EX_OSERR, "out of memory");
	if (dry_run) {
		printf("-- %s\n%s%s", pg_target(target, sizeof target), pg_session_sql, sql);
		if (missing_sql != NULL) {
			/* commented out, so that the output stays one statement for psql */
			fputs("-- then the delisting returns missing, and how many --fill-dlret fills:\n-- ", stdout);
			for (const char *p = missing_sql; *p != '\0'; p++) {
				putchar(*p);
				if (*p == '\n' && p[1] != '\0')
					fputs("-- ", stdout);
			}
		}
		free(sql);
		free(missing_sql);
		free(ids);
		err_exit_flush(0);
	}

	/* Open the output first: a wrong path should not cost a Duo approval. */
	if ((out = aout_open(output)) == NULL)
		err_die(errno == EACCES ? EX_NOPERM : EX_CANTCREAT, "%s:", output);
	password = cli_secret("WRDS_PASSWORD");
	conf.password = password;
	code = pg_connect(&conn, &conf, err, sizeof err);
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	if (conn == NULL) {
		free(sql);
		free(missing_sql);
		free(ids);
		err_die(code, "%s", err);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	progress_begin("rows", PROGRESS_ITEMS, -1); /* a line on a terminal only */
	/* CIZ's prices: numbers as float8 and a count to keep out of the output; else the server's bytes */
	cols = prices && format == WRDS_CIZ;
	code = pg_copy_out(conn, sql, cols ? wrds_prices_cols : NULL, cols ? WRDS_PRICES_NCOLS : 0, tally, aout_fp(out),
	    &rows, progress_update, err, sizeof err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* The delisting returns the pull left empty (CIZ: counted from the rows; legacy: by a second, small
	 * query on the same connection): CRSP's gaps are worth a warning, never a silent -100% or 0. */
	if (code == 0 && prices) {
		if (missing_sql == NULL)
			warn_missing(tally[1] + tally[2], tally[2], pq.fill_dlret);
		else if ((code = pg_query_row(conn, missing_sql, counts, sizeof counts, err, sizeof err)) == 0 &&
		    sscanf(counts, "%lld,%lld", &tally[1], &tally[2]) == 2)
			warn_missing(tally[1], tally[2], pq.fill_dlret);
	}
	PQfinish(conn);
	free(sql);
	free(missing_sql);
	free(ids);
	progress_end();
	if (code != 0) {
		aout_abort(out);
		err_die(code, "%s%s%s", err, output == NULL || strcmp(output, "-") == 0 ? "" : "; nothing written to ",
		    output == NULL || strcmp(output, "-") == 0 ? "" : output);
	}
	if (aout_commit(out) < 0)
		err_die(EX_IOERR, "%s:", output ? output : "<stdout>");
	if (!latest)
		log_info("%s: %lld rows in %.1f s", cmd, rows > 0 ? rows - 1 : 0,
	    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	err_exit_flush(0);
}

/* The distinct permnos of a universe file's id column, sorted. */
static long long *
read_ids(const char *path, size_t *n)
{
	FILE *fp = cli_open_in(path);
	csv_reader *r = csv_open(fp, cli_in_name(path));
	long long *ids = NULL, *p, id;
	size_t cap = 0, i, j;
	int col, rc;

	if (r == NULL)
		err_die(EX_OSERR, "out of memory");
	if (csv_read_header(r) < 0 || (col = csv_require(r, "id")) < 0)
		err_die(EX_DATAERR, "%s", csv_error(r));
	*n = 0;
	while ((rc = csv_next(r)) > 0) {
		if ((rc = csv_i64(r, col, &id)) <= 0 || id < 1 || id > INT_MAX) {
			if (rc >= 0)
				csv_fail(r, col, "'%s' is not a CRSP permno", csv_field(r, col));
			err_die(EX_DATAERR, "%s", csv_error(r));
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			if ((p = realloc(ids, cap * sizeof *ids)) == NULL)
				err_die(EX_OSERR, "out of memory");
			ids = p;
		}
		ids[(*n)++] = id;
	}
	if (rc < 0)
		err_die(EX_DATAERR, "%s", csv_error(r));
	if (*n == 0)
		err_die(EX_DATAERR, "%s: no securities in the universe", cli_in_name(path));
	csv_close(r);
	if (fp != stdin)
		fclose(fp);
	qsort(ids, *n, sizeof *ids, id_cmp);
	for (i = j = 0; i < *n; i++)
		if (j == 0 || ids[i] != ids[j - 1])
			ids[j++] = ids[i];
	*n = j;
	return ids;
}

static int
id_cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* missing delisting returns, perf of them performance delistings */
static void
warn_missing(long long missing, long long perf, int filled)
{
	if (missing == 0)
		return;
	if (filled)
		log_warn("prices: %lld delisting returns missing in CRSP: %lld performance delistings filled "
		    "(-0.30, NASDAQ -0.55), %lld left empty", missing, perf, missing - perf);
	else
		log_warn("prices: %lld delisting returns missing in CRSP, left empty (%lld performance "
		    "delistings: --fill-dlret fills them)", missing, perf);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: wrds-pull universe --universe sp500|top:N [--min-dollar-volume X [--adv-days N]]\n"
	    "                 [--min-price X] [--reconstitute monthly|daily] --from DATE --to DATE\n"
	    "                 [--spells] [--format ciz|legacy] [-o FILE] [--connect-timeout S] [--dry-run] [-q]\n"
	    "       wrds-pull prices [--universe-file FILE] --from DATE --to DATE [--lookback-days N]\n"
	    "                 [--format ciz|legacy] [--fill-dlret] [-o FILE] [--connect-timeout S] [--dry-run] [-q]\n"
	    "       wrds-pull latest [--format ciz|legacy] [-o FILE] [--connect-timeout S] [--dry-run] [-q]\n"
	    "Connection: PGHOST, PGPORT, PGDATABASE, PGSSLMODE; WRDS_USERNAME or PGUSER;\n"
	    "WRDS_PASSWORD (or WRDS_PASSWORD_FILE), PGPASSFILE or ~/.pgpass.\n");
	exit(status);
}
