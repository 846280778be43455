/*
 * testserver.c - a private redis-server for the unit tests
 *
 * The server runs with no persistence: --save "" --appendonly no.
 */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "testproc.h"
#include "testserver.h"
#include "xmalloc.h"

#define TESTSERVER_SENTINEL "/usr/bin/redis-sentinel"

/* Find redis-server: $REDIS_SERVER, then the usual places. */
static const char *
testserver_binary(void)
{
	static const char	*places[] = {
		"/usr/bin/redis-server", "/usr/local/bin/redis-server",
		"/usr/sbin/redis-server"
	};
	const char		*env;
	size_t			 i;

	env = getenv("REDIS_SERVER");
	if (env != NULL && *env != '\0' && strcmp(env, "no") != 0 &&
	    access(env, X_OK) == 0)
		return env;
	for (i = 0; i < sizeof places / sizeof places[0]; i++) {
		if (access(places[i], X_OK) == 0)
			return places[i];
	}
	return NULL;
}

/* Return 1 once the server accepts connections on its socket. */
static int
testserver_up(struct testserver *ts)
{
	struct sockaddr_un	sun;
	int			fd, ok;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", ts->sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
	close(fd);
	return ok;
}

/* Start redis-server. */
void
testserver_start(struct testserver *ts, int tcp, const char *password)
{
	const char	*bin, *argv[20];
	char		 port[16];
	int		 i, argc = 0, status;

	if ((bin = testserver_binary()) == NULL)
		testproc_missing("redis-server is not installed "
		    "(Debian package redis-server)");
	memset(ts, 0, sizeof *ts);
	snprintf(ts->dir, sizeof ts->dir, "/tmp/closeloop-test.XXXXXX");
	if (mkdtemp(ts->dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(ts->sock, sizeof ts->sock, "%s/redis.sock", ts->dir);
	ts->port = tcp ? testproc_free_port() : 0;
	snprintf(port, sizeof port, "%d", ts->port);
	argv[argc++] = bin;
	argv[argc++] = "--port";
	argv[argc++] = port;
	argv[argc++] = "--bind";
	argv[argc++] = "127.0.0.1";
	argv[argc++] = "--unixsocket";
	argv[argc++] = ts->sock;
	argv[argc++] = "--save";
	argv[argc++] = "";
	argv[argc++] = "--appendonly";
	argv[argc++] = "no";
	argv[argc++] = "--dir";
	argv[argc++] = ts->dir;
	if (password != NULL) {
		argv[argc++] = "--requirepass";
		argv[argc++] = password;
	}
	argv[argc] = NULL;

	if ((ts->pid = fork()) == -1) {
		perror("fork");
		exit(1);
	}
	if (ts->pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, STDOUT_FILENO);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		if (testserver_up(ts))
			return;
		if (waitpid(ts->pid, &status, WNOHANG) == ts->pid) {
			fprintf(stderr, "redis-server exited with %d\n", status);
			exit(1);
		}
		usleep(10000);
	}
	fprintf(stderr, "redis-server did not start in 5 seconds\n");
	testserver_stop(ts);
	exit(1);
}

/* Stop the server and remove its directory. */
void
testserver_stop(struct testserver *ts)
{
	char	*cmd;

	if (ts->pid > 0) {
		kill(ts->pid, SIGTERM);
		waitpid(ts->pid, NULL, 0);
		ts->pid = 0;
	}
	if (ts->dir[0] != '\0') {
		cmd = xasprintf("rm -rf '%s'", ts->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", ts->dir);
		free(cmd);
		ts->dir[0] = '\0';
	}
}

/* Write a configuration file with extra text and load it. */
struct config *
testserver_config(struct testserver *ts, const char *redis_extra,
    const char *extra)
{
	struct config	*cf;
	char		*path, *cause = NULL;
	FILE		*f;

	path = xasprintf("%s/closeloopd.conf", ts->dir);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fprintf(f, "redis = { url = \"unix://%s\"; %s };\n%s\n", ts->sock,
	    redis_extra != NULL ? redis_extra : "", extra != NULL ? extra : "");
	fclose(f);
	cf = config_load(path, &cause);
	if (cf == NULL) {
		fprintf(stderr, "test configuration: %s\n", cause);
		exit(1);
	}
	free(path);
	return cf;
}

/* Run a shell command with $SOCK set to the socket. */
int
testserver_sh(struct testserver *ts, const char *cmd)
{
	setenv("SOCK", ts->sock, 1);
	return system(cmd);
}

/* Start a sentinel watching one master. */
void
testserver_sentinel(struct testsentinel *ss, const char *name,
    int master_port, int quorum, const char *password)
{
	const char	*argv[3];
	char		*conf, *log;
	FILE		*f;

	testproc_need(TESTSERVER_SENTINEL, "redis-sentinel");
	memset(ss, 0, sizeof *ss);
	ss->dir = testproc_mkdtemp("sentinel");
	ss->port = testproc_free_port();
	conf = xasprintf("%s/sentinel.conf", ss->dir);
	log = xasprintf("%s/sentinel.log", ss->dir);
	if ((f = fopen(conf, "w")) == NULL) {
		perror(conf);
		exit(1);
	}
	fprintf(f, "port %d\nbind 127.0.0.1\ndir %s\n"
	    "sentinel monitor %s 127.0.0.1 %d %d\n"
	    "sentinel down-after-milliseconds %s 60000\n",
	    ss->port, ss->dir, name, master_port, quorum, name);
	if (password != NULL)
		fprintf(f, "requirepass %s\n", password);
	fclose(f);
	argv[0] = TESTSERVER_SENTINEL;
	argv[1] = conf;
	argv[2] = NULL;
	ss->pid = testproc_spawn(argv, log);
	if (testproc_wait_port(ss->pid, ss->port, 5000) != 0) {
		fprintf(stderr, "redis-sentinel did not start; see %s\n", log);
		exit(1);
	}
	free(conf);
	free(log);
}

/* Stop a sentinel and remove its directory. */
void
testserver_sentinel_stop(struct testsentinel *ss)
{
	testproc_stop(ss->pid);
	ss->pid = 0;
	testproc_rmdir(ss->dir);
	free(ss->dir);
	ss->dir = NULL;
}
