/*
 * mailsession.h - following one SMTP session of mail_send() (libesmtp)
 *
 * Private to the mail channel: mail.c makes the session and runs it with
 * libesmtp, whose callbacks are here: they follow the steps of the
 * session, each with its deadline (sockwatch.c), and give each message
 * its outcome as soon as the server's reply says it.
 */
#ifndef MAILSESSION_H
#define MAILSESSION_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <libesmtp.h>

#include "channel.h"

/* Longest reply line kept. */
#define MAILSESSION_LINE_MAX	512

/* How AUTH went in this session. */
enum mailsession_auth {
	MAILSESSION_AUTH_NONE,
	MAILSESSION_AUTH_RUNNING,
	MAILSESSION_AUTH_OK,
	MAILSESSION_AUTH_FAILED
};

struct mail;
struct mailsession;
struct mailtls;
struct sockwatch;

/* A message of the session. */
struct mailsession_entry {
	struct channel_msg	*msg;
	struct mailsession	*s;
	int			 started;	/* libesmtp asked for data */
	int			 given;		/* data given to libesmtp */
	int			 finished;
};

/*
 * What one mail_send() call knows about its session. mail.c sets the
 * server's fields, the callback, start_ms, step ("connect"), entries
 * and watch; the rest starts zeroed.
 */
struct mailsession {
	struct mail	*m;		/* mail.c's */
	const char	*host;
	const char	*hostport;	/* "host:port" */
	int		 port;
	long		 timeout_ms;	/* each step's */
	int		 auth_needed;	/* credentials are set */
	struct mailtls	*tls_ctx;	/* NULL without STARTTLS */
	void		(*done)(struct channel_msg *, void *);
	void		*arg;
	int64_t		 start_ms;	/* monotonic */
	int64_t		 last_ms;	/* last exchange with server */
	int		 connected;
	int		 tls;
	enum mailsession_auth auth;
	int		 abort;		/* refuse to give the data */
	char		*failure;	/* why the session failed */
	struct mailsession_entry *entries;
	size_t		 n;
	struct sockwatch *watch;	/* each step's deadline */
	int		 pending;	/* commands awaiting their reply */
	char		 step[16];	/* verb of the last command */
	char		 line[MAILSESSION_LINE_MAX]; /* reply line so far */
	size_t		 linelen;
	char		 reply[MAILSESSION_LINE_MAX]; /* last reply line */
	char		 reply_step[16];	/* the command answered */
	char		 auth_reply[MAILSESSION_LINE_MAX];
	int		 expired;	/* a step ran out of time */
	char		 expired_step[16];
	size_t		 sent;
};

/* Return the milliseconds since the session started. */
int64_t mailsession_elapsed(const struct mailsession *s);

/* Return the text of a libesmtp error (negative: an errno) in buf. */
const char *mailsession_strerror(int err, char *buf, size_t size);

/*
 * Set e's outcome (printf-style; addresses in the server's words
 * masked) and its latency, mark it finished and tell done().
 */
void mailsession_finish(struct mailsession *s, struct mailsession_entry *e,
    enum send_status status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* libesmtp's event callback (smtp_set_eventcb()); arg is the session. */
void mailsession_event(smtp_session_t session, int event, void *arg, ...);

/* libesmtp's protocol monitor (smtp_set_monitorcb()); arg: the session. */
void mailsession_monitor(const char *buf, int len, int writing, void *arg);

/*
 * libesmtp's message callback (smtp_set_messagecb()); arg is the
 * struct mailsession_entry. Gives the message in one piece, unless the
 * session must stop.
 */
const char *mailsession_read(void **ctx, int *len, void *arg);

/*
 * Return why the session ended before every message had an outcome
 * (allocated): a refused certificate or AUTH, a failed connect, a step
 * out of time, the server's last 4xx or 5xx reply, the lost connection.
 */
char *mailsession_reason(struct mailsession *s);

#endif
