/*
 * store.c - SR state in Redis, changed atomically with what it decides
 *
 * One step on an SR is: WATCH its keys and read them (pipelined), decide
 * in C, then queue MULTI, every write and EXEC in one pipeline. EXEC
 * answers nil when a watched key changed since the WATCH - another
 * closeloopd got there first - and the step starts again on what that
 * one wrote. Keys are listed in store.h.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "decision.h"
#include "event.h"
#include "intake.h"
#include "log.h"
#include "notice.h"
#include "policy.h"
#include "redis.h"
#include "srstate.h"
#include "store.h"
#include "xmalloc.h"

/* How often a step is tried when other daemons keep changing the SR. */
#define STORE_ATTEMPTS	50

/* The commands queued after MULTI, to read their replies. */
struct store_tx {
	struct redis	*r;
	size_t		 queued;
};

/* Return the wall-clock time in ms since the epoch. */
int64_t
store_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Return the key of an SR's state. */
char *
store_state_key(const struct config *cf, const char *sr)
{
	return xasprintf("%ssr:{%s}:state", cf->redis_prefix, sr);
}

/* Return the key of an SR's audit stream. */
char *
store_audit_key(const struct config *cf, const char *sr)
{
	return xasprintf("%ssr:{%s}:audit", cf->redis_prefix, sr);
}

/* Queue one command of a transaction. */
static void
store_queue(struct store_tx *tx, int argc, const char **argv)
{
	redis_pipe_argv(tx->r, argc, argv, NULL);
	tx->queued++;
}

/*
 * WATCH an SR's state (and a dedupe key, if not NULL) and read them.
 * Sets *stp to the state and *seen to the stream ID that first carried
 * the event, or NULL. Returns 0 or -1 with *cause.
 */
static int
store_load(const struct config *cf, struct redis *r, const char *sr,
    const char *seenkey, struct srstate **stp, char **seen, char **cause)
{
	struct redis_reply	*reply[3] = { NULL, NULL, NULL };
	const char		*argv[3];
	char			*key, **fields = NULL, *warning = NULL;
	size_t			 i, n = 0;
	int			 rc = -1;

	*stp = NULL;
	*seen = NULL;
	key = store_state_key(cf, sr);
	argv[0] = "WATCH";
	argv[1] = key;
	argv[2] = seenkey;
	redis_pipe_argv(r, seenkey != NULL ? 3 : 2, argv, NULL);
	if (seenkey != NULL) {
		argv[0] = "GET";
		argv[1] = seenkey;
		redis_pipe_argv(r, 2, argv, NULL);
	}
	argv[0] = "HGETALL";
	argv[1] = key;
	redis_pipe_argv(r, 2, argv, NULL);
	for (i = 0; i < (seenkey != NULL ? 3u : 2u); i++) {
		if ((reply[i] = redis_pipe_reply(r, cause)) == NULL)
			goto fail;
	}
	if (reply[0]->type == REDIS_TYPE_ERROR) {
		if (cause != NULL)
			*cause = xasprintf("WATCH %s: %s", key, reply[0]->str);
		goto fail;
	}
	if (seenkey != NULL && reply[1]->type == REDIS_TYPE_STRING)
		*seen = xstrdup(reply[1]->str);
	i = seenkey != NULL ? 2 : 1;
	if (reply[i]->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("HGETALL %s: %s", key,
			    reply[i]->str != NULL ? reply[i]->str :
			    "unexpected reply");
		goto fail;
	}
	fields = xcalloc(reply[i]->elements + 1, sizeof *fields);
	for (n = 0; n < reply[i]->elements; n++)
		fields[n] = reply[i]->element[n]->str != NULL ?
		    reply[i]->element[n]->str : (char *)"";
	*stp = srstate_new(sr);
	if (srstate_decode(*stp, fields, n / 2, &warning) != 0) {
		log_warn("%s", warning);
		free(warning);
	}
	rc = 0;
fail:
	free(fields);
	for (i = 0; i < 3; i++)
		redis_reply_free(reply[i]);
	free(key);
	return rc;
}

/* Return how long an SR's keys are kept after this change, in seconds. */
static long long
store_ttl(const struct config *cf, const struct srstate *st)
{
	if (srstate_wo_open(st, NULL) == 0 && st->due == 0) {
		switch (st->told) {
		case VOCAB_NOTICE_COMPLETED:
		case VOCAB_NOTICE_NO_ACTION:
		case VOCAB_NOTICE_DUPLICATE:
		case VOCAB_NOTICE_CANCELLED:
		case VOCAB_NOTICE_REFERRED_EXTERNAL:
			return (long long)cf->policy_retain_days * 86400;
		default:
			break;
		}
	}
	return (long long)cf->events_history_days * 86400;
}

/* Queue the writes of the state, its expiry and its due-time index. */
static void
store_queue_state(struct store_tx *tx, const struct config *cf,
    const struct srstate *st, long long ttl)
{
	const char	**argv;
	char		**fields, *key, *due, *ttls, *dkey;
	size_t		  i, n;

	key = store_state_key(cf, st->sr);
	dkey = xasprintf("%sdue", cf->redis_prefix);
	fields = srstate_encode(st, &n);
	argv = xcalloc(4 + 2 * n, sizeof *argv);
	argv[0] = "DEL";
	argv[1] = key;
	store_queue(tx, 2, argv);
	if (n != 0) {
		argv[0] = "HSET";
		for (i = 0; i < 2 * n; i++)
			argv[2 + i] = fields[i];
		store_queue(tx, 2 + 2 * n, argv);
		ttls = xasprintf("%lld", ttl);
		argv[0] = "EXPIRE";
		argv[2] = ttls;
		store_queue(tx, 3, argv);
		free(ttls);
	}
	argv[1] = dkey;
	if (st->due != 0) {
		due = xasprintf("%lld", (long long)st->due);
		argv[0] = "ZADD";
		argv[2] = due;
		argv[3] = st->sr;
		store_queue(tx, 4, argv);
		free(due);
	} else {
		argv[0] = "ZREM";
		argv[2] = st->sr;
		store_queue(tx, 3, argv);
	}
	free(argv);
	srstate_encode_free(fields, n);
	free(dkey);
	free(key);
}

/* Queue the decisions into an SR's audit stream, and count them. */
static void
store_queue_decisions(struct store_tx *tx, const struct config *cf,
    const char *sr, const struct decision_list *dl, int64_t now,
    long long ttl)
{
	const char	*argv[6 + DECISION_FIELDS_MAX];
	char		*key, *stats, *counter, max[32], at[32], rbuf[32];
	char		 ttls[32];
	size_t		 i, n;

	if (dl->n == 0)
		return;
	key = store_audit_key(cf, sr);
	stats = xasprintf("%sstats", cf->redis_prefix);
	snprintf(max, sizeof max, "%lld", (long long)cf->events_history_max);
	snprintf(ttls, sizeof ttls, "%lld", ttl);
	for (i = 0; i < dl->n; i++) {
		argv[0] = "XADD";
		argv[1] = key;
		argv[2] = "MAXLEN";
		argv[3] = "~";
		argv[4] = max;
		argv[5] = "*";
		n = decision_fields(&dl->list[i], now, at, rbuf, argv + 6);
		store_queue(tx, 6 + n, argv);
		counter = xasprintf("decision:%s",
		    decision_kind_name(dl->list[i].kind));
		argv[0] = "HINCRBY";
		argv[1] = stats;
		argv[2] = counter;
		argv[3] = "1";
		store_queue(tx, 4, argv);
		free(counter);
	}
	argv[0] = "EXPIRE";
	argv[1] = key;
	argv[2] = ttls;
	store_queue(tx, 3, argv);
	free(stats);
	free(key);
}

/* Queue one entry per recipient of a notice into the notices stream. */
static void
store_queue_notice(struct store_tx *tx, const struct config *cf,
    const struct notice *nt)
{
	const char	*argv[3 + NOTICE_FIELDS_MAX];
	char		*key;
	size_t		 i, n;

	key = xasprintf("%snotices", cf->redis_prefix);
	for (i = 0; i < nt->nto; i++) {
		argv[0] = "XADD";
		argv[1] = key;
		argv[2] = "*";
		n = notice_fields(nt, i, argv + 3);
		store_queue(tx, 3 + n, argv);
	}
	free(key);
}

/*
 * Subscribe a duplicate's recipients to the original SR, unless the
 * original knows them already (HSETNX), and say so in its audit.
 */
static void
store_queue_follow(struct store_tx *tx, const struct config *cf,
    const struct notice *nt, const char *original, int64_t now)
{
	const struct notice_recipient	*to;
	struct decision_list		 dl = { NULL, 0 };
	const char			*argv[5];
	char				*key, *field, *value, *masked, ttls[32];
	size_t				 i;

	key = store_state_key(cf, original);
	for (i = 0; i < nt->nto; i++) {
		to = &nt->to[i];
		field = xasprintf("c:%s:%s", to->channel == EVENT_CHANNEL_SMS ?
		    "sms" : "email", to->address);
		value = xasprintf("1 %lld %s %s", (long long)now,
		    to->locale != NULL ? to->locale : "-", nt->sr);
		argv[0] = "HSETNX";
		argv[1] = key;
		argv[2] = field;
		argv[3] = value;
		store_queue(tx, 4, argv);
		masked = to->channel == EVENT_CHANNEL_SMS ?
		    log_mask_phone(to->address) : log_mask_email(to->address);
		decision_add(&dl, DECISION_SUBSCRIBED, "follow_duplicate",
		    VOCAB_NOTICE_NONE, NULL, nt->events, "%s by %s, from "
		    "duplicate SR %s, unless already known", masked,
		    to->channel == EVENT_CHANNEL_SMS ? "sms" : "email", nt->sr);
		free(masked);
		free(field);
		free(value);
	}
	snprintf(ttls, sizeof ttls, "%lld",
	    (long long)cf->events_history_days * 86400);
	argv[0] = "EXPIRE";
	argv[1] = key;
	argv[2] = ttls;
	argv[3] = "NX";
	store_queue(tx, 4, argv);
	store_queue_decisions(tx, cf, original, &dl, now,
	    (long long)cf->events_history_days * 86400);
	decision_clear(&dl);
	free(key);
}

/* Queue everything a policy result writes. */
static void
store_queue_result(struct store_tx *tx, const struct config *cf,
    const struct srstate *st, const struct policy_result *res, int64_t now)
{
	long long	ttl = store_ttl(cf, st);

	store_queue_state(tx, cf, st, ttl);
	store_queue_decisions(tx, cf, st->sr, &res->decisions, now, ttl);
	if (res->notice != NULL)
		store_queue_notice(tx, cf, res->notice);
	if (res->notice != NULL && res->follow != NULL)
		store_queue_follow(tx, cf, res->notice, res->follow, now);
}

/*
 * Send EXEC and read the replies of the transaction. Returns 1 if it
 * committed, 0 if a watched key changed (nothing was written), -1 with
 * *cause if Redis failed or refused a command.
 */
static int
store_exec(struct store_tx *tx, const char *sr, char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[1] = { "EXEC" };
	char			*err = NULL;
	size_t			 i;
	int			 rc = -1;

	redis_pipe_argv(tx->r, 1, argv, NULL);
	for (i = 0; i < tx->queued + 1; i++) {
		if ((reply = redis_pipe_reply(tx->r, cause)) == NULL) {
			free(err);
			return -1;
		}
		if (reply->type == REDIS_TYPE_ERROR && err == NULL)
			err = xstrdup(reply->str);
		redis_reply_free(reply);
	}
	if ((reply = redis_pipe_reply(tx->r, cause)) == NULL) {
		free(err);
		return -1;
	}
	if (reply->type == REDIS_TYPE_NIL && err == NULL)
		rc = 0;
	else if (reply->type == REDIS_TYPE_ARRAY && err == NULL) {
		rc = 1;
		for (i = 0; i < reply->elements; i++) {
			if (reply->element[i]->type == REDIS_TYPE_ERROR) {
				err = xstrdup(reply->element[i]->str);
				rc = -1;
				break;
			}
		}
	} else if (err == NULL)
		err = xstrdup(reply->str != NULL ? reply->str :
		    "unexpected reply");
	redis_reply_free(reply);
	if (rc == -1 && cause != NULL)
		*cause = xasprintf("SR %s: redis refused a write: %s", sr, err);
	free(err);
	return rc;
}

/* Start a transaction: queue MULTI. */
static void
store_multi(struct store_tx *tx, struct redis *r)
{
	const char	*argv[1] = { "MULTI" };

	tx->r = r;
	tx->queued = 0;
	redis_pipe_argv(r, 1, argv, NULL);
}

/* Log what was decided once it is committed. */
static void
store_log(const char *sr, const struct policy_result *res)
{
	size_t	i;

	for (i = 0; i < res->decisions.n; i++)
		decision_log(sr, &res->decisions.list[i]);
}

/* Acknowledge a duplicate event and count it. */
static int
store_duplicate(const struct config *cf, struct redis *r,
    const char *stream_key, const struct event *ev, const char *seen,
    char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[4];
	char			*stats;
	int			 i, rc = 0;

	stats = xasprintf("%sstats", cf->redis_prefix);
	argv[0] = "UNWATCH";
	redis_pipe_argv(r, 1, argv, NULL);
	argv[0] = "XACK";
	argv[1] = stream_key;
	argv[2] = cf->redis_group;
	argv[3] = ev->source_id;
	redis_pipe_argv(r, 4, argv, NULL);
	argv[0] = "HINCRBY";
	argv[1] = stats;
	argv[2] = "duplicate";
	argv[3] = "1";
	redis_pipe_argv(r, 4, argv, NULL);
	for (i = 0; i < 3; i++) {
		if ((reply = redis_pipe_reply(r, cause)) == NULL)
			rc = -1;
		redis_reply_free(reply);
		if (rc != 0)
			break;
	}
	free(stats);
	if (rc == 0)
		log_info("dropped %s: event %s was already received in %s",
		    ev->source_id, ev->event_id, seen);
	return rc;
}

/* Queue the intake part of an event's transaction: dedupe, ack, history. */
static void
store_queue_intake(struct store_tx *tx, const struct config *cf,
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
	store_queue(tx, 5, argv);
	argv[0] = "XACK";
	argv[1] = stream_key;
	argv[2] = cf->redis_group;
	argv[3] = ev->source_id;
	store_queue(tx, 4, argv);
	history = intake_history_key(cf, ev->sr);
	snprintf(max, sizeof max, "%lld", (long long)cf->events_history_max);
	argv[0] = "XADD";
	argv[1] = history;
	argv[2] = "MAXLEN";
	argv[3] = "~";
	argv[4] = max;
	argv[5] = "*";
	n = event_fields(ev, argv + 6, 2 * EVENT_FIELDS_MAX);
	store_queue(tx, 6 + n, argv);
	snprintf(num, sizeof num, "%lld",
	    (long long)cf->events_history_days * 86400);
	argv[0] = "EXPIRE";
	argv[2] = num;
	store_queue(tx, 3, argv);
	stats = xasprintf("%sstats", cf->redis_prefix);
	argv[0] = "HINCRBY";
	argv[1] = stats;
	argv[2] = "accepted";
	argv[3] = "1";
	store_queue(tx, 4, argv);
	free(stats);
	free(history);
}

/* Apply a validated event. */
int
store_event(const struct config *cf, struct redis *r, const char *stream_key,
    const struct event *ev, int64_t now, char **cause)
{
	struct policy_result	 res;
	struct store_tx		 tx;
	struct srstate		*st = NULL;
	char			*seenkey, *seen = NULL;
	int			 attempt, rc = -1;

	memset(&res, 0, sizeof res);
	seenkey = xasprintf("%sseen:%s", cf->redis_prefix, ev->event_id);
	for (attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
		if (store_load(cf, r, ev->sr, seenkey, &st, &seen, cause) != 0)
			break;
		if (seen != NULL) {
			rc = store_duplicate(cf, r, stream_key, ev, seen,
			    cause) == 0 ? 0 : -1;
			break;
		}
		policy_event(cf, st, ev, now, &res);
		store_multi(&tx, r);
		store_queue_intake(&tx, cf, stream_key, ev, seenkey);
		store_queue_result(&tx, cf, st, &res, now);
		rc = store_exec(&tx, ev->sr, cause);
		if (rc != 0)
			break;
		log_debug("SR %s changed by another closeloopd; trying %s "
		    "again", ev->sr, ev->source_id);
		policy_result_clear(&res);
		srstate_free(st);
		st = NULL;
		rc = -1;
	}
	if (rc == 1)
		store_log(ev->sr, &res);
	if (rc == -1 && attempt == STORE_ATTEMPTS && cause != NULL)
		*cause = xasprintf("SR %s: changed by other closeloopd "
		    "processes %d times in a row", ev->sr, STORE_ATTEMPTS);
	policy_result_clear(&res);
	srstate_free(st);
	free(seen);
	free(seenkey);
	return rc;
}

/* Release one SR's pending notice if it is due; 1 if released. */
static int
store_release_sr(const struct config *cf, struct redis *r, const char *sr,
    int64_t now, char **cause)
{
	struct policy_result	 res;
	struct store_tx		 tx;
	struct srstate		*st = NULL;
	char			*seen = NULL;
	int			 attempt, released = 0, rc = -1;

	memset(&res, 0, sizeof res);
	for (attempt = 0; attempt < STORE_ATTEMPTS; attempt++) {
		if (store_load(cf, r, sr, NULL, &st, &seen, cause) != 0)
			break;
		released = notice_release(cf, st, now, &res);
		store_multi(&tx, r);
		store_queue_result(&tx, cf, st, &res, now);
		rc = store_exec(&tx, sr, cause);
		if (rc != 0)
			break;
		policy_result_clear(&res);
		srstate_free(st);
		st = NULL;
		rc = -1;
	}
	if (rc == 1)
		store_log(sr, &res);
	if (rc == -1 && attempt == STORE_ATTEMPTS && cause != NULL)
		*cause = xasprintf("SR %s: changed by other closeloopd "
		    "processes %d times in a row", sr, STORE_ATTEMPTS);
	policy_result_clear(&res);
	srstate_free(st);
	return rc < 0 ? -1 : released;
}

/* Release the pending notices due at now. */
int
store_release(const struct config *cf, struct redis *r, int64_t now,
    size_t max, char **cause)
{
	struct redis_reply	*reply;
	char			*key, nowbuf[32], maxbuf[32];
	size_t			 i;
	int			 n = 0, rc;

	key = xasprintf("%sdue", cf->redis_prefix);
	snprintf(nowbuf, sizeof nowbuf, "%lld", (long long)now);
	snprintf(maxbuf, sizeof maxbuf, "%zu", max);
	reply = redis_command(r, cause, "ZRANGEBYSCORE %s -inf %s LIMIT 0 %s",
	    key, nowbuf, maxbuf);
	free(key);
	if (reply == NULL)
		return -1;
	if (reply->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("reading due notices: %s",
			    reply->str != NULL ? reply->str : "unexpected reply");
		redis_reply_free(reply);
		return -1;
	}
	for (i = 0; i < reply->elements; i++) {
		rc = store_release_sr(cf, r, reply->element[i]->str, now,
		    cause);
		if (rc < 0) {
			n = -1;
			break;
		}
		n += rc;
	}
	redis_reply_free(reply);
	return n;
}

/* Find when the next pending notice is due. */
int
store_next_due(const struct config *cf, struct redis *r, int64_t *due,
    char **cause)
{
	struct redis_reply	*reply;
	char			*key;

	*due = 0;
	key = xasprintf("%sdue", cf->redis_prefix);
	reply = redis_command(r, cause, "ZRANGE %s 0 0 WITHSCORES", key);
	free(key);
	if (reply == NULL)
		return -1;
	if (reply->type == REDIS_TYPE_ARRAY && reply->elements == 2 &&
	    reply->element[1]->str != NULL)
		*due = strtoll(reply->element[1]->str, NULL, 10);
	redis_reply_free(reply);
	return 0;
}
