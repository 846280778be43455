# lib.sh - shared helpers for closeloop's integration tests
#
# Each test gets a private temporary directory with its own redis-server on
# a unix socket there, and closeloopd and redis-server are stopped by PID
# when the test ends. A missing program skips the test (exit 77), except in
# CI (CI=true), where it fails; so does a part of a test that cannot run
# (skipped), the rest running. Set CLOSELOOP_WRAP to run the programs
# under a wrapper, e.g. CLOSELOOP_WRAP="valgrind --error-exitcode=99 -q".
#
# Every test that passes is also checked for residents' full contacts
# where closeloop writes (tests/harness/leakcheck.py): before Redis stops,
# the email and phone fields of every stream (the events the test wrote)
# are taken as the test's contacts, and "closeloop history --json --since"
# over every SR is kept; then that history, closeloopd's log ($DLOG and
# any file named by closeloop_wrote), the audit files of the
# configurations write_config wrote (and their rotations, FILE.*) and
# everything "$CLOSELOOP" printed (it is a wrapper that keeps a copy)
# must hold none of them in full. The servers' own files (the mail
# received, the gateways' logs) are not closeloop's and are not read.

set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
CLOSELOOPD="$top_builddir/closeloopd"
CLOSELOOP_BIN="$top_builddir/closeloop"
WRAP=${CLOSELOOP_WRAP:-}
TEST_NAME=$(basename "$0" .sh)

T=$(mktemp -d "${CLOSELOOP_TMP:-/tmp}/closeloop-$TEST_NAME.XXXXXX")
LEAK="$T/leakcheck"
mkdir "$LEAK" "$LEAK/cli"
: > "$LEAK/contacts"
: > "$LEAK/files"
: > "$LEAK/audit"
SOCK="$T/redis.sock"
CONF="$T/closeloopd.conf"
DLOG="$T/closeloopd.log"
REDIS_PID=
DAEMON_PID=
EXTRA_PIDS=
# Servers that stop their own children when told (nginx's master and its
# workers): cleanup sends them SIGTERM, and SIGKILL 5 seconds later.
TERM_PIDS=

# Say why the test cannot run: skip, or fail in CI.
missing() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $* (required in CI)"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

# Say why a part of the test cannot run and go on with the rest: the
# test then ends as SKIP (exit 77) instead of PASS; in CI it fails now.
SKIPPED=
skipped() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: $* (required in CI)"
		exit 1
	fi
	echo "SKIP (this part): $*"
	SKIPPED="$SKIPPED
	$*"
}

# Find a program or give up on the test.
need() {
	command -v "$1" >/dev/null 2>&1 || missing "$1 is not installed (Debian package $2)"
}

REDIS_SERVER=${REDIS_SERVER:-redis-server}
[ "$REDIS_SERVER" != no ] || REDIS_SERVER=redis-server
REDIS_CLI=${REDIS_CLI:-redis-cli}
[ "$REDIS_CLI" != no ] || REDIS_CLI=redis-cli
need "$REDIS_SERVER" redis-server
need "$REDIS_CLI" redis-tools

# closeloop, run through a script that keeps a copy of what it prints for
# the contact check (its exit status, input and arguments are closeloop's).
CLOSELOOP="$LEAK/closeloop"
cat > "$CLOSELOOP" <<EOC
#!/bin/sh
_out=\$(mktemp "$LEAK/cli/out.XXXXXX") || exit 70
_rc=0
"$CLOSELOOP_BIN" "\$@" > "\$_out" 2> "\$_out.err" || _rc=\$?
cat "\$_out"
cat "\$_out.err" >&2
exit "\$_rc"
EOC
chmod +x "$CLOSELOOP"

# Name files closeloop (another closeloopd, say) wrote, for the check.
closeloop_wrote() {
	printf '%s\n' "$@" >> "$LEAK/files"
}

# Take the contacts in Redis's streams and the history of every SR, while
# Redis runs (rcli answers: the test's own, or lib.sh's); nothing to take
# if it does not. Returns 1 if the history cannot be taken.
leak_collect() {
	[ "$(rcli PING 2>/dev/null)" = PONG ] || return 0
	rcli EVAL "local out = {}
for _, k in ipairs(redis.call('KEYS', '*')) do
	if redis.call('TYPE', k).ok == 'stream' then
		for _, e in ipairs(redis.call('XRANGE', k, '-', '+')) do
			for i = 1, #e[2] - 1, 2 do
				if e[2][i] == 'email' or e[2][i] == 'phone' then
					out[#out + 1] = e[2][i + 1]
				end
			end
		end
	end
end
return out" 0 >> "$LEAK/contacts" 2>"$LEAK/eval.err" || {
		echo "the contact check cannot read the streams: $(cat "$LEAK/eval.err")"
		return 1
	}
	_lc=$(mktemp "$LEAK/history.XXXXXX")
	printf 'redis = { url = "unix://%s"; };\n' "$SOCK" > "$LEAK/redis.conf"
	for _lc_conf in "$CONF" "$LEAK/redis.conf"; do
		[ -f "$_lc_conf" ] || continue
		if "$CLOSELOOP_BIN" -c "$_lc_conf" history --json \
		    --since 2000-01-01 > "$_lc" 2> "$_lc.err"; then
			rm -f "$_lc.err"
			return 0
		fi
	done
	echo "the contact check cannot take the history: $(cat "$_lc.err")"
	return 1
}

# Fail (return 1) if a full contact is in a file closeloop wrote.
leak_scan() {
	sort -u "$LEAK/contacts" > "$LEAK/contacts.u"
	[ -s "$LEAK/contacts.u" ] || return 0
	set -- "$DLOG" "$LEAK"/history.* "$LEAK"/cli/out.*
	while read -r _ls; do
		set -- "$@" "$_ls"
	done < "$LEAK/files"
	while read -r _ls; do
		set -- "$@" "$_ls" "$_ls".*
	done < "$LEAK/audit"
	/usr/bin/python3 "$top_srcdir/tests/harness/leakcheck.py" "$LEAK/contacts.u" "$@" ||
	    { echo "FAIL: a full email address or phone number where closeloop writes (above)"; return 1; }
}

# Stop process $1 (a child of the test) with SIGTERM and wait for it;
# SIGKILL if it is still there after $2 seconds (5 unless told).
term_wait() {
	kill -TERM "$1" 2>/dev/null || return 0
	_tw_end=$(($(date +%s) + ${2:-5}))
	while kill -0 "$1" 2>/dev/null; do
		if [ "$(date +%s)" -gt "$_tw_end" ]; then
			kill -KILL "$1" 2>/dev/null || true
			break
		fi
		sleep 0.05
	done
	wait "$1" 2>/dev/null || true
}

# Stop everything this test started and remove its directory.
cleanup() {
	rc=$?
	for pid in $DAEMON_PID; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	# The servers a test started itself may be its Redis (it/sentinel.sh).
	if [ "$rc" -eq 0 ]; then
		leak_collect || rc=1
	fi
	for pid in $EXTRA_PIDS; do
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	for pid in $TERM_PIDS; do
		term_wait "$pid"
	done
	if [ -n "$REDIS_PID" ] && kill -0 "$REDIS_PID" 2>/dev/null; then
		kill -TERM "$REDIS_PID" 2>/dev/null || true
		wait "$REDIS_PID" 2>/dev/null || true
	fi
	if [ "$rc" -eq 0 ]; then
		leak_scan || rc=1
	fi
	if [ "$rc" -ne 0 ] && [ -f "$DLOG" ]; then
		echo "--- last lines of closeloopd's log:"
		tail -n 40 "$DLOG"
	fi
	if [ "$rc" -eq 0 ] && [ -n "$SKIPPED" ]; then
		echo "SKIP: passed, but these parts did not run:$SKIPPED"
		rc=77
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Fail the test with a message.
fail() {
	echo "FAIL: $*"
	exit 1
}

# Note progress in the test's log.
say() {
	echo "--- $*"
}

# Run redis-cli against the test's server.
rcli() {
	"$REDIS_CLI" -s "$SOCK" "$@"
}

# Start redis-server; extra arguments are passed on (e.g. --appendonly yes).
redis_start() {
	"$REDIS_SERVER" --port 0 --unixsocket "$SOCK" --save "" \
	    --appendonly no --dir "$T" --logfile "$T/redis.log" "$@" &
	REDIS_PID=$!
	wait_for 10 "redis-server to start" redis_ping
}

# Succeed if the server answers.
redis_ping() {
	[ "$(rcli PING 2>/dev/null)" = PONG ]
}

# Stop redis-server by PID and wait for it, taking what the contact
# check needs first.
redis_stop() {
	leak_collect || fail "the contact check cannot take what it needs"
	kill -TERM "$REDIS_PID"
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=
}

# Print the templates group: the shipped set, test links. A test may set
# UNSUBSCRIBE_URL, and TEMPLATES_EXTRA for more settings of the group.
templates_config() {
	_tc_unsub='https://311.example.org/stop/{sr}'
	[ -z "${UNSUBSCRIBE_URL:-}" ] || _tc_unsub=$UNSUBSCRIBE_URL
	cat <<EOT
templates = {
	dir = "$top_srcdir/templates";
	photo_hosts = [ "photos.example.org" ];
	status_url = "https://311.example.org/sr/{sr}";
	unsubscribe_url = "$_tc_unsub";
	${TEMPLATES_EXTRA:-}
};
EOT
}

# Write the daemon's configuration: the socket plus extra text.
# $1 goes inside the redis group, $2 after it.
write_config() {
	cat > "$CONF" <<EOC
redis = {
	url = "unix://$SOCK";
	consumer = "${CONSUMER:-it}";
	${1:-}
};
log = { level = "${LOG_LEVEL:-info}"; };
shutdown_timeout = 10;
$(templates_config)
divisions = {
	TW = {
		name = { en = "Toronto Water"; fr = "Eau de Toronto"; };
		status_map = (
			{ code = "WO-DONE"; status = "closed"; reason = "completed"; }
		);
	};
};
${2:-}
EOC
	# No listener unless the test asks: tests run side by side.
	case "${2:-}" in
	*"http = "*) ;;
	*) echo "http = { listen = \"${HTTP_LISTEN:-}\"; };" >> "$CONF" ;;
	esac
	# Tests send events of fixed days long past: no age limit
	# (delivery.max_event_age_hours) unless the test sets one.
	case "${2:-}" in
	*"delivery = "*) ;;
	*) echo "delivery = { max_event_age_hours = 0; };" >> "$CONF" ;;
	esac
	# The audit files, for the contact check.
	awk '/^audit = \{/ { on = 1 } on && match($0, /file = "[^"]*"/) {
		print substr($0, RSTART + 8, RLENGTH - 9) } /};/ { on = 0 }' \
	    "$CONF" >> "$LEAK/audit"
}

# Start closeloopd in the background, its log in $DLOG.
daemon_start() {
	$WRAP "$CLOSELOOPD" -c "$CONF" >>"$DLOG" 2>&1 &
	DAEMON_PID=$!
}

# Stop closeloopd with SIGTERM; fail unless it exits 0 within $1 seconds.
daemon_stop() {
	limit=${1:-20}
	kill -TERM "$DAEMON_PID"
	i=0
	while kill -0 "$DAEMON_PID" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le $((limit * 10)) ] || fail "closeloopd did not exit within ${limit}s of SIGTERM"
		sleep 0.1
	done
	rc=0
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=
	[ "$rc" -eq 0 ] || fail "closeloopd exited with $rc after SIGTERM"
}

# Wait up to $1 seconds (by the clock, however long the command takes)
# for a command to succeed.
wait_for() {
	limit=$1
	what=$2
	shift 2
	_wf_end=$(($(date +%s) + limit))
	until "$@"; do
		[ "$(date +%s)" -le "$_wf_end" ] || fail "timed out after ${limit}s waiting for $what"
		sleep 0.05
	done
}

# Print a counter from closeloop:stats (0 if absent).
stat() {
	v=$(rcli HGET closeloop:stats "$1")
	echo "${v:-0}"
}

# Succeed when closeloop:stats says $2 for counter $1.
stat_is() {
	[ "$(stat "$1")" = "$2" ]
}

# Succeed when the dead-letter stream holds $1 entries.
dead_is() {
	[ "$(rcli XLEN closeloop:dead)" = "$1" ]
}

# Print the number of entries pending in the group.
pending() {
	rcli XPENDING closeloop:events closeloopd | head -n 1
}

# Print the group's lag (entries not yet delivered to any consumer).
lag() {
	rcli XINFO GROUPS closeloop:events | awk 'prev == "lag" { print; exit } { prev = $0 }'
}

# Check that an expression holds: assert "what" [ test args ].
assert() {
	what=$1
	shift
	"$@" || fail "$what"
}

# Write n valid status events as redis-cli commands, SRs SR-0..SR-(m-1).
# $1 n, $2 m, $3 event_id prefix.
valid_events() {
	awk -v n="$1" -v m="$2" -v p="$3" 'BEGIN {
		split("received assigned scheduled in_progress closed", st, " ")
		for (i = 0; i < n; i++)
			printf "XADD closeloop:events * v 1 type status event_id %s%d sr SR-%d ts 2026-03-03T14:05:%02dZ division TW status %s service \"Road Pothole\"\n", p, i, i % m, i % 60, st[i % 5 + 1]
	}'
}

# Succeed if the daemon's log has a line matching a pattern.
log_has() {
	grep -q -- "$1" "$DLOG"
}

# Print how many lines of the daemon's log match a pattern.
log_count() {
	grep -c -- "$1" "$DLOG" || true
}

# Print a loopback TCP port that was free a moment ago.
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Succeed when something accepts connections on loopback port $1.
port_up() {
	/usr/bin/python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' "$1" 2>/dev/null
}

# Start tests/harness/smtpd.py, without TLS or AUTH, on a free loopback port
# (SMTP_PORT), keeping what it receives in $MAIL ($T/mail), and wait
# until it answers.
smtpd_plain() {
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || missing \
	    "aiosmtpd is not installed (Debian package python3-aiosmtpd)"
	SMTP_PORT=$(free_port)
	MAIL="$T/mail"
	mkdir -p "$MAIL"
	/usr/bin/python3 "$top_srcdir/tests/harness/smtpd.py" --port "$SMTP_PORT" \
	    --dir "$MAIL" >>"$T/smtpd.log" 2>&1 &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	wait_for 10 "the SMTP server" port_up "$SMTP_PORT"
}

# Print the email group for smtpd_plain's server.
smtp_config() {
	cat <<EOT
email = {
	smtp = "smtp://127.0.0.1:$SMTP_PORT";
	starttls = "off";
	from = "Toronto 311 <311@example.org>";
};
EOT
}

# Start tests/harness/gateway.py, the stand-in for an SMS gateway of the
# twilio profile (account ACtest, token tok3n in $T/twilio.secret), on a
# free loopback port (GW_PORT), its files in $GW_DIR ($T/gateway), and wait
# until it answers; the arguments are more of gateway.py's (--control).
gateway_plain() {
	GW_PORT=$(free_port)
	GW_DIR="$T/gateway"
	mkdir -p "$GW_DIR"
	printf 'tok3n\n' > "$T/twilio.secret"
	chmod 600 "$T/twilio.secret"
	/usr/bin/python3 "$top_srcdir/tests/harness/gateway.py" --port "$GW_PORT" \
	    --dir "$GW_DIR" --account ACtest --token tok3n "$@" \
	    >>"$T/gateway.log" 2>&1 &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	wait_for 10 "the SMS gateway" port_up "$GW_PORT"
}

# Print the sms group for gateway_plain's stand-in; $1 is more of it.
twilio_config() {
	cat <<EOT
sms = {
	gateway = "twilio";
	url = "http://127.0.0.1:$GW_PORT/2010-04-01/Accounts/ACtest/Messages.json";
	username = "ACtest";
	password_file = "$T/twilio.secret";
	from = "+14165550311";
	allow_http_loopback = true;
	${1:-}
};
EOT
}

# Publish, as the CRM would, a subscription by channel $1 (email or sms)
# and a closure with a note: $2 the SR (events s-SR and c-SR), $3 the
# address or phone, $4 the locale (default en); more arguments are more
# fields of the closure.
closure_to() {
	_ct_channel=$1
	_ct_sr=$2
	_ct_contact=$3
	_ct_locale=${4:-en}
	shift 3
	[ "$#" -eq 0 ] || shift
	_ct_field=email
	[ "$_ct_channel" != sms ] || _ct_field=phone
	rcli XADD closeloop:events '*' v 1 type subscribe \
	    event_id "s-$_ct_sr" sr "$_ct_sr" ts 2026-11-20T09:00:00Z \
	    "$_ct_field" "$_ct_contact" locale "$_ct_locale" \
	    channels "$_ct_channel" >/dev/null
	rcli XADD closeloop:events '*' v 1 type status event_id "c-$_ct_sr" \
	    sr "$_ct_sr" ts 2026-11-20T10:00:00Z division TW status closed \
	    reason completed service "Catch Basin Blocked" \
	    note "Basin cleared" "$@" >/dev/null
}

# Publish, as the CRM would, a subscription by channel $1 (email or sms)
# and a closure with a note, both stamped now (so that no
# delivery.max_event_age_hours holds them back): $2 the SR (events s-SR
# and c-SR), $3 the address or phone; more arguments are more fields of
# the subscription (phone +1...). The closure is published once the SR's
# state has the subscription: with two daemons reading the stream, each
# may take one of the two events, and the closure must not be decided
# before the subscription is known.
closure_now() {
	_cn_channel=$1
	_cn_sr=$2
	_cn_field=email
	[ "$_cn_channel" = email ] || _cn_field=phone
	_cn_contact=$3
	shift 3
	_cn_ts=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	rcli XADD closeloop:events '*' v 1 type subscribe event_id "s-$_cn_sr" \
	    sr "$_cn_sr" ts "$_cn_ts" "$_cn_field" "$_cn_contact" locale en \
	    channels "$_cn_channel" "$@" >/dev/null
	wait_for 20 "the subscription of $_cn_sr" subscribed "$_cn_sr" \
	    "$_cn_channel" "$_cn_contact"
	rcli XADD closeloop:events '*' v 1 type status event_id "c-$_cn_sr" \
	    sr "$_cn_sr" ts "$_cn_ts" division TW status closed \
	    reason completed note "Basin cleared" >/dev/null
}

# Publish, as the CRM would, an event stamped now: $1 its type, $2 the
# SR, then more fields and values.
event_now() {
	_en_type=$1
	_en_sr=$2
	shift 2
	rcli XADD closeloop:events '*' v 1 type "$_en_type" sr "$_en_sr" \
	    ts "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$@" >/dev/null
}

# Succeed when SR $1's state has contact $3 on channel $2.
subscribed() {
	[ "$(rcli HEXISTS "closeloop:sr:{$1}:state" "c:$2:$3")" = 1 ]
}

# Publish a subscription by SMS and a closure with a note: $1 the SR, $2
# the phone, $3 the locale (default en).
sms_closed() {
	closure_to sms "$1" "$2" "${3:-en}"
}

# Print a field of a notification's record: $1 its id (SR/SEQ/I), $2 the
# field.
nfield() {
	_sr=${1%%/*}
	rcli HGET "closeloop:sr:{$_sr}:n:${1#*/}" "$2"
}

# Succeed when notification $1 is in state $2.
state_is() {
	[ "$(nfield "$1" state)" = "$2" ]
}

# Take the history of SR $1, as JSON lines, into $T/history.json for
# hfield_taken; $2 is an option of closeloop's before the command
# (--dry-run: the rehearsal's). A history closeloop cannot print fails
# the test, so that an empty one is never a crash.
history_json() {
	"$CLOSELOOP" -c "$CONF" ${2:-} history --json "$1" \
	    > "$T/history.json" ||
	    fail "closeloop ${2:+$2 }history --json $1 failed"
}

# Print field $1 of the entries in $T/history.json whose decision is $2
# (of every entry if $2 is empty or not given), one a line, a list as
# words; fails (status) if the file is not JSON lines.
hfield_taken() {
	/usr/bin/python3 -c '
import json, sys
want = sys.argv[2] if len(sys.argv) > 2 else ""
for line in sys.stdin:
    d = json.loads(line)
    if not want or d["decision"] == want:
        v = d.get(sys.argv[1], "")
        print(" ".join(v) if isinstance(v, list) else v)' "$@" \
	    < "$T/history.json"
}

# Take the history of SR $1 (history_json's $3 as its $2) and set
# NDECISIONS to the number of its entries with decision $2 (of all its
# entries if $2 is empty); a history that cannot be read fails the test.
count_decision() {
	history_json "$1" "${3:-}"
	_cd=$(hfield_taken decision "$2") ||
	    fail "the history of $1 cannot be read"
	NDECISIONS=$(printf '%s' "$_cd" | grep -c '^' || true)
}

# Succeed when SR $1 has at least $3 (default 1) entries with decision
# $2 in its history ($4 as history_json's $2); a history that cannot be
# read fails the test, so that "no" is never a crash.
has_decision() {
	count_decision "$1" "$2" "${4:-}"
	[ "$NDECISIONS" -ge "${3:-1}" ]
}
