/* s3-get: write one object from S3 or the local store to standard output (or a file), or list keys. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "aout.h"
#include "cli.h"
#include "err.h"
#include "log.h"
#include "ndjson.h"
#include "s3.h"
#include "store.h"

static void usage(int status);

static const struct option long_options[] = {
	{ "endpoint", required_argument, NULL, 'e' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "list", no_argument, NULL, 'l' },
	{ "long", no_argument, NULL, 'L' },
	{ "output", required_argument, NULL, 'o' },
	{ "part-size", required_argument, NULL, 'p' },
	{ "retries", required_argument, NULL, 'r' },
	{ "store", required_argument, NULL, 's' },
	{ "timeout", required_argument, NULL, 't' },
	CLI_COMMON_OPTIONS
};

static void
on_signal(int sig)
{
	s3_cancel();
}

/* One listed key: its name, or with --long an NDJSON record. */
static int
print_key(void *arg, const s3_object *o)
{
	const int *longfmt = arg;
	json_t *j;
	int rc;

	if (!*longfmt)
		return printf("%s\n", o->key) < 0 ? EX_IOERR : 0;
	j = json_pack("{s:s, s:s, s:I, s:s, s:s}", "type", "object", "key", o->key, "size", (json_int_t)o->size,
	    "etag", o->etag, "last_modified", o->last_modified);
	if (j == NULL)
		return EX_DATAERR; /* a key that is not UTF-8 */
	rc = nd_write(stdout, j) != 0 ? EX_IOERR : 0;
	json_decref(j);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char *endpoint = NULL, *root = NULL, *out_path = NULL;
	int opt, list = 0, longfmt = 0, retries = 5, jobs = 4, rc;
	long long part_size = S3_PART_DEFAULT;
	long timeout = 30;
	long long got = 0;
	char err[S3_ERRLEN];
	struct sigaction sa;
	s3_config c = { 0 };
	store_loc loc;
	aout *out = NULL;

	err_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "lo:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case 'e': endpoint = optarg; break;
		case 'j': jobs = (int)cli_int(optarg, 1, 64, "jobs"); break;
		case 'l': list = 1; break;
		case 'L': longfmt = 1; break;
		case 'o': out_path = optarg; break;
		case 'p': part_size = cli_size(optarg, S3_PART_MIN, S3_PART_MAX, "part-size"); break;
		case 'r': retries = (int)cli_int(optarg, 0, 100, "retries"); break;
		case 's': root = optarg; break;
		case 't': timeout = (long)cli_int(optarg, 1, 3600, "timeout"); break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	argc -= optind;
	argv += optind;
	if ((list ? argc > 1 : argc != 1) || (list && out_path != NULL) || (longfmt && !list) ||
	    (argc == 1 && *argv[0] == '\0' && !list))
		usage(EX_USAGE);

	if ((rc = store_resolve(argc == 1 ? argv[0] : "", root, &loc, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (loc.is_s3) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if ((rc = s3_config_load(&c, endpoint, err, sizeof err)) != 0)
			err_die(rc, "%s", err);
		c.retries = retries;
		c.jobs = jobs;
		c.part_size = part_size;
		c.timeout = timeout;
		c.progress = log_progress_wanted() && !list;
	}
	if (list) {
		rc = store_list(&loc, loc.is_s3 ? &c : NULL, print_key, &longfmt, err, sizeof err);
		if (rc == EX_IOERR)
			snprintf(err, sizeof err, "write: standard output");
		else if (rc == EX_DATAERR)
			snprintf(err, sizeof err, "a key is not valid UTF-8");
	} else {
		if ((out = aout_open(out_path)) == NULL)
			err_die(EX_CANTCREAT, "%s:", out_path);
		rc = store_get(&loc, loc.is_s3 ? &c : NULL, aout_fp(out), &got, err, sizeof err);
		if (rc == 0 && aout_commit(out) != 0) {
			snprintf(err, sizeof err, "%s: %s", out_path ? out_path : "standard output", strerror(errno));
			rc = EX_IOERR;
		} else if (rc != 0) {
			aout_abort(out); /* -o FILE: the old file, or none, stays */
		}
	}
	if (rc != 0)
		err_warn("%s: %s", argc == 1 ? argv[0] : "list", err);
	store_loc_free(&loc);
	s3_config_free(&c);
	if (loc.is_s3)
		curl_global_cleanup();
	err_exit_flush(rc);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: s3-get [-q] [--store URL] [--endpoint URL] [--jobs N] [--part-size SIZE] [--retries N]\n"
	    "              [--timeout SECS] [-o FILE] URL\n"
	    "       s3-get --list [--long] [--store URL] [--endpoint URL] [PREFIX]\n"
	    "Write the object URL (s3://bucket/key, a local path, or a key in the store) to standard output.\n");
	exit(status);
}
