#!/bin/sh
# queue.sh - "closeloop queue" lists what waits, and why; "closeloop dead
# drop" removes a dead letter and says so
#
# closeloopd runs with closures held an hour, SMS quiet hours around the
# present hour, a long retry backoff, an SMTP server (aiosmtpd) that
# answers 451 and 550 to chosen addresses and an SMS gateway stand-in. A
# held closure shows under --held with its notice, reason settle and its
# local due time, "in 59m" style; an SMS decided in the quiet hours shows
# under --waiting as quiet_hours, an email answered 451 as retry; --sr and
# --channel filter, --limit cuts and says how many more; --json prints
# JSON Lines, the totals first with the keys they always had. Contacts
# are masked. "closeloop dead drop" removes an email that failed for good
# (the SR's history says dropped_by_operator, with who ran it) and, with
# --json, an event's dead letter; an id that matches nothing is refused.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3

redis_start
smtpd_plain
gateway_plain
hour=$(TZ=America/Toronto date +%H)
h=${hour#0}	# "08" and "09" are not octal numbers
from=$(printf '%02d:00' "$h")
to=$(printf '%02d:00' $(( (h + 2) % 24 )))
write_config "" "policy = { settle_seconds = 3600; coalesce_seconds = 0; };
retry = { initial_seconds = 600; max_seconds = 3600; };
$(smtp_config)
$(twilio_config "quiet_hours = \"$from-$to\";")"
daemon_start
CL="$CLOSELOOP -c $CONF"

# Publish, for SR $2, a subscription by channel $1 (email or sms) of
# contact $3 in French, and an in_progress status.
in_progress() {
	_f=email
	[ "$1" != sms ] || _f=phone
	rcli XADD closeloop:events '*' v 1 type subscribe event_id "s-$2" \
	    sr "$2" ts 2026-11-20T09:00:00Z "$_f" "$3" channels "$1" \
	    locale fr >/dev/null
	rcli XADD closeloop:events '*' v 1 type status event_id "w-$2" \
	    sr "$2" ts 2026-11-20T10:00:00Z division TW \
	    status in_progress >/dev/null
}

# Succeed when SR $1 is in the due set of held notices.
is_held() {
	[ -n "$(rcli ZSCORE closeloop:due "$1")" ]
}

say "a held closure, an SMS in quiet hours, an email retried, one failed"
closure_to email H-1 henri@example.org fr
in_progress sms Q-1 +14165550401
in_progress email R-1 t451-rita@example.org
in_progress email F-1 p550-fred@example.org
rcli XADD closeloop:events '*' v 1 type status sr X-1 >/dev/null
wait_for 30 "H-1's closure held" is_held H-1
wait_for 30 "Q-1's SMS queued" state_is Q-1/1/0 queued
wait_for 30 "R-1's email retried" state_is R-1/1/0 retry
wait_for 30 "F-1's email failed" state_is F-1/1/0 failed
wait_for 30 "two dead letters" dead_is 2
[ "$(nfield Q-1/1/0 wait)" = quiet_hours ] || fail "the SMS's record says no wait"
[ "$(nfield R-1/1/0 wait)" = retry ] || fail "the email's record says no retry"

$CL queue > "$T/all" || fail "closeloop queue failed"
cat "$T/all"
# Check that every time of file $1 is local and relative, never seconds.
times_ok() {
	grep -Eq 'in [0-9]{3,}s' "$1" && fail "$1: a time in raw seconds"
	grep -q '+14165550401\|rita@\|henri@\|fred@' "$1" &&
	    fail "$1: a contact in full"
	return 0
}
times_ok "$T/all"
grep -q '^held  *1 notices held for their window' "$T/all" ||
    fail "the totals do not count the held notice"
grep -q '^dead  *2 dead letters' "$T/all" || fail "the totals' dead letters"
grep -q '^held notices .*: 1$' "$T/all" || fail "no held list"
grep -q '^waiting notifications: 2$' "$T/all" || fail "no waiting list"
grep -q '^claims .*: 0$' "$T/all" || fail "no claims list"

say "--held: the closure, settle, its local due time"
$CL queue --held > "$T/held" || fail "closeloop queue --held failed"
cat "$T/held"
times_ok "$T/held"
grep -q 'waiting notifications' "$T/held" && fail "--held printed the waiting"
grep -q '^outbox' "$T/held" && fail "--held printed the totals"
due=$(rcli ZSCORE closeloop:due H-1)
want=$($PY -c 'import datetime, sys, zoneinfo
t = datetime.datetime.fromtimestamp(int(sys.argv[1]) / 1000,
    zoneinfo.ZoneInfo("America/Toronto"))
print(t.strftime("%Y-%m-%d %H:%M:%S"))' "$due")
grep -Eq "^  H-1 +completed +settle +$want \\(in (59m|1h)\\)$" "$T/held" ||
    fail "H-1 is not listed as a held completed, due $want"

say "--waiting: quiet hours, retry; --sr and --channel filter"
$CL queue --waiting > "$T/waiting" || fail "closeloop queue --waiting failed"
cat "$T/waiting"
times_ok "$T/waiting"
grep -Eq '^  Q-1/1/0 +Q-1 +in_progress +fr +sms +\+1416\*\*\*0401 +quiet_hours +[0-9-]+ [0-9:]+ \(in [0-9hm ]+\)$' \
    "$T/waiting" || fail "Q-1's SMS is not waiting for the quiet hours"
grep -Eq '^  R-1/1/0 +R-1 +in_progress +fr +email +t\*\*\*@example.org +retry +[0-9-]+ [0-9:]+ \(in [0-9hm ]+\)$' \
    "$T/waiting" || fail "R-1's email is not waiting for a retry"
$CL queue --waiting --sr Q-1 > "$T/sr" || fail "--sr failed"
grep -q 'Q-1/1/0' "$T/sr" && ! grep -q 'R-1/1/0' "$T/sr" ||
    fail "--sr Q-1: $(cat "$T/sr")"
$CL queue --waiting --channel email > "$T/email" || fail "--channel failed"
grep -q 'R-1/1/0' "$T/email" && ! grep -q 'Q-1/1/0' "$T/email" ||
    fail "--channel email: $(cat "$T/email")"
$CL queue --held --channel sms > "$T/heldsms" || fail "--held --channel failed"
grep -q 'H-1' "$T/heldsms" && fail "H-1 (email only) is listed for sms"
$CL queue --waiting --limit 1 > "$T/limit" || fail "--limit failed"
grep -q '^  \.\.\. and 1 more (--limit 0 lists them all)$' "$T/limit" ||
    fail "--limit 1 does not say one more: $(cat "$T/limit")"

say "--json: JSON Lines, the totals first"
$CL queue --json > "$T/q.json" || fail "closeloop queue --json failed"
$PY - "$T/q.json" <<'EOF' || fail "queue --json: $(cat "$T/q.json")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
t = rows[0]
assert t["kind"] == "totals", t
for k in ("email_due", "email_waiting", "sms_due", "sms_waiting", "claims",
          "dead_letters", "events", "stream"):
    assert k in t, k
assert t["held"] == 1 and t["dead_letters"] == 2, t
assert t["held_more"] == 0 and t["waiting_more"] == 0, t
by = {(r["kind"], r.get("id", r["sr"])): r for r in rows[1:]}
h = by[("held", "H-1")]
assert h["reason"] == "settle" and h["notice"] == "completed", h
assert h["due_at"].endswith("Z") and h["due_local"], h
assert h["event_ids"] == ["c-H-1"], h
q = by[("waiting", "Q-1/1/0")]
assert q["reason"] == "quiet_hours" and q["channel"] == "sms", q
assert q["to"] == "+1416***0401" and q["locale"] == "fr", q
r = by[("waiting", "R-1/1/0")]
assert r["reason"] == "retry" and r["attempts"] == 1, r
assert len(rows) == 4, rows
EOF
$CL queue --json --waiting --sr R-1 > "$T/r.json" || fail "--json --sr failed"
$PY -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["kind"] for r in rows] == ["totals", "waiting"], rows
assert rows[1]["id"] == "R-1/1/0", rows' "$T/r.json" ||
    fail "--json --waiting --sr R-1: $(cat "$T/r.json")"

say "dead drop: a failed email, by an operator, in the SR's history"
SUDO_USER=alice USER=root $CL dead drop F-1/1/0 > "$T/drop" 2>"$T/drop.err" ||
    fail "closeloop dead drop failed: $(cat "$T/drop.err")"
grep -q ': notification F-1/1/0 dropped by alice$' "$T/drop" ||
    fail "the drop does not say what it did: $(cat "$T/drop")"
assert "one dead letter left" dead_is 1
history_json F-1
hfield_taken rule suppressed | grep -qx dropped_by_operator ||
    fail "the drop is not in the trail"
[ "$(hfield_taken operator suppressed)" = alice ] ||
    fail "the trail does not say who dropped it"
[ "$(hfield_taken notification suppressed)" = F-1/1/0 ] ||
    fail "the trail does not say which notification"
$CL history F-1 > "$T/history"
grep -q "suppressed .*\[dropped_by_operator\] email to p\*\*\*@example.org dropped from the dead letters by alice" \
    "$T/history" || fail "the printed history: $(cat "$T/history")"

say "dead drop --json: an event's dead letter, logged"
entry=$(rcli XRANGE closeloop:dead - + | head -n 1)
USER=bob $CL dead drop --json "$entry" > "$T/drop.json" 2>"$T/drop.log" ||
    fail "closeloop dead drop --json failed"
$PY -c 'import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
assert len(d) == 1 and d[0]["kind"] == "event" and d[0]["sr"] == "X-1", d
assert d[0]["entry"] == sys.argv[2] and d[0]["operator"] == "bob", d' \
    "$T/drop.json" "$entry" || fail "dead drop --json: $(cat "$T/drop.json")"
grep -q "dead letter $entry (event of SR X-1: .*) dropped by bob" "$T/drop.log" ||
    fail "the event's drop is not logged: $(cat "$T/drop.log")"
assert "no dead letter left" dead_is 0
rc=0
$CL dead drop "$entry" 2>/dev/null || rc=$?
[ "$rc" = 65 ] || fail "dropping a dead letter that is gone exited $rc, not 65"

daemon_stop
echo PASS
