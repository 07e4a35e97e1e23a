# backtest --grid on grids whose points share cross-sections: the same few (lookback, skip) signals under
# many selection rules (select, winsor, mode, weighting, max_weight) and schedules (rebalance_every, lag),
# on 1,000 securities x 5,000 days with a universe. Prints wall and CPU time and peak RSS (GNU time), and
# the points per second, so that a change to the sharing can be measured before and after on one machine.
# shellcheck shell=bash
set -euo pipefail
out=$BENCH_OUT/research
mkdir -p "$out"
p=$out/prices-1000x5000.csv u=$out/universe-1000x5000.csv
if [ ! -s "$p" ] || [ ! -s "$u" ]; then
	market-gen --seed 1 --securities 1000 --days 5000 -o "$p" --universe-out "$u"
fi
{
	echo lookback,skip,select,winsor,mode,weighting,rebalance_every
	for ls in 126,0 252,22; do
		for sel in 70 80 90; do
			for w in 1,99 2,98 5,95; do
				for m in long_only long_short; do
					for e in 22 10; do echo "$ls,$sel,\"$w\",$m,equal,$e"; done
				done
			done
		done
		for sel in 80 90; do echo "$ls,$sel,\"2,98\",long_only,inverse_vol,22"; done
	done
} >"$out/grid-select.csv"
n=$(($(wc -l <"$out/grid-select.csv") - 1))
cat "$p" "$u" >/dev/null # page cache warm
best=999 cpu=0 peak=0
for _ in 1 2 3; do
	/usr/bin/time -f '%e %U %S %M' -o "$out/time" backtest --grid "$out/grid-select.csv" --prices "$p" --universe "$u" \
		-o "$out/grid-select-out.csv" >/dev/null
	read -r wall user sys kb <"$out/time"
	if (( $(echo "$wall < $best" | bc -l) )); then best=$wall cpu=$(echo "$user + $sys" | bc -l) peak=$((kb / 1024)); fi
done
printf 'BENCH grid: %d points (2 signals x select x winsor x mode x rebalance_every, + inverse_vol) on 1000 x 5000, %d threads: best of 3 %.2f s wall, %.2f s CPU, peak %d MB, %.1f points/s; load average %s\n' \
	"$n" "$(nproc)" "$best" "$cpu" "$peak" "$(echo "$n / $best" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
