/* notify: send a Pushover notification, or one per NDJSON line; without credentials, say it on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "ndjson.h"
#include "pushover.h"

enum {
	OPT_API_URL = 0x100, OPT_BACKOFF, OPT_HTML, OPT_NDJSON, OPT_PRIORITY, OPT_REQUIRE, OPT_RETRIES,
	OPT_SOUND, OPT_TIMEOUT, OPT_TITLE, OPT_URL, OPT_URL_TITLE
};

static void usage(int status);
static char *read_all(FILE *fp);
static int deliver(struct po_client *c, const struct po_message *m, const char *where);

static const struct option long_options[] = {
	{ "api-url", required_argument, NULL, OPT_API_URL },
	{ "backoff", required_argument, NULL, OPT_BACKOFF },
	{ "html", no_argument, NULL, OPT_HTML },
	{ "ndjson", no_argument, NULL, OPT_NDJSON },
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "require", no_argument, NULL, OPT_REQUIRE },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "sound", required_argument, NULL, OPT_SOUND },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "url", required_argument, NULL, OPT_URL },
	{ "url-title", required_argument, NULL, OPT_URL_TITLE },
	CLI_COMMON_OPTIONS
};

int
main(int argc, char *argv[])
{
	struct po_message def = { .title = "systematic-trading-infra" }, m;
	struct po_client c;
	int opt, ndjson = 0, require = 0, status = 0, rc, got;
	char *text = NULL, *token, *user, err[256];
	const char *env;
	size_t len = 0;
	nd_reader *r;
	json_t *rec;

	err_init(argv[0]);
	po_client_init(&c);
	if ((env = getenv("PUSHOVER_API_URL")) != NULL && *env)
		c.api_url = env;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT, long_options, NULL)) != -1) {
		switch (opt) {
		case OPT_API_URL: c.api_url = optarg; break;
		case OPT_BACKOFF: c.backoff = cli_double(optarg, 0, 60, "backoff"); break;
		case OPT_HTML: def.html = 1; break;
		case OPT_NDJSON: ndjson = 1; break;
		case OPT_PRIORITY:
			def.priority = (int)cli_int(optarg, -2, 2, "priority");
			def.has_priority = 1;
			break;
		case OPT_REQUIRE: require = 1; break;
		case OPT_RETRIES: c.retries = (int)cli_int(optarg, 0, 20, "retries"); break;
		case OPT_SOUND: def.sound = optarg; break;
		case OPT_TIMEOUT: c.timeout = cli_double(optarg, 0.1, 600, "timeout"); break;
		case OPT_TITLE: def.title = optarg; break;
		case OPT_URL: def.url = optarg; break;
		case OPT_URL_TITLE: def.url_title = optarg; break;
		default: cli_common(opt, usage);
		}
	}
	cli_done();
	argc -= optind;
	argv += optind;
	if (ndjson && argc > 0)
		usage(EX_USAGE);

	/* secrets come from the environment or NAME_FILE, never from the command line */
	token = cli_secret("PUSHOVER_APP_TOKEN");
	user = cli_secret("PUSHOVER_USER_KEY");
	if ((token == NULL || user == NULL) && require)
		err_die(EX_CONFIG, "--require: PUSHOVER_APP_TOKEN and PUSHOVER_USER_KEY (or their _FILE forms) "
		    "must both be set");
	c.token = token;
	c.user = user;
	if (http_init() != 0)
		err_die(EX_SOFTWARE, "libcurl could not be initialised");

	if (ndjson) {
		if ((r = nd_open(stdin, "<stdin>")) == NULL)
			err_die(EX_OSERR, "out of memory");
		while ((got = nd_next(r, &rec)) != 0) {
			if (got < 0) {
				err_warn("%s", nd_error(r));
				status = status ? status : nd_code(r);
				if (nd_code(r) != EX_DATAERR)
					break; /* nothing more can be read */
				continue; /* a line that is not JSON: the next line is the next record */
			}
			m = def;
			m.message = NULL;
			if ((rc = po_message_from_json(rec, &m, err, sizeof err)) != 0) {
				err_at("<stdin>", nd_line(r), NULL, "%s", err);
				status = status ? status : rc;
			} else {
				char where[64];

				snprintf(where, sizeof where, "<stdin>:%ld: ", nd_line(r));
				rc = deliver(&c, &m, where);
				status = status ? status : rc;
				if (rc == EX_TEMPFAIL && c.remaining == 0) {
					json_decref(rec);
					err_warn("quota spent: the remaining lines are not sent");
					break;
				}
			}
			json_decref(rec);
		}
		nd_close(r);
	} else {
		m = def;
		if (argc > 0) {
			for (int i = 0; i < argc; i++)
				len += strlen(argv[i]) + 1;
			if ((text = malloc(len + 1)) == NULL)
				err_die(EX_OSERR, "out of memory");
			text[0] = '\0';
			for (int i = 0; i < argc; i++) {
				if (i > 0)
					strcat(text, " ");
				strcat(text, argv[i]);
			}
			if (*text == '\0')
				err_die(EX_USAGE, "MESSAGE: empty");
		} else {
			if ((text = read_all(stdin)) == NULL)
				err_die(EX_IOERR, "<stdin>:");
			len = strlen(text);
			while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
				text[--len] = '\0';
			if (len == 0)
				err_die(EX_DATAERR, "<stdin>: empty message");
		}
		m.message = text;
		status = deliver(&c, &m, "");
	}
	free(text);
	free(token);
	free(user);
	err_exit_flush(status);
}

/* Send m (or show it when there are no credentials); print the API's answer on stdout. Returns the exit
 * status it deserves. */
static int
deliver(struct po_client *c, const struct po_message *m, const char *where)
{
	char when[32];

	if (c->token == NULL || c->user == NULL) {
		fprintf(stderr, "%s: %s(no PUSHOVER_APP_TOKEN/PUSHOVER_USER_KEY, not sent) %s: %s\n", err_prog(), where,
		    m->title ? m->title : "", m->message);
		return 0;
	}
	switch (po_send(c, m)) {
	case PO_SENT:
		puts(c->answer[0] ? c->answer : "{}");
		if (c->remaining >= 0 && c->remaining < 100) {
			time_t t = (time_t)c->reset;

			strftime(when, sizeof when, "%Y-%m-%d", gmtime(&t));
			log_warn("%ld messages left this month (until %s)", c->remaining, c->reset ? when : "?");
		}
		log_debug("%ssent after %d attempt%s", where, c->attempts, c->attempts > 1 ? "s" : "");
		return 0;
	case PO_REJECTED:
		err_warn("%srejected: %s", where, c->error);
		if (c->answer[0])
			puts(c->answer);
		return EX_DATAERR;
	case PO_LIMITED:
		err_warn("%s%s", where, c->error);
		return EX_TEMPFAIL;
	case PO_FAILED:
		err_warn("%snot sent: %s", where, c->error);
		return EX_TEMPFAIL;
	case PO_UNREACHABLE:
		err_warn("%snot sent: %s", where, c->error);
		return EX_UNAVAILABLE;
	}
	return EX_SOFTWARE;
}

/* The whole stream as a NUL-terminated string, or NULL on a read error. */
static char *
read_all(FILE *fp)
{
	char *buf = NULL;
	size_t cap = 0, n;
	ssize_t got = getdelim(&buf, &cap, '\0', fp);

	if (ferror(fp) || (got < 0 && !feof(fp))) {
		free(buf);
		return NULL;
	}
	if (got < 0) { /* empty input */
		free(buf);
		return strdup("");
	}
	n = strlen(buf); /* a NUL byte in the input ends the message */
	buf[n] = '\0';
	return buf;
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: notify [--title TEXT] [--priority N] [--url URL] [--url-title TEXT] [--sound NAME]\n"
	    "              [--html] [--require] [--retries N] [--timeout SECONDS] [--backoff SECONDS]\n"
	    "              [--api-url URL] [MESSAGE ...]\n"
	    "       notify --ndjson [options] < notifications.ndjson\n"
	    "Send a Pushover notification (token and user from PUSHOVER_APP_TOKEN, PUSHOVER_USER_KEY).\n");
	exit(status);
}
