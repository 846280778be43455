/*
 * channel.c - the channels a notice goes out by, and what sending came to
 *
 * Each channel (mail.c, sms.c, null.c) fills a struct channel; the
 * delivery workers find theirs by name in channels.c: "mail" or "sms",
 * or "null" in a dry run. The outcome of one attempt is a struct send_result: the
 * status, the reply (a single line, control characters removed, so that
 * it can go into a log or a Redis hash as it is) and the gateway's id
 * for it.
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

/* Nothing is pending on a channel that reports every message in send. */
size_t
channel_sync_pending(void *h)
{
	(void)h;
	return 0;
}

/* Nothing is under way on a channel that reports every message in send. */
void
channel_sync_run(void *h, int timeout_ms)
{
	(void)h;
	(void)timeout_ms;
}

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
