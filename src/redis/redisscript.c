/*
 * redisscript.c - Lua scripts run in Redis with EVALSHA
 *
 * The sha of a script is learnt from the first SCRIPT LOAD and kept in
 * the script's struct, which the threads share (under a lock). Each
 * connection keeps the scripts its server was given (redisint.h), so
 * that a new connection, which may be to another server after a
 * failover, loads them again before their first use.
 */
#include "build.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"
#include "redisint.h"
#include "redisscript.h"
#include "xmalloc.h"

/* Guards the sha of every struct redisscript: threads share them. */
static pthread_mutex_t redisscript_lock = PTHREAD_MUTEX_INITIALIZER;

/* Copy a script's sha (or "") under the lock. */
static void
redisscript_sha(const struct redisscript *script, char sha[41])
{
	pthread_mutex_lock(&redisscript_lock);
	memcpy(sha, script->sha, 41);
	pthread_mutex_unlock(&redisscript_lock);
}

/* Return 1 if this connection's server was given the script. */
static int
redisscript_known(const struct redis *r, const struct redisscript *script)
{
	size_t	i;

	for (i = 0; i < r->nloaded; i++) {
		if (r->loaded[i] == script)
			return 1;
	}
	return 0;
}

/* Forget that this connection's server has the script. */
static void
redisscript_unknown(struct redis *r, const struct redisscript *script)
{
	size_t	i;

	for (i = 0; i < r->nloaded; i++) {
		if (r->loaded[i] == script) {
			r->loaded[i] = r->loaded[--r->nloaded];
			return;
		}
	}
}

/* Load a script unless this connection's server has it. */
int
redisscript_load(struct redis *r, struct redisscript *script, char **cause)
{
	struct redis_reply	*reply;
	int			 rc = 1;

	if (redisscript_known(r, script))
		return 0;
	if ((reply = redis_command(r, cause, "SCRIPT LOAD %s",
	    script->body)) == NULL)
		return -1;
	if (reply->type == REDIS_TYPE_STRING && reply->len == 40) {
		/* The sha of a body never changes: any thread may set it. */
		pthread_mutex_lock(&redisscript_lock);
		memcpy(script->sha, reply->str, 41);
		pthread_mutex_unlock(&redisscript_lock);
		if (r->nloaded < REDIS_SCRIPTS_MAX)
			r->loaded[r->nloaded++] = script;
		rc = 0;
	} else if (cause != NULL)
		*cause = xasprintf("%s: SCRIPT LOAD of %s: %s", r->label,
		    script->name, reply->str != NULL ? reply->str :
		    "unexpected reply");
	redis_reply_free(reply);
	return rc;
}

/* Make the connection unusable: its server no longer has a script. */
void
redisscript_lost(struct redis *r, const struct redisscript *script)
{
	redisscript_unknown(r, script);
	free(r->lost);
	r->lost = xasprintf("%s: the server no longer has script %s "
	    "(SCRIPT FLUSH?)", r->label, script->name);
}

/* Run a script, loading it first if the server does not have it. */
struct redis_reply *
redisscript_eval(struct redis *r, struct redisscript *script, char **cause,
    int nkeys, int argc, const char **argv, const size_t *lens)
{
	struct redis_reply	*reply = NULL;
	const char		**args;
	size_t			 *arglens;
	char			  nkeystr[16], sha[41], *why = NULL;
	int			  i, attempt, rc;

	args = xcalloc(argc + 3, sizeof *args);
	arglens = xcalloc(argc + 3, sizeof *arglens);
	snprintf(nkeystr, sizeof nkeystr, "%d", nkeys);
	args[0] = "EVALSHA";
	args[2] = nkeystr;
	arglens[0] = 7;
	arglens[2] = strlen(nkeystr);
	for (i = 0; i < argc; i++) {
		args[i + 3] = argv[i];
		arglens[i + 3] = lens != NULL ? lens[i] : strlen(argv[i]);
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if ((rc = redisscript_load(r, script, &why)) != 0) {
			if (rc > 0) {	/* refused: an error reply */
				reply = xcalloc(1, sizeof *reply);
				reply->type = REDIS_TYPE_ERROR;
				reply->str = why;
				reply->len = strlen(why);
			} else if (cause != NULL)
				*cause = why;
			else
				free(why);
			break;
		}
		redisscript_sha(script, sha);
		args[1] = sha;
		arglens[1] = 40;
		reply = redis_command_argv(r, cause, argc + 3, args, arglens);
		if (!redis_reply_is_error(reply, "NOSCRIPT"))
			break;
		redisscript_unknown(r, script);
		redis_reply_free(reply);
		reply = NULL;
	}
	free(args);
	free(arglens);
	return reply;
}

/* Queue EVALSHA of a loaded script with its arguments. */
void
redisscript_pipe(struct redis *r, const struct redisscript *script,
    int nkeys, const struct redis_args *a)
{
	struct redis_args	 head;
	char			 nk[16], sha[41];

	redisscript_sha(script, sha);
	memset(&head, 0, sizeof head);
	snprintf(nk, sizeof nk, "%d", nkeys);
	redis_args_str(&head, "EVALSHA");
	redis_args_str(&head, sha);
	redis_args_str(&head, nk);
	redis_pipe_args(r, &head, a);
	redis_args_clear(&head);
}
