#!/bin/sh
# operator_pause.sh - a channel paused by an operator, and by its breaker
#
# An operator pauses email ("closeloop pause email"): nothing goes out,
# nothing is lost, /healthz and /metrics say so, the pause survives a
# restart and holds for a second daemon too; "closeloop resume email"
# sends what waited, once. A pause --until ends by itself. Each pause and
# resume is in the operators' record with who did it. Then the breaker:
# with delivery.breaker_window 10 and breaker_percent 20, the third email
# refused at RCPT pauses the channel for every instance, /healthz answers
# 503 and names it, a good message waits, and it goes out once an
# operator resumes. The refused addresses are on the suppression list.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need curl curl
MAILBOX="$PY $top_srcdir/tests/harness/mailbox.py"

redis_start
smtpd_plain
# Write the configuration, listening on a new port each time (a port just
# closed may not be bound again at once); $T/second.conf has no listener.
configure() {
	HTTP_PORT=$(free_port)
	write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
delivery = { breaker_window = 10; breaker_percent = 20; };
$(smtp_config)
http = { listen = \"127.0.0.1:$HTTP_PORT\"; };"
	sed -e "s/listen = \"127.0.0.1:$HTTP_PORT\"/listen = \"\"/" \
	    -e 's/consumer = "it";/consumer = "it2";/' "$CONF" > "$T/second.conf"
}
configure
daemon_start
wait_for 20 "reading the stream" log_has "reading closeloop:events"

received() { [ "$($MAILBOX count "$MAIL")" -eq "$1" ]; }
healthz() {
	curl -s -o "$T/health" -w '%{http_code}' \
	    "http://127.0.0.1:$HTTP_PORT/healthz"
}
metric() {
	curl -s "http://127.0.0.1:$HTTP_PORT/metrics" |
	    awk -v k="$1" '$1 == k { print $2 }'
}
recorded() {
	rcli XRANGE closeloop:web:audit - + > "$T/audit"
	grep -A1 -x "$1" "$T/audit" | grep -q -x "$2" &&
	    grep -q -x "$3" "$T/audit"
}

say "paused by an operator: nothing goes, nothing is lost"
SUDO_USER=alice USER=root "$CLOSELOOP" -c "$CONF" pause email \
    --note "relay down" > "$T/pause" || fail "closeloop pause failed"
grep -q "^email paused by alice (operator) at .*until resumed.*: relay down" \
    "$T/pause" || fail "pause does not say what it did: $(cat "$T/pause")"
"$CLOSELOOP" -c "$CONF" pause --json > "$T/pause.json" ||
    fail "closeloop pause --json failed"
$PY - "$T/pause.json" <<'EOF' || fail "pause --json: $(cat "$T/pause.json")"
import json, sys
rows = {r["channel"]: r for r in map(json.loads, open(sys.argv[1]))}
assert rows["email"]["paused"] is True and rows["email"]["by"] == "alice", rows
assert rows["email"]["reason"] == "operator", rows
assert rows["sms"]["paused"] is False, rows
EOF
closure_now email P-1 p1@example.org
wait_for 10 "P-1 queued" state_is P-1/1/0 queued
sleep 3
assert "P-1 still waits" state_is P-1/1/0 queued
assert "no mail sent while paused" received 0
assert "/healthz is 200 for an operator's pause" [ "$(healthz)" = 200 ]
grep -q "^email paused by an operator (closeloop pause); 1 notifications wait" \
    "$T/health" || fail "/healthz does not say email is paused: $(cat "$T/health")"
[ "$(metric 'closeloop_channel_paused{channel="email"}')" = 1 ] ||
    fail "/metrics does not say email is paused"
[ "$(metric 'closeloop_channel_paused{channel="sms"}')" = 0 ] ||
    fail "/metrics says sms is paused"
recorded what pause user || fail "the pause is not recorded"
grep -q -x alice "$T/audit" || fail "the record does not say alice paused"

say "the pause survives a restart and holds for a second daemon"
daemon_stop
configure
daemon_start
"$CLOSELOOPD" -c "$T/second.conf" >>"$T/second.log" 2>&1 &
SECOND=$!
EXTRA_PIDS="$EXTRA_PIDS $SECOND"
wait_for 20 "the restarted daemon" log_has "listening for HTTP on 127.0.0.1:$HTTP_PORT"
wait_for 20 "the second daemon" grep -q "reading closeloop:events as consumer it2" "$T/second.log"
sleep 3
assert "P-1 still waits after the restart" state_is P-1/1/0 queued
assert "no mail from either daemon" received 0

say "resumed: what waited goes out, once"
USER=bob "$CLOSELOOP" -c "$CONF" resume email > "$T/resume" ||
    fail "closeloop resume failed"
grep -q "^email resumed" "$T/resume" || fail "resume: $(cat "$T/resume")"
wait_for 20 "P-1 sent" state_is P-1/1/0 sent
sleep 1
assert "P-1 went once" received 1
recorded what resume user || fail "the resume is not recorded"
grep -q -x bob "$T/audit" || fail "the record does not say bob resumed"
USER=bob "$CLOSELOOP" -c "$CONF" resume email | grep -q "was not paused" ||
    fail "a second resume does not say the channel was not paused"

# One daemon from here: two would share an SR's events between them.
kill -TERM "$SECOND"
wait "$SECOND" 2>/dev/null || true

say "a pause --until ends by itself"
until_s=$(( $(date +%s) + 6 ))
until=$(date -u -d "@$until_s" +%Y-%m-%dT%H:%M:%SZ)
USER=carol "$CLOSELOOP" -c "$CONF" pause email --until "$until" > "$T/pause" ||
    fail "closeloop pause --until failed"
grep -q "until 20" "$T/pause" || fail "pause --until: $(cat "$T/pause")"
"$CLOSELOOP" -c "$CONF" pause email --until 2020-01-01 2>"$T/err" &&
    fail "a pause until a time gone by was taken"
grep -q "not a time to come" "$T/err" || fail "--until in the past: $(cat "$T/err")"
closure_now email P-2 p2@example.org
wait_for 30 "P-2 sent once the pause ended" state_is P-2/1/0 sent
[ "$(nfield P-2/1/0 sent_at)" -ge "$((until_s * 1000))" ] ||
    fail "P-2 went at $(nfield P-2/1/0 sent_at), before the pause's end ${until_s}000"
[ "$(rcli EXISTS closeloop:pause:email)" = 0 ] || fail "the pause is still there"

say "the breaker: three refusals in ten pause email for every instance"
for i in 1 2 3; do
	closure_now email B-$i "p550-b$i@example.org"
	wait_for 20 "B-$i failed" state_is B-$i/1/0 failed
done
breaker_paused() { [ "$(rcli HGET closeloop:pause:email reason)" = breaker ]; }
wait_for 10 "the breaker's pause" breaker_paused
log_has "email: paused by the breaker: more than 20% of the last 10 messages failed for good" ||
    fail "the log does not say the breaker paused email"
assert "/healthz is 503" [ "$(healthz)" = 503 ]
grep -q "^email paused by its breaker" "$T/health" ||
    fail "/healthz does not name the breaker: $(cat "$T/health")"
[ "$(metric 'closeloop_breaker_open{channel="email"}')" = 1 ] ||
    fail "/metrics does not say the breaker is open"
closure_now email B-ok good@example.org
wait_for 10 "B-ok queued" state_is B-ok/1/0 queued
sleep 3
assert "B-ok waits while the breaker is open" state_is B-ok/1/0 queued
USER=alice "$CLOSELOOP" -c "$CONF" resume email >/dev/null ||
    fail "closeloop resume failed"
wait_for 20 "B-ok sent after the resume" state_is B-ok/1/0 sent
assert "/healthz is 200 again" [ "$(healthz)" = 200 ]

say "the refused addresses are suppressed"
"$CLOSELOOP" -c "$CONF" suppressed list > "$T/suppressed" ||
    fail "closeloop suppressed list failed"
grep -q "^3 addresses suppressed" "$T/suppressed" ||
    fail "suppressed list: $(cat "$T/suppressed")"
grep -q "p\*\*\*@example.org [0-9a-f]\{40\} (hard_bounce, SR B-1, B-1/1/0): RCPT TO: 550" \
    "$T/suppressed" || fail "suppressed list: $(cat "$T/suppressed")"
grep -q "p550-b1@" "$T/suppressed" && fail "suppressed list shows an address in full"
daemon_stop
echo "PASS"
