/*
 * sms.c - sending SMS through an HTTP gateway: Kannel or a Twilio-like API
 *
 * Each message is one HTTP request, run by libcurl's multi interface from
 * the caller's loop. The multi handle keeps its connections to the
 * gateway open between messages, so a burst costs one TLS handshake per
 * connection rather than one per message. At most max_connections
 * requests are in flight; later messages wait in a queue, in order.
 *
 * Kannel (smsbox's sendsms service), every value URL-escaped:
 *   GET URL?username=U&password=P&from=F&to=T&text=X&charset=UTF-8
 *       &coding=C[&dlr-mask=M&dlr-url=R&status=%d&answer=%A]
 * C is 0 (GSM-7) when segment_count() finds the text all in the GSM 03.38
 * alphabet, 2 (UCS-2) otherwise. Kannel answers 202 "0: Accepted for
 * delivery" or "3: Queued for later delivery" and gives no message id.
 *
 * Twilio-like (the Messages resource of an account):
 *   POST URL, basic auth SID:TOKEN, I-Twilio-Idempotency-Token: ID,
 *   To=T&From=F&Body=X[&StatusCallback=R]
 * answered by 201 {"sid": "SM...", "status": "queued", ...} or by an
 * error {"code": N, "message": "...", "status": N}.
 *
 * Outcomes: 2xx is sent; 429 and 5xx are temporary failures that carry
 * the Retry-After the gateway asked for; 401, 403, 407 (the gateway
 * refuses our credentials, not the message) and 408 are temporary too;
 * any other 4xx is permanent. A 3xx (no redirect is followed) and a
 * transport error (timeout, refused connection, TLS) are temporary. The
 * reply is "HTTP N: " and the first line of the body; for Twilio's JSON
 * it is the sid and status, or the error code and message.
 */
#include "build.h"

#include <sys/queue.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "channel.h"
#include "json.h"
#include "log.h"
#include "clock.h"
#include "segment.h"
#include "sms.h"
#include "xmalloc.h"

#define SMS_BODY_MAX		(64 * 1024)	/* response bytes kept */
#define SMS_CONNECT_TIMEOUT	10000
#define SMS_TIMEOUT		30000
#define SMS_CONNECTIONS		4

/* One message on its way: waiting, running or finished. */
struct sms_xfer {
	struct channel_msg	*m;
	void			(*done)(struct channel_msg *, void *);
	void			*arg;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*url;		/* kannel: holds the password */
	char			*post;
	char			*body;		/* response, NUL-terminated */
	size_t			 len;
	int64_t			 start_ms;
	char			 error[CURL_ERROR_SIZE];
	TAILQ_ENTRY(sms_xfer)	 entry;
};
TAILQ_HEAD(sms_xfers, sms_xfer);

/* A sender: its options, the multi handle and the three queues. */
struct sms {
	struct sms_options	 o;		/* strings are our copies */
	const char		*protocols;
	char			*password_escaped;
	CURLM			*multi;
	struct sms_xfers	 waiting;
	struct sms_xfers	 running;
	struct sms_xfers	 finished;
	size_t			 nrunning;
	size_t			 active;
};

static pthread_once_t	sms_once = PTHREAD_ONCE_INIT;
static CURLcode		sms_init_rc = CURLE_FAILED_INIT;

/* Initialise libcurl, once per process. */
static void
sms_global_init(void)
{
	sms_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Return s URL-escaped; the string is allocated. */
static char *
sms_escape(const char *s)
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
static void
sms_free_secret(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Return whether host (as in a URL) is a loopback address or localhost. */
static int
sms_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 buf[INET6_ADDRSTRLEN];
	size_t		 len = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (len < 3 || len - 2 >= sizeof buf || host[0] != '[' ||
	    host[len - 1] != ']')
		return 0;
	memcpy(buf, host + 1, len - 2);
	buf[len - 2] = '\0';
	return inet_pton(AF_INET6, buf, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* Check a gateway URL. */
int
sms_url_ok(const char *url, int allow_http_loopback, char **cause)
{
	CURLU		*u = NULL;
	char		*scheme = NULL, *host = NULL;
	char		*user = NULL, *pass = NULL;
	const char	*why = NULL;

	pthread_once(&sms_once, sms_global_init);
	if (url == NULL || *url == '\0') {
		why = "no gateway URL";
		goto fail;
	}
	if ((u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		why = "the gateway URL is not a valid URL";
		goto fail;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		why = "the gateway URL holds a user name or password: "
		    "put credentials in the password file";
		goto fail;
	}
	if (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0) {
		why = "the gateway URL must be https";
		goto fail;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    *host == '\0') {
		why = "the gateway URL has no host";
		goto fail;
	}
	if (strcmp(scheme, "http") == 0 &&
	    (!allow_http_loopback || !sms_loopback(host))) {
		why = allow_http_loopback ? "the gateway URL must be https "
		    "(plain http only to a loopback address)" :
		    "the gateway URL must be https";
		goto fail;
	}
fail:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pass);
	curl_url_cleanup(u);
	if (why != NULL && cause != NULL)
		*cause = xstrdup(why);
	return why != NULL ? -1 : 0;
}

/* Make a sender from the options. */
struct sms *
sms_new(const struct sms_options *o, char **cause)
{
	struct sms	*s;
	const char	*why = NULL;

	pthread_once(&sms_once, sms_global_init);
	if (sms_init_rc != CURLE_OK)
		why = "cannot initialise libcurl";
	else if (o->profile != SMS_KANNEL && o->profile != SMS_TWILIO)
		why = "unknown SMS gateway profile";
	else if (sms_url_ok(o->url, o->allow_http_loopback, cause) != 0)
		return NULL;
	else if (o->from == NULL || *o->from == '\0')
		why = "no SMS sender (from)";
	else if (o->user == NULL || *o->user == '\0')
		why = "no SMS gateway user name or account";
	else if (o->password == NULL || *o->password == '\0')
		why = "no SMS gateway password or token";
	if (why != NULL) {
		if (cause != NULL)
			*cause = xstrdup(why);
		return NULL;
	}
	if (o->ca_file != NULL && access(o->ca_file, R_OK) != 0) {
		if (cause != NULL)
			*cause = xasprintf("cannot read %s: %s", o->ca_file,
			    strerror(errno));
		return NULL;
	}

	s = xcalloc(1, sizeof *s);
	s->o = *o;
	s->o.url = xstrdup(o->url);
	s->o.from = xstrdup(o->from);
	s->o.user = xstrdup(o->user);
	s->o.password = xstrdup(o->password);
	s->o.ca_file = o->ca_file != NULL ? xstrdup(o->ca_file) : NULL;
	if (s->o.connect_timeout_ms <= 0)
		s->o.connect_timeout_ms = SMS_CONNECT_TIMEOUT;
	if (s->o.timeout_ms <= 0)
		s->o.timeout_ms = SMS_TIMEOUT;
	if (s->o.max_connections <= 0)
		s->o.max_connections = SMS_CONNECTIONS;
	s->protocols = strncasecmp(o->url, "http:", 5) == 0 ? "http,https" :
	    "https";
	s->password_escaped = sms_escape(o->password);
	TAILQ_INIT(&s->waiting);
	TAILQ_INIT(&s->running);
	TAILQ_INIT(&s->finished);

	if ((s->multi = curl_multi_init()) == NULL) {
		if (cause != NULL)
			*cause = xstrdup("cannot make a libcurl multi handle");
		sms_free(s);
		return NULL;
	}
	curl_multi_setopt(s->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)s->o.max_connections);
	curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS,
	    (long)s->o.max_connections);
	return s;
}

/* Free a transfer that is in no multi handle any more. */
static void
sms_xfer_free(struct sms_xfer *x)
{
	if (x->easy != NULL)
		curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	sms_free_secret(x->url);
	free(x->post);
	free(x->body);
	free(x);
}

/* Free every transfer of a queue, clearing its message's result. */
static void
sms_free_queue(struct sms *s, struct sms_xfers *q)
{
	struct sms_xfer	*x;

	while ((x = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, x, entry);
		if (x->easy != NULL)
			curl_multi_remove_handle(s->multi, x->easy);
		channel_result_clear(&x->m->result);
		sms_xfer_free(x);
	}
}

/* Free a sender and abandon what it still had. */
void
sms_free(struct sms *s)
{
	if (s == NULL)
		return;
	sms_free_queue(s, &s->running);
	sms_free_queue(s, &s->waiting);
	sms_free_queue(s, &s->finished);
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	free((char *)s->o.url);
	free((char *)s->o.from);
	free((char *)s->o.user);
	sms_free_secret((char *)s->o.password);
	sms_free_secret(s->password_escaped);
	free((char *)s->o.ca_file);
	free(s);
}

/* Keep the first SMS_BODY_MAX bytes of a response and skip the rest. */
static size_t
sms_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sms_xfer	*x = arg;
	size_t		 n = size * nmemb, take = SMS_BODY_MAX - x->len;

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

/* Append "name=value" to the query *q, the value URL-escaped. */
static void
sms_param(char **q, const char *name, const char *value)
{
	char	*esc = sms_escape(value), *old = *q;

	*q = xasprintf("%s%s%s=%s", old != NULL ? old : "",
	    old != NULL ? "&" : "", name, esc);
	sms_free_secret(esc);
	sms_free_secret(old);
}

/* Build a Kannel sendsms request: everything is in the URL. */
static void
sms_kannel_request(struct sms *s, struct sms_xfer *x, int ucs2)
{
	char	*q = NULL, *dlr, mask[16];

	sms_param(&q, "username", s->o.user);
	sms_param(&q, "password", s->o.password);
	sms_param(&q, "from", s->o.from);
	sms_param(&q, "to", x->m->to);
	sms_param(&q, "text", x->m->data);
	sms_param(&q, "charset", "UTF-8");
	sms_param(&q, "coding", ucs2 ? "2" : "0");
	if (x->m->receipt_url != NULL) {
		snprintf(mask, sizeof mask, "%d", s->o.dlr_mask);
		sms_param(&q, "dlr-mask", mask);
		dlr = xasprintf("%s&status=%%d&answer=%%A",
		    x->m->receipt_url);
		sms_param(&q, "dlr-url", dlr);
		free(dlr);
	}
	x->url = xasprintf("%s%c%s", s->o.url,
	    strchr(s->o.url, '?') != NULL ? '&' : '?', q);
	sms_free_secret(q);
}

/* Add a header line to a transfer's request. */
static void
sms_header(struct sms_xfer *x, const char *line)
{
	struct curl_slist	*l;

	if ((l = curl_slist_append(x->headers, line)) == NULL) {
		log_err("sms: out of memory adding a header");
		abort();
	}
	x->headers = l;
}

/* Build a Twilio-like request: a form POST with basic auth. */
static int
sms_twilio_request(struct sms *s, struct sms_xfer *x)
{
	CURL	*e = x->easy;
	char	*h;
	int	 bad = 0;

	sms_param(&x->post, "To", x->m->to);
	sms_param(&x->post, "From", s->o.from);
	sms_param(&x->post, "Body", x->m->data);
	if (x->m->receipt_url != NULL)
		sms_param(&x->post, "StatusCallback", x->m->receipt_url);
	x->url = xstrdup(s->o.url);
	sms_header(x, "Accept: application/json");
	sms_header(x, "Expect:");
	if (x->m->id != NULL) {
		h = xasprintf("I-Twilio-Idempotency-Token: %s", x->m->id);
		sms_header(x, h);
		free(h);
	}
	bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->post) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_USERNAME, s->o.user) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_PASSWORD, s->o.password) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers) != 0;
	return bad ? -1 : 0;
}

/* Put a transfer whose result is set in the finished queue. */
static void
sms_done(struct sms *s, struct sms_xfer *x)
{
	x->m->result.latency_ms = clock_ms() - x->start_ms;
	TAILQ_INSERT_TAIL(&s->finished, x, entry);
}

/* Start a waiting transfer; on failure it goes to the finished queue. */
static void
sms_start(struct sms *s, struct sms_xfer *x)
{
	struct segment_info	 si;
	CURL			*e;
	int			 bad = 0;

	if ((e = x->easy = curl_easy_init()) == NULL) {
		channel_result(&x->m->result, SEND_TEMPFAIL,
		    "cannot make a libcurl handle");
		sms_done(s, x);
		return;
	}
	if (s->o.profile == SMS_KANNEL) {
		segment_count(x->m->data, &si);
		sms_kannel_request(s, x, si.encoding == SEGMENT_UCS2);
	} else
		bad |= sms_twilio_request(s, x) != 0;

	bad |= curl_easy_setopt(e, CURLOPT_URL, x->url) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, x) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, s->protocols) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https") != 0;
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) != 0;
	if (s->o.ca_file != NULL)
		bad |= curl_easy_setopt(e, CURLOPT_CAINFO, s->o.ca_file) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)s->o.connect_timeout_ms) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)s->o.timeout_ms) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sms_write) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, x) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->error) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT,
	    "closeloop/" PACKAGE_VERSION) != 0;
	if (bad || curl_multi_add_handle(s->multi, e) != CURLM_OK) {
		channel_result(&x->m->result, SEND_TEMPFAIL,
		    "cannot set up the request to the SMS gateway");
		sms_done(s, x);
		return;
	}
	TAILQ_INSERT_TAIL(&s->running, x, entry);
	s->nrunning++;
}

/* Start waiting transfers while there is room. */
static void
sms_start_waiting(struct sms *s)
{
	struct sms_xfer	*x;

	while (s->nrunning < (size_t)s->o.max_connections &&
	    (x = TAILQ_FIRST(&s->waiting)) != NULL) {
		TAILQ_REMOVE(&s->waiting, x, entry);
		sms_start(s, x);
	}
}

/* Start sending a message. */
void
sms_submit(struct sms *s, struct channel_msg *m,
    void (*done)(struct channel_msg *, void *), void *arg)
{
	struct sms_xfer		*x;
	struct segment_info	 si;
	const char		*p;

	channel_result_clear(&m->result);
	x = xcalloc(1, sizeof *x);
	x->m = m;
	x->done = done;
	x->arg = arg;
	x->start_ms = clock_ms();
	s->active++;
	for (p = m->id; p != NULL && *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			break;
	}
	if (m->to == NULL || *m->to == '\0')
		channel_result(&m->result, SEND_PERMFAIL, "no phone number");
	else if (m->data == NULL || segment_count(m->data, &si) != 0)
		channel_result(&m->result, SEND_PERMFAIL,
		    "the text is not valid UTF-8");
	else if (p != NULL && *p != '\0')
		channel_result(&m->result, SEND_PERMFAIL,
		    "the notification id has control characters");
	else {
		TAILQ_INSERT_TAIL(&s->waiting, x, entry);
		return;
	}
	sms_done(s, x);
}

/* Return the number of messages submitted and not yet reported. */
size_t
sms_active(const struct sms *s)
{
	return s->active;
}

/* Return the outcome an HTTP status code stands for. */
static enum send_status
sms_classify(long code)
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

/* Return whether a Twilio sid looks like one: short, printable ASCII. */
static int
sms_sid_ok(const char *sid)
{
	size_t	i;

	for (i = 0; sid[i] != '\0'; i++) {
		if (i >= 64 || sid[i] <= ' ' || sid[i] > '~')
			return 0;
	}
	return i > 0;
}

/*
 * Return the reply for a Twilio-like JSON answer (allocated), setting
 * *sid for a message sent; NULL if the answer is not such JSON.
 */
static char *
sms_twilio_reply(long code, enum send_status st, const char *body,
    size_t len, char **sid)
{
	struct json	*j;
	const char	*id, *state, *msg;
	char		*text = NULL;
	long long	 err = 0;

	if (len == 0 || (j = json_parse(body, len, NULL)) == NULL)
		return NULL;
	id = json_get(j, "sid");
	state = json_get(j, "status");
	msg = json_get(j, "message");
	if (st == SEND_OK && id != NULL && sms_sid_ok(id)) {
		*sid = xstrdup(id);
		text = xasprintf("HTTP %ld: %s %s", code, id,
		    state != NULL ? state : "");
	} else if (st != SEND_OK && msg != NULL) {
		(void)json_get_int(j, "code", &err);
		text = xasprintf("HTTP %ld: %lld %s", code, err, msg);
	}
	json_free(j);
	return text;
}

/* Read the gateway's answer to one message. */
enum send_status
sms_reply(enum sms_profile profile, long code, const char *body, size_t len,
    char **sid, char **reply)
{
	enum send_status	 st = sms_classify(code);
	size_t			 line;

	*sid = *reply = NULL;
	if (profile == SMS_TWILIO)
		*reply = sms_twilio_reply(code, st, body, len, sid);
	if (*reply == NULL) {
		for (line = 0; line < len && body[line] != '\0' &&
		    body[line] != '\r' && body[line] != '\n'; line++)
			/* nothing */;
		*reply = xasprintf("HTTP %ld: %.*s", code, (int)line,
		    line > 0 ? body : "");
	}
	return st;
}

/* Replace every copy of secret in text with "***"; text is freed. */
static char *
sms_scrub(char *text, const char *secret)
{
	char	*p, *out;
	size_t	 off = 0;

	if (*secret == '\0')
		return text;
	while ((p = strstr(text + off, secret)) != NULL) {
		*p = '\0';
		out = xasprintf("%s***%s", text, p + strlen(secret));
		off = (size_t)(p - text) + 3;
		sms_free_secret(text);
		text = out;
	}
	return text;
}

/*
 * Fill in the result of a transfer that libcurl finished with rc. The
 * password is masked in the reply: a gateway may echo the request's URL;
 * so are phone numbers and addresses: a gateway may echo the recipient.
 */
static void
sms_finish(struct sms *s, struct sms_xfer *x, CURLcode rc)
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
		st = sms_reply(s->o.profile, code, x->body, x->len,
		    &r->provider_id, &text);
		if ((code == 429 || code >= 500) && curl_easy_getinfo(x->easy,
		    CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
			r->retry_after = ra;
	}
	text = sms_scrub(text, s->o.password);
	text = sms_scrub(text, s->password_escaped);
	masked = log_mask_reply(text, x->m->to);
	sms_free_secret(text);
	channel_result(r, st, "%s", masked);
	free(masked);
}

/* Move the transfers libcurl has finished to the finished queue. */
static void
sms_collect(struct sms *s)
{
	struct sms_xfer	*x;
	CURLMsg		*msg;
	CURLcode	 rc;
	char		*p;
	int		 left;

	while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		rc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
		x = (struct sms_xfer *)p;
		sms_finish(s, x, rc);
		curl_multi_remove_handle(s->multi, x->easy);
		TAILQ_REMOVE(&s->running, x, entry);
		s->nrunning--;
		sms_done(s, x);
	}
}

/* Drive the transfers and report the messages that finished. */
void
sms_run(struct sms *s, int timeout_ms)
{
	struct sms_xfers	 over;
	struct sms_xfer		*x;
	struct channel_msg	*m;
	void			(*done)(struct channel_msg *, void *);
	void			*arg;
	char			*to;
	int			 still;

	sms_start_waiting(s);
	curl_multi_perform(s->multi, &still);
	sms_collect(s);
	if (TAILQ_EMPTY(&s->finished)) {
		curl_multi_poll(s->multi, NULL, 0, timeout_ms, NULL);
		curl_multi_perform(s->multi, &still);
		sms_collect(s);
	}
	sms_start_waiting(s);
	curl_multi_perform(s->multi, &still);

	TAILQ_INIT(&over);
	TAILQ_CONCAT(&over, &s->finished, entry);
	while ((x = TAILQ_FIRST(&over)) != NULL) {
		TAILQ_REMOVE(&over, x, entry);
		m = x->m;
		if (log_get_level() >= LOG_LEVEL_DEBUG) {
			to = log_mask_phone(m->to != NULL ? m->to : "");
			log_debug("sms %s to %s: %s, %s (%lld ms)",
			    m->id != NULL ? m->id : "-", to,
			    channel_status_name(m->result.status),
			    m->result.reply, (long long)m->result.latency_ms);
			free(to);
		}
		done = x->done;
		arg = x->arg;
		sms_xfer_free(x);
		s->active--;
		done(m, arg);
	}
}

/* Make a waiting sms_run() return. */
void
sms_wakeup(struct sms *s)
{
	curl_multi_wakeup(s->multi);
}

/* Open the sms channel: a struct sms from struct sms_options. */
static void *
sms_channel_open(const void *options, char **cause)
{
	return sms_new(options, cause);
}

/* Start sending each message of a batch. */
static void
sms_channel_send(void *h, struct channel_msg *msgs, size_t n,
    void (*done)(struct channel_msg *, void *), void *arg)
{
	size_t	i;

	for (i = 0; i < n; i++)
		sms_submit(h, &msgs[i], done, arg);
}

/* Return how many messages are under way. */
static size_t
sms_channel_pending(void *h)
{
	return sms_active(h);
}

/* Drive the messages under way and report those that finish. */
static void
sms_channel_run(void *h, int timeout_ms)
{
	sms_run(h, timeout_ms);
}

/* Close the sms channel. */
static void
sms_channel_close(void *h)
{
	sms_free(h);
}

const struct channel sms_channel = {
	"sms",
	sms_channel_open,
	sms_channel_send,
	sms_channel_pending,
	sms_channel_run,
	sms_channel_close
};
