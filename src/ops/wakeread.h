/*
 * wakeread.h - the main loop's read of the wake-up stream
 *
 * A connection of its own, for a blocking XREAD of the wake-up stream
 * (wake.h) that waits however long it takes: the loop polls its
 * descriptor beside the events read and the workers' nudge, and reads
 * what came when it turns readable. The last id read is kept across
 * reconnections, so that entries added while Redis was away are read
 * once it is back (those the stream kept).
 */
#ifndef WAKEREAD_H
#define WAKEREAD_H

struct config;
struct wake_news;

struct wakeread;

/*
 * Make a reader that starts with the entries added after its first
 * send (which notes the stream's last entry then).
 */
struct wakeread *wakeread_new(void);

/* Free w, and its connection; NULL is a no-op. */
void wakeread_free(struct wakeread *w);

/* Drop the connection (after a failure); the next send opens another. */
void wakeread_drop(struct wakeread *w);

/*
 * Make sure a blocking read is under way, connecting first if need be.
 * Returns 0, or -1 with *cause (the connection is dropped).
 */
int wakeread_send(struct wakeread *w, const struct config *cf, char **cause);

/* Return the descriptor to poll for the read's reply, or -1. */
int wakeread_fd(const struct wakeread *w);

/*
 * Take the reply that arrived: fill news (entries from self with
 * what=intake left out) and return the number of entries it counts;
 * 0 if the reply is not whole yet (wakeread_fd() still gives the
 * descriptor) or held only the reader's own; -1 with *cause (the
 * connection is dropped).
 */
int wakeread_take(struct wakeread *w, const char *self,
    struct wake_news *news, char **cause);

#endif
