# pipelines/lib.sh: what every flow shares. Sourced, not run.
# Logging of every step, the configuration, store access through s3-put/s3-get (the same for S3 and the
# local store), a lease (store-lease) for runs that must be alone, and a notification naming the failed step and the tail of its error.
# shellcheck shell=bash

set -euo pipefail

STI_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Built tools in a checkout come first; an installed suite is found on PATH.
[ -d "$STI_TOP/bin" ] && PATH=$STI_TOP/bin:$PATH
export PATH

# shellcheck source=pipelines/csv.sh
. "$STI_TOP/pipelines/csv.sh"
# shellcheck source=pipelines/members.sh
. "$STI_TOP/pipelines/members.sh"
# shellcheck source=etc/sti.conf
. "${STI_CONFIG:-$STI_TOP/etc/sti.conf}"
export STI_STORE STI_STATE
STRATEGY_CONFIG_PATH=$STRATEGY_CONFIG
[ -f "$STRATEGY_CONFIG_PATH" ] || STRATEGY_CONFIG_PATH=$STI_TOP/$STRATEGY_CONFIG

FLOW=${FLOW:-$(basename "$0")}
STEP=start
mkdir -p "$STI_STATE/logs"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sti-$FLOW.XXXXXX")
RUN_LOG=$WORK/run.log
RUN_START=$(date -u +%Y-%m-%dT%H:%M:%SZ)

log() { printf '%s %s: %s\n' "$(date -u +%H:%M:%S)" "$FLOW" "$*" >&2; }

# step NAME: start a named step; a failure from here on is reported under its name.
step() { STEP=$1; log "step $STEP"; }

die() { log "error: $*"; echo "$*" >"$WORK/stderr"; exit 1; }

# run CMD...: run a command; its stderr is shown as it comes (a long step's progress reaches the terminal
# while the step runs) and also kept, for the failure report and the run log. On a terminal the command is
# told that progress lines are wanted (STI_PROGRESS=1, log(3) of the tools): its stderr is a pipe to tee.
run() {
	local rc=0 progress=0 tee_pid
	[ -t 2 ] && progress=1
	[ -p "$WORK/stderr.pipe" ] || mkfifo "$WORK/stderr.pipe"
	tee "$WORK/stderr" <"$WORK/stderr.pipe" >&2 &
	tee_pid=$!
	STI_PROGRESS=${STI_PROGRESS:-$progress} "$@" 2>"$WORK/stderr.pipe" || rc=$?
	wait "$tee_pid" || true # tee has written the whole of it
	cat "$WORK/stderr" >>"$RUN_LOG"
	return "$rc"
}

# ib_submit ARGS...: ib-submit placing each order by its conId from the store's contracts cache
# (data/contracts.csv, which ib-bars --contracts fills); symbols the cache lacks are resolved and it is put back.
ib_submit() {
	local rc=0
	store_get_optional data/contracts.csv "$WORK/contracts.csv"
	[ -s "$WORK/contracts.csv" ] || rm -f "$WORK/contracts.csv"
	run ib-submit --contracts "$WORK/contracts.csv" "$@" || rc=$?
	[ ! -s "$WORK/contracts.csv" ] || store_put data/contracts.csv "$WORK/contracts.csv"
	return "$rc"
}

# The store: keys relative to STI_STORE, whether a directory or s3://bucket/prefix.
store_put() { run s3-put -q --store "$STI_STORE" "$1" "$2"; }     # KEY FILE
store_get() { run s3-get -q --store "$STI_STORE" -o "$2" "$1"; }  # KEY FILE
# store_get_optional KEY FILE: like store_get; an absent object gives an empty FILE and no message.
store_get_optional() { s3-get -q --store "$STI_STORE" -o "$2" "$1" 2>/dev/null || : >"$2"; }
store_has() { s3-get -q --store "$STI_STORE" --list "$1" 2>/dev/null | grep -qxF "$1"; }
# store_latest PREFIX: the greatest DATE under PREFIX/DATE/..., or nothing.
store_latest() {
	s3-get -q --store "$STI_STORE" --list "$1/" 2>/dev/null |
		sed -n "s#^$1/\([0-9-]\{10\}\)/.*#\1#p" | sort -u | tail -n 1
}

# lock NAME: one run at a time, across processes and hosts: the lease locks/${STI_LEASE_PREFIX}NAME in the
# store (store-lease(1)), renewed in the background every LEASE_TTL/3 seconds while the flow runs and released
# when it ends. When another run holds it, the flow exits at once with status 75 and a message naming the
# holder; the refused run is recorded (status "held") and sends no alert. Mock trading sets STI_LEASE_PREFIX
# (and its own store), so it never blocks production.
: "${LEASE_TTL:=1800}"
lock() {
	local name=${STI_LEASE_PREFIX:-}$1 out rc=0
	out=$(store-lease -q --store "$STI_STORE" acquire --ttl "$LEASE_TTL" --owner "$FLOW" --pid $$ "$name" \
		2>"$WORK/stderr") || rc=$?
	if [ "$rc" = 75 ] && grep -qE ': held by |: held, but|: contended' "$WORK/stderr"; then
		LEASE_HELD="another run holds the lease: $(tail -n 1 "$WORK/stderr")"
		log "$LEASE_HELD"
		exit 75
	fi
	[ "$rc" = 0 ] || die "lease $name: $(tail -n 1 "$WORK/stderr")"
	cat "$WORK/stderr" >&2 # an expired lease taken over says so
	LEASE_TOKEN=$(jq -r .token <<<"$out")
	_lease_renewer "$name" "$LEASE_TOKEN" $$ </dev/null >/dev/null 2>>"$WORK/lease.log" &
	at_exit "kill $! 2>/dev/null; wait $! 2>/dev/null; store-lease -q --store '$STI_STORE' release --token $LEASE_TOKEN '$name' || log 'warning: lease $name: not released'"
}

# _lease_renewer NAME TOKEN PID: renew the lease while the flow PID lives (a flow killed with -9 leaves
# its lease to expire, then the next run takes it over).
_lease_renewer() {
	local s=
	trap 'kill $s 2>/dev/null; exit 0' TERM
	while kill -0 "$3" 2>/dev/null; do
		sleep "$((LEASE_TTL > 3 ? LEASE_TTL / 3 : 1))" &
		s=$!
		wait "$s" || true
		kill -0 "$3" 2>/dev/null || break
		store-lease -q --store "$STI_STORE" renew --token "$2" --ttl "$LEASE_TTL" "$1" >/dev/null ||
			log "warning: lease $1 could not be renewed"
	done
}

# record_key KIND: a new store key logs/KIND/TIME-HOST-PID-N.json for one record: keys sort in time order,
# and two writers never share one (nothing is read, appended and rewritten, so nothing is lost).
RECORD_SEQ=0
record_key() {
	local host
	host=$(hostname 2>/dev/null || echo host)
	host=$(printf '%s' "$host" | tr -c 'A-Za-z0-9-' '-' | cut -c1-40)
	RECORD_SEQ=$((RECORD_SEQ + 1))
	printf 'logs/%s/%s-%s-%s-%s.json' "$1" "$(date -u +%Y%m%dT%H%M%S.%NZ)" "${host:-host}" "$$" "$RECORD_SEQ"
}

# record_run STATUS [MESSAGE]: the run as one object logs/runs/KEY.json in the store (read by dash-gen).
record_run() {
	local rec=$WORK/run.json msg=${2:-}
	jq -nc --arg flow "$FLOW" --arg date "${RUN_DATE:-}" --arg start "$RUN_START" \
		--arg finish "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg status "$1" --arg step "$STEP" --arg message "$msg" \
		'{type:"run",flow:$flow,date:$date,start:$start,"end":$finish,status:$status,step:$step,message:$message}' \
		>"$rec"
	store_put "$(record_key runs)" "$rec" || true
}

# alert [--priority N] TEXT...: a notification (stderr only when Pushover is not configured), also kept as
# one object logs/alerts/KEY.json in the store with the priority it was sent at (Pushover's -2..2; default
# 0, normal).
alert() {
	local rec=$WORK/alert.json prio=0
	if [ "${1:-}" = --priority ]; then prio=$2; shift 2; fi
	notify --title "systematic-trading-infra: $FLOW" --priority "$prio" "$*" || log "warning: the notification failed"
	jq -nc --arg time "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg flow "$FLOW" --arg message "$*" \
		--arg title "systematic-trading-infra: $FLOW" --argjson priority "$prio" \
		'{type:"alert",time:$time,flow:$flow,priority:$priority,title:$title,message:$message}' >"$rec"
	store_put "$(record_key alerts)" "$rec" 2>/dev/null || true
}

# at_exit CMD: run CMD (a string) when the flow ends, before the failure report.
EXIT_HOOKS=()
at_exit() { EXIT_HOOKS+=("$1"); }

_on_exit() {
	local rc=$? hook
	for hook in "${EXIT_HOOKS[@]}"; do eval "$hook" || true; done
	if [ -n "${LEASE_HELD:-}" ]; then
		record_run held "$LEASE_HELD" || true
	elif [ "$rc" -ne 0 ] && [ "${STI_NO_FAILURE_ALERT:-}" != 1 ]; then
		local tail_text
		# The failed command's own words: its last lines of stderr.
		tail_text=$(tail -n 3 "$WORK/stderr" 2>/dev/null | cut -c1-300)
		log "FAILED at step $STEP (exit $rc)"
		alert --priority 1 "$FLOW ${RUN_DATE:-} failed at step '$STEP' (exit $rc): ${tail_text:-no error text}" || true
		record_run failed "${tail_text:-exit $rc}" || true
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap _on_exit EXIT

# set_source SOURCE: the shorthand --source: the universe and the bars from one source (etc/sti.conf).
set_source() {
	SOURCE=$1 BARS_SOURCE=$1
	case $1 in ib) UNIVERSE_SOURCE="file" ;; *) UNIVERSE_SOURCE=$1 ;; esac
}

# today_ny: the date in New York (the session the flow is about).
today_ny() { TZ=America/New_York date +%F; }

# strategy_args: the options weights(1) and backtest(1) share.
strategy_args() { printf '%s\n' --config "$STRATEGY_CONFIG_PATH"; }

# sample_market: generate (once) the market of SOURCE=sample into $STI_STATE/sample.
sample_market() {
	local dir=$STI_STATE/sample
	SAMPLE_PRICES=$dir/market.csv SAMPLE_UNIVERSE_FILE=$dir/universe.csv
	if [ ! -s "$SAMPLE_PRICES" ] || [ ! -s "$SAMPLE_UNIVERSE_FILE" ]; then
		mkdir -p "$dir"
		log "generating the sample market (seed $SAMPLE_SEED, $SAMPLE_SECURITIES securities, $SAMPLE_DAYS days)"
		run market-gen --seed "$SAMPLE_SEED" --securities "$SAMPLE_SECURITIES" --days "$SAMPLE_DAYS" \
			--start "$SAMPLE_START" --universe-size "$SAMPLE_UNIVERSE" \
			-o "$SAMPLE_PRICES" --universe-out "$SAMPLE_UNIVERSE_FILE"
	fi
}

# The stored panels: the prices and the universe's history, each one partition a year, data/NAME/YYYY.csv
# (NAME: prices or universe; sti-store(7)), so a daily run touches the current year only. The tools read the
# partitions given in year order as one panel. Past partitions are kept in $STI_STATE/panel/STORE-HASH/NAME
# with the size, ETag and time the store listed for them; a partition is fetched only when the store's
# listing differs (another host wrote it, or it is not cached yet).
_panel_cache() { # NAME
	PANEL_CACHE=$STI_STATE/panel/$(printf '%s' "$STI_STORE" | md5sum | cut -c1-16)/$1
	mkdir -p "$PANEL_CACHE"
}

# panel_files DIR: the partitions in DIR, in year order, one path a line.
panel_files() { find "$1" -maxdepth 1 -name '[0-9][0-9][0-9][0-9].csv' | sort; }

# _panel_listing NAME: the store's partitions of data/NAME/ as "YEAR SIZE ETAG TIME" lines (the universe's
# dated snapshots, data/universe/DATE.csv, are not partitions).
_panel_listing() {
	s3-get -q --store "$STI_STORE" --list --long "data/$1/" 2>"$WORK/stderr" >"$WORK/panel.list" ||
		die "listing data/$1/: $(tail -n 1 "$WORK/stderr")"
	jq -r --arg p "data/$1/" 'select(.key | ltrimstr($p) | test("^[0-9]{4}\\.csv$")) |
		"\(.key | ltrimstr($p) | .[0:4]) \(.size) \(.etag | if . == "" then "-" else . end) \(.last_modified)"' "$WORK/panel.list"
}

# _panel_remember NAME YEAR...: record the store's listing of these partitions with their cached copies.
_panel_remember() {
	local name=$1 y line
	shift
	_panel_listing "$name" >"$WORK/panel.meta"
	for y in "$@"; do
		line=$(grep "^$y " "$WORK/panel.meta" || true)
		[ -n "$line" ] && printf '%s\n' "$line" >"$PANEL_CACHE/$y.meta"
	done
}

# panel_fetch NAME DIR: every stored partition of data/NAME/ into DIR/YYYY.csv, from the cache when the
# store lists it as the cache recorded it. A store that still holds the single data/NAME.csv of before is
# split and stored as partitions first (the old object stays, unread). PANEL_GOT[NAME] counts the bytes
# downloaded.
declare -A PANEL_GOT=([prices]=0 [universe]=0) PANEL_PUT=([prices]=0 [universe]=0)
panel_fetch() {
	local name=$1 dir=$2 y size etag time years
	mkdir -p "$dir"
	_panel_cache "$name"
	_panel_listing "$name" >"$WORK/panel.$name.meta"
	if [ ! -s "$WORK/panel.$name.meta" ] && store_has "data/$name.csv"; then
		log "migrating data/$name.csv to yearly partitions data/$name/YYYY.csv"
		store_get "data/$name.csv" "$WORK/$name.single.csv"
		PANEL_GOT[$name]=$((PANEL_GOT[$name] + $(stat -c %s "$WORK/$name.single.csv")))
		panel_split "$WORK/$name.single.csv" "$dir" >"$WORK/panel.years"
		mapfile -t years <"$WORK/panel.years"
		panel_store "$name" "$dir" "${years[@]}"
		return
	fi
	while read -r y size etag time; do
		if [ -f "$PANEL_CACHE/$y.csv" ] && [ "$(cat "$PANEL_CACHE/$y.meta" 2>/dev/null)" = "$y $size $etag $time" ]; then
			cp "$PANEL_CACHE/$y.csv" "$dir/$y.csv"
		else
			store_get "data/$name/$y.csv" "$dir/$y.csv"
			PANEL_GOT[$name]=$((PANEL_GOT[$name] + $(stat -c %s "$dir/$y.csv")))
			cp "$dir/$y.csv" "$PANEL_CACHE/$y.csv"
			printf '%s\n' "$y $size $etag $time" >"$PANEL_CACHE/$y.meta"
		fi
	done <"$WORK/panel.$name.meta"
}

# panel_store NAME DIR YEAR...: store these partitions of DIR as data/NAME/YEAR.csv and cache them.
# PANEL_PUT[NAME] counts the bytes.
panel_store() {
	local name=$1 dir=$2 y
	shift 2
	_panel_cache "$name"
	for y in "$@"; do
		store_put "data/$name/$y.csv" "$dir/$y.csv"
		PANEL_PUT[$name]=$((PANEL_PUT[$name] + $(stat -c %s "$dir/$y.csv")))
		cp "$dir/$y.csv" "$PANEL_CACHE/$y.csv"
		rm -f "$PANEL_CACHE/$y.meta"
	done
	[ $# -eq 0 ] || _panel_remember "$name" "$@"
}

# panel_merge_into DIR FILE: add FILE's rows (a date-major table, prices-merge(1)) to the partitions in DIR,
# each year's rows into DIR/YYYY.csv (a re-run replaces rows, never doubles them). Prints the years touched:
# those to store again.
panel_merge_into() {
	local dir=$1 y years
	panel_split "$2" "$WORK/merge.parts" >"$WORK/merge.years"
	mapfile -t years <"$WORK/merge.years"
	for y in "${years[@]}"; do
		if [ -f "$dir/$y.csv" ]; then
			run prices-merge -o "$dir/$y.new.csv" "$dir/$y.csv" "$WORK/merge.parts/$y.csv"
			mv "$dir/$y.new.csv" "$dir/$y.csv"
		else
			mv "$WORK/merge.parts/$y.csv" "$dir/$y.csv"
		fi
	done
	rm -rf "$WORK/merge.parts"
	printf '%s\n' "${years[@]}"
}

# panel_stored NAME: whether the store holds NAME (partitions, or the single file of before).
panel_stored() { _panel_listing "$1" | grep -q . || store_has "data/$1.csv"; }

# panel_traffic: log the bytes this run moved to and from the store for the prices panel and for the
# universe (read by the flow bench).
panel_traffic() {
	log "panel traffic: ${PANEL_GOT[prices]} bytes downloaded, ${PANEL_PUT[prices]} bytes uploaded"
	log "universe traffic: ${PANEL_GOT[universe]} bytes downloaded, ${PANEL_PUT[universe]} bytes uploaded"
}
