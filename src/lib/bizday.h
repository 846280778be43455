/*
 * bizday.h - business days: weekdays that are not holidays
 *
 * A service standard says "within 5 business days". This module counts
 * them: Monday to Friday, less a list of holidays, in a time zone. Days
 * are numbered from 1970-01-01 (day 0, a Thursday), as the proleptic
 * Gregorian calendar has them, so that holidays are plain integers,
 * sorted and searched. The one use of the time zone is to find the local
 * day an instant falls on and the instant a local day ends, with the
 * zone's offset of that moment (datefmt_offset()), so a change to or
 * from daylight saving time moves the end of a day with it.
 *
 * The count: a standard of N business days from an instant ends when
 * the Nth business day after the day of that instant ends, the day
 * itself not counted; an instant on a weekend or a holiday counts from
 * the next business day, as if it came then. So N = 0 ends at the end
 * of the (next) business day, and 5 days from a Friday afternoon end at
 * the end of the next Friday.
 */
#ifndef BIZDAY_H
#define BIZDAY_H

#include <stddef.h>
#include <stdint.h>

/* The most business days a standard may count (about four years). */
#define BIZDAY_MAX	1000

/* Length of a day written "YYYY-MM-DD". */
#define BIZDAY_LEN	10

/*
 * Read a date "YYYY-MM-DD" (years 1970 to 9999, a day the month has)
 * into *day. Returns 0, or -1 if s is not such a date.
 */
int bizday_parse(const char *s, int32_t *day);

/* Write day as "YYYY-MM-DD" into out. */
void bizday_format(int32_t day, char out[BIZDAY_LEN + 1]);

/* Return the day of the week of day: 0 for Sunday to 6 for Saturday. */
int bizday_weekday(int32_t day);

/*
 * Return 1 if day is a business day: Monday to Friday and not one of the
 * n holidays (sorted, ascending).
 */
int bizday_is_business(int32_t day, const int32_t *holidays, size_t n);

/*
 * Return the day n business days after day, day not counted; a day that
 * is not a business day counts from the next one that is (n = 0 returns
 * that one). n is at most BIZDAY_MAX.
 */
int32_t bizday_add(int32_t day, int n, const int32_t *holidays,
    size_t nholidays);

/*
 * Set *end_ms to the instant a standard of days business days that
 * starts at start_ms (ms since the epoch) ends: the end of the day
 * bizday_add() gives, local midnight in tz (an IANA name). Returns 0, or
 * -1 with *cause (the caller frees it) if tz is unknown.
 */
int bizday_end(const char *tz, int64_t start_ms, int days,
    const int32_t *holidays, size_t nholidays, int64_t *end_ms,
    char **cause);

#endif
