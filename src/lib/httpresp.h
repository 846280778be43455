/*
 * httpresp.h - what an HTTP handler answers: status, type, body, headers
 *
 * A handler (http.h) fills in a struct http_response; the listener sends
 * it (httpreply.c) with the headers every answer carries and frees what
 * it holds.
 */
#ifndef HTTPRESP_H
#define HTTPRESP_H

#include <stddef.h>

/* The most headers a handler may add to an answer. */
#define HTTP_HEADERS_MAX	16

/* A header a handler adds; both strings allocated (httpresp_header()). */
struct http_header {
	char		*name;
	char		*value;
};

/* What a handler answers. */
struct http_response {
	int		 status;	/* 200-599; else (0: unset) 500 */
	const char	*content_type;	/* static; NULL is text/plain UTF-8 */
	char		*body;		/* allocated or NULL; the listener
					   frees it */
	size_t		 body_len;	/* 0: strlen(body) */
	struct http_header headers[HTTP_HEADERS_MAX];
	size_t		 nheaders;	/* httpresp_header() adds; the listener
					   frees them */
};

/*
 * Add a header (name and value copied) to an answer. A header past
 * HTTP_HEADERS_MAX is dropped with a warning in the log.
 */
void httpresp_header(struct http_response *resp, const char *name,
    const char *value);

/* Free what an answer holds (body and headers) and zero it. */
void httpresp_clear(struct http_response *resp);

#endif
