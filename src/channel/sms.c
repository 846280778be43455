/*
 * sms.c - sending SMS through an HTTP gateway: Kannel or a Twilio-like API
 *
 * Each message is one HTTP request (smsxfer.c), run by libcurl's multi
 * interface from the caller's loop. The multi handle keeps its
 * connections to the gateway open between messages, so a burst costs one
 * TLS handshake per connection rather than one per message. At most
 * max_connections requests are in flight; later messages wait in a
 * queue, in order. What a request holds and what its answer means is the
 * gateway's dialect (smsdialect.h), named by the profile: kannel.c,
 * twilio.c.
 *
 * Outcomes: what the HTTP status code stands for (smsdialect.c), with the
 * Retry-After a 429 or 5xx asked for; a transport error (timeout, refused
 * connection, TLS) is a temporary failure.
 */
#include "build.h"

#include <sys/queue.h>

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "channel.h"
#include "clock.h"
#include "kannel.h"
#include "log.h"
#include "segment.h"
#include "sms.h"
#include "smsdialect.h"
#include "smsxfer.h"
#include "twilio.h"
#include "xmalloc.h"

#define SMS_CONNECT_TIMEOUT	10000
#define SMS_TIMEOUT		30000
#define SMS_CONNECTIONS		4

/* A sender: its gateway, the multi handle and the three queues. */
struct sms {
	struct smsxfer_gateway	 gw;		/* strings are our copies */
	size_t			 max_connections;
	CURLM			*multi;
	struct smsxfers		 waiting;
	struct smsxfers		 running;
	struct smsxfers		 finished;
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

/* Every dialect. */
static const struct smsdialect *const sms_dialects[] = {
	&kannel_dialect,
	&twilio_dialect
};

/* Return the dialect called name, or NULL. */
const struct smsdialect *
sms_dialect(const char *name)
{
	size_t	i;

	for (i = 0; name != NULL &&
	    i < sizeof sms_dialects / sizeof sms_dialects[0]; i++) {
		if (strcmp(sms_dialects[i]->name, name) == 0)
			return sms_dialects[i];
	}
	return NULL;
}

/* Make a sender from the options. */
struct sms *
sms_new(const struct sms_options *o, char **cause)
{
	struct sms			*s;
	const struct smsdialect		*dialect;
	const char			*why = NULL;

	pthread_once(&sms_once, sms_global_init);
	if (sms_init_rc != CURLE_OK)
		why = "cannot initialise libcurl";
	else if ((dialect = sms_dialect(o->profile)) == NULL)
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
	s->gw.dialect = dialect;
	s->gw.url = xstrdup(o->url);
	s->gw.protocols = strncasecmp(o->url, "http:", 5) == 0 ?
	    "http,https" : "https";
	s->gw.from = xstrdup(o->from);
	s->gw.user = xstrdup(o->user);
	s->gw.password = xstrdup(o->password);
	s->gw.password_escaped = smsdialect_escape(o->password);
	s->gw.dlr_mask = o->dlr_mask;
	s->gw.ca_file = o->ca_file != NULL ? xstrdup(o->ca_file) : NULL;
	s->gw.connect_timeout_ms = o->connect_timeout_ms > 0 ?
	    o->connect_timeout_ms : SMS_CONNECT_TIMEOUT;
	s->gw.timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : SMS_TIMEOUT;
	s->max_connections = o->max_connections > 0 ?
	    (size_t)o->max_connections : SMS_CONNECTIONS;
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
	    (long)s->max_connections);
	curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS,
	    (long)s->max_connections);
	return s;
}

/* Free every transfer of a queue, clearing its message's result. */
static void
sms_free_queue(struct sms *s, struct smsxfers *q)
{
	struct smsxfer	*x;

	while ((x = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, x, entry);
		if (x->easy != NULL)
			curl_multi_remove_handle(s->multi, x->easy);
		channel_result_clear(&x->m->result);
		smsxfer_free(x);
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
	free(s->gw.url);
	free(s->gw.from);
	free(s->gw.user);
	smsdialect_wipe(s->gw.password);
	smsdialect_wipe(s->gw.password_escaped);
	free(s->gw.ca_file);
	free(s);
}

/* Put a transfer whose result is set in the finished queue. */
static void
sms_done(struct sms *s, struct smsxfer *x)
{
	x->m->result.latency_ms = clock_ms() - x->start_ms;
	TAILQ_INSERT_TAIL(&s->finished, x, entry);
}

/* Start waiting transfers while there is room. */
static void
sms_start_waiting(struct sms *s)
{
	struct smsxfer	*x;

	while (s->nrunning < s->max_connections &&
	    (x = TAILQ_FIRST(&s->waiting)) != NULL) {
		TAILQ_REMOVE(&s->waiting, x, entry);
		if (smsxfer_start(x, &s->gw, s->multi) != 0) {
			sms_done(s, x);
			continue;
		}
		TAILQ_INSERT_TAIL(&s->running, x, entry);
		s->nrunning++;
	}
}

/* Start sending a message. */
void
sms_submit(struct sms *s, struct channel_msg *m,
    void (*done)(struct channel_msg *, void *), void *arg)
{
	struct smsxfer		*x;
	struct segment_info	 si;
	const char		*p;

	x = smsxfer_new(m, done, arg);
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

/* Move the transfers libcurl has finished to the finished queue. */
static void
sms_collect(struct sms *s)
{
	struct smsxfer	*x;
	CURLMsg		*msg;
	CURLcode	 rc;
	char		*p;
	int		 left;

	while ((msg = curl_multi_info_read(s->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		rc = msg->data.result;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
		x = (struct smsxfer *)p;
		smsxfer_finish(x, &s->gw, rc);
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
	struct smsxfers		 over;
	struct smsxfer		*x;
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
		smsxfer_free(x);
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

/* The sms channel: many messages in flight, reported as they end. */
const struct channel sms_channel = {
	"sms",
	sms_channel_open,
	sms_channel_send,
	sms_channel_pending,
	sms_channel_run,
	sms_channel_close
};
