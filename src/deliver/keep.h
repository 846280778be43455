/*
 * keep.h - each message kept as it was sent, its secrets blanked
 *
 * So that a division can show what a resident received, the delivery
 * workers keep every message that went out: an email as the SMTP server
 * received it (the bytes mime_build() made, every header and part), an
 * SMS as the gateway received its text. A secret the message carried -
 * the token of a one-click unsubscribe link - must not be kept working,
 * so an email is built a second time with each secret replaced by as
 * many KEEP_FILLER bytes and the same MIME boundary: both builds have the
 * same length and differ only in a few runs of bytes, the redacted spans.
 * The second build is kept; the trail's entry of the "sent" outcome
 * records content_sha256 (of the message as sent), kept_sha256 (of the
 * kept copy) and the spans with the SHA-256 of the bytes sent in each.
 * The link to the resident's own page (link.h) is no such secret: that
 * page shows only what the resident was told, so the link is kept as it
 * was sent, its token whole; the workers never pass it as a secret.
 *
 * Key (PREFIX is redis.prefix), written in the transaction of the "sent"
 * outcome and expiring audit.retain_days after it:
 *   PREFIXmsg:{ID}   hash, ID the notification's "SR/SEQ/I":
 *     format          eml | sms
 *     channel         email | sms
 *     body            the kept bytes, compressed (zlib, deflate.h)
 *     size            the kept bytes' length
 *     stored          the compressed length
 *     content_sha256  of the message as sent
 *     kept_sha256     of the kept bytes
 *     redacted        the spans, "OFFSET+LEN:SHA256" by spaces; "" if none
 *     at              when it was sent, ms since the epoch
 */
#ifndef KEEP_H
#define KEEP_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

struct config;
struct mime_msg;
struct redis;
struct txn;

/* What stands for each byte of a secret in the kept copy. */
#define KEEP_FILLER	'X'

/* The most a kept message may hold once read back. */
#define KEEP_MAX	(16 * 1024 * 1024)

/*
 * A run of bytes in which the kept copy differs from the message sent:
 * where, and the SHA-256 of the bytes that were sent there.
 */
struct keep_span {
	size_t	 off;
	size_t	 len;
	char	 sha256[DIGEST_HEX_LEN + 1];
};

/* A message to keep, or one read back. */
struct keep {
	char			 format[4];	/* "eml" or "sms" */
	char			*body;		/* the kept bytes, NUL after */
	size_t			 len;
	char			*z;		/* body compressed, or NULL */
	size_t			 zlen;
	char			 sha256[DIGEST_HEX_LEN + 1];	/* of body */
	char			 content_sha256[DIGEST_HEX_LEN + 1];
	struct keep_span	*spans;
	size_t			 nspans;
	char			*redacted;	/* the spans as text */
	char			*channel;	/* read back only */
	int64_t			 at;		/* read back only */
};

/*
 * Make the copy to keep of the email m built into sent (len bytes, as
 * mime_build() made it from m), with every copy of the nsecrets strings
 * of secrets (empty or NULL ones are skipped) blanked. Returns a new
 * struct keep, compressed, or NULL with *cause if the copy cannot be made
 * to line up with the message sent, or would still hold a secret.
 */
struct keep *keep_mail(const struct mime_msg *m, const char *sent,
    size_t len, const char *const *secrets, size_t nsecrets, char **cause);

/* Make the copy to keep of an SMS text, as it is. Returns it, or NULL. */
struct keep *keep_sms(const char *text, char **cause);

/* Free a struct keep; NULL is a no-op. */
void keep_free(struct keep *k);

/* Return the key of notification id's kept message; the caller frees it. */
char *keep_key(const struct config *cf, const char *id);

/*
 * Queue into tx the kept message k of notification id, sent by channel
 * at now (ms), and its expiry (audit.retain_days).
 */
void keep_queue(struct txn *tx, const struct config *cf, const char *id,
    const char *channel, const struct keep *k, int64_t now);

/*
 * Read back the kept message of notification id. Returns 1 and sets *out
 * (the caller frees it with keep_free()), 0 if none is kept (never sent,
 * or expired), or -1 with *cause if Redis fails or the record is
 * damaged (its body does not read back, its spans do not parse).
 */
int keep_read(struct redis *r, const struct config *cf, const char *id,
    struct keep **out, char **cause);

/*
 * Parse spans written as in the redacted field into a new array (the
 * caller frees it). Returns 0, or -1 with *cause.
 */
int keep_spans_parse(const char *s, struct keep_span **spans, size_t *n,
    char **cause);

/*
 * Tell whether len bytes of p, a span of a kept copy, hold only the
 * filler: KEEP_FILLER, soft line breaks ("=" CR LF), or in a base64 body
 * the base64 of text with the filler (base64 characters and CR LF).
 */
int keep_span_blank(const char *p, size_t len);

/*
 * Check the kept copy k against what the trail's entry of its sending
 * recorded (found is 0 if there is no such entry; the strings may be
 * NULL): for an email, the SHA-256 of the kept bytes must be kept_sha256
 * and each redacted span must lie inside the message, after the one
 * before it, and hold only the filler; for an SMS, the SHA-256 of the
 * kept text must be content_sha256. Returns NULL if it checks, else why
 * not; either way *what says what was compared. The caller frees both.
 */
char *keep_check(const struct keep *k, const char *content_sha256,
    const char *kept_sha256, const char *redacted, int found, char **what);

#endif
