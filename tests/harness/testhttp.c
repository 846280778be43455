/*
 * testhttp.c - raw HTTP requests to a listener on a loopback port
 */
#include "build.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include <poll.h>
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

#include "testhttp.h"
#include "xmalloc.h"

/* Send a request and read the whole answer. */
struct testhttp_answer
testhttp_raw(int port, const char *req)
{
	struct testhttp_answer	 a;
	struct sockaddr_in	 sin;
	struct pollfd		 pfd;
	size_t			 off = 0, len, size = 4096;
	ssize_t			 n;
	int			 fd;
	char			*end;

	len = strlen(req);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	while (off < len) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		assert_true(n > 0);
		off += (size_t)n;
	}
	a.raw = xmalloc(size);
	off = 0;
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 10000) != 1)
			fail_msg("no answer within 10 s to %.60s", req);
		if (off + 1 >= size)
			a.raw = xreallocarray(a.raw, size *= 2, 1);
		if ((n = recv(fd, a.raw + off, size - off - 1, 0)) <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	a.raw[off] = '\0';
	assert_true(strncmp(a.raw, "HTTP/1.", 7) == 0);
	a.status = atoi(a.raw + 9);
	end = strstr(a.raw, "\r\n\r\n");
	assert_non_null(end);
	a.body = end + 4;
	return a;
}

/* GET a target. */
struct testhttp_answer
testhttp_get(int port, const char *target, const char *headers)
{
	struct testhttp_answer	 a;
	char			*req;

	req = xasprintf("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Connection: close\r\n%s\r\n", target,
	    headers != NULL ? headers : "");
	a = testhttp_raw(port, req);
	free(req);
	return a;
}

/* POST a form to a target. */
struct testhttp_answer
testhttp_post(int port, const char *target, const char *form,
    const char *headers)
{
	struct testhttp_answer	 a;
	char			*req;

	req = xasprintf("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s", target,
	    strlen(form), headers != NULL ? headers : "", form);
	a = testhttp_raw(port, req);
	free(req);
	return a;
}

/* Return the value of a header of an answer. */
char *
testhttp_header(const struct testhttp_answer *a, const char *name)
{
	const char	*line, *end, *colon;
	size_t		 len = strlen(name);

	for (line = strstr(a->raw, "\r\n"); line != NULL && line + 2 <
	    a->body; line = strstr(line + 2, "\r\n")) {
		end = strstr(line + 2, "\r\n");
		colon = strchr(line + 2, ':');
		if (colon == NULL || colon > end ||
		    (size_t)(colon - (line + 2)) != len ||
		    strncasecmp(line + 2, name, len) != 0)
			continue;
		colon++;
		while (*colon == ' ')
			colon++;
		return xstrndup(colon, (size_t)(end - colon));
	}
	return NULL;
}
