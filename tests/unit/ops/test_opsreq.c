/*
 * test_opsreq.c - unit tests for the operator requests of the console,
 * carried out by closeloopd (opsreq.c), and what each does (opsact.c)
 *
 * Runs against a private redis-server: requests are published as the
 * console publishes them and run as closeloopd's loop runs them, once or
 * by two instances at once. What is checked is what an operator reads
 * back: the request's result (PREFIXweb:request:ID), the request gone
 * from its stream, and what the action left - the pause key, the
 * records and due sets, the suppression list, the dead letters, the
 * SR's trail and the operators' record (PREFIXweb:audit).
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

#include <cmocka.h>

#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "event.h"
#include "log.h"
#include "opsact.h"
#include "opsreq.h"
#include "pause.h"
#include "redis.h"
#include "redisconn.h"
#include "suppress.h"
#include "testlog.h"
#include "testnotice.h"
#include "testredis.h"
#include "testserver.h"
#include "testtrail.h"
#include "txn.h"
#include "xmalloc.h"

#define REQUESTS	"closeloop:web:requests"
#define PEER		"192.0.2.7"
#define MANY		40

static struct testserver	 ts;
static const char		*top;

/* One test's configuration, connection and template set. */
struct test_ops {
	struct config	*cf;
	struct redis	*r;
	struct catalog	*cat;
};

/* Load a configuration as consumer, with the shipped templates. */
static struct config *
test_ops_config(const char *consumer, const char *extra)
{
	struct config	*cf;
	char		*redis, *more;

	redis = xasprintf("consumer = \"%s\";", consumer);
	more = xasprintf("templates = { dir = \"%s/templates\"; timezone = "
	    "\"Etc/UTC\"; };\n%s", top, extra != NULL ? extra : "");
	cf = testserver_config(&ts, redis, more);
	free(more);
	free(redis);
	return cf;
}

/* Connect to an empty database; set up the requests' group. */
static void
test_ops_open(struct test_ops *t, const char *extra)
{
	char	*cause = NULL;

	memset(t, 0, sizeof *t);
	t->cf = test_ops_config("c1", extra);
	t->r = testredis_open(t->cf);
	if ((t->cat = catalog_load(t->cf->templates_dir, "en", &cause)) ==
	    NULL)
		fail_msg("catalog_load: %s", cause);
	if (opsreq_setup(t->r, t->cf, &cause) != 0)
		fail_msg("opsreq_setup: %s", cause);
}

/* Free what test_ops_open() made. */
static void
test_ops_close(struct test_ops *t)
{
	catalog_free(t->cat);
	redis_free(t->r);
	config_free(t->cf);
}

/*
 * Publish a request by carol: action and its fields (name/value pairs,
 * NULL-ended). Returns the request's id.
 */
static char *
test_ops_publish(struct test_ops *t, const char *action, ...)
{
	const char	*fields[32];
	char		*id, *cause = NULL;
	size_t		 n = 0;
	va_list		 ap;

	fields[n++] = "action";
	fields[n++] = action;
	fields[n++] = "by";
	fields[n++] = "carol";
	fields[n++] = "peer";
	fields[n++] = PEER;
	va_start(ap, action);
	while (n < 30 && (fields[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	fields[n] = NULL;
	if (opsreq_publish(t->r, t->cf, fields, &id, &cause) != 0)
		fail_msg("opsreq_publish: %s", cause);
	return id;
}

/* Return how many requests are pending in the group. */
static long long
test_ops_pending(struct test_ops *t)
{
	struct redis_reply	*reply;
	long long		 n;

	reply = redis_command(t->r, NULL, "XPENDING " REQUESTS " %s",
	    t->cf->redis_group);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	n = reply->element[0]->integer;
	redis_reply_free(reply);
	return n;
}

/* Run the requests waiting, with cf; assert how many were carried out. */
static void
test_ops_run_as(struct test_ops *t, const struct config *cf, int want)
{
	char	*cause = NULL;
	int	 n;

	if ((n = opsreq_run(t->r, cf, t->cat, &cause)) < 0)
		fail_msg("opsreq_run: %s", cause);
	assert_int_equal(n, want);
	assert_int_equal(testtrail_len(t->r, REQUESTS), 0);
	assert_int_equal(test_ops_pending(t), 0);
}

/* Run the requests waiting; assert how many were carried out. */
static void
test_ops_run(struct test_ops *t, int want)
{
	test_ops_run_as(t, t->cf, want);
}

/* Return a field of request id's result (allocated), or NULL. */
static char *
test_ops_result(struct test_ops *t, const char *id, const char *field)
{
	char	*key, *v;

	key = opsreq_result_key(t->cf, id);
	v = testredis_hget(t->r, key, field);
	free(key);
	return v;
}

/*
 * Assert request id's result: its state (done or failed), by carol, and
 * words in its result; frees id.
 */
static void
test_ops_is(struct test_ops *t, char *id, const char *state,
    const char *part)
{
	char	*v;

	v = test_ops_result(t, id, "result");
	if (v == NULL)
		fail_msg("request %s: no result", id);
	if (strstr(v, part) == NULL)
		fail_msg("request %s: \"%s\" does not say \"%s\"", id, v,
		    part);
	free(v);
	v = test_ops_result(t, id, "state");
	assert_string_equal(v, state);
	free(v);
	v = test_ops_result(t, id, "by");
	assert_string_equal(v, "carol");
	free(v);
	free(id);
}

/* Return 1 if channel is paused, as closeloop queue reads it. */
static int
test_ops_paused(struct test_ops *t, int channel)
{
	struct pause	 p;
	char		*cause = NULL;
	int		 paused;

	if (pause_read(t->r, t->cf, channel, &p, &cause) != 0)
		fail_msg("pause_read: %s", cause);
	paused = p.paused;
	pause_free_fields(&p);
	return paused;
}

/* Assert that request id's result is kept, and for how long at most. */
static void
test_ops_kept(struct test_ops *t, const char *id)
{
	char		*key, *want;
	long long	 ttl;

	key = opsreq_result_key(t->cf, id);
	want = xasprintf("closeloop:web:request:%s", id);
	assert_string_equal(key, want);
	ttl = testredis_key_int(t->r, "TTL", key);
	assert_true(ttl > 0 && ttl <= OPSREQ_KEEP_SECONDS);
	free(want);
	free(key);
}

/*
 * The group is made once, however often set up; a database without it
 * gets it on the next run.
 */
static void
test_opsreq_setup(void **state)
{
	struct test_ops		 t;
	struct redis_reply	*reply;
	char			*cause = NULL, *id;

	(void)state;
	test_ops_open(&t, NULL);
	assert_int_equal(opsreq_setup(t.r, t.cf, &cause), 0);
	assert_int_equal(opsreq_setup(t.r, t.cf, &cause), 0);
	reply = redis_command(t.r, NULL, "XINFO GROUPS " REQUESTS);
	assert_non_null(reply);
	assert_int_equal(reply->type, REDIS_TYPE_ARRAY);
	assert_int_equal(reply->elements, 1);
	assert_string_equal(redis_reply_field(reply->element[0], "name"),
	    t.cf->redis_group);
	redis_reply_free(reply);
	test_ops_run(&t, 0);

	testredis_flush(t.r);
	assert_int_equal(opsreq_run(t.r, t.cf, t.cat, &cause), 0);
	reply = redis_command(t.r, NULL, "XINFO GROUPS " REQUESTS);
	assert_non_null(reply);
	assert_int_equal(reply->elements, 1);
	redis_reply_free(reply);

	/* A request published before closeloopd made its group is read. */
	testredis_flush(t.r);
	id = test_ops_publish(&t, "pause", "channel", "sms", NULL);
	assert_int_equal(opsreq_setup(t.r, t.cf, &cause), 0);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "done", "sms paused");
	test_ops_close(&t);
}

/*
 * A pause is carried out as the user asked it: the key names them; the
 * result says it in words, is kept, and the request is gone; resume.
 */
static void
test_opsreq_pause(void **state)
{
	struct test_ops	 t;
	struct pause	 p;
	char		*id, *v, *key, *cause = NULL;
	int64_t		 before, after, until;

	(void)state;
	test_ops_open(&t, NULL);
	id = test_ops_publish(&t, "pause", "channel", "email", "note",
	    "relay maintenance", NULL);
	test_ops_run(&t, 1);
	assert_int_equal(pause_read(t.r, t.cf, EVENT_CHANNEL_EMAIL, &p,
	    &cause), 0);
	assert_int_equal(p.paused, 1);
	assert_string_equal(p.by, "carol");
	assert_string_equal(p.reason, "operator");
	assert_string_equal(p.note, "relay maintenance");
	assert_int_equal(p.until, 0);
	pause_free_fields(&p);
	assert_int_equal(test_ops_paused(&t, EVENT_CHANNEL_SMS), 0);
	v = test_ops_result(&t, id, "action");
	assert_string_equal(v, "pause");
	free(v);
	test_ops_kept(&t, id);
	test_ops_is(&t, id, "done", "email paused until resumed");
	testtrail_ops_is(t.r, t.cf, "what", "pause");
	testtrail_ops_is(t.r, t.cf, "user", "carol");

	/* Until a time to come. */
	before = clock_now();
	id = test_ops_publish(&t, "pause", "channel", "sms", "until", "30m",
	    NULL);
	test_ops_run(&t, 1);
	after = clock_now();
	key = pause_key(t.cf, EVENT_CHANNEL_SMS);
	until = testredis_key_int(t.r, "PEXPIRETIME", key);
	free(key);
	assert_true(until >= before + 30 * 60000 &&
	    until <= after + 30 * 60000);
	test_ops_is(&t, id, "done", "sms paused until ");

	id = test_ops_publish(&t, "resume", "channel", "email", NULL);
	test_ops_run(&t, 1);
	assert_int_equal(test_ops_paused(&t, EVENT_CHANNEL_EMAIL), 0);
	test_ops_is(&t, id, "done", "email resumed");
	testtrail_ops_is(t.r, t.cf, "what", "resume");
	testtrail_ops_is(t.r, t.cf, "user", "carol");
	id = test_ops_publish(&t, "resume", "channel", "email", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "done", "email was not paused");
	test_ops_close(&t);
}

/*
 * Refused, with the reason: an unknown action, a bad channel or time,
 * no user, a request that waited too long; nothing is done, the request
 * is gone all the same.
 */
static void
test_opsreq_refused(void **state)
{
	struct test_ops		 t;
	struct redis_reply	*reply;
	const char		*argv[12];
	char			*ids[4], *id, *v, at[32], *cause = NULL;

	(void)state;
	test_ops_open(&t, NULL);
	ids[0] = test_ops_publish(&t, "reboot", NULL);
	ids[1] = test_ops_publish(&t, "pause", "channel", "fax", NULL);
	ids[2] = test_ops_publish(&t, "pause", "channel", "email", "until",
	    "yesterday", NULL);
	ids[3] = test_ops_publish(&t, "pause", "channel", "email", "until",
	    "2020-01-01T00:00:00Z", NULL);
	test_ops_run(&t, 4);
	test_ops_is(&t, ids[0], "failed", "unknown action \"reboot\"");
	test_ops_is(&t, ids[1], "failed", "channel: email or sms");
	test_ops_is(&t, ids[2], "failed", "until: \"yesterday\"");
	test_ops_is(&t, ids[3], "failed", "until:");
	assert_int_equal(test_ops_paused(&t, EVENT_CHANNEL_EMAIL), 0);

	/* Older than OPSREQ_STALE_MS; no user. */
	snprintf(at, sizeof at, "%lld", (long long)(clock_now() -
	    OPSREQ_STALE_MS - 1000));
	argv[0] = "XADD";
	argv[1] = REQUESTS;
	argv[2] = "*";
	argv[3] = "at";
	argv[4] = at;
	argv[5] = "action";
	argv[6] = "pause";
	argv[7] = "channel";
	argv[8] = "email";
	argv[9] = "by";
	argv[10] = "carol";
	reply = redis_command_argv(t.r, &cause, 11, argv, NULL);
	assert_non_null(reply);
	id = xstrdup(reply->str);
	redis_reply_free(reply);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "waited more than 15 minutes");
	assert_int_equal(test_ops_paused(&t, EVENT_CHANNEL_EMAIL), 0);
	snprintf(at, sizeof at, "%lld", (long long)clock_now());
	argv[9] = "peer";
	reply = redis_command_argv(t.r, &cause, 11, argv, NULL);
	assert_non_null(reply);
	id = xstrdup(reply->str);
	redis_reply_free(reply);
	test_ops_run(&t, 1);
	v = test_ops_result(&t, id, "result");
	assert_non_null(v);
	assert_non_null(strstr(v, "no user"));
	free(v);
	free(id);
	assert_int_equal(test_ops_paused(&t, EVENT_CHANNEL_EMAIL), 0);
	assert_int_equal(testtrail_ops_len(t.r, t.cf), 0);
	test_ops_close(&t);
}

/* The actions a request may name, and only those. */
static void
test_opsact_known(void **state)
{
	static const char *const known[] = { "pause", "resume", "send-now",
	    "resend", "dead-drop", "unsuppress", "test-send" };
	static const char *const unknown[] = { "", "Pause", "reboot",
	    "send_now", "dead", "pause " };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		assert_int_equal(opsact_known(known[i]), 1);
	for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
		assert_int_equal(opsact_known(unknown[i]), 0);
}

/* Return sms.quiet_hours from this hour (UTC) for two hours. */
static char *
test_ops_quiet(void)
{
	struct tm	tm;
	time_t		now = time(NULL);

	gmtime_r(&now, &tm);
	return xasprintf("sms = { quiet_hours = \"%02d:00-%02d:00\"; };",
	    tm.tm_hour, (tm.tm_hour + 2) % 24);
}

/*
 * send-now: by ids, by SR, by reason, as the user; what waits for quiet
 * hours still in force is said to; quiet hours lifted in the
 * configuration, it just goes; a request that names none, or two ways,
 * or one not waiting, fails.
 */
static void
test_opsreq_send_now(void **state)
{
	struct test_ops		  t;
	struct outbox_item	**items;
	struct config		 *lifted;
	char			 *quiet, *id, *v;
	int64_t			  now = clock_now();

	(void)state;
	quiet = test_ops_quiet();
	test_ops_open(&t, quiet);
	lifted = test_ops_config("c1", NULL);
	testnotice_queue_as(t.r, t.cf, "2026-7", 1, "ana@example.org", now);
	testnotice_queue_as(t.r, t.cf, "2026-8", 1, "bob@example.org", now);
	testnotice_field_is(t.r, t.cf, "2026-7/1/1", "wait", "quiet_hours");
	items = testnotice_claim(t.r, t.cf, EVENT_CHANNEL_EMAIL, now, 2);
	testnotice_outcome(t.r, t.cf, items[0], SEND_TEMPFAIL, NULL, now);
	testnotice_items_free(items, 2);
	testnotice_field_is(t.r, t.cf, "2026-7/1/0", "wait", "retry");

	id = test_ops_publish(&t, "send-now", "ids", "2026-7/1/0", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "done", "1 notification made due now");
	testnotice_field_is(t.r, t.cf, "2026-7/1/0", "sent_now_by", "carol");
	testtrail_sr_is(t.r, t.cf, "2026-7", "rule", "sent_now_by_operator");
	testtrail_sr_is(t.r, t.cf, "2026-7", "operator", "carol");
	testtrail_ops_is(t.r, t.cf, "what", "send-now");
	testtrail_ops_is(t.r, t.cf, "user", "carol");

	/* In quiet hours: made due, and said to wait for them. */
	id = test_ops_publish(&t, "send-now", "sr", "2026-7", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "done", "2026-7/1/1: sms.quiet_hours are in "
	    "force until");
	testnotice_field_is(t.r, t.cf, "2026-7/1/1", "sent_now_by", "carol");

	/* Lifted: it goes, and nothing more is said. */
	id = test_ops_publish(&t, "send-now", "reason", "quiet_hours", NULL);
	test_ops_run_as(&t, lifted, 1);
	v = test_ops_result(&t, id, "result");
	assert_non_null(v);
	assert_null(strstr(v, "quiet_hours are in force"));
	free(v);
	test_ops_is(&t, id, "done", "1 notification made due now");
	testnotice_field_is(t.r, t.cf, "2026-8/1/1", "sent_now_by", "carol");

	id = test_ops_publish(&t, "send-now", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "name notifications, or one SR, or one "
	    "reason");
	id = test_ops_publish(&t, "send-now", "ids", "2026-7/1/0", "sr",
	    "2026-7", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "or one SR");
	id = test_ops_publish(&t, "send-now", "sr", "2026 7", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "sr: ");
	id = test_ops_publish(&t, "send-now", "reason", "bogus", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "bogus");
	id = test_ops_publish(&t, "send-now", "ids", "2026-8/1/0, 2026-9/1/0",
	    NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "0 notifications made due now; "
	    "2026-8/1/0: not waiting (sending); 2026-9/1/0: ");
	config_free(lifted);
	free(quiet);
	test_ops_close(&t);
}

/* What Redis refuses while a request is carried out fails it, with why. */
static void
test_opsreq_redis_refuses(void **state)
{
	struct test_ops	 t;
	char		*id;

	(void)state;
	test_ops_open(&t, NULL);
	redis_reply_free(redis_command(t.r, NULL,
	    "SET closeloop:outbox:email x"));
	id = test_ops_publish(&t, "send-now", "reason", "retry", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "closeloop:outbox:email");
	id = test_ops_publish(&t, "send-now", "sr", "2026-7", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "closeloop:outbox:email");
	test_ops_close(&t);
}

/*
 * resend: a sent email queued again as the user, the same content with
 * the set in use; one not sent is refused, with why.
 */
static void
test_opsreq_resend(void **state)
{
	struct test_ops		  t;
	struct outbox_item	**items;
	char			 *id;
	int64_t			  now = clock_now();

	(void)state;
	test_ops_open(&t, NULL);
	testnotice_queue_as(t.r, t.cf, "2026-7", 1, "ana@example.org", now);
	items = testnotice_claim(t.r, t.cf, EVENT_CHANNEL_EMAIL, now, 1);
	testnotice_outcome(t.r, t.cf, items[0], SEND_OK,
	    catalog_version(t.cat), now);
	testnotice_items_free(items, 1);

	id = test_ops_publish(&t, "resend", "id", "2026-7/1/0",
	    "same_content", "1", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "done", "2026-7/1/0 queued again as "
	    "2026-7/1/0r1");
	testnotice_field_is(t.r, t.cf, "2026-7/1/0r1", "same_version",
	    catalog_version(t.cat));
	testnotice_field_is(t.r, t.cf, "2026-7/1/0r1", "resend_of",
	    "2026-7/1/0");
	testtrail_sr_is(t.r, t.cf, "2026-7", "rule", "resent_by_operator");
	testtrail_sr_is(t.r, t.cf, "2026-7", "operator", "carol");
	testtrail_ops_is(t.r, t.cf, "what", "resend");
	testtrail_ops_is(t.r, t.cf, "user", "carol");

	id = test_ops_publish(&t, "resend", "id", "2026-7/1/1", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "it has not gone out (queued)");
	id = test_ops_publish(&t, "resend", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "id: which notification?");
	test_ops_close(&t);
}

/* Put an address on the suppression list. */
static void
test_ops_suppress(struct test_ops *t, const char *address)
{
	struct txn	 tx;
	char		*cause = NULL;

	txn_begin(&tx, t->r);
	suppress_queue(&tx, t->cf, address, "hard_bounce", "550 5.1.1",
	    "2026-7", "2026-7/1/0", "closeloopd", clock_now());
	if (txn_exec(&tx, "2026-7", &cause) != 1)
		fail_msg("txn_exec: %s", cause);
}

/*
 * unsuppress: the address let off the list as the user; neither the
 * result nor the log names it whole.
 */
static void
test_opsreq_unsuppress(void **state)
{
	struct test_ops	 t;
	struct testlog	 log;
	char		*id, *masked, *v;

	(void)state;
	test_ops_open(&t, NULL);
	test_ops_suppress(&t, "ana@example.org");
	masked = log_mask_email("ANA@example.org");
	id = test_ops_publish(&t, "unsuppress", "address", "ANA@example.org",
	    NULL);
	testlog_start(&log);
	test_ops_run(&t, 1);
	v = testlog_stop(&log);
	assert_non_null(strstr(v, masked));
	assert_null(strstr(v, "ANA@example.org"));
	free(v);
	v = test_ops_result(&t, id, "result");
	assert_null(strstr(v, "ANA@example.org"));
	free(v);
	test_ops_is(&t, id, "done", "let off the suppression list");
	assert_int_equal(testredis_int(t.r,
	    "ZCARD closeloop:suppressed:email"), 0);
	testtrail_ops_is(t.r, t.cf, "what", "unsuppress");
	testtrail_ops_is(t.r, t.cf, "user", "carol");

	id = test_ops_publish(&t, "unsuppress", "address", "ana@example.org",
	    NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "done", "was not on the suppression list");
	id = test_ops_publish(&t, "unsuppress", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "address");
	free(masked);
	test_ops_close(&t);
}

/*
 * dead-drop: by notification id or entry id, in the SR's trail as the
 * user; one not there fails; of two for one notification, one that
 * cannot be dropped fails the request, with why.
 */
static void
test_opsreq_dead_drop(void **state)
{
	struct test_ops		  t;
	struct outbox_item	**items;
	char			 *id, *entry;
	int64_t			  now = clock_now();

	(void)state;
	test_ops_open(&t, NULL);
	testnotice_queue_as(t.r, t.cf, "2026-7", 1, "ana@example.org", now);
	items = testnotice_claim(t.r, t.cf, EVENT_CHANNEL_EMAIL, now, 1);
	testnotice_outcome(t.r, t.cf, items[0], SEND_PERMFAIL, NULL, now);
	testnotice_items_free(items, 1);
	items = testnotice_claim(t.r, t.cf, EVENT_CHANNEL_SMS, now, 1);
	testnotice_outcome(t.r, t.cf, items[0], SEND_PERMFAIL, NULL, now);
	testnotice_items_free(items, 1);

	id = test_ops_publish(&t, "dead-drop", "id", "2026-7/1/0", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "done", "2026-7/1/0: dropped");
	assert_int_equal(testtrail_len(t.r, t.cf->redis_dead_stream), 1);
	testtrail_sr_is(t.r, t.cf, "2026-7", "rule", "dropped_by_operator");
	testtrail_sr_is(t.r, t.cf, "2026-7", "operator", "carol");
	testtrail_sr_is(t.r, t.cf, "2026-7", "notification", "2026-7/1/0");
	testtrail_ops_is(t.r, t.cf, "what", "dead-drop");
	testtrail_ops_is(t.r, t.cf, "user", "carol");

	entry = testtrail_entry(t.r, t.cf->redis_dead_stream, 0);
	id = test_ops_publish(&t, "dead-drop", "id", entry, NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "done", "dropped");
	assert_int_equal(testtrail_len(t.r, t.cf->redis_dead_stream), 0);
	free(entry);

	id = test_ops_publish(&t, "dead-drop", "id", "2026-7/1/0", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "no such dead letter");

	/* Two for one notification, the first naming no SR. */
	redis_reply_free(redis_command(t.r, NULL, "XADD %s * kind "
	    "notification id 2026-7/1/1 channel sms",
	    t.cf->redis_dead_stream));
	redis_reply_free(redis_command(t.r, NULL, "XADD %s * kind "
	    "notification id 2026-7/1/1 sr 2026-7 channel sms",
	    t.cf->redis_dead_stream));
	id = test_ops_publish(&t, "dead-drop", "id", "2026-7/1/1", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "names no SR");
	assert_int_equal(testtrail_len(t.r, t.cf->redis_dead_stream), 1);
	test_ops_close(&t);
}

/*
 * test-send with no relay or gateway set up fails, naming the setting,
 * and the result does not name the address whole.
 */
static void
test_opsreq_test_send(void **state)
{
	struct test_ops	 t;
	char		*id, *v;

	(void)state;
	test_ops_open(&t, NULL);
	assert_null(t.cf->email_smtp);
	id = test_ops_publish(&t, "test-send", "notice", "completed",
	    "locale", "", "channel", "email", "to", "tester@example.org",
	    NULL);
	test_ops_run(&t, 1);
	v = test_ops_result(&t, id, "result");
	assert_null(strstr(v, "tester@example.org"));
	free(v);
	test_ops_is(&t, id, "failed", "email.smtp is not set");
	id = test_ops_publish(&t, "test-send", "notice", "completed",
	    "locale", "fr", "channel", "sms", "to", "+14165550123", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "sms.gateway is not set");
	id = test_ops_publish(&t, "test-send", "notice", "completed",
	    "channel", "pigeon", "to", "x", NULL);
	test_ops_run(&t, 1);
	test_ops_is(&t, id, "failed", "channel: email or sms");
	test_ops_close(&t);
}

/* One instance of closeloopd running the requests until none is left. */
struct test_ops_worker {
	struct config	*cf;
	struct catalog	*cat;
	int		 done;		/* requests carried out */
	int		 error;		/* opsreq_run() failed */
};

/* Run the requests waiting, as an instance's loop does, until none. */
static void *
test_ops_worker(void *arg)
{
	struct test_ops_worker	*w = arg;
	struct redis		*r;
	char			*cause = NULL;
	int			 n, idle = 0;

	if ((r = redisconn_open(w->cf, &cause)) == NULL) {
		free(cause);
		w->error = 1;
		return NULL;
	}
	while (idle < 20) {
		if ((n = opsreq_run(r, w->cf, w->cat, &cause)) < 0) {
			free(cause);
			w->error = 1;
			break;
		}
		w->done += n;
		idle = n == 0 ? idle + 1 : 0;
	}
	redis_free(r);
	return NULL;
}

/*
 * Two instances (two consumers of the group) running at once: each
 * request is carried out once, by one of them.
 */
static void
test_opsreq_two(void **state)
{
	struct test_ops		 t;
	struct test_ops_worker	 w[2];
	pthread_t		 thread[2];
	char			*ids[MANY], address[64], *v;
	size_t			 i;

	(void)state;
	test_ops_open(&t, NULL);
	for (i = 0; i < MANY; i++) {
		snprintf(address, sizeof address, "a%zu@example.org", i);
		test_ops_suppress(&t, address);
		ids[i] = test_ops_publish(&t, "unsuppress", "address", address,
		    NULL);
	}
	memset(w, 0, sizeof w);
	w[0].cf = t.cf;
	w[1].cf = test_ops_config("c2", NULL);
	for (i = 0; i < 2; i++) {
		w[i].cat = t.cat;
		assert_int_equal(pthread_create(&thread[i], NULL,
		    test_ops_worker, &w[i]), 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(thread[i], NULL), 0);
	assert_int_equal(w[0].error, 0);
	assert_int_equal(w[1].error, 0);
	assert_int_equal(w[0].done + w[1].done, MANY);
	assert_int_equal(testtrail_len(t.r, REQUESTS), 0);
	assert_int_equal(test_ops_pending(&t), 0);
	/* Once each: one line each in the operators' record, all let off. */
	assert_int_equal(testtrail_ops_len(t.r, t.cf), MANY);
	assert_int_equal(testredis_int(t.r,
	    "ZCARD closeloop:suppressed:email"), 0);
	for (i = 0; i < MANY; i++) {
		v = test_ops_result(&t, ids[i], "result");
		assert_non_null(v);
		assert_non_null(strstr(v, "let off the suppression list"));
		free(v);
		test_ops_is(&t, ids[i], "done", "let off");
	}
	config_free(w[1].cf);
	test_ops_close(&t);
}

/* Start the server, run the tests, stop it. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opsreq_setup),
		cmocka_unit_test(test_opsreq_pause),
		cmocka_unit_test(test_opsreq_refused),
		cmocka_unit_test(test_opsact_known),
		cmocka_unit_test(test_opsreq_send_now),
		cmocka_unit_test(test_opsreq_redis_refuses),
		cmocka_unit_test(test_opsreq_resend),
		cmocka_unit_test(test_opsreq_unsuppress),
		cmocka_unit_test(test_opsreq_dead_drop),
		cmocka_unit_test(test_opsreq_test_send),
		cmocka_unit_test(test_opsreq_two),
	};

	if ((top = getenv("top_srcdir")) == NULL || *top == '\0')
		top = ".";
	return testredis_run(&ts, "opsreq", tests,
	    sizeof tests / sizeof tests[0]);
}
