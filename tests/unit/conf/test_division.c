/*
 * test_division.c - unit tests for divisions (division.c)
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "division.h"

/* Build TS and TW as a configuration would. */
static void
test_division_build(struct division **list, size_t *n)
{
	struct division	*dv;

	*list = NULL;
	*n = 0;
	dv = division_add(list, n, "TS");
	division_add_name(dv, "en", "Transportation Services");
	division_add_name(dv, "fr", "Services des transports");
	division_add_name(dv, "zh-Hans", "交通服务");
	dv = division_add(list, n, "TW");
	division_add_name(dv, "en", "Toronto Water");
	division_add_status(dv, "WO-COMP", VOCAB_STATUS_CLOSED,
	    VOCAB_REASON_COMPLETED);
	division_add_status(dv, "WO-SCHED", VOCAB_STATUS_SCHEDULED,
	    VOCAB_REASON_NONE);
}

/* Divisions are found by exact code only. */
static void
test_division_find(void **state)
{
	struct division	*list;
	size_t		 n;

	(void)state;
	test_division_build(&list, &n);
	assert_int_equal(n, 2);
	assert_string_equal(division_find(list, n, "TW")->code, "TW");
	assert_string_equal(division_find(list, n, "TS")->code, "TS");
	assert_null(division_find(list, n, "tw"));
	assert_null(division_find(list, n, "SWMS"));
	assert_null(division_find(NULL, 0, "TW"));
	division_free(list, n);
	division_free(NULL, 0);
}

/* A status_map maps its codes and nothing else. */
static void
test_division_map(void **state)
{
	struct division		*list;
	const struct division	*tw, *ts;
	enum vocab_status	 st;
	enum vocab_reason	 rs;
	size_t			 n;

	(void)state;
	test_division_build(&list, &n);
	tw = division_find(list, n, "TW");
	ts = division_find(list, n, "TS");
	assert_int_equal(division_map(tw, "WO-COMP", &st, &rs), 0);
	assert_int_equal(st, VOCAB_STATUS_CLOSED);
	assert_int_equal(rs, VOCAB_REASON_COMPLETED);
	assert_int_equal(division_map(tw, "WO-SCHED", &st, &rs), 0);
	assert_int_equal(st, VOCAB_STATUS_SCHEDULED);
	assert_int_equal(rs, VOCAB_REASON_NONE);
	assert_int_equal(division_map(tw, "wo-comp", &st, &rs), -1);
	assert_int_equal(division_map(tw, "closed", &st, &rs), -1);
	assert_int_equal(division_map(ts, "WO-COMP", &st, &rs), -1);
	division_free(list, n);
}

/* Names fall back from a regional locale to its language, no further. */
static void
test_division_name(void **state)
{
	struct division		*list;
	const struct division	*ts;
	size_t			 n;

	(void)state;
	test_division_build(&list, &n);
	ts = division_find(list, n, "TS");
	assert_string_equal(division_name(ts, "en"), "Transportation Services");
	assert_string_equal(division_name(ts, "fr-CA"),
	    "Services des transports");
	assert_string_equal(division_name(ts, "zh-Hans-CN"), "交通服务");
	assert_string_equal(division_name(ts, "zh-hans"), "交通服务");
	assert_null(division_name(ts, "zh"));
	assert_null(division_name(ts, "es"));
	assert_null(division_name(ts, ""));
	assert_null(division_name(division_find(list, n, "TW"), "fr"));
	division_free(list, n);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_division_find),
		cmocka_unit_test(test_division_map),
		cmocka_unit_test(test_division_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
