/*
 * rolllist.h - the SRs behind a daily count, from the rollups' sets
 *
 * For the counters rollcount_listed() names (held, held:RULE,
 * flag:RULE, failed, failed:KIND), the rollups keep beside each day's
 * count the set of the SRs counted, PREFIXroll:DIV:DAY:sr:COUNTER
 * (rollup.h), written and folded with the counts. Reading them answers
 * "which SRs" for a range of days without reading the trail, and outlives
 * it: the sets are kept audit.rollup_days, the trail audit.retain_days.
 */
#ifndef ROLLLIST_H
#define ROLLLIST_H

#include <stddef.h>

struct config;
struct redis;

/*
 * Return the key of the set of the SRs counted by counter on a division's
 * day (YYYY-MM-DD); the caller frees it.
 */
char *rolllist_key(const struct config *cf, const char *division,
    const char *day, const char *counter);

/*
 * Set *out to the distinct SRs counted by counter (one that
 * rollcount_listed() names) in division (case does not matter; NULL
 * for every division counted) from the day first to the day last (both
 * YYYY-MM-DD, both included), of ward ward and service type service
 * where they are not NULL (the ward as written, the service type in any
 * case). *out is sorted and NULL-terminated (free each and the array),
 * *n their number. One SMEMBERS per division and day, pipelined; the
 * pending counts are not folded first (rollupfold.h). Returns 0, or -1
 * with *cause (the caller frees it).
 */
int rolllist_srs(struct redis *r, const struct config *cf,
    const char *division, const char *first, const char *last,
    const char *counter, const char *ward, const char *service, char ***out,
    size_t *n, char **cause);

#endif
