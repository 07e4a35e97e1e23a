/* num_fmt [N]: nanoseconds per value of num_fmt and of num_fmt_printf (the printf search num_fmt used to
 * end with) on N values (default 1,000,000) of three kinds: daily returns computed from two 2-decimal
 * prices (a / b - 1, 16-17 significant digits), 2-decimal prices, and integers; best of 5 passes each.
 * Prints a checksum of the bytes so that no call can be skipped; bench/num-fmt.sh runs it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "num.h"

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t
next(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* significant digits in num_fmt's output */
static int
sig_digits(const char *s)
{
	int n = 0;

	for (; *s == '-' || *s == '0' || *s == '.'; s++)
		;
	for (; *s != '\0' && *s != 'e'; s++)
		n += *s != '.';
	return n;
}

/* best ns per value of fmt over v[0..n), adding the output's bytes to *sum */
static double
time_fmt(int (*fmt)(double, char *), const double *v, size_t n, unsigned long *sum)
{
	char buf[NUM_FMT_MAX];
	double best = 1e300;

	for (int pass = 0; pass < 5; pass++) {
		double t = now();
		unsigned long s = 0;

		for (size_t i = 0; i < n; i++)
			s += (unsigned long)fmt(v[i], buf) + (unsigned char)buf[0];
		t = now() - t;
		if (t < best)
			best = t;
		*sum += s;
	}
	return best / (double)n * 1e9;
}

int
main(int argc, char *argv[])
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	double *v = malloc(n * sizeof *v);
	static const char *const kind[] = { "computed returns", "2-decimal prices", "integers" };
	unsigned long sum = 0;
	size_t long_digits = 0;

	if (v == NULL || n == 0)
		return 1;
	for (int k = 0; k < 3; k++) {
		double t_new, t_old;

		for (size_t i = 0; i < n; i++) {
			uint64_t x = next();
			double p = (double)(x % 100000 + 100) / 100; /* 1.00 .. 1000.99 */

			if (k == 0) { /* yesterday's close p, today's within +-5 %, in cents */
				double q = (double)(long long)(p * (0.95 + (double)(x >> 32 & 0xffff) / 655360) * 100) / 100;

				v[i] = q / p - 1;
			} else
				v[i] = k == 1 ? p : (double)(x >> 40);
		}
		if (k == 0) {
			char buf[NUM_FMT_MAX];

			for (size_t i = 0; i < n; i++) {
				num_fmt(v[i], buf);
				long_digits += sig_digits(buf) >= 16;
			}
		}
		t_new = time_fmt(num_fmt, v, n, &sum);
		t_old = time_fmt(num_fmt_printf, v, n, &sum);
		printf("BENCH num-fmt: %s: num_fmt %.1f ns/value, printf search %.1f ns/value (%.1fx)\n", kind[k], t_new,
		    t_old, t_old / t_new);
	}
	printf("num_fmt: %zu values a kind, %.0f%% of the returns print 16-17 digits, checksum %lu\n", n,
	    100.0 * (double)long_digits / (double)n, sum);
	free(v);
	return 0;
}
