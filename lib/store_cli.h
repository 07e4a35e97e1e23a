/* store_cli: the command line that s3-get and s3-put share: the store and S3 options, the set-up of S3
 * (libcurl, credentials, part size, jobs, retries, timeout, progress) and SIGINT/SIGTERM, which cancel
 * transfers in progress (s3_cancel) so that the tool exits 75 with nothing half-written.
 *
 * A tool appends STORE_CLI_OPTIONS to its getopt_long table and STORE_CLI_SHORT to its short options,
 * reads its options with store_cli_getopt (or hands every option to store_cli_option first), resolves
 * its location and sets S3 up with store_cli_open (or store_resolve and store_cli_begin), and calls
 * store_cli_end before it exits. */
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

/* getopt_long(argc, argv, shortopts, longopts) that takes the store options itself (store_cli_option):
 * returns the next other option (as getopt_long does, optarg set), or -1 at the end. */
int store_cli_getopt(store_cli *o, int argc, char *argv[], const char *shortopts, const struct option *longopts);

/* Catch SIGINT and SIGTERM (they cancel transfers), and, when loc is on S3, load the configuration into
 * c with the options and progress (1: a progress line). Returns 0 or the s3_config_load code (message in
 * err). c is cleared either way, for store_cli_end. */
int store_cli_begin(store_cli *o, const store_loc *loc, s3_config *c, int progress, char *err, size_t errlen);

/* Resolve url against the store root (--store or STI_STORE) into loc, then store_cli_begin. Returns 0, or
 * store_resolve's or store_cli_begin's code (message in err). c is cleared either way. */
int store_cli_open(store_cli *o, const char *url, store_loc *loc, s3_config *c, int progress, char *err,
    size_t errlen);

/* Free loc (when not NULL), c and libcurl's globals. This function can't fail. */
void store_cli_end(store_cli *o, store_loc *loc, s3_config *c);

#endif
