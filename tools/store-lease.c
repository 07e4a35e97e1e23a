/* store-lease: take, show, renew and give back a lease (locks/NAME in the store) from a flow. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "lease.h"
#include "log.h"

static void usage(int status);

static const struct option long_options[] = {
	{ "owner", required_argument, NULL, 'o' },
	{ "pid", required_argument, NULL, 'p' },
	{ "store", required_argument, NULL, 's' },
	{ "token", required_argument, NULL, 'k' },
	{ "ttl", required_argument, NULL, 't' },
	{ "wait", required_argument, NULL, 'w' },
	CLI_COMMON_OPTIONS
};

static void
print_lease(const struct lease *l)
{
	char *j = lease_json(l);

	if (j == NULL)
		err_die(EX_OSERR, "out of memory");
	printf("%s\n", j);
	free(j);
}

int
main(int argc, char *argv[])
{
	const char *root = NULL, *owner = NULL, *token = NULL, *cmd, *name;
	long pid = 0;
	int opt, ttl = 3600, wait_s = 0, rc;
	char err[LEASE_ERRLEN];
	struct lease *l = NULL;

	err_init(argv[0]);
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case 'o': owner = optarg; break;
		case 'p': pid = (long)cli_int(optarg, 1, 1LL << 31, "pid"); break;
		case 's': root = optarg; break;
		case 'k': token = optarg; break;
		case 't': ttl = (int)cli_int(optarg, 1, LEASE_TTL_MAX, "ttl"); break;
		case 'w': wait_s = (int)cli_int(optarg, 0, 86400, "wait"); break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage(EX_USAGE);
	cmd = argv[0];
	name = argv[1];
	if ((strcmp(cmd, "release") == 0 || strcmp(cmd, "renew") == 0) && token == NULL)
		err_die(EX_USAGE, "%s needs --token (printed by acquire)", cmd);

	if (strcmp(cmd, "acquire") == 0) {
		time_t until = time(NULL) + wait_s;

		/* the tool lives for a moment: the holder to record is the process that runs it */
		if (pid == 0)
			pid = (long)getppid();
		while ((rc = lease_acquire_as(root, name, ttl, owner, pid, &l, err, sizeof err)) == EX_TEMPFAIL &&
		    time(NULL) < until)
			sleep(1);
		if (rc == 0) {
			print_lease(l);
			lease_free(l);
		}
	} else if (strcmp(cmd, "release") == 0) {
		rc = lease_release_token(root, name, token, err, sizeof err);
	} else if (strcmp(cmd, "renew") == 0) {
		if ((rc = lease_read(root, name, &l, err, sizeof err)) == 0) {
			if (root != NULL && (l->store = strdup(root)) == NULL)
				err_die(EX_OSERR, "out of memory");
			snprintf(l->token, sizeof l->token, "%s", token);
			if ((rc = lease_renew(l, ttl, err, sizeof err)) == 0)
				print_lease(l);
		} else if (rc == EX_NOINPUT) {
			rc = EX_UNAVAILABLE; /* nothing to renew: it expired and someone released it */
		}
		lease_free(l);
	} else if (strcmp(cmd, "show") == 0) {
		if ((rc = lease_read(root, name, &l, err, sizeof err)) == 0) {
			print_lease(l);
			if (time(NULL) >= l->expires)
				log_info("locks/%s: expired: the next acquire takes it over", name);
		}
		lease_free(l);
	} else if (strcmp(cmd, "break") == 0) {
		rc = lease_break(root, name, err, sizeof err);
	} else {
		usage(EX_USAGE);
	}
	if (rc != 0)
		err_warn("%s", err);
	err_exit_flush(rc);
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: store-lease [-q] [--store URL] acquire [--ttl SECS] [--owner NAME] [--pid PID] [--wait SECS] NAME\n"
	    "       store-lease [-q] [--store URL] release --token TOKEN NAME\n"
	    "       store-lease [-q] [--store URL] renew --token TOKEN [--ttl SECS] NAME\n"
	    "       store-lease [-q] [--store URL] show NAME\n"
	    "       store-lease [-q] [--store URL] break NAME\n"
	    "Take, give back, extend or show the lease locks/NAME in the store: one holder at a time across\n"
	    "processes and hosts. acquire prints the lease (with its token) as one JSON line; held: exit 75.\n");
	exit(status);
}
