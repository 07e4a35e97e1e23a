#!/usr/bin/env bash
# The daily flow with UNIVERSE_SOURCE=wrds BARS_SOURCE=ib (issue 16, "The daily flow as the seed designed
# it"): the universe from PostgreSQL loaded with the CRSP fixture (tests/fixtures/crsp, whose last date is
# 2024-01-12), the bars of a later day from ib-sim. Expectations from the issue: CRSP lags, so the universe
# is CRSP's as of its latest date, dated the run's day; the members' bars come from IB under CRSP's ids
# (permnos); a member IB cannot map (here: one ib-sim no longer lists) is named in an alert, not dropped
# silently.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-pg.sh"
. "$TOP/pipelines/csv.sh"
FIX=$TOP/tests/fixtures/crsp
pg_start
pg_sql -c "CREATE DATABASE wrds"
pg_sql -d wrds -f "$FIX/schema.sql" -f "$FIX/data.sql"
export PGDATABASE=wrds
export STI_STORE=$OUT/store STI_STATE=$OUT/state STI_LOG_FORMAT=text STI_NO_FAILURE_ALERT=1
export TRADE=none DAILY_DASHBOARDS=0 UNIVERSE=top:5 MIN_DOLLAR_VOLUME=0 COVERAGE_MIN=0.5
flows=$TOP/pipelines
crsp_last=$(wrds-pull latest)
assert_eq 2024-01-12 "$crsp_last" "the fixture's last date"
day=$(trading-day --next "$crsp_last")

# The store as first-time leaves it for this universe: the panel by year and the universe's history.
wrds-pull universe --universe "$UNIVERSE" --min-dollar-volume 0 --from 2023-12-29 --to "$crsp_last" -q -o universe.csv
wrds-pull prices --from 2023-12-29 --to "$crsp_last" --universe-file universe.csv -q -o crsp.csv
panel_split crsp.csv "$STI_STORE/data/prices" >/dev/null
panel_split universe.csv "$STI_STORE/data/universe" >/dev/null
# CRSP's members on its last date, and the one IB will not know on $day.
csv_select -w "date=$crsp_last" id,symbol universe.csv >members
[ "$(wc -l <members)" -ge 4 ] || fail "the fixture's universe on $crsp_last is too small"
gone=$(tail -n 1 members)
day2=$(trading-day --next "$day")
# ib-sim's market: CRSP's rows, then $day (1% up) and $day2 (2% up and a 1% distribution: a 3% return, so
# that adjusted closes differ from unadjusted ones) for every member but the last.
{ cat crsp.csv; awk -F, -v d="$day" -v d2="$day2" -v skip="${gone%%,*}" "$CSV_AWK"'NR == 1 { csv_header(); next }
	col("close") != "" { last[col("id")] = col("close"); sym[col("id")] = col("symbol") }
	END { if (csv_bad) exit 65; for (id in last) if (id != skip) { p = last[id] * 1.01; q = p * 1.02
		printf "%s,%s,%s,%s,%s,%s,%s,1000,0.01\n", d, id, sym[id], last[id], p, last[id], p
		printf "%s,%s,%s,%s,%s,%s,%s,1000,0.03\n", d2, id, sym[id], p, q, p, q } }' \
	crsp.csv | sort -t, -k1,1 -k2,2; } >sim.csv
port=$(free_port)
export IB_HOST=127.0.0.1 IB_PORT=$port IB_CLIENT_ID=24
ib-sim -q --prices sim.csv --state "$OUT/sim" --port "$port" --start "$crsp_last" 2>>"$OUT/ib-sim.log" &
sim_pid=$!
on_exit 'kill $sim_pid 2>/dev/null'
wait_for 30 ib-sim ctl --port "$port" status >/dev/null 2>&1 || fail "ib-sim did not start"
ib-sim ctl --port "$port" advance open >/dev/null
ib-sim ctl --port "$port" advance close >/dev/null

t "daily $day: the universe as of CRSP's $crsp_last, the bars from IB"
UNIVERSE_SOURCE=wrds BARS_SOURCE=ib "$flows/daily" --date "$day" 2>daily.log || { tail daily.log; fail "daily $day"; }
assert_contains daily.log "the universe as of CRSP's latest date, $crsp_last"
snap=$STI_STORE/data/universe/$day.csv
[ -s "$snap" ] || fail "no universe snapshot for $day"
csv_select -H date,id "$snap" >got-members
csv_select -H id members | sed "s/^/$day,/" >want-members
assert_same_file want-members got-members
t "the mapped members' bars of $day, under CRSP's permnos"
# closes FILE DAY: "id,close" of DAY's rows of FILE (the close as a number: IB sends doubles), sorted.
closes() { csv_select -H -w "date=$2" id,close "$1" | awk -F, -v OFS=, '{ $2 += 0; print }' | sort; }
closes sim.csv "$day" | join -t, - <(csv_select -H id members | sort) >want-closes
[ "$(wc -l <want-closes)" = "$(($(wc -l <members) - 2))" ] || fail "the test's market lacks members' bars"
prices-merge -o panel.csv "$STI_STORE"/data/prices/*.csv
closes panel.csv "$day" >got-closes
assert_same_file want-closes got-closes
t "the member IB does not know is alerted by name"
cat "$STI_STORE"/logs/alerts/*.json | jq -r .message >alerts
grep -q "without a bar: ${gone#*,}(${gone%%,*})" alerts || { cat alerts; fail "no alert names ${gone#*,}"; }

t "first-time with UNIVERSE_SOURCE=wrds BARS_SOURCE=ib up to $day2: CRSP to $crsp_last, IB after, one seam"
# Expectations (issue 16): no missing day, no doubled day, no jump: every trading day of the history is in
# the panel; each (date, id) once; on the IB side each mapped member of CRSP's last date has a row a day,
# and the returns are the market's total returns (1%, then 3%: ADJUSTED_LAST; TRADES closes would give 2%),
# the seam's not a CRSP close against an adjusted IB close.
ib-sim ctl --port "$port" advance open >/dev/null
ib-sim ctl --port "$port" advance close >/dev/null
export STI_STORE=$OUT/store2 STI_STATE=$OUT/state2 HISTORY_FROM=2023-12-29
UNIVERSE_SOURCE=wrds BARS_SOURCE=ib "$flows/first-time" --to "$day2" 2>first.log || { tail first.log; fail first-time; }
assert_contains first.log "CRSP up to $crsp_last; IB's bars from there to $day2"
prices-merge -o stitched.csv "$STI_STORE"/data/prices/*.csv
csv_select -H date stitched.csv | sort -u >dates
trading-day --list 2023-12-29 "$day2" >want-dates
assert_same_file want-dates dates
csv_select -H date,id stitched.csv | sort | uniq -d >doubled
[ ! -s doubled ] || fail "doubled rows: $(head -n 3 doubled)"
# The CRSP side is CRSP's rows as they were.
prices-merge --to "$crsp_last" -o crsp-side.csv stitched.csv
assert_same_file crsp.csv crsp-side.csv
for d in "$day" "$day2"; do
	want=0.01
	[ "$d" = "$day2" ] && want=0.03
	csv_select -w "date=$d" id,ret stitched.csv >rets
	csv_select -H id members | grep -v "^${gone%%,*}$" | sort >mapped
	assert_eq "$(cat mapped)" "$(csv_select -H id rets | sort)" "the members with a bar on $d"
	awk -F, -v w="$want" "$CSV_AWK"'NR == 1 { csv_header(); next } { r = col("ret"); x = r - w; if (x < 0) x = -x
		if (r == "" || x > 1e-6) { print; bad = 1 } } END { exit bad || csv_bad }' rets ||
		fail "returns on $d are not the market's $want"
done
cat "$STI_STORE"/logs/alerts/*.json | jq -r .message >alerts2
grep -q "without a bar: ${gone#*,}(${gone%%,*})" alerts2 || { cat alerts2; fail "first-time: no alert names ${gone#*,}"; }
