# pipelines/members.sh: a universe's members and their bars, for the flows and their tests (sourced, not
# run; no side effects; needs pipelines/csv.sh). Columns by name (sti-formats(5)).
# shellcheck shell=bash

# universe_from_file FILE DATE: the members of UNIVERSE_SOURCE=file as a snapshot date,id,symbol: FILE is
# one symbol a line (the id is the symbol; '#' comments and blank lines skipped), or a CSV with a symbol
# column and optionally an id column (found by name). The rows are in the panel's order of ids
# (prices-merge(1), lib/panel.h): ids of digits only first, by value (9 before 10), then the others by
# bytes; an id listed twice is kept once.
universe_from_file() {
	local rows
	rows=$(awk -F, -v d="$2" "$CSV_AWK"'NR == 1 && (/,/ || $0 == "symbol") { csv = 1; csv_header(); col("symbol"); next }
		csv { s = col("symbol"); id = csv_has("id") ? col("id") : s; if (s != "") print d "," id "," s; next }
		/^[[:space:]]*(#|$)/ { next } { gsub(/[[:space:]]/, ""); print d "," $0 "," $0 }
		END { if (csv_bad) exit 65 }' "$1") || return
	echo "date,id,symbol"
	[ -n "$rows" ] || return 0
	# Numeric ids: by value, then by bytes ("007" and "7" are two ids); -u drops a line only when both agree.
	grep -E '^[^,]*,[0-9]+,' <<<"$rows" | LC_ALL=C sort -t, -k2,2n -k2,2 -u || true
	grep -vE '^[^,]*,[0-9]+,' <<<"$rows" | LC_ALL=C sort -t, -k2,2 -u || true
}

# ib_members SNAPSHOT: the members as ib-bars(1) input: id,symbol and primary_exchange when the universe
# has it.
ib_members() {
	if head -n 1 "$1" | tr , '\n' | grep -qx primary_exchange; then
		csv_select id,symbol,primary_exchange "$1"
	else
		csv_select id,symbol "$1"
	fi
}

# missing_members SNAPSHOT BARS DATE: "symbol(id)" of each member of SNAPSHOT (each id once) without a row
# dated DATE in BARS, one a line, sorted.
missing_members() {
	awk -F, -v d="$3" "$CSV_AWK"'FNR == 1 { csv_header(); next }
		FILENAME == ARGV[1] { want[col("id")] = col("symbol"); next }
		col("date") == d { have[col("id")] = 1 }
		END { if (csv_bad) exit 65; for (id in want) if (!(id in have)) print want[id] "(" id ")" }' "$1" "$2" |
		LC_ALL=C sort
}

# coverage SNAPSHOT BARS DATE: the coverage rule of the daily flow: the share of SNAPSHOT's members (each id
# once) that have a row dated DATE in BARS, in thousandths, rounded down; 0 for an empty SNAPSHOT.
coverage() {
	local n m
	n=$(csv_select -H id "$1" | LC_ALL=C sort -u | wc -l) || return
	m=$(missing_members "$@" | wc -l) || return
	if [ "$n" -eq 0 ]; then echo 0; else echo $(((n - m) * 1000 / n)); fi
}

# per_mille FRACTION: a fraction in [0, 1] (COVERAGE_MIN, as 0.95 or 1) in thousandths, rounded down.
per_mille() {
	awk -v c="$1" 'BEGIN { if (c !~ /^(0|1)?(\.[0-9]+)?$/ || c == "" || c + 0 > 1) { print "per_mille: not a fraction in [0, 1]: " c > "/dev/stderr"; exit 65 }
		printf "%d\n", c * 1000 + 1e-9 }'
}
