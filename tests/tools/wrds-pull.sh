# wrds-pull against a real PostgreSQL server loaded with the hand-written CRSP fixture
# (tests/fixtures/crsp): exact outputs in both table sets, credentials, failures and their exit codes.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-pg.sh"
FIX=$TOP/tests/fixtures/crsp
X=$FIX/expected
SECRET='Sekr1t:pa55-w0rd'

pg_start
pg_sql -c "CREATE DATABASE wrds" -c "CREATE DATABASE slow" -c "CREATE DATABASE empty"
pg_sql -d wrds -f "$FIX/schema.sql" -f "$FIX/data.sql"
# The reader role of the credential tests: its password is set with statement logging off, so that
# any occurrence of it in the server log can only come from wrds-pull.
pg_sql -d wrds <<SQL
SET log_statement = 'none';
CREATE ROLE reader LOGIN PASSWORD '$SECRET';
RESET log_statement;
GRANT USAGE ON SCHEMA crsp TO reader;
GRANT SELECT ON ALL TABLES IN SCHEMA crsp TO reader;
REVOKE SELECT ON crsp.dsedelist FROM reader;
SQL
# "slow": a CIZ dsf_v2 whose rows leave the server about one per millisecond while the COPY streams (a
# sleeping function in a view over an index scan already in the output's order: no sort holds the rows
# back), so that a test can break the connection mid-stream.
pg_sql -d slow -f "$FIX/schema.sql"
pg_sql -d slow <<'SQL'
ALTER TABLE crsp.dsf_v2 RENAME TO dsf_v2_raw;
INSERT INTO crsp.dsf_v2_raw (permno, dlycaldt, dlyret, dlyprc)
SELECT p, DATE '2024-01-02' + d, 0.01, 10 FROM generate_series(1, 100) p, generate_series(0, 29) d;
CREATE INDEX ON crsp.dsf_v2_raw (dlycaldt, permno);
CREATE FUNCTION crsp.slow(x numeric) RETURNS numeric LANGUAGE plpgsql STABLE
AS $$BEGIN PERFORM pg_sleep(0.001); RETURN x; END$$;
CREATE VIEW crsp.dsf_v2 AS SELECT permno, dlycaldt, crsp.slow(dlyret) AS dlyret, dlyprc, dlyprcflg, dlyvol,
	dlyopen, dlyhigh, dlylow, dlybid, dlyask, dlydelflg FROM crsp.dsf_v2_raw;
ALTER DATABASE slow SET enable_sort = off;
ALTER DATABASE slow SET enable_seqscan = off;
ALTER DATABASE slow SET enable_bitmapscan = off;
ALTER DATABASE slow SET enable_hashjoin = off;
ALTER DATABASE slow SET enable_mergejoin = off;
GRANT USAGE ON SCHEMA crsp TO reader;
GRANT SELECT ON ALL TABLES IN SCHEMA crsp TO reader;
SQL
# streaming FILE: wait until wrds-pull's temporary for FILE has data (the COPY is under way).
temp_has_data() { local f; f=$(compgen -G "$1.tmp.*" | head -1) || true; [ -n "$f" ] && [ -s "$f" ]; }
streaming() { WAIT_STEP=0.02 wait_for 30 temp_has_data "$1" || fail "$1: the COPY did not start streaming"; }
terminate() {
	pg_sql -d postgres -Atc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wrds-pull'" >/dev/null
}
export PGDATABASE=wrds

# Each case runs on both table sets and must give the same bytes: the fixture holds one market in CIZ's
# shape (a delisting return on its own dsf_v2 row the trading day after the last price, dlydelflg 'Y', no
# price) and in SIZ's (dlstdt = the last price date, dlret in dsedelist), as CRSP documents them
# (wrds-crsp.md). The expected files were checked row by row against the fixture's comments.
for f in ciz legacy; do
	t "$f: S&P 500 snapshots (two spells, a rename within a spell whose name rows overlap a day, a new member)"
	# dsp500list spells; the ticker of the day from the names; overlapping name rows: the later one, once
	wrds-pull universe --universe sp500 --from 2024-01-02 --to 2024-01-12 --format $f -q >u.csv
	assert_same_file "$X/universe-sp500.csv" u.csv
	t "$f: S&P 500 spells"
	wrds-pull universe --universe sp500 --spells --from 2024-01-02 --to 2024-01-12 --format $f -q >s.csv
	assert_same_file "$X/universe-sp500-spells.csv" s.csv
	t "$f: top 3 common stocks with a dollar-volume floor (no when-issued KKK before 2024-01-08, no halted MMM on 01-04)"
	# tidy-finance's filters: CIZ conditionaltype RW/NW and tradingstatusflg A = legacy exchcd 1-3/31-33;
	# the capitalisation tie of ZZA and ZZB (same $1M) is broken by permno
	wrds-pull universe --universe top:3 --min-dollar-volume 1000000 --from 2024-01-02 --to 2024-01-12 \
		--format $f -q -o top.csv
	assert_same_file "$X/universe-top3-floor.csv" top.csv
	t "$f: who is eligible (shrcd 12 / usincflg N, exchcd 4 / Arca, WI line, halted day, prc 0 out; NW line in)"
	wrds-pull universe --universe top:20 --from 2024-01-04 --to 2024-01-05 --format $f -q >elig.csv
	assert_same_file "$X/universe-top20-eligible.csv" elig.csv
	t "$f: the rank tie at the cut: top:1 on 2024-01-11 is ZZA (10018), not ZZB (10019), with the same cap"
	wrds-pull universe --universe top:1 --from 2024-01-11 --to 2024-01-11 --format $f -q >tie.csv
	assert_eq "$(printf 'date,id,symbol,permco,share_class,exchange,cusip\n2024-01-11,10018,ZZA,50018,A,N,C1001810')" \
		"$(cat tie.csv)" "tie broken by permno, share class and permco kept"
	t "$f: top 4 without a floor lets the illiquid JJJ in (2024-01-05: BBB 154.5k, AAA 101.5k, MMM 61k, JJJ 50k)"
	wrds-pull universe --universe top:4 --from 2024-01-05 --to 2024-01-05 --format $f -q >top0.csv
	printf 'date,id,symbol\n2024-01-05,10001,AAA\n2024-01-05,10002,BBB\n2024-01-05,10010,JJJ\n2024-01-05,10013,MMM\n' >want
	assert_same_file want <(cut -d, -f1-3 top0.csv)
	t "$f: S&P 500 with a dollar-volume floor (DDD's day without a price drops out)"
	wrds-pull universe --universe sp500 --min-dollar-volume 1000000 --from 2024-01-05 --to 2024-01-05 \
		--format $f -q >spf.csv
	printf 'date,id,symbol\n2024-01-05,10001,AAA\n2024-01-05,10002,BBB\n' >want
	assert_same_file want <(cut -d, -f1-3 spf.csv)
	t "$f: a name at the floor flips daily; --adv-days 2 keeps it (the mean of \$0.9M and \$1.1M is the \$1M floor)"
	wrds-pull universe --universe top:30 --min-dollar-volume 1000000 --from 2024-01-02 --to 2024-01-12 \
		--format $f -q >flr1.csv
	assert_eq "2024-01-02 2024-01-04 2024-01-08 2024-01-10 2024-01-12" \
		"$(grep ',FLR,' flr1.csv | cut -d, -f1 | paste -sd' ')" "FLR on its \$1.1M days only"
	wrds-pull universe --universe top:30 --min-dollar-volume 1000000 --adv-days 2 --from 2024-01-02 \
		--to 2024-01-12 --format $f -q >flr2.csv
	# 2024-01-02 averages with 2023-12-29, a day before --from
	assert_eq "2024-01-02 2024-01-03 2024-01-04 2024-01-05 2024-01-08 2024-01-09 2024-01-10 2024-01-11 2024-01-12" \
		"$(grep ',FLR,' flr2.csv | cut -d, -f1 | paste -sd' ')" "FLR every day with a 2-day average"
	t "$f: --min-price 5 (inclusive): JJJ at 4.5 out on 2024-01-11, at 5 in on 2024-01-12"
	wrds-pull universe --universe top:30 --min-price 5 --from 2024-01-11 --to 2024-01-12 --format $f -q >mp.csv
	assert_eq "2024-01-12" "$(grep ',JJJ,' mp.csv | cut -d, -f1)" "JJJ's days"
	if grep -q ',III,\|,JJJ,.*2024-01-11' mp.csv; then fail "a name below the price floor"; fi
	t "$f: --reconstitute monthly: ranked on 2023-12-29 (December's last trading day), held through January"
	# AAA, DDD and FLR are the largest on 2023-12-29; KKK, ZZA and ZZB, larger later, wait for January's
	# end; DDD is listed on its days with a price (not 01-05, prc 0; not after its delisting)
	wrds-pull universe --universe top:3 --reconstitute monthly --from 2023-12-29 --to 2024-01-12 --format $f -q >mon.csv
	assert_same_file "$X/universe-top3-monthly.csv" mon.csv
	t "$f: prices of a universe read from stdin, 5 trading days of lookback"
	# DDD: its last price 2024-01-09 keeps its own ret (0.25), the merger's dlret (-0.5) is on 01-10
	wrds-pull prices --from 2024-01-09 --to 2024-01-12 --lookback-days 5 --format $f -q <"$X/universe-sp500.csv" \
		>p.csv 2>/dev/null
	assert_same_file "$X/prices-sp500.csv" p.csv
	t "$f: prices across delistings (rows the day after the last price, missing dlret), prc 0, bid/ask days, vol -99"
	# HHH and MMM: on days without trades, high/low are the closing ask/bid in both table sets
	printf 'id\n10004\n10005\n10008\n10009\n10001\n10010\n10004\n10014\n10015\n10016\n10003\n10013\n' >ids.csv
	wrds-pull prices --universe-file ids.csv --from 2024-01-02 --to 2024-01-12 --format $f -o pd.csv 2>pd.err
	assert_same_file "$X/prices-delistings.csv" pd.csv
	t "$f: the missing delisting returns are counted (EEE 552, NNN 584, OOO 500, PPP 241)"
	assert_contains pd.err "prices: 4 delisting returns missing in CRSP, left empty (3 performance delistings: --fill-dlret fills them)"
	t "$f: --fill-dlret: Shumway's -0.30 (NNN 584 on NYSE, OOO 500 on AMEX), -0.55 on NASDAQ (EEE 552), a merger (PPP) left empty"
	wrds-pull prices --universe-file ids.csv --from 2024-01-02 --to 2024-01-12 --format $f --fill-dlret -o pf.csv 2>pf.err
	diff pd.csv pf.csv | grep '^>' >filled || true
	printf '> 2024-01-08,10015,OOO,,,,,,-0.3\n> 2024-01-09,10014,NNN,,,,,,-0.3\n> 2024-01-11,10005,EEE,,,,,,-0.55\n' >want
	assert_same_file want filled
	assert_contains pf.err "4 delisting returns missing in CRSP: 3 performance delistings filled (-0.30, NASDAQ -0.55), 1 left empty"
	t "$f: latest prints CRSP's last date"
	assert_eq 2024-01-12 "$(wrds-pull latest --format $f)" "latest"
done

t "CIZ prices leave numeric uncast: the client writes the bytes of the server's own ::float8 (30,000 values)"
# The expectation is PostgreSQL's: the same rows with the casts done by the server (float8in, then Ryu's
# float8out). The values are numeric_out's text of every shape: prices padded to 4 decimals, returns of up
# to 20 decimals, the exact decimal expansions of random doubles of every binary exponent (subnormals and
# powers of two included), integers about 10^15 and 2^53, and a quoted ticker with a comma and a quote.
pg_sql -c "CREATE DATABASE float"
pg_sql -d float -f "$FIX/schema.sql"
/usr/bin/python3 - >float.sql <<'PY'
import random, struct
from decimal import Decimal
r = random.Random(16)
def dbl():
    k = r.randrange(8)
    if k == 0:    # any finite double, every exponent
        while True:
            v = struct.unpack('<d', struct.pack('<Q', r.getrandbits(63)))[0]
            if v == v and v != float('inf') and v != 0:
                return str(Decimal(v))
    if k == 1:    # a power of two
        return str(Decimal(2.0 ** r.randrange(-1074, 1024)))
    if k == 2:    # a price as numeric(12,4) prints it
        return '%d.%04d' % (r.randrange(0, 10 ** 6), r.randrange(10000))
    if k == 3:    # a return of 1 to 20 decimals
        return ('-' if r.random() < 0.5 else '') + '0.' + ''.join(r.choice('0123456789') for _ in range(r.randrange(1, 21)))
    if k == 4:    # about 10^15 and 2^53
        return str(r.choice([10 ** 15, 2 ** 53]) + r.randrange(-3000, 3000))
    if k == 5:    # shortest text of a random double in numeric's plain form
        v = r.uniform(-1, 1) * 10.0 ** r.randrange(-12, 22)
        return format(Decimal(repr(v)), 'f')
    if k == 6:    # small magnitudes at the fixed/exponent edge
        return '0.' + '0' * r.randrange(2, 7) + str(r.randrange(1, 10 ** r.randrange(1, 18)))
    return '%d' % r.randrange(1, 10 ** r.randrange(1, 19))
print("COPY crsp.dsf_v2 (permno, dlycaldt, dlyopen, dlyhigh, dlylow, dlyprc, dlyret, dlyvol) FROM STDIN;")
for p in range(1, 101):
    for d in range(60):
        print('%d\t2024-%02d-%02d\t%s\t%s\t%s\t%s\t%s\t%d' % (p, 1 + d // 28, 1 + d % 28, dbl(), dbl(), dbl(), dbl(), dbl(), d))
print("\\.")
PY
pg_sql -d float <<'SQL'
ALTER TABLE crsp.dsf_v2 ALTER dlyprc TYPE numeric, ALTER dlyopen TYPE numeric, ALTER dlyhigh TYPE numeric,
	ALTER dlylow TYPE numeric;
SQL
pg_sql -d float -f float.sql
pg_sql -d float -c "INSERT INTO crsp.stksecurityinfohist (permno, secinfostartdt, ticker) VALUES (1, '2000-01-01', 'A,\"B')"
seq 1 100 | sed '1i id' >ids-float.csv
PGDATABASE=float wrds-pull prices --universe-file ids-float.csv --from 2024-01-01 --to 2024-03-31 --lookback-days 0 \
	-q -o float.csv
pg_sql -d float -c "SET extra_float_digits = 1" -c 'COPY (SELECT b.dlycaldt AS "date", b.permno AS id,
	(SELECT n.ticker FROM crsp.stksecurityinfohist n WHERE n.permno = b.permno) AS symbol,
	NULLIF(abs(b.dlyopen::float8), 0) AS "open", NULLIF(abs(b.dlyhigh::float8), 0) AS high,
	NULLIF(abs(b.dlylow::float8), 0) AS low, NULLIF(abs(b.dlyprc::float8), 0) AS "close",
	b.dlyvol::bigint AS volume, b.dlyret::float8 AS ret FROM crsp.dsf_v2 b ORDER BY 1, 2) TO STDOUT WITH (FORMAT csv, HEADER)' \
	>float-server.csv
[ "$(wc -l <float.csv)" = 6001 ] || fail "float.csv: $(wc -l <float.csv) lines, want 6001"
assert_same_file float-server.csv float.csv
grep -q '"A,""B"' float.csv || fail "the quoted ticker is not in the output"

t "the universe's extra columns do not disturb its readers (universe-diff finds date, id, symbol by name)"
head -5 "$X/universe-sp500.csv" >day1.csv
grep -e '^date' -e '^2024-01-08' "$X/universe-sp500.csv" >day2.csv
s=0; universe-diff day1.csv day2.csv >diff.ndjson || s=$?
assert_eq 1 "$s" "universe-diff's status when the snapshots differ"
assert_contains diff.ndjson '"id":"10006"'
assert_contains diff.ndjson '"symbol":"BBBX"'

t "usage: --adv-days without a floor, --reconstitute with sp500, latest with a range: 64, no connection"
assert_status 64 wrds-pull universe --universe top:3 --adv-days 5 --from 2024-01-02 --to 2024-01-12 2>e1
assert_contains e1 "--adv-days"
assert_status 64 wrds-pull universe --universe sp500 --reconstitute monthly --from 2024-01-02 --to 2024-01-12 2>e2
assert_contains e2 "--reconstitute"
assert_status 64 wrds-pull latest --from 2024-01-02 2>e3
assert_status 64 wrds-pull universe --universe top:3 --reconstitute weekly --from 2024-01-02 --to 2024-01-12 2>e4

t "the dry-run SQL is what runs: psql gives the same bytes"
wrds-pull universe --universe top:3 --min-dollar-volume 1000000 --from 2024-01-02 --to 2024-01-12 --dry-run |
	pg_sql -d wrds -f - >psql.csv
assert_same_file "$X/universe-top3-floor.csv" psql.csv

t "both table sets' prices sort in parallel workers: legacy's correlated subquery is kept off the dsf rows"
# PostgreSQL 15's documentation, "Parallel Safety" (https://www.postgresql.org/docs/15/parallel-safety.html):
# a plan node that references a correlated SubPlan is parallel restricted, it runs in the leader only.
# Legacy's delisting rows need one (the next trading day from dsi): in the same UNION ALL as dsf's rows
# under one sort, the whole pull (the sort of every row) stayed on one process, where CIZ's ran its scan,
# join and sort in workers. With parallel plans made free for the planner, the dsf scan must run in
# workers whose sorted rows the leader merges (Gather Merge), in both table sets.
for f in ciz legacy; do
	sql=$(wrds-pull prices --universe-file ids.csv --from 2024-01-02 --to 2024-01-12 --format $f --dry-run |
		sed -n '/^COPY (/,/^) TO STDOUT/p' | sed -e 1d -e '$d')
	pg_sql -d wrds -c "SET parallel_setup_cost = 0" -c "SET parallel_tuple_cost = 0" \
		-c "SET min_parallel_table_scan_size = 0" -c "EXPLAIN (COSTS OFF) $sql" >plan-$f.txt
	assert_contains plan-$f.txt "Gather Merge"
	assert_contains plan-$f.txt "Parallel Seq Scan on dsf"
done

t "a full disk: 74"
assert_status 74 wrds-pull universe --universe sp500 --from 2024-01-02 --to 2024-01-12 -q >/dev/full 2>full.err
assert_contains full.err "No space left on device"

t "log line on success (not a terminal: JSON)"
STI_LOG_FORMAT=json wrds-pull universe --universe sp500 --from 2024-01-02 --to 2024-01-02 -o one.csv 2>log.json
assert_contains log.json '"msg":"universe: 4 rows in '

# ---- credentials over TCP (TLS, SCRAM) ----
tcp() { env -u PGUSER PGHOST=127.0.0.1 WRDS_USERNAME=reader "$@"; }

t "TCP + TLS (sslmode=require by default) with WRDS_PASSWORD"
tcp WRDS_PASSWORD="$SECRET" wrds-pull universe --universe sp500 --from 2024-01-02 --to 2024-01-12 -q >tcp.csv 2>err
assert_same_file "$X/universe-sp500.csv" tcp.csv
pg_sql -d wrds -Atc "SELECT count(*) FROM pg_stat_ssl" >/dev/null

t "WRDS_PASSWORD_FILE"
printf '%s\n' "$SECRET" >pw.txt
tcp WRDS_PASSWORD_FILE=pw.txt wrds-pull universe --universe sp500 --from 2024-01-02 --to 2024-01-02 -q >/dev/null

t "PGPASSFILE (libpq reads it; ':' escaped)"
printf '127.0.0.1:%s:wrds:reader:%s\n' "$PGPORT" "${SECRET//:/\\:}" >pgpass
chmod 600 pgpass
tcp PGPASSFILE=$PWD/pgpass wrds-pull universe --universe sp500 --from 2024-01-02 --to 2024-01-02 -q >/dev/null

t "wrong password: 77, nothing written"
assert_status 77 tcp WRDS_PASSWORD="${SECRET}x" wrds-pull universe --universe sp500 --from 2024-01-02 \
	--to 2024-01-02 -o wrong.csv 2>wrong.err
assert_contains wrong.err 'password authentication failed for user "reader"'
[ ! -e wrong.csv ] || fail "wrong.csv was written"

t "no password at all: 77 with a hint"
assert_status 77 tcp PGPASSFILE=/nonexistent wrds-pull universe --universe sp500 --from 2024-01-02 --to 2024-01-02 2>nopw.err
assert_contains nopw.err "set WRDS_PASSWORD or add the password to ~/.pgpass"

t "no SELECT privilege on dsedelist: 77"
assert_status 77 tcp WRDS_PASSWORD="$SECRET" wrds-pull prices --format legacy --from 2024-01-02 --to 2024-01-03 \
	-o perm.csv <ids.csv 2>perm.err
assert_contains perm.err "permission denied for table dsedelist"
[ ! -e perm.csv ] || fail "perm.csv was written"

t "missing schema: 69"
assert_status 69 env PGDATABASE=empty wrds-pull universe --universe sp500 --from 2024-01-02 --to 2024-01-02 2>miss.err
assert_contains miss.err 'relation "crsp.stksecurityinfohist" does not exist'

t "a server that accepts TCP but never answers (a pending Duo approval): --connect-timeout, 69"
hang_port=$(free_port)
start_bg hang /usr/bin/python3 -c "import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',$hang_port)); s.listen(5)
c=s.accept(); time.sleep(60)"
wait_port "$hang_port"
tcp PGPORT=$hang_port WRDS_PASSWORD="$SECRET" wrds-pull universe --universe sp500 --from 2024-01-02 --to 2024-01-02 \
	--connect-timeout 2 -o hang.csv 2>hang.err &
pid=$!
sleep 0.5
t "the password is in no process's command line while it waits"
ps -eww -o args= >ps.txt
if grep -qF -- "$SECRET" ps.txt; then fail "the password shows in ps"; fi
if tr '\0' ' ' </proc/$pid/cmdline | grep -qF -- "$SECRET"; then fail "the password is in argv"; fi
s=0; wait $pid || s=$?
assert_eq 69 "$s" "exit status after the connect timeout"
assert_contains hang.err "timeout expired"

# ---- losing the connection mid-stream ----
t "pg_terminate_backend while the COPY streams: 75, no output file, no temporary left"
seq 1 100 | sed '1i id' >ids100.csv
PGDATABASE=slow wrds-pull prices --universe-file ids100.csv --from 2024-01-02 --to 2024-01-31 --lookback-days 0 \
	-o killed.csv 2>killed.err &
pid=$!
streaming killed.csv
terminate
s=0; wait $pid || s=$?
cat killed.err
assert_eq 75 "$s" "exit status after pg_terminate_backend"
assert_contains killed.err "terminating connection due to administrator command"
[ ! -e killed.csv ] || fail "killed.csv was left"
if compgen -G 'killed.csv.tmp.*' >/dev/null; then fail "a temporary was left"; fi

t "the same on stdout: 75 and the rows so far, never a clean end"
PGDATABASE=slow wrds-pull prices --universe-file ids100.csv --from 2024-01-02 --to 2024-01-31 --lookback-days 0 \
	>partial.csv 2>partial.err &
pid=$!
WAIT_STEP=0.02 wait_for 30 test -s partial.csv || true
terminate
s=0; wait $pid || s=$?
assert_eq 75 "$s" "exit status on stdout"
[ "$(wc -l <partial.csv)" -lt 3001 ] || fail "the whole output arrived"

t "no password in the server log, in any error message or log line"
cat ./*.err log.json >all-stderr
if grep -qF -- "$SECRET" all-stderr; then fail "the password is in an error message"; fi
pg_log >server.log
grep -q 'connection authorized: user=reader' server.log || fail "the TCP tests did not log in"
if grep -qF -- "$SECRET" server.log; then fail "the password is in the server log"; fi

t "the server stops mid-stream: 75"
tcp PGDATABASE=slow WRDS_PASSWORD="$SECRET" wrds-pull prices --universe-file ids100.csv --from 2024-01-02 \
	--to 2024-01-31 --lookback-days 0 -o stopped.csv 2>stopped.err &
pid=$!
streaming stopped.csv
pg_stop
s=0; wait $pid || s=$?
cat stopped.err
assert_eq 75 "$s" "exit status when the server stops"
[ ! -e stopped.csv ] || fail "stopped.csv was left"
if grep -qF -- "$SECRET" stopped.err; then fail "the password is in an error message"; fi
