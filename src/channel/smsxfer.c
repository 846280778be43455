/*
 * smsxfer.c - one message's HTTP request to the SMS gateway (libcurl)
 *
 * The dialect says what the request holds (smsdialect.h); here it
 * becomes a libcurl easy handle: the form in the URL of a GET or as the
 * body of a POST, the dialect's header lines, basic auth if it asks for
 * it. Whatever the dialect, no redirect is followed, only https (or http
 * where the URL is http to a loopback address) is spoken, the
 * certificate and the host name are verified, and the whole request has
 * the gateway's timeout. The first 64 KB of the answer are kept.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "channel.h"
#include "clock.h"
#include "log.h"
#include "smsdialect.h"
#include "smsxfer.h"
#include "xmalloc.h"

#define SMSXFER_BODY_MAX	(64 * 1024)	/* response bytes kept */

/* Make the transfer of a message submitted now. */
struct smsxfer *
smsxfer_new(struct channel_msg *m,
    void (*done)(struct channel_msg *, void *), void *arg)
{
	struct smsxfer	*x;

	channel_result_clear(&m->result);
	x = xcalloc(1, sizeof *x);
	x->m = m;
	x->done = done;
	x->arg = arg;
	x->start_ms = clock_ms();
	return x;
}

/* Free a transfer that is in no multi handle any more. */
void
smsxfer_free(struct smsxfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	smsdialect_wipe(x->url);
	smsdialect_wipe(x->post);
	free(x->body);
	free(x);
}

/* Keep the first SMSXFER_BODY_MAX bytes of a response, skip the rest. */
static size_t
smsxfer_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct smsxfer	*x = arg;
	size_t		 n = size * nmemb, take = SMSXFER_BODY_MAX - x->len;

	if (take > n)
		take = n;
	if (take > 0) {
		x->body = xreallocarray(x->body, x->len + take + 1, 1);
		memcpy(x->body + x->len, data, take);
		x->len += take;
		x->body[x->len] = '\0';
	}
	return n;
}

/* Add a header line to a transfer's request. */
static void
smsxfer_header(struct smsxfer *x, const char *line)
{
	struct curl_slist	*l;

	if ((l = curl_slist_append(x->headers, line)) == NULL) {
		log_err("sms: out of memory adding a header");
		abort();
	}
	x->headers = l;
}

/* Set what the dialect made of x's request; 0, or -1 if libcurl would not. */
static int
smsxfer_request(struct smsxfer *x, const struct smsxfer_gateway *gw)
{
	struct smsdialect_req	 rq;
	CURL			*e = x->easy;
	size_t			 i;
	int			 bad = 0;

	memset(&rq, 0, sizeof rq);
	rq.from = gw->from;
	rq.user = gw->user;
	rq.password = gw->password;
	rq.dlr_mask = gw->dlr_mask;
	rq.id = x->m->id;
	rq.to = x->m->to;
	rq.text = x->m->data;
	rq.receipt_url = x->m->receipt_url;
	gw->dialect->request(&rq);
	if (rq.post) {
		x->url = xstrdup(gw->url);
		x->post = xstrdup(rq.form != NULL ? rq.form : "");
		bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->post) != 0;
	} else if (rq.form != NULL) {
		x->url = xasprintf("%s%c%s", gw->url,
		    strchr(gw->url, '?') != NULL ? '&' : '?', rq.form);
	} else
		x->url = xstrdup(gw->url);
	if (rq.basic_auth) {
		bad |= curl_easy_setopt(e, CURLOPT_HTTPAUTH,
		    (long)CURLAUTH_BASIC) != 0;
		bad |= curl_easy_setopt(e, CURLOPT_USERNAME, gw->user) != 0;
		bad |= curl_easy_setopt(e, CURLOPT_PASSWORD,
		    gw->password) != 0;
	}
	for (i = 0; i < rq.nheader; i++)
		smsxfer_header(x, rq.header[i]);
	if (x->headers != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER,
		    x->headers) != 0;
	smsdialect_clear(&rq);
	return bad ? -1 : 0;
}

/* Make x's request and add it to multi. */
int
smsxfer_start(struct smsxfer *x, const struct smsxfer_gateway *gw,
    CURLM *multi)
{
	CURL	*e;
	int	 bad = 0;

	if ((e = x->easy = curl_easy_init()) == NULL) {
		channel_result(&x->m->result, SEND_TEMPFAIL,
		    "cannot make a libcurl handle");
		return -1;
	}
	bad |= smsxfer_request(x, gw) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_URL, x->url) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, x) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, gw->protocols) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https") != 0;
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) != 0;
	if (gw->ca_file != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_CAINFO, gw->ca_file) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)gw->connect_timeout_ms) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)gw->timeout_ms) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, smsxfer_write) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, x) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->error) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT,
	    "closeloop/" PACKAGE_VERSION) != 0;
	if (bad || curl_multi_add_handle(multi, e) != CURLM_OK) {
		channel_result(&x->m->result, SEND_TEMPFAIL,
		    "cannot set up the request to the SMS gateway");
		return -1;
	}
	return 0;
}

/* Replace every copy of secret in text with "***"; text is freed. */
static char *
smsxfer_scrub(char *text, const char *secret)
{
	char	*p, *out;
	size_t	 off = 0;

	if (*secret == '\0')
		return text;
	while ((p = strstr(text + off, secret)) != NULL) {
		*p = '\0';
		out = xasprintf("%s***%s", text, p + strlen(secret));
		off = (size_t)(p - text) + 3;
		smsdialect_wipe(text);
		text = out;
	}
	return text;
}

/*
 * Fill in the result of a transfer that libcurl finished with rc. The
 * password is masked in the reply: a gateway may echo the request's URL;
 * so are phone numbers and addresses: a gateway may echo the recipient.
 */
void
smsxfer_finish(struct smsxfer *x, const struct smsxfer_gateway *gw,
    CURLcode rc)
{
	struct send_result	*r = &x->m->result;
	enum send_status	 st = SEND_TEMPFAIL;
	curl_off_t		 ra = 0;
	long			 code = 0;
	char			*text = NULL, *masked;

	if (rc != CURLE_OK) {
		text = xstrdup(x->error[0] != '\0' ? x->error :
		    curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		st = smsdialect_reply(gw->dialect, code, x->body, x->len,
		    &r->provider_id, &text);
		if ((code == 429 || code >= 500) && curl_easy_getinfo(x->easy,
		    CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
			r->retry_after = ra;
	}
	text = smsxfer_scrub(text, gw->password);
	text = smsxfer_scrub(text, gw->password_escaped);
	masked = log_mask_reply(text, x->m->to);
	smsdialect_wipe(text);
	channel_result(r, st, "%s", masked);
	free(masked);
}
