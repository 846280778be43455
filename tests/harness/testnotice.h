/*
 * testnotice.h - a notice to two recipients, queued in the outbox
 *
 * The tests of delivery and of receipts start from the same notice: SR
 * 2026-7's notice 2026-7/3 ("completed" by TS, note "Pothole filled.",
 * events e1 and e2) to ana@example.org by email (notification
 * 2026-7/3/0) and to +14165550100 by SMS in French (2026-7/3/1).
 */
#ifndef TESTNOTICE_H
#define TESTNOTICE_H

#include <stdint.h>

struct config;
struct notice;
struct redis;

/* Make the notice; the caller frees it with notice_free(). */
struct notice *testnotice_new(void);

/*
 * Queue n for both its recipients at now (ms), in one transaction as a
 * decision does; fails the test if it does not commit.
 */
void testnotice_queue(struct redis *r, const struct config *cf,
    const struct notice *n, int64_t now);

/* Return field of notification id's record (allocated), or NULL. */
char *testnotice_field(struct redis *r, const struct config *cf,
    const char *id, const char *field);

#endif
