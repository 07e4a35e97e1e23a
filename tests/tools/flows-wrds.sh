#!/usr/bin/env bash
# The daily flow with UNIVERSE_SOURCE=wrds BARS_SOURCE=ib (issue 16, "The daily flow as the seed designed
# it"): the universe from PostgreSQL loaded with the CRSP fixture (tests/fixtures/crsp, whose last date is
# 2024-01-12), the bars of a later day from ib-sim. Expectations from the issue: CRSP lags, so the universe
# is CRSP's as of its latest date, dated the run's day; the members' bars come from IB under CRSP's ids
# (permnos); a member IB cannot map (here: one ib-sim no longer lists) is named in an alert, not dropped
# silently.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-pg.sh"
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
mkdir -p "$STI_STORE/data/prices"
awk -F, -v d="$STI_STORE/data/prices" 'NR == 1 { h = $0; next } { f = d "/" substr($1, 1, 4) ".csv"
	if (!(f in seen)) { print h >f; seen[f] = 1 } print >f }' crsp.csv
cp universe.csv "$STI_STORE/data/universe.csv"
# CRSP's members on its last date, and the one IB will not know on $day.
awk -F, -v d="$crsp_last" '$1 == d { print $2 "," $3 }' universe.csv >members
[ "$(wc -l <members)" -ge 3 ] || fail "the fixture's universe on $crsp_last is too small"
gone=$(tail -n 1 members)
day2=$(trading-day --next "$day")
# ib-sim's market: CRSP's rows, then $day (1% up) and $day2 (2% up and a 1% distribution: a 3% return, so
# that adjusted closes differ from unadjusted ones) for every member but the last.
{ cat crsp.csv; awk -F, -v d="$day" -v d2="$day2" -v skip="${gone%%,*}" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["close"] != "" { last[$c["id"]] = $c["close"]; sym[$c["id"]] = $c["symbol"] }
	END { for (id in last) if (id != skip) { p = last[id] * 1.01; q = p * 1.02
		printf "%s,%s,%s,%s,%s,%s,%s,1000,0.01\n", d, id, sym[id], last[id], p, last[id], p
		printf "%s,%s,%s,%s,%s,%s,%s,1000,0.03\n", d2, id, sym[id], p, q, p, q } }' \
	crsp.csv | sort -t, -k1,1 -k2,2; } >sim.csv
port=$(free_port)
export IB_HOST=127.0.0.1 IB_PORT=$port IB_CLIENT_ID=24
ib-sim -q --prices sim.csv --state "$OUT/sim" --port "$port" --start "$crsp_last" 2>>"$OUT/ib-sim.log" &
sim_pid=$!
on_exit 'kill $sim_pid 2>/dev/null'
for _ in $(seq 200); do ib-sim ctl --port "$port" status >/dev/null 2>&1 && break; sleep 0.05; done
ib-sim ctl --port "$port" advance open >/dev/null
ib-sim ctl --port "$port" advance close >/dev/null

t "daily $day: the universe as of CRSP's $crsp_last, the bars from IB"
UNIVERSE_SOURCE=wrds BARS_SOURCE=ib "$flows/daily" --date "$day" 2>daily.log || { tail daily.log; fail "daily $day"; }
assert_contains daily.log "the universe as of CRSP's latest date, $crsp_last"
snap=$STI_STORE/data/universe/$day.csv
[ -s "$snap" ] || fail "no universe snapshot for $day"
awk -F, 'NR > 1 { print $1 "," $2 }' "$snap" >got-members
sed "s/^/$day,/; s/,[^,]*$//" members >want-members
assert_same_file want-members got-members
t "the mapped members' bars of $day, under CRSP's permnos"
awk -F, -v d="$day" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["date"] == d { print $c["id"] "," ($c["close"] + 0) }' \
	sim.csv | sort | join -t, - <(cut -d, -f1 members | sort) >want-closes
[ "$(wc -l <want-closes)" = "$(($(wc -l <members) - 1))" ] || fail "the test's market lacks members' bars"
prices-merge -o panel.csv "$STI_STORE"/data/prices/*.csv
awk -F, -v d="$day" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $c["date"] == d { print $c["id"] "," ($c["close"] + 0) }' \
	panel.csv | sort >got-closes
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
cols='NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }'
awk -F, "$cols"' { print $c["date"] }' stitched.csv | sort -u >dates
trading-day --list 2023-12-29 "$day2" >want-dates
assert_same_file want-dates dates
awk -F, "$cols"' { print $c["date"] "," $c["id"] }' stitched.csv | sort | uniq -d >doubled
[ ! -s doubled ] || fail "doubled rows: $(head -n 3 doubled)"
# The CRSP side is CRSP's rows as they were.
prices-merge --to "$crsp_last" -o crsp-side.csv stitched.csv
assert_same_file crsp.csv crsp-side.csv
for d in "$day" "$day2"; do
	want=0.01
	[ "$d" = "$day2" ] && want=0.03
	awk -F, -v d="$d" "$cols"' $c["date"] == d { print $c["id"] "," $c["ret"] }' stitched.csv | sort >rets
	cut -d, -f1 members | grep -v "^${gone%%,*}$" | sort >mapped
	assert_eq "$(cat mapped)" "$(cut -d, -f1 rets)" "the members with a bar on $d"
	awk -F, -v w="$want" '{ x = $2 - w; if (x < 0) x = -x; if ($2 == "" || x > 1e-6) { print; bad = 1 } } END { exit bad }' rets ||
		fail "returns on $d are not the market's $want"
done
cat "$STI_STORE"/logs/alerts/*.json | jq -r .message >alerts2
grep -q "without a bar: ${gone#*,}(${gone%%,*})" alerts2 || { cat alerts2; fail "first-time: no alert names ${gone#*,}"; }
