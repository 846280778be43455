/*
 * signin.h - signing in to the console with a local account, and out
 *
 * GET /signin shows the form; POST /signin checks the name and password
 * (account.h) and starts a session (session.h) under a new id, so that
 * an id planted before sign-in is never the signed-in one (session
 * fixation). Failed sign-ins are counted per account name and per client
 * address over web.signin_window_minutes: past web.signin_limit for a
 * name, or four times it for an address, the form refuses (429) without
 * checking the password, until the window has passed. A success clears
 * the name's count. POST /signout ends the session. Each is recorded
 * (webaudit.h).
 *
 * Keys: PREFIXweb:limit:user:NAME and PREFIXweb:limit:addr:ADDRESS,
 * counters expiring with the window.
 */
#ifndef SIGNIN_H
#define SIGNIN_H

struct webreq;

/* GET /signin: the form. */
void signin_form(struct webreq *q);

/* POST /signin: check, count, start a session. */
void signin_post(struct webreq *q);

/* POST /signout: end the session. */
void signin_out(struct webreq *q);

#endif
