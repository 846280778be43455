#!/bin/sh
# demo.sh - closeloop's main job on embedded defaults, with a scripted story
#
# Starts a private redis-server on a unix socket in a temporary directory
# and closeloopd against it, plays the CRM's events for two service
# requests (one good-news story, one with a transfer, a closure that is
# only "scheduled", a duplicate and a malformed event), then shows what
# closeloopd decided: its log, each SR's recorded history and the
# dead-letter stream. Everything it started is stopped by PID at the end.
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
CLOSELOOPD="$top_builddir/closeloopd"
CLOSELOOP="$top_builddir/closeloop"
T=$(mktemp -d /tmp/closeloop-demo.XXXXXX)
SOCK="$T/redis.sock"
CONF="$T/closeloopd.conf"
REDIS_PID=
DAEMON_PID=

# Stop what the demo started and remove its directory.
cleanup() {
	[ -z "$DAEMON_PID" ] || kill -TERM "$DAEMON_PID" 2>/dev/null || true
	[ -z "$DAEMON_PID" ] || wait "$DAEMON_PID" 2>/dev/null || true
	[ -z "$REDIS_PID" ] || kill -TERM "$REDIS_PID" 2>/dev/null || true
	[ -z "$REDIS_PID" ] || wait "$REDIS_PID" 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# Print a heading.
step() {
	printf '\n== %s\n' "$*"
}

# Publish one event as the CRM would, and say what it was.
crm() {
	printf '  CRM: %s\n' "$*"
	"$CLOSELOOP" -c "$CONF" emit "$@" >/dev/null
}

rcli() {
	redis-cli -s "$SOCK" "$@"
}

step "Starting a private Redis on $SOCK"
redis-server --port 0 --unixsocket "$SOCK" --save "" --appendonly no \
    --dir "$T" --logfile "$T/redis.log" &
REDIS_PID=$!
i=0
until [ "$(rcli PING 2>/dev/null)" = PONG ]; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "redis-server did not start"; exit 1; }
	sleep 0.05
done

cat > "$CONF" <<EOC
# The demo's configuration: every other setting keeps its default.
redis = { url = "unix://$SOCK"; consumer = "demo"; };
divisions = {
	TS = { name = { en = "Transportation Services"; fr = "Services des transports"; }; };
	TW = {
		name = { en = "Toronto Water"; fr = "Eau de Toronto"; };
		status_map = ( { code = "WO-COMP"; status = "closed"; reason = "completed"; } );
	};
};
EOC
step "Checking the configuration"
"$CLOSELOOPD" --check-config -c "$CONF"

step "Starting closeloopd (log: $T/closeloopd.log)"
"$CLOSELOOPD" -c "$CONF" 2> "$T/closeloopd.log" &
DAEMON_PID=$!

step "The CRM's story for two service requests"
echo " SR 2026-000101: a pothole on Queen St W"
crm type=subscribe sr=2026-000101 email=maria.santos@example.org phone=+14165550142 channels=email,sms locale=pt-BR event_id=crm-1
crm type=status sr=2026-000101 division=TS status=received service="Road Pothole / Road Damage" event_id=crm-2
crm type=status sr=2026-000101 division=TS status=closed reason=transferred transfer_to=TW event_id=crm-3
crm type=status sr=2026-000101 division=TW status=scheduled scheduled_for=2026-03-05 event_id=crm-4
crm type=status sr=2026-000101 division=TW status=WO-COMP note="We filled the pothole and sealed the edges." photos=https://photos.toronto.example/sr/2026-000101/after.jpg event_id=crm-5
echo " SR 2026-000102: a blocked catch basin on Dundas St E"
crm type=subscribe sr=2026-000102 email=j.chen@example.net locale=zh-Hans event_id=crm-6
crm type=status sr=2026-000102 division=TW status=closed reason=scheduled scheduled_for=2026-03-09 event_id=crm-7
crm type=status sr=2026-000102 division=TW status=closed reason=duplicate duplicate_of=2026-000099 event_id=crm-8
echo " The CRM sends one event twice, and one with a broken timestamp"
crm type=status sr=2026-000102 division=TW status=closed reason=duplicate duplicate_of=2026-000099 event_id=crm-8
printf '  CRM: type=status sr=2026-000102 ts=2026-02-30T25:00:00Z (sent with --force)\n'
"$CLOSELOOP" -c "$CONF" emit --force type=status sr=2026-000102 division=TW status=received ts=2026-02-30T25:00:00Z event_id=crm-9 >/dev/null

i=0
until [ "$(rcli XINFO GROUPS closeloop:events | awk 'p == "lag" { print; exit } { p = $0 }')" = 0 ] &&
    [ "$(rcli XPENDING closeloop:events closeloopd | head -n 1)" = 0 ]; do
	i=$((i + 1)); [ $i -lt 200 ] || { echo "closeloopd did not catch up"; exit 1; }
	sleep 0.05
done

step "What closeloopd decided (its log; contacts are masked)"
sed 's/^<[0-9]>/  /' "$T/closeloopd.log"

# A Lua script that prints an SR's history, one event a line.
SHOW='local out = {}
for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do
	local s = ""
	for i = 1, #e[2], 2 do
		local k = e[2][i]
		if k == "type" or k == "status" or k == "reason" or
		    k == "division" or k == "transfer_to" or k == "locale" or
		    k == "scheduled_for" or k == "duplicate_of" or
		    k == "channels" then
			s = s .. k .. "=" .. e[2][i + 1] .. " "
		end
	end
	out[#out + 1] = s
end
return out'
step "What is recorded for each SR"
for sr in 2026-000101 2026-000102; do
	echo " $sr:"
	rcli --raw EVAL "$SHOW" 1 "closeloop:sr:{$sr}:events" | sed 's/^/   /'
done

step "What was rejected (closeloop:dead)"
rcli --raw XRANGE closeloop:dead - + | awk 'p == "error" { print "   " $0 } { p = $0 }'

step "Counters"
rcli HGETALL closeloop:stats | paste - - | sed 's/^/   /'
printf '   pending: %s\n' "$(rcli XPENDING closeloop:events closeloopd | head -n 1)"

step "Stopping closeloopd with SIGTERM"
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=
tail -n 1 "$T/closeloopd.log" | sed 's/^<[0-9]>/  /'
echo "  closeloopd exited with status $rc"
printf '\nDone: events consumed, validated, decisions logged.\n'
printf 'This version records each event per SR; it does not render or send notices to residents.\n'
