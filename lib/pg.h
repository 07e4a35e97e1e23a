/* pg: one libpq connection to WRDS (or any PostgreSQL server) and COPY ... TO STDOUT streaming.
 *
 * The defaults are WRDS's (host wrds-pgdata.wharton.upenn.edu, port 9737, database wrds, sslmode=require);
 * the standard libpq variables PGHOST, PGPORT, PGDATABASE and PGSSLMODE override each, so that the same
 * program reads a local fixture database. The user is WRDS_USERNAME, else PGUSER (else libpq's default).
 * A password given by the caller is handed to libpq in memory (PQconnectdbParams keywords, never a
 * conninfo string that could be logged); without one, libpq looks in PGPASSWORD, PGPASSFILE or ~/.pgpass
 * itself. Every error message is scrubbed of the password before it leaves this module. */
#ifndef STI_PG_H
#define STI_PG_H

#include <stdio.h>

#include <libpq-fe.h>

#define PG_WRDS_HOST "wrds-pgdata.wharton.upenn.edu"
#define PG_WRDS_PORT "9737"
#define PG_WRDS_DBNAME "wrds"
#define PG_CONNECT_TIMEOUT 120 /* seconds: room to approve WRDS's Duo push on a phone */

struct pg_conf {
	const char *password; /* NULL: let libpq find one (PGPASSWORD, PGPASSFILE, ~/.pgpass) */
	int connect_timeout;  /* seconds, > 0 */
	const char *appname;  /* application_name, shown in the server's pg_stat_activity */
};

/* Where pg_connect() would connect: "user@host:port/dbname sslmode=M" (no password), for messages and
 * --dry-run. Writes into buf and returns it. This function can't fail. */
const char *pg_target(char *buf, size_t n);

/* Open the connection and set up the session so that the server's output is the suite's format
 * (DateStyle ISO, shortest round-trip floats, UTF-8). Returns 0 with the connection in *out, or a sysexits
 * code (EX_NOPERM when the server refused the credentials, EX_UNAVAILABLE when it could not be reached or
 * refused for another reason, EX_OSERR out of memory) with *out NULL and a message in err. */
int pg_connect(PGconn **out, const struct pg_conf *c, char *err, size_t errlen);

/* The statements pg_connect() runs after connecting, for --dry-run. */
extern const char pg_session_sql[];

/* How pg_copy_out() writes a column of a COPY ... TO STDOUT WITH (FORMAT csv) result. */
enum pg_col {
	PG_PASS,   /* the bytes the server sent */
	PG_FLOAT8, /* a number written as the server writes it cast to float8 (pg_float8_text()), so that the
	            * query can leave numeric columns uncast: the server's numeric::float8 goes through text
	            * and strtod and, with float8out, costs more than the rest of a prices row */
	PG_TALLY,  /* left out of the output (its header name too): a count the query sends along with the
	            * rows instead of scanning them again, 1 or 2 counted in tally[1], tally[2] */
};

/* Run sql, which must be a COPY ... TO STDOUT, and write every row it sends to out as it arrives (memory
 * stays constant whatever the size). cols, when not NULL, says what to do with each of the first ncols
 * columns of a CSV COPY (the header row's names are not numbers and pass as they are); NULL passes the
 * rows on as bytes. tally (3 counters, zeroed here) receives the counts of a PG_TALLY column, or is NULL.
 * *rows counts the rows written (a CSV header included). progress, when not NULL, is called every 65536
 * rows. Returns 0 once the server has confirmed the end of the COPY and
 * its row count matches; else a sysexits code with a message in err: EX_NOPERM (no privilege),
 * EX_UNAVAILABLE (missing table, schema or column), EX_TEMPFAIL (connection lost or query cancelled
 * mid-stream), EX_DATAERR (the server could not convert a value, or a PG_FLOAT8 value is out of
 * float8's range, as the server would have said), EX_IOERR (writing out failed), EX_OSERR (out of
 * memory), EX_SOFTWARE (anything else, such as an SQL syntax error). Whatever was written before a
 * failure is incomplete: the caller must discard it. */
int pg_copy_out(PGconn *conn, const char *sql, const enum pg_col *cols, int ncols, long long *tally, FILE *out,
    long long *rows, void (*progress)(long long rows), char *err, size_t errlen);

/* The text PostgreSQL writes for the float8 its float8in makes of the number text s[0..n) (numeric_out's
 * or float8out's: [-]digits[.digits], "NaN", "Infinity", 1e-05, ...), with extra_float_digits > 0:
 * num_fmt_pg(strtod(s)). A plain decimal of at most 15 significant digits whose first digit has a decimal
 * exponent from -4 to 14 is already that text once the zeros that end its fraction are dropped (15 is
 * DBL_DIG: two such decimals never make the same double, so none shorter reads back); other plain
 * decimals are parsed and formatted; anything else (float8out's own forms) is written as it is. Writes
 * at most max(n, NUM_FMT_MAX) bytes to out (no NUL) and their count to *len. Returns 0, or EX_DATAERR
 * with a message in err when the number overflows a double or underflows to 0, as float8in refuses it. */
int pg_float8_text(const char *s, size_t n, char *out, size_t *len, char *err, size_t errlen);

/* Run sql, a SELECT of one row, and write its fields into buf joined by ',' (NULL as an empty field).
 * Returns 0, or a sysexits code as pg_copy_out() does with a message in err. */
int pg_query_row(PGconn *conn, const char *sql, char *buf, size_t n, char *err, size_t errlen);

#endif
