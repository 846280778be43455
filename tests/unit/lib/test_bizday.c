/*
 * test_bizday.c - unit tests for business days (bizday.c)
 *
 * The days of March 2026 around the change to daylight saving time in
 * Toronto (Sunday 8 March, 2:00) and of November 2026 around the change
 * back (Sunday 1 November): a weekend, a holiday, a standard of 0, and
 * the end of a day an hour earlier in UTC once the clocks went forward.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "bizday.h"

#define TZ	"America/Toronto"

/* Return the day number of a date the test knows is good. */
static int32_t
day_of(const char *s)
{
	int32_t	day;

	assert_int_equal(bizday_parse(s, &day), 0);
	return day;
}

/* Return the ms of a UTC time "YYYY-MM-DDTHH:MM". */
static int64_t
ms_of(const char *s)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	assert_non_null(strptime(s, "%Y-%m-%dT%H:%M", &tm));
	return (int64_t)timegm(&tm) * 1000;
}

/* Return the day n business days after date s, written as a date. */
static const char *
add(const char *s, int n, const int32_t *holidays, size_t nh)
{
	static char	out[BIZDAY_LEN + 1];

	bizday_format(bizday_add(day_of(s), n, holidays, nh), out);
	return out;
}

/* Dates are read and written back; days of the week are right. */
static void
test_bizday_dates(void **state)
{
	char	out[BIZDAY_LEN + 1];
	int32_t	day;

	(void)state;
	assert_int_equal(day_of("1970-01-01"), 0);
	assert_int_equal(bizday_weekday(0), 4);		/* a Thursday */
	assert_int_equal(bizday_weekday(day_of("2026-03-06")), 5);
	assert_int_equal(bizday_weekday(day_of("2026-03-08")), 0);
	assert_int_equal(bizday_weekday(day_of("2000-02-29")), 2);
	bizday_format(day_of("2026-12-31"), out);
	assert_string_equal(out, "2026-12-31");
	bizday_format(day_of("2400-02-29"), out);
	assert_string_equal(out, "2400-02-29");
	assert_int_equal(bizday_parse("2026-02-29", &day), -1);
	assert_int_equal(bizday_parse("2100-02-29", &day), -1);
	assert_int_equal(bizday_parse("1969-12-31", &day), -1);
	assert_int_equal(bizday_parse("2026-3-01", &day), -1);
	assert_int_equal(bizday_parse("2026-13-01", &day), -1);
	assert_int_equal(bizday_parse("2026-04-31", &day), -1);
	assert_int_equal(bizday_parse("2026-04-01x", &day), -1);
	assert_int_equal(bizday_parse("", &day), -1);
	assert_int_equal(bizday_parse(NULL, &day), -1);
}

/* A weekend is skipped; a day on a weekend counts from Monday. */
static void
test_bizday_weekend(void **state)
{
	(void)state;
	assert_string_equal(add("2026-03-06", 1, NULL, 0), "2026-03-09");
	assert_string_equal(add("2026-03-06", 5, NULL, 0), "2026-03-13");
	assert_string_equal(add("2026-03-04", 2, NULL, 0), "2026-03-06");
	assert_string_equal(add("2026-03-04", 3, NULL, 0), "2026-03-09");
	assert_string_equal(add("2026-03-07", 1, NULL, 0), "2026-03-10");
	assert_string_equal(add("2026-03-08", 5, NULL, 0), "2026-03-16");
}

/* A holiday is skipped like a weekend day. */
static void
test_bizday_holiday(void **state)
{
	int32_t	h[3];

	(void)state;
	h[0] = day_of("2026-02-16");	/* Family Day */
	h[1] = day_of("2026-03-09");
	h[2] = day_of("2026-04-03");	/* Good Friday */
	assert_true(bizday_is_business(day_of("2026-03-10"), h, 3));
	assert_false(bizday_is_business(day_of("2026-03-09"), h, 3));
	assert_false(bizday_is_business(day_of("2026-03-07"), h, 3));
	assert_string_equal(add("2026-03-06", 1, h, 3), "2026-03-10");
	assert_string_equal(add("2026-03-06", 5, h, 3), "2026-03-16");
	assert_string_equal(add("2026-03-09", 0, h, 3), "2026-03-10");
	assert_string_equal(add("2026-04-02", 1, h, 3), "2026-04-06");
	assert_string_equal(add("2026-02-13", 1, h, 3), "2026-02-17");
}

/* A standard of 0 ends with the day, or with the next business day. */
static void
test_bizday_zero(void **state)
{
	int64_t	end;

	(void)state;
	assert_string_equal(add("2026-03-04", 0, NULL, 0), "2026-03-04");
	assert_string_equal(add("2026-03-07", 0, NULL, 0), "2026-03-09");
	/* Wednesday 10:00 in Toronto: the end of Wednesday, EST. */
	assert_int_equal(bizday_end(TZ, ms_of("2026-03-04T15:00"), 0, NULL,
	    0, &end, NULL), 0);
	assert_int_equal(end, ms_of("2026-03-05T05:00"));
	/* Friday 22:00 in Toronto is Saturday in UTC: still Friday. */
	assert_int_equal(bizday_end(TZ, ms_of("2026-03-07T03:00"), 0, NULL,
	    0, &end, NULL), 0);
	assert_int_equal(end, ms_of("2026-03-07T05:00"));
	/* Saturday: the end of Monday, after the clocks went forward. */
	assert_int_equal(bizday_end(TZ, ms_of("2026-03-07T15:00"), 0, NULL,
	    0, &end, NULL), 0);
	assert_int_equal(end, ms_of("2026-03-10T04:00"));
}

/* Across the change to daylight saving time and back. */
static void
test_bizday_dst(void **state)
{
	int32_t	h[1];
	int64_t	end;
	char	*cause = NULL;

	(void)state;
	h[0] = day_of("2026-03-09");
	/* Friday 15:00 EST, 2 days: Monday and Tuesday, ending in EDT. */
	assert_int_equal(bizday_end(TZ, ms_of("2026-03-06T20:00"), 2, NULL,
	    0, &end, NULL), 0);
	assert_int_equal(end, ms_of("2026-03-11T04:00"));
	/* With Monday a holiday: Tuesday and Wednesday. */
	assert_int_equal(bizday_end(TZ, ms_of("2026-03-06T20:00"), 2, h, 1,
	    &end, NULL), 0);
	assert_int_equal(end, ms_of("2026-03-12T04:00"));
	/* Friday 30 October EDT, 1 day: Monday 2 November, in EST. */
	assert_int_equal(bizday_end(TZ, ms_of("2026-10-30T14:00"), 1, NULL,
	    0, &end, NULL), 0);
	assert_int_equal(end, ms_of("2026-11-03T05:00"));
	/* The same instant counts by another zone's days. */
	assert_int_equal(bizday_end("Asia/Tokyo", ms_of("2026-03-06T20:00"),
	    0, NULL, 0, &end, NULL), 0);
	assert_int_equal(end, ms_of("2026-03-09T15:00"));
	assert_int_equal(bizday_end("Mars/Olympus", 0, 1, NULL, 0, &end,
	    &cause), -1);
	assert_non_null(cause);
	free(cause);
}

/* A standard past BIZDAY_MAX counts BIZDAY_MAX. */
static void
test_bizday_max(void **state)
{
	char	a[BIZDAY_LEN + 1];

	(void)state;
	strcpy(a, add("2026-03-02", BIZDAY_MAX, NULL, 0));
	assert_string_equal(add("2026-03-02", BIZDAY_MAX + 50, NULL, 0), a);
	/* 1000 weekdays are 200 weeks. */
	assert_int_equal(day_of(a) - day_of("2026-03-02"), 1400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bizday_dates),
		cmocka_unit_test(test_bizday_weekend),
		cmocka_unit_test(test_bizday_holiday),
		cmocka_unit_test(test_bizday_zero),
		cmocka_unit_test(test_bizday_dst),
		cmocka_unit_test(test_bizday_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
