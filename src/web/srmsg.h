/*
 * srmsg.h - a message as it was sent, shown on an SR's timeline
 *
 * For each "sent" entry of the trail, the kept copy (keep.h) is read and
 * checked against the entry (keep_check()), and shown: an email's HTML in
 * a sandboxed frame (msgpage.h serves it), its text part and its
 * headers; an SMS whole, with its segments and encoding. The check is
 * what the page's check mark says: the kept bytes hash to what the trail
 * recorded when the message went out.
 */
#ifndef SRMSG_H
#define SRMSG_H

struct view;
struct webreq;

/* What a "sent" entry of the trail records of its message. */
struct srmsg_sent {
	char		*id;		/* the notification, "SR/SEQ/I" */
	char		*to;		/* masked */
	char		*content_sha256;
	char		*kept_sha256;
	char		*redacted;
	struct view	*entry;		/* the entry's view (not owned) */
};

/*
 * Add to the sent entry's view what the console shows of its message.
 * images is 1 if the reader asked to see the email's remote images; a
 * message that cannot be read back is said so.
 */
void srmsg_view(struct webreq *q, const struct srmsg_sent *s, int images);

/* Free what s holds. */
void srmsg_clear(struct srmsg_sent *s);

#endif
