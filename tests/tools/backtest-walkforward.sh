#!/usr/bin/env bash
# backtest --grid --walk-forward against an independent pandas walk-forward (the issue's definition:
# pick the best point by a metric on each training window, stitch the following test windows' returns into
# one out-of-sample curve), fed with each point's net returns from its own weights | backtest run (not
# from the grid). The windows, the chosen points, the stitched curve and its metrics must agree; the
# metrics are quantstats' definitions (reference/metrics.md), re-derived in pandas.
. "$TOP/tests/lib.sh"

days=700
if sanitized; then days=500; fi
market-gen --seed 21 --securities 80 --days $days --universe-size 50 -o prices.csv --universe-out universe.csv
cat >grid.csv <<'EOF'
lookback,skip,select
40,0,90
60,5,80
90,10,90
120,22,85
30,3,75
EOF
for i in 0 1 2 3 4; do
	row=$(sed -n "$((i + 2))p" grid.csv)
	IFS=, read -r l s sel <<<"$row"
	weights --lookback "$l" --skip "$s" --select "$sel" --universe universe.csv prices.csv |
		backtest --prices prices.csv --universe universe.csv --cost-bps 15 -o "e$i.csv"
done

check() { # TRAIN TEST METRIC RF
	backtest --grid grid.csv --prices prices.csv --universe universe.csv --cost-bps 15 --rf "$4" \
		--walk-forward "$1:$2" --wf-metric "$3" --wf-out wf.csv --wf-windows wfw.csv --wf-metrics wfm.json -o /dev/null
	/usr/bin/python3 - "$@" <<'EOF'
import json, sys
import numpy as np
import pandas as pd
train, test, metric, rf = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
nets = [pd.read_csv(f'e{i}.csv', float_precision='round_trip').set_index('date').net for i in range(5)]
common = sorted(set.intersection(*(set(n.index) for n in nets)))
R = pd.DataFrame({i: n.loc[common] for i, n in enumerate(nets)})
drf = (1 + rf) ** (1 / 252) - 1

def score(r):
    if metric == 'sharpe':
        e = r - drf
        return e.mean() / e.std() * np.sqrt(252)
    if metric == 'cagr':
        return (1 + r).prod() ** (252 / len(r)) - 1
    raise SystemExit(f'no reference for {metric}')

wins, pieces = [], []
start = 0
while start + train < len(R):
    tr = R.iloc[start:start + train]
    te = R.iloc[start + train:start + train + test]
    s = {i: score(tr[i]) for i in R.columns}
    best = max(R.columns, key=lambda i: (s[i], -i))  # highest; a tie to the earlier point
    wins.append((tr.index[0], tr.index[-1], te.index[0], te.index[-1], best, s[best]))
    pieces.append(pd.DataFrame({'point': best, 'net': te[best]}))
    start += test
oos = pd.concat(pieces)

w = pd.read_csv('wfw.csv', float_precision='round_trip')
assert len(w) == len(wins), f'{len(w)} windows, pandas {len(wins)}'
for k, (a, b, c, d, best, sc) in enumerate(wins):
    got = w.iloc[k]
    assert (got.train_start, got.train_end, got.test_start, got.test_end) == (a, b, c, d), f'window {k}: {got}'
    assert got.point == best, f'window {k}: point {got.point}, pandas {best} ({sc})'
    assert abs(got[metric] - sc) <= 1e-12 * max(1, abs(sc)), f'window {k}: {got[metric]} vs {sc}'
c = pd.read_csv('wf.csv', float_precision='round_trip')
assert list(c.date) == list(oos.index), 'the stitched dates differ'
assert list(c.point) == list(oos.point), 'the stitched points differ'
assert (c.net.values == oos.net.values).all(), 'the stitched returns differ'
eq = (1 + oos.net).cumprod()
assert np.allclose(c.equity.values, eq.values, rtol=1e-13, atol=0), 'the equity differs'
m = json.load(open('wfm.json'))
r = oos.net
e = r - drf
want = {'sharpe': e.mean() / e.std() * np.sqrt(252), 'cagr': (1 + r).prod() ** (252 / len(r)) - 1,
        'volatility': r.std() * np.sqrt(252), 'cumulative_return': (1 + r).prod() - 1,
        'max_drawdown': (eq / eq.cummax().clip(lower=1) - 1).min()}
for k, v in want.items():
    assert abs(m['strategy'][k] - v) <= 1e-12 * max(1, abs(v)), f'{k}: {m["strategy"][k]} vs pandas {v}'
assert m['days'] == len(oos)
chosen = sorted(set(oos.point))
print(f'{len(wins)} windows, points {chosen}, {len(oos)} out-of-sample days, metrics agree')
assert len(chosen) > 1, 'a test where the choice never changes shows little'
EOF
}

t "sharpe, 120 days of training, 40 of test, rf 0"
check 120 40 sharpe 0
t "cagr, 200:63, rf 3% (the Sharpe of the curve with it)"
check 200 63 cagr 0.03
t "sharpe with a 2% risk-free rate, short windows"
check 60 20 sharpe 0.02

t "errors: windows longer than the returns, options without --walk-forward, a metric that is not one"
assert_status 65 backtest --grid grid.csv --prices prices.csv --walk-forward 5000:10 --wf-out x.csv -o /dev/null 2>err1
assert_contains err1 "fewer than 5000 + 1 days"
assert_status 64 backtest --grid grid.csv --prices prices.csv --wf-out x.csv -o /dev/null 2>err2
assert_status 64 backtest --grid grid.csv --prices prices.csv --walk-forward 60:20 --wf-metric beta --wf-out x.csv 2>err3
assert_contains err3 "--wf-metric: 'beta'"
[ ! -e x.csv ] || fail "an output was left behind"
