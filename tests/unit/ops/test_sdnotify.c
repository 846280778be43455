/*
 * test_sdnotify.c - unit tests for the service manager notifications
 * (sdnotify.c)
 *
 * A datagram socket in a temporary directory stands in for systemd.
 */
#include "build.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "decision.h"
#include "metrics.h"
#include "sdnotify.h"

/* Bind a datagram socket at path (or in the abstract namespace). */
static int
test_sdnotify_listen(const char *path)
{
	struct sockaddr_un	sun;
	socklen_t		len;
	int			fd;

	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
	return fd;
}

/* Receive one datagram as a string. */
static char *
test_sdnotify_receive(int fd)
{
	static char	buf[512];
	ssize_t		n;

	n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	return buf;
}

/* States reach a socket named by a path. */
static void
test_sdnotify_path(void **state)
{
	char	dir[] = "/tmp/closeloop-sdnotify.XXXXXX", path[64];
	int	fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/notify", dir);
	fd = test_sdnotify_listen(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sdnotify_send("READY=1\nSTATUS=reading %s", "x"), 1);
	assert_string_equal(test_sdnotify_receive(fd),
	    "READY=1\nSTATUS=reading x");
	assert_int_equal(sdnotify_send("STOPPING=1"), 1);
	assert_string_equal(test_sdnotify_receive(fd), "STOPPING=1");
	close(fd);
	unlink(path);
	rmdir(dir);
}

/* States reach a socket in the abstract namespace. */
static void
test_sdnotify_abstract(void **state)
{
	char	name[64];
	int	fd;

	(void)state;
	snprintf(name, sizeof name, "@closeloop-test-%d", (int)getpid());
	fd = test_sdnotify_listen(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sdnotify_send("RELOADING=1"), 1);
	assert_string_equal(test_sdnotify_receive(fd), "RELOADING=1");
	close(fd);
}

/* Without systemd nothing is sent; a bad socket name is an error. */
static void
test_sdnotify_absent(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(sdnotify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sdnotify_send("READY=1"), -1);
	setenv("NOTIFY_SOCKET", "/nonexistent/closeloop/notify", 1);
	assert_int_equal(sdnotify_send("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

/* Assert that nothing is waiting on the socket. */
static void
test_sdnotify_nothing(int fd)
{
	char	buf[64];

	assert_true(recv(fd, buf, sizeof buf, MSG_DONTWAIT) < 0);
}

/* The watchdog's interval is read from the environment, for us only. */
static void
test_sdnotify_watchdog_env(void **state)
{
	char	pid[32];

	(void)state;
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(sdnotify_watchdog_ms(), 0);
	setenv("WATCHDOG_USEC", "60000000", 1);
	assert_int_equal(sdnotify_watchdog_ms(), 30000);
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdnotify_watchdog_ms(), 30000);
	snprintf(pid, sizeof pid, "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);	/* another process's */
	assert_int_equal(sdnotify_watchdog_ms(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "0", 1);
	assert_int_equal(sdnotify_watchdog_ms(), 0);
	setenv("WATCHDOG_USEC", "junk", 1);
	assert_int_equal(sdnotify_watchdog_ms(), 0);
	unsetenv("WATCHDOG_USEC");
}

/*
 * The main loop's ticks feed the watchdog at its pace, and refresh the
 * status line with the totals, or say what the daemon waits for.
 */
static void
test_sdnotify_tick(void **state)
{
	struct decision_list	 dl = { NULL, 0 };
	char			 name[64];
	int			 fd;

	(void)state;
	snprintf(name, sizeof name, "@closeloop-tick-%d", (int)getpid());
	fd = test_sdnotify_listen(name);
	setenv("NOTIFY_SOCKET", name, 1);
	setenv("WATCHDOG_USEC", "4000000", 1);	/* a ping every 2 s */
	metrics_reset();
	metrics_event("status");
	metrics_event("subscribe");
	decision_add(&dl, DECISION_QUEUED, NULL, VOCAB_NOTICE_NONE, NULL,
	    NULL, "q");
	decision_add(&dl, DECISION_HELD, "settle", VOCAB_NOTICE_NONE, NULL,
	    NULL, "h");
	metrics_decisions(&dl);
	decision_clear(&dl);

	sdnotify_tick(1000000, NULL);
	assert_string_equal(test_sdnotify_receive(fd), "WATCHDOG=1\n"
	    "STATUS=consumed 2, queued 1, held 1, sent 0");
	sdnotify_tick(1001999, NULL);	/* not yet due */
	test_sdnotify_nothing(fd);
	sdnotify_tick(1002000, "connection refused");
	assert_string_equal(test_sdnotify_receive(fd), "WATCHDOG=1\n"
	    "STATUS=waiting for redis: connection refused");

	/* Without a watchdog: the status alone, every SDNOTIFY_STATUS_MS. */
	unsetenv("WATCHDOG_USEC");
	sdnotify_tick(1004000, NULL);
	assert_string_equal(test_sdnotify_receive(fd),
	    "STATUS=consumed 2, queued 1, held 1, sent 0");
	sdnotify_tick(1004000 + SDNOTIFY_STATUS_MS - 1, NULL);
	test_sdnotify_nothing(fd);
	sdnotify_tick(1004000 + SDNOTIFY_STATUS_MS, NULL);
	assert_string_equal(test_sdnotify_receive(fd),
	    "STATUS=consumed 2, queued 1, held 1, sent 0");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

/* Run the tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sdnotify_path),
		cmocka_unit_test(test_sdnotify_abstract),
		cmocka_unit_test(test_sdnotify_absent),
		cmocka_unit_test(test_sdnotify_watchdog_env),
		cmocka_unit_test(test_sdnotify_tick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
