/*
 * test_srstate.c - unit tests for an SR's state and its hash (srstate.c)
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event.h"
#include "srhash.h"
#include "srstate.h"
#include "xmalloc.h"

/* Build a state with a bit of everything. */
static struct srstate *
test_srstate_sample(void)
{
	struct srstate		*st;
	struct srstate_wo	*wo;
	struct srstate_contact	*c;

	st = srstate_new("8812");
	wo = srstate_wo_add(st, "WO 7", "TS", 1000);
	wo->status = VOCAB_STATUS_CLOSED;
	wo->reason = VOCAB_REASON_COMPLETED;
	wo->open = 0;
	wo->closed = 2000;
	wo = srstate_wo_add(st, "TW", "TW", 3000);
	wo->status = VOCAB_STATUS_ASSIGNED;
	c = srstate_contact_add(st, EVENT_CHANNEL_EMAIL, "alice@example.org");
	c->active = 1;
	c->ts = 500;
	c->locale = strdup("fr-CA");
	c = srstate_contact_add(st, EVENT_CHANNEL_SMS, "+14165550100");
	c->ts = 600;
	c->via = strdup("8800");
	srstate_set(&st->note, "Line one\nline two\twith a tab");
	srstate_set(&st->scheduled_for, "2026-03-05");
	srstate_set(&st->ward, "W07");
	st->closed_at = 1772531000000LL;
	st->told = VOCAB_NOTICE_TRANSFERRED;
	srstate_set(&st->told_division, "TW");
	st->told_closed = 1;
	st->seq = 4;
	st->due = 1772532000123LL;
	st->held = 1;
	srstate_add_event(st, "e1", 1772531000000LL);
	srstate_add_event(st, "e2", 1772530000000LL);
	srstate_set(&st->std_division, "TW");
	st->std_days = 0;
	st->std_response = 1;
	st->std_given = 1;
	st->std_start = 3000;
	st->std_due = 1772600000000LL;
	st->std_closed = 4000;
	srstate_set(&st->overdue, "TS TW");
	return st;
}

/* Encoding then decoding gives the same state. */
static void
test_srstate_round_trip(void **state)
{
	struct srstate	 *st, *copy;
	char		**fields, **again;
	size_t		  n, m, i;

	(void)state;
	st = test_srstate_sample();
	fields = srhash_encode(st, &n);
	copy = srstate_new("8812");
	assert_int_equal(srhash_decode(copy, fields, n, NULL), 0);
	again = srhash_encode(copy, &m);
	assert_int_equal(n, m);
	for (i = 0; i < 2 * n; i++)
		assert_string_equal(fields[i], again[i]);
	assert_int_equal(copy->nwo, 2);
	assert_string_equal(copy->wo[0].key, "WO 7");
	assert_int_equal(copy->wo[0].open, 0);
	assert_int_equal(copy->wo[0].reason, VOCAB_REASON_COMPLETED);
	assert_string_equal(copy->contact[0].locale, "fr-CA");
	assert_string_equal(copy->contact[1].via, "8800");
	assert_string_equal(copy->note, "Line one\nline two\twith a tab");
	assert_int_equal(copy->told, VOCAB_NOTICE_TRANSFERRED);
	assert_int_equal(copy->due, 1772532000123LL);
	assert_string_equal(copy->ward, "W07");
	assert_int_equal(copy->closed_at, 1772531000000LL);
	assert_string_equal(copy->events, "e1 e2");
	assert_int_equal(copy->events_ts, 1772531000000LL);
	assert_string_equal(copy->std_division, "TW");
	assert_int_equal(copy->std_days, 0);
	assert_int_equal(copy->std_response, 1);
	assert_int_equal(copy->std_given, 1);
	assert_int_equal(copy->std_start, 3000);
	assert_int_equal(copy->std_due, 1772600000000LL);
	assert_int_equal(copy->std_closed, 4000);
	assert_string_equal(copy->overdue, "TS TW");
	srhash_encode_free(fields, n);
	srhash_encode_free(again, m);
	srstate_free(copy);
	srstate_free(st);
}

/* A damaged or unknown field is skipped and reported, not fatal. */
static void
test_srstate_damaged(void **state)
{
	char		*fields[] = {
		"wo:A", "TS 1 received",		/* too short */
		"mystery", "1",
		"due", "soon",
		"told", "completed",
		"c:fax:123", "1 0 - -",
	};
	struct srstate	*st;
	char		*cause = NULL;

	(void)state;
	st = srstate_new("8812");
	assert_int_equal(srhash_decode(st, fields, 5, &cause), 4);
	assert_non_null(strstr(cause, "SR 8812: skipped"));
	assert_non_null(strstr(cause, "\"wo:A\""));
	assert_int_equal(st->nwo, 0);
	assert_int_equal(st->told, VOCAB_NOTICE_COMPLETED);
	free(cause);
	srstate_free(st);
}

/*
 * Values out of range are damage, skipped: a due time or a work order's
 * time past the end of 9999 (a due of 1e17 once made the main loop spin),
 * a negative count; the largest sequence number is kept.
 */
static void
test_srstate_out_of_range(void **state)
{
	char		*fields[] = {
		"due", "100000000000000000",
		"unsub_all", "-5",
		"seq", "9223372036854775807",
		"told_closed", "99999999999999999999",
		"held", "7",
		"wo:TW", "TW 1 received - 100000000000000000 1000 0",
		"wo:TS", "TS 1 received - 1000 1000 0",
		"c:email:a@example.org", "1 -3 - -",
	};
	struct srstate	*st;
	char		*cause = NULL;

	(void)state;
	st = srstate_new("X-1");
	assert_int_equal(srhash_decode(st, fields, 8, &cause), 6);
	assert_non_null(strstr(cause, "\"due\""));
	assert_int_equal(st->due, 0);
	assert_int_equal(st->unsub_all, 0);
	assert_int_equal(st->seq, INT64_MAX);
	assert_int_equal(st->told_closed, 0);
	assert_int_equal(st->held, 0);
	assert_int_equal(st->nwo, 1);
	assert_string_equal(st->wo[0].key, "TS");
	assert_int_equal(st->ncontact, 0);
	free(cause);
	srstate_free(st);
}

/*
 * The warning about a damaged contact field, or one past the limit of
 * contacts, names it with its address masked: it goes to the log.
 */
static void
test_srstate_warning_masked(void **state)
{
	char		*fields[2 * (SRSTATE_CONTACT_MAX + 1)];
	struct srstate	*st;
	char		*cause = NULL, *past;
	size_t		 i;

	(void)state;
	for (i = 0; i <= SRSTATE_CONTACT_MAX; i++) {
		fields[2 * i] = xasprintf("c:email:resident%zu@example.org",
		    i);
		fields[2 * i + 1] = xstrdup("1 1000 - -");
	}
	st = srstate_new("ORIG");
	assert_int_equal(srhash_decode(st, fields, SRSTATE_CONTACT_MAX + 1,
	    &cause), 1);
	assert_int_equal(st->ncontact, SRSTATE_CONTACT_MAX);
	assert_non_null(strstr(cause, "\"c:email:r***@example.org\""));
	past = xasprintf("resident%d", SRSTATE_CONTACT_MAX);
	assert_non_null(strstr(fields[2 * SRSTATE_CONTACT_MAX], past));
	assert_null(strstr(cause, past));
	free(past);
	free(cause);
	cause = NULL;
	srstate_free(st);
	free(fields[1]);
	fields[1] = xstrdup("broken");
	st = srstate_new("ORIG");
	assert_int_equal(srhash_decode(st, fields, 1, &cause), 1);
	assert_null(strstr(cause, "resident0"));
	assert_non_null(strstr(cause, "r***@example.org"));
	free(cause);
	srstate_free(st);
	for (i = 0; i < 2 * (SRSTATE_CONTACT_MAX + 1); i++)
		free(fields[i]);
}

/*
 * A standard's end is checked while it has not ended and work is open,
 * met or not; not before the pending notice; a damaged standard is
 * skipped.
 */
static void
test_srstate_std_check(void **state)
{
	char		*fields[] = {
		"std", "TS - completion 0 1000 0",
		"std", "TS x completion 0 1000 2000",
		"std", "TS 5 later 0 1000 2000",
		"std", "TS 5 response 0 -1 2000",
		"std_ended", "2",
	};
	struct srstate	*st;
	char		*cause = NULL;

	(void)state;
	st = test_srstate_sample();
	st->std_response = 0;
	assert_int_equal(srstate_std_check(st), 1772600000000LL);
	st->due = 1772700000000LL;
	assert_int_equal(srstate_std_check(st), 1772700000000LL);
	st->due = 0;
	st->std_done = 5000;
	assert_int_equal(srstate_std_met(st), 5000);
	assert_int_equal(srstate_std_check(st), 1772600000000LL);
	st->std_response = 1;
	assert_int_equal(srstate_std_met(st), 0);
	st->std_acted = 6000;
	assert_int_equal(srstate_std_met(st), 6000);
	st->std_ended = 1;
	assert_int_equal(srstate_std_check(st), 0);
	st->std_ended = 0;
	st->wo[1].open = 0;
	assert_int_equal(srstate_std_check(st), 0);
	srstate_free(st);

	/* Past the standard, work open: until met, closed or moved on. */
	st = test_srstate_sample();
	st->std_response = 0;
	assert_false(srstate_std_overdue(st, NULL));
	st->std_ended = 1;
	assert_true(srstate_std_overdue(st, NULL));
	assert_true(srstate_std_overdue(st, "tw"));
	assert_false(srstate_std_overdue(st, "TS"));
	st->std_done = 9000;
	assert_false(srstate_std_overdue(st, "TW"));
	st->std_done = 0;
	st->wo[1].open = 0;
	assert_false(srstate_std_overdue(st, "TW"));
	srstate_free(st);

	st = srstate_new("8812");
	assert_int_equal(srstate_std_check(st), 0);
	assert_int_equal(srhash_decode(st, fields, 5, &cause), 4);
	assert_string_equal(st->std_division, "TS");
	assert_int_equal(st->std_days, -1);
	assert_int_equal(st->std_due, 0);
	assert_int_equal(st->std_ended, 0);
	free(cause);
	srstate_free(st);
}

/* Work order and contact helpers count and find what they should. */
static void
test_srstate_helpers(void **state)
{
	struct srstate	*st;

	(void)state;
	st = test_srstate_sample();
	assert_int_equal(srstate_wo_open(st, NULL), 1);
	assert_int_equal(srstate_wo_open(st, "TS"), 0);
	assert_int_equal(srstate_wo_closed(st), 1);
	assert_string_equal(srstate_wo_owner(st)->key, "TW");
	assert_string_equal(srstate_wo_last_closed(st, NULL)->key, "WO 7");
	assert_null(srstate_wo_last_closed(st, "TW"));
	assert_string_equal(srstate_wo_first(st)->key, "WO 7");
	assert_int_equal(srstate_contact_active(st), 1);
	assert_non_null(srstate_contact_find(st, EVENT_CHANNEL_SMS,
	    "+14165550100"));
	assert_null(srstate_contact_find(st, EVENT_CHANNEL_EMAIL,
	    "+14165550100"));
	srstate_free(st);
}

/* Work orders moved at the same time rank the same in either order. */
static void
test_srstate_ties(void **state)
{
	struct srstate	*a, *b;

	(void)state;
	a = srstate_new("1");
	srstate_wo_add(a, "WO-1", "TS", 1000)->status = VOCAB_STATUS_RECEIVED;
	srstate_wo_add(a, "WO-2", "TS", 1000)->status = VOCAB_STATUS_ASSIGNED;
	b = srstate_new("1");
	srstate_wo_add(b, "WO-2", "TS", 1000)->status = VOCAB_STATUS_ASSIGNED;
	srstate_wo_add(b, "WO-1", "TS", 1000)->status = VOCAB_STATUS_RECEIVED;
	assert_string_equal(srstate_wo_owner(a)->key, "WO-2");
	assert_string_equal(srstate_wo_owner(b)->key, "WO-2");
	assert_string_equal(srstate_wo_first(a)->key, "WO-1");
	assert_string_equal(srstate_wo_first(b)->key, "WO-1");
	b->wo[0].open = 0;	/* WO-2 handed on at the moment WO-1 opened */
	assert_string_equal(srstate_wo_first(b)->key, "WO-2");
	srstate_free(a);
	srstate_free(b);
}

/* The events behind a notice are capped; their newest ts is not. */
static void
test_srstate_events_cap(void **state)
{
	struct srstate	*st;
	char		 id[16];
	int		 i, spaces = 0;
	const char	*p;

	(void)state;
	st = srstate_new("8812");
	for (i = 0; i < SRSTATE_EVENTS_MAX + 10; i++) {
		snprintf(id, sizeof id, "e%d", i);
		srstate_add_event(st, id, 1000 + i);
	}
	for (p = st->events; *p != '\0'; p++)
		spaces += *p == ' ';
	assert_int_equal(spaces + 1, SRSTATE_EVENTS_MAX);
	assert_int_equal(st->events_ts, 1000 + SRSTATE_EVENTS_MAX + 9);
	srstate_drop_events(st);
	assert_null(st->events);
	assert_int_equal(st->events_ts, 0);
	srstate_free(st);
}

/* Too many work orders or contacts are refused, not grown without end. */
static void
test_srstate_limits(void **state)
{
	struct srstate	*st;
	char		 key[16];
	int		 i;

	(void)state;
	st = srstate_new("8812");
	for (i = 0; i < SRSTATE_WO_MAX; i++) {
		snprintf(key, sizeof key, "W%d", i);
		assert_non_null(srstate_wo_add(st, key, "TS", i));
	}
	assert_null(srstate_wo_add(st, "one more", "TS", 0));
	for (i = 0; i < SRSTATE_CONTACT_MAX; i++) {
		snprintf(key, sizeof key, "+1416555%04d", i);
		assert_non_null(srstate_contact_add(st, EVENT_CHANNEL_SMS, key));
	}
	assert_null(srstate_contact_add(st, EVENT_CHANNEL_SMS, "+19999999999"));
	srstate_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srstate_round_trip),
		cmocka_unit_test(test_srstate_damaged),
		cmocka_unit_test(test_srstate_out_of_range),
		cmocka_unit_test(test_srstate_warning_masked),
		cmocka_unit_test(test_srstate_helpers),
		cmocka_unit_test(test_srstate_std_check),
		cmocka_unit_test(test_srstate_ties),
		cmocka_unit_test(test_srstate_events_cap),
		cmocka_unit_test(test_srstate_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
