#!/usr/bin/python3
"""s3proxy: a checking, fault-injecting HTTP proxy in front of s3rver, for the tool tests.

s3rver stores objects but does not verify AWS Signature V4, request payload hashes or checksums, and does
not implement AbortMultipartUpload. This proxy, in front of it on loopback:
  - recomputes every request's SigV4 signature with botocore's own signer (S3SigV4Auth) from the
    request as received (path and query re-canonicalised from their decoded form) and answers
    403 SignatureDoesNotMatch on a mismatch, 403 InvalidAccessKeyId for an unknown key; a presigned
    request (X-Amz-Signature in the query, no Authorization header) likewise with S3SigV4QueryAuth, and
    403 AccessDenied "Request has expired" once X-Amz-Date + X-Amz-Expires has passed (the S3 API
    Reference, "Authenticating Requests: Using Query Parameters");
  - checks the body against x-amz-content-sha256 (400 XAmzContentSHA256Mismatch), Content-MD5 and
    x-amz-checksum-sha256 (400 BadDigest);
  - implements AbortMultipartUpload (DELETE ?uploadId=) by removing s3rver's upload directory;
  - injects faults on demand: GET /__fault?method=M&fault=F&count=N[&match=S][&after=BYTES] queues N
    faults for the next requests of method M whose path and query contain S. F is one of
    500, 503 (SlowDown), drop (the response body, or the request body for uploads, breaks off after
    `after` bytes, default half), stall (accept, then send nothing for 60 s), reset (close at once),
    corrupt (flip one byte of the request body before the checks, or of the response body), lose
    (forward the request, then close the connection instead of answering).
  - answers 412 PreconditionFailed, as S3 does, to a GET or HEAD If-Match an ETag the object no longer has;
  - emulates S3's conditional writes, which s3rver ignores: a PUT with If-None-Match: * of a key that
    exists, and a PUT or DELETE with If-Match: ETAG of an object whose ETag differs, get 412
    PreconditionFailed; If-Match of a missing key gets 404 NoSuchKey (AWS: conditional writes, 2024, and
    conditional deletes, 2025, in the S3 User Guide). Conditional requests are checked and forwarded
    under one lock, so they are atomic with respect to each other (not to unconditional writes);
  - implements ListMultipartUploads (GET /bucket?uploads&prefix=P), which s3rver does not, from s3rver's
    upload directories: Initiated is the modification time of the upload's "key" file, which s3rver
    writes once when the upload starts (tests backdate it with touch);
  - answers 404 NoSuchUpload, as S3 does, to CompleteMultipartUpload of an upload that is gone;
  - with --bucket-region R, answers a request signed for another region as S3 does: 400
    AuthorizationHeaderMalformed with the header x-amz-bucket-region: R.
    GET /__faults/clear drops pending faults; GET /__log returns the request log.
  - serves hostile keys on demand, which s3rver cannot hold (it maps keys to files): GET
    /__inject?bucket=B&key=K[&body=S] adds K (say "logs/../../../x") to B's ListObjectsV2 answers (first
    page, when K starts with the prefix) and answers a GET of it with S, as a malicious or broken server
    could.
Each request is logged as one line "METHOD PATH?QUERY -> STATUS [note]" on stderr and kept for /__log.
"""
import argparse
import base64
import hashlib
import http.client
import http.server
import os
import re
import shutil
import socket
import sys
import threading
import time
import urllib.parse

import calendar

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

LOCK = threading.Lock()
COND_LOCK = threading.Lock()
INJECTED = {}  # (bucket, key) -> body: objects only the proxy serves (see /__inject)  # conditional PUT/DELETE: check and write as one step
FAULTS = []   # dicts: method, fault, count, match, after
LOG = []
ARGS = None


def xml_error(code, message):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>'
            % (code, message)).encode()


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def take_fault(method, target):
    with LOCK:
        for f in FAULTS:
            if f["method"] not in (method, "*") or f["match"] not in target:
                continue
            f["count"] -= 1
            if f["count"] <= 0:
                FAULTS.remove(f)
            return dict(f)
    return None


def canonical_query(raw):
    pairs = []
    if raw:
        for item in raw.split("&"):
            k, _, v = item.partition("=")
            pairs.append((urllib.parse.unquote(k), urllib.parse.unquote(v)))
    return pairs


def verify_presigned(method, raw_path, raw_query, headers):
    """None when a presigned request's signature is right and unexpired, else (status, code, message)."""
    q = dict(canonical_query(raw_query))
    m = re.match(r"([^/]+)/(\d{8})/([^/]+)/s3/aws4_request$", q.get("X-Amz-Credential", ""))
    if q.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" or not m or \
            not re.fullmatch(r"\d{8}T\d{6}Z", q.get("X-Amz-Date", "")) or \
            not re.fullmatch(r"\d+", q.get("X-Amz-Expires", "")) or "X-Amz-SignedHeaders" not in q:
        return (400, "AuthorizationQueryParametersError", "malformed presigned query parameters")
    key_id, date, region = m.groups()
    if key_id != ARGS.access_key:
        return (403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
    expires = int(q["X-Amz-Expires"])
    if expires > 604800:
        return (400, "AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds)")
    if not q["X-Amz-Date"].startswith(date):
        return (403, "SignatureDoesNotMatch", "credential scope date does not match X-Amz-Date")
    signed_names = q["X-Amz-SignedHeaders"].split(";")
    sign_headers = {}
    for name in signed_names:
        value = headers.get(name)
        if value is None:
            return (403, "SignatureDoesNotMatch", "signed header %s is missing" % name)
        sign_headers[name] = value.strip()
    params = [(k, v) for k, v in canonical_query(raw_query) if k != "X-Amz-Signature"]
    path = urllib.parse.quote(urllib.parse.unquote(raw_path), safe="/~")
    req = AWSRequest(method=method, url="http://%s%s" % (headers.get("host"), path), headers=sign_headers,
                     params=params)
    req.context["timestamp"] = q["X-Amz-Date"]
    signer = S3SigV4QueryAuth(Credentials(ARGS.access_key, ARGS.secret_key), "s3", region, expires=expires)
    want = signer.signature(signer.string_to_sign(req, signer.canonical_request(req)), req)
    if want != q.get("X-Amz-Signature"):
        return (403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.")
    signed_at = calendar.timegm(time.strptime(q["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
    if time.time() > signed_at + expires:
        return (403, "AccessDenied", "Request has expired")
    return None


def verify_signature(method, raw_path, raw_query, headers):
    """None when the signature is right, else (status, code, message)."""
    auth = headers.get("Authorization", "")
    if not auth and "X-Amz-Signature=" in raw_query:
        return verify_presigned(method, raw_path, raw_query, headers)
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request,\s*"
                 r"SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})$", auth)
    if not m:
        return (403, "AccessDenied", "missing or malformed SigV4 Authorization header")
    key_id, date, region, signed, signature = m.groups()
    if key_id != ARGS.access_key:
        return (403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
    if ARGS.bucket_region and region != ARGS.bucket_region:
        return (400, "AuthorizationHeaderMalformed", "The authorization header is malformed; the region '%s' "
                "is wrong; expecting '%s'" % (region, ARGS.bucket_region))
    amz_date = headers.get("x-amz-date", "")
    if not amz_date.startswith(date):
        return (403, "SignatureDoesNotMatch", "credential scope date does not match x-amz-date")
    signed_names = signed.split(";")
    for required in ("host", "x-amz-content-sha256", "x-amz-date"):
        if required not in signed_names:
            return (403, "AccessDenied", "header %s is not signed" % required)
    for name in headers.keys():
        if name.lower().startswith("x-amz-") and name.lower() not in signed_names:
            return (403, "AccessDenied", "header %s is not signed" % name.lower())
    sign_headers = {}
    for name in signed_names:
        values = headers.get_all(name)
        if values is None:
            return (403, "SignatureDoesNotMatch", "signed header %s is missing" % name)
        sign_headers[name] = ",".join(v.strip() for v in values)
    path = urllib.parse.quote(urllib.parse.unquote(raw_path), safe="/~")
    req = AWSRequest(method=method, url="http://%s%s" % (headers.get("host"), path),
                     headers=sign_headers, params=canonical_query(raw_query))
    req.context["timestamp"] = amz_date
    signer = S3SigV4Auth(Credentials(ARGS.access_key, ARGS.secret_key), "s3", region)
    canonical = signer.canonical_request(req)
    want = signer.signature(signer.string_to_sign(req, canonical), req)
    if want != signature:
        return (403, "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.")
    return None


def verify_body(headers, body):
    declared = headers.get("x-amz-content-sha256", "")
    if re.fullmatch(r"[0-9a-f]{64}", declared) and hashlib.sha256(body).hexdigest() != declared:
        return (400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match")
    md5 = headers.get("Content-MD5")
    if md5 is not None and base64.b64encode(hashlib.md5(body).digest()).decode() != md5:
        return (400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
    cks = headers.get("x-amz-checksum-sha256")
    if cks is not None and base64.b64encode(hashlib.sha256(body).digest()).decode() != cks:
        return (400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.")
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self, status, extra=""):
        line = "%s %s -> %s%s" % (self.command, self.path, status, " " + extra if extra else "")
        with LOCK:
            LOG.append(line)
        print(line, file=sys.stderr, flush=True)

    def reply(self, status, body=b"", headers=None, close=False):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self, fault):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0"))
        if fault and fault["fault"] == "drop" and n > 0:
            keep = min(n, fault["after"] if fault["after"] >= 0 else n // 2)
            self.rfile.read(keep)
            return None
        return self.rfile.read(n) if n else b""

    def control(self, path, query):
        q = dict(urllib.parse.parse_qsl(query))
        if path == "/__fault":
            with LOCK:
                FAULTS.append({"method": q.get("method", "*"), "fault": q["fault"],
                               "count": int(q.get("count", "1")), "match": q.get("match", ""),
                               "after": int(q.get("after", "-1"))})
            self.reply(200, b"ok\n")
        elif path == "/__faults/clear":
            with LOCK:
                FAULTS.clear()
            self.reply(200, b"ok\n")
        elif path == "/__inject":
            with LOCK:
                INJECTED[(q["bucket"], q["key"])] = q.get("body", "injected\n").encode()
            self.reply(200, b"ok\n")
        elif path == "/__log":
            with LOCK:
                text = "\n".join(LOG) + "\n"
            self.reply(200, text.encode())
        else:
            self.reply(404, b"unknown control path\n")

    def handle_any(self):
        raw_path, _, raw_query = self.path.partition("?")
        if raw_path.startswith("/__"):
            return self.control(raw_path, raw_query)
        fault = take_fault(self.command, self.path)
        if fault and fault["fault"] == "reset":
            self.note("reset", "fault")
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            return
        if fault and fault["fault"] == "stall":
            self.note("stall", "fault")
            time.sleep(60)
            self.close_connection = True
            return
        body = self.read_body(fault if self.command in ("PUT", "POST") else None)
        if body is None:
            self.note("dropped request body", "fault")
            self.close_connection = True
            return
        if fault and fault["fault"] == "corrupt" and body:
            body = bytes([body[0] ^ 1]) + body[1:]
        bad = verify_signature(self.command, raw_path, raw_query, self.headers) or verify_body(self.headers, body)
        if bad:
            self.note(bad[0], bad[1])
            headers = {"Content-Type": "application/xml"}
            if bad[1] == "AuthorizationHeaderMalformed":
                headers["x-amz-bucket-region"] = ARGS.bucket_region
            return self.reply(bad[0], xml_error(bad[1], bad[2]), headers)
        if fault and fault["fault"] in ("500", "503"):
            code = int(fault["fault"])
            self.note(code, "fault")
            err = ("SlowDown", "Please reduce your request rate.") if code == 503 else \
                ("InternalError", "We encountered an internal error. Please try again.")
            return self.reply(code, xml_error(*err), {"Content-Type": "application/xml"})
        query = canonical_query(raw_query)
        bucket, _, key = urllib.parse.unquote(raw_path).lstrip("/").partition("/")
        with LOCK:
            injected = INJECTED.get((bucket, key)) if key and self.command in ("GET", "HEAD") else None
        if injected is not None:
            self.note(200, "injected")
            return self.reply(200, injected, {"ETag": '"%s"' % hashlib.md5(injected).hexdigest(),
                                              "Content-Type": "binary/octet-stream"})
        if self.command == "GET" and not key and any(k == "uploads" for k, _ in query):
            return self.list_uploads(bucket, dict(query).get("prefix", ""))
        if self.command == "DELETE" and any(k == "uploadId" for k, _ in query):
            return self.abort_upload(raw_path, dict(query)["uploadId"])
        if self.command == "POST" and any(k == "uploadId" for k, _ in query) and \
                not os.path.isdir(self.upload_dir(raw_path, dict(query)["uploadId"])):
            self.note(404, "NoSuchUpload")
            return self.reply(404, xml_error("NoSuchUpload", "The specified upload does not exist."),
                              {"Content-Type": "application/xml"})
        cond = self.command in ("PUT", "DELETE") and not query and \
            (self.headers.get("If-None-Match") is not None or self.headers.get("If-Match") is not None)
        if not cond:
            return self.forward(raw_path, raw_query, body, fault)
        with COND_LOCK:
            if self.precondition(raw_path):
                self.forward(raw_path, raw_query, body, fault)

    def precondition(self, raw_path):
        """S3's conditional write and delete: True to go on, else the refusal is sent."""
        conn = http.client.HTTPConnection("127.0.0.1", ARGS.upstream, timeout=120)
        conn.request("HEAD", raw_path)
        resp = conn.getresponse()
        resp.read()
        conn.close()
        exists, etag = resp.status == 200, resp.getheader("ETag")
        none_match, match = self.headers.get("If-None-Match"), self.headers.get("If-Match")
        if match is not None and not exists:
            self.note(404, "NoSuchKey (If-Match)")
            self.reply(404, xml_error("NoSuchKey", "The specified key does not exist."),
                       {"Content-Type": "application/xml"})
            return False
        if (none_match == "*" and exists) or (match is not None and match != "*" and match != etag):
            self.note(412, "PreconditionFailed")
            self.reply(412, xml_error("PreconditionFailed", "At least one of the pre-conditions you "
                                      "specified did not hold"), {"Content-Type": "application/xml"})
            return False
        return True

    def list_uploads(self, bucket, prefix):
        root = os.path.join(ARGS.data, bucket, "._S3rver_uploads")
        items = []
        for uid in sorted(os.listdir(root)) if os.path.isdir(root) else []:
            try:
                with open(os.path.join(root, uid, "key")) as f:
                    key = f.read()
                mtime = os.path.getmtime(os.path.join(root, uid, "key"))  # written once, at initiation
            except OSError:
                continue
            if key.startswith(prefix):
                items.append((key, uid, time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(mtime))))
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult><Bucket>%s</Bucket>'
                '<Prefix>%s</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>%s'
                '</ListMultipartUploadsResult>' % (xml_escape(bucket), xml_escape(prefix), "".join(
                    "<Upload><Key>%s</Key><UploadId>%s</UploadId><Initiated>%s</Initiated></Upload>"
                    % (xml_escape(k), u, t) for k, u, t in sorted(items))))
        self.note(200, "ListMultipartUploads")
        self.reply(200, body.encode(), {"Content-Type": "application/xml"})

    def upload_dir(self, raw_path, upload_id):
        bucket = urllib.parse.unquote(raw_path).lstrip("/").split("/", 1)[0]
        return os.path.join(ARGS.data, bucket, "._S3rver_uploads", os.path.basename(upload_id))

    def abort_upload(self, raw_path, upload_id):
        d = self.upload_dir(raw_path, upload_id)
        if not re.fullmatch(r"[0-9a-f]+", upload_id) or not os.path.isdir(d):
            self.note(404, "NoSuchUpload")
            return self.reply(404, xml_error("NoSuchUpload", "The specified upload does not exist."),
                              {"Content-Type": "application/xml"})
        shutil.rmtree(d)
        self.note(204, "aborted")
        self.reply(204)

    def forward(self, raw_path, raw_query, body, fault):
        conn = http.client.HTTPConnection("127.0.0.1", ARGS.upstream, timeout=120)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("connection", "expect", "transfer-encoding", "content-length")}
        headers["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        data = self.inject_listing(raw_path, raw_query, resp.status, data)
        # s3rver ignores If-Match; S3 answers 412 when the object is no longer that version.
        want = self.headers.get("If-Match")
        if want and want != "*" and self.command in ("GET", "HEAD") and 200 <= resp.status < 300 and \
                resp.getheader("ETag") != want:
            self.note(412, "PreconditionFailed")
            return self.reply(412, xml_error("PreconditionFailed", "At least one of the pre-conditions you "
                                             "specified did not hold"), {"Content-Type": "application/xml"})
        if fault and fault["fault"] == "lose":
            self.note("%d lost" % resp.status, "fault")
            self.close_connection = True
            return
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("connection", "transfer-encoding", "content-length", "keep-alive", "date"):
                self.send_header(k, v)
        # A HEAD's length is the object's, which the upstream stated.
        self.send_header("Content-Length", resp.getheader("Content-Length", "0") if self.command == "HEAD"
                         else str(len(data)))
        if fault and fault["fault"] == "corrupt" and self.command == "GET" and 200 <= resp.status < 300 and data:
            data = data[:-1] + bytes([data[-1] ^ 1])
            self.note(resp.status, "fault: corrupted")
            self.end_headers()
            self.wfile.write(data)
            return
        if fault and fault["fault"] == "drop" and self.command == "GET" and 200 <= resp.status < 300 and data:
            keep = min(len(data) - 1, fault["after"] if fault["after"] >= 0 else len(data) // 2)
            self.end_headers()
            self.wfile.write(data[:keep])
            self.wfile.flush()
            self.note(resp.status, "fault: dropped after %d of %d bytes" % (keep, len(data)))
            self.close_connection = True
            return
        self.end_headers()
        if data and self.command != "HEAD":
            self.wfile.write(data)
        self.note(resp.status)

    def inject_listing(self, raw_path, raw_query, status, data):
        """A ListObjectsV2 answer with the injected keys of its bucket added (first page only)."""
        q = dict(canonical_query(raw_query))
        bucket = urllib.parse.unquote(raw_path).strip("/")
        if self.command != "GET" or status != 200 or "/" in bucket or q.get("list-type") != "2" or \
                "continuation-token" in q:
            return data
        with LOCK:
            extra = [(k, b) for (bk, k), b in INJECTED.items() if bk == bucket and k.startswith(q.get("prefix", ""))]
        if not extra:
            return data
        items = "".join("<Contents><Key>%s</Key><LastModified>2026-12-01T00:00:00.000Z</LastModified>"
                        "<ETag>&quot;%s&quot;</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>"
                        % (xml_escape(k), hashlib.md5(b).hexdigest(), len(b)) for k, b in extra)
        return data.replace(b"</ListBucketResult>", items.encode() + b"</ListBucketResult>")

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--upstream", type=int, required=True, help="s3rver's port on 127.0.0.1")
    p.add_argument("--data", required=True, help="s3rver's data directory")
    p.add_argument("--access-key", default="S3RVER")
    p.add_argument("--secret-key", default="S3RVER")
    p.add_argument("--bucket-region", help="answer requests signed for another region as S3 does: 400 "
                   "AuthorizationHeaderMalformed with x-amz-bucket-region")
    ARGS = p.parse_args()
    http.server.ThreadingHTTPServer.daemon_threads = True
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.serve_forever()


if __name__ == "__main__":
    main()
