# The research engine on a generated market: prices -> weights -> backtest (+ metrics), wall time and peak
# RSS (GNU time), on 1,000 securities x 5,000 days and on 10x the days; then a 100-point lookback x skip
# grid under GNU parallel on 2 cores, and the same grid with backtest --grid (one process, the panel read
# once). Targets: weights + backtest < 1.5 s, peak < 64 MB (also at 10x the days), the parallel grid < 60 s,
# backtest --grid at most 3x the wall time of one weights | backtest run measured here and at most 512 MB.
# RESEARCH_BENCH_DAYS="5000" skips the 10x run; RESEARCH_BENCH_PARALLEL=0 the GNU parallel grid.
# shellcheck shell=bash
set -euo pipefail
out=$BENCH_OUT/research
mkdir -p "$out"
gen() { # days -> prices and universe paths in $out
	local p=$out/prices-1000x$1.csv u=$out/universe-1000x$1.csv
	if [ ! -s "$p" ] || [ ! -s "$u" ]; then
		market-gen --seed 1 --securities 1000 --days "$1" -o "$p" --universe-out "$u"
	fi
}
measure() { # command...: sets wall (s) and peak (MB, the largest process of the command)
	/usr/bin/time -f '%e %M' -o "$out/time" "$@" >/dev/null
	read -r wall kb <"$out/time"
	peak=$(echo "$kb / 1024" | bc -l)
}
cpu() { # command...: user + sys seconds
	/usr/bin/time -f '%U %S' -o "$out/cpu" "$@" >/dev/null
	awk '{printf "%.2f", $1 + $2}' "$out/cpu"
}

for days in ${RESEARCH_BENCH_DAYS:-5000 50000}; do
	gen "$days"
	p=$out/prices-1000x$days.csv u=$out/universe-1000x$days.csv w=$out/weights-1000x$days.csv
	rows=$(($(wc -l <"$p") - 1))
	cat "$p" "$u" >/dev/null # page cache warm
	if command -v weights >/dev/null; then
		weights --universe "$u" "$p" >"$w"
		pipe="weights --universe $u <$p | backtest --prices $p --universe $u --metrics $out/m.json -o $out/e.csv"
		best=999 maxpeak=0
		for _ in 1 2 3; do
			measure bash -c "$pipe"
			if (( $(echo "$wall < $best" | bc -l) )); then best=$wall; fi
			if (( $(echo "$peak > $maxpeak" | bc -l) )); then maxpeak=$peak; fi
		done
		printf 'BENCH research-backtest: 1000 x %d (%d rows): weights | backtest --metrics: best of 3 %.2f s wall, peak %.1f MB (targets 1.5 s, 64 MB)\n' \
			"$days" "$rows" "$best" "$maxpeak"
		if [ "$days" = 5000 ]; then pipe5000=$best; fi
		echo "BENCH research-backtest: 1000 x $days: CPU weights $(cpu weights --universe "$u" "$p") s, backtest $(cpu backtest --prices "$p" --weights "$w" --universe "$u" --metrics "$out/m.json") s"
	else
		/usr/bin/python3 "$TOP/tests/tools/backtest-weights.py" "$p" 22 long >"$w"
		echo "BENCH research-backtest: (no weights tool: random weights every 22 days)"
	fi
	measure backtest --prices "$p" --weights "$w" --universe "$u" --metrics "$out/m.json" -o "$out/e.csv"
	printf 'BENCH research-backtest: 1000 x %d: backtest alone %.2f s wall, peak %.1f MB, CPU %s s; load average %s\n' "$days" \
		"$wall" "$peak" "$(cpu backtest --prices "$p" --weights "$w" --universe "$u" --metrics "$out/m.json")" \
		"$(cut -d' ' -f1 /proc/loadavg)"
done

if [ -n "${pipe5000:-}" ]; then
	p=$out/prices-1000x5000.csv u=$out/universe-1000x5000.csv
	{
		echo lookback,skip
		for l in 126 147 168 189 210 231 252 264 294 315; do
			for s in 0 5 10 15 20 22 25 30 35 40; do echo "$l,$s"; done
		done
	} >"$out/grid.csv"
	gbest=999 gpeak=0
	for _ in 1 2 3; do
		measure backtest --grid "$out/grid.csv" --prices "$p" --universe "$u" -o "$out/grid-out.csv"
		if (( $(echo "$wall < $gbest" | bc -l) )); then gbest=$wall; fi
		if (( $(echo "$peak > $gpeak" | bc -l) )); then gpeak=$peak; fi
	done
	best=$(tail -n +2 "$out/grid-out.csv" | sort -t, -k3 -g | tail -1 | cut -d, -f1-3)
	printf 'BENCH research-backtest: backtest --grid, 100 points (lookback x skip) on 1000 x 5000, %d threads: best of 3 %.2f s wall = %.2fx one weights | backtest (target 3x), peak %.1f MB (target 512 MB); best lookback,skip,Sharpe %s; load average %s\n' \
		"$(nproc)" "$gbest" "$(echo "$gbest / $pipe5000" | bc -l)" "$gpeak" "$best" "$(cut -d' ' -f1 /proc/loadavg)"
fi

if [ "${RESEARCH_BENCH_PARALLEL:-1}" != 0 ] && command -v weights >/dev/null && command -v parallel >/dev/null; then
	p=$out/prices-1000x5000.csv u=$out/universe-1000x5000.csv
	mkdir -p "$out/grid"
	s=$(date +%s.%N)
	parallel -j2 --halt now,fail=1 \
		"weights --lookback {1} --skip {2} --universe $u $p | backtest --prices $p --universe $u --metrics $out/grid/{1}-{2}.json -o /dev/null" \
		::: 126 147 168 189 210 231 252 264 294 315 ::: 0 5 10 15 20 22 25 30 35 40
	e=$(date +%s.%N)
	n=$(find "$out/grid" -name '*.json' | wc -l)
	best=$(for f in "$out"/grid/*.json; do printf '%s %s\n' "$(jq .strategy.sharpe "$f" 2>/dev/null || echo null)" "$(basename "$f" .json)"; done | sort -g | tail -1)
	printf 'BENCH research-backtest: grid of %d (lookback x skip) on 2 cores: %.1f s wall (target 60 s); best Sharpe %s\n' \
		"$n" "$(echo "$e - $s" | bc -l)" "$best"
fi
