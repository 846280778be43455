/*
 * syntax.c - syntactic checks for the values in an event
 *
 * These checks look only at the form of a value, never at what it means.
 * Each returns 0, or -1 with a static phrase in *why. Character classes are
 * tested with small ASCII helpers rather than <ctype.h>, so that the result
 * never depends on the locale or on bytes above 0x7f.
 */
#include "build.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "syntax.h"

/* Set *why to a phrase and return -1, so that a check fails in one line. */
static int
syntax_fail(const char **why, const char *phrase)
{
	if (why != NULL)
		*why = phrase;
	return -1;
}

/* Tell whether c is an ASCII digit. */
static int
syntax_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Tell whether c is an ASCII letter. */
static int
syntax_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Tell whether c is an ASCII letter or digit, or one of the bytes in extra. */
static int
syntax_is_word(int c, const char *extra)
{
	if (syntax_is_alpha(c) || syntax_is_digit(c))
		return 1;
	return c != '\0' && strchr(extra, c) != NULL;
}

/* Map an ASCII letter to lower case, leaving other bytes alone. */
static char
syntax_to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Map an ASCII letter to upper case, leaving other bytes alone. */
static char
syntax_to_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}

/* Return the length of the valid UTF-8 character at s, or 0. */
size_t
syntax_utf8_seq(const char *s, size_t left)
{
	static const uint32_t	 least[4] = { 0, 0x80, 0x800, 0x10000 };
	const unsigned char	*u = (const unsigned char *)s;
	uint32_t		 cp;
	size_t			 n, k;

	if (left == 0)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc0 && u[0] <= 0xdf)
		n = 2;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3;
	else if (u[0] >= 0xf0 && u[0] <= 0xf7)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	cp = u[0] & (0x7f >> n);
	for (k = 1; k < n; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (u[k] & 0x3f);
	}
	if (cp < least[n - 1] || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Check that s[0..len) is valid UTF-8 with no NUL byte. */
int
syntax_utf8(const char *s, size_t len, size_t *bad, const char **why)
{
	size_t	i, n;

	for (i = 0; i < len; i += n) {
		if (s[i] == '\0') {
			*bad = i;
			return syntax_fail(why, "contains a NUL byte");
		}
		if ((n = syntax_utf8_seq(s + i, len - i)) == 0)
			goto invalid;
	}
	return 0;

invalid:
	*bad = i;
	return syntax_fail(why, "is not valid UTF-8");
}

/* Count the code points in valid UTF-8: every byte but continuations. */
size_t
syntax_utf8_chars(const char *s, size_t len)
{
	size_t	i, count = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	}
	return count;
}

/* Check a free-text value for control characters. */
int
syntax_text(const char *s, int multiline, const char **why)
{
	const unsigned char	*u;

	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (multiline && (*u == '\n' || *u == '\r' || *u == '\t'))
			continue;
		if (*u < 0x20 || *u == 0x7f)
			return syntax_fail(why, "contains a control character");
	}
	return 0;
}

/* Tell whether s begins with pattern, in which '9' stands for any digit. */
static int
syntax_match(const char *s, const char *pattern)
{
	for (; *pattern != '\0'; s++, pattern++) {
		if (*pattern == '9' ? !syntax_is_digit((unsigned char)*s) :
		    *s != *pattern)
			return 0;
	}
	return 1;
}

/* Read n digits already known to be there as a number. */
static int
syntax_number(const char *s, size_t n)
{
	int	v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

/* Tell whether a year of the Gregorian calendar is a leap year. */
static int
syntax_is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Count the days from 1970-01-01 to a valid date in 1970 or later. */
static int64_t
syntax_days_since_epoch(int year, int month, int day)
{
	static const int	before[12] = {
		0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
	};
	int64_t			days, y = year - 1;

	/* Whole years, then a day for each leap year from 1970 to y. */
	days = (int64_t)(year - 1970) * 365;
	days += y / 4 - y / 100 + y / 400;
	days -= 1969 / 4 - 1969 / 100 + 1969 / 400;
	days += before[month - 1];
	if (month > 2 && syntax_is_leap(year))
		days++;
	return days + day - 1;
}

/* Parse a date-time, or a full-date if date_ok, into epoch seconds. */
static int
syntax_parse_when(const char *s, int date_ok, int64_t *when, int *has_time,
    const char **why)
{
	static const int	 length[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	const char		*form, *p;
	int			 year, month, day, last, sign = 0;
	int			 hour = 0, min = 0, sec = 0, oh = 0, om = 0;
	int64_t			 t;

	if (date_ok)
		form = "is not a date (such as 2026-03-05) or an RFC 3339 "
		    "date-time";
	else
		form = "is not an RFC 3339 date-time (such as "
		    "2026-03-03T14:05:00Z)";
	if (*s == '\0')
		return syntax_fail(why, "is empty");
	if (!syntax_match(s, "9999-99-99"))
		return syntax_fail(why, form);
	year = syntax_number(s, 4);
	month = syntax_number(s + 5, 2);
	day = syntax_number(s + 8, 2);
	*has_time = (s[10] != '\0' || !date_ok);
	if (*has_time) {
		if ((s[10] != 'T' && s[10] != 't') ||
		    !syntax_match(s + 11, "99:99:99"))
			return syntax_fail(why, form);
		hour = syntax_number(s + 11, 2);
		min = syntax_number(s + 14, 2);
		sec = syntax_number(s + 17, 2);
		p = s + 19;
		if (*p == '.') {
			if (!syntax_is_digit((unsigned char)*++p))
				return syntax_fail(why, form);
			while (syntax_is_digit((unsigned char)*p))
				p++;
		}
		if (*p == '\0')
			return syntax_fail(why, "has no time zone (add Z or "
			    "an offset such as -05:00)");
		if ((*p == '+' || *p == '-') && syntax_match(p + 1, "99:99")) {
			sign = (*p == '-') ? -1 : 1;
			oh = syntax_number(p + 1, 2);
			om = syntax_number(p + 4, 2);
			p += 6;
		} else if (*p == 'Z' || *p == 'z')
			p++;
		if (*p != '\0')
			return syntax_fail(why, form);
	}

	if (year < 1970)
		return syntax_fail(why, "year is out of range");
	if (month < 1 || month > 12)
		return syntax_fail(why, "month is out of range");
	last = length[month - 1];
	if (month == 2 && syntax_is_leap(year))
		last = 29;
	if (day < 1 || day > last)
		return syntax_fail(why, "day is out of range for the month");
	if (hour > 23)
		return syntax_fail(why, "hour is out of range");
	if (min > 59)
		return syntax_fail(why, "minute is out of range");
	if (sec > 60)
		return syntax_fail(why, "second is out of range");
	if (oh > 23 || om > 59)
		return syntax_fail(why, "time zone offset is out of range");
	t = syntax_days_since_epoch(year, month, day) * 86400;
	t += hour * 3600 + min * 60 + sec - sign * (oh * 3600 + om * 60);
	if (t < 0)
		return syntax_fail(why, "is before 1970");
	*when = t;
	return 0;
}

/* Parse an RFC 3339 date-time into seconds since the epoch. */
int
syntax_time(const char *s, int64_t *when, const char **why)
{
	int	has_time;

	return syntax_parse_when(s, 0, when, &has_time, why);
}

/* Parse an RFC 3339 full-date or date-time into seconds since the epoch. */
int
syntax_date_or_time(const char *s, int64_t *when, int *has_time,
    const char **why)
{
	int	t;

	if (syntax_parse_when(s, 1, when, &t, why) != 0)
		return -1;
	*has_time = t;
	return 0;
}

/* Check a value of 1 to max letters, digits and bytes from extra. */
static int
syntax_word(const char *s, size_t max, const char *extra, const char *chars,
    const char *too_long, const char **why)
{
	size_t	i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!syntax_is_word((unsigned char)s[i], extra))
			return syntax_fail(why, chars);
	}
	if (i == 0)
		return syntax_fail(why, "is empty");
	if (i > max)
		return syntax_fail(why, too_long);
	return 0;
}

/* Check an SR number. */
int
syntax_sr(const char *s, const char **why)
{
	return syntax_word(s, 64, "-",
	    "must contain only letters, digits and '-'",
	    "is longer than 64 characters", why);
}

/* Check a code of 1 to max letters, digits, '_', '.' and '-'. */
int
syntax_code(const char *s, size_t max, const char **why)
{
	return syntax_word(s, max, "_.-",
	    "must contain only letters, digits, '_', '.' and '-'",
	    "is too long", why);
}

/* Check the domain of an email address: LDH labels with at least one dot. */
static int
syntax_email_domain(const char *d, const char **why)
{
	size_t	i, label = 0;

	if (*d == '\0')
		return syntax_fail(why, "domain is empty");
	if (strchr(d, '.') == NULL)
		return syntax_fail(why, "domain must contain a '.'");
	for (i = 0; ; i++) {
		if (d[i] != '.' && d[i] != '\0') {
			if (!syntax_is_word((unsigned char)d[i], "-"))
				return syntax_fail(why, "domain must contain "
				    "only letters, digits, '-' and '.'");
			label++;
			continue;
		}
		if (label == 0)
			return syntax_fail(why, "domain has an empty label");
		if (label > 63)
			return syntax_fail(why, "domain has a label longer "
			    "than 63 characters");
		if (d[i - 1] == '-' || d[i - label] == '-')
			return syntax_fail(why, "domain has a label that "
			    "begins or ends with '-'");
		if (d[i] == '\0')
			return 0;
		label = 0;
	}
}

/* Check an email address: dot-atom local part, '@', domain. */
int
syntax_email(const char *s, const char **why)
{
	const char	*at, *p;

	if (*s == '\0')
		return syntax_fail(why, "is empty");
	if (strlen(s) > 254)
		return syntax_fail(why, "is longer than 254 characters");
	if ((at = strchr(s, '@')) == NULL)
		return syntax_fail(why, "has no '@'");
	if (strchr(at + 1, '@') != NULL)
		return syntax_fail(why, "contains more than one '@'");
	if (at == s)
		return syntax_fail(why, "local part is empty");
	if (at - s > 64)
		return syntax_fail(why,
		    "local part is longer than 64 characters");
	for (p = s; p < at; p++) {
		if (*p == '.' && (p == s || p + 1 == at || p[1] == '.'))
			return syntax_fail(why, "local part must not begin "
			    "or end with '.' or contain '..'");
		if (!syntax_is_word((unsigned char)*p, ".!#$%&'*+-/=?^_`{|}~"))
			return syntax_fail(why, "local part contains a "
			    "character that is not allowed");
	}
	return syntax_email_domain(at + 1, why);
}

/* Check an E.164 phone number. */
int
syntax_phone(const char *s, const char **why)
{
	size_t	i;

	if (*s == '\0')
		return syntax_fail(why, "is empty");
	if (*s != '+')
		return syntax_fail(why,
		    "must begin with '+' and the country code");
	for (i = 1; s[i] != '\0'; i++) {
		if (!syntax_is_digit((unsigned char)s[i]))
			return syntax_fail(why,
			    "must contain only digits after the '+'");
	}
	if (i - 1 < 8 || i - 1 > 15)
		return syntax_fail(why, "must have 8 to 15 digits");
	if (s[1] == '0')
		return syntax_fail(why, "country code must not begin with 0");
	return 0;
}

/*
 * Check the subtags after the language, in which stage is the earliest kind
 * still allowed: 1 extlang, 2 script, 3 region, 4 variant.
 */
static int
syntax_locale_subtags(const char *p, const char **why)
{
	size_t	n, i;
	int	stage = 1, extlangs = 0, alpha, digit;

	while (*p == '-') {
		n = strcspn(++p, "-");
		alpha = digit = 1;
		for (i = 0; i < n; i++) {
			alpha = alpha && syntax_is_alpha((unsigned char)p[i]);
			digit = digit && syntax_is_digit((unsigned char)p[i]);
		}
		if (stage <= 1 && n == 3 && alpha && extlangs < 3)
			extlangs++;
		else if (stage <= 2 && n == 4 && alpha)
			stage = 3;
		else if (stage <= 3 && ((n == 2 && alpha) || (n == 3 && digit)))
			stage = 4;
		else if ((n >= 5 && n <= 8) ||
		    (n == 4 && syntax_is_digit((unsigned char)p[0])))
			stage = 4;
		else
			return syntax_fail(why,
			    "has a misplaced or malformed subtag");
		p += n;
	}
	return 0;
}

/* Check a BCP 47 language tag and write it in canonical case. */
int
syntax_locale(const char *s, char *out, size_t outsz, const char **why)
{
	size_t	len, i, start, n;

	if (outsz > 0)
		out[0] = '\0';
	if ((len = strlen(s)) == 0)
		return syntax_fail(why, "is empty");
	for (i = 0; i < len; i++) {
		if (!syntax_is_word((unsigned char)s[i], "-"))
			return syntax_fail(why,
			    "must contain only letters, digits and '-'");
		if (s[i] == '-' && (i == 0 || i == len - 1 || s[i + 1] == '-'))
			return syntax_fail(why, "has an empty subtag");
	}
	n = strcspn(s, "-");
	for (i = 0; i < n && syntax_is_alpha((unsigned char)s[i]); i++)
		/* nothing */;
	if (i != n || n < 2 || n > 3)
		return syntax_fail(why, "language must be 2 or 3 letters");
	if (syntax_locale_subtags(s + n, why) != 0)
		return -1;
	if (len >= outsz)
		return syntax_fail(why, "is too long");

	/* Scripts are title case, regions upper case, the rest lower case. */
	for (start = 0; start < len; start += n + 1) {
		n = strcspn(s + start, "-");
		for (i = start; i < start + n; i++) {
			if (start > 0 && (n == 2 || (n == 4 && i == start &&
			    syntax_is_alpha((unsigned char)s[i]))))
				out[i] = syntax_to_upper(s[i]);
			else
				out[i] = syntax_to_lower(s[i]);
		}
		out[start + n] = s[start + n];
	}
	return 0;
}

/* Check the host and optional port of an https URL, which end at end. */
static int
syntax_url_host(const char *p, const char *end, const char **why)
{
	const char	*q;
	long		 port = 0;

	if (*p == '[') {
		/* The set holds no byte that ends the authority. */
		q = p + 1 + strspn(p + 1, "0123456789abcdefABCDEF:.");
		if (q == end || *q != ']' ||
		    memchr(p + 1, ':', q - p - 1) == NULL ||
		    (q + 1 != end && q[1] != ':'))
			return syntax_fail(why, "has an invalid IPv6 address");
		p = q + 1;
	} else {
		for (q = p; q < end && *q != ':'; q++) {
			if (!syntax_is_word((unsigned char)*q, "-."))
				return syntax_fail(why, "host must contain "
				    "only letters, digits, '-' and '.'");
		}
		if (q == p)
			return syntax_fail(why, "has no host");
		p = q;
	}
	if (p == end)
		return 0;
	for (q = p + 1; q < end && q - p <= 5; q++) {
		if (!syntax_is_digit(*q))
			break;
		port = port * 10 + (*q - '0');
	}
	if (q != end || q == p + 1 || port < 1 || port > 65535)
		return syntax_fail(why,
		    "port must be a number from 1 to 65535");
	return 0;
}

/* Check an https URL. */
int
syntax_https_url(const char *s, const char **why)
{
	static const char	 scheme[] = "https://";
	const unsigned char	*u;
	const char		*host, *end;
	size_t			 i;

	if (*s == '\0')
		return syntax_fail(why, "is empty");
	if (strlen(s) > 2048)
		return syntax_fail(why, "is longer than 2048 bytes");
	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if (*u <= 0x20 || *u == 0x7f)
			return syntax_fail(why,
			    "contains whitespace or a control character");
	}
	for (i = 0; i < sizeof scheme - 1; i++) {
		if (syntax_to_lower(s[i]) != scheme[i])
			return syntax_fail(why, "is not an https URL");
	}
	host = s + sizeof scheme - 1;
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', end - host) != NULL)
		return syntax_fail(why, "must not contain user information");
	return syntax_url_host(host, end, why);
}

/* Return 1 if url is https on one of the n hosts. */
int
syntax_https_host(const char *url, char *const *hosts, size_t n)
{
	const char	*host;
	size_t		 len, i;

	if (strncasecmp(url, "https://", 8) != 0)
		return 0;
	host = url + 8;
	len = strcspn(host, "/:?#");
	for (i = 0; i < n; i++) {
		if (strlen(hosts[i]) == len &&
		    strncasecmp(hosts[i], host, len) == 0)
			return 1;
	}
	return 0;
}
