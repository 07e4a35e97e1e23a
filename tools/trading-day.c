/* trading-day: the NYSE trading calendar for pipelines and one-liners. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "err.h"
#include "log.h"

enum mode { MODE_TEST, MODE_NEXT, MODE_PREV, MODE_LIST, MODE_MONTH_END, MODE_EARLY };

static void usage(int status);

static const struct option long_options[] = {
	{ "early-close", no_argument, NULL, 'e' },
	{ "list", no_argument, NULL, 'l' },
	{ "month-end", no_argument, NULL, 'm' },
	{ "next", no_argument, NULL, 'n' },
	{ "prev", no_argument, NULL, 'p' },
	{ "tz", required_argument, NULL, 'z' },
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	enum mode mode = MODE_TEST;
	const char *tz = "America/New_York";
	char buf[DATE_LEN + 1];
	int opt, nmodes = 0, day, to;

	err_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "elmnp" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case 'e': mode = MODE_EARLY; nmodes++; break;
		case 'l': mode = MODE_LIST; nmodes++; break;
		case 'm': mode = MODE_MONTH_END; nmodes++; break;
		case 'n': mode = MODE_NEXT; nmodes++; break;
		case 'p': mode = MODE_PREV; nmodes++; break;
		case 'z': tz = optarg; break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	argc -= optind;
	argv += optind;
	if (nmodes > 1 || (mode == MODE_LIST ? argc != 2 : argc > 1))
		usage(EX_USAGE);

	day = argc > 0 ? cli_date(argv[0], "DATE") : date_today(tz);
	switch (mode) {
	case MODE_TEST:
		if (cal_is_trading_day(day))
			return 0;
		if (log_enabled(LOG_INFO))
			fprintf(stderr, "%s: %s: closed (%s)\n", err_prog(), date_fmt(day, buf), cal_closure(day));
		return EX_FALSE;
	case MODE_NEXT:
		puts(date_fmt(cal_next(day), buf));
		break;
	case MODE_PREV:
		puts(date_fmt(cal_prev(day), buf));
		break;
	case MODE_MONTH_END:
		return cal_is_month_end(day) ? 0 : EX_FALSE;
	case MODE_EARLY:
		return cal_is_early_close(day) ? 0 : EX_FALSE;
	case MODE_LIST:
		to = cli_date(argv[1], "TO");
		if (to < day)
			err_die(EX_USAGE, "--list: TO (%s) is before FROM (%s)", argv[1], argv[0]);
		for (; day <= to; day++)
			if (cal_is_trading_day(day))
				puts(date_fmt(day, buf));
		break;
	}
	err_exit_flush(0);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: trading-day [-q] [--tz ZONE] [DATE]\n"
	    "       trading-day --next | --prev [DATE]\n"
	    "       trading-day --month-end | --early-close [DATE]\n"
	    "       trading-day --list FROM TO\n"
	    "Exit 0 when DATE (default: today in New York) is an NYSE trading day, 1 when it is not.\n");
	exit(status);
}
