#!/bin/sh
# bench_intake.sh - how fast closeloopd takes in events, and its memory
#
# Usage: tests/bench/bench_intake.sh [N]   (default 100000 events)
# Writes N valid status events for N/10 SRs into a private Redis, then
# starts closeloopd (log level warning, so the figures are not those of
# the terminal) and times how long it takes until every event is accepted
# and acknowledged. Prints events per second and closeloopd's peak
# resident memory. Not part of make check.
. "$(dirname "$0")/../harness/lib.sh"

N=${1:-100000}
redis_start
LOG_LEVEL=warning write_config
valid_events "$N" $((N / 10)) b- | rcli >/dev/null
assert "all written" [ "$(rcli XLEN closeloop:events)" = "$N" ]

start=$(date +%s.%N)
daemon_start
wait_for 600 "all $N accepted" stat_is accepted "$N"
end=$(date +%s.%N)
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$DAEMON_PID/status")
assert "nothing pending" [ "$(pending)" = 0 ]
daemon_stop
awk -v n="$N" -v s="$start" -v e="$end" -v m="$hwm" 'BEGIN {
	printf "events: %d\nseconds: %.2f\nevents per second: %.0f\n", n, e - s, n / (e - s)
	printf "closeloopd peak RSS: %.1f MiB\n", m / 1024
}'
