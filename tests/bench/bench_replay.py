#!/usr/bin/python3
"""bench_replay.py - what closeloop's commands cost Redis, in instructions

Reads what redis-server's MONITOR printed during a run (bench.sh redis),
starts a fresh redis-server under valgrind's callgrind on a unix socket
in DIR, sends it every command of the capture in order (the scripts'
own calls, printed as "[0 lua]", are left to the scripts), stops it, and
prints the instructions it executed per event, and per event in the
functions that matter: each command's own function and what the scripts
add around them. Instructions, not seconds: the figure is the same
from run to run whatever else the machine is doing, so two versions of
closeloop can be compared by one capture each.

What the replay cannot be is several clients: MONITOR does not say
which client sent a command on a unix socket. So MULTI, EXEC, WATCH,
UNWATCH and DISCARD are left out (the commands between them still run),
a blocking read is sent without its BLOCK, and replies are not read
until the end of each batch of 500.

Usage: bench_replay.py --monitor FILE --events N --dir DIR
"""
import argparse
import os
import re
import subprocess
import sys
import time

import redis

SKIP = {b"MONITOR", b"MULTI", b"EXEC", b"WATCH", b"UNWATCH", b"DISCARD",
        b"CONFIG", b"SHUTDOWN", b"CLIENT", b"INFO", b"DEBUG"}
ESC = {"n": b"\n", "r": b"\r", "t": b"\t", "a": b"\a", "b": b"\b",
       '"': b'"', "\\": b"\\"}
LINE = re.compile(r'[\d.]+ \[\d+ ([^\]]+)\] (.*)')
# Functions reported per event, besides the total.
SHOWN = re.compile(r"^\s*([\d,]+) .*\?\?\?:(\w+Command|lua_pcall|scriptCall|"
                   r"processMultibulkBuffer|lua_pushlstring|"
                   r"luaRedisGenericCommand)\b")


def words(text):
    """Split a MONITOR line's quoted, escaped arguments into bytes."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text[i] != '"':
            i += 1
            continue
        i += 1
        b = bytearray()
        while text[i] != '"':
            c = text[i]
            if c == "\\":
                d = text[i + 1]
                if d == "x":
                    b.append(int(text[i + 2:i + 4], 16))
                    i += 4
                else:
                    b += ESC[d]
                    i += 2
                continue
            b += c.encode("latin-1")
            i += 1
        out.append(bytes(b))
        i += 1
    return out


def commands(path):
    """Return the capture's commands, as sent by clients, to replay."""
    cmds = []
    with open(path, encoding="latin-1") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if not m or m.group(1) == "lua":
                continue
            a = words(m.group(2))
            if not a or a[0].upper() in SKIP:
                continue
            name = a[0].upper()
            if name in (b"XREAD", b"XREADGROUP"):
                for j in range(1, len(a) - 1):
                    if a[j].upper() == b"BLOCK":
                        del a[j:j + 2]
                        break
            cmds.append(a)
    return cmds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--monitor", required=True)
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--dir", required=True)
    o = ap.parse_args()
    cmds = commands(o.monitor)
    sock = os.path.join(o.dir, "replay.sock")
    out = os.path.join(o.dir, "callgrind.out")
    srv = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
         "redis-server", "--port", "0", "--unixsocket", sock, "--save", "",
         "--appendonly", "no", "--dir", o.dir],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r = None
    for _ in range(200):
        time.sleep(0.1)
        try:
            r = redis.Redis(unix_socket_path=sock)
            r.ping()
            break
        except redis.exceptions.ConnectionError:
            r = None
    if r is None:
        srv.kill()
        sys.exit("bench_replay: redis-server under callgrind did not start")
    for i in range(0, len(cmds), 500):
        pl = r.pipeline(transaction=False)
        for a in cmds[i:i + 500]:
            pl.execute_command(*a)
        pl.execute(raise_on_error=False)
    try:
        r.shutdown(nosave=True)
    except redis.exceptions.ConnectionError:
        pass
    srv.wait()
    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", out],
                         capture_output=True, text=True).stdout
    total = 0
    for line in open(out):
        if line.startswith(("summary:", "totals:")):
            total = int(line.split()[1])
    n = o.events
    print("replayed %d commands (%.1f per event) into redis-server under "
          "callgrind" % (len(cmds), len(cmds) / n))
    names = {}
    for a in cmds:
        k = a[0].upper().decode("latin-1")
        names[k] = names.get(k, 0) + 1
    print("  sent: " + ", ".join("%s %.2f" % (k, v / n) for k, v in
                                 sorted(names.items(), key=lambda x: -x[1])))
    print("redis-server: %.0f thousand instructions per event (%.1f "
          "million in all, start and stop among them)" % (total / n / 1e3,
                                                          total / 1e6))
    for line in ann.splitlines():
        m = SHOWN.match(line)
        if m:
            ir = int(m.group(1).replace(",", ""))
            if ir / n >= 1000:
                print("  %-26s %7.0f thousand per event" % (m.group(2),
                                                            ir / n / 1e3))


if __name__ == "__main__":
    main()
