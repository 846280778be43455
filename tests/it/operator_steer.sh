#!/bin/sh
# operator_steer.sh - send now, send again
#
# Texts deferred by quiet hours wait; "closeloop send-now" takes one out
# of its wait by id, then the rest by --reason quiet_hours, each recorded
# in its SR's trail with the operator; a notification not waiting is
# said to be so. "closeloop resend" sends an email that went out again
# as a new notification that points at the old one, rendered with the
# set in use; --same-content with the same set gives the same text, and
# the first message's Message-ID is not reused. Both are in the
# operators' record.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
MAILBOX="$PY $top_srcdir/tests/harness/mailbox.py"

redis_start
smtpd_plain
gateway_plain
hour=$(TZ=America/Toronto date +%H)
h=${hour#0}
quiet="$(printf '%02d:00' "$h")-$(printf '%02d:00' $(( (h + 2) % 24 )))"
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
$(smtp_config)
$(twilio_config "quiet_hours = \"$quiet\";")"
daemon_start
wait_for 20 "reading the stream" log_has "reading closeloop:events"

texts() { grep -c '' "$GW_DIR/messages.jsonl" 2>/dev/null || echo 0; }

say "texts in quiet hours wait"
closure_now sms Q-1 +14165550801
closure_now sms Q-2 +14165550802
closure_now sms Q-3 +14165550803
for sr in Q-1 Q-2 Q-3; do
	wait_for 10 "$sr queued" state_is $sr/1/0 queued
	[ "$(nfield $sr/1/0 wait)" = quiet_hours ] ||
	    fail "$sr does not say it waits for quiet hours"
done
sleep 2
assert "Q-1 waits" state_is Q-1/1/0 queued

say "send-now by id, in quiet hours: made due, and said to wait for them"
SUDO_USER=alice USER=root "$CLOSELOOP" -c "$CONF" send-now Q-1/1/0 \
    > "$T/now" || fail "send-now Q-1/1/0 failed: $(cat "$T/now")"
grep -q "^Q-1/1/0: sms.quiet_hours are in force until 20.*, and no SMS goes before" \
    "$T/now" || fail "send-now in quiet hours: $(cat "$T/now")"
sleep 3
assert "Q-1 waits for the quiet hours in force" state_is Q-1/1/0 queued

say "quiet hours lifted: Q-1 goes, with the operator in its trail"
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
$(smtp_config)
$(twilio_config)"
kill -HUP "$DAEMON_PID"
wait_for 10 "the reload" log_has "configuration reloaded"
wait_for 20 "Q-1 sent" state_is Q-1/1/0 sent
sleep 1
assert "Q-2 still waits for the old quiet hours' end" state_is Q-2/1/0 queued
history_json Q-1
[ "$(hfield_taken rule retried)" = sent_now_by_operator ] ||
    fail "Q-1's trail has no sent_now_by_operator"
[ "$(hfield_taken operator retried)" = alice ] ||
    fail "Q-1's trail does not say alice"
hfield_taken detail retried | grep -q "taken out of its wait (quiet_hours, due 20.*) by alice" ||
    fail "Q-1's trail: $(hfield_taken detail retried)"
"$CLOSELOOP" -c "$CONF" send-now Q-1/1/0 > "$T/again" 2>&1 &&
    fail "send-now of a notification that went out succeeded"
grep -q "not waiting (sent)" "$T/again" || fail "send-now again: $(cat "$T/again")"

say "send-now --reason quiet_hours: the rest go"
USER=bob "$CLOSELOOP" -c "$CONF" send-now --json --reason quiet_hours \
    > "$T/now.json" || fail "send-now --reason quiet_hours failed"
$PY - "$T/now.json" <<'EOF' || fail "send-now --json: $(cat "$T/now.json")"
import json, sys
rows = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
assert set(rows) == {"Q-2/1/0", "Q-3/1/0"}, rows
assert all(r["result"] == "moved" for r in rows.values()), rows
assert rows["Q-2/1/0"]["sr"] == "Q-2", rows
EOF
wait_for 20 "Q-2 sent" state_is Q-2/1/0 sent
wait_for 20 "Q-3 sent" state_is Q-3/1/0 sent
assert "three texts" [ "$(texts)" = 3 ]

say "resend: a new notification pointing at the old"
closure_now email E-1 e1@example.org
wait_for 20 "E-1 sent" state_is E-1/1/0 sent
first_id=$($MAILBOX field "$MAIL" e1@example.org Message-ID)
USER=carol "$CLOSELOOP" -c "$CONF" resend E-1/1/0 > "$T/resend" ||
    fail "closeloop resend failed: $(cat "$T/resend")"
grep -q "^E-1/1/0: queued again as E-1/1/0r1" "$T/resend" ||
    fail "resend: $(cat "$T/resend")"
wait_for 20 "E-1/1/0r1 sent" state_is E-1/1/0r1 sent
[ "$(nfield E-1/1/0r1 resend_of)" = E-1/1/0 ] || fail "the resend does not point at E-1/1/0"
[ "$($MAILBOX list "$MAIL" | grep -c ' e1@example.org$')" = 2 ] ||
    fail "the resident did not get the message again"
second_id=$($MAILBOX field "$MAIL" e1@example.org Message-ID)
[ "$first_id" != "$second_id" ] || fail "the resend reused the Message-ID"
history_json E-1
hfield_taken rule retried | grep -q resent_by_operator ||
    fail "E-1's trail has no resent_by_operator"
hfield_taken notification sent | grep -q -x "E-1/1/0r1" ||
    fail "E-1's trail has no sent entry for the resend"

say "resend --same-content: the same text, again"
USER=carol "$CLOSELOOP" -c "$CONF" resend --json --same-content E-1/1/0 \
    > "$T/same.json" || fail "resend --same-content failed"
grep -q '"id": *"E-1/1/0r2"' "$T/same.json" || fail "resend --json: $(cat "$T/same.json")"
wait_for 20 "E-1/1/0r2 sent" state_is E-1/1/0r2 sent
[ "$(nfield E-1/1/0r2 content_sha256)" != "" ] || fail "no hash of the resend"
"$CLOSELOOP" -c "$CONF" show E-1/1/0 --text > "$T/first.txt" ||
    fail "closeloop show E-1/1/0 failed"
"$CLOSELOOP" -c "$CONF" show E-1/1/0r2 --text > "$T/same.txt" ||
    fail "closeloop show E-1/1/0r2 failed"
grep -v -i '^\(message-id\|date\|x-closeloop\)' "$T/first.txt" > "$T/a"
grep -v -i '^\(message-id\|date\|x-closeloop\)' "$T/same.txt" > "$T/b"
diff "$T/a" "$T/b" > "$T/diff" || fail "the same content differs: $(cat "$T/diff")"
"$CLOSELOOP" -c "$CONF" resend Q-2/1/0x 2>"$T/err" && fail "resend of no such notification succeeded"
grep -q "no such notification" "$T/err" || fail "resend of nothing: $(cat "$T/err")"
closure_now email E-2 e2@example.org
wait_for 20 "E-2 sent" state_is E-2/1/0 sent
rcli HSET "closeloop:sr:{E-2}:n:1/0" state sending >/dev/null
"$CLOSELOOP" -c "$CONF" resend E-2/1/0 2>"$T/err" &&
    fail "resend of a notification being sent succeeded"
grep -q "it has not gone out (sending)" "$T/err" || fail "resend: $(cat "$T/err")"
rcli XRANGE closeloop:web:audit - + > "$T/audit"
for what in send-now resend; do
	grep -q -x "$what" "$T/audit" || fail "$what is not in the operators' record"
done
grep -q -x carol "$T/audit" || fail "the record does not say carol resent"
daemon_stop
echo "PASS"
