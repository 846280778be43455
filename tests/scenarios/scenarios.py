#!/usr/bin/python3
"""scenarios.py - run the policy scenarios against real closeloopd processes

Each file in tests/scenarios/ is one scenario: events with time offsets,
and the decisions that must (and must not) follow. This runner starts a
private redis-server on a unix socket and one or more closeloopd processes
in one consumer group, plays every scenario - those that do not restart
the daemons all at once, each on its own SRs, then the others one by one -
waits until every event is handled and every pending notice released,
and, as the daemons mail through a real SMTP server of the runner's own
(tests/harness/smtpd.py, aiosmtpd), every email sent and every question
"is it fixed?" asked, and checks each scenario's expectations against
the SR's timeline as
"closeloop history --json" prints it, and the notification records. Every
event a scenario adds must be accepted (in its SR's event history) and
none dead-lettered, unless the scenario says "dead N". Last, no email
address or phone number of the events may be in full in what closeloop
wrote: the daemons' logs, the histories printed, and "closeloop history
--json --since" over every SR (tests/harness/leakcheck.py).

Scenario lines (# starts a comment; the first comment is the title):
  AT TYPE FIELD=VALUE ...   add an event to the stream AT seconds after the
                            start, as the CRM would; shell-style quoting. sr
                            defaults to $SR; $SR, $SR2, $SR3 name the
                            scenario's own SRs. ts defaults to a fixed base
                            time plus AT; ts=+N or ts=-N is relative to it,
                            ts=now, ts=now+N or ts=now-N to the time the
                            event is sent (for a standard that must not have
                            ended when it is read).
                            event_id defaults to a fresh one per line;
                            event_id=X is made unique to the scenario.
  AT restart|kill|stop|start
                            SIGTERM and restart daemon 1; SIGKILL and
                            restart daemon 1; SIGTERM every daemon; start
                            every daemon.
  notices KIND ...          the notices queued for $SR, in order (- none)
  expect [SR:]DECISION NOTICE RULE [DIVISION]
                            some audit record matches ('-' matches any)
  expect no [SR:]DECISION NOTICE RULE [DIVISION]
                            no audit record matches
  notice KIND FIELD=VALUE ...
                            a queued notice of KIND for $SR has these fields
  recipients KIND N         the notice KIND was queued for N contacts
  renders LOCALE CHANNEL TEXT
                            "closeloop render" of the first status event
                            of $SR, for a resident of LOCALE by CHANNEL
                            (email or sms), prints TEXT
  dead N                    N of the scenario's events go to the
                            dead-letter stream (and are not accepted)
Offsets are in seconds at SCENARIO_SCALE=1 (settle window 2 s, coalescing
window 1 s); a larger integer scale stretches offsets and windows alike.
Emails go out (to the runner's SMTP server); SMS do not (no gateway), so
a question is asked only of an email resident. Only division FB asks
"is it fixed?", 2 s after the completion went out, answers taken for a
day. Divisions RO and PW have service standards (RO: 5 business days to
complete "Road Pothole / Road Damage", 2 to respond to the rest; PW: 400
to complete), and 2026-03-09 is a holiday; the events' ts are long past,
so a standard that is not met has ended by the time the event is read.
Exit status: 0 all passed, 1 a failure, 77 a program is missing (outside CI).
"""

import json
import os
import zlib
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "harness"))
import leakcheck  # noqa: E402 (in tests/harness)
import rollupcheck  # noqa: E402 (in tests/harness)

TOP_SRC = os.environ.get("top_srcdir") or os.path.join(HERE, "..", "..")
TOP_BUILD = os.environ.get("top_builddir") or TOP_SRC
CLOSELOOPD = os.path.join(TOP_BUILD, "closeloopd")
CLOSELOOP = os.path.join(TOP_BUILD, "closeloop")
REDIS_SERVER = os.environ.get("REDIS_SERVER", "redis-server")
if REDIS_SERVER in ("", "no"):
    REDIS_SERVER = "redis-server"
WRAP = shlex.split(os.environ.get("CLOSELOOP_WRAP", ""))
SCEN_DIR = os.environ.get("SCENARIO_DIR",
                          os.path.join(TOP_SRC, "tests", "scenarios"))
BASE_TS = 1772532000            # 2026-03-03T10:00:00Z
# SCENARIO_SCALE stretches every offset and window, for slow runs (valgrind).
SCALE = int(os.environ.get("SCENARIO_SCALE", "1"))
SETTLE = 2 * SCALE
COALESCE = 1 * SCALE
ASK_AFTER = 2 * SCALE
CONTROL = ("restart", "kill", "stop", "start")
SERVICES = ("Road Pothole / Road Damage", "Catch Basin - Blocked | Flooding",
            "Sidewalk Snow Clearing")


def missing(what):
    """Skip the test, or fail it in CI."""
    if os.environ.get("CI") == "true":
        print("FAIL: %s (required in CI)" % what)
        sys.exit(1)
    print("SKIP: %s" % what)
    sys.exit(77)


class Redis:
    """A minimal RESP client over a unix socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""
        self.lock = threading.Lock()

    def _line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("redis closed the connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _bulk(self, n):
        while len(self.buf) < n + 2:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("redis closed the connection")
            self.buf += data
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data.decode("utf-8", "replace")

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:].decode()
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RuntimeError(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            return None if rest == "-1" else self._bulk(int(rest))
        if kind == b"*":
            return None if rest == "-1" else [self._reply()
                                               for _ in range(int(rest))]
        raise RuntimeError("bad reply %r" % line)

    def cmd(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        with self.lock:
            self.sock.sendall(out)
            return self._reply()

    def notifications(self, sr):
        """The notification records of an SR, in the order queued."""
        out, cursor = [], "0"
        while True:
            cursor, keys = self.cmd("SCAN", cursor, "MATCH",
                                    "closeloop:sr:{%s}:n:*" % sr,
                                    "COUNT", 1000)
            for k in keys:
                flat = self.cmd("HGETALL", k)
                out.append(dict(zip(flat[0::2], flat[1::2])))
            if cursor == "0":
                return sorted(out, key=lambda n: (int(n.get("created", 0)),
                                                  n.get("id")))

    def entries(self, key):
        """XRANGE key - + as a list of dicts."""
        out = []
        for _id, flat in self.cmd("XRANGE", key, "-", "+"):
            out.append(dict(zip(flat[0::2], flat[1::2])))
        return out


class Scenario:
    """One scenario file: its lines, its SRs and its expectations."""

    def __init__(self, path, run):
        self.name = os.path.basename(path)[:-4]
        self.title = ""
        self.steps = []
        self.checks = []
        self.dead = 0
        self.emitted = set()
        self.status_events = []
        prefix = "%s-%s" % (run, self.name.split("-")[0])
        self.srs = {"$SR3": prefix + "C", "$SR2": prefix + "B",
                    "$SR": prefix + "A"}
        self.prefix = prefix
        with open(path, encoding="utf-8") as f:
            for raw in f:
                line = raw.strip()
                if line.startswith("#"):
                    if not self.title:
                        self.title = line.lstrip("# ")
                    continue
                if not line:
                    continue
                words = shlex.split(self.subst(line))
                if words[0] == "dead":
                    self.dead = int(words[1])
                elif words[0] in ("notices", "expect", "notice",
                                  "recipients", "renders"):
                    self.checks.append(words)
                else:
                    self.steps.append((float(words[0]), words[1], words[2:]))
        self.control = any(s[1] in CONTROL for s in self.steps)

    def subst(self, text):
        for k, v in self.srs.items():
            text = text.replace(k, v)
        return text

    def sr(self):
        return self.srs["$SR"]


class Runner:
    """Redis, the daemons, and the scenarios played against them."""

    def __init__(self, daemons):
        self.daemons = daemons
        self.dir = tempfile.mkdtemp(prefix="closeloop-scenarios.")
        self.sock = os.path.join(self.dir, "redis.sock")
        self.redis_proc = None
        self.procs = {}
        self.failures = []
        self.lock = threading.Lock()
        self.timelines = {}
        self.printed = []
        self.smtpd = None
        self.smtp_port = 0

    def start_smtpd(self):
        """Start the SMTP server the daemons mail through."""
        try:
            import aiosmtpd  # noqa: F401
        except ImportError:
            missing("aiosmtpd is not installed (Debian package "
                    "python3-aiosmtpd)")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.smtp_port = s.getsockname()[1]
        mail = os.path.join(self.dir, "mail")
        os.mkdir(mail)
        log = open(os.path.join(self.dir, "smtpd.log"), "a")
        self.smtpd = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(TOP_SRC, "tests", "harness",
                                          "smtpd.py"),
             "--port", str(self.smtp_port), "--dir", mail],
            stdout=log, stderr=log)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.smtp_port),
                                         timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the SMTP server did not start")

    def start_redis(self):
        try:
            self.redis_proc = subprocess.Popen(
                [REDIS_SERVER, "--port", "0", "--unixsocket", self.sock,
                 "--save", "", "--appendonly", "no", "--dir", self.dir,
                 "--logfile", os.path.join(self.dir, "redis.log")])
        except FileNotFoundError:
            missing("%s is not installed (Debian package redis-server)"
                    % REDIS_SERVER)
        for _ in range(200):
            if os.path.exists(self.sock):
                try:
                    self.r = Redis(self.sock)
                    self.r.cmd("PING")
                    return
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def write_config(self, i):
        path = os.path.join(self.dir, "d%d.conf" % i)
        secret = os.path.join(self.dir, "answer.secret")
        with open(secret, "w") as f:
            f.write("answer-key-of-the-scenarios\n")
        os.chmod(secret, 0o600)
        with open(path, "w") as f:
            f.write("""redis = { url = "unix://%s"; consumer = "it%d";
    claim_idle_ms = 1000; };
log = { level = "info"; };
http = { listen = ""; };
shutdown_timeout = 10;
policy = { settle_seconds = %d; coalesce_seconds = %d; retain_days = 2;
    holidays = [ "2026-03-09" ]; };
email = { smtp = "smtp://127.0.0.1:%d"; starttls = "off";
    from = "Toronto 311 <311@example.org>"; };
feedback = { ask = false; answer_days = 1;
    answer_url = "https://311.example.org/answer";
    answer_secret_file = "%s"; };
delivery = { max_event_age_hours = 0;       # events of BASE_TS, long past
    max_per_contact_per_hour = 1000; };         # a few contacts, many SRs
templates = { dir = "%s"; status_url = "https://311.example.org/sr/{sr}"; };
divisions = {
    TS = {
        name = { en = "Transportation Services"; };
        notes = { POTHOLE_FILLED = { en = "We filled the pothole."; }; };
    };
    TW = {
        name = { en = "Toronto Water"; fr = "Eau Toronto"; };
        status_map = (
            { code = "WO-COMP"; status = "closed"; reason = "completed"; },
            { code = "WO-SCHED"; status = "closed"; reason = "scheduled"; }
        );
    };
    RO = {
        name = { en = "Road Operations"; };
        standards = (
            { service = "Road Pothole / Road Damage"; days = 5;
                target = "completion"; },
            { days = 2; target = "response"; }
        );
    };
    PW = { standards = ( { days = 400; } ); };
    FB = {
        name = { en = "Forestry"; };
        feedback = { ask = true; ask_after = "%ds"; };
    };
    SWMS = {
        name = { en = "Solid Waste Management Services"; };
        notify_on = [ "scheduled", "transferred", "completed", "no_action",
            "duplicate", "cancelled", "reopened", "referred_external" ];
    };
};
""" % (self.sock, i, SETTLE, COALESCE, self.smtp_port, secret,
                    os.path.join(TOP_SRC, "templates"), ASK_AFTER))
        return path

    def start(self, i):
        conf = self.write_config(i)
        log = open(os.path.join(self.dir, "d%d.log" % i), "a")
        self.procs[i] = subprocess.Popen(WRAP + [CLOSELOOPD, "-c", conf],
                                         stdout=log, stderr=log)

    def stop(self, i, sig=signal.SIGTERM):
        p = self.procs.pop(i, None)
        if p is None:
            return
        p.send_signal(sig)
        rc = p.wait(timeout=30)
        if sig == signal.SIGTERM and rc != 0:
            self.fail("daemon %d" % i, "exited with %d after SIGTERM" % rc)

    def start_all(self):
        for i in range(1, self.daemons + 1):
            if i not in self.procs:
                self.start(i)

    def ready(self, limit=30):
        """Wait until every daemon reads the stream (slow builds start slowly)."""
        end = time.monotonic() + limit * SCALE
        for i in range(1, self.daemons + 1):
            log = os.path.join(self.dir, "d%d.log" % i)
            while time.monotonic() < end:
                with open(log, errors="replace") as f:
                    if "reading closeloop:events" in f.read():
                        break
                time.sleep(0.05)
            else:
                self.fail("daemon %d" % i, "did not start reading")

    def stop_all(self):
        for i in list(self.procs):
            self.stop(i)

    def fail(self, who, msg):
        with self.lock:
            self.failures.append("%s: %s" % (who, msg))

    def emit(self, sc, n, at, etype, words):
        fields = {"type": etype, "sr": sc.sr(),
                  "event_id": "%s-e%d" % (sc.prefix, n)}
        ts = BASE_TS + at
        for w in words:
            k, _, v = w.partition("=")
            if k == "ts" and v[:1] in "+-":
                ts = BASE_TS + float(v)
                continue
            if k == "ts" and v.startswith("now"):
                ts = time.time() + (float(v[3:]) if v[3:] else 0)
                continue
            if k == "event_id":
                v = "%s-%s" % (sc.prefix, v)
            fields[k] = v
        # Every SR has a ward and a service type, so the rollups by ward
        # and by service are checked on every scenario; one service type
        # holds a "|", which the rollups' fields use as a separator.
        if etype == "status":
            h = zlib.crc32(fields["sr"].encode())
            fields.setdefault("ward", "W%02d" % (h % 3 + 1))
            fields.setdefault("service", SERVICES[h % len(SERVICES)])
        if "ts" not in fields:
            fields["ts"] = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                         time.gmtime(int(ts)))
        fields["v"] = "1"
        if etype == "status" and fields["sr"] == sc.sr():
            sc.status_events.append(dict(fields))
        args = ["XADD", "closeloop:events", "*"]
        for kv in fields.items():
            args += kv
        try:
            self.r.cmd(*args)
        except RuntimeError as e:
            self.fail(sc.name, "XADD %s failed: %s" % (words, e))
        sc.emitted.add((fields["sr"], fields["event_id"]))

    def play(self, sc):
        t0 = time.monotonic()
        for n, (at, what, words) in enumerate(sc.steps):
            delay = t0 + at * SCALE - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if what == "restart":
                self.stop(1)
                self.start(1)
            elif what == "kill":
                self.stop(1, signal.SIGKILL)
                self.start(1)
            elif what == "stop":
                self.stop_all()
            elif what == "start":
                self.start_all()
            else:
                self.emit(sc, n, at, what, words)

    def quiet(self):
        """True once every event is handled, no notice is pending, no
        service standard that has ended waits to be checked, every email
        is sent and no question falls due within a minute (an asked one
        waits a day for its answer)."""
        pending = self.r.cmd("XPENDING", "closeloop:events", "closeloopd")
        groups = self.r.cmd("XINFO", "GROUPS", "closeloop:events")
        g = dict(zip(groups[0][0::2], groups[0][1::2]))
        now = int(time.time() * 1000)
        return pending[0] == 0 and g.get("lag") == 0 and \
            self.r.cmd("ZCARD", "closeloop:due") == 0 and \
            self.r.cmd("ZCOUNT", "closeloop:late", "-inf", now) == 0 and \
            self.r.cmd("ZCARD", "closeloop:outbox:email") == 0 and \
            self.r.cmd("ZCARD", "closeloop:outbox:sending") == 0 and \
            self.r.cmd("ZCOUNT", "closeloop:ask:due", "-inf",
                       now + 60000 * SCALE) == 0

    def settle(self, limit=60 * SCALE):
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if self.quiet():
                return
            time.sleep(0.1)
        self.fail("runner", "still busy after %ds" % limit)

    def audit(self, sr):
        """The SR's timeline, as "closeloop history --json SR" gives it."""
        if sr in self.timelines:
            return self.timelines[sr]
        out = subprocess.run([CLOSELOOP, "-c",
                              os.path.join(self.dir, "d1.conf"),
                              "history", "--json", sr],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            self.fail("history", "closeloop history %s: exit %d: %s" % (
                sr, out.returncode, out.stderr.strip()))
        self.keep(out.stdout + out.stderr)
        entries = []
        for line in out.stdout.splitlines():
            d = json.loads(line)
            if d.get("sr") != sr or "ts" not in d:
                self.fail("history", "bad entry for %s: %s" % (sr, line))
            if "recipients" in d:
                d["recipients"] = str(d["recipients"])
            entries.append(d)
        self.timelines[sr] = entries
        return entries

    def accepted(self, sr):
        """The event ids in the SR's event history: the events accepted."""
        return {e.get("event_id") for e in
                self.r.entries("closeloop:sr:{%s}:events" % sr)}

    @staticmethod
    def dead_of(sc, dead):
        """The entries of dead (closeloop:dead, read once for every
        scenario) that are the scenario's events."""
        return [e for e in dead
                if e.get("event_id", "").startswith(sc.prefix + "-")]

    def check_intake(self, sc, dead):
        """Every event accepted, or dead-lettered as the scenario says;
        dead is closeloop:dead, read once for every scenario."""
        errors = []
        mine = self.dead_of(sc, dead)
        if len(mine) != sc.dead:
            errors.append("dead letters: want %d, got %d: %s" % (
                sc.dead, len(mine), [e.get("error") for e in mine]))
        gone = {e.get("event_id") for e in mine}
        accepted = {}
        for sr, eid in sorted(sc.emitted):
            if eid in gone:
                continue
            if sr not in accepted:
                accepted[sr] = self.accepted(sr)
            if eid not in accepted[sr]:
                errors.append("event %s of SR %s was not accepted" % (eid,
                                                                      sr))
        return errors

    def keep(self, text):
        """Keep what closeloop printed in a file, for the contact check."""
        path = os.path.join(self.dir, "printed-%d" % len(self.printed))
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        self.printed.append(path)

    def check_contacts(self):
        """No contact of the events in full where closeloop wrote."""
        values = [v for e in self.r.entries("closeloop:events")
                  for k, v in e.items() if k in ("email", "phone")]
        pats = leakcheck.contacts(values)
        out = subprocess.run([CLOSELOOP, "-c",
                              os.path.join(self.dir, "d1.conf"),
                              "history", "--json", "--since", "2000-01-01"],
                             capture_output=True, text=True, check=False)
        if out.returncode != 0:
            self.fail("contact check", "closeloop history --since: exit "
                      "%d: %s" % (out.returncode, out.stderr.strip()))
        self.keep(out.stdout + out.stderr)
        logs = [os.path.join(self.dir, "d%d.log" % i)
                for i in range(1, self.daemons + 1)]
        read = []
        hits = leakcheck.scan(logs + self.printed, pats, read)
        if hits:
            leakcheck.report(hits)
            self.fail("contact check", "%d lines hold a full contact "
                      "(above)" % len(hits))
        else:
            print("contact check: none of %d contacts in full in %d files"
                  % (len(pats), len(read)))

    def check_rollups(self, scs):
        """The daily counts and closeloop report agree with the trail and
        the event histories of every scenario's SRs."""
        conf = os.path.join(self.dir, "d1.conf")
        out = subprocess.run([CLOSELOOP, "-c", conf, "history", "--json",
                              "--since", "2000-01-01"],
                             capture_output=True, text=True, check=False)
        trail = [json.loads(line) for line in out.stdout.splitlines()]
        histories = []
        for sc in scs:
            for sr in sc.srs.values():
                histories.append([
                    (sid, dict(zip(flat[0::2], flat[1::2])))
                    for sid, flat in self.r.cmd(
                        "XRANGE", "closeloop:sr:{%s}:events" % sr, "-",
                        "+")])
        try:
            errors = rollupcheck.check(self.r, trail, histories, CLOSELOOP,
                                       conf, "America/Toronto", "2000-01-01")
        except RuntimeError as e:
            errors = [str(e)]
        for e in errors[:20]:
            print("      " + e)
        if errors:
            self.fail("rollups", "%d counts differ (above)" % len(errors))
        else:
            print("rollups: the counts of %d trail entries agree with "
                  "Redis and closeloop report" % len(trail))

    def check(self, sc, dead):
        """The scenario's expectations, against its SRs' timelines and
        notifications; dead is closeloop:dead, read once for every
        scenario."""
        errors = self.check_intake(sc, dead)
        mine = self.r.notifications(sc.sr())
        queued = [d for d in self.audit(sc.sr())
                  if d.get("decision") == "queued"]
        for words in sc.checks:
            if words[0] == "notices":
                want = [w for w in words[1:] if w != "-"]
                got = [d.get("notice") for d in queued]
                if got != want:
                    errors.append("notices: want %s, got %s" % (want, got))
            elif words[0] == "expect":
                neg = words[1] == "no"
                pat = words[2:] if neg else words[1:]
                sr = sc.sr()
                if ":" in pat[0]:
                    sr, pat[0] = pat[0].split(":", 1)
                pat += ["-"] * (4 - len(pat))
                keys = ("decision", "notice", "rule", "division")
                hit = [d for d in self.audit(sr)
                       if all(p == "-" or d.get(k, "-") == p
                              for k, p in zip(keys, pat))]
                if neg and hit:
                    errors.append("unexpected %s: %s" % (pat, hit[0]))
                if not neg and not hit:
                    errors.append("no decision matches %s" % pat)
            elif words[0] == "notice":
                want = dict(w.split("=", 1) for w in words[2:])
                hit = [n for n in mine if n.get("notice") == words[1] and
                       all(n.get(k, "") == v for k, v in want.items())]
                if not hit:
                    errors.append("no %s notice with %s (got %s)" % (
                        words[1], want,
                        [n for n in mine if n.get("notice") == words[1]]))
            elif words[0] == "renders":
                errors += self.check_render(sc, words[1], words[2],
                                            words[3])
            elif words[0] == "recipients":
                got = [d.get("recipients") for d in queued
                       if d.get("notice") == words[1]]
                if words[2] not in got:
                    errors.append("recipients of %s: want %s, got %s" % (
                        words[1], words[2], got))
        # Never the same notice twice in a row for one SR.
        ids = [d.get("detail", "").split(" queued as ")[-1].split(" ")[0]
               for d in queued]
        if len(ids) != len(set(ids)):
            errors.append("a notice id was queued twice: %s" % ids)
        return errors

    def check_render(self, sc, locale, channel, text):
        """What "closeloop render" prints for the first status event of
        the scenario's SR, in locale by channel, holds text."""
        if not sc.status_events:
            return ["renders: the scenario sends no status event for $SR"]
        args = ["%s=%s" % kv for kv in sc.status_events[0].items()]
        out = subprocess.run([CLOSELOOP, "-c",
                              os.path.join(self.dir, "d1.conf"), "render",
                              "--locale", locale, "--channel", channel] +
                             args, capture_output=True, text=True,
                             check=False)
        if out.returncode != 0:
            return ["renders %s %s: exit %d: %s" % (
                locale, channel, out.returncode, out.stderr.strip())]
        if text not in out.stdout:
            return ["renders %s %s: no %r in:\n%s" % (locale, channel, text,
                                                     out.stdout)]
        return []

    def report(self, sc, errors):
        print("%s %s - %s" % ("FAIL" if errors else "ok  ", sc.name,
                              sc.title))
        for e in errors:
            print("      " + e)
        if errors:
            for d in self.audit(sc.sr()):
                print("      | %-10s %-17s %-22s %-5s %s" % (
                    d.get("decision"), d.get("notice", "-"),
                    d.get("rule", "-"), d.get("division", "-"),
                    d.get("detail", "")))

    def run(self, names):
        run = "%x" % (int(time.time() * 1000) % 0xffffff)
        scs = [Scenario(os.path.join(SCEN_DIR, f), run) for f in names]
        self.start_redis()
        self.start_smtpd()
        self.start_all()
        self.ready()
        threads = [threading.Thread(target=self.play, args=(sc,))
                   for sc in scs if not sc.control]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.settle()
        for sc in scs:
            if sc.control:
                self.play(sc)
                self.settle()
        bad = 0
        dead = self.r.entries("closeloop:dead")
        for sc in scs:
            errors = self.check(sc, dead)
            bad += bool(errors)
            self.report(sc, errors)
        ndead = self.r.cmd("XLEN", "closeloop:dead")
        if ndead != sum(len(self.dead_of(sc, dead)) for sc in scs):
            self.fail("runner", "%d dead letters, not all of the scenarios' "
                      "events: %s" % (ndead, dead))
        self.check_rollups(scs)
        self.stop_all()
        self.check_contacts()
        for f in self.failures:
            print("FAIL " + f)
        print("%d scenarios, %d failed, with %d daemon%s" % (
            len(scs), bad, self.daemons, "s" if self.daemons > 1 else ""))
        return 1 if bad or self.failures else 0

    def cleanup(self, rc):
        for p in self.procs.values():
            p.kill()
            p.wait()
        if rc != 0:
            for i in range(1, self.daemons + 1):
                log = os.path.join(self.dir, "d%d.log" % i)
                if os.path.exists(log):
                    print("--- last lines of daemon %d's log:" % i)
                    with open(log) as f:
                        sys.stdout.writelines(f.readlines()[-30:])
        if self.redis_proc is not None:
            self.redis_proc.terminate()
            self.redis_proc.wait()
        if self.smtpd is not None:
            self.smtpd.terminate()
            self.smtpd.wait()
        subprocess.run(["rm", "-rf", self.dir])


def main():
    daemons = 1
    args = sys.argv[1:]
    if args[:1] == ["--daemons"]:
        daemons = int(args[1])
        args = args[2:]
    names = args or sorted(f for f in os.listdir(SCEN_DIR)
                           if f.endswith(".scn"))
    if not os.path.exists(CLOSELOOPD):
        print("FAIL: %s is not built" % CLOSELOOPD)
        return 1
    runner = Runner(daemons)
    rc = 1
    try:
        rc = runner.run(names)
    finally:
        runner.cleanup(rc)
    return rc


if __name__ == "__main__":
    sys.exit(main())
