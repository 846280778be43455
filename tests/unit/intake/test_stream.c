/*
 * test_stream.c - unit tests for the consumer-group intake (stream.c)
 *
 * Runs against a private redis-server; entries are added with redis-cli as
 * the CRM would.
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
#include "redisconn.h"
#include "stream.h"
#include "testredis.h"
#include "testserver.h"
#include "xmalloc.h"

static struct testserver ts;

/* Connect with a fresh database and the given consumer name. */
static struct redis *
test_stream_connect(struct config **cf, const char *consumer)
{
	char	*redis_extra;

	redis_extra = xasprintf("consumer = \"%s\"; claim_idle_ms = 100; "
	    "max_deliveries = 3;", consumer);
	*cf = testserver_config(&ts, redis_extra, "events = { batch = 10; };");
	free(redis_extra);
	return testredis_open(*cf);
}

/* Add n entries "sr=N" to the events stream. */
static void
test_stream_add(struct redis *r, int n)
{
	struct redis_reply	*reply;
	char			*cause = NULL;
	int			 i;

	for (i = 0; i < n; i++) {
		reply = redis_command(r, &cause,
		    "XADD closeloop:events * sr %d note %b", i, "x\0y",
		    (size_t)3);
		assert_int_equal(reply->type, REDIS_TYPE_STRING);
		redis_reply_free(reply);
	}
}

/* Read new entries with a blocking read, as the server loop does. */
static int
test_stream_read(struct stream *s, struct redis *r, struct stream_batch *b)
{
	struct redis_reply	*reply = NULL;
	char			*cause = NULL;
	int			 rc;

	assert_int_equal(stream_send_read(s, r, 100, &cause), 0);
	while ((rc = redis_receive(r, &reply, &cause)) == 0)
		usleep(1000);
	assert_int_equal(rc, 1);
	rc = stream_parse_read(s, reply, b, &cause);
	redis_reply_free(reply);
	return rc;
}

/* Setup creates the group once; new entries come with their fields. */
static void
test_stream_setup_and_read(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct stream		*s;
	struct stream_batch	 b = { NULL, 0 };
	char			*cause = NULL;

	(void)state;
	r = test_stream_connect(&cf, "c1");
	s = stream_new(cf);
	assert_string_equal(stream_key(s), "closeloop:events");
	assert_int_equal(stream_setup(s, r, &cause), 0);
	assert_int_equal(stream_setup(s, r, &cause), 0);
	test_stream_add(r, 3);

	/* An empty history first. */
	assert_int_equal(stream_read_history(s, r, &b, &cause), 0);
	assert_true(stream_history_done(s));

	assert_int_equal(test_stream_read(s, r, &b), 1);
	assert_int_equal(b.n, 3);
	assert_int_equal(b.entries[0].n, 2);
	assert_string_equal(b.entries[0].fields[0], "sr");
	assert_string_equal(b.entries[2].fields[1], "2");
	assert_int_equal(b.entries[0].lens[3], 3);
	assert_memory_equal(b.entries[0].fields[3], "x\0y", 3);
	assert_int_equal(b.entries[0].deliveries, 1);
	assert_int_equal(testredis_int(r, "XLEN closeloop:events"), 3);
	stream_batch_clear(&b);

	/* Nothing new: the read times out empty. */
	assert_int_equal(test_stream_read(s, r, &b), 0);
	assert_int_equal(b.n, 0);

	stream_free(s);
	stream_free(NULL);
	redis_free(r);
	config_free(cf);
}

/* Unacknowledged entries come back from history, delivery count rising. */
static void
test_stream_history(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct stream		*s;
	struct stream_batch	 b = { NULL, 0 };
	char			*cause = NULL;
	size_t			 total = 0;
	int			 pages = 0;

	(void)state;
	r = test_stream_connect(&cf, "c1");
	s = stream_new(cf);
	assert_int_equal(stream_setup(s, r, &cause), 0);
	test_stream_add(r, 25);
	assert_int_equal(stream_read_history(s, r, &b, &cause), 0);
	while (test_stream_read(s, r, &b) == 1) {
		if (total == 0)
			assert_int_equal(stream_ack(s, r, b.entries[0].id,
			    &cause), 0);
		total += b.n;
	}
	assert_int_equal(total, 25);

	/* As after a restart: 24 pending entries, in pages of 10. */
	assert_int_equal(stream_setup(s, r, &cause), 0);
	assert_false(stream_history_done(s));
	total = 0;
	while (stream_read_history(s, r, &b, &cause) == 1) {
		if (pages++ == 0)
			assert_string_equal(b.entries[0].fields[1], "1");
		assert_int_equal(b.entries[0].deliveries, 2);
		assert_int_equal(b.entries[b.n - 1].deliveries, 2);
		total += b.n;
	}
	assert_int_equal(pages, 3);
	assert_int_equal(total, 24);
	assert_true(stream_history_done(s));
	stream_batch_clear(&b);
	stream_free(s);
	redis_free(r);
	config_free(cf);
}

/* A second consumer claims what a dead one left pending. */
static void
test_stream_claim(void **state)
{
	struct config		*cf1, *cf2;
	struct redis		*r1, *r2;
	struct stream		*s1, *s2;
	struct stream_batch	 b = { NULL, 0 };
	struct redis_reply	*reply;
	char			*cause = NULL;

	(void)state;
	r1 = test_stream_connect(&cf1, "dead-one");
	s1 = stream_new(cf1);
	assert_int_equal(stream_setup(s1, r1, &cause), 0);
	test_stream_add(r1, 5);
	assert_int_equal(test_stream_read(s1, r1, &b), 1);
	assert_int_equal(b.n, 5);
	stream_batch_clear(&b);
	redis_free(r1);		/* dies without acknowledging */

	cf2 = testserver_config(&ts, "consumer = \"alive\"; claim_idle_ms = "
	    "100;", "events = { batch = 10; };");
	r2 = redisconn_open(cf2, &cause);
	s2 = stream_new(cf2);
	assert_int_equal(stream_setup(s2, r2, &cause), 0);
	/* Not idle long enough yet. */
	assert_int_equal(stream_claim(s2, r2, &b, &cause), 0);
	assert_true(stream_claim_done(s2));
	usleep(200000);
	assert_int_equal(stream_claim(s2, r2, &b, &cause), 1);
	assert_int_equal(b.n, 5);
	assert_int_equal(b.entries[0].deliveries, 2);
	stream_batch_clear(&b);
	reply = redis_command(r2, &cause, "XPENDING closeloop:events "
	    "closeloopd - + 10 alive");
	assert_int_equal(reply->elements, 5);
	redis_reply_free(reply);
	reply = redis_command(r2, &cause, "XPENDING closeloop:events "
	    "closeloopd - + 10 dead-one");
	assert_int_equal(reply->elements, 0);
	redis_reply_free(reply);
	stream_free(s1);
	stream_free(s2);
	redis_free(r2);
	config_free(cf1);
	config_free(cf2);
}

/* The claim scan goes page by page past entries that are not idle. */
static void
test_stream_claim_pages(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct stream		*s;
	struct stream_batch	 b = { NULL, 0 };
	struct redis_reply	*reply;
	char			*cause = NULL, *cmd;
	size_t			 i;

	(void)state;
	r = test_stream_connect(&cf, "alive");
	s = stream_new(cf);
	assert_int_equal(stream_setup(s, r, &cause), 0);
	test_stream_add(r, 125);
	reply = redis_command(r, &cause, "XREADGROUP GROUP closeloopd ghost "
	    "COUNT 125 STREAMS closeloop:events >");
	assert_int_equal(reply->element[0]->element[1]->elements, 125);
	usleep(200000);
	/* The first 120 move to a live consumer and are no longer idle. */
	for (i = 0; i < 120; i++) {
		cmd = xasprintf("XCLAIM closeloop:events closeloopd busy 0 %s "
		    "IDLE 0", reply->element[0]->element[1]->element[i]->
		    element[0]->str);
		redis_reply_free(redis_command(r, &cause, cmd));
		free(cmd);
	}
	redis_reply_free(reply);

	/*
	 * XAUTOCLAIM looks at up to ten times COUNT (here 10) pending entries
	 * a call: nothing idle in the first 100, the 5 idle ones after.
	 */
	assert_int_equal(stream_claim(s, r, &b, &cause), 0);
	assert_int_equal(b.n, 0);
	assert_false(stream_claim_done(s));
	assert_int_equal(stream_claim(s, r, &b, &cause), 1);
	assert_int_equal(b.n, 5);
	assert_string_equal(b.entries[0].fields[1], "120");
	assert_true(stream_claim_done(s));
	stream_batch_clear(&b);
	stream_free(s);
	redis_free(r);
	config_free(cf);
}

/* A dead-lettered entry keeps its fields, gains error and source_id. */
static void
test_stream_dead(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct stream		*s;
	struct stream_batch	 b = { NULL, 0 };
	struct redis_reply	*reply;
	const struct redis_reply *fv;
	char			*cause = NULL;

	(void)state;
	r = test_stream_connect(&cf, "c1");
	s = stream_new(cf);
	assert_int_equal(stream_setup(s, r, &cause), 0);
	test_stream_add(r, 1);
	assert_int_equal(test_stream_read(s, r, &b), 1);
	assert_int_equal(stream_dead(s, r, &b.entries[0], "sr: bad", &cause),
	    0);

	reply = redis_command(r, &cause, "XRANGE closeloop:dead - +");
	assert_int_equal(reply->elements, 1);
	fv = reply->element[0]->element[1];
	assert_int_equal(fv->elements, 8);
	assert_string_equal(fv->element[0]->str, "sr");
	assert_memory_equal(fv->element[3]->str, "x\0y", 3);
	assert_string_equal(fv->element[4]->str, "error");
	assert_string_equal(fv->element[5]->str, "sr: bad");
	assert_string_equal(fv->element[6]->str, "source_id");
	assert_string_equal(fv->element[7]->str, b.entries[0].id);
	redis_reply_free(reply);

	reply = redis_command(r, &cause, "XPENDING closeloop:events closeloopd");
	assert_int_equal(reply->element[0]->integer, 0);
	redis_reply_free(reply);
	stream_batch_clear(&b);
	stream_free(s);
	redis_free(r);
	config_free(cf);
}

/* After the server lost the group, a read fails with NOGROUP. */
static void
test_stream_nogroup(void **state)
{
	struct config		*cf;
	struct redis		*r;
	struct stream		*s;
	struct stream_batch	 b = { NULL, 0 };
	struct redis_reply	*reply = NULL;
	char			*cause = NULL;
	int			 rc;

	(void)state;
	r = test_stream_connect(&cf, "c1");
	s = stream_new(cf);
	assert_int_equal(stream_setup(s, r, &cause), 0);
	testredis_flush(r);
	assert_int_equal(stream_send_read(s, r, 10, &cause), 0);
	while ((rc = redis_receive(r, &reply, &cause)) == 0)
		usleep(1000);
	assert_int_equal(stream_parse_read(s, reply, &b, &cause), -1);
	assert_non_null(strstr(cause, "NOGROUP"));
	free(cause);
	redis_reply_free(reply);
	assert_int_equal(stream_setup(s, r, &cause), 0);
	stream_free(s);
	redis_free(r);
	config_free(cf);
}

/* Start the server, run the tests, stop the server. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_setup_and_read),
		cmocka_unit_test(test_stream_history),
		cmocka_unit_test(test_stream_claim),
		cmocka_unit_test(test_stream_claim_pages),
		cmocka_unit_test(test_stream_dead),
		cmocka_unit_test(test_stream_nogroup),
	};

	signal(SIGPIPE, SIG_IGN);
	return testredis_run(&ts, "stream", tests,
	    sizeof tests / sizeof tests[0]);
}
