/*
 * log.c - logging to stderr for journald, and masking of personal data
 *
 * A line is written with a single write(2) so that lines from several
 * processes sharing a journal stream do not interleave. Long messages are
 * cut at LOG_LINE_MAX bytes.
 *
 * Whatever a message holds, a line is one line of UTF-8 text: a CR or LF
 * in it would start a journal entry of its own (with a priority prefix of
 * the sender's choosing), an escape sequence would act on the terminal of
 * whoever reads the log. So log_write() writes CR, LF and tab as \r, \n
 * and \t, and every other control character (C0, DEL, C1) and every byte
 * that is not part of valid UTF-8 as \xNN per byte: "\x1b[2J", "\xc2\x9b".
 * Values from peers should still go through log_clean() first, which
 * bounds them; this is what makes no caller able to forge a line.
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "syntax.h"
#include "xmalloc.h"

#define LOG_LINE_MAX 4096

static enum log_level log_level = LOG_LEVEL_INFO;

static const struct {
	const char	*name;
	enum log_level	 level;
} log_names[] = {
	{ "error", LOG_LEVEL_ERR },
	{ "warning", LOG_LEVEL_WARNING },
	{ "notice", LOG_LEVEL_NOTICE },
	{ "info", LOG_LEVEL_INFO },
	{ "debug", LOG_LEVEL_DEBUG },
};

/* Set the most verbose level written. */
void
log_set_level(enum log_level level)
{
	log_level = level;
}

/* Return the current level. */
enum log_level
log_get_level(void)
{
	return log_level;
}

/* Parse a level name. */
int
log_level_parse(const char *name, enum log_level *level)
{
	size_t	i;

	for (i = 0; i < sizeof log_names / sizeof log_names[0]; i++) {
		if (strcmp(log_names[i].name, name) == 0) {
			*level = log_names[i].level;
			return 0;
		}
	}
	return -1;
}

/* Return the name of a level. */
const char *
log_level_name(enum log_level level)
{
	size_t	i;

	for (i = 0; i < sizeof log_names / sizeof log_names[0]; i++) {
		if (log_names[i].level == level)
			return log_names[i].name;
	}
	return "unknown";
}

/* Tell whether the character of n bytes at u is a C0, DEL or C1 control. */
static int
log_control(const unsigned char *u, size_t n)
{
	if (n == 1)
		return u[0] < 0x20 || u[0] == 0x7f;
	return n == 2 && u[0] == 0xc2 && u[1] < 0xa0;	/* U+0080-U+009F */
}

/*
 * Append s[0..len) to line[0..o) with control characters and bytes that
 * are not UTF-8 escaped (see the top), stopping before a character or an
 * escape that would take the line past size bytes. Returns the new length.
 */
static size_t
log_escape(char *line, size_t o, size_t size, const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			 esc[2 * 4 + 1];
	size_t			 i = 0, n, k, e;

	while (i < len) {
		n = syntax_utf8_seq(s + i, len - i);
		if (n != 0 && !log_control(u + i, n)) {
			if (o + n > size)
				break;
			memcpy(line + o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		if (n == 0)
			n = 1;		/* not UTF-8: that byte alone */
		if (u[i] == '\r' || u[i] == '\n' || u[i] == '\t')
			e = (size_t)snprintf(esc, sizeof esc, "\\%c",
			    u[i] == '\r' ? 'r' : u[i] == '\n' ? 'n' : 't');
		else
			for (e = 0, k = 0; k < n; k++)
				e += (size_t)snprintf(esc + e, sizeof esc - e,
				    "\\x%02x", u[i + k]);
		if (o + e > size)
			break;
		memcpy(line + o, esc, e);
		o += e;
		i += n;
	}
	return o;
}

/* Write a message at a given level, as one line (see the top). */
void
log_write(enum log_level level, const char *fmt, ...)
{
	char	 msg[LOG_LINE_MAX], line[LOG_LINE_MAX];
	va_list	 ap;
	int	 m;
	size_t	 len;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	m = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	len = (size_t)snprintf(line, sizeof line, "<%d>", (int)level);
	len = log_escape(line, len, sizeof line - 1, msg,
	    (size_t)m < sizeof msg ? (size_t)m : sizeof msg - 1);
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) == -1)
		return;
}

/* Mask an email address for a log. */
char *
log_mask_email(const char *email)
{
	const char	*at;

	if (email == NULL || (at = strchr(email, '@')) == NULL ||
	    strchr(at + 1, '@') != NULL || at == email)
		return xstrdup("***");
	return xasprintf("%c***%s", email[0], at);
}

/* Mask a phone number for a log. */
char *
log_mask_phone(const char *phone)
{
	size_t	len;

	if (phone == NULL)
		return xstrdup("***");
	len = strlen(phone);
	if (len <= 8) {
		if (len < 2)
			return xstrdup("***");
		return xasprintf("***%s", phone + len - 2);
	}
	return xasprintf("%.5s***%s", phone, phone + len - 4);
}

/* Append the n bytes at p to out, at *o. */
static void
log_copy(char *out, size_t *o, const char *p, size_t n)
{
	memcpy(out + *o, p, n);
	*o += n;
}

/* Return 1 if c is an ASCII letter or digit. */
static int
log_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* Return 1 if c may be part of the local part of an address. */
static int
log_local_char(unsigned char c)
{
	return log_alnum(c) || c >= 0x80 ||
	    (c != '\0' && strchr(".!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* Return 1 if c may be part of the domain of an address. */
static int
log_domain_char(unsigned char c)
{
	return log_alnum(c) || c >= 0x80 || c == '.' || c == '-' || c == '_';
}

/* Return how many digits p starts with. */
static size_t
log_digits(const char *p)
{
	size_t	n = 0;

	while (p[n] >= '0' && p[n] <= '9')
		n++;
	return n;
}

/*
 * Return the length of the address starting at t + i (a run of local-part
 * characters, '@', a domain) and set *at to the offset of its '@'; 0 if
 * none starts there.
 */
static size_t
log_address_len(const char *t, size_t i, size_t *at)
{
	size_t	end;

	if (i > 0 && log_local_char(t[i - 1]))
		return 0;
	for (*at = i; log_local_char(t[*at]); (*at)++)
		/* nothing */;
	if (*at == i || t[*at] != '@')
		return 0;
	for (end = *at + 1; log_domain_char(t[end]); end++)
		/* nothing */;
	return end > *at + 1 ? end - i : 0;
}

/*
 * Return the length of the phone number starting at t + i: '+' and 7 to
 * 15 digits, or the nown digits own (the recipient's); 0 if none.
 */
static size_t
log_number_len(const char *t, size_t i, const char *own, size_t nown)
{
	size_t	n;

	if (i > 0 && log_alnum(t[i - 1]))
		return 0;
	if (t[i] == '+' && (n = log_digits(t + i + 1)) >= 7 && n <= 15)
		return n + 1;
	if (nown > 0 && log_digits(t + i) == nown &&
	    strncmp(t + i, own, nown) == 0)
		return nown;
	return 0;
}

/*
 * Mask addresses and phone numbers in a server's reply. The result is at
 * most twice as long: a masked address is its text with the local part
 * made one character and "***" (at least 3 characters become 6), a
 * masked number of 7 or 8 characters is 5, of n more 12 <= n + 3.
 */
char *
log_mask_reply(const char *text, const char *recipient)
{
	char		 own[16], *out, *number, *mask;
	const char	*p;
	size_t		 i = 0, done = 0, o = 0, n, at, nown = 0;

	if (recipient != NULL && strchr(recipient, '@') == NULL) {
		for (p = recipient; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				continue;
			if (nown == sizeof own - 1)
				break;
			own[nown++] = *p;
		}
		if (nown < 7 || *p != '\0')
			nown = 0;
	}
	out = xmalloc(2 * strlen(text) + 1);
	while (text[i] != '\0') {
		if ((n = log_address_len(text, i, &at)) > 0) {
			log_copy(out, &o, text + done, i - done + 1);
			log_copy(out, &o, "***", 3);
			log_copy(out, &o, text + at, i + n - at);
		} else if ((n = log_number_len(text, i, own, nown)) > 0) {
			log_copy(out, &o, text + done, i - done);
			number = xstrndup(text + i, n);
			mask = log_mask_phone(number);
			log_copy(out, &o, mask, strlen(mask));
			free(mask);
			free(number);
		} else {
			i++;
			continue;
		}
		done = i += n;
	}
	log_copy(out, &o, text + done, i - done);
	out[o] = '\0';
	return out;
}

/* Make a value safe to put in a log line. */
char *
log_clean(const char *value, size_t len, size_t max)
{
	const unsigned char	*p = (const unsigned char *)value;
	char			*out;
	size_t			 i = 0, o = 0, n;

	out = xmalloc((len < max ? len : max) + 4);
	while (i < len) {
		n = syntax_utf8_seq((const char *)p + i, len - i);
		if (o + (n == 0 ? 1 : n) > max)
			break;
		if (n == 0 || log_control(p + i, n)) {
			out[o++] = '?';
			i += n == 0 ? 1 : n;
			continue;
		}
		memcpy(out + o, p + i, n);
		o += n;
		i += n;
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}
