/*
 * redisreply.h - the replies Redis gives, as closeloop holds them
 *
 * A reply is a tree of struct redis_reply: hiredis's reader builds it
 * directly (redisreply_use()), and whoever a function gives one to frees
 * it with redis_reply_free().
 */
#ifndef REDISREPLY_H
#define REDISREPLY_H

#include <stddef.h>

struct redisContext;

enum redis_type {
	REDIS_TYPE_NIL,
	REDIS_TYPE_STRING,
	REDIS_TYPE_STATUS,
	REDIS_TYPE_ERROR,
	REDIS_TYPE_INTEGER,
	REDIS_TYPE_ARRAY
};

/* A reply; str is NUL-terminated and len bytes long (binary safe). */
struct redis_reply {
	enum redis_type		  type;
	long long		  integer;
	char			 *str;
	size_t			  len;
	struct redis_reply	**element;
	size_t			  elements;
};

/* Free a reply; NULL is a no-op. */
void redis_reply_free(struct redis_reply *reply);

/* Return 1 if reply is an error reply whose text starts with prefix. */
int redis_reply_is_error(const struct redis_reply *reply, const char *prefix);

/*
 * Make c's reader build struct redis_reply in place of hiredis's own
 * replies: what its reads return is then freed with redis_reply_free().
 * For redis.c only.
 */
void redisreply_use(struct redisContext *c);

#endif
