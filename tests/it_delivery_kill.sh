#!/bin/sh
# it_delivery_kill.sh - SIGKILL of closeloopd during a burst of 1,000
# notifications loses none
#
# 1,000 SRs close with one subscriber each, 700 by email (to aiosmtpd) and
# 300 by SMS (through Kannel, to fakesmsc); closeloopd is killed with
# SIGKILL while it delivers them, and started again. Every notification
# arrives, counted at the SMTP server and at fakesmsc. A message may
# arrive twice only if the kill fell between the server's acceptance and
# closeloop's record of it; the test reports how many did, and checks
# that each such copy is of a notification whose record says it was sent
# again (an email then carries the original's Message-ID).
. "$(dirname "$0")/lib.sh"
. "$top_srcdir/tests/kannel.sh"

N=${KILL_BURST:-1000}
S=$((N * 3 / 10))	# by SMS; the rest by email
E=$((N - S))
PY=/usr/bin/python3
need "$PY" python3
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    missing "aiosmtpd is not installed (Debian package python3-aiosmtpd)"
MAILBOX="$PY $top_srcdir/tests/mailbox.py"

[ -x "$KANNEL_BEARERBOX" ] || missing "bearerbox is not installed (Debian package kannel)"
[ -x "$KANNEL_FAKESMSC" ] || missing "fakesmsc is not installed (Debian package kannel-extras)"
redis_start
kannel_start "$T/kannel"
EXTRA_PIDS="$EXTRA_PIDS $KANNEL_PIDS"
printf '%s\n' "$KANNEL_PASSWORD" > "$T/kannel.secret"
SMTP_PORT=$(free_port)
MAIL="$T/mail"
mkdir -p "$MAIL"
$PY "$top_srcdir/tests/smtpd.py" --port "$SMTP_PORT" --dir "$MAIL" \
    >"$T/smtpd.log" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"

write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
email = {
	smtp = \"smtp://127.0.0.1:$SMTP_PORT\";
	starttls = \"off\";
	from = \"311 <311@example.org>\";
	sessions = 4;
	messages_per_session = 20;
};
sms = {
	gateway = \"kannel\";
	url = \"$KANNEL_URL\";
	username = \"$KANNEL_USER\";
	password_file = \"$T/kannel.secret\";
	allow_http_loopback = true;
	from = \"+14165550311\";
	max_per_second = 100;
	connections = 16;
};"

# Two events per SR: a subscription and a closure.
awk -v n="$N" -v s="$S" 'BEGIN {
	for (i = 0; i < n; i++) {
		if (i < s)
			printf "XADD closeloop:events * v 1 type subscribe event_id s%d sr B-%d ts 2026-11-20T09:00:00Z phone +1416555%04d channels sms\n", i, i, i
		else
			printf "XADD closeloop:events * v 1 type subscribe event_id s%d sr B-%d ts 2026-11-20T09:00:00Z email r%d@example.org channels email\n", i, i, i
		printf "XADD closeloop:events * v 1 type status event_id c%d sr B-%d ts 2026-11-20T10:00:00Z division TW status closed reason completed\n", i, i
	}
}' | rcli >/dev/null

# Succeed when the server has received at least $1 messages.
received() {
	[ "$($MAILBOX count "$MAIL")" -ge "$1" ]
}

# Print how many texts fakesmsc received, and to how many numbers.
texts() {
	kannel_received > "$T/texts"
	wc -l < "$T/texts"
}
phones() {
	awk '{ print $2 }' "$T/texts" | sort -u | wc -l
}

# Succeed when every email and every text arrived at least once.
all_arrived() {
	[ "$($MAILBOX unique "$MAIL")" = "$E" ] && texts >/dev/null &&
	    [ "$(phones)" = "$S" ]
}

daemon_start
wait_for 120 "the first messages" received $((E / 5))
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
at_kill=$($MAILBOX count "$MAIL")
sms_at_kill=$(texts)
claims=$(rcli ZCARD closeloop:outbox:sending)
echo "killed after $at_kill emails and $sms_at_kill texts, with $claims claims in hand"
assert "killed before the end" [ $((at_kill + sms_at_kill)) -lt "$N" ]

daemon_start
wait_for 300 "all $E emails and $S texts" all_arrived
sleep 2
total=$(( $($MAILBOX count "$MAIL") + $(texts) ))
twice=$((total - N))
echo "$N notifications ($E email, $S SMS), $total messages received, $twice twice (killed inside the window between acceptance and record)"
resent=0
for i in $(seq 0 $((N - 1))); do
	if [ "$(rcli HGET "closeloop:sr:{B-$i}:n:1/0" resent)" = 1 ]; then
		resent=$((resent + 1))
	fi
done
echo "$resent records say they were sent again after the kill"
assert "every copy is a resend with the same Message-ID" [ "$twice" -le "$resent" ]
assert "no more copies than claims in hand at the kill" [ "$twice" -le "$claims" ]
sent=$(rcli HGET closeloop:stats decision:sent)
assert "every notification recorded as sent ($sent)" [ "$sent" -ge "$N" ]
daemon_stop
echo "PASS"
