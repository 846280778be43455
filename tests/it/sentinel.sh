#!/bin/sh
# sentinel.sh - closeloopd follows its Redis master through failovers
#
# A master and a replica (append-only file, fsync always) and three
# sentinels (quorum 2) run on loopback ports; closeloopd finds the master
# through the sentinels (redis.sentinels, redis.master_name). Residents
# subscribe by email and their SRs close, in three rounds: before any
# failover, after one the sentinels are told to make (SENTINEL FAILOVER),
# and after the master is killed with SIGKILL so that they elect the
# other server. The told failover comes while a message is at the SMTP
# server, waiting for its reply: with min-replicas-to-write the old
# master refuses the outcome, which is written on the new one instead.
# closeloopd must log each new master it finds, handle every event once
# (nothing duplicate, pending or dead-lettered) and every resident must
# get exactly one message, recorded as sent after one attempt.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need redis-sentinel redis-sentinel
need "$PY" python3
"$PY" -c 'import aiosmtpd' 2>/dev/null ||
    missing "aiosmtpd is not installed (Debian package python3-aiosmtpd)"
MAILBOX="$PY $top_srcdir/tests/harness/mailbox.py"
NAME=mymaster
ROUND=20		# residents per round, one message each

# Print a free loopback port that no earlier call gave.
PORTS=
new_port() {
	while :; do
		p=$(free_port)
		case " $PORTS " in
		*" $p "*) ;;
		*) PORTS="$PORTS $p"; echo "$p"; return ;;
		esac
	done
}

# Run redis-cli against the server on port $1.
pcli() {
	_p=$1
	shift
	"$REDIS_CLI" -h 127.0.0.1 -p "$_p" "$@"
}

# lib.sh's helpers (stat, pending, lag, nfield) ask the current master.
rcli() {
	pcli "$MASTER" "$@"
}

# Succeed when the server on port $1 answers.
pong() {
	[ "$(pcli "$1" PING 2>/dev/null)" = PONG ]
}

# Start redis-server $1 on port $2 with more arguments; note its PID.
server_start() {
	_n=$1
	_p=$2
	shift 2
	mkdir -p "$T/$_n"
	"$REDIS_SERVER" --port "$_p" --bind 127.0.0.1 --dir "$T/$_n" \
	    --save "" --appendonly yes --appendfsync always \
	    --logfile "$T/$_n/redis.log" "$@" &
	eval "PID_$_p=$!"
	EXTRA_PIDS="$EXTRA_PIDS $!"
	wait_for 10 "redis-server $_n" pong "$_p"
}

# Start sentinel $1 on port $2 watching the master on port $3.
sentinel_start() {
	mkdir -p "$T/$1"
	cat > "$T/$1/sentinel.conf" <<EOS
port $2
bind 127.0.0.1
dir $T/$1
logfile $T/$1/sentinel.log
sentinel monitor $NAME 127.0.0.1 $3 2
sentinel down-after-milliseconds $NAME 1000
sentinel failover-timeout $NAME 5000
EOS
	redis-sentinel "$T/$1/sentinel.conf" &
	EXTRA_PIDS="$EXTRA_PIDS $!"
}

# Print a field of INFO replication of the server on port $1.
repl_field() {
	pcli "$1" INFO replication | tr -d '\r' | sed -n "s/^$2://p"
}

# Print a field of SENTINEL MASTER as sentinel $1 sees it.
sentinel_field() {
	pcli "$1" SENTINEL MASTER "$NAME" 2>/dev/null |
	    awk -v f="$2" 'prev == f { print; exit } { prev = $0 }'
}

# Succeed when every sentinel knows the replica and the other two.
sentinels_ready() {
	for s in $S1 $S2 $S3; do
		[ "$(sentinel_field "$s" num-slaves)" = 1 ] || return 1
		[ "$(sentinel_field "$s" num-other-sentinels)" = 2 ] || return 1
	done
}

# Succeed when every sentinel names the server on port $1 as the master
# and it says so itself.
master_is() {
	for s in $S1 $S2 $S3; do
		_a=$(pcli "$s" SENTINEL get-master-addr-by-name "$NAME" \
		    2>/dev/null | tail -n 1)
		[ "$_a" = "$1" ] || return 1
	done
	[ "$(pcli "$1" ROLE 2>/dev/null | head -n 1)" = master ]
}

# Succeed when the server on port $1 replicates from port $2, in step:
# a write made now on the master has reached it.
replicating() {
	[ "$(repl_field "$1" master_port)" = "$2" ] &&
	[ "$(repl_field "$1" master_link_status)" = up ] &&
	[ "$(printf 'SET it:sync %s\nWAIT 1 2000\n' "$1" |
	    pcli "$2" | tail -n 1)" = 1 ]
}

# Write the redis-cli commands of round $1: $ROUND residents subscribe by
# email, then their SRs close (two events each), with ten status events
# for SRs nobody follows.
round_events() {
	awk -v p="$1" -v n="$ROUND" 'BEGIN {
		x = "XADD closeloop:events * v 1 type"
		sub_ = x " subscribe event_id %s-s%d sr %s-%d"
		sub_ = sub_ " ts 2026-11-20T09:00:00Z email r%d@%s.example.org"
		sub_ = sub_ " locale en channels email\n"
		cl = x " status event_id %s-c%d sr %s-%d ts 2026-11-20T10:00:00Z"
		cl = cl " division TW status closed reason completed"
		cl = cl " service \"Catch Basin Blocked\"\n"
		for (i = 0; i < n; i++) {
			printf sub_, p, i, p, i, i, p
			printf cl, p, i, p, i
		}
	}'
	valid_events 10 5 "$1-v"
}

# Print the recipients the SMTP server got, one a line, sorted.
recipients() {
	[ -f "$MAIL/received.jsonl" ] || return 0
	"$PY" -c 'import json, sys
for line in open(sys.argv[1]):
    for r in json.loads(line)["rcpt_tos"]:
        print(r)' "$MAIL/received.jsonl" | sort
}

# Succeed when the server has received at least $1 messages.
received() {
	[ "$($MAILBOX count "$MAIL")" -ge "$1" ]
}

# Succeed when every notification of round $1 is recorded as sent.
round_sent() {
	i=0
	while [ "$i" -lt "$ROUND" ]; do
		state_is "$1-$i/1/0" sent || return 1
		i=$((i + 1))
	done
}

# Run round $1 against the current master and wait until it is done.
EVENTS=0
MAILS=0
round() {
	say "round $1: $ROUND residents told through the master on port $MASTER"
	round_events "$1" | rcli >/dev/null
	EVENTS=$((EVENTS + 2 * ROUND + 10))
	MAILS=$((MAILS + ROUND))
	wait_for 60 "$EVENTS events accepted" stat_is accepted "$EVENTS"
	wait_for 60 "$MAILS messages" received "$MAILS"
	wait_for 30 "round $1 recorded as sent" round_sent "$1"
}

P1=$(new_port)
P2=$(new_port)
S1=$(new_port)
S2=$(new_port)
S3=$(new_port)

say "a master on $P1, its replica on $P2, sentinels on $S1 $S2 $S3"
server_start a "$P1"
server_start b "$P2" --replicaof 127.0.0.1 "$P1"
MASTER=$P1
wait_for 20 "the replica" replicating "$P2" "$P1"
sentinel_start s1 "$S1" "$P1"
sentinel_start s2 "$S2" "$P1"
sentinel_start s3 "$S3" "$P1"
wait_for 30 "the sentinels to find the replica and each other" sentinels_ready

smtpd_plain

write_config "sentinels = ( \"127.0.0.1:$S1\", \"127.0.0.1:$S2\",
	    \"127.0.0.1:$S3\" );
	master_name = \"$NAME\";
	connect_timeout_ms = 500;
	retry_max_ms = 1000;" "
policy = { settle_seconds = 0; coalesce_seconds = 0; };
email = {
	smtp = \"smtp://127.0.0.1:$SMTP_PORT\";
	starttls = \"off\";
	from = \"Toronto 311 <311@example.org>\";
	sessions = 2;
	timeout_seconds = 10;
};"
daemon_start
wait_for 30 "closeloopd to find the master" \
    log_has "redis master $NAME at 127.0.0.1:$P1 (via sentinel 127.0.0.1:$S1)"
round a

say "SENTINEL FAILOVER while a message waits for its reply to DATA"
for p in $P1 $P2; do
	pcli "$p" CONFIG SET min-replicas-to-write 1 >/dev/null
	pcli "$p" CONFIG SET min-replicas-max-lag 10 >/dev/null
done
rcli XADD closeloop:events '*' v 1 type subscribe event_id m-s0 sr m-0 \
    ts 2026-11-20T09:00:00Z email slow6-m0@example.org locale en \
    channels email >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id m-c0 sr m-0 \
    ts 2026-11-20T10:00:00Z division TW status closed reason completed \
    >/dev/null
EVENTS=$((EVENTS + 2))
MAILS=$((MAILS + 1))
wait_for 30 "the message at the SMTP server" received "$MAILS"
wait_for 10 "its claim on the replica" replicating "$P2" "$P1"
pcli "$S1" SENTINEL FAILOVER "$NAME" >/dev/null
wait_for 60 "the sentinels to name $P2" master_is "$P2"
MASTER=$P2
wait_for 60 "$P1 to replicate from $P2" replicating "$P1" "$P2"
wait_for 60 "the outcome on the new master" state_is m-0/1/0 sent
assert "the outcome written again after the refusal" \
    log_has "recorded the outcome of m-0/1/0 after"
round b
assert "closeloopd logs the new master" \
    log_has "redis master $NAME at 127.0.0.1:$P2 (via sentinel"

say "the old master, now a replica, catches up; then the master is killed"
for p in $P1 $P2; do
	pcli "$p" CONFIG SET min-replicas-to-write 0 >/dev/null
done
wait_for 60 "$P1 to replicate from $P2" replicating "$P1" "$P2"
eval "kill -KILL \$PID_$P2"
wait_for 60 "the sentinels to elect $P1" master_is "$P1"
MASTER=$P1
round c
assert "closeloopd logs the master it went back to" \
    [ "$(log_count "redis master $NAME at 127.0.0.1:$P1 (via sentinel")" -ge 2 ]

say "everything once"
sleep 2
assert "every event accepted once" [ "$(stat accepted)" = "$EVENTS" ]
assert "no duplicates" [ "$(stat duplicate)" = 0 ]
assert "nothing pending" [ "$(pending)" = 0 ]
assert "lag 0" [ "$(lag)" = 0 ]
assert "no dead letters" [ "$(rcli XLEN closeloop:dead)" = 0 ]
assert "$MAILS messages" [ "$($MAILBOX count "$MAIL")" = "$MAILS" ]
assert "no Message-ID twice" [ "$($MAILBOX unique "$MAIL")" = "$MAILS" ]
for p in a b c; do
	i=0
	while [ "$i" -lt "$ROUND" ]; do
		echo "r$i@$p.example.org"
		i=$((i + 1))
	done
done > "$T/expected"
echo slow6-m0@example.org >> "$T/expected"
sort -o "$T/expected" "$T/expected"
recipients > "$T/got"
diff "$T/expected" "$T/got" || fail "the recipients differ from the residents"
for p in a b c; do
	i=0
	while [ "$i" -lt "$ROUND" ]; do
		n=$(nfield "$p-$i/1/0" attempts)
		[ "$n" = 1 ] || fail "$p-$i/1/0 took $n attempts"
		i=$((i + 1))
	done
done
assert "m-0/1/0 sent after one attempt" [ "$(nfield m-0/1/0 attempts)" = 1 ]
$MAILBOX check "$MAIL" >/dev/null || fail "a message is malformed"
daemon_stop
echo "PASS"
