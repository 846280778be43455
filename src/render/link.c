/*
 * link.c - the links a message carries: status, resident's page,
 * unsubscribe, answers, redacted
 *
 * render.c puts these links in what a resident receives; the listener's
 * /unsubscribe and /answer (src/ops) check a link's token with the same
 * functions,
 * and the delivery workers redact the token from what is recorded. A
 * resident page's token is made and checked from the key alone, so that
 * closeloop-web checks it without the rest of closeloop's state. The
 * formats of the links are in link.h.
 */
#include "build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "digest.h"
#include "link.h"
#include "question.h"
#include "xmalloc.h"

/* Return s with every copy of what (not empty) replaced by with. */
static char *
link_replace(const char *s, const char *what, const char *with)
{
	const char	*p, *at;
	char		*out, *o;
	size_t		 n = 0, wlen = strlen(what), rlen = strlen(with);

	for (p = s; (at = strstr(p, what)) != NULL; p = at + wlen)
		n++;
	out = o = xmalloc(strlen(s) + n * rlen + 1);
	for (p = s; (at = strstr(p, what)) != NULL; p = at + wlen) {
		memcpy(o, p, (size_t)(at - p));
		o += at - p;
		memcpy(o, with, rlen);
		o += rlen;
	}
	strcpy(o, p);
	return out;
}

/* Return a URL pattern with every "{sr}" replaced. */
char *
link_url(const char *pattern, const char *sr)
{
	return link_replace(pattern, "{sr}", sr);
}

/* Write the token of an SR's resident page. */
void
link_resident_token(const char *key, const char *sr,
    char out[LINK_RESIDENT_LEN + 1])
{
	char	*text, mac[DIGEST_HEX_LEN + 1];

	text = xasprintf("closeloop-resident:%s", sr);
	digest_hmac(key, strlen(key), text, mac);
	memcpy(out, mac, LINK_RESIDENT_LEN);
	out[LINK_RESIDENT_LEN] = '\0';
	free(text);
}

/* Check the token of an SR's resident page, in constant time. */
int
link_resident_check(const char *key, const char *sr, const char *token)
{
	char	want[LINK_RESIDENT_LEN + 1];

	if (key == NULL || sr == NULL || token == NULL ||
	    strnlen(token, LINK_RESIDENT_LEN + 1) != LINK_RESIDENT_LEN)
		return 0;
	link_resident_token(key, sr, want);
	return digest_equal(want, token);
}

/* Return the link to an SR's resident page. */
char *
link_resident(const struct config *cf, const char *sr)
{
	char	token[LINK_RESIDENT_LEN + 1], *with, *url;

	if (cf->templates_resident_url == NULL ||
	    cf->templates_resident_secret == NULL)
		return NULL;
	link_resident_token(cf->templates_resident_secret, sr, token);
	/* The token first: an SR number cannot then add a "{token}". */
	with = link_replace(cf->templates_resident_url, "{token}", token);
	url = link_url(with, sr);
	free(with);
	return url;
}

/* Return the status link of an SR. */
char *
link_status(const struct config *cf, const char *sr)
{
	char	*url;

	if ((url = link_resident(cf, sr)) != NULL)
		return url;
	if (cf->templates_status_url == NULL)
		return NULL;
	return link_url(cf->templates_status_url, sr);
}

/* Write the contact id of an address. */
void
link_contact(const struct config *cf, const char *address,
    char out[LINK_CONTACT_LEN + 1])
{
	const char	*key = cf->templates_unsubscribe_secret;
	char		*lower, *p, mac[DIGEST_HEX_LEN + 1];

	lower = xstrdup(address);
	for (p = lower; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	digest_hmac(key, strlen(key), lower, mac);
	memcpy(out, mac, LINK_CONTACT_LEN);
	out[LINK_CONTACT_LEN] = '\0';
	free(lower);
}

/* Write the token of a link. */
void
link_token(const struct config *cf, const char *sr,
    const char *contact, long long exp, char out[DIGEST_HEX_LEN + 1])
{
	const char	*key = cf->templates_unsubscribe_secret;
	char		*text;

	text = xasprintf("closeloop-unsubscribe:%s:%s:%lld", sr, contact, exp);
	digest_hmac(key, strlen(key), text, out);
	free(text);
}

/* Return the unsubscribe link of an email. */
char *
link_unsubscribe(const struct config *cf, const char *sr, const char *address,
    int64_t now)
{
	char		*base, *url, contact[LINK_CONTACT_LEN + 1];
	char		 token[DIGEST_HEX_LEN + 1];
	long long	 exp;

	if (cf->templates_unsubscribe_url == NULL)
		return NULL;
	base = link_url(cf->templates_unsubscribe_url, sr);
	if (cf->templates_unsubscribe_secret == NULL)
		return base;
	exp = (long long)now + cf->templates_unsubscribe_days * 86400;
	link_contact(cf, address, contact);
	link_token(cf, sr, contact, exp, token);
	url = xasprintf("%s%csr=%s&c=%s&exp=%lld&token=%s", base,
	    strchr(base, '?') != NULL ? '&' : '?', sr, contact, exp, token);
	free(base);
	return url;
}

/* Write the token of a question's answer links. */
void
link_answer_token(const struct config *cf, const char *question,
    long long exp, char out[DIGEST_HEX_LEN + 1])
{
	const char	*key = cf->feedback_answer_secret;
	char		*text;

	text = xasprintf("closeloop-answer:%s:%lld", question, exp);
	digest_hmac(key, strlen(key), text, out);
	free(text);
}

/* Check the token of a question's answer links, in constant time. */
int
link_answer_check(const struct config *cf, const char *question,
    long long exp, const char *token)
{
	char	want[DIGEST_HEX_LEN + 1];

	if (cf->feedback_answer_secret == NULL || question == NULL ||
	    token == NULL)
		return 0;
	link_answer_token(cf, question, exp, want);
	return digest_equal(want, token);
}

/* Return the link that answers a question. */
char *
link_answer(const struct config *cf, const char *question,
    const char *answer, long long exp)
{
	const char	*url = cf->feedback_answer_url;
	char		 token[DIGEST_HEX_LEN + 1];

	if (url == NULL || cf->feedback_answer_secret == NULL)
		return NULL;
	link_answer_token(cf, question, exp, token);
	return xasprintf("%s%cq=%s&a=%s&exp=%lld&token=%s", url,
	    strchr(url, '?') != NULL ? '&' : '?', question, answer, exp,
	    token);
}

/* Make the three links that answer a question. */
void
link_answers(const struct config *cf, const char *question, long long exp,
    char **urls)
{
	static const enum question_answer answers[] = {
		QUESTION_FIXED, QUESTION_NOT_FIXED, QUESTION_PARTLY
	};
	size_t	i;

	for (i = 0; i < sizeof answers / sizeof answers[0]; i++)
		urls[i] = link_answer(cf, question,
		    question_answer_name(answers[i]), exp);
}

/* Return where the token of a link starts, and its length; NULL if none. */
static const char *
link_token_at(const char *url, size_t *len)
{
	const char	*tok;

	if (url == NULL || (tok = strstr(url, "token=")) == NULL)
		return NULL;
	tok += strlen("token=");
	*len = strcspn(tok, "&#");
	return tok;
}

/* Return the token of a one-click link. */
char *
link_secret(const char *url)
{
	const char	*tok;
	size_t		 len;

	if ((tok = link_token_at(url, &len)) == NULL || len == 0)
		return NULL;
	return xasprintf("%.*s", (int)len, tok);
}

/* Return text with the link's token redacted wherever the link is. */
char *
link_redact(const char *text, const char *url)
{
	const char	*tok;
	char		*safe, *out;
	size_t		 len;

	if ((tok = link_token_at(url, &len)) == NULL)
		return xstrdup(text);
	safe = xasprintf("%.*s%s%s", (int)(tok - url), url,
	    LINK_REDACTED, tok + len);
	out = link_replace(text, url, safe);
	free(safe);
	return out;
}
