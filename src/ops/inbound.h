/*
 * inbound.h - residents' text messages: STOP, START, HELP and answers
 *
 * The SMS gateway passes each message a resident sends to closeloop's
 * number to closeloopd's listener at /inbound:
 *   Kannel    an sms-service whose get-url is
 *             /inbound?from=%p&text=%a&token=SECRET (GET); the body of
 *             the answer is the reply Kannel texts back (text/plain; with
 *             X-Kannel-Coding: 2 when it is not GSM-7, which the service
 *             honours with accept-x-kannel-headers = true)
 *   REST      a webhook POSTing From=...&Body=... as a form (the Twilio
 *             way), token=SECRET in the query; the reply is TwiML,
 *             <Response><Message>...</Message></Response>
 * SECRET is the first line of sms.inbound_secret_file, compared in
 * constant time; a proxy of the city's may send it in the
 * X-Closeloop-Secret header instead. Without it the answer is 403 and
 * nothing changes.
 *
 * The message is a keyword when, trimmed of white space, in upper case,
 * with accents taken off and compatibility forms folded (NFKD), it is one
 * of keyword.c's table: STOP opts the phone out of every SMS (optout.h),
 * START opts it in again, HELP says what the number is for. The reply
 * is stop.sms, start.sms or help.sms of the template set, in the
 * keyword's language - or, for a word of several languages, in the
 * phone's stored locale if known, else the default locale - with the
 * city's name.
 *
 * Any other text goes to the question "is it fixed?" the phone was last
 * asked by SMS (question.h), while it takes answers: a text that starts
 * with an answer (1, 2, 3, or a word of keyword.c) answers it, the rest
 * being the resident's comment; a text after an answer of not fixed or
 * partly is a comment added to it (answer.h). Either is thanked with
 * thanks.sms in the question's language. Any other text, or one from a
 * phone with no question open, is answered 200 with no reply and changes
 * nothing. Numbers are masked in every log line, and the resident's
 * words are never logged.
 */
#ifndef INBOUND_H
#define INBOUND_H

struct catalog;
struct config;
struct httpreq;
struct http_response;
struct redis;

/*
 * Answer one /inbound request under cf with the replies of cat,
 * writing through *r (connected first if NULL; dropped and set to NULL
 * if Redis fails, which answers 503).
 */
void inbound_handle(const struct config *cf, const struct catalog *cat,
    struct redis **r, const struct httpreq *req,
    struct http_response *resp);

#endif
