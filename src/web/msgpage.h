/*
 * msgpage.h - a kept email's HTML for the timeline's frame, and its .eml
 *
 * GET /message/SR/SEQ/I/html answers the HTML part of the kept email of
 * notification SR/SEQ/I, as it was sent (its one-click token blanked),
 * for the sandboxed frame of the SR's timeline. Its own
 * Content-Security-Policy runs no script, loads nothing but the inline
 * styles and data: images, and, with ?images=1, the remote images the
 * email links to; it may be framed by the console only, and is a sandbox
 * even when opened alone. GET /message/SR/SEQ/I/eml downloads the kept
 * copy whole. Both answer 404 to a user who may not see the SR.
 */
#ifndef MSGPAGE_H
#define MSGPAGE_H

#include <stddef.h>

struct webreq;

/* GET /message/ID/html or /message/ID/eml. */
void msgpage_show(struct webreq *q);

/*
 * Answer len bytes of html (taken over) as an email's HTML for a
 * sandboxed frame, under the policy above: remote images only if images
 * is set, framed by the console only.
 */
void msgpage_frame(struct webreq *q, char *html, size_t len, int images);

#endif
