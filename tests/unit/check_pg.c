/* Unit tests for lib/pg's float8 text (pg_float8_text) and lib/num's num_fmt_pg, which let wrds-pull's
 * CIZ prices leave their numeric columns uncast. The expectations come from PostgreSQL itself: the
 * table below is what a PostgreSQL 15 server printed for SELECT x::float8 with extra_float_digits = 1
 * (float8in is strtod, float8out Ryu's shortest digits); tests/tools/wrds-pull.sh compares a pull of
 * thousands of generated values with the server's own casts. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "num.h"
#include "pg.h"

/* text given to the server (as text or numeric), and what it printed for text::float8 */
static const struct {
	const char *in, *out;
} server[] = {
	{ "1e15", "1e+15" },
	{ "123456789012345", "123456789012345" },
	{ "1234567890123456", "1.234567890123456e+15" },
	{ "0.0001", "0.0001" },
	{ "0.00001", "1e-05" },
	{ "0.00012", "0.00012" },
	{ "1.5e-7", "1.5e-07" },
	{ "4.9406564584124654e-324", "5e-324" },
	{ "1.7976931348623157e308", "1.7976931348623157e+308" },
	{ "0.30000000000000004", "0.30000000000000004" },
	{ "1e22", "1e+22" },
	{ "1e23", "9.999999999999999e+22" }, /* Ryu's digits, though 1e+23 would read back too */
	{ "7.1202363472230444e-307", "7.120236347223045e-307" }, /* 2^-1017: a power of two */
	{ "-0", "-0" },
	{ "NaN", "NaN" },
	{ "-Infinity", "-Infinity" },
	{ "100", "100" },
	{ "12.3400", "12.34" },
	{ "9007199254740993", "9.007199254740992e+15" },
	{ "0.1", "0.1" },
	{ "2.2250738585072014e-308", "2.2250738585072014e-308" },
	{ "123456789012345.6", "123456789012345.6" },
	{ "99999999999999.99", "99999999999999.98" },
	{ "-0.00049999999999999999", "-0.0005" },
};

START_TEST(test_server_table)
{
	char buf[NUM_FMT_MAX + 64], err[256];
	size_t len;

	for (size_t i = 0; i < sizeof server / sizeof server[0]; i++) {
		double v = strtod(server[i].in, NULL);
		int n = num_fmt_pg(v, buf);

		ck_assert_msg(n == (int)strlen(server[i].out) && strcmp(buf, server[i].out) == 0,
		    "num_fmt_pg(%s) = %s, the server printed %s", server[i].in, buf, server[i].out);
		/* pg_float8_text passes float8out's own forms (1e+15, NaN) and rewrites numeric_out's */
		ck_assert_int_eq(pg_float8_text(server[i].in, strlen(server[i].in), buf, &len, err, sizeof err), 0);
		buf[len] = '\0';
		if (strchr(server[i].in, 'e') == NULL && strchr(server[i].in, 'N') == NULL &&
		    strchr(server[i].in, 'I') == NULL)
			ck_assert_str_eq(buf, server[i].out);
		else
			ck_assert_str_eq(buf, server[i].in);
	}
}
END_TEST

/* What the server would print: float8in (strtod) then float8out (num_fmt_pg). */
static void
reference(const char *s, char *out)
{
	num_fmt_pg(strtod(s, NULL), out);
}

static void
check_one(const char *s)
{
	char got[512], want[NUM_FMT_MAX], err[256];
	size_t len;

	ck_assert_int_eq(pg_float8_text(s, strlen(s), got, &len, err, sizeof err), 0);
	got[len] = '\0';
	reference(s, want);
	ck_assert_msg(strcmp(got, want) == 0, "pg_float8_text(%s) = %s, strtod + float8out gives %s", s, got, want);
}

/* The fast path (trailing zeros dropped from a decimal of at most 15 significant digits, exponent -4..14)
 * against parse + format on every shape numeric_out prints: prices of numeric(12,4) ("12.3400"),
 * returns of 1 to 20 decimals, integers, values at the 15-digit and exponent edges. */
START_TEST(test_fast_path_equals_parse_and_format)
{
	char s[128];
	unsigned long long seed = 88172645463325252ULL;

	for (int i = 0; i < 2000000; i++) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		int ndec = (int)(seed % 21), nint = (int)(seed >> 8) % 18, neg = (seed >> 16 & 3) == 0;
		int zeros = (int)(seed >> 20) % 8; /* leading zeros of a fraction below 1 */
		char *p = s;
		unsigned long long r = seed;

		if (neg)
			*p++ = '-';
		if (nint == 0 || (seed >> 24 & 1)) {
			*p++ = '0';
		} else {
			*p++ = (char)('1' + r % 9);
			for (int k = 1; k < nint; k++, r /= 7)
				*p++ = (char)('0' + (r ^ (unsigned long long)k * 2654435761u) % 10);
		}
		if (ndec > 0) {
			*p++ = '.';
			for (int k = 0; k < ndec; k++) {
				r = r * 6364136223846793005ULL + 1442695040888963407ULL;
				*p++ = s[neg] == '0' && k < zeros ? '0' : (char)('0' + (r >> 33) % 10);
			}
			if (seed >> 28 & 1) /* numeric(12,4)-style padding */
				for (int k = 0; k < (int)(seed >> 29) % 5; k++)
					*p++ = '0';
		}
		*p = '\0';
		check_one(s);
	}
	/* the edges, one by one */
	static const char *const edges[] = { "0", "-0", "0.0000", "0.0001", "0.00010", "0.00009", "0.000099999",
		"99999999999999.9", "999999999999999", "999999999999999.0", "9999999999999999", "100000000000000",
		"1000000000000000", "0.123456789012345", "0.1234567890123456", "0.000123456789012345",
		"0.0001234567890123456", "1.00000000000000000001", "12345678.1234", "10", "1000.000", "5.5",
		"000.5", "00", "-00012.50", "0.30000000000000001", "1.0000000000000001", "123456789012345.01" };
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
		check_one(edges[i]);
}
END_TEST

START_TEST(test_not_numbers_pass_and_range)
{
	char buf[2048], err[256], big[600];
	size_t len;
	static const char *const pass[] = { "NaN", "Infinity", "-Infinity", "1e-05", "1.5e+20", "", "-", "12.",
		".5", "open", "1,5" };

	for (size_t i = 0; i < sizeof pass / sizeof pass[0]; i++) {
		ck_assert_int_eq(pg_float8_text(pass[i], strlen(pass[i]), buf, &len, err, sizeof err), 0);
		ck_assert_uint_eq(len, strlen(pass[i]));
		ck_assert(memcmp(buf, pass[i], len) == 0);
	}
	/* float8in refuses what overflows or underflows to zero (the server: "is out of range for type
	 * double precision"), and takes a denormal */
	memset(big, '0', sizeof big);
	big[0] = '1';
	big[400] = '\0';
	ck_assert_int_eq(pg_float8_text(big, 400, buf, &len, err, sizeof err), EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(err, "is out of range for type double precision"));
	memcpy(big, "0.", 2);
	big[400] = big[401] = '0';
	big[402] = '1';
	big[403] = '\0';
	ck_assert_int_eq(pg_float8_text(big, 403, buf, &len, err, sizeof err), EX_DATAERR);
	big[324] = '5';
	big[325] = '\0'; /* 5e-323, as the server printed for ('0.' || repeat('0', 322) || '5')::numeric::float8 */
	ck_assert_int_eq(pg_float8_text(big, 325, buf, &len, err, sizeof err), 0);
	buf[len] = '\0';
	ck_assert_str_eq(buf, "5e-323");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("pg");
	TCase *core = tcase_create("Core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(core, 120);
	tcase_add_test(core, test_server_table);
	tcase_add_test(core, test_fast_path_equals_parse_and_format);
	tcase_add_test(core, test_not_numbers_pass_and_range);
	suite_add_tcase(s, core);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
