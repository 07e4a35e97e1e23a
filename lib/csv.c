#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "date.h"
#include "num.h"

#define CSV_CHUNK (1u << 20) /* bytes asked of fread at a time, once the buffer has grown */
#define CSV_START (1u << 16) /* first buffer: small inputs (and fuzzing) need no megabytes */

struct csv_field {
	size_t off; /* start, from the beginning of the buffer */
	size_t len; /* length after unquoting */
	int quoted; /* still holds its quotes until finish_fields() */
};

struct csv_reader {
	FILE *fp;                 /* input, not owned */
	char *name;               /* for messages */
	char *buf;                /* read buffer: [pos, len) not yet consumed */
	size_t cap, len, pos;     /* buffer capacity, bytes held, start of the unconsumed part */
	int eof;                  /* fread reached end of input */
	int read_error;           /* errno of a failed read, 0 if none */
	struct csv_field *fields; /* fields of the current record */
	int nfields, fields_cap;
	char **header;            /* column names (owned copies), NULL before csv_read_header */
	int ncols;
	long line;                /* line where the current record starts */
	long next_line;           /* line where the next record starts */
	size_t mblk;              /* the 64-byte block scan_fast has classified (offset in buf), */
	uint64_t msep, mbad, mhigh; /* and its bits: separators and LFs, quotes and CRs, non-ASCII bytes */
	int mvalid;               /* those bits describe the buffer as it is (a refill moves it) */
	char last_date[DATE_LEN]; /* the last date text parsed, and its value: date-major files repeat it */
	int last_day;
	char err[512];            /* last error, formatted */
};

csv_reader *
csv_open(FILE *fp, const char *name)
{
	csv_reader *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->fp = fp;
	r->name = strdup(name ? name : "<stdin>");
	r->cap = CSV_START;
	r->buf = malloc(r->cap + 1);
	r->fields_cap = 16;
	r->fields = malloc(sizeof *r->fields * (size_t)r->fields_cap);
	r->next_line = 1;
	if (r->name == NULL || r->buf == NULL || r->fields == NULL) {
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
	for (int i = 0; i < r->ncols; i++)
		free(r->header[i]);
	free(r->header);
	free(r->fields);
	free(r->buf);
	free(r->name);
	free(r);
}

static int
vfail(csv_reader *r, long line, int col, const char *fmt, va_list ap)
{
	int n;

	if (col >= 0 && col < r->ncols)
		n = snprintf(r->err, sizeof r->err, "%s:%ld: %s: ", r->name, line, r->header[col]);
	else if (col >= 0)
		n = snprintf(r->err, sizeof r->err, "%s:%ld: field %d: ", r->name, line, col + 1);
	else
		n = snprintf(r->err, sizeof r->err, "%s:%ld: ", r->name, line);
	if (n >= 0 && (size_t)n < sizeof r->err)
		vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
	return -1;
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

int
csv_fail(csv_reader *r, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(r, r->line, col, fmt, ap);
	va_end(ap);
	return -1;
}

const char *
csv_error(const csv_reader *r)
{
	return r->err;
}

/* Move the unconsumed bytes to the front, grow if full, and read more. Returns bytes read, 0 at EOF,
 * -1 on error. */
static long
refill(csv_reader *r)
{
	size_t n;

	if (r->eof)
		return 0;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
		r->mvalid = 0;
	}
	/* Grow when less than a chunk (half the buffer while it is small) is free for the next read. */
	if (r->cap - r->len < (r->cap < 2 * CSV_CHUNK ? r->cap / 2 : CSV_CHUNK)) {
		size_t ncap = r->cap * 2;
		char *nb = realloc(r->buf, ncap + 1);

		if (nb == NULL) {
			r->read_error = ENOMEM;
			return -1;
		}
		r->buf = nb;
		r->cap = ncap;
	}
	n = fread(r->buf + r->len, 1, r->cap - r->len, r->fp);
	r->len += n;
	if (n == 0) {
		if (ferror(r->fp)) {
			r->read_error = errno ? errno : EIO;
			return -1;
		}
		r->eof = 1;
	}
	return (long)n;
}

static int
grow_fields(csv_reader *r)
{
	int ncap = r->fields_cap * 2;
	struct csv_field *nf = realloc(r->fields, sizeof *nf * (size_t)ncap);

	if (nf == NULL)
		return fail_line(r, r->next_line, -1, "out of memory");
	r->fields = nf;
	r->fields_cap = ncap;
	return 0;
}

static inline int
add_field(csv_reader *r, size_t off, size_t len, int quoted)
{
	if (r->nfields == r->fields_cap && grow_fields(r) != 0)
		return -1;
	r->fields[r->nfields].off = off;
	r->fields[r->nfields].len = len;
	r->fields[r->nfields].quoted = quoted;
	r->nfields++;
	return 0;
}

/* Validate UTF-8 in s[0..n): returns the offset of the first bad byte, or n. */
static size_t
utf8_bad(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned min;

		if (c < 0x80) {
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

static int
has_high_bit(const char *s, size_t n)
{
	size_t i = 0;
	uint64_t acc = 0, w;

#ifdef __SSE2__
	__m128i any = _mm_setzero_si128();

	for (; i + 16 <= n; i += 16)
		any = _mm_or_si128(any, _mm_loadu_si128((const __m128i *)(const void *)(s + i)));
	if (_mm_movemask_epi8(any) != 0)
		return 1;
#endif
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= (unsigned char)s[i];
	return (acc & UINT64_C(0x8080808080808080)) != 0;
}

/* Bytes that end an unquoted run: the separator, line ends and the quote. */
static const unsigned char special[256] = { [','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1 };

enum scan_result { SCAN_RECORD, SCAN_MORE, SCAN_ERROR };

/* The first byte in [p, end) that is a separator, line end or quote, or end. Fields are short, so SSE2
 * looks at 16 bytes per step (one load, four compares) where a byte loop would branch on each. The high
 * bits of every byte looked at are or-ed into *high: when none is set the record is ASCII, hence valid
 * UTF-8, without a second pass (bytes past the field may set it too; that only costs an exact check). */
static inline const char *
skip_plain(const char *p, const char *end, unsigned *high)
{
#ifdef __SSE2__
	const __m128i comma = _mm_set1_epi8(','), nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
		      quote = _mm_set1_epi8('"');

	while (end - p >= 16) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(b, comma), _mm_cmpeq_epi8(b, nl)),
		    _mm_or_si128(_mm_cmpeq_epi8(b, cr), _mm_cmpeq_epi8(b, quote)));
		unsigned mask = (unsigned)_mm_movemask_epi8(hit);

		*high |= (unsigned)_mm_movemask_epi8(b);
		if (mask != 0)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#endif
	while (p < end && !special[(unsigned char)*p])
		*high |= (unsigned char)*p++ & 0x80;
	return p;
}

/* Scan one record from r->pos in a single pass, noting each field's offset (from the record's start) and
 * length. Returns SCAN_MORE when the buffer ends before the record does (nothing is modified, so the scan
 * simply restarts after a refill), SCAN_RECORD with *rec_len (up to, excluding, the line end) and
 * *consumed (including it). */
static enum scan_result
scan_record(csv_reader *r, size_t *rec_len, size_t *consumed, long *nlines, unsigned *high)
{
	const char *base = r->buf + r->pos, *end = r->buf + r->len, *p = base;
	long embedded = 0;

	*high = 0;

	r->nfields = 0;
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
			if (add_field(r, (size_t)(fstart - base), (size_t)(p - fstart), 1) != 0)
				return SCAN_ERROR;
			if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
				r->line = r->next_line;
				fail_line(r, r->line, r->nfields - 1, "unexpected character after a closing quote");
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
			if (add_field(r, (size_t)(fstart - base), (size_t)(p - fstart), 0) != 0)
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
/* Classify the 64 bytes at p: bit i of *sep is set for a ',' or '\n' at p[i], of *bad for '"' or '\r', of
 * *high for a byte >= 0x80. */
static inline void
classify64(const char *p, uint64_t *sep, uint64_t *bad, uint64_t *high)
{
	const __m128i comma = _mm_set1_epi8(','), nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
		      quote = _mm_set1_epi8('"');

	*sep = *bad = *high = 0;
	for (int i = 0; i < 4; i++) {
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		uint64_t s = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, comma), _mm_cmpeq_epi8(b, nl)));
		uint64_t q = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, quote), _mm_cmpeq_epi8(b, cr)));

		*sep |= s << (16 * i);
		*bad |= q << (16 * i);
		*high |= (uint64_t)(unsigned)_mm_movemask_epi8(b) << (16 * i);
	}
}

/* The fast path for the common record: no quote and no CR. Whole 64-byte blocks are classified once into
 * bit masks, kept across records, and fields are read off the separator bits, so a field costs a few
 * instructions instead of a dependent load and compare per 16 bytes. Returns SCAN_RECORD, or SCAN_MORE
 * to let scan_record() handle the record (a quote or a CR near it, or the end of the buffer near). */
static enum scan_result
scan_fast(csv_reader *r, size_t *rec_len, size_t *consumed, unsigned *high)
{
	size_t pos = r->pos, fstart = r->pos;

	r->nfields = 0;
	*high = 0;
	for (;;) {
		unsigned shift;
		uint64_t sep;

		if (!r->mvalid || pos < r->mblk || pos >= r->mblk + 64) {
			if (r->len - pos < 64)
				return SCAN_MORE;
			r->mblk = pos;
			classify64(r->buf + pos, &r->msep, &r->mbad, &r->mhigh);
			r->mvalid = 1;
		}
		shift = (unsigned)(pos - r->mblk);
		if ((r->mbad >> shift) != 0)
			return SCAN_MORE;
		*high |= (r->mhigh >> shift) != 0;
		sep = r->msep >> shift;
		if (sep == 0) { /* the field goes on past this block */
			pos = r->mblk + 64;
			continue;
		}
		pos += (size_t)__builtin_ctzll(sep);
		if (add_field(r, fstart - r->pos, pos - fstart, 0) != 0)
			return SCAN_ERROR;
		if (r->buf[pos] == '\n') {
			*rec_len = pos - r->pos;
			*consumed = *rec_len + 1;
			return SCAN_RECORD;
		}
		fstart = ++pos;
	}
}
#endif

/* Turn the scanned fields into NUL-terminated strings in place, undoubling quotes. */
static void
finish_fields(csv_reader *r)
{
	char *base = r->buf + r->pos;

	for (int i = 0; i < r->nfields; i++) {
		struct csv_field *f = &r->fields[i];
		char *s = base + f->off;

		if (f->quoted) {
			char *src = s + 1, *stop = s + f->len - 1, *dst = s;

			while (src < stop) {
				if (*src == '"')
					src++; /* the first of a doubled quote */
				*dst++ = *src++;
			}
			f->len = (size_t)(dst - s);
		}
		s[f->len] = '\0';
		f->off += r->pos;
	}
}

int
csv_next(csv_reader *r)
{
	size_t rec_len = 0, consumed = 0;
	long nlines = 0;
	unsigned high = 0;

	for (;;) {
		if (r->pos == r->len) {
			if (r->eof)
				return 0;
			if (refill(r) < 0)
				return fail_line(r, r->next_line, -1, "read error: %s", strerror(r->read_error));
			continue;
		}
		enum scan_result sr = SCAN_MORE;

		nlines = 0;
#ifdef __SSE2__
		sr = scan_fast(r, &rec_len, &consumed, &high);
#endif
		if (sr == SCAN_MORE)
			sr = scan_record(r, &rec_len, &consumed, &nlines, &high);
		switch (sr) {
		case SCAN_ERROR:
			return -1;
		case SCAN_MORE:
			if (refill(r) < 0)
				return fail_line(r, r->next_line, -1, "read error: %s", strerror(r->read_error));
			continue;
		case SCAN_RECORD:
			break;
		}
		r->line = r->next_line;
		r->next_line += 1 + nlines;
		if (r->nfields == 1 && rec_len == 0) { /* a blank line */
			r->pos += consumed;
			continue;
		}
		break;
	}
	if (high != 0 && has_high_bit(r->buf + r->pos, rec_len)) {
		size_t bad = utf8_bad((unsigned char *)r->buf + r->pos, rec_len);

		if (bad < rec_len) {
			int col = 0;

			while (col + 1 < r->nfields && r->fields[col + 1].off <= bad)
				col++;
			fail_line(r, r->line, r->ncols ? col : -1, "invalid UTF-8 (byte 0x%02x)",
			    (unsigned char)r->buf[r->pos + bad]);
			r->pos += consumed;
			return -1;
		}
	}
	finish_fields(r);
	r->pos += consumed;
	if (r->header != NULL && r->nfields != r->ncols)
		return fail_line(r, r->line, -1, "expected %d fields as in the header, found %d",
		    r->ncols, r->nfields);
	return 1;
}

int
csv_read_header(csv_reader *r)
{
	int rc;

	/* A UTF-8 byte-order mark is not part of the first column's name. */
	while (r->len - r->pos < 3 && !r->eof)
		if (refill(r) < 0)
			return fail_line(r, 1, -1, "read error: %s", strerror(r->read_error));
	if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xef\xbb\xbf", 3) == 0)
		r->pos += 3;
	rc = csv_next(r);
	if (rc == 0)
		return fail_line(r, 1, -1, "empty input: expected a header line");
	if (rc < 0)
		return -1;
	r->header = calloc((size_t)r->nfields, sizeof *r->header);
	if (r->header == NULL)
		return fail_line(r, r->line, -1, "out of memory");
	for (int i = 0; i < r->nfields; i++) {
		const char *name = csv_field(r, i);

		if (*name == '\0')
			return fail_line(r, r->line, -1, "header: column %d has no name", i + 1);
		for (int j = 0; j < i; j++)
			if (strcmp(r->header[j], name) == 0)
				return fail_line(r, r->line, -1, "header: duplicate column '%s'", name);
		r->header[i] = strdup(name);
		r->ncols = i + 1;
		if (r->header[i] == NULL)
			return fail_line(r, r->line, -1, "out of memory");
	}
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

int
csv_nfields(const csv_reader *r)
{
	return r->nfields;
}

const char *
csv_field(const csv_reader *r, int i)
{
	return i >= 0 && i < r->nfields ? r->buf + r->fields[i].off : "";
}

size_t
csv_len(const csv_reader *r, int i)
{
	return i >= 0 && i < r->nfields ? r->fields[i].len : 0;
}

long
csv_line(const csv_reader *r)
{
	return r->line;
}

const char *
csv_name(const csv_reader *r)
{
	return r->name;
}

/* Quote at most 40 bytes of a bad value in a message. */
#define SHOW(r, col) (int)(csv_len(r, col) > 40 ? 40 : csv_len(r, col)), csv_field(r, col), \
	csv_len(r, col) > 40 ? "..." : ""

int
csv_double(csv_reader *r, int col, double *out)
{
	size_t n = csv_len(r, col);

	if (n == 0)
		return 0;
	if (num_parse(csv_field(r, col), n, out) != 0)
		return csv_fail(r, col, "'%.*s%s' is not a number", SHOW(r, col));
	return 1;
}

int
csv_i64(csv_reader *r, int col, long long *out)
{
	size_t n = csv_len(r, col);

	if (n == 0)
		return 0;
	if (num_parse_i64(csv_field(r, col), n, out) != 0)
		return csv_fail(r, col, "'%.*s%s' is not an integer", SHOW(r, col));
	return 1;
}

int
csv_date(csv_reader *r, int col, int *out)
{
	size_t n = csv_len(r, col);

	if (n == 0)
		return 0;
	if (n == DATE_LEN && memcmp(csv_field(r, col), r->last_date, DATE_LEN) == 0) {
		*out = r->last_day;
		return 1;
	}
	if (date_parse(csv_field(r, col), n, out) != 0)
		return csv_fail(r, col, "'%.*s%s' is not a date (YYYY-MM-DD)", SHOW(r, col));
	memcpy(r->last_date, csv_field(r, col), DATE_LEN);
	r->last_day = *out;
	return 1;
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
