/*
 * lookup.h - a resident's SRs, found from a contact through keyed names
 *
 * Division staff on the phone with a resident have only what the
 * resident says: an email address or a phone number. closeloop keeps no
 * list of contacts in clear (they are masked in the log and the trail),
 * so each SR's transaction adds the SR to a set named by a keyed hash of
 * each of its contacts: the HMAC-SHA-256, under the first line of
 * audit.lookup_secret_file, of "email:" and the whole address folded to
 * lower case, or of "phone:" and the E.164 number. Without the key the
 * names say nothing, not even for a number tried in turn; with it, only
 * the whole contact finds anything. Without audit.lookup_secret_file no
 * set is written.
 *
 * Key (PREFIX is redis.prefix, HEX the hash in hex):
 *   PREFIXfind:HEX   set of the SRs whose state has the contact (a
 *                    subscriber's address, or the fallback address
 *                    given with it), active or not; expires with the
 *                    longest-lived of those states, and a member whose
 *                    state has gone is skipped on reading
 */
#ifndef LOOKUP_H
#define LOOKUP_H

#include <stddef.h>

#include "digest.h"

struct config;
struct redis;
struct srstate;
struct txn;

/*
 * Write into hex the name of a contact on channel (EVENT_CHANNEL_EMAIL
 * or EVENT_CHANNEL_SMS) under key: the HMAC-SHA-256 of "email:" and the
 * address in lower case, or of "phone:" and the number as it is.
 */
void lookup_hash(const char *key, int channel, const char *address,
    char hex[DIGEST_HEX_LEN + 1]);

/*
 * Return the key of a contact's set of SRs under cf's prefix and lookup
 * key, or NULL if cf has no audit.lookup_secret_file. The caller frees it.
 */
char *lookup_key(const struct config *cf, int channel, const char *address);

/*
 * Queue into tx the SR st in the set of each of its contacts, each set
 * living ttl seconds more at least (never less than it had); nothing
 * without audit.lookup_secret_file.
 */
void lookup_index(struct txn *tx, const struct config *cf,
    const struct srstate *st, long long ttl);

/* Return 1 if the state st has the contact on channel, else 0. */
int lookup_has(const struct srstate *st, int channel, const char *address);

/*
 * Turn what a person typed into a contact as the sets are named by:
 * an email address checked as the event contract checks it; a phone
 * number without the spaces, dashes, dots and parentheses people write
 * in it, then checked as E.164. Returns the contact (the caller frees
 * it), or NULL with *why (static) saying what is wrong.
 */
char *lookup_contact(int channel, const char *typed, const char **why);

/*
 * Read the SRs in a contact's set into *sr (*n of them, in no order;
 * free each and the array). Returns 0, or -1 with *cause (the caller frees
 * it) if Redis failed or cf has no audit.lookup_secret_file.
 */
int lookup_members(struct redis *r, const struct config *cf, int channel,
    const char *address, char ***sr, size_t *n, char **cause);

#endif
