/*
 * unsubscribe.h - one-click unsubscribe from email (RFC 8058)
 *
 * With templates.unsubscribe_secret_file set, each email carries a link
 * of its own: templates.unsubscribe_url, "{sr}" replaced, with
 *   sr=SR&c=CONTACT&exp=EXP&token=TOKEN
 * added to its query, where
 *   CONTACT  the first 16 hex digits of HMAC-SHA-256(key, the email
 *            address in lower case): no address in the URL
 *   EXP      when the link stops working, in seconds since the epoch:
 *            the time of sending plus templates.unsubscribe_days
 *   TOKEN    HMAC-SHA-256(key, "closeloop-unsubscribe:SR:CONTACT:EXP"),
 *            64 lower-case hex digits
 * and key is the first line of the file. The same link is the message's
 * List-Unsubscribe header (with List-Unsubscribe-Post:
 * List-Unsubscribe=One-Click) and the templates' {{unsubscribe_url}}.
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

#include "digest.h"

struct config;
struct httpreq;
struct http_response;
struct redis;

/* Hex digits of a contact id. */
#define UNSUBSCRIBE_CONTACT_LEN	16

/*
 * Write the contact id of an email address under cf's key into out,
 * NUL-terminated.
 */
void unsubscribe_contact(const struct config *cf, const char *address,
    char out[UNSUBSCRIBE_CONTACT_LEN + 1]);

/* Write the token of a link (sr, contact id, exp) into out. */
void unsubscribe_token(const struct config *cf, const char *sr,
    const char *contact, long long exp, char out[DIGEST_HEX_LEN + 1]);

/*
 * Return the unsubscribe link of an email to address about SR sr sent
 * at now (seconds since the epoch): one-click if the key is set, else
 * templates.unsubscribe_url alone; NULL if that is not set. The caller
 * frees it.
 */
char *unsubscribe_url(const struct config *cf, const char *sr,
    const char *address, int64_t now);

/* What stands for a link's token in the recorded content. */
#define UNSUBSCRIBE_REDACTED	"REDACTED"

/*
 * Return text with every copy of the one-click link url (as made by
 * unsubscribe_url()) written with UNSUBSCRIBE_REDACTED for its token, so
 * that the audit trail, which keeps what a resident was sent, never keeps
 * a link that works. text is returned as it is (copied) if url is NULL
 * or has no token. The caller frees the result.
 */
char *unsubscribe_redact(const char *text, const char *url);

/*
 * Answer one /unsubscribe request under cf, writing through *r
 * (connected first if NULL; dropped and set to NULL if Redis fails).
 */
void unsubscribe_handle(const struct config *cf, struct redis **r,
    const struct httpreq *req, struct http_response *resp);

#endif
