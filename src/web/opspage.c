/*
 * opspage.c - the Operations page: what waits, what is being sent, what
 * was given up
 *
 * opspage.h says what is shown. The outbox's figures and the dead
 * letters are read as closeloop queue and closeloop dead read them
 * (backlog.h). Held notices are the due-time index of SRs (commit.h),
 * claims the lease set (retry.h); each is counted, its first entries
 * read by score, and what the page shows of each entry (is a closure
 * held? a claim's worker, attempt and contact) read in one pipeline.
 * Nothing is written.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backlog.h"
#include "clock.h"
#include "config.h"
#include "datefmt.h"
#include "event.h"
#include "log.h"
#include "opspage.h"
#include "outbox.h"
#include "redis.h"
#include "retry.h"
#include "srpage.h"
#include "srstate.h"
#include "syntax.h"
#include "view.h"
#include "webreq.h"
#include "xmalloc.h"

/* A list read from a sorted set: its size and its first members. */
struct opspage_set {
	long long		 total;
	struct redis_reply	*first;	/* member, score, member, ... */
	size_t			 n;	/* members in first */
};

/* Set key in e to a time (ms) in the configured zone, if it is one. */
static void
opspage_time(const struct webreq *q, struct view *e, const char *key,
    int64_t ms)
{
	char	buf[32];

	if (ms <= 0)
		return;
	datefmt_local(q->cf->templates_timezone, ms, buf, sizeof buf);
	view_set_string(e, key, buf);
}

/* Set key in e to a length of time (ms) in words: "45 s", "3 h 5 min". */
static void
opspage_span(struct view *e, const char *key, int64_t ms)
{
	char		buf[32];
	long long	s = ms > 0 ? (long long)(ms / 1000) : 0;

	if (s < 60)
		snprintf(buf, sizeof buf, "%lld s", s);
	else if (s < 3600)
		snprintf(buf, sizeof buf, "%lld min", s / 60);
	else if (s < 86400)
		snprintf(buf, sizeof buf, "%lld h %lld min", s / 3600,
		    s / 60 % 60);
	else
		snprintf(buf, sizeof buf, "%lld d %lld h", s / 86400,
		    s / 3600 % 24);
	view_set_string(e, key, buf);
}

/* Set key in v to a count. */
static void
opspage_count(struct view *v, const char *key, long long n)
{
	char	buf[32];

	snprintf(buf, sizeof buf, "%lld", n);
	view_set_string(v, key, buf);
}

/* Set the link to an SR's timeline, from an SR or an id "SR/SEQ/I". */
static void
opspage_sr(struct view *e, const char *id)
{
	const char	*why;
	char		*sr, *link;

	if (id == NULL)
		return;
	sr = xstrndup(id, strcspn(id, "/"));
	if (syntax_sr(sr, &why) == 0) {
		link = srpage_link(sr);
		view_set_string(e, "sr", sr);
		view_set_string(e, "sr_link", link);
		free(link);
	}
	free(sr);
}

/* Add the outbox's figures of one channel to the list rows. */
static void
opspage_channel(struct webreq *q, struct view *rows, int channel,
    int64_t now)
{
	struct backlog_wait	 w;
	struct view		*e;

	backlog_channel(q->w->r, q->cf, channel, now, &w);
	e = view_append(rows, view_map());
	view_set_string(e, "channel", event_channel_name(channel));
	opspage_count(e, "due", w.due);
	opspage_count(e, "later", w.later);
	opspage_time(q, e, "oldest", w.oldest);
	if (w.oldest > 0)
		opspage_span(e, "waited", now - w.oldest);
	opspage_time(q, e, "next", w.next);
}

/*
 * Read the size and the first OPSPAGE_MAX members of sorted set key.
 * Returns 0, or -1 after answering 503.
 */
static int
opspage_range(struct webreq *q, const char *key, struct opspage_set *set)
{
	char	*cause = NULL;

	memset(set, 0, sizeof *set);
	if ((set->total = backlog_count(q->w->r, "ZCARD %s", key)) < 0 ||
	    (set->first = redis_command(q->w->r, &cause, "ZRANGE %s 0 %d "
	    "WITHSCORES", key, OPSPAGE_MAX - 1)) == NULL ||
	    set->first->type != REDIS_TYPE_ARRAY) {
		redis_reply_free(set->first);
		webreq_redis_failed(q, cause != NULL ? cause :
		    xasprintf("%s: not a sorted set", key));
		return -1;
	}
	set->n = set->first->elements / 2;
	return 0;
}

/*
 * Read, in one pipeline, the fields of each member's hash (the key is
 * made from the member by keyfn). Returns the replies (NULL for none),
 * or NULL after answering 503; the caller frees each and the array.
 */
static struct redis_reply **
opspage_fields(struct webreq *q, const struct opspage_set *set,
    char *(*keyfn)(const struct config *, const char *),
    const char *const *fields, int nfields)
{
	struct redis_reply	**out;
	const char		 *argv[8];
	char			 *key, *cause = NULL;
	size_t			  i, k;
	int			  f;

	out = xcalloc(set->n + 1, sizeof *out);
	for (i = 0; i < set->n; i++) {
		key = keyfn(q->cf, set->first->element[2 * i]->str);
		argv[0] = "HMGET";
		argv[1] = key;
		for (f = 0; f < nfields; f++)
			argv[2 + f] = fields[f];
		redis_pipe_argv(q->w->r, 2 + nfields, argv, NULL);
		free(key);
	}
	for (i = 0; i < set->n; i++) {
		if ((out[i] = redis_pipe_reply(q->w->r, &cause)) == NULL) {
			for (k = 0; k < i; k++)
				redis_reply_free(out[k]);
			free(out);
			webreq_redis_failed(q, cause);
			return NULL;
		}
	}
	return out;
}

/* Return the f-th value of an HMGET reply, or NULL. */
static const char *
opspage_value(const struct redis_reply *reply, size_t f)
{
	if (reply == NULL || reply->type != REDIS_TYPE_ARRAY ||
	    f >= reply->elements || reply->element[f]->type !=
	    REDIS_TYPE_STRING)
		return NULL;
	return reply->element[f]->str;
}

/* Free what opspage_fields() and opspage_range() read. */
static void
opspage_clear(struct opspage_set *set, struct redis_reply **fields)
{
	size_t	i;

	for (i = 0; fields != NULL && i < set->n; i++)
		redis_reply_free(fields[i]);
	free(fields);
	redis_reply_free(set->first);
}

/* Add the held notices to v. Returns 0, or -1 after answering. */
static int
opspage_held(struct webreq *q, struct view *v, int64_t now)
{
	static const char *const fields[] = { "held" };
	struct opspage_set	 set;
	struct redis_reply	**held;
	struct view		*list, *e;
	const char		*h;
	char			*key;
	int64_t			 at;
	size_t			 i;
	int			 rc;

	key = xasprintf("%sdue", q->cf->redis_prefix);
	rc = opspage_range(q, key, &set);
	free(key);
	if (rc != 0)
		return -1;
	if ((held = opspage_fields(q, &set, srstate_key, fields, 1)) ==
	    NULL) {
		opspage_clear(&set, NULL);
		return -1;
	}
	opspage_count(v, "held_total", set.total);
	list = view_set(v, "held", view_list());
	for (i = 0; i < set.n; i++) {
		e = view_append(list, view_map());
		opspage_sr(e, set.first->element[2 * i]->str);
		if (redis_score(set.first->element[2 * i + 1]->str, &at) == 0) {
			opspage_time(q, e, "release", at);
			if (at > now)
				opspage_span(e, "in", at - now);
		}
		h = opspage_value(held[i], 0);
		view_set_string(e, "why", h != NULL && strcmp(h, "1") == 0 ?
		    "a closure held (policy.settle_seconds)" :
		    "a burst being coalesced (policy.coalesce_seconds)");
	}
	view_set(v, "has_held", view_bool(set.n > 0));
	opspage_clear(&set, held);
	return 0;
}

/* Add the claims under way to v. Returns 0, or -1 after answering. */
static int
opspage_claims(struct webreq *q, struct view *v, int64_t now)
{
	static const char *const fields[] = { "channel", "to", "owner",
	    "claimed", "attempts", "notice" };
	struct opspage_set	 set;
	struct redis_reply	**rec;
	struct view		*list, *e;
	const char		*id, *channel, *to;
	char			*key, *masked;
	int64_t			 at;
	size_t			 i;

	key = retry_lease_key(q->cf);
	if (opspage_range(q, key, &set) != 0) {
		free(key);
		return -1;
	}
	free(key);
	if ((rec = opspage_fields(q, &set, outbox_key, fields, 6)) == NULL) {
		opspage_clear(&set, NULL);
		return -1;
	}
	opspage_count(v, "claims_total", set.total);
	list = view_set(v, "claims", view_list());
	for (i = 0; i < set.n; i++) {
		e = view_append(list, view_map());
		id = set.first->element[2 * i]->str;
		view_set_string(e, "id", id);
		opspage_sr(e, id);
		if (redis_score(set.first->element[2 * i + 1]->str, &at) == 0) {
			opspage_time(q, e, "lease_end", at);
			view_set(e, "lease_over", view_bool(at <= now));
		}
		channel = opspage_value(rec[i], 0);
		view_set_string(e, "channel", channel);
		if ((to = opspage_value(rec[i], 1)) != NULL) {
			masked = channel != NULL && strcmp(channel, "sms") ==
			    0 ? log_mask_phone(to) : log_mask_email(to);
			view_set_string(e, "to", masked);
			free(masked);
		}
		view_set_string(e, "owner", opspage_value(rec[i], 2));
		if (opspage_value(rec[i], 3) != NULL)
			opspage_time(q, e, "claimed", strtoll(
			    opspage_value(rec[i], 3), NULL, 10));
		view_set_string(e, "attempt", opspage_value(rec[i], 4));
		view_set_string(e, "notice", opspage_value(rec[i], 5));
	}
	view_set(v, "has_claims", view_bool(set.n > 0));
	opspage_clear(&set, rec);
	return 0;
}

/* Add one dead letter to list. */
static void
opspage_letter(struct webreq *q, struct view *list, const char *entry,
    const struct redis_reply *f)
{
	const char	*kind = redis_reply_field(f, "kind");
	const char	*error = redis_reply_field(f, "error");
	struct view	*e;
	char		*masked;

	e = view_append(list, view_map());
	view_set_string(e, "entry", entry);
	opspage_time(q, e, "when", backlog_entry_ms(entry));
	if (kind != NULL && strcmp(kind, "notification") == 0) {
		view_set(e, "notification", view_bool(1));
		view_set_string(e, "id", redis_reply_field(f, "id"));
		opspage_sr(e, redis_reply_field(f, "id"));
		view_set_string(e, "channel", redis_reply_field(f, "channel"));
		view_set_string(e, "to", redis_reply_field(f, "to"));
		view_set_string(e, "state", redis_reply_field(f, "state"));
	} else {
		opspage_sr(e, redis_reply_field(f, "sr"));
		view_set_string(e, "type", redis_reply_field(f, "type"));
	}
	masked = log_mask_reply(error != NULL ? error : "(no reason kept)",
	    NULL);
	view_set_string(e, "reason", masked);
	free(masked);
}

/* Add the dead letters to v. Returns 0, or -1 after answering. */
static int
opspage_dead(struct webreq *q, struct view *v)
{
	struct redis_reply	*reply;
	struct view		*list;
	char			*cause = NULL;
	long long		 total;
	size_t			 i;

	if ((total = backlog_count(q->w->r, "XLEN %s",
	    q->cf->redis_dead_stream)) < 0 ||
	    (reply = backlog_dead(q->w->r, q->cf, OPSPAGE_MAX, &cause)) ==
	    NULL) {
		webreq_redis_failed(q, cause != NULL ? cause : xasprintf(
		    "%s: not a stream", q->cf->redis_dead_stream));
		return -1;
	}
	opspage_count(v, "dead_total", total);
	list = view_set(v, "dead", view_list());
	for (i = 0; i < reply->elements; i++) {
		if (reply->element[i]->elements == 2)
			opspage_letter(q, list,
			    reply->element[i]->element[0]->str,
			    reply->element[i]->element[1]);
	}
	view_set(v, "has_dead", view_bool(reply->elements > 0));
	redis_reply_free(reply);
	return 0;
}

/* GET /operations. */
void
opspage_show(struct webreq *q)
{
	struct view	*v, *rows;
	int64_t		 now = clock_now();
	char		 when[32];

	if (webreq_redis(q) == NULL)
		return;
	v = view_map();
	datefmt_local(q->cf->templates_timezone, now, when, sizeof when);
	view_set_string(v, "now", when);
	view_set_string(v, "timezone", q->cf->templates_timezone);
	opspage_count(v, "max", OPSPAGE_MAX);
	rows = view_set(v, "outbox", view_list());
	opspage_channel(q, rows, EVENT_CHANNEL_EMAIL, now);
	opspage_channel(q, rows, EVENT_CHANNEL_SMS, now);
	if (opspage_held(q, v, now) != 0 || opspage_claims(q, v, now) != 0 ||
	    opspage_dead(q, v) != 0) {
		view_free(v);
		return;
	}
	webreq_page(q, "operations", "Operations", v);
}
