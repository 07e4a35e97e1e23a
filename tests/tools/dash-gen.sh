# dash-gen: the three pages from realistic inputs; numbers read back from the HTML; tidy; headless Chromium
# at 1280x800 and 390x844 (console, network, DOM, tooltips, screenshots in $OUT); missing and malformed inputs.
. "$TOP/tests/lib.sh"
T=$TOP/tests/tools/dash
PY=/usr/bin/python3
export SOURCE_DATE_EPOCH=1795640000 # 2026-11-25 20:53 UTC: pages are reproducible

years=10 # 25 years is the benchmark's size (bench/dash.sh)
sanitized && years=5
t "fixtures: $years years of backtest, a 40-day store"
$PY "$T/fixtures.py" backtest bt --years $years
$PY "$T/fixtures.py" store st --days 40
prices-last -o st/data/last.csv st/data/prices/*.csv # as the daily flow does

tidy_ok() { # page: tidy with errors fatal (exit 2 = errors; 1 = warnings, also refused here)
	local rc=0
	tidy -errors -q "$1" || rc=$?
	[ "$rc" = 0 ] || fail "tidy: $1: exit $rc"
}

# browser PAGE NAME "FIGURES|TABLES": load in Chromium (in the background: browsers_check waits), check the
# console, the network and the DOM, keep the screenshots and the printed PDF.
browsers=()
browser() {
	node --experimental-websocket "$T/browser.js" "file://$OUT/$1" "$OUT/$2" >"$2.json" 2>"$2.err" &
	browsers+=("$! $*")
	on_exit "kill $! 2>/dev/null" # a failed test does not leave a browser behind (browser.js kills its Chromium)
}
browsers_check() {
	local b pid page name figs tables
	for b in "${browsers[@]}"; do
		read -r pid page name figs <<<"$b"
		tables=${figs##*|}
		figs=${figs%|*}
		wait "$pid" || fail "$name: browser run failed: $(cat "$name.err")"
		$PY "$T/check.py" browser "$name.json" "file://$OUT/$page" "$figs" "$tables" || fail "$name: browser checks"
		[ -s "$OUT/$name-1280.png" ] && [ -s "$OUT/$name-390.png" ] && [ -s "$OUT/$name-1280-dark.png" ] \
			|| fail "$name: no screenshots"
		head -c 5 "$OUT/$name.pdf" | grep -q '%PDF-' || fail "$name: no printed PDF"
	done
}

t "backtest page: every input"
dash-gen backtest --equity bt/equity.csv --metrics bt/metrics.json --weights bt/weights.csv \
	--config bt/strategy.conf --sweep bt/sweep.csv -o backtest.html
tidy_ok backtest.html
$PY "$T/check.py" backtest backtest.html bt
$PY "$T/check.py" offline backtest.html
assert_contains backtest.html 'AT&amp;T'
assert_contains backtest.html '<title>Backtest'

t "backtest page from the real tools: market-gen | weights | backtest"
mkdir real
market-gen --seed 7 --securities 120 --days 900 -o real/prices.csv
weights <real/prices.csv >real/weights.csv
backtest --prices real/prices.csv --weights real/weights.csv -o real/equity.csv --metrics real/metrics.json
dash-gen backtest --equity real/equity.csv --metrics real/metrics.json --weights real/weights.csv \
	--config "$TOP/etc/strategy.conf" -o real.html
tidy_ok real.html
$PY "$T/check.py" backtest real.html real
$PY "$T/check.py" offline real.html
# The parameters as the backtest ran, labelled; a setting that does not apply (vol_window under equal
# weights: sti-strategy.conf(5)) is left out and said; no temporary path.
assert_contains real.html '<tr data-p="lookback"><th scope="row">Momentum lookback</th><td>264 trading days</td></tr>'
assert_contains real.html 'Not shown, as they do not apply: vol_window (only with weighting = inverse_vol).'
if grep -q 'data-p="vol_window"' real.html; then fail "vol_window shown under equal weights"; fi
sed 's/^weighting = equal/weighting = inverse_vol/' "$TOP/etc/strategy.conf" >ivol.conf
dash-gen backtest -q --equity real/equity.csv --config "$PWD/ivol.conf" -o ivol.html
assert_contains ivol.html '<caption>From the strategy config ivol.conf</caption>'
assert_contains ivol.html '<tr data-p="vol_window"><th scope="row">Volatility window</th><td>63 trading days</td></tr>'
if grep -q "$PWD" ivol.html; then fail "the page shows a local path"; fi
# One unit for turnover (% of the portfolio) in the metrics, the tiles and the turnover card.
if grep -q $'\xc3\x97<' real.html; then fail "turnover shown as a multiple somewhere"; fi
# Definitions (Sharpe's among them), the benchmark named and described, partial years marked.
assert_contains real.html '<dt>Sharpe</dt><dd>mean(r − rf) / std(r − rf, ddof 1) × √252, rf the daily risk-free rate</dd>'
assert_contains real.html 'Benchmark: the equal-weight portfolio of the universe&#39;s members'
$PY - <<'EOF2' || fail "partial years"
import json, re
m = json.load(open("real/metrics.json"))
page = open("real.html").read()
rows = re.findall(r'<th scope="row">(\d{4}\*?)</th>', page[page.index('<table id="yearly"'):].split("</table>")[0])
# market-gen starts on its own start date and runs 900 trading days: the first and last years are partial
# unless they start in the first days of January or end on the last trading day of December.
assert rows[0].endswith("*") and rows[-1].endswith("*"), rows
assert all(not r.endswith("*") for r in rows[1:-1]), rows
assert "* a partial year: the series runs from %s to %s." % (m["start"], m["end"]) in page
EOF2

t "explorer: backtest --grid over the real market, the production point marked, PSR and DSR"
# The grid engine's files (sti-backtest(5)) as pipelines/sweep stores them; etc/strategy.conf is the
# production configuration (lookback 264, skip 22), one of the points.
{ echo lookback,skip; for l in 63 126 264; do for k in 0 22; do echo "$l,$k"; done; done; } >real/grid.csv
backtest --grid real/grid.csv --config "$TOP/etc/strategy.conf" --prices real/prices.csv -o real/sweep.csv \
	--grid-equity real/grid-equity.csv
dash-gen backtest --equity real/equity.csv --metrics real/metrics.json --config "$TOP/etc/strategy.conf" \
	--sweep real/sweep.csv --grid-table real/sweep.csv --grid-equity real/grid-equity.csv -o explorer.html
tidy_ok explorer.html
$PY "$T/check.py" offline explorer.html
assert_contains explorer.html '<section class="wide" id="explorer">'
assert_contains explorer.html '"prod":5,"trials":6,'
assert_contains explorer.html 'In-sample: every one of these 6 points'
browser explorer.html explorer "|"
# a grid equity row naming a point the table does not have: named, exit 65, the page still written
{ head -1 real/grid-equity.csv; echo "6,2020-01-02,0.01"; } >bad-ge.csv
assert_status 65 dash-gen backtest -q --grid-table real/sweep.csv --grid-equity bad-ge.csv -o bad-ge.html 2>bad-ge.err
assert_contains bad-ge.err 'bad-ge.csv:2: point: point 6 is not a row of the grid table'
assert_contains bad-ge.html 'Parameter explorer'
assert_status 64 dash-gen backtest --grid-equity real/grid-equity.csv -o x.html 2>/dev/null

t "walk-forward: backtest --walk-forward's out-of-sample curve on the page, its numbers those of --wf-metrics"
# The expected numbers are backtest(1)'s own metrics document of the same curve (--wf-metrics,
# sti-backtest(5)); the page computes them again from --wf-out.
backtest --grid real/grid.csv --config "$TOP/etc/strategy.conf" --prices real/prices.csv -o /dev/null \
	--walk-forward 126:63 --wf-out real/wf.csv --wf-metrics real/wf-metrics.json
dash-gen backtest --equity real/equity.csv --metrics real/metrics.json --walk-forward real/wf.csv -o wf.html
tidy_ok wf.html
assert_contains wf.html '<figure class="chart" id="chart-walkforward">'
assert_contains wf.html '<a href="#walkforward">Walk-forward</a>'
$PY - wf.html real/wf-metrics.json <<'EOF2'
import json, re, sys
page, m = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))["strategy"]
for kpi, key in (("kpi-wf-sharpe", "sharpe"), ("kpi-wf-cagr", "cagr"), ("kpi-wf-mdd", "max_drawdown")):
    v = float(re.search(r'id="%s">.*?data-v="([^"]+)"' % kpi, page).group(1))
    assert abs(v - m[key]) <= 1e-12 * max(1, abs(m[key])), (kpi, v, m[key])
EOF2
# a malformed curve: named, exit 65, the page still written with the section saying so
{ echo date,point,net; echo 2020-01-03,0,0.01; echo 2020-01-02,0,0.01; } >bad-wf.csv
assert_status 65 dash-gen backtest -q --walk-forward bad-wf.csv -o bad-wf.html 2>bad-wf.err
assert_contains bad-wf.err 'bad-wf.csv:3: date: dates must ascend'
assert_contains bad-wf.html 'Not available: the walk-forward curve'
assert_status 64 dash-gen live --root . --walk-forward real/wf.csv -o x.html 2>/dev/null

t "the number check notices a changed number"
sed 's/data-v="\([0-9]\)/data-v="9\1/' backtest.html >changed.html
if $PY "$T/check.py" backtest changed.html bt 2>/dev/null; then fail "dash-check accepted a changed page"; fi

t "backtest page in Chromium"
browser backtest.html backtest \
	"chart-cum chart-cum-log chart-cum-volmatch chart-daily chart-underwater chart-rolling-vol chart-rolling-sharpe chart-rolling-sortino chart-rolling-beta chart-yearly chart-monthly chart-monthly-bench chart-monthly-excess chart-distribution chart-quantiles chart-turnover chart-sweep|metrics metrics-more yearly drawdowns holdings params sweep-best"

t "live page: the store, with a refresh"
dash-gen live --root st --refresh 300 -o live.html
tidy_ok live.html
$PY "$T/check.py" live live.html st
$PY "$T/check.py" offline live.html
assert_contains live.html '<meta http-equiv="refresh" content="300">'
assert_contains live.html 'connection refused by &lt;gateway&gt; &amp; retried'
assert_contains live.html ' · refreshes every 5 minutes</p>'
browser live.html live "chart-nav chart-pnl chart-tracking chart-tracking-diff chart-positions-history chart-actual-weights-history chart-weights-history|positions orders fills blotter freshness runs alerts"

t "live page: positions history from every date's positions.ndjson, target weights from the backtest's weights.csv"
# Expectations read from the store's own records (sti-store(7)): each cell is a record's qty.
$PY - live.html st <<'EOF2'
import glob, json, os, re, sys
import pandas as pd
page, root = open(sys.argv[1]).read(), sys.argv[2]
def cells(fig):
    i = page.index('id="%s"' % fig)
    body = page[i:page.index("</figure>", i)]
    return {(d, s.replace("&amp;", "&")): float(v) for v, d, s in
            re.findall(r'data-v="([^"]+)"[^>]*><title>date ([0-9-]+), symbol ([^:]+):', body)}
want = {}
for f in sorted(glob.glob(os.path.join(root, "trading", "*", "positions.ndjson")))[-30:]:
    d = f.split(os.sep)[-2]
    for line in open(f):
        r = json.loads(line)
        want[(d, r["symbol"])] = float(r["qty"])
got = cells("chart-positions-history")
assert got == want, (len(got), len(want))
assert len({d for d, _ in got}) == 5, "five dates with positions"
bt = sorted(glob.glob(os.path.join(root, "backtest", "*", "weights.csv")))[-1]
w = pd.read_csv(bt, dtype={"id": str}, float_precision="round_trip")
assert cells("chart-weights-history") == {(r.date, r.symbol): r.weight for r in w.itertuples()}
EOF2
assert_contains live.html '<a href="#positions-history">Positions history</a>'

# actual_weights PAGE ROOT: the actual weights history's cells against pandas, independently of the page's
# code: for each of the 30 latest dates with positions, qty (positions.ndjson) x that date's close (the
# yearly partitions data/prices/YYYY.csv, matched by symbol as the positions table matches data/last.csv)
# / that date's net_liquidation (the last account record of account.ndjson), or the sum of the holdings'
# values when the date has none (the definition of a portfolio weight, sti-store(7)'s fields). A missing
# close is an empty cell, never a number.
actual_weights() {
	$PY - "$1" "$2" <<'EOF2'
import glob, json, math, os, re, sys
import pandas as pd
page, root = open(sys.argv[1]).read(), sys.argv[2]
i = page.index('id="chart-actual-weights-history"')
body = page[i:page.index("</figure>", i)]
got = {(d, s.replace("&amp;", "&")): float(v) for v, d, s in
       re.findall(r'data-v="([^"]+)"[^>]*><title>date ([0-9-]+), symbol ([^:]+):', body)}
px = pd.concat([pd.read_csv(f, float_precision="round_trip")
                for f in sorted(glob.glob(os.path.join(root, "data", "prices", "[0-9][0-9][0-9][0-9].csv")))])
close = {(r.date, r.symbol): r.close for r in px.itertuples() if not math.isnan(r.close)}
want, empty, nonav = {}, 0, 0
dates = sorted(glob.glob(os.path.join(root, "trading", "*", "positions.ndjson")))[-30:]
for f in dates:
    d = f.split(os.sep)[-2]
    pos = [json.loads(x) for x in open(f) if x.strip()]
    pos = [p for p in pos if p.get("type") == "position"]
    a = os.path.join(root, "trading", d, "account.ndjson")
    acc = [json.loads(x) for x in open(a) if x.strip()] if os.path.exists(a) else []
    acc = [x for x in acc if x.get("type") == "account"]
    val = {p["symbol"]: p["qty"] * close[(d, p["symbol"])] for p in pos if (d, p["symbol"]) in close}
    empty += len(pos) - len(val)
    nlv = acc[-1]["net_liquidation"] if acc else sum(val.values())
    nonav += not acc
    want.update({(d, s): v / nlv for s, v in val.items()})
assert got.keys() == want.keys(), (sorted(set(got) ^ set(want)))
for k in want:
    assert abs(got[k] - want[k]) <= 1e-12 * abs(want[k]), (k, got[k], want[k])
assert empty == 1, "the fixture's one missing close"
assert body.count('class="fe"') >= empty, "a missing close drawn as an empty cell"
note = "%d of %d dates have no account record" % (nonav, len(dates))
assert (note in page) == (nonav > 0), note
print(len(got), "cells,", nonav, "dates without an account record")
EOF2
}
actual_weights live.html st >/dev/null
assert_contains live.html '<a href="#actual-weights-history">Actual weights</a>'
if grep -q 'actual weights are shown for the latest date only' live.html; then fail "the old note"; fi

t "mock page: the same views for ib-sim"
dash-gen mock --root st -o mock.html
tidy_ok mock.html
$PY "$T/check.py" live mock.html st
assert_contains mock.html '<title>Mock trading</title>'
assert_contains mock.html 'simulated account (ib-sim)'
if grep -q 'http-equiv="refresh"' mock.html; then fail "refresh without --refresh"; fi
# (the mock page has the live page's views: its browser run would repeat the live one)

# freshness ROOT PAGE HTML: the State column of the freshness table, one word per row, space-separated.
freshness() {
	$PY - "$1" <<'EOF2'
import re, sys
page = open(sys.argv[1]).read()
t = page[page.index('<table id="freshness"'):].split("</table>")[0]
print(" ".join(re.findall(r'<td><span class="[a-z]*">([^<]*)</span></td>', t)))
EOF2
}

t "freshness is counted on the flow's clock: the mock page's simulated day, the live run's own end"
# The issue: a mock page all "stale" (it runs on a simulated clock) and a live page saying "Last flow run
# 647 days, stale" next to a run that ended today. Here the wall clock (SOURCE_DATE_EPOCH) is two years
# after the store's last run (2026-11-25), whose date is the flow's clock: the data are fresh on it.
later=1860000000 # 2028-12-09
SOURCE_DATE_EPOCH=$later dash-gen mock -q --root st -o fresh-mock.html
got=$(freshness fresh-mock.html)
[ "$got" = "fresh fresh fresh fresh ran (on demand)" ] || fail "mock freshness: $got"
assert_contains fresh-mock.html "behind the flow&#39;s clock, 2026-11-25 (the simulated day of the last mock run)"
SOURCE_DATE_EPOCH=$later dash-gen live -q --root st -o fresh-live.html
got=$(freshness fresh-live.html)
[ "$got" = "fresh fresh fresh fresh stale" ] || fail "live freshness, run two years ago: $got"
# A run that ended on the wall clock's day is fresh, whatever trading date it was for.
cp -r st st-ran
$PY - <<'EOF2'
import json
p = "st-ran/logs/runs.ndjson"
runs = [json.loads(x) for x in open(p)]
runs[-1]["end"] = "2028-12-08T21:30:00Z"
open(p, "w").write("".join(json.dumps(r) + "\n" for r in runs))
EOF2
SOURCE_DATE_EPOCH=$later dash-gen live -q --root st-ran -o fresh-ran.html
got=$(freshness fresh-ran.html)
[ "$got" = "fresh fresh fresh fresh fresh" ] || fail "live freshness, run ended today: $got"
# Data behind the flow's clock are stale: a run 10 trading days after the last prices.
$PY - <<'EOF2'
import json
p = "st-ran/logs/runs.ndjson"
runs = [json.loads(x) for x in open(p)]
runs.append(dict(runs[-1], date="2026-12-09"))
open(p, "w").write("".join(json.dumps(r) + "\n" for r in runs))
EOF2
SOURCE_DATE_EPOCH=$later dash-gen live -q --root st-ran -o fresh-behind.html
got=$(freshness fresh-behind.html)
[ "$got" = "stale stale stale stale fresh" ] || fail "live freshness, data behind the run: $got"

t "alerts: the recorded priority (none: an em dash, not 0), long messages wrap, numbers rounded"
cp -r st st-alerts
echo '{"type":"alert","time":"2026-11-25T21:20:00Z","flow":"daily","title":"daily ok","message":"daily 2026-11-25 ok: backtest Sharpe 1.3008122602147079; NAV 1081586"}' \
	>>st-alerts/logs/alerts.ndjson
dash-gen live -q --root st-alerts -o alerts.html
tidy_ok alerts.html
assert_contains alerts.html '<td class="n" data-v="">'"$(printf '\xe2\x80\x94')"'</td><th scope="row">daily ok</th><td class="w" title="daily 2026-11-25 ok: backtest Sharpe 1.3008122602147079; NAV 1081586">daily 2026-11-25 ok: backtest Sharpe 1.3008; NAV 1081586</td>'
assert_contains alerts.html '<td class="n" data-v="1">1 (high)</td><th scope="row">daily flow failed</th>'

t "tracking: account records counted as such (no 'history on 1 date' beside 'no account records')"
cp -r st st-noacc
rm st-noacc/trading/*/account.ndjson
dash-gen live -q --root st-noacc -o noacc.html
assert_contains noacc.html 'Not available: no account records (trading/DATE/account.ndjson).'
grep -A2 'id="tracking"' noacc.html | grep -qF '<p class="note warn">Not available: no account records.</p>' \
	|| fail "tracking without account records"
if grep -q 'account history on' noacc.html; then fail "tracking says there is account history"; fi
# No account record: each date's weights are over the holdings' values, and the page says so.
[ "$(actual_weights noacc.html st-noacc)" = "39 cells, 5 dates without an account record" ] || fail "actual weights without account records"
assert_contains noacc.html '5 of 5 dates have no account record: their weights are over the sum of the holdings&#39; values (no cash).'
cp -r st st-oneacc
for d in $(ls st-oneacc/trading | head -n -1); do rm st-oneacc/trading/$d/account.ndjson; done
dash-gen live -q --root st-oneacc -o oneacc.html
assert_contains oneacc.html 'account records on 1 date, the latest backtest&#39;s equity on 40, 1 in common.'

t "--links: each page links the other two where pipelines/dashboards puts them (dashboards/NAME/index.html)"
mkdir -p site/backtest site/live site/mock
dash-gen backtest -q --links --equity bt/equity.csv --metrics bt/metrics.json -o site/backtest/index.html
dash-gen live -q --links --root st -o site/live/index.html
dash-gen mock -q --links --root st -o site/mock/index.html
for p in backtest live mock; do
	tidy_ok site/$p/index.html
	$PY "$T/check.py" offline site/$p/index.html
	for o in backtest live mock; do
		if [ $o = $p ]; then
			if grep -q "href=\"../$o/index.html\"" site/$p/index.html; then fail "$p links itself"; fi
		else
			assert_contains site/$p/index.html "<a class=\"pg\" href=\"../$o/index.html\">"
			[ -s "site/$p/../$o/index.html" ] || fail "$p: the link to $o leads nowhere"
		fi
	done
done
if grep -q 'class="pg"' backtest.html live.html; then fail "links without --links"; fi

t "live page without data/last.csv: last prices from the day's fills and orders"
cp -r st st-noprices
rm st-noprices/data/last.csv
dash-gen live -q --root st-noprices -o noprices.html
tidy_ok noprices.html
$PY "$T/check.py" live noprices.html st-noprices
assert_contains noprices.html "else the day&#39;s fills or order reference prices"

t "live page: a name whose last row is far from the end of the panel keeps its last close"
# 10 MB of later rows of other ids: the page once read only the panel's last 8 MB and lost the positions'
# prices (issue 19); check.py expects each symbol's last close in the whole panel.
cp -r st st-old
awk -F, -v OFS=, 'NR > 1 { d = $1 } END { for (k = 0; k < 300000; k++) { id = 900000 + k % 1000
	if (k % 1000 == 0) d = sprintf("2099-%02d-%02d", 1 + int(k / 28000), 1 + int(k / 1000) % 28)
	print d, id, "Z" id, 1, 1, 1, 1, 1000, 0 } }' st/data/prices/2026.csv >>st-old/data/prices/2026.csv
[ "$(stat -c %s st-old/data/prices/2026.csv)" -gt 10000000 ] || fail "the panel should exceed 10 MB"
prices-last -o st-old/data/last.csv st-old/data/prices/2026.csv
dash-gen live -q --root st-old -o old.html
$PY "$T/check.py" live old.html st-old

t "missing inputs: a page that says what is missing, exit 0"
dash-gen backtest --equity nope.csv --metrics bt/metrics.json -o partial.html 2>partial.err
tidy_ok partial.html
assert_contains partial.err 'dash-gen: nope.csv: missing'
assert_contains partial.err 'dash-gen: weights CSV: not given (--weights)'
assert_contains partial.html 'nope.csv: missing'
assert_contains partial.html 'Not available: the equity CSV.'
assert_contains partial.html 'id="metrics"'
browser partial.html partial "chart-yearly chart-monthly chart-turnover|metrics yearly drawdowns"

mkdir empty
dash-gen live --root empty -o empty.html 2>empty.err
tidy_ok empty.html
assert_contains empty.html 'Not available: no account records'
assert_contains empty.html 'Not available: no positions'
$PY "$T/check.py" offline empty.html


t "only an equity file: yearly and monthly returns computed from it"
dash-gen backtest -q --equity bt/equity.csv -o eq-only.html
tidy_ok eq-only.html
$PY - <<'EOF' || fail "yearly returns from the equity"
import pandas as pd, re
eq = pd.read_csv("bt/equity.csv")
want = (1 + eq["net"]).groupby(pd.DatetimeIndex(eq["date"]).year).prod() - 1
page = open("eq-only.html").read()
table = page[page.index('id="yearly"'):]
got = [float(x) for x in re.findall(r'<td class="n[^"]*" data-v="([^"]*)"', table.split("</table>")[0])[0::3]]
assert len(got) == len(want), (len(got), len(want))
for g, w in zip(got, want):
	assert abs(g - w) <= 1e-12 * max(1, abs(w)), (g, w)
EOF

t "worst drawdowns: the last one still open is not 'recovered' (metrics JSON and equity alone)"
# The expectation is quantstats' drawdown_details (stats.py), re-implemented with pandas: an open period's
# "end" is the series' last date; it has no recovery. A closed one recovered on the next row's date.
$PY - <<'EOF2' || fail "open-drawdown fixture"
import json, pandas as pd
r = [0.01, -0.02, 0.03, 0.01, -0.05, 0.02, 0.04, 0.01, -0.03, -0.02, 0.01]
days = pd.bdate_range("2025-02-17", periods=len(r))
eq = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "gross": r, "net": r, "equity": pd.Series(r).add(1).cumprod(),
                   "turnover": 0.0, "cost": 0.0})
eq.to_csv("open-eq.csv", index=False)
w = pd.Series(r, index=days).add(1).cumprod()
dd = w / w.cummax().clip(lower=1) - 1
no = dd == 0
starts = list(dd.index[~no & no.shift(1, fill_value=True)])
ends = list(dd.index[(no & (~no).shift(1, fill_value=False)).shift(-1, fill_value=False)])
if not ends or starts[-1] > ends[-1]:
    ends.append(dd.index[-1])
rows = [{"start": str(s.date()), "valley": str(dd[s:e].idxmin().date()), "end": str(e.date()),
         "days": (e - s).days + 1, "max_drawdown": float(dd[s:e].min())} for s, e in zip(starts, ends)]
rows.sort(key=lambda x: x["max_drawdown"])
json.dump({"type": "metrics", "start": eq["date"].iloc[0], "end": eq["date"].iloc[-1], "strategy": {"cagr": 0.1},
           "drawdowns": rows}, open("open-m.json", "w"))
json.dump(rows, open("open-want.json", "w"))
EOF2
dash-gen backtest -q --equity open-eq.csv --metrics open-m.json -o open-m.html
dash-gen backtest -q --equity open-eq.csv -o open-eq.html
for p in open-m.html open-eq.html; do
	tidy_ok $p
	$PY - "$p" <<'EOF2' || fail "$p: open drawdown"
import json, re, sys
want = json.load(open("open-want.json"))
page = open(sys.argv[1]).read()
table = page[page.index('<table id="drawdowns"'):].split("</table>")[0]
rows = [re.findall(r"<td[^>]*>([^<]*)</td>", tr) for tr in table.split("<tr>")[2:]]
assert len(rows) == len(want) == 3, rows
for got, w in zip(rows, want):
    assert got[1:4] == [w["start"], w["valley"], w["end"]], (got, w)
    assert int(got[5]) == w["days"], (got, w)
    if w["end"] == "2025-03-03":  # the last date: open, its depth on that day
        assert got[4] == "not yet (open: −4.0% on 2025-03-03)", got
    else:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", got[4]) and got[4] > w["end"], got
EOF2
done

t "malformed input: the page is written, the problem named, exit 65"
{ head -3 bt/equity.csv; echo "2030-01-01,0.1,abc,1,0,0,0,0,1,0,0"; } >bad.csv
assert_status 65 dash-gen backtest --equity bad.csv --metrics bt/metrics.json --weights bt/weights.csv -o bad.html 2>bad.err
assert_contains bad.err "dash-gen: bad.csv:4: net: 'abc' is not a number"
assert_contains bad.html "bad.csv:4: net: &#39;abc&#39; is not a number"
tidy_ok bad.html
echo '{"type":"account",' >st/trading/$(ls st/trading | tail -1)/account.ndjson
assert_status 65 dash-gen live --root st -o badlive.html 2>badlive.err
assert_contains badlive.err 'account.ndjson:1: invalid JSON'
tidy_ok badlive.html

t "output is atomic: an unwritable target leaves nothing behind"
assert_status 73 dash-gen backtest -q -o no/such/dir/x.html
[ -z "$(ls no 2>/dev/null)" ] || fail "left files behind"
t "the browser runs: no console error, no request, every chart and table, screenshots"
browsers_check
$PY "$T/check.py" explorer explorer.json real/sweep.csv sweep || fail "explorer in Chromium"
# The actual weights history's CSV download, made in the page (window.dashCSV): one row per cell drawn,
# its date, symbol and the cell's value (the empty cell of the missing close has none).
$PY - live.json live.html <<'EOF2' || fail "actual weights CSV"
import csv, html, io, json, re, sys
r, page = json.load(open(sys.argv[1])), open(sys.argv[2]).read()
rows = list(csv.reader(io.StringIO(r["views"]["1280"]["controls"]["csv"]["chart-actual-weights-history"])))
i = page.index('id="chart-actual-weights-history"')
cells = re.findall(r'data-v="([^"]+)"[^>]*><title>(date [0-9-]+, symbol [^:]+):', page[i:page.index("</figure>", i)])
assert rows[0] == ["mark", "value"] and sorted(map(tuple, rows[1:])) == sorted((html.unescape(t), v) for v, t in cells), rows[:3]
assert len(rows) == 40, len(rows)  # 40 positions on 5 dates, one without a close
EOF2
echo "screenshots: $(ls "$OUT"/*.png | wc -l) in $OUT"
