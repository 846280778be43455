/*
 * test_vocab.c - unit tests for the status and reason vocabulary (vocab.c)
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "vocab.h"

/* Every status name parses to its value and back, and is listed. */
static void
test_vocab_statuses(void **state)
{
	static const char	*names[] = { "received", "assigned",
	    "scheduled", "in_progress", "on_hold", "transferred", "closed",
	    "cancelled", "reopened" };
	enum vocab_status	 st;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		st = vocab_status_parse(names[i]);
		assert_int_equal(st, (int)i + 1);
		assert_string_equal(vocab_status_name(st), names[i]);
		assert_non_null(strstr(vocab_status_list(), names[i]));
	}
	assert_int_equal(vocab_status_parse("done"), VOCAB_STATUS_NONE);
	assert_int_equal(vocab_status_parse("Closed"), VOCAB_STATUS_NONE);
	assert_int_equal(vocab_status_parse(""), VOCAB_STATUS_NONE);
	assert_int_equal(vocab_status_parse(NULL), VOCAB_STATUS_NONE);
	assert_string_equal(vocab_status_name(VOCAB_STATUS_NONE), "");
	assert_string_equal(vocab_status_name(99), "");
}

/* Every reason name parses to its value and back, and is listed. */
static void
test_vocab_reasons(void **state)
{
	static const char	*names[] = { "completed", "no_action_required",
	    "duplicate", "transferred", "scheduled", "assigned",
	    "referred_external" };
	enum vocab_reason	 rs;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		rs = vocab_reason_parse(names[i]);
		assert_int_equal(rs, (int)i + 1);
		assert_string_equal(vocab_reason_name(rs), names[i]);
		assert_non_null(strstr(vocab_reason_list(), names[i]));
	}
	assert_int_equal(vocab_reason_parse("fixed"), VOCAB_REASON_NONE);
	assert_string_equal(vocab_reason_name(VOCAB_REASON_NONE), "");
	assert_string_equal(vocab_reason_name(42), "");
}

/* Every notice name parses to its value and back, and is listed. */
static void
test_vocab_notices(void **state)
{
	static const char	*names[] = { "received", "assigned",
	    "scheduled", "in_progress", "transferred", "completed",
	    "no_action", "duplicate", "cancelled", "reopened",
	    "referred_external", "overdue", "feedback" };
	enum vocab_notice	 n;
	size_t			 i;

	(void)state;
	assert_int_equal(sizeof names / sizeof names[0] + 1,
	    VOCAB_NOTICE_COUNT);
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		n = vocab_notice_parse(names[i]);
		assert_int_equal(n, (int)i + 1);
		assert_string_equal(vocab_notice_name(n), names[i]);
		/* The list is of what notify_on takes: not feedback. */
		if (n == VOCAB_NOTICE_FEEDBACK) {
			assert_null(strstr(vocab_notice_list(), names[i]));
			assert_int_equal(VOCAB_NOTICE_ALL & (1u << n), 0);
		} else {
			assert_non_null(strstr(vocab_notice_list(),
			    names[i]));
			assert_int_not_equal(VOCAB_NOTICE_ALL & (1u << n), 0);
		}
	}
	assert_int_equal(vocab_notice_parse("closed"), VOCAB_NOTICE_NONE);
	assert_int_equal(vocab_notice_parse(""), VOCAB_NOTICE_NONE);
	assert_string_equal(vocab_notice_name(VOCAB_NOTICE_NONE), "");
	assert_string_equal(vocab_notice_name(77), "");
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vocab_statuses),
		cmocka_unit_test(test_vocab_reasons),
		cmocka_unit_test(test_vocab_notices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
