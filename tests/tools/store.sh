# s3-put / s3-get on the local store: resolution of keys and paths, listing, atomic writes.
. "$TOP/tests/lib.sh"
unset STI_STORE

t "the default store is ./var/store"
printf 'date,id\n' | s3-put data/universe/2026-11-24.csv
[ -f var/store/data/universe/2026-11-24.csv ] || fail "not under ./var/store"
assert_eq "date,id" "$(s3-get data/universe/2026-11-24.csv)"

t "STI_STORE, then --store, name the root; file:// and paths are taken as they are"
mkdir -p elsewhere
echo one | STI_STORE=$OUT/st s3-put backtest/2026-11-24/metrics.json
[ -f st/backtest/2026-11-24/metrics.json ] || fail "STI_STORE not used"
echo two | STI_STORE=$OUT/st s3-put --store "file://$OUT/other" backtest/x.json
[ -f other/backtest/x.json ] || fail "--store not used"
echo three | s3-put "file://$OUT/elsewhere/f.txt"
echo four | s3-put ./elsewhere/g.txt
echo five | s3-put "$OUT/elsewhere/h.txt"
assert_eq "three four five" "$(cat elsewhere/f.txt elsewhere/g.txt elsewhere/h.txt | tr '\n' ' ' | sed 's/ $//')"
assert_eq one "$(STI_STORE=$OUT/st s3-get backtest/2026-11-24/metrics.json)"
assert_eq four "$(s3-get "file://$OUT/elsewhere/g.txt")"

t "list: store keys relative to the root, in byte order, temporaries hidden"
for k in trading/2026-11-24/orders.ndjson trading/2026-11-24/fills.ndjson trading/2026-11-25/orders.ndjson \
	dashboards/live/index.html; do echo "$k" | s3-put "$k"; done
touch var/store/trading/2026-11-24/orders.ndjson.tmp.AbC123
s3-get --list trading/ >got
printf '%s\n' trading/2026-11-24/fills.ndjson trading/2026-11-24/orders.ndjson trading/2026-11-25/orders.ndjson >want
assert_same_file want got
s3-get --list trading/2026-11-2 | cmp - want
assert_eq 5 "$(s3-get --list | wc -l)" "whole store listed"
s3-get --list --long dashboards/ >long
/usr/bin/python3 -c 'import json; r=json.loads(open("long").read()); assert r["type"]=="object" and r["key"]=="dashboards/live/index.html" and r["size"]==27 and r["last_modified"].endswith("Z"), r'
s3-get --list nothing/here >empty
[ ! -s empty ] || fail "listing of a missing prefix is not empty"

t "errors: a missing key (66), '..' in a key (64), bad usage (64), a key that is a directory"
assert_status 66 s3-get data/missing.csv 2>err
assert_contains err "No such file"
assert_status 64 s3-put data/../../escape <got 2>err
assert_contains err "'..'"
assert_status 64 s3-get 2>/dev/null
assert_status 64 s3-get --long data/x 2>/dev/null
assert_status 64 s3-get --list -o f 2>/dev/null
assert_status 64 s3-put --part-size 1K s3://b/k </dev/null 2>err
assert_contains err "part-size"
assert_status 64 s3-put --jobs 0 k </dev/null 2>/dev/null
assert_status 64 s3-put s3:///nobucket </dev/null 2>err
assert_contains err "no bucket"
assert_status 66 s3-get trading 2>err
[ "$(s3-put trading/ </dev/null 2>&1; echo $?)" != 0 ] || fail "a key ending in / was accepted"

t "a failed read leaves the old object in place and no temporary"
echo old | s3-put data/keep.csv
assert_status 74 s3-put data/keep.csv <"$OUT/var" 2>err
assert_eq old "$(s3-get data/keep.csv)"
! compgen -G "var/store/data/*.tmp.*" >/dev/null || fail "temporary left behind"

t "SIGTERM while s3-put reads into the local store: exit 75 (s3-put(1): interrupted), the old object kept, no temporary"
# s3-put(1) EXIT STATUS: 75 when the tool was interrupted; the S3 path already does this (s3.sh).
echo old | s3-put data/slow.csv
mkfifo slow.fifo
s3-put data/slow.csv <slow.fifo 2>err &
pid=$!
exec 7>slow.fifo
echo partial >&7
for _ in $(seq 1 100); do compgen -G "var/store/data/slow.csv.tmp.*" >/dev/null && break; sleep 0.05; done
sleep 0.2
kill -TERM $pid
sleep 0.2
exec 7>&- # end of input: a writer that ignored the signal would store the partial object (and exit 0)
st=0; wait $pid || st=$?
assert_eq 75 "$st" "exit status after SIGTERM"
assert_contains err interrupted
assert_eq old "$(s3-get data/slow.csv)"
! compgen -G "var/store/data/*.tmp.*" >/dev/null || fail "temporary left behind"

t "s3-get -o FILE writes atomically, and keeps the old file on failure"
echo old >out.txt
assert_status 66 s3-get -o out.txt data/missing.csv 2>/dev/null
assert_eq old "$(cat out.txt)"
s3-get -o out.txt data/keep.csv
assert_eq old "$(cat out.txt)"

t "concurrent writers to one key never tear it; readers see one whole version"
if sanitized; then n=4 rounds=5; else n=8 rounds=25; fi
letters=ABCDEFGH
for w in $(seq 1 $n); do head -c 300000 /dev/zero | tr '\0' "${letters:w-1:1}" >"v$w"; done
for w in $(seq 1 $n); do
	(for _ in $(seq 1 $rounds); do s3-put data/contended.bin <"v$w" || exit 1; done) &
done
reader_ok=1
uniform() { # file: 300000 copies of one byte
	local first
	first=$(head -c1 "$1")
	[ "$(wc -c <"$1")" = 300000 ] && [ "$(tr -d "$first" <"$1" | wc -c)" = 0 ]
}
for _ in $(seq 1 40); do
	if s3-get data/contended.bin >seen 2>/dev/null; then
		uniform seen || reader_ok=0
	fi
done
wait
[ $reader_ok = 1 ] || fail "a reader saw a torn file"
s3-get data/contended.bin >final
uniform final || fail "the final file is torn"
! compgen -G "var/store/data/*.tmp.*" >/dev/null || fail "temporaries left behind"
