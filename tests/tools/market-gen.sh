#!/usr/bin/env bash
# market-gen: determinism, streaming sizes, and the market's invariants checked independently with pandas.
. "$TOP/tests/lib.sh"

t "same seed, same bytes; another seed, other bytes"
market-gen --seed 11 --securities 80 --days 700 --universe-size 50 --shares -o a.csv --universe-out au.csv
market-gen --seed 11 --securities 80 --days 700 --universe-size 50 --shares --universe-out bu.csv >b.csv
assert_same_file a.csv b.csv
assert_same_file au.csv bu.csv
market-gen --seed 12 --securities 80 --days 700 --universe-size 50 --shares >c.csv
cmp -s a.csv c.csv && fail "seeds 11 and 12 gave the same market"

t "a longer run starts with the same days (one stream, day by day)"
market-gen --seed 11 --securities 80 --days 350 --universe-size 50 --shares >short.csv
head -n "$(wc -l <short.csv)" a.csv | cmp - short.csv || fail "the first 350 days differ"

t "dates are the NYSE trading days"
cut -d, -f1 a.csv | sed 1d | uniq >dates
trading-day --list "$(head -1 dates)" "$(tail -1 dates)" >want
assert_same_file want dates
assert_eq 700 "$(wc -l <dates)" "days"

t "invariants (pandas)"
/usr/bin/python3 - a.csv au.csv 50 10000000 <<'PY'
import sys
import numpy as np
import pandas as pd

prices, universe, k, floor = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
p = pd.read_csv(prices, dtype={"id": str, "symbol": str})
u = pd.read_csv(universe, dtype={"id": str, "symbol": str})
def check(cond, what):
    if not cond:
        sys.exit("invariant failed: " + what)

check(list(p.columns) == "date,id,symbol,open,high,low,close,volume,ret,shares".split(","), "columns")
check((p[["date", "id"]].apply(tuple, axis=1).is_monotonic_increasing), "sorted by date, then id")
check(not p.duplicated(["date", "id"]).any(), "no duplicate (date, id)")
full = p.dropna(subset=["close"])
check((full.low <= full[["open", "close"]].min(axis=1)).all(), "low <= open, close")
check((full.high >= full[["open", "close"]].max(axis=1)).all(), "high >= open, close")
check((full.low > 0).all() and (full.volume > 0).all() and (full.shares > 0).all(), "positive values")
empty = p[p.close.isna()]
check(len(empty) > 0 and empty[["open", "high", "low", "volume", "ret"]].isna().all().all(), "empty rows are empty")
# ret against closes: equal unless a split or a dividend (close drops) or a delisting return intervenes.
full = full.copy()
full["prev"] = full.groupby("id").close.shift()
full["prev_shares"] = full.groupby("id").shares.shift()
x = full.dropna(subset=["prev", "ret"])
split = x.shares / x.prev_shares
gross = (1 + x.ret) / (x.close * split / x.prev)
plain = gross[(split == 1)]
check((np.abs(plain - 1) < 2e-4).mean() > 0.97, "ret equals the close-to-close return on most days")
check(((split != 1) & (x.ret.abs() < 0.5)).sum() >= 1, "some splits, with no jump in ret")
ids = p.groupby("id").date.agg(["min", "max"])
last, first = p.date.max(), p.date.min()
check((ids["min"] > first).sum() >= 1, "listings")
check((ids["max"] < last).sum() >= 1, "delistings")
firsts = p.groupby("id").head(1)
check(firsts[firsts.date > first].ret.isna().all(), "a listing's first ret is empty")
check((p.groupby("id").symbol.nunique() > 1).sum() >= 1, "ticker changes")
check(not p.groupby("date").symbol.apply(lambda s: s.duplicated().any()).any(), "symbols unique on a day")
alive = p.groupby("date").size()
check(alive.min() >= 0.8 * 80 and alive.max() <= 80, "about --securities alive each day")
# universe: top k by cap among rows with dollar volume over the floor
full["cap"] = full.close * full.shares
cand = full[full.close * full.volume >= floor]
want = cand.sort_values(["date", "cap"], ascending=[True, False]).groupby("date").head(k)
want = want.sort_values(["date", "id"])[["date", "id", "symbol"]].reset_index(drop=True)
check(u.equals(want), "universe = top-k by market cap over the dollar-volume floor")
print("ok", len(p), "rows", p.id.nunique(), "ids")
PY
