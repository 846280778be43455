/*
 * redis.h - a connection to Redis, and the replies it gives
 *
 * This is the only module that includes <hiredis/hiredis.h>; the rest of
 * closeloop sees struct redis and struct redis_reply. A NULL reply from a
 * command means the connection failed (the cause says how): the caller
 * frees the connection and makes a new one. An error reply from the server
 * is a reply of type REDIS_TYPE_ERROR, not a failure of the connection -
 * except the errors by which a server says it cannot take writes now
 * (READONLY, MASTERDOWN, LOADING, NOREPLICAS, and UNBLOCKED when it
 * turned into a replica; OOM over maxmemory, MISCONF when it cannot
 * save, BUSY while a script runs too long): those fail the connection,
 * so that the caller reconnects and tries again later, to the new master
 * after a failover. They say nothing about the data a command carried.
 */
#ifndef REDIS_H
#define REDIS_H

#include <stddef.h>
#include <stdint.h>

#include "redisreply.h"

struct redis;

/*
 * The arguments of one command, built up one at a time already in the
 * protocol's form (so that a command of thousands of arguments costs one
 * buffer). Start from all zeros; redis_args_clear() frees it.
 */
struct redis_args {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	size_t	 n;		/* arguments so far */
};

/* Append an argument of len bytes (binary safe). */
void redis_args_add(struct redis_args *a, const char *s, size_t len);

/*
 * Start a command of n arguments, whose arguments follow: a buffer of
 * whole commands, for redis_pipe_multi(), rather than the arguments of one.
 */
void redis_args_command(struct redis_args *a, size_t n);

/* Append len bytes already in the protocol's form: whole commands. */
void redis_args_raw(struct redis_args *a, const char *bytes, size_t len);

/* Append a NUL-terminated argument. */
void redis_args_str(struct redis_args *a, const char *s);

/* Free what a holds and empty it. */
void redis_args_clear(struct redis_args *a);

/*
 * Open a connection to host:port over TCP, or to the unix socket path if
 * it is not NULL, waiting at most timeout_ms, without logging in. Causes
 * about it start with what and the address ("sentinel 10.0.0.5:26379").
 * Returns a new connection, or NULL with *cause set.
 */
struct redis *redis_open(const char *what, const char *host, int port,
    const char *path, int64_t timeout_ms, char **cause);

/*
 * Authenticate with password (as user, or the default user if user is
 * NULL) unless password is NULL, then select database db unless it is 0.
 * Returns 0, or -1 with *cause set.
 */
int redis_login(struct redis *r, const char *user, const char *password,
    int db, char **cause);

/*
 * Describe the connection as where, for redis_where() and in causes as
 * "redis WHERE: ..." (where is copied).
 */
void redis_describe(struct redis *r, const char *where);

/* Close and free a connection; NULL is a no-op. */
void redis_free(struct redis *r);

/* Return the connection's file descriptor, for poll(2). */
int redis_fd(const struct redis *r);

/*
 * Return a description of the server, "unix:/path", "host:port" or
 * "master NAME at host:port (via sentinel host:port)".
 */
const char *redis_where(const struct redis *r);

/*
 * Run a command given as a hiredis format ("XACK %s %s %s", "%b" for
 * binary values) and wait for the reply. Returns the reply (free it with
 * redis_reply_free()), or NULL with *cause set if the connection failed.
 */
struct redis_reply *redis_command(struct redis *r, char **cause,
    const char *fmt, ...);

/*
 * Forget the keys r WATCHes, when the transaction they were watched for
 * is not sent after all; a lost connection shows in the next command.
 */
void redis_unwatch(struct redis *r);

/* Run a command given as argc arguments with their lengths. */
struct redis_reply *redis_command_argv(struct redis *r, char **cause,
    int argc, const char **argv, const size_t *lens);

/*
 * Pipelining: queue commands with redis_pipe_argv() (nothing is sent
 * yet), then collect one reply per command, in order, with
 * redis_pipe_reply(), which sends what is queued first. A NULL reply
 * means the connection failed (*cause set); the connection must then be
 * freed, as replies still queued are lost.
 */
void redis_pipe_argv(struct redis *r, int argc, const char **argv,
    const size_t *lens);
struct redis_reply *redis_pipe_reply(struct redis *r, char **cause);

/*
 * Write out the commands queued with redis_pipe_argv() without waiting
 * for their replies, which redis_pipe_reply() reads later, in order.
 * Returns 0, or -1 with *cause if the connection failed.
 */
int redis_flush(struct redis *r, char **cause);

/*
 * Queue the command whose arguments are head's followed by tail's (tail
 * may be NULL), to be sent with the next redis_pipe_reply() like
 * redis_pipe_argv(); neither is changed.
 */
void redis_pipe_args(struct redis *r, const struct redis_args *head,
    const struct redis_args *tail);

/*
 * Queue MULTI, the whole commands in cmds (a buffer of
 * redis_args_command()), and EXEC, to be sent like redis_pipe_argv().
 */
void redis_pipe_multi(struct redis *r, const struct redis_args *cmds);

/*
 * Read the replies to redis_pipe_multi() of n commands: MULTI's and the
 * n QUEUED, the first refusal among them copied into *err (NULL if none;
 * the caller frees it: EXEC then refuses the whole transaction), and
 * return EXEC's (the caller frees it). NULL with *cause if Redis failed.
 */
struct redis_reply *redis_multi_reply(struct redis *r, size_t n, char **err,
    char **cause);

/*
 * Send a command without waiting for its reply, for a blocking read that
 * the caller waits for with poll(2) on redis_fd(). Returns 0, or -1 with
 * *cause set.
 */
int redis_send_argv(struct redis *r, char **cause, int argc,
    const char **argv, const size_t *lens);

/*
 * Read what has arrived for a sent command. Returns 1 and sets *reply when
 * the reply is complete, 0 if more must arrive first, or -1 with *cause set
 * if the connection failed.
 */
int redis_receive(struct redis *r, struct redis_reply **reply, char **cause);

/*
 * In a reply that is a flat array of names and values (a stream entry's
 * fields, HGETALL), return the value of name, or NULL.
 */
const char *redis_reply_field(const struct redis_reply *fields,
    const char *name);

/*
 * Consume the reply of a command whose answer is not needed. Returns 0,
 * or -1 if rep is NULL (the connection failed; *cause is already set) or
 * an error reply (*cause, if cause is not NULL, set to "redis: " and its
 * text; the caller frees it).
 */
int redis_done(struct redis_reply *rep, char **cause);

#endif
