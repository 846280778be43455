/*
 * suppress.h - email addresses closeloop no longer sends to
 *
 * A hard bounce (a 5xx answer to RCPT TO, or a bounce report) puts the
 * address on the suppression list, so that closeloop does not keep
 * mailing an address that does not exist until the city's domain is
 * blocklisted. A later notice to it goes by SMS when the resident gave a
 * number (delivery.fallback), else it is recorded as suppressed, rule
 * suppressed_address: never dropped without a word. The claim script
 * (outbox.c) looks the address up; "closeloop suppressed" lists the
 * list and lets an address off it.
 *
 * Keys (PREFIX is redis.prefix; HASH is the SHA-1 of the address in
 * lower case, as both C and the claim script compute it):
 *   PREFIXsuppressed:email:HASH  hash: to (the address, masked), reason,
 *                          reply (the server's words), at (ms), sr,
 *                          notification, by
 *   PREFIXsuppressed:email  sorted set of HASH by the time it was added
 */
#ifndef SUPPRESS_H
#define SUPPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

struct config;
struct redis;
struct txn;

/* One suppressed address, as listed. */
struct suppress_entry {
	char	 hash[DIGEST_SHA1_HEX_LEN + 1];
	char	*to;		/* masked */
	char	*reason;
	char	*reply;
	char	*sr;
	char	*notification;
	char	*by;
	int64_t	 at;		/* ms */
};

/*
 * Write into out the HASH of an address: the SHA-1 of its lower-case
 * form.
 */
void suppress_hash(const char *address, char out[DIGEST_SHA1_HEX_LEN + 1]);

/*
 * Queue into tx the suppression of address for reason ("hard_bounce",
 * "complaint", ...) with the server's reply, found on notification id of
 * sr, by who ("closeloopd", "closeloop bounce").
 */
void suppress_queue(struct txn *tx, const struct config *cf,
    const char *address, const char *reason, const char *reply,
    const char *sr, const char *id, const char *by, int64_t now);

/*
 * Read up to max suppressed addresses (0: all), newest first, into
 * *list (free with suppress_list_free()) and *n. Returns the number on
 * the list in all, or -1 with *cause.
 */
long long suppress_list(struct redis *r, const struct config *cf,
    size_t max, struct suppress_entry **list, size_t *n, char **cause);

/* Free what suppress_list() returned. */
void suppress_list_free(struct suppress_entry *list, size_t n);

/*
 * Let an address, or a HASH as listed, off the list, recording by whom.
 * Returns 1 if it was on it, 0 if not, -1 with *cause.
 */
int suppress_clear(struct redis *r, const struct config *cf,
    const char *address_or_hash, const char *by, int64_t now, char **cause);

#endif
