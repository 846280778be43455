/*
 * test_nodelay.c - unit tests for turning Nagle off on a library's
 * sockets (nodelay.c)
 *
 * On loopback: two listeners, a client connected to each, and a unix
 * socket pair; only the client of the named port gets TCP_NODELAY.
 */
#include "build.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "nodelay.h"

/* Return a TCP socket and fill sin with loopback port. */
static int
test_nodelay_socket(struct sockaddr_in *sin, int port)
{
	int	fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd != -1);
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons((unsigned short)port);
	return fd;
}

/* Open a loopback listener; return it and set *port. */
static int
test_nodelay_listen(int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	fd = test_nodelay_socket(&sin, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Return a socket connected to loopback port. */
static int
test_nodelay_connect(int port)
{
	struct sockaddr_in	sin;
	int			fd;

	fd = test_nodelay_socket(&sin, port);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	return fd;
}

/* Return a socket's TCP_NODELAY. */
static int
test_nodelay_get(int fd)
{
	int		on = -1;
	socklen_t	len = sizeof on;

	assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len),
	    0);
	return on;
}

/* Only the connection to the named port is changed, and only once. */
static void
test_nodelay_only_that_port(void **state)
{
	int	l1, l2, p1, p2, c1, c2, a1, a2, pair[2];

	(void)state;
	l1 = test_nodelay_listen(&p1);
	l2 = test_nodelay_listen(&p2);
	c1 = test_nodelay_connect(p1);
	c2 = test_nodelay_connect(p2);
	a1 = accept(l1, NULL, NULL);
	a2 = accept(l2, NULL, NULL);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
	assert_int_equal(test_nodelay_get(c1), 0);

	assert_int_equal(nodelay_peer_port(p1), 1);
	assert_int_not_equal(test_nodelay_get(c1), 0);
	assert_int_equal(test_nodelay_get(c2), 0);
	assert_int_equal(test_nodelay_get(a1), 0);	/* its peer port differs */
	assert_int_equal(nodelay_peer_port(p1), 0);	/* already set */

	assert_int_equal(nodelay_peer_port(p2), 1);
	assert_int_not_equal(test_nodelay_get(c2), 0);
	close(pair[0]);
	close(pair[1]);
	close(a1);
	close(a2);
	close(c1);
	close(c2);
	close(l1);
	close(l2);
}

/* One socket given by its descriptor gets it, once; no socket is -1. */
static void
test_nodelay_fd(void **state)
{
	int	l, p, c, a;

	(void)state;
	l = test_nodelay_listen(&p);
	c = test_nodelay_connect(p);
	a = accept(l, NULL, NULL);
	assert_int_equal(nodelay_fd(c), 1);
	assert_int_not_equal(test_nodelay_get(c), 0);
	assert_int_equal(test_nodelay_get(a), 0);
	assert_int_equal(nodelay_fd(c), 0);		/* already set */
	assert_int_equal(nodelay_fd(-1), -1);
	close(a);
	close(c);
	close(l);
}

/* A port nothing is connected to changes nothing. */
static void
test_nodelay_no_connection(void **state)
{
	int	l, p;

	(void)state;
	l = test_nodelay_listen(&p);
	assert_int_equal(nodelay_peer_port(p), 0);	/* a listener has no peer */
	close(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodelay_only_that_port),
		cmocka_unit_test(test_nodelay_fd),
		cmocka_unit_test(test_nodelay_no_connection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
