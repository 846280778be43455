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
 * The "{SR}" hash tag keeps an SR's keys in one Redis Cluster slot. A
 * valid event is handed to store_event(), which records, decides and
 * acknowledges it in one transaction.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "event.h"
#include "intake.h"
#include "log.h"
#include "metrics.h"
#include "redis.h"
#include "store.h"
#include "stream.h"
#include "xmalloc.h"

/* Return the key of an SR's event history. */
char *
intake_history_key(const struct config *cf, const char *sr)
{
	return xasprintf("%ssr:{%s}:events", cf->redis_prefix, sr);
}

/* Apply a valid event and acknowledge its entry; 1 new, 0 duplicate. */
static int
intake_accept(const struct config *cf, struct stream *s, struct redis *r,
    const struct event *ev, char **cause)
{
	char	*what;
	int	 rc;

	rc = store_event(cf, r, stream_key(s), ev, store_now(), cause);
	if (rc == 1 && log_get_level() >= LOG_LEVEL_INFO) {
		what = event_describe(ev);
		log_info("accepted %s: %s (event %s)", ev->source_id, what,
		    ev->event_id);
		free(what);
	}
	return rc;
}

/* Dead-letter an entry with a reason, logging it. */
static int
intake_dead(struct stream *s, struct redis *r, const struct stream_entry *e,
    const char *error, char **cause)
{
	if (stream_dead(s, r, e, error, cause) != 0)
		return -1;
	log_warn("rejected %s to the dead-letter stream: %s", e->id, error);
	return 0;
}

/* Handle every entry of a batch. */
int
intake_batch(const struct config *cf, struct stream *s, struct redis *r,
    const struct stream_batch *batch, struct intake_counts *counts,
    int (*stop)(void *), void *arg, char **cause)
{
	const struct stream_entry	*e;
	struct event			*ev;
	char				*why;
	size_t				 i;
	int				 rc;

	for (i = 0; i < batch->n; i++) {
		if (stop != NULL && stop(arg)) {
			log_warn("shutdown: leaving %zu entries of the batch "
			    "pending", batch->n - i);
			return 0;
		}
		e = &batch->entries[i];
		if (e->deleted) {
			log_warn("entry %s was deleted from %s before it was "
			    "handled; acknowledging it", e->id, stream_key(s));
			if (stream_ack(s, r, e->id, cause) != 0)
				return -1;
			continue;
		}
		ev = NULL;
		if (e->deliveries > cf->redis_max_deliveries)
			why = xasprintf("entry: delivered %lld times without "
			    "being handled (redis.max_deliveries is %lld)",
			    e->deliveries, (long long)cf->redis_max_deliveries);
		else
			ev = event_parse(cf, e->id, e->fields, e->lens, e->n,
			    &why);
		if (ev == NULL) {
			rc = intake_dead(s, r, e, why, cause);
			free(why);
			if (rc != 0)
				return -1;
			metrics_event("invalid");
			counts->dead++;
			continue;
		}
		rc = intake_accept(cf, s, r, ev, cause);
		if (rc >= 0)
			metrics_event(rc == 1 ? event_type_name(ev->type) :
			    "duplicate");
		event_free(ev);
		if (rc < 0)
			return -1;
		if (rc == 1)
			counts->accepted++;
		else
			counts->duplicate++;
	}
	return 0;
}
