#!/bin/sh
# stale.sh - a backlog of old events the CRM replays is recorded, not sent
# (delivery.max_event_age_hours)
#
# 1,000 SRs, each with one subscriber by email and a "completed" closure
# of four days ago, are written to the stream in one pipeline, with one
# fresh SR in the middle of them. closeloopd applies every event: each
# old closure is recorded in its SR's trail as suppressed, rule
# stale_event, and counted so in the daily counts, with no notification
# record and nothing in the outbox; the SMTP server (aiosmtpd) gets the
# fresh SR's message and no other. The SRs moved on as if told: the CRM
# sending an old closure again, fresh, is not news either (unchanged).
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3
N=1000

redis_start
smtpd_plain
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
delivery = { max_event_age_hours = 72; };
$(smtp_config)"
daemon_start
CL="$CLOSELOOP -c $CONF"

# Print the redis-cli commands of the replay: N SRs ST-0000... with a
# subscriber and a closure 4 days old, and SR ST-FRESH with its two
# events now, after the first half.
replay() {
	$PY - "$N" <<'EOF'
import datetime, sys
n = int(sys.argv[1])
now = datetime.datetime.now(datetime.timezone.utc)
fmt = "%Y-%m-%dT%H:%M:%SZ"
old = (now - datetime.timedelta(days=4)).strftime(fmt)
fresh = now.strftime(fmt)


def sr(name, ts):
    print("XADD closeloop:events * v 1 type subscribe event_id s-%s sr %s "
          "ts %s email r-%s@example.org locale en channels email"
          % (name, name, ts, name.lower()))
    print("XADD closeloop:events * v 1 type status event_id c-%s sr %s "
          "ts %s division TW status closed reason completed "
          "note \"Basin cleared.\"" % (name, name, ts))


for i in range(n):
    if i == n // 2:
        sr("ST-FRESH", fresh)
    sr("ST-%04d" % i, old)
EOF
}

say "a replay of $N closures of four days ago, one fresh SR among them"
replay > "$T/replay"
rcli < "$T/replay" > /dev/null
wait_for 120 "every event accepted" stat_is accepted $((2 * N + 2))
wait_for 30 "the fresh SR's message" state_is ST-FRESH/1/0 sent
assert "one notice queued" [ "$(stat decision:queued)" = 1 ]
sleep 1
assert "the SMTP server got the fresh message only" \
    [ "$($PY "$top_srcdir/tests/harness/mailbox.py" count "$MAIL")" = 1 ]
$PY "$top_srcdir/tests/harness/mailbox.py" list "$MAIL" |
    grep -q '^<ST-FRESH\.1\.0@example\.org> r-st-fresh@example\.org$' ||
    fail "the message received is not the fresh SR's"

say "no notification record, nothing in the outbox for the old ones"
rcli --scan --pattern 'closeloop:sr:{ST-0*}:n:*' > "$T/nkeys"
assert "no notification record of an old SR" [ ! -s "$T/nkeys" ]
for ch in email sms; do
	assert "nothing in outbox:$ch" \
	    [ "$(rcli ZCARD "closeloop:outbox:$ch")" = 0 ]
done

say "$N decisions with rule stale_event, in the trail and the counts"
$CL history --json --since 1h --decision suppressed,queued \
    > "$T/decided.json" || fail "closeloop history --since failed"
$PY - "$T/decided.json" "$N" <<'EOF' || fail "the trail is not as it should be"
import json, sys
n = int(sys.argv[2])
ds = [json.loads(line) for line in open(sys.argv[1])]
stale = [d for d in ds if d.get("rule") == "stale_event"]
assert len(stale) == n, len(stale)
assert all(d["decision"] == "suppressed" and d["notice"] == "completed"
           and d["sr"].startswith("ST-0") for d in stale), stale[0]
assert len({d["sr"] for d in stale}) == n
assert all("hours old" in d["detail"] and "72 hours" in d["detail"]
           for d in stale), stale[0]["detail"]
queued = [d for d in ds if d["decision"] == "queued"]
assert [d["sr"] for d in queued] == ["ST-FRESH"], queued
EOF
history_json ST-0007
hfield_taken detail suppressed | grep -q \
    '^completed not sent: the newest event behind it is over 9[6-7] hours old, past the 72 hours of delivery.max_event_age_hours' ||
    fail "the SR's trail does not say why its closure was not sent"
$CL report --since 1d --json > "$T/report.json" || fail "report failed"
$PY - "$T/report.json" "$N" <<'EOF' || fail "the counts are wrong"
import json, sys
rows = {r["division"]: r for r in map(json.loads, open(sys.argv[1]))}
tw = rows["TW"]
assert tw["stale_events"] == int(sys.argv[2]), tw
assert tw["suppressed"] == int(sys.argv[2]), tw
assert tw["notices"] == 1 and tw["notices_completed"] == 1, tw
assert tw["sent_email"] == 1, tw
EOF
$CL report --since 1d --division TW > "$T/report.txt"
grep -q "old news not sent *$N\$" "$T/report.txt" ||
    fail "the report does not count the old news"

say "the SRs moved on as if told: the old closure again, fresh, is no news"
$CL emit type=status sr=ST-0003 division=TW status=closed \
    reason=completed event_id=again-3 >/dev/null
wait_for 20 "the repeat accepted" stat_is accepted $((2 * N + 3))
history_json ST-0003
hfield_taken rule suppressed | grep -qx unchanged ||
    fail "the fresh repeat of old news was not suppressed as unchanged"
sleep 1
assert "still one message" \
    [ "$($PY "$top_srcdir/tests/harness/mailbox.py" count "$MAIL")" = 1 ]
daemon_stop
echo "PASS"
