/*
 * optout.h - a phone's opt-out from SMS, and the SRs it follows
 *
 * A resident who texts STOP gets no SMS from closeloop again, about any
 * SR, until they text START. Two things make that so. The opt-out
 * itself, which delivery checks before each SMS (a notification to an
 * opted-out phone is not sent: outbox.c). And an unsubscribe event for
 * every SR the phone is subscribed to, published to the events stream
 * so that the SR's state and audit trail say so like any other; START
 * publishes subscribe events for those SRs again. To find them, each
 * SR's transaction keeps an index from the phone to its SRs.
 *
 * Keys (PREFIX is redis.prefix; HEX is the SHA-256 of the E.164 number
 * in hex, so that no key name holds a number):
 *   PREFIXoptout:sms:HEX  hash: at (ms since the epoch) and keyword (as
 *                         folded, e.g. "ARRET"); kept until START
 *   PREFIXphone:HEX       set of the SRs whose state has the phone as an
 *                         SMS contact, active or not; expires with the
 *                         longest-lived of those states
 *
 * The events carry event_id "stop-sms-H-TS-SR" or "start-sms-H-TS-SR"
 * (H the first 16 hex digits of HEX, TS the contact's last change in ms
 * as the SR's state records it), so an event published twice for the
 * same change - a STOP repeated before closeloopd has read the first -
 * is dropped as a duplicate; and x_closeloop_via "sms_stop" or
 * "sms_start".
 */
#ifndef OPTOUT_H
#define OPTOUT_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

struct config;
struct redis;
struct txn;

/* What a STOP or a START did. */
struct optout_result {
	int	  changed;	/* the opt-out was made (STOP) or ended */
	char	**sr;		/* the SRs an event went out for */
	size_t	  nsr;
	char	 *locale;	/* the phone's stored locale, or NULL */
};

/* Arguments of the XADD optout_event() writes. */
#define OPTOUT_EVENT_ARGC	17

/*
 * Write into argv (OPTOUT_EVENT_ARGC pointers, more for the caller's own
 * fields) the XADD to cf's events stream of an event a resident's own
 * choice publishes: type ("subscribe" or "unsubscribe"), event_id id,
 * sr, ts now (ms), the contact as field ("email" or "phone") and
 * address, and x_closeloop_via via. buf (CLOCK_RFC3339_LEN bytes) holds
 * the time. The pointers live as long as the arguments. Returns
 * OPTOUT_EVENT_ARGC.
 */
int optout_event(const struct config *cf, const char **argv, char *buf,
    const char *type, const char *id, const char *sr, int64_t now,
    const char *field, const char *address, const char *via);

/* Write the SHA-256 of phone in hex into hex. */
void optout_hash(const char *phone, char hex[DIGEST_HEX_LEN + 1]);

/* Return the key of phone's opt-out; the caller frees it. */
char *optout_key(const struct config *cf, const char *phone);

/* Return the key of phone's index of SRs; the caller frees it. */
char *optout_index_key(const struct config *cf, const char *phone);

/*
 * Queue into tx: SR sr is in phone's index, which lives ttl seconds
 * more at least (never less than it already had).
 */
void optout_index(struct txn *tx, const struct config *cf, const char *sr,
    const char *phone, long long ttl);

/*
 * Set opted[i] to 1 if phones[i] has opted out, else 0, for n phones.
 * Returns 0, or -1 with *cause (the connection must then be dropped).
 */
int optout_check(struct redis *r, const struct config *cf,
    const char *const *phones, size_t n, int *opted, char **cause);

/*
 * STOP from phone (E.164), which said keyword, at now (ms): make the
 * opt-out unless there is one, and publish an unsubscribe event for
 * each SR whose state has the phone as an active SMS contact. Returns 0
 * and fills *res (free it with optout_result_clear()), or -1 with
 * *cause.
 */
int optout_stop(struct redis *r, const struct config *cf, const char *phone,
    const char *keyword, int64_t now, struct optout_result *res,
    char **cause);

/*
 * START from phone at now (ms): end its opt-out, if it has one, and
 * publish a subscribe event, with the contact's locale and fallback
 * address, for each SR whose state still has the phone as an SMS
 * contact made inactive since the opt-out began. Returns as
 * optout_stop().
 */
int optout_start(struct redis *r, const struct config *cf,
    const char *phone, int64_t now, struct optout_result *res,
    char **cause);

/* Free what a result holds and empty it. */
void optout_result_clear(struct optout_result *res);

#endif
