/*
 * stream.h - intake from the Redis stream of events, as a consumer group
 *
 * Entries are read with XREADGROUP in the group redis.group as consumer
 * redis.consumer. After a (re)connection the consumer first re-reads its
 * own pending entries (those it read but never acknowledged), then new
 * ones. Entries left pending by other, dead consumers for longer than
 * redis.claim_idle_ms are taken over with XAUTOCLAIM. An entry is
 * acknowledged only once its outcome is recorded: stream_ack() for one
 * handled, stream_dead() for one moved to the dead-letter stream.
 */
#ifndef STREAM_H
#define STREAM_H

#include <stddef.h>

struct config;
struct redis;
struct redis_reply;

/* One entry: n field/value pairs in fields[2*i], fields[2*i+1]. */
struct stream_entry {
	char		 *id;
	char		**fields;
	size_t		 *lens;
	size_t		  n;
	long long	  deliveries;	/* times delivered, this one too */
	int		  deleted;	/* pending, but gone from the stream */
};

/* The entries of one read; each read empties the batch first. */
struct stream_batch {
	struct stream_entry	*entries;
	size_t			 n;
};

struct stream;

/*
 * Create the intake state for the names in cf (copied). Free it with
 * stream_free().
 */
struct stream *stream_new(const struct config *cf);

/* Free the intake state; NULL is a no-op. */
void stream_free(struct stream *s);

/*
 * Make sure the stream and the group exist (XGROUP CREATE ... MKSTREAM,
 * from the start of the stream so that nothing the CRM wrote before the
 * first start is lost), and start again from this consumer's pending
 * entries. Call after every (re)connection. Returns 0 or -1 with *cause.
 */
int stream_setup(struct stream *s, struct redis *r, char **cause);

/*
 * Read the next page of this consumer's own pending entries into batch.
 * Returns 1 with entries, 0 when there are no more (from then on
 * stream_history_done() is true), or -1 with *cause.
 */
int stream_read_history(struct stream *s, struct redis *r,
    struct stream_batch *batch, char **cause);

/* Return 1 once the pending entries have all been read since setup. */
int stream_history_done(const struct stream *s);

/*
 * Claim the next page of entries idle longer than redis.claim_idle_ms
 * from any consumer (XAUTOCLAIM looks at up to ten times events.batch
 * pending entries a call). Returns 1 with entries, 0 if none were
 * claimed, or -1 with *cause.
 */
int stream_claim(struct stream *s, struct redis *r,
    struct stream_batch *batch, char **cause);

/*
 * Return 1 if the last claim reached the end of the group's pending
 * entries (the next starts from the beginning), 0 if more remain to look
 * at.
 */
int stream_claim_done(const struct stream *s);

/*
 * Set *n to how many entries the group's consumers hold pending (read,
 * not acknowledged). Returns 0, or -1 with *cause.
 */
int stream_pending(struct stream *s, struct redis *r, long long *n,
    char **cause);

/*
 * Send a read of new entries that blocks up to block_ms on the server (0:
 * until one comes).
 * Collect its reply with redis_receive() and stream_parse_read().
 */
int stream_send_read(struct stream *s, struct redis *r, long block_ms,
    char **cause);

/*
 * Turn the reply of a read into a batch (every entry has deliveries 1).
 * Returns 1 with entries, 0 if the read timed out empty, -1 with *cause
 * for an error reply (NOGROUP after the server lost its data: call
 * stream_setup() again).
 */
int stream_parse_read(struct stream *s, const struct redis_reply *reply,
    struct stream_batch *batch, char **cause);

/* Acknowledge one entry. Returns 0 or -1 with *cause. */
int stream_ack(struct stream *s, struct redis *r, const char *id,
    char **cause);

/*
 * Move an entry to the dead-letter stream with its fields (as many as the
 * contract's limits allow: stream.c), "error" and "source_id", and
 * acknowledge it, atomically. Returns 0; -1 with *cause if Redis failed
 * (reconnect); 1 with *cause if Redis refused it (the entry stays
 * pending; the connection is fine).
 */
int stream_dead(struct stream *s, struct redis *r,
    const struct stream_entry *e, const char *error, char **cause);

/* Return the stream's key. */
const char *stream_key(const struct stream *s);

/* Empty a batch, freeing its entries. */
void stream_batch_clear(struct stream_batch *batch);

#endif
