/* num_impl: what num.c and num_ryu.c share; not for tools. */
#ifndef STI_NUM_IMPL_H
#define STI_NUM_IMPL_H

#include <stdint.h>

/* The shortest decimal digits*10^exp10 that reads back (round to nearest, ties to even) to the finite,
 * nonzero double whose IEEE fields are mant (52 bits) and bexp (11 bits, not 0x7ff); among the shortest,
 * the one nearest the exact value (ties: even last digit). digits has no trailing zeros. */
void num_ryu(uint64_t mant, unsigned bexp, uint64_t *digits, int *exp10);

#endif
