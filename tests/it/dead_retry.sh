#!/bin/sh
# dead_retry.sh - "closeloop dead retry" as an operator uses it
#
# An SMS the gateway (the loopback stand-in, tests/harness/gateway.py) refuses
# with a 400 fails for good and is dead-lettered. An operator queues it
# again with "closeloop dead retry": the SR's trail says so, with who did
# it (SUDO_USER, else USER), its attempts are counted on (the one that
# goes out is attempt 2, not a second attempt 1), and "closeloop report"
# counts the notification by how it ended - sent, not failed - and lists
# its SR among the failures (--list failed) no more. An event
# dead-lettered for a field name holding a NUL byte goes back into the
# stream byte for byte, not cut at the NUL.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3

redis_start
printf '400 1\n' > "$T/gateway.control"
gateway_plain --control "$T/gateway.control"
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
$(twilio_config)"
daemon_start

say "an SMS refused with a 400: failed and dead-lettered"
sms_closed R-1 +14165550401
wait_for 30 "R-1 failed" state_is R-1/1/0 failed
wait_for 10 "its dead letter" dead_is 1
"$CLOSELOOP" -c "$CONF" report --since 2d --json > "$T/before.json" ||
    fail "closeloop report failed"
$PY -c '
import json, sys
rows = {r["division"]: r for r in map(json.loads, open(sys.argv[1]))}
assert rows["TW"]["failed"] == 1, rows
' "$T/before.json" || fail "the failure is not counted"
"$CLOSELOOP" -c "$CONF" report --since 2d --list failed > "$T/failed" ||
    fail "closeloop report --list failed failed"
grep -q "R-1 .*failed" "$T/failed" && grep -q "^1 entry, 1 SR$" "$T/failed" ||
    fail "--list failed does not list R-1: $(cat "$T/failed")"

say "queued again by an operator: in the trail, attempt 2, counted as sent"
SUDO_USER=alice USER=root "$CLOSELOOP" -c "$CONF" dead retry R-1/1/0 |
    tee "$T/retry" || fail "closeloop dead retry failed"
grep -q "notification R-1/1/0 queued again (attempt 2 next)" "$T/retry" ||
    fail "the retry does not say what it did"
wait_for 30 "R-1 sent" state_is R-1/1/0 sent
assert "no dead letter left" dead_is 0
history_json R-1
[ "$(hfield_taken rule retried)" = retried_by_operator ] ||
    fail "the operator's retry is not in the trail"
[ "$(hfield_taken operator retried)" = alice ] ||
    fail "the trail does not say who retried"
hfield_taken detail retried | grep -q "queued again by alice (closeloop dead retry); attempt 2 is next" ||
    fail "the retry's detail: $(hfield_taken detail retried)"
[ "$(hfield_taken attempt failed)" = 1 ] || fail "the failure was not attempt 1"
[ "$(hfield_taken attempt sent)" = 2 ] ||
    fail "the retried SMS is not attempt 2: $(hfield_taken attempt sent)"
[ "$(nfield R-1/1/0 retried_by)" = alice ] || fail "the record does not say who"
"$CLOSELOOP" -c "$CONF" history R-1 | tee "$T/history"
grep -q "retried .*\[retried_by_operator\] sms to +1416\*\*\*0401 queued again by alice" \
    "$T/history" || fail "the printed history does not show the retry"
"$CLOSELOOP" -c "$CONF" report --since 2d --json > "$T/after.json" ||
    fail "closeloop report failed"
$PY - "$T/after.json" <<'EOF' || fail "the report counts a retried and sent SMS as failed"
import json, sys
rows = {r["division"]: r for r in map(json.loads, open(sys.argv[1]))}
tw = rows["TW"]
assert tw["failed"] == 0, tw
assert tw["sent_sms"] == 1, tw
EOF
"$CLOSELOOP" -c "$CONF" report --since 2d --list failed > "$T/failed" ||
    fail "closeloop report --list failed failed"
grep -q "^0 entries, 0 SRs$" "$T/failed" ||
    fail "--list failed still lists the retried SR: $(cat "$T/failed")"
USER=bob "$CLOSELOOP" -c "$CONF" dead retry R-1/1/0 >/dev/null 2>&1 &&
    fail "a retry of a dead letter that is gone succeeded"

say "an event with a NUL in a field name goes back byte for byte"
printf '*15\r\n$4\r\nXADD\r\n$16\r\ncloseloop:events\r\n$1\r\n*\r\n$1\r\nv\r\n$1\r\n1\r\n$4\r\ntype\r\n$6\r\nstatus\r\n$2\r\nsr\r\n$3\r\nN-1\r\n$2\r\nts\r\n$20\r\n2026-11-20T10:00:00Z\r\n$5\r\nx_a\000b\r\n$1\r\n1\r\n$8\r\ndivision\r\n$2\r\nTW\r\n' |
    rcli --pipe > "$T/pipe" 2>&1 ||
    fail "the event with a NUL was not added: $(cat "$T/pipe")"
wait_for 20 "the event's dead letter" dead_is 1

# Print the id of the first dead letter (nothing if there is none).
first_dead() {
	rcli XRANGE closeloop:dead - + COUNT 1 | head -n 1
}

# Succeed when the first dead letter is there and is not entry $1.
first_dead_not() {
	_fd=$(first_dead)
	[ -n "$_fd" ] && [ "$_fd" != "$1" ]
}

entry=$(first_dead)
was=$(rcli XREVRANGE closeloop:events + - COUNT 1 | head -n 1)
"$CLOSELOOP" -c "$CONF" dead retry "$entry" || fail "the event was not put back"
rcli --no-raw XREVRANGE closeloop:events + - COUNT 1 > "$T/back"
[ "$(rcli XREVRANGE closeloop:events + - COUNT 1 | head -n 1)" != "$was" ] ||
    fail "no entry put back: the newest in the stream is the event itself"
grep -qF '"x_a\x00b"' "$T/back" ||
    fail "the field name was not put back whole: $(cat "$T/back")"
wait_for 20 "its new dead letter" first_dead_not "$entry"
assert "the retried dead letter gone, one new one" dead_is 1

daemon_stop
echo PASS
