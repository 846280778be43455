/*
 * channel.c - what delivering one message over a channel came to
 *
 * The outcome of one attempt is a struct send_result: the status, the
 * reply (a single line, control characters removed, so that it can go
 * into a log or a Redis hash as it is) and the gateway's id for it.
 */
#include "build.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "log.h"
#include "xmalloc.h"

/* Longest reply kept, in bytes. */
#define CHANNEL_REPLY_MAX	512

/* Set r's outcome and its reply, replacing what it held. */
void
channel_result(struct send_result *r, enum send_status status,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	free(r->reply);
	r->reply = log_clean(text, strlen(text), CHANNEL_REPLY_MAX);
	free(text);
	r->status = status;
}

/* Free what r holds and zero it. */
void
channel_result_clear(struct send_result *r)
{
	if (r == NULL)
		return;
	free(r->reply);
	free(r->provider_id);
	memset(r, 0, sizeof *r);
}

/* Return the name of a status. */
const char *
channel_status_name(enum send_status status)
{
	switch (status) {
	case SEND_OK:
		return "sent";
	case SEND_TEMPFAIL:
		return "tempfail";
	case SEND_PERMFAIL:
		return "permfail";
	}
	return "unknown";
}
