/*
 * test_redisurl.c - unit tests for Redis server URLs (redisurl.c)
 *
 * Every good form with the fields it gives, and every bad form with the
 * exact phrase that completes "redis.url: ...".
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "redisurl.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

#include "test_urlphrases.h"

struct test_redisurl_good {
	const char	*url;
	const char	*host;
	int		 port;
	const char	*socket;
	int		 db;
};

static const struct test_redisurl_good test_redisurl_goods[] = {
	{ "redis://127.0.0.1:6379/0", "127.0.0.1", 6379, NULL, 0 },
	{ "redis://localhost", "localhost", 6379, NULL, 0 },
	{ "redis://localhost/", "localhost", 6379, NULL, 0 },
	{ "redis://redis.example.org:6380", "redis.example.org", 6380,
	    NULL, 0 },
	{ "redis://h:1/15", "h", 1, NULL, 15 },
	{ "redis://h:65535/1", "h", 65535, NULL, 1 },
	{ "redis://h:06380/07", "h", 6380, NULL, 7 },
	{ "redis://[::1]:6380/2", "::1", 6380, NULL, 2 },
	{ "redis://[::1]", "::1", 6379, NULL, 0 },
	{ "redis://[2001:db8::7]/3", "2001:db8::7", 6379, NULL, 3 },
	{ "unix:///run/redis/redis.sock", NULL, 6379, "/run/redis/redis.sock",
	    0 },
	{ "unix:///path?db=3", NULL, 6379, "/path", 3 },
	{ "unix:///tmp/r.sock?db=0", NULL, 6379, "/tmp/r.sock", 0 },
	{ "unix:///tmp/r.sock?db=15", NULL, 6379, "/tmp/r.sock", 15 },
	{ "redis://after-unix", "after-unix", 6379, NULL, 0 },
};

struct test_redisurl_bad {
	const char	*url;
	const char	*why;
};

static const struct test_redisurl_bad test_redisurl_bads[] = {
	{ "", URL_SCHEME },
	{ "127.0.0.1:6379", URL_SCHEME },
	{ "rediss://h:6379", URL_SCHEME },
	{ "http://h", URL_SCHEME },
	{ "redis:/h", URL_SCHEME },
	{ "unix:/run/redis.sock", URL_SCHEME },
	{ "redis://user:pw@h:6379/0", URL_USER },
	{ "redis://:pw@h", URL_USER },
	{ "redis://user@h", URL_USER },
	{ "unix://run/redis.sock", URL_UNIX },
	{ "unix://", URL_UNIX },
	{ "unix:///r.sock?db=16", URL_QUERY },
	{ "unix:///r.sock?db=", URL_QUERY },
	{ "unix:///r.sock?db=x", URL_QUERY },
	{ "unix:///r.sock?db=-1", URL_QUERY },
	{ "unix:///r.sock?database=1", URL_QUERY },
	{ "unix:///r.sock?db=1&timeout=2", URL_QUERY },
	{ "unix:///r.sock?", URL_QUERY },
	{ "redis://", URL_HOST },
	{ "redis://:6379", URL_HOST },
	{ "redis:///0", URL_HOST },
	{ "redis://h:0", URL_PORT },
	{ "redis://h:70000", URL_PORT },
	{ "redis://h:65536", URL_PORT },
	{ "redis://h:abc", URL_PORT },
	{ "redis://h:", URL_PORT },
	{ "redis://h:-1", URL_PORT },
	{ "redis://h:1234567890", URL_PORT },
	{ "redis://h:6379:1", URL_PORT },
	{ "redis://[::1]:0/1", URL_PORT },
	{ "redis://h/16", URL_DB },
	{ "redis://h:6379/x", URL_DB },
	{ "redis://h/-1", URL_DB },
	{ "redis://h/0/1", URL_DB },
	{ "redis://h/1?x=y", URL_QUERY_TCP },
	{ "redis://[::1", URL_IPV6 },
	{ "redis://[::1/0", URL_IPV6 },
	/* Empty rather than unterminated, but this is the phrase it gets. */
	{ "redis://[]", URL_IPV6 },
	{ "redis://[::1]6379", URL_AFTER },
	{ "redis://[::1]x/0", URL_AFTER },
	{ "redis://h?db=2", URL_QUERY_TCP },
	{ "redis://h_x:6379", URL_HOSTCHARS },
};

/* Check that every good redis.url parses into the expected fields. */
static void
test_redisurl_good(void **state)
{
	const struct test_redisurl_good	*g;
	struct redisurl				 u;
	const char				*why;
	size_t					 i;

	(void)state;
	memset(&u, 0, sizeof u);
	/* One struct throughout: each parse must reset what the last set. */
	for (i = 0; i < NITEMS(test_redisurl_goods); i++) {
		g = &test_redisurl_goods[i];
		why = NULL;
		if (redisurl_parse(g->url, &u, &why) != 0)
			fail_msg("\"%s\" rejected: %s", g->url, why);
		assert_null(why);
		if (g->host == NULL)
			assert_null(u.host);
		else {
			assert_non_null(u.host);
			assert_string_equal(u.host, g->host);
		}
		if (g->socket == NULL)
			assert_null(u.socket);
		else {
			assert_non_null(u.socket);
			assert_string_equal(u.socket, g->socket);
		}
		assert_int_equal(u.port, g->port);
		assert_int_equal(u.db, g->db);
	}
	redisurl_clear(&u);
}

/* Check that every bad redis.url fails with its phrase. */
static void
test_redisurl_bad(void **state)
{
	const struct test_redisurl_bad	*b;
	struct redisurl				 u;
	const char				*why;
	size_t					 i;

	(void)state;
	memset(&u, 0, sizeof u);
	for (i = 0; i < NITEMS(test_redisurl_bads); i++) {
		b = &test_redisurl_bads[i];
		why = NULL;
		if (redisurl_parse(b->url, &u, &why) != -1)
			fail_msg("\"%s\" accepted", b->url);
		assert_non_null(why);
		if (strcmp(why, b->why) != 0)
			fail_msg("\"%s\": \"%s\", expected \"%s\"", b->url, why,
			    b->why);
	}
	redisurl_clear(&u);
}

/* A sentinel's address: the host part of a URL, with a port required. */
static void
test_redisurl_hostport(void **state)
{
	static const struct test_redisurl_bad	 bads[] = {
		{ "h", "needs a port (HOST:PORT or [IPV6]:PORT)" },
		{ "[::1]", "needs a port (HOST:PORT or [IPV6]:PORT)" },
		{ "redis://h:26379", "must be HOST:PORT or [IPV6]:PORT, not "
		    "a URL" },
		{ "user@h:26379", "must be HOST:PORT or [IPV6]:PORT, not "
		    "a URL" },
		{ "h:26379?x", "must be HOST:PORT or [IPV6]:PORT, not "
		    "a URL" },
		{ "h:0", URL_PORT },
		{ "h:", URL_PORT },
		{ "h:1:2", URL_PORT },
		{ ":26379", URL_HOST },
		{ "", URL_HOST },
		{ "[::1:26379", URL_IPV6 },
		{ "[::1]x:1", URL_AFTER },
		{ "h_x:1", URL_HOSTCHARS },
	};
	struct redisurl	 u;
	const char	*why;
	size_t		 i;

	(void)state;
	memset(&u, 0, sizeof u);
	assert_int_equal(redisurl_hostport("10.0.0.5:26379", &u, &why), 0);
	assert_string_equal(u.host, "10.0.0.5");
	assert_int_equal(u.port, 26379);
	assert_null(u.socket);
	assert_int_equal(redisurl_hostport("[2001:db8::7]:1", &u, &why), 0);
	assert_string_equal(u.host, "2001:db8::7");
	assert_int_equal(u.port, 1);
	assert_int_equal(redisurl_hostport("sentinel-1.example.org:65535", &u,
	    &why), 0);
	assert_string_equal(u.host, "sentinel-1.example.org");
	assert_int_equal(u.port, 65535);
	for (i = 0; i < NITEMS(bads); i++) {
		why = NULL;
		if (redisurl_hostport(bads[i].url, &u, &why) != -1)
			fail_msg("\"%s\" accepted", bads[i].url);
		if (strcmp(why, bads[i].why) != 0)
			fail_msg("\"%s\": \"%s\", expected \"%s\"",
			    bads[i].url, why, bads[i].why);
		assert_null(u.host);
	}
	redisurl_clear(&u);
}

/* A failed parse leaves nothing behind; clearing twice is harmless. */
static void
test_redisurl_clear(void **state)
{
	struct redisurl	 u;
	const char	*why = NULL;

	(void)state;
	memset(&u, 0, sizeof u);
	assert_int_equal(redisurl_parse("redis://h:7000/4", &u, &why), 0);
	assert_int_equal(redisurl_parse("redis://h:0", &u, &why), -1);
	assert_null(u.host);
	assert_null(u.socket);
	assert_int_equal(u.port, 6379);
	assert_int_equal(u.db, 0);
	redisurl_clear(&u);
	redisurl_clear(&u);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redisurl_good),
		cmocka_unit_test(test_redisurl_bad),
		cmocka_unit_test(test_redisurl_clear),
		cmocka_unit_test(test_redisurl_hostport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
