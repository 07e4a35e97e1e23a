/* pushover: notifications through the Pushover API (POST /1/messages.json), with the limits the API
 * sets: 1,024 characters of message, 250 of title, a monthly message quota announced in the
 * X-Limit-App-Remaining / X-Limit-App-Reset headers and enforced with 429.
 *
 * The application token and user key are sent as form fields and never appear in a message this module
 * produces: API answers are scrubbed of both before they are kept. */
#ifndef STI_PUSHOVER_H
#define STI_PUSHOVER_H

#include <stddef.h>

#include <jansson.h>

#define PO_API_URL "https://api.pushover.net/1/messages.json"
#define PO_MESSAGE_MAX 1024 /* characters (code points), not bytes */
#define PO_TITLE_MAX 250
#define PO_MARKER "\xe2\x80\xa6" /* U+2026 HORIZONTAL ELLIPSIS, ends a truncated text */

struct po_message {
	const char *message;   /* required, non-empty */
	const char *title;     /* NULL: the API uses the application's name */
	const char *url;       /* supplementary URL, or NULL */
	const char *url_title; /* its label, or NULL */
	const char *sound;     /* or NULL */
	int priority;          /* -2 .. 2; 2 (emergency) adds retry=60 and expire=3600 */
	int has_priority;      /* 0: the field is not sent (the API's default, 0) */
	int html;              /* 1: the message is HTML */
};

struct po_client {
	const char *api_url;   /* where to POST */
	const char *token;     /* application token (secret) */
	const char *user;      /* user or group key (secret) */
	int retries;           /* further attempts after a retryable failure */
	double timeout;        /* seconds per attempt */
	double backoff;        /* first wait between attempts, doubled each time (at most 60 s) */
	/* set by po_send */
	long remaining;        /* messages left this month per the last answer; -1 unknown */
	long long reset;       /* when the quota resets (Unix time); 0 unknown */
	int attempts;          /* requests made by the last po_send */
	long status;           /* HTTP status of the last answer, 0 when none */
	char answer[2048];     /* the last answer's body (scrubbed), for the caller to print */
	char error[1024];      /* why the last po_send failed (scrubbed) */
};

enum po_result {
	PO_SENT,        /* the API accepted the notification */
	PO_REJECTED,    /* a 4xx (other than 429): the API's errors are in error; final */
	PO_LIMITED,     /* the quota is spent (429, or a remaining count of 0): not sent until reset */
	PO_FAILED,      /* 5xx, timeouts or resets outlasted the retries */
	PO_UNREACHABLE  /* a failure retrying cannot fix (malformed URL, TLS) */
};

/* Fill in the defaults: the real API, 3 retries, 10 s timeout, 1 s backoff, nothing known of the quota.
 * This function can't fail. */
void po_client_init(struct po_client *c);

/* Send one notification, retrying with backoff on 5xx, timeouts and resets (and on a 429 that names a
 * Retry-After within a minute). When an earlier answer said no message remains and its reset time has
 * not come, nothing is sent and PO_LIMITED is returned. Long texts are cut with po_truncate first. */
enum po_result po_send(struct po_client *c, const struct po_message *m);

/* Number of UTF-8 characters in s (an invalid byte counts as one). This function can't fail. */
size_t po_chars(const char *s);

/* A malloc'd copy of s cut to at most max characters, ending with PO_MARKER when cut; the cut never
 * splits a character. NULL only when out of memory. */
char *po_truncate(const char *s, size_t max);

/* Fill *m from an NDJSON record: message (required string), title, url, url_title, sound (strings),
 * priority (integer -2..2), html (boolean or 0/1); other keys are ignored, absent ones keep *m's value.
 * Strings point into obj. Returns 0, or EX_DATAERR with "field: what is wrong" in err. */
int po_message_from_json(const json_t *obj, struct po_message *m, char *err, size_t n);

#endif
