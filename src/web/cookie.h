/*
 * cookie.h - the console's cookies: the session, and the sign-in form's
 *
 * Two cookies, both HttpOnly and SameSite=Strict, Path=/:
 *   closeloop      the session id (session.h); no Max-Age, so it ends
 *                  with the browser, and the session's own ends hold
 *   closeloop-pre  a random token that the sign-in form carries too
 *                  (double submit), so a sign-in cannot be forged from
 *                  another site before there is a session
 * With web.cookie_secure (the default) they are Secure and take the
 * "__Host-" prefix, which browsers keep to HTTPS, the exact host and
 * Path=/; only a console on plain loopback, for a test or a demo, turns
 * it off.
 */
#ifndef COOKIE_H
#define COOKIE_H

struct config;
struct http_response;
struct httpreq;

#define COOKIE_SESSION	"closeloop"
#define COOKIE_PRE	"closeloop-pre"

/*
 * Return the value of cookie name (COOKIE_SESSION or COOKIE_PRE, with
 * the prefix the configuration asks for) from req, or NULL. The caller
 * frees it.
 */
char *cookie_get(const struct config *cf, const struct httpreq *req,
    const char *name);

/*
 * Add a Set-Cookie header to resp: cookie name with value, or, if value
 * is NULL, its removal.
 */
void cookie_set(const struct config *cf, struct http_response *resp,
    const char *name, const char *value);

#endif
