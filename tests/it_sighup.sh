#!/bin/sh
# it_sighup.sh - SIGHUP swaps in a new configuration only if it is valid
. "$(dirname "$0")/lib.sh"

redis_start
write_config
daemon_start
valid_events 10 2 h1- | rcli >/dev/null
wait_for 10 "10 accepted" stat_is accepted 10

say "a broken configuration is refused and the old one kept"
cp "$CONF" "$T/good.conf"
printf 'redis = { url = "unix://%s"; claim_idle_ms = "soon"; };\n' "$SOCK" > "$CONF"
kill -HUP "$DAEMON_PID"
wait_for 10 "the refusal" log_has "reload failed, keeping the current configuration: .*claim_idle_ms: must be an integer (got a string)"
assert "daemon alive" kill -0 "$DAEMON_PID"
valid_events 10 2 h2- | rcli >/dev/null
wait_for 10 "20 accepted" stat_is accepted 20
assert "status_map still in force" true
rcli XADD closeloop:events '*' v 1 type status event_id h-map sr SR-M \
    ts 2026-03-03T14:05:00Z division TW status WO-DONE >/dev/null
wait_for 10 "21 accepted" stat_is accepted 21

say "a valid new configuration is swapped in"
LOG_LEVEL=debug write_config "" ""
sed -i 's/code = "WO-DONE"/code = "WO-FINI"/' "$CONF"
kill -HUP "$DAEMON_PID"
wait_for 10 "the reload" log_has "configuration reloaded"
rcli XADD closeloop:events '*' v 1 type status event_id h-new sr SR-M \
    ts 2026-03-03T14:05:00Z division TW status WO-FINI >/dev/null
wait_for 10 "22 accepted" stat_is accepted 22
rcli XADD closeloop:events '*' v 1 type status event_id h-old sr SR-M \
    ts 2026-03-03T14:05:00Z division TW status WO-DONE >/dev/null
wait_for 10 "the old code refused" dead_is 1
assert "nothing pending" [ "$(pending)" = 0 ]
daemon_stop
echo "PASS"
