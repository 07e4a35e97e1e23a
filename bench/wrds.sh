# wrds-pull against a local PostgreSQL loaded with market-gen's output (>= 2 million rows, loaded with
# COPY into the CIZ and legacy tables): throughput (target >= 500,000 rows/s from the local server) and
# memory (max RSS must not grow with the size of the pull). The output is checked against the input.
OUT=$BENCH_OUT/wrds
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-pg.sh"
SEC=${WRDS_BENCH_SECURITIES:-1000}
DAYS=${WRDS_BENCH_DAYS:-2520}
f=$BENCH_OUT/prices-wrds-${SEC}x${DAYS}.csv
u=$BENCH_OUT/universe-wrds-${SEC}x${DAYS}.csv
[ -s "$f" ] && [ -s "$u" ] ||
	market-gen -q --seed 7 --securities "$SEC" --days "$DAYS" --shares -o "$f" --universe-out "$u"
rows=$(($(wc -l <"$f") - 1))
first=$(sed -n 2p "$f" | cut -d, -f1)
last=$(tail -1 "$f" | cut -d, -f1)

pg_start
pg_sql -c "CREATE DATABASE wrds"
pg_sql -d wrds -f "$TOP/tests/fixtures/crsp/schema.sql"
s=$(date +%s.%N)
pg_sql -d wrds <<SQL
CREATE UNLOGGED TABLE gen (date date, id integer, symbol text, open numeric, high numeric, low numeric,
	close numeric, volume bigint, ret numeric, shares bigint);
\copy gen FROM '$f' WITH (FORMAT csv, HEADER)
INSERT INTO crsp.dsf_v2 (permno, dlycaldt, dlyret, dlyprc, dlyprcflg, dlyvol, dlyopen, dlyhigh, dlylow, dlycap,
	dlydelflg)
SELECT id, date, ret, close, 'TR', volume, open, high, low, close * shares / 1000, 'N' FROM gen;
INSERT INTO crsp.dsf (permno, date, prc, ret, vol, shrout, openprc, askhi, bidlo)
SELECT id, date, close, ret, volume, shares / 1000.0, open, high, low FROM gen;
-- name spells from the (id, symbol) runs
CREATE TABLE spell AS SELECT id, symbol, min(date) AS s, max(date) AS e FROM gen GROUP BY id, symbol;
INSERT INTO crsp.stksecurityinfohist (permno, secinfostartdt, secinfoenddt, sharetype, securitytype,
	securitysubtype, usincflg, issuertype, primaryexch, conditionaltype, tradingstatusflg, ticker, permco)
SELECT id, s, e, 'NS', 'EQTY', 'COM', 'Y', 'CORP', 'N', 'RW', 'A', symbol, id FROM spell;
INSERT INTO crsp.dsenames (permno, namedt, nameendt, ticker, shrcd, exchcd, primexch, permco)
SELECT id, s, e, symbol, 10, 1, 'N', id FROM spell;
INSERT INTO crsp.dsi (date) SELECT DISTINCT date FROM gen;
CREATE INDEX ON crsp.dsf_v2 (permno, dlycaldt);
CREATE INDEX ON crsp.dsf (permno, date);
VACUUM ANALYZE;
SQL
load=$(echo "$(date +%s.%N) - $s" | bc -l)
n=$(pg_sql -d wrds -Atc "SELECT count(*) FROM crsp.dsf_v2")
printf 'BENCH wrds: loaded %d rows (%d securities x %d days from market-gen) with COPY in %.1f s\n' "$n" "$SEC" "$DAYS" "$load"
[ "$n" -ge 2000000 ] || echo "BENCH wrds: WARNING: fewer than 2 million rows"
export PGDATABASE=wrds
cut -d, -f2 "$f" | sed 1d | sort -un | sed '1i id' >ids.csv

pull() { # name from format: one timed run; prints "seconds maxrss_kb cpu_seconds"
	/usr/bin/time -f '%e %M %U %S' -o "time-$1" wrds-pull prices --universe-file ids.csv --from "$2" --to "$last" \
		--lookback-days 0 --format "$3" -q >"out-$1.csv"
	awk '{ print $1, $2, $3 + $4 }' "time-$1"
}
best_of() { # n name from format: best wall time, its RSS and its CPU time
	local b=999 m=0 c=0 t r u
	for _ in $(seq "$1"); do
		read -r t r u < <(pull "$2" "$3" "$4")
		if (( $(echo "$t < $b" | bc -l) )); then b=$t; m=$r; c=$u; fi
	done
	echo "$b $m $c"
}
psql_best() { # n SQL: best wall time of psql running the same statement to /dev/null (the server's pace)
	local b=999 s t
	for _ in $(seq "$1"); do
		s=$(date +%s.%N)
		psql -X -q -h "$PG_DIR" -p "$PG_PORT" -U postgres -d wrds -c "SET extra_float_digits = 1" -c "$2" >/dev/null
		t=$(echo "$(date +%s.%N) - $s" | bc -l)
		(( $(echo "$t < $b" | bc -l) )) && b=$t
	done
	echo "$b"
}
echo "BENCH wrds: machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for fmt in ciz legacy; do
	read -r t rss cpu < <(best_of 3 "all-$fmt" "$first" "$fmt")
	got=$(($(wc -l <"out-all-$fmt.csv") - 1))
	[ "$got" = "$rows" ] || { echo "BENCH wrds: $fmt: $got rows out, $rows in"; exit 1; }
	sql=$(wrds-pull prices --universe-file ids.csv --from "$first" --to "$last" --lookback-days 0 --format "$fmt" \
		--dry-run | sed -n '/^COPY/,$p')
	pt=$(psql_best 3 "$sql")
	eval "secs_$fmt=$t"
	printf 'BENCH wrds: %s prices: %d rows in %.2f s = %.0f rows/s (target >= 500000), client CPU %.2f s, max RSS %d KB; psql running the same COPY: %.2f s = %.0f rows/s\n' \
		"$fmt" "$got" "$t" "$(echo "$got / $t" | bc -l)" "$cpu" "$rss" "$pt" "$(echo "$got / $pt" | bc -l)"
done
bt=$(psql_best 3 "COPY crsp.dsf_v2 TO STDOUT WITH (FORMAT csv)")
printf 'BENCH wrds: the server alone, COPY of the whole dsf_v2 table (no join, no sort): %.2f s = %.0f rows/s\n' \
	"$bt" "$(echo "$rows / $bt" | bc -l)"
# On a shared machine the server's pace sets the figure: wrds-pull's rate as a share of the bare COPY's says
# what the client and the query add, whatever the load.
# shellcheck disable=SC2154 # secs_ciz, secs_legacy: set by eval above
printf 'BENCH wrds: wrds-pull against the bare COPY of the same rows: ciz %.0f%%, legacy %.0f%% of its rate\n' \
	"$(echo "100 * $bt / $secs_ciz" | bc -l)" "$(echo "100 * $bt / $secs_legacy" | bc -l)"
# The same numbers as market-gen wrote (it prints fixed decimals, the server shortest forms).
paste -d'|' "$f" out-all-ciz.csv | awk -F'|' '
	NR == 1 { next }
	{ n = split($1, a, ","); split($2, b, ",")
	  for (i = 1; i <= 9; i++) if (a[i] != b[i] && (a[i] == "" || b[i] == "" || a[i] + 0 != b[i] + 0)) {
		print "BENCH wrds: line " NR " field " i ": " a[i] " != " b[i]; bad = 1; exit 1 } }
	END { exit bad }'
cmp -s out-all-ciz.csv out-all-legacy.csv || { echo "BENCH wrds: ciz and legacy outputs differ"; exit 1; }
echo "BENCH wrds: output equals market-gen's input, field by field; ciz and legacy outputs identical"

# Flat memory: a pull of a tenth of the days must need the same RSS as the whole.
tenth=$(cut -d, -f1 "$f" | sed 1d | uniq | tail -n $((DAYS / 10)) | head -1)
read -r t small_rss _ < <(pull small "$tenth" ciz)
small=$(($(wc -l <out-small.csv) - 1))
printf 'BENCH wrds: memory: %d rows -> max RSS %d KB; %d rows -> max RSS %d KB\n' "$small" "$small_rss" "$rows" "$rss"

# top:N against market-gen's own universe (the same rule: the 1000 largest by close x shares among those
# with close x volume >= $10M, ties to the lower id): an independent check of the ranking SQL.
for fmt in ciz legacy; do
	s=$(date +%s.%N)
	wrds-pull universe --universe top:1000 --min-dollar-volume 10000000 --from "$first" --to "$last" \
		--format "$fmt" -q -o "universe-$fmt.csv"
	t=$(echo "$(date +%s.%N) - $s" | bc -l)
	# date,id,symbol are market-gen's; permco, share_class, exchange and cusip follow
	cut -d, -f1-3 "universe-$fmt.csv" | cmp -s "$u" - ||
		{ echo "BENCH wrds: $fmt: top:1000 differs from market-gen's universe"; exit 1; }
	n=$(($(wc -l <"universe-$fmt.csv") - 1))
	printf 'BENCH wrds: %s universe top:1000 over %d days: %d rows in %.2f s, identical to market-gen'"'"'s universe\n' \
		"$fmt" "$DAYS" "$n" "$t"
done
