#!/usr/bin/env bash
# ib-bars against ib-sim: the bars of every security arrive, equal to the prices ib-sim serves (checked with
# pandas, an independent reading of the same file); unknown symbols; --strict; pacing violations and dropped
# connections give the same output; timeouts and a broker gone for good fail loudly with nothing written.
. "$TOP/tests/lib.sh"

n=500 days=2520 # 10 years of trading days
if sanitized; then n=80 days=600; fi
market-gen --seed 21 --securities "$n" --days "$days" -o px.csv

# The request list: every security that has bars, by conId (ib-sim's conId is the numeric id); and 40
# tickers alive on the last day, to ask for by symbol.
/usr/bin/python3 - px.csv syms.csv alive.txt <<'PY'
import sys
import pandas as pd
p = pd.read_csv(sys.argv[1], dtype={"id": str, "symbol": str}).dropna(subset=["close"])
last = p.groupby("id").tail(1).sort_values("id")
with open(sys.argv[2], "w") as f:
    print("symbol,con_id", file=f)
    for r in last.itertuples():
        print(f"{r.symbol},{r.id}", file=f)
alive = last[last.date == p.date.max()].head(40)
with open(sys.argv[3], "w") as f:
    for s in alive.symbol:
        print(s, file=f)
PY

start_sim() { # name port prices ib-sim options...
	local name=$1 port=$2 prices=$3
	shift 3
	start_bg "$name" ib-sim --prices "$prices" --state "$OUT/state-$name" --port "$port" "$@"
	wait_port "$port"
}
port=$(free_port)
start_sim sim "$port" px.csv

t "every security of $n x $days days ($(($(wc -l <syms.csv) - 1)) with listings) arrives, equal to the prices ib-sim serves"
ib-bars --port "$port" --client-id 1 --duration '11 Y' --max-rate 200 -o bars.csv <syms.csv 2>err.txt
assert_contains err.txt "$(($(wc -l <syms.csv) - 1)) of $(($(wc -l <syms.csv) - 1)) securities"
/usr/bin/python3 - px.csv syms.csv bars.csv <<'PY'
import sys
import numpy as np
import pandas as pd
px, syms, bars = sys.argv[1:4]
p = pd.read_csv(px, dtype={"id": str, "symbol": str}, float_precision="round_trip").dropna(subset=["close"])
s = pd.read_csv(syms, dtype={"symbol": str, "con_id": str})
b = pd.read_csv(bars, dtype={"id": str, "symbol": str}, float_precision="round_trip")
def check(cond, what):
    if not cond:
        sys.exit("ib-bars output: " + what)
check(list(b.columns) == "date,id,symbol,open,high,low,close,volume,ret".split(","), "columns")
check(b[["date", "id"]].apply(tuple, axis=1).is_monotonic_increasing, "sorted by date, then id")
check(not b.duplicated(["date", "id"]).any(), "no duplicate (date, id)")
want = p.merge(s.rename(columns={"con_id": "id", "symbol": "asked"}), on="id")
want = want.sort_values(["date", "id"]).reset_index(drop=True)
check(len(b) == len(want) == len(p), f"rows: {len(b)} written, {len(p)} in the file")
check((b.date.values == want.date.values).all() and (b.id.values == want.id.values).all(), "dates and ids")
check((b.symbol.values == want.asked.values).all(), "symbol is the one asked for")
for c in ["open", "high", "low", "close", "volume"]:
    check(np.array_equal(b[c].values, want[c].values), c + " equal to the file's, bit for bit")
ret = want.groupby("id").close.pct_change()
check(np.array_equal(b.ret.values, ret.values, equal_nan=True), "ret from consecutive closes")
print("ok", len(b), "rows")
PY

t "unknown symbols are reported and left out; --strict refuses"
{ sed -n '1,5p' alive.txt; echo NOSUCH; } >some.txt
ib-bars --port "$port" --duration '1 M' -o some.csv <some.txt 2>err.txt
assert_contains err.txt "NOSUCH: unknown or ambiguous: No security definition has been found for the request (error 200)"
assert_contains err.txt "5 of 6 securities"
assert_contains err.txt "1 missing (unknown or no data), 0 failed"
grep -q NOSUCH some.csv && fail "NOSUCH in the output"
assert_eq 5 "$(cut -d, -f3 some.csv | sed 1d | sort -u | wc -l)" "securities written"
assert_status 65 ib-bars --port "$port" --duration '1 M' --strict -o strict.csv <some.txt
[ -e strict.csv ] && fail "--strict wrote output"
assert_contains "$(ib-bars --port "$port" --duration '1 M' --strict <some.txt 2>&1 >/dev/null || true)" \
	"--strict: 1 of 6 securities missing; nothing written"

t "a security without data in the window is missing (162 no data)"
first=$(sed -n 2p px.csv | cut -d, -f1 | tr -d -)
assert_status 0 ib-bars --port "$port" --end "$(date -d "$first - 10 days" +%F)" --duration '5 D' -o none.csv <some.txt
assert_eq 1 "$(wc -l <none.csv)" "lines (header only)"

t "the same securities one at a time give the same bytes"
# the fault tests use a smaller market: each server loads its file
market-gen --seed 22 --securities 60 --days 800 -o small.csv
awk -F, -v d="$(tail -1 small.csv | cut -d, -f1)" '$1 == d && $7 != "" && n++ < 40 { print $3 }' small.csv >forty.txt
portsm=$(free_port)
start_sim small "$portsm" small.csv
port=$portsm
ib-bars --port "$port" --duration '3 Y' --max-rate 200 <forty.txt >many.csv
ib-bars --port "$port" --duration '3 Y' --max-rate 200 --max-inflight 1 <forty.txt >one.csv
assert_same_file many.csv one.csv

t "pacing violations are retried: same output"
port2=$(free_port)
start_sim pacing "$port2" small.csv --pacing-violations 7
ib-bars -v --port "$port2" --duration '3 Y' --max-rate 200 <forty.txt >paced.csv 2>err.txt
assert_contains err.txt "pacing violation, retry 1"
assert_same_file many.csv paced.csv

t "dropped connections: reconnect, ask again, same output"
port3=$(free_port)
start_sim drops "$port3" small.csv --drop-after 25 --drop-count 3
ib-bars --port "$port3" --duration '3 Y' --max-rate 200 <forty.txt >dropped.csv 2>err.txt
assert_contains err.txt "reconnected to TWS"
assert_same_file many.csv dropped.csv

t "requests that time out: loud failure, nothing written"
port4=$(free_port)
start_sim slow "$port4" small.csv --delay 3000
sed -n '1,5p' forty.txt >five.txt
assert_status 75 ib-bars --port "$port4" --duration '1 M' --timeout 0.5 -o slow.csv <five.txt
[ -e slow.csv ] && fail "a timed-out run wrote output"
true

t "the broker goes away for good mid-run: loud failure, nothing written"
port5=$(free_port)
start_sim gone "$port5" small.csv --delay 300
( sleep 1; kill "$PID_gone" ) &
killer=$!
assert_status 69 ib-bars --port "$port5" --duration '3 Y' --max-rate 20 -o gone.csv <forty.txt
[ -e gone.csv ] && fail "a failed run wrote output"
wait "$killer"

t "what answers on the port is not a TWS gateway (an SSH server's banner): 76, nothing written"
# sysexits.h: EX_PROTOCOL (76) "the remote system returned something that was not possible during a protocol
# exchange"; unlike 69 (refused, lost), trying again later does not help: the port is wrong. The banner is
# what OpenSSH sends first on connect (RFC 4253, 4.2), Debian 12's version.
port9=$(free_port)
start_bg ssh /usr/bin/python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
while True:
    c, _ = s.accept()
    c.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
    try:
        c.recv(4096)
    except OSError:
        pass
    c.close()
' "$port9"
wait_port "$port9"
assert_status 76 ib-bars --port "$port9" --duration '1 M' -o ssh.csv <five.txt 2>ssh.err
assert_contains ssh.err "is not a TWS API server"
[ -e ssh.csv ] && fail "a failed run wrote output"
true

t "TWS loses IB mid-run (1100) and gets it back (1102, then 1101): same socket, no reconnect, same output"
# IB's message codes: after 1100 TWS reconnects to IB by itself; 1102 restored with data kept, 1101 with
# data lost (requests must be sent again). The socket to TWS stays up: a client must not drop it.
port6=$(free_port)
start_sim link "$port6" small.csv --delay 200
downs=0
link_went_down() { [ "$(grep -c 'TWS lost its link to IB' "$OUT/link.log")" -ge "$downs" ]; }
for how in restored restored-data-lost; do
	# The link goes down at a known point of the run, ib-bars's 10th request (ib-sim counts them), with
	# the first answers still held by --delay: a `ctl link lost` sent from here once ib-bars is connected
	# raced the run (0.6 s), and lost it on a loaded machine.
	ib-sim ctl --port "$port6" link lost after 10 >/dev/null
	ib-bars --port "$port6" --client-id 8 --duration '3 Y' --max-rate 200 --timeout 3 -o "link-$how.csv" \
		<forty.txt 2>"link-$how.err" &
	bars=$!
	downs=$((downs + 1))
	wait_for 30 link_went_down || fail "ib-sim's link did not go down ($how)"
	sleep 4 # longer than --timeout (3 s, roomy for ASan on a loaded machine): the requests' timeouts must not run while the link is down
	ib-sim ctl --port "$port6" link "$how" >/dev/null
	wait "$bars" || fail "ib-bars with the link $how: exit status $? ($(tail -3 "link-$how.err"))"
	assert_same_file many.csv "link-$how.csv"
	assert_contains "link-$how.err" "lost its connection to IB (error 1100)"
	grep -q "reconnecting" "link-$how.err" && fail "ib-bars reconnected ($how)"
done
assert_eq 2 "$(grep -c 'client id 8 connected' "$OUT/link.log")" "connections (one per run)"

t "useRTH: regular hours by default (the file's bars, as checked above); --outside-rth asks for extended hours"
# ib-sim: with useRTH 0 a bar opens at the previous close and has 8% more volume (see ib-sim(1)).
port7=$(free_port)
prev=$(cut -d, -f1 small.csv | sed 1d | sort -u | tail -2 | head -1)
last=$(cut -d, -f1 small.csv | sed 1d | sort -u | tail -1)
start_sim rth "$port7" small.csv --start "$prev"
ib-bars --port "$port7" --duration '1 M' -o rth.csv <five.txt
ib-bars --port "$port7" --duration '1 M' --outside-rth -o ext.csv <five.txt
/usr/bin/python3 - rth.csv ext.csv <<'PY'
import sys
import pandas as pd
r = pd.read_csv(sys.argv[1], dtype={"id": str})
e = pd.read_csv(sys.argv[2], dtype={"id": str})
# ib-sim's clock is at 16:00 of the last day: its outside-hours bar runs to 20:00, so it is partial and
# left out; the regular-hours bar is complete.
last = r.date.max()
assert e.date.max() < last and len(r) - len(e) == 5, "the last day only in regular hours"
r = r[r.date < last].set_index(["date", "id"])
e = e.set_index(["date", "id"])
assert r.index.equals(e.index), "same bars"
assert ((r.volume * 1.08).round() == e.volume).all(), "outside-hours volume"
assert (r.close == e.close).all(), "same closes"
prev_close = r.close.groupby(level="id").shift(1)
assert (e.open[prev_close.notna()] == prev_close[prev_close.notna()]).all(), "pre-market opens at the previous close"
print("ok")
PY

t "today's bar during the session is partial: left out unless --include-partial; complete after the close"
ib-sim ctl --port "$port7" advance open >/dev/null
ib-bars --port "$port7" --duration '1 M' -o open.csv <five.txt 2>open.err
assert_contains open.err "5 partial bars of today ($last) left out"
[ "$(tail -1 open.csv | cut -d, -f1)" = "$prev" ] || fail "the last bar of a run in the session is not the day before"
ib-bars --port "$port7" --duration '1 M' --include-partial -o partial.csv <five.txt
/usr/bin/python3 - partial.csv "$last" <<'PY'
import sys
import pandas as pd
p = pd.read_csv(sys.argv[1], dtype={"id": str})
t = p[p.date == sys.argv[2]]
assert len(t) == 5, t
assert ((t.high == t.open) & (t.low == t.open) & (t.close == t.open)).all(), "the bar so far"
print("ok")
PY
ib-sim ctl --port "$port7" advance close >/dev/null
ib-bars --port "$port7" --duration '1 M' -o closed.csv <five.txt 2>closed.err
grep -q "partial" closed.err && fail "bars after the close taken as partial"
assert_eq 5 "$(grep -c "^$last," closed.csv)" "bars of the day after its close"

t "no market data permissions (162) is permanent: exit 69 naming the symbols, nothing written"
port8=$(free_port)
start_sim perm "$port8" small.csv --no-permission "$(sed -n 2p five.txt),$(sed -n 4p five.txt)"
assert_status 69 ib-bars --port "$port8" --duration '1 M' -o perm.csv <five.txt
[ -e perm.csv ] && fail "a run without permissions wrote output"
ib-bars --port "$port8" --duration '1 M' <five.txt 2>perm.err >/dev/null || true
assert_contains perm.err "no market data permissions for 2 of 5 securities (error 162): $(sed -n 2p five.txt) $(sed -n 4p five.txt);"

t "ib-sim --pacing enforces IB's rules on a naive client; ib-bars keeps to them and is never refused"
port9=$(free_port)
start_sim paced "$port9" small.csv --pacing
/usr/bin/python3 - "$TOP/tests/tools" "$port9" "$(sed -n 1p five.txt)" >naive.txt <<'PY'
import sys
sys.path.insert(0, sys.argv[1]); import tws_client
t = tws_client.Tws("127.0.0.1", int(sys.argv[2]), 71)
# six requests for one contract within 2 s (different durations: not identical), then an identical one
for i, d in enumerate(["1 D", "2 D", "3 D", "4 D", "5 D", "6 D", "1 D"]):
    t.req_bars(100 + i, sys.argv[3], d)
got = {}
for f in t.messages():
    if f[0] == "17":
        got[int(f[1])] = "bars"
    elif f[0] == "4" and int(f[2]) >= 100:
        got[int(f[2])] = f[3]
    if len(got) == 7:
        break
print(" ".join(got[100 + i] for i in range(7)))
PY
assert_eq "bars bars bars bars bars 162 162" "$(cat naive.txt)"
ib-bars -v --port "$port9" --client-id 3 --duration '3 Y' <forty.txt >paced-ok.csv 2>paced-ok.err
grep -q "pacing violation" paced-ok.err && fail "ib-bars was refused for pacing"
assert_same_file many.csv paced-ok.csv

t "contracts: each symbol resolved once (reqContractDetails) and cached; share classes; 200 per symbol"
# IB writes share classes with a space ("BRK B", its contract search); CRSP writes BRK.B or BRKB. A
# delisted symbol is unknown to IB after its last date (error 200), and an unknown one does not hold up
# the rest. (ib-sim: conId = the file's id, primary exchange NASDAQ when it divides by 3, else NYSE.)
cat >cls.csv <<'EOF'
date,id,symbol,open,high,low,close,volume,ret
2026-11-19,10001,AAPL,100,102,99,101,1000000,
2026-11-19,10002,BRK.B,400,405,398,402,500000,
2026-11-19,10004,OLDCO,20,21,19,20,10000,
2026-11-20,10001,AAPL,101,103,100,102,1100000,0.00990099
2026-11-20,10002,BRK.B,402,404,396,400,600000,-0.004975124
2026-11-23,10001,AAPL,51,52,50,51.5,2000000,0.00980392
2026-11-23,10002,BRK.B,400,410,399,408,700000,0.02
EOF
port10=$(free_port)
start_sim cls "$port10" cls.csv
printf '%s\n' AAPL BRK.B BRKB OLDCO NOSUCH >cls.txt
ib-bars --port "$port10" --duration '1 W' --contracts contracts.csv -o cls-bars.csv <cls.txt 2>cls.err
cat >want-contracts.csv <<'EOF'
symbol,con_id,ib_symbol,primary_exchange,currency,long_name
AAPL,10001,AAPL,NYSE,USD,AAPL INC
BRK.B,10002,BRK B,NASDAQ,USD,BRK B INC
BRKB,10002,BRK B,NASDAQ,USD,BRK B INC
EOF
assert_same_file want-contracts.csv contracts.csv
assert_contains cls.err "OLDCO: unknown or ambiguous: No security definition has been found for the request (error 200)"
assert_contains cls.err "NOSUCH: unknown or ambiguous"
assert_contains cls.err "2 of 5 symbols not resolved"
assert_eq "3 3 3" "$(for s in AAPL BRK.B BRKB; do grep -c ",$s," cls-bars.csv; done | xargs)" "bars per resolved symbol"
assert_contains cls.err "3 of 5 securities"
t "contracts: a second run asks IB for nothing it knows already"
ib-bars --port "$port10" --duration '1 W' --contracts contracts.csv -o cls-bars2.csv <cls.txt 2>cls2.err
assert_contains cls2.err "contracts: 3 from the cache, 2 to ask IB for"
assert_same_file want-contracts.csv contracts.csv
assert_same_file cls-bars.csv cls-bars2.csv
printf 'symbol,con_id\nAAPL,x\n' >bad-contracts.csv
assert_status 65 ib-bars --port "$port10" --contracts bad-contracts.csv <cls.txt

t "numeric ids of different lengths come out in panel order (9, 10, 100: by value, as prices-merge sorts)"
# sti-formats(5): a panel is sorted by date, then id, numeric ids by value; byte order put 100 before 9 and
# prices-merge refused ib-bars' own output.
awk -F, -v OFS=, 'NR == 1 { print; next } NR <= 4 { m[$2] = (NR == 2 ? 9 : NR == 3 ? 10 : 100) } $2 in m { $2 = m[$2]; print }' \
	small.csv >ids.csv
portid=$(free_port)
start_sim ids "$portid" ids.csv
awk -F, 'NR == 1 { print "id,symbol"; next } !seen[$2]++ { print $2 "," $3 }' ids.csv >ids-in.csv
ib-bars -q --port "$portid" --duration '1 M' -o ids-out.csv <ids-in.csv
assert_eq "9 10 100" "$(awk -F, 'NR > 1 && NR <= 4 { print $2 }' ids-out.csv | xargs)" "ids of the first day"
prices-merge ids-out.csv >/dev/null || fail "prices-merge refused ib-bars' output"
