/*
 * httpreq.c - a request to the HTTP listener, as its handler sees it
 *
 * Query strings and url-encoded forms are decoded here, not by
 * libmicrohttpd, so that a NUL byte (%00) is refused with 400 rather
 * than silently cutting a value short. A '%' without two hex digits after
 * it is kept literally, as browsers do; an argument with an empty name is
 * ignored. The body is kept up to HTTPREQ_BODY_MAX; past it, the request
 * only remembers that it was too large.
 */
#include "build.h"

#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpreq.h"
#include "xmalloc.h"

#define HTTPREQ_FORM	"application/x-www-form-urlencoded"

/* A name and a value: a decoded argument, or a header. */
struct httpreq_field {
	char			*name;
	char			*value;
};

struct httpreq {
	char			*method;
	char			*uri;		/* raw, as the client sent it */
	char			*path;		/* decoded */
	char			 peer[INET6_ADDRSTRLEN];
	char			*body;
	size_t			 len;		/* over the limit: too large */
	struct httpreq_field	*args;		/* query first, then form */
	size_t			 nargs;
	struct httpreq_field	*headers;
	size_t			 nheaders;
};

/* Percent-decode src[0..len); NULL if the result would hold a NUL. */
char *
httpreq_decode(const char *src, size_t len, int plus)
{
	char	*out, hex[3] = { 0 };
	size_t	 i, o = 0;
	int	 c;

	out = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)src[i];
		if (c == '%' && len - i >= 3 &&
		    isxdigit((unsigned char)src[i + 1]) &&
		    isxdigit((unsigned char)src[i + 2])) {
			memcpy(hex, src + i + 1, 2);
			c = (int)strtol(hex, NULL, 16);
			i += 2;
		} else if (c == '+' && plus)
			c = ' ';
		if (c == '\0') {
			free(out);
			return NULL;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return out;
}

/* Add a name and a value (both allocated, taken) to a list of fields. */
static void
httpreq_field_add(struct httpreq_field **list, size_t *n, char *name,
    char *value)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[*n].name = name;
	(*list)[(*n)++].value = value;
}

/* Free a list of fields. */
static void
httpreq_field_free(struct httpreq_field *list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].value);
	}
	free(list);
}

/*
 * Add the arguments in s[0..len) ("a=1&b=2", url-encoded) to req.
 * Returns 0, or -1 if one holds a NUL byte.
 */
static int
httpreq_parse_args(struct httpreq *req, const char *s, size_t len)
{
	const char	*end = s + len, *amp, *eq;
	char		*name, *value;

	for (; s < end; s = amp + 1) {
		if ((amp = memchr(s, '&', end - s)) == NULL)
			amp = end;
		if ((eq = memchr(s, '=', amp - s)) == NULL)
			eq = amp;
		if (eq == s)
			continue;	/* no name */
		if ((name = httpreq_decode(s, eq - s, 1)) == NULL)
			return -1;
		value = eq == amp ? xstrdup("") :
		    httpreq_decode(eq + 1, amp - eq - 1, 1);
		if (value == NULL) {
			free(name);
			return -1;
		}
		httpreq_field_add(&req->args, &req->nargs, name, value);
	}
	return 0;
}

/* Make a request from its parts. */
struct httpreq *
httpreq_new(const char *method, const char *uri, const char *peer)
{
	struct httpreq	*req;

	req = xcalloc(1, sizeof *req);
	req->method = method != NULL ? xstrdup(method) : NULL;
	req->uri = xstrdup(uri);
	snprintf(req->peer, sizeof req->peer, "%s", peer);
	return req;
}

/* Set the method of a request made without one. */
void
httpreq_set_method(struct httpreq *req, const char *method)
{
	free(req->method);
	req->method = xstrdup(method);
}

/* Add a header to a request. */
void
httpreq_add_header(struct httpreq *req, const char *name,
    const char *value)
{
	httpreq_field_add(&req->headers, &req->nheaders, xstrdup(name),
	    xstrdup(value));
}

/* Add a piece of body to a request. */
int
httpreq_add_body(struct httpreq *req, const char *data, size_t len)
{
	if (req->len > HTTPREQ_BODY_MAX ||
	    len > HTTPREQ_BODY_MAX - req->len) {
		req->len = HTTPREQ_BODY_MAX + 1;	/* 413 */
		return -1;
	}
	req->body = xreallocarray(req->body, req->len + len + 1, 1);
	memcpy(req->body + req->len, data, len);
	req->len += len;
	req->body[req->len] = '\0';
	return 0;
}

/* Return 1 if the body passed the limit. */
int
httpreq_too_large(const struct httpreq *req)
{
	return req->len > HTTPREQ_BODY_MAX;
}

/* Decode the path, the query and any form. */
int
httpreq_prepare(struct httpreq *req)
{
	const char	*uri = req->uri, *q, *type;
	size_t		 n = strlen(HTTPREQ_FORM);

	if (req->path != NULL)
		return 0;	/* once only */
	q = strchr(uri, '?');
	if ((req->path = httpreq_decode(uri, q != NULL ? (size_t)(q - uri) :
	    strlen(uri), 0)) == NULL)
		return -1;
	if (q != NULL && httpreq_parse_args(req, q + 1, strlen(q + 1)) != 0)
		return -1;
	type = httpreq_header(req, "Content-Type");
	if (req->method == NULL || strcmp(req->method, "POST") != 0 ||
	    req->len == 0 || req->len > HTTPREQ_BODY_MAX || type == NULL ||
	    strncasecmp(type, HTTPREQ_FORM, n) != 0 ||
	    (type[n] != '\0' && type[n] != ';' && type[n] != ' '))
		return 0;
	return httpreq_parse_args(req, req->body, req->len);
}

/* Free a request and what it holds. */
void
httpreq_free(struct httpreq *req)
{
	if (req == NULL)
		return;
	httpreq_field_free(req->args, req->nargs);
	httpreq_field_free(req->headers, req->nheaders);
	free(req->body);
	free(req->path);
	free(req->uri);
	free(req->method);
	free(req);
}

/* Return the request method. */
const char *
httpreq_method(const struct httpreq *req)
{
	return req->method;
}

/* Return the decoded path. */
const char *
httpreq_path(const struct httpreq *req)
{
	return req->path;
}

/* Return the client's address as text. */
const char *
httpreq_peer(const struct httpreq *req)
{
	return req->peer;
}

/* Return an argument from the query or the form, or NULL. */
const char *
httpreq_arg(const struct httpreq *req, const char *name)
{
	size_t	i;

	for (i = 0; i < req->nargs; i++) {
		if (strcmp(req->args[i].name, name) == 0)
			return req->args[i].value;
	}
	return NULL;
}

/* Return a header's value, or NULL. */
const char *
httpreq_header(const struct httpreq *req, const char *name)
{
	size_t	i;

	for (i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	}
	return NULL;
}

/* Percent-encode s, keeping letters, digits and the bytes of keep. */
char *
httpreq_encode(const char *s, const char *keep)
{
	char		*out = xmalloc(strlen(s) * 3 + 1), *o = out;
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p) != NULL)
			*o++ = *p;
		else
			o += sprintf(o, "%%%02X", (unsigned char)*p);
	}
	*o = '\0';
	return out;
}
