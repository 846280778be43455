#!/bin/sh
# email.sh - closeloopd delivers email to a real SMTP server (aiosmtpd)
# over STARTTLS with AUTH, and copes with its faults
#
# Residents in English, French and Chinese get a completed notice: each
# message is well-formed MIME, 7-bit and CRLF only, with an RFC 2047
# subject that decodes to the rendered one. Then: 451 to RCPT is retried,
# "flaky" DATA arrives on the third attempt with the same Message-ID, 550
# fails for good into the dead letters; a server that answers 421 for a
# while gets everything once it is back, nothing twice. Each message
# links to the resident's own page (templates.resident_url) with a token
# that HMAC-SHA-256, computed here with openssl, verifies for its SR; the
# kept copy holds the same link, and the key is never logged.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3
need openssl openssl
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    missing "aiosmtpd is not installed (Debian package python3-aiosmtpd)"
MAILBOX="$PY $top_srcdir/tests/harness/mailbox.py"

redis_start
sh "$top_srcdir/tests/harness/testca.sh" "$T/ca" >/dev/null
printf 'closeloop:s3cret\n' > "$T/smtp.users"
printf 's3cret\n' > "$T/smtp.secret"
chmod 600 "$T/smtp.secret"
RESIDENT_KEY=res1dent-k3y-e7
printf '%s\n' "$RESIDENT_KEY" > "$T/resident.secret"
chmod 600 "$T/resident.secret"
RESIDENT_BASE=https://311.example.ca/updates
TEMPLATES_EXTRA="resident_url = \"$RESIDENT_BASE/{sr}/{token}\";
	resident_secret_file = \"$T/resident.secret\";"
SMTP_PORT=$(free_port)
MAIL="$T/mail"
CONTROL="$T/smtp.control"
mkdir -p "$MAIL"
: > "$CONTROL"
# Start the SMTP server (again, after smtpd_stop).
smtpd_start() {
	$PY "$top_srcdir/tests/harness/smtpd.py" --port "$SMTP_PORT" --dir "$MAIL" \
	    --tls-cert "$T/ca/server.pem" --tls-key "$T/ca/server.key" \
	    --require-tls --auth-file "$T/smtp.users" --control "$CONTROL" \
	    >>"$T/smtpd.log" 2>&1 &
	SMTPD_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $SMTPD_PID"
}

# Stop the SMTP server by PID.
smtpd_stop() {
	kill -TERM "$SMTPD_PID"
	wait "$SMTPD_PID" 2>/dev/null || true
}
smtpd_start
wait_for 10 "the SMTP server" port_up "$SMTP_PORT"

write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
retry = { initial_seconds = 1; max_seconds = 2; };
email = {
	smtp = \"smtp://localhost:$SMTP_PORT\";
	starttls = \"required\";
	ca_file = \"$T/ca/ca.pem\";
	from = \"Ville de Toronto 311 <311@example.org>\";
	username = \"closeloop\";
	password_file = \"$T/smtp.secret\";
	sessions = 2;
	timeout_seconds = 5;
};"

# Publish a subscription by email and a closure with a note and a photo:
# $1 SR, $2 address, $3 locale.
sr_closed() {
	closure_to email "$1" "$2" "$3" \
	    photos "https://photos.example.org/$1.jpg"
}

# Succeed when the server has received at least $1 messages.
received() {
	[ "$($MAILBOX count "$MAIL")" -ge "$1" ]
}

# Succeed if the server received exactly one message for each of the
# notifications SR/1/0 given as SR:ADDRESS, to that address and with
# that notification's Message-ID, and nothing else; show the difference.
exactly() {
	for _n in "$@"; do
		echo "<${_n%%:*}.1.0@example.org> ${_n#*:}"
	done | sort > "$T/want"
	$MAILBOX list "$MAIL" | sort > "$T/got"
	diff "$T/want" "$T/got"
}

say "three residents, three languages, over STARTTLS with AUTH"
daemon_start
sr_closed E-1 ana@example.org en
sr_closed E-2 bea@example.org fr
sr_closed E-3 chen@example.org zh-Hans
wait_for 30 "three messages" received 3
$MAILBOX check "$MAIL" || fail "a message is malformed"
$MAILBOX show "$MAIL" bea@example.org
subject=$($MAILBOX field "$MAIL" bea@example.org Subject)
"$CLOSELOOP" -c "$CONF" render --locale fr --channel email sr=E-2 \
    status=closed reason=completed division=TW \
    service="Catch Basin Blocked" note="Basin cleared" \
    photos=https://photos.example.org/E-2.jpg > "$T/render"
grep -qxF "Subject: $subject" "$T/render" ||
    fail "the subject received ($subject) is not the one rendered"
echo "$subject" | grep -q 'é' || fail "the French subject lost its accents"
$MAILBOX field "$MAIL" chen@example.org Subject | grep -q '您' ||
    fail "the Chinese subject did not survive"
$MAILBOX html "$MAIL" ana@example.org | grep -q 'https://photos.example.org/E-1.jpg' ||
    fail "the photo link is not in the HTML part"
assert "Message-ID from the notification id" \
    [ "$($MAILBOX field "$MAIL" ana@example.org Message-ID)" = "<E-1.1.0@example.org>" ]
grep -q '"tls": true' "$MAIL/received.jsonl" || fail "not sent over TLS"
grep -q '"auth": "closeloop"' "$MAIL/received.jsonl" || fail "not authenticated"
for id in E-1/1/0 E-2/1/0 E-3/1/0; do
	wait_for 10 "$id recorded" state_is "$id" sent
done
nfield E-1/1/0 reply | grep -q '^250' || fail "the server's reply was not kept"
if grep -q "s3cret\\|ana@example.org\\|$RESIDENT_KEY" "$DLOG"; then
	fail "a secret or a full address is in the log"
fi

say "each message links to its resident's page, with a token that verifies"
# Print the first link to a resident's page in standard input.
resident_link() {
	tr -d '\r' | grep -o "$RESIDENT_BASE/[^ \"<]*" | sed -n 1p
}
# Print the token of SR $1's page: HMAC-SHA-256 under the key, 32 digits.
resident_token() {
	printf 'closeloop-resident:%s' "$1" |
	    openssl dgst -sha256 -hmac "$RESIDENT_KEY" | sed 's/.*= *//' |
	    cut -c 1-32
}
for n in E-1:ana@example.org E-2:bea@example.org E-3:chen@example.org; do
	sr=${n%%:*}
	link=$($MAILBOX show "$MAIL" "${n#*:}" | resident_link)
	[ -n "$link" ] || fail "no link to the resident's page in $sr's email"
	path=${link#"$RESIDENT_BASE/"}
	assert "$sr's link is for $sr" [ "${path%%/*}" = "$sr" ]
	token=${path#*/}
	assert "$sr's token verifies" [ "$token" = "$(resident_token "$sr")" ]
	assert "the HTML links to the same page" \
	    [ "$($MAILBOX html "$MAIL" "${n#*:}" | resident_link)" = "$link" ]
	"$CLOSELOOP" -c "$CONF" show "$sr/1/0" --text 2>/dev/null |
	    grep -qF "$link" || fail "the kept copy of $sr lost its link"
done
[ "$(resident_token E-1)" != "$(resident_token E-2)" ] ||
    fail "two SRs share a token"

say "451 to RCPT: retried; flaky DATA: the third attempt, same Message-ID"
sr_closed F-1 t451-dan@example.org en
sr_closed F-2 flaky2-eve@example.org en
wait_for 20 "F-1 retried" state_is F-1/1/0 retry
"$CLOSELOOP" -c "$CONF" history F-1 | grep -q 'retried .*451' ||
    fail "the 451 is not in the history"
wait_for 30 "F-2 sent" state_is F-2/1/0 sent
assert "three attempts" [ "$(nfield F-2/1/0 attempts)" = 3 ]
assert "flaky message arrived once" \
    [ "$(grep -c 'flaky2-eve' "$MAIL/received.jsonl")" = 1 ]
assert "same Message-ID after retries" \
    [ "$($MAILBOX field "$MAIL" flaky2-eve@example.org Message-ID)" = "<F-2.1.0@example.org>" ]

say "550: failed for good, dead-lettered"
sr_closed P-1 p550-fay@example.org en
wait_for 20 "P-1 failed" state_is P-1/1/0 failed
"$CLOSELOOP" -c "$CONF" dead list | grep -q 'P-1/1/0 (email to p\*\*\*@example.org): failed: RCPT TO: 550' ||
    fail "the dead letter does not say what failed"
n=$(nfield P-1/1/0 attempts)
sleep 3
assert "550 not retried" [ "$(nfield P-1/1/0 attempts)" = "$n" ]

say "the server answers 421 for a while, then recovers"
before=$($MAILBOX count "$MAIL")
echo 421 > "$CONTROL"
for i in 1 2 3 4 5; do
	sr_closed "D-$i" "d$i@example.org" en
done
wait_for 20 "the first retries" state_is D-5/1/0 retry
"$CLOSELOOP" -c "$CONF" queue
: > "$CONTROL"
wait_for 30 "all five once it is back" received $((before + 5))
sleep 2
SENT="E-1:ana@example.org E-2:bea@example.org E-3:chen@example.org
F-2:flaky2-eve@example.org D-1:d1@example.org D-2:d2@example.org
D-3:d3@example.org D-4:d4@example.org D-5:d5@example.org"
# shellcheck disable=SC2086 # one word a notification
exactly $SENT || fail "not each message once, and nothing else"

say "the server is down for a while (not listening), then back"
before=$($MAILBOX count "$MAIL")
smtpd_stop
for i in 1 2 3; do
	sr_closed "G-$i" "g$i@example.org" en
done
wait_for 20 "the first retries" state_is G-3/1/0 retry
nfield G-3/1/0 last_error | grep -q 'Connection refused' ||
    fail "the error does not say the server refused the connection"
sleep 2
smtpd_start
wait_for 10 "the SMTP server again" port_up "$SMTP_PORT"
wait_for 30 "all three once it is back" received $((before + 3))
sleep 2
SENT="$SENT G-1:g1@example.org G-2:g2@example.org G-3:g3@example.org"
# shellcheck disable=SC2086 # one word a notification
exactly $SENT || fail "not each message once, and nothing else"
$MAILBOX check "$MAIL" >/dev/null || fail "a message is malformed"
daemon_stop

say "closeloopd --dry-run: rendered and recorded apart, not sent"
before=$($MAILBOX count "$MAIL")
$WRAP "$CLOSELOOPD" --dry-run -c "$CONF" >>"$DLOG" 2>&1 &
DAEMON_PID=$!
sr_closed N-1 nina@example.org en
dry_state_is() {
	[ "$(rcli HGET 'closeloop-dryrun:sr:{N-1}:n:1/0' state)" = dry_run ]
}
wait_for 20 "N-1 recorded by the rehearsal" dry_state_is
sleep 1
assert "nothing sent in a dry run" [ "$($MAILBOX count "$MAIL")" = "$before" ]
"$CLOSELOOP" -c "$CONF" --dry-run history N-1 |
    grep -q 'dry_run .*dry run: not sent' ||
    fail "the rehearsal's history does not say it was a dry run"
"$CLOSELOOP" -c "$CONF" history N-1 | grep -q 'nothing recorded' ||
    fail "the rehearsal recorded N-1 among the real records"
daemon_stop
echo "PASS"
