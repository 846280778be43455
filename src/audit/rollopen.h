/*
 * rollopen.h - the SRs past their service standard, work still open
 *
 * The rollups count an SR flagged past_standard on the day its standard
 * ended unmet, and keep it in that day's set (rolllist.h); that is what
 * happened then. Whether it is still so now - its division's standard
 * still not met and its work still open - only its state says. The
 * lists and the counts of "open:past_standard" (ROLLOPEN_COUNTER) are
 * the SRs of the flag's sets whose state says so now: "closeloop report"
 * and the console's dashboard show them beside the flag's count, and
 * list them like any count's SRs.
 */
#ifndef ROLLOPEN_H
#define ROLLOPEN_H

#include <stddef.h>

struct config;
struct redis;

/* The name the lists know the SRs still past their standard by. */
#define ROLLOPEN_COUNTER	"open:past_standard"

/* The flag whose sets hold the SRs that went past their standard. */
#define ROLLOPEN_FLAG		"flag:past_standard"

/* Return 1 if counter's SRs can be listed: a set kept, or the open ones. */
int rollopen_listed(const char *counter);

/*
 * Set *out and *n as rolllist_srs() does for counter, which
 * rollopen_listed() names: for ROLLOPEN_COUNTER, the SRs of the sets of
 * flag:past_standard whose state says they are past the standard of
 * division (of any division if NULL) with the work still open now.
 * Returns 0, or -1 with *cause (the caller frees it).
 */
int rollopen_srs(struct redis *r, const struct config *cf,
    const char *division, const char *first, const char *last,
    const char *counter, const char *ward, const char *service, char ***out,
    size_t *n, char **cause);

/*
 * Set *n to how many SRs rollopen_srs() gives for ROLLOPEN_COUNTER with
 * the same division, days, ward and service. Returns 0, or -1 with
 * *cause (the caller frees it).
 */
int rollopen_count(struct redis *r, const struct config *cf,
    const char *division, const char *first, const char *last,
    const char *ward, const char *service, size_t *n, char **cause);

#endif
