/*
 * outcome.h - what became of an attempt to deliver a notification
 *
 * After each attempt the worker writes its outcome at once, in one
 * transaction: the notification's record (state, reply, error), its
 * place in the due or lease sets, an entry in the SR's audit stream and
 * the counters. A temporary failure is retried after a delay that
 * doubles from retry.initial_seconds up to retry.max_seconds, drawn from
 * the upper half of the window (jitter), never sooner than the server's
 * Retry-After, and for SMS never inside sms.quiet_hours; once the
 * notification is older than retry.email_max_age_hours or
 * retry.sms_max_age_hours it is given up and dead-lettered. A permanent
 * failure is dead-lettered at once and, with delivery.fallback, goes to
 * the resident's other channel if the subscription named one.
 */
#ifndef OUTCOME_H
#define OUTCOME_H

#include <stdint.h>

#include "digest.h"
#include "segment.h"

struct config;
struct keep;
struct outbox_item;
struct redis;
struct send_result;

/*
 * What an attempt put before the resident, for the audit trail (audit.h):
 * the rendered parts, the locale and template set they came from, and
 * the SHA-256 of the message exactly as it went to the server. The
 * strings belong to the caller; any may be NULL.
 */
struct outcome_content {
	const char	*locale;
	const char	*version;	/* the template set's */
	const char	*subject;	/* email */
	const char	*text;		/* email: the text part */
	const char	*sms;
	struct segment_cut sms_cut;	/* what the SMS left out to fit */
	char		 sha256[DIGEST_HEX_LEN + 1];	/* "" if none */
	const struct keep *kept;	/* the copy to keep (keep.h), or
					   NULL */
};

/*
 * Write the outcome res of an attempt on it at now (ms), with what was
 * rendered for it (content, or NULL if nothing was). dry_run records
 * "dry_run" in place of "sent". A message sent keeps content->kept, if
 * set, in the same transaction (keep.h). An SMS that went out shortened - part of
 * its note, its photo link, its link or its text left out to fit
 * sms.max_segments - is also flagged sms_shortened, saying what went.
 * Returns 0, or -1 with *cause (the claim's lease then brings the
 * notification back).
 */
int outcome_write(struct redis *r, const struct config *cf,
    const struct outbox_item *it, const struct send_result *res,
    const struct outcome_content *content, int dry_run, int64_t now,
    char **cause);

/*
 * outcome_write() in two halves, so that a worker goes on with its next
 * message while Redis runs the transaction: outcome_send() writes it out
 * without waiting and returns what outcome_collect() needs to read the
 * reply (NULL, with *cause, if it could not be sent: drop r); nothing
 * else may be sent on r in between. outcome_collect() returns as
 * outcome_write() does and frees os; outcome_sent_free() forgets an
 * outcome sent whose reply will not be read (r is then dropped too).
 */
struct outcome_sent;
struct outcome_sent *outcome_send(struct redis *r, const struct config *cf,
    const struct outbox_item *it, const struct send_result *res,
    const struct outcome_content *content, int dry_run, int64_t now,
    char **cause);
int outcome_collect(struct outcome_sent *os, char **cause);
void outcome_sent_free(struct outcome_sent *os);


#endif
