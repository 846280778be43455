/*
 * backoff.c - capped exponential backoff with jitter
 *
 * The delay is window/2 plus a random part of up to window/2, then the
 * window doubles until it reaches max.
 */
#include "build.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "backoff.h"

/* Start a backoff from initial to max milliseconds. */
void
backoff_init(struct backoff *b, int64_t initial, int64_t max)
{
	struct timespec	ts;

	b->initial = initial > 0 ? initial : 1;
	b->max = max > b->initial ? max : b->initial;
	b->window = b->initial;
	/* Backoffs begun in the same second must not draw alike. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	b->seed = (unsigned int)time(NULL) ^ (unsigned int)getpid() ^
	    (unsigned int)ts.tv_nsec;
}

/* Return the next delay in milliseconds and widen the window. */
int64_t
backoff_next(struct backoff *b)
{
	int64_t	half, delay;

	half = b->window / 2;
	delay = half + (half > 0 ? (int64_t)(rand_r(&b->seed) % (half + 1)) :
	    0);
	if (delay < 1)
		delay = 1;
	b->window = b->window > b->max / 2 ? b->max : b->window * 2;
	return delay;
}

/* Go back to the initial window after a success. */
void
backoff_reset(struct backoff *b)
{
	b->window = b->initial;
}
