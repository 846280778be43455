#!/usr/bin/python3
"""crm.py - the CRM's side of closeloop's outbound stream, for the tests

    crm.py create SOCKET [STREAM [GROUP]]
        create the CRM's consumer group on the stream (from its first
        entry; the stream is made if there is none yet)
    crm.py read SOCKET [STREAM [GROUP [CONSUMER]]]
        read the entries new to the group (XREADGROUP ... >), acknowledge
        them (XACK), and print each as one line of JSON: "id" (the stream
        ID) then its fields in order; exit 1 if an entry names a field
        twice
    crm.py examples EVENTS_MD
        print the examples of the outbound contract in docs/events.md
        (the JSON objects in its ```json blocks), one a line
    crm.py check EVENTS_MD ENTRIES [TYPE ...]
        check the examples against the entries read (ENTRIES, as read
        prints them), for the types given or else every type read: each
        has an example, and each example of one has the fields of an
        entry of its type; every example starts as an entry does. Exit
        1 saying what differs. Examples of other types are left to the
        test that writes them.

STREAM is closeloop:outbound, GROUP crm, CONSUMER crm-1 unless given.
It talks RESP to Redis's unix socket itself, as a CRM's own client
would, so that it needs nothing but Python.
"""
import json
import re
import socket
import sys


class Redis:
    """One connection, one command at a time."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("Redis closed the connection")
            self.buf += chunk
        out, self.buf = self.buf.split(b"\r\n", 1)
        return out

    def exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("Redis closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n + 2:]
        return out

    def reply(self):
        head = self.line()
        kind, rest = head[:1], head[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.exact(n).decode("utf-8")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("unexpected reply %r" % head)

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a.encode("utf-8") if isinstance(a, str) else a
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        r = self.reply()
        if isinstance(r, RuntimeError):
            raise r
        return r


def examples(path):
    """Return the outbound contract's examples in the guide at path."""
    doc = open(path).read()
    part = doc[doc.index("## The outbound contract"):]
    dec, out = json.JSONDecoder(), []
    for b in re.findall(r"^```json\n(.*?)^```$", part, re.S | re.M):
        i = 0
        while True:
            while i < len(b) and b[i].isspace():
                i += 1
            if i == len(b):
                break
            obj, i = dec.raw_decode(b, i)
            out.append(obj)
    return out


def check(path, entries, only):
    """Check the examples in the guide at path against the entries, for
    the types only (or, if empty, every type of the entries)."""
    got = [json.loads(l) for l in open(entries)]
    shapes = {(e["type"], frozenset(k for k in e if k != "id"))
              for e in got}
    types = set(only) if only else {e["type"] for e in got}
    xs = examples(path)
    bad = 0
    for x in xs:
        if list(x)[:4] != ["v", "type", "sr", "at"] or x["v"] != "1":
            print("the example does not start as an entry does: %s" % x)
            bad = 1
        for k, v in x.items():
            if not isinstance(v, str):
                print("%s: %s is not a string, as every value is" %
                      (x["type"], k))
                bad = 1
        if x["type"] in types and (x["type"], frozenset(x)) not in shapes:
            print("no entry of type %s has the fields %s" %
                  (x["type"], " ".join(x)))
            bad = 1
    for t in sorted(types - {x["type"] for x in xs}):
        print("no example of type %s" % t)
        bad = 1
    return bad


def main(argv):
    if len(argv) < 3 or argv[1] not in ("create", "read", "examples",
                                        "check"):
        sys.exit(__doc__)
    if argv[1] == "examples":
        for x in examples(argv[2]):
            print(json.dumps(x, ensure_ascii=False))
        return 0
    if argv[1] == "check":
        if len(argv) < 4:
            sys.exit(__doc__)
        return check(argv[2], argv[3], argv[4:])
    r = Redis(argv[2])
    stream = argv[3] if len(argv) > 3 else "closeloop:outbound"
    group = argv[4] if len(argv) > 4 else "crm"
    consumer = argv[5] if len(argv) > 5 else "crm-1"
    if argv[1] == "create":
        try:
            r.call("XGROUP", "CREATE", stream, group, "0", "MKSTREAM")
        except RuntimeError as e:
            if not str(e).startswith("BUSYGROUP"):
                raise
        return 0
    rc = 0
    while True:
        got = r.call("XREADGROUP", "GROUP", group, consumer, "COUNT", "100",
                     "STREAMS", stream, ">")
        if not got:
            break
        for _, entries in got:
            for sid, fields in entries:
                entry = {"id": sid}
                for i in range(0, len(fields) - 1, 2):
                    if fields[i] in entry:
                        print("%s: %s given twice" % (sid, fields[i]),
                              file=sys.stderr)
                        rc = 1
                    entry[fields[i]] = fields[i + 1]
                print(json.dumps(entry, ensure_ascii=False))
                r.call("XACK", stream, group, sid)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
