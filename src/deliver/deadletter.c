/*
 * deadletter.c - a dead letter dropped for good by an operator
 *
 * deadletter.h says what a drop records. Dead letters are found by
 * reading the whole dead-letter stream (backlog.h), which holds what
 * went wrong, not the daily traffic.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "backlog.h"
#include "clock.h"
#include "config.h"
#include "deadletter.h"
#include "decision.h"
#include "log.h"
#include "operator.h"
#include "outbox.h"
#include "redis.h"
#include "txn.h"
#include "vocab.h"
#include "xmalloc.h"

/* Call fn for the dead letters named. */
int
deadletter_each(struct redis *r, const struct config *cf, const char *name,
    deadletter_fn *fn, void *arg, int *failed, char **cause)
{
	struct redis_reply	*reply, *e;
	const char		*id;
	size_t			 i;
	int			 found = 0;

	*failed = 0;
	if ((reply = backlog_dead(r, cf, 0, cause)) == NULL)
		return -1;
	for (i = 0; i < reply->elements; i++) {
		e = reply->element[i];
		if (e->elements != 2)
			continue;
		id = redis_reply_field(e->element[1], "id");
		if (strcmp(e->element[0]->str, name) != 0 &&
		    (id == NULL || strcmp(id, name) != 0))
			continue;
		found++;
		if (fn(cf, r, e->element[0]->str, e->element[1], arg) != 0)
			*failed = 1;
	}
	redis_reply_free(reply);
	return found;
}

/* Return a field of an entry, or "?". */
static const char *
deadletter_value(const struct redis_reply *f, const char *name)
{
	const char	*v = redis_reply_field(f, name);

	return v != NULL ? v : "?";
}

/*
 * Queue a dropped notification's decision in its SR's trail; its record
 * (if not expired) gives the notice, division, events, ward and service.
 * Returns 0, or -1 with *cause.
 */
static int
deadletter_decide(struct redis *r, const struct config *cf,
    const struct redis_reply *f, const char *by, const char *how,
    struct decision_list *dl, char **cause)
{
	struct decision		*d;
	struct redis_reply	*rec;
	const char		*id, *channel, *to, *v[5];
	char			*key;
	size_t			 i;

	id = deadletter_value(f, "id");
	channel = deadletter_value(f, "channel");
	to = deadletter_value(f, "to");
	key = outbox_key(cf, id);
	rec = redis_command(r, cause, "HMGET %s notice division events "
	    "ward service", key);
	free(key);
	if (rec == NULL)
		return -1;
	if (rec->type != REDIS_TYPE_ARRAY) {
		*cause = xasprintf("%s: %s", id, rec->str != NULL ? rec->str :
		    "unexpected reply");
		redis_reply_free(rec);
		return -1;
	}
	for (i = 0; i < 5; i++)
		v[i] = i < rec->elements && rec->element[i]->type ==
		    REDIS_TYPE_STRING ? rec->element[i]->str : NULL;
	d = decision_add(dl, DECISION_SUPPRESSED, "dropped_by_operator",
	    vocab_notice_parse(v[0] != NULL ? v[0] : ""), v[1], v[2],
	    "%s to %s dropped from the dead letters by %s (%s); it will not "
	    "be sent", channel, to, by, how);
	decision_set(d, "channel", channel);
	decision_set(d, "to", to);
	decision_set(d, "notification", id);
	decision_set(d, "operator", by);
	decision_tag(dl, 0, v[3], v[4]);
	redis_reply_free(rec);
	return 0;
}

/* Drop a dead letter. */
static int
deadletter_drop_with_cause(struct redis *r, const struct config *cf,
    const char *entry, const struct redis_reply *f, const char *by,
    const char *how, char **cause)
{
	struct decision_list	 dl = { NULL, 0 };
	struct txn		 tx;
	const char		*argv[3], *kind, *sr;
	char			*detail;
	int64_t			 now = clock_now();
	int			 notification, rc = -1;

	kind = redis_reply_field(f, "kind");
	notification = kind != NULL && strcmp(kind, "notification") == 0;
	sr = redis_reply_field(f, "sr");
	if (notification && sr == NULL) {
		*cause = xasprintf("%s: the dead letter names no SR", entry);
		return -1;
	}
	if (notification && deadletter_decide(r, cf, f, by, how, &dl,
	    cause) != 0)
		return -1;
	detail = notification ? xasprintf("dead letter %s (notification %s "
	    "of SR %s) dropped", entry, deadletter_value(f, "id"), sr) :
	    xasprintf("dead letter %s (%s of SR %s: %s) dropped", entry,
	    kind != NULL ? kind : "event", deadletter_value(f, "sr"),
	    deadletter_value(f, "error"));
	txn_begin(&tx, r);
	argv[0] = "XDEL";
	argv[1] = cf->redis_dead_stream;
	argv[2] = entry;
	txn_queue(&tx, 3, argv);
	operator_queue(&tx, cf, "dead-drop", by, detail, now);
	if (notification)
		audit_queue(&tx, cf, sr, &dl, now);
	if (txn_exec(&tx, sr != NULL ? sr : "?", cause) == 1) {
		if (!notification)
			log_write(LOG_LEVEL_NOTICE, "%s by %s (%s)", detail,
			    by, how);
		rc = 0;
	} else if (*cause == NULL)
		*cause = xasprintf("%s: the record changed meanwhile", entry);
	decision_clear(&dl);
	free(detail);
	return rc;
}

/* Drop a dead letter; cause may be NULL. */
int
deadletter_drop(struct redis *r, const struct config *cf, const char *entry,
    const struct redis_reply *f, const char *by, const char *how,
    char **cause)
{
	char	*ignored = NULL;
	int	 rc;

	rc = deadletter_drop_with_cause(r, cf, entry, f, by, how,
	    cause != NULL ? cause : &ignored);
	free(ignored);
	return rc;
}
