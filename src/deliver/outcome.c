/*
 * outcome.c - what became of an attempt to deliver a notification
 *
 * The record's state after an attempt:
 *   sent | dry_run   accepted (or rendered only); sent_at, reply,
 *                    provider_id, resent=1 if an earlier claim of it was
 *                    cut short (it may have arrived twice, with the same
 *                    Message-ID or idempotency key)
 *   retry            next_at, last_error, wait=retry; back in the due
 *                    set
 *   failed           a permanent failure; last_error, failed_at (ms);
 *                    dead-lettered
 *   dead             retried until too old; last_error, failed_at;
 *                    dead-lettered
 *   unsubscribed     the contact unsubscribed before it went out, or
 *                    the phone opted out of SMS (audited as unsubscribed,
 *                    rule sms_stop)
 *   suppressed       the address is on the suppression list
 *                    (suppress.h): not sent; by the other channel if
 *                    the resident gave one
 *   queued, wait=rate  the contact had its hourly share
 *                    (delivery.max_per_contact_per_hour): back in the
 *                    due set until the hour allows it, next_at
 * A failure of an email at RCPT TO with a 5xx answer also puts the
 * address on the suppression list, in the same transaction; a
 * completion sent schedules the question whether it fixed the problem
 * (askqueue.h), in the same transaction too.
 * A dead-letter entry has kind=notification, id, sr, channel, the masked
 * recipient, state and error; "closeloop dead retry" queues it again.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "askqueue.h"
#include "audit.h"
#include "channel.h"
#include "config.h"
#include "datefmt.h"
#include "decision.h"
#include "event.h"
#include "keep.h"
#include "log.h"
#include "notice.h"
#include "outbox.h"
#include "outcome.h"
#include "redis.h"
#include "retry.h"
#include "suppress.h"
#include "txn.h"
#include "xmalloc.h"

/* How a refusal of the recipient reads (mailsession.c): a hard bounce. */
#define OUTCOME_RCPT_5XX	"RCPT TO: 5"

/* Return the masked recipient of a notification; the caller frees it. */
static char *
outcome_masked(const struct outbox_item *it)
{
	const char	*to = outbox_field(it, "to");

	return to != NULL ? event_mask_contact(it->channel, to) : xstrdup("?");
}

/* Queue the notification's entry in the dead-letter stream. */
static void
outcome_dead_letter(struct txn *tx, const struct config *cf,
    const struct outbox_item *it, const char *state, const char *error,
    const char *masked, int64_t now)
{
	const char	*argv[21], *v;
	char		 at[32];
	int		 k = 0;

	snprintf(at, sizeof at, "%lld", (long long)now);
	argv[k++] = "XADD";
	argv[k++] = cf->redis_dead_stream;
	argv[k++] = "*";
	argv[k++] = "kind";
	argv[k++] = "notification";
	argv[k++] = "id";
	argv[k++] = it->id;
	argv[k++] = "sr";
	argv[k++] = (v = outbox_field(it, "sr")) != NULL ? v : "?";
	argv[k++] = "channel";
	argv[k++] = event_channel_name(it->channel);
	argv[k++] = "to";
	argv[k++] = masked;
	argv[k++] = "state";
	argv[k++] = state;
	argv[k++] = "error";
	argv[k++] = error;
	argv[k++] = "at";
	argv[k++] = at;
	txn_queue(tx, k, argv);
}

/*
 * Queue a notification of the same notice on the fallback contact, if
 * there is one, and the decision that says so into dl.
 */
static void
outcome_fallback(struct txn *tx, struct decision_list *dl,
    const struct config *cf, const struct outbox_item *it, int64_t now)
{
	const char		*ch = outbox_field(it, "fallback_channel");
	const char		*to = outbox_field(it, "fallback_to");
	struct notice		*n = it->notice;
	struct notice_recipient	 saved;
	struct decision		*d;
	int			 sms;

	if (!cf->delivery_fallback || ch == NULL || to == NULL || n == NULL ||
	    outbox_field(it, "fallback_of") != NULL)
		return;
	sms = strcmp(ch, "sms") == 0;
	if (sms ? cf->sms_profile == CONFIG_SMS_NONE : cf->email_host == NULL)
		return;
	saved = n->to[0];
	n->to[0].channel = sms ? EVENT_CHANNEL_SMS : EVENT_CHANNEL_EMAIL;
	n->to[0].address = (char *)to;
	outbox_queue(tx, cf, n, 0, it->id, now);
	n->to[0] = saved;
	d = decision_add(dl, DECISION_QUEUED, "fallback", n->notice,
	    n->division, n->events, "again by %s, the resident's other "
	    "channel", ch);
	d->recipients = 1;
	decision_set(d, "notice_id", n->id);
}

/* Queue the record's new state. */
static void
outcome_record(struct txn *tx, const char *key, const char **pairs, int n)
{
	const char	*argv[2 + 22];
	int		 i, k = 0;

	argv[k++] = "HSET";
	argv[k++] = key;
	for (i = 0; i < n && i < 22; i += 2) {
		if (pairs[i + 1] == NULL)
			continue;
		argv[k++] = pairs[i];
		argv[k++] = pairs[i + 1];
	}
	txn_queue(tx, k, argv);
}

/*
 * Say on the decision d which notification it is about and where it
 * went: channel, masked recipient, attempt, locale, template set, and
 * the server's reply.
 */
static void
outcome_describe(struct decision *d, const struct outbox_item *it,
    const char *masked, const struct outcome_content *c,
    const struct send_result *res)
{
	const char	*locale;
	char		 attempt[32];

	snprintf(attempt, sizeof attempt, "%lld", (long long)it->attempts);
	locale = c != NULL && c->locale != NULL ? c->locale :
	    it->notice != NULL && it->notice->nto > 0 ?
	    it->notice->to[0].locale : NULL;
	decision_set(d, "channel", event_channel_name(it->channel));
	decision_set(d, "to", masked);
	decision_set(d, "locale", locale);
	decision_set(d, "notification", it->id);
	decision_set(d, "attempt", attempt);
	if (c != NULL)
		decision_set(d, "template_version", c->version);
	if (res != NULL)
		decision_set(d, "reply", res->reply);
}

/* Put what the resident received, and the copy kept, on the decision d. */
static void
outcome_content(struct decision *d, const struct outcome_content *c,
    const struct keep *kept, const struct send_result *res)
{
	if (c != NULL) {
		decision_set(d, "subject", c->subject);
		decision_set(d, "text", c->text);
		decision_set(d, "sms", c->sms);
		decision_set(d, "content_sha256", c->sha256);
		if (kept != NULL) {
			decision_set(d, "kept_sha256", kept->sha256);
			if (kept->redacted[0] != '\0')
				decision_set(d, "redacted", kept->redacted);
		}
	}
	decision_set(d, "provider_id", res->provider_id);
}

/*
 * Flag an SMS that was shortened to fit, saying how many characters of
 * its note went and whether its photo link, its link or its text did.
 */
static void
outcome_shortened(struct decision_list *dl, const struct config *cf,
    const struct outbox_item *it, const struct segment_cut *cut,
    enum vocab_notice nt, const char *division, const char *events)
{
	struct decision	*d;
	char		*what, chars[32];

	if ((what = segment_cut_describe(cut)) == NULL)
		return;
	d = decision_add(dl, DECISION_FLAGGED, "sms_shortened", nt, division,
	    events, "the SMS was shortened to fit sms.max_segments (%lld): "
	    "%s", (long long)cf->sms_max_segments, what);
	free(what);
	snprintf(chars, sizeof chars, "%zu", cut->note_chars);
	decision_set(d, "notification", it->id);
	decision_set(d, "note_chars_cut", chars);
	decision_set(d, "photo_dropped", cut->photo ? "1" : "0");
	decision_set(d, "link_dropped", cut->link ? "1" : "0");
	decision_set(d, "text_cut", cut->fixed ? "1" : "0");
}

/*
 * Queue the outcome of a notification to a suppressed address: sent by
 * the resident's other channel if it has one, else recorded as not sent.
 */
static void
outcome_suppressed(struct txn *tx, struct decision_list *dl,
    const struct config *cf, const struct outbox_item *it, const char *key,
    const char *masked, const char *nows, int64_t now)
{
	struct decision	*d;
	const char	*pairs[4];
	enum vocab_notice nt = it->notice != NULL ? it->notice->notice :
			    VOCAB_NOTICE_NONE;
	const char	*division = it->notice != NULL ?
			    it->notice->division : NULL;
	const char	*events = it->notice != NULL ? it->notice->events : NULL;

	pairs[0] = "state";
	pairs[1] = "suppressed";
	pairs[2] = "done_at";
	pairs[3] = nows;
	outcome_record(tx, key, pairs, 4);
	d = decision_add(dl, DECISION_SUPPRESSED, "suppressed_address", nt,
	    division, events, "%s to %s: the address is on the suppression "
	    "list (it bounced before); not sent",
	    event_channel_name(it->channel), masked);
	outcome_describe(d, it, masked, NULL, NULL);
	outcome_fallback(tx, dl, cf, it, now);
}

/*
 * Queue the outcome of a notification held back by its contact's hourly
 * limit: back in the due set, due when the hour allows it.
 */
static void
outcome_rate(struct txn *tx, struct decision_list *dl,
    const struct config *cf, const struct outbox_item *it, const char *key,
    const char *qkey, const char *masked)
{
	struct decision	*d;
	const char	*argv[4], *pairs[6];
	char		 when[32], local[32];

	snprintf(when, sizeof when, "%lld", (long long)it->rate_until);
	pairs[0] = "state";
	pairs[1] = "queued";
	pairs[2] = "wait";
	pairs[3] = "rate";
	pairs[4] = "next_at";
	pairs[5] = when;
	outcome_record(tx, key, pairs, 6);
	argv[0] = "ZADD";
	argv[1] = qkey;
	argv[2] = when;
	argv[3] = it->id;
	txn_queue(tx, 4, argv);
	datefmt_local(cf->templates_timezone, it->rate_until, local,
	    sizeof local);
	d = decision_add(dl, DECISION_DEFERRED, "rate_limit",
	    it->notice != NULL ? it->notice->notice : VOCAB_NOTICE_NONE,
	    it->notice != NULL ? it->notice->division : NULL,
	    it->notice != NULL ? it->notice->events : NULL,
	    "%s to %s: %lld messages went to this contact in the last hour "
	    "(delivery.max_per_contact_per_hour); it goes at %s",
	    event_channel_name(it->channel), masked,
	    (long long)cf->delivery_max_per_contact_per_hour, local);
	outcome_describe(d, it, masked, NULL, NULL);
}

/* An outcome sent to Redis, its reply not read yet. */
struct outcome_sent {
	struct txn		 tx;
	struct decision_list	 dl;
	char			*sr;
};

/* Free an outcome sent, its transaction ended unread if it was not. */
void
outcome_sent_free(struct outcome_sent *os)
{
	if (os == NULL)
		return;
	txn_abort(&os->tx);
	decision_clear(&os->dl);
	free(os->sr);
	free(os);
}

/* Send the outcome of an attempt, not waiting for Redis's reply. */
struct outcome_sent *
outcome_send(struct redis *r, const struct config *cf,
    const struct outbox_item *it, const struct send_result *res,
    const struct outcome_content *content, int dry_run, int64_t now,
    char **cause)
{
	struct outcome_sent	*os;
	struct decision_list	 dl = { NULL, 0 };
	const struct keep	*kept;
	struct decision		*d;
	struct txn		 tx;
	const char		*argv[4], *pairs[22], *reply, *sr, *chname;
	const char		*division = NULL, *events = NULL;
	char			*key, *skey, *qkey, *masked, nows[32], next[32];
	char			 ttl[32];
	enum vocab_notice	 nt;
	int64_t			 when, age;
	int			 dead = 0;

	os = xcalloc(1, sizeof *os);
	sr = (sr = outbox_field(it, "sr")) != NULL ? sr : "?";
	os->sr = xstrdup(sr);
	nt = it->notice != NULL ? it->notice->notice : VOCAB_NOTICE_NONE;
	if (it->notice != NULL) {
		division = it->notice->division;
		events = it->notice->events;
	}
	chname = event_channel_name(it->channel);
	reply = res->reply != NULL ? res->reply : "";
	key = outbox_key(cf, it->id);
	skey = retry_lease_key(cf);
	qkey = retry_queue_key(cf, it->channel);
	masked = outcome_masked(it);
	snprintf(nows, sizeof nows, "%lld", (long long)now);
	snprintf(ttl, sizeof ttl, "%lld",
	    (long long)cf->policy_retain_days * 86400);

	txn_begin(&tx, r);
	argv[0] = "ZREM";
	argv[1] = skey;
	argv[2] = it->id;
	txn_queue(&tx, 3, argv);
	memset(pairs, 0, sizeof pairs);
	if (it->unsubscribed) {
		pairs[0] = "state";
		pairs[1] = "unsubscribed";
		pairs[2] = "done_at";
		pairs[3] = nows;
		outcome_record(&tx, key, pairs, 4);
		if (it->optout)
			d = decision_add(&dl, DECISION_UNSUBSCRIBED, "sms_stop",
			    nt, division, events, "%s to %s: the phone opted "
			    "out of every SMS (STOP); not sent", chname,
			    masked);
		else
			d = decision_add(&dl, DECISION_SUPPRESSED,
			    "unsubscribed", nt, division, events, "%s to %s: "
			    "unsubscribed before it went out", chname, masked);
		outcome_describe(d, it, masked, NULL, NULL);
	} else if (it->suppressed) {
		outcome_suppressed(&tx, &dl, cf, it, key, masked, nows, now);
	} else if (it->rate_until != 0) {
		outcome_rate(&tx, &dl, cf, it, key, qkey, masked);
	} else if (res->status == SEND_OK) {
		pairs[0] = "state";
		pairs[1] = dry_run ? "dry_run" : "sent";
		pairs[2] = "sent_at";
		pairs[3] = nows;
		pairs[4] = "reply";
		pairs[5] = reply;
		pairs[6] = "provider_id";
		pairs[7] = res->provider_id;
		pairs[8] = "resent";
		pairs[9] = it->resend ? "1" : NULL;
		pairs[10] = "content_sha256";
		pairs[11] = content != NULL && content->sha256[0] != '\0' ?
		    content->sha256 : NULL;
		pairs[12] = "locale";
		pairs[13] = content != NULL ? content->locale : NULL;
		pairs[14] = "template_version";
		pairs[15] = content != NULL ? content->version : NULL;
		outcome_record(&tx, key, pairs, 16);
		d = decision_add(&dl, dry_run ? DECISION_DRY_RUN :
		    DECISION_SENT, NULL, nt, division, events, "%s%s to %s%s: "
		    "%s", dry_run ? "dry run: not sent, " : "", chname, masked,
		    it->resend ? " (again, with the same id, after an "
		    "interrupted attempt)" : "", reply);
		outcome_describe(d, it, masked, content, res);
		/* A dry run sent nothing: there is nothing to keep. */
		kept = content != NULL && !dry_run ? content->kept : NULL;
		outcome_content(d, content, kept, res);
		decision_set(d, "closed_at", outbox_field(it, "closed_at"));
		if (kept != NULL)
			keep_queue(&tx, cf, it->id, chname, kept, now);
		if (content != NULL && it->channel == EVENT_CHANNEL_SMS)
			outcome_shortened(&dl, cf, it, &content->sms_cut, nt,
			    division, events);
		/* A completion that went out: ask whether it was fixed. */
		if (!dry_run)
			askqueue_sent(&tx, cf, it, now);
	} else {
		age = now - it->since;
		when = now + retry_delay(cf, it->attempts, res->retry_after);
		when = retry_due(cf, it->channel, when);
		dead = res->status == SEND_PERMFAIL ||
		    age + (when - now) > retry_max_age(cf, it->channel);
		pairs[0] = "state";
		pairs[1] = res->status == SEND_PERMFAIL ? "failed" :
		    dead ? "dead" : "retry";
		pairs[2] = "last_error";
		pairs[3] = reply;
		snprintf(next, sizeof next, "%lld", (long long)(dead ? now :
		    when));
		pairs[4] = dead ? "failed_at" : "next_at";
		pairs[5] = next;
		pairs[6] = "wait";
		pairs[7] = dead ? NULL : "retry";
		outcome_record(&tx, key, pairs, 8);
		if (!dead) {
			argv[0] = "ZADD";
			argv[1] = qkey;
			argv[2] = next;
			argv[3] = it->id;
			txn_queue(&tx, 4, argv);
			d = decision_add(&dl, DECISION_RETRIED, NULL, nt,
			    division, events, "%s to %s, attempt %lld: %s; "
			    "next attempt in %llds", chname, masked,
			    (long long)it->attempts, reply,
			    (long long)((when - now + 999) / 1000));
			outcome_describe(d, it, masked, content, res);
		} else {
			outcome_dead_letter(&tx, cf, it, pairs[1], reply,
			    masked, now);
			d = decision_add(&dl, res->status == SEND_PERMFAIL ?
			    DECISION_FAILED : DECISION_DEAD, NULL, nt,
			    division, events, "%s to %s after %lld attempt%s: "
			    "%s%s", chname, masked, (long long)it->attempts,
			    it->attempts == 1 ? "" : "s", reply,
			    res->status == SEND_PERMFAIL ? "" :
			    " (too old to retry)");
			outcome_describe(d, it, masked, content, res);
			outcome_fallback(&tx, &dl, cf, it, now);
		}
	}
	if (dead && it->channel == EVENT_CHANNEL_EMAIL &&
	    res->status == SEND_PERMFAIL &&
	    strncmp(reply, OUTCOME_RCPT_5XX, strlen(OUTCOME_RCPT_5XX)) == 0)
		suppress_queue(&tx, cf, outbox_field(it, "to"), "hard_bounce",
		    reply, sr, it->id, "closeloopd", now);
	if (it->unsubscribed || it->suppressed || res->status == SEND_OK ||
	    dead) {
		argv[0] = "EXPIRE";
		argv[1] = key;
		argv[2] = ttl;
		txn_queue(&tx, 3, argv);
	}
	decision_tag(&dl, 0, outbox_field(it, "ward"),
	    outbox_field(it, "service"));
	audit_queue(&tx, cf, sr, &dl, now);
	free(masked);
	free(qkey);
	free(skey);
	free(key);
	os->tx = tx;
	os->dl = dl;
	if (txn_send(&os->tx, cause) != 0) {
		outcome_sent_free(os);
		return NULL;
	}
	return os;
}

/* Read the reply to an outcome sent, and free os. */
int
outcome_collect(struct outcome_sent *os, char **cause)
{
	int	rc;

	rc = txn_collect(&os->tx, os->sr, cause) == 1 ? 0 : -1;
	if (rc == 0 && os->dl.n > 0)	/* logged once stored */
		decision_log(os->sr, &os->dl.list[0]);
	outcome_sent_free(os);
	return rc;
}

/* Write the outcome of an attempt and wait for Redis's reply. */
int
outcome_write(struct redis *r, const struct config *cf,
    const struct outbox_item *it, const struct send_result *res,
    const struct outcome_content *content, int dry_run, int64_t now,
    char **cause)
{
	struct outcome_sent	*os;

	if ((os = outcome_send(r, cf, it, res, content, dry_run, now,
	    cause)) == NULL)
		return -1;
	return outcome_collect(os, cause);
}
