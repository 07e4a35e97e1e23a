#!/usr/bin/env bash
# ib-account and ib-submit against ib-sim: a full trading day (account -> orders -> submit --wait -> the
# open -> fills and positions), exactly-once submission (twice in a row, after the submitter dies, after the
# broker is killed mid-submission and restarted), staging and --cancel, the live-account guard.
. "$TOP/tests/lib.sh"

market-gen --seed 5 --securities 300 --days 60 -o px.csv
day=$(cut -d, -f1 px.csv | sed 1d | sort -u | sed -n '$!h; $ { x; p; }') # the day before the last: the open follows
next=$(trading-day --next "$day")

start_sim() { # name port ib-sim options...
	local name=$1 port=$2
	shift 2
	start_bg "$name" ib-sim --prices px.csv --state "$OUT/state-$name" --port "$port" --start "$day" "$@"
	wait_port "$port"
}
port=$(free_port)
export IB_PORT=$port IB_CLIENT_ID=11
start_sim day "$port" --capital 1000000

t "ib-account: a fresh account"
ib-account -o acct0.ndjson
assert_eq 1 "$(wc -l <acct0.ndjson)" "records"
assert_contains acct0.ndjson '"type":"account","account":"DU1234567"'
assert_contains acct0.ndjson '"net_liquidation":1000000.0,"total_cash":1000000.0'

t "a full day: ib-account -> orders -> ib-submit --wait -> the open"
awk -F, -v OFS=, -v d="$day" 'BEGIN { print "date,id,symbol,weight" } $1 == d && n++ < 8 { print $1, $2, $3, 0.125 }' px.csv >w.csv
orders --weights w.csv --account acct0.ndjson --prices px.csv --strategy t1 -o orders.ndjson
assert_eq 8 "$(wc -l <orders.ndjson)" "orders"
ib-submit --wait --wait-timeout 60 <orders.ndjson >status.ndjson 2>submit.err &
sub=$!
acknowledged() { [ "$(wc -l <status.ndjson)" -ge 8 ]; }
wait_for 30 acknowledged || true # the assert below says how many
assert_eq 8 "$(grep -c '"status":"PreSubmitted"' status.ndjson)" "acknowledged before the open"
ib-sim ctl --port "$port" advance open >/dev/null
wait "$sub" || fail "ib-submit --wait: exit status $? ($(cat submit.err))"
ib-account >acct1.ndjson
/usr/bin/python3 - px.csv "$next" orders.ndjson status.ndjson acct1.ndjson <<'PY'
import json, sys
import pandas as pd
px, nxt, orders, status, acct = sys.argv[1:6]
p = pd.read_csv(px, dtype={"id": str, "symbol": str})
opens = p[p.date == nxt].set_index("symbol").open
rd = lambda f: [json.loads(l) for l in open(f)]
o = {r["client_id"]: r for r in rd(orders)}
st, a = rd(status), rd(acct)
def check(cond, what):
    if not cond:
        sys.exit("full day: " + what)
fills = [r for r in st if r["type"] == "fill"]
final = [r for r in st if r["type"] == "status" and r["status"] == "Filled"]
check(len(fills) == len(o) and len(final) == len(o), f"{len(fills)} fills and {len(final)} Filled for {len(o)} orders")
cash = 1000000.0
for f in fills:
    x = o[f["client_id"]]
    check(f["qty"] == x["qty"] and f["side"] == x["side"] and f["symbol"] == x["symbol"], "fill matches its order")
    check(f["price"] == opens[x["symbol"]], f"{x['symbol']} filled at the next open")
    comm = min(max(1.0, 0.005 * f["qty"]), 0.01 * f["qty"] * f["price"])
    check(abs(f["commission"] - comm) <= 0.005 + 1e-9, "IB's fixed commission (to the cent)")
    check(f["time"].startswith(nxt + "T14:30:00Z") or f["time"].startswith(nxt + "T13:30:00Z"), "time of the open")
    cash -= f["qty"] * f["price"] + f["commission"]
pos = {r["symbol"]: r for r in a if r["type"] == "position"}
check(sorted(pos) == sorted(x["symbol"] for x in o.values()), "a position per order")
for x in o.values():
    check(pos[x["symbol"]]["qty"] == x["qty"], "position quantity")
acc = [r for r in a if r["type"] == "account"][0]
check(abs(acc["total_cash"] - cash) < 1e-6, f"cash {acc['total_cash']} != {cash}")
check(acc["time"].startswith(nxt), "the account's time is the broker's clock")
af = [r for r in a if r["type"] == "fill"]
check(sorted(f["exec_id"] for f in af) == sorted(f["exec_id"] for f in fills), "ib-account lists the day's fills")
check(not [r for r in a if r["type"] == "open_order"], "no open orders left")
print("ok", len(fills), "fills")
PY

t "the same orders again: nothing placed twice"
ib-submit <orders.ndjson >again.ndjson 2>again.err
assert_eq 8 "$(grep -c 'already at the broker' again.err)" "skipped"
assert_eq 8 "$(grep -c '"status":"Filled"' again.ndjson)" "statuses"
assert_eq 8 "$(ib-account | grep -c '"type":"fill"')" "fills"

t "many orders: submitted twice, then after the submitter dies half-way"
ib-sim ctl --port "$port" advance close >/dev/null
/usr/bin/python3 - px.csv "$next" 250 t2 >many.ndjson <<'PY'
import json, sys
import pandas as pd
px, day, n, strat = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
p = pd.read_csv(px, dtype={"id": str, "symbol": str})
rows = p[(p.date == day) & p.close.notna()].head(n)
for r in rows.itertuples():
    side = "BUY"
    print(json.dumps({"type": "order", "client_id": f"{day}:{strat}:{r.symbol}:{side}", "date": day, "id": r.id,
                      "symbol": r.symbol, "side": side, "qty": 1, "order_type": "MKT", "tif": "OPG",
                      "ref_price": r.close, "target_weight": 0.0001}))
PY
n=$(wc -l <many.ndjson)
ib-submit --client-id 12 <many.ndjson >m1.ndjson 2>m1.err &
killer=$!
sleep 1.5
kill -9 "$killer" 2>/dev/null || true
wait "$killer" 2>/dev/null || true
ib-submit --client-id 12 <many.ndjson >m2.ndjson 2>m2.err
assert_eq "$n" "$(grep -c '"status":"PreSubmitted"' m2.ndjson)" "acknowledged"
ib-submit --client-id 12 <many.ndjson >m3.ndjson 2>m3.err
assert_eq "$n" "$(grep -c 'already at the broker' m3.err)" "all skipped the third time"
ib-account >acct2.ndjson
/usr/bin/python3 - acct2.ndjson many.ndjson <<'PY'
import collections, json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
want = {json.loads(l)["client_id"] for l in open(sys.argv[2])}
c = collections.Counter(r["client_id"] for r in a if r["type"] == "open_order")
got = {k for k in c if k in want}
if got != want or any(c[k] != 1 for k in want):
    sys.exit(f"exactly once: {len(got)} of {len(want)} present, doubles: {[k for k in want if c[k] > 1][:5]}")
print("ok", len(want), "orders, each once")
PY

t "the broker killed mid-submission and restarted: each order exactly once"
sed 's/:t2:/:t3:/' many.ndjson >many3.ndjson
ib-submit --client-id 13 --timeout 20 <many3.ndjson >k.ndjson 2>k.err &
sub=$!
sleep 1.5
kill -9 "$PID_day"
wait "$PID_day" 2>/dev/null || true
start_sim day "$port"
wait "$sub" || fail "ib-submit across the restart: exit status $? ($(tail -3 k.err))"
assert_contains k.err "reconnected to TWS"
assert_eq "$n" "$(grep -c '"type":"status"' k.ndjson)" "status records"
ib-account >acct3.ndjson
/usr/bin/python3 - acct3.ndjson many3.ndjson <<'PY'
import collections, json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
want = {json.loads(l)["client_id"] for l in open(sys.argv[2])}
c = collections.Counter(r["client_id"] for r in a if r["type"] == "open_order")
missing = [k for k in want if c[k] == 0]
doubles = [k for k in want if c[k] > 1]
if missing or doubles:
    sys.exit(f"across the restart: {len(missing)} missing, {len(doubles)} doubled")
print("ok", len(want), "orders, each once")
PY

t "staged orders and --cancel"
sed -n 's/:t2:/:t4:/; 1,3p' many.ndjson >staged.ndjson
ib-submit --client-id 14 --stage <staged.ndjson >staged.out
assert_eq 3 "$(grep -c '"status":"Inactive"' staged.out)" "staged (transmit 0)"
# the 500 orders of clients 12 and 13 cannot be cancelled by client 14 (IB's rule): reported, exit 65
assert_status 65 ib-submit --client-id 14 --cancel -o cancel.out 2>cancel.err
assert_eq 500 "$(grep -c 'not cancelled: placed by API client 1[23]' cancel.err)" "refused cancels"
assert_eq 3 "$(grep -c '"status":"Cancelled"' cancel.out)" "cancelled"
ib-account | grep '"type":"open_order"' | grep -q ':t4:' && fail "staged orders still open after --cancel"
ib-submit --client-id 13 --cancel -o cancel13.out 2>/dev/null || true
assert_eq 250 "$(grep -c '"status":"Cancelled"' cancel13.out)" "cancelled by the client that placed them"

t "live accounts are refused unless --live and IB_LIVE=yes"
lport=$(free_port)
start_sim live "$lport" --account U7654321
assert_status 77 ib-submit --port "$lport" <orders.ndjson
assert_status 77 ib-submit --port "$lport" --live <orders.ndjson
IB_LIVE=no assert_status 77 ib-submit --port "$lport" --live <orders.ndjson
IB_LIVE=yes assert_status 77 ib-submit --port "$lport" <orders.ndjson
assert_contains "$(ib-submit --port "$lport" <orders.ndjson 2>&1 || true)" \
	"refused: U7654321 is a live account (not DU...): give --live and set IB_LIVE=yes to trade it; no order sent"
assert_contains "$(ib-sim ctl --port "$lport" status)" "orders=0"
IB_LIVE=yes ib-submit --port "$lport" --live <orders.ndjson >live.out 2>live.err
assert_contains live.err "trading the LIVE account U7654321"
assert_eq 8 "$(grep -c PreSubmitted live.out)" "placed with --live and IB_LIVE=yes"

t "an account TWS does not manage is a usage error (64; ib-submit(1), ib-account(1) EXIT STATUS)"
assert_status 64 ib-submit --port "$lport" --account DU0000000 <orders.ndjson
assert_status 64 ib-account --port "$lport" --account DU0000000
assert_contains "$(ib-account --port "$lport" --account DU0000000 2>&1 || true)" \
	"account DU0000000 is not one TWS manages (U7654321)"

t "notional limits refuse the whole run before anything is sent"
assert_status 65 ib-submit --port "$lport" --max-run-notional 1000 <many.ndjson
assert_contains "$(ib-sim ctl --port "$lport" status)" "orders=8"

t "--contracts: each order goes by its conId from the cache; a missing symbol is resolved, an unknown one refused"
# Issue 15: orders carry the conId that `ib-bars --contracts` caches (data/contracts.csv). To see that the
# conId, not the symbol, names what is traded, the cache maps symbol A to security B's conId on purpose:
# ib-sim (like IB) takes a conId over a symbol, so the working order is B's. C is not in the cache: it is
# asked of the broker (reqContractDetails) and added. NOSUCH is unknown to the broker (error 200): refused,
# never sent by its bare symbol. (ib-sim: conId = the prices file's id.)
cport=$(free_port)
start_sim cid "$cport" --capital 1000000
# (A's ref_price is B's close: the broker's price check asks by conId too, so it sees B's price.)
read -r a_id a_sym b_id b_sym b_px c_id c_sym c_px < <(awk -F, -v d="$day" '$1 == d { n++; if (n == 1) a = $2 " " $3
	if (n == 2) b = $2 " " $3 " " $7; if (n == 3) { print a, b, $2, $3, $7; exit } }' px.csv)
printf 'symbol,con_id\n%s,%s\n' "$a_sym" "$b_id" >contracts.csv
cid_order() { # symbol ref_price
	printf '{"type":"order","client_id":"%s:tc:%s:BUY","symbol":"%s","side":"BUY","qty":10,"ref_price":%s}\n' \
		"$day" "$1" "$1" "$2"
}
{ cid_order "$a_sym" "$b_px"; cid_order "$c_sym" "$c_px"; cid_order NOSUCH 10; } >cid.ndjson
assert_status 65 ib-submit --port "$cport" --contracts contracts.csv <cid.ndjson
assert_contains "$(ib-submit --port "$cport" --contracts contracts.csv <cid.ndjson 2>&1 || true)" \
	"NOSUCH has no conId (not in contracts.csv and IB did not resolve it, see above); an order is never sent by its bare symbol"
assert_contains "$(ib-sim ctl --port "$cport" status)" "orders=0"
assert_contains contracts.csv "$c_sym,$c_id,"
ib-submit --port "$cport" --contracts contracts.csv --keep-going --stage <cid.ndjson >cid.out 2>cid.err && fail "exit 0 with a refused order"
assert_contains cid.err "--keep-going: 1 order refused without a conId, placing the other 2"
assert_contains "$(ib-sim ctl --port "$cport" status)" "orders=2"
ib-account --port "$cport" | grep '"type":"open_order"' >cid-open.ndjson
grep ":tc:$a_sym:BUY" cid-open.ndjson | grep -q "\"id\":\"$b_id\"" ||
	fail "the order for $a_sym did not go by the cache's conId $b_id ($b_sym's, not its own $a_id)"
grep ":tc:$c_sym:BUY" cid-open.ndjson | grep -q "\"id\":\"$c_id\"" || fail "the order for $c_sym is not by conId $c_id"
