/*
 * httpreply.h - the HTTP listener's answers
 *
 * Every answer of the listener, its handler's or its own, says
 * "Connection: close" (one request per connection), "Cache-Control:
 * no-store" and "X-Content-Type-Options: nosniff". The listener's own
 * answers are a line of text/plain in UTF-8 saying what was wrong.
 */
#ifndef HTTPREPLY_H
#define HTTPREPLY_H

#include <microhttpd.h>

struct http_response;

/*
 * Queue on conn a handler's answer: its status, its body of its content
 * type (NULL: text/plain in UTF-8) and its headers; the answer is always
 * consumed (cleared). A 405 also says which methods the listener takes.
 * Returns MHD_YES, or MHD_NO if libmicrohttpd could not take it.
 */
enum MHD_Result httpreply_queue(struct MHD_Connection *conn,
    struct http_response *resp);

/* Queue on conn the listener's own answer: status and a line of text. */
enum MHD_Result httpreply_error(struct MHD_Connection *conn, int status,
    const char *text);

/*
 * Return the listener's own answer, status and a line of text, as the
 * bytes to write on a connection libmicrohttpd does not have (allocated;
 * the caller frees it).
 */
char *httpreply_raw(int status, const char *text);

#endif
