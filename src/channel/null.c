/*
 * null.c - the channel that sends nothing
 *
 * closeloopd --dry-run renders every notification and records what it
 * would have sent; its workers send through this channel, which opens no
 * connection, writes nothing anywhere and answers each message at once
 * as sent, with the reply "dry run". The worker records the outcome as
 * a dry run (outcome.c), under the rehearsal's own prefix.
 */
#include "build.h"

#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "null.h"

/* What a handle of the null channel points to: it holds nothing. */
static const char null_handle[] = "null";

/* Open a handle; the options, whichever channel's, are not read. */
static void *
null_open(const void *options, char **cause)
{
	(void)options;
	(void)cause;
	return (void *)(uintptr_t)null_handle;
}

/* Answer each message as sent, without sending it. */
static void
null_send(void *h, struct channel_msg *msgs, size_t n,
    void (*done)(struct channel_msg *, void *), void *arg)
{
	size_t	i;

	(void)h;
	for (i = 0; i < n; i++) {
		channel_result_clear(&msgs[i].result);
		channel_result(&msgs[i].result, SEND_OK, "dry run");
		if (done != NULL)
			done(&msgs[i], arg);
	}
}

/* Close a handle: there is nothing to free. */
static void
null_close(void *h)
{
	(void)h;
}

/* The null channel: every message answered at once, none sent. */
const struct channel null_channel = {
	"null",
	null_open,
	null_send,
	channel_sync_pending,
	channel_sync_run,
	null_close
};
