/*
 * claim.h - a worker takes due notifications, and gives back what it
 * cannot finish
 *
 * The due and lease sets are described in retry.h, the record in
 * outbox.h. A claimed notification is marked "sending" and leased until
 * its outcome is written (outcome.h); a claim whose worker died is found
 * by its lease and sent again, with the same Message-ID.
 */
#ifndef CLAIM_H
#define CLAIM_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct outbox_item;
struct redis;

/*
 * Claim at most max notifications of channel due at now for owner, each
 * leased until now + delivery.lease_seconds; none while the channel is
 * paused (pause.h). A notification whose
 * contact unsubscribed from the SR, or an SMS to a phone that opted out
 * of every SMS (optout.h), is claimed with unsubscribed set (and optout
 * for the latter), to be recorded as not sent; one to a suppressed
 * address (suppress.h) with suppressed set; one to a contact that had
 * delivery.max_per_contact_per_hour notifications in the last hour with
 * rate_until set to when the oldest of them leaves the hour. Each
 * contact's hour is kept in PREFIXrate:CHANNEL:HASH, a sorted set of the
 * notifications claimed for it by time (HASH as in suppress.h), shared
 * by every worker and daemon. Returns 0 and sets *items
 * (free each with outbox_item_free(), then the array) and *n, and
 * *next_due to the due time of the next one waiting (0 if none) - on
 * a paused channel, the end of the pause (0 if it has none: a resume
 * says so on the wake-up stream, wake.h); or -1 with *cause.
 */
int claim_take(struct redis *r, const struct config *cf, int channel,
    const char *owner, int64_t now, size_t max, struct outbox_item ***items,
    size_t *n, int64_t *next_due, char **cause);

/*
 * Put claims back in their due sets: those whose lease has ended, and if
 * owner is not NULL all of owner's (a restart of the same consumer).
 * Returns how many, or -1 with *cause.
 */
int claim_recover(struct redis *r, const struct config *cf,
    const char *owner, int64_t now, char **cause);

/*
 * Put back in the due set of channel, due at now, every claim of owner on
 * that channel whose id is not among the nkeep of keep: claims a worker
 * lost track of when Redis failed during or just after claim_take()
 * (the script ran, its reply or the opt-out check that follows did not
 * come). Only for a worker that is the only one of its owner on that
 * channel and knows every notification it has in flight. Returns how
 * many, or -1 with *cause.
 */
int claim_release(struct redis *r, const struct config *cf,
    const char *owner, int channel, const char *const *keep, size_t nkeep,
    int64_t now, char **cause);

/*
 * Check, before writing the outcome of it again after a lost connection,
 * that the claim is still the one it was made with: its record says
 * sending, owner and the claim's time. The record is then WATCHed, so
 * that the outcome's transaction commits only if that still holds.
 * Returns 1 if the claim holds, 0 if not (the outcome was written after
 * all, or the lease ended and the notification went back to its due
 * set), -1 with *cause if Redis failed.
 */
int claim_held(struct redis *r, const struct config *cf,
    const struct outbox_item *it, const char *owner, char **cause);

#endif
