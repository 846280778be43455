/*
 * httpreq.h - a request to the HTTP listener, as its handler sees it
 *
 * The listener (http.h) makes one of each request it reads, and its
 * handler reads it through the functions below: the method, the path,
 * the client's address, the arguments (query string and url-encoded
 * form) and the headers. Tests and fuzz targets make their own, to call
 * a handler without a listener.
 */
#ifndef HTTPREQ_H
#define HTTPREQ_H

#include <stddef.h>

/* The largest request body accepted; a larger one is answered 413. */
#define HTTPREQ_BODY_MAX	(16 * 1024)

struct httpreq;

/* Return the request method, e.g. "GET", "HEAD" or "POST". */
const char *httpreq_method(const struct httpreq *req);

/* Return the percent-decoded path without the query, e.g. "/receipt". */
const char *httpreq_path(const struct httpreq *req);

/* Return the client's address as text, e.g. "127.0.0.1" or "::1". */
const char *httpreq_peer(const struct httpreq *req);

/*
 * Return the value of argument name from the query string or, for a
 * POST of application/x-www-form-urlencoded, from the body; both are
 * percent-decoded with '+' as a space. The query wins if both have it,
 * and the first of repeated names wins. NULL if absent.
 */
const char *httpreq_arg(const struct httpreq *req, const char *name);

/* Return the value of header name (any case), or NULL if absent. */
const char *httpreq_header(const struct httpreq *req, const char *name);

/*
 * Make a request from its parts, as the listener does for each request
 * it reads: method ("GET", ...; NULL until httpreq_set_method()), the
 * request target as the client sent it ("/receipt?id=..."), the client's
 * address as text. Add headers and body, then httpreq_prepare() it. Free
 * it with httpreq_free().
 */
struct httpreq *httpreq_new(const char *method, const char *uri,
    const char *peer);

/* Set the method (copied) of a request made without one. */
void httpreq_set_method(struct httpreq *req, const char *method);

/* Add a header (name and value as received; copied) to req. */
void httpreq_add_header(struct httpreq *req, const char *name,
    const char *value);

/*
 * Add len bytes of body to req. Returns 0, or -1 once the body would
 * pass HTTPREQ_BODY_MAX (it is then dropped; the answer is 413).
 */
int httpreq_add_body(struct httpreq *req, const char *data, size_t len);

/* Return 1 if req's body passed HTTPREQ_BODY_MAX, else 0. */
int httpreq_too_large(const struct httpreq *req);

/*
 * Decode req's path, query and (for a POST of a url-encoded form under
 * HTTPREQ_BODY_MAX) form. Returns 0, or -1 if one holds a NUL byte (the
 * answer is 400).
 */
int httpreq_prepare(struct httpreq *req);

/* Free a request made by httpreq_new(); NULL is a no-op. */
void httpreq_free(struct httpreq *req);

/*
 * Percent-decode src[0..len) into a new NUL-terminated string, turning
 * '+' into a space if plus is set. A '%' not followed by two hex digits
 * is kept as it is. Returns the string (the caller frees it), or NULL if
 * the decoded text would hold a NUL byte.
 */
char *httpreq_decode(const char *src, size_t len, int plus);

/*
 * Percent-encode s: every byte but ASCII letters, digits and those in
 * keep (e.g. "-._~") becomes %XX. Returns a new string; the caller frees
 * it.
 */
char *httpreq_encode(const char *s, const char *keep);

#endif
