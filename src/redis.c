/*
 * redis.c - a connection to Redis, and the replies it gives
 *
 * Commands are sent over one blocking hiredis context with a socket
 * timeout, so that a server that stops answering is noticed. Replies are
 * copied into struct redis_reply so that no other module depends on
 * hiredis. Only blocking reads of streams bypass the timeout: they are sent
 * with redis_send_argv() and their reply is collected with redis_receive()
 * once poll(2) says the socket is readable.
 */
#include "build.h"

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "config.h"
#include "redis.h"
#include "xmalloc.h"

/* Per command, beyond which the server is taken to be gone. */
#define REDIS_COMMAND_TIMEOUT_MS 10000

struct redis {
	redisContext	*c;
	char		*where;
};

/* Turn milliseconds into a timeval. */
static struct timeval
redis_timeval(long long ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return tv;
}

/* Copy a hiredis reply into a struct redis_reply. */
static struct redis_reply *
redis_copy(const redisReply *in)
{
	struct redis_reply	*out;
	size_t			 i;

	out = xcalloc(1, sizeof *out);
	switch (in->type) {
	case REDIS_REPLY_STRING:
		out->type = REDIS_TYPE_STRING;
		break;
	case REDIS_REPLY_STATUS:
		out->type = REDIS_TYPE_STATUS;
		break;
	case REDIS_REPLY_ERROR:
		out->type = REDIS_TYPE_ERROR;
		break;
	case REDIS_REPLY_INTEGER:
		out->type = REDIS_TYPE_INTEGER;
		out->integer = in->integer;
		break;
	case REDIS_REPLY_ARRAY:
		out->type = REDIS_TYPE_ARRAY;
		out->elements = in->elements;
		out->element = xcalloc(in->elements, sizeof *out->element);
		for (i = 0; i < in->elements; i++)
			out->element[i] = redis_copy(in->element[i]);
		break;
	default:
		out->type = REDIS_TYPE_NIL;
		break;
	}
	if (out->type == REDIS_TYPE_STRING || out->type == REDIS_TYPE_STATUS ||
	    out->type == REDIS_TYPE_ERROR) {
		out->len = in->len;
		out->str = xmalloc(in->len + 1);
		memcpy(out->str, in->str, in->len);
		out->str[in->len] = '\0';
	}
	return out;
}

/* Take a hiredis reply, copy it and free the original. */
static struct redis_reply *
redis_take(struct redis *r, redisReply *in, char **cause)
{
	struct redis_reply	*out;

	if (in == NULL) {
		if (cause != NULL)
			*cause = xasprintf("redis %s: %s", r->where,
			    r->c->errstr[0] != '\0' ? r->c->errstr :
			    "connection lost");
		return NULL;
	}
	out = redis_copy(in);
	freeReplyObject(in);
	return out;
}

/* Connect to the server that cf names, authenticate and select the db. */
struct redis *
redis_connect(const struct config *cf, char **cause)
{
	struct redis		*r;
	struct redis_reply	*reply = NULL;
	struct timeval		 tv;

	r = xcalloc(1, sizeof *r);
	tv = redis_timeval(cf->redis_connect_timeout_ms);
	if (cf->redis_addr.socket != NULL) {
		r->where = xasprintf("unix:%s", cf->redis_addr.socket);
		r->c = redisConnectUnixWithTimeout(cf->redis_addr.socket, tv);
	} else {
		r->where = xasprintf("%s:%d", cf->redis_addr.host, cf->redis_addr.port);
		r->c = redisConnectWithTimeout(cf->redis_addr.host, cf->redis_addr.port,
		    tv);
	}
	if (r->c == NULL || r->c->err) {
		if (cause != NULL)
			*cause = xasprintf("redis %s: %s", r->where,
			    r->c != NULL ? r->c->errstr : "out of memory");
		goto fail;
	}
	if (redisSetTimeout(r->c, redis_timeval(REDIS_COMMAND_TIMEOUT_MS)) !=
	    REDIS_OK || (cf->redis_addr.socket == NULL &&
	    redisEnableKeepAlive(r->c) != REDIS_OK)) {
		if (cause != NULL)
			*cause = xasprintf("redis %s: %s", r->where,
			    r->c->errstr);
		goto fail;
	}
	if (cf->redis_password != NULL) {
		if (cf->redis_username != NULL)
			reply = redis_command(r, cause, "AUTH %s %s",
			    cf->redis_username, cf->redis_password);
		else
			reply = redis_command(r, cause, "AUTH %s",
			    cf->redis_password);
		if (reply == NULL)
			goto fail;
		if (reply->type == REDIS_TYPE_ERROR) {
			if (cause != NULL)
				*cause = xasprintf("redis %s: authentication "
				    "failed: %s", r->where, reply->str);
			goto fail;
		}
		redis_reply_free(reply);
	}
	if (cf->redis_addr.db != 0) {
		reply = redis_command(r, cause, "SELECT %d", cf->redis_addr.db);
		if (reply == NULL)
			goto fail;
		if (reply->type == REDIS_TYPE_ERROR) {
			if (cause != NULL)
				*cause = xasprintf("redis %s: SELECT %d: %s",
				    r->where, cf->redis_addr.db, reply->str);
			goto fail;
		}
		redis_reply_free(reply);
	}
	return r;

fail:
	redis_reply_free(reply);
	redis_free(r);
	return NULL;
}

/* Close and free a connection. */
void
redis_free(struct redis *r)
{
	if (r == NULL)
		return;
	if (r->c != NULL)
		redisFree(r->c);
	free(r->where);
	free(r);
}

/* Return the connection's file descriptor. */
int
redis_fd(const struct redis *r)
{
	return r->c->fd;
}

/* Return a description of the server. */
const char *
redis_where(const struct redis *r)
{
	return r->where;
}

/* Run a command given as a hiredis format and wait for the reply. */
struct redis_reply *
redis_command(struct redis *r, char **cause, const char *fmt, ...)
{
	va_list	 ap;
	void	*in;

	va_start(ap, fmt);
	in = redisvCommand(r->c, fmt, ap);
	va_end(ap);
	return redis_take(r, in, cause);
}

/* Run a command given as argc arguments with their lengths. */
struct redis_reply *
redis_command_argv(struct redis *r, char **cause, int argc, const char **argv,
    const size_t *lens)
{
	return redis_take(r, redisCommandArgv(r->c, argc, argv, lens), cause);
}

/* Queue a command to be sent with the next redis_pipe_reply(). */
void
redis_pipe_argv(struct redis *r, int argc, const char **argv,
    const size_t *lens)
{
	if (redisAppendCommandArgv(r->c, argc, argv, lens) != REDIS_OK)
		abort();	/* only fails when out of memory */
}

/* Send what is queued and wait for the next reply. */
struct redis_reply *
redis_pipe_reply(struct redis *r, char **cause)
{
	void	*in = NULL;

	if (redisGetReply(r->c, &in) != REDIS_OK)
		in = NULL;
	return redis_take(r, in, cause);
}

/* Run a script, loading it first if the server does not have it. */
struct redis_reply *
redis_eval(struct redis *r, struct redis_script *script, char **cause,
    int nkeys, int argc, const char **argv, const size_t *lens)
{
	struct redis_reply	*reply;
	const char		**args;
	size_t			 *arglens;
	char			  nkeystr[16];
	int			  i, attempt;

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
	reply = NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		if (script->sha[0] == '\0' || attempt == 1) {
			reply = redis_command(r, cause, "SCRIPT LOAD %s",
			    script->body);
			if (reply == NULL || reply->type != REDIS_TYPE_STRING ||
			    reply->len != 40)
				break;
			memcpy(script->sha, reply->str, 41);
			redis_reply_free(reply);
		}
		args[1] = script->sha;
		arglens[1] = 40;
		reply = redis_command_argv(r, cause, argc + 3, args, arglens);
		if (!redis_reply_is_error(reply, "NOSCRIPT"))
			break;
		redis_reply_free(reply);
		reply = NULL;
	}
	free(args);
	free(arglens);
	return reply;
}

/* Send a command without waiting for its reply. */
int
redis_send_argv(struct redis *r, char **cause, int argc, const char **argv,
    const size_t *lens)
{
	int	done = 0;

	if (redisAppendCommandArgv(r->c, argc, argv, lens) != REDIS_OK)
		goto fail;
	while (!done) {
		if (redisBufferWrite(r->c, &done) != REDIS_OK)
			goto fail;
	}
	return 0;

fail:
	if (cause != NULL)
		*cause = xasprintf("redis %s: %s", r->where, r->c->errstr);
	return -1;
}

/* Read what has arrived for a sent command. */
int
redis_receive(struct redis *r, struct redis_reply **reply, char **cause)
{
	void	*in = NULL;

	*reply = NULL;
	if (redisBufferRead(r->c) != REDIS_OK ||
	    redisGetReplyFromReader(r->c, &in) != REDIS_OK) {
		if (cause != NULL)
			*cause = xasprintf("redis %s: %s", r->where,
			    r->c->errstr);
		return -1;
	}
	if (in == NULL)
		return 0;
	*reply = redis_take(r, in, cause);
	return 1;
}

/* Return the value of a field in a flat array of names and values. */
const char *
redis_reply_field(const struct redis_reply *fields, const char *name)
{
	size_t	i;

	for (i = 0; i + 1 < fields->elements; i += 2) {
		if (fields->element[i]->str != NULL &&
		    strcmp(fields->element[i]->str, name) == 0)
			return fields->element[i + 1]->str;
	}
	return NULL;
}

/* Free a reply. */
void
redis_reply_free(struct redis_reply *reply)
{
	size_t	i;

	if (reply == NULL)
		return;
	for (i = 0; i < reply->elements; i++)
		redis_reply_free(reply->element[i]);
	free(reply->element);
	free(reply->str);
	free(reply);
}

/* Return 1 if reply is an error reply whose text starts with prefix. */
int
redis_reply_is_error(const struct redis_reply *reply, const char *prefix)
{
	return reply != NULL && reply->type == REDIS_TYPE_ERROR &&
	    strncmp(reply->str, prefix, strlen(prefix)) == 0;
}
