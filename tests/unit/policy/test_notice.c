/*
 * test_notice.c - unit tests for the notice told when a window passes
 * (notice.c)
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
#include "event.h"
#include "notice.h"
#include "policy.h"
#include "srstate.h"
#include "xmalloc.h"

static struct config cf;

/* A state of SR 8812 with one open work order of TS and a subscriber. */
static struct srstate *
test_notice_state(enum vocab_status status)
{
	struct srstate		*st;
	struct srstate_contact	*c;

	st = srstate_new("8812");
	srstate_wo_add(st, "TS", "TS", 1000)->status = status;
	c = srstate_contact_add(st, EVENT_CHANNEL_SMS, "+14165550100");
	c->active = 1;
	c->locale = xstrdup("zh-Hans");
	st->due = 5000;
	srstate_add_event(st, "e1", 1000);
	return st;
}

/* Nothing is released before it is due. */
static void
test_notice_not_due(void **state)
{
	struct policy_result	 res = { { NULL, 0 }, NULL, NULL };
	struct srstate		*st;

	(void)state;
	st = test_notice_state(VOCAB_STATUS_ASSIGNED);
	assert_int_equal(notice_release(&cf, st, 4999, &res.decisions, &res.notice), 0);
	assert_null(res.notice);
	assert_int_equal(res.decisions.n, 0);
	assert_int_equal(st->due, 5000);
	srstate_free(st);
}

/* A released notice has the fields delivery needs, per recipient. */
static void
test_notice_fields(void **state)
{
	struct policy_result	 res = { { NULL, 0 }, NULL, NULL };
	struct srstate		*st;
	const char		*out[NOTICE_FIELDS_MAX];
	size_t			 n;

	(void)state;
	st = test_notice_state(VOCAB_STATUS_SCHEDULED);
	srstate_set(&st->scheduled_for, "2026-03-05");
	srstate_set(&st->service, "Road Pothole / Road Damage");
	assert_int_equal(notice_release(&cf, st, 5000, &res.decisions, &res.notice), 1);
	assert_non_null(res.notice);
	n = notice_fields(res.notice, 0, out);
	assert_int_equal(n, 22);
	assert_string_equal(out[1], "8812/1");
	assert_string_equal(out[5], "scheduled");
	assert_string_equal(out[7], "sms");
	assert_string_equal(out[9], "+14165550100");
	assert_string_equal(out[11], "zh-Hans");
	assert_string_equal(out[13], "TS");
	assert_string_equal(out[15], "Road Pothole / Road Damage");
	assert_string_equal(out[17], "2026-03-05");
	assert_string_equal(out[18], "resident");
	assert_string_equal(out[19], "0");
	assert_string_equal(out[21], "e1");
	assert_int_equal(st->due, 0);
	assert_null(st->events);
	assert_int_equal(st->told, VOCAB_NOTICE_SCHEDULED);
	policy_result_clear(&res);
	srstate_free(st);
}

/* The same state again is not told twice; a pause is not told at all. */
static void
test_notice_unchanged(void **state)
{
	struct policy_result	 res = { { NULL, 0 }, NULL, NULL };
	struct srstate		*st;

	(void)state;
	st = test_notice_state(VOCAB_STATUS_IN_PROGRESS);
	notice_release(&cf, st, 5000, &res.decisions, &res.notice);
	assert_non_null(res.notice);
	policy_result_clear(&res);
	st->due = 6000;
	notice_release(&cf, st, 6000, &res.decisions, &res.notice);
	assert_null(res.notice);
	assert_string_equal(res.decisions.list[0].rule, "unchanged");
	policy_result_clear(&res);
	st->wo[0].status = VOCAB_STATUS_ON_HOLD;
	st->due = 7000;
	notice_release(&cf, st, 7000, &res.decisions, &res.notice);
	assert_null(res.notice);
	assert_string_equal(res.decisions.list[0].rule, "no_notice");
	policy_result_clear(&res);
	srstate_free(st);
}

/* After "transferred", the new division's "received" adds nothing. */
static void
test_notice_after_transfer(void **state)
{
	struct policy_result	 res = { { NULL, 0 }, NULL, NULL };
	struct srstate		*st;

	(void)state;
	st = test_notice_state(VOCAB_STATUS_RECEIVED);
	st->told = VOCAB_NOTICE_TRANSFERRED;
	srstate_set(&st->told_division, "TS");
	notice_release(&cf, st, 5000, &res.decisions, &res.notice);
	assert_null(res.notice);
	assert_string_equal(res.decisions.list[0].rule, "unchanged");
	policy_result_clear(&res);
	srstate_free(st);
}

/*
 * The last notice number is used, and after it no notice is numbered -
 * none wraps round to a negative id that another notice may reuse.
 */
static void
test_notice_last_number(void **state)
{
	struct policy_result	 res = { { NULL, 0 }, NULL, NULL };
	struct srstate		*st;

	(void)state;
	st = test_notice_state(VOCAB_STATUS_RECEIVED);
	st->seq = INT64_MAX - 1;
	notice_release(&cf, st, 5000, &res.decisions, &res.notice);
	assert_non_null(res.notice);
	assert_string_equal(res.notice->id, "8812/9223372036854775807");
	policy_result_clear(&res);
	st->wo[0].status = VOCAB_STATUS_IN_PROGRESS;
	st->due = 6000;
	notice_release(&cf, st, 6000, &res.decisions, &res.notice);
	assert_null(res.notice);
	assert_string_equal(res.decisions.list[0].rule, "too_many_notices");
	assert_int_equal(st->seq, INT64_MAX);
	policy_result_clear(&res);
	srstate_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notice_not_due),
		cmocka_unit_test(test_notice_fields),
		cmocka_unit_test(test_notice_unchanged),
		cmocka_unit_test(test_notice_after_transfer),
		cmocka_unit_test(test_notice_last_number),
	};

	cf.policy_notify_on = VOCAB_NOTICE_ALL;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
