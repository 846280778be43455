/*
 * receipt.c - delivery receipts from the SMS gateway
 *
 * The URL given to the gateway for notification ID, sent at NOW:
 *   sms.dlr_url?id=ID&exp=EXP&token=TOKEN
 * where EXP is NOW + sms.dlr_max_age_days in seconds since the epoch and
 * TOKEN the HMAC-SHA-256 of "closeloop-receipt:ID:EXP" under the key, in
 * hex; a receipt after EXP is refused (410) and not recorded. A URL of a
 * message sent by an earlier version has no exp and a token over ID
 * alone: it is still taken, until sms.dlr_max_age_days after the
 * record's sent_at (or created), which is what a proxy sending the key
 * in X-Closeloop-Secret without exp gets too. IDs are letters, digits,
 * '-' and '/', so the URL needs no escapes of its own (Kannel would read
 * a '%' in it as one of its own). Kannel adds
 * "&status=%d&answer=%A" and fills them in: status 1 delivered, 2 not
 * delivered, 16 rejected by the SMSC (final); 4 buffered, 8 submitted
 * (interim). Twilio POSTs MessageStatus: delivered or read (final,
 * delivered); undelivered, failed or canceled (final, not delivered);
 * queued, accepted, scheduled, sending or sent (interim). A word the
 * gateway sends is logged only through log_clean(), cut to
 * RECEIPT_LOG_MAX bytes.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "clock.h"
#include "config.h"
#include "decision.h"
#include "digest.h"
#include "event.h"
#include "http.h"
#include "httpreq.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "receipt.h"
#include "redis.h"
#include "redisconn.h"
#include "txn.h"
#include "vocab.h"
#include "xmalloc.h"

/* The most bytes of a gateway's word that a log line shows. */
#define RECEIPT_LOG_MAX		40
/* The most bytes of the gateway's answer that the record keeps. */
#define RECEIPT_ANSWER_MAX	200
/* How often a report is tried when the record changes under it. */
#define RECEIPT_ATTEMPTS	5
/* How long a receipt waits for its request's outcome to be recorded. */
#define RECEIPT_SETTLE_MS	1000

/* What became of a report. */
enum receipt_what {
	RECEIPT_RECORDED,	/* written, and audited if final */
	RECEIPT_KNOWN,		/* an interim report repeated */
	RECEIPT_IGNORED		/* after the final one: counted only */
};

/* What a report says. */
struct receipt_report {
	const char	*name;		/* the gateway's word or code */
	const char	*receipt;	/* what the record says */
	int		 final;		/* 1 delivered, -1 not, 0 interim */
	const char	*detail;
};

static const struct receipt_report receipt_kannel[] = {
	{ "1", "delivered", 1, "delivered to the phone" },
	{ "2", "undelivered", -1, "the phone could not be reached" },
	{ "16", "rejected", -1, "rejected by the SMS centre" },
	{ "4", "buffered", 0, "waiting at the SMS centre" },
	{ "8", "submitted", 0, "handed to the SMS centre" },
	{ NULL, NULL, 0, NULL }
};

static const struct receipt_report receipt_twilio[] = {
	{ "delivered", "delivered", 1, "delivered to the phone" },
	{ "read", "delivered", 1, "delivered to the phone, and read" },
	{ "undelivered", "undelivered", -1, "the phone could not be reached" },
	{ "failed", "failed", -1, "the carrier refused the message" },
	{ "canceled", "canceled", -1, "canceled before it was sent" },
	{ "queued", "queued", 0, "queued by the gateway" },
	{ "accepted", "accepted", 0, "accepted by the gateway" },
	{ "scheduled", "scheduled", 0, "scheduled by the gateway" },
	{ "sending", "sending", 0, "being sent by the gateway" },
	{ "sent", "sent", 0, "handed to the carrier" },
	{ NULL, NULL, 0, NULL }
};

/*
 * Write the token of notification id's URL expiring at exp (seconds), or
 * for exp -1 the token of a URL without expiry (see the top).
 */
static void
receipt_token(const struct config *cf, const char *id, long long exp,
    char token[DIGEST_HEX_LEN + 1])
{
	const char	*key = cf->sms_dlr_secret;
	char		*text;

	if (exp < 0) {
		digest_hmac(key, strlen(key), id, token);
		return;
	}
	text = xasprintf("closeloop-receipt:%s:%lld", id, exp);
	digest_hmac(key, strlen(key), text, token);
	free(text);
}

/* Return the URL at which the gateway reports on a notification. */
char *
receipt_url(const struct config *cf, const char *id, int64_t now)
{
	const char	*url = cf->sms_dlr_url;
	char		 token[DIGEST_HEX_LEN + 1];
	long long	 exp;

	exp = (long long)now + cf->sms_dlr_max_age_days * 86400;
	receipt_token(cf, id, exp, token);
	return xasprintf("%s%cid=%s&exp=%lld&token=%s", url,
	    strchr(url, '?') != NULL ? '&' : '?', id, exp, token);
}

/* Set the response to status and a one-line text. */
static void
receipt_answer(struct http_response *resp, int status, const char *text)
{
	resp->status = status;
	resp->body = xasprintf("%s\n", text);
}

/* Return 1 if id looks like a notification id ("SR/SEQ/I", "...f"). */
static int
receipt_id_ok(const char *id)
{
	size_t	slashes = 0;

	if (id == NULL || *id == '\0' || strlen(id) > 100)
		return 0;
	for (; *id != '\0'; id++) {
		if (*id == '/')
			slashes++;
		else if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", *id) == NULL)
			return 0;
	}
	return slashes == 2;
}

/* Look up what a report says; NULL if the gateway's word is unknown. */
static const struct receipt_report *
receipt_find(const struct receipt_report *table, const char *name)
{
	for (; table->name != NULL; table++) {
		if (strcmp(table->name, name) == 0)
			return table;
	}
	return NULL;
}

/*
 * Read the URL's expiry: *exp is -1 if the request has none. Returns 0,
 * or -1 if it is not 1 to 12 digits.
 */
static int
receipt_exp(const struct httpreq *req, long long *exp)
{
	const char	*e = httpreq_arg(req, "exp");

	*exp = -1;
	if (e == NULL)
		return 0;
	if (*e == '\0' || strlen(e) > 12 || strspn(e, "0123456789") !=
	    strlen(e))
		return -1;
	*exp = strtoll(e, NULL, 10);
	return 0;
}

/*
 * Return 1 if the request proves it comes from our gateway: the key in
 * X-Closeloop-Secret, or the token of id and exp (the URL's expiry, or
 * -1 for a URL without one).
 */
static int
receipt_authentic(const struct config *cf, const struct httpreq *req,
    const char *id, long long exp)
{
	char	token[DIGEST_HEX_LEN + 1];

	if (cf->sms_dlr_secret == NULL)
		return 0;
	if (digest_equal(httpreq_header(req, "X-Closeloop-Secret"),
	    cf->sms_dlr_secret))
		return 1;
	receipt_token(cf, id, exp, token);
	return digest_equal(httpreq_arg(req, "token"), token);
}

/*
 * Return 1 if a receipt without an expiry in its URL comes too late for
 * the record f: more than sms.dlr_max_age_days after it was sent (or
 * created, if it was not) at now (ms).
 */
static int
receipt_too_late(const struct config *cf, const struct redis_reply *f,
    int64_t now)
{
	const char	*at = redis_reply_field(f, "sent_at");

	if (at == NULL)
		at = redis_reply_field(f, "created");
	return at != NULL && strtoll(at, NULL, 10) +
	    cf->sms_dlr_max_age_days * 86400 * 1000 < now;
}

/* Refuse a receipt whose URL has expired: log it, count it, say so. */
static void
receipt_expired(const char *id, const struct httpreq *req,
    struct http_response *resp)
{
	log_notice("receipt for %s from %s: its URL has expired "
	    "(sms.dlr_max_age_days); not recorded", id, httpreq_peer(req));
	metrics_receipt("expired");
	receipt_answer(resp, 410, "this receipt URL has expired; the "
	    "receipt was not recorded");
}

/*
 * Queue the record's new fields and, for a final report, its audit entry
 * into tx. detail is what the record keeps, answer the gateway's own
 * words (cleaned and bounded, or NULL); the decision goes into dl.
 */
static void
receipt_queue(struct txn *tx, const struct config *cf, const char *id,
    const struct redis_reply *f, const struct receipt_report *rep,
    const char *detail, const char *answer, struct decision_list *dl,
    int64_t at)
{
	struct decision	*d;
	const char	*argv[8], *to, *nt;
	char		*key, *masked, now[32];

	to = redis_reply_field(f, "to");
	nt = redis_reply_field(f, "notice");
	masked = to != NULL ? event_mask_contact(EVENT_CHANNEL_SMS, to) :
	    xstrdup("?");
	key = outbox_key(cf, id);
	snprintf(now, sizeof now, "%lld", (long long)at);
	argv[0] = "HSET";
	argv[1] = key;
	argv[2] = "receipt";
	argv[3] = rep->receipt;
	argv[4] = "receipt_at";
	argv[5] = now;
	argv[6] = "receipt_detail";
	argv[7] = detail;
	txn_queue(tx, 8, argv);
	if (rep->final != 0) {
		argv[2] = "receipt_final";
		argv[3] = "1";
		txn_queue(tx, 4, argv);
		d = decision_add(dl, rep->final > 0 ? DECISION_DELIVERED :
		    DECISION_UNDELIVERED, NULL,
		    vocab_notice_parse(nt != NULL ? nt : ""),
		    redis_reply_field(f, "division"),
		    redis_reply_field(f, "events"), "sms to %s: %s", masked,
		    rep->detail);
		decision_set(d, "channel", "sms");
		decision_set(d, "to", masked);
		decision_set(d, "locale", redis_reply_field(f, "locale"));
		decision_set(d, "notification", id);
		decision_set(d, "template_version",
		    redis_reply_field(f, "template_version"));
		decision_set(d, "content_sha256",
		    redis_reply_field(f, "content_sha256"));
		decision_set(d, "provider_id",
		    redis_reply_field(f, "provider_id"));
		decision_set(d, "receipt", rep->receipt);
		decision_set(d, "reply", answer);
		decision_tag(dl, 0, redis_reply_field(f, "ward"),
		    redis_reply_field(f, "service"));
		audit_queue(tx, cf, redis_reply_field(f, "sr"), dl, at);
	}
	free(masked);
	free(key);
}

/*
 * Write a report on notification id, whose record's fields are f (read
 * under WATCH): the first final report is final; any report after it is
 * only counted in receipts_ignored. Sets *what to RECEIPT_RECORDED,
 * RECEIPT_KNOWN (an interim report repeated: nothing to write) or
 * RECEIPT_IGNORED. Returns 1 if done, 0 if the record changed meanwhile
 * (nothing written), -1 with *cause.
 */
static int
receipt_write(const struct config *cf, struct redis *r, const char *id,
    const struct redis_reply *f, const struct receipt_report *rep,
    const char *words, enum receipt_what *what, char **cause)
{
	struct decision_list	 dl = { NULL, 0 };
	struct txn		 tx;
	const char		*argv[4], *had, *sr = redis_reply_field(f, "sr");
	char			*key, *answer = NULL;
	int			 rc;

	had = redis_reply_field(f, "receipt");
	if (redis_reply_field(f, "receipt_final") != NULL)
		*what = RECEIPT_IGNORED;
	else if (had != NULL && strcmp(had, rep->receipt) == 0) {
		*what = RECEIPT_KNOWN;
		redis_unwatch(r);
		return 1;
	} else
		*what = RECEIPT_RECORDED;

	txn_begin(&tx, r);
	key = outbox_key(cf, id);
	if (*what == RECEIPT_IGNORED) {
		argv[0] = "HINCRBY";
		argv[1] = key;
		argv[2] = "receipts_ignored";
		argv[3] = "1";
		txn_queue(&tx, 4, argv);
	} else {
		if (words != NULL && *words != '\0')
			answer = log_clean(words, strlen(words),
			    RECEIPT_ANSWER_MAX);
		receipt_queue(&tx, cf, id, f, rep, answer != NULL ? answer :
		    rep->detail, answer, &dl, clock_now());
	}
	rc = txn_exec(&tx, sr, cause);
	if (rc == 1 && dl.n > 0)
		decision_log(sr, &dl.list[0]);
	if (rc == 1 && *what == RECEIPT_IGNORED)
		log_write(strcmp(had != NULL ? had : "", rep->receipt) == 0 ?
		    LOG_LEVEL_DEBUG : LOG_LEVEL_INFO, "receipt for %s: %s "
		    "after the final report (%s); ignored", id, rep->receipt,
		    had != NULL ? had : "?");
	decision_clear(&dl);
	free(answer);
	free(key);
	return rc;
}

/* Answer one receipt request. */
void
receipt_handle(const struct config *cf, struct redis **r,
    const struct httpreq *req, struct http_response *resp)
{
	const struct receipt_report	*rep;
	struct redis_reply		*f = NULL;
	const char			*id = httpreq_arg(req, "id");
	const char			*st, *words;
	enum receipt_what		 what = RECEIPT_KNOWN;
	char				*key = NULL, *cause = NULL, *clean;
	long long			 exp;
	int				 rc, attempt;

	if (!receipt_id_ok(id)) {
		receipt_answer(resp, 400, "no valid notification id");
		return;
	}
	if (receipt_exp(req, &exp) != 0) {
		receipt_answer(resp, 400, "no valid expiry time (exp)");
		return;
	}
	if (!receipt_authentic(cf, req, id, exp)) {
		log_warn("receipt for %s from %s: wrong or missing token; "
		    "ignored", id, httpreq_peer(req));
		receipt_answer(resp, 403, "wrong or missing token");
		return;
	}
	if (exp >= 0 && exp < clock_now() / 1000) {
		receipt_expired(id, req, resp);
		return;
	}
	if ((st = httpreq_arg(req, "status")) != NULL) {
		rep = receipt_find(receipt_kannel, st);
		words = httpreq_arg(req, "answer");
	} else if ((st = httpreq_arg(req, "MessageStatus")) != NULL) {
		rep = receipt_find(receipt_twilio, st);
		words = httpreq_arg(req, "ErrorCode");
	} else {
		receipt_answer(resp, 400, "no status and no MessageStatus");
		return;
	}
	if (rep == NULL) {
		clean = log_clean(st, strlen(st), RECEIPT_LOG_MAX);
		log_warn("receipt for %s: unknown status \"%s\"; ignored", id,
		    clean);
		free(clean);
		receipt_answer(resp, 400, "unknown status");
		return;
	}
	if (*r == NULL && (*r = redisconn_open(cf, &cause)) == NULL)
		goto fail;
	key = outbox_key(cf, id);
	for (attempt = 0; attempt < RECEIPT_ATTEMPTS; attempt++) {
		redis_reply_free(f);
		/*
		 * A gateway may report before closeloopd has written its
		 * answer (fakesmsc does, a few ms after its 202); the
		 * receipt's trail and outbound entries carry what that
		 * outcome writes and come after it.
		 */
		if ((f = outbox_watch_settled(*r, key, RECEIPT_SETTLE_MS,
		    &cause)) == NULL)
			goto fail;
		if (redis_reply_field(f, "sr") == NULL ||
		    redis_reply_field(f, "channel") == NULL ||
		    strcmp(redis_reply_field(f, "channel"), "sms") != 0) {
			redis_unwatch(*r);
			receipt_answer(resp, 404, "no such SMS notification "
			    "(unknown, not an SMS, or its record expired)");
			goto done;
		}
		if (exp < 0 && receipt_too_late(cf, f, clock_now())) {
			redis_unwatch(*r);
			receipt_expired(id, req, resp);
			goto done;
		}
		if ((rc = receipt_write(cf, *r, id, f, rep, words, &what,
		    &cause)) < 0)
			goto fail;
		if (rc == 1)
			break;
	}
	if (attempt == RECEIPT_ATTEMPTS) {
		cause = xstrdup("the record kept changing");
		goto fail;
	}
	if (what != RECEIPT_KNOWN)
		metrics_receipt(what == RECEIPT_RECORDED ? "recorded" :
		    "ignored");
	receipt_answer(resp, 200, what == RECEIPT_RECORDED ? "recorded" :
	    what == RECEIPT_KNOWN ? "known already" : "known already; the "
	    "first final report stands");
	goto done;
fail:
	log_warn("receipt for %s: %s; the gateway will report again", id,
	    cause != NULL ? cause : "Redis failed");
	redis_free(*r);
	*r = NULL;
	receipt_answer(resp, 503, "cannot record it now; try again later");
done:
	free(cause);
	redis_reply_free(f);
	free(key);
}
