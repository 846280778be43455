/*
 * inbound.c - residents' text messages: STOP, START and HELP
 *
 * The keywords are one table, inbound_words[], written as residents
 * type them; the message and each word are folded alike (keyword_fold(),
 * with ICU) before they are compared, so "arrêt", " Arret " and "ARRÊT"
 * are one word. A word of several languages (PARAR, INICIAR) has one row
 * per language. The gateways' requests and answers are described in
 * inbound.h, the opt-out itself in optout.h.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "answered.h"
#include "clock.h"
#include "config.h"
#include "digest.h"
#include "http.h"
#include "httpreq.h"
#include "inbound.h"
#include "keyword.h"
#include "log.h"
#include "optout.h"
#include "question.h"
#include "redis.h"
#include "redisconn.h"
#include "render.h"
#include "segment.h"
#include "syntax.h"
#include "template.h"
#include "xmalloc.h"

#define INBOUND_TWIML		"application/xml; charset=utf-8"

/* The reply template of each kind of keyword. */
static const char *inbound_templates[] = {
	[KEYWORD_STOP] = "stop",
	[KEYWORD_START] = "start",
	[KEYWORD_HELP] = "help",
};

/* Return 1 if the request carries the inbound secret. */
static int
inbound_authentic(const struct config *cf, const struct httpreq *req)
{
	const char	*key = cf->sms_inbound_secret;

	if (key == NULL)
		return 0;
	return digest_equal(httpreq_header(req, "X-Closeloop-Secret"), key) ||
	    digest_equal(httpreq_arg(req, "token"), key);
}

/*
 * Return the sender as an E.164 number ("+" then digits; "00" or no
 * prefix taken for "+"), or NULL if it is not one. The caller frees it.
 */
static char *
inbound_phone(const char *from)
{
	const char	*why;
	char		*phone;

	if (from == NULL)
		return NULL;
	if (strncmp(from, "00", 2) == 0)
		phone = xasprintf("+%s", from + 2);
	else if (*from != '+')
		phone = xasprintf("+%s", from);
	else
		phone = xstrdup(from);
	if (syntax_phone(phone, &why) != 0) {
		free(phone);
		return NULL;
	}
	return phone;
}

/*
 * Return the locale to answer in: the keyword's own, or for a word of
 * several languages the phone's stored one if known, else the default.
 */
static const char *
inbound_locale(const struct config *cf, const char *locales,
    const char *stored)
{
	if (strchr(locales, ' ') == NULL)
		return locales;
	return stored != NULL ? stored : cf->templates_default_locale;
}

/*
 * Answer with the reply text (NULL: none): Kannel's reply is the body,
 * a REST gateway's is TwiML.
 */
static void
inbound_answer(struct http_response *resp, int twiml, const char *text)
{
	struct segment_info	 info;
	char			*buf = NULL;
	size_t			 len = 0, cap = 0;

	resp->status = 200;
	if (!twiml) {
		resp->body = xstrdup(text != NULL ? text : "");
		if (text != NULL && segment_count(text, &info) == 0 &&
		    info.encoding == SEGMENT_UCS2) {
			httpresp_header(resp, "X-Kannel-Coding", "2");
		}
		return;
	}
	resp->content_type = INBOUND_TWIML;
	if (text != NULL)
		template_escape(&buf, &len, &cap, text, TEMPLATE_HTML, 0);
	resp->body = xasprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<Response>%s%s%s</Response>\n", text != NULL ? "<Message>" : "",
	    text != NULL ? buf : "", text != NULL ? "</Message>" : "");
	free(buf);
}

/*
 * Opt phone in or out as kind says, keyword being the folded word.
 * Fills *res. Returns 0, or -1 with the connection dropped.
 */
static int
inbound_change(const struct config *cf, struct redis **r,
    enum keyword_kind kind, const char *phone, const char *keyword,
    const char *masked, struct optout_result *res)
{
	char	*cause = NULL, *srs = NULL, *old;
	size_t	 i;
	int	 rc;

	if (*r == NULL && (*r = redisconn_open(cf, &cause)) == NULL)
		rc = -1;
	else if (kind == KEYWORD_STOP)
		rc = optout_stop(*r, cf, phone, keyword, clock_now(), res,
		    &cause);
	else
		rc = optout_start(*r, cf, phone, clock_now(), res, &cause);
	if (rc != 0) {
		log_warn("inbound SMS from %s: %s; not changed", masked,
		    cause != NULL ? cause : "Redis failed");
		free(cause);
		redis_free(*r);
		*r = NULL;
		return -1;
	}
	for (i = 0; i < res->nsr; i++) {
		old = srs;
		srs = xasprintf("%s %s", old != NULL ? old : "", res->sr[i]);
		free(old);
	}
	log_notice("%s texted %s: %s SMS%s; %s for %zu SR%s%s", masked,
	    keyword, kind == KEYWORD_STOP ? "opted out of every" :
	    "opted in to", res->changed ? "" : " (already so)",
	    kind == KEYWORD_STOP ? "unsubscribed" : "subscribed again",
	    res->nsr, res->nsr == 1 ? "" : "s", srs != NULL ? srs : "");
	free(srs);
	return 0;
}

/* The answer to the question that each kind of answer word gives. */
static const enum question_answer inbound_answers[] = {
	[KEYWORD_FIXED] = QUESTION_FIXED,
	[KEYWORD_NOT_FIXED] = QUESTION_NOT_FIXED,
	[KEYWORD_PARTLY] = QUESTION_PARTLY,
};

/*
 * Take text, no keyword, from phone as an answer to the question it was
 * last asked, or as a comment after one, and thank them in the
 * question's language; or answer with no reply if it is neither.
 * Returns 0, or -1 with the connection dropped (answered 503).
 */
static int
inbound_feedback(const struct config *cf, const struct catalog *cat,
    struct redis **r, const char *phone, const char *masked,
    const char *text, int twiml, struct http_response *resp)
{
	struct answered		 a;
	struct segment_info	 info;
	enum keyword_kind	 kind;
	const char		*rest;
	char			*id = NULL, *reply = NULL, *cause = NULL;
	char			 locales[64];

	memset(&a, 0, sizeof a);
	kind = keyword_answer(text, &rest, locales, sizeof locales);
	if ((*r == NULL && (*r = redisconn_open(cf, &cause)) == NULL) ||
	    answered_phone(cf, *r, phone, &id, &cause) != 0 ||
	    (id != NULL && answered_record(cf, *r, id, kind != KEYWORD_NONE ?
	    inbound_answers[kind] : QUESTION_NO_ANSWER, kind != KEYWORD_NONE ?
	    rest : text, "sms", clock_now(), &a, &cause) != 0)) {
		log_warn("inbound SMS from %s: %s; not recorded", masked,
		    cause != NULL ? cause : "Redis failed");
		free(cause);
		free(id);
		redis_free(*r);
		*r = NULL;
		return -1;
	}
	if (id == NULL || !a.found || a.refusal != ANSWER_TAKEN) {
		log_debug("inbound SMS from %s: not a keyword%s; no reply",
		    masked, id == NULL ? "" : " nor an answer taken");
		inbound_answer(resp, twiml, NULL);
		goto done;
	}
	reply = render_thanks(cf, cat, a.locale != NULL ? a.locale :
	    cf->templates_default_locale, question_answer_name(a.answer),
	    kind == KEYWORD_NONE, &info, &cause);
	if (reply == NULL) {
		log_err("inbound SMS from %s: answer to %s: no reply sent: %s",
		    masked, id, cause);
		free(cause);
	} else
		log_info("inbound SMS from %s: %s %s to question %s; thanked "
		    "in %s", masked, kind == KEYWORD_NONE ? "a comment on" :
		    "answer", question_answer_name(a.answer), id,
		    a.locale != NULL ? a.locale :
		    cf->templates_default_locale);
	inbound_answer(resp, twiml, reply);
done:
	answered_clear(&a);
	free(reply);
	free(id);
	return 0;
}

/* Answer one /inbound request. */
void
inbound_handle(const struct config *cf, const struct catalog *cat,
    struct redis **r, const struct httpreq *req,
    struct http_response *resp)
{
	struct optout_result	 res;
	struct segment_info	 info;
	enum keyword_kind	 kind;
	const char		*text, *locale;
	char			*phone, *masked, *keyword, *reply = NULL;
	char			*cause = NULL, locales[64];
	int			 twiml = httpreq_arg(req, "From") != NULL;

	memset(&res, 0, sizeof res);
	if (!inbound_authentic(cf, req)) {
		log_warn("inbound SMS from %s: wrong or missing secret%s; "
		    "ignored", httpreq_peer(req),
		    cf->sms_inbound_secret == NULL ?
		    " (sms.inbound_secret_file is not set)" : "");
		resp->status = 403;
		resp->body = xstrdup("wrong or missing secret\n");
		return;
	}
	if ((phone = inbound_phone(httpreq_arg(req, twiml ? "From" :
	    "from"))) == NULL) {
		resp->status = 400;
		resp->body = xstrdup("no valid sender number\n");
		return;
	}
	masked = log_mask_phone(phone);
	text = httpreq_arg(req, twiml ? "Body" : "text");
	kind = keyword_find(text != NULL ? text : "", locales,
	    sizeof locales);
	keyword = kind != KEYWORD_NONE ? keyword_fold(text) : NULL;
	if (kind == KEYWORD_NONE) {
		if (inbound_feedback(cf, cat, r, phone, masked, text != NULL ?
		    text : "", twiml, resp) != 0) {
			resp->status = 503;
			resp->body = xstrdup("cannot record it now; try again "
			    "later\n");
		}
		goto done;
	}
	if (kind != KEYWORD_HELP && inbound_change(cf, r, kind, phone,
	    keyword, masked, &res) != 0) {
		resp->status = 503;
		resp->body = xstrdup("cannot record it now; try again later\n");
		goto done;
	}
	locale = inbound_locale(cf, locales, res.locale);
	reply = render_reply(cf, cat, locale, inbound_templates[kind], &info,
	    &cause);
	if (reply == NULL) {
		log_err("inbound SMS from %s: %s: no reply sent: %s", masked,
		    keyword, cause);
		free(cause);
	} else
		log_info("inbound SMS from %s: %s; replied in %s (%zu "
		    "segment%s)", masked, keyword, locale, info.segments,
		    info.segments == 1 ? "" : "s");
	inbound_answer(resp, twiml, reply);
done:
	optout_result_clear(&res);
	free(reply);
	free(keyword);
	free(masked);
	free(phone);
}
