/*
 * breaker.c - a channel's count of permanent failures over its last
 * messages
 *
 * A ring of one byte per outcome, and the count of failures in it: a
 * message not yet seen counts as delivered, so a daemon that just started
 * trips only once the failures alone pass the share of the whole window.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "breaker.h"
#include "xmalloc.h"

struct breaker {
	unsigned char	*ring;
	size_t		 window;
	size_t		 pos;
	size_t		 fails;
};

/* Create a breaker. */
struct breaker *
breaker_new(size_t window)
{
	struct breaker	*b;

	b = xcalloc(1, sizeof *b);
	b->window = window;
	b->ring = xcalloc(window + 1, 1);
	return b;
}

/* Free a breaker. */
void
breaker_free(struct breaker *b)
{
	if (b == NULL)
		return;
	free(b->ring);
	free(b);
}

/* Return the window. */
size_t
breaker_window(const struct breaker *b)
{
	return b->window;
}

/* Note one outcome. */
int
breaker_note(struct breaker *b, int failed, int percent)
{
	if (b->window == 0)
		return 0;
	b->fails -= b->ring[b->pos];
	b->ring[b->pos] = failed ? 1 : 0;
	b->fails += b->ring[b->pos];
	b->pos = (b->pos + 1) % b->window;
	if (b->fails * 100 <= (size_t)percent * b->window)
		return 0;
	memset(b->ring, 0, b->window);
	b->fails = 0;
	b->pos = 0;
	return 1;
}

/* Return the failures in the window. */
size_t
breaker_failures(const struct breaker *b)
{
	return b->fails;
}
