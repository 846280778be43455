/*
 * bouncecmd.c - "closeloop bounce": a report that came back, recorded
 *
 * The city's mail server runs it for each message that reaches
 * email.bounce_address, with the message on standard input and the
 * address it came to (or its extension) as the operand, as Postfix's
 * pipe transport does (docs/operations.md, "Bounces"). The report is
 * read (dsn.h), the message it names found from the address (verp.h):
 * the operand when it is one of email.bounce_address's; else the
 * report's Delivered-To, X-Original-To or To, then the envelope sender
 * it quotes (an abuse report's Original-Mail-From). It is recorded
 * (bounce.h), or put aside.
 *
 * What the mail server is told, by the exit status (sysexits.h), is
 * chosen so that a report is never lost and never bounced back:
 *   0            recorded, recorded before, or put aside: a report that
 *                names no message, a forged or unknown one (each a dead
 *                letter, kind=bounce, in redis.dead_stream), or mail
 *                that is no bounce or complaint (an automatic reply to
 *                the sender, a report of a success: logged only, as
 *                the dead letters would fill with what nobody acts
 *                on). A non-zero status other than
 *                EX_TEMPFAIL would make the mail server bounce the
 *                message to its sender: for a report, to a mail server;
 *                for anything else, backscatter.
 *   EX_TEMPFAIL  nothing could be recorded for now: Redis down, the
 *                configuration unreadable, the command line or the
 *                bounce settings wrong, standard input unreadable. The
 *                mail server keeps the message and tries again later, so
 *                that an operator's fix loses nothing.
 * Each outcome is also logged to the mail log (syslog, facility mail).
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>

#include "bounce.h"
#include "bouncecmd.h"
#include "clock.h"
#include "config.h"
#include "dsn.h"
#include "log.h"
#include "mimeread.h"
#include "redis.h"
#include "redisconn.h"
#include "verp.h"
#include "xmalloc.h"

/* The most of a message read; the rest is read and thrown away. */
#define BOUNCECMD_MAX		(4 * 1024 * 1024)

/* Who the trail and the suppression list say recorded it. */
#define BOUNCECMD_BY		"closeloop bounce"

/* The headers of the report that may name the address it came to. */
static const char *const bouncecmd_headers[] = {
	"Delivered-To", "X-Original-To", "To"
};

/* Say something to the person or the mail log, at priority prio. */
static void __attribute__((format(printf, 2, 3)))
bouncecmd_say(int prio, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "closeloop bounce: %s\n", line);
	syslog(prio, "%s", line);
	free(line);
}

/*
 * Read standard input: up to BOUNCECMD_MAX bytes into *buf (NUL-ended,
 * length *len), the rest read and dropped. Returns 0, or -1.
 */
static int
bouncecmd_read(char **buf, size_t *len)
{
	char	 sink[8192];
	size_t	 n;

	*buf = xmalloc(BOUNCECMD_MAX + 1);
	*len = fread(*buf, 1, BOUNCECMD_MAX, stdin);
	while ((n = fread(sink, 1, sizeof sink, stdin)) > 0)
		;
	(*buf)[*len] = '\0';
	if (ferror(stdin)) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}

/*
 * Find the notification that the address s names; on VERP_FORGED keep
 * why in *forged, if it has none.
 */
static enum verp_check
bouncecmd_try(const struct config *cf, const char *s, char **id,
    const char **forged)
{
	const char	*why;
	enum verp_check	 rc;

	rc = verp_parse(cf->email_bounce_address, cf->email_bounce_secret,
	    strlen(cf->email_bounce_secret), s, id, &why);
	if (rc == VERP_FORGED && *forged == NULL)
		*forged = why;
	return rc;
}

/*
 * Find the notification the report names: from the operand, when it is
 * one of email.bounce_address's; else from the report's headers and the
 * envelope sender it quotes. Returns the id (the caller frees it), or
 * NULL with *forged set if an address had a wrong token.
 */
static char *
bouncecmd_find(const struct config *cf, const char *operand,
    const char *msg, size_t len, const struct dsn *d, const char **forged)
{
	char	*id = NULL, *v;
	size_t	 i;

	*forged = NULL;
	if (operand != NULL && *operand != '\0' &&
	    bouncecmd_try(cf, operand, &id, forged) != VERP_NOT_OURS)
		return id;
	for (i = 0; i < sizeof bouncecmd_headers /
	    sizeof bouncecmd_headers[0] && id == NULL; i++) {
		if ((v = mimeread_header(msg, len, bouncecmd_headers[i])) ==
		    NULL)
			continue;
		v[strcspn(v, ",")] = '\0';	/* the first address */
		if (strchr(v, '<') != NULL) {
			memmove(v, strchr(v, '<') + 1, strlen(strchr(v, '<')));
			v[strcspn(v, ">")] = '\0';
		}
		v[strcspn(v, " \t")] = '\0';
		bouncecmd_try(cf, v, &id, forged);
		free(v);
	}
	if (id == NULL && d->original_from != NULL)
		bouncecmd_try(cf, d->original_from, &id, forged);
	return id;
}

/*
 * Keep a report that could not be recorded in the dead letters, with
 * why. Returns 0, or -1 with *cause.
 */
static int
bouncecmd_dead(struct redis *r, const struct config *cf, const char *id,
    const char *operand, const struct dsn *d, const char *msg, size_t len,
    const char *error, char **cause)
{
	struct redis_reply	*reply;
	const char		*argv[26];
	char			*from, *subject, *clean[3], *sr = NULL;
	char			 at[32];
	int			 k = 0, i, rc = -1;

	from = mimeread_header(msg, len, "From");
	subject = mimeread_header(msg, len, "Subject");
	clean[0] = from != NULL ? log_mask_reply(from, NULL) : NULL;
	clean[1] = subject != NULL ? log_clean(subject, strlen(subject),
	    200) : NULL;
	clean[2] = operand != NULL ? log_clean(operand, strlen(operand),
	    200) : NULL;
	snprintf(at, sizeof at, "%lld", (long long)clock_now());
	argv[k++] = "XADD";
	argv[k++] = cf->redis_dead_stream;
	argv[k++] = "*";
	argv[k++] = "kind";
	argv[k++] = "bounce";
	argv[k++] = "type";
	argv[k++] = d->kind == DSN_COMPLAINT ? "complaint" : "bounce";
	argv[k++] = "error";
	argv[k++] = error;
	argv[k++] = "at";
	argv[k++] = at;
	if (id != NULL) {
		argv[k++] = "id";
		argv[k++] = id;
		argv[k++] = "sr";
		argv[k++] = sr = xstrndup(id, strcspn(id, "/"));
	}
	for (i = 0; i < 3; i++) {
		if (clean[i] == NULL)
			continue;
		argv[k++] = i == 0 ? "from" : i == 1 ? "subject" : "to";
		argv[k++] = clean[i];
	}
	if (d->status != NULL) {
		argv[k++] = "status";
		argv[k++] = d->status;
	}
	reply = redis_command_argv(r, cause, k, argv, NULL);
	if (reply != NULL && reply->type == REDIS_TYPE_STRING)
		rc = 0;
	else if (reply != NULL)
		*cause = xstrdup(reply->str != NULL ? reply->str :
		    "unexpected reply");
	redis_reply_free(reply);
	for (i = 0; i < 3; i++)
		free(clean[i]);
	free(sr);
	free(subject);
	free(from);
	return rc;
}

/*
 * Record the report d about notification id (NULL if none was found,
 * forged saying why if a token was wrong). Returns the exit status.
 */
static int
bouncecmd_store(const struct config *cf, const char *id, const char *forged,
    const char *operand, const struct dsn *d, const char *msg, size_t len)
{
	enum bounce_result	 res = BOUNCE_UNKNOWN;
	struct redis		*r;
	char			*cause = NULL, *error = NULL;
	int			 rc = EX_TEMPFAIL;

	if ((r = redisconn_open(cf, &cause)) == NULL)
		goto fail;
	if (id != NULL && bounce_record(r, cf, id, d, BOUNCECMD_BY,
	    clock_now(), &res, &cause) != 0)
		goto fail;
	if (id != NULL && res == BOUNCE_RECORDED) {
		bouncecmd_say(LOG_NOTICE, "%s: %s recorded%s", id,
		    d->kind == DSN_COMPLAINT ? "complaint" : d->hard ?
		    "hard bounce" : "soft bounce", d->kind == DSN_COMPLAINT ||
		    d->hard ? "; the address is suppressed" : "");
		rc = 0;
		goto fail;
	}
	if (id != NULL && res == BOUNCE_REPEATED) {
		bouncecmd_say(LOG_INFO, "%s: recorded before; nothing "
		    "written", id);
		rc = 0;
		goto fail;
	}
	error = id != NULL ? xasprintf("%s: no such email notification (or "
	    "its record has expired)", id) : forged != NULL ?
	    xasprintf("%s", forged) : xstrdup("the report names no message "
	    "of closeloop's (no address of email.bounce_address in it)");
	if (bouncecmd_dead(r, cf, id, operand, d, msg, len, error,
	    &cause) != 0)
		goto fail;
	bouncecmd_say(forged != NULL ? LOG_WARNING : LOG_NOTICE, "not "
	    "recorded: %s; kept in %s", error, cf->redis_dead_stream);
	rc = 0;
fail:
	if (rc == EX_TEMPFAIL)
		bouncecmd_say(LOG_ERR, "not recorded for now (the mail server "
		    "will try again): %s", cause != NULL ? cause : "?");
	free(error);
	free(cause);
	redis_free(r);
	return rc;
}

/* Run "closeloop bounce". */
int
bouncecmd_run(const struct config *cf, int argc, char **argv)
{
	struct dsn	 d;
	const char	*why = NULL, *forged = NULL, *operand;
	char		*msg = NULL, *id = NULL;
	size_t		 len;
	int		 rc = EX_TEMPFAIL;

	openlog("closeloop-bounce", LOG_PID, LOG_MAIL);
	memset(&d, 0, sizeof d);
	operand = argc == 2 ? argv[1] : NULL;
	if (argc > 2 || (operand != NULL && operand[0] == '-' &&
	    operand[1] != '\0')) {
		bouncecmd_say(LOG_ERR, "usage: closeloop bounce [ADDRESS|"
		    "EXTENSION] < MESSAGE");
		goto out;
	}
	if (cf->email_bounce_address == NULL ||
	    cf->email_bounce_secret == NULL) {
		bouncecmd_say(LOG_ERR, "%s: email.bounce_address and "
		    "email.bounce_secret_file are not set: no report can be "
		    "matched to its message", cf->path);
		goto out;
	}
	if (bouncecmd_read(&msg, &len) != 0) {
		bouncecmd_say(LOG_ERR, "cannot read the message on standard "
		    "input");
		goto out;
	}
	if (dsn_parse(msg, len, &d, &why) != 0) {
		/*
		 * An automatic reply, spam, a report of a success: nothing
		 * an operator would do anything about.
		 */
		bouncecmd_say(LOG_INFO, "dropped, not a bounce or a "
		    "complaint: %s", why);
		rc = 0;
		goto out;
	}
	id = bouncecmd_find(cf, operand, msg, len, &d, &forged);
	rc = bouncecmd_store(cf, id, forged, operand, &d, msg, len);
out:
	dsn_clear(&d);
	free(id);
	free(msg);
	closelog();
	return rc;
}
