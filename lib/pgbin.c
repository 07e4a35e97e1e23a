#include "pgbin.h"

#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"
#include "num.h"

static const char signature[11] = "PGCOPY\n\377\r\n";

#define DATE_MAX 24 /* "-2147483648-12-31 BC" and the like: any int32 of days, with room */

void
pgbin_init(struct pgbin *b, const struct pgbin_col *cols, int ncols)
{
	b->cols = cols;
	b->ncols = ncols;
	b->state = 0;
}

int
pgbin_done(const struct pgbin *b)
{
	return b->state == 2;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* The decimal digits of v (at least width of them, zeros in front) at w; returns the end. */
static char *
put_u(char *w, uint64_t v, int width)
{
	char t[24];
	int n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n < width)
		t[n++] = '0';
	while (n > 0)
		*w++ = t[--n];
	return w;
}

static char *
put_i(char *w, int64_t v)
{
	if (v < 0) {
		*w++ = '-';
		return put_u(w, 0 - (uint64_t)v, 1);
	}
	return put_u(w, (uint64_t)v, 1);
}

/* date_out with DateStyle ISO: the proleptic Gregorian date of days since 2000-01-01 (PostgreSQL's
 * j2date; the civil-from-days arithmetic of H. Hinnant's "chrono-compatible low-level date algorithms"),
 * the year zero-padded to 4 digits, years before 1 as (1 - year) " BC". */
static char *
put_date(char *w, int32_t days)
{
	int64_t z, era, doe, yoe, y, doy, mp, d, m;

	if (days == INT32_MIN || days == INT32_MAX) { /* DATEVAL_NOBEGIN, DATEVAL_NOEND */
		const char *s = days == INT32_MIN ? "-infinity" : "infinity";
		size_t n = strlen(s);
		memcpy(w, s, n);
		return w + n;
	}
	z = (int64_t)days + 10957 + 719468; /* days since 0000-03-01 */
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	w = put_u(w, (uint64_t)(y > 0 ? y : 1 - y), 4);
	*w++ = '-';
	w = put_u(w, (uint64_t)m, 2);
	*w++ = '-';
	w = put_u(w, (uint64_t)d, 2);
	if (y <= 0) {
		memcpy(w, " BC", 3);
		w += 3;
	}
	return w;
}

/* CopyAttributeOutCSV: quoted when empty (an empty string is not NULL), when it holds the delimiter, a
 * quote, CR or LF, or when it is "\." alone on its line (a one-column COPY); a quote is doubled. */
static char *
put_text(char *w, const char *s, size_t n, int single)
{
	int quote = n == 0 || (single && n == 2 && s[0] == '\\' && s[1] == '.');

	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		memcpy(w, s, n);
		return w + n;
	}
	*w++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			*w++ = '"';
		*w++ = s[i];
	}
	*w++ = '"';
	return w;
}

size_t
pgbin_header_max(const struct pgbin *b)
{
	size_t n = 1;

	for (int c = 0; c < b->ncols; c++)
		n += 2 * strlen(b->cols[c].name) + 3;
	return n;
}

size_t
pgbin_header(const struct pgbin *b, char *out)
{
	char *w = out;

	for (int c = 0; c < b->ncols; c++) {
		if (c > 0)
			*w++ = ',';
		w = put_text(w, b->cols[c].name, strlen(b->cols[c].name), b->ncols == 1);
	}
	*w++ = '\n';
	return (size_t)(w - out);
}

size_t
pgbin_rows_max(const struct pgbin *b, size_t n)
{
	/* text: at most twice its bytes and 2 quotes; a number or a date of at most 8 bytes: at most
	 * NUM_FMT_MAX or DATE_MAX characters; a comma or a line end per field */
	return 2 * n + (size_t)b->ncols * (NUM_FMT_MAX + DATE_MAX + 3) + 8;
}

/* One field of type t, k bytes at p (k == -1: NULL), written at *w. Returns 0 or -1 (a length that
 * does not fit the type). */
static int
put_field(char **w, enum pgbin_type t, const unsigned char *p, int32_t k, int single)
{
	if (k < 0) /* NULL: nothing between the commas */
		return 0;
	switch (t) {
	case PGBIN_DATE:
		if (k != 4)
			return -1;
		*w = put_date(*w, (int32_t)be32(p));
		return 0;
	case PGBIN_INT4:
		if (k != 4)
			return -1;
		*w = put_i(*w, (int32_t)be32(p));
		return 0;
	case PGBIN_INT8:
		if (k != 8)
			return -1;
		*w = put_i(*w, (int64_t)be64(p));
		return 0;
	case PGBIN_FLOAT8: {
		uint64_t u;
		double v;
		if (k != 8)
			return -1;
		u = be64(p);
		memcpy(&v, &u, sizeof v);
		*w += num_fmt_pg(v, *w);
		return 0;
	}
	case PGBIN_TEXT:
		*w = put_text(*w, (const char *)p, (size_t)k, single);
		return 0;
	}
	return -1;
}

static const char *const type_name[] = { "date", "integer", "bigint", "double precision", "text" };

int
pgbin_rows(struct pgbin *b, const char *msg, size_t n, char *out, size_t *len, long long *tuples, char *err,
    size_t errlen)
{
	const unsigned char *p = (const unsigned char *)msg, *end = p + n;
	char *w = out;

	*len = 0;
	*tuples = 0;
	if (b->state == 0) {
		uint32_t flags, ext;
		if (n < 19 || memcmp(p, signature, sizeof signature) != 0)
			return err_ret(EX_DATAERR, err, errlen, "binary COPY: no PGCOPY signature at the start");
		flags = be32(p + 11);
		if (flags != 0)
			return err_ret(EX_DATAERR, err, errlen, "binary COPY: header flags %#x (OIDs or a later format)",
			    (unsigned)flags);
		ext = be32(p + 15);
		if (ext > n - 19)
			return err_ret(EX_DATAERR, err, errlen, "binary COPY: header extension longer than the message");
		p += 19 + ext;
		b->state = 1;
	}
	while (p < end) {
		int16_t nf;
		if (b->state == 2)
			return err_ret(EX_DATAERR, err, errlen, "binary COPY: data after the trailer");
		if (end - p < 2)
			return err_ret(EX_DATAERR, err, errlen, "binary COPY: tuple %lld cut short", *tuples + 1);
		nf = (int16_t)(p[0] << 8 | p[1]);
		p += 2;
		if (nf == -1) {
			b->state = 2;
			continue;
		}
		if (nf != b->ncols)
			return err_ret(EX_DATAERR, err, errlen, "binary COPY: a tuple of %d fields, %d expected", nf,
			    b->ncols);
		for (int c = 0; c < nf; c++) {
			int32_t k;
			if (end - p < 4)
				return err_ret(EX_DATAERR, err, errlen, "binary COPY: tuple %lld cut short", *tuples + 1);
			k = (int32_t)be32(p);
			p += 4;
			if (k < -1 || (k > 0 && end - p < k))
				return err_ret(EX_DATAERR, err, errlen, "binary COPY: field %s: length %ld past the message",
				    b->cols[c].name, (long)k);
			if (c > 0)
				*w++ = ',';
			if (put_field(&w, b->cols[c].type, p, k, nf == 1) != 0)
				return err_ret(EX_DATAERR, err, errlen, "binary COPY: field %s: %ld bytes for type %s",
				    b->cols[c].name, (long)k, type_name[b->cols[c].type]);
			if (k > 0)
				p += k;
		}
		*w++ = '\n';
		++*tuples;
	}
	*len = (size_t)(w - out);
	return 0;
}
