/*
 * cliredis.h - a closeloop command's connection to Redis
 */
#ifndef CLIREDIS_H
#define CLIREDIS_H

struct config;
struct redis;

/*
 * Connect to the Redis server cf names for "closeloop command". Returns
 * the connection (free it with redis_free()), or NULL after saying why
 * on standard error; the command then exits EX_UNAVAILABLE.
 */
struct redis *cliredis_open(const struct config *cf, const char *command);

#endif
