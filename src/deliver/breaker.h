/*
 * breaker.h - a channel's count of permanent failures over its last
 * messages
 *
 * When a relay starts refusing everything, or a template sends mail to
 * addresses that do not exist, closeloop must stop before the city's
 * domain is blocklisted. Each daemon keeps, per channel, whether each of
 * the last delivery.breaker_window messages failed for good; when more
 * than delivery.breaker_percent of that window failed, the breaker trips
 * and the delivery engine pauses the channel for every instance
 * (pause.h) until an operator resumes it. Pure: no I/O, no locking.
 */
#ifndef BREAKER_H
#define BREAKER_H

#include <stddef.h>

struct breaker;

/* Create a breaker over the last window outcomes; free with breaker_free(). */
struct breaker *breaker_new(size_t window);

/* Free a breaker; NULL is a no-op. */
void breaker_free(struct breaker *b);

/* Return the window a breaker was made with. */
size_t breaker_window(const struct breaker *b);

/*
 * Note one outcome (failed: a permanent failure). Returns 1 if the
 * failures in the window now pass percent of it - the breaker trips, and
 * starts counting anew - else 0. A window of 0 never trips.
 */
int breaker_note(struct breaker *b, int failed, int percent);

/* Return the permanent failures counted in the window now. */
size_t breaker_failures(const struct breaker *b);

#endif
