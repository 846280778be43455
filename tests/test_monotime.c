/*
 * test_monotime.c - unit tests for the monotonic clock helpers (monotime.c)
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "monotime.h"

/* The clock goes forward by at least the time slept, in milliseconds. */
static void
test_monotime_ms(void **state)
{
	struct timespec	ts = { 0, 120 * 1000000L };
	int64_t		t0, t1;

	(void)state;
	t0 = monotime_ms();
	nanosleep(&ts, NULL);
	t1 = monotime_ms();
	assert_true(t1 - t0 >= 120);
	assert_true(t1 - t0 < 60000);
}

/* Milliseconds split into seconds and nanoseconds. */
static void
test_monotime_split(void **state)
{
	struct timespec	ts;

	(void)state;
	monotime_split(1234, &ts);
	assert_int_equal(ts.tv_sec, 1);
	assert_int_equal(ts.tv_nsec, 234000000L);
	monotime_split(999, &ts);
	assert_int_equal(ts.tv_sec, 0);
	assert_int_equal(ts.tv_nsec, 999000000L);
	monotime_split(0, &ts);
	assert_int_equal(ts.tv_sec, 0);
	assert_int_equal(ts.tv_nsec, 0);
}

/* A time from now on a clock: later by ms, its nanoseconds in range. */
static void
test_monotime_after(void **state)
{
	const clockid_t	clocks[2] = { CLOCK_MONOTONIC, CLOCK_REALTIME };
	struct timespec	now, at;
	int64_t		diff;
	int		c, k;

	(void)state;
	for (c = 0; c < 2; c++) {
		for (k = 0; k < 50; k++) {	/* some near a second's end */
			clock_gettime(clocks[c], &now);
			monotime_after(clocks[c], 1999, &at);
			assert_true(at.tv_nsec >= 0 && at.tv_nsec < 1000000000L);
			diff = ((int64_t)at.tv_sec - now.tv_sec) * 1000 +
			    (at.tv_nsec - now.tv_nsec) / 1000000;
			assert_true(diff >= 1999 && diff < 2100);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monotime_ms),
		cmocka_unit_test(test_monotime_split),
		cmocka_unit_test(test_monotime_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
