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

#include <stddef.h>
#include <stdint.h>

#include "channel.h"

struct config;
struct notice;
struct outbox_item;
struct redis;

/* Make the notice; the caller frees it with notice_free(). */
struct notice *testnotice_new(void);

/*
 * Queue n for both its recipients at now (ms), in one transaction as a
 * decision does; fails the test if it does not commit.
 */
void testnotice_queue(struct redis *r, const struct config *cf,
    const struct notice *n, int64_t now);

/*
 * Queue the notice again as notice SR/SEQ of SR sr, its email to email,
 * at now (ms): notifications SR/SEQ/0 (email) and SR/SEQ/1 (SMS).
 */
void testnotice_queue_as(struct redis *r, const struct config *cf,
    const char *sr, int seq, const char *email, int64_t now);

/* Return field of notification id's record (allocated), or NULL. */
char *testnotice_field(struct redis *r, const struct config *cf,
    const char *id, const char *field);

/*
 * Assert that field of notification id's record is want, or with want
 * NULL that the record has no such field.
 */
void testnotice_field_is(struct redis *r, const struct config *cf,
    const char *id, const char *field, const char *want);

/*
 * Claim the notifications of channel due at now, as owner "me"; fails
 * the test unless there are want of them. Free them with
 * testnotice_items_free().
 */
struct outbox_item **testnotice_claim(struct redis *r,
    const struct config *cf, int channel, int64_t now, size_t want);

/* Free claimed notifications. */
void testnotice_items_free(struct outbox_item **items, size_t n);

/*
 * Write the outcome of a claimed notification at now as a worker does:
 * accepted (with template set version, or none if NULL), tried again
 * later, or refused for good; fails the test if it is not written.
 */
void testnotice_outcome(struct redis *r, const struct config *cf,
    const struct outbox_item *it, enum send_status status,
    const char *version, int64_t now);

#endif
