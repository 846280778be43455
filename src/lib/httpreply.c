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
#include <strings.h>

#include <microhttpd.h>

#include "httpresp.h"
#include "httpreply.h"
#include "xmalloc.h"

#define HTTPREPLY_TEXT		"text/plain; charset=utf-8"
#define HTTPREPLY_ALLOW		"GET, HEAD, POST"	/* what http.c takes */

/* Return 1 if the handler set header name itself. */
static int
httpreply_has(const struct http_response *resp, const char *name)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return 1;
	return 0;
}

/* Queue a handler's answer, with the headers every answer carries. */
enum MHD_Result
httpreply_queue(struct MHD_Connection *conn, struct http_response *resp)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret = MHD_NO;
	size_t			 i, len;

	len = resp->body == NULL ? 0 : resp->body_len != 0 ? resp->body_len :
	    strlen(resp->body);
	r = MHD_create_response_from_buffer(len, resp->body,
	    resp->body != NULL ? MHD_RESPMEM_MUST_FREE :
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		goto fail;
	resp->body = NULL;	/* libmicrohttpd's now */
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    resp->content_type != NULL ? resp->content_type :
	    HTTPREPLY_TEXT) != MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options",
	    "nosniff") != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION,
	    "close") != MHD_YES)
		goto fail;
	if (!httpreply_has(resp, MHD_HTTP_HEADER_CACHE_CONTROL) &&
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store") != MHD_YES)
		goto fail;
	for (i = 0; i < resp->nheaders; i++)
		if (MHD_add_response_header(r, resp->headers[i].name,
		    resp->headers[i].value) != MHD_YES)
			goto fail;
	if (resp->status == MHD_HTTP_METHOD_NOT_ALLOWED &&
	    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
	    HTTPREPLY_ALLOW) != MHD_YES)
		goto fail;
	ret = MHD_queue_response(conn, (unsigned int)resp->status, r);
fail:
	if (r != NULL)
		MHD_destroy_response(r);
	httpresp_clear(resp);
	return ret;
}

/* Answer with the listener's own status and a one-line text. */
enum MHD_Result
httpreply_error(struct MHD_Connection *conn, int status, const char *text)
{
	struct http_response	 resp;

	memset(&resp, 0, sizeof resp);
	resp.status = status;
	resp.body = xasprintf("%s\n", text);
	return httpreply_queue(conn, &resp);
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
