/* csv: a streaming RFC 4180 reader and a writer that quotes only when needed.
 *
 * The reader holds one record at a time (plus a read buffer), so a file of any size streams in constant
 * memory; a record may be up to 1 GiB long (csv_max_buffer). Fields are NUL-terminated in place and stay
 * valid until the next csv_next(). Columns are found by name through the header. Every error message names
 * the file, the line (of the record's start) and the column: "prices.csv:12: close: 'abc' is not a number".
 *
 * Read-ahead threads: splitting records and converting numbers is most of what a tool does with a prices
 * panel (5 million rows in 0.45 s on one core, against 0.07 s for `wc -l`), so on a regular file of at
 * least csv_par_min bytes (4 MB: below, starting threads is not worth it), with more than one core,
 * csv_next hands the work to helper threads after the header: they read blocks of whole lines in turn,
 * split them and convert ahead the columns the caller has read with csv_double, and csv_next takes their
 * records in order. Only the common record is split there
 * (no quote, no CR, valid UTF-8, as many fields as the header); at a block holding anything else the
 * serial reader takes over for the rest of the input, so records, lines and errors are the serial
 * reader's, bit for bit. Memory stays bounded (a few blocks of 256 KB per thread); the threads end at
 * the end of input, at that hand-over, or in csv_close. The caller's thread splits blocks too while the
 * one it needs is not ready, so two cores run one helper. STI_CSV_THREADS=N sets the threads that parse
 * (1: the serial reader alone). Pipes are always read serially: a helper blocked in a read of a pipe whose
 * writer lives on would hold up csv_close. */
#ifndef STI_CSV_H
#define STI_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

typedef struct csv_reader csv_reader;

/* The head of every csv_reader: the current record, as the inline accessors below read it (they run once
 * per field of every file, so they are not worth a call). Everything else in the reader is private. */
struct csv_field {
	uint32_t off; /* start, from the beginning of buf; valid until the next csv_next */
	uint32_t len; /* length after unquoting */
};
/* 32-bit, 8 bytes a field: the read-ahead threads hand the caller each record's fields as they wrote them,
 * from one core's cache to the other's. The reader's buffer stays under csv_max_buffer (a longer record
 * is refused), so every offset fits. */
struct csv_head {
	char *buf;                /* read buffer, padded so that num_parse_padded may read past a field */
	struct csv_field *fields; /* fields of the current record */
	int nfields;
	/* Numbers converted ahead by the read-ahead threads: column c < 64 of the current record is pre[c] when
	 * bit c of premask is set (pre NULL: none). pre[preidx[c]] is the value, or one of the NaNs below
	 * (num_parse never gives a NaN): only those columns are kept, in order, so that the record's numbers
	 * take as little memory as they can on their way from a helper thread's core to the caller's.
	 * want: the columns csv_double has been asked for, which later blocks convert. */
	const double *pre;
	uint64_t premask;
	uint64_t want;
	unsigned char preidx[64];
};
#define CSV_PRE_EMPTY UINT64_C(0x7ff8c5e000000001) /* pre[c]'s bits for an empty field */
#define CSV_PRE_BAD UINT64_C(0x7ff8c5e000000002)   /* and for one that is not a number */

/* Start reading fp; name is what messages call it ("<stdin>" for stdin). Returns NULL only when out of
 * memory. The reader does not close fp. */
csv_reader *csv_open(FILE *fp, const char *name);
void csv_close(csv_reader *r);

/* Read the first record as the header (a UTF-8 BOM is skipped). Returns 0, or -1 (empty input, a
 * malformed line, an empty or duplicate column name) with csv_error() set. After it, every record must
 * have as many fields as the header. */
int csv_read_header(csv_reader *r);

/* Index of the header column name, or -1. */
int csv_col(const csv_reader *r, const char *name);
/* Like csv_col, but a missing column is an error: returns -1 with "file:1: missing column 'name'". */
int csv_require(csv_reader *r, const char *name);
int csv_ncols(const csv_reader *r);
const char *csv_colname(const csv_reader *r, int col);

/* Read the next record. Returns 1, 0 at the end of input, or -1 with csv_error() set (an unterminated
 * quote, a field count that differs from the header, invalid UTF-8, a read error). Blank lines are skipped. */
int csv_next(csv_reader *r);

static inline int
csv_nfields(const csv_reader *r)
{
	return ((const struct csv_head *)(const void *)r)->nfields;
}

/* Length of field i of the current record; 0 for i out of range. */
static inline size_t
csv_len(const csv_reader *r, int i)
{
	const struct csv_head *h = (const struct csv_head *)(const void *)r;

	return i >= 0 && i < h->nfields ? h->fields[i].len : 0;
}

/* Field i of the current record, NUL-terminated; "" for i out of range. The byte after the field (its
 * separator or line end) becomes the NUL here rather than in the scan: callers that only convert numbers
 * never pay for it. */
static inline const char *
csv_field(const csv_reader *r, int i)
{
	const struct csv_head *h = (const struct csv_head *)(const void *)r;
	char *s;

	if (i < 0 || i >= h->nfields)
		return "";
	s = h->buf + h->fields[i].off;
	s[h->fields[i].len] = '\0';
	return s;
}

/* The line on which the current record starts (1 = the header). */
long csv_line(const csv_reader *r);
const char *csv_name(const csv_reader *r);

/* Typed access. Return 1 with *out set, 0 when the field is empty (a missing value), -1 on a malformed
 * value with csv_error() set ("file:line: col: 'x' is not a number"). */
static inline int csv_double(csv_reader *r, int col, double *out);
int csv_i64(csv_reader *r, int col, long long *out);
int csv_date(csv_reader *r, int col, int *out);
/* For a value that must be there. csv_need: 0 when field col is not empty, else -1 with csv_error() set
 * to "file:line: col: missing" (the one wording every tool uses). csv_double_required and
 * csv_date_required: csv_double and csv_date returning 0 with *out set, or -1 (missing or malformed). */
int csv_need(csv_reader *r, int col);
int csv_double_required(csv_reader *r, int col, double *out);
int csv_date_required(csv_reader *r, int col, int *out);

/* Set the error for the current record and column (col < 0: no column) in the suite's format; returns -1
 * so that callers can `return csv_fail(...)`. */
int csv_fail(csv_reader *r, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An engine fed the current row refused it with a sysexits code and msg (lib/err.h's convention): a data
 * error is placed at the row and column ("file:line: col: msg", set as csv_error() too), anything else (out
 * of memory) is passed on as it is. Writes the result into err and returns code, for
 * `return csv_row_ret(r, col, rc, ebuf, err, errlen);`. */
int csv_row_ret(csv_reader *r, int col, int code, const char *msg, char *err, size_t errlen);

/* "file:line: column: what is wrong" for the last failure. */
const char *csv_error(const csv_reader *r);

/* The sysexits code of the last failure (lib/err.h's convention): EX_OSERR when memory ran out, EX_IOERR when
 * the input could not be read (a read error is reported as the message, so callers need not look at the
 * stream), EX_DATAERR for what was read. */
int csv_code(const csv_reader *r);

/* csv_double's error: sets "file:line: col: 'x' is not a number" and returns -1. */
int csv_bad_number(csv_reader *r, int col);

static inline int
csv_double(csv_reader *r, int col, double *out)
{
	struct csv_head *h = (struct csv_head *)(void *)r;
	size_t n;

	if ((unsigned)col < 64) {
		if (h->pre != NULL && ((h->premask >> col) & 1)) {
			uint64_t bits;

			memcpy(&bits, &h->pre[h->preidx[col]], sizeof bits);
			if (bits == CSV_PRE_EMPTY)
				return 0;
			if (bits == CSV_PRE_BAD)
				return csv_bad_number(r, col);
			memcpy(out, &bits, sizeof bits);
			return 1;
		}
		h->want |= UINT64_C(1) << col;
	}
	n = csv_len(r, col);
	if (n == 0)
		return 0;
	/* the field's bytes without its NUL: a byte store just before the parser's 8-byte load of the same
	 * word would stall that load */
	if (num_parse_padded(h->buf + h->fields[col].off, n, out) != 0)
		return csv_bad_number(r, col);
	return 1;
}

/* Nonzero (the default) lets the reader take its fast path for records without quotes or CRs. Tests and
 * the fuzzer set it to 0 to check that the general scanner gives the same records and errors. */
extern int csv_fast_path;

/* The read-ahead threads' settings, for tests and benchmarks: csv_threads threads parse, the caller's
 * included (-1, the default: STI_CSV_THREADS, else one per core; 0 or 1: the serial reader alone; at most
 * 4), on files of at least csv_par_min bytes,
 * in blocks of csv_par_chunk bytes (tests make it small, so that records and errors straddle blocks).
 * Read when a reader reaches its first record. */
extern int csv_threads;
extern long csv_par_min;
extern size_t csv_par_chunk;
/* How the threads convert numbers: -1, the default, the fastest way this CPU has; 0 num_parse_padded, 1 its
 * SSSE3 way inlined, 2 two at a time with AVX2 (each if the CPU has it). Tests run each. */
extern int csv_convert_way;
/* The reader's largest buffer, 1 GiB (its field offsets are 32-bit): a record longer than that is refused
 * as a data error. Tests make it small. */
extern size_t csv_max_buffer;
/* 1 while the read-ahead threads feed r (the current record is theirs), else 0. */
int csv_par_active(const csv_reader *r);

/* ---- writing ---- */

typedef struct csv_writer {
	FILE *fp;   /* where records go */
	int nfield; /* fields written in the current record, to place separators */
} csv_writer;

void csv_w_init(csv_writer *w, FILE *fp);
/* One field; quoted when it holds ',', '"', CR or LF, or starts or ends with a space. */
void csv_w_strn(csv_writer *w, const char *s, size_t n);
void csv_w_str(csv_writer *w, const char *s);
/* A number in shortest round-trip form; NaN is written as an empty field (a missing value). */
void csv_w_num(csv_writer *w, double v);
void csv_w_int(csv_writer *w, long long v);
void csv_w_date(csv_writer *w, int day);
void csv_w_empty(csv_writer *w);
/* End the record with "\n". Returns 0, or -1 if the stream has an error. */
int csv_w_end(csv_writer *w);
/* Write a whole header line from a comma-separated list of plain names. */
int csv_w_header(csv_writer *w, const char *names);

#endif
