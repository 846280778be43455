/*
 * unsubscribe.h - one-click unsubscribe from email (RFC 8058)
 *
 * The link a message carries, and its token, are made by link.h.
 *
 * closeloopd's listener answers the link at /unsubscribe. A POST whose
 * body holds List-Unsubscribe=One-Click (what a mail provider sends when
 * the reader clicks "unsubscribe") with a valid token publishes an
 * unsubscribe event for that email on that SR (event_id
 * "unsub-email-CONTACT-TS-SR", TS the contact's last change in ms, so a
 * repeated click is dropped as a duplicate; x_closeloop_via
 * "email_one_click") and answers 200, as it does when the SR's state is
 * gone or the contact is already unsubscribed. A GET changes nothing -
 * link checkers follow links - and answers a page with a button that
 * POSTs. A wrong or expired token is 403, malformed parameters 400, and
 * 503 when Redis cannot be reached.
 */
#ifndef UNSUBSCRIBE_H
#define UNSUBSCRIBE_H

#include <stdint.h>

struct config;
struct httpreq;
struct http_response;
struct redis;

/*
 * Answer one /unsubscribe request under cf, writing through *r
 * (connected first if NULL; dropped and set to NULL if Redis fails).
 */
void unsubscribe_handle(const struct config *cf, struct redis **r,
    const struct httpreq *req, struct http_response *resp);

#endif
