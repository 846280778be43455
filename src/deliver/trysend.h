/*
 * trysend.h - a template tried for real: a test message, sent and
 * recorded apart
 *
 * Ops staff try a template by sending what a notice renders to
 * themselves: closeloop render --send-to now, the console (through
 * closeloopd) later. The notice is rendered for its first recipient, as
 * closeloop render shows it (its locale, its links, its one-click
 * unsubscribe link for that recipient, not for the test address), and
 * goes to the address or number given, through the relay or gateway of
 * the email.* or sms.* settings, the channel's options built as the
 * delivery workers build theirs (chanopts.h), the secrets those read
 * from their files when the configuration was loaded. It is marked as a
 * test: an email's Subject starts with TRYSEND_SUBJECT and its text and
 * HTML bodies with one line saying that it is a test of template NAME
 * (locale, template set); an SMS starts with TRYSEND_SMS.
 *
 * A test send is recorded only in the stream PREFIXtest:trail (PREFIX is
 * redis.prefix), capped at about TRYSEND_TRAIL_MAX entries: never in an
 * SR's trail, the audit stream, the rollups, the outbox or the metrics,
 * so nothing a division counts or reads about its SRs changes. Each
 * entry has:
 *   at               when, ms since the epoch
 *   operator         who sent it (operator.h)
 *   channel          email or sms
 *   to               the address or number, masked (log.h)
 *   notice           the template's notice ("completed")
 *   locale           the locale it was rendered in
 *   template_version the template set's version (catalog.h)
 *   content_sha256   of what went to the server, as the trail's sent
 *   sample_sr        the SR number of the sample it was rendered from
 *   outcome          sent, tempfail or permfail (channel.h)
 *   reply            the server's reply, addresses and numbers masked
 * No SMS is sent to a number that texted STOP, test or not.
 */
#ifndef TRYSEND_H
#define TRYSEND_H

#include <stddef.h>

#include "channel.h"
#include "digest.h"

struct catalog;
struct config;
struct notice;
struct redis;

#define TRYSEND_SUBJECT		"[TEST] "	/* an email's Subject */
#define TRYSEND_SMS		"TEST: "	/* an SMS's text */
#define TRYSEND_TRAIL_MAX	10000

/* A message built for one address, and what it was built from. */
struct trysend_msg {
	int		 channel;	/* EVENT_CHANNEL_EMAIL or _SMS */
	char		*id;		/* "test.MS.HEX", or the notification
					   id SR/SEQ/0 of a message as sent */
	char		*to;		/* where it goes, whole */
	const char	*notice;	/* the notice's name; static */
	char		*sr;		/* the notice's SR */
	char		*locale;	/* rendered in */
	char		*version;	/* the template set's */
	char		*line;		/* the line saying it is a test, or
					   NULL for a message as sent */
	char		*data;		/* email: the RFC 5322 message; sms:
					   the text, NUL-terminated */
	size_t		 len;		/* of data */
	char		 sha256[DIGEST_HEX_LEN + 1];	/* of data */
};

/* What came of a test send. The strings belong to the struct. */
struct trysend_result {
	enum send_status	 status;
	char			*reply;		/* the server's, masked, or why
						   nothing was sent */
	char			*to;		/* the address, masked */
	char			*trail_id;	/* the entry written in the
						   test trail, or NULL */
	char			*trail_error;	/* why none was, or NULL */
};

/*
 * Check that channel (EVENT_CHANNEL_EMAIL or _SMS) is set up in cf:
 * email.smtp for email, sms.gateway for SMS. Returns 0, or -1 with
 * *cause (the caller frees it) naming the setting missing.
 */
int trysend_ready(const struct config *cf, int channel, char **cause);

/*
 * Render notice n (for its first recipient) from cat and build its
 * message for channel into *m: with to, a test to that address or
 * number (which must be a plain address, or an E.164 number for SMS),
 * marked as a test; with to NULL, the message exactly as the notice's
 * first recipient would be sent it, unmarked (for closeloop render
 * --eml; an email without email.from set comes from an address under
 * example.invalid). Returns 0 (free *m with trysend_msg_clear()), or -1
 * with *cause: a bad address, a template that does not render, a header
 * that cannot be sent.
 */
int trysend_build(const struct config *cf, const struct catalog *cat,
    const struct notice *n, int channel, const char *to,
    struct trysend_msg *m, char **cause);

/* Free what a built message holds and zero it; NULL is a no-op. */
void trysend_msg_clear(struct trysend_msg *m);

/*
 * Send test message m (built with an address) as who, through the
 * channel cf sets up, and record it in the test trail over r; with r
 * NULL, or if Redis fails, it is sent all the same and res->trail_error
 * says why it was not recorded. Fills *res (free it with
 * trysend_result_clear()) and returns res->status: SEND_OK, SEND_TEMPFAIL
 * (try again later) or SEND_PERMFAIL (the server refused it, the channel
 * is not set up or cannot be, the number texted STOP).
 */
enum send_status trysend_post(struct redis *r, const struct config *cf,
    const struct trysend_msg *m, const char *who, struct trysend_result *res);

/*
 * Build a test of notice n to address or number to by channel and post
 * it as who: trysend_build() then trysend_post(). A message that cannot
 * be built is a SEND_PERMFAIL, its cause in res->reply, and is not
 * recorded.
 */
enum send_status trysend_send(struct redis *r, const struct config *cf,
    const struct catalog *cat, const struct notice *n, int channel,
    const char *to, const char *who, struct trysend_result *res);

/* Free what a result holds and zero it; NULL is a no-op. */
void trysend_result_clear(struct trysend_result *res);

/* Return the key of cf's test trail. The caller frees it. */
char *trysend_trail_key(const struct config *cf);

#endif
