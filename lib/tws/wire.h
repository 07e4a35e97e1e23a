/* tws/wire: the TWS API socket protocol's framing and handshake.
 *
 * After the handshake every message is a 4-byte big-endian length followed by that many bytes of
 * NUL-terminated ASCII fields, the message id first ("9\0" "1\0" "117\0"). The handshake itself is the raw
 * bytes "API\0", then one framed version range "v157..178" (no NUL), answered by one framed message of two
 * fields and no id: the server version and the connection time. We speak the text protocol at versions up to
 * 178; later gateways switch to protobuf framing, so the client caps its range there.
 *
 * Writing: a tws_wbuf collects frames; tws_w_begin opens one, the tws_w_* calls append fields, tws_w_end
 * writes the length. Reading: tws_frame_split finds one complete frame in a byte stream, tws_msg_parse
 * splits its payload into fields and the tws_r_* calls read them in order with checked conversions. */
#ifndef STI_TWS_WIRE_H
#define STI_TWS_WIRE_H

#include <float.h>
#include <limits.h>
#include <stddef.h>

#define TWS_MIN_VERSION 157       /* lowest server version we accept: every layout from here to the
                                   * maximum is gated by version in tws/msg.c (ib_async announces
                                   * the same v157..178) */
#define TWS_MAX_VERSION 178       /* highest we speak (text protocol, before protobuf) */
#define TWS_MAX_FRAME 0xFFFFFF    /* largest payload the protocol allows */
#define TWS_UNSET_DOUBLE DBL_MAX  /* "no value" for doubles, sent as "" */
#define TWS_UNSET_INT INT_MAX     /* "no value" for ints, sent as "" */

/* ---- writing ---- */

typedef struct tws_wbuf {
	char *p;       /* bytes: zero or more complete frames, plus the one being built */
	size_t len;    /* bytes used */
	size_t cap;    /* bytes allocated */
	size_t start;  /* offset of the open frame's length prefix */
	int oom;       /* set when an allocation failed; every later call is a no-op */
} tws_wbuf;

/* An empty buffer. This function can't fail. */
void tws_wbuf_init(tws_wbuf *b);
void tws_wbuf_free(tws_wbuf *b);
/* Forget the first n bytes (already sent). */
void tws_wbuf_consume(tws_wbuf *b, size_t n);

/* Open a frame (reserve its length prefix). */
void tws_w_begin(tws_wbuf *b);
/* Append a field. Strings must not contain NUL (a NUL would end the field early: it is cut there). */
void tws_w_str(tws_wbuf *b, const char *s);
void tws_w_int(tws_wbuf *b, long long v);
/* TWS_UNSET_INT is written as "". */
void tws_w_int_unset(tws_wbuf *b, int v);
/* Shortest round-trip decimal; TWS_UNSET_DOUBLE, NaN and infinities are written as "". */
void tws_w_dbl(tws_wbuf *b, double v);
void tws_w_bool(tws_wbuf *b, int v);
/* Close the frame: write its length. Returns 0, or -1 when out of memory or the payload is too long
 * (the frame is then dropped). */
int tws_w_end(tws_wbuf *b);
/* Append raw bytes (the "API\0" prefix). */
void tws_w_raw(tws_wbuf *b, const void *p, size_t n);

/* ---- reading ---- */

/* Find one frame at the start of buf[0..len). Returns the total frame size (4 + payload) with *payload and
 * *plen set, 0 when more bytes are needed, or -1 when the length prefix is impossible (0 or > TWS_MAX_FRAME). */
long tws_frame_split(const char *buf, size_t len, const char **payload, size_t *plen);

typedef struct tws_msg {
	const char **f; /* field starts, each NUL-terminated inside the payload */
	int n;          /* number of fields */
	int cap;        /* slots allocated in f */
	int pos;        /* next field tws_r_* reads */
	int bad;        /* set by a failed read: missing field or malformed number */
	char err[160];  /* what failed first, e.g. "field 3 (orderId): 'x' is not an integer" */
} tws_msg;

/* An empty message (no allocation yet). This function can't fail. */
void tws_msg_init(tws_msg *m);
void tws_msg_free(tws_msg *m);
/* Split a payload into fields (the message can be reused: its field array is kept). The payload must end
 * with NUL (every field is terminated); the pointers point into it and stay valid as long as it does.
 * Returns 0, or -1 with m->err set (empty, no trailing NUL, out of memory). */
int tws_msg_parse(tws_msg *m, const char *payload, size_t plen);

/* Read the next field. On a missing or malformed field they set m->bad and m->err (first failure only)
 * and return "" / 0 / TWS_UNSET_DOUBLE; callers check m->bad once at the end. what names the field. */
const char *tws_r_str(tws_msg *m, const char *what);
/* Copy the next field into dst[0..n); a longer value is an error. */
void tws_r_strcpy(tws_msg *m, char *dst, size_t n, const char *what);
/* "" reads as 0 (the official clients' rule), an int outside [INT_MIN, INT_MAX] is an error. */
int tws_r_int(tws_msg *m, const char *what);
long long tws_r_i64(tws_msg *m, const char *what);
/* "" reads as TWS_UNSET_INT. */
int tws_r_int_unset(tws_msg *m, const char *what);
/* "" reads as TWS_UNSET_DOUBLE; so does 1.7976931348623157e+308. */
double tws_r_dbl(tws_msg *m, const char *what);
/* "1"/"true" -> 1, ""/"0"/"false" -> 0. */
int tws_r_bool(tws_msg *m, const char *what);
/* Skip n fields (a missing one is an error). */
void tws_r_skip(tws_msg *m, int n, const char *what);
/* Fields left unread. */
int tws_r_left(const tws_msg *m);

/* ---- handshake ---- */

/* Client: "API\0" and the framed version range "vMIN..MAX" (plus " OPTS" when opts is not empty). */
void tws_hs_client_hello(tws_wbuf *b, int minv, int maxv, const char *opts);

/* Server: parse the client's hello at the start of buf[0..len). Returns bytes consumed with the range set,
 * 0 when more bytes are needed, -1 when it is not a TWS hello (no "API\0", bad range) with err set. */
long tws_hs_server_parse(const char *buf, size_t len, int *minv, int *maxv, char *err, size_t errlen);

/* Server: the reply frame "version\0time\0" (time like "20230228 17:24:14 EST"). */
void tws_hs_server_reply(tws_wbuf *b, int version, const char *conn_time);

#endif
