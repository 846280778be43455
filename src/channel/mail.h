/*
 * mail.h - delivering notices by SMTP (libesmtp)
 *
 * A struct mail holds what is needed to reach one SMTP server: its
 * address, the STARTTLS policy and the TLS context, the credentials. Each
 * mail_send() call is one SMTP session, one connection, over which a batch
 * of messages goes one after the other; each message has exactly one
 * envelope recipient and comes out sent, to retry (tempfail) or failed
 * for good (permfail), as in channel.h. The "mail" channel (mail_channel)
 * is these: its open is mail_new(), its send mail_send(), its close
 * mail_free().
 *
 * A struct mail is used by one thread at a time; several threads may each
 * send through their own struct mail at the same time.
 */
#ifndef MAIL_H
#define MAIL_H

#include <stddef.h>

#include "channel.h"

/* Seconds per SMTP step when mail_options.timeout_seconds is 0. */
#define MAIL_TIMEOUT_DEFAULT	60

/* The STARTTLS policy. */
enum mail_tls {
	MAIL_TLS_REQUIRED,	/* STARTTLS or nothing is sent (default) */
	MAIL_TLS_OPPORTUNISTIC,	/* STARTTLS when the server offers it */
	MAIL_TLS_OFF		/* never STARTTLS */
};

/*
 * Where and how to send. mail_new() copies everything; the caller keeps
 * its strings. host is a name or an IPv4 address (libesmtp cannot take an
 * IPv6 literal). TLS is version 1.2 (see mailtls.c for why not 1.3), and
 * the server's certificate must chain to ca_file (or the system store) and
 * name host (DNS name or IP address); nothing else is accepted. The
 * timeout is for each step of the session, in total, not only for each
 * read: the greeting from the connect, each command until its complete
 * reply (STARTTLS with its TLS handshake, AUTH with all its exchange),
 * the sending of the message data, the final reply; a step over time ends
 * the session, a temporary failure naming it ("EHLO: no complete reply
 * within 5 s"). The TCP connect has none in libesmtp; sessions connect
 * one at a time in the process (sockwatch.c), one waiting at most the
 * timeout for another's connect (then a temporary failure), and after a
 * session that could not connect the next is preceded by a probe bounded
 * by the timeout. With user and password set, mail_send() authenticates (AUTH
 * PLAIN, LOGIN or CRAM-MD5, as the server offers) and sends nothing
 * unless that succeeds; the
 * password goes only over TLS - OPPORTUNISTIC then behaves as REQUIRED -
 * except with MAIL_TLS_OFF to a loopback host, and OFF to any other host
 * with credentials is refused.
 */
struct mail_options {
	const char	*host;		/* from smtp://host:port */
	const char	*port;		/* a number, 1 to 65535 */
	enum mail_tls	 tls;
	const char	*ca_file;	/* trusted CAs (PEM); NULL: system */
	const char	*user;		/* AUTH user, or NULL */
	const char	*password;	/* never logged */
	const char	*helo;		/* NULL: gethostname() */
	int		 timeout_seconds; /* 0: MAIL_TIMEOUT_DEFAULT */
};

struct channel;
struct mail;

/*
 * Make a struct mail from o, with its own TLS context unless tls is
 * MAIL_TLS_OFF. Returns NULL and sets *cause (allocated; the caller frees
 * it; cause may be NULL) on a bad option or a CA file that cannot be
 * loaded. Free the result with mail_free().
 */
struct mail *mail_new(const struct mail_options *o, char **cause);

/* Free m and its TLS context; NULL is a no-op. */
void mail_free(struct mail *m);

/*
 * Send the n messages of msgs in one SMTP session. Each message (see
 * channel.h) has exactly one envelope recipient, to. Its data must be
 * 7-bit ASCII, with CRLF line endings, ending with CRLF, with an empty
 * line after the header, and with exactly one Date, From and Message-ID
 * field, at most one Sender, To, Cc, Bcc, Reply-To and
 * Disposition-Notification-To field and no Return-Path,
 * Original-Recipient or Resent-Reply-To field. libesmtp would otherwise
 * add, drop or change header lines; a message that does not comply is
 * not sent (permfail), so what the server receives is data, byte for
 * byte.
 *
 * Each msgs[i].result is cleared and then filled in, and done(&msgs[i],
 * arg) (if done is not NULL) is called once per message as soon as its
 * outcome is known: for a message the server accepted, when the reply to
 * its DATA arrives and before the next message is started, so that the
 * caller can record it first. The time done() takes is not counted
 * against any step. done must not call mail_send() or mail_free() on m.
 * The session sends each write at once (TCP_NODELAY), so the end of a
 * message does not wait for the server's delayed ACK: the time in which
 * the server may have a message whose outcome done() has not heard is
 * its own handling and its reply.
 *
 * Outcomes: a 2xx reply to the end of the data is SEND_OK, the reply
 * kept ("250 2.0.0 Ok: queued as ..."), while a 2xx to the DATA command
 * itself, before any data, is a protocol error and SEND_TEMPFAIL; a 5xx
 * reply to MAIL FROM, RCPT TO or
 * DATA is SEND_PERMFAIL, as is a message or address mail_send() refuses
 * to send; anything else - a 4xx reply, a timeout, a refused or lost
 * connection, TLS missing or failing, AUTH failing - is SEND_TEMPFAIL.
 * The reply says which step failed and why, with addresses and numbers
 * masked (log_mask_reply()). latency_ms is the time from
 * the start of the session to the outcome. Returns how many were sent.
 *
 * SIGPIPE is blocked in the calling thread while the session runs; one
 * raised by the session is discarded.
 */
size_t mail_send(struct mail *m, struct channel_msg *msgs, size_t n,
    void (*done)(struct channel_msg *, void *), void *arg);

/* The mail channel (channel.h), as channels_find() finds it by "mail". */
extern const struct channel mail_channel;

#endif
