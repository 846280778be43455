/*
 * srhash.h - an SR's state as its Redis hash: the fields, read and written
 *
 * The state of an SR (struct srstate) is kept in one Redis hash,
 * closeloop:sr:{SR}:state (srstate_key()); srhash.c lists its fields.
 * srhash_decode() fills a state from the hash as HGETALL returns it, and
 * srhash_encode() makes the field/value pairs HSET writes.
 */
#ifndef SRHASH_H
#define SRHASH_H

#include <stddef.h>

struct srstate;

/*
 * Fill an empty state from the n field/value strings of a hash, as
 * HGETALL returns them (fields[2*i], fields[2*i+1]). Unknown or damaged
 * fields - a value that does not parse, a time before the epoch or after
 * SRSTATE_TIME_MAX, a negative count, a contact or work order past the
 * limits - are skipped with *cause set to a warning naming the first
 * (a contact's address masked; the caller frees it); returns the number
 * skipped.
 */
int srhash_decode(struct srstate *st, char *const *fields, size_t n,
    char **cause);

/*
 * Encode the state as field/value strings for HSET. Returns an allocated
 * array of *n pairs (2 * *n strings); free it with srhash_encode_free().
 */
char **srhash_encode(const struct srstate *st, size_t *n);

/* Free what srhash_encode() returned. */
void srhash_encode_free(char **fields, size_t n);

#endif
