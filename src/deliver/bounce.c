/*
 * bounce.c - a bounce or a complaint about a notification, recorded
 *
 * bounce.h says what is written. The record is read under WATCH, so that
 * a worker or an operator writing it meanwhile makes the transaction
 * fail and the report is read again against what they wrote.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "bounce.h"
#include "config.h"
#include "decision.h"
#include "dsn.h"
#include "event.h"
#include "log.h"
#include "outbox.h"
#include "redis.h"
#include "suppress.h"
#include "txn.h"
#include "vocab.h"
#include "xmalloc.h"

/* How often a report is tried against a record that keeps changing. */
#define BOUNCE_TRIES	5

/*
 * How long a report waits for the worker to record the message as sent:
 * a mail server can relay it, have it refused and pipe the bounce back
 * in less time than the worker takes to hear the 250 and write it down
 * (seen: 50 ms), and the sent outcome would then overwrite the bounce.
 * After that the report is not recorded, and the mail server tries it
 * again later.
 */
#define BOUNCE_SETTLE_MS	10000

/* Return 1 if the record f says report d was recorded already. */
static int
bounce_known(const struct redis_reply *f, const struct dsn *d)
{
	const char	*had = redis_reply_field(f, "bounce");
	const char	*status = redis_reply_field(f, "bounce_status");

	if (d->kind == DSN_COMPLAINT)
		return redis_reply_field(f, "complained_at") != NULL;
	if (had != NULL && strcmp(had, "hard") == 0)
		return 1;	/* nothing comes after a hard bounce */
	return !d->hard && had != NULL && strcmp(had, "soft") == 0 &&
	    strcmp(status != NULL ? status : "", d->status != NULL ?
	    d->status : "") == 0;
}

/* Queue the record's new fields. */
static void
bounce_mark(struct txn *tx, const char *key, const struct dsn *d,
    const char *diagnostic, const char *nows)
{
	const char	*argv[12];
	int		 k = 0;

	argv[k++] = "HSET";
	argv[k++] = key;
	if (d->kind == DSN_COMPLAINT) {
		argv[k++] = "complained_at";
		argv[k++] = nows;
		argv[k++] = "feedback_type";
		argv[k++] = d->feedback_type;
		txn_queue(tx, k, argv);
		return;
	}
	if (d->hard) {
		argv[k++] = "state";
		argv[k++] = "bounced";
	}
	argv[k++] = "bounce";
	argv[k++] = d->hard ? "hard" : "soft";
	argv[k++] = "bounce_status";
	argv[k++] = d->status != NULL ? d->status : "";
	argv[k++] = "bounce_detail";
	argv[k++] = diagnostic != NULL ? diagnostic : "";
	argv[k++] = "bounce_at";
	argv[k++] = nows;
	txn_queue(tx, k, argv);
}

/* Add the entry that says what came back to dl. */
static void
bounce_decide(struct decision_list *dl, const struct redis_reply *f,
    const char *id, const struct dsn *d, const char *masked,
    const char *diagnostic)
{
	struct decision	*d2;
	const char	*nt = redis_reply_field(f, "notice");
	const char	*status = d->status != NULL ? d->status : "no status";
	enum vocab_notice notice = vocab_notice_parse(nt != NULL ? nt : "");

	if (d->kind == DSN_COMPLAINT)
		d2 = decision_add(dl, DECISION_COMPLAINED, NULL, notice,
		    redis_reply_field(f, "division"),
		    redis_reply_field(f, "events"), "email to %s: reported "
		    "as %s by the resident's mail provider; the address is "
		    "no longer mailed", masked, d->feedback_type);
	else if (d->hard)
		d2 = decision_add(dl, DECISION_BOUNCED, "hard_bounce", notice,
		    redis_reply_field(f, "division"),
		    redis_reply_field(f, "events"), "email to %s could not be "
		    "delivered (%s): %s; the address is no longer mailed",
		    masked, status, diagnostic != NULL ? diagnostic :
		    "no reason given");
	else
		d2 = decision_add(dl, DECISION_BOUNCED, "soft_bounce", notice,
		    redis_reply_field(f, "division"),
		    redis_reply_field(f, "events"), "email to %s %s (%s): %s",
		    masked, strcmp(d->action, "delayed") == 0 ? "is delayed; "
		    "the mail servers keep trying" : "was given up after "
		    "temporary failures", status, diagnostic != NULL ?
		    diagnostic : "no reason given");
	decision_set(d2, "channel", "email");
	decision_set(d2, "to", masked);
	decision_set(d2, "locale", redis_reply_field(f, "locale"));
	decision_set(d2, "notification", id);
	decision_set(d2, "template_version",
	    redis_reply_field(f, "template_version"));
	decision_set(d2, "dsn_status", d->status);
	decision_set(d2, "diagnostic", diagnostic);
	decision_set(d2, "reporter", d->reporter);
	decision_set(d2, "feedback_type", d->feedback_type);
	decision_tag(dl, 0, redis_reply_field(f, "ward"),
	    redis_reply_field(f, "service"));
}

/*
 * Write report d on notification id, whose record f was read under
 * WATCH. Returns 1 if done, 0 if the record changed meanwhile, -1 with
 * *cause.
 */
static int
bounce_write(struct redis *r, const struct config *cf, const char *id,
    const struct redis_reply *f, const struct dsn *d, const char *by,
    int64_t now, char **cause)
{
	struct decision_list	 dl = { NULL, 0 };
	struct txn		 tx;
	const char		*to = redis_reply_field(f, "to");
	const char		*sr = redis_reply_field(f, "sr");
	char			*key, *masked, *diagnostic = NULL, nows[32];
	int			 rc;

	key = outbox_key(cf, id);
	masked = event_mask_contact(EVENT_CHANNEL_EMAIL, to);
	if (d->diagnostic != NULL)
		diagnostic = log_mask_reply(d->diagnostic, to);
	snprintf(nows, sizeof nows, "%lld", (long long)now);
	bounce_decide(&dl, f, id, d, masked, diagnostic);
	txn_begin(&tx, r);
	bounce_mark(&tx, key, d, diagnostic, nows);
	if (d->kind == DSN_COMPLAINT || d->hard)
		suppress_queue(&tx, cf, to, d->kind == DSN_COMPLAINT ?
		    "complaint" : "hard_bounce", d->kind == DSN_COMPLAINT ?
		    d->feedback_type : diagnostic, sr, id, by, now);
	audit_queue(&tx, cf, sr, &dl, now);
	rc = txn_exec(&tx, sr, cause);
	if (rc == 1)
		decision_log(sr, &dl.list[0]);
	decision_clear(&dl);
	free(diagnostic);
	free(masked);
	free(key);
	return rc;
}

/* Record a report about a notification. */
int
bounce_record(struct redis *r, const struct config *cf, const char *id,
    const struct dsn *d, const char *by, int64_t now,
    enum bounce_result *res, char **cause)
{
	struct redis_reply	*f;
	const char		*ch, *st;
	char			*key;
	int			 tries, rc = -1;

	key = outbox_key(cf, id);
	for (tries = 0; tries < BOUNCE_TRIES; tries++) {
		if ((f = outbox_watch_settled(r, key, BOUNCE_SETTLE_MS,
		    cause)) == NULL)
			break;
		ch = redis_reply_field(f, "channel");
		st = redis_reply_field(f, "state");
		if (st != NULL && strcmp(st, "sending") == 0) {
			*cause = xasprintf("%s: the message is not yet recorded "
			    "as sent; to be tried again", id);
			redis_unwatch(r);
			redis_reply_free(f);
			break;
		}
		if (f->elements == 0 || ch == NULL ||
		    strcmp(ch, "email") != 0 ||
		    redis_reply_field(f, "to") == NULL ||
		    redis_reply_field(f, "sr") == NULL) {
			*res = BOUNCE_UNKNOWN;
			rc = 0;
		} else if (bounce_known(f, d)) {
			*res = BOUNCE_REPEATED;
			rc = 0;
		} else if ((rc = bounce_write(r, cf, id, f, d, by, now,
		    cause)) == 1) {
			*res = BOUNCE_RECORDED;
			rc = 0;
		} else if (rc == 0)
			rc = -1;	/* changed meanwhile: read it again */
		else
			tries = BOUNCE_TRIES;
		if (rc == 0 && *res != BOUNCE_RECORDED)
			redis_unwatch(r);
		redis_reply_free(f);
		if (rc == 0)
			break;
	}
	if (rc != 0 && *cause == NULL)
		*cause = xasprintf("%s: its record kept changing; not recorded",
		    id);
	free(key);
	return rc;
}
