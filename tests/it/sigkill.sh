#!/bin/sh
# sigkill.sh - SIGKILL mid-batch loses nothing and handles nothing twice
#
# 20,000 events; closeloopd is killed with SIGKILL while it works through
# them, then restarted. In the end every event is accepted exactly once:
# no duplicates (a re-handled entry would count as one), nothing pending.
. "$(dirname "$0")/../harness/lib.sh"

N=20000
redis_start
write_config
valid_events $N 100 k- | rcli >/dev/null
assert "all written" [ "$(rcli XLEN closeloop:events)" = $N ]

# Succeed once some but not all events are accepted.
some_accepted() {
	a=$(stat accepted)
	[ "$a" -ge 500 ]
}

daemon_start
wait_for 60 "the first events" some_accepted
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=
at_kill=$(stat accepted)
pending_at_kill=$(pending)
echo "killed after $at_kill accepted, $pending_at_kill read but not acknowledged"
assert "killed before the end" [ "$at_kill" -lt $N ]

daemon_start
wait_for 120 "all $N accepted" stat_is accepted $N
sleep 0.5
assert "nothing handled twice" [ "$(stat duplicate)" = 0 ]
assert "no dead letters" [ "$(rcli XLEN closeloop:dead)" = 0 ]
assert "nothing pending" [ "$(pending)" = 0 ]
assert "lag 0" [ "$(lag)" = 0 ]
total=0
for i in $(seq 0 99); do
	total=$((total + $(rcli XLEN "closeloop:sr:{SR-$i}:events")))
done
assert "every event in its SR's history once ($total)" [ "$total" = $N ]
if [ "$pending_at_kill" -gt 0 ]; then
	assert "re-read after restart" log_has "re-reading [0-9]* pending entries"
fi
daemon_stop
echo "PASS"
