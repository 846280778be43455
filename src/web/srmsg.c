/*
 * srmsg.c - the kept copy of a sent message, checked and made into a view
 *
 * An email's headers are shown unfolded and decoded, those a resident
 * sees first (From, To, Subject, Date) and the rest; the To is the
 * masked address of the trail, not the kept header, since the console
 * shows no full contact outside the look-up result. The HTML part is not
 * put in the page: the frame loads it from /message/ID/html, with its
 * own policy. A record that cannot be read back is said so on the page,
 * and the rest of the timeline is shown.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "httpreq.h"
#include "keep.h"
#include "log.h"
#include "mimeread.h"
#include "segment.h"
#include "srmsg.h"
#include "view.h"
#include "webreq.h"
#include "xmalloc.h"

/* The headers shown, in order. */
static const char *const srmsg_headers[] = {
	"From", "Subject", "Date", "Message-ID", "List-Unsubscribe",
	"Content-Language", "MIME-Version", "Content-Type"
};

/* Add an email's parts and headers to v. */
static void
srmsg_email(struct view *v, const struct keep *k, const char *id, int images,
    const char *to)
{
	struct view	*hs, *h;
	char		*val, *part, *path;
	size_t		 i, len;

	path = httpreq_encode(id, "-._/");
	val = xasprintf("/message/%s/html%s", path, images ? "?images=1" : "");
	view_set_string(v, "frame_src", val);
	free(val);
	val = xasprintf("/message/%s/eml", path);
	view_set_string(v, "eml_src", val);
	free(val);
	free(path);
	view_set(v, "images", view_bool(images));
	view_set(v, "email", view_bool(1));
	if ((part = mimeread_part(k->body, k->len, "plain", &len)) != NULL) {
		view_set_string(v, "text_part", part);
		free(part);
	}
	view_set(v, "has_html", view_bool((part = mimeread_part(k->body,
	    k->len, "html", &len)) != NULL));
	free(part);
	hs = view_set(v, "headers", view_list());
	h = view_append(hs, view_map());
	view_set_string(h, "name", "To");
	view_set_string(h, "value", to);
	for (i = 0; i < sizeof srmsg_headers / sizeof srmsg_headers[0]; i++) {
		if ((val = mimeread_header(k->body, k->len,
		    srmsg_headers[i])) == NULL)
			continue;
		h = view_append(hs, view_map());
		view_set_string(h, "name", srmsg_headers[i]);
		view_set_string(h, "value", val);
		free(val);
	}
}

/* Add an SMS's text, segments and encoding to v. */
static void
srmsg_sms(struct view *v, const struct keep *k)
{
	struct segment_info	 si;
	char			 n[32];

	view_set(v, "sms", view_bool(1));
	view_set_string(v, "sms_text", k->body);
	if (segment_count(k->body, &si) == 0) {
		snprintf(n, sizeof n, "%zu", si.segments);
		view_set_string(v, "segments", n);
		snprintf(n, sizeof n, "%zu", si.chars);
		view_set_string(v, "chars", n);
		view_set_string(v, "encoding", si.encoding == SEGMENT_GSM7 ?
		    "GSM-7" : "UCS-2");
	}
}

/* Add the message of a "sent" entry to the entry's view. */
void
srmsg_view(struct webreq *q, const struct srmsg_sent *s, int images)
{
	const char	*id = s->id;
	struct keep	*k = NULL;
	struct view	*v;
	char		*cause = NULL, *what = NULL, *why;
	int		 rc;

	if (id == NULL)
		return;
	rc = keep_read(q->w->r, q->cf, id, &k, &cause);
	v = view_set(s->entry, "message", view_map());
	if (rc < 0) {
		/* A damaged record, or Redis gone: said on the page. */
		log_warn("web: message %s: %s", id, cause);
		view_set_string(v, "damaged", cause);
		free(cause);
		return;
	}
	if (rc == 0) {
		view_set(v, "not_kept", view_bool(1));
		return;
	}
	why = keep_check(k, s->content_sha256, s->kept_sha256, s->redacted, 1,
	    &what);
	view_set_string(v, "id", id);
	view_set(v, "checks", view_bool(why == NULL));
	view_set_string(v, "check_what", what);
	view_set_string(v, "check_why", why);
	view_set_string(v, "content_sha256", s->content_sha256);
	free(what);
	free(why);
	if (strcmp(k->format, "sms") == 0)
		srmsg_sms(v, k);
	else
		srmsg_email(v, k, id, images, s->to != NULL ? s->to : "");
	keep_free(k);
}

/* Free what a sent entry's record holds. */
void
srmsg_clear(struct srmsg_sent *s)
{
	free(s->id);
	free(s->to);
	free(s->content_sha256);
	free(s->kept_sha256);
	free(s->redacted);
	memset(s, 0, sizeof *s);
}
