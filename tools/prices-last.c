/* prices-last: the tail of a prices panel (data/last.csv): per id, the rows of its last closes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aout.h"
#include "cli.h"
#include "err.h"
#include "lastpx.h"
#include "log.h"
#include "panel.h"

#define MAXFILES 256

static void usage(int status);

static const struct option long_options[] = {
	{ "closes", required_argument, NULL, 'n' },
	{ "output", required_argument, NULL, 'o' },
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	const char *output = "-", *names[MAXFILES];
	FILE *fps[MAXFILES];
	char err[600];
	panel *p;
	aout *a;
	long rows;
	int opt, n, nstdin = 0, nclose = 2, rc;

	err_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "o:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case 'n': nclose = (int)cli_int(optarg, 1, LASTPX_MAX, "--closes"); break;
		case 'o': output = optarg; break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	argc -= optind;
	argv += optind;
	if (argc > MAXFILES)
		err_die(EX_USAGE, "more than %d files", MAXFILES);
	n = argc > 0 ? argc : 1;
	for (int i = 0; i < argc; i++)
		nstdin += strcmp(argv[i], "-") == 0;
	if (nstdin > 1)
		err_die(EX_USAGE, "standard input can be only one of the files");
	for (int i = 0; i < n; i++) {
		fps[i] = cli_open_in(argc > 0 ? argv[i] : "-");
		names[i] = cli_in_name(argc > 0 ? argv[i] : "-");
	}
	if ((rc = panel_open(&p, fps, names, n, lastpx_cols, LASTPX_NCOLS, PANEL_KEYS, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if ((a = aout_open(output)) == NULL)
		err_die(EX_CANTCREAT, "%s:", output);
	if ((rc = lastpx_write(p, nclose, aout_fp(a), &rows, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (aout_commit(a) != 0)
		err_die(EX_IOERR, "%s:", output);
	log_debug("%ld rows from %ld", rows, panel_rows(p));
	panel_close(p);
	for (int i = 0; i < n; i++)
		if (fps[i] != stdin)
			fclose(fps[i]);
	err_exit_flush(0);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: prices-last [-q] [--closes N] [-o FILE] [PANEL ...]\n"
	    "Write, per id, the rows of its last N closes (default 2) of a prices panel, read as one from\n"
	    "the files in date order: the store's data/last.csv.\n");
	exit(status);
}
