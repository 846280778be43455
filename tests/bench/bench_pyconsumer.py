#!/usr/bin/python3
"""bench_pyconsumer.py - the least a consumer of the stream can do, as a yardstick

    bench_pyconsumer.py --socket SOCK --smtp HOST:PORT --count N

Reads closeloop:events as consumer "py" of its own group "pyconsumer"
(redis-py, Debian's python3-redis, XREADGROUP of 100 entries, blocking
one second), and for each closed status event whose SR has an email
subscriber sends one short plain-text message over one kept SMTP
connection (smtplib), then acknowledges the entries. No policy, no
retry, no audit, no templates, no MIME beyond one header block: what a
city would write in an afternoon. It stops once N messages are sent, or
after 10 seconds without an entry, and prints "pyconsumer: N messages in
S s: R messages/s" from its first entry to its last message.
"""

import argparse
import smtplib
import sys
import time

import redis


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--smtp", required=True)
    ap.add_argument("--count", type=int, required=True)
    a = ap.parse_args()
    r = redis.Redis(unix_socket_path=a.socket, decode_responses=True)
    try:
        r.xgroup_create("closeloop:events", "pyconsumer", id="0")
    except redis.ResponseError:
        pass
    host, port = a.smtp.rsplit(":", 1)
    smtp = smtplib.SMTP(host, int(port))
    who = {}
    sent, t0, t1, idle = 0, None, None, time.monotonic()
    while sent < a.count and time.monotonic() - idle < 10:
        got = r.xreadgroup("pyconsumer", "py", {"closeloop:events": ">"},
                           count=100, block=1000)
        if not got:
            continue
        idle = time.monotonic()
        if t0 is None:
            t0 = time.monotonic()
        ids = []
        for eid, f in got[0][1]:
            ids.append(eid)
            if f.get("type") == "subscribe" and "email" in f:
                who[f["sr"]] = f["email"]
            elif f.get("type") == "status" and f.get("status") == "closed" \
                    and f["sr"] in who:
                to = who.pop(f["sr"])
                msg = ("From: 311 <311@example.org>\r\nTo: %s\r\n"
                       "Subject: Your request %s is completed\r\n\r\n"
                       "Your request %s was completed.\r\n" %
                       (to, f["sr"], f["sr"]))
                smtp.sendmail("311@example.org", [to], msg)
                sent += 1
                t1 = time.monotonic()
        r.xack("closeloop:events", "pyconsumer", *ids)
    smtp.quit()
    if t0 is None or t1 is None:
        print("pyconsumer: nothing sent", file=sys.stderr)
        return 1
    print("pyconsumer: %d messages in %.2f s: %.0f messages/s" %
          (sent, t1 - t0, sent / (t1 - t0) if t1 > t0 else 0))
    print("pyconsumer CPU: %.3f s" % time.process_time())
    return 0


if __name__ == "__main__":
    sys.exit(main())
