/* store_cli: see store_cli.h. */
#include "store_cli.h"

#include <curl/curl.h>
#include <signal.h>
#include <string.h>

#include "cli.h"

void
store_cli_init(store_cli *o)
{
	memset(o, 0, sizeof *o);
	o->part_size = S3_PART_DEFAULT;
	o->jobs = 4;
	o->retries = 5;
	o->timeout = 30;
}

int
store_cli_option(store_cli *o, int opt, const char *arg)
{
	switch (opt) {
	case 0x2001: o->endpoint = arg; return 1;
	case 0x2002: o->jobs = (int)cli_int(arg, 1, 64, "jobs"); return 1;
	case 0x2003: o->part_size = cli_size(arg, S3_PART_MIN, S3_PART_MAX, "part-size"); return 1;
	case 0x2004: o->retries = (int)cli_int(arg, 0, 100, "retries"); return 1;
	case 0x2005: o->root = arg; return 1;
	case 0x2006: o->timeout = (long)cli_int(arg, 1, 3600, "timeout"); return 1;
	default: return 0;
	}
}

int
store_cli_getopt(store_cli *o, int argc, char *argv[], const char *shortopts, const struct option *longopts)
{
	int opt;

	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
		if (!store_cli_option(o, opt, optarg))
			break;
	return opt;
}

static void
on_signal(int sig)
{
	s3_cancel();
}

int
store_cli_begin(store_cli *o, const store_loc *loc, s3_config *c, int progress, char *err, size_t errlen)
{
	struct sigaction sa;
	int rc;

	memset(c, 0, sizeof *c);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns, and the transfer stops */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!loc->is_s3)
		return 0;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	o->curl = 1;
	if ((rc = s3_config_load(c, o->endpoint, err, errlen)) != 0)
		return rc;
	c->part_size = o->part_size;
	c->jobs = o->jobs;
	c->retries = o->retries;
	c->timeout = o->timeout;
	c->progress = progress;
	return 0;
}

void
store_cli_end(store_cli *o, store_loc *loc, s3_config *c)
{
	if (loc != NULL)
		store_loc_free(loc);
	s3_config_free(c);
	if (o->curl)
		curl_global_cleanup();
	o->curl = 0;
}

int
store_cli_open(store_cli *o, const char *url, store_loc *loc, s3_config *c, int progress, char *err,
    size_t errlen)
{
	int rc;

	memset(c, 0, sizeof *c);
	if ((rc = store_resolve(url, o->root, loc, err, errlen)) != 0)
		return rc;
	return store_cli_begin(o, loc, c, progress, err, errlen);
}
