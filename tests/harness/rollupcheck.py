"""rollupcheck.py - the daily rollups and "closeloop report", counted here

After a run, the counts closeloop keeps per division and day (and per
ward, and per service type) must be what this module counts on its own:

- events received, from the SRs' event histories (what intake accepted,
  with the division, ward and service type of each status event), and
  from the trail's "received" entries; the two must agree;
- every other counter, from the trail of every SR ("closeloop history
  --json --since"), with the rules written out here as docs/report.md
  states them: told by notice (a fallback to the other channel is not a
  second notice), held (misleading closures held back), suppressed and
  flagged by rule, sent by channel, delivered, failed by kind, service
  standards measured by target (met or missed, and met as closed),
  residents asked "is it fixed?", their answers (each resident's last
  one: an answer replaced counts no more) and the questions unanswered,
  and the time from the CRM's closure to each message that tells of it.

check() compares those with the Redis hashes themselves and with
"closeloop report --json --by day" and "--by month" (and --ward, --service,
--list), and that each month's hashes hold the sums of its days', and
returns a list of differences (empty when all agree). The sets of SRs
kept beside the counts that list them (held, held:RULE, flag:RULE,
failed, failed:KIND, std:TARGET..., answer:not_fixed, answer:partly;
members "SR TAB WARD TAB SERVICE")
must hold the SRs of the trail's entries that count there, no more, and
never more SRs than their count; "closeloop report --list" of each such counter must
name the same SRs as the trail.
"""

import datetime
import json
import subprocess
import zoneinfo

MISLEADING = {("suppressed", "explicit_transfer"),
              ("suppressed", "implicit_transfer"),
              ("suppressed", "partial_work_order"),
              ("flagged", "closed_not_done")}
LAG_MINUTES = [1, 5, 15, 60, 240, 720, 1440, 2880, 10080]


def counters(e):
    """The counters one trail entry adds to (the lag aside)."""
    d, rule = e.get("decision"), e.get("rule", "")
    out = []
    if d == "received":
        out.append("received")
    elif d == "queued" and rule != "fallback":
        out += ["told", "told:" + e.get("notice", "")]
    elif d == "suppressed":
        out += ["suppressed", "suppressed:" + rule]
    elif d == "flagged":
        out.append("flag:" + rule)
    elif d == "sent":
        out.append("sent:" + e.get("channel", "email"))
    elif d == "delivered":
        out.append("delivered")
    elif d in ("failed", "dead", "undelivered") or (
            d == "bounced" and rule == "hard_bounce"):
        out += ["failed", "failed:" + d]
    elif d == "measured":
        t = e.get("standard_target")
        t = t if t == "response" else "completion"
        out += ["std:" + t, "std:%s:%s" % (
            t, "met" if e.get("met") == "yes" else "missed")]
        if e.get("met_as_closed") == "yes":
            out.append("std:%s:as_closed" % t)
    elif d in ("asked", "unanswered", "complained"):
        out.append(d)
    elif d == "answered" and not e.get("replaced"):
        out.append("answered")
        if e.get("answer"):
            out.append("answer:" + e["answer"])
    if (d, rule) in MISLEADING:
        out += ["held", "held:" + rule]
    return out


def listed(counter):
    """Whether the rollups keep the SRs of a counter in sets."""
    return counter in ("held", "failed", "answer:not_fixed",
                       "answer:partly", "complained") or counter.startswith(
        ("held:", "flag:", "failed:", "std:"))


def last_answers(trail):
    """The trail with each answer a later one replaced marked replaced:
    the rollups count each resident's last answer to a question once."""
    last = {}
    for i, e in enumerate(trail):
        if e.get("decision") == "answered":
            last[(e["sr"], e.get("question"))] = i
    return [dict(e, replaced=True) if e.get("decision") == "answered" and
            last[(e["sr"], e.get("question"))] != i else e
            for i, e in enumerate(trail)]


def plain(v):
    """A ward or service type as a set's member holds it."""
    return (v or "").replace("\t", " ").replace("\n", " ").replace(
        "\r", " ")


def lag_bucket(ms):
    """The name of the lag bucket of ms milliseconds."""
    for m in LAG_MINUTES:
        if ms < m * 60000:
            return str(m)
    return "more"


def day_of(ms, tz):
    """The local date of ms since the epoch in tz, as YYYY-MM-DD."""
    t = datetime.datetime.fromtimestamp(ms / 1000, zoneinfo.ZoneInfo(tz))
    return t.strftime("%Y-%m-%d")


def entry_ms(e):
    """The time of a trail entry (its "ts", ISO 8601 UTC with ms)."""
    t = datetime.datetime.strptime(e["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def add(table, key, counter, n=1):
    row = table.setdefault(key, {})
    row[counter] = row.get(counter, 0) + n


def expected(trail, tz):
    """Counts from the trail: {(division, day, by, group): {counter: n}}
    with by "" (group ""), "ward" or "service"."""
    table = {}
    for e in last_answers(trail):
        div = e.get("division")
        if not div:
            continue
        ms = entry_ms(e)
        day = day_of(ms, tz)
        cs = counters(e)
        if e.get("decision") == "sent" and e.get("closed_at"):
            add(table, (div, day, "", ""), "lag:" + lag_bucket(
                max(0, ms - int(e["closed_at"]))))
        for c in cs:
            add(table, (div, day, "", ""), c)
            if e.get("ward"):
                add(table, (div, day, "ward", e["ward"]), c)
            if e.get("service"):
                add(table, (div, day, "service", e["service"]), c)
    return table


def expected_lists(trail, tz):
    """The sets of SRs from the trail: {(division, day, counter):
    {"SR\tWARD\tSERVICE", ...}}."""
    table = {}
    for e in last_answers(trail):
        div = e.get("division")
        if not div:
            continue
        day = day_of(entry_ms(e), tz)
        for c in counters(e):
            if listed(c):
                table.setdefault((div, day, c), set()).add("\t".join(
                    (e["sr"], plain(e.get("ward")),
                     plain(e.get("service")))))
    return table


def received_from_events(histories, tz):
    """Status events accepted, per (division, day, by, group), from the SRs'
    event histories: [(stream id, fields), ...] per SR."""
    table = {}
    for entries in histories:
        for sid, e in entries:
            if e.get("type") != "status":
                continue
            day = day_of(int(sid.split("-")[0]), tz)
            div = e["division"]
            add(table, (div, day, "", ""), "received")
            if e.get("ward"):
                add(table, (div, day, "ward", e["ward"]), "received")
            if e.get("service"):
                add(table, (div, day, "service", e["service"]), "received")
    return table


def stored(r, prefix="closeloop:", lists=None, months=None):
    """The rollups as Redis keeps them, in the form of expected(); the
    sets of SRs go into lists if given, in the form of
    expected_lists(), and the months' hashes (their YYYY-MM where a day
    has YYYY-MM-DD) into months if given, in the same form as the days."""
    table = {}
    for div in r.cmd("SMEMBERS", prefix + "roll:divisions"):
        cursor = "0"
        while True:
            cursor, keys = r.cmd("SCAN", cursor, "MATCH",
                                 "%sroll:%s:*" % (prefix, div), "COUNT", 1000)
            for k in keys:
                rest = k[len("%sroll:%s:" % (prefix, div)):]
                day, _, by = rest.partition(":")
                if by.startswith("sr:"):
                    if lists is not None:
                        lists[(div, day, by[3:])] = set(
                            r.cmd("SMEMBERS", k))
                    continue
                into = table
                if len(day) == 7:
                    if months is None:
                        continue
                    into = months
                    months.setdefault((div, day, by, None), {})
                flat = r.cmd("HGETALL", k)
                for f, v in zip(flat[0::2], flat[1::2]):
                    group, counter = "", f
                    if by:
                        group, _, counter = f.rpartition("|")
                    if int(v) != 0:
                        add(into, (div, day, by, group), counter, int(v))
            if cursor == "0":
                break
    return table


def diff(what, want, got):
    """The differences between two tables, as sentences."""
    out = []
    for key in sorted(set(want) | set(got)):
        w, g = want.get(key, {}), got.get(key, {})
        for c in sorted(set(w) | set(g)):
            if w.get(c, 0) != g.get(c, 0):
                out.append("%s %s %s: want %d, got %d" % (
                    what, "/".join(k for k in key if k), c, w.get(c, 0),
                    g.get(c, 0)))
    return out


def report(closeloop, conf, *args):
    """closeloop report --json ARGS as a list of objects."""
    out = subprocess.run([closeloop, "-c", conf, "report", "--json"] +
                         list(args), capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError("closeloop report %s: exit %d: %s" % (
            " ".join(args), out.returncode, out.stderr.strip()))
    return [json.loads(line) for line in out.stdout.splitlines()]


COLUMNS = {"received": "received", "notices": "told",
           "sent_email": "sent:email", "sent_sms": "sent:sms",
           "delivered": "delivered", "failed": "failed",
           "failed_bounced": "failed:bounced", "complaints": "complained",
           "misleading_closures_suppressed": "held",
           "suppressed": "suppressed",
           "stale_events": "suppressed:stale_event",
           "closures_without_note": "flag:no_note",
           "unknown_note_codes": "flag:unknown_note_code",
           "duplicates_without_link": "flag:duplicate_without_link",
           "sms_shortened": "flag:sms_shortened",
           "past_standard": "flag:past_standard",
           "residents_asked": "asked", "answers": "answered",
           "answers_fixed": "answer:fixed",
           "answers_not_fixed": "answer:not_fixed",
           "answers_partly": "answer:partly", "unanswered": "unanswered"}
for _t in ("completion", "response"):
    COLUMNS["standard_" + _t] = "std:" + _t
    COLUMNS["standard_%s_met" % _t] = "std:%s:met" % _t
    COLUMNS["standard_%s_missed" % _t] = "std:%s:missed" % _t
    COLUMNS["standard_%s_met_as_closed" % _t] = "std:%s:as_closed" % _t


def check(r, trail, histories, closeloop, conf, tz, since):
    """Every difference between what closeloop kept and reports, and the
    counts made here."""
    errors = []
    # A report folds the steps' pending counts into the hashes first.
    report(closeloop, conf, "--since", since)
    if r.cmd("LLEN", "closeloop:roll:pending") != 0:
        errors.append("counts still pending after closeloop report")
    want = expected(trail, tz)
    events = received_from_events(histories, tz)
    errors += diff("received (events vs trail)", events,
                   {k: {"received": v["received"]}
                    for k, v in want.items() if "received" in v})
    lists = {}
    got = stored(r, lists=lists)
    errors += diff("rollup", want, got)
    errors += check_lists(expected_lists(trail, tz), lists, got)
    errors += check_months(r, got)
    wards = sorted({k[3] for k in want if k[2] == "ward"})
    services = sorted({k[3] for k in want if k[2] == "service"})
    views = [("", None, ["--by", "day"]), ("", None, ["--by", "month"])]
    views += [("ward", w, ["--by", "day", "--ward", w]) for w in wards]
    views += [("service", s, ["--by", "day", "--service", s])
              for s in services[:3]]
    for by, group, args in views:
        got = {}
        for row in report(closeloop, conf, "--since", since, *args):
            key = (row["division"], row["period"], by, group or "")
            for col, counter in COLUMNS.items():
                if row.get(col):
                    got.setdefault(key, {})[counter] = row[col]
            for k, v in row.items():
                if k.startswith("notices_") and v:
                    got.setdefault(key, {})["told:" + k[8:]] = v
        mine = {}
        for k, v in want.items():
            if k[2] != by or (group is not None and k[3] != group):
                continue
            if "month" in args:
                k = (k[0], k[1][:7]) + k[2:]
            for c, n in v.items():
                if c in COLUMNS.values() or c.startswith("told:"):
                    add(mine, k, c, n)
        errors += diff("report " + " ".join(args), mine,
                       {k: v for k, v in got.items() if v})
    names = {"held"} | {k[2] for k in lists}
    for name in sorted(names):
        mine = sorted({e["sr"] for e in last_answers(trail)
                       if name in counters(e)})
        out = subprocess.run([closeloop, "-c", conf, "report", "--since",
                              since, "--list", name, "--json"],
                             capture_output=True, text=True, check=False)
        srs = sorted({json.loads(line)["sr"]
                      for line in out.stdout.splitlines()})
        if out.returncode != 0 or srs != mine:
            errors.append("report --list %s: want %s, got %s (exit %d)" % (
                name, mine, srs, out.returncode))
    return errors


def check_months(r, days):
    """The differences between each month's hashes kept and the sums of
    its days' (days as stored() gives them); a month with no hash of its
    own is read from its days, and must have none."""
    months = {}
    stored(r, months=months)
    kept = {(k[0], k[1], k[2]) for k in months if k[3] is None}
    sums = {}
    for (div, day, by, group), counts in days.items():
        if (div, day[:7], by) in kept:
            for counter, n in counts.items():
                add(sums, (div, day[:7], by, group), counter, n)
    errors = ["month %s/%s: a hash by ward" % (k[0], k[1])
              for k in sorted(kept) if k[2] == "ward"]
    return errors + diff("month", sums,
                         {k: v for k, v in months.items() if k[3] is not None})


def check_lists(want, got, counts):
    """The differences between the sets of SRs from the trail (want) and
    those kept (got), and every set with more SRs than its count."""
    errors = []
    for key in sorted(set(want) | set(got)):
        w, g = want.get(key, set()), got.get(key, set())
        name = "list %s" % "/".join(key)
        if g - w:
            errors.append("%s: SRs not counted there: %s" % (
                name, sorted(g - w)))
        if w - g:
            errors.append("%s: SRs counted but not listed: %s" % (
                name, sorted(w - g)))
        n = counts.get((key[0], key[1], "", ""), {}).get(key[2], 0)
        srs = {m.split("\t")[0] for m in g}
        if len(srs) > n:
            errors.append("%s: %d SRs for a count of %d" % (
                name, len(srs), n))
    return errors
