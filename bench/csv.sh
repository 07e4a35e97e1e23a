# CSV parse throughput: every field of a 5-million-row prices file read as the tools read it (the panel reader
# over lib/csv with its read-ahead threads), against `wc -l` on the same file (page cache warm for both), and
# the same parse on one core (csv_parse --serial) beside it. Target (issue 18): parse time <= 4 x wc -l time.
# The ratio is taken in rounds (wc -l, then the parse, each the best of 3 runs) and the median round's is
# the figure: on a shared VM both times move by a third from one minute to the next, and two best-of-5
# taken minutes apart made a ratio of their noise.
set -euo pipefail
f=$BENCH_OUT/prices-1000x5000.csv
[ -s "$f" ] || market-gen --seed 1 --securities 1000 --days 5000 -o "$f"
parser=$TOP/build/release/bench/csv_parse
# the threads whatever the load (lib/csv leaves them off by default on cores already busy)
threaded=(env STI_CSV_THREADS="$(nproc)" "$parser")
cat "$f" >/dev/null
best() { # best wall time (s) of N runs of a command: best N CMD...
	local n=$1 b=999 s e t
	shift
	for _ in $(seq "$n"); do
		s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l); (( $(echo "$t < $b" | bc -l) )) && b=$t
	done
	printf '%.3f' "$b"
}
cpu() { # user + system CPU time (s) of one run
	{ /usr/bin/time -f '%U %S' "$@" >/dev/null; } 2>&1 | awk '{print $1 + $2}'
}
rows=$(($(wc -l <"$f") - 1)); mb=$(( $(stat -L -c %s "$f") / 1000000 ))
echo "BENCH csv: load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
[ "$("${threaded[@]}" "$f")" = "$("$parser" --serial "$f")" ] || { echo "BENCH csv: the threads' checksum differs"; exit 1; }
rounds=${CSV_BENCH_ROUNDS:-5}
ratios=()
for _ in $(seq "$rounds"); do
	w=$(best 3 wc -l "$f")
	t=$(best 3 "${threaded[@]}" "$f")
	ratios+=("$(echo "$t / $w" | bc -l) $w $t")
done
read -r ratio wc_t parse_t < <(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(((rounds + 1) / 2))p")
lo=$(printf '%s\n' "${ratios[@]}" | sort -n | head -1 | cut -d' ' -f1)
hi=$(printf '%s\n' "${ratios[@]}" | sort -n | tail -1 | cut -d' ' -f1)
serial_t=$(best 5 "$parser" --serial "$f")
split_t=$(best 5 "${threaded[@]}" --fields-only "$f")
printf 'BENCH csv: splitting every record into fields (no number conversion) %.3f s, %.1fx wc -l\n' \
	"$split_t" "$(echo "$split_t / $wc_t" | bc -l)"
printf 'BENCH csv: one core (--serial): parse every field %.3f s, %.1fx wc -l, CPU %.2f s\n' \
	"$serial_t" "$(echo "$serial_t / $wc_t" | bc -l)" "$(cpu "$parser" --serial "$f")"
printf 'BENCH csv: %d rows, %d MB: wc -l %.3f s, parse every field %.3f s (%.0f MB/s, %.1f M rows/s, CPU %.2f s), ratio %.1fx (median of %d rounds, %.1f-%.1fx; target <= 4x)\n' \
	"$rows" "$mb" "$wc_t" "$parse_t" "$(echo "$mb / $parse_t" | bc -l)" "$(echo "$rows / $parse_t / 1000000" | bc -l)" \
	"$(cpu "${threaded[@]}" "$f")" "$ratio" "$rounds" "$lo" "$hi"
echo "BENCH csv: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
