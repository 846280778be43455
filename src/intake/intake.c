/*
 * intake.c - what happens to each entry read from the events stream
 *
 * Keys, with the configured prefix (default "closeloop:"):
 *   seen:EVENT_ID        string, the stream ID that carried the event;
 *                        expires after events.dedupe_seconds
 *   sr:{SR}:events       stream, the SR's validated events in canonical
 *                        fields (event_fields()), capped at
 *                        events.history_max entries, expiring
 *                        events.history_days after the last event
 *   stats                hash of counters: accepted, duplicate, and
 *                        decision:KIND for each kind of decision
 * The "{SR}" hash tag keeps an SR's keys in one Redis Cluster slot. Valid
 * events are handed to store_events() in runs of events of distinct SRs,
 * which records, decides and acknowledges a run in one transaction; an
 * event that would touch an SR of the run waits for a later run, and so
 * does every later event of that SR.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "event.h"
#include "eventparse.h"
#include "intake.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"
#include "store.h"
#include "stream.h"
#include "xmalloc.h"

/* The most events applied in one run (two round trips to Redis). */
#define INTAKE_RUN_MAX	64

/* How far into the batch a run looks for events that can join it. */
#define INTAKE_LOOK	(2 * INTAKE_RUN_MAX)

/*
 * Dead-letter an entry with a reason, logging it. Returns 0, or -1 with
 * *cause if Redis failed. Should Redis refuse the dead letter, the entry
 * stays pending - it is claimed again later - which is logged, and 1 is
 * returned.
 */
static int
intake_dead(struct stream *s, struct redis *r, const struct stream_entry *e,
    const char *error, char **cause)
{
	char	*why = NULL;
	int	 rc;

	if ((rc = stream_dead(s, r, e, error, &why)) < 0) {
		*cause = why;
		return -1;
	}
	if (rc > 0) {
		log_err("cannot dead-letter %s (%s): %s; it stays pending and "
		    "is tried again when it is claimed", e->id, error, why);
		free(why);
		return 1;
	}
	log_warn("rejected %s to the dead-letter stream: %s", e->id, error);
	return 0;
}

/*
 * An event Redis refused to apply (nothing of it was written): its entry
 * stays pending, to be tried again when it is claimed, until its last
 * delivery, when it is dead-lettered with the reason. Returns 0, or -1
 * with *cause if Redis failed.
 */
static int
intake_refused(const struct config *cf, struct stream *s, struct redis *r,
    const struct stream_entry *e, const char *why, struct intake_counts *counts,
    char **cause)
{
	char	*error;
	int	 rc;

	if (e->deliveries < cf->redis_max_deliveries) {
		log_err("%s not applied: %s; it stays pending and is tried "
		    "again when it is claimed (delivery %lld of %lld)", e->id,
		    why, e->deliveries, (long long)cf->redis_max_deliveries);
		counts->refused++;
		return 0;
	}
	error = xasprintf("entry: not applied after %lld deliveries: %s",
	    e->deliveries, why);
	rc = intake_dead(s, r, e, error, cause);
	free(error);
	if (rc == 0) {
		metrics_event("invalid");
		counts->dead++;
	}
	return rc < 0 ? -1 : 0;
}

/*
 * Apply a run of valid events and acknowledge their entries, counting
 * and logging what came of each; the events are freed. Returns 0 or -1
 * with *cause (Redis failed).
 */
static int
intake_run(const struct config *cf, struct stream *s, struct redis *r,
    struct event **evs, const struct stream_entry **es, size_t *n,
    struct intake_counts *counts, char **cause)
{
	int	 rcs[INTAKE_RUN_MAX];
	char	*what, *why[INTAKE_RUN_MAX];
	size_t	 i;
	int	 rc = 0;

	if (*n == 0)
		return 0;
	if (store_events(cf, r, stream_key(s), evs, *n, clock_now(), rcs,
	    why, cause) != 0)
		rc = -1;
	for (i = 0; i < *n; i++) {
		if (rcs[i] == 1 && log_get_level() >= LOG_LEVEL_INFO) {
			what = event_describe(evs[i]);
			log_info("accepted %s: %s (event %s)",
			    evs[i]->source_id, what, evs[i]->event_id);
			free(what);
		}
		if (rcs[i] == STORE_REFUSED && rc == 0 &&
		    intake_refused(cf, s, r, es[i], why[i], counts, cause) != 0)
			rc = -1;
		if (rcs[i] >= 0)
			metrics_event(rcs[i] == 1 ?
			    event_type_name(evs[i]->type) : "duplicate");
		if (rcs[i] == 1)
			counts->accepted++;
		else if (rcs[i] == 0)
			counts->duplicate++;
		free(why[i]);
		event_free(evs[i]);
	}
	*n = 0;
	return rc;
}

/*
 * Apply the valid events evs (their entries es, n of them) in runs, the
 * first run taking every event of the first INTAKE_LOOK that touches no
 * SR or id of an event taken before it, nor of one left for later; the
 * rest follow in later runs, in their order. An SR's events are applied
 * in the order of the stream, and a batch in which each SR has two
 * events adjacent takes two runs, not one an event. Before each run,
 * stop(arg) may ask to leave the rest pending. The events are freed;
 * evs and es are reused. Returns 0 or -1 with *cause.
 */
static int
intake_runs(const struct config *cf, struct stream *s, struct redis *r,
    struct event **evs, const struct stream_entry **es, size_t n,
    struct intake_counts *counts, int (*stop)(void *), void *arg,
    char **cause)
{
	const struct stream_entry	*res[INTAKE_RUN_MAX];
	struct event			*run[INTAKE_RUN_MAX];
	size_t				 i, k, left;
	int				 rc = 0;

	while (n > 0 && rc == 0) {
		if (stop != NULL && stop(arg)) {
			log_warn("shutdown: leaving %zu entries of the batch "
			    "pending", n);
			break;
		}
		k = left = 0;
		for (i = 0; i < n; i++) {
			if (i < INTAKE_LOOK && k < INTAKE_RUN_MAX &&
			    !store_conflict(run, k, evs[i]) &&
			    !store_conflict(evs, left, evs[i])) {
				res[k] = es[i];
				run[k++] = evs[i];
				continue;
			}
			/* Left for a later run: kept in order, in front. */
			es[left] = es[i];
			evs[left++] = evs[i];
		}
		rc = intake_run(cf, s, r, run, res, &k, counts, cause);
		n = left;
	}
	while (n > 0)
		event_free(evs[--n]);
	return rc;
}

/*
 * Handle every entry of a batch: invalid entries are dead-lettered as
 * they come, which changes no SR, and the valid events are applied in
 * runs of events that do not touch the same SR (intake_runs()).
 */
int
intake_batch(const struct config *cf, struct stream *s, struct redis *r,
    const struct stream_batch *batch, struct intake_counts *counts,
    int (*stop)(void *), void *arg, char **cause)
{
	const struct stream_entry	*e, **es;
	struct event			*ev, **evs;
	char				*why;
	size_t				 i, n = 0;
	int				 dead, rc = -1;

	es = xcalloc(batch->n + 1, sizeof *es);
	evs = xcalloc(batch->n + 1, sizeof *evs);
	for (i = 0; i < batch->n; i++) {
		e = &batch->entries[i];
		if (e->deleted) {
			log_warn("entry %s was deleted from %s before it was "
			    "handled; acknowledging it", e->id, stream_key(s));
			if (stream_ack(s, r, e->id, cause) != 0)
				goto fail;
			continue;
		}
		ev = NULL;
		if (e->deliveries > cf->redis_max_deliveries)
			why = xasprintf("entry: delivered %lld times without "
			    "being handled (redis.max_deliveries is %lld)",
			    e->deliveries, (long long)cf->redis_max_deliveries);
		else
			ev = eventparse_parse(cf, e->id, e->fields, e->lens,
			    e->n, &why);
		if (ev != NULL) {
			es[n] = e;
			evs[n++] = ev;
			continue;
		}
		dead = intake_dead(s, r, e, why, cause);
		free(why);
		if (dead < 0)
			goto fail;
		if (dead == 0) {
			metrics_event("invalid");
			counts->dead++;
		}
	}
	rc = intake_runs(cf, s, r, evs, es, n, counts, stop, arg, cause);
	n = 0;

fail:
	while (n > 0)
		event_free(evs[--n]);
	free(evs);
	free(es);
	return rc;
}
