/*
 * test_http.c - unit tests for the HTTP listener
 *
 * Each test starts a listener on a loopback port picked by the kernel and
 * talks to it over a real socket: the client writes a raw request (with
 * "Connection: close") and reads the whole answer, so the tests see
 * exactly the bytes a delivery gateway would. The handler records what
 * it was shown - method, path, peer, the arguments and headers the test
 * asks about - and answers what the test tells it to. Without an IPv6
 * loopback address the IPv6 test is skipped (exit 77), except in CI
 * (CI=true), where that fails.
 */
#include "build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "http.h"
#include "httpreq.h"
#include "log.h"
#include "clock.h"
#include "testlog.h"
#include "testskip.h"
#include "testslow.h"
#include "xmalloc.h"

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])
#define MAXNAMES	12

/* What the handler answers and what it saw. */
struct test_http_ctx {
	pthread_mutex_t	 lock;
	/* Set by the test. */
	const char	*names[MAXNAMES];	/* arguments to look up */
	const char	*headers[MAXNAMES];	/* headers to look up */
	int		 status;
	const char	*type;
	const char	*body;
	/* Set by the handler. */
	int		 calls;
	int		 inside, overlap;
	char		*method, *path, *peer;
	char		*values[MAXNAMES];
	char		*hvalues[MAXNAMES];
};

/* An answer as read from the socket. */
struct test_http_answer {
	char		*raw;
	int		 status;
	char		*head;		/* status line and headers */
	char		*body;
};

/* Copy s if it is not NULL. */
static char *
test_http_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* Record the request and answer as the context says. */
static void
test_http_handler(const struct httpreq *req, struct http_response *resp,
    void *arg)
{
	struct test_http_ctx	*ctx = arg;
	size_t			 i;

	pthread_mutex_lock(&ctx->lock);
	if (ctx->inside)
		ctx->overlap = 1;
	ctx->inside = 1;
	ctx->calls++;
	free(ctx->method);
	free(ctx->path);
	free(ctx->peer);
	ctx->method = xstrdup(httpreq_method(req));
	ctx->path = xstrdup(httpreq_path(req));
	ctx->peer = xstrdup(httpreq_peer(req));
	for (i = 0; i < MAXNAMES; i++) {
		free(ctx->values[i]);
		free(ctx->hvalues[i]);
		ctx->values[i] = ctx->hvalues[i] = NULL;
		if (ctx->names[i] != NULL)
			ctx->values[i] = test_http_dup(httpreq_arg(req,
			    ctx->names[i]));
		if (ctx->headers[i] != NULL)
			ctx->hvalues[i] = test_http_dup(httpreq_header(req,
			    ctx->headers[i]));
	}
	resp->status = ctx->status;
	resp->content_type = ctx->type;
	resp->body = test_http_dup(ctx->body);
	pthread_mutex_unlock(&ctx->lock);
	usleep(1000);	/* widen the window for overlapping calls */
	pthread_mutex_lock(&ctx->lock);
	ctx->inside = 0;
	pthread_mutex_unlock(&ctx->lock);
}

/* Make a context that answers 200 "ok". */
static struct test_http_ctx *
test_http_ctx_new(void)
{
	struct test_http_ctx	*ctx;

	ctx = xcalloc(1, sizeof *ctx);
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->status = 200;
	ctx->body = "ok\n";
	return ctx;
}

/* Free a context. */
static void
test_http_ctx_free(struct test_http_ctx *ctx)
{
	size_t	i;

	for (i = 0; i < MAXNAMES; i++) {
		free(ctx->values[i]);
		free(ctx->hvalues[i]);
	}
	free(ctx->method);
	free(ctx->path);
	free(ctx->peer);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

/* Start a listener on listen for ctx, failing the test if it cannot. */
static struct http *
test_http_start(const char *listen, struct test_http_ctx *ctx)
{
	struct http	*h;
	char		*cause = NULL;

	h = http_new(listen, test_http_handler, ctx, &cause);
	if (h == NULL)
		fail_msg("http_new %s: %s", listen, cause);
	assert_true(http_port(h) > 0);
	return h;
}

/*
 * Connect to port on 127.0.0.1 (or ::1 if v6), write len bytes of req
 * (then shut down the sending side if hangup is set), read until the
 * server closes and return what came (allocated, with *outlen set).
 * Returns NULL if the connection failed.
 */
static char *
test_http_raw(int v6, int port, const char *req, size_t len, int hangup,
    size_t *outlen)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct pollfd		 pfd;
	char			*buf;
	size_t			 off = 0, size = 4096;
	ssize_t			 n;
	int			 fd, r;

	memset(&sin, 0, sizeof sin);
	memset(&sin6, 0, sizeof sin6);
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	if (v6) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		sin6.sin6_addr = in6addr_loopback;
		r = connect(fd, (struct sockaddr *)&sin6, sizeof sin6);
	} else {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		r = connect(fd, (struct sockaddr *)&sin, sizeof sin);
	}
	if (r != 0) {
		close(fd);
		return NULL;
	}
	while (off < len) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			break;	/* the server may answer before reading all */
		off += (size_t)n;
	}
	if (hangup)
		shutdown(fd, SHUT_WR);
	buf = xmalloc(size);
	off = 0;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 5000) != 1)
			fail_msg("no answer within 5 s to %.30s", req);
		if (off + 1 >= size)
			buf = xreallocarray(buf, size *= 2, 1);
		n = recv(fd, buf + off, size - off - 1, 0);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	*outlen = off;
	return buf;
}

/* Connect to port on 127.0.0.1, write len bytes of req, close at once. */
static void
test_http_drop(int port, const char *req, size_t len)
{
	struct sockaddr_in	sin;
	int			fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	close(fd);
}

/* Send a NUL-terminated request and split the answer. */
static struct test_http_answer
test_http_send(int v6, int port, const char *req)
{
	struct test_http_answer	 a;
	char			*end;
	size_t			 len;

	memset(&a, 0, sizeof a);
	a.raw = test_http_raw(v6, port, req, strlen(req), 0, &len);
	assert_non_null(a.raw);
	assert_int_equal(strlen(a.raw), len);
	assert_true(strncmp(a.raw, "HTTP/1.", 7) == 0);
	a.status = atoi(a.raw + 9);
	end = strstr(a.raw, "\r\n\r\n");
	assert_non_null(end);
	a.head = xstrndup(a.raw, end + 2 - a.raw);
	a.body = end + 4;
	return a;
}

/* Free what an answer holds. */
static void
test_http_answer_free(struct test_http_answer *a)
{
	free(a->raw);
	free(a->head);
}

/* Return the value of header name in an answer (allocated), or NULL. */
static char *
test_http_answer_header(const struct test_http_answer *a, const char *name)
{
	const char	*line, *eol;
	size_t		 len = strlen(name);

	line = strstr(a->head, "\r\n") + 2;
	for (; *line != '\0'; line = eol + 2) {
		eol = strstr(line, "\r\n");
		if (strncasecmp(line, name, len) == 0 && line[len] == ':') {
			line += len + 1;
			while (*line == ' ')
				line++;
			return xstrndup(line, eol - line);
		}
	}
	return NULL;
}

/* Assert that header name of an answer is value. */
static void
test_http_assert_header(const struct test_http_answer *a, const char *name,
    const char *value)
{
	char	*v;

	v = test_http_answer_header(a, name);
	if (v == NULL)
		fail_msg("no %s header in:\n%s", name, a->head);
	assert_string_equal(v, value);
	free(v);
}

/* Assert the two security headers every answer carries. */
static void
test_http_assert_secure(const struct test_http_answer *a)
{
	test_http_assert_header(a, "Cache-Control", "no-store");
	test_http_assert_header(a, "X-Content-Type-Options", "nosniff");
}

/* Send req and assert the status; the handler's call count is returned. */
static int
test_http_expect(struct http *h, struct test_http_ctx *ctx, const char *req,
    int status)
{
	struct test_http_answer	a;
	int			calls;

	a = test_http_send(0, http_port(h), req);
	if (a.status != status)
		fail_msg("expected %d, got:\n%s", status, a.raw);
	test_http_assert_secure(&a);
	test_http_answer_free(&a);
	pthread_mutex_lock(&ctx->lock);
	calls = ctx->calls;
	pthread_mutex_unlock(&ctx->lock);
	return calls;
}

/* Percent-decoding on its own. */
static void
test_http_decode(void **state)
{
	const struct {
		const char	*in;
		int		 plus;
		const char	*out;
	} cases[] = {
		{ "a%20b", 1, "a b" },
		{ "a+b", 1, "a b" },
		{ "a+b", 0, "a+b" },
		{ "%2B%2b", 1, "++" },
		{ "%e2%82%AC", 1, "\xe2\x82\xac" },
		{ "%", 1, "%" },
		{ "%4", 1, "%4" },
		{ "100%", 1, "100%" },
		{ "%zz%4g%g4", 1, "%zz%4g%g4" },
		{ "%%41", 1, "%A" },
		{ "%\x10\x11%\x1a", 1, "%\x10\x11%\x1a" },
		{ "", 1, "" },
		{ "%00", 1, NULL },
		{ "a%00b", 0, NULL },
	};
	size_t	 i;
	char	*s;

	(void)state;
	for (i = 0; i < NITEMS(cases); i++) {
		s = httpreq_decode(cases[i].in, strlen(cases[i].in),
		    cases[i].plus);
		if (cases[i].out == NULL)
			assert_null(s);
		else {
			assert_non_null(s);
			assert_string_equal(s, cases[i].out);
		}
		free(s);
	}
	/* Only len bytes are read; a raw NUL inside them is refused. */
	s = httpreq_decode("ab%41", 3, 1);
	assert_string_equal(s, "ab%");
	free(s);
	assert_null(httpreq_decode("a\0b", 3, 1));
}

/* A Kannel-style GET: the path, the peer and decoded query arguments. */
static void
test_http_get_args(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct http		*h;
	const char		*names[] = { "a", "b", "c", "sp", "empty",
	    "bare", "d", "e", "", "missing", "A" };
	struct test_http_answer	 a;
	size_t			 i;

	(void)state;
	for (i = 0; i < NITEMS(names); i++)
		ctx->names[i] = names[i];
	h = test_http_start("127.0.0.1:0", ctx);
	assert_int_equal(test_http_expect(h, ctx,
	    "GET /receipt/k%61nnel?a=hello%20world&b=1+2&c=%7e&sp=a%2Bb"
	    "&empty=&bare&d=%zz&e=50%&=x&&a=second HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", 200), 1);
	assert_string_equal(ctx->method, "GET");
	assert_string_equal(ctx->path, "/receipt/kannel");
	assert_string_equal(ctx->peer, "127.0.0.1");
	assert_string_equal(ctx->values[0], "hello world");
	assert_string_equal(ctx->values[1], "1 2");
	assert_string_equal(ctx->values[2], "~");
	assert_string_equal(ctx->values[3], "a+b");
	assert_string_equal(ctx->values[4], "");
	assert_string_equal(ctx->values[5], "");
	assert_string_equal(ctx->values[6], "%zz");
	assert_string_equal(ctx->values[7], "50%");
	assert_null(ctx->values[8]);	/* "=x" has no name */
	assert_null(ctx->values[9]);
	assert_null(ctx->values[10]);	/* names are case-sensitive */

	/* HEAD reaches the handler too, and gets no body. */
	a = test_http_send(0, http_port(h), "HEAD /healthz HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n");
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "");
	test_http_assert_secure(&a);
	test_http_answer_free(&a);
	assert_int_equal(ctx->calls, 2);
	assert_string_equal(ctx->method, "HEAD");
	assert_string_equal(ctx->path, "/healthz");
	assert_null(ctx->values[0]);
	http_free(h);
	test_http_ctx_free(ctx);
}

/* A Twilio-style POST: form fields, and the query winning over them. */
static void
test_http_post_form(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct http		*h;
	const char		*names[] = { "MessageSid", "MessageStatus",
	    "ErrorCode", "To", "Only" };
	const char		*form = "MessageSid=SM0123&MessageStatus="
	    "delivered&ErrorCode=&To=%2B14165550100&Only=form+field";
	struct test_http_answer	 a;
	char			*req;
	size_t			 i;

	(void)state;
	for (i = 0; i < NITEMS(names); i++)
		ctx->names[i] = names[i];
	h = test_http_start("127.0.0.1:0", ctx);
	req = xasprintf("POST /receipt/twilio?MessageStatus=sent HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\nContent-Type: "
	    "Application/X-WWW-Form-Urlencoded; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n\r\n%s", strlen(form), form);
	assert_int_equal(test_http_expect(h, ctx, req, 200), 1);
	free(req);
	assert_string_equal(ctx->method, "POST");
	assert_string_equal(ctx->path, "/receipt/twilio");
	assert_string_equal(ctx->values[0], "SM0123");
	assert_string_equal(ctx->values[1], "sent");
	assert_string_equal(ctx->values[2], "");
	assert_string_equal(ctx->values[3], "+14165550100");
	assert_string_equal(ctx->values[4], "form field");

	/*
	 * One request per connection: a second one sent after a form on
	 * the same connection is not read, the answer to the first says
	 * so; nothing of the form is left in the next request.
	 */
	req = xasprintf("POST /one HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: %zu\r\n\r\n%s"
	    "GET /two?To=x HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\n\r\n", strlen(form), form);
	a = test_http_send(0, http_port(h), req);
	free(req);
	assert_int_equal(a.status, 200);
	test_http_assert_header(&a, "Connection", "close");
	assert_string_equal(a.body, "ok\n");
	test_http_answer_free(&a);
	assert_int_equal(ctx->calls, 2);
	assert_string_equal(ctx->path, "/one");
	assert_int_equal(test_http_expect(h, ctx, "GET /two?To=x HTTP/1.1\r\n"
	    "Host: localhost\r\n\r\n", 200), 3);
	assert_string_equal(ctx->path, "/two");
	assert_null(ctx->values[0]);
	assert_string_equal(ctx->values[3], "x");

	/* A body of another type is not read as a form. */
	req = xasprintf("POST /receipt/twilio HTTP/1.1\r\nHost: localhost\r\n"
	    "Connection: close\r\nContent-Type: application/json\r\n"
	    "Content-Length: %zu\r\n\r\n%s", strlen(form), form);
	assert_int_equal(test_http_expect(h, ctx, req, 200), 4);
	free(req);
	assert_null(ctx->values[0]);
	http_free(h);
	test_http_ctx_free(ctx);
}

/* Headers are found whatever the case of their name. */
static void
test_http_headers(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct http		*h;

	(void)state;
	ctx->headers[0] = "x-closeloop-token";
	ctx->headers[1] = "X-CLOSELOOP-TOKEN";
	ctx->headers[2] = "user-agent";
	ctx->headers[3] = "X-Absent";
	h = test_http_start("127.0.0.1:0", ctx);
	assert_int_equal(test_http_expect(h, ctx, "GET / HTTP/1.1\r\n"
	    "Host: localhost\r\nX-Closeloop-Token: s3cret Value\r\n"
	    "User-Agent: Kannel/1.4.5\r\nConnection: close\r\n\r\n", 200), 1);
	assert_string_equal(ctx->hvalues[0], "s3cret Value");
	assert_string_equal(ctx->hvalues[1], "s3cret Value");
	assert_string_equal(ctx->hvalues[2], "Kannel/1.4.5");
	assert_null(ctx->hvalues[3]);
	http_free(h);
	test_http_ctx_free(ctx);
}

/* The handler's status, type and body come back as they were. */
static void
test_http_response(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct test_http_answer	 a;
	struct http		*h;
	char			*len;
	const char		*get = "GET /metrics HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n";

	(void)state;
	h = test_http_start("127.0.0.1:0", ctx);
	ctx->status = 403;
	ctx->type = "application/json";
	ctx->body = "{\"error\": \"forbidden \\u00e9\"}\n";
	a = test_http_send(0, http_port(h), get);
	assert_int_equal(a.status, 403);
	assert_string_equal(a.body, ctx->body);
	test_http_assert_header(&a, "Content-Type", "application/json");
	len = xasprintf("%zu", strlen(ctx->body));
	test_http_assert_header(&a, "Content-Length", len);
	free(len);
	test_http_assert_secure(&a);
	test_http_answer_free(&a);

	/* No type: plain UTF-8 text. No body: an empty one. */
	ctx->status = 204;
	ctx->type = NULL;
	ctx->body = NULL;
	a = test_http_send(0, http_port(h), get);
	assert_int_equal(a.status, 204);
	assert_string_equal(a.body, "");
	test_http_assert_header(&a, "Content-Type",
	    "text/plain; charset=utf-8");
	test_http_assert_secure(&a);
	test_http_answer_free(&a);

	/* A handler that sets no status (or a silly one) gives 500. */
	ctx->status = 0;
	ctx->body = "lost\n";
	a = test_http_send(0, http_port(h), get);
	assert_int_equal(a.status, 500);
	assert_null(strstr(a.body, "lost"));
	test_http_assert_secure(&a);
	test_http_answer_free(&a);
	ctx->status = 1000;
	assert_int_equal(test_http_expect(h, ctx, get, 500), 4);
	ctx->status = 101;
	assert_int_equal(test_http_expect(h, ctx, get, 500), 5);
	http_free(h);
	test_http_ctx_free(ctx);
}

/* Other methods get 405 with Allow, and the handler is not called. */
static void
test_http_method(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct test_http_answer	 a;
	struct http		*h;
	const char		*methods[] = { "PUT", "DELETE", "OPTIONS",
	    "PATCH", "TRACE", "BREW" };
	char			*req;
	size_t			 i;

	(void)state;
	h = test_http_start("127.0.0.1:0", ctx);
	for (i = 0; i < NITEMS(methods); i++) {
		req = xasprintf("%s /receipt HTTP/1.1\r\nHost: localhost\r\n"
		    "Connection: close\r\nContent-Length: 3\r\n\r\nabc",
		    methods[i]);
		a = test_http_send(0, http_port(h), req);
		free(req);
		assert_int_equal(a.status, 405);
		test_http_assert_header(&a, "Allow", "GET, HEAD, POST");
		test_http_assert_secure(&a);
		test_http_answer_free(&a);
	}
	assert_int_equal(ctx->calls, 0);
	http_free(h);
	test_http_ctx_free(ctx);
}

/* Return a POST of a form field of n bytes, chunked or not. */
static char *
test_http_big_post(size_t n, int chunked)
{
	char	*value, *req;

	value = xmalloc(n - 1);
	memset(value, 'x', n - 2);
	value[n - 2] = '\0';
	if (chunked)
		req = xasprintf("POST /receipt HTTP/1.1\r\nHost: localhost\r\n"
		    "Connection: close\r\nContent-Type: "
		    "application/x-www-form-urlencoded\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n"
		    "%zx\r\nv=%s\r\n0\r\n\r\n", n, value);
	else
		req = xasprintf("POST /receipt HTTP/1.1\r\nHost: localhost\r\n"
		    "Connection: close\r\nContent-Type: "
		    "application/x-www-form-urlencoded\r\n"
		    "Content-Length: %zu\r\n\r\nv=%s", n, value);
	free(value);
	return req;
}

/* A body over 16 KiB is answered 413 without calling the handler. */
static void
test_http_too_large(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct http		*h;
	char			*req;

	(void)state;
	ctx->names[0] = "v";
	h = test_http_start("127.0.0.1:0", ctx);
	req = test_http_big_post(20 * 1024, 0);
	assert_int_equal(test_http_expect(h, ctx, req, 413), 0);
	free(req);
	req = test_http_big_post(20 * 1024, 1);
	assert_int_equal(test_http_expect(h, ctx, req, 413), 0);
	free(req);
	req = test_http_big_post(HTTPREQ_BODY_MAX + 1, 0);
	assert_int_equal(test_http_expect(h, ctx, req, 413), 0);
	free(req);

	/* A client that waits for 100 Continue is told at once. */
	assert_int_equal(test_http_expect(h, ctx, "POST /receipt HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\nContent-Length: 20480"
	    "\r\nExpect: 100-continue\r\n\r\n", 413), 0);

	/* Exactly the limit is fine, however it comes. */
	req = test_http_big_post(HTTPREQ_BODY_MAX, 0);
	assert_int_equal(test_http_expect(h, ctx, req, 200), 1);
	free(req);
	assert_int_equal(strlen(ctx->values[0]), HTTPREQ_BODY_MAX - 2);
	req = test_http_big_post(HTTPREQ_BODY_MAX, 1);
	assert_int_equal(test_http_expect(h, ctx, req, 200), 2);
	free(req);
	assert_int_equal(strlen(ctx->values[0]), HTTPREQ_BODY_MAX - 2);
	http_free(h);
	test_http_ctx_free(ctx);
}

/* A NUL byte anywhere in what is decoded is refused with 400. */
static void
test_http_nul(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct http		*h;
	const char		*reqs[] = {
		"GET /receipt?a=%00 HTTP/1.1\r\n",
		"GET /receipt?ok=1&a%00b=1 HTTP/1.1\r\n",
		"GET /rec%00eipt HTTP/1.1\r\n",
		("POST /receipt HTTP/1.1\r\nContent-Type: application/"
		    "x-www-form-urlencoded\r\nContent-Length: 9\r\n"),
	};
	char			*req;
	size_t			 i;

	(void)state;
	h = test_http_start("127.0.0.1:0", ctx);
	for (i = 0; i < NITEMS(reqs); i++) {
		req = xasprintf("%sHost: localhost\r\nConnection: close\r\n"
		    "\r\n%s", reqs[i], i == 3 ? "a=1&b=%00" : "");
		assert_int_equal(test_http_expect(h, ctx, req, 400), 0);
		free(req);
	}
	http_free(h);
	test_http_ctx_free(ctx);
}

/*
 * Put stderr back and check what was written to it: at least one line,
 * and every line a warning from log.c about http.
 */
static void
test_http_captured(struct testlog *log)
{
	char	*text, *line, *eol;
	int	 n = 0;

	text = testlog_stop(log);
	for (line = text; (eol = strchr(line, '\n')) != NULL;
	    line = eol + 1) {
		if (strncmp(line, "<4>http: ", 9) != 0)
			fail_msg("not through log_warn: %s", line);
		n++;
	}
	assert_true(n > 0);
	free(text);
}

/* Garbage does not bring the listener down. */
static void
test_http_malformed(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct http		*h;
	const char		*junk[] = {
		"GARBAGE\r\n\r\n",
		"GET\r\n\r\n",
		"GET /x HTTP/9.9\r\nHost: localhost\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n"
		    "\r\n",
		"GET /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: "
		    "99999999999999999999999\r\n\r\n",
		"POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: "
		    "chunked\r\n\r\nzz\r\n",
		"GET /x HTTP/1.1\r\nno colon here\r\n\r\n",
	};
	const char		*cut[] = {
		"GET /x HTTP/1.1\r\nHost: local",
		("POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10"
		    "\r\n\r\na=1"),
		"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",	/* TLS */
	};
	struct testlog		 log;
	char			*big, *out;
	size_t			 i, len;
	int			 calls;

	(void)state;
	h = test_http_start("127.0.0.1:0", ctx);
	testlog_start(&log);
	for (i = 0; i < NITEMS(junk); i++) {
		out = test_http_raw(0, http_port(h), junk[i], strlen(junk[i]),
		    1, &len);
		assert_non_null(out);
		free(out);
	}
	for (i = 0; i < NITEMS(cut); i++)
		test_http_drop(http_port(h), cut[i], strlen(cut[i]));
	assert_int_equal(ctx->calls, 0);

	/*
	 * A NUL in the request line, which libmicrohttpd would read as a
	 * request for "/", is refused; headers past the memory limit.
	 */
	out = test_http_raw(0, http_port(h), "GET /\0x HTTP/1.1\r\n\r\n", 20,
	    1, &len);
	assert_non_null(out);
	assert_true(strncmp(out, "HTTP/1.1 400 ", 13) == 0);
	free(out);
	big = xmalloc(70000);
	memset(big, 'a', 70000);
	memcpy(big, "GET /x HTTP/1.1\r\nX-Big: ", 24);
	memcpy(big + 70000 - 4, "\r\n\r\n", 4);
	out = test_http_raw(0, http_port(h), big, 70000, 1, &len);
	free(out);
	free(big);
	test_http_captured(&log);
	calls = ctx->calls;

	assert_int_equal(test_http_expect(h, ctx, "GET /after HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", 200),
	    calls + 1);
	assert_string_equal(ctx->path, "/after");
	http_free(h);
	test_http_ctx_free(ctx);
}

/* Tell whether this machine can bind the IPv6 loopback address. */
static int
test_http_have_ipv6(void)
{
	struct sockaddr_in6	sin6;
	int			fd, ok;

	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) == -1)
		return 0;
	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&sin6, sizeof sin6) == 0;
	close(fd);
	return ok;
}

/* "[::1]:0" listens on the IPv6 loopback address, and only there. */
static void
test_http_ipv6(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct test_http_answer	 a;
	struct http		*h;
	char			*out;
	size_t			 len;

	(void)state;
	if (!test_http_have_ipv6()) {
		test_http_ctx_free(ctx);
		testskip("no IPv6 loopback address");
	}
	h = test_http_start("[::1]:0", ctx);
	a = test_http_send(1, http_port(h), "GET /v6?x=1 HTTP/1.1\r\n"
	    "Host: [::1]\r\nConnection: close\r\n\r\n");
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "ok\n");
	test_http_answer_free(&a);
	assert_string_equal(ctx->peer, "::1");
	assert_string_equal(ctx->path, "/v6");
	/* Not on 127.0.0.1 (where another program may have the port). */
	out = test_http_raw(0, http_port(h), "GET / HTTP/1.1\r\n"
	    "Connection: close\r\n\r\n", 37, 0, &len);
	free(out);
	assert_int_equal(ctx->calls, 1);
	http_free(h);
	test_http_ctx_free(ctx);
}

/* Count the entries of directory /proc/self/what (threads, fds). */
static int
test_http_count(const char *what)
{
	struct dirent	*de;
	char		*path;
	DIR		*d;
	int		 n = 0;

	path = xasprintf("/proc/self/%s", what);
	d = opendir(path);
	free(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n - (strcmp(what, "fd") == 0);	/* opendir's own */
}

/*
 * "PORT" and "localhost:PORT" listen on 127.0.0.1, in one thread of
 * their own that http_free() ends, closing every descriptor.
 */
static void
test_http_listen_forms(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	const char		*forms[] = { "0", "localhost:0",
	    "127.0.0.1:0" };
	struct http		*h;
	size_t			 i;
	int			 threads, fds;

	(void)state;
	threads = test_http_count("task");
	fds = test_http_count("fd");
	for (i = 0; i < NITEMS(forms); i++) {
		h = test_http_start(forms[i], ctx);
		assert_int_equal(test_http_count("task"), threads + 1);
		assert_int_equal(test_http_expect(h, ctx, "GET / HTTP/1.1\r\n"
		    "Host: localhost\r\nConnection: close\r\n\r\n", 200),
		    (int)i + 1);
		assert_string_equal(ctx->peer, "127.0.0.1");
		http_free(h);
		assert_int_equal(test_http_count("task"), threads);
		assert_int_equal(test_http_count("fd"), fds);
	}
	http_free(NULL);
	test_http_ctx_free(ctx);
}

/* Bad listen text gives NULL and a cause that quotes it. */
static void
test_http_bad_listen(void **state)
{
	const char	*bad[] = { "nonsense", "127.0.0.1:99999",
	    "10.0.0.300:1", "", "127.0.0.1:", ":80", "[::1]", "[::1]80",
	    "::1:80", "example.org:80", "localhost:http", "127.0.0.1:-1",
	    "[127.0.0.1]:80", "[::1:80", "1.2.3.4:65536",
	    "99999999999999999999", "127.0.0.1:+80", "[fe80::1%lo]:80" };
	const char	*good[] = { "0", "9311", "localhost:9311",
	    "127.0.0.1:65535", "0.0.0.0:80", "[::1]:9311", "[::]:0" };
	char		*cause, *quoted, *why;
	size_t		 i;

	(void)state;
	for (i = 0; i < NITEMS(bad); i++) {
		cause = NULL;
		assert_null(http_new(bad[i], test_http_handler, NULL, &cause));
		assert_non_null(cause);
		quoted = xasprintf("\"%s\"", bad[i]);
		if (strstr(cause, quoted) == NULL)
			fail_msg("cause for %s does not quote it: %s", bad[i],
			    cause);
		free(quoted);
		/* The check the configuration makes says the same. */
		assert_int_equal(http_listen_check(bad[i], &why), -1);
		assert_non_null(strstr(cause, why));
		free(why);
		free(cause);
	}
	assert_int_equal(http_listen_check("[::1]:99999", NULL), -1);
	for (i = 0; i < NITEMS(good); i++)
		assert_int_equal(http_listen_check(good[i], NULL), 0);
	/* Port out of range says so; cause may be NULL. */
	assert_null(http_new("127.0.0.1:99999", test_http_handler, NULL,
	    &cause));
	assert_non_null(strstr(cause, "range"));
	free(cause);
	assert_null(http_new("nonsense", test_http_handler, NULL, NULL));
}

/* Binding a port already taken fails with the system's reason. */
static void
test_http_port_in_use(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct http		*h;
	char			*listen, *cause = NULL;

	(void)state;
	h = test_http_start("127.0.0.1:0", ctx);
	listen = xasprintf("127.0.0.1:%d", http_port(h));
	assert_null(http_new(listen, test_http_handler, ctx, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, listen));
	assert_non_null(strstr(cause, strerror(EADDRINUSE)));
	free(cause);
	free(listen);
	http_free(h);
	test_http_ctx_free(ctx);
}

/* The client threads of test_http_serial. */
static void *
test_http_client(void *arg)
{
	struct http		*h = arg;
	struct test_http_answer	 a;
	int			 i;

	for (i = 0; i < 10; i++) {
		a = test_http_send(0, http_port(h), "GET /c HTTP/1.1\r\n"
		    "Host: localhost\r\nConnection: close\r\n\r\n");
		assert_int_equal(a.status, 200);
		test_http_answer_free(&a);
	}
	return NULL;
}

/* Calls from clients at once never overlap. */
static void
test_http_serial(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct http		*h;
	pthread_t		 t[8];
	size_t			 i;

	(void)state;
	h = test_http_start("127.0.0.1:0", ctx);
	for (i = 0; i < NITEMS(t); i++)
		assert_int_equal(pthread_create(&t[i], NULL,
		    test_http_client, h), 0);
	for (i = 0; i < NITEMS(t); i++)
		pthread_join(t[i], NULL);
	assert_int_equal(ctx->calls, 80);
	assert_int_equal(ctx->overlap, 0);
	http_free(h);
	test_http_ctx_free(ctx);
}

/*
 * Assert that an answer is one status line and one header block: no
 * second "HTTP/1." line, a body of exactly the length announced.
 */
static void
test_http_assert_one(const char *req, const char *raw, size_t len)
{
	const char	*end, *cl;

	if (strncmp(raw, "HTTP/1.1 ", 9) != 0)
		fail_msg("no status line for %.40s: %s", req, raw);
	if (strstr(raw + 9, "HTTP/1.") != NULL)
		fail_msg("two answers, or two header blocks, for %.40s:\n%s",
		    req, raw);
	end = strstr(raw, "\r\n\r\n");
	assert_non_null(end);
	cl = strcasestr(raw, "\r\nContent-Length: ");
	assert_true(cl != NULL && cl < end);
	assert_int_equal(strtoul(cl + 18, NULL, 10), len - (end + 4 - raw));
}

/*
 * What the listener answers itself, libmicrohttpd's answers included,
 * is one status line and one header block; the handler is not called.
 */
static void
test_http_one_answer(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct http		*h;
	const struct {
		const char	*req;
		int		 status;
	} cases[] = {
		{ "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
		    400 },
		{ "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: "
		    "99999999999999999999999\r\n\r\n", 413 },
		{ "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n"
		    "\r\n", 400 },
		{ "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3 \r\n\r\n"
		    "a=1", 400 },
		{ "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n",
		    400 },
		{ "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
		    "content-length: 4\r\n\r\na=1", 400 },
		{ "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
		    " 4\r\n\r\na=1", 400 },
		{ "\r\nPOST /x HTTP/1.1\nHost: x\nContent-Length : x\n\n",
		    400 },
		{ "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 20000\r\n"
		    "\r\nv=1", 413 },
		{ "GET /x HTTP/9.9\r\nHost: x\r\n\r\n", 505 },
		{ "GET /x HTTP/1.1\r\nno colon here\r\n\r\n", 400 },
		{ "PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n"
		    "a=1", 405 },
		{ "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
		    200 },
	};
	char			*out;
	size_t			 i, len;

	(void)state;
	log_set_level(LOG_LEVEL_ERR);	/* the warnings about each */
	h = test_http_start("127.0.0.1:0", ctx);
	for (i = 0; i < NITEMS(cases); i++) {
		out = test_http_raw(0, http_port(h), cases[i].req,
		    strlen(cases[i].req), 1, &len);
		assert_non_null(out);
		test_http_assert_one(cases[i].req, out, len);
		if (atoi(out + 9) != cases[i].status)
			fail_msg("expected %d for %s, got:\n%s",
			    cases[i].status, cases[i].req, out);
		free(out);
	}
	log_set_level(LOG_LEVEL_INFO);
	assert_int_equal(ctx->calls, 1);	/* the last one only */
	http_free(h);
	test_http_ctx_free(ctx);
}

/* Tick s every 100 ms until want connections are open, for 5 s at most. */
static size_t
test_http_settle(struct testslow *s, size_t want)
{
	int64_t	start = clock_ms();
	size_t	open;

	while ((open = testslow_tick(s)) != want &&
	    clock_ms() - start < 5000)
		usleep(100000);
	return open;
}

/* Send a request from 127.0.0.1 and assert it is answered within 1 s. */
static void
test_http_prompt(struct http *h, struct test_http_ctx *ctx)
{
	int64_t	start = clock_ms();
	int	calls;

	pthread_mutex_lock(&ctx->lock);
	calls = ctx->calls;
	pthread_mutex_unlock(&ctx->lock);
	assert_int_equal(test_http_expect(h, ctx, "GET /healthz HTTP/1.1\r\n"
	    "Host: localhost\r\n\r\n", 200), calls + 1);
	testslow_prompt("/healthz", start);
}

/*
 * A client that never ends its head is answered 408 and cut off
 * HTTPGUARD_HEAD_SECONDS (5) after it connected, however often it sends a
 * line; one that sends its body a byte at a time is cut off once the
 * exchange's 10 seconds are over. Each sends something every half
 * second, which would keep an idle timeout from ever firing.
 */
static void
test_http_slow(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct testslow		*head, *body;
	struct http		*h;
	int64_t			 start, head_at = 0, body_at = 0, t;

	(void)state;
	h = test_http_start("127.0.0.1:0", ctx);
	head = testslow_open(http_port(h), "127.0.0.1", 1, 0);
	body = testslow_open(http_port(h), "127.0.0.1", 1, 1);
	start = clock_ms();
	while ((head_at == 0 || body_at == 0) &&
	    clock_ms() - start < 20000) {
		usleep(500000);
		t = clock_ms() - start;
		if (head_at == 0 && testslow_tick(head) == 0)
			head_at = t;
		if (body_at == 0 && testslow_tick(body) == 0)
			body_at = t;
	}
	if (head_at == 0 || head_at < 4000 || head_at > 9000)
		fail_msg("the slow head was cut off after %lld ms",
		    (long long)head_at);
	assert_int_equal(testslow_answered(head, 408), 1);
	if (body_at == 0 || body_at < 9000 || body_at > 14000)
		fail_msg("the slow body was cut off after %lld ms",
		    (long long)body_at);
	assert_int_equal(ctx->calls, 0);
	testslow_close(head);
	testslow_close(body);
	test_http_prompt(h, ctx);
	http_free(h);
	test_http_ctx_free(ctx);
}

/*
 * Connections over the limits are closed at once: 32 from one address,
 * 256 in all - but 127.0.0.1 still gets one of the 8 places beyond. A
 * client at another address is answered at once meanwhile.
 */
static void
test_http_limits(void **state)
{
	struct test_http_ctx	*ctx = test_http_ctx_new();
	struct testslow		*s[8], *late;
	struct http		*h;
	char			 from[32];
	size_t			 i, open = 0;

	(void)state;
	h = test_http_start("127.0.0.1:0", ctx);
	s[0] = testslow_open(http_port(h), "127.0.0.2", 100, 0);
	assert_int_equal(test_http_settle(s[0], 32), 32);
	test_http_prompt(h, ctx);
	for (i = 1; i < NITEMS(s); i++) {
		snprintf(from, sizeof from, "127.0.0.%zu", i + 2);
		s[i] = testslow_open(http_port(h), from, 40, 0);
		assert_int_equal(test_http_settle(s[i], 32), 32);
	}
	for (i = 0; i < NITEMS(s); i++)
		open += testslow_tick(s[i]);
	assert_int_equal(open, 256);
	late = testslow_open(http_port(h), "127.0.0.10", 1, 0);
	assert_int_equal(test_http_settle(late, 0), 0);
	testslow_close(late);
	test_http_prompt(h, ctx);
	for (i = 0; i < NITEMS(s); i++)
		testslow_close(s[i]);
	http_free(h);
	test_http_ctx_free(ctx);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_decode),
		cmocka_unit_test(test_http_get_args),
		cmocka_unit_test(test_http_post_form),
		cmocka_unit_test(test_http_headers),
		cmocka_unit_test(test_http_response),
		cmocka_unit_test(test_http_method),
		cmocka_unit_test(test_http_too_large),
		cmocka_unit_test(test_http_nul),
		cmocka_unit_test(test_http_malformed),
		cmocka_unit_test(test_http_ipv6),
		cmocka_unit_test(test_http_listen_forms),
		cmocka_unit_test(test_http_bad_listen),
		cmocka_unit_test(test_http_port_in_use),
		cmocka_unit_test(test_http_serial),
		cmocka_unit_test(test_http_one_answer),
		cmocka_unit_test(test_http_limits),
		cmocka_unit_test(test_http_slow),
	};

	return testskip_status(cmocka_run_group_tests(tests, NULL, NULL));
}
