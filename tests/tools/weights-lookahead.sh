#!/usr/bin/env bash
# weights: no look-ahead. Changing every row after day t (returns, symbols, rows dropped, the universe)
# leaves every weight decided on or before t unchanged, and --asof t gives the last of them.
. "$TOP/tests/lib.sh"

days=700
sanitized && days=450
market-gen --seed 21 --securities 60 --days $days --universe-size 45 --min-dollar-volume 1e6 \
	-o prices.csv --universe-out universe.csv

# perturb T FILE.csv: rows dated after T get random returns and symbols; one in ten vanishes.
perturb() {
	awk -F, -v OFS=, -v t="$1" 'BEGIN { srand(7) }
		NR == 1 || $1 <= t { print; next }
		rand() < 0.1 { next }
		{ if (NF >= 9) $9 = sprintf("%.6f", rand() * 0.2 - 0.1); $3 = "X" int(rand() * 1000); print }' "$2"
}

for opts in "--lookback 120 --skip 10 --rebalance-every 7" \
	"--lookback 60 --skip 5 --rebalance monthly --mode long_short --weighting inverse_vol --vol-window 20" \
	"--lookback 90 --skip 0 --rebalance-every 1 --max-weight 0.05 --max-gap 1"; do
	for uni in "" "--universe universe.csv"; do
		t "$opts $uni"
		# shellcheck disable=SC2086
		weights $opts $uni prices.csv >full.csv
		[ "$(wc -l <full.csv)" -gt 20 ] || fail "too few weights to test with"
		cut -d, -f1 full.csv | sed 1d | uniq >dates
		n=$(wc -l <dates)
		changed=0
		for t in $(awk -v k=$((n / 5 + 1)) 'NR % k == 2' dates); do
			perturb "$t" prices.csv >p2.csv
			perturb "$t" universe.csv >u2.csv
			u2=${uni:+--universe u2.csv}
			# shellcheck disable=SC2086
			weights $opts $u2 p2.csv >all2.csv
			awk -F, -v t="$t" 'NR == 1 || $1 <= t' all2.csv >got.csv
			cmp -s full.csv all2.csv || changed=$((changed + 1))
			awk -F, -v t="$t" 'NR == 1 || $1 <= t' full.csv >want.csv
			cmp -s want.csv got.csv || { diff want.csv got.csv | head; fail "weights up to $t changed"; }
			# --asof: the last portfolio decided on or before t, from the perturbed data.
			# shellcheck disable=SC2086
			weights $opts $u2 --asof "$t" p2.csv >asof.csv
			last=$(sed 1d want.csv | tail -1 | cut -d, -f1)
			{ echo "date,id,symbol,weight"; grep "^$last," want.csv; } >want-asof.csv
			assert_same_file want-asof.csv asof.csv
		done
		[ $changed -gt 0 ] || fail "the perturbations changed nothing: the test tests nothing"
	done
done
