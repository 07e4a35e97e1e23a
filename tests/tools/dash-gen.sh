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
prices-last -o st/data/last.csv st/data/prices.csv # as the daily flow does

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

t "the number check notices a changed number"
sed 's/data-v="\([0-9]\)/data-v="9\1/' backtest.html >changed.html
if $PY "$T/check.py" backtest changed.html bt 2>/dev/null; then fail "dash-check accepted a changed page"; fi

t "backtest page in Chromium"
browser backtest.html backtest \
	"chart-cum chart-cum-log chart-underwater chart-rolling-vol chart-rolling-sharpe chart-yearly chart-monthly chart-distribution chart-turnover chart-sweep|metrics yearly drawdowns holdings params sweep-best"

t "live page: the store, with a refresh"
dash-gen live --root st --refresh 300 -o live.html
tidy_ok live.html
$PY "$T/check.py" live live.html st
$PY "$T/check.py" offline live.html
assert_contains live.html '<meta http-equiv="refresh" content="300">'
assert_contains live.html 'connection refused by &lt;gateway&gt; &amp; retried'
browser live.html live "chart-nav chart-pnl chart-tracking|positions orders fills freshness runs alerts"

t "mock page: the same views for ib-sim"
dash-gen mock --root st -o mock.html
tidy_ok mock.html
$PY "$T/check.py" live mock.html st
assert_contains mock.html '<title>Mock trading</title>'
assert_contains mock.html 'simulated account (ib-sim)'
if grep -q 'http-equiv="refresh"' mock.html; then fail "refresh without --refresh"; fi
# (the mock page has the live page's views: its browser run would repeat the live one)

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
	print d, id, "Z" id, 1, 1, 1, 1, 1000, 0 } }' st/data/prices.csv >>st-old/data/prices.csv
[ "$(stat -c %s st-old/data/prices.csv)" -gt 10000000 ] || fail "the panel should exceed 10 MB"
prices-last -o st-old/data/last.csv st-old/data/prices.csv
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
echo "screenshots: $(ls "$OUT"/*.png | wc -l) in $OUT"
