/*
 * channel.h - the channels a notice goes out by, and what sending came to
 *
 * A channel is a const table of what it does, found by its name with
 * channels_find() (channels.h): "mail" (mail.c, email over SMTP), "sms" (sms.c, SMS
 * through an HTTP gateway) and "null" (null.c, which sends nothing: the
 * rehearsal of closeloopd --dry-run). A worker opens a handle with the
 * channel's own options, sends messages through it and closes it.
 *
 * Every channel reports one of three outcomes per message: sent, a
 * temporary failure to retry later, or a permanent failure not to retry.
 * With the outcome comes the server's own words - the SMTP reply, the
 * gateway's answer - and, where the gateway gives one, its id for the
 * message.
 */
#ifndef CHANNEL_H
#define CHANNEL_H

#include <stddef.h>
#include <stdint.h>

enum send_status {
	SEND_OK = 0,
	SEND_TEMPFAIL,
	SEND_PERMFAIL
};

/* The outcome of one message. The strings belong to the struct. */
struct send_result {
	enum send_status	 status;
	char			*reply;		/* one line, never NULL once set */
	char			*provider_id;	/* gateway's message id, or NULL */
	int64_t			 retry_after;	/* seconds the server asked, or 0 */
	int64_t			 latency_ms;	/* from submit to reply */
};

/*
 * One message to send. The caller owns it and its strings, which must
 * live until the message is reported done.
 *
 * mail: from and to are envelope addresses (bare, no angle brackets;
 * from may be "" for the null sender) and data is the complete RFC 5322
 * message of len bytes (see mail.h). sms: to is the phone number (E.164),
 * data the UTF-8 text, NUL-terminated; from and len are not used: the
 * sender is the gateway's.
 */
struct channel_msg {
	const char		*id;		/* notification id, or NULL;
						   sms: idempotency key */
	const char		*from;
	const char		*to;
	const char		*data;
	size_t			 len;
	/*
	 * sms: where the gateway reports delivery, or NULL: Kannel's
	 * dlr-url (with "&status=%d&answer=%A" appended for Kannel to
	 * fill in) or Twilio's StatusCallback. Must not hold '%' escapes
	 * of its own.
	 */
	const char		*receipt_url;
	struct send_result	 result;	/* cleared at send, filled in
						   before done() */
	void			*arg;		/* the caller's */
};

/*
 * A channel. A handle is used by one thread at a time; several threads
 * may each use their own handle at the same time.
 */
struct channel {
	const char	*name;

	/*
	 * Open a handle from the channel's own options (struct
	 * mail_options for mail, struct sms_options for sms; null takes
	 * anything, NULL too). Returns NULL and sets *cause (allocated;
	 * the caller frees it; cause may be NULL) if they are not usable.
	 */
	void		*(*open)(const void *options, char **cause);

	/*
	 * Send the n messages of msgs: each result is cleared, and done(msg,
	 * arg) is called once per message as soon as its outcome is known,
	 * with msg->result filled in. mail sends the batch over one SMTP
	 * session and reports each message before send returns (see
	 * mail_send()); null reports each at once; sms starts them and
	 * reports them from later runs, many in flight at once. done must
	 * not close the handle; for mail, it must not send through it either.
	 */
	void		 (*send)(void *h, struct channel_msg *msgs, size_t n,
			    void (*done)(struct channel_msg *, void *),
			    void *arg);

	/* Return the number of messages sent and not yet reported done. */
	size_t		 (*pending)(void *h);

	/*
	 * Drive the messages under way, waiting at most timeout_ms for
	 * something to happen, and report those that finish. done (given
	 * to send) may send again through h or free its message.
	 */
	void		 (*run)(void *h, int timeout_ms);

	/* Close h, abandoning messages under way unreported; NULL: no-op. */
	void		 (*close)(void *h);
};

/*
 * pending and run of a channel whose send reports every message before
 * it returns: nothing is ever pending, and a run returns at once.
 */
size_t channel_sync_pending(void *h);
void channel_sync_run(void *h, int timeout_ms);

/* Set r's outcome and its reply (printf-style), replacing what it held. */
void channel_result(struct send_result *r, enum send_status status,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Free what r holds and zero it; NULL is a no-op. */
void channel_result_clear(struct send_result *r);

/* Return "sent", "tempfail" or "permfail". */
const char *channel_status_name(enum send_status status);

#endif
