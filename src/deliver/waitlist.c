/*
 * waitlist.c - what waits, one entry at a time, read for operators
 *
 * waitlist.h says what each list holds. A set is read a page at a time;
 * of each page, the members a list keeps are read in one pipeline - the
 * SR's state for a held notice (srlist_decode()), a few fields of the
 * record for a notification. A held notice's notice is what the policy
 * would decide if its window ended now (policy_release() on the state
 * read, which is thrown away). Once a list is full, a filter that needs
 * no record only counts the rest; one that does (a channel for held
 * notices and claims) reads them all.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backlog.h"
#include "config.h"
#include "event.h"
#include "notice.h"
#include "outbox.h"
#include "policy.h"
#include "redis.h"
#include "rediszset.h"
#include "retry.h"
#include "srlist.h"
#include "srstate.h"
#include "waitlist.h"
#include "xmalloc.h"

/* The fields of a notification's record the lists show, in order. */
static const char *const waitlist_fields[] = {
	"sr", "notice", "locale", "to", "attempts", "wait", "channel",
	"owner", "claimed"
};
enum {
	WAITLIST_F_SR, WAITLIST_F_NOTICE, WAITLIST_F_LOCALE, WAITLIST_F_TO,
	WAITLIST_F_ATTEMPTS, WAITLIST_F_WAIT, WAITLIST_F_CHANNEL,
	WAITLIST_F_OWNER, WAITLIST_F_CLAIMED, WAITLIST_NFIELDS
};

/* The reasons a record's wait field may give. */
static const char *const waitlist_waits[] = {
	"retry", "quiet_hours", "paused", "rate"
};

/* A list being read from one sorted set. */
struct waitlist_scan {
	struct redis			*r;
	const struct config		*cf;
	const struct waitlist_filter	*f;
	enum waitlist_kind		 kind;
	int				 channel;	/* the due set's; 0 */
	int				 paused;	/* that channel is */
	int64_t				 now;
	struct waitlist			*wl;
};

/* Return why a notification waits. */
const char *
waitlist_reason(const char *wait, long long attempts, int quiet_end,
    int paused, int64_t due, int64_t now)
{
	size_t	i;

	if (due <= now)
		return paused ? "paused" : "due";
	for (i = 0; wait != NULL && i < sizeof waitlist_waits /
	    sizeof waitlist_waits[0]; i++) {
		if (strcmp(wait, waitlist_waits[i]) == 0)
			return waitlist_waits[i];
	}
	if (attempts > 0)
		return "retry";
	return quiet_end ? "quiet_hours" : "later";
}

/* Write a length of time in its two largest units. */
void
waitlist_span(int64_t ms, char buf[WAITLIST_SPAN_LEN])
{
	long long	s = ms > 0 ? (long long)((ms + 999) / 1000) : 0;

	if (s < 60)
		snprintf(buf, WAITLIST_SPAN_LEN, "%llds", s);
	else if (s < 3600)
		snprintf(buf, WAITLIST_SPAN_LEN, "%lldm", s / 60);
	else if (s < 86400 && s / 60 % 60 != 0)
		snprintf(buf, WAITLIST_SPAN_LEN, "%lldh %lldm", s / 3600,
		    s / 60 % 60);
	else if (s < 86400)
		snprintf(buf, WAITLIST_SPAN_LEN, "%lldh", s / 3600);
	else if (s / 3600 % 24 != 0)
		snprintf(buf, WAITLIST_SPAN_LEN, "%lldd %lldh", s / 86400,
		    s / 3600 % 24);
	else
		snprintf(buf, WAITLIST_SPAN_LEN, "%lldd", s / 86400);
}

/* Write when a time is, from now. */
void
waitlist_relative(int64_t at, int64_t now, char buf[WAITLIST_SPAN_LEN])
{
	char	span[WAITLIST_SPAN_LEN];

	if (at - now < 1000 && now - at < 1000) {
		snprintf(buf, WAITLIST_SPAN_LEN, "now");
		return;
	}
	waitlist_span(at > now ? at - now : now - at, span);
	snprintf(buf, WAITLIST_SPAN_LEN, at > now ? "in %s" : "%s ago", span);
}

/* Say whether a channel is paused. */
int
waitlist_paused(struct redis *r, const struct config *cf, int channel)
{
	char		*key;
	long long	 n;

	key = xasprintf("%spause:%s", cf->redis_prefix,
	    event_channel_name(channel));
	n = backlog_count(r, "EXISTS %s", key);
	free(key);
	return n < 0 ? -1 : n > 0;
}

/* Return 1 if the list keeps only some channels. */
static int
waitlist_some_channels(const struct waitlist_filter *f)
{
	return f->channels != 0 &&
	    f->channels != (EVENT_CHANNEL_EMAIL | EVENT_CHANNEL_SMS);
}

/* Return 1 if whether an entry is kept depends on what is read of it. */
static int
waitlist_by_record(const struct waitlist_scan *s)
{
	return s->kind != WAITLIST_WAITING && waitlist_some_channels(s->f);
}

/* Return 1 if member of the set is about the SR the filter asks for. */
static int
waitlist_match(const struct waitlist_scan *s, const char *member)
{
	size_t	len;

	if (s->f->sr == NULL)
		return 1;
	if (s->kind == WAITLIST_HELD)
		return strcmp(member, s->f->sr) == 0;
	len = strlen(s->f->sr);
	return strncmp(member, s->f->sr, len) == 0 && member[len] == '/';
}

/* Return 1 if the list holds as many entries as it may. */
static int
waitlist_full(const struct waitlist_scan *s, size_t pending)
{
	return s->f->limit != 0 && s->wl->n + pending >= s->f->limit;
}

/* Return the i-th value of an HMGET reply, or NULL. */
static const char *
waitlist_value(const struct redis_reply *reply, size_t i)
{
	if (reply == NULL || reply->type != REDIS_TYPE_ARRAY ||
	    i >= reply->elements ||
	    reply->element[i]->type != REDIS_TYPE_STRING)
		return NULL;
	return reply->element[i]->str;
}

/* Copy a value, or NULL for none. */
static char *
waitlist_dup(const char *v)
{
	return v != NULL && *v != '\0' ? xstrdup(v) : NULL;
}

/* Queue the read of what a list shows of member. */
static void
waitlist_send(struct waitlist_scan *s, const char *member)
{
	const char	*argv[2 + WAITLIST_NFIELDS];
	char		*key;
	int		 i;

	if (s->kind == WAITLIST_HELD) {
		key = srstate_key(s->cf, member);
		argv[0] = "HGETALL";
		argv[1] = key;
		redis_pipe_argv(s->r, 2, argv, NULL);
		free(key);
		return;
	}
	key = outbox_key(s->cf, member);
	argv[0] = "HMGET";
	argv[1] = key;
	for (i = 0; i < WAITLIST_NFIELDS; i++)
		argv[2 + i] = waitlist_fields[i];
	redis_pipe_argv(s->r, 2 + WAITLIST_NFIELDS, argv, NULL);
	free(key);
}

/* Return 1 if a state has an active contact on one of channels. */
static int
waitlist_reaches(const struct srstate *st, int channels)
{
	size_t	i;

	for (i = 0; st != NULL && i < st->ncontact; i++) {
		if (st->contact[i].active && (st->contact[i].channel &
		    channels))
			return 1;
	}
	return 0;
}

/*
 * Fill a held notice's entry from the SR's state (reply to HGETALL).
 * Returns 1 if the list keeps it, 0 if not.
 */
static int
waitlist_held(struct waitlist_scan *s, struct waitlist_item *it,
    const struct redis_reply *reply)
{
	struct policy_result	 res;
	struct srstate		*st;
	int			 held;

	st = reply->type == REDIS_TYPE_ARRAY ? srlist_decode(it->id, reply) :
	    NULL;
	if (waitlist_some_channels(s->f) &&
	    !waitlist_reaches(st, s->f->channels)) {
		srstate_free(st);
		return 0;
	}
	it->sr = xstrdup(it->id);
	if (st == NULL) {
		it->notice = xstrdup("no state");
		it->reason = "unknown";
		return 1;
	}
	held = st->held;
	it->reason = held ? "settle" : "coalesce";
	it->events = waitlist_dup(st->events);
	memset(&res, 0, sizeof res);
	policy_release(s->cf, st, st->due > it->at ? st->due : it->at, &res);
	it->notice = xstrdup(res.notice != NULL ?
	    vocab_notice_name(res.notice->notice) : held ? "closure held" :
	    "update coalesced");
	policy_result_clear(&res);
	srstate_free(st);
	return 1;
}

/*
 * Fill a notification's entry from its record (reply to HMGET). Returns
 * 1 if the list keeps it, 0 if not.
 */
static int
waitlist_note(struct waitlist_scan *s, struct waitlist_item *it,
    const struct redis_reply *reply)
{
	const char	*v;
	int		 quiet_end;

	it->channel = s->channel;
	if (it->channel == 0 &&
	    (v = waitlist_value(reply, WAITLIST_F_CHANNEL)) != NULL)
		it->channel = strcmp(v, "sms") == 0 ? EVENT_CHANNEL_SMS :
		    strcmp(v, "email") == 0 ? EVENT_CHANNEL_EMAIL : 0;
	if (waitlist_some_channels(s->f) && !(it->channel & s->f->channels))
		return 0;
	v = waitlist_value(reply, WAITLIST_F_SR);
	it->sr = v != NULL ? xstrdup(v) : xstrndup(it->id,
	    strcspn(it->id, "/"));
	it->notice = waitlist_dup(waitlist_value(reply, WAITLIST_F_NOTICE));
	it->locale = waitlist_dup(waitlist_value(reply, WAITLIST_F_LOCALE));
	if ((v = waitlist_value(reply, WAITLIST_F_TO)) != NULL)
		it->to = event_mask_contact(it->channel, v);
	if ((v = waitlist_value(reply, WAITLIST_F_ATTEMPTS)) != NULL)
		it->attempts = strtoll(v, NULL, 10);
	if (s->kind == WAITLIST_CLAIM) {
		it->owner = waitlist_dup(waitlist_value(reply,
		    WAITLIST_F_OWNER));
		if ((v = waitlist_value(reply, WAITLIST_F_CLAIMED)) != NULL)
			it->claimed = strtoll(v, NULL, 10);
		return 1;
	}
	quiet_end = it->channel == EVENT_CHANNEL_SMS && it->at > 0 &&
	    retry_due(s->cf, EVENT_CHANNEL_SMS, it->at - 1) == it->at;
	it->reason = waitlist_reason(waitlist_value(reply, WAITLIST_F_WAIT),
	    it->attempts, quiet_end, s->paused, it->at, s->now);
	return 1;
}

/* Free what an entry holds. */
static void
waitlist_item_clear(struct waitlist_item *it)
{
	free(it->id);
	free(it->sr);
	free(it->notice);
	free(it->locale);
	free(it->to);
	free(it->events);
	free(it->owner);
	memset(it, 0, sizeof *it);
}

/* Make an entry of member, due at at, from what was read of it. */
static void
waitlist_take(struct waitlist_scan *s, const char *member, int64_t at,
    const struct redis_reply *reply)
{
	struct waitlist_item	it;
	int			keep;

	memset(&it, 0, sizeof it);
	it.kind = s->kind;
	it.id = xstrdup(member);
	it.at = at;
	keep = s->kind == WAITLIST_HELD ? waitlist_held(s, &it, reply) :
	    waitlist_note(s, &it, reply);
	if (keep && waitlist_full(s, 0))
		s->wl->more++;
	else if (keep) {
		s->wl->item = xreallocarray(s->wl->item, s->wl->n + 1,
		    sizeof *s->wl->item);
		s->wl->item[s->wl->n++] = it;
		return;
	}
	waitlist_item_clear(&it);
}

/*
 * Read, in one pipeline, what the list shows of the n members (with
 * their scores) and take each. Returns 0, or -1 with *cause.
 */
static int
waitlist_batch(struct waitlist_scan *s, const char *const *member,
    const int64_t *at, size_t n, char **cause)
{
	struct redis_reply	*reply;
	size_t			 i;

	for (i = 0; i < n; i++)
		waitlist_send(s, member[i]);
	for (i = 0; i < n; i++) {
		if ((reply = redis_pipe_reply(s->r, cause)) == NULL)
			return -1;
		waitlist_take(s, member[i], at[i], reply);
		redis_reply_free(reply);
	}
	return 0;
}

/*
 * Read a page of the set at key from start. Returns the reply, or NULL
 * with *cause.
 */
static struct redis_reply *
waitlist_page(struct waitlist_scan *s, const char *key, size_t start,
    char **cause)
{
	struct redis_reply	*page;

	page = redis_command(s->r, cause, "ZRANGE %s %lld %lld WITHSCORES",
	    key, (long long)start, (long long)(start + WAITLIST_PAGE - 1));
	if (page != NULL && page->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("%s: %s", key, page->type ==
			    REDIS_TYPE_ERROR ? page->str : "not a sorted set");
		redis_reply_free(page);
		return NULL;
	}
	return page;
}

/* Read one member's entry, if the set has it (held, by SR). */
static int
waitlist_one(struct waitlist_scan *s, const char *key, char **cause)
{
	struct redis_reply	*reply;
	const char		*member = s->f->sr;
	int64_t			 at;
	int			 rc = 0;

	if ((reply = redis_command(s->r, cause, "ZSCORE %s %s", key,
	    member)) == NULL)
		return -1;
	if (reply->type == REDIS_TYPE_STRING &&
	    rediszset_score(reply->str, &at) == 0)
		rc = waitlist_batch(s, &member, &at, 1, cause);
	redis_reply_free(reply);
	return rc;
}

/* Read the list from the set at key. Returns 0, or -1 with *cause. */
static int
waitlist_set(struct waitlist_scan *s, const char *key, char **cause)
{
	struct redis_reply	 *page;
	const char		**member;
	int64_t			 *at;
	size_t			  start = 0, i, n, k;
	long long		  card;
	int			  rc = 0, by_record = waitlist_by_record(s);

	if (s->kind == WAITLIST_HELD && s->f->sr != NULL)
		return waitlist_one(s, key, cause);
	member = xcalloc(WAITLIST_PAGE, sizeof *member);
	at = xcalloc(WAITLIST_PAGE, sizeof *at);
	for (;;) {
		if ((page = waitlist_page(s, key, start, cause)) == NULL) {
			rc = -1;
			break;
		}
		n = page->elements / 2;
		for (i = k = 0; i < n; i++) {
			if (!waitlist_match(s, page->element[2 * i]->str))
				continue;
			if (!by_record && waitlist_full(s, k))
				s->wl->more++;
			else if (rediszset_score(page->element[2 * i + 1]->str,
			    &at[k]) == 0)
				member[k++] = page->element[2 * i]->str;
		}
		rc = waitlist_batch(s, member, at, k, cause);
		redis_reply_free(page);
		if (rc != 0 || n < WAITLIST_PAGE)
			break;
		start += n;
		if (s->f->sr == NULL && !by_record && waitlist_full(s, 0)) {
			/* Only counting is left: count what follows. */
			if ((card = backlog_count(s->r, "ZCARD %s", key)) >
			    (long long)start)
				s->wl->more += card - (long long)start;
			break;
		}
	}
	free(member);
	free(at);
	return rc;
}

/* Order entries by time, then by id. */
static int
waitlist_cmp(const void *a, const void *b)
{
	const struct waitlist_item	*x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Add list b to a, in order, keeping at most limit entries; free b. */
static void
waitlist_merge(struct waitlist *a, struct waitlist *b, size_t limit)
{
	a->item = xreallocarray(a->item, a->n + b->n + 1, sizeof *a->item);
	if (b->n > 0)
		memcpy(a->item + a->n, b->item, b->n * sizeof *b->item);
	a->n += b->n;
	a->more += b->more;
	b->n = 0;
	waitlist_free(b);
	qsort(a->item, a->n, sizeof *a->item, waitlist_cmp);
	while (limit != 0 && a->n > limit) {
		waitlist_item_clear(&a->item[--a->n]);
		a->more++;
	}
}

/* Read the list of one channel's due set into a new *out. */
static int
waitlist_channel(struct waitlist_scan *s, int channel, struct waitlist **out,
    char **cause)
{
	char	*key;
	int	 rc;

	s->channel = channel;
	s->paused = waitlist_paused(s->r, s->cf, channel) == 1;
	s->wl = *out = xcalloc(1, sizeof **out);
	key = retry_queue_key(s->cf, channel);
	rc = waitlist_set(s, key, cause);
	free(key);
	return rc;
}

/* Read a list. */
int
waitlist_read(struct redis *r, const struct config *cf,
    enum waitlist_kind kind, const struct waitlist_filter *f, int64_t now,
    struct waitlist **out, char **cause)
{
	struct waitlist_scan	 s;
	struct waitlist		*wl = NULL, *sms = NULL;
	char			*key;
	int			 rc = -1;

	memset(&s, 0, sizeof s);
	s.r = r;
	s.cf = cf;
	s.f = f;
	s.kind = kind;
	s.now = now;
	*out = NULL;
	if (kind == WAITLIST_WAITING) {
		if (f->channels != EVENT_CHANNEL_SMS &&
		    waitlist_channel(&s, EVENT_CHANNEL_EMAIL, &wl, cause) != 0)
			goto fail;
		if (f->channels != EVENT_CHANNEL_EMAIL &&
		    waitlist_channel(&s, EVENT_CHANNEL_SMS, &sms, cause) != 0)
			goto fail;
		if (wl == NULL) {
			wl = sms;
			sms = NULL;
		} else if (sms != NULL) {
			waitlist_merge(wl, sms, f->limit);
			sms = NULL;
		}
	} else {
		s.wl = wl = xcalloc(1, sizeof *wl);
		key = kind == WAITLIST_HELD ? xasprintf("%sdue",
		    cf->redis_prefix) : retry_lease_key(cf);
		rc = waitlist_set(&s, key, cause);
		free(key);
		if (rc != 0)
			goto fail;
	}
	*out = wl;
	return 0;
fail:
	waitlist_free(wl);
	waitlist_free(sms);
	return -1;
}

/* Free a list. */
void
waitlist_free(struct waitlist *wl)
{
	size_t	i;

	if (wl == NULL)
		return;
	for (i = 0; i < wl->n; i++)
		waitlist_item_clear(&wl->item[i]);
	free(wl->item);
	free(wl);
}
