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

#include "redis.h"

/* What to call as a transaction ends: fn(arg, whether it committed). */
struct txn_hook {
	void	(*fn)(void *arg, int committed);
	void	 *arg;
};

/* A transaction being queued: commands are sent with txn_exec(). */
struct txn {
	struct redis		*r;
	struct redis_args	 args;		/* the script's: the commands */
	size_t			 queued;	/* commands */
	int			 refused;	/* txn_exec(): Redis said no */
	struct txn_hook		*hook;		/* run once as it ends */
	size_t			 nhook;
};

/* Start a transaction on r (nothing is sent before txn_exec()). */
void txn_begin(struct txn *tx, struct redis *r);

/*
 * Queue one command (argc arguments, NUL-terminated strings, copied; the
 * second is the key it writes). The commands a transaction may hold are
 * those the script knows the type of (txn.c): DEL, EXPIRE, PERSIST, SET,
 * HSET, HSETNX, HDEL, HINCRBY, XADD, XACK, XDEL, ZADD, ZREM, SADD, SREM,
 * RPUSH; and HSETNEW key field value ..., the script's own: an HSET that
 * is run only if the key does not exist yet (a record written whole,
 * once, in one command rather than an HSETNX per field).
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
 * or refused the step, in which case tx->refused is set, nothing was
 * written and the connection is fine. The hooks run, then the queued
 * commands are freed, either way.
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
