/* s3-put: store standard input (or a file) as one object on S3 or in the local store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "err.h"
#include "log.h"
#include "ndjson.h"
#include "s3.h"
#include "store.h"
#include "store_cli.h"

static void usage(int status);

static const struct option long_options[] = {
	{ "abort-incomplete", required_argument, NULL, 'A' },
	{ "cache-control", required_argument, NULL, 'C' },
	{ "content-type", required_argument, NULL, 'c' },
	STORE_CLI_OPTIONS,
	CLI_COMMON_OPTIONS
};

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

/* A header value from the command line: not empty, no control character (no second header smuggled in). */
static const char *
header_value(const char *s, const char *option)
{
	if (*s == '\0')
		err_die(EX_USAGE, "--%s: empty", option);
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			err_die(EX_USAGE, "--%s: a control character in '%s'", option, s);
	return s;
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
	const char *in_path = NULL;
	s3_meta meta = { NULL, NULL };
	long long written = 0, abort_age = -1;
	int opt, rc;
	char err[S3_ERRLEN] = "";
	store_cli o;
	s3_config c;
	store_loc loc;
	FILE *in = NULL;

	err_init(argv[0]);
	store_cli_init(&o);
	while ((opt = store_cli_getopt(&o, argc, argv, "c:" STORE_CLI_SHORT CLI_COMMON_SHORT, long_options)) != -1) {
		switch (opt) {
		case 'A': abort_age = parse_age(optarg); break;
		case 'c': meta.content_type = header_value(optarg, "content-type"); break;
		case 'C': meta.cache_control = header_value(optarg, "cache-control"); break;
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

	if (abort_age < 0)
		in = cli_open_in(in_path);
	if ((rc = store_cli_open(&o, argc > 0 ? argv[0] : "", &loc, &c, log_progress_wanted(), err, sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (abort_age >= 0) { /* the clean-up of what killed uploads left behind, not an upload */
		rc = store_clean(&loc, loc.is_s3 ? &c : NULL, abort_age, print_stale, NULL, err, sizeof err);
		if (rc == EX_IOERR && err[0] == '\0')
			snprintf(err, sizeof err, "write: standard output");
		if (rc != 0)
			err_warn("--abort-incomplete: %s", err);
	} else {
		rc = store_put(&loc, loc.is_s3 ? &c : NULL, in, &meta, &written, err, sizeof err);
		if (rc != 0)
			err_warn("%s: %s", argv[0], err);
		else
			log_debug("%s: %lld bytes stored", argv[0], written);
		if (in != stdin)
			fclose(in);
	}
	store_cli_end(&o, &loc, &c);
	err_exit_flush(rc);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: s3-put [-q] [--store URL] [--endpoint URL] [-c | --content-type TYPE] [--cache-control VALUE]\n"
	    "              [--part-size SIZE] [--jobs N] [--retries N] [--timeout SECS] URL [FILE]\n"
	    "       s3-put --abort-incomplete AGE [--store URL] [--endpoint URL] [PREFIX]\n"
	    "Store standard input (or FILE) as the object URL: s3://bucket/key, a local path, or a key in the store.\n");
	exit(status);
}
