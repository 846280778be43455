/*
 * retry.h - when a notification goes out, and again: due and lease sets
 *
 * Keys (PREFIX is redis.prefix):
 *   PREFIXoutbox:email     zset of ids by due time (ms)
 *   PREFIXoutbox:sms       zset of ids by due time (ms)
 *   PREFIXoutbox:sending   zset of claimed ids by lease end (ms)
 */
#ifndef RETRY_H
#define RETRY_H

#include <stdint.h>

struct config;

/*
 * Return the delay in ms before attempt attempts + 1 of a notification:
 * capped exponential backoff with jitter from retry.initial_seconds to
 * retry.max_seconds, but at least retry_after seconds if the server
 * asked for that.
 */
int64_t retry_delay(const struct config *cf, int64_t attempts,
    int64_t retry_after);

/*
 * Return when a notification on channel may go out, given now (ms):
 * now, or for SMS the end of sms.quiet_hours if now is inside them.
 */
int64_t retry_due(const struct config *cf, int channel, int64_t now);

/* Return how long a notification on channel is retried, in ms. */
int64_t retry_max_age(const struct config *cf, int channel);

/* Return the key of a channel's due set; the caller frees it. */
char *retry_queue_key(const struct config *cf, int channel);

/* Return the key of the lease set of claims; the caller frees it. */
char *retry_lease_key(const struct config *cf);

#endif
