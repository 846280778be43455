/*
 * rollmonth.h - a range of days' counts read by whole months
 *
 * The fold keeps a copy of the division's counts and of its counts by
 * service type for each month (rollup.h: PREFIXroll:DIV:MONTH and
 * PREFIXroll:DIV:MONTH:service), so that a year is some 13 hashes a
 * division, not 365. rollmonth_read() reads a range of days as
 * rollup_read() does, but takes each whole month of the range from its
 * month's hash: the months the range cuts at its edges, the months whose
 * first day is older than audit.rollup_days (their first days' hashes
 * may be gone), and the months with no monthly hash (counted before the
 * monthly hashes were kept, or with nothing counted) are read from their
 * days. The counts are the same as rollup_read()'s; what differs is the
 * day a count is handed with: a whole month's counts come with the
 * month's first day (YYYY-MM-01), so that a reader adding counts up by
 * month or over the whole range may use it, one adding them up by day
 * or week may not.
 */
#ifndef ROLLMONTH_H
#define ROLLMONTH_H

#include <stddef.h>

#include "rollup.h"

/*
 * Read the counts by by of the days from first to last (YYYY-MM-DD, both
 * included) of the given divisions, or of every division counted if
 * ndivisions is 0, a whole month's counts handed to fn once with the
 * month's first day; the counts by ward are read by day (rollup_read()).
 * Returns 0, or -1 with *cause (the caller frees it).
 */
int rollmonth_read(struct redis *r, const struct config *cf,
    const char *const *divisions, size_t ndivisions, const char *first,
    const char *last, enum rollup_by by, rollup_fn fn, void *arg,
    char **cause);

#endif
