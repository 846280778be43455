/*
 * bounce.h - a bounce or a complaint about a notification, recorded
 *
 * The relay took the email (the trail says sent), then a report came
 * back to its envelope sender (verp.h): closeloop bounce reads it
 * (dsn.h) and hands it here with the notification it names. In one
 * transaction, under WATCH of the notification's record:
 *
 *   a hard bounce (Action: failed, Status 5.x.x): the record's state
 *   becomes bounced (bounce=hard, bounce_status, bounce_detail,
 *   bounce_at), the SR's trail gains "bounced" with rule hard_bounce,
 *   and the address goes on the suppression list (suppress.h, reason
 *   hard_bounce);
 *
 *   a soft bounce (delayed, or failed after temporary errors, 4.x.x):
 *   the record keeps its state (bounce=soft, bounce_status,
 *   bounce_detail, bounce_at) and the trail gains "bounced" with rule
 *   soft_bounce; nothing is suppressed;
 *
 *   a complaint (an abuse report): the record gains complained_at and
 *   feedback_type, the trail "complained", and the address goes on the
 *   suppression list (reason complaint).
 *
 * The entry names the channel, the masked recipient, the locale, the
 * notification and its template set, and carries dsn_status, diagnostic
 * (the remote server's words, addresses masked), reporter and
 * feedback_type: what the write-back to the CRM maps to its "bounced"
 * outcome, from the entry, in the same transaction as any other.
 *
 * A report already recorded (the same hard bounce again, a soft one
 * after a hard one, a second complaint) writes nothing: a mail server
 * may hand the same report over twice.
 */
#ifndef BOUNCE_H
#define BOUNCE_H

#include <stdint.h>

struct config;
struct dsn;
struct redis;

/* What became of a report. */
enum bounce_result {
	BOUNCE_RECORDED,	/* in the trail, the record, the list */
	BOUNCE_REPEATED,	/* recorded before: nothing written */
	BOUNCE_UNKNOWN		/* no such email notification (never, or
				   its record expired) */
};

/*
 * Record report d (DSN_BOUNCE or DSN_COMPLAINT) about notification id
 * at now (ms), by who ("closeloop bounce"). Sets *res. A report on a
 * message not yet recorded as sent (its record says "sending") waits up
 * to 10 s for the worker to record it. Returns 0, or -1 with *cause if
 * Redis failed or refused, or the message is still not recorded as sent
 * (nothing was written; the mail server tries the report again).
 */
int bounce_record(struct redis *r, const struct config *cf, const char *id,
    const struct dsn *d, const char *by, int64_t now,
    enum bounce_result *res, char **cause);

#endif
