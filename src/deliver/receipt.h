/*
 * receipt.h - delivery receipts from the SMS gateway
 *
 * An SMS accepted by the gateway has not yet reached a phone. When
 * sms.dlr_url is set, each message carries a URL at which the gateway
 * reports what became of it: Kannel's dlr-url (GET, with the report type
 * in "status" and the SMSC's words in "answer") or Twilio's
 * StatusCallback (a form POST with MessageStatus and ErrorCode). The URL
 * names the notification, when the URL expires, and a token, the
 * HMAC-SHA-256 of both under the key in sms.dlr_secret_file, so a receipt
 * cannot be made up for another notification nor replayed for ever (a
 * receipt after sms.dlr_max_age_days is answered 410 and not recorded);
 * a caller that cannot carry the token (a proxy of the city's) may
 * instead send the key itself in the X-Closeloop-Secret header.
 *
 * A final report - delivered to the handset, or not - is added to the
 * notification's record (receipt, receipt_at, receipt_detail,
 * receipt_final) and to the SR's audit trail as "delivered" or
 * "undelivered"; an interim one (buffered, submitted to the SMSC,
 * queued) only to the record. The first final report is final: any
 * report after it - the same one repeated, a late interim one, or
 * another final word - only adds one to the record's receipts_ignored
 * (and to closeloop_receipts_total{result="ignored"}). The gateway's own
 * words (Kannel's answer, Twilio's ErrorCode) are kept up to 200 bytes,
 * cut at a character, control characters replaced.
 */
#ifndef RECEIPT_H
#define RECEIPT_H

#include <stdint.h>

struct config;
struct httpreq;
struct http_response;
struct redis;

/*
 * Return the URL at which the gateway reports on notification id, sent
 * at now (seconds since the epoch): sms.dlr_url with id, the expiry
 * time (now plus sms.dlr_max_age_days) and the token added. The caller
 * frees it.
 */
char *receipt_url(const struct config *cf, const char *id, int64_t now);

/*
 * Answer one receipt request under cf, writing through *r (connected
 * first if NULL; dropped and set to NULL if Redis fails, which answers
 * 503 so that the gateway tries again).
 */
void receipt_handle(const struct config *cf, struct redis **r,
    const struct httpreq *req, struct http_response *resp);

#endif
