#!/usr/bin/env bash
# Trading safety on the broker side (issue 14), through orders, ib-submit, ib-account and ib-sim:
#  - every API client's working orders count, and orders a gateway pushes at connect are not the answer
#    to reqAllOpenOrders (IB: reqAllOpenOrders returns the orders of all API clients; TWS sends a client's
#    own open orders unasked at connect, followed by openOrderEnd, when "download open orders on connection"
#    is set);
#  - ib-account reports them (with the client that placed them and whether they were transmitted), the
#    completed orders and the day's fills with commissions;
#  - a new decision supersedes the strategy's older working orders: several evenings staged and never
#    transmitted keep the working BUY notional within NAV x 1.02 (the invariant of issue 14), a catch-up
#    evening (two decisions before one open) never takes cash below -2% of NAV, a partial fill then a new
#    decision stays within the invariant;
#  - a close 100x too low is refused by ib-submit's check against the broker's own price;
#  - ib-sim's cash account rejects a BUY beyond its cash with IB's error 201 text.
# The figures (working BUY notional / NAV per evening, cash / NAV) are printed for the report.
. "$TOP/tests/lib.sh"

market-gen --seed 7 --securities 80 --days 40 -o px.csv
mapfile -t days < <(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { print $c["date"] }' px.csv | sort -u)
n=${#days[@]}
d0=${days[$((n - 8))]}

start_sim() { # name port ib-sim options...
	local name=$1 port=$2
	shift 2
	start_bg "$name" ib-sim --prices px.csv --state "$OUT/state-$name" --port "$port" --start "$d0" "$@"
	wait_port "$port"
}
ctl() { ib-sim ctl --port "$1" "${@:2}" >/dev/null; }
weights() { # DATE: 20 names at 5% each, decided on DATE
	awk -F, -v OFS=, -v d="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print "date,id,symbol,weight"; next }
		$c["date"] == d && k++ < 20 { print d, $c["id"], $c["symbol"], 0.05 }' px.csv
}
# decide PORT CLIENT STRATEGY DATE [orders options...]: the evening's account and orders (ord-STRATEGY-DATE.ndjson)
decide() {
	local port=$1 cid=$2 strat=$3 d=$4
	shift 4
	IB_PORT=$port ib-account -q --client-id "$cid" -o "acct-$strat-$d.ndjson"
	weights "$d" >"w-$d.csv"
	orders -q --weights "w-$d.csv" --asof "$d" --account "acct-$strat-$d.ndjson" --prices px.csv --strategy "$strat" \
		"$@" -o "ord-$strat-$d.ndjson"
}
# measure PORT DATE: "working_buy/nav committed/nav cash/nav" at DATE's closes, from a fresh ib-account
measure() {
	IB_PORT=$1 ib-account -q --client-id 99 -o "m.ndjson"
	/usr/bin/python3 - px.csv "$2" m.ndjson <<'PY'
import csv, json, sys
px, day, acct = sys.argv[1:4]
close = {}
for r in csv.DictReader(open(px)):  # the latest close on or before the day (a gap keeps the one before)
    if r["date"] <= day and r["close"]:
        close[r["symbol"]] = float(r["close"])
a = [json.loads(l) for l in open(acct)]
nav = [r for r in a if r["type"] == "account"][0]["net_liquidation"]
cash = [r for r in a if r["type"] == "account"][0]["total_cash"]
pos = sum(r["qty"] * close[r["symbol"]] for r in a if r["type"] == "position")
wb = sum(r["remaining"] * close[r["symbol"]] for r in a if r["type"] == "open_order" and r["side"] == "BUY")
ws = sum(r["remaining"] * close[r["symbol"]] for r in a if r["type"] == "open_order" and r["side"] == "SELL")
print(f"{wb / nav:.4f} {(pos + wb - ws) / nav:.4f} {cash / nav:.4f}")
PY
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

t "every client's working orders count; orders pushed at connect are not reqAllOpenOrders' answer"
p=$(free_port)
start_sim clients "$p"
decide "$p" 31 a "$d0"
decide "$p" 32 b "$d0"
IB_PORT=$p ib-submit --client-id 31 --stage <"ord-a-$d0.ndjson" >/dev/null
IB_PORT=$p ib-submit --client-id 32 --stage <"ord-b-$d0.ndjson" >/dev/null
# client 31 submits b's batch: at connect ib-sim pushes 31's own orders (a's) and an OPEN_ORDER_END; b's
# orders, placed by 32, are found all the same and not placed twice
IB_PORT=$p ib-submit --client-id 31 --stage <"ord-b-$d0.ndjson" >again.ndjson 2>again.err
nb=$(grep -c '"type":"order"' "ord-b-$d0.ndjson")
assert_eq "$nb" "$(grep -c 'already at the broker' again.err)" "b's orders found, whoever placed them"
# client 31 again: ib-sim pushes its own orders at connect; every client's must be listed all the same
IB_PORT=$p ib-account --client-id 31 -o all.ndjson
/usr/bin/python3 - all.ndjson "ord-a-$d0.ndjson" "ord-b-$d0.ndjson" <<'PY'
import collections, json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
want = {r["client_id"]: c for f, c in ((sys.argv[2], 31), (sys.argv[3], 32)) for r in map(json.loads, open(f))
        if r["type"] == "order"}
oo = [r for r in a if r["type"] == "open_order"]
n = collections.Counter(r["client_id"] for r in oo)
if set(n) != set(want) or max(n.values()) != 1:
    sys.exit(f"open orders: {len(n)} client_ids for {len(want)}, doubles {[k for k in n if n[k] > 1][:3]}")
for r in oo:
    for k in ("perm_id", "order_id", "client", "symbol", "id", "side", "qty", "filled", "remaining", "order_type",
              "tif", "transmit", "status"):
        if k not in r:
            sys.exit(f"open_order without {k}: {r}")
    if r["client"] != want[r["client_id"]] or r["transmit"] is not False or r["status"] != "Inactive":
        sys.exit(f"open_order: {r}")
print("ok", len(oo), "working orders of two clients, each once")
PY

t "@stoqey/ib (an independent client, its own decoder): the orders pushed at connect, then OPEN_ORDER_END"
[ -f "$TOP/tests/node_modules/@stoqey/ib/package.json" ] || fail "@stoqey/ib is not installed: run tests/setup-node (make deps-test)"
sq() { node "$TOP/tests/tools/stoqey_client.js" "$p" "$@"; }
sq 31 pushed >pushed.txt
assert_eq "$(grep -c '"type":"order"' "ord-a-$d0.ndjson")" "$(grep -c "^open $d0:a:.* 31 Inactive$" pushed.txt)" "a's orders pushed to 31"
assert_eq 0 "$(grep -c ":b:" pushed.txt)" "b's orders (client 32) pushed to 31"
assert_eq end "$(tail -n 1 pushed.txt)"

t "ib-account: completed orders (the fills with their commissions: ib-submit.sh)"
# --cancel asks for the open orders first thing after connecting, when ib-sim has just pushed client 32's
# own (b's) and an OPEN_ORDER_END: taken as the answer, a's would be missed. a's orders were placed by
# client 31, which alone may cancel them (IB): reported and 65; b's are cancelled
assert_status 65 env IB_PORT="$p" ib-submit --client-id 32 --cancel -o /dev/null 2>cancel.err
assert_eq "$(grep -c '"type":"order"' "ord-a-$d0.ndjson")" "$(grep -c 'not cancelled: placed by API client 31' cancel.err)" \
	"a's orders seen by client 32"

ctl "$p" advance open
IB_PORT=$p ib-account --client-id 33 -o done.ndjson
/usr/bin/python3 - done.ndjson "$nb" <<'PY'
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
nb = int(sys.argv[2])
done = [r for r in a if r["type"] == "completed_order"]
if len([r for r in done if r["status"] == "Cancelled" and ":b:" in r["client_id"]]) != nb:
    sys.exit(f"completed orders: {len(done)}, want the {nb} cancelled ones of b")
if [r for r in a if r["type"] == "open_order" and ":b:" in r["client_id"]]:
    sys.exit("b's cancelled orders still listed as working")
print("ok", len(done), "completed orders")
PY
sq 33 completed >completed.txt
assert_eq "$nb" "$(grep -c "^done $d0:b:.* Cancelled$" completed.txt)" "b's cancelled orders as @stoqey/ib decodes them"
assert_eq end "$(tail -n 1 completed.txt)"

t "several evenings staged and never transmitted: working BUYs stay within NAV x 1.02"
p=$(free_port)
start_sim staged "$p"
figures=()
for k in 0 1 2 3; do
	d=${days[$((n - 8 + k))]}
	decide "$p" 41 s "$d"
	IB_PORT=$p ib-submit --client-id 41 --stage <"ord-s-$d.ndjson" >"st-$d.ndjson" 2>"st-$d.err"
	read -r wb committed cash < <(measure "$p" "$d")
	figures+=("$wb")
	echo "evening $((k + 1)) ($d): working BUY notional / NAV = $wb"
	le "$wb" 1.02 || fail "evening $((k + 1)): working BUY notional is $wb x NAV"
	if [ "$k" -gt 0 ]; then
		prev=${days[$((n - 8 + k - 1))]}
		assert_eq "$(grep '"type":"order"' "ord-s-$prev.ndjson" | grep -c '"side":"BUY"')" \
			"$(grep -c '"type":"superseded"' "st-$d.ndjson")" \
			"evening $((k + 1)): the previous evening's staged orders superseded"
	fi
	ctl "$p" advance open
	ctl "$p" advance close
done
echo "FIGURE staged evenings: working BUY / NAV = ${figures[*]}"

t "a catch-up evening (two decisions before one open, transmitted): cash never below -2% of NAV"
p=$(free_port)
start_sim catchup "$p"
da=$d0 db=${days[$((n - 7))]}
ctl "$p" advance days 1 # the evening of db: the run of da was missed and is caught up now
decide "$p" 51 c "$da"
IB_PORT=$p ib-submit --client-id 51 <"ord-c-$da.ndjson" >"st-c-$da.ndjson"
decide "$p" 51 c "$db"
IB_PORT=$p ib-submit --client-id 51 <"ord-c-$db.ndjson" >"st-c-$db.ndjson"
assert_eq "$(grep -c '"type":"order"' "ord-c-$da.ndjson")" "$(grep -c '"type":"superseded"' "st-c-$db.ndjson")" \
	"da's orders superseded"
ctl "$p" advance open
read -r wb committed cash < <(measure "$p" "${days[$((n - 6))]}")
echo "FIGURE catch-up: cash / NAV after the open = $cash, committed / NAV = $committed"
le -0.02 "$cash" || fail "cash is $cash x NAV after the catch-up evening"
le "$committed" 1.02 || fail "committed is $committed x NAV"

t "a partial fill, then a new decision: the rest is superseded, the invariant holds"
p=$(free_port)
start_sim partial "$p" --volume-share 0.0002
decide "$p" 61 g "$d0" --tif GTC
IB_PORT=$p ib-submit --client-id 61 <"ord-g-$d0.ndjson" >/dev/null
ctl "$p" advance open
ctl "$p" advance close
d1=${days[$((n - 7))]}
IB_PORT=$p ib-account -q --client-id 62 -o part.ndjson
partial=$(jq -s '[.[] | select(.type == "open_order" and .filled > 0 and .remaining > 0)] | length' part.ndjson)
[ "$partial" -gt 0 ] || fail "no partially filled order to test with"
decide "$p" 61 g "$d1" --tif GTC
IB_PORT=$p ib-submit --client-id 61 <"ord-g-$d1.ndjson" >"st-g-$d1.ndjson"
assert_eq "$(jq -s '[.[] | select(.type == "open_order" and (.client_id | startswith("'"$d0"'")))] | length' part.ndjson)" \
	"$(grep -c '"type":"superseded"' "st-g-$d1.ndjson")" "the partly filled orders' rest superseded"
read -r wb committed cash < <(measure "$p" "$d1")
echo "FIGURE partial fill then a new decision: committed / NAV = $committed ($partial orders partly filled)"
le "$committed" 1.02 || fail "committed is $committed x NAV after the new decision"

t "superseding refused: another client's order (77), a stale batch (65), a fill since sizing (75); nothing placed"
p=$(free_port)
start_sim refuse "$p"
d1=${days[$((n - 7))]}
decide "$p" 31 z "$d0"
IB_PORT=$p ib-submit --client-id 31 --stage <"ord-z-$d0.ndjson" >/dev/null
ctl "$p" advance days 1
decide "$p" 32 z "$d1"
count() { ib-sim ctl --port "$p" status | sed -n 's/.* orders=\([0-9]*\).*/\1/p'; }
n0=$(count)
# IB lets only the client that placed an order cancel it
assert_status 77 env IB_PORT="$p" ib-submit --client-id 32 --stage -o z1.out <"ord-z-$d1.ndjson" 2>z1.err
assert_contains z1.err "was placed by API client 31"
assert_eq "$n0" "$(count)" "orders after a refused supersede"
IB_PORT=$p ib-submit --client-id 31 --stage <"ord-z-$d1.ndjson" >/dev/null
# the older decision again, once the newer one is working: stale
assert_status 65 env IB_PORT="$p" ib-submit --client-id 31 --stage -o z2.out <"ord-z-$d0.ndjson" 2>z2.err
assert_contains z2.err "is stale"
# a supersede record says 0 shares were filled when the orders were computed; the broker says more now
jq -c 'select(.type == "order") | {type: "supersede", client_id, filled: 0}' "ord-z-$d1.ndjson" | head -n 1 >z3.ndjson
IB_PORT=$p ib-submit --client-id 31 --cancel -o /dev/null 2>/dev/null
assert_status 0 env IB_PORT="$p" ib-submit --client-id 31 -o /dev/null <z3.ndjson 2>/dev/null # cancelled, 0 filled: fine
sym=$(jq -r -s '[.[] | select(.type == "order")][0].symbol' "ord-z-$d1.ndjson")
jq -c -s '[.[] | select(.type == "order")][0] | .client_id = "'"$d1"':y:'"$sym"':BUY" | .qty = 1 | .tif = "DAY"' \
	"ord-z-$d1.ndjson" >y.ndjson
ctl "$p" advance open # the session: a DAY market order trades at once
IB_PORT=$p ib-submit --client-id 31 <y.ndjson >/dev/null
jq -c '{type: "supersede", client_id, filled: 0}' y.ndjson >z4.ndjson
assert_status 75 env IB_PORT="$p" ib-submit --client-id 31 -o /dev/null <z4.ndjson 2>z4.err
assert_contains z4.err "filled since the orders were computed"

t "a close 100x too low: refused against the broker's price, nothing placed"
p=$(free_port)
start_sim bad "$p"
decide "$p" 71 x "$d0"
# what the orders tool makes of a close 100x too low: 100x the shares at a hundredth of the price
jq -c 'if .symbol == "'"$(jq -r -s '.[0].symbol' "ord-x-$d0.ndjson")"'" then .qty *= 100 | .ref_price /= 100 else . end' \
	"ord-x-$d0.ndjson" >bad.ndjson
assert_status 65 env IB_PORT="$p" ib-submit --client-id 71 --max-order-notional 400000 -o bad.out <bad.ndjson 2>bad.err
assert_contains bad.err "from the broker's price"
assert_contains bad.err "no order sent"
assert_eq 0 "$(ib-sim ctl --port "$p" status | sed -n 's/.* orders=\([0-9]*\).*/\1/p')" "orders at the broker"
t "the same with the broker's price from a delayed market-data snapshot"
assert_status 65 env IB_PORT="$p" ib-submit --client-id 71 --price-source snapshot -o bad2.out <bad.ndjson 2>bad2.err
assert_contains bad2.err "from the broker's price (snapshot)"
assert_eq 0 "$(ib-sim ctl --port "$p" status | sed -n 's/.* orders=\([0-9]*\).*/\1/p')" "orders at the broker"
t "--keep-going places the others"
assert_status 65 env IB_PORT="$p" ib-submit --client-id 71 --keep-going <bad.ndjson >kg.out 2>kg.err
assert_eq "$(($(grep -c '"type":"order"' bad.ndjson) - 1))" "$(grep -c '"type":"status"' kg.out)" "the others placed"

t "a cash account: a BUY beyond the cash is rejected with IB's error 201"
p=$(free_port)
start_sim cash "$p" --account-type cash --capital 10000
sym=$(jq -r -s '.[0].symbol' "ord-x-$d0.ndjson")
px=$(jq -r -s '.[0].ref_price' "ord-x-$d0.ndjson")
qty=$(awk -v p="$px" 'BEGIN { printf "%d", 12000 / p + 1 }')
echo '{"type":"order","client_id":"'"$d0"':cash:'"$sym"':BUY","symbol":"'"$sym"'","side":"BUY","qty":'"$qty"',"order_type":"MKT","tif":"OPG","ref_price":'"$px"'}' >cash.ndjson
assert_status 65 env IB_PORT="$p" ib-submit --client-id 81 <cash.ndjson >cash.out 2>cash.err
assert_contains cash.err "YOUR ORDER IS NOT ACCEPTED. IN ORDER TO OBTAIN THE DESIRED POSITION YOUR EQUITY WITH LOAN VALUE"
assert_contains cash.err "(error 201)"

t "two submitters started together on one account, with different client ids: each order placed once"
# Up to 80 orders (as in issue 14, where 79 of 80 were placed twice). Without a common lease (each its own name, as
# before) the two read the account before either places and both place everything; with the default lease
# (one per account) the second reads the account after the first's orders are acknowledged.
python3 - px.csv "$d0" >two.ndjson <<'PY'
import csv, json, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["date"] == sys.argv[2] and r["close"]][:80]
for r in rows:
    print(json.dumps({"type": "order", "client_id": f"{r['date']}:two:{r['symbol']}:BUY", "date": r["date"],
                      "id": r["id"], "symbol": r["symbol"], "side": "BUY", "qty": 1, "order_type": "MKT",
                      "tif": "OPG", "ref_price": float(r["close"])}))
PY
dups() { # PORT: client_ids of two.ndjson at the broker more than once
	IB_PORT=$1 ib-account -q --client-id 99 | jq -r 'select(.type == "open_order") | .client_id' | sort | uniq -d | wc -l
}
p=$(free_port)
start_sim twonolease "$p"
IB_PORT=$p ib-submit --client-id 91 --lease own-91 <two.ndjson >/dev/null 2>two-a.err &
a=$!
IB_PORT=$p ib-submit --client-id 92 --lease own-92 <two.ndjson >/dev/null 2>two-b.err &
b=$!
wait $a; wait $b
before=$(dups "$p")
p=$(free_port)
start_sim twolease "$p"
IB_PORT=$p ib-submit --client-id 91 <two.ndjson >/dev/null 2>two-c.err &
a=$!
IB_PORT=$p ib-submit --client-id 92 <two.ndjson >/dev/null 2>two-d.err &
b=$!
wait $a || fail "first submitter: $(tail -n 2 two-c.err)"
wait $b || fail "second submitter: $(tail -n 2 two-d.err)"
after=$(dups "$p")
echo "FIGURE two submitters, $(grep -c . two.ndjson) orders: $before placed twice without a common lease, $after with it"
assert_eq 0 "$after" "orders placed twice under the lease"
assert_eq "$(grep -c . two.ndjson)" "$(IB_PORT=$p ib-account -q --client-id 99 | jq -r 'select(.type == "open_order") | .client_id' | sort -u | wc -l)" \
	"orders at the broker"
[ -z "$(ls var/store/locks/ 2>/dev/null)" ] || fail "a lease was left behind: $(ls var/store/locks/)"

t "ib-sim: a delayed snapshot, read by an independent client (tests/tools/tws_client.py)"
# IB: reqMarketDataType(3) then reqMktData(snapshot=1) answers MARKET_DATA_TYPE 3, the notice 10167, delayed
# ticks (68 last, 75 the previous close ...) and TICK_SNAPSHOT_END; live data without a subscription is 354.
p=$(free_port)
start_sim snap "$p"
sym=$(jq -r -s '.[0].symbol' "ord-x-$d0.ndjson")
close0=$(jq -r -s '.[0].ref_price' "ord-x-$d0.ndjson")
snap() { /usr/bin/python3 "$TOP/tests/tools/tws_client.py" --port "$p" --client-id 5 snapshot "$@"; }
snap "$sym" 3 >snap.txt
assert_contains snap.txt "type 3"
assert_contains snap.txt "error 10167"
# after the close of d0 the last trade is d0's close: the ref_price orders sized with
awk -v c="$close0" '$1 == "tick" && $2 == 68 { found = ($3 + 0 == c + 0) } END { exit !found }' snap.txt ||
	fail "delayed last is not $close0: $(cat snap.txt)"
assert_status 1 snap "$sym" 1 >snap-live.txt
assert_contains snap-live.txt "error 354"
assert_status 1 snap NOSUCH 3 >snap-none.txt
assert_contains snap-none.txt "error 200"
