#!/usr/bin/env bash
# backtest(1)'s EXAMPLES on a small generated market, with the reference strategy's weights, and the
# invariants they must keep: the pipe and the file forms agree, the equity is the product of 1 + net, the
# holdings of a long-only fully invested book sum to 1, the rebalances are the weights' dates.
. "$TOP/tests/lib.sh"

days=900
if sanitized; then days=600; fi

t "man page example 1: market-gen, weights | backtest with the universe and metrics"
market-gen --seed 1 --securities 150 --days $days --universe-size 100 -o prices.csv --universe-out universe.csv
weights --lookback 126 --skip 10 --universe universe.csv <prices.csv |
	backtest --prices prices.csv --universe universe.csv --metrics metrics.json -o equity.csv --holdings holdings.csv
weights --lookback 126 --skip 10 --universe universe.csv <prices.csv >w.csv

t "man page example 2: 25 bp and a 4% risk-free rate"
backtest --prices prices.csv --weights w.csv --cost-bps 25 --rf 0.04 --metrics m25.json >/dev/null

t "the file form gives the same bytes as the pipe"
backtest --weights w.csv --universe universe.csv <prices.csv >equity-2.csv
assert_same_file equity.csv equity-2.csv

t "invariants"
/usr/bin/python3 - <<'EOF'
import json
import pandas as pd
eq = pd.read_csv('equity.csv', float_precision='round_trip')
m, m25 = json.load(open('metrics.json')), json.load(open('m25.json'))
w = pd.read_csv('w.csv')
h = pd.read_csv('holdings.csv', dtype={'id': str}, float_precision='round_trip')
assert len(eq) == m['days'] > 200, len(eq)
assert abs(eq.equity.iloc[-1] - (1 + eq.net).prod()) < 1e-12
assert abs(eq.bench_equity.iloc[-1] - (1 + eq.bench_net).prod()) < 1e-12
s = h.groupby('date').weight.sum()
assert ((s - 1).abs() < 1e-12).all(), s[(s - 1).abs() >= 1e-12]
assert (h.weight > 0).all()
dates = sorted(set(w.date))
assert [r['date'] for r in m['rebalances']] == [d for d in dates if d < eq.date.iloc[-1]]
assert m['rebalances'][0]['turnover'] == 1 or abs(m['rebalances'][0]['turnover'] - 1) < 1e-12
# 25 bp instead of 10: the same gross returns, 2.5 x the costs
assert abs(m25['strategy']['total_cost'] - 2.5 * m['strategy']['total_cost']) < 1e-12
assert m25['strategy']['total_turnover'] == m['strategy']['total_turnover']
assert m25['params']['cost_bps'] == 25 and m25['params']['rf'] == 0.04
print(len(eq), 'days,', len(m['rebalances']), 'rebalances, Sharpe', m['strategy']['sharpe'])
EOF
