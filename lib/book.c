#include "book.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
book_init(struct book *b)
{
	memset(b, 0, sizeof *b);
	b->equity = 1;
}

void
book_free(struct book *b)
{
	free(b->p);
	free(b->r);
	book_init(b);
}

double
book_earn(struct book *b)
{
	double rp = 0, nav;

	for (size_t j = 0; j < b->n; j++)
		rp += b->p[j].w * b->r[j];
	nav = 1 + rp;
	if (!(nav > 0)) /* everything is lost: nothing is left to hold */
		b->n = 0;
	for (size_t j = 0; j < b->n; j++)
		b->p[j].w = b->p[j].w * (1 + b->r[j]) / nav;
	return rp;
}

void
book_drop(struct book *b, int (*gone)(const void *arg, uint32_t sec), const void *arg)
{
	double lost_long = 0, lost_short = 0, kept_long = 0, kept_short = 0, fl, fs;
	size_t k = 0;

	for (size_t j = 0; j < b->n; j++) {
		double w = b->p[j].w;
		int g = gone(arg, b->p[j].sec);

		if (w >= 0)
			*(g ? &lost_long : &kept_long) += w;
		else
			*(g ? &lost_short : &kept_short) -= w;
		if (!g)
			b->p[k++] = b->p[j];
	}
	if (k == b->n)
		return;
	b->n = k;
	fl = kept_long > 0 ? (kept_long + lost_long) / kept_long : 1;
	fs = kept_short > 0 ? (kept_short + lost_short) / kept_short : 1;
	for (size_t j = 0; j < b->n; j++)
		b->p[j].w *= b->p[j].w >= 0 ? fl : fs;
}

int
book_set(struct book *b, const struct book_pos *p, size_t n, double *scratch, double rate)
{
	double turnover = 0;
	size_t rcap = b->cap;

	for (size_t j = 0; j < b->n; j++)
		scratch[b->p[j].sec] = b->p[j].w;
	for (size_t j = 0; j < n; j++) {
		turnover += fabs(p[j].w - scratch[p[j].sec]);
		scratch[p[j].sec] = 0;
	}
	for (size_t j = 0; j < b->n; j++) {
		turnover += fabs(scratch[b->p[j].sec]);
		scratch[b->p[j].sec] = 0;
	}
	/* r first: should p fail, r is only larger than cap says, which does no harm */
	if (util_grow((void **)&b->r, &rcap, n, sizeof *b->r) != 0 ||
	    util_grow((void **)&b->p, &b->cap, n, sizeof *b->p) != 0)
		return -1;
	if (n > 0)
		memcpy(b->p, p, n * sizeof *p);
	b->n = n;
	b->turnover = turnover;
	b->cost = rate * turnover;
	return 0;
}

double
book_net(struct book *b, double gross, double *turnover, double *cost, double *equity)
{
	double net = gross - b->cost;

	if (turnover != NULL)
		*turnover = b->turnover;
	if (cost != NULL)
		*cost = b->cost;
	b->equity *= 1 + net;
	if (equity != NULL)
		*equity = b->equity;
	b->turnover = b->cost = 0;
	return net;
}

void
book_equal(struct book_pos *p, size_t n)
{
	for (size_t j = 0; j < n; j++)
		p[j].w = 1.0 / (double)n;
}
