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
  u550-...    550 to RCPT echoing the recipient in upper case, and another
              address
  data250-... 250 to the DATA command itself, in place of 354: the server
              takes no data and records no message

By the client's EHLO name: a name starting with "forever" is answered
with a "250-" line every second that never ends (the server gives up
after EHLO_LINES lines and closes the connection).

--control F is read at every new connection: "421" greets with 421 and
closes, "hang" accepts and never greets, "chunking" is a small server of
its own offering CHUNKING (RFC 3030), so that the client sends each
message with BDAT (recorded with "bdat": true; a recipient whose local
part starts with "endless" is answered with a "250-" line every second
that never ends), empty or missing is normal.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult

FAULT = re.compile(r"^(t451|p550|c421|d451|d550|flaky(\d+)|slow(\d+)|u550|"
                   r"data250)-", re.I)
EHLO_LINES = 60
MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*?)\r\n", re.IGNORECASE | re.M)


def message_id(content):
    """Return the Message-ID in the head of a message's bytes, or None."""
    found = MESSAGE_ID.search(content.split(b"\r\n\r\n", 1)[0] + b"\r\n")
    return found.group(1).decode("ascii", "replace") if found else None


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

    def record(self, mail_from, rcpt_tos, content, **more):
        """Write the next message's bytes to N.eml and its line, with the
        fields in more, to received.jsonl; return its n."""
        self.n += 1
        name = "%d.eml" % self.n
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(content)
        line = {"n": self.n, "mail_from": mail_from, "rcpt_tos": rcpt_tos,
                "message_id": message_id(content), "size": len(content),
                "file": name}
        line.update(more)
        self.append("received.jsonl", line)
        return self.n

    def save_raw(self, mail_from, rcpt_tos, content):
        """Record a message the CHUNKING server received; return its n."""
        return self.record(mail_from, rcpt_tos, content, tls=False,
                           bdat=True)

    def save(self, session, envelope):
        """Record a message aiosmtpd received; return its n."""
        sslobj = session.ssl.get("ssl_object") if session.ssl else None
        login = getattr(session.auth_data, "login", None)
        return self.record(
            envelope.mail_from, envelope.rcpt_tos, envelope.original_content,
            tls=session.ssl is not None,
            auth=login.decode() if login is not None else None,
            sni=getattr(sslobj, "closeloop_sni", None),
            tls_version=sslobj.version() if sslobj else None)


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
        if m and m.group(1).lower() == "u550":
            return ("550 5.1.1 <%s>: No such user here; ask "
                    "<Postmaster@Closeloop-Test.example> (u550)"
                    % address.upper())
        if m and m.group(1).lower() == "c421":
            await server.push("421 4.3.2 Shutting down (c421)")
            server.transport.close()
            raise asyncio.CancelledError()
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        session.host_name = hostname
        if not hostname.lower().startswith("forever"):
            return responses
        await server.push(responses[0])
        for i in range(EHLO_LINES):
            await asyncio.sleep(1)
            if server.transport is None or server.transport.is_closing():
                break
            await server.push("250-STILL-GREETING-%d" % i)
        if server.transport is not None:
            server.transport.close()
        raise asyncio.CancelledError()

    async def handle_DATA(self, server, session, envelope):
        mid = message_id(envelope.original_content)
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
                seen = self.store.attempts.get(mid, 0) + 1
                self.store.attempts[mid] = seen
                if seen <= int(m.group(2)):
                    return "451 4.3.0 Flaky, attempt %d (%s)" % (seen, fault)
        n = self.store.save(session, envelope)
        for rcpt in envelope.rcpt_tos:
            m = FAULT.match(rcpt)
            if m and m.group(3) is not None:
                await asyncio.sleep(int(m.group(3)))
        return "250 2.0.0 Ok: queued as %d" % n


class FaultSMTP(SMTP):
    """aiosmtpd's server, with the faults that act on the DATA command."""

    async def smtp_DATA(self, arg):
        for rcpt in (self.envelope.rcpt_tos if self.envelope else []):
            m = FAULT.match(rcpt)
            if m and m.group(1).lower() == "data250":
                await self.push("250 2.0.0 Ok, but no data taken (data250)")
                return
        await super().smtp_DATA(arg)


class Refuse(asyncio.Protocol):
    """A connection greeted with 421 and closed."""

    def connection_made(self, transport):
        transport.write(b"421 4.3.2 Service not available, closing\r\n")
        transport.close()


class Hang(asyncio.Protocol):
    """A connection accepted and never greeted."""


class Chunking(asyncio.Protocol):
    """A small SMTP server offering CHUNKING: messages come by BDAT."""

    def __init__(self, store):
        self.store = store
        self.transport = None
        self.buf = b""
        self.need = 0           # bytes of the current BDAT chunk to come
        self.last = False
        self.mail_from = None
        self.rcpt_tos = []
        self.content = b""

    def connection_made(self, transport):
        self.transport = transport
        self.reply("220 closeloop-test ESMTP chunking")

    def reply(self, text):
        if not self.transport.is_closing():
            self.transport.write(text.encode() + b"\r\n")

    async def endless(self):
        for i in range(EHLO_LINES):
            if self.transport.is_closing():
                return
            self.reply("250-still-checking-%d" % i)
            await asyncio.sleep(1)
        self.transport.close()

    def chunk_done(self):
        if not self.last:
            self.reply("250 2.0.0 %d octets received" % len(self.content))
            return
        n = self.store.save_raw(self.mail_from, self.rcpt_tos, self.content)
        self.reply("250 2.0.0 Ok: queued as %d" % n)
        self.mail_from, self.rcpt_tos, self.content = None, [], b""

    def data_received(self, data):
        self.buf += data
        while self.buf:
            if self.need > 0:
                take = self.buf[:self.need]
                self.buf = self.buf[len(take):]
                self.content += take
                self.need -= len(take)
                if self.need == 0:
                    self.chunk_done()
                continue
            line, sep, rest = self.buf.partition(b"\r\n")
            if not sep:
                return
            self.buf = rest
            self.command(line.decode("ascii", "replace"))

    def command(self, line):
        verb = line.split(" ", 1)[0].upper()
        if verb == "EHLO":
            self.reply("250-closeloop-test\r\n250-CHUNKING\r\n"
                       "250 ENHANCEDSTATUSCODES")
        elif verb == "MAIL":
            self.mail_from = line[10:].strip("<> ")
            self.reply("250 2.1.0 Ok")
        elif verb == "RCPT":
            address = line[8:].strip("<> ")
            if address.lower().startswith("endless"):
                asyncio.ensure_future(self.endless())
                return
            self.rcpt_tos.append(address)
            self.reply("250 2.1.5 Ok")
        elif verb == "BDAT":
            words = line.split()
            self.need = int(words[1])
            self.last = len(words) > 2 and words[2].upper() == "LAST"
            if self.need == 0:
                self.chunk_done()
        elif verb in ("RSET", "NOOP"):
            self.mail_from, self.rcpt_tos, self.content = None, [], b""
            self.reply("250 2.0.0 Ok")
        elif verb == "QUIT":
            self.reply("221 2.0.0 Bye")
            self.transport.close()
        else:
            self.reply("502 5.5.2 Not here")


def read_control(path):
    """Return what the control file asks for: "421", "hang", "chunking"
    or "normal"."""
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
    if "chunking" in text:
        return "chunking"
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
        if mode == "chunking":
            return Chunking(store)
        return FaultSMTP(handler, hostname="closeloop-test", loop=loop,
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
