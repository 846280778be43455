/*
 * store.h - SR state in Redis, changed atomically with what it decides
 *
 * Each change to an SR runs as one optimistic transaction: WATCH the SR's
 * state (and the event's dedupe key), read it, let the policy decide, and
 * write the new state, the due-time index, the audit records, the notices
 * for delivery and the stream acknowledgement in one MULTI/EXEC. If
 * another closeloopd changed the SR in between, EXEC fails and the whole
 * step is tried again on the fresh state, so several daemons in one
 * consumer group never send a notice twice nor lose a suppression. The
 * notices depend on the events' ts, not on the order they are handled
 * in; the audit records may differ in order when two daemons handle one
 * SR's events at the same moment.
 *
 * The writes of a step, and the keys they write, are in commit.h.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct event;
struct redis;

/*
 * What store_event() returns when Redis refused the step (a key of the
 * wrong type: txn.h): nothing of it was written, the entry is not
 * acknowledged, and the connection is fine.
 */
#define STORE_REFUSED	(-2)

/*
 * Apply a validated event read from stream_key as group cf->redis_group:
 * unless its event_id was seen before, record it in its SR's history,
 * run the policy and write what it decided; in every case acknowledge
 * the entry. now is the time in ms since the epoch. Returns 1 if
 * applied, 0 if a duplicate, -1 with *cause if Redis failed (the entry
 * stays pending and is read again), STORE_REFUSED with *cause if Redis
 * refused the step.
 */
int store_event(const struct config *cf, struct redis *r,
    const char *stream_key, const struct event *ev, int64_t now,
    char **cause);

/*
 * Return 1 if event ev cannot be applied in one run with the n events
 * evs: it is of the same SR as one of them, or has the same event_id, or
 * one names the other's SR (or the same SR) as duplicate_of.
 */
int store_conflict(struct event *const *evs, size_t n,
    const struct event *ev);

/*
 * Apply a run of n validated events, none in conflict with another
 * (store_conflict()), as store_event() would one after the other, in
 * two round trips: every SR's keys are WATCHed and read in one pipeline
 * and what they decide is written in one transaction. Should another
 * closeloopd change one of the SRs in between, or Redis refuse the run,
 * nothing is written and the events go through store_event() one by
 * one. Sets rcs[i] to what store_event() would return for evs[i], and
 * why[i] (allocated; the caller frees it) to the cause when that is
 * STORE_REFUSED. Returns 0, or -1 with *cause if Redis failed (the
 * events whose rcs[i] is -1 stay pending).
 */
int store_events(const struct config *cf, struct redis *r,
    const char *stream_key, struct event *const *evs, size_t n, int64_t now,
    int *rcs, char **why, char **cause);

/*
 * Release the pending notices due at now, at most max SRs. An SR whose
 * release Redis refuses is left as it is, logged and counted in
 * *refused. Returns how many SRs were released, or -1 with *cause.
 */
int store_release(const struct config *cf, struct redis *r, int64_t now,
    size_t max, size_t *refused, char **cause);

/*
 * Set *due to the earliest time a pending notice is due (ms since the
 * epoch), or 0 if none is pending. Returns 0 or -1 with *cause.
 */
int store_next_due(const struct config *cf, struct redis *r, int64_t *due,
    char **cause);

#endif
