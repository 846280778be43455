#!/usr/bin/python3
"""smtpd.py - a real SMTP server for closeloop's delivery tests

Usage: smtpd.py --port P --dir D [--tls-cert C --tls-key K [--require-tls]]
                [--auth-file F [--auth-optional]] [--control F]

Listens on 127.0.0.1:P with aiosmtpd (Debian python3-aiosmtpd) until
SIGTERM. What it saw goes into D:

  D/N.eml            the Nth accepted message, exactly the bytes received
                     after dot-unstuffing (CRLF line endings kept)
  D/received.jsonl   one line per accepted message: {"n", "mail_from",
                     "rcpt_tos", "message_id", "size", "file", "tls" (bool),
                     "auth" (user or null), "sni" (name the client asked
                     for in TLS, or null), "tls_version" (or null)}
  D/connections.jsonl one line per accepted connection: {"n", "mode"}

STARTTLS is offered when a certificate is given; --require-tls answers 530
to anything but EHLO/HELO/NOOP/QUIT before it. --auth-file holds one line
"user:password": AUTH PLAIN and LOGIN are then offered (after STARTTLS when
there is a certificate, else in clear) and required before MAIL, unless
--auth-optional: then mail without AUTH is accepted too.

Faults, chosen by the local part of the recipient:
  t451-...  451 to RCPT          p550-...  550 to RCPT
  c421-...  421 to RCPT, then the connection is closed
  d451-...  451 to DATA          d550-...  550 to DATA
  flakyN-...  451 to DATA for the first N attempts of the same Message-ID
  slowN-...   the message is accepted, but the reply to DATA comes after
              N seconds (the client waits for it with the message sent)

--control F is read at every new connection: "421" greets with 421 and
closes, "hang" accepts and never greets, empty or missing is normal.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult

FAULT = re.compile(r"^(t451|p550|c421|d451|d550|flaky(\d+)|slow(\d+))-",
                   re.I)
MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*?)\r\n", re.IGNORECASE | re.M)


class Store:
    """Numbers accepted messages and writes them and their records to D."""

    def __init__(self, directory):
        self.dir = directory
        # Started again on the same directory: number on from there.
        try:
            with open(os.path.join(directory, "received.jsonl")) as f:
                self.n = sum(1 for _ in f)
        except FileNotFoundError:
            self.n = 0
        self.connections = 0
        self.attempts = {}

    def append(self, name, record):
        with open(os.path.join(self.dir, name), "a") as f:
            f.write(json.dumps(record, sort_keys=True) + "\n")

    def connection(self, mode):
        self.connections += 1
        self.append("connections.jsonl",
                    {"n": self.connections, "mode": mode})

    def save(self, session, envelope, message_id):
        self.n += 1
        name = "%d.eml" % self.n
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(envelope.original_content)
        sslobj = session.ssl.get("ssl_object") if session.ssl else None
        login = getattr(session.auth_data, "login", None)
        self.append("received.jsonl", {
            "n": self.n,
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "message_id": message_id,
            "size": len(envelope.original_content),
            "file": name,
            "tls": session.ssl is not None,
            "auth": login.decode() if login is not None else None,
            "sni": getattr(sslobj, "closeloop_sni", None),
            "tls_version": sslobj.version() if sslobj else None,
        })
        return self.n


class Handler:
    """The aiosmtpd hooks: faults by recipient, storage of the rest."""

    def __init__(self, store):
        self.store = store

    async def handle_RCPT(self, server, session, envelope, address, options):
        m = FAULT.match(address)
        if m and m.group(1).lower() == "t451":
            return "451 4.3.0 Temporary failure for this recipient (t451)"
        if m and m.group(1).lower() == "p550":
            return "550 5.1.1 <%s>: No such user here (p550)" % address
        if m and m.group(1).lower() == "c421":
            await server.push("421 4.3.2 Shutting down (c421)")
            server.transport.close()
            raise asyncio.CancelledError()
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content
        head = content.split(b"\r\n\r\n", 1)[0] + b"\r\n"
        found = MESSAGE_ID.search(head)
        message_id = found.group(1).decode("ascii", "replace") if found \
            else None
        for rcpt in envelope.rcpt_tos:
            m = FAULT.match(rcpt)
            if not m:
                continue
            fault = m.group(1).lower()
            if fault == "d451":
                return "451 4.3.0 Try again later (d451)"
            if fault == "d550":
                return "550 5.7.1 Message refused (d550)"
            if m.group(2) is not None:
                seen = self.store.attempts.get(message_id, 0) + 1
                self.store.attempts[message_id] = seen
                if seen <= int(m.group(2)):
                    return "451 4.3.0 Flaky, attempt %d (%s)" % (seen, fault)
        n = self.store.save(session, envelope, message_id)
        for rcpt in envelope.rcpt_tos:
            m = FAULT.match(rcpt)
            if m and m.group(3) is not None:
                await asyncio.sleep(int(m.group(3)))
        return "250 2.0.0 Ok: queued as %d" % n


class Refuse(asyncio.Protocol):
    """A connection greeted with 421 and closed."""

    def connection_made(self, transport):
        transport.write(b"421 4.3.2 Service not available, closing\r\n")
        transport.close()


class Hang(asyncio.Protocol):
    """A connection accepted and never greeted."""


def read_control(path):
    """Return what the control file asks for: "421", "hang" or "normal"."""
    if path is None:
        return "normal"
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        return "normal"
    if "421" in text:
        return "421"
    if "hang" in text:
        return "hang"
    return "normal"


def make_tls(args):
    """Return the server's TLS context, or None without a certificate."""
    if not args.tls_cert:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.tls_cert, args.tls_key)

    def sni(sslobj, name, context):
        sslobj.closeloop_sni = name

    ctx.sni_callback = sni
    return ctx


def make_authenticator(path):
    """Return an aiosmtpd authenticator checking the "user:password" line."""
    with open(path) as f:
        user, _, password = f.readline().rstrip("\r\n").partition(":")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (mechanism in ("PLAIN", "LOGIN")
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False,
                          auth_data=auth_data if ok else None)

    return authenticator


def main():
    p = argparse.ArgumentParser(description="SMTP server for the tests")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--require-tls", action="store_true")
    p.add_argument("--auth-file")
    p.add_argument("--auth-optional", action="store_true")
    p.add_argument("--control")
    args = p.parse_args()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    store = Store(args.dir)
    handler = Handler(store)
    tls = make_tls(args)
    kwargs = {}
    if args.auth_file:
        kwargs = {"authenticator": make_authenticator(args.auth_file),
                  "auth_required": not args.auth_optional,
                  "auth_require_tls": tls is not None}

    def factory():
        mode = read_control(args.control)
        store.connection(mode)
        if mode == "421":
            return Refuse()
        if mode == "hang":
            return Hang()
        return SMTP(handler, hostname="closeloop-test", loop=loop,
                    tls_context=tls, require_starttls=args.require_tls,
                    **kwargs)

    server = loop.run_until_complete(
        loop.create_server(factory, "127.0.0.1", args.port))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.add_signal_handler(signal.SIGINT, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.close()


if __name__ == "__main__":
    main()
