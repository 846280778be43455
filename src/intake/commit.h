/*
 * commit.h - the writes of one step on an SR, queued into a transaction
 *
 * A step (an event applied, or a pending notice released) ends by
 * writing everything it decided at once (txn.h): the SR's state and its
 * expiry, its contacts' indexes of SRs (optout.h, lookup.h), the
 * due-time index, the audit records, the notices for delivery, a
 * duplicate's subscribers on the original SR and, for an event, its
 * dedupe key, history entry and stream acknowledgement. store.c reads
 * and decides; this queues.
 *
 * Keys, with the configured prefix (default "closeloop:"):
 *   sr:{SR}:state    hash, the SR's state (srstate.c); expires
 *                    policy.retain_days after the final notice, else
 *                    events.history_days after the last change
 *   sr:{SR}:audit    stream, one entry per decision, and audit (the
 *                    stream of every SR's entries): see audit.h
 *   due              sorted set of SRs by the time (ms) their pending
 *                    notice is due: held closures and coalesced bursts
 *   late             sorted set of SRs by the time (ms) the end of their
 *                    service standard is to be checked (stdclock.h):
 *                    not met yet, work open
 *   sr:{SR}:n:*, outbox:*   notifications for delivery: see outbox.h
 *   phone:HEX        set, the SRs of an SMS contact: see optout.h
 *   find:HEX         set, the SRs of a contact, by a keyed hash: see
 *                    lookup.h
 *   seen:EVENT_ID    string, an event_id seen (events.dedupe_seconds)
 *   sr:{SR}:events   stream, the SR's accepted events (its history),
 *                    capped at events.history_max and kept as long as
 *                    the state
 *   stats            hash of counters (accepted, ...)
 */
#ifndef COMMIT_H
#define COMMIT_H

#include <stdint.h>

struct config;
struct event;
struct policy_result;
struct srstate;
struct txn;

/*
 * Queue the step of an event read from stream_key: its intake (its dedupe
 * key seenkey, the acknowledgement, the SR's history entry, the counter),
 * then what the policy result res writes, as commit_result() does. The
 * history's expiry is queued once: the state's, or when no state is kept,
 * events.history_days.
 */
void commit_event(struct txn *tx, const struct config *cf,
    const char *stream_key, const struct event *ev, const char *seenkey,
    const struct srstate *st, const struct policy_result *res, int64_t now);

/*
 * Queue what a policy result writes: st (the SR's new state), the due
 * index, the decisions (stamped now) and any notice. A duplicate's step
 * that follows the original SR (res->follow) writes the original's state
 * too, as policy_follow() changed it: call this for it as well, with the
 * original's state and result.
 */
void commit_result(struct txn *tx, const struct config *cf,
    const struct srstate *st, const struct policy_result *res, int64_t now);

/*
 * Queue only the SR's entries in the due-time index (its st->due, or
 * none) and the index of late SRs (srstate_std_check()): what a release
 * that found nothing due has to put right.
 */
void commit_due(struct txn *tx, const struct config *cf,
    const struct srstate *st);

/*
 * Return the key of an SR's event history ("closeloop:sr:{8812}:events").
 * The string is allocated; the caller frees it.
 */
char *commit_history_key(const struct config *cf, const char *sr);

#endif
