/*
 * answerpage.h - the page of the answer links: "is it fixed?" by email
 *
 * The email that asks a resident whether the work fixed the problem
 * carries three links (link.h: q, a, exp, token), which the city's
 * proxy hands to closeloopd's listener at /answer. A GET - what the
 * resident's click sends, and what a mail provider's link scanner sends
 * too - changes nothing: it answers a page, in the question's language
 * (answerwords.h), with the answer of the link chosen, the other two
 * beside it, a box for a comment and a button. The button POSTs the
 * answer (the form's field "answer") and the comment ("comment"), with
 * the link's q, exp and token; that records them (answered.h) and
 * answers a page of thanks. A later POST, from any of the three links,
 * replaces the answer while the question takes answers.
 *
 * Refused, changing nothing: without feedback.answer_secret_file, 404;
 * a link that is not whole, 400; a token that is not the question's,
 * 403 (logged); a question gone, 410; a link past its exp or a question
 * that no longer takes answers, 403 with a page saying so in its
 * language; Redis down, 503. The pages before the token is checked are
 * in simple English, as the unsubscribe page's: the link does not say
 * which language its reader uses.
 */
#ifndef ANSWERPAGE_H
#define ANSWERPAGE_H

struct config;
struct httpreq;
struct http_response;
struct redis;

/*
 * Answer one /answer request under cf, writing through *r (connected
 * first if NULL; dropped and set to NULL if Redis fails).
 */
void answerpage_handle(const struct config *cf, struct redis **r,
    const struct httpreq *req, struct http_response *resp);

#endif
