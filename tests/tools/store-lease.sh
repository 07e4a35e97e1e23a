# store-lease: leases in the store (locks/NAME), local and on S3 behind tests/s3proxy.py.
# Expectations come from the contract in lib/lease.h and ARCHITECTURE.md ("The store": a lease is created
# only if absent, S3 If-None-Match: *, local O_EXCL, owner/host/expiry inside) and from S3's documented
# conditional requests (User Guide, "conditional writes" and "conditional deletes": 412 PreconditionFailed
# when If-None-Match: * meets an existing key or If-Match an ETag that is not the object's). s3rver ignores
# those headers; tests/s3proxy.py emulates them, and the first S3 check below proves it does.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-s3.sh"
s3_start bkt

# concurrent STORE NAME N [TTL]: N acquires started together; prints how many got the lease (exit 0),
# then how many were refused with 75; any other status fails.
concurrent() {
	local store=$1 name=$2 n=$3 ttl=${4:-60} i won=0 held=0 st
	rm -f st.*
	for i in $(seq 1 "$n"); do
		(st=0; store-lease -q --store "$store" acquire --ttl "$ttl" --owner "c$i" "$name" >"out.$i" 2>"err.$i" || st=$?
			echo "$st" >"st.$i") &
	done
	wait
	for i in $(seq 1 "$n"); do
		st=$(cat "st.$i")
		case $st in
		0) won=$((won + 1)) ;;
		75) held=$((held + 1)); grep -q "held by c[0-9]* (pid [0-9]* on " "err.$i" || fail "err.$i: $(cat "err.$i")" ;;
		*) fail "acquire $i: exit $st: $(cat "err.$i")" ;;
		esac
	done
	echo "$won $held"
}

for store in "$OUT/st" s3://bkt/root; do
	t "$store: acquire writes owner, host, pid, acquired, expires, ttl and a token; a second acquire is 75"
	store-lease --store "$store" acquire --ttl 60 --owner daily --pid 4242 pipeline >lease.json
	jq -e --arg h "$(hostname)" '.type == "lease" and .name == "pipeline" and .owner == "daily" and .pid == 4242 and
		.host == $h and (.token | test("^[0-9a-f]{32}$")) and .ttl == 60 and
		((.expires | fromdate) - (.acquired | fromdate)) as $d | $d == 60 or $d == 61' lease.json >/dev/null || fail "record: $(cat lease.json)"
	tok=$(jq -r .token lease.json)
	assert_status 75 store-lease --store "$store" acquire pipeline 2>err
	assert_contains err "locks/pipeline: held by daily (pid 4242 on $(hostname)) since "
	assert_contains err "until $(jq -r .expires lease.json)"
	store-lease --store "$store" show pipeline | jq -e --arg t "$tok" '.token == $t' >/dev/null || fail show

	t "$store: release with another token is refused (69) and leaves the lease; with ours it deletes it"
	assert_status 69 store-lease --store "$store" release --token 0123456789abcdef0123456789abcdef pipeline 2>err
	assert_contains err "no longer ours: held by daily"
	store-lease --store "$store" show pipeline >/dev/null
	store-lease --store "$store" release --token "$tok" pipeline
	assert_status 66 store-lease --store "$store" show pipeline 2>/dev/null
	store-lease --store "$store" release --token "$tok" pipeline # already gone: 0

	t "$store: renew pushes the expiry of our lease only"
	store-lease --store "$store" acquire --ttl 5 renewed >lease.json
	tok=$(jq -r .token lease.json)
	store-lease --store "$store" renew --token "$tok" --ttl 600 renewed >renewed.json
	jq -e --arg t "$tok" '.token == $t and .ttl == 600' renewed.json >/dev/null || fail "renew: $(cat renewed.json)"
	assert_status 69 store-lease --store "$store" renew --token 0123456789abcdef0123456789abcdef renewed 2>/dev/null
	store-lease --store "$store" release --token "$tok" renewed

	t "$store: an expired lease is taken over, and its old holder can no longer release it"
	store-lease --store "$store" acquire --ttl 1 --owner dead stale >old.json
	sleep 2.1
	store-lease --store "$store" acquire --ttl 60 --owner alive stale >new.json 2>err
	assert_contains err "the lease of dead"
	assert_status 69 store-lease --store "$store" release --token "$(jq -r .token old.json)" stale 2>/dev/null
	store-lease --store "$store" show stale | jq -e '.owner == "alive"' >/dev/null || fail "the taker's lease is gone"

	t "$store: 8 acquires at once: exactly one holds the lease, 7 are refused with 75"
	assert_eq "1 7" "$(concurrent "$store" race 8)" "won, held"

	t "$store: 8 takers of one expired lease at once: exactly one wins"
	store-lease -q --store "$store" acquire --ttl 1 --owner dead expired >/dev/null
	sleep 2.1
	assert_eq "1 7" "$(concurrent "$store" expired 8)" "won, held"

	t "$store: 4 processes acquiring, working, releasing or crashing for 8 s: never two holders at once"
	# The invariant of lease.h over a sequence, through the tool: each holder notes when it held the lease
	# (it works 0-50 ms of a 3 s TTL, ample even for sanitized builds); one time in 25 it "crashes" and the next must wait out the expiry.
	rm -f spans.*
	pids=()
	for w in 1 2 3 4; do
		(end=$(($(date +%s) + 8))
		while [ "$(date +%s)" -lt "$end" ]; do
			out=$(store-lease -q --store "$store" acquire --ttl 3 inv 2>/dev/null) || { sleep 0.0$((RANDOM % 9 + 1)); continue; }
			from=$(date +%s%N); sleep "0.0$((RANDOM % 5))"; echo "$from $(date +%s%N) $w" >>"spans.$w"
			[ $((RANDOM % 25)) = 0 ] || store-lease -q --store "$store" release --token "$(jq -r .token <<<"$out")" inv ||
				{ echo "release by $w failed" >>spans.err; }
		done) &
		pids+=($!)
	done
	wait "${pids[@]}" # not a bare wait: the S3 servers are children too
	[ ! -e spans.err ] || fail "$(cat spans.err)"
	sort -n spans.* | awk '{ if (NR > 1 && $1 < to) { print "overlap: " prev " / " $0; bad = 1 } to = $2; prev = $0 }
		END { exit bad }' >overlaps || fail "two holders at once: $(head -n 3 overlaps)"
	n=$(cat spans.* | wc -l)
	echo "$store: $n acquisitions, no overlap"
	[ "$n" -ge 3 ] || fail "only $n acquisitions"

	t "$store: names are store keys: '..', '.', empty segments, a leading '/', backslashes refused with 64"
	for bad in ../x a/../b . a//b /abs 'a\b' '' "$(printf 'a\tb')"; do
		assert_status 64 store-lease --store "$store" acquire "$bad" 2>/dev/null
	done
	store-lease -q --store "$store" acquire mock/pipeline >/dev/null # a name with segments is fine
done

t "local: the lease file is complete when it appears, and no temporaries are left"
jq -e . "$OUT/st/locks/pipeline" >/dev/null 2>&1 || store-lease --store "$OUT/st" acquire pipeline >/dev/null
ls -a "$OUT/st/locks" >names
! grep -q '\.tmp\.' names || fail "temporaries left: $(cat names)"

t "S3: the proxy emulates conditional requests: the creates above met 412, takeovers used If-Match"
s3_logged 'PUT /bkt/root/locks/race -> 412 PreconditionFailed' || fail "no 412 for If-None-Match: *"
s3_logged 'DELETE /bkt/root/locks/pipeline -> 204' || fail "no conditional DELETE"
# the emulation itself, with curl's own SigV4 sending the headers (awscli 1.x has no --if-none-match)
echo x >x
curl -sf -o /dev/null "$S3_DIRECT/bkt/root/locks/race" || fail "the lease is not in s3rver"
s3curl() { curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER \
	-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@"; }
assert_eq 412 "$(s3curl -X PUT -H 'If-None-Match: *' --data-binary @x "$S3_ENDPOINT/bkt/root/locks/race")" \
	"If-None-Match: * on an existing key"
assert_eq 200 "$(s3curl -X PUT -H 'If-None-Match: *' --data-binary @x "$S3_ENDPOINT/bkt/root/locks/fresh")" \
	"If-None-Match: * on a new key"
assert_eq 412 "$(s3curl -X PUT -H 'If-Match: "0123"' --data-binary @x "$S3_ENDPOINT/bkt/root/locks/fresh")" \
	"If-Match: another ETag"
assert_eq 412 "$(s3curl -X DELETE -H 'If-Match: "0123"' "$S3_ENDPOINT/bkt/root/locks/fresh")" "DELETE If-Match: another ETag"
assert_eq 404 "$(s3curl -X DELETE -H 'If-Match: "0123"' "$S3_ENDPOINT/bkt/root/locks/none")" "DELETE If-Match: no key"
etag=$(curl -sI "$S3_DIRECT/bkt/root/locks/fresh" | tr -d '\r' | sed -n 's/^ETag: //Ip')
assert_eq 204 "$(s3curl -X DELETE -H "If-Match: $etag" "$S3_ENDPOINT/bkt/root/locks/fresh")" "DELETE If-Match: its ETag"
