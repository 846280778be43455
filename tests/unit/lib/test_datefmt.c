/*
 * test_datefmt.c - unit tests for dates in a resident's language (datefmt.c)
 *
 * The expected strings are what ICU 72 (Debian 12's libicu72, CLDR 42)
 * gives: they are what a resident reads in a notice. A newer ICU may
 * change some of them (CLDR 42 is the one that put a narrow no-break space
 * before "AM"); if so, check the new text with a speaker, then update.
 * Scripts that run right to left or use combining marks are written as
 * bytes, with what they say in a comment.
 */
#include "build.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unicode/uclean.h>
#include <unicode/uloc.h>

#include "datecache.h"
#include "datefmt.h"

/* 2026-03-03 13:00 UTC: 8:00 in Toronto (EST). */
#define T_MAR3		INT64_C(1772542800)
/* 2026-03-05 14:00 UTC: 9:00 in Toronto (EST). */
#define T_MAR5		INT64_C(1772719200)
/* 2026-03-04 03:30 UTC: still 22:30 on March 3 in Toronto. */
#define T_EDGE		INT64_C(1772595000)
/* 2026-03-09 13:00 UTC: 9:00 in Toronto, summer time since March 8. */
#define T_MAR9		INT64_C(1773061200)

/* U+202F NARROW NO-BREAK SPACE, which CLDR 42 puts before AM and PM. */
#define NNBSP		"\xe2\x80\xaf"

/* Tamil "3 March, 2026": 3 maarc, 2026. */
#define TA_MAR3		"3 \xe0\xae\xae\xe0\xae\xbe\xe0\xae\xb0\xe0\xaf\x8d" \
			"\xe0\xae\x9a\xe0\xaf\x8d, 2026"
/* Persian "12 Esfand 1404" (Persian calendar), in Persian digits. */
#define FA_MAR3		"\xdb\xb1\xdb\xb2 \xd8\xa7\xd8\xb3\xd9\x81\xd9\x86" \
			"\xd8\xaf \xdb\xb1\xdb\xb4\xdb\xb0\xdb\xb4"
/* Arabic "3 March 2026", in Arabic-Indic digits. */
#define AR_MAR3		"\xd9\xa3 \xd9\x85\xd8\xa7\xd8\xb1\xd8\xb3 " \
			"\xd9\xa2\xd9\xa0\xd9\xa2\xd9\xa6"

struct test_datefmt_case {
	const char	*locale;
	const char	*expect;
};

/* Return 1 if s is well-formed UTF-8 (no overlongs, no surrogates). */
static int
test_datefmt_utf8(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	int			 n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 1;
			cp = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 2;
			cp = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		p += n + 1;
	}
	return 1;
}

/* Assert that formatting gives exactly expect, in valid UTF-8. */
static void
test_datefmt_check(int datetime, const char *locale, int64_t when,
    const char *tz, const char *expect)
{
	char	*s, *cause = NULL;

	if (datetime)
		s = datefmt_datetime(locale, when, tz, &cause);
	else
		s = datefmt_date(locale, when, tz, &cause);
	if (s == NULL)
		fail_msg("%s: %s", locale, cause);
	assert_null(cause);
	assert_true(test_datefmt_utf8(s));
	assert_string_equal(s, expect);
	free(s);
}

/* Assert that formatting fails with exactly the cause expect. */
static void
test_datefmt_refused(int datetime, const char *locale, int64_t when,
    const char *tz, const char *expect)
{
	char	*s, *cause = NULL;

	if (datetime)
		s = datefmt_datetime(locale, when, tz, &cause);
	else
		s = datefmt_date(locale, when, tz, &cause);
	assert_null(s);
	assert_non_null(cause);
	assert_string_equal(cause, expect);
	free(cause);

	/* A NULL cause is allowed and changes nothing else. */
	if (datetime)
		s = datefmt_datetime(locale, when, tz, NULL);
	else
		s = datefmt_date(locale, when, tz, NULL);
	assert_null(s);
}

/* Long dates in the languages residents use most. */
static const struct test_datefmt_case test_datefmt_cases[] = {
	{ "en", "March 3, 2026" },
	{ "en-CA", "March 3, 2026" },
	{ "fr", "3 mars 2026" },
	{ "fr-CA", "3 mars 2026" },
	{ "zh-Hans", "2026年3月3日" },
	{ "es", "3 de marzo de 2026" },
	{ "pt", "3 de março de 2026" },
	{ "pt-BR", "3 de março de 2026" },
	{ "ta", TA_MAR3 },
	{ "fa", FA_MAR3 },
	{ "ar", AR_MAR3 },
};

/* Check every case of test_datefmt_cases, rounds times over. */
static void *
test_datefmt_all(void *arg)
{
	size_t	i, round, rounds = *(size_t *)arg;

	for (round = 0; round < rounds; round++) {
		for (i = 0; i < sizeof test_datefmt_cases /
		    sizeof test_datefmt_cases[0]; i++)
			test_datefmt_check(0, test_datefmt_cases[i].locale,
			    T_MAR3, "America/Toronto",
			    test_datefmt_cases[i].expect);
	}
	return NULL;
}

/* Long dates in the languages residents use most. */
static void
test_datefmt_dates(void **state)
{
	size_t	rounds = 1;

	(void)state;
	test_datefmt_all(&rounds);
}

/*
 * Formats kept open give the same dates: more locales than a thread
 * keeps, over and over, in two threads at once, and in another zone.
 */
static void
test_datefmt_kept(void **state)
{
	pthread_t	th;
	size_t		rounds = 20;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, test_datefmt_all,
	    &rounds), 0);
	test_datefmt_all(&rounds);
	assert_int_equal(pthread_join(th, NULL), 0);
	test_datefmt_check(0, "en", T_MAR3 - 3600 * 14, "America/Toronto",
	    "March 2, 2026");
	test_datefmt_check(0, "en", T_MAR3 - 3600 * 14, "Asia/Tokyo",
	    "March 3, 2026");
	test_datefmt_check(0, "en", T_MAR3 - 3600 * 14, "America/Toronto",
	    "March 2, 2026");
	datecache_release();
	test_datefmt_check(0, "fr", T_MAR3, "America/Toronto", "3 mars 2026");
}

/* Tamil and Persian come out non-empty, valid and unlike English. */
static void
test_datefmt_scripts(void **state)
{
	static const char	*locales[] = { "ta", "fa", "ar" };
	char			*en, *s, *cause = NULL;
	size_t			 i;

	(void)state;
	en = datefmt_date("en", T_MAR3, NULL, &cause);
	assert_non_null(en);
	for (i = 0; i < sizeof locales / sizeof locales[0]; i++) {
		s = datefmt_date(locales[i], T_MAR3, NULL, &cause);
		assert_non_null(s);
		assert_true(*s != '\0');
		assert_true(test_datefmt_utf8(s));
		assert_string_not_equal(s, en);
		free(s);
		s = datefmt_datetime(locales[i], T_MAR3, NULL, &cause);
		assert_non_null(s);
		assert_true(test_datefmt_utf8(s));
		free(s);
	}
	assert_null(cause);
	free(en);
}

/* The date is the one in the time zone, not in UTC. */
static void
test_datefmt_zone_edge(void **state)
{
	(void)state;
	test_datefmt_check(0, "en", T_EDGE, "America/Toronto", "March 3, 2026");
	test_datefmt_check(0, "en", T_EDGE, NULL, "March 3, 2026");
	test_datefmt_check(0, "en", T_EDGE, "UTC", "March 4, 2026");
	test_datefmt_check(0, "fr", T_EDGE, "Europe/Paris", "4 mars 2026");
	test_datefmt_check(1, "en", T_EDGE, NULL,
	    "March 3, 2026 at 10:30" NNBSP "PM");
	test_datefmt_check(1, "en", T_EDGE, "UTC",
	    "March 4, 2026 at 3:30" NNBSP "AM");
}

/* Long dates with short times, and summer time. */
static void
test_datefmt_datetimes(void **state)
{
	static const struct test_datefmt_case cases[] = {
		{ "en", "March 5, 2026 at 9:00" NNBSP "AM" },
		{ "fr", "5 mars 2026 à 09:00" },
		{ "fr-CA", "5 mars 2026 à 09 h 00" },
		{ "zh-Hans", "2026年3月5日 09:00" },
		{ "es", "5 de marzo de 2026, 9:00" },
		{ "pt-BR", "5 de março de 2026 às 09:00" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		test_datefmt_check(1, cases[i].locale, T_MAR5, NULL,
		    cases[i].expect);
	test_datefmt_check(1, "en", T_MAR3, NULL,
	    "March 3, 2026 at 8:00" NNBSP "AM");
	test_datefmt_check(1, "en", T_MAR9, NULL,
	    "March 9, 2026 at 9:00" NNBSP "AM");
	test_datefmt_check(1, "en", T_MAR9, "US/Eastern",
	    "March 9, 2026 at 9:00" NNBSP "AM");
}

/* An unknown time zone is refused, naming it, never taken as GMT. */
static void
test_datefmt_unknown_zone(void **state)
{
	(void)state;
	test_datefmt_refused(0, "en", T_MAR3, "Nowhere/Foo",
	    "unknown time zone \"Nowhere/Foo\"");
	test_datefmt_refused(1, "fr", T_MAR3, "Nowhere/Foo",
	    "unknown time zone \"Nowhere/Foo\"");
	test_datefmt_refused(0, "en", T_MAR3, "Etc/Unknown",
	    "unknown time zone \"Etc/Unknown\"");
	test_datefmt_refused(0, "en", T_MAR3, "",
	    "unknown time zone \"\"");
}

/* Zones are checked for configuration. */
static void
test_datefmt_parse_tz(void **state)
{
	static const char	*good[] = {
		"America/Toronto", "America/Vancouver", "Europe/Paris",
		"Asia/Kolkata", "UTC", "Etc/GMT+5", "US/Eastern",
		"Canada/Eastern"
	};
	static const struct test_datefmt_case bad[] = {
		{ "Nowhere/Foo", "unknown time zone \"Nowhere/Foo\"" },
		{ "america/toronto", "unknown time zone \"america/toronto\"" },
		{ "GMT+05:00", "unknown time zone \"GMT+05:00\"" },
		{ "Etc/Unknown", "unknown time zone \"Etc/Unknown\"" },
		{ "", "unknown time zone \"\"" },
		{ "Amer\xc3\xa9ica/Toronto",
		    "unknown time zone \"Amer??ica/Toronto\"" },
		{ "America/\xff\x01Toronto",
		    "unknown time zone \"America/??Toronto\"" },
		{ "America/Toronto/"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		    "unknown time zone \"America/Toronto/"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"" },
	};
	char	*cause;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		cause = NULL;
		assert_int_equal(datefmt_parse_tz(good[i], &cause), 0);
		assert_null(cause);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_int_equal(datefmt_parse_tz(bad[i].locale, &cause), -1);
		assert_non_null(cause);
		assert_string_equal(cause, bad[i].expect);
		free(cause);
		assert_int_equal(datefmt_parse_tz(bad[i].locale, NULL), -1);
	}
	cause = NULL;
	assert_int_equal(datefmt_parse_tz(NULL, &cause), -1);
	assert_string_equal(cause, "no time zone");
	free(cause);
	assert_int_equal(datefmt_parse_tz(DATEFMT_TZ_DEFAULT, NULL), 0);
}

/*
 * A well-formed locale without data is English, whatever the process's
 * default locale: ICU alone would format "xx" in German here.
 */
static void
test_datefmt_fallback(void **state)
{
	static const char	*locales[] = {
		"xx", "und", "en-Qaaa", "zz-ZZ"
	};
	UErrorCode		 status = U_ZERO_ERROR;
	char			*he, *iw, *cause = NULL;
	size_t			 i;

	(void)state;
	uloc_setDefault("de_DE", &status);
	assert_false(U_FAILURE(status));
	for (i = 0; i < sizeof locales / sizeof locales[0]; i++) {
		test_datefmt_check(0, locales[i], T_MAR3, NULL,
		    "March 3, 2026");
		test_datefmt_check(1, locales[i], T_MAR3, NULL,
		    "March 3, 2026 at 8:00" NNBSP "AM");
	}

	/* A region ICU does not know keeps the language. */
	test_datefmt_check(0, "fr-XX", T_MAR3, NULL, "3 mars 2026");

	/* An old tag ICU knows as an alias is not a fallback. */
	he = datefmt_date("he", T_MAR3, NULL, &cause);
	iw = datefmt_date("iw", T_MAR3, NULL, &cause);
	assert_non_null(he);
	assert_non_null(iw);
	assert_null(cause);
	assert_string_equal(he, iw);
	assert_string_not_equal(he, "March 3, 2026");
	free(he);
	free(iw);

	status = U_ZERO_ERROR;
	uloc_setDefault(NULL, &status);
	assert_false(U_FAILURE(status));
}

/* What is not a BCP 47 tag is refused. */
static void
test_datefmt_bad_locale(void **state)
{
	(void)state;
	test_datefmt_refused(0, "en_US", T_MAR3, NULL,
	    "locale \"en_US\": not a BCP 47 language tag");
	test_datefmt_refused(1, "fr-CA-", T_MAR3, NULL,
	    "locale \"fr-CA-\": not a BCP 47 language tag");
	test_datefmt_refused(0, "fr\nCA", T_MAR3, NULL,
	    "locale \"fr?CA\": not a BCP 47 language tag");
	test_datefmt_refused(0, "", T_MAR3, NULL, "no locale");
	test_datefmt_refused(0, NULL, T_MAR3, NULL, "no locale");
}

/* Instants outside years 1 to 9999 are refused, not pinned. */
static void
test_datefmt_range(void **state)
{
	(void)state;
	test_datefmt_check(0, "en", 0, "UTC", "January 1, 1970");
	test_datefmt_check(1, "en", DATEFMT_WHEN_MAX, "UTC",
	    "December 31, 9999 at 11:59" NNBSP "PM");
	test_datefmt_check(0, "en", -86400, "UTC", "December 31, 1969");
	test_datefmt_refused(0, "en", DATEFMT_WHEN_MAX + 1, NULL,
	    "time 253402300800 is out of range");
	test_datefmt_refused(0, "en", DATEFMT_WHEN_MIN - 1, NULL,
	    "time -62135596801 is out of range");
	test_datefmt_refused(1, "en", INT64_MAX, NULL,
	    "time 9223372036854775807 is out of range");
	test_datefmt_refused(1, "en", INT64_MIN, NULL,
	    "time -9223372036854775808 is out of range");
}

/* Let ICU free its caches so that leak checkers see only our memory. */
static int
test_datefmt_teardown(void **state)
{
	(void)state;
	datecache_release();
	u_cleanup();
	return 0;
}

/* Counts are written in each language's digits, never grouped. */
static void
test_datefmt_counts(void **state)
{
	static const struct {
		const char	*locale;
		int64_t		 n;
		const char	*want;
	} rows[] = {
		{ "en", 5, "5" },
		{ "fr", 1000, "1000" },
		{ "zh-Hans", 10, "10" },
		{ "fa", 5, "\xdb\xb5" },
		{ "fa", 10, "\xdb\xb1\xdb\xb0" },
		{ "xx", 0, "0" },
	};
	char	*s, *cause = NULL;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		s = datefmt_count(rows[i].locale, rows[i].n, NULL);
		assert_non_null(s);
		assert_string_equal(s, rows[i].want);
		free(s);
	}
	assert_null(datefmt_count("en_US", 5, &cause));
	assert_non_null(cause);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datefmt_dates),
		cmocka_unit_test(test_datefmt_kept),
		cmocka_unit_test(test_datefmt_scripts),
		cmocka_unit_test(test_datefmt_zone_edge),
		cmocka_unit_test(test_datefmt_datetimes),
		cmocka_unit_test(test_datefmt_unknown_zone),
		cmocka_unit_test(test_datefmt_parse_tz),
		cmocka_unit_test(test_datefmt_fallback),
		cmocka_unit_test(test_datefmt_bad_locale),
		cmocka_unit_test(test_datefmt_range),
		cmocka_unit_test(test_datefmt_counts),
	};

	return cmocka_run_group_tests(tests, NULL, test_datefmt_teardown);
}
