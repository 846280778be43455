#!/usr/bin/python3
"""bench_workload.py - a city-shaped stream of 311 events for benchmarks

    bench_workload.py --srs N [--seed S] [--prefix P] resp > events.resp
    bench_workload.py --srs N ... pace --socket SOCK --rate R --times F
    bench_workload.py --srs 0 clock --fifo FIFO --out F
    bench_workload.py --srs 0 latency --socket SOCK --times F --clock F

The workload is shaped like Toronto's 311 service requests (open data,
2026): divisions about 48% Transportation Services (TS), 24% Solid Waste
Management (SWMS), 15% Municipal Licensing & Standards (MLS), 8% Toronto
Water (TW), 3% Urban Forestry (UF) and 2% Parks (PFR); each division's
common service types (potholes, sidewalk snow clearing, road plowing, bin
lids, property standards lead). Each SR has one subscriber, 30% by SMS and
70% by email, a tenth of them in a locale other than English; then 2 to 5
status transitions, ending closed. About 10% are transferred to another
division on the way. Most closures carry a division's note, some photos.
The SRs are interleaved as they would be in a live stream, each SR's own
events in order.

"resp" writes the XADD commands in the Redis protocol, for redis-cli
--pipe. "pace" sends them over the unix socket SOCK at R events a second
and writes "EVENT_ID UNIX_SECONDS" for each to F, the moment its XADD was
written. Both print a summary to stderr: events, SRs, and the notices the
workload should give (every transition is told with settle and coalescing
windows of 0, except what the policy keeps back: a transfer's own
"received" and repeats).

"clock" reads smtp-sink's dump FIFO and writes "MESSAGE-ID UNIX_SECONDS"
for each message as it arrives. "latency" matches each message to the
last event of its notice (the notification record's "events") and prints
percentiles of the time from that event's XADD to the message's arrival.
"""

import argparse
import os
import random
import socket
import sys
import time

DIVISIONS = [
    ("TS", 48, ["Road - Pot hole", "Sidewalk - Snow Clearing",
                "Road - Plowing", "Road - Damaged", "Traffic Signal Timing"]),
    ("SWMS", 24, ["Residential: Bin: Repair or Replace Lid",
                  "Garbage Collection - Missed Pick-Up",
                  "Illegal Dumping"]),
    ("MLS", 15, ["Property Standards", "Long Grass and Weeds",
                 "Graffiti - Private Property"]),
    ("TW", 8, ["Catch Basin - Blocked / Flooding",
               "Water Service Line - Leaking"]),
    ("UF", 3, ["Tree Pruning", "Tree Emergency Clean-Up"]),
    ("PFR", 2, ["Park Maintenance"]),
]

LOCALES = ["fr", "es", "pt", "fa", "zh-Hans"]

NOTES = [
    "The pothole was filled with hot asphalt. Please allow a day for it "
    "to cure.",
    "Crew attended and cleared the catch basin grate. Water is draining.",
    "Replacement lid delivered to the address on file.",
    "Inspector visited the property; an order to comply was issued.",
    "Snow was cleared from the sidewalk on both sides of the street.",
    "Tree limb removed and the debris chipped on site.",
]

PATHS = {
    2: ["received", "closed"],
    3: ["received", "assigned", "closed"],
    4: ["received", "assigned", "in_progress", "closed"],
    5: ["received", "assigned", "scheduled", "in_progress", "closed"],
}


def pick_division(rng):
    """Pick a division code and a service by the city's shares."""
    x = rng.uniform(0, sum(d[1] for d in DIVISIONS))
    for code, share, services in DIVISIONS:
        if x < share:
            return code, rng.choice(services)
        x -= share
    return DIVISIONS[0][0], DIVISIONS[0][2][0]


def sr_events(rng, prefix, i):
    """Return the field lists of SR number i's events, in order."""
    sr = "%s%07d" % (prefix, i)
    day, hour, minute = 1 + i % 20, 8 + i % 10, i % 60

    def ts(k):
        """The k-th event's time: a day apart."""
        return "2026-03-%02dT%02d:%02d:00-05:00" % (day + k, hour, minute)
    sub = ["v", "1", "type", "subscribe", "sr", sr, "ts", ts(0)]
    if rng.random() < 0.30:
        sub += ["phone", "+1416%07d" % (i % 10000000), "channels", "sms"]
    else:
        sub += ["email", "resident%d@example.net" % i]
    if rng.random() < 0.10:
        sub += ["locale", rng.choice(LOCALES)]
    out = [sub]
    div, service = pick_division(rng)
    path = PATHS[rng.randint(2, 5)]
    transfer = rng.random() < 0.10 and len(path) >= 3
    for k, status in enumerate(path):
        ev = ["v", "1", "type", "status", "sr", sr, "ts", ts(k),
              "division", div, "status", status, "service", service]
        if transfer and k == 1:
            other = rng.choice([d[0] for d in DIVISIONS if d[0] != div])
            ev[11] = "transferred"
            ev += ["transfer_to", other]
            div = other
        if status == "scheduled":
            ev += ["scheduled_for", "2026-03-30"]
        if status == "closed":
            ev += ["reason", "completed"]
            if rng.random() < 0.85:
                ev += ["note", rng.choice(NOTES)]
            if rng.random() < 0.30:
                ev += ["photos", "https://photos.example.org/%s/1.jpg" % sr]
        out.append(ev)
    for k, ev in enumerate(out):
        ev += ["event_id", "%s-%d" % (sr, k)]
    return out


def workload(n_srs, seed, prefix):
    """Yield every event's field list, the SRs interleaved in stream order."""
    rng = random.Random(seed)
    active = []
    nxt = 0
    while nxt < n_srs or active:
        while nxt < n_srs and len(active) < 64:
            active.append(sr_events(rng, prefix, nxt))
            nxt += 1
        j = rng.randrange(len(active))
        yield active[j].pop(0)
        if not active[j]:
            active[j] = active[-1]
            active.pop()


def resp(fields):
    """Return an XADD of the fields in the Redis protocol."""
    return resp_args(["XADD", "closeloop:events", "*"] + fields)


def pace(events, sock_path, rate, times_path):
    """Send the events at a steady rate, noting when each was written."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock_path)
    s.setblocking(False)
    start = time.time()
    sent = 0
    with open(times_path, "w") as times:
        for fields in events:
            due = start + sent / rate
            while True:
                now = time.time()
                if now >= due:
                    break
                time.sleep(min(due - now, 0.002))
                drain(s)
            s.setblocking(True)
            s.sendall(resp(fields))
            s.setblocking(False)
            times.write("%s %.6f\n" % (fields[fields.index("event_id") + 1],
                                      time.time()))
            sent += 1
            drain(s)
    s.setblocking(True)
    s.settimeout(10)
    s.close()
    return sent


def drain(s):
    """Read and drop whatever replies Redis has sent."""
    try:
        while s.recv(65536):
            pass
    except (BlockingIOError, InterruptedError):
        pass


class Redis:
    """A minimal pipelined Redis client over a unix socket."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.f = self.s.makefile("rb")

    def pipeline(self, commands):
        """Send every command, then return every reply."""
        self.s.sendall(b"".join(resp_args(c) for c in commands))
        return [self.reply() for _ in commands]

    def reply(self):
        """Read one reply: bulk strings as str, None for nil."""
        line = self.f.readline().rstrip(b"\r\n")
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode()
        if kind == b"*":
            return [self.reply() for _ in range(int(rest))]
        if kind == b"-":
            raise RuntimeError(rest.decode())
        return rest.decode()


def resp_args(args):
    """Return a command in the Redis protocol."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def clock(fifo, out_path):
    """Note when each message's Message-ID comes out of smtp-sink's dump.

    smtp-sink writes each message to the dump FIFO as it takes it in, and
    answers 250 once it has it all; the time read here is within a
    fraction of a millisecond of that answer. Runs until SIGTERM.
    """
    # Opened for writing too, the FIFO never reaches its end: smtp-sink
    # may close and open it again between messages without ever finding
    # it without a reader (which would end smtp-sink with SIGPIPE).
    fd = os.open(fifo, os.O_RDWR)
    with open(out_path, "w", buffering=1) as out, \
            os.fdopen(fd, "rb") as f:
        for line in f:
            if line.lower().startswith(b"message-id:"):
                mid = line.split(b":", 1)[1].strip().decode()
                out.write("%s %.6f\n" % (mid, time.time()))


def latency(sock_path, times_path, clock_path):
    """Print percentiles of XADD to smtp-sink for every message received."""
    sent = {}
    with open(times_path) as f:
        for line in f:
            eid, t = line.split()
            sent[eid] = float(t)
    keys, got = [], []
    with open(clock_path) as f:
        rows = [line.split() for line in f]
    for mid, t in rows:
        if "@" not in mid:
            continue
        sr, seq, i = mid.strip("<>").split("@")[0].split(".")
        keys.append(["HGET", "closeloop:sr:{%s}:n:%s/%s" % (sr, seq, i),
                     "events"])
        got.append(float(t))
    r = Redis(sock_path)
    lat = []
    for ev, t in zip(r.pipeline(keys), got):
        last = ev.split()[-1] if ev else None
        if last in sent:
            lat.append((t - sent[last]) * 1000)
    lat.sort()
    if not lat:
        print("latency: no message could be matched to its event")
        return
    def pct(p):
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))]
    print("latency XADD to 250 over %d messages: p50 %.1f ms, p95 %.1f ms, "
          "p99 %.1f ms, max %.1f ms" %
          (len(lat), pct(50), pct(95), pct(99), lat[-1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--srs", type=int, required=True)
    ap.add_argument("--seed", type=int, default=311)
    ap.add_argument("--prefix", default="B")
    sub = ap.add_subparsers(dest="mode", required=True)
    sub.add_parser("resp")
    p = sub.add_parser("pace")
    p.add_argument("--socket", required=True)
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--times", required=True)
    p = sub.add_parser("latency")
    p.add_argument("--socket", required=True)
    p.add_argument("--times", required=True)
    p.add_argument("--clock", required=True)
    p = sub.add_parser("clock")
    p.add_argument("--fifo", required=True)
    p.add_argument("--out", required=True)
    a = ap.parse_args()

    if a.mode == "latency":
        latency(a.socket, a.times, a.clock)
        return
    if a.mode == "clock":
        clock(a.fifo, a.out)
        return

    events = list(workload(a.srs, a.seed, a.prefix))
    n_sms = sum(1 for e in events if e[3] == "subscribe" and "phone" in e)
    n_status = sum(1 for e in events if e[3] == "status")
    if a.mode == "resp":
        out = sys.stdout.buffer
        for fields in events:
            out.write(resp(fields))
        out.flush()
    else:
        pace(events, a.socket, a.rate, a.times)
    print("events %d srs %d status %d sms_subscribers %d" %
          (len(events), a.srs, n_status, n_sms), file=sys.stderr)


if __name__ == "__main__":
    main()
