/*
 * httpreply.c - the HTTP listener's answers
 *
 * An answer goes out one of two ways: queued on libmicrohttpd's
 * connection, for a request it has read; or, for a connection the
 * listener answers before libmicrohttpd has it (a head too slow, too
 * large or with a bad Content-Length), as bytes the listener writes
 * itself. Both carry the same headers.
 */
#include "build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "httpreply.h"
#include "xmalloc.h"

#define HTTPREPLY_TEXT		"text/plain; charset=utf-8"
#define HTTPREPLY_ALLOW		"GET, HEAD, POST"	/* what http.c takes */

/*
 * Queue an answer with body (allocated or NULL; always consumed) and one
 * more header if name and value are not NULL.
 */
enum MHD_Result
httpreply_queue(struct MHD_Connection *conn, int status, const char *type,
    char *body, const char *name, const char *value)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret = MHD_NO;

	r = MHD_create_response_from_buffer(body != NULL ? strlen(body) : 0,
	    body, body != NULL ? MHD_RESPMEM_MUST_FREE :
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    type != NULL ? type : HTTPREPLY_TEXT) != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store") != MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options",
	    "nosniff") != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION,
	    "close") != MHD_YES)
		goto fail;
	if (name != NULL && value != NULL &&
	    MHD_add_response_header(r, name, value) != MHD_YES)
		goto fail;
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED &&
	    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
	    HTTPREPLY_ALLOW) != MHD_YES)
		goto fail;
	ret = MHD_queue_response(conn, (unsigned int)status, r);
fail:
	MHD_destroy_response(r);
	return ret;
}

/* Answer with the listener's own status and a one-line text. */
enum MHD_Result
httpreply_error(struct MHD_Connection *conn, int status, const char *text)
{
	return httpreply_queue(conn, status, NULL, xasprintf("%s\n", text),
	    NULL, NULL);
}

/* Return the listener's own answer as the bytes to write. */
char *
httpreply_raw(int status, const char *text)
{
	const char	*phrase;
	char		*body, *out;

	phrase = MHD_get_reason_phrase_for((unsigned int)status);
	body = xasprintf("%s\n", text);
	out = xasprintf("HTTP/1.1 %d %s\r\nConnection: close\r\n"
	    "Content-Type: " HTTPREPLY_TEXT "\r\nCache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\nContent-Length: %zu\r\n"
	    "\r\n%s", status, phrase, strlen(body), body);
	free(body);
	return out;
}
