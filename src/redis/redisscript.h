/*
 * redisscript.h - Lua scripts run in Redis with EVALSHA
 *
 * A script is sent to the server once (SCRIPT LOAD) and then run by its
 * sha, alone with redisscript_eval() or queued in a pipeline with
 * redisscript_pipe(). A server that forgot its scripts (after a restart
 * or SCRIPT FLUSH) answers NOSCRIPT: redisscript_eval() loads the script
 * again, and a pipeline's caller says so with redisscript_lost() and
 * connects again.
 */
#ifndef REDISSCRIPT_H
#define REDISSCRIPT_H

#include <stddef.h>

struct redis;
struct redis_args;
struct redis_reply;

/*
 * A Lua script run with EVALSHA, loaded into the server the first time it
 * is needed and again after the server forgot it (NOSCRIPT). Declare one
 * static struct per script with body set and sha zeroed.
 */
struct redisscript {
	const char	*name;
	const char	*body;
	char		 sha[41];
};

/*
 * Run a script with nkeys keys followed by arguments, all in argv (argc
 * in all). Returns as redis_command_argv().
 */
struct redis_reply *redisscript_eval(struct redis *r,
    struct redisscript *script, char **cause, int nkeys, int argc,
    const char **argv, const size_t *lens);

/*
 * Load script into the server of r unless it was loaded over r already
 * (threads may share a script; each connection loads it once). Returns
 * 0; -1 with *cause if the connection failed; 1 with *cause if the
 * server refused the script.
 */
int redisscript_load(struct redis *r, struct redisscript *script,
    char **cause);

/*
 * Say that the server of r answered NOSCRIPT to a script queued with
 * redisscript_pipe() (its scripts were flushed): r becomes unusable, so
 * that the caller connects again and the script is loaded anew.
 */
void redisscript_lost(struct redis *r, const struct redisscript *script);

/*
 * Queue EVALSHA of a script loaded over r (redisscript_load()) with
 * nkeys keys followed by the other arguments, all in a, to be sent with
 * the next redis_pipe_reply() like redis_pipe_argv(); a is not changed.
 * Should the server answer NOSCRIPT, call redisscript_lost().
 */
void redisscript_pipe(struct redis *r, const struct redisscript *script,
    int nkeys, const struct redis_args *a);

#endif
