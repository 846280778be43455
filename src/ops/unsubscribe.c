/*
 * unsubscribe.c - one-click unsubscribe from email (RFC 8058)
 *
 * The link and the token are described in unsubscribe.h. The pages
 * answered to a person (a GET, and the POST of its button) are plain
 * HTML in simple English: the link does not say which language the
 * reader uses, and it must not look the address up to find out before
 * the token is checked. Every value put in a page has been checked to
 * be letters, digits and '-' first, so it needs no escaping.
 */
#include "build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "digest.h"
#include "event.h"
#include "http.h"
#include "httpreq.h"
#include "link.h"
#include "log.h"
#include "optout.h"
#include "redis.h"
#include "redisconn.h"
#include "srhash.h"
#include "srstate.h"
#include "syntax.h"
#include "unsubscribe.h"
#include "xmalloc.h"

#define UNSUBSCRIBE_HTML	"text/html; charset=utf-8"

/* The parameters of a link, checked. */
struct unsubscribe_link {
	const char	*sr;
	const char	*contact;
	const char	*exp_text;
	long long	 exp;
	const char	*token;
};

/* Answer a small page: a heading, a sentence and maybe the button. */
static void
unsubscribe_page(struct http_response *resp, int status, const char *title,
    const char *text, const struct unsubscribe_link *form)
{
	char	*button = NULL;

	if (form != NULL)
		button = xasprintf("<form method=\"post\">\n"
		    "<input type=\"hidden\" name=\"List-Unsubscribe\" "
		    "value=\"One-Click\">\n"
		    "<input type=\"hidden\" name=\"sr\" value=\"%s\">\n"
		    "<input type=\"hidden\" name=\"c\" value=\"%s\">\n"
		    "<input type=\"hidden\" name=\"exp\" value=\"%s\">\n"
		    "<input type=\"hidden\" name=\"token\" value=\"%s\">\n"
		    "<button type=\"submit\">Unsubscribe</button>\n</form>\n",
		    form->sr, form->contact, form->exp_text, form->token);
	resp->status = status;
	resp->content_type = UNSUBSCRIBE_HTML;
	resp->body = xasprintf("<!DOCTYPE html>\n<html>\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width\">\n<meta name=\"robots\" "
	    "content=\"noindex\">\n<title>%s</title>\n</head>\n<body>\n"
	    "<h1>%s</h1>\n<p>%s</p>\n%s</body>\n</html>\n", title, title, text,
	    button != NULL ? button : "");
	free(button);
}

/* Return 1 if s is len lower-case hex digits. */
static int
unsubscribe_hex(const char *s, size_t len)
{
	return s != NULL && strlen(s) == len &&
	    strspn(s, "0123456789abcdef") == len;
}

/* Read and check the parameters of a link; 0, or -1 if malformed. */
static int
unsubscribe_parse(const struct httpreq *req, struct unsubscribe_link *l)
{
	const char	*why;

	l->sr = httpreq_arg(req, "sr");
	l->contact = httpreq_arg(req, "c");
	l->exp_text = httpreq_arg(req, "exp");
	l->token = httpreq_arg(req, "token");
	if (l->sr == NULL || syntax_sr(l->sr, &why) != 0 ||
	    !unsubscribe_hex(l->contact, LINK_CONTACT_LEN) ||
	    l->exp_text == NULL || *l->exp_text == '\0' ||
	    strlen(l->exp_text) > 12 ||
	    strspn(l->exp_text, "0123456789") != strlen(l->exp_text))
		return -1;
	l->exp = strtoll(l->exp_text, NULL, 10);
	return 0;
}

/* Return 1 if the link's token is the one closeloopd made for it. */
static int
unsubscribe_authentic(const struct config *cf,
    const struct unsubscribe_link *l)
{
	char	token[DIGEST_HEX_LEN + 1];

	link_token(cf, l->sr, l->contact, l->exp, token);
	return digest_equal(l->token, token);
}

/*
 * Publish an unsubscribe event for contact c (whose id is contact) of SR
 * sr. Returns the XADD's reply, or NULL with *cause.
 */
static struct redis_reply *
unsubscribe_publish(const struct config *cf, struct redis *r, const char *sr,
    const struct srstate_contact *c, const char *contact, char **cause)
{
	const char		*argv[OPTOUT_EVENT_ARGC];
	char			*id, ts[CLOCK_RFC3339_LEN];
	struct redis_reply	*reply;
	int			 argc;

	id = xasprintf("unsub-email-%s-%lld-%s", contact, (long long)c->ts,
	    sr);
	argc = optout_event(cf, argv, ts, "unsubscribe", id, sr, clock_now(),
	    "email", c->address, "email_one_click");
	reply = redis_command_argv(r, cause, argc, argv, NULL);
	free(id);
	return reply;
}

/*
 * Unsubscribe the email contact of SR l->sr whose id is l->contact.
 * Returns 1 if an event was published, 0 if there was nothing to do,
 * -1 with *cause.
 */
static int
unsubscribe_apply(const struct config *cf, struct redis *r,
    const struct unsubscribe_link *l, char **cause)
{
	struct redis_reply	*f, *reply = NULL;
	struct srstate		*st;
	struct srstate_contact	*c = NULL;
	char			*key, **fields, *warning = NULL, *masked;
	char			 id[LINK_CONTACT_LEN + 1];
	size_t			 i;
	int			 rc = -1;

	key = srstate_key(cf, l->sr);
	f = redis_command(r, cause, "HGETALL %s", key);
	free(key);
	if (f == NULL)
		return -1;
	if (f->type != REDIS_TYPE_ARRAY) {
		if (cause != NULL)
			*cause = xasprintf("reading SR %s: %s", l->sr,
			    f->str != NULL ? f->str : "unexpected reply");
		redis_reply_free(f);
		return -1;
	}
	fields = xcalloc(f->elements + 1, sizeof *fields);
	for (i = 0; i < f->elements; i++)
		fields[i] = f->element[i]->str != NULL ? f->element[i]->str :
		    (char *)"";
	st = srstate_new(l->sr);
	if (srhash_decode(st, fields, f->elements / 2, &warning) != 0)
		log_warn("%s", warning);
	free(warning);
	for (i = 0; i < st->ncontact && c == NULL; i++) {
		if (st->contact[i].channel != EVENT_CHANNEL_EMAIL ||
		    !st->contact[i].active)
			continue;
		link_contact(cf, st->contact[i].address, id);
		if (strcmp(id, l->contact) == 0)
			c = &st->contact[i];
	}
	rc = 0;
	if (c != NULL && (reply = unsubscribe_publish(cf, r, l->sr, c,
	    l->contact, cause)) == NULL)
		rc = -1;
	else if (reply != NULL && reply->type != REDIS_TYPE_STRING) {
		if (cause != NULL)
			*cause = xasprintf("XADD: %s", reply->str != NULL ?
			    reply->str : "unexpected reply");
		rc = -1;
	} else if (reply != NULL) {
		masked = event_mask_contact(EVENT_CHANNEL_EMAIL, c->address);
		log_info("SR %s: %s unsubscribed with one click; event %s",
		    l->sr, masked, reply->str);
		free(masked);
		rc = 1;
	}
	redis_reply_free(reply);
	srstate_free(st);
	free(fields);
	redis_reply_free(f);
	return rc;
}

/* Answer one /unsubscribe request. */
void
unsubscribe_handle(const struct config *cf, struct redis **r,
    const struct httpreq *req, struct http_response *resp)
{
	struct unsubscribe_link	 l;
	const char		*one = httpreq_arg(req, "List-Unsubscribe");
	char			*cause = NULL;
	int			 post;

	post = strcmp(httpreq_method(req), "POST") == 0;
	if (cf->templates_unsubscribe_secret == NULL) {
		unsubscribe_page(resp, 404, "Not found", "This address does "
		    "not take unsubscribe links.", NULL);
		return;
	}
	if (unsubscribe_parse(req, &l) != 0) {
		unsubscribe_page(resp, 400, "Broken link", "This link is not "
		    "complete. Please use the whole link from the email.",
		    NULL);
		return;
	}
	if (!unsubscribe_authentic(cf, &l)) {
		log_warn("unsubscribe for SR %s from %s: wrong or missing "
		    "token; ignored", l.sr, httpreq_peer(req));
		unsubscribe_page(resp, 403, "Link not valid", "This link is "
		    "not valid. Nothing was changed.", NULL);
		return;
	}
	if (l.exp < clock_now() / 1000) {
		unsubscribe_page(resp, 403, "Link expired", "This link has "
		    "expired. Nothing was changed. Please use the link in a "
		    "more recent email.", NULL);
		return;
	}
	if (!post) {
		unsubscribe_page(resp, 200, "Unsubscribe", "Press the button "
		    "to stop getting emails about this service request.", &l);
		return;
	}
	if (one == NULL || strcmp(one, "One-Click") != 0) {
		unsubscribe_page(resp, 400, "Unsubscribe", "Please press the "
		    "button on the page of this link.", NULL);
		return;
	}
	if ((*r == NULL && (*r = redisconn_open(cf, &cause)) == NULL) ||
	    unsubscribe_apply(cf, *r, &l, &cause) < 0) {
		log_warn("unsubscribe for SR %s: %s", l.sr, cause != NULL ?
		    cause : "Redis failed");
		free(cause);
		redis_free(*r);
		*r = NULL;
		unsubscribe_page(resp, 503, "Try again later", "This could not "
		    "be done just now. Please try again in a few minutes.",
		    NULL);
		return;
	}
	unsubscribe_page(resp, 200, "Unsubscribed", "You will get no more "
	    "emails about this service request.", NULL);
}
