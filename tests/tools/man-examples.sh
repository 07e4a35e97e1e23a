#!/usr/bin/env bash
# Every EXAMPLES block of every man page runs, as jq runs its manual: a user copies these lines, so an
# option that does not exist or a pipe that no longer fits fails here (orders(1) once showed
# `weights --prices`, which never existed). The blocks of one page run in order in one shell
# (`set -eo pipefail`), in a directory holding the files they name, against real servers on loopback:
# ib-sim for IB Gateway (IB_PORT), s3rver behind the SigV4-checking proxy for S3 (buckets "bucket" and
# "research"), PostgreSQL with the CRSP fixture for WRDS, the recording HTTP server for Pushover.
# The examples name the usual local ports (IB Gateway's paper 4002, MinIO's 9000); they are pointed at
# the test servers and nothing else is changed.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-pg.sh"
. "$TOP/tests/lib-s3.sh"
. "$TOP/pipelines/csv.sh"

pg_start
pg_sql -c "CREATE DATABASE wrds"
pg_sql -d wrds -f "$TOP/tests/fixtures/crsp/schema.sql" -f "$TOP/tests/fixtures/crsp/data.sql"
export PGDATABASE=wrds
s3_start bucket research

port=$(free_port)
start_bg pushover /usr/bin/python3 "$TOP/tests/servers/http-recorder.py" "$port" "$OUT/pushover.log" "$OUT/none"
wait_port "$port"
export PUSHOVER_API_URL=http://127.0.0.1:$port/1/messages.json PUSHOVER_APP_TOKEN=tok PUSHOVER_USER_KEY=usr

# The world the examples live in: a generated market up to the last trading day (the examples say
# "today"), its universe, the strategy's weights and backtest, a local store as the flows leave it, the
# account at the broker and the day's orders, the project's etc/ and pipelines/.
W=$OUT/world
mkdir -p "$W/var/store/data/universe" "$W/var/store/backtest/2026-11-24" "$W/var/store/dashboards/backtest" \
	"$W/backtest" "$W/data/universe"
cd "$W"
today=$(date +%F)
last=$today
trading-day -q "$last" || last=$(trading-day --prev "$last")
start=$(trading-day --list 2020-01-02 "$last" | tail -n 760 | sed -n 1p) # sed reads it all: no SIGPIPE under pipefail
market-gen -q --seed 3 --securities 80 --days 760 --start "$start" --universe-size 60 \
	-o prices.csv --universe-out universe.csv
# The panel as the store keeps it, one file a year (sti-store(7)).
mkdir prices
panel_split prices.csv prices >/dev/null
cp prices.csv market.csv
weights --universe universe.csv prices.csv >weights.csv
cp weights.csv backtest/weights.csv
cp -r prices var/store/data/prices
cp universe.csv var/store/data/universe.csv
backtest --prices prices.csv --weights weights.csv --universe universe.csv \
	--metrics metrics.json -o equity.csv
cp equity.csv metrics.json weights.csv var/store/backtest/2026-11-24/
cp -r "$TOP/etc" "$TOP/pipelines" .
# Universe snapshots under the dates the examples name, the second one member short.
for d in 2026-11-23 2026-11-24; do
	prices-merge --from "$last" --to "$last" universe.csv | sed "2,\$s/^$last,/$d,/" >"data/universe/$d.csv"
done
sed -i '$d' data/universe/2026-11-24.csv
# The S&P 500 of the CRSP fixture on its first day, stored as of the day before.
wrds-pull universe -q --universe sp500 --from 2024-01-02 --to 2024-01-02 | sed '2,$s/^2024-01-02,/2023-12-29,/' \
	>data/universe/2023-12-29.csv
# The names of the latest decision.
csv_select -H -w "date=$(csv_last date weights.csv)" symbol weights.csv >symbols.txt

# The broker: a paper account of 250,000 dollars on the same market, its clock at the last close.
sim_port=$(free_port)
export IB_HOST=127.0.0.1 IB_PORT=$sim_port IB_CLIENT_ID=7
start_bg sim ib-sim -q --prices "$W/prices.csv" --state "$OUT/sim" --port "$sim_port" --start "$last" \
	--capital 250000
wait_port "$sim_port"
ib-account -o account.ndjson
orders --weights weights.csv --account account.ndjson --prices prices.csv -o orders.ndjson
# Statuses as an evening run leaves them, from a broker of their own (the examples place these orders).
scratch=$(free_port)
start_bg scratch ib-sim -q --prices "$W/prices.csv" --state "$OUT/scratch" --port "$scratch" --start "$last"
wait_port "$scratch"
IB_PORT=$scratch ib-submit --stage <orders.ndjson >status.ndjson
kill "$PID_scratch"
cd "$OUT"

pass=0 failed=()
for page in "$TOP"/man/man[157]/*.[157]; do
	name=$(basename "$page")
	code=$("$TOP/tests/man-examples" "$page")
	[ -n "$code" ] || continue
	dir=$OUT/ex/$name
	mkdir -p "$dir"
	cp -r "$W/." "$dir"
	# ib-sim(1) starts its own broker: give it a port nobody listens on.
	if [ "$name" = ib-sim.1 ]; then p=$(free_port); else p=$sim_port; fi
	# ib-submit(1) follows limit-on-close orders to their fills: a broker of its own a session before the
	# last, whose session closes meanwhile.
	if [ "$name" = ib-submit.1 ]; then
		p=$(free_port)
		start_bg submit ib-sim -q --prices "$W/prices.csv" --state "$OUT/submit" --port "$p" \
			--start "$(trading-day --prev "$last")" --capital 250000
		wait_port "$p"
		(while sleep 2; do ib-sim ctl --port "$p" advance close >/dev/null 2>&1 || break; done) &
		ticker=$!
	fi
	# Each block runs in a subshell under `set -eo pipefail` and must end with its status; a block that
	# starts a server in the background is followed, as a user would wait, by its port.
	sed -e "s|--port 4002|--port $p|g; s|/dev/tcp/127.0.0.1/4002|/dev/tcp/127.0.0.1/$p|g" \
		-e "s|http://127.0.0.1:9000|$S3_ENDPOINT|g" \
		-e "s|&[[:space:]]*\$|\& for _ in \$(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null \&\& break; sleep 0.05; done|" \
		<<<"$code" | awk '
		function close_block() { if (n) printf ")\nrc=$?; [ $rc = %d ] || { echo \"block %d: exit $rc, want %d\" >&2; exit 1; }\n", st, n, st }
		/^# --- [0-9]+ [0-9]+$/ { close_block(); n = $3; st = $4; printf "echo \"--- block %d\" >&2\n(\nset -eo pipefail\n", n; next }
		{ print }
		END { close_block() }' >"$dir.sh"
	sed -i "1i echo \$\$ >'$dir.sid'" "$dir.sh"
	rc=0
	# Its own session, so that whatever a block left running in the background is stopped with it.
	(cd "$dir" && IB_PORT=$p timeout 300 setsid bash "$dir.sh" >"$dir.out" 2>"$dir.err" </dev/null) || rc=$?
	pkill -s "$(cat "$dir.sid")" 2>/dev/null || true
	[ -z "${ticker:-}" ] || { kill "$ticker"; wait "$ticker" 2>/dev/null || true; ticker=; }
	# A usage message means the example calls a tool as it cannot be called, whatever the status says.
	if [ $rc = 0 ] && grep -q '^usage: ' "$dir.err"; then
		rc=64
		echo "--- a usage message" >>"$dir.err"
		grep -A2 '^usage: ' "$dir.err" | sed -n '1,3p' >>"$dir.err"
	fi
	if [ $rc = 0 ]; then
		pass=$((pass + 1))
	else
		failed+=("$name")
		echo "FAIL: $name: exit $rc in $(grep '^--- block' "$dir.err" | tail -n 1)"
		grep -v '^--- block' "$dir.err" | tail -n 8 | sed 's/^/    /'
	fi
done
echo "man pages whose examples ran: $pass; failed: ${#failed[@]}"
[ ${#failed[@]} = 0 ] || fail "examples that do not run: ${failed[*]}"
[ "$pass" -ge 15 ] || fail "only $pass pages had examples"
