# ib-sim throughput on a 500-security, 2,000-day market (1 million price rows): start-up (loading the
# prices), daily bars served per second (20,000 one-year requests from 4 clients of lib/tws/client at once),
# orders acknowledged per second (20,000 orders from 4 clients, state journaled to disk), and fills per
# second at the next open.
set -euo pipefail
f=$BENCH_OUT/prices-500x2000.csv
[ -s "$f" ] || market-gen --seed 7 --securities 500 --days 2000 -o "$f"
load=$TOP/build/release/bench/tws_load
work=$BENCH_OUT/ib-sim
rm -rf "$work"
mkdir -p "$work"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mapfile -t syms < <(tail -n 2000 "$f" | cut -d, -f3 | sort -u | head -200)
cat "$f" >/dev/null
s=$(date +%s.%N)
# Start the clock one session before the file's end, so that orders have a next open to fill at.
start=$(trading-day --prev "$(tail -1 "$f" | cut -d, -f1)")
ib-sim -q --prices "$f" --state "$work/state" --port "$port" --start "$start" >"$work/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
until ib-sim ctl --port "$port" status >/dev/null 2>&1; do sleep 0.02; done
startup=$(echo "$(date +%s.%N) - $s" | bc -l)
rows=$(($(wc -l <"$f") - 1))

par() { # mode n: 4 clients at once, n requests each; prints total items and the wall time
	local mode=$1 n=$2 i s e pids=()
	s=$(date +%s.%N)
	for i in 1 2 3 4; do "$load" "$port" "$i$RANDOM" "$mode" "$n" "${syms[@]}" >"$work/$mode.$i" & pids+=($!); done
	for i in "${pids[@]}"; do wait "$i" || { echo "tws_load failed" >&2; exit 1; }; done
	e=$(date +%s.%N)
	echo "$(cat "$work/$mode".[1-4] | awk '{s += $2} END {print s}') $(echo "$e - $s" | bc -l)"
}
read -r bars bsecs < <(par bars 5000)
read -r orders osecs < <(par orders 5000)
s=$(date +%s.%N)
ib-sim ctl --port "$port" advance open >/dev/null
fsecs=$(echo "$(date +%s.%N) - $s" | bc -l)
fills=$(ib-sim ctl --port "$port" status | sed 's/.*fills=\([0-9]*\).*/\1/')
ib-sim ctl --port "$port" shutdown >/dev/null
wait $pid || true
trap - EXIT
printf 'BENCH ib-sim: start-up %.2f s (%d rows); %d bars in 20000 requests in %.2f s = %.0f bars/s, %.0f requests/s; %d orders acknowledged in %.2f s = %.0f orders/s; %d fills at the open in %.2f s = %.0f fills/s\n' \
	"$startup" "$rows" "$bars" "$bsecs" "$(echo "$bars / $bsecs" | bc -l)" "$(echo "20000 / $bsecs" | bc -l)" \
	"$orders" "$osecs" "$(echo "$orders / $osecs" | bc -l)" "$fills" "$fsecs" "$(echo "$fills / $fsecs" | bc -l)"
