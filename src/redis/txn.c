/*
 * txn.c - the writes of one step on an SR, all or nothing
 *
 * The commands queued are kept as the arguments of txn_script, each as
 * its argument count followed by its arguments, and sent at txn_exec()
 * as MULTI, EVALSHA txn_script, EXEC - in one pipeline after the caller's
 * WATCH and reads. The replies are MULTI's OK, the script's QUEUED, then
 * EXEC's nil (a watched key changed) or the script's own reply: 1, or an
 * error saying which key would have been written with the wrong type -
 * in which case nothing was. The formats written are those of srstate.c
 * (state), audit.c (audit entries) and notice.c (notices).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "decision.h"
#include "event.h"
#include "intake.h"
#include "log.h"
#include "metrics.h"
#include "notice.h"
#include "optout.h"
#include "outbox.h"
#include "policy.h"
#include "redis.h"
#include "redisscript.h"
#include "srstate.h"
#include "store.h"
#include "txn.h"
#include "xmalloc.h"

/*
 * The script behind every transaction. Its arguments are commands, each
 * its argument count then its arguments. It first checks, for every
 * command that writes a key of a given type, that the key is of that
 * type or absent (not counting a key a command before it deletes), and
 * that a hash field HINCRBY adds to holds an integer; it refuses the whole
 * step with the first key that is not, having written nothing. Then it
 * runs the commands in order.
 */
static struct redisscript txn_script = {
	"txn",
	"local types = { HSET = 'hash', HSETNX = 'hash', HDEL = 'hash',\n"
	"    HINCRBY = 'hash', XADD = 'stream', XACK = 'stream',\n"
	"    XDEL = 'stream', ZADD = 'zset', ZREM = 'zset', SADD = 'set',\n"
	"    SREM = 'set' }\n"
	"local gone = {}\n"
	"local i, n = 1, #ARGV\n"
	"while i <= n do\n"
	"  local cmd, key = string.upper(ARGV[i + 1]), ARGV[i + 2]\n"
	"  local want = types[cmd]\n"
	"  if cmd == 'DEL' then\n"
	"    gone[key] = true\n"
	"  elseif want and not gone[key] then\n"
	"    local t = redis.call('TYPE', key)['ok']\n"
	"    if t ~= 'none' and t ~= want then\n"
	"      return redis.error_reply('WRONGTYPE ' .. cmd .. ' ' .. key ..\n"
	"          ': the key holds a ' .. t .. ', not a ' .. want)\n"
	"    end\n"
	"    if cmd == 'HINCRBY' and t == 'hash' then\n"
	"      local v = redis.call('HGET', key, ARGV[i + 3])\n"
	"      if v and not string.match(v, '^-?%d+$') then\n"
	"        return redis.error_reply('WRONGTYPE HINCRBY ' .. key ..\n"
	"            ' ' .. ARGV[i + 3] .. ': not an integer')\n"
	"      end\n"
	"    end\n"
	"  end\n"
	"  i = i + 1 + tonumber(ARGV[i])\n"
	"end\n"
	"i = 1\n"
	"while i <= n do\n"
	"  local argc = tonumber(ARGV[i])\n"
	"  redis.call(unpack(ARGV, i + 1, i + argc))\n"
	"  i = i + 1 + argc\n"
	"end\n"
	"return 1\n",
	""
};

/* Queue one command of a transaction. */
void
txn_queue(struct txn *tx, int argc, const char **argv)
{
	char	num[16];
	int	i;

	snprintf(num, sizeof num, "%d", argc);
	redis_args_str(&tx->args, num);
	for (i = 0; i < argc; i++)
		redis_args_str(&tx->args, argv[i]);
	tx->queued++;
}

/*
 * Return how long an SR's keys are kept after this change, in seconds:
 * policy.retain_days once it is finished (no open work order, nothing
 * pending: the final notice was decided), else events.history_days.
 */
static long long
txn_ttl(const struct config *cf, const struct srstate *st)
{
	if (st->nwo != 0 && srstate_wo_open(st, NULL) == 0 && st->due == 0)
		return (long long)cf->policy_retain_days * 86400;
	return (long long)cf->events_history_days * 86400;
}

/* Queue the SR's entry in the due-time index: its due time, or none. */
void
txn_due(struct txn *tx, const struct config *cf, const struct srstate *st)
{
	const char	*argv[4];
	char		*dkey, due[32];

	dkey = xasprintf("%sdue", cf->redis_prefix);
	argv[1] = dkey;
	if (st->due != 0) {
		snprintf(due, sizeof due, "%lld", (long long)st->due);
		argv[0] = "ZADD";
		argv[2] = due;
		argv[3] = st->sr;
		txn_queue(tx, 4, argv);
	} else {
		argv[0] = "ZREM";
		argv[2] = st->sr;
		txn_queue(tx, 3, argv);
	}
	free(dkey);
}

/*
 * Queue the writes of the state, its expiry, its due-time index and
 * the index of each SMS contact's SRs (optout.h), which lives as long.
 */
static void
txn_state(struct txn *tx, const struct config *cf,
    const struct srstate *st, long long ttl)
{
	const char	**argv;
	char		**fields, *key, *ttls, *history;
	size_t		  i, n;

	key = srstate_key(cf, st->sr);
	fields = srstate_encode(st, &n);
	argv = xcalloc(2 + 2 * n, sizeof *argv);
	argv[0] = "DEL";
	argv[1] = key;
	txn_queue(tx, 2, argv);
	if (n != 0) {
		argv[0] = "HSET";
		for (i = 0; i < 2 * n; i++)
			argv[2 + i] = fields[i];
		txn_queue(tx, 2 + 2 * n, argv);
		ttls = xasprintf("%lld", ttl);
		argv[0] = "EXPIRE";
		argv[2] = ttls;
		txn_queue(tx, 3, argv);
		/* The history holds contacts too: it goes with the state. */
		history = intake_history_key(cf, st->sr);
		argv[1] = history;
		txn_queue(tx, 3, argv);
		free(history);
		free(ttls);
		for (i = 0; i < st->ncontact; i++) {
			if (st->contact[i].channel == EVENT_CHANNEL_SMS)
				optout_index(tx, cf, st->sr,
				    st->contact[i].address, ttl);
		}
	}
	free(argv);
	srstate_encode_free(fields, n);
	free(key);
	txn_due(tx, cf, st);
}

/*
 * Queue one notification per recipient of a notice into the outbox; an
 * SMS that falls in quiet hours waits for their end, which the SR's
 * audit says.
 */
static void
txn_notice(struct txn *tx, const struct config *cf,
    const struct notice *nt, int64_t now)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	char			*masked;
	int64_t			 due;
	size_t			 i;

	for (i = 0; i < nt->nto; i++) {
		outbox_queue(tx, cf, nt, i, NULL, now);
		if (nt->to[i].channel != EVENT_CHANNEL_SMS ||
		    (due = outbox_due(cf, EVENT_CHANNEL_SMS, now)) <= now)
			continue;
		masked = event_mask_contact(EVENT_CHANNEL_SMS,
		    nt->to[i].address);
		d = decision_add(&dl, DECISION_DEFERRED, "quiet_hours", nt->notice,
		    nt->division, nt->events, "sms to %s waits %lld min for "
		    "the end of quiet hours (%s)", masked,
		    (long long)((due - now + 59999) / 60000),
		    cf->sms_quiet_hours);
		decision_set(d, "channel", "sms");
		free(masked);
	}
	audit_queue(tx, cf, nt->sr, &dl, now);
	decision_clear(&dl);
}

/* Queue everything a policy result writes. */
void
txn_result(struct txn *tx, const struct config *cf,
    const struct srstate *st, const struct policy_result *res, int64_t now)
{
	long long	ttl = txn_ttl(cf, st);

	txn_state(tx, cf, st, ttl);
	audit_queue(tx, cf, st->sr, &res->decisions, now);
	if (res->notice != NULL)
		txn_notice(tx, cf, res->notice, now);
}

/* Send the transaction and read its replies. */
int
txn_exec(struct txn *tx, const char *sr, char **cause)
{
	struct redis_reply	*reply[3] = { NULL, NULL, NULL }, *x;
	const char		*argv[1];
	const char		*err = NULL;
	size_t			 i;
	int			 rc = -1;

	tx->refused = 0;
	if ((rc = redisscript_load(tx->r, &txn_script, cause)) != 0) {
		tx->refused = rc > 0;	/* the script itself was refused */
		rc = -1;
		goto out;
	}
	rc = -1;
	argv[0] = "MULTI";
	redis_pipe_argv(tx->r, 1, argv, NULL);
	redisscript_pipe(tx->r, &txn_script, 0, &tx->args);
	argv[0] = "EXEC";
	redis_pipe_argv(tx->r, 1, argv, NULL);
	for (i = 0; i < 3; i++) {
		if ((reply[i] = redis_pipe_reply(tx->r, cause)) == NULL)
			goto out;
	}
	x = reply[2];
	if (reply[0]->type == REDIS_TYPE_ERROR)
		err = reply[0]->str;
	else if (reply[1]->type == REDIS_TYPE_ERROR)
		err = reply[1]->str;
	else if (x->type == REDIS_TYPE_NIL)
		rc = 0;
	else if (x->type == REDIS_TYPE_ARRAY && x->elements == 1 &&
	    x->element[0]->type == REDIS_TYPE_INTEGER)
		rc = 1;
	else if (x->type == REDIS_TYPE_ARRAY && x->elements == 1 &&
	    redis_reply_is_error(x->element[0], "NOSCRIPT")) {
		/* Flushed: nothing was written; the caller connects again. */
		redisscript_lost(tx->r, &txn_script);
		if (cause != NULL)
			*cause = xasprintf("SR %s: %s", sr, x->element[0]->str);
	} else if (x->type == REDIS_TYPE_ARRAY && x->elements == 1 &&
	    x->element[0]->str != NULL)
		err = x->element[0]->str;
	else
		err = x->str != NULL ? x->str : "unexpected reply to EXEC";
	if (err != NULL) {
		tx->refused = 1;
		if (cause != NULL)
			*cause = xasprintf("SR %s: redis refused the step, "
			    "which wrote nothing: %s", sr, err);
	}
	if (rc == 1)
		metrics_decisions(&tx->audited);
out:
	for (i = 0; i < 3; i++)
		redis_reply_free(reply[i]);
	txn_abort(tx);
	return rc;
}

/* Free what a transaction queued. */
void
txn_abort(struct txn *tx)
{
	decision_clear(&tx->audited);
	redis_args_clear(&tx->args);
	tx->queued = 0;
}

/* Start a transaction. */
void
txn_begin(struct txn *tx, struct redis *r)
{
	memset(tx, 0, sizeof *tx);
	tx->r = r;
}

/* Queue the intake part of an event's transaction: dedupe, ack, history. */
void
txn_intake(struct txn *tx, const struct config *cf,
    const char *stream_key, const struct event *ev, const char *seenkey)
{
	const char	*argv[6 + 2 * EVENT_FIELDS_MAX];
	char		*history, *stats, num[32], max[32];
	size_t		 n;

	snprintf(num, sizeof num, "%lld", (long long)cf->events_dedupe_seconds);
	argv[0] = "SET";
	argv[1] = seenkey;
	argv[2] = ev->source_id;
	argv[3] = "EX";
	argv[4] = num;
	txn_queue(tx, 5, argv);
	argv[0] = "XACK";
	argv[1] = stream_key;
	argv[2] = cf->redis_group;
	argv[3] = ev->source_id;
	txn_queue(tx, 4, argv);
	history = intake_history_key(cf, ev->sr);
	snprintf(max, sizeof max, "%lld", (long long)cf->events_history_max);
	argv[0] = "XADD";
	argv[1] = history;
	argv[2] = "MAXLEN";
	argv[3] = "~";
	argv[4] = max;
	argv[5] = "*";
	n = event_fields(ev, argv + 6, 2 * EVENT_FIELDS_MAX);
	txn_queue(tx, 6 + n, argv);
	snprintf(num, sizeof num, "%lld",
	    (long long)cf->events_history_days * 86400);
	argv[0] = "EXPIRE";
	argv[2] = num;
	txn_queue(tx, 3, argv);
	stats = xasprintf("%sstats", cf->redis_prefix);
	argv[0] = "HINCRBY";
	argv[1] = stats;
	argv[2] = "accepted";
	argv[3] = "1";
	txn_queue(tx, 4, argv);
	free(stats);
	free(history);
}
