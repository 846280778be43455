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
 * The writes of a step are queued by commit.h; keys are listed there.
 * txn.c knows only commands: what a step wants done once it commits (the
 * audit counting its decisions for /metrics) it registers as a hook.
 *
 * The commands go in MULTI/EXEC, so they run at once and not at all if a
 * WATCHed key changed. A command Redis refuses as it is queued (a wrong
 * number of arguments) aborts the EXEC: nothing is written and the step
 * is refused. One it refuses as it runs - a key of the wrong type, a
 * counter that holds no integer: damage from outside - does not stop
 * the others. That key is then moved aside whole, to "<key>:damaged:<ms>",
 * and the step's writes to it are made again on a new one (txnrepair.h):
 * the step is applied, the damaged value kept, and a warning names both.
 * A step is not a Lua script that checks every key first: Redis spends
 * more running a script's Lua than on the writes themselves. Only
 * HSETNEW, the one conditional write, is a short script.
 */
#ifndef TXN_H
#define TXN_H

#include <stddef.h>
#include <stdint.h>

#include "redis.h"

/* What to call as a transaction ends: fn(arg, whether it committed). */
struct txn_hook {
	void	(*fn)(void *arg, int committed);
	void	 *arg;
};

/* A transaction being queued: commands are sent with txn_exec(). */
struct txn {
	struct redis		*r;
	struct redis_args	 args;		/* the commands, whole */
	size_t			 queued;	/* commands */
	int			 refused;	/* txn_exec(): Redis said no */
	struct txn_hook		*hook;		/* run once as it ends */
	size_t			 nhook;
};

/* Start a transaction on r (nothing is sent before txn_exec()). */
void txn_begin(struct txn *tx, struct redis *r);

/*
 * Queue one command (argc arguments, NUL-terminated strings, copied; the
 * second is the key it writes, which txnrepair.c moves aside if Redis
 * refuses the command for it). Besides Redis's commands, HSETNEW key
 * field value ...: an HSET that is run only if the key does not exist
 * yet (a record written whole, once, in one command rather than an
 * HSETNX per field).
 */
void txn_queue(struct txn *tx, int argc, const char **argv);

/*
 * Like txn_queue(), with the length of each argument in lens (or NULL
 * for NUL-terminated strings): for a value that may hold any byte
 * (compressed data).
 */
void txn_queue_len(struct txn *tx, int argc, const char **argv,
    const size_t *lens);

/*
 * Queue the SADD of member to the set at key, and its expiry: ttl
 * seconds from now for a new set, never shorter than it already has for
 * one that other members keep (so a set shared by keys that expire lives
 * as long as the longest-lived of them).
 */
void txn_set_add(struct txn *tx, const char *key, const char *member,
    long long ttl);

/*
 * Register fn to be called once, as tx ends, with arg and 1 if it
 * committed or 0 if it did not (lost a race, was refused, failed or was
 * aborted). fn owns arg: it frees it, if it must, in either case.
 */
void txn_hook(struct txn *tx, void (*fn)(void *, int), void *arg);

/* Return the arg fn was registered with on tx, or NULL if it was not. */
void *txn_hook_arg(const struct txn *tx, void (*fn)(void *, int));

/*
 * Send the transaction and read its replies. Returns 1 if it committed,
 * 0 if a watched key changed (nothing was written), -1 with *cause
 * (about SR sr) if Redis failed - the connection must then be dropped -
 * or refused the step as it was queued, in which case tx->refused is
 * set, nothing was written and the connection is fine. A step whose
 * damaged keys were moved aside (txnrepair.h) committed. The hooks run,
 * then the queued commands are freed, either way.
 */
int txn_exec(struct txn *tx, const char *sr, char **cause);

/*
 * txn_exec() in two halves, so that a caller can go on with other work
 * while Redis runs the step: txn_send() writes the transaction out
 * without waiting (0, or -1 with *cause and tx ended as by txn_exec()'s
 * failure); txn_collect() reads its replies, returning as txn_exec()
 * does. Nothing else may be sent on the connection in between.
 */
int txn_send(struct txn *tx, char **cause);
int txn_collect(struct txn *tx, const char *sr, char **cause);

/* Run the hooks (as not committed) and free what was queued, unsent. */
void txn_abort(struct txn *tx);

#endif
