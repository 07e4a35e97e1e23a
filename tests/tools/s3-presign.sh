# s3-get --presign and s3-put's Content-Type and Cache-Control, against s3rver behind tests/s3proxy.py
# (tests/lib-s3.sh), which checks presigned requests with botocore's S3SigV4QueryAuth (s3rver checks no
# V4 signature itself). Expectations: a presigned URL is honoured for GET, refused (403) when any signed
# part is changed or when it has expired (AWS S3 API Reference, "Authenticating Requests: Using Query
# Parameters"); the types are those registered for the extensions (text/html: WHATWG HTML; text/csv:
# RFC 4180; application/json: RFC 8259), read back with HeadObject by Debian's awscli.
. "$TOP/tests/lib.sh"
. "$TOP/tests/lib-s3.sh"
s3_start bkt

t "Content-Type by extension and Cache-Control from the option, read back with HeadObject"
printf '<!doctype html><title>x</title>\n' >page.html
printf '{"a":1}\n' >m.json
printf 'date,id\n2026-01-02,1\n' >t.csv
for f in page.html m.json t.csv; do
	s3-put --cache-control "max-age=60" "s3://bkt/dash/$f" "$f"
done
head_of() { aws_s3 s3api head-object --bucket bkt --key "$1" --query "[ContentType, CacheControl]" --output text; }
assert_eq "$(printf 'text/html; charset=utf-8\tmax-age=60')" "$(head_of dash/page.html)" "page.html"
assert_eq "$(printf 'application/json\tmax-age=60')" "$(head_of dash/m.json)" "m.json"
assert_eq "$(printf 'text/csv; charset=utf-8\tmax-age=60')" "$(head_of dash/t.csv)" "t.csv"
s3-put s3://bkt/dash/plain.html page.html
assert_eq "$(printf 'text/html; charset=utf-8\tNone')" "$(head_of dash/plain.html)" "no --cache-control"
s3-put -c text/plain --cache-control "no-cache" s3://bkt/dash/forced.html page.html
assert_eq "$(printf 'text/plain\tno-cache')" "$(head_of dash/forced.html)" "-c overrides the extension"

t "a multipart upload carries them too"
gen_data big.html $((11 * 1048576))
s3-put --part-size 5M --cache-control "max-age=30, public" s3://bkt/dash/big.html big.html
assert_eq "$(printf 'text/html; charset=utf-8\tmax-age=30, public')" "$(head_of dash/big.html)" "multipart"

t "a header value with a control character is refused before anything is sent"
assert_status 64 s3-put --cache-control "$(printf 'max-age=1\r\nx-amz-acl: public-read')" s3://bkt/dash/bad.html page.html
assert_status 64 s3-put --cache-control "" s3://bkt/dash/bad.html page.html

t "a presigned GET returns the object, without credentials"
url=$(s3-get --presign 300 s3://bkt/dash/page.html)
case $url in "$S3_ENDPOINT/bkt/dash/page.html?X-Amz-Algorithm=AWS4-HMAC-SHA256&"*"&X-Amz-Expires=300&"*"&X-Amz-Signature="*) ;;
*) fail "presigned URL: $url" ;; esac
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY curl -sf "$url" >got
assert_same_file page.html got
# a key with characters that need encoding
s3-put "s3://bkt/dash/a b+c/ünï.csv" t.csv
url2=$(s3-get --presign 60 "s3://bkt/dash/a b+c/ünï.csv")
curl -sf "$url2" | cmp - t.csv
# the store's own keys: --store s3://bucket/prefix
url3=$(s3-get --store s3://bkt/dash --presign 60 m.json)
curl -sf "$url3" | cmp - m.json

t "a tampered URL is refused"
status() { curl -s -o /dev/null -w '%{http_code}' "$1"; }
sig=${url##*X-Amz-Signature=}
flip=$(printf '%s' "${sig:0:1}" | tr '0-9a-f' '1-9a-f0')
assert_eq 403 "$(status "${url%X-Amz-Signature=*}X-Amz-Signature=$flip${sig:1}")" "signature changed"
assert_eq 403 "$(status "${url/dash\/page.html/dash\/m.json}")" "another key"
assert_eq 403 "$(status "${url/X-Amz-Expires=300/X-Amz-Expires=600}")" "a longer expiry"

t "an expired URL is refused"
url=$(s3-get --presign 1 s3://bkt/dash/page.html)
sleep 2
assert_eq 403 "$(status "$url")" "expired"

t "out of range, a local store, a prefix: refused (64)"
assert_status 64 s3-get --presign 0 s3://bkt/dash/page.html
assert_status 64 s3-get --presign 604801 s3://bkt/dash/page.html
s3-get --presign 604800 s3://bkt/dash/page.html >/dev/null
mkdir -p store
assert_status 64 s3-get --store ./store --presign 60 x.html
assert_status 64 s3-get --presign 60 s3://bkt/dash/

t "pipelines/dashboards on an s3:// store: text/html pages with a short Cache-Control; --print gives presigned URLs that open them"
export STI_STORE=s3://bkt/site STI_STATE=$OUT/state MOCK_STORE=s3://bkt/site/mock
"$TOP/pipelines/dashboards" --print >urls 2>dash.log || { tail dash.log; fail dashboards; }
for d in backtest live mock; do
	assert_eq "$(printf 'text/html; charset=utf-8\tmax-age=60')" "$(head_of "site/dashboards/$d/index.html")" "$d page"
	u=$(sed -n "s/^$d: //p" urls)
	case $u in *"/bkt/site/dashboards/$d/index.html?"*"X-Amz-Expires=604800&"*) ;; *) fail "$d: $u" ;; esac
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY curl -sf "$u" >page
	s3-get "s3://bkt/site/dashboards/$d/index.html" | cmp - page
done
DASH_URL_EXPIRES=3600 "$TOP/pipelines/dashboards" --print >urls 2>dash.log || { tail dash.log; fail dashboards; }
assert_eq 3 "$(grep -c 'X-Amz-Expires=3600&' urls)" "DASH_URL_EXPIRES"
