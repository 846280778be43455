#!/bin/sh
# ops.sh - what an operations team runs closeloopd with: systemd's
# notify protocol and watchdog, credentials, /metrics and /healthz
#
# closeloopd runs as systemd would run it: $NOTIFY_SOCKET names a socket
# the test reads, $WATCHDOG_USEC arms the watchdog, the Redis password is
# a credential in $CREDENTIALS_DIRECTORY. Email goes to a real SMTP server
# (aiosmtpd); Prometheus's view is read from /metrics. The unit file must
# pass systemd-analyze's security check (exposure 1.5 at most), and the
# tmpfiles.d and sysusers.d snippets are applied to a scratch root.
# Without systemd's tools, or with port 9311 (the default listener) taken
# here, those checks are skipped: the test ends as SKIP, and fails in CI.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3
need curl curl
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    missing "aiosmtpd is not installed (Debian package python3-aiosmtpd)"
MAILBOX="$PY $top_srcdir/tests/harness/mailbox.py"

say "the unit passes systemd-analyze security (exposure <= 1.5)"
if command -v systemd-analyze >/dev/null 2>&1; then
	( cd "$top_builddir" && make -s systemd/closeloopd.service \
	    systemd/closeloop.conf systemd/tmpfiles/closeloop.conf )
	systemd-analyze security --offline=true --threshold=15 \
	    "$top_builddir/systemd/closeloopd.service" > "$T/security" 2>&1 ||
	    { cat "$T/security"; fail "the unit is exposed more than 1.5"; }
	grep 'Overall exposure' "$T/security"
	if command -v systemd-tmpfiles >/dev/null 2>&1; then
		mkdir -p "$T/root"
		systemd-tmpfiles --root="$T/root" --create \
		    "$top_builddir/systemd/tmpfiles/closeloop.conf"
		f=$(find "$T/root" -name smtp-password)
		[ -f "$f" ] || fail "tmpfiles did not make smtp-password"
		assert "credentials are root's only" \
		    [ "$(command stat -c %a "$f")" = 600 ]
		assert "their directory too" \
		    [ "$(command stat -c %a "$(dirname "$f")")" = 700 ]
	else
		skipped "systemd-tmpfiles is not installed (Debian package systemd): the tmpfiles.d snippet is not checked"
	fi
	if command -v systemd-sysusers >/dev/null 2>&1; then
		mkdir -p "$T/root/etc"
		systemd-sysusers --root="$T/root" \
		    "$top_builddir/systemd/closeloop.conf"
		grep -q '^closeloop:' "$T/root/etc/passwd" ||
		    fail "sysusers did not make the closeloop user"
	else
		skipped "systemd-sysusers is not installed (Debian package systemd): the sysusers.d snippet is not checked"
	fi
else
	skipped "systemd-analyze is not installed (Debian package systemd): the unit is not checked"
fi

say "Type=notify: READY, STATUS, WATCHDOG, RELOADING, STOPPING"
rcli() { "$REDIS_CLI" -s "$SOCK" --no-auth-warning -a r3dis-pw "$@"; }
redis_start --requirepass "r3dis-pw"
mkdir -m 700 "$T/creds"
printf 'r3dis-pw\n' > "$T/creds/redis-password"
chmod 600 "$T/creds/redis-password"
SMTP_PORT=$(free_port)
HTTP_PORT=$(free_port)
mkdir -p "$T/mail"
$PY "$top_srcdir/tests/harness/smtpd.py" --port "$SMTP_PORT" --dir "$T/mail" \
    >>"$T/smtpd.log" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
$PY -c "
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], 'a') as out:
    while True:
        out.write(s.recv(4096).decode().replace('\n', '|') + '\n')
        out.flush()
" "$T/notify" "$T/notified" &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for 10 "the notify socket" test -S "$T/notify"

write_config 'password_file = "redis-password";' "
policy = { settle_seconds = 0; coalesce_seconds = 0; };
http = { listen = \"127.0.0.1:$HTTP_PORT\"; health_max_delay_seconds = 5; };
email = {
	smtp = \"smtp://127.0.0.1:$SMTP_PORT\";
	starttls = \"off\";
	from = \"City of Toronto 311 <311@example.org>\";
};"

say "a credential without \$CREDENTIALS_DIRECTORY is refused, by name"
rc=0
"$CLOSELOOPD" --check-config -c "$CONF" > "$T/check" 2>&1 || rc=$?
assert "exit 78 (EX_CONFIG)" [ "$rc" = 78 ]
grep -q 'redis.password_file: cannot read redis-password: .*CREDENTIALS_DIRECTORY' \
    "$T/check" || { cat "$T/check"; fail "the cause does not say why"; }
CREDENTIALS_DIRECTORY="$T/creds" "$CLOSELOOPD" --check-config -c "$CONF" \
    >/dev/null || fail "the credential is not read"
# From here on, as under systemd (and for closeloop history at the end).
CREDENTIALS_DIRECTORY="$T/creds"
export CREDENTIALS_DIRECTORY

NOTIFY_SOCKET="$T/notify" WATCHDOG_USEC=2000000 \
    CREDENTIALS_DIRECTORY="$T/creds" $WRAP "$CLOSELOOPD" -c "$CONF" \
    >>"$DLOG" 2>&1 &
DAEMON_PID=$!
notified() { grep -q -- "$1" "$T/notified"; }
wait_for 20 "READY=1" notified 'READY=1'
wait_for 20 "reading the stream" log_has "reading closeloop:events"
wait_for 10 "a status line with totals" notified \
    'STATUS=consumed 0, queued 0, held 0, sent 0'
sleep 3
n=$(grep -c 'WATCHDOG=1' "$T/notified" || true)
[ "$n" -ge 3 ] || fail "the watchdog was fed $n times in 3 s (every 1 s expected)"
grep -q 'r3dis-pw' "$DLOG" && fail "the Redis password is in the log"

say "events and email, as /metrics counts them"
for i in 1 2 3; do
	rcli XADD closeloop:events '*' v 1 type subscribe event_id "s-$i" \
	    sr "OPS-$i" ts 2026-11-20T09:00:00Z email "r$i@example.org" \
	    locale en channels email >/dev/null
	rcli XADD closeloop:events '*' v 1 type status event_id "c-$i" \
	    sr "OPS-$i" ts 2026-11-20T10:00:00Z division TW status closed \
	    reason completed note "Basin cleared" >/dev/null
done
rcli XADD closeloop:events '*' v 1 type status sr "OPS-1" >/dev/null
received() { [ "$($MAILBOX count "$T/mail")" -ge "$1" ]; }
wait_for 30 "three messages" received 3
metric() {
	curl -s "http://127.0.0.1:$HTTP_PORT/metrics" > "$T/metrics"
	awk -v k="$1" '$1 == k { print $2 }' "$T/metrics"
}
sent_is() { [ "$(metric 'closeloop_notifications_total{channel="email",outcome="sent"}')" = "$1" ]; }
wait_for 10 "three sent in /metrics" sent_is 3
assert "3 subscribe events" [ "$(metric 'closeloop_events_total{type="subscribe"}')" = 3 ]
assert "3 status events" [ "$(metric 'closeloop_events_total{type="status"}')" = 3 ]
assert "1 invalid event" [ "$(metric 'closeloop_events_total{type="invalid"}')" = 1 ]
assert "1 dead letter" [ "$(metric closeloop_dead_letters)" = 1 ]
assert "3 queued decisions" [ "$(metric 'closeloop_decisions_total{kind="queued",rule=""}')" = 3 ]
assert "3 send times" [ "$(metric 'closeloop_send_seconds_count{channel="email"}')" = 3 ]
assert "all under 10 s" [ "$(metric 'closeloop_send_seconds_bucket{channel="email",le="10"}')" = 3 ]
assert "nothing waits" [ "$(metric 'closeloop_outbox_ready{channel="email"}')" = 0 ]
assert "lag 0" [ "$(metric closeloop_consumer_lag)" = 0 ]
assert "Redis up" [ "$(metric closeloop_up)" = 1 ]
grep -q '^closeloop_template_info{version="[0-9a-f]*"} 1$' "$T/metrics" ||
    fail "no template version"
wait_for 10 "the status line counts them" notified \
    'STATUS=consumed 6, queued 3, held 0, sent 3'
code=$(curl -s -o "$T/health" -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/healthz")
assert "healthy" [ "$code" = 200 ]

say "SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1"
: > "$T/notified"
kill -HUP "$DAEMON_PID"
wait_for 10 "RELOADING=1" notified 'RELOADING=1|MONOTONIC_USEC=[0-9]'
wait_for 10 "READY=1 again" notified 'READY=1'
say "SIGTERM: STOPPING=1, exit 0"
daemon_stop 30
notified 'STOPPING=1' || fail "no STOPPING=1"

say "no SMTP server: delivery is stuck, and /healthz says so"
# No http.listen: the default, 127.0.0.1:9311, unless something here has
# it already; then a free port.
listen=
if curl -s -o /dev/null "http://127.0.0.1:9311/" 2>/dev/null; then
	skipped "port 9311 is in use here: the default listener and a second instance without it are not checked"
	HTTP_PORT=$(free_port)
	listen="listen = \"127.0.0.1:$HTTP_PORT\";"
else
	HTTP_PORT=9311
fi
write_config 'password_file = "redis-password";' "
policy = { settle_seconds = 0; coalesce_seconds = 0; };
http = { $listen health_max_delay_seconds = 2; };"
CREDENTIALS_DIRECTORY="$T/creds" $WRAP "$CLOSELOOPD" -c "$CONF" \
    >>"$DLOG" 2>&1 &
DAEMON_PID=$!
wait_for 20 "the listener" log_has "listening for HTTP on 127.0.0.1:$HTTP_PORT"
healthz() {
	curl -s -o "$T/health" -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/healthz"
}
rcli XADD closeloop:events '*' v 1 type status event_id c-5 sr OPS-2 \
    ts 2026-11-20T12:00:00Z division TW status reopened >/dev/null
unhealthy() { [ "$(healthz)" = 503 ]; }
wait_for 20 "503" unhealthy
grep -q '^email delivery stuck: 1 notifications ready, the oldest waiting [0-9]* s (http.health_max_delay_seconds 2)$' \
    "$T/health" || { cat "$T/health"; fail "the reason is not given"; }
rcli ZREM closeloop:outbox:email OPS-2/2/0 >/dev/null
assert "healthy once it is gone" [ "$(healthz)" = 200 ]

if [ -z "$listen" ]; then
	say "a second instance on the same machine runs without the listener"
	closeloop_wrote "$T/second.log"
	CREDENTIALS_DIRECTORY="$T/creds" CONSUMER=second $WRAP \
	    "$CLOSELOOPD" -c "$CONF" >>"$T/second.log" 2>&1 &
	SECOND=$!
	EXTRA_PIDS="$EXTRA_PIDS $SECOND"
	wait_for 20 "the warning" grep -q \
	    'running without /metrics and /healthz' "$T/second.log"
	sleep 1
	kill -0 "$SECOND" || fail "the second instance did not keep running"
	kill -TERM "$SECOND"
	wait "$SECOND" || fail "the second instance did not stop cleanly"
fi
daemon_stop 30
echo "PASS"
