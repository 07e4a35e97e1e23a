#include "html.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "num.h"

#define MINUS "\xe2\x88\x92" /* U+2212 */
#define EMDASH "\xe2\x80\x94"

/* ---- numbers ---- */

/* Format |v| with dec decimals and thousands separators, wrapped in prefix and suffix, signed. */
static char *
group(double v, int dec, const char *prefix, const char *suffix, char *buf)
{
	char digits[HTML_NUM_MAX];
	const char *dot, *p;
	size_t intlen, i, o = 0;
	int neg, zero = 1;

	if (isnan(v)) {
		strcpy(buf, EMDASH);
		return buf;
	}
	if (isinf(v)) {
		snprintf(buf, HTML_NUM_MAX, "%s\xe2\x88\x9e", v < 0 ? MINUS : "");
		return buf;
	}
	if (fabs(v) >= 1e18) { /* no grouping for absurd sizes: keep within the buffer */
		snprintf(buf, HTML_NUM_MAX, "%s%s%.3g%s", v < 0 ? MINUS : "", prefix, fabs(v), suffix);
		return buf;
	}
	neg = v < 0;
	snprintf(digits, sizeof digits, "%.*f", dec, fabs(v));
	for (p = digits; *p; p++)
		if (*p >= '1' && *p <= '9')
			zero = 0;
	if (zero)
		neg = 0;
	dot = strchr(digits, '.');
	intlen = dot ? (size_t)(dot - digits) : strlen(digits);
	if (neg)
		o += (size_t)snprintf(buf + o, HTML_NUM_MAX - o, "%s", MINUS);
	o += (size_t)snprintf(buf + o, HTML_NUM_MAX - o, "%s", prefix);
	for (i = 0; i < intlen && o < HTML_NUM_MAX - 1; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	snprintf(buf + o, HTML_NUM_MAX - o, "%s%s", dot ? dot : "", suffix);
	return buf;
}

char *
html_fmt_num(double v, int dec, char *buf)
{
	return group(v, dec, "", "", buf);
}

char *
html_fmt_pct(double v, int dec, char *buf)
{
	return group(v * 100, dec, "", "%", buf);
}

char *
html_fmt_usd(double v, int dec, char *buf)
{
	return group(v, dec, "$", "", buf);
}

char *
html_fmt_bps(double v, int dec, char *buf)
{
	return group(v * 1e4, dec, "", " bp", buf);
}

/* ---- text ---- */

void
html_esc(FILE *fp, const char *s)
{
	if (s == NULL)
		return;
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default: putc(*s, fp);
		}
	}
}

void
html_esc_numbers(FILE *fp, const char *s)
{
	const char *p = s, *q, *dot;
	char buf[64], tmp[2] = { 0, 0 };

	if (s == NULL)
		return;
	while (*p) {
		/* a number starts at a digit not preceded by a digit, a '.' or a letter */
		if (*p >= '0' && *p <= '9' && (p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '.'))) {
			for (q = p; *q >= '0' && *q <= '9'; q++)
				;
			dot = q;
			if (*dot == '.' && dot[1] >= '0' && dot[1] <= '9') {
				for (q = dot + 1; *q >= '0' && *q <= '9'; q++)
					;
				/* only a plain decimal: not followed by another '.', a letter or a digit group */
				if (q - dot - 1 > 4 && *q != '.' && !isalnum((unsigned char)*q) && q - p < 40) {
					double v = strtod(p, NULL);
					size_t n;
					if (v >= 1)
						snprintf(buf, sizeof buf, "%.4f", v);
					else
						snprintf(buf, sizeof buf, "%.*f", 3 - (int)floor(log10(v > 0 ? v : 1e-300)), v);
					n = strlen(buf);
					while (n > 1 && buf[n - 1] == '0')
						buf[--n] = '\0';
					if (n > 0 && buf[n - 1] == '.')
						buf[--n] = '\0';
					fputs(buf, fp);
					p = q;
					continue;
				}
			}
			for (; p < q; p++)
				putc(*p, fp);
			continue;
		}
		tmp[0] = *p++;
		html_esc(fp, tmp);
	}
}

/* ---- page ---- */

/* The style sheet: system fonts only, colours as variables so that the dark theme and print only swap
 * the palette. Charts scale with their viewBox to the width of their card (never wider than the screen);
 * in a narrow card their text is drawn larger and every other x label is left out (container queries),
 * and lines keep their width (non-scaling strokes). A table too wide for its card first wraps its cells;
 * still too wide, the script stacks it: one block per row, each cell labelled with its column. */
static const char css[] =
	":root{--bg:#f5f6f8;--card:#fff;--fg:#1f2933;--mute:#64707d;--line:#e3e6ea;--grid:#eef0f3;"
	"--c0:#2563eb;--c1:#9aa3ae;--c2:#d97706;--pos:#15803d;--neg:#c62828;--warn:#fff4e5;--warnb:#f0a84b;"
	"--info:#eef4ff;--infob:#8fb0f0;color-scheme:light dark}"
	"@media (prefers-color-scheme:dark){:root{--bg:#0f1419;--card:#171d24;--fg:#e4e8ec;--mute:#9aa5b1;"
	"--line:#2a323c;--grid:#222a33;--c0:#60a5fa;--c1:#7d8794;--c2:#f59e0b;--pos:#4ade80;--neg:#f87171;"
	"--warn:#33280f;--warnb:#a57a2c;--info:#14223a;--infob:#3b5a8f}}"
	"*{box-sizing:border-box}"
	"body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"
	"\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;-webkit-text-size-adjust:100%}"
	"header{padding:18px 24px 10px;max-width:1400px;margin:0 auto}"
	"h1{font-size:22px;margin:0 0 2px;font-weight:650;letter-spacing:-.01em}"
	".sub{color:var(--mute);margin:0}"
	"nav{display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:10px;font-size:13px}"
	"nav a{color:var(--mute);text-decoration:none}nav a:hover{color:var(--c0)}"
	"nav a.pg{color:var(--c0);font-weight:600}"
	"main{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,560px),1fr));gap:16px;"
	"padding:8px 24px 24px;max-width:1400px;margin:0 auto}"
	"section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;"
	"min-width:0;break-inside:avoid}"
	"section.wide{grid-column:1/-1}"
	"h2{font-size:15px;margin:0 0 10px;font-weight:620}"
	".kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(136px,1fr));gap:10px}"
	".kpi{border:1px solid var(--line);border-radius:8px;padding:8px 10px}"
	".kpi .l{color:var(--mute);font-size:12px}.kpi .v{font-size:20px;font-weight:600;white-space:nowrap;"
	"font-variant-numeric:tabular-nums}.kpi .s{color:var(--mute);font-size:11px}"
	".pos{color:var(--pos)}.neg{color:var(--neg)}"
	".tw{overflow-x:auto}.tw.tall{max-height:430px;overflow-y:auto}"
	"table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}"
	"caption{text-align:left;color:var(--mute);font-size:12px;padding-bottom:6px}"
	"th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}"
	"thead th{color:var(--mute);font-weight:600;font-size:12px;position:sticky;top:0;background:var(--card)}"
	"tbody th{font-weight:500}"
	"td.n,th.n{text-align:right}td.w{white-space:normal;min-width:14em;overflow-wrap:anywhere}"
	"tbody tr:hover{background:var(--grid)}"
	"table.wr th,table.wr td{white-space:normal}"
	"table.st thead{display:none}table.st,table.st tbody,table.st tr{display:block;width:100%}"
	"table.st caption{display:block}"
	"table.st tr{border-bottom:1px solid var(--line);padding:4px 0}"
	"table.st td,table.st tbody th{display:flex;justify-content:space-between;gap:12px;border:0;"
	"padding:2px 4px;white-space:normal;text-align:right;overflow-wrap:anywhere;min-width:0}"
	"table.st td::before,table.st tbody th::before{content:attr(data-l);color:var(--mute);text-align:left;"
	"font-weight:400;flex:none}"
	".note{border:1px solid var(--warnb);background:var(--warn);border-radius:8px;padding:8px 12px;"
	"margin:0 0 10px}.note.info{border-color:var(--infob);background:var(--info)}"
	"figure{margin:0 0 12px}figcaption{font-weight:600;font-size:13px;margin-bottom:4px}"
	".lg{display:flex;flex-wrap:wrap;gap:2px 14px;font-size:12px;color:var(--mute);margin-bottom:2px}"
	".lg span::before,.tip div::before{content:\"\";display:inline-block;width:10px;height:10px;"
	"border-radius:2px;margin-right:5px;vertical-align:-1px;background:var(--k)}"
	".k0{--k:var(--c0)}.k1{--k:var(--c1)}.k2{--k:var(--c2)}"
	".cw{position:relative;container-type:inline-size}"
	"svg.ch{display:block;width:100%;max-width:900px;height:auto;font-size:12px;fill:var(--mute);"
	"overflow:visible;touch-action:pan-y}"
	"svg.ch .g{stroke:var(--grid);stroke-width:1}svg.ch .z{stroke:var(--mute);stroke-width:1;"
	"stroke-opacity:.5}"
	"svg.ch .s0{stroke:var(--c0)}svg.ch .s1{stroke:var(--c1)}svg.ch .s2{stroke:var(--c2)}"
	"svg.ch path.ln{fill:none;stroke-width:1.6;stroke-linejoin:round;vector-effect:non-scaling-stroke}"
	"svg.ch path.ar{fill:var(--neg);fill-opacity:.18;stroke:none}"
	"svg.ch .dd{fill:var(--neg);fill-opacity:.07}svg.ch .ol{fill:none;stroke:var(--mute);stroke-opacity:.6}"
	"svg.ch .f0{fill:var(--c0)}svg.ch .f1{fill:var(--c1)}svg.ch .f2{fill:var(--c2)}"
	"svg.ch .fp{fill:var(--pos)}svg.ch .fn{fill:var(--neg)}svg.ch .fe{fill:var(--grid)}"
	"svg.ch .ht{fill:var(--fg);font-size:11px}"
	"svg.ch .cur{stroke:var(--mute);stroke-dasharray:3 3;vector-effect:non-scaling-stroke}"
	"svg.ch .dot{stroke:var(--card);stroke-width:1.5}"
	"@container (max-width:520px){svg.ch{font-size:19px}svg.ch .x2{display:none}svg.ch .ht{font-size:17px}"
	"svg.dense .ht{display:none}}"
	".tip{position:absolute;top:4px;left:0;pointer-events:none;background:var(--card);"
	"border:1px solid var(--line);border-radius:6px;padding:5px 8px;font-size:12px;"
	"box-shadow:0 2px 8px rgba(0,0,0,.15);white-space:nowrap;font-variant-numeric:tabular-nums;z-index:2}"
	"svg.ch [data-v]{cursor:pointer}"
	"th.so{cursor:pointer}th[aria-sort=ascending]::after{content:\" \\25B4\"}"
	"th[aria-sort=descending]::after{content:\" \\25BE\"}"
	"button.csv,.rng button{font:inherit;font-size:11px;color:var(--mute);background:none;"
	"border:1px solid var(--line);border-radius:5px;padding:1px 6px;margin-left:8px;cursor:pointer}"
	"button.csv{float:right;font-weight:400}.tw+button.csv{float:none;margin:4px 0 0}"
	".rng{display:flex;gap:4px;margin:0 0 6px}.rng button{margin:0}"
	".rng button[aria-pressed=true]{color:var(--fg);border-color:var(--mute)}"
	".defs{margin-top:8px;font-size:12px;color:var(--mute)}.defs summary{cursor:pointer}"
	".defs dt{font-weight:600;color:var(--fg)}.defs dd{margin:0 0 4px}"
	"footer{color:var(--mute);font-size:12px;text-align:center;padding:0 24px 24px}"
	"@media (max-width:600px){header{padding:14px 12px 6px}main{padding:6px 8px 16px;gap:10px}"
	"section{padding:12px 10px}h1{font-size:19px}.kpi .v{font-size:17px}}"
	"@media print{:root{--bg:#fff;--card:#fff;--fg:#000;--mute:#444;--line:#ccc;--grid:#eee}"
	"body{font-size:11px}nav,.tip,button.csv,.rng{display:none}main{display:block;padding:0}"
	"section{margin-bottom:10px;border-color:#ccc}thead th{position:static}"
	".tw{overflow:visible}.tw.tall{max-height:none}}";

/* The page script. Line charts: a chart's <g class="pts"> carries one row per pixel column,
 * "x,day,v,y,..." (viewBox x, day number, then value and viewBox y per series); the row nearest the
 * pointer (mouse hover, or a tap or drag on a touch screen) shows the date and values. Marks with a
 * <title> (bars, heatmap cells, histogram bins) show that title on a tap, where no hover exists. Tables
 * too wide for their card are stacked. Text is set with DOM calls, never innerHTML. */
static const char js[] =
	"(function(){"
	"var M='\\u2212';"
	"function f(v,k){if(!isFinite(v))return'\\u2014';var a=Math.abs(v),s;"
	"if(k=='pct'||k=='cum'){s=(a*100).toFixed(2)+'%';}else if(k=='usd'){s='$'+a.toLocaleString('en-US',"
	"{minimumFractionDigits:2,maximumFractionDigits:2});}else{s=a.toLocaleString('en-US',"
	"{minimumFractionDigits:2,maximumFractionDigits:2});}return (v<0&&/[1-9]/.test(s)?M:'')+s;}"
	"function day(d){return new Date(d*864e5).toISOString().slice(0,10);}"
	"function place(tip,box,e){var w=box.getBoundingClientRect(),x=e.clientX-w.left+14;"
	"tip.hidden=false;if(x+tip.offsetWidth>w.width)x-=tip.offsetWidth+28;"
	"tip.style.left=Math.max(0,Math.min(x,w.width-tip.offsetWidth))+'px';}"
	"var hides=[];function hideAll(){hides.forEach(function(h){h();});}"
	"document.addEventListener('pointerdown',hideAll,true);"
	"document.querySelectorAll('svg.ch').forEach(function(svg){"
	"var box=svg.parentNode,tip=box.querySelector('.tip'),g=svg.querySelector('.pts');"
	"var cur=svg.querySelector('.cur'),dots=svg.querySelectorAll('.dot');"
	"function hide(){tip.hidden=true;if(cur)cur.style.display='none';"
	"dots.forEach(function(d){d.style.display='none';});}"
	"hides.push(hide);hide();"
	"svg.addEventListener('pointerleave',function(e){if(e.pointerType=='mouse')hide();});"
	"if(!g){svg.addEventListener('pointerdown',function(e){"
	"var t=e.target.closest('[data-v]'),ti=t&&t.querySelector('title');"
	"if(!ti){hide();return;}if(e.pointerType=='mouse')return;"
	"tip.textContent=ti.textContent;place(tip,box,e);});return;}"
	"var names=g.getAttribute('data-names').split('|'),k=g.getAttribute('data-fmt');"
	"var rows=g.getAttribute('data-p').split(';').map(function(r){return r.split(',').map(Number);});"
	"function show(e){"
	"var m=svg.getScreenCTM();if(!m||!rows.length)return;"
	"var p=svg.createSVGPoint();p.x=e.clientX;p.y=e.clientY;p=p.matrixTransform(m.inverse());"
	"var lo=0,hi=rows.length-1;while(lo<hi){var c=(lo+hi)>>1;if(rows[c][0]<p.x)lo=c+1;else hi=c;}"
	"if(lo>0&&p.x-rows[lo-1][0]<rows[lo][0]-p.x)lo--;"
	"var r=rows[lo];cur.setAttribute('x1',r[0]);cur.setAttribute('x2',r[0]);cur.style.display='';"
	"tip.textContent='';var b=document.createElement('b');b.textContent=day(r[1]);tip.appendChild(b);"
	"for(var i=0;i<names.length;i++){var v=r[2+2*i];"
	"if(k=='cum')v-=1;"
	"var d=dots[i];if(d){if(isFinite(r[3+2*i])){d.setAttribute('cx',r[0]);d.setAttribute('cy',r[3+2*i]);"
	"d.style.display='';}else d.style.display='none';}"
	"var l=document.createElement('div');l.className='k'+i;"
	"l.textContent=names[i]+'  '+f(v,k);tip.appendChild(l);}"
	"place(tip,box,e);}"
	"svg.addEventListener('pointermove',show);svg.addEventListener('pointerdown',show);"
	"});"
	"var tabs=document.querySelectorAll('.tw>table');"
	"tabs.forEach(function(t){var h=[].map.call(t.querySelectorAll('thead th'),function(x){return x.textContent;});"
	"[].forEach.call(t.tBodies[0]?t.tBodies[0].rows:[],function(r){[].forEach.call(r.cells,function(c,i){"
	"if(h[i])c.setAttribute('data-l',h[i]);});});});"
	"function fit(){tabs.forEach(function(t){t.classList.remove('st','wr');"
	"function wide(){return t.scrollWidth>t.parentNode.clientWidth+1;}"
	"if(wide()){t.classList.add('wr');if(wide()){t.classList.remove('wr');t.classList.add('st');}}});}"
	"fit();window.addEventListener('resize',fit);"
	"window.addEventListener('beforeprint',function(){document.querySelectorAll('details')"
	".forEach(function(d){d.open=true;});fit();});"
	/* Sortable tables: a click (or Enter) on a column header sorts by it, numbers by their data-v. */
	"tabs.forEach(function(t){var b=t.tBodies[0];if(!b)return;"
	"t.querySelectorAll('thead th').forEach(function(h,i){h.tabIndex=0;h.classList.add('so');"
	"function go(){var asc=h.getAttribute('aria-sort')!='ascending';"
	"t.querySelectorAll('thead th').forEach(function(x){x.removeAttribute('aria-sort');});"
	"h.setAttribute('aria-sort',asc?'ascending':'descending');"
	"var rows=[].slice.call(b.rows),key=function(r){var c=r.cells[i];if(!c)return'';"
	"var v=c.getAttribute('data-v');return v!==null&&v!==''?+v:c.textContent;};"
	"rows.sort(function(x,y){var a=key(x),c=key(y),d=typeof a=='number'&&typeof c=='number'?a-c:"
	"typeof a=='number'?-1:typeof c=='number'?1:String(a).localeCompare(String(c));return asc?d:-d;});"
	"rows.forEach(function(r){b.appendChild(r);});}"
	"h.addEventListener('click',go);h.addEventListener('keydown',function(e){if(e.key=='Enter')go();});});});"
	/* CSV of every table and chart, built in the page: tables cell by cell (raw numbers from data-v),
	 * line charts the rows drawn (one per pixel column: the date and each series), other charts their
	 * marks (the hover text and the value). window.dashCSV(id) returns it (tests use it). */
	"function q(x){x=String(x);return /[\",\\n]/.test(x)?'\"'+x.replace(/\"/g,'\"\"')+'\"':x;}"
	"function line(a){return a.map(q).join(',');}"
	"function csv(el){var out=[];if(el.tagName=='TABLE'){"
	"out.push(line([].map.call(el.querySelectorAll('thead th'),function(h){return h.textContent;})));"
	"[].forEach.call(el.tBodies[0]?el.tBodies[0].rows:[],function(r){out.push(line([].map.call(r.cells,"
	"function(c){var v=c.getAttribute('data-v');return v!==null&&v!==''?v:c.textContent;})));});"
	"return out.join('\\n')+'\\n';}"
	"var g=el.querySelector('.pts');if(g){var n=g.getAttribute('data-names').split('|');"
	"out.push(line(['date'].concat(n)));g.getAttribute('data-p').split(';').forEach(function(r){"
	"var f=r.split(','),o=[day(+f[1])];for(var i=0;i<n.length;i++)o.push(f[2+2*i]=='NaN'?'':f[2+2*i]);"
	"out.push(line(o));});return out.join('\\n')+'\\n';}"
	"out.push('mark,value');el.querySelectorAll('[data-v]').forEach(function(m){var t=m.querySelector('title');"
	"out.push(line([t?t.textContent.replace(/:[^:]*$/,''):'',m.getAttribute('data-v')]));});"
	"return out.join('\\n')+'\\n';}"
	"window.dashCSV=function(id){var e=document.getElementById(id);return e?csv(e):null;};"
	"function button(el,where){var a=document.createElement('button');a.type='button';a.className='csv';"
	"a.textContent='CSV';a.title='Download '+el.id+'.csv (made in the page)';"
	"a.addEventListener('click',function(){var u=URL.createObjectURL(new Blob([csv(el)],{type:'text/csv'}));"
	"var l=document.createElement('a');l.href=u;l.download=el.id+'.csv';document.body.appendChild(l);l.click();"
	"l.remove();setTimeout(function(){URL.revokeObjectURL(u);},1000);});where(a);}"
	"tabs.forEach(function(t){button(t,function(a){t.parentNode.parentNode.insertBefore(a,t.parentNode.nextSibling);});});"
	"document.querySelectorAll('figure.chart').forEach(function(f){var c=f.querySelector('figcaption');"
	"button(f,function(a){c.appendChild(a);});});"
	/* Range buttons: a figure group offers 1Y/3Y/5Y/All views drawn by dash-gen; one is shown. */
	"document.querySelectorAll('.rng').forEach(function(r){var grp=r.parentNode;"
	"r.querySelectorAll('button').forEach(function(b){b.addEventListener('click',function(){"
	"r.querySelectorAll('button').forEach(function(x){x.setAttribute('aria-pressed',x==b);});"
	"grp.querySelectorAll('div[data-range]').forEach(function(v){v.hidden=v.getAttribute('data-range')!="
	"b.getAttribute('data-r');});});});});"
	"})();";

void
html_page_begin(FILE *fp, const char *title, const char *subtitle, int refresh, const char *const *nav)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"color-scheme\" content=\"light dark\">\n", fp);
	if (refresh > 0)
		fprintf(fp, "<meta http-equiv=\"refresh\" content=\"%d\">\n", refresh);
	fputs("<title>", fp);
	html_esc(fp, title);
	fprintf(fp, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>", css);
	html_esc(fp, title);
	fputs("</h1>\n", fp);
	if (subtitle != NULL) {
		fputs("<p class=\"sub\">", fp);
		html_esc(fp, subtitle);
		fputs("</p>\n", fp);
	}
	if (nav != NULL && nav[0] != NULL) {
		fputs("<nav>", fp);
		for (; nav[0] != NULL && nav[1] != NULL; nav += 2) {
			int page = strchr(nav[0], '/') != NULL;
			fputs(page ? "<a class=\"pg\" href=\"" : "<a href=\"#", fp);
			html_esc(fp, nav[0]);
			fputs("\">", fp);
			html_esc(fp, nav[1]);
			fputs("</a>", fp);
		}
		fputs("</nav>\n", fp);
	}
	fputs("</header>\n<main>\n", fp);
}

void
html_page_end(FILE *fp, const char *footer)
{
	fputs("</main>\n", fp);
	if (footer != NULL) {
		fputs("<footer>", fp);
		html_esc(fp, footer);
		fputs("</footer>\n", fp);
	}
	fprintf(fp, "<script>%s</script>\n</body>\n</html>\n", js);
}

void
html_section_begin(FILE *fp, const char *id, const char *title, int wide)
{
	fprintf(fp, "<section%s id=\"", wide ? " class=\"wide\"" : "");
	html_esc(fp, id);
	fputs("\">\n<h2>", fp);
	html_esc(fp, title);
	fputs("</h2>\n", fp);
}

void
html_section_end(FILE *fp)
{
	fputs("</section>\n", fp);
}

void
html_notice(FILE *fp, const char *kind, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(fp, "<p class=\"note%s\">", strcmp(kind, "info") == 0 ? " info" : " warn");
	html_esc(fp, buf);
	fputs("</p>\n", fp);
}

static const char *
sign_class(double v)
{
	return v > 0 ? " pos" : v < 0 ? " neg" : "";
}

void
html_kpi(FILE *fp, const char *id, const char *label, const char *value, const char *sub, double raw, int sign)
{
	char nb[NUM_FMT_MAX];

	fputs("<div class=\"kpi\" id=\"", fp);
	html_esc(fp, id);
	fputs("\"><div class=\"l\">", fp);
	html_esc(fp, label);
	fprintf(fp, "</div><div class=\"v%s\" data-v=\"", sign && !isnan(raw) ? sign_class(raw) : "");
	if (!isnan(raw)) {
		num_fmt(raw, nb);
		fputs(nb, fp);
	}
	fputs("\">", fp);
	html_esc(fp, isnan(raw) ? EMDASH : value);
	fputs("</div>", fp);
	if (sub != NULL) {
		fputs("<div class=\"s\">", fp);
		html_esc(fp, sub);
		fputs("</div>", fp);
	}
	fputs("</div>\n", fp);
}

/* ---- tables ---- */

void
html_table_begin(FILE *fp, const char *id, const char *caption, int scroll, const char *cols)
{
	const char *p = cols, *bar;
	size_t n;
	int numeric;

	fprintf(fp, "<div class=\"tw%s\"><table id=\"", scroll ? " tall" : "");
	html_esc(fp, id);
	fputs("\">", fp);
	if (caption != NULL) {
		fputs("<caption>", fp);
		html_esc(fp, caption);
		fputs("</caption>", fp);
	}
	fputs("<thead><tr>", fp);
	while (*p) {
		bar = strchr(p, '|');
		n = bar ? (size_t)(bar - p) : strlen(p);
		numeric = n > 0 && *p == '>';
		fprintf(fp, "<th scope=\"col\"%s>", numeric ? " class=\"n\"" : "");
		for (size_t i = numeric; i < n; i++)
			switch (p[i]) {
			case '&': fputs("&amp;", fp); break;
			case '<': fputs("&lt;", fp); break;
			default: putc(p[i], fp);
			}
		fputs("</th>", fp);
		p += n;
		if (*p == '|')
			p++;
	}
	fputs("</tr></thead>\n<tbody>\n", fp);
}

void
html_table_end(FILE *fp)
{
	fputs("</tbody></table></div>\n", fp);
}

void
html_tr(FILE *fp)
{
	fputs("<tr>", fp);
}

void
html_tr_end(FILE *fp)
{
	fputs("</tr>\n", fp);
}

void
html_td(FILE *fp, const char *text)
{
	fputs("<td>", fp);
	html_esc(fp, text ? text : EMDASH);
	fputs("</td>", fp);
}

void
html_td_wrap(FILE *fp, const char *text)
{
	if (text == NULL) {
		html_td(fp, NULL);
		return;
	}
	fputs("<td class=\"w\" title=\"", fp);
	html_esc(fp, text);
	fputs("\">", fp);
	html_esc_numbers(fp, text);
	fputs("</td>", fp);
}

void
html_th_row(FILE *fp, const char *text)
{
	fputs("<th scope=\"row\">", fp);
	html_esc(fp, text);
	fputs("</th>", fp);
}

void
html_td_num(FILE *fp, double v, const char *shown, int flags)
{
	char nb[NUM_FMT_MAX];

	if (isnan(v)) {
		fputs("<td class=\"n\" data-v=\"\">" EMDASH "</td>", fp);
		return;
	}
	num_fmt(v, nb);
	fprintf(fp, "<td class=\"n%s\" data-v=\"%s\">", (flags & HTML_SIGN) ? sign_class(v) :
	    (flags & HTML_COST) ? sign_class(-v) : "", nb);
	html_esc(fp, shown);
	fputs("</td>", fp);
}
