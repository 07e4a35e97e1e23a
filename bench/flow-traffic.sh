# flow-traffic: the daily flow's store traffic with the panel partitioned by year (issue 16: "at most twice
# the current year's partition"; before, every day downloaded and uploaded the whole panel).
# A generated market of 1,000 securities x 10 years (2.5 million rows), first-time up to the day before the
# last, then one daily run of the last day (TRADE=none, no dashboards). Two measures: the flow's own count
# of the panel's (and the universe's) bytes, and every byte of every object the run moved, counted by shims of s3-get and s3-put
# on PATH (the sizes of the files they read or wrote). Target: panel bytes <= 2 x the current partition.
set -euo pipefail
work=$BENCH_OUT/flow-traffic
rm -rf "$work"
mkdir -p "$work/shim" "$work/state/sample"
market-gen --seed 3 --securities 1000 --days 2520 --start 2015-01-02 --universe-size 1000 \
	-o "$work/state/sample/market.csv" --universe-out "$work/state/sample/universe.csv"
real_get=$(command -v s3-get) real_put=$(command -v s3-put)
cat >"$work/shim/s3-get" <<SH
#!/usr/bin/env bash
out=
for ((i = 1; i <= \$#; i++)); do [ "\${!i}" = -o ] && { j=\$((i + 1)); out=\${!j}; }; done
"$real_get" "\$@" || exit
if [ -n "\$out" ] && [ "\$out" != - ]; then echo "get \$(stat -c %s "\$out") \${!#}" >>"$work/traffic"; fi
SH
cat >"$work/shim/s3-put" <<SH
#!/usr/bin/env bash
"$real_put" "\$@" || exit
k=\$((\$# - 1))
echo "put \$(stat -c %s "\${!#}") \${!k}" >>"$work/traffic"
SH
chmod +x "$work/shim/s3-get" "$work/shim/s3-put"
export STI_STORE=$work/store STI_STATE=$work/state SOURCE=sample TRADE=none DAILY_DASHBOARDS=0 \
	STI_NO_FAILURE_ALERT=1 SAMPLE_SEED=3 SAMPLE_SECURITIES=1000 SAMPLE_UNIVERSE=1000 SAMPLE_DAYS=2520 \
	SAMPLE_START=2015-01-02
# lib.sh puts the checkout's bin/ first on PATH: the daily run goes through a copy of the flows without a
# bin/ beside them, so the shims come first.
mkdir -p "$work/top"
cp -r "$TOP/pipelines" "$TOP/etc" "$work/top/"
# The last trading day of a full year: the current partition at its largest (the worst day).
. "$TOP/pipelines/csv.sh"
end=$(csv_last date "$work/state/sample/market.csv")
last=$(trading-day --prev "${end:0:4}-01-01")
prev=$(trading-day --prev "$last")
"$TOP/pipelines/first-time" --to "$prev" 2>"$work/first.log" || { tail "$work/first.log"; exit 1; }
: >"$work/traffic"
s=$(date +%s.%N)
PATH=$work/shim:$PATH "$work/top/pipelines/daily" --date "$last" 2>"$work/daily.log" ||
	{ tail "$work/daily.log"; exit 1; }
secs=$(echo "$(date +%s.%N) - $s" | bc -l)
read -r pgot pput < <(sed -n 's/.*panel traffic: \([0-9]*\) bytes downloaded, \([0-9]*\) bytes uploaded.*/\1 \2/p' "$work/daily.log")
cur=$(stat -c %s "$STI_STORE/data/prices/${last:0:4}.csv")
whole=$(cat "$STI_STORE"/data/prices/*.csv | wc -c)
read -r aget aput < <(awk '$1 == "get" { g += $2 } $1 == "put" { p += $2 } END { printf "%d %d\n", g, p }' "$work/traffic")
mb() { echo "scale=2; $1 / 1048576" | bc -l; }
printf 'BENCH flow-traffic: daily %s: panel %s MB down + %s MB up; current partition %s MB; whole panel %s MB (%s partitions)\n' \
	"$last" "$(mb "$pgot")" "$(mb "$pput")" "$(mb "$cur")" "$(mb "$whole")" "$(ls "$STI_STORE"/data/prices | wc -l)"
read -r ugot uput < <(sed -n 's/.*universe traffic: \([0-9]*\) bytes downloaded, \([0-9]*\) bytes uploaded.*/\1 \2/p' "$work/daily.log")
ucur=$(stat -c %s "$STI_STORE/data/universe/${last:0:4}.csv")
uwhole=$(cat "$STI_STORE"/data/universe/[0-9][0-9][0-9][0-9].csv | wc -c)
printf 'BENCH flow-traffic: daily %s: universe %s MB down + %s MB up; current partition %s MB; whole universe %s MB\n' \
	"$last" "$(mb "$ugot")" "$(mb "$uput")" "$(mb "$ucur")" "$(mb "$uwhole")"
printf 'BENCH flow-traffic: daily %s: every store object: %s MB down + %s MB up (shims of s3-get/s3-put); %.1f s\n' \
	"$last" "$(mb "$aget")" "$(mb "$aput")" "$secs"
echo "BENCH flow-traffic: by object (MB, get/put):"
awk '{ k = $3; sub(/\/[0-9-]+\//, "/DATE/", k); sub(/^logs\/[a-z]+\/.*/, "logs/...", k); if (k !~ /^data\/universe\/[0-9]+\.csv$/) sub(/^data\/universe\/.*/, "data/universe/DATE.csv", k)
	b[$1 " " k] += $2 } END { for (x in b) printf "BENCH flow-traffic:   %-40s %8.2f\n", x, b[x] / 1048576 }' "$work/traffic" | sort
[ $((pgot + pput)) -le $((2 * cur)) ] || { echo "BENCH flow-traffic: panel traffic above twice the current partition"; exit 1; }
[ $((ugot + uput)) -le $((2 * ucur)) ] || { echo "BENCH flow-traffic: universe traffic above twice its current partition"; exit 1; }
# The same day again on a host whose cache lacks the current partition (another host ran the day before):
# it is downloaded as well, the worst case of the bound.
rm -f "$STI_STATE"/panel/*/prices/"${last:0:4}".*
"$TOP/pipelines/daily" --date "$last" 2>"$work/daily2.log" || { tail "$work/daily2.log"; exit 1; }
read -r pgot pput < <(sed -n 's/.*panel traffic: \([0-9]*\) bytes downloaded, \([0-9]*\) bytes uploaded.*/\1 \2/p' "$work/daily2.log")
printf 'BENCH flow-traffic: daily %s, current partition not cached: panel %s MB down + %s MB up\n' "$last" "$(mb "$pgot")" "$(mb "$pput")"
[ $((pgot + pput)) -le $((2 * cur)) ] || { echo "BENCH flow-traffic: panel traffic above twice the current partition"; exit 1; }
