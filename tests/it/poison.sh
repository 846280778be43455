#!/bin/sh
# poison.sh - entries and state that once wedged closeloopd
#
# An entry of 4,000 fields and one of 100 KB are dead-lettered with the
# reason, beside valid entries of the same batch that are accepted, and
# the daemon neither reconnects nor loops. An event whose SR has a key of
# the wrong type (WRONGTYPE) is applied, with the event read with it: the
# damaged key is moved aside with what it held, and the log says where. A due time of 1e17
# planted in an SR's state is refused as damage and does not make the
# main loop spin. /healthz says ok throughout.
. "$(dirname "$0")/../harness/lib.sh"

PORT=$(free_port)
redis_start
write_config "claim_idle_ms = 300; max_deliveries = 3;" \
    "policy = { settle_seconds = 0; coalesce_seconds = 0; };
http = { listen = \"127.0.0.1:$PORT\"; };"
daemon_start
wait_for 10 "the listener" port_up "$PORT"

# Print the body of GET /healthz.
healthz() {
	curl -s "http://127.0.0.1:$PORT/healthz"
}

# Print the CPU time closeloopd has used, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"
}

# Print a field of the newest dead letter.
dead_field() {
	rcli XREVRANGE closeloop:dead + - COUNT 1 |
	    awk -v f="$1" 'prev == f { print; exit } { prev = $0 }'
}

H='v 1 type status ts 2026-03-03T14:05:00Z division TW status received'

say "a 4,000-field entry and a 100 KB one, among valid entries"
awk -v H="$H" 'BEGIN {
	printf "XADD closeloop:events * %s sr OK-1 event_id ok-1\n", H
	printf "XADD closeloop:events * %s sr BIG-1", H
	for (i = 0; i < 4990; i++)
		printf " x_%d %d", i, i
	printf "\n"
	printf "XADD closeloop:events * %s sr OK-2 event_id ok-2\n", H
	printf "XADD closeloop:events * %s sr BIG-2 x_blob ", H
	for (i = 0; i < 100000; i++)
		printf "a"
	printf "\n"
	printf "XADD closeloop:events * %s sr OK-3 event_id ok-3\n", H
}' > "$T/commands"
rcli < "$T/commands" >/dev/null
wait_for 20 "three accepted" stat_is accepted 3
wait_for 20 "two dead letters" dead_is 2
assert "nothing pending" [ "$(pending)" = 0 ]
rcli XRANGE closeloop:dead - + > "$T/dead"
grep -q 'entry: has 4996 fields (at most 64)' "$T/dead" ||
    fail "the 4,000-field entry's dead letter does not say why"
grep -Eq 'entry: has 100[0-9]{3} bytes of names and values \(at most 65536\)' \
    "$T/dead" || fail "the 100 KB entry's dead letter does not say why"
grep -q '^truncated$' "$T/dead" || fail "no truncated field"
grep -q 'kept the first 64 of its 4996 fields' "$T/dead" ||
    fail "the truncation does not say what was kept"
assert "no reconnection" [ "$(log_count 'redis unavailable')" = 0 ]
assert "healthy" [ "$(healthz)" = ok ]

say "WRONGTYPE: the damaged key moved aside, the event applied"
rcli SET 'closeloop:sr:{WT-1}:events' damaged >/dev/null
rcli XADD closeloop:events '*' v 1 type subscribe event_id wt-s sr WT-1 \
    ts 2026-03-03T14:00:00Z email wt@example.org >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id wt-ok sr WT-2 \
    ts 2026-03-03T14:05:00Z division TW status received >/dev/null
wait_for 20 "both accepted" stat_is accepted 5
wait_for 20 "the damage logged" log_has "redis refused writes to closeloop:sr:{WT-1}:events (WRONGTYPE"
moved=$(rcli KEYS 'closeloop:sr:{WT-1}:events:damaged:*')
assert "the damaged key kept aside" [ "$(rcli GET "$moved")" = damaged ]
assert "the log says where" log_has "it was moved to $moved"
assert "WT-1's history is a stream again" [ "$(rcli XLEN 'closeloop:sr:{WT-1}:events')" = 1 ]
assert "WT-1's state written" [ "$(rcli EXISTS 'closeloop:sr:{WT-1}:state')" = 1 ]
assert "no dead letter for it" [ "$(rcli XLEN closeloop:dead)" = 2 ]
assert "nothing pending" [ "$(pending)" = 0 ]
assert "no reconnection" [ "$(log_count 'redis unavailable')" = 0 ]
assert "healthy" [ "$(healthz)" = ok ]

say "a due time of 1e17 in an SR's state does not make the loop spin"
# What closeloopd uses idle over 3 s, before anything is planted: the
# limit below is relative to it, so that a slow run (valgrind) is measured
# against itself; a loop that spins uses the whole 3 s (300 ticks).
before=$(cpu_ticks)
sleep 3
idle=$(( $(cpu_ticks) - before ))
echo "closeloopd used $idle ticks in 3 s idle"
assert "idle is idle ($idle ticks in 3 s)" [ "$idle" -lt 80 ]
rcli XADD closeloop:events '*' v 1 type status event_id x1-a sr X-1 \
    ts 2026-03-03T14:05:00Z division TW status received >/dev/null
wait_for 20 "X-1 accepted" stat_is accepted 6
rcli HSET 'closeloop:sr:{X-1}:state' due 100000000000000000 >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id x1-b sr X-1 \
    ts 2026-03-03T14:06:00Z division TW status assigned >/dev/null
wait_for 20 "X-1's second event accepted" stat_is accepted 7
assert "the damage was seen" log_has 'SR X-1: skipped a damaged or unknown state field "due"'
assert "no due time of 1e17 kept" [ -z "$(rcli ZSCORE closeloop:due X-1)" ]
rcli ZADD closeloop:due 100000000000000000 X-2 >/dev/null
before=$(cpu_ticks)
sleep 3
used=$(( $(cpu_ticks) - before ))
limit=$((3 * idle + 20))
echo "closeloopd used $used ticks in 3 s (less than $limit wanted)"
assert "idle, not spinning ($used ticks in 3 s, $idle before)" \
    [ "$used" -lt "$limit" ]
assert "healthy" [ "$(healthz)" = ok ]

daemon_stop
echo PASS
