#!/usr/bin/env bash
# backtest --metrics against an independent computation of every metric with pandas (Debian's
# /usr/bin/python3), from the equity CSV alone, on a market from market-gen: to 1e-9.
. "$TOP/tests/lib.sh"

secs=150 days=1500
if sanitized; then days=700; fi

t "a generated market and a weights schedule (random picks every 21 days, long-only and long-short)"
market-gen --seed 11 --securities $secs --days $days --universe-size 80 -o prices.csv --universe-out universe.csv
/usr/bin/python3 "$TOP/tests/tools/backtest-weights.py" prices.csv 21 long >weights.csv
/usr/bin/python3 "$TOP/tests/tools/backtest-weights.py" prices.csv 17 ls >weights-ls.csv

check() { # equity metrics weights rf
	/usr/bin/python3 - "$@" <<'EOF'
import json, sys
import numpy as np, pandas as pd

eq_path, m_path, w_path, rf = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
eq = pd.read_csv(eq_path, parse_dates=['date'], float_precision='round_trip').set_index('date')
m = json.load(open(m_path))
bad = []

def same(what, got, want, tol=1e-9):
    if got is None or want is None or (isinstance(want, float) and not np.isfinite(want)):
        ok = (got is None) == (want is None or not np.isfinite(want))
    else:
        ok = abs(got - want) <= tol * max(1.0, abs(want))
    if not ok:
        bad.append(f'{what}: json {got!r}, pandas {want!r}')

def stats(r, turnover, cost):
    n = len(r)
    e = r - ((1 + rf) ** (1 / 252) - 1)
    w = pd.concat([pd.Series([1.0]), (1 + r).cumprod().reset_index(drop=True)])
    mdd = (w / w.cummax()).min() - 1
    cagr = abs((1 + r).prod()) ** (252 / n) - 1
    var = r.mean() + r.std() * -1.6448536269514722
    below = r[r < var]
    return {
        'cumulative_return': (1 + r).prod() - 1,
        'cagr': cagr,
        'volatility': r.std() * np.sqrt(252),
        'sharpe': e.mean() / e.std() * np.sqrt(252),
        'sortino': e.mean() / np.sqrt((e[e < 0] ** 2).sum() / n) * np.sqrt(252),
        'max_drawdown': mdd,
        'calmar': cagr / abs(mdd),
        'omega': e[e > 0].sum() / -e[e < 0].sum(),
        'skew': r.skew(),
        'kurtosis': r.kurt(),
        'var_95': var,
        'cvar_95': below.mean() if len(below) else var,
        'win_rate': (r > 0).sum() / (r != 0).sum(),
        'best_day': r.max(),
        'worst_day': r.min(),
        'total_turnover': turnover.sum(),
        'annual_turnover': turnover.sum() * 252 / n,
        'total_cost': cost.sum(),
    }

r, b = eq.net, eq.bench_net
same('days', m['days'], len(eq), 0)
assert m['start'] == eq.index[0].strftime('%Y-%m-%d') and m['end'] == eq.index[-1].strftime('%Y-%m-%d')
for side, ser, pre in (('strategy', r, ''), ('benchmark', b, 'bench_')):
    want = stats(ser, eq[pre + 'turnover'], eq[pre + 'cost'])
    for k, v in want.items():
        same(f'{side}.{k}', m[side][k], float(v))
c = np.cov(r, b)
beta = c[0, 1] / c[1, 1]
same('strategy.beta', m['strategy']['beta'], beta)
same('strategy.alpha', m['strategy']['alpha'], (r.mean() - beta * b.mean()) * 252)

comp = lambda x: (1 + x).prod() - 1
yr, yb = r.groupby(r.index.year).apply(comp), b.groupby(b.index.year).apply(comp)
assert [y['year'] for y in m['yearly']] == list(yr.index), 'years'
for y in m['yearly']:
    same(f"yearly {y['year']}", y['strategy'], yr[y['year']])
    same(f"yearly {y['year']} bench", y['benchmark'], yb[y['year']])
mr, mb = r.groupby(r.index.to_period('M')).apply(comp), b.groupby(b.index.to_period('M')).apply(comp)
assert [x['month'] for x in m['monthly']] == [str(p) for p in mr.index], 'months'
for x, (p, v) in zip(m['monthly'], mr.items()):
    same(f"monthly {p}", x['strategy'], v)
    same(f"monthly {p} bench", x['benchmark'], mb[p])

# Drawdown periods, quantstats' drawdown_details on W / cummax(W) - 1 with W0 = 1 in the running max.
w = (1 + r).cumprod()
dd = w / np.maximum(w.cummax(), 1.0) - 1
no_dd = dd == 0
starts = list(dd.index[~no_dd & no_dd.shift(1, fill_value=True)])
ends = list(dd.index[(no_dd & (~no_dd).shift(1, fill_value=False)).shift(-1, fill_value=False)])
if starts and (not ends or starts[-1] > ends[-1]):
    ends.append(dd.index[-1])
rows = []
for s, e_ in zip(starts, ends):
    seg = dd[s:e_]
    rows.append((seg.min(), s, seg.idxmin(), e_, (e_ - s).days + 1))
rows.sort(key=lambda x: (x[0], x[1]))
rows = rows[:10]
assert len(m['drawdowns']) == len(rows), f"{len(m['drawdowns'])} drawdowns, pandas {len(rows)}"
for got, (mdd, s, v, e_, n) in zip(m['drawdowns'], rows):
    assert (got['start'], got['valley'], got['end'], got['days']) == \
        (s.strftime('%Y-%m-%d'), v.strftime('%Y-%m-%d'), e_.strftime('%Y-%m-%d'), n), (got, s, v, e_, n)
    same(f"drawdown {got['start']}", got['max_drawdown'], mdd)

# Rebalances: every weights date but one on the last day, with the turnover and cost charged the next day.
wd = sorted(set(pd.read_csv(w_path).date))
last = eq.index[-1].strftime('%Y-%m-%d')
assert [x['date'] for x in m['rebalances']] == [d for d in wd if d < last], 'rebalance dates'
for x in m['rebalances']:
    row = eq[eq.index > x['date']].iloc[0]
    same(f"rebalance {x['date']} turnover", x['turnover'], row.turnover, 0)
    same(f"rebalance {x['date']} cost", x['cost'], row.cost, 0)
# Costs: net - gross = -cost_bps x turnover on every day, and cost = cost_bps / 10000 x turnover.
bps = m['params']['cost_bps']
assert (eq.net == eq.gross - eq.cost).all(), 'net = gross - cost, exactly'
assert (eq.cost == bps / 1e4 * eq.turnover).all(), 'cost = bps x turnover, exactly'
if bad:
    print('\n'.join(bad))
    sys.exit(1)
print(f'{len(eq)} days, {len(m["drawdowns"])} drawdowns, {len(m["rebalances"])} rebalances: all metrics agree')
EOF
}

t "long-only, default costs, rf 0"
backtest --prices prices.csv --weights weights.csv --metrics m.json -o equity.csv
check equity.csv m.json weights.csv 0

t "long-short, 25 bp, rf 3%, with the universe as the benchmark's"
backtest --prices prices.csv --weights weights-ls.csv --mode long_short --cost-bps 25 --rf 0.03 \
	--universe universe.csv --metrics m-ls.json -o equity-ls.csv
check equity-ls.csv m-ls.json weights-ls.csv 0.03

t "the pipe form gives the same bytes"
backtest --prices prices.csv <weights.csv >equity-pipe.csv
assert_same_file equity.csv equity-pipe.csv
