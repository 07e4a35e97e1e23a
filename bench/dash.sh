# dash-gen: the backtest page for 25 years of daily data (strategy plus benchmark, metrics, holdings, a
# sweep). Targets: under 200 ms and under 1.5 MB. Also the first render in Chromium, reported only.
set -euo pipefail
d=$BENCH_OUT/dash-25y
[ -s "$d/equity.csv" ] || /usr/bin/python3 "$TOP/tests/tools/dash/fixtures.py" backtest "$d" --years 25
page=$BENCH_OUT/dash-25y.html
run() {
	dash-gen backtest -q --equity "$d/equity.csv" --metrics "$d/metrics.json" --weights "$d/weights.csv" \
		--config "$d/strategy.conf" --sweep "$d/sweep.csv" -o "$page"
}
run
best_us=999999999
for _ in 1 2 3 4 5 6 7; do
	s=$(date +%s%N); run; e=$(date +%s%N)
	t=$(( (e - s) / 1000 )); (( t < best_us )) && best_us=$t
done
rows=$(($(wc -l <"$d/equity.csv") - 1))
bytes=$(stat -c %s "$page")
rss=$( { /usr/bin/time -f '%M' dash-gen backtest -q --equity "$d/equity.csv" --metrics "$d/metrics.json" \
	--weights "$d/weights.csv" --config "$d/strategy.conf" --sweep "$d/sweep.csv" -o /dev/null; } 2>&1 | tail -1)
ms=$(echo "scale=1; $best_us / 1000" | bc)
ok=yes
(( best_us < 200000 && bytes < 1500000 )) || ok=NO
printf 'BENCH dash: backtest page, %d days: best of 7 %s ms (target < 200), %d bytes = %.2f MB (target < 1.5), max RSS %d KB, within targets: %s\n' \
	"$rows" "$ms" "$bytes" "$(echo "$bytes / 1000000" | bc -l)" "$rss" "$ok"
# The first render in Chromium (DevTools protocol: the page's first contentful paint), for the record: a
# shared, loaded machine makes it too noisy to gate on (the issue's target is 300 ms).
if command -v chromium >/dev/null && command -v node >/dev/null; then
	node --experimental-websocket "$TOP/tests/tools/dash/render.js" "file://$page" 5 >"$BENCH_OUT/dash-render.json" &&
		/usr/bin/python3 -c 'import json, statistics, sys
r = json.load(open(sys.argv[1]))["runs"]
f = [x["fcp"] for x in r if x.get("fcp") is not None]
print("BENCH dash: first render in Chromium, %d loads: first contentful paint median %s ms (target 300, %d painted), load %.0f ms"
      % (len(r), "%.0f" % statistics.median(f) if f else "-", len(f), statistics.median(x["load"] for x in r)))' "$BENCH_OUT/dash-render.json" ||
		echo "BENCH dash: first render: not measured (render.js failed)"
fi
[ "$ok" = yes ]
