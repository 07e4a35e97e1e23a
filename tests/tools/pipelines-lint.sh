# The flows are shellcheck clean, answer --help, and the systemd units pass systemd-analyze verify.
. "$TOP/tests/lib.sh"

t "shellcheck on every pipeline"
shellcheck -x -P "$TOP" "$TOP"/pipelines/* "$TOP"/build-aux/install-deps "$TOP"/tests/run-tools

t "each flow answers --help without side effects"
for f in first-time daily mock-trading sweep; do
	STI_STORE=$OUT/store STI_STATE=$OUT/state "$TOP/pipelines/$f" --help >"$OUT/$f.help"
	grep -q "^$f" "$OUT/$f.help" || fail "$f --help does not start with its synopsis"
done
[ ! -e "$OUT/store" ] || fail "--help wrote to the store"

t "an unknown argument is refused"
assert_status 1 env STI_STORE="$OUT/store" STI_STATE="$OUT/state" STI_NO_FAILURE_ALERT=1 "$TOP/pipelines/daily" --bogus

t "a holiday is skipped quietly"
STI_STORE=$OUT/store STI_STATE=$OUT/state "$TOP/pipelines/daily" --date 2025-12-25 2>"$OUT/holiday.err"
assert_contains "$OUT/holiday.err" "the NYSE is closed"
[ ! -e "$OUT/store" ] || fail "a holiday run wrote to the store"

t "systemd units verify (paths pointed at this checkout)"
mkdir -p "$OUT/units"
for u in "$TOP"/etc/systemd/*; do
	sed "s#/usr/local/share/sti/pipelines/#$TOP/pipelines/#" "$u" >"$OUT/units/$(basename "$u")"
done
(cd "$OUT/units" && systemd-analyze verify --man=no ./*.service ./*.timer)
grep -q '^OnCalendar=Mon..Fri \*-\*-\* 22:15:00 Europe/Paris$' "$TOP/etc/systemd/sti-daily.timer" ||
	fail "the daily timer is not Mon-Fri 22:15 Europe/Paris"
grep -q '^Persistent=true$' "$TOP/etc/systemd/sti-daily.timer" || fail "the daily timer is not persistent"
