/* explorer: the parameter explorer section of the backtest page (see explorer.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dash/explorer.h"
#include "date.h"
#include "html.h"
#include "metrics.h"
#include "util.h"

/* The grid CSV's metric columns the explorer shows, in sti-backtest(5) names. */
enum { M_SHARPE, M_CAGR, M_VOL, M_MDD, M_N };
static const char *const mname[M_N] = { "sharpe", "cagr", "volatility", "max_drawdown" };

struct point {
	char **g;        /* grid values as text, ncol */
	double m[M_N];   /* the grid CSV's metrics */
	double *net;     /* daily net returns (grid equity) */
	int *day;
	size_t n, cap;
	double sr, skew, kurt, psr, dsr; /* daily Sharpe and the returns' moments; PSR (vs 0) and DSR */
};

struct grid {
	int ncol;
	char **col; /* grid column names */
	size_t n, cap;
	struct point *p;
};

static void
grid_free(struct grid *g)
{
	for (size_t i = 0; i < g->n; i++) {
		for (int c = 0; c < g->ncol; c++)
			free(g->p[i].g[c]);
		free(g->p[i].g);
		free(g->p[i].net);
		free(g->p[i].day);
	}
	for (int c = 0; c < g->ncol; c++)
		free(g->col[c]);
	free(g->col);
	free(g->p);
}

static int
read_table(const char *path, struct grid *g, dash_probs *p)
{
	FILE *fp;
	csv_reader *r;
	int mc[M_N], rc;

	if ((r = dash_csv_open(path, &fp, p, &rc)) == NULL)
		return rc;
	if ((mc[M_SHARPE] = csv_require(r, "sharpe")) < 0)
		return dash_csv_close(r, fp, -1, p);
	for (int k = 1; k < M_N; k++)
		mc[k] = csv_col(r, mname[k]);
	g->ncol = mc[M_SHARPE]; /* the grid's own columns come first */
	if (g->ncol == 0 && csv_fail(r, mc[M_SHARPE], "no grid columns before sharpe") < 0)
		return dash_csv_close(r, fp, -1, p);
	if ((g->col = calloc((size_t)g->ncol, sizeof *g->col)) == NULL)
		return dash_csv_close(r, fp, DASH_CSV_OOM, p);
	for (int c = 0; c < g->ncol; c++)
		if ((g->col[c] = strdup(csv_colname(r, c))) == NULL)
			return dash_csv_close(r, fp, DASH_CSV_OOM, p);
	while ((rc = csv_next(r)) == 1) {
		struct point *pt;
		if (util_grow((void **)&g->p, &g->cap, g->n + 1, sizeof *g->p) < 0)
			return dash_csv_close(r, fp, DASH_CSV_OOM, p);
		pt = memset(&g->p[g->n], 0, sizeof *pt);
		if ((pt->g = calloc((size_t)g->ncol, sizeof *pt->g)) == NULL)
			return dash_csv_close(r, fp, DASH_CSV_OOM, p);
		g->n++;
		for (int c = 0; c < g->ncol; c++)
			if ((pt->g[c] = strdup(csv_field(r, c))) == NULL)
				return dash_csv_close(r, fp, DASH_CSV_OOM, p);
		for (int k = 0; k < M_N; k++) {
			pt->m[k] = NAN;
			if (mc[k] >= 0 && csv_double(r, mc[k], &pt->m[k]) < 0)
				return dash_csv_close(r, fp, -1, p);
		}
	}
	return dash_csv_close(r, fp, rc, p);
}

static int
read_equity(const char *path, struct grid *g, dash_probs *p)
{
	FILE *fp;
	csv_reader *r;
	int cp, cd, cn, rc, day;
	long long k;
	double v;

	if ((r = dash_csv_open(path, &fp, p, &rc)) == NULL)
		return rc;
	if ((cp = csv_require(r, "point")) < 0 || (cd = csv_require(r, "date")) < 0 || (cn = csv_require(r, "net")) < 0)
		return dash_csv_close(r, fp, -1, p);
	while ((rc = csv_next(r)) == 1) {
		struct point *pt;
		size_t cap;
		if (csv_i64(r, cp, &k) < 0 || csv_date_required(r, cd, &day) < 0 || csv_double(r, cn, &v) < 0 ||
		    ((k < 0 || (size_t)k >= g->n) && csv_fail(r, cp, "point %lld is not a row of the grid table", k) < 0))
			return dash_csv_close(r, fp, -1, p);
		pt = &g->p[k];
		if (pt->n > 0 && day <= pt->day[pt->n - 1] && csv_fail(r, cd, "dates of a point must ascend") < 0)
			return dash_csv_close(r, fp, -1, p);
		cap = pt->cap;
		if (util_grow((void **)&pt->net, &cap, pt->n + 1, sizeof *pt->net) < 0 ||
		    util_grow((void **)&pt->day, &pt->cap, pt->n + 1, sizeof *pt->day) < 0)
			return dash_csv_close(r, fp, DASH_CSV_OOM, p);
		pt->day[pt->n] = day;
		pt->net[pt->n++] = isnan(v) ? 0 : v;
	}
	return dash_csv_close(r, fp, rc, p);
}

/* PSR (against 0) and DSR of every point, the trials being the grid's points (their daily Sharpe ratios):
 * the DSR by lib/metrics' mt_deflate, the function backtest --grid's dsr column comes from. Returns 0, or
 * -1 when out of memory. */
static int
deflate(struct grid *g)
{
	struct mt_trial *t = malloc((g->n ? g->n : 1) * sizeof *t);
	double *dsr = malloc((g->n ? g->n : 1) * sizeof *dsr);

	if (t == NULL || dsr == NULL) {
		free(t);
		free(dsr);
		return -1;
	}
	for (size_t i = 0; i < g->n; i++) {
		struct point *pt = &g->p[i];
		struct mt_stats s;
		mt_compute(pt->net, pt->n, 0, &s);
		pt->sr = s.sharpe / sqrt(MT_PERIODS);
		pt->skew = s.skew;
		pt->kurt = s.kurtosis;
		t[i] = (struct mt_trial){ pt->sr, (double)pt->n, pt->skew, pt->kurt };
	}
	mt_deflate(t, g->n, dsr);
	for (size_t i = 0; i < g->n; i++) {
		g->p[i].psr = mt_psr(g->p[i].sr, 0, (double)g->p[i].n, g->p[i].skew, g->p[i].kurt);
		g->p[i].dsr = dsr[i];
	}
	free(t);
	free(dsr);
	return 0;
}

/* A JSON string safe inside <script>: quotes, backslashes, controls and <, >, & escaped. */
static void
jstr(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\' || c < 0x20 || c == '<' || c == '>' || c == '&')
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void
jnum(FILE *fp, double v, const char *fmt)
{
	if (isnan(v) || isinf(v))
		fputs("null", fp);
	else
		fprintf(fp, fmt, v);
}

/* Does text equal the JSON value v (numbers compared as numbers)? */
static int
same_value(const char *text, json_t *v)
{
	char *end;
	double x = strtod(text, &end);
	int num = end != text && *end == '\0';

	if (json_is_number(v))
		return num && x == json_number_value(v);
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		double y = strtod(s, &end);
		if (num && end != s && *end == '\0')
			return x == y;
		return strcmp(text, s) == 0;
	}
	if (json_is_boolean(v))
		return strcmp(text, json_is_true(v) ? "true" : "false") == 0 || (num && x == json_is_true(v));
	return 0;
}

static long
production(const struct grid *g, json_t *params)
{
	if (params == NULL || !json_is_object(params))
		return -1;
	for (size_t i = 0; i < g->n; i++) {
		int ok = 1;
		for (int c = 0; ok && c < g->ncol; c++) {
			json_t *v = json_object_get(params, g->col[c]);
			ok = v != NULL && same_value(g->p[i].g[c], v);
		}
		if (ok)
			return (long)i;
	}
	return -1;
}

static const char script[] =
	"(function(){function init(){\n"
	"var D=JSON.parse(document.getElementById('explorer-data').textContent),P=D.pts,nc=D.cols.length,sel=[],i,c;\n"
	"function $(x){return document.getElementById(x)}\n"
	"function vals(c){var s={},o=[];P.forEach(function(p){if(!s.hasOwnProperty(p.g[c])){s[p.g[c]]=1;o.push(p.g[c])}});\n"
	"o.sort(function(a,b){var x=+a,y=+b;return isNaN(x)||isNaN(y)?(a<b?-1:a>b?1:0):x-y});return o}\n"
	"function find(){for(var i=0;i<P.length;i++){var ok=1;for(var c=0;c<nc;c++)if(P[i].g[c]!==sel[c].value)ok=0;if(ok)return i}return -1}\n"
	"function f(v,d,pct){return v==null?'-':pct?(v*100).toFixed(d)+'%':v.toFixed(d)}\n"
	"function line(ys,lo,hi,h){var n=ys.length,s='';for(var i=0;i<n;i++){var x=n>1?i/(n-1)*600:0,y=h-4-(ys[i]-lo)/(hi-lo||1)*(h-22);\n"
	"s+=(i?'L':'M')+x.toFixed(1)+' '+y.toFixed(1)}return s}\n"
	"function logs(p){return p.c.map(function(w){return Math.log(w>1e-9?w:1e-9)})}\n"
	"function best(){var b=0;for(var i=1;i<P.length;i++)if(P[i].m[0]!=null&&(P[b].m[0]==null||P[i].m[0]>P[b].m[0]))b=i;return b}\n"
	"function show(k){var p=k>=0?P[k]:null,ids=['ex-sharpe','ex-cagr','ex-vol','ex-mdd','ex-psr','ex-dsr'];\n"
	"ids.forEach(function(id,j){$(id).textContent=p?f(p.m[j],j==0?2:1,j>0):'-'});\n"
	"if(!p){mark(null);$('ex-status').textContent='That combination is not in the grid.';$('ex-curve').setAttribute('d','');$('ex-dd').setAttribute('d','');return}\n"
	"for(var c=0;c<nc;c++)sel[c].value=p.g[c];\n"
	"$('ex-status').textContent='Point '+(k+1)+' of '+P.length+(k==D.prod?' \\u2014 the production configuration':D.prod>=0?' (not the production configuration)':'')+\n"
	"(k==best()?' \\u2014 the best Sharpe of the grid':'');\n"
	"var a=logs(p),b=D.prod>=0&&D.prod!=k?logs(P[D.prod]):[],all=a.concat(b),lo=Math.min.apply(null,all.concat([0])),hi=Math.max.apply(null,all.concat([0]));\n"
	"$('ex-curve').setAttribute('d',line(a,lo,hi,220));$('ex-base').setAttribute('d',b.length?line(b,lo,hi,220):'');\n"
	"$('ex-ylab').textContent='log scale, '+f(Math.exp(lo),2)+'x to '+f(Math.exp(hi),2)+'x';\n"
	"var pk=1,dd=p.c.map(function(w){pk=Math.max(pk,w);return w/pk-1}),mn=Math.min.apply(null,dd.concat([-1e-9]));\n"
	"var d=line(dd,mn,0,120);$('ex-dd').setAttribute('d',d?d+'L600 18L0 18Z':'');\n"
	"$('ex-ddlab').textContent='worst month-end '+f(mn,1,1);\n"
	"if(typeof mark=='function')mark(p)}\n"
	"for(c=0;c<nc;c++){var e=$('ex-sel-'+c);vals(c).forEach(function(v){var o=document.createElement('option');o.value=v;o.textContent=v;e.appendChild(o)});\n"
	"e.addEventListener('change',function(){show(find())});sel.push(e)}\n"
	"$('ex-prod').disabled=D.prod<0;$('ex-prod').addEventListener('click',function(){show(D.prod)});\n"
	"$('ex-best').addEventListener('click',function(){show(best())});\n"
	"var li=D.cols.indexOf('lookback'),si=D.cols.indexOf('skip'),cells=[],num=function(t){return +String(t).replace(/[^0-9.eE+-]/g,'')};\n"
	"if(li>=0&&si>=0)document.querySelectorAll('#chart-sweep rect[data-v]').forEach(function(r){var t=r.querySelector('title'),\n"
	"m=t&&/^lookback (.+), skip (.+): /.exec(t.textContent);if(!m)return;var c={r:r,l:num(m[1]),s:num(m[2])};cells.push(c);r.style.cursor='pointer';\n"
	"r.addEventListener('click',function(){[[li,c.l],[si,c.s]].forEach(function(q){var o=sel[q[0]].options;for(var j=0;j<o.length;j++)if(num(o[j].value)==q[1])sel[q[0]].value=o[j].value});\n"
	"show(find());document.getElementById('explorer').scrollIntoView()})});\n"
	"function mark(p){cells.forEach(function(c){var on=!!p&&num(p.g[li])==c.l&&num(p.g[si])==c.s;c.r.classList.toggle('ex-cur',on);\n"
	"c.r.style.stroke=on?'currentColor':'';c.r.style.strokeWidth=on?'3':''})}\n"
	"show(D.prod>=0?D.prod:best())}\n"
	"if(document.readyState=='loading')document.addEventListener('DOMContentLoaded',init);else init()})();\n";

static void
write_data(FILE *fp, const struct grid *g, long prod)
{
	const struct point *p0 = &g->p[0];
	int first = 1, ym;

	fputs("<script type=\"application/json\" id=\"explorer-data\">{\"cols\":[", fp);
	for (int c = 0; c < g->ncol; c++) {
		if (c)
			fputc(',', fp);
		jstr(fp, g->col[c]);
	}
	fprintf(fp, "],\"prod\":%ld,\"trials\":%zu,\"months\":[", prod, g->n);
	/* month labels from point 0's dates (the points share the market's calendar) */
	ym = -1;
	for (size_t d = 0; d < p0->n; d++) {
		int y, mo, dd, cur;
		date_to_ymd(p0->day[d], &y, &mo, &dd);
		cur = y * 12 + mo;
		if (cur != ym) {
			fprintf(fp, "%s\"%04d-%02d\"", first ? "" : ",", y, mo);
			first = 0;
			ym = cur;
		}
	}
	fputs("],\"pts\":[", fp);
	for (size_t i = 0; i < g->n; i++) {
		const struct point *pt = &g->p[i];
		fputs(i ? ",{\"g\":[" : "{\"g\":[", fp);
		for (int c = 0; c < g->ncol; c++) {
			if (c)
				fputc(',', fp);
			jstr(fp, pt->g[c]);
		}
		fputs("],\"m\":[", fp);
		for (int k = 0; k < M_N; k++) {
			if (k)
				fputc(',', fp);
			jnum(fp, pt->m[k], "%.17g");
		}
		fputs(",", fp);
		jnum(fp, pt->psr, "%.4g");
		fputs(",", fp);
		jnum(fp, pt->dsr, "%.4g");
		fputs("],\"c\":[", fp);
		/* month-end wealth from 1 */
		double w = 1;
		int prev = -1, n = 0;
		for (size_t d = 0; d < pt->n; d++) {
			int y, mo, dd, cur;
			date_to_ymd(pt->day[d], &y, &mo, &dd);
			cur = y * 12 + mo;
			if (prev >= 0 && cur != prev) {
				fprintf(fp, "%s%.4g", n++ ? "," : "", w);
			}
			prev = cur;
			w *= 1 + pt->net[d];
		}
		if (pt->n)
			fprintf(fp, "%s%.4g", n ? "," : "", w);
		fputs("]}", fp);
	}
	fputs("]}</script>\n", fp);
}

int
dash_explorer(FILE *fp, const char *table, const char *equity, json_t *params, dash_probs *probs)
{
	struct grid g = { 0 };
	int ok = read_table(table, &g, probs) == 1;
	long prod;

	if (ok && equity != NULL)
		ok = read_equity(equity, &g, probs) == 1;
	html_section_begin(fp, "explorer", "Parameter explorer", 1);
	if (!ok || g.n == 0) {
		html_notice(fp, "warn", "Not available: %s.", !ok ? "the grid table or the grid equity (see above)" :
		    "the grid table has no points");
		html_section_end(fp);
		grid_free(&g);
		return 0;
	}
	if (deflate(&g) != 0) {
		html_section_end(fp);
		grid_free(&g);
		return -1;
	}
	prod = production(&g, params);
	fputs("<div class=\"explorer-controls\">", fp);
	for (int c = 0; c < g.ncol; c++) {
		fprintf(fp, "<label>");
		html_esc(fp, g.col[c]);
		fprintf(fp, " <select id=\"ex-sel-%d\" data-col=\"%d\"></select></label> ", c, c);
	}
	fputs("<button type=\"button\" id=\"ex-prod\">Production</button> "
	      "<button type=\"button\" id=\"ex-best\">Best Sharpe</button></div>\n"
	      "<p id=\"ex-status\"></p>\n<div class=\"kpis\">", fp);
	static const char *const kid[6] = { "ex-sharpe", "ex-cagr", "ex-vol", "ex-mdd", "ex-psr", "ex-dsr" };
	static const char *const klab[6] = { "Sharpe", "CAGR", "Volatility", "Max drawdown",
		"Probabilistic Sharpe", "Deflated Sharpe" };
	for (int k = 0; k < 6; k++)
		fprintf(fp, "<div class=\"kpi\"><div class=\"l\">%s</div><div class=\"v\" id=\"%s\">-</div></div>",
		    klab[k], kid[k]);
	fputs("</div>\n<figure><figcaption>Cumulative wealth of the chosen point (grey: production), month-end"
	      "</figcaption><svg id=\"chart-explorer\" class=\"ex-chart\" viewBox=\"0 0 600 220\" "
	      "preserveAspectRatio=\"none\" style=\"width:100%;height:200px\" role=\"img\" aria-label=\"cumulative "
	      "wealth\"><path id=\"ex-base\" fill=\"none\" stroke=\"#999\" stroke-width=\"1\"/><path id=\"ex-curve\" "
	      "fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"1.5\"/><text id=\"ex-ylab\" x=\"4\" y=\"14\" "
	      "font-size=\"11\"></text></svg></figure>\n"
	      "<figure><figcaption>Drawdown of the chosen point, month-end</figcaption><svg id=\"chart-explorer-dd\" "
	      "class=\"ex-chart\" viewBox=\"0 0 600 120\" preserveAspectRatio=\"none\" style=\"width:100%;"
	      "height:110px\" role=\"img\" aria-label=\"drawdown\"><path id=\"ex-dd\" fill=\"#d73a49\" "
	      "fill-opacity=\"0.35\" stroke=\"#d73a49\"/><text id=\"ex-ddlab\" x=\"4\" y=\"114\" font-size=\"11\">"
	      "</text></svg></figure>\n", fp);
	html_notice(fp, "warn",
	    "In-sample: every one of these %zu points was fitted to the same history, and the best of them is "
	    "the best partly by luck. The deflated Sharpe ratio is the probability that the chosen point's true "
	    "Sharpe ratio beats the best Sharpe ratio expected from %zu trials of a strategy with none "
	    "(Bailey and L\xc3\xb3pez de Prado 2014); the probabilistic Sharpe ratio is that against zero, as if "
	    "no other point had been tried. Judge a point by out-of-sample results (walk-forward), not by its rank here.",
	    g.n, g.n);
	write_data(fp, &g, prod);
	fprintf(fp, "<script>%s</script>\n", script);
	html_section_end(fp);
	grid_free(&g);
	return 0;
}
