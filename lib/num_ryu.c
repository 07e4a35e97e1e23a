/* num_ryu: the shortest round-trip digits of a double, by Ulf Adams's method: "Ryu: fast float-to-string
 * conversion", PLDI 2018 (https://doi.org/10.1145/3192366.3192369). Written here from the paper; the
 * comments give the reasoning num_fmt relies on.
 *
 * v = m2 * 2^e2 lies in a rounding interval [mm, mp] * 2^e2 (mm = 4*m2 - 1 or - 2, mp = 4*m2 + 2 after
 * scaling by 4; its ends belong to it when m2 is even, as strtod rounds ties to even). Multiplying the
 * three by 10^-q with one 64x128-bit product each gives vm, vr, vp = floor(x * 2^e2 * 10^-q) exactly (the
 * paper proves 125-bit multipliers enough for all 55-bit x). Then decimal digits are dropped while vm and
 * vp still differ above the dropped digit: what is left is the shortest, and vr, rounded on the last
 * dropped digit, is the one nearest v. Exactness flags say when the dropped digits are exact zeros (for a
 * tie, round half to even; for a bound that is itself representable). */
#include <pthread.h>
#include <stdint.h>

#include "num_impl.h"

#define MANT_BITS 52
#define BIAS 1023
#define MUL_BITS 125  /* bits of each multiplier: the paper's bound for doubles */
#define INV_N 292     /* q <= log10(2^969) - 1 = 290: e2 = 2046 - 1023 - 54 at most */
#define POW_N 326     /* i = -e2 - q <= 1076 - 751 = 325 */
#define LIMBS 14      /* 64-bit limbs: 5^325 < 2^755, doubled < 2^757 */

/* [0] low 64 bits, [1] high. inv5[q] = floor(2^(L(q) - 1 + 125) / 5^q) + 1 and pow5[i] = the top 125 bits
 * of 5^i (floor), L(n) being the bit length of 5^n. */
static uint64_t inv5[INV_N][2], pow5[POW_N][2];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* The tables are made, exactly, with big-integer arithmetic at first use rather than pasted in as 600
 * magic numbers: nothing to regenerate or to get out of step, and it takes well under a millisecond
 * (one exact 5^n by repeated multiplication, one 125-step long division for each inverse). Every entry is
 * used by some binary exponent, and the unit test formats doubles of every exponent against printf. */
static int
big_bitlen(const uint64_t *a)
{
	for (int i = LIMBS - 1; i >= 0; i--)
		if (a[i] != 0)
			return 64 * i + 64 - __builtin_clzll(a[i]);
	return 0;
}

static int
big_bit(const uint64_t *a, int b)
{
	return b >= 0 && (int)(a[b / 64] >> (b % 64) & 1);
}

static int
big_ge(const uint64_t *a, const uint64_t *b)
{
	for (int i = LIMBS - 1; i >= 0; i--)
		if (a[i] != b[i])
			return a[i] > b[i];
	return 1;
}

static void
make_tables(void)
{
	uint64_t p[LIMBS] = { 1 }; /* 5^n */

	for (int n = 0; n < POW_N || n < INV_N; n++) {
		int len = big_bitlen(p);
		unsigned __int128 top = 0;

		if (n > 0) {
			unsigned __int128 carry = 0;

			for (int i = 0; i < LIMBS; i++) {
				carry += (unsigned __int128)p[i] * 5;
				p[i] = (uint64_t)carry;
				carry >>= 64;
			}
			len = big_bitlen(p);
		}
		if (n < POW_N) {
			for (int b = len - 1; b >= len - MUL_BITS; b--)
				top = top << 1 | (unsigned)big_bit(p, b);
			pow5[n][0] = (uint64_t)top, pow5[n][1] = (uint64_t)(top >> 64);
		}
		if (n < INV_N) {
			/* 2^(len - 1 + 125) / 5^n: the remainder starts at 2^(len - 1) < 5^n (quotient 0 so far),
			 * then 125 more bits of the dividend, all zero, come down one at a time. */
			uint64_t r[LIMBS] = { 0 };
			unsigned __int128 q = 0;

			if (n == 0) {
				q = (unsigned __int128)1 << MUL_BITS;
			} else {
				r[(len - 1) / 64] = UINT64_C(1) << ((len - 1) % 64);
				for (int s = 0; s < MUL_BITS; s++) {
					for (int i = LIMBS - 1; i > 0; i--)
						r[i] = r[i] << 1 | r[i - 1] >> 63;
					r[0] <<= 1;
					q <<= 1;
					if (big_ge(r, p)) {
						uint64_t borrow = 0;

						for (int i = 0; i < LIMBS; i++) {
							uint64_t d = r[i] - p[i] - borrow;

							borrow = r[i] < p[i] || (r[i] == p[i] && borrow);
							r[i] = d;
						}
						q |= 1;
					}
				}
			}
			q += 1;
			inv5[n][0] = (uint64_t)q, inv5[n][1] = (uint64_t)(q >> 64);
		}
	}
}

/* floor(m * mul / 2^j) for m < 2^55, mul < 2^126, j >= 64: the low 64 bits of m * mul[0] cannot reach
 * bit j. */
static uint64_t
mul_shift(uint64_t m, const uint64_t *mul, int j)
{
	unsigned __int128 lo = (unsigned __int128)m * mul[0], hi = (unsigned __int128)m * mul[1];

	return (uint64_t)(((lo >> 64) + hi) >> (j - 64));
}

/* Bit length of 5^e (ceil(log2 5^e), 1 for e = 0), floor(log10 2^e), floor(log10 5^e), for the exponents
 * a double has (fixed-point approximations of the logarithms, exact over those ranges). */
static int pow5_bits(int e) { return (int)(((unsigned)e * 1217359u) >> 19) + 1; }
static int log10_pow2(int e) { return (int)(((unsigned)e * 78913u) >> 18); }
static int log10_pow5(int e) { return (int)(((unsigned)e * 732923u) >> 20); }

/* x * 2^e2 * 10^-q is an integer: for e2 >= 0 when 5^q divides x (2^e2 covers 2^q, as e2 >= q); for
 * e2 < 0 when 2^q divides x (5^-e2 covers 5^q, as -e2 > q). */
static int
div_pow5(uint64_t x, int q)
{
	for (; q > 0; q--, x /= 5)
		if (x % 5 != 0)
			return 0;
	return 1;
}

static int
div_pow2(uint64_t x, int q)
{
	return q < 64 && (x & ((UINT64_C(1) << q) - 1)) == 0;
}

/* Drop the last digits of vr, vp, vm, p being 10^(their count), when vp and vm still differ above them;
 * *up says whether the dropped digits of vr were at least half of p. */
static inline int
drop(uint64_t *vr, uint64_t *vp, uint64_t *vm, uint64_t p, int *up)
{
	if (*vp / p <= *vm / p)
		return 0;
	*up = *vr % p >= p / 2;
	*vr /= p, *vp /= p, *vm /= p;
	return 1;
}

void
num_ryu(uint64_t mant, unsigned bexp, int pg, uint64_t *digits, int *exp10)
{
	uint64_t m2 = bexp == 0 ? mant : (UINT64_C(1) << MANT_BITS) | mant;
	int e2 = (bexp == 0 ? 1 : (int)bexp) - BIAS - MANT_BITS - 2;
	int even = (m2 & 1) == 0, q, e10, removed = 0, last = 0, vm_exact, vr_exact, vp_exact;
	/* Below a power of two (not the smallest normal) the spacing of doubles halves. */
	uint64_t mv = 4 * m2, mp = mv + 2, mm = mv - 1 - (mant != 0 || bexp <= 1);
	uint64_t vr, vp, vm;

	pthread_once(&tables_once, make_tables);
	if (e2 >= 0) {
		q = log10_pow2(e2) - (e2 > 3); /* one digit more than v has, for rounding */
		int j = -e2 + q + MUL_BITS + pow5_bits(q) - 1;

		e10 = q;
		vr = mul_shift(mv, inv5[q], j);
		vp = mul_shift(mp, inv5[q], j);
		vm = mul_shift(mm, inv5[q], j);
		vr_exact = div_pow5(mv, q), vm_exact = div_pow5(mm, q), vp_exact = div_pow5(mp, q);
		if (pg) { /* only one of the three is a multiple of 5, and d2s.c looks up to 10^21 */
			vr_exact = q <= 21 && mv % 5 == 0 && vr_exact;
			vp_exact = q <= 21 && mv % 5 != 0 && vp_exact;
		}
	} else {
		q = log10_pow5(-e2) - (-e2 > 1);
		int i = -e2 - q, j = q - (pow5_bits(i) - MUL_BITS);

		e10 = q + e2;
		vr = mul_shift(mv, pow5[i], j);
		vp = mul_shift(mp, pow5[i], j);
		vm = mul_shift(mm, pow5[i], j);
		vr_exact = div_pow2(mv, q), vm_exact = div_pow2(mm, q), vp_exact = div_pow2(mp, q);
		if (pg) /* d2s.c takes 2^(q-1) for 2^q */
			vr_exact = q <= 1 || (q < 63 && div_pow2(mv, q - 1));
	}
	if (pg)
		even = 0; /* d2s.c leaves the bounds out, even when a tie would read back to v */
	/* An exact upper bound that does not read back is left out; an exact lower one that does is kept
	 * (vm_exact then tracks whether vm is still that bound exactly). */
	vp -= vp_exact && !even;
	vm_exact = vm_exact && even;
	if (!vm_exact && !vr_exact) {
		/* The common case: v is no tie and vm is out, so vr rounds up iff the dropped digits are at
		 * least half a unit. The count to drop is the largest k with vp / 10^k > vm / 10^k, and that
		 * holds for every smaller k, so it can be found 8, 4, 2, 1 digits at a time. */
		int up = 0;

		while (drop(&vr, &vp, &vm, 100000000, &up))
			removed += 8;
		removed += 4 * drop(&vr, &vp, &vm, 10000, &up);
		removed += 2 * drop(&vr, &vp, &vm, 100, &up);
		removed += drop(&vr, &vp, &vm, 10, &up);
		*digits = vr + (vr == vm || up);
		*exp10 = e10 + removed;
		return;
	}
	while (vp / 10 > vm / 10) {
		vm_exact = vm_exact && vm % 10 == 0;
		vr_exact = vr_exact && last == 0;
		last = (int)(vr % 10);
		vr /= 10, vp /= 10, vm /= 10;
		removed++;
	}
	if (vm_exact) /* the lower bound itself, with zeros to drop */
		while (vm % 10 == 0) {
			vr_exact = vr_exact && last == 0;
			last = (int)(vr % 10);
			vr /= 10, vp /= 10, vm /= 10;
			removed++;
		}
	if (vr_exact && last == 5 && vr % 2 == 0)
		last = 4; /* exactly half way: to even */
	/* vr itself is out when it is vm and vm is not a bound that reads back. */
	*digits = vr + ((vr == vm && !vm_exact) || last >= 5);
	*exp10 = e10 + removed;
}
