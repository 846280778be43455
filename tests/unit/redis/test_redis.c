/*
 * test_redis.c - unit tests for the Redis connection (redis.c, redisconn.c,
 * sentinel.c, redishash.c)
 *
 * Runs against private redis-servers: one on a unix socket, one on a
 * loopback TCP port with a password, and a master with its replica on
 * loopback ports, which redis-sentinels watch: one as it should, one that
 * wants a password, and one that names the replica as the master.
 */
#include "build.h"

#include <sys/socket.h>
#include <sys/stat.h>

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
#include "redisconn.h"
#include "redishash.h"
#include "redisscript.h"
#include "testproc.h"
#include "testserver.h"
#include "xmalloc.h"

static struct testserver plain, secured, master, replica;
static struct testsentinel watcher, guarded, stale;

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
	r = redisconn_open(cf, &cause);
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

/*
 * Replies of every shape are built as they are read: arrays within
 * arrays, with nils, integers, statuses and errors among their elements,
 * an empty array, and a string longer than the reader's buffer; a reply
 * cut off half-read fails, freeing what was built of it.
 */
static void
test_redis_shapes(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply, *e;
	char			*cause = NULL, *big;
	int			 sv[2];
	static const char	 half[] = "*3\r\n$1\r\na\r\n*2\r\n:7\r\n";

	(void)state;
	cf = testserver_config(&plain, NULL, NULL);
	r = redisconn_open(cf, &cause);
	assert_non_null(r);
	reply = redis_command(r, &cause, "EVAL %s 0", "return { 'a', "
	    "{ 1, false, { redis.status_reply('fine') } }, "
	    "redis.pcall('INCR', 'nope', 'x'), {}, string.rep('b', 100000) }");
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	assert_int_equal(reply->elements, 5);
	assert_string_equal(reply->element[0]->str, "a");
	e = reply->element[1];
	assert_int_equal(e->type, REDIS_TYPE_ARRAY);
	assert_int_equal(e->elements, 3);
	assert_int_equal(e->element[0]->type, REDIS_TYPE_INTEGER);
	assert_int_equal(e->element[0]->integer, 1);
	assert_int_equal(e->element[1]->type, REDIS_TYPE_NIL);
	assert_null(e->element[1]->str);
	assert_int_equal(e->element[2]->type, REDIS_TYPE_ARRAY);
	assert_int_equal(e->element[2]->element[0]->type, REDIS_TYPE_STATUS);
	assert_string_equal(e->element[2]->element[0]->str, "fine");
	assert_int_equal(reply->element[2]->type, REDIS_TYPE_ERROR);
	assert_true(redis_reply_is_error(reply->element[2], "ERR"));
	assert_int_equal(reply->element[3]->type, REDIS_TYPE_ARRAY);
	assert_int_equal(reply->element[3]->elements, 0);
	assert_null(reply->element[3]->element);
	assert_int_equal(reply->element[4]->len, 100000);
	big = xmalloc(100001);
	memset(big, 'b', 100000);
	big[100000] = '\0';
	assert_string_equal(reply->element[4]->str, big);
	free(big);
	redis_reply_free(reply);

	/* Half a reply, then the end of the connection. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], half, sizeof half - 1),
	    (ssize_t)(sizeof half - 1));
	close(sv[1]);
	assert_int_equal(dup2(sv[0], redis_fd(r)), redis_fd(r));
	close(sv[0]);
	assert_null(redis_pipe_reply(r, &cause));
	assert_non_null(cause);
	free(cause);
	redis_free(r);
	config_free(cf);
}

/* A script is loaded on first use and again after SCRIPT FLUSH. */
static void
test_redis_eval(void **state)
{
	static struct redisscript script = { "t", "return ARGV[1] .. KEYS[1]",
	    "" };
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply;
	const char		*argv[] = { "key", "val-" };
	char			*cause = NULL;

	(void)state;
	cf = testserver_config(&plain, NULL, NULL);
	r = redisconn_open(cf, &cause);
	assert_non_null(r);
	reply = redisscript_eval(r, &script, &cause, 1, 2, argv, NULL);
	assert_non_null(reply);
	assert_string_equal(reply->str, "val-key");
	assert_int_equal(strlen(script.sha), 40);
	redis_reply_free(reply);

	reply = redis_command(r, &cause, "SCRIPT FLUSH");
	redis_reply_free(reply);
	reply = redisscript_eval(r, &script, &cause, 1, 2, argv, NULL);
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
	r = redisconn_open(cf, &cause);
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

/*
 * A transaction after redis_unwatch() commits though the key it had
 * watched changed; without it, the change aborts the transaction.
 */
static void
test_redis_unwatch(void **state)
{
	struct config		*cf;
	struct redis		*r, *other;
	struct redis_reply	*reply;
	char			*cause = NULL;
	int			 unwatch;

	(void)state;
	cf = testserver_config(&plain, NULL, NULL);
	assert_non_null(r = redisconn_open(cf, &cause));
	assert_non_null(other = redisconn_open(cf, &cause));
	for (unwatch = 0; unwatch < 2; unwatch++) {
		redis_reply_free(redis_command(r, &cause, "WATCH w"));
		redis_reply_free(redis_command(other, &cause, "INCR w"));
		if (unwatch)
			redis_unwatch(r);
		redis_reply_free(redis_command(r, &cause, "MULTI"));
		redis_reply_free(redis_command(r, &cause, "SET t %d", unwatch));
		assert_non_null(reply = redis_command(r, &cause, "EXEC"));
		assert_int_equal(reply->type, unwatch ? REDIS_TYPE_ARRAY :
		    REDIS_TYPE_NIL);
		redis_reply_free(reply);
	}
	redis_free(other);
	redis_free(r);
	config_free(cf);
}

/*
 * Pipelined commands reach Redis byte for byte: an empty argument, CR LF
 * and NUL inside one, a long one, and many arguments.
 */
static void
test_redis_pipe(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply;
	const char		*argv[3], *many[2 + 2 * 100];
	size_t			 lens[3];
	char			*cause = NULL, *big, names[100][8];
	int			 i;

	(void)state;
	cf = testserver_config(&plain, NULL, NULL);
	r = redisconn_open(cf, &cause);
	assert_non_null(r);
	big = xmalloc(100001);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	argv[0] = "SET";
	argv[1] = "bin";
	argv[2] = "a\r\nb\0c";
	lens[0] = 3;
	lens[1] = 3;
	lens[2] = 7;
	redis_pipe_argv(r, 3, argv, lens);
	argv[1] = "empty";
	argv[2] = "";
	redis_pipe_argv(r, 3, argv, NULL);
	argv[1] = "big";
	argv[2] = big;
	redis_pipe_argv(r, 3, argv, NULL);
	many[0] = "HSET";
	many[1] = "h";
	for (i = 0; i < 100; i++) {
		snprintf(names[i], sizeof names[i], "f%d", i);
		many[2 + 2 * i] = names[i];
		many[3 + 2 * i] = names[i];
	}
	redis_pipe_argv(r, 202, many, NULL);
	argv[0] = "GET";
	argv[1] = "bin";
	redis_pipe_argv(r, 2, argv, NULL);
	argv[0] = "STRLEN";
	argv[1] = "big";
	redis_pipe_argv(r, 2, argv, NULL);
	for (i = 0; i < 3; i++) {
		reply = redis_pipe_reply(r, &cause);
		assert_non_null(reply);
		assert_string_equal(reply->str, "OK");
		redis_reply_free(reply);
	}
	reply = redis_pipe_reply(r, &cause);
	assert_non_null(reply);
	assert_int_equal(reply->integer, 100);
	redis_reply_free(reply);
	reply = redis_pipe_reply(r, &cause);
	assert_non_null(reply);
	assert_int_equal(reply->len, 7);
	assert_memory_equal(reply->str, "a\r\nb\0c", 7);
	redis_reply_free(reply);
	reply = redis_pipe_reply(r, &cause);
	assert_non_null(reply);
	assert_int_equal(reply->integer, 100000);
	redis_reply_free(reply);
	free(big);
	redis_free(r);
	config_free(cf);
}

/* What test_redis_hash_pair() saw. */
struct test_redis_hash {
	char	seen[8][700];
	size_t	n;
	size_t	stop_after;	/* 0: never */
};

/* Keep one pair as "field=value (length)", the field cut at a "|". */
static int
test_redis_hash_pair(char *field, size_t flen, const char *value, void *arg)
{
	struct test_redis_hash	*h = arg;
	char			*bar;

	assert_true(h->n < 8);
	assert_int_equal(strlen(field), flen);
	if ((bar = strchr(field, '|')) != NULL)
		*bar = '\0';
	snprintf(h->seen[h->n++], sizeof h->seen[0], "%.20s=%s (%zu)",
	    field, value, flen);
	return h->stop_after != 0 && h->n >= h->stop_after;
}

/* Compare two lines for qsort(). */
static int
test_redis_hash_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * A hash read as its reply is parsed: short and long fields, an empty
 * hash, a stop asked for, an error reply; the connection's replies after
 * it are built as before.
 */
static void
test_redis_hash(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply;
	struct test_redis_hash	 h;
	const char		*argv[4];
	char			*cause = NULL, *lng;
	int			 i;

	(void)state;
	cf = testserver_config(&plain, NULL, NULL);
	r = redisconn_open(cf, &cause);
	assert_non_null(r);
	lng = xmalloc(601);
	memset(lng, 'L', 600);
	lng[600] = '\0';
	argv[0] = "HSET";
	argv[1] = "hh";
	argv[2] = lng;
	argv[3] = "12";
	redis_pipe_argv(r, 4, argv, NULL);
	argv[2] = "a|b";
	argv[3] = "3";
	redis_pipe_argv(r, 4, argv, NULL);
	argv[0] = "SET";
	argv[1] = "str";
	argv[2] = "x";
	redis_pipe_argv(r, 3, argv, NULL);
	argv[0] = "HGETALL";
	argv[1] = "hh";
	redis_pipe_argv(r, 2, argv, NULL);
	argv[1] = "none";
	redis_pipe_argv(r, 2, argv, NULL);
	argv[1] = "hh";
	redis_pipe_argv(r, 2, argv, NULL);
	argv[1] = "str";
	redis_pipe_argv(r, 2, argv, NULL);
	argv[0] = "GET";
	redis_pipe_argv(r, 2, argv, NULL);
	for (i = 0; i < 3; i++)
		redis_reply_free(redis_pipe_reply(r, &cause));

	memset(&h, 0, sizeof h);
	assert_int_equal(redishash_next(r, test_redis_hash_pair, &h, &cause),
	    0);
	assert_int_equal(h.n, 2);
	qsort(h.seen, h.n, sizeof h.seen[0], test_redis_hash_cmp);
	assert_string_equal(h.seen[0], "LLLLLLLLLLLLLLLLLLLL=12 (600)");
	assert_string_equal(h.seen[1], "a=3 (3)");
	memset(&h, 0, sizeof h);
	assert_int_equal(redishash_next(r, test_redis_hash_pair, &h, &cause),
	    0);
	assert_int_equal(h.n, 0);
	memset(&h, 0, sizeof h);
	h.stop_after = 1;
	assert_int_equal(redishash_next(r, test_redis_hash_pair, &h, &cause),
	    0);
	assert_int_equal(h.n, 1);
	assert_int_equal(redishash_next(r, test_redis_hash_pair, &h, &cause),
	    1);
	assert_non_null(strstr(cause, "WRONGTYPE"));
	free(cause);
	cause = NULL;
	reply = redis_pipe_reply(r, &cause);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_STRING);
	assert_string_equal(reply->str, "x");
	redis_reply_free(reply);
	free(lng);
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
	r = redisconn_open(cf, &cause);
	assert_non_null(r);
	reply = redis_command(r, &cause, "CLIENT INFO");
	assert_non_null(strstr(reply->str, " db=3 "));
	redis_reply_free(reply);
	redis_free(r);

	free(cf->redis_password);
	cf->redis_password = xstrdup("wrong");
	r = redisconn_open(cf, &cause);
	assert_null(r);
	assert_non_null(strstr(cause, "authentication failed"));
	assert_null(strstr(cause, "wrong"));
	free(cause);
	cause = NULL;

	free(cf->redis_password);
	cf->redis_password = NULL;
	r = redisconn_open(cf, &cause);
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
	assert_null(redisconn_open(cf, &cause));
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
	r = redisconn_open(cf, &cause);
	assert_non_null(r);
	testserver_stop(&gone);
	reply = redis_command(r, &cause, "PING");
	assert_null(reply);
	assert_non_null(cause);
	free(cause);
	redis_free(r);
	config_free(cf);
}

/*
 * Load a configuration that finds the master named name through the
 * sentinels listed (the inside of a libconfig list) with extra redis
 * settings, and a redis.url whose host and port lead nowhere.
 */
static struct config *
test_redis_sentinel_config(const char *list, const char *name,
    const char *extra)
{
	struct config	*cf;
	char		*text;

	text = xasprintf("sentinels = ( %s ); master_name = \"%s\"; %s", list,
	    name, extra != NULL ? extra : "");
	cf = testserver_config(&plain, text, NULL);
	assert_int_equal(redisurl_parse("redis://127.0.0.1:1/2",
	    &cf->redis_addr, &(const char *){0}), 0);
	free(text);
	return cf;
}

/*
 * The master is found through the first sentinel that answers, in the
 * database of redis.url; the connection says which master and sentinel.
 */
static void
test_redis_sentinel(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply;
	char			*list, *want, *cause = NULL;
	int			 dead;

	(void)state;
	dead = testproc_free_port();
	list = xasprintf("\"127.0.0.1:%d\", \"127.0.0.1:%d\"", dead,
	    watcher.port);
	cf = test_redis_sentinel_config(list, "mymaster", NULL);
	r = redisconn_open(cf, &cause);
	if (r == NULL)
		fail_msg("%s", cause);
	want = xasprintf("master mymaster at 127.0.0.1:%d (via sentinel "
	    "127.0.0.1:%d)", master.port, watcher.port);
	assert_string_equal(redis_where(r), want);
	reply = redis_command(r, &cause, "SET %s %s", "via", "sentinel");
	assert_int_equal(reply->type, REDIS_TYPE_STATUS);
	redis_reply_free(reply);
	reply = redis_command(r, &cause, "CLIENT INFO");
	assert_non_null(strstr(reply->str, " db=2 "));
	redis_reply_free(reply);
	redis_free(r);
	free(want);
	free(list);
	config_free(cf);
}

/* With every sentinel down, the cause names each one and why. */
static void
test_redis_sentinel_down(void **state)
{
	struct config	*cf;
	char		*list, *want, *cause = NULL;
	int		 p1, p2;

	(void)state;
	p1 = testproc_free_port();
	p2 = testproc_free_port();
	list = xasprintf("\"127.0.0.1:%d\", \"[::1]:%d\"", p1, p2);
	cf = test_redis_sentinel_config(list, "mymaster", NULL);
	assert_null(redisconn_open(cf, &cause));
	want = xasprintf("redis master mymaster: no sentinel named a usable "
	    "master: sentinel 127.0.0.1:%d: Connection refused; sentinel "
	    "[::1]:%d: ", p1, p2);
	if (strncmp(cause, want, strlen(want)) != 0)
		fail_msg("cause: %s", cause);
	free(cause);
	free(want);
	free(list);
	config_free(cf);
}

/*
 * A sentinel that names a replica (an old master, demoted) is passed
 * over: alone, nothing is connected; with a good sentinel after it, the
 * master is found there.
 */
static void
test_redis_sentinel_replica(void **state)
{
	struct config	*cf;
	struct redis	*r;
	char		*list, *want, *cause = NULL;

	(void)state;
	list = xasprintf("\"127.0.0.1:%d\"", stale.port);
	cf = test_redis_sentinel_config(list, "mymaster", NULL);
	assert_null(redisconn_open(cf, &cause));
	want = xasprintf("redis master mymaster: no sentinel named a usable "
	    "master: sentinel 127.0.0.1:%d: master 127.0.0.1:%d: is a "
	    "replica (ROLE slave), not the master", stale.port, replica.port);
	assert_string_equal(cause, want);
	free(cause);
	free(want);
	free(list);
	config_free(cf);

	list = xasprintf("\"127.0.0.1:%d\", \"127.0.0.1:%d\"", stale.port,
	    watcher.port);
	cf = test_redis_sentinel_config(list, "mymaster", NULL);
	r = redisconn_open(cf, &cause);
	assert_non_null(r);
	want = xasprintf("master mymaster at 127.0.0.1:%d (via sentinel "
	    "127.0.0.1:%d)", master.port, watcher.port);
	assert_string_equal(redis_where(r), want);
	redis_free(r);
	free(want);
	free(list);
	config_free(cf);
}

/* A master name the sentinels do not know, and a sentinel's password. */
static void
test_redis_sentinel_refusals(void **state)
{
	struct config	*cf;
	struct redis	*r;
	char		*list, *pwfile, *extra, *cause = NULL;
	FILE		*f;

	(void)state;
	list = xasprintf("\"127.0.0.1:%d\"", watcher.port);
	cf = test_redis_sentinel_config(list, "other", NULL);
	assert_null(redisconn_open(cf, &cause));
	assert_non_null(strstr(cause, "does not know a master named "
	    "\"other\""));
	free(cause);
	cause = NULL;
	config_free(cf);
	free(list);

	list = xasprintf("\"127.0.0.1:%d\"", guarded.port);
	cf = test_redis_sentinel_config(list, "mymaster", NULL);
	assert_null(redisconn_open(cf, &cause));
	assert_non_null(strstr(cause, "NOAUTH"));
	free(cause);
	cause = NULL;
	config_free(cf);

	pwfile = xasprintf("%s/sentinel-pw", plain.dir);
	f = fopen(pwfile, "w");
	fputs("wrong\n", f);
	fclose(f);
	chmod(pwfile, 0600);
	extra = xasprintf("sentinel_password_file = \"%s\";", pwfile);
	cf = test_redis_sentinel_config(list, "mymaster", extra);
	assert_null(redisconn_open(cf, &cause));
	assert_non_null(strstr(cause, "authentication failed"));
	assert_null(strstr(cause, "wrong"));
	free(cause);
	cause = NULL;
	config_free(cf);

	f = fopen(pwfile, "w");
	fputs("sentinel-pw\n", f);
	fclose(f);
	cf = test_redis_sentinel_config(list, "mymaster", extra);
	r = redisconn_open(cf, &cause);
	if (r == NULL)
		fail_msg("%s", cause);
	redis_free(r);
	config_free(cf);
	free(extra);
	free(pwfile);
	free(list);
}

/*
 * A write refused with READONLY fails the connection, like a lost one:
 * the command returns NULL, and so does every later one.
 */
static void
test_redis_readonly(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply;
	char			*url, *cause = NULL;

	(void)state;
	cf = testserver_config(&plain, NULL, NULL);
	url = xasprintf("redis://127.0.0.1:%d", replica.port);
	assert_int_equal(redisurl_parse(url, &cf->redis_addr,
	    &(const char *){0}), 0);
	r = redisconn_open(cf, &cause);
	assert_non_null(r);
	reply = redis_command(r, &cause, "GET k");
	assert_non_null(reply);
	redis_reply_free(reply);
	assert_null(redis_command(r, &cause, "SET k v"));
	assert_non_null(strstr(cause, "READONLY"));
	assert_non_null(strstr(cause, url + 8));
	free(cause);
	cause = NULL;
	assert_null(redis_command(r, &cause, "PING"));
	assert_non_null(strstr(cause, "READONLY"));
	free(cause);
	redis_free(r);
	free(url);
	config_free(cf);
}

/*
 * A master turned into a replica during a blocking read: the read fails
 * as a lost connection, not as an error reply.
 */
static void
test_redis_demoted(void **state)
{
	struct testserver	 old;
	struct config		*cf;
	struct redis		*r;
	struct redis_reply	*reply = NULL;
	const char		*argv[] = { "BLPOP", "q", "10" };
	char			*cmd, *cause = NULL;
	int			 rc, tries = 0;

	(void)state;
	testserver_start(&old, 0, NULL);
	cf = testserver_config(&old, NULL, NULL);
	r = redisconn_open(cf, &cause);
	assert_non_null(r);
	assert_int_equal(redis_send_argv(r, &cause, 3, argv, NULL), 0);
	usleep(100000);
	cmd = xasprintf("redis-cli -s \"$SOCK\" REPLICAOF 127.0.0.1 %d "
	    ">/dev/null", master.port);
	assert_int_equal(testserver_sh(&old, cmd), 0);
	while ((rc = redis_receive(r, &reply, &cause)) == 0 && tries++ < 200)
		usleep(10000);
	assert_int_equal(rc, -1);
	assert_null(reply);
	assert_non_null(strstr(cause, "UNBLOCKED"));
	free(cause);
	free(cmd);
	redis_free(r);
	config_free(cf);
	testserver_stop(&old);
}

/* Start the servers, run the tests, stop the servers. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redis_command),
		cmocka_unit_test(test_redis_shapes),
		cmocka_unit_test(test_redis_eval),
		cmocka_unit_test(test_redis_send_receive),
		cmocka_unit_test(test_redis_unwatch),
		cmocka_unit_test(test_redis_pipe),
		cmocka_unit_test(test_redis_hash),
		cmocka_unit_test(test_redis_auth),
		cmocka_unit_test(test_redis_unreachable),
		cmocka_unit_test(test_redis_lost),
		cmocka_unit_test(test_redis_sentinel),
		cmocka_unit_test(test_redis_sentinel_down),
		cmocka_unit_test(test_redis_sentinel_replica),
		cmocka_unit_test(test_redis_sentinel_refusals),
		cmocka_unit_test(test_redis_readonly),
		cmocka_unit_test(test_redis_demoted),
	};
	char	*cmd;
	int	rc;

	signal(SIGPIPE, SIG_IGN);
	testserver_start(&plain, 0, NULL);
	testserver_start(&secured, 1, "s3cret-pw");
	testserver_start(&master, 1, NULL);
	testserver_start(&replica, 1, NULL);
	cmd = xasprintf("redis-cli -s \"$SOCK\" REPLICAOF 127.0.0.1 %d "
	    ">/dev/null", master.port);
	if (testserver_sh(&replica, cmd) != 0) {
		fprintf(stderr, "cannot make the replica\n");
		return 1;
	}
	free(cmd);
	testserver_sentinel(&watcher, "mymaster", master.port, 2, NULL);
	testserver_sentinel(&guarded, "mymaster", master.port, 2,
	    "sentinel-pw");
	testserver_sentinel(&stale, "mymaster", replica.port, 2, NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	testserver_sentinel_stop(&watcher);
	testserver_sentinel_stop(&guarded);
	testserver_sentinel_stop(&stale);
	testserver_stop(&plain);
	testserver_stop(&secured);
	testserver_stop(&master);
	testserver_stop(&replica);
	return rc;
}
