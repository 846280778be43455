/*
 * testproc.c - starting and stopping the real servers a unit test needs
 */
#include "build.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testproc.h"
#include "xmalloc.h"

/* Leave the test program: skip outside CI, fail in CI. */
void
testproc_missing(const char *why)
{
	const char	*ci = getenv("CI");

	if (ci != NULL && strcmp(ci, "true") == 0) {
		fprintf(stderr, "FAIL: %s (required in CI)\n", why);
		exit(1);
	}
	fprintf(stderr, "SKIP: %s\n", why);
	exit(77);
}

/* Check that a program is installed. */
void
testproc_need(const char *path, const char *pkg)
{
	char	*why;

	if (access(path, X_OK) == 0)
		return;
	why = xasprintf("%s is not installed (Debian package %s)", path, pkg);
	testproc_missing(why);
}

/* Make a new temporary directory. */
char *
testproc_mkdtemp(const char *name)
{
	char	*dir;

	dir = xasprintf("/tmp/closeloop-%s.XXXXXX", name);
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	return dir;
}

/* Remove a temporary directory and everything in it. */
void
testproc_rmdir(const char *dir)
{
	char	*cmd;

	if (dir == NULL || strncmp(dir, "/tmp/closeloop-", 15) != 0)
		return;
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
}

/* Return a free loopback TCP port. */
int
testproc_free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
		fprintf(stderr, "cannot find a free port: %s\n",
		    strerror(errno));
		exit(1);
	}
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Start a program with its output going to a log file. */
pid_t
testproc_spawn(const char *const argv[], const char *log)
{
	pid_t	pid;
	int	fd;

	fflush(NULL);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid != 0)
		return pid;
	fd = open(log != NULL ? log : "/dev/null",
	    O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd != -1) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	execv(argv[0], (char *const *)argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Wait until a loopback port accepts connections. */
int
testproc_wait_port(pid_t pid, int port, int timeout_ms)
{
	struct sockaddr_in	 sin;
	struct timespec		 ts = { 0, 20 * 1000 * 1000 };
	int			 fd, waited, status;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (waited = 0; waited < timeout_ms; waited += 20) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return -1;
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd != -1 && connect(fd, (struct sockaddr *)&sin,
		    sizeof sin) == 0) {
			close(fd);
			return 0;
		}
		if (fd != -1)
			close(fd);
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Stop a child by PID and reap it. */
void
testproc_stop(pid_t pid)
{
	struct timespec	ts = { 0, 20 * 1000 * 1000 };
	int		i, status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < 250; i++) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}
