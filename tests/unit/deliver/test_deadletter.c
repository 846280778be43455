/*
 * test_deadletter.c - unit tests for a dead letter dropped for good by an
 * operator (deadletter.c)
 *
 * Runs against a private redis-server: notifications are given up as a
 * worker gives them up (a permanent failure), which writes their dead
 * letters; an event's dead letter is written as the intake writes one.
 * They are found by entry id and by notification id as closeloop dead
 * drop finds them, and dropped; what is checked is the dead-letter
 * stream, the SR's trail and the operators' record (PREFIXweb:audit).
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "deadletter.h"
#include "event.h"
#include "notice.h"
#include "redis.h"
#include "testnotice.h"
#include "testredis.h"
#include "testlog.h"
#include "testserver.h"
#include "testtrail.h"
#include "xmalloc.h"

#define NOW	1795000000000LL		/* 2026-11-18T11:06:40Z, ms */
#define DEAD	"closeloop:dead"

static struct testserver ts;

/* One test's configuration and connection. */
struct test_dead {
	struct config	*cf;
	struct redis	*r;
};

/* What the function given to deadletter_each() saw. */
struct test_seen {
	size_t	 n;
	char	*entry[8];
	char	*id[8];
	int	 fail_on;	/* return non-zero on this call (1-based) */
};

/* Connect, and give up both notifications of the notice for good. */
static void
test_dead_open(struct test_dead *t)
{
	struct outbox_item	**items;
	struct notice		 *n;

	t->cf = testserver_config(&ts, NULL, NULL);
	t->r = testredis_open(t->cf);
	n = testnotice_new();
	testnotice_queue(t->r, t->cf, n, NOW);
	notice_free(n);
	items = testnotice_claim(t->r, t->cf, EVENT_CHANNEL_EMAIL, NOW, 1);
	testnotice_outcome(t->r, t->cf, items[0], SEND_PERMFAIL, NULL, NOW);
	testnotice_items_free(items, 1);
	items = testnotice_claim(t->r, t->cf, EVENT_CHANNEL_SMS, NOW, 1);
	testnotice_outcome(t->r, t->cf, items[0], SEND_PERMFAIL, NULL, NOW);
	testnotice_items_free(items, 1);
	assert_int_equal(testtrail_len(t->r, DEAD), 2);
}

/* Free what test_dead_open() made. */
static void
test_dead_close(struct test_dead *t)
{
	redis_free(t->r);
	config_free(t->cf);
}

/* Add an event's dead letter, as the intake writes it; return its id. */
static char *
test_dead_event(struct test_dead *t)
{
	struct redis_reply	*reply;
	char			*id;

	reply = redis_command(t->r, NULL, "XADD " DEAD " * event_id e9 "
	    "sr 2026-9 status bogus error %s source_id 1795000000000-0",
	    "unknown status");
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_STRING);
	id = xstrdup(reply->str);
	redis_reply_free(reply);
	return id;
}

/* Note a dead letter found. */
static int
test_dead_seen(const struct config *cf, struct redis *r, const char *entry,
    const struct redis_reply *fields, void *arg)
{
	struct test_seen	*s = arg;
	const char		*id = redis_reply_field(fields, "id");

	(void)cf;
	(void)r;
	assert_true(s->n < 8);
	s->entry[s->n] = xstrdup(entry);
	s->id[s->n] = xstrdup(id != NULL ? id : "");
	return ++s->n == (size_t)s->fail_on;
}

/* Find the dead letters name names; return how many, *failed. */
static int
test_dead_find(struct test_dead *t, const char *name, int fail_on,
    struct test_seen *s, int *failed)
{
	char	*cause = NULL;
	int	 n;

	memset(s, 0, sizeof *s);
	s->fail_on = fail_on;
	n = deadletter_each(t->r, t->cf, name, test_dead_seen, s, failed,
	    &cause);
	if (n < 0)
		fail_msg("deadletter_each: %s", cause);
	assert_int_equal((size_t)n, s->n);
	return n;
}

/* Forget what was found. */
static void
test_dead_forget(struct test_seen *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		free(s->entry[i]);
		free(s->id[i]);
	}
	memset(s, 0, sizeof *s);
}

/*
 * Found by entry id or by notification id, each counted; the function's
 * failure is reported; a name that is neither finds nothing.
 */
static void
test_dead_each(void **state)
{
	struct test_dead	 t;
	struct test_seen	 s;
	char			*entry, *event, *cause = NULL;
	int			 failed;

	(void)state;
	test_dead_open(&t);
	event = test_dead_event(&t);
	entry = testtrail_entry(t.r, DEAD, 1);

	assert_int_equal(test_dead_find(&t, entry, 0, &s, &failed), 1);
	assert_int_equal(failed, 0);
	assert_string_equal(s.entry[0], entry);
	assert_string_equal(s.id[0], "2026-7/3/1");
	test_dead_forget(&s);

	assert_int_equal(test_dead_find(&t, "2026-7/3/0", 0, &s, &failed), 1);
	assert_int_equal(failed, 0);
	assert_string_equal(s.id[0], "2026-7/3/0");
	assert_string_not_equal(s.entry[0], entry);
	test_dead_forget(&s);

	assert_int_equal(test_dead_find(&t, event, 0, &s, &failed), 1);
	assert_string_equal(s.entry[0], event);
	test_dead_forget(&s);

	assert_int_equal(test_dead_find(&t, "2026-7/3/2", 0, &s, &failed), 0);
	assert_int_equal(test_dead_find(&t, "2026-7", 0, &s, &failed), 0);
	assert_int_equal(test_dead_find(&t, "e9", 0, &s, &failed), 0);

	/* The same notification dead twice: both; a failure reported. */
	redis_reply_free(redis_command(t.r, NULL, "XADD " DEAD " * kind "
	    "notification id 2026-7/3/0 sr 2026-7 channel email to x "
	    "state dead error again"));
	assert_int_equal(test_dead_find(&t, "2026-7/3/0", 1, &s, &failed), 2);
	assert_int_equal(failed, 1);
	test_dead_forget(&s);
	assert_int_equal(test_dead_find(&t, "2026-7/3/0", 2, &s, &failed), 2);
	assert_int_equal(failed, 1);
	test_dead_forget(&s);
	assert_int_equal(test_dead_find(&t, "2026-7/3/0", 3, &s, &failed), 2);
	assert_int_equal(failed, 0);
	test_dead_forget(&s);

	/* No stream to read: an error with a cause. */
	redis_reply_free(redis_command(t.r, NULL, "DEL " DEAD));
	redis_reply_free(redis_command(t.r, NULL, "SET " DEAD " x"));
	memset(&s, 0, sizeof s);
	assert_int_equal(deadletter_each(t.r, t.cf, entry, test_dead_seen, &s,
	    &failed, &cause), -1);
	assert_non_null(cause);
	assert_int_equal(s.n, 0);
	free(cause);
	free(entry);
	free(event);
	test_dead_close(&t);
}

/* Drop what deadletter_each() finds, as bob. */
static int
test_dead_drop_fn(const struct config *cf, struct redis *r,
    const char *entry, const struct redis_reply *fields, void *arg)
{
	char	**cause = arg;

	return deadletter_drop(r, cf, entry, fields, "bob", "a test", cause);
}

/* Drop the dead letters name names, as bob; return how many. */
static int
test_dead_drop(struct test_dead *t, const char *name)
{
	char	*cause = NULL;
	int	 failed, n;

	n = deadletter_each(t->r, t->cf, name, test_dead_drop_fn, &cause,
	    &failed, &cause);
	if (n < 0 || failed)
		fail_msg("dropping %s: %s", name, cause);
	return n;
}

/*
 * A notification's dead letter dropped: gone from the stream, in the
 * SR's trail as suppressed by the operator, and in the operators'
 * record; the other dead letters stay.
 */
static void
test_dead_drop_notification(void **state)
{
	struct test_dead	 t;
	struct test_seen	 s;
	char			*entry, *v;
	long long		 trail;
	int			 failed;

	(void)state;
	test_dead_open(&t);
	entry = testtrail_entry(t.r, DEAD, 0);
	trail = testtrail_sr_len(t.r, t.cf, "2026-7");
	assert_int_equal(test_dead_drop(&t, "2026-7/3/0"), 1);
	assert_int_equal(testtrail_len(t.r, DEAD), 1);
	assert_int_equal(test_dead_find(&t, entry, 0, &s, &failed), 0);
	assert_int_equal(test_dead_find(&t, "2026-7/3/1", 0, &s, &failed), 1);
	test_dead_forget(&s);

	assert_int_equal(testtrail_sr_len(t.r, t.cf, "2026-7"), trail + 1);
	testtrail_sr_is(t.r, t.cf, "2026-7", "decision", "suppressed");
	testtrail_sr_is(t.r, t.cf, "2026-7", "rule", "dropped_by_operator");
	testtrail_sr_is(t.r, t.cf, "2026-7", "operator", "bob");
	testtrail_sr_is(t.r, t.cf, "2026-7", "notification", "2026-7/3/0");
	testtrail_sr_is(t.r, t.cf, "2026-7", "channel", "email");
	testtrail_sr_is(t.r, t.cf, "2026-7", "notice", "completed");
	testtrail_sr_is(t.r, t.cf, "2026-7", "division", "TS");
	testtrail_sr_has(t.r, t.cf, "2026-7", "by bob (a test)");
	v = testtrail_field(t.r, "closeloop:sr:{2026-7}:audit", "detail");
	assert_null(strstr(v, "ana@"));
	free(v);

	assert_int_equal(testtrail_ops_len(t.r, t.cf), 1);
	testtrail_ops_is(t.r, t.cf, "what", "dead-drop");
	testtrail_ops_is(t.r, t.cf, "user", "bob");
	testtrail_ops_has(t.r, t.cf, entry);
	testtrail_ops_has(t.r, t.cf, "2026-7/3/0");
	free(entry);

	/* By its entry id, the other one. */
	entry = testtrail_entry(t.r, DEAD, 0);
	assert_int_equal(test_dead_drop(&t, entry), 1);
	assert_int_equal(testtrail_len(t.r, DEAD), 0);
	testtrail_sr_is(t.r, t.cf, "2026-7", "notification", "2026-7/3/1");
	testtrail_sr_is(t.r, t.cf, "2026-7", "channel", "sms");
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 2);
	free(entry);
	test_dead_close(&t);
}

/*
 * An event's dead letter dropped: gone, logged, in the operators'
 * record, and no SR's trail written; a notification's that names no SR
 * is refused.
 */
static void
test_dead_drop_event(void **state)
{
	struct test_dead	 t;
	struct testlog		 log;
	struct redis_reply	*reply;
	char			*event, *v, *cause = NULL;

	(void)state;
	test_dead_open(&t);
	event = test_dead_event(&t);
	testlog_start(&log);
	assert_int_equal(test_dead_drop(&t, event), 1);
	v = testlog_stop(&log);
	assert_non_null(strstr(v, event));
	assert_non_null(strstr(v, "dropped by bob (a test)"));
	free(v);
	assert_int_equal(testtrail_len(t.r, DEAD), 2);
	assert_int_equal(testtrail_sr_len(t.r, t.cf, "2026-9"), 0);
	testtrail_ops_is(t.r, t.cf, "what", "dead-drop");
	testtrail_ops_is(t.r, t.cf, "user", "bob");
	testtrail_ops_has(t.r, t.cf, event);
	testtrail_ops_has(t.r, t.cf, "unknown status");
	free(event);

	reply = redis_command(t.r, NULL, "XADD " DEAD " * kind notification "
	    "id 2026-7/3/0 channel email");
	assert_non_null(reply);
	event = xstrdup(reply->str);
	redis_reply_free(reply);
	reply = redis_command(t.r, NULL, "XRANGE " DEAD " %s %s", event,
	    event);
	assert_int_equal(reply->elements, 1);
	assert_int_equal(deadletter_drop(t.r, t.cf, event,
	    reply->element[0]->element[1], "bob", "a test", &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "SR"));
	free(cause);
	redis_reply_free(reply);
	assert_int_equal(testtrail_len(t.r, DEAD), 3);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 1);
	free(event);
	test_dead_close(&t);
}

/* Start the server, run the tests, stop it. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dead_each),
		cmocka_unit_test(test_dead_drop_notification),
		cmocka_unit_test(test_dead_drop_event),
	};

	return testredis_run(&ts, "deadletter", tests,
	    sizeof tests / sizeof tests[0]);
}
