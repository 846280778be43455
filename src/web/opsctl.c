/*
 * opsctl.c - the Operations page's controls: the channels' pauses, the
 * actions offered to the ops role, and what came of them
 *
 * opsctl.h says what is shown. The operators' record is read newest
 * first from PREFIXweb:audit (operator.h), skipping the sign-ins the
 * console writes there too. Nothing is written.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "datefmt.h"
#include "event.h"
#include "httpreq.h"
#include "operator.h"
#include "opsctl.h"
#include "opsreq.h"
#include "pause.h"
#include "redis.h"
#include "role.h"
#include "session.h"
#include "suppress.h"
#include "view.h"
#include "vocab.h"
#include "webreq.h"
#include "xmalloc.h"

/* How many entries of the operators' record are read to find the last. */
#define OPSCTL_SCAN	"500"

/* Add each channel's pause. Returns 0, or -1 after answering. */
static int
opsctl_channels(struct webreq *q, struct view *v)
{
	struct view	*list, *e;
	struct pause	 p;
	char		*cause = NULL;
	int		 c;

	list = view_set(v, "channels", view_list());
	for (c = EVENT_CHANNEL_EMAIL; c <= EVENT_CHANNEL_SMS; c++) {
		if (pause_read(q->w->r, q->cf, c, &p, &cause) != 0) {
			webreq_redis_failed(q, cause);
			return -1;
		}
		e = view_append(list, view_map());
		view_set_string(e, "channel", event_channel_name(c));
		view_set(e, "paused", view_bool(p.paused));
		if (p.paused) {
			view_set_string(e, "by", p.by);
			view_set(e, "breaker", view_bool(strcmp(p.reason,
			    "breaker") == 0));
			view_set_string(e, "note", p.note);
			webreq_time(q, e, "since", p.at);
			webreq_time(q, e, "until", p.until);
		}
		pause_free_fields(&p);
	}
	return 0;
}

/* Add the result of the request just made, if the page was asked so. */
static void
opsctl_request(struct webreq *q, struct view *v, const char *id)
{
	struct redis_reply	*f;
	struct view		*e;
	const char		*state;
	char			*key;

	key = opsreq_result_key(q->cf, id);
	f = redis_command(q->w->r, NULL, "HGETALL %s", key);
	free(key);
	e = view_set(v, "request", view_map());
	view_set_string(e, "id", id);
	if (f == NULL || f->type != REDIS_TYPE_ARRAY || f->elements == 0) {
		view_set(e, "pending", view_bool(1));
		redis_reply_free(f);
		return;
	}
	state = redis_reply_field(f, "state");
	view_set(e, "failed", view_bool(state != NULL &&
	    strcmp(state, "failed") == 0));
	view_set_string(e, "action", redis_reply_field(f, "action"));
	view_set_string(e, "result", redis_reply_field(f, "result"));
	redis_reply_free(f);
}

/* Return 1 if an entry of the operators' record is an operator's action. */
static int
opsctl_is_action(const char *what)
{
	return what != NULL && strncmp(what, "signin", 6) != 0 &&
	    strcmp(what, "signout") != 0 &&
	    strcmp(what, "untrusted-proxy") != 0;
}

/* Add the last operator actions. */
static void
opsctl_actions(struct webreq *q, struct view *v)
{
	struct redis_reply	*reply, *f;
	struct view		*list, *e;
	const char		*what, *at;
	char			*key;
	size_t			 i, n = 0;

	key = operator_stream(q->cf);
	reply = redis_command(q->w->r, NULL, "XREVRANGE %s + - COUNT "
	    OPSCTL_SCAN, key);
	free(key);
	list = view_set(v, "actions", view_list());
	for (i = 0; reply != NULL && reply->type == REDIS_TYPE_ARRAY &&
	    i < reply->elements && n < OPSCTL_MAX; i++) {
		if (reply->element[i]->elements != 2)
			continue;
		f = reply->element[i]->element[1];
		what = redis_reply_field(f, "what");
		if (!opsctl_is_action(what))
			continue;
		e = view_append(list, view_map());
		if ((at = redis_reply_field(f, "at")) != NULL)
			webreq_time(q, e, "at", strtoll(at, NULL, 10));
		view_set_string(e, "what", what);
		view_set_string(e, "user", redis_reply_field(f, "user"));
		view_set_string(e, "peer", redis_reply_field(f, "peer"));
		view_set_string(e, "detail", redis_reply_field(f, "detail"));
		n++;
	}
	view_set(v, "has_actions", view_bool(n > 0));
	redis_reply_free(reply);
}

/* Add the newest suppressed addresses. Returns 0, or -1 after answering. */
static int
opsctl_suppressed(struct webreq *q, struct view *v)
{
	struct suppress_entry	*list;
	struct view		*l, *e;
	char			*cause = NULL, total[32];
	long long		 n;
	size_t			 got, i;

	if ((n = suppress_list(q->w->r, q->cf, OPSCTL_MAX, &list, &got,
	    &cause)) < 0) {
		webreq_redis_failed(q, cause);
		return -1;
	}
	snprintf(total, sizeof total, "%lld", n);
	view_set_string(v, "suppressed_total", total);
	view_set(v, "has_suppressed", view_bool(got > 0));
	l = view_set(v, "suppressed", view_list());
	for (i = 0; i < got; i++) {
		e = view_append(l, view_map());
		view_set_string(e, "to", list[i].to);
		view_set_string(e, "hash", list[i].hash);
		view_set_string(e, "reason", list[i].reason);
		view_set_string(e, "reply", list[i].reply);
		view_set_string(e, "sr", list[i].sr);
		webreq_time(q, e, "at", list[i].at);
	}
	suppress_list_free(list, got);
	return 0;
}

/* Add the controls. */
int
opsctl_add(struct webreq *q, struct view *v)
{
	struct view	*notices;
	const char	*id = httpreq_arg(q->req, "request");
	int		 k;

	view_set(v, "can_act", view_bool(q->who != NULL &&
	    q->who->role == ROLE_OPS));
	if (opsctl_channels(q, v) != 0 || opsctl_suppressed(q, v) != 0)
		return -1;
	if (id != NULL && *id != '\0' && strlen(id) < 64 &&
	    strspn(id, "0123456789-") == strlen(id))
		opsctl_request(q, v, id);
	opsctl_actions(q, v);
	notices = view_set(v, "notices", view_list());
	for (k = 1; k < VOCAB_NOTICE_COUNT; k++)
		view_set_string(view_append(notices, view_map()), "name",
		    vocab_notice_name((enum vocab_notice)k));
	view_set_string(v, "default_locale", q->cf->templates_default_locale);
	return 0;
}
