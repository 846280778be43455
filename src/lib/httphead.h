/*
 * httphead.h - checking a request head as a client sends it
 *
 * The HTTP listener (http.h) looks at what a client has sent before it
 * hands the connection to libmicrohttpd: the head must come whole, and
 * its Content-Length must be one the listener takes, or the listener
 * answers it itself.
 */
#ifndef HTTPHEAD_H
#define HTTPHEAD_H

#include <stddef.h>

/* The largest request head (line and headers); a larger one gets 431. */
#define HTTPHEAD_MAX	(16 * 1024)

/*
 * Check the request head at the start of buf[0..len), the bytes a client
 * has sent so far, as the listener does before it reads the request:
 * returns 0 if the head is not complete yet (no empty line after the
 * request line, leading empty lines skipped; lines end in LF or CRLF),
 * 200 if it is (*headlen is then its length, the empty line included),
 * or the status to answer instead, with *why set to a static phrase
 * saying why: 400 for a NUL byte in the head or a Content-Length that is
 * not digits alone, folded, or given twice with different values, 413
 * for one over HTTPREQ_BODY_MAX (all once the head is complete), 431 for
 * len at least HTTPHEAD_MAX without a complete head. The request line and
 * other headers are otherwise left to libmicrohttpd.
 */
int httphead_check(const char *buf, size_t len, size_t *headlen,
    const char **why);

#endif
