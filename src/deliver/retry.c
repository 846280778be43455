/*
 * retry.c - when a notification goes out, and again: due and lease sets
 *
 * A notification waits in its channel's due set (a sorted set of ids by
 * the time, in ms, it may go out: at once, or for SMS at the end of
 * sms.quiet_hours). A claim moves it to the lease set until its outcome
 * is written; a temporary failure puts it back in the due set after a
 * capped exponential backoff with jitter (retry.initial_seconds to
 * retry.max_seconds, or longer if the server asked), until it has been
 * tried for retry.email_max_age_hours or retry.sms_max_age_hours. The
 * scripts that claim and release are in outbox.c; this file is the
 * policy and the keys they share.
 */
#include "build.h"

#include <stdint.h>
#include <stdlib.h>

#include "backoff.h"
#include "config.h"
#include "datefmt.h"
#include "event.h"
#include "retry.h"
#include "xmalloc.h"

/* Return the delay before the next attempt. */
int64_t
retry_delay(const struct config *cf, int64_t attempts, int64_t retry_after)
{
	struct backoff	b;
	int64_t		delay, i;

	backoff_init(&b, cf->retry_initial_seconds * 1000,
	    cf->retry_max_seconds * 1000);
	for (i = 1; i < attempts && b.window < b.max; i++)
		(void)backoff_next(&b);
	delay = backoff_next(&b);
	if (delay < retry_after * 1000)
		delay = retry_after * 1000;
	return delay;
}

/* Return the key of a channel's due set. */
char *
retry_queue_key(const struct config *cf, int channel)
{
	return xasprintf("%soutbox:%s", cf->redis_prefix,
	    event_channel_name(channel));
}

/* Return when a notification may go out. */
int64_t
retry_due(const struct config *cf, int channel, int64_t now)
{
	if (channel != EVENT_CHANNEL_SMS)
		return now;
	return datefmt_quiet_end(cf->templates_timezone, cf->sms_quiet_start,
	    cf->sms_quiet_end, now);
}

/* Return the longest a notification on channel is retried, in ms. */
int64_t
retry_max_age(const struct config *cf, int channel)
{
	if (channel == EVENT_CHANNEL_SMS)
		return cf->retry_sms_max_age_hours * 3600000;
	return cf->retry_email_max_age_hours * 3600000;
}

/* Return the key of the lease set. */
char *
retry_lease_key(const struct config *cf)
{
	return xasprintf("%soutbox:sending", cf->redis_prefix);
}
