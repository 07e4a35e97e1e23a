#!/usr/bin/env bash
# The daily flow with the universe and the bars from separate sources (issue 16, "The daily flow as the seed
# designed it"; ARCHITECTURE.md "Data sources"): UNIVERSE_SOURCE=sample BARS_SOURCE=ib against ib-sim on a
# generated market. Expectations: the members' bars of each day come from IB (ib-sim serves the market's
# own closes: ib-sim(1)) with the universe's ids, the contracts are cached in the store's data/contracts.csv,
# and a member IB cannot map is named in an alert, not dropped silently. SOURCE stays the shorthand.
. "$TOP/tests/lib.sh"
. "$TOP/pipelines/csv.sh"

export STI_STORE=$OUT/store STI_STATE=$OUT/state STI_LOG_FORMAT=text
export SAMPLE_SEED=11 SAMPLE_SECURITIES=120 SAMPLE_UNIVERSE=100 SAMPLE_DAYS=350 SAMPLE_START=2023-01-03
export TRADE=none DAILY_DASHBOARDS=0 STI_NO_FAILURE_ALERT=1
flows=$TOP/pipelines
mkdir -p "$STI_STATE/sample"
market=$STI_STATE/sample/market.csv
market-gen --seed $SAMPLE_SEED --securities $SAMPLE_SECURITIES --days $SAMPLE_DAYS --start $SAMPLE_START \
	--universe-size $SAMPLE_UNIVERSE -o "$market" --universe-out "$STI_STATE/sample/universe.csv"
end=$(csv_last date "$market")
start=$(trading-day --list $SAMPLE_START "$end" | tail -n 6 | head -n 1)
port=$(free_port)
export IB_HOST=127.0.0.1 IB_PORT=$port IB_CLIENT_ID=23
ib-sim -q --prices "$market" --state "$OUT/sim" --port "$port" --start "$start" 2>>"$OUT/ib-sim.log" &
sim_pid=$!
on_exit 'kill $sim_pid 2>/dev/null'
wait_for 30 ib-sim ctl --port "$port" status >/dev/null 2>&1 || fail "ib-sim did not start"

# closes FILE DAY: "id,close" of DAY's rows of FILE (columns by name; the close as a number: IB sends doubles), sorted.
closes() { csv_select -H -w "date=$2" id,close "$1" | awk -F, -v OFS=, '{ $2 += 0; print }' | sort; }

t "first-time with SOURCE=sample (the shorthand) up to $start"
SOURCE=sample "$flows/first-time" --to "$start" 2>"$OUT/first.log" || { tail "$OUT/first.log"; fail first-time; }

t "daily runs with UNIVERSE_SOURCE=sample BARS_SOURCE=ib: each day's closes are the market's"
n=0
for day in $(trading-day --list "$(trading-day --next "$start")" "$end" | head -n 3); do
	ib-sim ctl --port "$port" advance open >/dev/null
	ib-sim ctl --port "$port" advance close >/dev/null
	UNIVERSE_SOURCE=sample BARS_SOURCE=ib "$flows/daily" --date "$day" 2>"$OUT/daily-$day.log" ||
		{ tail "$OUT/daily-$day.log"; fail "daily $day"; }
	assert_contains "$OUT/daily-$day.log" "ib-bars"
	prices-merge -o "$OUT/panel.csv" "$STI_STORE"/data/prices/*.csv
	# The members of the day (the sample universe) and their closes in the market file.
	csv_select -H -w "date=$day" id "$STI_STATE/sample/universe.csv" | sort >"$OUT/members"
	closes "$market" "$day" | join -t, - "$OUT/members" >"$OUT/want"
	closes "$OUT/panel.csv" "$day" | join -t, - "$OUT/members" >"$OUT/got"
	[ -s "$OUT/want" ] || fail "no members on $day"
	cmp -s "$OUT/want" "$OUT/got" || { diff "$OUT/want" "$OUT/got" | head; fail "the members' closes of $day"; }
	n=$((n + 1))
done
[ -s "$STI_STORE/data/contracts.csv" ] || fail "no contract cache stored"
head -n 1 "$STI_STORE/data/contracts.csv" | grep -q '^symbol,con_id' || fail "data/contracts.csv has no header"

t "a member IB cannot map is alerted by name, and the run goes on"
day=$(trading-day --next "$day")
ib-sim ctl --port "$port" advance open >/dev/null
ib-sim ctl --port "$port" advance close >/dev/null
# A member IB has never heard of, in the day's universe (kept in id order).
u=$STI_STATE/sample/universe.csv
{ head -n 1 "$u"; awk -F, -v d="$day" -v OFS=, "$CSV_AWK"'NR == 1 { csv_header(); next } { print }
	col("date") == d && !done { $csv_at["date"] = d; $csv_at["id"] = 999999; $csv_at["symbol"] = "NOPE"; print; done = 1 }' \
	"$u" | sort -t, -k1,1 -k2,2 -s; } >"$OUT/u.csv"
mv "$OUT/u.csv" "$u"
UNIVERSE_SOURCE=sample BARS_SOURCE=ib "$flows/daily" --date "$day" 2>"$OUT/daily-unmapped.log" ||
	{ tail "$OUT/daily-unmapped.log"; fail "daily with an unmapped member"; }
cat "$STI_STORE"/logs/alerts/*.json | jq -r .message >"$OUT/alerts"
grep -q "without a bar: NOPE(999999)" "$OUT/alerts" || { tail -n 3 "$OUT/alerts"; fail "no alert names the unmapped member"; }

t "UNIVERSE_SOURCE=file: UNIVERSE_FILE's members, their bars from IB under the file's ids, in the panel's order"
# Expectations: sti.conf (UNIVERSE_FILE: a CSV with a symbol column and optionally id) and the panel's order
# of ids (prices-merge(1): integers by value, 9 before 10 before 100). Three of the day's market members
# are listed under ids of different lengths, in no order; IB (ib-sim) knows them by symbol, and ib-bars
# keeps the universe's ids.
day=$(trading-day --next "$day")
ib-sim ctl --port "$port" advance open >/dev/null
ib-sim ctl --port "$port" advance close >/dev/null
mapfile -t picked < <(csv_select -H -w "date=$day" id,symbol "$market" | head -n 3)
[ ${#picked[@]} = 3 ] || fail "the market has no 3 members on $day"
printf 'symbol,id\n%s,100\n%s,9\n%s,10\n' "${picked[0]#*,}" "${picked[1]#*,}" "${picked[2]#*,}" >"$OUT/ufile.csv"
UNIVERSE_SOURCE=file UNIVERSE_FILE=$OUT/ufile.csv BARS_SOURCE=ib "$flows/daily" --date "$day" 2>"$OUT/daily-file.log" ||
	{ tail "$OUT/daily-file.log"; fail "daily with UNIVERSE_SOURCE=file"; }
assert_eq "9 10 100" "$(csv_select -H id "$STI_STORE/data/universe/$day.csv" | paste -sd' ')" "the snapshot's ids"
prices-merge -o "$OUT/panel.csv" "$STI_STORE"/data/prices/*.csv
prices-merge -o "$OUT/universe.csv" "$STI_STORE"/data/universe/[0-9][0-9][0-9][0-9].csv
assert_eq "9 10 100" "$(csv_select -H -w "date=$day" id "$OUT/universe.csv" | paste -sd' ')" "the universe's members of $day"
for k in 0 1 2; do
	id=$(sed -n "$((k + 1))p" <<<"100
9
10")
	want=$(closes "$market" "$day" | grep "^${picked[$k]%%,*},")
	got=$(closes "$OUT/panel.csv" "$day" | grep "^$id,")
	assert_eq "${want#*,}" "${got#*,}" "the close of ${picked[$k]#*,} (id $id) on $day"
done
