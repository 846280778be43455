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

#include "log.h"
#include "redis.h"
#include "redisscript.h"
#include "txn.h"
#include "xmalloc.h"

/*
 * The script behind every transaction. Its arguments are commands, each
 * its argument count then its arguments, the command's name in capitals
 * (txn_queue_len() sees to it). It first checks, for every command that
 * writes a key of a given type, that the key is of that type or absent
 * (not counting a key a command before it deletes), and that a hash
 * field HINCRBY adds to holds an integer - each key and each counter
 * once, however many commands name it (a run of 64 events names the
 * shared keys 64 times) - and refuses the whole step with the first key
 * that is not, having written nothing. Then it runs the commands in order; one
 * of its own, HSETNEW key field value..., is an HSET run only if the key
 * does not exist.
 *
 * Redis spends as much on this script's own work as on the commands it
 * runs, so it does little per command: each count is read as a number
 * once, and a name is built only for a counter.
 */
static struct redisscript txn_script = {
	"txn",
	"local types = { HSET = 'hash', HSETNX = 'hash', HDEL = 'hash',\n"
	"    HSETNEW = 'hash',\n"
	"    HINCRBY = 'hash', XADD = 'stream', XACK = 'stream',\n"
	"    XDEL = 'stream', ZADD = 'zset', ZREM = 'zset', SADD = 'set',\n"
	"    SREM = 'set', RPUSH = 'list' }\n"
	"local gone, seen, counted, ends = {}, {}, {}, {}\n"
	"local i, n = 1, #ARGV\n"
	"while i <= n do\n"
	"  local cmd, key = ARGV[i + 1], ARGV[i + 2]\n"
	"  local want = types[cmd]\n"
	"  if cmd == 'DEL' then\n"
	"    gone[key] = true\n"
	"  elseif want and not gone[key] then\n"
	"    local t = seen[key]\n"
	"    if not t then\n"
	"      t = redis.call('TYPE', key)['ok']\n"
	"      seen[key] = t\n"
	"    end\n"
	"    if t ~= want and t ~= 'none' then\n"
	"      return redis.error_reply('WRONGTYPE ' .. cmd .. ' ' .. key ..\n"
	"          ': the key holds a ' .. t .. ', not a ' .. want)\n"
	"    end\n"
	"    if cmd == 'HINCRBY' and t == 'hash' then\n"
	"      local f = ARGV[i + 3]\n"
	"      local kf = key .. '\\0' .. f\n"
	"      if not counted[kf] then\n"
	"        counted[kf] = true\n"
	"        local v = redis.call('HGET', key, f)\n"
	"        if v and not string.match(v, '^-?%d+$') then\n"
	"          return redis.error_reply('WRONGTYPE HINCRBY ' .. key ..\n"
	"              ' ' .. f .. ': not an integer')\n"
	"        end\n"
	"      end\n"
	"    end\n"
	"  end\n"
	"  local e = i + ARGV[i]\n"
	"  ends[#ends + 1] = e\n"
	"  i = e + 1\n"
	"end\n"
	"i = 1\n"
	"for k = 1, #ends do\n"
	"  local e = ends[k]\n"
	"  if ARGV[i + 1] ~= 'HSETNEW' then\n"
	"    redis.call(unpack(ARGV, i + 1, e))\n"
	"  elseif redis.call('EXISTS', ARGV[i + 2]) == 0 then\n"
	"    redis.call('HSET', unpack(ARGV, i + 2, e))\n"
	"  end\n"
	"  i = e + 1\n"
	"end\n"
	"return 1\n",
	""
};

/* Queue one command of a transaction. */
void
txn_queue(struct txn *tx, int argc, const char **argv)
{
	txn_queue_len(tx, argc, argv, NULL);
}

/* Turn a command's name into capitals, in place. */
static void
txn_upper(char *name)
{
	for (; *name != '\0'; name++) {
		if (*name >= 'a' && *name <= 'z')
			*name = (char)(*name - 'a' + 'A');
	}
}

/* Queue one command whose arguments may hold any byte. */
void
txn_queue_len(struct txn *tx, int argc, const char **argv,
    const size_t *lens)
{
	char	num[16], name[32];
	size_t	len;
	int	i;

	snprintf(num, sizeof num, "%d", argc);
	redis_args_str(&tx->args, num);
	for (i = 0; i < argc; i++) {
		len = lens != NULL ? lens[i] : strlen(argv[i]);
		if (i == 0 && len < sizeof name) {
			memcpy(name, argv[0], len);
			name[len] = '\0';
			txn_upper(name);
			redis_args_add(&tx->args, name, len);
		} else
			redis_args_add(&tx->args, argv[i], len);
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
	const char	*argv[1];
	int		 rc;

	tx->refused = 0;
	if ((rc = redisscript_load(tx->r, &txn_script, cause)) != 0) {
		tx->refused = rc > 0;	/* the script itself was refused */
		txn_abort(tx);
		return -1;
	}
	argv[0] = "MULTI";
	redis_pipe_argv(tx->r, 1, argv, NULL);
	redisscript_pipe(tx->r, &txn_script, 0, &tx->args);
	argv[0] = "EXEC";
	redis_pipe_argv(tx->r, 1, argv, NULL);
	redis_args_clear(&tx->args);	/* sent: only the hooks wait */
	tx->queued = 0;
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
	struct redis_reply	*reply[3] = { NULL, NULL, NULL }, *x;
	const char		*err = NULL;
	size_t			 i;
	int			 rc = -1;

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
out:
	txn_run_hooks(tx, rc == 1);
	for (i = 0; i < 3; i++)
		redis_reply_free(reply[i]);
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

