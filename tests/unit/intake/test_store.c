/*
 * test_store.c - unit tests for SR state in Redis (store.c)
 *
 * Runs against a private redis-server. Events are applied with
 * store_event() at chosen times, pending notices released with
 * store_release(), and the keys are read back as an operator would.
 */
#include "build.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "event.h"
#include "eventparse.h"
#include "log.h"
#include "redis.h"
#include "redisconn.h"
#include "srstate.h"
#include "store.h"
#include "testredis.h"
#include "testserver.h"
#include "xmalloc.h"

/* 2026-03-03T10:00:00Z, in ms. */
#define T0	1772532000000LL

static struct testserver ts;

/* Everything one test needs. */
struct test_store {
	struct config	*cf;
	struct redis	*r;
	int		 n;
};

/* Connect to an empty database with settle 10 s and coalesce 0. */
static void
test_store_open(struct test_store *t)
{
	memset(t, 0, sizeof *t);
	t->cf = testserver_config(&ts, NULL, "policy = { settle_seconds = 10; "
	    "coalesce_seconds = 0; retain_days = 3; };\n"
	    "events = { history_days = 20; };");
	t->r = testredis_open(t->cf);
}

/* Free what test_store_open() made. */
static void
test_store_close(struct test_store *t)
{
	redis_free(t->r);
	config_free(t->cf);
}

/*
 * Parse an event of "field=value" strings, ap NULL-terminated, read at
 * now (ts is T0 unless given); the caller frees it.
 */
static struct event *
test_store_vevent(struct test_store *t, int64_t now, va_list ap)
{
	char		*fields[64], *cause = NULL, id[32], eid[32];
	size_t		 lens[64], n = 0, i;
	const char	*arg;
	struct event	*ev;
	int		 has_ts = 0, has_id = 0;

	while ((arg = va_arg(ap, const char *)) != NULL) {
		fields[n] = xstrndup(arg, strcspn(arg, "="));
		fields[n + 1] = xstrdup(strchr(arg, '=') + 1);
		has_ts |= strcmp(fields[n], "ts") == 0;
		has_id |= strcmp(fields[n], "event_id") == 0;
		n += 2;
	}
	snprintf(eid, sizeof eid, "p%d-e%d", (int)getpid(), ++t->n);
	fields[n++] = xstrdup("v");
	fields[n++] = xstrdup("1");
	if (!has_ts) {
		fields[n++] = xstrdup("ts");
		fields[n++] = xstrdup("2026-03-03T10:00:00Z");
	}
	if (!has_id) {
		fields[n++] = xstrdup("event_id");
		fields[n++] = xstrdup(eid);
	}
	for (i = 0; i < n; i++)
		lens[i] = strlen(fields[i]);
	snprintf(id, sizeof id, "%lld-%d", (long long)now, t->n);
	ev = eventparse_parse(t->cf, id, fields, lens, n / 2, &cause);
	if (ev == NULL)
		fail_msg("eventparse_parse: %s", cause);
	for (i = 0; i < n; i++)
		free(fields[i]);
	return ev;
}

/* Parse an event as test_store_vevent() does; the caller frees it. */
static struct event *
test_store_event(struct test_store *t, int64_t now, ...)
{
	struct event	*ev;
	va_list		 ap;

	va_start(ap, now);
	ev = test_store_vevent(t, now, ap);
	va_end(ap);
	return ev;
}

/*
 * Apply an event of NULL-terminated "field=value" strings at now (ts is
 * T0 unless given); returns what store_event() returned.
 */
static int
test_store_apply(struct test_store *t, int64_t now, ...)
{
	struct event	*ev;
	char		*cause = NULL;
	va_list		 ap;
	int		 rc;

	va_start(ap, now);
	ev = test_store_vevent(t, now, ap);
	va_end(ap);
	rc = store_event(t->cf, t->r, "closeloop:events", ev, now, &cause);
	if (rc < 0)
		fail_msg("store_event: %s", cause);
	event_free(ev);
	return rc;
}

/* Run a command expected to answer an integer, and return it. */
static long long
test_store_int(struct test_store *t, const char *fmt, const char *arg)
{
	struct redis_reply	*reply;
	char			*cause = NULL;
	long long		 v;

	reply = redis_command(t->r, &cause, fmt, arg);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_INTEGER);
	v = reply->integer;
	redis_reply_free(reply);
	return v;
}

/* Return the value of field in the newest entry of a stream (static). */
static const char *
test_store_last(struct test_store *t, const char *key, const char *field)
{
	static char			 buf[512];
	struct redis_reply		*reply;
	const struct redis_reply	*fv;
	char				*cause = NULL;
	size_t				 i;

	buf[0] = '\0';
	reply = redis_command(t->r, &cause, "XREVRANGE %s + - COUNT 1", key);
	assert_non_null(reply);
	assert_int_equal(reply->elements, 1);
	fv = reply->element[0]->element[1];
	for (i = 0; i + 1 < fv->elements; i += 2) {
		if (strcmp(fv->element[i]->str, field) == 0)
			snprintf(buf, sizeof buf, "%s", fv->element[i + 1]->str);
	}
	redis_reply_free(reply);
	return buf;
}

/* Return a field of a hash (static), "" if absent. */
static const char *
test_store_hget(struct test_store *t, const char *key, const char *field)
{
	static char	 buf[512];
	char		*v;

	v = testredis_hget(t->r, key, field);
	snprintf(buf, sizeof buf, "%s", v != NULL ? v : "");
	free(v);
	return buf;
}

/* A received SR with a subscriber queues a notice, with its records. */
static void
test_store_event_written(void **state)
{
	struct test_store	t;

	(void)state;
	test_store_open(&t);
	assert_int_equal(test_store_apply(&t, T0, "type=subscribe", "sr=1",
	    "email=alice@example.org", NULL), 1);
	assert_int_equal(test_store_apply(&t, T0, "type=status", "sr=1",
	    "division=TW", "status=received", NULL), 1);
	assert_int_equal(test_store_int(&t, "ZCARD %s",
	    "closeloop:outbox:email"), 1);
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{1}:n:1/0",
	    "to"), "alice@example.org");
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{1}:n:1/0",
	    "notice"), "received");
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{1}:n:1/0",
	    "state"), "queued");
	assert_string_equal(test_store_last(&t, "closeloop:sr:{1}:audit",
	    "decision"), "queued");
	assert_int_equal(test_store_int(&t, "XLEN %s",
	    "closeloop:sr:{1}:events"), 2);
	assert_int_equal(test_store_int(&t, "ZCARD %s", "closeloop:due"), 0);
	assert_true(test_store_int(&t, "TTL %s", "closeloop:sr:{1}:state") >
	    19 * 86400);
	/* The history goes with the state: the same expiry. */
	assert_in_range(test_store_int(&t, "TTL %s", "closeloop:sr:{1}:events"),
	    test_store_int(&t, "TTL %s", "closeloop:sr:{1}:state") - 1,
	    test_store_int(&t, "TTL %s", "closeloop:sr:{1}:state"));
	test_store_close(&t);
}

/* The same event_id twice: one outcome, and the second is counted. */
static void
test_store_duplicate(void **state)
{
	struct test_store	t;
	long long		n;

	(void)state;
	test_store_open(&t);
	assert_int_equal(test_store_apply(&t, T0, "type=status", "sr=2",
	    "division=TW", "status=received", "event_id=crm-1", NULL), 1);
	n = test_store_int(&t, "XLEN %s", "closeloop:sr:{2}:audit");
	assert_int_equal(test_store_apply(&t, T0, "type=status", "sr=2",
	    "division=TW", "status=received", "event_id=crm-1", NULL), 0);
	assert_int_equal(test_store_int(&t, "XLEN %s",
	    "closeloop:sr:{2}:audit"), n);
	assert_int_equal(test_store_int(&t, "HINCRBY %s duplicate 0",
	    "closeloop:stats"), 1);
	test_store_close(&t);
}

/* A held closure is released once due, and the SR then kept retain_days. */
static void
test_store_hold_release(void **state)
{
	struct test_store	 t;
	char			*cause = NULL;
	size_t			 refused;
	int64_t			 due;

	(void)state;
	test_store_open(&t);
	test_store_apply(&t, T0, "type=subscribe", "sr=3",
	    "phone=+14165550100", NULL);
	test_store_apply(&t, T0, "type=status", "sr=3", "division=TS",
	    "status=closed", "reason=completed", "note=Filled.", NULL);
	assert_int_equal(store_next_due(t.cf, t.r, &due, &cause), 0);
	assert_int_equal(due, T0 + 10000);
	assert_int_equal(store_release(t.cf, t.r, T0 + 9999, 100, &refused,
	    &cause), 0);
	assert_int_equal(refused, 0);
	assert_int_equal(test_store_int(&t, "ZCARD %s",
	    "closeloop:outbox:sms"), 0);
	assert_int_equal(store_release(t.cf, t.r, T0 + 10000, 100, &refused,
	    &cause), 1);
	assert_int_equal(refused, 0);
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{3}:n:1/0",
	    "notice"), "completed");
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{3}:n:1/0",
	    "note"), "Filled.");
	assert_int_equal(test_store_int(&t, "ZCARD %s",
	    "closeloop:outbox:sms"), 1);
	assert_int_equal(store_next_due(t.cf, t.r, &due, &cause), 0);
	assert_int_equal(due, 0);
	assert_true(test_store_int(&t, "TTL %s", "closeloop:sr:{3}:state") <=
	    3 * 86400);
	/* The audit trail stays audit.retain_days (90) after its last entry. */
	assert_true(test_store_int(&t, "TTL %s", "closeloop:sr:{3}:audit") >
	    89 * 86400);
	assert_true(test_store_int(&t, "TTL %s", "closeloop:sr:{3}:events") <=
	    3 * 86400);
	test_store_close(&t);
}

/* A duplicate's subscribers follow the original SR. */
static void
test_store_follow(void **state)
{
	struct test_store	 t;
	struct redis_reply	*reply;
	char			*cause = NULL;
	size_t			 refused;

	(void)state;
	test_store_open(&t);
	test_store_apply(&t, T0, "type=subscribe", "sr=5",
	    "email=bob@example.org", "locale=fr", NULL);
	test_store_apply(&t, T0, "type=status", "sr=5", "division=TW",
	    "status=closed", "reason=duplicate", "duplicate_of=4", NULL);
	assert_int_equal(store_release(t.cf, t.r, T0 + 10000, 100, &refused,
	    &cause), 1);
	assert_int_equal(refused, 0);
	reply = redis_command(t.r, &cause, "HGET closeloop:sr:{4}:state "
	    "c:email:bob@example.org");
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_STRING);
	assert_non_null(strstr(reply->str, " fr 5"));
	redis_reply_free(reply);
	assert_string_equal(test_store_last(&t, "closeloop:sr:{4}:audit",
	    "rule"), "follow_duplicate");
	assert_true(test_store_int(&t, "TTL %s", "closeloop:sr:{4}:state") >
	    0);
	test_store_close(&t);
}

/*
 * The original SR keeps its limit of contacts: a duplicate's subscribers
 * past it are not added, and each is recorded, masked, on the original.
 */
static void
test_store_follow_cap(void **state)
{
	struct test_store	 t;
	struct redis_reply	*reply;
	char			*cause = NULL, email[64];
	size_t			 refused, i, ignored = 0, followed = 0;

	(void)state;
	test_store_open(&t);
	for (i = 0; i < SRSTATE_CONTACT_MAX - 1; i++) {
		snprintf(email, sizeof email, "email=o%zu@example.org", i);
		test_store_apply(&t, T0, "type=subscribe", "sr=70", email, NULL);
	}
	for (i = 0; i < 3; i++) {
		snprintf(email, sizeof email, "email=d%zu@example.org", i);
		test_store_apply(&t, T0, "type=subscribe", "sr=71", email, NULL);
	}
	test_store_apply(&t, T0, "type=status", "sr=71", "division=TW",
	    "status=closed", "reason=duplicate", "duplicate_of=70", NULL);
	assert_int_equal(store_release(t.cf, t.r, T0 + 10000, 100, &refused,
	    &cause), 1);
	assert_int_equal(refused, 0);
	assert_int_equal(test_store_int(&t, "HLEN %s", "closeloop:sr:{70}:state"),
	    SRSTATE_CONTACT_MAX);
	reply = redis_command(t.r, &cause, "XRANGE closeloop:sr:{70}:audit - +");
	assert_non_null(reply);
	for (i = 0; i < reply->elements; i++) {
		const char *rule = redis_reply_field(reply->element[i]->element[1],
		    "rule");
		const char *detail = redis_reply_field(
		    reply->element[i]->element[1], "detail");

		if (rule != NULL && strcmp(rule, "follow_duplicate") == 0)
			followed++;
		if (rule != NULL && strcmp(rule, "too_many_contacts") == 0) {
			ignored++;
			assert_non_null(strstr(detail, "d***@example.org"));
			assert_null(strstr(detail, "d1@"));
			assert_null(strstr(detail, "d2@"));
		}
	}
	redis_reply_free(reply);
	assert_int_equal(followed, 1);
	assert_int_equal(ignored, 2);
	test_store_close(&t);
}

/* An index entry for an SR with nothing pending is dropped. */
static void
test_store_stale_index(void **state)
{
	struct test_store	 t;
	char			*cause = NULL;
	size_t			 refused;

	(void)state;
	test_store_open(&t);
	test_store_int(&t, "ZADD closeloop:due 1 %s", "gone");
	assert_int_equal(store_release(t.cf, t.r, T0, 100, &refused, &cause),
	    0);
	assert_int_equal(refused, 0);
	assert_int_equal(test_store_int(&t, "ZCARD %s", "closeloop:due"), 0);
	test_store_close(&t);
}

/*
 * An SR whose division has a service standard is in the index of late
 * SRs until the standard's end; the release then flags it and queues
 * "overdue", and takes it out of the index. An entry of an SR with
 * nothing to check is dropped.
 */
static void
test_store_late(void **state)
{
	struct test_store	 t;
	char			*cause = NULL, at[32];
	size_t			 refused;
	int64_t			 due, end;

	(void)state;
	memset(&t, 0, sizeof t);
	t.cf = testserver_config(&ts, NULL, "policy = { settle_seconds = 10; "
	    "coalesce_seconds = 0; };\n"
	    "divisions = { RO = { standards = ( { days = 1; } ); }; };");
	t.r = testredis_open(t.cf);
	/* Tuesday 05:00 in Toronto: 1 business day ends Thursday 00:00. */
	end = T0 + 43 * 3600000LL;
	test_store_apply(&t, T0, "type=subscribe", "sr=L1",
	    "email=alice@example.org", NULL);
	test_store_apply(&t, T0, "type=status", "sr=L1", "division=RO",
	    "status=received", NULL);
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{L1}:n:1/0",
	    "notice"), "received");
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{L1}:n:1/0",
	    "standard_days"), "1");
	assert_int_equal(test_store_int(&t, "ZCARD %s", "closeloop:due"), 0);
	assert_int_equal(store_next_due(t.cf, t.r, &due, &cause), 0);
	assert_int_equal(due, end);
	snprintf(at, sizeof at, "%lld", (long long)end - 1);
	assert_int_equal(test_store_int(&t, "ZCOUNT closeloop:late -inf %s",
	    at), 0);
	assert_int_equal(store_release(t.cf, t.r, end - 1, 100, &refused,
	    &cause), 0);
	assert_int_equal(store_release(t.cf, t.r, end, 100, &refused,
	    &cause), 1);
	assert_int_equal(refused, 0);
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{L1}:n:2/0",
	    "notice"), "overdue");
	assert_string_equal(test_store_last(&t, "closeloop:sr:{L1}:audit",
	    "notice"), "overdue");
	assert_int_equal(test_store_int(&t, "ZCARD %s", "closeloop:late"), 0);
	assert_int_equal(store_release(t.cf, t.r, end + 1000, 100, &refused,
	    &cause), 0);
	test_store_int(&t, "ZADD closeloop:late 1 %s", "gone");
	assert_int_equal(store_release(t.cf, t.r, end + 2000, 100, &refused,
	    &cause), 0);
	assert_int_equal(test_store_int(&t, "ZCARD %s", "closeloop:late"), 0);
	test_store_close(&t);
}

/*
 * Fork a second process working on the same database, each with its own
 * connection; returns 1 in the child, 0 in the parent.
 */
static int
test_store_fork(struct test_store *t, pid_t *pid)
{
	redis_free(t->r);
	*pid = fork();
	assert_true(*pid >= 0);
	log_set_level(LOG_LEVEL_WARNING);
	t->r = redisconn_open(t->cf, NULL);
	assert_non_null(t->r);
	return *pid == 0;
}

/* End the child of test_store_fork(), or wait for it to succeed. */
static void
test_store_join(struct test_store *t, pid_t pid)
{
	int	status;

	if (pid == 0) {
		test_store_close(t);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Two processes change one SR at once (distinct contacts): every change
 * survives, because a transaction that lost the race is tried again.
 */
static void
test_store_concurrent(void **state)
{
	struct test_store	 t;
	char			 email[64];
	pid_t			 pid;
	int			 i, who;

	(void)state;
	test_store_open(&t);
	who = test_store_fork(&t, &pid);
	for (i = 0; i < 30; i++) {
		snprintf(email, sizeof email, "email=p%d-%d@example.org", who,
		    i);
		test_store_apply(&t, T0, "type=subscribe", "sr=6", email, NULL);
	}
	test_store_join(&t, pid);
	assert_int_equal(test_store_int(&t, "HLEN %s",
	    "closeloop:sr:{6}:state"), 60);
	assert_int_equal(test_store_int(&t, "XLEN %s",
	    "closeloop:sr:{6}:audit"), 60);
	test_store_close(&t);
}

/* Which events may share a run, and which may not. */
static void
test_store_conflicts(void **state)
{
	struct test_store	 t;
	struct event		*run[2], *ev;

	(void)state;
	test_store_open(&t);
	run[0] = test_store_event(&t, T0, "type=status", "sr=20",
	    "division=TW", "status=received", "event_id=a", NULL);
	run[1] = test_store_event(&t, T0, "type=status", "sr=21",
	    "division=TW", "status=closed", "reason=duplicate",
	    "duplicate_of=22", "event_id=b", NULL);
	ev = test_store_event(&t, T0, "type=status", "sr=23", "division=TW",
	    "status=received", "event_id=c", NULL);
	assert_int_equal(store_conflict(run, 2, ev), 0);
	event_free(ev);
	ev = test_store_event(&t, T0, "type=status", "sr=20", "division=TS",
	    "status=assigned", "event_id=d", NULL);
	assert_int_equal(store_conflict(run, 2, ev), 1);	/* same SR */
	event_free(ev);
	ev = test_store_event(&t, T0, "type=status", "sr=24", "division=TW",
	    "status=received", "event_id=a", NULL);
	assert_int_equal(store_conflict(run, 2, ev), 1);	/* same id */
	event_free(ev);
	ev = test_store_event(&t, T0, "type=status", "sr=22", "division=TW",
	    "status=received", "event_id=e", NULL);
	assert_int_equal(store_conflict(run, 2, ev), 1);	/* the original */
	event_free(ev);
	ev = test_store_event(&t, T0, "type=status", "sr=25", "division=TW",
	    "status=closed", "reason=duplicate", "duplicate_of=20",
	    "event_id=f", NULL);
	assert_int_equal(store_conflict(run, 2, ev), 1);	/* names one */
	event_free(ev);
	event_free(run[0]);
	event_free(run[1]);
	test_store_close(&t);
}

/*
 * A run writes what the same events one by one would: notices, audit,
 * acknowledgements; an event seen before in it is a duplicate.
 */
static void
test_store_run(void **state)
{
	struct test_store	 t;
	struct event		*run[3];
	char			*cause = NULL;
	int			 rcs[3];
	char			*why[3];

	(void)state;
	test_store_open(&t);
	test_store_apply(&t, T0, "type=subscribe", "sr=30",
	    "email=ann@example.org", NULL);
	test_store_apply(&t, T0, "type=status", "sr=32", "division=TW",
	    "status=received", "event_id=seen-1", NULL);
	run[0] = test_store_event(&t, T0, "type=status", "sr=30",
	    "division=TW", "status=received", NULL);
	run[1] = test_store_event(&t, T0, "type=subscribe", "sr=31",
	    "phone=+14165550101", NULL);
	run[2] = test_store_event(&t, T0, "type=status", "sr=32",
	    "division=TW", "status=received", "event_id=seen-1", NULL);
	assert_int_equal(store_events(t.cf, t.r, "closeloop:events", run, 3,
	    T0, rcs, why, &cause), 0);
	assert_null(why[0]);
	assert_null(why[1]);
	assert_null(why[2]);
	assert_int_equal(rcs[0], 1);
	assert_int_equal(rcs[1], 1);
	assert_int_equal(rcs[2], 0);
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{30}:n:1/0",
	    "notice"), "received");
	assert_int_equal(test_store_int(&t, "ZCARD %s",
	    "closeloop:outbox:email"), 1);
	assert_string_equal(test_store_last(&t, "closeloop:sr:{31}:audit",
	    "decision"), "subscribed");
	assert_int_equal(test_store_int(&t, "XLEN %s",
	    "closeloop:sr:{32}:events"), 1);
	assert_int_equal(test_store_int(&t, "HINCRBY %s accepted 0",
	    "closeloop:stats"), 4);
	assert_int_equal(test_store_int(&t, "HINCRBY %s duplicate 0",
	    "closeloop:stats"), 1);
	event_free(run[0]);
	event_free(run[1]);
	event_free(run[2]);
	test_store_close(&t);
}

/*
 * A run with one event whose SR's history was damaged (not a stream) is
 * applied whole: the damaged key is moved aside, every event is
 * acknowledged, and SR 51's history starts again with its event.
 */
static void
test_store_run_damaged(void **state)
{
	struct test_store	 t;
	struct event		*run[3];
	char			*cause = NULL, *why[3];
	int			 rcs[3], i;

	(void)state;
	test_store_open(&t);
	redis_reply_free(redis_command(t.r, &cause, "SET %s damaged",
	    "closeloop:sr:{51}:events"));
	for (i = 0; i < 3; i++) {
		run[i] = test_store_event(&t, T0, "type=status",
		    i == 0 ? "sr=50" : i == 1 ? "sr=51" : "sr=52",
		    "division=TW", "status=received", NULL);
	}
	assert_int_equal(store_events(t.cf, t.r, "closeloop:events", run, 3,
	    T0, rcs, why, &cause), 0);
	assert_null(cause);
	for (i = 0; i < 3; i++) {
		assert_int_equal(rcs[i], 1);
		assert_null(why[i]);
	}
	assert_int_equal(test_store_int(&t, "HEXISTS %s wo:TW",
	    "closeloop:sr:{51}:state"), 1);
	assert_int_equal(test_store_int(&t, "XLEN %s",
	    "closeloop:sr:{51}:events"), 1);
	assert_int_equal(testredis_keys(t.r,
	    "closeloop:sr:{51}:events:damaged:*"), 1);
	assert_int_equal(test_store_int(&t, "HINCRBY %s accepted 0",
	    "closeloop:stats"), 3);
	for (i = 0; i < 3; i++)
		event_free(run[i]);
	test_store_close(&t);
}

/*
 * A release whose SR's audit trail was damaged (not a stream) releases
 * the notice all the same, the damaged key moved aside; so is the other
 * SR due.
 */
static void
test_store_release_damaged(void **state)
{
	struct test_store	 t;
	char			*cause = NULL;
	size_t			 refused = 9;

	(void)state;
	test_store_open(&t);
	test_store_apply(&t, T0, "type=status", "sr=60", "division=TS",
	    "status=closed", "reason=completed", NULL);
	test_store_apply(&t, T0, "type=status", "sr=61", "division=TS",
	    "status=closed", "reason=completed", NULL);
	test_store_int(&t, "DEL %s", "closeloop:sr:{60}:audit");
	redis_reply_free(redis_command(t.r, &cause, "SET %s damaged",
	    "closeloop:sr:{60}:audit"));
	assert_int_equal(store_release(t.cf, t.r, T0 + 10000, 100, &refused,
	    &cause), 2);
	assert_null(cause);
	assert_int_equal(refused, 0);
	assert_int_equal(test_store_int(&t, "ZCARD %s", "closeloop:due"), 0);
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{60}:state",
	    "held"), "");
	assert_string_equal(test_store_hget(&t, "closeloop:sr:{61}:state",
	    "held"), "");
	assert_int_equal(test_store_int(&t, "XLEN %s",
	    "closeloop:sr:{60}:audit"), 1);
	test_store_close(&t);
}

/*
 * Two processes apply runs on the same SRs at once: a run that lost the
 * race goes one by one, and every change survives.
 */
static void
test_store_run_concurrent(void **state)
{
	struct test_store	 t;
	struct event		*run[3];
	char			 email[64], sr[40], *cause = NULL;
	pid_t			 pid;
	int			 i, j, who, rcs[3];
	char			*why[3];

	(void)state;
	test_store_open(&t);
	who = test_store_fork(&t, &pid);
	for (i = 0; i < 20; i++) {
		for (j = 0; j < 3; j++) {
			snprintf(sr, sizeof sr, "sr=4%d", j);
			snprintf(email, sizeof email,
			    "email=p%d-%d@example.org", who, i);
			run[j] = test_store_event(&t, T0, "type=subscribe",
			    sr, email, NULL);
		}
		if (store_events(t.cf, t.r, "closeloop:events", run, 3, T0,
		    rcs, why, &cause) != 0)
			fail_msg("store_events: %s", cause);
		for (j = 0; j < 3; j++) {
			assert_int_equal(rcs[j], 1);
			assert_null(why[j]);
			event_free(run[j]);
		}
	}
	test_store_join(&t, pid);
	for (j = 0; j < 3; j++) {
		snprintf(sr, sizeof sr, "closeloop:sr:{4%d}:state", j);
		assert_int_equal(test_store_int(&t, "HLEN %s", sr), 40);
	}
	test_store_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_event_written),
		cmocka_unit_test(test_store_duplicate),
		cmocka_unit_test(test_store_hold_release),
		cmocka_unit_test(test_store_follow),
		cmocka_unit_test(test_store_follow_cap),
		cmocka_unit_test(test_store_stale_index),
		cmocka_unit_test(test_store_concurrent),
		cmocka_unit_test(test_store_conflicts),
		cmocka_unit_test(test_store_run),
		cmocka_unit_test(test_store_run_concurrent),
		cmocka_unit_test(test_store_run_damaged),
		cmocka_unit_test(test_store_release_damaged),
		cmocka_unit_test(test_store_late),
	};

	signal(SIGPIPE, SIG_IGN);
	return testredis_run(&ts, "store", tests,
	    sizeof tests / sizeof tests[0]);
}
