#!/bin/sh
# redis_restart.sh - Redis missing at start, then lost while running
#
# closeloopd starts before Redis exists, waits with backoff and logs that
# once; Redis (with an append-only file) is stopped and started again while
# closeloopd runs. Every event is handled exactly once across both. Then
# Redis loses its data while closeloopd waits: the stream and group are
# made again and new events are handled.
. "$(dirname "$0")/../harness/lib.sh"

write_config "retry_max_ms = 500;"
say "Redis is not there yet"
daemon_start
wait_for 60 "the first attempt" log_has "redis unavailable"
sleep 2
assert "daemon waits" kill -0 "$DAEMON_PID"
assert "unavailable logged once" [ "$(log_count 'redis unavailable')" = 1 ]

redis_start --appendonly yes --appendfsync always
wait_for 10 "reconnection" log_has "reachable again after"
valid_events 100 10 a- | rcli >/dev/null
wait_for 20 "100 accepted" stat_is accepted 100

say "Redis stops while closeloopd runs"
redis_stop
sleep 2
assert "daemon survives" kill -0 "$DAEMON_PID"
assert "loss logged once more" [ "$(log_count 'redis unavailable')" = 2 ]

redis_start --appendonly yes --appendfsync always
wait_for 10 "second reconnection" sh -c "[ \$(grep -c 'reachable again after' '$DLOG') = 2 ]"
valid_events 100 10 b- | rcli >/dev/null
wait_for 20 "200 accepted" stat_is accepted 200
assert "nothing handled twice" [ "$(stat duplicate)" = 0 ]
assert "nothing pending" [ "$(pending)" = 0 ]
assert "lag 0" [ "$(lag)" = 0 ]
assert "no dead letters" [ "$(rcli XLEN closeloop:dead)" = 0 ]

say "Redis loses its data while closeloopd waits for events"
rcli FLUSHALL >/dev/null
wait_for 10 "the group to be made again" log_has "creating them again"
valid_events 10 2 c- | rcli >/dev/null
wait_for 20 "10 accepted" stat_is accepted 10
assert "not taken for an outage" [ "$(log_count 'redis unavailable')" = 2 ]
assert "nothing pending" [ "$(pending)" = 0 ]
daemon_stop
echo "PASS"
