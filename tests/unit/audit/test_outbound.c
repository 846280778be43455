/*
 * test_outbound.c - unit tests for the write-back to the CRM (outbound.c)
 *
 * Against a private redis-server: which decisions make an entry and of
 * which type; an entry's fields, in the contract's names, with contacts
 * masked even when a decision carried one whole; entries written by
 * audit_queue() in the caller's transaction, so that a transaction that
 * loses its WATCH race, or that Redis refuses, writes none, and one
 * refused for the outbound stream's sake records nothing either; the
 * stream's name, its cap and the switch that turns it off.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit.h"
#include "config.h"
#include "decision.h"
#include "outbound.h"
#include "redis.h"
#include "redisconn.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"

#define NOW	1795000000007LL		/* 2026-11-18T11:06:40.007Z, ms */

static struct testserver	ts;

/* A connection and configuration for one test, on an empty server. */
struct test_outbound {
	struct config	*cf;
	struct redis	*r;
};

/* Connect to the test server with extra configuration, and empty it. */
static void
test_outbound_open(struct test_outbound *t, const char *extra)
{
	t->cf = testserver_config(&ts, NULL, extra);
	t->r = testredis_open(t->cf);
}

/* Free what test_outbound_open() made. */
static void
test_outbound_close(struct test_outbound *t)
{
	redis_free(t->r);
	config_free(t->cf);
}

/*
 * Write the decisions of dl about sr as a step would, expecting
 * txn_exec() to answer want, and empty dl.
 */
static void
test_outbound_write(struct test_outbound *t, const char *sr,
    struct decision_list *dl, int want)
{
	struct txn	 tx;
	char		*cause = NULL;

	txn_begin(&tx, t->r);
	audit_queue(&tx, t->cf, sr, dl, NOW);
	assert_int_equal(txn_exec(&tx, sr, &cause), want);
	free(cause);
	decision_clear(dl);
}

/* Return the stream key's entries, oldest first (XRANGE - +). */
static struct redis_reply *
test_outbound_read(struct test_outbound *t, const char *key)
{
	struct redis_reply	*reply;

	reply = redis_command(t->r, NULL, "XRANGE %s - +", key);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	return reply;
}

/*
 * Check that the fields of an entry are exactly the name/value pairs of
 * want, in that order, ending with a NULL name.
 */
static void
test_outbound_fields(const struct redis_reply *f, const char *const *want)
{
	size_t	i;

	for (i = 0; want[i] != NULL; i += 2) {
		assert_true(i + 1 < f->elements);
		assert_string_equal(f->element[i]->str, want[i]);
		assert_string_equal(f->element[i + 1]->str, want[i + 1]);
	}
	assert_int_equal(f->elements, i);
}

/* Which kinds and rules make an entry, and of which type. */
static void
test_outbound_types(void **state)
{
	static const struct {
		enum decision_kind	 kind;
		const char		*rule;
		const char		*type;
	} rows[] = {
		{ DECISION_QUEUED, NULL, "queued" },
		{ DECISION_QUEUED, "fallback", "queued" },
		{ DECISION_QUEUED, "partial_work_order", "queued" },
		{ DECISION_SENT, NULL, "sent" },
		{ DECISION_DELIVERED, NULL, "delivered" },
		{ DECISION_UNDELIVERED, NULL, "undelivered" },
		{ DECISION_FAILED, NULL, "failed" },
		{ DECISION_DEAD, NULL, "dead" },
		{ DECISION_UNSUBSCRIBED, NULL, "unsubscribed" },
		{ DECISION_UNSUBSCRIBED, "sms_stop", "unsubscribed" },
		{ DECISION_SUPPRESSED, "unsubscribed", "suppressed" },
		{ DECISION_SUPPRESSED, "suppressed_address", "suppressed" },
		{ DECISION_SUPPRESSED, "dropped_by_operator", "suppressed" },
		{ DECISION_SUPPRESSED, "stale_event", "suppressed" },
		{ DECISION_SUPPRESSED, "explicit_transfer", "suppressed" },
		{ DECISION_SUPPRESSED, "implicit_transfer", "suppressed" },
		{ DECISION_SUPPRESSED, "partial_work_order", "suppressed" },
		{ DECISION_BOUNCED, "hard_bounce", "bounced" },
		{ DECISION_BOUNCED, "soft_bounce", "bounced" },
		{ DECISION_COMPLAINED, NULL, "complained" },
		{ DECISION_ASKED, NULL, "asked" },
		{ DECISION_ANSWERED, NULL, "answered" },
		{ DECISION_UNANSWERED, NULL, "unanswered" },
		/* What the CRM need not hear of. */
		{ DECISION_SUPPRESSED, "unchanged", NULL },
		{ DECISION_SUPPRESSED, "notify_on", NULL },
		{ DECISION_SUPPRESSED, "no_subscriber", NULL },
		{ DECISION_SUPPRESSED, NULL, NULL },
		{ DECISION_HELD, "settle", NULL },
		{ DECISION_COALESCED, "coalesce", NULL },
		{ DECISION_FLAGGED, "closed_not_done", NULL },
		{ DECISION_IGNORED, "out_of_order", NULL },
		{ DECISION_SUBSCRIBED, NULL, NULL },
		{ DECISION_DEFERRED, "quiet_hours", NULL },
		{ DECISION_RETRIED, NULL, NULL },
		{ DECISION_RECEIVED, NULL, NULL },
		{ DECISION_DRY_RUN, NULL, NULL },
		{ DECISION_MEASURED, NULL, NULL },
		{ DECISION_SUPPRESSED, "no_longer_completed", NULL },
		{ DECISION_SUPPRESSED, "feedback_off", NULL },
	};
	struct decision	d;
	const char	*type;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(&d, 0, sizeof d);
		d.kind = rows[i].kind;
		d.rule = rows[i].rule;
		type = outbound_type(&d, 0);
		if (rows[i].type == NULL) {
			if (type != NULL)
				fail_msg("row %zu: %s (%s) makes %s", i,
				    decision_kind_name(d.kind),
				    d.rule != NULL ? d.rule : "-", type);
			continue;
		}
		if (type == NULL || strcmp(type, rows[i].type) != 0)
			fail_msg("row %zu: %s (%s) makes %s, not %s", i,
			    decision_kind_name(d.kind),
			    d.rule != NULL ? d.rule : "-",
			    type != NULL ? type : "nothing", rows[i].type);
		assert_null(outbound_type(&d, 1));
	}
}
/*
 * An answer makes one entry, and a second, reopen_requested, when it
 * says not fixed or partly: never for fixed, nor for no answer.
 */
static void
test_outbound_answer_types(void **state)
{
	static const struct {
		const char	*answer;
		const char	*second;
	} rows[] = {
		{ "fixed", NULL },
		{ "not_fixed", "reopen_requested" },
		{ "partly", "reopen_requested" },
		{ NULL, NULL },
		{ "", NULL },
		{ "not_fixedx", NULL },
	};
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	const char		*type;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		d = decision_add(&dl, DECISION_ANSWERED, NULL,
		    VOCAB_NOTICE_FEEDBACK, "TW", NULL, "%s", "");
		if (rows[i].answer != NULL)
			decision_set(d, "answer", rows[i].answer);
		assert_string_equal(outbound_type(d, 0), "answered");
		type = outbound_type(d, 1);
		if (rows[i].second == NULL) {
			if (type != NULL)
				fail_msg("answer %s makes %s", rows[i].answer,
				    type);
		} else
			assert_string_equal(type, rows[i].second);
		assert_null(outbound_type(d, 2));
		decision_clear(&dl);
	}
}

/*
 * A resident's answer, not fixed: the answer, then the reopen request,
 * each with the comment, its contacts masked, and the question.
 */
static void
test_outbound_reopen(void **state)
{
	/* The answer's fields; the reopen request's but for its type. */
	const char		*want[] = {
		"v", "1", "type", "answered", "sr", "8812",
		"at", "2026-11-18T11:06:40.007Z",
		"notice", "feedback", "division", "TW",
		"channel", "sms", "locale", "fr-CA", "to", "+1416***0100",
		"question", "8812/4/1", "answer", "not_fixed",
		"previous", "fixed",
		"comment", "toujours un trou, appelez +1416***0100", NULL
	};
	struct test_outbound	 t;
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct redis_reply	*reply;

	(void)state;
	test_outbound_open(&t, NULL);
	d = decision_add(&dl, DECISION_ANSWERED, NULL, VOCAB_NOTICE_FEEDBACK,
	    "TW", NULL, "not_fixed, answered by sms");
	decision_set(d, "channel", "sms");
	decision_set(d, "to", "+14165550100");
	decision_set(d, "locale", "fr-CA");
	decision_set(d, "question", "8812/4/1");
	decision_set(d, "completion", "8812/4/1");
	decision_set(d, "answer", "not_fixed");
	decision_set(d, "previous", "fixed");
	decision_set(d, "comment", "toujours un trou, appelez +14165550100");
	test_outbound_write(&t, "8812", &dl, 1);
	reply = test_outbound_read(&t, "closeloop:outbound");
	assert_int_equal(reply->elements, 2);
	test_outbound_fields(reply->element[0]->element[1], want);
	want[3] = "reopen_requested";
	test_outbound_fields(reply->element[1]->element[1], want);
	redis_reply_free(reply);
	test_outbound_close(&t);
}

/*
 * A sent message: the contract's fields in order, the content itself
 * and the trail's own fields left out, the contacts masked.
 */
static void
test_outbound_sent(void **state)
{
	static const char *const want[] = {
		"v", "1", "type", "sent", "sr", "8812",
		"at", "2026-11-18T11:06:40.007Z",
		"notice", "completed", "division", "TW",
		"event_ids", "crm-100288 crm-100289",
		"notification", "8812/3/0", "channel", "email",
		"locale", "fr-CA", "to", "a***@example.org",
		"template_version", "2026-03-01.2",
		"content_sha256", "9f86d081884c7d659a2feaa0c55ad015"
		    "a3bf4f1b2b0b822cd15d6c15b0f00a08",
		"reply", "250 2.0.0 Ok: queued for a***@example.org as 4F2",
		NULL
	};
	struct test_outbound	 t;
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct redis_reply	*reply;

	(void)state;
	test_outbound_open(&t, NULL);
	d = decision_add(&dl, DECISION_SENT, NULL, VOCAB_NOTICE_COMPLETED,
	    "TW", "crm-100288 crm-100289", "email to a***@example.org: 250");
	decision_set(d, "channel", "email");
	/* Whole, as no caller should: it leaves masked all the same. */
	decision_set(d, "to", "alice@example.org");
	decision_set(d, "locale", "fr-CA");
	decision_set(d, "notification", "8812/3/0");
	decision_set(d, "attempt", "1");
	decision_set(d, "template_version", "2026-03-01.2");
	decision_set(d, "subject", "Votre demande 8812");
	decision_set(d, "text", "Bonjour, alice@example.org ...");
	decision_set(d, "content_sha256", "9f86d081884c7d659a2feaa0c55ad015"
	    "a3bf4f1b2b0b822cd15d6c15b0f00a08");
	decision_set(d, "kept_sha256", "ab12");
	decision_set(d, "reply",
	    "250 2.0.0 Ok: queued for alice@example.org as 4F2");
	decision_set(d, "provider_id", "4F2");
	decision_set(d, "ward", "7");
	decision_set(d, "service", "Water Service Line - Leak");
	test_outbound_write(&t, "8812", &dl, 1);
	reply = test_outbound_read(&t, "closeloop:outbound");
	assert_int_equal(reply->elements, 1);
	test_outbound_fields(reply->element[0]->element[1], want);
	redis_reply_free(reply);
	test_outbound_close(&t);
}

/*
 * A step's decisions: one entry for each the CRM hears of, in order -
 * the notice queued with its id and recipients, a closure held back
 * with its rule, an SMS delivered with its masked number - and none for
 * the others.
 */
static void
test_outbound_step(void **state)
{
	static const char *const queued[] = {
		"v", "1", "type", "queued", "sr", "8812",
		"at", "2026-11-18T11:06:40.007Z",
		"notice", "transferred", "division", "TW",
		"event_ids", "crm-100245", "recipients", "2",
		"notice_id", "8812/2", NULL
	};
	static const char *const held[] = {
		"v", "1", "type", "suppressed", "sr", "8812",
		"at", "2026-11-18T11:06:40.007Z",
		"notice", "completed", "division", "TS",
		"rule", "explicit_transfer", "event_ids", "crm-100245", NULL
	};
	static const char *const delivered[] = {
		"v", "1", "type", "delivered", "sr", "8812",
		"at", "2026-11-18T11:06:40.007Z",
		"notice", "received", "division", "TS",
		"notification", "8812/1/1", "channel", "sms",
		"locale", "en", "to", "+1416***0100",
		"reply", "DELIVRD to +1416***0100", NULL
	};
	struct test_outbound	 t;
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct redis_reply	*reply;

	(void)state;
	test_outbound_open(&t, NULL);
	decision_add(&dl, DECISION_RECEIVED, NULL, VOCAB_NOTICE_NONE, "TS",
	    "crm-100245", "closed by TS (transferred), to TW");
	decision_add(&dl, DECISION_SUPPRESSED, "explicit_transfer",
	    VOCAB_NOTICE_COMPLETED, "TS", "crm-100245",
	    "not told as completed");
	decision_add(&dl, DECISION_HELD, "settle", VOCAB_NOTICE_NONE, "TS",
	    "crm-100245", "held");
	d = decision_add(&dl, DECISION_QUEUED, NULL,
	    VOCAB_NOTICE_TRANSFERRED, "TW", "crm-100245", "queued");
	d->recipients = 2;
	decision_set(d, "notice_id", "8812/2");
	d = decision_add(&dl, DECISION_DELIVERED, NULL,
	    VOCAB_NOTICE_RECEIVED, "TS", NULL, "sms to +1416***0100: ok");
	decision_set(d, "channel", "sms");
	decision_set(d, "to", "+1416***0100");
	decision_set(d, "locale", "en");
	decision_set(d, "notification", "8812/1/1");
	decision_set(d, "receipt", "delivered");
	decision_set(d, "reply", "DELIVRD to +14165550100");
	test_outbound_write(&t, "8812", &dl, 1);
	reply = test_outbound_read(&t, "closeloop:outbound");
	assert_int_equal(reply->elements, 3);
	test_outbound_fields(reply->element[0]->element[1], held);
	test_outbound_fields(reply->element[1]->element[1], queued);
	test_outbound_fields(reply->element[2]->element[1], delivered);
	redis_reply_free(reply);
	/* The trail has all five. */
	assert_int_equal(testredis_int(t.r, "XLEN closeloop:audit"), 5);
	test_outbound_close(&t);
}

/*
 * A step that loses its WATCH race writes no entry; one that meets a
 * damaged key, the outbound stream's or another's, writes its entry all
 * the same (txnrepair.h).
 */
static void
test_outbound_all_or_nothing(void **state)
{
	struct test_outbound	 t;
	struct decision_list	 dl = { NULL, 0 };
	struct redis		*other;
	struct redis_reply	*reply;
	char			*cause = NULL;

	(void)state;
	test_outbound_open(&t, NULL);
	other = redisconn_open(t.cf, &cause);
	assert_non_null(other);
	/* Another closeloopd changes the SR between WATCH and EXEC. */
	redis_reply_free(redis_command(t.r, &cause,
	    "WATCH closeloop:sr:{8812}:state"));
	redis_reply_free(redis_command(other, &cause,
	    "HSET closeloop:sr:{8812}:state seq 1"));
	decision_add(&dl, DECISION_QUEUED, NULL, VOCAB_NOTICE_RECEIVED, "TS",
	    "e-1", "queued")->recipients = 1;
	test_outbound_write(&t, "8812", &dl, 0);
	assert_int_equal(testredis_int(t.r, "EXISTS closeloop:outbound"), 0);
	assert_int_equal(testredis_int(t.r, "EXISTS closeloop:audit"), 0);
	/* The same step again, unraced: written. */
	decision_add(&dl, DECISION_QUEUED, NULL, VOCAB_NOTICE_RECEIVED, "TS",
	    "e-1", "queued")->recipients = 1;
	test_outbound_write(&t, "8812", &dl, 1);
	assert_int_equal(testredis_int(t.r, "XLEN closeloop:outbound"), 1);
	/* Another key damaged: moved aside, and the entry written. */
	redis_reply_free(redis_command(other, &cause,
	    "SET closeloop:stats x"));
	decision_add(&dl, DECISION_SENT, NULL, VOCAB_NOTICE_RECEIVED, "TS",
	    "e-1", "sent");
	test_outbound_write(&t, "8812", &dl, 1);
	assert_int_equal(testredis_int(t.r, "XLEN closeloop:outbound"), 2);
	assert_int_equal(testredis_int(t.r, "HLEN closeloop:stats"), 1);
	/* The outbound stream damaged: a new one holds the entry. */
	redis_reply_free(redis_command(other, &cause,
	    "RENAME closeloop:outbound closeloop:kept"));
	redis_reply_free(redis_command(other, &cause,
	    "SET closeloop:outbound x"));
	decision_add(&dl, DECISION_SENT, NULL, VOCAB_NOTICE_RECEIVED, "TS",
	    "e-1", "sent");
	test_outbound_write(&t, "8812", &dl, 1);
	assert_int_equal(testredis_int(t.r, "XLEN closeloop:audit"), 3);
	assert_int_equal(testredis_int(t.r, "XLEN closeloop:outbound"), 1);
	reply = test_outbound_read(&t, "closeloop:kept");
	assert_int_equal(reply->elements, 2);
	redis_reply_free(reply);
	assert_null(cause);
	redis_free(other);
	test_outbound_close(&t);
}

/* outbound.enabled = false: the trail, and no entry. */
static void
test_outbound_disabled(void **state)
{
	struct test_outbound	 t;
	struct decision_list	 dl = { NULL, 0 };

	(void)state;
	test_outbound_open(&t, "outbound = { enabled = false; };");
	decision_add(&dl, DECISION_SENT, NULL, VOCAB_NOTICE_RECEIVED, "TS",
	    "e-1", "sent");
	test_outbound_write(&t, "8812", &dl, 1);
	assert_int_equal(testredis_int(t.r, "XLEN closeloop:audit"), 1);
	assert_int_equal(testredis_int(t.r, "EXISTS closeloop:outbound"), 0);
	test_outbound_close(&t);
}

/* outbound.stream names it; outbound.maxlen caps it, about. */
static void
test_outbound_named_capped(void **state)
{
	struct test_outbound	 t;
	struct decision_list	 dl = { NULL, 0 };
	long long		 n;
	size_t			 i;

	(void)state;
	test_outbound_open(&t, "outbound = { stream = \"crm:told\"; "
	    "maxlen = 1000; };");
	for (i = 0; i < 2500; i++)
		decision_add(&dl, DECISION_FAILED, NULL,
		    VOCAB_NOTICE_COMPLETED, "TW", "e", "failed %zu", i);
	test_outbound_write(&t, "8812", &dl, 1);
	n = testredis_int(t.r, "XLEN crm:told");
	/* Trimming is approximate (~): whole nodes of 100 go at once. */
	assert_true(n >= 1000 && n <= 1100);
	assert_int_equal(testredis_int(t.r, "EXISTS closeloop:outbound"), 0);
	test_outbound_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outbound_types),
		cmocka_unit_test(test_outbound_answer_types),
		cmocka_unit_test(test_outbound_reopen),
		cmocka_unit_test(test_outbound_sent),
		cmocka_unit_test(test_outbound_step),
		cmocka_unit_test(test_outbound_all_or_nothing),
		cmocka_unit_test(test_outbound_disabled),
		cmocka_unit_test(test_outbound_named_capped),
	};

	return testredis_run(&ts, "outbound", tests,
	    sizeof tests / sizeof tests[0]);
}
