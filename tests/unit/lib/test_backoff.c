/*
 * test_backoff.c - unit tests for capped exponential backoff (backoff.c)
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"

/* Delays stay in the upper half of a doubling window, capped at max. */
static void
test_backoff_growth(void **state)
{
	struct backoff	b;
	int64_t		d, window = 100;
	int		i;

	(void)state;
	backoff_init(&b, 100, 5000);
	for (i = 0; i < 20; i++) {
		d = backoff_next(&b);
		assert_true(d >= window / 2);
		assert_true(d <= window);
		window = window * 2 > 5000 ? 5000 : window * 2;
	}
	assert_true(backoff_next(&b) <= 5000);
}

/* After a reset the delays start small again. */
static void
test_backoff_reset(void **state)
{
	struct backoff	b;
	int		i;

	(void)state;
	backoff_init(&b, 200, 60000);
	for (i = 0; i < 10; i++)
		backoff_next(&b);
	assert_true(backoff_next(&b) >= 30000);
	backoff_reset(&b);
	assert_true(backoff_next(&b) <= 200);
}

/* Delays are spread out, not all equal. */
static void
test_backoff_jitter(void **state)
{
	struct backoff	b;
	int64_t		first, d;
	int		i, differ = 0;

	(void)state;
	backoff_init(&b, 1000, 1000);
	first = backoff_next(&b);
	for (i = 0; i < 50; i++) {
		d = backoff_next(&b);
		assert_true(d >= 500 && d <= 1000);
		if (d != first)
			differ = 1;
	}
	assert_true(differ);
}

/* Silly bounds are made sane. */
static void
test_backoff_bounds(void **state)
{
	struct backoff	b;

	(void)state;
	backoff_init(&b, 0, 0);
	assert_true(backoff_next(&b) >= 1);
	assert_true(backoff_next(&b) <= 1);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff_growth),
		cmocka_unit_test(test_backoff_reset),
		cmocka_unit_test(test_backoff_jitter),
		cmocka_unit_test(test_backoff_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
