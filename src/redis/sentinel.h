/*
 * sentinel.h - finding the Redis master through Redis Sentinel
 *
 * With redis.sentinels and redis.master_name set, closeloop does not
 * connect to a fixed server: every connection starts by asking the
 * sentinels where the master is now. redisconn_open() calls this; the rest
 * of closeloop sees an ordinary connection, whose redis_where() says
 * "master NAME at HOST:PORT (via sentinel HOST:PORT)".
 */
#ifndef SENTINEL_H
#define SENTINEL_H

struct config;
struct redis;

/*
 * Ask cf's sentinels, in the order listed, for the address of the master
 * named redis.master_name (authenticating to them with
 * redis.sentinel_password_file if set), connect to the first address a
 * sentinel gives, log in there as redisconn_open() does, and check with
 * ROLE that the server is a master. A server that is not (a former master
 * turned into a replica) is not used: the next sentinel is asked.
 * Returns a new connection (free it with redis_free()), or NULL with
 * *cause set, naming every sentinel asked and what went wrong with it (the
 * caller frees it).
 */
struct redis *sentinel_connect(const struct config *cf, char **cause);

#endif
