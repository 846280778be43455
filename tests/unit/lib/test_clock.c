/*
 * test_clock.c - unit tests for the monotonic clock helpers (clock.c)
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"

/* The clock goes forward by at least the time slept, in milliseconds. */
static void
test_clock_ms(void **state)
{
	struct timespec	ts = { 0, 120 * 1000000L };
	int64_t		t0, t1;

	(void)state;
	t0 = clock_ms();
	nanosleep(&ts, NULL);
	t1 = clock_ms();
	assert_true(t1 - t0 >= 120);
	assert_true(t1 - t0 < 60000);
}

/* Milliseconds split into seconds and nanoseconds. */
static void
test_clock_split(void **state)
{
	struct timespec	ts;

	(void)state;
	clock_split(1234, &ts);
	assert_int_equal(ts.tv_sec, 1);
	assert_int_equal(ts.tv_nsec, 234000000L);
	clock_split(999, &ts);
	assert_int_equal(ts.tv_sec, 0);
	assert_int_equal(ts.tv_nsec, 999000000L);
	clock_split(0, &ts);
	assert_int_equal(ts.tv_sec, 0);
	assert_int_equal(ts.tv_nsec, 0);
}

/* A time from now on a clock: later by ms, its nanoseconds in range. */
static void
test_clock_after(void **state)
{
	const clockid_t	clocks[2] = { CLOCK_MONOTONIC, CLOCK_REALTIME };
	struct timespec	now, at;
	int64_t		diff;
	int		c, k;

	(void)state;
	for (c = 0; c < 2; c++) {
		for (k = 0; k < 50; k++) {	/* some near a second's end */
			clock_gettime(clocks[c], &now);
			clock_after(clocks[c], 1999, &at);
			assert_true(at.tv_nsec >= 0 && at.tv_nsec < 1000000000L);
			diff = ((int64_t)at.tv_sec - now.tv_sec) * 1000 +
			    (at.tv_nsec - now.tv_nsec) / 1000000;
			assert_true(diff >= 1999 && diff < 2100);
		}
	}
}

/* The wall clock is milliseconds since the epoch, and moves forward. */
static void
test_clock_now(void **state)
{
	struct timespec	ts;
	int64_t		a, b;

	(void)state;
	clock_gettime(CLOCK_REALTIME, &ts);
	a = clock_now();
	/* within a second of what libc says, in ms not s or us */
	assert_in_range(a, (int64_t)ts.tv_sec * 1000 - 1000,
	    (int64_t)ts.tv_sec * 1000 + 2000);
	b = clock_now();
	assert_true(b >= a);
}

/* RFC 3339 in UTC with milliseconds, as the trail and the CLI print. */
static void
test_clock_rfc3339(void **state)
{
	char	buf[CLOCK_RFC3339_LEN];

	(void)state;
	clock_rfc3339(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	clock_rfc3339(1777887000250LL, buf);
	assert_string_equal(buf, "2026-05-04T09:30:00.250Z");
	clock_rfc3339(4102444799999LL, buf);
	assert_string_equal(buf, "2099-12-31T23:59:59.999Z");
	assert_int_equal(strlen(buf), 24);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_ms),
		cmocka_unit_test(test_clock_split),
		cmocka_unit_test(test_clock_after),
		cmocka_unit_test(test_clock_now),
		cmocka_unit_test(test_clock_rfc3339),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
