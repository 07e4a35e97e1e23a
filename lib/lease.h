/* lease: "only one at a time" across processes and hosts, as an object locks/NAME in the store.
 *
 * A lease is the key locks/NAME of a store (the store root as s3-put's --store: s3://bucket/prefix, a
 * directory, NULL for STI_STORE or ./var/store). Its content is one JSON object:
 *   {"type":"lease","name":N,"owner":O,"host":H,"pid":P,"token":T,"acquired":ISO,"expires":ISO,"ttl":S}
 * token is 128 random bits in hex: only the holder knows it, and release and renew act only when the
 * stored lease still carries it.
 *
 * Acquire creates locks/NAME only if it is absent:
 *   - S3: PUT If-None-Match: * (S3's conditional create): 200 means ours; 412 PreconditionFailed means
 *     someone holds it. 409 ConditionalRequestConflict (a concurrent conditional write) is tried again.
 *   - local: the record is written to a temporary in locks/ and link(2)ed to locks/NAME, which fails with
 *     EEXIST when the name exists: the create-if-absent of O_CREAT|O_EXCL, with the content whole when
 *     the name appears (a reader never sees a half-written lease).
 * When the lease is held and its expiry has passed (the holder died or hung), it is taken over:
 *   - S3: PUT If-Match: the ETag of the expired lease as read. S3 replaces it only if it is still
 *     that version, so of several takers exactly one wins; the others get 412 and see the winner.
 *   - local: under flock(2) of the locks/ directory (held for a few system calls, never while the
 *     caller works), the lease is read again, and replaced only when it is still expired.
 * Release deletes locks/NAME only if it still carries our token: S3 DELETE If-Match: our ETag (S3's
 * conditional delete); local: read, compare and unlink under the same flock. Renew rewrites the
 * expiry the same way (S3 PUT If-Match).
 *
 * What is guaranteed: at any moment at most one process holds an unexpired lease of a name, provided
 * the hosts' clocks agree to well within the TTL and, on S3, the server honours If-None-Match and
 * If-Match (AWS S3 does, for PUT and DELETE, since 2024/2025; tests/s3proxy.py emulates them in front
 * of s3rver). A holder that runs past its expiry without renewing can lose the lease to a taker: pick a
 * TTL longer than the work, or renew. The local store's guarantee holds between processes on the hosts
 * that share the directory with working flock(2) (one host; NFSv4 with locking).
 *
 * Functions return 0 or a sysexits.h code with a message in err (LEASE_ERRLEN bytes is enough):
 * EX_TEMPFAIL (75) when another holds the lease (the message names owner, host, pid and expiry),
 * EX_USAGE for a bad name or TTL, EX_UNAVAILABLE when release or renew finds the lease no longer ours,
 * and the store's codes (s3.h) for failures to reach it. */
#ifndef STI_LEASE_H
#define STI_LEASE_H

#include <stddef.h>
#include <time.h>

#define LEASE_ERRLEN 768
#define LEASE_TTL_MAX (7 * 86400)

struct lease {
	char *store;     /* the store root as given (NULL: STI_STORE) */
	char *name;      /* NAME of locks/NAME */
	char *owner;     /* who: a flow or tool name */
	char *host;      /* gethostname() */
	long pid;        /* the holder's process */
	char token[33];  /* 32 hex digits */
	char etag[128];  /* S3: the ETag of our version, quotes kept; local: "" */
	time_t acquired; /* seconds since the epoch, UTC */
	time_t expires;
	int ttl;         /* seconds */
};

/* Take the lease NAME (a store key's segments: letters, digits, . - _ and '/', as store_key_check)
 * for ttl_s seconds (1 .. LEASE_TTL_MAX), owner the program name and pid this process. On success *out
 * is the lease (free it with lease_release or lease_free). */
int lease_acquire(const char *store_url, const char *name, int ttl_s, struct lease **out, char *err, size_t errlen);

/* lease_acquire with the owner and pid to record (owner NULL: the program name; pid <= 0: getpid()). */
int lease_acquire_as(const char *store_url, const char *name, int ttl_s, const char *owner, long pid,
    struct lease **out, char *err, size_t errlen);

/* Delete the lease if it is still ours, then free l (also on failure). A lease already gone is 0. */
int lease_release(struct lease *l, char *err, size_t errlen);

/* Release by token: for a holder in another process (store-lease release NAME --token T). */
int lease_release_token(const char *store_url, const char *name, const char *token, char *err, size_t errlen);

/* Push the expiry to now + ttl_s, if the lease is still ours (found by its token). l is updated. */
int lease_renew(struct lease *l, int ttl_s, char *err, size_t errlen);

/* Read the lease NAME as it is stored, into *out (malloc'd; lease_free). EX_NOINPUT when there is none. */
int lease_read(const char *store_url, const char *name, struct lease **out, char *err, size_t errlen);

/* Delete the lease NAME whoever holds it (an operator's last resort). Absent is 0. */
int lease_break(const char *store_url, const char *name, char *err, size_t errlen);

/* The lease as its one-line JSON record (malloc'd, no newline), or NULL when out of memory. */
char *lease_json(const struct lease *l);

void lease_free(struct lease *l);

#endif
