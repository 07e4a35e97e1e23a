# tests/lint-conflicts (run by `make lint-man`) refuses the conflict markers git writes on a merge conflict
# (git-merge(1), "HOW CONFLICTS ARE PRESENTED": <<<<<<< ours, =======, >>>>>>> theirs), which once landed in
# backtest(1) unnoticed by mandoc.
. "$TOP/tests/lib.sh"

t "this checkout has no conflict marker"
"$TOP/tests/lint-conflicts" "$TOP"

t "a marked file under man/ is refused, with its file and line"
repo=$OUT/repo
mkdir -p "$repo/man" "$repo/lib" "$repo/docs"
git -C "$repo" init -q
printf '.Sh EXIT STATUS\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> main\n' >"$repo/man/x.1"
printf 'int x;\n' >"$repo/lib/x.c"
git -C "$repo" add man lib
assert_status 1 "$TOP/tests/lint-conflicts" "$repo" 2>"$OUT/err"
assert_contains "$OUT/err" "man/x.1:2:<<<<<<< HEAD"
assert_contains "$OUT/err" "man/x.1:4:======="
assert_contains "$OUT/err" "man/x.1:6:>>>>>>> main"

t "a resolved file passes; look-alikes (eight '=', a marker not at the line start) are not markers"
printf '.Sh EXIT STATUS\nours and theirs\n========\n x <<<<<<< y\n' >"$repo/man/x.1"
git -C "$repo" add man
"$TOP/tests/lint-conflicts" "$repo"

t "a file outside the checked folders, or an untracked one, is not looked at"
printf '<<<<<<< HEAD\n' >"$repo/docs/notes.md"
printf '<<<<<<< HEAD\n' >"$repo/lib/untracked.c"
git -C "$repo" add docs
"$TOP/tests/lint-conflicts" "$repo"
