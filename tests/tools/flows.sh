#!/usr/bin/env bash
# End to end: first-time plus daily runs of the real flows through ib-sim on a generated market.
# Orders only on rebalance days; every order fills and positions become what the orders aimed at; re-running
# a day places no order; ib-sim killed during a run and the run repeated leaves each order once; the mock
# account tracks the backtest; dashboards are written; holidays are skipped.
. "$TOP/tests/lib.sh"
. "$TOP/pipelines/csv.sh"

export STI_STORE=$OUT/store STI_STATE=$OUT/state STI_LOG_FORMAT=text
export SAMPLE_SEED=11 SAMPLE_SECURITIES=120 SAMPLE_UNIVERSE=100 SAMPLE_DAYS=350 SAMPLE_START=2023-01-03
export SOURCE=sample TRADE=transmit DAILY_DASHBOARDS=0 STI_NO_FAILURE_ALERT=1
days=20
sanitized && days=12
# Rebalancing every 5 days puts several rebalances (orders, fills, re-runs) in a short window.
sed 's/^rebalance_every = .*/rebalance_every = 5/' "$TOP/etc/strategy.conf" >"$OUT/strategy.conf"
export STRATEGY_CONFIG=$OUT/strategy.conf
flows=$TOP/pipelines
sim_port=$(free_port)
export IB_HOST=127.0.0.1 IB_PORT=$sim_port IB_CLIENT_ID=21

# The generated market, and the day the first run sees it up to.
mkdir -p "$STI_STATE/sample"
market-gen --seed $SAMPLE_SEED --securities $SAMPLE_SECURITIES --days $SAMPLE_DAYS --start $SAMPLE_START \
	--universe-size $SAMPLE_UNIVERSE -o "$STI_STATE/sample/market.csv" --universe-out "$STI_STATE/sample/universe.csv"
end=$(csv_last date "$STI_STATE/sample/market.csv")
start=$(trading-day --list $SAMPLE_START "$end" | tail -n $((days + 1)) | head -n 1)

sim_start() {
	ib-sim -q --prices "$STI_STATE/sample/market.csv" --state "$OUT/sim" --port "$sim_port" --start "$start" \
		--slippage-bps 5 2>>"$OUT/ib-sim.log" &
	sim_pid=$!
	wait_for 30 ib-sim ctl --port "$sim_port" status >/dev/null 2>&1 || fail "ib-sim did not start"
}
sim_stop() { ib-sim ctl --port "$sim_port" shutdown >/dev/null 2>&1 || true; wait "$sim_pid" 2>/dev/null || true; }
sim_orders() { ib-sim ctl --port "$sim_port" status | sed -n 's/.* orders=\([0-9]*\).*/\1/p'; }
on_exit 'kill -9 $sim_pid 2>/dev/null'
sim_start

t "first-time up to $start: backtest and the initial allocation, transmitted"
"$flows/first-time" --to "$start" 2>"$OUT/first-time.log" || { tail "$OUT/first-time.log"; fail "first-time"; }
n_initial=$(grep -c . "$STI_STORE/trading/$start/orders.ndjson")
[ "$n_initial" -gt 0 ] || fail "no initial orders"
assert_eq "$n_initial" "$(sim_orders)" "orders at ib-sim after first-time"

t "$days daily runs"
rebalances=0 killed=0
for day in $(trading-day --list "$(trading-day --next "$start")" "$end" | head -n "$days"); do
	before=$(sim_orders)
	held=$OUT/held-$day.ndjson
	ib-account -q -o "$held"
	ib-sim ctl --port "$sim_port" advance open >/dev/null
	ib-sim ctl --port "$sim_port" advance close >/dev/null
	"$flows/daily" --date "$day" 2>"$OUT/daily-$day.log" || { tail "$OUT/daily-$day.log"; fail "daily $day"; }
	orders=$STI_STORE/trading/$day/orders.ndjson
	if grep -q "^$day," "$STI_STORE/backtest/$day/weights.csv"; then
		[ -f "$orders" ] || fail "$day is a rebalance day and no orders were stored"
		rebalances=$((rebalances + 1))
		placed=$(( $(sim_orders) - before ))
		assert_eq "$(grep -c . "$orders")" "$placed" "orders placed on $day"
		t "re-running $day places no order"
		"$flows/daily" --date "$day" 2>"$OUT/rerun-$day.log" || { tail "$OUT/rerun-$day.log"; fail "rerun"; }
		assert_eq "$((before + placed))" "$(sim_orders)" "orders at ib-sim after re-running $day"
		if [ "$killed" = 0 ]; then
			t "ib-sim killed during the run of $day, restarted, the run repeated: each order once"
			killed=1
			rm -f "$orders"
			"$flows/daily" --date "$day" 2>"$OUT/killed-$day.log" &
			flow_pid=$!
			# The orders are stored just before ib-submit starts: kill the broker then.
			WAIT_STEP=0.01 wait_for 30 test -f "$orders" || true
			kill -9 "$sim_pid"; wait "$sim_pid" 2>/dev/null || true
			wait "$flow_pid" || true
			sim_start
			"$flows/daily" --date "$day" 2>"$OUT/after-kill-$day.log" || { tail "$OUT/after-kill-$day.log"; fail "after kill"; }
			assert_eq "$((before + placed))" "$(sim_orders)" "orders at ib-sim after the kill and the repeated run"
			ib-account -q -o "$OUT/open-$day.ndjson"
			dups=$(jq -r 'select(.type == "open_order") | .client_id' "$OUT/open-$day.ndjson" | sort | uniq -d)
			[ -z "$dups" ] || fail "duplicate open orders: $dups"
		fi
	else
		[ ! -f "$orders" ] || fail "orders on $day, which is not a rebalance day"
		assert_eq "$before" "$(sim_orders)" "orders at ib-sim on $day"
	fi
done
[ "$rebalances" -ge 2 ] || fail "only $rebalances rebalance days in $days days"

t "every order filled: positions are what the orders aimed at (within one share)"
# For the last rebalance R with fills by now: held before R's orders + R's orders = held now, per symbol.
last_r=$(for d in "$STI_STORE"/trading/*/orders.ndjson; do basename "$(dirname "$d")"; done | sort | tail -n 1)
if [[ $last_r < $day ]]; then
	ib-account -q -o "$OUT/now.ndjson"
	jq -s -r --slurpfile o "$STI_STORE/trading/$last_r/orders.ndjson" --slurpfile h "$STI_STORE/trading/$last_r/positions.ndjson" '
		(reduce ($h[] | select(.type == "position")) as $p ({}; .[$p.symbol] += $p.qty)) as $before |
		(reduce ($o[] | select(.type == "order")) as $x ($before; .[$x.symbol] += (if $x.side == "BUY" then $x.qty else -$x.qty end))) as $want |
		(reduce (.[] | select(.type == "position")) as $p ({}; .[$p.symbol] += $p.qty)) as $got |
		[($want + $got) | keys[] as $k | (($want[$k] // 0) - ($got[$k] // 0)) | fabs | select(. > 1)] | length' \
		"$OUT/now.ndjson" >"$OUT/mismatch"
	assert_eq 0 "$(cat "$OUT/mismatch")" "names off by more than one share"
fi

t "the mock account tracks the backtest (within costs and the open-vs-close fill)"
first_day=$(trading-day --next "$start")
nav0=$(jq -r 'select(.type == "account") | .net_liquidation' "$STI_STORE/trading/$first_day/account.ndjson")
nav1=$(jq -r 'select(.type == "account") | .net_liquidation' "$STI_STORE/trading/$day/account.ndjson")
eq=$STI_STORE/backtest/$day/equity.csv
b0=$(csv_select -H -w "date=$first_day" equity "$eq")
b1=$(csv_select -H -w "date=$day" equity "$eq")
gap=$(awk -v a="$nav0" -v b="$nav1" -v c="$b0" -v d="$b1" 'BEGIN { x = (b / a) - (d / c); printf "%.4f", x < 0 ? -x : x }')
echo "account return $(awk -v a="$nav0" -v b="$nav1" 'BEGIN { printf "%.4f", b / a - 1 }'), backtest $(awk -v c="$b0" -v d="$b1" 'BEGIN { printf "%.4f", d / c - 1 }'), gap $gap"
awk -v g="$gap" 'BEGIN { exit !(g < 0.03) }' || fail "the account and the backtest differ by $gap over $days days"

t "dashboards"
STI_STORE=$OUT/store "$flows/dashboards" 2>"$OUT/dashboards.log" || { tail "$OUT/dashboards.log"; fail dashboards; }
for d in backtest live mock; do
	[ -s "$STI_STORE/dashboards/$d/index.html" ] || fail "no $d dashboard"
done
grep -q 'DU' "$STI_STORE/dashboards/live/index.html" || fail "the live dashboard does not show the account"

t "a holiday is skipped"
ls -R "$STI_STORE" >"$OUT/before-holiday"
"$flows/daily" --date 2023-12-25 2>"$OUT/holiday.log"
assert_contains "$OUT/holiday.log" "closed"
ls -R "$STI_STORE" | cmp -s - "$OUT/before-holiday" || fail "the holiday run changed the store"
sim_stop
