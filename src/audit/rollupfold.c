/*
 * rollupfold.c - the steps' pending counts added into the daily hashes
 *
 * The script takes the records, adds the counts of each hash field up
 * in Lua, checks each hash it would write (absent, or a hash whose
 * fields it adds to hold integers), and then writes: one HINCRBY per
 * field with the fold's sum, one EXPIRE per hash, one SADD per division,
 * and the LTRIM that takes the records off the list. A record's line that
 * is not in the format is skipped.
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
 * records to take. Returns { records folded, hash left alone, ... }.
 */
static struct redisscript rollupfold_script = {
	"rollupfold",
	"local recs = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)\n"
	"if #recs == 0 then return { 0 } end\n"
	"local sums, divs, order = {}, {}, {}\n"
	"for _, rec in ipairs(recs) do\n"
	"  for div, day, by, field, n in string.gmatch(rec,\n"
	"      '([^\\t\\n]+)\\t([^\\t\\n]+)\\t([ws]?)\\t([^\\t\\n]+)\\t(-?%d+)\\n') do\n"
	"    local key = ARGV[1] .. div .. ':' .. day ..\n"
	"        (by == 'w' and ':ward' or (by == 's' and ':service' or ''))\n"
	"    local t = sums[key]\n"
	"    if not t then\n"
	"      t = {}\n"
	"      sums[key] = t\n"
	"      order[#order + 1] = key\n"
	"    end\n"
	"    t[field] = (t[field] or 0) + tonumber(n)\n"
	"    divs[div] = true\n"
	"  end\n"
	"end\n"
	"local out = { #recs }\n"
	"for _, key in ipairs(order) do\n"
	"  local ok, ty = true, redis.call('TYPE', key)['ok']\n"
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
	"    redis.call('EXPIRE', key, ARGV[2])\n"
	"  else\n"
	"    out[#out + 1] = key\n"
	"  end\n"
	"end\n"
	"if redis.call('TYPE', KEYS[2])['ok'] ~= 'set' and\n"
	"    redis.call('EXISTS', KEYS[2]) == 1 then\n"
	"  out[#out + 1] = KEYS[2]\n"
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
	for (i = 1; i < reply->elements && *cause == NULL; i++)
		*cause = xasprintf("%s is not a hash of counts: its counts "
		    "were dropped", reply->element[i]->str != NULL ?
		    reply->element[i]->str : "?");
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
