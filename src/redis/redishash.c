/*
 * redishash.c - a hash's fields and values, read from a reply uncopied
 *
 * hiredis builds a reply through a table of functions its reader calls
 * for each value it parses. For one reply, redishash_next() gives the
 * reader a table of its own, whose functions pass each field and value
 * of the top array to the caller's function (copied into a buffer on the
 * stack, to end them with a NUL) and build nothing: the "object" of
 * every value is the read's state. The connection's own table is put
 * back before it returns, whatever happened.
 */
#include "build.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"
#include "redishash.h"
#include "redisint.h"
#include "xmalloc.h"

/* Fields up to this long are copied on the stack. */
#define REDISHASH_SHORT	512

/* One reply's reading. */
struct redishash_read {
	redishash_fn	 fn;
	void		*arg;
	char		 field[REDISHASH_SHORT];
	char		*lfield;	/* a longer field, or NULL */
	size_t		 flen;
	int		 have;		/* a field waits for its value */
	int		 stop;		/* fn asked to skip the rest */
	char		*error;		/* an error reply's text, or NULL */
};

/* Return 1 if a value is an element of the top array. */
static int
redishash_child(const redisReadTask *task)
{
	return task->parent != NULL && task->parent->parent == NULL;
}

/* Take a field, or hand a value with its field to the function. */
static void
redishash_take(struct redishash_read *h, int idx, const char *s, size_t len)
{
	char	 value[64], *v = value;

	if (idx % 2 == 0) {
		free(h->lfield);
		h->lfield = NULL;
		if (len < sizeof h->field) {
			memcpy(h->field, s, len);
			h->field[len] = '\0';
		} else
			h->lfield = xstrndup(s, len);
		h->flen = len;
		h->have = 1;
		return;
	}
	if (!h->have || h->stop)
		return;
	h->have = 0;
	if (len >= sizeof value)
		v = xmalloc(len + 1);
	memcpy(v, s, len);
	v[len] = '\0';
	h->stop = h->fn(h->lfield != NULL ? h->lfield : h->field, h->flen, v,
	    h->arg);
	if (v != value)
		free(v);
}

/* A string, status or error: a field, a value, or the reply's error. */
static void *
redishash_string(const redisReadTask *task, char *s, size_t len)
{
	struct redishash_read	*h = task->privdata;

	if (task->parent == NULL && task->type == REDIS_REPLY_ERROR &&
	    h->error == NULL)
		h->error = xstrndup(s, len);
	else if (redishash_child(task))
		redishash_take(h, task->idx, s, len);
	return h;
}

/* An array: the hash itself, or (not in a hash) one to pass over. */
static void *
redishash_array(const redisReadTask *task, REDIS_READER_COUNT n)
{
	struct redishash_read	*h = task->privdata;

	(void)n;
	if (redishash_child(task))
		h->have = 0;
	return h;
}

/* An integer, taken as its digits. */
static void *
redishash_integer(const redisReadTask *task, long long n)
{
	char	buf[32];
	int	len;

	len = snprintf(buf, sizeof buf, "%lld", n);
	if (redishash_child(task))
		redishash_take(task->privdata, task->idx, buf, (size_t)len);
	return task->privdata;
}

/* A nil: the pair it is in is passed over. */
static void *
redishash_nil(const redisReadTask *task)
{
	struct redishash_read	*h = task->privdata;

	if (redishash_child(task))
		h->have = 0;
	return h;
}

/* Nothing was built, so nothing is freed. */
static void
redishash_free(void *obj)
{
	(void)obj;
}

/* Read the next reply as a hash. */
int
redishash_next(struct redis *r, redishash_fn fn, void *arg, char **cause)
{
	static redisReplyObjectFunctions	 table = {
		.createString = redishash_string,
		.createArray = redishash_array,
		.createInteger = redishash_integer,
		.createNil = redishash_nil,
		.freeObject = redishash_free
	};
	struct redishash_read			 h;
	redisReplyObjectFunctions		*fns;
	void					*priv, *reply = NULL;
	int					 rc;

	if (r->lost != NULL) {
		*cause = xstrdup(r->lost);
		return -1;
	}
	memset(&h, 0, sizeof h);
	h.fn = fn;
	h.arg = arg;
	fns = r->c->reader->fn;
	priv = r->c->reader->privdata;
	r->c->reader->fn = &table;
	r->c->reader->privdata = &h;
	rc = redisGetReply(r->c, &reply);
	r->c->reader->fn = fns;
	r->c->reader->privdata = priv;
	free(h.lfield);
	if (rc != REDIS_OK || reply == NULL) {
		free(h.error);
		*cause = xasprintf("%s: %s", r->label, r->c->errstr[0] != '\0' ?
		    r->c->errstr : "connection lost");
		return -1;
	}
	if (h.error == NULL)
		return 0;
	if (redis_refused(r, h.error, strlen(h.error))) {
		free(h.error);
		*cause = xstrdup(r->lost);
		return -1;
	}
	*cause = h.error;
	return 1;
}

/* Return the fields and values of an HGETALL reply, uncopied. */
char **
redishash_pairs(const struct redis_reply *reply, size_t *npairs)
{
	char	**fields;
	size_t	  i, n;

	n = reply->type == REDIS_TYPE_ARRAY ? reply->elements : 0;
	fields = xcalloc(n + 1, sizeof *fields);
	for (i = 0; i < n; i++)
		fields[i] = reply->element[i]->str != NULL ?
		    reply->element[i]->str : (char *)"";
	*npairs = n / 2;
	return fields;
}
