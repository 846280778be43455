#!/bin/sh
# malformed.sh - 1,000 malformed entries among 1,000 valid ones
#
# Every malformed entry lands in closeloop:dead with an error that names
# the field and what is wrong; every valid one is accepted; the daemon
# keeps running. Each malformed entry carries the expected error in an
# x_expect extension field (ignored by validation), and a Lua script run
# in Redis compares it with the recorded error.
. "$(dirname "$0")/../harness/lib.sh"

redis_start
write_config
daemon_start

H='v 1 type status sr SR-1 ts 2026-03-03T14:05:00Z division TW status received'
long=$(awk 'BEGIN { while (i++ < 2001) printf "a" }')
awk -v H="$H" -v long="$long" 'BEGIN {
	n = 0
	bad[n++] = "v 1 type status ts 2026-03-03T14:05:00Z division TW status received x_expect \"sr: missing (required in a status event)\""
	bad[n++] = "v 2 type status sr SR-1 ts 2026-03-03T14:05:00Z x_expect \"v: unsupported version\""
	bad[n++] = "v 1 type gossip sr SR-1 ts 2026-03-03T14:05:00Z x_expect \"type: unknown type\""
	bad[n++] = "v 1 type status sr \"SR 1!\" ts 2026-03-03T14:05:00Z division TW status received x_expect \"sr: must contain only letters, digits and\""
	bad[n++] = "v 1 type status sr SR-1 ts 2026-13-03T14:05:00Z division TW status received x_expect \"ts: month is out of range\""
	bad[n++] = "v 1 type status sr SR-1 ts yesterday division TW status received x_expect \"ts: is not an RFC 3339 date-time\""
	bad[n++] = "v 1 type status sr SR-1 ts 2026-03-03T14:05:00 division TW status received x_expect \"ts: has no time zone\""
	bad[n++] = "v 1 type status sr SR-1 ts 2026-03-03T14:05:00Z division TW status done x_expect \"status: unknown status\""
	bad[n++] = H " reason fixed x_expect \"reason: unknown reason\""
	bad[n++] = H " photos http://photos.example.org/1.jpg x_expect \"photos: is not an https URL\""
	bad[n++] = H " note \"caf\\xff\" x_expect \"note: is not valid UTF-8 at byte 3\""
	bad[n++] = H " note " long " x_expect \"note: is too long (2001 characters; at most 2000)\""
	bad[n++] = H " colour blue x_expect \"colour: unknown field\""
	bad[n++] = H " sr SR-2 x_expect \"sr: given more than once\""
	bad[n++] = "v 1 type subscribe sr SR-1 ts 2026-03-03T14:05:00Z email resident.example.org x_expect \"email: has no\""
	bad[n++] = "v 1 type subscribe sr SR-1 ts 2026-03-03T14:05:00Z phone 4165550100 x_expect \"phone: must begin with\""
	bad[n++] = "v 1 type subscribe sr SR-1 ts 2026-03-03T14:05:00Z email a@example.org locale fr_CA x_expect \"locale: must contain only\""
	bad[n++] = "v 1 type subscribe sr SR-1 ts 2026-03-03T14:05:00Z email a@example.org channels pigeon x_expect \"channels: must be email, sms or email,sms\""
	bad[n++] = "v 1 type subscribe sr SR-1 ts 2026-03-03T14:05:00Z email a@example.org channels sms x_expect \"channels: sms is asked for but no phone is given\""
	bad[n++] = "v 1 type unsubscribe sr SR-1 ts 2026-03-03T14:05:00Z x_expect \"email: missing (an unsubscribe event needs email, phone or all)\""
	for (i = 0; i < 1000; i++) {
		printf "XADD closeloop:events * %s\n", bad[i % n]
		printf "XADD closeloop:events * v 1 type status event_id ok-%d sr SR-%d ts 2026-03-03T14:05:00Z division TW status in_progress\n", i, i % 50
	}
}' > "$T/commands"
rcli < "$T/commands" >/dev/null
assert "2000 entries written" [ "$(rcli XLEN closeloop:events)" = 2000 ]

wait_for 60 "1000 accepted" stat_is accepted 1000
wait_for 20 "1000 dead letters" dead_is 1000
assert "nothing pending" [ "$(pending)" = 0 ]
assert "lag 0" [ "$(lag)" = 0 ]
assert "daemon alive" kill -0 "$DAEMON_PID"

say "each dead letter has the expected error, source_id and its fields"
check='
local bad, n = 0, 0
for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do
	local f = {}
	for i = 1, #e[2], 2 do f[e[2][i]] = e[2][i + 1] end
	n = n + 1
	if not f.error or not f.x_expect or not f.source_id or
	    not string.find(f.error, f.x_expect, 1, true) then
		bad = bad + 1
		if bad == 1 then
			redis.log(redis.LOG_WARNING, "mismatch: " .. tostring(f.error) .. " / " .. tostring(f.x_expect))
		end
	end
end
return {n, bad}'
rcli EVAL "$check" 1 closeloop:dead > "$T/check"
cat "$T/check"
assert "1000 checked" [ "$(sed -n 1p "$T/check")" = 1000 ]
assert "no mismatches" [ "$(sed -n 2p "$T/check")" = 0 ]
assert "rejections logged" [ "$(log_count 'rejected .* to the dead-letter stream')" = 1000 ]
daemon_stop
echo "PASS"
