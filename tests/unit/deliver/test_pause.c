/*
 * test_pause.c - unit tests for a channel paused by an operator or by its
 * breaker (pause.c)
 *
 * Runs against a private redis-server: a channel is paused and resumed
 * as closeloop pause and resume do, and the pause key, its expiry and
 * the operators' record (PREFIXweb:audit) are read back as an operator
 * would; a notice queued meanwhile shows that the claim takes nothing
 * from a paused channel, and when to look again. The times an operator gives --until are
 * checked against what the C library makes of them in the zone.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "claim.h"
#include "clock.h"
#include "config.h"
#include "event.h"
#include "notice.h"
#include "operator.h"
#include "pause.h"
#include "redis.h"
#include "testnotice.h"
#include "testredis.h"
#include "testserver.h"
#include "testtrail.h"
#include "xmalloc.h"

/* The zone of the tests' configuration: not the default one. */
#define TZONE	"America/Vancouver"

static struct testserver ts;

/* One test's configuration and connection. */
struct test_pause {
	struct config	*cf;
	struct redis	*r;
};

/* Connect to an empty database. */
static void
test_pause_open(struct test_pause *t)
{
	t->cf = testserver_config(&ts, NULL,
	    "templates = { timezone = \"" TZONE "\"; };");
	t->r = testredis_open(t->cf);
}

/* Free what test_pause_open() made. */
static void
test_pause_close(struct test_pause *t)
{
	redis_free(t->r);
	config_free(t->cf);
}

/* Return a command's integer reply about the pause key of channel. */
static long long
test_pause_key_int(struct test_pause *t, const char *cmd, int channel)
{
	char		*key = pause_key(t->cf, channel);
	long long	 v = testredis_key_int(t->r, cmd, key);

	free(key);
	return v;
}

/* Read a channel's pause; fails the test if it cannot. */
static void
test_pause_read(struct test_pause *t, int channel, struct pause *p)
{
	char	*cause = NULL;

	if (pause_read(t->r, t->cf, channel, p, &cause) != 0)
		fail_msg("pause_read: %s", cause);
}

/*
 * A pause is a key every instance reads: who, why, when, until resumed;
 * the other channel runs; the operators' record has it, with its note.
 */
static void
test_pause_set(void **state)
{
	struct test_pause	 t;
	struct pause		 p;
	char			*cause = NULL;
	int64_t			 now = clock_now();

	(void)state;
	test_pause_open(&t);
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_EMAIL, "alice",
	    "operator", "relay down", 0, now, 0, &cause), 1);
	test_pause_read(&t, EVENT_CHANNEL_EMAIL, &p);
	assert_int_equal(p.paused, 1);
	assert_string_equal(p.by, "alice");
	assert_string_equal(p.reason, "operator");
	assert_string_equal(p.note, "relay down");
	assert_int_equal(p.at, now);
	assert_int_equal(p.until, 0);
	pause_free_fields(&p);
	/* Until resumed: no expiry. */
	assert_int_equal(test_pause_key_int(&t, "PTTL", EVENT_CHANNEL_EMAIL),
	    -1);
	test_pause_read(&t, EVENT_CHANNEL_SMS, &p);
	assert_int_equal(p.paused, 0);
	assert_null(p.by);
	pause_free_fields(&p);
	pause_free_fields(NULL);

	assert_int_equal(testtrail_ops_len(t.r, t.cf), 1);
	testtrail_ops_is(t.r, t.cf, "what", "pause");
	testtrail_ops_is(t.r, t.cf, "user", "alice");
	testtrail_ops_has(t.r, t.cf, "relay down");
	testtrail_ops_has(t.r, t.cf, "email");
	test_pause_close(&t);
}

/* A pause until a time expires by itself, at that time. */
static void
test_pause_until(void **state)
{
	struct test_pause	 t;
	struct pause		 p;
	char			*cause = NULL;
	int64_t			 now = clock_now(), until = now + 1000;

	(void)state;
	test_pause_open(&t);
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_SMS, "alice",
	    "operator", "", until, now, 0, &cause), 1);
	assert_int_equal(test_pause_key_int(&t, "PEXPIRETIME",
	    EVENT_CHANNEL_SMS), until);
	test_pause_read(&t, EVENT_CHANNEL_SMS, &p);
	assert_int_equal(p.paused, 1);
	assert_int_equal(p.until, until);
	assert_string_equal(p.note, "");
	pause_free_fields(&p);
	while (clock_now() <= until + 50)
		usleep(20000);
	test_pause_read(&t, EVENT_CHANNEL_SMS, &p);
	assert_int_equal(p.paused, 0);
	pause_free_fields(&p);
	assert_int_equal(test_pause_key_int(&t, "EXISTS", EVENT_CHANNEL_SMS),
	    0);

	/* Paused again until resumed: the old expiry does not remain. */
	until = clock_now() + 60000;
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_SMS, "alice",
	    "operator", "", until, clock_now(), 0, &cause), 1);
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_SMS, "bob",
	    "operator", "", 0, clock_now(), 0, &cause), 1);
	assert_int_equal(test_pause_key_int(&t, "PTTL", EVENT_CHANNEL_SMS),
	    -1);
	test_pause_read(&t, EVENT_CHANNEL_SMS, &p);
	assert_string_equal(p.by, "bob");
	assert_int_equal(p.until, 0);
	pause_free_fields(&p);
	test_pause_close(&t);
}

/*
 * The breaker pauses only a running channel: an operator's pause is left
 * as it is, and nothing is recorded.
 */
static void
test_pause_only_if_running(void **state)
{
	struct test_pause	 t;
	struct pause		 p;
	char			*cause = NULL;
	int64_t			 now = clock_now();

	(void)state;
	test_pause_open(&t);
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_EMAIL, "alice",
	    "operator", "maintenance", 0, now, 0, &cause), 1);
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_EMAIL,
	    "closeloopd", "breaker", "80% failed", 0, now + 1, 1, &cause), 0);
	test_pause_read(&t, EVENT_CHANNEL_EMAIL, &p);
	assert_string_equal(p.by, "alice");
	assert_string_equal(p.reason, "operator");
	assert_string_equal(p.note, "maintenance");
	assert_int_equal(p.at, now);
	pause_free_fields(&p);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 1);
	testtrail_ops_is(t.r, t.cf, "user", "alice");

	/* A running channel is paused by it. */
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_SMS, "closeloopd",
	    "breaker", "80% failed", 0, now + 2, 1, &cause), 1);
	test_pause_read(&t, EVENT_CHANNEL_SMS, &p);
	assert_string_equal(p.by, "closeloopd");
	assert_string_equal(p.reason, "breaker");
	pause_free_fields(&p);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 2);
	testtrail_ops_is(t.r, t.cf, "what", "pause");
	testtrail_ops_is(t.r, t.cf, "user", "closeloopd");
	testtrail_ops_has(t.r, t.cf, "breaker");
	test_pause_close(&t);
}

/* Resuming removes the key; a running channel is said to be one. */
static void
test_pause_clear(void **state)
{
	struct test_pause	 t;
	struct pause		 p;
	char			*cause = NULL, at[32];
	int64_t			 now = clock_now();

	(void)state;
	test_pause_open(&t);
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_EMAIL, "alice",
	    "operator", "", 0, now, 0, &cause), 1);
	assert_int_equal(pause_clear(t.r, t.cf, EVENT_CHANNEL_EMAIL, "bob",
	    now + 10, &cause), 1);
	assert_int_equal(test_pause_key_int(&t, "EXISTS", EVENT_CHANNEL_EMAIL),
	    0);
	test_pause_read(&t, EVENT_CHANNEL_EMAIL, &p);
	assert_int_equal(p.paused, 0);
	pause_free_fields(&p);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 2);
	testtrail_ops_is(t.r, t.cf, "what", "resume");
	testtrail_ops_is(t.r, t.cf, "user", "bob");
	snprintf(at, sizeof at, "%lld", (long long)(now + 10));
	testtrail_ops_is(t.r, t.cf, "at", at);

	/* Again: it was not paused, and the record says so. */
	assert_int_equal(pause_clear(t.r, t.cf, EVENT_CHANNEL_EMAIL, "bob",
	    now + 20, &cause), 0);
	assert_int_equal(pause_clear(t.r, t.cf, EVENT_CHANNEL_SMS, "bob",
	    now + 30, &cause), 0);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 4);
	testtrail_ops_is(t.r, t.cf, "what", "resume");
	testtrail_ops_has(t.r, t.cf, "was not paused");
	testtrail_ops_has(t.r, t.cf, "sms");
	test_pause_close(&t);
}

/*
 * What Redis refuses is an error with a cause: a pause key that holds
 * something else, an operators' record that is not a stream.
 */
static void
test_pause_refused(void **state)
{
	struct test_pause	 t;
	struct pause		 p;
	char			*cause = NULL, *key;

	(void)state;
	test_pause_open(&t);
	key = pause_key(t.cf, EVENT_CHANNEL_EMAIL);
	redis_reply_free(redis_command(t.r, NULL, "SET %s x", key));
	free(key);
	assert_int_equal(pause_read(t.r, t.cf, EVENT_CHANNEL_EMAIL, &p,
	    &cause), -1);
	assert_non_null(cause);
	assert_int_equal(p.paused, 0);
	free(cause);
	cause = NULL;
	key = operator_stream(t.cf);
	redis_reply_free(redis_command(t.r, NULL, "SET %s x", key));
	free(key);
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_SMS, "alice",
	    "operator", "", 0, clock_now(), 0, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(pause_clear(t.r, t.cf, EVENT_CHANNEL_SMS, "alice",
	    clock_now(), &cause), -1);
	assert_non_null(cause);
	free(cause);
	test_pause_close(&t);
}

/* Claim a channel's due notifications; assert how many. */
static void
test_pause_claim(struct test_pause *t, int channel, int64_t now,
    size_t want)
{
	testnotice_items_free(testnotice_claim(t->r, t->cf, channel, now,
	    want), want);
}

/*
 * No worker claims from a paused channel: its notifications stay due,
 * as they were; the other channel goes on; resumed, they go.
 */
static void
test_pause_claims(void **state)
{
	struct test_pause	 t;
	struct notice		*n;
	char			*cause = NULL, *v;
	int64_t			 now = clock_now();

	(void)state;
	test_pause_open(&t);
	n = testnotice_new();
	testnotice_queue(t.r, t.cf, n, now);
	notice_free(n);
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_EMAIL, "alice",
	    "operator", "", 0, now, 0, &cause), 1);
	test_pause_claim(&t, EVENT_CHANNEL_EMAIL, now + 1000, 0);
	v = testnotice_field(t.r, t.cf, "2026-7/3/0", "state");
	assert_string_equal(v, "queued");
	free(v);
	assert_int_equal(testredis_int(t.r,
	    "ZCARD closeloop:outbox:email"), 1);
	assert_int_equal(testredis_int(t.r,
	    "ZCARD closeloop:outbox:sending"), 0);
	test_pause_claim(&t, EVENT_CHANNEL_SMS, now + 1000, 1);

	assert_int_equal(pause_clear(t.r, t.cf, EVENT_CHANNEL_EMAIL, "alice",
	    now + 2000, &cause), 1);
	test_pause_claim(&t, EVENT_CHANNEL_EMAIL, now + 2000, 1);
	v = testnotice_field(t.r, t.cf, "2026-7/3/0", "state");
	assert_string_equal(v, "sending");
	free(v);
	test_pause_close(&t);
}

/*
 * A worker asleep on a paused channel knows when to look again: the
 * claim gives the pause's end as the next due time (none for a pause
 * without an end), and each pause and resume adds an entry to the
 * wake-up stream, which the daemons' loops block on.
 */
static void
test_pause_wake(void **state)
{
	struct test_pause	  t;
	struct outbox_item	**items;
	struct redis_reply	 *reply;
	char			 *cause = NULL;
	size_t			  n;
	int64_t			  now = clock_now(), next;

	(void)state;
	test_pause_open(&t);
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_EMAIL, "alice",
	    "operator", "", now + 60000, now, 0, &cause), 1);
	assert_int_equal(claim_take(t.r, t.cf, EVENT_CHANNEL_EMAIL, "me", now,
	    10, &items, &n, &next, &cause), 0);
	assert_int_equal(n, 0);
	free(items);
	assert_int_equal(next, now + 60000);
	assert_int_equal(testredis_int(t.r, "XLEN closeloop:wake"), 1);
	reply = redis_command(t.r, &cause, "XRANGE closeloop:wake - +");
	assert_non_null(reply);
	assert_int_equal(reply->elements, 1);
	assert_string_equal(redis_reply_field(reply->element[0]->element[1],
	    "what"), "pause");
	redis_reply_free(reply);

	assert_int_equal(pause_clear(t.r, t.cf, EVENT_CHANNEL_EMAIL, "alice",
	    now, &cause), 1);
	assert_int_equal(testredis_int(t.r, "XLEN closeloop:wake"), 2);
	assert_int_equal(pause_set(t.r, t.cf, EVENT_CHANNEL_EMAIL, "alice",
	    "operator", "", 0, now, 0, &cause), 1);
	assert_int_equal(claim_take(t.r, t.cf, EVENT_CHANNEL_EMAIL, "me", now,
	    10, &items, &n, &next, &cause), 0);
	free(items);
	assert_int_equal(next, 0);
	test_pause_close(&t);
}

/* Return local time in the zone as ms, by the C library. */
static int64_t
test_pause_local(int year, int mon, int day, int hour, int min)
{
	struct tm	 tm;
	char		*saved, *env;
	time_t		 t;

	env = getenv("TZ");
	saved = env != NULL ? xstrdup(env) : NULL;
	setenv("TZ", TZONE, 1);
	tzset();
	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
	return (int64_t)t * 1000;
}

/* Return a UTC time as ms, by the C library. */
static int64_t
test_pause_utc(int year, int mon, int day, int hour, int min)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	return (int64_t)timegm(&tm) * 1000;
}

/*
 * --until: a span counts forward from now; RFC 3339 is that instant; a
 * local time is in templates.timezone (with its summer time); a time
 * past, now itself or a word is refused.
 */
static void
test_pause_until_parse(void **state)
{
	struct test_pause	t;
	int64_t			now = test_pause_utc(2026, 6, 1, 12, 0);

	(void)state;
	test_pause_open(&t);
	assert_int_equal(pause_until_parse(t.cf, "30m", now),
	    now + 30 * 60 * 1000);
	assert_int_equal(pause_until_parse(t.cf, "2h", now),
	    now + 2 * 3600 * 1000);
	assert_int_equal(pause_until_parse(t.cf, "1d", now),
	    now + 24 * 3600 * 1000);
	assert_int_equal(pause_until_parse(t.cf, "2026-12-07T18:00:00Z", now),
	    test_pause_utc(2026, 12, 7, 18, 0));
	assert_int_equal(pause_until_parse(t.cf, "2026-12-07T18:00:00+02:00",
	    now), test_pause_utc(2026, 12, 7, 16, 0));
	assert_int_equal(pause_until_parse(t.cf, "2026-12-07T18:00:00-05:00",
	    now), test_pause_utc(2026, 12, 7, 23, 0));
	/* Local: winter and summer time. */
	assert_int_equal(pause_until_parse(t.cf, "2026-12-07T18:00", now),
	    test_pause_local(2026, 12, 7, 18, 0));
	assert_int_equal(pause_until_parse(t.cf, "2026-12-07 18:00", now),
	    test_pause_local(2026, 12, 7, 18, 0));
	assert_int_equal(pause_until_parse(t.cf, "2026-07-01T09:30", now),
	    test_pause_local(2026, 7, 1, 9, 30));
	assert_true(test_pause_local(2026, 7, 1, 9, 30) -
	    test_pause_utc(2026, 7, 1, 9, 30) !=
	    test_pause_local(2026, 12, 7, 18, 0) -
	    test_pause_utc(2026, 12, 7, 18, 0));

	/* Past, now, nonsense. */
	assert_int_equal(pause_until_parse(t.cf, "2026-05-31T12:00:00Z", now),
	    -1);
	assert_int_equal(pause_until_parse(t.cf, "2026-06-01T05:00", now),
	    -1);
	assert_int_equal(pause_until_parse(t.cf, "0m", now), -1);
	assert_int_equal(pause_until_parse(t.cf, "-5m", now), -1);
	assert_int_equal(pause_until_parse(t.cf, "soon", now), -1);
	assert_int_equal(pause_until_parse(t.cf, "2h30", now), -1);
	assert_int_equal(pause_until_parse(t.cf, "", now), -1);
	assert_int_equal(pause_until_parse(t.cf, "2026-12-07T25:00", now),
	    -1);
	test_pause_close(&t);
}

/* Start the server, run the tests, stop it. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pause_set),
		cmocka_unit_test(test_pause_until),
		cmocka_unit_test(test_pause_only_if_running),
		cmocka_unit_test(test_pause_clear),
		cmocka_unit_test(test_pause_refused),
		cmocka_unit_test(test_pause_claims),
		cmocka_unit_test(test_pause_wake),
		cmocka_unit_test(test_pause_until_parse),
	};

	return testredis_run(&ts, "pause", tests,
	    sizeof tests / sizeof tests[0]);
}
