/*
 * log.c - logging to stderr for journald, and masking of personal data
 *
 * A line is written with a single write(2) so that lines from several
 * processes sharing a journal stream do not interleave. Long messages are
 * cut at LOG_LINE_MAX bytes.
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

/* Write a message at a given level. */
void
log_write(enum log_level level, const char *fmt, ...)
{
	char	 line[LOG_LINE_MAX];
	va_list	 ap;
	int	 n, m;
	size_t	 len;

	if (level > log_level)
		return;
	n = snprintf(line, sizeof line, "<%d>", (int)level);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	len = strlen(line);
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
		if (n == 0 || (n == 1 && (p[i] < 0x20 || p[i] == 0x7f))) {
			out[o++] = '?';
			i++;
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
