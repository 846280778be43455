/*
 * steer.c - an operator's hand on the outbox: send now, send again
 *
 * steer.h gives what each action does. A notification is picked by id,
 * by SR (a ZSCAN of each due set for the ids that begin "SR/") or by
 * the reason it waits (its record's wait field; an SMS queued before
 * that field was written and never tried waits for quiet hours). Each is
 * then moved in its own transaction with its trail entry: ZADD XX leaves
 * alone a notification that a worker claimed meanwhile.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "datefmt.h"
#include "decision.h"
#include "event.h"
#include "notice.h"
#include "operator.h"
#include "outbox.h"
#include "redis.h"
#include "rediszset.h"
#include "retry.h"
#include "steer.h"
#include "txn.h"
#include "wake.h"
#include "xmalloc.h"

/* How many ids one command reads. */
#define STEER_PAGE	1000

/* A growing list of picked ids. */
struct steer_ids {
	char	**id;
	size_t	  n;
};

/* Add an id to the list. */
static void
steer_ids_add(struct steer_ids *l, const char *id)
{
	l->id = xreallocarray(l->id, l->n + 1, sizeof *l->id);
	l->id[l->n++] = xstrdup(id);
}

/* Free the list. */
static void
steer_ids_free(struct steer_ids *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->id[i]);
	free(l->id);
}

/* Return the name of a result. */
const char *
steer_result_name(enum steer_result result)
{
	switch (result) {
	case STEER_MOVED:
		return "moved";
	case STEER_DUE:
		return "due_already";
	case STEER_NOT_WAITING:
		return "not_waiting";
	default:
		return "failed";
	}
}

/* Set *cause to what Redis answered about key instead of a list. */
static void
steer_refused(const char *key, const struct redis_reply *reply, char **cause)
{
	if (cause != NULL)
		*cause = xasprintf("%s: %s", key, reply->str != NULL ?
		    reply->str : "unexpected reply");
}

/* Pick every waiting notification of an SR, on both channels. */
static int
steer_pick_sr(struct redis *r, const struct config *cf, const char *sr,
    struct steer_ids *l, char **cause)
{
	struct redis_reply	*reply;
	char			*key, *match, *p, cursor[32];
	const char		*s;
	size_t			 i;
	int			 c;

	match = xcalloc(2 * strlen(sr) + 3, 1);
	for (s = sr, p = match; *s != '\0'; s++) {
		if (strchr("*?[]\\", *s) != NULL)
			*p++ = '\\';
		*p++ = *s;
	}
	memcpy(p, "/*", 3);
	for (c = 0; c < 2; c++) {
		key = retry_queue_key(cf, c == 0 ? EVENT_CHANNEL_EMAIL :
		    EVENT_CHANNEL_SMS);
		snprintf(cursor, sizeof cursor, "0");
		do {
			reply = redis_command(r, cause, "ZSCAN %s %s MATCH %s "
			    "COUNT %d", key, cursor, match, STEER_PAGE);
			if (reply == NULL || reply->type != REDIS_TYPE_ARRAY ||
			    reply->elements != 2) {
				if (reply != NULL)
					steer_refused(key, reply, cause);
				redis_reply_free(reply);
				free(key);
				free(match);
				return -1;
			}
			snprintf(cursor, sizeof cursor, "%s",
			    reply->element[0]->str);
			for (i = 0; i + 1 < reply->element[1]->elements; i += 2)
				steer_ids_add(l,
				    reply->element[1]->element[i]->str);
			redis_reply_free(reply);
		} while (strcmp(cursor, "0") != 0);
		free(key);
	}
	free(match);
	return 0;
}

/* Return 1 if a waiting record of channel c waits for reason. */
static int
steer_waits_for(const struct redis_reply *f, int c, const char *reason)
{
	const char	*wait, *attempts;

	if (f->type != REDIS_TYPE_ARRAY || f->elements != 2)
		return 0;
	wait = f->element[0]->str;
	attempts = f->element[1]->str;
	if (wait != NULL)
		return strcmp(wait, reason) == 0;
	return strcmp(reason, "quiet_hours") == 0 && c == EVENT_CHANNEL_SMS &&
	    attempts != NULL && strcmp(attempts, "0") == 0;
}

/* Pick every notification due later that waits for reason. */
static int
steer_pick_reason(struct redis *r, const struct config *cf,
    const char *reason, int64_t now, struct steer_ids *l, char **cause)
{
	struct redis_reply	*ids, *f;
	const char		*argv[5];
	char			*key, *rkey, from[32], offs[32];
	size_t			 i, off;
	int			 c, last, rc = -1;

	for (c = EVENT_CHANNEL_EMAIL; c <= EVENT_CHANNEL_SMS; c++) {
		key = retry_queue_key(cf, c);
		snprintf(from, sizeof from, "(%lld", (long long)now);
		for (off = 0;; off += STEER_PAGE) {
			snprintf(offs, sizeof offs, "%zu", off);
			ids = redis_command(r, cause, "ZRANGEBYSCORE %s %s "
			    "+inf LIMIT %s %d", key, from, offs, STEER_PAGE);
			if (ids == NULL || ids->type != REDIS_TYPE_ARRAY) {
				if (ids != NULL)
					steer_refused(key, ids, cause);
				redis_reply_free(ids);
				free(key);
				return -1;
			}
			for (i = 0; i < ids->elements; i++) {
				rkey = outbox_key(cf, ids->element[i]->str);
				argv[0] = "HMGET";
				argv[1] = rkey;
				argv[2] = "wait";
				argv[3] = "attempts";
				redis_pipe_argv(r, 4, argv, NULL);
				free(rkey);
			}
			for (i = 0; i < ids->elements; i++) {
				if ((f = redis_pipe_reply(r, cause)) == NULL)
					break;
				if (steer_waits_for(f, c, reason))
					steer_ids_add(l, ids->element[i]->str);
				redis_reply_free(f);
			}
			rc = i == ids->elements ? 0 : -1;
			last = ids->elements < STEER_PAGE;
			redis_reply_free(ids);
			if (rc != 0 || last)
				break;
		}
		free(key);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/*
 * Add to *detail, for an SMS made due while sms.quiet_hours of the
 * configuration are in force, that the SMS workers send nothing before
 * they end: quiet hours are lifted in the configuration, not here.
 */
static void
steer_quiet_note(const struct config *cf, int channel, int64_t now,
    char **detail)
{
	char	*more, local[32];
	int64_t	 end;

	if (channel != EVENT_CHANNEL_SMS)
		return;
	end = datefmt_quiet_end(cf->templates_timezone, cf->sms_quiet_start,
	    cf->sms_quiet_end, now);
	if (end <= now)
		return;
	datefmt_local(cf->templates_timezone, end, local, sizeof local);
	more = xasprintf("%s; but sms.quiet_hours are in force until %s, and "
	    "no SMS goes before (to lift them, change sms.quiet_hours and "
	    "reload closeloopd)", *detail, local);
	free(*detail);
	*detail = more;
}

/*
 * Make one notification due now, with its trail entry. Sets *detail to
 * what is said about it (the caller frees it).
 */
static enum steer_result
steer_move(struct redis *r, const struct config *cf, const char *id,
    const char *by, int64_t now, char **detail)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct outbox_item	*it;
	struct redis_reply	*score;
	struct txn		 tx;
	const char		*argv[8], *wait, *sr;
	char			*key = NULL, *qkey = NULL, *masked = NULL;
	char			*cause = NULL, nows[32], local[32];
	int64_t			 due = 0;
	enum steer_result	 res = STEER_FAILED;

	if ((it = outbox_item_read(r, cf, id, &cause)) == NULL) {
		/* The caller says the id: not twice. */
		if (cause != NULL && strncmp(cause, id, strlen(id)) == 0 &&
		    strncmp(cause + strlen(id), ": ", 2) == 0)
			memmove(cause, cause + strlen(id) + 2,
			    strlen(cause + strlen(id) + 2) + 1);
		*detail = cause;
		return cause != NULL && strstr(cause, "no such") != NULL ?
		    STEER_NOT_WAITING : STEER_FAILED;
	}
	qkey = retry_queue_key(cf, it->channel);
	key = outbox_key(cf, id);
	if ((score = redis_command(r, &cause, "ZSCORE %s %s", qkey, id)) ==
	    NULL)
		goto out;
	if (score->type != REDIS_TYPE_STRING ||
	    rediszset_score(score->str, &due) != 0) {
		res = STEER_NOT_WAITING;
		cause = xasprintf("not waiting (%s)", outbox_field(it,
		    "state") != NULL ? outbox_field(it, "state") : "?");
		redis_reply_free(score);
		goto out;
	}
	redis_reply_free(score);
	if (due <= now) {
		res = STEER_DUE;
		cause = xstrdup("due already (if it does not go, see whether "
		    "its channel is paused)");
		goto out;
	}
	sr = (sr = outbox_field(it, "sr")) != NULL ? sr : "?";
	wait = (wait = outbox_field(it, "wait")) != NULL ? wait : "a wait";
	masked = event_mask_contact(it->channel, outbox_field(it, "to") !=
	    NULL ? outbox_field(it, "to") : "");
	datefmt_local(cf->templates_timezone, due, local, sizeof local);
	d = decision_add(&dl, DECISION_RETRIED, "sent_now_by_operator",
	    it->notice != NULL ? it->notice->notice : VOCAB_NOTICE_NONE,
	    outbox_field(it, "division"), outbox_field(it, "events"),
	    "%s to %s taken out of its wait (%s, due %s) by %s: it goes now",
	    event_channel_name(it->channel), masked, wait, local, by);
	decision_set(d, "channel", event_channel_name(it->channel));
	decision_set(d, "to", masked);
	decision_set(d, "notification", id);
	decision_set(d, "operator", by);
	decision_tag(&dl, 0, outbox_field(it, "ward"),
	    outbox_field(it, "service"));
	snprintf(nows, sizeof nows, "%lld", (long long)now);
	txn_begin(&tx, r);
	argv[0] = "ZADD";
	argv[1] = qkey;
	argv[2] = "XX";
	argv[3] = nows;
	argv[4] = id;
	txn_queue(&tx, 5, argv);
	argv[0] = "HDEL";
	argv[1] = key;
	argv[2] = "wait";
	argv[3] = "next_at";
	txn_queue(&tx, 4, argv);
	argv[0] = "HSET";
	argv[2] = "sent_now_by";
	argv[3] = by;
	argv[4] = "sent_now_at";
	argv[5] = nows;
	txn_queue(&tx, 6, argv);
	*detail = xasprintf("notification %s of SR %s sent now (it waited "
	    "for %s, due %s)", id, sr, wait, local);
	operator_queue(&tx, cf, "send-now", by, *detail, now);
	wake_queue(&tx, cf, "outbox", operator_via());
	audit_queue(&tx, cf, sr, &dl, now);
	if (txn_exec(&tx, sr, &cause) == 1) {
		res = STEER_MOVED;
		steer_quiet_note(cf, it->channel, now, detail);
		goto out;
	}
	free(*detail);
	*detail = NULL;
	if (cause == NULL)
		cause = xstrdup("the record changed meanwhile");
out:
	if (*detail == NULL)
		*detail = cause != NULL ? cause : xstrdup("");
	else
		free(cause);
	decision_clear(&dl);
	outbox_item_free(it);
	free(masked);
	free(qkey);
	free(key);
	return res;
}

/* Make the picked notifications due now. */
long
steer_send_now(struct redis *r, const struct config *cf,
    const struct steer_pick *pick, const char *by, int64_t now,
    steer_say_fn *say, void *arg, char **cause)
{
	struct steer_ids	 l = { NULL, 0 };
	enum steer_result	 res;
	char			*detail, *slash, *sr;
	long			 moved = 0;
	size_t			 i;

	if (pick->reason != NULL && strcmp(pick->reason, "quiet_hours") != 0 &&
	    strcmp(pick->reason, "retry") != 0 &&
	    strcmp(pick->reason, "rate") != 0) {
		if (cause != NULL)
			*cause = xasprintf("--reason %s: one of quiet_hours, "
			    "retry, rate", pick->reason);
		return -1;
	}
	for (i = 0; i < pick->nids; i++)
		steer_ids_add(&l, pick->ids[i]);
	if ((pick->sr != NULL && steer_pick_sr(r, cf, pick->sr, &l,
	    cause) != 0) || (pick->reason != NULL && steer_pick_reason(r, cf,
	    pick->reason, now, &l, cause) != 0)) {
		steer_ids_free(&l);
		return -1;
	}
	for (i = 0; i < l.n; i++) {
		detail = NULL;
		res = steer_move(r, cf, l.id[i], by, now, &detail);
		if (res == STEER_MOVED)
			moved++;
		slash = strchr(l.id[i], '/');
		sr = slash != NULL ? xstrndup(l.id[i], (size_t)(slash -
		    l.id[i])) : xstrdup(l.id[i]);
		if (say != NULL)
			say(l.id[i], sr, res, detail, arg);
		free(sr);
		free(detail);
	}
	steer_ids_free(&l);
	return moved;
}

/* Return 1 if a notification's state says it went out. */
static int
steer_went_out(const char *state)
{
	return state != NULL && (strcmp(state, "sent") == 0 ||
	    strcmp(state, "delivered") == 0 ||
	    strcmp(state, "undelivered") == 0 ||
	    strcmp(state, "bounced") == 0);
}

/* Queue a notification again as a new one. */
static int
steer_resend_with_cause(struct redis *r, const struct config *cf,
    const char *id, const char *version, int same_content, const char *by,
    int64_t now, char **newid, char **cause)
{
	struct decision_list	 dl = { NULL, 0 };
	struct decision		*d;
	struct outbox_item	*it = NULL;
	struct redis_reply	*reply;
	struct txn		 tx;
	const char		*extra[5] = { NULL }, *argv[4], *state;
	const char		*sent_v;
	const char		*sent_at, *sr;
	char			*key, *masked = NULL, *detail = NULL;
	char			 at[32];
	long long		 n;
	int			 rc = -1;

	*newid = NULL;
	key = outbox_key(cf, id);
	if ((reply = redis_command(r, cause, "WATCH %s", key)) == NULL)
		goto fail;
	redis_reply_free(reply);
	if ((it = outbox_item_read(r, cf, id, cause)) == NULL)
		goto unwatch;
	state = outbox_field(it, "state");
	sent_v = outbox_field(it, "template_version");
	sent_at = outbox_field(it, "sent_at");
	if (!steer_went_out(state)) {
		*cause = xasprintf("%s: it has not gone out (%s); a waiting "
		    "one can be sent now (closeloop send-now), a dead one "
		    "queued again (closeloop dead retry)", id, state != NULL ?
		    state : "no state");
		goto unwatch;
	}
	if (it->notice == NULL) {
		*cause = xasprintf("%s: its record is damaged", id);
		goto unwatch;
	}
	if (same_content && (sent_v == NULL || sent_at == NULL ||
	    version == NULL || strcmp(sent_v, version) != 0)) {
		*cause = xasprintf("%s: the template set in use (%s) is not "
		    "the one it was sent with (%s), so its content would not "
		    "be the same; send it with the set in use (without "
		    "--same-content), or forward the kept copy (closeloop "
		    "show %s --eml FILE)", id, version != NULL ? version : "?",
		    sent_v != NULL ? sent_v : "not recorded", id);
		goto unwatch;
	}
	n = outbox_field(it, "resends") != NULL ?
	    strtoll(outbox_field(it, "resends"), NULL, 10) : 0;
	*newid = xasprintf("%sr%lld", id, n + 1);
	snprintf(at, sizeof at, "%lld", sent_at != NULL ?
	    strtoll(sent_at, NULL, 10) / 1000 : 0LL);
	if (same_content) {
		extra[0] = "render_at";
		extra[1] = at;
		extra[2] = "same_version";
		extra[3] = sent_v;
	}
	sr = it->notice->sr;
	masked = event_mask_contact(it->channel, it->notice->to[0].address);
	detail = xasprintf("notification %s of SR %s sent again as %s%s",
	    id, sr, *newid, same_content ? ", the same content" : "");
	d = decision_add(&dl, DECISION_RETRIED, "resent_by_operator",
	    it->notice->notice, it->notice->division, it->notice->events,
	    "%s to %s sent again by %s as %s (%s)",
	    event_channel_name(it->channel), masked, by, *newid, same_content ?
	    "the same content" : "rendered with the template set in use");
	decision_set(d, "channel", event_channel_name(it->channel));
	decision_set(d, "to", masked);
	decision_set(d, "notification", *newid);
	decision_set(d, "resend_of", id);
	decision_set(d, "operator", by);
	decision_tag(&dl, 0, outbox_field(it, "ward"),
	    outbox_field(it, "service"));
	txn_begin(&tx, r);
	argv[0] = "HINCRBY";
	argv[1] = key;
	argv[2] = "resends";
	argv[3] = "1";
	txn_queue(&tx, 4, argv);
	outbox_queue_resend(&tx, cf, it->notice, *newid, id, extra, now);
	operator_queue(&tx, cf, "resend", by, detail, now);
	wake_queue(&tx, cf, "outbox", operator_via());
	audit_queue(&tx, cf, sr, &dl, now);
	switch (txn_exec(&tx, sr, cause)) {
	case 1:
		rc = 0;
		goto fail;
	case 0:
		*cause = xasprintf("%s: its record changed meanwhile; try "
		    "again", id);
		break;
	}
	goto fail;
unwatch:
	redis_reply_free(redis_command(r, NULL, "UNWATCH"));
fail:
	if (rc != 0) {
		free(*newid);
		*newid = NULL;
	}
	decision_clear(&dl);
	outbox_item_free(it);
	free(detail);
	free(masked);
	free(key);
	return rc;
}

/* Queue a notification again; cause may be NULL. */
int
steer_resend(struct redis *r, const struct config *cf, const char *id,
    const char *version, int same_content, const char *by, int64_t now,
    char **newid, char **cause)
{
	char	*ignored = NULL;
	int	 rc;

	rc = steer_resend_with_cause(r, cf, id, version, same_content, by, now,
	    newid,
	    cause != NULL ? cause : &ignored);
	free(ignored);
	return rc;
}
