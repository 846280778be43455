/*
 * testslow.h - slow HTTP clients, as in a slowloris attack
 *
 * A set of connections from one loopback address (127.0.0.2, say, so
 * that they do not share the address of the test's own requests) to a
 * listener on 127.0.0.1: each sends the start of a request and then, at
 * each tick, one more header line, never ending its head - or, with a
 * body, a whole head announcing 100 bytes and then one byte of body per
 * tick. What the listener answers and which connections it closes is
 * read back; an attacker's set opens them again at once.
 */
#ifndef TESTSLOW_H
#define TESTSLOW_H

#include <stddef.h>
#include <stdint.h>

struct testslow;

/*
 * Open n slow connections from address from to 127.0.0.1:port, slow in
 * their head, or in their body if body is set.
 */
struct testslow *testslow_open(int port, const char *from, size_t n,
    int body);

/*
 * Send the next header line (or byte of body) on every open connection
 * and read what has come back; return how many are still open.
 */
size_t testslow_tick(struct testslow *s);

/* Open again every connection the listener has closed; return how many. */
size_t testslow_reopen(struct testslow *s);

/* Return how many connections were answered with status so far. */
size_t testslow_answered(const struct testslow *s, int status);

/*
 * Assert that a request of the test's own (what, for the message), sent
 * at start (clock_ms()) beside the slow set, was answered within a
 * second - a loose measure, for a slow run, of "not kept waiting".
 */
void testslow_prompt(const char *what, int64_t start);

/* Close every connection and free the set. */
void testslow_close(struct testslow *s);

#endif
