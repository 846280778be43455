/*
 * test_ask.c - unit tests for "is it fixed?" in Redis: the question
 * scheduled when a completion is sent (askqueue.c), asked or not when it
 * falls due, closed when no answer came (ask.c)
 *
 * Runs against a private redis-server. SRs are made by events applied
 * with store_event() (settle and coalescing windows 0, so the notice is
 * queued at once), their notifications finished with outcome_write() as
 * a worker would, and the questions acted on with ask_run() at chosen
 * times; the keys are read back.
 */
#include "build.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ask.h"
#include "channel.h"
#include "config.h"
#include "event.h"
#include "eventparse.h"
#include "notice.h"
#include "log.h"
#include "outbox.h"
#include "outcome.h"
#include "redis.h"
#include "redisconn.h"
#include "store.h"
#include "testredis.h"
#include "testserver.h"
#include "txn.h"
#include "xmalloc.h"

/* 2026-03-03T10:00:00Z, in ms; the completions are sent a second on. */
#define T0	1772532000000LL
#define SENT	(T0 + 1000)
#define HOUR	3600000LL
#define DUE	(SENT + HOUR)		/* feedback.ask_after "1h" */
#define BY	(DUE + 2 * 86400000LL)	/* feedback.answer_days 2 */

static struct testserver ts;

/* Everything one test needs. */
struct test_ask {
	struct config	*cf;
	struct redis	*r;
	int		 n;
};

/*
 * Connect to an empty database, with both ways to answer set up, more
 * of the sms group (or NULL) and extra settings (or NULL).
 */
static void
test_ask_open_sms(struct test_ask *t, const char *sms, const char *extra)
{
	char	*path, *conf;
	FILE	*f;

	memset(t, 0, sizeof *t);
	path = xasprintf("%s/answer-key", ts.dir);
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("%s: cannot write", path);
	fputs("k3y\n", f);
	fclose(f);
	chmod(path, 0600);
	conf = xasprintf("policy = { settle_seconds = 0; coalesce_seconds = "
	    "0; };\nfeedback = { ask_after = \"1h\"; answer_days = 2; "
	    "answer_url = \"https://311.example.org/answer\"; "
	    "answer_secret_file = \"%s\"; };\nsms = { inbound_secret_file = "
	    "\"%s\"; %s };\n%s", path, path, sms != NULL ? sms : "",
	    extra != NULL ? extra : "");
	t->cf = testserver_config(&ts, NULL, conf);
	free(conf);
	free(path);
	t->r = testredis_open(t->cf);
}

/* Connect to an empty database, with both ways to answer set up. */
static void
test_ask_open(struct test_ask *t, const char *extra)
{
	test_ask_open_sms(t, NULL, extra);
}

/* Free what test_ask_open() made. */
static void
test_ask_close(struct test_ask *t)
{
	redis_free(t->r);
	config_free(t->cf);
}

/*
 * Apply at now an event given as "field=value" words separated by
 * spaces (ts T0, a fresh event_id, unless given).
 */
static void
test_ask_event(struct test_ask *t, int64_t now, const char *words)
{
	struct event	*ev;
	char		*copy, *w, *save = NULL, *fields[40], *cause = NULL;
	char		 id[32], eid[32];
	size_t		 lens[40], n = 0, i;

	copy = xasprintf("v=1 %s%s", strstr(words, "ts=") == NULL ?
	    "ts=2026-03-03T10:00:00Z " : "", words);
	for (w = strtok_r(copy, " ", &save); w != NULL && n < 36;
	    w = strtok_r(NULL, " ", &save)) {
		fields[n++] = xstrndup(w, strcspn(w, "="));
		fields[n++] = xstrdup(strchr(w, '=') + 1);
	}
	snprintf(eid, sizeof eid, "e%d-%d", (int)getpid(), ++t->n);
	fields[n++] = xstrdup("event_id");
	fields[n++] = xstrdup(eid);
	for (i = 0; i < n; i++)
		lens[i] = strlen(fields[i]);
	snprintf(id, sizeof id, "%lld-%d", (long long)now, t->n);
	ev = eventparse_parse(t->cf, id, fields, lens, n / 2, &cause);
	if (ev == NULL)
		fail_msg("eventparse_parse: %s", cause);
	if (store_event(t->cf, t->r, "closeloop:events", ev, now, &cause) < 0)
		fail_msg("store_event: %s", cause);
	event_free(ev);
	for (i = 0; i < n; i++)
		free(fields[i]);
	free(copy);
}

/*
 * Make SR sr with a resident by email and SMS (one subscription) told
 * "received" then "completed" by TW: notifications sr/1/0, sr/1/1 and
 * sr/2/0 (email), sr/2/1 (SMS).
 */
static void
test_ask_sr(struct test_ask *t, const char *sr)
{
	char	*w;

	w = xasprintf("type=subscribe sr=%s email=ana@example.org "
	    "phone=+14165550142 channels=email,sms locale=fr-CA", sr);
	test_ask_event(t, T0, w);
	free(w);
	w = xasprintf("type=status sr=%s division=TW status=received "
	    "service=Pothole", sr);
	test_ask_event(t, T0, w);
	free(w);
	w = xasprintf("type=status sr=%s division=TW status=closed "
	    "reason=completed ts=2026-03-03T10:00:01Z", sr);
	test_ask_event(t, T0, w);
	free(w);
}

/* Write the outcome of notification id at now: sent, or a dry run. */
static void
test_ask_sent(struct test_ask *t, const char *id, int64_t now, int dry_run)
{
	struct outbox_item	*it;
	struct send_result	 res;
	char			*cause = NULL;

	if ((it = outbox_item_read(t->r, t->cf, id, &cause)) == NULL)
		fail_msg("%s: %s", id, cause);
	memset(&res, 0, sizeof res);
	res.status = SEND_OK;
	res.reply = xstrdup("250 ok");
	if (outcome_write(t->r, t->cf, it, &res, NULL, dry_run, now,
	    &cause) != 0)
		fail_msg("outcome_write %s: %s", id, cause);
	free(res.reply);
	outbox_item_free(it);
}

/* Return field of hash key (allocated), failing if it has none. */
static char *
test_ask_hget(struct test_ask *t, const char *key, const char *field)
{
	char	*v;

	if ((v = testredis_hget(t->r, key, field)) == NULL)
		fail_msg("%s has no %s", key, field);
	return v;
}

/* Check that field of hash key is want. */
static void
test_ask_field(struct test_ask *t, const char *key, const char *field,
    const char *want)
{
	char	*v = test_ask_hget(t, key, field);

	if (strcmp(v, want) != 0)
		fail_msg("%s %s is \"%s\", not \"%s\"", key, field, v, want);
	free(v);
}

/* Return the due time of question id, or -1 if it has none. */
static long long
test_ask_due(struct test_ask *t, const char *id)
{
	struct redis_reply	*reply;
	long long		 v = -1;

	reply = redis_command(t->r, NULL, "ZSCORE closeloop:ask:due %s", id);
	assert_non_null(reply);
	if (reply->str != NULL)
		v = strtoll(reply->str, NULL, 10);
	redis_reply_free(reply);
	return v;
}

/* Check the last entry of SR sr's trail: decision, rule (or NULL). */
static void
test_ask_last(struct test_ask *t, const char *sr, const char *decision,
    const char *rule)
{
	struct redis_reply	*reply;
	const char		*v;

	reply = redis_command(t->r, NULL, "XREVRANGE closeloop:sr:{%s}:audit "
	    "+ - COUNT 1", sr);
	assert_non_null(reply);
	assert_int_equal(reply->elements, 1);
	v = redis_reply_field(reply->element[0]->element[1], "decision");
	if (v == NULL || strcmp(v, decision) != 0)
		fail_msg("SR %s: the last entry is %s, not %s", sr,
		    v != NULL ? v : "none", decision);
	v = redis_reply_field(reply->element[0]->element[1], "rule");
	if ((rule == NULL) != (v == NULL) || (rule != NULL &&
	    strcmp(rule, v) != 0))
		fail_msg("SR %s: the last entry's rule is %s, not %s", sr,
		    v != NULL ? v : "none", rule != NULL ? rule : "none");
	v = redis_reply_field(reply->element[0]->element[1], "notice");
	assert_non_null(v);
	assert_string_equal(v, "feedback");
	redis_reply_free(reply);
}

/* Return how many questions' notifications wait in the SMS outbox. */
static size_t
test_ask_queued(struct test_ask *t)
{
	struct redis_reply	*reply;
	const char		*id;
	size_t			 i, n = 0;

	reply = redis_command(t->r, NULL, "ZRANGE closeloop:outbox:sms 0 -1");
	assert_non_null(reply);
	for (i = 0; i < reply->elements; i++) {
		id = reply->element[i]->str;
		n += id[strlen(id) - 1] == 'q';
	}
	redis_reply_free(reply);
	return n;
}

/* Act on the questions due at now; returns how many were asked. */
static size_t
test_ask_run(struct test_ask *t, int64_t now, int acted)
{
	char	*cause = NULL;
	size_t	 asked;
	int	 n;

	if ((n = ask_run(t->cf, t->r, now, 100, &asked, &cause)) < 0)
		fail_msg("ask_run: %s", cause);
	assert_int_equal(n, acted);
	return asked;
}

/*
 * A completion sent schedules its resident's question, by the channel
 * that went first; the resident's other contact, another notice, a dry
 * run and an operator's resend schedule nothing.
 */
static void
test_ask_scheduled(void **state)
{
	struct test_ask	 t;
	const char	*q = "closeloop:sr:{A1}:q:2/0";

	(void)state;
	test_ask_open(&t, NULL);
	test_ask_sr(&t, "A1");
	test_ask_sent(&t, "A1/1/0", SENT, 0);
	assert_int_equal(testredis_key_int(t.r, "EXISTS",
	    "closeloop:sr:{A1}:q:1/0"), 0);
	test_ask_sent(&t, "A1/2/1", SENT, 0);
	test_ask_field(&t, q, "state", "waiting");
	test_ask_field(&t, q, "channel", "sms");
	test_ask_field(&t, q, "to", "+14165550142");
	test_ask_field(&t, q, "locale", "fr-CA");
	test_ask_field(&t, q, "division", "TW");
	test_ask_field(&t, q, "service", "Pothole");
	test_ask_field(&t, q, "completion", "A1/2/1");
	test_ask_field(&t, q, "closed_at", "1772532001000");
	assert_int_equal(test_ask_due(&t, "A1/2/0"), DUE);
	assert_true(testredis_key_int(t.r, "TTL", q) > 2 * 86400);
	/* The email went later: the question stays the SMS's. */
	test_ask_sent(&t, "A1/2/0", SENT + HOUR / 2, 0);
	test_ask_field(&t, q, "channel", "sms");
	test_ask_field(&t, q, "completion", "A1/2/1");
	assert_int_equal(test_ask_due(&t, "A1/2/0"), DUE);
	assert_int_equal(testredis_int(t.r, "ZCARD closeloop:ask:due"), 1);
	/* A dry run sends nothing: nothing is asked. */
	test_ask_sr(&t, "A2");
	test_ask_sent(&t, "A2/2/0", SENT, 1);
	assert_int_equal(testredis_key_int(t.r, "EXISTS",
	    "closeloop:sr:{A2}:q:2/0"), 0);
	test_ask_close(&t);

	/* In quiet hours, an SMS question waits for their end. */
	test_ask_open_sms(&t, "quiet_hours = \"05:30-07:00\";", NULL);
	test_ask_sr(&t, "A4");
	test_ask_sent(&t, "A4/2/1", SENT, 0);
	/* Due 06:00:01 in Toronto; asked at 07:00, 12:00 UTC. */
	assert_int_equal(test_ask_due(&t, "A4/2/0"), T0 + 2 * HOUR);
	test_ask_close(&t);

	/* A division whose residents are not asked. */
	test_ask_open(&t, "divisions = { TW = { feedback = { ask = false; "
	    "}; }; };");
	test_ask_sr(&t, "A3");
	test_ask_sent(&t, "A3/2/0", SENT, 0);
	assert_int_equal(testredis_key_int(t.r, "EXISTS",
	    "closeloop:sr:{A3}:q:2/0"), 0);
	test_ask_close(&t);
}

/*
 * Only a completion schedules a question: a notice of every other kind
 * sent - transferred, scheduled, duplicate, no_action, cancelled, ... -
 * schedules none, nor does a completion sent without its resident known
 * (a record from before residents were) or sent again by an operator.
 */
static void
test_ask_kinds(void **state)
{
	struct test_ask	 t;
	struct notice	*n;
	struct txn	 tx;
	char		*id, *key, *cause = NULL;
	int		 k;

	(void)state;
	test_ask_open(&t, NULL);
	for (k = 1; k < VOCAB_NOTICE_COUNT; k++) {
		n = xcalloc(1, sizeof *n);
		n->id = xasprintf("K%d/1", k);
		n->sr = xasprintf("K%d", k);
		n->notice = k;
		n->division = xstrdup("TW");
		n->nto = 3;
		n->to = xcalloc(3, sizeof *n->to);
		n->to[0].channel = n->to[1].channel = n->to[2].channel =
		    EVENT_CHANNEL_SMS;
		n->to[0].address = xstrdup("+14165550142");
		n->to[1].address = xstrdup("+14165550143");
		n->to[2].address = xstrdup("+14165550144");
		n->to[0].resident = xstrdup("0");
		n->to[2].resident = xstrdup("2");
		txn_begin(&tx, t.r);
		outbox_queue(&tx, t.cf, n, 0, NULL, SENT);
		outbox_queue(&tx, t.cf, n, 1, NULL, SENT);
		/* An operator's resend of it, as notification SR/1/2r1. */
		id = xasprintf("%s/2r1", n->id);
		outbox_queue_resend(&tx, t.cf, n, id, "K/1/2", NULL, SENT);
		free(id);
		assert_int_equal(txn_exec(&tx, n->sr, &cause), 1);
		notice_free(n);
		/* The resend (of resident 0) first: it schedules nothing. */
		id = xasprintf("K%d/1/2r1", k);
		test_ask_sent(&t, id, SENT, 0);
		free(id);
		key = xasprintf("closeloop:sr:{K%d}:q:1/0", k);
		assert_int_equal(testredis_key_int(t.r, "EXISTS", key), 0);
		free(key);
		id = xasprintf("K%d/1/0", k);
		test_ask_sent(&t, id, SENT, 0);
		free(id);
		id = xasprintf("K%d/1/1", k);
		test_ask_sent(&t, id, SENT, 0);
		free(id);
		key = xasprintf("closeloop:sr:{K%d}:q:1/0", k);
		if (testredis_key_int(t.r, "EXISTS", key) !=
		    (k == VOCAB_NOTICE_COMPLETED))
			fail_msg("notice %s: %s a question",
			    vocab_notice_name(k), k == VOCAB_NOTICE_COMPLETED ?
			    "no" : "made");
		free(key);
	}
	/* Its contact without a resident, and its resend, made none. */
	assert_int_equal(testredis_int(t.r, "ZCARD closeloop:ask:due"), 1);
	test_ask_close(&t);
}

/*
 * When it falls due the question is asked once: the feedback notice in
 * the outbox, the record asked, the phone's latest question, the
 * decision asked; answer_by passing with no answer closes it as
 * unanswered.
 */
static void
test_ask_asked(void **state)
{
	struct test_ask	 t;
	const char	*q = "closeloop:sr:{B1}:q:2/0";
	const char	*m = "closeloop:sr:{B1}:n:2/0q";
	char		*v;

	(void)state;
	test_ask_open(&t, NULL);
	test_ask_sr(&t, "B1");
	test_ask_sent(&t, "B1/2/1", SENT, 0);
	assert_int_equal(test_ask_run(&t, DUE - 1, 0), 0);
	test_ask_field(&t, q, "state", "waiting");
	assert_int_equal(test_ask_run(&t, DUE, 1), 1);
	test_ask_field(&t, q, "state", "asked");
	test_ask_field(&t, q, "message", "B1/2/0q");
	v = test_ask_hget(&t, q, "answer_by");
	assert_int_equal(strtoll(v, NULL, 10), BY);
	free(v);
	test_ask_field(&t, m, "notice", "feedback");
	test_ask_field(&t, m, "question", "B1/2/0");
	test_ask_field(&t, m, "channel", "sms");
	test_ask_field(&t, m, "to", "+14165550142");
	test_ask_field(&t, m, "locale", "fr-CA");
	test_ask_field(&t, m, "state", "queued");
	assert_int_equal(test_ask_queued(&t), 1);
	assert_int_equal(test_ask_due(&t, "B1/2/0"), BY);
	test_ask_last(&t, "B1", "asked", NULL);
	/* Asked once: acted on again, it is not asked again. */
	assert_int_equal(test_ask_run(&t, DUE + 1, 0), 0);
	assert_int_equal(test_ask_queued(&t), 1);
	/* No answer by answer_by: unanswered, and over. */
	assert_int_equal(test_ask_run(&t, BY - 1, 0), 0);
	assert_int_equal(test_ask_run(&t, BY, 1), 0);
	test_ask_field(&t, q, "state", "unanswered");
	test_ask_last(&t, "B1", "unanswered", NULL);
	assert_int_equal(test_ask_due(&t, "B1/2/0"), -1);
	test_ask_close(&t);
}

/*
 * A question is not asked when the SR was reopened, or the contact
 * unsubscribed, before it fell due: recorded suppressed with the rule.
 */
static void
test_ask_not_asked(void **state)
{
	struct test_ask	 t;

	(void)state;
	test_ask_open(&t, NULL);
	test_ask_sr(&t, "C1");
	test_ask_sent(&t, "C1/2/1", SENT, 0);
	test_ask_event(&t, SENT + 10, "type=status sr=C1 division=TW "
	    "status=reopened ts=2026-03-03T10:00:02Z");
	test_ask_sr(&t, "C2");
	test_ask_sent(&t, "C2/2/1", SENT, 0);
	test_ask_event(&t, SENT + 10, "type=unsubscribe sr=C2 "
	    "phone=+14165550142 ts=2026-03-03T10:00:02Z");
	assert_int_equal(test_ask_run(&t, DUE, 2), 0);
	test_ask_field(&t, "closeloop:sr:{C1}:q:2/0", "state", "cancelled");
	test_ask_field(&t, "closeloop:sr:{C1}:q:2/0", "why",
	    "no_longer_completed");
	test_ask_last(&t, "C1", "suppressed", "no_longer_completed");
	test_ask_field(&t, "closeloop:sr:{C2}:q:2/0", "why", "unsubscribed");
	test_ask_last(&t, "C2", "suppressed", "unsubscribed");
	assert_int_equal(testredis_int(t.r, "ZCARD closeloop:ask:due"), 0);
	assert_int_equal(test_ask_queued(&t), 0);
	test_ask_close(&t);
}

/*
 * Two processes act on the same due questions at once: each is asked
 * once, one notification each.
 */
static void
test_ask_twice(void **state)
{
	struct test_ask	 t;
	char		 sr[32], id[24];
	long long	 before[20];
	size_t		 asked;
	pid_t		 pid;
	int		 i, status;

	(void)state;
	test_ask_open(&t, NULL);
	for (i = 0; i < 20; i++) {
		snprintf(sr, sizeof sr, "D%d", i);
		test_ask_sr(&t, sr);
		snprintf(id, sizeof id, "D%d/2/1", i);
		test_ask_sent(&t, id, SENT, 0);
		snprintf(sr, sizeof sr, "closeloop:sr:{D%d}:audit", i);
		before[i] = testredis_key_int(t.r, "XLEN", sr);
	}
	redis_free(t.r);
	pid = fork();
	assert_true(pid >= 0);
	log_set_level(LOG_LEVEL_WARNING);
	t.r = redisconn_open(t.cf, NULL);
	assert_non_null(t.r);
	asked = 0;
	assert_true(ask_run(t.cf, t.r, DUE, 100, &asked, NULL) >= 0);
	if (pid == 0) {
		test_ask_close(&t);
		_exit(asked <= 20 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(test_ask_queued(&t), 20);
	for (i = 0; i < 20; i++) {
		snprintf(sr, sizeof sr, "closeloop:sr:{D%d}:audit", i);
		/* One entry more: asked, once. */
		assert_int_equal(testredis_key_int(t.r, "XLEN", sr),
		    before[i] + 1);
		snprintf(id, sizeof id, "D%d", i);
		test_ask_last(&t, id, "asked", NULL);
	}
	test_ask_close(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ask_scheduled),
		cmocka_unit_test(test_ask_kinds),
		cmocka_unit_test(test_ask_asked),
		cmocka_unit_test(test_ask_not_asked),
		cmocka_unit_test(test_ask_twice),
	};

	signal(SIGPIPE, SIG_IGN);
	return testredis_run(&ts, "ask", tests,
	    sizeof tests / sizeof tests[0]);
}
