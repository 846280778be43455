/*
 * testredis.h - the Redis side of the unit tests: one server, empty data
 *
 * A test program that needs Redis runs its tests with testredis_run(),
 * which starts a private redis-server (testserver.h) before them and
 * stops it after. Each test then connects with testredis_open(), which
 * empties the database first, so that no test sees another's keys, and
 * reads what the code wrote back with testredis_int() and
 * testredis_hget().
 */
#ifndef TESTREDIS_H
#define TESTREDIS_H

#include <stddef.h>

struct CMUnitTest;
struct config;
struct redis;
struct testserver;

/*
 * The main of a test program: start ts, run the n tests as group name,
 * stop ts. Returns what cmocka says.
 */
int testredis_run(struct testserver *ts, const char *name,
    const struct CMUnitTest *tests, size_t n);

/*
 * Connect to the server of cf and empty it (testredis_flush()); fails
 * the test if it cannot connect. The caller frees the connection.
 */
struct redis *testredis_open(const struct config *cf);

/* Empty the database (FLUSHALL); fails the test if Redis refuses. */
void testredis_flush(struct redis *r);

/*
 * Return the integer reply of cmd, a whole command in words (it is
 * redis_command()'s format, so a % in it must be doubled); fails the
 * test if the reply is not an integer.
 */
long long testredis_int(struct redis *r, const char *cmd);

/*
 * Return the integer reply of cmd (a command of one key: EXISTS, PTTL,
 * ZCARD, ...) about key; fails the test if it is not an integer.
 */
long long testredis_key_int(struct redis *r, const char *cmd,
    const char *key);

/* Return how many keys match pattern (KEYS), failing on an error. */
size_t testredis_keys(struct redis *r, const char *pattern);

/* Return field of the hash key (allocated), or NULL if it has none. */
char *testredis_hget(struct redis *r, const char *key, const char *field);

#endif
