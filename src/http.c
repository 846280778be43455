/*
 * http.c - a small HTTP listener on top of libmicrohttpd
 *
 * libmicrohttpd runs one polling thread of its own (poll or epoll, as it
 * sees fit) that accepts connections, reads requests and writes answers;
 * every callback below runs in that thread, one at a time. A request
 * goes through three callbacks:
 *
 *   URI log     once the request line is read: the request object is
 *               made here, with the raw URI and the client's address;
 *   access      once the headers are read (the method is checked, and a
 *               Content-Length over HTTP_BODY_MAX answered 413), then
 *               once per piece of body (kept up to HTTP_BODY_MAX; a
 *               chunked body past it is read on and dropped), then once
 *               more at the end, when the handler is called (or 413);
 *   completed   when the connection is done with the request, however
 *               it ended: the request object is freed here.
 *
 * Query strings and url-encoded forms are decoded here, not by
 * libmicrohttpd, so that a NUL byte (%00) is refused with 400 rather
 * than silently cutting a value short. A '%' without two hex digits after
 * it is kept literally, as browsers do; an argument with an empty name is
 * ignored. libmicrohttpd's own messages go to log_warn().
 */
#include "build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "http.h"
#include "log.h"
#include "xmalloc.h"

#define HTTP_CONNECTIONS	64	/* at once */
#define HTTP_TIMEOUT		10	/* seconds idle before closing */
#define HTTP_TEXT		"text/plain; charset=utf-8"
#define HTTP_FORM		"application/x-www-form-urlencoded"
#define HTTP_ALLOW		"GET, HEAD, POST"

struct http {
	struct MHD_Daemon	*daemon;
	http_handler		 handler;
	void			*arg;
	pthread_mutex_t		 lock;		/* guards the two below */
	int			 starting;
	char			*startmsg;	/* last one while starting */
};

/* A decoded argument. */
struct http_field {
	char			*name;
	char			*value;
};

struct http_request {
	struct MHD_Connection	*conn;
	const char		*method;	/* libmicrohttpd's */
	char			*uri;		/* raw, as the client sent it */
	char			*path;		/* decoded */
	char			 peer[INET6_ADDRSTRLEN];
	char			*body;
	size_t			 len;		/* over the limit: too large */
	struct http_field	*args;		/* query first, then form */
	size_t			 nargs;
};

/* Pass a libmicrohttpd message to the log, or keep it while starting. */
static void __attribute__((format(printf, 2, 0)))
http_log(void *cls, const char *fmt, va_list ap)
{
	struct http	*h = cls;
	char		 buf[512], *clean;

	vsnprintf(buf, sizeof buf, fmt, ap);
	clean = log_clean(buf, strcspn(buf, "\r\n"), 400);
	pthread_mutex_lock(&h->lock);
	if (h->starting) {
		free(h->startmsg);
		h->startmsg = clean;
		clean = NULL;
	}
	pthread_mutex_unlock(&h->lock);
	if (clean != NULL) {
		log_warn("http: %s", clean);
		free(clean);
	}
}

/* Percent-decode src[0..len); NULL if the result would hold a NUL. */
char *
http_decode(const char *src, size_t len, int plus)
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

/*
 * Add the arguments in s[0..len) ("a=1&b=2", url-encoded) to req.
 * Returns 0, or -1 if one holds a NUL byte.
 */
static int
http_parse_args(struct http_request *req, const char *s, size_t len)
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
		if ((name = http_decode(s, eq - s, 1)) == NULL)
			return -1;
		value = eq == amp ? xstrdup("") :
		    http_decode(eq + 1, amp - eq - 1, 1);
		if (value == NULL) {
			free(name);
			return -1;
		}
		req->args = xreallocarray(req->args, req->nargs + 1,
		    sizeof *req->args);
		req->args[req->nargs].name = name;
		req->args[req->nargs++].value = value;
	}
	return 0;
}

/* Decode the path, the query and any form. Returns 0, or -1 for a NUL. */
static int
http_prepare(struct http_request *req)
{
	const char	*uri = req->uri, *q, *type;
	size_t		 n = strlen(HTTP_FORM);

	q = strchr(uri, '?');
	if ((req->path = http_decode(uri, q != NULL ? (size_t)(q - uri) :
	    strlen(uri), 0)) == NULL)
		return -1;
	if (q != NULL && http_parse_args(req, q + 1, strlen(q + 1)) != 0)
		return -1;
	type = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	if (strcmp(req->method, MHD_HTTP_METHOD_POST) != 0 || req->len == 0 ||
	    type == NULL || strncasecmp(type, HTTP_FORM, n) != 0 ||
	    (type[n] != '\0' && type[n] != ';' && type[n] != ' '))
		return 0;
	return http_parse_args(req, req->body, req->len);
}

/* Free a request and what it holds. */
static void
http_request_free(struct http_request *req)
{
	size_t	i;

	if (req == NULL)
		return;
	for (i = 0; i < req->nargs; i++) {
		free(req->args[i].name);
		free(req->args[i].value);
	}
	free(req->args);
	free(req->body);
	free(req->path);
	free(req->uri);
	free(req);
}

/* Make the request object once the request line is read. */
static void *
http_uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;
	struct http_request		*req;
	const struct sockaddr		*sa = NULL;

	(void)cls;
	req = xcalloc(1, sizeof *req);
	req->conn = conn;
	req->uri = xstrdup(uri);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL)
		sa = ci->client_addr;
	if (sa == NULL || getnameinfo(sa, sa->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
	    req->peer, sizeof req->peer, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(req->peer, sizeof req->peer, "unknown");
	return req;
}

/* Free the request object when its connection is done with it. */
static void
http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	http_request_free(*con_cls);
	*con_cls = NULL;
}

/*
 * Queue an answer with body (allocated or NULL; always consumed) and one
 * more header if name and value are not NULL.
 */
static enum MHD_Result
http_reply(struct MHD_Connection *conn, int status, const char *type,
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
	    type != NULL ? type : HTTP_TEXT) != MHD_YES ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store") != MHD_YES ||
	    MHD_add_response_header(r, "X-Content-Type-Options",
	    "nosniff") != MHD_YES)
		goto fail;
	if (name != NULL && value != NULL &&
	    MHD_add_response_header(r, name, value) != MHD_YES)
		goto fail;
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED &&
	    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
	    HTTP_ALLOW) != MHD_YES)
		goto fail;
	ret = MHD_queue_response(conn, (unsigned int)status, r);
fail:
	MHD_destroy_response(r);
	return ret;
}

/* Answer with the listener's own status and a one-line text. */
static enum MHD_Result
http_error(struct MHD_Connection *conn, int status, const char *text)
{
	return http_reply(conn, status, NULL, xasprintf("%s\n", text), NULL,
	    NULL);
}

/* Take one call for a request from libmicrohttpd (see the top). */
static enum MHD_Result
http_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct http		*h = cls;
	struct http_request	*req = *con_cls;
	struct http_response	 resp;
	const char		*cl;

	(void)version;
	if (req == NULL)	/* no URI log call: not expected */
		*con_cls = req = http_uri_log(h, url, conn);
	if (req->method == NULL) {	/* headers just read */
		req->method = method;
		if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0 &&
		    strcmp(method, MHD_HTTP_METHOD_POST) != 0)
			return http_error(conn, 405, "method not allowed");
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > HTTP_BODY_MAX)
			return http_error(conn, 413, "request body too large");
		return MHD_YES;
	}

	if (*upload_size != 0) {	/* a piece of body */
		if (req->len + *upload_size > HTTP_BODY_MAX)
			req->len = HTTP_BODY_MAX + 1;	/* 413 at the end */
		else {
			req->body = xreallocarray(req->body,
			    req->len + *upload_size + 1, 1);
			memcpy(req->body + req->len, upload, *upload_size);
			req->len += *upload_size;
			req->body[req->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}

	if (req->len > HTTP_BODY_MAX)
		return http_error(conn, 413, "request body too large");
	if (http_prepare(req) != 0)
		return http_error(conn, 400, "NUL byte in request");

	memset(&resp, 0, sizeof resp);
	h->handler(req, &resp, h->arg);
	if (resp.status < 200 || resp.status > 599) {
		log_warn("http: handler gave status %d for %s", resp.status,
		    req->method);
		free(resp.body);
		return http_error(conn, 500, "internal error");
	}
	return http_reply(conn, resp.status, resp.content_type, resp.body,
	    resp.header_name, resp.header_value);
}

/*
 * Turn "HOST:PORT", "[IPV6]:PORT" or "PORT" into a socket address.
 * Returns NULL, or what is wrong with it (a static string).
 */
static const char *
http_parse_listen(const char *listen, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*end, *port, *addr, *why = NULL;
	char			*host = NULL;
	unsigned long		 n;
	int			 v6 = listen[0] == '[';

	memset(ss, 0, sizeof *ss);
	if (v6 && ((end = strchr(listen, ']')) == NULL || end[1] != ':'))
		return "expected [IPV6]:PORT";
	if (v6) {
		host = xstrndup(listen + 1, end - listen - 1);
		port = end + 2;
	} else if ((end = strrchr(listen, ':')) != NULL) {
		host = xstrndup(listen, end - listen);
		port = end + 1;
	} else
		port = listen;
	addr = host != NULL ? host : "127.0.0.1";
	if (!v6 && strcmp(addr, "localhost") == 0)
		addr = "127.0.0.1";

	n = strtoul(port, NULL, 10);
	if (*port == '\0' || strspn(port, "0123456789") != strlen(port))
		why = "the port is not a number";
	else if (strlen(port) > 5 || n > 65535)
		why = "the port is out of range (0-65535)";
	else if (v6 && inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)n);
	} else if (!v6 && inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)n);
	} else if (v6)
		why = "not a numeric IPv6 address";
	else if (strchr(addr, ':') != NULL)
		why = "an IPv6 address goes in brackets";
	else
		why = "not a numeric IPv4 address or localhost";
	free(host);
	return why;
}

/* Check listen text as http_new() reads it. */
int
http_listen_check(const char *listen, char **cause)
{
	struct sockaddr_storage	 ss;
	const char		*why;

	if ((why = http_parse_listen(listen, &ss)) == NULL)
		return 0;
	if (cause != NULL)
		*cause = xstrdup(why);
	return -1;
}

/* Start listening on listen. */
struct http *
http_new(const char *listen, http_handler handler, void *arg, char **cause)
{
	struct sockaddr_storage	 ss;
	struct http		*h;
	const char		*bad;
	char			*why;

	if ((bad = http_parse_listen(listen, &ss)) != NULL) {
		why = xasprintf("listen address \"%s\": %s", listen, bad);
		goto fail;
	}

	h = xcalloc(1, sizeof *h);
	h->handler = handler;
	h->arg = arg;
	pthread_mutex_init(&h->lock, NULL);
	h->starting = 1;
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_AUTO | MHD_USE_ERROR_LOG |
	    (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL,
	    http_access, h,
	    MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_CONNECTIONS,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT,
	    MHD_OPTION_URI_LOG_CALLBACK, http_uri_log, h,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, h,
	    MHD_OPTION_END);
	pthread_mutex_lock(&h->lock);
	h->starting = 0;	/* startmsg is ours from here on */
	pthread_mutex_unlock(&h->lock);
	if (h->daemon != NULL && h->startmsg != NULL)
		log_warn("http: %s", h->startmsg);
	if (h->daemon != NULL)
		return h;
	why = xasprintf("listen address \"%s\": %s", listen,
	    h->startmsg != NULL ? h->startmsg : "cannot start the listener");
	http_free(h);

fail:
	if (cause != NULL)
		*cause = why;
	else
		free(why);
	return NULL;
}

/* Stop the listener and free it. */
void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	if (h->daemon != NULL)
		MHD_stop_daemon(h->daemon);
	pthread_mutex_destroy(&h->lock);
	free(h->startmsg);
	free(h);
}

/* Return the bound port. */
int
http_port(const struct http *h)
{
	const union MHD_DaemonInfo	*di;

	di = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	return di != NULL ? di->port : 0;
}

/* Return the request method. */
const char *
http_method(const struct http_request *req)
{
	return req->method;
}

/* Return the decoded path. */
const char *
http_path(const struct http_request *req)
{
	return req->path;
}

/* Return the client's address as text. */
const char *
http_peer(const struct http_request *req)
{
	return req->peer;
}

/* Return an argument from the query or the form, or NULL. */
const char *
http_arg(const struct http_request *req, const char *name)
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
http_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}
