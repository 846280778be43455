/*
 * redisconn.c - connecting to the Redis server the configuration names
 *
 * Without sentinels the server is the one of redis.url, over TCP or a
 * unix socket; with redis.sentinels every connection starts by asking
 * the sentinels where the master is now (sentinel.c). Either way the
 * connection is logged in with redis.username and the password of
 * redis.password_file, and the database of redis.url is selected.
 */
#include "build.h"

#include <stddef.h>

#include "config.h"
#include "redis.h"
#include "redisconn.h"
#include "sentinel.h"

/* Connect to the server that cf names, authenticate and select the db. */
struct redis *
redisconn_open(const struct config *cf, char **cause)
{
	struct redis	*r;

	if (cf->redis_nsentinels != 0)
		return sentinel_connect(cf, cause);
	r = redis_open("redis", cf->redis_addr.host, cf->redis_addr.port,
	    cf->redis_addr.socket, cf->redis_connect_timeout_ms, cause);
	if (r == NULL || redis_login(r, cf->redis_username, cf->redis_password,
	    cf->redis_addr.db, cause) != 0) {
		redis_free(r);
		return NULL;
	}
	return r;
}
