/*
 * link.h - the links a message carries: status, resident's page,
 * unsubscribe, answers, redacted
 *
 * templates.status_url and templates.unsubscribe_url are patterns in
 * which "{sr}" stands for the SR's number.
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
 * With templates.resident_url and templates.resident_secret_file set,
 * each message about an SR links to the resident's own page about it
 * (served by closeloop-web): templates.resident_url with "{sr}" replaced
 * by the SR's number and "{token}" by
 *   TOKEN    the first 32 lower-case hex digits of
 *            HMAC-SHA-256(key, "closeloop-resident:SR")
 * where key is the first line of templates.resident_secret_file. The
 * token has no expiry (the page lives while the SR is kept) and is the
 * same for every recipient of the SR: the page shows what closeloop
 * told about the SR, so the link is no secret of one message and is
 * kept as it was sent. It is the templates' {{status_url}}, in place of
 * templates.status_url, so a message never points at a page that can
 * disagree with it. closeloop-web checks a token with
 * link_resident_check() and the key of the same configuration.
 *
 * With feedback.answer_url and feedback.answer_secret_file set, the
 * email that asks whether the work fixed the problem (question.h)
 * carries three links, one per answer: feedback.answer_url with
 *   q=QUESTION&a=ANSWER&exp=EXP&token=TOKEN
 * added to its query, where
 *   QUESTION the question's id, "SR/SEQ/N"
 *   ANSWER   fixed, not_fixed or partly
 *   EXP      when the links stop working, in seconds since the epoch:
 *            the question's answer_by (feedback.answer_days after it
 *            was asked)
 *   TOKEN    HMAC-SHA-256(key, "closeloop-answer:QUESTION:EXP"), 64
 *            lower-case hex digits
 * and key is the first line of feedback.answer_secret_file. The token
 * is the question's, not the answer's: the page a link opens lets the
 * resident choose another answer before they confirm it (ops/
 * answerpage.c). Like the unsubscribe token, it is redacted from the
 * record and the kept copy.
 */
#ifndef LINK_H
#define LINK_H

#include <stdint.h>

#include "digest.h"

struct config;

/*
 * Return a URL pattern with every "{sr}" replaced by sr. The caller
 * frees the result.
 */
char *link_url(const char *pattern, const char *sr);

/*
 * Return the status link of SR sr: the resident's page if
 * templates.resident_url is set, else templates.status_url with "{sr}"
 * replaced, else NULL. The caller frees it.
 */
char *link_status(const struct config *cf, const char *sr);

/* Hex digits of a resident page's token. */
#define LINK_RESIDENT_LEN	32

/*
 * Write the token of SR sr's resident page under key (a NUL-terminated
 * string) into out, NUL-terminated.
 */
void link_resident_token(const char *key, const char *sr,
    char out[LINK_RESIDENT_LEN + 1]);

/*
 * Return 1 if token is the token of SR sr's resident page under key,
 * compared in a time that does not depend on where it differs; 0 if it
 * is not, or if any of them is NULL or token is not LINK_RESIDENT_LEN
 * characters long.
 */
int link_resident_check(const char *key, const char *sr, const char *token);

/*
 * Return the link to SR sr's resident page, or NULL if
 * templates.resident_url is not set. The caller frees it.
 */
char *link_resident(const struct config *cf, const char *sr);

/* Hex digits of a contact id. */
#define LINK_CONTACT_LEN	16

/*
 * Write the contact id of an email address under cf's key into out,
 * NUL-terminated.
 */
void link_contact(const struct config *cf, const char *address,
    char out[LINK_CONTACT_LEN + 1]);

/* Write the token of a link (sr, contact id, exp) into out. */
void link_token(const struct config *cf, const char *sr,
    const char *contact, long long exp, char out[DIGEST_HEX_LEN + 1]);

/*
 * Return the unsubscribe link of an email to address about SR sr sent
 * at now (seconds since the epoch): one-click if the key is set, else
 * templates.link_unsubscribe alone; NULL if that is not set. The caller
 * frees it.
 */
char *link_unsubscribe(const struct config *cf, const char *sr,
    const char *address, int64_t now);

/*
 * Return the token of the one-click link url (as made by
 * link_unsubscribe()), or NULL if url is NULL or has none: the secret a
 * kept message must not hold. The caller frees it.
 */
char *link_secret(const char *url);

/*
 * Write the token of question's answer links, valid until exp (seconds
 * since the epoch), under cf's key into out. The key must be set.
 */
void link_answer_token(const struct config *cf, const char *question,
    long long exp, char out[DIGEST_HEX_LEN + 1]);

/*
 * Return 1 if token is that of question's answer links until exp under
 * cf's key, compared in constant time; 0 if not, or if the key is not
 * set.
 */
int link_answer_check(const struct config *cf, const char *question,
    long long exp, const char *token);

/*
 * Return the link by which the resident answers question with answer
 * ("fixed", "not_fixed", "partly") until exp (seconds since the epoch),
 * or NULL if feedback.answer_url or its key is not set. The caller
 * frees it.
 */
char *link_answer(const struct config *cf, const char *question,
    const char *answer, long long exp);

/*
 * Write into urls, which has room for three, the links of question's
 * answers fixed, not_fixed and partly, in that order, as link_answer()
 * makes them (each NULL if the links are not set up). The caller frees
 * each.
 */
void link_answers(const struct config *cf, const char *question,
    long long exp, char **urls);

/* What stands for a link's token in the recorded content. */
#define LINK_REDACTED	"REDACTED"

/*
 * Return text with every copy of the one-click link url (as made by
 * link_unsubscribe()) written with LINK_REDACTED for its token, so
 * that the audit trail, which keeps what a resident was sent, never keeps
 * a link that works. text is returned as it is (copied) if url is NULL
 * or has no token. The caller frees the result.
 */
char *link_redact(const char *text, const char *url);

#endif
