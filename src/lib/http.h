/*
 * http.h - a small HTTP listener for delivery receipts, metrics and health
 *
 * The listener runs in a thread of its own and calls one handler per
 * complete request, one request at a time. The handler sees the method,
 * the path, the client's address, the arguments (query string and
 * url-encoded form) and the headers (httpreq.h), and fills in a status, a
 * content type and a body. Requests the handler cannot sensibly answer -
 * an unknown method, a body over HTTPREQ_BODY_MAX, a NUL in an argument,
 * a malformed Content-Length, a head over HTTPHEAD_MAX (httphead.h) - are
 * answered by the listener itself without calling the handler.
 *
 * Each connection carries one request (every answer says "Connection:
 * close"), whose head must come within 5 seconds of the connection and
 * whose exchange must end within 10; one client address may hold 32
 * connections at once, all clients 256 (and 127.0.0.1 or ::1 8 more).
 * httpguard.c says why.
 */
#ifndef HTTP_H
#define HTTP_H

#include "httpresp.h"

struct http;
struct httpreq;

/*
 * Called once per complete request in the listener's thread; calls never
 * overlap. req and everything returned from it are valid only during the
 * call. resp starts zeroed.
 */
typedef void (*http_handler)(const struct httpreq *req,
    struct http_response *resp, void *arg);

/*
 * Start listening on listen: "HOST:PORT", "[IPV6]:PORT" or "PORT" (on
 * 127.0.0.1). HOST is a numeric IPv4 or IPv6 address or "localhost"
 * (127.0.0.1); PORT 0 picks a free port. Returns the listener, or NULL
 * with *cause (if cause is not NULL) set to an allocated message naming
 * the listen text and what is wrong with it; the caller frees *cause.
 */
struct http *http_new(const char *listen, http_handler h, void *arg,
    char **cause);

/*
 * Check listen text as http_new() reads it, without listening. Returns
 * 0, or -1 with *cause (if cause is not NULL) set to what is wrong with
 * it, e.g. "the port is out of range (0-65535)"; the caller frees it.
 */
int http_listen_check(const char *listen, char **cause);

/*
 * Stop the listener: close its socket and connections and join its
 * thread. A handler call under way finishes first. NULL is a no-op.
 */
void http_free(struct http *h);

/* Return the port the listener is bound to. */
int http_port(const struct http *h);

#endif
