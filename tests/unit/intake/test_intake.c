/*
 * test_intake.c - unit tests for the outcome of each entry (intake.c)
 *
 * Runs against a private redis-server: entries are added as the CRM
 * would, read as the server loop does, and handed to intake_batch().
 */
#include "build.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "commit.h"
#include "config.h"
#include "intake.h"
#include "redis.h"
#include "redisconn.h"
#include "stream.h"
#include "testredis.h"
#include "testserver.h"
#include "xmalloc.h"

static struct testserver ts;

/* Everything one test needs. */
struct test_intake {
	struct config		*cf;
	struct redis		*r;
	struct stream		*s;
	struct stream_batch	 b;
	struct intake_counts	 counts;
};

/* Connect to an empty database, set up the group. */
static void
test_intake_open(struct test_intake *t)
{
	char	*cause = NULL;

	memset(t, 0, sizeof *t);
	t->cf = testserver_config(&ts, "max_deliveries = 2;",
	    "events = { dedupe_seconds = 3600; history_days = 2; };\n"
	    "divisions = { TW = { status_map = ( { code = \"WO-DONE\"; "
	    "status = \"closed\"; reason = \"completed\"; } ); }; };");
	t->r = testredis_open(t->cf);
	t->s = stream_new(t->cf);
	assert_int_equal(stream_setup(t->s, t->r, &cause), 0);
}

/* Free what test_intake_open() made. */
static void
test_intake_close(struct test_intake *t)
{
	stream_batch_clear(&t->b);
	stream_free(t->s);
	redis_free(t->r);
	config_free(t->cf);
}

/* Run a command and return its reply, which the caller frees. */
static struct redis_reply *
test_intake_cmd(struct test_intake *t, const char *cmd)
{
	struct redis_reply	*reply;
	char			*cause = NULL;

	reply = redis_command(t->r, &cause, cmd);
	assert_non_null(reply);
	return reply;
}

/* Return an integer reply, e.g. of XLEN. */
static long long
test_intake_int(struct test_intake *t, const char *cmd)
{
	struct redis_reply	*reply;
	long long		 v;

	reply = test_intake_cmd(t, cmd);
	assert_int_equal(reply->type, REDIS_TYPE_INTEGER);
	v = reply->integer;
	redis_reply_free(reply);
	return v;
}

/* Return a string reply (or "" for nil) in a static buffer. */
static const char *
test_intake_str(struct test_intake *t, const char *cmd)
{
	static char		 buf[512];
	struct redis_reply	*reply;

	reply = test_intake_cmd(t, cmd);
	snprintf(buf, sizeof buf, "%s", reply->str != NULL ? reply->str : "");
	redis_reply_free(reply);
	return buf;
}

/* Return the error of the newest dead letter in a static buffer. */
static const char *
test_intake_dead_error(struct test_intake *t)
{
	static char			 buf[512];
	struct redis_reply		*reply;
	const struct redis_reply	*fv;
	size_t				 i;

	buf[0] = '\0';
	reply = test_intake_cmd(t, "XREVRANGE closeloop:dead + - COUNT 1");
	assert_int_equal(reply->elements, 1);
	fv = reply->element[0]->element[1];
	for (i = 0; i + 1 < fv->elements; i += 2) {
		if (strcmp(fv->element[i]->str, "error") == 0)
			snprintf(buf, sizeof buf, "%s", fv->element[i + 1]->str);
	}
	redis_reply_free(reply);
	return buf;
}

/* Add a valid "received" event for SR 1. */
static void
test_intake_add_received(struct test_intake *t)
{
	redis_reply_free(test_intake_cmd(t, "XADD closeloop:events * v 1 "
	    "type status sr 1 ts 2026-03-03T14:05:00Z division TW "
	    "status received"));
}

/* Return how many entries the group has pending. */
static long long
test_intake_pending(struct test_intake *t)
{
	struct redis_reply	*reply;
	long long		 n;

	reply = test_intake_cmd(t, "XPENDING closeloop:events closeloopd");
	n = reply->element[0]->integer;
	redis_reply_free(reply);
	return n;
}

/* Read everything new into the batch. */
static void
test_intake_read(struct test_intake *t)
{
	struct redis_reply	*reply;
	char			*cause = NULL;
	const char		*argv[] = { "XREADGROUP", "GROUP", "closeloopd",
	    "c", "COUNT", "100", "STREAMS", "closeloop:events", ">" };

	reply = redis_command_argv(t->r, &cause, 9, argv, NULL);
	assert_non_null(reply);
	assert_true(stream_parse_read(t->s, reply, &t->b, &cause) >= 0);
	redis_reply_free(reply);
}

/* Valid, invalid and duplicate entries each get their outcome. */
static void
test_intake_outcomes(void **state)
{
	struct test_intake	 t;
	char			*cause = NULL;

	(void)state;
	test_intake_open(&t);
	redis_reply_free(test_intake_cmd(&t, "XADD closeloop:events * v 1 "
	    "type status event_id e1 sr 8812 ts 2026-03-03T14:05:00Z "
	    "division TW status WO-DONE note done"));
	redis_reply_free(test_intake_cmd(&t, "XADD closeloop:events * v 1 "
	    "type status event_id e2 sr 8812 ts 2026-13-03T14:05:00Z "
	    "division TW status received"));
	redis_reply_free(test_intake_cmd(&t, "XADD closeloop:events * v 1 "
	    "type status event_id e1 sr 8812 ts 2026-03-03T14:05:00Z "
	    "division TW status received"));
	redis_reply_free(test_intake_cmd(&t, "XADD closeloop:events * v 1 "
	    "type subscribe sr 8812 ts 2026-03-03T14:05:00Z "
	    "email a@example.org"));
	test_intake_read(&t);
	assert_int_equal(t.b.n, 4);
	assert_int_equal(intake_batch(t.cf, t.s, t.r, &t.b, &t.counts, NULL,
	    NULL, &cause), 0);
	assert_int_equal(t.counts.accepted, 2);
	assert_int_equal(t.counts.duplicate, 1);
	assert_int_equal(t.counts.dead, 1);

	assert_int_equal(test_intake_int(&t, "XLEN closeloop:sr:{8812}:events"),
	    2);
	assert_string_equal(test_intake_str(&t, "HGET closeloop:stats "
	    "accepted"), "2");
	assert_string_equal(test_intake_str(&t, "HGET closeloop:stats "
	    "duplicate"), "1");
	assert_string_equal(test_intake_str(&t, "GET closeloop:seen:e1"),
	    t.b.entries[0].id);
	assert_true(test_intake_int(&t, "TTL closeloop:seen:e1") > 3500);
	assert_true(test_intake_int(&t, "TTL closeloop:sr:{8812}:events") >
	    86400);
	assert_int_equal(test_intake_int(&t, "XLEN closeloop:dead"), 1);
	assert_string_equal(test_intake_dead_error(&t), "ts: month is out of "
	    "range (got \"2026-13-03T14:05:00Z\")");

	/* The stored event is canonical: mapped status, reason, source. */
	{
		struct redis_reply	*r = test_intake_cmd(&t,
		    "XRANGE closeloop:sr:{8812}:events - + COUNT 1");
		const struct redis_reply *fv = r->element[0]->element[1];
		char			 all[1024] = "";
		size_t			 i;

		for (i = 0; i < fv->elements; i++) {
			strcat(all, fv->element[i]->str);
			strcat(all, " ");
		}
		assert_non_null(strstr(all, "status closed "));
		assert_non_null(strstr(all, "status_code WO-DONE "));
		assert_non_null(strstr(all, "reason completed "));
		assert_non_null(strstr(all, "note done "));
		assert_non_null(strstr(all, "source_id "));
		redis_reply_free(r);
	}
	assert_int_equal(test_intake_int(&t, "XLEN closeloop:events"), 4);
	assert_int_equal(test_intake_pending(&t), 0);
	test_intake_close(&t);
}

/* Poison entries and entries deleted from the stream are acknowledged. */
static void
test_intake_poison_and_deleted(void **state)
{
	struct test_intake	 t;
	char			*cause = NULL;

	(void)state;
	test_intake_open(&t);
	test_intake_add_received(&t);
	test_intake_read(&t);
	assert_int_equal(t.b.n, 1);
	t.b.entries[0].deliveries = 3;
	t.b.entries[0].deleted = 0;
	assert_int_equal(intake_batch(t.cf, t.s, t.r, &t.b, &t.counts, NULL,
	    NULL, &cause), 0);
	assert_int_equal(t.counts.dead, 1);
	assert_int_equal(t.counts.accepted, 0);
	assert_string_equal(test_intake_dead_error(&t), "entry: delivered 3 "
	    "times without being handled (redis.max_deliveries is 2)");

	t.b.entries[0].deliveries = 1;
	t.b.entries[0].deleted = 1;
	assert_int_equal(intake_batch(t.cf, t.s, t.r, &t.b, &t.counts, NULL,
	    NULL, &cause), 0);
	assert_int_equal(t.counts.dead, 1);
	assert_int_equal(t.counts.accepted, 0);
	test_intake_close(&t);
}

/* Count calls, asking to stop from the second on. */
static int
test_intake_stop_second(void *arg)
{
	int	*calls = arg;

	return ++*calls >= 2;
}

/* A stop request leaves the rest of the batch pending. */
static void
test_intake_stop(void **state)
{
	struct test_intake	 t;
	char			*cause = NULL;
	int			 calls = 0, i;

	(void)state;
	test_intake_open(&t);
	for (i = 0; i < 3; i++)
		test_intake_add_received(&t);
	test_intake_read(&t);
	assert_int_equal(intake_batch(t.cf, t.s, t.r, &t.b, &t.counts,
	    test_intake_stop_second, &calls, &cause), 0);
	assert_int_equal(t.counts.accepted, 1);
	assert_int_equal(test_intake_pending(&t), 2);
	test_intake_close(&t);
}

/* Return how many times Redis ran a command, from INFO commandstats. */
static long long
test_intake_calls(struct test_intake *t, const char *cmd)
{
	struct redis_reply	*reply;
	char			 want[64];
	const char		*p;
	long long		 n = 0;

	reply = test_intake_cmd(t, "INFO commandstats");
	snprintf(want, sizeof want, "cmdstat_%s:calls=", cmd);
	if ((p = strstr(reply->str, want)) != NULL)
		n = strtoll(p + strlen(want), NULL, 10);
	redis_reply_free(reply);
	return n;
}

/* Return the statuses of an SR's stored events, oldest first. */
static const char *
test_intake_statuses(struct test_intake *t, const char *sr)
{
	static char			 buf[256];
	struct redis_reply		*reply;
	const struct redis_reply	*fv;
	char				 cmd[320];
	size_t				 i, j;

	buf[0] = '\0';
	snprintf(cmd, sizeof cmd, "XRANGE closeloop:sr:{%s}:events - +", sr);
	reply = test_intake_cmd(t, cmd);
	for (i = 0; i < reply->elements; i++) {
		fv = reply->element[i]->element[1];
		for (j = 0; j + 1 < fv->elements; j += 2) {
			if (strcmp(fv->element[j]->str, "status") != 0)
				continue;
			if (buf[0] != '\0')
				strcat(buf, " ");
			strcat(buf, fv->element[j + 1]->str);
		}
	}
	redis_reply_free(reply);
	return buf;
}

/*
 * Each SR's events side by side in the stream: the batch takes one run
 * of every SR's first event and one of the second, and each SR's events
 * are applied in the stream's order.
 */
static void
test_intake_runs(void **state)
{
	struct test_intake	 t;
	char			*cause = NULL, cmd[256];
	const char		*status[] = { "received", "WO-DONE", "received" };
	int			 sr, i;

	(void)state;
	test_intake_open(&t);
	for (sr = 1; sr <= 20; sr++) {
		for (i = 0; i < 3; i++) {
			snprintf(cmd, sizeof cmd, "XADD closeloop:events * "
			    "v 1 type status sr %d ts 2026-03-03T14:0%d:00Z "
			    "division TW status %s", sr, i, status[i]);
			redis_reply_free(test_intake_cmd(&t, cmd));
		}
	}
	test_intake_read(&t);
	assert_int_equal(t.b.n, 60);
	redis_reply_free(test_intake_cmd(&t, "CONFIG RESETSTAT"));
	assert_int_equal(intake_batch(t.cf, t.s, t.r, &t.b, &t.counts, NULL,
	    NULL, &cause), 0);
	assert_int_equal(t.counts.accepted, 60);
	assert_int_equal(test_intake_pending(&t), 0);
	assert_int_equal(test_intake_calls(&t, "exec"), 3);
	for (sr = 1; sr <= 20; sr++) {
		snprintf(cmd, sizeof cmd, "%d", sr);
		assert_string_equal(test_intake_statuses(&t, cmd),
		    "received closed received");
	}
	test_intake_close(&t);
}

/* A lost connection makes the batch fail with a cause. */
static void
test_intake_lost(void **state)
{
	struct test_intake	 t;
	struct testserver	 other;
	struct config		*cf;
	struct redis		*gone;
	char			*cause = NULL;

	(void)state;
	test_intake_open(&t);
	test_intake_add_received(&t);
	test_intake_read(&t);
	testserver_start(&other, 0, NULL);
	cf = testserver_config(&other, NULL, NULL);
	gone = redisconn_open(cf, &cause);
	assert_non_null(gone);
	testserver_stop(&other);
	assert_int_equal(intake_batch(t.cf, t.s, gone, &t.b, &t.counts, NULL,
	    NULL, &cause), -1);
	assert_non_null(cause);
	assert_int_equal(t.counts.accepted, 0);
	free(cause);
	redis_free(gone);
	config_free(cf);
	test_intake_close(&t);
}

/* The history key carries the SR as a hash tag. */
static void
test_intake_key(void **state)
{
	struct config	*cf;
	char		*key;

	(void)state;
	cf = testserver_config(&ts, "prefix = \"x:\";", NULL);
	key = commit_history_key(cf, "2026-000101");
	assert_string_equal(key, "x:sr:{2026-000101}:events");
	free(key);
	config_free(cf);
}

/* Start the server, run the tests, stop the server. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intake_outcomes),
		cmocka_unit_test(test_intake_poison_and_deleted),
		cmocka_unit_test(test_intake_stop),
		cmocka_unit_test(test_intake_runs),
		cmocka_unit_test(test_intake_lost),
		cmocka_unit_test(test_intake_key),
	};

	signal(SIGPIPE, SIG_IGN);
	return testredis_run(&ts, "intake", tests,
	    sizeof tests / sizeof tests[0]);
}
