# tests/lib.sh: helpers for tool-test scripts (source it: . "$TOP/tests/lib.sh").
# Scripts run with `set -euo pipefail` in their own empty directory ($OUT); the executables are on PATH.
set -euo pipefail

_cleanups=()
# on_exit CMD...: run CMD when the script ends, last registered first.
on_exit() { _cleanups=("$*" "${_cleanups[@]}"); }
_run_cleanups() { local c; for c in "${_cleanups[@]}"; do eval "$c" || true; done; }
trap _run_cleanups EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
# t NAME: announce a check (shows in the log on failure).
t() { echo "--- $*"; }

assert_eq() { # want got [what]
	[ "$1" = "$2" ] || fail "${3:-value}: want '$1', got '$2'"
}
assert_status() { # want cmd...: run cmd, check its exit status
	local want=$1 got=0
	shift
	"$@" || got=$?
	[ "$got" = "$want" ] || fail "'$*': exit status $got, want $want"
}
assert_contains() { # file-or-string needle
	if [ -f "$1" ]; then grep -qF -- "$2" "$1" || fail "$1 does not contain '$2'";
	else case $1 in *"$2"*) ;; *) fail "'$1' does not contain '$2'";; esac; fi
}
assert_same_file() { cmp "$1" "$2" || fail "$1 and $2 differ"; }

# free_port: a TCP port nobody listens on now.
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# wait_for SECONDS CMD...: run CMD every WAIT_STEP seconds (0.05) until it succeeds; status 1 if it has not
# within about SECONDS. A test waits for a state, not for a time: a sleep long enough on this machine is too
# short on a loaded CI machine, and the time-out only bounds a failing run, so make it roomy.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep "${WAIT_STEP:-0.05}"
	done
}
# port_open PORT: something accepts connections on 127.0.0.1:PORT now.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# wait_port PORT [SECONDS]: wait until something accepts connections on 127.0.0.1:PORT.
wait_port() { wait_for "${2:-20}" port_open "$1" || fail "nothing listens on port $1 after ${2:-20}s"; }
# start_bg NAME CMD...: start a server in the background (output in $OUT/NAME.log), stopped at exit.
start_bg() {
	local name=$1
	shift
	"$@" >"$OUT/$name.log" 2>&1 &
	local pid=$!
	eval "PID_$name=$pid"
	on_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
}
# sanitized: true when the tools were built with ASan (slower: scale sizes down, not coverage).
sanitized() { case ${BUILD:-} in *san*) return 0;; esac; return 1; }
