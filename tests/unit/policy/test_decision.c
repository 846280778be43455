/*
 * test_decision.c - unit tests for decision records (decision.c)
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "decision.h"

/* A decision's fields are what the audit stream stores. */
static void
test_decision_fields(void **state)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	const char		*out[DECISION_FIELDS_MAX];
	char			 at[32], rbuf[32];
	size_t			 n;

	(void)state;
	d = decision_add(&dl, DECISION_QUEUED, NULL, VOCAB_NOTICE_COMPLETED,
	    "TW", "e1 e2", "completed queued as %s for %d contacts", "8812/3",
	    2);
	d->recipients = 2;
	n = decision_fields(d, 1772532000123LL, at, rbuf, out);
	assert_int_equal(n, 14);
	assert_string_equal(out[0], "at");
	assert_string_equal(out[1], "1772532000123");
	assert_string_equal(out[3], "queued");
	assert_string_equal(out[4], "notice");
	assert_string_equal(out[5], "completed");
	assert_string_equal(out[7], "TW");
	assert_string_equal(out[9], "e1 e2");
	assert_string_equal(out[11], "completed queued as 8812/3 for 2 "
	    "contacts");
	assert_string_equal(out[12], "recipients");
	assert_string_equal(out[13], "2");
	decision_clear(&dl);
	assert_int_equal(dl.n, 0);
	assert_null(dl.list);
}

/* Fields without a value are left out; a rule is kept. */
static void
test_decision_sparse(void **state)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	const char		*out[DECISION_FIELDS_MAX];
	char			 at[32], rbuf[32];

	(void)state;
	d = decision_add(&dl, DECISION_FLAGGED, "no_note", VOCAB_NOTICE_NONE,
	    NULL, NULL, "no note");
	assert_int_equal(decision_fields(d, 1, at, rbuf, out), 8);
	assert_string_equal(out[4], "rule");
	assert_string_equal(out[5], "no_note");
	assert_string_equal(out[6], "detail");
	decision_clear(&dl);
}

/* Extra fields follow the fixed ones, in order; empty ones are left out. */
static void
test_decision_extra(void **state)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	const char		*out[DECISION_FIELDS_MAX];
	char			 at[32], rb[32];
	size_t			 n, i;

	(void)state;
	d = decision_add(&dl, DECISION_SENT, NULL, VOCAB_NOTICE_COMPLETED,
	    "TW", "e-1", "sms to %s", "+1416***0100");
	decision_set(d, "channel", "sms");
	decision_set(d, "to", "+1416***0100");
	decision_set(d, "locale", NULL);
	decision_set(d, "subject", "");
	decision_set(d, "sms", "Votre demande est termin\xc3\xa9" "e.");
	for (i = 0; i < DECISION_EXTRA_MAX + 3; i++)
		decision_set(d, "filler", "x");
	assert_string_equal(decision_get(d, "sms"),
	    "Votre demande est termin\xc3\xa9" "e.");
	assert_null(decision_get(d, "locale"));
	assert_int_equal(d->nextra, DECISION_EXTRA_MAX);
	n = decision_fields(d, 1795000000000LL, at, rb, out);
	assert_true(n <= DECISION_FIELDS_MAX);
	assert_string_equal(out[0], "at");
	assert_string_equal(out[1], "1795000000000");
	for (i = 0; i + 1 < n && strcmp(out[i], "channel") != 0; i += 2)
		;
	assert_true(i + 5 < n);
	assert_string_equal(out[i + 1], "sms");
	assert_string_equal(out[i + 2], "to");
	assert_string_equal(out[i + 4], "sms");
	for (i = 0; i < n; i += 2)
		assert_true(strcmp(out[i], "locale") != 0 &&
		    strcmp(out[i], "subject") != 0);
	decision_clear(&dl);
}

/* Tagging fills ward and service from the given decision on, not over. */
static void
test_decision_tag(void **state)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;

	(void)state;
	decision_add(&dl, DECISION_RECEIVED, NULL, VOCAB_NOTICE_NONE, "TS",
	    "e-0", "%s", "before");
	d = decision_add(&dl, DECISION_RECEIVED, NULL, VOCAB_NOTICE_NONE,
	    "TS", "e-1", "%s", "received");
	decision_set(d, "service", "Road Pothole / Road Damage");
	decision_add(&dl, DECISION_QUEUED, NULL, VOCAB_NOTICE_COMPLETED,
	    "TS", "e-1", "%s", "queued");
	decision_tag(&dl, 1, "W07", "Pothole");
	assert_null(decision_get(&dl.list[0], "ward"));
	assert_string_equal(decision_get(&dl.list[1], "ward"), "W07");
	assert_string_equal(decision_get(&dl.list[1], "service"),
	    "Road Pothole / Road Damage");
	assert_string_equal(decision_get(&dl.list[2], "ward"), "W07");
	assert_string_equal(decision_get(&dl.list[2], "service"), "Pothole");
	decision_tag(&dl, 0, NULL, NULL);
	assert_null(decision_get(&dl.list[0], "ward"));
	decision_clear(&dl);
}

/* Kind names round-trip; unknown ones are 0. */
static void
test_decision_kinds(void **state)
{
	enum decision_kind	k;

	(void)state;
	for (k = DECISION_QUEUED; k <= DECISION_MEASURED; k++)
		assert_int_equal(decision_kind_parse(decision_kind_name(k)), k);
	assert_int_equal(decision_kind_parse("sent"), DECISION_SENT);
	assert_int_equal(decision_kind_parse("delivered"), DECISION_DELIVERED);
	assert_int_equal(decision_kind_parse("received"), DECISION_RECEIVED);
	assert_int_equal(decision_kind_parse("bounced"), DECISION_BOUNCED);
	assert_int_equal(decision_kind_parse("complained"),
	    DECISION_COMPLAINED);
	assert_int_equal(decision_kind_parse("bounce"), 0);
	assert_string_equal(decision_kind_name(0), "");
	assert_string_equal(decision_kind_name(99), "");
}

/*
 * The misleading closures: each rule under its own kind only, numbered
 * as decision_misleading_rule() names them.
 */
static void
test_decision_misleading(void **state)
{
	int	i;

	(void)state;
	assert_int_equal(decision_misleading(DECISION_SUPPRESSED,
	    "explicit_transfer"), 0);
	assert_int_equal(decision_misleading(DECISION_SUPPRESSED,
	    "partial_work_order"), 2);
	assert_int_equal(decision_misleading(DECISION_FLAGGED,
	    "closed_not_done"), 3);
	assert_int_equal(decision_misleading(DECISION_FLAGGED,
	    "explicit_transfer"), -1);
	assert_int_equal(decision_misleading(DECISION_SUPPRESSED,
	    "closed_not_done"), -1);
	assert_int_equal(decision_misleading(DECISION_SUPPRESSED,
	    "repeat"), -1);
	assert_int_equal(decision_misleading(DECISION_SUPPRESSED, NULL), -1);
	for (i = 0; i < DECISION_MISLEADING_RULES; i++)
		assert_non_null(decision_misleading_rule(i));
	assert_string_equal(decision_misleading_rule(1), "implicit_transfer");
	assert_null(decision_misleading_rule(DECISION_MISLEADING_RULES));
	assert_null(decision_misleading_rule(-1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_fields),
		cmocka_unit_test(test_decision_sparse),
		cmocka_unit_test(test_decision_kinds),
		cmocka_unit_test(test_decision_extra),
		cmocka_unit_test(test_decision_tag),
		cmocka_unit_test(test_decision_misleading),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
