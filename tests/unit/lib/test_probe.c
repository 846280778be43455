/*
 * test_probe.c - unit tests for the connection probe (probe.c)
 *
 * All on loopback: a listening socket, a closed port, and a listener whose
 * accept queue is full, so that the kernel drops further connection
 * attempts the way a firewalled host does.
 */
#include "build.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "probe.h"

/* Open a loopback listener with the given backlog; set *port. */
static int
test_probe_listen(int backlog, char *port, size_t size)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd != -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, backlog), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(port, size, "%d", ntohs(sin.sin_port));
	return fd;
}

/* A server that listens is reachable. */
static void
test_probe_ok(void **state)
{
	char	port[16], *cause = NULL;
	int	fd;

	(void)state;
	fd = test_probe_listen(16, port, sizeof port);
	assert_int_equal(probe_connect("127.0.0.1", port, 2000, &cause), 0);
	assert_int_equal(probe_connect("localhost", port, 2000, &cause), 0);
	close(fd);
}

/* A closed port is refused at once, and says so. */
static void
test_probe_refused(void **state)
{
	char	port[16], *cause = NULL;
	int	fd;

	(void)state;
	fd = test_probe_listen(1, port, sizeof port);
	close(fd);
	assert_int_equal(probe_connect("127.0.0.1", port, 2000, &cause), -1);
	assert_non_null(strstr(cause, "Connection refused"));
	assert_non_null(strstr(cause, port));
	free(cause);
}

/* A host that drops connection attempts costs the timeout, no more. */
static void
test_probe_timeout(void **state)
{
	int64_t		 t0;
	char		 port[16], *cause = NULL;
	int		 fd, i, n = 0;
	double		 secs;

	(void)state;
	fd = test_probe_listen(0, port, sizeof port);
	/* Fill the accept queue (never accepted); later SYNs are dropped. */
	for (i = 0; i < 8; i++) {
		if (probe_connect("127.0.0.1", port, 200, NULL) == 0)
			n++;
	}
	t0 = clock_ms();
	assert_int_equal(probe_connect("127.0.0.1", port, 700, &cause), -1);
	secs = (double)(clock_ms() - t0) / 1000;
	assert_true(secs >= 0.6 && secs < 2.0);
	assert_non_null(strstr(cause, "no answer within 1 s"));
	free(cause);
	assert_true(n >= 1);
	close(fd);
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_ok),
		cmocka_unit_test(test_probe_refused),
		cmocka_unit_test(test_probe_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
