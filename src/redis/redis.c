/*
 * redis.c - a connection to Redis, and the replies it gives
 *
 * Commands are sent over one blocking hiredis context with a socket
 * timeout, so that a server that stops answering is noticed. Replies are
 * copied into struct redis_reply so that no other module depends on
 * hiredis. Only blocking reads of streams bypass the timeout: they are sent
 * with redis_send_argv() and their reply is collected with redis_receive()
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
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "redis.h"
#include "xmalloc.h"

/* Guards the sha of every struct redis_script: threads share them. */
static pthread_mutex_t redis_script_lock = PTHREAD_MUTEX_INITIALIZER;

/* Per command, beyond which the server is taken to be gone. */
#define REDIS_COMMAND_TIMEOUT_MS 10000

/* The most scripts one connection keeps track of. */
#define REDIS_SCRIPTS_MAX	16

struct redis {
	redisContext	*c;
	char		*where;	/* for redis_where() */
	char		*label;	/* what causes start with */
	char		*lost;	/* why it is unusable, or NULL */
	const struct redis_script *loaded[REDIS_SCRIPTS_MAX]; /* this server
						   has them */
	size_t		 nloaded;
};

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

/* Return 1 if a hiredis reply says the server is not a master now. */
static int
redis_moved(const redisReply *in)
{
	size_t	i, len;

	if (in->type != REDIS_REPLY_ERROR)
		return 0;
	for (i = 0; i < sizeof redis_not_master / sizeof *redis_not_master;
	    i++) {
		len = strlen(redis_not_master[i]);
		if (in->len >= len &&
		    strncmp(in->str, redis_not_master[i], len) == 0)
			return 1;
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
 * Take a hiredis reply, copy it and free the original. A reply saying
 * that the server is not a master makes the connection unusable.
 */
static struct redis_reply *
redis_take(struct redis *r, redisReply *in, char **cause)
{
	struct redis_reply	*out;

	if (in == NULL) {
		if (cause != NULL)
			*cause = xasprintf("%s: %s", r->label,
			    r->c->errstr[0] != '\0' ? r->c->errstr :
			    "connection lost");
		return NULL;
	}
	if (redis_moved(in)) {
		free(r->lost);
		r->lost = xasprintf("%s: %.*s", r->label, (int)in->len,
		    in->str);
		freeReplyObject(in);
		return redis_gone(r, cause);
	}
	out = redis_copy(in);
	freeReplyObject(in);
	return out;
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
	if (redisAppendFormattedCommand(r->c, cmd, (size_t)(p - cmd)) !=
	    REDIS_OK)
		abort();	/* only fails when out of memory */
	free(cmd);
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

/* Copy a script's sha (or "") under the lock. */
static void
redis_script_sha(const struct redis_script *script, char sha[41])
{
	pthread_mutex_lock(&redis_script_lock);
	memcpy(sha, script->sha, 41);
	pthread_mutex_unlock(&redis_script_lock);
}

/* Return 1 if this connection's server was given the script. */
static int
redis_script_known(const struct redis *r, const struct redis_script *script)
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
redis_script_unknown(struct redis *r, const struct redis_script *script)
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
redis_script_load(struct redis *r, struct redis_script *script, char **cause)
{
	struct redis_reply	*reply;
	int			 rc = 1;

	if (redis_script_known(r, script))
		return 0;
	if ((reply = redis_command(r, cause, "SCRIPT LOAD %s",
	    script->body)) == NULL)
		return -1;
	if (reply->type == REDIS_TYPE_STRING && reply->len == 40) {
		/* The sha of a body never changes: any thread may set it. */
		pthread_mutex_lock(&redis_script_lock);
		memcpy(script->sha, reply->str, 41);
		pthread_mutex_unlock(&redis_script_lock);
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
redis_script_lost(struct redis *r, const struct redis_script *script)
{
	redis_script_unknown(r, script);
	free(r->lost);
	r->lost = xasprintf("%s: the server no longer has script %s "
	    "(SCRIPT FLUSH?)", r->label, script->name);
}

/* Run a script, loading it first if the server does not have it. */
struct redis_reply *
redis_eval(struct redis *r, struct redis_script *script, char **cause,
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
		if ((rc = redis_script_load(r, script, &why)) != 0) {
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
		redis_script_sha(script, sha);
		args[1] = sha;
		arglens[1] = 40;
		reply = redis_command_argv(r, cause, argc + 3, args, arglens);
		if (!redis_reply_is_error(reply, "NOSCRIPT"))
			break;
		redis_script_unknown(r, script);
		redis_reply_free(reply);
		reply = NULL;
	}
	free(args);
	free(arglens);
	return reply;
}

/* Queue EVALSHA of a loaded script with its arguments. */
void
redis_pipe_eval(struct redis *r, const struct redis_script *script,
    int nkeys, const struct redis_args *a)
{
	struct redis_args	 head;
	char			 nk[16], sha[41];

	redis_script_sha(script, sha);
	memset(&head, 0, sizeof head);
	snprintf(nk, sizeof nk, "%d", nkeys);
	redis_args_grow(&head, 128 + a->len);
	head.len = (size_t)(redis_header(head.buf, '*', 3 + a->n) - head.buf);
	redis_args_str(&head, "EVALSHA");
	redis_args_str(&head, sha);
	redis_args_str(&head, nk);
	if (a->len > 0)
		memcpy(head.buf + head.len, a->buf, a->len);
	head.len += a->len;
	if (redisAppendFormattedCommand(r->c, head.buf, head.len) != REDIS_OK)
		abort();	/* only fails when out of memory */
	redis_args_clear(&head);
}

/* Read a sorted set's score into milliseconds. */
int
redis_score(const char *s, int64_t *ms)
{
	char	*end;
	double	 v;
	int64_t	 t;

	if (s == NULL || *s == '\0')
		return -1;
	v = strtod(s, &end);
	/* v != v: not a number. The bounds keep the cast defined. */
	if (*end != '\0' || v != v || v < -9.2e18 || v > 9.2e18)
		return -1;
	t = (int64_t)v;
	if ((double)t > v)
		t--;
	*ms = t;
	return 0;
}

/* Send a command without waiting for its reply. */
int
redis_send_argv(struct redis *r, char **cause, int argc, const char **argv,
    const size_t *lens)
{
	int	done = 0;

	if (r->lost != NULL) {
		redis_gone(r, cause);
		return -1;
	}
	if (redisAppendCommandArgv(r->c, argc, argv, lens) != REDIS_OK)
		goto fail;
	while (!done) {
		if (redisBufferWrite(r->c, &done) != REDIS_OK)
			goto fail;
	}
	return 0;

fail:
	if (cause != NULL)
		*cause = xasprintf("%s: %s", r->label, r->c->errstr);
	return -1;
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
