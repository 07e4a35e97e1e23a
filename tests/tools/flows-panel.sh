#!/usr/bin/env bash
# The stored panel partitioned by year through the real flows (first-time, daily) on a generated market.
# Expectations from ARCHITECTURE.md's store and issue 16 ("The stored panel"): the panel is
# data/prices/YYYY.csv, one partition a year, read in year order as one panel; a daily run touches the
# current year only (past partitions are not rewritten) and moves at most twice the current year's
# partition; a store that still holds the single data/prices.csv is split on its first read; a past
# partition changed in the store by another host is read again, not taken from the local cache.
# The universe's history likewise (issue 16's leftovers: data/universe.csv was rewritten whole every day):
# data/universe/YYYY.csv, the partitions in year order the universe of sample market up to the day, a day
# uploading its year's partition only, and a store with the single data/universe.csv split on first read.
. "$TOP/tests/lib.sh"
. "$TOP/pipelines/csv.sh"

export STI_STORE=$OUT/store STI_STATE=$OUT/state STI_LOG_FORMAT=text
export SAMPLE_SEED=5 SAMPLE_SECURITIES=120 SAMPLE_UNIVERSE=100 SAMPLE_DAYS=800 SAMPLE_START=2021-01-04
export SOURCE=sample TRADE=none DAILY_DASHBOARDS=0 STI_NO_FAILURE_ALERT=1
flows=$TOP/pipelines
mkdir -p "$STI_STATE/sample"
market=$STI_STATE/sample/market.csv
market-gen --seed $SAMPLE_SEED --securities $SAMPLE_SECURITIES --days $SAMPLE_DAYS --start $SAMPLE_START \
	--universe-size $SAMPLE_UNIVERSE -o "$market" --universe-out "$STI_STATE/sample/universe.csv"

# check_panel STORE DAY: the store's partitions, read in year order, are the market up to DAY, and each
# partition holds only its own year's dates.
check_panel() {
	local f y
	for f in "$1"/data/prices/*.csv; do
		y=$(basename "$f" .csv)
		! csv_select -H date "$f" | grep -qv "^$y-" || fail "$f holds dates of another year"
	done
	prices-merge -o "$OUT/union.csv" "$1"/data/prices/*.csv
	prices-merge --to "$2" -o "$OUT/want.csv" "$market"
	cmp -s "$OUT/union.csv" "$OUT/want.csv" || fail "the stored partitions are not the market up to $2"
}
# check_universe STORE DAY: the store's universe partitions, in year order, are the sample universe up to
# DAY, each with only its own year's dates (the dated snapshots data/universe/DATE.csv are not partitions).
check_universe() {
	local f y
	for f in "$1"/data/universe/[0-9][0-9][0-9][0-9].csv; do
		y=$(basename "$f" .csv)
		! csv_select -H date "$f" | grep -qv "^$y-" || fail "$f holds dates of another year"
	done
	prices-merge -o "$OUT/uunion.csv" "$1"/data/universe/[0-9][0-9][0-9][0-9].csv
	prices-merge --to "$2" -o "$OUT/uwant.csv" "$STI_STATE/sample/universe.csv"
	cmp -s "$OUT/uunion.csv" "$OUT/uwant.csv" || fail "the stored universe partitions are not the universe up to $2"
}
utraffic() { sed -n 's/.*universe traffic: \([0-9]*\) bytes downloaded, \([0-9]*\) bytes uploaded.*/\1 \2/p' "$1" | tail -n 1; }
traffic() { sed -n 's/.*panel traffic: \([0-9]*\) bytes downloaded, \([0-9]*\) bytes uploaded.*/\1 \2/p' "$1" | tail -n 1; }

t "first-time up to 2023-12-27: one partition a year, no data/prices.csv"
"$flows/first-time" --to 2023-12-27 2>"$OUT/first.log" || { tail "$OUT/first.log"; fail first-time; }
assert_eq "2021.csv 2022.csv 2023.csv" "$(cd "$STI_STORE/data/prices" && echo *.csv)" "partitions"
[ ! -e "$STI_STORE/data/prices.csv" ] || fail "first-time wrote data/prices.csv"
check_panel "$STI_STORE" 2023-12-27
assert_eq "2021.csv 2022.csv 2023.csv" "$(cd "$STI_STORE/data/universe" && echo [0-9][0-9][0-9][0-9].csv)" "universe partitions"
[ ! -e "$STI_STORE/data/universe.csv" ] || fail "first-time wrote data/universe.csv"
check_universe "$STI_STORE" 2023-12-27
u2021=$(stat -c %i "$STI_STORE/data/universe/2021.csv")
i2021=$(stat -c %i "$STI_STORE/data/prices/2021.csv") i2022=$(stat -c %i "$STI_STORE/data/prices/2022.csv")

t "daily runs across the new year: the panel grows, a 2024 partition appears, past years untouched"
for day in 2023-12-28 2023-12-29 2024-01-02 2024-01-03; do
	"$flows/daily" --date "$day" 2>"$OUT/daily-$day.log" || { tail "$OUT/daily-$day.log"; fail "daily $day"; }
	check_panel "$STI_STORE" "$day"
	read -r got put < <(traffic "$OUT/daily-$day.log")
	cur=$STI_STORE/data/prices/${day:0:4}.csv
	size=$(stat -c %s "$cur")
	echo "$day: downloaded $got, uploaded $put, current partition $size bytes"
	[ $((got + put)) -le $((2 * size)) ] || fail "$day moved $((got + put)) bytes, more than twice $size"
	[ "$put" -gt 0 ] || fail "$day uploaded nothing"
	check_universe "$STI_STORE" "$day"
	read -r got put < <(utraffic "$OUT/daily-$day.log")
	assert_eq "$(stat -c %s "$STI_STORE/data/universe/${day:0:4}.csv")" "$put" "universe bytes uploaded on $day: its year's partition"
	assert_eq 0 "$got" "universe bytes downloaded on $day (all cached)"
done
assert_eq "2021.csv 2022.csv 2023.csv 2024.csv" "$(cd "$STI_STORE/data/universe" && echo [0-9][0-9][0-9][0-9].csv)" "universe partitions"
assert_eq "$u2021" "$(stat -c %i "$STI_STORE/data/universe/2021.csv")" "inode of the 2021 universe partition"
assert_eq "2021.csv 2022.csv 2023.csv 2024.csv" "$(cd "$STI_STORE/data/prices" && echo *.csv)" "partitions"
assert_eq "$i2021 $i2022" "$(stat -c %i "$STI_STORE/data/prices/2021.csv" "$STI_STORE/data/prices/2022.csv" | paste -sd' ')" \
	"inodes of the past partitions (a rewrite replaces the file)"
read -r got put < <(traffic "$OUT/daily-2024-01-03.log")
assert_eq "$(stat -c %s "$STI_STORE/data/prices/2024.csv")" "$put" "bytes uploaded on 2024-01-03: the 2024 partition only"

t "a past partition changed in the store by another host is read again"
# Another host writes the 2022 partition again (the same rows: the panel stays the market): its listing
# (time) changes, so the next run must download it instead of trusting the cached copy.
sleep 1.1 # the local store's listing has whole seconds
s3-put -q --store "$STI_STORE" data/prices/2022.csv "$STI_STORE/data/prices/2022.csv"
"$flows/daily" --date 2024-01-04 2>"$OUT/daily-changed.log" || { tail "$OUT/daily-changed.log"; fail "daily after the change"; }
read -r got put < <(traffic "$OUT/daily-changed.log")
assert_eq "$(stat -c %s "$STI_STORE/data/prices/2022.csv")" "$got" "bytes downloaded: the changed 2022 partition"
check_panel "$STI_STORE" 2024-01-04

t "migration: a store with the single data/prices.csv is split on the first daily run"
old=$OUT/old-store
mkdir -p "$old/data"
prices-merge --to 2023-12-29 -o "$old/data/prices.csv" "$market"
prices-merge --to 2023-12-29 -o "$old/data/universe.csv" "$STI_STATE/sample/universe.csv"
STI_STORE=$old STI_STATE=$OUT/state-old "$flows/daily" --date 2024-01-02 2>"$OUT/migrate.log" ||
	{ tail "$OUT/migrate.log"; fail "daily on the old layout"; }
assert_contains "$OUT/migrate.log" "migrating data/prices.csv"
assert_contains "$OUT/migrate.log" "migrating data/universe.csv"
assert_eq "2021.csv 2022.csv 2023.csv 2024.csv" "$(cd "$old/data/universe" && echo [0-9][0-9][0-9][0-9].csv)" "universe partitions after the migration"
check_universe "$old" 2024-01-02
assert_eq "2021.csv 2022.csv 2023.csv 2024.csv" "$(cd "$old/data/prices" && echo *.csv)" "partitions after the migration"
check_panel "$old" 2024-01-02
[ -s "$old/backtest/2024-01-02/equity.csv" ] || fail "no backtest after the migration"

t "on S3 (s3rver behind the signing proxy): a daily run GETs no cached partition and PUTs only its year's"
. "$TOP/tests/lib-s3.sh"
s3_start bkt
export STI_STORE=s3://bkt/sti STI_STATE=$OUT/state-s3
mkdir -p "$STI_STATE"
cp -r "$OUT/state/sample" "$STI_STATE/"
"$flows/first-time" --to 2023-12-27 2>"$OUT/s3-first.log" || { tail "$OUT/s3-first.log"; fail "first-time on S3"; }
assert_eq "data/prices/2021.csv data/prices/2022.csv data/prices/2023.csv" \
	"$(s3-get --list data/prices/ | paste -sd' ')" "partitions on S3"
gets() { s3_logcount "^GET /bkt/sti/data/prices/$1\.csv "; }
puts() { s3_logcount "^PUT /bkt/sti/data/prices/$1\.csv"; }
g0="$(gets '[0-9]{4}')" p21=$(puts 2021) p22=$(puts 2022) p23=$(puts 2023)
"$flows/daily" --date 2023-12-28 2>"$OUT/s3-daily.log" || { tail "$OUT/s3-daily.log"; fail "daily on S3"; }
assert_eq "$g0" "$(gets '[0-9]{4}')" "GETs of partitions by a daily run with the cache"
assert_eq "$p21 $p22" "$(puts 2021) $(puts 2022)" "PUTs of past partitions"
[ "$(puts 2023)" -gt "$p23" ] || fail "the 2023 partition was not stored"
mkdir -p "$OUT/s3copy/data/prices"
for y in 2021 2022 2023; do s3-get -q -o "$OUT/s3copy/data/prices/$y.csv" "s3://bkt/sti/data/prices/$y.csv"; done
check_panel "$OUT/s3copy" 2023-12-28
t "on S3, a fresh host (no cache) GETs every partition once"
g1="$(gets '[0-9]{4}')"
STI_STATE=$OUT/state-s3b "$flows/daily" --date 2023-12-28 2>"$OUT/s3-daily2.log" || { tail "$OUT/s3-daily2.log"; fail "daily on S3, no cache"; }
assert_eq "$((g1 + 3))" "$(gets '[0-9]{4}')" "GETs of partitions without a cache"
