/*
 * mail.c - delivering notices by SMTP (libesmtp)
 *
 * libesmtp runs the protocol; this file feeds it and reads what came of
 * each message from its events, so that done() runs while the session
 * goes on: a reply other than 2xx to MAIL FROM (SMTP_EV_MAILSTATUS) or to
 * RCPT TO (SMTP_EV_RCPTSTATUS; one recipient and "require all recipients",
 * so no DATA follows) ends the message, and so does the reply to DATA or
 * to the end of the data (SMTP_EV_MESSAGESENT). A message without an
 * outcome when the session is over (greeting refused, timeout, connection
 * lost, TLS or AUTH failing) is a temporary failure with the session's
 * reason, taken from the TLS events and from the protocol monitor, which
 * keeps every reply line and the verb of every command (only the verb:
 * AUTH lines carry the password).
 *
 * What libesmtp 1.1.0 does that is worked around here:
 * - it adds Date, From and Message-Id when missing, drops a repeated To
 *   or a Return-Path and adds a blank line to a message without a body:
 *   mail_check() refuses such messages, so the bytes sent are the caller's;
 * - after a failed AUTH it tries the next mechanism and then sends MAIL
 *   FROM unauthenticated: with credentials set, a MAIL FROM without a
 *   successful AUTH ends the message as a temporary failure, and should
 *   the server accept it the message callback refuses the data, which
 *   drops the connection before the end of the data;
 * - its own certificate name check knows only DNS names, compared with
 *   the resolver's canonical name: OpenSSL checks the configured host
 *   during the handshake, and only a certificate that OpenSSL verified
 *   and that names the host (X509_check_host/_ip_asc) passes that event;
 * - it makes the SSL itself, without a server name: the name (SNI) is set
 *   from the SSL_CTX info callback when the handshake starts;
 * - its loop reads before it flushes: a TLS 1.3 session ticket arriving
 *   after the handshake makes it wait for a reply to an EHLO it has not
 *   sent yet, until the timeout. TLS is therefore capped at 1.2, where
 *   tickets come within the handshake;
 * - it connects with a blocking connect(2) and no timeout: after a
 *   session that could not connect, the next one is preceded by a
 *   connection probe bounded by timeout_seconds (probe.c), so a host that
 *   drops connection attempts costs the kernel's two minutes once per
 *   struct mail, then timeout_seconds per retry; timeout_seconds applies
 *   from the greeting on;
 * - its timeouts are per read and per write, not per step: a server that
 *   sends a line a second (a "250-" EHLO line after another, a reply to
 *   MAIL or to the data that never ends) would hold the session for ever.
 *   A watch (sockwatch.c) finds the session's socket when it connects and
 *   shuts it down when a step has not had its complete reply within
 *   timeout_seconds: the greeting from the connect, each command from
 *   its writing (the monitor sees it), STARTTLS until the next command
 *   (its handshake included), AUTH until its last reply, the data from
 *   the message callback's first call, the end of the data (its last
 *   piece and the final reply) from its last. libesmtp then fails as
 *   after a lost connection and the reason is the step's. libesmtp turns
 *   the monitor off while it sends the data and, after BDAT (a server
 *   offering CHUNKING), never on again: the steps after each reply it
 *   reports as an event are started there too. No step runs while done()
 *   does: the caller's time is not the server's;
 * - it takes a 2xx reply to the DATA command itself (not 354) as the
 *   message's status and reports it as for the end of the data: a
 *   message whose data libesmtp never asked for is a temporary failure;
 * - it keeps its socket to itself and leaves Nagle's algorithm on, while
 *   it writes a message in 2 KB pieces: the last piece, with the end of
 *   the data, then waits in the kernel for the server's ACK of the one
 *   before, which the server delays (40 ms on Linux) as it has nothing
 *   to say before the end. A message spent most of its time on the wire
 *   in that wait, and had closeloopd died then, the kernel would still
 *   have sent the end: the server took the message, closeloopd never
 *   knew, and sent it again. On connecting, every TCP socket of the
 *   process connected to the server's port gets TCP_NODELAY
 *   (nodelay.c).
 *
 * Threads: libesmtp in Debian is built with pthreads (smtp_errno() is per
 * thread, its SASL plugin list has a mutex) and keeps no other global
 * state used here (its default SSL_CTX is made only for a session without
 * one); auth_client_init() runs once; OpenSSL 3 is thread-safe. Each
 * thread may thus run sessions on its own struct mail.
 */
#include "build.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <auth-client.h>
#include <libesmtp.h>

#include "channel.h"
#include "log.h"
#include "mail.h"
#include "clock.h"
#include "nodelay.h"
#include "probe.h"
#include "sockwatch.h"
#include "xmalloc.h"

/* Longest reply line kept. */
#define MAIL_LINE_MAX	512

/* How AUTH went in this session. */
enum mail_auth {
	MAIL_AUTH_NONE,
	MAIL_AUTH_RUNNING,
	MAIL_AUTH_OK,
	MAIL_AUTH_FAILED
};

struct mail_session;

struct mail {
	char		*host;
	char		*hostport;
	char		*ca_file;
	char		*user;
	char		*password;
	char		*helo;
	enum mail_tls	 tls;
	long		 timeout_ms;
	int		 host_ip;	/* host is an IPv4 address */
	int		 port;		/* the server's TCP port */
	int		 auth_clear;	/* AUTH allowed without TLS */
	int		 probe;		/* the last session did not connect */
	SSL_CTX		*ctx;
	struct mail_session *cur;	/* during mail_send() */
};

/* A message of the session. */
struct mail_entry {
	struct mail_message *msg;
	struct mail_session *s;
	int		 started;	/* libesmtp asked for the data */
	int		 given;		/* data handed to libesmtp */
	int		 finished;
};

/* What one mail_send() call knows about its session. */
struct mail_session {
	struct mail	*m;
	void		(*done)(struct mail_message *, void *);
	void		*arg;
	int64_t		 start_ms;	/* monotonic */
	int64_t		 last_ms;	/* last exchange with the server */
	int		 connected;
	int		 tls;
	enum mail_auth	 auth;
	int		 abort;		/* refuse to give message data */
	char		*failure;	/* why the session failed */
	struct mail_entry *entries;
	size_t		 n;
	struct sockwatch *watch;	/* each step's deadline */
	int		 pending;	/* commands awaiting their reply */
	char		 step[16];	/* verb of the last command */
	char		 line[MAIL_LINE_MAX];	/* reply line so far */
	size_t		 linelen;
	char		 reply[MAIL_LINE_MAX];	/* last reply line */
	char		 reply_step[16];	/* the command it answered */
	char		 auth_reply[MAIL_LINE_MAX];
	int		 expired;	/* a step ran out of time */
	char		 expired_step[16];
	size_t		 sent;
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

/* Return the milliseconds since the session started. */
static int64_t
mail_elapsed(const struct mail_session *s)
{
	return clock_ms() - s->start_ms;
}

/* Return 1 if host is an IPv4 address (IPv6 has no place in host:port). */
static int
mail_is_ip(const char *host)
{
	struct in_addr	a;

	return inet_pton(AF_INET, host, &a) == 1;
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

/* Return the text of OpenSSL's last error and clear its queue. */
static const char *
mail_tls_error(void)
{
	unsigned long	 e = ERR_peek_last_error();
	const char	*why = e != 0 ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return why != NULL ? why : "handshake failed";
}

/* Verify the server's chain and name; keep why it failed. */
static int
mail_tls_verify(X509_STORE_CTX *xs, void *arg)
{
	struct mail	*m = arg;
	int		 ok;

	ok = X509_verify_cert(xs);
	if (ok != 1 && m->cur != NULL && m->cur->failure == NULL) {
		m->cur->failure = xasprintf("STARTTLS: certificate of %s "
		    "refused: %s", m->host, X509_verify_cert_error_string(
		    X509_STORE_CTX_get_error(xs)));
	}
	return ok == 1;
}

/*
 * Name the server (SNI) as the handshake starts: libesmtp makes the SSL
 * from our SSL_CTX itself and sets no name, and a client hello can only
 * get one from the SSL, so it is set here, before the hello is built.
 */
static void
mail_tls_info(const SSL *ssl, int where, int ret)
{
	struct mail	*m;

	(void)ret;
	if ((where & SSL_CB_HANDSHAKE_START) == 0)
		return;
	m = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	if (m == NULL || m->host_ip ||
	    SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) != NULL)
		return;
	SSL_set_tlsext_host_name((SSL *)(uintptr_t)ssl, m->host);
}

/* Make m's TLS context: TLS 1.2, chain and host name verified. */
static int
mail_tls_new(struct mail *m, char **cause)
{
	X509_VERIFY_PARAM	*param;
	int			 ok;

	if ((m->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		mail_cause(cause, "SSL_CTX_new: %s", mail_tls_error());
		return -1;
	}
	SSL_CTX_set_min_proto_version(m->ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(m->ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(m->ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_verify_callback(m->ctx, mail_tls_verify, m);
	SSL_CTX_set_app_data(m->ctx, m);
	SSL_CTX_set_info_callback(m->ctx, mail_tls_info);
	if (m->ca_file != NULL)
		ok = SSL_CTX_load_verify_locations(m->ctx, m->ca_file, NULL);
	else
		ok = SSL_CTX_set_default_verify_paths(m->ctx);
	if (ok != 1) {
		mail_cause(cause, "cannot load CA certificates from %s: %s",
		    m->ca_file != NULL ? m->ca_file : "the system store",
		    mail_tls_error());
		return -1;
	}
	param = SSL_CTX_get0_param(m->ctx);
	X509_VERIFY_PARAM_set_hostflags(param,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (m->host_ip)
		ok = X509_VERIFY_PARAM_set1_ip_asc(param, m->host);
	else
		ok = X509_VERIFY_PARAM_set1_host(param, m->host, 0);
	if (ok != 1) {
		mail_cause(cause, "cannot verify host %s: %s", m->host,
		    mail_tls_error());
		return -1;
	}
	return 0;
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
	m->host_ip = mail_is_ip(m->host);
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
	if (m->tls != MAIL_TLS_OFF && mail_tls_new(m, cause) != 0) {
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
	SSL_CTX_free(m->ctx);
	free(m->host);
	free(m->hostport);
	free(m->ca_file);
	free(m->user);
	if (m->password != NULL)
		explicit_bzero(m->password, strlen(m->password));
	free(m->password);
	free(m->helo);
	free(m);
}

/* Set msg's outcome to a permanent failure: it is not sent. */
static int __attribute__((format(printf, 2, 3)))
mail_refuse(struct mail_message *msg, const char *fmt, ...)
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
mail_check(struct mail_message *msg)
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

/* Write reply st as one line: "250 2.0.0 Ok", or "no reply". */
static void
mail_reply_text(const smtp_status_t *st, char *buf, size_t size)
{
	const char	*t = st->text != NULL ? st->text : "";
	size_t		 o;

	if (st->code == 0) {
		snprintf(buf, size, "no reply");
		return;
	}
	if (st->enh_class != 0)
		snprintf(buf, size, "%d %d.%d.%d ", st->code, st->enh_class,
		    st->enh_subject, st->enh_detail);
	else
		snprintf(buf, size, "%d ", st->code);
	for (o = strlen(buf); *t != '\0' && o < size - 1; t++) {
		if (*t != '\r' && *t != '\n')
			buf[o++] = *t;
		else if (buf[o - 1] != ' ')
			buf[o++] = ' ';
	}
	while (o > 0 && buf[o - 1] == ' ')
		o--;
	buf[o] = '\0';
}

/* Return the text of a libesmtp error (negative: an errno). */
static const char *
mail_strerror(int err, char *buf, size_t size)
{
	if (err < 0)
		return strerror_r(-err, buf, size);
	if (smtp_strerror(err, buf, size) == NULL)
		snprintf(buf, size, "error %d", err);
	return buf;
}

/* Keep why the session failed, unless a reason is already kept. */
static void __attribute__((format(printf, 2, 3)))
mail_fail(struct mail_session *s, const char *fmt, ...)
{
	va_list	ap;

	if (s->failure != NULL)
		return;
	va_start(ap, fmt);
	s->failure = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Set e's outcome, addresses in the server's words masked; tell done(). */
static void __attribute__((format(printf, 4, 5)))
mail_finish(struct mail_session *s, struct mail_entry *e,
    enum send_status status, const char *fmt, ...)
{
	va_list	 ap;
	char	*text, *masked;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	masked = log_mask_reply(text, e->msg->to);
	channel_result(&e->msg->result, status, "%s", masked);
	free(masked);
	free(text);
	e->msg->result.latency_ms = mail_elapsed(s);
	e->finished = 1;
	if (status == SEND_OK)
		s->sent++;
	if (s->done != NULL)
		s->done(e->msg, s->arg);
}

/*
 * Act on the reply st to step (NULL: DATA or the end of the data) for e.
 * Only a 2xx to the end of the data is SEND_OK: a server answering the
 * DATA command itself with 2xx (libesmtp reports it as the message's
 * status) has had no data, a protocol error. It is a temporary failure:
 * nothing was delivered, so trying again cannot send twice, and a server
 * misbehaving for a while (a proxy, an overload) may take the message
 * later; one that never does ends dead-lettered after the retry age.
 */
static void
mail_outcome(struct mail_session *s, struct mail_entry *e,
    const smtp_status_t *st, const char *step)
{
	char	text[MAIL_LINE_MAX];
	int	class = st->code / 100;

	if (e == NULL || e->finished)
		return;
	if (s->m->user != NULL && s->auth != MAIL_AUTH_OK) {
		if (s->auth == MAIL_AUTH_FAILED)
			mail_fail(s, "AUTH: %s", s->auth_reply);
		else
			mail_fail(s, "AUTH: %s offers no usable mechanism",
			    s->m->host);
		s->abort = 1;
		mail_finish(s, e, SEND_TEMPFAIL, "%s", s->failure);
		return;
	}
	if (step != NULL && class == 2)
		return;
	mail_reply_text(st, text, sizeof text);
	if (step == NULL && !e->started && class != 4 && class != 5) {
		mail_fail(s, "DATA: %s: an answer to DATA before any data was "
		    "sent", text);
		mail_finish(s, e, SEND_TEMPFAIL, "%s", s->failure);
		return;
	}
	if (class == 2)
		mail_finish(s, e, SEND_OK, "%s", text);
	else {
		mail_finish(s, e, class == 5 ? SEND_PERMFAIL : SEND_TEMPFAIL,
		    "%s: %s", step != NULL ? step : "DATA", text);
	}
}

/*
 * Note a complete reply line from the server. A last line ends its
 * command's step once no other command awaits a reply, unless more is
 * awaited from the server: after 3xx (AUTH's 334, DATA's 354) and after
 * a 2xx to STARTTLS, which the TLS handshake follows.
 */
static void
mail_monitor_reply(struct mail_session *s)
{
	const char	*l = s->line;

	if (s->linelen > 0 && l[s->linelen - 1] == '\r')
		s->linelen--;
	s->line[s->linelen] = '\0';
	if (s->linelen < 3 || l[3] == '-')
		return;
	snprintf(s->reply, sizeof s->reply, "%s", l);
	snprintf(s->reply_step, sizeof s->reply_step, "%s", s->step);
	if (s->pending > 0)
		s->pending--;
	if (s->pending == 0 && l[0] != '3' &&
	    (l[0] != '2' || strcasecmp(s->step, "STARTTLS") != 0))
		sockwatch_rest(s->watch);
	if (s->auth != MAIL_AUTH_RUNNING || l[0] == '3')
		return;
	if (l[0] == '2')
		s->auth = MAIL_AUTH_OK;
	else {
		s->auth = MAIL_AUTH_FAILED;
		snprintf(s->auth_reply, sizeof s->auth_reply, "%s", l);
	}
}

/*
 * Watch the protocol: keep the verb of each command (only the verb: an
 * AUTH exchange carries credentials) and every reply line. Each command
 * starts a step, with its deadline; the lines written within an AUTH
 * exchange are part of the AUTH step.
 */
static void
mail_monitor(const char *buf, int len, int writing, void *arg)
{
	struct mail_session	*s = arg;
	const char		*last = buf;
	int			 i;

	s->last_ms = mail_elapsed(s);
	if (writing == SMTP_CB_WRITING) {
		for (i = 0; i < len; i++) {
			if (buf[i] == '\n')
				s->pending++;
		}
	}
	if (writing == SMTP_CB_WRITING && s->auth != MAIL_AUTH_RUNNING) {
		for (i = 0; i < len - 1; i++) {
			if (buf[i] == '\n')
				last = buf + i + 1;
		}
		for (i = 0; last + i < buf + len && i < 15 &&
		    ((last[i] >= 'A' && last[i] <= 'Z') ||
		    (last[i] >= 'a' && last[i] <= 'z')); i++)
			s->step[i] = last[i];
		s->step[i] = '\0';
		if (strcasecmp(s->step, "AUTH") == 0)
			s->auth = MAIL_AUTH_RUNNING;
		sockwatch_step(s->watch, s->step);
	}
	if (writing != SMTP_CB_READING)
		return;
	for (i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			mail_monitor_reply(s);
			s->linelen = 0;
		} else if (s->linelen < sizeof s->line - 1)
			s->line[s->linelen++] = buf[i];
	}
}

/* Start the step named step, with its deadline. */
static void
mail_step(struct mail_session *s, const char *step)
{
	snprintf(s->step, sizeof s->step, "%s", step);
	sockwatch_step(s->watch, s->step);
}

/*
 * Start the step of the command libesmtp sends after the reply to step
 * (NULL: to DATA or the end of the data) of class class for e, as its
 * state machine chooses it. The monitor starts it again when it sees the
 * command written; after a BDAT transfer libesmtp never gives the monitor
 * back, and this is what bounds the session's later steps.
 */
static void
mail_next_step(struct mail_session *s, struct mail_entry *e,
    const char *step, int class)
{
	const char	*next;
	size_t		 i;
	int		 more = 0;

	for (i = (size_t)(e - s->entries) + 1; i < s->n; i++) {
		if (!s->entries[i].finished)
			more = 1;
	}
	if (step != NULL && strcmp(step, "MAIL FROM") == 0)
		next = class == 2 ? "RCPT" : more ? "MAIL" : "QUIT";
	else if (step != NULL && class == 2)
		next = "DATA";
	else if (step == NULL && class == 2 && e->started)
		next = more ? "MAIL" : "QUIT";
	else
		next = more ? "RSET" : "QUIT";
	mail_step(s, next);
}

/*
 * Act on a reply libesmtp reports for e: no step runs while done() may
 * run (the caller's time is not the server's), then the next one starts.
 */
static void
mail_replied(struct mail_session *s, struct mail_entry *e,
    const smtp_status_t *st, const char *step)
{
	sockwatch_rest(s->watch);
	mail_outcome(s, e, st, step);
	if (e != NULL)
		mail_next_step(s, e, step, st->code / 100);
}

/* Return 1 if the server's certificate was verified and names host. */
static int
mail_tls_host_ok(const struct mail *m, SSL *ssl)
{
	X509	*cert = SSL_get0_peer_certificate(ssl);

	if (cert == NULL || SSL_get_verify_result(ssl) != X509_V_OK)
		return 0;
	if (m->host_ip)
		return X509_check_ip_asc(cert, m->host, 0) == 1;
	return X509_check_host(cert, m->host, 0,
	    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
}

/* Follow libesmtp's events: outcomes, TLS state and TLS refusals. */
static void
mail_event(smtp_session_t session, int event, void *arg, ...)
{
	struct mail_session	*s = arg;
	smtp_message_t		 msg;
	smtp_recipient_t	 rcpt;
	int			*ok;
	long			 vfy;
	va_list			 ap;

	(void)session;
	va_start(ap, arg);
	switch (event) {
	case SMTP_EV_CONNECT:
		s->connected = 1;
		s->pending = 1;
		snprintf(s->step, sizeof s->step, "greeting");
		if (sockwatch_connected(s->watch, s->step) != 0) {
			log_warn("email: the connection to %s is not told "
			    "apart from another to its port: its steps have "
			    "no total deadline", s->m->hostport);
		}
		(void)nodelay_peer_port(s->m->port);
		break;
	case SMTP_EV_DISCONNECT:
		sockwatch_disconnected(s->watch);
		s->pending = 0;
		break;
	case SMTP_EV_MAILSTATUS:
		(void)va_arg(ap, const char *);
		msg = va_arg(ap, smtp_message_t);
		mail_replied(s, smtp_message_get_application_data(msg),
		    smtp_reverse_path_status(msg), "MAIL FROM");
		break;
	case SMTP_EV_RCPTSTATUS:
		(void)va_arg(ap, const char *);
		rcpt = va_arg(ap, smtp_recipient_t);
		mail_replied(s, smtp_recipient_get_application_data(rcpt),
		    smtp_recipient_status(rcpt), "RCPT TO");
		break;
	case SMTP_EV_MESSAGESENT:
		msg = va_arg(ap, smtp_message_t);
		mail_replied(s, smtp_message_get_application_data(msg),
		    smtp_message_transfer_status(msg), NULL);
		break;
	case SMTP_EV_STARTTLS_OK:
		s->tls = 1;
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		mail_fail(s, "STARTTLS required but %s does not offer it",
		    s->m->host);
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		vfy = va_arg(ap, long);
		*(ok = va_arg(ap, int *)) = 0;
		mail_fail(s, "STARTTLS: certificate of %s refused: %s",
		    s->m->host, X509_verify_cert_error_string(vfy));
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		(void)va_arg(ap, const char *);
		if ((*ok = mail_tls_host_ok(s->m, va_arg(ap, SSL *))) == 0)
			mail_fail(s, "STARTTLS: certificate does not name %s",
			    s->m->host);
		break;
	case SMTP_EV_WEAK_CIPHER:
		(void)va_arg(ap, int);
		/* FALLTHROUGH */
	case SMTP_EV_NO_PEER_CERTIFICATE:
	case SMTP_EV_NO_CLIENT_CERTIFICATE:
		*(ok = va_arg(ap, int *)) = 0;
		/* FALLTHROUGH */
	case SMTP_EV_UNUSABLE_CLIENT_CERTIFICATE:
	case SMTP_EV_UNUSABLE_CA_LIST:
		mail_fail(s, "STARTTLS: TLS with %s refused (event %d)",
		    s->m->host, event);
		break;
	}
	va_end(ap);
}

/*
 * Give libesmtp the message in one piece, unless the session must stop.
 * libesmtp asks for it from the start (len NULL) when the server is ready
 * for the data, and stops the monitor until the final reply: that starts
 * the step of the data, and asking past the end starts the step of the
 * end of the data, its last piece and the final reply.
 */
static const char *
mail_read(void **ctx, int *len, void *arg)
{
	struct mail_entry	*e = arg;

	(void)ctx;
	if (len == NULL) {
		e->started = 1;
		e->given = 0;
		mail_step(e->s, "message data");
		return NULL;
	}
	if (e->s->abort) {
		errno = ECONNABORTED;
		*len = 0;
		return NULL;
	}
	*len = e->given ? 0 : (int)e->msg->len;
	if (e->given)
		mail_step(e->s, "end of data");
	e->given = 1;
	return *len > 0 ? e->msg->data : NULL;
}

/* Answer the SASL mechanism's questions, over TLS only unless allowed. */
static int
mail_interact(auth_client_request_t req, char **result, int fields,
    void *arg)
{
	struct mail_session	*s = arg;
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
mail_prepare(struct mail_session *s, struct mail_entry *entries, size_t n,
    auth_context_t *actx)
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
	    !smtp_set_eventcb(session, mail_event, s) ||
	    !smtp_set_monitorcb(session, mail_monitor, s, 0) ||
	    !smtp_option_require_all_recipients(session, 1))
		goto fail;
	if (m->tls == MAIL_TLS_OFF)
		smtp_starttls_enable(session, Starttls_DISABLED);
	else if (!smtp_starttls_enable(session, m->tls == MAIL_TLS_REQUIRED ?
	    Starttls_REQUIRED : Starttls_ENABLED) ||
	    !smtp_starttls_set_ctx(session, m->ctx))
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
		    !smtp_set_messagecb(sm, mail_read, &entries[i]) ||
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

/* Return the reason for step not done within the timeout (allocated). */
static char *
mail_timed_out(struct mail_session *s, const char *step)
{
	if (strcmp(step, "message data") == 0) {
		return xasprintf("%s: not all sent within %ld s", step,
		    s->m->timeout_ms / 1000);
	}
	return xasprintf("%s: no complete reply within %ld s", step,
	    s->m->timeout_ms / 1000);
}

/*
 * Return why the session ended before every message had an outcome. A
 * step that ran out of time is the reason, unless the session was over
 * already (QUIT) and an earlier failure says more.
 */
static char *
mail_reason(struct mail_session *s)
{
	char	buf[256];
	int	err = smtp_errno();

	if (s->failure != NULL)
		return xstrdup(s->failure);
	if (!s->connected) {
		return xasprintf("connect to %s: %s", s->m->hostport,
		    mail_strerror(err, buf, sizeof buf));
	}
	if (s->expired && strcmp(s->expired_step, "QUIT") != 0)
		return mail_timed_out(s, s->expired_step);
	if (strcmp(s->reply_step, "STARTTLS") == 0 && s->reply[0] == '2' &&
	    !s->tls) {
		return xasprintf("STARTTLS: TLS with %s failed: %s",
		    s->m->host, mail_tls_error());
	}
	if (s->reply[0] == '4' || s->reply[0] == '5')
		return xasprintf("%s: %s", s->reply_step, s->reply);
	if (s->expired)
		return mail_timed_out(s, s->expired_step);
	if (mail_elapsed(s) - s->last_ms >= s->m->timeout_ms - 100)
		return mail_timed_out(s, s->step);
	return xasprintf("%s: %s", s->step, err != 0 ?
	    mail_strerror(err, buf, sizeof buf) : "connection closed");
}

/* Send a batch of messages over one SMTP session. */
size_t
mail_send(struct mail *m, struct mail_message *msgs, size_t n,
    void (*done)(struct mail_message *, void *), void *arg)
{
	struct mail_session	 s;
	struct mail_entry	*entries;
	smtp_session_t		 session = NULL;
	auth_context_t		 actx = NULL;
	size_t			 i, queued = 0;
	char			*why = NULL, *cause;

	memset(&s, 0, sizeof s);
	s.m = m;
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
		msgs[i].result.latency_ms = mail_elapsed(&s);
		if (done != NULL)
			done(&msgs[i], arg);
	}
	if (queued > 0 && (s.watch = sockwatch_new(m->port, m->timeout_ms,
	    &cause)) == NULL) {
		why = xasprintf("connect to %s: %s", m->hostport, cause);
		free(cause);
		m->probe = 1;
		queued = 0;
	}
	if (queued > 0 && m->probe && probe_connect(m->host,
	    strrchr(m->hostport, ':') + 1, m->timeout_ms, &why) != 0)
		queued = 0;
	if (queued > 0) {
		m->cur = &s;
		if ((session = mail_prepare(&s, entries, n, &actx)) == NULL)
			why = xasprintf("libesmtp: %s", mail_strerror(
			    smtp_errno(), s.line, sizeof s.line));
		else
			mail_run(session);
		m->cur = NULL;
		m->probe = !s.connected;
	}
	s.expired = sockwatch_expired(s.watch, s.expired_step,
	    sizeof s.expired_step);
	sockwatch_free(s.watch);
	s.watch = NULL;
	for (i = 0; i < n; i++) {
		if (entries[i].finished)
			continue;
		if (why == NULL)
			why = mail_reason(&s);
		mail_finish(&s, &entries[i], SEND_TEMPFAIL, "%s", why);
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
