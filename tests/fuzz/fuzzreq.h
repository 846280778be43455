/*
 * fuzzreq.h - a request made from the bytes a client sends, as the
 * listener reads it
 *
 * The fuzz targets of the listener's handlers and of the console read
 * their input as what a client sends the HTTP listener (http.h), and
 * make of it the request the listener would hand to its handler, with
 * the checks of what the listener's parts say on the way.
 */
#ifndef FUZZREQ_H
#define FUZZREQ_H

#include <stddef.h>
#include <stdint.h>

struct httpreq;

/*
 * Make the request the listener would hand its handler from the client
 * peer (an address as text) sending data[0..size), or NULL if it would
 * answer itself or wait for more. httphead_check() judges the bytes
 * first, as the listener does before it hands a connection to
 * libmicrohttpd. A complete head that it lets through is split as
 * libmicrohttpd reads one - the request line (METHOD TARGET VERSION,
 * after any empty lines) and "name: value" header lines, a line that
 * starts with a space or has no colon ending it, as libmicrohttpd would
 * answer it itself (so would the listener a method other than GET, HEAD
 * and POST: 405) - with the rest of the input as the body, cut at the
 * Content-Length if there is one (past HTTPREQ_BODY_MAX: 413). The
 * request is prepared as the listener prepares it (a NUL byte: 400).
 *
 * Checks (fuzzlog_fail() on a failure): httphead_check() says 0 (more
 * to come), 200 or a status of its own with a reason, a head length
 * that ends on a line feed, 431 only for HTTPHEAD_MAX bytes or more,
 * and says the same of the head alone; httpreq_prepare() refuses a
 * request only for a NUL byte in it (%00, or a raw one in the body).
 */
struct httpreq *fuzzreq_read(const uint8_t *data, size_t size,
    const char *peer);

/*
 * Return data[0..size) percent-decoded as a whole, NUL bytes as spaces
 * (allocated): the text in which a target looks for what the client
 * sent, e.g. a key it may rightly see quoted back.
 */
char *fuzzreq_text(const uint8_t *data, size_t size);

#endif
