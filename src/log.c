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
