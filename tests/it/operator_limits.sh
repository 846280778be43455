#!/bin/sh
# operator_limits.sh - the limits that protect residents and the city's
# sending
#
# With delivery.max_per_contact_per_hour 2 and two daemons sharing the
# outbox, four SRs for one address send two emails: the other two wait,
# recorded as deferred (rate_limit) with the time they may go, and
# "send-now --reason rate" does not get round the limit. Another address
# is not held back. An address refused at RCPT is suppressed: the next
# notice to it goes by the resident's phone when they gave one, else it is
# recorded as suppressed_address and nothing is sent; once an operator
# clears the address, it is mailed again.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
MAILBOX="$PY $top_srcdir/tests/harness/mailbox.py"

redis_start
smtpd_plain
gateway_plain
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
delivery = { max_per_contact_per_hour = 2; };
$(smtp_config)
$(twilio_config)"
sed 's/consumer = "it";/consumer = "it2";/' "$CONF" > "$T/second.conf"
daemon_start
"$CLOSELOOPD" -c "$T/second.conf" >>"$T/second.log" 2>&1 &
SECOND=$!
EXTRA_PIDS="$EXTRA_PIDS $SECOND"
wait_for 20 "the first daemon" log_has "reading closeloop:events"
wait_for 20 "the second daemon" grep -q "reading closeloop:events" "$T/second.log"

to_count() {
	$MAILBOX list "$MAIL" | grep -c " $1\$" || true
}
sent_count() {
	n=0
	for id in "$@"; do
		[ "$(nfield "$id" state)" != sent ] || n=$((n + 1))
	done
	echo "$n"
}

say "four SRs for one address, two daemons: two emails in the hour"
for i in 1 2 3 4; do
	closure_now email L-$i same@example.org
done
closure_now email L-5 other@example.org
wait_for 20 "L-5 sent" state_is L-5/1/0 sent
two_sent() { [ "$(sent_count L-1/1/0 L-2/1/0 L-3/1/0 L-4/1/0)" = 2 ]; }
two_deferred() {
	[ "$(rcli ZCOUNT closeloop:outbox:email "($(($(date +%s) * 1000 + 600000))" +inf)" = 2 ]
}
wait_for 20 "two of four sent" two_sent
wait_for 20 "two deferred" two_deferred
sleep 2
assert "still two sent" [ "$(sent_count L-1/1/0 L-2/1/0 L-3/1/0 L-4/1/0)" = 2 ]
assert "two emails to the address" [ "$(to_count same@example.org)" = 2 ]
deferred=
for i in 1 2 3 4; do
	[ "$(nfield L-$i/1/0 state)" = sent ] || deferred="$deferred L-$i"
done
for sr in $deferred; do
	[ "$(nfield $sr/1/0 wait)" = rate ] || fail "$sr does not wait for the rate"
	history_json $sr
	[ "$(hfield_taken rule deferred)" = rate_limit ] ||
	    fail "$sr's trail has no rate_limit deferral"
	hfield_taken detail deferred | grep -q "2 messages went to this contact in the last hour (delivery.max_per_contact_per_hour); it goes at 20" ||
	    fail "$sr's deferral: $(hfield_taken detail deferred)"
done

say "send-now does not get round the limit"
USER=alice "$CLOSELOOP" -c "$CONF" send-now --reason rate > "$T/now" ||
    fail "closeloop send-now --reason rate failed: $(cat "$T/now")"
grep -q "^2 notifications made due now" "$T/now" || fail "send-now: $(cat "$T/now")"
set -- $deferred
wait_for 20 "deferred again" has_decision "$1" deferred 2
sleep 1
assert "still two sent" [ "$(sent_count L-1/1/0 L-2/1/0 L-3/1/0 L-4/1/0)" = 2 ]
history_json "$1"
[ "$(hfield_taken operator retried)" = alice ] ||
    fail "the send-now is not in the trail with its operator"

say "a hard bounce suppresses the address"
closure_now email S-1 p550-s@example.org
wait_for 20 "S-1 failed" state_is S-1/1/0 failed
"$CLOSELOOP" -c "$CONF" suppressed list --json > "$T/sup.json" ||
    fail "closeloop suppressed list --json failed"
$PY - "$T/sup.json" <<'EOF' || fail "suppressed list --json: $(cat "$T/sup.json")"
import hashlib, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1, rows
r = rows[0]
assert r["hash"] == hashlib.sha1(b"p550-s@example.org").hexdigest(), r
assert r["reason"] == "hard_bounce" and r["sr"] == "S-1", r
assert r["reply"].startswith("RCPT TO: 550"), r
assert "p550-s" not in r["to"], r
EOF

say "the next notice goes by the resident's phone"
closure_now email S-2 P550-S@example.org phone +14165550777
wait_for 20 "S-2 suppressed" state_is S-2/1/0 suppressed
wait_for 20 "S-2 sent by SMS" state_is S-2/1/0f sent
history_json S-2
hfield_taken rule suppressed | grep -q suppressed_address ||
    fail "S-2's trail has no suppressed_address"
[ "$(hfield_taken channel sent)" = sms ] || fail "S-2 did not go by SMS"

say "without a phone, nothing is sent, and the trail says why"
closure_now email S-3 p550-s@example.org
wait_for 20 "S-3 suppressed" state_is S-3/1/0 suppressed
history_json S-3
hfield_taken detail suppressed | grep -q "the address is on the suppression list" ||
    fail "S-3's trail: $(hfield_taken detail suppressed)"
[ "$(hfield_taken decision | grep -c '^sent$')" = 0 ] || fail "S-3 was sent"
[ "$(to_count p550-s@example.org)" = 0 ] || fail "a message reached the bounced address"

say "cleared by an operator: mailed again"
USER=bob "$CLOSELOOP" -c "$CONF" suppressed clear p550-S@example.org > "$T/clear" ||
    fail "closeloop suppressed clear failed"
grep -q "cleared" "$T/clear" || fail "clear: $(cat "$T/clear")"
"$CLOSELOOP" -c "$CONF" suppressed list | grep -q "^0 addresses suppressed" ||
    fail "the address is still listed"
rcli XRANGE closeloop:web:audit - + | grep -q -x unsuppress ||
    fail "the clearing is not recorded"
closure_now email S-4 p550-s@example.org
wait_for 20 "S-4 tried (and refused again)" state_is S-4/1/0 failed
kill -TERM "$SECOND"
wait "$SECOND" 2>/dev/null || true
daemon_stop
echo "PASS"
