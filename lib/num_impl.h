/* num_impl: what num.c and num_ryu.c share; not for tools. */
#ifndef STI_NUM_IMPL_H
#define STI_NUM_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* num_parse_padded's ways: 8 bytes at a time in general registers (any CPU), 16 at a time with SSSE3 (x86-64
 * CPUs since 2006; chosen at run time), and two numbers at a time with AVX2 for lib/csv_par's loops. All
 * give num_parse's result; the tests run each. */
int num_parse_swar(const char *s, size_t n, double *out);

/* Powers of ten that are exact doubles (10^22 is the largest): an integer below 2^53 divided or
 * multiplied by one rounds once (Clinger's fast path). */
static const double num_exact_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};
#if defined(__x86_64__) && defined(__GNUC__)
#define NUM_HAVE_SSSE3 1
#include <immintrin.h>
#include <string.h>

#include "num.h"

int num_parse_ssse3(const char *s, size_t n, double *out);
/* num_avx2_pair as a function, for the tests */
int num_parse_avx2_pair(const char *a, size_t na, const char *b, size_t nb, double *out);

/* Byte j of a number's 16 (its digits less '0') to its place once the point, at byte p, is dropped:
 * num_drop_point[p] moves the bytes after p down one. The first 8 out. */
#define NUM_DROP(p) {{ 0 < p ? 0 : 1, 1 < p ? 1 : 2, 2 < p ? 2 : 3, 3 < p ? 3 : 4, 4 < p ? 4 : 5, \
	5 < p ? 5 : 6, 6 < p ? 6 : 7, 7 < p ? 7 : 8, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 }}
static const struct {
	_Alignas(16) unsigned char b[16];
} num_drop_point[10] = { NUM_DROP(0), NUM_DROP(1), NUM_DROP(2), NUM_DROP(3), NUM_DROP(4), NUM_DROP(5),
	NUM_DROP(6), NUM_DROP(7), NUM_DROP(8), NUM_DROP(9) };
#undef NUM_DROP
/* 16 bytes from num_in_window + 16 - m: m 0xff bytes, then zeros */
static const unsigned char num_in_window[32] = { 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
	255, 255, 255, 255 };

/* num_parse_padded's short decimals (and up to 8 digits with a point: "-0.0084275"), 16 bytes at a time:
 * one load, a compare per kind of byte, one shuffle that drops the point, two multiply-adds that fold the
 * digits. The digits, left-aligned over 8 places with zeros after them, make an integer W < 10^8 that is
 * the number times 10^(8 - k), k the digits before the point: W / 10^(8 - k), both exact, rounds once, as
 * num_parse does. Reads 16 bytes at s + sign, hence NUM_PAD. Inline, for loops compiled for SSSE3 that
 * convert many numbers (lib/csv_par); num_parse_ssse3 is the same as a function. */
static inline __attribute__((target("ssse3"), always_inline)) int
num_ssse3_inline(const char *s, size_t n, double *out)
{
	size_t neg = n > 0 && s[0] == '-', m = n - neg;
	__m128i x, in, d, dig, dot, w;
	unsigned bad, dm, k;
	uint64_t q, bits;
	double v;

	if (m - 1 > 8) /* empty, or longer than 8 digits and a point */
		return num_parse(s, n, out);
	x = _mm_loadu_si128((const __m128i *)(const void *)(s + neg));
	in = _mm_loadu_si128((const __m128i *)(const void *)(num_in_window + 16 - m));
	d = _mm_sub_epi8(x, _mm_set1_epi8('0'));
	dig = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
	dot = _mm_and_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')), in);
	/* every byte of the number a digit or a point, at most one point, 1 to 8 digits */
	bad = (unsigned)_mm_movemask_epi8(_mm_andnot_si128(_mm_or_si128(dig, dot), in));
	dm = (unsigned)_mm_movemask_epi8(dot);
	if ((bad | (dm & (dm - 1))) != 0 || m - (dm != 0) - 1 > 7)
		return num_parse(s, n, out);
	k = (unsigned)__builtin_ctz(dm | 1u << m); /* the digits before the point (all when there is none) */
	/* without a point, num_drop_point[m] moves only the zeros past the number */
	d = _mm_and_si128(d, _mm_and_si128(dig, in));
	d = _mm_shuffle_epi8(d, _mm_load_si128((const __m128i *)(const void *)num_drop_point[k].b));
	w = _mm_maddubs_epi16(d, _mm_setr_epi8(10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1, 10, 1));
	w = _mm_madd_epi16(w, _mm_setr_epi16(100, 1, 100, 1, 100, 1, 100, 1));
	q = (uint64_t)_mm_cvtsi128_si64(w);
	v = (double)((q & 0xffffffffu) * 10000 + (q >> 32)) / num_exact_pow10[8 - k];
	memcpy(&bits, &v, sizeof bits);
	bits |= (uint64_t)neg << 63; /* a branch on the sign of returns would be a coin toss */
	memcpy(out, &bits, sizeof bits);
	return 0;
}

/* Two numbers at once, each in one 128-bit lane of an AVX2 register, with num_ssse3_inline's steps (the
 * lanes' masks are the two halves of one movemask): out[0] is a's value and out[1] b's, the same bits as
 * num_parse's. Returns 0, or -1 without writing out when either is not such a short decimal (the caller
 * then parses each). Reads 16 bytes at a and at b past their signs, hence NUM_PAD. */
static inline __attribute__((target("avx2"), always_inline)) int
num_avx2_pair(const char *a, size_t na, const char *b, size_t nb, double *out)
{
	size_t nega = na > 0 && a[0] == '-', ma = na - nega, negb = nb > 0 && b[0] == '-', mb = nb - negb;
	__m256i x, in, d, dig, dot, w;
	__m128i t, num;
	unsigned bad, dm, da, db, ka, kb;
	__m128d v;

	if (ma - 1 > 8 || mb - 1 > 8)
		return -1;
	x = _mm256_loadu2_m128i((const __m128i *)(const void *)(b + negb),
	    (const __m128i *)(const void *)(a + nega));
	in = _mm256_loadu2_m128i((const __m128i *)(const void *)(num_in_window + 16 - mb),
	    (const __m128i *)(const void *)(num_in_window + 16 - ma));
	d = _mm256_sub_epi8(x, _mm256_set1_epi8('0'));
	dig = _mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8(9)), d);
	dot = _mm256_and_si256(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('.')), in);
	bad = (unsigned)_mm256_movemask_epi8(_mm256_andnot_si256(_mm256_or_si256(dig, dot), in));
	dm = (unsigned)_mm256_movemask_epi8(dot);
	da = dm & 0xffff;
	db = dm >> 16;
	if ((bad | (da & (da - 1)) | (db & (db - 1))) != 0 || ma - (da != 0) - 1 > 7 || mb - (db != 0) - 1 > 7)
		return -1;
	ka = (unsigned)__builtin_ctz(da | 1u << ma);
	kb = (unsigned)__builtin_ctz(db | 1u << mb);
	d = _mm256_and_si256(d, _mm256_and_si256(dig, in));
	d = _mm256_shuffle_epi8(d, _mm256_loadu2_m128i((const __m128i *)(const void *)num_drop_point[kb].b,
	    (const __m128i *)(const void *)num_drop_point[ka].b));
	w = _mm256_maddubs_epi16(d, _mm256_set1_epi16(0x010a)); /* 10, 1 in every pair of bytes */
	w = _mm256_madd_epi16(w, _mm256_set1_epi32(0x00010064)); /* 100, 1 in every pair of words */
	/* a's two 4-digit halves are words 0 and 1, b's words 4 and 5: a0 b0 a1 b1, then W = hi * 10^4 + lo */
	t = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(w, _mm256_setr_epi32(0, 4, 1, 5, 2, 3, 6, 7)));
	num = _mm_add_epi32(_mm_mullo_epi32(t, _mm_setr_epi32(10000, 10000, 0, 0)), _mm_srli_si128(t, 8));
	v = _mm_div_pd(_mm_cvtepi32_pd(num), _mm_setr_pd(num_exact_pow10[8 - ka], num_exact_pow10[8 - kb]));
	v = _mm_or_pd(v, _mm_castsi128_pd(_mm_set_epi64x((long long)((uint64_t)negb << 63),
	    (long long)((uint64_t)nega << 63))));
	_mm_storeu_pd(out, v);
	return 0;
}
#endif

/* The shortest decimal digits*10^exp10 that reads back (round to nearest, ties to even) to the finite,
 * nonzero double whose IEEE fields are mant (52 bits) and bexp (11 bits, not 0x7ff); among the shortest,
 * the one nearest the exact value (ties: even last digit). digits has no trailing zeros. pg: the digits of
 * PostgreSQL's copy of Ryu (src/common/d2s.c, built without STRICTLY_SHORTEST) instead, which never takes
 * an interval's bound even when strtod would round it to v (1e23 prints as 9.999999999999999e+22, not
 * 1e+23), looks for exact ties only up to 10^21 for large doubles, and counts 2^(q-1) as 2^q for small
 * ones. */
void num_ryu(uint64_t mant, unsigned bexp, int pg, uint64_t *digits, int *exp10);

#endif
