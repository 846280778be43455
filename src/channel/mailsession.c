/*
 * mailsession.c - following one SMTP session of mail_send() (libesmtp)
 *
 * What came of each message is read from libesmtp's events, so that
 * done() runs while the session goes on: a reply other than 2xx to MAIL
 * FROM (SMTP_EV_MAILSTATUS) or to RCPT TO (SMTP_EV_RCPTSTATUS; one
 * recipient and "require all recipients", so no DATA follows) ends the
 * message, and so does the reply to DATA or to the end of the data
 * (SMTP_EV_MESSAGESENT). A message without an outcome when the session
 * is over (greeting refused, timeout, connection lost, TLS or AUTH
 * failing) is a temporary failure with the session's reason, taken from
 * the TLS events and from the protocol monitor, which keeps every reply
 * line and the verb of every command (only the verb: AUTH lines carry
 * the password).
 *
 * What libesmtp 1.1.0 does that is worked around here:
 * - after a failed AUTH it tries the next mechanism and then sends MAIL
 *   FROM unauthenticated: with credentials set, a MAIL FROM without a
 *   successful AUTH ends the message as a temporary failure, and should
 *   the server accept it the message callback refuses the data, which
 *   drops the connection before the end of the data;
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
 */
#include "build.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/ssl.h>
#include <libesmtp.h>

#include "channel.h"
#include "clock.h"
#include "log.h"
#include "mailsession.h"
#include "mailtls.h"
#include "nodelay.h"
#include "sockwatch.h"
#include "xmalloc.h"

/* Return the milliseconds since the session started. */
int64_t
mailsession_elapsed(const struct mailsession *s)
{
	return clock_ms() - s->start_ms;
}

/* Write reply st as one line: "250 2.0.0 Ok", or "no reply". */
static void
mailsession_reply_text(const smtp_status_t *st, char *buf, size_t size)
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
const char *
mailsession_strerror(int err, char *buf, size_t size)
{
	if (err < 0)
		return strerror_r(-err, buf, size);
	if (smtp_strerror(err, buf, size) == NULL)
		snprintf(buf, size, "error %d", err);
	return buf;
}

/* Keep why the session failed, unless a reason is already kept. */
static void __attribute__((format(printf, 2, 3)))
mailsession_fail(struct mailsession *s, const char *fmt, ...)
{
	va_list	ap;

	if (s->failure != NULL)
		return;
	va_start(ap, fmt);
	s->failure = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Set e's outcome, addresses in the server's words masked; tell done(). */
void
mailsession_finish(struct mailsession *s, struct mailsession_entry *e,
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
	e->msg->result.latency_ms = mailsession_elapsed(s);
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
mailsession_outcome(struct mailsession *s, struct mailsession_entry *e,
    const smtp_status_t *st, const char *step)
{
	char	text[MAILSESSION_LINE_MAX];
	int	class = st->code / 100;

	if (e == NULL || e->finished)
		return;
	if (s->auth_needed && s->auth != MAILSESSION_AUTH_OK) {
		if (s->auth == MAILSESSION_AUTH_FAILED)
			mailsession_fail(s, "AUTH: %s", s->auth_reply);
		else
			mailsession_fail(s, "AUTH: %s offers no usable "
			    "mechanism", s->host);
		s->abort = 1;
		mailsession_finish(s, e, SEND_TEMPFAIL, "%s", s->failure);
		return;
	}
	if (step != NULL && class == 2)
		return;
	mailsession_reply_text(st, text, sizeof text);
	if (step == NULL && !e->started && class != 4 && class != 5) {
		mailsession_fail(s, "DATA: %s: an answer to DATA before any "
		    "data was sent", text);
		mailsession_finish(s, e, SEND_TEMPFAIL, "%s", s->failure);
		return;
	}
	if (class == 2)
		mailsession_finish(s, e, SEND_OK, "%s", text);
	else {
		mailsession_finish(s, e, class == 5 ? SEND_PERMFAIL :
		    SEND_TEMPFAIL, "%s: %s", step != NULL ? step : "DATA",
		    text);
	}
}

/*
 * Note a complete reply line from the server. A last line ends its
 * command's step once no other command awaits a reply, unless more is
 * awaited from the server: after 3xx (AUTH's 334, DATA's 354) and after
 * a 2xx to STARTTLS, which the TLS handshake follows.
 */
static void
mailsession_monitor_reply(struct mailsession *s)
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
	if (s->auth != MAILSESSION_AUTH_RUNNING || l[0] == '3')
		return;
	if (l[0] == '2')
		s->auth = MAILSESSION_AUTH_OK;
	else {
		s->auth = MAILSESSION_AUTH_FAILED;
		snprintf(s->auth_reply, sizeof s->auth_reply, "%s", l);
	}
}

/*
 * Watch the protocol: keep the verb of each command (only the verb: an
 * AUTH exchange carries credentials) and every reply line. Each command
 * starts a step, with its deadline; the lines written within an AUTH
 * exchange are part of the AUTH step.
 */
void
mailsession_monitor(const char *buf, int len, int writing, void *arg)
{
	struct mailsession	*s = arg;
	const char		*last = buf;
	int			 i;

	s->last_ms = mailsession_elapsed(s);
	if (writing == SMTP_CB_WRITING) {
		for (i = 0; i < len; i++) {
			if (buf[i] == '\n')
				s->pending++;
		}
	}
	if (writing == SMTP_CB_WRITING && s->auth != MAILSESSION_AUTH_RUNNING) {
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
			s->auth = MAILSESSION_AUTH_RUNNING;
		sockwatch_step(s->watch, s->step);
	}
	if (writing != SMTP_CB_READING)
		return;
	for (i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			mailsession_monitor_reply(s);
			s->linelen = 0;
		} else if (s->linelen < sizeof s->line - 1)
			s->line[s->linelen++] = buf[i];
	}
}

/* Start the step named step, with its deadline. */
static void
mailsession_step(struct mailsession *s, const char *step)
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
mailsession_next_step(struct mailsession *s, struct mailsession_entry *e,
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
	mailsession_step(s, next);
}

/*
 * Act on a reply libesmtp reports for e: no step runs while done() may
 * run (the caller's time is not the server's), then the next one starts.
 */
static void
mailsession_replied(struct mailsession *s, struct mailsession_entry *e,
    const smtp_status_t *st, const char *step)
{
	sockwatch_rest(s->watch);
	mailsession_outcome(s, e, st, step);
	if (e != NULL)
		mailsession_next_step(s, e, step, st->code / 100);
}

/* Follow libesmtp's events: outcomes, TLS state and TLS refusals. */
void
mailsession_event(smtp_session_t session, int event, void *arg, ...)
{
	struct mailsession	*s = arg;
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
			    "no total deadline", s->hostport);
		}
		if (nodelay_fd(sockwatch_fd(s->watch)) == -1)
			(void)nodelay_peer_port(s->port);
		break;
	case SMTP_EV_DISCONNECT:
		sockwatch_disconnected(s->watch);
		s->pending = 0;
		break;
	case SMTP_EV_MAILSTATUS:
		(void)va_arg(ap, const char *);
		msg = va_arg(ap, smtp_message_t);
		mailsession_replied(s, smtp_message_get_application_data(msg),
		    smtp_reverse_path_status(msg), "MAIL FROM");
		break;
	case SMTP_EV_RCPTSTATUS:
		(void)va_arg(ap, const char *);
		rcpt = va_arg(ap, smtp_recipient_t);
		mailsession_replied(s,
		    smtp_recipient_get_application_data(rcpt),
		    smtp_recipient_status(rcpt), "RCPT TO");
		break;
	case SMTP_EV_MESSAGESENT:
		msg = va_arg(ap, smtp_message_t);
		mailsession_replied(s, smtp_message_get_application_data(msg),
		    smtp_message_transfer_status(msg), NULL);
		break;
	case SMTP_EV_STARTTLS_OK:
		s->tls = 1;
		break;
	case SMTP_EV_EXTNA_STARTTLS:
		mailsession_fail(s, "STARTTLS required but %s does not "
		    "offer it", s->host);
		break;
	case SMTP_EV_INVALID_PEER_CERTIFICATE:
		vfy = va_arg(ap, long);
		*(ok = va_arg(ap, int *)) = 0;
		mailsession_fail(s, "STARTTLS: certificate of %s refused: %s",
		    s->host, X509_verify_cert_error_string(vfy));
		break;
	case SMTP_EV_WRONG_PEER_CERTIFICATE:
		ok = va_arg(ap, int *);
		(void)va_arg(ap, const char *);
		if ((*ok = mailtls_host_ok(s->tls_ctx, va_arg(ap, SSL *))) == 0)
			mailsession_fail(s, "STARTTLS: certificate does not "
			    "name %s", s->host);
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
		mailsession_fail(s, "STARTTLS: TLS with %s refused (event %d)",
		    s->host, event);
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
const char *
mailsession_read(void **ctx, int *len, void *arg)
{
	struct mailsession_entry	*e = arg;

	(void)ctx;
	if (len == NULL) {
		e->started = 1;
		e->given = 0;
		mailsession_step(e->s, "message data");
		return NULL;
	}
	if (e->s->abort) {
		errno = ECONNABORTED;
		*len = 0;
		return NULL;
	}
	*len = e->given ? 0 : (int)e->msg->len;
	if (e->given)
		mailsession_step(e->s, "end of data");
	e->given = 1;
	return *len > 0 ? e->msg->data : NULL;
}

/* Return the reason for step not done within the timeout (allocated). */
static char *
mailsession_timed_out(struct mailsession *s, const char *step)
{
	if (strcmp(step, "message data") == 0) {
		return xasprintf("%s: not all sent within %ld s", step,
		    s->timeout_ms / 1000);
	}
	return xasprintf("%s: no complete reply within %ld s", step,
	    s->timeout_ms / 1000);
}

/*
 * Return why the session ended before every message had an outcome. A
 * step that ran out of time is the reason, unless the session was over
 * already (QUIT) and an earlier failure says more.
 */
char *
mailsession_reason(struct mailsession *s)
{
	char	buf[256];
	int	err = smtp_errno();

	if (s->failure != NULL)
		return xstrdup(s->failure);
	if (!s->connected) {
		return xasprintf("connect to %s: %s", s->hostport,
		    mailsession_strerror(err, buf, sizeof buf));
	}
	if (s->expired && strcmp(s->expired_step, "QUIT") != 0)
		return mailsession_timed_out(s, s->expired_step);
	if (strcmp(s->reply_step, "STARTTLS") == 0 && s->reply[0] == '2' &&
	    !s->tls) {
		return xasprintf("STARTTLS: TLS with %s failed: %s",
		    s->host, mailtls_error());
	}
	if (s->reply[0] == '4' || s->reply[0] == '5')
		return xasprintf("%s: %s", s->reply_step, s->reply);
	if (s->expired)
		return mailsession_timed_out(s, s->expired_step);
	if (mailsession_elapsed(s) - s->last_ms >= s->timeout_ms - 100)
		return mailsession_timed_out(s, s->step);
	return xasprintf("%s: %s", s->step, err != 0 ?
	    mailsession_strerror(err, buf, sizeof buf) : "connection closed");
}
