# dash-gen: the backtest page for 25 years of daily data (strategy plus benchmark, metrics, holdings, a
# sweep) with the parameter explorer of a 100-point grid (lookback x skip, every point's daily returns).
# Targets (issue 17): at most 300 ms and 3 MB; the first render in Chromium (first contentful paint,
# through the DevTools protocol, median of 5 loads) at most 300 ms.
set -euo pipefail
d=$BENCH_OUT/dash-25y
[ -s "$d/equity.csv" ] || /usr/bin/python3 "$TOP/tests/tools/dash/fixtures.py" backtest "$d" --years 25
[ -s "$d/grid-equity.csv" ] || /usr/bin/python3 "$TOP/tests/tools/dash/fixtures.py" grid "$d" --years 25
page=$BENCH_OUT/dash-25y.html
args=(backtest -q --equity "$d/equity.csv" --metrics "$d/metrics.json" --weights "$d/weights.csv"
	--config "$d/strategy.conf" --sweep "$d/sweep.csv" --grid-table "$d/grid.csv" --grid-equity "$d/grid-equity.csv")
dash-gen "${args[@]}" -o "$page"
best_us=999999999
for _ in 1 2 3 4 5 6 7; do
	s=$(date +%s%N); dash-gen "${args[@]}" -o "$page"; e=$(date +%s%N)
	t=$(( (e - s) / 1000 )); (( t < best_us )) && best_us=$t
done
rows=$(($(wc -l <"$d/equity.csv") - 1))
points=$(($(wc -l <"$d/grid.csv") - 1))
bytes=$(stat -c %s "$page")
rss=$( { /usr/bin/time -f '%M' dash-gen "${args[@]}" -o /dev/null; } 2>&1 | tail -1)
ms=$(echo "scale=1; $best_us / 1000" | bc)
ok=yes
(( best_us <= 300000 && bytes <= 3000000 )) || ok=NO
printf 'BENCH dash: backtest page, %d days, %d-point grid: best of 7 %s ms (target 300), %d bytes = %.2f MB (target 3), max RSS %d KB, within targets: %s\n' \
	"$rows" "$points" "$ms" "$bytes" "$(echo "$bytes / 1000000" | bc -l)" "$rss" "$ok"
# The first render in Chromium: the page's first contentful paint through the DevTools protocol.
if command -v chromium >/dev/null && command -v node >/dev/null; then
	if node --experimental-websocket "$TOP/tests/tools/dash/render.js" "file://$page" 5 >"$BENCH_OUT/dash-render.json"; then
		/usr/bin/python3 -c 'import json, statistics, sys
r = json.load(open(sys.argv[1]))["runs"]
f = [x["fcp"] for x in r if x.get("fcp") is not None]
m = statistics.median(f) if f else None
print("BENCH dash: first render in Chromium, %d loads: first contentful paint median %s ms (target 300, %d painted), load %.0f ms, within target: %s"
      % (len(r), "%.0f" % m if f else "-", len(f), statistics.median(x["load"] for x in r), "yes" if m is not None and m <= 300 else "NO"))
sys.exit(0 if m is not None and m <= 300 else 1)' "$BENCH_OUT/dash-render.json" || ok=NO
	else
		echo "BENCH dash: first render: not measured (render.js failed)"
		ok=NO
	fi
fi
[ "$ok" = yes ]
