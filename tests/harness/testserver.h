/*
 * testserver.h - a private redis-server for the unit tests
 *
 * Each test program starts its own redis-server in a new temporary
 * directory, listening on a unix socket there (and on a loopback TCP port
 * if asked), and stops it by PID. A missing redis-server skips the test
 * program (exit 77) except in CI (CI=true), where it fails. Sentinels
 * (redis-sentinel) are started the same way, for the tests of failover.
 */
#ifndef TESTSERVER_H
#define TESTSERVER_H

#include <sys/types.h>

struct config;

struct testserver {
	pid_t	 pid;
	char	 dir[64];
	char	 sock[96];
	int	 port;		/* 0 unless started with TCP */
};

/*
 * Start redis-server; tcp also opens a loopback port, password (may be
 * NULL) sets requirepass. Exits the program (77 or 1) if it cannot.
 */
void testserver_start(struct testserver *ts, int tcp, const char *password);

/* Stop the server and remove its directory. */
void testserver_stop(struct testserver *ts);

/*
 * Write a configuration file into the server's directory and load it:
 * redis_extra goes inside the redis group after its url, extra after the
 * group (both may be NULL). The config is allocated; the caller frees it
 * with config_free(). Exits the program if the text is not valid.
 */
struct config *testserver_config(struct testserver *ts,
    const char *redis_extra, const char *extra);

/* Run a shell command with $SOCK set to the socket; returns its status. */
int testserver_sh(struct testserver *ts, const char *cmd);

/* A redis-sentinel watching one master, on a loopback port. */
struct testsentinel {
	pid_t	 pid;
	char	*dir;
	int	 port;
};

/*
 * Start redis-sentinel (Debian package redis-sentinel) in a new temporary
 * directory, watching the server at 127.0.0.1:master_port as name, with
 * quorum; password (may be NULL) is the sentinel's own requirepass. Exits
 * the program (77 or 1) if it cannot.
 */
void testserver_sentinel(struct testsentinel *ss, const char *name,
    int master_port, int quorum, const char *password);

/* Stop a sentinel and remove its directory. */
void testserver_sentinel_stop(struct testsentinel *ss);

#endif
