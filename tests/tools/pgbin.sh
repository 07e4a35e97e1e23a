# lib/pgbin's fixtures (tests/fixtures/pgbin) are what a real PostgreSQL server writes: the same statements
# in COPY's binary format and in its CSV (HEADER) format, in wrds-pull's session (pg_session_sql), over
# values of every shape (tests/fixtures/pgbin/values.py: dates from 4714-11-24 BC to 5874897-12-31 and
# the infinities, the int4 and int8 extremes, doubles of every binary exponent with NaN, the infinities and
# -0, text that CSV must quote, NULLs in every column). tests/unit/check_pgbin decodes each .bin and must
# write its .csv byte for byte; this test says that those files are still the server's own output. To
# refresh them: copy this test's work files (build/release/test-out/pgbin/) over the fixtures.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-pg.sh"
FIX=$TOP/tests/fixtures/pgbin

pg_start
pg_sql <<'SQL'
CREATE TABLE v (n int, k int, d date, i int4, b int8, f float8, t text);
SQL
/usr/bin/python3 "$FIX/values.py" | pg_sql -c "COPY v FROM STDIN"
# the days outside Python's years 1-9999, added by the server's own date arithmetic
pg_sql -c "UPDATE v SET d = DATE '2000-01-01' + k WHERE k IS NOT NULL"

dump() { # NAME SELECT: NAME.bin and NAME.csv, the statement's rows in both formats
	local f
	for f in "binary:bin" "csv, HEADER:csv"; do
		psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -c "SET DateStyle = 'ISO, YMD'" \
			-c "SET extra_float_digits = 1" -c "SET client_encoding = 'UTF8'" \
			-c "COPY ($2) TO STDOUT WITH (FORMAT ${f%%:*})" >"$1.${f##*:}"
	done
}
t "every shape, five columns, a header name CSV must quote"
dump v 'SELECT d, i, b, f AS "f,1", t AS "t ""x""" FROM v ORDER BY n'
assert_eq 3001 "$(/usr/bin/python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))))' v.csv)" "CSV records"
for x in bin csv; do assert_same_file "$FIX/v.$x" "v.$x"; done
t "one column: the text \\. alone on its line is quoted"
dump t 'SELECT t FROM v ORDER BY n'
grep -qx '"\\."' t.csv || fail 'the server did not quote \.'
for x in bin csv; do assert_same_file "$FIX/t.$x" "t.$x"; done
t "no rows: the header and the trailer only"
dump e 'SELECT d, i, b, f AS "f,1", t AS "t ""x""" FROM v WHERE false'
for x in bin csv; do assert_same_file "$FIX/e.$x" "e.$x"; done
