# benchlib.sh - what tests/bench/bench.sh and tests/bench/bench_year.sh
# share: smtp-sink, the SMS stand-in, closeloopd's configuration for a
# run, and the tests of when closeloopd has nothing left to do
#
# Sourced after tests/harness/lib.sh. BENCH_SMS says which SMS stand-in
# (gateway_start); BENCH_SMS_CONNECTIONS is sms.connections (default 32:
# with closeloopd's default of 8, the SMS worker of a busy backlog claims
# a text or two at a time, and its texts end seconds after the emails);
# BENCH_SESSIONS is email.sessions (default 4); BENCH_CONF, more text for
# closeloopd's configuration.
. "$top_srcdir/tests/harness/nginx.sh"
PY=/usr/bin/python3
WORKLOAD="$PY $top_srcdir/tests/bench/bench_workload.py"
SINK=${SMTP_SINK:-/usr/sbin/smtp-sink}
[ -x "$SINK" ] || missing "smtp-sink is not installed (Debian package postfix; tests/bench/bench_setup.sh)"
SESSIONS=${BENCH_SESSIONS:-4}
# smtp-sink drops its privileges to nobody, who must reach $T.
chmod 711 "$T"

# Start smtp-sink on a free port, each message into a file of its own in
# $SINK_DIR (the file's mtime: when it answered 250, to a few ms); with
# $1 = clock, into a FIFO read by bench_workload.py clock, which notes in
# $T/clock.txt when each arrives, to a fraction of a millisecond; with
# $1 = nowhere, kept nowhere.
sink_start() {
	SINK_DIR="$T/sink"
	rm -rf "$SINK_DIR"
	mkdir -p "$SINK_DIR"
	chmod 777 "$SINK_DIR"
	SMTP_PORT=$(free_port)
	_u=
	[ "$(id -u)" != 0 ] || _u="-u nobody"
	_dump="-d $SINK_DIR/%H%M%S."
	[ "${1:-}" != nowhere ] || _dump=
	if [ "${1:-}" = clock ]; then
		mkfifo "$SINK_DIR/dump"
		chmod 666 "$SINK_DIR/dump"
		$WORKLOAD --srs 0 clock --fifo "$SINK_DIR/dump" \
		    --out "$T/clock.txt" &
		EXTRA_PIDS="$EXTRA_PIDS $!"
		_dump="-D $SINK_DIR/dump"
	fi
	"$SINK" $_u $_dump -m 512 "127.0.0.1:$SMTP_PORT" 1024 &
	SINK_PID=$!
	EXTRA_PIDS="$EXTRA_PIDS $SINK_PID"
	wait_for 10 "smtp-sink" port_up "$SMTP_PORT"
}

# Stop smtp-sink.
sink_stop() {
	kill -TERM "$SINK_PID" 2>/dev/null || true
	wait "$SINK_PID" 2>/dev/null || true
}

# Print how many messages smtp-sink has received.
sink_count() {
	find "$SINK_DIR" -type f | wc -l
}

# Start the SMS stand-in on a free port: BENCH_SMS=nginx (the default)
# is a private nginx answering the Twilio-like resource 201 with a sid of
# its own ($request_id), each text a line of $GW_DIR/texts.log;
# BENCH_SMS=python is tests/harness/gateway.py, which checks the account
# and token and keeps each text whole in $GW_DIR/messages.jsonl, at about
# 0.26 ms of CPU a text, against nginx's 0.02.
gateway_start() {
	GW_DIR="$T/gateway"
	printf 'tok3n\n' > "$T/twilio.secret"
	chmod 600 "$T/twilio.secret"
	if [ "${BENCH_SMS:-nginx}" = nginx ]; then
		gateway_nginx
		return
	fi
	GW_PORT=$(free_port)
	mkdir -p "$GW_DIR"
	$PY "$top_srcdir/tests/harness/gateway.py" --port "$GW_PORT" --dir "$GW_DIR" \
	    --account ACbench --token tok3n >"$T/gateway.log" 2>&1 &
	GW_PID=$!
	GW_FILE="$GW_DIR/messages.jsonl"
	EXTRA_PIDS="$EXTRA_PIDS $GW_PID"
	wait_for 10 "the SMS stand-in" port_up "$GW_PORT"
}

# Start the nginx stand-in (tests/harness/nginx.sh).
gateway_nginx() {
	nginx_start "$GW_DIR" "		keepalive_requests 100000000;
		location = /2010-04-01/Accounts/ACbench/Messages.json {
			access_log $GW_DIR/texts.log text;
			default_type application/json;
			return 201 '{\"sid\": \"SM\$request_id\", \"status\": \"queued\"}';
		}" "log_format text '\$msec \$status \$http_i_twilio_idempotency_token';"
	GW_PORT=$NGINX_PORT
	GW_PID=$NGINX_PID
	GW_FILE="$GW_DIR/texts.log"
	: > "$GW_FILE"
}

# Print how many texts the stand-in has accepted.
gateway_count() {
	if [ "${BENCH_SMS:-nginx}" = nginx ]; then
		awk '$2 == 201 { n++ } END { print n + 0 }' "$GW_FILE"
	else
		wc -l < "$GW_FILE" 2>/dev/null || echo 0
	fi
}

# Print the CPU ticks of the stand-in, nginx's worker with its master.
gateway_cpu() {
	_gc=0
	for _gp in "$GW_PID" $(pgrep -P "$GW_PID"); do
		_gc=$((_gc + $(cpu_ticks "$_gp")))
	done
	echo "$_gc"
}

# Write closeloopd's configuration for a run: every notice told at once.
bench_config() {
	LOG_LEVEL=warning write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };
email = {
	smtp = \"smtp://127.0.0.1:$SMTP_PORT\";
	starttls = \"off\";
	from = \"Toronto 311 <311@example.org>\";
	sessions = $SESSIONS;
};
sms = {
	gateway = \"twilio\";
	url = \"http://127.0.0.1:$GW_PORT/2010-04-01/Accounts/ACbench/Messages.json\";
	username = \"ACbench\";
	password_file = \"$T/twilio.secret\";
	from = \"+14165550311\";
	allow_http_loopback = true;
	max_per_second = 10000;
	connections = ${BENCH_SMS_CONNECTIONS:-32};
};
${BENCH_CONF:-}"
}

# Succeed when closeloopd has nothing left to do: every event read and
# acknowledged, nothing held, queued or being sent.
idle() {
	lag_is_0 && pending_is_0 &&
	    [ "$(rcli ZCARD closeloop:outbox:email)" = 0 ] &&
	    [ "$(rcli ZCARD closeloop:outbox:sms)" = 0 ] &&
	    [ "$(rcli ZCARD closeloop:outbox:sending)" = 0 ] &&
	    [ "$(rcli ZCARD closeloop:due)" = 0 ]
}

# Succeed when closeloopd has made its consumer group.
group_made() {
	rcli XINFO GROUPS closeloop:events 2>/dev/null | grep -q closeloopd
}

# Succeed when the group has read every entry of the stream.
lag_is_0() {
	[ "$(lag 2>/dev/null)" = 0 ]
}

# Succeed when the group has acknowledged every entry it read.
pending_is_0() {
	[ "$(pending)" = 0 ]
}

# Succeed when smtp-sink has received at least $1 messages.
sink_has() {
	[ "$(sink_count)" -ge "$1" ]
}

# Print a process's CPU time (user + system) in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# Print each thread of a process with its context switches so far
# (voluntary and not): "tid name count", one a line. A thread that wakes
# up and goes back to sleep counts one or more.
wakeups() {
	for _t in /proc/"$1"/task/*; do
		awk -v t="${_t##*/}" -v n="$(cat "$_t/comm" 2>/dev/null)" '
		    /^(non)?voluntary_ctxt_switches/ { c += $2 }
		    END { print t, n, c }' "$_t/status" 2>/dev/null
	done
}

# Print the CPU seconds redis-server has used (system and user).
redis_cpu() {
	rcli INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { print s }'
}

# Print a process's peak resident memory in KiB.
peak_rss() {
	awk '/^VmHWM/ { print $2 }' "/proc/$1/status"
}

# Print the time of the newest file in a directory, in seconds.
newest() {
	find "$1" -type f -printf '%T@\n' | sort -n | tail -n 1
}

# Print the mean size of the messages smtp-sink received, in bytes.
mean_size() {
	find "$SINK_DIR" -type f -printf '%s\n' |
	    awk '{ s += $1 } END { printf "%d\n", n = (NR ? s / NR : 0) }'
}

# Start a fresh Redis, sink ($1 as sink_start's), stand-in and closeloopd.
run_start() {
	redis_start
	sink_start "${1:-}"
	gateway_start
	bench_config
}

# Stop what run_start started (Redis if it still runs).
run_stop() {
	[ -z "$DAEMON_PID" ] || daemon_stop 60
	sink_stop
	[ -z "$REDIS_PID" ] || redis_stop
	nginx_stop	# the nginx stand-in, if any; gateway.py is an extra
	for pid in $EXTRA_PIDS; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	EXTRA_PIDS=
	rm -rf "$T/sink" "$T/gateway" "$T"/*.rdb "$T"/appendonly*
}

# closeloopd counts each decision on the day it makes it: a year played
# in minutes lands on today's rollups. Copy today's rollups of every
# division (its own, by ward and by service type) onto each day from $1
# to $2 (YYYY-MM-DD) but today, so that a report or the dashboard reads
# full days, as a city's would, and make each month's hashes the sum of
# its days, as the fold would; prints how many commands were sent.
rollups_spread() {
	_rs_today=$(TZ=America/Toronto date +%Y-%m-%d)
	_rs_divs=$(rcli SMEMBERS closeloop:roll:divisions | tr '\n' ' ')
	[ -n "$_rs_divs" ] || { echo 0; return 0; }
	# shellcheck disable=SC2086
	$PY - "$1" "$2" "$_rs_today" $_rs_divs > "$T/spread.txt" <<'EOF2'
import datetime, sys
first, last, today, divs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
day = datetime.date.fromisoformat(first)
end = datetime.date.fromisoformat(last)
while day <= end:
    d = day.isoformat()
    for div in divs:
        for by in ("", ":ward", ":service"):
            if d != today:
                print("COPY closeloop:roll:%s:%s%s closeloop:roll:%s:%s%s REPLACE"
                      % (div, today, by, div, d, by))
    day += datetime.timedelta(days=1)
# Each month's hashes (rollup.h), as the fold keeps them: the sum of the
# month's days, each a copy of today's.
days = {}
day = datetime.date.fromisoformat(first)
while day <= end:
    days[day.isoformat()[:7]] = days.get(day.isoformat()[:7], 0) + 1
    day += datetime.timedelta(days=1)
sum_script = ("local f = redis.call('HGETALL', KEYS[1]) "
              "for i = 1, #f, 2 do "
              "redis.call('HINCRBY', KEYS[2], f[i], f[i + 1] * ARGV[1]) end")
for month, n in sorted(days.items()):
    for div in divs:
        for by in ("", ":service"):
            print("DEL closeloop:roll:%s:%s%s" % (div, month, by))
            print('EVAL "%s" 2 closeloop:roll:%s:%s%s closeloop:roll:%s:%s%s %d'
                  % (sum_script, div, today, by, div, month, by, n))
EOF2
	rcli < "$T/spread.txt" > /dev/null
	wc -l < "$T/spread.txt"
}

TICK=$(getconf CLK_TCK)
HOSTCPU=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "machine: $(nproc) cores, $HOSTCPU"
echo "closeloop $("$CLOSELOOPD" -V 2>/dev/null | head -n 1)"
