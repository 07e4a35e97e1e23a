/* csv_impl: what lib/csv.c (the serial reader) and lib/csv_par.c (its read-ahead threads) share: the reader
 * itself, the 64-byte block classifier and the UTF-8 check. Private to those two files. */
#ifndef STI_CSV_IMPL_H
#define STI_CSV_IMPL_H

#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "csv.h"
#include "date.h"
#include "input.h"
#include "num.h"

#define CSV_CHUNK (1u << 20) /* bytes asked of fread at a time, once the buffer has grown */
#define CSV_PAD NUM_PAD      /* bytes kept readable (and zeroed) past the data, for num_parse_padded */
#define CSV_MAXBUF (1u << 30) /* the buffer's largest size: field offsets and lengths are 32-bit */

/* A 64-byte block of the buffer, classified (see classify64). */
struct block_bits {
	uint64_t sep, nl, bad, high; /* bit i: p[i] is ',' or '\n'; '\n'; '"' or '\r'; >= 0x80 or NUL */
};

struct csv_par; /* the read-ahead threads (lib/csv_par.c) */

struct csv_reader {
	struct csv_head h;        /* buf, fields, nfields: what the inline accessors in csv.h read */
	struct input in;          /* the stream, its name, the last error */
	size_t cap, len, pos;     /* buffer capacity, bytes held, start of the unconsumed part */
	int eof;                  /* fread reached end of input */
	int read_error;           /* errno of a failed read, 0 if none */
	int pending_error;        /* errno of a read that failed in a read-ahead thread: the next refill's */
	int fields_cap;           /* room in h.fields */
	char **header;            /* column names (owned copies), NULL before csv_read_header */
	int ncols;
	long line;                /* line where the current record starts */
	long next_line;           /* line where the next record starts */
	size_t mblk;              /* the 64-byte block scan_fast has classified (offset in buf), */
	struct block_bits m;      /* and its bits */
	int mvalid;               /* those bits describe the buffer as it is (a refill moves it) */
	char last_date[DATE_LEN]; /* the last date text parsed, and its value: date-major files repeat it */
	int last_day;
	int par_tried;            /* csv_par_start has decided (threads are tried once, after the header) */
	struct csv_par *par;      /* the read-ahead threads while they run, else NULL */
};

/* Make room for n fields in r->h.fields. Returns 0, or -1 (out of memory, error set). */
int csv_fields_room(csv_reader *r, int n);

/* The offset of the first byte of s[0..n) that is not UTF-8 text (a NUL, invalid UTF-8), or n. */
size_t csv_utf8_bad(const unsigned char *s, size_t n);

/* Start the read-ahead threads on r (called once, at the first record after the header) when they pay:
 * a regular file of at least csv_par_min bytes, more than one core (or csv_threads). Returns 1 when they
 * run (csv_next then goes to csv_par_next), 0 when r stays serial. */
int csv_par_start(csv_reader *r);
/* csv_next while the threads run; it hands r back to the serial reader at the end of input, or at the
 * block where the threads met what only the serial reader reads (a quote, a CR, invalid UTF-8, a field
 * count unlike the header's, a read error), so that every record and error is the serial reader's. */
int csv_par_next(csv_reader *r);
/* Stop the threads and free what they hold (csv_close). */
void csv_par_end(csv_reader *r);

#ifdef __SSE2__
/* Classify the 64 bytes at p, 16 at a time (SSE2 is in every x86-64; AVX2's 32 at a time measured 1% faster
 * over the whole scan, not worth a run-time dispatch). */
static inline void
classify64(const char *p, struct block_bits *m)
{
	const __m128i comma = _mm_set1_epi8(','), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
		      quote = _mm_set1_epi8('"'), zero = _mm_setzero_si128();

	m->sep = m->nl = m->bad = m->high = 0;
	for (int i = 0; i < 4; i++) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		__m128i is_nl = _mm_cmpeq_epi8(b, lf);
		uint64_t s = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, comma), is_nl));
		uint64_t q = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, quote), _mm_cmpeq_epi8(b, cr)));

		m->sep |= s << (16 * i);
		m->nl |= (uint64_t)(unsigned)_mm_movemask_epi8(is_nl) << (16 * i);
		m->bad |= q << (16 * i);
		m->high |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(b, _mm_cmpeq_epi8(b, zero))) << (16 * i);
	}
}
#else
/* The same, a byte at a time. */
static inline void
classify64(const char *p, struct block_bits *m)
{
	m->sep = m->nl = m->bad = m->high = 0;
	for (int i = 0; i < 64; i++) {
		unsigned char c = (unsigned char)p[i];
		uint64_t bit = UINT64_C(1) << i;

		m->sep |= c == ',' || c == '\n' ? bit : 0;
		m->nl |= c == '\n' ? bit : 0;
		m->bad |= c == '"' || c == '\r' ? bit : 0;
		m->high |= c >= 0x80 || c == 0 ? bit : 0;
	}
}
#endif

#endif
