/*
 * test_syntax.c - unit tests for the syntactic checks in syntax.c
 *
 * Every check has a table of values it must accept and a table of values
 * it must reject with an exact phrase. The epoch seconds in the time
 * tables were computed independently with date(1), for example
 * `date -u -d 2024-02-29T12:00:00Z +%s`, and are written out by hand.
 */
#include "build.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "syntax.h"

#define NITEMS(a) (sizeof (a) / sizeof (a)[0])

/* A string literal and its length, so that embedded NUL bytes count. */
#define BYTES(s) (s), (sizeof (s) - 1)

#define A8 "aaaaaaaa"
#define A16 A8 A8
#define A32 A16 A16
#define A64 A32 A32
#define A57 A32 A16 "aaaaaaaaa"
#define A58 A57 "a"
#define A63 A32 A16 A8 "aaaaaaa"
#define A65 A64 "a"

#define FORM_TIME \
	"is not an RFC 3339 date-time (such as 2026-03-03T14:05:00Z)"
#define FORM_DATE_OR_TIME \
	"is not a date (such as 2026-03-05) or an RFC 3339 date-time"
#define NO_ZONE "has no time zone (add Z or an offset such as -05:00)"
#define SR_CHARS "must contain only letters, digits and '-'"
#define CODE_CHARS "must contain only letters, digits, '_', '.' and '-'"
#define LOCAL_DOTS "local part must not begin or end with '.' or contain '..'"
#define LOCAL_CHAR "local part contains a character that is not allowed"
#define DOMAIN_CHARS "domain must contain only letters, digits, '-' and '.'"
#define DOMAIN_HYPHEN "domain has a label that begins or ends with '-'"
#define HOST_CHARS "host must contain only letters, digits, '-' and '.'"
#define BAD_PORT "port must be a number from 1 to 65535"
#define CONTROL "contains whitespace or a control character"
#define SUBTAG "has a misplaced or malformed subtag"
#define LANGUAGE "language must be 2 or 3 letters"

struct test_syntax_utf8_good {
	const char	*s;
	size_t		 len;
	size_t		 chars;
};

static const struct test_syntax_utf8_good test_syntax_utf8_goods[] = {
	{ BYTES(""), 0 },
	{ BYTES("plain ASCII ~"), 13 },
	{ BYTES("\xc2\x80"), 1 },			/* U+0080 */
	{ BYTES("caf\xc3\xa9"), 4 },			/* é */
	{ BYTES("\xdf\xbf"), 1 },			/* U+07FF */
	{ BYTES("\xe0\xa0\x80"), 1 },			/* U+0800 */
	{ BYTES("\xe2\x82\xac" "5"), 2 },		/* €5 */
	{ BYTES("\xed\x9f\xbf"), 1 },			/* U+D7FF */
	{ BYTES("\xee\x80\x80"), 1 },			/* U+E000 */
	{ BYTES("\xef\xbf\xbf"), 1 },			/* U+FFFF */
	{ BYTES("\xf0\x90\x80\x80"), 1 },		/* U+10000 */
	{ BYTES("\xf0\x9f\x98\x80!"), 2 },		/* emoji */
	{ BYTES("\xf4\x8f\xbf\xbf"), 1 },		/* U+10FFFF */
};

struct test_syntax_utf8_bad {
	const char	*s;
	size_t		 len;
	size_t		 bad;
	const char	*why;
};

static const struct test_syntax_utf8_bad test_syntax_utf8_bads[] = {
	{ BYTES("\0"), 0, "contains a NUL byte" },
	{ BYTES("a\0b"), 1, "contains a NUL byte" },
	{ BYTES("\xc0\x80"), 0, "is not valid UTF-8" },	/* overlong NUL */
	{ BYTES("\xc1\xbf"), 0, "is not valid UTF-8" },	/* overlong */
	{ BYTES("ab\xe0\x80\x80"), 2, "is not valid UTF-8" },
	{ BYTES("\xe0\x9f\xbf"), 0, "is not valid UTF-8" },	/* overlong */
	{ BYTES("\xf0\x8f\xbf\xbf"), 0, "is not valid UTF-8" },
	{ BYTES("x\xed\xa0\x80"), 1, "is not valid UTF-8" },	/* U+D800 */
	{ BYTES("\xed\xbf\xbf"), 0, "is not valid UTF-8" },	/* U+DFFF */
	{ BYTES("\xf4\x90\x80\x80"), 0, "is not valid UTF-8" },
	{ BYTES("\xf5\x80\x80\x80"), 0, "is not valid UTF-8" },
	{ BYTES("\xf8\x88\x80\x80\x80"), 0, "is not valid UTF-8" },
	{ BYTES("\xff"), 0, "is not valid UTF-8" },
	{ BYTES("\xfe"), 0, "is not valid UTF-8" },
	{ BYTES("ab\xc3"), 2, "is not valid UTF-8" },		/* truncated */
	{ BYTES("ab\xe2\x82"), 2, "is not valid UTF-8" },	/* truncated */
	{ BYTES("\xf0\x9f\x98"), 0, "is not valid UTF-8" },	/* truncated */
	{ BYTES("\xe2\x82" "A"), 0, "is not valid UTF-8" },
	{ BYTES("\xc3\0"), 0, "is not valid UTF-8" },
	{ BYTES("a\x80"), 1, "is not valid UTF-8" },		/* stray */
	{ BYTES("caf\xc3\xa9\xbf"), 5, "is not valid UTF-8" },
};

struct test_syntax_text {
	const char	*s;
	int		 multiline;
};

static const struct test_syntax_text test_syntax_text_goods[] = {
	{ "", 0 },
	{ "Water main break on Elm St", 0 },
	{ "caf\xc3\xa9 ~ 100%", 0 },
	{ "a\tb", 1 },
	{ "line 1\nline 2\r\n", 1 },
	{ "\r\n\t", 1 },
};

static const struct test_syntax_text test_syntax_text_bads[] = {
	{ "a\tb", 0 },
	{ "a\nb", 0 },
	{ "a\rb", 0 },
	{ "\x1b[31mred", 0 },
	{ "\x1b[31mred", 1 },
	{ "bell\a", 1 },
	{ "\x01", 1 },
	{ "del\x7f", 0 },
	{ "del\x7f", 1 },
	{ "form\ffeed", 1 },
	{ "\x1f", 0 },
};

struct test_syntax_time_good {
	const char	*s;
	int64_t		 when;
};

static const struct test_syntax_time_good test_syntax_time_goods[] = {
	{ "2026-03-03T14:05:00Z", 1772546700 },
	{ "2026-03-03T09:05:00.250-05:00", 1772546700 },
	{ "2026-03-03t14:05:00z", 1772546700 },
	{ "2026-03-03T19:35:00+05:30", 1772546700 },
	{ "2026-03-03T14:05:00-00:00", 1772546700 },
	{ "2026-03-03T14:05:00.123456789Z", 1772546700 },
	{ "2026-03-03T14:05:00.9Z", 1772546700 },
	{ "2024-02-29T12:00:00Z", 1709208000 },
	{ "2000-02-29T00:00:00Z", 951782400 },
	{ "2100-03-01T00:00:00Z", 4107542400 },
	{ "1970-01-01T00:00:00Z", 0 },
	{ "1970-01-01T05:30:00+05:30", 0 },
	{ "1972-12-31T23:59:59Z", 94694399 },
	{ "2016-12-31T23:59:60Z", 1483228800 },
	{ "2026-03-05T00:30:00+01:00", 1772667000 },
	{ "2026-12-31T23:59:59+14:00", 1798711199 },
	{ "2038-01-19T03:14:08Z", 2147483648 },
	{ "9999-12-31T23:59:59Z", 253402300799 },
};

struct test_syntax_bad {
	const char	*s;
	const char	*why;
};

static const struct test_syntax_bad test_syntax_time_bads[] = {
	{ "", "is empty" },
	{ "2026-03-03T14:05:00", NO_ZONE },
	{ "2026-03-03T14:05:00.250", NO_ZONE },
	{ "2026-03-03", FORM_TIME },
	{ "2026-03-03T", FORM_TIME },
	{ "2026-03-03 14:05:00Z", FORM_TIME },
	{ "2026-3-03T14:05:00Z", FORM_TIME },
	{ "26-03-03T14:05:00Z", FORM_TIME },
	{ "10000-03-03T14:05:00Z", FORM_TIME },
	{ "2026-03-03T14:05Z", FORM_TIME },
	{ "2026-03-03T14:05:00.Z", FORM_TIME },
	{ "2026-03-03T14:05:00,250Z", FORM_TIME },
	{ "2026-03-03T14:05:00+0500", FORM_TIME },
	{ "2026-03-03T14:05:00+05", FORM_TIME },
	{ "2026-03-03T14:05:00ZZ", FORM_TIME },
	{ "2026-03-03T14:05:00Z ", FORM_TIME },
	{ " 2026-03-03T14:05:00Z", FORM_TIME },
	{ "2026-03-03T14:05:00UTC", FORM_TIME },
	{ "2026/03/03T14:05:00Z", FORM_TIME },
	{ "0000-01-01T00:00:00Z", "year is out of range" },
	{ "1969-12-31T23:59:59Z", "year is out of range" },
	{ "2026-13-01T00:00:00Z", "month is out of range" },
	{ "2026-00-01T00:00:00Z", "month is out of range" },
	{ "2023-02-29T00:00:00Z", "day is out of range for the month" },
	{ "2024-02-30T00:00:00Z", "day is out of range for the month" },
	{ "2100-02-29T00:00:00Z", "day is out of range for the month" },
	{ "2026-04-31T00:00:00Z", "day is out of range for the month" },
	{ "2026-01-00T00:00:00Z", "day is out of range for the month" },
	{ "2026-01-32T00:00:00Z", "day is out of range for the month" },
	{ "2026-01-01T24:00:00Z", "hour is out of range" },
	{ "2026-01-01T23:60:00Z", "minute is out of range" },
	{ "2026-01-01T23:59:61Z", "second is out of range" },
	{ "2026-01-01T12:00:00+24:00", "time zone offset is out of range" },
	{ "2026-01-01T12:00:00-05:60", "time zone offset is out of range" },
	{ "1970-01-01T00:00:00+00:01", "is before 1970" },
};

struct test_syntax_date_good {
	const char	*s;
	int64_t		 when;
	int		 has_time;
};

static const struct test_syntax_date_good test_syntax_date_goods[] = {
	{ "2026-03-05", 1772668800, 0 },
	{ "2024-02-29", 1709164800, 0 },
	{ "1970-01-01", 0, 0 },
	{ "9999-12-31", 253402214400, 0 },
	{ "2026-03-03T14:05:00Z", 1772546700, 1 },
	{ "2026-03-03t09:05:00.250-05:00", 1772546700, 1 },
};

static const struct test_syntax_bad test_syntax_date_bads[] = {
	{ "", "is empty" },
	{ "2026-03-5", FORM_DATE_OR_TIME },
	{ "20260305", FORM_DATE_OR_TIME },
	{ "2026-03-05T", FORM_DATE_OR_TIME },
	{ "2026-03-05Z", FORM_DATE_OR_TIME },
	{ "2026-03-05 ", FORM_DATE_OR_TIME },
	{ "2026-03-05T10:00Z", FORM_DATE_OR_TIME },
	{ "2026-03-05T10:00:00", NO_ZONE },
	{ "1969-12-31", "year is out of range" },
	{ "2026-13-01", "month is out of range" },
	{ "2023-02-29", "day is out of range for the month" },
	{ "2026-03-05T25:00:00Z", "hour is out of range" },
};

static const char *const test_syntax_sr_goods[] = {
	"1",
	"SR-2026-000123",
	"abc",
	"-",
	A64,
};

static const struct test_syntax_bad test_syntax_sr_bads[] = {
	{ "", "is empty" },
	{ A65, "is longer than 64 characters" },
	{ "SR 1", SR_CHARS },
	{ "SR_1", SR_CHARS },
	{ "SR/1", SR_CHARS },
	{ "SR-1\n", SR_CHARS },
	{ "\xc3\xa9", SR_CHARS },
};

struct test_syntax_code {
	const char	*s;
	size_t		 max;
	const char	*why;
};

static const struct test_syntax_code test_syntax_code_goods[] = {
	{ "A", 1, NULL },
	{ "abc", 3, NULL },
	{ "div_1.x-2", 16, NULL },
	{ "WATER.MAIN", 32, NULL },
};

static const struct test_syntax_code test_syntax_code_bads[] = {
	{ "", 8, "is empty" },
	{ "abcd", 3, "is too long" },
	{ "a", 0, "is too long" },
	{ "a b", 8, CODE_CHARS },
	{ "a/b", 8, CODE_CHARS },
	{ "a:b", 8, CODE_CHARS },
	{ "\xc3\xa9", 8, CODE_CHARS },
};

static const char *const test_syntax_email_goods[] = {
	"a@b.c",
	"first.last+tag@example.co.uk",
	"x!#$%&'*+/=?^_`{|}~-@ex-ample.org",
	"USER@EXAMPLE.COM",
	"user@xn--bcher-kva.example",
	"user@123.example",
	A64 "@example.com",
	"a@" A63 ".com",
	A64 "@" A63 "." A63 "." A57 ".com",		/* 254 */
};

static const struct test_syntax_bad test_syntax_email_bads[] = {
	{ "", "is empty" },
	{ A64 "@" A63 "." A63 "." A58 ".com", "is longer than 254 characters" },
	{ "plain", "has no '@'" },
	{ "a@b@example.com", "contains more than one '@'" },
	{ "@example.com", "local part is empty" },
	{ A65 "@example.com", "local part is longer than 64 characters" },
	{ ".a@example.com", LOCAL_DOTS },
	{ "a.@example.com", LOCAL_DOTS },
	{ "a..b@example.com", LOCAL_DOTS },
	{ "a b@example.com", LOCAL_CHAR },
	{ "\"a\"@example.com", LOCAL_CHAR },
	{ "a(b)@example.com", LOCAL_CHAR },
	{ "\xc3\xa9@example.com", LOCAL_CHAR },
	{ "a@", "domain is empty" },
	{ "a@localhost", "domain must contain a '.'" },
	{ "a@example..com", "domain has an empty label" },
	{ "a@.example.com", "domain has an empty label" },
	{ "a@example.com.", "domain has an empty label" },
	{ "a@" A64 ".com", "domain has a label longer than 63 characters" },
	{ "a@-example.com", DOMAIN_HYPHEN },
	{ "a@example-.com", DOMAIN_HYPHEN },
	{ "a@example.-com", DOMAIN_HYPHEN },
	{ "a@exa_mple.com", DOMAIN_CHARS },
	{ "a@[192.0.2.1]", DOMAIN_CHARS },
	{ "a@ex ample.com", DOMAIN_CHARS },
};

static const char *const test_syntax_phone_goods[] = {
	"+14155550123",
	"+33123456789",
	"+12345678",
	"+123456789012345",
};

static const struct test_syntax_bad test_syntax_phone_bads[] = {
	{ "", "is empty" },
	{ "14155550123", "must begin with '+' and the country code" },
	{ "00331234567", "must begin with '+' and the country code" },
	{ "+1 415 555 0123", "must contain only digits after the '+'" },
	{ "+1-415-555-0123", "must contain only digits after the '+'" },
	{ "++14155550123", "must contain only digits after the '+'" },
	{ "+", "must have 8 to 15 digits" },
	{ "+1234567", "must have 8 to 15 digits" },
	{ "+1234567890123456", "must have 8 to 15 digits" },
	{ "+0123456789", "country code must not begin with 0" },
};

struct test_syntax_locale {
	const char	*s;
	size_t		 outsz;
	const char	*result;
};

static const struct test_syntax_locale test_syntax_locale_goods[] = {
	{ "en", 36, "en" },
	{ "en", 3, "en" },
	{ "fr-ca", 36, "fr-CA" },
	{ "ZH-HANS", 36, "zh-Hans" },
	{ "es-419", 36, "es-419" },
	{ "EN-us", 36, "en-US" },
	{ "zh-hant-tw", 36, "zh-Hant-TW" },
	{ "SR-LATN-RS", 36, "sr-Latn-RS" },
	{ "de-ch-1996", 36, "de-CH-1996" },
	{ "sl-ROZAJ-biske", 36, "sl-rozaj-biske" },
	{ "ca-es-VALENCIA", 36, "ca-ES-valencia" },
	{ "zh-YUE-hk", 36, "zh-yue-HK" },
	{ "yue", 36, "yue" },
	{ "en-latn", 36, "en-Latn" },
};

static const struct test_syntax_locale test_syntax_locale_bads[] = {
	{ "", 36, "is empty" },
	{ "e", 36, LANGUAGE },
	{ "english", 36, LANGUAGE },
	{ "12", 36, LANGUAGE },
	{ "e1-US", 36, LANGUAGE },
	{ "english-", 36, "has an empty subtag" },
	{ "-fr", 36, "has an empty subtag" },
	{ "fr--CA", 36, "has an empty subtag" },
	{ "fr_CA", 36, "must contain only letters, digits and '-'" },
	{ "fr CA", 36, "must contain only letters, digits and '-'" },
	{ "fr.UTF-8", 36, "must contain only letters, digits and '-'" },
	{ "en-US-Latn", 36, SUBTAG },
	{ "en-a", 36, SUBTAG },
	{ "en-u-ca-gregory", 36, SUBTAG },
	{ "en-x-private", 36, SUBTAG },
	{ "en-123456789", 36, SUBTAG },
	{ "en-12", 36, SUBTAG },
	{ "zh-Hans-yue", 36, SUBTAG },
	{ "zh-Hant-TW", 10, "is too long" },
	{ "en", 2, "is too long" },
	{ "en", 0, "is too long" },
};

static const char *const test_syntax_url_goods[] = {
	"https://example.com",
	"https://example.com/",
	"HTTPS://Example.COM/path?q=1#f",
	"https://example.com:8443/x",
	"https://localhost:65535/",
	"https://h:1",
	"https://a-b.example.org?x=1",
	"https://example.com#frag",
	"https://example.com/p@th?who=a@b",
	"https://example.com/%E2%82%AC",
	"https://192.0.2.1/",
	"https://[2001:db8::1]/x",
	"https://[2001:db8::1]:443",
	"https://[::ffff:192.0.2.1]",
};

static const struct test_syntax_bad test_syntax_url_bads[] = {
	{ "", "is empty" },
	{ "http://example.com", "is not an https URL" },
	{ "ftp://example.com", "is not an https URL" },
	{ "https:/example.com", "is not an https URL" },
	{ "example.com", "is not an https URL" },
	{ "javascript:alert(1)", "is not an https URL" },
	{ "https://", "has no host" },
	{ "https:///path", "has no host" },
	{ "https://:443/", "has no host" },
	{ "https://user@example.com", "must not contain user information" },
	{ "https://u:pw@example.com/", "must not contain user information" },
	{ "https://@example.com", "must not contain user information" },
	{ "https://exa mple.com", CONTROL },
	{ " https://example.com", CONTROL },
	{ "https://example.com/a\tb", CONTROL },
	{ "https://example.com/\n", CONTROL },
	{ "https://example.com/\x7f", CONTROL },
	{ "https://exa_mple.com", HOST_CHARS },
	{ "https://ex%41mple.com", HOST_CHARS },
	{ "https://example.com\\@evil", "must not contain user information" },
	{ "https://example.com\\x", HOST_CHARS },
	{ "https://ex\xc3\xa4mple.com", HOST_CHARS },
	{ "https://example.com:0", BAD_PORT },
	{ "https://example.com:65536/", BAD_PORT },
	{ "https://example.com:123456", BAD_PORT },
	{ "https://example.com:/", BAD_PORT },
	{ "https://example.com:443a", BAD_PORT },
	{ "https://example.com:-1", BAD_PORT },
	{ "https://example.com:80:80", BAD_PORT },
	{ "https://[::1", "has an invalid IPv6 address" },
	{ "https://[]/", "has an invalid IPv6 address" },
	{ "https://[2001:db8::g]/", "has an invalid IPv6 address" },
	{ "https://[::1]x/", "has an invalid IPv6 address" },
	{ "https://[example.com]/", "has an invalid IPv6 address" },
	{ "https://[::1]:0/", BAD_PORT },
};

/* Check that every good UTF-8 value passes and has the right length. */
static void
test_syntax_utf8_good(void **state)
{
	const struct test_syntax_utf8_good	*t;
	const char				*why;
	size_t					 i, bad;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_utf8_goods); i++) {
		t = &test_syntax_utf8_goods[i];
		why = NULL;
		if (syntax_utf8(t->s, t->len, &bad, &why) != 0)
			fail_msg("utf8 row %zu rejected: %s", i, why);
		assert_int_equal(syntax_utf8_chars(t->s, t->len), t->chars);
	}
}

/* Check that every bad UTF-8 value fails at the right offset. */
static void
test_syntax_utf8_bad(void **state)
{
	const struct test_syntax_utf8_bad	*t;
	const char				*why;
	size_t					 i, bad;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_utf8_bads); i++) {
		t = &test_syntax_utf8_bads[i];
		why = NULL;
		bad = (size_t)-1;
		if (syntax_utf8(t->s, t->len, &bad, &why) != -1)
			fail_msg("utf8 row %zu accepted", i);
		assert_non_null(why);
		assert_string_equal(why, t->why);
		assert_int_equal(bad, t->bad);
	}
}

/* Check that every good text value passes. */
static void
test_syntax_text_good(void **state)
{
	const struct test_syntax_text	*t;
	const char			*why;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_text_goods); i++) {
		t = &test_syntax_text_goods[i];
		why = NULL;
		if (syntax_text(t->s, t->multiline, &why) != 0)
			fail_msg("text row %zu rejected: %s", i, why);
	}
}

/* Check that every bad text value fails with the control phrase. */
static void
test_syntax_text_bad(void **state)
{
	const struct test_syntax_text	*t;
	const char			*why;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_text_bads); i++) {
		t = &test_syntax_text_bads[i];
		why = NULL;
		if (syntax_text(t->s, t->multiline, &why) != -1)
			fail_msg("text row %zu accepted", i);
		assert_non_null(why);
		assert_string_equal(why, "contains a control character");
	}
}

/* Check that every good date-time gives the right epoch second. */
static void
test_syntax_time_good(void **state)
{
	const struct test_syntax_time_good	*t;
	const char				*why;
	int64_t					 when;
	size_t					 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_time_goods); i++) {
		t = &test_syntax_time_goods[i];
		why = NULL;
		when = -1;
		if (syntax_time(t->s, &when, &why) != 0)
			fail_msg("\"%s\" rejected: %s", t->s, why);
		if (when != t->when)
			fail_msg("\"%s\" gave %lld, want %lld", t->s,
			    (long long)when, (long long)t->when);
	}
}

/* Check that every bad date-time fails with its phrase. */
static void
test_syntax_time_bad(void **state)
{
	const struct test_syntax_bad	*t;
	const char			*why;
	int64_t				 when;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_time_bads); i++) {
		t = &test_syntax_time_bads[i];
		why = NULL;
		when = -1;
		if (syntax_time(t->s, &when, &why) != -1)
			fail_msg("\"%s\" accepted", t->s);
		assert_non_null(why);
		assert_string_equal(why, t->why);
		assert_int_equal(when, -1);
	}
}

/* Check that every good date or date-time gives the right epoch second. */
static void
test_syntax_date_or_time_good(void **state)
{
	const struct test_syntax_date_good	*t;
	const char				*why;
	int64_t					 when;
	int					 has_time;
	size_t					 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_date_goods); i++) {
		t = &test_syntax_date_goods[i];
		why = NULL;
		when = -1;
		has_time = -1;
		if (syntax_date_or_time(t->s, &when, &has_time, &why) != 0)
			fail_msg("\"%s\" rejected: %s", t->s, why);
		if (when != t->when)
			fail_msg("\"%s\" gave %lld, want %lld", t->s,
			    (long long)when, (long long)t->when);
		assert_int_equal(has_time, t->has_time);
	}
}

/* Check that every bad date or date-time fails with its phrase. */
static void
test_syntax_date_or_time_bad(void **state)
{
	const struct test_syntax_bad	*t;
	const char			*why;
	int64_t				 when;
	int				 has_time;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_date_bads); i++) {
		t = &test_syntax_date_bads[i];
		why = NULL;
		when = -1;
		has_time = -1;
		if (syntax_date_or_time(t->s, &when, &has_time, &why) != -1)
			fail_msg("\"%s\" accepted", t->s);
		assert_non_null(why);
		assert_string_equal(why, t->why);
		assert_int_equal(when, -1);
		assert_int_equal(has_time, -1);
	}
}

/* Check that every good SR number passes. */
static void
test_syntax_sr_good(void **state)
{
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_sr_goods); i++) {
		why = NULL;
		if (syntax_sr(test_syntax_sr_goods[i], &why) != 0)
			fail_msg("\"%s\" rejected: %s", test_syntax_sr_goods[i],
			    why);
	}
}

/* Check that every bad SR number fails with its phrase. */
static void
test_syntax_sr_bad(void **state)
{
	const struct test_syntax_bad	*t;
	const char			*why;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_sr_bads); i++) {
		t = &test_syntax_sr_bads[i];
		why = NULL;
		if (syntax_sr(t->s, &why) != -1)
			fail_msg("\"%s\" accepted", t->s);
		assert_non_null(why);
		assert_string_equal(why, t->why);
	}
}

/* Check that every good code passes within its maximum. */
static void
test_syntax_code_good(void **state)
{
	const struct test_syntax_code	*t;
	const char			*why;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_code_goods); i++) {
		t = &test_syntax_code_goods[i];
		why = NULL;
		if (syntax_code(t->s, t->max, &why) != 0)
			fail_msg("\"%s\" rejected: %s", t->s, why);
	}
}

/* Check that every bad code fails with its phrase. */
static void
test_syntax_code_bad(void **state)
{
	const struct test_syntax_code	*t;
	const char			*why;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_code_bads); i++) {
		t = &test_syntax_code_bads[i];
		why = NULL;
		if (syntax_code(t->s, t->max, &why) != -1)
			fail_msg("\"%s\" accepted", t->s);
		assert_non_null(why);
		assert_string_equal(why, t->why);
	}
}

/* Check that every good email address passes. */
static void
test_syntax_email_good(void **state)
{
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_email_goods); i++) {
		why = NULL;
		if (syntax_email(test_syntax_email_goods[i], &why) != 0)
			fail_msg("\"%s\" rejected: %s",
			    test_syntax_email_goods[i], why);
	}
}

/* Check that every bad email address fails with its phrase. */
static void
test_syntax_email_bad(void **state)
{
	const struct test_syntax_bad	*t;
	const char			*why;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_email_bads); i++) {
		t = &test_syntax_email_bads[i];
		why = NULL;
		if (syntax_email(t->s, &why) != -1)
			fail_msg("\"%s\" accepted", t->s);
		assert_non_null(why);
		assert_string_equal(why, t->why);
	}
}

/* Check that every good phone number passes. */
static void
test_syntax_phone_good(void **state)
{
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_phone_goods); i++) {
		why = NULL;
		if (syntax_phone(test_syntax_phone_goods[i], &why) != 0)
			fail_msg("\"%s\" rejected: %s",
			    test_syntax_phone_goods[i], why);
	}
}

/* Check that every bad phone number fails with its phrase. */
static void
test_syntax_phone_bad(void **state)
{
	const struct test_syntax_bad	*t;
	const char			*why;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_phone_bads); i++) {
		t = &test_syntax_phone_bads[i];
		why = NULL;
		if (syntax_phone(t->s, &why) != -1)
			fail_msg("\"%s\" accepted", t->s);
		assert_non_null(why);
		assert_string_equal(why, t->why);
	}
}

/* Check that every good language tag passes and comes out canonical. */
static void
test_syntax_locale_good(void **state)
{
	const struct test_syntax_locale	*t;
	const char			*why;
	char				 out[36];
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_locale_goods); i++) {
		t = &test_syntax_locale_goods[i];
		why = NULL;
		memset(out, 'X', sizeof out);
		if (syntax_locale(t->s, out, t->outsz, &why) != 0)
			fail_msg("\"%s\" rejected: %s", t->s, why);
		assert_string_equal(out, t->result);
	}
}

/* Check that every bad language tag fails and leaves out empty. */
static void
test_syntax_locale_bad(void **state)
{
	const struct test_syntax_locale	*t;
	const char			*why;
	char				 out[36];
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_locale_bads); i++) {
		t = &test_syntax_locale_bads[i];
		why = NULL;
		memset(out, 'X', sizeof out);
		if (syntax_locale(t->s, out, t->outsz, &why) != -1)
			fail_msg("\"%s\" accepted", t->s);
		assert_non_null(why);
		assert_string_equal(why, t->result);
		assert_int_equal(out[0], t->outsz > 0 ? '\0' : 'X');
	}
}

/* Check that every good https URL passes. */
static void
test_syntax_https_url_good(void **state)
{
	const char	*why;
	size_t		 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_url_goods); i++) {
		why = NULL;
		if (syntax_https_url(test_syntax_url_goods[i], &why) != 0)
			fail_msg("\"%s\" rejected: %s",
			    test_syntax_url_goods[i], why);
	}
}

/* Check that every bad https URL fails with its phrase. */
static void
test_syntax_https_url_bad(void **state)
{
	const struct test_syntax_bad	*t;
	const char			*why;
	size_t				 i;

	(void)state;
	for (i = 0; i < NITEMS(test_syntax_url_bads); i++) {
		t = &test_syntax_url_bads[i];
		why = NULL;
		if (syntax_https_url(t->s, &why) != -1)
			fail_msg("\"%s\" accepted", t->s);
		assert_non_null(why);
		assert_string_equal(why, t->why);
	}
}

/* Check the 2048-byte limit on URLs at and just past the edge. */
static void
test_syntax_https_url_length(void **state)
{
	static const char	 prefix[] = "https://example.com/";
	char			 url[2050];
	const char		*why;

	(void)state;
	memcpy(url, prefix, sizeof prefix - 1);
	memset(url + sizeof prefix - 1, 'p', 2048 - (sizeof prefix - 1));
	url[2048] = '\0';
	why = NULL;
	if (syntax_https_url(url, &why) != 0)
		fail_msg("2048-byte URL rejected: %s", why);

	url[2048] = 'p';
	url[2049] = '\0';
	why = NULL;
	assert_int_equal(syntax_https_url(url, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, "is longer than 2048 bytes");
}

/* Run the tests. */
/* A photo link is https on one of the listed hosts, any case or port. */
static void
test_syntax_https_host(void **state)
{
	char	*hosts[] = { "photos.example.org", "cdn.city.ca" };

	(void)state;
	assert_true(syntax_https_host("https://photos.example.org/a.jpg",
	    hosts, 2));
	assert_true(syntax_https_host("HTTPS://CDN.City.CA:8443/x", hosts, 2));
	assert_true(syntax_https_host("https://cdn.city.ca?x=1", hosts, 2));
	assert_false(syntax_https_host("http://photos.example.org/a.jpg",
	    hosts, 2));
	assert_false(syntax_https_host("https://photos.example.org.evil.net/",
	    hosts, 2));
	assert_false(syntax_https_host("https://example.org/a.jpg", hosts, 2));
	assert_false(syntax_https_host("https://cdn.city.ca/", hosts, 0));
	assert_false(syntax_https_host("https://", hosts, 2));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_syntax_utf8_good),
		cmocka_unit_test(test_syntax_utf8_bad),
		cmocka_unit_test(test_syntax_text_good),
		cmocka_unit_test(test_syntax_text_bad),
		cmocka_unit_test(test_syntax_time_good),
		cmocka_unit_test(test_syntax_time_bad),
		cmocka_unit_test(test_syntax_date_or_time_good),
		cmocka_unit_test(test_syntax_date_or_time_bad),
		cmocka_unit_test(test_syntax_sr_good),
		cmocka_unit_test(test_syntax_sr_bad),
		cmocka_unit_test(test_syntax_code_good),
		cmocka_unit_test(test_syntax_code_bad),
		cmocka_unit_test(test_syntax_email_good),
		cmocka_unit_test(test_syntax_email_bad),
		cmocka_unit_test(test_syntax_phone_good),
		cmocka_unit_test(test_syntax_phone_bad),
		cmocka_unit_test(test_syntax_locale_good),
		cmocka_unit_test(test_syntax_locale_bad),
		cmocka_unit_test(test_syntax_https_url_good),
		cmocka_unit_test(test_syntax_https_url_bad),
		cmocka_unit_test(test_syntax_https_url_length),
		cmocka_unit_test(test_syntax_https_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
