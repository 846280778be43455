/*
 * askqueue.h - a question scheduled when a completion is sent
 *
 * When a notification of a "completed" notice is sent (its outcome
 * sent: for an email the mail server took it, for an SMS the gateway
 * did; a dry run sends nothing and schedules nothing), the question
 * whether the work fixed the problem (question.h) is scheduled in the
 * same transaction, feedback.ask_after later (feedback.h, moved past
 * sms.quiet_hours for an SMS), unless the division or service type is
 * not asked. The question is its resident's: the first of their
 * contacts whose completion is sent schedules it, by that contact's
 * channel, and the others' find it there and change nothing (each
 * field is written only if the record lacks it, and the due entry only
 * if the set lacks it). A completion sent again by an operator
 * (closeloop resend) schedules nothing.
 */
#ifndef ASKQUEUE_H
#define ASKQUEUE_H

#include <stdint.h>

struct config;
struct outbox_item;
struct question;
struct txn;

/*
 * Queue into tx the question that notification it, just sent at now
 * (ms), schedules, if it is a completion's and its resident is asked.
 * Returns 1 if it queued one, else 0.
 */
int askqueue_sent(struct txn *tx, const struct config *cf,
    const struct outbox_item *it, int64_t now);

/*
 * Queue into tx the whole record of question q as it now is (its
 * comment removed if it has none), for the steps that ask it, close it
 * and record its answers (src/intake).
 */
void askqueue_record(struct txn *tx, const struct config *cf,
    const struct question *q);

#endif
