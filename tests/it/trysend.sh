#!/bin/sh
# trysend.sh - "closeloop render --send-to" sends a template for real,
# marked as a test, and records it in the test trail and nowhere else
#
# With an SR already told (so that the audit stream, the SR trails and
# the rollups hold something), a test email goes to aiosmtpd with AUTH:
# it arrives once, its Subject starting "[TEST] " and both its bodies
# with the line naming the template, its locale and the set's version;
# the files of --eml (the message received, byte for byte, which
# python's email module parses) and --html (its HTML part) are written.
# Test texts go through the real Kannel and the Twilio stand-in, each
# starting "TEST: ". The test trail closeloop:test:trail holds each
# test, who sent it and the address masked; the audit stream, the keys
# of Redis (but for the test trail) and "closeloop report" are as they
# were. A 550 exits 65 and a 451 exits 75, each with the reply printed;
# with Redis unreachable the test goes out with a warning. No secret,
# no full address or number is printed.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/kannel.sh"

PY=/usr/bin/python3
need "$PY" python3
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    missing "aiosmtpd is not installed (Debian package python3-aiosmtpd)"
[ -x "$KANNEL_BEARERBOX" ] || missing "bearerbox is not installed (Debian package kannel)"
[ -x "$KANNEL_FAKESMSC" ] || missing "fakesmsc is not installed (Debian package kannel-extras)"
MAILBOX="$PY $top_srcdir/tests/harness/mailbox.py"

redis_start
SMTP_SECRET=Sm7p-s3cret-e9
printf 'closeloop:%s\n' "$SMTP_SECRET" > "$T/smtp.users"
printf '%s\n' "$SMTP_SECRET" > "$T/smtp.secret"
chmod 600 "$T/smtp.secret"
SMTP_PORT=$(free_port)
MAIL="$T/mail"
mkdir -p "$MAIL"
"$PY" "$top_srcdir/tests/harness/smtpd.py" --port "$SMTP_PORT" --dir "$MAIL" \
    --auth-file "$T/smtp.users" >>"$T/smtpd.log" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for 10 "the SMTP server" port_up "$SMTP_PORT"
kannel_start "$T/kannel"
EXTRA_PIDS="$EXTRA_PIDS $KANNEL_PIDS"
gateway_plain

# AUTH in clear is allowed to a loopback relay only.
EMAIL="email = {
	smtp = \"smtp://127.0.0.1:$SMTP_PORT\";
	starttls = \"off\";
	from = \"Toronto 311 <311@example.org>\";
	username = \"closeloop\";
	password_file = \"$T/smtp.secret\";
	timeout_seconds = 5;
};"
POLICY="policy = { settle_seconds = 0; coalesce_seconds = 0; };"
write_config "" "$POLICY
$EMAIL
$(kannel_config "max_per_second = 50;")"
KANNEL_CONF=$CONF

EVENT="division=TW reason=completed note=Basin-cleared"

# Print the fields of the test trail's last entry, one "NAME VALUE" a line.
trail_last() {
	rcli XREVRANGE closeloop:test:trail + - COUNT 1 | tail -n +2 |
	    paste -d ' ' - -
}

# Succeed if the test trail's last entry has field $1 with value $2.
trail_is() {
	trail_last | grep -qxF "$1 $2" ||
	    { trail_last; echo "the test trail's last entry has no $1 $2"; return 1; }
}

# Succeed when fakesmsc has received a text for $1.
kannel_has() {
	kannel_received | grep -q " $1 "
}

say "an SR told by closeloopd, so that the trails and rollups hold it"
daemon_start
closure_to email R-1 res1@example.org en
wait_for 30 "R-1 sent" state_is R-1/1/0 sent
daemon_stop
"$CLOSELOOP" -c "$CONF" report --since 1d --json > "$T/report.before"
rcli --scan | sort > "$T/keys.before"
AUDIT=$(rcli XLEN closeloop:audit)
TRAIL=$(rcli XLEN 'closeloop:sr:{R-1}:audit')
assert "the audit stream has R-1" [ "$AUDIT" -gt 0 ]
received=$($MAILBOX count "$MAIL")

say "--html and --eml alone write the message a resident would get"
"$CLOSELOOP" -c "$CONF" render --html "$T/plain.html" --eml "$T/plain.eml" \
    $EVENT > "$T/out" || fail "render --html --eml: $(cat "$T/out")"
assert "nothing sent without --send-to" [ "$($MAILBOX count "$MAIL")" = "$received" ]
"$PY" - "$T/plain.eml" "$T/plain.html" <<'EOF' || fail "the .eml is not the message rendered"
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
assert not m.defects, m.defects
assert m["To"] == "resident@example.org", m["To"]
assert m["Subject"] == "The work on your request 2026-000101 is done", m["Subject"]
html = m.get_body(("html",)).get_content()
assert "Basin-cleared" in html and "This is a test" not in html
assert open(sys.argv[2], encoding="utf-8").read().replace("\r\n", "\n") == \
    html.replace("\r\n", "\n"), "--html is not the HTML part"
EOF
grep -qF 'Subject: The work on your request 2026-000101 is done' "$T/out" ||
    fail "render did not print the email"

say "a test email: once, marked, the files as sent"
USER=alice "$CLOSELOOP" -c "$CONF" render --send-to ops@example.org \
    --eml "$T/test.eml" --html "$T/test.html" $EVENT > "$T/out" 2> "$T/err" ||
    fail "render --send-to: $(cat "$T/out" "$T/err")"
cat "$T/out" "$T/err" | tail -n 4
grep -qxF '== test email to o***@example.org: sent' "$T/out" ||
    fail "render does not say the test was sent"
grep -q '^250 ' "$T/out" || fail "render does not print the server's reply"
grep -q '^recorded in the test trail closeloop:test:trail as [0-9]*-[0-9]*$' \
    "$T/out" || fail "render does not say where the test is recorded"
assert "exactly one message" [ "$($MAILBOX count "$MAIL")" = $((received + 1)) ]
$MAILBOX check "$MAIL" >/dev/null || fail "the test message is malformed"
$MAILBOX field "$MAIL" ops@example.org Subject | grep -q '^\[TEST\] ' ||
    fail "the Subject does not start with [TEST]"
grep -q '"auth": "closeloop"' "$MAIL/received.jsonl" ||
    fail "the test did not authenticate as the configuration says"
last=$("$PY" -c 'import json, os, sys
r = [json.loads(l) for l in open(os.path.join(sys.argv[1], "received.jsonl"))][-1]
print(os.path.join(sys.argv[1], r["file"]))' "$MAIL")
cmp -s "$T/test.eml" "$last" || fail "--eml is not the message the server received"
"$PY" - "$T/test.eml" "$T/test.html" <<'EOF' || fail "the test email is not marked as one"
import email, email.policy, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(),
                             policy=email.policy.default)
assert not m.defects, m.defects
assert m["Subject"].startswith("[TEST] "), m["Subject"]
assert m["To"] == "ops@example.org", m["To"]
line = re.compile(r"This is a test of template completed \(locale en, "
                  r"template set [0-9a-f]{16}\): no resident was sent this message\.")
text = m.get_body(("plain",)).get_content()
assert line.match(text), text[:200]
html = m.get_body(("html",)).get_content()
body = html[html.index("<body"):]
assert line.search(body[:600]), body[:600]
assert "Basin-cleared" in html
assert open(sys.argv[2], encoding="utf-8").read().replace("\r\n", "\n") == \
    html.replace("\r\n", "\n"), "--html is not the HTML part sent"
EOF
trail_is operator alice || fail "the trail does not say who sent it"
trail_is to 'o***@example.org' || fail "the trail does not mask the address"
trail_is channel email || fail "the trail does not say the channel"
trail_is outcome sent || fail "the trail does not say it was sent"
trail_is notice completed || fail "the trail does not name the template"
trail_is locale en || fail "the trail does not name the locale"
trail_last | grep -q '^template_version [0-9a-f]\{16\}$' ||
    fail "the trail has no template version"
trail_last | grep -q '^reply 250 ' || fail "the trail has no reply"
sha=$(sha256sum < "$last" | cut -d ' ' -f 1)
trail_is content_sha256 "$sha" || fail "the trail's hash is not of the message sent"

say "a test text through Kannel, and through the twilio stand-in"
SUDO_USER=bob "$CLOSELOOP" -c "$CONF" render --send-to +14165550199 \
    --locale fr $EVENT > "$T/out" 2> "$T/err" ||
    fail "render --send-to (Kannel): $(cat "$T/out" "$T/err")"
grep -qxF '== test sms to +1416***0199: sent' "$T/out" ||
    fail "render does not say the text was sent"
wait_for 20 "the text at fakesmsc" kannel_has +14165550199
kannel_received > "$T/received"
cat "$T/received"
assert "one text at fakesmsc" [ "$(grep -c ' +14165550199 ' "$T/received")" = 1 ]
grep -q '^+14165550311 +14165550199 TEST: 311 Toronto : ' "$T/received" ||
    fail "the text does not start with TEST:"
trail_is channel sms || fail "the trail does not say sms"
trail_is to '+1416***0199' || fail "the trail does not mask the number"
trail_is operator bob || fail "the trail does not take SUDO_USER"
write_config "" "$POLICY
$EMAIL
$(twilio_config)"
"$CLOSELOOP" -c "$CONF" render --channel sms --send-to +14165550198 \
    $EVENT > "$T/out" 2> "$T/err" ||
    fail "render --send-to (twilio): $(cat "$T/out" "$T/err")"
assert "one text at the stand-in" [ "$(wc -l < "$GW_DIR/messages.jsonl")" = 1 ]
grep -q '"body": "TEST: 311 Toronto: ' "$GW_DIR/messages.jsonl" ||
    fail "the twilio text does not start with TEST:"
grep -q '"token": "test\.' "$GW_DIR/messages.jsonl" ||
    fail "the test's idempotency key is not a test's"
CONF=$KANNEL_CONF

say "a 550 is a permanent failure, a 451 a temporary one"
received=$($MAILBOX count "$MAIL")
# Try a test to $1, which the server refuses: exit $2, printing $3,
# recorded as outcome $4.
refused() {
	rc=0
	"$CLOSELOOP" -c "$CONF" render --send-to "$1" $EVENT \
	    > "$T/out" 2> "$T/err" || rc=$?
	cat "$T/err"
	assert "exit $2 ($rc)" [ "$rc" = "$2" ]
	grep -qF "$3" "$T/err" || fail "the reply is not printed: $3"
	trail_is outcome "$4" || fail "the trail does not say $4"
}
refused p550-ops@example.org 65 \
    'test email to p***@example.org: failed: RCPT TO: 550 ' permfail
refused t451-ops@example.org 75 \
    'failed for now, try again later: RCPT TO: 451 ' tempfail
assert "nothing received" [ "$($MAILBOX count "$MAIL")" = "$received" ]

say "Redis unreachable: sent all the same, with a warning"
sed "s|unix://$SOCK|unix://$T/nothing-here.sock|" "$CONF" > "$T/down.conf"
n=$(rcli XLEN closeloop:test:trail)
"$CLOSELOOP" -c "$T/down.conf" render --send-to ops2@example.org $EVENT \
    > "$T/out" 2> "$T/err" || fail "render --send-to without Redis failed"
cat "$T/err"
grep -q 'warning: the test trail closeloop:test:trail did not record this test' \
    "$T/err" || fail "no warning that the test trail did not record it"
assert "sent without Redis" [ "$($MAILBOX count "$MAIL")" = $((received + 1)) ]
assert "nothing recorded" [ "$(rcli XLEN closeloop:test:trail)" = "$n" ]

say "only the test trail was written"
assert "five tests in the trail" [ "$(rcli XLEN closeloop:test:trail)" = 5 ]
assert "the audit stream unchanged" [ "$(rcli XLEN closeloop:audit)" = "$AUDIT" ]
assert "R-1's trail unchanged" [ "$(rcli XLEN 'closeloop:sr:{R-1}:audit')" = "$TRAIL" ]
rcli --scan | grep -vxF closeloop:test:trail | sort > "$T/keys.after"
diff "$T/keys.before" "$T/keys.after" || fail "keys other than the test trail changed"
"$CLOSELOOP" -c "$CONF" report --since 1d --json > "$T/report.after"
diff "$T/report.before" "$T/report.after" || fail "closeloop report changed"
"$CLOSELOOP" -c "$CONF" history 2026-000101 | grep -q 'nothing recorded' ||
    fail "the sample SR has a trail"

say "nothing secret, no full address or number printed"
for s in "$SMTP_SECRET" "$KANNEL_PASSWORD" tok3n ops@example.org \
    ops2@example.org p550-ops@example.org 5550199 5550198; do
	if grep -rlF -- "$s" "$LEAK/cli"; then
		fail "closeloop printed $s"
	fi
done
echo "PASS"
