/*
 * dsn.c - what a report that comes back about a message says
 *
 * The report is taken apart with mimeread.h: its parts, then the fields
 * of its second part, which are laid out as header sections one after
 * the other (RFC 3464: the fields of the message, then those of each
 * recipient; RFC 5965: one section). Of several recipients the one that
 * failed is kept, else the one delayed: a notification has one
 * recipient, and a report of it has one section for it.
 */
#include "build.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsn.h"
#include "log.h"
#include "mimeread.h"
#include "xmalloc.h"

/* The most parts of a report looked at, and recipient sections. */
#define DSN_PARTS	8
#define DSN_SECTIONS	64

/* The parts of a report, found by their types. */
struct dsn_parts {
	const struct mimeread_span	*status;	/* delivery-status */
	const struct mimeread_span	*feedback;	/* feedback-report */
	const struct mimeread_span	*original;	/* the message */
};

/*
 * Keep a value found: its runs of white space (a folded line's) made one
 * space, cleaned, cut to DSN_VALUE_MAX; NULL if empty. v is consumed.
 */
static char *
dsn_keep(char *v)
{
	char	*out;
	size_t	 len = 0, i;

	if (v == NULL)
		return NULL;
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] != ' ' && v[i] != '\t')
			v[len++] = v[i];
		else if (len > 0 && v[len - 1] != ' ')
			v[len++] = ' ';
	}
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	out = len > 0 ? log_clean(v, len, DSN_VALUE_MAX) : NULL;
	free(v);
	return out;
}

/*
 * Return a field's value without its type ("rfc822; a@b" gives "a@b",
 * "smtp; 550 ..." gives "550 ..."), and an address without its angle
 * brackets; v is consumed.
 */
static char *
dsn_untyped(char *v)
{
	char	*p, *out;
	size_t	 n;

	if (v == NULL)
		return NULL;
	n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-");
	p = n > 0 && v[n] == ';' ? v + n + 1 : v;
	p += strspn(p, " \t");
	n = strlen(p);
	if (n >= 2 && p[0] == '<' && p[n - 1] == '>') {
		p++;
		n -= 2;
	}
	out = xstrndup(p, n);
	free(v);
	return dsn_keep(out);
}

/* Return the first word of a field's value in lower case; v consumed. */
static char *
dsn_word(char *v)
{
	char	*p;

	if (v == NULL)
		return NULL;
	v[strcspn(v, " \t;(")] = '\0';
	for (p = v; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return dsn_keep(v);
}

/*
 * Return the status code of a Status field ("5.1.1": class 2, 4 or 5, a
 * subject and a detail of one to three digits each), or NULL; v consumed.
 */
static char *
dsn_status_code(char *v)
{
	const char	*p;
	size_t		 n;
	int		 part;

	if ((v = dsn_word(v)) == NULL)
		return NULL;
	if (v[0] != '2' && v[0] != '4' && v[0] != '5')
		goto bad;
	for (p = v + 1, part = 0; part < 2; part++) {
		if (*p++ != '.' || (n = strspn(p, "0123456789")) < 1 || n > 3)
			goto bad;
		p += n;
	}
	if (*p == '\0')
		return v;
bad:
	free(v);
	return NULL;
}

/* The rank of a recipient's action: failed before delayed before any. */
static int
dsn_rank(const char *action)
{
	if (action == NULL)
		return 0;
	if (strcmp(action, "failed") == 0)
		return 3;
	return strcmp(action, "delayed") == 0 ? 2 : 1;
}

/* Read the fields of a delivery-status part, text (n bytes), into d. */
static int
dsn_delivery(struct dsn *d, const char *text, size_t n, const char **why)
{
	const char	*s = text, *best = NULL;
	char		*action;
	size_t		 left = n, step, best_n = 0;
	int		 k, rank, best_rank = 0;

	d->reporter = dsn_untyped(mimeread_header(s, left, "Reporting-MTA"));
	for (k = 0; k < DSN_SECTIONS && left > 0; k++) {
		step = mimeread_body(s, left);
		s += step;
		left -= step;
		action = dsn_word(mimeread_header(s, left, "Action"));
		if ((rank = dsn_rank(action)) > best_rank) {
			best = s;
			best_n = mimeread_body(s, left);
			best_rank = rank;
		}
		free(action);
	}
	if (best == NULL) {
		*why = "a delivery report that names no recipient's action";
		return -1;
	}
	d->action = dsn_word(mimeread_header(best, best_n, "Action"));
	d->status = dsn_status_code(mimeread_header(best, best_n, "Status"));
	d->diagnostic = dsn_untyped(mimeread_header(best, best_n,
	    "Diagnostic-Code"));
	if ((d->recipient = dsn_untyped(mimeread_header(best, best_n,
	    "Final-Recipient"))) == NULL)
		d->recipient = dsn_untyped(mimeread_header(best, best_n,
		    "Original-Recipient"));
	if (best_rank < 2) {
		*why = "a delivery report of no failure (the message was "
		    "delivered, relayed or expanded)";
		return -1;
	}
	d->hard = best_rank == 3 && (d->status == NULL || d->status[0] == '5');
	d->kind = DSN_BOUNCE;
	return 0;
}

/* Read the fields of a feedback-report part, text (n bytes), into d. */
static int
dsn_feedback(struct dsn *d, const char *text, size_t n, const char **why)
{
	char	*from;

	d->feedback_type = dsn_word(mimeread_header(text, n, "Feedback-Type"));
	if ((d->reporter = dsn_untyped(mimeread_header(text, n,
	    "Reporting-MTA"))) == NULL)
		d->reporter = dsn_keep(mimeread_header(text, n, "User-Agent"));
	/* The report's own word wins over the copy's Return-Path. */
	if ((from = dsn_untyped(mimeread_header(text, n,
	    "Original-Mail-From"))) != NULL) {
		free(d->original_from);
		d->original_from = from;
	}
	d->recipient = dsn_untyped(mimeread_header(text, n, "Original-Rcpt-To"));
	if (d->feedback_type == NULL ||
	    (strcmp(d->feedback_type, "abuse") != 0 &&
	    strcmp(d->feedback_type, "fraud") != 0)) {
		*why = "a feedback report that is no complaint (its "
		    "Feedback-Type is not abuse or fraud)";
		return -1;
	}
	d->kind = DSN_COMPLAINT;
	return 0;
}

/* Return 1 if Content-Type value ct is type (a type/subtype). */
static int
dsn_is(const char *ct, const char *type)
{
	size_t	n = strlen(type);

	return ct != NULL && strncasecmp(ct, type, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

/* Find the parts of a report by their types. */
static void
dsn_find(const struct mimeread_span *parts, size_t n, struct dsn_parts *dp)
{
	char	*ct;
	size_t	 i;

	memset(dp, 0, sizeof *dp);
	for (i = 0; i < n; i++) {
		ct = mimeread_header(parts[i].p, parts[i].len, "Content-Type");
		if (dsn_is(ct, "message/delivery-status") ||
		    dsn_is(ct, "message/global-delivery-status"))
			dp->status = dp->status != NULL ? dp->status : &parts[i];
		else if (dsn_is(ct, "message/feedback-report"))
			dp->feedback = dp->feedback != NULL ? dp->feedback :
			    &parts[i];
		else if (dsn_is(ct, "message/rfc822") ||
		    dsn_is(ct, "message/global") ||
		    dsn_is(ct, "text/rfc822-headers") ||
		    dsn_is(ct, "message/rfc822-headers") ||
		    dsn_is(ct, "message/global-headers"))
			dp->original = dp->original != NULL ? dp->original :
			    &parts[i];
		free(ct);
	}
}

/* Read what the message sent back says of itself into d. */
static void
dsn_original(struct dsn *d, const struct mimeread_span *part)
{
	char	*m;
	size_t	 n;

	m = mimeread_content(part->p, part->len, &n);
	d->message_id = dsn_keep(mimeread_header(m, n, "Message-ID"));
	if (d->original_from == NULL)
		d->original_from = dsn_untyped(mimeread_header(m, n,
		    "Return-Path"));
	free(m);
}

/* Read a report. */
int
dsn_parse(const char *msg, size_t len, struct dsn *d, const char **why)
{
	struct mimeread_span	 parts[DSN_PARTS];
	struct dsn_parts	 dp;
	char			*type, *rt = NULL, *text = NULL;
	size_t			 n, tlen;
	int			 rc = -1;

	memset(d, 0, sizeof *d);
	type = mimeread_header(msg, len, "Content-Type");
	if (!dsn_is(type, "multipart/report")) {
		*why = "not a report (its Content-Type is not "
		    "multipart/report)";
		goto out;
	}
	rt = dsn_word(mimeread_param(type, "report-type"));
	n = mimeread_parts(msg, len, parts, DSN_PARTS);
	dsn_find(parts, n, &dp);
	if (dp.original != NULL)
		dsn_original(d, dp.original);
	if (rt != NULL && strcmp(rt, "delivery-status") == 0 &&
	    dp.status != NULL) {
		text = mimeread_content(dp.status->p, dp.status->len, &tlen);
		rc = dsn_delivery(d, text, tlen, why);
	} else if (rt != NULL && strcmp(rt, "feedback-report") == 0 &&
	    dp.feedback != NULL) {
		text = mimeread_content(dp.feedback->p, dp.feedback->len,
		    &tlen);
		rc = dsn_feedback(d, text, tlen, why);
	} else
		*why = "a report that is neither a delivery status "
		    "notification nor a feedback report (or lacks its "
		    "second part)";
out:
	if (rc != 0)
		d->kind = DSN_NONE;
	free(text);
	free(rt);
	free(type);
	return rc;
}

/* Free what a report holds. */
void
dsn_clear(struct dsn *d)
{
	free(d->action);
	free(d->status);
	free(d->diagnostic);
	free(d->recipient);
	free(d->reporter);
	free(d->feedback_type);
	free(d->original_from);
	free(d->message_id);
	memset(d, 0, sizeof *d);
}
