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
 *   stats                hash of counters: accepted, duplicate
 * The "{SR}" hash tag keeps an SR's keys in one Redis Cluster slot.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "event.h"
#include "intake.h"
#include "log.h"
#include "redis.h"
#include "stream.h"
#include "xmalloc.h"

/*
 * KEYS: seen, history, stats, events stream.
 * ARGV: group, entry ID, dedupe seconds, history max, history seconds,
 * then the event's fields.
 */
static struct redis_script intake_accept_script = {
	"accept",
	"local ok = redis.call('SET', KEYS[1], ARGV[2], 'NX', 'EX', ARGV[3])\n"
	"redis.call('XACK', KEYS[4], ARGV[1], ARGV[2])\n"
	"if not ok then\n"
	"  redis.call('HINCRBY', KEYS[3], 'duplicate', 1)\n"
	"  return redis.call('GET', KEYS[1])\n"
	"end\n"
	"redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*',\n"
	"    unpack(ARGV, 6))\n"
	"redis.call('EXPIRE', KEYS[2], ARGV[5])\n"
	"redis.call('HINCRBY', KEYS[3], 'accepted', 1)\n"
	"return 1\n",
	""
};

/* Return the key of an SR's event history. */
char *
intake_history_key(const struct config *cf, const char *sr)
{
	return xasprintf("%ssr:{%s}:events", cf->redis_prefix, sr);
}

/* Record a valid event and acknowledge its entry; 1 new, 0 duplicate. */
static int
intake_accept(const struct config *cf, struct stream *s, struct redis *r,
    const struct event *ev, char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[10 + 2 * EVENT_FIELDS_MAX];
	char			*seen, *history, *stats, *what;
	char			 dedupe[32], hmax[32], hsec[32];
	size_t			 n;
	int			 rc = -1;

	seen = xasprintf("%sseen:%s", cf->redis_prefix, ev->event_id);
	history = intake_history_key(cf, ev->sr);
	stats = xasprintf("%sstats", cf->redis_prefix);
	snprintf(dedupe, sizeof dedupe, "%lld",
	    (long long)cf->events_dedupe_seconds);
	snprintf(hmax, sizeof hmax, "%lld", (long long)cf->events_history_max);
	snprintf(hsec, sizeof hsec, "%lld",
	    (long long)cf->events_history_days * 86400);
	argv[0] = seen;
	argv[1] = history;
	argv[2] = stats;
	argv[3] = stream_key(s);
	argv[4] = cf->redis_group;
	argv[5] = ev->source_id;
	argv[6] = dedupe;
	argv[7] = hmax;
	argv[8] = hsec;
	n = event_fields(ev, argv + 9, 2 * EVENT_FIELDS_MAX);
	reply = redis_eval(r, &intake_accept_script, cause, 4, 9 + (int)n,
	    argv, NULL);
	if (reply == NULL)
		goto out;
	if (reply->type == REDIS_TYPE_INTEGER) {
		if (log_get_level() >= LOG_LEVEL_INFO) {
			what = event_describe(ev);
			log_info("accepted %s: %s (event %s)", ev->source_id,
			    what, ev->event_id);
			free(what);
		}
		rc = 1;
	} else if (reply->type == REDIS_TYPE_STRING) {
		log_info("dropped %s: event %s was already received in %s",
		    ev->source_id, ev->event_id, reply->str);
		rc = 0;
	} else if (cause != NULL)
		*cause = xasprintf("accepting %s: %s", ev->source_id,
		    reply->str != NULL ? reply->str : "unexpected reply");
	redis_reply_free(reply);
out:
	free(seen);
	free(history);
	free(stats);
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
			counts->dead++;
			continue;
		}
		rc = intake_accept(cf, s, r, ev, cause);
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
