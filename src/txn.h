/*
 * txn.h - the writes of one step on an SR, as one MULTI/EXEC transaction
 *
 * A step (an event applied, or a pending notice released) ends by
 * writing everything it decided at once: the SR's state and its expiry,
 * its phones' indexes of SRs (optout.h), the due-time index, the audit
 * records, the notices for delivery, a duplicate's subscribers on the
 * original SR and, for an event, its dedupe key, history entry and
 * stream acknowledgement. The caller has
 * WATCHed the SR's keys first (store.c); txn_exec() says whether the
 * transaction committed or lost a race. Keys are listed in store.h.
 */
#ifndef TXN_H
#define TXN_H

#include <stddef.h>
#include <stdint.h>

#include "decision.h"

struct config;
struct event;
struct policy_result;
struct redis;
struct srstate;

/* A transaction being queued: commands are sent with txn_exec(). */
struct txn {
	struct redis		*r;
	size_t			 queued;	/* commands after MULTI */
	struct decision_list	 audited;	/* counted once committed */
};

/* Start a transaction on r: queue MULTI. */
void txn_begin(struct txn *tx, struct redis *r);

/* Queue one command (argc arguments, NUL-terminated strings). */
void txn_queue(struct txn *tx, int argc, const char **argv);

/*
 * Queue the intake of an event read from stream_key: its dedupe key
 * seenkey, the acknowledgement, the SR's history entry, the counter.
 */
void txn_intake(struct txn *tx, const struct config *cf,
    const char *stream_key, const struct event *ev, const char *seenkey);

/*
 * Queue what a policy result writes: st (the SR's new state), the due
 * index, the decisions (stamped now) and any notice and follow.
 */
void txn_result(struct txn *tx, const struct config *cf,
    const struct srstate *st, const struct policy_result *res, int64_t now);

/*
 * Queue only the SR's entry in the due-time index (its st->due, or
 * none): what a release that found nothing due has to put right.
 */
void txn_due(struct txn *tx, const struct config *cf, const struct srstate *st);

/*
 * Send EXEC and read every reply. Returns 1 if the transaction
 * committed, 0 if a watched key changed (nothing was written), -1 with
 * *cause (about SR sr) if Redis failed or refused a command. The
 * decisions audited in tx are counted (metrics.h) if it committed.
 */
int txn_exec(struct txn *tx, const char *sr, char **cause);

#endif
