# backtest-reference.py PRICES WEIGHTS UNIVERSE|- COST_BPS [LOOKAHEAD]: an independent pandas backtest of the
# rules in backtest(1), written on the whole panel (it knows each security's last ret), printing the equity
# CSV. With LOOKAHEAD n, a security has left at day t's close when it has no ret on the n days after t
# (backtest(1): "a ret that comes back after more than n trading days is not seen in time").
import sys

import numpy as np
import pandas as pd

prices, weights, universe, cost_bps = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
px = pd.read_csv(prices, dtype={'id': str}, usecols=['date', 'id', 'ret'], float_precision='round_trip')
ret = px.pivot(index='date', columns='id', values='ret')      # absent rows and empty rets are NaN
last = ret.apply(lambda s: s.last_valid_index())               # where each security's data ends
lookahead = int(sys.argv[5]) if len(sys.argv) > 5 else None
valid = ret.notna()
pos = {d: k for k, d in enumerate(ret.index)}
W = pd.read_csv(weights, dtype={'id': str}, float_precision='round_trip')
targets = {d: g.set_index('id').weight.astype(float) for d, g in W.groupby('date')}
members = None
if universe != '-':
    U = pd.read_csv(universe, dtype={'id': str})
    members = {d: set(g.id) for d, g in U.groupby('date')}


def drop(w, day):
    """Positions whose data ended on or before day leave; each side is scaled back to its exposure."""
    if lookahead is None:
        gone = [i for i in w.index if last[i] <= day]
    else:
        k = pos[day]
        gone = [i for i in w.index if not valid[i].iloc[k + 1:k + 1 + lookahead].any()]
    if not gone:
        return w
    kept = w.drop(gone)
    for side in (w >= 0, w < 0):
        lost = w[side].reindex(gone).dropna().abs().sum()
        mine = kept[side.reindex(kept.index)]
        if lost > 0 and mine.abs().sum() > 0:
            kept[mine.index] = mine * (mine.abs().sum() + lost) / mine.abs().sum()
    return kept


def move(cur, tgt):
    """Turnover from cur to tgt and the cost it brings."""
    ids = tgt.index.union(cur.index)
    t = float((tgt.reindex(ids).fillna(0) - cur.reindex(ids).fillna(0)).abs().sum())
    return t, t * cost_bps / 1e4


books = None  # name -> [weights, pending turnover, pending cost, equity]
rows, prev = [], None
for d in ret.index:
    if books is not None:
        row = [d]
        for b in books:
            w = drop(b[0], prev)
            r = ret.loc[d].reindex(w.index).fillna(0.0)
            g = float((w * r).sum())
            w = w * (1 + r) / (1 + g)
            if d != ret.index[-1]:
                w = drop(w, d)
            net = g - b[2]
            b[3] *= 1 + net
            row += [g, net, b[3], b[1], b[2]]
            b[0], b[1], b[2] = w, 0.0, 0.0
        rows.append(row)
    if d in targets:
        t = targets[d][targets[d] != 0]
        have = ret.loc[d].dropna().index
        if members is not None:
            snap = max(x for x in members if x <= d)
            have = [i for i in have if i in members[snap]]
        bench = pd.Series(1.0 / len(have), index=list(have)) if len(have) else pd.Series(dtype=float)
        if books is None:
            books = [[pd.Series(dtype=float), 0.0, 0.0, 1.0], [pd.Series(dtype=float), 0.0, 0.0, 1.0]]
        for b, tgt in zip(books, (t, bench)):
            b[1], b[2] = move(b[0], tgt)
            b[0] = tgt
    prev = d
cols = 'date,gross,net,equity,turnover,cost,bench_gross,bench_net,bench_equity,bench_turnover,bench_cost'
pd.DataFrame(rows, columns=cols.split(',')).to_csv(sys.stdout, index=False, float_format='%.17g')
