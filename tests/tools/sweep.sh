#!/usr/bin/env bash
# pipelines/sweep end to end on a store of a generated market: the local grid engine, GNU parallel over
# an sshloginfile (":" is this machine), and a real single-node Slurm cluster on localhost (tests/
# lib-slurm.sh: munged, slurmctld and slurmd started here; sbatch, squeue and scontrol used as a user
# would). Each way must store the same table, byte for byte, as one `backtest --grid` over the same grid
# (whose own agreement with weights | backtest per point is tests/tools/backtest-grid.sh's), and the daily
# returns of every point. When Slurm cannot run on this machine the Slurm part says why and is skipped.
. "$TOP/tests/lib.sh"
. "$TOP/pipelines/csv.sh"
. "$TOP/tests/lib-slurm.sh"

export STI_STORE=$OUT/store STI_STATE=$OUT/state STI_LOG_FORMAT=text STI_NO_FAILURE_ALERT=1
flows=$TOP/pipelines
date=2024-06-28
mkdir -p "$STI_STORE/data" "$STI_STORE/backtest/$date" "$STI_STATE"
market-gen --seed 5 --securities 80 --days 500 --universe-size 50 -o prices.csv \
	--universe-out universe.csv
# The panel as the store keeps it, one partition a year (sti-store(7)).
panel_split prices.csv "$STI_STORE/data/prices" >/dev/null
panel_split universe.csv "$STI_STORE/data/universe" >/dev/null
sed 's/^rebalance_every = .*/rebalance_every = 10/' "$TOP/etc/strategy.conf" >"$STI_STORE/backtest/$date/strategy.conf"
lookbacks="63 126" skips="0 5 22"

# The table one backtest --grid gives for this grid: what every way of running the sweep must store.
{
	echo lookback,skip
	for l in $lookbacks; do for s in $skips; do echo "$l,$s"; done; done
} >grid.csv
backtest --grid grid.csv --config "$STI_STORE/backtest/$date/strategy.conf" --prices prices.csv \
	--universe universe.csv -o want.csv --grid-equity want-equity.csv
[ "$(wc -l <want.csv)" = 7 ] || fail "the reference table has $(wc -l <want.csv) lines"

# last_run: the sweep prefix the newest run stored.
last_run() { find "$STI_STORE/sweep" -mindepth 1 -maxdepth 1 -type d -newer "$1" | head -1; }

t "local: the grid engine in one process"
touch mark-1
"$flows/sweep" --lookbacks "$lookbacks" --skips "$skips" 2>sweep-local.log || { tail sweep-local.log; fail sweep; }
assert_same_file want.csv "$STI_STORE/backtest/$date/sweep.csv"
run=$(last_run mark-1)
assert_same_file want-equity.csv "$run/equity.csv"
assert_contains sweep-local.log "best lookback="
# pipelines/dashboards gives the newest sweep's table and points' returns to the backtest page's explorer
"$flows/dashboards" 2>dashboards.log || { tail dashboards.log; fail dashboards; }
assert_contains "$STI_STORE/dashboards/backtest/index.html" '"trials":6,'

t "progress: the grid's points on a terminal (run() passes it on), nothing in a pipe"
# as tests/tools/progress.sh: script(1) gives the flow a pseudo-terminal for its standard error
if grep -q $'\r' sweep-local.log || grep -q 'points (' sweep-local.log; then
	fail "a progress line in a pipe: $(grep -a 'points' sweep-local.log | head -3)"
fi
script -qec "$(printf '%q ' "$flows/sweep" --lookbacks "$lookbacks" --skips "$skips")" /dev/null >tty.sweep ||
	{ tail tty.sweep; fail "sweep on a terminal"; }
grep -qa 'backtest: 6 of 6 points (100%)' tty.sweep || fail "no progress of the points: $(tr '\r' '\n' <tty.sweep | tail -5)"

t "an s3:// store is required to spread a sweep over machines"
echo : >machines
assert_status 1 "$flows/sweep" --sshloginfile machines 2>refused.log
assert_contains refused.log "need an s3:// store"

t "GNU parallel over an sshloginfile (':' = this machine), 4 slices of the rows"
sleep 1
touch mark-2
SWEEP_SHARED_STORE=1 "$flows/sweep" --lookbacks "$lookbacks" --skips "$skips" --sshloginfile machines --slices 4 \
	2>sweep-ssh.log || { tail sweep-ssh.log; fail "sweep --sshloginfile"; }
assert_same_file want.csv "$STI_STORE/backtest/$date/sweep.csv"
run=$(last_run mark-2)
for k in 0 1 2 3; do [ -s "$run/slice-$k.csv" ] || fail "no slice $k in $run"; done
assert_same_file want-equity.csv "$run/equity.csv"

t "Slurm: a job array of 3 slices and a collector that depends on it (afterok)"
why=$(slurm_why_not)
if [ -n "$why" ]; then
	echo "SKIP the Slurm part: $why"
	exit 0
fi
slurm_start
sinfo
rm -f "$STI_STORE/backtest/$date/sweep.csv"
sleep 1
touch mark-3
mkdir -p slurm-logs
ids=$(SWEEP_SHARED_STORE=1 SWEEP_SLURM_LOGS=$OUT/slurm-logs "$flows/sweep" --lookbacks "$lookbacks" \
	--skips "$skips" --slurm --slices 3 2>sweep-slurm.log) || { tail sweep-slurm.log; fail "sweep --slurm"; }
read -r array collector <<<"$ids"
echo "array $array, collector $collector"
scontrol show job "$collector" | grep -q "Dependency=afterok:${array}" ||
	{ scontrol show job "$collector"; fail "the collector does not depend on the array (afterok)"; }
state=$(slurm_wait "$collector" 180)
squeue -a
for k in 0 1 2; do
	s=$(scontrol show job "${array}_$k" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
	assert_eq COMPLETED "$s" "array task $k"
done
[ "$state" = COMPLETED ] || { cat slurm-logs/*; fail "the collector ended $state"; }
assert_same_file want.csv "$STI_STORE/backtest/$date/sweep.csv"
run=$(last_run mark-3)
for k in 0 1 2; do [ -s "$run/slice-$k.csv" ] || fail "no slice $k in $run"; done
assert_same_file want-equity.csv "$run/equity.csv"

t "Slurm: a failing task leaves the collector unrun (afterok), and --wait says so"
mv "$STI_STORE/data/universe" universe.saved
on_exit "mv '$OUT/universe.saved' '$STI_STORE/data/universe' 2>/dev/null"
assert_status 1 env SWEEP_SHARED_STORE=1 SWEEP_SLURM_LOGS="$OUT/slurm-logs" "$flows/sweep" --lookbacks "63" \
	--skips "0" --slurm --slices 2 --wait 2>sweep-fail.log
assert_contains sweep-fail.log "the collector job"
