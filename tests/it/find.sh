#!/bin/sh
# find.sh - "closeloop find": a resident's SRs from the address or number
# they give on the phone, through the keyed index (audit.lookup_secret_file)
#
# Two SRs subscribed with one address (once in mixed case) and one with a
# phone number: find --email lists both, newest first, with the address
# typed as it was given, in another case, or in mixed case; a part of the
# address or of the number finds nothing (exit 1), a malformed one is
# refused (exit 65); --phone takes the number with spaces, dashes and
# parentheses; --json is one object per SR, with the ward when the state
# has one. In Redis no key is named after a contact and the index holds
# SR numbers only; its set is named by the HMAC-SHA-256 that
# docs/operations.md gives, and lives as long as the longest-lived of its
# SRs. Once an SR's state has expired, find no longer lists it. Without
# audit.lookup_secret_file find says what to set and exits 78.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
need "$PY" python3

ADDR=ana.lima@example.org
MIXED=Ana.Lima@Example.ORG
PHONE=+14165550102
KEY=l00kup-k3y-for-tests

redis_start
printf '%s\n' "$KEY" > "$T/lookup.secret"
chmod 600 "$T/lookup.secret"
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0;
	retain_days = 1; };
audit = { lookup_secret_file = \"$T/lookup.secret\"; };"
daemon_start
CL="$CLOSELOOP -c $CONF"

# Publish an event: type, SR, ts, then more fields.
event() {
	_type=$1 _sr=$2 _ts=$3
	shift 3
	rcli XADD closeloop:events '*' v 1 type "$_type" sr "$_sr" ts "$_ts" \
	    event_id "$_type-$_sr-$_ts" "$@" >/dev/null
}

say "two SRs by email (one in mixed case), one by SMS"
event subscribe F-1 2026-11-20T09:00:00Z email "$ADDR" channels email
event status F-1 2026-11-20T09:05:00Z division TW status received \
    service "Water Leak"
event subscribe F-2 2026-11-21T09:00:00Z email "$MIXED" channels email
event status F-2 2026-11-21T10:00:00Z division TW status closed \
    reason completed service "Catch Basin Blocked" note "Basin cleared"
event subscribe F-3 2026-11-22T09:00:00Z phone "$PHONE" channels sms
event status F-3 2026-11-22T09:30:00Z division TW status scheduled \
    scheduled_for 2026-12-01 service "Road Pothole"
wait_for 30 "the six events" stat_is accepted 6
# The ward is the state's when the CRM sends one; here it is put by hand.
rcli HSET 'closeloop:sr:{F-1}:state' ward 12 >/dev/null

# Run find with the arguments; its output in $T/out, its status in RC.
find_sr() {
	RC=0
	$CL find "$@" > "$T/out" 2> "$T/err" || RC=$?
	cat "$T/out" "$T/err"
}

say "the address as given, in upper case, in mixed case: F-2 then F-1"
for a in "$ADDR" "$(echo "$ADDR" | tr a-z A-Z)" "$MIXED"; do
	find_sr --email "$a"
	[ "$RC" = 0 ] || fail "find --email exited $RC"
	[ "$(awk '{ print $3 }' "$T/out" | head -n 2 | tr '\n' ' ')" = "F-2 F-1 " ] ||
	    fail "find --email: not F-2 then F-1"
	grep -q '^2026-11-21 .* F-2 .* TW .* closed/completed .* Catch Basin Blocked$' \
	    "$T/out" || fail "F-2's line"
	grep -q '^2026-11-20 .* F-1 .* TW .* received .* ward 12  Water Leak$' \
	    "$T/out" || fail "F-1's line (with its ward)"
	grep -q '^(2 SRs; times in ' "$T/out" || fail "no count"
	grep -q F-3 "$T/out" && fail "the phone's SR is listed for the address"
done

say "a part of the address finds nothing; a malformed one is refused"
for a in lima@example.org ana.lima@example.or a.lima@example.org; do
	find_sr --email "$a"
	[ "$RC" = 1 ] || fail "find --email (a part) exited $RC, not 1"
	grep -q '^no SR found for that address' "$T/out" ||
	    fail "no \"not found\" for a part of the address"
done
find_sr --email ana.lima
[ "$RC" = 65 ] || fail "find --email ana.lima exited $RC, not 65"

say "the number, as people write it; a part of it finds nothing"
find_sr --phone "+1 (416) 555-0102"
[ "$RC" = 0 ] || fail "find --phone exited $RC"
grep -q '^2026-11-22 .* F-3 .* TW .* scheduled .* Road Pothole$' "$T/out" ||
    fail "F-3's line"
[ "$(grep -c '^20' "$T/out")" = 1 ] || fail "find --phone: not one SR"
find_sr --phone +1416555010
[ "$RC" = 1 ] || fail "find --phone (a part) exited $RC, not 1"
find_sr --phone 4165550102
[ "$RC" = 65 ] || fail "find --phone without + exited $RC, not 65"
find_sr --email "$ADDR" --phone "$PHONE"
[ "$RC" = 64 ] || fail "find --email --phone exited $RC, not 64"

say "--json: one object per SR"
find_sr --json --email "$MIXED"
$PY -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["sr"] for r in rows] == ["F-2", "F-1"], rows
assert rows[0]["status"] == "closed" and rows[0]["reason"] == "completed", rows
assert rows[0]["changed"] == "2026-11-21T10:00:00.000Z", rows
assert rows[1]["ward"] == "12" and "ward" not in rows[0], rows
assert rows[1]["division"] == "TW" and rows[1]["service"] == "Water Leak", rows
' "$T/out" || fail "find --json: $(cat "$T/out")"

say "no key is named after a contact; the index holds SR numbers only"
# Print each key that holds $1 (any case) in its name or in a value.
holders() {
	rcli EVAL "local want = string.lower(ARGV[1])
local out = {}
local function has(v)
	return type(v) == 'string' and
	    string.find(string.lower(v), want, 1, true) ~= nil
end
local function any(t)
	for _, v in ipairs(t) do
		if type(v) == 'table' then
			if any(v) then return true end
		elseif has(v) then return true end
	end
	return false
end
for _, k in ipairs(redis.call('KEYS', '*')) do
	local t = redis.call('TYPE', k).ok
	local v
	if t == 'string' then v = {redis.call('GET', k)}
	elseif t == 'hash' then v = redis.call('HGETALL', k)
	elseif t == 'set' then v = redis.call('SMEMBERS', k)
	elseif t == 'zset' then v = redis.call('ZRANGE', k, 0, -1)
	elseif t == 'list' then v = redis.call('LRANGE', k, 0, -1)
	elseif t == 'stream' then v = redis.call('XRANGE', k, '-', '+')
	else v = {} end
	if has(k) or any(v) then out[#out + 1] = k end
end
return out" 0 "$1"
}
for c in "$ADDR" "$PHONE" "${PHONE#+}" 4165550102; do
	holders "$c" > "$T/holders"
	echo "keys holding $c: $(tr '\n' ' ' < "$T/holders")"
	grep -q 'find:' "$T/holders" && fail "an index set holds $c"
	rcli --scan | grep -qiF "$c" && fail "a key is named after $c"
done
rcli --scan --pattern 'closeloop:find:*' > "$T/sets"
[ "$(wc -l < "$T/sets")" = 2 ] || fail "want 2 index sets: $(cat "$T/sets")"
for s in $(cat "$T/sets"); do
	rcli SMEMBERS "$s" | grep -qv '^F-[123]$' && fail "$s holds more than SRs"
done

say "the sets are named as docs/operations.md says, and expire with the SRs"
# Print the key of a contact's set: HMAC-SHA-256(key, "KIND:" contact).
set_key() {
	$PY -c '
import hashlib, hmac, sys
print("closeloop:find:" + hmac.new(sys.argv[1].encode(), sys.argv[2].encode(),
    hashlib.sha256).hexdigest())' "$KEY" "$1"
}
EMAIL_SET=$(set_key "email:$ADDR")
PHONE_SET=$(set_key "phone:$PHONE")
[ "$(rcli SCARD "$EMAIL_SET")" = 2 ] || fail "no set of 2 SRs for the address"
[ "$(rcli SCARD "$PHONE_SET")" = 1 ] || fail "no set of 1 SR for the number"
# Succeed if the TTLs $1 and $2 differ by 2 seconds at most.
near() {
	[ "$1" -gt 0 ] && [ "$2" -gt 0 ] &&
	    [ $(($1 - $2)) -le 2 ] && [ $(($2 - $1)) -le 2 ]
}
t1=$(rcli TTL 'closeloop:sr:{F-1}:state')
t2=$(rcli TTL 'closeloop:sr:{F-2}:state')
t3=$(rcli TTL 'closeloop:sr:{F-3}:state')
echo "TTLs: F-1 $t1, F-2 $t2 (closed: retain_days), F-3 $t3;" \
    "address $(rcli TTL "$EMAIL_SET"), number $(rcli TTL "$PHONE_SET")"
[ "$t2" -le 86400 ] && [ "$t1" -gt 86400 ] || fail "F-1 or F-2: unexpected TTL"
near "$(rcli TTL "$PHONE_SET")" "$t3" || fail "the number's set: not F-3's TTL"
near "$(rcli TTL "$EMAIL_SET")" "$t1" ||
    fail "the address's set: not the TTL of F-1, its longest-lived SR"

say "an SR whose state has expired is no longer listed"
# Succeed when the key $1 is gone.
gone() {
	[ "$(rcli EXISTS "$1")" = 0 ]
}
rcli EXPIRE 'closeloop:sr:{F-1}:state' 1 >/dev/null
wait_for 10 "F-1's state to expire" gone 'closeloop:sr:{F-1}:state'
find_sr --email "$ADDR"
[ "$RC" = 0 ] || fail "find --email exited $RC"
[ "$(grep -c '^20' "$T/out")" = 1 ] && grep -q ' F-2 ' "$T/out" ||
    fail "not F-2 alone once F-1 expired"
rcli EXPIRE 'closeloop:sr:{F-3}:state' 1 >/dev/null
wait_for 10 "F-3's state to expire" gone 'closeloop:sr:{F-3}:state'
find_sr --phone "$PHONE"
[ "$RC" = 1 ] || fail "find --phone exited $RC once F-3 expired, not 1"

say "without audit.lookup_secret_file: what to set, exit 78"
daemon_stop
write_config "" "policy = { settle_seconds = 0; coalesce_seconds = 0; };"
find_sr --email "$ADDR"
[ "$RC" = 78 ] || fail "find without the key exited $RC, not 78"
grep -q "closeloop find: the look-up is not configured: set audit.lookup_secret_file" \
    "$T/err" || fail "no message naming audit.lookup_secret_file"

say "without the key closeloopd writes no index"
leak_collect || fail "the contact check cannot take what it needs"
rcli FLUSHALL >/dev/null
daemon_start
event subscribe F-4 2026-11-23T09:00:00Z email "$ADDR" channels email
wait_for 30 "the event" stat_is accepted 1
[ -z "$(rcli --scan --pattern 'closeloop:find:*')" ] ||
    fail "an index set without audit.lookup_secret_file"
daemon_stop
