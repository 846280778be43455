/*
 * outbox.c - notifications waiting to be delivered, kept in Redis
 *
 * The storage is described in outbox.h. Claiming and recovering run as
 * Lua scripts, so that a notification is taken by one worker only and
 * moves between the due sets and the lease set atomically. A claim also
 * checks the contact against the SR's state: a resident who unsubscribed
 * after the notice was decided is not sent it; nor is a phone that has
 * opted out of SMS since (optout.h). An outcome is written as
 * one MULTI/EXEC: the record, the sets, the audit entry, the counters.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "config.h"
#include "decision.h"
#include "event.h"
#include "log.h"
#include "notice.h"
#include "optout.h"
#include "outbox.h"
#include "redis.h"
#include "redisscript.h"
#include "retry.h"
#include "txn.h"
#include "xmalloc.h"

static struct redisscript outbox_claim_script = {
	"claim",
	"local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1],\n"
	"    'LIMIT', 0, tonumber(ARGV[3]))\n"
	"local out = {}\n"
	"for _, id in ipairs(ids) do\n"
	"  redis.call('ZREM', KEYS[1], id)\n"
	"  local sr, rest = string.match(id, '^([^/]+)/(.+)$')\n"
	"  local key = sr and (ARGV[5] .. 'sr:{' .. sr .. '}:n:' .. rest)\n"
	"  local to = key and redis.call('HGET', key, 'to')\n"
	"  if to then\n"
	"    local c = redis.call('HGET', ARGV[5] .. 'sr:{' .. sr ..\n"
	"        '}:state', 'c:' .. ARGV[6] .. ':' .. to)\n"
	"    local prev = redis.call('HGET', key, 'state') or ''\n"
	"    if c and string.sub(c, 1, 1) == '0' then\n"
	"      redis.call('HSET', key, 'state', 'unsubscribed')\n"
	"    else\n"
	"      redis.call('HSET', key, 'state', 'sending', 'owner', ARGV[4],\n"
	"          'claimed', ARGV[1])\n"
	"      redis.call('HDEL', key, 'wait')\n"
	"      redis.call('HINCRBY', key, 'attempts', 1)\n"
	"      redis.call('ZADD', KEYS[2], ARGV[2], id)\n"
	"    end\n"
	"    local f = redis.call('HGETALL', key)\n"
	"    f[#f + 1] = 'prev_state'\n"
	"    f[#f + 1] = prev\n"
	"    out[#out + 1] = f\n"
	"  end\n"
	"end\n"
	"local nxt = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')\n"
	"return {out, nxt[2] or '0'}\n",
	""
};

static struct redisscript outbox_recover_script = {
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

static struct redisscript outbox_release_script = {
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

/* Return the key of a notification's record. */
char *
outbox_key(const struct config *cf, const char *id)
{
	const char	*slash = strchr(id, '/');

	if (slash == NULL)
		return xasprintf("%sn:%s", cf->redis_prefix, id);
	return xasprintf("%ssr:{%.*s}:n:%s", cf->redis_prefix,
	    (int)(slash - id), id, slash + 1);
}

/* Queue a notification's record and due entry. */
void
outbox_queue(struct txn *tx, const struct config *cf,
    const struct notice *n, size_t i, const char *fallback_of, int64_t now)
{
	const char	*argv[4 + NOTICE_FIELDS_MAX + 8];
	char		*id, *key, *qkey, created[32], due[32], ttl[32];
	size_t		 k, j;
	int64_t		 at;
	int		 channel = n->to[i].channel;

	if (fallback_of != NULL)
		id = xasprintf("%sf", fallback_of);
	else
		id = xasprintf("%s/%zu", n->id, i);
	key = outbox_key(cf, id);
	qkey = retry_queue_key(cf, channel);
	argv[0] = "HSET";
	argv[1] = key;
	k = 2 + notice_fields(n, i, argv + 2);
	for (j = 2; j < k; j += 2) {
		if (strcmp(argv[j], "id") == 0)
			argv[j + 1] = id;
	}
	snprintf(created, sizeof created, "%lld", (long long)now);
	argv[k++] = "notice_id";
	argv[k++] = n->id;
	argv[k++] = "state";
	argv[k++] = "queued";
	argv[k++] = "created";
	argv[k++] = created;
	argv[k++] = "attempts";
	argv[k++] = "0";
	if ((at = retry_due(cf, channel, now)) > now) {
		argv[k++] = "wait";
		argv[k++] = "quiet_hours";
	}
	if (fallback_of != NULL) {
		argv[k++] = "fallback_of";
		argv[k++] = fallback_of;
	} else if (n->to[i].alt != NULL) {
		argv[k++] = "fallback_channel";
		argv[k++] = event_channel_name(channel == EVENT_CHANNEL_SMS ?
		    EVENT_CHANNEL_EMAIL : EVENT_CHANNEL_SMS);
		argv[k++] = "fallback_to";
		argv[k++] = n->to[i].alt;
	}
	txn_queue(tx, (int)k, argv);
	snprintf(ttl, sizeof ttl, "%lld", (long long)(retry_max_age(cf,
	    channel) / 1000 + cf->policy_retain_days * 86400));
	argv[0] = "EXPIRE";
	argv[2] = ttl;
	txn_queue(tx, 3, argv);
	snprintf(due, sizeof due, "%lld", (long long)at);
	argv[0] = "ZADD";
	argv[1] = qkey;
	argv[2] = due;
	argv[3] = id;
	txn_queue(tx, 4, argv);
	free(qkey);
	free(key);
	free(id);
}

/* Return the value of a field of a claimed notification. */
const char *
outbox_field(const struct outbox_item *it, const char *name)
{
	size_t	i;

	for (i = 0; i < it->nfields; i++) {
		if (strcmp(it->fields[2 * i], name) == 0)
			return it->fields[2 * i + 1];
	}
	return NULL;
}

/* Copy a field into a string of the notice, if it is set. */
static char *
outbox_dup(const struct outbox_item *it, const char *name)
{
	const char	*v = outbox_field(it, name);

	return v != NULL && *v != '\0' ? xstrdup(v) : NULL;
}

/* Rebuild the notice of a notification from its record. */
static struct notice *
outbox_notice(const struct outbox_item *it)
{
	struct notice	*n;
	const char	*v;

	n = xcalloc(1, sizeof *n);
	n->id = outbox_dup(it, "notice_id");
	n->sr = outbox_dup(it, "sr");
	v = outbox_field(it, "notice");
	n->notice = v != NULL ? vocab_notice_parse(v) : VOCAB_NOTICE_NONE;
	n->division = outbox_dup(it, "division");
	n->from_division = outbox_dup(it, "from_division");
	n->service = outbox_dup(it, "service");
	n->ward = outbox_dup(it, "ward");
	n->closed_at = outbox_dup(it, "closed_at");
	n->note = outbox_dup(it, "note");
	n->note_code = outbox_dup(it, "note_code");
	n->photos = outbox_dup(it, "photos");
	n->scheduled_for = outbox_dup(it, "scheduled_for");
	n->duplicate_of = outbox_dup(it, "duplicate_of");
	n->partial = outbox_field(it, "partial") != NULL;
	n->correction = outbox_field(it, "correction") != NULL;
	n->events = outbox_dup(it, "events");
	n->to = xcalloc(1, sizeof *n->to);
	n->nto = 1;
	n->to[0].channel = it->channel;
	n->to[0].address = outbox_dup(it, "to");
	n->to[0].locale = outbox_dup(it, "locale");
	if (n->sr == NULL || n->to[0].address == NULL ||
	    n->notice == VOCAB_NOTICE_NONE) {
		notice_free(n);
		return NULL;
	}
	return n;
}

/* Turn one record from the claim script into an item. */
static struct outbox_item *
outbox_item_new(const struct redis_reply *f)
{
	struct outbox_item	*it;
	const char		*v;
	size_t			 i;

	it = xcalloc(1, sizeof *it);
	it->nfields = f->elements / 2;
	it->fields = xcalloc(2 * it->nfields + 1, sizeof *it->fields);
	for (i = 0; i < 2 * it->nfields; i++)
		it->fields[i] = xstrdup(f->element[i]->type ==
		    REDIS_TYPE_STRING ? f->element[i]->str : "");
	it->id = xstrdup((v = outbox_field(it, "id")) != NULL ? v : "?");
	v = outbox_field(it, "channel");
	it->channel = v != NULL && strcmp(v, "sms") == 0 ?
	    EVENT_CHANNEL_SMS : EVENT_CHANNEL_EMAIL;
	if ((v = outbox_field(it, "attempts")) != NULL)
		it->attempts = strtoll(v, NULL, 10);
	if ((v = outbox_field(it, "created")) != NULL)
		it->created = strtoll(v, NULL, 10);
	it->since = it->created;
	if ((v = outbox_field(it, "retried_at")) != NULL &&
	    strtoll(v, NULL, 10) > it->since)
		it->since = strtoll(v, NULL, 10);
	v = outbox_field(it, "prev_state");
	it->resend = v != NULL && strcmp(v, "sending") == 0;
	v = outbox_field(it, "state");
	it->unsubscribed = v != NULL && strcmp(v, "unsubscribed") == 0;
	it->notice = outbox_notice(it);
	return it;
}

/*
 * Mark the claimed SMS whose phone opted out. Returns 0, or -1 with
 * *cause.
 */
static int
outbox_optout(struct redis *r, const struct config *cf,
    struct outbox_item **items, size_t n, char **cause)
{
	const char	**phones;
	size_t		 *which, i, k = 0;
	int		 *opted, rc;

	phones = xcalloc(n + 1, sizeof *phones);
	which = xcalloc(n + 1, sizeof *which);
	opted = xcalloc(n + 1, sizeof *opted);
	for (i = 0; i < n; i++) {
		if (items[i]->unsubscribed || items[i]->notice == NULL)
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
outbox_claim(struct redis *r, const struct config *cf, int channel,
    const char *owner, int64_t now, size_t max, struct outbox_item ***items,
    size_t *n, int64_t *next_due, char **cause)
{
	struct redis_reply	*reply, *list;
	const char		*argv[8];
	char			*qkey, *skey, nows[32], lease[32], maxs[32];
	size_t			 i;
	int			 rc = -1;

	*items = NULL;
	*n = 0;
	*next_due = 0;
	qkey = retry_queue_key(cf, channel);
	skey = retry_lease_key(cf);
	snprintf(nows, sizeof nows, "%lld", (long long)now);
	snprintf(lease, sizeof lease, "%lld",
	    (long long)(now + cf->delivery_lease_seconds * 1000));
	snprintf(maxs, sizeof maxs, "%zu", max);
	argv[0] = qkey;
	argv[1] = skey;
	argv[2] = nows;
	argv[3] = lease;
	argv[4] = maxs;
	argv[5] = owner;
	argv[6] = cf->redis_prefix;
	argv[7] = event_channel_name(channel);
	reply = redisscript_eval(r, &outbox_claim_script, cause, 2, 8, argv,
	    NULL);
	if (reply == NULL)
		goto fail;
	if (reply->type != REDIS_TYPE_ARRAY || reply->elements != 2 ||
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
		if (list->element[i]->type == REDIS_TYPE_ARRAY)
			(*items)[(*n)++] = outbox_item_new(list->element[i]);
	}
	if (reply->element[1]->type == REDIS_TYPE_STRING &&
	    redis_score(reply->element[1]->str, next_due) != 0)
		*next_due = 0;
	redis_reply_free(reply);
	if (channel == EVENT_CHANNEL_SMS &&
	    outbox_optout(r, cf, *items, *n, cause) != 0) {
		for (i = 0; i < *n; i++)
			outbox_item_free((*items)[i]);
		free(*items);
		*items = NULL;
		*n = 0;
		goto fail;
	}
	rc = 0;
fail:
	free(qkey);
	free(skey);
	return rc;
}

/* Put abandoned claims back in their due sets. */
int
outbox_recover(struct redis *r, const struct config *cf, const char *owner,
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
	reply = redisscript_eval(r, &outbox_recover_script, cause, 3, 6, argv,
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
outbox_release(struct redis *r, const struct config *cf, const char *owner,
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
	reply = redisscript_eval(r, &outbox_release_script, cause, 2,
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
outbox_held(struct redis *r, const struct config *cf,
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

/* Count what waits in the outbox. */
int
outbox_depth(struct redis *r, const struct config *cf, long long *email,
    long long *sms, char **cause)
{
	struct redis_reply	*reply;
	long long		*out[2] = { email, sms };
	const int		 channels[2] = { EVENT_CHANNEL_EMAIL,
				    EVENT_CHANNEL_SMS };
	const char		*argv[2];
	char			*key;
	int			 i;

	for (i = 0; i < 2; i++) {
		key = retry_queue_key(cf, channels[i]);
		argv[0] = "ZCARD";
		argv[1] = key;
		redis_pipe_argv(r, 2, argv, NULL);
		free(key);
	}
	for (i = 0; i < 2; i++) {
		if ((reply = redis_pipe_reply(r, cause)) == NULL)
			return -1;
		*out[i] = reply->type == REDIS_TYPE_INTEGER ? reply->integer : 0;
		redis_reply_free(reply);
	}
	return 0;
}

/* Free a claimed notification. */
void
outbox_item_free(struct outbox_item *it)
{
	size_t	i;

	if (it == NULL)
		return;
	for (i = 0; i < 2 * it->nfields; i++)
		free(it->fields[i]);
	free(it->fields);
	notice_free(it->notice);
	free(it->id);
	free(it);
}
