# s3-put / s3-get against s3rver behind the checking, fault-injecting proxy (tests/lib-s3.sh), and
# against Debian's awscli both ways.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-s3.sh"
s3_start bkt
MB=1048576
if sanitized; then BIG=$((24 * MB)) AWSBIG=$((24 * MB)); else BIG=$((200 * MB)) AWSBIG=$((100 * MB)); fi

t "round trip of small objects, signatures checked by the proxy"
printf '' >empty; printf x >one; printf 'date,id\n2026-01-02,1\n' >small.csv
for f in empty one small.csv; do
	s3-put "s3://bkt/small/$f" <"$f"
	s3-get "s3://bkt/small/$f" >"got.$f"
	assert_same_file "$f" "got.$f"
done
[ ! -s "$OUT/s3-put.err" ] || true

t "a wrong secret, an unknown key id: 403 from the signature check, exit 77, nothing stored"
assert_status 77 env AWS_SECRET_ACCESS_KEY=wrong s3-put s3://bkt/bad/secret <one 2>err
assert_contains err SignatureDoesNotMatch
assert_status 77 env AWS_SECRET_ACCESS_KEY=wrong s3-get s3://bkt/small/one 2>err
assert_contains err SignatureDoesNotMatch
assert_status 77 env AWS_ACCESS_KEY_ID=NOBODY s3-get s3://bkt/small/one 2>err
assert_contains err InvalidAccessKeyId
assert_status 66 s3-get s3://bkt/bad/secret 2>err
assert_contains err NoSuchKey
assert_status 66 s3-get s3://nobucket/x 2>err
assert_contains err NoSuchBucket
assert_status 77 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY s3-get s3://bkt/small/one 2>err
assert_contains err "no AWS credentials"

t "--endpoint overrides AWS_ENDPOINT_URL_S3, which overrides AWS_ENDPOINT_URL"
AWS_ENDPOINT_URL=http://127.0.0.1:9 s3-get --retries 0 --endpoint "$S3_ENDPOINT" s3://bkt/small/one | cmp - one
AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_ENDPOINT_URL_S3=$S3_ENDPOINT s3-get --retries 0 s3://bkt/small/one | cmp - one
assert_status 75 env AWS_ENDPOINT_URL_S3=http://127.0.0.1:9 s3-get --retries 0 s3://bkt/small/one 2>err
assert_contains err "127.0.0.1"

t "credentials from a profile in ~/.aws"
mkdir -p "$HOME/.aws"
printf '[other]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' >"$HOME/.aws/credentials"
printf '[profile other]\nregion = us-east-1\n' >"$HOME/.aws/config"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=other s3-get s3://bkt/small/one >got
assert_same_file one got
assert_status 77 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_PROFILE=missing s3-get s3://bkt/small/one 2>err
rm -r "$HOME/.aws"

t "keys with spaces, +, =, %, unicode"
keys=("with space" "plus+sign" "eq=ual" "per%25cent" "ünïcødé/ключ" "mixed +=%/ d")
for k in "${keys[@]}"; do
	echo "object $k" >want
	s3-put "s3://bkt/keys/$k" <want
	s3-get "s3://bkt/keys/$k" >got
	assert_same_file want got
done
aws_s3 s3 cp --no-progress --recursive s3://bkt/keys/ awskeys/ >/dev/null
for k in "${keys[@]}"; do
	assert_eq "object $k" "$(cat "awskeys/$k")" "awscli's copy of '$k'"
done
s3-get --list s3://bkt/keys/ >list
assert_eq 6 "$(wc -l <list)" "keys listed"
assert_contains list "keys/ünïcødé/ключ"
assert_contains list "keys/mixed +=%/ d"

t "exactly one part, one part and a byte, unknown size from a pipe"
gen_data part $((5 * MB))
s3-put --part-size 5M s3://bkt/parts/one <part
cat part one | s3-put --part-size 5M s3://bkt/parts/two
cat part one >want
s3-get s3://bkt/parts/one | cmp - part
s3-get s3://bkt/parts/two | cmp - want
assert_eq 1 "$(s3_logcount 'POST /bkt/parts/two[?]uploads=')" "multipart uploads started"
assert_eq 0 "$(s3_logcount 'POST /bkt/parts/one[?]uploads=')" "multipart for exactly one part"

t "a large object (multipart, 4 parts in flight), read back byte-identical, also by awscli"
gen_data big "$BIG"
s3-put s3://bkt/large/big.bin <big
s3-get -o got s3://bkt/large/big.bin
assert_same_file big got
aws_s3 s3 cp --no-progress s3://bkt/large/big.bin got.aws >/dev/null
assert_same_file big got.aws
rm -f got got.aws

t "awscli multipart upload read by s3-get"
head -c "$AWSBIG" big >awsbig
aws_s3 s3 cp --no-progress awsbig s3://bkt/aws/awsbig >/dev/null
s3_logged 'POST /bkt/aws/awsbig[?]uploads' || fail "awscli did not use multipart"
s3-get s3://bkt/aws/awsbig | cmp - awsbig
rm -f awsbig

t "content type guessed from the extension, or given"
s3-put s3://bkt/ct/page.html <one
s3-put s3://bkt/ct/data.ndjson <one
s3-put --content-type text/x-test s3://bkt/ct/data.csv <one
# s3rver answers unsigned HEADs: ask it directly what it stored.
assert_contains "$(curl -sI "$S3_DIRECT/bkt/ct/page.html")" "Content-Type: text/html; charset=utf-8"
assert_contains "$(curl -sI "$S3_DIRECT/bkt/ct/data.ndjson")" "Content-Type: application/x-ndjson"
assert_contains "$(curl -sI "$S3_DIRECT/bkt/ct/data.csv")" "Content-Type: text/x-test"

t "a store rooted on S3: keys relative to s3://bucket/prefix"
echo hi | STI_STORE=s3://bkt/root s3-put data/universe/2026-11-24.csv
aws_s3 s3 cp --no-progress s3://bkt/root/data/universe/2026-11-24.csv got >/dev/null
assert_eq hi "$(cat got)"
assert_eq data/universe/2026-11-24.csv "$(STI_STORE=s3://bkt/root/ s3-get --list data/)"
assert_eq hi "$(s3-get --store s3://bkt/root data/universe/2026-11-24.csv)"

t "list 2,500 keys across pages, plain and --long"
# Seeded in s3rver's own on-disk form (KEY._S3rver_object; it computes the MD5 when first asked):
# uploading 2,500 objects one by one would take most of this script's time.
mkdir -p many "$S3_DATA/bkt/many"
for i in $(seq -w 1 2500); do
	printf '%s' "$i" >"many/k$i.txt"
	printf '%s' "$i" >"$S3_DATA/bkt/many/k$i.txt._S3rver_object"
done
s3-get --list s3://bkt/many/ >list
assert_eq 2500 "$(wc -l <list)" "keys listed"
(cd many && printf 'many/%s\n' *) | LC_ALL=C sort | cmp - list
s3-get --list --long s3://bkt/many/k0042 >long
assert_eq 1 "$(wc -l <long)" "--long records"
"$S3_PY" -c 'import json,sys; r=json.loads(open("long").read()); assert r["key"]=="many/k0042.txt" and r["size"]==4 and len(r["etag"])==32 and r["last_modified"].startswith("20"), r'
assert_eq 3 "$(s3_logcount 'GET /bkt[?].*list-type=2&prefix=many%2F -> 200')" "list pages"

t "faults: a GET that breaks off mid-body resumes with a ranged GET"
s3_fault GET drop 2
s3-get -o got s3://bkt/large/big.bin
assert_same_file big got
s3_logged "GET /bkt/large/big.bin -> 206" || fail "no ranged GET"

t "parallel ranged GETs: an object above 2 parts is read as ranges, in order, to a file or a pipe"
s3_log >before.log
s3-get --part-size 5M --jobs 3 -o got s3://bkt/large/big.bin
assert_same_file big got
s3-get --part-size 5M s3://bkt/large/big.bin | cmp - big
s3_log >after.log
ranges=$(($(grep -c 'GET /bkt/large/big.bin -> 206' after.log) - $(grep -c 'GET /bkt/large/big.bin -> 206' before.log)))
[ "$ranges" -ge $((2 * BIG / (5 * MB))) ] || fail "only $ranges ranged GETs"
# A single-part object: its ETag is its MD5, checked over the ranges as they are written out.
head -c $((12 * MB)) big >mid
s3-put s3://bkt/ranged/mid <mid
s3-get --part-size 5M s3://bkt/ranged/mid | cmp - mid
assert_eq 3 "$(s3_logcount 'GET /bkt/ranged/mid -> 206')" "ranges of a 12 MiB object in 5 MiB parts"
s3-get --part-size 5M --jobs 1 s3://bkt/ranged/mid | cmp - mid
assert_eq 3 "$(s3_logcount 'GET /bkt/ranged/mid -> 206')" "ranged GETs with --jobs 1"
s3-get --part-size 6M s3://bkt/ranged/mid | cmp - mid
assert_eq 3 "$(s3_logcount 'GET /bkt/ranged/mid -> 206')" "ranged GETs of an object of exactly 2 parts"
rm -f got

t "parallel ranged GETs: a range that breaks off or fails is retried on its own"
# The first fault of each kind goes to the first GET, which the large size turns into ranged GETs.
s3_fault GET drop 3 match=ranged/mid
s3-get --part-size 5M -o got s3://bkt/ranged/mid
assert_same_file mid got
s3_logged 'GET /bkt/ranged/mid -> 206 fault: dropped' || fail "no range dropped"
s3_fault GET drop 1 match=ranged/mid
s3_fault GET 500 1 match=ranged/mid
s3_fault GET 503 1 match=ranged/mid
s3-get --part-size 5M s3://bkt/ranged/mid | cmp - mid
s3_logged 'GET /bkt/ranged/mid -> 500 fault' || fail "no range failed"
s3_fault GET corrupt 2 match=ranged/mid
assert_status 65 s3-get --part-size 5M -o damaged s3://bkt/ranged/mid 2>err
assert_contains err MD5
[ ! -e damaged ] || fail "a damaged download was kept"
rm -f got

t "parallel ranged GETs: the object replaced mid-download: exit 75, nothing at -o"
# The first range stalls; while it waits out --timeout the object is replaced, and its retry (If-Match
# the old ETag) is refused 412.
s3-put s3://bkt/ranged/moving <mid
s3_fault GET drop 1 match=ranged/moving
s3_fault GET stall 1 match=ranged/moving
s3-get --part-size 5M --jobs 2 --timeout 3 -o moved s3://bkt/ranged/moving 2>err &
pid=$!
for _ in $(seq 1 50); do s3_logged 'GET /bkt/ranged/moving -> stall' && break; sleep 0.1; done
head -c $((11 * MB)) big | s3-put s3://bkt/ranged/moving
st=0; wait $pid || st=$?
assert_eq 75 "$st" "exit status after the object changed"
assert_contains err "changed while it was read"
s3_logged 'GET /bkt/ranged/moving -> 412' || fail "no 412 for the old ETag"
[ ! -e moved ] || fail "a spliced download was kept"
[ -z "$(ls moved.tmp.* 2>/dev/null)" ] || fail "temporary left behind"
s3_faults_clear

t "faults: 500, 503 SlowDown and a reset are retried"
s3_fault GET 500 1; s3_fault GET 503 1; s3_fault GET reset 1
s3-get s3://bkt/small/small.csv | cmp - small.csv
s3_fault PUT 503 2
s3-put s3://bkt/retry/small.csv <small.csv
s3-get s3://bkt/retry/small.csv | cmp - small.csv

t "faults: a stalled server is abandoned after --timeout and retried"
s3_fault GET stall 1
start=$(date +%s)
s3-get --timeout 2 s3://bkt/small/small.csv | cmp - small.csv
[ $(($(date +%s) - start)) -lt 30 ] || fail "stall not cut short"

t "faults: retries used up: exit 75, the S3 code in the message, -o FILE untouched"
echo old >kept
s3_fault GET 503 10
assert_status 75 s3-get --retries 2 -o kept s3://bkt/small/small.csv 2>err
assert_contains err SlowDown
assert_eq old "$(cat kept)" "-o FILE after a failure"
[ -z "$(ls kept.tmp.* 2>/dev/null)" ] || fail "temporary left behind"
s3_faults_clear

t "faults: parts dropped mid-body and a failing Complete are retried; the object is whole"
s3_fault PUT drop 2 match=partNumber
s3_fault POST 500 1 match=uploadId=
head -c $((12 * MB)) big >mid
s3-put --part-size 5M s3://bkt/faulty/mid <mid
s3-get s3://bkt/faulty/mid | cmp - mid
assert_eq 0 "$(s3_uploads bkt)" "unfinished uploads"

t "faults: the answer to CompleteMultipartUpload is lost: the retry finds the object in place"
s3_fault POST lose 1 match=uploadId=
s3-put --part-size 5M s3://bkt/faulty/lost <mid 2>err
assert_contains err "answer to CompleteMultipartUpload was lost"
s3-get s3://bkt/faulty/lost | cmp - mid
s3_logged 'HEAD /bkt/faulty/lost -> 200' || fail "no HEAD after the lost answer"

t "faults: a part that keeps failing aborts the upload: no object, no parts, exit 75"
s3_fault PUT 500 100 match=partNumber
assert_status 75 s3-put --part-size 5M --retries 1 s3://bkt/faulty/never <mid 2>err
assert_contains err InternalError
s3_faults_clear
assert_status 66 s3-get s3://bkt/faulty/never 2>/dev/null
assert_eq 0 "$(s3_uploads bkt)" "unfinished uploads after abort"
s3_logged "DELETE /bkt/faulty/never[?]uploadId=.* -> 204 aborted" || fail "no AbortMultipartUpload"

t "faults: a part damaged on the way is refused by the checksum check, and sent again"
s3_fault PUT corrupt 1 match=partNumber
s3_fault PUT corrupt 1 match=single
s3-put --part-size 5M s3://bkt/faulty/damaged <mid
s3-get s3://bkt/faulty/damaged | cmp - mid
s3-put s3://bkt/faulty/single.csv <small.csv
s3-get s3://bkt/faulty/single.csv | cmp - small.csv
assert_eq 2 "$(s3_logcount '-> 400 XAmzContentSHA256Mismatch')" "damaged bodies refused"

t "faults: an object damaged on the way down fails its ETag check: exit 65, -o FILE not written"
s3_fault GET corrupt 1 match=small.csv
assert_status 65 s3-get -o damaged.csv s3://bkt/small/small.csv 2>err
assert_contains err MD5
[ ! -e damaged.csv ] || fail "a damaged download was kept"

t "SIGTERM during an upload aborts it: exit 75, no object, no parts"
fifo=$OUT/slow.fifo
mkfifo "$fifo"
s3-put --part-size 5M s3://bkt/faulty/interrupted <"$fifo" 2>err &
pid=$!
exec 7>"$fifo"
head -c $((11 * MB)) big >&7
for _ in $(seq 1 100); do s3_logged 'PUT /bkt/faulty/interrupted[?]partNumber=2.* -> 200' && break; sleep 0.1; done
kill -TERM $pid
sleep 0.5
exec 7>&- # should the signal be lost, end of input lets the upload finish and the checks below fail
st=0; wait $pid || st=$?
assert_eq 75 "$st" "exit status after SIGTERM"
assert_contains err interrupted
assert_eq 0 "$(s3_uploads bkt)" "unfinished uploads after SIGTERM"
assert_status 66 s3-get s3://bkt/faulty/interrupted 2>/dev/null

t "progress on stderr when it is a terminal"
script -qec "s3-put --part-size 5M s3://bkt/quiet/tty <mid; s3-get s3://bkt/quiet/tty >/dev/null" /dev/null >tty.out </dev/null
assert_contains tty.out "s3-put: 12.0 MiB of 12.0 MiB (100%)"
assert_contains tty.out "s3-get: 12.0 MiB of 12.0 MiB (100%)"

t "quiet on stderr when it is not a terminal"
s3-put s3://bkt/quiet/x <mid 2>err
s3-get s3://bkt/quiet/x 2>err >/dev/null
[ ! -s err ] || fail "stderr not empty: $(cat err)"

t "a bucket in another region: the first request learns it from S3, the rest go there"
# A second proxy on the same s3rver answers requests signed for any region but eu-west-1 as S3 does.
eu=$(free_port)
start_bg s3proxy_eu "$S3_PY" "$TOP/tests/s3proxy.py" --port "$eu" --upstream "${S3_DIRECT##*:}" --data "$S3_DATA" \
	--bucket-region eu-west-1
wait_port "$eu"
eulog() { curl -sf "http://127.0.0.1:$eu/__log"; }
s3-put --endpoint "http://127.0.0.1:$eu" --part-size 5M s3://bkt/region/mid <mid 2>err
assert_contains err "the bucket is in region eu-west-1, not us-east-1: using eu-west-1"
s3-get --endpoint "http://127.0.0.1:$eu" --part-size 5M -o got s3://bkt/region/mid 2>err
assert_same_file mid got
assert_contains err "region eu-west-1"
s3-get --endpoint "http://127.0.0.1:$eu" --list s3://bkt/region/ >list 2>err
assert_eq 1 "$(wc -l <list)" "keys listed"
l=$(eulog)
assert_eq 3 "$(grep -c ' -> 400 AuthorizationHeaderMalformed' <<<"$l")" "requests to the wrong region (one per run)"
assert_eq 0 "$(grep -vc -e ' -> 2' -e ' -> 400 AuthorizationHeaderMalformed' <<<"$l")" "other failed requests"
AWS_REGION=eu-west-1 s3-get --endpoint "http://127.0.0.1:$eu" s3://bkt/region/mid 2>err | cmp - mid
[ ! -s err ] || fail "stderr not empty with the right region: $(cat err)"
l=$(eulog)
assert_eq 3 "$(grep -c ' -> 400' <<<"$l")" "wrong-region answers after a run with the right region"

t "every request the tools sent had a valid signature"
s3_log >proxy.log
if grep -E ' -> 403 (SignatureDoesNotMatch|AccessDenied)' proxy.log | grep -vE 'secret|small/one'; then
	fail "unexpected signature failures"
fi
