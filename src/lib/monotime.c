/*
 * monotime.c - the monotonic clock in milliseconds, and timespecs from it
 *
 * Deadlines, step timers and waits count in milliseconds of
 * CLOCK_MONOTONIC; the wall clock (store_now()) is for what is recorded.
 * A pthread wait takes an absolute timespec on the clock it was set up
 * with; monotime_after() makes one.
 */
#include "build.h"

#include <time.h>

#include "monotime.h"

/* Return the monotonic clock in milliseconds. */
int64_t
monotime_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Split milliseconds into a timespec. */
void
monotime_split(int64_t ms, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000;
}

/* Fill ts with the time ms from now on clock. */
void
monotime_after(clockid_t clock, int64_t ms, struct timespec *ts)
{
	clock_gettime(clock, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}
