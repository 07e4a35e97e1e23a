# pipelines/lib.sh: what every flow shares. Sourced, not run.
# Logging of every step, the configuration, store access through s3-put/s3-get (the same for S3 and the
# local store), a lock, and a notification naming the failed step and the tail of its error.
# shellcheck shell=bash

set -euo pipefail

STI_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Built tools in a checkout come first; an installed suite is found on PATH.
[ -d "$STI_TOP/bin" ] && PATH=$STI_TOP/bin:$PATH
export PATH

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

# run CMD...: run a command; its stderr is shown and kept for the failure report.
run() {
	local rc=0
	"$@" 2>"$WORK/stderr" || rc=$?
	cat "$WORK/stderr" >&2
	cat "$WORK/stderr" >>"$RUN_LOG"
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

# lock NAME: one run at a time; a second one exits at once with a clear message.
lock() {
	exec 9>"$STI_STATE/$1.lock"
	flock -n 9 || die "another $1 run holds $STI_STATE/$1.lock"
}

# record_run STATUS [MESSAGE]: append the run to logs/runs.ndjson in the store (read by dash-gen).
record_run() {
	local runs=$WORK/runs.ndjson msg=${2:-}
	store_get_optional logs/runs.ndjson "$runs"
	jq -nc --arg flow "$FLOW" --arg date "${RUN_DATE:-}" --arg start "$RUN_START" \
		--arg finish "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg status "$1" --arg step "$STEP" --arg message "$msg" \
		'{type:"run",flow:$flow,date:$date,start:$start,"end":$finish,status:$status,step:$step,message:$message}' \
		>>"$runs"
	store_put logs/runs.ndjson "$runs" || true
}

# alert [--priority N] TEXT...: a notification (stderr only when Pushover is not configured), also kept in
# logs/alerts.ndjson with the priority it was sent at (Pushover's -2..2; default 0, normal).
alert() {
	local alerts=$WORK/alerts.ndjson prio=0
	if [ "${1:-}" = --priority ]; then prio=$2; shift 2; fi
	notify --title "systematic-trading-infra: $FLOW" --priority "$prio" "$*" || log "warning: the notification failed"
	store_get_optional logs/alerts.ndjson "$alerts"
	jq -nc --arg time "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg flow "$FLOW" --arg message "$*" \
		--arg title "systematic-trading-infra: $FLOW" --argjson priority "$prio" \
		'{type:"alert",time:$time,flow:$flow,priority:$priority,title:$title,message:$message}' >>"$alerts"
	store_put logs/alerts.ndjson "$alerts" 2>/dev/null || true
}

# at_exit CMD: run CMD (a string) when the flow ends, before the failure report.
EXIT_HOOKS=()
at_exit() { EXIT_HOOKS+=("$1"); }

_on_exit() {
	local rc=$? hook
	for hook in "${EXIT_HOOKS[@]}"; do eval "$hook" || true; done
	if [ "$rc" -ne 0 ] && [ "${STI_NO_FAILURE_ALERT:-}" != 1 ]; then
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
