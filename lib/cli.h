/* cli: what every tool's command line shares.
 *
 * Each tool keeps its own getopt_long table and usage(); it appends CLI_COMMON_OPTIONS to the table,
 * CLI_COMMON_SHORT to the short-option string, and passes every option it does not know itself to
 * cli_common(), which handles -h/--help, --version, -v/--verbose and -q/--quiet. Numbers in arguments go
 * through the checked parsers below, which exit with EX_USAGE naming the option (never atoi). */
#ifndef STI_CLI_H
#define STI_CLI_H

#include <getopt.h>
#include <stdio.h>

#define CLI_OPT_VERSION 0x1000
#define CLI_COMMON_SHORT "hvq"
#define CLI_COMMON_OPTIONS                                  \
	{ "help", no_argument, NULL, 'h' },                 \
	{ "version", no_argument, NULL, CLI_OPT_VERSION },  \
	{ "verbose", no_argument, NULL, 'v' },              \
	{ "quiet", no_argument, NULL, 'q' },                \
	{ NULL, 0, NULL, 0 }

/* Handle a common option. usage(status) prints the tool's usage (to stdout for 0, stderr otherwise) and
 * exits. Returns normally only for -v/-q; any other option (including '?') ends in usage(EX_USAGE). */
void cli_common(int opt, void (*usage)(int status));

/* Call after the getopt loop: applies the -v/-q count to the log threshold. */
void cli_done(void);

/* Print "prog (systematic-trading-infra) VERSION" and exit 0. */
_Noreturn void cli_version(void);

/* Checked parsers: the whole string must be a number within [min, max], else exit EX_USAGE with
 * "prog: --name: ...". */
long long cli_int(const char *s, long long min, long long max, const char *name);
double cli_double(const char *s, double min, double max, const char *name);
/* A byte count: digits with an optional K, KiB, M, MiB, G or GiB suffix (powers of 1024), within
 * [min, max]. */
long long cli_size(const char *s, long long min, long long max, const char *name);
/* An ISO date YYYY-MM-DD, as days since 1970-01-01 (see date.h). */
int cli_date(const char *s, const char *name);

/* Open path for reading ("-" or NULL = stdin) or exit EX_NOINPUT naming it. */
FILE *cli_open_in(const char *path);
/* The name to show in messages for an input path: "<stdin>" for "-" or NULL. */
const char *cli_in_name(const char *path);

/* Read an environment variable holding a secret, or the file named by NAME_FILE (first line, trailing
 * newline removed). Returns a malloc'd string or NULL when neither is set. Never logs the value. */
char *cli_secret(const char *name);

#endif
