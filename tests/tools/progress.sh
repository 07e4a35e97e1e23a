# Progress on long work, on a terminal only (issue 19): s3-put and s3-get of a large object draw one
# line redrawn with \r (bytes done, rate) under a pseudo-terminal (script(1) from util-linux), clear it
# at the end, and write nothing extra on standard error in a pipe or with -q. Expectations: the
# behaviour of progress lines in curl(1) and rsync --progress, which draw only on a terminal.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-s3.sh"
s3_start bkt
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
	# the last thing written is the blanking: carriage return, spaces, carriage return
	tail -c 2 "$f" | od -An -c | grep -q '\\r' || fail "$f: the line is not cleared at the end"
done
grep -q '24.0 MiB of 24.0 MiB (100%)' tty.get || fail "s3-get: no total: $(tr '\r' '\n' <tty.get | tail -3)"

t "on a terminal with -q: nothing"
script -qec "s3-get -q -o got2 s3://bkt/big2" /dev/null >tty.q
assert_eq 0 "$(wc -c <tty.q)" "bytes with -q"

t "a small object: no line"
printf x >one
script -qec "s3-put s3://bkt/one one; s3-get -o one.got s3://bkt/one" /dev/null >tty.small
assert_eq 0 "$(wc -c <tty.small)" "bytes for a small object"
