#!/usr/bin/python3
"""http-recorder.py PORT LOG SCRIPT: an HTTP server for tool tests that records every request and answers
as a script says.

LOG gets one JSON object per request, written (and flushed) before the answer:
  {"n": 1, "method": "POST", "path": "/1/messages.json", "content_type": "...", "form": {...}, "body": "..."}
("form" holds the fields of an application/x-www-form-urlencoded body, one value each.)

SCRIPT holds one JSON object per line, used in turn, one per request; after the last, requests get 200
with {"status":1,"request":"rec-N"}. The file is read again whenever it is replaced (a new inode or
mtime), and the script then starts over, so one server serves several scenarios:
  {"status": 400, "headers": {"X-A": "1"}, "body": {"status": 0, "errors": ["..."]}}   body: object or text
  {"stall": 5}       read the request, answer nothing for 5 s, then close
  {"reset": true}    read the request, then close the connection with a TCP reset
The server binds 127.0.0.1 and serves each connection in its own thread.
"""
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, LOG, SCRIPT = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
state = {"stamp": None, "steps": [], "next": 0, "n": 0}


def next_step():
    """The script's next step (reloading a replaced script), and the request's number."""
    with lock:
        try:
            st = os.stat(SCRIPT)
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != state["stamp"]:
            state["stamp"] = stamp
            state["next"] = 0
            state["steps"] = []
            if stamp is not None:
                with open(SCRIPT) as f:
                    state["steps"] = [json.loads(l) for l in f if l.strip()]
        state["n"] += 1
        step = None
        if state["next"] < len(state["steps"]):
            step = state["steps"][state["next"]]
            state["next"] += 1
        return step, state["n"]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep the test log for our own records
        sys.stderr.write("http-recorder: " + (fmt % args) + "\n")

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        ctype = self.headers.get("Content-Type", "")
        step, n = next_step()
        rec = {"n": n, "method": self.command, "path": self.path, "content_type": ctype, "body": body}
        if ctype.startswith("application/x-www-form-urlencoded"):
            rec["form"] = {k: v[0] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
        with lock, open(LOG, "a") as f:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
        if step is None:
            step = {"status": 200, "body": {"status": 1, "request": "rec-%d" % n}}
        if "stall" in step:
            time.sleep(float(step["stall"]))
            self.close_connection = True
            return
        if step.get("reset"):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        payload = step.get("body", "")
        if not isinstance(payload, str):
            payload = json.dumps(payload)
        data = payload.encode()
        self.send_response(int(step.get("status", 200)))
        self.send_header("Content-Type", "application/json" if data[:1] in (b"{", b"[") else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for k, v in step.get("headers", {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    Server(("127.0.0.1", PORT), Handler).serve_forever()
