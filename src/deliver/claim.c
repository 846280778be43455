/*
 * claim.c - a worker takes due notifications, and gives back what it
 * cannot finish
 *
 * claim.h says what each function does. Claiming, recovering and
 * releasing run as Lua scripts, so that a notification is taken by one
 * worker only and moves between the due sets and the lease set
 * atomically. A claim also checks the contact against the SR's state: a
 * resident who unsubscribed after the notice was decided is not sent it;
 * nor is a phone that has opted out of SMS since (optout.h), an address
 * on the suppression list (suppress.h), or a contact over its hourly
 * limit; and a paused channel (pause.h) gives nothing.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "config.h"
#include "event.h"
#include "notice.h"
#include "optout.h"
#include "outbox.h"
#include "pause.h"
#include "redis.h"
#include "rediszset.h"
#include "redisscript.h"
#include "retry.h"
#include "xmalloc.h"

/*
 * The claim: each notification due is read whole once (HGETALL); what
 * the claim changes in it (the fields in set, among those in claimed) is
 * written in one HSET. What comes back for each is that read as it was,
 * the fields the claim set (with the record's state before it, and the
 * claim's note), and the fields it removed: outbox_item_merge() makes
 * them the record as it now is, without a second read, and without the
 * script building it again field by field.
 */
static struct redisscript claim_take_script = {
	"claim",
	"if redis.call('EXISTS', KEYS[3]) == 1 then\n"
	"  return {{}, redis.call('HGET', KEYS[3], 'until') or '0', 1}\n"
	"end\n"
	"local now = tonumber(ARGV[1])\n"
	"local limit = tonumber(ARGV[7])\n"
	"local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1],\n"
	"    'LIMIT', 0, tonumber(ARGV[3]))\n"
	"local out = {}\n"
	"for _, id in ipairs(ids) do\n"
	"  redis.call('ZREM', KEYS[1], id)\n"
	"  local sr, rest = string.match(id, '^([^/]+)/(.+)$')\n"
	"  local key = sr and (ARGV[5] .. 'sr:{' .. sr .. '}:n:' .. rest)\n"
	"  local f = key and redis.call('HGETALL', key) or {}\n"
	"  local to, prev, attempts, wait\n"
	"  for i = 1, #f, 2 do\n"
	"    local k = f[i]\n"
	"    if k == 'to' then to = f[i + 1]\n"
	"    elseif k == 'state' then prev = f[i + 1]\n"
	"    elseif k == 'attempts' then attempts = f[i + 1]\n"
	"    elseif k == 'wait' then wait = true end\n"
	"  end\n"
	"  if to then\n"
	"    local c = redis.call('HGET', ARGV[5] .. 'sr:{' .. sr ..\n"
	"        '}:state', 'c:' .. ARGV[6] .. ':' .. to)\n"
	"    local h = redis.sha1hex(string.lower(to))\n"
	"    local note = ''\n"
	"    local set, gone = {}, {}\n"
	"    if c and string.sub(c, 1, 1) == '0' then\n"
	"      set = { 'state', 'unsubscribed' }\n"
	"    else\n"
	"      if ARGV[6] == 'email' and redis.call('EXISTS',\n"
	"          ARGV[5] .. 'suppressed:email:' .. h) == 1 then\n"
	"        note = 'suppressed'\n"
	"      elseif limit > 0 then\n"
	"        local rk = ARGV[5] .. 'rate:' .. ARGV[6] .. ':' .. h\n"
	"        redis.call('ZREMRANGEBYSCORE', rk, '-inf', now - 3600000)\n"
	"        if redis.call('ZSCORE', rk, id) then\n"
	"        elseif redis.call('ZCARD', rk) >= limit then\n"
	"          local first = redis.call('ZRANGE', rk, 0, 0, 'WITHSCORES')\n"
	"          note = 'rate:' .. (tonumber(first[2]) + 3600000)\n"
	"        else\n"
	"          redis.call('ZADD', rk, now, id)\n"
	"          redis.call('PEXPIRE', rk, 3600000)\n"
	"        end\n"
	"      end\n"
	"      set = { 'state', 'sending', 'owner', ARGV[4],\n"
	"          'claimed', ARGV[1] }\n"
	"      if note == '' then\n"
	"        set[7] = 'attempts'\n"
	"        set[8] = string.format('%d', (tonumber(attempts) or 0) + 1)\n"
	"      end\n"
	"      if wait then\n"
	"        redis.call('HDEL', key, 'wait')\n"
	"        gone[1] = 'wait'\n"
	"      end\n"
	"      redis.call('ZADD', KEYS[2], ARGV[2], id)\n"
	"    end\n"
	"    redis.call('HSET', key, unpack(set))\n"
	"    set[#set + 1] = 'prev_state'\n"
	"    set[#set + 1] = prev or ''\n"
	"    set[#set + 1] = 'claim_note'\n"
	"    set[#set + 1] = note\n"
	"    out[#out + 1] = { f, set, gone }\n"
	"  end\n"
	"end\n"
	"local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')\n"
	"return {out, nxt[2] or '0', 0}\n",
	""
};

static struct redisscript claim_recover_script = {
	"recover",
	"local ids\n"
	"if ARGV[2] == '' then\n"
	"  ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1],\n"
	"      'LIMIT', 0, 1000)\n"
	"else\n"
	"  ids = redis.call('ZRANGE', KEYS[1], 0, -1)\n"
	"end\n"
	"local n = 0\n"
	"for _, id in ipairs(ids) do\n"
	"  local sr, rest = string.match(id, '^([^/]+)/(.+)$')\n"
	"  local key = sr and (ARGV[3] .. 'sr:{' .. sr .. '}:n:' .. rest)\n"
	"  local owner = key and redis.call('HGET', key, 'owner')\n"
	"  local score = tonumber(redis.call('ZSCORE', KEYS[1], id))\n"
	"  if score <= tonumber(ARGV[1]) or owner == ARGV[2] then\n"
	"    redis.call('ZREM', KEYS[1], id)\n"
	"    local ch = key and redis.call('HGET', key, 'channel')\n"
	"    if ch == 'sms' then\n"
	"      redis.call('ZADD', KEYS[3], ARGV[1], id)\n"
	"    elseif ch == 'email' then\n"
	"      redis.call('ZADD', KEYS[2], ARGV[1], id)\n"
	"    end\n"
	"    n = n + 1\n"
	"  end\n"
	"end\n"
	"return n\n",
	""
};

static struct redisscript claim_release_script = {
	"release",
	"local keep = {}\n"
	"for i = 5, #ARGV do keep[ARGV[i]] = true end\n"
	"local n = 0\n"
	"for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do\n"
	"  local sr, rest = string.match(id, '^([^/]+)/(.+)$')\n"
	"  local key = sr and (ARGV[3] .. 'sr:{' .. sr .. '}:n:' .. rest)\n"
	"  if key and not keep[id] and\n"
	"      redis.call('HGET', key, 'owner') == ARGV[2] and\n"
	"      redis.call('HGET', key, 'channel') == ARGV[4] then\n"
	"    redis.call('ZREM', KEYS[1], id)\n"
	"    redis.call('ZADD', KEYS[2], ARGV[1], id)\n"
	"    n = n + 1\n"
	"  end\n"
	"end\n"
	"return n\n",
	""
};

/*
 * Mark the claimed SMS whose phone opted out. Returns 0, or -1 with
 * *cause.
 */
static int
claim_optout(struct redis *r, const struct config *cf,
    struct outbox_item **items, size_t n, char **cause)
{
	const char	**phones;
	size_t		 *which, i, k = 0;
	int		 *opted, rc;

	phones = xcalloc(n + 1, sizeof *phones);
	which = xcalloc(n + 1, sizeof *which);
	opted = xcalloc(n + 1, sizeof *opted);
	for (i = 0; i < n; i++) {
		if (outbox_skip(items[i]) || items[i]->notice == NULL)
			continue;
		phones[k] = items[i]->notice->to[0].address;
		which[k++] = i;
	}
	rc = k > 0 ? optout_check(r, cf, phones, k, opted, cause) : 0;
	for (i = 0; rc == 0 && i < k; i++) {
		if (opted[i])
			items[which[i]]->unsubscribed =
			    items[which[i]]->optout = 1;
	}
	free(opted);
	free(which);
	free(phones);
	return rc;
}

/* Claim the due notifications of a channel. */
int
claim_take(struct redis *r, const struct config *cf, int channel,
    const char *owner, int64_t now, size_t max, struct outbox_item ***items,
    size_t *n, int64_t *next_due, char **cause)
{
	struct redis_reply	*reply, *list, *one;
	const char		*argv[10];
	char			*qkey, *skey, *pkey, nows[32], lease[32];
	char			 maxs[32];
	char			 limit[32];
	size_t			 i;
	int			 rc = -1;

	*items = NULL;
	*n = 0;
	*next_due = 0;
	qkey = retry_queue_key(cf, channel);
	skey = retry_lease_key(cf);
	pkey = pause_key(cf, channel);
	snprintf(nows, sizeof nows, "%lld", (long long)now);
	snprintf(lease, sizeof lease, "%lld",
	    (long long)(now + cf->delivery_lease_seconds * 1000));
	snprintf(maxs, sizeof maxs, "%zu", max);
	snprintf(limit, sizeof limit, "%lld",
	    (long long)cf->delivery_max_per_contact_per_hour);
	argv[0] = qkey;
	argv[1] = skey;
	argv[2] = pkey;
	argv[3] = nows;
	argv[4] = lease;
	argv[5] = maxs;
	argv[6] = owner;
	argv[7] = cf->redis_prefix;
	argv[8] = event_channel_name(channel);
	argv[9] = limit;
	reply = redisscript_eval(r, &claim_take_script, cause, 3, 10, argv,
	    NULL);
	if (reply == NULL)
		goto fail;
	if (reply->type != REDIS_TYPE_ARRAY || reply->elements != 3 ||
	    reply->element[0]->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("claiming %s notifications: %s",
			    event_channel_name(channel), reply->str != NULL ?
			    reply->str : "unexpected reply");
		redis_reply_free(reply);
		goto fail;
	}
	list = reply->element[0];
	*items = xcalloc(list->elements + 1, sizeof **items);
	for (i = 0; i < list->elements; i++) {
		one = list->element[i];
		if (one->type == REDIS_TYPE_ARRAY && one->elements == 3 &&
		    one->element[0]->type == REDIS_TYPE_ARRAY)
			(*items)[(*n)++] = outbox_item_merge(one->element[0],
			    one->element[1], one->element[2]);
	}
	if (reply->element[1]->type == REDIS_TYPE_STRING &&
	    rediszset_score(reply->element[1]->str, next_due) != 0)
		*next_due = 0;
	redis_reply_free(reply);
	if (channel == EVENT_CHANNEL_SMS &&
	    claim_optout(r, cf, *items, *n, cause) != 0) {
		for (i = 0; i < *n; i++)
			outbox_item_free((*items)[i]);
		free(*items);
		*items = NULL;
		*n = 0;
		goto fail;
	}
	rc = 0;
fail:
	free(pkey);
	free(qkey);
	free(skey);
	return rc;
}

/* Put abandoned claims back in their due sets. */
int
claim_recover(struct redis *r, const struct config *cf, const char *owner,
    int64_t now, char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[6];
	char			*skey, *ekey, *mkey, nows[32];
	int			 rc = -1;

	skey = retry_lease_key(cf);
	ekey = retry_queue_key(cf, EVENT_CHANNEL_EMAIL);
	mkey = retry_queue_key(cf, EVENT_CHANNEL_SMS);
	snprintf(nows, sizeof nows, "%lld", (long long)now);
	argv[0] = skey;
	argv[1] = ekey;
	argv[2] = mkey;
	argv[3] = nows;
	argv[4] = owner != NULL ? owner : "";
	argv[5] = cf->redis_prefix;
	reply = redisscript_eval(r, &claim_recover_script, cause, 3, 6, argv,
	    NULL);
	if (reply != NULL && reply->type == REDIS_TYPE_INTEGER)
		rc = (int)reply->integer;
	else if (reply != NULL && cause != NULL)
		*cause = xasprintf("recovering claims: %s", reply->str != NULL ?
		    reply->str : "unexpected reply");
	redis_reply_free(reply);
	free(skey);
	free(ekey);
	free(mkey);
	return rc;
}

/* Put back owner's claims on a channel that are not in keep. */
int
claim_release(struct redis *r, const struct config *cf, const char *owner,
    int channel, const char *const *keep, size_t nkeep, int64_t now,
    char **cause)
{
	struct redis_reply	 *reply;
	const char		**argv;
	char			 *skey, *qkey, nows[32];
	size_t			  i;
	int			  rc = -1;

	skey = retry_lease_key(cf);
	qkey = retry_queue_key(cf, channel);
	snprintf(nows, sizeof nows, "%lld", (long long)now);
	argv = xcalloc(6 + nkeep, sizeof *argv);
	argv[0] = skey;
	argv[1] = qkey;
	argv[2] = nows;
	argv[3] = owner;
	argv[4] = cf->redis_prefix;
	argv[5] = event_channel_name(channel);
	for (i = 0; i < nkeep; i++)
		argv[6 + i] = keep[i];
	reply = redisscript_eval(r, &claim_release_script, cause, 2,
	    (int)(6 + nkeep), argv, NULL);
	if (reply != NULL && reply->type == REDIS_TYPE_INTEGER)
		rc = (int)reply->integer;
	else if (reply != NULL && cause != NULL)
		*cause = xasprintf("releasing claims: %s", reply->str != NULL ?
		    reply->str : "unexpected reply");
	redis_reply_free(reply);
	free(argv);
	free(qkey);
	free(skey);
	return rc;
}

/* Check that a claim still holds, and WATCH its record. */
int
claim_held(struct redis *r, const struct config *cf,
    const struct outbox_item *it, const char *owner, char **cause)
{
	struct redis_reply	*reply = NULL;
	const char		*claimed, *v[3];
	char			*key;
	size_t			 i;
	int			 rc = -1, held = 1;

	key = outbox_key(cf, it->id);
	reply = redis_command(r, cause, "WATCH %s", key);
	if (reply == NULL)
		goto out;
	redis_reply_free(reply);
	reply = redis_command(r, cause, "HMGET %s state owner claimed", key);
	if (reply == NULL)
		goto out;
	if (reply->type != REDIS_TYPE_ARRAY || reply->elements != 3) {
		if (cause != NULL)
			*cause = xasprintf("reading the claim on %s: %s",
			    it->id, reply->str != NULL ? reply->str :
			    "unexpected reply");
		goto out;
	}
	for (i = 0; i < 3; i++)
		v[i] = reply->element[i]->str;
	claimed = outbox_field(it, "claimed");
	if (v[0] == NULL || strcmp(v[0], "sending") != 0 || v[1] == NULL ||
	    strcmp(v[1], owner) != 0 || v[2] == NULL || claimed == NULL ||
	    strcmp(v[2], claimed) != 0)
		held = 0;
	redis_reply_free(reply);
	reply = NULL;
	if (!held && (reply = redis_command(r, cause, "UNWATCH")) == NULL)
		goto out;
	rc = held;
out:
	redis_reply_free(reply);
	free(key);
	return rc;
}
