#!/bin/sh
# idle.sh - an idle closeloopd does not wake up, and wakes when told
#
# closeloopd, with its listener and its audit.file writer, delivers an
# email and an SMS, then has nothing to do: over the next seconds none of
# its threads is scheduled even once (their context switches, from
# /proc, do not move). It still hears what concerns it: a pause of email
# with an end is over at that end, and a notification queued meanwhile
# goes then; a resume by hand, written by `closeloop resume` to the
# wake-up stream, sets the workers going at once; a new event is read as
# it comes; and after each the daemon is back to sleep.
. "$(dirname "$0")/../harness/lib.sh"

redis_start
smtpd_plain
gateway_plain
LISTEN_PORT=$(free_port)
HTTP_LISTEN="127.0.0.1:$LISTEN_PORT" write_config "" \
    "policy = { settle_seconds = 0; coalesce_seconds = 0; };
audit = { file = \"$T/audit.jsonl\"; };
$(smtp_config)
$(twilio_config)"
daemon_start
wait_for 10 "the listener" port_up "$LISTEN_PORT"

# Print the sum of every thread's context switches so far.
switches() {
	cat /proc/"$DAEMON_PID"/task/*/status 2>/dev/null |
	    awk '/^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n }'
}

# Print the number of threads.
threads() {
	ls /proc/"$DAEMON_PID"/task | wc -l
}

# Succeed when $1 messages are in the mailbox.
mails() {
	[ "$(ls "$MAIL" | grep -c '\.eml$')" -ge "$1" ]
}

# Succeed when the stand-in gateway took $1 texts.
texts() {
	[ "$(wc -l < "$GW_DIR/messages.jsonl" 2>/dev/null || echo 0)" -ge "$1" ]
}

# Fail unless no thread of closeloopd is scheduled for $1 seconds.
asleep() {
	_a0=$(switches)
	sleep "$1"
	_a1=$(switches)
	[ "$_a1" = "$_a0" ] ||
	    fail "closeloopd woke $((_a1 - _a0)) times in $1 idle seconds ($2)"
}

say "work, then nothing: no thread wakes"
closure_now email I-1 resident1@example.net
closure_now sms I-2 +14165550401
wait_for 30 "the email" mails 1
wait_for 30 "the text" texts 1
[ "$(threads)" -ge 8 ] || fail "expected main, listener, writer, 4 email and 1 sms thread, got $(threads)"
sleep 2	# the counts are folded a second after the last outcome
asleep 5 "after delivering"

say "a pause with an end is over then, with no look before"
"$CLOSELOOP" -c "$CONF" pause email \
    --until "$(date -u -d '+4 seconds' +%Y-%m-%dT%H:%M:%SZ)" \
    --note "idle test" >/dev/null || fail "closeloop pause email --until failed"
closure_now email I-3 resident3@example.net
sleep 1
mails 2 && fail "I-3's email went out while email was paused"
wait_for 30 "I-3's email after the pause" mails 2
sleep 2
asleep 4 "after the pause ended"

say "a resume by hand sets the workers going at once"
"$CLOSELOOP" -c "$CONF" pause email --note "idle test" >/dev/null ||
    fail "closeloop pause email failed"
closure_now email I-4 resident4@example.net
sleep 2
mails 3 && fail "I-4's email went out while email was paused"
asleep 3 "paused, with a notification waiting"
"$CLOSELOOP" -c "$CONF" resume email >/dev/null || fail "closeloop resume failed"
wait_for 10 "I-4's email after the resume" mails 3
sleep 2
asleep 4 "after the resume"
daemon_stop
