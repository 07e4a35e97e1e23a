#!/usr/bin/python3
"""An independent implementation of the reference strategy (sti-strategy.conf(5)) with pandas, to check
`weights` against. It holds the whole panel in memory: for test-sized data only.

usage: weights.py PRICES [UNIVERSE|-] KEY=VALUE...   (prints the weights CSV)
"""
import subprocess
import sys

import numpy as np
import pandas as pd

cfg = dict(lookback=264, skip=22, max_gap=5, winsor="2,98", select=90, mode="long_only",
           weighting="equal", vol_window=63, max_weight=1, rebalance="periodic", rebalance_every=22)
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    cfg[k] = v
lookback, skip, max_gap = int(cfg["lookback"]), int(cfg["skip"]), int(cfg["max_gap"])
wlo, whi = (float(x) for x in cfg["winsor"].split(","))
select, vol_window = float(cfg["select"]), int(cfg["vol_window"])
max_weight, every = float(cfg["max_weight"]), int(cfg["rebalance_every"])

p = pd.read_csv(sys.argv[1], dtype={"id": str, "symbol": str})
dates = np.array(sorted(p.date.unique()))
ret = p.pivot(index="date", columns="id", values="ret").reindex(dates)
present = p.assign(one=1).pivot(index="date", columns="id", values="one").reindex(dates).notna()
symbol = p.pivot(index="date", columns="id", values="symbol").reindex(dates).ffill()
ids = ret.columns
if len(sys.argv) > 2 and sys.argv[2] != "-":
    u = pd.read_csv(sys.argv[2], dtype={"id": str})
    u = u[u.id.isin(ids)]
    member = u.assign(one=1).pivot(index="date", columns="id", values="one").reindex(index=dates, columns=ids).notna()
else:
    member = present

# Missing-return runs: a row with a ret resets the run; the series starts at the first row.
valid = ret.notna().to_numpy()
started = present.cummax().to_numpy()
run = np.zeros(valid.shape, dtype=np.int64)
prev = np.zeros(valid.shape[1], dtype=np.int64)
for t in range(len(dates)):
    cur = np.where(valid[t], 0, prev + 1)
    cur[~started[t]] = 0
    run[t] = cur
    prev = cur
defined = started & (run <= max_gap)
tri = (1 + ret.fillna(0)).cumprod().where(defined)
mom = tri.shift(skip) / tri.shift(skip + lookback) - 1
daily = ret.fillna(0).where(defined)
vol = daily.rolling(vol_window).std()

def portfolio(t):
    m = mom.iloc[t][member.iloc[t].to_numpy()]
    m = m[np.isfinite(m)]
    if len(m) < 2:
        return None
    z = (m - m.mean()) / m.std()
    if not np.isfinite(z).all():
        return None
    lo, hi = np.percentile(z, [wlo, whi])
    z = z.clip(lo, hi)
    longs = z >= np.percentile(z, select)
    shorts = (z <= np.percentile(z, 100 - select)) if cfg["mode"] == "long_short" else longs & False
    side = longs.astype(int) - shorts.astype(int)
    side = side[side != 0]
    raw = pd.Series(1.0, index=side.index)
    if cfg["weighting"] == "inverse_vol":
        raw = 1 / vol.iloc[t][side.index]
        raw = raw[np.isfinite(raw) & (raw > 0)]
        side = side[raw.index]
    if len(raw) == 0:
        return None
    w = side * raw / raw.sum()
    free = pd.Series(True, index=w.index)
    while max_weight < 1 and (w.abs() > max_weight).any():
        over = w.abs() > max_weight
        w[over] = np.sign(w[over]) * max_weight
        free &= ~over
        rest = 1 - (~free).sum() * max_weight
        if free.sum() == 0 or rest <= 0:
            break
        w[free] = side[free] * raw[free] * rest / raw[free].sum()
    return w

out = ["date,id,symbol,weight"]
d0 = None
for t in range(len(dates)):
    if cfg["rebalance"] == "monthly":
        if t + 1 < len(dates):
            due = dates[t][:7] != dates[t + 1][:7]
        else:  # the stream's last day: the NYSE calendar says whether it ends its month
            due = subprocess.run(["trading-day", "--month-end", dates[t]]).returncode == 0
    else:
        due = d0 is None or (t - d0) % every == 0
    if not due:
        continue
    w = portfolio(t)
    if w is None:
        continue
    if d0 is None:
        d0 = t
    for i in w.index:
        out.append("%s,%s,%s,%r" % (dates[t], i, symbol.iloc[t][i], float(w[i])))
print("\n".join(out))
