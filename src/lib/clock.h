/*
 * clock.h - the one monotonic and wall clock, and RFC 3339 times
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>
#include <time.h>

/*
 * Return the monotonic clock (CLOCK_MONOTONIC) in milliseconds: for
 * deadlines and durations, which a change of the wall clock must not
 * stretch or cut.
 */
int64_t clock_ms(void);

/* Return the monotonic clock in microseconds, to time short work. */
int64_t clock_us(void);

/* Fill ts with ms milliseconds (a duration, or a time on any clock). */
void clock_split(int64_t ms, struct timespec *ts);

/*
 * Fill ts with the time ms milliseconds from now on clock (CLOCK_MONOTONIC
 * or CLOCK_REALTIME), for a timed wait on that clock.
 */
void clock_after(clockid_t clock, int64_t ms, struct timespec *ts);

/* Return the wall clock (CLOCK_REALTIME) in milliseconds since the epoch. */
int64_t clock_now(void);

/* Room for clock_rfc3339()'s text, with its NUL. */
#define CLOCK_RFC3339_LEN	32

/*
 * Format ms since the epoch as RFC 3339 in UTC with milliseconds
 * ("2026-05-04T09:30:00.250Z") into buf[CLOCK_RFC3339_LEN].
 */
void clock_rfc3339(int64_t ms, char *buf);

#endif
