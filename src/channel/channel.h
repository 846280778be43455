/*
 * channel.h - what delivering one message over a channel came to
 *
 * Every channel (mail.c for email over SMTP, sms.c for SMS through a
 * gateway) reports one of three outcomes per message: sent, a temporary
 * failure to retry later, or a permanent failure not to retry. With the
 * outcome comes the server's own words - the SMTP reply, the gateway's
 * answer - and, where the gateway gives one, its id for the message.
 */
#ifndef CHANNEL_H
#define CHANNEL_H

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

/* Set r's outcome and its reply (printf-style), replacing what it held. */
void channel_result(struct send_result *r, enum send_status status,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Free what r holds and zero it; NULL is a no-op. */
void channel_result_clear(struct send_result *r);

/* Return "sent", "tempfail" or "permfail". */
const char *channel_status_name(enum send_status status);

#endif
