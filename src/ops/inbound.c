/*
 * inbound.c - residents' text messages: STOP, START and HELP
 *
 * The keywords are one table, inbound_words[], written as residents
 * type them; the message and each word are folded alike (inbound_fold(),
 * with ICU) before they are compared, so "arrêt", " Arret " and "ARRÊT"
 * are one word. A word of several languages (PARAR, INICIAR) has one row
 * per language. The gateways' requests and answers are described in
 * inbound.h, the opt-out itself in optout.h.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "http.h"
#include "httpreq.h"
#include "inbound.h"
#include "log.h"
#include "optout.h"
#include "redis.h"
#include "redisconn.h"
#include "render.h"
#include "segment.h"
#include "syntax.h"
#include "template.h"
#include "xmalloc.h"

/* A message of this many bytes or more is no keyword. */
#define INBOUND_TEXT_MAX	160
/* Room for a message as UTF-16, decomposed. */
#define INBOUND_UNITS		2048

#define INBOUND_TWIML		"application/xml; charset=utf-8"

/* The keywords, by language, as residents type them. */
static const struct inbound_word {
	enum inbound_kind	 kind;
	const char		*locale;
	const char		*word;
} inbound_words[] = {
	{ INBOUND_STOP, "en", "STOP" },
	{ INBOUND_STOP, "en", "STOPALL" },
	{ INBOUND_STOP, "en", "UNSUBSCRIBE" },
	{ INBOUND_STOP, "en", "CANCEL" },
	{ INBOUND_STOP, "en", "END" },
	{ INBOUND_STOP, "en", "QUIT" },
	{ INBOUND_STOP, "fr", "ARRET" },
	{ INBOUND_STOP, "fr", "ARRÊT" },
	{ INBOUND_STOP, "es", "PARAR" },
	{ INBOUND_STOP, "es", "BAJA" },
	{ INBOUND_STOP, "es", "ALTO" },
	{ INBOUND_STOP, "pt", "PARAR" },
	{ INBOUND_STOP, "pt", "SAIR" },
	{ INBOUND_STOP, "fa", "لغو" },
	{ INBOUND_STOP, "fa", "توقف" },
	{ INBOUND_STOP, "zh-Hans", "退订" },
	{ INBOUND_STOP, "zh-Hans", "停止" },
	{ INBOUND_STOP, "zh-Hans", "TD" },
	{ INBOUND_START, "en", "START" },
	{ INBOUND_START, "en", "UNSTOP" },
	{ INBOUND_START, "en", "YES" },
	{ INBOUND_START, "fr", "DEBUT" },
	{ INBOUND_START, "fr", "DÉBUT" },
	{ INBOUND_START, "fr", "REPRENDRE" },
	{ INBOUND_START, "es", "ALTA" },
	{ INBOUND_START, "es", "INICIAR" },
	{ INBOUND_START, "pt", "INICIAR" },
	{ INBOUND_START, "pt", "VOLTAR" },
	{ INBOUND_START, "fa", "شروع" },
	{ INBOUND_START, "zh-Hans", "订阅" },
	{ INBOUND_START, "zh-Hans", "开始" },
	{ INBOUND_HELP, "en", "HELP" },
	{ INBOUND_HELP, "en", "INFO" },
	{ INBOUND_HELP, "fr", "AIDE" },
	{ INBOUND_HELP, "es", "AYUDA" },
	{ INBOUND_HELP, "pt", "AJUDA" },
	{ INBOUND_HELP, "fa", "راهنما" },
	{ INBOUND_HELP, "zh-Hans", "帮助" },
};

/* The reply template of each kind of keyword. */
static const char *inbound_templates[] = {
	[INBOUND_STOP] = "stop",
	[INBOUND_START] = "start",
	[INBOUND_HELP] = "help",
};

/* Fold a text message as keywords are compared. */
char *
inbound_fold(const char *text)
{
	const UNormalizer2	*nfkd;
	UErrorCode		 err = U_ZERO_ERROR;
	UChar			*in, *norm, *kept, *up;
	UChar32			 c;
	int32_t			 n, i, k = 0, start, len;
	char			*out = NULL;

	if (strlen(text) >= INBOUND_TEXT_MAX)
		return NULL;
	in = xcalloc(4, INBOUND_UNITS * sizeof *in);
	norm = in + INBOUND_UNITS;
	kept = norm + INBOUND_UNITS;
	up = kept + INBOUND_UNITS;
	u_strFromUTF8(in, INBOUND_UNITS, &n, text, -1, &err);
	nfkd = unorm2_getNFKDInstance(&err);
	if (U_SUCCESS(err))
		n = unorm2_normalize(nfkd, in, n, norm, INBOUND_UNITS, &err);
	if (U_FAILURE(err))
		goto fail;
	for (i = 0; i < n;) {
		U16_NEXT(norm, i, n, c);
		if (u_charType(c) != U_NON_SPACING_MARK)
			U16_APPEND_UNSAFE(kept, k, c);
	}
	n = u_strToUpper(up, INBOUND_UNITS, kept, k, "", &err);
	if (U_FAILURE(err))
		goto fail;
	for (start = 0; start < n && u_isUWhiteSpace(up[start]); start++)
		continue;
	while (n > start && u_isUWhiteSpace(up[n - 1]))
		n--;
	u_strToUTF8(NULL, 0, &len, up + start, n - start, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		goto fail;
	err = U_ZERO_ERROR;
	out = xmalloc((size_t)len + 1);
	u_strToUTF8(out, len + 1, NULL, up + start, n - start, &err);
	if (U_FAILURE(err)) {
		free(out);
		out = NULL;
	}
fail:
	free(in);
	return out;
}

/* Return 1 if locale is one of the space-separated words of locales. */
static int
inbound_has(const char *locales, const char *locale)
{
	size_t	len = strlen(locale);

	while (*locales != '\0') {
		if (strncmp(locales, locale, len) == 0 &&
		    (locales[len] == ' ' || locales[len] == '\0'))
			return 1;
		locales += strcspn(locales, " ");
		locales += strspn(locales, " ");
	}
	return 0;
}

/* Look a text message up among the keywords. */
enum inbound_kind
inbound_keyword(const char *text, char *locales, size_t size)
{
	enum inbound_kind	 kind = INBOUND_NONE;
	char			*folded, *word;
	size_t			 i, used;

	if (size > 0)
		*locales = '\0';
	if ((folded = inbound_fold(text)) == NULL || *folded == '\0') {
		free(folded);
		return INBOUND_NONE;
	}
	for (i = 0; i < sizeof inbound_words / sizeof inbound_words[0]; i++) {
		if (kind != INBOUND_NONE && inbound_words[i].kind != kind)
			continue;
		word = inbound_fold(inbound_words[i].word);
		if (word != NULL && strcmp(word, folded) == 0) {
			kind = inbound_words[i].kind;
			used = strlen(locales);
			/* ARRET and ARRÊT are one word: fr counts once. */
			if (!inbound_has(locales, inbound_words[i].locale))
				snprintf(locales + used, size - used, "%s%s",
				    used > 0 ? " " : "",
				    inbound_words[i].locale);
		}
		free(word);
	}
	free(folded);
	return kind;
}

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
    enum inbound_kind kind, const char *phone, const char *keyword,
    const char *masked, struct optout_result *res)
{
	char	*cause = NULL, *srs = NULL, *old;
	size_t	 i;
	int	 rc;

	if (*r == NULL && (*r = redisconn_open(cf, &cause)) == NULL)
		rc = -1;
	else if (kind == INBOUND_STOP)
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
	    keyword, kind == INBOUND_STOP ? "opted out of every" :
	    "opted in to", res->changed ? "" : " (already so)",
	    kind == INBOUND_STOP ? "unsubscribed" : "subscribed again",
	    res->nsr, res->nsr == 1 ? "" : "s", srs != NULL ? srs : "");
	free(srs);
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
	enum inbound_kind	 kind;
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
	kind = inbound_keyword(text != NULL ? text : "", locales,
	    sizeof locales);
	keyword = kind != INBOUND_NONE ? inbound_fold(text) : NULL;
	if (kind == INBOUND_NONE) {
		log_debug("inbound SMS from %s: not a keyword; no reply",
		    masked);
		inbound_answer(resp, twiml, NULL);
		goto done;
	}
	if (kind != INBOUND_HELP && inbound_change(cf, r, kind, phone,
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
