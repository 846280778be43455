/*
 * rediszset.h - sorted sets scored by time: the due sets, the leases
 */
#ifndef REDISZSET_H
#define REDISZSET_H

#include <stddef.h>
#include <stdint.h>

struct redis;
struct redis_reply;

/*
 * Read a sorted set's score as Redis writes it ("1772532000000",
 * "1e+17", "inf") into *ms, rounded down. Returns 0, or -1 if s is not a
 * number or is outside the range of int64_t (then *ms is left alone).
 */
int rediszset_score(const char *s, int64_t *ms);

/*
 * Return the members of the sorted set key whose score is now or less,
 * at most max, lowest first: an array reply (free it). NULL with *cause
 * (about what, a few words) if Redis failed or answered otherwise.
 */
struct redis_reply *rediszset_due(struct redis *r, const char *key, int64_t now,
    size_t max, const char *what, char **cause);

/*
 * Set *at to the score of the first member of the sorted set key (ms; 0
 * if the set is empty or the score is not a number). Returns 0, or -1
 * with *cause if Redis failed.
 */
int rediszset_head(struct redis *r, const char *key, int64_t *at,
    char **cause);

#endif
