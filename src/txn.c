/*
 * txn.c - the writes of one step on an SR, as one MULTI/EXEC transaction
 *
 * Every command is queued with redis_pipe_argv() after MULTI, so a step's
 * writes go to Redis in one pipeline with EXEC; the replies (QUEUED for
 * each, then EXEC's array, or nil if a watched key changed) are read
 * back in txn_exec(). The formats written are those of srstate.c
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
#include "srstate.h"
#include "store.h"
#include "txn.h"
#include "xmalloc.h"

/* Queue one command of a transaction. */
void
txn_queue(struct txn *tx, int argc, const char **argv)
{
	redis_pipe_argv(tx->r, argc, argv, NULL);
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

	key = store_state_key(cf, st->sr);
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

/*
 * Subscribe a duplicate's recipients to the original SR, unless the
 * original knows them already (HSETNX), and say so in its audit; a
 * phone among them gets the original in its index (optout.h).
 */
static void
txn_follow(struct txn *tx, const struct config *cf,
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
		field = xasprintf("c:%s:%s", event_channel_name(to->channel),
		    to->address);
		value = xasprintf("1 %lld %s %s", (long long)to->ts,
		    to->locale != NULL ? to->locale : "-", nt->sr);
		argv[0] = "HSETNX";
		argv[1] = key;
		argv[2] = field;
		argv[3] = value;
		txn_queue(tx, 4, argv);
		if (to->channel == EVENT_CHANNEL_SMS)
			optout_index(tx, cf, original, to->address,
			    cf->events_history_days * 86400);
		masked = event_mask_contact(to->channel, to->address);
		decision_add(&dl, DECISION_SUBSCRIBED, "follow_duplicate",
		    VOCAB_NOTICE_NONE, NULL, nt->events, "%s by %s, from "
		    "duplicate SR %s, unless already known", masked,
		    event_channel_name(to->channel), nt->sr);
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
	txn_queue(tx, 4, argv);
	audit_queue(tx, cf, original, &dl, now);
	decision_clear(&dl);
	free(key);
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
	if (res->notice != NULL && res->follow != NULL)
		txn_follow(tx, cf, res->notice, res->follow, now);
}

/*
 * Send EXEC and read the replies of the transaction. Returns 1 if it
 * committed, 0 if a watched key changed (nothing was written), -1 with
 * *cause if Redis failed or refused a command.
 */
int
txn_exec(struct txn *tx, const char *sr, char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[1] = { "EXEC" };
	char			*err = NULL;
	size_t			 i;
	int			 rc = -1;

	redis_pipe_argv(tx->r, 1, argv, NULL);
	for (i = 0; i < tx->queued + 1; i++) {
		if ((reply = redis_pipe_reply(tx->r, cause)) == NULL)
			goto fail;
		if (reply->type == REDIS_TYPE_ERROR && err == NULL)
			err = xstrdup(reply->str);
		redis_reply_free(reply);
	}
	if ((reply = redis_pipe_reply(tx->r, cause)) == NULL)
		goto fail;
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
	if (rc == 1)
		metrics_decisions(&tx->audited);
fail:
	decision_clear(&tx->audited);
	free(err);
	return rc;
}

/* Start a transaction: queue MULTI. */
void
txn_begin(struct txn *tx, struct redis *r)
{
	const char	*argv[1] = { "MULTI" };

	tx->r = r;
	tx->queued = 0;
	tx->audited.list = NULL;
	tx->audited.n = 0;
	redis_pipe_argv(r, 1, argv, NULL);
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
