# Flows alone across processes (issue 14 items 3 and 5): the lease locks/pipeline in the store instead of a
# local flock; mock trading under its own lease names never blocks production; run and alert records are
# one object each, so concurrent flows lose none. Expectations: ARCHITECTURE.md "The store" (leases,
# logs/runs/ and logs/alerts/ one object per record), store-lease(1), and the issue's own scenarios.
. "$TOP/tests/lib.sh"
. "$TOP/pipelines/csv.sh"

export STI_STORE=$OUT/store STI_STATE=$OUT/state STI_LOG_FORMAT=text
export SAMPLE_SEED=5 SAMPLE_SECURITIES=60 SAMPLE_UNIVERSE=50 SAMPLE_DAYS=330 SAMPLE_START=2023-01-03
export SOURCE=sample TRADE=none DAILY_DASHBOARDS=0 STI_NO_FAILURE_ALERT=1
flows=$TOP/pipelines

mkdir -p "$STI_STATE/sample"
market-gen --seed $SAMPLE_SEED --securities $SAMPLE_SECURITIES --days $SAMPLE_DAYS --start $SAMPLE_START \
	--universe-size $SAMPLE_UNIVERSE -o "$STI_STATE/sample/market.csv" --universe-out "$STI_STATE/sample/universe.csv"
end=$(csv_last date "$STI_STATE/sample/market.csv")
start=$(trading-day --list $SAMPLE_START "$end" | tail -n 8 | head -n 1)
days=$(trading-day --list "$(trading-day --next "$start")" "$end")
day1=$(sed -n 1p <<<"$days") day2=$(sed -n 2p <<<"$days") day3=$(sed -n 3p <<<"$days")
runs() { find "$STI_STORE/logs/runs" -name '*.json' 2>/dev/null | wc -l; }

t "first-time, with the lease taken and given back"
"$flows/first-time" --to "$start" 2>first-time.log || { tail first-time.log; fail first-time; }
[ ! -e "$STI_STORE/locks/pipeline" ] || fail "the lease was not released: $(cat "$STI_STORE/locks/pipeline")"
[ ! -e "$STI_STATE/pipeline.lock" ] || fail "a local flock file was used"
assert_eq 1 "$(runs)" "run records"
jq -e '.type == "run" and .flow == "first-time" and .status == "ok"' "$STI_STORE"/logs/runs/*.json >/dev/null

t "six concurrent daily runs of one day: exactly one runs, five exit 75 naming the holder, six records"
before=$(runs)
for i in 1 2 3 4 5 6; do
	(st=0; "$flows/daily" --date "$day1" 2>"daily.$i.log" || st=$?; echo "$st" >"daily.$i.st") &
done
wait
ok=0 held=0
for i in 1 2 3 4 5 6; do
	case $(cat "daily.$i.st") in
	0) ok=$((ok + 1)) ;;
	75) held=$((held + 1))
		grep -q "another run holds the lease: .*locks/pipeline: held by daily (pid [0-9]* on [^)]*) since .*, until " "daily.$i.log" ||
			fail "daily $i: no clear message: $(tail -n 2 "daily.$i.log")" ;;
	*) tail "daily.$i.log"; fail "daily $i: exit $(cat "daily.$i.st")" ;;
	esac
done
assert_eq "1 5" "$ok $held" "runs that ran, runs refused"
assert_eq $((before + 6)) "$(runs)" "run records after six concurrent runs"
assert_eq 5 "$(cat "$STI_STORE"/logs/runs/*.json | jq -s '[.[] | select(.status == "held" and .date == "'"$day1"'")] | length')" \
	"records of refused runs"
[ ! -e "$STI_STORE/locks/pipeline" ] || fail "the lease was not released"

t "concurrent flows' records: 12 writers of runs and alerts at once lose none"
cat >"$OUT/writer" <<'W'
#!/usr/bin/env bash
export FLOW=writer
. "$TOP/pipelines/lib.sh"
record_run ok "writer $1"
alert "alert $1"
alert "second alert $1"
W
chmod +x "$OUT/writer"
before=$(runs)
nalerts=$(find "$STI_STORE/logs/alerts" -name '*.json' | wc -l)
for i in $(seq 1 12); do TOP=$TOP "$OUT/writer" "$i" 2>/dev/null & done
wait
assert_eq $((before + 12)) "$(runs)" "run records"
assert_eq $((nalerts + 24)) "$(find "$STI_STORE/logs/alerts" -name '*.json' | wc -l)" "alert records"
for i in $(seq 1 12); do
	grep -lq "\"writer $i\"" "$STI_STORE"/logs/runs/*.json || fail "the record of writer $i is lost"
done

t "the live dashboard reads every record: the old logs/*.ndjson (migration) and the objects"
# dash-gen shows the latest 10 runs and 20 alerts: a store with a few of each.
mkdir -p dash/logs/runs dash/logs/alerts
printf '%s\n' '{"type":"run","flow":"daily","date":"2023-01-03","start":"2023-01-03T22:00:00Z","end":"2023-01-03T22:01:00Z","status":"ok","step":"notify","message":"old-form record"}' \
	>dash/logs/runs.ndjson
printf '%s\n' '{"type":"alert","time":"2023-01-03T22:01:00Z","flow":"daily","title":"t","message":"old-form alert"}' \
	>dash/logs/alerts.ndjson
for i in 1 2 3; do
	cp "$(grep -l "\"writer $i\"" "$STI_STORE"/logs/runs/*.json)" dash/logs/runs/
	cp "$(grep -l "\"alert $i\"" "$STI_STORE"/logs/alerts/*.json)" dash/logs/alerts/
done
dash-gen live --root dash -o live.html 2>dash.err || { cat dash.err; fail dash-gen; }
for want in "old-form record" "old-form alert" "writer 1" "writer 2" "writer 3" "alert 1" "alert 2" "alert 3"; do
	grep -q "$want" live.html || fail "the live dashboard does not show '$want'"
done

t "a lease left by a killed run blocks until it expires, then the next run takes it over"
LEASE_TTL=3 "$flows/daily" --date "$day2" 2>killed.log &
pid=$!
wait_for 30 test -e "$STI_STORE/locks/pipeline" || fail "no lease while the run works"
kill -9 $pid; wait $pid 2>/dev/null || true
assert_status 75 "$flows/daily" --date "$day2" 2>held.log
# The TTL is 3 s, its end rounded up to the second, and the killed run's renewer may have renewed it once
# (every second) before it noticed: the lease is free at most 3 + 1 + 1 s after it was taken.
sleep 3
rc=75
for _ in $(seq 8); do
	rc=0
	"$flows/daily" --date "$day2" 2>taken.log || rc=$?
	[ "$rc" = 75 ] || break
	sleep 0.5
done
[ "$rc" = 0 ] || { tail taken.log; fail "the run after expiry: exit $rc"; }
assert_contains taken.log "expired; taking it over"

t "mock trading during a production daily run: both succeed, each under its own lease"
port=$(free_port)
"$flows/mock-trading" --days 2 --port "$port" 2>mock.log &
mpid=$!
on_exit "kill $mpid 2>/dev/null"
wait_for 60 test -e "$STI_STORE/mock/locks/mock-pipeline" || { tail mock.log; fail "mock trading took no lease of its own"; }
[ -e "$STI_STORE/locks/mock-trading" ] || fail "mock trading's own lease is missing"
"$flows/daily" --date "$day3" 2>prod.log || { tail prod.log; fail "the production run during mock trading"; }
st=0; wait $mpid || st=$?
[ "$st" = 0 ] || { tail mock.log; fail "mock trading: exit $st"; }
assert_eq ok "$(cat "$STI_STORE"/logs/runs/*.json | jq -r --arg d "$day3" 'select(.flow == "daily" and .date == $d) | .status')" \
	"the production run's record"
[ -n "$(find "$STI_STORE/mock/logs/runs" -name '*.json' 2>/dev/null)" ] || fail "no records of the mock runs in the mock store"
[ ! -e "$STI_STORE/locks/pipeline" ] && [ ! -e "$STI_STORE/locks/mock-trading" ] &&
	[ ! -e "$STI_STORE/mock/locks/mock-pipeline" ] || fail "a lease was left behind"
