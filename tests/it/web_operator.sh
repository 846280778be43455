#!/bin/sh
# web_operator.sh - the operator's actions on the console's Operations page
#
# closeloopd and closeloop-web run side by side. An ops user pauses email
# from the page: the console only publishes the request, closeloopd
# carries it out within seconds, the page shows what came of it, a mail
# decided meanwhile waits, and it goes once she resumes. She sends a test
# of a template to herself ([TEST], in the test trail only), drops a dead
# letter (in its SR's trail, with her name), lets the bounced address off
# the suppression list, sends a retried email now and resends one that
# went out. Each action is in the operators' record with her name, from
# the console and as carried out by closeloopd. An auditor sees the page
# without its forms and gets 404 for a POST; a POST without the CSRF
# token, or from another site, is refused; an unknown action is a 400; a
# request that waited too long (closeloopd down) is refused, not carried
# out late. The pages go through the contact check.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/web.sh"

PY=/usr/bin/python3
MAILBOX="$PY $top_srcdir/tests/harness/mailbox.py"

redis_start
smtpd_plain
web_port
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
$(smtp_config)
$(web_config)"
daemon_start
wait_for 20 "reading the stream" log_has "reading closeloop:events"
web_start
web_user olga ops
web_user audrey auditor
[ "$(web_signin "$T/olga.jar" olga)" = 303 ] || fail "olga did not sign in"
[ "$(web_signin "$T/audrey.jar" audrey)" = 303 ] || fail "audrey did not sign in"

# POST the action $2 as jar $1 with more --data-urlencode NAME=VALUE
# arguments; the page's CSRF token is taken first. Sets CODE to the
# status and REQ to the request's id from the redirection.
act() {
	_jar=$1
	_action=$2
	shift 2
	web_get "$_jar" /operations > "$T/ops.html"
	_csrf=$(web_csrf "$T/ops.html")
	_n=$#
	while [ "$_n" -gt 0 ]; do
		set -- "$@" --data-urlencode "$1"
		shift
		_n=$((_n - 1))
	done
	CODE=$(curl -s -b "$_jar" -o /dev/null -D "$T/act.h" -w '%{http_code}' \
	    -H "Origin: $WEB_URL" --data-urlencode "csrf=$_csrf" \
	    --data-urlencode "action=$_action" "$@" "$WEB_URL/operations")
	REQ=$(sed -n 's/^Location: .*request=\([0-9-]*\).*/\1/p' "$T/act.h" |
	    tr -d '\r')
}
done_req() {
	[ -n "$(rcli HGET "closeloop:web:request:$REQ" state)" ]
}
# Wait for request $REQ's result; fail unless it is $1 (done or failed).
result_is() {
	wait_for 15 "request $REQ carried out" done_req
	_st=$(rcli HGET "closeloop:web:request:$REQ" state)
	[ "$_st" = "$1" ] || fail "request $REQ: $_st: $(rcli HGET "closeloop:web:request:$REQ" result)"
}
result() { rcli HGET "closeloop:web:request:$REQ" result; }

say "the page: channels and forms for ops, none for an auditor"
web_get "$T/olga.jar" /operations > "$T/olga.html"
if ! grep -q "<button type=\"submit\">Pause email</button>" "$T/olga.html"; then
	sed -n '/<main/,$p' "$T/olga.html" | head -n 20
	fail "olga's page has no pause form"
fi
grep -q "Send the test" "$T/olga.html" || fail "olga's page has no test form"
web_get "$T/audrey.jar" /operations > "$T/audrey.html"
grep -q "Pause email\|Send the test\|Send now" "$T/audrey.html" &&
    fail "the auditor's page offers actions"
grep -q "<td>sending</td>" "$T/audrey.html" || fail "the auditor does not see the channels"
act "$T/audrey.jar" pause channel=email; [ "$CODE" = 404 ] ||
    fail "an auditor's POST was not refused"

say "refused: no CSRF token, another site, an unknown action"
code=$(curl -s -b "$T/olga.jar" -o /dev/null -w '%{http_code}' \
    -H "Origin: $WEB_URL" -d action=pause -d channel=email "$WEB_URL/operations")
[ "$code" = 403 ] || fail "a POST without the token: $code"
web_get "$T/olga.jar" /operations > "$T/ops.html"
code=$(curl -s -b "$T/olga.jar" -o /dev/null -w '%{http_code}' \
    -H "Origin: https://evil.example" --data-urlencode "csrf=$(web_csrf "$T/ops.html")" \
    -d action=pause -d channel=email "$WEB_URL/operations")
[ "$code" = 403 ] || fail "a POST from another site: $code"
act "$T/olga.jar" explode; [ "$CODE" = 400 ] || fail "an unknown action was not a 400"
[ "$(rcli XLEN closeloop:web:requests)" = 0 ] || fail "a refused POST was published"

say "pause from the page: carried out by closeloopd, mail waits"
act "$T/olga.jar" pause channel=email "note=relay down"; [ "$CODE" = 303 ] ||
    fail "the pause was not taken"
[ -n "$REQ" ] || fail "no request id in the redirection"
result_is done
result | grep -q "^email paused until resumed" || fail "pause: $(result)"
"$CLOSELOOP" -c "$CONF" pause --json | grep '"channel": *"email"' |
    grep -q '"by": *"olga"' || fail "closeloop pause does not say olga paused email"
web_get "$T/olga.jar" "/operations?request=$REQ" > "$T/after.html"
grep -q "pause: done: email paused until resumed" "$T/after.html" ||
    fail "the page does not show the request's result"
grep -q "<strong>paused</strong> by olga since" "$T/after.html" ||
    fail "the page does not show email paused by olga"
[ "$(rcli XLEN closeloop:web:requests)" = 0 ] || fail "the request was not removed"
closure_now email W-1 w1@example.org
wait_for 10 "W-1 queued" state_is W-1/1/0 queued
sleep 3
assert "W-1 waits while paused" state_is W-1/1/0 queued
act "$T/olga.jar" resume channel=email; [ "$CODE" = 303 ] || fail "resume not taken"
result_is done
wait_for 20 "W-1 sent after the resume" state_is W-1/1/0 sent

say "a test of a template, to olga"
act "$T/olga.jar" test-send notice=completed locale=fr channel=email \
    to=olga@example.org; [ "$CODE" = 303 ] || fail "test-send not taken"
result_is done
result | grep -q "^test of completed (email) to o\*\*\*@example.org: 250" ||
    fail "test-send: $(result)"
$MAILBOX field "$MAIL" olga@example.org Subject | grep -q '^\[TEST\] ' ||
    fail "the test's subject is not marked"
[ "$(rcli XLEN closeloop:test:trail)" = 1 ] || fail "the test is not in the test trail"
[ "$(rcli XREVRANGE closeloop:test:trail + - COUNT 1 | grep -x -A1 operator | tail -n 1)" = olga ] ||
    fail "the test trail does not say olga"

say "a dead letter dropped, an address let off the suppression list"
closure_now email D-1 p550-d1@example.org
wait_for 20 "D-1 failed" state_is D-1/1/0 failed
act "$T/olga.jar" dead-drop id=D-1/1/0; [ "$CODE" = 303 ] || fail "drop not taken"
result_is done
[ "$(rcli XLEN closeloop:dead)" = 0 ] || fail "the dead letter is still there"
history_json D-1
[ "$(hfield_taken rule suppressed)" = dropped_by_operator ] ||
    fail "D-1's trail has no dropped_by_operator"
[ "$(hfield_taken operator suppressed)" = olga ] || fail "D-1's trail does not say olga"
hash=$($PY -c 'import hashlib; print(hashlib.sha1(b"p550-d1@example.org").hexdigest())')
[ "$(rcli EXISTS "closeloop:suppressed:email:$hash")" = 1 ] ||
    fail "the bounced address is not suppressed"
web_get "$T/olga.jar" /operations > "$T/sup.html"
grep -q "value=\"$hash\"" "$T/sup.html" || fail "the page offers no way to mail it again"
act "$T/olga.jar" unsuppress "address=$hash"; [ "$CODE" = 303 ] || fail "unsuppress not taken"
result_is done
[ "$(rcli EXISTS "closeloop:suppressed:email:$hash")" = 0 ] ||
    fail "the address is still suppressed"

say "a retried email sent now, a sent one sent again"
closure_now email R-1 t451-r1@example.org
field_is() { [ "$(nfield "$1" "$2")" = "$3" ]; }
wait_for 20 "R-1 retried" field_is R-1/1/0 wait retry
act "$T/olga.jar" send-now sr=R-1; [ "$CODE" = 303 ] || fail "send-now not taken"
result_is done
result | grep -q "^1 notification made due now" || fail "send-now: $(result)"
wait_for 20 "R-1 tried again" field_is R-1/1/0 attempts 2
history_json R-1
[ "$(hfield_taken operator retried | grep -c olga)" -ge 1 ] ||
    fail "R-1's trail does not say olga sent it now"
act "$T/olga.jar" resend id=W-1/1/0; [ "$CODE" = 303 ] || fail "resend not taken"
result_is done
wait_for 20 "W-1/1/0r1 sent" state_is W-1/1/0r1 sent
act "$T/olga.jar" resend id=W-1/1/0x; [ "$CODE" = 303 ] || fail "bad resend not taken"
result_is failed
result | grep -q "no such notification" || fail "a bad resend: $(result)"

say "every action in the operators' record, with olga's name"
rcli XRANGE closeloop:web:audit - + > "$T/audit"
for what in request-pause pause request-resume resume request-test-send \
    request-dead-drop dead-drop request-unsuppress unsuppress \
    request-send-now send-now request-resend resend; do
	grep -q -x -- "$what" "$T/audit" || fail "$what is not in the record"
done
web_get "$T/olga.jar" /operations > "$T/actions.html"
grep -q "<th scope=\"row\">dead-drop</th><td>olga</td><td>closeloopd</td>" \
    "$T/actions.html" || fail "the page does not list the drop by olga"

say "a request that waited too long is refused"
old=$(( $(date +%s) * 1000 - 20 * 60 * 1000 ))
REQ=$(rcli XADD closeloop:web:requests '*' at "$old" action pause \
    channel sms by olga peer 127.0.0.1)
result_is failed
result | grep -q "waited more than 15 minutes" || fail "the stale request: $(result)"
"$CLOSELOOP" -c "$CONF" pause --json | grep '"channel": *"sms"' |
    grep -q '"paused": *false' || fail "the stale request paused sms"
daemon_stop
echo "PASS"
