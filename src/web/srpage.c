/*
 * srpage.c - an SR's timeline, from its state and its audit trail
 *
 * srpage.h says what is shown and to whom. The trail is read first (one
 * XRANGE of the SR's own stream, audit.h), each entry made into a view
 * as it comes; the kept messages of the sent entries are read after, so
 * that no command is sent in the middle of the scan.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "datefmt.h"
#include "httpreq.h"
#include "redis.h"
#include "session.h"
#include "srlist.h"
#include "srmsg.h"
#include "srpage.h"
#include "srstate.h"
#include "syntax.h"
#include "view.h"
#include "vocab.h"
#include "webreq.h"
#include "wording.h"
#include "xmalloc.h"

/* The fields of a "received" entry shown as they came. */
static const char *const srpage_event_fields[] = {
	"status", "reason", "work_order", "note", "note_code",
	"scheduled_for", "transfer_to", "duplicate_of"
};

/* What the scan of the trail gathers. */
struct srpage_scan {
	struct webreq		*q;
	struct view		*entries;
	size_t			 n;
	int			 seen;	/* a division of the user's is named */
	struct srmsg_sent	*sent;
	size_t			 nsent;
};

/* Return the console's path of an SR's timeline. */
char *
srpage_link(const char *sr)
{
	char	*enc, *out;

	enc = httpreq_encode(sr, "-._");
	out = xasprintf("/sr/%s", enc);
	free(enc);
	return out;
}

/* Return 1 if who may see an SR by the work orders of its state. */
int
srpage_sees_state(const struct session *who, const struct srstate *st)
{
	size_t	 i;

	if (who->role != ROLE_DIVISION)
		return 1;
	for (i = 0; st != NULL && i < st->nwo; i++)
		if (session_sees(who, st->wo[i].division))
			return 1;
	return 0;
}

/* Read an SR's state; 0 with *out (NULL if none), or -1 after answering. */
int
srpage_state(struct webreq *q, const char *sr, struct srstate **out)
{
	struct redis_reply	*rep;
	char			*key, *cause = NULL;

	*out = NULL;
	key = srstate_key(q->cf, sr);
	rep = redis_command(q->w->r, &cause, "HGETALL %s", key);
	free(key);
	if (rep == NULL) {
		webreq_redis_failed(q, cause);
		return -1;
	}
	*out = srlist_decode(sr, rep);
	redis_reply_free(rep);
	return 0;
}

/* Set key in map to the entry's field name, if it has one. */
static void
srpage_copy(struct view *map, const struct redis_reply *fields,
    const char *name)
{
	const char	*v = redis_reply_field(fields, name);

	if (v != NULL && *v != '\0')
		view_set_string(map, name, v);
}

/* Add the photos of an entry (links, by spaces) as a list. */
static void
srpage_photos(struct view *e, const char *photos)
{
	struct view	*list, *item;
	const char	*p = photos, *end;
	char		*url;

	if (photos == NULL || *photos == '\0')
		return;
	view_set(e, "has_photos", view_bool(1));
	list = view_set(e, "photos", view_list());
	while (*p != '\0') {
		end = p + strcspn(p, " ");
		if (end > p) {
			url = xstrndup(p, (size_t)(end - p));
			item = view_append(list, view_map());
			view_set_string(item, "url", url);
			free(url);
		}
		p = *end == ' ' ? end + 1 : end;
	}
}

/* Make one entry of the trail into a view. */
static int
srpage_entry(const char *id, const struct redis_reply *fields, void *arg)
{
	struct srpage_scan	*s = arg;
	struct srmsg_sent	*m;
	struct view		*e;
	const char		*decision, *rule, *division;
	char			 when[32];
	size_t			 i;

	(void)id;
	e = view_append(s->entries, view_map());
	datefmt_local(s->q->cf->templates_timezone, strtoll(
	    redis_reply_field(fields, "at") != NULL ?
	    redis_reply_field(fields, "at") : "0", NULL, 10), when,
	    sizeof when);
	view_set_string(e, "when", when);
	decision = redis_reply_field(fields, "decision");
	rule = redis_reply_field(fields, "rule");
	view_set_string(e, "decision", decision);
	view_set_string(e, "decision_words", wording_decision(decision));
	if (rule != NULL && *rule != '\0') {
		view_set_string(e, "rule", rule);
		view_set_string(e, "rule_words", wording_rule(rule));
	}
	srpage_copy(e, fields, "notice");
	srpage_copy(e, fields, "detail");
	srpage_copy(e, fields, "channel");
	srpage_copy(e, fields, "attempt");
	srpage_copy(e, fields, "reply");
	srpage_copy(e, fields, "subject");
	srpage_copy(e, fields, "locale");
	if ((division = redis_reply_field(fields, "division")) != NULL &&
	    *division != '\0') {
		view_set_string(e, "division", division);
		if (session_sees(s->q->who, division))
			s->seen = 1;
	}
	if (decision != NULL && strcmp(decision, "received") == 0) {
		view_set(e, "received", view_bool(1));
		for (i = 0; i < sizeof srpage_event_fields /
		    sizeof srpage_event_fields[0]; i++)
			srpage_copy(e, fields, srpage_event_fields[i]);
		srpage_photos(e, redis_reply_field(fields, "photos"));
	}
	if (decision != NULL && strcmp(decision, "sent") == 0 &&
	    redis_reply_field(fields, "notification") != NULL) {
		s->sent = xreallocarray(s->sent, s->nsent + 1,
		    sizeof *s->sent);
		m = &s->sent[s->nsent++];
		memset(m, 0, sizeof *m);
		m->id = xstrdup(redis_reply_field(fields, "notification"));
		srpage_copy(e, fields, "to");
		if (redis_reply_field(fields, "to") != NULL)
			m->to = xstrdup(redis_reply_field(fields, "to"));
		if (redis_reply_field(fields, "content_sha256") != NULL)
			m->content_sha256 = xstrdup(redis_reply_field(fields,
			    "content_sha256"));
		if (redis_reply_field(fields, "kept_sha256") != NULL)
			m->kept_sha256 = xstrdup(redis_reply_field(fields,
			    "kept_sha256"));
		if (redis_reply_field(fields, "redacted") != NULL)
			m->redacted = xstrdup(redis_reply_field(fields,
			    "redacted"));
		m->entry = e;
	}
	s->n++;
	return 0;
}

/* Read the trail into s. Returns 0, or -1 after answering. */
static int
srpage_trail(struct webreq *q, const char *sr, struct srpage_scan *s)
{
	char	*cause = NULL;

	memset(s, 0, sizeof *s);
	s->q = q;
	s->entries = view_list();
	if (audit_scan(q->w->r, q->cf, sr, 0, 0, srpage_entry, s,
	    &cause) != 0) {
		webreq_redis_failed(q, cause);
		return -1;
	}
	return 0;
}

/* Free what a scan gathered but the page did not take. */
static void
srpage_scan_clear(struct srpage_scan *s)
{
	size_t	 i;

	for (i = 0; i < s->nsent; i++)
		srmsg_clear(&s->sent[i]);
	free(s->sent);
	view_free(s->entries);
}

/* Return 1 if who may see the SR, 0 if not, -1 after answering. */
int
srpage_visible(struct webreq *q, const char *sr)
{
	struct srstate		*st = NULL;
	struct srpage_scan	 s;
	int			 rc;

	if (webreq_redis(q) == NULL || srpage_state(q, sr, &st) != 0)
		return -1;
	if (st != NULL && srpage_sees_state(q->who, st)) {
		srstate_free(st);
		return 1;
	}
	srstate_free(st);
	if (srpage_trail(q, sr, &s) != 0)
		return -1;
	rc = s.n > 0 && (q->who->role != ROLE_DIVISION || s.seen);
	srpage_scan_clear(&s);
	return rc;
}

/* Add the work orders of the state to v. */
static void
srpage_orders(struct webreq *q, struct view *v, const struct srstate *st)
{
	struct view	*list, *w;
	char		 when[32];
	size_t		 i;

	view_set_string(v, "service", st->service);
	view_set_string(v, "ward", st->ward);
	view_set(v, "has_orders", view_bool(st->nwo > 0));
	list = view_set(v, "orders", view_list());
	for (i = 0; i < st->nwo; i++) {
		w = view_append(list, view_map());
		view_set_string(w, "division", st->wo[i].division);
		view_set_string(w, "key", st->wo[i].key);
		view_set_string(w, "status",
		    vocab_status_name(st->wo[i].status));
		if (st->wo[i].reason != VOCAB_REASON_NONE)
			view_set_string(w, "reason",
			    vocab_reason_name(st->wo[i].reason));
		view_set(w, "open", view_bool(st->wo[i].open));
		if (st->wo[i].ts != 0) {
			datefmt_local(q->cf->templates_timezone,
			    st->wo[i].ts, when, sizeof when);
			view_set_string(w, "when", when);
		}
	}
	if (st->told != VOCAB_NOTICE_NONE)
		view_set_string(v, "told", vocab_notice_name(st->told));
}

/* GET /sr/NUMBER. */
void
srpage_show(struct webreq *q)
{
	const char		*sr = q->rest, *why, *images;
	struct srstate		*st = NULL;
	struct srpage_scan	 s;
	struct view		*v;
	size_t			 i;

	if (syntax_sr(sr, &why) != 0) {
		webreq_not_found(q);
		return;
	}
	if (webreq_redis(q) == NULL || srpage_state(q, sr, &st) != 0)
		return;
	if (srpage_trail(q, sr, &s) != 0) {
		srstate_free(st);
		return;
	}
	if ((st == NULL && s.n == 0) || (q->who->role == ROLE_DIVISION &&
	    !srpage_sees_state(q->who, st) && !s.seen)) {
		srstate_free(st);
		srpage_scan_clear(&s);
		webreq_not_found(q);
		return;
	}
	images = httpreq_arg(q->req, "images");
	for (i = 0; i < s.nsent; i++)
		srmsg_view(q, &s.sent[i], images != NULL &&
		    strcmp(images, s.sent[i].id) == 0);
	v = view_map();
	view_set_string(v, "sr", sr);
	view_set_string(v, "timezone", q->cf->templates_timezone);
	if (st != NULL)
		srpage_orders(q, v, st);
	else
		view_set(v, "expired", view_bool(1));
	view_set(v, "entries", s.entries);
	s.entries = NULL;
	srpage_scan_clear(&s);
	srstate_free(st);
	webreq_page(q, "sr", sr, v);
}
