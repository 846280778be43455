/*
 * stream.c - intake from the Redis stream of events, as a consumer group
 *
 * Keys: redis.stream (the CRM's events, default "closeloop:events") read
 * by the group redis.group; redis.dead_stream ("closeloop:dead") receives
 * entries that cannot be handled, each with its original fields followed
 * by "error" (why) and "source_id" (its ID in the events stream) - all
 * of its fields unless it has more than the contract allows
 * (EVENT_FIELDS_MAX fields, EVENT_ENTRY_MAX bytes): then as many of its
 * first fields as fit those limits, and "truncated" saying so (the entry
 * itself stays in the events stream until the stream is trimmed).
 *
 * How often an entry has been delivered comes from XPENDING for entries
 * re-read from history or claimed; a new entry has been delivered once.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "eventparse.h"
#include "redis.h"
#include "redisscript.h"
#include "stream.h"
#include "xmalloc.h"

struct stream {
	char	*key;
	char	*dead;
	char	*group;
	char	*consumer;
	long	 batch;
	long	 claim_idle_ms;
	char	 history_from[64];	/* last pending ID re-read */
	int	 history_done;
	char	 claim_from[64];	/* XAUTOCLAIM cursor */
};

static struct redisscript stream_dead_script = {
	"dead",
	"redis.call('XADD', KEYS[1], '*', unpack(ARGV, 3))\n"
	"return redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])\n",
	""
};

/* Create the intake state for the names in cf. */
struct stream *
stream_new(const struct config *cf)
{
	struct stream	*s;

	s = xcalloc(1, sizeof *s);
	s->key = xstrdup(cf->redis_stream);
	s->dead = xstrdup(cf->redis_dead_stream);
	s->group = xstrdup(cf->redis_group);
	s->consumer = xstrdup(cf->redis_consumer);
	s->batch = (long)cf->events_batch;
	s->claim_idle_ms = (long)cf->redis_claim_idle_ms;
	strcpy(s->history_from, "0");
	strcpy(s->claim_from, "0-0");
	return s;
}

/* Free the intake state. */
void
stream_free(struct stream *s)
{
	if (s == NULL)
		return;
	free(s->key);
	free(s->dead);
	free(s->group);
	free(s->consumer);
	free(s);
}

/* Return the stream's key. */
const char *
stream_key(const struct stream *s)
{
	return s->key;
}

/* Turn a reply that should not be an error into a cause; 0 if fine. */
static int
stream_check(const struct redis_reply *reply, const char *what, char **cause)
{
	if (reply->type != REDIS_TYPE_ERROR)
		return 0;
	if (cause != NULL)
		*cause = xasprintf("%s: %s", what, reply->str);
	return -1;
}

/* Make sure the stream and group exist and restart from the history. */
int
stream_setup(struct stream *s, struct redis *r, char **cause)
{
	struct redis_reply	*reply;
	int			 rc = 0;

	reply = redis_command(r, cause, "XGROUP CREATE %s %s 0 MKSTREAM",
	    s->key, s->group);
	if (reply == NULL)
		return -1;
	if (!redis_reply_is_error(reply, "BUSYGROUP"))
		rc = stream_check(reply, "XGROUP CREATE", cause);
	redis_reply_free(reply);
	strcpy(s->history_from, "0");
	s->history_done = 0;
	return rc;
}

/* Return 1 once the pending entries have all been read since setup. */
int
stream_history_done(const struct stream *s)
{
	return s->history_done;
}

/* Empty a batch, freeing its entries. */
void
stream_batch_clear(struct stream_batch *batch)
{
	size_t	i, j;

	for (i = 0; i < batch->n; i++) {
		for (j = 0; j < 2 * batch->entries[i].n; j++)
			free(batch->entries[i].fields[j]);
		free(batch->entries[i].fields);
		free(batch->entries[i].lens);
		free(batch->entries[i].id);
	}
	free(batch->entries);
	batch->entries = NULL;
	batch->n = 0;
}

/* Append the entries of a reply's [[id, [f, v, ...]], ...] to batch. */
static int
stream_entries(const struct redis_reply *list, struct stream_batch *batch,
    char **cause)
{
	const struct redis_reply	*item, *fv;
	struct stream_entry		*e;
	size_t				 i, j;

	if (list->type == REDIS_TYPE_NIL)
		return 0;
	if (list->type != REDIS_TYPE_ARRAY)
		goto bad;
	for (i = 0; i < list->elements; i++) {
		item = list->element[i];
		if (item->type != REDIS_TYPE_ARRAY || item->elements != 2 ||
		    item->element[0]->type != REDIS_TYPE_STRING)
			goto bad;
		fv = item->element[1];
		if (fv->type != REDIS_TYPE_ARRAY && fv->type != REDIS_TYPE_NIL)
			goto bad;
		if (fv->elements % 2 != 0)
			goto bad;
		batch->entries = xreallocarray(batch->entries, batch->n + 1,
		    sizeof *batch->entries);
		e = &batch->entries[batch->n++];
		memset(e, 0, sizeof *e);
		e->id = xstrdup(item->element[0]->str);
		e->deliveries = 1;
		e->deleted = fv->type == REDIS_TYPE_NIL;
		e->n = fv->elements / 2;
		e->fields = xcalloc(fv->elements, sizeof *e->fields);
		e->lens = xcalloc(fv->elements, sizeof *e->lens);
		for (j = 0; j < fv->elements; j++) {
			e->lens[j] = fv->element[j]->len;
			e->fields[j] = xmalloc(e->lens[j] + 1);
			memcpy(e->fields[j], fv->element[j]->str != NULL ?
			    fv->element[j]->str : "", e->lens[j]);
			e->fields[j][e->lens[j]] = '\0';
		}
	}
	return 0;

bad:
	if (cause != NULL)
		*cause = xstrdup("unexpected reply shape from the stream read");
	return -1;
}

/* Fill in how often each entry of batch has been delivered. */
static int
stream_deliveries(struct stream *s, struct redis *r,
    struct stream_batch *batch, const char *consumer, char **cause)
{
	struct redis_reply	*reply, *row;
	size_t			 i, j;

	if (batch->n == 0)
		return 0;
	reply = redis_command(r, cause, "XPENDING %s %s %s %s %lu %s", s->key,
	    s->group, batch->entries[0].id, batch->entries[batch->n - 1].id,
	    (unsigned long)batch->n, consumer);
	if (reply == NULL)
		return -1;
	if (stream_check(reply, "XPENDING", cause) != 0) {
		redis_reply_free(reply);
		return -1;
	}
	/* Both lists are in ID order: walk them side by side. */
	for (i = j = 0; i < reply->elements && j < batch->n; i++) {
		row = reply->element[i];
		if (row->type != REDIS_TYPE_ARRAY || row->elements != 4)
			continue;
		while (j < batch->n &&
		    strcmp(batch->entries[j].id, row->element[0]->str) != 0)
			j++;
		if (j < batch->n)
			batch->entries[j++].deliveries =
			    row->element[3]->integer;
	}
	redis_reply_free(reply);
	return 0;
}

/* Run XREADGROUP for the given ID and collect the entries. */
static int
stream_readgroup(struct stream *s, struct redis *r, const char *from,
    struct stream_batch *batch, char **cause)
{
	struct redis_reply	*reply;
	int			 rc;

	reply = redis_command(r, cause,
	    "XREADGROUP GROUP %s %s COUNT %ld STREAMS %s %s", s->group,
	    s->consumer, s->batch, s->key, from);
	if (reply == NULL)
		return -1;
	rc = stream_parse_read(s, reply, batch, cause);
	redis_reply_free(reply);
	return rc;
}

/* Read the next page of this consumer's own pending entries. */
int
stream_read_history(struct stream *s, struct redis *r,
    struct stream_batch *batch, char **cause)
{
	int	rc;

	stream_batch_clear(batch);
	if (s->history_done)
		return 0;
	if ((rc = stream_readgroup(s, r, s->history_from, batch, cause)) < 0)
		return -1;
	if (rc == 0 || batch->n == 0) {
		s->history_done = 1;
		return 0;
	}
	snprintf(s->history_from, sizeof s->history_from, "%s",
	    batch->entries[batch->n - 1].id);
	return stream_deliveries(s, r, batch, s->consumer, cause) == 0 ? 1 : -1;
}

/* Claim the next page of entries left idle by any consumer. */
int
stream_claim(struct stream *s, struct redis *r, struct stream_batch *batch,
    char **cause)
{
	struct redis_reply	*reply;
	int			 rc = -1;

	stream_batch_clear(batch);
	reply = redis_command(r, cause, "XAUTOCLAIM %s %s %s %ld %s COUNT %ld",
	    s->key, s->group, s->consumer, s->claim_idle_ms, s->claim_from,
	    s->batch);
	if (reply == NULL)
		return -1;
	if (stream_check(reply, "XAUTOCLAIM", cause) != 0)
		goto out;
	if (reply->type != REDIS_TYPE_ARRAY || reply->elements < 2 ||
	    reply->element[0]->type != REDIS_TYPE_STRING) {
		if (cause != NULL)
			*cause = xstrdup("XAUTOCLAIM: unexpected reply shape");
		goto out;
	}
	snprintf(s->claim_from, sizeof s->claim_from, "%s",
	    reply->element[0]->str);
	if (stream_entries(reply->element[1], batch, cause) != 0)
		goto out;
	if (stream_deliveries(s, r, batch, s->consumer, cause) != 0)
		goto out;
	rc = batch->n > 0;
out:
	redis_reply_free(reply);
	return rc;
}

/* Return 1 if the last claim reached the end of the pending entries. */
int
stream_claim_done(const struct stream *s)
{
	return strcmp(s->claim_from, "0-0") == 0;
}

/* Count the entries of the group read and not acknowledged. */
int
stream_pending(struct stream *s, struct redis *r, long long *n, char **cause)
{
	struct redis_reply	*reply;
	int			 rc = -1;

	*n = 0;
	reply = redis_command(r, cause, "XPENDING %s %s", s->key, s->group);
	if (reply == NULL)
		return -1;
	if (stream_check(reply, "XPENDING", cause) == 0) {
		if (reply->type == REDIS_TYPE_ARRAY && reply->elements == 4 &&
		    reply->element[0]->type == REDIS_TYPE_INTEGER)
			*n = reply->element[0]->integer;
		rc = 0;
	}
	redis_reply_free(reply);
	return rc;
}

/* Send a read of new entries that blocks up to block_ms on the server. */
int
stream_send_read(struct stream *s, struct redis *r, long block_ms,
    char **cause)
{
	const char	*argv[11];
	char		 count[32], block[32];

	snprintf(count, sizeof count, "%ld", s->batch);
	snprintf(block, sizeof block, "%ld", block_ms);
	argv[0] = "XREADGROUP";
	argv[1] = "GROUP";
	argv[2] = s->group;
	argv[3] = s->consumer;
	argv[4] = "COUNT";
	argv[5] = count;
	argv[6] = "BLOCK";
	argv[7] = block;
	argv[8] = "STREAMS";
	argv[9] = s->key;
	argv[10] = ">";
	return redis_send_argv(r, cause, 11, argv, NULL);
}

/* Turn the reply of a read into a batch. */
int
stream_parse_read(struct stream *s, const struct redis_reply *reply,
    struct stream_batch *batch, char **cause)
{
	const struct redis_reply	*st;

	stream_batch_clear(batch);
	if (stream_check(reply, "XREADGROUP", cause) != 0)
		return -1;
	if (reply->type == REDIS_TYPE_NIL)
		return 0;
	if (reply->type != REDIS_TYPE_ARRAY || reply->elements != 1)
		goto bad;
	st = reply->element[0];
	if (st->type != REDIS_TYPE_ARRAY || st->elements != 2 ||
	    strcmp(st->element[0]->str, s->key) != 0)
		goto bad;
	if (stream_entries(st->element[1], batch, cause) != 0)
		return -1;
	return batch->n > 0;

bad:
	if (cause != NULL)
		*cause = xstrdup("XREADGROUP: unexpected reply shape");
	return -1;
}

/* Acknowledge one entry. */
int
stream_ack(struct stream *s, struct redis *r, const char *id, char **cause)
{
	struct redis_reply	*reply;
	int			 rc;

	reply = redis_command(r, cause, "XACK %s %s %s", s->key, s->group, id);
	if (reply == NULL)
		return -1;
	rc = stream_check(reply, "XACK", cause);
	redis_reply_free(reply);
	return rc;
}

/* Move an entry to the dead-letter stream and acknowledge it. */
int
stream_dead(struct stream *s, struct redis *r, const struct stream_entry *e,
    const char *error, char **cause)
{
	struct redis_reply	 *reply;
	const char		**argv;
	size_t			 *lens;
	size_t			  i, n, kept, bytes, total = 0;
	char			 *cut = NULL;
	int			  rc;

	kept = eventparse_fit(e->lens, e->n, &bytes);
	if (kept < e->n) {
		for (i = 0; i < 2 * e->n; i++)
			total += e->lens[i];
		cut = xasprintf("kept the first %zu of its %zu fields (%zu of "
		    "%zu bytes); the whole entry is %s in %s until the stream "
		    "is trimmed", kept, e->n, bytes, total, e->id, s->key);
	}
	n = 4 + 2 * kept + 4 + (cut != NULL ? 2 : 0);
	argv = xcalloc(n, sizeof *argv);
	lens = xcalloc(n, sizeof *lens);
	argv[0] = s->dead;
	argv[1] = s->key;
	argv[2] = s->group;
	argv[3] = e->id;
	for (i = 0; i < 2 * kept; i++) {
		argv[4 + i] = e->fields[i];
		lens[4 + i] = e->lens[i];
	}
	i = 4 + 2 * kept;
	argv[i++] = "error";
	argv[i++] = error;
	argv[i++] = "source_id";
	argv[i++] = e->id;
	if (cut != NULL) {
		argv[i++] = "truncated";
		argv[i++] = cut;
	}
	for (i = 0; i < n; i++) {
		if (i < 4 || i >= 4 + 2 * kept)
			lens[i] = strlen(argv[i]);
	}
	reply = redisscript_eval(r, &stream_dead_script, cause, 2, (int)n, argv,
	    lens);
	free(argv);
	free(lens);
	free(cut);
	if (reply == NULL)
		return -1;
	rc = stream_check(reply, "dead-letter", cause) == 0 ? 0 : 1;
	redis_reply_free(reply);
	return rc;
}
