/*
 * testredis.c - the Redis side of the unit tests: one server, empty data
 *
 * The server is the program's for all its tests; a test's connection
 * empties it when made. Commands go by words (redis_command_argv()), so
 * keys need no quoting.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "redis.h"
#include "redisconn.h"
#include "testredis.h"
#include "testserver.h"
#include "xmalloc.h"

/* Run the tests against a server started for them. */
int
testredis_run(struct testserver *ts, const char *name,
    const struct CMUnitTest *tests, size_t n)
{
	int	rc;

	testserver_start(ts, 0, NULL);
	rc = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	testserver_stop(ts);
	return rc;
}

/* Connect and empty the database. */
struct redis *
testredis_open(const struct config *cf)
{
	struct redis	*r;
	char		*cause = NULL;

	if ((r = redisconn_open(cf, &cause)) == NULL)
		fail_msg("redisconn_open: %s", cause);
	testredis_flush(r);
	return r;
}

/* Empty the database. */
void
testredis_flush(struct redis *r)
{
	struct redis_reply	*reply;
	const char		*argv[1] = { "FLUSHALL" };
	char			*cause = NULL;

	reply = redis_command_argv(r, &cause, 1, argv, NULL);
	if (reply == NULL)
		fail_msg("FLUSHALL: %s", cause);
	if (reply->type == REDIS_TYPE_ERROR)
		fail_msg("FLUSHALL: %s", reply->str);
	redis_reply_free(reply);
}

/* Return the integer reply of a command. */
long long
testredis_int(struct redis *r, const char *cmd)
{
	struct redis_reply	*reply;
	char			*cause = NULL;
	long long		 v;

	reply = redis_command(r, &cause, cmd);
	if (reply == NULL)
		fail_msg("%s: %s", cmd, cause);
	assert_int_equal(reply->type, REDIS_TYPE_INTEGER);
	v = reply->integer;
	redis_reply_free(reply);
	return v;
}

/* Return the integer reply of a command about one key. */
long long
testredis_key_int(struct redis *r, const char *cmd, const char *key)
{
	struct redis_reply	*reply;
	const char		*argv[2] = { cmd, key };
	char			*cause = NULL;
	long long		 v;

	reply = redis_command_argv(r, &cause, 2, argv, NULL);
	if (reply == NULL)
		fail_msg("%s %s: %s", cmd, key, cause);
	assert_int_equal(reply->type, REDIS_TYPE_INTEGER);
	v = reply->integer;
	redis_reply_free(reply);
	return v;
}

/* Return how many keys match pattern (KEYS: a test's small database). */
size_t
testredis_keys(struct redis *r, const char *pattern)
{
	struct redis_reply	*reply;
	const char		*argv[2] = { "KEYS", pattern };
	char			*cause = NULL;
	size_t			 n;

	reply = redis_command_argv(r, &cause, 2, argv, NULL);
	if (reply == NULL)
		fail_msg("KEYS %s: %s", pattern, cause);
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	n = reply->elements;
	redis_reply_free(reply);
	return n;
}

/* Return a field of a hash. */
char *
testredis_hget(struct redis *r, const char *key, const char *field)
{
	struct redis_reply	*reply;
	const char		*argv[3] = { "HGET", key, field };
	char			*v;

	reply = redis_command_argv(r, NULL, 3, argv, NULL);
	assert_non_null(reply);
	v = reply->type == REDIS_TYPE_STRING ? xstrdup(reply->str) : NULL;
	redis_reply_free(reply);
	return v;
}
