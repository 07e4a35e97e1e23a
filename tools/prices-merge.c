/* prices-merge: merge date-major tables keyed by (date, id) into one, sorted, one row per (date, id): prices
 * panels, universes and weights alike (only date and id are read; the other columns are carried). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aout.h"
#include "cli.h"
#include "err.h"
#include "log.h"
#include "panel.h"

static void usage(int status);

static const struct option long_options[] = {
	{ "from", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "to", required_argument, NULL, 't' },
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	panel_merge_opts o = { INT_MIN, INT_MAX };
	const char *output = "-";
	char err[600];
	FILE **files;
	const char **names;
	aout *a;
	long rows;
	int opt, n, nstdin = 0, rc;

	err_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case 'f': o.from = cli_date(optarg, "from"); break;
		case 'o': output = optarg; break;
		case 't': o.to = cli_date(optarg, "to"); break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	argc -= optind;
	argv += optind;
	n = argc > 0 ? argc : 1;
	for (int i = 0; i < argc; i++)
		nstdin += argv[i][0] == '-' && argv[i][1] == '\0';
	if (nstdin > 1 || o.from > o.to)
		usage(EX_USAGE);
	files = calloc((size_t)n, sizeof *files);
	names = calloc((size_t)n, sizeof *names);
	if (files == NULL || names == NULL)
		err_die(EX_OSERR, "out of memory");
	for (int i = 0; i < n; i++) {
		files[i] = cli_open_in(argc > 0 ? argv[i] : "-");
		names[i] = cli_in_name(argc > 0 ? argv[i] : "-");
	}
	if ((a = aout_open(output)) == NULL)
		err_die(EX_CANTCREAT, "%s:", output);
	if ((rc = panel_merge(files, names, n, aout_fp(a), &o, &rows, err, sizeof err)) != 0) {
		int out_failed = ferror(aout_fp(a)); /* then name the output: its failure is not the input's fault */

		aout_abort(a);
		err_die(rc, "%s%s%s", out_failed ? (strcmp(output, "-") ? output : "<stdout>") : "", out_failed ? ": " :
		    "", err);
	}
	if (aout_commit(a) != 0)
		err_die(EX_IOERR, "%s:", output);
	log_debug("%ld rows", rows);
	for (int i = 0; i < n; i++)
		if (files[i] != stdin)
			fclose(files[i]);
	free(files);
	free(names);
	err_exit_flush(0);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: prices-merge [-q] [--from DATE] [--to DATE] [-o FILE] [FILE ...]\n"
	    "Merge date-major CSVs keyed by (date, id) into one sorted file; on a duplicate (date, id) the later\n"
	    "FILE wins. Not only prices: universes and weights merge and cut the same way.\n");
	exit(status);
}
