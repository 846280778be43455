/*
 * rollupfold.h - the steps' pending counts added into the daily hashes
 *
 * Each step leaves its counts as one record on PREFIXroll:pending
 * (rollup.h). A fold takes up to max records off the head of the list,
 * adds them up per hash and field, and adds the sums into the hashes with
 * their expiry, the SRs into (or, taken back, out of) the sets of SRs
 * with the same expiry, and the divisions into PREFIXroll:divisions -
 * all in one script, so a fold is all or nothing and two closeloopd
 * folding at once never count a record twice. A hash that holds
 * something other than a hash of integers, or a set's key that holds
 * something other than a set (written by hand), is left alone, and
 * named.
 */
#ifndef ROLLUPFOLD_H
#define ROLLUPFOLD_H

#include <stddef.h>

struct config;
struct redis;

/* How many records one fold takes at most. */
#define ROLLUPFOLD_MAX	2000

/*
 * Fold up to max pending records into the hashes. Returns how many were
 * folded (0 if none waited), or -1 with *cause (the caller frees it). A
 * key left alone is named in *cause, which is set although the return
 * is the count.
 */
long long rollupfold_run(struct redis *r, const struct config *cf,
    size_t max, char **cause);

/*
 * Fold every pending record, max at a time. Returns 0, or -1 with
 * *cause; a key left alone is named in *cause as above.
 */
int rollupfold_all(struct redis *r, const struct config *cf, char **cause);

#endif
