/* store_cli: the command line that s3-get and s3-put share: the store and S3 options, the set-up of S3
 * (libcurl, credentials, part size, jobs, retries, timeout, progress) and SIGINT/SIGTERM, which cancel
 * transfers in progress (s3_cancel) so that the tool exits 75 with nothing half-written.
 *
 * A tool appends STORE_CLI_OPTIONS to its getopt_long table and STORE_CLI_SHORT to its short options,
 * hands every option to store_cli_option first, and after resolving its location calls store_cli_begin,
 * then store_cli_end before it exits. */
#ifndef STI_STORE_CLI_H
#define STI_STORE_CLI_H

#include <getopt.h>

#include "s3.h"
#include "store.h"

#define STORE_CLI_SHORT ""
#define STORE_CLI_OPTIONS                                              \
	{ "endpoint", required_argument, NULL, 0x2001 },               \
	{ "jobs", required_argument, NULL, 0x2002 },                   \
	{ "part-size", required_argument, NULL, 0x2003 },              \
	{ "retries", required_argument, NULL, 0x2004 },                \
	{ "store", required_argument, NULL, 0x2005 },                  \
	{ "timeout", required_argument, NULL, 0x2006 }

typedef struct store_cli {
	const char *root;     /* --store, or NULL for STI_STORE */
	const char *endpoint; /* --endpoint, or NULL */
	long long part_size;  /* --part-size */
	int jobs;             /* --jobs */
	int retries;          /* --retries */
	long timeout;         /* --timeout, seconds */
	int curl;             /* set by store_cli_begin: libcurl initialised */
} store_cli;

/* The defaults (s3.h's). This function can't fail. */
void store_cli_init(store_cli *o);

/* Take opt (getopt_long's answer) with its argument when it is one of STORE_CLI_OPTIONS: returns 1, or
 * exits EX_USAGE naming the option for a bad number. Returns 0 for any other option. */
int store_cli_option(store_cli *o, int opt, const char *arg);

/* Catch SIGINT and SIGTERM (they cancel transfers), and, when loc is on S3, load the configuration into
 * c with the options and progress (1: a progress line). Returns 0 or the s3_config_load code (message in
 * err). c is cleared either way, for store_cli_end. */
int store_cli_begin(store_cli *o, const store_loc *loc, s3_config *c, int progress, char *err, size_t errlen);

/* Free c and libcurl's globals. This function can't fail. */
void store_cli_end(store_cli *o, s3_config *c);

#endif
