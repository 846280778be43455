/*
 * tmplpage.h - the Templates page: every notice as residents would get it
 *
 * GET /templates?locale=L&notice=N renders the notices of the message
 * template set in use (templates.dir, loaded and checked when
 * closeloop-web starts and at reload) with sample data, as closeloop
 * render does (sample.h): SR 2026-000101 closed now by the first
 * configured division, each notice forced in turn. Without a notice, it
 * lists every notice of locale L (the default locale unless chosen):
 * its subject, its SMS's segments and encoding, and which parts come
 * from another locale, each a link to the notice. With one, it shows
 * the notice whole: the email's subject, its HTML in a sandboxed frame
 * and its text part; the SMS with its segments, its encoding and, if it
 * is UCS-2, the first characters that made it so; and for each part the
 * template file used and the locale it came from (fallback). Every
 * message shown carries the lang of the locale its template came from.
 * The lint warnings of the set (lint.h) that concern locale L follow,
 * each with its file and line.
 *
 * GET /template/LOCALE/NOTICE/html answers the email's HTML alone, for
 * the frame, under msgpage_frame()'s policy.
 *
 * The link to the resident's own page is rendered as the city's status
 * page (templates.status_url), so that the page never shows a working
 * token for the sample SR.
 */
#ifndef TMPLPAGE_H
#define TMPLPAGE_H

struct webreq;

/* GET /templates. */
void tmplpage_show(struct webreq *q);

/* GET /template/LOCALE/NOTICE/html. */
void tmplpage_frame(struct webreq *q);

#endif
