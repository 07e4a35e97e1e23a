#include "num.h"
#include "num_impl.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
parse_slow(const char *s, size_t n, double *out)
{
	char small[64], *buf = small, *end;
	double v;

	/* strtod needs a NUL-terminated copy; the field may be followed by more data. */
	if (n >= sizeof small && (buf = malloc(n + 1)) == NULL)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (end != buf + n || isnan(v) || isinf(v)) {
		if (buf != small)
			free(buf);
		return -1;
	}
	if (buf != small)
		free(buf);
	*out = v;
	return 0;
}

int
num_parse(const char *s, size_t n, double *out)
{
	const char *p = s, *end = s + n, *digits;
	uint64_t mant = 0;
	unsigned d;
	int neg = 0, ndigits, frac_digits = 0, exp10 = 0;
	double v;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	digits = p;
	/* Mantissa digits accumulate unchecked: more than 19 of them may wrap, and then go the slow way. */
	while (p < end && (d = (unsigned)(*p - '0')) < 10) {
		mant = mant * 10 + d;
		p++;
	}
	ndigits = (int)(p - digits);
	if (p < end && *p == '.') {
		const char *frac = ++p;

		while (p < end && (d = (unsigned)(*p - '0')) < 10) {
			mant = mant * 10 + d;
			p++;
		}
		frac_digits = (int)(p - frac);
		ndigits += frac_digits;
	}
	if (ndigits == 0)
		return -1;
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0, e = 0, edig = 0;

		p++;
		if (p < end && (*p == '-' || *p == '+'))
			eneg = *p++ == '-';
		while (p < end && (d = (unsigned)(*p - '0')) < 10) {
			if (e < 10000)
				e = e * 10 + (int)d;
			p++;
			edig++;
		}
		if (!edig)
			return -1;
		exp10 = eneg ? -e : e;
	}
	if (p != end)
		return -1;
	exp10 -= frac_digits;
	/* Clinger's fast path: mantissa and power of ten both exact, so one IEEE operation rounds once. */
	if (ndigits <= 19 && mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
		v = (double)mant;
		v = exp10 < 0 ? v / num_exact_pow10[-exp10] : v * num_exact_pow10[exp10];
		*out = neg ? -v : v;
		return 0;
	}
	return parse_slow(s, n, out);
}

/* num_parse for the common short decimal, without a loop over the digits: a sign, then at most 8 bytes of
 * digits with at most one point ("76.07", "-0.008427", "224039") are checked and converted 8 at a time
 * (SWAR, as in Lemire's fast_float), then rounded once like the Clinger path above (fewer than 9 digits
 * and at most 7 decimals, so mantissa and power are exact): the same double, bit for bit. Anything else
 * goes to num_parse. Reads one 8-byte word at s + sign, within the padding contract. */
int
num_parse_swar(const char *s, size_t n, double *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	static const uint64_t ones = UINT64_C(0x0101010101010101);
	size_t neg = n > 0 && s[0] == '-', m = n - neg;
	uint64_t w, z, dot, pad;
	unsigned frac = 0, nd = (unsigned)m;
	double v;

	if (m - 1 > 7) /* empty, or longer than 8 */
		return num_parse(s, n, out);
	memcpy(&w, s + neg, 8);
	w &= ~UINT64_C(0) >> (64 - 8 * m); /* the bytes past the number become NULs */
	/* The first '.', if any: the lowest zero byte of w ^ "........" (the borrow trick is exact there). */
	z = w ^ (ones * '.');
	dot = (z - ones) & ~z & (ones << 7);
	if (dot != 0) { /* close the gap it leaves */
		unsigned k = (unsigned)__builtin_ctzll(dot) / 8;

		frac = (unsigned)m - k - 1;
		w = (w & ((UINT64_C(1) << (8 * k)) - 1)) | (((w >> (8 * k)) >> 8) << (8 * k));
		if (--nd == 0)
			return num_parse(s, n, out);
	}
	/* Right-align the digits behind '0's; then all eight bytes must be digits (a second point, a sign or
	 * any other byte fails here), and pairs, quads and octets fold into one integer below 10^8. */
	pad = 8 * (8 - nd);
	w = (w << pad) | ((ones * '0') & ~(~UINT64_C(0) << pad));
	if ((((w + ones * 0x46) | (w - ones * '0')) & (ones << 7)) != 0)
		return num_parse(s, n, out);
	w -= ones * '0';
	w = w * 10 + (w >> 8);
	w = (((w & UINT64_C(0x000000ff000000ff)) * UINT64_C(0x000f424000000064)) +
	    (((w >> 16) & UINT64_C(0x000000ff000000ff)) * UINT64_C(0x0000271000000001))) >> 32;
	/* Divided even by 10^0 and signed with a bit: a branch on the sign of returns would be a coin toss. */
	v = (double)w / num_exact_pow10[frac];
	memcpy(&w, &v, sizeof w);
	w |= (uint64_t)neg << 63;
	memcpy(out, &w, sizeof w);
	return 0;
#else
	return num_parse(s, n, out);
#endif
}

#ifdef NUM_HAVE_SSSE3
__attribute__((target("ssse3"))) int
num_parse_ssse3(const char *s, size_t n, double *out)
{
	return num_ssse3_inline(s, n, out);
}

__attribute__((target("avx2"))) int
num_parse_avx2_pair(const char *a, size_t na, const char *b, size_t nb, double *out)
{
	return num_avx2_pair(a, na, b, nb, out);
}
#endif

int
num_parse_padded(const char *s, size_t n, double *out)
{
#ifdef NUM_HAVE_SSSE3
	/* one load and a well-predicted branch: libgcc filled __cpu_model before main */
	if (__builtin_cpu_supports("ssse3"))
		return num_parse_ssse3(s, n, out);
#endif
	return num_parse_swar(s, n, out);
}

int
num_parse_i64(const char *s, size_t n, long long *out)
{
	const char *p = s, *end = s + n;
	unsigned long long v = 0, limit;
	int neg = 0;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (p == end)
		return -1;
	limit = neg ? (unsigned long long)INT64_MAX + 1 : (unsigned long long)INT64_MAX;
	for (; p < end; p++) {
		if ((unsigned)(*p - '0') >= 10)
			return -1;
		if (v > (limit - (unsigned)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*out = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

/* Prices and returns have a few decimals, and printf's exact float formatting is most of the cost of writing
 * millions of them. When v * 10^k rounds to an integer r < 10^15 with r / 10^k == v for the smallest
 * k <= 9, the k-decimal fixed string reads back to v (r and 10^k are exact, so the division is correctly
 * rounded, as strtod is) and, having at most 15 significant digits, is what %.15g prints in [1e-4, 1e9)
 * once %g has dropped the trailing zeros: the same bytes, from integer arithmetic. Returns the length, or
 * 0 to fall back to printf. */
static int
fmt_fixed(double v, char *buf)
{
	static const double p10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
	double a = fabs(v);
	char digits[32];
	int n = 0, len = 0;

	if (!(a >= 1e-4 && a < 1e9))
		return 0;
	for (int k = 0; k <= 9; k++) {
		double r = nearbyint(a * p10[k]);
		unsigned long long u;

		if (r >= 1e15)
			return 0; /* more than 15 digits: %g's territory (and r may not be exact) */
		if (r / p10[k] != a)
			continue;
		u = (unsigned long long)r;
		do {
			digits[n++] = (char)('0' + u % 10);
			u /= 10;
		} while (u > 0);
		while (n <= k)
			digits[n++] = '0'; /* 0.0123: at least one digit before the point */
		if (v < 0)
			buf[len++] = '-';
		for (int i = n - 1; i >= 0; i--) {
			buf[len++] = digits[i];
			if (i == k && k > 0)
				buf[len++] = '.';
		}
		buf[len] = '\0';
		return len;
	}
	return 0;
}

/* What %.{prec}g prints for digits * 10^exp10 (digits > 0, prec >= its digit count): exponent form iff
 * the decimal exponent X of the first digit is < -4 or >= prec, with at least two exponent digits;
 * trailing zeros dropped, and the point with them. pg: PostgreSQL's float8out layout instead, whose
 * threshold is prec whatever the digit count (%g's is the larger of prec and the digit count). */
static int
fmt_g(int neg, uint64_t digits, int exp10, int prec, int pg, char *buf)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				    "8081828384858687888990919293949596979899";
	char d[20], *s = d + 20;
	int n, len = 0, x;

	while (digits % 10 == 0)
		digits /= 10, exp10++;
	/* two digits a step (at most 17 digits are left, so hi < 10^9); the low 8 in full if there is a high part */
	uint32_t hi = (uint32_t)(digits / 100000000), lo = (uint32_t)(digits % 100000000);
	if (hi != 0) {
		for (int i = 0; i < 4; i++, lo /= 100)
			memcpy(s -= 2, pairs + 2 * (lo % 100), 2);
		lo = hi;
	}
	for (; lo >= 100; lo /= 100)
		memcpy(s -= 2, pairs + 2 * (lo % 100), 2);
	if (lo >= 10)
		memcpy(s -= 2, pairs + 2 * lo, 2);
	else
		*--s = (char)('0' + lo);
	n = (int)(d + 20 - s);
	x = exp10 + n - 1;
	if (neg)
		buf[len++] = '-';
	if (x < -4 || x >= (prec > n || pg ? prec : n)) {
		int ax = x < 0 ? -x : x;

		buf[len++] = s[0];
		if (n > 1) {
			buf[len++] = '.';
			memcpy(buf + len, s + 1, (size_t)n - 1);
			len += n - 1;
		}
		buf[len++] = 'e';
		buf[len++] = x < 0 ? '-' : '+';
		if (ax >= 100)
			buf[len++] = (char)('0' + ax / 100);
		buf[len++] = (char)('0' + ax / 10 % 10);
		buf[len++] = (char)('0' + ax % 10);
	} else if (x >= 0) {
		int ip = x + 1; /* digits before the point */

		if (n <= ip) {
			memcpy(buf + len, s, (size_t)n);
			len += n;
			memset(buf + len, '0', (size_t)(ip - n));
			len += ip - n;
		} else {
			memcpy(buf + len, s, (size_t)ip);
			len += ip;
			buf[len++] = '.';
			memcpy(buf + len, s + ip, (size_t)(n - ip));
			len += n - ip;
		}
	} else {
		buf[len++] = '0';
		buf[len++] = '.';
		memset(buf + len, '0', (size_t)(-x - 1));
		len += -x - 1;
		memcpy(buf + len, s, (size_t)n);
		len += n;
	}
	buf[len] = '\0';
	return len;
}

/* The printf search's answer without printf. Let D be the shortest digits that read back (num_ryu: the
 * nearest such to v). The search prints the correctly rounded R(p) = %.{p}g for the least p (from 15 for
 * normal numbers, 1 for subnormals) at which R(p) reads back. R(p) is the p-digit decimal nearest v, and
 * whether a decimal reads back depends only on its distance to v while the interval around v is symmetric
 * (every double but a power of two), so R(p) reads back iff some p-digit decimal does: p = len(D) for
 * subnormals and max(15, len(D)) for normal numbers, and then R(p) is D, as D is the nearest (at p = 15
 * for a shorter D: a half ulp is below half the 15-digit spacing, so only one 15-digit decimal reads
 * back). Rounding ties go to even in both. Powers of two, whose interval is lopsided, keep the search:
 * there the nearest 16-digit decimal can fall below the interval while another one lies inside it (2^-1017:
 * D = 7.120236347223045e-307, but the search prints 7.1202363472230444e-307). check_num compares the two
 * on millions of doubles and on every binary exponent. */
static int
fmt_shortest(double v, char *buf)
{
	uint64_t bits, digits;
	unsigned bexp;
	int exp10;

	memcpy(&bits, &v, sizeof bits);
	bexp = (unsigned)(bits >> 52) & 0x7ff;
	if ((bits & ((UINT64_C(1) << 52) - 1)) == 0)
		return num_fmt_printf(v, buf);
	num_ryu(bits & ((UINT64_C(1) << 52) - 1), bexp, 0, &digits, &exp10);
	return fmt_g(v < 0, digits, exp10, bexp == 0 ? 1 : 15, 0, buf);
}

int
num_fmt_printf(double v, char *buf)
{
	int len = 0;

	/* The shortest precision that reads back to the same double; 17 always does. For normal numbers a
	 * half ulp is below 0.5e-15 relative, so when a k <= 15 digit decimal reads back, %.15g prints those
	 * digits padded with zeros, which %g strips: start at 15. Subnormals need the full search. */
	for (int prec = fabs(v) >= DBL_MIN ? 15 : 1; prec <= 17; prec++) {
		len = snprintf(buf, NUM_FMT_MAX, "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			return len;
	}
	return len;
}

int
num_fmt(double v, char *buf)
{
	int len;

	if (isnan(v))
		return (int)(strcpy(buf, "nan"), 3);
	if (isinf(v))
		return v < 0 ? (int)(strcpy(buf, "-inf"), 4) : (int)(strcpy(buf, "inf"), 3);
	/* Integers that are exact print as such: the common case for volumes and share counts. Below 1e15
	 * that is what %lld and %.15g print ("-0" as "0"). */
	if (fabs(v) < 1e15 && v == (double)(long long)v)
		return v == 0 ? (int)(strcpy(buf, "0"), 1) : fmt_g(v < 0, (uint64_t)fabs(v), 0, 15, 0, buf);
	/* Below 1 (returns, weights) most values have 16-17 digits, and fmt_fixed's ten tries would cost
	 * more than the shortest digits: it gets only those that it will print with at most 6 decimals (its
	 * own test at k = 6; a shorter decimal passes it too). Either way the bytes are printf's. */
	if ((fabs(v) >= 1 || nearbyint(fabs(v) * 1e6) / 1e6 == fabs(v)) && (len = fmt_fixed(v, buf)) > 0)
		return len;
	return fmt_shortest(v, buf);
}

int
num_fmt_pg(double v, char *buf)
{
	uint64_t bits, digits;
	int exp10;

	if (isnan(v))
		return (int)(strcpy(buf, "NaN"), 3);
	if (isinf(v))
		return v < 0 ? (int)(strcpy(buf, "-Infinity"), 9) : (int)(strcpy(buf, "Infinity"), 8);
	if (v == 0)
		return signbit(v) ? (int)(strcpy(buf, "-0"), 2) : (int)(strcpy(buf, "0"), 1);
	if (fabs(v) < 9007199254740992.0 && fabs(v) >= 1 && v == (double)(long long)v)
		return fmt_g(v < 0, (uint64_t)fabs(v), 0, 15, 1, buf); /* d2s.c's integers below 2^53, exactly */
	memcpy(&bits, &v, sizeof bits);
	num_ryu(bits & ((UINT64_C(1) << 52) - 1), (unsigned)(bits >> 52) & 0x7ff, 1, &digits, &exp10);
	return fmt_g(v < 0, digits, exp10, 15, 1, buf);
}
