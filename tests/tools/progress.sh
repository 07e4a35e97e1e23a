# Progress on long work, on a terminal only (issue 19): s3-put and s3-get of a large object, market-gen's
# days and backtest --grid's points draw one line (lib/progress) redrawn with \r under a pseudo-terminal
# (script(1) from util-linux), clear it at the end, and write nothing extra on standard error in a pipe or
# with -q. Expectations: the behaviour of progress lines in curl(1) and rsync --progress, which draw only
# on a terminal.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-s3.sh"
s3_start bkt
# cleared: the last thing written is carriage return, spaces, carriage return
cleared() { tail -c 2 "$1" | od -An -c | grep -q '\\r' || fail "$1: the line is not cleared at the end"; }
gen_data big $((24 * 1048576))

t "in a pipe: nothing on standard error"
s3-put --part-size 5M s3://bkt/big big 2>err.put | cat
s3-get s3://bkt/big 2>err.get | cmp - big
assert_eq "" "$(cat err.put err.get)" "stderr in a pipe"

t "on a terminal: a progress line, redrawn with \\r and cleared at the end"
# script runs the command on a pseudo-terminal: its stderr is a tty; the session's bytes come back here
script -qec "s3-put --part-size 5M s3://bkt/big2 big" /dev/null >tty.put
script -qec "s3-get -o got s3://bkt/big2" /dev/null >tty.get
cmp got big
for f in tty.put tty.get; do
	grep -q 'MiB' "$f" || fail "$f: no progress line: $(od -c "$f" | head -5)"
	grep -q $'\r' "$f" || fail "$f: no carriage return"
	cleared "$f"
done
grep -q '24.0 MiB of 24.0 MiB (100%)' tty.get || fail "s3-get: no total: $(tr '\r' '\n' <tty.get | tail -3)"

t "on a terminal with -q: nothing"
script -qec "s3-get -q -o got2 s3://bkt/big2" /dev/null >tty.q
assert_eq 0 "$(wc -c <tty.q)" "bytes with -q"

t "a small object: no line"
printf x >one
script -qec "s3-put s3://bkt/one one; s3-get -o one.got s3://bkt/one" /dev/null >tty.small
assert_eq 0 "$(wc -c <tty.small)" "bytes for a small object"

t "market-gen: the days done of the total on a terminal (lib/progress: no newline left behind), nothing in a pipe"
market-gen --seed 2 --securities 100 --days 2000 -o mg-pipe.csv 2>err.mg
assert_eq "" "$(cat err.mg)" "market-gen's stderr in a pipe"
script -qec "market-gen --seed 2 --securities 100 --days 2000 -o mg-tty.csv" /dev/null >tty.mg
cmp mg-pipe.csv mg-tty.csv || fail "market-gen writes other prices on a terminal"
grep -qa 'market-gen: 2000 of 2000 days (100%)' tty.mg || fail "market-gen: no total: $(tr '\r' '\n' <tty.mg | tail -3)"
cleared tty.mg
assert_eq 0 "$(tr -cd '\n' <tty.mg | wc -c)" "newlines market-gen leaves on the terminal"

t "backtest --grid: the points done of the total, from the grid's threads, nothing in a pipe"
{ echo lookback,skip; for l in 20 60 120 250; do for k in 0 5 22; do echo "$l,$k"; done; done; } >grid.csv
backtest --grid grid.csv --prices mg-pipe.csv --jobs 2 -o grid-pipe.csv 2>err.grid
assert_eq "" "$(cat err.grid)" "backtest --grid's stderr in a pipe"
script -qec "backtest --grid grid.csv --prices mg-pipe.csv --jobs 2 -o grid-tty.csv" /dev/null >tty.grid
assert_same_file grid-pipe.csv grid-tty.csv
grep -qa 'backtest: 12 of 12 points (100%)' tty.grid || fail "backtest --grid: no total: $(tr '\r' '\n' <tty.grid | tail -3)"
cleared tty.grid
script -qec "backtest -q --grid grid.csv --prices mg-pipe.csv -o grid-q.csv" /dev/null >tty.gq
assert_eq 0 "$(wc -c <tty.gq)" "bytes with -q"
