#!/bin/sh
# bench_year.sh - a year of Toronto's 311 in Redis: closeloopd's rate
# through it, Redis's memory after it, and how long closeloop takes to
# report on it and to find a resident's SRs in it
#
# Usage: tests/bench/bench_year.sh
#
# BENCH_SRS SRs (default 570,000, a year of Toronto's; about 3.5 events
# each, some 2,000,000 events) of "tests/bench/bench_workload.py --year"
# are written to the stream with redis-cli --pipe; then closeloopd is
# started and runs until every event is read and acknowledged and the
# outbox is empty, delivering the email to Postfix's smtp-sink (which
# keeps nothing) and the SMS to tests/harness/gateway.py. Prints:
#
#   - events read and acknowledged per second, notifications per second
#     (closeloopd's count of messages sent, from its start until it has
#     nothing left to do), its CPU time and peak RSS;
#   - Redis's used_memory empty, with the year's events in the stream,
#     and when closeloopd is done; what closeloop added per SR; every kind
#     of key with its count and the memory of a sample of 200
#     (bench_workload.py keys), and of the kept messages (keys with a
#     "msg" part in their name), where the build keeps them;
#   - the median time of BENCH_REPORT_RUNS (default 5) runs of
#     "closeloop report --by month" over the year, and over TS alone
#     (--division TS); a build without --by runs "closeloop report" over
#     the same time, and says so;
#   - the median time of BENCH_FIND_RUNS (default 20) runs each of
#     "closeloop find --email" and "--phone", over a few of the year's
#     residents from its start and its end.
#
# Features the build does not have are found out, not assumed: events
# carry a ward (--ward) only if "closeloop emit" takes one; the contact
# look-up is configured (audit.lookup_secret_file) and timed only if
# closeloop has a find command; a figure whose command is missing is
# printed as "n/a". CLOSELOOPD and CLOSELOOP name the programs to run
# (default: the build tree's closeloopd and closeloop), to measure
# another build, e.g. one of an older commit, on the same machine.
# BENCH_FIND=no leaves the look-up out even if the build has it.
# BENCH_CONF is more text for closeloopd's configuration;
# BENCH_REDIS_ARGS, more arguments for redis-server (e.g.
# "--stream-node-max-bytes 512").
#
# Needs Debian's postfix (tests/bench/bench_setup.sh) and about 2 GB of
# memory for Redis at full size. Redis keeps nothing on disk; the check
# of residents' contacts that the integration tests make at their end is
# not made. Not part of make check; see docs/performance.md.
_bench_d=${CLOSELOOPD:-}
_bench_c=${CLOSELOOP:-}
. "$(dirname "$0")/../harness/lib.sh"
[ -z "$_bench_d" ] || CLOSELOOPD=$_bench_d
[ -z "$_bench_c" ] || CLOSELOOP_BIN=$_bench_c
. "$(dirname "$0")/benchlib.sh"

SRS=${BENCH_SRS:-570000}
REPORT_RUNS=${BENCH_REPORT_RUNS:-5}
FIND_RUNS=${BENCH_FIND_RUNS:-20}
SPAN="--since 2026-01-01 --until 2027-01-01"

# Print Redis's used_memory in bytes.
used_memory() {
	rcli INFO memory | tr -d '\r' | awk -F: '$1 == "used_memory" { print $2 }'
}

# Run closeloop with the run's configuration, its output in $T/cl.out,
# its complaints in $T/cl.err.
cl() {
	"$CLOSELOOP_BIN" -c "$CONF" "$@" > "$T/cl.out" 2> "$T/cl.err"
}

# Succeed if closeloop's last complaint says it does not know a command
# or an option.
cl_unknown() {
	grep -Eqi 'unknown command|unrecognized option|invalid option' "$T/cl.err"
}

# Run closeloop once, adding its wall time in ms to the file $1.
cl_timed() {
	_ct_file=$1
	shift
	_ct_s=$(date +%s.%N)
	cl "$@" || return 1
	_ct_e=$(date +%s.%N)
	awk -v s="$_ct_s" -v e="$_ct_e" 'BEGIN { print (e - s) * 1000 }' >> "$_ct_file"
}

# Print the median of the numbers in the file $1.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		printf "%.1f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Print the median wall time in ms of $1 runs of closeloop with the rest
# of the arguments; fails, with closeloop's complaint in $T/cl.err, if a
# run does.
median_ms() {
	_m_n=$1
	shift
	: > "$T/times"
	while [ "$(wc -l < "$T/times")" -lt "$_m_n" ]; do
		cl_timed "$T/times" "$@" || return 1
	done
	median "$T/times"
}

# Print the median wall time in ms of $FIND_RUNS runs of "closeloop find
# $1 ADDR" over the addresses in the rest of the arguments, in turn.
find_median() {
	_f_opt=$1
	shift
	: > "$T/times"
	while [ "$(wc -l < "$T/times")" -lt "$FIND_RUNS" ]; do
		for _f_a in "$@"; do
			cl_timed "$T/times" find "$_f_opt" "$_f_a" || return 1
		done
	done
	median "$T/times"
}

# Print yes if $1 is not empty, else no.
has() {
	if [ -n "$1" ]; then echo yes; else echo no; fi
}

# Print a few of the contacts of field $1 (email or phone) in the stream:
# two from its start and two from its end.
contacts() {
	{ rcli XRANGE closeloop:events - + COUNT 400 |
	    awk -v f="$1" 'prev == f { print } { prev = $0 }' | head -n 2
	  rcli XREVRANGE closeloop:events + - COUNT 400 |
	    awk -v f="$1" 'prev == f { print } { prev = $0 }' | head -n 2
	} | tr '\n' ' '
}

say "a year: $SRS SRs"
# shellcheck disable=SC2086
redis_start ${BENCH_REDIS_ARGS:-}
sink_start nowhere
gateway_start
bench_config

# What this build has: a ward in events, find, report --by.
WARD=
if cl emit type=status sr=PROBE-1 division=TS status=received ward=W01; then
	WARD=--ward
fi
rcli DEL closeloop:events > /dev/null
BY="--by month"
if ! cl report $BY $SPAN && cl_unknown; then
	BY=
fi
HAS_FIND=yes
if [ "${BENCH_FIND:-yes}" = no ] ||
    { ! cl find --email probe@example.net && cl_unknown; }; then
	HAS_FIND=
fi
if [ -n "$HAS_FIND" ]; then
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$T/lookup.secret"
	chmod 600 "$T/lookup.secret"
	BENCH_CONF="${BENCH_CONF:-}
audit = { lookup_secret_file = \"$T/lookup.secret\"; };"
	bench_config
	"$CLOSELOOPD" -t -c "$CONF" > "$T/check.txt" 2>&1 ||
	    fail "closeloopd refuses audit.lookup_secret_file: $(cat "$T/check.txt")"
fi
echo "build: ward $(has "$WARD"); find $(has "$HAS_FIND"); report --by $(has "$BY")"

m0=$(used_memory)
w0=$(date +%s.%N)
$WORKLOAD --year --srs "$SRS" $WARD resp 2> "$T/workload.txt" |
    rcli --pipe > "$T/pipe.txt"
w1=$(date +%s.%N)
nev=$(rcli XLEN closeloop:events)
m1=$(used_memory)
awk -v n="$nev" -v w0="$w0" -v w1="$w1" 'BEGIN {
	printf "stream: %d events written in %.1f s\n", n, w1 - w0
}'

say "closeloopd through the year"
t0=$(date +%s.%N)
daemon_start
wait_for 10 "closeloopd's group" group_made
c0=$(cpu_ticks "$DAEMON_PID")
wait_for 14400 "closeloopd to read every event" lag_is_0
wait_for 14400 "closeloopd to acknowledge every event" pending_is_0
t1=$(date +%s.%N)
wait_for 14400 "closeloopd to deliver" idle
t2=$(date +%s.%N)
c1=$(cpu_ticks "$DAEMON_PID")
rss=$(peak_rss "$DAEMON_PID")
daemon_stop 60
m2=$(used_memory)
sent=$(stat decision:sent)
sms=$(gateway_count)
awk -v n="$nev" -v srs="$SRS" -v t0="$t0" -v t1="$t1" -v t2="$t2" \
    -v sent="$sent" -v sms="$sms" -v c="$((c1 - c0))" -v hz="$TICK" \
    -v rss="$rss" -v m0="$m0" -v m1="$m1" -v m2="$m2" 'BEGIN {
	mib = 1024 * 1024
	printf "events: %d read and acknowledged in %.1f s: %.0f events/s\n", n, t1 - t0, n / (t1 - t0)
	printf "notifications: %d sent (%d texts at the stand-in) in %.1f s: %.0f notifications/s\n", sent, sms, t2 - t0, sent / (t2 - t0)
	printf "closeloopd CPU: %.1f s; peak RSS: %.1f MiB\n", c / hz, rss / 1024
	printf "Redis used_memory: %.1f MiB empty, %.1f MiB with the events in the stream, %.1f MiB after closeloopd\n", m0 / mib, m1 / mib, m2 / mib
	printf "memory per SR: %.0f bytes added by closeloopd, %.0f bytes with its share of the stream\n", (m2 - m1) / srs, (m2 - m0) / srs
}'

say "Redis's keys by kind (MEMORY USAGE of a sample of each)"
$WORKLOAD --srs 0 keys --socket "$SOCK" | tee "$T/keys.txt"
awk '$1 ~ /(^|:)msg(:|$)/ { n += $2; b += $2 * $3 }
END {
	if (n == 0)
		print "kept messages: n/a: this build keeps no messages (no key with a msg part)"
	else
		printf "kept messages: %d keys, %.0f bytes each, %.1f MiB\n", n, b / n, b / 1048576
}' "$T/keys.txt"

# The whole year went onto today's rollups: copy them onto every day of
# 2026, so that the report reads a year of full days.
if [ -n "$(rcli SMEMBERS closeloop:roll:divisions)" ]; then
	echo "rollups: today's copied onto each day of 2026 ($(rollups_spread 2026-01-01 2026-12-31) commands)"
fi

say "closeloop report over the year (median of $REPORT_RUNS)"
what="report${BY:+ $BY}"
[ -n "$BY" ] || what="report (no --by month in this build)"
if ms=$(median_ms "$REPORT_RUNS" report $BY $SPAN); then
	echo "$what: $ms ms"
else
	echo "$what: failed: $(head -n 1 "$T/cl.err")"
fi
if ms=$(median_ms "$REPORT_RUNS" report $BY --division TS $SPAN); then
	echo "$what --division TS: $ms ms"
else
	echo "$what --division TS: failed: $(head -n 1 "$T/cl.err")"
fi

say "closeloop find (median of $FIND_RUNS)"
# What starting closeloop costs (the dynamic loader and its libraries),
# so that the look-up's own share of find's time can be told.
if ms=$(median_ms "$FIND_RUNS" --help); then
	echo "closeloop --help (the cost of starting the program): $ms ms"
fi
if [ -z "$HAS_FIND" ]; then
	echo "find --email: n/a: closeloop find not available in this build"
	echo "find --phone: n/a: closeloop find not available in this build"
else
	for f in email phone; do
		addrs=$(contacts "$f")
		if [ -z "$addrs" ]; then
			echo "find --$f: n/a: no $f in the stream"
		# shellcheck disable=SC2086
		elif ms=$(find_median "--$f" $addrs); then
			echo "find --$f: $ms ms ($(wc -l < "$T/cl.out") lines for the last one)"
		else
			echo "find --$f: failed: $(head -n 1 "$T/cl.err")"
		fi
	done
fi

say "the console under 20 staff at once (tests/bench/bench_web.py)"
WEB_BIN=${CLOSELOOP_WEB:-$top_builddir/closeloop-web}
if [ "${BENCH_WEB:-yes}" = no ] || [ ! -x "$WEB_BIN" ]; then
	echo "console: n/a: no closeloop-web in this build (or BENCH_WEB=no)"
else
	WEB_PORT=$(free_port)
	cat >> "$CONF" <<EOC
web = { listen = "127.0.0.1:$WEB_PORT"; pages_dir = "$top_srcdir/src/web/pages"; cookie_secure = false; };
EOC
	printf 'bench-console-pass\n' > "$T/web.password"
	cl user add bench --role ops --password-file "$T/web.password" ||
	    echo "console: cannot add the account: $(head -n 1 "$T/cl.err")"
	"$WEB_BIN" -c "$CONF" 2> "$T/web.log" &
	WEB_PID=$!
	wait_for 10 "closeloop-web" port_up "$WEB_PORT"
	# SRs from the start and the end of the year, residents likewise.
	srs=$(rcli --scan --pattern 'closeloop:sr:{*}:state' |
	    head -n 200 | sed 's/^closeloop:sr:{\(.*\)}:state$/\/sr\/\1/' | tr '\n' ',')
	emails=$(contacts email | tr ' ' '\n' | grep . |
	    sed 's/@/%40/; s/^/\/find?email=/' | tr '\n' ',')
	phones=$(contacts phone | tr ' ' '\n' | grep . |
	    sed 's/+/%2B/; s/^/\/find?phone=/' | tr '\n' ',')
	set -- "timeline=${srs%,}"
	[ -z "$emails" ] || set -- "$@" "find-email=${emails%,}"
	[ -z "$phones" ] || set -- "$@" "find-phone=${phones%,}"
	if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$WEB_PORT/dashboard")" != 404 ]; then
		set -- "$@" "dashboard=/dashboard?from=2026-01-01&to=2026-12-31"
	fi
	# At once, then as people reading each page for about a second.
	for think in 0 1000; do
		BENCH_THINK_MS=$think $PY "$top_srcdir/tests/bench/bench_web.py" \
		    "http://127.0.0.1:$WEB_PORT" bench bench-console-pass \
		    "$WEB_PID" "$@" || echo "console: failed (above)"
	done
	kill -TERM "$WEB_PID"
	wait "$WEB_PID" 2>/dev/null || true
fi

# Redis is stopped here, not by redis_stop: the contact check would read
# every SR's history.
kill -TERM "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=
run_stop
