/*
 * redisreply.c - hiredis's reader builds closeloop's replies directly
 *
 * hiredis builds a reply through a table of functions its reader calls
 * for each value it parses. A connection's reader is given this table
 * (redisreply_use()), whose functions make struct redis_reply in
 * place of hiredis's redisReply: each value is allocated once, with a
 * string's bytes or an array's element pointers in the same block, just
 * after the struct, and nothing is copied or freed twice on its way to
 * the caller. A value inside an array is put into its parent as it is
 * made; the reply hiredis hands back is the top one, which the caller
 * frees with redis_reply_free(); hiredis frees a reply it gives up on
 * half-read with the same function.
 */
#include "build.h"

#include <hiredis/hiredis.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redisint.h"
#include "redisreply.h"
#include "xmalloc.h"

/* Put a new value into its parent array, if it has one; return it. */
static void *
redisreply_place(const redisReadTask *task, struct redis_reply *v)
{
	struct redis_reply	*parent;

	if (task->parent != NULL) {
		parent = task->parent->obj;
		if (parent != NULL && task->idx >= 0 &&
		    (size_t)task->idx < parent->elements)
			parent->element[task->idx] = v;
	}
	return v;
}

/* A string, a status or an error: its bytes, ended by a NUL. */
static void *
redisreply_string(const redisReadTask *task, char *s, size_t len)
{
	struct redis_reply	*v;

	v = xmalloc(sizeof *v + len + 1);
	memset(v, 0, sizeof *v);
	switch (task->type) {
	case REDIS_REPLY_STATUS:
		v->type = REDIS_TYPE_STATUS;
		break;
	case REDIS_REPLY_ERROR:
		v->type = REDIS_TYPE_ERROR;
		break;
	default:
		v->type = REDIS_TYPE_STRING;
		break;
	}
	v->str = (char *)(v + 1);
	memcpy(v->str, s, len);
	v->str[len] = '\0';
	v->len = len;
	return redisreply_place(task, v);
}

/* An array of n elements, filled as they are read. */
static void *
redisreply_array(const redisReadTask *task, REDIS_READER_COUNT n)
{
	struct redis_reply	*v;

	if (n > 0 && (size_t)n > (SIZE_MAX - sizeof *v) / sizeof *v->element)
		return NULL;		/* hiredis: out of memory */
	v = xcalloc(1, sizeof *v + (n > 0 ? (size_t)n : 0) *
	    sizeof *v->element);
	v->type = REDIS_TYPE_ARRAY;
	if (n > 0) {
		v->elements = (size_t)n;
		v->element = (struct redis_reply **)(v + 1);
	}
	return redisreply_place(task, v);
}

/* An integer. */
static void *
redisreply_integer(const redisReadTask *task, long long n)
{
	struct redis_reply	*v;

	v = xcalloc(1, sizeof *v);
	v->type = REDIS_TYPE_INTEGER;
	v->integer = n;
	return redisreply_place(task, v);
}

/* A nil. */
static void *
redisreply_nil(const redisReadTask *task)
{
	struct redis_reply	*v;

	v = xcalloc(1, sizeof *v);
	v->type = REDIS_TYPE_NIL;
	return redisreply_place(task, v);
}

/* Free a reply hiredis gives up on (with what it holds). */
static void
redisreply_free(void *obj)
{
	redis_reply_free(obj);
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
	/* Made elsewhere (redisscript.c's refusal), they are apart. */
	if (reply->element != (struct redis_reply **)(reply + 1))
		free(reply->element);
	if (reply->str != (char *)(reply + 1))
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

/* The table every connection's reader uses. */
static redisReplyObjectFunctions redisreply_table = {
	.createString = redisreply_string,
	.createArray = redisreply_array,
	.createInteger = redisreply_integer,
	.createNil = redisreply_nil,
	.freeObject = redisreply_free
};

/* Make a connection's reader build struct redis_reply. */
void
redisreply_use(struct redisContext *c)
{
	c->reader->fn = &redisreply_table;
}
