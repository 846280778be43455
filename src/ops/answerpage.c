/*
 * answerpage.c - the page of the answer links: "is it fixed?" by email
 *
 * What answerpage.h says. Each page is built here as a string: the
 * page's own markup, and every value - the words of answerwords.c, the
 * SR's number, the link's fields, checked first to be of the characters
 * they may hold, and the date - HTML-escaped into it. The page has no
 * script, no link out and no image; it is not cached, not indexed and
 * sends no Referer, so that its token stays where it was.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "answered.h"
#include "answerpage.h"
#include "answerwords.h"
#include "clock.h"
#include "config.h"
#include "datefmt.h"
#include "digest.h"
#include "http.h"
#include "httpreq.h"
#include "link.h"
#include "log.h"
#include "question.h"
#include "redis.h"
#include "redisconn.h"
#include "template.h"
#include "xmalloc.h"

#define ANSWERPAGE_HTML	"text/html; charset=utf-8"
#define ANSWERPAGE_CSP	"default-src 'none'; style-src 'unsafe-inline'; " \
	"form-action 'self'; frame-ancestors 'none'"

/* The parameters of a link, checked. */
struct answerpage_link {
	const char	*q;
	const char	*exp_text;
	long long	 exp;
	const char	*token;
};

/* A page being built. */
struct answerpage_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

/* Append markup of the page's own. */
static void
answerpage_raw(struct answerpage_buf *b, const char *markup)
{
	template_escape(&b->s, &b->len, &b->cap, markup, TEMPLATE_HTML, 1);
}

/* Append a value, HTML-escaped. */
static void
answerpage_esc(struct answerpage_buf *b, const char *value)
{
	template_escape(&b->s, &b->len, &b->cap, value, TEMPLATE_HTML, 0);
}

/*
 * Start a page in language lang, direction dir, with its title and
 * heading.
 */
static void
answerpage_head(struct answerpage_buf *b, const char *lang, const char *dir,
    const char *title)
{
	answerpage_raw(b, "<!DOCTYPE html>\n<html lang=\"");
	answerpage_esc(b, lang);
	answerpage_raw(b, "\" dir=\"");
	answerpage_esc(b, dir);
	answerpage_raw(b, "\">\n<head>\n<meta charset=\"utf-8\">\n<meta "
	    "name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<meta name=\"robots\" content=\"noindex\">\n"
	    "<title>");
	answerpage_esc(b, title);
	answerpage_raw(b, "</title>\n<style>body{max-width:600px;margin:0 auto;"
	    "padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:"
	    "18px;line-height:1.5}label{display:block;margin:8px 0}"
	    "textarea{width:100%;box-sizing:border-box;font:inherit}button{"
	    "margin-top:16px;padding:10px 18px;font:inherit;font-weight:bold;"
	    "color:#fff;background:#0b5394;border:0}</style>\n</head>\n"
	    "<body>\n<h1>");
	answerpage_esc(b, title);
	answerpage_raw(b, "</h1>\n");
}

/* Answer the page built in b, with its status and headers. */
static void
answerpage_send(struct http_response *resp, int status,
    struct answerpage_buf *b)
{
	answerpage_raw(b, "</body>\n</html>\n");
	resp->status = status;
	resp->content_type = ANSWERPAGE_HTML;
	resp->body = b->s;
	httpresp_header(resp, "Cache-Control", "no-store");
	httpresp_header(resp, "Referrer-Policy", "no-referrer");
	httpresp_header(resp, "Content-Security-Policy", ANSWERPAGE_CSP);
}

/* Answer a page of a heading and a sentence, in the words' language. */
static void
answerpage_say(struct http_response *resp, int status,
    const struct answerwords *w, const char *title, const char *text)
{
	struct answerpage_buf	 b = { NULL, 0, 0 };

	answerpage_head(&b, w->locale, w->dir, title);
	answerpage_raw(&b, "<p>");
	answerpage_esc(&b, text);
	answerpage_raw(&b, "</p>\n");
	answerpage_send(resp, status, &b);
}

/* Answer a page in simple English, before the link is known to be good. */
static void
answerpage_plain(struct http_response *resp, int status, const char *title,
    const char *text)
{
	static const struct answerwords	 en = { .locale = "en", .dir = "ltr" };

	answerpage_say(resp, status, &en, title, text);
}

/* Return 1 if s is len lower-case hex digits. */
static int
answerpage_hex(const char *s, size_t len)
{
	return s != NULL && strlen(s) == len &&
	    strspn(s, "0123456789abcdef") == len;
}

/* Read and check the parameters of a link; 0, or -1 if malformed. */
static int
answerpage_parse(const struct httpreq *req, struct answerpage_link *l)
{
	l->q = httpreq_arg(req, "q");
	l->exp_text = httpreq_arg(req, "exp");
	l->token = httpreq_arg(req, "token");
	if (!question_id_ok(l->q, NULL) || l->exp_text == NULL ||
	    *l->exp_text == '\0' || strlen(l->exp_text) > 12 ||
	    strspn(l->exp_text, "0123456789") != strlen(l->exp_text) ||
	    !answerpage_hex(l->token, DIGEST_HEX_LEN))
		return -1;
	l->exp = strtoll(l->exp_text, NULL, 10);
	return 0;
}

/* Append a hidden field of the form: a checked value, no escape needed. */
static void
answerpage_hidden(struct answerpage_buf *b, const char *name,
    const char *value)
{
	answerpage_raw(b, "<input type=\"hidden\" name=\"");
	answerpage_raw(b, name);
	answerpage_raw(b, "\" value=\"");
	answerpage_esc(b, value);
	answerpage_raw(b, "\">\n");
}

/*
 * Answer the form of question q for link l in the words w, with the
 * answer chosen checked (the question's own if it has one).
 */
static void
answerpage_form(const struct config *cf, struct http_response *resp,
    int status, const struct answerwords *w, const struct question *q,
    const struct answerpage_link *l, enum question_answer chosen)
{
	struct answerpage_buf	 b = { NULL, 0, 0 };
	char			*date;
	int			 a;

	answerpage_head(&b, w->locale, w->dir, w->title);
	answerpage_raw(&b, "<p>");
	answerpage_esc(&b, w->request);
	answerpage_raw(&b, ": <span dir=\"ltr\">");
	answerpage_esc(&b, q->sr);
	answerpage_raw(&b, "</span></p>\n");
	if (q->answer != QUESTION_NO_ANSWER) {
		date = datefmt_date(w->locale, q->answer_by / 1000,
		    cf->templates_timezone, NULL);
		answerpage_raw(&b, "<p>");
		answerpage_esc(&b, w->current);
		answerpage_raw(&b, " <strong>");
		answerpage_esc(&b, w->answer[q->answer]);
		answerpage_raw(&b, "</strong>. ");
		answerpage_esc(&b, w->until);
		answerpage_raw(&b, " <bdi>");
		answerpage_esc(&b, date != NULL ? date : "");
		answerpage_raw(&b, "</bdi>.</p>\n");
		free(date);
	}
	answerpage_raw(&b, "<p>");
	answerpage_esc(&b, w->intro);
	answerpage_raw(&b, "</p>\n<form method=\"post\">\n");
	answerpage_hidden(&b, "q", l->q);
	answerpage_hidden(&b, "exp", l->exp_text);
	answerpage_hidden(&b, "token", l->token);
	for (a = QUESTION_FIXED; a <= QUESTION_PARTLY; a++) {
		answerpage_raw(&b, "<label><input type=\"radio\" "
		    "name=\"answer\" value=\"");
		answerpage_raw(&b, question_answer_name(a));
		answerpage_raw(&b, a == (int)chosen ? "\" checked> " : "\"> ");
		answerpage_esc(&b, w->answer[a]);
		answerpage_raw(&b, "</label>\n");
	}
	answerpage_raw(&b, "<label for=\"comment\">");
	answerpage_esc(&b, w->comment);
	answerpage_raw(&b, "</label>\n<textarea id=\"comment\" "
	    "name=\"comment\" rows=\"4\" maxlength=\"1000\"></textarea>\n"
	    "<button type=\"submit\">");
	answerpage_esc(&b, w->send);
	answerpage_raw(&b, "</button>\n</form>\n");
	answerpage_send(resp, status, &b);
}

/*
 * Check link l (the token is good) against question q at now (ms):
 * return 1 if q takes answers, else answer the page that says it is
 * closed, and return 0.
 */
static int
answerpage_open(struct http_response *resp, const struct question *q,
    const struct answerpage_link *l, int64_t now)
{
	const struct answerwords	*w = answerwords_get(q->locale);

	if (l->exp >= now / 1000 && now <= q->answer_by &&
	    (q->state == QUESTION_ASKED || q->state == QUESTION_ANSWERED))
		return 1;
	answerpage_say(resp, 403, w, w->closed_title, w->closed);
	return 0;
}

/*
 * Record the answer POSTed for link l of question q and answer the page
 * of thanks, or the form again if no answer was chosen.
 */
static void
answerpage_post(const struct config *cf, struct redis **r,
    const struct httpreq *req, struct http_response *resp,
    const struct question *q, const struct answerpage_link *l, int64_t now)
{
	const struct answerwords	*w = answerwords_get(q->locale);
	struct answered			 a;
	enum question_answer		 answer;
	char				*cause = NULL;

	answer = question_answer_parse(httpreq_arg(req, "answer"));
	if (answer == QUESTION_NO_ANSWER) {
		answerpage_form(cf, resp, 400, w, q, l, q->answer);
		return;
	}
	if (answered_record(cf, *r, l->q, answer, httpreq_arg(req,
	    "comment"), "email", now, &a, &cause) != 0) {
		log_warn("answer to question %s: %s", l->q, cause);
		free(cause);
		redis_free(*r);
		*r = NULL;
		answerpage_say(resp, 503, w, w->later_title, w->later);
		return;
	}
	if (!a.found || a.refusal != ANSWER_TAKEN)
		answerpage_say(resp, 403, w, w->closed_title, w->closed);
	else {
		log_info("SR %s: answer %s to question %s by its link", q->sr,
		    question_answer_name(answer), l->q);
		answerpage_say(resp, 200, w, w->thanks, w->thanked[answer]);
	}
	answered_clear(&a);
}

/* Answer one /answer request. */
void
answerpage_handle(const struct config *cf, struct redis **r,
    const struct httpreq *req, struct http_response *resp)
{
	struct answerpage_link	 l;
	struct question		*q = NULL;
	char			*cause = NULL;
	int64_t			 now = clock_now();

	if (cf->feedback_answer_secret == NULL) {
		answerpage_plain(resp, 404, "Not found", "This address does "
		    "not take answer links.");
		return;
	}
	if (answerpage_parse(req, &l) != 0) {
		answerpage_plain(resp, 400, "Broken link", "This link is not "
		    "complete. Please use the whole link from the email.");
		return;
	}
	if (!link_answer_check(cf, l.q, l.exp, l.token)) {
		log_warn("answer to question %s from %s: wrong token; ignored",
		    l.q, httpreq_peer(req));
		answerpage_plain(resp, 403, "Link not valid", "This link is "
		    "not valid. Nothing was changed.");
		return;
	}
	if ((*r == NULL && (*r = redisconn_open(cf, &cause)) == NULL) ||
	    answered_question(cf, *r, l.q, &q, &cause) != 0) {
		log_warn("answer to question %s: %s", l.q, cause != NULL ?
		    cause : "Redis failed");
		free(cause);
		redis_free(*r);
		*r = NULL;
		answerpage_plain(resp, 503, "Try again later", "This could not "
		    "be done just now. Please try again in a few minutes.");
		return;
	}
	if (q == NULL)
		answerpage_plain(resp, 410, "Question closed", "This question "
		    "is closed. Nothing was changed.");
	else if (!answerpage_open(resp, q, &l, now))
		;	/* the page says so */
	else if (strcmp(httpreq_method(req), "POST") == 0)
		answerpage_post(cf, r, req, resp, q, &l, now);
	else	/* the link's answer chosen, else the one given before */
		answerpage_form(cf, resp, 200, answerwords_get(q->locale), q,
		    &l, question_answer_parse(httpreq_arg(req, "a")) !=
		    QUESTION_NO_ANSWER ? question_answer_parse(httpreq_arg(req,
		    "a")) : q->answer);
	question_free(q);
}
