/* svg: inline SVG charts for the dashboards, drawn in C.
 *
 * Each chart function writes one <figure> holding a caption, a legend, the <svg> (with a viewBox, so it
 * scales to its container) and an empty tooltip box the page script fills on hover. Colours come from
 * CSS classes (s0.., f0..), so the page's light, dark and print palettes apply to the charts too.
 * Long series are reduced to the pixel width first (per-pixel first, last, min and max of every series:
 * the drawn line keeps every spike and every trough). Bars, heatmap cells and histogram bins carry a
 * <title> (native hover text) and a data-v attribute with the raw value.
 *
 * The writers do not check the stream; they return -1 only when out of memory (nothing useful written). */
#ifndef STI_SVG_H
#define STI_SVG_H

#include <stddef.h>
#include <stdio.h>

enum svg_fmt {
	SVG_PCT, /* fractions shown as percentages */
	SVG_NUM, /* plain numbers */
	SVG_USD, /* dollars (axis labels compact: $1.2M) */
	SVG_CUM  /* a wealth index (1 = start) shown as the cumulative return in percent */
};

typedef struct svg_chart {
	const char *id;           /* the figure's id attribute */
	const char *title;        /* caption, escaped on output */
	int width, height;        /* viewBox size; heatmaps compute their own height */
	enum svg_fmt fmt;         /* axis, tooltip and cell labels */
	int log;                  /* line charts: logarithmic y axis (non-positive values are skipped) */
	int area;                 /* line charts: shade between series 0 and zero (underwater plots) */
	int seq;                  /* heatmaps: one-colour scale from min to max instead of red/green around 0 */
	const char *const *names; /* series names (nser of them), shown in the legend and tooltips */
	int nser;                 /* number of series */
	int bysign;               /* bars: green above zero, red below, instead of the series colour */
	const int *shade;         /* line charts: nshade day ranges [shade[2k], shade[2k + 1]] shaded behind */
	size_t nshade;            /*   the lines (drawdown periods), or NULL */
} svg_chart;

/* Choose the points of n samples (nser series sharing one x) to draw in `buckets` pixel columns: for
 * each column, the first and last index and each series' minimum and maximum (NaN skipped). Writes the
 * indices, ascending and unique, to idx (room for n) and returns their count. When n <= 4 * buckets
 * every index is kept. This function can't fail. */
size_t svg_reduce(const double *const *ys, int nser, size_t n, size_t buckets, size_t *idx);

/* A time-series line chart: days[n] ascending day numbers (see date.h), ys[nser][n] values (NaN: a
 * gap). Tooltips show the date and every series' value. Returns 0, or -1 when out of memory. */
int svg_line(FILE *fp, const svg_chart *c, const int *days, const double *const *ys, size_t n);

/* Grouped bars over n categories: labels[n], ys[nser][n] (NaN: no bar). Returns 0 or -1. */
int svg_bars(FILE *fp, const svg_chart *c, const char *const *labels, const double *const *ys, size_t n);

/* A heatmap of nr rows by nc columns; v[r * nc + col] (NaN: empty cell). rowname and colname label the
 * axes in cell titles (e.g. "lookback", "skip"; may be NULL). Returns 0 or -1. */
int svg_heatmap(FILE *fp, const svg_chart *c, const char *const *rows, size_t nr, const char *const *cols,
    size_t nc, const double *v, const char *rowname, const char *colname);

/* A histogram of nser samples xs[s][0..ns[s]) (NaN skipped) in nbins bins over the common 0.5th to
 * 99.5th percentile range; values beyond fall in the end bins, which are open-ended and labelled so
 * ("below x", "y or more"); heights are the share of each sample. Returns 0 or -1. */
int svg_hist(FILE *fp, const svg_chart *c, const double *const *xs, const size_t *ns, int nbins);

/* Box plots of ncat samples xs[k][0..ns[k]) (NaN skipped), one per category labels[k], as seaborn draws
 * them for quantstats' return quantiles: the box from the 25th to the 75th percentile (numpy's linear
 * ones), the median, whiskers to the most extreme values within 1.5 box lengths of the box, the values
 * beyond as dots. Each box has a <title> (the values are returns: shown as percentages) and its median in
 * data-v. Returns 0 or -1. */
int svg_boxes(FILE *fp, const svg_chart *c, const char *const *labels, const double *const *xs, const size_t *ns,
    size_t ncat);

#endif
