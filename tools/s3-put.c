/* s3-put: store standard input (or a file) as one object on S3 or in the local store. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cli.h"
#include "err.h"
#include "log.h"
#include "ndjson.h"
#include "s3.h"
#include "store.h"

static void usage(int status);

static const struct option long_options[] = {
	{ "abort-incomplete", required_argument, NULL, 'A' },
	{ "content-type", required_argument, NULL, 'c' },
	{ "endpoint", required_argument, NULL, 'e' },
	{ "jobs", required_argument, NULL, 'j' },
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

/* An age: digits with an optional s, m, h or d suffix (seconds by default), at most ten years. */
static long long
parse_age(const char *s)
{
	char *end;
	long long n;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || errno != 0 || n < 0 || (end[0] != '\0' && end[1] != '\0') ||
	    strchr("smhd", end[0] == '\0' ? 's' : end[0]) == NULL)
		err_die(EX_USAGE, "--abort-incomplete: '%s': not an age (a number of seconds, or with m, h or d)", s);
	n *= end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : end[0] == 'd' ? 86400 : 1;
	if (n > 10LL * 366 * 86400)
		err_die(EX_USAGE, "--abort-incomplete: '%s': more than ten years", s);
	return n;
}

/* One removal, as an NDJSON record on stdout. */
static int
print_stale(void *arg, const store_stale *st)
{
	json_t *j = json_pack("{s:s, s:s, s:s*, s:s*}", "type", st->what[0] == 'u' ? "aborted_upload" :
	    "removed_temporary", "key", st->key, "upload_id", st->upload_id, "since", st->since);
	int rc;

	if (j == NULL)
		return EX_DATAERR;
	rc = nd_write(stdout, j) != 0 ? EX_IOERR : 0;
	json_decref(j);
	log_info("%s %s (%s)", st->what[0] == 'u' ? "aborted the upload of" : "removed", st->key, st->since);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char *content_type = NULL, *endpoint = NULL, *root = NULL, *in_path = NULL;
	long long part_size = S3_PART_DEFAULT, written = 0, abort_age = -1;
	int opt, jobs = 4, retries = 5, rc;
	long timeout = 30;
	char err[S3_ERRLEN] = "";
	struct sigaction sa;
	s3_config c = { 0 };
	store_loc loc;
	FILE *in;

	err_init(argv[0]);
	while ((opt = getopt_long(argc, argv, "c:" CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case 'A': abort_age = parse_age(optarg); break;
		case 'c': content_type = optarg; break;
		case 'e': endpoint = optarg; break;
		case 'j': jobs = (int)cli_int(optarg, 1, 64, "jobs"); break;
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
	if (abort_age >= 0 ? argc > 1 : (argc < 1 || argc > 2 || *argv[0] == '\0'))
		usage(EX_USAGE);
	if (argc == 2)
		in_path = argv[1];

	if ((rc = store_resolve(argc > 0 ? argv[0] : "", root, &loc, err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (abort_age >= 0) { /* the clean-up of what killed uploads left behind, not an upload */
		if (loc.is_s3) {
			curl_global_init(CURL_GLOBAL_DEFAULT);
			if ((rc = s3_config_load(&c, endpoint, err, sizeof err)) != 0)
				err_die(rc, "%s", err);
			c.retries = retries;
			c.timeout = timeout;
		}
		rc = store_clean(&loc, loc.is_s3 ? &c : NULL, abort_age, print_stale, NULL, err, sizeof err);
		if (rc == EX_IOERR && err[0] == '\0')
			snprintf(err, sizeof err, "write: standard output");
		if (rc != 0)
			err_warn("--abort-incomplete: %s", err);
		store_loc_free(&loc);
		s3_config_free(&c);
		err_exit_flush(rc);
	}
	in = cli_open_in(in_path);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns, and the upload is aborted */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (loc.is_s3) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		if ((rc = s3_config_load(&c, endpoint, err, sizeof err)) != 0)
			err_die(rc, "%s", err);
		c.part_size = part_size;
		c.jobs = jobs;
		c.retries = retries;
		c.timeout = timeout;
		c.progress = log_progress_wanted();
	}
	rc = store_put(&loc, loc.is_s3 ? &c : NULL, in, content_type, &written, err, sizeof err);
	if (rc != 0)
		err_warn("%s: %s", argv[0], err);
	else
		log_debug("%s: %lld bytes stored", argv[0], written);
	if (in != stdin)
		fclose(in);
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
	    "usage: s3-put [-q] [--store URL] [--endpoint URL] [-c | --content-type TYPE] [--part-size SIZE]\n"
	    "              [--jobs N] [--retries N] [--timeout SECS] URL [FILE]\n"
	    "       s3-put --abort-incomplete AGE [--store URL] [--endpoint URL] [PREFIX]\n"
	    "Store standard input (or FILE) as the object URL: s3://bucket/key, a local path, or a key in the store.\n");
	exit(status);
}
