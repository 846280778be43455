/*
 * test_outbox.c - unit tests for the outbox (outbox.c), the outcome of an
 * attempt (outcome.c), its writing by a worker (deliver_record()) and
 * what an operator reads of it (backlog.c, waitlist.c)
 *
 * Runs against a private redis-server: notices are queued as the
 * decision's transaction queues them, claimed, and finished with each
 * kind of outcome; the records, sets, audit entries and dead letters are
 * then read back as an operator would.
 */
#include "build.h"

#include <pthread.h>
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

#include "backlog.h"
#include "channel.h"
#include "clock.h"
#include "claim.h"
#include "config.h"
#include "deliver.h"
#include "event.h"
#include "generation.h"
#include "notice.h"
#include "outbox.h"
#include "digest.h"
#include "outcome.h"
#include "redis.h"
#include "redisconn.h"
#include "retry.h"
#include "srhash.h"
#include "srstate.h"
#include "store.h"
#include "testnotice.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"
#include "waitlist.h"
#include "xmalloc.h"

static struct testserver ts;

#define NOW	1795000000000LL		/* 2026-11-18T11:06:40Z, ms */

/* One test's connection, config and a notice with two recipients. */
struct test_outbox {
	struct config	*cf;
	struct redis	*r;
	struct notice	*n;
};

/* Connect to an empty database and make the notice. */
static void
test_outbox_open(struct test_outbox *t, const char *extra)
{
	memset(t, 0, sizeof *t);
	t->cf = testserver_config(&ts, NULL, extra);
	t->r = testredis_open(t->cf);
	t->n = testnotice_new();
}

/* Free what test_outbox_open() made. */
static void
test_outbox_close(struct test_outbox *t)
{
	notice_free(t->n);
	redis_free(t->r);
	config_free(t->cf);
}

/* Assert a record's field has a value. */
static void
test_outbox_field_is(struct test_outbox *t, const char *id,
    const char *field, const char *want)
{
	char	*v = testnotice_field(t->r, t->cf, id, field);

	assert_non_null(v);
	assert_string_equal(v, want);
	free(v);
}

/* Return the score of id in a set of the outbox, or -1. */
static long long
test_outbox_score(struct test_outbox *t, const char *set, const char *id)
{
	struct redis_reply	*reply;
	long long		 v = -1;

	reply = redis_command(t->r, NULL, "ZSCORE closeloop:outbox:%s %s",
	    set, id);
	assert_non_null(reply);
	if (reply->type == REDIS_TYPE_STRING)
		v = strtoll(reply->str, NULL, 10);
	redis_reply_free(reply);
	return v;
}

/*
 * Assert that a claimed item holds its record as Redis now keeps it,
 * field for field, with the claim's two notes besides.
 */
static void
test_claim_as_kept(struct test_outbox *t, const struct outbox_item *it)
{
	struct outbox_item	*kept;
	const char		*v;
	char			*cause = NULL;
	size_t			 i;

	kept = outbox_item_read(t->r, t->cf, it->id, &cause);
	assert_non_null(kept);
	assert_int_equal(it->nfields, kept->nfields + 2);
	for (i = 0; i < kept->nfields; i++) {
		v = outbox_field(it, kept->fields[2 * i]);
		assert_non_null(v);
		assert_string_equal(v, kept->fields[2 * i + 1]);
	}
	assert_non_null(outbox_field(it, "prev_state"));
	assert_non_null(outbox_field(it, "claim_note"));
	outbox_item_free(kept);
}

/* Claim the due notifications of a channel; assert how many, and what. */
static struct outbox_item **
test_claim_take(struct test_outbox *t, int channel, int64_t now,
    size_t want)
{
	struct outbox_item	**items;
	char			 *cause = NULL;
	size_t			  i, n;
	int64_t			  next;

	assert_int_equal(claim_take(t->r, t->cf, channel, "me", now, 10,
	    &items, &n, &next, &cause), 0);
	assert_int_equal(n, want);
	for (i = 0; i < n; i++)
		test_claim_as_kept(t, items[i]);
	return items;
}

/* Free claimed items. */
static void
test_outbox_free(struct outbox_item **items, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		outbox_item_free(items[i]);
	free(items);
}

/* Return the last audit entry's field of the SR, allocated. */
static char *
test_outbox_audit(struct test_outbox *t, const char *field)
{
	struct redis_reply	*reply, *f;
	char			*v = NULL;
	size_t			 i;

	reply = redis_command(t->r, NULL,
	    "XREVRANGE closeloop:sr:{2026-7}:audit + - COUNT 1");
	assert_non_null(reply);
	assert_int_equal(reply->elements, 1);
	f = reply->element[0]->element[1];
	for (i = 0; i + 1 < f->elements; i += 2) {
		if (strcmp(f->element[i]->str, field) == 0)
			v = xstrdup(f->element[i + 1]->str);
	}
	redis_reply_free(reply);
	assert_non_null(v);
	return v;
}

/* A queued notice is one record per recipient, due in its channel's set. */
static void
test_queue_records(void **state)
{
	struct test_outbox	t;
	struct outbox_item	**items;

	(void)state;
	test_outbox_open(&t, NULL);
	testnotice_queue(t.r, t.cf, t.n, NOW);
	test_outbox_field_is(&t, "2026-7/3/0", "state", "queued");
	test_outbox_field_is(&t, "2026-7/3/0", "to", "ana@example.org");
	test_outbox_field_is(&t, "2026-7/3/1", "channel", "sms");
	test_outbox_field_is(&t, "2026-7/3/1", "note", "Pothole filled.");
	assert_int_equal(test_outbox_score(&t, "email", "2026-7/3/0"), NOW);
	assert_int_equal(test_outbox_score(&t, "sms", "2026-7/3/1"), NOW);

	/* Claimed once: sending, leased, and not claimed twice. */
	redis_reply_free(redis_command(t.r, NULL,
	    "HSET closeloop:sr:{2026-7}:n:3/0 wait breaker"));
	items = test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW, 1);
	assert_null(outbox_field(items[0], "wait"));
	assert_string_equal(outbox_field(items[0], "owner"), "me");
	assert_string_equal(outbox_field(items[0], "state"), "sending");
	assert_string_equal(items[0]->id, "2026-7/3/0");
	assert_int_equal(items[0]->attempts, 1);
	assert_int_equal(items[0]->resend, 0);
	assert_non_null(items[0]->notice);
	assert_string_equal(items[0]->notice->note, "Pothole filled.");
	assert_int_equal(items[0]->notice->notice, VOCAB_NOTICE_COMPLETED);
	test_outbox_field_is(&t, "2026-7/3/0", "state", "sending");
	assert_int_equal(test_outbox_score(&t, "sending", "2026-7/3/0"),
	    NOW + 600000);
	test_outbox_free(items, 1);
	test_outbox_free(test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW, 0), 0);
	test_outbox_close(&t);
}

/* A success is recorded with the server's reply and audited. */
static void
test_outcome_sent(void **state)
{
	struct test_outbox	 t;
	struct outbox_item	**items;
	struct send_result	 res;
	char			*cause = NULL, *v;

	(void)state;
	test_outbox_open(&t, NULL);
	testnotice_queue(t.r, t.cf, t.n, NOW);
	items = test_claim_take(&t, EVENT_CHANNEL_SMS, NOW, 1);
	memset(&res, 0, sizeof res);
	channel_result(&res, SEND_OK, "HTTP 201: queued");
	res.provider_id = xstrdup("SM123");
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0, NOW + 5,
	    &cause), 0);
	test_outbox_field_is(&t, "2026-7/3/1", "state", "sent");
	test_outbox_field_is(&t, "2026-7/3/1", "provider_id", "SM123");
	test_outbox_field_is(&t, "2026-7/3/1", "reply", "HTTP 201: queued");
	assert_int_equal(test_outbox_score(&t, "sending", "2026-7/3/1"), -1);
	v = test_outbox_audit(&t, "decision");
	assert_string_equal(v, "sent");
	free(v);
	v = test_outbox_audit(&t, "detail");
	assert_non_null(strstr(v, "+1416***0100"));
	assert_null(strstr(v, "5550100"));
	free(v);
	channel_result_clear(&res);
	test_outbox_free(items, 1);
	test_outbox_close(&t);
}

/* A temporary failure is retried later, within the backoff window. */
static void
test_outcome_retry(void **state)
{
	struct test_outbox	 t;
	struct outbox_item	**items;
	struct send_result	 res;
	char			*cause = NULL, *v;
	long long		 at;

	(void)state;
	test_outbox_open(&t, NULL);
	testnotice_queue(t.r, t.cf, t.n, NOW);
	items = test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW, 1);
	memset(&res, 0, sizeof res);
	channel_result(&res, SEND_TEMPFAIL, "451 4.3.0 try later");
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0, NOW,
	    &cause), 0);
	test_outbox_field_is(&t, "2026-7/3/0", "state", "retry");
	test_outbox_field_is(&t, "2026-7/3/0", "last_error",
	    "451 4.3.0 try later");
	at = test_outbox_score(&t, "email", "2026-7/3/0");
	assert_true(at >= NOW + 30000 && at <= NOW + 60000);
	v = test_outbox_audit(&t, "decision");
	assert_string_equal(v, "retried");
	free(v);

	/* The server's Retry-After wins over a shorter backoff. */
	test_outbox_free(items, 1);
	items = test_claim_take(&t, EVENT_CHANNEL_EMAIL, at, 1);
	assert_int_equal(items[0]->attempts, 2);
	res.retry_after = 7200;
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0, at,
	    &cause), 0);
	assert_true(test_outbox_score(&t, "email", "2026-7/3/0") >=
	    at + 7200000);
	channel_result_clear(&res);
	test_outbox_free(items, 1);
	test_outbox_close(&t);
}

/* The backoff doubles up to retry.max_seconds. */
static void
test_retry_delay(void **state)
{
	struct config	*cf;
	int64_t		 d;
	int		 i;

	(void)state;
	cf = testserver_config(&ts, NULL, "retry = { initial_seconds = 10; "
	    "max_seconds = 100; };");
	for (i = 0; i < 50; i++) {
		d = retry_delay(cf, 1, 0);
		assert_true(d >= 5000 && d <= 10000);
		d = retry_delay(cf, 3, 0);
		assert_true(d >= 20000 && d <= 40000);
		d = retry_delay(cf, 30, 0);
		assert_true(d >= 50000 && d <= 100000);
	}
	config_free(cf);
}

/* A permanent failure and a notification too old are dead-lettered. */
static void
test_outcome_dead(void **state)
{
	struct test_outbox	 t;
	struct outbox_item	**items;
	struct send_result	 res;
	struct redis_reply	*reply;
	char			*cause = NULL, *v;
	int64_t			 late;

	(void)state;
	test_outbox_open(&t, NULL);
	testnotice_queue(t.r, t.cf, t.n, NOW);
	items = test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW, 1);
	memset(&res, 0, sizeof res);
	channel_result(&res, SEND_PERMFAIL, "550 5.1.1 no such user");
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0, NOW,
	    &cause), 0);
	test_outbox_field_is(&t, "2026-7/3/0", "state", "failed");
	assert_int_equal(test_outbox_score(&t, "email", "2026-7/3/0"), -1);
	v = test_outbox_audit(&t, "decision");
	assert_string_equal(v, "failed");
	free(v);
	test_outbox_free(items, 1);

	/* SMS older than retry.sms_max_age_hours (24) is given up. */
	late = NOW + 24 * 3600000LL;
	items = test_claim_take(&t, EVENT_CHANNEL_SMS, late, 1);
	channel_result(&res, SEND_TEMPFAIL, "HTTP 503");
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0, late,
	    &cause), 0);
	test_outbox_field_is(&t, "2026-7/3/1", "state", "dead");
	assert_int_equal(test_outbox_score(&t, "sms", "2026-7/3/1"), -1);
	reply = redis_command(t.r, NULL, "XRANGE closeloop:dead - +");
	assert_non_null(reply);
	assert_int_equal(reply->elements, 2);
	redis_reply_free(reply);
	v = test_outbox_audit(&t, "decision");
	assert_string_equal(v, "dead");
	free(v);
	channel_result_clear(&res);
	test_outbox_free(items, 1);
	test_outbox_close(&t);
}

/* A permanent failure goes to the other address the resident gave. */
static void
test_outcome_fallback(void **state)
{
	struct test_outbox	 t;
	struct outbox_item	**items;
	struct send_result	 res;
	char			*cause = NULL, *v;

	(void)state;
	test_outbox_open(&t, "sms = { gateway = \"twilio\"; "
	    "url = \"https://sms.example.org/Messages.json\"; "
	    "from = \"+14165550311\"; };");
	t.n->to[0].alt = xstrdup("+14165550199");
	testnotice_queue(t.r, t.cf, t.n, NOW);
	test_outbox_field_is(&t, "2026-7/3/0", "fallback_to", "+14165550199");
	items = test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW, 1);
	memset(&res, 0, sizeof res);
	channel_result(&res, SEND_PERMFAIL, "550 5.1.1 no such user");
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0, NOW,
	    &cause), 0);
	test_outbox_field_is(&t, "2026-7/3/0f", "channel", "sms");
	test_outbox_field_is(&t, "2026-7/3/0f", "to", "+14165550199");
	test_outbox_field_is(&t, "2026-7/3/0f", "fallback_of", "2026-7/3/0");
	assert_int_equal(test_outbox_score(&t, "sms", "2026-7/3/0f"), NOW);
	v = test_outbox_audit(&t, "rule");
	assert_string_equal(v, "fallback");
	free(v);
	test_outbox_free(items, 1);

	/* The fallback itself failing for good has no further fallback. */
	items = test_claim_take(&t, EVENT_CHANNEL_SMS, NOW, 2);
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0, NOW,
	    &cause), 0);
	assert_int_equal(outcome_write(t.r, t.cf, items[1], &res, NULL, 0, NOW,
	    &cause), 0);
	v = testnotice_field(t.r, t.cf, "2026-7/3/0ff", "state");
	assert_null(v);
	channel_result_clear(&res);
	test_outbox_free(items, 2);
	test_outbox_close(&t);
}

/* Claims cut short go out again, marked as a resend. */
static void
test_recover(void **state)
{
	struct test_outbox	 t;
	struct outbox_item	**items;
	char			*cause = NULL;

	(void)state;
	test_outbox_open(&t, NULL);
	testnotice_queue(t.r, t.cf, t.n, NOW);
	test_outbox_free(test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW, 1), 1);
	/* Another owner's live lease is left alone. */
	assert_int_equal(claim_recover(t.r, t.cf, "other", NOW + 1, &cause),
	    0);
	/* The same owner, restarted, takes its claims back at once. */
	assert_int_equal(claim_recover(t.r, t.cf, "me", NOW + 1, &cause), 1);
	items = test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW + 1, 1);
	assert_int_equal(items[0]->resend, 1);
	assert_int_equal(items[0]->attempts, 2);
	test_outbox_free(items, 1);
	/* Any worker takes back a claim whose lease ended. */
	assert_int_equal(claim_recover(t.r, t.cf, NULL, NOW + 2, &cause), 0);
	assert_int_equal(claim_recover(t.r, t.cf, NULL, NOW + 600002,
	    &cause), 1);
	test_outbox_free(test_claim_take(&t, EVENT_CHANNEL_EMAIL,
	    NOW + 600002, 1), 1);
	test_outbox_close(&t);
}

/*
 * A record and a claim's changes make one item: a changed field keeps its
 * place, a removed one is gone, a new one follows, nothing is doubled.
 */
static void
test_merge(void **state)
{
	struct test_outbox	 t;
	struct redis_reply	*reply, **e;
	struct outbox_item	*it;
	const char		*want[] = { "id", "2026-7/3/0", "state",
	    "sending", "to", "ana@example.org", "attempts", "2", "owner",
	    "me", "claim_note", "" };
	size_t			 i;

	(void)state;
	test_outbox_open(&t, NULL);
	reply = redis_command(t.r, NULL, "EVAL %s 0",
	    "return { { 'id', '2026-7/3/0', 'state', 'queued', 'wait', "
	    "'breaker', 'to', 'ana@example.org', 'attempts', '1' }, "
	    "{ 'state', 'sending', 'owner', 'me', 'attempts', '2', "
	    "'claim_note', '' }, { 'wait' } }");
	assert_non_null(reply);
	assert_int_equal(reply->elements, 3);
	e = reply->element;
	it = outbox_item_merge(e[0], e[1], e[2]);
	assert_int_equal(it->nfields, (sizeof want / sizeof want[0]) / 2);
	for (i = 0; i < (sizeof want / sizeof want[0]); i++)
		assert_string_equal(it->fields[i], want[i]);
	assert_int_equal(it->attempts, 2);
	assert_string_equal(it->id, "2026-7/3/0");
	outbox_item_free(it);
	/* A plain read is the record as it is. */
	it = outbox_item_parse(e[0]);
	assert_int_equal(it->nfields, 5);
	assert_string_equal(outbox_field(it, "wait"), "breaker");
	assert_int_equal(it->attempts, 1);
	outbox_item_free(it);
	redis_reply_free(reply);
	test_outbox_close(&t);
}

/* A contact that unsubscribed after the decision is not sent to. */
static void
test_unsubscribed(void **state)
{
	struct test_outbox	 t;
	struct outbox_item	**items;
	struct send_result	 res;
	char			*cause = NULL;

	(void)state;
	test_outbox_open(&t, NULL);
	testnotice_queue(t.r, t.cf, t.n, NOW);
	redis_reply_free(redis_command(t.r, NULL, "HSET closeloop:sr:{2026-7}:"
	    "state c:email:ana@example.org %s", "0 1795000000001 - -"));
	items = test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW, 1);
	assert_int_equal(items[0]->unsubscribed, 1);
	memset(&res, 0, sizeof res);
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0, NOW,
	    &cause), 0);
	test_outbox_field_is(&t, "2026-7/3/0", "state", "unsubscribed");
	test_outbox_free(items, 1);
	test_outbox_close(&t);
}

/* An SMS decided in quiet hours is due when they end; email is not. */
static void
test_quiet_hours(void **state)
{
	struct test_outbox	t;
	/* 2026-11-23 03:00 UTC is 22:00 in Toronto (UTC-5). */
	int64_t			night = 1795402800000LL;

	(void)state;
	test_outbox_open(&t, "sms = { quiet_hours = \"21:00-08:00\"; };");
	/* 08:00 Toronto is 13:00 UTC. */
	assert_int_equal(retry_due(t.cf, EVENT_CHANNEL_SMS, night),
	    night + 10 * 3600000LL);
	assert_int_equal(retry_due(t.cf, EVENT_CHANNEL_EMAIL, night), night);
	assert_int_equal(retry_due(t.cf, EVENT_CHANNEL_SMS,
	    night + 12 * 3600000LL), night + 12 * 3600000LL);
	testnotice_queue(t.r, t.cf, t.n, night);
	assert_int_equal(test_outbox_score(&t, "sms", "2026-7/3/1"),
	    night + 10 * 3600000LL);
	test_outbox_free(test_claim_take(&t, EVENT_CHANNEL_SMS, night, 0), 0);
	test_outbox_close(&t);
}

/*
 * Writing an outcome again after a lost connection: only while the claim
 * is as it was made, and not over a change made meanwhile.
 */
static void
test_outcome_again(void **state)
{
	struct test_outbox	 t;
	struct outbox_item	**items;
	struct send_result	 res;
	struct redis		*other;
	char			*cause = NULL;

	(void)state;
	test_outbox_open(&t, NULL);
	testnotice_queue(t.r, t.cf, t.n, NOW);
	items = test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW, 1);
	memset(&res, 0, sizeof res);
	channel_result(&res, SEND_OK, "250 2.0.0 Ok");
	assert_int_equal(claim_held(t.r, t.cf, items[0], "someone", &cause),
	    0);
	assert_int_equal(claim_held(t.r, t.cf, items[0], "me", &cause), 1);
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0, NOW,
	    &cause), 0);
	test_outbox_field_is(&t, "2026-7/3/0", "state", "sent");
	/* Written before the connection failed: not again. */
	assert_int_equal(claim_held(t.r, t.cf, items[0], "me", &cause), 0);
	test_outbox_free(items, 1);

	/* Its lease ended and another worker took it meanwhile. */
	items = test_claim_take(&t, EVENT_CHANNEL_SMS, NOW, 1);
	assert_int_equal(claim_held(t.r, t.cf, items[0], "me", &cause), 1);
	other = redisconn_open(t.cf, &cause);
	assert_non_null(other);
	redis_reply_free(redis_command(other, &cause, "HSET %s owner %s",
	    "closeloop:sr:{2026-7}:n:3/1", "someone"));
	redis_free(other);
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0, NOW,
	    &cause), -1);
	test_outbox_field_is(&t, "2026-7/3/1", "state", "sending");
	test_outbox_field_is(&t, "2026-7/3/1", "owner", "someone");
	assert_int_equal(claim_held(t.r, t.cf, items[0], "me", &cause), 0);
	channel_result_clear(&res);
	test_outbox_free(items, 1);
	test_outbox_close(&t);
}

/*
 * Claims a worker lost track of go back to their due set: the owner's on
 * the channel, not those it still has in flight; the next claim marks
 * them as a resend.
 */
static void
test_release(void **state)
{
	struct test_outbox	 t;
	struct outbox_item	**items;
	const char		*keep[] = { "2026-7/3/1" };
	char			*cause = NULL;

	(void)state;
	test_outbox_open(&t, NULL);
	testnotice_queue(t.r, t.cf, t.n, NOW);
	test_outbox_free(test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW, 1), 1);
	test_outbox_free(test_claim_take(&t, EVENT_CHANNEL_SMS, NOW, 1), 1);
	assert_int_equal(claim_release(t.r, t.cf, "me", EVENT_CHANNEL_SMS,
	    keep, 1, NOW + 5, &cause), 0);
	assert_int_equal(claim_release(t.r, t.cf, "other", EVENT_CHANNEL_SMS,
	    NULL, 0, NOW + 5, &cause), 0);
	assert_int_equal(claim_release(t.r, t.cf, "me", EVENT_CHANNEL_SMS,
	    NULL, 0, NOW + 5, &cause), 1);
	assert_int_equal(test_outbox_score(&t, "sms", "2026-7/3/1"), NOW + 5);
	assert_int_equal(test_outbox_score(&t, "sending", "2026-7/3/1"), -1);
	assert_true(test_outbox_score(&t, "sending", "2026-7/3/0") > NOW);
	items = test_claim_take(&t, EVENT_CHANNEL_SMS, NOW + 5, 1);
	assert_int_equal(items[0]->resend, 1);
	assert_int_equal(items[0]->attempts, 2);
	test_outbox_free(items, 1);
	test_outbox_close(&t);
}

/* A record that a second connection marks sent after 150 ms. */
struct test_outbox_later {
	struct config	*cf;
	const char	*key;
};

/*
 * Mark the record sent after 150 ms, on a connection of its own, opened
 * without emptying the database as testredis_open() does: the record
 * would be gone for a moment. If the connection fails, the record stays
 * "sending" and the test fails on that.
 */
static void *
test_outbox_sent_later(void *arg)
{
	struct test_outbox_later	*l = arg;
	struct timespec			 ts_wait = { 0, 150 * 1000000L };
	struct redis			*r;
	char				*cause = NULL;

	nanosleep(&ts_wait, NULL);
	if ((r = redisconn_open(l->cf, &cause)) == NULL) {
		free(cause);
		return NULL;
	}
	redis_reply_free(redis_command(r, &cause, "HSET %s state sent",
	    l->key));
	free(cause);
	redis_free(r);
	return NULL;
}

/*
 * Set the record at key to state set (unless NULL), read it settled with
 * max_ms, and check that it took from min_ms to less than below_ms and
 * says state want.
 */
static void
test_outbox_settled(struct test_outbox *t, const char *key, const char *set,
    int64_t max_ms, int64_t min_ms, int64_t below_ms, const char *want)
{
	struct redis_reply	*f;
	char			*cause = NULL;
	int64_t			 t0;

	if (set != NULL)
		redis_reply_free(redis_command(t->r, &cause, "HSET %s state %s",
		    key, set));
	t0 = clock_ms();
	f = outbox_watch_settled(t->r, key, max_ms, &cause);
	assert_non_null(f);
	assert_true(clock_ms() - t0 >= min_ms);
	assert_true(clock_ms() - t0 < below_ms);
	assert_string_equal(redis_reply_field(f, "state"), want);
	redis_reply_free(f);
	redis_unwatch(t->r);
}

/*
 * A record whose message the worker has in hand ("sending") is read once
 * its outcome is written, or once the wait is over; any other at once.
 */
static void
test_watch_settled(void **state)
{
	struct test_outbox		 t;
	struct test_outbox_later	 l;
	struct redis_reply		*f;
	pthread_t			 th;
	char				*cause = NULL;

	(void)state;
	test_outbox_open(&t, NULL);
	l.cf = t.cf;
	l.key = "closeloop:sr:{A}:n:1/0";
	redis_reply_free(redis_command(t.r, &cause, "HSET %s state sending "
	    "channel email", l.key));
	assert_int_equal(pthread_create(&th, NULL, test_outbox_sent_later, &l),
	    0);
	test_outbox_settled(&t, l.key, NULL, 5000, 100, 4000, "sent");
	pthread_join(th, NULL);
	/* Still sending when the wait is over: read as it is. */
	test_outbox_settled(&t, l.key, "sending", 60, 50, 4000, "sending");
	/* No wait for a record in any other state, nor for none. */
	test_outbox_settled(&t, l.key, "queued", 5000, 0, 1000, "queued");
	f = outbox_watch_settled(t.r, "closeloop:sr:{B}:n:1/0", 5000, &cause);
	assert_non_null(f);
	assert_int_equal(f->elements, 0);
	redis_reply_free(f);
	redis_unwatch(t.r);
	test_outbox_close(&t);
}

/* The socket a test's second configuration names, and when it appears. */
struct test_outbox_late {
	char	*path;
	int	 after_ms;
};

/* Make the late socket appear, a link to the server's, after a while. */
static void *
test_outbox_appear(void *arg)
{
	struct test_outbox_late	*l = arg;
	struct timespec		 ts_wait;

	ts_wait.tv_sec = l->after_ms / 1000;
	ts_wait.tv_nsec = (l->after_ms % 1000) * 1000000L;
	nanosleep(&ts_wait, NULL);
	if (symlink(ts.sock, l->path) != 0)
		return (void *)1;
	return NULL;
}

/*
 * A worker writes an outcome once Redis answers again, even when its own
 * connection was lost before: one attempt only after an earlier outcome
 * gave up, and then the whole time again once one is written.
 */
static void
test_record_late(void **state)
{
	struct test_outbox	  t;
	struct test_outbox_late	  late;
	struct outbox_item	**mail, **sms;
	struct send_result	  res;
	struct generation	 *g;
	struct deliver		 *d;
	struct redis		 *r = NULL;
	struct config		 *cf;
	pthread_t		  thread;
	void			 *rv;
	char			 *path, *cause = NULL;
	FILE			 *f;
	int64_t			  started;
	int			  gave_up = 0;

	(void)state;
	test_outbox_open(&t, NULL);
	testnotice_queue(t.r, t.cf, t.n, NOW);
	mail = test_claim_take(&t, EVENT_CHANNEL_EMAIL, NOW, 1);
	sms = test_claim_take(&t, EVENT_CHANNEL_SMS, NOW, 1);
	late.path = xasprintf("%s/late.sock", ts.dir);
	late.after_ms = 500;
	path = xasprintf("%s/late.conf", ts.dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "redis = { url = \"unix://%s\"; consumer = \"me\"; };\n"
	    "delivery = { lease_seconds = 10; };\n", late.path);
	fclose(f);
	cf = config_load(path, &cause);
	assert_non_null(cf);
	g = generation_new(cf, NULL);
	d = deliver_start(g, 0, NULL);
	memset(&res, 0, sizeof res);
	channel_result(&res, SEND_OK, "250 2.0.0 Ok");

	/* Redis is away at first, then answers. */
	assert_int_equal(pthread_create(&thread, NULL, test_outbox_appear,
	    &late), 0);
	deliver_record(d, &r, &gave_up, cf, mail[0], &res, NULL, "email");
	assert_int_equal(pthread_join(thread, &rv), 0);
	assert_null(rv);
	test_outbox_field_is(&t, "2026-7/3/0", "state", "sent");
	assert_int_equal(gave_up, 0);

	/* After one gave up: a single attempt, the claim left as it was. */
	redis_free(r);
	r = NULL;
	assert_int_equal(unlink(late.path), 0);
	gave_up = 1;
	started = clock_now();
	deliver_record(d, &r, &gave_up, cf, sms[0], &res, NULL, "sms");
	assert_true(clock_now() - started < 1000);
	assert_null(r);
	assert_int_equal(gave_up, 1);
	test_outbox_field_is(&t, "2026-7/3/1", "state", "sending");
	late.after_ms = 0;
	assert_null(test_outbox_appear(&late));
	deliver_record(d, &r, &gave_up, cf, sms[0], &res, NULL, "sms");
	test_outbox_field_is(&t, "2026-7/3/1", "state", "sent");
	assert_int_equal(gave_up, 0);

	redis_free(r);
	deliver_stop(d, 0);
	generation_drop(g);
	unlink(late.path);
	free(late.path);
	free(path);
	channel_result_clear(&res);
	test_outbox_free(mail, 1);
	test_outbox_free(sms, 1);
	test_outbox_close(&t);
}

/* A worker of one channel waiting for a wake-up, and what it saw. */
struct test_waiter {
	struct deliver	*d;
	int		 chan;
	unsigned long	 seen;
	int		 woken;		/* under test_waiters_lock */
};

static pthread_mutex_t test_waiters_lock = PTHREAD_MUTEX_INITIALIZER;

/* Wait as a worker would, at most 5 s, and say so when woken. */
static void *
test_waiter_main(void *arg)
{
	struct test_waiter	*w = arg;

	deliver_wait(w->d, w->chan, w->seen, 5000);
	pthread_mutex_lock(&test_waiters_lock);
	w->woken = 1;
	pthread_mutex_unlock(&test_waiters_lock);
	return NULL;
}

/* Return how many of the n waiters of chan were woken by now, 300 ms on. */
static int
test_waiters_woken(struct test_waiter *w, size_t n, int chan)
{
	size_t	i;
	int	k = 0;

	usleep(300 * 1000);
	pthread_mutex_lock(&test_waiters_lock);
	for (i = 0; i < n; i++)
		k += w[i].chan == chan && w[i].woken;
	pthread_mutex_unlock(&test_waiters_lock);
	return k;
}

/*
 * New events wake one waiting email worker and the SMS worker, not every
 * email worker; a worker that took a whole batch wakes one more; a kick
 * for everyone wakes the rest.
 */
static void
test_deliver_wakes(void **state)
{
	struct generation	*g;
	struct deliver		*d;
	struct test_waiter	 w[4];
	pthread_t		 th[4];
	size_t			 i;

	(void)state;
	g = generation_new(testserver_config(&ts, NULL, NULL), NULL);
	d = deliver_start(g, 0, NULL);
	memset(w, 0, sizeof w);
	for (i = 0; i < 4; i++) {
		w[i].d = d;
		w[i].chan = i < 3 ? DELIVER_EMAIL : DELIVER_SMS;
		w[i].seen = deliver_kicks(d, w[i].chan);
		assert_int_equal(pthread_create(&th[i], NULL,
		    test_waiter_main, &w[i]), 0);
	}
	usleep(500 * 1000);		/* all four are waiting */
	deliver_kick_one(d);
	assert_int_equal(test_waiters_woken(w, 4, DELIVER_EMAIL), 1);
	assert_int_equal(test_waiters_woken(w, 4, DELIVER_SMS), 1);
	deliver_pass(d, DELIVER_EMAIL);
	assert_int_equal(test_waiters_woken(w, 4, DELIVER_EMAIL), 2);
	deliver_kick(d);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(test_waiters_woken(w, 4, DELIVER_EMAIL), 3);
	deliver_stop(d, 0);
	generation_drop(g);
}

/*
 * What waits is read as closeloop queue and the console read it: due
 * now and later per channel, the oldest and the next, and the first dead
 * letters with their time.
 */
static void
test_backlog(void **state)
{
	struct test_outbox	 t;
	struct backlog_wait	 w;
	struct redis_reply	*reply;
	char			*cause = NULL, when[32];
	int			 i;

	(void)state;
	test_outbox_open(&t, NULL);
	testnotice_queue(t.r, t.cf, t.n, NOW);
	redis_reply_free(redis_command(t.r, NULL, "ZADD closeloop:outbox:email "
	    "%lld 2026-8/1/0", NOW + 60000));
	backlog_channel(t.r, t.cf, EVENT_CHANNEL_EMAIL, NOW + 1000, &w);
	assert_int_equal(w.due, 1);
	assert_int_equal(w.later, 1);
	assert_int_equal(w.oldest, NOW);
	assert_int_equal(w.next, NOW + 60000);
	backlog_channel(t.r, t.cf, EVENT_CHANNEL_SMS, NOW - 1, &w);
	assert_int_equal(w.due, 0);
	assert_int_equal(w.later, 1);
	assert_int_equal(w.oldest, 0);
	assert_int_equal(w.next, NOW);
	assert_int_equal(backlog_count(t.r, "ZCARD %s",
	    "closeloop:outbox:sending"), 0);
	assert_int_equal(backlog_count(t.r, "GET %s", "closeloop:none"), -1);

	for (i = 0; i < 3; i++)
		redis_reply_free(redis_command(t.r, NULL, "XADD closeloop:dead "
		    "%lld-%d kind notification id 2026-7/3/%d error x",
		    NOW, i, i));
	reply = backlog_dead(t.r, t.cf, 2, &cause);
	assert_non_null(reply);
	assert_int_equal(reply->elements, 2);
	assert_string_equal(reply->element[1]->element[0]->str,
	    "1795000000000-1");
	assert_string_equal(redis_reply_field(reply->element[1]->element[1],
	    "id"), "2026-7/3/1");
	redis_reply_free(reply);
	reply = backlog_dead(t.r, t.cf, 0, &cause);
	assert_non_null(reply);
	assert_int_equal(reply->elements, 3);
	redis_reply_free(reply);
	assert_int_equal(backlog_entry_ms("1795000000000-2"), NOW);
	backlog_when("1795000000000-2", when);
	assert_string_equal(when, "2026-11-18T11:06:40Z");
	redis_reply_free(redis_command(t.r, NULL, "DEL closeloop:dead"));
	redis_reply_free(redis_command(t.r, NULL, "SET closeloop:dead x"));
	assert_null(backlog_dead(t.r, t.cf, 0, &cause));
	assert_non_null(cause);
	free(cause);
	test_outbox_close(&t);
}

/* Why a notification waits, and how far off a time is, in words. */
static void
test_waitlist_words(void **state)
{
	char	buf[WAITLIST_SPAN_LEN];

	(void)state;
	/* Due now: due, or paused; whatever the record says. */
	assert_string_equal(waitlist_reason("retry", 2, 0, 0, NOW, NOW),
	    "due");
	assert_string_equal(waitlist_reason(NULL, 0, 0, 1, NOW - 5, NOW),
	    "paused");
	/* Later: the record's word when it is one of them. */
	assert_string_equal(waitlist_reason("rate", 0, 1, 0, NOW + 1, NOW),
	    "rate");
	assert_string_equal(waitlist_reason("paused", 3, 0, 0, NOW + 1, NOW),
	    "paused");
	assert_string_equal(waitlist_reason("quiet_hours", 0, 0, 0, NOW + 1,
	    NOW), "quiet_hours");
	/* Else inferred: tried before, then the end of the quiet hours. */
	assert_string_equal(waitlist_reason("bogus", 1, 1, 0, NOW + 1, NOW),
	    "retry");
	assert_string_equal(waitlist_reason(NULL, 0, 1, 1, NOW + 1, NOW),
	    "quiet_hours");
	assert_string_equal(waitlist_reason(NULL, 0, 0, 0, NOW + 1, NOW),
	    "later");

	waitlist_span(0, buf);
	assert_string_equal(buf, "0s");
	waitlist_span(44001, buf);
	assert_string_equal(buf, "45s");
	waitlist_span(5128000, buf);
	assert_string_equal(buf, "1h 25m");
	waitlist_span(300000, buf);
	assert_string_equal(buf, "5m");
	waitlist_span(7200000, buf);
	assert_string_equal(buf, "2h");
	waitlist_span(2 * 86400000LL + 3 * 3600000LL + 59000, buf);
	assert_string_equal(buf, "2d 3h");
	waitlist_span(86400000LL, buf);
	assert_string_equal(buf, "1d");
	waitlist_relative(NOW + 300000, NOW, buf);
	assert_string_equal(buf, "in 5m");
	waitlist_relative(NOW - 120000, NOW, buf);
	assert_string_equal(buf, "2m ago");
	waitlist_relative(NOW + 999, NOW, buf);
	assert_string_equal(buf, "now");
}

/* Write SR sr's state, its notice due at due, and its due entry. */
static void
test_waitlist_state(struct test_outbox *t, const char *sr, int held,
    const char *email, int64_t due)
{
	struct srstate		*st;
	struct srstate_wo	*wo;
	struct txn		 tx;
	const char		*argv[4];
	char			**fields, *key, at[32];
	size_t			 n, i;

	st = srstate_new(sr);
	wo = srstate_wo_add(st, "TW", "TW", NOW - 60000);
	wo->status = held ? VOCAB_STATUS_CLOSED : VOCAB_STATUS_IN_PROGRESS;
	wo->ts = NOW - 60000;
	if (held) {
		wo->open = 0;
		wo->reason = VOCAB_REASON_COMPLETED;
		wo->closed = NOW - 60000;
		st->closed_at = NOW - 60000;
	}
	if (email != NULL)
		srstate_contact_add(st, EVENT_CHANNEL_EMAIL, email)->active = 1;
	st->due = due;
	st->held = held;
	fields = srhash_encode(st, &n);
	key = srstate_key(t->cf, sr);
	snprintf(at, sizeof at, "%lld", (long long)due);
	txn_begin(&tx, t->r);
	for (i = 0; i < n; i++) {
		argv[0] = "HSET";
		argv[1] = key;
		argv[2] = fields[2 * i];
		argv[3] = fields[2 * i + 1];
		txn_queue(&tx, 4, argv);
	}
	argv[0] = "ZADD";
	argv[1] = "closeloop:due";
	argv[2] = at;
	argv[3] = sr;
	txn_queue(&tx, 4, argv);
	assert_int_equal(txn_exec(&tx, sr, NULL), 1);
	srhash_encode_free(fields, n);
	free(key);
	srstate_free(st);
}

/* Read a list; assert how many entries it has and how many more. */
static struct waitlist *
test_waitlist(struct test_outbox *t, enum waitlist_kind kind,
    const char *sr, int channels, size_t limit, int64_t now, size_t n,
    long long more)
{
	struct waitlist_filter	 f = { sr, channels, limit };
	struct waitlist		*wl;
	char			*cause = NULL;

	if (waitlist_read(t->r, t->cf, kind, &f, now, &wl, &cause) != 0)
		fail_msg("waitlist_read: %s", cause);
	assert_int_equal(wl->n, n);
	assert_int_equal(wl->more, more);
	return wl;
}

/*
 * The lists closeloop queue and the console show: the held notices with
 * the notice each would send, the notifications waiting with why, the
 * claims; filtered by SR and channel, cut at a limit.
 */
static void
test_waitlist_read(void **state)
{
	struct test_outbox	 t;
	struct outbox_item	**items;
	struct send_result	 res;
	struct waitlist		*wl;
	char			*cause = NULL, *v;
	/* 2026-11-23 03:00 UTC is 22:00 in Toronto; 08:00 is 13:00 UTC. */
	int64_t			 night = 1795402800000LL;
	int64_t			 morning = night + 10 * 3600000LL;

	(void)state;
	test_outbox_open(&t, "sms = { quiet_hours = \"21:00-08:00\"; };");
	testnotice_queue(t.r, t.cf, t.n, night);
	test_outbox_field_is(&t, "2026-7/3/1", "wait", "quiet_hours");
	assert_null(testnotice_field(t.r, t.cf, "2026-7/3/0", "wait"));

	/* Both channels, by due time: the email due now, the SMS at 8. */
	wl = test_waitlist(&t, WAITLIST_WAITING, NULL, 0, 100, night, 2, 0);
	assert_string_equal(wl->item[0].id, "2026-7/3/0");
	assert_string_equal(wl->item[0].sr, "2026-7");
	assert_string_equal(wl->item[0].notice, "completed");
	assert_string_equal(wl->item[0].reason, "due");
	assert_string_equal(wl->item[0].to, "a***@example.org");
	assert_int_equal(wl->item[0].channel, EVENT_CHANNEL_EMAIL);
	assert_string_equal(wl->item[1].reason, "quiet_hours");
	assert_string_equal(wl->item[1].to, "+1416***0100");
	assert_string_equal(wl->item[1].locale, "fr");
	assert_int_equal(wl->item[1].at, morning);
	waitlist_free(wl);
	/* Without the record's word, the end of the quiet hours says it. */
	redis_reply_free(redis_command(t.r, NULL,
	    "HDEL closeloop:sr:{2026-7}:n:3/1 wait"));
	wl = test_waitlist(&t, WAITLIST_WAITING, NULL, EVENT_CHANNEL_SMS, 0,
	    night, 1, 0);
	assert_string_equal(wl->item[0].reason, "quiet_hours");
	waitlist_free(wl);
	/* Cut at one; another SR's; a paused channel. */
	waitlist_free(test_waitlist(&t, WAITLIST_WAITING, NULL, 0, 1, night,
	    1, 1));
	waitlist_free(test_waitlist(&t, WAITLIST_WAITING, "2026-7", 0, 0,
	    night, 2, 0));
	waitlist_free(test_waitlist(&t, WAITLIST_WAITING, "2026", 0, 0,
	    night, 0, 0));
	redis_reply_free(redis_command(t.r, NULL,
	    "HSET closeloop:pause:email by ops reason test"));
	assert_int_equal(waitlist_paused(t.r, t.cf, EVENT_CHANNEL_EMAIL), 1);
	assert_int_equal(waitlist_paused(t.r, t.cf, EVENT_CHANNEL_SMS), 0);
	wl = test_waitlist(&t, WAITLIST_WAITING, NULL, EVENT_CHANNEL_EMAIL,
	    0, night, 1, 0);
	assert_string_equal(wl->item[0].reason, "paused");
	waitlist_free(wl);
	redis_reply_free(redis_command(t.r, NULL, "DEL closeloop:pause:email"));

	/* Claimed: a claim, its owner, and no more waiting. */
	items = test_claim_take(&t, EVENT_CHANNEL_EMAIL, night, 1);
	wl = test_waitlist(&t, WAITLIST_CLAIM, NULL, 0, 0, night, 1, 0);
	assert_string_equal(wl->item[0].owner, "me");
	assert_int_equal(wl->item[0].claimed, night);
	assert_int_equal(wl->item[0].channel, EVENT_CHANNEL_EMAIL);
	assert_int_equal(wl->item[0].attempts, 1);
	waitlist_free(wl);
	waitlist_free(test_waitlist(&t, WAITLIST_CLAIM, NULL,
	    EVENT_CHANNEL_SMS, 0, night, 0, 0));
	waitlist_free(test_waitlist(&t, WAITLIST_WAITING, NULL, 0, 0, night,
	    1, 0));
	/* A temporary failure: waiting for a retry, the record says so. */
	memset(&res, 0, sizeof res);
	channel_result(&res, SEND_TEMPFAIL, "451 4.3.0 try later");
	assert_int_equal(outcome_write(t.r, t.cf, items[0], &res, NULL, 0,
	    night, &cause), 0);
	channel_result_clear(&res);
	test_outbox_free(items, 1);
	test_outbox_field_is(&t, "2026-7/3/0", "wait", "retry");
	wl = test_waitlist(&t, WAITLIST_WAITING, NULL, EVENT_CHANNEL_EMAIL,
	    0, night, 1, 0);
	assert_string_equal(wl->item[0].reason, "retry");
	waitlist_free(wl);
	/* A claim takes the word away. */
	test_outbox_free(test_claim_take(&t, EVENT_CHANNEL_SMS, morning, 1),
	    1);
	v = testnotice_field(t.r, t.cf, "2026-7/3/1", "wait");
	assert_null(v);

	/* Held: a closure (and the notice it would send), a burst. */
	test_waitlist_state(&t, "H-1", 1, "h@example.org", night + 600000);
	test_waitlist_state(&t, "H-2", 0, NULL, night + 60000);
	wl = test_waitlist(&t, WAITLIST_HELD, NULL, 0, 0, night, 2, 0);
	assert_string_equal(wl->item[0].sr, "H-2");
	assert_string_equal(wl->item[0].reason, "coalesce");
	assert_string_equal(wl->item[0].notice, "update coalesced");
	assert_string_equal(wl->item[1].sr, "H-1");
	assert_string_equal(wl->item[1].reason, "settle");
	assert_string_equal(wl->item[1].notice, "completed");
	assert_int_equal(wl->item[1].at, night + 600000);
	waitlist_free(wl);
	waitlist_free(test_waitlist(&t, WAITLIST_HELD, "H-1", 0, 0, night, 1,
	    0));
	waitlist_free(test_waitlist(&t, WAITLIST_HELD, "H-3", 0, 0, night, 0,
	    0));
	waitlist_free(test_waitlist(&t, WAITLIST_HELD, NULL,
	    EVENT_CHANNEL_EMAIL, 0, night, 1, 0));
	waitlist_free(test_waitlist(&t, WAITLIST_HELD, NULL,
	    EVENT_CHANNEL_SMS, 0, night, 0, 0));
	waitlist_free(test_waitlist(&t, WAITLIST_HELD, NULL, 0, 1, night, 1,
	    1));
	test_outbox_close(&t);
}

/*
 * A list longer than a page: read a page at a time, cut at the limit,
 * the rest counted; filtered by SR across the pages.
 */
static void
test_waitlist_pages(void **state)
{
	struct test_outbox	 t;
	struct waitlist		*wl;
	struct redis_reply	*reply;
	int			 i;

	(void)state;
	test_outbox_open(&t, NULL);
	redis_reply_free(redis_command(t.r, NULL, "ZADD closeloop:outbox:email "
	    "1 P-2/1/0"));
	for (i = 0; i < 2500; i++) {
		reply = redis_command(t.r, NULL, "ZADD closeloop:outbox:email "
		    "%d P-%d/1/%d", 10 + i, i % 3 == 0 ? 1 : 3, i);
		redis_reply_free(reply);
	}
	wl = test_waitlist(&t, WAITLIST_WAITING, NULL, 0, 100, NOW, 100,
	    2501 - 100);
	assert_string_equal(wl->item[0].id, "P-2/1/0");
	assert_string_equal(wl->item[99].id, "P-3/1/98");
	waitlist_free(wl);
	waitlist_free(test_waitlist(&t, WAITLIST_WAITING, NULL, 0, 0, NOW,
	    2501, 0));
	/* P-1: every third, across the pages. */
	waitlist_free(test_waitlist(&t, WAITLIST_WAITING, "P-1", 0, 10, NOW,
	    10, 834 - 10));
	wl = test_waitlist(&t, WAITLIST_WAITING, "P-1", 0, 0, NOW, 834, 0);
	assert_string_equal(wl->item[833].id, "P-1/1/2499");
	waitlist_free(wl);
	test_outbox_close(&t);
}

/* Start the server, run the tests, stop it. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_records),
		cmocka_unit_test(test_deliver_wakes),
		cmocka_unit_test(test_outcome_sent),
		cmocka_unit_test(test_outcome_retry),
		cmocka_unit_test(test_retry_delay),
		cmocka_unit_test(test_outcome_dead),
		cmocka_unit_test(test_outcome_fallback),
		cmocka_unit_test(test_recover),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_unsubscribed),
		cmocka_unit_test(test_quiet_hours),
		cmocka_unit_test(test_outcome_again),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_record_late),
		cmocka_unit_test(test_watch_settled),
		cmocka_unit_test(test_backlog),
		cmocka_unit_test(test_waitlist_words),
		cmocka_unit_test(test_waitlist_read),
		cmocka_unit_test(test_waitlist_pages),
	};

	return testredis_run(&ts, "outbox", tests,
	    sizeof tests / sizeof tests[0]);
}
