#!/usr/bin/python3
"""compare-weights.py WANT GOT: the same (date, id, symbol) rows, weights equal to 1e-12 (relative)."""
import sys

import pandas as pd

want = pd.read_csv(sys.argv[1], dtype={"id": str, "symbol": str})
got = pd.read_csv(sys.argv[2], dtype={"id": str, "symbol": str})
key = ["date", "id", "symbol"]
if len(want) == 0 or not want[key].equals(got[key]):
    m = want.merge(got, on=key, how="outer", indicator=True)
    print(m[m._merge != "both"].head(10).to_string())
    sys.exit("rows differ (%d wanted, %d got)" % (len(want), len(got)))
err = ((want.weight - got.weight).abs() / want.weight.abs()).max()
if not err <= 1e-12:
    sys.exit("weights differ: max relative error %g" % err)
print("ok: %d rows on %d dates, max relative error %g" % (len(got), got.date.nunique(), err))
