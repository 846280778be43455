/*
 * opsact.h - what an operator request does (opsreq.h)
 *
 * Each action takes the fields of its request, checks them as the
 * closeloop command would, and does what the command does:
 *   pause       channel (email | sms), until (a time, as closeloop
 *               pause --until takes it, or empty), note
 *   resume      channel
 *   send-now    ids (notification ids, by spaces), or sr, or reason
 *   resend      id, same_content ("1" or empty)
 *   dead-drop   id (a dead letter's entry id or notification id)
 *   unsuppress  address (or its hash, as closeloop suppressed lists it)
 *   test-send   notice, locale (or empty), channel, to
 */
#ifndef OPSACT_H
#define OPSACT_H

struct catalog;
struct config;
struct redis;
struct redis_reply;

/*
 * Carry out the request whose fields are f, as by. Returns 0 and sets
 * *result, or -1 and sets *result to why not; either way the caller
 * frees *result, which names no contact in full.
 */
int opsact_do(struct redis *r, const struct config *cf,
    const struct catalog *cat, const struct redis_reply *f, const char *by,
    char **result);

/* Return 1 if action is one opsact_do() knows. */
int opsact_known(const char *action);

#endif
