/*
 * testslow.c - slow HTTP clients, as in a slowloris attack
 *
 * Each connection is a blocking socket bound to the set's address before
 * it connects; reads never wait (MSG_DONTWAIT), writes are a few bytes
 * into an empty socket buffer. A connection counts as closed once the
 * listener has closed or reset it, or a write to it fails.
 */
#include "build.h"

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "testslow.h"
#include "xmalloc.h"

/* One slow connection. */
struct testslow_conn {
	int	fd;		/* -1: closed */
	int	status;		/* of the answer, 0 if none yet */
	int	sent;		/* lines or bytes sent after the first */
};

struct testslow {
	int			 port;
	struct in_addr		 from;
	int			 body;
	size_t			 n;
	struct testslow_conn	*conns;
	size_t			 answered[600];
};

/* Send len bytes of p on c, or mark it closed. */
static void
testslow_send(struct testslow_conn *c, const char *p, size_t len)
{
	if (send(c->fd, p, len, MSG_NOSIGNAL) != (ssize_t)len) {
		close(c->fd);
		c->fd = -1;
	}
}

/* Connect c from the set's address and send the start of its request. */
static void
testslow_connect(struct testslow *s, struct testslow_conn *c)
{
	struct sockaddr_in	sin;
	char			head[160];
	int			fd;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr = s->from;
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0)
		fail_msg("cannot bind to %s: %s", inet_ntoa(s->from),
		    strerror(errno));
	sin.sin_port = htons((uint16_t)s->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		return;
	}
	c->fd = fd;
	if (s->body)
		snprintf(head, sizeof head, "POST /healthz HTTP/1.1\r\n"
		    "Host: localhost\r\nContent-Type: application/"
		    "x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n");
	else
		snprintf(head, sizeof head, "GET /healthz HTTP/1.1\r\n"
		    "Host: localhost\r\n");
	testslow_send(c, head, strlen(head));
}

/* Read what has come back on c; mark it closed if the listener closed it. */
static void
testslow_read(struct testslow *s, struct testslow_conn *c)
{
	char	buf[4096];
	ssize_t	n;

	while ((n = recv(c->fd, buf, sizeof buf - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		if (c->status == 0 && strncmp(buf, "HTTP/1.", 7) == 0 &&
		    n > 12) {
			c->status = atoi(buf + 9);
			if (c->status > 0 && c->status < 600)
				s->answered[c->status]++;
		}
	}
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
		close(c->fd);
		c->fd = -1;
	}
}

/* Open n slow connections. */
struct testslow *
testslow_open(int port, const char *from, size_t n, int body)
{
	struct testslow	*s;
	size_t		 i;

	s = xcalloc(1, sizeof *s);
	s->port = port;
	assert_int_equal(inet_pton(AF_INET, from, &s->from), 1);
	s->body = body;
	s->n = n;
	s->conns = xcalloc(n, sizeof *s->conns);
	for (i = 0; i < n; i++)
		testslow_connect(s, &s->conns[i]);
	return s;
}

/* Send the next piece on every open connection; return how many are open. */
size_t
testslow_tick(struct testslow *s)
{
	struct testslow_conn	*c;
	char			 line[64];
	size_t			 i, open = 0;

	for (i = 0; i < s->n; i++) {
		c = &s->conns[i];
		if (c->fd != -1)
			testslow_read(s, c);
		if (c->fd == -1)
			continue;
		if (s->body)
			testslow_send(c, "a", 1);
		else {
			snprintf(line, sizeof line, "X-Slow-%d: %zu\r\n",
			    c->sent, i);
			testslow_send(c, line, strlen(line));
		}
		c->sent++;
		if (c->fd != -1)
			open++;
	}
	return open;
}

/* Open again the connections the listener closed. */
size_t
testslow_reopen(struct testslow *s)
{
	size_t	i, n = 0;

	for (i = 0; i < s->n; i++) {
		if (s->conns[i].fd == -1) {
			testslow_connect(s, &s->conns[i]);
			n++;
		}
	}
	return n;
}

/* Return how many connections were answered with status. */
size_t
testslow_answered(const struct testslow *s, int status)
{
	return status > 0 && status < 600 ? s->answered[status] : 0;
}

/* Assert that what, sent at start, was answered within a second. */
void
testslow_prompt(const char *what, int64_t start)
{
	int64_t	took;

	if ((took = clock_ms() - start) >= 1000)
		fail_msg("%s answered after %lld ms", what, (long long)took);
}

/* Close and free. */
void
testslow_close(struct testslow *s)
{
	size_t	i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		if (s->conns[i].fd != -1)
			close(s->conns[i].fd);
	}
	free(s->conns);
	free(s);
}
