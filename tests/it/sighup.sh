#!/bin/sh
# sighup.sh - SIGHUP swaps in a new configuration only if it is valid,
# and what it swaps in takes effect
#
# A broken configuration is refused and the old one kept; a valid one is
# swapped in (a division's status_map). Then, against the loopback
# stand-in for the twilio profile (tests/harness/gateway.py) and closeloopd's
# HTTP listener, each setting a reload applies is changed, the daemon
# reloaded, and the effect checked, not the log line: a new delivery
# receipt secret (sms.dlr_secret_file) is accepted at /receipt, in the
# X-Closeloop-Secret header and in the receipt URL closeloopd gives the
# gateway with the next text, and the old one refused in both (the URL
# given before the reload too); a changed template is
# the text of the next message; a new sms.max_per_second paces the next
# texts (six take over two seconds at two a second); a new log level
# shows debug lines, then hides info ones; new quiet hours hold the next
# text back.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3
need curl curl

redis_start
write_config
daemon_start
valid_events 10 2 h1- | rcli >/dev/null
wait_for 10 "10 accepted" stat_is accepted 10

say "a broken configuration is refused and the old one kept"
cp "$CONF" "$T/good.conf"
printf 'redis = { url = "unix://%s"; claim_idle_ms = "soon"; };\n' "$SOCK" > "$CONF"
kill -HUP "$DAEMON_PID"
wait_for 10 "the refusal" log_has "reload failed, keeping the current configuration: .*claim_idle_ms: must be an integer (got a string)"
assert "daemon alive" kill -0 "$DAEMON_PID"
valid_events 10 2 h2- | rcli >/dev/null
wait_for 10 "20 accepted" stat_is accepted 20
assert "status_map still in force" true
rcli XADD closeloop:events '*' v 1 type status event_id h-map sr SR-M \
    ts 2026-03-03T14:05:00Z division TW status WO-DONE >/dev/null
wait_for 10 "21 accepted" stat_is accepted 21

say "a valid new configuration is swapped in"
LOG_LEVEL=debug write_config "" ""
sed -i 's/code = "WO-DONE"/code = "WO-FINI"/' "$CONF"
kill -HUP "$DAEMON_PID"
wait_for 10 "the reload" log_has "configuration reloaded"
rcli XADD closeloop:events '*' v 1 type status event_id h-new sr SR-M \
    ts 2026-03-03T14:05:00Z division TW status WO-FINI >/dev/null
wait_for 10 "22 accepted" stat_is accepted 22
rcli XADD closeloop:events '*' v 1 type status event_id h-old sr SR-M \
    ts 2026-03-03T14:05:00Z division TW status WO-DONE >/dev/null
wait_for 10 "the old code refused" dead_is 1
assert "nothing pending" [ "$(pending)" = 0 ]
daemon_stop

say "what a reload applies, checked by its effect"
HTTP_PORT=$(free_port)
gateway_plain
printf 'old-dlr-s3cret\n' > "$T/dlr.secret"
chmod 600 "$T/dlr.secret"
cp -R "$top_srcdir/templates" "$T/tpl"

# Write the configuration: $1 the log level, $2 more of the sms group.
reload_config() {
	LOG_LEVEL=$1 write_config "" "
policy = { settle_seconds = 0; coalesce_seconds = 0; };
http = { listen = \"127.0.0.1:$HTTP_PORT\"; };
$(twilio_config "dlr_url = \"http://127.0.0.1:$HTTP_PORT/receipt\";
	dlr_secret_file = \"$T/dlr.secret\";
	$2")"
	sed -i "s|dir = \"$top_srcdir/templates\";|dir = \"$T/tpl\";|" "$CONF"
}

# Reload and wait until closeloopd says it has, for the $1th time.
reload() {
	kill -HUP "$DAEMON_PID"
	wait_for 10 "reload $1" reloaded "$1"
}
reloaded() {
	[ "$(log_count 'configuration reloaded')" -ge "$1" ]
}
base=$(log_count 'configuration reloaded')

# Print the body of the text the gateway took for notification $1.
body_of() {
	$PY -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["token"] == sys.argv[2]:
        print(m["body"])' "$GW_DIR/messages.jsonl" "$1"
}

# Print the HTTP status of Kannel's report $2 on notification $1 given
# with the secret $3 in the X-Closeloop-Secret header.
receipt() {
	curl -s -o /dev/null -w '%{http_code}' -H "X-Closeloop-Secret: $3" \
	    "http://127.0.0.1:$HTTP_PORT/receipt?id=$1&status=$2"
}

# Print the HTTP status of Kannel's report $2 on notification $1 at the
# receipt URL closeloopd gave the gateway with its text.
receipt_url() {
	_url=$($PY -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["token"] == sys.argv[2]:
        print(m["status_callback"])' "$GW_DIR/messages.jsonl" "$1")
	case $_url in
	"http://127.0.0.1:$HTTP_PORT/receipt?id=$1&"*) ;;
	*) echo "no receipt URL for $1: $_url" ;;
	esac
	curl -s -o /dev/null -w '%{http_code}' "$_url&status=$2"
}

# Publish six closures by SMS, SRs $1-1 to $1-6 for the phones $2 followed
# by 1 to 6, and wait until the last is sent.
burst() {
	for _i in 1 2 3 4 5 6; do
		sms_closed "$1-$_i" "$2$_i"
	done
	wait_for 30 "$1-6 sent" state_is "$1-6/1/0" sent
}

# Print the seconds between the first and the last request to the
# gateway for the notifications of SRs whose names begin with $1.
span_of() {
	$PY -c '
import json, sys
times = sorted(r["time"] for r in map(json.loads, open(sys.argv[1]))
               if (r.get("token") or "").startswith(sys.argv[2]))
print("%.2f" % (times[-1] - times[0]))' "$GW_DIR/requests.jsonl" "$1"
}

reload_config info "max_per_second = 50;"
daemon_start
wait_for 10 "the listener" log_has "listening for HTTP on 127.0.0.1:$HTTP_PORT"
sms_closed A-1 +14165550401
wait_for 20 "A-1 sent" state_is A-1/1/0 sent
assert "the old secret, by header, before the reload" \
    [ "$(receipt A-1/1/0 4 old-dlr-s3cret)" = 200 ]
assert "the old secret's receipt URL, before the reload" \
    [ "$(receipt_url A-1/1/0 8)" = 200 ]
assert "the new one is not yet accepted" \
    [ "$(receipt A-1/1/0 8 new-dlr-s3cret)" = 403 ]
burst B +1416555050
echo "before the reload: six texts in $(span_of B-) s"
body_of A-1/1/0 | grep -q "A-1" || fail "no text of A-1 at the gateway"
body_of A-1/1/0 | grep -q "^Reloaded[.]" &&
    fail "the text before the reload: $(body_of A-1/1/0)"
assert "no debug lines at level info" [ "$(log_count '^<7>')" = 0 ]

say "reload: a new receipt secret, template, rate and log level"
printf 'new-dlr-s3cret\n' > "$T/dlr.secret"
sed -i '1s/^/Reloaded. /' "$T/tpl/en/completed.sms.mustache"
reload_config debug "max_per_second = 2;"
reload $((base + 1))
assert "the old secret, by header, refused" \
    [ "$(receipt A-1/1/0 1 old-dlr-s3cret)" = 403 ]
assert "the old secret's receipt URL refused" \
    [ "$(receipt_url A-1/1/0 1)" = 403 ]
assert "the new secret, by header" \
    [ "$(receipt A-1/1/0 1 new-dlr-s3cret)" = 200 ]
assert "the receipt recorded" [ "$(nfield A-1/1/0 receipt)" = delivered ]
burst C +1416555060
span=$(span_of C-)
echo "after the reload to 2 a second: six texts in $span s"
# Five steps of 0.525 s apart at 2 a second (2.6 s), however late the
# first one begins; at the 50 a second before the reload, 0.1 s.
$PY -c 'import sys; sys.exit(float(sys.argv[1]) < 2.0)' "$span" ||
    fail "sms.max_per_second 2 does not pace the texts: six in $span s"
body_of C-1/1/0 | grep -q "^Reloaded[.] .*C-1" ||
    fail "the text after the reload is not the new template's: $(body_of C-1/1/0)"
assert "the receipt URL of a text sent after the reload" \
    [ "$(receipt_url C-1/1/0 1)" = 200 ]
assert "its receipt recorded" [ "$(nfield C-1/1/0 receipt)" = delivered ]
log_has '^<7>sms C-1/1/0 to +1416\*\*\*0601: sent' ||
    fail "no debug line after the reload to level debug"

say "reload: quiet hours now, log level notice"
hour=$(TZ=America/Toronto date +%H)
h=${hour#0}	# "08" and "09" are not octal numbers
from=$(printf '%02d:00' "$h")
to=$(printf '%02d:00' $(( (h + 2) % 24 )))
reload_config notice "quiet_hours = \"$from-$to\";"
reload $((base + 2))
sms_closed Q-1 +14165550701
wait_for 10 "Q-1 queued" state_is Q-1/1/0 queued
sleep 2
assert "held back by the new quiet hours" state_is Q-1/1/0 queued
"$CLOSELOOP" -c "$CONF" history Q-1 | grep -q 'deferred .*quiet_hours' ||
    fail "the deferral is not in the history"
assert "no info lines at level notice" [ "$(log_count '^<6>.*Q-1')" = 0 ]
daemon_stop
echo "PASS"
