#!/bin/sh
# demo.sh - closeloop's main job on embedded defaults, with a scripted story
#
# Starts a private redis-server on a unix socket in a temporary directory
# and closeloopd against it (with short windows: closures held 3 s,
# bursts coalesced over 1 s), plays the CRM's events for a few service
# requests - a misleading "completed" closure that is really a transfer,
# a closure that is only "scheduled", a duplicate linked to its original,
# a repeated event, a malformed one and an SMS in quiet hours - and a
# resident asked whether the pothole was fixed, who answers "NO - the
# pothole is still there" from her phone; then
# shows what closeloopd decided and why (closeloop history), the email
# the residents received at a loopback SMTP server (tests/harness/smtpd.py, on
# aiosmtpd) and the SMS they received through the real Kannel gateway
# (fakesmsc playing the phone network), the dead-letter stream, the
# counters, /metrics and /healthz, and ends with one resident's timeline
# and the divisions' report. Everything it started is stopped by PID at
# the end.
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
CLOSELOOPD="$top_builddir/closeloopd"
CLOSELOOP="$top_builddir/closeloop"
T=$(mktemp -d /tmp/closeloop-demo.XXXXXX)
SOCK="$T/redis.sock"
CONF="$T/closeloopd.conf"
PY=/usr/bin/python3
REDIS_PID=
DAEMON_PID=
SMTPD_PID=
WEB_PID=

# Say what is missing and give up.
missing() {
	echo "demo: $*"
	exit 1
}
. "$top_srcdir/tests/harness/kannel.sh"

# Stop what the demo started and remove its directory.
cleanup() {
	[ -z "$DAEMON_PID" ] || kill -TERM "$DAEMON_PID" 2>/dev/null || true
	[ -z "$DAEMON_PID" ] || wait "$DAEMON_PID" 2>/dev/null || true
	[ -z "$WEB_PID" ] || kill -TERM "$WEB_PID" 2>/dev/null || true
	[ -z "$WEB_PID" ] || wait "$WEB_PID" 2>/dev/null || true
	[ -z "$SMTPD_PID" ] || kill -TERM "$SMTPD_PID" 2>/dev/null || true
	[ -z "$SMTPD_PID" ] || wait "$SMTPD_PID" 2>/dev/null || true
	kannel_stop >/dev/null 2>&1 || true
	[ -z "$REDIS_PID" ] || kill -TERM "$REDIS_PID" 2>/dev/null || true
	[ -z "$REDIS_PID" ] || wait "$REDIS_PID" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Print a heading.
step() {
	printf '\n== %s\n' "$*"
}

# Publish one event as the CRM would, and say what it was.
crm() {
	printf '  CRM: %s\n' "$*"
	"$CLOSELOOP" -c "$CONF" emit "$@" >/dev/null
}

rcli() {
	redis-cli -s "$SOCK" "$@"
}

step "Starting a private Redis on $SOCK"
redis-server --port 0 --unixsocket "$SOCK" --save "" --appendonly no \
    --dir "$T" --logfile "$T/redis.log" &
REDIS_PID=$!
i=0
until [ "$(rcli PING 2>/dev/null)" = PONG ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "redis-server did not start"; exit 1; }
	sleep 0.05
done

step "Starting an SMTP server and the Kannel SMS gateway on loopback"
SMTP_PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$T/mail"
$PY "$top_srcdir/tests/harness/smtpd.py" --port "$SMTP_PORT" --dir "$T/mail" \
    > "$T/smtpd.log" 2>&1 &
SMTPD_PID=$!
HTTP_PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/inbound.secret"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/answer.secret"
chmod 600 "$T/inbound.secret" "$T/answer.secret"
# Kannel passes the residents' texts to closeloopd's /inbound
# (docs/operations.md, "By text message").
KANNEL_EXTRA_CONF=$(awk '/^group = sms-service$/ { on = 1 }
    on && /^```$/ { exit } on { print }' "$top_srcdir/docs/operations.md" |
    sed "s/127\.0\.0\.1:9311/127.0.0.1:$HTTP_PORT/; s/INBOUND_SECRET/$(cat "$T/inbound.secret")/")
kannel_start "$T/kannel"
printf '%s\n' "$KANNEL_PASSWORD" > "$T/sms.secret"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/dlr.secret"
chmod 600 "$T/sms.secret" "$T/dlr.secret"
WEB_PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/resident.secret"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/lookup.secret"
chmod 600 "$T/resident.secret" "$T/lookup.secret"
echo "  SMTP on 127.0.0.1:$SMTP_PORT; Kannel's sendsms at $KANNEL_URL"

cat > "$CONF" <<EOC
# The demo's configuration: every other setting keeps its default.
redis = { url = "unix://$SOCK"; consumer = "demo"; };
# Short windows for the demo; in production 900 s and 60 s.
policy = { settle_seconds = 3; coalesce_seconds = 1; };
templates = {
	dir = "$top_srcdir/templates";
	photo_hosts = [ "photos.toronto.example" ];
	status_url = "https://www.toronto.ca/311/sr/{sr}";
	unsubscribe_url = "https://www.toronto.ca/311/stop/{sr}";
	# Each message links to the resident's own page on the console.
	resident_url = "https://311.toronto.example/r/{sr}/{token}";
	resident_secret_file = "$T/resident.secret";
	city = { en = "City of Toronto"; fr = "Ville de Toronto"; zh-Hans = "多伦多市政府"; };
};
# Loopback servers for the demo: no TLS. In production STARTTLS is required.
email = {
	smtp = "smtp://127.0.0.1:$SMTP_PORT";
	starttls = "off";
	from = "City of Toronto 311 <311-updates@toronto.example>";
};
sms = {
	gateway = "kannel";
	url = "$KANNEL_URL";
	allow_http_loopback = true;
	username = "$KANNEL_USER";
	password_file = "$T/sms.secret";
	from = "+14165550311";
	# Kannel reports each message's delivery here, to closeloopd's listener.
	dlr_url = "http://127.0.0.1:$HTTP_PORT/receipt";
	dlr_secret_file = "$T/dlr.secret";
	# Residents' texts (STOP, and their answers) come to /inbound.
	inbound_secret_file = "$T/inbound.secret";
};
# "Is it fixed?": residents told "completed" are asked, 3 seconds later
# for the demo (3 days in production); the email's links point to
# closeloopd's /answer behind the city's proxy.
feedback = {
	ask_after = "3s";
	answer_url = "https://www.toronto.ca/311/answer";
	answer_secret_file = "$T/answer.secret";
};
http = { listen = "127.0.0.1:$HTTP_PORT"; };
# Every decision, also as JSON Lines, for records retention; the keyed
# look-up of a resident's SRs by contact.
audit = { file = "$T/audit.jsonl"; lookup_secret_file = "$T/lookup.secret"; };
# The console, on plain loopback for the demo (in production behind the
# city's TLS proxy, with Secure cookies).
web = {
	listen = "127.0.0.1:$WEB_PORT";
	pages_dir = "$top_srcdir/src/web/pages";
	cookie_secure = false;
};
divisions = {
	TS = { name = { en = "Transportation Services"; fr = "Services des transports"; }; };
	TW = {
		name = { en = "Toronto Water"; fr = "Eau de Toronto"; };
		status_map = ( { code = "WO-COMP"; status = "closed"; reason = "completed"; } );
	};
};
EOC
step "Checking the configuration"
"$CLOSELOOPD" --check-config -c "$CONF"

step "The CRM's reader of the outbound stream: its consumer group"
$PY "$top_srcdir/tests/harness/crm.py" create "$SOCK"
echo "  XGROUP CREATE closeloop:outbound crm 0 MKSTREAM (docs/events.md)"

step "Starting closeloopd (log: $T/closeloopd.log)"
"$CLOSELOOPD" -c "$CONF" 2> "$T/closeloopd.log" &
DAEMON_PID=$!

step "The CRM's story for two service requests"
echo " SR 2026-000101: a pothole on Queen St W, reported by a resident who"
echo " wants updates by email and SMS in French"
crm type=subscribe sr=2026-000101 email=maria.santos@example.org phone=+14165550142 channels=email,sms locale=fr-CA event_id=crm-1
crm type=status sr=2026-000101 division=TS status=received service="Road Pothole / Road Damage" ward=10 event_id=crm-2
sleep 1.5
echo " Transportation Services closes its work order as completed - but it"
echo " has only handed the SR to Toronto Water, which assigns a crew:"
crm type=status sr=2026-000101 division=TS status=closed reason=completed event_id=crm-3
sleep 1
crm type=status sr=2026-000101 division=TW status=assigned work_order=WO-2026-00412 event_id=crm-4
sleep 1.5
echo " Toronto Water schedules the work, then finishes it:"
crm type=status sr=2026-000101 division=TW status=scheduled work_order=WO-2026-00412 scheduled_for=2026-03-05 event_id=crm-5
sleep 1.5
crm type=status sr=2026-000101 division=TW status=WO-COMP work_order=WO-2026-00412 note="We filled the pothole and sealed the edges." photos=https://photos.toronto.example/sr/2026-000101/after.jpg event_id=crm-6
echo " SR 2026-000099: a neighbour reported a blocked catch basin on Dundas St E"
crm type=status sr=2026-000099 division=TW status=received service="Catch Basin - Blocked / Flooding" ward=13 event_id=crm-0
echo " SR 2026-000102: the same catch basin, reported again by another resident"
crm type=subscribe sr=2026-000102 email=j.chen@example.net locale=zh-Hans event_id=crm-7
crm type=status sr=2026-000102 division=TW status=closed reason=scheduled scheduled_for=2026-03-09 event_id=crm-8
sleep 1.5
crm type=status sr=2026-000102 division=TW status=closed reason=duplicate duplicate_of=2026-000099 event_id=crm-9
echo " Toronto Water clears the basin: the original SR is completed, and the"
echo " resident of the duplicate hears about it"
sleep 4	# after the duplicate's closure has settled and linked the two
crm type=status sr=2026-000099 division=TW status=closed reason=completed note="Basin cleared; the street drains again." event_id=crm-11
echo " The CRM sends one event twice, and one with a broken timestamp"
crm type=status sr=2026-000102 division=TW status=closed reason=duplicate duplicate_of=2026-000099 event_id=crm-9
printf '  CRM: type=status sr=2026-000102 ts=2026-02-30T25:00:00Z (sent with --force)\n'
"$CLOSELOOP" -c "$CONF" emit --force type=status sr=2026-000102 division=TW status=received ts=2026-02-30T25:00:00Z event_id=crm-10 >/dev/null

echo " (waiting for the held closures to settle)"
i=0
until [ "$(rcli XINFO GROUPS closeloop:events | awk 'p == "lag" { print; exit } { p = $0 }')" = 0 ] &&
    [ "$(rcli XPENDING closeloop:events closeloopd | head -n 1)" = 0 ] &&
    [ "$(rcli ZCARD closeloop:due)" = 0 ] &&
    [ "$(rcli ZCARD closeloop:outbox:email)" = 0 ] &&
    [ "$(rcli ZCARD closeloop:outbox:sms)" = 0 ] &&
    [ "$(rcli ZCARD closeloop:outbox:sending)" = 0 ]; do
	i=$((i + 1)); [ $i -lt 400 ] || { echo "closeloopd did not catch up"; exit 1; }
	sleep 0.05
done

step "What closeloopd decided (its log; contacts are masked)"
sed 's/^<[0-9]>/  /' "$T/closeloopd.log"

echo " (waiting for Kannel's delivery reports)"
i=0
until [ "$("$CLOSELOOP" -c "$CONF" history --json --since 1h --decision delivered | wc -l)" -ge \
    "$("$CLOSELOOP" -c "$CONF" history --json --since 1h --decision sent | grep -c '"channel":"sms"')" ]; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "no delivery reports from Kannel"; exit 1; }
	sleep 0.05
done

step "Checking the outcome through closeloop history --json"
"$CLOSELOOP" -c "$CONF" history --json 2026-000101 > "$T/101.jsonl"
$PY - "$T/101.jsonl" <<'EOF_PY'
import json, sys
ds = [json.loads(l) for l in open(sys.argv[1])]
told = [d["notice"] for d in ds if d["decision"] == "sent"]
held = [d for d in ds if d["decision"] == "suppressed"
        and d.get("rule") == "implicit_transfer"]
assert held, "the misleading closure was not suppressed"
assert "completed" in told and told.index("transferred") < told.index("completed"), told
assert all(d["decision"] != "sent" or d.get("content_sha256") for d in ds)
sms = [d for d in ds if d["decision"] == "sent" and d["channel"] == "sms"]
delivered = [d for d in ds if d["decision"] == "delivered"]
assert sms and len(delivered) == len(sms), (sms, delivered)
print("  ok: the closure by TS was held back (implicit_transfer); the resident")
print("  was told %s, every SMS confirmed on the phone" % " -> ".join(dict.fromkeys(told)))
EOF_PY

step "Did we fix it? The resident is asked, and answers by SMS"
echo " Three seconds after \"completed\" reached her (3 days in production),"
echo " the resident of 2026-000101 is asked, by the channel it went by first:"
i=0
until "$CLOSELOOP" -c "$CONF" history 2026-000101 | grep -q '^.*  sent  *feedback'; do
	i=$((i + 1)); [ $i -lt 400 ] || { echo "the question was not sent"; exit 1; }
	sleep 0.05
done
"$CLOSELOOP" -c "$CONF" history 2026-000101 | grep -A1 ' feedback ' |
    grep -v 'entries; times' | sed 's/^/   /'
echo " She answers from her phone, through Kannel: \"NO — the pothole is still there\""
kannel_send +14165550142 311 "NO — the pothole is still there"
i=0
until kannel_received | grep -F "311 +14165550142 " | grep -q "Nous avons"; do
	i=$((i + 1)); [ $i -lt 400 ] || { echo "no thanks for the answer"; exit 1; }
	sleep 0.05
done
echo " and is thanked in her language:"
kannel_received | grep -F "311 +14165550142 " | tail -n 1 | sed 's/^/   /'
"$CLOSELOOP" -c "$CONF" history 2026-000101 | grep -A1 ' answered ' | sed 's/^/   /'
echo " The answer is recorded in the SR's trail and counted for Toronto Water."
echo " The CRM, reading closeloop:outbound, gets the answer and a reopen"
echo " request with her comment, in the transaction that recorded them:"
$PY "$top_srcdir/tests/harness/crm.py" read "$SOCK" > "$T/crm.jsonl"
$PY - "$T/crm.jsonl" <<'EOF_PY'
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
r = [e for e in es if e["type"] == "reopen_requested"
     and e["sr"] == "2026-000101"]
assert len(r) == 1, "no reopen request for 2026-000101"
assert r[0]["answer"] == "not_fixed", r
assert r[0]["comment"] == "the pothole is still there", r
for e in es:
    if e["sr"] == "2026-000101" and e["type"] in ("asked", "answered",
                                                  "reopen_requested"):
        print("   " + json.dumps({k: v for k, v in e.items() if k != "id"},
                                  ensure_ascii=False))
print("  ok: %d entries read by the CRM, %d of them about 2026-000101"
      % (len(es), len([e for e in es if e["sr"] == "2026-000101"])))
EOF_PY

step "The duplicate's resident, told about the original (closeloop history)"
for sr in 2026-000102 2026-000099; do
	echo " $sr:"
	"$CLOSELOOP" -c "$CONF" history "$sr" | sed 's/^/   /'
done

step "The outbox (closeloop queue)"
"$CLOSELOOP" -c "$CONF" queue | sed 's/^/   /'

step "The SMS the residents received, through Kannel (at fakesmsc)"
kannel_received | sed 's/^/   /'

step "The email they received, at the SMTP server"
$PY "$top_srcdir/tests/harness/mailbox.py" check "$T/mail" | sed 's/^/   /'
echo " The last one to maria.santos@example.org, as her mail client shows it:"
$PY "$top_srcdir/tests/harness/mailbox.py" show "$T/mail" maria.santos@example.org |
    sed 's/^/   | /'
echo " The last one to j.chen@example.net (Simplified Chinese):"
$PY "$top_srcdir/tests/harness/mailbox.py" show "$T/mail" j.chen@example.net |
    sed 's/^/   | /'

step "What was rejected (closeloop:dead)"
rcli --raw XRANGE closeloop:dead - + | awk 'p == "error" { print "   " $0 } { p = $0 }'

step "Counters"
rcli HGETALL closeloop:stats | paste - - | sed 's/^/   /'
printf '   pending: %s\n' "$(rcli XPENDING closeloop:events closeloopd | head -n 1)"

step "Quiet hours: an SMS at night waits for the morning"
# A quiet window around the present hour in Toronto, set by SIGHUP.
h=$(TZ=America/Toronto date +%H | sed 's/^0//')
qs=$(printf '%02d:00' $(( (h + 23) % 24 )))
qe=$(printf '%02d:00' $(( (h + 2) % 24 )))
sed "s/^sms = {/sms = {\n\tquiet_hours = \"$qs-$qe\";/" "$CONF" > "$CONF.new"
mv "$CONF.new" "$CONF"
echo "  sms.quiet_hours = \"$qs-$qe\" (it is $(TZ=America/Toronto date +%H:%M) in Toronto); kill -HUP closeloopd"
kill -HUP "$DAEMON_PID"
i=0
until grep -q "configuration reloaded" "$T/closeloopd.log"; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "closeloopd did not reload"; exit 1; }
	sleep 0.05
done
crm type=subscribe sr=2026-000104 phone=+14165550199 channels=sms locale=en event_id=crm-12
crm type=status sr=2026-000104 division=TS status=scheduled scheduled_for=2026-03-12 service="Sidewalk Snow Clearing" ward=4 event_id=crm-13
i=0
until "$CLOSELOOP" -c "$CONF" history 2026-000104 | grep -q deferred; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "the SMS was not deferred"; exit 1; }
	sleep 0.05
done
"$CLOSELOOP" -c "$CONF" history 2026-000104 | sed 's/^/   /'
echo "  It waits in the outbox until $qe (closeloop queue):"
"$CLOSELOOP" -c "$CONF" queue | sed 's/^/   /'

step "For operations: /metrics (an excerpt) and /healthz"
curl -s "http://127.0.0.1:$HTTP_PORT/metrics" |
    grep -E '^closeloop_(events_total|notifications_total\{.*outcome="(sent|delivered|deferred)"|decisions_total\{kind="suppressed"|outbox_(ready|scheduled)|consumer_lag|dead_letters|send_seconds_count)' |
    grep -v ' 0$' | sed 's/^/   /'
printf '   /healthz: %s\n' "$(curl -s "http://127.0.0.1:$HTTP_PORT/healthz")"

step "Stopping closeloopd with SIGTERM"
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
tail -n 1 "$T/closeloopd.log" | sed 's/^<[0-9]>/  /'
echo "  closeloopd exited with status $rc"
echo "  the audit file holds $(wc -l < "$T/audit.jsonl") JSON lines; the trail in Redis $(rcli XLEN closeloop:audit) entries"

step "What the resident of 2026-000101 saw, and why (closeloop history)"
"$CLOSELOOP" -c "$CONF" history 2026-000101 | sed 's/^/   /'

step "For the divisions: closeloop report --since 1d"
"$CLOSELOOP" -c "$CONF" report --since 1d | sed 's/^/   /'

step "By ward: closeloop report --since 1d --ward 10"
"$CLOSELOOP" -c "$CONF" report --since 1d --ward 10 --by day | sed 's/^/   /'

step "The SRs behind a count: closeloop report --since 1d --list held"
"$CLOSELOOP" -c "$CONF" report --since 1d --list held | sed 's/^/   /'
printf '\nDone: the misleading "completed" of 2026-000101 was held and suppressed;\n'
printf 'the resident was told "transferred" to Toronto Water, then "completed".\n'
printf 'Each notice went out by email and SMS, in the resident'"'"'s language.\n'
printf 'The resident of duplicate 2026-000102 was told when the original\n'
printf '2026-000099 was completed; the SMS sent in quiet hours waits for them to end.\n'
printf 'Asked whether the pothole was fixed, the resident of 2026-000101 answered\n'
printf '"NO - the pothole is still there": Toronto Water'"'"'s fix rate shows it.\n'

step "The console: closeloop-web (log: $T/closeloop-web.log)"
printf 'demo-console-pass\n' > "$T/demo.password"
"$CLOSELOOP" -c "$CONF" user add demo --role ops --password-file "$T/demo.password"
"$CLOSELOOP" -c "$CONF" user add water --role division --division TW \
    --password-file "$T/demo.password"
"$top_builddir/closeloop-web" -c "$CONF" 2> "$T/closeloop-web.log" &
WEB_PID=$!
i=0
until curl -s -o /dev/null "http://127.0.0.1:$WEB_PORT/healthz"; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "closeloop-web did not start"; exit 1; }
	sleep 0.05
done
token=$(printf 'closeloop-resident:2026-000101' |
    openssl dgst -sha256 -hmac "$(cat "$T/resident.secret")" | sed 's/.*= //' | cut -c1-32)
echo "  The console:      http://127.0.0.1:$WEB_PORT/"
echo "  Sign in as:       demo (ops) or water (Toronto Water), password demo-console-pass"
echo "  A timeline:       http://127.0.0.1:$WEB_PORT/sr/2026-000101"
echo "  A resident's page (the link in each message, behind the city's proxy):"
echo "                    http://127.0.0.1:$WEB_PORT/r/2026-000101/$token"
if [ -t 0 ] && [ -z "${DEMO_CONSOLE_SECONDS:-}" ]; then
	echo "  The console runs until you press Ctrl-C."
	wait "$WEB_PID" || true
else
	sleep "${DEMO_CONSOLE_SECONDS:-0}"
fi
