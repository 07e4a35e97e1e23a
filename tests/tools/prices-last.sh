#!/usr/bin/env bash
# prices-last: data/last.csv. The expectation is an independent pandas reading of the definition in
# prices-last(1) and sti-formats(5): per id, its rows with a non-empty close, the last N of them, sorted
# by date then id (numeric ids by value). The same panel cut into yearly files gives the same file; rows
# with an empty close (gaps, the day after a delisting) are never a last close.
. "$TOP/tests/lib.sh"

market-gen --seed 5 --securities 80 --days 800 -o prices.csv
# Gaps: blank the close of every 7th row, and of the very last row of some ids (their older close counts).
awk -F, -v OFS=, 'NR > 1 && NR % 7 == 0 { $7 = "" } { print }' prices.csv >p.csv
reference() { # N FILE
	/usr/bin/python3 - "$1" "$2" <<'PY'
import sys, pandas as pd
n, f = int(sys.argv[1]), sys.argv[2]
p = pd.read_csv(f, dtype=str, keep_default_na=False)
p = p[p.close != ""]
p = p.groupby("id", sort=False).tail(n)
p = p.assign(k=p.id.astype(int)).sort_values(["date", "k"], kind="stable").drop(columns="k")
p.to_csv(sys.stdout, index=False, lineterminator="\n")
PY
}
for n in 1 2 5; do
	t "--closes $n against pandas"
	prices-last --closes "$n" p.csv >got.csv
	reference "$n" p.csv >want.csv
	[ "$(wc -l <want.csv)" -gt 80 ] || fail "too few rows to test with"
	cmp want.csv got.csv || { diff want.csv got.csv | head; fail "--closes $n differs from pandas"; }
done

t "yearly files read as one give the same file"
awk -F, 'NR == 1 { h = $0; next } { y = substr($1, 1, 4); f = "y" y ".csv"; if (!(f in seen)) { print h >f; seen[f] = 1 } print >f }' p.csv
ls y*.csv >files
[ "$(wc -l <files)" -ge 3 ] || fail "the panel should span at least three years"
# shellcheck disable=SC2046
prices-last -o split.csv $(cat files)
prices-last -o whole.csv p.csv
assert_same_file whole.csv split.csv

t "the output is a panel: prices-last and weights read it"
prices-last whole.csv | cmp - whole.csv || fail "prices-last of its own output differs"
weights --lookback 1 --skip 0 whole.csv >/dev/null

t "orders from data/last.csv are the orders from the whole panel (the daily flow's switch)"
# The claim of prices-last(1): for every id the same last close (and the close before it, which orders
# compares against ret), so the same orders and the same explanation, byte for byte.
last=$(tail -n 1 p.csv | cut -d, -f1)
weights --lookback 60 --skip 5 --asof "$last" p.csv >w.csv
[ "$(wc -l <w.csv)" -gt 5 ] || fail "too few weights to test with"
for src in p.csv whole.csv; do
	orders --weights w.csv --asof "$last" --capital 1000000 --max-weight 1 --prices "$src" \
		--explain="explain-$src.txt" -o "orders-$src.ndjson" --skip-bad-prices --skip-stale
done
assert_same_file orders-p.csv.ndjson orders-whole.csv.ndjson
assert_same_file explain-p.csv.txt explain-whole.csv.txt
[ "$(wc -l <orders-p.csv.ndjson)" -gt 5 ] || fail "too few orders to test with"

t "files out of date order: refused, nothing written"
# shellcheck disable=SC2046
assert_status 65 prices-last -o bad.csv $(sort -r files)
[ ! -e bad.csv ] || fail "bad.csv written"
t "a close that is not a number"
printf 'date,id,close\n2024-01-02,1,abc\n' >x.csv
assert_status 65 prices-last x.csv
{ prices-last x.csv 2>&1 || true; } | grep -q "x.csv:2: close: 'abc' is not a number" || fail "message"
t "a panel without close"
printf 'date,id,ret\n2024-01-02,1,0.1\n' >y.csv
{ prices-last y.csv 2>&1 || true; } | grep -q "y.csv:1: missing column 'close'" || fail "message"
echo ok
