/*
 * outbox.h - notifications waiting to be delivered, kept in Redis
 *
 * A notification is one notice for one recipient on one channel. Its
 * record is written in the same transaction that decides the notice,
 * before any attempt, and a sorted set per channel orders the records by
 * the time they are due. A delivery worker claims the due ones: each is
 * marked "sending" and moved to a lease set until its outcome is written
 * - sent, retried later (capped exponential backoff with jitter), failed
 * for good, or given up after retry.*_max_age_hours and dead-lettered. A
 * claim whose worker died is found by its lease and sent again, with the
 * same Message-ID; the record says it may have gone out before.
 *
 * Keys (PREFIX is redis.prefix):
 *   PREFIXsr:{SR}:n:SEQ/I  hash, the notification "SR/SEQ/I": the
 *                          notice's fields, then state (queued, sending,
 *                          retry, sent, failed, dead, unsubscribed,
 *                          dry_run; bounced, bounce.h), created,
 *                          attempts, owner, claimed,
 *                          next_at, last_error, reply, provider_id,
 *                          sent_at, resent, fallback_of; wait (why one
 *                          put back with a later due time waits: retry,
 *                          quiet_hours, paused, rate; cleared when it is
 *                          claimed; waitlist.h); retried_at and
 *                          retried_by when an operator queued it again
 *                          (closeloop dead retry), from when its retry
 *                          budget counts anew
 *   PREFIXoutbox:email, PREFIXoutbox:sms, PREFIXoutbox:sending
 *                          the due and lease sets: see retry.h
 *   redis.dead_stream      entries with kind=notification for the dead
 */
#ifndef OUTBOX_H
#define OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "channel.h"

struct config;
struct notice;
struct redis;
struct redis_reply;
struct txn;

/* A claimed notification. */
struct outbox_item {
	char		 *id;		/* "SR/SEQ/I" */
	char		**fields;	/* the record, name/value pairs */
	char		 *strings;	/* what fields point into */
	size_t		  nfields;	/* pairs */
	struct notice	 *notice;	/* rebuilt, with one recipient */
	int		  channel;	/* EVENT_CHANNEL_* */
	int64_t		  attempts;	/* this one included */
	int64_t		  created;	/* ms */
	int64_t		  since;	/* ms: created, or retried_at */
	int		  resend;	/* a claim was cut short before */
	int		  unsubscribed;	/* found unsubscribed: not sent */
	int		  optout;	/* the phone texted STOP: not sent */
	int		  suppressed;	/* the address is suppressed
					   (suppress.h): not sent */
	int64_t		  rate_until;	/* ms: the contact had its
					   delivery.max_per_contact_per_hour;
					   not sent before; 0: not limited */
};

/* Return the key of notification id's record; the caller frees it. */
char *outbox_key(const struct config *cf, const char *id);

/*
 * Queue into tx the record and due entry of notice n for recipient i,
 * created now: notification "n->id/i", or if fallback_of is not NULL,
 * "<fallback_of>f", a second try on the resident's other channel.
 */
void outbox_queue(struct txn *tx, const struct config *cf,
    const struct notice *n, size_t i, const char *fallback_of, int64_t now);

/*
 * Queue into tx the record and due entry of notice n for its one
 * recipient as notification id, created now: the question of a
 * feedback notice, "SR/SEQ/Nq" (question.h).
 */
void outbox_queue_as(struct txn *tx, const struct config *cf,
    const struct notice *n, const char *id, int64_t now);

/*
 * Queue into tx, as notification id, notice n again for its one
 * recipient, created now, with resend_of set to of and the extra
 * field/value pairs (NULL-ended, at most three pairs; or NULL): an
 * operator's resend (steer.h).
 */
void outbox_queue_resend(struct txn *tx, const struct config *cf,
    const struct notice *n, const char *id, const char *of,
    const char *const *extra, int64_t now);

/*
 * Count what waits per channel, due now or scheduled. Returns 0, or -1
 * with *cause (the connection must then be dropped).
 */
int outbox_depth(struct redis *r, const struct config *cf, long long *email,
    long long *sms, char **cause);

/* Return the value of field name in it's record, or NULL. */
const char *outbox_field(const struct outbox_item *it, const char *name);

/*
 * Read notification id's record as an item, without claiming it.
 * Returns it (free with outbox_item_free()), or NULL with *cause (also
 * when there is no such record).
 */
struct outbox_item *outbox_item_read(struct redis *r, const struct config *cf,
    const char *id, char **cause);

/*
 * WATCH the notification record at key (outbox_key()) and read it, for a
 * transaction that writes it only if nobody did meanwhile. Returns the
 * HGETALL reply (an empty array if there is no record), or NULL with
 * *cause.
 */
struct redis_reply *outbox_watch(struct redis *r, const char *key,
    char **cause);

/*
 * outbox_watch() once the record's state is no longer "sending" - the
 * outcome of the message the worker has in hand is written - or max_ms
 * have passed, looking again every 10 ms: a delivery receipt or a
 * bounce can come back before the worker has recorded what the server
 * said. Returns the record, its state still "sending" if max_ms passed,
 * or NULL with *cause.
 */
struct redis_reply *outbox_watch_settled(struct redis *r, const char *key,
    int64_t max_ms, char **cause);

/*
 * Set *when to the time (s) to render notification it at: now, or for an
 * operator's resend of the same content (steer.h) the time of the first
 * message. Returns 0, or -1 with *cause if that resend must not go with
 * the template set version in use.
 */
int outbox_render_when(const struct outbox_item *it, const char *version,
    int64_t now, int64_t *when, char **cause);

/*
 * Return 1 if a claimed notification is not to be sent now: unsubscribed,
 * suppressed or over the contact's hourly limit.
 */
int outbox_skip(const struct outbox_item *it);

/*
 * Turn a record, as HGETALL reads it (name/value pairs), into an item.
 * Returns it; free it with outbox_item_free().
 */
struct outbox_item *outbox_item_parse(const struct redis_reply *f);

/*
 * The same for a record f as the claim script (claim.h) read it, and
 * what the claim changed: the pairs of set (NULL for none) replace or
 * follow f's, and the names in gone (NULL for none) are left out.
 * Returns the item; free it with outbox_item_free().
 */
struct outbox_item *outbox_item_merge(const struct redis_reply *f,
    const struct redis_reply *set, const struct redis_reply *gone);

/* Free a claimed notification; NULL is a no-op. */
void outbox_item_free(struct outbox_item *it);

#endif
