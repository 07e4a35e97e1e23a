/* Unit tests for lib/num: exact parsing (against strtod) and shortest round-trip formatting. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "num_impl.h"

static double
P(const char *s)
{
	double v = -12345;

	ck_assert_msg(num_parse(s, strlen(s), &v) == 0, "rejected '%s'", s);
	return v;
}

START_TEST(test_parse_exact)
{
	static const char *const cases[] = { "0", "-0", "1", "101.2", "0.1", "0.3", "123.456", "-7.25", "1e3",
		"1E-3", ".5", "5.", "+3", "1234567890123456789", "12345678901234567890123", "0.000001234",
		"9007199254740993", "179769313486231570000000000000000000000000000000000000000000000000000000000",
		"4.9406564584124654e-324", "2.2250738585072014e-308", "3.141592653589793238462643383279",
		"1e22", "1e23", "8.589973e9", "0.1e-22", "123456789012345.678" };

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double want = strtod(cases[i], NULL), got = P(cases[i]);

		ck_assert_msg(memcmp(&want, &got, sizeof want) == 0, "'%s': got %.17g want %.17g", cases[i],
		    got, want);
	}
}
END_TEST

START_TEST(test_parse_random_decimals)
{
	uint64_t x = 88172645463325252ULL;
	char buf[64];

	/* Prices as feeds print them: up to 6 decimals, 1 to 9 integer digits. */
	for (int i = 0; i < 200000; i++) {
		double want, got;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		snprintf(buf, sizeof buf, "%llu.%0*llu", (unsigned long long)(x % 1000000000ULL), (int)(x >> 60) % 7 + 1,
		    (unsigned long long)((x >> 20) % 1000000ULL) % (unsigned long long)pow(10, (int)(x >> 60) % 7 + 1));
		want = strtod(buf, NULL);
		got = P(buf);
		ck_assert_msg(want == got, "'%s'", buf);
	}
}
END_TEST

/* Each way of num_parse_padded (lib/num_impl.h: the 8-byte SWAR one, the SSSE3 one when this CPU has it,
 * and the one the CPU chose) must agree with num_parse bit for bit, and in what it rejects, on every short
 * string over an alphabet of digits, points, signs, exponents and junk, followed by junk it must not read as
 * data. num_parse is itself checked against strtod above. */
typedef int (*parse_fn)(const char *, size_t, double *);

static int
parse_ways(parse_fn *ways)
{
	int n = 0;

	ways[n++] = num_parse_padded;
	ways[n++] = num_parse_swar;
#ifdef NUM_HAVE_SSSE3
	if (__builtin_cpu_supports("ssse3"))
		ways[n++] = num_parse_ssse3;
#endif
	return n;
}

/* num_avx2_pair (lib/num_impl.h) on two short decimals a and b (when this CPU has AVX2): it must take them, and give
 * num_parse's values, want_a and want_b. */
static void
check_pair(const char *a, size_t na, double want_a, const char *b, size_t nb, double want_b)
{
#ifdef NUM_HAVE_SSSE3
	double got[2];

	if (!__builtin_cpu_supports("avx2"))
		return;
	if (num_parse_avx2_pair(a, na, b, nb, got) != 0)
		ck_abort_msg("num_avx2_pair refused '%.*s', '%.*s'", (int)na, a, (int)nb, b);
	if (memcmp(&got[0], &want_a, sizeof want_a) != 0 || memcmp(&got[1], &want_b, sizeof want_b) != 0)
		ck_abort_msg("num_avx2_pair '%.*s', '%.*s': %.17g, %.17g; want %.17g, %.17g", (int)na, a, (int)nb, b,
		    got[0], got[1], want_a, want_b);
#else
	(void)a, (void)na, (void)want_a, (void)b, (void)nb, (void)want_b;
#endif
}

START_TEST(test_parse_padded_matches)
{
	static const char alphabet[] = "0123456789.-+eE \xff/:,";
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char buf[32];
	parse_fn ways[3];
	int nways = parse_ways(ways);

	for (int i = 0; i < 1000000; i++) {
		double want = -1;
		int len, rc_want;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len = (int)(x % 12);
		for (int j = 0; j < len + NUM_PAD; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* mostly digits and one point, so that many strings are numbers */
			buf[j] = x % 4 != 0 ? (char)('0' + (x >> 8) % 10) : alphabet[(x >> 8) % (sizeof alphabet - 1)];
		}
		if (x % 3 == 0 && len > 2)
			buf[(x >> 20) % (unsigned)len] = '.';
		if (x % 5 == 0 && len > 0)
			buf[0] = '-';
		rc_want = num_parse(buf, (size_t)len, &want);
		for (int w = 0; w < nways; w++) {
			double got = -2;
			int rc_got = ways[w](buf, (size_t)len, &got);

			if (rc_want != rc_got || (rc_want == 0 && memcmp(&want, &got, sizeof want) != 0))
				ck_abort_msg("way %d: '%.*s': rc %d, %.17g; want rc %d, %.17g", w, len, buf, rc_got, got,
				    rc_want, want);
		}
	}
	/* the pairs: whatever it takes must be num_parse's values (it refuses what is not a short decimal) */
#ifdef NUM_HAVE_SSSE3
	if (__builtin_cpu_supports("avx2")) {
		char a[32], b[32];

		for (int i = 0; i < 300000; i++) {
			double got[2], wa = -1, wb = -1;
			int la, lb;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			la = (int)(x % 12), lb = (int)((x >> 8) % 12);
			for (int j = 0; j < 32; j++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				a[j] = x % 4 != 0 ? (char)('0' + (x >> 8) % 10) : alphabet[(x >> 8) % (sizeof alphabet - 1)];
				b[j] = x % 5 != 0 ? (char)('0' + (x >> 16) % 10) : alphabet[(x >> 16) % (sizeof alphabet - 1)];
			}
			if (x % 3 == 0 && la > 2)
				a[(x >> 20) % (unsigned)la] = '.';
			if (x % 7 == 0 && lb > 2)
				b[(x >> 24) % (unsigned)lb] = '.';
			if (x % 5 == 0 && la > 0)
				a[0] = '-';
			if (num_parse_avx2_pair(a, (size_t)la, b, (size_t)lb, got) == 0 &&
			    (num_parse(a, (size_t)la, &wa) != 0 || num_parse(b, (size_t)lb, &wb) != 0 ||
			    memcmp(&got[0], &wa, sizeof wa) != 0 || memcmp(&got[1], &wb, sizeof wb) != 0))
				ck_abort_msg("num_avx2_pair '%.*s', '%.*s': %.17g, %.17g", la, a, lb, b, got[0], got[1]);
		}
	}
#endif
	/* the edges of the fast paths, written out: 8 digits with and without a point, 9 digits, two points,
	 * a point alone or first or last, signs, zeros (-0 keeps its sign) */
	static const char *const cases[] = { "0", "-0", "-0.000000", ".5", "5.", "-.5", ".", "-", "-.",
		"12345678", "99999999", "-99999999", "1234567.", ".1234567", "0.0000001", "123456789", "1.2.3",
		"1-2", "+5", "1e5", "00000000", "9.9999999", "-0.0084275", "1234.5678", ".12345678", "12345678.",
		"-99999999.", "123456789.", "1.23456789", "--1", "-+1", "1..2", "0.00000000" };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = strlen(cases[i]);
		double want = -1;

		memset(buf, '7', sizeof buf);
		memcpy(buf, cases[i], n);
		int rc = num_parse(buf, n, &want);

		for (int w = 0; w < nways; w++) {
			double got = -2;

			ck_assert_int_eq(rc, ways[w](buf, n, &got));
			ck_assert_msg(rc != 0 || memcmp(&want, &got, sizeof want) == 0, "way %d: '%s': got %.17g want %.17g",
			    w, cases[i], got, want);
		}
	}
}
END_TEST

/* Numbers of 1 to 8 digits with the point at every place (or none), with and without a sign, against
 * num_parse: the domain where the SSSE3 way reads up to 8 digits and a point. All of it would be 10^9
 * strings, too long for a unit test: the digit strings are a spread sample of 1 in ~1000 of the 10^8
 * (the last nd digits of each for the shorter lengths), each at every place of the point. */
START_TEST(test_parse_padded_every_place)
{
	parse_fn ways[3];
	int nways = parse_ways(ways);
	char buf[16 + NUM_PAD], prev[16 + NUM_PAD] = "0";
	size_t prevn = 1;
	double prevv = 0;

	for (uint32_t d = 0; d < 100000000; d += 1 + (d * 2654435761u >> 20) % 1993) {
		char digits[9];

		snprintf(digits, sizeof digits, "%08u", (unsigned)d);
		for (int nd = 1; nd <= 8; nd++) {
			for (int place = -1; place <= nd; place++) { /* -1: no point */
				size_t n = 0;
				double want = -1;

				if (d % 2 == 1)
					buf[n++] = '-';
				for (int j = 0; j < nd; j++) {
					if (j == place)
						buf[n++] = '.';
					buf[n++] = digits[8 - nd + j];
				}
				if (place == nd)
					buf[n++] = '.';
				memset(buf + n, ',', sizeof buf - n);
				/* no ck_assert per string: Check records each one (a write to its log) */
				if (num_parse(buf, n, &want) != 0)
					ck_abort_msg("num_parse refused '%.*s'", (int)n, buf);
				check_pair(prev, prevn, prevv, buf, n, want);
				memcpy(prev, buf, sizeof buf);
				prevn = n;
				prevv = want;
				for (int w = 0; w < nways; w++) {
					double got = -2;

					if (ways[w](buf, n, &got) != 0 || memcmp(&want, &got, sizeof want) != 0)
						ck_abort_msg("way %d: '%.*s': got %.17g want %.17g", w, (int)n, buf, got, want);
				}
			}
		}
	}
}
END_TEST

START_TEST(test_parse_errors)
{
	static const char *const bad[] = { "", "-", "+", ".", "1.2.3", "abc", "1e", "1e+", "nan", "inf", "0x10",
		"1,5", " 1", "1 ", "--1", "1e5x" };
	double v;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(num_parse(bad[i], strlen(bad[i]), &v) == -1, "accepted '%s'", bad[i]);
}
END_TEST

START_TEST(test_parse_i64)
{
	long long v;

	ck_assert_int_eq(num_parse_i64("123", 3, &v), 0);
	ck_assert_int_eq(v, 123);
	ck_assert_int_eq(num_parse_i64("-9223372036854775808", 20, &v), 0);
	ck_assert(v == INT64_MIN);
	ck_assert_int_eq(num_parse_i64("9223372036854775808", 19, &v), -1);
	ck_assert_int_eq(num_parse_i64("12a", 3, &v), -1);
	ck_assert_int_eq(num_parse_i64("", 0, &v), -1);
	ck_assert_int_eq(num_parse_i64("1.0", 3, &v), -1);
}
END_TEST

START_TEST(test_fmt_shortest)
{
	static const struct { double v; const char *s; } cases[] = {
		{ 101.2, "101.2" }, { 0.1, "0.1" }, { 0.3, "0.3" }, { 0.1 + 0.2, "0.30000000000000004" },
		{ 12, "12" }, { -0.0, "0" }, { 1e-7, "1e-07" }, { 123456.789, "123456.789" }, { -2.5, "-2.5" },
		{ 1.0 / 3, "0.3333333333333333" }, { 5e-324, "5e-324" }, { 2.5e-320, "2.5e-320" }, { 0.07, "0.07" }, { 1234.5678, "1234.5678" }, { 1e21, "1e+21" }, { 1.05556e104, "1.05556e+104" }, { -3e300, "-3e+300" },
	};
	char buf[NUM_FMT_MAX];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		num_fmt(cases[i].v, buf);
		ck_assert_str_eq(buf, cases[i].s);
	}
	num_fmt(NAN, buf);
	ck_assert_str_eq(buf, "nan");
}
END_TEST

START_TEST(test_fmt_round_trip)
{
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	char buf[NUM_FMT_MAX];

	for (int i = 0; i < 200000; i++) {
		double v, back;
		uint64_t bits;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		bits = x;
		memcpy(&v, &bits, sizeof v);
		if (!isfinite(v))
			continue;
		num_fmt(v, buf);
		ck_assert_int_eq(num_parse(buf, strlen(buf), &back), 0);
		ck_assert_msg(memcmp(&v, &back, sizeof v) == 0 || (v == 0 && back == 0), "%s", buf);
	}
}
END_TEST

/* The integer fast path prints exactly what the printf search prints, on price- and return-like values. */
static int
fmt_by_printf(double v, char *buf)
{
	int len = 0;

	for (int prec = 1; prec <= 17; prec++) {
		len = snprintf(buf, NUM_FMT_MAX, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return len;
}

START_TEST(test_fmt_fast_path_matches_printf)
{
	uint64_t x = 0x2545F4914F6CDD1DULL;
	char fast[NUM_FMT_MAX], slow[NUM_FMT_MAX];

	for (int i = 0; i < 300000; i++) {
		double v;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		switch (i % 3) {
		case 0: /* a price with 0 to 6 decimals */
			v = (double)(x % 100000000) / pow(10, (double)((x >> 40) % 7));
			break;
		case 1: /* a daily return */
			v = ((double)(x % 2000001) - 1000000) / 1e6 * pow(10, -(double)((x >> 40) % 3));
			break;
		default: /* anything in the fast path's range and around it */
			v = ((double)(x >> 11) / 9007199254740992.0) * pow(10, (double)((int)((x >> 3) % 16) - 6));
		}
		if (v == (double)(long long)v)
			continue;
		num_fmt(v, fast);
		fmt_by_printf(v, slow);
		ck_assert_msg(strcmp(fast, slow) == 0, "%.17g: fast '%s', printf '%s'", v, fast, slow);
	}
}
END_TEST

/* num_fmt against num_fmt_printf, the printf search it replaced: the same bytes for every double tried
 * (which is also the old num_fmt's output: its integer and fixed-point paths print what printf does,
 * except that -0 prints "0"). Sanitized builds run a tenth of the random counts. */
#if defined(__SANITIZE_ADDRESS__)
#define FMT_SCALE 10
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FMT_SCALE 10
#endif
#endif
#ifndef FMT_SCALE
#define FMT_SCALE 1
#endif

static uint64_t fmt_rng = 0x853C49E6748FEA9BULL;

static uint64_t
fmt_next(void)
{
	fmt_rng ^= fmt_rng << 13, fmt_rng ^= fmt_rng >> 7, fmt_rng ^= fmt_rng << 17;
	return fmt_rng;
}

static void
fmt_same(double v)
{
	char got[NUM_FMT_MAX], want[NUM_FMT_MAX];
	int n_got, n_want;

	if (!isfinite(v))
		return;
	n_got = num_fmt(v, got);
	n_want = v == 0 ? (int)(strcpy(want, "0"), 1) : num_fmt_printf(v, want);
	if (n_got != n_want || strcmp(got, want) != 0)
		ck_abort_msg("%a (%.17g): num_fmt '%s' (%d), printf search '%s' (%d)", v, v, got, n_got, want,
		    n_want);
}

/* v and its two neighbours on each side */
static void
fmt_same_around(double v)
{
	double lo = v, hi = v;

	fmt_same(v);
	fmt_same(-v);
	for (int i = 0; i < 2; i++) {
		lo = nextafter(lo, -INFINITY), hi = nextafter(hi, INFINITY);
		fmt_same(lo);
		fmt_same(hi);
	}
}

START_TEST(test_fmt_random_bits)
{
	for (int i = 0; i < 2000000 / FMT_SCALE; i++) {
		uint64_t bits = fmt_next();
		double v;

		if (i % 64 == 0)
			bits &= ~(UINT64_C(0x7ff) << 52); /* a subnormal */
		memcpy(&v, &bits, sizeof v);
		fmt_same(v);
	}
}
END_TEST

START_TEST(test_fmt_returns_weights)
{
	for (int i = 0; i < 1000000 / FMT_SCALE; i++) {
		uint64_t x = fmt_next();
		double a = (double)(x % 100000 + 1) / 100, b = (double)((x >> 20) % 100000 + 1) / 100;
		double sum = 0, w = 0;

		switch (i % 4) {
		case 0: /* a close-to-close return of 2-decimal prices */
			fmt_same(a / b - 1);
			break;
		case 1: /* a return of near prices */
			fmt_same(a / (a + (double)((int)((x >> 50) % 21) - 10) / 100) - 1);
			break;
		case 2: /* an equal weight, or an (x / k)-scaled one */
			fmt_same((x >> 63 ? a : 1.0) / (double)(x % 5000 + 1));
			break;
		default: /* a weight normalized by the sum of up to 8 */
			for (int j = (int)(x >> 40) % 8; j >= 0; j--)
				sum += w = (double)(fmt_next() % 1000000 + 1) / 1000;
			fmt_same(w / sum);
		}
	}
}
END_TEST

START_TEST(test_fmt_edges)
{
	static const double at[] = { 1e-4, 1e-5, 1e9, 1e15, 1e16, 1e17, 1e21, 1e22, 1e23, DBL_MIN, DBL_TRUE_MIN,
		DBL_MAX, 9007199254740992.0, 0.1, 0.3, 1.0 / 3, 2.0 / 3, 5e-324, 1.7976931348623157e308 };
	double p;

	for (int e = -1074; e <= 1023; e++) /* every power of two */
		fmt_same_around(ldexp(1, e));
	for (int e = -323; e <= 308; e++) { /* every power of ten, as strtod reads it */
		char s[16];

		snprintf(s, sizeof s, "1e%d", e);
		fmt_same_around(strtod(s, NULL));
	}
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		p = at[i];
		for (int j = 0; j < 64; j++) /* a few ulps each way */
			fmt_same_around(p), p = nextafter(p, INFINITY);
		p = at[i];
		for (int j = 0; j < 64; j++)
			fmt_same_around(p), p = nextafter(p, 0);
	}
	for (int64_t n = -3000; n <= 3000; n++) { /* integers around 2^53, and at 1e15..1e17 */
		fmt_same((double)((INT64_C(1) << 53) + n));
		fmt_same((double)((INT64_C(1) << 54) + 2 * n));
		fmt_same(1e15 + (double)n);
		fmt_same(1e16 + 2 * (double)n);
		fmt_same(1e17 + 16 * (double)n);
	}
	for (int i = 0; i < 200000 / FMT_SCALE; i++) { /* random integers, and a few halves, quarters, ... */
		uint64_t x = fmt_next();

		fmt_same((double)(x % 10000000000000000000ULL + 1000000000000000ULL));
		fmt_same((double)(x >> (x % 12)));
		fmt_same((double)(int64_t)(x % 1000000000000000ULL) / (double)(1 << (x >> 60)) - 5e14); /* below 1e15 */
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("num");
	TCase *core = tcase_create("Core"), *errors = tcase_create("Errors"), *limits = tcase_create("Limits");
	SRunner *sr;
	int failed;

	tcase_add_test(core, test_parse_exact);
	tcase_add_test(core, test_parse_i64);
	tcase_add_test(core, test_fmt_shortest);
	tcase_add_test(errors, test_parse_errors);
	tcase_add_test(limits, test_parse_random_decimals);
	tcase_add_test(limits, test_parse_padded_matches);
	tcase_add_test(limits, test_parse_padded_every_place);
	tcase_add_test(limits, test_fmt_round_trip);
	tcase_add_test(limits, test_fmt_fast_path_matches_printf);
	tcase_add_test(limits, test_fmt_random_bits);
	tcase_add_test(limits, test_fmt_returns_weights);
	tcase_add_test(limits, test_fmt_edges);
	tcase_set_timeout(limits, 60);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	suite_add_tcase(s, limits);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
