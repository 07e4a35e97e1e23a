# num_fmt: ns per value on computed returns (16-17 significant digits: the shortest-digits path), on
# 2-decimal prices (the fixed-point path) and on integers (the integer path), against num_fmt_printf, the
# printf + strtod search that num_fmt ran for every value of more than 15 digits until it had its own.
set -euo pipefail
"$TOP/build/release/bench/num_fmt" 1000000
