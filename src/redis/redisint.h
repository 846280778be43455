/*
 * redisint.h - the insides of a connection; private to src/redis
 *
 * The rest of closeloop sees struct redis only through redis.h. redis.c
 * makes and uses it; redisscript.c keeps in it the scripts its server
 * was given, and makes it unusable when the server forgot one;
 * redishash.c reads hashes through its hiredis context. Nothing outside
 * src/redis includes this header.
 */
#ifndef REDISINT_H
#define REDISINT_H

#include <stddef.h>

struct redisContext;
struct redisscript;

/* The most scripts one connection keeps track of. */
#define REDIS_SCRIPTS_MAX	16

struct redis {
	struct redisContext	*c;	/* hiredis's, in redis.c only */
	char			*where;	/* for redis_where() */
	char			*label;	/* what causes start with */
	char			*lost;	/* why it is unusable, or NULL */
	const struct redisscript *loaded[REDIS_SCRIPTS_MAX]; /* this server
							    has them */
	size_t			 nloaded;
};

/*
 * If an error reply's text (len bytes) says that the server takes no
 * writes now (redis.c lists those errors), make r unusable, saying why
 * in r->lost, and return 1; else return 0.
 */
int redis_refused(struct redis *r, const char *text, size_t len);

/*
 * hiredis 1 counts an array's elements in a size_t, 0.14 in an int (for
 * a table of reader functions; after hiredis.h).
 */
#if defined(HIREDIS_MAJOR) && HIREDIS_MAJOR >= 1
#define REDIS_READER_COUNT	size_t
#else
#define REDIS_READER_COUNT	int
#endif

#endif
