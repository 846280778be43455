#!/bin/sh
# optout.sh - residents opt out: STOP by SMS through the real Kannel,
# and the one-click link of an email
#
# Kannel runs the sms-service group of docs/operations.md as it is
# written there. A resident subscribed by SMS to two SRs texts ARRET from
# the phone network (fakesmsc): Kannel passes it to closeloopd's
# /inbound, the phone receives the French confirmation, both SRs' histories
# say unsubscribed, and the next status events send nothing to that phone
# - nor does an SR the CRM subscribes it to afterwards (rule sms_stop) -
# while another resident's SMS still goes. START brings it back. Then an
# email's List-Unsubscribe link, taken from the message the SMTP server
# received, is POSTed as a mail provider does (RFC 8058): a forged token
# changes nothing, a GET changes nothing, the real one unsubscribes that
# address, and the next notice of the SR goes to the other subscriber
# only. No full number or address in the log.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/kannel.sh"

PY=/usr/bin/python3
need "$PY" python3
command -v curl >/dev/null 2>&1 || missing "curl is not installed"

P=+14165550102		# the resident who opts out
Q=+14165550177		# another resident
SECRET=1nb0undK3yForTests
HTTP_PORT=$(free_port)

redis_start
printf '%s\n' "$SECRET" > "$T/inbound.secret"
printf 'unsub-k3y-for-tests\n' > "$T/unsub.secret"

say "Kannel with the sms-service group of docs/operations.md"
KANNEL_EXTRA_CONF=$(awk '/^group = sms-service$/ { on = 1 }
    on && /^```$/ { exit } on { print }' "$top_srcdir/docs/operations.md" |
    sed "s/127\.0\.0\.1:9311/127.0.0.1:$HTTP_PORT/; s/INBOUND_SECRET/$SECRET/")
echo "$KANNEL_EXTRA_CONF"
echo "$KANNEL_EXTRA_CONF" | grep -q "^get-url = \"http://127.0.0.1:$HTTP_PORT/inbound?" ||
    fail "no sms-service group with a get-url in docs/operations.md"
kannel_start "$T/kannel"
EXTRA_PIDS="$EXTRA_PIDS $KANNEL_PIDS"
chmod 600 "$T/inbound.secret" "$T/unsub.secret"
smtpd_plain

UNSUBSCRIBE_URL="https://311.example.org/unsubscribe"
TEMPLATES_EXTRA="unsubscribe_secret_file = \"$T/unsub.secret\";"
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
$(smtp_config)
$(kannel_config "inbound_secret_file = \"$T/inbound.secret\";")
http = { listen = \"127.0.0.1:$HTTP_PORT\"; };"
daemon_start

# Print how many texts fakesmsc got for phone $1 from number $2.
sms_to() {
	kannel_received | awk -v to="$1" -v from="$2" \
	    '$1 == from && $2 == to' | wc -l
}
sms_to_is() {
	[ "$(sms_to "$1" "$2")" -ge "$3" ]
}

# Print how many emails the SMTP server got for $1.
mail_to() {
	$PY -c '
import json, os, sys
path = os.path.join(sys.argv[1], "received.jsonl")
n = 0
if os.path.exists(path):
    n = sum(sys.argv[2] in json.loads(l)["rcpt_tos"] for l in open(path))
print(n)' "$MAIL" "$1"
}
mail_to_is() {
	[ "$(mail_to "$1")" -ge "$2" ]
}

say "a resident on two SRs by SMS, another on a third"
event_now subscribe O-1 phone "$P" locale fr channels sms
event_now subscribe O-2 phone "$P" locale en channels sms
event_now subscribe O-3 phone "$Q" locale en channels sms
for sr in O-1 O-2 O-3; do
	event_now status "$sr" division TW status received service "Water Leak"
done
wait_for 60 "two texts to $P" sms_to_is "$P" +14165550311 2
wait_for 30 "a text to $Q" sms_to_is "$Q" +14165550311 1

# Succeed when the phone $1 got a reply from 311 holding the text $2.
replied() {
	kannel_received | grep -F "311 $1 " | grep -qF "$2"
}

# The phone $1 texts $2 to 311; wait for a reply holding the text $3.
texts() {
	kannel_send "$1" 311 "$2"
	EXTRA_PIDS="$EXTRA_PIDS $KANNEL_FAKESMSC_PID"
	wait_for 30 "the answer to $2" replied "$1" "$3"
	kannel_received | grep -F "311 $1 " | tail -n 1
}

say "ARRET from the phone: the French confirmation, both SRs unsubscribed"
texts "$P" ARRET "Vous ne recevrez plus de SMS"
wait_for 20 "O-1's unsubscription" has_decision O-1 unsubscribed
wait_for 20 "O-2's unsubscription" has_decision O-2 unsubscribed
history_json O-1
hfield_taken event_ids unsubscribed | grep -q "^stop-sms-[0-9a-f]\{16\}-" ||
    fail "O-1's unsubscription is not the STOP's event"
[ "$(hfield_taken detail unsubscribed)" = "+1416***0102 by sms" ] ||
    fail "O-1's history: $(hfield_taken detail unsubscribed)"
has_decision O-3 unsubscribed && fail "the other resident's SR changed"
HEX=$(printf '%s' "$P" | sha256sum | cut -c1-64)
[ "$(rcli HGET "closeloop:optout:sms:$HEX" keyword)" = ARRET ] ||
    fail "no opt-out recorded for the phone"
"$CLOSELOOP" -c "$CONF" history O-1

say "the next status events send nothing to that phone"
event_now subscribe O-4 phone "$P" locale en channels sms
for sr in O-1 O-2 O-3 O-4; do
	event_now status "$sr" division TW status scheduled \
	    scheduled_for 2030-05-05
done
wait_for 30 "the other resident's second text" sms_to_is "$Q" +14165550311 2
wait_for 30 "O-4's notice held back" has_decision O-4 unsubscribed
history_json O-4
[ "$(hfield_taken rule unsubscribed)" = sms_stop ] || fail "O-4: not rule sms_stop"
[ "$(hfield_taken to unsubscribed)" = "+1416***0102" ] || fail "O-4: not masked"
has_decision O-4 sent && fail "O-4's notice was sent to an opted-out phone"
sleep 1
[ "$(sms_to "$P" +14165550311)" = 2 ] ||
    fail "the phone got $(sms_to "$P" +14165550311) notices after STOP"

say "START: the confirmation, texts again"
texts "$P" START "You will get text messages"
wait_for 20 "O-1 subscribed again" has_decision O-1 subscribed 2
wait_for 20 "O-2 subscribed again" has_decision O-2 subscribed 2
[ "$(rcli EXISTS "closeloop:optout:sms:$HEX")" = 0 ] || fail "the opt-out is still there"
event_now status O-1 division TW status in_progress
wait_for 30 "a text to the phone again" sms_to_is "$P" +14165550311 3

say "email: one click on the List-Unsubscribe link"
event_now subscribe M-1 email ana@example.org channels email
event_now subscribe M-1 email bo@example.org channels email
event_now status M-1 division TW status received service "Graffiti"
wait_for 30 "Ana's email" mail_to_is ana@example.org 1
wait_for 30 "Bo's email" mail_to_is bo@example.org 1
$PY "$top_srcdir/tests/harness/mailbox.py" check "$MAIL" || fail "a malformed message"
URL=$($PY "$top_srcdir/tests/harness/mailbox.py" field "$MAIL" ana@example.org \
    List-Unsubscribe | tr -d '<>')
echo "List-Unsubscribe: $URL"
case $URL in
"$UNSUBSCRIBE_URL?sr=M-1&c="*"&exp="*"&token="*) ;;
*) fail "not a one-click link: $URL" ;;
esac
$PY "$top_srcdir/tests/harness/mailbox.py" show "$MAIL" ana@example.org | tr -d '\r' |
    grep -qxF "$URL" || fail "the text does not hold the header's link"
TOKEN=${URL##*token=}
"$CLOSELOOP" -c "$CONF" history --json M-1 > "$T/m1.json" ||
    fail "closeloop history M-1 failed"
grep -q "token=REDACTED" "$T/m1.json" ||
    fail "the recorded text does not show the link, redacted"
if grep -qF "$TOKEN" "$T/m1.json"; then
	fail "a working unsubscribe token is in the audit trail"
fi
# Redis's audit streams, every SR's and closeloop:audit, hold no working
# token either; M-1's, read as the others, holds the redacted link.
rcli --scan --pattern 'closeloop:*audit*' > "$T/audit-keys" ||
    fail "the audit streams cannot be listed"
grep -qxF 'closeloop:sr:{M-1}:audit' "$T/audit-keys" ||
    fail "M-1's audit stream is not among: $(cat "$T/audit-keys")"
while read -r k; do
	_type=$(rcli TYPE "$k") || fail "the type of $k cannot be read"
	[ "$_type" = stream ] || continue
	rcli XRANGE "$k" - + > "$T/audit-stream" || fail "$k cannot be read"
	if grep -qF "$TOKEN" "$T/audit-stream"; then
		fail "a working unsubscribe token is kept in Redis's $k"
	fi
	[ "$k" != 'closeloop:sr:{M-1}:audit' ] ||
	    grep -q "token=REDACTED" "$T/audit-stream" ||
	    fail "M-1's audit stream does not hold the redacted link"
done < "$T/audit-keys"
BOURL=$($PY "$top_srcdir/tests/harness/mailbox.py" field "$MAIL" bo@example.org \
    List-Unsubscribe | tr -d '<>')
[ "$BOURL" != "$URL" ] || fail "two addresses got the same link"
# The city's https proxy passes the path and the query to the listener.
LOCAL="http://127.0.0.1:$HTTP_PORT${URL#https://311.example.org}"
post() {
	curl -s -o /dev/null -w '%{http_code}' -d 'List-Unsubscribe=One-Click' "$1"
}
FORGED=$(echo "$LOCAL" | sed 's/\(token=.*\)[0-9a-f]$/\1x/')
[ "$(post "$FORGED")" = 403 ] || fail "a forged token was not refused"
OTHER=$(echo "$LOCAL" | sed 's/sr=M-1/sr=O-1/')
[ "$(post "$OTHER")" = 403 ] || fail "the link worked for another SR"
code=$(curl -s -o "$T/page.html" -w '%{http_code}' "$LOCAL")
[ "$code" = 200 ] || fail "a GET got $code"
grep -q '<form method="post">' "$T/page.html" || fail "the page has no button"
sleep 1
has_decision M-1 unsubscribed && fail "a forged token or a GET unsubscribed"
[ "$(post "$LOCAL")" = 200 ] || fail "the one-click POST was refused"
wait_for 20 "M-1's unsubscription" has_decision M-1 unsubscribed
history_json M-1
[ "$(hfield_taken detail unsubscribed)" = "a***@example.org by email" ] ||
    fail "M-1's history: $(hfield_taken detail unsubscribed)"
hfield_taken event_ids unsubscribed | grep -q "^unsub-email-" ||
    fail "M-1's unsubscription is not the link's event"
[ "$(post "$LOCAL")" = 200 ] || fail "a second click was refused"
event_now status M-1 division TW status assigned
wait_for 30 "Bo's second email" mail_to_is bo@example.org 2
sleep 1
[ "$(mail_to ana@example.org)" = 1 ] || fail "Ana got email after unsubscribing"
count_decision M-1 unsubscribed
[ "$NDECISIONS" = 1 ] || fail "the second click unsubscribed again"

say "no full number or address in the log"
if grep -E '5550102|ana@example' "$DLOG"; then
	fail "a full contact in closeloopd's log"
fi
daemon_stop
kannel_stop
echo PASS
