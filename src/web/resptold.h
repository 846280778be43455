/*
 * resptold.h - what closeloop told the residents of an SR, as it was sent
 *
 * The resident's page (respage.h) shows one message for each notice
 * told: of the "sent" entries of the SR's trail (audit.h) of the same
 * notice (the notifications "SR/SEQ/I" and their fallbacks "SR/SEQ/If"
 * share SEQ), the one in the page's language if there is one, an email
 * before an SMS. Its text is its kept copy's (keep.h), checked against
 * the trail: an SMS whole, an email's Subject and text part. If the copy
 * is gone or does not check, the content the trail recorded stands in.
 * An email's paragraphs that hold the unsubscribe link are left out:
 * with one-click unsubscribe that link is its recipient's own.
 *
 * The details the page lists apart - the division's note and standard
 * note, the photos, the scheduled date, the original of a duplicate -
 * are the values the message was rendered from (the notification's
 * record, outbox.h), each kept only if the message's text holds it as
 * the message wrote it. The page never lists what no message said.
 */
#ifndef RESPTOLD_H
#define RESPTOLD_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct redis;

/* One notice told, by the message the page shows of it. */
struct resptold_notice {
	int64_t	 seq;		/* the SR's notices, from 1 */
	int64_t	 at;		/* when it was sent, ms */
	char	*id;		/* the notification, "SR/SEQ/I" */
	char	*notice;	/* its name in the vocabulary */
	char	*division;	/* the division's code, or NULL */
	char	*locale;	/* the message's */
	int	 sms;		/* an SMS, else an email */
	char	*subject;	/* an email's, or NULL */
	char	*text;		/* what it said, or NULL if unknown */
	char	*note;		/* the details it told, or NULL */
	char	*standard_note;
	char	*scheduled_for;	/* as the CRM sent it */
	char	*duplicate_of;
	char	*photos;	/* links, by spaces */
};

/* The notices told about an SR, in the order they were decided. */
struct resptold {
	struct resptold_notice	*list;
	size_t			 n;
};

/*
 * Read what was told about SR sr, preferring messages in locale (a BCP
 * 47 tag). Returns 0 and sets *out (free it with resptold_free(); it
 * may hold no notice), or -1 with *cause if Redis fails.
 */
int resptold_read(struct redis *r, const struct config *cf, const char *sr,
    const char *locale, struct resptold **out, char **cause);

/* Free what resptold_read() made; NULL is a no-op. */
void resptold_free(struct resptold *t);

/*
 * Find the last notice told about SR sr: returns 1 and sets *notice (its
 * name; the caller frees it) and *at (ms), 0 if none was, -1 with *cause
 * if Redis fails. Nothing of the message or its recipient is read.
 */
int resptold_last(struct redis *r, const struct config *cf, const char *sr,
    char **notice, int64_t *at, char **cause);

#endif
