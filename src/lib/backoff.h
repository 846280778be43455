/*
 * backoff.h - capped exponential backoff with jitter
 *
 * Each delay is drawn from the upper half of a window that doubles from
 * initial up to max, so that many clients that failed together do not
 * retry together.
 */
#ifndef BACKOFF_H
#define BACKOFF_H

#include <stdint.h>

struct backoff {
	int64_t		initial;	/* ms */
	int64_t		max;		/* ms */
	int64_t		window;		/* current window, ms */
	unsigned int	seed;
};

/* Start a backoff from initial to max milliseconds. */
void backoff_init(struct backoff *b, int64_t initial, int64_t max);

/* Return the next delay in milliseconds and widen the window. */
int64_t backoff_next(struct backoff *b);

/* Go back to the initial window after a success. */
void backoff_reset(struct backoff *b);

#endif
