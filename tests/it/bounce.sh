#!/bin/sh
# bounce.sh - a bounce that comes back after the city's relay took the
# email, through a real Postfix, reaches the SR's trail
#
# closeloopd sends through a Postfix of the test's own (a private
# configuration, queue and data directory, on a free loopback port),
# whose next hop is the test's SMTP server (tests/harness/smtpd.py). Each
# message's envelope sender names it (email.bounce_address). The next
# hop refuses a p550- recipient after Postfix took the message: Postfix
# writes the bounce (RFC 3464) to the envelope sender, which its
# transport_maps send to a pipe transport running "closeloop bounce
# ${extension}"; the SR's trail shows bounced (hard_bounce, 5.1.1), the
# address is on the suppression list and closeloop report counts the
# message as failed (bounced). A t451- recipient is delayed:
# Postfix's delay warning is recorded as a soft bounce, nothing
# suppressed. An abuse report (ARF) about a delivered message is recorded
# as complained and suppresses its address. A bounce with a forged token,
# sent through Postfix to the pipe, is refused (a dead letter; Postfix
# delivers it, bounces nothing). The same report twice is recorded once;
# a valid token for an unknown notification is a dead letter; mail that
# is no report is dropped; Redis down or a configuration it cannot read
# makes the pipe say "try again" (EX_TEMPFAIL, 75). The test, acting as
# the CRM, reads the bounces and the complaint in the outbound stream,
# once each, as docs/events.md shows them.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
CRM="$PY $top_srcdir/tests/harness/crm.py"
need /usr/sbin/postfix postfix
need /usr/sbin/postconf postfix
need openssl openssl
[ "$(id -u)" = 0 ] || missing "Postfix of the test's own is started as root"
id nobody >/dev/null 2>&1 || missing "no user nobody for the pipe transport"

# The pipe runs as nobody: it reaches its configuration, its key, its
# copy of closeloop and the Redis socket, nothing else of the test's.
chmod 711 "$T"
redis_start --unixsocketperm 777
smtpd_plain
PIPE="$T/pipe"
mkdir "$PIPE"
chmod 755 "$PIPE"
cp "$CLOSELOOP_BIN" "$PIPE/closeloop"
chmod 755 "$PIPE/closeloop"
KEY=b0unce-k3y-41
printf '%s\n' "$KEY" > "$PIPE/bounce.secret"
chown nobody "$PIPE/bounce.secret"
chmod 600 "$PIPE/bounce.secret"
BOUNCE_GROUP="bounce_address = \"bounces+{id}@city.example\";
	bounce_secret_file = \"$PIPE/bounce.secret\";"
cat > "$PIPE/bounce.conf" <<EOC
redis = { url = "unix://$SOCK"; };
email = {
	$BOUNCE_GROUP
};
EOC
chmod 644 "$PIPE/bounce.conf"

say "a Postfix of the test's own, relaying to the test's SMTP server"
PF="$T/postfix"
PF_PORT=$(free_port)
mkdir -p "$PF/etc" "$PF/queue" "$PF/data"
chown postfix "$PF/data"
cat > "$PF/etc/main.cf" <<EOC
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
myhostname = relay.city.example
mydomain = city.example
myorigin = city.example
mydestination =
alias_maps =
alias_database =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_tls_security_level = none
smtp_tls_security_level = none
relayhost = [127.0.0.1]:$SMTP_PORT
recipient_delimiter = +
transport_maps = regexp:$PF/etc/transport
bounce-pipe_destination_recipient_limit = 1
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
delay_warning_time = 2s
EOC
printf '/^bounces\\+.+@city\\.example$/ bounce-pipe:\n' > "$PF/etc/transport"
cat > "$PF/etc/master.cf" <<EOC
127.0.0.1:$PF_PORT inet n - n - - smtpd
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
bounce-pipe unix - n n - - pipe
  flags=DO user=nobody argv=$PIPE/closeloop -c $PIPE/bounce.conf bounce \${extension}
EOC
# Stop Postfix by its own command (its master's PID as a fallback).
postfix_stop() {
	/usr/sbin/postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
	_pid=$(cat "$PF/queue/pid/master.pid" 2>/dev/null | tr -d ' ') || true
	[ -z "$_pid" ] || kill -TERM "$_pid" 2>/dev/null || true
}
trap '_rc=$?; postfix_stop; (exit "$_rc"); cleanup' EXIT
/usr/sbin/postfix -c "$PF/etc" start >/dev/null 2>&1 ||
    fail "postfix -c $PF/etc start: $(cat "$PF/maillog" 2>/dev/null)"
wait_for 20 "Postfix" port_up "$PF_PORT"

write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
email = {
	smtp = \"smtp://127.0.0.1:$PF_PORT\";
	starttls = \"off\";
	from = \"Toronto 311 <311@city.example>\";
	$BOUNCE_GROUP
};"
$CRM create "$SOCK"
daemon_start
wait_for 20 "closeloopd" log_has "reading closeloop:events"

# Print the envelope sender the next hop saw for the mail to $1.
sender_of() {
	$PY - "$MAIL/received.jsonl" "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if sys.argv[2] in r["rcpt_tos"]:
        print(r["mail_from"])
EOF
}
# Succeed when the next hop has a message for $1.
received_for() {
	[ -f "$MAIL/received.jsonl" ] && [ -n "$(sender_of "$1")" ]
}
# Print the notification id of the sent entry of SR $1.
sent_id() {
	history_json "$1"
	hfield_taken notification sent | head -n 1
}
# Print field $2 of SR $1's first entry with decision $3.
entry_field() {
	history_json "$1"
	hfield_taken "$2" "$3" | head -n 1
}
# Run the pipe's command as Postfix does, as nobody, the message on
# stdin; $1 the operand. Sets PIPE_RC.
pipe_run() {
	PIPE_RC=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$PIPE/closeloop" -c "${PIPE_CONF:-$PIPE/bounce.conf}" bounce "$@" \
	    >> "$T/pipe.out" 2>&1 || PIPE_RC=$?
}
# Print the token of notification $1, as verp.h says, with openssl.
token_of() {
	printf 'closeloop-bounce:%s' "$1" |
	    openssl dgst -sha256 -hmac "$KEY" -r | cut -c1-20
}

say "a message accepted by Postfix and refused by the next hop bounces"
closure_now email HB-1 p550-gone@example.com
wait_for 30 "the sent entry of HB-1" has_decision HB-1 sent
HB_ID=$(sent_id HB-1)
[ -n "$HB_ID" ] || fail "HB-1's sent entry names no notification"
wait_for 60 "the bounce in HB-1's trail" has_decision HB-1 bounced
assert "a hard bounce" [ "$(entry_field HB-1 rule bounced)" = hard_bounce ]
assert "its status 5.1.1" [ "$(entry_field HB-1 dsn_status bounced)" = 5.1.1 ]
entry_field HB-1 diagnostic bounced > "$T/diag"
grep -q "No such user here" "$T/diag" || fail "diagnostic: $(cat "$T/diag")"
grep -q "p550-gone@example.com" "$T/diag" &&
    fail "the diagnostic names the address in full: $(cat "$T/diag")"
assert "the record is bounced" state_is "$HB_ID" bounced
assert "the record says hard" [ "$(nfield "$HB_ID" bounce)" = hard ]
"$CLOSELOOP" -c "$CONF" suppressed list > "$T/suppressed" ||
    fail "closeloop suppressed list failed"
grep -q "hard_bounce, SR HB-1, $HB_ID" "$T/suppressed" ||
    fail "the address is not suppressed: $(cat "$T/suppressed")"
grep -q "status=sent (delivered via bounce-pipe service" "$PF/maillog" ||
    fail "Postfix did not deliver the bounce to the pipe"
"$CLOSELOOP" -c "$CONF" report --since 30d --division TW > "$T/report" ||
    fail "closeloop report failed"
grep -q "messages that failed  *1  (bounced 1)" "$T/report" ||
    fail "the report does not count the bounce: $(cat "$T/report")"

say "the same report again is recorded once"
hb_verp=$(printf 'bounces+%s.%s' "$(printf '%s' "$HB_ID" | tr / .)" \
    "$(token_of "$HB_ID")")
cat > "$T/hard.eml" <<EOF
From: MAILER-DAEMON@relay.city.example
To: $hb_verp@city.example
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.city.example

Final-Recipient: rfc822; p550-gone@example.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 No such user here

--b--
EOF
pipe_run "${hb_verp#bounces+}" < "$T/hard.eml"
assert "the pipe exits 0" [ "$PIPE_RC" = 0 ]
count_decision HB-1 bounced
assert "one bounced entry" [ "$NDECISIONS" = 1 ]
grep -q "recorded before" "$T/pipe.out" || fail "pipe: $(cat "$T/pipe.out")"

say "a delayed message: a soft bounce, nothing suppressed"
closure_now email SB-1 t451-slow@example.com
wait_for 30 "the sent entry of SB-1" has_decision SB-1 sent
SB_ID=$(sent_id SB-1)
wait_for 60 "the delay warning in SB-1's trail" has_decision SB-1 bounced
assert "a soft bounce" [ "$(entry_field SB-1 rule bounced)" = soft_bounce ]
case $(entry_field SB-1 dsn_status bounced) in
4.*) ;;
*) fail "SB-1's status: $(entry_field SB-1 dsn_status bounced)" ;;
esac
assert "the record is still sent" state_is "$SB_ID" sent
assert "the record says soft" [ "$(nfield "$SB_ID" bounce)" = soft ]
"$CLOSELOOP" -c "$CONF" suppressed list > "$T/suppressed"
grep -q "SR SB-1" "$T/suppressed" &&
    fail "a soft bounce suppressed the address: $(cat "$T/suppressed")"

say "an abuse report about a delivered message: complained, suppressed"
closure_now email AR-1 reader@example.com
wait_for 30 "the message to reader@" received_for reader@example.com
AR_ID=$(sent_id AR-1)
AR_FROM=$(sender_of reader@example.com)
case $AR_FROM in
bounces+*@city.example) ;;
*) fail "the envelope sender names no message: $AR_FROM" ;;
esac
cat > "$T/arf.eml" <<EOF
From: <fbl@mailbox.example>
To: <fbl@city.example>
Subject: FW: abuse report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
	boundary="arf"

--arf
Content-Type: text/plain

This is an email abuse report.

--arf
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: TestFBL/1.0
Version: 1
Original-Mail-From: <$AR_FROM>
Original-Rcpt-To: <reader@example.com>

--arf
Content-Type: text/rfc822-headers

From: Toronto 311 <311@city.example>
To: reader@example.com

--arf--
EOF
# As it reaches a feedback loop's address: no extension of ours.
pipe_run "" < "$T/arf.eml"
assert "the pipe exits 0" [ "$PIPE_RC" = 0 ]
wait_for 5 "the complaint in AR-1's trail" has_decision AR-1 complained
assert "the feedback type" \
    [ "$(entry_field AR-1 feedback_type complained)" = abuse ]
assert "the record says when" [ -n "$(nfield "$AR_ID" complained_at)" ]
"$CLOSELOOP" -c "$CONF" suppressed list > "$T/suppressed"
grep -q "complaint, SR AR-1, $AR_ID" "$T/suppressed" ||
    fail "the complaint did not suppress: $(cat "$T/suppressed")"

"$CLOSELOOP" -c "$CONF" report --since 30d --division TW --json \
    > "$T/report.json" || fail "closeloop report --json failed"
$PY - "$T/report.json" <<'EOF' || fail "the JSON report's bounces and complaints"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][0]
assert (r["failed"], r["failed_bounced"], r["complaints"]) == (1, 1, 1), r
EOF
"$CLOSELOOP" -c "$CONF" report --since 30d --list complained > "$T/list" ||
    fail "closeloop report --list complained failed"
grep -q "AR-1  *TW  *complained" "$T/list" || fail "AR-1 not listed: $(cat "$T/list")"

say "a forged token, through Postfix, is refused and bounces nothing"
forged=$(printf '%s' "$AR_ID" | tr / .).0123456789abcdef0123
# From a sender of its own: a refusal would bounce back to it.
$PY - "$PF_PORT" "bounces+$forged@city.example" "$T/hard.eml" <<'EOF' ||
import smtplib, sys
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.sendmail("forger@example.net", [sys.argv[2]],
               open(sys.argv[3], "rb").read())
EOF
    fail "Postfix did not take the forged bounce"
wait_for 30 "the forged bounce in the dead letters" \
    sh -c "\"$CLOSELOOP\" -c \"$CONF\" dead list | grep -q 'forged'"
count_decision AR-1 bounced
assert "no bounce recorded for AR-1" [ "$NDECISIONS" = 0 ]
assert "AR-1's record is not bounced" [ -z "$(nfield "$AR_ID" bounce)" ]
wait_for 10 "Postfix to log the delivery" \
    grep -q "bounces+$forged.*status=" "$PF/maillog"
# Delivered (the pipe exited 0): nothing goes back to the forger.
grep "bounces+$forged" "$PF/maillog" | grep -q "status=sent" ||
    fail "Postfix did not count the forged report delivered"
"$CLOSELOOP" -c "$CONF" dead retry "$(rcli XREVRANGE closeloop:dead + - \
    COUNT 1 | head -n 1)" > "$T/retry.out" 2>&1 &&
    fail "a report was retried: $(cat "$T/retry.out")"
grep -q "not sent again" "$T/retry.out" || fail "retry: $(cat "$T/retry.out")"

say "an unknown notification with a valid token is a dead letter"
before=$(rcli XLEN closeloop:dead)
pipe_run "NOPE-1.1.0.$(token_of NOPE-1/1/0)" < "$T/hard.eml"
assert "the pipe exits 0" [ "$PIPE_RC" = 0 ]
assert "one more dead letter" [ "$(rcli XLEN closeloop:dead)" = $((before + 1)) ]
"$CLOSELOOP" -c "$CONF" dead list | grep -q "no such email notification" ||
    fail "the dead letter does not say why"

say "mail that is no report is dropped, not kept"
printf 'From: resident@example.com\nSubject: Out of office\n\nAway.\n' \
    > "$T/ooo.eml"
pipe_run "${hb_verp#bounces+}" < "$T/ooo.eml"
assert "the pipe exits 0" [ "$PIPE_RC" = 0 ]
assert "no more dead letters" [ "$(rcli XLEN closeloop:dead)" = $((before + 1)) ]

say "Redis down, or a configuration it cannot read: try again later (75)"
sed "s|unix://$SOCK|unix://$T/nowhere.sock|" "$PIPE/bounce.conf" > "$PIPE/down.conf"
chmod 644 "$PIPE/down.conf"
PIPE_CONF="$PIPE/down.conf" pipe_run "${hb_verp#bounces+}" < "$T/hard.eml"
assert "EX_TEMPFAIL when Redis is down" [ "$PIPE_RC" = 75 ]
PIPE_CONF="$PIPE/nonexistent.conf" pipe_run "${hb_verp#bounces+}" < "$T/hard.eml"
assert "EX_TEMPFAIL without a configuration" [ "$PIPE_RC" = 75 ]
pipe_run one two < "$T/hard.eml"
assert "EX_TEMPFAIL for a wrong command line" [ "$PIPE_RC" = 75 ]

say "the CRM reads the bounces and the complaint, once each"
$CRM read "$SOCK" > "$T/crm.jsonl" || fail "an entry names a field twice"
closeloop_wrote "$T/crm.jsonl"
grep '"type": "\(bounced\|complained\)"' "$T/crm.jsonl"
$PY - "$T/crm.jsonl" "$HB_ID" "$SB_ID" "$AR_ID" <<'EOF' ||
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
hb, sb, ar = sys.argv[2:5]
def of(t):
    return {e["notification"]: e for e in es if e["type"] == t}
b, c = of("bounced"), of("complained")
assert len([e for e in es if e["type"] == "bounced"]) == len(b) == 2, b
assert b[hb]["rule"] == "hard_bounce" and b[hb]["dsn_status"] == "5.1.1", b
assert b[hb]["to"].startswith("p***@") and "diagnostic" in b[hb], b
assert b[sb]["rule"] == "soft_bounce" and \
    b[sb]["dsn_status"].startswith("4."), b
assert list(c) == [ar] and c[ar]["feedback_type"] == "abuse", c
assert c[ar]["to"] == "r***@example.com", c
EOF
    fail "the CRM was not told of the bounces as the contract says"
$CRM check "$top_srcdir/docs/events.md" "$T/crm.jsonl" bounced complained ||
    fail "docs/events.md's examples are not what closeloopd writes"

say "a report before the message is recorded as sent waits for it, or comes back later"
# A server can relay, have the message refused and pipe the bounce back
# before the worker has heard the 250 and written it down; the record
# says "sending" until then.
sb_verp=$(printf 'bounces+%s.%s' "$(printf '%s' "$SB_ID" | tr / .)" \
    "$(token_of "$SB_ID")")
sed -e "s/$hb_verp/$sb_verp/" -e "s/p550-gone@/t451-slow@/" "$T/hard.eml" \
    > "$T/early.eml"
_sr=${SB_ID%%/*}
SB_KEY="closeloop:sr:{$_sr}:n:${SB_ID#*/}"
rcli HSET "$SB_KEY" state sending > /dev/null
(sleep 1; rcli HSET "$SB_KEY" state sent > /dev/null) &
_later=$!
t0=$(date +%s%N)
pipe_run "${sb_verp#bounces+}" < "$T/early.eml"
t1=$(date +%s%N)
wait "$_later"
assert "the pipe exits 0" [ "$PIPE_RC" = 0 ]
assert "it waited for the record" [ $(( (t1 - t0) / 1000000 )) -ge 900 ]
assert "the record is bounced, not overwritten" state_is "$SB_ID" bounced
assert "the record says hard" [ "$(nfield "$SB_ID" bounce)" = hard ]
rcli HSET "$SB_KEY" state sending bounce soft > /dev/null
pipe_run "${sb_verp#bounces+}" < "$T/early.eml"
assert "EX_TEMPFAIL while the message is still not recorded" [ "$PIPE_RC" = 75 ]
grep -q "not yet recorded as sent" "$T/pipe.out" ||
    fail "pipe: $(tail -n 3 "$T/pipe.out")"
assert "nothing written" [ "$(nfield "$SB_ID" bounce)" = soft ]

daemon_stop
echo "PASS"
