/* num_impl: what num.c and num_ryu.c share; not for tools. */
#ifndef STI_NUM_IMPL_H
#define STI_NUM_IMPL_H

#include <stdint.h>

/* The shortest decimal digits*10^exp10 that reads back (round to nearest, ties to even) to the finite,
 * nonzero double whose IEEE fields are mant (52 bits) and bexp (11 bits, not 0x7ff); among the shortest,
 * the one nearest the exact value (ties: even last digit). digits has no trailing zeros. pg: the digits of
 * PostgreSQL's copy of Ryu (src/common/d2s.c, built without STRICTLY_SHORTEST) instead, which never takes
 * an interval's bound even when strtod would round it to v (1e23 prints as 9.999999999999999e+22, not
 * 1e+23), looks for exact ties only up to 10^21 for large doubles, and counts 2^(q-1) as 2^q for small
 * ones. */
void num_ryu(uint64_t mant, unsigned bexp, int pg, uint64_t *digits, int *exp10);

#endif
