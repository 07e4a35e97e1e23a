#!/usr/bin/env bash
# backtest's equity curve, day by day, against an independent pandas backtest that sees the whole panel
# (tests/tools/backtest-reference.py) on a generated market with delistings, gaps and missing returns.
. "$TOP/tests/lib.sh"

secs=120 days=700
if sanitized; then days=400; fi

market-gen --seed 7 --securities $secs --days $days --universe-size 60 -o prices.csv --universe-out universe.csv
/usr/bin/python3 "$TOP/tests/tools/backtest-weights.py" prices.csv 22 long >weights.csv
/usr/bin/python3 "$TOP/tests/tools/backtest-weights.py" prices.csv 15 ls >weights-ls.csv

compare() { # ours reference
	/usr/bin/python3 - "$1" "$2" <<'EOF'
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1], float_precision='round_trip')
b = pd.read_csv(sys.argv[2], float_precision='round_trip')
assert list(a.date) == list(b.date), f'dates differ: {len(a)} vs {len(b)} rows'
worst = max((a[c] - b[c]).abs().max() for c in a.columns[1:])
print(f'{len(a)} days, largest difference {worst:.3g}')
sys.exit(0 if worst <= 1e-12 else 1)
EOF
}

t "the market has what the rules are about: delistings and gaps of held securities"
/usr/bin/python3 - <<'EOF'
import pandas as pd
px = pd.read_csv('prices.csv', dtype={'id': str})
ret = px.pivot(index='date', columns='id', values='ret')
ended = (ret.apply(lambda s: s.last_valid_index()) < ret.index[-1]).sum()
w = pd.read_csv('weights.csv', dtype={'id': str})
held = set(w.id)
gaps = sum(1 for i in held if ret[i].loc[ret[i].first_valid_index():ret[i].last_valid_index()].isna().any())
print(f'{ended} securities end early; {gaps} of the held ones have gaps or empty rets')
assert ended > 0 and gaps > 0
EOF

t "long-only"
backtest --prices prices.csv --weights weights.csv -o ours.csv
/usr/bin/python3 "$TOP/tests/tools/backtest-reference.py" prices.csv weights.csv - 10 >ref.csv
compare ours.csv ref.csv

t "long-short with the universe benchmark and 30 bp"
backtest --prices prices.csv --weights weights-ls.csv --mode long_short --universe universe.csv --cost-bps 30 -o ours-ls.csv
/usr/bin/python3 "$TOP/tests/tools/backtest-reference.py" prices.csv weights-ls.csv universe.csv 30 >ref-ls.csv
compare ours-ls.csv ref-ls.csv

t "a look-ahead of 2 days: held and just-bought securities leave on the same window"
backtest --prices prices.csv --weights weights.csv --lookahead 2 -o ours-la.csv
/usr/bin/python3 "$TOP/tests/tools/backtest-reference.py" prices.csv weights.csv - 10 2 >ref-la.csv
compare ours-la.csv ref-la.csv
