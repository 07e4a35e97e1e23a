# CSV parse throughput: every field of a 5-million-row prices file, against `wc -l` on the same file
# (page cache warm for both). Target (issue 18): parse time <= 4 x wc -l time.
set -euo pipefail
f=$BENCH_OUT/prices-1000x5000.csv
[ -s "$f" ] || market-gen --seed 1 --securities 1000 --days 5000 -o "$f"
parser=$TOP/build/release/bench/csv_parse
cat "$f" >/dev/null
best() { # best wall time (s) of 5 runs of a command
	local b=999 s e t
	for _ in 1 2 3 4 5; do
		s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l); (( $(echo "$t < $b" | bc -l) )) && b=$t
	done
	printf '%.3f' "$b"
}
rows=$(($(wc -l <"$f") - 1)); mb=$(( $(stat -c %s "$f") / 1000000 ))
wc_t=$(best wc -l "$f")
parse_t=$(best "$parser" "$f")
"$parser" "$f"
cpu=$( { /usr/bin/time -f '%U %S' "$parser" "$f" >/dev/null; } 2>&1 | awk '{print $1 + $2}')
echo "BENCH csv: parse CPU time (user+sys) ${cpu}s"
ratio=$(echo "$parse_t / $wc_t" | bc -l)
split_t=$(best "$parser" --fields-only "$f")
printf 'BENCH csv: splitting every record into fields (no number conversion) %.3f s, %.1fx wc -l\n' \
	"$split_t" "$(echo "$split_t / $wc_t" | bc -l)"
printf 'BENCH csv: %d rows, %d MB: wc -l %.3f s, parse every field %.3f s (%.0f MB/s, %.1f M rows/s), ratio %.1fx (target <= 4x)\n' \
	"$rows" "$mb" "$wc_t" "$parse_t" "$(echo "$mb / $parse_t" | bc -l)" "$(echo "$rows / $parse_t / 1000000" | bc -l)" "$ratio"
