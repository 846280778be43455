/*
 * opspage.c - the Operations page: what waits, what is being sent, what
 * was given up
 *
 * opspage.h says what is shown. The outbox's figures and the dead
 * letters are read as closeloop queue and closeloop dead read them
 * (backlog.h); the held notices, the notifications waiting and the
 * claims are closeloop queue's lists (waitlist.h), their first entries
 * with the total. Nothing is written.
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
#include "opsctl.h"
#include "opspage.h"
#include "redis.h"
#include "srpage.h"
#include "syntax.h"
#include "view.h"
#include "waitlist.h"
#include "webreq.h"
#include "xmalloc.h"

/* What each reason a notice or notification waits for means. */
static const struct {
	const char	*reason;
	const char	*words;
} opspage_reasons[] = {
	{ "settle", "a closure held (policy.settle_seconds)" },
	{ "coalesce", "a burst being coalesced (policy.coalesce_seconds)" },
	{ "unknown", "its SR's state is gone" },
	{ "due", "due now" },
	{ "paused", "its channel is paused" },
	{ "retry", "a retry after a temporary failure" },
	{ "quiet_hours", "SMS quiet hours (sms.quiet_hours)" },
	{ "rate", "the sending rate" },
	{ "later", "a later due time" }
};

/* Set key in e to a length of time (ms) in words: "45s", "3h 5m". */
static void
opspage_span(struct view *e, const char *key, int64_t ms)
{
	char	buf[WAITLIST_SPAN_LEN];

	waitlist_span(ms, buf);
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
	webreq_time(q, e, "oldest", w.oldest);
	if (w.oldest > 0)
		opspage_span(e, "waited", now - w.oldest);
	webreq_time(q, e, "next", w.next);
}

/* Set why in e to the words of a reason. */
static void
opspage_why(struct view *e, const char *reason)
{
	size_t	i;

	for (i = 0; reason != NULL && i < sizeof opspage_reasons /
	    sizeof opspage_reasons[0]; i++) {
		if (strcmp(opspage_reasons[i].reason, reason) == 0) {
			view_set_string(e, "why", opspage_reasons[i].words);
			return;
		}
	}
	view_set_string(e, "why", reason);
}

/*
 * Read the first max entries of a list (waitlist.h) and set its total,
 * name_total, in v. Returns the list, or NULL after answering 503.
 */
static struct waitlist *
opspage_list(struct webreq *q, struct view *v, enum waitlist_kind kind,
    size_t max, const char *name, int64_t now)
{
	struct waitlist_filter	 f = { NULL, 0, max };
	struct waitlist		*wl;
	char			*cause = NULL, key[32];

	if (waitlist_read(q->w->r, q->cf, kind, &f, now, &wl, &cause) != 0) {
		webreq_redis_failed(q, cause);
		return NULL;
	}
	snprintf(key, sizeof key, "%s_total", name);
	opspage_count(v, key, (long long)wl->n + wl->more);
	snprintf(key, sizeof key, "has_%s", name);
	view_set(v, key, view_bool(wl->n > 0));
	return wl;
}

/* Set an entry's due time in e, and how long until it, if it is later. */
static void
opspage_due(struct webreq *q, struct view *e, int64_t at, int64_t now)
{
	webreq_time(q, e, "due", at);
	if (at > now)
		opspage_span(e, "in", at - now);
}

/* Add the held notices to v. Returns 0, or -1 after answering. */
static int
opspage_held(struct webreq *q, struct view *v, int64_t now)
{
	struct waitlist	*wl;
	struct view	*list, *e;
	size_t		 i;

	if ((wl = opspage_list(q, v, WAITLIST_HELD, OPSPAGE_WAIT_MAX, "held",
	    now)) == NULL)
		return -1;
	list = view_set(v, "held", view_list());
	for (i = 0; i < wl->n; i++) {
		e = view_append(list, view_map());
		opspage_sr(e, wl->item[i].sr);
		view_set_string(e, "notice", wl->item[i].notice);
		opspage_due(q, e, wl->item[i].at, now);
		opspage_why(e, wl->item[i].reason);
	}
	waitlist_free(wl);
	return 0;
}

/* Add the notifications waiting to v. Returns 0, or -1 after answering. */
static int
opspage_waiting(struct webreq *q, struct view *v, int64_t now)
{
	struct waitlist		*wl;
	struct waitlist_item	*it;
	struct view		*list, *e;
	size_t			 i;

	if ((wl = opspage_list(q, v, WAITLIST_WAITING, OPSPAGE_WAIT_MAX,
	    "waiting", now)) == NULL)
		return -1;
	list = view_set(v, "waiting", view_list());
	for (i = 0; i < wl->n; i++) {
		it = &wl->item[i];
		e = view_append(list, view_map());
		view_set_string(e, "id", it->id);
		opspage_sr(e, it->id);
		view_set_string(e, "notice", it->notice);
		view_set_string(e, "locale", it->locale);
		view_set_string(e, "channel", event_channel_name(it->channel));
		view_set_string(e, "to", it->to);
		opspage_due(q, e, it->at, now);
		opspage_why(e, it->reason);
	}
	waitlist_free(wl);
	return 0;
}

/* Add the claims under way to v. Returns 0, or -1 after answering. */
static int
opspage_claims(struct webreq *q, struct view *v, int64_t now)
{
	struct waitlist		*wl;
	struct waitlist_item	*it;
	struct view		*list, *e;
	char			 attempt[32];
	size_t			 i;

	if ((wl = opspage_list(q, v, WAITLIST_CLAIM, OPSPAGE_MAX, "claims",
	    now)) == NULL)
		return -1;
	list = view_set(v, "claims", view_list());
	for (i = 0; i < wl->n; i++) {
		it = &wl->item[i];
		e = view_append(list, view_map());
		view_set_string(e, "id", it->id);
		opspage_sr(e, it->id);
		webreq_time(q, e, "lease_end", it->at);
		view_set(e, "lease_over", view_bool(it->at <= now));
		if (it->channel != 0)
			view_set_string(e, "channel",
			    event_channel_name(it->channel));
		view_set_string(e, "to", it->to);
		view_set_string(e, "owner", it->owner);
		webreq_time(q, e, "claimed", it->claimed);
		snprintf(attempt, sizeof attempt, "%lld", it->attempts);
		view_set_string(e, "attempt", attempt);
		view_set_string(e, "notice", it->notice);
	}
	waitlist_free(wl);
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
	webreq_time(q, e, "when", backlog_entry_ms(entry));
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
	opspage_count(v, "wait_max", OPSPAGE_WAIT_MAX);
	rows = view_set(v, "outbox", view_list());
	opspage_channel(q, rows, EVENT_CHANNEL_EMAIL, now);
	opspage_channel(q, rows, EVENT_CHANNEL_SMS, now);
	if (opsctl_add(q, v) != 0 || opspage_held(q, v, now) != 0 ||
	    opspage_waiting(q, v, now) != 0 ||
	    opspage_claims(q, v, now) != 0 || opspage_dead(q, v) != 0) {
		view_free(v);
		return;
	}
	webreq_page(q, "operations", "Operations", v);
}
