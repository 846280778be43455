/*
 * redisconn.h - connecting to the Redis server the configuration names
 *
 * redis.h knows connections, not closeloopd.conf: here the settings of
 * the redis group (redis.url, or redis.sentinels and redis.master_name;
 * redis.username and redis.password_file; redis.connect_timeout_ms)
 * become a connection, logged in and on the right database. Every part
 * of closeloop that talks to Redis connects through redisconn_open().
 */
#ifndef REDISCONN_H
#define REDISCONN_H

struct config;
struct redis;

/*
 * Connect to the server that cf names, authenticate and select the
 * database: the server of redis.url, or with redis.sentinels the master
 * the sentinels name (sentinel.h). Returns a new connection (free it with
 * redis_free()), or NULL with *cause set (the caller frees it). Never
 * blocks longer than redis.connect_timeout_ms per step.
 */
struct redis *redisconn_open(const struct config *cf, char **cause);

#endif
