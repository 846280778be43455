#!/bin/sh
# claim.sh - a live consumer takes over a dead consumer's entries
#
# A consumer "ghost" reads 50 entries and dies without acknowledging them.
# closeloopd (consumer "alive") claims them once they are idle for longer
# than redis.claim_idle_ms and handles them. Three entries that were
# delivered too often (poison) go to the dead-letter stream instead.
. "$(dirname "$0")/../harness/lib.sh"

redis_start
CONSUMER=alive write_config "claim_idle_ms = 500; max_deliveries = 5;"
rcli XGROUP CREATE closeloop:events closeloopd 0 MKSTREAM >/dev/null
valid_events 50 5 g- | rcli >/dev/null
rcli XREADGROUP GROUP closeloopd ghost COUNT 50 STREAMS closeloop:events '>' >/dev/null
assert "ghost holds 50" [ "$(pending)" = 50 ]

say "three entries look delivered 10 times"
for id in $(rcli XRANGE closeloop:events - + COUNT 3 | grep -E '^[0-9]+-[0-9]+$'); do
	rcli XCLAIM closeloop:events closeloopd ghost 0 "$id" RETRYCOUNT 10 >/dev/null
done

daemon_start
wait_for 20 "47 accepted" stat_is accepted 47
wait_for 10 "3 dead letters" dead_is 3
assert "nothing pending" [ "$(pending)" = 0 ]
assert "claim logged" log_has "claimed [0-9]* entries idle for more than 500 ms"
rcli XRANGE closeloop:dead - + > "$T/dead"
assert "poison reason" grep -q "^entry: delivered 11 times without being handled (redis.max_deliveries is 5)$" "$T/dead"
rcli XINFO CONSUMERS closeloop:events closeloopd > "$T/consumers"
assert "ghost holds nothing" sh -c "awk 'p==\"name\" && \$0==\"ghost\" {g=1} g && p==\"pending\" {print; exit} {p=\$0}' '$T/consumers' | grep -qx 0"
daemon_stop
echo "PASS"
