/*
 * clock.c - the one monotonic and wall clock, and RFC 3339 times
 *
 * Deadlines, step timers and waits count in milliseconds of
 * CLOCK_MONOTONIC; the wall clock (clock_now()) is for what is recorded,
 * and clock_rfc3339() writes it as the trail, the CLI and the CRM read it.
 * A pthread wait takes an absolute timespec on the clock it was set up
 * with; clock_after() makes one.
 */
#include "build.h"

#include <stdio.h>
#include <time.h>

#include "clock.h"

/* Return clock id's time in milliseconds. */
static int64_t
clock_read(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Return the monotonic clock in milliseconds. */
int64_t
clock_ms(void)
{
	return clock_read(CLOCK_MONOTONIC);
}

/* Return the monotonic clock in microseconds. */
int64_t
clock_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Split milliseconds into a timespec. */
void
clock_split(int64_t ms, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000;
}

/* Fill ts with the time ms from now on clock. */
void
clock_after(clockid_t clock, int64_t ms, struct timespec *ts)
{
	clock_gettime(clock, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Return the wall clock in milliseconds since the epoch. */
int64_t
clock_now(void)
{
	return clock_read(CLOCK_REALTIME);
}

/* Format ms since the epoch as RFC 3339 in UTC with milliseconds. */
void
clock_rfc3339(int64_t ms, char *buf)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);
	char		s[24];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, CLOCK_RFC3339_LEN, "%s.%03dZ", s, (int)(ms % 1000));
}
