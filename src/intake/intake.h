/*
 * intake.h - what happens to each entry read from the events stream
 *
 * Every entry ends in exactly one recorded outcome before it is
 * acknowledged: accepted (validated and appended to its SR's history),
 * duplicate (an event_id seen before, dropped), or dead (moved to the
 * dead-letter stream with the reason). Recording, deciding and
 * acknowledging happen in one Redis transaction (store.h), so a crash at
 * any point neither loses an entry nor handles it twice. An entry whose
 * step Redis refuses (a key of the wrong type; nothing of it is written)
 * stays pending and is tried again when it is claimed, until its last
 * delivery (redis.max_deliveries), when it is dead-lettered with the
 * reason. One entry never holds up the others of its batch.
 */
#ifndef INTAKE_H
#define INTAKE_H

#include <stdint.h>

struct config;
struct redis;
struct stream;
struct stream_batch;

/* Counts of outcomes since the daemon started. */
struct intake_counts {
	uint64_t	accepted;
	uint64_t	duplicate;
	uint64_t	dead;
	uint64_t	refused;	/* left pending: Redis said no */
};

/*
 * Handle every entry of batch under configuration cf, adding to counts.
 * Before each entry stop(arg) is asked whether to give up (a shutdown
 * whose time ran out); stop may be NULL. Returns 0, or -1 with *cause if
 * Redis failed part way. Entries not handled stay pending and are read
 * again later, so giving up loses nothing.
 */
int intake_batch(const struct config *cf, struct stream *s, struct redis *r,
    const struct stream_batch *batch, struct intake_counts *counts,
    int (*stop)(void *), void *arg, char **cause);

#endif
