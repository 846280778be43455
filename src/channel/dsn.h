/*
 * dsn.h - what a report that comes back about a message says
 *
 * Two kinds of report come back to an envelope sender (verp.h), each a
 * multipart/report (RFC 6522) whose second part says what happened and
 * whose third, when there is one, is the message or its header:
 *
 *   a delivery status notification (RFC 3464, report-type=
 *   delivery-status): a mail server could not deliver the message, for
 *   good (Action: failed, Status: 5.x.x, a hard bounce) or not yet
 *   (Action: delayed, Status: 4.x.x, a soft bounce), with the remote
 *   server's words (Diagnostic-Code);
 *
 *   an abuse feedback report (ARF, RFC 5965, report-type=
 *   feedback-report): the reader's mail provider says they marked the
 *   message as spam (Feedback-Type: abuse), naming its envelope sender
 *   (Original-Mail-From).
 *
 * dsn_parse() is pure: it reads the bytes it is given, nothing else. It
 * reads mail from anywhere, so every value it keeps is cleaned (no
 * control character, valid UTF-8, at most DSN_VALUE_MAX bytes) and a
 * report it cannot read is said to be none, never guessed at. Addresses
 * are kept as they came: whoever records a value masks them.
 */
#ifndef DSN_H
#define DSN_H

#include <stddef.h>

/* The longest value kept, in bytes (longer ones are cut, "..." added). */
#define DSN_VALUE_MAX	400

/* What a report is. */
enum dsn_kind {
	DSN_NONE,	/* not a report dsn_parse() reads */
	DSN_BOUNCE,	/* a delivery status notification of a failure
			   or a delay */
	DSN_COMPLAINT	/* an abuse feedback report */
};

/* What a report says. The strings are NULL when the report lacks them. */
struct dsn {
	enum dsn_kind	 kind;
	int		 hard;		/* DSN_BOUNCE: failed, status 5.x.x */
	char		*action;	/* "failed" or "delayed", lower case */
	char		*status;	/* "5.1.1" */
	char		*diagnostic;	/* "550 5.1.1 <a@b>: unknown user" */
	char		*recipient;	/* the address that failed */
	char		*reporter;	/* Reporting-MTA, or the ARF's
					   User-Agent */
	char		*feedback_type;	/* DSN_COMPLAINT: "abuse", "fraud" */
	char		*original_from;	/* the message's envelope sender: the
					   ARF's Original-Mail-From, or the
					   Return-Path of the message sent
					   back */
	char		*message_id;	/* the Message-ID of the message sent
					   back */
};

/*
 * Read the report in msg (len bytes, CRLF or LF line endings) into d.
 * Returns 0 with d->kind set to DSN_BOUNCE or DSN_COMPLAINT, or -1 with
 * d->kind DSN_NONE and *why (static) saying what the message is not: not
 * a multipart/report, a report of another type, a delivery report of a
 * success, a feedback report that is no complaint. The values found are
 * kept in d either way; free them with dsn_clear().
 */
int dsn_parse(const char *msg, size_t len, struct dsn *d, const char **why);

/* Free what d holds and zero it. */
void dsn_clear(struct dsn *d);

#endif
