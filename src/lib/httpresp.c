/*
 * httpresp.c - building and freeing a handler's answer
 *
 * The headers a handler adds are copied into the answer, which owns them
 * until the listener has sent it.
 */
#include "build.h"

#include <stdlib.h>
#include <string.h>

#include "httpresp.h"
#include "log.h"
#include "xmalloc.h"

/* Add a header to an answer. */
void
httpresp_header(struct http_response *resp, const char *name, const char *value)
{
	if (resp->nheaders == HTTP_HEADERS_MAX) {
		log_warn("http: more than %d headers, %s dropped",
		    HTTP_HEADERS_MAX, name);
		return;
	}
	resp->headers[resp->nheaders].name = xstrdup(name);
	resp->headers[resp->nheaders].value = xstrdup(value);
	resp->nheaders++;
}

/* Free an answer's body and headers. */
void
httpresp_clear(struct http_response *resp)
{
	size_t	 i;

	free(resp->body);
	for (i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	memset(resp, 0, sizeof *resp);
}
