# orders on a full price history: 100 targets and 143 positions against a 5-million-row prices file
# (the whole research panel, not a last-day extract), page cache warm; and the same against a
# last-day extract, to show what the history costs.
set -euo pipefail
f=$BENCH_OUT/prices-1000x5000.csv
[ -s "$f" ] || market-gen --seed 1 --securities 1000 --days 5000 -o "$f"
w=$BENCH_OUT/orders-weights.csv a=$BENCH_OUT/orders-account.ndjson last=$BENCH_OUT/orders-last.csv
day=$(tail -1 "$f" | cut -d, -f1)
head -1 "$f" >"$last"
grep "^$day," "$f" >>"$last"
awk -F, 'NR > 1 { n++; if (n % 9 == 0 && k < 100) { print $1 "," $2 "," $3 ",0.01"; k++ } }
	BEGIN { print "date,id,symbol,weight" }' "$last" >"$w"
awk -F, 'NR > 1 { n++; if (n % 7 == 0) printf "{\"type\":\"position\",\"account\":\"DU1\",\"id\":\"%s\",\"symbol\":\"%s\",\"qty\":100,\"avg_cost\":1}\n", $2, $3 }
	BEGIN { print "{\"type\":\"account\",\"account\":\"DU1\",\"net_liquidation\":10000000,\"available_funds\":20000000}" }' \
	"$last" >"$a"
cat "$f" >/dev/null
best() { # best wall time (s) of 3 runs
	local b=999 s e t
	for _ in 1 2 3; do
		s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l); (( $(echo "$t < $b" | bc -l) )) && b=$t
	done
	printf '%.3f' "$b"
}
run() { orders -q --weights "$w" --account "$a" --prices "$1" --max-weight 0.02 -o "$BENCH_OUT/orders.ndjson"; }
run "$f"
n=$(wc -l <"$BENCH_OUT/orders.ndjson")
rows=$(($(wc -l <"$f") - 1))
full=$(best run "$f")
small=$(best run "$last")
echo "BENCH orders: $n orders from 100 targets and $(($(wc -l <"$a") - 1)) positions: full history ($rows rows) ${full}s, last day only ${small}s"
