/*
 * syntax.h - syntactic checks for the values in an event
 *
 * Each check takes a NUL-terminated value (except syntax_utf8, which takes
 * a length so that embedded NUL bytes are seen) and returns 0 if the value
 * is well formed, or -1 with *why pointing to a static phrase that
 * completes the sentence "FIELD: ..." (for example "month 13 is out of
 * range"). The phrases are static; nobody frees them. On failure the
 * other outputs are left alone, except as noted for syntax_utf8 and
 * syntax_locale. Only ASCII counts as a letter or digit.
 */
#ifndef SYNTAX_H
#define SYNTAX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Check that s[0..len) is valid UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF, no NUL byte. On failure *bad is the byte offset
 * of the first invalid sequence.
 */
int syntax_utf8(const char *s, size_t len, size_t *bad, const char **why);

/*
 * Return the length (1 to 4) of the valid UTF-8 character at s, of
 * which left bytes may be read, or 0 if none starts there (a stray or
 * missing continuation byte, an overlong form, a surrogate, a code point
 * past U+10FFFF, or left == 0).
 */
size_t syntax_utf8_seq(const char *s, size_t left);

/* Count the code points in valid UTF-8. */
size_t syntax_utf8_chars(const char *s, size_t len);

/*
 * Check a free-text value: no control characters except, when multiline
 * is set, newline, carriage return and tab. (Like every check here, it
 * returns 0, or -1 with the reason in *why unless why is NULL.)
 */
int syntax_text(const char *s, int multiline, const char **why);

/*
 * Parse an RFC 3339 date-time ("2026-03-03T14:05:00Z",
 * "2026-03-03T09:05:00.250-05:00"; 'T' and 'Z' may be lower case).
 * Sets *when to seconds since the epoch (UTC); fractions are dropped. The
 * time zone is required; the year must be 1970 to 9999 and the instant not
 * before the epoch. Second 60 is allowed and counts as the next second.
 */
int syntax_time(const char *s, int64_t *when, const char **why);

/*
 * Parse an RFC 3339 full-date ("2026-03-05") or date-time. Sets *when to
 * seconds since the epoch (a date alone is midnight UTC) and *has_time.
 */
int syntax_date_or_time(const char *s, int64_t *when, int *has_time,
    const char **why);

/* Check an SR number: 1 to 64 of [A-Za-z0-9-]. */
int syntax_sr(const char *s, const char **why);

/* Check a code such as a division or note code: 1 to max of [A-Za-z0-9_.-]. */
int syntax_code(const char *s, size_t max, const char **why);

/*
 * Check an email address (addr-spec, ASCII): a dot-atom local part of 1
 * to 64 characters, a domain of dot-separated LDH labels with at least one
 * dot, at most 254 characters in all.
 */
int syntax_email(const char *s, const char **why);

/* Check an E.164 phone number: '+' then 8 to 15 digits, the first not 0. */
int syntax_phone(const char *s, const char **why);

/*
 * Check a BCP 47 language tag (language[-extlang][-script][-region]
 * [-variant...], with a language of 2 or 3 letters; extensions and private
 * use subtags are refused) and write it in canonical case ("fr-ca" ->
 * "fr-CA", "zh-hans" -> "zh-Hans") to out, which holds outsz bytes. On
 * failure out is set to the empty string if outsz is not 0.
 */
int syntax_locale(const char *s, char *out, size_t outsz, const char **why);

/*
 * Check an https URL of at most 2048 bytes with a host name (letters,
 * digits, '-' and '.') or a bracketed IPv6 address, an optional port of 1
 * to 65535, no user-info, no whitespace or control characters.
 */
int syntax_https_url(const char *s, const char **why);

/*
 * Return 1 if url is https and its host is one of the n hosts (any case,
 * any port), else 0: a photo link the templates may show.
 */
int syntax_https_host(const char *url, char *const *hosts, size_t n);

#endif
