#!/usr/bin/env bash
# backtest --grid against the per-point runs it replaces: for every point of grids varying each
# configuration key a grid may vary, every metric of the grid's row must be bit for bit metrics.json's
# "strategy" value from `weights --config P | backtest --config P` with the point's settings (the issue's
# contract: the grid is that pipe, run once per point), and --grid-equity's net returns the equity CSV's.
# On a generated market with delistings, gaps and missing returns, with and without a universe, with the
# default look-ahead and a short one (so that drops out of the window happen).
. "$TOP/tests/lib.sh"

secs=100 days=700
if sanitized; then secs=60 days=450; fi
market-gen --seed 11 --securities $secs --days $days --universe-size 50 -o prices.csv --universe-out universe.csv

cat >base.conf <<'EOF'
lookback = 60
skip = 5
max_gap = 3
cost_bps = 10
EOF
cat >grid.csv <<'EOF'
lookback,skip,select,winsor,mode,weighting,vol_window,max_weight,rebalance,rebalance_every,lag,cost_bps
60,5,90,"2,98",long_only,equal,63,1,periodic,22,1,10
60,5,90,"2,98",long_only,equal,63,1,periodic,22,2,50
120,0,80,"5,95",long_only,equal,63,1,periodic,22,1,0
40,10,80,"2,98",long_short,inverse_vol,20,1,periodic,10,1,10
60,22,85,"1,99",long_only,equal,63,0.05,monthly,22,1,10
90,5,90,"2,98",long_only,inverse_vol,40,0.08,periodic,5,3,30
30,3,75,"10,90",long_short,equal,63,0.04,monthly,22,2,20
EOF

# compare GRID-OUT GRID EXTRA-ARGS...: run each row of GRID as weights | backtest and compare.
compare() {
	/usr/bin/python3 - "$@" <<'EOF'
import csv, json, math, subprocess, sys
out, grid, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
# the options of the grid run that go to both tools / to backtest only
wargs = [a for a in extra if a.startswith('--universe=') or a.startswith('--config=')]
bargs = list(extra)
rows = list(csv.DictReader(open(grid)))
got = list(csv.DictReader(open(out)))
assert len(rows) == len(got), f'{len(got)} rows for {len(rows)} points'
base = {}
for a in extra:
    if a.startswith('--config='):
        for line in open(a.split('=', 1)[1]):
            k, v = (x.strip() for x in line.split('=', 1))
            base[k] = v
for a in extra:  # options over the file, as the grid run applies them
    for opt, key in (('--mode=', 'mode'), ('--cost-bps=', 'cost_bps'), ('--lag=', 'lag')):
        if a.startswith(opt):
            base[key] = a[len(opt):]
names = ['sharpe', 'cagr', 'volatility', 'max_drawdown', 'calmar', 'sortino', 'annual_turnover',
         'cumulative_return', 'omega', 'skew', 'kurtosis', 'var_95', 'cvar_95', 'win_rate', 'best_day',
         'worst_day', 'total_turnover', 'total_cost', 'beta', 'alpha']
checked = 0
for i, (row, g) in enumerate(zip(rows, got)):
    conf = dict(base, **row)
    with open(f'p{i}.conf', 'w') as f:
        for k, v in conf.items():
            f.write(f'{k} = "{v}"\n')
    wa = [a for a in wargs if not a.startswith('--config=')] + [f'--config=p{i}.conf']
    ba = [a for a in bargs if not a.startswith('--config=')] + [f'--config=p{i}.conf']
    subprocess.run(['weights', *wa, '-o', f'w{i}.csv', 'prices.csv'], check=True)
    subprocess.run(['backtest', '--prices=prices.csv', f'--weights=w{i}.csv', *ba, f'--metrics=m{i}.json',
                    f'-o', f'e{i}.csv'], check=True)
    doc = json.load(open(f'm{i}.json'))
    m = doc['strategy']
    for k in row:
        assert g[k] == row[k], f'point {i}: column {k}: {g[k]!r}, the grid has {row[k]!r}'
    for n in names:
        want = m[n]
        have = None if g[n] == '' else float(g[n])
        assert (want is None and have is None) or (want is not None and have is not None and
            (have == want or (math.isnan(have) and math.isnan(want)))), \
            f'point {i} {row}: {n}: grid {have!r}, weights | backtest {want!r}'
        checked += 1
    assert doc['days'] > 100 and m['total_turnover'] > 0, f'point {i}: a run that trades: {doc["days"]} days'
print(f'{len(rows)} points, {checked} metrics identical')
EOF
}

t "every key a grid varies, with the universe, the default look-ahead"
backtest --grid grid.csv --prices prices.csv --universe universe.csv --config base.conf -o out.csv \
	--grid-equity eq.csv
compare out.csv grid.csv --universe=universe.csv --config=base.conf

t "--grid-equity: the net returns of each point's equity CSV, point by point (0 = the first row)"
/usr/bin/python3 - <<'EOF'
import csv
eq = list(csv.DictReader(open('eq.csv')))
n = len(list(csv.DictReader(open('grid.csv'))))
for i in range(n):
    mine = [(r['date'], r['net']) for r in eq if r['point'] == str(i)]
    theirs = [(r['date'], r['net']) for r in csv.DictReader(open(f'e{i}.csv'))]
    assert mine == theirs, f'point {i}: {len(mine)} rows vs {len(theirs)}'
print(f'{len(eq)} rows')
EOF

t "the dsr column: the deflated Sharpe ratio of each point, the trials being the grid's own points"
# The expectation is the paper's formulas (Bailey and Lopez de Prado, "The deflated Sharpe ratio", 2014,
# eqs. for PSR and E[max SR]) re-implemented here with Python's statistics.NormalDist, applied to the grid's
# own columns: daily SR = sharpe / sqrt(252), skew, kurtosis (excess), T = the point's days in --grid-equity,
# N = the number of points, V = the sample variance of the points' daily Sharpe ratios.
dsr_check() { # TABLE EQUITY
	/usr/bin/python3 - "$1" "$2" <<'PY'
import csv, math, statistics, sys
from statistics import NormalDist
rows = list(csv.DictReader(open(sys.argv[1])))
days = {}
for r in csv.DictReader(open(sys.argv[2])):
    days[int(r['point'])] = days.get(int(r['point']), 0) + 1
nd, g = NormalDist(), 0.5772156649015329
sr = [float(r['sharpe']) / math.sqrt(252) if r['sharpe'] else math.nan for r in rows]
v = statistics.variance([x for x in sr if not math.isnan(x)])
N = len(rows)
sr0 = math.sqrt(v) * ((1 - g) * nd.inv_cdf(1 - 1 / N) + g * nd.inv_cdf(1 - 1 / (N * math.e)))
assert N >= 3 and v > 0, (N, v)
for i, r in enumerate(rows):
    s, k, x, T = sr[i], float(r['skew']), float(r['kurtosis']), days[i]
    want = nd.cdf((s - sr0) * math.sqrt(T - 1) / math.sqrt(1 - k * s + (x + 2) / 4 * s * s))
    have = float(r['dsr'])
    assert abs(have - want) < 1e-9, f'point {i}: dsr {have!r}, the paper\'s formula {want!r}'
    assert 0 <= have <= 1
print(f'{N} points, V[SR] {v:.3g}, E[max SR] {sr0:.4g} daily: every dsr as the paper defines it')
PY
}
dsr_check out.csv eq.csv

t "a look-ahead of 2 days (drops of held and just-bought names), no universe"
backtest --grid grid.csv --prices prices.csv --config base.conf --lookahead 2 -o out-la.csv
compare out-la.csv grid.csv --config=base.conf --lookahead=2

t "a subset of the keys over the base configuration and options; prices from stdin; a 3% risk-free rate"
printf 'lookback,skip\n126,10\n63,0\n200,22\n' >small.csv
backtest --grid small.csv --config base.conf --cost-bps 25 --mode long_short --rf 0.03 <prices.csv >out-small.csv
compare out-small.csv small.csv --config=base.conf --cost-bps=25 --mode=long_short --rf=0.03

t "points sharing a signal (lookback, skip) under every selection rule share its cross-sections: each still its own run"
# lib/grid computes a day's z-scored, sorted cross-section once per signal and applies each point's rules to
# a copy; the expectation is still each point's own weights | backtest, bit for bit (the issue's contract).
cat >shared.csv <<'GRID'
lookback,skip,select,winsor,mode,weighting,vol_window,max_weight,rebalance,rebalance_every,lag
60,5,90,"2,98",long_only,equal,63,1,periodic,22,1
60,5,80,"2,98",long_only,equal,63,1,periodic,22,1
60,5,80,"10,90",long_short,equal,63,1,periodic,22,2
60,5,75,"5,95",long_only,inverse_vol,20,1,periodic,10,1
60,5,85,"1,99",long_short,inverse_vol,40,0.05,monthly,22,1
60,5,90,"2,98",long_only,equal,63,0.04,periodic,5,3
120,0,80,"5,95",long_only,equal,63,1,periodic,22,1
120,0,90,"2,98",long_short,equal,63,1,monthly,22,1
GRID
backtest --grid shared.csv --prices prices.csv --universe universe.csv --config base.conf -o out-sh.csv
compare out-sh.csv shared.csv --universe=universe.csv --config=base.conf
for jobs in 1 3; do # one thread: a signal's schedules in one task; three: a signal split over tasks
	backtest --grid shared.csv --prices prices.csv --universe universe.csv --config base.conf --jobs $jobs \
		-o out-sh-$jobs.csv
	assert_same_file out-sh.csv out-sh-$jobs.csv
done

t "threads do not change a byte; slices put together are the whole grid"
backtest --grid grid.csv --prices prices.csv --universe universe.csv --config base.conf --jobs 1 -o out-1.csv \
	--grid-equity eq-1.csv
assert_same_file out.csv out-1.csv
assert_same_file eq.csv eq-1.csv
for k in 0 1 2; do
	backtest --grid grid.csv --prices prices.csv --universe universe.csv --config base.conf --grid-slice $k/3 \
		-o slice-$k.csv --grid-equity eqs-$k.csv
done
{ cat slice-0.csv; tail -n +2 slice-1.csv; tail -n +2 slice-2.csv; } >slices.csv
# but for dsr, which a slice leaves empty (it deflates by every trial, and a slice has only some):
# --grid-deflate computes it over the table put together, with the equity put together for the days
/usr/bin/python3 - <<'PY'
import csv
whole, parts = list(csv.DictReader(open('out.csv'))), list(csv.DictReader(open('slices.csv')))
assert len(whole) == len(parts)
for i, (a, b) in enumerate(zip(whole, parts)):
    assert b['dsr'] == '' and a['dsr'] != '', f'point {i}: dsr {a["dsr"]!r} whole, {b["dsr"]!r} in a slice'
    del a['dsr'], b['dsr']
    assert a == b, f'point {i}: {a} vs {b}'
PY
{ cat eqs-0.csv; tail -n +2 eqs-1.csv; tail -n +2 eqs-2.csv; } >eqs.csv
assert_same_file eq.csv eqs.csv
backtest --grid-deflate slices.csv --grid-equity eqs.csv -o deflated.csv
assert_same_file out.csv deflated.csv
backtest --grid-deflate - --grid-equity eqs.csv <slices.csv >deflated-stdin.csv
assert_same_file out.csv deflated-stdin.csv

t "--grid-deflate refuses a table without the grid's columns, a point that is not a row; nothing written"
cut -d, -f1-12 slices.csv >nosharpe.csv
assert_status 65 backtest --grid-deflate nosharpe.csv --grid-equity eqs.csv -o bad.csv 2>errd1
assert_contains errd1 "nosharpe.csv:1: missing column 'sharpe'"
{ cat eqs.csv; echo "7,2020-01-01,0.01"; } >eqs-bad.csv
assert_status 65 backtest --grid-deflate slices.csv --grid-equity eqs-bad.csv -o bad.csv 2>errd2
assert_contains errd2 "eqs-bad.csv:$(wc -l <eqs-bad.csv): point: point 7 is not a row of the grid table"
assert_status 64 backtest --grid-deflate slices.csv -o bad.csv 2>errd3
assert_contains errd3 "--grid-equity"
[ ! -e bad.csv ] || fail "an output was written"

t "bad grids: a key a grid cannot vary, a bad value, a missing value; nothing written"
printf 'lookback,max_gap\n60,3\n' >bad1.csv
assert_status 65 backtest --grid bad1.csv --prices prices.csv -o bad.csv 2>err1
assert_contains err1 "bad1.csv:1: max_gap: not a key a grid can vary"
printf 'lookback,skip\n60,5\nabc,5\n' >bad2.csv
assert_status 65 backtest --grid bad2.csv --prices prices.csv -o bad.csv 2>err2
assert_contains err2 "bad2.csv:3: lookback: 'abc' is not an integer"
printf 'lookback,skip\n60,\n' >bad3.csv
assert_status 65 backtest --grid bad3.csv --prices prices.csv -o bad.csv 2>err3
assert_contains err3 "bad3.csv:2: skip: missing"
[ ! -e bad.csv ] || fail "an output was written for a bad grid"
assert_status 64 backtest --grid grid.csv --prices prices.csv --weights w0.csv 2>err4
assert_contains err4 "no --weights"

t "the panel in two files (--prices twice, lib/panel) gives the same grid"
/usr/bin/python3 - <<'PY'
import csv
rows = list(csv.reader(open('prices.csv')))
head, body = rows[0], rows[1:]
cut = body[len(body) // 2][0]
for name, part in (('p1.csv', [r for r in body if r[0] < cut]), ('p2.csv', [r for r in body if r[0] >= cut])):
    with open(name, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(head)
        w.writerows(part)
PY
backtest --grid grid.csv --prices p1.csv --prices p2.csv --universe universe.csv --config base.conf -o out-2f.csv
assert_same_file out.csv out-2f.csv

t "a universe none of whose ids is in the prices is an error, as for weights and backtest"
printf 'date,id,symbol\n%s,NOPE,NOPE\n' "$(sed -n 2p prices.csv | cut -d, -f1)" >nomatch.csv
assert_status 65 backtest --grid small.csv --prices prices.csv --universe nomatch.csv -o bad.csv 2>err5
assert_contains err5 "nomatch.csv: universe: no id of the universe is in the prices"
assert_status 65 weights --universe nomatch.csv prices.csv >/dev/null 2>err6
assert_contains err6 "no id of the universe is in the prices"
[ ! -e bad.csv ] || fail "an output was written"
