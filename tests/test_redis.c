/*
 * test_redis.c - unit tests for the Redis connection (redis.c)
 *
 * Runs against private redis-servers: one on a unix socket, one on a
 * loopback TCP port with a password.
 */
#include "build.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "redis.h"
#include "testserver.h"
#include "xmalloc.h"

static struct testserver plain, secured;

/* A command's reply is copied with its type and value. */
static void
test_redis_command(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply;
	char			*cause = NULL;

	(void)state;
	cf = testserver_config(&plain, NULL, NULL);
	r = redis_connect(cf, &cause);
	assert_non_null(r);
	assert_true(strncmp(redis_where(r), "unix:/", 6) == 0);

	reply = redis_command(r, &cause, "SET %s %b", "k", "a\0b", (size_t)3);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_STATUS);
	assert_string_equal(reply->str, "OK");
	redis_reply_free(reply);

	reply = redis_command(r, &cause, "GET k");
	assert_int_equal(reply->type, REDIS_TYPE_STRING);
	assert_int_equal(reply->len, 3);
	assert_memory_equal(reply->str, "a\0b", 3);
	redis_reply_free(reply);

	reply = redis_command(r, &cause, "GET missing");
	assert_int_equal(reply->type, REDIS_TYPE_NIL);
	redis_reply_free(reply);

	reply = redis_command(r, &cause, "RPUSH l x y");
	assert_int_equal(reply->type, REDIS_TYPE_INTEGER);
	assert_int_equal(reply->integer, 2);
	redis_reply_free(reply);

	reply = redis_command(r, &cause, "LRANGE l 0 -1");
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	assert_int_equal(reply->elements, 2);
	assert_string_equal(reply->element[1]->str, "y");
	redis_reply_free(reply);

	reply = redis_command(r, &cause, "INCR l");
	assert_int_equal(reply->type, REDIS_TYPE_ERROR);
	assert_true(redis_reply_is_error(reply, "WRONGTYPE"));
	assert_false(redis_reply_is_error(reply, "NOSCRIPT"));
	redis_reply_free(reply);

	redis_free(r);
	redis_free(NULL);
	redis_reply_free(NULL);
	config_free(cf);
}

/* A script is loaded on first use and again after SCRIPT FLUSH. */
static void
test_redis_eval(void **state)
{
	static struct redis_script script = { "t", "return ARGV[1] .. KEYS[1]",
	    "" };
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply;
	const char		*argv[] = { "key", "val-" };
	char			*cause = NULL;

	(void)state;
	cf = testserver_config(&plain, NULL, NULL);
	r = redis_connect(cf, &cause);
	assert_non_null(r);
	reply = redis_eval(r, &script, &cause, 1, 2, argv, NULL);
	assert_non_null(reply);
	assert_string_equal(reply->str, "val-key");
	assert_int_equal(strlen(script.sha), 40);
	redis_reply_free(reply);

	reply = redis_command(r, &cause, "SCRIPT FLUSH");
	redis_reply_free(reply);
	reply = redis_eval(r, &script, &cause, 1, 2, argv, NULL);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_STRING);
	assert_string_equal(reply->str, "val-key");
	redis_reply_free(reply);
	redis_free(r);
	config_free(cf);
}

/* A command sent without waiting is collected with redis_receive(). */
static void
test_redis_send_receive(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply = NULL;
	const char		*argv[] = { "BLPOP", "q", "1" };
	char			*cause = NULL;
	int			 rc, tries = 0;

	(void)state;
	cf = testserver_config(&plain, NULL, NULL);
	r = redis_connect(cf, &cause);
	assert_non_null(r);
	assert_true(redis_fd(r) >= 0);
	assert_int_equal(redis_send_argv(r, &cause, 3, argv, NULL), 0);
	assert_int_equal(testserver_sh(&plain,
	    "redis-cli -s \"$SOCK\" RPUSH q hello >/dev/null"), 0);
	while ((rc = redis_receive(r, &reply, &cause)) == 0 && tries++ < 100)
		usleep(10000);
	assert_int_equal(rc, 1);
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	assert_string_equal(reply->element[1]->str, "hello");
	redis_reply_free(reply);
	redis_free(r);
	config_free(cf);
}

/* TCP with a password from a file, and a database other than 0. */
static void
test_redis_auth(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply;
	char			*url, *cause = NULL, *pwfile;
	FILE			*f;

	(void)state;
	pwfile = xasprintf("%s/pw", secured.dir);
	f = fopen(pwfile, "w");
	fputs("s3cret-pw\n", f);
	fclose(f);
	cf = testserver_config(&secured, NULL, NULL);
	url = xasprintf("redis://127.0.0.1:%d/3", secured.port);
	assert_int_equal(redisurl_parse(url, &cf->redis_addr,
	    &(const char *){0}), 0);
	cf->redis_password = xstrdup("s3cret-pw");
	r = redis_connect(cf, &cause);
	assert_non_null(r);
	reply = redis_command(r, &cause, "CLIENT INFO");
	assert_non_null(strstr(reply->str, " db=3 "));
	redis_reply_free(reply);
	redis_free(r);

	free(cf->redis_password);
	cf->redis_password = xstrdup("wrong");
	r = redis_connect(cf, &cause);
	assert_null(r);
	assert_non_null(strstr(cause, "authentication failed"));
	assert_null(strstr(cause, "wrong"));
	free(cause);
	cause = NULL;

	free(cf->redis_password);
	cf->redis_password = NULL;
	r = redis_connect(cf, &cause);
	assert_null(r);
	assert_non_null(strstr(cause, "SELECT 3: NOAUTH"));
	free(cause);
	free(url);
	free(pwfile);
	config_free(cf);
}

/* A server that is not there gives a cause naming where. */
static void
test_redis_unreachable(void **state)
{
	struct config	*cf;
	char		*cause = NULL, *url;

	(void)state;
	cf = testserver_config(&plain, NULL, NULL);
	url = xasprintf("unix://%s/nothing.sock", plain.dir);
	assert_int_equal(redisurl_parse(url, &cf->redis_addr,
	    &(const char *){0}), 0);
	assert_null(redis_connect(cf, &cause));
	assert_non_null(strstr(cause, "nothing.sock"));
	free(cause);
	free(url);
	config_free(cf);
}

/* A server that goes away mid-session makes commands return NULL. */
static void
test_redis_lost(void **state)
{
	struct testserver	 gone;
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply;
	char			*cause = NULL;

	(void)state;
	testserver_start(&gone, 0, NULL);
	cf = testserver_config(&gone, NULL, NULL);
	r = redis_connect(cf, &cause);
	assert_non_null(r);
	testserver_stop(&gone);
	reply = redis_command(r, &cause, "PING");
	assert_null(reply);
	assert_non_null(cause);
	free(cause);
	redis_free(r);
	config_free(cf);
}

/* Start the servers, run the tests, stop the servers. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redis_command),
		cmocka_unit_test(test_redis_eval),
		cmocka_unit_test(test_redis_send_receive),
		cmocka_unit_test(test_redis_auth),
		cmocka_unit_test(test_redis_unreachable),
		cmocka_unit_test(test_redis_lost),
	};
	int	rc;

	signal(SIGPIPE, SIG_IGN);
	testserver_start(&plain, 0, NULL);
	testserver_start(&secured, 1, "s3cret-pw");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	testserver_stop(&plain);
	testserver_stop(&secured);
	return rc;
}
