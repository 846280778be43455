#!/bin/sh
# report.sh - "closeloop report" over the daily counts, as divisions ask
#
# Events played through closeloopd are counted on today's hashes, by ward
# and by service type; a year of earlier days is put into Redis as the
# daemon writes them, and report adds them up by day, week and month,
# ranks the service types (--top), filters by ward and service type,
# prints CSV a spreadsheet reads, lists the SRs behind a count (--list:
# from the trail, or for a held count from the rollups' sets, agreeing
# with the count, without the stream of every entry, and naming an SR
# the trail has lost), says when a time asked is older than what is
# kept, and refuses options that cannot go together. Every expected figure is
# computed here from what was played or put in.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3

redis_start
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
audit = { rollup_days = 120; retain_days = 30; };"
daemon_start
CL="$CLOSELOOP -c $CONF"

say "events with a ward and a service type are counted today"
$CL emit type=subscribe sr=R-1 email=r1@example.org >/dev/null
$CL emit type=status sr=R-1 division=TS status=received ward=W07 \
    "service=Road Pothole / Road Damage" >/dev/null
$CL emit type=status sr=R-1 division=TS status=closed reason=transferred \
    transfer_to=TW ward=W07 >/dev/null
$CL emit type=status sr=R-2 division=TS status=received ward=W12 \
    "service=Sidewalk | Snow Clearing" >/dev/null
wait_for 20 "four events accepted" stat_is accepted 4
$CL report --since 1d --json > "$T/today.json" || fail "report failed"
$PY - "$T/today.json" <<'EOF' || fail "today's counts are wrong"
import json, sys
rows = {r["division"]: r for r in map(json.loads, open(sys.argv[1]))}
ts = rows["TS"]
assert ts["received"] == 3, ts
assert ts["misleading_closures_suppressed"] == 1, ts
assert ts["held_explicit_transfer"] == 1, ts
assert "period" not in ts, ts
EOF
$CL report --since 1d --ward W07 --json > "$T/w07.json"
$PY - "$T/w07.json" <<'EOF' || fail "the counts of ward W07 are wrong"
import json, sys
rows = {r["division"]: r for r in map(json.loads, open(sys.argv[1]))}
assert all(r["ward"] == "W07" for r in rows.values()), rows
assert rows["TS"]["received"] == 2, rows
assert rows["TS"]["misleading_closures_suppressed"] == 1, rows
# The transfer is told by the division that has the SR now.
assert rows["TW"]["notices_transferred"] == 1, rows
EOF
$CL report --since 1d --service 'sidewalk | snow clearing' --json > "$T/snow.json"
grep -q '"service":"Sidewalk | Snow Clearing".*"received":1' "$T/snow.json" ||
    fail "a service type with a | is not counted whole: $(cat "$T/snow.json")"

say "the SRs behind a count, from the trail"
$CL report --since 1d --list held > "$T/held"
cat "$T/held"
grep -q "R-1 .*suppressed \[explicit_transfer\]" "$T/held" ||
    fail "--list held does not show R-1"
grep -q "^1 entry, 1 SR$" "$T/held" || fail "--list held does not count"
$CL report --since 1d --list received --ward W12 > "$T/w12"
grep -q "R-2" "$T/w12" && ! grep -q "R-1" "$T/w12" ||
    fail "--list with --ward: $(cat "$T/w12")"

say "the SRs behind a held count, from the rollups' sets, agree with it"
$CL emit type=status sr=R-3 division=TS status=received ward=W12 \
    "service=Sidewalk | Snow Clearing" >/dev/null
$CL emit type=status sr=R-3 division=TS status=closed reason=transferred \
    transfer_to=TW ward=W12 >/dev/null
wait_for 20 "six events accepted" stat_is accepted 6
$CL report --since 1d --json > "$T/count.json"
$CL report --since 1d --list held:explicit_transfer --json > "$T/held.json"
$CL report --since 1d --list held:explicit_transfer > "$T/held.txt"
cat "$T/held.txt"
$PY - "$T/count.json" "$T/held.json" <<'EOF' ||
import json, sys
rows = {r["division"]: r for r in map(json.loads, open(sys.argv[1]))}
listed = [json.loads(line) for line in open(sys.argv[2])]
assert rows["TS"]["held_explicit_transfer"] == 2, rows["TS"]
assert len(listed) == 2, listed
assert sorted(e["sr"] for e in listed) == ["R-1", "R-3"], listed
assert all(e["rule"] == "explicit_transfer" for e in listed), listed
assert listed[0]["ts"] <= listed[1]["ts"], listed
EOF
    fail "--list held:explicit_transfer does not agree with its count"
grep -q "^2 entries, 2 SRs$" "$T/held.txt" ||
    fail "--list held:explicit_transfer does not count"
$CL report --since 1d --list held --ward W12 > "$T/held12"
grep -q "R-3 .*suppressed \[explicit_transfer\]" "$T/held12" &&
    ! grep -q "R-1" "$T/held12" ||
    fail "--list held --ward W12: $(cat "$T/held12")"
$CL report --since 1d --list held --service 'SIDEWALK | snow clearing' \
    > "$T/heldsnow"
grep -q "^1 entry, 1 SR$" "$T/heldsnow" && grep -q R-3 "$T/heldsnow" ||
    fail "--list held --service: $(cat "$T/heldsnow")"
# Without the stream of every entry the held are still listed (their own
# streams are read); the received, read from that stream, are not.
rcli RENAME closeloop:audit closeloop:audit.away > /dev/null
$CL report --since 1d --list held > "$T/noall"
$CL report --since 1d --list received > "$T/noall.received"
rcli RENAME closeloop:audit.away closeloop:audit > /dev/null
grep -q "^2 entries, 2 SRs$" "$T/noall" ||
    fail "--list held reads the stream of every entry: $(cat "$T/noall")"
grep -q "^0 entries, 0 SRs$" "$T/noall.received" ||
    fail "--list received: $(cat "$T/noall.received")"
# An SR the sets list whose entries the trail has lost is still listed.
rcli RENAME "closeloop:sr:{R-3}:audit" away > /dev/null
$CL report --since 1d --list held > "$T/gone"
$CL report --since 1d --list held --json > "$T/gone.json"
rcli RENAME away "closeloop:sr:{R-3}:audit" > /dev/null
cat "$T/gone"
grep -q "^-  *R-3  *TS  *held  no longer in the trail" "$T/gone" &&
    grep -q "^1 entry, 2 SRs$" "$T/gone" ||
    fail "an SR gone from the trail: $(cat "$T/gone")"
grep -q '"sr":"R-3".*"in_trail":false' "$T/gone.json" ||
    fail "an SR gone from the trail, as JSON: $(cat "$T/gone.json")"

say "a year of days: by month, by week, top service types, CSV"
$PY - "$T/seed" "$T/want.json" <<'EOF'
# Days before today, in America/Toronto, with counts for TW; the
# commands go to redis-cli, the sums per month to want.json.
import datetime, json, random, sys, zoneinfo
tz = zoneinfo.ZoneInfo("America/Toronto")
today = datetime.datetime.now(tz).date()
rnd = random.Random(7)
services = ["Catch Basin - Blocked", "Watermain Break", "No Water",
            "Hydrant Leaking"]
months, weeks, tops = {}, {}, {}
with open(sys.argv[1], "w") as out:
    for back in range(2, 100, 3):
        day = today - datetime.timedelta(days=back)
        d = day.isoformat()
        n, held = rnd.randint(1, 9), rnd.randint(0, 2)
        key = "closeloop:roll:TW:" + d
        out.write("HINCRBY %s received %d\n" % (key, n))
        out.write("HINCRBY %s held %d\n" % (key, held))
        out.write("HINCRBY %s lag:15 %d\n" % (key, n))
        s = services[back % len(services)]
        out.write('HINCRBY "%s:service" "%s|received" %d\n' % (key, s, n))
        m = months.setdefault(d[:7], {"received": 0, "held": 0})
        m["received"] += n
        m["held"] += held
        monday = (day - datetime.timedelta(days=day.weekday())).isoformat()
        weeks[monday] = weeks.get(monday, 0) + n
        tops[s] = tops.get(s, 0) + n
    out.write("SADD closeloop:roll:divisions TW\n")
json.dump({"months": months, "weeks": weeks, "tops": tops},
          open(sys.argv[2], "w"))
EOF
rcli < "$T/seed" > /dev/null || fail "the seed did not load"
$CL report --since 100d --division tw --by month --json > "$T/month.json"
$CL report --since 100d --division TW --by week --json > "$T/week.json"
$CL report --since 100d --division TW --top 2 --json > "$T/top.json"
$CL report --since 100d --division TW --by month --csv > "$T/month.csv"
$PY - "$T/want.json" "$T/month.json" "$T/week.json" "$T/top.json" \
    "$T/month.csv" <<'EOF' || fail "the year's report is wrong"
import csv, json, sys
want = json.load(open(sys.argv[1]))
month = {r["period"]: r for r in map(json.loads, open(sys.argv[2]))}
for m, w in want["months"].items():
    assert month[m]["received"] == w["received"], (m, month[m], w)
    assert month[m]["misleading_closures_suppressed"] == w["held"], m
    assert month[m]["lag_15"] == w["received"], m
assert set(month) == set(want["months"]), (sorted(month), want["months"])
# Today's week may hold only the earlier steps' counts of today, none
# received (on a Monday the seeded days are all in weeks before it).
week = {r["period"]: r["received"] for r in map(json.loads, open(sys.argv[3]))
        if r["received"]}
assert week == want["weeks"], (week, want["weeks"])
top = list(map(json.loads, open(sys.argv[4])))
ranked = sorted(want["tops"].items(), key=lambda kv: (-kv[1], kv[0]))[:2]
assert [(r["service"], r["received"], r["rank"]) for r in top] == \
    [(s, n, i + 1) for i, (s, n) in enumerate(ranked)], (top, ranked)
rows = list(csv.DictReader(open(sys.argv[5])))
assert {r["period"]: int(r["received"]) for r in rows} == \
    {m: w["received"] for m, w in want["months"].items()}, rows
assert all(r["division"] == "TW" for r in rows), rows
EOF
$CL report --since 100d --division TW --by month | tee "$T/month.txt"
grep -q "^  period  *received  *told" "$T/month.txt" ||
    fail "the text report by month has no table head"
$CL report --since 100d --division TW --top 2 | tee "$T/top.txt"
grep -q "top 2 service types by events received" "$T/top.txt" ||
    fail "the text --top has no heading"

say "a time older than what is kept says so"
$CL report --since 200d --division TW > "$T/old" 2> "$T/old.err" ||
    fail "report over 200 days failed"
grep -q "counts before .* are no longer kept (audit.rollup_days = 120 days)" \
    "$T/old.err" || fail "no word on the counts not kept: $(cat "$T/old.err")"
$CL report --since 100d --list held > /dev/null 2> "$T/list.err"
grep -q "the trail before .* is no longer kept (audit.retain_days = 30 days)" \
    "$T/list.err" || fail "no word on the trail not kept: $(cat "$T/list.err")"

say "service standards: met as decided, and as the CRM closed them, side by side"
# RD has no standard of its own: each SR gives one of 0 business days,
# the day of its first and only event, long past. S-1 is closed as
# scheduled: in time for the CRM, not done; S-2 is completed in time.
$CL emit type=status sr=S-1 division=RD status=closed reason=scheduled \
    scheduled_for=2026-03-20 standard_days=0 ts=2026-03-02T15:00:00Z \
    ward=W07 >/dev/null
$CL emit type=status sr=S-2 division=RD status=closed reason=completed \
    standard_days=0 ts=2026-03-02T15:00:00Z ward=W07 >/dev/null
rd_measured() {
	$CL report --since 1d --division RD --json 2>/dev/null |
	    grep -q '"standard_completion":2,'
}
wait_for 20 "both standards measured" rd_measured
$CL report --since 1d --division RD --json > "$T/std.json"
$PY - "$T/std.json" <<'EOF' || fail "the standards' counts are wrong"
import json, sys
r = [json.loads(line) for line in open(sys.argv[1])][0]
assert r["standard_completion"] == 2, r
assert r["standard_completion_met"] == 1, r
assert r["standard_completion_missed"] == 1, r
assert r["standard_completion_met_as_closed"] == 2, r
assert r["standard_response"] == 0, r
assert r["past_standard"] == 1, r
assert r["past_standard_open"] == 1, r
EOF
$CL report --since 1d --division RD | tee "$T/std.txt"
grep -q "completion standards ended  *2  (met 1, 50%; as closed in the CRM 2, 100%)" \
    "$T/std.txt" || fail "the text report does not set the shares side by side"
grep -q "SRs past their standard, work open  *1" "$T/std.txt" ||
    fail "the text report does not count the SRs past their standard"
grep -q "  of them, still so now  *1$" "$T/std.txt" ||
    fail "the text report does not count those still open"
$CL report --since 1d --list std:completion:missed > "$T/missed"
grep -q "S-1" "$T/missed" && ! grep -q "S-2" "$T/missed" ||
    fail "--list std:completion:missed: $(cat "$T/missed")"
$CL report --since 1d --list open:past_standard > "$T/open"
grep -q "S-1  *RD  *flagged \[past_standard\]" "$T/open" ||
    fail "--list open:past_standard: $(cat "$T/open")"
grep -q "^1 entry, 1 SR$" "$T/open" || fail "S-1 alone is open: $(cat "$T/open")"

say "the work done late: still counted past its standard, no longer open"
$CL emit type=status sr=S-1 division=RD status=closed reason=completed \
    ts=2026-03-25T15:00:00Z ward=W07 >/dev/null
rd_done() {
	$CL report --since 1d --division RD --json 2>/dev/null |
	    grep -q '"past_standard_open":0,'
}
wait_for 20 "S-1 done" rd_done
$CL report --since 1d --division RD --json > "$T/std2.json"
grep -q '"past_standard":1,' "$T/std2.json" ||
    fail "S-1 is no longer counted past its standard: $(cat "$T/std2.json")"
$CL report --since 1d --list open:past_standard > "$T/open"
grep -q "^0 entries, 0 SRs$" "$T/open" || fail "S-1 still open: $(cat "$T/open")"

say "options that cannot go together are refused"
for args in "--ward W07 --service x" "--top 3 --ward W07" "--by year" \
    "--top 0" "--list nonsense"; do
	rc=0
	# shellcheck disable=SC2086
	$CL report --since 1d $args > /dev/null 2> "$T/err" || rc=$?
	[ "$rc" = 64 ] || fail "report $args exited $rc, not 64"
done
exit 0
