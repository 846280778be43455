/*
 * smsdialect.h - what an SMS gateway is asked, and what its answer means
 *
 * sms.c sends each message as one HTTP request (smsxfer.c). What the
 * request holds and how the answer reads depends on the gateway: each
 * dialect is a const table in its own file, kannel.c (Kannel's sendsms
 * service) and twilio.c (a Twilio-like Messages resource), found by the
 * name of the profile (struct sms_options) with sms_dialect() (sms.h).
 */
#ifndef SMSDIALECT_H
#define SMSDIALECT_H

#include <stddef.h>

#include "channel.h"

/* The most header lines a request may add. */
#define SMSDIALECT_HEADERS	4

/*
 * One message's request. smsxfer.c fills in what it is made from; the
 * dialect's request() fills in the rest, the form with
 * smsdialect_param() and the header lines with smsdialect_header().
 */
struct smsdialect_req {
	/* The sender's options and the message (see sms.h, channel.h). */
	const char	*from;
	const char	*user;
	const char	*password;
	int		 dlr_mask;
	const char	*id;		/* notification id, or NULL */
	const char	*to;
	const char	*text;
	const char	*receipt_url;	/* or NULL */

	/* What the dialect makes of them. */
	int		 post;		/* a form POST; else a GET, the form
					   in the URL's query */
	int		 basic_auth;	/* user, password as basic auth */
	char		*form;		/* name=value&...: may hold the
					   password */
	char		*header[SMSDIALECT_HEADERS];
	size_t		 nheader;
};

/* A dialect. */
struct smsdialect {
	const char	*name;

	/* Fill in the request of rq from what it is made from. */
	void		 (*request)(struct smsdialect_req *rq);

	/*
	 * Return the reply to an answer (allocated; "HTTP N: ...") and set
	 * *sid to the gateway's id for a message sent (allocated), from
	 * the HTTP status code, the outcome st it stands for and the body,
	 * len bytes that may hold anything (body may be NULL if len is 0);
	 * return NULL for an answer the dialect does not read. NULL: the
	 * dialect reads none.
	 */
	char		*(*answer)(long code, enum send_status st,
			    const char *body, size_t len, char **sid);
};

/* Return s URL-escaped (allocated). */
char *smsdialect_escape(const char *s);

/* Wipe the NUL-terminated s, a secret or what holds one, and free it. */
void smsdialect_wipe(char *s);

/* Append "name=value" to rq's form, the value URL-escaped. */
void smsdialect_param(struct smsdialect_req *rq, const char *name,
    const char *value);

/* Add a header line (printf-style) to rq; at most SMSDIALECT_HEADERS. */
void smsdialect_header(struct smsdialect_req *rq, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Free what the dialect made in rq (the form wiped) and zero it. */
void smsdialect_clear(struct smsdialect_req *rq);

/*
 * Read the gateway's answer to one message: the HTTP status code and the
 * body, len bytes that may hold anything (body may be NULL if len is 0).
 * Returns the outcome the code stands for (2xx sent; 401, 403, 407, 408,
 * 429, 5xx and anything else outside 4xx temporary; any other 4xx
 * permanent). Sets *reply to "HTTP N: " and the first line of the body
 * (up to a CR, LF or NUL) or, for a Twilio-like JSON object, the sid and
 * status of a message sent or the code and message of an error. Sets
 * *sid to the sid of a message the Twilio-like gateway sent (1 to 64
 * printable ASCII characters), else to NULL. Both strings are allocated;
 * the caller frees them. The reply is not yet fit for a log line: pass it
 * through channel_result().
 */
enum send_status smsdialect_reply(const struct smsdialect *d, long code,
    const char *body, size_t len, char **sid, char **reply);

#endif
