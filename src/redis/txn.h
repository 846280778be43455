/*
 * txn.h - the writes of one step on an SR, all or nothing
 *
 * A step (an event applied, or a pending notice released) ends by
 * writing everything it decided at once: the SR's state and its expiry,
 * its phones' indexes of SRs (optout.h), the due-time index, the audit
 * records, the notices for delivery, a duplicate's subscribers on the
 * original SR and, for an event, its dedupe key, history entry and
 * stream acknowledgement. The caller has WATCHed the SR's keys first
 * (store.c); txn_exec() says whether the transaction committed, lost a
 * race, or was refused - and a refused transaction wrote nothing at all.
 * Keys are listed in store.h.
 *
 * MULTI/EXEC alone cannot promise that: Redis runs every command of an
 * EXEC even when one is refused (WRONGTYPE on a key of the wrong type),
 * so a step would be half applied - its entry acknowledged, its
 * notification queued, its audit line missing. The commands are
 * therefore sent as the arguments of one Lua script, in MULTI/EXEC for
 * the WATCH: the script first checks the type of every key a command
 * writes (and that a counter it increments holds an integer) and refuses
 * the whole step, naming the key, before it writes anything; then it runs
 * them. A script runs atomically, so nothing can change a key between
 * the check and the write.
 */
#ifndef TXN_H
#define TXN_H

#include <stddef.h>
#include <stdint.h>

#include "decision.h"
#include "redis.h"

struct config;
struct event;
struct policy_result;
struct srstate;

/* A transaction being queued: commands are sent with txn_exec(). */
struct txn {
	struct redis		*r;
	struct redis_args	 args;		/* the script's: the commands */
	size_t			 queued;	/* commands */
	int			 refused;	/* txn_exec(): Redis said no */
	struct decision_list	 audited;	/* counted once committed */
};

/* Start a transaction on r (nothing is sent before txn_exec()). */
void txn_begin(struct txn *tx, struct redis *r);

/*
 * Queue one command (argc arguments, NUL-terminated strings, copied; the
 * second is the key it writes). The commands a transaction may hold are
 * those the script knows the type of (txn.c): DEL, EXPIRE, PERSIST, SET,
 * HSET, HSETNX, HDEL, HINCRBY, XADD, XACK, XDEL, ZADD, ZREM, SADD, SREM.
 */
void txn_queue(struct txn *tx, int argc, const char **argv);

/*
 * Queue the intake of an event read from stream_key: its dedupe key
 * seenkey, the acknowledgement, the SR's history entry, the counter.
 */
void txn_intake(struct txn *tx, const struct config *cf,
    const char *stream_key, const struct event *ev, const char *seenkey);

/*
 * Queue what a policy result writes: st (the SR's new state), the due
 * index, the decisions (stamped now) and any notice. A duplicate's step
 * that follows the original SR (res->follow) writes the original's state
 * too, as policy_follow() changed it: call this for it as well, with the
 * original's state and result.
 */
void txn_result(struct txn *tx, const struct config *cf,
    const struct srstate *st, const struct policy_result *res, int64_t now);

/*
 * Queue only the SR's entry in the due-time index (its st->due, or
 * none): what a release that found nothing due has to put right.
 */
void txn_due(struct txn *tx, const struct config *cf, const struct srstate *st);

/*
 * Send the transaction and read its replies. Returns 1 if it committed,
 * 0 if a watched key changed (nothing was written), -1 with *cause
 * (about SR sr) if Redis failed - the connection must then be dropped -
 * or refused the step, in which case tx->refused is set, nothing was
 * written and the connection is fine. The decisions audited in tx are
 * counted (metrics.h) if it committed. The queued commands are freed
 * either way.
 */
int txn_exec(struct txn *tx, const char *sr, char **cause);

/* Free what a transaction queued without sending it. */
void txn_abort(struct txn *tx);

#endif
