/*
 * test_question.c - unit tests for asking a resident whether it was
 * fixed (question.c), their answers (answer.c), the settings that say
 * when (feedback.c), and the resident a notice's recipients make up
 * (notice.c)
 *
 * Pure: a configuration of built-in defaults with the answer paths set,
 * states and questions built in memory, no Redis.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "answer.h"
#include "config.h"
#include "decision.h"
#include "division.h"
#include "event.h"
#include "feedback.h"
#include "notice.h"
#include "policy.h"
#include "question.h"
#include "srstate.h"
#include "xmalloc.h"

#define DAY	86400000LL
#define NOW	1795000000000LL		/* 2026-11-18T11:06:40Z, ms */
#define CLOSED	(NOW - 3 * DAY - 60000)

/* The configuration: defaults, a division TW, both answer paths. */
static struct config *
test_question_config(void)
{
	struct config	*cf;
	char		*cause = NULL;

	if ((cf = config_load(NULL, &cause)) == NULL)
		fail_msg("defaults: %s", cause);
	division_add(&cf->divisions, &cf->ndivisions, "TW");
	division_add(&cf->divisions, &cf->ndivisions, "TS");
	cf->sms_inbound_secret = xstrdup("inbound");
	cf->feedback_answer_url = xstrdup("https://311.example.org/answer");
	cf->feedback_answer_secret = xstrdup("answers");
	return cf;
}

/* An SR told "completed" by TW, closed at CLOSED, with one subscriber. */
static struct srstate *
test_question_state(void)
{
	struct srstate		*st;
	struct srstate_wo	*wo;
	struct srstate_contact	*c;

	st = srstate_new("8812");
	wo = srstate_wo_add(st, "TW", "TW", CLOSED - DAY);
	wo->open = 0;
	wo->status = VOCAB_STATUS_CLOSED;
	wo->reason = VOCAB_REASON_COMPLETED;
	wo->closed = CLOSED;
	st->closed_at = CLOSED;
	st->told = VOCAB_NOTICE_COMPLETED;
	st->told_completed = 1;
	st->seq = 4;
	c = srstate_contact_add(st, EVENT_CHANNEL_SMS, "+14165550142");
	c->active = 1;
	c->locale = xstrdup("fr-CA");
	return st;
}

/* A question about that completion, by SMS, due now. */
static struct question *
test_question_new(void)
{
	struct question	*q;

	q = question_new("8812/4/0");
	q->sr = xstrdup("8812");
	q->channel = EVENT_CHANNEL_SMS;
	q->to = xstrdup("+14165550142");
	q->locale = xstrdup("fr-CA");
	q->division = xstrdup("TW");
	q->service = xstrdup("Road Pothole");
	q->completion = xstrdup("8812/4/0");
	q->closed_at = CLOSED;
	q->state = QUESTION_WAITING;
	q->due = NOW;
	return q;
}

/* The most specific setting wins; service types match without case. */
static void
test_question_when(void **state)
{
	struct config	*cf = test_question_config();
	struct division	*tw = &cf->divisions[0];
	int64_t		 after;

	(void)state;
	assert_int_equal(feedback_when(&cf->feedback, NULL, NULL, &after), 1);
	assert_int_equal(after, 3 * 86400);
	feedback_add_service(&cf->feedback, "Road Pothole")->ask_after = 7;
	assert_int_equal(feedback_when(&cf->feedback, &tw->feedback,
	    "ROAD POTHOLE", &after), 1);
	assert_int_equal(after, 7);
	tw->feedback.ask_after = 5;
	assert_int_equal(feedback_when(&cf->feedback, &tw->feedback,
	    "road pothole", &after), 1);
	assert_int_equal(after, 5);
	feedback_add_service(&tw->feedback, "road pothole")->ask_after = 9;
	assert_int_equal(feedback_when(&cf->feedback, &tw->feedback,
	    "Road Pothole", &after), 1);
	assert_int_equal(after, 9);
	/* The division's switch; its service type's wins over it. */
	tw->feedback.ask = 0;
	assert_int_equal(feedback_when(&cf->feedback, &tw->feedback,
	    "Graffiti", &after), 0);
	assert_int_equal(feedback_when(&cf->feedback, &tw->feedback,
	    "Road Pothole", &after), 0);
	feedback_add_service(&tw->feedback, "Road Pothole")->ask = 1;
	assert_int_equal(feedback_when(&cf->feedback, &tw->feedback,
	    "Road Pothole", &after), 1);
	/* Another division keeps the global switch. */
	cf->feedback.ask = 0;
	assert_int_equal(feedback_when(&cf->feedback,
	    &cf->divisions[1].feedback, "Graffiti", &after), 0);
	config_free(cf);
}

/* Durations: a whole number and its unit, up to a year. */
static void
test_question_duration(void **state)
{
	int64_t	s;

	(void)state;
	assert_int_equal(feedback_duration("3d", &s), 0);
	assert_int_equal(s, 3 * 86400);
	assert_int_equal(feedback_duration("36h", &s), 0);
	assert_int_equal(s, 36 * 3600);
	assert_int_equal(feedback_duration("90m", &s), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(feedback_duration("0s", &s), 0);
	assert_int_equal(s, 0);
	assert_int_equal(feedback_duration("365d", &s), 0);
	assert_int_equal(feedback_duration("366d", &s), -1);
	assert_int_equal(feedback_duration("3", &s), -1);
	assert_int_equal(feedback_duration("d", &s), -1);
	assert_int_equal(feedback_duration("-3d", &s), -1);
	assert_int_equal(feedback_duration("3dd", &s), -1);
	assert_int_equal(feedback_duration(" 3d", &s), -1);
	assert_int_equal(feedback_duration("99999999999999999999d", &s), -1);
	assert_int_equal(feedback_duration(NULL, &s), -1);
}

/* Ids, keys and the record, written and read back. */
static void
test_question_record(void **state)
{
	struct config	*cf = test_question_config();
	struct question	*q = test_question_new(), *back;
	char		*id, *key, **f, sr[65];
	size_t		 n;

	(void)state;
	id = question_id("2026-000101/4", "1");
	assert_string_equal(id, "2026-000101/4/1");
	assert_int_equal(question_id_ok(id, sr), 1);
	assert_string_equal(sr, "2026-000101");
	key = question_key(cf, id);
	assert_string_equal(key, "closeloop:sr:{2026-000101}:q:4/1");
	free(key);
	free(id);
	assert_int_equal(question_id_ok("8812/4", NULL), 0);
	assert_int_equal(question_id_ok("8812/4/0q", NULL), 0);
	assert_int_equal(question_id_ok("8812//0", NULL), 0);
	assert_int_equal(question_id_ok("88 12/4/0", NULL), 0);
	assert_int_equal(question_id_ok("8812/4/0/1", NULL), 0);
	assert_int_equal(question_id_ok(NULL, NULL), 0);
	key = question_phone_key(cf, "+14165550142");
	assert_int_equal(strncmp(key, "closeloop:ask:sms:", 18), 0);
	assert_int_equal(strlen(key), 18 + 64);
	assert_null(strstr(key, "4165550142"));
	free(key);

	q->answer = QUESTION_PARTLY;
	q->comment = xstrdup("one side only");
	f = question_encode(q, &n);
	back = question_new(q->id);
	assert_int_equal(question_decode(back, f, n), 0);
	assert_string_equal(back->sr, "8812");
	assert_int_equal(back->channel, EVENT_CHANNEL_SMS);
	assert_string_equal(back->to, q->to);
	assert_string_equal(back->locale, "fr-CA");
	assert_string_equal(back->completion, "8812/4/0");
	assert_int_equal(back->closed_at, CLOSED);
	assert_int_equal(back->state, QUESTION_WAITING);
	assert_int_equal(back->due, NOW);
	assert_int_equal(back->answer, QUESTION_PARTLY);
	assert_string_equal(back->comment, "one side only");
	question_encode_free(f, n);
	question_free(back);
	/* A record without its SR or state is no question. */
	back = question_new("8812/4/0");
	assert_int_equal(question_decode(back, NULL, 0), -1);
	question_free(back);
	question_free(q);
	question_free(NULL);
	assert_int_equal(question_answer_parse("not_fixed"),
	    QUESTION_NOT_FIXED);
	assert_int_equal(question_answer_parse("yes"), QUESTION_NO_ANSWER);
	assert_string_equal(question_answer_name(QUESTION_PARTLY), "partly");
	assert_string_equal(question_state_name(QUESTION_UNANSWERED),
	    "unanswered");
	config_free(cf);
}

/* A due question is asked: the feedback notice, the decision asked. */
static void
test_question_ask(void **state)
{
	struct config		*cf = test_question_config();
	struct decision_list	 dl = { NULL, 0 };
	struct srstate		*st = test_question_state();
	struct question		*q = test_question_new();
	struct notice		*n = NULL;

	(void)state;
	q->due = NOW + 1;
	assert_int_equal(question_due(cf, q, st, NOW, &dl, &n),
	    QUESTION_STEP_NONE);
	assert_null(n);
	assert_int_equal(dl.n, 0);
	q->due = NOW;
	assert_int_equal(question_due(cf, q, st, NOW, &dl, &n),
	    QUESTION_STEP_ASKED);
	assert_int_equal(q->state, QUESTION_ASKED);
	assert_int_equal(q->asked_at, NOW);
	assert_int_equal(q->answer_by, NOW + 30 * DAY);
	assert_string_equal(q->message, "8812/4/0q");
	assert_non_null(n);
	assert_int_equal(n->notice, VOCAB_NOTICE_FEEDBACK);
	assert_string_equal(n->id, "8812/4");
	assert_string_equal(n->sr, "8812");
	assert_string_equal(n->division, "TW");
	assert_string_equal(n->question, "8812/4/0");
	assert_int_equal(strtoll(n->answer_by, NULL, 10), NOW + 30 * DAY);
	assert_int_equal(n->nto, 1);
	assert_int_equal(n->to[0].channel, EVENT_CHANNEL_SMS);
	assert_string_equal(n->to[0].address, "+14165550142");
	assert_string_equal(n->to[0].locale, "fr-CA");
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.list[0].kind, DECISION_ASKED);
	assert_int_equal(dl.list[0].notice, VOCAB_NOTICE_FEEDBACK);
	assert_int_equal(dl.list[0].recipients, 1);
	assert_string_equal(dl.list[0].division, "TW");
	assert_string_equal(decision_get(&dl.list[0], "question"), "8812/4/0");
	assert_string_equal(decision_get(&dl.list[0], "notification"),
	    "8812/4/0q");
	assert_string_equal(decision_get(&dl.list[0], "channel"), "sms");
	assert_string_equal(decision_get(&dl.list[0], "to"), "+1416***0142");
	assert_null(strstr(dl.list[0].detail, "5550142"));
	/* Asked once: the question is not asked again. */
	notice_free(n);
	n = NULL;
	assert_int_equal(question_due(cf, q, st, NOW + 1, &dl, &n),
	    QUESTION_STEP_NONE);
	assert_null(n);
	decision_clear(&dl);
	/* An SR no longer kept was not reopened since: asked. */
	q->state = QUESTION_WAITING;
	assert_int_equal(question_due(cf, q, NULL, NOW, &dl, &n),
	    QUESTION_STEP_ASKED);
	notice_free(n);
	decision_clear(&dl);
	question_free(q);
	srstate_free(st);
	config_free(cf);
}

/*
 * Run a due question on st under cf and check that it is not asked, by
 * rule; frees st.
 */
static void
test_question_not(struct config *cf, struct srstate *st, struct question *q,
    const char *rule)
{
	struct decision_list	 dl = { NULL, 0 };
	struct notice		*n = NULL;

	assert_int_equal(question_due(cf, q, st, NOW, &dl, &n),
	    QUESTION_STEP_CANCELLED);
	assert_null(n);
	assert_int_equal(q->state, QUESTION_CANCELLED);
	assert_string_equal(q->why, rule);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.list[0].kind, DECISION_SUPPRESSED);
	assert_string_equal(dl.list[0].rule, rule);
	assert_int_equal(dl.list[0].notice, VOCAB_NOTICE_FEEDBACK);
	decision_clear(&dl);
	/* Over: its due entry is all that goes. */
	assert_int_equal(question_due(cf, q, st, NOW, &dl, &n),
	    QUESTION_STEP_DROP);
	assert_int_equal(dl.n, 0);
	srstate_free(st);
	question_free(q);
}

/* The cases a question is not asked in, each with its rule. */
static void
test_question_cancelled(void **state)
{
	struct config		*cf = test_question_config();
	struct srstate		*st;
	struct question		*q;

	(void)state;
	/* Reopened: a work order is open again. */
	st = test_question_state();
	st->wo[0].open = 1;
	test_question_not(cf, st, test_question_new(), "no_longer_completed");
	/* Told something after the completion ("transferred"). */
	st = test_question_state();
	st->told = VOCAB_NOTICE_TRANSFERRED;
	test_question_not(cf, st, test_question_new(), "no_longer_completed");
	/* Completed again, by another closure: the old one is not asked. */
	st = test_question_state();
	st->closed_at = CLOSED + DAY;
	test_question_not(cf, st, test_question_new(), "no_longer_completed");
	/* The contact unsubscribed (or the phone texted STOP). */
	st = test_question_state();
	st->contact[0].active = 0;
	test_question_not(cf, st, test_question_new(), "unsubscribed");
	/* An email resident cannot answer without the answer links. */
	q = test_question_new();
	q->channel = EVENT_CHANNEL_EMAIL;
	free(q->to);
	q->to = xstrdup("m@example.org");
	free(cf->feedback_answer_url);
	cf->feedback_answer_url = NULL;
	test_question_not(cf, test_question_state(), q, "no_answer_path");
	/* Nor an SMS resident without /inbound. */
	free(cf->sms_inbound_secret);
	cf->sms_inbound_secret = NULL;
	test_question_not(cf, test_question_state(), test_question_new(),
	    "no_answer_path");
	/* The division is not asked (switched off after it was sent). */
	cf->divisions[0].feedback.ask = 0;
	test_question_not(cf, test_question_state(), test_question_new(),
	    "feedback_off");
	config_free(cf);
}

/* A pending notice makes the question wait for it. */
static void
test_question_waits(void **state)
{
	struct config		*cf = test_question_config();
	struct decision_list	 dl = { NULL, 0 };
	struct srstate		*st = test_question_state();
	struct question		*q = test_question_new();
	struct notice		*n = NULL;

	(void)state;
	st->due = NOW + 5000;
	st->held = 1;
	assert_int_equal(question_due(cf, q, st, NOW, &dl, &n),
	    QUESTION_STEP_NONE);
	assert_int_equal(q->state, QUESTION_WAITING);
	assert_int_equal(q->due, NOW + 6000);
	assert_int_equal(dl.n, 0);
	question_free(q);
	srstate_free(st);
	config_free(cf);
}

/*
 * Quiet hours set since the question was scheduled: by SMS it waits for
 * their end (07:00 in Toronto, 12:00 UTC), by email it is asked.
 */
static void
test_question_quiet(void **state)
{
	struct config		*cf = test_question_config();
	struct decision_list	 dl = { NULL, 0 };
	struct question		*q = test_question_new();
	struct notice		*n = NULL;

	(void)state;
	cf->sms_quiet_start = 5 * 60 + 30;
	cf->sms_quiet_end = 7 * 60;
	assert_int_equal(question_due(cf, q, NULL, NOW, &dl, &n),
	    QUESTION_STEP_NONE);
	assert_int_equal(q->state, QUESTION_WAITING);
	assert_int_equal(q->due, NOW + 3200000);
	assert_null(n);
	assert_int_equal(dl.n, 0);
	assert_int_equal(question_due(cf, q, NULL, q->due, &dl, &n),
	    QUESTION_STEP_ASKED);
	notice_free(n);
	decision_clear(&dl);
	question_free(q);
	q = test_question_new();
	q->channel = EVENT_CHANNEL_EMAIL;
	free(q->to);
	q->to = xstrdup("ana@example.org");
	assert_int_equal(question_due(cf, q, NULL, NOW, &dl, &n),
	    QUESTION_STEP_ASKED);
	notice_free(n);
	decision_clear(&dl);
	question_free(q);
	config_free(cf);
}

/* answer_by passed: unanswered, or closed after an answer. */
static void
test_question_close(void **state)
{
	struct config		*cf = test_question_config();
	struct decision_list	 dl = { NULL, 0 };
	struct question		*q = test_question_new();
	struct notice		*n = NULL;
	int64_t			 by = NOW + 30 * DAY;

	(void)state;
	assert_int_equal(question_due(cf, q, NULL, NOW, &dl, &n),
	    QUESTION_STEP_ASKED);
	notice_free(n);
	decision_clear(&dl);
	assert_int_equal(question_due(cf, q, NULL, by - 1, &dl, &n),
	    QUESTION_STEP_NONE);
	assert_int_equal(question_due(cf, q, NULL, by, &dl, &n),
	    QUESTION_STEP_CLOSED);
	assert_int_equal(q->state, QUESTION_UNANSWERED);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.list[0].kind, DECISION_UNANSWERED);
	assert_string_equal(dl.list[0].division, "TW");
	decision_clear(&dl);
	q->state = QUESTION_ANSWERED;
	assert_int_equal(question_due(cf, q, NULL, by, &dl, &n),
	    QUESTION_STEP_CLOSED);
	assert_int_equal(q->state, QUESTION_CLOSED);
	assert_int_equal(dl.n, 0);
	assert_int_equal(question_due(cf, q, NULL, by, &dl, &n),
	    QUESTION_STEP_DROP);
	question_free(q);
	config_free(cf);
}

/* Record an answer and check what it says; returns the decision's. */
static enum answer_refusal
test_question_reply(struct question *q, enum question_answer a,
    const char *comment, int64_t at, enum question_answer *previous)
{
	struct decision_list	 dl = { NULL, 0 };
	enum answer_refusal	 rc;

	rc = answer_take(q, a, comment, "sms", at, &dl, previous);
	if (rc != ANSWER_TAKEN)
		assert_int_equal(dl.n, 0);
	else {
		assert_int_equal(dl.n, 1);
		assert_int_equal(dl.list[0].kind, DECISION_ANSWERED);
		assert_string_equal(decision_get(&dl.list[0], "answer"),
		    question_answer_name(q->answer));
		assert_string_equal(decision_get(&dl.list[0], "channel"),
		    "sms");
		if (q->comment != NULL)
			assert_string_equal(decision_get(&dl.list[0],
			    "comment"), q->comment);
	}
	decision_clear(&dl);
	return rc;
}

/* Answers: taken while asked, the last replacing, comments after no. */
static void
test_question_answers(void **state)
{
	struct config		*cf = test_question_config();
	struct decision_list	 dl = { NULL, 0 };
	struct question		*q = test_question_new();
	struct notice		*n = NULL;
	enum question_answer	 prev;
	char			 long_text[ANSWER_COMMENT_MAX + 10];

	(void)state;
	assert_int_equal(test_question_reply(q, QUESTION_FIXED, NULL, NOW,
	    &prev), ANSWER_NOT_ASKED);
	question_due(cf, q, NULL, NOW, &dl, &n);
	notice_free(n);
	decision_clear(&dl);
	/* A comment alone before any answer is not kept. */
	assert_int_equal(test_question_reply(q, QUESTION_NO_ANSWER, "hello",
	    NOW + 1, &prev), ANSWER_NO_COMMENT);
	assert_int_equal(test_question_reply(q, QUESTION_FIXED, NULL, NOW + 1,
	    &prev), ANSWER_TAKEN);
	assert_int_equal(prev, QUESTION_NO_ANSWER);
	assert_int_equal(q->state, QUESTION_ANSWERED);
	assert_null(q->comment);
	/* After "fixed", a comment alone is not kept either. */
	assert_int_equal(test_question_reply(q, QUESTION_NO_ANSWER, "thanks",
	    NOW + 2, &prev), ANSWER_NO_COMMENT);
	/* A later answer replaces it, with its comment. */
	assert_int_equal(test_question_reply(q, QUESTION_NOT_FIXED,
	    " the pothole is still there\r\n", NOW + 3, &prev), ANSWER_TAKEN);
	assert_int_equal(prev, QUESTION_FIXED);
	assert_int_equal(q->answer, QUESTION_NOT_FIXED);
	assert_string_equal(q->comment, "the pothole is still there");
	assert_int_equal(q->answered_at, NOW + 3);
	assert_string_equal(q->answered_via, "sms");
	/* A text after it adds to the comment. */
	assert_int_equal(test_question_reply(q, QUESTION_NO_ANSWER,
	    "on the east side", NOW + 4, &prev), ANSWER_TAKEN);
	assert_int_equal(q->answer, QUESTION_NOT_FIXED);
	assert_int_equal(prev, QUESTION_NOT_FIXED);
	assert_string_equal(q->comment,
	    "the pothole is still there\non the east side");
	/* Kept to ANSWER_COMMENT_MAX bytes, on a character's boundary. */
	memset(long_text, 'a', sizeof long_text - 1);
	memcpy(long_text + ANSWER_COMMENT_MAX - 1, "\xc3\xa9", 2);
	long_text[sizeof long_text - 1] = '\0';
	assert_int_equal(test_question_reply(q, QUESTION_PARTLY, long_text,
	    NOW + 5, &prev), ANSWER_TAKEN);
	assert_int_equal(strlen(q->comment), ANSWER_COMMENT_MAX - 1);
	/* Not UTF-8: the answer counts, the comment does not. */
	assert_int_equal(test_question_reply(q, QUESTION_FIXED, "\xff\xfe",
	    NOW + 6, &prev), ANSWER_TAKEN);
	assert_null(q->comment);
	/* After answer_by, nothing is taken. */
	assert_int_equal(test_question_reply(q, QUESTION_PARTLY, NULL,
	    q->answer_by + 1, &prev), ANSWER_EXPIRED);
	assert_int_equal(q->answer, QUESTION_FIXED);
	q->state = QUESTION_UNANSWERED;
	assert_int_equal(test_question_reply(q, QUESTION_PARTLY, NULL,
	    NOW + 7, &prev), ANSWER_EXPIRED);
	question_free(q);
	config_free(cf);
}

/* The contacts of one subscription are one resident; others are not. */
static void
test_question_residents(void **state)
{
	struct config		*cf = test_question_config();
	struct policy_result	 res;
	struct srstate		*st = test_question_state();
	struct srstate_contact	*c;
	size_t			 i;

	(void)state;
	memset(&res, 0, sizeof res);
	/* The phone's resident gave an email with it; another resident. */
	st->contact[0].ts = 1000;
	c = srstate_contact_add(st, EVENT_CHANNEL_EMAIL, "m@example.org");
	c->active = 1;
	c->ts = 1000;
	c = srstate_contact_add(st, EVENT_CHANNEL_EMAIL, "n@example.org");
	c->active = 1;
	c->ts = 2000;
	st->due = NOW;
	st->told = VOCAB_NOTICE_NONE;
	policy_release(cf, st, NOW, &res);
	assert_non_null(res.notice);
	assert_int_equal(res.notice->nto, 3);
	for (i = 0; i < 3; i++)
		assert_string_equal(res.notice->to[i].resident,
		    i < 2 ? "0" : "2");
	policy_result_clear(&res);
	srstate_free(st);
	config_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_question_when),
		cmocka_unit_test(test_question_duration),
		cmocka_unit_test(test_question_record),
		cmocka_unit_test(test_question_ask),
		cmocka_unit_test(test_question_cancelled),
		cmocka_unit_test(test_question_waits),
		cmocka_unit_test(test_question_quiet),
		cmocka_unit_test(test_question_close),
		cmocka_unit_test(test_question_answers),
		cmocka_unit_test(test_question_residents),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
