/*
 * bizday.c - business days: weekdays that are not holidays
 *
 * Dates and day numbers convert by the usual civil-calendar arithmetic
 * (eras of 400 years, years from March), with no table and no time
 * zone; only bizday_end() asks the zone (through datefmt_offset()) where
 * a local day begins and ends. Holidays are looked up by binary search.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bizday.h"
#include "datefmt.h"

#define BIZDAY_MS	86400000LL

/* Return the day number of a date of the proleptic Gregorian calendar. */
static int32_t
bizday_from_civil(int y, int m, int d)
{
	int	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Split a day number into its year, month and day. */
static void
bizday_to_civil(int32_t z, int *y, int *m, int *d)
{
	int	era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Read a date "YYYY-MM-DD". */
int
bizday_parse(const char *s, int32_t *day)
{
	static const int	 mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	int			 i, y, m, d, leap;

	if (s == NULL || strlen(s) != BIZDAY_LEN || s[4] != '-' ||
	    s[7] != '-')
		return -1;
	for (i = 0; i < BIZDAY_LEN; i++) {
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	}
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !leap))
		return -1;
	*day = bizday_from_civil(y, m, d);
	return 0;
}

/* Write a day as "YYYY-MM-DD". */
void
bizday_format(int32_t day, char out[BIZDAY_LEN + 1])
{
	int	y, m, d;

	bizday_to_civil(day, &y, &m, &d);
	if (y < 0 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		y = m = d = 0;
	snprintf(out, BIZDAY_LEN + 1, "%04u-%02u-%02u", (unsigned)y % 10000,
	    (unsigned)m % 100, (unsigned)d % 100);
}

/* Return the day of the week: 0 for Sunday. */
int
bizday_weekday(int32_t day)
{
	return (int)(((day % 7) + 7 + 4) % 7);	/* day 0 was a Thursday */
}

/* Return 1 if day is one of the sorted holidays. */
static int
bizday_holiday(int32_t day, const int32_t *holidays, size_t n)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (holidays[mid] == day)
			return 1;
		if (holidays[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Return 1 if day is a business day. */
int
bizday_is_business(int32_t day, const int32_t *holidays, size_t n)
{
	int	wd = bizday_weekday(day);

	return wd != 0 && wd != 6 && !bizday_holiday(day, holidays, n);
}

/* Return the day n business days after day. */
int32_t
bizday_add(int32_t day, int n, const int32_t *holidays, size_t nholidays)
{
	if (n > BIZDAY_MAX)
		n = BIZDAY_MAX;
	while (!bizday_is_business(day, holidays, nholidays))
		day++;
	while (n > 0) {
		day++;
		if (bizday_is_business(day, holidays, nholidays))
			n--;
	}
	return day;
}

/* Return floor(a / b) for b > 0. */
static int64_t
bizday_floor(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Set *end_ms to when a standard of days business days ends. */
int
bizday_end(const char *tz, int64_t start_ms, int days,
    const int32_t *holidays, size_t nholidays, int64_t *end_ms,
    char **cause)
{
	int64_t	off, midnight;
	int32_t	day;

	if (datefmt_offset(tz, start_ms, &off, cause) != 0)
		return -1;
	day = (int32_t)bizday_floor(start_ms + off, BIZDAY_MS);
	day = bizday_add(day, days, holidays, nholidays);
	/* Local midnight after that day, with the offset it has then. */
	midnight = ((int64_t)day + 1) * BIZDAY_MS;
	if (datefmt_offset(tz, midnight - off, &off, cause) != 0 ||
	    datefmt_offset(tz, midnight - off, &off, cause) != 0)
		return -1;
	*end_ms = midnight - off;
	return 0;
}
