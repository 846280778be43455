/*
 * txn.c - the writes of one step on an SR, all or nothing
 *
 * The commands queued are kept in one buffer, already in the protocol's
 * form, and sent at txn_exec() as MULTI, the commands, EXEC - in one
 * pipeline after the caller's WATCH and reads. The replies are MULTI's
 * OK, a QUEUED per command, then EXEC's nil (a watched key changed), its
 * EXECABORT (a command refused as it was queued: nothing ran), or each
 * command's reply. A command Redis refused as it ran (a key of the wrong
 * type) is put right by txnrepair.c. The formats written are those of
 * srstate.c (state), audit.c (audit entries) and notice.c (notices).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "redis.h"
#include "txn.h"
#include "txnrepair.h"
#include "xmalloc.h"

/*
 * HSETNEW key field value ...: an HSET run only if the key does not
 * exist, sent as EVAL of this script (with its body, so that a server
 * that forgot its scripts still runs it). A key of another type is
 * refused like an HSET on it would be.
 */
static const char txn_hsetnew[] =
	"if redis.call('EXISTS', KEYS[1]) == 0 then\n"
	"  return redis.call('HSET', KEYS[1], unpack(ARGV))\n"
	"end\n"
	"if redis.call('TYPE', KEYS[1])['ok'] ~= 'hash' then\n"
	"  return redis.error_reply('WRONGTYPE HSETNEW ' .. KEYS[1] ..\n"
	"      ': the key holds no hash')\n"
	"end\n"
	"return 0\n";

/* Queue one command of a transaction. */
void
txn_queue(struct txn *tx, int argc, const char **argv)
{
	txn_queue_len(tx, argc, argv, NULL);
}

/* Queue one command whose arguments may hold any byte. */
void
txn_queue_len(struct txn *tx, int argc, const char **argv,
    const size_t *lens)
{
	int	i;

	if (argc >= 2 && strcasecmp(argv[0], "HSETNEW") == 0) {
		redis_args_command(&tx->args, (size_t)argc + 2);
		redis_args_str(&tx->args, "EVAL");
		redis_args_add(&tx->args, txn_hsetnew, sizeof txn_hsetnew - 1);
		redis_args_str(&tx->args, "1");
		i = 1;
	} else {
		redis_args_command(&tx->args, (size_t)argc);
		i = 0;
	}
	for (; i < argc; i++) {
		redis_args_add(&tx->args, argv[i], lens != NULL ? lens[i] :
		    strlen(argv[i]));
	}
	tx->queued++;
}

/* Queue a member into a set, which then lives ttl seconds at least. */
void
txn_set_add(struct txn *tx, const char *key, const char *member,
    long long ttl)
{
	const char	*argv[4];
	char		 ttls[32];

	snprintf(ttls, sizeof ttls, "%lld", ttl);
	argv[0] = "SADD";
	argv[1] = key;
	argv[2] = member;
	txn_queue(tx, 3, argv);
	/* NX gives a new set its first expiry; GT only ever extends it. */
	argv[0] = "EXPIRE";
	argv[2] = ttls;
	argv[3] = "NX";
	txn_queue(tx, 4, argv);
	argv[3] = "GT";
	txn_queue(tx, 4, argv);
}

/* Call each hook once, with whether the transaction committed, and forget it. */
static void
txn_run_hooks(struct txn *tx, int committed)
{
	size_t	i;

	for (i = 0; i < tx->nhook; i++)
		tx->hook[i].fn(tx->hook[i].arg, committed);
	free(tx->hook);
	tx->hook = NULL;
	tx->nhook = 0;
}

/* Register fn(arg, committed), to be called once as the transaction ends. */
void
txn_hook(struct txn *tx, void (*fn)(void *, int), void *arg)
{
	tx->hook = xreallocarray(tx->hook, tx->nhook + 1, sizeof *tx->hook);
	tx->hook[tx->nhook].fn = fn;
	tx->hook[tx->nhook].arg = arg;
	tx->nhook++;
}

/* Return the argument fn was registered with on tx, or NULL. */
void *
txn_hook_arg(const struct txn *tx, void (*fn)(void *, int))
{
	size_t	i;

	for (i = 0; i < tx->nhook; i++) {
		if (tx->hook[i].fn == fn)
			return tx->hook[i].arg;
	}
	return NULL;
}

/* Send the transaction, not waiting for its replies. */
int
txn_send(struct txn *tx, char **cause)
{
	tx->refused = 0;
	/* The commands stay queued until their replies are read. */
	redis_pipe_multi(tx->r, &tx->args);
	if (redis_flush(tx->r, cause) != 0) {
		txn_abort(tx);
		return -1;
	}
	return 0;
}

/* Read the replies of a transaction txn_send() sent. */
int
txn_collect(struct txn *tx, const char *sr, char **cause)
{
	struct redis_reply	*x;
	char			*err = NULL;
	int			 rc = -1;

	if ((x = redis_multi_reply(tx->r, tx->queued, &err, cause)) == NULL)
		goto out;
	if (x->type == REDIS_TYPE_NIL && err == NULL)
		rc = 0;
	else if (x->type == REDIS_TYPE_ARRAY && x->elements == tx->queued &&
	    err == NULL)
		rc = txnrepair_run(tx->r, &tx->args, x, sr, cause);
	else if (err == NULL)
		err = xstrdup(x->str != NULL ? x->str : "unexpected reply to EXEC");
	if (err != NULL) {
		tx->refused = 1;
		if (cause != NULL)
			*cause = xasprintf("SR %s: redis refused the step, "
			    "which wrote nothing: %s", sr, err);
	}
out:
	txn_run_hooks(tx, rc == 1);
	redis_reply_free(x);
	free(err);
	txn_abort(tx);
	return rc;
}

/* Send the transaction and read its replies. */
int
txn_exec(struct txn *tx, const char *sr, char **cause)
{
	if (txn_send(tx, cause) != 0)
		return -1;
	return txn_collect(tx, sr, cause);
}

/* Free what a transaction queued. */
void
txn_abort(struct txn *tx)
{
	txn_run_hooks(tx, 0);
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

