/*
 * smsdialect.c - what an SMS gateway is asked, and what its answer means
 *
 * The table of dialects, and what they share: the form of a request,
 * every value URL-escaped (libcurl's escaping), and the meaning of an
 * HTTP status code. 2xx is sent; 429 and 5xx are temporary failures
 * (sms.c keeps the Retry-After the gateway asked for); 401, 403, 407 (the
 * gateway refuses our credentials, not the message) and 408 are temporary
 * too; any other 4xx is permanent, and anything else (a 3xx: no redirect
 * is followed) temporary. The reply is "HTTP N: " and the first line of
 * the body, unless the dialect reads the answer itself.
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "channel.h"
#include "log.h"
#include "smsdialect.h"
#include "xmalloc.h"

/* Return s URL-escaped; the string is allocated. */
char *
smsdialect_escape(const char *s)
{
	char	*esc, *copy;

	if ((esc = curl_easy_escape(NULL, s, 0)) == NULL) {
		log_err("sms: out of memory escaping a value");
		abort();
	}
	copy = xstrdup(esc);
	curl_free(esc);
	return copy;
}

/* Free a secret string after wiping it. */
void
smsdialect_wipe(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Append "name=value" to the form, the value URL-escaped. */
void
smsdialect_param(struct smsdialect_req *rq, const char *name,
    const char *value)
{
	char	*esc = smsdialect_escape(value), *old = rq->form;

	rq->form = xasprintf("%s%s%s=%s", old != NULL ? old : "",
	    old != NULL ? "&" : "", name, esc);
	smsdialect_wipe(esc);
	smsdialect_wipe(old);
}

/* Add a header line to the request. */
void
smsdialect_header(struct smsdialect_req *rq, const char *fmt, ...)
{
	va_list	ap;

	if (rq->nheader == SMSDIALECT_HEADERS) {
		log_err("sms: too many header lines in a request");
		abort();
	}
	va_start(ap, fmt);
	rq->header[rq->nheader++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Free what the dialect made of a request. */
void
smsdialect_clear(struct smsdialect_req *rq)
{
	size_t	i;

	smsdialect_wipe(rq->form);
	for (i = 0; i < rq->nheader; i++)
		free(rq->header[i]);
	memset(rq, 0, sizeof *rq);
}

/* Return the outcome an HTTP status code stands for. */
static enum send_status
smsdialect_classify(long code)
{
	if (code >= 200 && code < 300)
		return SEND_OK;
	if (code == 401 || code == 403 || code == 407 || code == 408 ||
	    code == 429)
		return SEND_TEMPFAIL;
	if (code >= 400 && code < 500)
		return SEND_PERMFAIL;
	return SEND_TEMPFAIL;
}

/* Read the gateway's answer to one message. */
enum send_status
smsdialect_reply(const struct smsdialect *d, long code, const char *body,
    size_t len, char **sid, char **reply)
{
	enum send_status	 st = smsdialect_classify(code);
	size_t			 line;

	*sid = *reply = NULL;
	if (d->answer != NULL)
		*reply = d->answer(code, st, body, len, sid);
	if (*reply == NULL) {
		for (line = 0; line < len && body[line] != '\0' &&
		    body[line] != '\r' && body[line] != '\n'; line++)
			/* nothing */;
		*reply = xasprintf("HTTP %ld: %.*s", code, (int)line,
		    line > 0 ? body : "");
	}
	return st;
}
