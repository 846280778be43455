/*
 * test_sockwatch.c - unit tests for the step deadline on a library's
 * connection (sockwatch.c)
 *
 * On loopback, the test plays the library: it connects a client to a
 * listener of its own after sockwatch_new() and reports it with
 * sockwatch_connected() - where the library's socket would be, at the
 * number that was lowest free, unless a test opens another descriptor
 * first. What is checked is what the sockets show: a
 * read returning the end of the stream at once when a step ran out of
 * time, and a connection still carrying data otherwise.
 */
#include "build.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "sockwatch.h"

/* A listener and the connection the "library" made to it. */
struct test_sockwatch_conn {
	int	listener;
	int	port;
	int	client;		/* the library's socket */
	int	server;		/* its peer */
};

/* Fill sin with loopback port. */
static void
test_sockwatch_addr(struct sockaddr_in *sin, int port)
{
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons((unsigned short)port);
}

/* Open a loopback listener in c. */
static void
test_sockwatch_listen(struct test_sockwatch_conn *c)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	memset(c, 0, sizeof *c);
	c->client = c->server = -1;
	test_sockwatch_addr(&sin, 0);
	c->listener = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->listener != -1);
	assert_int_equal(bind(c->listener, (struct sockaddr *)&sin,
	    sizeof sin), 0);
	assert_int_equal(listen(c->listener, 8), 0);
	assert_int_equal(getsockname(c->listener, (struct sockaddr *)&sin,
	    &len), 0);
	c->port = ntohs(sin.sin_port);
}

/* Return a socket connected to port; *peer is its accepted end. */
static int
test_sockwatch_connect(struct test_sockwatch_conn *c, int *peer)
{
	struct sockaddr_in	sin;
	int			fd;

	test_sockwatch_addr(&sin, c->port);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd != -1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	*peer = accept(c->listener, NULL, NULL);
	assert_true(*peer != -1);
	return fd;
}

/* Close what c holds. */
static void
test_sockwatch_close(struct test_sockwatch_conn *c)
{
	if (c->client != -1)
		close(c->client);
	if (c->server != -1)
		close(c->server);
	close(c->listener);
}

/*
 * Wait up to ms for fd to be readable and return what read() then gives:
 * 0 for the end of the stream, 1 for a byte, -1 if nothing came.
 */
static int
test_sockwatch_read(int fd, int ms)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	char		c;

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return (int)read(fd, &c, 1);
}

/* Assert that a byte still goes each way between a and b. */
static void
test_sockwatch_alive(int a, int b)
{
	assert_int_equal(write(a, "x", 1), 1);
	assert_int_equal(test_sockwatch_read(b, 2000), 1);
	assert_int_equal(write(b, "y", 1), 1);
	assert_int_equal(test_sockwatch_read(a, 2000), 1);
}

/*
 * A step with no end shuts the library's socket down when its time is
 * up: the library's read ends at once, the peer sees the end too, and
 * the watch says which step it was.
 */
static void
test_sockwatch_deadline(void **state)
{
	struct test_sockwatch_conn	 c;
	struct sockwatch		*w;
	char				 step[32];
	int64_t				 t0, ms;

	(void)state;
	test_sockwatch_listen(&c);
	assert_non_null(w = sockwatch_new(c.port, 300, NULL));
	c.client = test_sockwatch_connect(&c, &c.server);
	t0 = clock_ms();
	assert_int_equal(sockwatch_connected(w, "greeting"), 0);
	assert_int_equal(sockwatch_expired(w, step, sizeof step), 0);
	assert_int_equal(test_sockwatch_read(c.client, 5000), 0);
	ms = clock_ms() - t0;
	if (ms < 250 || ms > 2000)
		fail_msg("shut down after %lld ms, wanted about 300",
		    (long long)ms);
	assert_int_equal(sockwatch_expired(w, step, sizeof step), 1);
	assert_string_equal(step, "greeting");
	assert_int_equal(test_sockwatch_read(c.server, 2000), 0);
	sockwatch_step(w, "QUIT");		/* too late: stays expired */
	assert_int_equal(sockwatch_expired(w, step, sizeof step), 1);
	assert_string_equal(step, "greeting");
	sockwatch_free(w);
	test_sockwatch_close(&c);
	sockwatch_free(NULL);
}

/*
 * Steps that each end in time, however many, and a rest of any length
 * leave the connection alone; a step left running then ends it. Each
 * step lasts a tenth of the step time, so that a slow run (valgrind)
 * does not make one late; together they and the rest each last longer
 * than the step time.
 */
static void
test_sockwatch_steps(void **state)
{
	struct test_sockwatch_conn	 c;
	struct sockwatch		*w;
	char				 step[32];
	int64_t				 t0, ms;
	int				 i;

	(void)state;
	test_sockwatch_listen(&c);
	assert_non_null(w = sockwatch_new(c.port, 1000, NULL));
	c.client = test_sockwatch_connect(&c, &c.server);
	assert_int_equal(sockwatch_connected(w, "greeting"), 0);
	for (i = 0; i < 12; i++) {
		usleep(100 * 1000);
		sockwatch_step(w, i % 2 ? "MAIL" : "RCPT");
	}
	sockwatch_rest(w);
	usleep(1200 * 1000);
	test_sockwatch_alive(c.client, c.server);
	assert_int_equal(sockwatch_expired(w, step, sizeof step), 0);
	t0 = clock_ms();
	sockwatch_step(w, "DATA");
	assert_int_equal(test_sockwatch_read(c.client, 5000), 0);
	ms = clock_ms() - t0;
	if (ms < 950)
		fail_msg("shut down after %lld ms, wanted 1000", (long long)ms);
	assert_int_equal(sockwatch_expired(w, step, sizeof step), 1);
	assert_string_equal(step, "DATA");
	sockwatch_free(w);
	test_sockwatch_close(&c);
}

/* Return how many threads this process has. */
static int
test_sockwatch_threads(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	assert_non_null(d = opendir("/proc/self/task"));
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * A watch made ready again serves the next connection with the same
 * thread: the first connection's step ran out and was shut down, the
 * second's runs out too, and while the watch is between connections
 * another can be made.
 */
static void
test_sockwatch_again(void **state)
{
	struct test_sockwatch_conn	 c, next;
	struct sockwatch		*w, *other;
	char				 step[32];
	int				 threads;

	(void)state;
	test_sockwatch_listen(&c);
	next = c;
	assert_non_null(w = sockwatch_new(c.port, 200, NULL));
	c.client = test_sockwatch_connect(&c, &c.server);
	assert_int_equal(sockwatch_connected(w, "greeting"), 0);
	assert_int_equal(test_sockwatch_read(c.client, 5000), 0);
	assert_int_equal(sockwatch_expired(w, step, sizeof step), 1);
	threads = test_sockwatch_threads();
	sockwatch_end(w);
	assert_non_null(other = sockwatch_new(c.port, 200, NULL));
	sockwatch_free(other);

	assert_int_equal(sockwatch_again(w, NULL), 0);
	assert_int_equal(sockwatch_expired(w, NULL, 0), 0);
	next.client = test_sockwatch_connect(&c, &next.server);
	assert_int_equal(sockwatch_connected(w, "MAIL"), 0);
	assert_int_equal(test_sockwatch_threads(), threads);
	assert_int_equal(test_sockwatch_read(next.client, 5000), 0);
	assert_int_equal(sockwatch_expired(w, step, sizeof step), 1);
	assert_string_equal(step, "MAIL");
	sockwatch_free(w);
	close(next.client);
	close(next.server);
	test_sockwatch_close(&c);
}

/*
 * When another descriptor took the number that was lowest free (another
 * thread's file), the library's socket is found by listing: beside an
 * older one another watch holds, it is the only one, and only it is shut
 * down. fd is where sockwatch_fd() says the watch keeps it.
 */
static void
test_sockwatch_listed(void **state)
{
	struct test_sockwatch_conn	 c, held;
	struct sockwatch		*w, *first;
	int				 stolen;

	(void)state;
	test_sockwatch_listen(&c);
	held = c;
	assert_non_null(first = sockwatch_new(c.port, 60000, NULL));
	assert_int_equal(sockwatch_fd(first), -1);
	held.client = test_sockwatch_connect(&c, &held.server);
	assert_int_equal(sockwatch_connected(first, "EHLO"), 0);
	assert_true(sockwatch_fd(first) > held.client);

	assert_non_null(w = sockwatch_new(c.port, 200, NULL));
	assert_true((stolen = open("/dev/null", O_RDONLY)) != -1);
	c.client = test_sockwatch_connect(&c, &c.server);
	assert_int_equal(sockwatch_connected(w, "greeting"), 0);
	assert_int_equal(test_sockwatch_read(c.client, 5000), 0);
	test_sockwatch_alive(held.client, held.server);
	sockwatch_free(w);
	sockwatch_free(first);
	close(stolen);
	close(held.client);
	close(held.server);
	test_sockwatch_close(&c);
}

/*
 * Two new connections to the port, neither where the first should be,
 * are not told apart: neither is watched, and neither is shut down.
 */
static void
test_sockwatch_two_new(void **state)
{
	struct test_sockwatch_conn	 c;
	struct sockwatch		*w;
	int				 other, other_peer, stolen;

	(void)state;
	test_sockwatch_listen(&c);
	assert_non_null(w = sockwatch_new(c.port, 200, NULL));
	assert_true((stolen = open("/dev/null", O_RDONLY)) != -1);
	c.client = test_sockwatch_connect(&c, &c.server);
	other = test_sockwatch_connect(&c, &other_peer);
	assert_int_equal(sockwatch_connected(w, "greeting"), -1);
	assert_int_equal(sockwatch_fd(w), -1);
	usleep(500 * 1000);
	test_sockwatch_alive(c.client, c.server);
	test_sockwatch_alive(other, other_peer);
	assert_int_equal(sockwatch_expired(w, NULL, 0), 0);
	sockwatch_free(w);
	close(stolen);
	close(other);
	close(other_peer);
	test_sockwatch_close(&c);
}

/*
 * Connections that were there before the watch are not the library's:
 * the one made after it is found among them, and only it is shut down.
 */
static void
test_sockwatch_others(void **state)
{
	struct test_sockwatch_conn	 c;
	struct sockwatch		*w;
	int				 old[3], old_peer[3], i;

	(void)state;
	test_sockwatch_listen(&c);
	for (i = 0; i < 3; i++)
		old[i] = test_sockwatch_connect(&c, &old_peer[i]);
	assert_non_null(w = sockwatch_new(c.port, 200, NULL));
	c.client = test_sockwatch_connect(&c, &c.server);
	assert_int_equal(sockwatch_connected(w, "EHLO"), 0);
	assert_int_equal(test_sockwatch_read(c.client, 5000), 0);
	for (i = 0; i < 3; i++) {
		test_sockwatch_alive(old[i], old_peer[i]);
		close(old[i]);
		close(old_peer[i]);
	}
	sockwatch_free(w);
	test_sockwatch_close(&c);
}

/*
 * Once the library has closed its socket, a new socket given the same
 * descriptor number is not the one the watch shuts down.
 */
static void
test_sockwatch_reused_number(void **state)
{
	struct test_sockwatch_conn	 c;
	struct sockwatch		*w;
	int				 fd, peer;

	(void)state;
	test_sockwatch_listen(&c);
	assert_non_null(w = sockwatch_new(c.port, 300, NULL));
	fd = test_sockwatch_connect(&c, &c.server);
	assert_int_equal(sockwatch_connected(w, "greeting"), 0);
	close(fd);		/* the library closes; no disconnect yet */
	c.client = test_sockwatch_connect(&c, &peer);
	assert_int_equal(c.client, fd);
	usleep(700 * 1000);
	assert_int_equal(sockwatch_expired(w, NULL, 0), 1);
	test_sockwatch_alive(c.client, peer);
	assert_int_equal(test_sockwatch_read(c.server, 2000), 0);
	sockwatch_free(w);
	close(peer);
	test_sockwatch_close(&c);
}

/* What a second thread got from sockwatch_new(). */
struct test_sockwatch_second {
	int	 port;
	long	 wait_ms;
	char	*cause;
	int64_t	 ms;
	int	 made;
};

/* Make (and free) a watch from another thread and time it. */
static void *
test_sockwatch_second_run(void *arg)
{
	struct test_sockwatch_second	*t = arg;
	struct sockwatch		*w;
	int64_t				 t0 = clock_ms();

	w = sockwatch_new(t->port, t->wait_ms, &t->cause);
	t->ms = clock_ms() - t0;
	t->made = w != NULL;
	sockwatch_free(w);		/* never connected: lets go */
	return NULL;
}

/* Try to make a watch for port in another thread, waiting wait_ms. */
static void
test_sockwatch_second(struct test_sockwatch_second *t, int port, long wait_ms)
{
	pthread_t	th;

	memset(t, 0, sizeof *t);
	t->port = port;
	t->wait_ms = wait_ms;
	assert_int_equal(pthread_create(&th, NULL, test_sockwatch_second_run,
	    t), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
}

/*
 * While one watch waits for its library to connect, another waits its
 * step time for it and gives up with a reason; once the first has
 * connected, the next can be made at once: well within the five seconds
 * it would wait, though a slow run (valgrind) takes its time to start a
 * thread and list the descriptors.
 */
static void
test_sockwatch_one_at_a_time(void **state)
{
	struct test_sockwatch_conn	 c;
	struct test_sockwatch_second	 t;
	struct sockwatch		*w;

	(void)state;
	test_sockwatch_listen(&c);
	assert_non_null(w = sockwatch_new(c.port, 5000, NULL));
	test_sockwatch_second(&t, c.port, 300);
	assert_false(t.made);
	assert_non_null(t.cause);
	assert_non_null(strstr(t.cause, "under way"));
	assert_true(t.ms >= 250);
	free(t.cause);

	c.client = test_sockwatch_connect(&c, &c.server);
	assert_int_equal(sockwatch_connected(w, "greeting"), 0);
	test_sockwatch_second(&t, c.port, 5000);
	assert_true(t.made);
	assert_true(t.ms < 1000);
	sockwatch_free(w);
	assert_non_null(w = sockwatch_new(c.port, 300, NULL));
	sockwatch_free(w);
	test_sockwatch_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sockwatch_deadline),
		cmocka_unit_test(test_sockwatch_steps),
		cmocka_unit_test(test_sockwatch_again),
		cmocka_unit_test(test_sockwatch_listed),
		cmocka_unit_test(test_sockwatch_two_new),
		cmocka_unit_test(test_sockwatch_others),
		cmocka_unit_test(test_sockwatch_reused_number),
		cmocka_unit_test(test_sockwatch_one_at_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
