# ib-sim against an independent Python TWS client (tests/tools/tws_client.py, raw sockets, written from the
# protocol reference) and @stoqey/ib (tests/tools/stoqey_client.js): handshake, bars, orders and fills,
# accounting, 326, 200, 201, staged orders, fault injection, 20 concurrent clients with 10,000 orders, and
# restarts (kill -9) that lose nothing; every server version 157..178, warnings, notices, contract details.
. "$TOP/tests/lib.sh"

PY=/usr/bin/python3
TC="$TOP/tests/tools/tws_client.py"

cat >prices.csv <<'EOF'
date,id,symbol,open,high,low,close,volume,ret
2026-11-19,10001,AAPL,100,102,99,101,1000000,
2026-11-19,10002,MSFT,400,405,398,402,500000,
2026-11-19,10003,OLDCO,20,21,19,20,10000,
2026-11-20,10001,AAPL,101,103,100,102,1100000,0.00990099
2026-11-20,10002,MSFT,402,404,396,400,600000,-0.004975124
2026-11-20,10003,OLDCO,20,20,19,19.5,10000,-0.025
2026-11-23,10001,AAPL,51,52,50,51.5,2000000,0.00980392
2026-11-23,10002,MSFT,400,410,399,408,700000,0.02
2026-11-24,10001,AAPL,51.5,53,51,52,2100000,0.009708738
2026-11-24,10002,MSFT,408,409,401,405,650000,-0.007352941
2026-11-25,10001,AAPL,52.5,54,52,53,2000000,0.019230769
2026-11-25,10002,MSFT,405,412,404,410,640000,0.012345679
2026-11-27,10001,AAPL,53,53.5,52,52.5,900000,-0.009433962
2026-11-27,10002,MSFT,410,411,405,406,300000,-0.009756098
EOF

port=$(free_port)
sim_pid=
start_sim() { # extra options...
	ib-sim --prices prices.csv --state state --port "$port" --start 2026-11-23 "$@" >>sim.log 2>&1 &
	sim_pid=$!
	on_exit "kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null"
	wait_port "$port"
}
stop_sim() { ib-sim ctl --port "$port" shutdown >/dev/null; wait "$sim_pid" || fail "ib-sim exited with $?"; }
kill_sim() { kill -9 "$sim_pid"; wait "$sim_pid" 2>/dev/null || true; }
tc() { "$PY" "$TC" --port "$port" "$@"; }
ctl() { ib-sim ctl --port "$port" "$@"; }

t "usage errors"
assert_status 64 ib-sim
assert_status 64 ib-sim --prices prices.csv --start 2026-11-22
assert_status 64 ib-sim --prices prices.csv --server-version 180
assert_status 66 ib-sim --prices nonexistent.csv
printf 'date,id,symbol,close\n2026-11-19,1,A,x\n' >bad.csv
assert_status 65 ib-sim --prices bad.csv
ib-sim --prices bad.csv 2>err.txt || true
assert_contains err.txt "bad.csv:2: close: 'x' is not a number"
assert_status 69 ib-sim ctl --port "$port" status

start_sim

t "handshake: version 178, a paper account, the data-farm notices"
tc hello >hello.txt
assert_contains hello.txt "version 178 accounts DU1234567 next_id 1"
assert_contains hello.txt "notice 2104 Market data farm connection is OK:usfarm"
assert_contains hello.txt "notice 2106 "
assert_contains hello.txt "notice 2158 "

t "control: status, bad commands"
assert_eq "2026-11-23 closed cash=1000000.00 nlv=1000000.00 orders=0 open=0 fills=0 positions=0 clients=0" "$(ctl status)"
assert_status 65 ctl advance sideways
assert_status 65 ctl advance days 0

t "bars: TRADES over a week, bounded by the clock (after the close of 2026-11-23)"
tc bars AAPL "1 W" >bars.csv
cat >want.csv <<'EOF'
date,open,high,low,close,volume
20261119,100,102,99,101,1000000
20261120,101,103,100,102,1100000
20261123,51,52,50,51.5,2000000
EOF
assert_same_file want.csv bars.csv
t "bars: 2 D, and the three end-date forms (New York time, with a zone, UTC)"
assert_eq "20261120,101,103,100,102,1100000" "$(tc bars AAPL "2 D" | sed -n 2p)"
assert_eq 3 "$(tc bars AAPL "2 D" | wc -l)"
for end in "20261120 16:00:00" "20261120 16:00:00 US/Eastern" "20261120-21:00:00" "20261121 08:00:00"; do
	assert_eq "20261120,101,103,100,102,1100000" "$(tc bars AAPL "1 M" TRADES "$end" | tail -1)" "end $end"
done
assert_eq "20261119,100,102,99,101,1000000" "$(tc bars AAPL "1 Y" TRADES "20261120 09:00:00" | tail -1)"
t "bars: ADJUSTED_LAST divides the pre-split bars"
tc bars AAPL "5 D" ADJUSTED_LAST >adj.csv
$PY - adj.csv <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 3, rows
assert abs(float(rows[0]["close"]) - 50.5) < 1e-4, rows[0]
assert abs(float(rows[1]["open"]) - 50.5) < 1e-4, rows[1]
assert rows[2]["close"] == "51.5", rows[2]
EOF
t "bars: errors 200, 321, 162"
assert_eq "error 200 No security definition has been found for the request" "$(tc bars NOSUCH "1 Y")"
assert_status 1 tc bars NOSUCH "1 Y"
assert_contains "$(tc bars AAPL "1 Y" ADJUSTED_LAST "20261120 16:00:00")" "error 321"
assert_contains "$(tc bars AAPL "ten days")" "error 321"
assert_contains "$(tc bars AAPL "1 Y" TRADES "2026-11-20")" "error 321"
assert_contains "$(tc bars AAPL "1 Y" MIDPOINT)" "error 321"
assert_contains "$(tc bars AAPL "1 Y" TRADES "20201120 16:00:00")" "error 162 Historical Market Data Service error message:HMDS query returned no data"

t "orders: acknowledged PreSubmitted, rejected with 201, orderRef kept"
assert_eq "status 1 PreSubmitted filled=0 remaining=100" "$(tc --client-id 3 order 1 AAPL BUY 100 MKT OPG "" "2026-11-23:lo-csmom:AAPL:BUY")"
assert_eq "status 2 PreSubmitted filled=0 remaining=10" "$(tc --client-id 3 order 2 MSFT SELL 10 MOC DAY "" "2026-11-23:lo-csmom:MSFT:SELL")"
assert_eq "status 3 PreSubmitted filled=0 remaining=1" "$(tc --client-id 3 order 3 MSFT BUY 1 LOC DAY 1 "loc-too-low")"
tc --client-id 3 order 9 NOSUCH BUY 1 MKT OPG >rej.txt || true
assert_contains rej.txt "error 201 Order rejected - reason:No security definition has been found for the request"
assert_contains rej.txt "status 9 Cancelled"
assert_contains "$(tc --client-id 3 order 10 AAPL BUY 1 LMT DAY || true)" "error 201 Order rejected - reason:a limit order needs a limit price"
assert_contains "$(tc --client-id 3 order 11 AAPL BUY 0 MKT DAY || true)" "error 201 Order rejected - reason:quantity must be"
assert_contains "$(tc --client-id 3 order 12 AAPL BUY 5 STP DAY || true)" "error 201 Order rejected - reason:order type not supported"
assert_contains "$(tc --client-id 3 cancel 77 || true)" "error 10147 OrderId 77 that needs to be cancelled is not found."

t "staged orders: transmit=0 is Inactive and never fills until transmitted"
assert_eq "status 20 Inactive filled=0 remaining=7" "$(tc --client-id 4 order 20 MSFT BUY 7 MKT OPG "" staged 0)"
assert_eq "status 21 Inactive filled=0 remaining=5" "$(tc --client-id 4 order 21 AAPL BUY 5 MKT OPG "" staged-2 0)"
tc open all >open.csv
assert_eq 5 "$(wc -l <open.csv)"
assert_contains open.csv "1,AAPL,BUY,100,MKT,OPG,PreSubmitted,2026-11-23:lo-csmom:AAPL:BUY"
assert_contains open.csv "20,MSFT,BUY,7,MKT,OPG,Inactive,staged"
assert_eq 0 "$(tc --client-id 99 open | wc -l)"

t "client id in use: 326 for a second connection with the same id"
$PY -c "
import os, sys, time; sys.path.insert(0, '$TOP/tests/tools'); import tws_client
t = tws_client.Tws('127.0.0.1', $port, 55); open('held', 'w').close()
end = time.time() + 120
while time.time() < end and not os.path.exists('release'):
    time.sleep(0.05)" &
holder=$!
on_exit "touch '$OUT/release'"
wait_for 30 test -f held || fail "the first client did not connect"
tc --client-id 55 hello 2>dup.txt && fail "a duplicate client id was accepted"
assert_contains dup.txt "error 326"
touch release # the first client held its id until the second was refused, however slow either was
wait $holder

t "the open: MKT/OPG fill at the open, MOC waits, staged orders do not move"
ctl advance open >/dev/null
tc open all >open2.csv
assert_contains open2.csv "2,MSFT,SELL,10,MOC,DAY,Submitted"
assert_contains open2.csv "20,MSFT,BUY,7,MKT,OPG,Inactive,staged"
t "an OPG order during the session is refused as IB refuses it: 201 'Exchange is closed.'"
# IB takes market/limit-on-open orders from the close until 09:28 New York time (IB's order-type page, as
# QuantConnect/Lean pull request 8969 quotes it); the text is IB's (an IB log in
# QuantConnect/Lean.Brokerages.InteractiveBrokers issue 204).
tc --client-id 4 order 22 MSFT BUY 7 MKT OPG >opg.txt || true
assert_contains opg.txt "error 201 Order rejected - reason:Exchange is closed."
assert_contains "$(tc --client-id 4 cancel 21)" "status 21 Cancelled"
ctl advance close >/dev/null
tc execs >execs.csv
assert_eq 2 "$(wc -l <execs.csv)"
# 100 AAPL at the 2026-11-24 open (51.5), commission 0.5/100 shares -> 1.00 minimum.
assert_contains execs.csv ",1,AAPL,BOT,100,51.5,2026-11-23:lo-csmom:AAPL:BUY,1"
# The sale of 10 MSFT at 405 (4,050): 1.00 minimum + SEC fee 4050 * 27.80e-6 = 0.11 -> 0.12 + FINRA TAF
# 10 * 0.000166 -> 0.01 (sim/commission.h names the sources) = 1.13.
assert_contains execs.csv ",2,MSFT,SLD,10,405,2026-11-23:lo-csmom:MSFT:SELL,1.13"
assert_eq 0 "$(tc --client-id 3 open | grep -c '^3,' || true)" # the LOC was not marketable: cancelled
t "transmitting a staged order after the close makes it live: it fills at the next open"
assert_eq "status 20 PreSubmitted filled=0 remaining=7" "$(tc --client-id 4 order 20 MSFT BUY 7 MKT OPG "" staged 1)"
ctl advance open >/dev/null
assert_contains "$(tc execs)" ",20,MSFT,BOT,7,405,staged,"

t "accounting adds up: NLV = cash + positions at the last price; cash = capital - trades - commissions"
tc summary >summary.csv
tc positions >positions.csv
tc execs >execs.csv
$PY - summary.csv positions.csv execs.csv <<'EOF'
import csv, sys
vals = dict(csv.reader(open(sys.argv[1])))
pos = {r[1]: float(r[2]) for r in csv.reader(open(sys.argv[2]))}
cash = 1000000.0
for r in csv.reader(open(sys.argv[3])):
    q, p, c = float(r[4]), float(r[5]), float(r[7])
    cash += (-q * p if r[3] == "BOT" else q * p) - c
assert abs(float(vals["TotalCashValue"]) - cash) < 0.005, (vals, cash)
# The clock is at the 2026-11-25 open: AAPL 52.5, MSFT 405.
nlv = cash + pos["AAPL"] * 52.5 + pos["MSFT"] * 405
assert abs(float(vals["NetLiquidation"]) - nlv) < 0.005, (vals, nlv)
assert pos == {"AAPL": 100, "MSFT": -3}, pos
EOF

t "restart: kill -9 and start again; orders, executions, positions and the clock are all there"
tc open all >before-open.csv
tc execs >before-execs.csv
tc positions >before-pos.csv
before_status=$(ctl status)
kill_sim
start_sim
tc open all >after-open.csv
tc execs >after-execs.csv
tc positions >after-pos.csv
assert_same_file before-open.csv after-open.csv
assert_same_file before-execs.csv after-execs.csv
assert_same_file before-pos.csv after-pos.csv
assert_eq "$before_status" "$(ctl status)"
assert_contains "$(tc hello)" "next_id 22"
assert_contains "$(tc --client-id 3 order 1 AAPL BUY 1 MKT OPG || true)" "error 103"
stop_sim

t "20 concurrent clients place 10,000 orders; kill -9; every order is still there and fills"
rm -rf state
start_sim --slippage-bps 10 --capital 10000000 # 10,000 BUYs of up to 408 each: within Reg T buying power
n=10000
sanitized && n=4000
out=$(tc --client-id 100 load 20 "$n" AAPL,MSFT)
assert_contains "$out" "acked $n in"
(tc --client-id 200 barsload 20 400 AAPL,MSFT) >barsload.txt
assert_contains barsload.txt "requests 400 in"
kill_sim
start_sim --slippage-bps 10
assert_eq "$n" "$(tc open all | grep -c ',PreSubmitted,load:')"
ctl advance open >/dev/null
assert_eq "$n" "$(tc execs | grep -c ',load:')"
# Slippage: 10 bps above the open (AAPL 51.5 -> 51.5515), commission 1 share -> min(1.00, 1%) = 0.52 (cents).
tc execs >load-execs.csv
assert_contains "$(grep -m1 ',AAPL,' load-execs.csv)" ",AAPL,BOT,1,51.5515,load:"
assert_contains "$(grep -m1 ',AAPL,' load-execs.csv)" ",0.52"
kill_sim
start_sim
assert_eq "$n" "$(tc execs | grep -c ',load:')"
assert_eq "$n" "$(tc positions | awk -F, '{s += $3} END {print s}')"
stop_sim

t "fault injection: reject every 2nd order, drop a connection, pacing violations, delayed answers"
rm -rf state
start_sim --reject-every 2 --drop-after 3 --pacing-violations 2 --delay 300
tc hello >/dev/null 2>&1 || true # the first connection is dropped after 3 messages
assert_contains sim.log "fault injection: dropping"
assert_eq "status 1 PreSubmitted filled=0 remaining=1" "$(tc --client-id 1 order 1 AAPL BUY 1 MKT OPG)"
assert_contains "$(tc --client-id 1 order 2 AAPL BUY 1 MKT OPG || true)" "error 201 Order rejected - reason:simulated rejection"
tc bars AAPL "1 W" >/dev/null
assert_contains "$(tc bars AAPL "1 W")" "error 162 Historical Market Data Service error message:Historical data request pacing violation"
s0=$(date +%s%N)
tc time >/dev/null
elapsed=$(( ($(date +%s%N) - s0) / 1000000 ))
[ "$elapsed" -ge 300 ] || fail "answers not delayed: ${elapsed} ms"
stop_sim
t "server version 176: negotiated, and the 176 layouts (faProfile in OPEN_ORDER) read right"
rm -rf state
start_sim --server-version 176
assert_contains "$(tc hello)" "version 176 "
tc --client-id 2 order 1 MSFT BUY 3 MOC DAY "" v176 >/dev/null
assert_eq "1,MSFT,BUY,3,MOC,DAY,PreSubmitted,v176" "$(tc open all)"
ctl advance close >/dev/null
assert_contains "$(tc execs)" ",1,MSFT,BOT,3,405,v176,1"
stop_sim
t "every version the client announces (157..178) works with our own tools: ib-submit's orders are working, not rejected, and ib-account reads them back"
# The layouts at each version are the official client's (ibapi client.py placeOrder, orderdecoder.py):
# 157 has none of duration/postToAts/autoCancelParent/advancedErrorOverride/manualOrderTime, 169 all of
# them and faProfile, 176 the PEG BEST/PEG MID fields too, 177 drops faProfile.
for v in 157 169 176 177; do
	rm -rf state
	port=$(free_port) # a fresh port each time: another test may have taken the last one meanwhile
	start_sim --server-version "$v"
	printf '%s\n' '{"type":"order","client_id":"2026-11-23:t:MSFT:BUY","date":"2026-11-24","id":"10002","symbol":"MSFT","side":"BUY","qty":3,"order_type":"MKT","tif":"OPG","ref_price":408.0}' >v.ndjson
	IB_PORT=$port IB_CLIENT_ID=5 ib-submit v.ndjson >v-status.ndjson 2>v-submit.err || fail "ib-submit at version $v: $(cat v-submit.err)"
	assert_contains v-status.ndjson '"status":"PreSubmitted"'
	IB_PORT=$port IB_CLIENT_ID=6 ib-account >v-acct.ndjson 2>v-acct.err || fail "ib-account at version $v: $(cat v-acct.err)"
	assert_contains v-acct.ndjson '"client_id":"2026-11-23:t:MSFT:BUY"'
	assert_contains sim.log "(version $v)"
	stop_sim
done
t "order warnings (10349 TIF set by a preset, 399, 404 locate, 2109): the order is working, not Rejected, and fills"
# IB's message codes: 404 holds the order while shares are located, 2109 says PlaceOrder is processed;
# ib_async treats 399 and 404 as warnings; 10349 arrives for live orders on accounts with presets.
status_and_notice() { grep -q PreSubmitted w-status.ndjson 2>/dev/null && grep -q "notice $w" w-submit.err 2>/dev/null; }
for w in 10349 399 404 2109; do
	rm -rf state
	port=$(free_port)
	start_sim --order-warning "$w"
	IB_PORT=$port IB_CLIENT_ID=5 ib-submit --wait --wait-timeout 30 v.ndjson >w-status.ndjson 2>w-submit.err &
	sub=$!
	# The status and the notice are two messages; under ASan the notice can be read after the status line.
	wait_for 30 status_and_notice || true # the asserts below say which is missing
	assert_contains w-status.ndjson '"status":"PreSubmitted"'
	assert_contains w-submit.err "notice $w"
	ctl advance open >/dev/null
	wait "$sub" || fail "ib-submit with warning $w: exit status $? ($(cat w-submit.err))"
	assert_contains w-status.ndjson '"status":"Filled"'
	stop_sim
done

t "@stoqey/ib (an independent Node.js client, its own encoder and decoder) against ib-sim: contract details (by IB's share-class form too), 200, bars with useRTH, an order with a warning"
[ -f "$TOP/tests/node_modules/@stoqey/ib/package.json" ] || fail "@stoqey/ib is not installed: run tests/setup-node (make deps-test)"
rm -rf state
port=$(free_port)
start_sim --order-warning 10349
sq() { node "$TOP/tests/tools/stoqey_client.js" "$port" "$@"; }
# conId is ib-sim's numeric id; the primary exchange NASDAQ when it divides by 3 (see ib-sim(1)).
assert_eq "10001,AAPL,NYSE,USD,AAPL INC" "$(sq 81 contract AAPL)"
assert_contains "$(sq 82 contract NOSUCH || true)" "error 200 No security definition has been found for the request"
assert_status 1 sq 82 contract NOSUCH
# OLDCO's last day (2026-11-20) is before the clock's (2026-11-23): delisted, unknown by symbol.
assert_contains "$(sq 83 contract OLDCO || true)" "error 200"
sq 84 bars AAPL "1 W" 1 >sq-bars.txt
assert_eq "20261119,100,102,99,101,1000000 20261120,101,103,100,102,1100000 20261123,51,52,50,51.5,2000000 end" "$(xargs <sq-bars.txt)"
# outside RTH: opens at the previous close (102, the day before the split), 8% more volume
assert_contains "$(sq 85 bars AAPL "2 D" 0)" "20261123,102,102,50,51.5,2160000"
sq 86 order 40 MSFT BUY 5 MKT OPG >sq-order.txt
assert_contains sq-order.txt "error 10349 Order TIF was set to DAY based on order preset."
assert_contains sq-order.txt "status 40 PreSubmitted"
assert_contains "$(tc open all)" "40,MSFT,BUY,5,MKT,OPG,PreSubmitted,stoqey"
stop_sim

t "a limit order fills only when the day trades through its limit (a low that touches it is no fill)"
rm -rf state
port=$(free_port)
start_sim
ctl advance open >/dev/null # 2026-11-24: open 51.5, low 51
assert_contains "$(tc --client-id 7 order 1 AAPL BUY 1 LMT DAY 51 touch)" "status 1 Submitted"
assert_contains "$(tc --client-id 7 order 2 AAPL BUY 1 LMT DAY 51.01 through)" "status 2 Submitted"
ctl advance close >/dev/null
tc execs >lmt.csv
assert_eq 1 "$(wc -l <lmt.csv)" "fills"
assert_contains lmt.csv ",2,AAPL,BOT,1,51.01,through,"
stop_sim

t "farm notices: the HMDS farm goes inactive and wakes up around each request; CTL notice reaches every client"
rm -rf state
start_sim --farm-notices
$PY - "$TOP/tests/tools" "$port" >farm.txt <<'EOF'
import sys
sys.path.insert(0, sys.argv[1]); import tws_client
t = tws_client.Tws("127.0.0.1", int(sys.argv[2]), 61)
seen = []
for rid in (100, 101):
    t.req_bars(rid, "AAPL", "1 W")
    for f in t.messages():
        seen.append(f[3] if f[0] == "4" else f[0])
        if f[0] == "4" and f[3] == "2107":
            break
print(" ".join(x for x in seen if x in ("17", "2106", "2107")))
EOF
# 2106 first: the data-farm notices every connection gets (see the handshake above).
assert_eq "2106 17 2107 2106 17 2107" "$(cat farm.txt)"
assert_status 65 ctl notice 1234
assert_status 65 ctl notice 1100
assert_status 0 ctl notice 2103
assert_status 65 ctl link lost after 0
assert_status 65 ctl link lost after x
assert_status 65 ctl link lost after 3 requests # a word more than any command has
assert_status 0 ctl link lost after 3 # ib-bars.sh takes the link away mid-run with it
stop_sim

t "commissions as IB reports them, account updates (@stoqey/ib), auction cutoffs on the New York clock"
rm -rf state
start_sim
sq() { node "$TOP/tests/tools/stoqey_client.js" "$port" "$@"; }
assert_contains "$(tc --client-id 9 order 1 AAPL BUY 100 MKT OPG)" "status 1 PreSubmitted"
ctl advance open >/dev/null # 2026-11-24, AAPL opens at 51.5
assert_contains "$(tc --client-id 9 order 2 AAPL SELL 40 MKT DAY)" "status 2"
sq 91 execs >sq-execs.txt
# Hand-computed from IBKR Pro's fixed schedule and the SEC/FINRA rates (sim/commission.h names them): the
# buy of 100 at 51.5 pays the 1.00 minimum and realises nothing (TWS sends 1.7976931348623157E308, which
# @stoqey/ib decodes as undefined); the sale of 40 at 51.5 (2,060) pays 1.00 + SEC 0.0573 -> 0.06 + TAF
# 0.0066 -> 0.01 = 1.07 and realises (51.5 - 51.51) * 40 - 1.07 = -1.47 (average cost (5150 + 1) / 100).
assert_contains sq-execs.txt "comm BOT 100 51.5 1 undefined"
$PY - sq-execs.txt <<'EOF2'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("comm SLD")]
assert len(rows) == 1, rows
_, side, qty, px, comm, pnl = rows[0]
assert (qty, px, comm) == ("40", "51.5", "1.07"), rows
assert abs(float(pnl) - -1.47) < 1e-9, pnl
EOF2
sq 92 account >sq-account.txt
# reqAccountUpdates as a gateway answers it (EDecoder's ACCT_VALUE, PORTFOLIO_VALUE v8, ACCT_UPDATE_TIME,
# ACCT_DOWNLOAD_END). Cash 1,000,000 - 5,151 + 2,060 - 1.07 = 996,907.93; 60 AAPL at 51.5 = 3,090; Reg T
# initial margin 50% = 1,545, maintenance 25% = 772.50; available = NLV - initial, excess = NLV - maintenance.
for kv in "NetLiquidation 999997.93" "TotalCashValue 996907.93" "GrossPositionValue 3090.00" \
	"InitMarginReq 1545.00" "MaintMarginReq 772.50" "AvailableFunds 998452.93" "ExcessLiquidity 999225.43" \
	"BuyingPower 1996905.86" "RealizedPnL -1.47" "UnrealizedPnL -0.60"; do
	assert_contains sq-account.txt "value $kv USD DU1234567"
done
assert_contains sq-account.txt "value AccountCode DU1234567  DU1234567"
assert_contains sq-account.txt "time 09:30"
assert_eq "end DU1234567" "$(tail -1 sq-account.txt)"
$PY - sq-account.txt <<'EOF2'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("portfolio ")]
assert len(rows) == 1, rows
_, sym, pos, px, value, avg, unrl, rlzd, acct = rows[0]
assert (sym, pos, px, value, acct) == ("AAPL", "60", "51.5", "3090", "DU1234567"), rows
assert abs(float(avg) - 51.51) < 1e-9 and abs(float(unrl) - -0.6) < 1e-9 and abs(float(rlzd) - -1.47) < 1e-9, rows
EOF2
# The summary reports the same values (one table: sim/account.c).
assert_contains "$(tc summary)" "AvailableFunds,998452.93"
# MOC/LOC: NYSE takes them until 15:50 (NYSE's auction fact sheet, quoted in QuantConnect/Lean issue 5481).
assert_contains "$(tc --client-id 9 order 3 AAPL SELL 1 MOC DAY)" "status 3 Submitted"
assert_eq "2026-11-24 open" "$(ctl advance to 15:50 | cut -d' ' -f1-2)"
tc --client-id 9 order 4 AAPL SELL 1 MOC DAY >moc.txt || true
assert_contains moc.txt "error 201 Order rejected - reason:MOC orders are not accepted after 15:50:00"
assert_status 65 ctl advance to 16:00
assert_status 65 ctl advance to 9:5x
stop_sim

t "tiered commissions (--commissions tiered): a buy of 100 at 51.5 pays the 0.35 minimum + clearing 0.02 + pass-throughs"
rm -rf state
start_sim --commissions tiered
tc --client-id 9 order 1 AAPL BUY 100 MKT OPG >/dev/null
ctl advance open >/dev/null
# 0.35 + 100 * 0.0002 + 0.35 * 0.000175 + 0.35 * 0.00056 = 0.37025725 -> 0.370257 (IBKR's tiered schedule)
assert_contains "$(sq 93 execs)" "comm BOT 100 51.5 0.370257 undefined"
stop_sim
assert_status 64 ib-sim --prices prices.csv --commissions flat

t "no request goes unanswered: managed accounts, a global cancel, 321 for what is not served, 505 for an unknown id"
rm -rf state
start_sim
assert_contains "$(tc --client-id 9 order 1 AAPL BUY 1 MKT OPG)" "status 1 PreSubmitted"
$PY - "$TOP/tests/tools" "$port" >unserved.txt <<'EOF2'
import sys
sys.path.insert(0, sys.argv[1]); import tws_client
t = tws_client.Tws("127.0.0.1", int(sys.argv[2]), 62)
t.sync()
def first(pred):
    for f in t.messages():
        if pred(f):
            return f
t.send(17, 1)                       # reqManagedAccts: MANAGED_ACCTS 15|1|accounts|
print("accounts", first(lambda f: f[0] == "15")[2])
t.send(10, 5, 4242, 0, "AAPL", "STK", "", "", "", "", "SMART", "", "USD", "", "", 5, 0, "")  # reqMktDepth
f = first(lambda f: f[0] == "4" and f[2] == "4242")
print("depth", f[3])
t.send(92, 4343, "DU1234567", "")   # reqPnL: its request id is the first field
print("pnl", first(lambda f: f[0] == "4" and f[2] == "4343")[3])
t.send(999, 1)                      # an id the API does not have
f = first(lambda f: f[0] == "4" and f[3] == "505")
print("unknown", f[3], f[4])
t.send(58, 1)                       # reqGlobalCancel: every open order, whoever placed it (their owners hear)
t.sync()
print("global done")
EOF2
assert_contains unserved.txt "accounts DU1234567"
assert_contains unserved.txt "depth 321"
assert_contains unserved.txt "pnl 321"
assert_contains unserved.txt "unknown 505 Fatal Error: Unknown message id."
assert_contains unserved.txt "global done"
assert_eq 0 "$(tc open all | grep -c PreSubmitted || true)" "open orders after a global cancel"
stop_sim

rm -rf state
start_sim --pacing
tc bars MSFT "1 W" >/dev/null
assert_contains "$(tc bars MSFT "1 W")" "error 162"
stop_sim
echo "all ib-sim tests passed"
