/* book: a simulated portfolio of weights and the arithmetic of backtest.h's rules on it: a day's return
 * and drift, the drops of what ended, a rebalance's turnover and cost, the net return and wealth.
 *
 * One module for both engines: lib/backtest (the streaming `backtest`) and lib/grid (`backtest --grid`)
 * run these functions, so a grid point and a single backtest do the same arithmetic in the same order and
 * cannot drift apart (tests/tools/backtest-grid.sh compares them bit for bit). The engines differ only in
 * where a security's return and "has its data ended" come from. */
#ifndef STI_BOOK_H
#define STI_BOOK_H

#include <stddef.h>
#include <stdint.h>

/* A position: a security (the engine's index) and its weight, a fraction of the portfolio's value. */
struct book_pos {
	uint32_t sec;
	double w;
};

/* A portfolio: its positions, the cost waiting for the next day, its wealth. Start it zeroed with equity
 * 1 (book_init). */
struct book {
	struct book_pos *p; /* positions held */
	size_t n, cap;
	double *r;          /* room for a return per position (cap of them): what book_earn reads */
	double turnover;    /* of the latest rebalance, charged on the next day */
	double cost;        /* cost rate * turnover */
	double equity;      /* cumulative net wealth, 1 at the start */
};

/* An empty book with equity 1; this function can't fail. */
void book_init(struct book *b);
void book_free(struct book *b);

/* Earn a day: the caller has put position j's return that day in b->r[j] for j < b->n (0 for a held
 * security without one). r_p = sum_j w_j r_j (in position order); when 1 + r_p <= 0 everything is lost
 * and the book empties; else w_j <- w_j (1 + r_j) / (1 + r_p). Returns r_p, the gross return. */
double book_earn(struct book *b);

/* Drop the positions whose security gone(arg, sec) says has ended; scale each side's survivors (long,
 * short) so that the side keeps its exposure (a side with nothing left goes to cash). Order is kept. */
void book_drop(struct book *b, int (*gone)(const void *arg, uint32_t sec), const void *arg);

/* Rebalance b to the n positions p: turnover = sum |target - drifted| over the union of both (from cash:
 * sum |target|), cost = rate * turnover, both charged on the next day by book_net. scratch has a zeroed
 * double per security and is left zeroed. Returns 0, or -1 when out of memory (b unchanged). */
int book_set(struct book *b, const struct book_pos *p, size_t n, double *scratch, double rate);

/* The day's net return gross - cost and the wealth after it; reports the pending turnover and cost (any
 * pointer may be NULL) and uses them up. */
double book_net(struct book *b, double gross, double *turnover, double *cost, double *equity);

/* Equal weights 1/n over p[0..n). */
void book_equal(struct book_pos *p, size_t n);

#endif
