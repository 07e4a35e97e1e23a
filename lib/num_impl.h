/* num_impl: what num.c and num_ryu.c share; not for tools. */
#ifndef STI_NUM_IMPL_H
#define STI_NUM_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* num_parse_padded's two ways: 8 bytes at a time in general registers (any CPU), 16 at a time with SSSE3
 * (x86-64 CPUs since 2006; chosen at run time). Both give num_parse's result; the tests run each. */
#if defined(__x86_64__) && defined(__GNUC__)
#define NUM_HAVE_SSSE3 1
#include <immintrin.h>
int num_parse_ssse3(const char *s, size_t n, double *out);
#endif
int num_parse_swar(const char *s, size_t n, double *out);

/* The shortest decimal digits*10^exp10 that reads back (round to nearest, ties to even) to the finite,
 * nonzero double whose IEEE fields are mant (52 bits) and bexp (11 bits, not 0x7ff); among the shortest,
 * the one nearest the exact value (ties: even last digit). digits has no trailing zeros. pg: the digits of
 * PostgreSQL's copy of Ryu (src/common/d2s.c, built without STRICTLY_SHORTEST) instead, which never takes
 * an interval's bound even when strtod would round it to v (1e23 prints as 9.999999999999999e+22, not
 * 1e+23), looks for exact ties only up to 10^21 for large doubles, and counts 2^(q-1) as 2^q for small
 * ones. */
void num_ryu(uint64_t mant, unsigned bexp, int pg, uint64_t *digits, int *exp10);

#endif
