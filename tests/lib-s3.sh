# tests/lib-s3.sh: an S3 server for tool tests (source after lib.sh).
# s3_start BUCKET...: start s3rver (npm, tests/node_modules) on a free loopback port with the buckets, and
# in front of it tests/s3proxy.py, which checks every request's SigV4 signature with botocore, checks
# payload hashes and checksums, implements AbortMultipartUpload and injects faults (s3_fault).
# Sets S3_ENDPOINT (the proxy: what clients use), S3_DIRECT (s3rver itself), S3_DATA (its directory),
# and the client environment: the only credentials are s3rver's (S3RVER/S3RVER), HOME is $OUT.
# With S3_PROXY=0 (benchmarks) there is no proxy and S3_ENDPOINT is s3rver itself.

S3_PY=/usr/bin/python3
S3_AWS=/usr/bin/aws # Debian's awscli, not whatever is first on PATH

s3_start() {
	local port proxy b args=()
	[ -x "$TOP/tests/node_modules/s3rver/bin/s3rver.js" ] || [ -f "$TOP/tests/node_modules/s3rver/bin/s3rver.js" ] ||
		fail "s3rver is not installed: run tests/setup-node (make deps-test)"
	S3_DATA=$OUT/s3rver-data
	mkdir -p "$S3_DATA"
	for b in "$@"; do args+=(--configure-bucket "$b"); done
	port=$(free_port)
	# s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider.
	start_bg s3rver node --openssl-legacy-provider "$TOP/tests/node_modules/s3rver/bin/s3rver.js" -d "$S3_DATA" -a 127.0.0.1 -p "$port" \
		--silent "${args[@]}"
	wait_port "$port"
	S3_DIRECT=http://127.0.0.1:$port
	S3_ENDPOINT=$S3_DIRECT
	if [ "${S3_PROXY:-1}" != 0 ]; then
		proxy=$(free_port)
		start_bg s3proxy "$S3_PY" "$TOP/tests/s3proxy.py" --port "$proxy" --upstream "$port" --data "$S3_DATA"
		wait_port "$proxy"
		S3_ENDPOINT=http://127.0.0.1:$proxy
	fi
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CA_BUNDLE AWS_DEFAULT_REGION AWS_CONFIG_FILE AWS_ENDPOINT_URL_S3 \
		AWS_SHARED_CREDENTIALS_FILE STI_STORE
	export HOME=$OUT AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 \
		AWS_EC2_METADATA_DISABLED=true AWS_ENDPOINT_URL=$S3_ENDPOINT AWS_PAGER=
}

# s3_fault METHOD FAULT [COUNT] [EXTRA-QUERY]: queue a fault in the proxy (see tests/s3proxy.py).
s3_fault() {
	curl -sf "$S3_ENDPOINT/__fault?method=$1&fault=$2&count=${3:-1}${4:+&$4}" >/dev/null || fail "s3_fault $*"
}
s3_faults_clear() { curl -sf "$S3_ENDPOINT/__faults/clear" >/dev/null; }

# s3_log: the proxy's request log so far, one "METHOD PATH -> STATUS [note]" a line.
s3_log() { curl -sf "$S3_ENDPOINT/__log"; }

# s3_logged ERE: whether the proxy's log has a line matching ERE (no pipe: grep -q would cut it short).
s3_logged() { local l; l=$(s3_log); grep -qE -- "$1" <<<"$l"; }
# s3_logcount ERE: how many log lines match.
s3_logcount() { local l; l=$(s3_log); grep -cE -- "$1" <<<"$l" || true; }

# aws_s3 ARGS...: Debian's awscli against the proxy.
aws_s3() { "$S3_AWS" --endpoint-url "$S3_ENDPOINT" --region us-east-1 "$@"; }

# s3_uploads BUCKET: how many multipart uploads s3rver holds unfinished (parts left behind).
s3_uploads() { find "$S3_DATA/$1/._S3rver_uploads" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# gen_data FILE BYTES: reproducible pseudo-random bytes.
gen_data() {
	(openssl enc -aes-128-ctr -nosalt -pass pass:sti -pbkdf2 -in /dev/zero 2>/dev/null || true) | head -c "$2" >"$1"
}
