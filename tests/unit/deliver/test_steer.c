/*
 * test_steer.c - unit tests for an operator's hand on the outbox: send
 * now and send again (steer.c), and when a resend of the same content is
 * rendered (outbox_render_when())
 *
 * Runs against a private redis-server: notices are queued as a decision
 * queues them, made to wait as the workers make them wait (quiet hours,
 * a retry, the contact's hourly limit), then sent now or sent again as
 * closeloop send-now and resend do. What is checked is what an operator
 * reads back: the due sets, the records, the SR's trail and the
 * operators' record (PREFIXweb:audit).
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "event.h"
#include "outbox.h"
#include "redis.h"
#include "steer.h"
#include "testnotice.h"
#include "testredis.h"
#include "testserver.h"
#include "testtrail.h"
#include "xmalloc.h"

#define NOW	1795000000000LL		/* 2026-11-18T11:06:40Z, ms */
/* 2026-11-23 03:00 UTC is 22:00 in Toronto; 08:00 there is 13:00 UTC. */
#define NIGHT	1795402800000LL
#define MORNING	(NIGHT + 10 * 3600000LL)
#define QUIET	"sms = { quiet_hours = \"21:00-08:00\"; };"

#define SAID_MAX	16

static struct testserver ts;

/* What steer_send_now() said, one line per notification. */
struct test_said {
	size_t			 n;
	char			*id[SAID_MAX];
	char			*sr[SAID_MAX];
	char			*detail[SAID_MAX];
	enum steer_result	 result[SAID_MAX];
};

/* One test's configuration, connection and what was said. */
struct test_steer {
	struct config	*cf;
	struct redis	*r;
	struct test_said said;
};

/* Connect to an empty database, with extra configuration. */
static void
test_steer_open(struct test_steer *t, const char *extra)
{
	memset(t, 0, sizeof *t);
	t->cf = testserver_config(&ts, NULL, extra);
	t->r = testredis_open(t->cf);
}

/* Forget what was said. */
static void
test_steer_forget(struct test_steer *t)
{
	size_t	i;

	for (i = 0; i < t->said.n; i++) {
		free(t->said.id[i]);
		free(t->said.sr[i]);
		free(t->said.detail[i]);
	}
	memset(&t->said, 0, sizeof t->said);
}

/* Free what test_steer_open() made. */
static void
test_steer_close(struct test_steer *t)
{
	test_steer_forget(t);
	redis_free(t->r);
	config_free(t->cf);
}

/* Keep what is said about one notification. */
static void
test_steer_say(const char *id, const char *sr, enum steer_result result,
    const char *detail, void *arg)
{
	struct test_said	*s = arg;

	assert_true(s->n < SAID_MAX);
	s->id[s->n] = xstrdup(id);
	s->sr[s->n] = xstrdup(sr);
	s->detail[s->n] = xstrdup(detail != NULL ? detail : "");
	s->result[s->n++] = result;
}

/* Send now what pick names, as alice, at now; return how many moved. */
static long
test_steer_now(struct test_steer *t, const struct steer_pick *pick,
    int64_t now)
{
	char	*cause = NULL;
	long	 moved;

	test_steer_forget(t);
	moved = steer_send_now(t->r, t->cf, pick, "alice", now,
	    test_steer_say, &t->said, &cause);
	if (moved < 0)
		fail_msg("steer_send_now: %s", cause);
	return moved;
}

/* Assert what was said about the i-th notification. */
static void
test_steer_said(struct test_steer *t, size_t i, const char *id,
    enum steer_result result)
{
	assert_true(i < t->said.n);
	assert_string_equal(t->said.id[i], id);
	if (t->said.result[i] != result)
		fail_msg("%s: %s (%s), not %s", id,
		    steer_result_name(t->said.result[i]), t->said.detail[i],
		    steer_result_name(result));
}

/* Return the score of id in a due set, or -1. */
static long long
test_steer_score(struct test_steer *t, int channel, const char *id)
{
	struct redis_reply	*reply;
	long long		 v = -1;

	reply = redis_command(t->r, NULL, "ZSCORE closeloop:outbox:%s %s",
	    event_channel_name(channel), id);
	assert_non_null(reply);
	if (reply->type == REDIS_TYPE_STRING)
		v = strtoll(reply->str, NULL, 10);
	redis_reply_free(reply);
	return v;
}

/* Assert a moved notification: due now, its wait gone, who did it. */
static void
test_steer_moved(struct test_steer *t, int channel, const char *id,
    int64_t now)
{
	char	nows[32];

	assert_int_equal(test_steer_score(t, channel, id), now);
	testnotice_field_is(t->r, t->cf, id, "wait", NULL);
	testnotice_field_is(t->r, t->cf, id, "next_at", NULL);
	testnotice_field_is(t->r, t->cf, id, "sent_now_by", "alice");
	snprintf(nows, sizeof nows, "%lld", (long long)now);
	testnotice_field_is(t->r, t->cf, id, "sent_now_at", nows);
}

/*
 * By ids: a text waiting for quiet hours and an email waiting for a
 * retry are made due now, each with its decision in the SR's trail and
 * its line in the operators' record; one due already, one claimed and
 * one unknown are said to be so, and left.
 */
static void
test_send_now_ids(void **state)
{
	struct test_steer	  t;
	struct outbox_item	**items;
	struct steer_pick	  pick;
	const char		 *ids[] = { "2026-7/3/1", "2026-7/3/0",
				     "2026-7/4/0", "2026-7/5/0", "2026-7/9/9" };
	int64_t			  now = NIGHT + 1000, retry_at;
	long long		  trail, ops;

	(void)state;
	test_steer_open(&t, QUIET);
	testnotice_queue_as(t.r, t.cf, "2026-7", 3, "ana@example.org", NIGHT);
	testnotice_field_is(t.r, t.cf, "2026-7/3/1", "wait", "quiet_hours");
	assert_int_equal(test_steer_score(&t, EVENT_CHANNEL_SMS,
	    "2026-7/3/1"), MORNING);
	items = testnotice_claim(t.r, t.cf, EVENT_CHANNEL_EMAIL, NIGHT, 1);
	testnotice_outcome(t.r, t.cf, items[0], SEND_TEMPFAIL, NULL, NIGHT);
	testnotice_items_free(items, 1);
	testnotice_field_is(t.r, t.cf, "2026-7/3/0", "wait", "retry");
	retry_at = test_steer_score(&t, EVENT_CHANNEL_EMAIL, "2026-7/3/0");
	assert_true(retry_at > now);
	testnotice_queue_as(t.r, t.cf, "2026-7", 4, "bob@example.org", NIGHT);
	testnotice_queue_as(t.r, t.cf, "2026-7", 5, "cy@example.org",
	    NIGHT + 500);
	testnotice_items_free(testnotice_claim(t.r, t.cf, EVENT_CHANNEL_EMAIL,
	    NIGHT + 500, 2), 2);
	/* 4/0 was claimed and put back: due already. */
	redis_reply_free(redis_command(t.r, NULL, "ZREM closeloop:outbox:"
	    "sending 2026-7/4/0"));
	redis_reply_free(redis_command(t.r, NULL, "ZADD closeloop:outbox:"
	    "email %lld 2026-7/4/0", NIGHT + 500));
	trail = testtrail_sr_len(t.r, t.cf, "2026-7");
	ops = testtrail_ops_len(t.r, t.cf);

	memset(&pick, 0, sizeof pick);
	pick.ids = ids;
	pick.nids = 5;
	assert_int_equal(test_steer_now(&t, &pick, now), 2);
	assert_int_equal(t.said.n, 5);
	test_steer_said(&t, 0, "2026-7/3/1", STEER_MOVED);
	assert_string_equal(t.said.sr[0], "2026-7");
	assert_non_null(strstr(t.said.detail[0], "sms.quiet_hours are in "
	    "force"));
	test_steer_said(&t, 1, "2026-7/3/0", STEER_MOVED);
	assert_null(strstr(t.said.detail[1], "quiet_hours are in force"));
	test_steer_said(&t, 2, "2026-7/4/0", STEER_DUE);
	test_steer_said(&t, 3, "2026-7/5/0", STEER_NOT_WAITING);
	assert_non_null(strstr(t.said.detail[3], "sending"));
	test_steer_said(&t, 4, "2026-7/9/9", STEER_NOT_WAITING);

	test_steer_moved(&t, EVENT_CHANNEL_SMS, "2026-7/3/1", now);
	test_steer_moved(&t, EVENT_CHANNEL_EMAIL, "2026-7/3/0", now);
	assert_int_equal(test_steer_score(&t, EVENT_CHANNEL_EMAIL,
	    "2026-7/4/0"), NIGHT + 500);
	testnotice_field_is(t.r, t.cf, "2026-7/4/0", "sent_now_by", NULL);
	testnotice_field_is(t.r, t.cf, "2026-7/5/0", "state", "sending");

	/* One decision and one line for each moved, the last one's here. */
	assert_int_equal(testtrail_sr_len(t.r, t.cf, "2026-7"), trail + 2);
	testtrail_sr_is(t.r, t.cf, "2026-7", "decision", "retried");
	testtrail_sr_is(t.r, t.cf, "2026-7", "rule", "sent_now_by_operator");
	testtrail_sr_is(t.r, t.cf, "2026-7", "operator", "alice");
	testtrail_sr_is(t.r, t.cf, "2026-7", "notification", "2026-7/3/0");
	testtrail_sr_is(t.r, t.cf, "2026-7", "channel", "email");
	assert_int_equal(testtrail_ops_len(t.r, t.cf), ops + 2);
	testtrail_ops_is(t.r, t.cf, "what", "send-now");
	testtrail_ops_is(t.r, t.cf, "user", "alice");
	testtrail_ops_has(t.r, t.cf, "2026-7/3/0");
	testtrail_ops_has(t.r, t.cf, "retry");
	test_steer_close(&t);
}

/* Make every email due at now wait for a retry. */
static void
test_steer_retry_all(struct test_steer *t, int64_t now, size_t n)
{
	struct outbox_item	**items;
	size_t			  i;

	items = testnotice_claim(t->r, t->cf, EVENT_CHANNEL_EMAIL, now, n);
	for (i = 0; i < n; i++)
		testnotice_outcome(t->r, t->cf, items[i], SEND_TEMPFAIL, NULL,
		    now);
	testnotice_items_free(items, n);
}

/*
 * By SR: the notifications of that SR in both due sets, and no other's;
 * an SR with the characters of a pattern is that SR, letter for letter.
 */
static void
test_send_now_sr(void **state)
{
	static const char *const srs[] = { "A?", "AB", "C*", "CDE", "E[1]",
	    "E1", "2026-7", "2026-70" };
	struct test_steer	 t;
	struct steer_pick	 pick;
	int64_t			 now = NIGHT + 1000;
	size_t			 i;
	char			*id;

	(void)state;
	test_steer_open(&t, QUIET);
	for (i = 0; i < sizeof srs / sizeof srs[0]; i++) {
		id = xasprintf("%zu@example.org", i);
		testnotice_queue_as(t.r, t.cf, srs[i], 1, id, NIGHT);
		free(id);
	}
	test_steer_retry_all(&t, NIGHT, sizeof srs / sizeof srs[0]);

	for (i = 0; i < sizeof srs / sizeof srs[0]; i += 2) {
		memset(&pick, 0, sizeof pick);
		pick.sr = srs[i];
		assert_int_equal(test_steer_now(&t, &pick, now), 2);
		assert_int_equal(t.said.n, 2);
		assert_string_equal(t.said.sr[0], srs[i]);
		assert_string_equal(t.said.sr[1], srs[i]);
		id = xasprintf("%s/1/0", srs[i]);
		test_steer_moved(&t, EVENT_CHANNEL_EMAIL, id, now);
		free(id);
		id = xasprintf("%s/1/1", srs[i]);
		test_steer_moved(&t, EVENT_CHANNEL_SMS, id, now);
		free(id);
		testtrail_sr_is(t.r, t.cf, srs[i], "rule",
		    "sent_now_by_operator");
		/* The SR next to it waits still. */
		id = xasprintf("%s/1/1", srs[i + 1]);
		assert_int_equal(test_steer_score(&t, EVENT_CHANNEL_SMS, id),
		    MORNING);
		testnotice_field_is(t.r, t.cf, id, "wait", "quiet_hours");
		free(id);
		id = xasprintf("%s/1/0", srs[i + 1]);
		testnotice_field_is(t.r, t.cf, id, "wait", "retry");
		testnotice_field_is(t.r, t.cf, id, "sent_now_by", NULL);
		free(id);
		assert_int_equal(testtrail_sr_len(t.r, t.cf, srs[i + 1]), 1);
	}
	/* Nothing of an SR that has nothing waiting. */
	memset(&pick, 0, sizeof pick);
	pick.sr = "2026";
	assert_int_equal(test_steer_now(&t, &pick, now), 0);
	assert_int_equal(t.said.n, 0);
	test_steer_close(&t);
}

/*
 * By reason: what waits for it (the record's wait; a text queued before
 * that field, never tried, waits for quiet hours), and nothing else.
 */
static void
test_send_now_reason(void **state)
{
	static const char *const quiet[] = { "L/1/1", "Q/1/1", "R/1/1",
	    "T/1/1", "T/2/1" };
	struct test_steer	  t;
	struct outbox_item	**items;
	struct steer_pick	  pick;
	int64_t			  now = NIGHT + 1000;
	char			 *cause = NULL;
	size_t			  i;

	(void)state;
	test_steer_open(&t, "sms = { quiet_hours = \"21:00-08:00\"; };\n"
	    "delivery = { max_per_contact_per_hour = 1; };");
	testnotice_queue_as(t.r, t.cf, "Q", 1, "q@example.org", NIGHT);
	testnotice_queue_as(t.r, t.cf, "L", 1, "l@example.org", NIGHT);
	testnotice_queue_as(t.r, t.cf, "M", 1, "m@example.org", NIGHT);
	testnotice_queue_as(t.r, t.cf, "R", 1, "r@example.org", NIGHT);
	testnotice_queue_as(t.r, t.cf, "T", 1, "t@example.org", NIGHT);
	testnotice_queue_as(t.r, t.cf, "T", 2, "t@example.org", NIGHT);
	/* L's text as queued before the wait field; M's tried before. */
	redis_reply_free(redis_command(t.r, NULL,
	    "HDEL closeloop:sr:{L}:n:1/1 wait"));
	redis_reply_free(redis_command(t.r, NULL,
	    "HDEL closeloop:sr:{M}:n:1/1 wait"));
	redis_reply_free(redis_command(t.r, NULL,
	    "HSET closeloop:sr:{M}:n:1/1 attempts 1"));
	/* L, M, Q, R, T/1 sent; R to retry; T/2 over the hour's share. */
	items = testnotice_claim(t.r, t.cf, EVENT_CHANNEL_EMAIL, NIGHT, 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(items[i]->rate_until != 0,
		    strcmp(items[i]->id, "T/2/0") == 0);
		testnotice_outcome(t.r, t.cf, items[i],
		    strcmp(items[i]->id, "R/1/0") == 0 ? SEND_TEMPFAIL :
		    SEND_OK, NULL, NIGHT);
	}
	testnotice_items_free(items, 6);
	testnotice_field_is(t.r, t.cf, "T/2/0", "wait", "rate");
	testnotice_field_is(t.r, t.cf, "R/1/0", "wait", "retry");
	/* An email due later without a word, never tried: no quiet hours. */
	testnotice_queue_as(t.r, t.cf, "E", 1, "e@example.org", NIGHT);
	redis_reply_free(redis_command(t.r, NULL,
	    "ZREM closeloop:outbox:sms E/1/1"));
	redis_reply_free(redis_command(t.r, NULL,
	    "ZADD closeloop:outbox:email XX %lld E/1/0", MORNING));

	memset(&pick, 0, sizeof pick);
	pick.reason = "quiet_hours";
	assert_int_equal(test_steer_now(&t, &pick, now), 5);
	assert_int_equal(t.said.n, 5);
	for (i = 0; i < t.said.n; i++) {
		assert_int_equal(t.said.result[i], STEER_MOVED);
		assert_true(strcmp(t.said.id[i], "M/1/1") != 0);
		test_steer_moved(&t, EVENT_CHANNEL_SMS, t.said.id[i], now);
	}
	assert_int_equal(test_steer_score(&t, EVENT_CHANNEL_SMS, "M/1/1"),
	    MORNING);
	assert_int_equal(test_steer_score(&t, EVENT_CHANNEL_EMAIL, "E/1/0"),
	    MORNING);
	for (i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
		testnotice_field_is(t.r, t.cf, quiet[i], "sent_now_by",
		    "alice");

	pick.reason = "retry";
	assert_int_equal(test_steer_now(&t, &pick, now), 1);
	test_steer_said(&t, 0, "R/1/0", STEER_MOVED);
	test_steer_moved(&t, EVENT_CHANNEL_EMAIL, "R/1/0", now);
	testnotice_field_is(t.r, t.cf, "T/2/0", "wait", "rate");

	pick.reason = "rate";
	assert_int_equal(test_steer_now(&t, &pick, now), 1);
	test_steer_said(&t, 0, "T/2/0", STEER_MOVED);
	test_steer_moved(&t, EVENT_CHANNEL_EMAIL, "T/2/0", now);
	testtrail_sr_is(t.r, t.cf, "T", "notification", "T/2/0");
	testtrail_sr_is(t.r, t.cf, "T", "operator", "alice");

	/* Nothing waits for it now. */
	assert_int_equal(test_steer_now(&t, &pick, now), 0);
	assert_int_equal(t.said.n, 0);

	/* An unknown reason: said why, nothing done. */
	test_steer_forget(&t);
	pick.reason = "bogus";
	assert_int_equal(steer_send_now(t.r, t.cf, &pick, "alice", now,
	    test_steer_say, &t.said, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "bogus"));
	assert_non_null(strstr(cause, "quiet_hours"));
	free(cause);
	assert_int_equal(t.said.n, 0);
	assert_string_equal(steer_result_name(STEER_MOVED), "moved");
	assert_string_equal(steer_result_name(STEER_DUE), "due_already");
	assert_string_equal(steer_result_name(STEER_NOT_WAITING),
	    "not_waiting");
	test_steer_close(&t);
}

/* Resend id at now as alice; return the new id, or NULL with *cause. */
static char *
test_steer_resend(struct test_steer *t, const char *id, const char *version,
    int same, int64_t now, char **cause)
{
	char	*newid = (char *)"unset";

	*cause = NULL;
	if (steer_resend(t->r, t->cf, id, version, same, "alice", now, &newid,
	    cause) != 0) {
		assert_null(newid);
		assert_non_null(*cause);
		return NULL;
	}
	assert_null(*cause);
	return newid;
}

/* Assert that a resend is refused with a cause that says part. */
static void
test_steer_refused(struct test_steer *t, const char *id, const char *version,
    int same, const char *part)
{
	char	*cause, *newid;

	newid = test_steer_resend(t, id, version, same, NOW, &cause);
	if (newid != NULL)
		fail_msg("%s resent as %s", id, newid);
	if (strstr(cause, part) == NULL)
		fail_msg("%s: \"%s\" does not say \"%s\"", id, cause, part);
	free(cause);
}

/*
 * Send again: only what went out; as ID + "r" + a count, queued, due
 * now, pointing at the first, which counts its resends; in the SR's
 * trail and the operators' record.
 */
static void
test_resend(void **state)
{
	struct test_steer	  t;
	struct outbox_item	**items;
	char			 *cause, *newid;
	int64_t			  now = NOW + 60000;
	long long		  ops;

	(void)state;
	test_steer_open(&t, NULL);
	testnotice_queue_as(t.r, t.cf, "2026-7", 3, "ana@example.org", NOW);
	test_steer_refused(&t, "2026-7/3/0", "v1", 0, "(queued)");
	items = testnotice_claim(t.r, t.cf, EVENT_CHANNEL_EMAIL, NOW, 1);
	test_steer_refused(&t, "2026-7/3/0", "v1", 0, "(sending)");
	testnotice_outcome(t.r, t.cf, items[0], SEND_OK, "v1", NOW + 5);
	testnotice_items_free(items, 1);
	test_steer_refused(&t, "2026-7/8/0", "v1", 0, "no such");
	testnotice_field_is(t.r, t.cf, "2026-7/3/0r1", "state", NULL);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 0);

	newid = test_steer_resend(&t, "2026-7/3/0", "v2", 0, now, &cause);
	assert_non_null(newid);
	assert_string_equal(newid, "2026-7/3/0r1");
	testnotice_field_is(t.r, t.cf, newid, "resend_of", "2026-7/3/0");
	testnotice_field_is(t.r, t.cf, newid, "state", "queued");
	testnotice_field_is(t.r, t.cf, newid, "attempts", "0");
	testnotice_field_is(t.r, t.cf, newid, "to", "ana@example.org");
	testnotice_field_is(t.r, t.cf, newid, "render_at", NULL);
	testnotice_field_is(t.r, t.cf, newid, "same_version", NULL);
	assert_int_equal(test_steer_score(&t, EVENT_CHANNEL_EMAIL, newid),
	    now);
	testnotice_field_is(t.r, t.cf, "2026-7/3/0", "resends", "1");
	testnotice_field_is(t.r, t.cf, "2026-7/3/0", "state", "sent");
	testtrail_sr_is(t.r, t.cf, "2026-7", "decision", "retried");
	testtrail_sr_is(t.r, t.cf, "2026-7", "rule", "resent_by_operator");
	testtrail_sr_is(t.r, t.cf, "2026-7", "operator", "alice");
	testtrail_sr_is(t.r, t.cf, "2026-7", "notification", newid);
	testtrail_sr_is(t.r, t.cf, "2026-7", "resend_of", "2026-7/3/0");
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 1);
	testtrail_ops_is(t.r, t.cf, "what", "resend");
	testtrail_ops_is(t.r, t.cf, "user", "alice");
	testtrail_ops_has(t.r, t.cf, newid);
	free(newid);

	newid = test_steer_resend(&t, "2026-7/3/0", "v2", 0, now, &cause);
	assert_non_null(newid);
	assert_string_equal(newid, "2026-7/3/0r2");
	testnotice_field_is(t.r, t.cf, "2026-7/3/0", "resends", "2");
	free(newid);

	/* The same content, with another set in use: refused, nothing done. */
	ops = testtrail_ops_len(t.r, t.cf);
	test_steer_refused(&t, "2026-7/3/0", "v2", 1, "v1");
	test_steer_refused(&t, "2026-7/3/0", NULL, 1, "v1");
	testnotice_field_is(t.r, t.cf, "2026-7/3/0", "resends", "2");
	testnotice_field_is(t.r, t.cf, "2026-7/3/0r3", "state", NULL);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), ops);
	test_steer_close(&t);
}

/*
 * Send again the same content: with the set it went with, rendered as
 * at the time of the first message; outbox_render_when() says so, and
 * refuses once the set in use is another.
 */
static void
test_resend_same(void **state)
{
	struct test_steer	  t;
	struct outbox_item	**items, *it;
	char			 *cause, *newid, *sent_at, at[32];
	int64_t			  when, nows = (NOW + 60000) / 1000;

	(void)state;
	test_steer_open(&t, NULL);
	testnotice_queue_as(t.r, t.cf, "2026-7", 3, "ana@example.org", NOW);
	items = testnotice_claim(t.r, t.cf, EVENT_CHANNEL_SMS, NOW, 1);
	testnotice_outcome(t.r, t.cf, items[0], SEND_OK, "v1", NOW + 1500);
	testnotice_items_free(items, 1);
	sent_at = testnotice_field(t.r, t.cf, "2026-7/3/1", "sent_at");
	assert_non_null(sent_at);
	snprintf(at, sizeof at, "%lld", strtoll(sent_at, NULL, 10) / 1000);
	free(sent_at);

	newid = test_steer_resend(&t, "2026-7/3/1", "v1", 1, NOW + 60000,
	    &cause);
	assert_non_null(newid);
	assert_string_equal(newid, "2026-7/3/1r1");
	testnotice_field_is(t.r, t.cf, newid, "render_at", at);
	testnotice_field_is(t.r, t.cf, newid, "same_version", "v1");
	testnotice_field_is(t.r, t.cf, newid, "channel", "sms");
	testnotice_field_is(t.r, t.cf, newid, "locale", "fr");
	assert_int_equal(test_steer_score(&t, EVENT_CHANNEL_SMS, newid),
	    NOW + 60000);
	assert_int_equal(test_steer_score(&t, EVENT_CHANNEL_EMAIL, newid), -1);

	it = outbox_item_read(t.r, t.cf, newid, &cause);
	assert_non_null(it);
	assert_int_equal(outbox_render_when(it, "v1", nows, &when, &cause),
	    0);
	assert_int_equal(when, strtoll(at, NULL, 10));
	assert_true(when < nows);
	cause = NULL;
	assert_int_equal(outbox_render_when(it, "v2", nows, &when, &cause),
	    -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "v1"));
	free(cause);
	outbox_item_free(it);
	free(newid);

	/* A resend rendered anew: now, with any set. */
	newid = test_steer_resend(&t, "2026-7/3/1", "v1", 0, NOW + 60000,
	    &cause);
	assert_string_equal(newid, "2026-7/3/1r2");
	it = outbox_item_read(t.r, t.cf, newid, &cause);
	assert_non_null(it);
	assert_int_equal(outbox_render_when(it, "v2", nows, &when, &cause),
	    0);
	assert_int_equal(when, nows);
	outbox_item_free(it);
	free(newid);
	test_steer_close(&t);
}

/* Start the server, run the tests, stop it. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_now_ids),
		cmocka_unit_test(test_send_now_sr),
		cmocka_unit_test(test_send_now_reason),
		cmocka_unit_test(test_resend),
		cmocka_unit_test(test_resend_same),
	};

	return testredis_run(&ts, "steer", tests,
	    sizeof tests / sizeof tests[0]);
}
