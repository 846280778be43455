#!/bin/sh
# it_docs.sh - every example event in docs/events.md is accepted
#
# The integrators' guide must stay in step with the code: closeloopd runs
# with the guide's own status_map example as its configuration, each
# "redis-cli XADD closeloop:events ..." example in the guide is run
# against it, and every one must be accepted.
. "$(dirname "$0")/lib.sh"

redis_start
cat > "$CONF" <<EOC
redis = { url = "unix://$SOCK"; };
$(templates_config)
EOC
awk '/^divisions = \{$/ { on = 1 } on { print } on && /^\};$/ { exit }' \
    "$top_srcdir/docs/events.md" >> "$CONF"
assert "the guide's status_map example" grep -q WO-COMP "$CONF"
"$CLOSELOOPD" --check-config -c "$CONF"
daemon_start

awk '/^redis-cli XADD closeloop:events/ { cmd = ""; on = 1 }
	on { line = $0; cont = sub(/\\$/, "", line); cmd = cmd line;
	     if (!cont) { print cmd; on = 0 } }' "$top_srcdir/docs/events.md" |
    sed "s|^redis-cli |\"\$REDIS_CLI\" -s \"\$SOCK\" |" > "$T/examples.sh"
n=$(wc -l < "$T/examples.sh")
echo "$n examples"
assert "examples found" [ "$n" -ge 5 ]
REDIS_CLI="$REDIS_CLI" SOCK="$SOCK" sh "$T/examples.sh" > "$T/ids"
wait_for 10 "$n accepted" stat_is accepted "$n"
rcli XRANGE closeloop:dead - +
assert "none rejected" [ "$(rcli XLEN closeloop:dead)" = 0 ]
daemon_stop
echo "PASS"
