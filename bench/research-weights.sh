#!/usr/bin/env bash
# market-gen and weights on 1,000 securities x 5,000 days (5 M rows), and weights on a stream of 10x the
# days (50 M rows, generated into the pipe, never stored) for the memory claim: peak RSS must not grow.
# Targets: weights + backtest < 1.5 s wall, < 64 MB peak each; market-gen < 3 s.
set -euo pipefail
f=$BENCH_OUT/prices-1000x5000.csv
u=$BENCH_OUT/universe-1000x5000.csv
gen=(market-gen --seed 1 --securities 1000 --days 5000)
# The universe does not change the prices' bytes, so a prices file cached by another bench is reused.
if ! [ -s "$f" ] || ! [ -s "$u" ]; then "${gen[@]}" -o "$f" --universe-out "$u"; fi
cat "$f" "$u" >/dev/null

measure() { # LABEL CMD...: best wall of 3 runs, CPU and peak RSS of the last
	local label=$1 best=999 s e t
	shift
	for _ in 1 2 3; do
		s=$(date +%s.%N)
		/usr/bin/time -f '%U %S %M' -o "$BENCH_OUT/time.txt" "$@" >/dev/null
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		(($(echo "$t < $best" | bc -l))) && best=$t
	done
	read -r us sy rss <"$BENCH_OUT/time.txt"
	printf 'BENCH research-weights: %s: %.3f s wall (best of 3), %.2f s CPU, peak RSS %.1f MB\n' \
		"$label" "$best" "$(echo "$us + $sy" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

rows=$(($(wc -l <"$f") - 1))
echo "BENCH research-weights: panel $rows rows, $(($(stat -c %s "$f") / 1000000)) MB"
measure "market-gen 1000x5000 (prices + universe)" "${gen[@]}" -o "$BENCH_OUT/gen.csv" --universe-out "$BENCH_OUT/gen-u.csv"
cmp -s "$f" "$BENCH_OUT/gen.csv" || { echo "BENCH research-weights: market-gen is not deterministic"; exit 1; }
rm -f "$BENCH_OUT/gen.csv" "$BENCH_OUT/gen-u.csv"
measure "weights (defaults)" weights "$f"
measure "weights --universe" weights --universe "$u" "$f"
measure "weights long_short inverse_vol monthly" weights --mode long_short --weighting inverse_vol \
	--rebalance monthly "$f"
measure "weights --asof (last day)" weights --universe "$u" --asof "$(tail -1 "$f" | cut -d, -f1)" "$f"

# The research pipeline, both tools streaming on their own core.
if command -v backtest >/dev/null; then
	pipeline() { weights "$f" | backtest --prices "$f"; }
	if pipeline >/dev/null 2>&1; then
		s=$(date +%s.%N)
		pipeline >/dev/null
		e=$(date +%s.%N)
		printf 'BENCH research-weights: weights | backtest --prices: %.3f s wall\n' "$(echo "$e - $s" | bc -l)"
	fi
fi

# 10x the days, streamed: neither side's peak RSS may grow with the days.
s=$(date +%s.%N)
/usr/bin/time -f '%U %S %M' -o "$BENCH_OUT/time10g.txt" "${gen[@]:0:5}" --days 50000 --universe-size 0 |
	/usr/bin/time -f '%U %S %M' -o "$BENCH_OUT/time10.txt" weights >/dev/null
e=$(date +%s.%N)
read -r gus gsy grss <"$BENCH_OUT/time10g.txt"
read -r us sy rss <"$BENCH_OUT/time10.txt"
printf 'BENCH research-weights: 10x days (50 M rows, piped): market-gen %.2f s CPU, peak RSS %.1f MB; weights %.2f s CPU, peak RSS %.1f MB; %.1f s wall\n' \
	"$(echo "$gus + $gsy" | bc -l)" "$(echo "$grss / 1024" | bc -l)" "$(echo "$us + $sy" | bc -l)" \
	"$(echo "$rss / 1024" | bc -l)" "$(echo "$e - $s" | bc -l)"

# A 100-point lookback x skip grid, two at a time (the machine's two cores).
s=$(date +%s.%N)
# shellcheck disable=SC2016 # "$0".."$2" belong to the inner sh
for lb in 126 147 168 189 210 231 252 264 294 315; do
	for sk in 0 5 10 15 20 22 25 30 40 63; do
		echo "$lb $sk"
	done
done | xargs -P 2 -n 2 sh -c 'weights --lookback "$1" --skip "$2" "$0" >/dev/null' "$f"
e=$(date +%s.%N)
printf 'BENCH research-weights: 100-point lookback x skip grid of weights, 2 at a time: %.1f s wall\n' \
	"$(echo "$e - $s" | bc -l)"
