/*
 * commit.c - the writes of one step on an SR, queued into a transaction
 *
 * Each function queues commands into a struct txn (txn.h), which sends
 * them all or none; the keys are listed in commit.h.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "commit.h"
#include "config.h"
#include "decision.h"
#include "event.h"
#include "lookup.h"
#include "notice.h"
#include "optout.h"
#include "outbox.h"
#include "policy.h"
#include "retry.h"
#include "srhash.h"
#include "srstate.h"
#include "txn.h"
#include "xmalloc.h"

/* Return the key of an SR's event history. */
char *
commit_history_key(const struct config *cf, const char *sr)
{
	return xasprintf("%ssr:{%s}:events", cf->redis_prefix, sr);
}

/*
 * Return how long an SR's keys are kept after this change, in seconds:
 * policy.retain_days once it is finished (no open work order, nothing
 * pending: the final notice was decided), else events.history_days.
 */
static long long
commit_ttl(const struct config *cf, const struct srstate *st)
{
	if (st->nwo != 0 && srstate_wo_open(st, NULL) == 0 && st->due == 0)
		return (long long)cf->policy_retain_days * 86400;
	return (long long)cf->events_history_days * 86400;
}

/* Queue an SR's entry in index name: at time when, or none if 0. */
static void
commit_index(struct txn *tx, const struct config *cf, const char *name,
    const char *sr, int64_t when)
{
	const char	*argv[4];
	char		*key, at[32];

	key = xasprintf("%s%s", cf->redis_prefix, name);
	argv[1] = key;
	if (when != 0) {
		snprintf(at, sizeof at, "%lld", (long long)when);
		argv[0] = "ZADD";
		argv[2] = at;
		argv[3] = sr;
		txn_queue(tx, 4, argv);
	} else {
		argv[0] = "ZREM";
		argv[2] = sr;
		txn_queue(tx, 3, argv);
	}
	free(key);
}

/*
 * Queue the SR's entries in the due-time index (its pending notice) and
 * the index of late SRs (the end of its service standard), or none.
 */
void
commit_due(struct txn *tx, const struct config *cf, const struct srstate *st)
{
	commit_index(tx, cf, "due", st->sr, st->due);
	commit_index(tx, cf, "late", st->sr, srstate_std_check(st));
}

/* Queue the expiry an SR's history has when no state holds it. */
static void
commit_history_expire(struct txn *tx, const struct config *cf,
    const char *sr)
{
	const char	*argv[3];
	char		*history, num[32];

	history = commit_history_key(cf, sr);
	snprintf(num, sizeof num, "%lld",
	    (long long)cf->events_history_days * 86400);
	argv[0] = "EXPIRE";
	argv[1] = history;
	argv[2] = num;
	txn_queue(tx, 3, argv);
	free(history);
}

/*
 * Queue the writes of the state, its expiry, its due-time index, the
 * index of each SMS contact's SRs (optout.h) and the keyed index of each
 * contact's SRs (lookup.h), which live as long. A state kept gives its
 * expiry to the SR's history; if this step added an event to the history
 * of event_sr (not NULL) and no state of that SR is kept, the history
 * gets its own (events.history_days).
 */
static void
commit_state(struct txn *tx, const struct config *cf,
    const struct srstate *st, long long ttl, const char *event_sr)
{
	const char	**argv;
	char		**fields, *key, *ttls, *history;
	size_t		  i, n;

	key = srstate_key(cf, st->sr);
	fields = srhash_encode(st, &n);
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
		history = commit_history_key(cf, st->sr);
		argv[1] = history;
		txn_queue(tx, 3, argv);
		free(history);
		free(ttls);
		for (i = 0; i < st->ncontact; i++) {
			if (st->contact[i].channel == EVENT_CHANNEL_SMS)
				optout_index(tx, cf, st->sr,
				    st->contact[i].address, ttl);
		}
		lookup_index(tx, cf, st, ttl);
	}
	free(argv);
	if (event_sr != NULL && (n == 0 || strcmp(event_sr, st->sr) != 0))
		commit_history_expire(tx, cf, event_sr);
	srhash_encode_free(fields, n);
	free(key);
	commit_due(tx, cf, st);
}

/*
 * Queue one notification per recipient of a notice into the outbox; an
 * SMS that falls in quiet hours waits for their end, which the SR's
 * audit says.
 */
static void
commit_notice(struct txn *tx, const struct config *cf,
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
		    (due = retry_due(cf, EVENT_CHANNEL_SMS, now)) <= now)
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
	decision_tag(&dl, 0, nt->ward, nt->service);
	audit_queue(tx, cf, nt->sr, &dl, now);
	decision_clear(&dl);
}

/* Queue a policy result, after an event of event_sr if not NULL. */
static void
commit_step(struct txn *tx, const struct config *cf,
    const struct srstate *st, const struct policy_result *res, int64_t now,
    const char *event_sr)
{
	long long	ttl = commit_ttl(cf, st);

	commit_state(tx, cf, st, ttl, event_sr);
	audit_queue(tx, cf, st->sr, &res->decisions, now);
	if (res->notice != NULL)
		commit_notice(tx, cf, res->notice, now);
}

/* Queue everything a policy result writes. */
void
commit_result(struct txn *tx, const struct config *cf,
    const struct srstate *st, const struct policy_result *res, int64_t now)
{
	commit_step(tx, cf, st, res, now, NULL);
}

/* Queue the intake part of an event's step: dedupe, ack, history. */
static void
commit_intake(struct txn *tx, const struct config *cf,
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
	history = commit_history_key(cf, ev->sr);
	snprintf(max, sizeof max, "%lld", (long long)cf->events_history_max);
	argv[0] = "XADD";
	argv[1] = history;
	argv[2] = "MAXLEN";
	argv[3] = "~";
	argv[4] = max;
	argv[5] = "*";
	n = event_fields(ev, argv + 6, 2 * EVENT_FIELDS_MAX);
	txn_queue(tx, 6 + n, argv);
	stats = xasprintf("%sstats", cf->redis_prefix);
	argv[0] = "HINCRBY";
	argv[1] = stats;
	argv[2] = "accepted";
	argv[3] = "1";
	txn_queue(tx, 4, argv);
	free(stats);
	free(history);
}

/* Queue an event's step: its intake, then its policy result. */
void
commit_event(struct txn *tx, const struct config *cf,
    const char *stream_key, const struct event *ev, const char *seenkey,
    const struct srstate *st, const struct policy_result *res, int64_t now)
{
	commit_intake(tx, cf, stream_key, ev, seenkey);
	commit_step(tx, cf, st, res, now, ev->sr);
}
