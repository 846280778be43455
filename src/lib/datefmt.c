/*
 * datefmt.c - dates and times in a resident's language, through ICU
 *
 * A date is formatted by an ICU date format for the locale, time zone and
 * style, into UTF-16, then converted to UTF-8. Opening a format costs far
 * more than using it, so each thread keeps its last few formats open
 * (datecache.c).
 *
 * Two of ICU's habits are kept out of the results. A locale ICU has no
 * data for is quietly formatted with the process's default locale (from
 * LANG): here such a locale is detected by opening its resource bundle,
 * which reports U_USING_DEFAULT_WARNING, and DATEFMT_FALLBACK is used
 * instead. An unknown time zone is quietly taken as GMT ("Etc/Unknown"):
 * here the zone is checked first and refused. ICU also pins instants far
 * outside its range to its last date, so those are refused too.
 *
 * UTF-8 and UTF-16 conversions are preflighted for their length, and every
 * ICU call's status is checked; the static helpers follow ICU's convention
 * of doing nothing when the status passed in is already a failure.
 */
#include "build.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/unum.h>
#include <unicode/uloc.h>
#include <unicode/ures.h>
#include <unicode/ustring.h>
#include <unicode/utypes.h>

#include "datecache.h"
#include "datefmt.h"
#include "xmalloc.h"

/* UTF-16 units a formatted date is first given room for. */
#define DATEFMT_TEXT_GUESS	128

/* Longest time zone name considered; IANA's longest is about 32. */
#define DATEFMT_TZ_MAX		128

/* Longest piece of a bad value quoted in a cause. */
#define DATEFMT_QUOTE_MAX	64

/* Set *cause, if cause is not NULL, to a formatted message. */
static void __attribute__((format(printf, 2, 3)))
datefmt_error(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Copy a value for a cause: printable ASCII only, cut to a sane length. */
static char *
datefmt_quote(const char *s)
{
	size_t	 len, i;
	char	*out;

	len = strnlen(s, DATEFMT_QUOTE_MAX + 1);
	if (len > DATEFMT_QUOTE_MAX) {
		out = xmalloc(DATEFMT_QUOTE_MAX + 4);
		memcpy(out + DATEFMT_QUOTE_MAX, "...", 4);
		len = DATEFMT_QUOTE_MAX;
	} else {
		out = xmalloc(len + 1);
		out[len] = '\0';
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			out[i] = '?';
		else
			out[i] = s[i];
	}
	return out;
}

/* Convert NUL-terminated UTF-8 to allocated, NUL-terminated UTF-16. */
static UChar *
datefmt_to_utf16(const char *s, UErrorCode *status)
{
	UChar	*out;
	int32_t	 len = 0;

	if (U_FAILURE(*status))
		return NULL;
	u_strFromUTF8(NULL, 0, &len, s, -1, status);
	if (*status != U_BUFFER_OVERFLOW_ERROR &&
	    *status != U_STRING_NOT_TERMINATED_WARNING && U_FAILURE(*status))
		return NULL;
	*status = U_ZERO_ERROR;
	out = xreallocarray(NULL, (size_t)len + 1, sizeof *out);
	u_strFromUTF8(out, len + 1, NULL, s, -1, status);
	if (U_FAILURE(*status) || *status == U_STRING_NOT_TERMINATED_WARNING) {
		if (U_SUCCESS(*status))
			*status = U_INTERNAL_PROGRAM_ERROR;
		free(out);
		return NULL;
	}
	return out;
}

/* Convert len UTF-16 units to an allocated, NUL-terminated UTF-8 string. */
static char *
datefmt_to_utf8(const UChar *s, int32_t len, UErrorCode *status)
{
	char	*out;
	int32_t	 n = 0;

	if (U_FAILURE(*status))
		return NULL;
	u_strToUTF8(NULL, 0, &n, s, len, status);
	if (*status != U_BUFFER_OVERFLOW_ERROR &&
	    *status != U_STRING_NOT_TERMINATED_WARNING && U_FAILURE(*status))
		return NULL;
	*status = U_ZERO_ERROR;
	out = xmalloc((size_t)n + 1);
	u_strToUTF8(out, n + 1, NULL, s, len, status);
	if (U_FAILURE(*status) || *status == U_STRING_NOT_TERMINATED_WARNING) {
		if (U_SUCCESS(*status))
			*status = U_INTERNAL_PROGRAM_ERROR;
		free(out);
		return NULL;
	}
	return out;
}

/* Format an instant (ms) into allocated UTF-16, setting *len. */
static UChar *
datefmt_format_utf16(const UDateFormat *df, UDate at, int32_t *len,
    UErrorCode *status)
{
	UChar	*out;
	int32_t	 n;

	if (U_FAILURE(*status))
		return NULL;
	out = xreallocarray(NULL, DATEFMT_TEXT_GUESS, sizeof *out);
	n = udat_format(df, at, out, DATEFMT_TEXT_GUESS, NULL, status);
	if (U_SUCCESS(*status) && *status != U_STRING_NOT_TERMINATED_WARNING) {
		*len = n;
		return out;
	}
	if (*status != U_BUFFER_OVERFLOW_ERROR &&
	    *status != U_STRING_NOT_TERMINATED_WARNING) {
		free(out);
		return NULL;
	}
	*status = U_ZERO_ERROR;
	out = xreallocarray(out, (size_t)n + 1, sizeof *out);
	*len = udat_format(df, at, out, n + 1, NULL, status);
	if (U_FAILURE(*status) || *status == U_STRING_NOT_TERMINATED_WARNING ||
	    *len != n) {
		if (U_SUCCESS(*status))
			*status = U_INTERNAL_PROGRAM_ERROR;
		free(out);
		return NULL;
	}
	return out;
}

/* Return 1 if ICU has locale data of its own for an ICU locale id. */
static int
datefmt_has_data(const char *id)
{
	UResourceBundle	*rb;
	UErrorCode	 status = U_ZERO_ERROR;
	char		 lang[ULOC_LANG_CAPACITY];

	uloc_getLanguage(id, lang, sizeof lang, &status);
	if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING ||
	    *lang == '\0')
		return 0;
	rb = ures_open(NULL, id, &status);
	if (rb != NULL)
		ures_close(rb);
	return U_SUCCESS(status) && status != U_USING_DEFAULT_WARNING;
}

/*
 * Turn a BCP 47 tag into an ICU locale id with data of its own, falling
 * back to the tag's language and then to DATEFMT_FALLBACK.
 */
static int
datefmt_locale(const char *tag, char *id, size_t idsz, char **cause)
{
	UErrorCode	 status = U_ZERO_ERROR;
	int32_t		 parsed = 0;
	char		 lang[ULOC_LANG_CAPACITY], *q;

	if (tag == NULL || *tag == '\0') {
		datefmt_error(cause, "no locale");
		return -1;
	}
	uloc_forLanguageTag(tag, id, (int32_t)idsz, &parsed, &status);
	if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING ||
	    parsed < 0 || (size_t)parsed != strlen(tag)) {
		q = datefmt_quote(tag);
		datefmt_error(cause, "locale \"%s\": not a BCP 47 language tag",
		    q);
		free(q);
		return -1;
	}
	if (datefmt_has_data(id))
		return 0;

	status = U_ZERO_ERROR;
	uloc_getLanguage(id, lang, sizeof lang, &status);
	if (U_SUCCESS(status) && status != U_STRING_NOT_TERMINATED_WARNING &&
	    strlen(lang) < idsz && datefmt_has_data(lang)) {
		memcpy(id, lang, strlen(lang) + 1);
		return 0;
	}
	if (sizeof DATEFMT_FALLBACK > idsz) {
		datefmt_error(cause, "locale buffer too small");
		return -1;
	}
	memcpy(id, DATEFMT_FALLBACK, sizeof DATEFMT_FALLBACK);
	return 0;
}

/* Check a time zone and return it as allocated UTF-16, or NULL. */
static UChar *
datefmt_zone(const char *tz, char **cause)
{
	UChar		*id, canonical[DATEFMT_TZ_MAX + 1];
	UBool		 system = 0;
	UErrorCode	 status = U_ZERO_ERROR;
	char		*q;

	if (strnlen(tz, DATEFMT_TZ_MAX + 1) > DATEFMT_TZ_MAX)
		goto fail;
	id = datefmt_to_utf16(tz, &status);
	if (id == NULL)
		goto fail;
	ucal_getCanonicalTimeZoneID(id, -1, canonical,
	    sizeof canonical / sizeof canonical[0], &system, &status);
	if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING ||
	    !system) {
		free(id);
		goto fail;
	}
	return id;

fail:
	q = datefmt_quote(tz);
	datefmt_error(cause, "unknown time zone \"%s\"", q);
	free(q);
	return NULL;
}

/*
 * Open a format for locale, tz and style, keeping it in cache c (if not
 * NULL) in place of the oldest. Returns it, or NULL with *cause.
 */
static UDateFormat *
datefmt_open(struct datecache *c, const char *locale, const char *tz,
    UDateFormatStyle style, int *owned, char **cause)
{
	char		 id[ULOC_FULLNAME_CAPACITY];
	UChar		*zone;
	UDateFormat	*df;
	UErrorCode	 status = U_ZERO_ERROR;

	if (datefmt_locale(locale, id, sizeof id, cause) != 0)
		return NULL;
	if ((zone = datefmt_zone(tz, cause)) == NULL)
		return NULL;
	df = udat_open(style, UDAT_LONG, id, zone, -1, NULL, 0, &status);
	free(zone);
	if (U_FAILURE(status)) {
		datefmt_error(cause, "locale %s: cannot open a date format: %s",
		    id, u_errorName(status));
		if (df != NULL)
			udat_close(df);
		return NULL;
	}
	*owned = c == NULL;
	if (c != NULL)
		datecache_keep(c, locale, tz, style, df);
	return df;
}

/* Format an instant with a long date and the given time style. */
static char *
datefmt_format(const char *locale, int64_t when, const char *tz,
    UDateFormatStyle time_style, char **cause)
{
	struct datecache	*c;
	char			*out = NULL;
	UChar			*text;
	UDateFormat		*df;
	UErrorCode		 status = U_ZERO_ERROR;
	int32_t			 len = 0;
	int			 owned = 0;

	if (tz == NULL)
		tz = DATEFMT_TZ_DEFAULT;
	if (when < DATEFMT_WHEN_MIN || when > DATEFMT_WHEN_MAX) {
		datefmt_error(cause, "time %lld is out of range",
		    (long long)when);
		return NULL;
	}
	if (locale == NULL || *locale == '\0') {
		datefmt_error(cause, "no locale");
		return NULL;
	}
	c = datecache_get();
	if ((df = datecache_find(c, locale, tz, time_style)) == NULL &&
	    (df = datefmt_open(c, locale, tz, time_style, &owned,
	    cause)) == NULL)
		return NULL;
	text = datefmt_format_utf16(df, (UDate)when * 1000.0, &len, &status);
	out = datefmt_to_utf8(text, len, &status);
	if (out == NULL || *out == '\0') {
		datefmt_error(cause, "locale %s: cannot format time %lld: %s",
		    locale, (long long)when, U_FAILURE(status) ?
		    u_errorName(status) : "empty result");
		free(out);
		out = NULL;
	}
	if (owned)
		udat_close(df);
	free(text);
	return out;
}

/* Format an instant as a long date. */
char *
datefmt_date(const char *locale, int64_t when, const char *tz, char **cause)
{
	return datefmt_format(locale, when, tz, UDAT_NONE, cause);
}

/* Format an instant as a long date and a short time. */
char *
datefmt_datetime(const char *locale, int64_t when, const char *tz,
    char **cause)
{
	return datefmt_format(locale, when, tz, UDAT_SHORT, cause);
}

/* Write a whole number as a locale writes it, in its digits. */
char *
datefmt_count(const char *locale, int64_t n, char **cause)
{
	char		 id[ULOC_FULLNAME_CAPACITY], *out;
	UChar		 text[64];
	UNumberFormat	*nf;
	UErrorCode	 status = U_ZERO_ERROR;
	int32_t		 len = 0;

	if (datefmt_locale(locale, id, sizeof id, cause) != 0)
		return NULL;
	nf = unum_open(UNUM_DECIMAL, NULL, 0, id, NULL, &status);
	if (U_SUCCESS(status)) {
		unum_setAttribute(nf, UNUM_GROUPING_USED, 0);
		len = unum_formatInt64(nf, n, text, 64, NULL, &status);
	}
	if (nf != NULL)
		unum_close(nf);
	if (status == U_STRING_NOT_TERMINATED_WARNING)
		status = U_BUFFER_OVERFLOW_ERROR;
	if ((out = datefmt_to_utf8(text, len, &status)) == NULL)
		datefmt_error(cause, "locale %s: cannot write %lld: %s", id,
		    (long long)n, u_errorName(status));
	return out;
}

/* Check that ICU knows a time zone by its IANA name. */
int
datefmt_parse_tz(const char *tz, char **cause)
{
	UChar	*zone;

	if (tz == NULL) {
		datefmt_error(cause, "no time zone");
		return -1;
	}
	if ((zone = datefmt_zone(tz, cause)) == NULL)
		return -1;
	free(zone);
	return 0;
}

/* Return the offset from UTC of local time in tz at an instant. */
int
datefmt_offset(const char *tz, int64_t when_ms, int64_t *offset_ms,
    char **cause)
{
	UCalendar	*cal;
	UChar		*id;
	UErrorCode	 status = U_ZERO_ERROR;
	int32_t		 zone, dst;

	if ((id = datefmt_zone(tz, cause)) == NULL)
		return -1;
	cal = ucal_open(id, -1, "en", UCAL_GREGORIAN, &status);
	free(id);
	if (U_FAILURE(status)) {
		datefmt_error(cause, "ICU calendar: %s", u_errorName(status));
		return -1;
	}
	ucal_setMillis(cal, (UDate)when_ms, &status);
	zone = ucal_get(cal, UCAL_ZONE_OFFSET, &status);
	dst = ucal_get(cal, UCAL_DST_OFFSET, &status);
	ucal_close(cal);
	if (U_FAILURE(status)) {
		datefmt_error(cause, "ICU calendar: %s", u_errorName(status));
		return -1;
	}
	*offset_ms = (int64_t)zone + dst;
	return 0;
}

/* Return when quiet hours that hold at now end, or now if none hold. */
int64_t
datefmt_quiet_end(const char *tz, int start, int end, int64_t now)
{
	int64_t	offset, local, day, minute, until;

	if (start < 0 || end < 0 || start == end ||
	    datefmt_offset(tz, now, &offset, NULL) != 0)
		return now;
	local = now + offset;
	day = local - ((local % 86400000) + 86400000) % 86400000;
	minute = (local - day) / 60000;
	if (start < end) {
		if (minute < start || minute >= end)
			return now;
		until = day + (int64_t)end * 60000;
	} else if (minute >= start)
		until = day + 86400000 + (int64_t)end * 60000;
	else if (minute < end)
		until = day + (int64_t)end * 60000;
	else
		return now;
	/* Back to UTC with the offset in force at the end. */
	if (datefmt_offset(tz, until - offset, &offset, NULL) != 0)
		return now;
	return until - offset;
}

/* Format an instant as "YYYY-MM-DD HH:MM:SS" local time in tz. */
void
datefmt_local(const char *tz, int64_t when_ms, char *buf, size_t size)
{
	struct tm	tm;
	int64_t		offset = 0;
	time_t		t;

	if (datefmt_offset(tz, when_ms, &offset, NULL) != 0)
		offset = 0;
	t = (time_t)((when_ms + offset) / 1000);
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Write the local date at when_ms in tz; the offset kept a quarter hour. */
void
datefmt_day(const char *tz, int64_t when_ms, char out[DATEFMT_DAY_LEN + 1])
{
	static __thread char	 last_tz[64];
	static __thread int64_t	 last_slot = -1, last_offset;
	struct tm		 tm;
	int64_t			 slot = when_ms / 900000, offset = 0;
	time_t			 t;

	if (tz != NULL && slot == last_slot && strcmp(tz, last_tz) == 0)
		offset = last_offset;
	else if (tz != NULL && strlen(tz) < sizeof last_tz &&
	    datefmt_offset(tz, when_ms, &offset, NULL) == 0) {
		strcpy(last_tz, tz);
		last_slot = slot;
		last_offset = offset;
	} else
		offset = 0;
	t = (time_t)((when_ms + offset) / 1000);
	gmtime_r(&t, &tm);
	if (strftime(out, DATEFMT_DAY_LEN + 1, "%Y-%m-%d", &tm) == 0)
		strcpy(out, "0000-00-00");
}

/* Parse a time given on a command line. */
int
datefmt_parse_when(const char *s, const char *tz, int64_t now_ms,
    int64_t *when_ms, char **cause)
{
	struct tm	 tm;
	const char	*end;
	char		*num;
	long long	 n;
	int64_t		 local, offset;
	int		 sign, oh, om;

	n = strtoll(s, &num, 10);
	if (num != s && n >= 0 && num[0] != '\0' && num[1] == '\0' &&
	    strchr("dhm", num[0]) != NULL && *s != '-') {
		*when_ms = now_ms - n * (num[0] == 'd' ? 86400000LL :
		    num[0] == 'h' ? 3600000LL : 60000LL);
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		goto fail;
	if (*end == 'T' || *end == ' ') {
		if ((num = strptime(end + 1, "%H:%M", &tm)) == NULL)
			goto fail;
		end = num;
		if (*end == ':' && (end = strptime(end + 1, "%S", &tm)) == NULL)
			goto fail;
	}
	local = (int64_t)timegm(&tm) * 1000;
	if (*end == 'Z' && end[1] == '\0') {
		*when_ms = local;
		return 0;
	}
	if ((*end == '+' || *end == '-') && sscanf(end + 1, "%2d:%2d", &oh,
	    &om) == 2 && strlen(end) == 6) {
		sign = *end == '-' ? -1 : 1;
		*when_ms = local - sign * ((int64_t)oh * 3600000 +
		    (int64_t)om * 60000);
		return 0;
	}
	if (*end != '\0')
		goto fail;
	/* Local time in tz: the offset in force then. */
	if (datefmt_offset(tz, local, &offset, cause) != 0 ||
	    datefmt_offset(tz, local - offset, &offset, cause) != 0)
		return -1;
	*when_ms = local - offset;
	return 0;
fail:
	datefmt_error(cause, "\"%s\" is not a date: use YYYY-MM-DD, "
	    "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM], or 7d, 24h, 30m for a time ago",
	    s);
	return -1;
}
