/*
 * mail.c - delivering notices by SMTP (libesmtp)
 *
 * A struct mail is the SMTP server and how to reach it; each mail_send()
 * is one libesmtp session over one connection, for a batch of messages.
 * mailsession.c follows the session through libesmtp's callbacks and
 * gives each message its outcome; mailtls.c makes the TLS context.
 *
 * What libesmtp 1.1.0 does that is worked around here:
 * - it adds Date, From and Message-Id when missing, drops a repeated To
 *   or a Return-Path and adds a blank line to a message without a body:
 *   mail_check() refuses such messages, so the bytes sent are the caller's;
 * - it connects with a blocking connect(2) and no timeout: after a
 *   session that could not connect, the next one is preceded by a
 *   connection probe bounded by timeout_seconds (probe.c), so a host that
 *   drops connection attempts costs the kernel's two minutes once per
 *   struct mail, then timeout_seconds per retry; timeout_seconds applies
 *   from the greeting on (sockwatch.c, see mailsession.c).
 *
 * Threads: libesmtp in Debian is built with pthreads (smtp_errno() is per
 * thread, its SASL plugin list has a mutex) and keeps no other global
 * state used here (its default SSL_CTX is made only for a session without
 * one); auth_client_init() runs once; OpenSSL 3 is thread-safe. Each
 * thread may thus run sessions on its own struct mail.
 */
#include "build.h"

#include <arpa/inet.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "channel.h"
#include "clock.h"
#include "mail.h"
#include "mailsession.h"
#include "mailtls.h"
#include "probe.h"
#include "sockwatch.h"
#include "xmalloc.h"

/* The server, and how to reach it and talk to it. */
struct mail {
	char		*host;
	char		*hostport;
	char		*ca_file;
	char		*user;
	char		*password;
	char		*helo;
	enum mail_tls	 tls;
	long		 timeout_ms;
	int		 port;		/* the server's TCP port */
	int		 auth_clear;	/* AUTH allowed without TLS */
	int		 probe;		/* the last session did not connect */
	struct mailtls	*tls_ctx;
	struct sockwatch *watch;	/* kept from session to session */
};

/* Header fields libesmtp acts on, and how often each may appear. */
static const struct {
	const char	*name;
	int		 min, max;
} mail_fields[] = {
	{ "Date", 1, 1 }, { "From", 1, 1 }, { "Message-ID", 1, 1 },
	{ "Sender", 0, 1 }, { "To", 0, 1 }, { "Cc", 0, 1 }, { "Bcc", 0, 1 },
	{ "Reply-To", 0, 1 }, { "Disposition-Notification-To", 0, 1 },
	{ "Return-Path", 0, 0 }, { "Original-Recipient", 0, 0 },
	{ "Resent-Reply-To", 0, 0 }
};
#define MAIL_NFIELDS	(sizeof mail_fields / sizeof mail_fields[0])

static pthread_once_t mail_once = PTHREAD_ONCE_INIT;

static int	mail_check_address(const char *);

/* Initialise libesmtp's SASL client, once per process. */
static void
mail_init(void)
{
	auth_client_init();
}

/* Set *cause (if cause is not NULL) to a formatted message. */
static void __attribute__((format(printf, 2, 3)))
mail_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Return 1 if host is this machine: localhost or 127.0.0.0/8. */
static int
mail_is_loopback(const char *host)
{
	struct in_addr	a;

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	return inet_pton(AF_INET, host, &a) == 1 &&
	    (ntohl(a.s_addr) >> 24) == 127;
}

/* Make a struct mail. */
struct mail *
mail_new(const struct mail_options *o, char **cause)
{
	struct mail	*m;
	char		 name[256];
	long		 port;
	int		 timeout;

	pthread_once(&mail_once, mail_init);
	port = 0;
	if (o->port != NULL && strlen(o->port) <= 5 &&
	    o->port[strspn(o->port, "0123456789")] == '\0')
		port = strtol(o->port, NULL, 10);
	if (o->host == NULL || *o->host == '\0' || strchr(o->host, ':') ||
	    port < 1 || port > 65535) {
		mail_cause(cause, "bad SMTP server host or port");
		return NULL;
	}
	if (o->helo != NULL && (!mail_check_address(o->helo) ||
	    *o->helo == '\0')) {
		mail_cause(cause, "bad EHLO name");
		return NULL;
	}
	if ((o->user == NULL) != (o->password == NULL)) {
		mail_cause(cause, "SMTP AUTH needs both user and password");
		return NULL;
	}
	if (o->user != NULL && o->tls == MAIL_TLS_OFF &&
	    !mail_is_loopback(o->host)) {
		mail_cause(cause, "SMTP AUTH without TLS is allowed only to "
		    "a loopback host, not %s", o->host);
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->host = xstrdup(o->host);
	m->hostport = xasprintf("%s:%s", o->host, o->port);
	m->port = (int)port;
	m->ca_file = o->ca_file != NULL ? xstrdup(o->ca_file) : NULL;
	m->user = o->user != NULL ? xstrdup(o->user) : NULL;
	m->password = o->password != NULL ? xstrdup(o->password) : NULL;
	m->tls = o->tls;
	if (m->user != NULL && m->tls == MAIL_TLS_OPPORTUNISTIC)
		m->tls = MAIL_TLS_REQUIRED;
	m->auth_clear = (m->tls == MAIL_TLS_OFF);
	timeout = o->timeout_seconds > 0 ? o->timeout_seconds :
	    MAIL_TIMEOUT_DEFAULT;
	m->timeout_ms = (long)(timeout < 86400 ? timeout : 86400) * 1000;
	if (o->helo != NULL)
		m->helo = xstrdup(o->helo);
	else {
		if (gethostname(name, sizeof name) != 0)
			snprintf(name, sizeof name, "localhost");
		name[sizeof name - 1] = '\0';
		m->helo = xstrdup(name);
	}
	if (m->tls != MAIL_TLS_OFF && (m->tls_ctx = mailtls_new(m->host,
	    m->ca_file, cause)) == NULL) {
		mail_free(m);
		return NULL;
	}
	return m;
}

/* Free a struct mail. */
void
mail_free(struct mail *m)
{
	if (m == NULL)
		return;
	mailtls_free(m->tls_ctx);
	free(m->host);
	free(m->hostport);
	free(m->ca_file);
	free(m->user);
	if (m->password != NULL)
		explicit_bzero(m->password, strlen(m->password));
	free(m->password);
	free(m->helo);
	sockwatch_free(m->watch);
	free(m);
}

/*
 * Ready m's watch for the session's connection: made at the first, then
 * kept with its thread. Returns 0, or -1 with *cause.
 */
static int
mail_watch(struct mail *m, char **cause)
{
	if (m->watch != NULL)
		return sockwatch_again(m->watch, cause);
	m->watch = sockwatch_new(m->port, m->timeout_ms, cause);
	return m->watch != NULL ? 0 : -1;
}

/* Set msg's outcome to a permanent failure: it is not sent. */
static int __attribute__((format(printf, 2, 3)))
mail_refuse(struct channel_msg *msg, const char *fmt, ...)
{
	va_list	 ap;
	char	*why;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	channel_result(&msg->result, SEND_PERMFAIL, "not sent: %s", why);
	free(why);
	return -1;
}

/* Return 1 if an envelope address can go between angle brackets. */
static int
mail_check_address(const char *a)
{
	if (a == NULL)
		return 0;
	for (; *a != '\0'; a++) {
		if ((unsigned char)*a <= 0x20 || (unsigned char)*a >= 0x7f ||
		    *a == '<' || *a == '>')
			return 0;
	}
	return 1;
}

/* Check that msg can be sent unchanged (see mail.h); -1 if not. */
static int
mail_check(struct channel_msg *msg)
{
	const char	*d = msg->data, *p, *eol, *colon, *f;
	int		 count[MAIL_NFIELDS];
	size_t		 i, len = msg->len, n;

	if (!mail_check_address(msg->from))
		return mail_refuse(msg, "bad sender address");
	if (!mail_check_address(msg->to) || *msg->to == '\0')
		return mail_refuse(msg, "bad recipient address");
	if (d == NULL || len < 2 || len > INT_MAX)
		return mail_refuse(msg, "message empty or too large");
	for (i = 0; i < len; i++) {
		if (d[i] == '\0' || (unsigned char)d[i] >= 0x80)
			return mail_refuse(msg, "message not 7-bit ASCII");
		if ((d[i] == '\r' && (i + 1 == len || d[i + 1] != '\n')) ||
		    (d[i] == '\n' && (i == 0 || d[i - 1] != '\r')))
			return mail_refuse(msg, "bare CR or LF in message");
	}
	if (d[len - 1] != '\n')
		return mail_refuse(msg, "message does not end with CRLF");
	memset(count, 0, sizeof count);
	for (p = d;; p = eol + 1) {
		eol = memchr(p, '\n', d + len - p);	/* d ends with LF */
		if ((n = eol - p) == 1)
			break;		/* the empty line */
		if (eol + 1 == d + len)
			return mail_refuse(msg, "no empty line after header");
		if (*p == ' ' || *p == '\t') {
			if (p == d)
				return mail_refuse(msg, "header starts folded");
			continue;
		}
		if ((colon = memchr(p, ':', n)) == NULL)
			return mail_refuse(msg, "header line without colon");
		for (i = 0; i < MAIL_NFIELDS; i++) {
			f = mail_fields[i].name;
			if (strlen(f) == (size_t)(colon - p) &&
			    strncasecmp(f, p, colon - p) == 0)
				count[i]++;
		}
	}
	for (i = 0; i < MAIL_NFIELDS; i++) {
		if (count[i] < mail_fields[i].min ||
		    count[i] > mail_fields[i].max)
			return mail_refuse(msg, "header field %s found %d "
			    "times, needs %d to %d", mail_fields[i].name,
			    count[i], mail_fields[i].min, mail_fields[i].max);
	}
	return 0;
}

/* Answer the SASL mechanism's questions, over TLS only unless allowed. */
static int
mail_interact(auth_client_request_t req, char **result, int fields,
    void *arg)
{
	struct mailsession	*s = arg;
	int			 i;

	if (!s->tls && !s->m->auth_clear)
		return 0;
	for (i = 0; i < fields; i++) {
		if (req[i].flags & AUTH_USER)
			result[i] = s->m->user;
		else if (req[i].flags & AUTH_PASS)
			result[i] = s->m->password;
		else
			result[i] = "";
	}
	return 1;
}

/* Make the libesmtp session for the unfinished entries; NULL on error. */
static smtp_session_t
mail_prepare(struct mailsession *s, struct mailsession_entry *entries,
    size_t n, auth_context_t *actx)
{
	static const int	 which[] = { Timeout_GREETING,
	    Timeout_ENVELOPE, Timeout_DATA, Timeout_TRANSFER, Timeout_DATA2 };
	struct mail		*m = s->m;
	smtp_session_t		 session;
	smtp_message_t		 sm;
	smtp_recipient_t	 rcpt;
	size_t			 i;

	if ((session = smtp_create_session()) == NULL)
		return NULL;
	for (i = 0; i < sizeof which / sizeof which[0]; i++) {
		smtp_set_timeout(session,
		    which[i] | Timeout_OVERRIDE_RFC2822_MINIMUM, m->timeout_ms);
	}
	if (!smtp_set_server(session, m->hostport) ||
	    !smtp_set_hostname(session, m->helo) ||
	    !smtp_set_eventcb(session, mailsession_event, s) ||
	    !smtp_set_monitorcb(session, mailsession_monitor, s, 0))
		goto fail;
	if (m->tls == MAIL_TLS_OFF)
		smtp_starttls_enable(session, Starttls_DISABLED);
	else if (!smtp_starttls_enable(session, m->tls == MAIL_TLS_REQUIRED ?
	    Starttls_REQUIRED : Starttls_ENABLED) ||
	    !smtp_starttls_set_ctx(session, mailtls_ctx(m->tls_ctx)))
		goto fail;
	if (m->user != NULL) {
		if ((*actx = auth_create_context()) == NULL)
			goto fail;
		auth_set_mechanism_flags(*actx, AUTH_PLUGIN_PLAIN, 0);
		auth_set_interact_cb(*actx, mail_interact, s);
		smtp_auth_set_context(session, *actx);
	}
	for (i = 0; i < n; i++) {
		if (entries[i].finished)
			continue;
		if ((sm = smtp_add_message(session)) == NULL ||
		    !smtp_set_reverse_path(sm, entries[i].msg->from) ||
		    !smtp_size_set_estimate(sm, entries[i].msg->len) ||
		    !smtp_set_messagecb(sm, mailsession_read, &entries[i]) ||
		    (rcpt = smtp_add_recipient(sm, entries[i].msg->to)) == NULL)
			goto fail;
		smtp_message_set_application_data_release(sm, &entries[i],
		    NULL);
		smtp_recipient_set_application_data_release(rcpt, &entries[i],
		    NULL);
	}
	return session;
fail:
	smtp_destroy_session(session);
	return NULL;
}

/* Run the session with SIGPIPE blocked in this thread. */
static void
mail_run(smtp_session_t session)
{
	static const struct timespec	 zero = { 0, 0 };
	sigset_t			 pipe, old, pending;
	int				 was;

	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, &old);
	sigpending(&pending);
	was = sigismember(&pending, SIGPIPE);
	smtp_start_session(session);
	sigpending(&pending);
	if (!was && sigismember(&pending, SIGPIPE))
		sigtimedwait(&pipe, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Send a batch of messages over one SMTP session. */
size_t
mail_send(struct mail *m, struct channel_msg *msgs, size_t n,
    void (*done)(struct channel_msg *, void *), void *arg)
{
	struct mailsession		 s;
	struct mailsession_entry	*entries;
	smtp_session_t			 session = NULL;
	auth_context_t			 actx = NULL;
	size_t				 i, queued = 0;
	char				*why = NULL, *cause;

	memset(&s, 0, sizeof s);
	s.m = m;
	s.host = m->host;
	s.hostport = m->hostport;
	s.port = m->port;
	s.timeout_ms = m->timeout_ms;
	s.auth_needed = m->user != NULL;
	s.tls_ctx = m->tls_ctx;
	s.done = done;
	s.arg = arg;
	s.n = n;
	s.start_ms = clock_ms();
	snprintf(s.step, sizeof s.step, "connect");
	entries = xcalloc(n > 0 ? n : 1, sizeof *entries);
	s.entries = entries;
	for (i = 0; i < n; i++) {
		channel_result_clear(&msgs[i].result);
		entries[i].msg = &msgs[i];
		entries[i].s = &s;
		if (mail_check(&msgs[i]) == 0) {
			queued++;
			continue;
		}
		entries[i].finished = 1;
		msgs[i].result.latency_ms = mailsession_elapsed(&s);
		if (done != NULL)
			done(&msgs[i], arg);
	}
	if (queued > 0 && mail_watch(m, &cause) != 0) {
		why = xasprintf("connect to %s: %s", m->hostport, cause);
		free(cause);
		m->probe = 1;
		queued = 0;
	}
	s.watch = queued > 0 ? m->watch : NULL;
	if (queued > 0 && m->probe && probe_connect(m->host,
	    strrchr(m->hostport, ':') + 1, m->timeout_ms, &why) != 0)
		queued = 0;
	if (queued > 0) {
		mailtls_watch(m->tls_ctx, &s.failure);
		if ((session = mail_prepare(&s, entries, n, &actx)) == NULL)
			why = xasprintf("libesmtp: %s", mailsession_strerror(
			    smtp_errno(), s.line, sizeof s.line));
		else
			mail_run(session);
		mailtls_watch(m->tls_ctx, NULL);
		m->probe = !s.connected;
	}
	s.expired = sockwatch_expired(s.watch, s.expired_step,
	    sizeof s.expired_step);
	sockwatch_end(s.watch);
	s.watch = NULL;
	for (i = 0; i < n; i++) {
		if (entries[i].finished)
			continue;
		if (why == NULL)
			why = mailsession_reason(&s);
		mailsession_finish(&s, &entries[i], SEND_TEMPFAIL, "%s", why);
	}
	if (session != NULL)
		smtp_destroy_session(session);
	if (actx != NULL)
		auth_destroy_context(actx);
	ERR_clear_error();
	free(why);
	free(s.failure);
	free(entries);
	return s.sent;
}

/* Open the mail channel: a struct mail from struct mail_options. */
static void *
mail_channel_open(const void *options, char **cause)
{
	return mail_new(options, cause);
}

/* Send a batch through the mail channel, in one session. */
static void
mail_channel_send(void *h, struct channel_msg *msgs, size_t n,
    void (*done)(struct channel_msg *, void *), void *arg)
{
	(void)mail_send(h, msgs, n, done, arg);
}

/* Close the mail channel. */
static void
mail_channel_close(void *h)
{
	mail_free(h);
}

/* The mail channel: one SMTP session per batch sent. */
const struct channel mail_channel = {
	"mail",
	mail_channel_open,
	mail_channel_send,
	channel_sync_pending,
	channel_sync_run,
	mail_channel_close
};
