# dash-demo: `make demo`'s flow (pipelines/demo), shortened, shows a live page as a production user sees it:
# the live flow's account is driven through an ib-sim of its own (issue 17: the live page was mostly "Not
# available" because no account drove it), a separate account from mock-trading's. The expectations are
# the store's own records (check.py reads them back) and the issue's: no "Not available" on the live page.
. "$TOP/tests/lib.sh"
T=$TOP/tests/tools/dash
PY=/usr/bin/python3
export STI_LOG_FORMAT=text SAMPLE_SEED=5 SAMPLE_SECURITIES=120 SAMPLE_UNIVERSE=100 SAMPLE_DAYS=380
export DEMO_DAYS=3 DEMO_LIVE_ACCOUNT=DU7000042
# (the flows run `ib-sim`, `daily` and the rest from $TOP/bin: the executables under test)

t "the demo, $DEMO_DAYS simulated days"
"$TOP/pipelines/demo" >demo.out 2>demo.log || { tail -20 demo.log; fail "demo failed"; }
live=var/store/dashboards/live/index.html
mock=var/store/dashboards/mock/index.html
[ -s "$live" ] && [ -s "$mock" ] || fail "no dashboards"
assert_contains demo.out "live: $PWD/var/store/dashboards/live/index.html"

t "the live page: the live account, every view there"
assert_contains "$live" "broker account $DEMO_LIVE_ACCOUNT"
if grep -o 'Not available[^<]*' "$live"; then fail "the live page has views not available"; fi
$PY "$T/check.py" live "$live" var/store
# trading dates: the first run's and one per simulated day, each with an account record
n=$(ls var/store/trading | wc -l)
assert_eq $((DEMO_DAYS + 1)) "$n" "live trading dates"
for d in var/store/trading/*/; do
	grep -q "\"account\":\"$DEMO_LIVE_ACCOUNT\"" "$d/account.ndjson" || fail "$d: not the live account"
done

t "the mock page: its own simulated account"
if grep -q "$DEMO_LIVE_ACCOUNT" "$mock" var/store/mock/trading/*/account.ndjson; then
	fail "the mock account is the live one"
fi
$PY "$T/check.py" live "$mock" var/store/mock

t "the live page in Chromium: no console error, no request, right at 390 px"
node --experimental-websocket "$T/browser.js" "file://$PWD/$live" "$PWD/live" >live.json 2>live.err \
	|| fail "browser: $(cat live.err)"
$PY "$T/check.py" browser live.json "file://$PWD/$live" "chart-nav chart-pnl chart-tracking" \
	"positions orders fills freshness runs alerts"
