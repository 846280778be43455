#!/bin/sh
# drill.sh - reliability drills: closeloopd under kills and outages
#
#	tests/it/drill.sh [--long] DRILL...	DRILL: kill, redis, smtp,
#						gateway, disk, or all
#
# Each drill runs two closeloopd in one consumer group (consumers d1 and
# d2), delivering email to tests/harness/smtpd.py (aiosmtpd) and SMS to
# tests/harness/gateway.py (the twilio profile), with settle_seconds and
# coalesce_seconds 0 so that every status event's notice goes out at
# once, and audit.file set for each. It feeds a known workload (below)
# and breaks something while closeloopd works through it:
#
#   kill     SIGKILL of a random instance at random moments of the work,
#            restarted at once (short: 1,000 events, 5 kills; long:
#            10,000, 100)
#   redis    Redis (appendonly yes, appendfsync always) stopped with
#            SIGTERM and started again while events and messages are in
#            hand (short: 500 events, once; long: 4,000 events, 4 times,
#            and 4 times with SIGKILL)
#   smtp     the SMTP server gone for 8 s (long: 60 s)
#   gateway  the SMS gateway answering 500 for 8 s (long: 60 s)
#   disk     the file system of the audit files full for 8 s (long:
#            60 s): a tmpfs mounted in a mount namespace of the drill's
# The outage drills feed 300 events (long: 2,000).
#
# Then it checks, from what the SMTP server and the gateway received and
# from Redis and the audit files: the notification records are exactly
# those the workload must give, every one sent; every email and text
# arrived (nothing lost); every suppression held (no SR closed as a
# transfer is told "completed", each explicit_transfer recorded); a
# message arrived twice only after an interrupted attempt (its record
# says resent=1), with the same Message-ID or idempotency token; every
# event was handled once; each instance's audit file holds every entry
# of the trail. A table sums each drill up.
#
# --long (or DRILL_LONG=1) runs the long form; DRILL_SEED repeats the
# random choices of an earlier run; DRILL_KILLS changes the number of
# kills. docs/reliability.md says what each drill proves and what the
# long forms measured.
set -eu

LONG=${DRILL_LONG:-0}
case ${1:-} in
--long)
	LONG=1
	shift
	;;
esac
[ $# -gt 0 ] || set -- all
if [ $# -gt 1 ] || [ "$1" = all ]; then
	[ "$1" != all ] || set -- kill redis smtp gateway disk
	rc=0
	for d in "$@"; do
		DRILL_LONG=$LONG sh "$0" "$d" || rc=$?
		[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || exit "$rc"
	done
	exit "$rc"
fi
DRILL=$1
case $DRILL in
kill|redis|smtp|gateway|disk) ;;
*)
	echo "usage: drill.sh [--long] kill|redis|smtp|gateway|disk|all" >&2
	exit 2
	;;
esac

# The disk drill mounts a tmpfs in a mount namespace of its own, which
# goes away with the drill: as root with unshare -m, otherwise in a user
# namespace (unshare -rm) where the drill is root.
if [ "$DRILL" = disk ] && [ -z "${DRILL_NS:-}" ]; then
	if [ "$(id -u)" = 0 ]; then
		ns=-m
	else
		ns=-rm
	fi
	if unshare "$ns" true 2>/dev/null; then
		DRILL_NS=1 DRILL_LONG=$LONG exec unshare "$ns" sh "$0" disk
	fi
	DRILL_NS=none
fi

. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    missing "aiosmtpd is not installed (Debian package python3-aiosmtpd)"
SEED=${DRILL_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
START=$(date +%s)
RETRY_MAX=8
PFX=$(echo "$DRILL" | cut -c1 | tr a-z A-Z)
FAULTS=
D1=
D2=
SMTP_PID=
GW_PID=
FEED_PID=
MOUNTED=
MAIL="$T/mail"
GW_DIR="$T/gateway"
GW_CONTROL="$T/gateway.control"
AUDIT_DIR="$T/audit"
mkdir -p "$MAIL" "$GW_DIR" "$AUDIT_DIR"
: > "$GW_CONTROL"
SMTP_PORT=$(free_port)
GW_PORT=$(free_port)
DLOG="$T/d1.log"
closeloop_wrote "$T/d2.log"

# Keep lib.sh's cleanup told of every process the drill runs.
drill_pids() {
	DAEMON_PID="$D1 $D2"
	EXTRA_PIDS="$SMTP_PID $GW_PID $FEED_PID"
}

# Show the second instance's log too when the drill fails.
drill_exit() {
	rc=$?
	set +e
	if [ "$rc" -ne 0 ] && [ -f "$T/d2.log" ]; then
		echo "--- last lines of d2's log:"
		tail -n 40 "$T/d2.log"
	fi
	if [ -n "$MOUNTED" ]; then
		for _pid in $D1 $D2; do
			kill -KILL "$_pid" 2>/dev/null
			wait "$_pid" 2>/dev/null
		done
		umount "$AUDIT_DIR" || umount -l "$AUDIT_DIR"
	fi
	(exit "$rc")
	cleanup
}
trap drill_exit EXIT

# Start the SMTP server on SMTP_PORT, keeping what it receives in $MAIL.
smtp_up() {
	"$PY" "$top_srcdir/tests/harness/smtpd.py" --port "$SMTP_PORT" --dir "$MAIL" \
	    >>"$T/smtpd.log" 2>&1 &
	SMTP_PID=$!
	drill_pids
	wait_for 10 "the SMTP server" port_up "$SMTP_PORT"
}

# Stop the SMTP server.
smtp_down() {
	kill -TERM "$SMTP_PID"
	wait "$SMTP_PID" 2>/dev/null || true
	SMTP_PID=
	drill_pids
}

# Start the SMS gateway on GW_PORT.
gateway_up() {
	"$PY" "$top_srcdir/tests/harness/gateway.py" --port "$GW_PORT" \
	    --dir "$GW_DIR" --account ACdrill --token dr1ll \
	    --control "$GW_CONTROL" >>"$T/gateway.log" 2>&1 &
	GW_PID=$!
	drill_pids
	wait_for 10 "the SMS gateway" port_up "$GW_PORT"
}

# Replace the gateway's control file with $1.
gateway_control() {
	printf '%s\n' "$1" > "$GW_CONTROL.new"
	mv "$GW_CONTROL.new" "$GW_CONTROL"
}

# Write instance $1's configuration to $T/d$1.conf; $2 goes into the redis
# group, $3 after the rest.
drill_config() {
	CONSUMER=d$1 write_config "claim_idle_ms = 5000; ${2:-}" "
policy = { settle_seconds = 0; coalesce_seconds = 0; };
retry = { initial_seconds = 1; max_seconds = $RETRY_MAX; };
email = {
	smtp = \"smtp://127.0.0.1:$SMTP_PORT\";
	starttls = \"off\";
	from = \"Toronto 311 <311@example.org>\";
	sessions = 2;
	messages_per_session = 20;
	timeout_seconds = 10;
};
sms = {
	gateway = \"twilio\";
	url = \"http://127.0.0.1:$GW_PORT/2010-04-01/Accounts/ACdrill/Messages.json\";
	username = \"ACdrill\";
	password_file = \"$T/twilio.secret\";
	allow_http_loopback = true;
	from = \"+14165550311\";
	max_per_second = 400;
	connections = 8;
	timeout_seconds = 5;
};
audit = { file = \"$AUDIT_DIR/d$1.jsonl\"; };
${3:-}"
	mv "$CONF" "$T/d$1.conf"
}

# Start instance $1 (1 or 2).
d_start() {
	$WRAP "$CLOSELOOPD" -c "$T/d$1.conf" >>"$T/d$1.log" 2>&1 &
	eval "D$1=\$!"
	drill_pids
}

# SIGKILL instance $1 and wait for it.
d_kill() {
	eval "_pid=\$D$1"
	kill -KILL "$_pid"
	wait "$_pid" 2>/dev/null || true
	eval "D$1="
	drill_pids
}

# Stop instance $1 with SIGTERM; fail unless it exits 0 within 30 s.
d_stop() {
	eval "_pid=\$D$1"
	kill -TERM "$_pid"
	i=0
	while kill -0 "$_pid" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -le 300 ] || fail "d$1 did not exit within 30s of SIGTERM"
		sleep 0.1
	done
	_rc=0
	wait "$_pid" || _rc=$?
	eval "D$1="
	drill_pids
	[ "$_rc" -eq 0 ] || fail "d$1 exited with $_rc after SIGTERM"
}

# Start the sinks and both instances; $1 goes into the redis group of the
# configuration, $2 after the rest.
drill_start() {
	printf 'dr1ll\n' > "$T/twilio.secret"
	chmod 600 "$T/twilio.secret"
	smtp_up
	gateway_up
	drill_config 1 "${1:-}" "${2:-}"
	drill_config 2 "${1:-}" "${2:-}"
	d_start 1
	d_start 2
}

# The workload: SRs P-0 .. P-(N-1) (P the drill's initial), in four kinds
# by i % 4, each with one subscriber (by SMS when i % 3 is 2, else by
# email) and four status events, each told at once unless said:
#   0 plain      TS received, assigned, in_progress, closed completed
#   1 transfer   TS received; TS closed reason=transferred transfer_to=TW
#                (never told as completed: suppressed explicit_transfer,
#                told transferred); TW received (a repeat: suppressed
#                unchanged); TW in_progress
#   2 not done   TW received; TW closed reason=scheduled (told scheduled,
#                flagged closed_not_done); in_progress; closed completed
#   3 partial    TS received WO-1; assigned WO-2; closed completed WO-1
#                (suppressed partial_work_order, told in_progress);
#                closed completed WO-2
# Phase 0 is the subscription, phases 1 to 4 the status events: each SR
# gets one event a phase, and a phase begins once the last one is handled
# and its notices are queued, so what is told does not depend on which
# instance takes which event (docs/policy.md, "Several closeloopd").

# Print the redis-cli commands of phase $3 for SRs $1 .. $2 - 1.
drill_phase() {
	awk -v from="$1" -v to="$2" -v ph="$3" -v p="$PFX" 'BEGIN {
	ev[0, 1] = "TS status received"
	ev[0, 2] = "TS status assigned"
	ev[0, 3] = "TS status in_progress"
	ev[0, 4] = "TS status closed reason completed"
	ev[1, 1] = "TS status received"
	ev[1, 2] = "TS status closed reason transferred transfer_to TW"
	ev[1, 3] = "TW status received"
	ev[1, 4] = "TW status in_progress"
	ev[2, 1] = "TW status received"
	ev[2, 2] = "TW status closed reason scheduled scheduled_for 2026-12-01"
	ev[2, 3] = "TW status in_progress"
	ev[2, 4] = "TW status closed reason completed"
	ev[3, 1] = "TS status received work_order WO-1"
	ev[3, 2] = "TS status assigned work_order WO-2"
	ev[3, 3] = "TS status closed reason completed work_order WO-1"
	ev[3, 4] = "TS status closed reason completed work_order WO-2"
	for (i = from; i < to; i++) {
		printf "XADD closeloop:events * v 1 event_id %se%d-%d sr %s-%d",
		    p, ph, i, p, i
		printf " ts 2026-11-20T1%d:00:00Z type ", ph
		if (ph > 0)
			printf "status division %s\n", ev[i % 4, ph]
		else if (i % 3 == 2)
			printf "subscribe phone +1416%07d channels sms\n", i
		else
			printf "subscribe email r%d@example.org channels email\n", i
	}
}'
}

# Print the notifications of the workload of SRs 0 .. $1 - 1, one a line:
# id, channel, notice.
drill_expected() {
	awk -v n="$1" -v p="$PFX" 'BEGIN {
	nt[0] = "received assigned in_progress completed"
	nt[1] = "received transferred in_progress"
	nt[2] = "received scheduled in_progress completed"
	nt[3] = "received assigned in_progress completed"
	for (i = 0; i < n; i++) {
		c = split(nt[i % 4], s, " ")
		for (j = 1; j <= c; j++)
			printf "%s-%d/%d/0 %s %s\n", p, i, j, i % 3 == 2 ? "sms" : "email", s[j]
	}
}'
}

# Write the workload's expected notifications for $1 SRs to
# $T/expected, and set E and S (how many by email, by SMS) and EVENTS.
drill_workload() {
	N=$1
	EVENTS=$((N * 5))
	drill_expected "$N" | sort > "$T/expected"
	E=$(awk '$2 == "email"' "$T/expected" | wc -l)
	S=$(awk '$2 == "sms"' "$T/expected" | wc -l)
}

# Succeed when $1 events are accepted and no notice waits for release
# (quietly false while Redis is away).
drill_settled() {
	_a=$(rcli HGET closeloop:stats accepted 2>/dev/null) || return 1
	_q=$(rcli ZCARD closeloop:due 2>/dev/null) || return 1
	[ "${_a:-0}" -ge "$1" ] && [ "$_q" = 0 ]
}

# Feed the workload of SRs $1 .. $2 - 1 in chunks of 50, phase by phase,
# calling $3 with the chunk's number and the phase after each phase is
# written.
drill_feed() {
	_first=$1
	_last=$2
	_hook=$3
	_done=$(stat accepted)
	_c=0
	while [ $((_first + _c * 50)) -lt "$_last" ]; do
		_from=$((_first + _c * 50))
		_to=$((_from + 50))
		[ "$_to" -le "$_last" ] || _to=$_last
		for _ph in 0 1 2 3 4; do
			drill_phase "$_from" "$_to" "$_ph" | rcli >/dev/null
			_done=$((_done + _to - _from))
			$_hook "$_c" "$_ph"
			wait_for 120 "phase $_ph of SRs $_from-$_to" \
			    drill_settled "$_done"
		done
		_c=$((_c + 1))
	done
}

# Print a field of each JSON line of file $1 (if it exists), one a line.
json_field() {
	[ -f "$1" ] || return 0
	"$PY" -c 'import json, sys
for line in open(sys.argv[1]):
    print(json.loads(line)[sys.argv[2]])' "$1" "$2"
}

# Turn notification ids into their Message-IDs.
id_to_mid() {
	sed 's|/|.|g; s|^|<|; s|$|@example.org>|'
}

# Print how many lines file $1 has (0 if it does not exist).
lines() {
	if [ -f "$1" ]; then
		wc -l < "$1"
	else
		echo 0
	fi
}

# Succeed when every event is handled, nothing waits to be sent or for
# its outcome, and the sinks have as many messages as expected.
drill_arrived() {
	[ "$(stat accepted)" = "$EVENTS" ] &&
	    [ "$(rcli ZCARD closeloop:due)" = 0 ] &&
	    [ "$(rcli ZCARD closeloop:outbox:email)" = 0 ] &&
	    [ "$(rcli ZCARD closeloop:outbox:sms)" = 0 ] &&
	    [ "$(rcli ZCARD closeloop:outbox:sending)" = 0 ] &&
	    [ "$(lines "$MAIL/received.jsonl")" -ge "$E" ] &&
	    [ "$(lines "$GW_DIR/messages.jsonl")" -ge "$S" ]
}

# Wait until everything arrived, then stop both instances.
drill_finish() {
	wait_for "${1:-300}" "every notification to arrive" drill_arrived
	sleep 1
	d_stop 1
	d_stop 2
}

# Write $T/records, "id state notice channel resent attempts" for every
# notification record in Redis.
drill_records() {
	rcli --scan --pattern 'closeloop:sr:*:n:*' |
	    awk '{ print "HMGET " $0 " id state notice channel resent attempts" }' |
	    rcli | awk '
	{ v[++k] = $0 == "" ? "-" : $0 }
	k == 6 { print v[1], v[2], v[3], v[4], v[5], v[6]; k = 0 }' |
	    sort > "$T/records"
}

# Check everything a drill must leave; $1 the number of SRs. Sets DUPS
# (copies of an email beyond the first) and REPEATS (texts the gateway
# took again under a token it knew).
drill_check() {
	drill_records
	awk '{ print $1, $4, $3 }' "$T/records" | sort > "$T/recorded"
	cmp -s "$T/expected" "$T/recorded" || {
		diff "$T/expected" "$T/recorded" | head -20
		fail "the notification records are not the expected ones"
	}
	_bad=$(awk '$2 != "sent"' "$T/records" | wc -l)
	[ "$_bad" = 0 ] || {
		awk '$2 != "sent"' "$T/records" | head
		fail "$_bad notifications are not sent"
	}

	# The sinks: each expected message, nothing else.
	awk '$2 == "email" { print $1 }' "$T/expected" | id_to_mid | sort \
	    > "$T/want.email"
	awk '$2 == "sms" { print $1 }' "$T/expected" | sort > "$T/want.sms"
	json_field "$MAIL/received.jsonl" message_id | sort > "$T/all.email"
	sort -u "$T/all.email" > "$T/got.email"
	json_field "$GW_DIR/messages.jsonl" token | sort > "$T/all.sms"
	sort -u "$T/all.sms" > "$T/got.sms"
	cmp -s "$T/want.email" "$T/got.email" || {
		diff "$T/want.email" "$T/got.email" | head -20
		fail "the emails received are not the expected ones"
	}
	cmp -s "$T/want.sms" "$T/got.sms" || {
		diff "$T/want.sms" "$T/got.sms" | head -20
		fail "the texts received are not the expected ones"
	}
	cmp -s "$T/all.sms" "$T/got.sms" ||
	    fail "the gateway took a text twice under one token"
	RECEIVED=$(($(wc -l < "$T/all.email") + $(wc -l < "$T/all.sms")))
	DUPS=$(($(wc -l < "$T/all.email") - $(wc -l < "$T/got.email")))
	REPEATS=$(lines "$GW_DIR/repeats.jsonl")

	# A second copy comes only from an attempt cut short: its record
	# says resent=1. A repeated token may also follow a timeout.
	uniq -d "$T/all.email" > "$T/dup.email"
	awk '$5 == 1 { print $1 }' "$T/records" | id_to_mid | sort \
	    > "$T/resent"
	_stray=$(comm -23 "$T/dup.email" "$T/resent" | wc -l)
	[ "$_stray" = 0 ] || {
		comm -23 "$T/dup.email" "$T/resent" | head
		fail "$_stray emails arrived twice without an interrupted attempt"
	}
	json_field "$GW_DIR/repeats.jsonl" token | sort -u > "$T/dup.sms"
	awk '$5 == 1 || $6 > 1 { print $1 }' "$T/records" | sort \
	    > "$T/again"
	_stray=$(comm -23 "$T/dup.sms" "$T/again" | wc -l)
	[ "$_stray" = 0 ] ||
	    fail "$_stray texts were sent again after a single attempt"

	# The suppressions and flags, for each SR of their kind: the
	# transfers not told as completed, the partial closures (suppressed,
	# then queued as in progress), the closures that only scheduled the
	# work.
	rcli XRANGE closeloop:audit - + | awk '
	    $0 == "rule" { getline; c[$0]++ }
	    END { printf "%d %d %d\n", c["explicit_transfer"],
		c["partial_work_order"], c["closed_not_done"] }' > "$T/rules"
	awk -v n="$1" 'BEGIN { printf "%d %d %d\n", int((n + 2) / 4),
	    2 * int(n / 4), int((n + 1) / 4) }' > "$T/rules.want"
	cmp -s "$T/rules" "$T/rules.want" ||
	    fail "explicit_transfer, partial_work_order, closed_not_done:" \
	    "$(cat "$T/rules") recorded, not $(cat "$T/rules.want")"

	# Every event handled once, nothing left behind.
	assert "nothing handled twice" [ "$(stat duplicate)" = 0 ]
	assert "every event accepted" [ "$(stat accepted)" = "$EVENTS" ]
	assert "no dead letters" [ "$(rcli XLEN closeloop:dead)" = 0 ]
	assert "nothing pending" [ "$(pending)" = 0 ]
	assert "lag 0" [ "$(lag)" = 0 ]

	# Every entry of the trail in each instance's audit file, each line
	# whole (a kill may repeat lines; "id" tells them apart).
	rcli XRANGE closeloop:audit - + | grep -E '^[0-9]+-[0-9]+$' | sort \
	    > "$T/audit.ids"
	for _d in 1 2; do
		json_field "$AUDIT_DIR/d$_d.jsonl" id > "$T/audit.d$_d" ||
		    fail "d$_d's audit file holds a line that is not JSON"
		sort -u -o "$T/audit.d$_d" "$T/audit.d$_d"
		cmp -s "$T/audit.ids" "$T/audit.d$_d" || {
			comm -3 "$T/audit.ids" "$T/audit.d$_d" | head
			fail "d$_d's audit file does not hold every entry"
		}
	done
}

# Print the drill's line of the summary table.
drill_summary() {
	printf '%-8s %7s %9s %9s %5s %8s  %-17s %7s\n' drill events \
	    expected received dups repeats faults elapsed
	printf '%-8s %7s %9s %9s %5s %8s  %-17s %6ss\n' "$DRILL" "$EVENTS" \
	    "$((E + S))" "$RECEIVED" "$DUPS" "$REPEATS" "$FAULTS" \
	    "$(($(date +%s) - START))"
}

# A phase hook that does nothing.
drill_nothing() {
	:
}

# Succeed when the work done - events accepted and messages sent - has
# reached $1.
drill_progress() {
	[ "$(rcli HMGET closeloop:stats accepted decision:sent |
	    awk '{ n += $1 } END { print n + 0 }')" -ge "$1" ]
}

# kill: SIGKILLs of a random instance at random moments of the work,
# each instance restarted at once under its name. A moment is a point
# drawn at random in the work to be done (events to accept and messages
# to send, counted in closeloop:stats): the kill comes as soon as the
# instances have done that much, so the kills are spread over the work
# however fast the machine is.
drill_kill() {
	if [ "$LONG" = 1 ]; then
		drill_workload 2000
		_k=${DRILL_KILLS:-100}
	else
		drill_workload 200
		_k=${DRILL_KILLS:-5}
	fi
	redis_start
	drill_start
	awk -v k="$_k" -v s="$SEED" -v w="$((EVENTS + E + S))" 'BEGIN {
	srand(s % 2147483647)
	for (i = 0; i < k; i++)
		printf "%d %d\n", int(w * (0.02 + 0.96 * rand())),
		    1 + int(rand() * 2)
}' | sort -n > "$T/kills"
	say "seed $SEED: $N SRs, $EVENTS events, $_k kills"
	(trap - EXIT INT TERM; drill_feed 0 "$N" drill_nothing) &
	FEED_PID=$!
	drill_pids
	_n=0
	_busy=0
	while read -r _at _victim; do
		wait_for 300 "the work to reach $_at" drill_progress "$_at"
		_claims=$(rcli ZCARD closeloop:outbox:sending)
		d_kill "$_victim"
		# When each kill came, to set beside the sinks' times (KEEP=1).
		echo "$_victim $(date +%s.%N)" >> "$T/kills.done"
		_n=$((_n + 1))
		[ "$_claims" = 0 ] || _busy=$((_busy + 1))
		echo "kill $_n at $(($(date +%s) - START))s: d$_victim, work" \
		    "done $_at, $_claims claims in hand"
		d_start "$_victim"
	done < "$T/kills"
	wait "$FEED_PID" || fail "feeding the workload failed"
	FEED_PID=
	drill_pids
	drill_finish
	FAULTS="$_n kills"
	drill_check "$N"
	drill_summary
	echo "$_busy of $_n kills came with notifications being sent;" \
	    "per 100 kills, $(awk -v d="$DUPS" -v k="$_n" \
	    'BEGIN { printf "%.1f", k ? 100 * d / k : 0 }') emails arrived" \
	    "twice and the gateway took $(awk -v d="$REPEATS" -v k="$_n" \
	    'BEGIN { printf "%.1f", k ? 100 * d / k : 0 }') texts again" \
	    "under their token"
}

# Stop Redis with signal $1 a moment after a phase was written, and start
# it again after $2 seconds.
redis_bounce() {
	sleep "$(awk -v s="$SEED$RESTARTS" 'BEGIN { srand(s % 2147483647)
	    printf "%.2f", rand() * 0.3 }')"
	kill "-$1" "$REDIS_PID"
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=
	RESTARTS=$((RESTARTS + 1))
	echo "redis stopped with SIG$1 at $(($(date +%s) - START))s," \
	    "started again after ${2}s"
	sleep "$2"
	redis_start --appendonly yes --appendfsync always
}

# The redis drill's hook: bounce Redis after the phases of the schedule
# ($T/bounces: chunk phase signal).
redis_hook() {
	_sig=$(awk -v c="$1" -v p="$2" '$1 == c && $2 == p { print $3 }' \
	    "$T/bounces")
	[ -z "$_sig" ] || redis_bounce "$_sig" 2
}

# redis: Redis stopped and started again while closeloopd works.
drill_redis() {
	RESTARTS=0
	if [ "$LONG" = 1 ]; then
		drill_workload 800
		printf '%s\n' "1 2 TERM" "2 4 KILL" "4 1 TERM" "6 3 KILL" \
		    "8 2 TERM" "10 4 KILL" "12 1 TERM" "14 3 KILL" \
		    > "$T/bounces"
	else
		drill_workload 100
		echo "1 2 TERM" > "$T/bounces"
	fi
	redis_start --appendonly yes --appendfsync always
	drill_start "retry_max_ms = 500;"
	say "seed $SEED: $N SRs, $EVENTS events, Redis stopped" \
	    "$(wc -l < "$T/bounces") times"
	drill_feed 0 "$N" redis_hook
	drill_finish
	FAULTS="$RESTARTS redis restarts"
	for _d in 1 2; do
		grep -q "redis unavailable" "$T/d$_d.log" ||
		    fail "d$_d did not notice Redis was gone"
	done
	drill_check "$N"
	drill_summary
}

# Check the retries in the audit file $1: for every notification retried
# more than once, its attempts count up, each came no sooner than the one
# before announced, and each announced delay lies in the backoff's window
# (retry.initial_seconds 1 doubling to retry.max_seconds $RETRY_MAX: half
# the window plus a random part of up to half), never shorter than the
# one before while the window doubles. Print what fails, then, for each
# attempt, the delays announced after it and the time the next one came.
drill_backoff() {
	"$PY" - "$1" "$RETRY_MAX" <<'EOF'
import json, re, sys
tries = {}
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("decision") == "retried":
        tries.setdefault(e["notification"], {})[e["id"]] = e
top = int(sys.argv[2])
bad = 0
seen = {}
for nid, byid in sorted(tries.items()):
    es = sorted(byid.values(),
                key=lambda e: tuple(map(int, e["id"].split("-"))))
    if len(es) < 2:
        continue
    att = [e["attempt"] for e in es]
    said = [int(re.search(r"next attempt in (\d+)s", e["detail"]).group(1))
            for e in es]
    at = [int(e["id"].split("-")[0]) / 1000 for e in es]
    if att != list(range(att[0], att[0] + len(att))):
        bad += 1
        print(nid, "attempts", att, "do not count up")
    for k in range(len(es)):
        window = min(2 ** (att[k] - 1), top)
        gap = at[k + 1] - at[k] if k + 1 < len(es) else None
        s = seen.setdefault(att[k], [[], []])
        s[0].append(said[k])
        if gap is not None:
            s[1].append(gap)
        if not window / 2 <= said[k] <= window:
            bad += 1
            print(nid, "attempt %d: %ds announced, the window is %ds"
                  % (att[k], said[k], window))
        if gap is not None and gap < said[k] - 1:
            bad += 1
            print(nid, "attempt %d came %.1fs after %d, %ds announced"
                  % (att[k + 1], gap, att[k], said[k]))
        if k > 0 and window == 2 * min(2 ** (att[k - 1] - 1), top) and \
                said[k] < said[k - 1]:
            bad += 1
            print(nid, "attempt %d: %ds announced, %ds before"
                  % (att[k], said[k], said[k - 1]))
for a, (said, gaps) in sorted(seen.items()):
    print("after attempt %d: next in %d-%d s announced%s (%d notifications)"
          % (a, min(said), max(said), ", came after %.1f-%.1f s"
             % (min(gaps), max(gaps)) if gaps else "", len(said)))
sys.exit(1 if bad or not seen else 0)
EOF
}

# Size an outage drill: the workload, how long the outage lasts (OUTAGE,
# s) and retry.max_seconds; $1 says what the outage is, $2 in short.
drill_outage() {
	if [ "$LONG" = 1 ]; then
		drill_workload 400
		OUTAGE=60
		RETRY_MAX=16
	else
		drill_workload 60
		OUTAGE=8
	fi
	FAULTS="$2 ${OUTAGE}s"
	say "$N SRs, $EVENTS events; $1 for ${OUTAGE}s"
}

# Wait until the instances log a retry matching $1, then until the
# outage begun at $2 (date +%s) has lasted OUTAGE seconds.
drill_outage_wait() {
	wait_for "$OUTAGE" "the first retries" grep -q "retried.*$1" \
	    "$T/d1.log" "$T/d2.log"
	_left=$((OUTAGE - ($(date +%s) - $2)))
	[ "$_left" -le 0 ] || sleep "$_left"
}

# Check that the audit shows the retries' backoff, and print it.
drill_outage_check() {
	drill_backoff "$AUDIT_DIR/d1.jsonl" > "$T/backoff" || {
		cat "$T/backoff"
		fail "the retries do not show the backoff"
	}
	cat "$T/backoff"
}

# smtp: the SMTP server gone for a while.
drill_smtp() {
	drill_outage "the SMTP server gone" "smtp down"
	redis_start
	drill_start
	drill_feed 0 $((N / 3)) drill_nothing
	smtp_down
	_t=$(date +%s)
	drill_feed $((N / 3)) "$N" drill_nothing
	drill_outage_wait "Connection refused" "$_t"
	smtp_up
	echo "the SMTP server is back after $(($(date +%s) - _t))s"
	drill_finish 120
	drill_check "$N"
	drill_outage_check
	drill_summary
}

# gateway: the SMS gateway answering 500 for a while.
drill_gateway() {
	drill_outage "the gateway answering 500" "gateway 500"
	redis_start
	drill_start
	gateway_control "500 1000000"
	_t=$(date +%s)
	drill_feed 0 "$N" drill_nothing
	drill_outage_wait "HTTP 500" "$_t"
	gateway_control ""
	echo "the gateway answers again after $(($(date +%s) - _t))s"
	drill_finish 120
	drill_check "$N"
	_refused=$(grep -c '"status": 500' "$GW_DIR/requests.jsonl" || true)
	echo "$_refused requests answered 500"
	assert "texts were refused" [ "$_refused" -gt 0 ]
	drill_outage_check
	drill_summary
}

# disk: the file system of the audit files full for a while.
drill_disk() {
	[ "${DRILL_NS:-}" = 1 ] || [ "$(id -u)" = 0 ] ||
	    missing "the disk drill needs root or unprivileged user" \
	    "namespaces (unshare -rm) to mount a tmpfs"
	drill_outage "the audit files' disk full" "disk full"
	mount -t tmpfs -o size=64m,mode=0755 closeloop-drill "$AUDIT_DIR" ||
	    missing "cannot mount a tmpfs for the audit files"
	MOUNTED=1
	redis_start
	drill_start
	wait_for 10 "the audit files" test -f "$AUDIT_DIR/d1.jsonl" -a \
	    -f "$AUDIT_DIR/d2.jsonl"
	dd if=/dev/zero of="$AUDIT_DIR/filler" bs=64k 2>/dev/null || true
	_t=$(date +%s)
	drill_feed 0 "$N" drill_nothing
	for _d in 1 2; do
		wait_for 20 "d$_d to report the full disk" grep -q \
		    "^<3>audit.file .*d$_d.jsonl: cannot write .*No space left on device" \
		    "$T/d$_d.log"
	done
	echo "d1 logs: $(grep -m 1 '^<3>audit.file' "$T/d1.log")"
	_left=$((OUTAGE - ($(date +%s) - _t)))
	[ "$_left" -le 0 ] || sleep "$_left"
	rm "$AUDIT_DIR/filler"
	echo "space again after $(($(date +%s) - _t))s"
	for _d in 1 2; do
		wait_for 20 "d$_d's audit file to resume" grep -q \
		    "audit.file .*d$_d.jsonl: written again after" "$T/d$_d.log"
	done
	echo "d1 logs: $(grep -m 1 'audit.file .*written again' "$T/d1.log")"
	drill_finish 120
	drill_check "$N"
	drill_summary
}

drill_$DRILL
echo "PASS"
