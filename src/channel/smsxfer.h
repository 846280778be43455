/*
 * smsxfer.h - one message's HTTP request to the SMS gateway (libcurl)
 *
 * Private to the sms channel: sms.c keeps the transfers in its queues and
 * runs them in its libcurl multi handle; smsxfer.c makes each one's easy
 * handle, as the gateway's dialect describes the request, and reads its
 * answer.
 */
#ifndef SMSXFER_H
#define SMSXFER_H

#include <sys/queue.h>

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "channel.h"

struct smsdialect;

/* The gateway, as sms_new() made it from struct sms_options. */
struct smsxfer_gateway {
	const struct smsdialect	*dialect;
	char			*url;
	const char		*protocols;	/* "https" or "http,https" */
	char			*from;
	char			*user;
	char			*password;
	char			*password_escaped; /* as a URL holds it */
	int			 dlr_mask;
	char			*ca_file;	/* NULL: the system's CAs */
	int			 connect_timeout_ms;
	int			 timeout_ms;	/* the whole request */
};

/* One message on its way: waiting, running or finished. */
struct smsxfer {
	struct channel_msg	*m;
	void			(*done)(struct channel_msg *, void *);
	void			*arg;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*url;		/* kannel: holds the password */
	char			*post;
	char			*body;		/* response, NUL-terminated */
	size_t			 len;
	int64_t			 start_ms;	/* when it was submitted */
	char			 error[CURL_ERROR_SIZE];
	TAILQ_ENTRY(smsxfer)	 entry;
};
TAILQ_HEAD(smsxfers, smsxfer);

/*
 * Make the transfer of m, submitted now, to be reported with done(m,
 * arg); m's result is cleared. Free it with smsxfer_free().
 */
struct smsxfer *smsxfer_new(struct channel_msg *m,
    void (*done)(struct channel_msg *, void *), void *arg);

/*
 * Make x's request to gw, as gw's dialect describes it, and add it to
 * multi. Returns 0, or -1 with x's result set to a temporary failure.
 */
int smsxfer_start(struct smsxfer *x, const struct smsxfer_gateway *gw,
    CURLM *multi);

/*
 * Fill in x's result from how libcurl ended its request (rc) and from
 * the answer. The password is masked in the reply, as are phone numbers
 * and addresses (log_mask_reply()).
 */
void smsxfer_finish(struct smsxfer *x, const struct smsxfer_gateway *gw,
    CURLcode rc);

/* Free x, which is in no multi handle any more; NULL is a no-op. */
void smsxfer_free(struct smsxfer *x);

#endif
