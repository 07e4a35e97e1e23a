# notify against a local recording HTTP server: fields sent, retries only when they should happen, quota
# headers, truncation, and the secrets never shown.
. "$TOP/tests/lib.sh"

PY=/usr/bin/python3
port=$(free_port)
start_bg recorder "$PY" "$TOP/tests/servers/http-recorder.py" "$port" "$OUT/requests.log" "$OUT/script"
wait_port "$port"

TOKEN=tokSECRETa1b2c3d4e5f6g7h8i9j0k1l2m3
USER_KEY=usrSECRETz9y8x7w6v5u4t3s2r1q0p9o8n7
export PUSHOVER_API_URL="http://127.0.0.1:$port/1/messages.json"
n=0

# scenario 'STEP...': replace the server's script (one JSON answer per argument) and clear the log
scenario() {
	local tmp=$OUT/script.tmp
	: >"$tmp"
	for s in "$@"; do printf '%s\n' "$s" >>"$tmp"; done
	mv "$tmp" "$OUT/script"
	: >"$OUT/requests.log"
}
# send WANT_STATUS ARGS...: run notify with the credentials, output in $OUT/out.N, $OUT/err.N
send() {
	local want=$1 got=0
	shift
	n=$((n + 1))
	PUSHOVER_APP_TOKEN=$TOKEN PUSHOVER_USER_KEY=$USER_KEY notify "$@" >"$OUT/out.$n" 2>"$OUT/err.$n" || got=$?
	[ "$got" = "$want" ] || { cat "$OUT/err.$n"; fail "notify $*: exit $got, want $want"; }
}
requests() { grep -c . "$OUT/requests.log" || true; }
# field N NAME: form field NAME of request N (empty line when absent)
field() {
	"$PY" -c 'import json,sys
recs=[json.loads(l) for l in open(sys.argv[1])]
print(recs[int(sys.argv[2])-1].get("form",{}).get(sys.argv[3],"<absent>"))' "$OUT/requests.log" "$1" "$2"
}
BACKOFF=(--backoff 0.01)

t "without credentials: shown on stderr, exit 0, nothing sent"
scenario
env -u PUSHOVER_APP_TOKEN -u PUSHOVER_USER_KEY notify --title Flow "daily run done" >"$OUT/o" 2>"$OUT/e"
assert_contains "$OUT/e" "not sent) Flow: daily run done"
assert_eq "" "$(cat "$OUT/o")" stdout
assert_eq 0 "$(requests)" requests
PUSHOVER_APP_TOKEN=$TOKEN env -u PUSHOVER_USER_KEY notify hi 2>"$OUT/e" || fail "one secret only: not an error"
assert_eq 0 "$(requests)" requests

t "--require without credentials: exit 78"
assert_status 78 env -u PUSHOVER_APP_TOKEN -u PUSHOVER_USER_KEY notify --require hello
assert_eq 0 "$(requests)" requests

t "the fields sent, and the API's answer on stdout"
scenario
send 0 --title "Orders" --priority 1 --url "https://example.org/dash?a=1&b=2" --url-title Dash --html \
	"<b>12 orders</b>" "placed & acked"
assert_eq 1 "$(requests)" requests
assert_eq "$TOKEN" "$(field 1 token)" token
assert_eq "$USER_KEY" "$(field 1 user)" user
assert_eq "<b>12 orders</b> placed & acked" "$(field 1 message)" message
assert_eq Orders "$(field 1 title)" title
assert_eq 1 "$(field 1 priority)" priority
assert_eq "https://example.org/dash?a=1&b=2" "$(field 1 url)" url
assert_eq Dash "$(field 1 url_title)" url_title
assert_eq 1 "$(field 1 html)" html
assert_eq '{"status": 1, "request": "rec-1"}' "$(cat "$OUT/out.$n")" stdout
assert_contains "$(head -1 "$OUT/requests.log")" '"path": "/1/messages.json"'
assert_contains "$(head -1 "$OUT/requests.log")" '"method": "POST"'

t "message from stdin, the default title, no optional fields"
scenario
printf 'line one\nline two\n\n' | send 0
assert_eq "line one
line two" "$(field 1 message)" message
assert_eq systematic-trading-infra "$(field 1 title)" title
assert_eq "<absent>" "$(field 1 priority)" priority
assert_eq "<absent>" "$(field 1 html)" html

t "secrets from *_FILE"
scenario
printf '%s\n' "$TOKEN-file" >"$OUT/token"
PUSHOVER_APP_TOKEN_FILE=$OUT/token PUSHOVER_USER_KEY=$USER_KEY notify hello >/dev/null
assert_eq "$TOKEN-file" "$(field 1 token)" token

t "emergency priority adds retry and expire"
scenario
send 0 --priority 2 "server down"
assert_eq 60 "$(field 1 retry)" retry
assert_eq 3600 "$(field 1 expire)" expire

t "5xx is retried, then succeeds"
scenario '{"status":500,"body":"oops"}' '{"status":503,"body":"busy"}'
send 0 "${BACKOFF[@]}" "after two failures"
assert_eq 3 "$(requests)" requests

t "5xx outlasting --retries: exit 75"
scenario '{"status":500}' '{"status":502}' '{"status":500}' '{"status":500}'
send 75 "${BACKOFF[@]}" --retries 2 "never"
assert_eq 3 "$(requests)" requests
assert_contains "$OUT/err.$n" "not sent: HTTP 500 after 3 attempts"

t "4xx is final: one request, the API's errors shown, exit 65"
scenario '{"status":400,"body":{"user":"invalid","errors":["user identifier is invalid","message cannot be blank"],"status":0,"request":"r1"}}'
send 65 "${BACKOFF[@]}" "bad user"
assert_eq 1 "$(requests)" requests
assert_contains "$OUT/err.$n" "rejected: HTTP 400: user identifier is invalid; message cannot be blank"

t "a 4xx echoing the secrets shows them redacted"
scenario "{\"status\":400,\"body\":{\"errors\":[\"token $TOKEN is invalid for $USER_KEY\"],\"status\":0}}"
send 65 "bad token"
assert_contains "$OUT/err.$n" "token [redacted] is invalid for [redacted]"

t "a 4xx echoing the secrets URL-encoded (as a form field or a URL shows them) shows them redacted too"
# The form body sends them percent-encoded (application/x-www-form-urlencoded, RFC 3986 section 2.1: hex
# digits in either case are the same octet); an echo of the request must not leak them that way either.
enc_token=$(printf '%s' "$TOKEN" | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g')
enc_user=$(printf '%s' "$USER_KEY" | od -An -tx1 | tr -d ' \n' | sed 's/../%&/g' | tr 'a-f' 'A-F')
mixed=${TOKEN:0:5}%${enc_token:$((5 * 3 + 1)):2}${TOKEN:6}
scenario "{\"status\":400,\"body\":{\"errors\":[\"token=$enc_token&user=$enc_user or $mixed\"],\"status\":0}}"
send 65 "bad token"
assert_contains "$OUT/err.$n" "token=[redacted]&user=[redacted] or [redacted]"
! grep -qi "SECRET\|%53%45%43" "$OUT/err.$n" || fail "a secret leaked: $(cat "$OUT/err.$n")"
# a token with characters that form encoding changes, echoed as the request carried it
scenario '{"status":400,"body":{"errors":["token tok%2BSECRET%2fwith%3Dsigns%26more is invalid"],"status":0}}'
st=0
PUSHOVER_APP_TOKEN='tok+SECRET/with=signs&more' PUSHOVER_USER_KEY=$USER_KEY notify "x" >/dev/null 2>"$OUT/err.signs" || st=$?
assert_eq 65 "$st" "exit status"
assert_contains "$OUT/err.signs" "token [redacted] is invalid"

t "429 with the limit headers: final, exit 75, the reset time shown"
scenario '{"status":429,"headers":{"X-Limit-App-Limit":"10000","X-Limit-App-Remaining":"0","X-Limit-App-Reset":"1798761600"},"body":{"errors":["application is over its quota"],"status":0}}'
send 75 "${BACKOFF[@]}" "over quota"
assert_eq 1 "$(requests)" requests
assert_contains "$OUT/err.$n" "quota spent until 2027-01-01T00:00:00Z: application is over its quota"

t "429 with a short Retry-After is waited out"
scenario '{"status":429,"headers":{"Retry-After":"0"}}'
send 0 "${BACKOFF[@]}" "soon"
assert_eq 2 "$(requests)" requests

t "a stalled answer times out and is retried"
scenario '{"stall":3}'
send 0 "${BACKOFF[@]}" --timeout 0.5 "slow server"
assert_eq 2 "$(requests)" requests

t "a reset connection is retried"
scenario '{"reset":true}' '{"reset":true}'
send 0 "${BACKOFF[@]}" "flaky network"
assert_eq 3 "$(requests)" requests

t "a refused connection is retried, then exit 75"
closed=$(free_port)
PUSHOVER_API_URL=http://127.0.0.1:$closed/1/messages.json send 75 "${BACKOFF[@]}" --retries 1 "nobody home"
assert_contains "$OUT/err.$n" "(after 2 attempts)"

t "an unusable URL is final: exit 69"
send 69 --api-url "ftp://127.0.0.1:$port/x" "wrong scheme"

t "low quota left: a warning"
scenario '{"status":200,"headers":{"X-Limit-App-Remaining":"7","X-Limit-App-Reset":"1798761600"},"body":{"status":1}}'
send 0 "quota check"
assert_contains "$OUT/err.$n" "7 messages left this month (until 2027-01-01)"

t "--ndjson: one notification per line with its own fields; a bad line is reported, the others sent"
# notify(1): "A malformed line is reported with its line number and the others are still sent" (line 6 is
# not JSON at all: the lines after it are still records)
scenario
printf '%s\n' '{"type":"alert","message":"first","title":"T1","priority":-1}' \
	'{"message":"second","url":"https://x.test/","html":true}' \
	'{"title":"no message"}' \
	'{"message":"fourth","priority":7}' \
	'{"message":"fifth"}' \
	'{"message":"cut short' >"$OUT/in.ndjson"
printf '%s\n' '{"message":"seventh"}' >>"$OUT/in.ndjson"
send 65 --ndjson --title Default <"$OUT/in.ndjson"
assert_eq 4 "$(requests)" requests
assert_eq seventh "$(field 4 message)" message4
assert_contains "$OUT/err.$n" "<stdin>:6: invalid JSON"
assert_eq T1 "$(field 1 title)" title1
assert_eq -1 "$(field 1 priority)" priority1
assert_eq Default "$(field 2 title)" title2
assert_eq 1 "$(field 2 html)" html2
assert_eq https://x.test/ "$(field 2 url)" url2
assert_eq fifth "$(field 3 message)" message3
assert_contains "$OUT/err.$n" "<stdin>:3: message: missing or empty"
assert_contains "$OUT/err.$n" "<stdin>:4: priority: not an integer from -2 to 2"
assert_eq 4 "$(grep -c status "$OUT/out.$n")" "answers on stdout"

t "--ndjson stops when the quota is spent"
scenario '{"status":200,"headers":{"X-Limit-App-Remaining":"0","X-Limit-App-Reset":"4102444800"},"body":{"status":1}}'
printf '{"message":"m%d"}\n' 1 2 3 >"$OUT/in.ndjson"
send 75 --ndjson <"$OUT/in.ndjson"
assert_eq 1 "$(requests)" requests
assert_contains "$OUT/err.$n" "no message remains until 2100-01-01T00:00:00Z"

t "long texts are cut at 1024 and 250 characters, never inside a character"
scenario
long=$(printf 'a%.0s' $(seq 2000))
send 0 "$long"
assert_eq 1024 "$(field 1 message | "$PY" -c 'import sys; print(len(sys.stdin.read().rstrip("\n")))')" length
assert_eq "…" "$(field 1 message | "$PY" -c 'import sys; print(sys.stdin.read().rstrip("\n")[-1])')" marker
scenario
wide=$(printf 'é%.0s' $(seq 1500))
send 0 --title "$(printf '€%.0s' $(seq 300))" "$wide"
assert_eq 1024 "$(field 1 message | "$PY" -c 'import sys; print(len(sys.stdin.read().rstrip("\n")))')" length
assert_eq 250 "$(field 1 title | "$PY" -c 'import sys; print(len(sys.stdin.read().rstrip("\n")))')" title
assert_eq "éé…" "$(field 1 message | "$PY" -c 'import sys; print(sys.stdin.read().rstrip("\n")[-3:])')" tail
grep -q '\\ufffd\|�' "$OUT/requests.log" && fail "a character was split"
exact=$(printf 'b%.0s' $(seq 1024))
scenario
send 0 "$exact"
assert_eq "$exact" "$(field 1 message)" "1024 characters go unchanged"

t "usage errors"
assert_status 64 notify --priority 3 hi
assert_status 64 notify --ndjson hi
assert_status 64 notify --retries -1 hi
assert_status 64 notify ""
printf '\n\n' | assert_status 65 notify
# a read error is not bad data (sysexits.h: EX_IOERR); a directory as stdin makes read(2) fail with EISDIR
assert_status 74 notify --ndjson </

t "the secrets never appear in any output"
for f in "$OUT"/out.* "$OUT"/err.* "$OUT"/e "$OUT"/o; do
	if grep -qF -e "$TOKEN" -e "$USER_KEY" "$f"; then
		fail "$f shows a secret"
	fi
done
echo "notify: $n sends checked"
