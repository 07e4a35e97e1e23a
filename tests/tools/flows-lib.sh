#!/usr/bin/env bash
# The flows' shared helpers (issue 19: "Flows read CSV columns by name ... the coverage rule becomes a
# function with its own test; run() streams a tool's stderr while it runs"): pipelines/csv.sh,
# pipelines/members.sh and run() of pipelines/lib.sh. The expectations are hand-computed from small inputs
# whose columns sit in another order than usual (sti-formats(5) promises the names, not the order), and from
# the daily flow's rule in sti.conf: COVERAGE_MIN is the share of the day's members with a bar that day.
. "$TOP/tests/lib.sh"
. "$TOP/pipelines/csv.sh"
. "$TOP/pipelines/members.sh"
cd "$OUT"

t "csv_select: columns by name, in the order asked, each file with its own header"
printf 'symbol,close,date,id\nAAA,10.5,2024-01-02,7\nBBB,20,2024-01-02,11\nAAA,10.75,2024-01-03,7\n' >a.csv
printf 'date,id,symbol,close\n2024-01-04,7,AAA,11\n' >b.csv
assert_eq "$(printf 'date,id\n2024-01-02,7\n2024-01-02,11\n2024-01-03,7\n2024-01-04,7')" "$(csv_select date,id a.csv b.csv)"
assert_eq "$(printf '11,2024-01-02\n')" "$(csv_select -H id,date <(head -n 3 a.csv) | tail -n 1)" "-H, a column asked twice in another order"
assert_eq "$(printf 'id,close\n7,10.5\n11,20')" "$(csv_select -w date=2024-01-02 id,close a.csv)" "-w"
assert_eq 7 "$(csv_select -H -w symbol=AAA id <a.csv | sort -u)" "standard input"
assert_eq "$(printf 'symbol,close,date,id\nBBB,20,2024-01-02,11')" "$(csv_select -w id=11 '*' a.csv)" "'*': whole rows"

t "csv_select: a missing column is an error (65) naming the file and the column, not a wrong column"
assert_status 65 csv_select date,weight a.csv
csv_select date,weight a.csv 2>err >/dev/null || true
assert_contains err "a.csv: no column 'weight'"
assert_status 65 csv_select -w weight=1 id a.csv

t "csv_last: the last row's column, by name; nothing for a header alone"
assert_eq 2024-01-03 "$(csv_last date a.csv)"
assert_eq 10.75 "$(csv_last close a.csv)"
printf 'id,date\n' >empty.csv
assert_eq "" "$(csv_last date empty.csv)"
assert_status 65 csv_last weight a.csv
assert_status 65 csv_last weight empty.csv

t "csv_set_date: the date column, wherever it is"
assert_eq "$(printf 'symbol,close,date,id\nAAA,10.5,2024-02-01,7\nBBB,20,2024-02-01,11')" \
	"$(csv_set_date <(head -n 3 a.csv) 2024-02-01)"

t "coverage: members (each id once) with a bar dated DATE, in thousandths rounded down"
# 3 members (7 twice in the snapshot counts once); bars: 7 and 11 on the day, 13 only the day before, and
# a bar of a non-member (99) that must not count.
printf 'symbol,id,date\nAAA,7,2024-01-03\nAAA,7,2024-01-03\nBBB,11,2024-01-03\nCCC,13,2024-01-03\n' >snap.csv
printf 'close,id,date\n1,13,2024-01-02\n1,7,2024-01-03\n1,11,2024-01-03\n1,99,2024-01-03\n' >bars.csv
assert_eq 666 "$(coverage snap.csv bars.csv 2024-01-03)" "2 of 3"
assert_eq "CCC(13)" "$(missing_members snap.csv bars.csv 2024-01-03)"
assert_eq 333 "$(coverage snap.csv bars.csv 2024-01-02)" "1 of 3"
assert_eq "$(printf 'AAA(7)\nBBB(11)')" "$(missing_members snap.csv bars.csv 2024-01-02)"
assert_eq 0 "$(coverage snap.csv bars.csv 2024-01-05)"
printf 'symbol,id,date\n' >none.csv
assert_eq 0 "$(coverage none.csv bars.csv 2024-01-03)" "no member"
assert_status 65 coverage snap.csv <(printf 'close,id\n1,7\n') 2024-01-03
# The rule: COVERAGE_MIN as thousandths; 0.95 of 20 members is 19 (950 >= 950), not 18.
assert_eq 950 "$(per_mille 0.95)"
assert_eq 1000 "$(per_mille 1)"
assert_eq 0 "$(per_mille 0)"
assert_eq 570 "$(per_mille .57)"
assert_status 65 per_mille 1.5
assert_status 65 per_mille abc

t "universe_from_file: the panel's order of ids (prices-merge(1): integers by value, then others by bytes)"
# A CSV of conIds: 9 < 10 < 100 by value (byte order would give 10, 100, 9), "007" and "7" two ids; a
# symbols-only file: ids are the symbols, by bytes; '#' and blank lines skipped; a symbol twice kept once.
printf 'symbol,id\nCCC,100\nAAA,10\nBBB,9\nDDD,7\nEEE,007\nAAA,10\n' >ufile.csv
assert_eq "$(printf 'date,id,symbol\n2024-01-03,007,EEE\n2024-01-03,7,DDD\n2024-01-03,9,BBB\n2024-01-03,10,AAA\n2024-01-03,100,CCC')" \
	"$(universe_from_file ufile.csv 2024-01-03)"
printf '# ours\nMSFT\n\nBRK.B\n  AAPL \nA\nMSFT\n' >ufile.txt
assert_eq "$(printf 'date,id,symbol\n2024-01-03,A,A\n2024-01-03,AAPL,AAPL\n2024-01-03,BRK.B,BRK.B\n2024-01-03,MSFT,MSFT')" \
	"$(universe_from_file ufile.txt 2024-01-03)"
# Both orders are the one the tools check: prices-merge takes each as sorted (it refuses an unsorted input).
printf 'symbol,id\nX1,12\nX2,9\nX3,AB\nX4,5A\n' >mixed.csv
universe_from_file mixed.csv 2024-01-03 >mixed.snap
prices-merge mixed.snap >/dev/null || fail "universe_from_file's order is not the panel's"
assert_eq "9 12 5A AB" "$(csv_select -H id mixed.snap | paste -sd' ')"
printf 'ticker,id\nAAA,1\n' >nosym.csv
assert_status 65 universe_from_file nosym.csv 2024-01-03

t "ib_members: id,symbol and primary_exchange when the universe has one"
assert_eq "$(printf 'id,symbol\n7,AAA\n7,AAA\n11,BBB\n13,CCC')" "$(ib_members snap.csv)"
printf 'date,id,primary_exchange,symbol\n2024-01-03,7,NYSE,AAA\n' >pe.csv
assert_eq "$(printf 'id,symbol,primary_exchange\n7,AAA,NYSE')" "$(ib_members pe.csv)"

t "run(): the tool's stderr reaches the flow's stderr while it runs, and the run log keeps it"
mkdir -p state store
cat >flow <<'EOF'
#!/usr/bin/env bash
. "$TOP/pipelines/lib.sh"
rc=0
run bash -c 'echo "first line"; echo "progress 1/2" >&2; while [ ! -e go ]; do sleep 0.05; done
	echo "progress 2/2" >&2; echo "STI_PROGRESS=$STI_PROGRESS" >&2; exit 3' >out.txt || rc=$?
echo "rc=$rc" >rc.txt
cp "$RUN_LOG" run.log
cp "$WORK/stderr" stderr.txt
EOF
chmod +x flow
export STI_STORE=$OUT/store STI_STATE=$OUT/state STI_NO_FAILURE_ALERT=1
./flow 2>flow.err &
pid=$!
# The command still runs (it waits for 'go'): its first line must already be on the flow's stderr.
wait_for 30 grep -q "progress 1/2" flow.err || { touch go; wait $pid; fail "the step's stderr was not shown while it ran"; }
kill -0 $pid || fail "the flow ended before its step was released"
touch go
wait $pid
assert_eq rc=3 "$(cat rc.txt)" "the step's exit status"
assert_eq "first line" "$(cat out.txt)" "the step's stdout"
assert_contains flow.err "progress 2/2"
assert_contains run.log "progress 1/2"
assert_contains run.log "progress 2/2"
assert_contains stderr.txt "progress 2/2"
assert_contains flow.err "STI_PROGRESS=0"

t "run() on a terminal: STI_PROGRESS=1, and a tool (market-gen) draws its progress through the pipe"
rm -f go
touch go
cat >flow2 <<'EOF'
#!/usr/bin/env bash
. "$TOP/pipelines/lib.sh"
run bash -c 'echo "STI_PROGRESS=$STI_PROGRESS" >&2'
run market-gen --seed 1 --securities 3 --days 300 -o m.csv
EOF
chmod +x flow2
# script(1) gives the flow a terminal; the tools under run() only see tee's pipe.
TERM=dumb script -qec ./flow2 /dev/null >tty.out </dev/null
assert_contains tty.out "STI_PROGRESS=1"
assert_contains tty.out "market-gen: 300 of 300 days (100%)"
# Not on a terminal: no progress line.
./flow2 2>notty.err
assert_contains notty.err "STI_PROGRESS=0"
! grep -q "days" notty.err || fail "progress drawn into a file"
