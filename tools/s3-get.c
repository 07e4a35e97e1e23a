/* s3-get: write one object from S3 or the local store to standard output (or a file), or list keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "aout.h"
#include "cli.h"
#include "err.h"
#include "log.h"
#include "ndjson.h"
#include "s3.h"
#include "store.h"
#include "store_cli.h"

static void usage(int status);

static const struct option long_options[] = {
	{ "list", no_argument, NULL, 'l' },
	{ "long", no_argument, NULL, 'L' },
	{ "output", required_argument, NULL, 'o' },
	{ "presign", required_argument, NULL, 'P' },
	STORE_CLI_OPTIONS,
	CLI_COMMON_OPTIONS
};

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

/* --presign: the object's presigned GET URL on stdout. */
static int
print_presigned(const store_loc *loc, const s3_config *c, long expires, char *err, size_t errlen)
{
	char *url;
	int rc;

	if (!loc->is_s3)
		return err_ret(EX_USAGE, err, errlen, "--presign: %s is a local file: only an S3 object has a presigned URL",
		    loc->key);
	if (loc->key[0] == '\0' || loc->key[strlen(loc->key) - 1] == '/')
		return err_ret(EX_USAGE, err, errlen, "--presign: s3://%s/%s: not an object key", loc->bucket, loc->key);
	if ((rc = s3_presign(c, loc->bucket, loc->key, expires, time(NULL), &url, err, errlen)) != 0)
		return rc;
	rc = printf("%s\n", url) < 0 ? err_ret(EX_IOERR, err, errlen, "write: standard output") : 0;
	free(url);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char *out_path = NULL;
	int opt, list = 0, longfmt = 0, rc;
	long presign = 0;
	long long got = 0;
	char err[S3_ERRLEN];
	store_cli o;
	s3_config c;
	store_loc loc;
	aout *out = NULL;

	err_init(argv[0]);
	store_cli_init(&o);
	while ((opt = store_cli_getopt(&o, argc, argv, "lo:" STORE_CLI_SHORT CLI_COMMON_SHORT, long_options)) != -1) {
		switch (opt) {
		case 'l': list = 1; break;
		case 'L': longfmt = 1; break;
		case 'o': out_path = optarg; break;
		case 'P': presign = (long)cli_int(optarg, 1, S3_PRESIGN_MAX, "presign"); break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	argc -= optind;
	argv += optind;
	if ((list ? argc > 1 : argc != 1) || (list && out_path != NULL) || (longfmt && !list) ||
	    (presign && (list || out_path != NULL)) ||
	    (argc == 1 && *argv[0] == '\0' && !list))
		usage(EX_USAGE);

	if ((rc = store_cli_open(&o, argc == 1 ? argv[0] : "", &loc, &c, log_progress_wanted() && !list, err,
	    sizeof err)) != 0)
		err_die(rc, "%s", err);
	if (presign) {
		rc = print_presigned(&loc, &c, presign, err, sizeof err);
	} else if (list) {
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
	store_cli_end(&o, &loc, &c);
	err_exit_flush(rc);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: s3-get [-q] [--store URL] [--endpoint URL] [--jobs N] [--part-size SIZE] [--retries N]\n"
	    "              [--timeout SECS] [-o FILE] URL\n"
	    "       s3-get --list [--long] [--store URL] [--endpoint URL] [PREFIX]\n"
	    "       s3-get --presign SECONDS [--store URL] [--endpoint URL] URL\n"
	    "Write the object URL (s3://bucket/key, a local path, or a key in the store) to standard output.\n");
	exit(status);
}
