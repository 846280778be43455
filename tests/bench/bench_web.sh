#!/bin/sh
# bench_web.sh - how long the console's dashboard takes over a year
#
# Usage: tests/bench/bench_web.sh
#
# BENCH_SRS SRs (default 20,000) of "tests/bench/bench_workload.py --year
# --ward" go through closeloopd, delivering to Postfix's smtp-sink and
# tests/harness/gateway.py, so that the rollups hold every kind of count
# (the lag and the failures too); today's rollups are then copied onto
# each of the 400 days before today, so that a year and the 13 months of
# the trend are full days, and every service type and ward of the year is
# on each day, as on a city's. Since the number of fields of a day's
# hashes, not the number of SRs, makes the reading's cost, 20,000 SRs
# give nearly the cost of a full year (570,000) in a fraction of the
# time. closeloop-web is started, an operator signed in, and curl's
# time_total (on loopback: the server's time, the page's transfer aside)
# taken for BENCH_WEB_RUNS (default 10) requests each of:
#
#   - the dashboard of every division over the last 365 days (311's view:
#     every division's counts, by service type too, and the trend);
#   - the dashboard of TS alone (the divisions side by side still read);
#   - the dashboard of ward W07 (the ward hashes of every division);
#   - the CSV of every division over the year.
#
# Prints the median and the slowest of each, in ms, and the CPU time
# closeloop-web and redis-server spent per request (which a busy machine
# does not inflate as it does the time by the clock). The goal is under
# 300 ms for a year. BENCH_WEB_RDB names a file: if it exists, its
# rollups are loaded instead of playing the year (made the same day, to
# measure another build on the same data); if not, it is written after
# the year is played. CLOSELOOP_WEB names the closeloop-web to measure
# (default: the build tree's). Not part of make check; see
# docs/performance.md.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/benchlib.sh"
. "$(dirname "$0")/../harness/weblib.sh"

SRS=${BENCH_SRS:-20000}
RUNS=${BENCH_WEB_RUNS:-10}

# Print the median and the largest of the numbers in the file $1.
median_max() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		printf "median %.1f ms, slowest %.1f ms",
		    NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[NR] }'
}

# Time $RUNS requests of path $1, the first of them not counted: curl's
# time_total, and the CPU time closeloop-web and redis-server spent.
timed() {
	: > "$T/times"
	web_get "$T/ops.jar" "$1" "$T/page" > "$T/code"
	[ "$(cat "$T/code")" = 200 ] || fail "GET $1: $(cat "$T/code")"
	_t_w=$(cpu_ticks "$WEB_PID")
	_t_r=$(cpu_ticks "$REDIS_PID")
	_t_i=0
	while [ "$_t_i" -lt "$RUNS" ]; do
		curl -s -b "$T/ops.jar" -o /dev/null -w '%{time_total}\n' \
		    "$WEB$1" | awk '{ print $1 * 1000 }' >> "$T/times"
		_t_i=$((_t_i + 1))
	done
	median_max "$T/times"
	awk -v w="$(($(cpu_ticks "$WEB_PID") - _t_w))" \
	    -v r="$(($(cpu_ticks "$REDIS_PID") - _t_r))" -v n="$RUNS" \
	    -v hz="$TICK" 'BEGIN {
		printf "; CPU per request: closeloop-web %.0f ms, redis-server %.0f ms\n",
		    w * 1000 / hz / n, r * 1000 / hz / n }'
}

TODAY=$(TZ=America/Toronto date +%Y-%m-%d)
FIRST=$(date -d "$TODAY - 400 days" +%Y-%m-%d)
FROM=$(date -d "$TODAY - 364 days" +%Y-%m-%d)
RDB=${BENCH_WEB_RDB:-}
if [ -n "$RDB" ] && [ -f "$RDB" ]; then
	say "a year: the rollups of $RDB"
	cp "$RDB" "$T/dump.rdb"
	redis_start --dbfilename dump.rdb
	sink_start nowhere
	gateway_start
else
	say "a year: $SRS SRs"
	run_start nowhere
fi
BENCH_CONF="$(web_config)"
bench_config
if [ -z "$RDB" ] || [ ! -f "$RDB" ]; then
	$WORKLOAD --year --srs "$SRS" --ward resp 2> "$T/workload.txt" |
	    rcli --pipe > "$T/pipe.txt"
	daemon_start
	wait_for 10 "closeloopd's group" group_made
	wait_for 3600 "closeloopd to deliver" idle
	daemon_stop 60
	echo "stream: $(rcli XLEN closeloop:events) events, through closeloopd"
	echo "rollups: today's copied onto each day from $FIRST ($(rollups_spread "$FIRST" "$TODAY") commands)"
	if [ -n "$RDB" ]; then
		rcli SAVE > /dev/null
		cp "$T/dump.rdb" "$RDB"
	fi
fi
ndivs=$(rcli SCARD closeloop:roll:divisions)
fields=$(rcli HLEN "closeloop:roll:TS:$TODAY:service")
echo "divisions: $ndivs; fields of TS's hash by service type, a day: $fields"

say "closeloop-web: the dashboard over a year (from $FROM to $TODAY)"
printf 'bench password 1\n' > "$T/pw"
"$CLOSELOOP_BIN" -c "$CONF" user add ops --role ops --password-file "$T/pw" \
    > /dev/null || fail "cannot add the operator"
web_start
WEB_PID=${EXTRA_PIDS##* }
web_signin ops "bench password 1" "$T/ops.jar"
Y="from=$FROM&to=$TODAY"
echo "every division: $(timed "/dashboard?$Y")"
echo "division TS: $(timed "/dashboard?$Y&division=TS")"
echo "ward W07, every division: $(timed "/dashboard?$Y&ward=W07")"
echo "CSV, every division: $(timed "/dashboard.csv?$Y")"

# Redis is stopped here, not by redis_stop: the contact check would read
# every SR's history.
kill -TERM "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=
run_stop
