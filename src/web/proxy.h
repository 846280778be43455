/*
 * proxy.h - single sign-on through the city's reverse proxy
 *
 * The city's proxy signs its staff in with its own identity provider and
 * passes who they are as X-Remote-User and their groups as
 * X-Remote-Groups (separated by commas or semicolons). closeloop-web
 * believes those headers only from the addresses of web.trusted_proxies;
 * from anyone else they are ignored, and logged and recorded
 * (webaudit.h). A believed user gets the role of their groups, by
 * web.groups - the strongest one if several match (ops, then auditor,
 * comms, division; a division user sees the divisions of every
 * matching group) - and no role, and so no page, if none match. They
 * have no session in Redis: each request is vouched for anew, and their
 * forms' CSRF token is an HMAC of their name under a key closeloop-web
 * makes at start.
 */
#ifndef PROXY_H
#define PROXY_H

struct webreq;

/*
 * Set q->who if a trusted proxy vouches for the request's user. Returns
 * 0 (q->who may still be NULL), or -1 after answering (403: a user with
 * no role).
 */
int proxy_identify(struct webreq *q);

#endif
