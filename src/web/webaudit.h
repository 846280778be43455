/*
 * webaudit.h - the console's own record: who signed in, failed, signed out
 *
 * Every sign-in, failed sign-in, refusal for too many failures, sign-out
 * and header from an untrusted proxy goes to the log and to the stream
 * PREFIXweb:audit (fields what, user, peer, at; trimmed to about 100,000
 * entries), which closeloop-web's Redis user may write.
 */
#ifndef WEBAUDIT_H
#define WEBAUDIT_H

struct webreq;

/*
 * Record what (e.g. "signin", "signin-failed", "signin-limited",
 * "signout", "untrusted-proxy") by user (or NULL) from the request's
 * client. A Redis failure is logged, not answered: the page goes on.
 */
void webaudit_note(struct webreq *q, const char *what, const char *user);

#endif
