/*
 * test_audit.c - unit tests for the audit trail in Redis (audit.c)
 *
 * Against a private redis-server: decisions written as a step writes
 * them land in the SR's stream and in the stream of every SR, with the
 * SR, their fields and their retention; they read back in order, by
 * time range and across pages; and as JSON they have the shape that
 * "closeloop history --json" promises.
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
#include "clock.h"
#include "config.h"
#include "decision.h"
#include "redis.h"
#include "redisconn.h"
#include "store.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"
#include "xmalloc.h"

#define NOW	1795000000000LL		/* 2026-11-18T11:06:40Z, ms */

static struct testserver	ts;

/* A connection and configuration for one test, on an empty server. */
struct test_audit {
	struct config	*cf;
	struct redis	*r;
};

/* What audit_scan() handed over. */
struct test_audit_seen {
	size_t	 n;
	char	*ids[1200];
	char	*srs[1200];
	size_t	 stop_at;	/* stop after this many (0: never) */
};

/* Connect to the test server and empty it. */
static void
test_audit_open(struct test_audit *t, const char *extra)
{
	t->cf = testserver_config(&ts, NULL, extra);
	t->r = testredis_open(t->cf);
}

/* Free what test_audit_open() made. */
static void
test_audit_close(struct test_audit *t)
{
	redis_free(t->r);
	config_free(t->cf);
}

/* Write the decisions of dl about sr at now, as a step would. */
static void
test_audit_write(struct test_audit *t, const char *sr,
    struct decision_list *dl, int64_t now)
{
	struct txn	 tx;
	char		*cause = NULL;

	txn_begin(&tx, t->r);
	audit_queue(&tx, t->cf, sr, dl, now);
	assert_int_equal(txn_exec(&tx, sr, &cause), 1);
	decision_clear(dl);
}

/* Return an integer reply; -2 if the reply is not an integer. */
static long long
test_audit_int(struct test_audit *t, const char *fmt, const char *arg)
{
	struct redis_reply	*reply;
	long long		 v = -2;

	reply = redis_command(t->r, NULL, fmt, arg);
	assert_non_null(reply);
	if (reply->type == REDIS_TYPE_INTEGER)
		v = reply->integer;
	redis_reply_free(reply);
	return v;
}

/* Remember each entry handed over. */
static int
test_audit_seen(const char *id, const struct redis_reply *fields, void *arg)
{
	struct test_audit_seen	*s = arg;
	const char		*sr = redis_reply_field(fields, "sr");

	assert_true(s->n < 1200);
	s->ids[s->n] = xstrdup(id);
	s->srs[s->n] = xstrdup(sr != NULL ? sr : "");
	s->n++;
	return s->stop_at != 0 && s->n == s->stop_at;
}

/* Free what was remembered. */
static void
test_audit_seen_free(struct test_audit_seen *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		free(s->ids[i]);
		free(s->srs[i]);
	}
	memset(s, 0, sizeof *s);
}

/* Both streams get every entry, with its SR, fields and retention. */
static void
test_audit_both_streams(void **state)
{
	struct test_audit	 t;
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct redis_reply	*reply;
	const struct redis_reply *f;
	long long		 ttl;

	(void)state;
	test_audit_open(&t, "audit = { retain_days = 10; };");
	decision_add(&dl, DECISION_RECEIVED, NULL, VOCAB_NOTICE_NONE, "TS",
	    "e-1", "closed by TS (transferred), to TW");
	d = decision_add(&dl, DECISION_SUPPRESSED, "explicit_transfer",
	    VOCAB_NOTICE_COMPLETED, "TS", "e-1", "not told as completed");
	decision_set(d, "status", "closed");
	test_audit_write(&t, "8812", &dl, NOW);
	assert_int_equal(test_audit_int(&t, "XLEN %s",
	    "closeloop:sr:{8812}:audit"), 2);
	assert_int_equal(test_audit_int(&t, "XLEN %s", "closeloop:audit"), 2);
	ttl = test_audit_int(&t, "TTL %s", "closeloop:sr:{8812}:audit");
	assert_true(ttl > 10 * 86400 - 60 && ttl <= 10 * 86400);
	reply = redis_command(t.r, NULL, "HGET closeloop:stats %s",
	    "decision:suppressed");
	assert_non_null(reply);
	assert_non_null(reply->str);
	assert_string_equal(reply->str, "1");
	redis_reply_free(reply);
	reply = redis_command(t.r, NULL, "XRANGE %s - +", "closeloop:audit");
	assert_int_equal(reply->elements, 2);
	f = reply->element[1]->element[1];
	assert_string_equal(redis_reply_field(f, "sr"), "8812");
	assert_string_equal(redis_reply_field(f, "decision"), "suppressed");
	assert_string_equal(redis_reply_field(f, "rule"), "explicit_transfer");
	assert_string_equal(redis_reply_field(f, "status"), "closed");
	assert_string_equal(redis_reply_field(f, "at"), "1795000000000");
	redis_reply_free(reply);
	test_audit_close(&t);
}

/* Entries older than audit.retain_days leave the stream of every SR. */
static void
test_audit_trimmed(void **state)
{
	struct test_audit	 t;
	struct decision_list	 dl = { NULL, 0 };
	struct redis_reply	*reply;
	char			 id[32];
	int			 i;

	(void)state;
	test_audit_open(&t, "audit = { retain_days = 1; };");
	/* Entries three days old, as the stream would hold them. */
	for (i = 0; i < 300; i++) {
		snprintf(id, sizeof id, "%lld-%d",
		    (long long)(clock_now() - 3 * 86400000LL), i);
		reply = redis_command(t.r, NULL, "XADD closeloop:audit %s "
		    "sr OLD-1 decision held", id);
		assert_non_null(reply);
		assert_int_equal(reply->type, REDIS_TYPE_STRING);
		redis_reply_free(reply);
	}
	decision_add(&dl, DECISION_HELD, "settle", VOCAB_NOTICE_NONE, "TW",
	    "e-new", "new");
	test_audit_write(&t, "NEW-1", &dl, clock_now());
	/* Trimming is approximate (~): whole nodes of 100 go at once. */
	assert_true(test_audit_int(&t, "XLEN %s", "closeloop:audit") <= 101);
	test_audit_close(&t);
}

/* Scans read every entry in order across pages, by SR or by time. */
static void
test_audit_scan_pages(void **state)
{
	struct test_audit	 t;
	struct decision_list	 dl = { NULL, 0 };
	struct test_audit_seen	 s;
	char			 sr[16], *cause = NULL;
	size_t			 i;

	(void)state;
	test_audit_open(&t, NULL);
	memset(&s, 0, sizeof s);
	for (i = 0; i < 1100; i++) {
		snprintf(sr, sizeof sr, "S-%zu", i % 3);
		decision_add(&dl, DECISION_QUEUED, NULL, VOCAB_NOTICE_RECEIVED,
		    "TW", "e", "n %zu", i);
		test_audit_write(&t, sr, &dl, NOW);
	}
	assert_int_equal(audit_scan(t.r, t.cf, NULL, 0, 0, test_audit_seen,
	    &s, &cause), 0);
	assert_int_equal(s.n, 1100);
	for (i = 1; i < s.n; i++)
		assert_true(strcmp(s.ids[i - 1], s.ids[i]) != 0);
	test_audit_seen_free(&s);
	assert_int_equal(audit_scan(t.r, t.cf, "S-1", 0, 0, test_audit_seen,
	    &s, &cause), 0);
	assert_int_equal(s.n, 367);
	for (i = 0; i < s.n; i++)
		assert_string_equal(s.srs[i], "S-1");
	test_audit_seen_free(&s);
	s.stop_at = 10;
	assert_int_equal(audit_scan(t.r, t.cf, NULL, 0, 0, test_audit_seen,
	    &s, &cause), 0);
	assert_int_equal(s.n, 10);
	test_audit_seen_free(&s);
	/* Nothing after the last entry; unknown SR: nothing. */
	assert_int_equal(audit_scan(t.r, t.cf, NULL, clock_now() + 3600000,
	    0, test_audit_seen, &s, &cause), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(audit_scan(t.r, t.cf, NULL, 0, clock_now() -
	    3600000, test_audit_seen, &s, &cause), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(audit_scan(t.r, t.cf, "NOPE-1", 0, 0,
	    test_audit_seen, &s, &cause), 0);
	assert_int_equal(s.n, 0);
	test_audit_close(&t);
}

/* As JSON: "ts", "event_ids" as an array, numbers, then the rest. */
static void
test_audit_json(void **state)
{
	struct test_audit	 t;
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct redis_reply	*reply;
	char			*line;

	(void)state;
	test_audit_open(&t, NULL);
	d = decision_add(&dl, DECISION_SENT, NULL, VOCAB_NOTICE_COMPLETED,
	    "TW", "e-1 e-2", "email to a***@example.org: 250 ok");
	decision_set(d, "channel", "email");
	decision_set(d, "to", "a***@example.org");
	decision_set(d, "locale", "fr");
	decision_set(d, "attempt", "2");
	decision_set(d, "subject", "Votre demande 8812 est termin\xc3\xa9" "e");
	decision_set(d, "content_sha256", "ab12");
	test_audit_write(&t, "8812", &dl, NOW + 7);
	reply = redis_command(t.r, NULL, "XRANGE %s - +",
	    "closeloop:sr:{8812}:audit");
	assert_int_equal(reply->elements, 1);
	line = audit_json(NULL, reply->element[0]->element[1]);
	assert_string_equal(line, "{\"ts\":\"2026-11-18T11:06:40.007Z\","
	    "\"sr\":\"8812\",\"decision\":\"sent\",\"notice\":\"completed\","
	    "\"division\":\"TW\",\"channel\":\"email\","
	    "\"to\":\"a***@example.org\",\"locale\":\"fr\","
	    "\"event_ids\":[\"e-1\",\"e-2\"],"
	    "\"detail\":\"email to a***@example.org: 250 ok\",\"attempt\":2,"
	    "\"subject\":\"Votre demande 8812 est termin\xc3\xa9" "e\","
	    "\"content_sha256\":\"ab12\"}");
	free(line);
	line = audit_json("1-2", reply->element[0]->element[1]);
	assert_int_equal(strncmp(line, "{\"id\":\"1-2\",\"ts\":", 17), 0);
	free(line);
	redis_reply_free(reply);
	test_audit_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audit_both_streams),
		cmocka_unit_test(test_audit_trimmed),
		cmocka_unit_test(test_audit_scan_pages),
		cmocka_unit_test(test_audit_json),
	};

	return testredis_run(&ts, "audit", tests,
	    sizeof tests / sizeof tests[0]);
}
