# s3-put --abort-incomplete AGE (issue 14 item 9): killed uploads leave multipart parts on S3 and
# temporaries in a local store that nothing removed. The clean-up lists the uploads in progress
# (ListMultipartUploads), aborts those older than AGE (AbortMultipartUpload: S3 deletes their parts) and
# removes local writers' temporaries older than AGE; younger ones may be a writer at work and stay.
# Expectations: the S3 API reference for ListMultipartUploads / AbortMultipartUpload, s3-put(1), sti-store(7).
# s3rver implements neither call; tests/s3proxy.py does, over s3rver's upload directories.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-s3.sh"
s3_start bkt
MB=1048576
gen_data big $((12 * MB))

# killed_upload KEY: an s3-put killed with SIGKILL after its two full parts are stored, while it waits for
# more input: the upload stays, and no part is still on its way (a part in flight when the upload is
# aborted may still land, as the AbortMultipartUpload reference warns, and make the count below racy).
killed_upload() {
	local fifo pid
	fifo=$OUT/fifo.$RANDOM
	mkfifo "$fifo"
	s3-put --part-size 5M "s3://bkt/$1" <"$fifo" 2>/dev/null &
	pid=$!
	exec 7>"$fifo"
	head -c $((11 * MB)) big >&7
	for _ in $(seq 1 300); do
		[ "$(s3_logcount "PUT /bkt/$1[?]partNumber=[12]&.* -> 200")" = 2 ] && break
		sleep 0.05
	done
	kill -KILL $pid
	wait $pid 2>/dev/null || true
	exec 7>&-
	rm -f "$fifo"
}

t "uploads killed with SIGKILL leave their parts behind"
killed_upload old/a.bin
killed_upload old/b.bin
killed_upload young/c.bin
assert_eq 3 "$(s3_uploads bkt)" "uploads left by killed writers"

t "--abort-incomplete 1d aborts the uploads started more than a day ago, and only those"
for d in "$S3_DATA"/bkt/._S3rver_uploads/*; do
	case $(cat "$d/key") in old/*) touch -d '2 days ago' "$d/key" ;; esac
done
s3-put --abort-incomplete 1d s3://bkt/ >aborted.ndjson
assert_eq 2 "$(jq -s '[.[] | select(.type == "aborted_upload")] | length' aborted.ndjson)" "aborted"
jq -s -e 'map(.key) | sort == ["old/a.bin", "old/b.bin"]' aborted.ndjson >/dev/null || fail "aborted: $(cat aborted.ndjson)"
assert_eq 1 "$(s3_uploads bkt)" "uploads left"
s3_logged 'GET /bkt[?]prefix=&uploads= -> 200 ListMultipartUploads' || fail "no ListMultipartUploads"
assert_eq 2 "$(s3_logcount 'DELETE /bkt/old/.*[?]uploadId=.* -> 204 aborted')" "AbortMultipartUpload requests"

t "a prefix limits the clean-up; 0 aborts everything; a store root works too"
sleep 1 # Initiated has whole seconds: the young upload is now more than 0 s old
s3-put --abort-incomplete 0 s3://bkt/old/ >none.ndjson
[ ! -s none.ndjson ] || fail "aborted outside the prefix: $(cat none.ndjson)"
assert_eq 1 "$(s3_uploads bkt)" "uploads left"
s3-put --store s3://bkt --abort-incomplete 0s young/ >young.ndjson
jq -e '.key == "young/c.bin" and .type == "aborted_upload" and (.upload_id | length) > 0' young.ndjson >/dev/null ||
	fail "young: $(cat young.ndjson)"
assert_eq 0 "$(s3_uploads bkt)" "uploads left"

t "bad ages are refused with 64"
for age in '' x 1w -1 1dd 99999999999d; do
	assert_status 64 s3-put --abort-incomplete "$age" s3://bkt/ 2>/dev/null
done

t "local store: temporaries of killed writers older than AGE are removed, younger ones and keys stay"
export STI_STORE=$OUT/store
echo keep | s3-put data/keep.csv
fifo=$OUT/lfifo
mkfifo "$fifo"
s3-put data/killed.csv <"$fifo" 2>/dev/null &
pid=$!
exec 7>"$fifo"
echo partial >&7
for _ in $(seq 1 100); do compgen -G "store/data/killed.csv.tmp.*" >/dev/null && break; sleep 0.05; done
kill -KILL $pid; wait $pid 2>/dev/null || true
exec 7>&-
old=$(compgen -G "store/data/killed.csv.tmp.*") || fail "no temporary left by the killed writer"
touch -d '3 days ago' "$old"
echo young >store/data/young.csv.tmp.AbCdEf
mkdir -p store/locks && echo x >store/locks/pipeline.tmp.ZyXwVu && touch -d '3 days ago' store/locks/pipeline.tmp.ZyXwVu
s3-put --abort-incomplete 2d >removed.ndjson
assert_eq 2 "$(jq -s '[.[] | select(.type == "removed_temporary")] | length' removed.ndjson)" "removed"
[ ! -e "$old" ] && [ ! -e store/locks/pipeline.tmp.ZyXwVu ] || fail "old temporaries remain"
[ -e store/data/young.csv.tmp.AbCdEf ] || fail "a young temporary was removed"
assert_eq keep "$(s3-get data/keep.csv)"
