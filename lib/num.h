/* num: exact decimal parsing and shortest round-trip formatting of doubles.
 *
 * Prices are read and written many millions of times, and must come back bit-identical: num_parse is exact
 * (a Clinger fast path for ordinary decimals, strtod for the rest), num_fmt prints the fewest significant
 * digits that read back to the same double (never %.17g noise such as 0.10000000000000001). */
#ifndef STI_NUM_H
#define STI_NUM_H

#include <stddef.h>

#define NUM_FMT_MAX 32 /* enough for any double, with sign, exponent and NUL */

/* Parse s[0..n) as a decimal number ("-12.5", "1e-3", ".5", "+3"); the whole range must be the number.
 * Returns 0 and sets *out, or -1 (empty, junk, nan/inf words, hex). Exact: equals strtod's result. */
int num_parse(const char *s, size_t n, double *out);

/* num_parse, faster on short decimals; s[0..n+NUM_PAD) must be readable (the bytes past n are not part of
 * the number and may be anything): the CSV reader pads its buffer for it. */
#define NUM_PAD 16
int num_parse_padded(const char *s, size_t n, double *out);

/* Parse s[0..n) as a signed 64-bit integer. Returns 0, or -1 on junk or overflow. */
int num_parse_i64(const char *s, size_t n, long long *out);

/* Write the shortest decimal that reads back as v into buf (NUM_FMT_MAX bytes); integers print without
 * a decimal point ("12"), NaN and infinities as "nan", "inf", "-inf". Returns the length. */
int num_fmt(double v, char *buf);

/* What PostgreSQL's float8out prints for v when extra_float_digits > 0 (the default since PostgreSQL 12,
 * and wrds-pull's session): the shortest digits that read back, the nearest to v among them (Ryu, as
 * PostgreSQL's own d2s.c), in fixed notation when the decimal exponent of the first digit is from -4 to
 * 14, else as d.ddde+XX (two exponent digits at least); "NaN", "Infinity", "-Infinity", "-0". Unlike
 * num_fmt, 1e15 prints as "1e+15" and powers of two take Ryu's digits. Returns the length. */
int num_fmt_pg(double v, char *buf);

/* The reference num_fmt is tested against, and its fallback for powers of two: the least precision p
 * (from 15, or from 1 for subnormals) at which snprintf's %.{p}g reads back to v through strtod. Slow
 * (printf's exact arithmetic, up to 3 times, 17 for subnormals). For finite v, num_fmt prints the same
 * bytes, except that -0 prints as "0"; num_fmt was this search until it had its own shortest digits. */
int num_fmt_printf(double v, char *buf);

#endif
