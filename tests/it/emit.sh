#!/bin/sh
# emit.sh - closeloop emit publishes one event, validated first
. "$(dirname "$0")/../harness/lib.sh"

redis_start
write_config

say "a valid event is published and its ID printed"
id=$("$CLOSELOOP" -c "$CONF" emit type=status sr=SR-1 division=TW status=received event_id=x1)
echo "$id" | grep -Eq '^[0-9]+-[0-9]+$' || fail "no entry ID: $id"
rcli XRANGE closeloop:events "$id" "$id" > "$T/entry"
assert "v defaults to 1" grep -qx 1 "$T/entry"
assert "ts defaults to now" grep -Eq '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$T/entry"

say "an invalid event is refused with the reason"
rc=0
"$CLOSELOOP" -c "$CONF" emit type=status sr=SR-1 division=TW status=fixed 2> "$T/err" || rc=$?
assert "exit 65" [ "$rc" = 65 ]
assert "reason" grep -q "not sent: status: unknown status" "$T/err"
assert "still one entry" [ "$(rcli XLEN closeloop:events)" = 1 ]

say "--force sends it anyway, and closeloopd dead-letters it"
"$CLOSELOOP" -c "$CONF" emit --force type=status sr=SR-1 division=TW status=fixed >/dev/null
daemon_start
wait_for 10 "one dead letter" dead_is 1
wait_for 10 "one accepted" stat_is accepted 1
rcli XRANGE closeloop:dead - + > "$T/dead"
assert "error field" grep -q '^status: unknown status' "$T/dead"
daemon_stop

rc=0
"$CLOSELOOP" -c "$CONF" emit notafield 2>/dev/null || rc=$?
assert "usage exit 64" [ "$rc" = 64 ]
rc=0
"$CLOSELOOP" -c "$CONF" frobnicate 2>/dev/null || rc=$?
assert "unknown command exit 64" [ "$rc" = 64 ]
echo "PASS"
