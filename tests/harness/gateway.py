#!/usr/bin/python3
"""gateway.py - a loopback stand-in for a Twilio-like SMS API, for tests

    gateway.py --port P --dir D --account SID --token TOKEN [--control F]
               [--tls-cert PEM --tls-key PEM]

Serves HTTP/1.1 (keep-alive) on 127.0.0.1:P until SIGTERM. The one
resource is

    POST /2010-04-01/Accounts/SID/Messages.json
    Authorization: Basic base64(SID:TOKEN)          (else 401)
    I-Twilio-Idempotency-Token: T                   (optional)
    To=...&From=...&Body=...[&StatusCallback=...]   (form, UTF-8)

answered 201 {"sid": "SM" + 32 hex, "status": "queued", ...}, or 400 with
a Twilio-like error {"code", "message", "more_info", "status"} when To or
Body is missing. Any other path is 404, with the path and its query in the
message, as Twilio's own 404 has it; GET is 405.

Files in D, one JSON object a line:
  messages.jsonl  {"sid", "to", "from", "body", "token", "status_callback",
                  "n"} per message accepted; n counts them from 1. A token
                  seen before gets the same sid and is not appended again.
  repeats.jsonl   {"sid", "token", "n"} per repeated token.
  requests.jsonl  {"time", "method", "path", "status", "token", "peer"} per
                  request; peer is the client's "host:port", so requests
                  sent over one kept-alive connection share it.

The control file F, if given, is read again whenever it changes (mtime,
size or inode); reading it re-arms the rules it holds, and the counts are
kept in memory. One rule a line:
  429 N SECS   answer the next N requests 429 with Retry-After: SECS
  500 N        answer the next N requests 500
  400 N        answer the next N requests 400, echoing the To number as
               Twilio does
  hang N SECS  sleep SECS before handling the next N requests
A request takes at most one "hang" and then at most one status rule, the
first armed of each in the file's order; rules apply before anything else
is checked. With --tls-cert and --tls-key the server speaks HTTPS.
"""

import argparse
import base64
import json
import os
import signal
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Gateway:
    """The state shared by the request threads."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.sids = {}
        self.count = 0
        self.rules = []
        self.control_stamp = None
        self.path = "/2010-04-01/Accounts/%s/Messages.json" % args.account
        token = "%s:%s" % (args.account, args.token)
        self.auth = "Basic " + base64.b64encode(token.encode()).decode()

    def append(self, name, record):
        """Append one JSON line to a file of the directory."""
        with open(os.path.join(self.args.dir, name), "a",
                  encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    def reload(self):
        """Read the control file again if it changed since last time."""
        if not self.args.control:
            return
        try:
            st = os.stat(self.args.control)
        except FileNotFoundError:
            return
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        if stamp == self.control_stamp:
            return
        self.control_stamp = stamp
        rules = []
        with open(self.args.control, encoding="utf-8") as f:
            for line in f:
                w = line.split()
                if len(w) >= 2 and w[0] in ("429", "500", "400", "hang"):
                    secs = float(w[2]) if len(w) > 2 else 0
                    rules.append([w[0], int(w[1]), secs])
        self.rules = rules

    def take(self, hang):
        """Consume the first armed rule of a kind: a hang or a status."""
        with self.lock:
            self.reload()
            for rule in self.rules:
                if rule[1] > 0 and (rule[0] == "hang") == hang:
                    rule[1] -= 1
                    return rule
        return None

    def accept(self, form, token):
        """Record a message, or find the one sent with the same token."""
        with self.lock:
            if token and token in self.sids:
                sid = self.sids[token]
                self.append("repeats.jsonl",
                            {"sid": sid, "token": token, "n": self.count})
                return sid
            sid = "SM" + uuid.uuid4().hex
            self.count += 1
            if token:
                self.sids[token] = sid
            self.append("messages.jsonl", {
                "sid": sid, "to": form["To"], "from": form.get("From", ""),
                "body": form["Body"], "token": token,
                "status_callback": form.get("StatusCallback"),
                "n": self.count})
            return sid


class Handler(BaseHTTPRequestHandler):
    """One request to the gateway."""

    protocol_version = "HTTP/1.1"
    server_version = "gateway.py/1"
    # An answer's head and body go out at once, not the body after the
    # client's delayed ACK of the head, as a production API's would.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        """Keep stderr quiet: requests go to requests.jsonl."""

    def answer(self, status, obj, headers=()):
        """Log the request, then send a JSON answer."""
        gw = self.server.gateway
        data = json.dumps(obj).encode()
        with gw.lock:
            gw.append("requests.jsonl", {
                "time": time.time(), "method": self.command,
                "path": self.path, "status": status,
                "token": self.headers.get("I-Twilio-Idempotency-Token"),
                "peer": "%s:%d" % self.client_address[:2]})
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def error(self, status, code, message, headers=()):
        """Answer a Twilio-like error."""
        self.answer(status, {
            "code": code, "message": message, "status": status,
            "more_info": "https://www.twilio.com/docs/errors/%d" % code},
            headers)

    def not_found(self):
        """Answer 404 naming the path, query included, as Twilio does."""
        self.error(404, 20404, "The requested resource %s was not found"
                   % self.path)

    def do_GET(self):
        """Nothing is served to GET."""
        if self.path != self.server.gateway.path:
            self.not_found()
        else:
            self.error(405, 20004, "Method not allowed")

    def do_POST(self):
        """Send a message, or misbehave as the control file says."""
        gw = self.server.gateway
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        rule = gw.take(True)
        if rule:
            time.sleep(rule[2])
        rule = gw.take(False)
        if rule and rule[0] == "429":
            self.error(429, 20429, "Too Many Requests",
                       [("Retry-After", "%d" % rule[2])])
            return
        if rule and rule[0] == "500":
            self.error(500, 20500, "Internal Server Error")
            return
        if rule and rule[0] == "400":
            to = urllib.parse.parse_qs(raw.decode("utf-8", "replace")).get(
                "To", [""])[0]
            self.error(400, 21211, "The 'To' number %s is not a valid "
                       "phone number." % to)
            return
        if self.path != gw.path:
            self.not_found()
            return
        if self.headers.get("Authorization") != gw.auth:
            self.error(401, 20003, "Authenticate",
                       [("WWW-Authenticate", 'Basic realm="Twilio API"')])
            return
        try:
            form = {k: v[0] for k, v in urllib.parse.parse_qs(
                raw.decode("utf-8", "strict"), keep_blank_values=True,
                strict_parsing=bool(raw), errors="strict").items()}
        except (UnicodeDecodeError, ValueError):
            form = {}
        for field in ("To", "Body"):
            if not form.get(field):
                self.error(400, 21604 if field == "To" else 21602,
                           "A '%s' parameter is required." % field)
                return
        token = self.headers.get("I-Twilio-Idempotency-Token")
        sid = gw.accept(form, token)
        self.answer(201, {
            "sid": sid, "account_sid": gw.args.account,
            "to": form["To"], "from": form.get("From"),
            "body": form["Body"], "status": "queued",
            "direction": "outbound-api", "api_version": "2010-04-01",
            "error_code": None, "error_message": None,
            "uri": gw.path[:-5] + "/" + sid + ".json"})


class Server(ThreadingHTTPServer):
    """The server: a thread per connection, and room in the queue of
    connections not yet accepted for every client's pool at once."""

    daemon_threads = True
    request_queue_size = 128


def main():
    """Serve until SIGTERM."""
    p = argparse.ArgumentParser(description="Twilio-like SMS gateway")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--account", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--control")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    args = p.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    server.gateway = Gateway(args)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
