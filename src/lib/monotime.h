/*
 * monotime.h - the monotonic clock in milliseconds, and timespecs from it
 */
#ifndef MONOTIME_H
#define MONOTIME_H

#include <stdint.h>
#include <time.h>

/*
 * Return the monotonic clock (CLOCK_MONOTONIC) in milliseconds: for
 * deadlines and durations, which a change of the wall clock must not
 * stretch or cut.
 */
int64_t monotime_ms(void);

/* Fill ts with ms milliseconds (a duration, or a time on any clock). */
void monotime_split(int64_t ms, struct timespec *ts);

/*
 * Fill ts with the time ms milliseconds from now on clock (CLOCK_MONOTONIC
 * or CLOCK_REALTIME), for a timed wait on that clock.
 */
void monotime_after(clockid_t clock, int64_t ms, struct timespec *ts);

#endif
