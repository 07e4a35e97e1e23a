#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "csv_impl.h"
#include "date.h"
#include "err.h"
#include "num.h"

#define CSV_START (1u << 16) /* first buffer: small inputs (and fuzzing) need no megabytes */

csv_reader *
csv_open(FILE *fp, const char *name)
{
	csv_reader *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	if (input_open(&r->in, fp, name) != 0) {
		free(r);
		return NULL;
	}
	r->cap = CSV_START;
	r->h.buf = calloc(1, r->cap + CSV_PAD);
	r->fields_cap = 16;
	r->h.fields = malloc(sizeof *r->h.fields * (size_t)r->fields_cap);
	r->next_line = 1;
	if (r->h.buf == NULL || r->h.fields == NULL) {
		csv_close(r);
		return NULL;
	}
	return r;
}

void
csv_close(csv_reader *r)
{
	if (r == NULL)
		return;
	csv_par_end(r);
	for (int i = 0; i < r->ncols; i++)
		free(r->header[i]);
	free(r->header);
	free(r->h.fields);
	free(r->h.buf);
	input_close(&r->in);
	free(r);
}

static int
vfail(csv_reader *r, long line, int col, const char *fmt, va_list ap)
{
	char field[32];

	if (col >= 0 && col < r->ncols)
		return input_vfail(&r->in, line, r->header[col], fmt, ap);
	if (col >= 0) {
		snprintf(field, sizeof field, "field %d", col + 1);
		return input_vfail(&r->in, line, field, fmt, ap);
	}
	return input_vfail(&r->in, line, NULL, fmt, ap);
}

static int
fail_line(csv_reader *r, long line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(r, line, col, fmt, ap);
	va_end(ap);
	return -1;
}

/* Out of memory at line: csv_code() tells it from bad data. */
static int
oom(csv_reader *r, long line)
{
	r->read_error = ENOMEM;
	return input_fail_errno(&r->in, line, ENOMEM);
}

int
csv_fail(csv_reader *r, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(r, r->line, col, fmt, ap);
	va_end(ap);
	return -1;
}

int
csv_row_ret(csv_reader *r, int col, int code, const char *msg, char *err, size_t errlen)
{
	if (code == EX_DATAERR) {
		csv_fail(r, col, "%s", msg);
		msg = csv_error(r);
	}
	return err_ret(code, err, errlen, "%s", msg);
}

const char *
csv_error(const csv_reader *r)
{
	return r->in.err;
}

int
csv_code(const csv_reader *r)
{
	return input_code(&r->in);
}

/* Move the unconsumed bytes to the front, grow if full, and read more. Returns bytes read, 0 at EOF,
 * -1 on error. */
static long
refill(csv_reader *r)
{
	size_t n;

	if (r->eof)
		return 0;
	if (r->pending_error != 0) {
		r->read_error = r->pending_error;
		return -1;
	}
	if (r->pos > 0) {
		memmove(r->h.buf, r->h.buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
		r->mvalid = 0;
	}
	/* Grow when less than a chunk (half the buffer while it is small) is free for the next read. */
	if (r->cap - r->len < (r->cap < 2 * CSV_CHUNK ? r->cap / 2 : CSV_CHUNK)) {
		size_t ncap = r->cap * 2;
		char *nb;

		if (ncap > csv_max_buffer || ncap > CSV_MAXBUF) {
			r->read_error = EFBIG; /* refill_fail's "record longer than" */
			return -1;
		}
		if ((nb = realloc(r->h.buf, ncap + CSV_PAD)) == NULL) {
			r->read_error = ENOMEM;
			return -1;
		}
		r->h.buf = nb;
		r->cap = ncap;
	}
	n = fread(r->h.buf + r->len, 1, r->cap - r->len, r->in.fp);
	r->len += n;
	memset(r->h.buf + r->len, 0, CSV_PAD);
	if (n == 0) {
		if (ferror(r->in.fp)) {
			r->read_error = errno ? errno : EIO;
			return -1;
		}
		r->eof = 1;
	}
	return (long)n;
}

size_t csv_max_buffer = CSV_MAXBUF;

/* refill's failure, in the reader's error. Returns -1. */
static int
refill_fail(csv_reader *r, long line)
{
	if (r->read_error == EFBIG)
		return fail_line(r, line, -1, "a record longer than %zu MiB", csv_max_buffer >> 20);
	return input_fail_errno(&r->in, line, r->read_error);
}

int
csv_fields_room(csv_reader *r, int n)
{
	int ncap = r->fields_cap;
	struct csv_field *nf;

	if (n <= ncap)
		return 0;
	while (ncap < n)
		ncap *= 2;
	if ((nf = realloc(r->h.fields, sizeof *nf * (size_t)ncap)) == NULL)
		return oom(r, r->next_line);
	r->h.fields = nf;
	r->fields_cap = ncap;
	return 0;
}

/* In a field's len while its record is scanned: it still holds its quotes (finish_fields undoes them). */
#define FIELD_QUOTED 0x80000000u

static inline int
add_field(csv_reader *r, size_t off, size_t len, int quoted)
{
	if (r->h.nfields == r->fields_cap && csv_fields_room(r, r->fields_cap + 1) != 0)
		return -1;
	r->h.fields[r->h.nfields].off = (uint32_t)off;
	r->h.fields[r->h.nfields].len = (uint32_t)len | (quoted ? FIELD_QUOTED : 0);
	r->h.nfields++;
	return 0;
}

/* A NUL (which text never holds but a file cut short by a crash often does) is not text either. */
size_t
csv_utf8_bad(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned min;

		if (c < 0x80) {
			if (c == 0)
				return i;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, min = 0x10000;
		else
			return i;
		unsigned cp = c & (0x3f >> k);

		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (s[i + j] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += k + 1;
	}
	return n;
}

/* Whether s[0..n) holds a byte >= 0x80 or a NUL: only then does csv_utf8_bad need to look. */
static int
has_suspect_byte(const char *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	const __m128i zero = _mm_setzero_si128();
	__m128i any = zero;

	for (; i + 16 <= n; i += 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i));

		any = _mm_or_si128(any, _mm_or_si128(b, _mm_cmpeq_epi8(b, zero)));
	}
	if (_mm_movemask_epi8(any) != 0)
		return 1;
#endif
	for (; i < n; i++)
		if ((unsigned char)s[i] >= 0x80 || s[i] == '\0')
			return 1;
	return 0;
}

/* Bytes that end an unquoted run: the separator, line ends and the quote. */
static const unsigned char special[256] = { [','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1 };

enum scan_result { SCAN_RECORD, SCAN_MORE, SCAN_ERROR };

/* Tests turn the fast path off to compare it with the general scanner on the same input. */
int csv_fast_path = 1;

/* The first byte in [p, end) that is a separator, line end or quote, or end. Fields are short, so SSE2
 * looks at 16 bytes per step (one load, four compares) where a byte loop would branch on each. Every byte
 * looked at that is >= 0x80 or NUL sets *high: when none does, the record is ASCII text, hence valid
 * UTF-8, without a second pass (bytes past the field may set it too; that only costs an exact check). */
static inline const char *
skip_plain(const char *p, const char *end, unsigned *high)
{
#ifdef __SSE2__
	const __m128i comma = _mm_set1_epi8(','), nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
		      quote = _mm_set1_epi8('"'), zero = _mm_setzero_si128();

	while (end - p >= 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, comma), _mm_cmpeq_epi8(b, nl)),
		    _mm_or_si128(_mm_cmpeq_epi8(b, cr), _mm_cmpeq_epi8(b, quote)));
		unsigned mask = (unsigned)_mm_movemask_epi8(hit);

		*high |= (unsigned)_mm_movemask_epi8(_mm_or_si128(b, _mm_cmpeq_epi8(b, zero)));
		if (mask != 0)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#endif
	for (; p < end && !special[(unsigned char)*p]; p++)
		*high |= ((unsigned char)*p & 0x80) | (*p == '\0');
	return p;
}

/* Scan one record from r->pos in a single pass, noting each field's offset (from the record's start) and
 * length. Returns SCAN_MORE when the buffer ends before the record does (nothing is modified, so the scan
 * simply restarts after a refill), SCAN_RECORD with *rec_len (up to, excluding, the line end) and
 * *consumed (including it). */
static enum scan_result
scan_record(csv_reader *r, size_t *rec_len, size_t *consumed, long *nlines, unsigned *high)
{
	const char *base = r->h.buf + r->pos, *end = r->h.buf + r->len, *p = base;
	long embedded = 0;

	*high = 0;

	r->h.nfields = 0;
	for (;;) {
		const char *fstart = p;

		if (p < end && *p == '"') {
			for (p++;;) {
				const char *q = memchr(p, '"', (size_t)(end - p));

				if (q == NULL && r->eof) {
					r->line = r->next_line;
					fail_line(r, r->line, -1, "unterminated quoted field");
					return SCAN_ERROR;
				}
				if (q == NULL || (q + 1 == end && !r->eof))
					return SCAN_MORE;
				for (const char *c = p; c < q; c++)
					embedded += *c == '\n';
				if (q + 1 < end && q[1] == '"') {
					p = q + 2;
					continue;
				}
				p = q + 1;
				break;
			}
			*high |= 0x80; /* quoted text is not looked at here: check the record */
			if (add_field(r, (size_t)(fstart - r->h.buf), (size_t)(p - fstart), 1) != 0)
				return SCAN_ERROR;
			if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
				r->line = r->next_line;
				fail_line(r, r->line, r->h.nfields - 1, "unexpected character after a closing quote");
				return SCAN_ERROR;
			}
		} else {
			for (;;) {
				p = skip_plain(p, end, high);
				if (p < end && (*p == '"' || (*p == '\r' && p + 1 < end && p[1] != '\n'))) {
					p++; /* a quote or a lone CR inside an unquoted field is data */
					continue;
				}
				break;
			}
			if (add_field(r, (size_t)(fstart - r->h.buf), (size_t)(p - fstart), 0) != 0)
				return SCAN_ERROR;
		}
		if (p == end || (*p == '\r' && p + 1 == end)) {
			if (!r->eof)
				return SCAN_MORE;
			*rec_len = (size_t)(p - base);
			*consumed = (size_t)(end - base);
			*nlines = embedded;
			return SCAN_RECORD;
		}
		if (*p == ',') {
			p++;
			continue;
		}
		/* "\n" or "\r\n" ends the record */
		*rec_len = (size_t)(p - base);
		*consumed = (size_t)(p - base) + (*p == '\r' ? 2 : 1);
		*nlines = embedded;
		return SCAN_RECORD;
	}
}

#ifdef __SSE2__
/* The fast path for the common record: no quote and no CR. Whole 64-byte blocks are classified once into
 * bit masks, kept across records, and fields are read off the separator bits, so a field costs a few
 * register operations (no per-byte loads or compares, no NUL written: csv_field does that when asked).
 * Returns SCAN_RECORD, or SCAN_MORE to let scan_record() handle the record (a quote or a CR in the block,
 * the end of the buffer near, more fields than the array holds). */
static enum scan_result
scan_fast(csv_reader *r, size_t *rec_len, size_t *consumed, unsigned *high)
{
	struct csv_field *f = r->h.fields, *fend = r->h.fields + r->fields_cap;
	size_t pos = r->pos, blk, fstart = pos;
	uint64_t sep, live;

	if (!r->mvalid || pos < r->mblk || pos >= r->mblk + 64) {
		if (r->len - pos < 64)
			return SCAN_MORE;
		r->mblk = pos;
		classify64(r->h.buf + pos, &r->m);
		r->mvalid = 1;
	}
	blk = r->mblk;
	live = ~UINT64_C(0) << (pos - blk); /* the block's bits from pos on */
	*high = 0;
	for (;;) {
		if ((r->m.bad & live) != 0)
			return SCAN_MORE;
		*high |= (r->m.high & live) != 0;
		for (sep = r->m.sep & live; sep != 0; sep &= sep - 1) {
			unsigned bit = (unsigned)__builtin_ctzll(sep);
			size_t at = blk + bit;

			if (f == fend)
				return SCAN_MORE;
			f->off = (uint32_t)fstart;
			f->len = (uint32_t)(at - fstart);
			f++;
			if ((r->m.nl >> bit) & 1) {
				r->h.nfields = (int)(f - r->h.fields);
				*rec_len = at - pos;
				*consumed = *rec_len + 1;
				return SCAN_RECORD;
			}
			fstart = at + 1;
		}
		/* the record goes on past this block */
		blk += 64;
		if (r->len - blk < 64)
			return SCAN_MORE;
		r->mblk = blk;
		classify64(r->h.buf + blk, &r->m);
		live = ~UINT64_C(0);
	}
}

#endif

/* Undouble the quotes of quoted fields in place; every field ends with a NUL, as csv_field also ensures. */
static void
finish_fields(csv_reader *r)
{
	for (int i = 0; i < r->h.nfields; i++) {
		struct csv_field *f = &r->h.fields[i];
		char *s = r->h.buf + f->off;

		if (f->len & FIELD_QUOTED) {
			char *src = s + 1, *stop = s + (f->len & ~FIELD_QUOTED) - 1, *dst = s;

			while (src < stop) {
				if (*src == '"')
					src++; /* the first of a doubled quote */
				*dst++ = *src++;
			}
			f->len = (uint32_t)(dst - s);
		}
		s[f->len] = '\0';
	}
}

int
csv_next(csv_reader *r)
{
	size_t rec_len = 0, consumed = 0;
	long nlines = 0;
	unsigned high = 0;
	int slow;

	if (r->par != NULL || (r->header != NULL && !r->par_tried && csv_par_start(r)))
		return csv_par_next(r);
	for (;;) {
		if (r->pos == r->len) {
			if (r->eof)
				return 0;
			if (refill(r) < 0)
				return refill_fail(r, r->next_line);
			continue;
		}
		enum scan_result sr = SCAN_MORE;

		nlines = 0;
#ifdef __SSE2__
		if (csv_fast_path)
			sr = scan_fast(r, &rec_len, &consumed, &high);
#endif
		if ((slow = sr == SCAN_MORE))
			sr = scan_record(r, &rec_len, &consumed, &nlines, &high);
		switch (sr) {
		case SCAN_ERROR:
			return -1;
		case SCAN_MORE:
			if (refill(r) < 0)
				return refill_fail(r, r->next_line);
			continue;
		case SCAN_RECORD:
			break;
		}
		r->line = r->next_line;
		r->next_line += 1 + nlines;
		if (r->h.nfields == 1 && rec_len == 0) { /* a blank line */
			r->pos += consumed;
			continue;
		}
		break;
	}
	if (high != 0 && has_suspect_byte(r->h.buf + r->pos, rec_len)) {
		size_t bad = csv_utf8_bad((unsigned char *)r->h.buf + r->pos, rec_len);

		if (bad < rec_len) {
			int col = 0;

			while (col + 1 < r->h.nfields && r->h.fields[col + 1].off <= r->pos + bad)
				col++;
			if (r->h.buf[r->pos + bad] == '\0')
				fail_line(r, r->line, r->ncols ? col : -1, "NUL byte: not text (a file cut short?)");
			else
				fail_line(r, r->line, r->ncols ? col : -1, "invalid UTF-8 (byte 0x%02x)",
				    (unsigned char)r->h.buf[r->pos + bad]);
			r->pos += consumed;
			return -1;
		}
	}
	if (slow)
		finish_fields(r);
	r->pos += consumed;
	if (r->header != NULL && r->h.nfields != r->ncols)
		return fail_line(r, r->line, -1, "expected %d fields as in the header, found %d",
		    r->ncols, r->h.nfields);
	return 1;
}

int
csv_read_header(csv_reader *r)
{
	int rc;

	/* A UTF-8 byte-order mark is not part of the first column's name. */
	while (r->len - r->pos < 3 && !r->eof)
		if (refill(r) < 0)
			return refill_fail(r, 1);
	r->pos += input_bom(r->h.buf + r->pos, r->len - r->pos);
	rc = csv_next(r);
	if (rc == 0)
		return fail_line(r, 1, -1, "empty input: expected a header line");
	if (rc < 0)
		return -1;
	r->header = calloc((size_t)r->h.nfields, sizeof *r->header);
	if (r->header == NULL)
		return oom(r, r->line);
	/* duplicates through a hash set of the names seen (open addressing, at most half full): a header of
	 * 100,000 columns is checked in linear time, not 5e9 comparisons */
	size_t cap = 16, mask, k;
	int *seen;

	while (cap < (size_t)r->h.nfields * 2)
		cap *= 2;
	mask = cap - 1;
	if ((seen = malloc(cap * sizeof *seen)) == NULL)
		return oom(r, r->line);
	memset(seen, 0xff, cap * sizeof *seen); /* -1: empty */
	for (int i = 0; i < r->h.nfields; i++) {
		const char *name = csv_field(r, i);
		uint64_t h = 1469598103934665603ull;

		if (*name == '\0') {
			free(seen);
			return fail_line(r, r->line, -1, "header: column %d has no name", i + 1);
		}
		for (const char *c = name; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ull;
		for (k = (size_t)h & mask; seen[k] >= 0; k = (k + 1) & mask)
			if (strcmp(r->header[seen[k]], name) == 0) {
				free(seen);
				return fail_line(r, r->line, -1, "header: duplicate column '%s'", name);
			}
		r->header[i] = strdup(name);
		r->ncols = i + 1;
		if (r->header[i] == NULL) {
			free(seen);
			return oom(r, r->line);
		}
		seen[k] = i;
	}
	free(seen);
	return 0;
}

int
csv_col(const csv_reader *r, const char *name)
{
	for (int i = 0; i < r->ncols; i++)
		if (strcmp(r->header[i], name) == 0)
			return i;
	return -1;
}

int
csv_require(csv_reader *r, const char *name)
{
	int c = csv_col(r, name);

	if (c < 0)
		fail_line(r, 1, -1, "missing column '%s'", name);
	return c;
}

int
csv_ncols(const csv_reader *r)
{
	return r->ncols;
}

const char *
csv_colname(const csv_reader *r, int col)
{
	return col >= 0 && col < r->ncols ? r->header[col] : "";
}

long
csv_line(const csv_reader *r)
{
	return r->line;
}

const char *
csv_name(const csv_reader *r)
{
	return r->in.name;
}

/* Field i's bytes without writing its NUL: the number parsers take a length, and a byte store just before
 * their 8-byte load of the same word would stall it (no store-to-load forwarding). */
static inline const char *
field_bytes(const csv_reader *r, int i)
{
	return i >= 0 && i < r->h.nfields ? r->h.buf + r->h.fields[i].off : "";
}

/* Quote at most 40 bytes of a bad value in a message. */
#define SHOW(r, col) (int)(csv_len(r, col) > 40 ? 40 : csv_len(r, col)), csv_field(r, col), \
	csv_len(r, col) > 40 ? "..." : ""

int
csv_bad_number(csv_reader *r, int col)
{
	return csv_fail(r, col, "'%.*s%s' is not a number", SHOW(r, col));
}

int
csv_i64(csv_reader *r, int col, long long *out)
{
	size_t n = csv_len(r, col);

	if (n == 0)
		return 0;
	if (num_parse_i64(field_bytes(r, col), n, out) != 0)
		return csv_fail(r, col, "'%.*s%s' is not an integer", SHOW(r, col));
	return 1;
}

int
csv_date(csv_reader *r, int col, int *out)
{
	size_t n = csv_len(r, col);

	if (n == 0)
		return 0;
	if (n == DATE_LEN && memcmp(field_bytes(r, col), r->last_date, DATE_LEN) == 0) {
		*out = r->last_day;
		return 1;
	}
	if (date_parse(field_bytes(r, col), n, out) != 0)
		return csv_fail(r, col, "'%.*s%s' is not a date (YYYY-MM-DD)", SHOW(r, col));
	memcpy(r->last_date, field_bytes(r, col), DATE_LEN);
	r->last_day = *out;
	return 1;
}

int
csv_need(csv_reader *r, int col)
{
	return csv_len(r, col) == 0 ? csv_fail(r, col, "missing") : 0;
}

int
csv_double_required(csv_reader *r, int col, double *out)
{
	return csv_need(r, col) < 0 || csv_double(r, col, out) < 0 ? -1 : 0;
}

int
csv_date_required(csv_reader *r, int col, int *out)
{
	return csv_need(r, col) < 0 || csv_date(r, col, out) < 0 ? -1 : 0;
}

/* ---- writing ---- */

void
csv_w_init(csv_writer *w, FILE *fp)
{
	w->fp = fp;
	w->nfield = 0;
}

static void
sep(csv_writer *w)
{
	if (w->nfield++ > 0)
		putc(',', w->fp);
}

void
csv_w_strn(csv_writer *w, const char *s, size_t n)
{
	int quote = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');

	sep(w);
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		fwrite(s, 1, n, w->fp);
		return;
	}
	putc('"', w->fp);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc('"', w->fp);
		putc(s[i], w->fp);
	}
	putc('"', w->fp);
}

void
csv_w_str(csv_writer *w, const char *s)
{
	csv_w_strn(w, s, strlen(s));
}

void
csv_w_num(csv_writer *w, double v)
{
	char buf[NUM_FMT_MAX];
	int n;

	sep(w);
	if (v != v)
		return;
	n = num_fmt(v, buf);
	fwrite(buf, 1, (size_t)n, w->fp);
}

void
csv_w_int(csv_writer *w, long long v)
{
	sep(w);
	fprintf(w->fp, "%lld", v);
}

void
csv_w_date(csv_writer *w, int day)
{
	char buf[DATE_LEN + 1];

	sep(w);
	fwrite(date_fmt(day, buf), 1, DATE_LEN, w->fp);
}

void
csv_w_empty(csv_writer *w)
{
	sep(w);
}

int
csv_w_end(csv_writer *w)
{
	putc('\n', w->fp);
	w->nfield = 0;
	return ferror(w->fp) ? -1 : 0;
}

int
csv_w_header(csv_writer *w, const char *names)
{
	fputs(names, w->fp);
	return csv_w_end(w);
}
