/*
 * respage.h - the resident's own page about their request
 *
 * GET /r/SR/TOKEN, public: the page every message about an SR links to
 * when templates.resident_url is set (link.h), TOKEN being
 * link_resident_token() of the SR under templates.resident_secret_file.
 * It shows what closeloop told the SR's residents and nothing else
 * (resptold.h): the messages, each once, in order, with their dates; the
 * division's notes, the photos, the scheduled date and the division
 * handling the request, as the messages said them; for a duplicate, the
 * last notice told about the original, by its name and date alone.
 * Never a contact, a rule, a flag or the CRM's own status.
 *
 * Its language is the locale of the SR's first active contact (else the
 * default locale), or ?lang=LOCALE if the template set has that locale:
 * the page's own words (respwords.h), its dates and its direction
 * (right to left for Persian); each message keeps its own language and
 * direction. A wrong token, an unknown SR and one no longer kept (no
 * message left in its trail) are the same 404, in the default locale's
 * words. The page and its 404 say noindex (meta and X-Robots-Tag); the
 * listener already says Cache-Control: no-store, and Referrer-Policy:
 * no-referrer keeps the token out of the photo hosts' logs.
 */
#ifndef RESPAGE_H
#define RESPAGE_H

struct webreq;

/* GET /r/SR/TOKEN. */
void respage_show(struct webreq *q);

#endif
