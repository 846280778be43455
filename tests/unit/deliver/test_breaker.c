/*
 * test_breaker.c - unit tests for a channel's breaker (breaker.c)
 *
 * The breaker is pure: each test feeds it outcomes as a delivery worker
 * would and checks when it trips, as an operator reading
 * delivery.breaker_window and delivery.breaker_percent would expect.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "breaker.h"

/* Feed n outcomes, failed or not; return the 1-based one that tripped, or 0. */
static int
test_breaker_feed(struct breaker *b, int n, int failed, int percent)
{
	int	i;

	for (i = 1; i <= n; i++) {
		if (breaker_note(b, failed, percent))
			return i;
	}
	return 0;
}

/* 10 % of 500: the 51st failure trips, the 50th does not. */
static void
test_breaker_threshold(void **state)
{
	struct breaker	*b = breaker_new(500);

	(void)state;
	assert_int_equal(test_breaker_feed(b, 500, 0, 10), 0);
	assert_int_equal(test_breaker_feed(b, 50, 1, 10), 0);
	assert_int_equal(breaker_failures(b), 50);
	assert_int_equal(test_breaker_feed(b, 1, 1, 10), 1);
	/* Tripped: it counts anew. */
	assert_int_equal(breaker_failures(b), 0);
	breaker_free(b);
}

/* Failures that slide out of the window no longer count. */
static void
test_breaker_slides(void **state)
{
	struct breaker	*b = breaker_new(10);

	(void)state;
	assert_int_equal(test_breaker_feed(b, 2, 1, 20), 0);
	assert_int_equal(test_breaker_feed(b, 10, 0, 20), 0);
	assert_int_equal(breaker_failures(b), 0);
	/* Two fresh failures and two old ones gone: still under. */
	assert_int_equal(test_breaker_feed(b, 2, 1, 20), 0);
	assert_int_equal(breaker_failures(b), 2);
	assert_int_equal(test_breaker_feed(b, 1, 1, 20), 1);
	breaker_free(b);
}

/* A relay refusing everything from the start trips early, not after 500. */
static void
test_breaker_cold_start(void **state)
{
	struct breaker	*b = breaker_new(500);

	(void)state;
	assert_int_equal(test_breaker_feed(b, 100, 1, 10), 51);
	breaker_free(b);
}

/* A window of 0 never trips; 100 % never trips either. */
static void
test_breaker_off(void **state)
{
	struct breaker	*b = breaker_new(0), *all = breaker_new(5);

	(void)state;
	assert_int_equal(test_breaker_feed(b, 1000, 1, 10), 0);
	assert_int_equal(breaker_window(b), 0);
	assert_int_equal(test_breaker_feed(all, 1000, 1, 100), 0);
	breaker_free(b);
	breaker_free(all);
	breaker_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_breaker_threshold),
		cmocka_unit_test(test_breaker_slides),
		cmocka_unit_test(test_breaker_cold_start),
		cmocka_unit_test(test_breaker_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
