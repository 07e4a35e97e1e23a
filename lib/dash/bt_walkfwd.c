/* dash/bt_walkfwd: the walk-forward section of the backtest page: the out-of-sample curve of backtest
 * --grid --walk-forward (its --wf-out file, date,point,net,equity: sti-backtest(5)) against the strategy's
 * own equity over the same days, both from 1 at the curve's first day. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dash/btpage.h"
#include "date.h"
#include "html.h"
#include "metrics.h"
#include "svg.h"
#include "util.h"

struct wf {
	size_t n, cap[3];
	int *day;
	double *net;
	long long *point;
};

static void
wf_free_(struct wf *w)
{
	free(w->day);
	free(w->net);
	free(w->point);
}

static int
read_wf(const char *path, struct wf *w, dash_probs *p)
{
	FILE *fp;
	csv_reader *r;
	int cd = -1, cp = -1, cn = -1, rc, day;
	long long pt;
	double v;

	if ((r = dash_csv_open(path, &fp, p, &rc)) == NULL)
		return rc;
	if ((cd = csv_require(r, "date")) < 0 || (cp = csv_require(r, "point")) < 0 || (cn = csv_require(r, "net")) < 0)
		rc = -1;
	while (rc == 0 && (rc = csv_next(r)) == 1) {
		rc = 0;
		if (csv_date_required(r, cd, &day) < 0 || csv_i64(r, cp, &pt) < 0 || csv_double_required(r, cn, &v) < 0 ||
		    (w->n > 0 && day <= w->day[w->n - 1] && csv_fail(r, cd, "dates must ascend") < 0)) {
			rc = -1;
			break;
		}
		if (util_grow((void **)&w->day, &w->cap[0], w->n + 1, sizeof *w->day) < 0 ||
		    util_grow((void **)&w->net, &w->cap[1], w->n + 1, sizeof *w->net) < 0 ||
		    util_grow((void **)&w->point, &w->cap[2], w->n + 1, sizeof *w->point) < 0) {
			rc = DASH_CSV_OOM;
			break;
		}
		w->day[w->n] = day;
		w->point[w->n] = pt;
		w->net[w->n++] = v;
	}
	return dash_csv_close(r, fp, rc, p);
}

/* The chart and the out-of-sample metrics; e (may be NULL or empty) gives the in-sample line. */
static int
wf_chart(FILE *fp, const struct wf *w, const dash_equity *e)
{
	static const char *const names[] = { "Walk-forward (out of sample)", "Strategy (in sample)" };
	double *oos = malloc((w->n + 1) * sizeof *oos), *ins = malloc((w->n + 1) * sizeof *ins), g = 1, base = NAN;
	size_t j = 0, switches = 0;
	struct mt_stats st;
	char b[4][HTML_NUM_MAX];
	int rc, have_ins = 0;

	if (oos == NULL || ins == NULL) {
		free(oos);
		free(ins);
		return -1;
	}
	for (size_t i = 0; i < w->n; i++) {
		g *= 1 + w->net[i];
		oos[i] = g;
		ins[i] = NAN;
		switches += i > 0 && w->point[i] != w->point[i - 1];
		while (e && j < e->n && e->day[j] < w->day[i])
			j++;
		if (e && j < e->n && e->day[j] == w->day[i] && !isnan(e->equity[j])) {
			/* from 1 at the curve's first day: the equity before that day's return */
			if (isnan(base))
				base = e->equity[j] / (1 + (isnan(e->net[j]) ? 0 : e->net[j]));
			ins[i] = e->equity[j] / base;
			have_ins = 1;
		}
	}
	mt_compute(w->net, w->n, 0, &st);
	fputs("<div class=\"kpis\">\n", fp);
	html_kpi(fp, "kpi-wf-sharpe", "Sharpe (out of sample)", html_fmt_num(st.sharpe, 2, b[0]), NULL, st.sharpe, 0);
	html_kpi(fp, "kpi-wf-cagr", "CAGR (out of sample)", html_fmt_pct(st.cagr, 2, b[1]), NULL, st.cagr, 1);
	html_kpi(fp, "kpi-wf-mdd", "Max drawdown (out of sample)", html_fmt_pct(st.max_drawdown, 2, b[2]), NULL,
	    st.max_drawdown, 1);
	html_kpi(fp, "kpi-wf-switches", "Point switches", html_fmt_num((double)switches, 0, b[3]), NULL,
	    (double)switches, 0);
	fputs("</div>\n", fp);
	const double *ys[2] = { oos, ins };
	svg_chart c = { "chart-walkforward", "Cumulative return out of sample (each window's chosen point on the "
		"days after its training window), from the walk-forward's first day", DBT_W, 260, SVG_CUM, 0, 0, 0,
		names, have_ins ? 2 : 1, 0, NULL, 0 };
	rc = svg_line(fp, &c, w->day, ys, w->n);
	free(oos);
	free(ins);
	return rc;
}

int
dbt_walkfwd(FILE *fp, const char *path, const dash_equity *e, dash_probs *p)
{
	struct wf w = { 0 };
	char d0[DATE_LEN + 1], d1[DATE_LEN + 1];
	int rc = 0;

	if ((rc = read_wf(path, &w, p)) != 1 || w.n == 0) {
		dash_missing(fp, "walkforward", "Walk-forward", 0, rc != 1 ? "the walk-forward curve (see above)" :
		    "the walk-forward curve has no rows");
		wf_free_(&w);
		return 0;
	}
	html_section_begin(fp, "walkforward", "Walk-forward (out of sample)", 0);
	rc = wf_chart(fp, &w, e);
	html_notice(fp, "info", "Out of sample from %s to %s: each window chose the grid point with the best "
	    "training metric and held it over the days that followed (backtest(1) --walk-forward). Compare it "
	    "with the in-sample line: the gap is what choosing the parameters after the fact adds.",
	    date_fmt(w.day[0], d0), date_fmt(w.day[w.n - 1], d1));
	html_section_end(fp);
	wf_free_(&w);
	return rc;
}
