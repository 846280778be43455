#!/usr/bin/python3
"""mailbox.py - read what tests/harness/smtpd.py received, as a resident's mail
client and a careful postmaster would

    mailbox.py count DIR          messages received
    mailbox.py unique DIR         distinct Message-IDs among them
    mailbox.py list DIR           "MESSAGE-ID RCPT,..." for each message
                                  received, in the order received
    mailbox.py check DIR          every message: 7-bit, CRLF only, no line
                                  over 998 octets, well-formed MIME
                                  (multipart/alternative, text/plain and
                                  text/html in UTF-8), the headers a
                                  notification must carry; exit 1 if not
    mailbox.py show DIR RCPT      the last message to RCPT: its headers
                                  decoded, its text part
    mailbox.py field DIR RCPT H   one decoded header of the last message
                                  to RCPT (Subject, Message-ID, ...)
    mailbox.py html DIR RCPT      the HTML part of the last message to RCPT

DIR holds received.jsonl (one JSON object per message, with "file" and
"rcpt_tos") and the raw messages, as smtpd.py writes them.
"""
import email
import email.policy
import json
import os
import re
import sys


def messages(d):
    path = os.path.join(d, "received.jsonl")
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            name = rec["file"]
            if not os.path.isabs(name):
                name = os.path.join(d, name)
            with open(name, "rb") as m:
                rec["raw"] = m.read()
            out.append(rec)
    return out


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def wire_problems(raw):
    """What a strict SMTP peer would object to in the bytes."""
    out = []
    if any(b > 127 for b in raw):
        out.append("a byte that is not 7-bit")
    if re.search(rb"(?<!\r)\n", raw):
        out.append("a bare LF")
    if re.search(rb"\r(?!\n)", raw):
        out.append("a bare CR")
    if any(len(l) > 998 for l in raw.split(b"\r\n")):
        out.append("a line over 998 octets")
    if not raw.endswith(b"\r\n"):
        out.append("no final CRLF")
    return out


def check(rec):
    raw = rec["raw"]
    out = wire_problems(raw)
    msg = parse(raw)
    for h in ("From", "To", "Subject", "Date", "Message-ID",
              "MIME-Version", "Auto-Submitted"):
        if msg[h] is None:
            out.append("no %s header" % h)
    if msg["Auto-Submitted"] != "auto-generated":
        out.append("Auto-Submitted is %r" % msg["Auto-Submitted"])
    if msg["List-Unsubscribe"] is None or \
            msg["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click":
        out.append("no RFC 8058 one-click unsubscribe headers")
    if not re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", str(msg["Message-ID"])):
        out.append("Message-ID %r is malformed" % msg["Message-ID"])
    if msg.get_content_type() != "multipart/alternative":
        out.append("content type %s" % msg.get_content_type())
    else:
        kinds = [p.get_content_type() for p in msg.iter_parts()]
        if kinds != ["text/plain", "text/html"]:
            out.append("parts %s" % kinds)
        for p in msg.iter_parts():
            if p.get_content_charset() != "utf-8":
                out.append("%s in %s" % (p.get_content_type(),
                                         p.get_content_charset()))
            p.get_content()
    if msg.defects:
        out.append("defects %s" % msg.defects)
    if str(msg["To"]) not in rec["rcpt_tos"]:
        out.append("To %s is not the envelope recipient" % msg["To"])
    return out


def last_to(d, rcpt):
    hit = [r for r in messages(d) if rcpt in r["rcpt_tos"]]
    if not hit:
        sys.exit("no message to %s" % rcpt)
    return parse(hit[-1]["raw"])


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, d = argv[1], argv[2]
    if cmd == "count":
        print(len(messages(d)))
    elif cmd == "unique":
        print(len({str(parse(r["raw"])["Message-ID"])
                   for r in messages(d)}))
    elif cmd == "list":
        for r in messages(d):
            print("%s %s" % (parse(r["raw"])["Message-ID"],
                             ",".join(r["rcpt_tos"])))
    elif cmd == "check":
        bad = 0
        for rec in messages(d):
            problems = check(rec)
            msg = parse(rec["raw"])
            print("%s %s %s%s" % (
                "BAD" if problems else "ok ", ",".join(rec["rcpt_tos"]),
                msg["Subject"], "".join("\n    " + p for p in problems)))
            bad += bool(problems)
        sys.exit(1 if bad else 0)
    elif cmd == "show":
        msg = last_to(d, argv[3])
        for h in ("From", "To", "Subject", "Date", "Message-ID",
                  "Content-Language", "List-Unsubscribe"):
            print("%s: %s" % (h, msg[h]))
        print()
        print(msg.get_body(("plain",)).get_content())
    elif cmd == "field":
        print(last_to(d, argv[3])[argv[4]])
    elif cmd == "html":
        print(last_to(d, argv[3]).get_body(("html",)).get_content())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
