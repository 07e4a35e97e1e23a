/* universe-diff: the members entering, leaving and renamed between two universe snapshots.
 *
 * Exit status follows diff(1), not sysexits: 0 when the snapshots are equal, 1 when they differ, 2 on
 * any trouble (usage, unreadable or malformed input, write error), so that `universe-diff a b || ...`
 * reads naturally in a pipeline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "err.h"
#include "ndjson.h"
#include "universe.h"

#define EX_TROUBLE 2

struct emit {
	const char *date; /* NEW's date, on every event */
	int werr;         /* a write failed */
};

static void usage(int status);
static void read_snap(const char *path, struct univ_snap *s);
static int emit_event(enum univ_event ev, const struct univ_member *o, const struct univ_member *n, void *arg);

static const struct option long_options[] = {
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	struct univ_snap old = { 0 }, new = { 0 };
	char date[DATE_LEN + 1];
	struct emit e = { date, 0 };
	long events;
	int opt;

	err_init(argv[0]);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, long_options, NULL)) != -1)
		cli_common(opt, usage);
	cli_done();
	argc -= optind;
	argv += optind;
	if (argc != 2 || (strcmp(argv[0], "-") == 0 && strcmp(argv[1], "-") == 0))
		usage(EX_TROUBLE);

	read_snap(argv[0], &old);
	read_snap(argv[1], &new);
	date_fmt(new.date, date);
	events = univ_diff(&old, &new, emit_event, &e);
	univ_free(&old);
	univ_free(&new);
	if (events < 0 || fflush(stdout) == EOF || ferror(stdout) || fclose(stdout) == EOF) {
		if (errno == EPIPE)
			exit(EX_TROUBLE);
		err_die(EX_TROUBLE, "<stdout>: write error:");
	}
	return events > 0 ? EX_FALSE : 0;
}

static void
read_snap(const char *path, struct univ_snap *s)
{
	char msg[512];
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc;

	if (fp == NULL)
		err_die(EX_TROUBLE, "%s:", path);
	rc = univ_read_latest(fp, cli_in_name(path), s, msg, sizeof msg);
	if (fp != stdin)
		fclose(fp);
	if (rc != 0) { /* like diff(1), every trouble is 2, whatever its sysexits code */
		univ_free(s);
		err_die(EX_TROUBLE, "%s", msg);
	}
}

static int
emit_event(enum univ_event ev, const struct univ_member *o, const struct univ_member *n, void *arg)
{
	static const char *const names[] = { "enter", "leave", "rename" };
	struct emit *e = arg;
	const struct univ_member *m = n != NULL ? n : o;
	json_t *obj = json_object();
	int rc;

	json_object_set_new(obj, "type", json_string(names[ev]));
	json_object_set_new(obj, "date", json_string(e->date));
	json_object_set_new(obj, "id", json_string(m->id));
	json_object_set_new(obj, "symbol", json_string(m->symbol));
	if (ev == UNIV_RENAME)
		json_object_set_new(obj, "old_symbol", json_string(o->symbol));
	rc = nd_write(stdout, obj);
	json_decref(obj);
	return rc;
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: universe-diff [-q] OLD NEW\n"
	    "Print NDJSON enter/leave/rename events from OLD's latest snapshot to NEW's.\n"
	    "Exit 0 when equal, 1 when different, 2 on trouble.\n");
	exit(status ? EX_TROUBLE : 0);
}
