/*
 * http.h - a small HTTP listener for delivery receipts, metrics and health
 *
 * The listener runs in a thread of its own and calls one handler per
 * complete request, one request at a time. The handler sees the method,
 * the path, the client's address, the arguments (query string and
 * url-encoded form) and the headers (httpreq.h), and fills in a status, a
 * content type and a body. Requests the handler cannot sensibly answer -
 * an unknown method, a body over HTTPREQ_BODY_MAX, a NUL in an argument,
 * a malformed Content-Length, a head over HTTP_HEAD_MAX - are answered by
 * the listener itself without calling the handler.
 *
 * Each connection carries one request (every answer says "Connection:
 * close"), whose head must come within 5 seconds of the connection and
 * whose exchange must end within 10; one client address may hold 32
 * connections at once, all clients 256 (and 127.0.0.1 or ::1 8 more).
 * http.c says why.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

/* The largest request head (line and headers); a larger one gets 431. */
#define HTTP_HEAD_MAX	(16 * 1024)

struct http;
struct httpreq;

/* What a handler answers. */
struct http_response {
	int		 status;	/* 200-599; else (0: unset) 500 */
	const char	*content_type;	/* static; NULL is text/plain UTF-8 */
	char		*body;		/* allocated or NULL; the listener
					   frees it */
	const char	*header_name;	/* one more header, or NULL; */
	const char	*header_value;	/* both static */
};

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

/*
 * Check the request head at the start of buf[0..len), the bytes a client
 * has sent so far, as the listener does before it reads the request:
 * returns 0 if the head is not complete yet (no empty line after the
 * request line, leading empty lines skipped; lines end in LF or CRLF),
 * 200 if it is (*headlen is then its length, the empty line included),
 * or the status to answer instead, with *why set to a static phrase
 * saying why: 400 for a NUL byte in the head or a Content-Length that is
 * not digits alone, folded, or given twice with different values, 413 for
 * one over HTTPREQ_BODY_MAX (all once the head is complete), 431 for len at
 * least HTTP_HEAD_MAX without a complete head. The request line and other
 * headers are otherwise left to libmicrohttpd.
 */
int http_head_check(const char *buf, size_t len, size_t *headlen,
    const char **why);

#endif
