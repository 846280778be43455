/*
 * opspage.h - the Operations page: what waits, what is being sent, what
 * was given up
 *
 * GET /operations, for the operations and audit roles. Its controls -
 * the channels' pauses, the actions of the ops role, what came of them -
 * are opsctl.h's; the page itself changes nothing. It shows what
 * closeloop queue and closeloop dead list show (backlog.h), as of the
 * moment it is asked:
 *  - the outbox by channel: notifications due now and due later
 *    (retries, quiet hours), when the oldest due now fell due and how
 *    long it has waited, and when the next one falls due;
 *  - held notices: SRs whose next notice waits for its window (a held
 *    closure, policy.settle_seconds, or a burst being coalesced,
 *    policy.coalesce_seconds), each linked to its timeline, with the
 *    notice it would send and the time it is released;
 *  - notifications waiting: each in the outbox with its SR, notice,
 *    locale, channel, masked contact, why it waits (waitlist.h: a retry,
 *    quiet hours, a paused channel, the rate, or due now) and when it
 *    is due;
 *  - claims under way: notifications a worker has claimed and not yet
 *    finished, with the worker, the attempt and the end of its lease;
 *  - dead letters: events that were not accepted and notifications given
 *    up, with their reasons.
 * The held notices and the notifications waiting show their first
 * OPSPAGE_WAIT_MAX entries, the other lists their first OPSPAGE_MAX (the
 * earliest first); each says how many there are in all. Times are in
 * templates.timezone. Contacts are masked (log.h); a reason
 * is masked as the trail masks a server's reply.
 */
#ifndef OPSPAGE_H
#define OPSPAGE_H

/* How many claims and dead letters are shown. */
#define OPSPAGE_MAX	200

/* How many held notices and notifications waiting are shown. */
#define OPSPAGE_WAIT_MAX	50

struct webreq;

/* GET /operations. */
void opspage_show(struct webreq *q);

#endif
