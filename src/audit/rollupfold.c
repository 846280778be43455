/*
 * rollupfold.c - the steps' pending counts added into the daily hashes
 *
 * The script takes the records, adds the counts of each hash field up
 * in Lua and keeps, per set of SRs, whether each SR was last added or
 * taken out, checks each key it would write (absent, or a hash whose
 * fields it adds to hold integers, or a set), and then writes: one
 * HINCRBY per field with the fold's sum, an SADD and an SREM per set
 * (500 SRs at most each), one EXPIRE per hash and set, one SADD per
 * division, and the LTRIM that takes the records off the list. Each line
 * of a record is matched whole; one that is not in a format is skipped.
 *
 * What goes into a day's hash of the division's counts or of its counts
 * by service type goes into its month's hash too (rollup.h), whose
 * time to live is made, never shorter, audit.rollup_days and one past
 * the month's end, counted from the day folded (a fold is made on the
 * day of its counts but for those taken back). A month's hash is made only if none of the month's day
 * hashes of its kind is there yet: a month whose first counts were
 * folded before the monthly hashes were kept has none, and is read from
 * its days (rollmonth.h).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "redis.h"
#include "redisscript.h"
#include "rollup.h"
#include "rollupfold.h"
#include "xmalloc.h"

/*
 * KEYS: the pending list, the set of divisions; ARGV: the key prefix of
 * the hashes ("PREFIXroll:"), their time to live in seconds, the most
 * records to take. Returns { records folded, key left alone, ... }, each
 * key named after a letter: "h" a hash of counts, "s" a set of SRs, "d"
 * the set of divisions.
 */
static struct redisscript rollupfold_script = {
	"rollupfold",
	"local recs = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)\n"
	"if #recs == 0 then return { 0 } end\n"
	"local sums, divs, order, sets, sorder = {}, {}, {}, {}, {}\n"
	"local months, skip = {}, {}\n"
	"local function days(y, m, d)\n"
	"  if m <= 2 then y = y - 1 end\n"
	"  local era = math.floor(y / 400)\n"
	"  local yoe = y - era * 400\n"
	"  local doy = math.floor((153 * ((m + 9) % 12) + 2) / 5) + d - 1\n"
	"  return era * 146097 + yoe * 365 + math.floor(yoe / 4) -\n"
	"      math.floor(yoe / 100) + doy - 719468\n"
	"end\n"
	"local function ttl(day)\n"
	"  local y, m, d = string.match(day, '^(%d+)-(%d+)-(%d+)$')\n"
	"  y, m, d = tonumber(y), tonumber(m), tonumber(d)\n"
	"  local last = m == 12 and days(y + 1, 1, 1) or days(y, m + 1, 1)\n"
	"  return (last - days(y, m, d)) * 86400 + tonumber(ARGV[2])\n"
	"end\n"
	"local function hold(t, o, key)\n"
	"  if not t[key] then\n"
	"    t[key] = {}\n"
	"    o[#o + 1] = key\n"
	"  end\n"
	"  return t[key]\n"
	"end\n"
	"for _, rec in ipairs(recs) do\n"
	"  for line in string.gmatch(rec, '[^\\n]+') do\n"
	"    local div, day, by, field, n = string.match(line,\n"
	"        '^([^\\t]+)\\t([^\\t]+)\\t([ws]?)\\t([^\\t]+)\\t(-?%d+)$')\n"
	"    if div then\n"
	"      local t = hold(sums, order, ARGV[1] .. div .. ':' .. day ..\n"
	"          (by == 'w' and ':ward' or (by == 's' and ':service' or '')))\n"
	"      t[field] = (t[field] or 0) + tonumber(n)\n"
	"      local month = string.match(day, '^(%d%d%d%d%-%d%d)%-%d%d$')\n"
	"      if month and by ~= 'w' then\n"
	"        local sfx = by == 's' and ':service' or ''\n"
	"        local mk = ARGV[1] .. div .. ':' .. month .. sfx\n"
	"        t = hold(sums, order, mk)\n"
	"        t[field] = (t[field] or 0) + tonumber(n)\n"
	"        local m = months[mk] or\n"
	"            { ARGV[1] .. div .. ':' .. month .. '-', sfx, 0 }\n"
	"        m[3] = math.max(m[3], ttl(day))\n"
	"        months[mk] = m\n"
	"      end\n"
	"      divs[div] = true\n"
	"    else\n"
	"      local c, m, sign\n"
	"      div, day, c, m, sign = string.match(line, '^([^\\t]+)\\t' ..\n"
	"          '([^\\t]+)\\tl\\t([^\\t]+)\\t([^\\t]+\\t[^\\t]*\\t[^\\t]*)\\t(-?1)$')\n"
	"      if div then\n"
	"        hold(sets, sorder, ARGV[1] .. div .. ':' .. day .. ':sr:' ..\n"
	"            c)[m] = tonumber(sign)\n"
	"      end\n"
	"    end\n"
	"  end\n"
	"end\n"
	"for mk, m in pairs(months) do\n"
	"  if redis.call('EXISTS', mk) == 0 then\n"
	"    local keys = {}\n"
	"    for i = 1, 31 do\n"
	"      keys[i] = m[1] .. string.format('%02d', i) .. m[2]\n"
	"    end\n"
	"    if redis.call('EXISTS', unpack(keys)) > 0 then skip[mk] = true end\n"
	"  end\n"
	"end\n"
	"local out = { #recs }\n"
	"for _, key in ipairs(order) do\n"
	"  local ok, ty = not skip[key], redis.call('TYPE', key)['ok']\n"
	"  if ty ~= 'none' and ty ~= 'hash' then ok = false end\n"
	"  if ok and ty == 'hash' then\n"
	"    for field in pairs(sums[key]) do\n"
	"      local v = redis.call('HGET', key, field)\n"
	"      if v and not string.match(v, '^-?%d+$') then ok = false end\n"
	"    end\n"
	"  end\n"
	"  if ok then\n"
	"    for field, n in pairs(sums[key]) do\n"
	"      redis.call('HINCRBY', key, field, n)\n"
	"    end\n"
	"    if not months[key] then\n"
	"      redis.call('EXPIRE', key, ARGV[2])\n"
	"    elseif redis.call('TTL', key) < months[key][3] then\n"
	"      redis.call('EXPIRE', key, months[key][3])\n"
	"    end\n"
	"  elseif not skip[key] then\n"
	"    out[#out + 1] = 'h' .. key\n"
	"  end\n"
	"end\n"
	"local function each(cmd, key, list)\n"
	"  for i = 1, #list, 500 do\n"
	"    redis.call(cmd, key, unpack(list, i, math.min(i + 499, #list)))\n"
	"  end\n"
	"end\n"
	"for _, key in ipairs(sorder) do\n"
	"  local ty = redis.call('TYPE', key)['ok']\n"
	"  if ty ~= 'none' and ty ~= 'set' then\n"
	"    out[#out + 1] = 's' .. key\n"
	"  else\n"
	"    local add, rem = {}, {}\n"
	"    for m, sign in pairs(sets[key]) do\n"
	"      if sign > 0 then add[#add + 1] = m else rem[#rem + 1] = m end\n"
	"    end\n"
	"    each('SADD', key, add)\n"
	"    each('SREM', key, rem)\n"
	"    redis.call('EXPIRE', key, ARGV[2])\n"
	"  end\n"
	"end\n"
	"if redis.call('TYPE', KEYS[2])['ok'] ~= 'set' and\n"
	"    redis.call('EXISTS', KEYS[2]) == 1 then\n"
	"  out[#out + 1] = 'd' .. KEYS[2]\n"
	"else\n"
	"  for div in pairs(divs) do redis.call('SADD', KEYS[2], div) end\n"
	"end\n"
	"redis.call('LTRIM', KEYS[1], #recs, -1)\n"
	"return out\n",
	""
};

/* Fold up to max records. */
long long
rollupfold_run(struct redis *r, const struct config *cf, size_t max,
    char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[5];
	const char		*left;
	char			 ttl[32], most[32], *prefix, *set;
	long long		 n = -1;
	size_t			 i;

	argv[0] = rollup_pending_key(cf);
	argv[1] = set = xasprintf("%sroll:divisions", cf->redis_prefix);
	argv[2] = prefix = xasprintf("%sroll:", cf->redis_prefix);
	snprintf(ttl, sizeof ttl, "%lld",
	    (long long)(cf->audit_rollup_days + 1) * 86400);
	snprintf(most, sizeof most, "%zu", max);
	argv[3] = ttl;
	argv[4] = most;
	reply = redisscript_eval(r, &rollupfold_script, cause, 2, 5, argv,
	    NULL);
	if (reply == NULL)
		goto out;
	if (reply->type != REDIS_TYPE_ARRAY || reply->elements == 0 ||
	    reply->element[0]->type != REDIS_TYPE_INTEGER) {
		*cause = xasprintf("folding the daily counts: %s",
		    reply->str != NULL ? reply->str : "an unexpected reply");
		goto out;
	}
	n = reply->element[0]->integer;
	for (i = 1; i < reply->elements && *cause == NULL; i++) {
		if ((left = reply->element[i]->str) == NULL || *left == '\0')
			continue;
		*cause = xasprintf("%s is not a %s: its %s dropped", left + 1,
		    *left == 'h' ? "hash of counts" : *left == 's' ?
		    "set of SRs" : "set of divisions", *left == 'h' ?
		    "counts were" : *left == 's' ? "SRs were" :
		    "divisions were");
	}
out:
	redis_reply_free(reply);
	free((char *)argv[0]);
	free(set);
	free(prefix);
	return n;
}

/* Fold every pending record. */
int
rollupfold_all(struct redis *r, const struct config *cf, char **cause)
{
	long long	n;

	while ((n = rollupfold_run(r, cf, ROLLUPFOLD_MAX, cause)) ==
	    ROLLUPFOLD_MAX && *cause == NULL)
		;
	return n < 0 ? -1 : 0;
}
