#!/bin/sh
# consume.sh - closeloopd consumes, validates and acknowledges events
#
# Every entry ends acknowledged (nothing pending, lag 0), each SR's
# history holds its events, contacts are masked in the log, an idle daemon
# uses no CPU, and SIGTERM stops it with exit status 0.
. "$(dirname "$0")/../harness/lib.sh"

redis_start
write_config
daemon_start

say "200 status events for 20 SRs, 2 subscriptions, 1 duplicate"
valid_events 200 20 c- | rcli >/dev/null
rcli XADD closeloop:events '*' v 1 type subscribe sr SR-1 \
    ts 2026-03-03T14:05:00Z email alice.resident@example.org locale fr-ca >/dev/null
rcli XADD closeloop:events '*' v 1 type subscribe sr SR-2 \
    ts 2026-03-03T14:05:00Z phone +14165550100 channels sms >/dev/null
rcli XADD closeloop:events '*' v 1 type status event_id c-7 sr SR-7 \
    ts 2026-03-03T14:05:00Z division TW status received >/dev/null

wait_for 20 "202 accepted events" stat_is accepted 202
wait_for 5 "1 duplicate" stat_is duplicate 1
assert "nothing pending" [ "$(pending)" = 0 ]
assert "lag 0" [ "$(lag)" = 0 ]
assert "no dead letters" [ "$(rcli XLEN closeloop:dead)" = 0 ]
assert "SR-3 has 10 events" [ "$(rcli XLEN 'closeloop:sr:{SR-3}:events')" = 10 ]
assert "SR-1 has 11 entries" [ "$(rcli XLEN 'closeloop:sr:{SR-1}:events')" = 11 ]
assert "history expires" [ "$(rcli TTL 'closeloop:sr:{SR-3}:events')" -gt 86400 ]
assert "the status map applies" true
rcli XADD closeloop:events '*' v 1 type status event_id m-1 sr SR-9 \
    ts 2026-03-03T14:05:00Z division TW status WO-DONE >/dev/null
wait_for 10 "the mapped event" stat_is accepted 203
rcli XREVRANGE 'closeloop:sr:{SR-9}:events' + - COUNT 1 > "$T/last"
assert "WO-DONE is stored as closed" grep -qx closed "$T/last"
assert "with reason completed" grep -qx completed "$T/last"

say "the log names decisions and masks contacts"
assert "accepted lines" log_has "accepted .*status SR SR-3 in_progress by TW"
assert "duplicate line" log_has "dropped .*event c-7 was already received"
assert "masked email" log_has "email a\*\*\*@example.org"
assert "masked phone" log_has "phone +1416\*\*\*0100"
if grep -q -e alice.resident -e 4165550100 "$DLOG"; then
	fail "a contact appears unmasked in the log"
fi
assert "syslog prefixes" sh -c "! grep -qv '^<[0-7]>' '$DLOG'"

say "idle: no CPU over 2 seconds"
ticks() {
	awk '{ print $14 + $15 }' "/proc/$DAEMON_PID/stat"
}
if [ -z "$WRAP" ]; then
	sleep 0.5
	before=$(ticks)
	sleep 2
	after=$(ticks)
	echo "CPU ticks while idle: $((after - before))"
	assert "idle daemon used CPU" [ $((after - before)) -le 1 ]
fi

say "SIGTERM: exit 0"
daemon_stop 10
assert "stop logged" log_has "stopping on signal 15: 203 accepted, 1 duplicates, 0 dead-lettered"
echo "PASS"
