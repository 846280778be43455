#!/bin/sh
# delivery_kill.sh - SIGKILL of closeloopd during a burst of 1,000
# notifications loses none
#
# 1,000 SRs close with one subscriber each, 700 by email (to aiosmtpd) and
# 300 by SMS (through Kannel, to fakesmsc); closeloopd is killed with
# SIGKILL while it delivers them, and started again. Every notification
# arrives once, to its own address or number, at the SMTP server or at
# fakesmsc, and nothing else arrives. A second copy may arrive only if
# the kill fell between the server's acceptance and closeloop's record of
# it; the test reports how many did, and checks each: its notification's
# record says it was sent again, an email carries the original's
# Message-ID, a text the same words, and there is no third. Every
# notification is recorded as sent exactly once.
. "$(dirname "$0")/../harness/lib.sh"
. "$top_srcdir/tests/harness/kannel.sh"

N=${KILL_BURST:-1000}
S=$((N * 3 / 10))	# by SMS; the rest by email
E=$((N - S))
PY=/usr/bin/python3
need "$PY" python3
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    missing "aiosmtpd is not installed (Debian package python3-aiosmtpd)"
MAILBOX="$PY $top_srcdir/tests/harness/mailbox.py"

[ -x "$KANNEL_BEARERBOX" ] || missing "bearerbox is not installed (Debian package kannel)"
[ -x "$KANNEL_FAKESMSC" ] || missing "fakesmsc is not installed (Debian package kannel-extras)"
redis_start
kannel_start "$T/kannel"
EXTRA_PIDS="$EXTRA_PIDS $KANNEL_PIDS"
printf '%s\n' "$KANNEL_PASSWORD" > "$T/kannel.secret"
SMTP_PORT=$(free_port)
MAIL="$T/mail"
mkdir -p "$MAIL"
$PY "$top_srcdir/tests/harness/smtpd.py" --port "$SMTP_PORT" --dir "$MAIL" \
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
texts >/dev/null
$MAILBOX list "$MAIL" > "$T/emails"
: > "$T/resent"
for i in $(seq 0 $((N - 1))); do
	if [ "$(rcli HGET "closeloop:sr:{B-$i}:n:1/0" resent)" = 1 ]; then
		echo "B-$i" >> "$T/resent"
	fi
done
echo "$(wc -l < "$T/resent") records say they were sent again after the kill"
# Each notification arrived once - twice only if its record says it was
# sent again (the kill fell between the acceptance and the record), an
# email then with the original's Message-ID, a text with the same words;
# nothing else arrived.
$PY - "$N" "$S" "$T/emails" "$T/texts" "$T/resent" "$claims" <<'EOF' || fail "not each notification once, or twice only when sent again"
import collections, sys
n, s = int(sys.argv[1]), int(sys.argv[2])
resent = {l.strip() for l in open(sys.argv[5])}
claims = int(sys.argv[6])
got = collections.defaultdict(list)
for line in open(sys.argv[3]):
    msgid, rcpt = line.split()
    got[msgid].append(rcpt)
for line in open(sys.argv[4]):
    sender, to, text = line.rstrip("\n").split(" ", 2)
    got[to].append(text)
bad, copies = [], 0
for i in range(n):
    sr = "B-%d" % i
    if i < s:
        key, want = "+1416555%04d" % i, None
    else:
        key, want = "<%s.1.0@example.org>" % sr, "r%d@example.org" % i
    seen = got.pop(key, [])
    if not seen:
        bad.append("%s: nothing arrived for %s" % (sr, key))
        continue
    if want is not None and set(seen) != {want}:
        bad.append("%s: %s went to %s" % (sr, key, seen))
    if len(set(seen)) > 1:
        bad.append("%s: copies differ: %s" % (sr, seen))
    if len(seen) > 1:
        copies += len(seen) - 1
        if len(seen) > 2 or sr not in resent:
            bad.append("%s: %d copies to %s, record resent=%s" % (
                sr, len(seen), key, sr in resent))
for key, seen in got.items():
    bad.append("unexpected: %d to %s" % (len(seen), key))
print("%d notifications, %d second copies (killed inside the window "
      "between acceptance and record), %d claims in hand at the kill" % (
          n, copies, claims))
if copies > claims:
    bad.append("more copies than claims in hand at the kill")
for b in bad[:20]:
    print("  " + b)
sys.exit(1 if bad else 0)
EOF
sent=$(rcli HGET closeloop:stats decision:sent)
assert "every notification recorded as sent once ($sent)" [ "$sent" = "$N" ]
daemon_stop
echo "PASS"
