# Keys stay inside (issue 14 item 4): s3-put, s3-get, listings and pipelines/dashboards refuse a key with
# '..', '.', empty segments, a leading '/', a backslash or a control character (EX_USAGE, 64) on every
# backend, before any request; a listing served with such keys (tests/s3proxy.py /__inject, standing for a
# hostile or broken server) has them skipped, and the dashboards flow copies nothing outside its work
# directory. Expectations: ARCHITECTURE.md "The store" and sti-store(7) (the key rules).
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-s3.sh"
s3_start bkt victim

t "s3:// URLs with keys that climb, dot segments, empty segments, backslashes, control characters: 64, no request"
echo data >x
requests=$(s3_log | grep -c . || true)
for url in 's3://bkt/../victim/x' 's3://bkt/a/../../victim/x' 's3://bkt/./x' 's3://bkt/a/./x' 's3://bkt//x' \
	's3://bkt/a//x' 's3://bkt/a\b' "$(printf 's3://bkt/a\rb')" "$(printf 's3://bkt/a\033[2Jb')" 's3://../victim/x' \
	's3://bkt/x/..'; do
	assert_status 64 s3-put "$url" <x 2>err
	assert_status 64 s3-get "$url" 2>>err
	if grep -q "$(printf '\033')" err; then fail "a control character reached the terminal"; fi
done
assert_status 64 s3-get --list 's3://bkt/a/../' 2>/dev/null
assert_eq "$requests" "$(s3_log | grep -c . || true)" "requests sent for refused URLs"
assert_status 66 s3-get s3://victim/x 2>/dev/null

t "store keys on an S3 root and on a local root: 64"
for root in s3://bkt/root "$OUT/local"; do
	for key in logs/../../../x a/./b 'a//b' 'a\b' "$(printf 'a\tb')"; do
		assert_status 64 s3-put --store "$root" "$key" <x 2>/dev/null
		assert_status 64 s3-get --store "$root" "$key" 2>/dev/null
	done
done
[ ! -e "$OUT/local" ] || fail "a refused key wrote a file"

t "a listing served with hostile keys: they are skipped with a warning, the rest listed"
echo '{"type":"run"}' | s3-put --store s3://bkt/root logs/runs/20261201T000000Z-h-1-1.json
printf "" | s3-put --store s3://bkt/root trading/2026-12-01/orders.ndjson
for k in 'root/logs/../../../escape-up' 'root/logs/./dot' 'root/logs//empty' 'root/logs/back\slash' \
	'root/trading/../../escape-trading'; do
	curl -sf -G "$S3_ENDPOINT/__inject" --data-urlencode bucket=bkt --data-urlencode "key=$k" \
		--data-urlencode "body=escaped" >/dev/null || fail "inject $k"
done
s3-get --list s3://bkt/root/ >list 2>err
printf '%s\n' root/logs/runs/20261201T000000Z-h-1-1.json root/trading/2026-12-01/orders.ndjson >want
assert_same_file want list
assert_eq 5 "$(grep -c 'key refused and skipped' err)" "warnings"
s3-get --store s3://bkt/root --list "" >list 2>/dev/null
printf '%s\n' logs/runs/20261201T000000Z-h-1-1.json trading/2026-12-01/orders.ndjson >want
assert_same_file want list

t "pipelines/dashboards on that store copies nothing outside its work directory"
mkdir -p tmp/a/b
export STI_STORE=s3://bkt/root STI_STATE=$OUT/state MOCK_STORE=s3://bkt/root/mock TMPDIR=$OUT/tmp/a/b
"$TOP/pipelines/dashboards" 2>dash.log || { tail dash.log; fail dashboards; }
found=$(find "$OUT" -name 'escape-*' 2>/dev/null | head -n 3 || true)
[ -z "$found" ] || fail "a listed key escaped: $found"
! s3_logged 'GET /bkt/root/(logs|trading)/\.\./.* -> 200 injected' || fail "an injected key was fetched"
s3-get s3://bkt/root/dashboards/live/index.html >/dev/null || fail "no live dashboard"
