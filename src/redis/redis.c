/*
 * redis.c - a connection to Redis, and the replies it gives
 *
 * Commands are sent over one blocking hiredis context with a socket
 * timeout, so that a server that stops answering is noticed. hiredis's
 * reader builds struct redis_reply (redisreply.c), so that no module
 * outside src/redis depends on hiredis (redishash.c reads big hashes
 * without building them at all).
 * Only blocking reads of streams bypass the timeout: they are sent with
 * redis_send_argv() and their reply is collected with redis_receive()
 * once poll(2) says the socket is readable.
 *
 * A server that answers that it cannot take writes now (a replica, one
 * loading its data, one without enough replicas, one over maxmemory or
 * unable to save, one busy with a slow script: the errors in
 * redis_not_master) is treated as a lost connection: the
 * command returns NULL, every later command on the connection fails the
 * same way, and the caller connects again, which with Redis Sentinel
 * asks the sentinels where the master is now (redisconn.c). So such a
 * refusal never reaches code that would take it for a verdict on the
 * data, as a failed event or notification.
 */
#include "build.h"

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "redis.h"
#include "redisint.h"
#include "xmalloc.h"

/* Per command, beyond which the server is taken to be gone. */
#define REDIS_COMMAND_TIMEOUT_MS 10000

/*
 * The errors by which a server says that it is not, or no longer, a
 * master that takes writes: taken as a lost connection.
 */
static const char *redis_not_master[] = {
	"READONLY ",		/* a replica now */
	"MASTERDOWN ",		/* a replica that lost its master */
	"LOADING ",		/* loading its data after a restart */
	"NOREPLICAS ",		/* too few replicas (min-replicas-to-write) */
	"UNBLOCKED force unblock",	/* turned into a replica meanwhile */
	"OOM ",			/* over maxmemory: no writes until freed */
	"MISCONF ",		/* cannot save: stop-writes-on-bgsave-error */
	"BUSY ",		/* a script runs past lua-time-limit */
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

/* Make r unusable if an error's text says the server takes no writes. */
int
redis_refused(struct redis *r, const char *text, size_t len)
{
	size_t	i, n;

	for (i = 0; i < sizeof redis_not_master / sizeof *redis_not_master;
	    i++) {
		n = strlen(redis_not_master[i]);
		if (len >= n && strncmp(text, redis_not_master[i], n) == 0) {
			free(r->lost);
			r->lost = xasprintf("%s: %.*s", r->label, (int)len,
			    text);
			return 1;
		}
	}
	return 0;
}

/* Set *cause to why the connection was found unusable; return NULL. */
static void *
redis_gone(struct redis *r, char **cause)
{
	if (cause != NULL)
		*cause = xstrdup(r->lost);
	return NULL;
}

/*
 * Take a reply the reader built (redisreply.c). A reply saying that the
 * server is not a master makes the connection unusable.
 */
static struct redis_reply *
redis_take(struct redis *r, void *in, char **cause)
{
	struct redis_reply	*reply = in;

	if (reply == NULL) {
		if (cause != NULL)
			*cause = xasprintf("%s: %s", r->label,
			    r->c->errstr[0] != '\0' ? r->c->errstr :
			    "connection lost");
		return NULL;
	}
	if (reply->type == REDIS_TYPE_ERROR &&
	    redis_refused(r, reply->str, reply->len)) {
		redis_reply_free(reply);
		return redis_gone(r, cause);
	}
	return reply;
}

/* Open a connection to a server, without logging in. */
struct redis *
redis_open(const char *what, const char *host, int port, const char *path,
    int64_t timeout_ms, char **cause)
{
	struct redis	*r;
	struct timeval	 tv;

	r = xcalloc(1, sizeof *r);
	tv = redis_timeval(timeout_ms);
	if (path != NULL) {
		r->where = xasprintf("unix:%s", path);
		r->c = redisConnectUnixWithTimeout(path, tv);
	} else {
		r->where = strchr(host, ':') != NULL ?
		    xasprintf("[%s]:%d", host, port) :
		    xasprintf("%s:%d", host, port);
		r->c = redisConnectWithTimeout(host, port, tv);
	}
	r->label = xasprintf("%s %s", what, r->where);
	if (r->c == NULL || r->c->err) {
		if (cause != NULL)
			*cause = xasprintf("%s: %s", r->label,
			    r->c != NULL ? r->c->errstr : "out of memory");
		goto fail;
	}
	redisreply_use(r->c);
	if (redisSetTimeout(r->c, redis_timeval(REDIS_COMMAND_TIMEOUT_MS)) !=
	    REDIS_OK || (path == NULL && redisEnableKeepAlive(r->c) !=
	    REDIS_OK)) {
		if (cause != NULL)
			*cause = xasprintf("%s: %s", r->label, r->c->errstr);
		goto fail;
	}
	return r;

fail:
	redis_free(r);
	return NULL;
}

/* Authenticate and select the database. */
int
redis_login(struct redis *r, const char *user, const char *password, int db,
    char **cause)
{
	struct redis_reply	*reply = NULL;

	if (password != NULL) {
		if (user != NULL)
			reply = redis_command(r, cause, "AUTH %s %s", user,
			    password);
		else
			reply = redis_command(r, cause, "AUTH %s", password);
		if (reply == NULL)
			goto fail;
		if (reply->type == REDIS_TYPE_ERROR) {
			if (cause != NULL)
				*cause = xasprintf("%s: authentication "
				    "failed: %s", r->label, reply->str);
			goto fail;
		}
		redis_reply_free(reply);
	}
	if (db != 0) {
		reply = redis_command(r, cause, "SELECT %d", db);
		if (reply == NULL)
			goto fail;
		if (reply->type == REDIS_TYPE_ERROR) {
			if (cause != NULL)
				*cause = xasprintf("%s: SELECT %d: %s",
				    r->label, db, reply->str);
			goto fail;
		}
		redis_reply_free(reply);
	}
	return 0;

fail:
	redis_reply_free(reply);
	return -1;
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
	free(r->label);
	free(r->lost);
	free(r);
}

/* Describe the connection anew. */
void
redis_describe(struct redis *r, const char *where)
{
	free(r->where);
	free(r->label);
	r->where = xstrdup(where);
	r->label = xasprintf("redis %s", where);
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

	if (r->lost != NULL)
		return redis_gone(r, cause);
	va_start(ap, fmt);
	in = redisvCommand(r->c, fmt, ap);
	va_end(ap);
	return redis_take(r, in, cause);
}

/* Stop watching keys; a failure shows in the next command. */
void
redis_unwatch(struct redis *r)
{
	redis_reply_free(redis_command(r, NULL, "UNWATCH"));
}

/* Run a command given as argc arguments with their lengths. */
struct redis_reply *
redis_command_argv(struct redis *r, char **cause, int argc, const char **argv,
    const size_t *lens)
{
	if (r->lost != NULL)
		return redis_gone(r, cause);
	return redis_take(r, redisCommandArgv(r->c, argc, argv, lens), cause);
}

/* Write "<c><n>\r\n" at p and return the end. */
static char *
redis_header(char *p, char c, size_t n)
{
	char	digits[24];
	size_t	k = 0;

	*p++ = c;
	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	while (k > 0)
		*p++ = digits[--k];
	*p++ = '\r';
	*p++ = '\n';
	return p;
}

/* Write one argument, "$<len>\r\n<bytes>\r\n", at p and return the end. */
static char *
redis_arg(char *p, const char *s, size_t len)
{
	p = redis_header(p, '$', len);
	memcpy(p, s, len);
	p += len;
	*p++ = '\r';
	*p++ = '\n';
	return p;
}

/* Queue a command already in the protocol's form, of len bytes. */
static void
redis_append(struct redis *r, const char *cmd, size_t len)
{
	if (redisAppendFormattedCommand(r->c, cmd, len) != REDIS_OK)
		abort();	/* only fails when out of memory */
}

/* Make room for n more bytes in a's buffer. */
static void
redis_args_grow(struct redis_args *a, size_t n)
{
	if (a->len + n <= a->cap)
		return;
	a->cap = (a->len + n) * 2;
	a->buf = xreallocarray(a->buf, a->cap, 1);
}

/* Append an argument in the protocol's form. */
void
redis_args_add(struct redis_args *a, const char *s, size_t len)
{
	redis_args_grow(a, len + 32);
	a->len = (size_t)(redis_arg(a->buf + a->len, s, len) - a->buf);
	a->n++;
}

/* Start a command of n arguments in a's buffer: "*<n>\r\n". */
void
redis_args_command(struct redis_args *a, size_t n)
{
	redis_args_grow(a, 32);
	a->len = (size_t)(redis_header(a->buf + a->len, '*', n) - a->buf);
}

/* Append bytes already in the protocol's form (whole commands). */
void
redis_args_raw(struct redis_args *a, const char *bytes, size_t len)
{
	redis_args_grow(a, len);
	memcpy(a->buf + a->len, bytes, len);
	a->len += len;
}

/* Append a NUL-terminated argument. */
void
redis_args_str(struct redis_args *a, const char *s)
{
	redis_args_add(a, s, strlen(s));
}

/* Free an argument list. */
void
redis_args_clear(struct redis_args *a)
{
	free(a->buf);
	memset(a, 0, sizeof *a);
}

/*
 * Queue a command to be sent with the next redis_pipe_reply(). The
 * command is put in the protocol's form here, in one buffer, rather than
 * by hiredis's formatter, which builds it piece by piece.
 */
void
redis_pipe_argv(struct redis *r, int argc, const char **argv,
    const size_t *lens)
{
	size_t	 total = 32, i;
	char	*cmd, *p;

	for (i = 0; i < (size_t)argc; i++)
		total += (lens != NULL ? lens[i] : strlen(argv[i])) + 32;
	p = cmd = xmalloc(total);
	p = redis_header(p, '*', (size_t)argc);
	for (i = 0; i < (size_t)argc; i++)
		p = redis_arg(p, argv[i], lens != NULL ? lens[i] :
		    strlen(argv[i]));
	redis_append(r, cmd, (size_t)(p - cmd));
	free(cmd);
}

/* Queue the command of head's arguments followed by tail's. */
void
redis_pipe_args(struct redis *r, const struct redis_args *head,
    const struct redis_args *tail)
{
	size_t	 n = head->n, len = head->len;
	char	*cmd, *p;

	if (tail != NULL) {
		n += tail->n;
		len += tail->len;
	}
	p = cmd = xmalloc(32 + len);
	p = redis_header(p, '*', n);
	if (head->len > 0) {
		memcpy(p, head->buf, head->len);
		p += head->len;
	}
	if (tail != NULL && tail->len > 0) {
		memcpy(p, tail->buf, tail->len);
		p += tail->len;
	}
	redis_append(r, cmd, (size_t)(p - cmd));
	free(cmd);
}

/* Queue MULTI, the whole commands in cmds, and EXEC. */
void
redis_pipe_multi(struct redis *r, const struct redis_args *cmds)
{
	static const char multi[] = "*1\r\n$5\r\nMULTI\r\n";
	static const char exec[] = "*1\r\n$4\r\nEXEC\r\n";

	redis_append(r, multi, sizeof multi - 1);
	redis_append(r, cmds->buf, cmds->len);
	redis_append(r, exec, sizeof exec - 1);
}

/* Read MULTI's reply, n QUEUED, and return EXEC's reply. */
struct redis_reply *
redis_multi_reply(struct redis *r, size_t n, char **err, char **cause)
{
	struct redis_reply	*x;
	size_t			 i;

	*err = NULL;
	for (i = 0; i <= n; i++) {
		if ((x = redis_pipe_reply(r, cause)) == NULL)
			return NULL;
		if (x->type == REDIS_TYPE_ERROR && *err == NULL)
			*err = xstrdup(x->str);
		redis_reply_free(x);
	}
	return redis_pipe_reply(r, cause);
}

/* Send what is queued and wait for the next reply. */
struct redis_reply *
redis_pipe_reply(struct redis *r, char **cause)
{
	void	*in = NULL;

	if (r->lost != NULL)
		return redis_gone(r, cause);
	if (redisGetReply(r->c, &in) != REDIS_OK)
		in = NULL;
	return redis_take(r, in, cause);
}

/* Send a command without waiting for its reply. */
int
redis_send_argv(struct redis *r, char **cause, int argc, const char **argv,
    const size_t *lens)
{
	if (r->lost != NULL) {
		redis_gone(r, cause);
		return -1;
	}
	if (redisAppendCommandArgv(r->c, argc, argv, lens) != REDIS_OK) {
		if (cause != NULL)
			*cause = xasprintf("%s: %s", r->label, r->c->errstr);
		return -1;
	}
	return redis_flush(r, cause);
}

/* Write out the commands queued with redis_pipe_argv(), not waiting. */
int
redis_flush(struct redis *r, char **cause)
{
	int	done = 0;

	if (r->lost != NULL) {
		redis_gone(r, cause);
		return -1;
	}
	while (!done) {
		if (redisBufferWrite(r->c, &done) != REDIS_OK) {
			if (cause != NULL)
				*cause = xasprintf("%s: %s", r->label,
				    r->c->errstr);
			return -1;
		}
	}
	return 0;
}

/* Read what has arrived for a sent command. */
int
redis_receive(struct redis *r, struct redis_reply **reply, char **cause)
{
	void	*in = NULL;

	*reply = NULL;
	if (r->lost != NULL) {
		redis_gone(r, cause);
		return -1;
	}
	if (redisBufferRead(r->c) != REDIS_OK ||
	    redisGetReplyFromReader(r->c, &in) != REDIS_OK) {
		if (cause != NULL)
			*cause = xasprintf("%s: %s", r->label, r->c->errstr);
		return -1;
	}
	if (in == NULL)
		return 0;
	if ((*reply = redis_take(r, in, cause)) == NULL)
		return -1;
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

/* Consume a reply whose answer is not needed. */
int
redis_done(struct redis_reply *rep, char **cause)
{
	int	 rc = 0;

	if (rep == NULL)
		return -1;
	if (rep->type == REDIS_TYPE_ERROR) {
		if (cause != NULL)
			*cause = xasprintf("redis: %s", rep->str);
		rc = -1;
	}
	redis_reply_free(rep);
	return rc;
}
