/*
 * sms.h - sending SMS through an HTTP gateway: Kannel or a Twilio-like API
 *
 * One struct sms sends many messages at once over kept-alive connections
 * to one gateway. The caller submits messages and drives the transfers
 * from its own loop with sms_run(), which reports each message once, when
 * its outcome is known (see channel.h). Everything but sms_wakeup() must
 * be called from the one thread that owns the struct sms. The "sms"
 * channel (sms_channel) is these: its open is sms_new(), its send
 * sms_submit() for each message, its pending sms_active(), its run
 * sms_run() and its close sms_free().
 *
 * The gateway's URL must be https, or plain http to a loopback address
 * when the options allow it. No redirect is followed, the certificate and
 * the host name are always verified, and the password never appears in a
 * reply or a log line.
 */
#ifndef SMS_H
#define SMS_H

#include <stddef.h>

#include "channel.h"

struct smsdialect;

/* How to reach the gateway. The strings are copied by sms_new(). */
struct sms_options {
	/*
	 * The gateway's dialect (smsdialect.h): "kannel", a GET to
	 * Kannel's sendsms service, or "twilio", a POST to a Twilio-like
	 * Messages resource.
	 */
	const char		*profile;
	/*
	 * kannel: http(s)://host:port/cgi-bin/sendsms
	 * twilio: the Messages resource, e.g. https://api.twilio.com/
	 *     2010-04-01/Accounts/AC.../Messages.json
	 */
	const char		*url;
	const char		*from;		/* number or short code */
	const char		*user;		/* kannel user; account SID */
	const char		*password;	/* kannel; auth token */
	int			 dlr_mask;	/* kannel dlr-mask */
	int			 allow_http_loopback; /* http to 127/8, ::1 */
	const char		*ca_file;	/* PEM CAs, NULL: system */
	int			 connect_timeout_ms; /* 0: 10 s */
	int			 timeout_ms;	/* whole request; 0: 30 s */
	int			 max_connections; /* in flight at once; 0: 4 */
};

/*
 * Check a gateway URL: https, or http to 127.0.0.0/8, ::1 or localhost
 * when allow_http_loopback is set; no user name or password in it.
 * Returns 0, or -1 with *cause (if cause is not NULL) set to an allocated
 * message the caller frees. The message does not repeat the URL.
 */
int sms_url_ok(const char *url, int allow_http_loopback, char **cause);

/*
 * Make a sender from the options, which are copied. Returns NULL with
 * *cause set (allocated; the caller frees it) if the options are not
 * usable. Free the sender with sms_free().
 */
struct sms *sms_new(const struct sms_options *o, char **cause);

/*
 * Free a sender, abandoning the messages still under way: they are not
 * reported. NULL is a no-op.
 */
void sms_free(struct sms *s);

/*
 * Start sending m (see channel.h: its id, to, data and receipt_url), to
 * be reported by a later sms_run() with done(m, arg). m and its strings
 * must live until then. At most max_connections messages are in flight
 * at once; the others wait their turn in submission order.
 */
void sms_submit(struct sms *s, struct channel_msg *m,
    void (*done)(struct channel_msg *, void *), void *arg);

/* Return the number of messages submitted and not yet reported done. */
size_t sms_active(const struct sms *s);

/*
 * Drive the transfers, waiting at most timeout_ms for something to
 * happen, and call each message's done(m, arg) (as given to sms_submit())
 * for each message that finished, with m->result filled in. done may
 * submit messages again (to the same sender) or free m; it must not free
 * the sender.
 */
void sms_run(struct sms *s, int timeout_ms);

/* Make a waiting sms_run() return soon; safe from any thread. */
void sms_wakeup(struct sms *s);

/*
 * Return the gateway dialect called name ("kannel", "twilio"), each in
 * its own file, or NULL.
 */
const struct smsdialect *sms_dialect(const char *name);

/* The SMS channel (channel.h), as channels_find() finds it by "sms". */
extern const struct channel sms_channel;

#endif
