# Storage: put and get of a 1 GiB stream through s3rver on loopback, s3-put/s3-get against Debian's awscli
# in the same run (both read the stream from a pipe and write the download to /dev/null), with peak RSS.
# Targets: s3-put and s3-get at least as fast as awscli; peak memory under 128 MB.
set -euo pipefail
# s3rver's files go to memory when there is room (/dev/shm), so the disk's writeback does not time the run.
shm=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $4}')
if [ "${shm:-0}" -gt 6000000 ]; then OUT=$(mktemp -d /dev/shm/sti-bench-storage.XXXXXX); else OUT=$(mktemp -d "$BENCH_OUT/storage.XXXXXX"); fi
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-s3.sh"
on_exit "rm -rf '$OUT'"
SIZE=${STORAGE_BENCH_BYTES:-1073741824}
data=$BENCH_OUT/random-$SIZE.bin
[ -s "$data" ] || gen_data "$data" "$SIZE"
S3_PROXY=0 s3_start bench
cat "$data" >/dev/null
mib=$((SIZE / 1048576))

run() { # label put|get cmd...: wall seconds and peak RSS (MB) of cmd, as "secs mb"; a put reads $data
	local label=$1 dir=$2 f=$OUT/time.$1
	shift 2
	sync # the previous step's dirty pages are not this step's disk traffic
	if [ "$dir" = put ]; then
		# shellcheck disable=SC2002 # a pipe on purpose: the tools stream input of unknown size
		cat "$data" | /usr/bin/time -o "$f" -f '%e %M' "$@" >/dev/null || fail "$label failed"
	else
		/usr/bin/time -o "$f" -f '%e %M' "$@" </dev/null >/dev/null || fail "$label failed"
	fi
	awk '{printf "%s %.0f\n", $1, $2 / 1024}' "$f"
}
report() { # what label secs mb
	printf 'BENCH storage: %s %-7s %6.2f s %7.0f MB/s  peak RSS %4d MB\n' "$1" "$2" "$3" \
		"$(echo "$mib / $3" | bc -l)" "$4"
}

# Twice each, alternating, and the better time of the two: s3rver's speed varies more than the clients'.
best() { # var secs: keep the smaller
	if [ -z "${!1:-}" ] || (( $(echo "$2 < ${!1}" | bc -l) )); then printf -v "$1" '%s' "$2"; fi
}
ps='' as='' gs='' bs='' pm=0 am=0 gm=0 bm=0
for _ in 1 2; do
	read -r s m < <(run s3put put s3-put s3://bench/s3-put.bin)
	report put s3-put "$s" "$m"; best ps "$s"; pm=$((m > pm ? m : pm))
	read -r s m < <(run awsput put "$S3_AWS" --endpoint-url "$S3_ENDPOINT" s3 cp --quiet - s3://bench/aws.bin)
	report put awscli "$s" "$m"; best as "$s"; am=$((m > am ? m : am))
done
for _ in 1 2; do
	read -r s m < <(run s3get get s3-get s3://bench/s3-put.bin)
	report get s3-get "$s" "$m"; best gs "$s"; gm=$((m > gm ? m : gm))
	read -r s m < <(run awsget get "$S3_AWS" --endpoint-url "$S3_ENDPOINT" s3 cp --quiet s3://bench/s3-put.bin -)
	report get awscli "$s" "$m"; best bs "$s"; bm=$((m > bm ? m : bm))
done

s3-get s3://bench/aws.bin | cmp - "$data" || fail "awscli's object differs"
"$S3_AWS" --endpoint-url "$S3_ENDPOINT" s3 cp --quiet s3://bench/s3-put.bin - | cmp - "$data" || fail "s3-put's object differs"
printf 'BENCH storage: %d MiB, best of 2: put %.2fx and get %.2fx the speed of awscli; peak RSS s3-put %d MB, s3-get %d MB (target < 128), awscli %d and %d MB\n' \
	"$mib" "$(echo "$as / $ps" | bc -l)" "$(echo "$bs / $gs" | bc -l)" "$pm" "$gm" "$am" "$bm"
