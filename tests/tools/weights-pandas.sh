#!/usr/bin/env bash
# weights against an independent pandas implementation (tests/oracle/weights.py) on a generated market,
# made messier: rows dropped, returns blanked and a few long gaps, so max_gap and listings matter.
. "$TOP/tests/lib.sh"

days=900
sanitized && days=600
market-gen --seed 5 --securities 120 --days $days --universe-size 80 --min-dollar-volume 5e6 \
	-o clean.csv --universe-out universe.csv
/usr/bin/python3 - <<'PY'
import numpy as np
import pandas as pd

p = pd.read_csv("clean.csv", dtype=str, keep_default_na=False)
rng = np.random.default_rng(3)
p.loc[rng.random(len(p)) < 0.02, "ret"] = ""       # blank returns
p = p[rng.random(len(p)) >= 0.02]                   # drop rows
gone = p.id.isin(p.id.unique()[::9]) & p.date.between("2011-06-01", "2011-06-20")
p = p[~gone]                                         # a two-week gap for every ninth security
p.to_csv("prices.csv", index=False)
PY

check() { # NAME UNIVERSE KEY=VALUE...
	local name=$1 uni=$2 opts=() kv
	shift 2
	for kv in "$@"; do
		k=${kv%%=*}
		opts+=("--${k//_/-}" "${kv#*=}")
	done
	t "$name: $*"
	/usr/bin/python3 "$TOP/tests/oracle/weights.py" prices.csv "$uni" "$@" >"want-$name.csv"
	if [ "$uni" = - ]; then
		weights "${opts[@]}" prices.csv >"got-$name.csv"
	else
		weights --universe "$uni" "${opts[@]}" prices.csv >"got-$name.csv"
	fi
	/usr/bin/python3 "$TOP/tests/oracle/compare-weights.py" "want-$name.csv" "got-$name.csv"
}

check default - lookback=264 skip=22
check universe universe.csv lookback=100 skip=10 rebalance_every=15
check long-short universe.csv lookback=100 skip=10 rebalance_every=15 mode=long_short
check inverse-vol - lookback=60 skip=5 rebalance_every=7 weighting=inverse_vol max_weight=0.08
check monthly universe.csv lookback=50 skip=3 rebalance=monthly weighting=inverse_vol vol_window=20 \
	mode=long_short max_gap=1
check daily - lookback=30 skip=0 rebalance_every=1 max_gap=0 select=80 winsor=10,90
