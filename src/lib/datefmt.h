/*
 * datefmt.h - dates and times in a resident's language, through ICU
 *
 * A notice tells a resident when something happened or will happen: "your
 * collection is scheduled for March 3, 2026". The date is written the way
 * the resident's language writes it (ICU's long date, with its month
 * names, digits and calendar: "3 mars 2026", "2026年3月3日", and a Persian
 * date in the Persian calendar), in the installation's time zone, and a
 * count of days in its digits ("5", "۵"). This module is the only one
 * that formats dates and numbers with ICU; datecache.h keeps its date
 * formats open.
 *
 * Locales are BCP 47 tags ("fr-CA", "zh-Hans"). A well-formed tag that ICU
 * has no data for ("xx") falls back to the tag's language alone and then
 * to DATEFMT_FALLBACK, never to the process's LANG, so what a resident
 * reads does not depend on how the daemon was started. Time zones are IANA
 * names ("America/Toronto"); anything ICU does not know as one is an
 * error, never a silent GMT.
 *
 * Every function may be called from any thread.
 */
#ifndef DATEFMT_H
#define DATEFMT_H

#include <stddef.h>
#include <stdint.h>

/* The time zone used when none is given. */
#define DATEFMT_TZ_DEFAULT	"America/Toronto"

/* The locale used when ICU has no data for the one asked for. */
#define DATEFMT_FALLBACK	"en"

/* The instants that can be formatted: years 1 to 9999, in UTC. */
#define DATEFMT_WHEN_MIN	INT64_C(-62135596800)
#define DATEFMT_WHEN_MAX	INT64_C(253402300799)

/*
 * Format the instant when (seconds since the epoch) as a long date in the
 * language of locale (a BCP 47 tag) and the time zone tz (an IANA name;
 * NULL means DATEFMT_TZ_DEFAULT): "March 3, 2026" for "en", "3 mars 2026"
 * for "fr". Returns the date in UTF-8; the string is allocated and the
 * caller frees it. On failure (a tag that is not BCP 47, an unknown time
 * zone, an instant out of range) returns NULL and, if cause is not NULL,
 * sets *cause to why; the caller frees *cause.
 */
char *datefmt_date(const char *locale, int64_t when, const char *tz,
    char **cause);

/*
 * Like datefmt_date() but with the time of day after the date, as the
 * locale joins them: "March 5, 2026 at 9:00 AM" for "en" (ICU puts a
 * U+202F NARROW NO-BREAK SPACE before "AM"), "5 mars 2026 à 09:00" for
 * "fr". The string is allocated; the caller frees it and *cause as above.
 */
char *datefmt_datetime(const char *locale, int64_t when, const char *tz,
    char **cause);

/*
 * Write the whole number n as the language of locale writes it, in its
 * digits and without grouping: "5" for "en", "۵" for "fa". Returns it in
 * UTF-8 (allocated; the caller frees it), or NULL with *cause as above.
 */
char *datefmt_count(const char *locale, int64_t n, char **cause);

/*
 * Check that tz names a time zone ICU knows by an IANA name (aliases such
 * as "US/Eastern" count; custom offsets such as "GMT+05:00" and the wrong
 * case do not). Returns 0 if it does; otherwise -1 and, if cause is not
 * NULL, sets *cause to a message naming the zone; the caller frees *cause.
 */
int datefmt_parse_tz(const char *tz, char **cause);

/*
 * Set *offset_ms to the offset from UTC of local time in tz at when_ms
 * (daylight saving included). Returns 0, or -1 with *cause set.
 */
int datefmt_offset(const char *tz, int64_t when_ms, int64_t *offset_ms,
    char **cause);

/*
 * Quiet hours from start to end (minutes after local midnight in tz; a
 * window past midnight when start > end): if now (ms since the epoch)
 * falls inside them, return when they end; otherwise return now. A
 * negative start or end means no quiet hours.
 */
int64_t datefmt_quiet_end(const char *tz, int start, int end, int64_t now);

/*
 * Format when_ms as "YYYY-MM-DD HH:MM:SS" in local time in tz (UTC if tz
 * is unknown) into buf of size bytes.
 */
void datefmt_local(const char *tz, int64_t when_ms, char *buf, size_t size);

/* Length of a date written "YYYY-MM-DD". */
#define DATEFMT_DAY_LEN	10

/*
 * Write the date at when_ms in local time in tz (UTC if tz is unknown) as
 * "YYYY-MM-DD" into out. Cheap when called again for nearly the same
 * time: the zone's offset is kept per thread for a quarter of an hour.
 */
void datefmt_day(const char *tz, int64_t when_ms,
    char out[DATEFMT_DAY_LEN + 1]);

/*
 * Parse a time from a command line into *when_ms (ms since the epoch):
 * "YYYY-MM-DD" (local midnight in tz), "YYYY-MM-DDTHH:MM[:SS]" (local
 * time in tz) with "Z" or "+HH:MM" for another offset, or "7d", "24h",
 * "30m" for that long before now_ms. Returns 0, or -1 with *cause.
 */
int datefmt_parse_when(const char *s, const char *tz, int64_t now_ms,
    int64_t *when_ms, char **cause);

#endif
