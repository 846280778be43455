#!/bin/sh
# sms.sh - closeloopd delivers SMS through the real Kannel and through a
# loopback stand-in for the twilio profile
#
# Kannel (bearerbox, smsbox, fakesmsc as the phone network): texts in
# English, French and Chinese arrive intact at fakesmsc, the Chinese one
# as UCS-2. Then, after a SIGHUP to the twilio profile against
# tests/harness/gateway.py: the provider's message id is kept; a 429 with
# Retry-After is retried no sooner than asked; a gateway that hangs is
# timed out and retried; a 400 is a permanent failure, dead-lettered and
# queued again by "closeloop dead retry"; sms.max_per_second holds in
# every second; quiet hours hold an SMS back and say so in the history.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/kannel.sh"

PY=/usr/bin/python3
need "$PY" python3
[ -x "$KANNEL_BEARERBOX" ] || missing "bearerbox is not installed (Debian package kannel)"
[ -x "$KANNEL_FAKESMSC" ] || missing "fakesmsc is not installed (Debian package kannel-extras)"

redis_start
kannel_start "$T/kannel"
EXTRA_PIDS="$EXTRA_PIDS $KANNEL_PIDS"

GW_CONTROL="$T/gateway.control"
: > "$GW_CONTROL"
gateway_plain --control "$GW_CONTROL"

# Write the configuration: $1 the sms group (kannel_config's or
# twilio_config's, given timeout_seconds = 2 and more).
sms_config() {
	write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
retry = { initial_seconds = 2; max_seconds = 4; };
$1"
}

# Succeed when fakesmsc has received $1 messages.
kannel_count_is() {
	[ "$(kannel_received | wc -l)" -ge "$1" ]
}

# Succeed when the stand-in has accepted $1 messages.
gateway_count_is() {
	[ "$(wc -l < "$GW_DIR/messages.jsonl" 2>/dev/null || echo 0)" -ge "$1" ]
}

say "Kannel: three languages"
sms_config "$(kannel_config "timeout_seconds = 2;
	max_per_second = 50;")"
daemon_start
sms_closed K-1 +14165550101 en
sms_closed K-2 +14165550102 zh-Hans
sms_closed K-3 +14165550103 fr
wait_for 30 "three texts at fakesmsc" kannel_count_is 3
kannel_received > "$T/received"
cat "$T/received"
grep -q '^+14165550311 +14165550101 .*K-1.*Basin cleared' "$T/received" ||
    fail "the English text did not arrive intact"
grep -q '^+14165550311 +14165550102 .*您.*K-2' "$T/received" ||
    fail "the Chinese text did not arrive intact"
grep -q '^+14165550311 +14165550103 .*K-3.*é' "$T/received" ||
    fail "the French text did not arrive with its accents"
kannel_coded +14165550102 ucs-2 K-2 ||
    fail "the Chinese text did not go as UCS-2"
kannel_coded +14165550101 text K-1 ||
    fail "the English text did not go as GSM-7"
for id in K-1/1/0 K-2/1/0 K-3/1/0; do
	wait_for 10 "$id recorded as sent" state_is "$id" sent
done
assert "Kannel's reply kept" [ "$(nfield K-1/1/0 reply)" = "HTTP 202: 0: Accepted for delivery" ]
"$CLOSELOOP" -c "$CONF" history K-2 | tee "$T/history"
grep -q 'sent .*sms to +1416\*\*\*0102' "$T/history" ||
    fail "the history does not show the text as sent, masked"
if grep -q '5550102' "$T/history" "$DLOG"; then
	fail "a phone number was printed in full"
fi

say "SIGHUP to the twilio profile; a 429 with Retry-After: 5"
sms_config "$(twilio_config "timeout_seconds = 2;
	max_per_second = 5;")"
kill -HUP "$DAEMON_PID"
wait_for 10 "the reload" log_has "configuration reloaded"
printf '429 1 5\n' > "$GW_CONTROL.new" && mv "$GW_CONTROL.new" "$GW_CONTROL"
start=$(date +%s)
sms_closed T-1 +14165550201 en
wait_for 30 "T-1 sent after the 429" state_is T-1/1/0 sent
took=$(( $(date +%s) - start ))
echo "sent ${took}s after a 429 asking for 5s"
assert "Retry-After honoured (${took}s)" [ "$took" -ge 4 ]
assert "two attempts" [ "$(nfield T-1/1/0 attempts)" = 2 ]
sid=$(nfield T-1/1/0 provider_id)
grep -q "\"sid\": \"$sid\"" "$GW_DIR/messages.jsonl" ||
    fail "the provider's message id ($sid) was not kept"
grep -q '"token": "T-1/1/0"' "$GW_DIR/messages.jsonl" ||
    fail "the notification id was not the idempotency key"
"$CLOSELOOP" -c "$CONF" history T-1 | grep -q 'retried .*HTTP 429' ||
    fail "the retry is not in the history"

say "a gateway that hangs: timed out, retried"
printf 'hang 1 8\n' > "$GW_CONTROL.new" && mv "$GW_CONTROL.new" "$GW_CONTROL"
sms_closed T-2 +14165550202 fr
wait_for 30 "T-2 sent after a timeout" state_is T-2/1/0 sent
nfield T-2/1/0 attempts | grep -qx 2 || fail "the timeout was not retried"
"$CLOSELOOP" -c "$CONF" history T-2 | grep -qi 'retried .*time' ||
    fail "the timeout is not in the history"

say "a 400: failed for good, dead-lettered, queued again by hand"
printf '400 1\n' > "$GW_CONTROL.new" && mv "$GW_CONTROL.new" "$GW_CONTROL"
sms_closed T-3 +14165550203 en
wait_for 20 "T-3 failed" state_is T-3/1/0 failed
"$CLOSELOOP" -c "$CONF" dead list | tee "$T/dead"
grep -q 'notification T-3/1/0 (sms to +1416\*\*\*0203): failed: HTTP 400' "$T/dead" ||
    fail "the dead letter does not say what failed"
"$CLOSELOOP" -c "$CONF" dead retry T-3/1/0
wait_for 20 "T-3 sent after dead retry" state_is T-3/1/0 sent
"$CLOSELOOP" -c "$CONF" queue | tee "$T/queue"
grep -q '^dead  *0 dead letters' "$T/queue" || fail "the dead letter was not removed"

say "sms.max_per_second = 5: 20 texts"
before=$(wc -l < "$GW_DIR/requests.jsonl")
for i in $(seq 1 20); do
	sms_closed "R-$i" "+1416555$(printf '%04d' "$i")" en
done
wait_for 60 "20 more texts" gateway_count_is 23
tail -n +"$((before + 1))" "$GW_DIR/requests.jsonl" | $PY -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
times = sorted(r["time"] for r in rows if r["token"].startswith("R-"))
worst = max(sum(1 for u in times if t <= u < t + 1.0) for t in times)
print("most requests begun in any one second: %d" % worst)
sys.exit(worst > 5)' || fail "more than 5 requests in one second"

say "quiet hours: held back, in the history"
hour=$(TZ=America/Toronto date +%H)
h=${hour#0}	# "08" and "09" are not octal numbers
from=$(printf '%02d:00' "$h")
to=$(printf '%02d:00' $(( (h + 2) % 24 )))
sms_config "$(twilio_config "timeout_seconds = 2;
	quiet_hours = \"$from-$to\";")"
kill -HUP "$DAEMON_PID"
reloaded_twice() {
	[ "$(log_count 'configuration reloaded')" = 2 ]
}
wait_for 10 "the second reload" reloaded_twice
sms_closed Q-1 +14165550301 en
wait_for 10 "Q-1 queued" state_is Q-1/1/0 queued
sleep 2
assert "not sent in quiet hours" state_is Q-1/1/0 queued
"$CLOSELOOP" -c "$CONF" history Q-1 | grep -q 'deferred .*quiet_hours' ||
    fail "the deferral is not in the history"
daemon_stop
echo "PASS"
