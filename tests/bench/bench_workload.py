#!/usr/bin/python3
"""bench_workload.py - a city-shaped stream of 311 events for benchmarks

    bench_workload.py --srs N [--seed S] [--prefix P] resp > events.resp
    bench_workload.py --year [--srs N] [--ward | --ward-numbers] resp > F
    bench_workload.py --srs N ... pace --socket SOCK --rate R --times F
    bench_workload.py --srs 0 clock --fifo FIFO --out F
    bench_workload.py --srs 0 latency --socket SOCK --times F --clock F
    bench_workload.py --srs 0 keys --socket SOCK [--sample K]

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

--year shapes a year of the city instead: --srs SRs (default 570,000,
Toronto's yearly count) spread over the 365 days of 2026, more of them
in the spring and summer months, each SR's events stamped within its
day, 35 minutes apart (a subscription at the time of the SR's first
status), in Toronto's local time. 70% of the SRs have a subscriber (by
SMS or email as above); an SR has 2 to 5 transitions, most of them 2 or
3, so that the year holds about 3.5 events per SR, some 2,000,000
events. Each division has its own list of service types (20 for TS, 16
for SWMS and MLS, 8 to 10 for the others), the first of each list the
most common. --ward adds a `ward` field to the status events: one of
Toronto's 25 wards, "W01" to "W25" ("1" to "25" with --ward-numbers),
picked per SR with an uneven spread. The ward is drawn from a generator
of its own, so that the events with and without --ward are the same but
for that field. Without --year the workload is the one above, unchanged
for a given seed.

"resp" writes the XADD commands in the Redis protocol, for redis-cli
--pipe. "pace" sends them over the unix socket SOCK at R events a second
and writes "EVENT_ID UNIX_SECONDS" for each to F, the moment its XADD was
written. Both print a summary to stderr: events, SRs, and the notices the
workload should give (every transition is told with settle and coalescing
windows of 0, except what the policy keeps back: a transfer's own
"received" and repeats).

"keys" scans every key of the Redis at SOCK, sorts them into kinds by
their names (the SR, hashes and numbers taken out: closeloop:sr:{SR}:n:N/N,
closeloop:phone:HASH), and
prints each kind's count, the mean MEMORY USAGE of up to K (default
200) of them, and that mean times the count.

"clock" reads smtp-sink's dump FIFO and writes "MESSAGE-ID UNIX_SECONDS"
for each message as it arrives. "latency" matches each message to the
last event of its notice (the notification record's "events") and prints
percentiles of the time from that event's XADD to the message's arrival.
"""

import argparse
import bisect
import datetime
import os
import random
import re
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

# --year: each division's service types, the most common first.
YEAR_SERVICES = {
    "TS": ["Road - Pot hole", "Sidewalk - Snow Clearing", "Road - Plowing",
           "Road - Damaged", "Traffic Signal Timing",
           "Road - Sanding / Salting Required", "Street Light Out",
           "Road - Cleaning / Debris", "Sidewalk - Damaged / Concrete",
           "Traffic Sign - Maintenance", "Boulevards - Grass Cutting",
           "Curb - Damaged", "Laneway - Surface Damage",
           "Traffic Signal Maintenance", "Road - Water Ponding",
           "Sidewalk - Ice", "Bicycle Lane - Maintenance",
           "Road - Graffiti Complaint", "Bridge - Damaged",
           "Pedestrian Crossover - Maintenance"],
    "SWMS": ["Residential: Bin: Repair or Replace Lid",
             "Garbage Collection - Missed Pick-Up", "Illegal Dumping",
             "Residential: Green Bin: Missed Pick-Up",
             "Residential: Recycle Bin: Missed Pick-Up",
             "Residential: Bin: Repair or Replace Body/Handle",
             "Residential: Furniture / Appliance Pick-Up",
             "Litter / Bin / Overflow or Not Picked Up",
             "Residential: Yard Waste: Missed Pick-Up",
             "Residential: Bin: Request New",
             "Residential: Bin: Exchange Size",
             "Dead Animal On Road / Sidewalk",
             "Litter / Sidewalk & Boulevard / Pick Up Request",
             "Commercial: Missed Pick-Up",
             "Christmas Tree Pick-Up", "Dead Animal On Expressway"],
    "MLS": ["Property Standards", "Long Grass and Weeds",
            "Graffiti - Private Property", "Noise", "Dog Off Leash",
            "Zoning", "Waste Bins on Property", "Construction Noise",
            "Snow / Ice on Sidewalk - Private", "Front Yard Parking",
            "Fence Complaint", "Heating - Inadequate",
            "Illegal Dumping - Private Property", "Rooming House",
            "Animal Services - Injured Wildlife", "Pool Enclosure"],
    "TW": ["Catch Basin - Blocked / Flooding",
           "Water Service Line - Leaking", "Watermain - Possible Break",
           "Sewer Service Line - Blocked", "Basement Flooding",
           "Hydrant - Damaged / Leaking", "Water Service Line - Turn Off",
           "Water Quality - Discoloured", "Low Water Pressure",
           "Water Meter - Reading"],
    "UF": ["Tree Pruning", "Tree Emergency Clean-Up", "Tree Removal",
           "Tree Inspection", "Tree Planting", "Tree Stump Removal",
           "Tree Pest / Disease", "Tree Watering"],
    "PFR": ["Park Maintenance", "Park Garbage / Litter", "Park Washroom",
            "Playground Equipment", "Park Snow Clearing", "Park Lighting",
            "Sports Field Maintenance", "Park Benches"],
}

# --year: the months' shares of the year's SRs, in percent.
YEAR_MONTHS = [7.2, 7.0, 8.0, 8.6, 9.4, 9.2, 9.1, 8.8, 8.4, 8.3, 8.0, 8.0]

# --year: the 25 wards' relative shares.
YEAR_WARDS = [4.8, 3.6, 4.4, 3.1, 3.3, 4.0, 3.5, 4.2, 3.9, 5.9, 4.6, 3.8,
              6.4, 4.1, 3.2, 2.9, 3.4, 3.0, 4.5, 4.3, 3.7, 3.1, 4.0, 4.4, 3.9]

# --year: 2 to 5 transitions, most SRs closed soon.
YEAR_PATHS = [45, 32, 20, 3]



def pick_division(rng, year=None):
    """Pick a division code and a service by the city's shares."""
    x = rng.uniform(0, sum(d[1] for d in DIVISIONS))
    for code, share, services in DIVISIONS:
        if x < share:
            if year is not None:
                return code, year.service(rng, code)
            return code, rng.choice(services)
        x -= share
    return DIVISIONS[0][0], DIVISIONS[0][2][0]


def subscription(rng, sr, i, ts):
    """Return the fields of SR number i's subscription, made at ts."""
    sub = ["v", "1", "type", "subscribe", "sr", sr, "ts", ts]
    if rng.random() < 0.30:
        sub += ["phone", "+1416%07d" % (i % 10000000), "channels", "sms"]
    else:
        sub += ["email", "resident%d@example.net" % i]
    if rng.random() < 0.10:
        sub += ["locale", rng.choice(LOCALES)]
    return sub


def sr_events(rng, prefix, i, year=None):
    """Return the field lists of SR number i's events, in order."""
    sr = "%s%07d" % (prefix, i)
    out = []
    if year is None:
        day, hour, minute = 1 + i % 20, 8 + i % 10, i % 60

        def ts(k):
            """The k-th event's time: a day apart."""
            return "2026-03-%02dT%02d:%02d:00-05:00" % (day + k, hour,
                                                        minute)
        out.append(subscription(rng, sr, i, ts(0)))
        div, service = pick_division(rng)
        path = PATHS[rng.randint(2, 5)]
        ward, scheduled_for = None, "2026-03-30"
    else:
        ts, scheduled_for = year.times(i)
        if rng.random() < 0.70:
            out.append(subscription(rng, sr, i, ts(0)))
        div, service = pick_division(rng, year)
        path = PATHS[rng.choices([2, 3, 4, 5], YEAR_PATHS)[0]]
        ward = year.pick_ward()
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
            ev += ["scheduled_for", scheduled_for]
        if status == "closed":
            ev += ["reason", "completed"]
            if rng.random() < 0.85:
                ev += ["note", rng.choice(NOTES)]
            if rng.random() < 0.30:
                ev += ["photos", "https://photos.example.org/%s/1.jpg" % sr]
        if ward is not None:
            ev += ["ward", ward]
        out.append(ev)
    for k, ev in enumerate(out):
        ev += ["event_id", "%s-%d" % (sr, k)]
    return out


class Year:
    """The shape of --year: days, times, services and wards of n SRs."""

    def __init__(self, n_srs, seed, ward):
        self.n = max(n_srs, 1)
        self.ward = ward
        self.wrng = random.Random("ward-%d" % seed)
        first = datetime.date(2026, 1, 1)
        self.days = [first + datetime.timedelta(d) for d in range(365)]
        cum, total = [], 0.0
        for d in self.days:
            n_days = (datetime.date(2026 + d.month // 12, d.month % 12 + 1,
                                    1) - datetime.date(2026, d.month, 1)).days
            total += YEAR_MONTHS[d.month - 1] / n_days
            cum.append(total)
        self.cum = [c / total for c in cum]
        self.weights = {div: [1.0 / (r + 1) for r in range(len(svc))]
                        for div, svc in YEAR_SERVICES.items()}

    def times(self, i):
        """Return SR number i's ts(k) and its scheduled_for date.

        The SRs go through 2026 in order; an SR's events are 35 minutes
        apart on its day, from between 7:00 and 18:59, Toronto's time.
        """
        day = self.days[min(bisect.bisect(self.cum, (i + 0.5) / self.n),
                            364)]
        start = datetime.datetime.combine(day, datetime.time(7 + i * 7 % 12,
                                                             i % 60))
        dst = datetime.date(2026, 3, 8) <= day < datetime.date(2026, 11, 1)
        zone = "-04:00" if dst else "-05:00"

        def ts(k):
            """The k-th event's time."""
            t = start + datetime.timedelta(minutes=35 * k)
            return t.strftime("%Y-%m-%dT%H:%M:00") + zone
        return ts, (day + datetime.timedelta(3)).isoformat()

    def service(self, rng, div):
        """Pick one of a division's service types, the first most often."""
        return rng.choices(YEAR_SERVICES[div], self.weights[div])[0]

    def pick_ward(self):
        """Pick a ward by the wards' shares in the --ward format, or None."""
        if self.ward is None:
            return None
        w = self.wrng.choices(range(1, 26), YEAR_WARDS)[0]
        return "W%02d" % w if self.ward == "W" else "%d" % w


def single(n_srs, prefix):
    """Yield the --single workload: per SR, an email subscriber in English,
    then the SR closed as completed by TS with a note."""
    for i in range(n_srs):
        sr = "%s%07d" % (prefix, i)
        ts = "2026-03-03T%02d:%02d:00-05:00" % (8 + i % 10, i % 60)
        yield ["v", "1", "type", "subscribe", "sr", sr, "ts", ts,
               "email", "resident%d@example.net" % i, "event_id", sr + "-0"]
        yield ["v", "1", "type", "status", "sr", sr, "ts", ts,
               "division", "TS", "status", "closed", "reason", "completed",
               "service", "Road Pothole / Road Damage",
               "note", "We filled the pothole.", "event_id", sr + "-1"]


def workload(n_srs, seed, prefix, year=None):
    """Yield every event's field list, the SRs interleaved in stream order."""
    rng = random.Random(seed)
    active = []
    nxt = 0
    while nxt < n_srs or active:
        while nxt < n_srs and len(active) < 64:
            active.append(sr_events(rng, prefix, nxt, year))
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


def keys(sock_path, sample):
    """Print every kind of key: how many, and their memory from a sample."""
    r = Redis(sock_path)
    kinds = {}
    cursor = "0"
    while True:
        cursor, batch = r.pipeline([["SCAN", cursor, "COUNT", "1000"]])[0]
        for k in batch:
            kind = re.sub(r"\{[^}]*\}", "{SR}", k)
            kind = re.sub(r"[0-9a-fA-F]{16,}", "HASH", kind)
            kind = re.sub(r"[0-9]+", "N", kind)
            n, some = kinds.get(kind, (0, []))
            if len(some) < sample:
                some.append(k)
            kinds[kind] = (n + 1, some)
        if cursor == "0":
            break
    print("%-40s %10s %12s %10s" % ("kind of key", "keys", "bytes each",
                                     "MiB"))
    total = 0.0
    for kind, (n, some) in sorted(kinds.items(), key=lambda kv: -kv[1][0]):
        used = r.pipeline([["MEMORY", "USAGE", k, "SAMPLES", "0"]
                           for k in some])
        mean = sum(int(u or 0) for u in used) / len(some)
        total += mean * n
        print("%-40s %10d %12.0f %10.1f" % (kind, n, mean, mean * n / 2**20))
    print("%-40s %10d %12s %10.1f" % ("all", sum(v[0] for v in
                                               kinds.values()), "",
                                       total / 2**20))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--srs", type=int)
    ap.add_argument("--seed", type=int, default=311)
    ap.add_argument("--prefix", default="B")
    ap.add_argument("--year", action="store_true")
    ap.add_argument("--single", action="store_true")
    ap.add_argument("--ward", action="store_const", const="W")
    ap.add_argument("--ward-numbers", dest="ward", action="store_const",
                    const="N")
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
    p = sub.add_parser("keys")
    p.add_argument("--socket", required=True)
    p.add_argument("--sample", type=int, default=200)
    a = ap.parse_args()
    if a.srs is None:
        if not a.year:
            ap.error("--srs is required without --year")
        a.srs = 570000
    if a.ward and not a.year:
        ap.error("--ward and --ward-numbers go with --year")

    if a.mode == "latency":
        latency(a.socket, a.times, a.clock)
        return
    if a.mode == "clock":
        clock(a.fifo, a.out)
        return
    if a.mode == "keys":
        keys(a.socket, a.sample)
        return

    year = Year(a.srs, a.seed, a.ward) if a.year else None
    counts = [0, 0, 0]

    def counted(events):
        """Count the events, status events and SMS subscribers going by."""
        for e in events:
            counts[0] += 1
            counts[1] += e[3] == "status"
            counts[2] += e[3] == "subscribe" and "phone" in e
            yield e
    events = counted(single(a.srs, a.prefix) if a.single else
                     workload(a.srs, a.seed, a.prefix, year))
    if a.mode == "resp":
        out = sys.stdout.buffer
        for fields in events:
            out.write(resp(fields))
        out.flush()
    else:
        pace(events, a.socket, a.rate, a.times)
    print("events %d srs %d status %d sms_subscribers %d" %
          (counts[0], a.srs, counts[1], counts[2]), file=sys.stderr)


if __name__ == "__main__":
    main()
