/*
 * outbox.c - notifications waiting to be delivered, kept in Redis
 *
 * The storage is described in outbox.h: a record is queued in the
 * transaction of the step that decided it, and read back into an item
 * (the notice rebuilt) when a worker claims it (claim.h) or an operator
 * acts on it (steer.h).
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channel.h"
#include "clock.h"
#include "config.h"
#include "event.h"
#include "notice.h"
#include "outbox.h"
#include "redis.h"
#include "retry.h"
#include "txn.h"
#include "xmalloc.h"

/* Return the key of a notification's record. */
char *
outbox_key(const struct config *cf, const char *id)
{
	const char	*slash = strchr(id, '/');

	if (slash == NULL)
		return xasprintf("%sn:%s", cf->redis_prefix, id);
	return xasprintf("%ssr:{%.*s}:n:%s", cf->redis_prefix,
	    (int)(slash - id), id, slash + 1);
}

/*
 * Queue the record "id" of notice n for recipient i and its due entry,
 * with link (NULL, "fallback_of" or "resend_of") naming the notification
 * of, and the extra field/value pairs (NULL-ended; NULL for none).
 */
static void
outbox_queue_id(struct txn *tx, const struct config *cf,
    const struct notice *n, size_t i, const char *id, const char *link,
    const char *of, const char *const *extra, int64_t now)
{
	const char	*argv[4 + NOTICE_FIELDS_MAX + 16];
	char		*key, *qkey, created[32], due[32], ttl[32];
	size_t		 k, j;
	int		 channel = n->to[i].channel;
	int64_t		 when;

	key = outbox_key(cf, id);
	qkey = retry_queue_key(cf, channel);
	when = retry_due(cf, channel, now);
	argv[0] = "HSET";
	argv[1] = key;
	k = 2 + notice_fields(n, i, argv + 2);
	for (j = 2; j < k; j += 2) {
		if (strcmp(argv[j], "id") == 0)
			argv[j + 1] = id;
	}
	snprintf(created, sizeof created, "%lld", (long long)now);
	argv[k++] = "notice_id";
	argv[k++] = n->id;
	argv[k++] = "state";
	argv[k++] = "queued";
	argv[k++] = "created";
	argv[k++] = created;
	argv[k++] = "attempts";
	argv[k++] = "0";
	if (when > now) {
		argv[k++] = "wait";
		argv[k++] = "quiet_hours";
	}
	if (link != NULL) {
		argv[k++] = link;
		argv[k++] = of;
	} else if (n->to[i].alt != NULL) {
		argv[k++] = "fallback_channel";
		argv[k++] = event_channel_name(channel == EVENT_CHANNEL_SMS ?
		    EVENT_CHANNEL_EMAIL : EVENT_CHANNEL_SMS);
		argv[k++] = "fallback_to";
		argv[k++] = n->to[i].alt;
	}
	for (j = 0; extra != NULL && extra[j] != NULL && j < 6; j += 2) {
		argv[k++] = extra[j];
		argv[k++] = extra[j + 1];
	}
	txn_queue(tx, (int)k, argv);
	snprintf(ttl, sizeof ttl, "%lld", (long long)(retry_max_age(cf,
	    channel) / 1000 + cf->policy_retain_days * 86400));
	argv[0] = "EXPIRE";
	argv[2] = ttl;
	txn_queue(tx, 3, argv);
	snprintf(due, sizeof due, "%lld", (long long)when);
	argv[0] = "ZADD";
	argv[1] = qkey;
	argv[2] = due;
	argv[3] = id;
	txn_queue(tx, 4, argv);
	free(qkey);
	free(key);
}

/* Queue a notification's record and due entry. */
void
outbox_queue(struct txn *tx, const struct config *cf,
    const struct notice *n, size_t i, const char *fallback_of, int64_t now)
{
	char	*id;

	if (fallback_of != NULL)
		id = xasprintf("%sf", fallback_of);
	else
		id = xasprintf("%s/%zu", n->id, i);
	outbox_queue_id(tx, cf, n, i, id, fallback_of != NULL ?
	    "fallback_of" : NULL, fallback_of, NULL, now);
	free(id);
}

/* Queue the notification of a notice for its one recipient as id. */
void
outbox_queue_as(struct txn *tx, const struct config *cf,
    const struct notice *n, const char *id, int64_t now)
{
	outbox_queue_id(tx, cf, n, 0, id, NULL, NULL, NULL, now);
}

/* Queue a notification sent again as id. */
void
outbox_queue_resend(struct txn *tx, const struct config *cf,
    const struct notice *n, const char *id, const char *of,
    const char *const *extra, int64_t now)
{
	outbox_queue_id(tx, cf, n, 0, id, "resend_of", of, extra, now);
}

/* Return the value of a field of a claimed notification. */
const char *
outbox_field(const struct outbox_item *it, const char *name)
{
	size_t	i;

	for (i = 0; i < it->nfields; i++) {
		if (strcmp(it->fields[2 * i], name) == 0)
			return it->fields[2 * i + 1];
	}
	return NULL;
}

/* Copy a field into a string of the notice, if it is set. */
static char *
outbox_dup(const struct outbox_item *it, const char *name)
{
	const char	*v = outbox_field(it, name);

	return v != NULL && *v != '\0' ? xstrdup(v) : NULL;
}

/* Rebuild the notice of a notification from its record. */
static struct notice *
outbox_notice(const struct outbox_item *it)
{
	struct notice	*n;
	const char	*v;

	n = xcalloc(1, sizeof *n);
	n->id = outbox_dup(it, "notice_id");
	n->sr = outbox_dup(it, "sr");
	v = outbox_field(it, "notice");
	n->notice = v != NULL ? vocab_notice_parse(v) : VOCAB_NOTICE_NONE;
	n->division = outbox_dup(it, "division");
	n->from_division = outbox_dup(it, "from_division");
	n->service = outbox_dup(it, "service");
	n->ward = outbox_dup(it, "ward");
	n->closed_at = outbox_dup(it, "closed_at");
	n->note = outbox_dup(it, "note");
	n->note_code = outbox_dup(it, "note_code");
	n->photos = outbox_dup(it, "photos");
	n->scheduled_for = outbox_dup(it, "scheduled_for");
	n->duplicate_of = outbox_dup(it, "duplicate_of");
	n->standard_days = outbox_dup(it, "standard_days");
	n->standard_target = outbox_dup(it, "standard_target");
	n->standard_due = outbox_dup(it, "standard_due");
	n->partial = outbox_field(it, "partial") != NULL;
	n->correction = outbox_field(it, "correction") != NULL;
	n->question = outbox_dup(it, "question");
	n->answer_by = outbox_dup(it, "answer_by");
	n->events = outbox_dup(it, "events");
	n->to = xcalloc(1, sizeof *n->to);
	n->nto = 1;
	n->to[0].channel = it->channel;
	n->to[0].address = outbox_dup(it, "to");
	n->to[0].locale = outbox_dup(it, "locale");
	n->to[0].resident = outbox_dup(it, "resident");
	if (n->sr == NULL || n->to[0].address == NULL ||
	    n->notice == VOCAB_NOTICE_NONE) {
		notice_free(n);
		return NULL;
	}
	return n;
}

/* Return a reply's string, or "" for any other reply. */
static const char *
outbox_str(const struct redis_reply *v)
{
	return v->type == REDIS_TYPE_STRING && v->str != NULL ? v->str : "";
}

/* Return the value of name in a reply of name/value pairs, or NULL. */
static const char *
outbox_pair(const struct redis_reply *pairs, const char *name)
{
	size_t	i;

	for (i = 0; pairs != NULL && i + 1 < pairs->elements; i += 2) {
		if (strcmp(outbox_str(pairs->element[i]), name) == 0)
			return outbox_str(pairs->element[i + 1]);
	}
	return NULL;
}

/* Return 1 if name is one of a reply's strings. */
static int
outbox_listed(const struct redis_reply *names, const char *name)
{
	size_t	i;

	for (i = 0; names != NULL && i < names->elements; i++) {
		if (strcmp(outbox_str(names->element[i]), name) == 0)
			return 1;
	}
	return 0;
}

/*
 * Set the item's fields to the pairs of src (2 * n strings), copied
 * into one allocation.
 */
static void
outbox_item_fill(struct outbox_item *it, const char **src, size_t n)
{
	size_t	 i, len, size = 0;
	char	*p;

	for (i = 0; i < 2 * n; i++)
		size += strlen(src[i]) + 1;
	it->nfields = n;
	it->fields = xcalloc(2 * n + 1, sizeof *it->fields);
	it->strings = p = xmalloc(size + 1);
	for (i = 0; i < 2 * n; i++) {
		len = strlen(src[i]) + 1;
		memcpy(p, src[i], len);
		it->fields[i] = p;
		p += len;
	}
}

/* Turn a record, as HGETALL reads it, into an item. */
struct outbox_item *
outbox_item_parse(const struct redis_reply *f)
{
	return outbox_item_merge(f, NULL, NULL);
}

/* Turn a record with changes, as the claim script reads it, into an item. */
struct outbox_item *
outbox_item_merge(const struct redis_reply *f, const struct redis_reply *set,
    const struct redis_reply *gone)
{
	struct outbox_item	 *it;
	const char		**src, *name, *v;
	size_t			  i, n = 0;

	src = xcalloc(f->elements + (set != NULL ? set->elements : 0) + 1,
	    sizeof *src);
	/* The record's pairs in their order, with set's values, less gone. */
	for (i = 0; i + 1 < f->elements; i += 2) {
		name = outbox_str(f->element[i]);
		if (outbox_listed(gone, name))
			continue;
		v = outbox_pair(set, name);
		src[2 * n] = name;
		src[2 * n++ + 1] = v != NULL ? v : outbox_str(f->element[i + 1]);
	}
	/* Then the pairs of set whose name the loop above did not place. */
	for (i = 0; set != NULL && i + 1 < set->elements; i += 2) {
		name = outbox_str(set->element[i]);
		if (outbox_pair(f, name) != NULL && !outbox_listed(gone, name))
			continue;
		src[2 * n] = name;
		src[2 * n++ + 1] = outbox_str(set->element[i + 1]);
	}
	it = xcalloc(1, sizeof *it);
	outbox_item_fill(it, src, n);
	free(src);
	it->id = xstrdup((v = outbox_field(it, "id")) != NULL ? v : "?");
	v = outbox_field(it, "channel");
	it->channel = v != NULL && strcmp(v, "sms") == 0 ?
	    EVENT_CHANNEL_SMS : EVENT_CHANNEL_EMAIL;
	if ((v = outbox_field(it, "attempts")) != NULL)
		it->attempts = strtoll(v, NULL, 10);
	if ((v = outbox_field(it, "created")) != NULL)
		it->created = strtoll(v, NULL, 10);
	it->since = it->created;
	if ((v = outbox_field(it, "retried_at")) != NULL &&
	    strtoll(v, NULL, 10) > it->since)
		it->since = strtoll(v, NULL, 10);
	v = outbox_field(it, "prev_state");
	it->resend = v != NULL && strcmp(v, "sending") == 0;
	v = outbox_field(it, "state");
	it->unsubscribed = v != NULL && strcmp(v, "unsubscribed") == 0;
	v = outbox_field(it, "claim_note");
	it->suppressed = v != NULL && strcmp(v, "suppressed") == 0;
	if (v != NULL && strncmp(v, "rate:", 5) == 0 &&
	    (it->rate_until = strtoll(v + 5, NULL, 10)) <= 0)
		it->rate_until = 1;
	it->notice = outbox_notice(it);
	return it;
}

/* Read a notification's record as an item. */
struct outbox_item *
outbox_item_read(struct redis *r, const struct config *cf, const char *id,
    char **cause)
{
	struct redis_reply	*f;
	struct outbox_item	*it = NULL;
	char			*key;

	key = outbox_key(cf, id);
	f = redis_command(r, cause, "HGETALL %s", key);
	free(key);
	if (f == NULL)
		return NULL;
	if (f->type != REDIS_TYPE_ARRAY || f->elements == 0) {
		if (cause != NULL)
			*cause = xasprintf("%s: %s", id, f->type ==
			    REDIS_TYPE_ERROR ? f->str : "no such notification "
			    "(or its record has expired)");
	} else
		it = outbox_item_parse(f);
	redis_reply_free(f);
	return it;
}

/* WATCH a notification's record and read it. */
struct redis_reply *
outbox_watch(struct redis *r, const char *key, char **cause)
{
	struct redis_reply	*f;

	f = redis_command(r, cause, "WATCH %s", key);
	if (f != NULL && f->type == REDIS_TYPE_STATUS) {
		redis_reply_free(f);
		f = redis_command(r, cause, "HGETALL %s", key);
	}
	if (f != NULL && f->type != REDIS_TYPE_ARRAY) {
		*cause = xstrdup(f->str != NULL ? f->str : "unexpected reply");
		redis_reply_free(f);
		f = NULL;
	}
	return f;
}

/* How often outbox_watch_settled() looks again. */
#define OUTBOX_SETTLE_STEP_MS	10

/* WATCH and read a record once its outcome is written, or max_ms on. */
struct redis_reply *
outbox_watch_settled(struct redis *r, const char *key, int64_t max_ms,
    char **cause)
{
	struct redis_reply	*f;
	struct timespec		 ts;
	const char		*state;
	int64_t			 i;

	clock_split(OUTBOX_SETTLE_STEP_MS, &ts);
	for (i = 0;; i++) {
		if ((f = outbox_watch(r, key, cause)) == NULL)
			return NULL;
		state = redis_reply_field(f, "state");
		if (state == NULL || strcmp(state, "sending") != 0 ||
		    i >= max_ms / OUTBOX_SETTLE_STEP_MS)
			return f;
		redis_unwatch(r);
		redis_reply_free(f);
		nanosleep(&ts, NULL);
	}
}

/* Count what waits in the outbox. */
int
outbox_depth(struct redis *r, const struct config *cf, long long *email,
    long long *sms, char **cause)
{
	struct redis_reply	*reply;
	long long		*out[2] = { email, sms };
	const int		 channels[2] = { EVENT_CHANNEL_EMAIL,
				    EVENT_CHANNEL_SMS };
	const char		*argv[2];
	char			*key;
	int			 i;

	for (i = 0; i < 2; i++) {
		key = retry_queue_key(cf, channels[i]);
		argv[0] = "ZCARD";
		argv[1] = key;
		redis_pipe_argv(r, 2, argv, NULL);
		free(key);
	}
	for (i = 0; i < 2; i++) {
		if ((reply = redis_pipe_reply(r, cause)) == NULL)
			return -1;
		*out[i] = reply->type == REDIS_TYPE_INTEGER ? reply->integer : 0;
		redis_reply_free(reply);
	}
	return 0;
}

/* Say when to render a notification, and whether it still can be. */
int
outbox_render_when(const struct outbox_item *it, const char *version,
    int64_t now, int64_t *when, char **cause)
{
	const char	*at = outbox_field(it, "render_at");
	const char	*same = outbox_field(it, "same_version");

	*when = now;
	if (same != NULL && (version == NULL || strcmp(same, version) != 0)) {
		if (cause != NULL)
			*cause = xasprintf("the template set in use (%s) is "
			    "not the one the first message was sent with "
			    "(%s): not the same content; resend it without "
			    "--same-content", version != NULL ? version : "?",
			    same);
		return -1;
	}
	if (at != NULL && strtoll(at, NULL, 10) > 0)
		*when = strtoll(at, NULL, 10);
	return 0;
}

/* Say whether a claimed notification is not to be sent now. */
int
outbox_skip(const struct outbox_item *it)
{
	return it->unsubscribed || it->suppressed || it->rate_until != 0;
}

/* Free a claimed notification. */
void
outbox_item_free(struct outbox_item *it)
{
	if (it == NULL)
		return;
	free(it->strings);
	free(it->fields);
	notice_free(it->notice);
	free(it->id);
	free(it);
}
