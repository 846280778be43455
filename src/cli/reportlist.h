/*
 * reportlist.h - "closeloop report --list": the SRs behind a count
 */
#ifndef REPORTLIST_H
#define REPORTLIST_H

#include <stdint.h>

struct config;
struct redis;

/*
 * Print the trail's entries from since to until (ms since the epoch)
 * that add to counter kind (a rollup counter, such as "held",
 * "held:explicit_transfer", "flag:no_note" or "told:completed"; see
 * rollup.h), of division, ward and service where they are not NULL, one
 * line each in time order (or the entries as JSON), then how many
 * entries and SRs. For a counter rollcount_listed() names, the SRs
 * are those of the rollups' sets of the days of since to until
 * (rolllist.h; the caller folds the pending counts first), and an SR
 * listed with no such entry left in its stream is printed as a line
 * "-  SR  DIVISION  KIND  no longer in the trail (audit.retain_days)"
 * (as JSON {"sr", "division", "count", "in_trail": false}) after the
 * entries. Returns an exit status: 0, EX_USAGE for an unknown kind (with
 * *cause), EX_UNAVAILABLE with *cause.
 */
int reportlist_run(struct redis *r, const struct config *cf, int64_t since,
    int64_t until, const char *division, const char *ward,
    const char *service, const char *kind, int json, char **cause);

#endif
