/*
 * mailmsg.h - the email of a notice, from what was rendered
 *
 * What the mail workers send (mailwork.c) and what a test send or
 * closeloop render --eml builds (trysend.c) are laid out alike: From
 * is email.from, the Message-ID's right side email.from's domain, the
 * one-click unsubscribe link the List-Unsubscribe header, the locale the
 * Content-Language. A notification's envelope sender names it, with
 * email.bounce_address set (verp.h), so that a bounce report finds it
 * (closeloop bounce).
 */
#ifndef MAILMSG_H
#define MAILMSG_H

#include <stdint.h>

struct config;
struct mime_msg;
struct render_out;

/*
 * Return the Message-ID "<ID@DOMAIN>" of message id (a notification id,
 * SR/SEQ/I, its '/' made '.'), DOMAIN from email.from
 * ("closeloop.invalid" without one). The caller frees it.
 */
char *mailmsg_id(const struct config *cf, const char *id);

/*
 * Return the envelope sender of notification id: email.bounce_address
 * with {id} filled in (verp.h), or email.from's address when it is not
 * set or the id is too long for it (logged). The caller frees it.
 */
char *mailmsg_sender(const struct config *cf, const char *id);

/*
 * Fill mm, for mime_build(), with the message of out to address to, its
 * Message-ID mid, dated date (seconds since the epoch), from email.from.
 * mm points into cf, out and the arguments, which must outlive it.
 */
void mailmsg_fill(const struct config *cf, const struct render_out *out,
    const char *to, const char *mid, int64_t date, struct mime_msg *mm);

#endif
