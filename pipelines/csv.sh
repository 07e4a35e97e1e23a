# pipelines/csv.sh: CSV columns by name for the flows and their tests (sourced, not run; no side effects).
# The flows never select a column by its position (cut -f N, awk $N): a column found by its header's name
# survives a column added or moved by a tool (sti-formats(5) promises the names, not the order).
# Fields are split on commas: the panels, universes and weights of sti-formats(5) quote nothing.
# shellcheck shell=bash

# CSV_AWK: awk functions for programs that need more than csv_select, as in
#   awk -F, "$CSV_AWK"'FNR == 1 { csv_header(); next } col("date") == d { print col("id") }' FILE...
# csv_header() reads the names of the current file's header (call it on each FNR == 1); col(NAME) is the
# field named NAME (the first such column) and csv_has(NAME) says whether there is one. A name the header
# lacks stops the program with "FILE: no column 'NAME'" on stderr and status 65; an END block of the
# program starts with `if (csv_bad) exit 65` so that it prints nothing then.
# shellcheck disable=SC2016
CSV_AWK='
function csv_header(   i, k) { for (k in csv_at) delete csv_at[k]; for (i = NF; i >= 1; i--) csv_at[$i] = i }
function csv_has(name) { return name in csv_at }
function col(name) {
	if (!(name in csv_at)) {
		printf "%s: no column \047%s\047\n", (FILENAME == "" || FILENAME == "-") ? "<stdin>" : FILENAME, name > "/dev/stderr"
		csv_bad = 1
		exit 65
	}
	return $csv_at[name]
}
'

# csv_select [-H] [-w COL=VALUE] COLS [FILE...]: the columns COLS (names, comma-separated, in that order)
# of each FILE (standard input without one), a header line COLS first (-H: none); COLS '*' is every column
# (the rows whole, under the first FILE's header); -w keeps the rows whose COL is VALUE. Each FILE has its own header (the columns may sit at different places in each). A column a
# FILE lacks is an error: "FILE: no column 'NAME'" on stderr, status 65 (EX_DATAERR).
csv_select() {
	local header=1 wcol="" wval=""
	while [ $# -gt 0 ]; do
		case $1 in
		-H) header=0; shift ;;
		-w) wcol=${2%%=*} wval=${2#*=}; shift 2 ;;
		*) break ;;
		esac
	done
	[ $# -gt 0 ] || { echo "usage: csv_select [-H] [-w COL=VALUE] COLS [FILE...]" >&2; return 64; }
	awk -F, -v cols="$1" -v header="$header" -v wcol="$wcol" -v wval="$wval" "$CSV_AWK"'
	BEGIN { all = cols == "*"; n = split(cols, want, ","); if (header && !all) print cols }
	FNR == 1 { csv_header(); if (header && all && NR == 1) print; for (j = 1; j <= n && !all; j++) col(want[j])
		if (wcol != "") col(wcol); next }
	wcol != "" && col(wcol) != wval { next }
	all { print; next }
	{ line = col(want[1]); for (j = 2; j <= n; j++) line = line "," col(want[j]); print line }
	END { if (csv_bad) exit 65 }' "${@:2}"
}

# csv_last COL FILE: COL of FILE's last row, or nothing when FILE has no row. Reads the header and the last
# line only: it costs nothing on a panel of millions of rows.
csv_last() {
	local head last
	head=$(head -n 1 "$2")
	last=$(tail -n 1 "$2")
	if [ "$last" = "$head" ]; then # a header alone: no row (a missing COL is still an error)
		csv_select -H "$1" "$2"
	else
		printf '%s\n%s\n' "$head" "$last" | csv_select -H "$1"
	fi
}

# csv_set_date FILE DATE: FILE with its date column set to DATE on every row.
csv_set_date() {
	awk -F, -v OFS=, -v d="$2" "$CSV_AWK"'NR == 1 { csv_header(); col("date"); print; next } { $csv_at["date"] = d; print }
		END { if (csv_bad) exit 65 }' "$1"
}

# panel_split FILE DIR: FILE (a date-major panel: prices, a universe) as DIR/YYYY.csv, one file a year, each with
# FILE's header; the date column is found by name. Prints the years written.
panel_split() {
	mkdir -p "$2"
	awk -F, -v dir="$2" "$CSV_AWK"'NR == 1 { hdr = $0; csv_header(); col("date"); next }
		{ y = substr(col("date"), 1, 4); if (y != cur) { if (out) close(out); cur = y; out = dir "/" y ".csv"
			print hdr > out; print y } print > out }
		END { if (csv_bad) exit 65 }' "$1"
}
