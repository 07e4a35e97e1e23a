/* pgbin: PostgreSQL's binary COPY format written as the server's own CSV.
 *
 * A COPY ... TO STDOUT WITH (FORMAT binary) spares the server its output functions (float8out's shortest
 * digits, date_out, int4out), which cost a prices pull a fifth of the server's time; the client writes
 * the same bytes as COPY ... WITH (FORMAT csv, HEADER) would have, with the session of pg_connect()
 * (DateStyle ISO, extra_float_digits 1, client_encoding UTF8).
 *
 * The format (PostgreSQL 15's documentation, COPY, "Binary Format"): an 11-byte signature
 * "PGCOPY\n\377\r\n\0", a 32-bit flags field (bit 16: OIDs included, refused here; bits 0-15 must be zero)
 * and a 32-bit header extension length whose bytes are skipped; then each tuple: a 16-bit field count,
 * and per field a 32-bit length (-1: NULL) and that many bytes of the type's send function; the trailer is
 * a field count of -1. Integers are in network byte order. The server sends one CopyData message per
 * tuple ("Copy-out mode", Frontend/Backend Protocol), the header in front of the first and the trailer in a
 * message of its own (or after the header when there is no tuple): a message here holds whole tuples.
 * The binary stream does not say the columns' types: the caller does, and a field whose length does not
 * fit its type is refused. */
#ifndef STI_PGBIN_H
#define STI_PGBIN_H

#include <stddef.h>

/* A column's type, as its send function writes it. */
enum pgbin_type {
	PGBIN_DATE,   /* date_send: 4 bytes, days since 2000-01-01 (INT32_MIN -infinity, INT32_MAX infinity) */
	PGBIN_INT4,   /* int4send: 4 bytes, two's complement */
	PGBIN_INT8,   /* int8send: 8 bytes, two's complement */
	PGBIN_FLOAT8, /* float8send: the 8 bytes of the IEEE 754 double */
	PGBIN_TEXT,   /* textsend (text, varchar): the bytes in the client encoding */
};

struct pgbin_col {
	const char *name; /* the header row's name */
	enum pgbin_type type;
};

struct pgbin {
	const struct pgbin_col *cols;
	int ncols;
	int state; /* 0: the signature is next; 1: tuples; 2: the trailer was read */
};

/* Start decoding a stream of ncols columns. This function can't fail. */
void pgbin_init(struct pgbin *b, const struct pgbin_col *cols, int ncols);

/* The CSV header row the server writes for these columns (names quoted as CSV needs), with "\n":
 * writes at most pgbin_header_max() bytes to out and returns the length. */
size_t pgbin_header(const struct pgbin *b, char *out);
size_t pgbin_header_max(const struct pgbin *b);

/* The most bytes pgbin_rows() writes for a message of n bytes. */
size_t pgbin_rows_max(const struct pgbin *b, size_t n);

/* Decode one CopyData message msg[0..n) and write its tuples to out as CSV lines ("\n" ended): NULL as
 * an empty field, text quoted when it is empty or holds a comma, a quote, CR or LF (a quote doubled),
 * dates as YYYY-MM-DD (" BC" after the year of a date before year 1), float8 as float8out writes it
 * (num_fmt_pg). Sets *len to the bytes written and *tuples to the tuples read. Returns 0, or EX_DATAERR
 * with a message in err for a stream that is not that format: a bad signature, flags, a tuple cut short,
 * a field count other than ncols, a field length that does not fit its type, bytes after the trailer. */
int pgbin_rows(struct pgbin *b, const char *msg, size_t n, char *out, size_t *len, long long *tuples, char *err,
    size_t errlen);

/* 1 once the trailer has been read (a stream without it was cut short). */
int pgbin_done(const struct pgbin *b);

#endif
