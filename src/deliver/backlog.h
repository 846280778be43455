/*
 * backlog.h - what waits in the outbox and the dead letters, read for
 * operators
 *
 * closeloop queue, closeloop dead and the console's Operations page read
 * the due sets (retry.h) and the dead-letter stream (redis.dead_stream)
 * through these, and change nothing.
 */
#ifndef BACKLOG_H
#define BACKLOG_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct redis;
struct redis_reply;

/* What waits on one channel's due set. */
struct backlog_wait {
	long long	due;	/* due now; -1 if Redis did not say */
	long long	later;	/* due later: retries, quiet hours */
	int64_t		oldest;	/* ms: when the oldest due now fell due;
				   0: none */
	int64_t		next;	/* ms: when the next one falls due; 0: none */
};

/*
 * Read what waits on channel's due set (EVENT_CHANNEL_*) at now (ms)
 * into *w. A command that fails leaves its count at -1 or its time at
 * 0.
 */
void backlog_channel(struct redis *r, const struct config *cf, int channel,
    int64_t now, struct backlog_wait *w);

/*
 * Return the integer reply of a command with one key, such as
 * "ZCARD %s" or "XLEN %s"; -1 if Redis fails or answers otherwise.
 */
long long backlog_count(struct redis *r, const char *fmt, const char *key);

/*
 * Read the dead-letter stream's first max entries (every entry if max
 * is 0), oldest first, as XRANGE returns them: each an array of its id
 * and its fields. Returns the reply (free it with redis_reply_free()),
 * or NULL with *cause set (Redis failed, or answered an error).
 */
struct redis_reply *backlog_dead(struct redis *r, const struct config *cf,
    size_t max, char **cause);

/*
 * Format the time a stream entry was added, from its id, as RFC 3339 in
 * UTC ("2026-03-03T14:05:00Z") into buf.
 */
void backlog_when(const char *id, char buf[32]);

/* Return the time a stream entry was added, from its id, in ms. */
int64_t backlog_entry_ms(const char *id);

#endif
