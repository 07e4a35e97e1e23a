/* walkfwd: walk-forward selection over the daily returns of a grid's points (backtest --grid
 * --walk-forward TRAIN:TEST).
 *
 * The points' series are aligned on the days every point has a return (from the latest first day to the
 * panel's last). Window w trains on days [w TEST, w TEST + TRAIN) of those and tests on the TEST days after
 * (the last test window may be shorter): on each training window the point with the highest value of the
 * chosen metric (mt_compute on the window's net returns; NaN never wins; a tie goes to the earlier point;
 * with every value NaN, the first point) is chosen, and its returns over the following test window are the
 * out-of-sample curve. Switching points costs nothing beyond each point's own costs: the curve is the
 * chosen points' net returns put end to end. */
#ifndef STI_WALKFWD_H
#define STI_WALKFWD_H

#include <stddef.h>

#include "btrun.h"

/* A walk-forward window, by dates, and the point chosen on it. */
struct wf_window {
	int train_start, train_end; /* first and last training day */
	int test_start, test_end;   /* first and last test day */
	size_t point;               /* the chosen point */
	double score;               /* its metric on the training window (NaN: none had one) */
};

struct wf_result {
	struct wf_window *win;
	size_t nwin;
	struct btr_result oos;      /* the out-of-sample curve: dates, net and benchmark returns, turnover and
	                             * cost totals of the chosen points on their test days */
	size_t *point;              /* point[k]: the point whose return oos.net[k] is */
};

/* The metrics a window may rank by: fields of struct mt_stats, highest best. */
int wf_metric_ok(const char *name);

/* Walk forward over res[0..n) (each with turnover[i][k], cost[i][k]: point i's turnover and cost on day
 * res[i].date[k]) with windows of train and test trading days ranked by metric (rf: the annual risk-free
 * rate for it). Returns 0, 1 when there are not train + 1 common days (out empty), or -1 when out of
 * memory. Free out with wf_free(). */
int wf_run(const struct btr_result *res, double *const *turnover, double *const *cost, size_t n, int train,
    int test, const char *metric, double rf, struct wf_result *out);
void wf_free(struct wf_result *out);

#endif
